import ArgumentParser
import ServiceRegistry

extension Servreg {
    /// `servreg hook add|list|rm`: extensions around register, set-props and unregister.
    struct HookCommand: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "hook",
            _superCommandName: "servreg",
            abstract: "Add, list or remove hooks: commands run before or after changes.",
            usage: """
                servreg hook add before|after register|set-props|unregister [--spec <spec>] \\
                    [--name <name>] [--timeout <duration>] -- <command>...
                servreg hook list [--json] [-q]
                servreg hook rm <name>
                """,
            discussion: """
                Hooks are kept in the store: every process and user of it runs them,
                in the order they were added, for the services of --spec (a name, or
                a prefix with *: prod.*), else every service. A before-hook gets the
                proposed change on stdin as JSON ({"phase","hook","operation",
                "client","before","after"}); exit 0 lets it through, and a JSON
                object it prints is merged into it (null removes a key); any other
                exit refuses it: exit 3, its first stderr line the message, nothing
                changed. An after-hook gets the committed change's event (as listen
                --json prints it); its failure is a warning. Hooks run outside
                transactions: a change commits only if it is still what its
                before-hooks saw (else they see it again, 5 times at most: exit 75).
                They run only from a trusted store (as factories: exit 77), and not
                inside run --atomic (exit 3). --timeout: default 5s; a before-hook
                that runs longer refuses.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("add, list or rm.", valueName: "action"), completion: .list(["add", "list", "rm"]))
        var action: String?

        @Argument(
            help: ArgumentHelp("With add: before or after; with rm: the hook's name.", valueName: "phase|name"),
            completion: .list(Hook.Phase.allCases.map(\.rawValue)))
        var phase: String?

        @Argument(
            help: ArgumentHelp("With add: register, set-props or unregister.", valueName: "operation"),
            completion: .list(Hook.Operation.allCases.map(\.rawValue)))
        var operation: String?

        @Option(
            name: .long,
            help: ArgumentHelp("With add: only for services of this specification (or PREFIX*).", valueName: "spec"),
            completion: Completer.fromStore)
        var spec: String?

        @Option(name: .long, help: ArgumentHelp("With add: the hook's name (default hook-N).", valueName: "name"))
        var name: String?

        @Option(
            name: .long, help: ArgumentHelp("With add: how long it may run (default 5s).", valueName: "duration"))
        var timeout: String?

        @Argument(
            parsing: .postTerminator,
            help: ArgumentHelp("With add: the command, after --.", valueName: "command"))
        var command: [String] = []

        enum Action: String {
            case add, list, rm
        }

        /// The words before `--`.
        private var words: [String] { [action, phase, operation].compactMap { $0 } }

        func validate() throws {
            guard let first = words.first else { throw ValidationError("hook needs an action: add, list or rm") }
            guard let action = Action(rawValue: first) else {
                throw ValidationError("hook: unknown action \(Quoting.quoted(first)) (add, list or rm)")
            }
            switch action {
            case .add:
                guard words.count >= 2, Hook.Phase(rawValue: words[1]) != nil else {
                    let given = words.count >= 2 ? " \(Quoting.quoted(words[1]))" : ""
                    throw ValidationError("hook add: unknown phase\(given) (before or after)")
                }
                guard words.count >= 3, Hook.Operation(rawValue: words[2]) != nil else {
                    let given = words.count >= 3 ? " \(Quoting.quoted(words[2]))" : ""
                    throw ValidationError("hook add: unknown operation\(given) (register, set-props or unregister)")
                }
                if command.isEmpty { throw ValidationError("hook add needs a command after --") }
            case .list, .rm:
                if spec != nil || name != nil || timeout != nil || !command.isEmpty {
                    throw ValidationError("--spec, --name, --timeout and a command go with hook add")
                }
                if action == .list, words.count != 1 { throw ValidationError("hook list takes no name") }
                if action == .rm, words.count != 2 { throw ValidationError("hook rm takes one hook name") }
            }
        }

        func execute(in context: CommandContext) throws -> ExitStatus {
            guard let action = words.first.flatMap(Action.init) else { return .usage }
            switch action {
            case .add:
                guard let phase = phase.flatMap(Hook.Phase.init), let operation = operation.flatMap(Hook.Operation.init)
                else { return .usage }
                var milliseconds = Hook.defaultTimeout
                if let timeout {
                    do {
                        milliseconds = try LeaseDuration.parse(timeout)
                    } catch {
                        throw CommandLineError.inOption("--timeout", error)
                    }
                }
                let hook = Hook(
                    name: name ?? "", phase: phase, operation: operation, specification: spec, command: command,
                    timeout: milliseconds)
                let added = try context.registry(global, access: .write).addHook(hook, named: name != nil)
                if global.outputMode != .json {
                    context.output.write(added.name + "\n")
                } else {
                    context.output.write(Self.json(added) + "\n")
                }
            case .list:
                let hooks = try context.registry(global, access: .read).hooks()
                switch global.outputMode {
                case .json:
                    let objects = hooks.map(Self.json)
                    context.output.write(JSONLines.array(objects))
                case .ids:
                    for hook in hooks { context.output.write(hook.name + "\n") }
                case .human where !hooks.isEmpty:
                    let formatter = ServiceFormatter(context: context)
                    var table = Table(
                        [
                            .init(header: "NAME"), .init(header: "PHASE"), .init(header: "OPERATION"),
                            .init(header: "SPEC", breaksAfter: ["."], shrinks: true), .init(header: "TIMEOUT"),
                            .init(header: "COMMAND", breaksAfter: [" "], shrinks: true),
                        ], width: formatter.width, bold: formatter.color)
                    for hook in hooks {
                        table.add(
                            [
                                hook.name, hook.phase.rawValue, hook.operation.rawValue,
                                hook.specification.map(TextEscaping.visible) ?? "*", LeaseDuration.format(hook.timeout),
                                hook.command.map(CommandSession.shown).joined(separator: " "),
                            ], to: context.output)
                    }
                    table.finish(to: context.output)
                case .human:
                    context.noteNoMatch("no hook is set")
                }
                return hooks.isEmpty ? .noMatch : .success
            case .rm:
                try context.registry(global, access: .write).removeHook(named: words[1])
            }
            return .success
        }

        /// `{"name":…,"phase":…,"operation":…,"spec":…|null,"timeout":"5s","command":[…]}`.
        static func json(_ hook: Hook) -> String {
            var out = "{\"name\":"
            JSONWriter.writeString(hook.name, to: &out)
            out += ",\"phase\":\"\(hook.phase.rawValue)\",\"operation\":\"\(hook.operation.rawValue)\",\"spec\":"
            if let specification = hook.specification {
                JSONWriter.writeString(specification, to: &out)
            } else {
                out += "null"
            }
            out += ",\"timeout\":\"\(LeaseDuration.format(hook.timeout))\",\"command\":"
            JSONWriter.writeValue(.list(hook.command.map(PropertyValue.string)), to: &out)
            return out + "}"
        }
    }
}
