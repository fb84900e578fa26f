import ArgumentParser
import ServiceRegistry

extension Servreg {
    /// `servreg unregister`: remove services, by id or by filter.
    struct Unregister: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "unregister",
            _superCommandName: "servreg",
            abstract: "Remove services by id, or every service a filter matches.",
            discussion: """
                unregister ID…: all known ids are removed in one transaction. Unknown ids are
                reported on stderr and make the command exit 1, but the known ones are still
                removed. An id may be @NAME. --if-rev N (one service) removes nothing and exits
                2 unless the service is at service.revision N.

                unregister --filter F [SPEC]: every service that matches (of SPEC, else of
                any specification) is removed in one transaction, and listed as get-all lists
                it; nothing matched exits 1. --dry-run lists them and removes nothing.
                --include-unsatisfied removes the unsatisfied services that match too (by id,
                any service is removed).

                Example: servreg unregister --filter '(location=BH3)' acme.IPlumber --dry-run
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp(
                "The service.id values to remove (with --filter: one specification name).", valueName: "id"),
            completion: Completer.fromStore)
        var ids: [String] = []

        @Option(
            name: .long, parsing: .unconditional,
            help: ArgumentHelp("Remove every service that matches this LDAP filter.", valueName: "filter"),
            completion: Completer.fromStore)
        var filter: String?

        @Flag(name: .long, help: "With --filter: list what would be removed, remove nothing.")
        var dryRun = false

        @Flag(
            name: .customLong("include-unsatisfied"),
            help: "With --filter: also the services whose requirements are not all met.")
        var includeUnsatisfied = false

        @Option(
            name: .customLong("if-rev"), parsing: .unconditional,
            help: ArgumentHelp(
                "Remove nothing (exit 2) unless the service is at this service.revision.", valueName: "n"))
        var ifRevision: Int64?

        func validate() throws {
            if filter == nil {
                if ids.isEmpty { throw ValidationError("Missing expected argument '<id> ...' (or --filter)") }
                if dryRun { throw ValidationError("--dry-run goes with --filter") }
                if includeUnsatisfied { throw ValidationError("--include-unsatisfied goes with --filter") }
                if ifRevision != nil, ids.count > 1 { throw ValidationError("--if-rev goes with one service") }
            } else if ifRevision != nil {
                throw ValidationError("--if-rev goes with one service, not --filter")
            } else if ids.count > 1 {
                throw ValidationError("with --filter, at most one specification name may follow (not ids)")
            }
        }

        func execute(in context: CommandContext) throws -> ExitStatus {
            if let filter { return try unregisterMatching(filter, in: context) }
            let references = try ids.map(ServiceIDArgument.reference)
            if let ifRevision, ifRevision < 0 {
                throw CommandLineError.invalidOptionValue(
                    "--if-rev must be a revision (0 or more), not \(ifRevision)", command: "unregister")
            }
            let (removed, missing) = try context.registry(global, access: .write).unregister(
                references, ifRevision: ifRevision)
            switch global.outputMode {
            case .json:
                context.output.write(Self.jsonList(removed))
            case .ids:
                for record in removed { context.output.write("\(record.id)\n") }
            case .human: break
            }
            for reference in missing {
                _ = context.report(RegistryError.noSuchService(reference))
            }
            return missing.isEmpty ? .success : .noMatch
        }

        /// Services as get-all --json lists them: `[`, one object a line, `]`.
        static func jsonList(_ records: [ServiceRecord]) -> String {
            records.isEmpty ? "[]\n" : "[\n" + records.map(ServiceFormatter.json).joined(separator: ",\n") + "\n]\n"
        }

        private func unregisterMatching(_ filter: String, in context: CommandContext) throws -> ExitStatus {
            let specification = ids.first
            var query = try QueryOptions.query(specification: specification, filter: filter)
            query.includeUnsatisfied = includeUnsatisfied
            let registry = try context.registry(global, access: dryRun ? .read : .write)
            let removed = try registry.unregister(matching: query, dryRun: dryRun)
            switch global.outputMode {
            case .json:
                context.output.write(Self.jsonList(removed))
            case .ids:
                for record in removed { context.output.write("\(record.id)\n") }
            case .human where !removed.isEmpty:
                context.output.write(ServiceFormatter(context: context).table(removed))
            case .human: break
            }
            if removed.isEmpty {
                var hint = ""
                if let specification, let id = ServiceID(specification), id > 0,
                    (try? registry.service(id: id)) != nil,
                    try registry.count(ServiceQuery(specification: specification)) == 0
                {
                    // `unregister --filter F 12`: the argument after --filter is a specification.
                    hint =
                        "; with --filter, \(specification) is a specification (to remove service \(id): unregister \(id))"
                }
                context.note(specification.map { "no service of \($0) matches\(hint)" } ?? "no service matches")
                return .noMatch
            }
            let services = removed.count == 1 ? "1 service" : "\(removed.count) services"
            guard dryRun || global.outputMode == .human else { return .success }
            context.note(dryRun ? "dry run: \(services) would be removed; nothing was changed" : "removed \(services)")
            return .success
        }
    }
}
