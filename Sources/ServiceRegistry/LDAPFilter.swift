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

    /// Parses a filter string; errors carry the 1-based column.
    public static func parse(_ text: String) throws(RegistryError) -> LDAPFilter {
        var parser = FilterParser(text)
        return try parser.parse()
    }
}

/// The comparison operators of RFC 4515 / OSGi.
public enum ComparisonOperator: String, Sendable {
    case equal = "="
    case approx = "~="
    case greaterOrEqual = ">="
    case lessOrEqual = "<="
}

/// An attribute name as written (trimmed) and folded for lookup.
public struct FilterAttribute: Sendable, Equatable {
    public let name: String
    public let folded: String

    init(_ name: String) {
        self.name = name
        self.folded = PropertyKey.fold(name)
    }
}

/// The text of a comparison with its conversions to each property type, done once at parse time.
public struct FilterOperand: Sendable, Equatable {
    public let text: String
    let utf8: [UInt8]
    let integer: Int64?
    let float: Double?
    let boolean: Bool?
    let approxFolded: [Unicode.Scalar]

    init(_ text: String) {
        self.text = text
        self.utf8 = Array(text.utf8)
        let trimmed = JavaText.trim(text)
        self.integer = JavaText.parseLong(trimmed)
        self.float = JavaText.parseDouble(trimmed)
        switch trimmed.lowercased() {
        case "true": self.boolean = true
        case "false": self.boolean = false
        default: self.boolean = nil
        }
        self.approxFolded = JavaText.approxFold(text)
    }

    /// The text as a 64-bit integer, as OSGi converts it for integer properties.
    public var integerValue: Int64? { integer }
    /// The text as a double, as OSGi converts it for float properties.
    public var floatValue: Double? { float }
    /// The text as a boolean (`true`/`false`, any case), or nil.
    public var booleanValue: Bool? { boolean }

    public static func == (lhs: FilterOperand, rhs: FilterOperand) -> Bool { lhs.utf8 == rhs.utf8 }
}

/// One literal piece of a substring pattern.
public struct SubstringPiece: Sendable, Equatable {
    public let text: String
    let utf8: [UInt8]

    init(_ text: String) {
        self.text = text
        self.utf8 = Array(text.utf8)
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
            "(" + attribute.name + "=" + pieces.map { $0.map { Self.escape($0.text) } ?? "*" }.joined() + ")"
        }
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            if character == "(" || character == ")" || character == "*" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
