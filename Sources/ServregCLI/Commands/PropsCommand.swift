import ArgumentParser
import ServiceRegistry

extension Servreg {
    /// `servreg props`: all properties of one service.
    struct Props: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "props",
            _superCommandName: "servreg",
            abstract: "Print all properties of one service, typed (exit 1 if unknown).",
            discussion: """
                The service is given by id or as @NAME. Its lease shows as service.ttl and
                service.expires (with the time left), its owner as service.owner.pid.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The service.id, or @NAME.", valueName: "id"), completion: Completer.fromStore)
        var id: String

        func execute(in context: CommandContext) throws -> ExitStatus {
            let reference = try ServiceIDArgument.reference(id)
            let registry = try context.registry(global, access: .read)
            let record = try registry.service(reference)
            let formatter = ServiceFormatter(context: context)
            switch global.outputMode {
            case .json: context.output.write(ServiceFormatter.json(record) + "\n")
            case .ids: context.output.write("\(record.id)\n")
            case .human: context.output.write(formatter.propertyTable(record, now: registry.liveness.now()))
            }
            return .success
        }
    }
}
