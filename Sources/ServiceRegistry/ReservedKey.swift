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
    /// The unique name given by `register --name`; read-only after.
    public static let serviceName = "service.name"
    /// The sequence number of the service's last change; read-only.
    public static let revision = "service.revision"
    /// The lease's time to live (`30s`); set by `--ttl`.
    public static let ttl = "service.ttl"
    /// When the lease runs out (RFC 3339, UTC); set by `--ttl` and `renew`.
    public static let expires = "service.expires"
    /// The owning process: pid, start time (clock ticks after boot) and boot id.
    public static let ownerPID = "service.owner.pid"
    /// See `ownerPID`.
    public static let ownerStart = "service.owner.start"
    /// See `ownerPID`.
    public static let ownerBoot = "service.owner.boot"
    /// The client that registered the service (`--client`, `$SERVREG_CLIENT`, the user name).
    public static let registeredBy = "service.registered-by"
    /// A factory's command (a list of words), while the service is one.
    public static let factory = "service.factory"
    /// The command that releases a value a factory made.
    public static let factoryRelease = "service.factory.release"
    /// How long the factory may run (`10s`).
    public static let factoryTimeout = "service.factory.timeout"
    /// The service's value, when it is UTF-8 text.
    public static let value = "service.value"
    /// The service's value in base64, when it is not UTF-8 text.
    public static let valueBase64 = "service.value.base64"
    /// The clients that use the service (shown by `props`, not kept with the service).
    public static let users = "service.users"
    /// What the service requires (`--requires`, a list as written).
    public static let requires = "service.requires"
    /// `satisfied` or `unsatisfied`, for a service with requirements.
    public static let state = "service.state"
    /// The requirements not met now (shown by `props`, not kept with the service).
    public static let missing = "service.missing"
    /// The file or folder an `apply` registered the service from.
    public static let source = "service.source"
    /// The keys after the four of OSGi, in display order (all lower case: folded as they are).
    public static let derived = [
        serviceName, revision, ttl, expires, ownerPID, ownerStart, ownerBoot, registeredBy, factory, factoryRelease,
        factoryTimeout, value, valueBase64, requires, state, source,
    ]

    /// The keys as `PropertyKey.fold` leaves them (what `PropertySource` is asked for).
    public static let foldedServiceID = "service.id"
    /// `objectClass` folded: `objectclass`.
    public static let foldedObjectClass = "objectclass"
    /// `service.ranking` folded (already lower case).
    public static let foldedRanking = "service.ranking"
    /// `service.scope` folded (already lower case).
    public static let foldedScope = "service.scope"

    /// All reserved keys in display order.
    public static let all = [serviceID, objectClass, ranking, scope] + derived

    /// Whether a folded key is one of the reserved keys.
    public static func isReserved(_ folded: String) -> Bool { reservedName(forFolded: folded) != nil }

    /// The reserved key a folded key names, if any.
    public static func reservedName(forFolded folded: String) -> String? {
        switch folded {
        case foldedServiceID: serviceID
        case foldedObjectClass: objectClass
        case foldedRanking: ranking
        case foldedScope: scope
        case serviceName, revision, ttl, expires, ownerPID, ownerStart, ownerBoot, registeredBy, factory,
            factoryRelease, factoryTimeout, value, valueBase64, users, requires, state, missing, source:
            folded
        default: nil
        }
    }
}
