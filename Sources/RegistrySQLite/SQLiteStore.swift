import CSQLiteSetup
import Foundation
import GRDB
import ServiceRegistry
import Synchronization

/// The embedded default store: one SQLite file in WAL mode, opened once per process.
///
/// Opening never changes a file that is not a servreg store: foreign, corrupt and newer
/// files are reported with `StoreError` and left byte for byte as they were.
///
/// A write is `BEGIN IMMEDIATE … COMMIT` (writers wait for each other on the busy
/// timeout, so bodies are never re-run); a batch is one such transaction whose writes are
/// savepoints.
public final class SQLiteStore: RegistryStore {
    /// How commits reach the disk: a store configuration, chosen when it is opened.
    public enum Durability: Sendable {
        /// Every commit waits for the disk (`synchronous = FULL`): it survives a power loss.
        case everyCommit
        /// Commits survive a crash of any process at once and a power loss after `close()`
        /// (`synchronous = NORMAL`, the log synced at close): for batch files.
        case atClose
    }

    /// How a process uses its store connection.
    public struct Options: Sendable {
        /// How long a writer waits for another's lock before `StoreError.Kind.busy`.
        public var busyTimeout: Double = 5
        /// How many of the newest events the log keeps: writers prune older ones.
        public var eventRetention: Int64 = SQLiteStore.defaultEventRetention
        /// How commits reach the disk; by default every commit waits for it.
        public var durability: Durability = .everyCommit
        /// A connection kept for a session (the shell, a batch file): decoded services are
        /// kept between reads and more of the file's pages cached. One-shot commands keep
        /// nothing, so their memory does not grow with what they read.
        public var longLived = false
        /// Whether creating the store may create its missing parent directories (0700);
        /// otherwise a missing directory is an error. The CLI allows it for the default
        /// location only, so that a mistyped `--store` does not make a tree of directories.
        public var createsDirectories = false

        /// The defaults: 5 s busy timeout, a million events kept, every commit durable.
        public init() {}
    }

    /// How a command intends to use the store.
    public enum Access: Sendable {
        /// Reads only, through a read-only connection: nothing is ever written, created or
        /// migrated. A missing store (or a 0-byte file) reads as empty until another process
        /// creates it; the next read then sees it.
        case read
        /// Reads and writes. A missing store is created (0600) by the first write that
        /// changes something: a command that fails, or changes nothing, leaves no file.
        case write
    }

    /// The SQLite file's path, as given: also the location its errors report.
    public let path: String
    /// The connection: to the file, or to an empty in-memory registry while there is no file.
    private(set) var queue: DatabaseQueue {
        didSet { holdFile() }
    }
    /// The store file this connection has open, known process-wide (see `OpenStoreFiles`).
    private var heldFile: OpenStoreFiles.Key?

    private func holdFile() {
        let inMemory = queue.path.isEmpty || queue.path == ":memory:"
        OpenStoreFiles.hold(&heldFile, path: inMemory ? nil : path)
    }

    deinit { OpenStoreFiles.hold(&heldFile, path: nil) }
    private let options: Options
    private let access: Access
    private let configuration: Configuration
    /// No store file yet: reads see an empty registry, and the first write that changes
    /// something creates the file (`.write`) or a read adopts one another process made.
    private var absent = false
    private let asIfUnwritable: Bool
    private var inWrite = false
    /// A batch is open: writes must go through its scope.
    private var inBatch = false
    /// The connection while `run` is inside GRDB's database access.
    private var current: Database?
    /// In memory (nothing stored yet) or a file this process may not write.
    private var readOnly = false
    /// Decoded services kept between reads, for sessions (off for one-shot commands, whose
    /// memory must not grow with what they read).
    private var cache: RecordCache?
    /// Schema 2's ranking-ordered property index is there (a store of schema 1 opened
    /// read-only by someone who may not migrate it has none).
    private var rankedIndex = true
    /// Whether services have names, revisions, leases and owners (schema 3; a store of an
    /// older schema read by someone who may not migrate it has none).
    private var livenessColumns = true
    /// Whether the store has values, factories, clients and their uses (schema 4).
    private var valueColumns = true
    private var requirementColumns = true
    /// Whether the store has hooks and schemas (schema 6).
    private var policyTable = true

    private var eventRetention: Int64 { max(1, options.eventRetention) }
    /// One million events: about a day of 10 changes a second, 200 MB at the most.
    public static let defaultEventRetention: Int64 = 1_000_000

    /// Batches work, and bodies are never re-run: writers wait for each other's lock instead.
    public let capabilities = StoreCapabilities(batches: true, reRunsBodies: false)

    /// Opens (or, for `.write`, creates) the store at `path`.
    public convenience init(path: String, access: Access, options: Options = Options()) throws {
        try self.init(path: path, access: access, options: options, asIfUnwritable: false)
    }

    /// `asIfUnwritable`: open as a process without write permission would (tests run as
    /// root, whom file modes do not stop).
    init(path: String, access: Access, options: Options, asIfUnwritable: Bool) throws {
        SQLiteStore.setUpSQLite()
        self.path = path
        self.options = options
        self.access = access
        self.asIfUnwritable = asIfUnwritable
        var configuration = Configuration()
        configuration.busyMode = Self.busyMode(timeout: options.busyTimeout)
        configuration.foreignKeysEnabled = false
        configuration.label = "servreg"
        if access == .read { configuration.readonly = true }
        self.configuration = configuration

        if try Self.inspect(path) == .nothing {
            // Nothing stored yet: an empty in-memory registry until there is a file.
            queue = try Self.emptyRegistry()
            absent = true
        } else {
            queue = try Self.openFile(
                path, access: access, configuration: configuration, busyTimeout: options.busyTimeout,
                asIfUnwritable: asIfUnwritable)
        }
        holdFile()
        try configureConnection()
    }

    /// SQLite's process-wide options, set before main by `CSQLiteSetup`: no allocation
    /// statistics (an allocation then takes no global mutex), and a batch line's savepoint
    /// journal kept in memory up to 1 MiB (SQLite's 64 KiB sent every later savepoint of
    /// a batch to a temporary file: 25 writes per registered service).
    static func setUpSQLite() {
        let status = servreg_sqlite_setup_status()
        assert(status == 0, "sqlite3_config returned \(status)")
    }

    /// Whether a store file exists (a read of a missing store reads an empty registry).
    public var exists: Bool { !absent }

    private func configureConnection() throws {
        if access == .read {
            let version = try? queue.inDatabase { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
            // A store of schema 1, read unmigrated, has no ranking-ordered property index.
            rankedIndex = absent || (version ?? 0) >= 2
            livenessColumns = absent || (version ?? 0) >= 3
            valueColumns = absent || (version ?? 0) >= 4
            requirementColumns = absent || (version ?? 0) >= 5
            policyTable = absent || (version ?? 0) >= 6
        }
        readOnly = absent || access == .read
        if options.durability == .atClose, !readOnly {
            // With NORMAL, SQLite syncs at every checkpoint: checkpoint ten times less often
            // (every 10,000 pages of log instead of 1,000) while commits do not wait.
            try run { db in try db.execute(sql: "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 10000") }
        }
        configureSession()
    }

    /// What is at the store path.
    private enum Found: Equatable {
        /// No file, or a 0-byte one (another process may be creating the store right now).
        case nothing
        case file
    }

    /// Looks at the path, following symlinks: refuses directories, FIFOs, devices and
    /// symlinks to nothing.
    private static func inspect(_ path: String) throws -> Found {
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            var link = stat()
            if code == ENOENT, lstat(path, &link) == 0 {
                // Another process may have created the file between the two looks.
                guard link.st_mode & S_IFMT == S_IFLNK else { return try inspect(path) }
                throw StoreError(.cannotOpen, location: path, detail: "it is a symbolic link to a missing file")
            }
            if code == ENOENT || code == ENOTDIR { return .nothing }
            let kind: StoreError.Kind = code == EACCES ? .permissionDenied : .cannotOpen
            throw StoreError(kind, location: path, detail: errnoText(code))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return info.st_size == 0 ? .nothing : .file
        case S_IFDIR: throw StoreError(.cannotOpen, location: path, detail: "it is a directory")
        case S_IFIFO: throw StoreError(.cannotOpen, location: path, detail: "it is a FIFO, not a regular file")
        case S_IFSOCK: throw StoreError(.cannotOpen, location: path, detail: "it is a socket, not a regular file")
        default: throw StoreError(.cannotOpen, location: path, detail: "it is a device, not a regular file")
        }
    }

    /// An empty registry in memory, for a store with no file yet.
    private static func emptyRegistry() throws -> DatabaseQueue {
        let queue = try DatabaseQueue(configuration: Configuration())
        try queue.inDatabase { db in try StoreSchema.migrate(db, from: 0) }
        return queue
    }

    /// Opens an existing, non-empty store file.
    private static func openFile(
        _ path: String, access: Access, configuration: Configuration, busyTimeout: Double, asIfUnwritable: Bool
    ) throws -> DatabaseQueue {
        try checkHeader(path)
        if access == .write, asIfUnwritable || !FileManager.default.isWritableFile(atPath: path) {
            throw StoreError(.permissionDenied, location: path, detail: "the store is not writable")
        }
        do {
            return try openConnection(
                path: path, configuration: configuration, busyTimeout: busyTimeout, initialising: false)
        } catch let error as StoreError
            where access == .read && (error.kind == .permissionDenied || error.kind == .failed)
        {
            // Reading needs only read access, but SQLite must create the -shm file of a WAL
            // store, which a reader who may not write the directory cannot. With no -wal
            // (the store was closed cleanly) everything is in the file itself: read it as
            // immutable. A writer who comes later is not seen by this connection.
            var info = stat()
            guard stat(path + "-wal", &info) != 0 || info.st_size == 0 else { throw error }
            return try openConnection(
                path: path, configuration: configuration, busyTimeout: busyTimeout, initialising: false,
                immutable: true)
        }
    }

    /// The URI SQLite reads a file through without locking or a -shm file.
    private static func immutableURI(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        return "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?immutable=1"
    }

    /// If there was no file and another process has made one since, reads (and writes) go to it.
    private func adoptFileMadeElsewhere() throws {
        guard absent, try Self.inspect(path) == .file else { return }
        queue = try Self.openFile(
            path, access: access, configuration: configuration, busyTimeout: options.busyTimeout,
            asIfUnwritable: asIfUnwritable)
        absent = false
        cache?.invalidate()
        try configureConnection()
    }

    /// Creates the store file, its schema and, where allowed, its directories. What it
    /// made is removed again when it fails (a full disk leaves no 0-byte file behind).
    private func createFile() throws {
        let directory = (path as NSString).deletingLastPathComponent
        var madeDirectories: [String] = []
        if !directory.isEmpty {
            madeDirectories = try Self.createDirectories(directory, for: path, allowed: options.createsDirectories)
        }
        var madeFile = false
        do {
            let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
            if fd >= 0 {
                madeFile = true
                Glibc.close(fd)
                try Self.syncDirectory(directory.isEmpty ? "." : directory, for: path)
            } else if errno != EEXIST {
                let code = errno
                let kind: StoreError.Kind =
                    code == EACCES || code == EPERM || code == EROFS ? .permissionDenied : .cannotOpen
                throw StoreError(kind, location: path, detail: "cannot create the file: \(Self.errnoText(code))")
            }
            try Self.checkHeader(path)
            if asIfUnwritable || !FileManager.default.isWritableFile(atPath: path) {
                throw StoreError(.permissionDenied, location: path, detail: "the store is not writable")
            }
            queue = try Self.openConnection(
                path: path, configuration: configuration, busyTimeout: options.busyTimeout, initialising: true)
        } catch {
            let error = Self.translate(error, path: path)
            // Not while another process may be initialising the same file (busy): it would
            // commit into a file no longer there.
            if (error as? StoreError)?.kind != .busy {
                var info = stat()
                if madeFile, stat(path, &info) == 0, info.st_size == 0 { unlink(path) }
                for made in madeDirectories.reversed() { rmdir(made) }
            }
            throw error
        }
        absent = false
        try configureConnection()
    }

    private func configureSession() {
        guard options.longLived else { return }
        cache = RecordCache()
        // A session keeps more of the file's pages in memory: 64 MiB instead of 2.
        try? run { db in try db.execute(sql: "PRAGMA cache_size = -65536") }
    }

    /// Opens the connection and checks (or creates, or migrates) the schema.
    ///
    /// Several processes starting on a new store at once race to create it, and SQLite
    /// answers some of those races (the switch to WAL, a lock upgrade it sees would
    /// deadlock) with SQLITE_BUSY at once instead of waiting: opening is retried until
    /// the busy timeout has passed.
    private static func openConnection(
        path: String, configuration: Configuration, busyTimeout: Double, initialising: Bool, immutable: Bool = false
    ) throws
        -> DatabaseQueue
    {
        let deadline = Date().addingTimeInterval(busyTimeout)
        var attempt = 0
        while true {
            do {
                let queue = try DatabaseQueue(
                    path: immutable ? immutableURI(path) : path, configuration: configuration)
                try queue.inDatabase { db in
                    try prepare(db, path: path, writable: !configuration.readonly, initialising: initialising)
                }
                return queue
            } catch let error as DatabaseError
                where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) && Date() < deadline
            {
                attempt += 1
                usleep(UInt32.random(in: 1_000...5_000) * UInt32(min(attempt, 10)))
            } catch {
                throw translate(error, path: path)
            }
        }
    }

    // MARK: RegistryStore

    /// Runs `body` on one snapshot: a deferred transaction, or the open write's own.
    public func read<T>(_ body: (any RegistryReader) throws -> T) throws -> T {
        if absent, !inWrite { try translatingErrors { try adoptFileMadeElsewhere() } }
        return try run { db in
            if inWrite || db.isInsideTransaction {
                return try body(
                    SQLiteTransaction(
                        db: db, cache: cache, rankedIndex: rankedIndex, livenessColumns: livenessColumns,
                        valueColumns: valueColumns, requirementColumns: requirementColumns, policyTable: policyTable))
            }
            return try Self.transaction(db, .deferred) {
                try cache?.validate(db)
                return try body(
                    SQLiteTransaction(
                        db: db, cache: cache, rankedIndex: rankedIndex, livenessColumns: livenessColumns,
                        valueColumns: valueColumns, requirementColumns: requirementColumns, policyTable: policyTable))
            }
        }
    }

    /// Runs `body` as one `BEGIN IMMEDIATE` transaction; not inside another write or a batch.
    public func write<T>(_ body: (any RegistryWriter) throws -> T) throws -> T {
        if inBatch || inWrite { throw RegistryError.batchUnavailable(.nested) }
        if absent {
            guard let result = try firstWrite({ db in try body(writer(db)) }) else { return try write(body) }
            return result
        }
        return try run { db in
            inWrite = true
            defer { inWrite = false }
            // Reads inside the transaction may cache what a rollback then undoes.
            cache?.invalidate()
            defer { cache?.invalidate() }
            return try Self.transaction(db, .immediate) { try body(writer(db)) }
        }
    }

    /// Runs `body` as one immediate transaction whose writes are savepoints (`.undoneAlone`)
    /// or plain statements in it (`.allOrNothing`); never nested.
    public func batch<T>(_ steps: BatchSteps, _ body: (any StoreTransactions) throws -> T) throws -> T {
        if inBatch || inWrite { throw RegistryError.batchUnavailable(.nested) }
        func scoped(_ db: Database) throws -> T {
            let scope = BatchScope(store: self, db: db, savepoints: steps == .undoneAlone)
            let result = try body(scope)
            if scope.brokenStep { throw RegistryError.batchUnavailable(.brokenStep) }
            return result
        }
        if absent {
            let result = try firstWrite { db in
                inBatch = true
                defer { inBatch = false }
                return try scoped(db)
            }
            guard let result else { return try batch(steps, body) }
            return result
        }
        return try run { db in
            inBatch = true
            inWrite = true
            defer { (inBatch, inWrite) = (false, false) }
            cache?.invalidate()
            defer { cache?.invalidate() }
            return try Self.transaction(db, .immediate) { try scoped(db) }
        }
    }

    /// A write (or batch) while there is no store file: the body runs first on the empty
    /// registry in memory, and is rolled back there. If it throws, or changes nothing, that
    /// is the answer and no file is made. If it changed something, the file is created and
    /// nil returned: the caller runs the body again on the file (bodies may be re-run).
    private func firstWrite<T>(_ body: (Database) throws -> T) throws -> T? {
        try translatingErrors { try adoptFileMadeElsewhere() }
        if !absent { return nil }
        guard access == .write else {
            throw StoreError(.permissionDenied, location: path, detail: "the store was opened for reading only")
        }
        var outcome: T?
        var changed = false
        try run { db in
            inWrite = true
            defer { inWrite = false }
            let before = db.totalChangesCount
            do {
                try Self.transaction(db, .immediate) {
                    outcome = try body(db)
                    changed = db.totalChangesCount != before
                    throw DryRunRollback()
                }
            } catch is DryRunRollback {}
        }
        if !changed, let outcome { return outcome }
        try translatingErrors { try createFile() }
        return nil
    }

    /// Rolls back the dry run of `firstWrite`.
    private struct DryRunRollback: Error {}

    /// The reads and writes of an open batch: each write a savepoint.
    private final class BatchScope: StoreTransactions {
        let store: SQLiteStore
        let db: Database
        /// Every write a savepoint, rolled back alone when it throws; otherwise a write that
        /// throws breaks the batch (it is left half done, and the batch must not commit).
        let savepoints: Bool
        private(set) var brokenStep = false

        init(store: SQLiteStore, db: Database, savepoints: Bool) {
            self.store = store
            self.db = db
            self.savepoints = savepoints
        }

        func read<T>(_ body: (any RegistryReader) throws -> T) throws -> T {
            try store.translatingErrors { try body(store.writer(db)) }
        }

        func write<T>(_ body: (any RegistryWriter) throws -> T) throws -> T {
            try store.translatingErrors {
                if brokenStep { throw RegistryError.batchUnavailable(.brokenStep) }
                guard savepoints else {
                    do { return try body(store.writer(db)) } catch {
                        brokenStep = true
                        throw error
                    }
                }
                // Cached statements: GRDB's inSavepoint parses its SQL on every call.
                var begin = try BoundStatement(db, "SAVEPOINT servreg_step")
                try begin.run()
                do {
                    let result = try body(store.writer(db))
                    var release = try BoundStatement(db, "RELEASE servreg_step")
                    try release.run()
                    return result
                } catch {
                    var rollback = try BoundStatement(db, "ROLLBACK TO servreg_step")
                    try? rollback.run()
                    var release = try BoundStatement(db, "RELEASE servreg_step")
                    try? release.run()
                    throw error
                }
            }
        }
    }

    private func writer(_ db: Database) -> SQLiteTransaction {
        SQLiteTransaction(
            db: db, cache: nil, rankedIndex: rankedIndex, eventRetention: eventRetention,
            livenessColumns: livenessColumns, valueColumns: valueColumns, requirementColumns: requirementColumns,
            policyTable: policyTable)
    }

    /// Watches the store's files (inotify) for commits by any process.
    public func changeSignal() throws -> any ChangeSignal {
        // The directory is watched: a listener on a store not made yet needs it to exist.
        let directory = (path as NSString).deletingLastPathComponent
        if absent, !directory.isEmpty {
            _ = try Self.createDirectories(directory, for: path, allowed: options.createsDirectories)
        }
        return try StoreWatcher(storePath: path) { [weak self] in self?.stillAServregStore() ?? true }
    }

    /// Whether the file still reads as a servreg store (a listener's check: `cp other.db
    /// STORE` or a truncation keeps the inode, so only the content tells).
    private func stillAServregStore() -> Bool {
        guard !absent, !inWrite else { return true }
        var info = stat()
        guard stat(path, &info) == 0, info.st_size > 0 else { return false }
        let applicationID = try? run { db in try Int32.fetchOne(db, sql: "PRAGMA application_id") }
        return applicationID == StoreSchema.applicationID
    }

    /// For `.atClose` stores, syncs the write-ahead log so every commit so far is durable.
    public func close() throws {
        guard !readOnly, options.durability == .atClose else { return }
        // Every commit so far is in the write-ahead log: syncing that file makes them all
        // durable. (A checkpoint would sync it too, but not when readers hold it back.)
        let wal = path + "-wal"
        let descriptor = open(wal, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return }  // nothing written since the last checkpoint
            throw StoreError(.failed, location: path, detail: "cannot open \(wal) to sync it: \(Self.errnoText())")
        }
        defer { Glibc.close(descriptor) }
        if fsync(descriptor) != 0 {
            throw StoreError(.failed, location: path, detail: "cannot sync \(wal) to disk: \(Self.errnoText())")
        }
    }

    static func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// Waiting for another writer's lock: a look every 0.1 ms (SQLite's own handler sleeps
    /// 1, 2, 5 … 100 ms between looks, and misses the short gaps between the commits of a
    /// batch's groups), until `timeout` seconds have passed.
    static func busyMode(timeout: Double) -> Database.BusyMode {
        guard timeout > 0 else { return .immediateError }
        let started = BusyClock()
        return .callback { tries in
            if tries == 0 { started.reset() }
            if started.elapsed() >= timeout { return false }
            usleep(tries < 2_000 ? 100 : 1_000)
            return true
        }
    }

    /// When a wait for a lock began (one connection waits for one lock at a time).
    private final class BusyClock: @unchecked Sendable {
        private var start = timespec()

        func reset() { clock_gettime(CLOCK_MONOTONIC, &start) }

        func elapsed() -> Double {
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            return Double(now.tv_sec - start.tv_sec) + Double(now.tv_nsec - start.tv_nsec) / 1e9
        }
    }

    private func translatingErrors<T>(_ work: () throws -> T) throws -> T {
        do { return try work() } catch { throw Self.translate(error, path: path) }
    }

    /// Runs `work` on the connection, mapping SQLite errors to store errors.
    /// Calls made while a transaction runs (an atomic batch) reuse its connection: GRDB's
    /// database access is not reentrant.
    private func run<T>(_ work: (Database) throws -> T) throws -> T {
        if let current { return try work(current) }
        do {
            return try queue.inDatabase { db in
                current = db
                defer { current = nil }
                return try work(db)
            }
        } catch {
            throw Self.translate(error, path: path)
        }
    }

    /// One transaction around `work`: committed if it returns, rolled back if it throws.
    private static func transaction<T>(_ db: Database, _ kind: Database.TransactionKind, _ work: () throws -> T)
        throws -> T
    {
        // Cached statements: GRDB's beginTransaction and commit parse their SQL every time,
        // which is most of what a read in a batch of `get` lines costs.
        var begin = try BoundStatement(db, kind == .immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        try begin.run()
        do {
            let result = try work()
            var commit = try BoundStatement(db, "COMMIT")
            try commit.run()
            return result
        } catch {
            if db.isInsideTransaction {
                var rollback = try BoundStatement(db, "ROLLBACK")
                try? rollback.run()
            }
            throw error
        }
    }

    // MARK: Opening

    /// Creates `directory` and its missing parents (0700, each synced into its parent);
    /// returns those it made, outermost first. Where not `allowed`, a missing directory is
    /// an error.
    private static func createDirectories(_ directory: String, for path: String, allowed: Bool) throws -> [String] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            if !isDirectory.boolValue {
                throw StoreError(.cannotOpen, location: path, detail: "\(directory) is not a directory")
            }
            return []
        }
        guard allowed else {
            throw StoreError(.cannotOpen, location: path, detail: "directory \(directory) does not exist")
        }
        let parent = (directory as NSString).deletingLastPathComponent
        var made: [String] = []
        if !parent.isEmpty, parent != directory { made = try createDirectories(parent, for: path, allowed: true) }
        if mkdir(directory, 0o700) != 0 {
            let code = errno
            if code == EEXIST { return made }
            for directory in made.reversed() { rmdir(directory) }
            let kind: StoreError.Kind =
                code == EACCES || code == EPERM || code == EROFS ? .permissionDenied : .cannotOpen
            throw StoreError(kind, location: path, detail: "cannot create directory \(directory): \(errnoText(code))")
        }
        try syncDirectory(parent.isEmpty ? "/" : parent, for: path)
        return made + [directory]
    }

    /// Makes a new entry of `directory` durable (a power loss must not lose the store file
    /// or a directory on its way).
    private static func syncDirectory(_ directory: String, for path: String) throws {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { Glibc.close(fd) }
        if fsync(fd) != 0, errno != EINVAL {
            throw StoreError(.failed, location: path, detail: "cannot sync directory \(directory): \(errnoText())")
        }
    }

    /// Refuses files that are not SQLite databases before SQLite sees them. Not when this
    /// process has the file open already (it was checked then): closing a descriptor of
    /// our own would drop every POSIX lock SQLite holds on it for the other connection,
    /// and the next writer elsewhere would take it for unused and delete its WAL.
    private static func checkHeader(_ path: String) throws {
        if OpenStoreFiles.isOpen(path) { return }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            if !FileManager.default.isReadableFile(atPath: path) {
                throw StoreError(.permissionDenied, location: path, detail: "the store is not readable")
            }
            throw StoreError(.cannotOpen, location: path)
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.isEmpty { return }
        if header != Data("SQLite format 3\0".utf8) {
            throw StoreError(.foreign, location: path, detail: "not an SQLite database")
        }
    }

    private static func prepare(_ db: Database, path: String, writable: Bool, initialising: Bool) throws {
        // One read transaction, so that the checks see one state of the file: another
        // process may be creating this store right now (separate reads once saw its
        // pages but not yet its application_id, and called the new store foreign).
        var applicationID: Int32 = 0
        var version = 0
        var tables = 0
        try db.inTransaction(.deferred) {
            applicationID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
            version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") ?? 0
            return .commit
        }
        // Only a file that was empty when servreg came to create the store is servreg's to
        // initialise (a racing servreg may have done it meanwhile); any other file without
        // servreg's application_id is foreign, an SQLite database with no tables included.
        let empty = initialising && applicationID == 0 && version == 0 && tables == 0
        if !empty && applicationID != StoreSchema.applicationID {
            throw StoreError(.foreign, location: path, detail: "an SQLite database of something else")
        }
        if version > StoreSchema.currentVersion {
            throw StoreError(.newerSchema(found: version, known: StoreSchema.currentVersion), location: path)
        }
        guard writable else { return }
        try db.execute(sql: "PRAGMA synchronous = FULL")
        // A store servreg initialises is private to its owner, also an empty file someone made.
        if empty { _ = chmod(path, 0o600) }
        if version < StoreSchema.currentVersion {
            try db.inTransaction(.immediate) {
                let current = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                if current < StoreSchema.currentVersion { try StoreSchema.migrate(db, from: current) }
                return .commit
            }
        }
        if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
            try db.execute(sql: "PRAGMA journal_mode = WAL")
        }
    }

    /// Maps SQLite failures to store errors, with SQLite's message and statement.
    static func translate(_ error: any Error, path: String) -> any Error {
        if var error = error as? StoreError {
            if error.location.isEmpty { error.location = path }
            return error
        }
        guard let error = error as? DatabaseError else { return error }
        let kind: StoreError.Kind
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: kind = .busy
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH: kind = .permissionDenied
        case .SQLITE_NOTADB: kind = .foreign
        case .SQLITE_CORRUPT: kind = .corrupt
        case .SQLITE_FULL: kind = .full
        case .SQLITE_CANTOPEN: kind = .cannotOpen
        default: kind = .failed
        }
        return StoreError(kind, location: path, detail: error.message ?? "\(error.resultCode)", statement: error.sql)
    }
}

/// The store files this process has open through SQLite, by device and inode: a second
/// connection to one of them must not open a descriptor of its own (`checkHeader`).
enum OpenStoreFiles {
    struct Key: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    private static let held = Mutex<[Key: Int]>([:])

    static func key(_ path: String) -> Key? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Key(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
    }

    static func isOpen(_ path: String) -> Bool {
        guard let key = key(path) else { return false }
        return held.withLock { $0[key, default: 0] > 0 }
    }

    /// Moves `slot` to the file at `path` (nil: none), counting holders.
    static func hold(_ slot: inout Key?, path: String?) {
        let new = path.flatMap(key)
        guard new != slot else { return }
        held.withLock { counts in
            if let old = slot {
                counts[old, default: 1] -= 1
                if counts[old] == 0 { counts[old] = nil }
            }
            if let new { counts[new, default: 0] += 1 }
        }
        slot = new
    }
}
