import Foundation
import RegistryTestSupport
import Testing

/// The test cluster (`SERVREG_ETCD_ENDPOINTS`, started by `.ci/run`): its endpoints as an
/// `etcd://` location's host list, and a registry prefix of a test's own.
enum EtcdCluster {
    static var hosts: String? {
        guard let text = ProcessInfo.processInfo.environment["SERVREG_ETCD_ENDPOINTS"], !text.isEmpty else {
            return nil
        }
        return text.split(separator: ",").map { $0.replacingOccurrences(of: "http://", with: "") }
            .joined(separator: ",")
    }

    /// A location of a new, empty registry in the cluster.
    static func newRegistry() -> String {
        "etcd://\(hosts ?? "127.0.0.1:1")/servreg-e2e/\(UUID().uuidString.lowercased())"
    }

    /// Runs etcdctl against the cluster (to look at keys behind servreg's back).
    static func etcdctl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let endpoints = ProcessInfo.processInfo.environment["SERVREG_ETCD_ENDPOINTS"] ?? ""
        process.arguments = ["etcdctl", "--endpoints=\(endpoints)"] + arguments
        process.environment = ["ETCDCTL_API": "3", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Every kind of use on an etcd registry, through the binary (issue 15): the same commands
/// and answers as on SQLite. Skipped, saying so, when no cluster is given (outside CI).
@Suite(.enabled(if: EtcdCluster.hosts != nil, "SERVREG_ETCD_ENDPOINTS is unset: no etcd cluster to test against"))
struct EtcdEndToEndTests {
    let servreg = ServregProcess()
    let store = EtcdCluster.newRegistry()

    private func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws
        -> RunResult
    {
        var environment = environment
        environment["SERVREG_STORE"] = environment["SERVREG_STORE"] ?? store
        return try servreg.run(arguments, stdin: stdin, environment: environment)
    }

    @Test func everydayCommandsOneShotAndInBatches() throws {
        #expect(try run(["register", "acme.IPlumber", "--prop", "name=Joe", "--prop", "price=90"]).stdout == "1\n")
        #expect(
            try run([
                "register", "acme.IPlumber", "--prop", "name=Ann", "--prop", "price=75", "--ranking", "5",
                "--name", "ann",
            ]).stdout == "2\n")
        #expect(try run(["get", "acme.IPlumber", "-q"]).stdout == "2\n")
        #expect(try run(["get-all", "acme.IPlumber", "--filter", "(price>=80)", "-q"]).stdout == "1\n")
        #expect(try run(["set-props", "@ann", "--prop", "price=70"]).status == 0)
        let props = try run(["props", "@ann", "--json"])
        #expect(props.stdout.contains(#""price":70"#) && props.stdout.contains(#""service.revision":3"#))
        // --if-rev: a stale revision is refused (2), nothing changed.
        let stale = try run(["set-props", "@ann", "--prop", "price=1", "--if-rev", "2"])
        #expect(stale.status == 2, "\(stale.stderr)")
        #expect(try run(["props", "@ann", "--json"]).stdout.contains(#""price":70"#))
        #expect(try run(["specs"]).stdout.contains("acme.IPlumber  2"))
        // A batch commits in groups and prints as it commits; --atomic all or nothing.
        let batch = try run(["run", "-"], stdin: "register a.B --prop n=1\nregister a.B --prop n=2\nget-all a.B -q\n")
        #expect(batch.status == 0 && batch.lines == ["3", "4", "3", "4"], "\(batch.stdout) \(batch.stderr)")
        let atomic = try run(["run", "--atomic", "-"], stdin: "register a.B --prop n=3\nregister a.B --prop n:int=x\n")
        #expect(atomic.status == 65, "\(atomic.stderr)")
        #expect(try run(["get-all", "a.B", "--count"]).stdout == "2\n")
        #expect(try run(["unregister", "1", "@ann"]).status == 0)
        // Ids are never reused.
        #expect(try run(["register", "x.Y"]).stdout == "5\n")
    }

    @Test func listenersSeeOtherProcessesChangesAndResume() throws {
        let listener = try ListenerProcess(
            ["acme.IPlumber", "--filter", "(price<=100)", "--json", "--since", "0", "--count", "4", "--timeout", "30"],
            servreg: servreg, environment: ["SERVREG_STORE": store])
        let id = try run(["register", "acme.IPlumber", "--prop", "price=90"]).stdout.trimmingCharacters(in: .newlines)
        #expect(try run(["set-props", id, "price=95"]).status == 0)
        #expect(try run(["set-props", id, "price=200"]).status == 0)
        #expect(try run(["set-props", id, "price=50"]).status == 0)
        #expect(listener.exitStatus() == 0, "\(listener.stderr)")
        #expect(
            listener.events.compactMap { $0["event"] as? String } == [
                "REGISTERED", "MODIFIED", "MODIFIED_ENDMATCH", "MODIFIED",
            ], "\(listener.lines)")
        #expect(listener.events.compactMap { $0["seq"] as? Int } == [1, 2, 3, 4])
        // Resumed after 2: the rest, once each.
        let resumed = try run(["listen", "--since", "2", "--count", "2", "--json", "--timeout", "10"])
        #expect(resumed.status == 0)
        #expect(resumed.lines.count == 2 && resumed.lines[0].contains(#""seq":3"#), "\(resumed.stdout)")
        // A number past the newest is a resync (4), never a silent wait.
        let ahead = try run(["listen", "--since", "99", "--timeout", "5"])
        #expect(ahead.status == 4, "\(ahead.stderr)")
    }

    /// The issue's move: SQLite → etcd → SQLite, everything kept.
    @Test func exportAndImportMoveARegistryBetweenSQLiteAndEtcd() throws {
        let file = servreg.storePath
        #expect(try servreg.run(["schema", "set", "acme.IDb", "port:int!"]).status == 0)
        #expect(try servreg.run(["hook", "add", "after", "register", "--name", "tell", "--", "/bin/true"]).status == 0)
        _ = try servreg.register(["acme.IDb", "--prop", "port=5432", "--name", "db", "--ttl", "1h", "--value", "pg"])
        _ = try servreg.register(["acme.IApp", "--requires", "acme.IDb", "--factory", "--", "/bin/echo", "made"])
        _ = try servreg.register(["gone.X"])
        #expect(try servreg.run(["unregister", "3"]).status == 0)
        let exported = try servreg.run(["export"])
        #expect(exported.status == 0)
        let imported = try run(["import", "-"], stdin: exported.stdout)
        #expect(imported.status == 0, "\(imported.stderr)")
        let fromEtcd = try run(["export"])
        func withoutRevisions(_ text: String) -> String {
            text.replacingOccurrences(of: #","service.revision":\d+"#, with: "", options: .regularExpression)
        }
        #expect(withoutRevisions(fromEtcd.stdout) == withoutRevisions(exported.stdout))
        // The imported after-hook is code from the store: refused until the registry is trusted.
        let untrusted = try run(["register", "z.Z"])
        #expect(untrusted.status == 77, "\(untrusted.stderr)")
        let trusted = ["SERVREG_TRUSTED_STORES": store]
        #expect(
            try run(["register", "z.Z"], environment: trusted).stdout == "4\n", "ids go on above the exported store's")
        // The schema holds on etcd too.
        #expect(try run(["register", "acme.IDb", "--prop", "port=x"], environment: trusted).status == 3)
        // And back into a new SQLite file.
        let back = servreg.directory + "/back.db"
        #expect(try run(["import", "-", "--store", back], stdin: fromEtcd.stdout).status == 0)
        #expect(
            withoutRevisions(try servreg.run(["export", "--store", back]).stdout) == withoutRevisions(exported.stdout))
        _ = file
    }

    @Test func badAddressesUnreachableClustersAndForeignPrefixes() throws {
        for (location, message) in [
            ("etcd://127.0.0.1", "'127.0.0.1' has no :PORT"),
            ("etcd://127.0.0.1:99999/x", "'99999' is not a port"),
            ("etcd://127.0.0.1:2/a//b", "the prefix has an empty part"),
            ("etcd:///x", "no HOST:PORT"),
            ("zk://h:1", "unsupported store location 'zk://h:1'"),
        ] {
            let result = try run(["get", "a.B"], environment: ["SERVREG_STORE": location])
            #expect(result.status == 64, "\(location): \(result.stderr)")
            #expect(result.stderr.contains(message) && result.stderr.hasPrefix("servreg: error: "), "\(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1)
        }
        let down = try run(["register", "a.B"], environment: ["SERVREG_STORE": "etcd://127.0.0.1:1/x"])
        #expect(down.status == 74)
        #expect(down.stderr.contains("no etcd member answers (127.0.0.1:1: Connection refused"), "\(down.stderr)")
        // A prefix that holds someone else's keys is reported and left as it is.
        let prefix = "servreg-e2e/foreign-\(UUID().uuidString.lowercased())"
        _ = try EtcdCluster.etcdctl(["put", prefix + "/config", "theirs"])
        let foreign = try run(
            ["register", "a.B"], environment: ["SERVREG_STORE": "etcd://\(EtcdCluster.hosts ?? "")/\(prefix)"])
        #expect(foreign.status == 74)
        #expect(foreign.stderr.contains("is not a servreg store"), "\(foreign.stderr)")
        #expect(foreign.stderr.split(separator: "\n").count == 1, "\(foreign.stderr)")
        #expect(
            try EtcdCluster.etcdctl(["get", "--prefix", prefix, "--keys-only"]).split(separator: "\n") == [
                Substring(prefix + "/config")
            ])
    }

    /// What etcd's limits would break: a batch bigger than one transaction, a mass expiry,
    /// a value of the largest size.
    @Test func bigBatchesMassExpiriesAndBigValues() throws {
        let lines = (1...300).map { "register b.B --prop i=\($0)" }.joined(separator: "\n") + "\n"
        let batch = try run(["run", "-"], stdin: lines)
        #expect(batch.status == 0, "\(batch.stderr)")
        #expect(batch.lines == (1...300).map(String.init))
        let atomic = try run(["run", "--atomic", "-"], stdin: lines)
        #expect(atomic.status == 74)
        #expect(atomic.stderr.contains("the batch is too big for one transaction of this store"), "\(atomic.stderr)")
        #expect(try run(["get-all", "--count"]).stdout == "300\n")
        // A group holds what one etcd transaction takes (16 operations: 13 registers, their
        // events' key and the head); the line that did not fit starts the next group
        // instead of committing alone.
        let small = EtcdCluster.newRegistry()
        let seventy = (1...70).map { "register g.G --prop i=\($0)" }.joined(separator: "\n") + "\n"
        let grouped = try run(
            ["run", "-"], stdin: seventy, environment: ["SERVREG_STORE": small, "SERVREG_ETCD_MAX_TXN_OPS": "16"])
        #expect(grouped.status == 0 && grouped.lines == (1...70).map(String.init), "\(grouped.stderr)")
        let prefix = String(small.dropFirst("etcd://".count).drop { $0 != "/" }.dropFirst())
        let head = try EtcdCluster.etcdctl(["get", prefix + "/.d/head", "-w", "json"])
        let kvs =
            (try JSONSerialization.jsonObject(with: Data(head.utf8)) as? [String: Any])?["kvs"] as? [[String: Any]]
        let commits = try #require(kvs?.first?["version"] as? Int)
        #expect(commits >= 6 && commits <= 7, "70 lines in \(commits) commits")
        // Big lines: a group also ends before etcd's request size (1.5 MiB), not only its
        // operation count.
        let bulky = String(repeating: "b", count: 8_000)
        let bulkyLines =
            (1...250).map { "register k.K --prop i=\($0) --prop pad=\(bulky)" }.joined(separator: "\n") + "\n"
        let sized = try run(["run", "-"], stdin: bulkyLines, environment: ["SERVREG_STORE": EtcdCluster.newRegistry()])
        #expect(sized.status == 0 && sized.lines.count == 250, "\(sized.stderr)")
        // A line too big for any group fails as itself (74) and --keep-going goes on.
        let tight = ["SERVREG_STORE": EtcdCluster.newRegistry(), "SERVREG_ETCD_MAX_TXN_OPS": "8"]
        let twelve = (1...12).map { _ in "register m.M" }.joined(separator: "\n") + "\n"
        #expect(try run(["run", "-"], stdin: twelve, environment: tight).status == 0)
        let mixed = try run(
            ["run", "--keep-going", "-"],
            stdin: "register y.Y\nregister y.Y\nunregister --filter '(objectClass=m.M)'\nregister y.Y\n",
            environment: tight)
        #expect(mixed.status == 74, "\(mixed.stderr)")
        #expect(mixed.stderr.contains("<stdin>:3:") && mixed.stderr.contains("etcd operations"), "\(mixed.stderr)")
        #expect(try run(["get-all", "y.Y", "--count"], environment: tight).stdout == "3\n")
        #expect(try run(["get-all", "m.M", "--count"], environment: tight).stdout == "12\n")
        // 80 leases ending at once: every later write still goes through.
        let leased = (1...80).map { _ in "register e.E --ttl 1s" }.joined(separator: "\n") + "\n"
        #expect(try run(["run", "-"], stdin: leased).status == 0)
        let deadline = Date().addingTimeInterval(20)
        while try run(["get-all", "e.E", "--count"]).stdout != "0\n", Date() < deadline { usleep(100_000) }
        for _ in 0..<6 { #expect(try run(["register", "after.Expiry"]).status == 0) }
        #expect(try run(["get-all", "after.Expiry", "--count"]).stdout == "6\n")
        // A value of 1 MiB is too big for one etcd request with its event: refused, said so.
        let huge = servreg.directory + "/huge.txt"
        try String(repeating: "x", count: 1 << 20).write(toFile: huge, atomically: true, encoding: .utf8)
        let refused = try run(["register", "v.V", "--value-file", huge])
        #expect(refused.status == 74)
        #expect(refused.stderr.contains("etcd takes at most 1536 KiB in one request"), "\(refused.stderr)")
        // One of 400 KiB is stored and read back whole.
        let file = servreg.directory + "/big.txt"
        let value = String((0..<(400 << 10)).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
        try value.write(toFile: file, atomically: true, encoding: .utf8)
        let big = try run(["register", "v.V", "--value-file", file])
        #expect(big.status == 0, "\(big.stderr)")
        let read = try run(["get", "v.V", "--value"])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stdout.count == value.count && read.stdout == value, "\(read.stdout.count) bytes")
    }

    /// Registries under nested prefixes are two; a prefix into servreg's own keys, and a
    /// head whose counters are below what the registry holds, are refused.
    @Test func nestedPrefixesAndDamagedHeads() throws {
        let inner = store + "/inner"
        #expect(try run(["register", "outer.O"]).stdout == "1\n")
        #expect(try run(["register", "inner.I"], environment: ["SERVREG_STORE": inner]).stdout == "1\n")
        #expect(try run(["get-all", "-q"]).stdout == "1\n")
        #expect(try run(["specs", "-q"]).stdout == "outer.O\n")
        let dotted = try run(["get-all"], environment: ["SERVREG_STORE": store + "/.d"])
        #expect(dotted.status == 64 && dotted.stderr.contains("starts with a dot"), "\(dotted.stderr)")
        // Someone lowers next_id: servreg says the registry is corrupt instead of giving id 1 twice.
        let prefix = String(store.dropFirst("etcd://".count).drop { $0 != "/" }.dropFirst())
        let head = try EtcdCluster.etcdctl(["get", "--print-value-only", prefix + "/.d/head"])
        let lowered = head.replacingOccurrences(
            of: #""next_id":\d+"#, with: #""next_id":1"#, options: .regularExpression
        ).trimmingCharacters(in: .newlines)
        _ = try EtcdCluster.etcdctl(["put", prefix + "/.d/head", lowered])
        let refused = try run(["register", "x.X"])
        #expect(refused.status == 74, "\(refused.stderr)")
        #expect(refused.stderr.contains("is corrupt: the head's counters"), "\(refused.stderr)")
        #expect(refused.stderr.contains("/.d/head"), "\(refused.stderr)")
    }

    @Test func processOwnersAreRefusedAndCodeRunsOnlyFromATrustedRegistry() throws {
        for arguments in [["--owner-pid", "\(getpid())"], ["--ttl", "0", "--hold", "--", "/bin/true"]] {
            let refused = try run(["register", "a.B"] + arguments)
            #expect(refused.status == 64, "\(refused.stderr)")
            #expect(refused.stderr.contains("cannot be used on an etcd registry"), "\(refused.stderr)")
        }
        #expect(try run(["get-all", "--count"]).stdout == "0\n")
        #expect(try run(["listen", "--since", "0", "--timeout", "0.1"]).stdout == "")
        _ = try run(["register", "a.B", "--factory", "--", "/bin/echo", "made"])
        let untrusted = try run(["get", "a.B", "--value"])
        #expect(untrusted.status == 77, "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("only when SERVREG_TRUSTED_STORES names it"), "\(untrusted.stderr)")
        let trusted = try run(
            ["get", "a.B", "--value"], environment: ["SERVREG_TRUSTED_STORES": "etcd://x:1 " + store])
        #expect(trusted.status == 0 && trusted.stdout == "made\n", "\(trusted.stderr)")
    }

    /// --hold rides on a lease: renewed every third of its TTL while COMMAND runs, the
    /// service goes when its lease runs out once the holder dies (SIGKILL, as on a host
    /// that dies), and a listener elsewhere sees it expire without anyone writing.
    @Test func aHeldServiceRidesOnALeaseAndExpiresWhenItsHolderDies() throws {
        let environment = ["SERVREG_STORE": store]
        let started = servreg.directory + "/started"
        let holder = try BackgroundProcess(
            ServregProcess.binary,
            [
                "register", "acme.IHeld", "--name", "h", "--ttl", "1s", "--hold", "--", "/bin/sh", "-c",
                "echo $$ > \(started).new && mv \(started).new \(started); exec sleep 60",
            ], servreg: servreg, environment: environment)
        #expect(eventually { FileManager.default.fileExists(atPath: started) })
        let commandPID = try #require(
            Int32((try? String(contentsOfFile: started, encoding: .utf8))?.trimmingCharacters(in: .newlines) ?? ""))
        defer { kill(commandPID, SIGKILL) }
        func expires() throws -> String? {
            let props = try run(["props", "@h", "--json"])
            let object = try? JSONSerialization.jsonObject(with: Data(props.stdout.utf8)) as? [String: Any]
            return object?["service.expires"] as? String
        }
        let first = try #require(try expires())
        #expect(try eventually(timeout: 5) { try expires().map { $0 > first } ?? false })
        // Three TTLs on, still there: the holder renews it.
        let watched = Date()
        while Date().timeIntervalSince(watched) < 3 {
            #expect(try run(["props", "@h", "-q"]).status == 0, "gone after \(Date().timeIntervalSince(watched)) s")
            usleep(200_000)
        }
        let listener = try ListenerProcess(
            ["acme.IHeld", "--since", "1", "--json"], servreg: servreg, environment: environment)
        kill(holder.pid, SIGKILL)
        #expect(holder.exitStatus() == 128 + SIGKILL)
        let killed = Date()
        #expect(listener.waitForLines(1), "\(listener.stderr)")
        #expect(Date().timeIntervalSince(killed) < 5)
        let event = try #require(listener.events.first)
        #expect(event["event"] as? String == "UNREGISTERING" && event["reason"] as? String == "expired", "\(event)")
        #expect(try run(["props", "@h", "-q"]).status == 1)
    }

    /// etcd's compaction under a running listener removes no event (the log is in the
    /// registry's keys, and a compacted watch is made again from now); a --since older than
    /// what the registry keeps (SERVREG_EVENT_RETENTION) exits 4, never a silent gap.
    @Test func compactionUnderAListenerLosesNothingAndPrunedHistoryIsAResync() throws {
        let environment = ["SERVREG_STORE": store]
        let listener = try ListenerProcess(
            ["--since", "0", "--json", "--count", "6", "--timeout", "30"], servreg: servreg, environment: environment)
        for _ in 0..<3 { #expect(try run(["register", "a.A"]).status == 0) }
        #expect(listener.waitForLines(3), "\(listener.stderr)")
        let status = try EtcdCluster.etcdctl(["endpoint", "status", "-w", "json"])
        let members = try #require(try JSONSerialization.jsonObject(with: Data(status.utf8)) as? [[String: Any]])
        let header = (members.first?["Status"] as? [String: Any])?["header"] as? [String: Any]
        let revision = try #require(header?["revision"] as? Int)
        #expect(try EtcdCluster.etcdctl(["compact", "\(revision)"]).contains("compacted revision \(revision)"))
        for _ in 0..<3 { #expect(try run(["register", "a.A"]).status == 0) }
        #expect(listener.exitStatus() == 0, "\(listener.stderr)")
        #expect(listener.events.compactMap { $0["seq"] as? Int } == [1, 2, 3, 4, 5, 6], "\(listener.lines)")
        // Keep 2 events: a register prunes the log, and --since 1 asks for what is gone.
        let keepTwo = ["SERVREG_EVENT_RETENTION": "2"]
        for _ in 0..<200 {
            #expect(try run(["register", "a.A"], environment: keepTwo).status == 0)
            if try run(["listen", "--since", "1", "--timeout", "0"]).status == 4 { break }
        }
        let pruned = try run(["listen", "--since", "1", "--timeout", "5"])
        #expect(pruned.status == 4, "\(pruned.stderr)")
        #expect(pruned.stdout.isEmpty)
        let newest = try run(["listen", "--since", "0", "--json", "--timeout", "0"])
        #expect(newest.status == 4, "\(newest.stderr)")
    }

    /// A one-shot command starts from the registry as the last process of this user left it
    /// (a private file under ~/.cache/servreg) and asks etcd only for what changed since:
    /// what other hosts changed or deleted is seen exactly; a file that is not the user's
    /// own private one is ignored and left as it is, a damaged one replaced.
    @Test func oneShotCommandsStartFromTheSnapshotFileAndSeeEveryChangeSince() throws {
        let lines = (1...40).map { "register c.C --prop i=\($0) --name c\($0)" }.joined(separator: "\n") + "\n"
        #expect(try run(["run", "-"], stdin: lines).status == 0)
        let directory = servreg.directory + "/.cache/servreg"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".snapshot") }
        let file = directory + "/" + (try #require(files.first))
        #expect(files.count == 1)
        #expect((try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) == 0o600)
        // Another host (another HOME: no file) changes, deletes and adds.
        let elsewhere = TemporaryDirectory()
        let other = ["HOME": elsewhere.path]
        #expect(try run(["set-props", "@c3", "--prop", "i=300"], environment: other).status == 0)
        #expect(try run(["unregister", "@c5", "@c6"], environment: other).status == 0)
        #expect(try run(["register", "c.C", "--name", "late"], environment: other).stdout == "41\n")
        let fresh = try run(["get-all", "c.C", "--json"], environment: other).stdout
        #expect(try run(["get-all", "c.C", "--json"]).stdout == fresh)
        #expect(try run(["props", "@c3", "--json"]).stdout.contains(#""i":300"#))
        #expect(try run(["props", "@c5"]).status == 1)
        // Writable by others: not trusted, not touched; the answers are etcd's all the same.
        #expect(chmod(file, 0o666) == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(try run(["unregister", "@c7"], environment: other).status == 0)
        #expect(try run(["get-all", "c.C", "--count"]).stdout == "38\n")
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
        // Keys deleted behind servreg's back (the head unchanged) are not served from the file.
        #expect(chmod(file, 0o600) == 0)
        #expect(try run(["get-all", "c.C", "-q"]).lines.contains("8"))
        let prefix = String(store.dropFirst("etcd://".count).drop { $0 != "/" }.dropFirst())
        _ = try EtcdCluster.etcdctl(["del", prefix + "/.d/s/00000000000000000008"])
        #expect(try !run(["get-all", "c.C", "-q"]).lines.contains("8"))
        #expect(try run(["props", "8"]).status == 1)
        // Damaged: read as nothing, and written anew.
        #expect(chmod(file, 0o600) == 0)
        try Data("servreg-etcd-snapshot 1 999999999 5 0 1 \(store)\n12 4\nnonsense".utf8).write(
            to: URL(fileURLWithPath: file))
        #expect(
            try run(["get-all", "c.C", "--json"]).stdout
                == (try run(["get-all", "c.C", "--json"], environment: other).stdout))
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)).count > 1000)
    }

}
