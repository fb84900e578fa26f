/// An attribute name as written (trimmed) and folded for lookup.
public struct FilterAttribute: Sendable, Equatable {
    /// The attribute as written in the filter, trimmed.
    public let name: String
    /// The name as `PropertyKey.fold` leaves it: what a `PropertySource` is asked for.
    public let folded: String

    init(_ name: String) {
        self.name = name
        self.folded = PropertyKey.fold(name)
    }
}
