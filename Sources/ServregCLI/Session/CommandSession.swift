import ArgumentParser
import Foundation
import ServiceRegistry
import ServregSyntax

/// Runs command lines one after another against one context — the interactive shell and
/// batch files. Lines are split like a POSIX shell and parsed by the same command parser as
/// one-shot use, plus a few session commands: `help`, `exit`/`quit`, `set NAME = COMMAND`
/// and `echo`.
final class CommandSession {
    /// What a line asks for next.
    enum Outcome: Equatable {
        case status(ExitStatus)
        case exit(ExitStatus)
    }

    let context: CommandContext
    private(set) var variables: [String: String] = [:]
    /// The exit status of the last line that ran a command (`$?`).
    private(set) var lastStatus = ExitStatus.success
    /// What lines change in a session: variables, `$?` and `$_`.
    struct State {
        var variables: [String: String]
        var lastStatus: ExitStatus
        var lastRegisteredID: ServiceID?
    }

    /// The session's state; a batch body that is run again (the first write of a new store
    /// runs it twice) starts again from the state it first started from.
    var state: State {
        get { State(variables: variables, lastStatus: lastStatus, lastRegisteredID: context.lastRegisteredID) }
        set {
            variables = newValue.variables
            lastStatus = newValue.lastStatus
            context.lastRegisteredID = newValue.lastRegisteredID
        }
    }

    /// Called with each line's words as they will run, variables expanded (`run -x`).
    var trace: (([String]) -> Void)?

    init(context: CommandContext) {
        self.context = context
        context.storeSettings.longLived = true
    }

    /// The session commands, for `help` and completion.
    static let builtins = ["echo", "exit", "help", "quit", "set"]
    /// Commands a batch refuses: they would start a session inside this one.
    static let refusedCommands = ["run", "shell"]
    /// Commands the interactive shell refuses (`run FILE` runs a batch from the prompt).
    static let refusedInShell = ["shell"]
    /// Whether this is the interactive shell (not a batch).
    var interactive = false

    private var tokenizer: LineTokenizer {
        LineTokenizer { [unowned self] name in
            if let value = variables[name] { return value }
            if name == "_" { return context.lastRegisteredID.map(String.init) }
            if name == "?" { return String(lastStatus.rawValue) }
            return context.environment[name]
        }
    }

    /// Runs one line.
    func execute(_ line: String) -> Outcome {
        ranCommand = false
        let outcome = perform(line)
        // A blank or comment line leaves $? as it was, as in sh.
        if ranCommand, case .status(let status) = outcome { lastStatus = status }
        return outcome
    }

    private var ranCommand = false

    private func perform(_ line: String) -> Outcome {
        ranCommand = true
        let words: [String]
        do {
            words = try tokenizer.words(line)
        } catch {
            let hint = error.message == "unknown variable $_" ? "no register has printed an id yet" : nil
            return .status(
                context.report(
                    CommandLineError.unreadableLine(message: error.message, column: error.column, hint: hint)))
        }
        guard let first = words.first else {
            ranCommand = false
            return .status(.success)
        }
        trace?(words)
        switch first {
        case "exit", "quit":
            guard words.count <= 2 else { return usage("\(first) takes at most one argument, an exit status") }
            guard let code = words.count == 2 ? Int32(words[1]) : 0, let status = ExitStatus(rawValue: code) else {
                return usage("\(first): '\(words[1])' is not one of servreg's exit statuses")
            }
            return .exit(status)
        case "help":
            // help alone: a screen's worth; help COMMAND: that command's whole help.
            if words.count == 1 {
                context.output.write(shortHelp)
                return .status(.success)
            }
            guard words.count == 2 else { return usage("help takes one command name") }
            guard ServregMain.commandNames.contains(words[1]) || Self.builtins.contains(words[1]) else {
                return .status(context.report(CommandLineError.unknownCommand(words[1])))
            }
            if Self.builtins.contains(words[1]) {
                context.output.write(Self.sessionHelp)
                return .status(.success)
            }
            return .status(ServregMain.run(arguments: [words[1], "--help"], in: context))
        case "echo":
            context.output.write(words.dropFirst().joined(separator: " ") + "\n")
            return .status(.success)
        case "set":
            return set(Array(words.dropFirst()))
        case let name where (interactive ? Self.refusedInShell : Self.refusedCommands).contains(name):
            return .status(context.report(CommandLineError.notInSession(first)))
        default:
            return .status(ServregMain.run(arguments: ServregMain.hoistGlobalOptions(words), in: context))
        }
    }

    /// `set NAME = COMMAND …`: runs the command and keeps what it printed in `$NAME`.
    private func set(_ words: [String]) -> Outcome {
        guard words.count >= 3, words[1] == "=" else { return usage("write set NAME = COMMAND [ARGUMENTS…]") }
        let name = words[0]
        guard let head = name.unicodeScalars.first, head == "_" || (head.isASCII && head.properties.isAlphabetic),
            name.unicodeScalars.allSatisfy({
                $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
            }), name != "_"
        else {
            return usage("'\(name)' is not a variable name (letters, digits and _, not starting with a digit)")
        }
        let saved = context.output
        let capture = TextOutput(capturing: ())
        context.output = capture
        // -x showed the set line: not its command again.
        let savedTrace = trace
        trace = nil
        let outcome = execute(words.dropFirst(2).map(Self.quoted).joined(separator: " "))
        trace = savedTrace
        context.output = saved
        guard outcome == .status(.success) else { return outcome }
        var value = capture.takeCaptured()
        while value.hasSuffix("\n") { value.removeLast() }
        variables[name] = value
        return .status(.success)
    }

    private func usage(_ message: String) -> Outcome {
        .status(context.report(CommandLineError.sessionUsage(message)))
    }

    /// `help` alone: every command with its one-line summary, and the session's own.
    private var shortHelp: String {
        let refused = interactive ? Self.refusedInShell : Self.refusedCommands
        let commands = Servreg.configuration.subcommands.filter { !refused.contains($0._commandName) }
        var text = "COMMANDS (help COMMAND shows one in full; man servreg has everything):\n"
        for command in commands {
            let name = command._commandName.padding(toLength: 12, withPad: " ", startingAt: 0)
            text += "  \(name)\(command.configuration.abstract)\n"
        }
        return text + Self.sessionHelp
    }

    static let sessionHelp = """
        SESSION: set NAME = COMMAND ... (its output in $NAME), echo, exit [N], Ctrl-D
          $_ last id registered, $? last status; # comment; \\ or an open quote continues

        """

    /// A word as `-x` shows it: bare when the tokenizer reads it back unchanged, quoted
    /// otherwise; control characters escaped.
    static func shown(_ word: String) -> String {
        let plain =
            !word.isEmpty
            && word.unicodeScalars.allSatisfy { scalar in
                scalar.value > 0x7F
                    ? !TextEscaping.needsEscape(scalar)
                    : (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                        || "-_./:=@%+,()&|!<>*~".unicodeScalars.contains(scalar))
            }
        return plain ? word : "'" + TextEscaping.escapingControlCharacters(word).replacingAll("'", with: "'\\''") + "'"
    }

    /// A word quoted so that the tokenizer reads it back unchanged.
    static func quoted(_ word: String) -> String {
        // By scalar: a quote followed by a combining mark is one Character, and must still
        // be closed and escaped (found by fuzzing).
        var out = String.UnicodeScalarView()
        out.append("'")
        for scalar in word.unicodeScalars {
            if scalar == "'" { out.append(contentsOf: "'\\''".unicodeScalars) } else { out.append(scalar) }
        }
        out.append("'")
        return String(out)
    }
}
