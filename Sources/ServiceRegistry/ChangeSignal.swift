/// How a listener learns that a store may have changed, without polling it: the store
/// says when to look again at its event log.
public protocol ChangeSignal: AnyObject {
    /// Waits until the store may have changed, the signal's waker is called, or `timeout`
    /// seconds have passed. A wake-up may be spurious; a change is never missed by a caller
    /// that reads the log after every return.
    func wait(timeout: Double) throws -> ChangeWake
    /// What ends a wait from elsewhere: another thread, or whatever watches for Ctrl-C.
    var waker: any ChangeWaker { get }
}

/// Ends a `ChangeSignal.wait` that is in progress, or the next one.
public protocol ChangeWaker: Sendable {
    /// Makes the current or next wait return `.woken`. Safe from any thread.
    func wake()
}

/// Why `ChangeSignal.wait` returned.
public enum ChangeWake: Equatable, Sendable {
    /// The store may have changed: read the log.
    case changed
    case timedOut
    /// The waker was called.
    case woken
    /// The store was deleted or replaced, or cannot be read any more (the reason).
    case storeGone(String)
}
