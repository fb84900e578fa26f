/// How services are ordered: OSGi's rule, optionally preceded by a property sort.
public enum ServiceOrder: Sendable, Equatable {
    /// Highest `service.ranking` first, then lowest `service.id`.
    case ranking
    /// Smallest value of a property first (services lacking it last), then `.ranking`.
    case minimum(key: String)
    /// Largest value of a property first (services lacking it last), then `.ranking`.
    case maximum(key: String)

    /// OSGi's order: true when `a` comes before `b`.
    public static func rankingPrecedes(_ a: ServiceRecord, _ b: ServiceRecord) -> Bool {
        if a.ranking != b.ranking { return a.ranking > b.ranking }
        return a.id < b.id
    }

    /// True when `a` comes before `b` in this order.
    public func precedes(_ a: ServiceRecord, _ b: ServiceRecord) -> Bool {
        switch self {
        case .ranking:
            return Self.rankingPrecedes(a, b)
        case .minimum(let key), .maximum(let key):
            let folded = PropertyKey.fold(key)
            let wantMax: Bool
            if case .maximum = self { wantMax = true } else { wantMax = false }
            let left = a.value(forFoldedKey: folded).flatMap { SortKey($0, largest: wantMax) }
            let right = b.value(forFoldedKey: folded).flatMap { SortKey($0, largest: wantMax) }
            switch (left, right) {
            case (nil, nil): return Self.rankingPrecedes(a, b)
            case (nil, _): return false
            case (_, nil): return true
            case (let l?, let r?):
                if l == r { return Self.rankingPrecedes(a, b) }
                return wantMax ? r < l : l < r
            }
        }
    }

    /// The property this order sorts by, if any.
    public var key: String? {
        switch self {
        case .ranking: nil
        case .minimum(let key), .maximum(let key): key
        }
    }
}

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
