import Foundation
import RegistryTestSupport
import Testing

/// What a network does now and then, on demand (a `FaultProxy` in front of one member of the
/// test cluster): an answer that comes after the client gave up on it, another writer's
/// commit between a batch group's read and its commit.
@Suite(.enabled(if: EtcdCluster.hosts != nil, "SERVREG_ETCD_ENDPOINTS is unset: no etcd cluster to test against"))
struct EtcdFaultProxyTests {
    let servreg = ServregProcess()
    let prefix = "servreg-e2e/\(UUID().uuidString.lowercased())"

    /// The first member of the test cluster.
    private var member: (host: String, port: UInt16) {
        let first = (EtcdCluster.hosts ?? "").split(separator: ",").first ?? ""
        let parts = first.split(separator: ":")
        return (String(parts.first ?? "127.0.0.1"), UInt16(parts.last ?? "") ?? 1)
    }

    private var direct: String { "etcd://\(EtcdCluster.hosts ?? "")/\(prefix)" }

    /// A flag that is true once: the first time it is asked.
    private final class Once: @unchecked Sendable {
        private let lock = NSLock()
        private var asked = false
        func first() -> Bool {
            lock.withLock {
                defer { asked = true }
                return !asked
            }
        }
    }

    private static func isWrite(_ request: FaultProxy.Request) -> Bool {
        request.path == "/v3/kv/txn" && request.body.contains("request_put")
    }

    /// A write whose answer comes after the 2 s deadline: servreg closes that connection (the
    /// late answer must not be read as the next request's), finds by reading that its write
    /// was carried out, and says so; the write is never sent again.
    @Test func aWriteWhoseAnswerComesTooLateIsFoundByReadingAndNeverSentAgain() throws {
        let once = Once()
        let proxy = try FaultProxy(to: member.host, port: member.port) { request in
            Self.isWrite(request) && once.first() ? .delayReply(seconds: 3) : .forward
        }
        let store = "etcd://127.0.0.1:\(proxy.port)/\(prefix)"
        let result = try servreg.run(["register", "a.B", "--prop", "n=1"], environment: ["SERVREG_STORE": store])
        #expect(result.status == 0 && result.stdout == "1\n", "\(result.status) \(result.stderr)")
        #expect(proxy.requests.filter(Self.isWrite).count == 1, "the write was sent again")
        // Through the proxy and directly: the one service, once.
        for location in [store, direct] {
            let found = try servreg.run(["get", "a.B", "-q"], environment: ["SERVREG_STORE": location])
            #expect(found.stdout == "1\n", "\(location): \(found.stderr)")
        }
        // A shell's next command on the same process gets its own answer, not the late one.
        let session = try servreg.run(
            ["run", "-"], stdin: "register c.D\nget-all --count\n", environment: ["SERVREG_STORE": store])
        #expect(session.status == 0 && session.stdout == "2\n2\n", "\(session.stdout) \(session.stderr)")
    }

    /// Another writer commits between a batch group's read and its commit: the group runs
    /// again on what is there now, every line is said once, and what was printed is what
    /// was committed. When the re-run makes a line fail, the batch stops there (or, with
    /// --keep-going, goes on), and no line after it is lost or run twice.
    // One at a time: a process spawned by one case while the other's pipes are being set up
    // would hold them open.
    @Test(.serialized, arguments: [false, true])
    func aConflictReRunsTheGroupAndEveryLineIsSaidOnceAsCommitted(keepGoing: Bool) throws {
        let once = Once()
        let servreg = self.servreg
        let direct = self.direct
        // The foreign commit runs while the batch's commit waits (its deadline is 2 s): the
        // test process's first spawn is slow (about 1 s here), so it is not that one.
        _ = try servreg.run(["--version"])
        let proxy = try FaultProxy(to: member.host, port: member.port) { request in
            guard Self.isWrite(request), !request.body.contains("servreg-foreign"), once.first() else {
                return .forward
            }
            return .before {
                // Takes the name line 5 asks for: the batch's first commit no longer holds.
                _ = try? servreg.run(
                    ["register", "c.Foreign", "--name", "taken", "--prop", "who=servreg-foreign"],
                    environment: ["SERVREG_STORE": direct])
            }
        }
        let store = "etcd://127.0.0.1:\(proxy.port)/\(prefix)"
        var lines = (1...300).map { "register a.B --prop k=\($0)" }
        lines[4] = "register a.B --name taken --prop k=5"
        let batch = try servreg.run(
            ["run", "-"] + (keepGoing ? ["--keep-going"] : []), stdin: lines.joined(separator: "\n") + "\n",
            environment: ["SERVREG_STORE": store])
        #expect(batch.status != 0, "\(batch.stderr)")
        #expect(batch.stderr.contains("<stdin>:5:") && batch.stderr.contains("taken"), "\(batch.stderr)")
        #expect(batch.stderr.split(separator: "\n").count == 1, "\(batch.stderr)")
        let printed = batch.lines.compactMap(Int.init)
        #expect(printed.count == batch.lines.count)
        #expect(printed.count == (keepGoing ? 299 : 4), "\(printed.count) ids printed")
        #expect(Set(printed).count == printed.count, "an id printed twice")
        // Printed ⇒ committed, with the line's own property; nothing else of the batch's.
        let stored = try servreg.run(["get-all", "a.B", "--json"], environment: ["SERVREG_STORE": direct])
        let objects = (try? JSONSerialization.jsonObject(with: Data(stored.stdout.utf8)) as? [[String: Any]]) ?? []
        let ids = objects.compactMap { $0["service.id"] as? Int }
        #expect(Set(ids) == Set(printed), "printed \(printed.count), stored \(ids.count)")
        let properties = Set(objects.compactMap { $0["k"] as? Int })
        let expected = Set((1...(keepGoing ? 300 : 4)).filter { $0 != 5 })
        #expect(properties == expected)
        #expect(
            try servreg.run(["get", "c.Foreign", "-q"], environment: ["SERVREG_STORE": direct]).lines.count == 1)
        // The first group was committed twice over: once tried, refused, then run again.
        #expect(proxy.requests.filter(Self.isWrite).count >= 2)
    }
}
