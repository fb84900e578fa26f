import Testing

@testable import ServiceRegistry

private func record(_ id: ServiceID, ranking: Int64 = 0, _ pairs: [(String, PropertyValue)] = []) throws
    -> ServiceRecord
{
    ServiceRecord(
        id: id, specifications: ["s.S"], ranking: ranking, scope: .singleton, properties: try ServiceProperties(pairs))
}

@Suite struct OrderingTests {
    @Test func highestRankingThenLowestID() throws {
        let records = [try record(3), try record(1), try record(2, ranking: 5), try record(4, ranking: -1)]
        #expect(records.sorted(by: ServiceOrder.ranking.precedes).map(\.id) == [2, 1, 3, 4])
    }

    @Test func minAndMaxSortByPropertyWithMissingLast() throws {
        let records = [
            try record(1, [("price", .integer(90))]), try record(2, [("price", .float(80.5))]), try record(3),
            try record(4, ranking: 9, [("price", .integer(90))]), try record(5, [("PRICE", .integer(100))]),
        ]
        #expect(records.sorted(by: ServiceOrder.minimum(key: "price").precedes).map(\.id) == [2, 4, 1, 5, 3])
        #expect(records.sorted(by: ServiceOrder.maximum(key: "Price").precedes).map(\.id) == [5, 4, 1, 2, 3])
    }

    @Test func mixedKindsAndLists() throws {
        let records = [
            try record(1, [("k", .string("b"))]), try record(2, [("k", .integer(5))]),
            try record(3, [("k", .boolean(false))]), try record(4, [("k", .list([.integer(9), .integer(1)]))]),
        ]
        #expect(records.sorted(by: ServiceOrder.minimum(key: "k").precedes).map(\.id) == [4, 2, 1, 3])
        #expect(records.sorted(by: ServiceOrder.maximum(key: "k").precedes).map(\.id) == [3, 1, 4, 2])
    }
}

@Suite struct EventRuleTests {
    private func change(_ kind: ServiceChange.Kind, old: Int64?, new: Int64?, specs: [String] = ["acme.IPlumber"])
        throws -> ServiceChange
    {
        func props(_ price: Int64?) throws -> ServiceProperties? {
            try price.map { try ServiceProperties([("price", .integer($0))]) }
        }
        return ServiceChange(
            sequence: 1, kind: kind, serviceID: 1, specifications: specs, oldProperties: try props(old),
            newProperties: try props(new), time: 0, reason: kind == .unregistered ? "unregistered" : nil)
    }

    @Test func filteredListenerSeesTheOSGiSequence() throws {
        let listener = ListenerInterest(specification: "acme.IPlumber", filter: try LDAPFilter.parse("(price<=100)"))
        #expect(listener.event(for: try change(.registered, old: nil, new: 90)) == .registered)
        #expect(listener.event(for: try change(.registered, old: nil, new: 190)) == nil)
        #expect(listener.event(for: try change(.modified, old: 90, new: 95)) == .modified)
        #expect(listener.event(for: try change(.modified, old: 95, new: 150)) == .modifiedEndMatch)
        #expect(listener.event(for: try change(.modified, old: 150, new: 160)) == nil)
        #expect(listener.event(for: try change(.modified, old: 160, new: 50)) == .modified)
        #expect(listener.event(for: try change(.unregistered, old: 50, new: nil)) == .unregistering)
        #expect(listener.event(for: try change(.unregistered, old: 150, new: nil)) == nil)
    }

    @Test func unfilteredListenerSeesEverythingAndOtherSpecificationsNothing() throws {
        let all = ListenerInterest(specification: nil, filter: nil)
        let other = ListenerInterest(specification: "acme.IElectrician", filter: nil)
        for kind in [ServiceChange.Kind.registered, .modified, .unregistered] {
            let c = try change(kind, old: kind == .registered ? nil : 1, new: kind == .unregistered ? nil : 2)
            #expect(all.event(for: c) != nil)
            #expect(other.event(for: c) == nil)
        }
    }
}
