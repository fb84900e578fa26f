/// The id the store gives a service: ≥ 1, strictly increasing, never reused.
public typealias ServiceID = Int64

/// A registered service: its id, specifications, ranking, scope and other properties.
public struct ServiceRecord: Sendable, Equatable {
    /// The service.id: assigned by the store, never reused.
    public let id: ServiceID
    /// The specification names (OSGi `objectClass`), in registration order.
    public let specifications: [String]
    /// The service.ranking: higher comes first; `set-props` may change it.
    public var ranking: Int64
    /// The service.scope, fixed at registration.
    public let scope: ServiceScope
    /// Every property except the reserved ones.
    public var properties: ServiceProperties
    /// The service.name: unique among the registered services; fixed at registration.
    public var name: String?
    /// The service.revision: the sequence number of the service's last change (an event
    /// of the log), assigned by the store.
    public var revision: Int64
    /// The lease, when the service expires unless renewed.
    public var lease: Lease?
    /// The process the service belongs to, when it goes with that process.
    public var owner: ServiceOwner?
    /// The service's value (OSGi's service object): any bytes, at most `ServiceValue.maximumSize`.
    public var value: [UInt8]?
    /// The factory that makes the value on request, when the service is one.
    public var factory: ServiceFactory?
    /// The command that releases a value the factory made (kept after a singleton's value is
    /// made, to release it when the service goes).
    public var release: [String]?
    /// The client that registered the service.
    public var registeredBy: String?
    /// What the service needs before it is offered (`--requires`), in the order given.
    public var requirements: [Requirement]
    /// Whether every requirement is met: an unsatisfied service is hidden from queries and
    /// listeners. The core keeps it current in the transaction of every change.
    public var satisfied: Bool
    /// The declaration source (`apply FILE|DIR`) that registered the service, if any.
    public var source: String?

    /// A record as the store holds it; `properties` leaves out the reserved keys.
    public init(
        id: ServiceID, specifications: [String], ranking: Int64, scope: ServiceScope,
        properties: ServiceProperties, name: String? = nil, revision: Int64 = 0, lease: Lease? = nil,
        owner: ServiceOwner? = nil, value: [UInt8]? = nil, factory: ServiceFactory? = nil, release: [String]? = nil,
        registeredBy: String? = nil, requirements: [Requirement] = [], satisfied: Bool = true, source: String? = nil
    ) {
        self.requirements = requirements
        self.satisfied = satisfied
        self.source = source
        self.id = id
        self.specifications = specifications
        self.ranking = ranking
        self.scope = scope
        self.properties = properties
        self.name = name
        self.revision = revision
        self.lease = lease
        self.owner = owner
        self.value = value
        self.factory = factory
        self.release = release
        self.registeredBy = registeredBy
    }

    /// Satisfied or not (`service.state`).
    public var state: ServiceState { satisfied ? .satisfied : .unsatisfied }

    /// Whether the service goes by itself (a lease or an owner).
    public var isMortal: Bool { lease != nil || owner != nil }

    /// All properties, reserved ones included, as a listener or `--json` sees them.
    public var allProperties: ServiceProperties {
        var all = properties
        all.set(ReservedKey.serviceID, .integer(id))
        all.set(ReservedKey.objectClass, .list(specifications.map(PropertyValue.string)))
        all.set(ReservedKey.ranking, .integer(ranking))
        all.set(ReservedKey.scope, .string(scope.rawValue))
        for key in ReservedKey.derived {
            if let value = value(forFoldedKey: key) { all.set(key, value) }
        }
        return all
    }
}

extension ServiceRecord: PropertySource {
    /// A reserved key's value from the record's fields, any other from `properties`.
    public func value(forFoldedKey folded: String) -> PropertyValue? {
        switch folded {
        case ReservedKey.foldedServiceID: .integer(id)
        case ReservedKey.foldedObjectClass: .list(specifications.map(PropertyValue.string))
        case ReservedKey.foldedRanking: .integer(ranking)
        case ReservedKey.foldedScope: .string(scope.rawValue)
        case ReservedKey.serviceName: name.map(PropertyValue.string)
        case ReservedKey.revision: .integer(revision)
        case ReservedKey.ttl: lease.map { .string(LeaseDuration.format($0.ttl)) }
        case ReservedKey.expires: lease.map { .string(Instant.format($0.expires)) }
        case ReservedKey.ownerPID: owner.map { .integer(Int64($0.pid)) }
        case ReservedKey.ownerStart: owner.map { .integer($0.startTime) }
        case ReservedKey.ownerBoot: owner.map { .string($0.bootID) }
        case ReservedKey.registeredBy: registeredBy.map(PropertyValue.string)
        case ReservedKey.requires:
            requirements.isEmpty ? nil : .list(requirements.map { .string($0.text) })
        case ReservedKey.state: requirements.isEmpty ? nil : .string(state.rawValue)
        case ReservedKey.source: source.map(PropertyValue.string)
        case ReservedKey.factory: factory.map { .list($0.command.map(PropertyValue.string)) }
        case ReservedKey.factoryRelease: release.map { .list($0.map(PropertyValue.string)) }
        case ReservedKey.factoryTimeout: factory.map { .string(LeaseDuration.format($0.timeout)) }
        case ReservedKey.value: value.flatMap(ServiceValue.text).map(PropertyValue.string)
        case ReservedKey.valueBase64:
            value.flatMap { ServiceValue.text($0) == nil ? .string(Base64.encode($0)) : nil }
        default: properties.value(forFoldedKey: folded)
        }
    }
}
