import Foundation
import RegistryTestSupport
import Testing

/// The manual page must keep up with the commands.
@Suite struct ManualTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    let servreg = ServregProcess()

    @Test func everyCommandAndOptionIsInTheManual() throws {
        let manual = try String(contentsOf: Self.packageRoot.appendingPathComponent("man/servreg.1"), encoding: .utf8)
        let dump = try servreg.run(["--experimental-dump-help"])
        let json = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any]
        let command = json?["command"] as? [String: Any]
        let subcommands = command?["subcommands"] as? [[String: Any]] ?? []
        #expect(subcommands.count >= 6)
        for subcommand in subcommands {
            guard let name = subcommand["commandName"] as? String else { continue }
            #expect(manual.contains("Cm \(name)"), "man page lacks command \(name)")
            if name == "help" { continue }
            for argument in subcommand["arguments"] as? [[String: Any]] ?? [] {
                for entry in argument["names"] as? [[String: Any]] ?? [] {
                    guard let kind = entry["kind"] as? String, let optionName = entry["name"] as? String else {
                        continue
                    }
                    let spelled = kind == "long" ? "Fl -\(optionName)" : "Fl \(optionName)"
                    #expect(manual.contains(spelled), "man page lacks \(spelled) of \(name)")
                }
            }
        }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/groff"), "needs groff (groff-base)"))
    func manualRendersWithoutWarnings() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/groff")
        process.arguments = ["-mandoc", "-ww", "-z", Self.packageRoot.appendingPathComponent("man/servreg.1").path]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(output == "")
    }
}
