# servreg — build, run, test, benchmark, install.
#
#   make run ARGS='get-all'     build (release) and run servreg on the default store
#   make test                   every test
#   make bench                  benchmarks against the targets (see README), etcd's too
#   make completions            regenerate completions/ from the binary (a test checks them)
#   make fuzz                   libFuzzer on the parsers of user input (FUZZ_TIME seconds each)
#   make install PREFIX=/usr/local

PREFIX ?= /usr/local
DESTDIR ?=
SWIFT ?= swift
ARGS ?=
# One fully static release binary: no shared libraries to load and no symbols or
# relocations to resolve at start, which is most of a one-shot command's time
# (servreg --version: 2.0 ms static, 3.1 ms with only the Swift libraries static).
RELEASE_FLAGS = -c release -Xswiftc -static-executable
BIN = .build/release/servreg

.PHONY: test-etcd all deps build build-info run test test-asan test-tsan crash-test lint bench fuzz completions install uninstall clean

all: build

deps:
	@scripts/install-deps

build: deps build-info
	$(SWIFT) build $(RELEASE_FLAGS) --product servreg

# The commit for --version (-dirty with uncommitted changes), rewritten only when it
# changes, so that an unchanged tree does not rebuild.
build-info:
	@commit=$$(git rev-parse --short=12 HEAD 2>/dev/null || true); \
	if [ -n "$$commit" ] && ! git diff --quiet HEAD 2>/dev/null; then commit="$$commit-dirty"; fi; \
	line="#define SERVREG_COMMIT \"$$commit\""; [ -n "$$commit" ] || line=""; \
	[ "$$(cat Sources/CBuildInfo/commit.h 2>/dev/null)" = "$$line" ] || echo "$$line" > Sources/CBuildInfo/commit.h

# Exit status 1 ("nothing matched", e.g. get-all on a new store) is not a make failure.
run: build
	@$(BIN) $(ARGS); status=$$?; [ $$status -le 1 ] || exit $$status

test: deps build-info
	$(SWIFT) build --build-tests
	$(SWIFT) test

# The etcd store's tests (conformance and end to end) against a 3-member cluster on
# loopback that this starts and stops (apt-get install etcd-server etcd-client); `make
# test` runs them only when SERVREG_ETCD_ENDPOINTS names a cluster (CI does).
test-etcd: deps build-info
	$(SWIFT) build --build-tests
	dir=$$(mktemp -d); trap '.ci/etcd-cluster.sh stop "$$dir"; rm -rf "$$dir"' EXIT; \
	SERVREG_ETCD_ENDPOINTS=$$(.ci/etcd-cluster.sh start "$$dir") SERVREG_ETCD_CLUSTER_DIR="$$dir" \
	    $(SWIFT) test --skip-build --filter 'Etcd|StoreConformance'

# The whole suite under AddressSanitizer, in a build folder of its own. Leak reports are
# off: Foundation's file reading and XCTest report leaks that are not servreg's.
test-asan: deps
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --sanitize=address --scratch-path .build-asan

# The whole suite under ThreadSanitizer (clean; about 6 minutes here).
test-tsan: deps
	$(SWIFT) test --sanitize=thread --scratch-path .build-tsan

# SIGKILLs at random moments of write-heavy batches, then: every printed id stored, atomic
# batches all or nothing, no gap in the event log, SQLite's integrity check ok.
CRASH_KILLS ?= 40
crash-test: build
	python3 Tests/crash/kill-test.py $(BIN) --kills $(CRASH_KILLS)

lint:
	$(SWIFT) format lint --strict -r Sources Tests Benchmarks Fuzz/Sources Package.swift Fuzz/Package.swift

# Only the two products: building everything would also link GRDB's dynamic library
# product, which cannot be built with -static-executable.
# Pelix (iPOPO 3, from PyPI) in a venv of its own: the bench compares servreg's rates with
# Pelix's in memory, measured in the same run. The binary measured is the one make install
# installs: stripped, which also starts faster (the unstripped one takes 385 page faults to
# answer a get, the stripped one 236).
PELIX_VENV = .build/pelix-venv
# The etcd part runs on SERVREG_ETCD_ENDPOINTS, or on a 3-member cluster in /dev/shm that
# bench starts and stops (when etcd is installed), on ports from this one.
BENCH_ETCD_PORT ?= 24791
bench: build
	@scripts/install-deps time
	@$(PELIX_VENV)/bin/python -c 'import pelix' 2>/dev/null \
		|| { python3 -m venv $(PELIX_VENV) && $(PELIX_VENV)/bin/pip install -q 'ipopo>=3,<4'; } \
		|| echo "bench: no Pelix to compare with (python3 -m venv or pip install ipopo failed)"
	$(SWIFT) build -c release --product servreg-bench
	install -d .build/bench && install -s -m 755 $(BIN) .build/bench/servreg
	@if [ -z "$$SERVREG_ETCD_ENDPOINTS" ] && command -v etcd >/dev/null; then \
	  dir=$$(mktemp -d /dev/shm/servreg-bench-etcd.XXXXXX); trap '.ci/etcd-cluster.sh stop "$$dir"; rm -rf "$$dir"' EXIT; \
	  SERVREG_ETCD_ENDPOINTS=$$(ETCD_BASE_PORT=$(BENCH_ETCD_PORT) .ci/etcd-cluster.sh start "$$dir") || exit 1; \
	  export SERVREG_ETCD_ENDPOINTS; \
	fi; \
	PELIX_PYTHON=$$($(PELIX_VENV)/bin/python -c 'import pelix, sys; print(sys.executable)' 2>/dev/null) \
		PELIX_SCRIPT=$(CURDIR)/Benchmarks/pelix/pelix_bench.py \
		.build/release/servreg-bench run $(CURDIR)/.build/bench/servreg $(CURDIR)/bench-data

# The fuzz targets live in Fuzz/, a package of their own (a fuzzer build instruments every
# target). The committed corpus is replayed first (a crash once found stays fixed; also
# checked by make test, uninstrumented), then each target runs for FUZZ_TIME seconds.
# A crash exits non-zero and leaves its input in .fuzz-work/: add it to Fuzz/corpus/.
FUZZ_TIME ?= 60
FUZZ_TARGETS = filter json property line
fuzz:
	cd Fuzz && $(SWIFT) build -c release --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address
	@for target in $(FUZZ_TARGETS); do \
	  mkdir -p .fuzz-work/$$target && \
	  SWIFT_BACKTRACE=enable=no Fuzz/.build/release/fuzz-$$target -runs=0 Fuzz/corpus/$$target && \
	  SWIFT_BACKTRACE=enable=no Fuzz/.build/release/fuzz-$$target -max_total_time=$(FUZZ_TIME) -max_len=256 \
	    -use_value_profile=1 $$( [ $$target = filter ] && echo -dict=Fuzz/filter.dict ) \
	    -artifact_prefix=.fuzz-work/$$target- .fuzz-work/$$target Fuzz/corpus/$$target || exit 1; \
	done

completions: build
	$(BIN) --generate-completion-script bash > completions/servreg.bash
	$(BIN) --generate-completion-script zsh > completions/_servreg
	$(BIN) --generate-completion-script fish > completions/servreg.fish

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	# Stripped: the symbols are most of the static binary (87 MB → 61 MB), and a crash
	# report's backtrace still names the functions of the unstripped .build copy.
	install -s -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/servreg
	install -m 644 man/servreg.1 $(DESTDIR)$(PREFIX)/share/man/man1/servreg.1
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 644 completions/servreg.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/servreg
	install -m 644 completions/_servreg $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_servreg
	install -m 644 completions/servreg.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/servreg.fish

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/servreg $(DESTDIR)$(PREFIX)/share/man/man1/servreg.1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions/servreg \
	  $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_servreg \
	  $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/servreg.fish

clean:
	rm -rf .build bench-data Fuzz/.build .fuzz-work
