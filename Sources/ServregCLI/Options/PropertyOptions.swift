import ArgumentParser
import Foundation
import ServiceRegistry

/// `--prop` and `--props-json`: properties given on the command line.
struct PropertyOptions: ParsableArguments {
    @Option(
        name: .customLong("prop"), parsing: .unconditionalSingleValue,
        help: ArgumentHelp(
            "A property: key=value (type inferred) or key:TYPE=value (str, int, float, bool, list<T>). Repeatable.",
            valueName: "key=value"),
        completion: Completer.fromStore)
    var assignments: [String] = []

    @Option(
        name: .customLong("props-json"), parsing: .unconditionalSingleValue,
        help: ArgumentHelp(
            "Properties as a JSON object, e.g. '{\"price\": 90, \"tags\": [\"a\"]}'; @FILE reads it from a file, @- from stdin. Repeatable.",
            valueName: "json")
    )
    var json: [String] = []

    /// The properties in the order given: `--prop` first, then `--props-json` (its text, or
    /// that of the file `@FILE` names; `@-`: standard input).
    func pairs(extra: [String] = [], in context: CommandContext) throws -> [(String, PropertyValue)] {
        try assignmentPairs(extra: extra) + jsonPairs(in: context)
    }

    /// The `--prop` properties (and `extra` ones), in order.
    func assignmentPairs(extra: [String] = []) throws -> [(String, PropertyValue)] {
        try (assignments + extra).map { try PropertyInput.parseAssignment($0) }
    }

    /// The `--props-json` properties, in order (several are merged, as several `--prop`).
    func jsonPairs(in context: CommandContext) throws -> [(String, PropertyValue)] {
        var pairs: [(String, PropertyValue)] = []
        for json in self.json {
            let text = try Self.jsonText(json, in: context)
            do {
                pairs += try PropertyInput.parseJSONObject(text)
            } catch {
                throw CommandLineError.inOption(json.hasPrefix("@") ? "--props-json \(json)" : "--props-json", error)
            }
        }
        return pairs
    }

    /// The JSON an option value stands for: itself, or the contents of `@FILE` / `@-`.
    /// (A JSON object starts with `{`: a leading `@` cannot be JSON.)
    private static func jsonText(_ value: String, in context: CommandContext) throws -> String {
        guard value.hasPrefix("@") else { return value }
        let path = String(value.dropFirst())
        guard !path.isEmpty else { throw CommandLineError.unreadableInputFile(value, reason: ": no file name after @") }
        return try InputFile.text(path, for: "--props-json @-", in: context)
    }
}
