/// What a new service is made of: everything but the id and the revision, which the store
/// assigns.
public struct NewService: Sendable {
    /// The specification names, in order, without repeats.
    public var specifications: [String]
    /// The service.ranking.
    public var ranking: Int64
    /// The service.scope.
    public var scope: ServiceScope
    /// The properties, reserved ones left out.
    public var properties: ServiceProperties
    /// The unique name, if any.
    public var name: String?
    /// The lease, if any.
    public var lease: Lease?
    /// The owning process, if any.
    public var owner: ServiceOwner?
    /// The value, if any.
    public var value: [UInt8]?
    /// The factory, if the service is one.
    public var factory: ServiceFactory?
    /// The factory's release command, if any.
    public var release: [String]?
    /// The registering client.
    public var registeredBy: String?
    /// What it requires, in order.
    public var requirements: [Requirement]
    /// Whether its requirements are met (the core decides; the store keeps it).
    public var satisfied: Bool
    /// The `apply` source that declares it, if any.
    public var source: String?

    /// A new service as the core validated it.
    public init(
        specifications: [String], ranking: Int64 = 0, scope: ServiceScope = .singleton,
        properties: ServiceProperties = ServiceProperties(), name: String? = nil, lease: Lease? = nil,
        owner: ServiceOwner? = nil, value: [UInt8]? = nil, factory: ServiceFactory? = nil, release: [String]? = nil,
        registeredBy: String? = nil, requirements: [Requirement] = [], satisfied: Bool = true, source: String? = nil
    ) {
        self.requirements = requirements
        self.satisfied = satisfied
        self.source = source
        self.specifications = specifications
        self.ranking = ranking
        self.scope = scope
        self.properties = properties
        self.name = name
        self.lease = lease
        self.owner = owner
        self.value = value
        self.factory = factory
        self.release = release
        self.registeredBy = registeredBy
    }
}

/// Write access inside a transaction. Every change appends its event to the log.
public protocol RegistryWriter: RegistryReader {
    /// Registers a service and logs `registered` (hidden when it is not satisfied): under `id` when given (the core checks
    /// that it was never used here), else under a new, never reused id. Either way, later
    /// new ids are above it. The record returned carries its revision: the sequence
    /// number of that event. A name already held is an error of the store (the core
    /// checks first).
    func insert(id: ServiceID?, _ service: NewService) throws -> ServiceRecord
    /// Makes every new id from now on greater than `id` (an import carries on a store's ids).
    func reserveServiceIDs(through id: ServiceID) throws
    /// Stores a service's new properties, ranking, lease, owner, value, factory, requirements
    /// or source (its id, specifications, scope, name, registering client and state stay);
    /// logs `modified` (hidden when the service is not satisfied) when `logEvent`, and then
    /// the record stored (returned) has that event's sequence number as its revision, else
    /// `record`'s.
    @discardableResult
    func update(_ record: ServiceRecord, previous: ServiceRecord, logEvent: Bool) throws -> ServiceRecord
    /// Stores that a service became satisfied (`record.satisfied`), logging `registered`, or
    /// unsatisfied, logging `unregistered` with `reason`; returns the record with that event's
    /// sequence number as its revision. Nothing else of `record` changes.
    func setState(_ record: ServiceRecord, reason: String?) throws -> ServiceRecord
    /// Removes a service and logs `unregistered` with a reason (hidden when it was not
    /// satisfied); its uses go with it.
    func delete(_ record: ServiceRecord, reason: String) throws
    /// Records a client's use of a service (its value, its claim), replacing the one before.
    func setUse(_ use: ServiceUse, of service: ServiceID) throws
    /// Forgets a client's use of a service.
    func deleteUse(of service: ServiceID, client: String) throws
    /// Queues a value to release; returns the entry with its queue number.
    @discardableResult
    func queueRelease(_ release: PendingRelease) throws -> PendingRelease
    /// Takes an entry off the release queue.
    func deleteRelease(_ number: Int64) throws
    /// Sets a number the core keeps in the store (`marker`).
    func setMarker(_ name: String, _ value: Int64) throws
    /// Stores a hook or a schema: a new one after the others, one of the same kind and key
    /// in its place.
    func setPolicy(_ policy: StoredPolicy) throws
    /// Removes a hook or a schema; returns whether it was there.
    @discardableResult
    func deletePolicy(_ kind: StoredPolicy.Kind, key: String) throws -> Bool
}

extension RegistryWriter {
    /// Registers a service under a new, never reused id and logs `registered`.
    public func insert(
        specifications: [String], ranking: Int64, scope: ServiceScope, properties: ServiceProperties
    ) throws -> ServiceRecord {
        try insert(
            id: nil,
            NewService(specifications: specifications, ranking: ranking, scope: scope, properties: properties))
    }

    /// Registers a service under `id` (or a new one) and logs `registered`.
    public func insert(
        id: ServiceID?, specifications: [String], ranking: Int64, scope: ServiceScope, properties: ServiceProperties
    ) throws -> ServiceRecord {
        try insert(
            id: id, NewService(specifications: specifications, ranking: ranking, scope: scope, properties: properties))
    }
}
