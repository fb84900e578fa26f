import Foundation
import RegistrySQLite
import ServiceRegistry

/// What a command runs against: the registry (one store connection per process or
/// session, opened on first use) and the output streams.
final class CommandContext {
    /// Where results go; swapped for a capture buffer by `set NAME = COMMAND`.
    var output: TextOutput
    let errors: TextOutput
    let environment: [String: String]
    private var opened: (path: String, access: StoreAccess, registry: Registry)?

    /// What diagnostics start with: `servreg: ` or, in a batch file, `FILE:LINE: `.
    var diagnosticPrefix = "servreg: "
    /// The id the last `register` printed (`$_` in the shell and batch files).
    var lastRegisteredID: ServiceID?
    /// Commits wait for the disk only at `synchronize()` (batch files without --atomic).
    var deferredDurability = false {
        didSet { try? opened?.registry.store.setDeferredDurability(deferredDurability) }
    }
    /// The store for commands without `--store` (the `--store` of `shell` or `run`).
    var defaultStorePath: String?
    /// When set, every command must use this store (an --atomic batch).
    var pinnedStorePath: String?
    /// Keep decoded services between commands (sessions: the shell and batch files).
    var cachesRecords = false

    init(
        output: TextOutput = .standardOutput, errors: TextOutput = .standardError,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.output = output
        self.errors = errors
        self.environment = environment
    }

    /// The registry at the store the options name, opened for reading or writing.
    func registry(_ options: GlobalOptions, access: StoreAccess) throws -> Registry {
        let path = StoreLocation.resolve(option: options.store ?? defaultStorePath, environment: environment)
        if let opened, opened.path == path, opened.access == .write || access == .read {
            return opened.registry
        }
        if let pinnedStorePath, pinnedStorePath != path {
            throw CommandLineError.invalid("--atomic: every line must use the store \(pinnedStorePath), not \(path)")
        }
        let timeout = environment["SERVREG_BUSY_TIMEOUT"].flatMap(Double.init) ?? 5
        // Close the previous connection first: opening reads the file's header through a
        // descriptor of its own, and closing that would drop the POSIX locks SQLite holds
        // on the same file for a connection still open in this process. What a batch
        // committed there without waiting for the disk is made durable before.
        if deferredDurability { try opened?.registry.store.synchronize() }
        opened = nil
        let store = try SQLiteStore(path: path, access: access == .write ? .write : .read, busyTimeout: timeout)
        if deferredDurability { try store.setDeferredDurability(true) }
        if cachesRecords { store.cacheRecords(true) }
        if let text = environment["SERVREG_EVENT_RETENTION"] {
            guard let retention = Int64(text), retention >= 1 else {
                throw CommandLineError.invalid(
                    "SERVREG_EVENT_RETENTION must be a whole number of events, 1 or more, not '\(text)'")
            }
            store.eventRetention = retention
        }
        let registry = Registry(store: store)
        opened = (path, access, registry)
        return registry
    }

    /// Makes everything committed so far durable (the end of a batch file).
    func synchronize() throws {
        try opened?.registry.store.synchronize()
    }

    /// Whether human output may use colour: a terminal and no `NO_COLOR`.
    var usesColor: Bool {
        output.isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    /// Prints a diagnostic line `servreg: error: …` on stderr.
    func reportError(_ message: String) {
        errors.write(diagnosticPrefix + "error: " + message + "\n")
        errors.flush()
    }

    /// Prints a note on stderr (`servreg: …`).
    func note(_ message: String) {
        errors.write(diagnosticPrefix + message + "\n")
        errors.flush()
    }
}
