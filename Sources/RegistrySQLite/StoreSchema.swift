import GRDB
import ServiceRegistry

/// The SQLite schema of a servreg store and its migrations, versioned by `user_version`.
enum StoreSchema {
    /// `PRAGMA application_id` of every servreg store: "SRVG".
    static let applicationID: Int32 = 0x5352_5647

    /// The schema version this build writes; a store with a higher one is refused.
    static var currentVersion: Int { migrations.count }

    /// Migration n takes a store from version n to n + 1.
    static let migrations: [@Sendable (Database) throws -> Void] = [
        { db in
            try db.execute(
                sql: """
                    CREATE TABLE service (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        ranking INTEGER NOT NULL,
                        scope TEXT NOT NULL,
                        specifications TEXT NOT NULL,
                        properties TEXT NOT NULL,
                        registered_at REAL NOT NULL,
                        modified_at REAL NOT NULL
                    );
                    CREATE INDEX service_by_order ON service(ranking DESC, id);
                    -- One row per (specification, service): lookups by specification in order.
                    CREATE TABLE service_specification (
                        specification TEXT NOT NULL,
                        ranking INTEGER NOT NULL,
                        service_id INTEGER NOT NULL,
                        PRIMARY KEY (specification, ranking DESC, service_id)
                    ) WITHOUT ROWID;
                    -- One row per (specification, key, value): narrows filtered lookups. Kinds:
                    -- 0 empty list, 1 number (integer or float), 3 string, 4 boolean (value 0/1).
                    CREATE TABLE property_index (
                        specification TEXT NOT NULL,
                        key TEXT NOT NULL,
                        kind INTEGER NOT NULL,
                        value NOT NULL,
                        service_id INTEGER NOT NULL,
                        PRIMARY KEY (specification, key, kind, value, service_id)
                    ) WITHOUT ROWID;
                    -- The event log: every change, in commit order.
                    CREATE TABLE event (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        kind TEXT NOT NULL,
                        service_id INTEGER NOT NULL,
                        specifications TEXT NOT NULL,
                        old_properties TEXT,
                        new_properties TEXT,
                        time REAL NOT NULL,
                        reason TEXT
                    );
                    """)
        },
        { db in
            // Version 2: the property index carries the ranking, so that the services with
            // one property value come out of it already in get-all's order.
            try db.execute(
                sql: """
                    CREATE TABLE property_index_v2 (
                        specification TEXT NOT NULL,
                        key TEXT NOT NULL,
                        kind INTEGER NOT NULL,
                        value NOT NULL,
                        ranking INTEGER NOT NULL,
                        service_id INTEGER NOT NULL,
                        PRIMARY KEY (specification, key, kind, value, ranking DESC, service_id)
                    ) WITHOUT ROWID;
                    INSERT INTO property_index_v2 (specification, key, kind, value, ranking, service_id)
                        SELECT p.specification, p.key, p.kind, p.value, s.ranking, p.service_id
                        FROM property_index p JOIN service s ON s.id = p.service_id;
                    DROP TABLE property_index;
                    ALTER TABLE property_index_v2 RENAME TO property_index;
                    """)
        },
        { db in
            // Version 3: names, revisions, leases and owners; markers the core keeps.
            try db.execute(
                sql: """
                    ALTER TABLE service ADD COLUMN name TEXT;
                    ALTER TABLE service ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE service ADD COLUMN ttl INTEGER;
                    ALTER TABLE service ADD COLUMN expires INTEGER;
                    ALTER TABLE service ADD COLUMN owner_pid INTEGER;
                    ALTER TABLE service ADD COLUMN owner_start INTEGER;
                    ALTER TABLE service ADD COLUMN owner_boot TEXT;
                    CREATE UNIQUE INDEX service_by_name ON service(name) WHERE name IS NOT NULL;
                    CREATE INDEX service_by_expiry ON service(expires) WHERE expires IS NOT NULL;
                    CREATE INDEX service_mortal ON service(owner_pid)
                        WHERE expires IS NOT NULL OR owner_pid IS NOT NULL;
                    CREATE TABLE marker (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
                    -- A service's revision: its last logged change (0 when the log no longer has it).
                    UPDATE service SET revision = e.last
                        FROM (SELECT service_id, max(seq) AS last FROM event GROUP BY service_id) AS e
                        WHERE e.service_id = service.id;
                    """)
            try renameNowReservedKeys(db)
        },
        { db in
            // Version 4: values, factories, the registering client; clients' uses of services
            // (their bundle values, claims of a value being made) and the release queue.
            try db.execute(
                sql: """
                    ALTER TABLE service ADD COLUMN value BLOB;
                    ALTER TABLE service ADD COLUMN factory TEXT;
                    ALTER TABLE service ADD COLUMN factory_timeout INTEGER;
                    ALTER TABLE service ADD COLUMN release TEXT;
                    ALTER TABLE service ADD COLUMN registered_by TEXT;
                    CREATE TABLE service_use (
                        service_id INTEGER NOT NULL,
                        client TEXT NOT NULL,
                        value BLOB,
                        claimant_pid INTEGER,
                        claimant_start INTEGER,
                        claimant_boot TEXT,
                        PRIMARY KEY (service_id, client)
                    );
                    CREATE TABLE pending_release (
                        number INTEGER PRIMARY KEY AUTOINCREMENT,
                        service_id INTEGER NOT NULL,
                        specification TEXT NOT NULL,
                        client TEXT NOT NULL,
                        command TEXT NOT NULL,
                        value BLOB NOT NULL
                    );
                    """)
            try renameNowReservedKeys(db)
        },
        { db in
            // Version 5: requirements and the state they give a service, apply's sources,
            // events of unsatisfied services (hidden from listeners).
            try db.execute(
                sql: """
                    ALTER TABLE service ADD COLUMN requirements TEXT;
                    ALTER TABLE service ADD COLUMN unsatisfied INTEGER;
                    ALTER TABLE service ADD COLUMN source TEXT;
                    ALTER TABLE event ADD COLUMN hidden INTEGER;
                    -- One row per (target, service): who requires a specification (s:SPEC) or a name (n:NAME).
                    CREATE TABLE service_requirement (
                        target TEXT NOT NULL,
                        service_id INTEGER NOT NULL,
                        PRIMARY KEY (target, service_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX service_unsatisfied ON service(id) WHERE unsatisfied IS NOT NULL;
                    CREATE INDEX service_by_source ON service(source) WHERE source IS NOT NULL;
                    """)
            try renameNowReservedKeys(db)
        },
        { db in
            // Version 6: hooks and schemas, in the order they were added (the core's encoding).
            try db.execute(
                sql: """
                    CREATE TABLE policy (
                        kind TEXT NOT NULL,
                        key TEXT NOT NULL,
                        body TEXT NOT NULL,
                        position INTEGER NOT NULL,
                        PRIMARY KEY (kind, key)
                    ) WITHOUT ROWID;
                    """)
        },
    ]

    /// Versions 3, 4 and 5 reserve keys an older servreg let anyone set (`service.name`,
    /// `service.revision`, …): such properties are kept as `legacy.KEY`, so that the
    /// registry's own values never collide with them.
    static func renameNowReservedKeys(_ db: Database) throws {
        let rows = try Row.fetchAll(db, sql: #"SELECT id, properties FROM service WHERE properties LIKE '%"service.%'"#)
        for row in rows {
            let id: Int64 = row[0]
            let properties = try RecordCoding.decodeProperties(row[1])
            guard properties.entries.contains(where: { ReservedKey.isReserved($0.foldedKey) }) else { continue }
            var renamed = ServiceProperties()
            for entry in properties.entries {
                renamed.set(ReservedKey.isReserved(entry.foldedKey) ? "legacy." + entry.key : entry.key, entry.value)
            }
            try db.execute(
                sql: "UPDATE service SET properties = ? WHERE id = ?", arguments: [JSONWriter.object(renamed), id])
            for key in ReservedKey.derived + [ReservedKey.users, ReservedKey.missing] {
                try db.execute(
                    sql: "UPDATE property_index SET key = ? WHERE service_id = ? AND key = ?",
                    arguments: ["legacy." + key, id, key])
            }
        }
    }

    /// Brings a store to the current version inside the caller's transaction.
    static func migrate(_ db: Database, from version: Int) throws {
        for migration in migrations[version...] { try migration(db) }
        try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        try db.execute(sql: "PRAGMA user_version = \(currentVersion)")
    }
}
