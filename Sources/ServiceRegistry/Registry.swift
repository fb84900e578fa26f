/// The service registry: validates requests by the domain rules and runs them against a
/// store, one transaction per operation — or, inside `batch`, one step per operation of
/// the batch's one transaction.
public final class Registry {
    /// The store the registry is kept in.
    public let store: any RegistryStore
    /// Where operations go: the store itself, or the batch open on it.
    let transactions: any StoreTransactions
    /// Whether this registry runs inside a batch.
    public let inBatch: Bool
    /// The clock and process table that say whether a leased or owned service still lives.
    public let liveness: any Liveness
    /// When this batch's writes last removed the dead services (a batch removes them at its
    /// first write and then at most every `batchSweepInterval` milliseconds).
    private var lastSweep: Int64?
    /// What runs hooks (the command line's processes); without one, a change that a hook
    /// would run for is refused.
    public var hookRunner: (any HookRunner)?
    /// The client that hooks are told made a change (`SERVREG_CLIENT`).
    public var client: String?
    /// The hooks and schemas as this batch read them (only its own writes change them: it
    /// is one transaction).
    var batchPolicies: Policies?
    /// The after-hooks of what this batch's writes changed: run once it has committed.
    private var batchAfterHooks: [(Hook, ServiceChange)] = []
    /// How many times a change's before-hooks run on a change that keeps changing under them.
    public static let hookRounds = 5
    /// Whether the last write of this registry (or of a batch on it) committed with releases
    /// in the queue (nil: no write yet): `runPendingReleases` reads the queue unless it
    /// knows it was empty.
    final class ReleaseWatch {
        var queued: Bool?
    }
    let releaseWatch: ReleaseWatch

    /// The store marker that holds when owners were last checked by a writer.
    static let ownerCheckMarker = "owners-checked"
    /// How often writers check every owner, store-wide, in milliseconds. A read checks
    /// the owners of what it returns every time; this bounds only the removal.
    public static let ownerCheckInterval: Int64 = 1000
    static let batchSweepInterval: Int64 = 100

    /// A registry over a store. `liveness` decides when leases end and owners are gone;
    /// the default lets nothing end (stores used without leases or owners).
    public init(store: any RegistryStore, liveness: any Liveness = UncheckedLiveness()) {
        self.store = store
        self.transactions = store
        self.inBatch = false
        self.liveness = liveness
        self.releaseWatch = ReleaseWatch()
    }

    private init(
        store: any RegistryStore, batch: any StoreTransactions, liveness: any Liveness, hookRunner: (any HookRunner)?,
        client: String?, releaseWatch: ReleaseWatch
    ) {
        self.releaseWatch = releaseWatch
        self.store = store
        self.transactions = batch
        self.inBatch = true
        self.liveness = liveness
        self.hookRunner = hookRunner
        self.client = client
    }

    // MARK: Batches

    /// Runs `body` against a registry whose every operation is a step of one transaction:
    /// a failing operation is undone alone and `body` decides whether to go on (or, with
    /// `.allOrNothing`, `body` must throw after it); all the steps commit when `body`
    /// returns, none when it throws.
    ///
    /// `body` may be re-run whole (a store with optimistic concurrency, on a conflict at
    /// commit): it keeps its effects — output, ids, session state — until this returns.
    public func batch<T>(_ steps: BatchSteps = .undoneAlone, _ body: (Registry) throws -> T) throws -> T {
        if inBatch { throw RegistryError.batchUnavailable(.nested) }
        guard store.capabilities.batches else { throw RegistryError.batchUnavailable(.unsupportedByStore) }
        var inner: Registry?
        let result = try store.batch(steps) { scope in
            let registry = Registry(
                store: store, batch: scope, liveness: liveness, hookRunner: hookRunner, client: client,
                releaseWatch: releaseWatch)
            inner = registry
            return try body(registry)
        }
        // Committed: the after-hooks of what it changed.
        if let inner, let hookRunner {
            for (hook, change) in inner.batchAfterHooks { hookRunner.runAfter(hook, change: change) }
        }
        return result
    }

    // MARK: Liveness

    /// Runs `body` as one write after removing the services that are gone (expired, or their
    /// owner exited) with UNREGISTERING: every writing command does this.
    ///
    /// `operation` is the operation the write runs, whose before-hooks its changes need (nil:
    /// none, as for expiries): a change they have not seen rolls the write back; they run
    /// outside any transaction (`runBeforeHooks`), and the write runs again, committing only
    /// the changes they saw as they are now (one that changed meanwhile goes to them again,
    /// `hookRounds` times at the most). Every stored service is checked against its schemas.
    func write<T>(
        _ operation: Hook.Operation? = nil, deferringDependencies: Bool = false, sweeping: Bool = true,
        _ body: (any RegistryWriter, inout LivenessCheck) throws -> T
    ) throws -> T {
        var approvals: [[UInt8]: HookMerges] = [:]
        var round = 0
        while true {
            round += 1
            let result: (T, Int64, Bool, [(Hook, ServiceChange)], Bool)
            do {
                result = try transactions.write { store in
                    let policies = try policies(in: store)
                    let policy =
                        policies.isEmpty
                        ? nil
                        : PolicyCheck(policies: policies, operation: operation, client: client, approvals: approvals)
                    let start = policies.hasAfterHooks ? try store.latestSequence() : nil
                    let writer = DependencyTracker(store, liveness: liveness, policy: policy)
                    var check = LivenessCheck(liveness)
                    let due =
                        sweeping
                        && (!inBatch || Self.isDue(since: lastSweep, now: check.now, every: Self.batchSweepInterval))
                    if due { try Self.sweep(writer, &check, forceOwnerCheck: false, limit: sweepLimit) }
                    if deferringDependencies { writer.beginDeferring() }
                    let value = try body(writer, &check)
                    if deferringDependencies { try writer.finishDeferred() }
                    if let policy, !policy.pending.isEmpty { throw PendingHooks(proposals: policy.pending) }
                    var after: [(Hook, ServiceChange)] = []
                    if let start { after = try Self.afterHooks(policies, since: start, in: store) }
                    if !after.isEmpty {
                        // Code from the store: an operation asked for is refused before it commits
                        // when its hooks may not run. (What no one asked for — an expiry a renewal
                        // removes — commits, and the runner says the hooks did not run.)
                        guard let hookRunner else { throw RegistryError.hooksUnavailable(after[0].0.name) }
                        if operation != nil { try hookRunner.checkTrusted() }
                    }
                    // Releases queued when it commits (its own, or ones left by a command that
                    // could not run them) are run after it.
                    let releases = try !store.pendingReleases(limit: 1).isEmpty
                    return (value, check.now, due, after, releases)
                }
            } catch let pending as PendingHooks {
                if inBatch { throw RegistryError.beforeHooksInBatch(pending.proposals[0].hooks[0].name) }
                if round > Self.hookRounds { throw RegistryError.hooksKeptChanging(rounds: Self.hookRounds) }
                for proposal in pending.proposals { approvals[proposal.key] = try runBeforeHooks(proposal) }
                continue
            }
            if result.2 { lastSweep = result.1 }
            releaseWatch.queued = result.4
            if inBatch {
                batchAfterHooks += result.3
            } else if let hookRunner {
                for (hook, change) in result.3 { hookRunner.runAfter(hook, change: change) }
            }
            return result.0
        }
    }

    /// The hooks and schemas of the store (a batch reads them once).
    private func policies(in reader: any RegistryReader) throws -> Policies {
        if let batchPolicies { return batchPolicies }
        let policies = try Policies.read(reader)
        if inBatch { batchPolicies = policies }
        return policies
    }

    /// Runs a proposal's before-hooks in order, each on the proposal as the ones before it
    /// left it; returns what they merge into it. A hook that fails vetoes it (throws).
    private func runBeforeHooks(_ proposal: HookProposal) throws -> HookMerges {
        guard let hookRunner else { throw RegistryError.hooksUnavailable(proposal.hooks[0].name) }
        try hookRunner.checkTrusted()
        var merges: HookMerges = []
        var after = proposal.after
        for hook in proposal.hooks {
            let input = HookProposal.input(
                hook: hook, operation: proposal.operation, before: proposal.before, after: after,
                client: proposal.client)
            let output = try hookRunner.run(hook, input: input)
            let merged = try PolicyCheck.merges(fromOutput: output, of: hook, operation: proposal.operation)
            if var record = after, !merged.isEmpty {
                PolicyCheck.merge(merged, into: &record.properties, ranking: &record.ranking)
                after = record
            }
            merges += merged
        }
        return merges
    }

    /// The after-hooks of the changes logged after `sequence` (this transaction's: it holds
    /// the write lock), each with its change, in order.
    private static func afterHooks(_ policies: Policies, since sequence: Int64, in reader: any RegistryReader) throws
        -> [(Hook, ServiceChange)]
    {
        var calls: [(Hook, ServiceChange)] = []
        var after = sequence
        while true {
            let page = try reader.changes(after: after, limit: 1000)
            for change in page where !change.hidden {
                let operation: Hook.Operation =
                    switch change.kind {
                    case .registered: .register
                    case .modified: .setProperties
                    case .unregistered: .unregister
                    }
                for hook in policies.hooks(.after, operation, for: change.specifications) {
                    calls.append((hook, change))
                }
            }
            guard let last = page.last, page.count == 1000 else { return calls }
            after = last.sequence
        }
    }

    /// Whether `interval` has passed since `last` (never done, or a clock set back: due).
    private static func isDue(since last: Int64?, now: Int64, every interval: Int64) -> Bool {
        guard let last else { return true }
        return now - last >= interval || now < last
    }

    /// A lease of `ttl` from now, or none for 0.
    private static func lease(_ ttl: Int64, from now: Int64) -> Lease? {
        ttl > 0 ? Lease(ttl: ttl, from: now) : nil
    }

    /// Stores `next` in place of `previous` when anything differs; returns it as stored and
    /// whether a value changed (only that is an event: a lease or a key's spelling is not).
    static func store(_ next: ServiceRecord, replacing previous: ServiceRecord, in writer: any RegistryWriter)
        throws -> (ServiceRecord, changed: Bool)
    {
        let changed =
            next.ranking != previous.ranking || !next.properties.hasSameValues(as: previous.properties)
            || next.value != previous.value || next.factory != previous.factory
            || next.requirements != previous.requirements || next.source != previous.source
        guard next != previous else { return (next, false) }
        return (try writer.update(next, previous: previous, logEvent: changed), changed)
    }

    /// Removes the expired services (found by the store's lease index: cost grows with
    /// the expired ones only) and, at most every `ownerCheckInterval` store-wide, the
    /// owned services whose owner is gone (cost grows with the owned services).
    @discardableResult
    static func sweep(
        _ writer: any RegistryWriter, _ check: inout LivenessCheck, forceOwnerCheck: Bool, limit: Int? = nil
    ) throws -> Int {
        guard check.now != Int64.min else { return 0 }
        var removed = 0
        // A store that takes a bounded number of writes per transaction (etcd) removes a few
        // at a time: the rest stay hidden from reads and go with the next writes.
        let most = limit ?? Int.max
        while removed < most {
            let page = min(500, most - removed)
            let expired = try writer.expiredServices(at: check.now, limit: page)
            for record in expired { try remove(record, reason: .expired, in: writer) }
            removed += expired.count
            if expired.count < page { break }
        }
        if removed >= most { return removed }
        let checked = try writer.marker(ownerCheckMarker)
        guard forceOwnerCheck || isDue(since: checked, now: check.now, every: ownerCheckInterval) else {
            return removed
        }
        var gone: [ServiceRecord] = []
        var owned = false
        try writer.forEachMortalService(specification: nil, ownedOnly: true) { record in
            owned = true
            if check.deathReason(record) == .ownerExited { gone.append(record) }
            return true
        }
        for record in gone { try remove(record, reason: .ownerExited, in: writer) }
        if owned { try writer.setMarker(ownerCheckMarker, check.now) }
        return removed + gone.count
    }

    /// How many gone services one write removes at most: all of them, unless the store
    /// bounds a transaction's writes (each removal is a few: the service, its event, its
    /// dependents' states).
    var sweepLimit: Int? { store.capabilities.maximumBatchWrites.map { max(1, $0 / 8) } }

    /// Removes every service that is gone now, if there is one (a read finds out first, so
    /// that nothing is written otherwise); returns how many. A running `listen` calls this.
    @discardableResult
    public func removeGoneServices() throws -> Int {
        var anyGone = false
        try transactions.read { reader in
            var check = LivenessCheck(liveness)
            if !(try reader.expiredServices(at: check.now, limit: 1).isEmpty) {
                anyGone = true
                return
            }
            try reader.forEachMortalService(specification: nil, ownedOnly: true) { record in
                if !check.isLive(record) { anyGone = true }
                return !anyGone
            }
        }
        guard anyGone else { return 0 }
        return try write(sweeping: false) { writer, check in
            try Self.sweep(writer, &check, forceOwnerCheck: true, limit: sweepLimit)
        }
    }

    /// When a listener should next look for services that are gone, in milliseconds since
    /// 1970: the earliest lease end, or `ownerCheckInterval` after `ownersCheckedAt` (now
    /// when nil) while services have owners; nil when no service has either.
    public func nextLivenessCheck(ownersCheckedAt: Int64? = nil) throws -> Int64? {
        try transactions.read { reader in
            var next = try reader.nextExpiry()
            var owned = false
            try reader.forEachMortalService(specification: nil, ownedOnly: true) { _ in
                owned = true
                return false
            }
            if owned {
                let due = ownersCheckedAt.map { $0 + Self.ownerCheckInterval } ?? liveness.now()
                next = min(next ?? due, due)
            }
            return next
        }
    }

    /// The live service a reference names, in a transaction.
    static func live(
        _ reference: ServiceReference, in reader: any RegistryReader, _ check: inout LivenessCheck
    ) throws -> ServiceRecord? {
        let record: ServiceRecord?
        switch reference {
        case .id(let id): record = try reader.service(id: id)
        case .name(let name): record = try reader.service(named: name)
        }
        guard let record, check.isLive(record) else { return nil }
        return record
    }

    /// The live service a reference names, with the state a read gives it (see `StateCheck`).
    static func current(
        _ reference: ServiceReference, in reader: any RegistryReader, _ check: inout LivenessCheck
    ) throws -> ServiceRecord? {
        guard let record = try live(reference, in: reader, &check) else { return nil }
        var states = StateCheck()
        return try states.current(record, in: reader, &check)
    }

    // MARK: Writing

    /// Checks a registration as `register` would, without a store (before a `--hold`
    /// starts its command).
    public static func check(_ request: RegistrationRequest) throws {
        _ = try validate(request)
    }

    /// Registers a service; returns it with its new id.
    public func register(_ request: RegistrationRequest) throws -> ServiceRecord {
        try registration(request).record
    }

    /// Registers a service, or with a name already held, does what `request.existing` says;
    /// returns the service and what happened.
    public func registration(_ request: RegistrationRequest) throws -> Registration {
        let validated = try Self.validate(request)
        if validated.new.owner != nil, !store.capabilities.processOwners {
            throw RegistryError.processOwnersUnsupported
        }
        // A replacement settles the dependents on its end result: those the old service met
        // and the new one meets too do not leave and come back.
        return try write(.register, deferringDependencies: request.existing == .replace) { writer, check in
            var outcome = Registration.Outcome.registered
            if let name = validated.new.name, let holder = try writer.service(named: name) {
                if let reason = check.deathReason(holder) {
                    try Self.remove(holder, reason: reason, in: writer)
                } else {
                    switch request.existing {
                    case .fail:
                        throw RegistryError.nameTaken(name, by: holder.id)
                    case .update:
                        guard Set(holder.specifications) == Set(validated.new.specifications) else {
                            throw RegistryError.nameTakenUnderOtherSpecifications(
                                name, by: holder.id, specifications: holder.specifications)
                        }
                        var next = holder
                        for entry in validated.new.properties.entries { next.properties.set(entry.key, entry.value) }
                        if validated.rankingGiven { next.ranking = validated.new.ranking }
                        if let ttl = request.ttl { next.lease = Self.lease(ttl, from: check.now) }
                        if let owner = request.owner { next.owner = owner }
                        // The scope is fixed at registration; a value and a factory exclude each other.
                        if validated.scopeGiven, validated.new.scope != holder.scope {
                            throw RegistryError.fixedAtRegistration(ReservedKey.scope)
                        }
                        if let value = validated.new.value {
                            if holder.factory != nil { throw RegistryError.valueOfFactory(holder.id) }
                            next.value = value
                        }
                        if let factory = validated.new.factory {
                            if holder.value != nil { throw RegistryError.valueAndFactory }
                            next.factory = factory
                            next.release = validated.new.release
                        }
                        if request.requirements != nil { next.requirements = validated.new.requirements }
                        let (stored, changed) = try Self.store(next, replacing: holder, in: writer)
                        return Registration(record: stored, outcome: .updated(changed: changed))
                    case .replace:
                        try Self.remove(holder, reason: .replaced, in: writer)
                        outcome = .replaced(holder.id)
                    }
                }
            }
            var new = validated.new
            if let ttl = request.ttl { new.lease = Self.lease(ttl, from: check.now) }
            return Registration(record: try writer.insert(id: nil, new), outcome: outcome)
        }
    }

    /// Changes a service's properties (and, with `ttl`, its lease: 0 removes it); returns
    /// the service after the change and whether any value changed (no event is logged when
    /// none did; a lease alone is no event). With `ifRevision`, changes nothing unless the
    /// service is still at that revision.
    public func setProperties(
        _ reference: ServiceReference, _ update: PropertyUpdate, ifRevision: Int64? = nil, ttl: Int64? = nil,
        value: [UInt8]? = nil
    ) throws -> (ServiceRecord, changed: Bool) {
        try Self.validate(update, leaseGiven: ttl != nil || value != nil)
        if let value { try ServiceValue.validate(value) }
        return try write(.setProperties) { writer, check in
            guard let previous = try Self.live(reference, in: writer, &check) else {
                throw RegistryError.noSuchService(reference)
            }
            if let ifRevision, previous.revision != ifRevision {
                throw RegistryError.revisionMismatch(previous.id, expected: ifRevision, actual: previous.revision)
            }
            var next = try Self.apply(update, to: previous)
            if let ttl { next.lease = Self.lease(ttl, from: check.now) }
            if let value {
                if previous.factory != nil { throw RegistryError.valueOfFactory(previous.id) }
                next.value = value
            }
            return try Self.store(next, replacing: previous, in: writer)
        }
    }

    /// Changes a service's properties by id (see the other `setProperties`).
    public func setProperties(id: ServiceID, _ update: PropertyUpdate) throws -> (ServiceRecord, changed: Bool) {
        try setProperties(.id(id), update)
    }

    /// Unregisters services; unknown ones are returned, the known ones are removed. With
    /// `ifRevision` (one reference), nothing is removed unless the service is at it.
    public func unregister(_ references: [ServiceReference], ifRevision: Int64? = nil) throws -> (
        removed: [ServiceRecord], missing: [ServiceReference]
    ) {
        try write(.unregister) { writer, check in
            var removed: [ServiceRecord] = []
            var missing: [ServiceReference] = []
            var seen = Set<ServiceID>()
            for reference in references {
                guard let record = try Self.live(reference, in: writer, &check) else {
                    if !missing.contains(reference) { missing.append(reference) }
                    continue
                }
                guard seen.insert(record.id).inserted else { continue }
                if let ifRevision, record.revision != ifRevision {
                    throw RegistryError.revisionMismatch(record.id, expected: ifRevision, actual: record.revision)
                }
                try Self.remove(record, reason: .unregistered, in: writer)
                removed.append(record)
            }
            return (removed, missing)
        }
    }

    /// Unregisters services by id (see the other `unregister`).
    public func unregister(ids: [ServiceID]) throws -> (removed: [ServiceRecord], missing: [ServiceID]) {
        let (removed, missing) = try unregister(ids.map(ServiceReference.id))
        return (
            removed,
            missing.compactMap {
                if case .id(let id) = $0 { return id }
                return nil
            }
        )
    }

    /// Removes the service a `--hold` registered once its command has ended, with `reason`
    /// (nothing when it is gone already or is another service by now).
    public func release(_ record: ServiceRecord, reason: RemovalReason) throws {
        try write { writer, _ in
            // Not when another holder has taken it over since (`--existing update --hold`).
            guard let current = try writer.service(id: record.id), current.owner == record.owner else { return }
            try Self.remove(current, reason: reason, in: writer)
        }
    }

    /// Extends the lease of each service by its time to live, from now. Returns the renewed
    /// services, the references to no live service, and the services that have no lease.
    public func renew(_ references: [ServiceReference]) throws -> (
        renewed: [ServiceRecord], missing: [ServiceReference], unleased: [ServiceRecord]
    ) {
        try write { writer, check in
            var renewed: [ServiceRecord] = []
            var missing: [ServiceReference] = []
            var unleased: [ServiceRecord] = []
            for reference in references {
                guard let record = try Self.live(reference, in: writer, &check) else {
                    missing.append(reference)
                    continue
                }
                guard let lease = record.lease else {
                    unleased.append(record)
                    continue
                }
                var next = record
                next.lease = Lease(ttl: lease.ttl, from: check.now)
                renewed.append(try writer.update(next, previous: record, logEvent: false))
            }
            return (renewed, missing, unleased)
        }
    }

    /// Why a service left after the change `sequence`, from the event log (nil when the log
    /// does not say: it left before, or that part is no longer kept).
    public func removalReason(of id: ServiceID, after sequence: Int64) throws -> String? {
        var after = sequence
        while true {
            let page: [ServiceChange]
            do {
                page = try changes(after: after, limit: 1000)
            } catch RegistryError.resyncNeeded {
                return nil
            }
            if let change = page.first(where: { $0.serviceID == id && $0.kind == .unregistered }) {
                return change.reason
            }
            guard let last = page.last else { return nil }
            after = last.sequence
        }
    }

    /// Removes every live service that matches `query` (unsatisfied ones only with
    /// `includeUnsatisfied`), in one transaction; returns them in get-all's order. With
    /// `dryRun`, only finds them (a read: nothing changes).
    public func unregister(matching query: ServiceQuery, dryRun: Bool = false) throws -> [ServiceRecord] {
        var query = query
        query.firstOnly = false
        if dryRun {
            return try transactions.read { reader in
                var check = LivenessCheck(liveness)
                var states = StateCheck()
                var found: [ServiceRecord] = []
                try reader.forEachService(matching: query) { stored in
                    guard check.isLive(stored) else { return true }
                    let record = try states.current(stored, in: reader, &check)
                    if query.includeUnsatisfied || record.satisfied { found.append(record) }
                    return true
                }
                return found
            }
        }
        return try write(.unregister) { writer, check in
            var found: [ServiceRecord] = []
            try writer.forEachService(matching: query) { record in
                if check.isLive(record), query.includeUnsatisfied || record.satisfied { found.append(record) }
                return true
            }
            for record in found { try Self.remove(record, reason: .unregistered, in: writer) }
            return found
        }
    }

    /// Registers the services of an export under their own ids, in one transaction, into a
    /// store that holds none; new ids then start above `lastServiceID` (the exported
    /// store's), so that no id is given twice. Names, leases (their end) and owners are kept.
    /// The export's hooks and schemas are stored after its services, in their order, so
    /// that they govern later changes and the import itself runs no hook of its own.
    public func importServices(
        _ services: [ExportedService], policies: [ExportedPolicy] = [], lastServiceID: ServiceID
    ) throws -> Int {
        var stored: [(ExportedPolicy, StoredPolicy)] = []
        var policyLines: [String: Int] = [:]
        for policy in policies {
            let body: String?
            switch policy.kind {
            case .hook: body = Hook.fromStored(name: policy.key, policy.body)?.stored
            case .schema: body = SpecificationSchema.fromStored(specification: policy.key, policy.body)?.stored
            }
            guard let body else {
                throw RegistryError.importRefused(.unreadablePolicy(policy.kind, policy.key, line: policy.line))
            }
            if let first = policyLines.updateValue(policy.line, forKey: "\(policy.kind.rawValue) \(policy.key)") {
                throw RegistryError.importRefused(
                    .duplicatePolicy(policy.kind, policy.key, line: policy.line, firstLine: first))
            }
            stored.append((policy, StoredPolicy(kind: policy.kind, key: policy.key, body: body)))
        }
        var validated: [(ExportedService, ValidatedRegistration)] = []
        var seen: [ServiceID: Int] = [:]
        var names: [String: Int] = [:]
        for service in services {
            if seen.updateValue(service.line, forKey: service.id) != nil {
                throw RegistryError.importRefused(.duplicateID(service.id, line: service.line))
            }
            if service.id > lastServiceID {
                throw RegistryError.importRefused(
                    .idAboveLast(service.id, lastServiceID: lastServiceID, line: service.line))
            }
            do {
                let registration = try Self.validate(service.request)
                if registration.new.owner != nil, !store.capabilities.processOwners {
                    throw RegistryError.processOwnersUnsupported
                }
                if let name = registration.new.name, let first = names.updateValue(service.line, forKey: name) {
                    throw RegistryError.importRefused(.duplicateName(name, line: service.line, firstLine: first))
                }
                validated.append((service, registration))
            } catch let error as RegistryError {
                if case .importRefused = error { throw error }
                throw RegistryError.inImportedService(line: service.line, error)
            }
        }
        return try write(.register) { writer, _ in
            let present = try writer.countServices(specification: nil)
            if present > 0 { throw RegistryError.importRefused(.storeNotEmpty(services: present)) }
            let last = try writer.lastServiceID()
            if let used = validated.first(where: { $0.0.id <= last }) {
                throw RegistryError.importRefused(.idUsedBefore(used.0.id, lastServiceID: last, line: used.0.line))
            }
            for (service, registration) in validated {
                var new = registration.new
                new.lease = service.request.lease
                do {
                    _ = try writer.insert(id: service.id, new)
                } catch let error as RegistryError {
                    // A requirement cycle, found only among what is stored so far.
                    throw RegistryError.inImportedService(line: service.line, error)
                }
            }
            try writer.reserveServiceIDs(through: lastServiceID)
            if !stored.isEmpty {
                let present = Set(try writer.policies().map { "\($0.kind.rawValue) \($0.key)" })
                for (policy, body) in stored {
                    if present.contains("\(policy.kind.rawValue) \(policy.key)") {
                        throw RegistryError.importRefused(.policyExists(policy.kind, policy.key, line: policy.line))
                    }
                    try writer.setPolicy(body)
                }
                batchPolicies = nil
            }
            return validated.count
        }
    }

    /// Every live service, unsatisfied ones too, in one snapshot (get-all's order), after `header` is called with
    /// the highest id the store ever gave (what an import needs to carry the store on) and
    /// `policy` with each hook and schema, in the order they were set, as the core encodes them.
    public func export(
        header: (ServiceID) throws -> Void, policy: (StoredPolicy) throws -> Void,
        _ body: (ServiceRecord) throws -> Void
    ) throws {
        try transactions.read { reader in
            var check = LivenessCheck(liveness)
            try header(try reader.lastServiceID())
            for stored in try reader.policies() {
                let body: String?
                switch stored.kind {
                case .hook: body = Hook.fromStored(name: stored.key, stored.body)?.stored
                case .schema: body = SpecificationSchema.fromStored(specification: stored.key, stored.body)?.stored
                }
                guard let body else { throw RegistryError.unreadablePolicy(stored.kind, stored.key) }
                try policy(StoredPolicy(kind: stored.kind, key: stored.key, body: body))
            }
            var everything = ServiceQuery()
            everything.includeUnsatisfied = true
            try reader.forEachService(matching: everything) { record in
                if check.isLive(record) { try body(record) }
                return true
            }
        }
    }

    // MARK: Reading

    /// One live service by id.
    public func service(id: ServiceID) throws -> ServiceRecord {
        try service(.id(id))
    }

    /// The live service a reference names.
    public func service(_ reference: ServiceReference) throws -> ServiceRecord {
        let record = try transactions.read { reader in
            var check = LivenessCheck(liveness)
            return try Self.current(reference, in: reader, &check)
        }
        guard let record else { throw RegistryError.noSuchService(reference) }
        return record
    }

    /// The best service for a query in an order, or nil.
    public func first(_ query: ServiceQuery, order: ServiceOrder = .ranking) throws -> ServiceRecord? {
        var query = query
        query.firstOnly = order == .ranking
        return try transactions.read { reader in
            var check = LivenessCheck(liveness)
            var best: ServiceRecord?
            var sawKey = false
            let folded = order.key.map(PropertyKey.fold)
            var states = StateCheck()
            try reader.forEachService(matching: query) { stored in
                guard check.isLive(stored) else { return true }
                let record = try states.current(stored, in: reader, &check)
                guard query.includeUnsatisfied || record.satisfied else { return true }
                if let folded, record.value(forFoldedKey: folded) != nil { sawKey = true }
                if let current = best {
                    if order.precedes(record, current) { best = record }
                } else {
                    best = record
                }
                return order != .ranking
            }
            if let key = order.key, best != nil, !sawKey { throw Self.unknownSortKey(key) }
            return best
        }
    }

    /// Calls `body` with every service of a query in an order, at most `limit` of them.
    public func forEach(
        _ query: ServiceQuery, order: ServiceOrder = .ranking, limit: Int? = nil,
        _ body: (ServiceRecord) throws -> Void
    ) throws {
        try transactions.read { reader in
            var check = LivenessCheck(liveness)
            var emitted = 0
            var states = StateCheck()
            if order == .ranking {
                try reader.forEachService(matching: query) { stored in
                    guard check.isLive(stored) else { return true }
                    let record = try states.current(stored, in: reader, &check)
                    guard query.includeUnsatisfied || record.satisfied else { return true }
                    if let limit, emitted >= limit { return false }
                    try body(record)
                    emitted += 1
                    return limit.map { emitted < $0 } ?? true
                }
                return
            }
            var all: [ServiceRecord] = []
            try reader.forEachService(matching: query) { stored in
                guard check.isLive(stored) else { return true }
                let record = try states.current(stored, in: reader, &check)
                if query.includeUnsatisfied || record.satisfied { all.append(record) }
                return true
            }
            if let key = order.key, !all.isEmpty {
                let folded = PropertyKey.fold(key)
                if !all.contains(where: { $0.value(forFoldedKey: folded) != nil }) { throw Self.unknownSortKey(key) }
            }
            all.sort(by: order.precedes)
            for record in all.prefix(limit ?? all.count) { try body(record) }
        }
    }

    /// The sequence number of the newest committed change (0 before the first).
    public func latestSequence() throws -> Int64 {
        try transactions.read { try $0.latestSequence() }
    }

    /// Logged changes after `sequence`, oldest first (see `RegistryReader.changes`).
    public func changes(after sequence: Int64, limit: Int = 1000) throws -> [ServiceChange] {
        try transactions.read { try $0.changes(after: sequence, limit: limit) }
    }

    /// Calls `body` with every service of a query, in order, until it returns false, with
    /// the sequence number of the snapshot they are read from (also returned): the changes
    /// after it are exactly those the services do not show yet.
    @discardableResult
    public func snapshot(_ query: ServiceQuery, _ body: (Int64, ServiceRecord) throws -> Bool) throws -> Int64 {
        try transactions.read { reader in
            var check = LivenessCheck(liveness)
            let sequence = try reader.latestSequence()
            var states = StateCheck()
            try reader.forEachService(matching: query) { stored in
                guard check.isLive(stored) else { return true }
                let record = try states.current(stored, in: reader, &check)
                return query.includeUnsatisfied || record.satisfied ? try body(sequence, record) : true
            }
            return sequence
        }
    }

    /// The number of services a query matches.
    public func count(_ query: ServiceQuery) throws -> Int {
        try transactions.read { reader in
            var check = LivenessCheck(liveness)
            if query.filter == nil {
                // The store counts; the dead among the services with a lease or an owner
                // (read alone, by the store's index of them) are taken off.
                var count = try reader.countServices(specification: query.specification)
                try reader.forEachMortalService(specification: query.specification, ownedOnly: false) { record in
                    if !check.isLive(record), query.includeUnsatisfied || record.satisfied { count -= 1 }
                    return true
                }
                if !query.includeUnsatisfied {
                    try reader.forEachUnsatisfiedService(specification: query.specification) { _ in
                        count -= 1
                        return true
                    }
                    count -= try Self.lapsedDependents(specification: query.specification, in: reader, &check)
                }
                return count
            }
            var count = 0
            var states = StateCheck()
            try reader.forEachService(matching: query) { record in
                guard check.isLive(record) else { return true }
                let offered = try query.includeUnsatisfied || states.isSatisfied(record, in: reader, &check)
                if offered { count += 1 }
                return true
            }
            return count
        }
    }

    /// Specification names starting with `prefix` (for completion).
    public func specificationNames(prefix: String, limit: Int = 200) throws -> [String] {
        try transactions.read { try $0.specificationNames(prefix: prefix, limit: limit) }
    }

    /// Every specification name that starts with `prefix`, in name order, with how many
    /// services it has, read in one snapshot.
    public func specificationCounts(prefix: String = "") throws -> [(name: String, services: Int)] {
        try transactions.read { reader in
            var check = LivenessCheck(liveness)
            var dead: [String: Int] = [:]
            try reader.forEachMortalService(specification: nil, ownedOnly: false) { record in
                if !check.isLive(record), record.satisfied {
                    for name in record.specifications { dead[name, default: 0] += 1 }
                }
                return true
            }
            try reader.forEachUnsatisfiedService(specification: nil) { record in
                for name in record.specifications { dead[name, default: 0] += 1 }
                return true
            }
            var states = StateCheck()
            try reader.forEachDependent(on: nil) { record in
                if record.satisfied, check.isLive(record), !(try states.isSatisfied(record, in: reader, &check)) {
                    for name in record.specifications { dead[name, default: 0] += 1 }
                }
                return true
            }
            return try reader.specificationNames(prefix: prefix, limit: Int.max).compactMap { name in
                let count = try reader.countServices(specification: name) - dead[name, default: 0]
                return count > 0 ? (name, count) : nil
            }
        }
    }

    /// Service ids whose decimal form starts with `prefix` (for completion).
    public func serviceIDs(prefix: String, limit: Int = 200) throws -> [ServiceID] {
        try transactions.read { reader in
            var check = LivenessCheck(liveness)
            return try reader.serviceIDs(prefix: prefix, limit: limit).filter { id in
                guard let record = try reader.service(id: id) else { return false }
                return check.isLive(record)
            }
        }
    }

    /// Names of live services starting with `prefix` (for completion).
    public func serviceNames(prefix: String, limit: Int = 200) throws -> [String] {
        try transactions.read { reader in
            var check = LivenessCheck(liveness)
            return try reader.serviceNames(prefix: prefix, limit: limit).filter { name in
                guard let record = try reader.service(named: name) else { return false }
                return check.isLive(record)
            }
        }
    }

    /// Property keys starting with `prefix` (for completion), reserved ones included.
    public func propertyKeys(specification: String?, prefix: String, limit: Int = 200) throws -> [String] {
        let stored = try transactions.read {
            try $0.propertyKeys(specification: specification, prefix: prefix, limit: limit)
        }
        let reserved = ReservedKey.all.filter { PropertyKey.fold($0).hasPrefix(PropertyKey.fold(prefix)) }
        return reserved + stored.filter { ReservedKey.reservedName(forFolded: $0) == nil }
    }

    /// How many live dependents stored as satisfied have lost a provider not removed yet (of
    /// one specification or all): what a count takes off.
    static func lapsedDependents(
        specification: String?, in reader: any RegistryReader, _ check: inout LivenessCheck
    ) throws -> Int {
        var states = StateCheck()
        var lapsed = 0
        try reader.forEachDependent(on: nil) { record in
            if record.satisfied, specification.map(record.specifications.contains) ?? true, check.isLive(record),
                !(try states.isSatisfied(record, in: reader, &check))
            {
                lapsed += 1
            }
            return true
        }
        return lapsed
    }

    /// Calls `body` with each service (any state) that a requirement asks for, until it
    /// returns false.
    static func forEachCandidate(
        of requirement: Requirement, in reader: any RegistryReader, _ body: (ServiceRecord) throws -> Bool
    ) throws {
        switch requirement.target {
        case .name(let name):
            if let record = try reader.service(named: name), requirement.matches(record) { _ = try body(record) }
        case .specification:
            guard let query = requirement.query else { return }
            try reader.forEachService(matching: query, body)
        }
    }

    private static func unknownSortKey(_ key: String) -> RegistryError {
        .unknownSortKey(key)
    }

    // MARK: Validation

    struct ValidatedRegistration {
        var new: NewService
        /// Whether `service.ranking` was given (`--existing update` merges only what was).
        var rankingGiven: Bool
        /// Whether `service.scope` was given (`--existing update` refuses another one).
        var scopeGiven: Bool
    }

    static func validate(_ request: RegistrationRequest) throws(RegistryError) -> ValidatedRegistration {
        if request.specifications.isEmpty { throw .noSpecification }
        var specifications: [String] = []
        for name in request.specifications {
            try SpecificationName.validate(name)
            if !specifications.contains(name) { specifications.append(name) }
        }
        if let name = request.name { try ServiceName.validate(name) }
        if let value = request.value { try ServiceValue.validate(value) }
        if request.value != nil, request.factory != nil { throw .valueAndFactory }
        if request.release != nil, request.factory == nil, request.value == nil { throw .releaseWithoutFactory }
        if let factory = request.factory, factory.command.isEmpty { throw .factoryWithoutCommand }
        if let client = request.registeredBy { try ClientName.validate(client) }
        if let ttl = request.ttl, ttl < 0 || ttl > LeaseDuration.maximum {
            throw .invalidDuration(LeaseDuration.format(ttl), ttl < 0 ? .syntax : .tooLong)
        }
        var requirements: [Requirement] = []
        for text in request.requirements ?? [] {
            let requirement = try Requirement.parse(text)
            if case .name(let name) = requirement.target, name == request.name {
                throw .inRequirement(text, .requiresItself)
            }
            if !requirements.contains(requirement) { requirements.append(requirement) }
        }
        let all = try ServiceProperties(request.properties)
        var rankingGiven = false
        var scopeGiven = false
        var ranking: Int64 = 0
        var scope = ServiceScope.singleton
        var properties = ServiceProperties()
        for entry in all.entries {
            switch entry.foldedKey {
            case ReservedKey.foldedServiceID, ReservedKey.foldedObjectClass:
                throw .readOnlyKey(entry.key)
            case ReservedKey.foldedRanking:
                ranking = try rankingValue(entry.value)
                rankingGiven = true
            case ReservedKey.foldedScope:
                guard case .string(let text) = entry.value, let value = ServiceScope(rawValue: text) else {
                    if case .string(let text) = entry.value { throw .invalidScope(text) }
                    throw .invalidScope(entry.value.typeName)
                }
                scope = value
                scopeGiven = true
            case let folded where ReservedKey.isReserved(folded):
                throw .readOnlyKey(ReservedKey.reservedName(forFolded: folded) ?? entry.key)
            default:
                properties.set(entry.key, entry.value)
            }
        }
        return ValidatedRegistration(
            new: NewService(
                specifications: specifications, ranking: ranking, scope: scope, properties: properties,
                name: request.name, owner: request.owner, value: request.value, factory: request.factory,
                release: request.release, registeredBy: request.registeredBy, requirements: requirements,
                source: request.source),
            rankingGiven: rankingGiven, scopeGiven: scopeGiven)
    }

    static func rankingValue(_ value: PropertyValue) throws(RegistryError) -> Int64 {
        guard case .integer(let ranking) = value else {
            throw .rankingNotAnInteger(actualType: value.typeName)
        }
        return ranking
    }

    static func validate(_ update: PropertyUpdate, leaseGiven: Bool = false) throws(RegistryError) {
        let assigned = try ServiceProperties(update.assignments)
        if update.replace, !update.removals.isEmpty {
            throw .removalWithReplace
        }
        if !update.replace, update.assignments.isEmpty, update.removals.isEmpty, !leaseGiven {
            throw .nothingToChange
        }
        for entry in assigned.entries {
            try checkWritable(entry.key, folded: entry.foldedKey)
            if entry.foldedKey == ReservedKey.foldedRanking { _ = try rankingValue(entry.value) }
        }
        var removed = Set<String>()
        for key in update.removals {
            let folded = PropertyKey.fold(key)
            try checkWritable(key, folded: folded)
            if folded == ReservedKey.foldedRanking {
                throw .rankingCannotBeUnset
            }
            if assigned.entry(forFolded: folded) != nil {
                throw .setAndUnset(key)
            }
            removed.insert(folded)
        }
    }

    private static func checkWritable(_ key: String, folded: String) throws(RegistryError) {
        switch folded {
        case ReservedKey.foldedServiceID, ReservedKey.foldedObjectClass:
            throw .readOnlyKey(ReservedKey.reservedName(forFolded: folded) ?? key)
        case ReservedKey.foldedScope:
            throw .fixedAtRegistration(ReservedKey.scope)
        case let folded where ReservedKey.isReserved(folded) && folded != ReservedKey.foldedRanking:
            throw .readOnlyKey(ReservedKey.reservedName(forFolded: folded) ?? key)
        default:
            return
        }
    }

    static func apply(_ update: PropertyUpdate, to previous: ServiceRecord) throws(RegistryError) -> ServiceRecord {
        var next = previous
        if update.replace {
            next.properties = ServiceProperties()
            next.ranking = 0
        }
        for key in update.removals { next.properties.remove(key) }
        for (key, value) in update.assignments {
            if PropertyKey.fold(key) == ReservedKey.foldedRanking {
                next.ranking = try rankingValue(value)
            } else {
                next.properties.set(key, value)
            }
        }
        return next
    }
}

/// What rolls a write back whose changes before-hooks have not seen yet.
private struct PendingHooks: Error {
    let proposals: [HookProposal]
}
