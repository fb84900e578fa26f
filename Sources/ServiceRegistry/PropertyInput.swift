/// Parses property input from the command line: `key=value`, `key:TYPE=value` and JSON
/// objects (DESIGN.md section 2, "Values").
public enum PropertyInput {
    /// Parses one `key=value` or `key:TYPE=value` assignment.
    ///
    /// Without a type the value is inferred: an integer (no leading zeros, so `02134`
    /// stays a string), a decimal float, `true`/`false`, else a string.
    public static func parseAssignment(_ text: String) throws(RegistryError) -> (String, PropertyValue) {
        // `=` and `:` are ASCII: find them in the UTF-8 view (a Character search costs
        // more than the rest of a batch line's parsing).
        let utf8 = text.utf8
        guard let equals = utf8.firstIndex(of: UInt8(ascii: "=")) else {
            throw .notAnAssignment(text)
        }
        var key = String(Substring(utf8[..<equals]))
        let raw = String(Substring(utf8[utf8.index(after: equals)...]))
        var type: String?
        if let colon = key.utf8.lastIndex(of: UInt8(ascii: ":")) {
            type = String(Substring(key.utf8[key.utf8.index(after: colon)...]))
            key = String(Substring(key.utf8[..<colon]))
        }
        do {
            try PropertyKey.validate(key)
        } catch {
            throw .inAssignment(text, error)
        }
        do {
            guard let type else { return (key, try infer(raw)) }
            return (key, try convert(raw, to: type))
        } catch {
            throw .inAssignment(text, error)
        }
    }

    /// The value a bare command-line word stands for.
    public static func infer(_ raw: String) throws(RegistryError) -> PropertyValue {
        if looksLikeInteger(raw) {
            guard let value = Int64(raw) else {
                throw .integerOutOfRange(raw)
            }
            return .integer(value)
        }
        if looksLikeDecimal(raw), let value = Double(raw) {
            // As with integers: a number too large for its type is an error, not a string.
            guard value.isFinite else { throw .floatOutOfRange(raw) }
            return .float(value)
        }
        // true and false in any case, as filters match booleans (Boolean.valueOf).
        guard raw.utf8.count == 4 || raw.utf8.count == 5 else { return .string(raw) }
        switch raw.lowercased() {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        default: return .string(raw)
        }
    }

    /// Converts text to a named type: `str`, `int`, `float`, `bool`, `list`, `list<T>`.
    public static func convert(_ raw: String, to type: String) throws(RegistryError) -> PropertyValue {
        switch type {
        case "str", "string": return .string(raw)
        case "int", "integer":
            guard let value = Int64(raw.trimmingSpaces) else {
                throw .notAValue(raw, .integer)
            }
            return .integer(value)
        case "float", "double":
            guard let value = Double(raw.trimmingSpaces), value.isFinite, looksLikeNumber(raw.trimmingSpaces) else {
                throw .notAValue(raw, .float)
            }
            return .float(value)
        case "bool", "boolean":
            switch raw.trimmingSpaces.lowercased() {
            case "true": return .boolean(true)
            case "false": return .boolean(false)
            default: throw .notAValue(raw, .boolean)
            }
        case "list":
            var items: [PropertyValue] = []
            for part in splitList(raw) { items.append(try infer(part)) }
            return .list(items)
        default:
            if type.hasPrefix("list<"), type.hasSuffix(">") {
                let element = String(type.dropFirst(5).dropLast())
                if element.hasPrefix("list") { throw .nestedList(key: nil) }
                var items: [PropertyValue] = []
                for part in splitList(raw) { items.append(try convert(part, to: element)) }
                return .list(items)
            }
            throw .unknownType(type)
        }
    }

    /// Splits a list literal at commas; `\,` is a literal comma, and empty text is `[]`.
    static func splitList(_ raw: String) -> [String] {
        if raw.isEmpty { return [] }
        // ASCII with no backslash (most lists): its bytes are its Characters, split them.
        if raw.utf8.allSatisfy({ $0 < 0x80 && $0 != UInt8(ascii: "\\") }) {
            return raw.utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map {
                String(Substring($0))
            }
        }
        return splitListByCharacter(raw)
    }

    /// `splitList` by Character (a comma followed by a combining mark is no separator).
    static func splitListByCharacter(_ raw: String) -> [String] {
        if raw.isEmpty { return [] }
        var parts: [String] = []
        var current = ""
        var escaped = false
        for character in raw {
            if escaped {
                current.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "," {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        if escaped { current.append("\\") }
        parts.append(current)
        return parts
    }

    /// Converts a JSON object into property pairs (scalars and lists of scalars).
    public static func parseJSONObject(_ text: String) throws(RegistryError) -> [(String, PropertyValue)] {
        if let pairs = JSONValue.propertyPairs(text) { return pairs }
        guard case .object(let members) = try JSONValue.parse(text) else {
            throw .notAJSONObject
        }
        var pairs: [(String, PropertyValue)] = []
        for (key, json) in members {
            try PropertyKey.validate(key)
            pairs.append((key, try propertyValue(json, key: key, allowList: true)))
        }
        return pairs
    }

    static func propertyValue(_ json: JSONValue, key: String, allowList: Bool) throws(RegistryError) -> PropertyValue {
        switch json {
        case .string(let s): return .string(s)
        case .integer(let i): return .integer(i)
        case .float(let d): return .float(d)
        case .bool(let b): return .boolean(b)
        case .null:
            throw .unsupportedJSONValue(key: key, .null)
        case .object:
            throw .unsupportedJSONValue(key: key, .object)
        case .array(let items):
            guard allowList else {
                throw .nestedList(key: key)
            }
            var values: [PropertyValue] = []
            for item in items { values.append(try propertyValue(item, key: key, allowList: false)) }
            return .list(values)
        }
    }

    private static func looksLikeInteger(_ raw: String) -> Bool {
        var digits = Substring(raw).utf8
        if digits.first == UInt8(ascii: "-") || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard let first = digits.first, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return false }
        return first != UInt8(ascii: "0") || digits.count == 1
    }

    private static func looksLikeDecimal(_ raw: String) -> Bool {
        // Cheap rejection of most words before the full check.
        guard let first = raw.utf8.first,
            (first >= 0x30 && first <= 0x39) || first == UInt8(ascii: "-") || first == UInt8(ascii: "+")
                || first == UInt8(ascii: ".")
        else { return false }
        guard looksLikeNumber(raw) else { return false }
        var body = Substring(raw)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        let mantissa = body.prefix(while: { $0 != "e" && $0 != "E" })
        let whole = mantissa.prefix(while: { $0 != "." })
        return whole == "0" || whole.first != "0" || whole.isEmpty
    }

    /// Decimal number syntax only: no `inf`, `nan` or hex floats.
    private static func looksLikeNumber(_ raw: String) -> Bool {
        var sawDigit = false
        var sawDot = false
        var sawExponent = false
        var previous: Character?
        for (offset, character) in raw.enumerated() {
            switch character {
            case "0"..."9": sawDigit = true
            case "+", "-":
                guard offset == 0 || previous == "e" || previous == "E" else { return false }
            case ".":
                guard !sawDot, !sawExponent else { return false }
                sawDot = true
            case "e", "E":
                guard sawDigit, !sawExponent else { return false }
                sawExponent = true
                sawDigit = false
            default: return false
            }
            previous = character
        }
        return sawDigit
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
