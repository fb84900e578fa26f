import Foundation
import GRDB
import RegistryTestSupport
import Testing

@testable import RegistrySQLite
@testable import ServiceRegistry

private func request(_ specs: [String], _ json: String = "{}") throws -> RegistrationRequest {
    RegistrationRequest(specifications: specs, properties: try PropertyInput.parseJSONObject(json))
}

@Suite struct SQLiteStoreTests {
    let directory = TemporaryDirectory()
    var storePath: String { directory.path + "/nested/dir/registry.db" }

    /// The store at `storePath`, whose directories may be created.
    private func open(_ access: SQLiteStore.Access, _ configure: (inout SQLiteStore.Options) -> Void = { _ in })
        throws -> SQLiteStore
    {
        var options = SQLiteStore.Options()
        options.createsDirectories = true
        configure(&options)
        return try SQLiteStore(path: storePath, access: access, options: options)
    }

    @Test func createsFileAndDirectoriesPrivately() throws {
        var options = SQLiteStore.Options()
        options.createsDirectories = true
        let registry = Registry(store: try SQLiteStore(path: storePath, access: .write, options: options))
        _ = try registry.register(try request(["a.B"]))
        let fileMode = try FileManager.default.attributesOfItem(atPath: storePath)[.posixPermissions] as? Int
        let dirMode =
            try FileManager.default.attributesOfItem(atPath: directory.path + "/nested/dir")[.posixPermissions]
            as? Int
        #expect(fileMode == 0o600)
        #expect(dirMode == 0o700)
    }

    @Test func readingAMissingStoreDoesNotCreateIt() throws {
        let registry = Registry(store: try open(.read))
        #expect(try registry.count(ServiceQuery()) == 0)
        #expect(!FileManager.default.fileExists(atPath: storePath))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/nested"))
    }

    @Test func readingAnEmptyFileLeavesItEmpty() throws {
        let path = directory.path + "/empty.db"
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let registry = Registry(store: try SQLiteStore(path: path, access: .read))
        #expect(try registry.count(ServiceQuery()) == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
    }

    @Test func aListenerOpeningAStoreBeingCreatedSeesItsWrites() throws {
        // Another process has created the file but not yet its schema: a 0-byte file.
        let path = directory.path + "/racing.db"
        #expect(FileManager.default.createFile(atPath: path, contents: Data()))
        let listener = Registry(store: try SQLiteStore(path: path, access: .read))
        let writer = Registry(store: try SQLiteStore(path: path, access: .write))
        _ = try writer.register(try request(["a.B"]))
        #expect(try listener.latestSequence() == 1, "the listener reads an empty registry of its own")
        #expect(try listener.count(ServiceQuery()) == 1)
    }

    @Test func aDirectoryIsNotAStore() {
        #expect(throws: StoreError(.cannotOpen, location: directory.path, detail: "it is a directory")) {
            _ = try SQLiteStore(path: directory.path, access: .write)
        }
    }

    @Test func reopeningKeepsEverything() throws {
        var ids: [ServiceID] = []
        do {
            let registry = Registry(store: try open(.write))
            ids.append(
                try registry.register(
                    try request(["a.B", "c.D"], #"{"price": 90, "ratio": 1.0, "tags": ["x"], "Name": "é"}"#)
                ).id)
            ids.append(try registry.register(try request(["a.B"], #"{"service.ranking": 3}"#)).id)
        }
        let registry = Registry(store: try open(.read))
        let first = try registry.service(id: ids[0])
        #expect(first.specifications == ["a.B", "c.D"])
        #expect(first.properties["price"] == .integer(90))
        #expect(first.properties["ratio"] == .float(1.0))
        #expect(first.properties["tags"] == .list([.string("x")]))
        #expect(first.properties.entries.map(\.key).contains("Name"))
        #expect(try registry.first(ServiceQuery(specification: "a.B"))?.id == ids[1])
    }

    @Test func usesWALAndFullSynchronousWrites() throws {
        let store = try open(.write)
        _ = try Registry(store: store).register(try request(["a.B"]))
        let (mode, synchronous) = try store.queue.inDatabase { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(mode == "wal")
        #expect(synchronous == 2)  // FULL
    }

    @Test func theLogKeepsTheNewestEventsAndSaysWhenOlderOnesAreGone() throws {
        let registry = Registry(store: try open(.write) { $0.eventRetention = 5 })
        for _ in 0..<12 { _ = try registry.register(try request(["a.B"], "{}")) }
        #expect(try registry.latestSequence() == 12)
        // Pruned every 5 events: at 10, everything up to 5 went.
        #expect(try registry.changes(after: 5).map(\.sequence) == Array(6...12))
        #expect(try registry.changes(after: 12).isEmpty)
        #expect(throws: RegistryError.resyncNeeded(after: 40, .ahead(latest: 12)), "another store's number") {
            try registry.changes(after: 40)
        }
        #expect(throws: RegistryError.resyncNeeded(after: 4, .pruned(oldestKept: 6))) { try registry.changes(after: 4) }
        #expect(throws: RegistryError.resyncNeeded(after: 0, .pruned(oldestKept: 6))) { try registry.changes(after: 0) }
    }

    // MARK: Files that are not servreg stores

    private func expectRefusedAndUntouched(_ path: String, as kind: StoreError.Kind) throws {
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        for access in [SQLiteStore.Access.read, .write] {
            let error = #expect(throws: StoreError.self) { try SQLiteStore(path: path, access: access) }
            #expect(error?.kind == kind)
            #expect(error?.location == path)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
    }

    @Test func refusesANonSQLiteFile() throws {
        let path = directory.path + "/notes.txt"
        try Data("hello, this is not a database\n".utf8).write(to: URL(fileURLWithPath: path))
        try expectRefusedAndUntouched(path, as: .foreign)
    }

    @Test func refusesAForeignSQLiteDatabase() throws {
        let path = directory.path + "/foreign.db"
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in try db.execute(sql: "CREATE TABLE t(x); INSERT INTO t VALUES (1)") }
        }
        try expectRefusedAndUntouched(path, as: .foreign)
    }

    @Test func refusesAnSQLiteDatabaseWithNoTables() throws {
        // Another application's fresh database: not empty, no tables, no application_id.
        let path = directory.path + "/fresh.db"
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.inDatabase { db in try db.execute(sql: "PRAGMA page_size = 4096; VACUUM") }
        }
        try expectRefusedAndUntouched(path, as: .foreign)
    }

    @Test func aReadOnlySessionSeesAStoreAnotherProcessCreates() throws {
        let reader = Registry(store: try open(.read))
        #expect(try reader.count(ServiceQuery()) == 0)
        #expect(!FileManager.default.fileExists(atPath: storePath))
        _ = try Registry(store: try open(.write)).register(try request(["a.B"]))
        #expect(try reader.count(ServiceQuery()) == 1, "the session keeps reading its empty registry")
        #expect(try reader.latestSequence() == 1)
    }

    @Test func aWriteThatChangesNothingCreatesNoFile() throws {
        let registry = Registry(store: try open(.write))
        #expect(try registry.unregister(ids: [5]).missing == [5])
        #expect(throws: RegistryError.noSuchService(.id(5))) {
            try registry.setProperties(id: 5, PropertyUpdate(assignments: [("a", .integer(1))]))
        }
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try registry.batch { inner in
                _ = try inner.register(try request(["a.B"]))
                throw Abort()
            }
        }
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/nested"))
        // The first change creates it, and runs once: one service, one event.
        _ = try registry.register(try request(["a.B"]))
        #expect(try registry.count(ServiceQuery()) == 1)
        #expect(try registry.changes(after: 0).map(\.sequence) == [1])
    }

    @Test func refusesAStoreFromANewerServreg() throws {
        do {
            let store = try open(.write)
            _ = try Registry(store: store).register(try request(["a.B"]))
            try store.queue.inDatabase { db in
                try db.execute(sql: "PRAGMA user_version = 99")
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
        try expectRefusedAndUntouched(storePath, as: .newerSchema(found: 99, known: StoreSchema.currentVersion))
    }

    @Test func refusesACorruptStore() throws {
        do {
            let registry = Registry(store: try open(.write))
            for _ in 0..<50 {
                _ = try registry.register(try request(["a.B"], #"{"pad": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#))
            }
        }
        // Keep the SQLite header but destroy everything after the first page's header.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: storePath))
        for index in 100..<bytes.count { bytes[index] = 0xA5 }
        try bytes.write(to: URL(fileURLWithPath: storePath))
        let before = bytes
        let error = #expect(throws: StoreError.self) {
            let registry = Registry(store: try open(.read))
            _ = try registry.count(ServiceQuery())
        }
        #expect(error?.kind == .corrupt || error?.kind == .foreign, "\(String(describing: error))")
        #expect(try Data(contentsOf: URL(fileURLWithPath: storePath)) == before)
    }
}
