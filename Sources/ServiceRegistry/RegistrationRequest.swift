/// What a registration asks for, before validation.
public struct RegistrationRequest: Sendable {
    /// The specification names to register under, in the order given.
    public var specifications: [String]
    /// Properties in the order given; may include `service.ranking` and `service.scope`.
    public var properties: [(String, PropertyValue)]

    /// A request as given; the registry validates it when registering.
    /// The unique name (`--name`), if any.
    public var name: String?
    /// What to do when the name is held by a live service.
    public var existing: ExistingName
    /// The lease's time to live in milliseconds (`--ttl`; nil or 0: no lease).
    public var ttl: Int64?
    /// The process the service belongs to (`--owner-pid`, `--hold`).
    public var owner: ServiceOwner?
    /// For an import: the lease and revision as exported (the lease's end is kept).
    public var lease: Lease?
    /// The value (`--value`), if any.
    public var value: [UInt8]?
    /// The factory (`--factory`), if the service is one.
    public var factory: ServiceFactory?
    /// The factory's release command (`--release`).
    public var release: [String]?
    /// The registering client.
    public var registeredBy: String?
    /// What the service requires (`--requires`), as written; nil when none was given (an
    /// `--existing update` then keeps the requirements the service has).
    public var requirements: [String]?
    /// The `apply` source declaring the service.
    public var source: String?

    /// A request as the command line makes it.
    public init(
        specifications: [String], properties: [(String, PropertyValue)], name: String? = nil,
        existing: ExistingName = .fail, ttl: Int64? = nil, owner: ServiceOwner? = nil, lease: Lease? = nil
    ) {
        self.specifications = specifications
        self.properties = properties
        self.name = name
        self.existing = existing
        self.ttl = ttl
        self.owner = owner
        self.lease = lease
    }
}

/// One service of an export: its id, what registering it again takes, and where it was read.
public struct ExportedService: Sendable {
    /// The `service.id` it keeps.
    public var id: ServiceID
    /// Its specifications and properties (`service.ranking` and `service.scope` among them).
    public var request: RegistrationRequest
    /// Its line in the export, for messages.
    public var line: Int

    /// A service of an export.
    public init(id: ServiceID, request: RegistrationRequest, line: Int) {
        self.id = id
        self.request = request
        self.line = line
    }
}

/// A hook or a schema of an export: `{"servreg.hook":NAME,"hook":{…}}` or
/// `{"servreg.schema":SPECIFICATION,"schema":{…}}`, the object as the store keeps it.
public struct ExportedPolicy: Sendable {
    /// A hook or a schema.
    public var kind: StoredPolicy.Kind
    /// The hook's name or the schema's specification.
    public var key: String
    /// Its stored form, parsed.
    public var body: JSONValue
    /// Its line in the export, for messages.
    public var line: Int

    /// A policy of an export.
    public init(kind: StoredPolicy.Kind, key: String, body: JSONValue, line: Int) {
        self.kind = kind
        self.key = key
        self.body = body
        self.line = line
    }
}

/// `register --name N --existing …`: what happens when N is held by a live service.
public enum ExistingName: String, Sendable, CaseIterable {
    /// The registration is refused (`nameTaken`).
    case fail
    /// The properties (and lease, owner) are merged into that service: same id, MODIFIED.
    case update
    /// That service is unregistered (reason `replaced`) and the new one registered, in one
    /// transaction.
    case replace
}

/// What `register` did.
public struct Registration: Sendable {
    /// What happened to the name's previous holder, if any.
    public enum Outcome: Sendable, Equatable {
        /// A new service.
        case registered
        /// `--existing update`: the named service was updated (`changed`: some value changed).
        case updated(changed: Bool)
        /// `--existing replace`: the previous holder (its id) was unregistered.
        case replaced(ServiceID)
    }

    /// The service as registered (or updated).
    public var record: ServiceRecord
    /// What happened.
    public var outcome: Outcome
}
