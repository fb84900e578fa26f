/// What a listener is interested in: an optional specification and an optional filter.
public struct ListenerInterest: Sendable {
    /// Only services registered under this specification; nil for any.
    public let specification: String?
    /// Only services whose properties match this filter; nil for any.
    public let filter: LDAPFilter?

    /// An interest in a specification and a filter, either nil for no restriction.
    public init(specification: String?, filter: LDAPFilter?) {
        self.specification = specification
        self.filter = filter
    }

    /// The event this listener receives for a change, or nil when it concerns it not.
    ///
    /// REGISTERED when a new service matches; MODIFIED when it matches after a change
    /// (whether or not it did before); MODIFIED_ENDMATCH when it matched before but not
    /// after; UNREGISTERING when a removed service matched.
    public func event(for change: ServiceChange) -> ServiceEventKind? {
        if change.hidden { return nil }
        if let specification, !change.specifications.contains(specification) { return nil }
        func matches(_ properties: LoggedProperties?) -> Bool {
            guard let properties else { return false }
            return filter?.matches(properties) ?? true
        }
        switch change.kind {
        case .registered:
            return matches(change.newProperties) ? .registered : nil
        case .modified:
            if matches(change.newProperties) { return .modified }
            return matches(change.oldProperties) ? .modifiedEndMatch : nil
        case .unregistered:
            return matches(change.oldProperties) ? .unregistering : nil
        }
    }
}
