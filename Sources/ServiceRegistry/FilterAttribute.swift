/// An attribute name as written (trimmed) and folded for lookup.
public struct FilterAttribute: Sendable, Equatable {
    public let name: String
    public let folded: String

    init(_ name: String) {
        self.name = name
        self.folded = PropertyKey.fold(name)
    }
}
