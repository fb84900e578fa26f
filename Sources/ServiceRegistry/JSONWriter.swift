/// Writes JSON text that keeps the registry's types: floats always carry a '.' or an
/// exponent, integers never do.
public enum JSONWriter {
    /// Appends a JSON string literal.
    public static func writeString(_ text: String, to out: inout String) {
        out.append("\"")
        var needsEscaping = false
        for byte in text.utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            needsEscaping = true
            break
        }
        if !needsEscaping {
            out.append(text)
            out.append("\"")
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append("\"")
    }

    /// The JSON text of a float, always recognisable as a float.
    public static func floatText(_ value: Double) -> String {
        let text = value.description
        if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) { return text }
        return text + ".0"
    }

    /// Appends a property value.
    public static func writeValue(_ value: PropertyValue, to out: inout String) {
        switch value {
        case .string(let s): writeString(s, to: &out)
        case .integer(let i): out.append(String(i))
        case .float(let d): out.append(floatText(d))
        case .boolean(let b): out.append(b ? "true" : "false")
        case .list(let items):
            out.append("[")
            for (offset, item) in items.enumerated() {
                if offset > 0 { out.append(",") }
                writeValue(item, to: &out)
            }
            out.append("]")
        }
    }

    /// Appends a property set as one JSON object, keys as spelled.
    public static func writeObject(_ properties: ServiceProperties, to out: inout String) {
        out.append("{")
        for (offset, entry) in properties.entries.enumerated() {
            if offset > 0 { out.append(",") }
            writeString(entry.key, to: &out)
            out.append(":")
            writeValue(entry.value, to: &out)
        }
        out.append("}")
    }

    /// A property set as JSON text.
    public static func object(_ properties: ServiceProperties) -> String {
        var out = ""
        writeObject(properties, to: &out)
        return out
    }
}
