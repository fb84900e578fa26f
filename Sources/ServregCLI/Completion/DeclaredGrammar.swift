import ArgumentParser
import Foundation

/// servreg's command-line grammar as argument-parser declares it: the commands and each
/// command's options, read from argument-parser's own tool description (what
/// `--experimental-dump-help` prints). The completer, the fast reader's drift test and the
/// random-line test all draw from this one source, so a new option needs no second table.
struct DeclaredGrammar: Sendable {
    /// One option or flag of a command.
    struct Option: Equatable, Sendable {
        /// Every spelling: `--store`, `-q`, `--quiet`.
        var spellings: [String]
        /// `--name` or the short form when there is no long one.
        var preferred: String
        /// Takes a value (an option, not a flag).
        var takesValue: Bool
        /// May be given more than once.
        var repeating: Bool
        /// Takes the next word even when it starts with a dash.
        var unconditional: Bool
        /// argument-parser's own `--help` / `--version`.
        var isBuiltIn: Bool
    }

    /// One subcommand.
    struct Command: Sendable {
        var name: String
        var options: [Option]
        /// The number of positional arguments it declares (a repeating one counts once).
        var positionalCount: Int
        /// Whether the last positional takes any number of words.
        var repeatingPositional: Bool

        /// The option a spelling names, if any.
        func option(spelled spelling: String) -> Option? {
            options.first { $0.spellings.contains(spelling) }
        }
    }

    /// The subcommands, in declaration order.
    let commands: [Command]

    /// The command with a name, if declared.
    func command(named name: String) -> Command? {
        commands.first { $0.name == name }
    }

    /// The command names, in declaration order.
    var commandNames: [String] { commands.map(\.name) }

    /// servreg's grammar, read once per process.
    static let servreg = DeclaredGrammar(toolInfo: Servreg._dumpHelp())

    init(toolInfo json: String) {
        let info = try? JSONDecoder().decode(ToolInfo.self, from: Data(json.utf8))
        commands = (info?.command.subcommands ?? []).map(Self.command)
    }

    /// The part of argument-parser's tool description (`ToolInfoV0`, which its package
    /// does not export as a product) that servreg reads.
    private struct ToolInfo: Decodable {
        struct CommandInfo: Decodable {
            var commandName: String
            var subcommands: [CommandInfo]?
            var arguments: [ArgumentInfo]?
        }
        struct ArgumentInfo: Decodable {
            enum Kind: String, Decodable {
                case positional, option, flag
            }
            struct NameInfo: Decodable {
                var kind: String
                var name: String
            }
            var kind: Kind
            var isRepeating: Bool
            var parsingStrategy: String
            var names: [NameInfo]?
            var preferredName: NameInfo?
        }
        var command: CommandInfo
    }

    private static func command(_ info: ToolInfo.CommandInfo) -> Command {
        var options: [Option] = []
        var positionals = 0
        var repeatingPositional = false
        for argument in info.arguments ?? [] {
            switch argument.kind {
            case .positional:
                positionals += 1
                repeatingPositional = argument.isRepeating
            case .option, .flag:
                let spellings = (argument.names ?? []).map(spelled)
                let preferred = argument.preferredName.map(spelled) ?? spellings.first ?? ""
                options.append(
                    Option(
                        spellings: spellings, preferred: preferred, takesValue: argument.kind == .option,
                        repeating: argument.isRepeating, unconditional: argument.parsingStrategy == "unconditional",
                        isBuiltIn: ["--help", "--version"].contains(preferred)))
            }
        }
        return Command(
            name: info.commandName, options: options, positionalCount: positionals,
            repeatingPositional: repeatingPositional)
    }

    private static func spelled(_ name: ToolInfo.ArgumentInfo.NameInfo) -> String {
        (name.kind == "long" ? "--" : "-") + name.name
    }
}
