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
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        child.arguments = ["-c", "exit 0"]
        // Not reaped until waitUntilExit: a zombie meanwhile, which is gone too.
        try child.run()
        let owner = ProcessLiveness.owner(of: child.processIdentifier)
        child.waitUntilExit()
        if let owner { #expect(!ProcessLiveness().isRunning(owner)) }
        #expect(ProcessLiveness.owner(of: child.processIdentifier) == nil)
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
