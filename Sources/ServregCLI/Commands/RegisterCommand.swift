import ArgumentParser
import ServiceRegistry

extension Servreg {
    /// `servreg register`: adds a service and prints its new id.
    struct Register: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "register",
            _superCommandName: "servreg",
            abstract: "Register a service; prints its new service.id.",
            discussion: """
                Values given as key=value are typed by their text: 90 is an integer, 1.5 a float,
                true/false a boolean, anything else a string (numbers with leading zeros, such as
                02134, stay strings). Force a type with key:TYPE=value, TYPE one of str, int,
                float, bool, list, list<T> (list elements are separated by commas; \\, is a comma).

                --props-json takes a JSON object, @FILE or @- (standard input). A service's own
                JSON (get --json, props --json) may be given: its service.id and objectClass
                are ignored, with a note; service.ranking and service.scope are kept.

                Example: servreg register acme.IPlumber --prop name=Joe --prop price=90 --ranking 5
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("Specification names (objectClass), at least one.", valueName: "spec"),
            completion: Completer.fromStore)
        var specifications: [String]

        @OptionGroup var properties: PropertyOptions

        @Option(
            name: .long, parsing: .unconditional,
            help: ArgumentHelp("service.ranking: an integer, default 0.", valueName: "n"))
        var ranking: String?

        @Option(
            name: .long,
            help: ArgumentHelp("service.scope: singleton (default), bundle or prototype.", valueName: "scope"),
            completion: .list(ServiceScope.allCases.map(\.rawValue)))
        var scope: String?

        func execute(in context: CommandContext) throws -> ExitStatus {
            var pairs = try properties.assignmentPairs()
            // A service's own JSON (get --json, props --json) may be registered again: its id
            // and objectClass are the registry's and the specifications', not settable.
            var json = try properties.jsonPairs(in: context)
            let identity = json.filter {
                [ReservedKey.foldedServiceID, ReservedKey.foldedObjectClass].contains(PropertyKey.fold($0.0))
            }
            if !identity.isEmpty {
                json.removeAll {
                    [ReservedKey.foldedServiceID, ReservedKey.foldedObjectClass].contains(PropertyKey.fold($0.0))
                }
                let keys = identity.map(\.0).joined(separator: " and ")
                context.note("--props-json: \(keys) ignored (set by the registry and the specifications given)")
            }
            pairs += json
            if let ranking {
                do {
                    pairs.append((ReservedKey.ranking, try PropertyInput.convert(ranking, to: "int")))
                } catch {
                    throw CommandLineError.inOption("--ranking", error)
                }
            }
            if let scope { pairs.append((ReservedKey.scope, .string(scope))) }
            let request = RegistrationRequest(specifications: specifications, properties: pairs)
            let record = try context.registry(global, access: .write).register(request)
            context.lastRegisteredID = record.id
            switch global.outputMode {
            case .json: context.output.write(ServiceFormatter.json(record) + "\n")
            case .human, .ids: context.output.write("\(record.id)\n")
            }
            return .success
        }
    }
}
