import Foundation
import RegistryTestSupport
import Testing

/// Results of runs made on several threads at once.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var results = [RunResult?](repeating: nil, count: 8)
    func set(_ index: Int, _ result: RunResult?) { lock.withLock { results[index] = result } }
    var all: [RunResult?] { lock.withLock { results } }
}

/// Values, factories and scopes, clients (issue 12), through the binary.
@Suite struct ValueEndToEndTests {
    let servreg = ServregProcess()

    private func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// The bytes a run printed (the harness reads stdout as UTF-8 text; this reads a file).
    private func valueBytes(_ arguments: [String]) throws -> (status: Int32, bytes: [UInt8]) {
        let file = servreg.directory + "/value.out"
        let result = try servreg.run(
            ["-c", "\"$SERVREG\" \"$@\" > \(file)", "sh"] + arguments,
            environment: [
                "SERVREG": ServregProcess.binary
            ], executable: "/bin/sh")
        return (result.status, Array(try Data(contentsOf: URL(fileURLWithPath: file))))
    }

    @Test func valuesRoundTripByteForByteBinaryAndUTF8() throws {
        let text = "pg://h/db?ü=✓ \t\n"
        let id = try servreg.register(["acme.IDatabase", "--name", "db", "--value", text])
        #expect(try servreg.run(["get", "acme.IDatabase", "--value"]).stdout == text)
        #expect(try servreg.run(["props", "@db", "--value"]).stdout == text)
        #expect(json(try servreg.run(["props", "\(id)", "--json"]).stdout)["service.value"] as? String == text)
        // Every byte value, from a file and from standard input.
        let binary = [UInt8](0...255) + [0, 0, 10]
        let file = servreg.directory + "/binary"
        try Data(binary).write(to: URL(fileURLWithPath: file))
        let blob = try servreg.register(["acme.IBlob", "--value-file", file])
        #expect(try valueBytes(["get", "acme.IBlob", "--value"]) == (0, binary))
        let object = json(try servreg.run(["props", "\(blob)", "--json"]).stdout)
        #expect(object["service.value"] == nil)
        #expect((object["service.value.base64"] as? String).flatMap { Data(base64Encoded: $0) } == Data(binary))
        #expect(try servreg.run(["props", "\(blob)"]).stdout.contains("259 bytes, not text"))
        // set-props --value replaces it: MODIFIED.
        #expect(try servreg.run(["set-props", "@db", "--value-file", "-"], stdin: "new").status == 0)
        #expect(try servreg.run(["props", "@db", "--value"]).stdout == "new")
        let events = try servreg.run(["listen", "--since", "0", "--json", "--timeout", "0.3"]).lines.map(json)
        #expect(events.map { $0["event"] as? String } == ["REGISTERED", "REGISTERED", "MODIFIED"])
        // An export carries values (text and binary) into another store.
        let exported = try servreg.run(["export"]).stdout
        let other = servreg.directory + "/store/other.db"
        #expect(try servreg.run(["import", "-", "--store", other], stdin: exported).status == 0)
        #expect(try valueBytes(["props", "\(blob)", "--value", "--store", other]) == (0, binary))
        // Too large, or none: clear errors, nothing changed.
        let large = servreg.directory + "/large"
        try Data(count: (1 << 20) + 1).write(to: URL(fileURLWithPath: large))
        let refused = try servreg.run(["register", "acme.IBlob", "--value-file", large])
        #expect(refused.status == 65 && refused.stderr.contains("at most 1048576 bytes"), "\(refused.stderr)")
        let plain = try servreg.register(["acme.IPlain"])
        let none = try servreg.run(["get", "acme.IPlain", "--value"])
        #expect(none.status == 1 && none.stderr.contains("service \(plain) has no value"), "\(none.stderr)")
        #expect(try servreg.run(["get-all", "--count"]).stdout == "3\n")
    }

    /// Eight processes ask for a singleton factory's value at once: the factory runs once,
    /// all eight print its value, which the service then keeps (MODIFIED).
    @Test func eightConcurrentFirstRequestsRunASingletonFactoryOnce() throws {
        let runs = servreg.directory + "/runs"
        let id = try servreg.register([
            "acme.IConfig", "--name", "cfg", "--factory", "--", "/bin/sh", "-c",
            "echo run >> \(runs); sleep 0.3; printf 'value-%s' $$",
        ])
        let results = Results()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let result = try? servreg.run(["get", "acme.IConfig", "--value", "--client", "c\(index + 1)"])
            results.set(index, result)
        }
        let outputs = results.all.map { $0?.stdout ?? "" }
        #expect(results.all.allSatisfy { $0?.status == 0 }, "\(results.all.map { $0?.stderr ?? "" })")
        #expect(try String(contentsOfFile: runs, encoding: .utf8) == "run\n")
        #expect(Set(outputs).count == 1 && outputs[0].hasPrefix("value-"), "\(outputs)")
        let record = json(try servreg.run(["props", "@cfg", "--json"]).stdout)
        #expect(record["service.factory"] == nil && record["service.value"] as? String == outputs[0])
        #expect((record["service.users"] as? [String])?.sorted() == (1...8).map { "c\($0)" }.sorted())
        #expect(try servreg.run(["get", "acme.IConfig", "--value"]).stdout == outputs[0])
        #expect(try String(contentsOfFile: runs, encoding: .utf8) == "run\n")
        let events = try servreg.run(["listen", "--since", "0", "--json", "--timeout", "0.3"]).lines.map(json)
        #expect(events.map { $0["event"] as? String } == ["REGISTERED", "MODIFIED"] && events[1]["id"] as? Int == id)
    }

    @Test func bundleValuesPerClientUngetReleasesAndUnregisterReleasesTheRest() throws {
        let log = servreg.directory + "/released"
        _ = try servreg.register([
            "acme.IPool", "--name", "pool", "--factory", "--scope", "bundle", "--release", "--", "/bin/sh", "-c",
            "printf '%s=%s\\n' \"$SERVREG_CLIENT\" \"$(cat)\" >> \(log)", "--", "/bin/sh", "-c",
            "printf 'conn-%s-%s' \"$SERVREG_CLIENT\" \"$SERVREG_SPEC\"",
        ])
        let props = json(try servreg.run(["props", "@pool", "--json"]).stdout)
        #expect(props["service.scope"] as? String == "bundle")
        #expect((props["service.factory"] as? [String])?.first == "/bin/sh")
        #expect(props["service.registered-by"] as? String == "tester")
        let a = try servreg.run(["get", "acme.IPool", "--value", "--client", "a"])
        #expect(a.stdout == "conn-a-acme.IPool", "\(a.stderr)")
        #expect(
            try servreg.run(["props", "@pool", "--value"], environment: ["SERVREG_CLIENT": "b"]).stdout
                == "conn-b-acme.IPool")
        #expect(try servreg.run(["get", "acme.IPool", "--value", "--client", "a"]).stdout == "conn-a-acme.IPool")
        #expect(
            try servreg.run(["props", "@pool"]).lines.contains {
                $0.hasPrefix("service.users ") && $0.hasSuffix(" list<str>  [a,b]")
            })
        #expect(try servreg.run(["unget", "@pool", "--client", "a"]).status == 0)
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "a=conn-a-acme.IPool\n")
        let again = try servreg.run(["unget", "@pool", "--client", "a"])
        #expect(again.status == 1 && again.stderr.contains("holds no value"), "\(again.stderr)")
        #expect(try servreg.run(["unregister", "@pool"]).status == 0)
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "a=conn-a-acme.IPool\nb=conn-b-acme.IPool\n")
        #expect(try servreg.run(["get-all", "--registered-by", "tester", "--count"]).stdout == "0\n")
    }

    /// A release that fails is said in one line and is the status of the command that let
    /// go of the value; the change stands.
    @Test func aFailingReleaseIsTheStatusOfTheCommandThatLetGo() throws {
        _ = try servreg.register([
            "acme.IPool", "--name", "p", "--factory", "--scope", "bundle", "--release", "--", "/bin/sh", "-c",
            "exit 9", "--", "/bin/echo", "v",
        ])
        #expect(try servreg.run(["get", "acme.IPool", "--value", "--client", "a"]).stdout == "v\n")
        let unget = try servreg.run(["unget", "@p", "--client", "a"])
        #expect(unget.status == 5, "\(unget.stderr)")
        #expect(unget.stderr.contains("exited with status 9; the value is let go of all the same"), "\(unget.stderr)")
        #expect(unget.stderr.split(separator: "\n").count == 1)
        #expect(try servreg.run(["unget", "@p", "--client", "a"]).status == 1)
    }

    @Test func prototypeValuesDifferPerRequestAndUngetReleasesTheGivenOne() throws {
        let log = servreg.directory + "/released"
        _ = try servreg.register([
            "acme.IToken", "--factory", "--scope", "prototype", "--release", "--", "/bin/sh", "-c",
            "cat >> \(log)", "--", "/bin/sh", "-c", "printf 'token-%s' $$",
        ])
        let first = try servreg.run(["get", "acme.IToken", "--value"]).stdout
        let second = try servreg.run(["get", "acme.IToken", "--value"]).stdout
        #expect(first.hasPrefix("token-") && second.hasPrefix("token-") && first != second)
        #expect(try servreg.run(["unget", "1"], stdin: first).status == 0)
        #expect(try String(contentsOfFile: log, encoding: .utf8) == first)
        #expect(try servreg.run(["props", "1"]).stdout.contains("service.factory "))
        // In a batch read from standard input, the value comes with --value.
        let batch = try servreg.run(["run", "-"], stdin: "unget 1 --value \(second)\n")
        #expect(batch.status == 0, "\(batch.stderr)")
        #expect(try String(contentsOfFile: log, encoding: .utf8) == first + second)
        let notPrototype = try servreg.register(["acme.IPlain", "--value", "v"])
        let refused = try servreg.run(["unget", "\(notPrototype)", "--value", "v"])
        #expect(refused.status == 65 && refused.stderr.contains("is not one"), "\(refused.stderr)")
    }

    /// A factory's process group: a timeout ends what it started too; a factory that ends
    /// while something it started holds its output open is done when it ends.
    @Test func aTimeoutEndsTheFactorysChildrenAndABackgroundChildDoesNotHoldItsValue() throws {
        let pidFile = servreg.directory + "/child"
        _ = try servreg.register([
            "acme.ISlow", "--factory", "--factory-timeout", "300ms", "--", "/bin/sh", "-c",
            "sleep 30 & echo $! > \(pidFile); wait",
        ])
        let slow = try servreg.run(["get", "acme.ISlow", "--value"])
        #expect(slow.status == 5, "\(slow.stderr)")
        let child = try #require(
            Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        let deadline = Date().addingTimeInterval(5)
        while kill(child, 0) == 0, Date() < deadline { usleep(10_000) }
        #expect(kill(child, 0) != 0, "the factory's child \(child) outlived its timeout")

        _ = try servreg.register([
            "acme.IDaemon", "--factory", "--factory-timeout", "1s", "--", "/bin/sh", "-c",
            "sleep 3 2>/dev/null & echo made",
        ])
        // Done when the shell ends, well within its timeout, though `sleep` holds the output for 3 s.
        let daemon = try servreg.run(["get", "acme.IDaemon", "--value"])
        #expect(daemon.status == 0 && daemon.stdout == "made\n", "\(daemon.stderr)")
    }

    /// What the store holds: its services (an export) and its event log.
    private func state() throws -> [String] {
        try servreg.run(["export"]).lines + servreg.run(["listen", "--since", "0", "--json", "--timeout", "0"]).lines
    }

    @Test func failuresTimeoutsAndEmptyOutputChangeNothingAndSayWhy() throws {
        let cases: [([String], Int32, String)] = [
            (["--", "/bin/sh", "-c", "echo broken >&2; exit 3"], 5, "exited with status 3"),
            (["--", "/bin/true"], 5, "printed nothing"),
            (["--factory-timeout", "200ms", "--", "/bin/sleep", "5"], 5, "ran longer than 200ms"),
            (["--", "no-such-factory-x"], 127, "no-such-factory-x': command not found"),
            (["--", "/etc/passwd"], 126, "not executable"),
        ]
        for (index, (words, status, message)) in cases.enumerated() {
            let spec = "acme.IFail\(index)"
            _ = try servreg.register([spec, "--factory"] + words)
            let before = try state()
            let started = Date()
            let result = try servreg.run(["get", spec, "--value"])
            #expect(result.status == status && result.stderr.contains(message), "\(words): \(result.stderr)")
            #expect(result.stdout.isEmpty && Date().timeIntervalSince(started) < 4)
            #expect(try state() == before, "\(words) changed the store")
        }
        #expect(try servreg.run(["get", "acme.IFail0", "--value"]).stderr.contains("broken"))
    }

    @Test func aStoreOthersMayWriteRunsNoFactory() throws {
        let ran = servreg.directory + "/ran"
        _ = try servreg.register(["acme.IGen", "--factory", "--", "/bin/sh", "-c", "touch \(ran); echo x"])
        chmod(servreg.storePath, 0o620)
        let refused = try servreg.run(["get", "acme.IGen", "--value"])
        #expect(refused.status == 77 && refused.stderr.contains("writable by its group"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ran))
        chmod(servreg.storePath, 0o600)
        chmod(servreg.directory + "/store", 0o777)
        #expect(try servreg.run(["get", "acme.IGen", "--value"]).status == 77)
        chmod(servreg.directory + "/store", 0o700)
        #expect(try servreg.run(["get", "acme.IGen", "--value"]).stdout == "x\n")
        #expect(FileManager.default.fileExists(atPath: ran))
    }

    @Test(
        arguments: [
            (["register", "a.B", "--factory"], 64, "--factory needs a command"),
            (["register", "a.B", "--factory", "--", "x", "--value", "v"], 0, ""),
            (["register", "a.B", "--value", "v", "--factory", "--", "x"], 64, "a value or a factory, not both"),
            (["register", "a.B", "--release", "--", "x", "--", "y"], 64, "--release goes with --factory"),
            (
                ["register", "a.B", "--factory", "--scope", "global", "--", "x"], 65,
                "must be singleton, bundle or prototype"
            ),
            (
                ["register", "a.B", "--factory", "--release", "cat", "--", "x"], 64,
                "--release takes its command after --"
            ),
            (
                ["register", "a.B", "--factory", "--release", "--", "cat"], 64,
                "ends with -- before the factory's command"
            ),
            (["register", "a.B", "--factory", "--factory-timeout", "0", "--", "x"], 65, "more than 0"),
            (["register", "a.B", "--factory-timeout", "1s"], 64, "--factory-timeout goes with --factory"),
            (["register", "a.B", "--value", "v", "--value-file", "f"], 64, "cannot be combined"),
            (["register", "a.B", "--client", "a b"], 65, "client name 'a b' contains white space"),
            (["get", "a.B", "--value", "--json"], 64, "cannot be combined with --json"),
            (["get-all", "--registered-by", ""], 65, "client name is empty"),
            (["unget", "7"], 1, "no service with id 7"),
        ] as [([String], Int32, String)])
    func badInputIsRefusedClearly(arguments: [String], status: Int32, message: String) throws {
        let result = try servreg.run(arguments)
        #expect(result.status == status, "\(arguments): \(result.stderr)")
        if !message.isEmpty { #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)") }
        if status != 0 {
            #expect(!result.stderr.contains("\n") || result.stderr.split(separator: "\n").count == 1)
            #expect(!FileManager.default.fileExists(atPath: servreg.storePath))
        }
    }

    /// In a batch file, --value ends the group (the factory runs outside the transaction);
    /// in --atomic it is refused.
    @Test func batchesRunFactoriesOutsideTheirTransactions() throws {
        _ = try servreg.register(["acme.IGen", "--factory", "--", "/bin/echo", "made"])
        let batch = "register x.A\nget acme.IGen --value\nregister x.B\n"
        let ran = try servreg.run(["run", "-"], stdin: batch)
        #expect(ran.status == 0 && ran.stdout == "2\nmade\n3\n", "\(ran.stdout) \(ran.stderr)")
        _ = try servreg.register(["acme.IOther", "--factory", "--", "/bin/echo", "other"])
        let atomic = try servreg.run(["run", "--atomic", "-"], stdin: "register x.C\nget acme.IOther --value\n")
        #expect(atomic.status == 64 && atomic.stderr.contains("inside an --atomic batch"), "\(atomic.stderr)")
        #expect(try servreg.run(["get-all", "x.C", "--count"]).stdout == "0\n")
    }
}
