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

    /// SIGPIPE ignored in the test process, once.
    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// How long a run may take before it is killed (and the test fails, saying so): a
    /// hang fails its test instead of stalling the whole suite.
    public static let defaultTimeout: TimeInterval = 300

    /// Runs servreg with `arguments` (or `executable`, or servreg behind a `prefix` command).
    /// A run still going after `timeout` seconds is killed (SIGKILL: status 137) and
    /// recorded as an issue of the test.
    @discardableResult
    public func run(
        _ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:], prefix: [String] = [],
        executable: String? = nil, timeout: TimeInterval = ServregProcess.defaultTimeout
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
        let killed = KilledFlag()
        let pid = process.processIdentifier
        let killer = DispatchWorkItem {
            killed.set()
            kill(pid, SIGKILL)
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        // A child that exits before reading its input (a refused batch) must not take the
        // test process with it: the write fails (EPIPE) instead of raising SIGPIPE.
        Self.ignoreBrokenPipes
        if let stdin { try? input.fileHandleForWriting.write(contentsOf: Data(stdin.utf8)) }
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
        killer.cancel()
        if killed.isSet {
            Issue.record("\(arguments.prefix(6).joined(separator: " ")) ran over \(timeout) s and was killed")
        }
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

/// Whether a run's timeout killed it (set on a dispatch thread, read after the run ended).
private final class KilledFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
