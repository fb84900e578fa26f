/// The typed properties a specification's services must have (Servactory's inputs):
/// `schema set SPEC KEY:TYPE[!][=DEFAULT] … [--closed]`.
public struct SpecificationSchema: Sendable, Equatable {
    /// The specification it is the schema of.
    public var specification: String
    /// Its fields, in the order given.
    public var fields: [SchemaField]
    /// Whether keys no field names are refused.
    public var closed: Bool

    /// A schema as given (see `parse` for its fields' words).
    public init(specification: String, fields: [SchemaField], closed: Bool) {
        self.specification = specification
        self.fields = fields
        self.closed = closed
    }

    /// A schema from its words: each `KEY:TYPE[!][=DEFAULT]`.
    public static func parse(specification: String, fields words: [String], closed: Bool) throws(RegistryError)
        -> SpecificationSchema
    {
        try SpecificationName.validate(specification)
        var fields: [SchemaField] = []
        var seen: [String: String] = [:]
        for word in words {
            let field = try SchemaField.parse(word)
            if let first = seen.updateValue(word, forKey: PropertyKey.fold(field.key)) {
                throw .inSchemaField(word, .duplicateKey(first: first))
            }
            fields.append(field)
        }
        return SpecificationSchema(specification: specification, fields: fields, closed: closed)
    }

    /// The field of a key (folded), if any.
    func field(forFolded folded: String) -> SchemaField? {
        fields.first { PropertyKey.fold($0.key) == folded }
    }

    // MARK: Stored form

    /// How the store keeps it: `{"closed":BOOL,"fields":["WORD",…]}` (the fields' words,
    /// read back by `parse`).
    var stored: String {
        var out = #"{"closed":"# + (closed ? "true" : "false") + #","fields":["#
        for (offset, field) in fields.enumerated() {
            if offset > 0 { out += "," }
            JSONWriter.writeString(field.text, to: &out)
        }
        return out + "]}"
    }

    /// A schema from its stored form; nil when it does not read back.
    static func fromStored(specification: String, _ text: String) -> SpecificationSchema? {
        guard let value = try? JSONValue.parse(text) else { return nil }
        return fromStored(specification: specification, value)
    }

    /// A schema from its stored form, parsed (an export's line); nil when it does not read back.
    static func fromStored(specification: String, _ value: JSONValue) -> SpecificationSchema? {
        guard case .object(let members) = value,
            case .bool(let closed)? = members.first(where: { $0.0 == "closed" })?.1,
            case .array(let items)? = members.first(where: { $0.0 == "fields" })?.1
        else { return nil }
        var words: [String] = []
        for item in items {
            guard case .string(let word) = item else { return nil }
            words.append(word)
        }
        return try? parse(specification: specification, fields: words, closed: closed)
    }
}

/// One field of a schema: `KEY:TYPE[!][=DEFAULT]`.
public struct SchemaField: Sendable, Equatable {
    /// The property key, as written.
    public var key: String
    /// What its values must be.
    public var type: SchemaType
    /// Whether a service must have it (`!`).
    public var required: Bool
    /// The value filled in when it is missing (`=DEFAULT`).
    public var defaultValue: PropertyValue?
    /// The word it was given as (and is stored and shown as).
    public var text: String

    /// A field from its word.
    public static func parse(_ word: String) throws(RegistryError) -> SchemaField {
        guard let colon = word.firstIndex(of: ":") else { throw .inSchemaField(word, .missingType) }
        let key = String(word[..<colon])
        do {
            try PropertyKey.validate(key)
        } catch {
            throw .inSchemaField(word, .invalidKey(error))
        }
        if ReservedKey.isReserved(PropertyKey.fold(key)) { throw .inSchemaField(word, .reservedKey(key)) }
        var rest = word[word.index(after: colon)...]
        let type: SchemaType
        do {
            type = try SchemaType.parse(&rest, allowList: true)
        } catch let problem {
            throw .inSchemaField(word, problem)
        }
        var required = false
        if rest.first == "!" {
            required = true
            rest = rest.dropFirst()
        }
        var defaultValue: PropertyValue?
        if rest.first == "=" {
            let raw = String(rest.dropFirst())
            if required { throw .inSchemaField(word, .requiredWithDefault) }
            let value: PropertyValue
            do {
                value = try PropertyInput.convert(raw, to: type.conversionName)
            } catch {
                throw .inSchemaField(word, .invalidDefault(raw, error))
            }
            var checked = value
            if let problem = type.check(&checked) {
                throw .inSchemaField(word, .defaultOutsideType(raw, problem))
            }
            defaultValue = checked
        } else if let extra = rest.first {
            throw .inSchemaField(word, .unexpected(String(extra)))
        }
        return SchemaField(key: key, type: type, required: required, defaultValue: defaultValue, text: word)
    }
}

/// A field's type: a base type with an optional one-of list or range, or a list of one.
public struct SchemaType: Sendable, Equatable {
    /// The scalar types (`any`: the elements of a plain `list`).
    public enum Base: String, Sendable {
        case string = "str"
        case integer = "int"
        case float
        case boolean = "bool"
        case any
    }

    /// The type of the value, or of a list's elements.
    public var base: Base
    /// Whether the value is a list of `base`.
    public var isList: Bool
    /// The values allowed (`str{a,b,c}`), if only some are.
    public var oneOf: [PropertyValue]?
    /// The smallest and largest allowed (`int[0..65535]`; nil: unbounded on that side).
    public var minimum: Double?
    /// The largest allowed (nil: unbounded).
    public var maximum: Double?
    /// The range as written, for messages.
    public var rangeText: String?

    /// The name `PropertyInput.convert` takes for a default's text.
    var conversionName: String {
        let scalar = base == .any ? "" : base.rawValue
        return isList ? (scalar.isEmpty ? "list" : "list<\(scalar)>") : scalar
    }

    /// Reads a type from the front of `text` (what follows it stays in `text`).
    static func parse(_ text: inout Substring, allowList: Bool) throws(SchemaProblem) -> SchemaType {
        let name = text.prefix { $0.isLetter }
        text = text.dropFirst(name.count)
        if name.isEmpty { throw .missingType }
        if name == "list" {
            guard allowList else { throw .nestedList }
            guard text.first == "<" else { return SchemaType(base: .any, isList: true) }
            text = text.dropFirst()
            var element = try parse(&text, allowList: false)
            guard text.first == ">" else { throw text.first.map { .unexpected(String($0)) } ?? .unclosed(">") }
            text = text.dropFirst()
            element.isList = true
            return element
        }
        let base: Base
        switch name {
        case "str", "string": base = .string
        case "int", "integer": base = .integer
        case "float", "double": base = .float
        case "bool", "boolean": base = .boolean
        default: throw .unknownType(String(name))
        }
        var type = SchemaType(base: base, isList: false)
        if text.first == "{" {
            guard base == .string || base == .integer else { throw .oneOfNotAllowed(base.rawValue) }
            guard let close = text.firstIndex(of: "}") else { throw .unclosed("}") }
            let inside = text[text.index(after: text.startIndex)..<close]
            text = text[text.index(after: close)...]
            var values: [PropertyValue] = []
            for part in inside.split(separator: ",", omittingEmptySubsequences: false) {
                let raw = String(part)
                if raw.isEmpty { throw .emptyChoice }
                do {
                    values.append(try PropertyInput.convert(raw, to: base.rawValue))
                } catch {
                    throw .badChoice(raw, error)
                }
            }
            type.oneOf = values
        } else if text.first == "[" {
            guard base == .integer || base == .float else { throw .rangeNotAllowed(base.rawValue) }
            guard let close = text.firstIndex(of: "]") else { throw .unclosed("]") }
            let inside = String(text[text.index(after: text.startIndex)..<close])
            text = text[text.index(after: close)...]
            guard let dot = inside.indices.first(where: { inside[$0] == "." && inside[$0...].hasPrefix("..") }) else {
                throw .badRange(inside)
            }
            let dots = dot..<inside.index(dot, offsetBy: 2)
            func bound(_ raw: Substring) throws(SchemaProblem) -> Double? {
                if raw.isEmpty { return nil }
                guard case .some(let value) = try? PropertyInput.convert(String(raw), to: base.rawValue) else {
                    throw .badRange(inside)
                }
                switch value {
                case .integer(let number): return Double(number)
                case .float(let number): return number
                default: throw .badRange(inside)
                }
            }
            type.minimum = try bound(inside[..<dots.lowerBound])
            type.maximum = try bound(inside[dots.upperBound...])
            if type.minimum == nil, type.maximum == nil { throw .badRange(inside) }
            if let low = type.minimum, let high = type.maximum, low > high { throw .badRange(inside) }
            type.rangeText = inside
        }
        return type
    }

    /// Whether `value` is of this type; an integer where a float is wanted becomes that
    /// float. Returns what is wrong, or nil.
    func check(_ value: inout PropertyValue) -> SchemaViolation.Problem? {
        guard isList else { return checkScalar(&value, index: nil) }
        guard case .list(var items) = value else { return .wrongType(expected: text, got: value) }
        for index in items.indices {
            if let problem = checkScalar(&items[index], index: index) { return problem }
        }
        value = .list(items)
        return nil
    }

    private func checkScalar(_ value: inout PropertyValue, index: Int?) -> SchemaViolation.Problem? {
        func wrong() -> SchemaViolation.Problem {
            let expected = base == .any ? "a scalar" : base.rawValue
            return index.map { .element($0, .wrongType(expected: expected, got: value)) }
                ?? .wrongType(expected: expected, got: value)
        }
        func inside(_ problem: SchemaViolation.Problem) -> SchemaViolation.Problem {
            index.map { .element($0, problem) } ?? problem
        }
        let number: Double?
        switch (base, value) {
        case (.string, .string), (.boolean, .boolean): number = nil
        case (.integer, .integer(let integer)): number = Double(integer)
        case (.float, .float(let float)): number = float
        case (.float, .integer(let integer)):
            value = .float(Double(integer))
            number = Double(integer)
        case (.any, .list): return wrong()
        case (.any, _): return nil
        default: return wrong()
        }
        if let oneOf, !oneOf.contains(value) { return inside(.notOneOf(value, oneOf)) }
        if let number, let rangeText {
            if let minimum, number < minimum { return inside(.outOfRange(value, rangeText)) }
            if let maximum, number > maximum { return inside(.outOfRange(value, rangeText)) }
        }
        return nil
    }

    /// The type as written in a schema (canonical spelling).
    public var text: String {
        var scalar = base == .any ? "" : base.rawValue
        if let oneOf {
            scalar += "{" + oneOf.map(\.schemaText).joined(separator: ",") + "}"
        } else if let rangeText {
            scalar += "[" + rangeText + "]"
        }
        guard isList else { return scalar }
        return scalar.isEmpty ? "list" : "list<\(scalar)>"
    }
}

extension PropertyValue {
    /// A value as `key:str=` would give it as text (for messages that suggest it).
    public var schemaLiteral: String { schemaText }

    /// A scalar as a schema's one-of list writes it.
    var schemaText: String {
        switch self {
        case .string(let text): text
        case .integer(let number): String(number)
        case .float(let number): JSONWriter.floatText(number)
        case .boolean(let flag): flag ? "true" : "false"
        case .list(let items): items.map(\.schemaText).joined(separator: ",")
        }
    }
}

/// What is wrong with one word of `schema set`.
public enum SchemaProblem: Error, Equatable, Sendable {
    /// No `:TYPE` after the key.
    case missingType
    /// A type name that is not one of the schema types.
    case unknownType(String)
    /// `list<list<…>>`.
    case nestedList
    /// `{` or `[` or `<` without its closing character.
    case unclosed(String)
    /// A character where none was expected (after the type: only `!` and `=` may follow).
    case unexpected(String)
    /// `{…}` on a type that takes no one-of list (float, bool).
    case oneOfNotAllowed(String)
    /// `[…]` on a type that takes no range (str, bool).
    case rangeNotAllowed(String)
    /// `{a,,b}`.
    case emptyChoice
    /// A one-of value that is not of the type.
    case badChoice(String, RegistryError)
    /// A range that is not `LOW..HIGH` (one side may be left out) of the type, low ≤ high.
    case badRange(String)
    /// A key that breaks a rule.
    case invalidKey(RegistryError)
    /// A key the registry keeps (`service.*`, `objectClass`).
    case reservedKey(String)
    /// `!` and `=DEFAULT` together (a default is never missing).
    case requiredWithDefault
    /// A default that is not a value of the type.
    case invalidDefault(String, RegistryError)
    /// A default outside the type's one-of list or range.
    case defaultOutsideType(String, SchemaViolation.Problem)
    /// A key given twice (the first word that gave it).
    case duplicateKey(first: String)
}

/// One thing a service's properties get wrong about a schema.
public struct SchemaViolation: Sendable, Equatable {
    /// What is wrong with a value.
    public indirect enum Problem: Sendable, Equatable {
        /// A required key that is missing.
        case required
        /// A value of another type.
        case wrongType(expected: String, got: PropertyValue)
        /// A value not in the one-of list.
        case notOneOf(PropertyValue, [PropertyValue])
        /// A number outside the range (as written).
        case outOfRange(PropertyValue, String)
        /// A key no schema of the service names, where one is closed.
        case notInSchema
        /// The problem of a list's element (0-based).
        case element(Int, Problem)
    }

    /// The key, as the service or the schema writes it.
    public var key: String
    /// What is wrong.
    public var problem: Problem

    /// A problem of a key.
    public init(key: String, problem: Problem) {
        self.key = key
        self.problem = problem
    }
}

/// The services a new schema would refuse (`schema set` lists them).
public struct SchemaViolator: Sendable, Equatable {
    /// The service.
    public var id: ServiceID
    /// What it gets wrong.
    public var violations: [SchemaViolation]

    /// A service and its problems.
    public init(id: ServiceID, violations: [SchemaViolation]) {
        self.id = id
        self.violations = violations
    }
}

extension SpecificationSchema {
    /// Fills in the defaults of every schema in `schemas` (the first that has one for a key
    /// wins) and checks `properties` against all of them; returns every problem, in the
    /// schemas' field order, then the keys a closed schema refuses (a key that any of the
    /// service's schemas names is allowed).
    static func conform(
        _ properties: inout ServiceProperties, to schemas: [SpecificationSchema], fillDefaults: Bool = true
    ) -> [SchemaViolation] {
        var violations: [SchemaViolation] = []
        for schema in schemas {
            for field in schema.fields {
                let folded = PropertyKey.fold(field.key)
                guard let entry = properties.entry(forFolded: folded) else {
                    if let defaultValue = field.defaultValue {
                        if fillDefaults { properties.set(field.key, defaultValue) }
                    } else if field.required, !violations.contains(SchemaViolation(key: field.key, problem: .required))
                    {
                        violations.append(SchemaViolation(key: field.key, problem: .required))
                    }
                    continue
                }
                var value = entry.value
                if let problem = field.type.check(&value) {
                    let violation = SchemaViolation(key: entry.key, problem: problem)
                    if !violations.contains(violation) { violations.append(violation) }
                } else if value != entry.value {
                    properties.set(entry.key, value)
                }
            }
        }
        if schemas.contains(where: \.closed) {
            for entry in properties.entries
            where !schemas.contains(where: { $0.field(forFolded: entry.foldedKey) != nil }) {
                violations.append(SchemaViolation(key: entry.key, problem: .notInSchema))
            }
        }
        return violations
    }
}
