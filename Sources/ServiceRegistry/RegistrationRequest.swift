/// What a registration asks for, before validation.
public struct RegistrationRequest: Sendable {
    public var specifications: [String]
    /// Properties in the order given; may include `service.ranking` and `service.scope`.
    public var properties: [(String, PropertyValue)]

    public init(specifications: [String], properties: [(String, PropertyValue)]) {
        self.specifications = specifications
        self.properties = properties
    }
}
