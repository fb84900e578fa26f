/// Which services a read is about: an optional specification and an optional filter.
public struct ServiceQuery: Sendable {
    public var specification: String?
    public var filter: LDAPFilter?

    public init(specification: String? = nil, filter: LDAPFilter? = nil) {
        self.specification = specification
        self.filter = filter
    }

    /// Whether a service belongs to the result.
    public func matches(_ record: ServiceRecord) -> Bool {
        if let specification, !record.specifications.contains(specification) { return false }
        return filter?.matches(record) ?? true
    }
}

/// Where the registry keeps its services and event log. The core talks to storage only
/// through this protocol, so that another backend (e.g. etcd) can implement it.
public protocol RegistryStore: AnyObject {
    /// Runs `body` in one read transaction (a consistent snapshot).
    func read<T>(_ body: (any RegistryReader) throws -> T) throws -> T
    /// Runs `body` in one durable write transaction: all of it commits, or none.
    func write<T>(_ body: (any RegistryWriter) throws -> T) throws -> T
}

/// Read access inside a transaction.
public protocol RegistryReader {
    /// The service with an id, if registered.
    func service(id: ServiceID) throws -> ServiceRecord?
    /// Calls `body` with each service the query matches exactly, highest ranking first
    /// and then lowest id, until `body` returns false.
    func forEachService(matching query: ServiceQuery, _ body: (ServiceRecord) throws -> Bool) throws
    /// The number of services registered under a specification (all services for nil).
    func countServices(specification: String?) throws -> Int
}

/// Write access inside a transaction. Every change appends its event to the log.
public protocol RegistryWriter: RegistryReader {
    /// Registers a service under a new, never reused id and logs `registered`.
    func insert(
        specifications: [String], ranking: Int64, scope: ServiceScope, properties: ServiceProperties
    ) throws -> ServiceRecord
    /// Stores new properties or ranking for a service; logs `modified` when `logEvent`.
    func update(_ record: ServiceRecord, previous: ServiceRecord, logEvent: Bool) throws
    /// Removes a service and logs `unregistered` with a reason.
    func delete(_ record: ServiceRecord, reason: String) throws
}
