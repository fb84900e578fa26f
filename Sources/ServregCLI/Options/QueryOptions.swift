import ArgumentParser
import ServiceRegistry

/// `--filter`, `--min`, `--max` and `--include-unsatisfied`: which services and in what order.
struct QueryOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp(
            "An LDAP filter (RFC 4515, OSGi semantics), e.g. '(&(price<=100)(location=BH3))'.", valueName: "filter"),
        completion: Completer.fromStore)
    var filter: String?

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Order by this property, smallest first.", valueName: "key"),
        completion: Completer.fromStore)
    var min: String?

    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("Order by this property, largest first.", valueName: "key"),
        completion: Completer.fromStore)
    var max: String?

    @Flag(
        name: .customLong("include-unsatisfied"),
        help: "Also services whose requirements are not all met (hidden otherwise).")
    var includeUnsatisfied = false

    func validate() throws {
        if min != nil && max != nil { throw ValidationError("--min and --max cannot be combined") }
    }

    func query(specification: String?) throws -> ServiceQuery {
        var query = try Self.query(specification: specification, filter: filter)
        query.includeUnsatisfied = includeUnsatisfied
        return query
    }

    /// A specification and filter as typed, checked and parsed (also `listen`'s).
    static func query(specification: String?, filter: String?) throws -> ServiceQuery {
        if let specification { try SpecificationName.validate(specification) }
        let parsed = try filter.map { text throws(RegistryError) in try LDAPFilter.parse(text) }
        return ServiceQuery(specification: specification, filter: parsed)
    }

    func order() throws -> ServiceOrder {
        if let min {
            try PropertyKey.validate(min)
            return .minimum(key: min)
        }
        if let max {
            try PropertyKey.validate(max)
            return .maximum(key: max)
        }
        return .ranking
    }
}
