import Testing

@testable import ServiceRegistry

/// A store in memory: lets the registry's rules be tested without SQLite.
private final class MemoryStore: RegistryStore, RegistryWriter {
    var services: [ServiceID: ServiceRecord] = [:]
    var log: [ServiceChange] = []
    var nextID: ServiceID = 1

    func read<T>(_ body: (any RegistryReader) throws -> T) throws -> T { try body(self) }

    func write<T>(_ body: (any RegistryWriter) throws -> T) throws -> T {
        let saved = (services, log, nextID)
        do { return try body(self) } catch {
            (services, log, nextID) = saved
            throw error
        }
    }

    func specificationNames(prefix: String, limit: Int) throws -> [String] {
        Array(Set(services.values.flatMap(\.specifications)).filter { $0.hasPrefix(prefix) }.sorted().prefix(limit))
    }

    func serviceIDs(prefix: String, limit: Int) throws -> [ServiceID] {
        Array(services.keys.filter { String($0).hasPrefix(prefix) }.sorted().prefix(limit))
    }

    func propertyKeys(specification: String?, prefix: String, limit: Int) throws -> [String] {
        let keys = services.values.filter { specification == nil || $0.specifications.contains(specification!) }
            .flatMap { $0.properties.entries.map(\.foldedKey) }
        return Array(Set(keys).filter { $0.hasPrefix(prefix) }.sorted().prefix(limit))
    }

    func setDeferredDurability(_ deferred: Bool) throws {}
    func synchronize() throws {}
    func changeSignal() throws -> any ChangeSignal { NoSignal() }

    /// Nothing changes a memory store behind the test's back.
    final class NoSignal: ChangeSignal {
        func wait(timeout: Double, descriptors: [Int32]) throws -> ChangeWake { .timedOut }
    }

    func latestSequence() throws -> Int64 { Int64(log.count) }

    func changes(after sequence: Int64, limit: Int) throws -> [ServiceChange] {
        Array(log.filter { $0.sequence > sequence }.prefix(limit))
    }

    func service(id: ServiceID) throws -> ServiceRecord? { services[id] }

    func forEachService(matching query: ServiceQuery, _ body: (ServiceRecord) throws -> Bool) throws {
        for record in services.values.sorted(by: ServiceOrder.rankingPrecedes) where query.matches(record) {
            if try !body(record) { return }
        }
    }

    func countServices(specification: String?) throws -> Int {
        services.values.filter { specification == nil || $0.specifications.contains(specification!) }.count
    }

    func insert(specifications: [String], ranking: Int64, scope: ServiceScope, properties: ServiceProperties) throws
        -> ServiceRecord
    {
        let record = ServiceRecord(
            id: nextID, specifications: specifications, ranking: ranking, scope: scope, properties: properties)
        nextID += 1
        services[record.id] = record
        append(.registered, record, old: nil, new: record.allProperties)
        return record
    }

    func update(_ record: ServiceRecord, previous: ServiceRecord, logEvent: Bool) throws {
        services[record.id] = record
        if logEvent { append(.modified, record, old: previous.allProperties, new: record.allProperties) }
    }

    func delete(_ record: ServiceRecord, reason: String) throws {
        services[record.id] = nil
        append(.unregistered, record, old: record.allProperties, new: nil)
    }

    private func append(
        _ kind: ServiceChange.Kind, _ record: ServiceRecord, old: ServiceProperties?, new: ServiceProperties?
    ) {
        log.append(
            ServiceChange(
                sequence: Int64(log.count + 1), kind: kind, serviceID: record.id, specifications: record.specifications,
                oldProperties: old, newProperties: new, time: 0, reason: nil))
    }
}

@Suite struct RegistryTests {
    private let store = MemoryStore()
    private var registry: Registry { Registry(store: store) }

    private func register(_ specs: [String] = ["acme.IPlumber"], _ pairs: [(String, PropertyValue)] = []) throws
        -> ServiceRecord
    {
        try registry.register(RegistrationRequest(specifications: specs, properties: pairs))
    }

    @Test func registrationValidatesReservedKeys() throws {
        let record = try register(["a.B"], [("SERVICE.RANKING", .integer(4)), ("service.scope", .string("bundle"))])
        #expect(record.ranking == 4)
        #expect(record.scope == .bundle)
        #expect(record.properties.isEmpty)
        #expect(throws: RegistryError.self) { try register(["a.B"], [("service.ranking", .string("10"))]) }
        #expect(throws: RegistryError.self) { try register(["a.B"], [("service.ranking", .float(5.7))]) }
        #expect(throws: RegistryError.self) { try register(["a.B"], [("service.id", .integer(5))]) }
        #expect(throws: RegistryError.self) { try register(["a.B"], [("objectClass", .string("x"))]) }
        #expect(throws: RegistryError.self) { try register(["a.B"], [("service.scope", .string("global"))]) }
        #expect(throws: RegistryError.self) { try register([], []) }
        #expect(throws: RegistryError.self) { try register([" "], []) }
        #expect(store.services.count == 1)
    }

    @Test func mergeReplaceAndUnset() throws {
        let record = try register(["a.B"], [("price", .integer(90)), ("name", .string("x"))])
        var (updated, changed) = try registry.setProperties(
            id: record.id, PropertyUpdate(assignments: [("PRICE", .integer(80))], removals: ["name"]))
        #expect(changed)
        #expect(updated.properties.entries.map(\.key) == ["PRICE"])
        (updated, changed) = try registry.setProperties(
            id: record.id, PropertyUpdate(assignments: [("other", .boolean(true))], replace: true))
        #expect(updated.properties.entries.map(\.key) == ["other"])
        #expect(store.log.map(\.kind) == [.registered, .modified, .modified])
    }

    @Test func anEventFeedDeliversEachChangeOnceAcrossPagesAndSkipsWhatItIsNotAbout() throws {
        let cheap = try register(["a.B"], [("price", .integer(90))])
        _ = try register(["a.Other"], [("price", .integer(10))])
        _ = try registry.setProperties(id: cheap.id, PropertyUpdate(assignments: [("price", .integer(200))]))
        _ = try registry.setProperties(id: cheap.id, PropertyUpdate(assignments: [("price", .integer(300))]))
        _ = try registry.setProperties(id: cheap.id, PropertyUpdate(assignments: [("price", .integer(50))]))
        _ = try registry.unregister(ids: [cheap.id])
        let interest = ListenerInterest(specification: "a.B", filter: try LDAPFilter.parse("(price<=100)"))
        var feed = EventFeed(registry: registry, interest: interest, after: 0)
        var kinds: [ServiceEventKind] = []
        var pages = 0
        while true {
            let (events, more) = try feed.next(limit: 2)
            kinds += events.map(\.kind)
            pages += 1
            if !more { break }
        }
        #expect(kinds == [.registered, .modifiedEndMatch, .modified, .unregistering])
        #expect(pages == 4)
        #expect(feed.cursor == 6)
        #expect(try feed.next().events.isEmpty)
        var seen: [(Int64, ServiceID)] = []
        let sequence = try registry.snapshot(ServiceQuery(specification: "a.Other")) { seen.append(($0, $1.id)) == () }
        #expect(sequence == 6)
        #expect(seen.map(\.0) == [6] && seen.map(\.1) == [2])
    }

    @Test func unchangedValuesFireNoEvent() throws {
        let record = try register(["a.B"], [("price", .integer(90))])
        let (_, changed) = try registry.setProperties(
            id: record.id, PropertyUpdate(assignments: [("price", .integer(90))]))
        #expect(!changed)
        let (_, changedType) = try registry.setProperties(
            id: record.id, PropertyUpdate(assignments: [("price", .float(90))]))
        #expect(changedType)
        #expect(store.log.map(\.kind) == [.registered, .modified])
    }

    @Test func setPropsRefusesReadOnlyAndFixedKeys() throws {
        let record = try register()
        for key in ["service.id", "objectClass", "service.scope"] {
            #expect(throws: RegistryError.self) {
                try registry.setProperties(id: record.id, PropertyUpdate(assignments: [(key, .integer(1))]))
            }
            #expect(throws: RegistryError.self) {
                try registry.setProperties(id: record.id, PropertyUpdate(removals: [key]))
            }
        }
        #expect(throws: RegistryError.self) {
            try registry.setProperties(id: record.id, PropertyUpdate(assignments: [("service.ranking", .string("1"))]))
        }
        #expect(throws: RegistryError.self) {
            try registry.setProperties(
                id: record.id, PropertyUpdate(assignments: [("a", .integer(1)), ("A", .integer(2))]))
        }
        #expect(throws: RegistryError.noSuchService(99)) {
            try registry.setProperties(id: 99, PropertyUpdate(assignments: [("a", .integer(1))]))
        }
        #expect(store.log.count == 1)
    }

    @Test func unregisterRemovesKnownAndReportsUnknown() throws {
        let a = try register()
        let b = try register()
        let (removed, missing) = try registry.unregister(ids: [a.id, 42, b.id])
        #expect(removed.map(\.id) == [a.id, b.id])
        #expect(missing == [42])
        #expect(store.services.isEmpty)
    }

    @Test func queriesOrderLimitAndCount() throws {
        _ = try register(["a.B"], [("price", .integer(90))])
        _ = try register(["a.B"], [("price", .integer(50)), ("service.ranking", .integer(2))])
        _ = try register(["c.D"], [("price", .integer(10))])
        let query = ServiceQuery(specification: "a.B", filter: try LDAPFilter.parse("(price<=100)"))
        #expect(try registry.first(query)?.id == 2)
        #expect(try registry.first(query, order: .maximum(key: "price"))?.id == 1)
        var seen: [ServiceID] = []
        try registry.forEach(ServiceQuery(), order: .minimum(key: "price"), limit: 2) { seen.append($0.id) }
        #expect(seen == [3, 2])
        #expect(try registry.count(query) == 2)
        #expect(try registry.count(ServiceQuery()) == 3)
        #expect(throws: RegistryError.self) { try registry.first(query, order: .minimum(key: "nosuchkey")) }
    }
}
