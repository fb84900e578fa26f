/// How a listener learns that a store may have changed, without polling it: the store
/// says when to look again at its event log.
public protocol ChangeSignal: AnyObject {
    /// Waits until the store may have changed, one of `descriptors` is readable or closed,
    /// or `timeout` seconds have passed. A wake-up may be spurious; a change is never missed
    /// by a caller that reads the log after every return.
    func wait(timeout: Double, descriptors: [Int32]) throws -> ChangeWake
}

/// Why `ChangeSignal.wait` returned.
public enum ChangeWake: Equatable, Sendable {
    /// The store may have changed: read the log.
    case changed
    case timedOut
    /// One of the extra descriptors is readable or closed.
    case descriptor(Int32)
    /// The store was deleted or replaced, or cannot be read any more (the reason).
    case storeGone(String)
}
