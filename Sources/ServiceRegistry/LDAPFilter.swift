/// A parsed RFC 4515 filter with OSGi semantics. Parse once with `LDAPFilter.parse`, then
/// evaluate many times with `matches(_:)`.
public indirect enum LDAPFilter: Sendable, Equatable {
    case and([LDAPFilter])
    case or([LDAPFilter])
    case not(LDAPFilter)
    /// `(attr=value)`, `(attr~=value)`, `(attr>=value)`, `(attr<=value)`.
    case comparison(attribute: FilterAttribute, operator: ComparisonOperator, operand: FilterOperand)
    /// `(attr=*)`.
    case present(attribute: FilterAttribute)
    /// `(attr=a*b*c)`: pieces in order, `nil` for each star.
    case substring(attribute: FilterAttribute, pieces: [SubstringPiece?])

    /// How deep filters may nest: `(&(a=1))` is 2 levels. Far beyond any real filter, and
    /// far from what would exhaust the stack of the recursive evaluation.
    public static let maximumDepth = 256

    /// Parses a filter string; errors carry the 1-based column.
    public static func parse(_ text: String) throws(RegistryError) -> LDAPFilter {
        var parser = FilterParser(text)
        return try parser.parse()
    }
}

extension LDAPFilter: CustomStringConvertible {
    /// The filter in canonical RFC 4515 form, with special characters escaped.
    public var description: String {
        switch self {
        case .and(let children): "(&" + children.map(\.description).joined() + ")"
        case .or(let children): "(|" + children.map(\.description).joined() + ")"
        case .not(let child): "(!" + child.description + ")"
        case .comparison(let attribute, let op, let operand):
            "(" + attribute.name + op.rawValue + Self.escape(operand.text) + ")"
        case .present(let attribute): "(" + attribute.name + "=*)"
        case .substring(let attribute, let pieces):
            // "=*" then only blanks reads as presence ((a=* ) is (a=*)): such blanks are escaped
            // (found by fuzzing).
            if pieces.count == 2, pieces[0] == nil, let text = pieces[1]?.text,
                text.unicodeScalars.allSatisfy(JavaText.isWhitespace)
            {
                "(" + attribute.name + "=*" + text.unicodeScalars.map { "\\\($0)" }.joined() + ")"
            } else {
                "(" + attribute.name + "=" + pieces.map { $0.map { Self.escape($0.text) } ?? "*" }.joined() + ")"
            }
        }
    }

    static func escape(_ text: String) -> String {
        // By scalar, not Character: a backslash followed by a combining mark is one
        // Character, and must still be escaped (found by fuzzing).
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "(" || scalar == ")" || scalar == "*" || scalar == "\\" { out.append("\\") }
            out.append(scalar)
        }
        return String(out)
    }
}
