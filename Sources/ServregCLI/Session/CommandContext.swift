import Foundation
import ServiceRegistry

/// What a command runs against: the registry (one store connection per process or
/// session, opened on first use) and the output streams.
final class CommandContext {
    /// Where results go; swapped for a capture buffer by `set NAME = COMMAND`.
    var output: TextOutput
    /// Where diagnostics go; swapped for a buffer while a group of batch lines runs.
    var errors: TextOutput
    let environment: [String: String]
    private var opened: (location: StoreLocation, access: StoreLocation.Access, registry: Registry)?
    /// The registry of the atomic batch running now, and its store: every line uses it.
    private var batch: (location: StoreLocation, registry: Registry)?

    /// What diagnostics start with: `servreg: ` or, in a batch file, `FILE:LINE: `.
    var diagnosticPrefix = "servreg: "
    /// The id the last `register` printed (`$_` in the shell and batch files).
    var lastRegisteredID: ServiceID?
    /// Whether standard input is the session's own input (the shell, `run -`): `@-` is refused.
    var standardInputInUse = false
    /// The store for commands without `--store` (the `--store` of `shell` or `run`).
    var defaultStore: String?
    /// The TLS files for commands that name none (the `--cacert`, `--cert`, `--key` of
    /// `shell` or `run`).
    var defaultTLSFiles = StoreLocation.TLSFiles()
    /// How stores are opened from now on. A change closes the open store (making its
    /// commits durable), so the next command opens it anew with the new settings.
    var storeSettings = StoreLocation.Settings() {
        didSet {
            if storeSettings != oldValue { try? closeStore() }
        }
    }

    init(
        output: TextOutput = .standardOutput, errors: TextOutput = .standardError,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.output = output
        self.errors = errors
        self.environment = environment
    }

    /// The store location the options name (or the session's default, or the environment's).
    func location(_ options: GlobalOptions) throws -> StoreLocation {
        let option = options.store ?? defaultStore
        let files = options.tlsFiles.within(session: defaultTLSFiles, store: options.store, sessionStore: defaultStore)
        // Every line of a batch asks: resolve each spelling once.
        if let resolved, resolved.option == option, resolved.files == files { return resolved.location }
        let location = try StoreLocation.resolve(option: option, environment: environment, tls: files)
        resolved = (option, files, location)
        return location
    }

    private var resolved: (option: String?, files: StoreLocation.TLSFiles, location: StoreLocation)?

    /// The registry at the store the options name, opened for reading or writing.
    func registry(_ options: GlobalOptions, access: StoreLocation.Access) throws -> Registry {
        let location = try location(options)
        if let batch {
            guard batch.location == location else {
                if isInGroup { throw endGroup() }
                let requested =
                    "\(location)" == "\(batch.location)" ? "\(location) with other TLS files" : "\(location)"
                throw CommandLineError.storeChangedInAtomicBatch(pinned: "\(batch.location)", requested: requested)
            }
            return batch.registry
        }
        if let opened, opened.location == location, Self.covers(opened.access, access) {
            return opened.registry
        }
        // Close the previous connection first: opening reads the file's header through a
        // descriptor of its own, and closing that would drop the POSIX locks SQLite holds
        // on the same file for a connection still open in this process. Closing also makes
        // durable what a batch committed there.
        let settings = try storeSettings.applying(environment: environment)
        try closeStore()
        let (store, missing) = try location.open(access, settings: settings)
        // One-shot reads say so; a session (shell, batch) creates the store as it goes.
        if missing, access == .read, !settings.longLived {
            note("no store at \(location) (nothing is registered)")
            saidStoreIsMissing = true
        }
        let registry = makeRegistry(store, at: location)
        opened = (location, access, registry)
        return registry
    }

    /// A second, writing connection to the store the options name, beside the session's
    /// (a `listen` removes expired services through it while it reads through its own).
    func separateWriter(_ options: GlobalOptions) throws -> Registry {
        let settings = try storeSettings.applying(environment: environment)
        let location = try location(options)
        let (store, _) = try location.open(.write, settings: settings)
        return makeRegistry(store, at: location)
    }

    /// A registry over a store, running its hooks as processes and telling them the client
    /// (`SERVREG_CLIENT`, else the user name).
    private func makeRegistry(_ store: any RegistryStore, at location: StoreLocation) -> Registry {
        let registry = Registry(store: store, liveness: ProcessLiveness())
        registry.hookRunner = HookProcess(location: location, context: self)
        let variable = environment["SERVREG_CLIENT"] ?? ""
        registry.client = (try? ClientName.validate(variable)) != nil ? variable : ClientOptions.userName
        return registry
    }

    /// Whether a store opened for `opened` serves a command that asks for `wanted`.
    private static func covers(_ opened: StoreLocation.Access, _ wanted: StoreLocation.Access) -> Bool {
        switch (opened, wanted) {
        case (.write, _), (.read, .read), (.read, .listen), (.listen, .read), (.listen, .listen): true
        default: false
        }
    }

    /// Runs `body` with every registry of the session bound to one atomic batch on the
    /// default store; `body` may be re-run whole (see `Registry.batch`). `.allOrNothing`:
    /// `body` throws when a line fails.
    func inAtomicBatch<T>(_ steps: BatchSteps, _ body: () throws -> T) throws -> T {
        let location = try location(.defaults)
        let registry = try registry(.defaults, access: .write)
        return try registry.batch(steps) { batchRegistry in
            batch = (location, batchRegistry)
            defer { batch = nil }
            return try body()
        }
    }

    /// Whether the commands run inside an atomic batch now (or a group of batch lines).
    var isInAtomicBatch: Bool { batch != nil }

    /// Runs `body` as one group of batch lines: like `inAtomicBatch`, except that a line
    /// that cannot run in it (`endGroup()`) ends the group instead of failing.
    func inGroup(_ body: () throws -> Void) throws {
        isInGroup = true
        defer { isInGroup = false }
        try inAtomicBatch(.undoneAlone, body)
    }

    /// Whether a group of batch lines runs now.
    private(set) var isInGroup = false
    /// Set by a line that asked to run outside the group (it ran nothing).
    var groupBoundary = false

    /// What a line that needs its own transaction throws inside a group: the runner
    /// commits the group and runs the line alone (nothing is reported).
    func endGroup() -> CommandLineError {
        groupBoundary = true
        return .groupBoundary
    }

    /// Set with `groupBoundary` when the line did not fit in its group (the store's limit
    /// on one transaction): the line starts the next group instead of running alone.
    var groupFull = false

    /// What runs the factories and release commands of the store the options name.
    func valueMaker(_ options: GlobalOptions) throws -> FactoryMaker {
        FactoryMaker(environment: environment, location: try location(options))
    }

    /// Runs the release commands queued in the store opened for writing (values that
    /// `unget` or a removed service let go of), once what queued them has committed: after
    /// a one-shot command, a batch's group or its atomic batch. Returns the status of the
    /// first that failed (5, or 127/126) (each said in one line; the write stands). A store not trusted to
    /// run them keeps them queued for a process that trusts it: said once, as a note.
    @discardableResult
    func runQueuedReleases() -> ExitStatus? {
        guard let opened, opened.access == .write, batch == nil else { return nil }
        do {
            let failures = try opened.registry.runPendingReleases(
                maker: FactoryMaker(environment: environment, location: opened.location))
            for failure in failures { reportError(ErrorReport.describe(failure).message) }
            return failures.first.map { ErrorReport.describe($0).status }
        } catch {
            if !saidReleasesWait {
                saidReleasesWait = true
                note("release commands stay queued in the store: " + ErrorReport.describe(error).message)
            }
            return nil
        }
    }

    /// Whether the note that releases stay queued was given (once a process).
    private var saidReleasesWait = false

    /// Closes the store when it is an etcd registry (its connection keeps the registry's
    /// snapshot file); a SQLite store stays open until the process ends, as it always has.
    func closeSharedStore() {
        guard let opened, case .etcd = opened.location else { return }
        try? closeStore()
    }

    /// Makes everything committed so far durable and closes the store (the end of a batch file).
    func closeStore() throws {
        guard let opened else { return }
        self.opened = nil
        try opened.registry.store.close()
    }

    /// Whether human output may use colour: a terminal and no `NO_COLOR`.
    var usesColor: Bool {
        output.isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    /// Prints an error as `servreg: error: …` on stderr and returns its exit status: every
    /// failure of a command, a line or a session ends here.
    @discardableResult
    func report(_ error: any Error) -> ExitStatus {
        let (message, status) = ErrorReport.describe(error)
        if !message.isEmpty { reportError(message) }
        return status
    }

    /// Whether standard output can no longer be written: commands stop, sessions end.
    var outputFailed: Bool { output.failure != nil }

    /// Prints a diagnostic line `servreg: error: …` on stderr.
    func reportError(_ message: String) {
        // Whatever a message quotes is escaped already; this catches anything quoted raw.
        errors.write(diagnosticPrefix + "error: " + TextEscaping.escapingControlCharacters(message) + "\n")
        errors.flush()
    }

    /// The exit status of a `register --hold` command, which servreg exits with.
    var heldExitCode: Int32?

    /// Prints a warning on stderr (`servreg: warning: …`): something went wrong, and what
    /// the command did stands.
    func warn(_ message: String) {
        errors.write(diagnosticPrefix + "warning: " + TextEscaping.escapingControlCharacters(message) + "\n")
        errors.flush()
    }

    /// Prints a note on stderr (`servreg: …`).
    func note(_ message: String) {
        errors.write(diagnosticPrefix + TextEscaping.escapingControlCharacters(message) + "\n")
        errors.flush()
    }

    /// A one-shot read of a store that does not exist has said so: a note that nothing
    /// matched would say it twice.
    private(set) var saidStoreIsMissing = false

    /// Says that a read found nothing (unless the store was missing, which said it all).
    func noteNoMatch(_ message: @autoclosure () throws -> String) rethrows {
        if !saidStoreIsMissing { note(try message()) }
    }
}
