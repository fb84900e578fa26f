import Foundation
import RegistryTestSupport
import ServiceRegistry
import Testing

/// Requirements and the states they give services (issue 13): the core's rules, run over
/// every store, since they lean on what the store keeps (requirement index, states, hidden
/// events).
@Suite struct DependencyTests {
    /// A clock and process table a test moves by hand.
    final class Clock: Liveness, @unchecked Sendable {
        private let lock = NSLock()
        private var instant: Int64 = 1_800_000_000_000
        private var running: Set<ServiceOwner> = []
        func now() -> Int64 { lock.withLock { instant } }
        func advance(_ milliseconds: Int64) { lock.withLock { instant += milliseconds } }
        func isRunning(_ owner: ServiceOwner) -> Bool { lock.withLock { running.contains(owner) } }
        func start(_ pid: Int32) -> ServiceOwner {
            let owner = ServiceOwner(pid: pid, startTime: Int64(pid), bootID: "boot")
            lock.withLock { _ = running.insert(owner) }
            return owner
        }
        func end(_ owner: ServiceOwner) { lock.withLock { _ = running.remove(owner) } }
    }

    private func register(
        _ registry: Registry, _ specifications: [String], _ properties: [(String, PropertyValue)] = [],
        name: String? = nil, requires: [String]? = nil, ttl: Int64? = nil, owner: ServiceOwner? = nil
    ) throws -> ServiceRecord {
        var request = RegistrationRequest(
            specifications: specifications, properties: properties, name: name, ttl: ttl, owner: owner)
        request.requirements = requires
        return try registry.register(request)
    }

    private func visible(_ registry: Registry, _ specification: String) throws -> [ServiceID] {
        var ids: [ServiceID] = []
        try registry.forEach(ServiceQuery(specification: specification)) { ids.append($0.id) }
        return ids
    }

    /// The events a listener would see after `sequence`: (kind, id, reason).
    private func events(_ registry: Registry, after sequence: Int64) throws -> [(ServiceEventKind, ServiceID, String?)]
    {
        var feed = EventFeed(
            registry: registry, interest: ListenerInterest(specification: nil, filter: nil), after: sequence)
        return try feed.next().events.map { ($0.kind, $0.change.serviceID, $0.change.reason) }
    }

    /// An unsatisfied service is hidden from get, get-all and counts, and no listener sees
    /// it; the registration that meets its requirement makes it REGISTERED right after, in
    /// the same transaction; losing the match makes it UNREGISTERING with dependency-lost.
    @Test(arguments: StoreBackend.allCases)
    func satisfiedByARegistrationAndLostByAnUnregister(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let registry = Registry(store: try location.open())
        let web = try register(registry, ["acme.Web"], requires: ["acme.IDatabase"])
        #expect(!web.satisfied)
        #expect(try visible(registry, "acme.Web").isEmpty)
        #expect(try registry.count(ServiceQuery(specification: "acme.Web")) == 0)
        #expect(try registry.first(ServiceQuery(specification: "acme.Web")) == nil)
        var all = ServiceQuery(specification: "acme.Web")
        all.includeUnsatisfied = true
        #expect(try registry.count(all) == 1)
        #expect(try registry.service(id: web.id).state == .unsatisfied)
        #expect(try events(registry, after: 0).isEmpty)

        let mark = try registry.latestSequence()
        let database = try register(registry, ["acme.IDatabase"])
        let seen = try events(registry, after: mark)
        #expect(seen.map(\.0) == [.registered, .registered])
        #expect(seen.map(\.1) == [database.id, web.id])
        #expect(try registry.service(id: web.id).satisfied)
        #expect(try visible(registry, "acme.Web") == [web.id])
        // The REGISTERED right after the one that caused it: consecutive sequence numbers.
        let changes = try registry.changes(after: mark)
        #expect(changes.map(\.sequence) == [mark + 1, mark + 2])

        let before = try registry.latestSequence()
        _ = try registry.unregister(ids: [database.id])
        let lost = try events(registry, after: before)
        #expect(lost.map(\.0) == [.unregistering, .unregistering])
        #expect(lost.map(\.1) == [database.id, web.id])
        #expect(lost[1].2 == "dependency-lost")
        #expect(try registry.service(id: web.id).state == .unsatisfied)
    }

    /// A requirement with a filter follows set-props: the provider stops matching (the
    /// dependent leaves) and matches again (it comes back); another provider keeps it.
    @Test(arguments: StoreBackend.allCases)
    func filtersFollowSetProps(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let registry = Registry(store: try location.open())
        let database = try register(registry, ["acme.IDatabase"], [("region", .string("eu"))])
        let web = try register(registry, ["acme.Web"], requires: ["acme.IDatabase:(region=eu)"])
        #expect(web.satisfied)
        let mark = try registry.latestSequence()
        _ = try registry.setProperties(id: database.id, PropertyUpdate(assignments: [("region", .string("us"))]))
        #expect(try events(registry, after: mark).map(\.0) == [.modified, .unregistering])
        #expect(!(try registry.service(id: web.id).satisfied))
        _ = try registry.setProperties(id: database.id, PropertyUpdate(assignments: [("region", .string("eu"))]))
        #expect(try registry.service(id: web.id).satisfied)
        // A second provider: losing one of two keeps the dependent.
        _ = try register(registry, ["acme.IDatabase"], [("region", .string("eu"))])
        let before = try registry.latestSequence()
        _ = try registry.setProperties(id: database.id, PropertyUpdate(assignments: [("region", .string("us"))]))
        #expect(try events(registry, after: before).map(\.0) == [.modified])
        #expect(try registry.service(id: web.id).satisfied)
        // A change that does not touch what the filter reads changes no state.
        let unrelated = try registry.latestSequence()
        _ = try registry.setProperties(id: database.id, PropertyUpdate(assignments: [("x", .integer(1))]))
        #expect(try events(registry, after: unrelated).map(\.0) == [.modified])
    }

    /// Chains cascade in dependency order, in one transaction: listeners see the cause and
    /// the whole cascade with consecutive sequence numbers, both ways.
    @Test(arguments: StoreBackend.allCases)
    func cascadesOfDepthThree(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let registry = Registry(store: try location.open())
        let c = try register(registry, ["acme.C"], requires: ["acme.B"])
        let b = try register(registry, ["acme.B"], requires: ["acme.A"])
        let d = try register(registry, ["acme.D"], requires: ["acme.C"])
        #expect(try events(registry, after: 0).isEmpty)
        let mark = try registry.latestSequence()
        let a = try register(registry, ["acme.A"])
        let up = try registry.changes(after: mark).filter { !$0.hidden }
        #expect(up.map(\.serviceID) == [a.id, b.id, c.id, d.id])
        #expect(up.map(\.sequence) == Array((mark + 1)...(mark + 4)))
        #expect(up.allSatisfy { $0.kind == .registered })

        let before = try registry.latestSequence()
        _ = try registry.unregister(ids: [a.id])
        let down = try registry.changes(after: before)
        #expect(down.map(\.serviceID) == [a.id, b.id, c.id, d.id])
        #expect(down.map(\.sequence) == Array((before + 1)...(before + 4)))
        #expect(down.dropFirst().allSatisfy { $0.reason == "dependency-lost" && !$0.hidden })
        #expect(try visible(registry, "acme.D").isEmpty)
    }

    /// A diamond cascades providers first: a service changes state only after every service
    /// it requires that changes too (also when it requires the root directly as well).
    @Test(arguments: StoreBackend.allCases)
    func aDiamondCascadesInDependencyOrder(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let registry = Registry(store: try location.open())
        let d = try register(registry, ["acme.D"], name: "d")
        let c = try register(registry, ["acme.C"], name: "c", requires: ["@d"])
        let b = try register(registry, ["acme.B"], name: "b", requires: ["@d"])
        let a = try register(registry, ["acme.A"], name: "a", requires: ["@b", "@c"])
        let e = try register(registry, ["acme.E"], name: "e", requires: ["@a", "@d"])
        let mark = try registry.latestSequence()
        _ = try registry.unregister(ids: [d.id])
        #expect(try events(registry, after: mark).map(\.1) == [d.id, c.id, b.id, a.id, e.id])
        let back = try registry.latestSequence()
        let again = try register(registry, ["acme.D"], name: "d")
        #expect(try events(registry, after: back).map(\.1) == [again.id, c.id, b.id, a.id, e.id])
    }

    /// A service worked out before a provider of it changed later in the same cascade is
    /// worked out again (a diamond whose top was registered first).
    @Test(arguments: StoreBackend.allCases)
    func aDiamondRegisteredTopFirstBecomesSatisfied(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let registry = Registry(store: try location.open())
        let e = try register(registry, ["acme.E"], name: "e", requires: ["@a", "@d"])
        let a = try register(registry, ["acme.A"], name: "a", requires: ["@b"])
        let b = try register(registry, ["acme.B"], name: "b", requires: ["@d"])
        let mark = try registry.latestSequence()
        let d = try register(registry, ["acme.D"], name: "d")
        #expect(try events(registry, after: mark).map(\.1) == [d.id, b.id, a.id, e.id])
        #expect(try registry.service(id: e.id).satisfied)
    }

    /// `--existing replace` of a required service settles on the end result: a dependent
    /// the new one meets too does not leave and come back.
    @Test(arguments: StoreBackend.allCases)
    func aReplacementKeepsTheDependentsItStillMeets(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let registry = Registry(store: try location.open())
        _ = try register(registry, ["acme.DB"], name: "db")
        let app = try register(registry, ["acme.App"], requires: ["acme.DB"])
        let mark = try registry.latestSequence()
        var request = RegistrationRequest(specifications: ["acme.DB"], properties: [], name: "db", existing: .replace)
        request.requirements = nil
        _ = try registry.registration(request)
        #expect(try events(registry, after: mark).map(\.0) == [.unregistering, .registered])
        #expect(try registry.service(id: app.id).satisfied)
    }

    /// An apply settles the states once, on its end result: a declared change that breaks a
    /// requirement and another that mends it make no state change between them.
    @Test(arguments: StoreBackend.allCases)
    func applySettlesStatesOnItsEndResult(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let registry = Registry(store: try location.open())
        func declare(_ region: String) -> [DeclaredService] {
            var db = RegistrationRequest(
                specifications: ["acme.DB"], properties: [("region", .string(region))], name: "db")
            db.source = "/s"
            var app = RegistrationRequest(specifications: ["acme.App"], properties: [], name: "app")
            app.requirements = ["acme.DB:(region=\(region))"]
            app.source = "/s"
            var web = RegistrationRequest(specifications: ["acme.Web"], properties: [], name: "web")
            web.requirements = ["@app"]
            web.source = "/s"
            return [
                DeclaredService(request: db, origin: "f:1"), DeclaredService(request: app, origin: "f:2"),
                DeclaredService(request: web, origin: "f:3"),
            ]
        }
        _ = try registry.apply(declare("eu"), sources: ["/s"], prune: false, dryRun: false)
        #expect(try visible(registry, "acme.Web").count == 1)
        let mark = try registry.latestSequence()
        _ = try registry.apply(declare("us"), sources: ["/s"], prune: false, dryRun: false)
        let seen = try events(registry, after: mark)
        #expect(seen.map(\.0) == [.modified, .modified], "\(seen)")
        #expect(try visible(registry, "acme.Web").count == 1)
    }

    /// Expiries and owners' deaths are changes like any other: their dependents leave in the
    /// same transaction.
    @Test(arguments: StoreBackend.allCases)
    func expiriesAndOwnerDeathsTakeDependentsAlong(backend: StoreBackend) throws {
        let clock = Clock()
        let location = backend.makeLocation()
        let store = try location.open()
        // A store shared by many hosts has no process owners (etcd): leases only.
        let owners = store.capabilities.processOwners
        let registry = Registry(store: store, liveness: clock)
        let leased = try register(registry, ["acme.Lease"], ttl: 1_000)
        let owner = clock.start(4242)
        let owned = owners ? try register(registry, ["acme.Owned"], owner: owner) : nil
        let one = try register(registry, ["acme.One"], requires: ["acme.Lease"])
        let two = owners ? try register(registry, ["acme.Two"], requires: ["acme.Owned"]) : nil
        #expect(one.satisfied && two?.satisfied != false)
        clock.advance(1_001)
        clock.end(owner)
        let mark = try registry.latestSequence()
        #expect(try registry.removeGoneServices() == (owners ? 2 : 1))
        let seen = try events(registry, after: mark)
        #expect(seen.map(\.1) == [leased.id, one.id] + [owned?.id, two?.id].compactMap { $0 })
        #expect(seen.map(\.2) == ["expired", "dependency-lost"] + (owners ? ["owner-exited", "dependency-lost"] : []))
    }

    /// Between a provider's end and the write that removes it, reads already hide what
    /// depends on it (and what depends on that), and say it is unsatisfied.
    @Test(arguments: StoreBackend.allCases)
    func readsHideDependentsOfAProviderGoneButNotRemovedYet(backend: StoreBackend) throws {
        let clock = Clock()
        let location = backend.makeLocation()
        let store = try location.open()
        let owners = store.capabilities.processOwners
        let registry = Registry(store: store, liveness: clock)
        _ = try register(registry, ["acme.Lease"], ttl: 1_000)
        let one = try register(registry, ["acme.One"], requires: ["acme.Lease"])
        let two = try register(registry, ["acme.Two"], requires: ["acme.One"])
        let owner = clock.start(77)
        // Without process owners (etcd), a second lease stands in for the owner.
        _ =
            owners
            ? try register(registry, ["acme.Owned"], owner: owner) : try register(registry, ["acme.Owned"], ttl: 1_000)
        let three = try register(registry, ["acme.Three"], requires: ["acme.Owned"])
        #expect(try visible(registry, "acme.Two") == [two.id])
        clock.advance(1_001)
        clock.end(owner)
        #expect(try visible(registry, "acme.One").isEmpty && visible(registry, "acme.Two").isEmpty)
        #expect(try visible(registry, "acme.Three").isEmpty)
        #expect(try registry.first(ServiceQuery(specification: "acme.Two")) == nil)
        #expect(try registry.count(ServiceQuery(specification: "acme.Two")) == 0)
        #expect(try registry.count(ServiceQuery()) == 0)
        #expect(try registry.service(id: two.id).state == .unsatisfied)
        #expect(try registry.service(id: three.id).state == .unsatisfied)
        #expect(try registry.specificationCounts().isEmpty)
        #expect(try registry.dependencies(of: .id(two.id)).requirements.map(\.providers.count) == [0])
        _ = one
    }

    /// A set-props that would close a cycle (a service starting to match a filter of one
    /// that requires it) is refused like a registration that would.
    @Test(arguments: StoreBackend.allCases)
    func aSetPropsThatClosesACycleIsRefused(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let registry = Registry(store: try location.open())
        _ = try register(registry, ["acme.C"], name: "c2")
        let d = try register(registry, ["acme.D"], [("x", .integer(0))], name: "d", requires: ["acme.C"])
        _ = try register(registry, ["acme.C"], name: "c", requires: ["acme.D:(x=1)"])
        let mark = try registry.latestSequence()
        #expect(throws: RegistryError.requirementCycle(["acme.D", "acme.C", "acme.D"])) {
            try registry.setProperties(id: d.id, PropertyUpdate(assignments: [("x", .integer(1))]))
        }
        #expect(try registry.latestSequence() == mark)
        // A name of its own is never met: refused.
        #expect(throws: RegistryError.inRequirement("@me", .requiresItself)) {
            try register(registry, ["acme.S"], name: "me", requires: ["@me"])
        }
    }

    /// Removing a provider and its dependent in one transaction (both expired, or both
    /// matched by one filter) shows the dependent leaving once: dependency-lost, then its
    /// removal hidden.
    @Test(arguments: StoreBackend.allCases)
    func aDependentRemovedWithItsProviderLeavesOnce(backend: StoreBackend) throws {
        let clock = Clock()
        let location = backend.makeLocation()
        let registry = Registry(store: try location.open(), liveness: clock)
        let provider = try register(registry, ["acme.P"], [("team", .string("x"))], ttl: 1_000)
        let dependent = try register(registry, ["acme.D"], [("team", .string("x"))], requires: ["acme.P"], ttl: 1_000)
        clock.advance(1_001)
        let mark = try registry.latestSequence()
        _ = try registry.removeGoneServices()
        #expect(try events(registry, after: mark).map(\.1) == [provider.id, dependent.id])
        let other = try register(registry, ["acme.P"], [("team", .string("y"))])
        let second = try register(registry, ["acme.D"], [("team", .string("y"))], requires: ["acme.P"])
        let before = try registry.latestSequence()
        var query = ServiceQuery(filter: try LDAPFilter.parse("(team=y)"))
        query.includeUnsatisfied = true
        _ = try registry.unregister(matching: query)
        #expect(try events(registry, after: before).map(\.1) == [other.id, second.id])
    }

    /// Names: `@NAME` requires the service with that name, whatever it is registered under;
    /// a name nobody holds is accepted and met when it comes.
    @Test(arguments: StoreBackend.allCases)
    func requirementsOnNames(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let registry = Registry(store: try location.open())
        let web = try register(registry, ["acme.Web"], requires: ["@cache"])
        #expect(!web.satisfied)
        _ = try register(registry, ["acme.ICache"], name: "other")
        #expect(!(try registry.service(id: web.id).satisfied))
        let cache = try register(registry, ["acme.ICache"], name: "cache")
        #expect(try registry.service(id: web.id).satisfied)
        let deps = try registry.dependencies(of: .id(web.id))
        #expect(deps.requirements.map { $0.providers.map(\.id) } == [[cache.id]])
        #expect(try registry.dependencies(of: .name("cache")).dependents.map(\.id) == [web.id])
    }

    /// A registration that closes a cycle is refused, the cycle named, nothing stored.
    @Test(arguments: StoreBackend.allCases)
    func cyclesAreRefused(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let registry = Registry(store: try location.open())
        _ = try register(registry, ["acme.A"], requires: ["acme.B"])
        let mark = try registry.latestSequence()
        #expect(throws: RegistryError.requirementCycle(["acme.B", "acme.A", "acme.B"])) {
            try register(registry, ["acme.B"], requires: ["acme.A"])
        }
        _ = try register(registry, ["acme.C"], requires: ["acme.A"])
        #expect(throws: RegistryError.requirementCycle(["acme.B", "acme.C", "acme.A", "acme.B"])) {
            try register(registry, ["acme.B"], requires: ["acme.C", "acme.A"])
        }
        #expect(throws: RegistryError.requirementCycle(["acme.B", "acme.C", "acme.A", "acme.B"])) {
            try register(registry, ["acme.B"], requires: ["acme.C"])
        }
        #expect(try registry.latestSequence() == mark + 1)
        // Requiring its own specification is no cycle: a service never meets its own requirement.
        let alone = try register(registry, ["acme.E"], requires: ["acme.E"])
        #expect(!alone.satisfied)
    }

    /// Bad requirements are refused before anything is stored, the column counted from the
    /// requirement's start.
    @Test func badRequirements() throws {
        #expect(
            throws: RegistryError.inRequirement(
                "a.B:(x=1", .filterSyntax(column: 9, problem: "unexpected end of filter; expected ')'"))
        ) {
            _ = try Requirement.parse("a.B:(x=1")
        }
        #expect(throws: RegistryError.inRequirement("@", .invalidServiceName("", .empty))) {
            _ = try Requirement.parse("@")
        }
        let parsed = try Requirement.parse("a:b.C:(region=eu)")
        #expect(parsed.target == .specification("a:b.C"))
        #expect(parsed.filter != nil)
    }

    /// The graph: edges to every service a requirement asks for, and an unmet one to none.
    @Test(arguments: StoreBackend.allCases)
    func theGraph(backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let registry = Registry(store: try location.open())
        let a = try register(registry, ["acme.A"])
        let b = try register(registry, ["acme.B"], requires: ["acme.A", "@missing"])
        _ = try register(registry, ["acme.Other"])
        let graph = try registry.dependencyGraph()
        #expect(graph.services.map(\.id) == [a.id, b.id])
        #expect(graph.edges.map(\.to) == [a.id, nil])
        #expect(try registry.dependencyGraph(specification: "acme.A").services.map(\.id) == [a.id, b.id])
    }
}
