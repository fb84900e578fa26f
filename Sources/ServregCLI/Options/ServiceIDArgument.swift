import ServiceRegistry

/// Parses service references (ids, @NAME) and lease durations given on the command line.
enum ServiceIDArgument {
    static func parse(_ text: String) throws -> ServiceID {
        guard let id = ServiceID(text), id >= 1 else {
            throw CommandLineError.invalidServiceID(text)
        }
        return id
    }

    /// A `--ttl` value in milliseconds (nil when not given); a bad one names the option.
    static func ttl(_ text: String?) throws -> Int64? {
        guard let text else { return nil }
        do { return try LeaseDuration.parse(text) } catch { throw CommandLineError.inOption("--ttl", error) }
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
