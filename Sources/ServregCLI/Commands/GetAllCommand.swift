import ArgumentParser
import Foundation
import ServiceRegistry

extension Servreg {
    /// `servreg get-all`: every matching service, in order.
    struct GetAll: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "get-all",
            _superCommandName: "servreg",
            abstract: "Print all matching services in order (exit 1 if none).",
            discussion: """
                Without a specification, all services are considered. Order: highest
                service.ranking first, then lowest service.id; with --min/--max KEY, by KEY
                first (services without KEY last). --count prints the number of matches (0
                too, and exits 0: a count is an answer).

                Example: servreg get-all acme.IPlumber --filter '(price<=100)' --json
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("The specification name (default: all services).", valueName: "spec"),
            completion: Completer.fromStore)
        var specification: String?

        @OptionGroup var query: QueryOptions

        @Option(name: .long, help: ArgumentHelp("Print at most n services.", valueName: "n"))
        var limit: Int?

        @Flag(name: .long, help: "Print the number of matching services only.")
        var count = false

        @Option(
            name: .customLong("registered-by"),
            help: ArgumentHelp("Only the services this client registered.", valueName: "client"))
        var registeredBy: String?

        func validate() throws {
            if count && (query.min != nil || query.max != nil) {
                throw ValidationError("--count cannot be combined with --min or --max")
            }
        }

        func execute(in context: CommandContext) throws -> ExitStatus {
            if let limit, limit < 1 {
                throw CommandLineError.invalidOptionValue(
                    "--limit must be at least 1, not \(limit)", command: "get-all")
            }
            var serviceQuery = try query.query(specification: specification)
            if let registeredBy {
                do { try ClientName.validate(registeredBy) } catch {
                    throw CommandLineError.inOption("--registered-by", error)
                }
                let escaped = registeredBy.reduce(into: "") { text, character in
                    if "\\()*".contains(character) { text.append("\\") }
                    text.append(character)
                }
                let client = try LDAPFilter.parse("(\(ReservedKey.registeredBy)=\(escaped))")
                serviceQuery.filter = serviceQuery.filter.map { .and([$0, client]) } ?? client
            }
            let order = try query.order()
            let registry = try context.registry(global, access: .read)
            if count {
                var total = try registry.count(serviceQuery)
                if let limit { total = Swift.min(total, limit) }
                context.output.write("\(total)\n")
                return .success
            }
            let mode = global.outputMode
            var matched = 0
            // Human rows stream too: the table holds only its first rows, to size its columns.
            let formatter = ServiceFormatter(context: context)
            var table = formatter.serviceTable()
            if mode == .json { context.output.write("[") }
            try registry.forEach(serviceQuery, order: order, limit: limit) { record in
                // The reader has gone (| head): stop reading the registry.
                if context.outputFailed { throw CommandLineError.outputFailed(context.output.failure ?? EPIPE) }
                switch mode {
                case .json:
                    context.output.write((matched == 0 ? "\n" : ",\n") + ServiceFormatter.json(record))
                case .ids:
                    context.output.write("\(record.id)\n")
                case .human:
                    table.add(formatter.row(record), to: context.output)
                }
                matched += 1
            }
            switch mode {
            case .json: context.output.write(matched == 0 ? "]\n" : "\n]\n")
            case .human where matched > 0:
                table.finish(to: context.output)
            case .human:
                if let specification {
                    try context.noteNoMatch(
                        "no service of \(specification) matches" + (try Get.nearMiss(specification, in: registry)))
                } else {
                    context.noteNoMatch("no service matches")
                }
            case .ids: break
            }
            return matched == 0 ? .noMatch : .success
        }
    }
}
