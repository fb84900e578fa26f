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

    @Test func usersPasswordsPermissionsAndExpiringTokens() throws {
        let etcd = try OneMemberEtcd("etcd-auth", servreg: servreg, arguments: ["--auth-token-ttl", "1"])
        defer { etcd.stop() }
        let port = etcd.port
        for arguments in [
            ["user", "add", "root:rootpw"], ["user", "add", "alice:pw"], ["role", "add", "r"],
            ["role", "grant-permission", "r", "readwrite", "--prefix=true", "reg/"],
            ["user", "grant-role", "alice", "r"],
            ["auth", "enable"],
        ] {
            let (status, output) = try etcd.etcdctl(arguments)
            #expect(status == 0, "etcdctl \(arguments): \(output)")
        }
        let store = "etcd://127.0.0.1:\(port)/reg"
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
        elsewhere["SERVREG_STORE"] = "etcd://127.0.0.1:\(port)/other"
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
