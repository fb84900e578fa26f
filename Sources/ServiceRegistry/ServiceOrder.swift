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
