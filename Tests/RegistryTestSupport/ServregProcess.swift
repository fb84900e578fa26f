import Foundation
import Testing

/// The result of running the built `servreg` binary.
public struct RunResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// stdout split into lines, without the last line break.
    public var lines: [String] {
        stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }
}

/// Runs the built binary against a private store in a temporary directory.
public final class ServregProcess: Sendable {
    /// The test's own directory (HOME of the runs).
    public let directory: String
    /// The store every run uses (SERVREG_STORE).
    public let storePath: String

    /// A new directory and store path; nothing is created until a run writes.
    public init() {
        directory = NSTemporaryDirectory() + "servreg-e2e-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // The store's directory exists: servreg creates directories only for the default location.
        try? FileManager.default.createDirectory(atPath: directory + "/store", withIntermediateDirectories: true)
        storePath = directory + "/store/registry.db"
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// The package's directory (the checkout the tests come from).
    public let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The `servreg` binary built beside the test bundle.
    public static let binary: String = {
        if let path = ProcessInfo.processInfo.environment["SERVREG_BIN"] { return path }
        let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var candidates = [bundleDirectory.appendingPathComponent("servreg").path]
        // swift-testing may run from inside the .xctest bundle directory.
        candidates.append(bundleDirectory.deletingLastPathComponent().appendingPathComponent("servreg").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
    }()

    /// Runs servreg with `arguments` (or `executable`, or servreg behind a `prefix` command).
    @discardableResult
    public func run(
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
        // Services record who registered them: one name on every machine.
        environment["SERVREG_CLIENT"] = "tester"
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
    public func register(_ arguments: [String]) throws -> Int {
        let result = try run(["register"] + arguments)
        #expect(result.status == 0, "register \(arguments): \(result.stderr)")
        return Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// The store file's bytes (and whether a WAL is left beside it).
    public func storeSnapshot() throws -> Data {
        var data = (try? Data(contentsOf: URL(fileURLWithPath: storePath))) ?? Data()
        if let wal = try? Data(contentsOf: URL(fileURLWithPath: storePath + "-wal")) { data.append(wal) }
        return data
    }
}
