import ArgumentParser
import ServiceRegistry

extension Servreg {
    /// `servreg props`: all properties of one service.
    struct Props: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "props",
            _superCommandName: "servreg",
            abstract: "Print all properties of one service, with their types (exit 1 if unknown).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The service.id.", valueName: "id"), completion: Completer.fromStore)
        var id: String

        func execute(in context: CommandContext) throws -> ExitStatus {
            let serviceID = try ServiceIDArgument.parse(id)
            let record = try context.registry(global, access: .read).service(id: serviceID)
            let formatter = ServiceFormatter(escapeControls: context.output.isTerminal, color: context.usesColor)
            switch global.outputMode {
            case .json: context.output.write(ServiceFormatter.json(record) + "\n")
            case .ids: context.output.write("\(record.id)\n")
            case .human: context.output.write(formatter.propertyTable(record))
            }
            return .success
        }
    }
}

extension Servreg.Props: FastParsable {
    static let grammar = GlobalOptions.grammar

    /// Copied by `fast`: building the property wrappers in `init()` costs more than reading the line.
    private static let prototype = Self()

    static func fast(_ line: FastCommandLine) throws(FastCommandLine.Unsupported) -> Self {
        var command = prototype
        command.global = try GlobalOptions.fast(line)
        command.id = try line.onlyPositional()
        return command
    }
}
