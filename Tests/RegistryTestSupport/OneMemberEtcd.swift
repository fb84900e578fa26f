import Foundation

/// An etcd cluster of one member that a test starts for itself (its own settings: auth,
/// TLS), on free ports the kernel picks, its data and log in the test's directory. Ready
/// (healthy) when made; `stop()` ends it.
public final class OneMemberEtcd: @unchecked Sendable {
    /// The client port, on 127.0.0.1.
    public let port: Int
    private let member: BackgroundProcess
    private let etcdctlFlags: [String]

    /// Starts `/usr/bin/etcd` with `arguments` beside its addresses (`https` for a member
    /// that serves TLS: its certificate files among `arguments`), and waits until
    /// `etcdctl endpoint health` (with `etcdctlFlags`) says so, 20 s at most.
    public init(
        _ name: String, servreg: ServregProcess, scheme: String = "http", arguments: [String],
        etcdctlFlags: [String] = []
    ) throws {
        port = freeLoopbackPort()
        var peerPort = freeLoopbackPort()
        while peerPort == port { peerPort = freeLoopbackPort() }
        let url = "\(scheme)://127.0.0.1:\(port)"
        let peer = "http://127.0.0.1:\(peerPort)"
        member = try BackgroundProcess(
            "/usr/bin/etcd",
            [
                "--name", "a", "--data-dir", servreg.directory + "/\(name)", "--listen-client-urls", url,
                "--advertise-client-urls", url, "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "a=\(peer)",
            ] + arguments, servreg: servreg, output: servreg.directory + "/\(name).log")
        self.etcdctlFlags = ["--endpoints=\(url)"] + etcdctlFlags
        let deadline = Date().addingTimeInterval(20)
        while try etcdctl(["endpoint", "health"]).status != 0, Date() < deadline { usleep(100_000) }
    }

    /// Stops the member (SIGTERM, then waits for it).
    public func stop() {
        kill(member.pid, SIGTERM)
        _ = member.exitStatus()
    }

    /// Runs etcdctl against the member: its status and output (standard error included).
    public func etcdctl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["etcdctl"] + etcdctlFlags + arguments
        process.environment = ["ETCDCTL_API": "3", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
