/// One event as a listener receives it: the change and what it means for that listener.
public struct ListenerEvent: Sendable, Equatable {
    /// What the change means for the listener (REGISTERED, MODIFIED, …).
    public let kind: ServiceEventKind
    /// The logged change the event comes from.
    public let change: ServiceChange

    /// An event of a kind for a change.
    public init(kind: ServiceEventKind, change: ServiceChange) {
        self.kind = kind
        self.change = change
    }

    /// The service's properties the event is about: after the change, or the last ones
    /// for UNREGISTERING.
    public var properties: LoggedProperties? { change.newProperties ?? change.oldProperties }
}

/// A listener's position in the event log: every change after `cursor`, each exactly once,
/// in commit order, whatever the pages read come to.
public struct EventFeed {
    /// The registry whose event log is read.
    public let registry: Registry
    /// Which changes become events, and of what kind.
    public let interest: ListenerInterest
    /// The sequence number of the last change read (events after it come next).
    public private(set) var cursor: Int64

    /// A feed of the changes after the one numbered `cursor`.
    public init(registry: Registry, interest: ListenerInterest, after cursor: Int64) {
        self.registry = registry
        self.interest = interest
        self.cursor = cursor
    }

    /// The listener's events among the next (at most `limit`) logged changes, and whether
    /// the log holds more after them. Throws `RegistryError.resyncNeeded` when changes
    /// after the cursor are no longer kept.
    public mutating func next(limit: Int = 1000) throws -> (events: [ListenerEvent], more: Bool) {
        let changes = try registry.changes(after: cursor, limit: limit)
        var events: [ListenerEvent] = []
        for change in changes {
            if let kind = interest.event(for: change) { events.append(ListenerEvent(kind: kind, change: change)) }
        }
        if let last = changes.last { cursor = last.sequence }
        return (events, changes.count == limit)
    }
}
