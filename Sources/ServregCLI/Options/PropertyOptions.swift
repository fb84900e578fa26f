import ArgumentParser
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
        name: .customLong("props-json"), parsing: .unconditional,
        help: ArgumentHelp("Properties as a JSON object, e.g. '{\"price\": 90, \"tags\": [\"a\"]}'.", valueName: "json")
    )
    var json: String?

    /// The properties in the order given: `--prop` first, then `--props-json`.
    func pairs(extra: [String] = []) throws -> [(String, PropertyValue)] {
        var pairs: [(String, PropertyValue)] = []
        for text in assignments + extra { pairs.append(try PropertyInput.parseAssignment(text)) }
        if let json {
            do {
                pairs += try PropertyInput.parseJSONObject(json)
            } catch {
                throw CommandLineError.inOption("--props-json", error)
            }
        }
        return pairs
    }
}
