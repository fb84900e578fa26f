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
