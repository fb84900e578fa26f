import Foundation
import RegistryTestSupport
import Testing

@testable import RegistrySQLite
@testable import ServiceRegistry

/// The SQL index only narrows candidates; results must equal a plain scan with the
/// filter evaluated on every service.
@Suite struct IndexedQueryTests {
    let directory = TemporaryDirectory()

    private struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
    }

    /// Filters SQLite cannot take as one query (over 500 compound terms, subqueries nested
    /// ten deep) are answered by evaluating them, never refused as a store error (D3).
    @Test func filtersTooLargeForOneQueryAreStillAnswered() throws {
        let registry = Registry(store: try SQLiteStore(path: directory.path + "/big.db", access: .write))
        var ids: [ServiceID] = []
        for n in 0..<20 {
            ids.append(
                try registry.register(
                    RegistrationRequest(specifications: ["s.A"], properties: [("n", .integer(Int64(n)))])
                )
                .id)
        }
        let wide = "(|" + (0..<600).map { "(n=\($0 * 3))" }.joined() + ")"
        var deep = "(n=4)"
        for level in 0..<12 { deep = level % 2 == 0 ? "(|(n=99)\(deep))" : "(&(n=*)\(deep))" }
        for (text, expected) in [(wide, stride(from: 0, to: 20, by: 3).map { ids[$0] }), (deep, [ids[4]])] {
            let query = ServiceQuery(specification: "s.A", filter: try LDAPFilter.parse(text))
            var found: [ServiceID] = []
            try registry.forEach(query) { found.append($0.id) }
            #expect(found == expected, "\(text.prefix(60))")
            #expect(try registry.count(query) == expected.count)
            #expect(try registry.first(query)?.id == expected.first)
        }
    }

    @Test func indexedResultsEqualAFullScan() throws {
        let store = try SQLiteStore(path: directory.path + "/r.db", access: .write)
        let registry = Registry(store: store)
        var random = Generator(state: 42)
        let values: [PropertyValue] = [
            .integer(1), .integer(5), .integer(100), .integer(-3), .float(5), .float(5.5), .float(-0.0), .float(0),
            .string("5"), .string("BH3"), .string("bh3"), .string(""), .string("a b"), .boolean(true), .boolean(false),
            .list([]), .list([.integer(5), .string("x")]), .list([.string("BH3"), .float(1e300)]),
            .integer(Int64.max), .float(9.223_372_036_854_776e18), .integer(Int64.max - 1),
        ]
        var all: [ServiceRecord] = []
        for _ in 0..<300 {
            var pairs: [(String, PropertyValue)] = []
            for key in ["k", "K2", "n"] where Bool.random(using: &random) {
                pairs.append((key, values.randomElement(using: &random)!))
            }
            if Int.random(in: 0..<4, using: &random) == 0 {
                pairs.append(("service.ranking", .integer(Int64.random(in: -2...2, using: &random))))
            }
            let specs = [["s.A"], ["s.B"], ["s.A", "s.B"]].randomElement(using: &random)!
            all.append(try registry.register(RegistrationRequest(specifications: specs, properties: pairs)))
        }
        // Modify and remove some, so the index sees updates (new rankings too) and deletes.
        for (offset, record) in all.prefix(60).enumerated() {
            var assignments: [(String, PropertyValue)] = [("k", values.randomElement(using: &random)!)]
            if offset % 3 == 0 { assignments.append(("service.ranking", .integer(Int64(offset % 7) - 3))) }
            _ = try registry.setProperties(id: record.id, PropertyUpdate(assignments: assignments))
        }
        _ = try registry.unregister(ids: all.suffix(40).map(\.id))

        let operands = [
            "5", "5.0", "5.5", "0", "-0.0", "100", "BH3", "bh3", "", "a b", "true", "FALSE", "NaN", "Infinity", "x",
            "1e300",
        ]
        var filters: [String] = []
        for key in ["k", "K2", "n", "missing", "service.ranking", "objectClass"] {
            filters.append("(\(key)=*)")
            for operand in operands {
                for op in ["=", "<=", ">=", "~="] where !(operand.isEmpty && op != "=") {
                    filters.append("(\(key)\(op)\(operand))")
                }
            }
            filters.append("(\(key)=B*)")
            filters.append("(\(key)=*3)")
        }
        filters += [
            "(&(k<=5)(n=*))", "(|(k=5)(K2=BH3))", "(&(k>=0)(!(n=5)))", "(|(k=5)(!(K2=1)))",
            "(&(k=*)(|(n<=5)(K2~=bh3)))",
            "(&(service.ranking>=1)(k=*))",
            // An equality on text drives an ordered walk of the index.
            "(&(k=BH3)(n=*))", "(&(K2=a b)(k<=5))", "(&(n>=0)(k=bh3)(!(K2=5)))",
        ]
        let everything = try scan(registry, ServiceQuery())
        // nil: across every specification, through the index too (a plan test checks that).
        for specification in ["s.A", "s.B", nil] {
            for text in filters {
                let filter = try LDAPFilter.parse(text)
                let query = ServiceQuery(specification: specification, filter: filter)
                let expected = everything.filter { query.matches($0) }.map(\.id)
                #expect(try scan(registry, query).map(\.id) == expected, "\(specification ?? "-") \(text)")
                #expect(try registry.first(query)?.id == expected.first, "first: \(specification ?? "-") \(text)")
            }
        }
    }

    /// Without a specification, a filter the index can answer reads it once per
    /// specification when that costs less than reading every service; otherwise it scans.
    @Test func filtersWithoutASpecificationUseTheIndexWhereItPays() throws {
        let store = try SQLiteStore(path: directory.path + "/wide.db", access: .write)
        let registry = Registry(store: store)
        func plan(_ text: String) throws -> String {
            let query = ServiceQuery(filter: try LDAPFilter.parse(text))
            return try store.read { transaction in
                try (transaction as! SQLiteTransaction).plan(query).sql
            }
        }
        for n in 0..<200 {
            _ = try registry.register(
                RegistrationRequest(specifications: ["s.S\(n % 4)"], properties: [("n", .integer(Int64(n)))]))
        }
        let narrow = "(|(n=3)(n=150))"
        #expect(try plan(narrow).contains("IN specs"))
        #expect(try scan(registry, ServiceQuery(filter: try LDAPFilter.parse(narrow))).count == 2)
        // A NOT alone gives the index nothing to answer.
        #expect(try !plan("(!(n=3))").contains("property_index"))
        // 200 terms over 4 specifications: 800 lookups for 200 services, a scan is cheaper.
        let wide = "(|" + (0..<200).map { "(n=\($0))" }.joined() + ")"
        #expect(try !plan(wide).contains("property_index"))
        #expect(try scan(registry, ServiceQuery(filter: try LDAPFilter.parse(wide))).count == 200)
        // One specification for each service: the lookups outnumber the services.
        for n in 0..<300 {
            _ = try registry.register(
                RegistrationRequest(specifications: ["s.U\(n)"], properties: [("m", .integer(1))]))
        }
        #expect(try !plan("(|(n=3)(n=150)(m=2))").contains("property_index"))
    }

    @Test func integersBeyondDoublePrecisionStillFindFloats() throws {
        let registry = Registry(store: try SQLiteStore(path: directory.path + "/big.db", access: .write))
        let float = try registry.register(
            RegistrationRequest(specifications: ["s.A"], properties: [("k", .float(9.223_372_036_854_776e18))]))
        let integer = try registry.register(
            RegistrationRequest(specifications: ["s.A"], properties: [("k", .integer(Int64.max))]))
        for (text, expected) in [
            ("(k=9223372036854775807)", [float.id, integer.id]), ("(k>=9223372036854775807)", [float.id, integer.id]),
            ("(k<=9223372036854775806)", [float.id]), ("(k=9.223372036854776E18)", [float.id]),
        ] {
            let query = ServiceQuery(specification: "s.A", filter: try LDAPFilter.parse(text))
            #expect(try scan(registry, query).map(\.id) == expected, "\(text)")
        }
    }

    @Test func getReturnsTheFirstOfTheOrderThroughTheIndex() throws {
        let registry = Registry(store: try SQLiteStore(path: directory.path + "/first.db", access: .write))
        func add(_ ranking: Int64, _ price: Int64) throws -> ServiceID {
            try registry.register(
                RegistrationRequest(
                    specifications: ["s.A"],
                    properties: [
                        ("location", .string("BH3")), ("price", .integer(price)),
                        ("service.ranking", .integer(ranking)),
                    ]
                )
            ).id
        }
        let low = try add(0, 50)
        let high = try add(5, 50)
        let expensive = try add(9, 500)
        _ = try add(5, 60)
        let query = ServiceQuery(specification: "s.A", filter: try LDAPFilter.parse("(&(location=BH3)(price<=100))"))
        #expect(try registry.first(query)?.id == high)
        _ = try registry.setProperties(id: low, PropertyUpdate(assignments: [("service.ranking", .integer(7))]))
        #expect(try registry.first(query)?.id == low)
        _ = try registry.setProperties(id: expensive, PropertyUpdate(assignments: [("price", .integer(1))]))
        #expect(try registry.first(query)?.id == expensive)
        _ = try registry.unregister(ids: [expensive, low])
        #expect(try registry.first(query)?.id == high)
    }

    private func scan(_ registry: Registry, _ query: ServiceQuery) throws -> [ServiceRecord] {
        var out: [ServiceRecord] = []
        try registry.forEach(query) { out.append($0) }
        return out
    }
}
