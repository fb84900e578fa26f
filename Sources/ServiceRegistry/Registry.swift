/// The service registry: validates requests by the domain rules and runs them against a
/// store, one transaction per operation — or, inside `batch`, one step per operation of
/// the batch's one transaction.
public final class Registry {
    /// The store the registry is kept in.
    public let store: any RegistryStore
    /// Where operations go: the store itself, or the batch open on it.
    private let transactions: any StoreTransactions
    /// Whether this registry runs inside a batch.
    public let inBatch: Bool

    /// A registry over a store.
    public init(store: any RegistryStore) {
        self.store = store
        self.transactions = store
        self.inBatch = false
    }

    private init(store: any RegistryStore, batch: any StoreTransactions) {
        self.store = store
        self.transactions = batch
        self.inBatch = true
    }

    // MARK: Batches

    /// Runs `body` against a registry whose every operation is a step of one transaction:
    /// a failing operation is undone alone and `body` decides whether to go on (or, with
    /// `.allOrNothing`, `body` must throw after it); all the steps commit when `body`
    /// returns, none when it throws.
    ///
    /// `body` may be re-run whole (a store with optimistic concurrency, on a conflict at
    /// commit): it keeps its effects — output, ids, session state — until this returns.
    public func batch<T>(_ steps: BatchSteps = .undoneAlone, _ body: (Registry) throws -> T) throws -> T {
        if inBatch { throw RegistryError.batchUnavailable(.nested) }
        guard store.capabilities.batches else { throw RegistryError.batchUnavailable(.unsupportedByStore) }
        return try store.batch(steps) { scope in try body(Registry(store: store, batch: scope)) }
    }

    // MARK: Writing

    /// Registers a service; returns it with its new id.
    public func register(_ request: RegistrationRequest) throws -> ServiceRecord {
        let validated = try Self.validate(request)
        return try transactions.write { writer in
            try writer.insert(
                specifications: validated.specifications, ranking: validated.ranking, scope: validated.scope,
                properties: validated.properties)
        }
    }

    /// Changes a service's properties; returns the service after the change and whether
    /// any value changed (no event is logged when none did).
    public func setProperties(id: ServiceID, _ update: PropertyUpdate) throws -> (ServiceRecord, changed: Bool) {
        try Self.validate(update)
        return try transactions.write { writer in
            guard let previous = try writer.service(id: id) else { throw RegistryError.noSuchService(id) }
            let next = try Self.apply(update, to: previous)
            let changed = next.ranking != previous.ranking || !next.properties.hasSameValues(as: previous.properties)
            let respelled = !changed && next.properties != previous.properties
            if changed || respelled { try writer.update(next, previous: previous, logEvent: changed) }
            return (next, changed)
        }
    }

    /// Unregisters services; unknown ids are returned, the known ones are removed.
    public func unregister(ids: [ServiceID]) throws -> (removed: [ServiceRecord], missing: [ServiceID]) {
        try transactions.write { writer in
            var removed: [ServiceRecord] = []
            var missing: [ServiceID] = []
            var seen = Set<ServiceID>()
            for id in ids where seen.insert(id).inserted {
                if let record = try writer.service(id: id) {
                    try writer.delete(record, reason: "unregistered")
                    removed.append(record)
                } else {
                    missing.append(id)
                }
            }
            return (removed, missing)
        }
    }

    /// Removes every service that matches `query`, in one transaction; returns them in
    /// get-all's order. With `dryRun`, only finds them (a read: nothing changes).
    public func unregister(matching query: ServiceQuery, dryRun: Bool = false) throws -> [ServiceRecord] {
        var query = query
        query.firstOnly = false
        if dryRun {
            return try transactions.read { reader in
                var found: [ServiceRecord] = []
                try reader.forEachService(matching: query) { record in
                    found.append(record)
                    return true
                }
                return found
            }
        }
        return try transactions.write { writer in
            var found: [ServiceRecord] = []
            try writer.forEachService(matching: query) { record in
                found.append(record)
                return true
            }
            for record in found { try writer.delete(record, reason: "unregistered") }
            return found
        }
    }

    /// Registers the services of an export under their own ids, in one transaction, into a
    /// store that holds none; new ids then start above `lastServiceID` (the exported
    /// store's), so that no id is given twice.
    public func importServices(_ services: [ExportedService], lastServiceID: ServiceID) throws -> Int {
        var validated: [(ExportedService, ValidatedRegistration)] = []
        var seen: [ServiceID: Int] = [:]
        for service in services {
            if seen.updateValue(service.line, forKey: service.id) != nil {
                throw RegistryError.importRefused(.duplicateID(service.id, line: service.line))
            }
            if service.id > lastServiceID {
                throw RegistryError.importRefused(
                    .idAboveLast(service.id, lastServiceID: lastServiceID, line: service.line))
            }
            do {
                validated.append((service, try Self.validate(service.request)))
            } catch {
                throw RegistryError.inImportedService(line: service.line, error)
            }
        }
        return try transactions.write { writer in
            let present = try writer.countServices(specification: nil)
            if present > 0 { throw RegistryError.importRefused(.storeNotEmpty(services: present)) }
            let last = try writer.lastServiceID()
            if let used = validated.first(where: { $0.0.id <= last }) {
                throw RegistryError.importRefused(.idUsedBefore(used.0.id, lastServiceID: last, line: used.0.line))
            }
            for (service, registration) in validated {
                _ = try writer.insert(
                    id: service.id, specifications: registration.specifications, ranking: registration.ranking,
                    scope: registration.scope, properties: registration.properties)
            }
            try writer.reserveServiceIDs(through: lastServiceID)
            return validated.count
        }
    }

    /// Every service in one snapshot (get-all's order), after `header` is called with the
    /// highest id the store ever gave: what an import needs to carry the store on.
    public func export(header: (ServiceID) throws -> Void, _ body: (ServiceRecord) throws -> Void) throws {
        try transactions.read { reader in
            try header(try reader.lastServiceID())
            try reader.forEachService(matching: ServiceQuery()) { record in
                try body(record)
                return true
            }
        }
    }

    // MARK: Reading

    /// One service by id.
    public func service(id: ServiceID) throws -> ServiceRecord {
        guard let record = try transactions.read({ try $0.service(id: id) }) else {
            throw RegistryError.noSuchService(id)
        }
        return record
    }

    /// The best service for a query in an order, or nil.
    public func first(_ query: ServiceQuery, order: ServiceOrder = .ranking) throws -> ServiceRecord? {
        var query = query
        query.firstOnly = order == .ranking
        return try transactions.read { reader in
            var best: ServiceRecord?
            var sawKey = false
            let folded = order.key.map(PropertyKey.fold)
            try reader.forEachService(matching: query) { record in
                if let folded, record.value(forFoldedKey: folded) != nil { sawKey = true }
                if let current = best {
                    if order.precedes(record, current) { best = record }
                } else {
                    best = record
                }
                return order != .ranking
            }
            if let key = order.key, best != nil, !sawKey { throw Self.unknownSortKey(key) }
            return best
        }
    }

    /// Calls `body` with every service of a query in an order, at most `limit` of them.
    public func forEach(
        _ query: ServiceQuery, order: ServiceOrder = .ranking, limit: Int? = nil,
        _ body: (ServiceRecord) throws -> Void
    ) throws {
        try transactions.read { reader in
            var emitted = 0
            if order == .ranking {
                try reader.forEachService(matching: query) { record in
                    if let limit, emitted >= limit { return false }
                    try body(record)
                    emitted += 1
                    return limit.map { emitted < $0 } ?? true
                }
                return
            }
            var all: [ServiceRecord] = []
            try reader.forEachService(matching: query) { record in
                all.append(record)
                return true
            }
            if let key = order.key, !all.isEmpty {
                let folded = PropertyKey.fold(key)
                if !all.contains(where: { $0.value(forFoldedKey: folded) != nil }) { throw Self.unknownSortKey(key) }
            }
            all.sort(by: order.precedes)
            for record in all.prefix(limit ?? all.count) { try body(record) }
        }
    }

    /// The sequence number of the newest committed change (0 before the first).
    public func latestSequence() throws -> Int64 {
        try transactions.read { try $0.latestSequence() }
    }

    /// Logged changes after `sequence`, oldest first (see `RegistryReader.changes`).
    public func changes(after sequence: Int64, limit: Int = 1000) throws -> [ServiceChange] {
        try transactions.read { try $0.changes(after: sequence, limit: limit) }
    }

    /// Calls `body` with every service of a query, in order, until it returns false, with
    /// the sequence number of the snapshot they are read from (also returned): the changes
    /// after it are exactly those the services do not show yet.
    @discardableResult
    public func snapshot(_ query: ServiceQuery, _ body: (Int64, ServiceRecord) throws -> Bool) throws -> Int64 {
        try transactions.read { reader in
            let sequence = try reader.latestSequence()
            try reader.forEachService(matching: query) { record in try body(sequence, record) }
            return sequence
        }
    }

    /// The number of services a query matches.
    public func count(_ query: ServiceQuery) throws -> Int {
        try transactions.read { reader in
            if query.filter == nil { return try reader.countServices(specification: query.specification) }
            var count = 0
            try reader.forEachService(matching: query) { _ in
                count += 1
                return true
            }
            return count
        }
    }

    /// Specification names starting with `prefix` (for completion).
    public func specificationNames(prefix: String, limit: Int = 200) throws -> [String] {
        try transactions.read { try $0.specificationNames(prefix: prefix, limit: limit) }
    }

    /// Every specification name that starts with `prefix`, in name order, with how many
    /// services it has, read in one snapshot.
    public func specificationCounts(prefix: String = "") throws -> [(name: String, services: Int)] {
        try transactions.read { reader in
            try reader.specificationNames(prefix: prefix, limit: Int.max).map { name in
                (name, try reader.countServices(specification: name))
            }
        }
    }

    /// Service ids whose decimal form starts with `prefix` (for completion).
    public func serviceIDs(prefix: String, limit: Int = 200) throws -> [ServiceID] {
        try transactions.read { try $0.serviceIDs(prefix: prefix, limit: limit) }
    }

    /// Property keys starting with `prefix` (for completion), reserved ones included.
    public func propertyKeys(specification: String?, prefix: String, limit: Int = 200) throws -> [String] {
        let stored = try transactions.read {
            try $0.propertyKeys(specification: specification, prefix: prefix, limit: limit)
        }
        let reserved = ReservedKey.all.filter { PropertyKey.fold($0).hasPrefix(PropertyKey.fold(prefix)) }
        return reserved + stored.filter { ReservedKey.reservedName(forFolded: $0) == nil }
    }

    private static func unknownSortKey(_ key: String) -> RegistryError {
        .unknownSortKey(key)
    }

    // MARK: Validation

    struct ValidatedRegistration {
        var specifications: [String]
        var ranking: Int64
        var scope: ServiceScope
        var properties: ServiceProperties
    }

    static func validate(_ request: RegistrationRequest) throws(RegistryError) -> ValidatedRegistration {
        if request.specifications.isEmpty { throw .noSpecification }
        var specifications: [String] = []
        for name in request.specifications {
            try SpecificationName.validate(name)
            if !specifications.contains(name) { specifications.append(name) }
        }
        let all = try ServiceProperties(request.properties)
        var ranking: Int64 = 0
        var scope = ServiceScope.singleton
        var properties = ServiceProperties()
        for entry in all.entries {
            switch entry.foldedKey {
            case ReservedKey.foldedServiceID, ReservedKey.foldedObjectClass:
                throw .readOnlyKey(entry.key)
            case ReservedKey.foldedRanking:
                ranking = try rankingValue(entry.value)
            case ReservedKey.foldedScope:
                guard case .string(let text) = entry.value, let value = ServiceScope(rawValue: text) else {
                    if case .string(let text) = entry.value { throw .invalidScope(text) }
                    throw .invalidScope(entry.value.typeName)
                }
                scope = value
            default:
                properties.set(entry.key, entry.value)
            }
        }
        return ValidatedRegistration(
            specifications: specifications, ranking: ranking, scope: scope, properties: properties)
    }

    static func rankingValue(_ value: PropertyValue) throws(RegistryError) -> Int64 {
        guard case .integer(let ranking) = value else {
            throw .rankingNotAnInteger(actualType: value.typeName)
        }
        return ranking
    }

    static func validate(_ update: PropertyUpdate) throws(RegistryError) {
        let assigned = try ServiceProperties(update.assignments)
        if update.replace, !update.removals.isEmpty {
            throw .removalWithReplace
        }
        if !update.replace, update.assignments.isEmpty, update.removals.isEmpty {
            throw .nothingToChange
        }
        for entry in assigned.entries {
            try checkWritable(entry.key, folded: entry.foldedKey)
            if entry.foldedKey == ReservedKey.foldedRanking { _ = try rankingValue(entry.value) }
        }
        var removed = Set<String>()
        for key in update.removals {
            let folded = PropertyKey.fold(key)
            try checkWritable(key, folded: folded)
            if folded == ReservedKey.foldedRanking {
                throw .rankingCannotBeUnset
            }
            if assigned.entry(forFolded: folded) != nil {
                throw .setAndUnset(key)
            }
            removed.insert(folded)
        }
    }

    private static func checkWritable(_ key: String, folded: String) throws(RegistryError) {
        switch folded {
        case ReservedKey.foldedServiceID, ReservedKey.foldedObjectClass:
            throw .readOnlyKey(ReservedKey.reservedName(forFolded: folded) ?? key)
        case ReservedKey.foldedScope:
            throw .fixedAtRegistration(ReservedKey.scope)
        default:
            return
        }
    }

    static func apply(_ update: PropertyUpdate, to previous: ServiceRecord) throws(RegistryError) -> ServiceRecord {
        var next = previous
        if update.replace {
            next.properties = ServiceProperties()
            next.ranking = 0
        }
        for key in update.removals { next.properties.remove(key) }
        for (key, value) in update.assignments {
            if PropertyKey.fold(key) == ReservedKey.foldedRanking {
                next.ranking = try rankingValue(value)
            } else {
                next.properties.set(key, value)
            }
        }
        return next
    }
}
