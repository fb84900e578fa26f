/// Reads the everyday forms of servreg's command lines in microseconds.
///
/// argument-parser builds each command by reflection, which costs about 1.2 M instructions
/// per line (and, in a fresh process, 2 ms of runtime conformance lookups): too slow for a
/// batch file of 100,000 lines and most of a one-shot command's time. This reader fills
/// the very same command structs from a table of each command's options; whenever a line
/// uses anything it does not know for certain (an unknown or repeated option, `--`, a
/// value that looks like an option, a failed validation, help), it gives up and the line
/// goes to argument-parser, which then decides and words any error. A test keeps the
/// tables equal to what argument-parser declares, and another checks that both readers
/// build equal commands for random lines drawn from the declared options.
///
/// Everything of the fast path lives in this folder (`FastPath/`): deleting the folder and
/// the one call in `ServregMain.run` leaves a servreg that behaves the same, only slower.
struct FastCommandLine {
    /// The line uses something only argument-parser handles.
    struct Unsupported: Error {}

    /// How an option takes its value.
    struct OptionRule: Equatable {
        /// May be given more than once (an array option).
        var repeating = false
        /// Takes the next word even when it starts with a dash.
        var unconditional = false
    }

    /// The options and flags of one command.
    struct Grammar {
        var options: [String: OptionRule] = [:]
        /// Spelling (`-q`, `--quiet`) → flag name (`quiet`).
        var flags: [String: String] = [:]

        static func + (lhs: Grammar, rhs: Grammar) -> Grammar {
            Grammar(
                options: lhs.options.merging(rhs.options) { a, _ in a },
                flags: lhs.flags.merging(rhs.flags) { a, _ in a })
        }
    }

    /// The commands the fast reader knows, by name.
    static let commands: [String: any FastParsable.Type] = [
        "register": Servreg.Register.self, "get": Servreg.Get.self, "get-all": Servreg.GetAll.self,
        "props": Servreg.Props.self, "set-props": Servreg.SetProps.self, "unregister": Servreg.Unregister.self,
    ]

    /// The command a whole line (command name first) means, when the fast reader is sure.
    static func command(for arguments: [String]) -> (any RegistryCommand)? {
        guard let name = arguments.first, let type = commands[name] else { return nil }
        return type.fastParse(arguments.dropFirst())
    }

    private(set) var positionals: [String] = []
    private var values: [String: [String]] = [:]
    private var setFlags: Set<String> = []

    /// Splits `arguments` (after the command name) by `grammar`.
    init(_ arguments: ArraySlice<String>, grammar: Grammar) throws(Unsupported) {
        // argument-parser treats every word after "--" as positional, even when "--" is
        // itself the value of an option.
        if arguments.contains("--") { throw Unsupported() }
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let word = arguments[index]
            index += 1
            // Dashes and "=" are ASCII: look at UTF-8 bytes, not Characters.
            let utf8 = word.utf8
            if utf8.starts(with: [0x2D, 0x2D]) {
                guard utf8.count > 2 else { throw Unsupported() }
                let afterDashes = utf8.index(utf8.startIndex, offsetBy: 2)
                let name: String
                var inline: String?
                if let equals = utf8[afterDashes...].firstIndex(of: UInt8(ascii: "=")) {
                    name = String(Substring(utf8[afterDashes..<equals]))
                    inline = String(Substring(utf8[utf8.index(after: equals)...]))
                } else {
                    name = String(Substring(utf8[afterDashes...]))
                }
                if let rule = grammar.options[name] {
                    let value: String
                    if let inline {
                        // argument-parser rejects `--opt=` ("missing value"): so must this.
                        guard !inline.isEmpty else { throw Unsupported() }
                        value = inline
                    } else {
                        guard index < arguments.endIndex else { throw Unsupported() }
                        value = arguments[index]
                        index += 1
                        if !rule.unconditional && value.hasPrefix("-") { throw Unsupported() }
                    }
                    if !rule.repeating && values[name] != nil { throw Unsupported() }
                    values[name, default: []].append(value)
                } else if inline == nil, let flag = grammar.flags[word] {
                    guard setFlags.insert(flag).inserted else { throw Unsupported() }
                } else {
                    throw Unsupported()
                }
            } else if utf8.first == UInt8(ascii: "-") && utf8.count > 1 {
                guard let flag = grammar.flags[word], setFlags.insert(flag).inserted else { throw Unsupported() }
            } else {
                positionals.append(word)
            }
        }
    }

    /// The value of a single-valued option, if given.
    func value(_ name: String) -> String? { values[name]?.first }

    /// All values of a repeatable option, in order.
    func allValues(_ name: String) -> [String] { values[name] ?? [] }

    /// Whether a flag was given.
    func flag(_ name: String) -> Bool { setFlags.contains(name) }

    /// Exactly one positional argument.
    func onlyPositional() throws(Unsupported) -> String {
        guard positionals.count == 1 else { throw Unsupported() }
        return positionals[0]
    }
}

/// A command the fast reader can build.
protocol FastParsable: RegistryCommand {
    /// The command's options and flags, global ones included.
    static var grammar: FastCommandLine.Grammar { get }
    /// Builds the command from a split line; throws when argument-parser must decide.
    ///
    /// A static function, not an initializer: inside an initializer an assignment to a
    /// wrapped property re-creates argument-parser's wrapper instead of setting its value.
    static func fast(_ line: FastCommandLine) throws(FastCommandLine.Unsupported) -> Self
}

extension FastParsable {
    /// The command for a line, validated as argument-parser would, or nil.
    static func fastParse(_ arguments: ArraySlice<String>) -> Self? {
        guard let line = try? FastCommandLine(arguments, grammar: grammar), let command = try? Self.fast(line) else {
            return nil
        }
        return command
    }
}
