/// What a service needs before it is offered (`register --requires`): a service of a
/// specification, optionally matching a filter (`acme.IDatabase`, `acme.IDatabase:(region=eu)`),
/// or the service with a name (`@cache`). A service whose requirements are not all met is
/// *unsatisfied*: kept, but hidden from queries and listeners until they are.
public struct Requirement: Sendable, Hashable, CustomStringConvertible {
    /// What a requirement is on: the services of a specification, or one named service.
    public enum Target: Sendable, Hashable {
        case specification(String)
        case name(String)
    }

    /// The specification or the name required.
    public let target: Target
    /// The filter the required service must match, if any.
    public let filter: LDAPFilter?
    /// The requirement as written (`SPEC`, `SPEC:FILTER`, `@NAME`): what the store keeps
    /// and what messages show.
    public let text: String

    /// Parses `SPEC`, `SPEC:FILTER` (the filter starts with `(`) or `@NAME`. Errors name
    /// the requirement; a filter's column counts from the start of the requirement.
    public static func parse(_ text: String) throws(RegistryError) -> Requirement {
        do throws(RegistryError) {
            return try parseUnwrapped(text)
        } catch {
            throw .inRequirement(text, error)
        }
    }

    private static func parseUnwrapped(_ text: String) throws(RegistryError) -> Requirement {
        if text.hasPrefix("@") {
            let name = String(text.dropFirst())
            try ServiceName.validate(name)
            return Requirement(target: .name(name), filter: nil, text: text)
        }
        // The filter starts at the first ":(" (a specification name has no parenthesis).
        let bytes = text.utf8
        var colon: String.Index?
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let next = bytes.index(after: index)
            if bytes[index] == UInt8(ascii: ":"), next != bytes.endIndex, bytes[next] == UInt8(ascii: "(") {
                colon = index
                break
            }
            index = next
        }
        guard let colon else {
            try SpecificationName.validate(text)
            return Requirement(target: .specification(text), filter: nil, text: text)
        }
        let specification = String(text[..<colon])
        try SpecificationName.validate(specification)
        let offset = specification.unicodeScalars.count + 1
        let filter: LDAPFilter
        do throws(RegistryError) {
            filter = try LDAPFilter.parse(String(text[text.index(after: colon)...]))
        } catch {
            switch error {
            case .filterSyntax(let column, let problem): throw .filterSyntax(column: column + offset, problem: problem)
            case .filterTooDeep(let column, let limit): throw .filterTooDeep(column: column + offset, limit: limit)
            default: throw error
            }
        }
        return Requirement(target: .specification(specification), filter: filter, text: text)
    }

    /// Whether a service is one this requirement asks for (its state aside).
    public func matches(_ record: ServiceRecord) -> Bool {
        switch target {
        case .name(let name): return record.name == name
        case .specification(let specification):
            guard record.specifications.contains(specification) else { return false }
            return filter?.matches(record) ?? true
        }
    }

    /// Whether a change to a service of these specifications and name can matter to it.
    func concerns(specifications: [String], name: String?) -> Bool {
        switch target {
        case .name(let required): return required == name
        case .specification(let specification): return specifications.contains(specification)
        }
    }

    /// The query that finds the services this requirement asks for (of a specification).
    var query: ServiceQuery? {
        guard case .specification(let specification) = target else { return nil }
        var query = ServiceQuery(specification: specification, filter: filter)
        query.includeUnsatisfied = true
        return query
    }

    /// The requirement as written.
    public var description: String { text }

    /// Equal when written alike.
    public static func == (lhs: Requirement, rhs: Requirement) -> Bool { lhs.text == rhs.text }

    /// Hashes the text.
    public func hash(into hasher: inout Hasher) { hasher.combine(text) }
}

/// A service's standing with respect to its requirements.
public enum ServiceState: String, Sendable {
    /// Every requirement is met (or it has none): the service is offered.
    case satisfied
    /// A requirement is not met: the service is kept but not offered.
    case unsatisfied
}

/// One requirement of a service and the services that meet it now (`deps`).
public struct RequirementStatus: Sendable {
    /// The requirement, in the order given (from 1: `SERVREG_REQUIRE_N_…`).
    public var requirement: Requirement
    /// The satisfied, live services that meet it, best first.
    public var providers: [ServiceRecord]
}

/// What `deps` shows of a service: each requirement with what meets it, and what requires it.
public struct Dependencies: Sendable {
    /// The service.
    public var service: ServiceRecord
    /// Its requirements, in order.
    public var requirements: [RequirementStatus]
    /// The services that have a requirement it meets (or would meet if it were satisfied).
    public var dependents: [ServiceRecord]
}
