/// Parses RFC 4515 filter strings the way the OSGi reference implementation does, with
/// error messages that name the column and what was expected.
struct FilterParser {
    private let chars: [Unicode.Scalar]
    private var pos = 0
    /// How many filters the one being read is inside (the parser, the evaluator and the
    /// SQL builder recurse on it: a limit keeps them far from the stack's end).
    private var depth = 0

    init(_ text: String) {
        chars = Array(text.unicodeScalars)
    }

    mutating func parse() throws(RegistryError) -> LDAPFilter {
        skipWhitespace()
        if pos == chars.count { throw fail("the filter is empty; expected '(' as in (key=value)") }
        let filter = try parseFilter()
        if pos != chars.count {
            throw fail("unexpected '\(chars[pos])' after the end of the filter")
        }
        return filter
    }

    private func fail(_ message: String, at position: Int? = nil) -> RegistryError {
        .filterSyntax(column: (position ?? pos) + 1, problem: message)
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        pos + offset < chars.count ? chars[pos + offset] : nil
    }

    private mutating func expect(_ scalar: Unicode.Scalar) throws(RegistryError) {
        guard let current = peek() else { throw fail("unexpected end of filter; expected '\(scalar)'") }
        guard current == scalar else { throw fail("expected '\(scalar)', found '\(current)'") }
        pos += 1
    }

    private mutating func skipWhitespace() {
        while pos < chars.count, JavaText.isWhitespace(chars[pos]) { pos += 1 }
    }

    private mutating func parseFilter() throws(RegistryError) -> LDAPFilter {
        skipWhitespace()
        depth += 1
        defer { depth -= 1 }
        if depth > LDAPFilter.maximumDepth {
            throw .filterTooDeep(column: pos + 1, limit: LDAPFilter.maximumDepth)
        }
        try expect("(")
        let filter = try parseFilterComponent()
        skipWhitespace()
        try expect(")")
        skipWhitespace()
        return filter
    }

    private mutating func parseFilterComponent() throws(RegistryError) -> LDAPFilter {
        skipWhitespace()
        guard let c = peek() else { throw fail("unexpected end of filter; expected an attribute or '&', '|', '!'") }
        switch c {
        case "&", "|":
            let start = pos
            pos += 1
            skipWhitespace()
            guard peek() == "(" else {
                if peek() == ")" || peek() == nil {
                    throw fail("'\(c)' needs at least one operand, as in (\(c)(a=1)(b=2))")
                }
                // OSGi reads "(&=x)" as the attribute "&".
                pos = start
                return try parseItem()
            }
            var operands: [LDAPFilter] = []
            while peek() == "(" { operands.append(try parseFilter()) }
            return c == "&" ? .and(operands) : .or(operands)
        case "!":
            let start = pos
            pos += 1
            skipWhitespace()
            guard peek() == "(" else {
                if peek() == ")" || peek() == nil { throw fail("'!' needs one operand, as in (!(a=1))") }
                pos = start
                return try parseItem()
            }
            let operand = try parseFilter()
            if peek() == "(" { throw fail("'!' takes exactly one operand; combine several with (!(|(a=1)(b=2)))") }
            return .not(operand)
        default:
            return try parseItem()
        }
    }

    private mutating func parseItem() throws(RegistryError) -> LDAPFilter {
        let attribute = try parseAttribute()
        skipWhitespace()
        guard let c = peek() else { throw fail("unexpected end of filter; expected an operator (=, ~=, >=, <=)") }
        switch c {
        case "~", ">", "<":
            guard peek(1) == "=" else {
                let hint = c == "~" ? "'~='" : "'\(c)='"
                throw fail("'\(c)' is not an operator; use \(hint)")
            }
            pos += 2
            let op: ComparisonOperator = c == "~" ? .approx : (c == ">" ? .greaterOrEqual : .lessOrEqual)
            let value = try parseValue(after: op)
            return .comparison(
                attribute: FilterAttribute(attribute), operator: op,
                operand: FilterOperand(value, forApprox: op == .approx))
        case "=":
            if attribute.unicodeScalars.last == "!" {
                throw fail("'!=' is not an operator; write (!(\(attribute.dropLast())=value))", at: pos - 1)
            }
            if peek(1) == "*" {
                let saved = pos
                pos += 2
                skipWhitespace()
                if peek() == ")" { return .present(attribute: FilterAttribute(attribute)) }
                pos = saved
            }
            pos += 1
            let pieces = try parseSubstring()
            if pieces.isEmpty {
                return .comparison(attribute: FilterAttribute(attribute), operator: .equal, operand: FilterOperand(""))
            }
            if pieces.count == 1, let only = pieces[0] {
                return .comparison(
                    attribute: FilterAttribute(attribute), operator: .equal, operand: FilterOperand(only))
            }
            return .substring(attribute: FilterAttribute(attribute), pieces: pieces.map { $0.map(SubstringPiece.init) })
        default:
            throw fail("expected an operator (=, ~=, >=, <=), found '\(c)'")
        }
    }

    private mutating func parseAttribute() throws(RegistryError) -> String {
        skipWhitespace()
        let begin = pos
        var end = pos
        while let c = peek(), c != "~", c != "<", c != ">", c != "=", c != "(", c != ")" {
            pos += 1
            if !JavaText.isWhitespace(c) { end = pos }
        }
        if end == begin {
            if let c = peek() {
                throw fail("expected an attribute name before '\(c)'")
            }
            throw fail("unexpected end of filter; expected an attribute name")
        }
        var name = TextBuffer()
        for scalar in chars[begin..<end] { name.append(scalar) }
        return name.text
    }

    private mutating func parseValue(after op: ComparisonOperator) throws(RegistryError) -> String {
        var value = TextBuffer()
        while true {
            guard let c = peek() else { throw fail("unexpected end of filter; expected ')'") }
            switch c {
            case ")":
                if value.isEmpty { throw fail("expected a value after '\(op.rawValue)'") }
                return value.text
            case "(":
                throw fail("'(' in a value must be escaped as '\\('")
            case "\\":
                pos += 1
                guard let escaped = peek() else { throw fail("unexpected end of filter after '\\'") }
                value.append(escaped)
                pos += 1
            default:
                value.append(c)
                pos += 1
            }
        }
    }

    /// The pieces of an `=` value: literal text and `nil` for each unescaped star.
    private mutating func parseSubstring() throws(RegistryError) -> [String?] {
        var pieces: [String?] = []
        var current = TextBuffer()
        var hasCurrent = false
        while true {
            guard let c = peek() else { throw fail("unexpected end of filter; expected ')'") }
            switch c {
            case ")":
                if hasCurrent { pieces.append(current.text) }
                return pieces
            case "(":
                throw fail("'(' in a value must be escaped as '\\('")
            case "*":
                if hasCurrent { pieces.append(current.text) }
                current = TextBuffer()
                hasCurrent = false
                pieces.append(nil)
                pos += 1
            case "\\":
                pos += 1
                guard let escaped = peek() else { throw fail("unexpected end of filter after '\\'") }
                current.append(escaped)
                hasCurrent = true
                pos += 1
            default:
                current.append(c)
                hasCurrent = true
                pos += 1
            }
        }
    }
}

extension FilterParser {
    /// Text built one scalar at a time as UTF-8 bytes: appending to a `String`'s scalar view
    /// costs hundreds of instructions a scalar, most of a filter's parsing time.
    private struct TextBuffer {
        private var bytes: [UInt8] = []

        var isEmpty: Bool { bytes.isEmpty }

        mutating func append(_ scalar: Unicode.Scalar) {
            if scalar.isASCII {
                bytes.append(UInt8(scalar.value))
            } else {
                UTF8.encode(scalar) { bytes.append($0) }
            }
        }

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }
}
