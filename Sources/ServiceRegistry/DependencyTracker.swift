/// The writer every core transaction writes through: it passes each change on to the store
/// and then, in the same transaction, brings the state of the services that depend on the
/// changed one up to date — a service whose requirements all have a match becomes satisfied
/// (REGISTERED), one whose requirement lost its last match becomes unsatisfied
/// (UNREGISTERING, `dependency-lost`) — cascading in dependency order, so that listeners see
/// a change and everything it caused as consecutive events.
///
/// Whatever the change (a registration, `set-props`, an unregister, an expiry, an owner's
/// death, a value made), the rule is applied here, once: no write path of the core can miss it.
final class DependencyTracker: RegistryWriter {
    private let base: any RegistryWriter
    private var check: LivenessCheck
    /// The schemas and before-hooks every stored service passes (nil: the store has none).
    private let policy: PolicyCheck?

    init(_ base: any RegistryWriter, liveness: any Liveness, policy: PolicyCheck? = nil) {
        self.base = base
        self.check = LivenessCheck(liveness)
        self.policy = policy
    }

    // MARK: Changes, and what they cause

    func insert(id: ServiceID?, _ service: NewService) throws -> ServiceRecord {
        var service = service
        try policy?.admit(&service, id: id)
        service.satisfied = true
        if !service.requirements.isEmpty {
            let provisional = ServiceRecord(
                id: id ?? 0, specifications: service.specifications, ranking: service.ranking, scope: service.scope,
                properties: service.properties, name: service.name, requirements: service.requirements)
            try refuseCycle(closedBy: provisional)
            service.satisfied = try allMet(service.requirements, of: nil)
        }
        let record = try base.insert(id: id, service)
        try propagate(before: nil, after: record)
        return record
    }

    @discardableResult
    func update(_ proposed: ServiceRecord, previous: ServiceRecord, logEvent: Bool) throws -> ServiceRecord {
        var record = proposed
        if let policy, logEvent,
            record.ranking != previous.ranking || !record.properties.hasSameValues(as: previous.properties)
        {
            try policy.admit(&record, previous: previous)
        }
        var next = record
        next.satisfied = previous.satisfied
        var nowSatisfied = previous.satisfied
        // New requirements, or properties that a filter of a service it requires may now
        // match, can close a cycle.
        if !record.requirements.isEmpty, record.requirements != previous.requirements || logEvent {
            try refuseCycle(closedBy: record)
        }
        if record.requirements != previous.requirements {
            nowSatisfied = try allMet(record.requirements, of: record.id)
        }
        var stored = try base.update(next, previous: previous, logEvent: logEvent)
        if !deferring, nowSatisfied != stored.satisfied {
            stored.satisfied = nowSatisfied
            stored = try base.setState(stored, reason: nowSatisfied ? nil : RemovalReason.dependencyLost.rawValue)
        }
        try propagate(before: previous, after: stored)
        return stored
    }

    func setState(_ record: ServiceRecord, reason: String?) throws -> ServiceRecord {
        try base.setState(record, reason: reason)
    }

    func delete(_ record: ServiceRecord, reason: String) throws {
        // As stored now: a list read before (expired services, a filter's matches) may hold
        // a state an earlier removal of the same transaction changed, and its event must
        // say what listeners saw.
        guard let current = try base.service(id: record.id) else { return }
        policy?.admitRemoval(current, reason: reason)
        try base.delete(current, reason: reason)
        try propagate(before: current, after: nil)
    }

    /// Whether a change can matter to the services that require this one: its state, or
    /// anything a requirement's filter or name can see (a renewal that moves a lease alone,
    /// or a revision, does not).
    private static func mayConcernDependents(_ before: ServiceRecord?, _ after: ServiceRecord?) -> Bool {
        guard let before, let after else { return (before ?? after)?.satisfied ?? false }
        if before.satisfied != after.satisfied { return true }
        guard after.satisfied else { return false }
        return before.ranking != after.ranking || !before.properties.hasSameValues(as: after.properties)
            || before.value != after.value || before.factory != after.factory || before.release != after.release
            || before.owner != after.owner || before.lease?.ttl != after.lease?.ttl
            || before.requirements != after.requirements || before.source != after.source
    }

    /// Brings the dependents of a changed service (and theirs) up to date, or, deferring,
    /// notes the service for `finishDeferred`.
    private func propagate(before: ServiceRecord?, after: ServiceRecord?) throws {
        guard let subject = after ?? before else { return }
        if deferring {
            if deferred[subject.id] == nil { deferred[subject.id] = before.map { [$0] } ?? [] }
            if let after { deferredLast[subject.id] = after } else { deferredLast[subject.id] = nil }
            return
        }
        guard Self.mayConcernDependents(before, after) else { return }
        try settle(try seeds(before: before, after: after))
    }

    /// The dependents of a changed service whose requirement on it it starts or stops
    /// meeting (state and filter, evaluated on the two records: no query).
    private func seeds(before: ServiceRecord?, after: ServiceRecord?) throws -> [ServiceID] {
        guard let subject = after ?? before else { return [] }
        let wasProvider = before?.satisfied ?? false
        let isProvider = after?.satisfied ?? false
        var seeds: [ServiceID] = []
        // Whether the subject starts or stops meeting a requirement depends on the requirement
        // alone: a thousand dependents sharing one are one evaluation.
        var changes: [String: Bool] = [:]
        try base.forEachDependentSummary(on: Self.targets(of: subject)) { listed in
            guard listed.id != subject.id else { return true }
            for text in listed.requirements {
                let changed: Bool
                if let known = changes[text] {
                    changed = known
                } else {
                    let requirement = try parsed(text)
                    if requirement.concerns(specifications: subject.specifications, name: subject.name) {
                        let matchedBefore = wasProvider && before.map(requirement.matches) ?? false
                        let matchesNow = isProvider && after.map(requirement.matches) ?? false
                        changed = matchedBefore != matchesNow
                    } else {
                        changed = false
                    }
                    changes[text] = changed
                }
                if changed {
                    seeds.append(listed.id)
                    break
                }
            }
            return true
        }
        return seeds
    }

    /// What a requirement of another service can name a service by.
    private static func targets(of record: ServiceRecord) -> [Requirement.Target] {
        var targets = record.specifications.map(Requirement.Target.specification)
        if let name = record.name { targets.append(.name(name)) }
        return targets
    }

    /// Works out the state of `seeds` and of whatever a flip of one of them concerns, each
    /// after the services it may depend on among them (providers before dependents: a
    /// dependency order), and stores every state that changed with its event.
    private func settle(_ seeds: [ServiceID]) throws {
        var pending: [ServiceID] = []
        var records: [ServiceID: ServiceRecord] = [:]
        var byTarget: [Requirement.Target: Set<ServiceID>] = [:]
        var done = Set<ServiceID>()
        var inProgress = Set<ServiceID>()
        func add(_ id: ServiceID) throws {
            // One worked out already is worked out again: a provider of it changed after.
            if done.contains(id) {
                done.remove(id)
            } else if records[id] != nil {
                return
            }
            guard let record = try base.service(id: id) else { return }
            records[id] = record
            pending.append(id)
            for target in Self.targets(of: record) { byTarget[target, default: []].insert(id) }
        }
        func evaluate(_ id: ServiceID) throws {
            guard !done.contains(id), inProgress.insert(id).inserted, let listed = records[id] else { return }
            // First the pending services it may require.
            for requirement in listed.requirements {
                for provider in byTarget[requirement.target] ?? [] where provider != id {
                    try evaluate(provider)
                }
            }
            inProgress.remove(id)
            done.insert(id)
            for target in Self.targets(of: listed) { byTarget[target]?.remove(id) }
            guard let current = try base.service(id: id) else { return }
            let satisfied = try allMet(current.requirements, of: current.id)
            guard satisfied != current.satisfied else { return }
            var changed = current
            changed.satisfied = satisfied
            let stored = try base.setState(changed, reason: satisfied ? nil : RemovalReason.dependencyLost.rawValue)
            for dependent in try self.seeds(before: current, after: stored) { try add(dependent) }
        }
        for id in seeds { try add(id) }
        var next = 0
        while next < pending.count {
            try evaluate(pending[next])
            next += 1
        }
    }

    // MARK: Deferring (apply)

    /// While deferring, changes are noted and their dependents settled once, by
    /// `finishDeferred`: a transaction of many changes (`apply`) makes only the state changes
    /// its end result calls for, not those of its steps.
    private(set) var deferring = false
    /// Each changed service's first state in the transaction ([] for one new in it).
    private var deferred: [ServiceID: [ServiceRecord]] = [:]
    private var deferredLast: [ServiceID: ServiceRecord] = [:]

    func beginDeferring() { deferring = true }

    /// Settles what the noted changes concern: the changed services that have requirements
    /// and every service that requires one of them, before or after.
    func finishDeferred() throws {
        deferring = false
        var seeds: [ServiceID] = []
        var seen = Set<ServiceID>()
        for (id, first) in deferred.sorted(by: { $0.key < $1.key }) {
            let records = first + (deferredLast[id].map { [$0] } ?? [])
            if let last = deferredLast[id], !last.requirements.isEmpty, seen.insert(id).inserted { seeds.append(id) }
            var targets: [Requirement.Target] = []
            for record in records { targets += Self.targets(of: record) }
            try base.forEachDependentSummary(on: Array(Set(targets))) { dependent in
                if seen.insert(dependent.id).inserted { seeds.append(dependent.id) }
                return true
            }
        }
        deferred = [:]
        deferredLast = [:]
        try settle(seeds)
    }

    // MARK: Requirements

    /// Requirements as written, parsed once per transaction (a thousand dependents of one
    /// service mostly share a few).
    private var parsedRequirements: [String: Requirement] = [:]

    private func parsed(_ text: String) throws -> Requirement {
        if let known = parsedRequirements[text] { return known }
        let requirement = try Requirement.parse(text)
        parsedRequirements[text] = requirement
        return requirement
    }

    /// Whether every requirement has a provider other than `id`.
    private func allMet(_ requirements: [Requirement], of id: ServiceID?) throws -> Bool {
        for requirement in requirements where try !hasProvider(requirement, for: id) { return false }
        return true
    }

    /// Whether a satisfied, live service other than `id` meets a requirement.
    private func hasProvider(_ requirement: Requirement, for id: ServiceID?) throws -> Bool {
        var found = false
        try Registry.forEachCandidate(of: requirement, in: base) { record in
            if record.id != id, record.satisfied, check.isLive(record) { found = true }
            return !found
        }
        return found
    }

    /// Throws `requirementCycle` when the requirements of `service` reach back to it through
    /// the services that meet them (in any state: a cycle of satisfied services would keep
    /// itself satisfied after its last way in had gone).
    private func refuseCycle(closedBy service: ServiceRecord) throws {
        // A cycle through the service ends in a requirement the service meets: none of those,
        // no cycle (and no walk down a long chain of what it requires).
        var targets = service.specifications.map(Requirement.Target.specification)
        if let name = service.name { targets.append(.name(name)) }
        var required = false
        try base.forEachDependentSummary(on: targets) { dependent in
            guard dependent.id != service.id else { return true }
            for text in dependent.requirements where try parsed(text).matches(service) {
                required = true
                return false
            }
            return true
        }
        guard required else { return }
        var visited = Set<ServiceID>()
        var expanded: [Requirement: [ServiceRecord]] = [:]
        func candidates(_ requirement: Requirement) throws -> [ServiceRecord] {
            if let known = expanded[requirement] { return known }
            var found: [ServiceRecord] = []
            try Registry.forEachCandidate(of: requirement, in: base) { record in
                if record.id != service.id, check.isLive(record) { found.append(record) }
                return true
            }
            expanded[requirement] = found
            return found
        }
        func search(_ node: ServiceRecord, path: [String]) throws -> [String]? {
            for requirement in node.requirements {
                if node.id != service.id, requirement.matches(service) { return path + [Self.label(service)] }
                for candidate in try candidates(requirement) where !candidate.requirements.isEmpty {
                    guard visited.insert(candidate.id).inserted else { continue }
                    if let cycle = try search(candidate, path: path + [Self.label(candidate)]) { return cycle }
                }
            }
            return nil
        }
        if let cycle = try search(service, path: [Self.label(service)]) { throw RegistryError.requirementCycle(cycle) }
    }

    /// How a cycle names a service: its first specification.
    static func label(_ record: ServiceRecord) -> String {
        record.specifications.first ?? "\(record.id)"
    }

    // MARK: Passed on as they are

    func reserveServiceIDs(through id: ServiceID) throws { try base.reserveServiceIDs(through: id) }
    func setUse(_ use: ServiceUse, of service: ServiceID) throws { try base.setUse(use, of: service) }
    func deleteUse(of service: ServiceID, client: String) throws { try base.deleteUse(of: service, client: client) }
    @discardableResult
    func queueRelease(_ release: PendingRelease) throws -> PendingRelease { try base.queueRelease(release) }
    func deleteRelease(_ number: Int64) throws { try base.deleteRelease(number) }
    func setMarker(_ name: String, _ value: Int64) throws { try base.setMarker(name, value) }
    func setPolicy(_ policy: StoredPolicy) throws { try base.setPolicy(policy) }
    func deletePolicy(_ kind: StoredPolicy.Kind, key: String) throws -> Bool { try base.deletePolicy(kind, key: key) }
    func service(id: ServiceID) throws -> ServiceRecord? { try base.service(id: id) }
    func service(named name: String) throws -> ServiceRecord? { try base.service(named: name) }
    func expiredServices(at instant: Int64, limit: Int) throws -> [ServiceRecord] {
        try base.expiredServices(at: instant, limit: limit)
    }
    func nextExpiry() throws -> Int64? { try base.nextExpiry() }
    func forEachMortalService(
        specification: String?, ownedOnly: Bool, _ body: (ServiceRecord) throws -> Bool
    ) throws {
        try base.forEachMortalService(specification: specification, ownedOnly: ownedOnly, body)
    }
    func serviceNames(prefix: String, limit: Int) throws -> [String] {
        try base.serviceNames(prefix: prefix, limit: limit)
    }
    func uses(of service: ServiceID) throws -> [ServiceUse] { try base.uses(of: service) }
    func use(of service: ServiceID, client: String) throws -> ServiceUse? { try base.use(of: service, client: client) }
    func pendingReleases(limit: Int) throws -> [PendingRelease] { try base.pendingReleases(limit: limit) }
    func marker(_ name: String) throws -> Int64? { try base.marker(name) }
    func policies() throws -> [StoredPolicy] { try base.policies() }
    func forEachService(matching query: ServiceQuery, _ body: (ServiceRecord) throws -> Bool) throws {
        try base.forEachService(matching: query, body)
    }
    func forEachDependent(on targets: [Requirement.Target]?, _ body: (ServiceRecord) throws -> Bool) throws {
        try base.forEachDependent(on: targets, body)
    }
    func forEachDependentSummary(on targets: [Requirement.Target], _ body: (DependentSummary) throws -> Bool) throws {
        try base.forEachDependentSummary(on: targets, body)
    }
    func forEachUnsatisfiedService(specification: String?, _ body: (ServiceRecord) throws -> Bool) throws {
        try base.forEachUnsatisfiedService(specification: specification, body)
    }
    func forEachService(fromSource source: String, _ body: (ServiceRecord) throws -> Bool) throws {
        try base.forEachService(fromSource: source, body)
    }
    func countServices(specification: String?) throws -> Int { try base.countServices(specification: specification) }
    func specificationNames(prefix: String, limit: Int) throws -> [String] {
        try base.specificationNames(prefix: prefix, limit: limit)
    }
    func lastServiceID() throws -> ServiceID { try base.lastServiceID() }
    func serviceIDs(prefix: String, limit: Int) throws -> [ServiceID] {
        try base.serviceIDs(prefix: prefix, limit: limit)
    }
    func propertyKeys(specification: String?, prefix: String, limit: Int) throws -> [String] {
        try base.propertyKeys(specification: specification, prefix: prefix, limit: limit)
    }
    func latestSequence() throws -> Int64 { try base.latestSequence() }
    func changes(after sequence: Int64, limit: Int) throws -> [ServiceChange] {
        try base.changes(after: sequence, limit: limit)
    }
}
