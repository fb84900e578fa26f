import ArgumentParser
import ServiceRegistry

extension Servreg {
    /// `servreg set-props`: change a service's properties.
    struct SetProps: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-props",
            _superCommandName: "servreg",
            abstract: "Change properties of a service (merge by default).",
            discussion: """
                key=value pairs, --prop and --props-json are merged into the existing
                properties; --unset KEY removes one; --replace makes the given properties the
                whole set (service.ranking back to 0 unless given). service.id and objectClass
                are read-only and service.scope is fixed at registration: changing them exits
                65. A change that leaves every value as it was is not an event.

                --if-rev N changes nothing and exits 2 unless the service is still at
                service.revision N (read it with props): read–modify–write without lost
                updates. --ttl DURATION gives the service a new lease from now (0 removes it);
                a lease alone is no event. --value TEXT (or --value-file PATH, - for standard
                input) replaces the service's value (MODIFIED when it differs).

                Example: servreg set-props 7 price=80 --unset discount
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The service.id, or @NAME.", valueName: "id"), completion: Completer.fromStore)
        var id: String

        @Argument(
            help: ArgumentHelp("Properties to set, as with --prop.", valueName: "key=value"),
            completion: Completer.fromStore)
        var pairs: [String] = []

        @OptionGroup var properties: PropertyOptions

        @Option(
            name: .long, parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Remove a property. Repeatable.", valueName: "key"),
            completion: Completer.fromStore)
        var unset: [String] = []

        @Flag(name: .long, help: "Replace the whole property set instead of merging.")
        var replace = false

        @Option(
            name: .customLong("if-rev"), parsing: .unconditional,
            help: ArgumentHelp(
                "Change nothing (exit 2) unless the service is at this service.revision.", valueName: "n"))
        var ifRevision: Int64?

        @Option(
            name: .long, parsing: .unconditional,
            help: ArgumentHelp("A new lease from now (500ms, 30s, 5m, 1h); 0 removes the lease.", valueName: "duration")
        )
        var ttl: String?

        @OptionGroup var valueInput: ValueInputOptions

        func execute(in context: CommandContext) throws -> ExitStatus {
            let reference = try ServiceIDArgument.reference(id)
            if let ifRevision, ifRevision < 0 {
                throw CommandLineError.invalidOptionValue(
                    "--if-rev must be a revision (0 or more), not \(ifRevision)", command: "set-props")
            }
            let milliseconds = try ServiceIDArgument.ttl(ttl)
            let update = PropertyUpdate(
                assignments: try properties.pairs(extra: pairs, in: context), removals: unset, replace: replace)
            let bytes = try valueInput.bytes(in: context)
            let (record, _) = try context.registry(global, access: .write).setProperties(
                reference, update, ifRevision: ifRevision, ttl: milliseconds, value: bytes)
            switch global.outputMode {
            case .json: context.output.write(ServiceFormatter.json(record) + "\n")
            case .ids: context.output.write("\(record.id)\n")
            case .human: break
            }
            return .success
        }
    }
}
