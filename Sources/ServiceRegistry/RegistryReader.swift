/// Read access inside a transaction.
public protocol RegistryReader {
    /// The service with an id, if registered (alive or not: the core decides).
    func service(id: ServiceID) throws -> ServiceRecord?
    /// The service with a name, if one is registered under it.
    func service(named name: String) throws -> ServiceRecord?
    /// Services whose lease ended at or before `instant` (milliseconds since 1970), soonest
    /// first, at most `limit`. Without scanning the services that have no lease.
    func expiredServices(at instant: Int64, limit: Int) throws -> [ServiceRecord]
    /// The earliest lease end of any service, if one has a lease.
    func nextExpiry() throws -> Int64?
    /// Calls `body` with each service that has a lease or an owner (`ownedOnly`: an owner),
    /// of one specification or all, until it returns false; the others are not read.
    func forEachMortalService(
        specification: String?, ownedOnly: Bool, _ body: (ServiceRecord) throws -> Bool) throws
    /// Names of registered services that start with `prefix`, sorted, at most `limit`.
    func serviceNames(prefix: String, limit: Int) throws -> [String]
    /// The uses of a service by clients (values held, claims), in client order.
    func uses(of service: ServiceID) throws -> [ServiceUse]
    /// One client's use of a service, if recorded.
    func use(of service: ServiceID, client: String) throws -> ServiceUse?
    /// The oldest entries of the release queue, at most `limit`.
    func pendingReleases(limit: Int) throws -> [PendingRelease]
    /// A number the core keeps in the store under a name (nil when never set).
    func marker(_ name: String) throws -> Int64?
    /// The hooks and schemas the core keeps in the store, in the order they were first set.
    func policies() throws -> [StoredPolicy]
    /// Calls `body` with each service the query matches exactly, highest ranking first
    /// and then lowest id, until `body` returns false.
    func forEachService(matching query: ServiceQuery, _ body: (ServiceRecord) throws -> Bool) throws
    /// Calls `body` with each service that has a requirement on one of `targets` (every
    /// service with requirements for nil), in id order, until it returns false.
    func forEachDependent(on targets: [Requirement.Target]?, _ body: (ServiceRecord) throws -> Bool) throws
    /// Calls `body` with the id, requirements (as written) and state of each service that has
    /// a requirement on one of `targets`, in id order, until it returns false, without
    /// reading the rest of those services (what a change to a required service looks at).
    func forEachDependentSummary(on targets: [Requirement.Target], _ body: (DependentSummary) throws -> Bool) throws
    /// Calls `body` with each unsatisfied service, of one specification or all, until it
    /// returns false; the others are not read.
    func forEachUnsatisfiedService(specification: String?, _ body: (ServiceRecord) throws -> Bool) throws
    /// Calls `body` with each service an `apply` of `source` registered, in id order.
    func forEachService(fromSource source: String, _ body: (ServiceRecord) throws -> Bool) throws
    /// The number of services registered under a specification (all services for nil).
    func countServices(specification: String?) throws -> Int
    /// Specification names that start with `prefix`, sorted, at most `limit` (completion).
    func specificationNames(prefix: String, limit: Int) throws -> [String]
    /// The highest id this store ever gave a service (0 when none): new ids are above it.
    func lastServiceID() throws -> ServiceID
    /// Service ids whose decimal form starts with `prefix`, ascending, at most `limit`.
    func serviceIDs(prefix: String, limit: Int) throws -> [ServiceID]
    /// Property keys (folded) that start with `prefix`, of one specification or all.
    func propertyKeys(specification: String?, prefix: String, limit: Int) throws -> [String]
    /// The sequence number of the newest committed change (0 before the first).
    func latestSequence() throws -> Int64
    /// The logged changes after `sequence`, oldest first, at most `limit`. Throws
    /// `RegistryError.resyncNeeded` when some of them are no longer kept, or when
    /// `sequence` is past the newest change (a number from another store).
    func changes(after sequence: Int64, limit: Int) throws -> [ServiceChange]
}

/// What a change to a required service needs to know of a service that requires it.
public struct DependentSummary: Sendable {
    /// The dependent's id.
    public var id: ServiceID
    /// Its requirements as written, in order.
    public var requirements: [String]
    /// Whether it is satisfied.
    public var satisfied: Bool

    /// A summary as the store keeps it.
    public init(id: ServiceID, requirements: [String], satisfied: Bool) {
        self.id = id
        self.requirements = requirements
        self.satisfied = satisfied
    }
}
