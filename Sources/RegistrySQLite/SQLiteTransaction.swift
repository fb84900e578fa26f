import Foundation
import GRDB
import ServiceRegistry

/// Reads and writes inside one SQLite transaction.
struct SQLiteTransaction: RegistryWriter {
    let db: Database
    /// Decoded services valid for this transaction's snapshot; nil inside writes.
    var cache: RecordCache?
    /// Whether the property index holds rankings (schema 2), for the ordered walk.
    var rankedIndex: Bool
    /// How many of the newest events the log keeps (older ones are pruned by writers).
    var eventRetention: Int64
    /// Whether the service table has names, revisions, leases and owners (schema 3); a
    /// store of an older schema read unmigrated has none of them.
    var livenessColumns: Bool
    /// Whether the store has values, factories, clients and uses (schema 4).
    var valueColumns: Bool
    /// Whether the store has requirements, states, sources and hidden events (schema 5).
    var requirementColumns: Bool
    /// Whether the store keeps hooks and schemas (schema 6).
    var policyTable: Bool

    init(
        db: Database, cache: RecordCache? = nil, rankedIndex: Bool = true,
        eventRetention: Int64 = SQLiteStore.defaultEventRetention, livenessColumns: Bool = true,
        valueColumns: Bool = true, requirementColumns: Bool = true, policyTable: Bool = true
    ) {
        self.policyTable = policyTable
        self.requirementColumns = requirementColumns && valueColumns && livenessColumns
        self.db = db
        self.cache = cache
        self.rankedIndex = rankedIndex
        self.eventRetention = eventRetention
        self.livenessColumns = livenessColumns
        self.valueColumns = valueColumns && livenessColumns
    }

    /// The columns `RecordCoding.decodeRecord` reads, in its order.
    static let currentColumns = """
        s.id, s.ranking, s.scope, s.specifications, s.properties, \
        s.name, s.revision, s.ttl, s.expires, s.owner_pid, s.owner_start, s.owner_boot, \
        s.value, s.factory, s.factory_timeout, s.release, s.registered_by, \
        s.requirements, s.unsatisfied, s.source
        """
    private static let schema4Columns = """
        s.id, s.ranking, s.scope, s.specifications, s.properties, \
        s.name, s.revision, s.ttl, s.expires, s.owner_pid, s.owner_start, s.owner_boot, \
        s.value, s.factory, s.factory_timeout, s.release, s.registered_by, NULL, NULL, NULL
        """
    private static let schema3Columns = """
        s.id, s.ranking, s.scope, s.specifications, s.properties, \
        s.name, s.revision, s.ttl, s.expires, s.owner_pid, s.owner_start, s.owner_boot, NULL, NULL, NULL, NULL, NULL, \
        NULL, NULL, NULL
        """
    private static let schema2Columns =
        "s.id, s.ranking, s.scope, s.specifications, s.properties, NULL, 0, NULL, NULL, NULL, NULL, NULL, "
        + "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"

    private var columns: String {
        requirementColumns
            ? Self.currentColumns
            : valueColumns ? Self.schema4Columns : livenessColumns ? Self.schema3Columns : Self.schema2Columns
    }

    /// The services with one text value of one key, in get-all's order (schema 2's index).
    private var orderedWalkSQL: String {
        """
        SELECT \(columns) FROM property_index p JOIN service s ON s.id = p.service_id
        WHERE p.specification = ? AND p.key = ? AND p.kind = 3 AND p.value = ?
        ORDER BY p.ranking DESC, p.service_id
        """
    }

    // MARK: Reading

    func service(id: ServiceID) throws -> ServiceRecord? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(columns) FROM service s WHERE s.id = ?"), arguments: [id])
        else { return nil }
        return try RecordCoding.decodeRecord(row)
    }

    func service(named name: String) throws -> ServiceRecord? {
        guard livenessColumns,
            let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(columns) FROM service s WHERE s.name = ?"), arguments: [name])
        else { return nil }
        return try RecordCoding.decodeRecord(row)
    }

    func expiredServices(at instant: Int64, limit: Int) throws -> [ServiceRecord] {
        guard livenessColumns else { return [] }
        return try records(
            "SELECT \(columns) FROM service s WHERE s.expires IS NOT NULL AND s.expires <= ? ORDER BY s.expires LIMIT ?",
            [.integer(instant), .integer(Int64(limit))])
    }

    func nextExpiry() throws -> Int64? {
        guard livenessColumns else { return nil }
        var statement = try BoundStatement(db, "SELECT min(expires) FROM service WHERE expires IS NOT NULL")
        defer { statement.finish() }
        return try statement.step() && !statement.isNull(0) ? statement.integer(0) : nil
    }

    func forEachMortalService(
        specification: String?, ownedOnly: Bool, _ body: (ServiceRecord) throws -> Bool
    ) throws {
        guard livenessColumns else { return }
        // The partial index service_mortal holds exactly these (an owner is one term of its
        // condition, so SQLite uses it for owned services alone too).
        var sql = "SELECT \(columns) FROM service s WHERE "
        sql += ownedOnly ? "s.owner_pid IS NOT NULL" : "(s.expires IS NOT NULL OR s.owner_pid IS NOT NULL)"
        var arguments: [IndexValue] = []
        if let specification {
            sql += Self.ofSpecification
            arguments.append(.text(specification))
        }
        try walk(sql, arguments, body)
    }

    /// The condition that a service `s` is registered under the specification bound to it.
    private static let ofSpecification = """
         AND EXISTS (SELECT 1 FROM service_specification ss
         WHERE ss.specification = ? AND ss.ranking = s.ranking AND ss.service_id = s.id)
        """

    /// Calls `body` with each service a statement of `columns` finds, until it returns false.
    private func walk(_ sql: String, _ arguments: [IndexValue], _ body: (ServiceRecord) throws -> Bool) throws {
        var statement = try BoundStatement(db, sql)
        for argument in arguments { statement.bind(argument) }
        defer { statement.finish() }
        while try statement.step() {
            if try !body(RecordCoding.decodeRecord(statement)) { return }
        }
    }

    /// The services with a requirement on one of `count` targets (bound in order), by id.
    private static func requiring(_ count: Int, columns: String) -> String {
        let placeholders = Array(repeating: "?", count: count).joined(separator: ", ")
        return """
            SELECT \(columns) FROM service s WHERE s.id IN
                (SELECT service_id FROM service_requirement WHERE target IN (\(placeholders)))
            ORDER BY s.id
            """
    }

    func serviceNames(prefix: String, limit: Int) throws -> [String] {
        guard livenessColumns else { return [] }
        return try String.fetchAll(
            db.cachedStatement(
                sql: "SELECT name FROM service WHERE name IS NOT NULL AND name GLOB ? ORDER BY name LIMIT ?"),
            arguments: [Self.globPrefix(prefix), limit])
    }

    func marker(_ name: String) throws -> Int64? {
        guard livenessColumns else { return nil }
        return try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM marker WHERE name = ?"), arguments: [name])
    }

    func policies() throws -> [StoredPolicy] {
        guard policyTable else { return [] }
        let statement = try db.cachedStatement(sql: "SELECT kind, key, body FROM policy ORDER BY position")
        var policies: [StoredPolicy] = []
        let rows = try Row.fetchCursor(statement)
        while let row = try rows.next() {
            let kind: String = row[0]
            // A kind a later servreg keeps: not this one's to read.
            guard let known = StoredPolicy.Kind(rawValue: kind) else { continue }
            policies.append(StoredPolicy(kind: known, key: row[1], body: row[2]))
        }
        return policies
    }

    func forEachDependent(on targets: [Requirement.Target]?, _ body: (ServiceRecord) throws -> Bool) throws {
        guard requirementColumns else { return }
        guard let targets else {
            return try walk("SELECT \(columns) FROM service s WHERE s.requirements IS NOT NULL ORDER BY s.id", [], body)
        }
        guard !targets.isEmpty else { return }
        try walk(
            Self.requiring(targets.count, columns: columns), targets.map { .text(Self.targetKey($0)) }, body)
    }

    func forEachDependentSummary(on targets: [Requirement.Target], _ body: (DependentSummary) throws -> Bool) throws {
        guard requirementColumns, !targets.isEmpty else { return }
        var statement = try BoundStatement(
            db, Self.requiring(targets.count, columns: "s.id, s.requirements, s.unsatisfied"))
        for target in targets { statement.bind(Self.targetKey(target)) }
        defer { statement.finish() }
        while try statement.step() {
            let texts = statement.isNull(1) ? [] : try RecordCoding.decodeSpecifications(statement.text(1))
            let summary = DependentSummary(
                id: statement.integer(0), requirements: texts, satisfied: statement.isNull(2))
            if try !body(summary) { return }
        }
    }

    /// How `service_requirement` keys a target: `s:SPEC` or `n:NAME`.
    static func targetKey(_ target: Requirement.Target) -> String {
        switch target {
        case .specification(let name): "s:" + name
        case .name(let name): "n:" + name
        }
    }

    func forEachUnsatisfiedService(specification: String?, _ body: (ServiceRecord) throws -> Bool) throws {
        guard requirementColumns else { return }
        let sql = "SELECT \(columns) FROM service s WHERE s.unsatisfied IS NOT NULL"
        guard let specification else { return try walk(sql, [], body) }
        try walk(sql + Self.ofSpecification, [.text(specification)], body)
    }

    func forEachService(fromSource source: String, _ body: (ServiceRecord) throws -> Bool) throws {
        guard requirementColumns else { return }
        try walk("SELECT \(columns) FROM service s WHERE s.source = ? ORDER BY s.id", [.text(source)], body)
    }

    private func records(_ sql: String, _ arguments: [IndexValue]) throws -> [ServiceRecord] {
        var statement = try BoundStatement(db, sql)
        for argument in arguments { statement.bind(argument) }
        defer { statement.finish() }
        var found: [ServiceRecord] = []
        while try statement.step() { found.append(try RecordCoding.decodeRecord(statement)) }
        return found
    }

    func forEachService(matching query: ServiceQuery, _ body: (ServiceRecord) throws -> Bool) throws {
        let (sql, arguments) = try plan(query)
        // Cached: a batch of queries of one shape prepares the statement once. Rows are read
        // through the C API; a cached record needs only its id.
        var statement = try BoundStatement(db, sql)
        for argument in arguments { statement.bind(argument) }
        // Reset however the walk ends (stopped early, or a decode or the body threw).
        defer { statement.finish() }
        while try statement.step() {
            let cached = cache?.record(statement.integer(0))
            // Test the filter on the stored row first: most candidates fail it, and they
            // need not be decoded. A row whose JSON cannot be read is decoded, which
            // reports the corrupt store.
            if cached == nil, let filter = query.filter {
                let row = StoredRow(statement)
                if !filter.matches(row), !row.unreadable.isSet { continue }
            }
            let record: ServiceRecord
            if let cached {
                record = cached
            } else {
                record = try RecordCoding.decodeRecord(statement)
                cache?.insert(record)
            }
            if let filter = query.filter, !filter.matches(record) { continue }
            if try !body(record) { return }
        }
    }

    /// The SQL that selects a query's candidates in get-all's order (a superset of its
    /// matches: the filter is evaluated on each), and its arguments.
    func plan(_ query: ServiceQuery) throws -> (sql: String, arguments: [IndexValue]) {
        let sql: String
        var arguments: [IndexValue] = []
        if query.firstOnly, rankedIndex, let specification = query.specification, let filter = query.filter,
            let driver = CandidateQuery.orderedDriver(filter)
        {
            // Every match has this one indexed value, and the index holds its services in
            // get-all's order: walk it, so that get stops at the first match.
            sql = orderedWalkSQL
            arguments = [.text(specification), .text(driver.key), .text(driver.text)]
        } else if let specification = query.specification, let filter = query.filter,
            let candidates = CandidateQuery.make(.one(specification), filter: filter)
        {
            // Few candidates: look each up by id and sort them.
            sql =
                "SELECT \(columns) FROM service s WHERE s.id IN (\(candidates.sql)) ORDER BY s.ranking DESC, s.id"
            arguments = candidates.arguments
        } else if let specification = query.specification {
            sql = """
                SELECT \(columns) FROM service_specification ss JOIN service s ON s.id = ss.service_id
                WHERE ss.specification = ? ORDER BY ss.ranking DESC, ss.service_id
                """
            arguments = [.text(specification)]
        } else if let filter = query.filter,
            let candidates = CandidateQuery.make(.every, filter: filter), try lookupsPay(candidates)
        {
            // The same, the index read once per specification in the store.
            sql = """
                \(CandidateQuery.everySpecificationCTE)
                SELECT \(columns) FROM service s WHERE s.id IN (\(candidates.sql)) ORDER BY s.ranking DESC, s.id
                """
            arguments = candidates.arguments
        } else {
            sql = "SELECT \(columns) FROM service s ORDER BY s.ranking DESC, s.id"
        }
        return (sql, arguments)
    }

    /// Whether reading the index for every specification (a lookup per specification and
    /// term) costs less than reading every service: fewer lookups than services, and no more
    /// than `CandidateQuery.maximumLookups`. The ids never reused bound the service count.
    private func lookupsPay(_ candidates: CandidateQuery) throws -> Bool {
        let services = try Int.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM service")) ?? 0
        let budget = min(CandidateQuery.maximumLookups, services) / max(candidates.terms, 1)
        guard budget > 0 else { return false }
        let specifications =
            try Int.fetchOne(
                db.cachedStatement(
                    sql: """
                        \(CandidateQuery.everySpecificationCTE)
                        SELECT count(*) FROM (SELECT name FROM specs WHERE name IS NOT NULL LIMIT ?)
                        """),
                arguments: [budget + 1]) ?? 0
        return specifications <= budget
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
        try distinctValues(
            column: "specification", table: "service_specification", scope: "", arguments: [], prefix: prefix,
            limit: limit)
    }

    func lastServiceID() throws -> ServiceID {
        try ServiceID.fetchOne(db.cachedStatement(sql: "SELECT seq FROM sqlite_sequence WHERE name = 'service'")) ?? 0
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
        for name in specifications where keys.count < limit {
            keys.formUnion(
                try distinctValues(
                    column: "key", table: "property_index", scope: "specification = ? AND ", arguments: [name],
                    prefix: prefix, limit: limit - keys.count))
        }
        return keys.sorted()
    }

    /// The distinct values of an indexed text column that start with `prefix`, sorted, at
    /// most `limit`: a skip scan, one index seek per distinct value however many rows share it.
    private func distinctValues(
        column: String, table: String, scope: String, arguments: [String], prefix: String, limit: Int
    ) throws -> [String] {
        var values: [String] = []
        var after = prefix
        var inclusive = true
        while values.count < limit {
            let sql =
                "SELECT \(column) FROM \(table) WHERE \(scope)\(column) \(inclusive ? ">=" : ">") ? "
                + "ORDER BY \(column) LIMIT 1"
            guard
                let value = try String.fetchOne(
                    db.cachedStatement(sql: sql), arguments: StatementArguments(arguments + [after])),
                value.hasPrefix(prefix)
            else { break }
            values.append(value)
            after = value
            inclusive = false
        }
        return values
    }

    private static func globPrefix(_ prefix: String) -> String {
        var pattern = ""
        for character in prefix {
            if "*?[".contains(character) { pattern += "[\(character)]" } else { pattern.append(character) }
        }
        return pattern + "*"
    }

    // MARK: Writing

    func insert(id: ServiceID?, _ service: NewService) throws -> ServiceRecord {
        let now = Date().timeIntervalSince1970
        let propertiesJSON = JSONWriter.object(service.properties)
        let specificationsJSON = RecordCoding.specificationsJSON(service.specifications)
        // The revision is the sequence number of the event logged below.
        let revision = try latestSequence() + 1
        // AUTOINCREMENT: an explicit id raises sqlite_sequence too, so it is never given again.
        var statement = try BoundStatement(
            db,
            """
            INSERT INTO service (id, ranking, scope, specifications, properties, registered_at, modified_at,
                name, revision, ttl, expires, owner_pid, owner_start, owner_boot,
                value, factory, factory_timeout, release, registered_by, requirements, unsatisfied, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        if let id { statement.bind(id) } else { statement.bind(nil as String?) }
        statement.bind(service.ranking)
        statement.bind(service.scope.rawValue)
        statement.bind(specificationsJSON)
        statement.bind(propertiesJSON)
        statement.bind(now)
        statement.bind(now)
        statement.bind(service.name)
        statement.bind(revision)
        bindLiveness(&statement, lease: service.lease, owner: service.owner)
        bindValue(&statement, value: service.value, factory: service.factory, release: service.release)
        statement.bind(service.registeredBy)
        bindRequirements(&statement, service.requirements, satisfied: service.satisfied, source: service.source)
        try statement.run()
        let record = ServiceRecord(
            id: db.lastInsertedRowID, specifications: service.specifications, ranking: service.ranking,
            scope: service.scope, properties: service.properties, name: service.name, revision: revision,
            lease: service.lease, owner: service.owner, value: service.value, factory: service.factory,
            release: service.release, registeredBy: service.registeredBy, requirements: service.requirements,
            satisfied: service.satisfied, source: service.source)
        try insertIndex(record)
        try writeRequirements(of: record.id, [], record.requirements)
        try appendEvent(
            .registered, record: record, specificationsJSON: specificationsJSON, old: nil,
            new: JSONWriter.service(record), reason: nil, time: now, sequence: revision, hidden: !record.satisfied)
        return record
    }

    private func bindLiveness(_ statement: inout BoundStatement, lease: Lease?, owner: ServiceOwner?) {
        if let lease {
            statement.bind(lease.ttl)
            statement.bind(lease.expires)
        } else {
            statement.bind(nil as String?)
            statement.bind(nil as String?)
        }
        if let owner {
            statement.bind(Int64(owner.pid))
            statement.bind(owner.startTime)
            statement.bind(owner.bootID)
        } else {
            statement.bind(nil as String?)
            statement.bind(nil as String?)
            statement.bind(nil as String?)
        }
    }

    private func bindRequirements(
        _ statement: inout BoundStatement, _ requirements: [Requirement], satisfied: Bool, source: String?
    ) {
        statement.bind(requirements.isEmpty ? nil : RecordCoding.specificationsJSON(requirements.map(\.text)))
        if satisfied { statement.bind(nil as String?) } else { statement.bind(Int64(1)) }
        statement.bind(source)
    }

    /// Replaces a service's rows of the requirement index (`old` → `new`).
    private func writeRequirements(of id: ServiceID, _ old: [Requirement], _ new: [Requirement]) throws {
        let oldKeys = Set(old.map { Self.targetKey($0.target) })
        let newKeys = Set(new.map { Self.targetKey($0.target) })
        guard oldKeys != newKeys else { return }
        for (keys, sql) in [
            (oldKeys.subtracting(newKeys), "DELETE FROM service_requirement WHERE target = ? AND service_id = ?"),
            (
                newKeys.subtracting(oldKeys),
                "INSERT OR IGNORE INTO service_requirement (target, service_id) VALUES (?, ?)"
            ),
        ] {
            for key in keys {
                var statement = try BoundStatement(db, sql)
                statement.bind(key)
                statement.bind(id)
                try statement.run()
            }
        }
    }

    private func bindValue(
        _ statement: inout BoundStatement, value: [UInt8]?, factory: ServiceFactory?, release: [String]?
    ) {
        statement.bind(blob: value)
        statement.bind(factory.map { RecordCoding.specificationsJSON($0.command) })
        if let factory { statement.bind(factory.timeout) } else { statement.bind(nil as String?) }
        statement.bind(release.map(RecordCoding.specificationsJSON))
    }

    func setMarker(_ name: String, _ value: Int64) throws {
        try db.execute(
            sql:
                "INSERT INTO marker (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            arguments: [name, value])
    }

    func setPolicy(_ policy: StoredPolicy) throws {
        try db.execute(
            sql: """
                INSERT INTO policy (kind, key, body, position)
                    VALUES (?, ?, ?, (SELECT coalesce(max(position), 0) + 1 FROM policy))
                    ON CONFLICT (kind, key) DO UPDATE SET body = excluded.body
                """,
            arguments: [policy.kind.rawValue, policy.key, policy.body])
    }

    func deletePolicy(_ kind: StoredPolicy.Kind, key: String) throws -> Bool {
        try db.execute(sql: "DELETE FROM policy WHERE kind = ? AND key = ?", arguments: [kind.rawValue, key])
        return db.changesCount > 0
    }

    func reserveServiceIDs(through id: ServiceID) throws {
        guard id > (try lastServiceID()) else { return }
        try db.execute(sql: "DELETE FROM sqlite_sequence WHERE name = 'service'")
        try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('service', ?)", arguments: [id])
    }

    func update(_ record: ServiceRecord, previous: ServiceRecord, logEvent: Bool) throws -> ServiceRecord {
        let now = Date().timeIntervalSince1970
        var record = record
        if logEvent { record.revision = try latestSequence() + 1 }
        var statement = try BoundStatement(
            db,
            """
            UPDATE service SET ranking = ?, properties = ?, modified_at = ?, revision = ?,
                ttl = ?, expires = ?, owner_pid = ?, owner_start = ?, owner_boot = ?,
                value = ?, factory = ?, factory_timeout = ?, release = ?,
                requirements = ?, unsatisfied = ?, source = ?
            WHERE id = ?
            """)
        statement.bind(record.ranking)
        statement.bind(JSONWriter.object(record.properties))
        statement.bind(now)
        statement.bind(record.revision)
        bindLiveness(&statement, lease: record.lease, owner: record.owner)
        bindValue(&statement, value: record.value, factory: record.factory, release: record.release)
        record.satisfied = previous.satisfied
        bindRequirements(&statement, record.requirements, satisfied: record.satisfied, source: record.source)
        statement.bind(record.id)
        try statement.run()
        if record.ranking != previous.ranking || record.properties != previous.properties {
            try deleteIndex(previous)
            try insertIndex(record)
        }
        try writeRequirements(of: record.id, previous.requirements, record.requirements)
        if logEvent {
            try appendEvent(
                .modified, record: record, specificationsJSON: RecordCoding.specificationsJSON(record.specifications),
                old: JSONWriter.service(previous), new: JSONWriter.service(record),
                reason: nil, time: now, sequence: record.revision, hidden: !record.satisfied)
        }
        return record
    }

    func setState(_ record: ServiceRecord, reason: String?) throws -> ServiceRecord {
        var record = record
        record.revision = try latestSequence() + 1
        var statement = try BoundStatement(
            db, "UPDATE service SET unsatisfied = ?, revision = ?, modified_at = ? WHERE id = ?")
        if record.satisfied { statement.bind(nil as String?) } else { statement.bind(Int64(1)) }
        statement.bind(record.revision)
        let now = Date().timeIntervalSince1970
        statement.bind(now)
        statement.bind(record.id)
        try statement.run()
        let specificationsJSON = RecordCoding.specificationsJSON(record.specifications)
        if record.satisfied {
            try appendEvent(
                .registered, record: record, specificationsJSON: specificationsJSON, old: nil,
                new: JSONWriter.service(record), reason: nil, time: now, sequence: record.revision)
        } else {
            try appendEvent(
                .unregistered, record: record, specificationsJSON: specificationsJSON,
                old: JSONWriter.service(record), new: nil, reason: reason, time: now, sequence: record.revision)
        }
        return record
    }

    func delete(_ record: ServiceRecord, reason: String) throws {
        try deleteIndex(record)
        try writeRequirements(of: record.id, record.requirements, [])
        var statement = try BoundStatement(db, "DELETE FROM service WHERE id = ?")
        statement.bind(record.id)
        try statement.run()
        if valueColumns {
            var uses = try BoundStatement(db, "DELETE FROM service_use WHERE service_id = ?")
            uses.bind(record.id)
            try uses.run()
        }
        try appendEvent(
            .unregistered, record: record, specificationsJSON: RecordCoding.specificationsJSON(record.specifications),
            old: JSONWriter.service(record), new: nil, reason: reason,
            time: Date().timeIntervalSince1970, sequence: nil, hidden: !record.satisfied)
    }

    // MARK: Uses and releases

    func uses(of service: ServiceID) throws -> [ServiceUse] {
        guard valueColumns else { return [] }
        return try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT client, value, claimant_pid, claimant_start, claimant_boot FROM service_use
                    WHERE service_id = ? ORDER BY client
                    """),
            arguments: [service]
        ).map(Self.use)
    }

    func use(of service: ServiceID, client: String) throws -> ServiceUse? {
        guard valueColumns else { return nil }
        return try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT client, value, claimant_pid, claimant_start, claimant_boot FROM service_use
                    WHERE service_id = ? AND client = ?
                    """),
            arguments: [service, client]
        ).map(Self.use)
    }

    private static func use(_ row: Row) -> ServiceUse {
        let value: Data? = row[1]
        let pid: Int64? = row[2]
        return ServiceUse(
            client: row[0], value: value.map { Array($0) },
            claimant: pid.map {
                ServiceOwner(pid: Int32(truncatingIfNeeded: $0), startTime: row[3] ?? 0, bootID: row[4] ?? "")
            })
    }

    func setUse(_ use: ServiceUse, of service: ServiceID) throws {
        var statement = try BoundStatement(
            db,
            """
            INSERT INTO service_use (service_id, client, value, claimant_pid, claimant_start, claimant_boot)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (service_id, client) DO UPDATE SET value = excluded.value,
                claimant_pid = excluded.claimant_pid, claimant_start = excluded.claimant_start,
                claimant_boot = excluded.claimant_boot
            """)
        statement.bind(service)
        statement.bind(use.client)
        statement.bind(blob: use.value)
        if let claimant = use.claimant {
            statement.bind(Int64(claimant.pid))
            statement.bind(claimant.startTime)
            statement.bind(claimant.bootID)
        } else {
            statement.bind(nil as String?)
            statement.bind(nil as String?)
            statement.bind(nil as String?)
        }
        try statement.run()
    }

    func deleteUse(of service: ServiceID, client: String) throws {
        var statement = try BoundStatement(db, "DELETE FROM service_use WHERE service_id = ? AND client = ?")
        statement.bind(service)
        statement.bind(client)
        try statement.run()
    }

    func pendingReleases(limit: Int) throws -> [PendingRelease] {
        guard valueColumns else { return [] }
        return try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT number, service_id, specification, client, command, value FROM pending_release
                    ORDER BY number LIMIT ?
                    """),
            arguments: [limit]
        ).map { row in
            let value: Data = row[5]
            return PendingRelease(
                number: row[0], service: row[1], specification: row[2], client: row[3],
                command: try RecordCoding.decodeSpecifications(row[4]), value: Array(value))
        }
    }

    func queueRelease(_ release: PendingRelease) throws -> PendingRelease {
        var statement = try BoundStatement(
            db,
            "INSERT INTO pending_release (service_id, specification, client, command, value) VALUES (?, ?, ?, ?, ?)")
        statement.bind(release.service)
        statement.bind(release.specification)
        statement.bind(release.client)
        statement.bind(RecordCoding.specificationsJSON(release.command))
        statement.bind(blob: release.value)
        try statement.run()
        var queued = release
        queued.number = db.lastInsertedRowID
        return queued
    }

    func deleteRelease(_ number: Int64) throws {
        var statement = try BoundStatement(db, "DELETE FROM pending_release WHERE number = ?")
        statement.bind(number)
        try statement.run()
    }

    // MARK: Index and log

    private func insertIndex(_ record: ServiceRecord) throws {
        try writeIndex(
            record,
            specificationSQL:
                "INSERT OR IGNORE INTO service_specification (specification, ranking, service_id) VALUES (?, ?, ?)",
            propertySQL: """
                INSERT OR IGNORE INTO property_index (specification, key, kind, value, ranking, service_id)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
    }

    private func deleteIndex(_ record: ServiceRecord) throws {
        try writeIndex(
            record,
            specificationSQL:
                "DELETE FROM service_specification WHERE specification = ? AND ranking = ? AND service_id = ?",
            propertySQL: """
                DELETE FROM property_index
                WHERE specification = ? AND key = ? AND kind = ? AND value = ? AND ranking = ? AND service_id = ?
                """)
    }

    /// Runs the index statements (insert or delete) for every row of a record's index.
    private func writeIndex(_ record: ServiceRecord, specificationSQL: String, propertySQL: String) throws {
        var specificationStatement = try BoundStatement(db, specificationSQL)
        var propertyStatement = try BoundStatement(db, propertySQL)
        for specification in record.specifications {
            specificationStatement.bind(specification)
            specificationStatement.bind(record.ranking)
            specificationStatement.bind(record.id)
            try specificationStatement.run()
            for entry in record.properties.entries {
                try RecordCoding.forEachIndexEntry(entry.value) { kind, value in
                    propertyStatement.bind(specification)
                    propertyStatement.bind(entry.foldedKey)
                    propertyStatement.bind(kind)
                    propertyStatement.bind(value)
                    propertyStatement.bind(record.ranking)
                    propertyStatement.bind(record.id)
                    try propertyStatement.run()
                }
            }
        }
    }

    private func appendEvent(
        _ kind: ServiceChange.Kind, record: ServiceRecord, specificationsJSON: String, old: String?, new: String?,
        reason: String?, time: Double, sequence expected: Int64?, hidden: Bool = false
    ) throws {
        var statement = try BoundStatement(
            db,
            """
            INSERT INTO event (seq, kind, service_id, specifications, old_properties, new_properties, time, reason,
                hidden)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        if let expected { statement.bind(expected) } else { statement.bind(nil as String?) }
        statement.bind(kind.rawValue)
        statement.bind(record.id)
        statement.bind(specificationsJSON)
        statement.bind(old)
        statement.bind(new)
        statement.bind(time)
        statement.bind(reason)
        if hidden { statement.bind(Int64(1)) } else { statement.bind(nil as String?) }
        try statement.run()
        let sequence = db.lastInsertedRowID
        // Pruning every `interval` events keeps each writer's share small: a few rows
        // deleted by their primary key, never a long lock.
        let interval = max(1, min(128, eventRetention))
        if sequence % interval == 0, sequence > eventRetention { try prune(through: sequence - eventRetention) }
    }

    /// Deletes the events up to `last`, at most 2,000 of them: a lowered retention catches
    /// up over several writes (a few milliseconds each) instead of stalling one.
    private func prune(through last: Int64) throws {
        var oldest = try BoundStatement(db, "SELECT min(seq) FROM event")
        guard try oldest.step() else { return }
        let bound = min(last, oldest.integer(0) + 1_999)
        oldest.finish()
        var delete = try BoundStatement(db, "DELETE FROM event WHERE seq <= ?")
        delete.bind(bound)
        try delete.run()
    }

    // MARK: Reading the log

    func latestSequence() throws -> Int64 {
        var statement = try BoundStatement(db, "SELECT seq FROM sqlite_sequence WHERE name = 'event'")
        defer { statement.finish() }
        return try statement.step() ? statement.integer(0) : 0
    }

    func changes(after sequence: Int64, limit: Int) throws -> [ServiceChange] {
        // Sequence numbers have no gaps (a rolled-back change takes none), so the log keeps
        // everything after `sequence` exactly when it starts at or before sequence + 1.
        var oldest = try BoundStatement(db, "SELECT min(seq) FROM event")
        let first: Int64? = try oldest.step() && !oldest.isNull(0) ? oldest.integer(0) : nil
        oldest.finish()
        let latest = try latestSequence()
        if sequence < latest, sequence + 1 < (first ?? latest + 1) {
            throw RegistryError.resyncNeeded(after: sequence, .pruned(oldestKept: first ?? latest + 1))
        }
        if sequence > latest {
            // Not a change still to come: sequence numbers from another store, or from this
            // path before the store was recreated. Waiting would skip what comes up to it.
            throw RegistryError.resyncNeeded(after: sequence, .ahead(latest: latest))
        }
        var statement = try BoundStatement(
            db,
            """
            SELECT seq, kind, service_id, specifications, old_properties, new_properties, time, reason,
                \(requirementColumns ? "hidden" : "NULL")
            FROM event WHERE seq > ? ORDER BY seq LIMIT ?
            """)
        statement.bind(sequence)
        statement.bind(Int64(limit))
        defer { statement.finish() }
        var changes: [ServiceChange] = []
        while try statement.step() {
            guard let kind = ServiceChange.Kind(rawValue: statement.text(1)) else {
                throw StoreError(.corrupt, location: "", detail: "the event log holds an unknown event kind")
            }
            changes.append(
                ServiceChange(
                    sequence: statement.integer(0), kind: kind, serviceID: statement.integer(2),
                    specifications: try RecordCoding.decodeSpecifications(statement.text(3)),
                    oldProperties: statement.isNull(4) ? nil : LoggedProperties(json: statement.bytes(4)),
                    newProperties: statement.isNull(5) ? nil : LoggedProperties(json: statement.bytes(5)),
                    time: statement.double(6), reason: statement.isNull(7) ? nil : statement.text(7),
                    hidden: !statement.isNull(8)))
        }
        return changes
    }
}
