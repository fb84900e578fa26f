/// Write access inside a transaction. Every change appends its event to the log.
public protocol RegistryWriter: RegistryReader {
    /// Registers a service and logs `registered`: under `id` when given (the core checks
    /// that it was never used here), else under a new, never reused id. Either way, later
    /// new ids are above it.
    func insert(
        id: ServiceID?, specifications: [String], ranking: Int64, scope: ServiceScope, properties: ServiceProperties
    ) throws -> ServiceRecord
    /// Makes every new id from now on greater than `id` (an import carries on a store's ids).
    func reserveServiceIDs(through id: ServiceID) throws
    /// Stores new properties or ranking for a service; logs `modified` when `logEvent`.
    func update(_ record: ServiceRecord, previous: ServiceRecord, logEvent: Bool) throws
    /// Removes a service and logs `unregistered` with a reason.
    func delete(_ record: ServiceRecord, reason: String) throws
}

extension RegistryWriter {
    /// Registers a service under a new, never reused id and logs `registered`.
    public func insert(
        specifications: [String], ranking: Int64, scope: ServiceScope, properties: ServiceProperties
    ) throws -> ServiceRecord {
        try insert(id: nil, specifications: specifications, ranking: ranking, scope: scope, properties: properties)
    }
}
