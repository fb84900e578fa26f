// servreg-bench: builds benchmark stores and times one-shot servreg commands.
//
//   servreg-bench generate PATH COUNT [LEASED OWNED]
//                                          a store with COUNT services over 10 specifications
//   servreg-bench run SERVREG DATA_DIR     runs the benchmarks of `make bench` and prints a report
//   servreg-bench listen SERVREG DATA_DIR  only those of listen (DATA_DIR made by run)
//   servreg-bench liveness SERVREG DATA_DIR  only those of leases and owners (likewise)
//   servreg-bench dependencies SERVREG DATA_DIR  only those of requirements (likewise)
import Foundation
import RegistryEtcd
import RegistrySQLite
import ServiceRegistry

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let specifications = (0..<10).map { "acme.IService\($0)" }
let tagWords = ["red", "green", "blue", "fast", "cheap", "local", "certified", "new"]

/// The owner of the bench's owned services: init, which outlives every run (until a reboot).
func initOwner() throws -> ServiceOwner {
    let stat = try String(contentsOfFile: "/proc/1/stat", encoding: .utf8)
    let fields = stat[stat.index(after: stat.lastIndex(of: ")") ?? stat.startIndex)...].split(separator: " ")
    let boot = try String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)
    return ServiceOwner(
        pid: 1, startTime: Int64(fields[19]) ?? 0, bootID: boot.trimmingCharacters(in: .whitespacesAndNewlines))
}

/// A store of `count` services; every `count / leased`-th has a lease of 300 days and as
/// many others an owner (init), spread over the specifications (issue 11's bench).
func generate(path: String, count: Int, leased: Int = 0, owned: Int = 0, requiring: Int = 0) throws {
    let owner = owned > 0 ? try initOwner() : nil
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    let ttl: Int64 = 300 * 86_400_000
    try? FileManager.default.removeItem(atPath: path)
    let store = try SQLiteStore(path: path, access: .write)
    var random = SplitMix(state: 2026)
    var made = 0
    while made < count {
        let batch = min(10_000, count - made)
        let first = made
        // A write's body may run twice (the first write of a new store does): it must not
        // count on its own side effects.
        try store.write { writer in
            for n in first..<first + batch {
                var properties = ServiceProperties()
                properties.set("name", .string("service-\(n)"))
                properties.set("price", .integer(Int64.random(in: 1...1000, using: &random)))
                properties.set("location", .string("BH\(Int.random(in: 0..<10, using: &random))"))
                // tagWords is not empty: never "".
                properties.set(
                    "tags",
                    .list((0..<2).map { _ in .string(tagWords.randomElement(using: &random) ?? "") }))
                var service = NewService(
                    specifications: [specifications[n % specifications.count]],
                    ranking: Int64.random(in: 0..<4, using: &random), scope: .singleton, properties: properties)
                if leased > 0, n % (count / leased) == 0 { service.lease = Lease(ttl: ttl, from: now) }
                if owned > 0, n % (count / owned) == (count / owned) / 2 { service.owner = owner }
                // Issue 13's bench: every (count / requiring)-th service requires acme.IBase (which
                // one service provides); one in ten of those also a name nobody has (unsatisfied).
                if requiring > 0, n % (count / requiring) == 1 {
                    service.requirements = [try Requirement.parse("acme.IBase:(region=eu)")]
                    if (n / (count / requiring)) % 10 == 9 {
                        service.requirements.append(try Requirement.parse("@nobody"))
                        service.satisfied = false
                    }
                }
                _ = try writer.insert(id: nil, service)
            }
        }
        made += batch
    }
    if requiring > 0 {
        var base = ServiceProperties()
        base.set("region", .string("eu"))
        try store.write { writer in
            _ = try writer.insert(id: nil, NewService(specifications: ["acme.IBase"], properties: base))
        }
    }
}

/// Starts a command with `stdout` as its standard output (stderr: /dev/null); its pid.
func launch(_ arguments: [String], environment: [String: String], stdout: (inout posix_spawn_file_actions_t) -> Void)
    -> pid_t
{
    var pid: pid_t = 0
    let argv = arguments.map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        for pointer in argv { free(pointer) }
        for pointer in envp { free(pointer) }
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    stdout(&actions)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    defer { posix_spawn_file_actions_destroy(&actions) }
    guard posix_spawn(&pid, arguments[0], &actions, nil, argv, envp) == 0 else {
        fatalError("cannot run \(arguments[0])")
    }
    return pid
}

/// Runs a command once; returns (wall seconds, max RSS in KiB, exit status).
func spawn(_ arguments: [String], environment: [String: String], stdout: String = "/dev/null") -> (Double, Int, Int32) {
    let start = monotonic()
    let pid = launch(arguments, environment: environment) { actions in
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    return (monotonic() - start, usage.ru_maxrss, (status >> 8) & 0xFF)
}

/// Removes a store and its WAL and shared-memory files.
func removeStore(_ path: String) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

/// One run of servreg on `store`: its wall time; a status other than `expect` stops the bench.
func runOnce(_ binary: String, _ arguments: [String], store: String, environment: [String: String], expect: Int32 = 0)
    -> Double
{
    var environment = environment
    environment["SERVREG_STORE"] = store
    let (wall, _, status) = spawn([binary] + arguments, environment: environment)
    if status != expect { fatalError("\(arguments) on \(store) exited \(status)") }
    return wall
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}

func report(_ name: String, _ times: [Double], target: String) {
    // Every measurement has runs (and `percentile` traps on none first): never nan.
    let fastest = times.min() ?? .nan
    let padded = name.padding(toLength: 60, withPad: " ", startingAt: 0)
    print(
        padded
            + String(
                format: " median %6.2f ms  p90 %6.2f ms  min %6.2f ms", percentile(times, 0.5) * 1000,
                percentile(times, 0.9) * 1000, fastest * 1000) + "   (target \(target))")
}

/// Peak RSS in KiB of one run, as GNU time reports it.
///
/// Not this process's own rusage of the child: posix_spawn starts the child in this
/// process's memory (vfork), and Linux counts that memory in the child's peak, so a
/// bench process holding batch files in memory made servreg look 8 MiB larger.
/// GNU time forks a small process of its own.
func peakRSS(_ arguments: [String], environment: [String: String]) -> Int {
    let output = NSTemporaryDirectory() + "servreg-bench-rss-\(getpid())"
    defer { try? FileManager.default.removeItem(atPath: output) }
    _ = spawn(["/usr/bin/time", "-f", "%M", "-o", output] + arguments, environment: environment)
    let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
    return Int(text.split(separator: "\n").last.map(String.init) ?? "") ?? 0
}

func run(binary: String, data: String) throws {
    let small = data + "/store-1k.db"
    let large = data + "/store-100k.db"
    try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
    for (path, count) in [(small, 1_000), (large, 100_000)] where !FileManager.default.fileExists(atPath: path) {
        print("generating \(path) (\(count) services)…")
        try generate(path: path, count: count)
    }
    // A store kept from an earlier schema is brought to this one (as any writer would).
    for path in [small, large] { try SQLiteStore(path: path, access: .write).close() }
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    func times(_ arguments: [String], store: String, runs: Int, expect: Int32 = 0) -> ([Double], Int) {
        var walls: [Double] = []
        var peak = 0
        environment["SERVREG_STORE"] = store
        for _ in 0..<3 { _ = spawn([binary] + arguments, environment: environment) }
        for _ in 0..<runs {
            let (wall, rss, status) = spawn([binary] + arguments, environment: environment)
            if status != expect { fatalError("\(arguments) exited \(status)") }
            walls.append(wall)
            peak = max(peak, rss)
        }
        return (walls, peak)
    }

    print("servreg benchmarks — \(binary)\n")
    let filter = "(&(price<=100)(location=BH3))"
    let (version, _) = times(["--version"], store: large, runs: 200)
    report("process start: servreg --version", version, target: "reference")
    let (get, _) = times(["get", "acme.IService3", "--filter", filter], store: large, runs: 300)
    report("get SPEC --filter '\(filter)' (100k)", get, target: "≤ 5 ms")
    // The same question put to the sqlite3 tool as a JSON query over the store's tables.
    let sqlite3 = "/usr/bin/sqlite3"
    if FileManager.default.isExecutableFile(atPath: sqlite3) {
        let query = """
            SELECT s.id, s.properties FROM service s JOIN service_specification ss ON ss.service_id = s.id
            WHERE ss.specification = 'acme.IService3' AND json_extract(s.properties, '$.price') <= 100
            AND json_extract(s.properties, '$.location') = 'BH3' ORDER BY ss.ranking DESC, ss.service_id LIMIT 1
            """
        var walls: [Double] = []
        for run in 0..<203 {
            let (wall, _, status) = spawn([sqlite3, "-readonly", large, query], environment: environment)
            if status != 0 { break }  // an sqlite3 without JSON functions: no comparison
            if run >= 3 { walls.append(wall) }
        }
        if walls.count == 200 {
            report("sqlite3 tool, the same get as a JSON query (100k)", walls, target: "reference")
            print(
                "get ÷ sqlite3 tool".padding(toLength: 60, withPad: " ", startingAt: 0)
                    + String(format: " %.2f×", percentile(get, 0.5) / percentile(walls, 0.5)) + "   (target ≤ 0.6×)")
        } else {
            print("sqlite3 tool: the JSON query failed, get not compared with it")
        }
    } else {
        print("sqlite3 tool: not installed, get not compared with it")
    }
    let (getAll, _) = times(["get-all", "acme.IService3", "--filter", filter, "-q"], store: large, runs: 100)
    report("get-all SPEC --filter … -q (100k)", getAll, target: "reference")
    let (count, _) = times(["get-all", "acme.IService3", "--count"], store: large, runs: 100)
    report("get-all SPEC --count (100k)", count, target: "reference")
    // No specification: the property index, read once per specification (issue 8).
    let names = "(|" + (0..<50).map { "(name=service-\($0 * 1999))" }.joined() + ")"
    let (anySpec, _) = times(["get-all", "--filter", names, "-q"], store: large, runs: 50)
    report("get-all --filter '(|…50 names…)' -q, no SPEC (100k)", anySpec, target: "reference")

    let scratch = data + "/register-scratch.db"
    try? FileManager.default.removeItem(atPath: scratch)
    try FileManager.default.copyItem(atPath: large, toPath: scratch)
    let (register, _) = times(
        ["register", "acme.IService1", "--prop", "name=bench", "--prop", "price=10", "--prop", "location=BH1"],
        store: scratch, runs: 300)
    report("register SPEC --prop … (100k, durable: synchronous=FULL)", register, target: "≤ 5 ms")
    removeStore(scratch)

    func rss(_ arguments: [String], store: String) -> Int {
        environment["SERVREG_STORE"] = store
        // Five runs: the maximum is never the fallback.
        return (0..<5).map { _ in peakRSS([binary] + arguments, environment: environment) }.max() ?? 0
    }
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/time") else {
        fatalError("peak memory needs GNU time: apt-get install time")
    }
    let getSmallRSS = rss(["get", "acme.IService3", "--filter", filter], store: small)
    let getRSS = rss(["get", "acme.IService3", "--filter", filter], store: large)
    let countSmallRSS = rss(["get-all", "acme.IService3", "--count"], store: small)
    let countRSS = rss(["get-all", "acme.IService3", "--count"], store: large)
    let versionRSS = rss(["--version"], store: large)
    // Every service printed: human tables stream as JSON does (issue 9).
    let tableSmallRSS = rss(["get-all"], store: small)
    let tableRSS = rss(["get-all"], store: large)
    let jsonRSS = rss(["get-all", "--json"], store: large)
    print("")
    print(
        String(
            format: "peak RSS  get: %.1f MiB at 1k, %.1f MiB at 100k (target ≤ 20 MiB, within 10%%)",
            Double(getSmallRSS) / 1024, Double(getRSS) / 1024))
    print(
        String(
            format: "peak RSS  get-all --count: %.1f MiB at 1k, %.1f MiB at 100k",
            Double(countSmallRSS) / 1024, Double(countRSS) / 1024))
    print(String(format: "peak RSS  --version (the binary alone): %.1f MiB", Double(versionRSS) / 1024))
    print(
        String(
            format: "peak RSS  get-all (table): %.1f MiB at 1k, %.1f MiB at 100k; --json %.1f MiB (target: flat)",
            Double(tableSmallRSS) / 1024, Double(tableRSS) / 1024, Double(jsonRSS) / 1024))
    let size = (try FileManager.default.attributesOfItem(atPath: large)[.size] as? Int) ?? 0
    print(
        String(
            format: "store size: %.1f MiB for 100,000 services = %.0f bytes/service",
            Double(size) / 1_048_576, Double(size) / 100_000))
    print("")
    try livenessBenchmarks(binary: binary, data: data, large: large, environment: environment)
    try valueBenchmarks(binary: binary, data: data, large: large, environment: environment)
    try dependencyBenchmarks(binary: binary, data: data, large: large, environment: environment)
    try policyBenchmarks(binary: binary, data: data, large: large, environment: environment)
    print("")
    try batchBenchmarks(binary: binary, data: data, large: large, environment: environment)
    print("")
    try listenBenchmarks(binary: binary, data: data, large: large, environment: environment)
    print("")
    if let endpoints = environment["SERVREG_ETCD_ENDPOINTS"], !endpoints.isEmpty {
        try etcdBenchmarks(binary: binary, endpoints: endpoints, environment: environment)
    } else {
        print("etcd: not measured (no SERVREG_ETCD_ENDPOINTS; make bench starts a cluster when etcd is installed)")
    }
}

/// Issue 15: servreg on an etcd registry (a 3-member cluster on loopback) against etcdctl
/// on the same cluster, in the same run; each registry under a prefix of its own, removed
/// at the end.
func etcdBenchmarks(binary: String, endpoints: String, environment: [String: String]) throws {
    let etcdctl = "/usr/bin/etcdctl"
    guard FileManager.default.isExecutableFile(atPath: etcdctl) else {
        print("etcd: not measured (no \(etcdctl): apt-get install etcd-client)")
        return
    }
    let members = endpoints.split(separator: ",").map { String($0).replacingOccurrences(of: "http://", with: "") }
    let root = "servreg-bench-\(getpid())"
    var environment = environment
    environment["ETCDCTL_API"] = "3"
    var serial = 0
    /// A location of a new, empty registry.
    func newRegistry() -> String {
        serial += 1
        return "etcd://\(members.joined(separator: ","))/\(root)/r\(serial)"
    }
    func etcdctlTimes(_ arguments: [String], runs: Int) -> [Double] {
        let command = [etcdctl, "--endpoints=\(endpoints)"] + arguments
        for _ in 0..<3 { _ = spawn(command, environment: environment) }
        return (0..<runs).map { _ in
            let (wall, _, status) = spawn(command, environment: environment)
            if status != 0 { fatalError("etcdctl \(arguments) exited \(status)") }
            return wall
        }
    }
    func servregTimes(_ arguments: [String], store: String, runs: Int, expect: Int32 = 0) -> [Double] {
        for _ in 0..<3 { _ = runOnce(binary, arguments, store: store, environment: environment, expect: expect) }
        return (0..<runs).map { _ in runOnce(binary, arguments, store: store, environment: environment, expect: expect)
        }
    }
    /// A registry of `count` services over the 10 specifications, made by a batch file.
    func populated(_ count: Int) throws -> String {
        let store = newRegistry()
        var random = SplitMix(state: 11)
        let lines = registerLines(using: &random).split(separator: "\n").prefix(count).joined(separator: "\n") + "\n"
        let file = NSTemporaryDirectory() + "servreg-bench-etcd-\(getpid()).srv"
        try lines.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        _ = runOnce(binary, ["run", file], store: store, environment: environment)
        return store
    }
    defer {
        _ = spawn([etcdctl, "--endpoints=\(endpoints)", "del", "--prefix", root + "/"], environment: environment)
    }
    print("etcd (\(members.count) members on loopback: \(endpoints))")
    let key = root + "/etcdctl-key"
    let put = etcdctlTimes(["put", key, #"{"objectClass":["acme.IService1"],"price":10}"#], runs: 100)
    report("etcdctl put KEY VALUE", put, target: "reference")
    let get = etcdctlTimes(["get", key], runs: 100)
    report("etcdctl get KEY", get, target: "reference")
    // Half of a specification's services match: a get finds one at every size.
    let filter = "(price<=500)"
    for count in [100, 1_000] {
        let store = try populated(count)
        let gets = servregTimes(["get", "acme.IService3", "--filter", filter, "-q"], store: store, runs: 100)
        report("get SPEC --filter '\(filter)' (etcd, \(count))", gets, target: "≤ etcdctl get")
        let registers = servregTimes(
            ["register", "acme.IService1", "--prop", "name=bench", "--prop", "price=10", "--prop", "location=BH1"],
            store: store, runs: 100)
        report("register SPEC --prop … (etcd, \(count))", registers, target: "≤ etcdctl put")
        print(
            "  ÷ etcdctl (medians, \(count) services)".padding(toLength: 60, withPad: " ", startingAt: 0)
                + String(
                    format: " get %.2f×  register %.2f×", percentile(gets, 0.5) / percentile(get, 0.5),
                    percentile(registers, 0.5) / percentile(put, 0.5)) + "   (target ≤ 1.0×)")
    }

    // listen: this process commits through the etcd store and times from the commit's return
    // (etcd acknowledged it) to the listener's line arriving on the pipe.
    let listened = newRegistry()
    _ = runOnce(binary, ["register", "acme.IStart"], store: listened, environment: environment)
    var listenEnvironment = environment
    listenEnvironment["SERVREG_STORE"] = listened
    let listener = start([binary, "listen", "--since", "1", "--json"], environment: listenEnvironment)
    usleep(500_000)
    var configuration = EtcdStore.Configuration(
        endpoints: members.compactMap { member in
            guard let colon = member.lastIndex(of: ":"), let port = UInt16(member[member.index(after: colon)...])
            else { return nil }
            return (String(member[..<colon]), port)
        }, prefix: "\(root)/r\(serial)")
    configuration.requestTimeout = 2
    let registry = Registry(store: try EtcdStore(configuration))
    var fromStart: [Double] = []
    reportLatencies(
        "listen (etcd): commit → event line, 300 events",
        try commitToLineLatencies(registry: registry, listener: listener, events: 300, fromStart: &fromStart),
        target: "median ≤ 2 ms")
    reportLatencies(
        "listen (etcd): register start → event line", fromStart,
        target: "context: the commit's own round trip")

    // A batch of 10,000 registers, group commit (no --atomic), each run into a new registry.
    var random = SplitMix(state: 13)
    let lines = registerLines(using: &random).split(separator: "\n").prefix(10_000).joined(separator: "\n") + "\n"
    let file = NSTemporaryDirectory() + "servreg-bench-etcd-batch-\(getpid()).srv"
    try lines.write(toFile: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    var rates: [Double] = []
    for _ in 0..<3 {
        rates.append(10_000 / runOnce(binary, ["run", file], store: newRegistry(), environment: environment))
    }
    print(
        "run (etcd): 10,000 register lines, group commit".padding(toLength: 60, withPad: " ", startingAt: 0)
            + String(format: " %9.0f lines/s", rates.sorted()[1]) + "   (target ≥ 5,000)")
}

/// 100,000 `register` lines over the 10 specifications (the batch benchmarks' file).
func registerLines(using random: inout SplitMix) -> String {
    var registers = ""
    for n in 0..<100_000 {
        let price = Int.random(in: 1...1000, using: &random)
        let location = Int.random(in: 0..<10, using: &random)
        registers +=
            "register \(specifications[n % 10]) --prop name=batch-\(n) --prop price=\(price) "
            + "--prop location=BH\(location) --prop tags:list=red,fast\n"
    }
    return registers
}

/// Batch files (`servreg run`) against a copy of the 100,000-service store.
func batchBenchmarks(binary: String, data: String, large: String, environment: [String: String]) throws {
    var random = SplitMix(state: 7)
    let registers = registerLines(using: &random)
    var gets = ""
    for _ in 0..<10_000 {
        let specification = specifications[Int.random(in: 0..<10, using: &random)]
        let price = Int.random(in: 1...1000, using: &random)
        let location = Int.random(in: 0..<10, using: &random)
        gets += "get \(specification) --filter '(&(price<=\(price))(location=BH\(location)))' -q\n"
    }
    let registerFile = data + "/register-100k.srv"
    let getFile = data + "/get-10k.srv"
    try registers.write(toFile: registerFile, atomically: true, encoding: .utf8)
    try gets.write(toFile: getFile, atomically: true, encoding: .utf8)

    let scratch = data + "/batch-scratch.db"
    func freshCopy() throws {
        removeStore(scratch)
        try FileManager.default.copyItem(atPath: large, toPath: scratch)
    }
    /// Median lines per second of three runs, each on a fresh copy of the store.
    func linesPerSecond(_ arguments: [String], lines: Int, expect: Int32 = 0) throws -> Double {
        var rates: [Double] = []
        for _ in 0..<3 {
            try freshCopy()
            let (wall, _, status) = spawn([binary, "run", "--store", scratch] + arguments, environment: environment)
            if status != expect { fatalError("run \(arguments) exited \(status)") }
            rates.append(Double(lines) / wall)
        }
        return rates.sorted()[1]
    }
    // Pelix in memory on the same files, measured in this run: rates here vary 2× with load.
    let pelix = pelixRates(registerFile: registerFile, getFile: getFile)
    if let pelix {
        print(
            "Pelix \(pelix.version) in memory, the same lines (100k services)".padding(
                toLength: 60, withPad: " ", startingAt: 0)
                + String(format: " register %.0f/s, get %.0f/s", pelix.register, pelix.get))
    } else {
        print("Pelix: not measured (no PELIX_PYTHON with ipopo; make bench makes one)")
    }
    func line(_ name: String, _ rate: Double, target: String, pelix: Double? = nil) {
        let ratio = pelix.map { String(format: " = %.2f× Pelix", rate / $0) } ?? ""
        print(
            name.padding(toLength: 60, withPad: " ", startingAt: 0) + String(format: " %9.0f lines/s", rate)
                + ratio + "   (target \(target))")
    }
    line(
        "run --atomic: 100,000 register lines (100k store)",
        try linesPerSecond(["--atomic", registerFile], lines: 100_000), target: "≥ 1.0 × Pelix in memory",
        pelix: pelix?.register)
    line(
        "run: 100,000 register lines, group commit (100k store)",
        try linesPerSecond([registerFile], lines: 100_000), target: "≥ 0.75 × Pelix in memory",
        pelix: pelix?.register)
    // Another process's one-shot writes while the same batch runs: how long each waits.
    try freshCopy()
    let batch = launch([binary, "run", "--store", scratch, registerFile], environment: environment) { actions in
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    }
    usleep(300_000)
    var waits: [Double] = []
    for _ in 0..<20 {
        let (wall, _, status) = spawn(
            [binary, "register", "acme.IOther", "--store", scratch], environment: environment)
        if status != 0 { fatalError("a one-shot register during the batch exited \(status)") }
        waits.append(wall)
        usleep(100_000)
    }
    var batchStatus: Int32 = 0
    if waitpid(batch, &batchStatus, WNOHANG) == 0 {
        kill(batch, SIGTERM)
        waitpid(batch, &batchStatus, 0)
    } else {
        print("(the batch ended before the one-shot writes did: the numbers below are not under load)")
    }
    print(
        "one-shot register during that batch (20 of them)".padding(toLength: 60, withPad: " ", startingAt: 0)
            + String(format: " median %.1f ms, max %.1f ms", percentile(waits, 0.5) * 1000, (waits.max() ?? 0) * 1000)
            + "   (target: well under a few hundred ms)")
    // Some filters match nothing (exit 1): --keep-going runs every line all the same.
    line(
        "run: 10,000 get SPEC --filter lines (100k store)",
        try linesPerSecond(["--keep-going", getFile], lines: 10_000, expect: 1), target: "≥ 1.0 × Pelix in memory",
        pelix: pelix?.get)
    removeStore(scratch)
}

/// Issue 11: the same store with 1,000 leased and 1,000 owned services of its 100,000:
/// one-shot gets and a batch of 10,000 gets, against the store without them, interleaved.
func livenessBenchmarks(binary: String, data: String, large: String, environment: [String: String]) throws {
    let mortal = data + "/store-100k-mortal.db"
    // Made anew each run: its leases are measured from now.
    try generate(path: mortal, count: 100_000, leased: 1_000, owned: 1_000)
    let filter = "(&(price<=100)(location=BH3))"
    func one(_ store: String, _ arguments: [String], expect: Int32 = 0) -> Double {
        runOnce(binary, arguments, store: store, environment: environment, expect: expect)
    }
    let get = ["get", "acme.IService3", "--filter", filter]
    var plain: [Double] = []
    var withLiveness: [Double] = []
    for run in 0..<403 {
        let a = one(large, get)
        let b = one(mortal, get)
        if run >= 3 {
            plain.append(a)
            withLiveness.append(b)
        }
    }
    report("get … (100k, 1,000 leased + 1,000 owned)", withLiveness, target: "≤ 1.10 × without")
    print(
        "  ÷ the same get without leases and owners".padding(toLength: 60, withPad: " ", startingAt: 0)
            + String(format: " %.3f×", percentile(withLiveness, 0.5) / percentile(plain, 0.5))
            + "   (target ≤ 1.10×)")
    let gets = data + "/get-10k.srv"
    if !FileManager.default.fileExists(atPath: gets) {
        var random = SplitMix(state: 7)
        var text = ""
        for _ in 0..<10_000 {
            let specification = specifications[Int.random(in: 0..<10, using: &random)]
            text +=
                "get \(specification) --filter '(&(price<=\(Int.random(in: 1...1000, using: &random)))"
                + "(location=BH\(Int.random(in: 0..<10, using: &random))))' -q\n"
        }
        try text.write(toFile: gets, atomically: true, encoding: .utf8)
    }
    var batchPlain: [Double] = []
    var batchLiveness: [Double] = []
    for _ in 0..<9 {
        batchPlain.append(one(large, ["run", "--keep-going", gets], expect: 1))
        batchLiveness.append(one(mortal, ["run", "--keep-going", gets], expect: 1))
    }
    let ratio = percentile(batchLiveness, 0.5) / percentile(batchPlain, 0.5)
    print(
        "run: 10,000 get lines (100k, 1,000 leased + 1,000 owned)".padding(toLength: 60, withPad: " ", startingAt: 0)
            + String(format: " %9.0f lines/s = %.3f× without", 10_000 / percentile(batchLiveness, 0.5), ratio)
            + "   (target ≤ 1.10×)")
    removeStore(mortal)
}

/// Values and factories (issue 12) in a copy of the 100k store: a value costs what a get
/// costs; a factory's value, once made (a bundle's per client), too; a prototype's costs a
/// process.
func valueBenchmarks(binary: String, data: String, large: String, environment: [String: String]) throws {
    let store = data + "/store-100k-values.db"
    removeStore(store)
    try FileManager.default.copyItem(atPath: large, toPath: store)
    var environment = environment
    environment["SERVREG_STORE"] = store
    environment["SERVREG_CLIENT"] = "bench"
    func one(_ arguments: [String]) -> Double {
        let (wall, _, status) = spawn([binary] + arguments, environment: environment)
        if status != 0 { fatalError("\(arguments) exited \(status)") }
        return wall
    }
    _ = one(["register", "acme.IValue", "--value", "pg://db1.example.com/app?pool=10"])
    _ = one(["register", "acme.IBundle", "--factory", "--scope", "bundle", "--", "/bin/echo", "made"])
    _ = one(["register", "acme.IPrototype", "--factory", "--scope", "prototype", "--", "/bin/echo", "made"])
    let plain = ["get", "acme.IValue"]
    var (gets, values, bundles, prototypes) = ([Double](), [Double](), [Double](), [Double]())
    for run in 0..<203 {
        let a = one(plain)
        let b = one(plain + ["--value"])
        let c = one(["get", "acme.IBundle", "--value"])
        let d = one(["get", "acme.IPrototype", "--value"])
        if run >= 3 {
            gets.append(a)
            values.append(b)
            bundles.append(c)
            prototypes.append(d)
        }
    }
    let get = percentile(gets, 0.5)
    report("get --value (a plain value, 100k store)", values, target: "≤ 1.10 × get")
    print(
        "  ÷ get of the same service".padding(toLength: 60, withPad: " ", startingAt: 0)
            + String(format: " %.3f×", percentile(values, 0.5) / get) + "   (target ≤ 1.10×)")
    report("get --value (a bundle value, made once)", bundles, target: "≤ 1.10 × get")
    print(
        "  ÷ get".padding(toLength: 60, withPad: " ", startingAt: 0)
            + String(format: " %.3f×", percentile(bundles, 0.5) / get) + "   (target ≤ 1.10×)")
    report("get --value (a prototype: /bin/echo per request)", prototypes, target: "get + one process")
    removeStore(store)
}

/// Requirements (issue 13): a get among 100,000 services of which 10,000 have requirements
/// (1,000 of them unsatisfied), against the same get without; a set-props on a service that
/// 1,000 others require (900 directly, 10 chains of depth 10), against one on a service
/// nothing requires; and, for information, the cascades when that service stops and starts
/// matching their filter again.
func dependencyBenchmarks(binary: String, data: String, large: String, environment: [String: String]) throws {
    let requiring = data + "/store-100k-requiring.db"
    if !FileManager.default.fileExists(atPath: requiring) {
        try generate(path: requiring, count: 100_000, requiring: 10_000)
    }
    func one(_ store: String, _ arguments: [String], expect: Int32 = 0) -> Double {
        runOnce(binary, arguments, store: store, environment: environment, expect: expect)
    }
    let get = ["get", "acme.IService1", "--filter", "(&(price<=100)(location=BH3))"]
    var plain: [Double] = []
    var withRequirements: [Double] = []
    for run in 0..<403 {
        let a = one(large, get)
        let b = one(requiring, get)
        if run >= 3 {
            plain.append(a)
            withRequirements.append(b)
        }
    }
    report("get … (100k, 10,000 with requirements)", withRequirements, target: "≤ 1.10 × without")
    print(
        "  ÷ the same get without requirements".padding(toLength: 60, withPad: " ", startingAt: 0)
            + String(format: " %.3f×", percentile(withRequirements, 0.5) / percentile(plain, 0.5))
            + "   (target ≤ 1.10×)")

    // The hub and its 1,000 dependents, registered by one batch into a copy of the 100k store.
    let store = data + "/store-100k-hub.db"
    removeStore(store)
    try FileManager.default.copyItem(atPath: large, toPath: store)
    var lines = "register acme.IHub --name hub --prop region=eu\nregister acme.ILone --name lone --prop region=eu\n"
    for n in 0..<900 { lines += "register acme.IDirect --prop n=\(n) --requires 'acme.IHub:(region=eu)'\n" }
    for chain in 0..<10 {
        for depth in 0..<10 {
            let required = depth == 0 ? "'acme.IHub:(region=eu)'" : "acme.IChain\(chain).\(depth - 1)"
            lines += "register acme.IChain\(chain).\(depth) --requires \(required)\n"
        }
    }
    let file = data + "/hub.srv"
    try lines.write(toFile: file, atomically: true, encoding: .utf8)
    _ = one(store, ["run", file])
    var hub: [Double] = []
    var lone: [Double] = []
    for run in 0..<103 {
        let a = one(store, ["set-props", "@hub", "x=\(run)"])
        let b = one(store, ["set-props", "@lone", "x=\(run)"])
        if run >= 3 {
            hub.append(a)
            lone.append(b)
        }
    }
    report("set-props on a service 1,000 others require", hub, target: "≤ 20 ms")
    print(
        "  ÷ set-props on a service nothing requires".padding(toLength: 60, withPad: " ", startingAt: 0)
            + String(format: " %.3f×", percentile(hub, 0.5) / percentile(lone, 0.5)))
    var lose: [Double] = []
    var regain: [Double] = []
    for _ in 0..<10 {
        lose.append(one(store, ["set-props", "@hub", "region=us"]))
        regain.append(one(store, ["set-props", "@hub", "region=eu"]))
    }
    report("  … that makes all 1,000 unsatisfied (a cascade)", lose, target: "information")
    report("  … that makes all 1,000 satisfied again", regain, target: "information")
    removeStore(store)
}

/// Hooks and schemas (issue 14): a one-shot `register` under 5 before- and 5 after-hooks
/// (`/bin/true`) against the same register without, less the hooks' own run time (10
/// spawns of `/bin/true`, measured between them); what a write with no hooks or schemas
/// does more than before them (one read of the empty policy table, in the write's own
/// transaction) as a share of a one-shot register; and 100,000 `run --atomic` register
/// lines under closed schemas naming every key of every line, against the same without.
func policyBenchmarks(binary: String, data: String, large: String, environment: [String: String]) throws {
    func one(_ store: String, _ arguments: [String], expect: Int32 = 0) -> Double {
        runOnce(binary, arguments, store: store, environment: environment, expect: expect)
    }
    func copy(_ store: String) throws {
        removeStore(store)
        try FileManager.default.copyItem(atPath: large, toPath: store)
    }
    let plain = data + "/policy-plain.db"
    let hooked = data + "/policy-hooked.db"
    try copy(plain)
    try copy(hooked)
    for phase in ["before", "after"] {
        for n in 0..<5 {
            _ = one(
                hooked,
                [
                    "hook", "add", phase, "register", "--spec", "acme.IService1", "--name", "\(phase)-\(n)", "--",
                    "/bin/true",
                ])
        }
    }
    let register = [
        "register", "acme.IService1", "--prop", "name=bench", "--prop", "price=10", "--prop", "location=BH1",
    ]
    var without: [Double] = []
    var with: [Double] = []
    var hooks: [Double] = []
    for run in 0..<203 {
        let a = one(plain, register)
        let b = one(hooked, register)
        let start = monotonic()
        for _ in 0..<10 { _ = spawn(["/bin/true"], environment: environment) }
        let c = monotonic() - start
        if run >= 3 {
            without.append(a)
            with.append(b)
            hooks.append(c)
        }
    }
    report("register, 5 before- and 5 after-hooks (/bin/true)", with, target: "reference")
    report("  the hooks' own run time: 10 × /bin/true", hooks, target: "reference")
    report("  the same register without hooks", without, target: "reference")
    let overhead = percentile(with, 0.5) - percentile(without, 0.5) - percentile(hooks, 0.5)
    print(
        "  register with hooks − without − the hooks' own time".padding(toLength: 60, withPad: " ", startingAt: 0)
            + String(format: " %.2f ms", overhead * 1000) + "   (target ≤ 2 ms)")

    // The work a write without hooks or schemas does for them: one read of the policy
    // table, the first of its connection as in a one-shot command (its statement prepared).
    var reads: [Double] = []
    for _ in 0..<200 {
        let store = try SQLiteStore(path: plain, access: .write)
        let (time, found) = try store.read { reader in
            let start = monotonic()
            let found = try reader.policies().count
            return (monotonic() - start, found)
        }
        try store.close()
        if found != 0 { fatalError("the plain store has policies") }
        reads.append(time)
    }
    let perRead = percentile(reads, 0.5)
    print(
        "a write's read of the (empty) policy table".padding(toLength: 60, withPad: " ", startingAt: 0)
            + String(
                format: " %.1f µs = %.2f %% of a one-shot register", perRead * 1_000_000,
                perRead / percentile(without, 0.5) * 100) + "   (target ≤ 2 %)")
    removeStore(hooked)

    // Closed schemas naming every key the lines give, with ranges and one-of values.
    var random = SplitMix(state: 7)
    let file = data + "/register-100k.srv"
    try registerLines(using: &random).write(toFile: file, atomically: true, encoding: .utf8)
    let locations = (0..<10).map { "BH\($0)" }.joined(separator: ",")
    let words = ["name:str!", "price:int[1..1000]", "location:str{\(locations)}", "tags:list<str>"]
    let schemaStore = data + "/policy-schema.db"
    try copy(schemaStore)
    for specification in specifications {
        _ = one(schemaStore, ["schema", "set", specification, "--closed"] + words)
    }
    let template = schemaStore + ".template"
    removeStore(template)
    try FileManager.default.moveItem(atPath: schemaStore, toPath: template)
    var plainRates: [Double] = []
    var schemaRates: [Double] = []
    for _ in 0..<3 {
        try copy(plain)
        plainRates.append(100_000 / one(plain, ["run", "--atomic", file]))
        removeStore(schemaStore)
        try FileManager.default.copyItem(atPath: template, toPath: schemaStore)
        schemaRates.append(100_000 / one(schemaStore, ["run", "--atomic", file]))
    }
    let (a, b) = (plainRates.sorted()[1], schemaRates.sorted()[1])
    print(
        "run --atomic: 100,000 register lines under closed schemas".padding(toLength: 60, withPad: " ", startingAt: 0)
            + String(format: " %9.0f lines/s, without %.0f: +%.1f %% time", b, a, (a / b - 1) * 100)
            + "   (target ≤ 5 %)")
    removeStore(plain)
    removeStore(schemaStore)
    removeStore(template)
}

/// Pelix's in-memory rates on the bench's files (Benchmarks/pelix/pelix_bench.py, run by
/// the Python of PELIX_PYTHON); nil when there is none.
func pelixRates(registerFile: String, getFile: String) -> (version: String, register: Double, get: Double)? {
    guard let python = ProcessInfo.processInfo.environment["PELIX_PYTHON"], !python.isEmpty else { return nil }
    let script =
        ProcessInfo.processInfo.environment["PELIX_SCRIPT"]
        ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("pelix/pelix_bench.py").path
    func output(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil
    }
    let version =
        output(["-c", "import importlib.metadata as m; print(m.version('ipopo'))"])?
        .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
    guard let text = output([script, registerFile, getFile, "100000"]) else { return nil }
    var rates: [String: Double] = [:]
    for line in text.split(separator: "\n") {
        let words = line.split(separator: " ")
        if words.count == 2, let rate = Double(words[1].dropLast(2)) { rates[String(words[0])] = rate }
    }
    guard let register = rates["register"], let get = rates["get"] else { return nil }
    return (version, register, get)
}

/// A process started with its stdout on a pipe the caller reads.
struct Started {
    let pid: pid_t
    let output: Int32
}

func start(_ arguments: [String], environment: [String: String]) -> Started {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { fatalError("pipe") }
    let pid = launch(arguments, environment: environment) { actions in
        posix_spawn_file_actions_adddup2(&actions, ends[1], 1)
        posix_spawn_file_actions_addclose(&actions, ends[0])
    }
    close(ends[1])
    return Started(pid: pid, output: ends[0])
}

func monotonic() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// CPU time a process has used so far, in seconds, all its threads (from /proc).
func cpuSeconds(_ pid: pid_t) -> Double {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    var total = 0.0
    for task in tasks {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8),
            let first = text.split(separator: " ").first, let nanoseconds = Double(first)
        else { continue }
        total += nanoseconds / 1e9
    }
    return total
}

func stop(_ started: Started) {
    kill(started.pid, SIGTERM)
    var status: Int32 = 0
    waitpid(started.pid, &status, 0)
    close(started.output)
}

/// Registers `events` services through `registry`, each timed from its commit's return to
/// the listener's line arriving on its pipe (0 when the line came first: etcd's watch
/// reports a commit before its writer hears back); stops the listener. With `fromStart`,
/// also each time from the register call's start (the commit included).
func commitToLineLatencies(
    registry: Registry, listener: Started, events: Int, fromStart: UnsafeMutablePointer<[Double]>? = nil
) throws -> [Double] {
    var latencies: [Double] = []
    var pending: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    for n in 0..<events {
        let started = monotonic()
        _ = try registry.register(
            RegistrationRequest(specifications: ["acme.IService1"], properties: [("n", .integer(Int64(n)))]))
        let committed = monotonic()
        while !pending.contains(0x0A) {
            let count = read(listener.output, &chunk, chunk.count)
            if count <= 0 { fatalError("the listener ended") }
            pending += chunk[..<count]
        }
        let now = monotonic()
        latencies.append(max(0, now - committed))
        fromStart?.pointee.append(now - started)
        // The loop above reads until `pending` holds a newline.
        guard let newline = pending.firstIndex(of: 0x0A) else { fatalError("no event line") }
        pending.removeSubrange(...newline)
        usleep(2_000)
    }
    stop(listener)
    return latencies
}

func reportLatencies(_ name: String, _ latencies: [Double], target: String) {
    let sorted = latencies.sorted()
    print(
        name.padding(toLength: 60, withPad: " ", startingAt: 0)
            + String(
                format: " median %.2f ms  p99 %.2f ms", sorted[sorted.count / 2] * 1000, percentile(sorted, 0.99) * 1000
            ) + (target.hasPrefix("context") ? "   (\(target))" : "   (target \(target))"))
}

/// `servreg listen`: commit-to-line latency, idle CPU, replay speed.
func listenBenchmarks(binary: String, data: String, large: String, environment: [String: String]) throws {
    let scratch = data + "/listen-scratch.db"
    func freshCopy() throws {
        removeStore(scratch)
        try FileManager.default.copyItem(atPath: large, toPath: scratch)
    }
    defer { removeStore(scratch) }

    // Latency: this process commits (synchronous=FULL, as one-shot commands do) and times
    // from the commit's return to the listener's line arriving on the pipe.
    try freshCopy()
    let listener = start([binary, "listen", "--store", scratch, "--json"], environment: environment)
    usleep(500_000)
    let registry = Registry(store: try SQLiteStore(path: scratch, access: .write))
    reportLatencies(
        "listen: commit → event line, 1,000 events",
        try commitToLineLatencies(registry: registry, listener: listener, events: 1_000),
        target: "median ≤ 2 ms, p99 ≤ 20 ms")

    // Idle: CPU used over 10 s by a listener that has started and sees no change.
    let idle = start([binary, "listen", "--store", scratch, "--json"], environment: environment)
    usleep(1_000_000)
    let before = cpuSeconds(idle.pid)
    usleep(10_000_000)
    let used = cpuSeconds(idle.pid) - before
    stop(idle)
    print(
        "listen: CPU of an idle listener over 10 s".padding(toLength: 60, withPad: " ", startingAt: 0)
            + String(format: " %9.2f ms", used * 1000) + "   (target < 10 ms)")

    // Replay: the 100,000 events the generated store logged, as JSON into a file.
    try freshCopy()
    let output = data + "/replay.json"
    var rates: [Double] = []
    for _ in 0..<3 {
        let (wall, _, status) = spawn(
            [binary, "listen", "--store", scratch, "--since", "0", "--json", "--count", "100000", "--timeout", "120"],
            environment: environment, stdout: output)
        if status != 0 { fatalError("listen --since 0 exited \(status)") }
        rates.append(100_000 / wall)
    }
    try? FileManager.default.removeItem(atPath: output)
    print(
        "listen --since 0 --json > file: 100,000 events".padding(toLength: 60, withPad: " ", startingAt: 0)
            + String(format: " %9.0f events/s", rates.sorted()[1]) + "   (target ≥ 200,000)")
}

let arguments = CommandLine.arguments
do {
    switch arguments.dropFirst().first {
    case "generate" where arguments.count == 4 || arguments.count == 6:
        let mortal = arguments.count == 6 ? (Int(arguments[4]) ?? 0, Int(arguments[5]) ?? 0) : (0, 0)
        try generate(path: arguments[2], count: Int(arguments[3]) ?? 0, leased: mortal.0, owned: mortal.1)
    case "run" where arguments.count == 4:
        try run(binary: arguments[2], data: arguments[3])
    case "liveness" where arguments.count == 4:
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        let large = arguments[3] + "/store-100k.db"
        try SQLiteStore(path: large, access: .write).close()
        try livenessBenchmarks(binary: arguments[2], data: arguments[3], large: large, environment: environment)
    case "values" where arguments.count == 4:
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        let large = arguments[3] + "/store-100k.db"
        try SQLiteStore(path: large, access: .write).close()
        try valueBenchmarks(binary: arguments[2], data: arguments[3], large: large, environment: environment)
    case "dependencies" where arguments.count == 4:
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        let large = arguments[3] + "/store-100k.db"
        try SQLiteStore(path: large, access: .write).close()
        try dependencyBenchmarks(binary: arguments[2], data: arguments[3], large: large, environment: environment)
    case "policies" where arguments.count == 4:
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        let large = arguments[3] + "/store-100k.db"
        try SQLiteStore(path: large, access: .write).close()
        try policyBenchmarks(binary: arguments[2], data: arguments[3], large: large, environment: environment)
    case "etcd" where arguments.count == 3:
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        guard let endpoints = environment["SERVREG_ETCD_ENDPOINTS"], !endpoints.isEmpty else {
            FileHandle.standardError.write(Data("servreg-bench etcd: SERVREG_ETCD_ENDPOINTS is unset\n".utf8))
            exit(64)
        }
        try etcdBenchmarks(binary: arguments[2], endpoints: endpoints, environment: environment)
    case "listen" where arguments.count == 4:
        try listenBenchmarks(
            binary: arguments[2], data: arguments[3], large: arguments[3] + "/store-100k.db",
            environment: ProcessInfo.processInfo.environment)
    default:
        FileHandle.standardError.write(
            Data(
                "usage: servreg-bench generate PATH COUNT | run SERVREG DATA_DIR | listen|liveness|values|dependencies|policies SERVREG DATA_DIR | etcd SERVREG\n"
                    .utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("servreg-bench: \(error)\n".utf8))
    exit(1)
}
