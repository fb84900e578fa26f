/// A typed property value: a string, a 64-bit integer, a double, a boolean, or a list of those.
///
/// Integers and floats stay apart everywhere: `42` and `42.0` are different values, and two
/// strings are equal only when their Unicode scalars are (no canonical-equivalence folding).
public enum PropertyValue: Sendable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case list([PropertyValue])

    /// The type name used on the command line and in `props` output.
    public var typeName: String {
        switch self {
        case .string: "str"
        case .integer: "int"
        case .float: "float"
        case .boolean: "bool"
        case .list(let items):
            if let first = items.first, items.allSatisfy({ $0.typeName == first.typeName }) {
                "list<\(first.typeName)>"
            } else {
                "list"
            }
        }
    }
}

extension PropertyValue: Hashable {
    /// Same case and same value: strings by their UTF-8 bytes, floats by their bit patterns.
    public static func == (lhs: PropertyValue, rhs: PropertyValue) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a.utf8.elementsEqual(b.utf8)
        case (.integer(let a), .integer(let b)): a == b
        case (.float(let a), .float(let b)): a.bitPattern == b.bitPattern
        case (.boolean(let a), .boolean(let b)): a == b
        case (.list(let a), .list(let b)): a == b
        default: false
        }
    }

    /// Hashes as `==` compares: the case, then string bytes or a float's bit pattern.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .string(let s):
            hasher.combine(0)
            for byte in s.utf8 { hasher.combine(byte) }
        case .integer(let i):
            hasher.combine(1)
            hasher.combine(i)
        case .float(let d):
            hasher.combine(2)
            hasher.combine(d.bitPattern)
        case .boolean(let b):
            hasher.combine(3)
            hasher.combine(b)
        case .list(let items):
            hasher.combine(4)
            hasher.combine(items)
        }
    }
}
