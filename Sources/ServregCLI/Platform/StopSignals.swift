import Foundation
import Synchronization

/// The signals a supervising `register --hold --requires` acts on itself: SIGINT, SIGTERM,
/// SIGHUP and SIGQUIT ask it to stop (it stops COMMAND in its own way: SIGTERM, then SIGKILL), and
/// SIGCHLD says COMMAND may have ended. Each handler only records and writes a byte to a
/// pipe, so that a wait on the store (through `WakeForwarder`) ends at once.
enum StopSignals {
    private static let stop = Atomic<Int32>(0)
    private static let writeEnd = Atomic<Int32>(-1)
    private static let readEnd = Atomic<Int32>(-1)
    private nonisolated(unsafe) static var saved: [Int32: sigaction] = [:]
    private static let handled = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD]

    /// Installs the handlers (once; `restore` puts the previous ones back).
    static func install() {
        if writeEnd.load(ordering: .relaxed) < 0, let ends = SelfPipe.make() {
            readEnd.store(ends.read, ordering: .relaxed)
            writeEnd.store(ends.write, ordering: .relaxed)
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            if signal != SIGCHLD {
                _ = StopSignals.stop.compareExchange(expected: 0, desired: signal, ordering: .relaxed)
            }
            let descriptor = StopSignals.writeEnd.load(ordering: .relaxed)
            if descriptor >= 0 {
                var byte: UInt8 = 1
                _ = write(descriptor, &byte, 1)
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART | SA_NOCLDSTOP
        var unblock = sigset_t()
        sigemptyset(&unblock)
        for signal in handled {
            var previous = sigaction()
            sigaction(signal, &action, &previous)
            if saved[signal] == nil { saved[signal] = previous }
            sigaddset(&unblock, signal)
        }
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// Puts back the handlers that were there before `install`.
    static func restore() {
        for (signal, action) in saved {
            var previous = action
            sigaction(signal, &previous, nil)
        }
        saved = [:]
        stop.store(0, ordering: .relaxed)
    }

    /// A descriptor that becomes readable when one of the signals comes.
    static var descriptor: Int32? {
        let descriptor = readEnd.load(ordering: .relaxed)
        return descriptor >= 0 ? descriptor : nil
    }

    /// Empties the pipe (after a wake-up), so that the next poll waits again.
    static func drain() {
        guard let descriptor else { return }
        var bytes = [UInt8](repeating: 0, count: 64)
        while read(descriptor, &bytes, bytes.count) > 0 {}
    }

    /// The stop signal that came (SIGINT, SIGTERM, SIGHUP or SIGQUIT), if one did.
    static var requested: Int32? {
        let signal = stop.load(ordering: .relaxed)
        return signal == 0 ? nil : signal
    }
}
