import ServiceRegistry

/// Parses service ids given on the command line.
enum ServiceIDArgument {
    static func parse(_ text: String) throws -> ServiceID {
        guard let id = ServiceID(text), id >= 1 else {
            throw CommandLineError.invalidServiceID(text)
        }
        return id
    }

    /// A service by id (`12`) or by name (`@db`).
    static func reference(_ text: String) throws -> ServiceReference {
        guard text.hasPrefix("@") else { return .id(try parse(text)) }
        let name = String(text.dropFirst())
        do {
            try ServiceName.validate(name)
        } catch {
            throw CommandLineError.inOption(text, error)
        }
        return .name(name)
    }
}
