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

    /// A new service as the core validated it.
    public init(
        specifications: [String], ranking: Int64 = 0, scope: ServiceScope = .singleton,
        properties: ServiceProperties = ServiceProperties(), name: String? = nil, lease: Lease? = nil,
        owner: ServiceOwner? = nil
    ) {
        self.specifications = specifications
        self.ranking = ranking
        self.scope = scope
        self.properties = properties
        self.name = name
        self.lease = lease
        self.owner = owner
    }
}

/// Write access inside a transaction. Every change appends its event to the log.
public protocol RegistryWriter: RegistryReader {
    /// Registers a service and logs `registered`: under `id` when given (the core checks
    /// that it was never used here), else under a new, never reused id. Either way, later
    /// new ids are above it. The record returned carries its revision: the sequence
    /// number of that event. A name already held is an error of the store (the core
    /// checks first).
    func insert(id: ServiceID?, _ service: NewService) throws -> ServiceRecord
    /// Makes every new id from now on greater than `id` (an import carries on a store's ids).
    func reserveServiceIDs(through id: ServiceID) throws
    /// Stores a service's new properties, ranking, lease or owner (its id, specifications,
    /// scope and name stay); logs `modified` when `logEvent`, and then the record stored
    /// (returned) has that event's sequence number as its revision, else `record`'s.
    @discardableResult
    func update(_ record: ServiceRecord, previous: ServiceRecord, logEvent: Bool) throws -> ServiceRecord
    /// Removes a service and logs `unregistered` with a reason.
    func delete(_ record: ServiceRecord, reason: String) throws
    /// Sets a number the core keeps in the store (`marker`).
    func setMarker(_ name: String, _ value: Int64) throws
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
