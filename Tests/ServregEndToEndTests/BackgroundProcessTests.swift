import Foundation
import RegistryTestSupport
import Testing

/// The test support's own promises: a background process gets standard input, output and
/// error and nothing else of the test process (a pipe end it inherited would keep another
/// test's child from ever seeing the end of its input); a run that hangs is killed at its
/// timeout and fails its test, instead of stalling the suite.
@Suite struct BackgroundProcessTests {
    @Test func aBackgroundProcessInheritsOnlyItsStandardDescriptors() throws {
        let servreg = ServregProcess()
        var ends: [Int32] = [-1, -1]
        #expect(pipe(&ends) == 0)
        defer { for end in ends { close(end) } }
        let listing = servreg.directory + "/fds"
        let shell = try BackgroundProcess(
            "/bin/sh", ["-c", "ls /proc/$$/fd"], servreg: servreg, output: listing)
        #expect(shell.exitStatus() == 0)
        let names = try String(contentsOfFile: listing, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(!names.contains(String(ends[0])) && !names.contains(String(ends[1])), "\(names) holds \(ends)")
        #expect(Set(names).isSubset(of: ["0", "1", "2", "3"]), "\(names)")
    }

    @Test func aRunThatHangsIsKilledAtItsTimeoutAndFailsItsTest() throws {
        let servreg = ServregProcess()
        let started = Date()
        var result: RunResult?
        try withKnownIssue {
            result = try servreg.run(["60"], executable: "/bin/sleep", timeout: 0.5)
        } matching: { issue in
            issue.comments.contains { $0.rawValue.contains("ran over 0.5 s and was killed") }
        }
        #expect(result?.status == 9, "killed by SIGKILL: \(String(describing: result))")
        #expect(Date().timeIntervalSince(started) < 30)
    }

    @Test func aRunThatExitsBeforeReadingItsInputDoesNotTakeTheTestProcessWithIt() throws {
        // More than a pipe holds: the write meets the closed end (SIGPIPE killed the tests once).
        let result = try ServregProcess().run(
            [], stdin: String(repeating: "x", count: 1 << 20), executable: "/bin/true")
        #expect(result.status == 0)
    }
}
