import ServiceRegistry

/// A service row as stored, for a filter to test before the row is decoded: reserved
/// properties come from its columns, the others are looked up in its JSON one key at a
/// time. A get walks several candidates per match; decoding each would cost more than
/// the whole rest of the query.
struct StoredRow: PropertySource {
    /// The statement on the row (valid until its next step): columns are read on demand.
    private let statement: BoundStatement
    private let properties: [UInt8]
    /// Set when the JSON could not be read: the caller then decodes the row, which
    /// reports the corrupt store. (A class: `value(forFoldedKey:)` cannot mutate.)
    let unreadable = Flag()

    final class Flag {
        var isSet = false
    }

    init(_ statement: BoundStatement) {
        self.statement = statement
        properties = statement.bytes(4)
    }

    func value(forFoldedKey folded: String) -> PropertyValue? {
        switch folded {
        case ReservedKey.foldedServiceID: return .integer(statement.integer(0))
        case ReservedKey.foldedRanking: return .integer(statement.integer(1))
        case ReservedKey.foldedScope: return .string(statement.text(2))
        case ReservedKey.foldedObjectClass:
            guard let names = try? RecordCoding.decodeSpecifications(statement.text(3)) else {
                unreadable.isSet = true
                return nil
            }
            return .list(names.map(PropertyValue.string))
        case ReservedKey.serviceName: return statement.isNull(5) ? nil : .string(statement.text(5))
        case ReservedKey.revision: return .integer(statement.integer(6))
        case ReservedKey.ttl, ReservedKey.expires, ReservedKey.ownerPID, ReservedKey.ownerStart,
            ReservedKey.ownerBoot, ReservedKey.registeredBy, ReservedKey.factory, ReservedKey.factoryRelease,
            ReservedKey.factoryTimeout, ReservedKey.value, ReservedKey.valueBase64:
            // Rare in filters: from the decoded record.
            return (try? RecordCoding.decodeRecord(statement))?.value(forFoldedKey: folded)
        default:
            do {
                return try JSONValue.propertyValue(inUTF8: properties, forFoldedKey: folded)
            } catch {
                unreadable.isSet = true
                return nil
            }
        }
    }
}
