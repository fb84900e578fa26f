/// A parsed JSON document that keeps integers and floats apart (`42` vs `42.0`).
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case integer(Int64)
    case float(Double)
    case string(String)
    case array([JSONValue])
    /// Members in document order; duplicates are kept for the caller to judge.
    case object([(String, JSONValue)])

    /// Same case and equal contents; objects member by member, in document order.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.float(let a), .float(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Parses a complete JSON text.
    public static func parse(_ text: String) throws(RegistryError) -> JSONValue {
        var parser = JSONParser(bytes: Array(text.utf8))
        return try parser.parseDocument()
    }

    /// The value under one (folded) key of a JSON object of property values, without
    /// reading the other values (what a filter needs of a stored service); nil when the
    /// key is absent. Throws when the text is not such an object.
    public static func propertyValue(in text: String, forFoldedKey folded: String) throws(RegistryError)
        -> PropertyValue?
    {
        try propertyValue(inUTF8: Array(text.utf8), forFoldedKey: folded)
    }

    /// `propertyValue(in:forFoldedKey:)` on UTF-8 bytes (a stored row's column as it is).
    public static func propertyValue(inUTF8 bytes: [UInt8], forFoldedKey folded: String) throws(RegistryError)
        -> PropertyValue?
    {
        var parser = JSONParser(bytes: bytes)
        return try parser.findProperty(folded)
    }

    /// A JSON object of property values read straight into pairs, without building a
    /// `JSONValue` tree (every stored service is read this way); nil for anything else,
    /// which `PropertyInput.parseJSONObject` then reads again to say what is wrong.
    static func propertyPairs(_ text: String) -> [(String, PropertyValue)]? {
        var parser = JSONParser(bytes: Array(text.utf8))
        return try? parser.parsePropertyPairs()
    }
}

/// A strict RFC 8259 parser over UTF-8 bytes.
private struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(RegistryError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        if index < bytes.count { throw error("unexpected text after the JSON value") }
        return value
    }

    func error(_ message: String) -> RegistryError {
        .invalidJSON(offset: index + 1, problem: message)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { return }
            index += 1
        }
    }

    mutating func parseValue() throws(RegistryError) -> JSONValue {
        guard index < bytes.count else { throw error("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character, expected a value")
        }
    }

    mutating func expectLiteral(_ literal: String) throws(RegistryError) {
        for byte in literal.utf8 {
            guard index < bytes.count, bytes[index] == byte else { throw error("expected '\(literal)'") }
            index += 1
        }
    }

    /// `{"key": scalar or [scalars], …}` as property pairs; throws on anything else.
    mutating func parsePropertyPairs() throws(RegistryError) -> [(String, PropertyValue)] {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw error("expected an object") }
        index += 1
        var pairs: [(String, PropertyValue)] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a name") }
                let key = try parseString()
                try PropertyKey.validate(key)
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
                index += 1
                skipWhitespace()
                if let value = try parseMemberValue(keep: true) { pairs.append((key, value)) }
                if try endOfObject() { break }
            }
        }
        skipWhitespace()
        if index < bytes.count { throw error("unexpected text after the JSON value") }
        return pairs
    }

    /// The value under one key of a `{"key": scalar or [scalars], …}` object, skipping
    /// the others without making values of them; nil when the key is absent.
    mutating func findProperty(_ folded: String) throws(RegistryError) -> PropertyValue? {
        let target = Array(folded.utf8)
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw error("expected an object") }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") { return nil }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a name") }
            let wanted = try keyMatches(target, folded)
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            if let value = try parseMemberValue(keep: wanted) { return value }
            if try endOfObject() { return nil }
        }
    }

    /// A member's value, a scalar or a list of scalars; with `keep` false it is only
    /// passed over (nil).
    private mutating func parseMemberValue(keep: Bool) throws(RegistryError) -> PropertyValue? {
        guard index < bytes.count else { throw error("expected a value") }
        guard bytes[index] == UInt8(ascii: "[") else {
            if keep { return try parseScalar() }
            try skipScalar()
            return nil
        }
        index += 1
        var items: [PropertyValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                if keep { items.append(try parseScalar()) } else { try skipScalar() }
                skipWhitespace()
                guard index < bytes.count else { throw error("expected ',' or ']'") }
                index += 1
                if bytes[index - 1] == UInt8(ascii: "]") { break }
                guard bytes[index - 1] == UInt8(ascii: ",") else { throw error("expected ',' or ']'") }
            }
        }
        return keep ? .list(items) : nil
    }

    /// After a member: true at the object's closing brace, false after a comma.
    private mutating func endOfObject() throws(RegistryError) -> Bool {
        skipWhitespace()
        guard index < bytes.count else { throw error("expected ',' or '}'") }
        index += 1
        if bytes[index - 1] == UInt8(ascii: "}") { return true }
        guard bytes[index - 1] == UInt8(ascii: ",") else { throw error("expected ',' or '}'") }
        return false
    }

    /// Reads a member name and says whether it folds to `folded` (whose UTF-8 is `target`).
    /// A name of plain ASCII without capitals or escapes, nearly every stored key, is
    /// compared byte for byte; any other is made a String and folded.
    private mutating func keyMatches(_ target: [UInt8], _ folded: String) throws(RegistryError) -> Bool {
        let start = index + 1
        var end = start
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") {
                index = end + 1
                return bytes[start..<end].elementsEqual(target)
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 || (byte >= 0x41 && byte <= 0x5A) { break }
            end += 1
        }
        return PropertyKey.fold(try parseString()) == folded
    }

    /// Moves past a string, number or literal without making a value of it.
    private mutating func skipScalar() throws(RegistryError) {
        guard index < bytes.count else { throw error("expected a value") }
        if bytes[index] == UInt8(ascii: "\"") {
            index += 1
            while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard index < bytes.count else { throw error("unterminated string") }
            index += 1
            return
        }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") || byte == 0x20
                || byte == 0x09 || byte == 0x0A || byte == 0x0D
            {
                break
            }
            index += 1
        }
        if index == start { throw error("expected a value") }
    }

    /// A string, number or boolean as a property value.
    private mutating func parseScalar() throws(RegistryError) -> PropertyValue {
        guard index < bytes.count else { throw error("expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .boolean(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .boolean(false)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            switch try parseNumber() {
            case .integer(let integer): return .integer(integer)
            case .float(let float): return .float(float)
            default: throw error("invalid number")
            }
        default: throw error("expected a string, number or boolean")
        }
    }

    mutating func parseObject() throws(RegistryError) -> JSONValue {
        depth += 1
        if depth > 64 { throw error("nested too deeply") }
        defer { depth -= 1 }
        index += 1
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error("expected a member name") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':'") }
            index += 1
            skipWhitespace()
            members.append((key, try parseValue()))
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input, expected ',' or '}'") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            } else {
                throw error("expected ',' or '}'")
            }
        }
    }

    mutating func parseArray() throws(RegistryError) -> JSONValue {
        depth += 1
        if depth > 64 { throw error("nested too deeply") }
        defer { depth -= 1 }
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw error("unexpected end of input, expected ',' or ']'") }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(items)
            } else {
                throw error("expected ',' or ']'")
            }
        }
    }

    mutating func parseHex4() throws(RegistryError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw error("incomplete \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    mutating func parseString() throws(RegistryError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") || byte < 0x20 { break }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while true {
            guard index < bytes.count else { throw error("unterminated string") }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: out, as: UTF8.self)
            }
            if byte < 0x20 { throw error("control character in string (escape it)") }
            if byte != UInt8(ascii: "\\") {
                out.append(byte)
                index += 1
                continue
            }
            index += 1
            guard index < bytes.count else { throw error("unterminated escape") }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try parseHex4()
                if (0xD800...0xDBFF).contains(code) {
                    guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                        bytes[index + 1] == UInt8(ascii: "u")
                    else { throw error("unpaired surrogate in \\u escape") }
                    index += 2
                    let low = try parseHex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in \\u escape") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(code) {
                    throw error("unpaired surrogate in \\u escape")
                }
                guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
                out.append(contentsOf: Array(String(scalar).utf8))
            default:
                throw error("invalid escape '\\\(Character(Unicode.Scalar(escape)))'")
            }
        }
    }

    mutating func parseNumber() throws(RegistryError) -> JSONValue {
        let start = index
        var isFloat = false
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else { throw error("invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isFloat = true
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("invalid number: digit expected after '.'")
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isFloat = true
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("invalid number: digit expected in exponent")
            }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if !isFloat {
            guard let value = Int64(text) else {
                throw .invalidJSON(offset: start + 1, problem: "integer \(text) is out of the 64-bit range")
            }
            return .integer(value)
        }
        guard let value = Double(text), value.isFinite else {
            throw .invalidJSON(offset: start + 1, problem: "number \(text) is out of range")
        }
        return .float(value)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
