import Foundation
import ServiceRegistry

/// Renders `listen` events: one JSON object per line, or one aligned line for people.
struct EventFormatter {
    let values: ServiceFormatter

    /// An event as one JSON object (without the newline). `initial`: part of the snapshot
    /// `--initial` prints first.
    static func json(_ event: ListenerEvent, initial: Bool = false) -> String {
        let change = event.change
        var out = "{\"seq\":\(change.sequence),\"event\":\"\(event.kind.rawValue)\",\"id\":\(change.serviceID)"
        out.append(",\"specifications\":")
        JSONWriter.writeValue(.list(change.specifications.map(PropertyValue.string)), to: &out)
        out.append(",\"time\":\"\(timestamp(change.time))\"")
        if let properties = event.properties {
            out.append(",\"properties\":")
            JSONWriter.writeObject(properties, to: &out)
        }
        if change.kind == .modified, let old = change.oldProperties {
            out.append(",\"old_properties\":")
            JSONWriter.writeObject(old, to: &out)
        }
        if let reason = change.reason {
            out.append(",\"reason\":")
            JSONWriter.writeString(reason, to: &out)
        }
        if initial { out.append(",\"initial\":true") }
        out.append("}")
        return out
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
        if change.kind == .modified, let old = change.oldProperties, let new = change.newProperties {
            // Of the reserved keys only service.ranking can change.
            for entry in new.entries {
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
        } else if let properties = event.properties {
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
        var whole = time_t(seconds.rounded(.down))
        var milliseconds = Int(((seconds - Double(whole)) * 1000).rounded(.down))
        if milliseconds >= 1000 {
            whole += 1
            milliseconds -= 1000
        }
        var parts = tm()
        gmtime_r(&whole, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis =
            milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):"
            + "\(two(parts.tm_min)):\(two(parts.tm_sec)).\(millis)Z"
    }
}
