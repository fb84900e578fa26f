import Foundation
import Testing

/// The result of running the built `servreg` binary.
struct RunResult {
    let status: Int32
    let stdout: String
    let stderr: String

    var lines: [String] { stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init) }
}

/// Runs the built binary against a private store in a temporary directory.
final class ServregProcess {
    let directory: String
    let storePath: String

    init() {
        directory = NSTemporaryDirectory() + "servreg-e2e-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        storePath = directory + "/store/registry.db"
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// The `servreg` binary built beside the test bundle.
    static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["SERVREG_BIN"] { return path }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [bundleDirectory.appendingPathComponent("servreg").path]
        // swift-testing may run from inside the .xctest bundle directory.
        candidates.append(bundleDirectory.deletingLastPathComponent().appendingPathComponent("servreg").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    @discardableResult
    func run(
        _ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:], prefix: [String] = [],
        executable: String? = nil
    )
        throws -> RunResult
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable ?? prefix.first ?? Self.binary)
        process.arguments =
            executable != nil
            ? arguments : Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : [Self.binary]) + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SERVREG_STORE"] = storePath
        environment["HOME"] = directory
        environment.removeValue(forKey: "XDG_DATA_HOME")
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        let input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        // Read both pipes before waiting so a large output cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return RunResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Registers a service and returns its id.
    func register(_ arguments: [String]) throws -> Int {
        let result = try run(["register"] + arguments)
        #expect(result.status == 0, "register \(arguments): \(result.stderr)")
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// The store file's bytes (and whether a WAL is left beside it).
    func storeSnapshot() throws -> Data {
        var data = (try? Data(contentsOf: URL(fileURLWithPath: storePath))) ?? Data()
        if let wal = try? Data(contentsOf: URL(fileURLWithPath: storePath + "-wal")) { data.append(wal) }
        return data
    }
}
