import Foundation
import RegistryTestSupport
import Synchronization
import Testing

@testable import ServiceRegistry

/// A clock the test moves and a process table it edits.
final class ManualLiveness: Liveness, @unchecked Sendable {
    private let lock = NSLock()
    private var instant: Int64 = 1_800_000_000_000
    private var running: Set<ServiceOwner> = []
    /// How many owner checks were asked for.
    private(set) var checks = 0

    func now() -> Int64 { lock.withLock { instant } }
    func advance(_ milliseconds: Int64) { lock.withLock { instant += milliseconds } }

    func isRunning(_ owner: ServiceOwner) -> Bool {
        lock.withLock {
            checks += 1
            return running.contains(owner)
        }
    }

    func start(_ pid: Int32) -> ServiceOwner {
        let owner = ServiceOwner(pid: pid, startTime: Int64(pid) * 10, bootID: "boot")
        lock.withLock { _ = running.insert(owner) }
        return owner
    }

    func end(_ owner: ServiceOwner) { lock.withLock { _ = running.remove(owner) } }
}

/// Names, revisions, leases and owners (issue 11), in the core over the in-memory store.
@Suite struct LivenessTests {
    private let store = MemoryStore()
    private let clock = ManualLiveness()
    private var registry: Registry { Registry(store: store, liveness: clock) }

    private func request(
        _ pairs: [(String, PropertyValue)] = [], specifications: [String] = ["acme.IDatabase"], name: String? = nil,
        existing: ExistingName = .fail, ttl: Int64? = nil, owner: ServiceOwner? = nil
    ) -> RegistrationRequest {
        RegistrationRequest(
            specifications: specifications, properties: pairs, name: name, existing: existing, ttl: ttl, owner: owner)
    }

    private func reasons() throws -> [String?] {
        try registry.changes(after: 0).filter { $0.kind == .unregistered }.map(\.reason)
    }

    @Test func aNameIsUniqueAmongTheLiveAndFreeOnceItsServiceGoes() throws {
        let first = try registry.register(request(name: "db"))
        #expect(first.name == "db")
        #expect(throws: RegistryError.nameTaken("db", by: first.id)) { try registry.register(request(name: "db")) }
        #expect(try registry.service(.name("db")).id == first.id)
        #expect(
            try registry.first(ServiceQuery(specification: nil, filter: try LDAPFilter.parse("(service.name=db)")))?.id
                == first.id)
        _ = try registry.unregister([.name("db")])
        #expect(throws: RegistryError.noSuchService(.name("db"))) { try registry.service(.name("db")) }
        let second = try registry.register(request(name: "db"))
        #expect(second.id > first.id)
        #expect(throws: RegistryError.invalidServiceName("a b", .forbiddenCharacter(" "))) {
            try registry.register(request(name: "a b"))
        }
        #expect(throws: RegistryError.readOnlyKey("service.name")) {
            try registry.register(request([("service.name", .string("x"))]))
        }
    }

    @Test func existingUpdateMergesIntoTheSameServiceAndReplaceSwapsIt() throws {
        let first = try registry.register(request([("url", .string("a")), ("pool", .integer(5))], name: "db"))
        let updated = try registry.registration(request([("url", .string("b"))], name: "db", existing: .update))
        #expect(updated.outcome == .updated(changed: true))
        #expect(updated.record.id == first.id)
        #expect(updated.record.properties["url"] == .string("b") && updated.record.properties["pool"] == .integer(5))
        let same = try registry.registration(request([("url", .string("b"))], name: "db", existing: .update))
        #expect(same.outcome == .updated(changed: false))
        #expect(
            throws: RegistryError.nameTakenUnderOtherSpecifications(
                "db", by: first.id, specifications: ["acme.IDatabase"])
        ) { try registry.registration(request(specifications: ["other.X"], name: "db", existing: .update)) }
        let replaced = try registry.registration(request([("url", .string("c"))], name: "db", existing: .replace))
        #expect(replaced.outcome == .replaced(first.id))
        #expect(replaced.record.id != first.id)
        let kinds = try registry.changes(after: 0).map { "\($0.kind.rawValue):\($0.serviceID):\($0.reason ?? "")" }
        #expect(
            kinds == [
                "registered:\(first.id):", "modified:\(first.id):", "unregistered:\(first.id):replaced",
                "registered:\(replaced.record.id):",
            ])
    }

    @Test func theRevisionIsTheSequenceOfTheLastChangeAndIfRevGuardsIt() throws {
        let record = try registry.register(request([("n", .integer(0))]))
        #expect(record.revision == (try registry.latestSequence()))
        _ = try registry.register(request())
        let (changed, _) = try registry.setProperties(
            .id(record.id), PropertyUpdate(assignments: [("n", .integer(1))]), ifRevision: record.revision)
        #expect(changed.revision == (try registry.latestSequence()))
        #expect(changed.revision > record.revision)
        // A second writer that read the first revision loses nothing: it is refused.
        #expect(throws: RegistryError.revisionMismatch(record.id, expected: record.revision, actual: changed.revision))
        {
            try registry.setProperties(
                .id(record.id), PropertyUpdate(assignments: [("n", .integer(1))]), ifRevision: record.revision)
        }
        #expect(throws: RegistryError.revisionMismatch(record.id, expected: record.revision, actual: changed.revision))
        {
            try registry.unregister([.id(record.id)], ifRevision: record.revision)
        }
        #expect(try registry.service(id: record.id).properties["n"] == .integer(1))
        // No value changed: no event, the revision stays.
        let (unchanged, didChange) = try registry.setProperties(
            .id(record.id), PropertyUpdate(assignments: [("n", .integer(1))]))
        #expect(!didChange && unchanged.revision == changed.revision)
        #expect(try registry.unregister([.id(record.id)], ifRevision: changed.revision).removed.count == 1)
    }

    @Test func anExpiredServiceIsNeverReturnedOrCountedAndWritersRemoveIt() throws {
        let leased = try registry.register(request([("k", .integer(1))], name: "l", ttl: 1000))
        let plain = try registry.register(request([("k", .integer(1))]))
        #expect(leased.lease?.expires == clock.now() + 1000)
        let all = ServiceQuery(specification: "acme.IDatabase")
        #expect(try registry.count(all) == 2)
        clock.advance(999)
        #expect(try registry.service(id: leased.id).id == leased.id)
        clock.advance(1)
        // From the instant it expires: not returned, not counted, though still stored.
        #expect(store.services[leased.id] != nil)
        #expect(throws: RegistryError.noSuchService(.id(leased.id))) { try registry.service(id: leased.id) }
        #expect(throws: RegistryError.noSuchService(.name("l"))) { try registry.service(.name("l")) }
        #expect(try registry.count(all) == 1)
        #expect(try registry.count(ServiceQuery(specification: nil, filter: try LDAPFilter.parse("(k=1)"))) == 1)
        #expect(try registry.specificationCounts().map(\.services) == [1])
        var listed: [ServiceID] = []
        try registry.forEach(all) { listed.append($0.id) }
        #expect(listed == [plain.id])
        #expect(try registry.serviceNames(prefix: "").isEmpty)
        #expect(try registry.serviceIDs(prefix: "") == [plain.id])
        // Any write removes it, with the reason; its name is free at once.
        _ = try registry.register(request(name: "l"))
        #expect(store.services[leased.id] == nil)
        #expect(try reasons() == ["expired"])
    }

    @Test func renewAndSetPropsTtlMoveTheLeaseWithoutAnEvent() throws {
        let leased = try registry.register(request(ttl: 1000))
        let plain = try registry.register(request())
        let events = try registry.latestSequence()
        clock.advance(800)
        let (renewed, missing, unleased) = try registry.renew([.id(leased.id), .id(plain.id), .name("nope")])
        #expect(renewed.map(\.lease?.expires) == [clock.now() + 1000])
        #expect(missing == [.name("nope")])
        #expect(unleased.map(\.id) == [plain.id])
        clock.advance(800)
        #expect(try registry.service(id: leased.id).revision == leased.revision)
        let (longer, _) = try registry.setProperties(.id(leased.id), PropertyUpdate(), ttl: 60_000)
        #expect(longer.lease == Lease(ttl: 60_000, from: clock.now()))
        let (forever, _) = try registry.setProperties(.id(leased.id), PropertyUpdate(), ttl: 0)
        #expect(forever.lease == nil)
        clock.advance(120_000)
        #expect(try registry.service(id: leased.id).lease == nil)
        #expect(try registry.latestSequence() == events)
        #expect(throws: RegistryError.nothingToChange) { try registry.setProperties(.id(leased.id), PropertyUpdate()) }
    }

    @Test func aServiceWhoseOwnerIsGoneIsNeverReturnedAndIsRemovedAsOwnerExited() throws {
        let owner = clock.start(4242)
        let owned = try registry.register(request(name: "o", owner: owner))
        #expect(try registry.service(.name("o")).owner == owner)
        clock.end(owner)
        #expect(throws: RegistryError.noSuchService(.id(owned.id))) { try registry.service(id: owned.id) }
        #expect(try registry.count(ServiceQuery(specification: "acme.IDatabase")) == 0)
        #expect(try registry.removeGoneServices() == 1)
        #expect(try reasons() == ["owner-exited"])
        #expect(try registry.removeGoneServices() == 0)
    }

    /// Writers check every owner at most once per interval, store-wide: a write between
    /// checks reads no owner's process, whatever their number.
    @Test func writersCheckOwnersAtMostOncePerInterval() throws {
        let owners = (1...50).map { clock.start(Int32($0)) }
        for owner in owners { _ = try registry.register(request(owner: owner)) }
        clock.advance(Registry.ownerCheckInterval)
        _ = try registry.register(request())
        let afterSweep = clock.checks
        for _ in 0..<20 { _ = try registry.register(request()) }
        #expect(clock.checks == afterSweep)
        clock.end(owners[0])
        clock.advance(Registry.ownerCheckInterval)
        _ = try registry.register(request())
        #expect(clock.checks == afterSweep + owners.count)
        #expect(try reasons() == ["owner-exited"])
    }

    @Test func aListenerIsToldWhenToLookNext() throws {
        #expect(try registry.nextLivenessCheck() == nil)
        _ = try registry.register(request(ttl: 5000))
        _ = try registry.register(request(ttl: 3000))
        #expect(try registry.nextLivenessCheck() == clock.now() + 3000)
        _ = try registry.register(request(owner: clock.start(7)))
        #expect(try registry.nextLivenessCheck() == clock.now())
        #expect(
            try registry.nextLivenessCheck(ownersCheckedAt: clock.now()) == clock.now() + Registry.ownerCheckInterval)
    }

    @Test func durationsAndInstantsRoundTrip() throws {
        #expect(try LeaseDuration.parse("500ms") == 500)
        #expect(try LeaseDuration.parse("1.5s") == 1500)
        #expect(try LeaseDuration.parse("5m") == 300_000)
        #expect(try LeaseDuration.parse("1h") == 3_600_000)
        #expect(try LeaseDuration.parse("0") == 0)
        for bad in ["", "5", "5x", "s", ".5s", "5.s", "-1s", "1e3s", "٣s"] {
            #expect(throws: RegistryError.invalidDuration(bad, .syntax)) { try LeaseDuration.parse(bad) }
        }
        #expect(throws: RegistryError.invalidDuration("9000h", .tooLong)) { try LeaseDuration.parse("9000h") }
        #expect(throws: RegistryError.invalidDuration("0.1ms", .tooShort)) { try LeaseDuration.parse("0.1ms") }
        for milliseconds: Int64 in [1, 999, 1000, 1500, 60_000, 90_000, 3_600_000] {
            #expect(try LeaseDuration.parse(LeaseDuration.format(milliseconds)) == milliseconds)
        }
        #expect(Instant.format(0) == "1970-01-01T00:00:00.000Z")
        #expect(Instant.format(1_796_307_008_123) == "2026-12-03T14:10:08.123Z")
        #expect(Instant.format(951_782_400_000) == "2000-02-29T00:00:00.000Z")
        for instant: Int64 in [0, 1, 951_782_400_000, 1_796_307_008_123, 4_102_444_800_999] {
            #expect(Instant.parse(Instant.format(instant)) == instant)
        }
        #expect(Instant.parse("2026-12-02T14:30:08Z") == Instant.parse("2026-12-02T14:30:08.000Z"))
        #expect(Instant.parse("2026-13-02T14:30:08Z") == nil)
        #expect(Instant.parse("yesterday") == nil)
    }
}
