/// A change to a service's properties, as `set-props` expresses it.
public struct PropertyUpdate: Sendable {
    /// Keys to set, in the order given.
    public var assignments: [(String, PropertyValue)]
    /// Keys to remove.
    public var removals: [String]
    /// Replace the whole property set instead of merging (OSGi `setProperties`).
    public var replace: Bool

    /// An update; by default it sets nothing, removes nothing and merges.
    public init(assignments: [(String, PropertyValue)] = [], removals: [String] = [], replace: Bool = false) {
        self.assignments = assignments
        self.removals = removals
        self.replace = replace
    }
}
