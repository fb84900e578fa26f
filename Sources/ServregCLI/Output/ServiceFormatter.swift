import ServiceRegistry

/// Renders services and values for people (aligned columns) and machines (JSON).
struct ServiceFormatter {
    /// Bold column headers.
    let color: Bool

    // MARK: JSON

    /// One service as a JSON object: reserved keys first, then the rest.
    static func json(_ record: ServiceRecord) -> String { JSONWriter.service(record) }

    // MARK: Human

    /// A value as shown in tables: strings bare unless they need quotes, lists in brackets.
    func text(_ value: PropertyValue, nested: Bool = false) -> String {
        switch value {
        case .string(let s):
            let needsQuotes =
                s.isEmpty || s.contains(where: { $0 == " " || $0 == "\"" || $0 == "," || $0 == "[" || $0 == "]" })
                || (nested && s.contains(","))
            // One escaping, on a terminal or not (a pipe, a log file): backslashes doubled.
            let shown = TextEscaping.visible(s)
            if needsQuotes { return "\"" + shown.replacingAll("\"", with: "\\\"") + "\"" }
            return shown
        case .integer(let i): return String(i)
        case .float(let d): return JSONWriter.floatText(d)
        case .boolean(let b): return b ? "true" : "false"
        case .list(let items): return "[" + items.map { text($0, nested: true) }.joined(separator: ",") + "]"
        }
    }

    func key(_ key: String) -> String {
        TextEscaping.visible(key)
    }

    /// The table of services: ID, RANKING, SPECIFICATIONS, PROPERTIES.
    func table(_ records: [ServiceRecord]) -> String {
        let rows = records.map { record in
            [
                String(record.id), String(record.ranking),
                record.specifications.map { key($0) }.joined(separator: ","),
                record.properties.entries.map { key($0.key) + "=" + text($0.value) }.joined(separator: " "),
            ]
        }
        return Self.align(header: ["ID", "RANKING", "SPECIFICATIONS", "PROPERTIES"], rows: rows, bold: color)
    }

    /// All properties of one service: KEY, TYPE, VALUE, reserved keys first.
    func propertyTable(_ record: ServiceRecord) -> String {
        var rows: [[String]] = [
            [ReservedKey.serviceID, "int", String(record.id)],
            [ReservedKey.objectClass, "list<str>", text(.list(record.specifications.map(PropertyValue.string)))],
            [ReservedKey.ranking, "int", String(record.ranking)],
            [ReservedKey.scope, "str", record.scope.rawValue],
        ]
        for entry in record.properties.entries {
            rows.append([key(entry.key), entry.value.typeName, text(entry.value)])
        }
        return Self.align(header: ["KEY", "TYPE", "VALUE"], rows: rows, bold: color)
    }

    /// Left-aligned columns separated by two spaces; the last column is not padded.
    static func align(header: [String], rows: [[String]], bold: Bool) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            var out = ""
            for (index, cell) in cells.enumerated() {
                if index == cells.count - 1 {
                    out += cell
                } else {
                    out += cell + String(repeating: " ", count: widths[index] - cell.count + 2)
                }
            }
            while out.hasSuffix(" ") { out.removeLast() }
            return out
        }
        var out = bold ? "\u{1B}[1m" + line(header) + "\u{1B}[0m\n" : line(header) + "\n"
        for row in rows { out += line(row) + "\n" }
        return out
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        guard contains(target) else { return self }
        var out = ""
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
