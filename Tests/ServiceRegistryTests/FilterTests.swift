import Testing

@testable import ServiceRegistry

private func properties(_ json: String) throws -> ServiceProperties {
    try ServiceProperties(PropertyInput.parseJSONObject(json))
}

private let sample = """
    {"name": "Joe Bloggs", "price": 90, "ratio": 0.5, "ok": true, "location": "BH3",
     "tags": ["red", "blue"], "ports": [80, 443], "empty": "", "none": [], "zero": -0.0,
     "Mixed.Case": "x", "spaced": " b", "star": "a*b", "paren": "(x)", "slash": "a\\\\b"}
    """

@Suite struct FilterEvaluationTests {
    @Test(arguments: [
        // equality and types
        ("(name=Joe Bloggs)", true), ("(name=joe bloggs)", false), ("(price=90)", true), ("(price=090)", true),
        ("(price= 90 )", true), ("(price=90.0)", false), ("(price=+90)", true), ("(ratio=0.5)", true),
        ("(ratio=.5)", true), ("(ratio=5e-1)", true), ("(ratio=0.5f)", true), ("(ratio=0.50)", true),
        ("(ok=true)", true), ("(ok=TRUE)", true), ("(ok= True )", true), ("(ok=false)", false), ("(ok=yes)", false),
        ("(ok>=true)", true), ("(ok<=true)", true), ("(ok~=TRUE)", true),
        // ordering
        ("(price<=100)", true), ("(price>=100)", false), ("(price>=90)", true), ("(price<=89)", false),
        ("(price<=abc)", false), ("(ratio<=1)", true), ("(ratio>=1)", false),
        ("(location>=BH3)", true), ("(location<=BH2)", false), ("(location>=BH30)", false),
        // approx
        ("(name~=joebloggs)", true), ("(name~= JOE  BLOGGS )", true), ("(name~=joe)", false),
        // presence
        ("(name=*)", true), ("(missing=*)", false), ("(empty=*)", true), ("(none=*)", true), ("(name=* )", true),
        // substrings
        ("(name=Joe*)", true), ("(name=*Bloggs)", true), ("(name=*e B*)", true), ("(name=J*e*s)", true),
        ("(name=*x*)", false), ("(name=**)", true), ("(empty=**)", true), ("(price=9*)", false),
        ("(star=a\\*b)", true), ("(star=a*b)", true), ("(paren=\\(x\\))", true), ("(slash=a\\\\b)", true),
        ("(name=Joe*Joe)", false),
        // empty value
        ("(empty=)", true), ("(name=)", false),
        // lists: any element
        ("(tags=red)", true), ("(tags=green)", false), ("(ports>=443)", true), ("(ports<=80)", true),
        ("(ports>=444)", false), ("(tags=r*)", true),
        // missing properties never match; not inverts
        ("(missing=1)", false), ("(!(missing=1))", true), ("(!(price=90))", false),
        // case-insensitive attribute names, trimmed
        ("(PRICE=90)", true), ("( price =90)", true), ("(mixed.case=x)", true),
        // white space inside the value is significant for strings
        ("(spaced= b)", true), ("(spaced=b)", false),
        // composition
        ("(&(price<=100)(location=BH3))", true), ("(&(price<=100)(location=BH2))", false),
        ("(|(price>=100)(location=BH3))", true), ("(|(price>=100)(location=BH2))", false),
        ("(&(|(a=1)(price=90))(!(ok=false)))", true), (" ( & (price=90) ) ", true),
        // reserved properties
        ("(objectClass=acme.IPlumber)", true), ("(objectclass=acme.*)", true), ("(service.id=7)", true),
        ("(service.ranking>=0)", true), ("(service.scope=singleton)", true),
        // -0.0 is below 0.0 (Java's Double.compare)
        ("(zero=0.0)", false), ("(zero<=0.0)", true), ("(zero=-0.0)", true),
        // RFC 4515 hex escapes are not decoded (OSGi)
        ("(paren=\\28x\\29)", false),
    ])
    func evaluates(filter: String, expected: Bool) throws {
        let record = ServiceRecord(
            id: 7, specifications: ["acme.IPlumber"], ranking: 0, scope: .singleton, properties: try properties(sample))
        let parsed = try LDAPFilter.parse(filter)
        #expect(parsed.matches(record) == expected, "\(filter)")
    }

    @Test func substringPiecesDoNotOverlap() throws {
        let aba = try properties(#"{"s": "aba"}"#)
        #expect(try !LDAPFilter.parse("(s=ab*ba)").matches(aba))
        #expect(try LDAPFilter.parse("(s=ab*ba)").matches(try properties(#"{"s": "abba"}"#)))
        #expect(try LDAPFilter.parse("(s=*a*a)").matches(try properties(#"{"s": "aa"}"#)))
        #expect(try !LDAPFilter.parse("(s=a*a)").matches(try properties(#"{"s": "a"}"#)))
    }

    @Test(arguments: ["-0", "0", "+7", "-42", "9007199254740993", "9223372036854775807", "-9223372036854775808"])
    func integerOperandsConvertToDoublesAsJavaDoes(text: String) throws {
        // Integer text takes a shortcut to its double; it must be what parsing would give.
        let operand = FilterOperand(text)
        let parsed = try #require(Double(text))
        #expect(operand.floatValue?.bitPattern == parsed.bitPattern, "\(text)")
    }

    @Test func nanAndInfinityInFilters() throws {
        let big = try properties(#"{"f": 1e308}"#)
        #expect(try LDAPFilter.parse("(f<=Infinity)").matches(big))
        #expect(try LDAPFilter.parse("(f<=NaN)").matches(big))
        #expect(try !LDAPFilter.parse("(f>=NaN)").matches(big))
        #expect(try !LDAPFilter.parse("(f<=inf)").matches(big))
    }
}

@Suite struct FilterParserTests {
    @Test(arguments: [
        ("", 1, "the filter is empty; expected '(' as in (key=value)"),
        ("   ", 4, "the filter is empty; expected '(' as in (key=value)"),
        ("price=1", 1, "expected '(', found 'p'"),
        ("()", 2, "expected an attribute name before ')'"),
        ("(&)", 3, "'&' needs at least one operand, as in (&(a=1)(b=2))"),
        ("(|)", 3, "'|' needs at least one operand, as in (|(a=1)(b=2))"),
        ("(!)", 3, "'!' needs one operand, as in (!(a=1))"),
        ("(!(a=1)(b=2))", 8, "'!' takes exactly one operand; combine several with (!(|(a=1)(b=2)))"),
        ("(a<1)", 3, "'<' is not an operator; use '<='"),
        ("(a>1)", 3, "'>' is not an operator; use '>='"),
        ("(a!=1)", 3, "'!=' is not an operator; write (!(a=value))"),
        ("(a~1)", 3, "'~' is not an operator; use '~='"),
        ("(a)", 3, "expected an operator (=, ~=, >=, <=), found ')'"),
        ("(a=1", 5, "unexpected end of filter; expected ')'"),
        ("(a=1))", 6, "unexpected ')' after the end of the filter"),
        ("(a=1)(b=2)", 6, "unexpected '(' after the end of the filter"),
        ("(a=(1)", 4, "'(' in a value must be escaped as '\\('"),
        ("(a<=)", 5, "expected a value after '<='"),
        ("(a~=)", 5, "expected a value after '~='"),
        ("(a=1\\", 6, "unexpected end of filter after '\\'"),
        ("(&(price<=100)(location=BH3)", 29, "unexpected end of filter; expected ')'"),
        ("(&(a=1)x)", 8, "expected ')', found 'x'"),
    ])
    func reportsColumnAndExpectation(filter: String, column: Int, problem: String) {
        #expect(throws: RegistryError.filterSyntax(column: column, problem: problem)) {
            try LDAPFilter.parse(filter)
        }
    }

    @Test(arguments: [
        "(a=1)", "(&(a=1)(b<=2))", "(|(a=1)(!(b>=2)))", "(a~=x y)", "(a=*)", "(a=x*y*)", "(a=\\(\\)\\*\\\\)", "(a=)",
    ])
    func canonicalFormRoundTrips(filter: String) throws {
        let parsed = try LDAPFilter.parse(filter)
        #expect(parsed.description == filter)
        #expect(try LDAPFilter.parse(parsed.description) == parsed)
    }

    @Test func osgiReadsAnAmpersandWithoutOperandsAsAnAttribute() throws {
        let parsed = try LDAPFilter.parse("(&=x)")
        guard case .comparison(let attribute, .equal, let operand) = parsed else {
            Issue.record("expected a comparison, got \(parsed)")
            return
        }
        #expect(attribute.name == "&")
        #expect(operand.text == "x")
    }

    @Test func presenceAllowsWhiteSpaceBeforeTheParenthesis() throws {
        #expect(try LDAPFilter.parse("(a=*  )") == .present(attribute: FilterAttribute("a")))
        guard case .substring = try LDAPFilter.parse("(a=* x)") else {
            Issue.record("(a=* x) should be a substring filter")
            return
        }
    }
}
