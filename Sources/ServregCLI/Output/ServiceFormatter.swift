import ServiceRegistry

/// Renders services and values for people (aligned columns) and machines (JSON).
struct ServiceFormatter {
    /// Bold column headers.
    let color: Bool
    /// The terminal's width to fit tables to; nil: not a terminal, no wrapping.
    var width: Int? = nil

    /// A formatter for what a command prints: bold and fitted to the width on a terminal.
    init(context: CommandContext) {
        color = context.usesColor
        width = Table.terminalWidth(for: context.output, environment: context.environment)
    }

    init(color: Bool, width: Int? = nil) {
        self.color = color
        self.width = width
    }

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

    /// The table of services (ID, RANKING, SPECIFICATIONS, PROPERTIES), to fill row by row.
    func serviceTable() -> Table {
        Table(
            [
                .init(header: "ID"), .init(header: "RANKING"),
                .init(header: "SPECIFICATIONS", breaksAfter: [","], shrinks: true),
                .init(header: "PROPERTIES", breaksAfter: [" ", ","], shrinks: true),
            ], width: width, bold: color)
    }

    /// A service as a row of `serviceTable`: properties in natural key order (key2 before key10).
    func row(_ record: ServiceRecord) -> [String] {
        let entries = Self.naturallyOrdered(record.properties.entries)
        // Only --include-unsatisfied lists an unsatisfied service: it says so.
        let state = record.satisfied ? "" : " (unsatisfied)"
        return [
            (record.name.map { "\(record.id) @\(key($0))" } ?? String(record.id)) + state, String(record.ranking),
            record.specifications.map { key($0) }.joined(separator: ","),
            entries.map { key($0.key) + "=" + text($0.value) }.joined(separator: " "),
        ]
    }

    /// Entries (held in folded key order) in natural order: only keys with digits move.
    private static func naturallyOrdered(_ entries: [ServiceProperties.Entry]) -> [ServiceProperties.Entry] {
        guard entries.count > 1, entries.contains(where: { $0.key.utf8.contains { $0 >= 0x30 && $0 <= 0x39 } }) else {
            return entries
        }
        return entries.sorted { NaturalOrder.precedes($0.key, $1.key) }
    }

    /// The table of a few services, whole.
    func table(_ records: [ServiceRecord]) -> String {
        var table = serviceTable()
        let output = TextOutput(capturing: ())
        for record in records { table.add(row(record), to: output) }
        table.finish(to: output)
        return output.takeCaptured()
    }

    /// All properties of one service: KEY, TYPE, VALUE, reserved keys first, the others in
    /// natural order.
    func propertyTable(
        _ record: ServiceRecord, now: Int64? = nil, users: [String] = [], missing: [Requirement] = []
    ) -> String {
        var rows: [[String]] = [
            [ReservedKey.serviceID, "int", String(record.id)],
            [ReservedKey.objectClass, "list<str>", text(.list(record.specifications.map(PropertyValue.string)))],
            [ReservedKey.ranking, "int", String(record.ranking)],
            [ReservedKey.scope, "str", record.scope.rawValue],
        ]
        if let name = record.name { rows.append([ReservedKey.serviceName, "str", text(.string(name))]) }
        rows.append([ReservedKey.revision, "int", String(record.revision)])
        if let lease = record.lease {
            rows.append([ReservedKey.ttl, "str", LeaseDuration.format(lease.ttl)])
            let left = now.map { " (in \(LeaseDuration.describe(lease.expires - $0)))" } ?? ""
            rows.append([ReservedKey.expires, "str", Instant.format(lease.expires) + left])
        }
        if let owner = record.owner {
            rows.append([ReservedKey.ownerPID, "int", String(owner.pid)])
            rows.append([ReservedKey.ownerStart, "int", String(owner.startTime)])
            rows.append([ReservedKey.ownerBoot, "str", text(.string(owner.bootID))])
        }
        if let client = record.registeredBy { rows.append([ReservedKey.registeredBy, "str", text(.string(client))]) }
        if !users.isEmpty {
            rows.append([ReservedKey.users, "list<str>", text(.list(users.map(PropertyValue.string)))])
        }
        if let factory = record.factory {
            rows.append([ReservedKey.factory, "list<str>", text(.list(factory.command.map(PropertyValue.string)))])
            rows.append([ReservedKey.factoryTimeout, "str", LeaseDuration.format(factory.timeout)])
        }
        if let release = record.release {
            rows.append([ReservedKey.factoryRelease, "list<str>", text(.list(release.map(PropertyValue.string)))])
        }
        if let value = record.value {
            if let shown = ServiceValue.text(value) {
                rows.append([ReservedKey.value, "str", text(.string(shown))])
            } else {
                rows.append([
                    ReservedKey.valueBase64, "str", "(\(value.count) bytes, not text: props --value prints them)",
                ])
            }
        }
        if !record.requirements.isEmpty {
            rows.append([
                ReservedKey.requires, "list<str>", text(.list(record.requirements.map { .string($0.text) })),
            ])
            rows.append([ReservedKey.state, "str", record.state.rawValue])
            if !missing.isEmpty {
                rows.append([ReservedKey.missing, "list<str>", text(.list(missing.map { .string($0.text) }))])
            }
        }
        if let source = record.source { rows.append([ReservedKey.source, "str", text(.string(source))]) }
        for entry in Self.naturallyOrdered(record.properties.entries) {
            rows.append([key(entry.key), entry.value.typeName, text(entry.value)])
        }
        var table = Table(
            [
                .init(header: "KEY", breaksAfter: ["."], shrinks: true), .init(header: "TYPE"),
                .init(header: "VALUE", breaksAfter: [" ", ","], shrinks: true),
            ],
            width: width, bold: color)
        let output = TextOutput(capturing: ())
        for row in rows { table.add(row, to: output) }
        table.finish(to: output)
        return output.takeCaptured()
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
