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

    /// A record as the store holds it; `properties` leaves out the reserved keys.
    public init(
        id: ServiceID, specifications: [String], ranking: Int64, scope: ServiceScope,
        properties: ServiceProperties
    ) {
        self.id = id
        self.specifications = specifications
        self.ranking = ranking
        self.scope = scope
        self.properties = properties
    }

    /// All properties, reserved ones included, as a listener or `--json` sees them.
    public var allProperties: ServiceProperties {
        var all = properties
        all.set(ReservedKey.serviceID, .integer(id))
        all.set(ReservedKey.objectClass, .list(specifications.map(PropertyValue.string)))
        all.set(ReservedKey.ranking, .integer(ranking))
        all.set(ReservedKey.scope, .string(scope.rawValue))
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
        default: properties.value(forFoldedKey: folded)
        }
    }
}
