/// A stable text for a parsed command: every stored property with its value, in
/// declaration order. argument-parser's wrappers show their parsed value, or
/// `<declaration>` when the property was never given one (a prototype copied but not set).
enum CommandEncoding {
    static func encode(_ value: Any) -> String {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            return mirror.children.first.map { encode($0.value) } ?? "nil"
        case .collection, .set:
            return "[" + mirror.children.map { encode($0.value) }.joined(separator: ", ") + "]"
        case .enum:
            guard let payload = mirror.children.first else { return String(reflecting: value) }
            // argument-parser's `Parsed<Value>`: `.value(V)` or `.definition(…)`.
            if payload.label == "definition" { return "<declaration>" }
            if payload.label == "value" { return encode(payload.value) }
            return (payload.label ?? "") + "(" + encode(payload.value) + ")"
        case .struct, .class, .tuple:
            let fields = mirror.children.map { child in
                let label = child.label.map { $0.hasPrefix("_") ? String($0.dropFirst()) : $0 } ?? ""
                return label + ": " + encode(child.value)
            }
            // A property wrapper is one field around the value: show the value itself.
            if fields.count == 1, let only = mirror.children.first, only.label?.hasPrefix("_parsed") == true {
                return encode(only.value)
            }
            return "{" + fields.joined(separator: ", ") + "}"
        default:
            return String(reflecting: value)
        }
    }
}
