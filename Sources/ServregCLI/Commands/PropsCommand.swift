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
                service.expires (with the time left), its owner as service.owner.pid, the
                client that registered it as service.registered-by and the clients that use
                its value as service.users. A service registered with --requires shows them as
                service.requires, whether they are all met as service.state (satisfied or
                unsatisfied) and those not met now as service.missing. --value prints the
                value alone, byte for byte (a factory makes it, as get --value).
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The service.id, or @NAME.", valueName: "id"), completion: Completer.fromStore)
        var id: String

        @OptionGroup var valueRequest: ValueRequestOptions

        func validate() throws { try valueRequest.validate(with: global) }

        func execute(in context: CommandContext) throws -> ExitStatus {
            let reference = try ServiceIDArgument.reference(id)
            if valueRequest.value {
                return try ServiceValueOutput.print(
                    .service(reference), specification: nil, global: global, client: valueRequest.clientOptions,
                    in: context)
            }
            let registry = try context.registry(global, access: .read)
            let record = try registry.service(reference)
            let formatter = ServiceFormatter(context: context)
            let missing =
                record.requirements.isEmpty
                ? [] : try registry.requirementStatus(of: record).filter(\.providers.isEmpty).map(\.requirement)
            switch global.outputMode {
            case .json:
                var json = ServiceFormatter.json(record)
                func append(_ key: String, _ value: PropertyValue) {
                    var list = ","
                    JSONWriter.writeString(key, to: &list)
                    list += ":"
                    JSONWriter.writeValue(value, to: &list)
                    json.insert(contentsOf: list, at: json.index(before: json.endIndex))
                }
                let users = try registry.users(of: record.id)
                if !users.isEmpty { append(ReservedKey.users, .list(users.map(PropertyValue.string))) }
                if !record.requirements.isEmpty {
                    append(ReservedKey.missing, .list(missing.map { .string($0.text) }))
                }
                context.output.write(json + "\n")
            case .ids: context.output.write("\(record.id)\n")
            case .human:
                context.output.write(
                    formatter.propertyTable(
                        record, now: registry.liveness.now(), users: try registry.users(of: record.id),
                        missing: missing))
            }
            return .success
        }
    }
}
