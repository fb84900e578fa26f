/// An error of the registry core or of a store, each with the exit status it maps to.
public enum RegistryError: Error, Equatable, Sendable {
    /// Bad user input: a filter, property, value, JSON, key or name (exit 65).
    case invalidInput(String)
    /// A malformed filter, with the 1-based column where parsing failed (exit 65).
    case filterSyntax(column: Int, message: String)
    /// No service with the given id (exit 1).
    case noSuchService(ServiceID)
    /// The store cannot be opened, is corrupt or foreign, or failed (exit 74).
    case store(String)
    /// The store stayed locked by another process past the busy timeout (exit 75).
    case storeBusy(String)
    /// The store or its directory is not writable (exit 77).
    case permissionDenied(String)
    /// Events asked for are no longer in the event log: the reader must resync (exit 4).
    case resyncNeeded(String)

    /// One line saying what was wrong.
    public var message: String {
        switch self {
        case .invalidInput(let message): message
        case .filterSyntax(let column, let message): "filter error at column \(column): \(message)"
        case .noSuchService(let id): "no service with id \(id)"
        case .store(let message): message
        case .storeBusy(let message): message
        case .permissionDenied(let message): message
        case .resyncNeeded(let message): message
        }
    }
}

extension RegistryError: CustomStringConvertible {
    public var description: String { message }
}
