import Foundation
import RegistryTestSupport
import Testing

/// Output that cannot be written is a failure (D6, D7): a closed pipe ends a command or a
/// batch with 141 after committing what it printed; a full device is 74 with a message.
@Suite struct OutputFailureTests {
    let servreg = ServregProcess()

    private func shell(_ script: String) throws -> RunResult {
        try servreg.run(["-c", "set -o pipefail; " + script], executable: "/bin/bash")
    }

    @Test func aBatchPipedToHeadStopsWith141AndKeepsWhatItPrinted() throws {
        let file = servreg.directory + "/many.srv"
        try (1...30_000).map { "register acme.IWorker --prop n=\($0)\n" }.joined()
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = try shell("'\(ServregProcess.binary)' run '\(file)' | head -1")
        #expect(result.status == 141, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(result.lines == ["1"])
        let stored = try servreg.run(["get-all", "--count"]).stdout
        #expect((Int(stored.dropLast()) ?? 0) >= 1, "what was printed is committed")
        #expect((Int(stored.dropLast()) ?? 0) < 30_000, "the batch stopped when its reader went")
    }

    @Test func oneShotCommandsPipedToHeadEndWith141() throws {
        for n in 1...3 { _ = try servreg.register(["acme.IPlumber", "--prop", "n=\(n)"]) }
        let result = try shell("'\(ServregProcess.binary)' get-all -q | head -1")
        // get-all's output fits the pipe: head has read it before servreg could see it go,
        // or not; either way nothing is said and the status is success or 141.
        #expect([0, 141].contains(result.status), "\(result.stderr)")
        #expect(result.stderr.isEmpty)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full"), "needs /dev/full"))
    func aFullDeviceIsAFailureWithAMessage() throws {
        _ = try servreg.register(["acme.IPlumber", "--prop", "price=90"])
        let message = "servreg: error: cannot write to standard output: No space left on device\n"
        for command in ["get-all --json", "get-all", "props 1", "register acme.IPlumber", "listen --since 0"] {
            let result = try shell("'\(ServregProcess.binary)' \(command) > /dev/full")
            #expect(result.status == 74, "\(command): \(result.stderr)")
            #expect(result.stderr == message, "\(command)")
        }
        // The register above committed; only its answer was lost.
        #expect(try servreg.run(["get-all", "--count"]).stdout == "2\n")
    }
}
