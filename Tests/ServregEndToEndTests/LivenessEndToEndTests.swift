import Foundation
import RegistryTestSupport
import Testing

private typealias Background = BackgroundProcess

/// Names, conditional writes, leases and owned services (issue 11), through the binary.
@Suite struct LivenessEndToEndTests {
    let servreg = ServregProcess()

    private func expires(_ reference: String) throws -> String? {
        json(try servreg.run(["props", reference, "--json"]).stdout)["service.expires"] as? String
    }

    private func present(_ reference: String) throws -> Bool {
        try servreg.run(["props", reference, "-q"]).status == 0
    }

    private func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// The removal events of the log: id → reason.
    private func removals() throws -> [Int: String] {
        let log = try servreg.run(["listen", "--since", "0", "--json", "--timeout", "0.5"])
        var found: [Int: String] = [:]
        for line in log.lines {
            let event = json(line)
            if event["event"] as? String == "UNREGISTERING", let id = event["id"] as? Int {
                found[id] = event["reason"] as? String
            }
        }
        return found
    }

    @Test func eightProcessesRaceForOneNameAndExactlyOneWins() throws {
        let go = servreg.directory + "/go"
        let script = """
            while [ ! -e "\(go)" ]; do :; done
            "$SERVREG" register acme.IDatabase --name db --prop writer=$1 > "$2" 2> "$2.err"
            echo $? > "$2.status"
            """
        let racers = try (1...8).map { index in
            try Background(
                "/bin/bash", ["-c", script, "racer", "\(index)", servreg.directory + "/r\(index)"], servreg: servreg)
        }
        FileManager.default.createFile(atPath: go, contents: nil)
        for racer in racers { #expect(racer.exitStatus() == 0) }
        var statuses: [String] = []
        var messages: [String] = []
        for index in 1...8 {
            let base = servreg.directory + "/r\(index)"
            statuses.append(
                try String(contentsOfFile: base + ".status", encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines))
            messages.append(try String(contentsOfFile: base + ".err", encoding: .utf8))
        }
        #expect(statuses.filter { $0 == "0" }.count == 1, "\(statuses)")
        #expect(statuses.filter { $0 == "2" }.count == 7, "\(statuses) \(messages)")
        #expect(messages.filter { $0.contains("name db is taken by service 1") }.count == 7, "\(messages)")
        #expect(try servreg.run(["get-all", "--count"]).stdout == "1\n")
    }

    @Test func existingUpdateAndReplaceAreTheEventsTheySay() throws {
        let first = try servreg.register(["acme.IDatabase", "--name", "db", "--prop", "url=a"])
        let updated = try servreg.run([
            "register", "acme.IDatabase", "--name", "db", "--prop", "url=b", "--existing", "update",
        ])
        #expect(updated.stdout == "\(first)\n")
        let again = try servreg.run([
            "register", "acme.IDatabase", "--name", "db", "--prop", "url=b", "--existing", "update",
        ])
        #expect(again.stdout == "\(first)\n")
        let replaced = try servreg.register([
            "acme.IDatabase", "--name", "db", "--prop", "url=c", "--existing", "replace",
        ])
        #expect(replaced != first)
        let log = try servreg.run(["listen", "--since", "0", "--json", "--count", "4"])
        let events = log.lines.map(json)
        #expect(
            events.map { $0["event"] as? String ?? "" } == ["REGISTERED", "MODIFIED", "UNREGISTERING", "REGISTERED"])
        #expect(events.map { $0["id"] as? Int ?? 0 } == [first, first, first, replaced])
        #expect(events[2]["reason"] as? String == "replaced")
        #expect(try servreg.run(["props", "@db", "-q"]).stdout == "\(replaced)\n")
        let human = try servreg.run(["listen", "--since", "2", "--count", "1"])
        #expect(human.stdout.contains("UNREGISTERING") && human.stdout.hasSuffix("(replaced)\n"), "\(human.stdout)")
    }

    /// Two writers increment one counter 40 times each by read–modify–write with --if-rev,
    /// retrying when refused: no increment is lost.
    @Test func ifRevLosesNoUpdateOfTwoWriters() throws {
        _ = try servreg.register(["acme.ICounter", "--name", "c", "--prop", "n=0"])
        let script = """
            done=0
            while [ $done -lt 40 ]; do
              json=$("$SERVREG" props @c --json) || exit 1
              rev=$(printf '%s' "$json" | sed 's/.*"service.revision":\\([0-9]*\\).*/\\1/')
              n=$(printf '%s' "$json" | sed 's/.*"n":\\([0-9]*\\).*/\\1/')
              "$SERVREG" set-props @c n=$((n + 1)) --if-rev "$rev" 2>/dev/null
              case $? in 0) done=$((done + 1));; 2) ;; *) exit 1;; esac
            done
            """
        let writers = try (1...2).map { _ in try Background("/bin/bash", ["-c", script], servreg: servreg) }
        for writer in writers { #expect(writer.exitStatus(timeout: 120) == 0) }
        #expect(json(try servreg.run(["props", "@c", "--json"]).stdout)["n"] as? Int == 80)
    }

    /// From the instant a lease ends, get does not return the service; a listener removes
    /// it within TTL/3 even when nothing else writes.
    @Test func anExpiryIsSeenByGetAtOnceAndByAListenerWithinAThirdOfTheTTL() throws {
        // The lease is long enough that a loaded machine (CI runs suites in parallel) still
        // reads the service before it ends: the test reads its expiry, not a guess of it.
        let id = try servreg.register(["acme.ILeased", "--ttl", "3s", "--prop", "k=1"])
        let leased = json(try servreg.run(["props", "\(id)", "--json"]).stdout)
        let expires = try #require(leased["service.expires"] as? String)
        #expect(leased["service.ttl"] as? String == "3s")
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let end = try #require(formatter.date(from: expires))
        let listener = try ListenerProcess(["acme.ILeased", "--since", "1", "--json"], servreg: servreg)
        #expect(try servreg.run(["get", "acme.ILeased", "--filter", "(k=1)", "-q"]).stdout == "\(id)\n")
        while Date() < end { usleep(1_000) }
        #expect(try servreg.run(["get", "acme.ILeased", "--filter", "(k=1)"]).status == 1)
        #expect(try servreg.run(["get-all", "acme.ILeased", "--count"]).stdout == "0\n")
        #expect(listener.waitForLines(1))
        let event = try #require(listener.events.first)
        #expect(event["event"] as? String == "UNREGISTERING")
        #expect(event["reason"] as? String == "expired")
        let removedAt = try #require(formatter.date(from: event["time"] as? String ?? ""))
        #expect(removedAt.timeIntervalSince(end) < 1, "removed \(removedAt.timeIntervalSince(end)) s after expiry")
    }

    @Test func keepaliveKeepsALeaseAliveAndItsSIGKILLLetsItExpire() throws {
        let id = try servreg.register(["acme.IWorker", "--name", "w", "--ttl", "2s"])
        let keeper = try Background(ServregProcess.binary, ["keepalive", "@w"], servreg: servreg)
        let start = Date()
        while Date().timeIntervalSince(start) < 4 {
            #expect(try present("@w"), "gone after \(Date().timeIntervalSince(start)) s")
            usleep(200_000)
        }
        kill(keeper.pid, SIGKILL)
        #expect(keeper.exitStatus() == 128 + SIGKILL)
        #expect(try eventually(timeout: 5) { try !present("@w") })
        _ = try servreg.register(["x.Y"])  // a writer removes it
        #expect(try removals()[id] == "expired")
        // keepalive of a service that is gone says why and exits 1; SIGINT ends it with 130.
        let gone = try servreg.run(["keepalive", "\(id)"])
        #expect(gone.status == 1 && gone.stderr.contains("no service with id \(id)"), "\(gone.stderr)")
        _ = try servreg.register(["acme.IWorker", "--name", "w2", "--ttl", "2s"])
        let first = json(try servreg.run(["props", "@w2", "--json"]).stdout)["service.expires"] as? String
        let interrupted = try Background(ServregProcess.binary, ["keepalive", "@w2"], servreg: servreg)
        #expect(try eventually { try expires("@w2") != first })
        kill(interrupted.pid, SIGINT)
        #expect(interrupted.exitStatus() == 130)
        #expect(!interrupted.signaled, "keepalive died of SIGINT instead of ending with 130")
    }

    /// keepalive @NAME keeps the service the name had: replaced under it, that one is gone.
    @Test func keepaliveOfANameEndsWhenItsServiceIsReplaced() throws {
        _ = try servreg.register(["acme.IWorker", "--name", "w", "--ttl", "2s"])
        let first = try expires("@w")
        let output = servreg.directory + "/keepalive.out"
        let keeper = try Background(ServregProcess.binary, ["keepalive", "@w"], servreg: servreg, output: output)
        #expect(try eventually { try expires("@w") != first })
        let replacement = try servreg.register(["acme.IWorker", "--name", "w", "--ttl", "2s", "--existing", "replace"])
        #expect(keeper.exitStatus() == 1)
        let said = try String(contentsOfFile: output, encoding: .utf8)
        #expect(said.contains("service @w is gone (replaced)"), "\(said)")
        #expect(try servreg.run(["props", "@w", "-q"]).stdout == "\(replacement)\n")
    }

    /// A listener that removed an expired service through its own writing connection goes
    /// on seeing every change (a second connection once made the next writer delete the
    /// WAL under the listener, which then saw nothing more).
    @Test func aListenerKeepsListeningAfterItRemovedAnExpiredService() throws {
        _ = try servreg.register(["x.Y"])
        let listener = try ListenerProcess(["acme.ILeased", "--since", "1", "--json"], servreg: servreg)
        for round in 1...3 {
            _ = try servreg.register(["acme.ILeased", "--ttl", "200ms"])
            #expect(listener.waitForLines(2 * round), "round \(round): \(listener.lines)")
        }
        _ = try servreg.register(["acme.ILeased"])
        #expect(listener.waitForLines(7), "\(listener.lines)")
        #expect(
            listener.events.map { $0["event"] as? String ?? "" }
                == [
                    "REGISTERED", "UNREGISTERING", "REGISTERED", "UNREGISTERING", "REGISTERED", "UNREGISTERING",
                    "REGISTERED",
                ])
        #expect(listener.events.compactMap { $0["reason"] as? String } == ["expired", "expired", "expired"])
    }

    @Test func keepaliveEndsWithWhyWhenItsServiceIsRemoved() throws {
        let id = try servreg.register(["acme.IWorker", "--name", "w", "--ttl", "2s"])
        let output = servreg.directory + "/keepalive.out"
        let first = json(try servreg.run(["props", "@w", "--json"]).stdout)["service.expires"] as? String
        let keeper = try Background(ServregProcess.binary, ["keepalive", "@w"], servreg: servreg, output: output)
        // Once it has renewed the lease (the expiry moved), the service is removed under it.
        #expect(
            try eventually {
                json(try servreg.run(["props", "@w", "--json"]).stdout)["service.expires"] as? String != first
            })
        #expect(try servreg.run(["unregister", "\(id)"]).status == 0)
        #expect(keeper.exitStatus() == 1)
        let said = try String(contentsOfFile: output, encoding: .utf8)
        #expect(said.contains("service @w is gone (unregistered)"), "\(said)")
    }

    @Test func aHeldServiceLivesExactlyAsLongAsItsCommand() throws {
        // Present while it runs (the command sees itself), gone after, its status passed on.
        let ran = try servreg.run(
            [
                "register", "acme.IHeld", "--name", "h", "--hold", "--", "/bin/sh", "-c", "servreg props @h -q; exit 7",
            ],
            environment: [
                "PATH": URL(fileURLWithPath: ServregProcess.binary).deletingLastPathComponent().path + ":/usr/bin:/bin"
            ])
        #expect(ran.status == 7, "\(ran.stderr)")
        #expect(ran.stdout == "1\n")
        #expect(try !present("@h"))
        #expect(try removals()[1] == "owner-exited")
        // Killed: gone as soon as servreg has seen it end; servreg says how it ended.
        let started = servreg.directory + "/started"
        let held = try Background(
            ServregProcess.binary,
            [
                "register", "acme.IHeld", "--name", "k", "--hold", "--", "/bin/sh", "-c",
                "touch \(started); exec sleep 60",
            ],
            servreg: servreg)
        #expect(eventually { FileManager.default.fileExists(atPath: started) })
        let owner = json(try servreg.run(["props", "@k", "--json"]).stdout)
        let pid = try #require(owner["service.owner.pid"] as? Int)
        kill(Int32(pid), SIGTERM)
        #expect(held.exitStatus() == 128 + SIGTERM)
        #expect(try !present("@k"))
    }

    /// A refused registration with --hold ends at once (the child waiting at the gate goes
    /// too) and leaves nothing running or registered.
    @Test func aRefusedHoldEndsAtOnceAndRunsNothing() throws {
        let id = try servreg.register(["acme.IHeld", "--name", "h"])
        let marker = servreg.directory + "/ran"
        let held = try Background(
            ServregProcess.binary,
            ["register", "acme.IHeld", "--name", "h", "--hold", "--", "/bin/sh", "-c", "touch \(marker)"],
            servreg: servreg)
        #expect(held.exitStatus(timeout: 10) == 2)
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(try servreg.run(["get-all", "-q"]).stdout == "\(id)\n")
    }

    /// SIGTERM to servreg reaches the command; servreg ends with the command's status.
    @Test func aSignalToServregIsPassedToTheHeldCommand() throws {
        let started = servreg.directory + "/started"
        let held = try Background(
            ServregProcess.binary,
            [
                "register", "acme.IHeld", "--name", "t", "--hold", "--", "/bin/sh", "-c",
                "trap 'exit 42' TERM; touch \(started); while :; do sleep 0.05; done",
            ], servreg: servreg)
        #expect(eventually { FileManager.default.fileExists(atPath: started) })
        kill(held.pid, SIGTERM)
        #expect(held.exitStatus() == 42)
        #expect(try !present("@t"))
    }

    /// Two holders of one name (--existing update --hold): the first one's end does not
    /// remove the service the second holds now.
    @Test func aServiceTakenOverByAnotherHolderStaysUntilThatOneEnds() throws {
        let directory = servreg.directory
        func holder(_ n: Int, _ extra: [String]) throws -> Background {
            try Background(
                ServregProcess.binary,
                ["register", "acme.IHeld", "--name", "s"] + extra + [
                    "--hold", "--", "/bin/sh", "-c",
                    "touch \(directory)/up\(n); while [ ! -e \(directory)/end\(n) ]; do sleep 0.02; done",
                ], servreg: servreg)
        }
        let first = try holder(1, [])
        #expect(eventually { FileManager.default.fileExists(atPath: directory + "/up1") })
        let second = try holder(2, ["--existing", "update"])
        #expect(eventually { FileManager.default.fileExists(atPath: directory + "/up2") })
        FileManager.default.createFile(atPath: directory + "/end1", contents: nil)
        #expect(first.exitStatus() == 0)
        #expect(try present("@s"))
        FileManager.default.createFile(atPath: directory + "/end2", contents: nil)
        #expect(second.exitStatus() == 0)
        #expect(try !present("@s"))
    }

    @Test func aHeldServiceOutlivesASIGKILLedServregOnlyUntilItsCommandEnds() throws {
        let started = servreg.directory + "/started"
        let held = try Background(
            ServregProcess.binary,
            [
                "register", "acme.IHeld", "--name", "k", "--hold", "--", "/bin/sh", "-c",
                "touch \(started); exec sleep 60",
            ],
            servreg: servreg)
        #expect(eventually { FileManager.default.fileExists(atPath: started) })
        let pid = try #require(json(try servreg.run(["props", "@k", "--json"]).stdout)["service.owner.pid"] as? Int)
        kill(held.pid, SIGKILL)
        #expect(held.exitStatus() == 128 + SIGKILL)
        #expect(try present("@k"))
        kill(Int32(pid), SIGKILL)
        #expect(try eventually { try !present("@k") })
        _ = try servreg.register(["x.Y"])
        #expect(try eventually { try removals()[1] == "owner-exited" })
    }

    /// --ttl with --hold: the holder renews the lease while COMMAND runs; once servreg is
    /// SIGKILLed the service goes when the lease runs out, though COMMAND still runs.
    @Test func aHeldServiceWithATTLGoesWhenItsHolderDiesThoughItsCommandRuns() throws {
        let started = servreg.directory + "/started"
        let held = try Background(
            ServregProcess.binary,
            [
                "register", "acme.IHeld", "--name", "k", "--ttl", "1s", "--hold", "--", "/bin/sh", "-c",
                "touch \(started); exec sleep 60",
            ],
            servreg: servreg)
        #expect(eventually { FileManager.default.fileExists(atPath: started) })
        let props = json(try servreg.run(["props", "@k", "--json"]).stdout)
        let pid = try #require(props["service.owner.pid"] as? Int)
        defer { kill(Int32(pid), SIGKILL) }
        let first = try #require(props["service.expires"] as? String)
        #expect(try eventually(timeout: 5) { try expires("@k").map { $0 > first } ?? false })
        kill(held.pid, SIGKILL)
        #expect(held.exitStatus() == 128 + SIGKILL)
        #expect(try eventually(timeout: 5) { try !present("@k") })
        #expect(kill(Int32(pid), 0) == 0, "the command ended with its holder")
        _ = try servreg.register(["x.Y"])
        #expect(try eventually { try removals()[1] == "expired" })
    }

    @Test func aServiceOfAKilledOwnerPidIsGone() throws {
        let owner = try Background("/bin/sleep", ["60"], servreg: servreg)
        let id = try servreg.register(["acme.IOwned", "--owner-pid", "\(owner.pid)", "--name", "o"])
        #expect(json(try servreg.run(["props", "@o", "--json"]).stdout)["service.owner.pid"] as? Int == Int(owner.pid))
        #expect(try servreg.run(["props", "@o"]).stdout.contains("service.owner.pid"))
        kill(owner.pid, SIGKILL)
        #expect(owner.exitStatus() == 128 + SIGKILL)
        #expect(try !present("@o"))
        #expect(try servreg.run(["get-all", "acme.IOwned", "--count"]).stdout == "0\n")
        // A running listener removes it even when nothing else writes.
        let listener = try ListenerProcess(["--since", "1", "--json"], servreg: servreg)
        #expect(listener.waitForLines(1))
        #expect(listener.events.first?["reason"] as? String == "owner-exited")
        #expect(listener.events.first?["id"] as? Int == id)
    }

    @Test(arguments: [
        (["register", "a.B", "--ttl", "5x"], Int32(65), "--ttl: '5x' is not a duration"),
        (["register", "a.B", "--ttl", "-1s"], 65, "--ttl takes no negative value"),
        (["register", "a.B", "--name", "a b"], 65, "service name 'a b' contains ' '"),
        (["register", "a.B", "--name", ""], 65, "service name is empty"),
        (["register", "a.B", "--existing", "update"], 64, "--existing goes with --name"),
        (["register", "a.B", "--name", "x", "--existing", "merge"], 65, "--existing must be update or replace"),
        (["register", "a.B", "--hold"], 64, "--hold needs a command"),
        (["register", "a.B", "--hold", "--"], 64, "--hold needs a command"),
        (["register", "a.B", "--hold", "--ttl", "5s", "--", "true"], 64, "--hold takes its command after --"),
        (["set-props", "1", "a=1", "--if-rev", "-1"], 65, "--if-rev must be a revision (0 or more), not -1"),
        (["unregister", "1", "--if-rev=-2"], 65, "--if-rev must be a revision (0 or more), not -2"),
        (["set-props", "1", "--ttl", "-1"], 65, "--ttl: '-1' is not a duration"),
        (["register", "a.B", "--owner-pid", "999999999"], 65, "--owner-pid 999999999: no such process"),
        (["register", "a.B", "--owner-pid", "x"], 65, "--owner-pid must be a process id"),
        (["register", "a.B", "--prop", "service.name=x"], 65, "service.name is read-only"),
        (["set-props", "1", "a=1", "--if-rev", "x"], 65, "--if-rev"),
        (["unregister", "1", "2", "--if-rev", "3"], 64, "--if-rev goes with one service"),
        (["props", "@a b"], 65, "service name 'a b' contains"),
        (["register", "a.B", "--hold", "--", "no-such-command-x"], 127, "no-such-command-x: command not found"),
        (["register", "a.B", "--hold", "--", "/etc/passwd"], 126, "/etc/passwd: not executable"),
    ])
    func badInputRegistersNothing(arguments: [String], status: Int32, message: String) throws {
        let result = try servreg.run(arguments)
        #expect(result.status == status, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        #expect(result.stderr.filter { $0 == "\n" }.count == 1, "\(result.stderr)")
        #expect(try servreg.run(["get-all", "--count"]).stdout == "0\n")
        #expect(try servreg.run(["listen", "--since", "0", "--timeout", "0"]).stdout == "")
    }

    /// The lines of a file (none when it is missing).
    private func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    private func offered(_ specification: String) throws -> Bool {
        try servreg.run(["get", specification, "-q"]).status == 0
    }

    /// `--hold` with requirements (issue 13): servreg waits for them, starts COMMAND with
    /// the chosen services injected, stops it (SIGTERM) when a set-props takes the match
    /// away, starts it again with the new injection when another comes; SIGTERM to servreg
    /// stops it and unregisters the service. Each transition is a line on stderr.
    @Test func aHeldCommandStartsStopsAndStartsAgainWithItsRequirements() throws {
        let directory = servreg.directory
        let log = directory + "/runs"
        let transitions = directory + "/supervisor.err"
        let supervisor = try Background(
            ServregProcess.binary,
            [
                "register", "acme.Web", "--name", "web", "--requires", "acme.IDatabase:(region=eu)",
                "--stop-timeout", "5s", "--hold", "--", "/bin/sh", "-c",
                "echo \"$SERVREG_REQUIRE_1_ID $SERVREG_REQUIRE_COUNT $SERVREG_REQUIRE_1_SPEC\" >> \(log); "
                    + "printf '%s\\n' \"$SERVREG_REQUIRE_1_JSON\" > \(directory)/json; "
                    + "trap 'echo stopped >> \(log); exit 0' TERM; while :; do sleep 0.02; done",
            ], servreg: servreg, output: transitions)
        #expect(eventually { lines(transitions).contains { $0.hasSuffix("waiting for acme.IDatabase:(region=eu)") } })
        #expect(try !present("@web"))
        #expect(lines(log).isEmpty)

        let first = try servreg.register(["acme.IDatabase", "--prop", "region=eu"])
        #expect(eventually { lines(log) == ["\(first) 1 acme.IDatabase:(region=eu)"] })
        #expect(try eventually { try offered("acme.Web") })
        let injected = json(lines(directory + "/json").first ?? "")
        #expect(injected["service.id"] as? Int == first && injected["region"] as? String == "eu")

        #expect(try servreg.run(["set-props", "\(first)", "region=us"]).status == 0)
        #expect(eventually { lines(log).last == "stopped" })
        #expect(try eventually { try !present("@web") })
        let second = try servreg.register(["acme.IDatabase", "--prop", "region=eu"])
        #expect(eventually { lines(log).count == 3 && lines(log)[2] == "\(second) 1 acme.IDatabase:(region=eu)" })
        #expect(try eventually { try offered("acme.Web") })

        kill(supervisor.pid, SIGTERM)
        #expect(supervisor.exitStatus() == 0)
        #expect(lines(log).last == "stopped")
        #expect(try !present("@web"))
        let said = lines(transitions)
        #expect(said.filter { $0.contains("started /bin/sh") }.count == 2, "\(said)")
        #expect(said.contains { $0.contains("lost acme.IDatabase:(region=eu): stopping /bin/sh") }, "\(said)")
        #expect(said.contains { $0.contains("signal 15: stopping /bin/sh") }, "\(said)")
        // Each of servreg's lines starts with the time of day: servreg: HH:MM:SS.mmm (sh says
        // "Terminated" of the sleep that SIGTERM to COMMAND's process group ended).
        let own = said.filter { $0.hasPrefix("servreg:") }
        #expect(own.count >= 6)
        #expect(
            own.allSatisfy { $0.range(of: #"^servreg: \d\d:\d\d:\d\d\.\d\d\d "#, options: .regularExpression) != nil })
    }

    /// With `--once`, a lost requirement ends servreg (status 2) after stopping COMMAND; a
    /// COMMAND that ignores SIGTERM is killed after --stop-timeout.
    @Test func onceExitsWhenARequirementIsLostAndAStubbornCommandIsKilled() throws {
        let directory = servreg.directory
        let database = try servreg.register(["acme.IDatabase"])
        let supervisor = try Background(
            ServregProcess.binary,
            [
                "register", "acme.Web", "--requires", "acme.IDatabase", "--once", "--stop-timeout", "200ms",
                "--hold", "--", "/bin/sh", "-c", "trap '' TERM; touch \(directory)/up; while :; do sleep 0.02; done",
            ], servreg: servreg, output: directory + "/supervisor.err")
        #expect(eventually { FileManager.default.fileExists(atPath: directory + "/up") })
        #expect(try eventually { try offered("acme.Web") })
        #expect(try servreg.run(["unregister", "\(database)"]).status == 0)
        #expect(supervisor.exitStatus() == 2)
        #expect(lines(directory + "/supervisor.err").contains { $0.hasSuffix("exited with status 137 (signal 9)") })
        #expect(try servreg.run(["get-all", "acme.Web", "--count", "--include-unsatisfied"]).stdout == "0\n")
    }

    /// A supervised COMMAND that ends by itself ends servreg with its status; stopping it
    /// (a requirement lost) ends what it started too (its process group); SIGQUIT to a waiting
    /// servreg ends it (128 + 3), saying so.
    @Test func aSupervisedCommandsStatusChildrenAndSignals() throws {
        let directory = servreg.directory
        _ = try servreg.register(["acme.IDatabase", "--name", "db"])
        let quick = try servreg.run([
            "register", "acme.Q", "--requires", "acme.IDatabase", "--hold", "--", "/bin/sh", "-c", "exit 3",
        ])
        #expect(quick.status == 3, "\(quick.stderr)")
        let pidFile = directory + "/child"
        let supervisor = try Background(
            ServregProcess.binary,
            [
                "register", "acme.F", "--requires", "@db", "--stop-timeout", "1s", "--hold", "--", "/bin/sh", "-c",
                "sleep 300 & echo $! > \(pidFile); wait",
            ], servreg: servreg, output: directory + "/supervisor.err")
        #expect(eventually { !lines(pidFile).isEmpty })
        let child = try #require(lines(pidFile).first.flatMap { Int32($0) })
        #expect(try servreg.run(["unregister", "@db"]).status == 0)
        #expect(eventually { kill(child, 0) != 0 }, "COMMAND's child \(child) outlived the stop")
        #expect(eventually { lines(directory + "/supervisor.err").contains { $0.hasSuffix("waiting for @db") } })
        kill(supervisor.pid, SIGQUIT)
        #expect(supervisor.exitStatus() == 128 + SIGQUIT)
        #expect(lines(directory + "/supervisor.err").last?.hasSuffix("signal 3: stopped waiting") == true)
    }

    /// SIGTERM to servreg while its factory runs ends the factory's process group too, and
    /// keeps nothing: the service is still a factory (issue 12's factories, in a group of their own).
    @Test func aSignalToServregEndsTheFactoryItRuns() throws {
        let pidFile = servreg.directory + "/factory"
        let id = try servreg.register([
            "acme.ISlow", "--factory", "--factory-timeout", "60s", "--", "/bin/sh", "-c",
            "echo $$ > \(pidFile); exec sleep 30",
        ])
        let get = try Background(ServregProcess.binary, ["get", "acme.ISlow", "--value"], servreg: servreg)
        #expect(eventually { !lines(pidFile).isEmpty })
        let factory = try #require(lines(pidFile).first.flatMap { Int32($0) })
        kill(get.pid, SIGTERM)
        #expect(get.exitStatus() == 130)
        #expect(eventually { kill(factory, 0) != 0 }, "the factory \(factory) outlived servreg")
        #expect(json(try servreg.run(["props", "\(id)", "--json"]).stdout)["service.factory"] != nil)
    }

    @Test func aStopTimeoutThatIsNotADurationIsRefused() throws {
        let result = try servreg.run([
            "register", "a.B", "--requires", "c.D", "--stop-timeout", "soon", "--hold", "--", "true",
        ])
        #expect(result.status == 65)
        #expect(
            result.stderr
                == "servreg: error: --stop-timeout: 'soon' is not a duration (a number and a unit: 500ms, 30s, 1.5m, 2h)\n"
        )
        let alone = try servreg.run(["register", "a.B", "--stop-timeout", "1s"])
        #expect(alone.status == 64)
        #expect(try servreg.run(["get-all", "--count", "--include-unsatisfied"]).stdout == "0\n")
    }
}
