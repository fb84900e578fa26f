/// A service's properties: keys compared case-insensitively, shown as last spelled.
///
/// Entries are kept sorted by folded key, so equal property sets compare equal and output
/// is deterministic. Property sets are small; lookups scan linearly.
public struct ServiceProperties: Sendable, Equatable {
    /// One property: the key as last spelled, its folded form, and its value.
    public struct Entry: Sendable, Equatable {
        /// The key as last spelled.
        public let key: String
        /// The key as `PropertyKey.fold` leaves it: what lookups and ordering use.
        public let foldedKey: String
        /// The property's value.
        public let value: PropertyValue
    }

    /// Every property, sorted by folded key.
    public private(set) var entries: [Entry] = []

    /// An empty property set.
    public init() {}

    /// Builds a property set from pairs; two keys differing only in case are an error.
    public init(_ pairs: [(String, PropertyValue)]) throws(RegistryError) {
        // Pairs already in folded-key order (what the store writes) are taken as they are.
        var sorted: [Entry] = []
        sorted.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            let folded = PropertyKey.fold(key)
            if let last = sorted.last, last.foldedKey >= folded { break }
            sorted.append(Entry(key: key, foldedKey: folded, value: value))
        }
        if sorted.count == pairs.count {
            entries = sorted
            return
        }
        for (key, value) in pairs {
            let folded = PropertyKey.fold(key)
            if let existing = entry(forFolded: folded) {
                throw .duplicateKey(key, existing: existing.key)
            }
            set(key, value, folded: folded)
        }
    }

    /// Whether there are no properties.
    public var isEmpty: Bool { entries.isEmpty }
    /// How many properties there are.
    public var count: Int { entries.count }

    /// The value for a key, ignoring case.
    public subscript(key: String) -> PropertyValue? {
        entry(forFolded: PropertyKey.fold(key))?.value
    }

    /// The entry whose folded key is `folded`.
    public func entry(forFolded folded: String) -> Entry? {
        for entry in entries where entry.foldedKey == folded { return entry }
        return nil
    }

    /// Sets a value, replacing any key that differs only in case (the new spelling wins).
    public mutating func set(_ key: String, _ value: PropertyValue) {
        set(key, value, folded: PropertyKey.fold(key))
    }

    private mutating func set(_ key: String, _ value: PropertyValue, folded: String) {
        let entry = Entry(key: key, foldedKey: folded, value: value)
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].foldedKey < folded { low = mid + 1 } else { high = mid }
        }
        if low < entries.count, entries[low].foldedKey == folded {
            entries[low] = entry
        } else {
            entries.insert(entry, at: low)
        }
    }

    /// Removes a key, ignoring case; returns whether it was there.
    @discardableResult
    public mutating func remove(_ key: String) -> Bool {
        let folded = PropertyKey.fold(key)
        guard let index = entries.firstIndex(where: { $0.foldedKey == folded }) else { return false }
        entries.remove(at: index)
        return true
    }

    /// True when both sets hold the same keys (ignoring case) with equal values.
    public func hasSameValues(as other: ServiceProperties) -> Bool {
        guard entries.count == other.entries.count else { return false }
        return zip(entries, other.entries).allSatisfy { $0.foldedKey == $1.foldedKey && $0.value == $1.value }
    }
}

extension ServiceProperties: PropertySource {
    /// The value under a folded key; nil when absent.
    public func value(forFoldedKey folded: String) -> PropertyValue? {
        entry(forFolded: folded)?.value
    }
}
