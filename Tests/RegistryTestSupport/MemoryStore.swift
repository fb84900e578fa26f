import Foundation
import RegistryMemory
import ServiceRegistry

/// A store in memory that keeps the whole store contract: the registry's rules can be
/// tested without SQLite, and the conformance suite holds SQLite to the same behaviour.
/// Stores opened on one `MemoryStorage` are connections to one registry.
public final class MemoryStore: RegistryStore {
    private let storage: MemoryStorage
    private var inWrite = false
    private var inBatch = false

    /// A connection to `storage` (a new, empty registry by default).
    public init(storage: MemoryStorage = MemoryStorage()) {
        self.storage = storage
    }

    public let capabilities = StoreCapabilities(batches: true, reRunsBodies: false)

    /// The services registered now, by id (for assertions).
    public var services: [ServiceID: ServiceRecord] { storage.locked { $0.services } }

    public func read<T>(_ body: (any RegistryReader) throws -> T) throws -> T {
        try storage.locked { state in try body(state.reader) }
    }

    public func write<T>(_ body: (any RegistryWriter) throws -> T) throws -> T {
        if inWrite || inBatch { throw RegistryError.batchUnavailable(.nested) }
        inWrite = true
        defer { inWrite = false }
        return try storage.transaction { state in try body(state.writer) }
    }

    public func batch<T>(_ steps: BatchSteps, _ body: (any StoreTransactions) throws -> T) throws -> T {
        if inWrite || inBatch { throw RegistryError.batchUnavailable(.nested) }
        inBatch = true
        defer { inBatch = false }
        return try storage.transaction { state in
            let scope = RegistryState.BatchScope(state: state, undoesSteps: steps == .undoneAlone)
            let result = try body(scope)
            if scope.brokenStep { throw RegistryError.batchUnavailable(.brokenStep) }
            return result
        }
    }

    public func changeSignal() throws -> any ChangeSignal { MemorySignal(storage: storage) }

    public func close() throws {}
}

/// The registry that `MemoryStore` connections share.
public final class MemoryStorage: @unchecked Sendable {
    typealias State = RegistryState

    private let condition = NSCondition()
    private let state = RegistryState()
    private var generation = 0

    /// A new, empty registry.
    public init() {}

    func locked<T>(_ work: (State) throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try work(state)
    }

    /// Runs `work` with exclusive access; undoes it when it throws, wakes waiters when it
    /// changed something.
    func transaction<T>(_ work: (State) throws -> T) throws -> T {
        condition.lock()
        defer { condition.unlock() }
        let saved = state.copy()
        do {
            let result = try work(state)
            if state.lastSequence != saved.lastSequence || state.uses != saved.uses {
                generation += 1
                condition.broadcast()
            }
            return result
        } catch {
            state.restore(saved)
            throw error
        }
    }

    /// Waits until the generation differs from `seen`, `woken()` says so, or the deadline.
    func wait(after seen: Int, until deadline: Date, woken: () -> Bool) -> Int? {
        condition.lock()
        defer { condition.unlock() }
        while generation == seen {
            if woken() { return nil }
            if !condition.wait(until: min(deadline, Date().addingTimeInterval(0.01))), Date() >= deadline {
                return nil
            }
        }
        return generation
    }

    var currentGeneration: Int { locked { _ in generation } }
}

/// A memory store's change signal: wakes on every commit of any connection.
private final class MemorySignal: ChangeSignal {
    private final class Waker: ChangeWaker, @unchecked Sendable {
        private let lock = NSLock()
        private var pending = false

        func wake() { lock.withLock { pending = true } }

        func take() -> Bool {
            lock.withLock {
                defer { pending = false }
                return pending
            }
        }
    }

    private let storage: MemoryStorage
    private let memoryWaker = Waker()
    private var seen: Int
    var waker: any ChangeWaker { memoryWaker }

    init(storage: MemoryStorage) {
        self.storage = storage
        seen = storage.currentGeneration
    }

    func wait(timeout: Double) throws -> ChangeWake {
        var wasWoken = false
        let next = storage.wait(after: seen, until: Date().addingTimeInterval(timeout)) {
            wasWoken = memoryWaker.take()
            return wasWoken
        }
        if let next {
            seen = next
            return .changed
        }
        return wasWoken ? .woken : .timedOut
    }
}
