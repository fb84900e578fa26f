import Foundation
import ServiceRegistry
import Testing

@testable import ServregCLI

/// An owner is a process by pid, start time and boot: a reused pid, another boot or an
/// ended process is not it.
@Suite struct ProcessLivenessTests {
    @Test func aRunningProcessIsItsOwnerAndNothingElseIs() throws {
        let liveness = ProcessLiveness()
        let me = try #require(ProcessLiveness.owner(of: getpid()))
        #expect(me.pid == getpid() && me.startTime > 0 && me.bootID.count == 36)
        #expect(liveness.isRunning(me))
        // The same pid with another start time: a process that reused the pid.
        var reused = me
        reused.startTime += 1
        #expect(!liveness.isRunning(reused))
        var otherBoot = me
        otherBoot.bootID = "00000000-0000-0000-0000-000000000000"
        #expect(!liveness.isRunning(otherBoot))
        #expect(ProcessLiveness.owner(of: 0) == nil)
        #expect(ProcessLiveness.owner(of: Int32.max) == nil)
    }

    @Test func anEndedProcessIsGoneAlsoBeforeItIsReaped() throws {
        // Spawned directly, so that nothing reaps it before the test does: a zombie meanwhile.
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", "exit 0"]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        #expect(posix_spawn(&pid, "/bin/sh", nil, nil, argv, environ) == 0)
        let started = ProcessLiveness.process(pid).map {
            ServiceOwner(pid: pid, startTime: $0.startTime, bootID: ProcessLiveness.bootID)
        }
        let deadline = Date().addingTimeInterval(10)
        while ProcessLiveness.process(pid)?.zombie != true, Date() < deadline { usleep(1_000) }
        #expect(ProcessLiveness.process(pid)?.zombie == true)
        let owner = try #require(started)
        #expect(!ProcessLiveness().isRunning(owner))
        #expect(ProcessLiveness.owner(of: pid) == nil)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect(ProcessLiveness.process(pid) == nil)
    }

    @Test func aCommandIsFoundOnThePathAsExecvpWould() throws {
        #expect(try HeldCommand.resolve("sh", path: "/nonexistent:/bin") == "/bin/sh")
        #expect(throws: HeldCommand.StartFailure.self) { try HeldCommand.resolve("no-such-command-x", path: "/bin") }
        do {
            _ = try HeldCommand.resolve("passwd", path: "/etc")
            Issue.record("/etc/passwd is not executable")
        } catch {
            #expect(error.status == 126)
        }
        do {
            _ = try HeldCommand.resolve("/no/such/file", path: nil)
            Issue.record("no such file")
        } catch {
            #expect(error.status == 127)
        }
    }
}
