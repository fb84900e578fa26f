import ArgumentParser
import Foundation
import ServiceRegistry

/// The entry point shared by the `servreg` executable (and later the shell and batch runner).
public enum ServregMain {
    /// Runs one command line (without the program name) and returns its exit status.
    public static func run(arguments: [String]) -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        // The Swift runtime's backtracer takes SIGQUIT (Ctrl-\) for a crash report and
        // leaves the process running: SIGQUIT ends servreg, as it ends any tool.
        signal(SIGQUIT, SIG_DFL)
        let context = CommandContext()
        // Bare servreg (also with only global options: servreg --store PATH) is the shell:
        // on a terminal the prompt, with lines piped in a batch of them (as servreg shell
        // does). With a terminal for input but not for output, it lacks a command.
        let noCommand = globalOptionCount(arguments) == arguments.count
        let terminalInput = isatty(STDIN_FILENO) == 1
        var status: ExitStatus
        if noCommand && (!terminalInput || isatty(STDOUT_FILENO) == 1) {
            status = run(arguments: ["shell"] + arguments, in: context)
        } else if noCommand && !arguments.isEmpty {
            status = context.report(CommandLineError.noCommand(after: arguments.joined(separator: " ")))
        } else {
            status = run(arguments: hoistGlobalOptions(arguments), in: context)
        }
        // An etcd connection leaves the registry as it last knew it for the next process.
        context.closeSharedStore()
        context.output.flush()
        // A command that printed nothing it was asked to print did not succeed.
        if let failure = context.output.failure { status = context.report(CommandLineError.outputFailed(failure)) }
        context.errors.flush()
        if status == .success, let held = context.heldExitCode { return held }
        return status.rawValue
    }

    static func run(arguments: [String], in context: CommandContext) -> ExitStatus {
        if let script = completionScriptRequest(arguments) {
            context.output.write(script)
            return .success
        }
        // The everyday forms: no dynamic casts on the way (a batch runs 100,000 of them).
        if let command = FastCommandLine.command(for: arguments) {
            return execute(command, in: context)
        }
        // servreg help X: X must be a command (argument-parser would show the root's help).
        if arguments.first == "help", arguments.count >= 2 {
            guard arguments.count == 2, !arguments[1].hasPrefix("-") else {
                return context.report(CommandLineError.argumentParser("help takes one command name", command: nil))
            }
            guard commandNames.contains(arguments[1]) else {
                return context.report(CommandLineError.unknownCommand(arguments[1]))
            }
        }
        if arguments.first == "register", arguments.last == "--hold" || arguments.suffix(2) == ["--hold", "--"] {
            return context.report(
                CommandLineError.argumentParser(
                    "--hold needs a command (the rest of the line, after --)", command: "register"))
        }
        if arguments.first == "register",
            let last = ["--factory", "--release"].first(where: { option in
                arguments.last == option || Array(arguments.suffix(2)) == [option, "--"]
            })
        {
            return context.report(
                CommandLineError.argumentParser(
                    "\(last) needs a command (the rest of the line, after --)", command: "register"))
        }
        if arguments.first == "listen", arguments.last == "--exec" {
            return context.report(
                CommandLineError.argumentParser("--exec needs a command (the rest of the line)", command: "listen"))
        }
        if let option = emptyInlineValue(arguments) {
            return context.report(CommandLineError.emptyInlineValue(option: option, command: commandName(arguments)))
        }
        var command: any ParsableCommand
        do {
            command = try parseCommand(arguments)
            guard command is any RegistryCommand else {
                // Built-in commands (help) and the bare root, which asks for help.
                try command.run()
                return .success
            }
        } catch {
            let code = Servreg.exitCode(for: error)
            if code == .success {
                context.output.write(Servreg.fullMessage(for: error) + "\n")
                return .success
            }
            if let name = arguments.first, !name.hasPrefix("-"), !commandNames.contains(name) {
                // argument-parser would say "Unexpected argument": name what is wrong.
                return context.report(CommandLineError.unknownCommand(name))
            }
            // (argument-parser names the nearest option itself: "Did you mean '--filter'?")
            let message = Servreg.message(for: error)
            let command = commandName(arguments)
            // A negative number where an id goes reads as an option to argument-parser.
            if let command, idCommands.contains(command),
                let negative = arguments.dropFirst().first(where: {
                    $0.count > 1 && $0.hasPrefix("-") && Int($0) != nil
                })
            {
                return context.report(CommandLineError.invalidServiceID(negative))
            }
            // --count -2, --timeout -1s: argument-parser takes the value for an option, and
            // says it is missing. It is a value out of range.
            if message.hasPrefix("Missing value for '--"),
                let index = arguments.indices.dropLast().first(where: {
                    arguments[$0].hasPrefix("--") && message.hasPrefix("Missing value for '\(arguments[$0]) ")
                        && arguments[$0 + 1].hasPrefix("-") && arguments[$0 + 1].count > 1
                        && (arguments[$0 + 1].dropFirst().first?.isNumber ?? false)
                })
            {
                return context.report(
                    CommandLineError.invalidOptionValue(
                        "\(arguments[index]) takes no negative value, not \(arguments[index + 1])", command: command))
            }
            // "The value 'x' is invalid for '--limit <n>'": a bad value, as --ranking x is.
            if message.hasPrefix("The value '"), message.contains("' is invalid for '") {
                return context.report(CommandLineError.invalidOptionValue(message, command: command))
            }
            return context.report(CommandLineError.argumentParser(message, command: command))
        }
        guard let registryCommand = command as? any RegistryCommand else { return .internalError }
        return execute(registryCommand, in: context)
    }

    /// Runs a parsed command, mapping its errors to messages and exit statuses.
    static func execute(_ command: any RegistryCommand, in context: CommandContext) -> ExitStatus {
        let status: ExitStatus
        do {
            status = try command.execute(in: context)
        } catch RegistryError.beforeHooksInBatch where context.isInGroup {
            // Hooks run outside transactions: the line runs alone, after the group commits.
            _ = context.endGroup()
            return .success
        } catch RegistryError.batchUnavailable(.full) where context.isInGroup {
            // The group is as big as the store takes: the line starts the next one.
            _ = context.endGroup()
            context.groupFull = true
            return .success
        } catch {
            status = context.report(error)
        }
        // Releases the command let go of run once it has committed; one that fails is the
        // command's status when nothing else went wrong (the write stands).
        if context.isInAtomicBatch || status == .permissionDenied || status == .storeError { return status }
        let released = context.runQueuedReleases()
        return status == .success ? released ?? status : status
    }

    /// Parses what the fast reader left (see `run`) with argument-parser: the named
    /// subcommand on its own first, which skips building the whole command tree; any
    /// error or help request is parsed again from the root for the full message.
    static func parseCommand(_ arguments: [String]) throws -> any ParsableCommand {
        if let name = arguments.first,
            let subcommand = Servreg.configuration.subcommands.first(where: { $0.configuration.commandName == name }),
            let command = try? subcommand.parseAsRoot(Array(arguments.dropFirst())),
            command is any RegistryCommand
        {
            return command
        }
        return try Servreg.parseAsRoot(arguments)
    }

    /// An option written `--name=` with nothing after the `=`, before any `--`.
    ///
    /// argument-parser would take the next word as its value (`--store= a.B` stores in a
    /// file `a.B`): `--store=$STORE` with STORE unset must fail, whatever follows.
    static func emptyInlineValue(_ arguments: [String]) -> String? {
        for argument in arguments {
            if argument == "--" { return nil }
            if argument.hasPrefix("--"), argument.count > 3,
                argument.firstIndex(of: "=") == argument.index(before: argument.endIndex)
            {
                return String(argument.dropLast())
            }
        }
        return nil
    }

    /// The mended completion script for `--generate-completion-script SHELL`, or nil.
    private static func completionScriptRequest(_ arguments: [String]) -> String? {
        let option = "--generate-completion-script"
        guard let first = arguments.first else { return nil }
        if first == option, arguments.count == 2 { return CompletionScript.text(for: arguments[1]) }
        if first.hasPrefix(option + "="), arguments.count == 1 {
            return CompletionScript.text(for: String(first.dropFirst(option.count + 1)))
        }
        return nil
    }

    /// The commands whose arguments are service ids.
    private static let idCommands: Set<String> = ["props", "set-props", "unregister", "unget", "renew", "keepalive"]

    /// The command names, `help` included.
    static let commandNames = Servreg.configuration.subcommands.map { $0._commandName } + ["help"]

    /// The command a line names, when its first word is one.
    private static func commandName(_ arguments: [String]) -> String? {
        guard let first = arguments.first,
            Servreg.configuration.subcommands.contains(where: { $0._commandName == first })
        else { return nil }
        return first
    }

    /// Moves `--store`, `--json` and `-q` written before the command name to after it.
    static func hoistGlobalOptions(_ arguments: [String]) -> [String] {
        let index = globalOptionCount(arguments)
        guard index > 0, index < arguments.count else { return arguments }
        return [arguments[index]] + arguments[..<index] + arguments[(index + 1)...]
    }

    /// How many leading words are global options and their values.
    static func globalOptionCount(_ arguments: [String]) -> Int {
        var index = 0
        outer: while index < arguments.count {
            let argument = arguments[index]
            for option in GlobalOptions.hoistable {
                if argument == option.name {
                    index += option.takesValue ? min(2, arguments.count - index) : 1
                    continue outer
                }
                if option.takesValue, argument.hasPrefix(option.name + "=") {
                    index += 1
                    continue outer
                }
            }
            break
        }
        return index
    }
}
