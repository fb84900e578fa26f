import Foundation
import ServiceRegistry

/// Renders `listen` events: one JSON object per line, or one aligned line for people.
struct EventFormatter {
    let values: ServiceFormatter

    /// An event as one JSON object (without the newline). `initial`: part of the snapshot
    /// `--initial` prints first. The properties are written as the log holds them.
    static func json(_ event: ListenerEvent, initial: Bool = false, to out: inout [UInt8]) {
        let change = event.change
        out.append(contentsOf: #"{"seq":"#.utf8)
        JSONWriter.writeInteger(change.sequence, to: &out)
        out.append(contentsOf: #","event":""#.utf8)
        out.append(contentsOf: event.kind.rawValue.utf8)
        out.append(contentsOf: #"","id":"#.utf8)
        JSONWriter.writeInteger(change.serviceID, to: &out)
        out.append(contentsOf: #","specifications":["#.utf8)
        for (offset, name) in change.specifications.enumerated() {
            if offset > 0 { out.append(UInt8(ascii: ",")) }
            JSONWriter.writeString(name, to: &out)
        }
        out.append(contentsOf: #"],"time":""#.utf8)
        writeTimestamp(change.time, to: &out)
        out.append(UInt8(ascii: "\""))
        if let properties = event.properties {
            out.append(contentsOf: #","properties":"#.utf8)
            out.append(contentsOf: properties.json)
        }
        if change.kind == .modified, let old = change.oldProperties {
            out.append(contentsOf: #","old_properties":"#.utf8)
            out.append(contentsOf: old.json)
        }
        if let reason = change.reason {
            out.append(contentsOf: #","reason":"#.utf8)
            JSONWriter.writeString(reason, to: &out)
        }
        if initial { out.append(contentsOf: #","initial":true"#.utf8) }
        out.append(UInt8(ascii: "}"))
    }

    /// `json(_:initial:to:)` as a string (for --exec).
    static func json(_ event: ListenerEvent, initial: Bool = false) -> String {
        var out: [UInt8] = []
        json(event, initial: initial, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `SEQ  TIME  EVENT  ID  SPECIFICATIONS  PROPERTIES`, in fixed-width columns so that
    /// lines printed one at a time still line up. Modifications show what changed
    /// (`price=90→120`, `+key=value`, `-key`), removals their reason.
    func line(_ event: ListenerEvent) -> String {
        let change = event.change
        var columns = [
            Self.padded(String(change.sequence), 7, right: true), Self.timestamp(change.time),
            Self.padded(event.kind.rawValue, 17), Self.padded(String(change.serviceID), 6, right: true),
            change.specifications.map(values.key).joined(separator: ","),
        ]
        var details: [String] = []
        if change.kind == .modified, let old = try? change.oldProperties?.decoded(),
            let new = try? change.newProperties?.decoded()
        {
            // Of the reserved keys service.ranking can change, and service.revision always does.
            for entry in new.entries where entry.foldedKey != ReservedKey.revision {
                if let before = old[entry.key] {
                    if before != entry.value {
                        details.append(
                            "\(values.key(entry.key))=\(values.text(before))→\(values.text(entry.value))")
                    }
                } else {
                    details.append("+\(values.key(entry.key))=\(values.text(entry.value))")
                }
            }
            for entry in old.entries where new[entry.key] == nil { details.append("-\(values.key(entry.key))") }
        } else if let properties = try? event.properties?.decoded() {
            for entry in properties.entries where !ReservedKey.isReserved(entry.foldedKey) {
                details.append("\(values.key(entry.key))=\(values.text(entry.value))")
            }
        }
        if let reason = change.reason { details.append("(\(values.key(reason)))") }
        columns.append(details.joined(separator: " "))
        var out = columns.joined(separator: "  ")
        while out.hasSuffix(" ") { out.removeLast() }
        return out
    }

    private static func padded(_ text: String, _ width: Int, right: Bool = false) -> String {
        guard text.count < width else { return text }
        let padding = String(repeating: " ", count: width - text.count)
        return right ? padding + text : text + padding
    }

    /// UTC, to the millisecond: 2026-12-01T09:59:01.123Z.
    static func timestamp(_ seconds: Double) -> String {
        var out: [UInt8] = []
        writeTimestamp(seconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    static func writeTimestamp(_ seconds: Double, to out: inout [UInt8]) {
        let totalMilliseconds = Int64((seconds * 1000).rounded(.down))
        var whole = time_t(totalMilliseconds / 1000)
        let milliseconds = Int32(totalMilliseconds % 1000)
        var parts = tm()
        gmtime_r(&whole, &parts)
        func digits(_ value: Int32, _ count: Int) {
            var divisor: Int32 = 1
            for _ in 1..<count { divisor *= 10 }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8((value / divisor) % 10))
                divisor /= 10
            }
        }
        digits(parts.tm_year + 1900, 4)
        out.append(UInt8(ascii: "-"))
        digits(parts.tm_mon + 1, 2)
        out.append(UInt8(ascii: "-"))
        digits(parts.tm_mday, 2)
        out.append(UInt8(ascii: "T"))
        digits(parts.tm_hour, 2)
        out.append(UInt8(ascii: ":"))
        digits(parts.tm_min, 2)
        out.append(UInt8(ascii: ":"))
        digits(parts.tm_sec, 2)
        out.append(UInt8(ascii: "."))
        digits(milliseconds, 3)
        out.append(UInt8(ascii: "Z"))
    }
}
