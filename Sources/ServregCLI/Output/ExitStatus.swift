import ArgumentParser
import ServiceRegistry

/// servreg's documented exit statuses (DESIGN.md section 4).
public enum ExitStatus: Int32, Sendable {
    case success = 0
    case noMatch = 1
    case conditionFailed = 2
    case refused = 3
    case resyncNeeded = 4
    /// A factory or release command failed (non-zero exit, signal, timeout, no output).
    case factoryFailed = 5
    case usage = 64
    case invalidInput = 65
    case internalError = 70
    case storeError = 74
    case storeBusy = 75
    case permissionDenied = 77
    /// A command to run (a factory, a release command) cannot be run.
    case cannotRun = 126
    /// A command to run was not found.
    case commandNotFound = 127
    case interrupted = 130
    /// Standard output's reader went away (a pipe to `head`): 128 + SIGPIPE, as a tool
    /// killed by the signal would end.
    case outputClosed = 141

    // Which error ends with which status is decided in one place: `ErrorReport`.

    /// The table printed by `--help` and the manual.
    static let helpTable = """
        EXIT STATUS:
          0    success
          1    nothing matched / no such service
          2    a condition failed
          3    refused by a hook or a schema
          4    listen --since asked for events no longer kept
          5    a factory or release command failed (exit status, signal, timeout,
               no output); nothing was kept
          64   usage error (unknown command or option, missing argument)
          65   invalid input (bad filter, property, option value or JSON; read-only key)
          70   internal error (a bug: please report it)
          74   store or output error (cannot open or create; corrupt or foreign
               file; standard output cannot be written)
          75   store busy (lock wait timed out)
          77   permission denied (store not writable; a factory or release
               command in a store that is not the user's own)
          126  a command to run (--hold, factory, release) cannot be run
          127  a command to run was not found
          130  interrupted
          141  standard output was closed (e.g. piped to head); what was printed
               is committed
        """
}
