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
