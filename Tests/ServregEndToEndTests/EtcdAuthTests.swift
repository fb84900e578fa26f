import Foundation
import RegistryTestSupport
import Testing

/// etcd's authentication (SERVREG_ETCD_USER, SERVREG_ETCD_PASSWORD), on a one-member cluster
/// of the test's own with auth on and tokens that expire after a second. Runs where the
/// etcd tests run (SERVREG_ETCD_ENDPOINTS set, etcd installed).
@Suite(
    .enabled(
        if: EtcdCluster.hosts != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/etcd"),
        "SERVREG_ETCD_ENDPOINTS is unset or etcd is not installed: no etcd to test against"))
struct EtcdAuthTests {
    let servreg = ServregProcess()

    /// The client port of the test's own member (its peer port is another free one): free
    /// ports the kernel picks, never a fixed one an earlier run's member may still hold.
    private static let port = freeLoopbackPort()
    private static let peerPort = {
        var other = freeLoopbackPort()
        while other == port { other = freeLoopbackPort() }
        return other
    }()

    private func etcdctl(_ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["etcdctl", "--endpoints=127.0.0.1:\(Self.port)"] + arguments
        process.environment = ["ETCDCTL_API": "3", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func usersPasswordsPermissionsAndExpiringTokens() throws {
        let data = servreg.directory + "/etcd-auth"
        let peer = "http://127.0.0.1:\(Self.peerPort)"
        let member = try BackgroundProcess(
            "/usr/bin/etcd",
            [
                "--name", "a", "--data-dir", data, "--listen-client-urls", "http://127.0.0.1:\(Self.port)",
                "--advertise-client-urls", "http://127.0.0.1:\(Self.port)", "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer, "--initial-cluster", "a=\(peer)", "--auth-token-ttl", "1",
            ], servreg: servreg, output: servreg.directory + "/etcd-auth.log")
        defer {
            kill(member.pid, SIGTERM)
            _ = member.exitStatus()
        }
        let deadline = Date().addingTimeInterval(20)
        while try etcdctl(["endpoint", "health"]).0 != 0, Date() < deadline { usleep(100_000) }
        for arguments in [
            ["user", "add", "root:rootpw"], ["user", "add", "alice:pw"], ["role", "add", "r"],
            ["role", "grant-permission", "r", "readwrite", "--prefix=true", "reg/"],
            ["user", "grant-role", "alice", "r"],
            ["auth", "enable"],
        ] {
            let (status, output) = try etcdctl(arguments)
            #expect(status == 0, "etcdctl \(arguments): \(output)")
        }
        let store = "etcd://127.0.0.1:\(Self.port)/reg"
        let alice = ["SERVREG_STORE": store, "SERVREG_ETCD_USER": "alice", "SERVREG_ETCD_PASSWORD": "pw"]
        #expect(try servreg.run(["register", "a.B"], environment: alice).stdout == "1\n")
        #expect(try servreg.run(["get", "a.B", "-q"], environment: alice).stdout == "1\n")
        // A wrong password, no user, a prefix alice may not read: 77, saying which.
        var wrong = alice
        wrong["SERVREG_ETCD_PASSWORD"] = "nope"
        let refused = try servreg.run(["get", "a.B"], environment: wrong)
        #expect(refused.status == 77 && refused.stderr.contains("authentication failed"), "\(refused.stderr)")
        let anonymous = try servreg.run(["get", "a.B"], environment: ["SERVREG_STORE": store])
        #expect(anonymous.status == 77 && anonymous.stderr.contains("SERVREG_ETCD_USER"), "\(anonymous.stderr)")
        var elsewhere = alice
        elsewhere["SERVREG_STORE"] = "etcd://127.0.0.1:\(Self.port)/other"
        let denied = try servreg.run(["get-all"], environment: elsewhere)
        #expect(denied.status == 77 && denied.stderr.contains("permission denied"), "\(denied.stderr)")
        // A listener's token expires (1 s here) while it waits: it authenticates again.
        let listener = try ListenerProcess(
            ["a.C", "--json", "--count", "1", "--timeout", "20"], servreg: servreg, environment: alice)
        usleep(2_000_000)  // longer than the token lives: the point of the test, not a wait for a result
        #expect(try servreg.run(["register", "a.C"], environment: alice).status == 0)
        #expect(listener.waitForLines(1), "\(listener.stderr)")
        #expect(listener.events.first?["event"] as? String == "REGISTERED")
    }
}
