import Foundation
import Synchronization

/// Records Ctrl-C (SIGINT) for the interactive shell and `listen`: the handler only sets a
/// flag and writes a byte to a pipe, so that a command waiting in poll(2) wakes up.
enum InterruptFlag {
    private static let raised = Atomic<Bool>(false)
    /// The pipe's write end (for the handler) and read end (for poll), once installed.
    private static let writeEnd = Atomic<Int32>(-1)
    private static let readEnd = Atomic<Int32>(-1)

    /// Installs the handler, without SA_RESTART so that a blocking read returns.
    static func install() {
        if writeEnd.load(ordering: .relaxed) < 0, let ends = SelfPipe.make() {
            readEnd.store(ends.read, ordering: .relaxed)
            writeEnd.store(ends.write, ordering: .relaxed)
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            InterruptFlag.raised.store(true, ordering: .relaxed)
            let descriptor = InterruptFlag.writeEnd.load(ordering: .relaxed)
            if descriptor >= 0 {
                var byte: UInt8 = 1
                _ = write(descriptor, &byte, 1)
            }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        // A parent may have started us with SIGINT blocked; Ctrl-C must still reach us.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// A descriptor that becomes readable on Ctrl-C (after `install`), or nil.
    static var descriptor: Int32? {
        let descriptor = readEnd.load(ordering: .relaxed)
        return descriptor >= 0 ? descriptor : nil
    }

    /// Whether Ctrl-C came since the last call, clearing it.
    static func take() -> Bool {
        if let descriptor {
            var bytes = [UInt8](repeating: 0, count: 64)
            while read(descriptor, &bytes, bytes.count) > 0 {}
        }
        return raised.exchange(false, ordering: .relaxed)
    }
}
