import ArgumentParser
import ServiceRegistry

extension Servreg {
    /// `servreg props`: all properties of one service.
    struct Props: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "props",
            _superCommandName: "servreg",
            abstract: "Print all properties of one service, typed (exit 1 if unknown).")

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The service.id.", valueName: "id"), completion: Completer.fromStore)
        var id: String

        func execute(in context: CommandContext) throws -> ExitStatus {
            let serviceID = try ServiceIDArgument.parse(id)
            let record = try context.registry(global, access: .read).service(id: serviceID)
            let formatter = ServiceFormatter(context: context)
            switch global.outputMode {
            case .json: context.output.write(ServiceFormatter.json(record) + "\n")
            case .ids: context.output.write("\(record.id)\n")
            case .human: context.output.write(formatter.propertyTable(record))
            }
            return .success
        }
    }
}
