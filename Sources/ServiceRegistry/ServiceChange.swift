/// One entry of the store's event log: what happened to a service, with its properties
/// (reserved ones included) before and after.
public struct ServiceChange: Sendable, Equatable {
    /// What kind of change was committed.
    public enum Kind: String, Sendable {
        case registered
        case modified
        case unregistered
    }

    /// Store-wide, strictly increasing sequence number.
    public let sequence: Int64
    public let kind: Kind
    public let serviceID: ServiceID
    public let specifications: [String]
    /// Properties before the change (nil for `registered`).
    public let oldProperties: ServiceProperties?
    /// Properties after the change (nil for `unregistered`).
    public let newProperties: ServiceProperties?
    /// Seconds since 1970.
    public let time: Double
    /// Why a service was removed (`unregister`, later `expired`, …).
    public let reason: String?

    public init(
        sequence: Int64, kind: Kind, serviceID: ServiceID, specifications: [String],
        oldProperties: ServiceProperties?, newProperties: ServiceProperties?, time: Double, reason: String?
    ) {
        self.sequence = sequence
        self.kind = kind
        self.serviceID = serviceID
        self.specifications = specifications
        self.oldProperties = oldProperties
        self.newProperties = newProperties
        self.time = time
        self.reason = reason
    }
}

/// The event kinds a listener sees (OSGi `ServiceEvent`).
public enum ServiceEventKind: String, Sendable {
    case registered = "REGISTERED"
    case modified = "MODIFIED"
    case modifiedEndMatch = "MODIFIED_ENDMATCH"
    case unregistering = "UNREGISTERING"
}

/// What a listener is interested in: an optional specification and an optional filter.
public struct ListenerInterest: Sendable {
    public let specification: String?
    public let filter: LDAPFilter?

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
        if let specification, !change.specifications.contains(specification) { return nil }
        func matches(_ properties: ServiceProperties?) -> Bool {
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
