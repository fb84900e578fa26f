import Foundation

/// A process of the test's: servreg or a helper, its output kept in a file. Spawned and
/// reaped directly: Foundation's Process on Linux takes a process for running while any
/// descendant still holds a descriptor it passed on (a held command outliving servreg).
public final class BackgroundProcess: @unchecked Sendable {
    public let pid: Int32
    private var status: Int32?

    public init(
        _ executable: String, _ arguments: [String], servreg: ServregProcess, output: String? = nil,
        environment extra: [String: String] = [:]
    ) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["SERVREG_STORE"] = servreg.storePath
        environment["HOME"] = servreg.directory
        environment["SERVREG"] = ServregProcess.binary
        environment["SERVREG_BUSY_TIMEOUT"] = "60"
        environment["PATH"] =
            URL(fileURLWithPath: ServregProcess.binary).deletingLastPathComponent().path + ":"
            + (environment["PATH"] ?? "/usr/bin:/bin")
        for (key, value) in extra { environment[key] = value }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let target = output ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, target, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of the test process's: a pipe end another test's child inherited (a
        // restarted etcd lives on) kept that child's standard input open, and it never ended.
        // (glibc 2.34's posix_spawn_file_actions_addclosefrom_np, which Swift's Glibc hides.)
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") {
            _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: Int32 = 0
        let result = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        self.pid = pid
    }

    deinit {
        if status == nil {
            kill(pid, SIGKILL)
            var ignored: Int32 = 0
            waitpid(pid, &ignored, 0)
        }
    }

    /// Whether it ended by a signal (not by exiting), once `exitStatus` has seen it end.
    public private(set) var signaled = false

    /// The exit status (128 + signal for a signal), or nil after the timeout.
    public func exitStatus(timeout: TimeInterval = 20) -> Int32? {
        if let status { return status }
        let deadline = Date().addingTimeInterval(timeout)
        var raw: Int32 = 0
        while Date() < deadline {
            if waitpid(pid, &raw, WNOHANG) == pid {
                let signal = raw & 0x7f
                signaled = signal != 0
                status = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
                return status
            }
            usleep(5_000)
        }
        return nil
    }
}
