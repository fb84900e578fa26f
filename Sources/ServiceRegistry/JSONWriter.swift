/// Writes JSON text that keeps the registry's types: floats always carry a '.' or an
/// exponent, integers never do.
public enum JSONWriter {
    /// Appends a JSON string literal. Besides what JSON requires, C1 controls, line and
    /// paragraph separators and invisible format characters (bidi overrides, zero-width
    /// spaces) are written as `\u` escapes: the value is the same, and nothing that shows
    /// the JSON on a terminal can be tricked by it.
    public static func writeString(_ text: String, to out: inout String) {
        var bytes: [UInt8] = []
        writeString(text, to: &bytes)
        out.append(String(decoding: bytes, as: UTF8.self))
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

    /// A property set as JSON text (what the store keeps for every service and event).
    ///
    /// Written as UTF-8 bytes: appending many small pieces to a `String` costs several
    /// times more, and every registration writes two such objects.
    /// A service as one JSON object of all its properties: the reserved ones first
    /// (`service.id`, `objectClass`, `service.ranking`, `service.scope`), then the others in
    /// key order. The one rendering of a service, for `--json` and the event log alike.
    public static func service(_ record: ServiceRecord) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(32 * record.properties.count + 96)
        writeService(record, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends a service as `service(_:)` renders it. `proposed`: a change not committed
    /// yet (a before-hook's input): no revision or expiry, and a new service's id is null.
    public static func writeService(_ record: ServiceRecord, to out: inout [UInt8], proposed: Bool = false) {
        out.append(contentsOf: serviceIDPrefix)
        if proposed, record.id == 0 { out.append(contentsOf: "null".utf8) } else { writeInteger(record.id, to: &out) }
        out.append(contentsOf: objectClassPrefix)
        writeValue(.list(record.specifications.map(PropertyValue.string)), to: &out)
        out.append(contentsOf: rankingPrefix)
        writeInteger(record.ranking, to: &out)
        out.append(contentsOf: scopePrefix)
        writeString(record.scope.rawValue, to: &out)
        if let name = record.name {
            out.append(contentsOf: namePrefix)
            writeString(name, to: &out)
        }
        if !proposed {
            out.append(contentsOf: revisionPrefix)
            writeInteger(record.revision, to: &out)
        }
        if let lease = record.lease {
            out.append(contentsOf: ttlPrefix)
            writeString(LeaseDuration.format(lease.ttl), to: &out)
            if !proposed {
                out.append(contentsOf: expiresPrefix)
                writeString(Instant.format(lease.expires), to: &out)
            }
        }
        if let owner = record.owner {
            out.append(contentsOf: ownerPIDPrefix)
            writeInteger(Int64(owner.pid), to: &out)
            out.append(contentsOf: ownerStartPrefix)
            writeInteger(owner.startTime, to: &out)
            out.append(contentsOf: ownerBootPrefix)
            writeString(owner.bootID, to: &out)
        }
        // Rare keys: written the plain way (as `value(forFoldedKey:)` gives them).
        if record.registeredBy != nil || record.factory != nil || record.release != nil || record.value != nil
            || !record.requirements.isEmpty || record.source != nil
        {
            for key in Self.valueKeys {
                guard let value = record.value(forFoldedKey: key) else { continue }
                out.append(UInt8(ascii: ","))
                writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                writeValue(value, to: &out)
            }
        }
        for entry in record.properties.entries {
            out.append(UInt8(ascii: ","))
            writeString(entry.key, to: &out)
            out.append(UInt8(ascii: ":"))
            writeValue(entry.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private static let serviceIDPrefix = Array("{\"service.id\":".utf8)
    private static let objectClassPrefix = Array(",\"objectClass\":".utf8)
    private static let rankingPrefix = Array(",\"service.ranking\":".utf8)
    private static let scopePrefix = Array(",\"service.scope\":".utf8)
    private static let namePrefix = Array(",\"service.name\":".utf8)
    private static let revisionPrefix = Array(",\"service.revision\":".utf8)
    private static let ttlPrefix = Array(",\"service.ttl\":".utf8)
    private static let expiresPrefix = Array(",\"service.expires\":".utf8)
    private static let ownerPIDPrefix = Array(",\"service.owner.pid\":".utf8)
    private static let ownerStartPrefix = Array(",\"service.owner.start\":".utf8)
    private static let ownerBootPrefix = Array(",\"service.owner.boot\":".utf8)
    private static let valueKeys = [
        ReservedKey.registeredBy, ReservedKey.factory, ReservedKey.factoryRelease, ReservedKey.factoryTimeout,
        ReservedKey.value, ReservedKey.valueBase64, ReservedKey.requires, ReservedKey.state, ReservedKey.source,
    ]

    /// Properties as one JSON object, in their key order.
    public static func object(_ properties: ServiceProperties) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(32 * properties.count + 2)
        writeObject(properties, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends properties as one JSON object, in their key order.
    public static func writeObject(_ properties: ServiceProperties, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        for (offset, entry) in properties.entries.enumerated() {
            if offset > 0 { out.append(UInt8(ascii: ",")) }
            writeString(entry.key, to: &out)
            out.append(UInt8(ascii: ":"))
            writeValue(entry.value, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Appends a property value: a scalar, or a list as a JSON array.
    public static func writeValue(_ value: PropertyValue, to out: inout [UInt8]) {
        switch value {
        case .string(let s): writeString(s, to: &out)
        case .integer(let i): writeInteger(i, to: &out)
        case .float(let d): out.append(contentsOf: floatText(d).utf8)
        case .boolean(let b): out.append(contentsOf: b ? Self.trueBytes : Self.falseBytes)
        case .list(let items):
            out.append(UInt8(ascii: "["))
            for (offset, item) in items.enumerated() {
                if offset > 0 { out.append(UInt8(ascii: ",")) }
                writeValue(item, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
    }

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)

    /// Appends an integer in decimal, without making a `String` of it.
    public static func writeInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        // The magnitude as UInt64 also holds Int64.min.
        var magnitude = value.magnitude
        if magnitude == 0 {
            out.append(UInt8(ascii: "0"))
            return
        }
        // The digits from the right, in a buffer on the stack (20 digits at most).
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            while magnitude > 0 {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            }
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Appends a JSON string literal as UTF-8 (escaped as `writeString(_:to:)` says).
    public static func writeString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Most text needs no escape at all: it is copied whole. Bytes from 0xC2 on start
        // the scalars that may need a \u escape.
        var text = text
        let kind = text.withUTF8 { bytes -> Int in
            var kind = 0  // 0: copied as is, 1: ASCII escapes, 2: scalars to look at
            for byte in bytes {
                if byte >= 0xC2 { return 2 }
                if byte < 0x20 || byte == 0x22 || byte == 0x5C || byte == 0x7F { kind = 1 }
            }
            if kind == 0 { out.append(contentsOf: bytes) }
            return kind
        }
        if kind == 1 {
            for byte in text.utf8 { appendEscaped(byte, to: &out) }
        } else if kind == 2 {
            for scalar in text.unicodeScalars {
                if scalar.value < 0x80 {
                    appendEscaped(UInt8(scalar.value), to: &out)
                } else if TextEscaping.needsEscape(scalar) {
                    for unit in String(scalar).utf16 { appendUnicodeEscape(unit, to: &out) }
                } else {
                    out.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private static func appendUnicodeEscape(_ unit: UInt16, to out: inout [UInt8]) {
        out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u")])
        for shift in [12, 8, 4, 0] { out.append(hexDigits[Int((unit >> UInt16(shift)) & 0xF)]) }
    }

    @inline(__always)
    private static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        switch byte {
        case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
        case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
        case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        case 0..<0x20, 0x7F: appendUnicodeEscape(UInt16(byte), to: &out)
        default: out.append(byte)
        }
    }
}
