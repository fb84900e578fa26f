import Foundation
import GRDB
import ServiceRegistry

/// Converts services to and from their SQLite row and index form.
enum RecordCoding {
    static func specificationsJSON(_ specifications: [String]) -> String {
        var out = "["
        for (offset, name) in specifications.enumerated() {
            if offset > 0 { out.append(",") }
            JSONWriter.writeString(name, to: &out)
        }
        out.append("]")
        return out
    }

    static func decodeSpecifications(_ text: String) throws -> [String] {
        // What specificationsJSON writes, ["a.B","c.D"], read bytewise without a JSON
        // parser: names have no quotes, backslashes or control characters (SpecificationName).
        if let names = Self.plainSpecifications(text) { return names }
        guard case .array(let items) = try JSONValue.parse(text) else { throw corrupt("specifications") }
        return try items.map { item in
            guard case .string(let name) = item else { throw corrupt("specifications") }
            return name
        }
    }

    private static func plainSpecifications(_ text: String) -> [String]? {
        var text = text
        return text.withUTF8 { bytes -> [String]? in
            let quote = UInt8(ascii: "\"")
            guard bytes.count >= 4, bytes[0] == UInt8(ascii: "["), bytes[bytes.count - 1] == UInt8(ascii: "]") else {
                return nil
            }
            var names: [String] = []
            var index = 1
            while true {
                guard index < bytes.count, bytes[index] == quote else { return nil }
                let start = index + 1
                var end = start
                while end < bytes.count, bytes[end] != quote {
                    if bytes[end] == UInt8(ascii: "\\") || bytes[end] < 0x20 { return nil }
                    end += 1
                }
                guard end < bytes.count, end > start else { return nil }
                names.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
                index = end + 1
                if index == bytes.count - 1 { return names }
                guard bytes[index] == UInt8(ascii: ",") else { return nil }
                index += 1
            }
        }
    }

    static func decodeProperties(_ text: String) throws -> ServiceProperties {
        do {
            return try ServiceProperties(PropertyInput.parseJSONObject(text))
        } catch {
            throw corrupt("properties")
        }
    }

    /// The record on the current row of a statement selecting `SQLiteTransaction.currentColumns`.
    static func decodeRecord(_ statement: BoundStatement) throws -> ServiceRecord {
        guard let scope = ServiceScope(rawValue: statement.text(2)) else { throw corrupt("scope") }
        return ServiceRecord(
            id: statement.integer(0), specifications: try decodeSpecifications(statement.text(3)),
            ranking: statement.integer(1), scope: scope, properties: try decodeProperties(statement.text(4)),
            name: statement.isNull(5) ? nil : statement.text(5), revision: statement.integer(6),
            lease: statement.isNull(7) || statement.isNull(8)
                ? nil : Lease(ttl: statement.integer(7), expires: statement.integer(8)),
            owner: statement.isNull(9)
                ? nil
                : ServiceOwner(
                    pid: Int32(truncatingIfNeeded: statement.integer(9)), startTime: statement.integer(10),
                    bootID: statement.isNull(11) ? "" : statement.text(11)),
            value: statement.blob(12),
            factory: statement.isNull(13)
                ? nil
                : ServiceFactory(
                    command: try decodeSpecifications(statement.text(13)),
                    timeout: statement.isNull(14) ? ServiceFactory.defaultTimeout : statement.integer(14)),
            release: statement.isNull(15) ? nil : try decodeSpecifications(statement.text(15)),
            registeredBy: statement.isNull(16) ? nil : statement.text(16),
            requirements: statement.isNull(17) ? [] : try decodeRequirements(statement.text(17)),
            satisfied: statement.isNull(18), source: statement.isNull(19) ? nil : statement.text(19))
    }

    static func decodeRecord(_ row: Row) throws -> ServiceRecord {
        let scopeText: String = row[2]
        guard let scope = ServiceScope(rawValue: scopeText) else { throw corrupt("scope") }
        let ttl: Int64? = row[7]
        let expires: Int64? = row[8]
        let pid: Int64? = row[9]
        return ServiceRecord(
            id: row[0], specifications: try decodeSpecifications(row[3]), ranking: row[1], scope: scope,
            properties: try decodeProperties(row[4]), name: row[5], revision: row[6] ?? 0,
            lease: ttl.flatMap { ttl in expires.map { Lease(ttl: ttl, expires: $0) } },
            owner: pid.map {
                ServiceOwner(pid: Int32(truncatingIfNeeded: $0), startTime: row[10] ?? 0, bootID: row[11] ?? "")
            },
            value: (row[12] as Data?).map { Array($0) },
            factory: try (row[13] as String?).map {
                ServiceFactory(
                    command: try decodeSpecifications($0), timeout: row[14] ?? ServiceFactory.defaultTimeout)
            },
            release: try (row[15] as String?).map(decodeSpecifications),
            registeredBy: row[16], requirements: try (row[17] as String?).map(decodeRequirements) ?? [],
            satisfied: (row[18] as Int64?) == nil, source: row[19])
    }

    static func decodeRequirements(_ text: String) throws -> [Requirement] {
        do {
            return try decodeSpecifications(text).map { try Requirement.parse($0) }
        } catch {
            throw corrupt("requirements")
        }
    }

    private static func corrupt(_ what: String) -> StoreError {
        // The store fills in its location on the way out.
        StoreError(.corrupt, location: "", detail: "a service whose \(what) cannot be read")
    }

    /// Calls `body` with each index entry of a value: (kind, value), one per list element,
    /// deduplicated (without making arrays: every registration indexes every value).
    static func forEachIndexEntry(_ value: PropertyValue, _ body: (Int, IndexValue) throws -> Void) rethrows {
        switch value {
        case .integer(let i): try body(1, .integer(i))
        case .float(let d): try body(1, .float(d))
        case .string(let s): try body(3, .text(s))
        case .boolean(let b): try body(4, .integer(b ? 1 : 0))
        case .list(let items):
            if items.isEmpty { return try body(0, .integer(0)) }
            for (offset, item) in items.enumerated() {
                // Lists are short: an element seen before is skipped by looking back.
                if offset > 0, items[..<offset].contains(item) { continue }
                try forEachIndexEntry(item, body)
            }
        }
    }
}
