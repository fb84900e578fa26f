import Foundation
import Synchronization

/// Records Ctrl-C (SIGINT) for the interactive shell: the handler only sets a flag, and
/// the prompt loop (or a long-running command) checks it.
enum InterruptFlag {
    private static let raised = Atomic<Bool>(false)

    /// Installs the handler, without SA_RESTART so that a blocking read returns.
    static func install() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in InterruptFlag.raised.store(true, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        // A parent may have started us with SIGINT blocked; Ctrl-C must still reach us.
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
    }

    /// Whether Ctrl-C came since the last call, clearing it.
    static func take() -> Bool {
        raised.exchange(false, ordering: .relaxed)
    }
}
