/// Where the registry keeps its services and event log: the contract every backend
/// (SQLite today, etcd next) implements, and the core's only way to storage.
///
/// A store only stores. What a request means — validation, reserved keys, ordering, which
/// event a change is — is decided by the core (`Registry`) before and around these calls.
///
/// The contract (ARCHITECTURE.md, "The store contract", says it at length; the conformance
/// suite in `Tests/StoreConformance` checks it for every store):
/// - `read` runs its body against one consistent snapshot.
/// - `write` runs its body as one transaction: all of it commits durably, or none of it.
///   The body may be run more than once (a store with optimistic concurrency re-runs it
///   when another writer got in first), so it has no effects outside the store: output,
///   ids kept for later and session state happen after `write` returns.
/// - `batch` runs many reads and writes as one transaction (an atomic batch file); see there.
/// - A write made through the store while one of its batches is open is an error
///   (`RegistryError.batchUnavailable(.nested)`): writes of a batch go through the batch.
public protocol RegistryStore: StoreTransactions {
    /// What this store can offer beyond single transactions.
    var capabilities: StoreCapabilities { get }
    /// Runs `body` as one transaction made of steps: every `write` of the scope it is given
    /// is a step; reads see the steps so far. With `.undoneAlone`, a step whose body throws
    /// is undone alone (the batch goes on); with `.allOrNothing` it need not be, and the
    /// batch then cannot commit: it throws when `body` returns. Everything commits when
    /// `body` returns, nothing when it throws. Like a write body, `body` may be re-run
    /// whole when the store reports a conflict.
    func batch<T>(_ steps: BatchSteps, _ body: (any StoreTransactions) throws -> T) throws -> T
    /// What a listener waits on between reads of the event log.
    func changeSignal() throws -> any ChangeSignal
    /// Makes every commit so far durable and lets go of the store (the end of a session).
    func close() throws
}

extension RegistryStore {
    /// A batch whose failing steps are undone alone.
    public func batch<T>(_ body: (any StoreTransactions) throws -> T) throws -> T {
        try batch(.undoneAlone, body)
    }
}

/// What happens to a step of a batch whose body throws.
public enum BatchSteps: Sendable {
    /// It is undone alone, and the batch goes on (the lines of a batch file's group).
    case undoneAlone
    /// The whole batch is abandoned (an `--atomic` batch file): the store need not undo
    /// the step by itself, which spares it a savepoint per write; a batch that goes on
    /// after a failed step throws `RegistryError.batchUnavailable(.brokenStep)` at its end.
    case allOrNothing
}

/// Reads and writes: of a store, each its own transaction, or of a batch open on it,
/// each write a step of the batch.
public protocol StoreTransactions: AnyObject {
    /// Runs `body` against one consistent snapshot.
    func read<T>(_ body: (any RegistryReader) throws -> T) throws -> T
    /// Runs `body` as one all-or-nothing write; `body` may be re-run (see `RegistryStore`).
    func write<T>(_ body: (any RegistryWriter) throws -> T) throws -> T
}

/// What a store offers beyond single transactions.
public struct StoreCapabilities: Equatable, Sendable {
    /// Whether `batch` works (an atomic batch file needs it).
    public var batches: Bool
    /// The most writes one batch may hold, if the backend limits them (etcd's
    /// `--max-txn-ops`); nil for no limit.
    public var maximumBatchWrites: Int?
    /// Whether write and batch bodies are ever re-run (optimistic concurrency).
    public var reRunsBodies: Bool
    /// Whether services may belong to a process (`ServiceOwner`): not in a store shared by
    /// many hosts, where a pid means nothing.
    public var processOwners: Bool

    /// Capabilities as a store states them.
    public init(batches: Bool, maximumBatchWrites: Int? = nil, reRunsBodies: Bool, processOwners: Bool = true) {
        self.batches = batches
        self.maximumBatchWrites = maximumBatchWrites
        self.reRunsBodies = reRunsBodies
        self.processOwners = processOwners
    }
}
