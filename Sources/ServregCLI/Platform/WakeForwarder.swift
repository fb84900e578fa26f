import Foundation
import ServiceRegistry
import Synchronization

/// Ends a listener's wait for store changes when Ctrl-C comes or the reader of stdout goes
/// away: a thread polls those descriptors and calls the store's waker. The store's change
/// signal knows nothing of terminals or pipes; the command line owns both.
final class WakeForwarder {
    /// What ended a wait, besides the store.
    enum Cause: Int32 {
        case none = 0
        case interrupt = 1
        case outputClosed = 2
    }

    /// Shared with the polling thread.
    private final class State: Sendable {
        let cause = Atomic<Int32>(0)
    }

    private let state = State()
    private let stopWriteEnd: Int32

    /// Starts watching `interrupt` (readable on Ctrl-C) and, if given, `output` (a pipe
    /// whose reader may go away), waking `waker` when either fires.
    init(interrupt: Int32?, output: Int32?, waker: any ChangeWaker) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            stopWriteEnd = -1
            return
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        stopWriteEnd = ends[1]
        let (stopReadEnd, stopWriteEnd) = (ends[0], ends[1])
        let state = self.state
        let thread = Thread {
            var descriptors = [pollfd(fd: stopReadEnd, events: Int16(POLLIN), revents: 0)]
            if let interrupt { descriptors.append(pollfd(fd: interrupt, events: Int16(POLLIN), revents: 0)) }
            // Events 0: poll still reports POLLERR/POLLHUP, a pipe whose reader has gone.
            if let output { descriptors.append(pollfd(fd: output, events: 0, revents: 0)) }
            while true {
                for index in descriptors.indices { descriptors[index].revents = 0 }
                if poll(&descriptors, nfds_t(descriptors.count), -1) < 0 {
                    if errno == EINTR { continue }
                    break
                }
                if descriptors[0].revents != 0 { break }  // stopped
                var closedOutput: Int32?
                for entry in descriptors.dropFirst() where entry.revents != 0 {
                    if entry.fd == interrupt {
                        // InterruptFlag holds the truth; empty its pipe so poll waits again.
                        var bytes = [UInt8](repeating: 0, count: 64)
                        while read(entry.fd, &bytes, bytes.count) > 0 {}
                        state.cause.store(Cause.interrupt.rawValue, ordering: .relaxed)
                    } else {
                        state.cause.store(Cause.outputClosed.rawValue, ordering: .relaxed)
                        closedOutput = entry.fd
                    }
                    waker.wake()
                }
                if let closedOutput { descriptors.removeAll { $0.fd == closedOutput } }
            }
            // Only this thread closes the stop pipe, after the stop byte: never a reused descriptor.
            close(stopReadEnd)
            close(stopWriteEnd)
        }
        thread.start()
    }

    /// Why the last wake-up came, clearing it.
    func takeCause() -> Cause {
        Cause(rawValue: state.cause.exchange(0, ordering: .relaxed)) ?? .none
    }

    deinit {
        var byte: UInt8 = 1
        if stopWriteEnd >= 0 { _ = write(stopWriteEnd, &byte, 1) }
    }
}
