/// Which services a read is about: an optional specification and an optional filter.
public struct ServiceQuery: Sendable {
    /// Only services registered under this specification; nil for any.
    public var specification: String?
    /// Only services matching this filter; nil for any.
    public var filter: LDAPFilter?
    /// The caller stops at the first match in the default order (`get`): a store should
    /// walk candidates in that order rather than collect and sort them all.
    public var firstOnly = false
    /// Unsatisfied services (a requirement not met) are found too (`--include-unsatisfied`).
    public var includeUnsatisfied = false

    /// A query for every matching service (not `firstOnly`); nil narrows nothing.
    public init(specification: String? = nil, filter: LDAPFilter? = nil) {
        self.specification = specification
        self.filter = filter
    }

    /// Whether a service belongs to the result.
    public func matches(_ record: ServiceRecord) -> Bool {
        if let specification, !record.specifications.contains(specification) { return false }
        return filter?.matches(record) ?? true
    }
}
