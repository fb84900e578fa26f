import Testing

@testable import ServiceRegistry

@Suite struct PropertyInputTests {
    @Test(arguments: [
        ("price=90", PropertyValue.integer(90)),
        ("price=-7", .integer(-7)),
        ("ratio=1.5", .float(1.5)),
        ("ratio=1e3", .float(1000)),
        ("ok=true", .boolean(true)),
        ("ok=false", .boolean(false)),
        // Any case, as filters match booleans (issue 9); not other words of that length.
        ("ok=TRUE", .boolean(true)),
        ("ok=False", .boolean(false)),
        ("ok=truly", .string("truly")),
        ("ok=fals", .string("fals")),
        ("zip=02134", .string("02134")),
        ("name=Joe Bloggs", .string("Joe Bloggs")),
        ("empty=", .string("")),
        ("eq=a=b", .string("a=b")),
        ("n=nan", .string("nan")),
        ("n=inf", .string("inf")),
        ("n=0", .integer(0)),
        ("n=0.5", .float(0.5)),
    ])
    func infersTypes(text: String, expected: PropertyValue) throws {
        let (_, value) = try PropertyInput.parseAssignment(text)
        #expect(value == expected)
    }

    @Test func listsSplitAsTheirCharactersSayWhateverPathTheyTake() {
        // The ASCII fast path splits bytes; the rest goes by Character (a comma followed by
        // a combining mark is not a separator). Both must agree with the Character rule.
        let alphabet: [String] = ["a", "b", ",", " ", "\r\n", "\r", "\\", "é", "\u{301}", ",\u{301}", "x"]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let raw = (0..<Int.random(in: 0...8, using: &random)).map { _ in alphabet.randomElement(using: &random)! }
                .joined()
            #expect(PropertyInput.splitList(raw) == PropertyInput.splitListByCharacter(raw), "\(raw.debugDescription)")
        }
        #expect(PropertyInput.splitList("red,fast") == ["red", "fast"])
        #expect(PropertyInput.splitList(",") == ["", ""])
    }

    @Test func forcedTypes() throws {
        #expect(try PropertyInput.parseAssignment("zip:int=02134").1 == .integer(2134))
        #expect(try PropertyInput.parseAssignment("price:str=90").1 == .string("90"))
        #expect(try PropertyInput.parseAssignment("price:float=90").1 == .float(90))
        #expect(try PropertyInput.parseAssignment("ok:bool=TRUE").1 == .boolean(true))
        #expect(
            try PropertyInput.parseAssignment("ports:list<int>=1,2,3").1
                == .list([.integer(1), .integer(2), .integer(3)]))
        #expect(try PropertyInput.parseAssignment("tags:list<str>=a\\,b,c").1 == .list([.string("a,b"), .string("c")]))
        #expect(try PropertyInput.parseAssignment("tags:list<str>=").1 == .list([]))
        #expect(
            try PropertyInput.parseAssignment("mixed:list=1,x,2.5").1
                == .list([.integer(1), .string("x"), .float(2.5)]))
    }

    @Test(arguments: [
        "novalue", "=5", "k:int=abc", "k:int=1.5", "k:float=abc", "k:float=nan", "k:bool=yes", "k:widget=1",
        "k:list<list<int>>=1", "big=99999999999999999999", "k\u{1}ey=1",
    ])
    func rejectsBadAssignments(text: String) {
        #expect(throws: RegistryError.self) { try PropertyInput.parseAssignment(text) }
    }

    @Test func oneKeyIsFoundInStoredJSONWithoutReadingTheRest() throws {
        var properties = ServiceProperties()
        properties.set("Name", .string("Joe \"the\" \\ plumber, {x}"))
        properties.set("price", .integer(-90))
        properties.set("rate", .float(1.5e-3))
        properties.set("tags", .list([.string("a\"]"), .boolean(true), .integer(3)]))
        properties.set("empty", .list([]))
        properties.set("ünï", .boolean(false))
        let text = JSONWriter.object(properties)
        for entry in properties.entries {
            #expect(try JSONValue.propertyValue(in: text, forFoldedKey: entry.foldedKey) == entry.value, "\(entry.key)")
        }
        #expect(try JSONValue.propertyValue(in: text, forFoldedKey: "missing") == nil)
        #expect(try JSONValue.propertyValue(in: "{}", forFoldedKey: "x") == nil)
        #expect(throws: RegistryError.self) { try JSONValue.propertyValue(in: #"{"a": 1"#, forFoldedKey: "b") }
        #expect(throws: RegistryError.self) { try JSONValue.propertyValue(in: "[1]", forFoldedKey: "b") }
    }

    @Test func jsonKeepsIntegerAndFloatApart() throws {
        let pairs = try PropertyInput.parseJSONObject(
            #"{"a": 42, "b": 42.0, "c": 1e2, "d": [1, 2.5, "x", true], "e": "é"}"#)
        #expect(pairs.map(\.0) == ["a", "b", "c", "d", "e"])
        #expect(pairs[0].1 == .integer(42))
        #expect(pairs[1].1 == .float(42))
        #expect(pairs[1].1 != .integer(42))
        #expect(pairs[2].1 == .float(100))
        #expect(pairs[3].1 == .list([.integer(1), .float(2.5), .string("x"), .boolean(true)]))
        #expect(pairs[4].1 == .string("é"))
    }

    @Test(arguments: [
        "", "[1]", "{", #"{"a": null}"#, #"{"a": {"b": 1}}"#, #"{"a": [[1]]}"#, #"{"a": 1,}"#, #"{"a": 01}"#,
        #"{"a": 1} x"#, #"{"": 1}"#, #"{"a": 123456789012345678901}"#, #"{"a": "\ud800"}"#,
    ])
    func rejectsBadJSON(text: String) {
        #expect(throws: RegistryError.self) { try PropertyInput.parseJSONObject(text) }
    }

    @Test func jsonErrorsSayWhere() {
        #expect(throws: RegistryError.invalidJSON(offset: 9, problem: "expected ',' or '}'")) {
            try PropertyInput.parseJSONObject(#"{"a": 1 "b": 2}"#)
        }
    }

    @Test func jsonWriterRoundTripsTypes() throws {
        let properties = try ServiceProperties([
            ("i", .integer(42)), ("f", .float(42)), ("s", .string("tab\t\"q\"\u{1}")),
            ("l", .list([.float(1e300), .boolean(false)])),
            ("big", .float(1e16)), ("small", .float(5e-324)),
        ])
        let text = JSONWriter.object(properties)
        #expect(text.contains(#""f":42.0"#))
        #expect(text.contains(#""i":42"#))
        let back = try ServiceProperties(PropertyInput.parseJSONObject(text))
        #expect(back == properties)
    }
}
