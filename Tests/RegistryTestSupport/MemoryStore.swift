import Foundation
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
        try storage.locked { state in try body(Snapshot(state: state)) }
    }

    public func write<T>(_ body: (any RegistryWriter) throws -> T) throws -> T {
        if inWrite || inBatch { throw RegistryError.batchUnavailable(.nested) }
        inWrite = true
        defer { inWrite = false }
        return try storage.transaction { state in try body(Writer(state: state)) }
    }

    public func batch<T>(_ steps: BatchSteps, _ body: (any StoreTransactions) throws -> T) throws -> T {
        if inWrite || inBatch { throw RegistryError.batchUnavailable(.nested) }
        inBatch = true
        defer { inBatch = false }
        return try storage.transaction { state in
            let scope = BatchScope(state: state, undoesSteps: steps == .undoneAlone)
            let result = try body(scope)
            if scope.brokenStep { throw RegistryError.batchUnavailable(.brokenStep) }
            return result
        }
    }

    public func changeSignal() throws -> any ChangeSignal { MemorySignal(storage: storage) }

    public func close() throws {}

    /// The reads and writes of an open batch: each write undone alone when it throws, or
    /// (all or nothing) left half done, which the batch then refuses to commit.
    private final class BatchScope: StoreTransactions {
        let state: MemoryStorage.State
        let undoesSteps: Bool
        private(set) var brokenStep = false

        init(state: MemoryStorage.State, undoesSteps: Bool) {
            self.state = state
            self.undoesSteps = undoesSteps
        }

        func read<T>(_ body: (any RegistryReader) throws -> T) throws -> T { try body(Snapshot(state: state)) }

        func write<T>(_ body: (any RegistryWriter) throws -> T) throws -> T {
            if brokenStep { throw RegistryError.batchUnavailable(.brokenStep) }
            guard undoesSteps else {
                do { return try body(Writer(state: state)) } catch {
                    brokenStep = true
                    throw error
                }
            }
            let saved = state.copy()
            do { return try body(Writer(state: state)) } catch {
                state.restore(saved)
                throw error
            }
        }
    }
}

/// The registry that `MemoryStore` connections share.
public final class MemoryStorage: @unchecked Sendable {
    /// Everything stored, copied for rollbacks.
    final class State {
        var services: [ServiceID: ServiceRecord] = [:]
        var log: [ServiceChange] = []
        var nextID: ServiceID = 1
        var markers: [String: Int64] = [:]
        var uses: [ServiceID: [String: ServiceUse]] = [:]
        var releases: [PendingRelease] = []
        var nextRelease: Int64 = 1
        var policies: [StoredPolicy] = []
        var generation = 0

        typealias Saved = (
            services: [ServiceID: ServiceRecord], log: [ServiceChange], nextID: ServiceID, markers: [String: Int64],
            uses: [ServiceID: [String: ServiceUse]], releases: [PendingRelease], nextRelease: Int64,
            policies: [StoredPolicy]
        )

        func copy() -> Saved { (services, log, nextID, markers, uses, releases, nextRelease, policies) }

        func restore(_ saved: Saved) {
            (services, log, nextID, markers, uses, releases, nextRelease, policies) = saved
        }
    }

    private let condition = NSCondition()
    private let state = State()

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
            if state.log.count != saved.log.count || state.uses != saved.uses {
                state.generation += 1
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
        while state.generation == seen {
            if woken() { return nil }
            if !condition.wait(until: min(deadline, Date().addingTimeInterval(0.01))), Date() >= deadline {
                return nil
            }
        }
        return state.generation
    }

    var generation: Int { locked { $0.generation } }
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
        seen = storage.generation
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

/// Reads of one state.
private struct Snapshot: RegistryReader {
    let state: MemoryStorage.State

    func service(id: ServiceID) throws -> ServiceRecord? { state.services[id] }

    func service(named name: String) throws -> ServiceRecord? {
        state.services.values.first { $0.name == name }
    }

    func expiredServices(at instant: Int64, limit: Int) throws -> [ServiceRecord] {
        let expired = state.services.values.filter { ($0.lease?.expires ?? Int64.max) <= instant }
        return Array(expired.sorted { ($0.lease!.expires, $0.id) < ($1.lease!.expires, $1.id) }.prefix(limit))
    }

    func nextExpiry() throws -> Int64? { state.services.values.compactMap { $0.lease?.expires }.min() }

    func forEachMortalService(
        specification: String?, ownedOnly: Bool, _ body: (ServiceRecord) throws -> Bool
    ) throws {
        for record in state.services.values.sorted(by: { $0.id < $1.id })
        where (ownedOnly ? record.owner != nil : record.isMortal)
            && (specification.map(record.specifications.contains) ?? true)
        {
            if try !body(record) { return }
        }
    }

    func marker(_ name: String) throws -> Int64? { state.markers[name] }
    func policies() throws -> [StoredPolicy] { state.policies }

    func uses(of service: ServiceID) throws -> [ServiceUse] {
        (state.uses[service] ?? [:]).values.sorted { $0.client < $1.client }
    }

    func use(of service: ServiceID, client: String) throws -> ServiceUse? { state.uses[service]?[client] }

    func pendingReleases(limit: Int) throws -> [PendingRelease] { Array(state.releases.prefix(limit)) }

    func serviceNames(prefix: String, limit: Int) throws -> [String] {
        Array(state.services.values.compactMap(\.name).filter { $0.hasPrefix(prefix) }.sorted().prefix(limit))
    }

    func forEachService(matching query: ServiceQuery, _ body: (ServiceRecord) throws -> Bool) throws {
        for record in state.services.values.sorted(by: ServiceOrder.rankingPrecedes) where query.matches(record) {
            if try !body(record) { return }
        }
    }

    func forEachDependent(on targets: [Requirement.Target]?, _ body: (ServiceRecord) throws -> Bool) throws {
        for record in state.services.values.sorted(by: { $0.id < $1.id }) where !record.requirements.isEmpty {
            if let targets, !record.requirements.contains(where: { targets.contains($0.target) }) { continue }
            if try !body(record) { return }
        }
    }

    func forEachDependentSummary(on targets: [Requirement.Target], _ body: (DependentSummary) throws -> Bool) throws {
        try forEachDependent(on: targets) { record in
            try body(
                DependentSummary(
                    id: record.id, requirements: record.requirements.map(\.text), satisfied: record.satisfied))
        }
    }

    func forEachUnsatisfiedService(specification: String?, _ body: (ServiceRecord) throws -> Bool) throws {
        for record in state.services.values.sorted(by: { $0.id < $1.id })
        where !record.satisfied && (specification.map(record.specifications.contains) ?? true) {
            if try !body(record) { return }
        }
    }

    func forEachService(fromSource source: String, _ body: (ServiceRecord) throws -> Bool) throws {
        for record in state.services.values.sorted(by: { $0.id < $1.id }) where record.source == source {
            if try !body(record) { return }
        }
    }

    func countServices(specification: String?) throws -> Int {
        state.services.values.filter { record in specification.map(record.specifications.contains) ?? true }.count
    }

    func specificationNames(prefix: String, limit: Int) throws -> [String] {
        let names = Set(state.services.values.flatMap(\.specifications)).filter { $0.hasPrefix(prefix) }
        return Array(names.sorted().prefix(limit))
    }

    func lastServiceID() throws -> ServiceID { state.nextID - 1 }

    func serviceIDs(prefix: String, limit: Int) throws -> [ServiceID] {
        Array(state.services.keys.filter { String($0).hasPrefix(prefix) }.sorted().prefix(limit))
    }

    func propertyKeys(specification: String?, prefix: String, limit: Int) throws -> [String] {
        let keys = state.services.values
            .filter { record in specification.map(record.specifications.contains) ?? true }
            .flatMap { $0.properties.entries.map(\.foldedKey) }
        return Array(Set(keys).filter { $0.hasPrefix(PropertyKey.fold(prefix)) }.sorted().prefix(limit))
    }

    func latestSequence() throws -> Int64 { state.log.last?.sequence ?? 0 }

    func changes(after sequence: Int64, limit: Int) throws -> [ServiceChange] {
        let latest = try latestSequence()
        if sequence > latest { throw RegistryError.resyncNeeded(after: sequence, .ahead(latest: latest)) }
        return Array(state.log.filter { $0.sequence > sequence }.prefix(limit))
    }
}

/// Writes to one state: each change appends its event.
private struct Writer: RegistryWriter {
    let state: MemoryStorage.State
    private var reader: Snapshot { Snapshot(state: state) }

    init(state: MemoryStorage.State) { self.state = state }

    func service(id: ServiceID) throws -> ServiceRecord? { try reader.service(id: id) }
    func service(named name: String) throws -> ServiceRecord? { try reader.service(named: name) }
    func expiredServices(at instant: Int64, limit: Int) throws -> [ServiceRecord] {
        try reader.expiredServices(at: instant, limit: limit)
    }
    func nextExpiry() throws -> Int64? { try reader.nextExpiry() }
    func forEachMortalService(
        specification: String?, ownedOnly: Bool, _ body: (ServiceRecord) throws -> Bool
    ) throws {
        try reader.forEachMortalService(specification: specification, ownedOnly: ownedOnly, body)
    }
    func marker(_ name: String) throws -> Int64? { try reader.marker(name) }
    func policies() throws -> [StoredPolicy] { try reader.policies() }
    func uses(of service: ServiceID) throws -> [ServiceUse] { try reader.uses(of: service) }
    func use(of service: ServiceID, client: String) throws -> ServiceUse? {
        try reader.use(of: service, client: client)
    }
    func pendingReleases(limit: Int) throws -> [PendingRelease] { try reader.pendingReleases(limit: limit) }
    func setUse(_ use: ServiceUse, of service: ServiceID) throws { state.uses[service, default: [:]][use.client] = use }
    func deleteUse(of service: ServiceID, client: String) throws {
        state.uses[service]?[client] = nil
        if state.uses[service]?.isEmpty == true { state.uses[service] = nil }
    }
    func queueRelease(_ release: PendingRelease) throws -> PendingRelease {
        var queued = release
        queued.number = state.nextRelease
        state.nextRelease += 1
        state.releases.append(queued)
        return queued
    }
    func deleteRelease(_ number: Int64) throws { state.releases.removeAll { $0.number == number } }
    func serviceNames(prefix: String, limit: Int) throws -> [String] {
        try reader.serviceNames(prefix: prefix, limit: limit)
    }
    func setMarker(_ name: String, _ value: Int64) throws { state.markers[name] = value }

    func setPolicy(_ policy: StoredPolicy) throws {
        if let index = state.policies.firstIndex(where: { $0.kind == policy.kind && $0.key == policy.key }) {
            state.policies[index] = policy
        } else {
            state.policies.append(policy)
        }
    }

    func deletePolicy(_ kind: StoredPolicy.Kind, key: String) throws -> Bool {
        guard let index = state.policies.firstIndex(where: { $0.kind == kind && $0.key == key }) else { return false }
        state.policies.remove(at: index)
        return true
    }
    func forEachService(matching query: ServiceQuery, _ body: (ServiceRecord) throws -> Bool) throws {
        try reader.forEachService(matching: query, body)
    }
    func countServices(specification: String?) throws -> Int { try reader.countServices(specification: specification) }
    func forEachDependent(on targets: [Requirement.Target]?, _ body: (ServiceRecord) throws -> Bool) throws {
        try reader.forEachDependent(on: targets, body)
    }
    func forEachUnsatisfiedService(specification: String?, _ body: (ServiceRecord) throws -> Bool) throws {
        try reader.forEachUnsatisfiedService(specification: specification, body)
    }
    func forEachDependentSummary(on targets: [Requirement.Target], _ body: (DependentSummary) throws -> Bool) throws {
        try reader.forEachDependentSummary(on: targets, body)
    }
    func forEachService(fromSource source: String, _ body: (ServiceRecord) throws -> Bool) throws {
        try reader.forEachService(fromSource: source, body)
    }
    func specificationNames(prefix: String, limit: Int) throws -> [String] {
        try reader.specificationNames(prefix: prefix, limit: limit)
    }
    func serviceIDs(prefix: String, limit: Int) throws -> [ServiceID] {
        try reader.serviceIDs(prefix: prefix, limit: limit)
    }
    func lastServiceID() throws -> ServiceID { try reader.lastServiceID() }
    func propertyKeys(specification: String?, prefix: String, limit: Int) throws -> [String] {
        try reader.propertyKeys(specification: specification, prefix: prefix, limit: limit)
    }
    func latestSequence() throws -> Int64 { try reader.latestSequence() }
    func changes(after sequence: Int64, limit: Int) throws -> [ServiceChange] {
        try reader.changes(after: sequence, limit: limit)
    }

    func insert(id: ServiceID?, _ service: NewService) throws -> ServiceRecord {
        if let name = service.name, state.services.values.contains(where: { $0.name == name }) {
            throw StoreError(.failed, location: "memory", detail: "UNIQUE constraint failed: service.name")
        }
        let record = ServiceRecord(
            id: id ?? state.nextID, specifications: service.specifications, ranking: service.ranking,
            scope: service.scope, properties: service.properties, name: service.name,
            revision: (state.log.last?.sequence ?? 0) + 1, lease: service.lease, owner: service.owner,
            value: service.value, factory: service.factory, release: service.release,
            registeredBy: service.registeredBy, requirements: service.requirements, satisfied: service.satisfied,
            source: service.source)
        state.nextID = max(state.nextID, record.id + 1)
        state.services[record.id] = record
        append(.registered, record, old: nil, new: record, reason: nil, hidden: !record.satisfied)
        return record
    }

    func reserveServiceIDs(through id: ServiceID) throws {
        state.nextID = max(state.nextID, id + 1)
    }

    func update(_ record: ServiceRecord, previous: ServiceRecord, logEvent: Bool) throws -> ServiceRecord {
        var record = record
        record.satisfied = previous.satisfied
        if logEvent { record.revision = (state.log.last?.sequence ?? 0) + 1 }
        state.services[record.id] = record
        if logEvent {
            append(.modified, record, old: previous, new: record, reason: nil, hidden: !record.satisfied)
        }
        return record
    }

    func setState(_ record: ServiceRecord, reason: String?) throws -> ServiceRecord {
        guard var stored = state.services[record.id] else { return record }
        stored.satisfied = record.satisfied
        stored.revision = (state.log.last?.sequence ?? 0) + 1
        state.services[record.id] = stored
        if stored.satisfied {
            append(.registered, stored, old: nil, new: stored, reason: nil)
        } else {
            append(.unregistered, stored, old: stored, new: nil, reason: reason)
        }
        return stored
    }

    func delete(_ record: ServiceRecord, reason: String) throws {
        state.services[record.id] = nil
        state.uses[record.id] = nil
        append(.unregistered, record, old: record, new: nil, reason: reason, hidden: !record.satisfied)
    }

    private func append(
        _ kind: ServiceChange.Kind, _ record: ServiceRecord, old: ServiceRecord?, new: ServiceRecord?, reason: String?,
        hidden: Bool = false
    ) {
        state.log.append(
            ServiceChange(
                sequence: (state.log.last?.sequence ?? 0) + 1, kind: kind, serviceID: record.id,
                specifications: record.specifications, oldProperties: old.map(LoggedProperties.init),
                newProperties: new.map(LoggedProperties.init),
                time: Date().timeIntervalSince1970, reason: reason, hidden: hidden))
    }
}
