import GRDB
import ServiceRegistry

/// Services already decoded by this connection, for sessions that read the same services
/// again and again (a batch file of `get` lines decodes the same few records each time).
///
/// The cache is only ever right for one state of the store: it is emptied by every write
/// through this connection, and at the start of each read transaction when
/// `PRAGMA data_version` says another connection has committed since.
final class RecordCache {
    private var records: [ServiceID: ServiceRecord] = [:]
    private var dataVersion: Int64?
    /// Beyond this many records the cache starts afresh: memory stays bounded.
    private let capacity: Int

    init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    /// Called inside a read transaction, before any record is looked up.
    func validate(_ db: Database) throws {
        var statement = try BoundStatement(db, "PRAGMA data_version")
        let version = try statement.step() ? statement.integer(0) : 0
        statement.finish()
        if version != dataVersion {
            records.removeAll(keepingCapacity: true)
            dataVersion = version
        }
    }

    /// Called by every write through this connection.
    func invalidate() {
        records.removeAll(keepingCapacity: true)
    }

    func record(_ id: ServiceID) -> ServiceRecord? { records[id] }

    func insert(_ record: ServiceRecord) {
        if records.count >= capacity { records.removeAll(keepingCapacity: true) }
        records[record.id] = record
    }
}
