import Foundation
import GRDB
import RegistryTestSupport
import Testing

@testable import RegistrySQLite
@testable import ServiceRegistry

/// Stores written by an earlier schema, and the decoded-record cache of sessions.
@Suite struct StoreEvolutionTests {
    let directory = TemporaryDirectory()

    @Test func aVersionOneStoreIsMigratedAndAnswersAsBefore() throws {
        let path = directory.path + "/v1.db"
        try makeVersionOneStore(path)
        // Someone who may not write reads it unmigrated, without the ranked index.
        let reader = Registry(
            store: try SQLiteStore(path: path, access: .read, options: SQLiteStore.Options(), asIfUnwritable: true))
        let filtered = ServiceQuery(specification: "s.A", filter: try LDAPFilter.parse("(&(location=BH3)(price<=100))"))
        #expect(try reader.first(filtered)?.id == 2)
        let unmigrated = try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
        #expect(unmigrated == 1)
        // Nor does someone who may write, when only reading: a read never writes.
        let plainReader = Registry(store: try SQLiteStore(path: path, access: .read))
        #expect(try plainReader.first(filtered)?.id == 2)
        let stillOne = try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
        #expect(stillOne == 1)
        let store = try SQLiteStore(path: path, access: .write)
        let version = try store.queue.read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") }
        #expect(version == StoreSchema.currentVersion)
        let registry = Registry(store: store)
        let query = ServiceQuery(specification: "s.A", filter: try LDAPFilter.parse("(&(location=BH3)(price<=100))"))
        #expect(try registry.first(query)?.id == 2)
        _ = try registry.setProperties(id: 1, PropertyUpdate(assignments: [("service.ranking", .integer(9))]))
        #expect(try registry.first(query)?.id == 1)
        let next = try registry.register(RegistrationRequest(specifications: ["s.A"], properties: []))
        #expect(next.id == 3)
    }

    /// A store of schema 2 (before names, revisions, leases and owners) reads unmigrated;
    /// migrated, each service's revision is its last event's sequence number.
    @Test func aVersionTwoStoreGetsRevisionsFromItsLog() throws {
        let path = directory.path + "/v2.db"
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try StoreSchema.migrations[0](db)
            try StoreSchema.migrations[1](db)
            try db.execute(sql: "PRAGMA application_id = \(StoreSchema.applicationID)")
            try db.execute(sql: "PRAGMA user_version = 2")
            try db.execute(
                sql: """
                    INSERT INTO service VALUES (1, 0, 'singleton', '["s.A"]', '{"n":2}', 0, 0);
                    INSERT INTO service VALUES (2, 0, 'singleton', '["s.A"]', '{"Service.Name":"old","x":1}', 0, 0);
                    INSERT INTO service_specification VALUES ('s.A', 0, 1), ('s.A', 0, 2);
                    INSERT INTO property_index VALUES ('s.A', 'service.name', 3, 'old', 0, 2), ('s.A', 'x', 1, 1, 0, 2);
                    INSERT INTO event (seq, kind, service_id, specifications, new_properties, time)
                        VALUES (1, 'registered', 1, '["s.A"]', '{}', 0), (2, 'registered', 2, '["s.A"]', '{}', 0),
                        (3, 'modified', 1, '["s.A"]', '{}', 0);
                    """)
        }
        try queue.close()
        let reader = Registry(
            store: try SQLiteStore(path: path, access: .read, options: SQLiteStore.Options(), asIfUnwritable: true))
        #expect(try reader.service(id: 1).revision == 0)
        #expect(throws: RegistryError.noSuchService(.name("db"))) { try reader.service(.name("db")) }
        #expect(try reader.count(ServiceQuery(specification: "s.A")) == 2)
        let registry = Registry(store: try SQLiteStore(path: path, access: .write))
        #expect(try registry.service(id: 1).revision == 3)
        #expect(try registry.service(id: 2).revision == 2)
        // A property an older servreg let be set under a key now reserved is kept as legacy.KEY.
        let legacy = try registry.service(id: 2)
        #expect(legacy.name == nil)
        #expect(legacy.properties["legacy.Service.Name"] == .string("old"))
        #expect(legacy.properties["x"] == .integer(1) && legacy.properties.count == 2)
        let byLegacy = ServiceQuery(specification: "s.A", filter: try LDAPFilter.parse("(legacy.service.name=old)"))
        #expect(try registry.first(byLegacy)?.id == 2)
        #expect(
            try registry.first(ServiceQuery(specification: "s.A", filter: try LDAPFilter.parse("(service.name=old)")))
                == nil)
        let named = try registry.register(RegistrationRequest(specifications: ["s.A"], properties: [], name: "db"))
        #expect(named.revision == 4)
        #expect(try registry.service(.name("db")).id == 3)
    }

    /// A store of schema 3 gains values, factories and clients; a property an older servreg
    /// let be set under a key reserved since (service.value, service.users …) is kept as
    /// legacy.KEY. Read unmigrated, it answers as before.
    @Test func aVersionThreeStoreGetsValuesAndKeepsNowReservedKeysAsLegacy() throws {
        let path = directory.path + "/v3.db"
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for migration in StoreSchema.migrations.prefix(3) { try migration(db) }
            try db.execute(sql: "PRAGMA application_id = \(StoreSchema.applicationID)")
            try db.execute(sql: "PRAGMA user_version = 3")
            try db.execute(
                sql: """
                    INSERT INTO service (id, ranking, scope, specifications, properties, registered_at, modified_at,
                        revision)
                        VALUES (1, 0, 'singleton', '["s.A"]', '{"service.value":"v","service.users":1,"k":2}', 0, 0, 1);
                    INSERT INTO service_specification VALUES ('s.A', 0, 1);
                    INSERT INTO property_index VALUES ('s.A', 'service.value', 3, 'v', 0, 1), ('s.A', 'k', 1, 2, 0, 1);
                    INSERT INTO event (seq, kind, service_id, specifications, new_properties, time)
                        VALUES (1, 'registered', 1, '["s.A"]', '{}', 0);
                    """)
        }
        try queue.close()
        let reader = Registry(
            store: try SQLiteStore(path: path, access: .read, options: SQLiteStore.Options(), asIfUnwritable: true))
        #expect(try reader.service(id: 1).value == nil)
        #expect(try reader.users(of: 1).isEmpty)
        let registry = Registry(store: try SQLiteStore(path: path, access: .write))
        var request = RegistrationRequest(specifications: ["s.A"], properties: [])
        request.value = [1, 2]
        request.registeredBy = "c"
        let added = try registry.register(request)
        #expect(try registry.service(id: added.id).value == [1, 2])
        let old = try registry.service(id: 1)
        #expect(old.value == nil && old.registeredBy == nil)
        #expect(old.properties["legacy.service.value"] == .string("v"))
        #expect(old.properties["legacy.service.users"] == .integer(1) && old.properties["k"] == .integer(2))
        let byLegacy = ServiceQuery(specification: "s.A", filter: try LDAPFilter.parse("(legacy.service.value=v)"))
        #expect(try registry.first(byLegacy)?.id == 1)
    }

    /// A store of schema 4 is read unmigrated (no requirements, every service satisfied, no
    /// hidden event), and migrated by the first write: its services keep their state, keys
    /// reserved since (service.requires, …) become legacy.KEY, and requirements work.
    @Test func aVersionFourStoreGetsRequirementsAndKeepsNowReservedKeysAsLegacy() throws {
        let path = directory.path + "/v4.db"
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            for migration in StoreSchema.migrations.prefix(4) { try migration(db) }
            try db.execute(sql: "PRAGMA application_id = \(StoreSchema.applicationID)")
            try db.execute(sql: "PRAGMA user_version = 4")
            try db.execute(
                sql: """
                    INSERT INTO service (id, ranking, scope, specifications, properties, registered_at, modified_at,
                        revision)
                        VALUES (1, 0, 'singleton', '["s.A"]', '{"service.requires":"x","service.state":"on","k":2}',
                            0, 0, 1);
                    INSERT INTO service_specification VALUES ('s.A', 0, 1);
                    INSERT INTO property_index VALUES ('s.A', 'service.requires', 3, 'x', 0, 1), ('s.A', 'k', 1, 2, 0, 1);
                    INSERT INTO event (seq, kind, service_id, specifications, new_properties, time)
                        VALUES (1, 'registered', 1, '["s.A"]', '{}', 0);
                    """)
        }
        try queue.close()
        let reader = Registry(
            store: try SQLiteStore(path: path, access: .read, options: SQLiteStore.Options(), asIfUnwritable: true))
        #expect(try reader.service(id: 1).satisfied)
        #expect(try reader.first(ServiceQuery(specification: "s.A"))?.id == 1)
        #expect(try reader.changes(after: 0).map(\.hidden) == [false])
        let registry = Registry(store: try SQLiteStore(path: path, access: .write))
        var request = RegistrationRequest(specifications: ["s.B"], properties: [])
        request.requirements = ["s.A:(k=2)"]
        let added = try registry.register(request)
        #expect(added.satisfied)
        let old = try registry.service(id: 1)
        #expect(old.properties["legacy.service.requires"] == .string("x"))
        #expect(old.properties["legacy.service.state"] == .string("on") && old.properties["k"] == .integer(2))
        _ = try registry.unregister(ids: [1])
        #expect(!(try registry.service(id: added.id).satisfied))
        #expect(try registry.changes(after: 0).map(\.reason).last == "dependency-lost")
    }

    /// A store as servreg with schema version 1 wrote it.
    private func makeVersionOneStore(_ path: String) throws {
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in
                try StoreSchema.migrations[0](db)
                try db.execute(sql: "PRAGMA application_id = \(StoreSchema.applicationID)")
                try db.execute(sql: "PRAGMA user_version = 1")
                try db.execute(
                    sql: """
                        INSERT INTO service VALUES (1, 3, 'singleton', '["s.A"]', '{"location":"BH3","price":90}', 0, 0);
                        INSERT INTO service VALUES (2, 7, 'singleton', '["s.A"]', '{"location":"BH3","price":95}', 0, 0);
                        INSERT INTO service_specification VALUES ('s.A', 3, 1), ('s.A', 7, 2);
                        INSERT INTO property_index VALUES ('s.A', 'location', 3, 'BH3', 1), ('s.A', 'price', 1, 90, 1),
                            ('s.A', 'location', 3, 'BH3', 2), ('s.A', 'price', 1, 95, 2);
                        """)
            }
        }
    }

    @Test(arguments: [["a.B"], ["a.B", "c.D"], ["a\"b"], ["a,b", "x\",\"y"], ["é.Ünï", "東京.X"], ["a.B", "a.B"]])
    func specificationListsRoundTrip(names: [String]) throws {
        #expect(try RecordCoding.decodeSpecifications(RecordCoding.specificationsJSON(names)) == names)
    }

    @Test func cachedRecordsFollowWritesOfThisAndOtherConnections() throws {
        let path = directory.path + "/cache.db"
        var options = SQLiteStore.Options()
        options.longLived = true
        let session = try SQLiteStore(path: path, access: .write, options: options)
        let reader = Registry(store: session)
        let other = Registry(store: try SQLiteStore(path: path, access: .write))
        let id = try other.register(
            RegistrationRequest(specifications: ["s.A"], properties: [("location", .string("BH3"))])
        ).id
        let query = ServiceQuery(specification: "s.A", filter: try LDAPFilter.parse("(location=BH3)"))
        #expect(try reader.first(query)?.properties["location"] == .string("BH3"))
        // Another connection commits: the session's next read sees it.
        _ = try other.setProperties(id: id, PropertyUpdate(assignments: [("extra", .integer(1))]))
        #expect(try reader.first(query)?.properties["extra"] == .integer(1))
        // The session writes itself (data_version does not change for its own commits).
        _ = try reader.setProperties(id: id, PropertyUpdate(assignments: [("extra", .integer(2))]))
        #expect(try reader.first(query)?.properties["extra"] == .integer(2))
        // A batch that rolls back leaves nothing cached from inside it.
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try reader.batch { batch in
                _ = try batch.setProperties(id: id, PropertyUpdate(assignments: [("extra", .integer(3))]))
                #expect(try batch.first(query)?.properties["extra"] == .integer(3))
                throw Abort()
            }
        }
        #expect(try reader.first(query)?.properties["extra"] == .integer(2))
    }
}
