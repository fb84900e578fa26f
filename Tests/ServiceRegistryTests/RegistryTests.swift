import RegistryTestSupport
import Testing

@testable import ServiceRegistry

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
        #expect(throws: RegistryError.rankingNotAnInteger(actualType: "str")) {
            try register(["a.B"], [("service.ranking", .string("10"))])
        }
        #expect(throws: RegistryError.rankingNotAnInteger(actualType: "float")) {
            try register(["a.B"], [("service.ranking", .float(5.7))])
        }
        #expect(throws: RegistryError.readOnlyKey("service.id")) {
            try register(["a.B"], [("service.id", .integer(5))])
        }
        #expect(throws: RegistryError.readOnlyKey("objectClass")) {
            try register(["a.B"], [("objectClass", .string("x"))])
        }
        #expect(throws: RegistryError.invalidScope("global")) {
            try register(["a.B"], [("service.scope", .string("global"))])
        }
        #expect(throws: RegistryError.noSpecification) { try register([], []) }
        #expect(throws: RegistryError.invalidSpecificationName(" ", .whiteSpaceOrControl)) { try register([" "], []) }
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
        #expect(try registry.changes(after: 0).map(\.kind) == [.registered, .modified, .modified])
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
        #expect(try registry.changes(after: 0).map(\.kind) == [.registered, .modified])
    }

    @Test func setPropsRefusesReadOnlyAndFixedKeys() throws {
        let record = try register()
        let refusals: [(String, RegistryError)] = [
            ("service.id", .readOnlyKey("service.id")), ("OBJECTCLASS", .readOnlyKey("objectClass")),
            ("service.scope", .fixedAtRegistration("service.scope")),
        ]
        for (key, error) in refusals {
            #expect(throws: error) {
                try registry.setProperties(id: record.id, PropertyUpdate(assignments: [(key, .integer(1))]))
            }
            #expect(throws: error) { try registry.setProperties(id: record.id, PropertyUpdate(removals: [key])) }
        }
        #expect(throws: RegistryError.rankingNotAnInteger(actualType: "str")) {
            try registry.setProperties(id: record.id, PropertyUpdate(assignments: [("service.ranking", .string("1"))]))
        }
        #expect(throws: RegistryError.duplicateKey("A", existing: "a")) {
            try registry.setProperties(
                id: record.id, PropertyUpdate(assignments: [("a", .integer(1)), ("A", .integer(2))]))
        }
        #expect(throws: RegistryError.rankingCannotBeUnset) {
            try registry.setProperties(id: record.id, PropertyUpdate(removals: ["service.ranking"]))
        }
        #expect(throws: RegistryError.setAndUnset("a")) {
            try registry.setProperties(
                id: record.id, PropertyUpdate(assignments: [("a", .integer(1))], removals: ["a"]))
        }
        #expect(throws: RegistryError.nothingToChange) { try registry.setProperties(id: record.id, PropertyUpdate()) }
        #expect(throws: RegistryError.noSuchService(.id(99))) {
            try registry.setProperties(id: 99, PropertyUpdate(assignments: [("a", .integer(1))]))
        }
        #expect(try registry.changes(after: 0).count == 1)
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
        #expect(throws: RegistryError.unknownSortKey("nosuchkey")) {
            try registry.first(query, order: .minimum(key: "nosuchkey"))
        }
    }
}
