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
