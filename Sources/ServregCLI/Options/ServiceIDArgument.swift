import ServiceRegistry

/// Parses service ids given on the command line.
enum ServiceIDArgument {
    static func parse(_ text: String) throws -> ServiceID {
        guard let id = ServiceID(text), id >= 1 else {
            throw CommandLineError.invalidServiceID(text)
        }
        return id
    }
}
