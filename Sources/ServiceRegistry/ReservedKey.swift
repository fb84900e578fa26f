/// The property keys the registry maintains itself (OSGi names).
public enum ReservedKey {
    /// The store-assigned id; read-only.
    public static let serviceID = "service.id"
    /// The specification names a service is registered under; read-only.
    public static let objectClass = "objectClass"
    /// The ranking used for ordering; an integer, default 0.
    public static let ranking = "service.ranking"
    /// The scope, fixed at registration.
    public static let scope = "service.scope"

    /// The keys as `PropertyKey.fold` leaves them (what `PropertySource` is asked for).
    public static let foldedServiceID = "service.id"
    /// `objectClass` folded: `objectclass`.
    public static let foldedObjectClass = "objectclass"
    /// `service.ranking` folded (already lower case).
    public static let foldedRanking = "service.ranking"
    /// `service.scope` folded (already lower case).
    public static let foldedScope = "service.scope"

    /// All reserved keys in display order.
    public static let all = [serviceID, objectClass, ranking, scope]

    /// Whether a folded key is one of the reserved keys.
    public static func isReserved(_ folded: String) -> Bool { reservedName(forFolded: folded) != nil }

    /// The reserved key a folded key names, if any.
    static func reservedName(forFolded folded: String) -> String? {
        switch folded {
        case foldedServiceID: serviceID
        case foldedObjectClass: objectClass
        case foldedRanking: ranking
        case foldedScope: scope
        default: nil
        }
    }
}
