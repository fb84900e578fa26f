import Foundation
import GRDB
import ServiceRegistry

/// Reads and writes inside one SQLite transaction.
struct SQLiteTransaction: RegistryWriter {
    let db: Database

    private static let columns = "s.id, s.ranking, s.scope, s.specifications, s.properties"

    // MARK: Reading

    func service(id: ServiceID) throws -> ServiceRecord? {
        guard
            let row = try Row.fetchOne(db, sql: "SELECT \(Self.columns) FROM service s WHERE s.id = ?", arguments: [id])
        else { return nil }
        return try RecordCoding.decodeRecord(row)
    }

    func forEachService(matching query: ServiceQuery, _ body: (ServiceRecord) throws -> Bool) throws {
        let sql: String
        var arguments = StatementArguments()
        if let specification = query.specification, let filter = query.filter,
            let candidates = CandidateQuery.make(specification: specification, filter: filter)
        {
            // Few candidates: look each up by id and sort them.
            sql =
                "SELECT \(Self.columns) FROM service s WHERE s.id IN (\(candidates.sql)) ORDER BY s.ranking DESC, s.id"
            arguments = candidates.arguments
        } else if let specification = query.specification {
            sql = """
                SELECT \(Self.columns) FROM service_specification ss JOIN service s ON s.id = ss.service_id
                WHERE ss.specification = ? ORDER BY ss.ranking DESC, ss.service_id
                """
            arguments = [specification]
        } else {
            sql = "SELECT \(Self.columns) FROM service s ORDER BY s.ranking DESC, s.id"
        }
        let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
        while let row = try cursor.next() {
            let record = try RecordCoding.decodeRecord(row)
            if let filter = query.filter, !filter.matches(record) { continue }
            if try !body(record) { return }
        }
    }

    func countServices(specification: String?) throws -> Int {
        if let specification {
            return try Int.fetchOne(
                db, sql: "SELECT count(*) FROM service_specification WHERE specification = ?",
                arguments: [specification]) ?? 0
        }
        return try Int.fetchOne(db, sql: "SELECT count(*) FROM service") ?? 0
    }

    // MARK: Completion

    func specificationNames(prefix: String, limit: Int) throws -> [String] {
        // A skip scan: one index seek per distinct name, however many services there are.
        var names: [String] = []
        var after = prefix
        var inclusive = true
        while names.count < limit {
            let sql =
                "SELECT specification FROM service_specification WHERE specification \(inclusive ? ">=" : ">") ? "
                + "ORDER BY specification LIMIT 1"
            guard let name = try String.fetchOne(db.cachedStatement(sql: sql), arguments: [after]),
                name.hasPrefix(prefix)
            else { break }
            names.append(name)
            after = name
            inclusive = false
        }
        return names
    }

    func serviceIDs(prefix: String, limit: Int) throws -> [ServiceID] {
        try ServiceID.fetchAll(
            db.cachedStatement(sql: "SELECT id FROM service WHERE CAST(id AS TEXT) GLOB ? ORDER BY id LIMIT ?"),
            arguments: [Self.globPrefix(prefix), limit])
    }

    func propertyKeys(specification: String?, prefix: String, limit: Int) throws -> [String] {
        let specifications =
            try specification.map { [$0] } ?? specificationNames(prefix: "", limit: 10_000)
        var keys = Set<String>()
        for name in specifications {
            var after = prefix
            var inclusive = true
            while keys.count < limit {
                let sql =
                    "SELECT key FROM property_index WHERE specification = ? AND key \(inclusive ? ">=" : ">") ? "
                    + "ORDER BY key LIMIT 1"
                guard let key = try String.fetchOne(db.cachedStatement(sql: sql), arguments: [name, after]),
                    key.hasPrefix(prefix)
                else { break }
                keys.insert(key)
                after = key
                inclusive = false
            }
        }
        return keys.sorted()
    }

    private static func globPrefix(_ prefix: String) -> String {
        var pattern = ""
        for character in prefix {
            if "*?[".contains(character) { pattern += "[\(character)]" } else { pattern.append(character) }
        }
        return pattern + "*"
    }

    // MARK: Writing

    func insert(
        specifications: [String], ranking: Int64, scope: ServiceScope, properties: ServiceProperties
    ) throws -> ServiceRecord {
        let now = Date().timeIntervalSince1970
        try db.execute(
            sql: """
                INSERT INTO service (ranking, scope, specifications, properties, registered_at, modified_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                ranking, scope.rawValue, RecordCoding.specificationsJSON(specifications),
                JSONWriter.object(properties), now, now,
            ])
        let record = ServiceRecord(
            id: db.lastInsertedRowID, specifications: specifications, ranking: ranking, scope: scope,
            properties: properties)
        try insertIndex(record)
        try appendEvent(.registered, record: record, old: nil, new: record.allProperties, reason: nil, time: now)
        return record
    }

    func update(_ record: ServiceRecord, previous: ServiceRecord, logEvent: Bool) throws {
        let now = Date().timeIntervalSince1970
        try db.execute(
            sql: "UPDATE service SET ranking = ?, properties = ?, modified_at = ? WHERE id = ?",
            arguments: [record.ranking, JSONWriter.object(record.properties), now, record.id])
        try deleteIndex(previous)
        try insertIndex(record)
        if logEvent {
            try appendEvent(
                .modified, record: record, old: previous.allProperties, new: record.allProperties, reason: nil,
                time: now)
        }
    }

    func delete(_ record: ServiceRecord, reason: String) throws {
        try deleteIndex(record)
        try db.execute(sql: "DELETE FROM service WHERE id = ?", arguments: [record.id])
        try appendEvent(
            .unregistered, record: record, old: record.allProperties, new: nil, reason: reason,
            time: Date().timeIntervalSince1970)
    }

    // MARK: Index and log

    private func insertIndex(_ record: ServiceRecord) throws {
        let specStatement = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO service_specification (specification, ranking, service_id) VALUES (?, ?, ?)")
        let propertyStatement = try db.cachedStatement(
            sql: """
                INSERT OR IGNORE INTO property_index (specification, key, kind, value, service_id)
                VALUES (?, ?, ?, ?, ?)
                """)
        for specification in record.specifications {
            try specStatement.execute(arguments: [specification, record.ranking, record.id])
            for entry in record.properties.entries {
                for (kind, value) in RecordCoding.indexEntries(entry.value) {
                    try propertyStatement.execute(arguments: [specification, entry.foldedKey, kind, value, record.id])
                }
            }
        }
    }

    private func deleteIndex(_ record: ServiceRecord) throws {
        let specStatement = try db.cachedStatement(
            sql: "DELETE FROM service_specification WHERE specification = ? AND ranking = ? AND service_id = ?")
        let propertyStatement = try db.cachedStatement(
            sql: """
                DELETE FROM property_index
                WHERE specification = ? AND key = ? AND kind = ? AND value = ? AND service_id = ?
                """)
        for specification in record.specifications {
            try specStatement.execute(arguments: [specification, record.ranking, record.id])
            for entry in record.properties.entries {
                for (kind, value) in RecordCoding.indexEntries(entry.value) {
                    try propertyStatement.execute(arguments: [specification, entry.foldedKey, kind, value, record.id])
                }
            }
        }
    }

    private func appendEvent(
        _ kind: ServiceChange.Kind, record: ServiceRecord, old: ServiceProperties?, new: ServiceProperties?,
        reason: String?, time: Double
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO event (kind, service_id, specifications, old_properties, new_properties, time, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            kind.rawValue, record.id, RecordCoding.specificationsJSON(record.specifications),
            old.map(JSONWriter.object), new.map(JSONWriter.object), time, reason,
        ])
    }
}

extension SQLiteStore {
    /// The event log after a sequence number, oldest first (used by `listen` and tests).
    public func changes(after sequence: Int64, limit: Int = 1000) throws -> [ServiceChange] {
        try read { reader in
            guard let transaction = reader as? SQLiteTransaction else { return [] }
            let rows = try Row.fetchAll(
                transaction.db,
                sql: """
                    SELECT seq, kind, service_id, specifications, old_properties, new_properties, time, reason
                    FROM event WHERE seq > ? ORDER BY seq LIMIT ?
                    """,
                arguments: [sequence, limit])
            return try rows.map { row in
                guard let kind = ServiceChange.Kind(rawValue: row[1]) else {
                    throw RegistryError.store("the event log holds an unknown event kind (corrupt store)")
                }
                let old: String? = row[4]
                let new: String? = row[5]
                return ServiceChange(
                    sequence: row[0], kind: kind, serviceID: row[2],
                    specifications: try RecordCoding.decodeSpecifications(row[3]),
                    oldProperties: try old.map(RecordCoding.decodeProperties),
                    newProperties: try new.map(RecordCoding.decodeProperties), time: row[6], reason: row[7])
            }
        }
    }
}
