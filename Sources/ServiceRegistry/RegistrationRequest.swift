/// What a registration asks for, before validation.
public struct RegistrationRequest: Sendable {
    /// The specification names to register under, in the order given.
    public var specifications: [String]
    /// Properties in the order given; may include `service.ranking` and `service.scope`.
    public var properties: [(String, PropertyValue)]

    /// A request as given; the registry validates it when registering.
    public init(specifications: [String], properties: [(String, PropertyValue)]) {
        self.specifications = specifications
        self.properties = properties
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
