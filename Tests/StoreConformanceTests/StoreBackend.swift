import Foundation
import RegistrySQLite
import RegistryTestSupport
import ServiceRegistry
import Testing

/// The stores the conformance suite runs against. A new store adds a case here and must
/// then pass every test of the suite.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case memory
    case sqlite

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
        }
    }
}
