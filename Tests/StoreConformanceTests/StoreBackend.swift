import Foundation
import RegistryEtcd
import RegistrySQLite
import RegistryTestSupport
import ServiceRegistry
import Testing

/// The stores the conformance suite runs against. A new store adds a case here and must
/// then pass every test of the suite.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory
    case sqlite
    /// A cluster named by `SERVREG_ETCD_ENDPOINTS` (`.ci/run` starts one): left out, and
    /// said so by `EtcdAvailability`, only when that is unset outside CI.
    case etcd

    /// The backends to run: etcd only when there is a cluster to run it on.
    static var allCases: [StoreBackend] {
        EtcdEndpoints.fromEnvironment == nil ? [.memory, .sqlite] : [.memory, .sqlite, .etcd]
    }

    var testDescription: String { rawValue }

    /// A place for one registry: every `open()` is another connection to it, as another
    /// process's would be.
    func makeLocation() -> StoreLocationFixture { StoreLocationFixture(backend: self) }
}

/// One registry of a backend, opened as often as a test needs.
final class StoreLocationFixture {
    let backend: StoreBackend
    private let directory = TemporaryDirectory()
    private let memory = MemoryStorage()

    init(backend: StoreBackend) { self.backend = backend }

    /// A new connection to the registry.
    func open() throws -> any RegistryStore {
        switch backend {
        case .memory: MemoryStore(storage: memory)
        case .sqlite: try SQLiteStore(path: directory.path + "/registry.db", access: .write)
        case .etcd:
            try EtcdStore(
                EtcdStore.Configuration(endpoints: EtcdEndpoints.fromEnvironment ?? [], prefix: etcdPrefix))
        }
    }

    /// A registry of its own for each fixture, in the one test cluster.
    private let etcdPrefix = "servreg-test/\(UInt64.random(in: 0...UInt64.max))"
}

/// The test cluster's client endpoints, from `SERVREG_ETCD_ENDPOINTS`
/// (`http://127.0.0.1:23791,…` as `.ci/etcd-cluster.sh` prints them).
enum EtcdEndpoints {
    static var fromEnvironment: [(host: String, port: UInt16)]? {
        guard let text = ProcessInfo.processInfo.environment["SERVREG_ETCD_ENDPOINTS"], !text.isEmpty else {
            return nil
        }
        return text.split(separator: ",").compactMap { item in
            var address = item.hasPrefix("http://") ? item.dropFirst(7) : item[...]
            if address.hasSuffix("/") { address = address.dropLast() }
            guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...])
            else { return nil }
            return (String(address[..<colon]), port)
        }
    }
}

/// Says when the etcd store's tests do not run, and fails in CI, where they must.
@Suite struct EtcdAvailability {
    @Test func etcdTestsRunInCI() {
        let environment = ProcessInfo.processInfo.environment
        if EtcdEndpoints.fromEnvironment == nil {
            #expect(
                environment["CI"] != "true",
                "CI must run the etcd store's tests: .ci/run sets SERVREG_ETCD_ENDPOINTS")
            if environment["CI"] != "true" {
                print("note: SERVREG_ETCD_ENDPOINTS is unset: the etcd store's tests are skipped")
            }
        }
    }
}
