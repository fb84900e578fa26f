import Foundation
import GRDB
import ServiceRegistry

/// The embedded default store: one SQLite file in WAL mode, opened once per process.
///
/// Opening never changes a file that is not a servreg store: foreign, corrupt and newer
/// files are reported with `RegistryError.store` and left byte for byte as they were.
public final class SQLiteStore: RegistryStore {
    /// How a command intends to use the store.
    public enum Access: Sendable {
        /// Reads only: a missing store reads as empty and is not created.
        case read
        /// Reads and writes: a missing store is created (0600, in 0700 directories).
        case write
    }

    public let path: String
    let queue: DatabaseQueue
    private var inWrite = false
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

    /// How many of the newest events the log keeps: writers prune older ones.
    public var eventRetention = SQLiteStore.defaultEventRetention {
        didSet { eventRetention = max(1, eventRetention) }
    }
    /// One million events: about a day of 10 changes a second, 200 MB at the most.
    public static let defaultEventRetention: Int64 = 1_000_000

    /// Keeps decoded services between reads (the shell and batch files turn this on).
    public func cacheRecords(_ on: Bool) {
        cache = on ? RecordCache() : nil
        // A session also keeps more of the file's pages in memory: 64 MiB instead of 2.
        try? run { db in try db.execute(sql: "PRAGMA cache_size = \(on ? -65536 : -2000)") }
    }

    /// Opens (or, for `.write`, creates) the store at `path`.
    public convenience init(path: String, access: Access, busyTimeout: TimeInterval = 5) throws {
        try self.init(path: path, access: access, busyTimeout: busyTimeout, asIfUnwritable: false)
    }

    /// `asIfUnwritable`: open as a process without write permission would (tests run as
    /// root, whom file modes do not stop).
    init(path: String, access: Access, busyTimeout: TimeInterval, asIfUnwritable: Bool) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = false
        configuration.label = "servreg"

        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if isDirectory.boolValue { throw RegistryError.store("store path \(path) is a directory") }
        let isEmpty = exists && ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) == 0
        if (!exists || isEmpty) && access == .read {
            // Nothing stored yet: read an empty in-memory registry instead of creating a file.
            queue = try DatabaseQueue(configuration: configuration)
            try queue.inDatabase { db in try StoreSchema.migrate(db, from: 0) }
            readOnly = true
            return
        }
        if !exists { try Self.createFile(at: path) }
        try Self.checkHeader(path)
        let writable = !asIfUnwritable && FileManager.default.isWritableFile(atPath: path)
        if access == .read, !writable {
            configuration.readonly = true
            readOnly = true
        }
        if access == .write, !writable {
            throw RegistryError.permissionDenied("store \(path) is not writable")
        }
        queue = try Self.openConnection(path: path, configuration: configuration, busyTimeout: busyTimeout)
        if configuration.readonly {
            let version = try? queue.inDatabase { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
            rankedIndex = (version ?? 0) >= 2
        }
    }

    /// Opens the connection and checks (or creates, or migrates) the schema.
    ///
    /// Several processes starting on a new store at once race to create it, and SQLite
    /// answers some of those races (the switch to WAL, a lock upgrade it sees would
    /// deadlock) with SQLITE_BUSY at once instead of waiting: opening is retried until
    /// the busy timeout has passed.
    private static func openConnection(path: String, configuration: Configuration, busyTimeout: TimeInterval) throws
        -> DatabaseQueue
    {
        let deadline = Date().addingTimeInterval(busyTimeout)
        var attempt = 0
        while true {
            do {
                let queue = try DatabaseQueue(path: path, configuration: configuration)
                try queue.inDatabase { db in try prepare(db, path: path, writable: !configuration.readonly) }
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

    public func read<T>(_ body: (any RegistryReader) throws -> T) throws -> T {
        try run { db in
            if inWrite || db.isInsideTransaction {
                return try body(SQLiteTransaction(db: db, cache: cache, rankedIndex: rankedIndex))
            }
            return try Self.transaction(db, .deferred) {
                try cache?.validate(db)
                return try body(SQLiteTransaction(db: db, cache: cache, rankedIndex: rankedIndex))
            }
        }
    }

    public func write<T>(_ body: (any RegistryWriter) throws -> T) throws -> T {
        try run { db in
            if inWrite {
                // Nested in an enclosing write (an atomic batch): a savepoint, through cached
                // statements (GRDB's inSavepoint parses its SQL on every call).
                var begin = try BoundStatement(db, "SAVEPOINT servreg_nested")
                try begin.run()
                do {
                    cache?.invalidate()
                    let result = try body(
                        SQLiteTransaction(db: db, cache: nil, rankedIndex: rankedIndex, eventRetention: eventRetention))
                    var release = try BoundStatement(db, "RELEASE servreg_nested")
                    try release.run()
                    return result
                } catch {
                    var rollback = try BoundStatement(db, "ROLLBACK TO servreg_nested")
                    try? rollback.run()
                    var release = try BoundStatement(db, "RELEASE servreg_nested")
                    try? release.run()
                    throw error
                }
            }
            inWrite = true
            defer { inWrite = false }
            // Reads inside the transaction may cache what a rollback then undoes.
            cache?.invalidate()
            defer { cache?.invalidate() }
            return try Self.transaction(db, .immediate) {
                try body(
                    SQLiteTransaction(db: db, cache: nil, rankedIndex: rankedIndex, eventRetention: eventRetention))
            }
        }
    }

    public func changeSignal() throws -> any ChangeSignal {
        try StoreWatcher(storePath: path)
    }

    public func setDeferredDurability(_ deferred: Bool) throws {
        guard !readOnly else { return }
        // With NORMAL, SQLite syncs at every checkpoint: checkpoint ten times less often
        // (every 10,000 pages of log instead of 1,000) while commits do not wait.
        try run { db in
            try db.execute(
                sql: deferred
                    ? "PRAGMA synchronous = NORMAL; PRAGMA wal_autocheckpoint = 10000"
                    : "PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 1000")
        }
    }

    public func synchronize() throws {
        guard !readOnly else { return }
        // Every commit so far is in the write-ahead log: syncing that file makes them all
        // durable. (A checkpoint would sync it too, but not when readers hold it back.)
        let wal = path + "-wal"
        let descriptor = open(wal, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else {
            if errno == ENOENT { return }  // nothing written since the last checkpoint
            throw RegistryError.store(
                "cannot open \(wal) to make the batch durable: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        if fsync(descriptor) != 0 {
            throw RegistryError.store("cannot sync \(wal) to disk: \(String(cString: strerror(errno)))")
        }
    }

    /// Runs `work` on the connection, mapping SQLite errors to registry errors.
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

    private static func createFile(at path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try createDirectories(directory) }
        let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        if fd < 0 {
            let code = errno
            if code == EEXIST { return }
            if code == EACCES || code == EPERM || code == EROFS {
                throw RegistryError.permissionDenied(
                    "cannot create store \(path): \(String(cString: strerror(code)))")
            }
            throw RegistryError.store("cannot create store \(path): \(String(cString: strerror(code)))")
        }
        close(fd)
    }

    private static func createDirectories(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            if !isDirectory.boolValue {
                throw RegistryError.store("cannot create store: \(directory) is not a directory")
            }
            return
        }
        let parent = (directory as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != directory { try createDirectories(parent) }
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            let code = errno
            let message = "cannot create directory \(directory): \(String(cString: strerror(code)))"
            if code == EACCES || code == EPERM || code == EROFS { throw RegistryError.permissionDenied(message) }
            throw RegistryError.store(message)
        }
    }

    /// Refuses files that are not SQLite databases before SQLite sees them.
    private static func checkHeader(_ path: String) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            if !FileManager.default.isReadableFile(atPath: path) {
                throw RegistryError.permissionDenied("store \(path) is not readable")
            }
            throw RegistryError.store("cannot open store \(path)")
        }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 16)) ?? Data()
        if header.isEmpty { return }
        if header != Data("SQLite format 3\0".utf8) {
            throw RegistryError.store("\(path) is not a servreg store (not an SQLite database); left untouched")
        }
    }

    private static func prepare(_ db: Database, path: String, writable: Bool) throws {
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
        // A database with no schema at all (a new file, or one a racing servreg has only
        // switched to WAL so far) is ours to initialise; anything else must be a store.
        let empty = applicationID == 0 && version == 0 && tables == 0
        if !empty && applicationID != StoreSchema.applicationID {
            throw RegistryError.store(
                "\(path) is an SQLite database but not a servreg store; left untouched")
        }
        if version > StoreSchema.currentVersion {
            throw RegistryError.store(
                "\(path) was written by a newer servreg (schema \(version); this one knows up to "
                    + "\(StoreSchema.currentVersion)); left untouched")
        }
        guard writable else { return }
        try db.execute(sql: "PRAGMA synchronous = FULL")
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

    /// Maps SQLite failures to the registry's errors and exit statuses.
    static func translate(_ error: any Error, path: String) -> any Error {
        guard let error = error as? DatabaseError else { return error }
        let detail = error.message ?? "\(error.resultCode)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return RegistryError.storeBusy("store \(path) is busy (locked by another process); try again")
        case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
            return RegistryError.permissionDenied("store \(path) is not writable: \(detail)")
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return RegistryError.store("\(path) is corrupt or not a servreg store (\(detail)); left untouched")
        case .SQLITE_FULL:
            return RegistryError.store("store \(path): the disk is full; nothing was changed")
        case .SQLITE_CANTOPEN:
            return RegistryError.store("cannot open store \(path): \(detail)")
        default:
            return RegistryError.store("store \(path): \(detail)")
        }
    }
}
