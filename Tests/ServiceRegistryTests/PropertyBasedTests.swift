import PropertyBased
import Testing

@testable import ServiceRegistry

/// Reads a list of random numbers as a sequence of choices, so that the library's
/// shrinking of the list shrinks what is built from it.
private struct Choices {
    let numbers: [Int]
    private var index = 0

    init(_ numbers: [Int]) { self.numbers = numbers }

    /// A choice among `count` options (0 once the numbers run out: the smallest option).
    mutating func next(_ count: Int) -> Int {
        defer { index += 1 }
        return index < numbers.count ? numbers[index] % count : 0
    }

    mutating func pick<T>(_ options: [T]) -> T { options[next(options.count)] }
}

private let script = Gen.int(in: 0...10_000).array(of: 0...60)

/// Filters: text built from the grammar parses; printing a parsed filter and parsing
/// that again gives the same filter; no input crashes the parser or errs outside it.
@Suite struct FilterPropertyTests {
    private static let attributes = ["a", "Price", "x.y", "name-1", "ü", "service.id", "A B"]
    private static let values = [
        "", "1", "-5", "1.5", "true", " b", "a(b", "x)y", "st*r", "back\\slash", "é", "x y", "42.0",
    ]

    private static func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            if "()*\\".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }

    private static func filter(_ choices: inout Choices, depth: Int = 0) -> String {
        let attribute = choices.pick(attributes)
        switch choices.next(depth >= 4 ? 3 : 6) {
        case 0:
            // Only `=` takes an empty value (OSGi): `(a~=)` is an error.
            let op = choices.pick(["=", "~=", ">=", "<="])
            let value = choices.pick(op == "=" ? values : values.filter { !$0.isEmpty })
            return "(" + attribute + op + escaped(value) + ")"
        case 1:
            return "(" + attribute + "=*)"
        case 2:
            // Text and stars, with at least one star and more than a lone one.
            var pattern = ""
            for _ in 0...choices.next(4) {
                pattern += choices.next(2) == 0 ? "*" : escaped(choices.pick(values))
            }
            if !pattern.contains("*") || pattern == "*" { pattern += "*x" }
            return "(" + attribute + "=" + pattern + ")"
        case 3, 4:
            let children = (0...choices.next(3)).map { _ in filter(&choices, depth: depth + 1) }
            return "(" + (choices.next(2) == 0 ? "&" : "|") + children.joined() + ")"
        default:
            return "(!" + filter(&choices, depth: depth + 1) + ")"
        }
    }

    @Test func filtersFromTheGrammarParseAndRoundTripThroughTheirPrintedForm() async {
        await propertyCheck(count: 2_000, input: script) { numbers in
            var choices = Choices(numbers)
            let text = Self.filter(&choices)
            do {
                let parsed = try LDAPFilter.parse(text)
                let printed = parsed.description
                #expect(try LDAPFilter.parse(printed) == parsed, "\(text) printed as \(printed)")
                #expect(try LDAPFilter.parse(printed).description == printed)
            } catch {
                Issue.record("\(text) from the grammar was refused: \(error)")
            }
        }
    }

    @Test func noTextCrashesTheParserAndErrorsPointIntoTheText() async {
        let alphabet = Array("()&|!=<>~*\\ab1 .é")
        await propertyCheck(count: 2_000, input: script) { numbers in
            var choices = Choices(numbers)
            let text = String(numbers.indices.map { _ in choices.pick(alphabet) })
            do {
                let parsed = try LDAPFilter.parse(text)
                #expect(try LDAPFilter.parse(parsed.description) == parsed, "\(text)")
            } catch let error as RegistryError {
                guard case .filterSyntax(let column, let problem) = error else {
                    Issue.record("\(text): not a syntax error: \(error)")
                    return
                }
                #expect((1...text.count + 1).contains(column), "\(text): column \(column)")
                #expect(!problem.isEmpty)
            } catch {
                Issue.record("\(text): \(error)")
            }
        }
    }
}

/// The JSON reader: what the writer writes reads back as the same properties; no input
/// crashes it, and what it refuses is a RegistryError.
@Suite struct JSONPropertyTests {
    private static let keyParts = ["a", "Price", "é", "\"", "\\", "\n", "\u{1}", "tab\t", "😀", " ", "/"]
    private static let strings = ["", "x", "é😀", "\"quoted\"", "line\nbreak", "\u{0}", "\\", "</script>"]

    private static func value(_ choices: inout Choices, inList: Bool = false) -> PropertyValue {
        switch choices.next(inList ? 4 : 5) {
        case 0: return .string(choices.pick(strings))
        case 1: return .integer(choices.pick([0, 1, -1, 42, Int64.max, Int64.min]))
        case 2: return .float(choices.pick([0.5, -1.25, 1e300, 5e-324, 3.0, -0.0]))
        case 3: return .boolean(choices.next(2) == 0)
        default: return .list((0..<choices.next(4)).map { _ in value(&choices, inList: true) })
        }
    }

    @Test func writtenPropertiesReadBackAsTheSameValuesAndTypes() async throws {
        await propertyCheck(count: 2_000, input: script) { numbers in
            var choices = Choices(numbers)
            var pairs: [(String, PropertyValue)] = []
            var seen = Set<String>()
            for _ in 0..<choices.next(6) {
                let key = (0...choices.next(3)).map { _ in choices.pick(Self.keyParts) }.joined()
                guard seen.insert(PropertyKey.fold(key)).inserted else { continue }
                pairs.append((key, Self.value(&choices)))
            }
            guard let properties = try? ServiceProperties(pairs) else {
                Issue.record("keys folded apart collide: \(pairs.map(\.0))")
                return
            }
            let json = JSONWriter.object(properties)
            if let bad = properties.entries.first(where: { (try? PropertyKey.validate($0.key)) == nil }) {
                // JSON can carry a key with a control character; the reader refuses the first.
                #expect(throws: RegistryError.invalidPropertyKey(bad.key, .controlCharacter)) {
                    try PropertyInput.parseJSONObject(json)
                }
                return
            }
            do {
                let read = try ServiceProperties(PropertyInput.parseJSONObject(json))
                #expect(read == properties, "\(json)")
                #expect(read.entries.map(\.value) == properties.entries.map(\.value), "types kept: \(json)")
            } catch {
                Issue.record("\(json) written but not read: \(error)")
            }
        }
    }

    @Test func noTextCrashesTheReader() async {
        let alphabet = Array("{}[]\":,-+.0123456789eEtrufalsn \\u\u{1}é")
        await propertyCheck(count: 2_000, input: script) { numbers in
            var choices = Choices(numbers)
            let text = String(numbers.indices.map { _ in choices.pick(alphabet) })
            do {
                _ = try PropertyInput.parseJSONObject(text)
            } catch let error as RegistryError {
                if case .invalidJSON(let offset, _) = error {
                    #expect((1...text.utf8.count + 1).contains(offset), "\(text): offset \(offset)")
                }
            } catch {
                Issue.record("\(text): \(error)")
            }
        }
    }
}
