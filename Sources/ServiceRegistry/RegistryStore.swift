/// Where the registry keeps its services and event log. The core talks to storage only
/// through this protocol, so that another backend (e.g. etcd) can implement it.
public protocol RegistryStore: AnyObject {
    /// Runs `body` in one read transaction (a consistent snapshot).
    func read<T>(_ body: (any RegistryReader) throws -> T) throws -> T
    /// Runs `body` in one durable write transaction: all of it commits, or none.
    func write<T>(_ body: (any RegistryWriter) throws -> T) throws -> T
    /// With `true`, commits stop waiting for the disk: they survive a crash of any
    /// process but not a power loss, until `synchronize()`. `false` restores waiting.
    func setDeferredDurability(_ deferred: Bool) throws
    /// Makes every commit so far durable.
    func synchronize() throws
    /// What a listener waits on between reads of the event log.
    func changeSignal() throws -> any ChangeSignal
}
