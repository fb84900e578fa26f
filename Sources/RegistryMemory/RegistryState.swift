import Foundation
import ServiceRegistry

/// A whole registry held in memory, with the store contract's reads and writes over it:
/// what a store that works on a copy of the registry runs a transaction's body against
/// (the etcd store loads one per snapshot and writes back what the body touched), and the
/// tests' in-memory store.
///
/// The event log need not be held whole: `log` has the changes this state holds (all of
/// them in memory; for a loaded copy, those of the transaction), `olderChanges` reads the
/// ones before them.
public final class RegistryState {
    /// The services, by id (changed through `setService`, which keeps the indexes).
    public private(set) var services: [ServiceID: ServiceRecord] = [:]
    /// What the reads look services up by, besides their id.
    private var indexes = Indexes()
    /// What the running step changed first, to put back if it fails (a batch's step).
    private var stepUndo: StepUndo?
    /// The changes held here, oldest first (see the type's note).
    public var log: [ServiceChange] = []
    /// The newest change's sequence number (0 before the first).
    public var lastSequence: Int64 = 0
    /// The id the next new service gets.
    public var nextID: ServiceID = 1
    /// The numbers the core keeps under names.
    public var markers: [String: Int64] = [:]
    /// The clients' uses of services, by service and client (changed through `setUse`, which
    /// a batch step can undo).
    public private(set) var uses: [ServiceID: [String: ServiceUse]] = [:]
    /// The release queue, oldest first.
    public var releases: [PendingRelease] = []
    /// The queue number of the next release.
    public var nextRelease: Int64 = 1
    /// The hooks and schemas, in the order they were first set.
    public var policies: [StoredPolicy] = []
    /// Reads the logged changes after a sequence number (at most a limit) that `log` does
    /// not hold; nil when `log` holds them all.
    public var olderChanges: ((Int64, Int) throws -> [ServiceChange])?

    /// What writes touched since the state was made or `clearTouched()`: the keys whose
    /// values a copy must write back (a step undone later may have put a key back as it was).
    public private(set) var touched = Touched()

    /// The keys writes touched.
    public struct Touched: Sendable {
        /// Services written or deleted.
        public var services: Set<ServiceID> = []
        /// Uses set or forgotten.
        public var uses: Set<UseKey> = []
        /// Releases queued or taken off.
        public var releases: Set<Int64> = []
        /// Markers set.
        public var markers: Set<String> = []
        /// Whether a hook or schema was set or removed.
        public var policies = false
        /// Whether a counter (sequence, ids, release numbers) moved.
        public var counters = false

        /// Whether nothing was touched.
        public var isEmpty: Bool {
            services.isEmpty && uses.isEmpty && releases.isEmpty && markers.isEmpty && !policies && !counters
        }
    }

    /// One client's use of one service.
    public struct UseKey: Hashable, Sendable {
        /// The service used.
        public var service: ServiceID
        /// The client using it.
        public var client: String

        /// `client`'s use of `service`.
        public init(service: ServiceID, client: String) {
            self.service = service
            self.client = client
        }
    }

    /// The services by name, by specification, and the few with requirements, a lease or
    /// an owner, or unsatisfied: reads go through these instead of every service.
    struct Indexes {
        var names: [String: ServiceID] = [:]
        var bySpecification: [String: Set<ServiceID>] = [:]
        var dependents: Set<ServiceID> = []
        var mortal: Set<ServiceID> = []
        var unsatisfied: Set<ServiceID> = []

        mutating func add(_ record: ServiceRecord) {
            if let name = record.name { names[name] = record.id }
            for specification in record.specifications { bySpecification[specification, default: []].insert(record.id) }
            if !record.requirements.isEmpty { dependents.insert(record.id) }
            if record.isMortal { mortal.insert(record.id) }
            if !record.satisfied { unsatisfied.insert(record.id) }
        }

        mutating func remove(_ record: ServiceRecord) {
            if let name = record.name, names[name] == record.id { names[name] = nil }
            for specification in record.specifications {
                bySpecification[specification]?.remove(record.id)
                if bySpecification[specification]?.isEmpty == true { bySpecification[specification] = nil }
            }
            dependents.remove(record.id)
            mortal.remove(record.id)
            unsatisfied.remove(record.id)
        }
    }

    /// What a step changed, as it was before: services and uses by the first old value,
    /// the small rest whole.
    struct StepUndo {
        var services: [ServiceID: ServiceRecord?] = [:]
        var uses: [ServiceID: [String: ServiceUse]?] = [:]
        let logCount: Int
        let lastSequence: Int64
        let nextID: ServiceID
        let markers: [String: Int64]
        let releases: [PendingRelease]
        let nextRelease: Int64
        let policies: [StoredPolicy]
    }

    /// An empty registry.
    public init() {}

    /// Puts `record` in as service `id`, or takes that service out (nil), keeping the
    /// indexes (and, in a step, what it was).
    public func setService(_ id: ServiceID, _ record: ServiceRecord?) {
        let old = services[id]
        if stepUndo != nil, stepUndo?.services.keys.contains(id) == false { stepUndo?.services[id] = .some(old) }
        if let old { indexes.remove(old) }
        services[id] = record
        if let record { indexes.add(record) }
    }

    /// Sets (or with nil forgets) `client`'s use of `service`.
    public func setUse(_ use: ServiceUse?, of service: ServiceID, client: String) {
        if stepUndo != nil, stepUndo?.uses.keys.contains(service) == false {
            stepUndo?.uses[service] = .some(uses[service])
        }
        uses[service, default: [:]][client] = use
        if uses[service]?.isEmpty == true { uses[service] = nil }
    }

    /// Forgets every use of `service`.
    func removeUses(of service: ServiceID) {
        guard uses[service] != nil else { return }
        if stepUndo != nil, stepUndo?.uses.keys.contains(service) == false {
            stepUndo?.uses[service] = .some(uses[service])
        }
        uses[service] = nil
    }

    /// Starts a step that `undoStep` can take back (without copying the services).
    func beginStep() {
        stepUndo = StepUndo(
            logCount: log.count, lastSequence: lastSequence, nextID: nextID, markers: markers, releases: releases,
            nextRelease: nextRelease, policies: policies)
    }

    /// Ends the step, keeping what it did.
    func endStep() { stepUndo = nil }

    /// Puts back what the step changed (`touched` keeps growing).
    func undoStep() {
        guard let undo = stepUndo else { return }
        stepUndo = nil
        for (id, old) in undo.services { setService(id, old) }
        for (service, old) in undo.uses { uses[service] = old }
        log.removeSubrange(undo.logCount...)
        lastSequence = undo.lastSequence
        nextID = undo.nextID
        markers = undo.markers
        releases = undo.releases
        nextRelease = undo.nextRelease
        policies = undo.policies
    }

    /// Forgets what was touched (after a copy is written back).
    public func clearTouched() { touched = Touched() }

    /// Everything but what was touched, for undoing a step.
    public struct Saved {
        fileprivate let services: [ServiceID: ServiceRecord]
        fileprivate let indexes: Indexes
        fileprivate let log: [ServiceChange]
        /// The newest change's sequence number then.
        public let lastSequence: Int64
        fileprivate let nextID: ServiceID
        fileprivate let markers: [String: Int64]
        /// The uses then.
        public let uses: [ServiceID: [String: ServiceUse]]
        fileprivate let releases: [PendingRelease]
        fileprivate let nextRelease: Int64
        fileprivate let policies: [StoredPolicy]
    }

    /// Everything this state holds (but `touched`); copied only where changed later.
    public func copy() -> Saved {
        Saved(
            services: services, indexes: indexes, log: log, lastSequence: lastSequence, nextID: nextID,
            markers: markers, uses: uses, releases: releases, nextRelease: nextRelease, policies: policies)
    }

    /// Puts back what `copy()` returned (`touched` keeps growing).
    public func restore(_ saved: Saved) {
        services = saved.services
        indexes = saved.indexes
        log = saved.log
        lastSequence = saved.lastSequence
        nextID = saved.nextID
        markers = saved.markers
        uses = saved.uses
        releases = saved.releases
        nextRelease = saved.nextRelease
        policies = saved.policies
    }

    /// The reads of this state.
    public var reader: any RegistryReader { Reader(state: self) }
    /// The writes to this state: each change appends its event to `log`.
    public var writer: any RegistryWriter { Writer(state: self) }

    /// The reads and writes of a batch open on a state: each write a step, undone alone
    /// when it throws, or (all or nothing) left half done, which the batch then refuses to
    /// commit (`brokenStep`). `checkStep` judges each step once it ran (a store that bounds
    /// a batch's size); it is told whether the batch held nothing before the step.
    public final class BatchScope: StoreTransactions {
        /// The state the steps change.
        public let state: RegistryState
        /// Whether a failed step is undone alone (else the batch is broken).
        public let undoesSteps: Bool
        private let checkStep: ((RegistryState, _ first: Bool) throws -> Void)?
        /// Whether a step failed in an all-or-nothing batch.
        public private(set) var brokenStep = false

        /// A batch on `state`.
        public init(
            state: RegistryState, undoesSteps: Bool,
            checkStep: ((RegistryState, _ first: Bool) throws -> Void)? = nil
        ) {
            self.state = state
            self.undoesSteps = undoesSteps
            self.checkStep = checkStep
        }

        /// Reads the batch so far.
        public func read<T>(_ body: (any RegistryReader) throws -> T) throws -> T { try body(state.reader) }

        /// One step.
        public func write<T>(_ body: (any RegistryWriter) throws -> T) throws -> T {
            if brokenStep { throw RegistryError.batchUnavailable(.brokenStep) }
            let first = state.touched.isEmpty
            guard undoesSteps else {
                do {
                    let result = try body(state.writer)
                    try checkStep?(state, first)
                    return result
                } catch {
                    brokenStep = true
                    throw error
                }
            }
            state.beginStep()
            do {
                let result = try body(state.writer)
                try checkStep?(state, first)
                state.endStep()
                return result
            } catch {
                state.undoStep()
                throw error
            }
        }
    }

    /// Reads of one state.
    struct Reader: RegistryReader {
        let state: RegistryState

        func service(id: ServiceID) throws -> ServiceRecord? { state.services[id] }

        func service(named name: String) throws -> ServiceRecord? {
            state.indexes.names[name].flatMap { state.services[$0] }
        }

        /// The services of the ids in `ids`, in id order.
        private func records(_ ids: Set<ServiceID>) -> [ServiceRecord] {
            ids.sorted().compactMap { state.services[$0] }
        }

        func expiredServices(at instant: Int64, limit: Int) throws -> [ServiceRecord] {
            let expired = records(state.indexes.mortal).compactMap { record -> (Int64, ServiceRecord)? in
                guard let expires = record.lease?.expires, expires <= instant else { return nil }
                return (expires, record)
            }
            return expired.sorted { ($0.0, $0.1.id) < ($1.0, $1.1.id) }.prefix(limit).map(\.1)
        }

        func nextExpiry() throws -> Int64? {
            state.indexes.mortal.compactMap { state.services[$0]?.lease?.expires }.min()
        }

        func forEachMortalService(
            specification: String?, ownedOnly: Bool, _ body: (ServiceRecord) throws -> Bool
        ) throws {
            for record in records(state.indexes.mortal)
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

        func use(of service: ServiceID, client: String) throws -> ServiceUse? {
            state.uses[service]?[client]
        }

        func pendingReleases(limit: Int) throws -> [PendingRelease] { Array(state.releases.prefix(limit)) }

        func serviceNames(prefix: String, limit: Int) throws -> [String] {
            Array(state.indexes.names.keys.filter { $0.hasPrefix(prefix) }.sorted().prefix(limit))
        }

        func forEachService(matching query: ServiceQuery, _ body: (ServiceRecord) throws -> Bool) throws {
            // The candidates matched first, then only those ordered.
            let matching: [ServiceRecord]
            if let specification = query.specification {
                matching = (state.indexes.bySpecification[specification] ?? []).compactMap { state.services[$0] }
                    .filter(query.matches)
            } else {
                matching = state.services.values.filter(query.matches)
            }
            for record in matching.sorted(by: ServiceOrder.rankingPrecedes) {
                if try !body(record) { return }
            }
        }

        func forEachDependent(
            on targets: [Requirement.Target]?, _ body: (ServiceRecord) throws -> Bool
        ) throws {
            for record in records(state.indexes.dependents) {
                if let targets, !record.requirements.contains(where: { targets.contains($0.target) }) { continue }
                if try !body(record) { return }
            }
        }

        func forEachDependentSummary(
            on targets: [Requirement.Target], _ body: (DependentSummary) throws -> Bool
        ) throws {
            try forEachDependent(on: targets) { record in
                try body(
                    DependentSummary(
                        id: record.id, requirements: record.requirements.map(\.text), satisfied: record.satisfied))
            }
        }

        func forEachUnsatisfiedService(
            specification: String?, _ body: (ServiceRecord) throws -> Bool
        ) throws {
            for record in records(state.indexes.unsatisfied)
            where specification.map(record.specifications.contains) ?? true {
                if try !body(record) { return }
            }
        }

        func forEachService(fromSource source: String, _ body: (ServiceRecord) throws -> Bool) throws {
            for record in state.services.values.sorted(by: { $0.id < $1.id }) where record.source == source {
                if try !body(record) { return }
            }
        }

        func countServices(specification: String?) throws -> Int {
            guard let specification else { return state.services.count }
            return state.indexes.bySpecification[specification]?.count ?? 0
        }

        func specificationNames(prefix: String, limit: Int) throws -> [String] {
            Array(state.indexes.bySpecification.keys.filter { $0.hasPrefix(prefix) }.sorted().prefix(limit))
        }

        func lastServiceID() throws -> ServiceID { state.nextID - 1 }

        func serviceIDs(prefix: String, limit: Int) throws -> [ServiceID] {
            Array(state.services.keys.filter { String($0).hasPrefix(prefix) }.sorted().prefix(limit))
        }

        func propertyKeys(specification: String?, prefix: String, limit: Int) throws -> [String] {
            let candidates =
                specification.map { (state.indexes.bySpecification[$0] ?? []).compactMap { state.services[$0] } }
                ?? Array(state.services.values)
            let keys =
                candidates
                .flatMap { $0.properties.entries.map(\.foldedKey) }
            return Array(Set(keys).filter { $0.hasPrefix(PropertyKey.fold(prefix)) }.sorted().prefix(limit))
        }

        func latestSequence() throws -> Int64 { state.lastSequence }

        func changes(after sequence: Int64, limit: Int) throws -> [ServiceChange] {
            let latest = state.lastSequence
            if sequence > latest { throw RegistryError.resyncNeeded(after: sequence, .ahead(latest: latest)) }
            var found: [ServiceChange] = []
            if let older = state.olderChanges, sequence < (state.log.first?.sequence ?? latest + 1) - 1 {
                found = try older(sequence, limit)
            }
            let after = found.last?.sequence ?? sequence
            for change in state.log where change.sequence > after {
                if found.count >= limit { break }
                found.append(change)
            }
            return found
        }
    }

    /// Writes to one state: each change appends its event.
    struct Writer: RegistryWriter {
        let state: RegistryState
        private var reader: Reader { Reader(state: state) }

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
        func pendingReleases(limit: Int) throws -> [PendingRelease] {
            try reader.pendingReleases(limit: limit)
        }
        func serviceNames(prefix: String, limit: Int) throws -> [String] {
            try reader.serviceNames(prefix: prefix, limit: limit)
        }
        func forEachService(matching query: ServiceQuery, _ body: (ServiceRecord) throws -> Bool) throws {
            try reader.forEachService(matching: query, body)
        }
        func countServices(specification: String?) throws -> Int {
            try reader.countServices(specification: specification)
        }
        func forEachDependent(
            on targets: [Requirement.Target]?, _ body: (ServiceRecord) throws -> Bool
        ) throws {
            try reader.forEachDependent(on: targets, body)
        }
        func forEachUnsatisfiedService(
            specification: String?, _ body: (ServiceRecord) throws -> Bool
        ) throws {
            try reader.forEachUnsatisfiedService(specification: specification, body)
        }
        func forEachDependentSummary(
            on targets: [Requirement.Target], _ body: (DependentSummary) throws -> Bool
        ) throws {
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

        func setUse(_ use: ServiceUse, of service: ServiceID) throws {
            state.setUse(use, of: service, client: use.client)
            state.touched.uses.insert(UseKey(service: service, client: use.client))
        }

        func deleteUse(of service: ServiceID, client: String) throws {
            state.setUse(nil, of: service, client: client)
            state.touched.uses.insert(UseKey(service: service, client: client))
        }

        func queueRelease(_ release: PendingRelease) throws -> PendingRelease {
            var queued = release
            queued.number = state.nextRelease
            state.nextRelease += 1
            state.releases.append(queued)
            state.touched.releases.insert(queued.number)
            state.touched.counters = true
            return queued
        }

        func deleteRelease(_ number: Int64) throws {
            state.releases.removeAll { $0.number == number }
            state.touched.releases.insert(number)
        }

        func setMarker(_ name: String, _ value: Int64) throws {
            state.markers[name] = value
            state.touched.markers.insert(name)
        }

        func setPolicy(_ policy: StoredPolicy) throws {
            if let index = state.policies.firstIndex(where: { $0.kind == policy.kind && $0.key == policy.key }) {
                state.policies[index] = policy
            } else {
                state.policies.append(policy)
            }
            state.touched.policies = true
        }

        func deletePolicy(_ kind: StoredPolicy.Kind, key: String) throws -> Bool {
            guard let index = state.policies.firstIndex(where: { $0.kind == kind && $0.key == key }) else {
                return false
            }
            state.policies.remove(at: index)
            state.touched.policies = true
            return true
        }

        func insert(id: ServiceID?, _ service: NewService) throws -> ServiceRecord {
            if let name = service.name, state.indexes.names[name] != nil {
                throw StoreError(.failed, location: "memory", detail: "UNIQUE constraint failed: service.name")
            }
            let record = ServiceRecord(
                id: id ?? state.nextID, specifications: service.specifications, ranking: service.ranking,
                scope: service.scope, properties: service.properties, name: service.name,
                revision: state.lastSequence + 1, lease: service.lease, owner: service.owner,
                value: service.value, factory: service.factory, release: service.release,
                registeredBy: service.registeredBy, requirements: service.requirements,
                satisfied: service.satisfied, source: service.source)
            state.nextID = max(state.nextID, record.id + 1)
            put(record)
            append(.registered, record, old: nil, new: record, reason: nil, hidden: !record.satisfied)
            return record
        }

        func reserveServiceIDs(through id: ServiceID) throws {
            state.nextID = max(state.nextID, id + 1)
            state.touched.counters = true
        }

        func update(_ record: ServiceRecord, previous: ServiceRecord, logEvent: Bool) throws -> ServiceRecord {
            var record = record
            record.satisfied = previous.satisfied
            if logEvent { record.revision = state.lastSequence + 1 }
            put(record)
            if logEvent {
                append(.modified, record, old: previous, new: record, reason: nil, hidden: !record.satisfied)
            }
            return record
        }

        func setState(_ record: ServiceRecord, reason: String?) throws -> ServiceRecord {
            guard var stored = state.services[record.id] else { return record }
            stored.satisfied = record.satisfied
            stored.revision = state.lastSequence + 1
            put(stored)
            if stored.satisfied {
                append(.registered, stored, old: nil, new: stored, reason: nil)
            } else {
                append(.unregistered, stored, old: stored, new: nil, reason: reason)
            }
            return stored
        }

        func delete(_ record: ServiceRecord, reason: String) throws {
            state.setService(record.id, nil)
            state.touched.services.insert(record.id)
            for client in (state.uses[record.id] ?? [:]).keys {
                state.touched.uses.insert(UseKey(service: record.id, client: client))
            }
            state.removeUses(of: record.id)
            append(.unregistered, record, old: record, new: nil, reason: reason, hidden: !record.satisfied)
        }

        private func put(_ record: ServiceRecord) {
            state.setService(record.id, record)
            state.touched.services.insert(record.id)
        }

        private func append(
            _ kind: ServiceChange.Kind, _ record: ServiceRecord, old: ServiceRecord?, new: ServiceRecord?,
            reason: String?, hidden: Bool = false
        ) {
            state.lastSequence += 1
            state.touched.counters = true
            state.log.append(
                ServiceChange(
                    sequence: state.lastSequence, kind: kind, serviceID: record.id,
                    specifications: record.specifications, oldProperties: old.map(LoggedProperties.init),
                    newProperties: new.map(LoggedProperties.init),
                    time: Date().timeIntervalSince1970, reason: reason, hidden: hidden))
        }
    }
}
