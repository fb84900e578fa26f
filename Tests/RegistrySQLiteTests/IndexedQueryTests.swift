import Foundation
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
        // Modify and remove some, so the index sees updates and deletes.
        for record in all.prefix(60) {
            _ = try registry.setProperties(
                id: record.id, PropertyUpdate(assignments: [("k", values.randomElement(using: &random)!)]))
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
        ]
        let everything = try scan(registry, ServiceQuery())
        for specification in ["s.A", "s.B"] {
            for text in filters {
                let filter = try LDAPFilter.parse(text)
                let query = ServiceQuery(specification: specification, filter: filter)
                let expected = everything.filter { query.matches($0) }.map(\.id)
                #expect(try scan(registry, query).map(\.id) == expected, "\(specification) \(text)")
            }
        }
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

    private func scan(_ registry: Registry, _ query: ServiceQuery) throws -> [ServiceRecord] {
        var out: [ServiceRecord] = []
        try registry.forEach(query) { out.append($0) }
        return out
    }
}
