import Foundation
import Testing

@testable import ServiceRegistry

/// Every input kept in `Fuzz/corpus` (seeds and the crashes fuzzing found) through the
/// checks of the fuzz targets, without an instrumented build: what fuzzing found stays fixed.
@Suite struct FuzzCorpusTests {
    private static let corpus = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus")

    private static func inputs(_ target: String) -> [(name: String, text: String)] {
        let directory = corpus.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().compactMap { name in
            (try? Data(contentsOf: directory.appendingPathComponent(name))).map {
                (name, String(decoding: $0, as: UTF8.self))
            }
        }
    }

    @Test func filtersRoundTrip() throws {
        let inputs = Self.inputs("filter")
        #expect(inputs.count >= 10)
        for (name, text) in inputs {
            guard let filter = try? LDAPFilter.parse(text) else { continue }
            #expect(try LDAPFilter.parse(filter.description) == filter, "\(name)")
        }
    }

    @Test func aBackslashBeforeACombiningMarkIsEscapedWhenPrinted() throws {
        let filter = try LDAPFilter.parse("(a=x\\\\\u{34C}y)")
        #expect(filter.description == "(a=x\\\\\u{34C}y)")
        #expect(try LDAPFilter.parse(filter.description) == filter)
    }

    @Test func jsonRoundTrips() throws {
        let inputs = Self.inputs("json")
        #expect(inputs.count >= 5)
        for (name, text) in inputs {
            guard let pairs = try? PropertyInput.parseJSONObject(text) else { continue }
            let properties = try ServiceProperties(pairs)
            #expect(
                try ServiceProperties(PropertyInput.parseJSONObject(JSONWriter.object(properties))) == properties,
                "\(name)")
        }
    }

    @Test func propertyAssignmentsParseOrFailCleanly() {
        let inputs = Self.inputs("property")
        #expect(inputs.count >= 10)
        for (_, text) in inputs { _ = try? PropertyInput.parseAssignment(text) }
    }
}
