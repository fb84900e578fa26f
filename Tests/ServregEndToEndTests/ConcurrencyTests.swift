import Foundation
import RegistryTestSupport
import Testing

@Suite struct ConcurrencyTests {
    let servreg = ServregProcess()

    @Test func eightWritersOfTwoHundredServicesEach() throws {
        let script = """
            for i in $(seq 1 200); do
              "$SERVREG" register acme.IWorker --prop writer=$1 --prop n=$i -q >> "$2" 2>> "$2.err" || exit 1
            done
            """
        let processes: [Process] = try (1...8).map { writer in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", script, "writer", "\(writer)", servreg.directory + "/ids-\(writer)"]
            var environment = ProcessInfo.processInfo.environment
            environment["SERVREG"] = ServregProcess.binary
            environment["SERVREG_STORE"] = servreg.storePath
            environment["SERVREG_BUSY_TIMEOUT"] = "60"
            process.environment = environment
            try process.run()
            return process
        }
        for (offset, process) in processes.enumerated() {
            process.waitUntilExit()
            let errors =
                (try? String(contentsOfFile: servreg.directory + "/ids-\(offset + 1).err", encoding: .utf8)) ?? ""
            #expect(process.terminationStatus == 0, "writer \(offset + 1): \(errors)")
        }
        var printed: [Int] = []
        for writer in 1...8 {
            let text = try String(contentsOfFile: servreg.directory + "/ids-\(writer)", encoding: .utf8)
            printed += text.split(separator: "\n").compactMap { Int($0) }
        }
        #expect(printed.count == 1600)
        #expect(Set(printed).count == 1600)
        #expect(try servreg.run(["get-all", "acme.IWorker", "--count"]).stdout == "1600\n")
        let stored = try servreg.run(["get-all", "-q"]).lines.compactMap(Int.init)
        #expect(Set(stored) == Set(printed))
    }

    /// Eight processes whose first command creates the store, at once, again and again:
    /// none may see the half-made store as foreign or busy.
    @Test func eightProcessesCreatingOneStore() throws {
        for round in 1...15 {
            let store = servreg.directory + "/new-\(round)/registry.db"
            try FileManager.default.createDirectory(
                atPath: servreg.directory + "/new-\(round)", withIntermediateDirectories: true)
            let processes: [Process] = try (1...8).map { _ in
                let process = Process()
                process.executableURL = URL(fileURLWithPath: ServregProcess.binary)
                process.arguments = ["register", "acme.IWorker", "--store", store, "-q"]
                process.standardOutput = FileHandle.nullDevice
                let errors = Pipe()
                process.standardError = errors
                try process.run()
                return process
            }
            for process in processes {
                process.waitUntilExit()
                let message = (process.standardError as? Pipe).map {
                    String(decoding: $0.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                }
                #expect(process.terminationStatus == 0, "round \(round): \(message ?? "")")
            }
            let count = try servreg.run(["get-all", "--count", "--store", store])
            #expect(count.stdout == "8\n", "round \(round): \(count.stdout) \(count.stderr)")
        }
    }
}
