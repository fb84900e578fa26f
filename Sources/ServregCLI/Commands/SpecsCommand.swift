import ArgumentParser
import ServiceRegistry

extension Servreg {
    /// `servreg specs`: the specifications in the store, with how many services each has.
    struct Specs: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "specs",
            _superCommandName: "servreg",
            abstract: "List the specification names in use, with their service counts.",
            discussion: """
                In name order; a service registered under several specifications counts for
                each. With a PREFIX, only the names that start with it. -q prints the names
                only; --json one object per name: {"specification":…,"services":…}. Exits 1 if
                there is none.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("Only names that start with this.", valueName: "prefix"),
            completion: Completer.fromStore)
        var prefix: String = ""

        func execute(in context: CommandContext) throws -> ExitStatus {
            let registry = try context.registry(global, access: .read)
            let counts = try registry.specificationCounts(prefix: prefix)
            switch global.outputMode {
            case .json:
                let objects = counts.map { entry in
                    var object = "{\"specification\":"
                    JSONWriter.writeString(entry.name, to: &object)
                    return object + ",\"services\":\(entry.services)}"
                }
                context.output.write(JSONLines.array(objects))
            case .ids:
                for entry in counts { context.output.write(TextEscaping.visible(entry.name) + "\n") }
            case .human where !counts.isEmpty:
                let formatter = ServiceFormatter(context: context)
                var table = Table(
                    [.init(header: "SPECIFICATION", breaksAfter: ["."], shrinks: true), .init(header: "SERVICES")],
                    width: formatter.width,
                    bold: formatter.color)
                for entry in counts {
                    table.add([TextEscaping.visible(entry.name), String(entry.services)], to: context.output)
                }
                table.finish(to: context.output)
            case .human:
                context.noteNoMatch(
                    prefix.isEmpty ? "no service is registered" : "no specification starts with \(prefix)")
            }
            return counts.isEmpty ? .noMatch : .success
        }
    }
}
