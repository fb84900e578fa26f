/// A comparable view of a property value for `--min` / `--max`: numbers (ints and floats
/// together) before strings (by code point) before booleans; a list counts as its
/// smallest element for `--min` and its largest for `--max`; an empty list as missing.
struct SortKey: Comparable {
    enum Kind: Int { case number, string, boolean }
    let kind: Kind
    let number: Double
    let integer: Int64?
    let string: [UInt8]

    init?(_ value: PropertyValue, largest: Bool) {
        switch value {
        case .integer(let i): self.init(kind: .number, number: Double(i), integer: i, string: [])
        case .float(let d): self.init(kind: .number, number: d, integer: nil, string: [])
        case .string(let s): self.init(kind: .string, number: 0, integer: nil, string: Array(s.utf8))
        case .boolean(let b): self.init(kind: .boolean, number: b ? 1 : 0, integer: nil, string: [])
        case .list(let items):
            let keys = items.compactMap { SortKey($0, largest: largest) }
            guard let pick = largest ? keys.max() : keys.min() else { return nil }
            self = pick
        }
    }

    private init(kind: Kind, number: Double, integer: Int64?, string: [UInt8]) {
        self.kind = kind
        self.number = number
        self.integer = integer
        self.string = string
    }

    static func < (a: SortKey, b: SortKey) -> Bool {
        if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue }
        switch a.kind {
        case .number:
            if let x = a.integer, let y = b.integer { return x < y }
            return JavaText.compare(a.number, b.number) < 0
        case .string: return a.string.lexicographicallyPrecedes(b.string)
        case .boolean: return a.number < b.number
        }
    }

    static func == (a: SortKey, b: SortKey) -> Bool {
        !(a < b) && !(b < a)
    }
}
