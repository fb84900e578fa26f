import ArgumentParser
import ServiceRegistry

extension Servreg {
    /// `servreg unregister`: remove services.
    struct Unregister: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "unregister",
            _superCommandName: "servreg",
            abstract: "Remove services by id.",
            discussion: """
                All known ids are removed in one transaction. Unknown ids are reported on stderr
                and make the command exit 1, but the known ones are still removed.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("The service.id values to remove.", valueName: "id"), completion: Completer.fromStore)
        var ids: [String]

        func execute(in context: CommandContext) throws -> ExitStatus {
            let serviceIDs = try ids.map(ServiceIDArgument.parse)
            let (removed, missing) = try context.registry(global, access: .write).unregister(ids: serviceIDs)
            switch global.outputMode {
            case .json:
                context.output.write("[" + removed.map(ServiceFormatter.json).joined(separator: ",\n") + "]\n")
            case .ids:
                for record in removed { context.output.write("\(record.id)\n") }
            case .human: break
            }
            for id in missing { context.reportError("no service with id \(id)") }
            return missing.isEmpty ? .success : .noMatch
        }
    }
}
