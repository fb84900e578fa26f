import Foundation
import RegistryTestSupport
import ServiceRegistry
import Testing

/// The store contract (`RegistryStore`, ARCHITECTURE.md "The store contract"), checked the
/// same way for every store: reads and writes, ids, order, the event log and resync,
/// batches and their steps, nesting, several connections at once, the change signal.
@Suite struct StoreConformanceTests {
    private struct Boom: Error {}

    private func insert(
        _ writer: any RegistryWriter, _ specifications: [String] = ["a.B"], ranking: Int64 = 0,
        _ properties: [(String, PropertyValue)] = []
    ) throws -> ServiceRecord {
        try writer.insert(
            specifications: specifications, ranking: ranking, scope: .singleton,
            properties: try ServiceProperties(properties))
    }

    private func ids(_ store: any RegistryStore, _ query: ServiceQuery = ServiceQuery()) throws -> [ServiceID] {
        try store.read { reader in
            var ids: [ServiceID] = []
            try reader.forEachService(matching: query) { record in
                ids.append(record.id)
                return true
            }
            return ids
        }
    }

    // MARK: Reads, writes and ids

    /// Names, revisions, leases, owners and markers: stored as given, found by name, the
    /// leased and owned services reachable without reading the others, kept by another
    /// connection; the revision is the sequence number of the service's last logged event.
    @Test(arguments: StoreBackend.allCases)
    func namesRevisionsLeasesOwnersAndMarkers(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        let owner = ServiceOwner(pid: 77, startTime: 12_345, bootID: "b-1")
        let (named, soon, late, owned) = try store.write { writer in
            let named = try writer.insert(id: nil, NewService(specifications: ["a.B"], name: "db"))
            let soon = try writer.insert(
                id: nil, NewService(specifications: ["a.B"], lease: Lease(ttl: 100, expires: 5_000)))
            let late = try writer.insert(
                id: nil, NewService(specifications: ["c.D"], lease: Lease(ttl: 100, expires: 9_000)))
            let owned = try writer.insert(id: nil, NewService(specifications: ["c.D"], name: "o", owner: owner))
            return (named, soon, late, owned)
        }
        #expect(named.revision == 1 && owned.revision == 4)
        let reopened = try location.open()
        try reopened.read { reader in
            #expect(try reader.service(named: "db") == named)
            #expect(try reader.service(named: "o")?.owner == owner)
            #expect(try reader.service(named: "nope") == nil)
            #expect(try reader.service(id: soon.id)?.lease == Lease(ttl: 100, expires: 5_000))
            #expect(try reader.expiredServices(at: 4_999, limit: 10).isEmpty)
            #expect(try reader.expiredServices(at: 9_000, limit: 10).map(\.id) == [soon.id, late.id])
            #expect(try reader.expiredServices(at: 9_000, limit: 1).map(\.id) == [soon.id])
            #expect(try reader.nextExpiry() == 5_000)
            var mortal: [ServiceID] = []
            try reader.forEachMortalService(specification: nil, ownedOnly: false) {
                mortal.append($0.id)
                return true
            }
            #expect(Set(mortal) == [soon.id, late.id, owned.id])
            mortal = []
            try reader.forEachMortalService(specification: "c.D", ownedOnly: false) {
                mortal.append($0.id)
                return true
            }
            #expect(Set(mortal) == [late.id, owned.id])
            mortal = []
            try reader.forEachMortalService(specification: nil, ownedOnly: true) {
                mortal.append($0.id)
                return true
            }
            #expect(mortal == [owned.id])
            #expect(try reader.serviceNames(prefix: "", limit: 10) == ["db", "o"])
            #expect(try reader.serviceNames(prefix: "d", limit: 10) == ["db"])
            #expect(try reader.marker("m") == nil)
        }
        try reopened.write { writer in
            var changed = named
            changed.properties.set("k", .integer(1))
            let logged = try writer.update(changed, previous: named, logEvent: true)
            #expect(logged.revision == (try writer.latestSequence()))
            var renewed = logged
            renewed.lease = Lease(ttl: 50, expires: 1_000)
            let quiet = try writer.update(renewed, previous: logged, logEvent: false)
            #expect(quiet.revision == logged.revision)
            try writer.setMarker("m", 42)
            try writer.setMarker("m", 43)
        }
        try store.read { reader in
            #expect(try reader.marker("m") == 43)
            let stored = try reader.service(id: named.id)
            #expect(stored?.revision == 5 && stored?.lease == Lease(ttl: 50, expires: 1_000))
            #expect(try reader.nextExpiry() == 1_000)
        }
    }

    /// Values (any bytes), factories, release commands and the registering client: stored
    /// as given and seen by another connection. Clients' uses (values, claims) are kept per
    /// client and go with their service; the release queue hands entries out in order.
    @Test(arguments: StoreBackend.allCases)
    func valuesFactoriesUsesAndTheReleaseQueue(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        let binary = [UInt8](0...255)
        let factory = ServiceFactory(command: ["/bin/sh", "-c", "echo \"x\""], timeout: 2_500)
        let claimant = ServiceOwner(pid: 5, startTime: 50, bootID: "b")
        let (plain, made) = try store.write { writer in
            let plain = try writer.insert(
                id: nil, NewService(specifications: ["a.B"], value: binary, registeredBy: "alice"))
            let made = try writer.insert(
                id: nil,
                NewService(
                    specifications: ["c.D"], scope: .bundle, factory: factory, release: ["rel", ""],
                    registeredBy: "bob"))
            try writer.setUse(ServiceUse(client: "z", value: [1, 2]), of: made.id)
            try writer.setUse(ServiceUse(client: "", claimant: claimant), of: made.id)
            try writer.setUse(ServiceUse(client: "a"), of: made.id)
            try writer.setUse(ServiceUse(client: "u"), of: plain.id)
            return (plain, made)
        }
        #expect(plain.value == binary && made.factory == factory && made.release == ["rel", ""])
        let other = try location.open()
        try other.read { reader in
            let (plainRead, madeRead) = (try reader.service(id: plain.id), try reader.service(id: made.id))
            #expect(plainRead == plain && madeRead == made)
            let uses = try reader.uses(of: made.id)
            #expect(
                uses == [
                    ServiceUse(client: "", claimant: claimant), ServiceUse(client: "a"),
                    ServiceUse(client: "z", value: [1, 2]),
                ])
            #expect(try reader.use(of: made.id, client: "z")?.value == [1, 2])
            #expect(try reader.use(of: made.id, client: "nobody") == nil)
        }
        try other.write { writer in
            var next = made
            next.factory = nil
            next.value = [0]
            try writer.update(next, previous: made, logEvent: true)
            try writer.deleteUse(of: made.id, client: "a")
            try writer.setUse(ServiceUse(client: "z", value: [3]), of: made.id)
            try writer.delete(plain, reason: "unregistered")
            let first = try writer.queueRelease(
                PendingRelease(service: made.id, specification: "c.D", client: "z", command: ["rel"], value: [3]))
            let second = try writer.queueRelease(
                PendingRelease(service: made.id, specification: "c.D", client: "y", command: ["rel"], value: []))
            #expect(first.number > 0 && second.number > first.number)
        }
        try store.read { reader in
            let stored = try reader.service(id: made.id)
            #expect(stored?.factory == nil && stored?.value == [0] && stored?.release == ["rel", ""])
            #expect(stored?.registeredBy == "bob")
            #expect(try reader.uses(of: made.id).map(\.client) == ["", "z"])
            #expect(try reader.use(of: made.id, client: "z")?.value == [3])
            #expect(try reader.uses(of: plain.id).isEmpty)
            #expect(try reader.pendingReleases(limit: 10).map(\.client) == ["z", "y"])
            #expect(try reader.pendingReleases(limit: 1).first?.value == [3])
        }
        try store.write { writer in
            let entries = try writer.pendingReleases(limit: 10)
            try writer.deleteRelease(entries[0].number)
        }
        let left = try other.read { reader in try reader.pendingReleases(limit: 10) }
        #expect(left.map(\.client) == ["y"])
    }

    /// An import's ids: an explicit id is stored as given and raises the last id; reserving
    /// ids raises it further; new ids are above both; deleting never lowers it.
    @Test(arguments: StoreBackend.allCases)
    func explicitIdsAndReservedIdsKeepNewIdsAbove(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        #expect(try store.read { try $0.lastServiceID() } == 0)
        let kept = try store.write { writer in
            try writer.insert(
                id: 7, specifications: ["a.B"], ranking: 2, scope: .bundle, properties: ServiceProperties())
        }
        #expect(kept.id == 7)
        #expect(try store.read { try $0.service(id: 7) }?.scope == .bundle)
        #expect(try store.read { try $0.lastServiceID() } == 7)
        try store.write { try $0.reserveServiceIDs(through: 20) }
        try store.write { try $0.reserveServiceIDs(through: 10) }  // never lowers it
        #expect(try store.read { try $0.lastServiceID() } == 20)
        let next = try store.write { try insert($0) }
        #expect(next.id == 21)
        try store.write { writer in try writer.delete(next, reason: "unregistered") }
        #expect(try store.read { try $0.lastServiceID() } == 21)
        #expect(try store.read { try $0.changes(after: 0, limit: 10) }.map(\.serviceID) == [7, 21, 21])
    }

    @Test(arguments: StoreBackend.allCases)
    func idsStrictlyIncreaseAndAreNeverReused(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        let a = try store.write { try insert($0) }
        let b = try store.write { try insert($0) }
        #expect(a.id >= 1)
        #expect(b.id > a.id)
        try store.write { writer in try writer.delete(b, reason: "unregistered") }
        // The highest id went: a new service still gets a higher one, also on a new connection.
        let c = try location.open().write { try insert($0) }
        #expect(c.id > b.id)
    }

    @Test(arguments: StoreBackend.allCases)
    func writesAreReadBackWithTheirValuesAndMissingIdsAreNil(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        let properties: [(String, PropertyValue)] = [
            ("Name", .string("é")), ("price", .integer(90)), ("ratio", .float(1.0)), ("ok", .boolean(true)),
            ("tags", .list([.string("x"), .string("y")])), ("empty", .list([])),
        ]
        let record = try store.write { try insert($0, ["a.B", "c.D"], ranking: -3, properties) }
        let read = try store.read { try $0.service(id: record.id) }
        #expect(read == record)
        #expect(read?.properties.entries.map(\.key).contains("Name") == true)
        #expect(read?.properties["ratio"] == .float(1.0))
        #expect(try store.read { try $0.service(id: record.id + 100) } == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func servicesComeInRankingOrderFilteredExactlyAndStopWhenAsked(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        let low = try store.write { try insert($0, ["a.B"], ranking: -1, [("price", .integer(10))]) }
        let first = try store.write { try insert($0, ["a.B", "c.D"], ranking: 5, [("price", .integer(200))]) }
        let plain = try store.write { try insert($0, ["a.B"], ranking: 0, [("price", .integer(50))]) }
        let tie = try store.write { try insert($0, ["a.B"], ranking: 5) }
        let other = try store.write { try insert($0, ["c.D"], ranking: 9) }
        #expect(try ids(store) == [other.id, first.id, tie.id, plain.id, low.id])
        #expect(try ids(store, ServiceQuery(specification: "a.B")) == [first.id, tie.id, plain.id, low.id])
        let cheap = ServiceQuery(specification: "a.B", filter: try LDAPFilter.parse("(price<=100)"))
        #expect(try ids(store, cheap) == [plain.id, low.id])
        #expect(try ids(store, ServiceQuery(specification: "x.Y")).isEmpty)
        var seen: [ServiceID] = []
        try store.read { reader in
            try reader.forEachService(matching: ServiceQuery(specification: "a.B")) { record in
                seen.append(record.id)
                return seen.count < 2
            }
        }
        #expect(seen == [first.id, tie.id])
        #expect(try store.read { try $0.countServices(specification: "a.B") } == 4)
        #expect(try store.read { try $0.countServices(specification: nil) } == 5)
        #expect(try store.read { try $0.countServices(specification: "x.Y") } == 0)
    }

    @Test(arguments: StoreBackend.allCases)
    func aThrowingWriteLeavesNothingBehind(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        #expect(throws: Boom.self) {
            try store.write { writer in
                _ = try insert(writer)
                throw Boom()
            }
        }
        #expect(try ids(store).isEmpty)
        #expect(try store.read { try $0.latestSequence() } == 0)
    }

    // MARK: The event log

    @Test(arguments: StoreBackend.allCases)
    func everyChangeIsLoggedOnceInCommitOrder(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        let record = try store.write { try insert($0, ["a.B"], [("price", .integer(1))]) }
        var changed = record
        changed.properties.set("price", .integer(2))
        try store.write { try $0.update(changed, previous: record, logEvent: true) }
        var respelled = changed
        respelled.properties.set("PRICE", .integer(2))
        try store.write { try $0.update(respelled, previous: changed, logEvent: false) }
        try store.write { try $0.delete(respelled, reason: "expired") }
        let log = try store.read { try $0.changes(after: 0, limit: 100) }
        #expect(log.map(\.kind) == [.registered, .modified, .unregistered])
        #expect(log.map(\.sequence) == [1, 2, 3])
        #expect(log.allSatisfy { $0.serviceID == record.id && $0.specifications == ["a.B"] })
        #expect(log[0].oldProperties == nil)
        #expect(log[0].newProperties?["price"] == .integer(1))
        #expect(log[1].oldProperties?["price"] == .integer(1))
        #expect(log[1].newProperties?["price"] == .integer(2))
        #expect(log[2].oldProperties?["service.id"] == .integer(record.id))
        #expect(log[2].newProperties == nil)
        #expect(log[2].reason == "expired")
        #expect(try store.read { try $0.latestSequence() } == 3)
        // The unlogged change was stored all the same: the key shows its last spelling.
        #expect(try store.read { try $0.service(id: record.id) } == nil)
    }

    @Test(arguments: StoreBackend.allCases)
    func theLogIsReadInPagesAndANumberPastTheNewestAsksForAResync(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        for _ in 0..<7 { _ = try store.write { try insert($0) } }
        var cursor: Int64 = 0
        var pages: [[Int64]] = []
        while true {
            let page = try store.read { try $0.changes(after: cursor, limit: 3) }
            if page.isEmpty { break }
            pages.append(page.map(\.sequence))
            cursor = page[page.count - 1].sequence
        }
        #expect(pages == [[1, 2, 3], [4, 5, 6], [7]])
        #expect(try store.read { try $0.changes(after: 7, limit: 3) }.isEmpty)
        #expect(throws: RegistryError.resyncNeeded(after: 40, .ahead(latest: 7))) {
            try store.read { try $0.changes(after: 40, limit: 3) }
        }
    }

    // MARK: Batches

    @Test(arguments: StoreBackend.allCases)
    func aBatchCommitsItsStepsTogetherAndAFailedStepAlone(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        #expect(store.capabilities.batches)
        let kept = try store.batch { scope in
            let a = try scope.write { try insert($0) }
            #expect(throws: Boom.self) {
                try scope.write { writer in
                    _ = try insert(writer, ["lost.Step"])
                    throw Boom()
                }
            }
            let b = try scope.write { try insert($0) }
            // Reads inside the batch see its steps so far, and not the failed one.
            #expect(try scope.read { try $0.countServices(specification: nil) } == 2)
            #expect(try scope.read { try $0.countServices(specification: "lost.Step") } == 0)
            return [a.id, b.id]
        }
        #expect(try ids(try location.open()) == kept)
        #expect(try store.read { try $0.changes(after: 0, limit: 10) }.map(\.serviceID) == kept)
    }

    @Test(arguments: StoreBackend.allCases)
    func anAllOrNothingBatchCommitsWholeAndRefusesToGoOnAfterAFailedStep(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        let kept = try store.batch(.allOrNothing) { scope in
            [try scope.write { try insert($0) }.id, try scope.write { try insert($0) }.id]
        }
        #expect(try ids(try location.open()) == kept)
        // A caller that swallows a failed step cannot commit what it left half done.
        let broken = RegistryError.batchUnavailable(.brokenStep)
        var outcome: (any Error)?
        do {
            try store.batch(.allOrNothing) { scope in
                _ = try scope.write { try insert($0) }
                #expect(throws: Boom.self) {
                    try scope.write { writer in
                        _ = try insert(writer, ["half.Done"])
                        throw Boom()
                    }
                }
                #expect(throws: broken) { try scope.write { try insert($0) } }
            }
        } catch { outcome = error }
        #expect(outcome as? RegistryError == broken)
        #expect(try ids(try location.open()) == kept)
        #expect(try store.read { try $0.countServices(specification: "half.Done") } == 0)
        #expect(try store.read { try $0.changes(after: 0, limit: 10) }.map(\.serviceID) == kept)
    }

    @Test(arguments: StoreBackend.allCases)
    func aThrowingBatchLeavesNothingAndIsInvisibleToOthersUntilItCommits(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        #expect(throws: Boom.self) {
            try store.batch { scope in
                _ = try scope.write { try insert($0) }
                _ = try scope.write { try insert($0) }
                throw Boom()
            }
        }
        #expect(try ids(store).isEmpty)
        #expect(try store.read { try $0.latestSequence() } == 0)
        let after = try store.write { try insert($0) }
        #expect(try ids(try location.open()) == [after.id])
    }

    @Test(arguments: StoreBackend.allCases)
    func writesThroughTheStoreInsideItsOwnBatchOrWriteAreRefused(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        let nested = RegistryError.batchUnavailable(.nested)
        try store.batch { _ in
            #expect(throws: nested) { try store.write { try insert($0) } }
            #expect(throws: nested) { try store.batch { _ in } }
        }
        try store.write { _ in
            #expect(throws: nested) { try store.write { try insert($0) } }
            #expect(throws: nested) { try store.batch { _ in } }
        }
        #expect(try ids(store).isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func theRegistryRunsABatchOverTheStore(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        let registry = Registry(store: store)
        let request = RegistrationRequest(specifications: ["a.B"], properties: [])
        #expect(throws: RegistryError.self) {
            try registry.batch { inner in
                _ = try inner.register(request)
                #expect(inner.inBatch)
                #expect(throws: RegistryError.batchUnavailable(.nested)) { try inner.batch { _ in } }
                _ = try inner.register(RegistrationRequest(specifications: ["bad name"], properties: []))
            }
        }
        #expect(try registry.count(ServiceQuery()) == 0)
        let made = try registry.batch { inner in [try inner.register(request).id, try inner.register(request).id] }
        #expect(try registry.count(ServiceQuery()) == 2)
        #expect(try registry.changes(after: 0).map(\.serviceID) == made)
    }

    // MARK: Several connections

    /// Everything a reader sees, to compare two connections' views.
    private func dump(_ store: any RegistryStore) throws -> String {
        try store.read { reader in
            var lines: [String] = []
            var query = ServiceQuery()
            query.includeUnsatisfied = true
            try reader.forEachService(matching: query) { record in
                lines.append("\(record)")
                lines.append("uses \(try reader.uses(of: record.id))")
                return true
            }
            lines.append("releases \(try reader.pendingReleases(limit: 1_000))")
            lines.append("policies \(try reader.policies())")
            lines.append("seq \(try reader.latestSequence()) last id \(try reader.lastServiceID())")
            lines.append("marker \(String(describing: try reader.marker("m")))")
            lines.append(
                "count \(try reader.countServices(specification: nil)) \(try reader.countServices(specification: "a.B"))"
            )
            lines.append("specs \(try reader.specificationNames(prefix: "", limit: 100))")
            lines.append("names \(try reader.serviceNames(prefix: "", limit: 100))")
            return lines.joined(separator: "\n")
        }
    }

    /// A connection that read the registry before another one's changes sees every one of
    /// them afterwards, exactly as a new connection does: services put, changed and deleted,
    /// uses, releases, hooks and schemas, markers (a store may refresh what it read instead
    /// of reading it all again).
    @Test(arguments: StoreBackend.allCases)
    func aConnectionThatReadBeforeSeesEveryChangeOfAnother(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let watcher = try location.open()
        let writer = try location.open()
        var random = SystemRandomNumberGenerator()
        _ = try dump(watcher)
        for step in 0..<80 {
            try randomChange(writer, step: step, using: &random)
            if step % 3 == 0 || step == 79 {
                let seen = try dump(watcher)
                #expect(seen == (try dump(try location.open())), "after step \(step)")
            }
        }
    }

    /// One random change of every kind a registry holds (the steps of the tests above and below).
    private func randomChange(
        _ store: any RegistryStore, step: Int, using random: inout SystemRandomNumberGenerator
    ) throws {
        try store.write { writer in
            var services: [ServiceRecord] = []
            var query = ServiceQuery()
            query.includeUnsatisfied = true
            try writer.forEachService(matching: query) { record in
                services.append(record)
                return true
            }
            let some = services.randomElement(using: &random)
            switch Int.random(in: 0..<10, using: &random) {
            case 0, 1:
                _ = try writer.insert(
                    id: nil,
                    NewService(
                        specifications: [["a.B", "c.D", "e.F"].randomElement(using: &random)!],
                        properties: try ServiceProperties([("n", .integer(Int64(step)))]),
                        name: Bool.random(using: &random) ? "n\(step)" : nil))
            case 2:
                if let some {
                    var next = some
                    next.properties = try ServiceProperties([("n", .integer(-Int64(step)))])
                    _ = try writer.update(next, previous: some, logEvent: Bool.random(using: &random))
                }
            case 3: if let some { try writer.delete(some, reason: "unregistered") }
            case 4:
                if let some {
                    try writer.setUse(ServiceUse(client: "c\(step % 3)", value: [UInt8(step)]), of: some.id)
                }
            case 5:
                if let some, let use = try writer.uses(of: some.id).first {
                    try writer.deleteUse(of: some.id, client: use.client)
                }
            case 6:
                if let some {
                    _ = try writer.queueRelease(
                        PendingRelease(
                            service: some.id, specification: "a.B", client: "c", command: ["r"], value: []))
                }
            case 7:
                if let first = try writer.pendingReleases(limit: 1).first { try writer.deleteRelease(first.number) }
            case 8:
                if Bool.random(using: &random) {
                    try writer.setPolicy(StoredPolicy(kind: .schema, key: "a.B", body: #"{"step":\#(step)}"#))
                } else {
                    _ = try writer.deletePolicy(.schema, key: "a.B")
                }
            default: try writer.setMarker("m", Int64(step))
            }
        }
    }

    /// A listener's connection, whose change signal may also keep what it read current (the
    /// etcd store's watch brings every change), sees each change of another connection once
    /// the signal has reported it, exactly as a new connection does, the log included.
    @Test(arguments: StoreBackend.allCases)
    func aListeningConnectionSeesEveryChangeOfAnotherOnceItsSignalSaysSo(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let listener = try location.open()
        let writer = try location.open()
        var random = SystemRandomNumberGenerator()
        _ = try writer.write { try self.insert($0) }
        _ = try dump(listener)
        // Changes between the connection's last read and its signal (a session's earlier
        // command, then `listen`): the first read after the signal sees them.
        _ = try writer.write { try self.insert($0) }
        _ = try writer.write { try self.insert($0) }
        let signal = try listener.changeSignal()
        var seenThrough = try listener.read { try $0.latestSequence() }
        #expect(seenThrough == (try writer.read { try $0.latestSequence() }))
        #expect(try dump(listener) == (try dump(try location.open())))
        for step in 0..<60 {
            try randomChange(writer, step: step, using: &random)
            guard step % 4 == 0 || step == 59 else { continue }
            let latest = try writer.read { try $0.latestSequence() }
            // Waits as a listener does: for the signal, then a read of the log.
            var events: [ServiceChange] = []
            for _ in 0..<50 where seenThrough < latest {
                _ = try signal.wait(timeout: 1)
                let new = try listener.read { try $0.changes(after: seenThrough, limit: 1_000) }
                events += new
                seenThrough = new.last?.sequence ?? seenThrough
            }
            #expect(seenThrough == latest, "after step \(step)")
            let all = try writer.read { try $0.changes(after: 0, limit: 10_000) }
            let expected = all.filter { $0.sequence > latest - Int64(events.count) }
            #expect(events.map(\.sequence) == expected.map(\.sequence), "after step \(step)")
            #expect(events.map { "\($0)" } == expected.map { "\($0)" }, "after step \(step)")
            // Changes that log no event (uses, markers, releases, policies) may come after the
            // last event: the signal reports them too.
            let now = try dump(try location.open())
            var seen = try dump(listener)
            for _ in 0..<50 where seen != now {
                _ = try signal.wait(timeout: 0.1)
                seen = try dump(listener)
            }
            #expect(seen == now, "after step \(step): \(Self.difference(seen, now))")
        }
    }

    /// The lines of `a` and of `b` that the other lacks.
    private static func difference(_ a: String, _ b: String) -> String {
        let (left, right) = (a.split(separator: "\n"), b.split(separator: "\n"))
        return "only seen: \(left.filter { !right.contains($0) }); only there: \(right.filter { !left.contains($0) })"
    }

    @Test(arguments: StoreBackend.allCases)
    func connectionsWritingAtOnceGetDistinctIdsAndOneContiguousLog(backend: StoreBackend) async throws {
        let location = backend.makeLocation()
        _ = try location.open()
        let perWriter = 50
        let made = try await withThrowingTaskGroup(of: [ServiceID].self) { group in
            for _ in 0..<4 {
                let store = try location.open()
                nonisolated(unsafe) let connection = store
                group.addTask {
                    var ids: [ServiceID] = []
                    for _ in 0..<perWriter { ids.append(try connection.write { try self.insert($0) }.id) }
                    return ids
                }
            }
            var all: [ServiceID] = []
            for try await ids in group {
                #expect(ids == ids.sorted())
                all += ids
            }
            return all
        }
        #expect(Set(made).count == 4 * perWriter)
        let log = try location.open().read { try $0.changes(after: 0, limit: 1_000) }
        #expect(log.map(\.sequence) == Array(1...Int64(4 * perWriter)))
        #expect(Set(log.map(\.serviceID)) == Set(made))
    }

    @Test(arguments: StoreBackend.allCases)
    func theChangeSignalWakesOnAnotherConnectionsCommitAndOnItsWaker(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let listener = try location.open()
        let signal = try listener.changeSignal()
        let writer = try location.open()
        let before = try listener.read { try $0.latestSequence() }
        // A thread, not a task: the wait below blocks, and tasks share a pool of two threads here.
        nonisolated(unsafe) let writing = writer
        let written = DispatchSemaphore(value: 0)
        Thread {
            _ = try? writing.write { writer in
                try writer.insert(
                    specifications: ["a.B"], ranking: 0, scope: .singleton, properties: ServiceProperties())
            }
            written.signal()
        }.start()
        // However the wake-ups come, the commit is seen within a few seconds of reading the log after each.
        let deadline = Date().addingTimeInterval(10)
        var seen = before
        while seen == before, Date() < deadline {
            let wake = try signal.wait(timeout: 1)
            #expect(wake != .woken)
            if case .storeGone(let reason) = wake { Issue.record("store gone: \(reason)") }
            seen = try listener.read { try $0.latestSequence() }
        }
        written.wait()
        #expect(seen == before + 1)
        signal.waker.wake()
        var woken = false
        for _ in 0..<50 where !woken { woken = try signal.wait(timeout: 5) == .woken }
        #expect(woken)
    }

    // MARK: Completion

    @Test(arguments: StoreBackend.allCases)
    func completionFindsNamesIdsAndKeysByPrefix(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        var made: [ServiceID] = []
        let services: [([String], String)] = [
            (["acme.IPlumber"], "Price"), (["acme.IPainter", "zed.X"], "pattern"), (["b.C"], "size"),
        ]
        for (specs, key) in services {
            made.append(try store.write { try insert($0, specs, [(key, .integer(1))]) }.id)
        }
        #expect(
            try store.read { try $0.specificationNames(prefix: "acme.", limit: 10) } == [
                "acme.IPainter", "acme.IPlumber",
            ])
        #expect(try store.read { try $0.specificationNames(prefix: "acme.", limit: 1) } == ["acme.IPainter"])
        #expect(try store.read { try $0.serviceIDs(prefix: "", limit: 10) } == made)
        #expect(
            try store.read { try $0.propertyKeys(specification: nil, prefix: "p", limit: 10) } == ["pattern", "price"])
        #expect(
            try store.read { try $0.propertyKeys(specification: "acme.IPlumber", prefix: "", limit: 10) } == ["price"])
    }

    @Test(arguments: StoreBackend.allCases)
    func closingMakesCommitsDurableAndAReopenedStoreHasEverything(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let store = try location.open()
        let record = try store.write { try insert($0, ["a.B"], [("k", .string("v"))]) }
        try store.close()
        #expect(try location.open().read { try $0.service(id: record.id) } == record)
    }
}
