import Foundation

/// The pipe a signal handler writes a byte to, so that a thread waiting in poll(2) wakes
/// up: both ends close-on-exec and non-blocking (a handler never blocks; a reader empties it).
enum SelfPipe {
    /// A new pipe's ends, or nil when none can be made.
    static func make() -> (read: Int32, write: Int32)? {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        return (ends[0], ends[1])
    }
}
