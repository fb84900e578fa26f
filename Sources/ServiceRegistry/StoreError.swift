/// What a store reports when it cannot do what was asked: the kind, the store's location,
/// and what the backend said (the SQLite message and statement, an etcd status).
/// Every store throws these, so the command line words them once for all stores.
public struct StoreError: Error, Equatable, Sendable {
    /// What went wrong, independent of the backend.
    public enum Kind: Equatable, Sendable {
        /// Still locked by another writer when the wait timed out.
        case busy
        /// The store or a directory on its way may not be read, written or created.
        case permissionDenied
        /// A file that is not a servreg store (another SQLite database, any other file).
        case foreign
        /// A servreg store whose content is damaged.
        case corrupt
        /// Written by a newer servreg: a schema version this one does not know.
        case newerSchema(found: Int, known: Int)
        /// No space left: nothing was changed.
        case full
        /// The store cannot be opened or created (a directory at its path, a missing parent…).
        case cannotOpen
        /// Deleted, replaced or unreadable while it was in use (a listener's store).
        case gone
        /// A write conflicted with another writer's (stores with optimistic concurrency).
        case conflict
        /// Any other failure of the backend.
        case failed
    }

    /// What went wrong, the same for every backend.
    public var kind: Kind
    /// Where the store is: a path, later an etcd address.
    public var location: String
    /// What the backend said, in its words.
    public var detail: String?
    /// The statement or request that failed, where there is one.
    public var statement: String?

    /// An error of a kind at a location.
    public init(_ kind: Kind, location: String, detail: String? = nil, statement: String? = nil) {
        self.kind = kind
        self.location = location
        self.detail = detail
        self.statement = statement
    }
}
