import ArgumentParser
import ServiceRegistry

extension Servreg {
    /// `servreg get`: the best service of a specification.
    struct Get: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "get",
            _superCommandName: "servreg",
            abstract: "Print the best service of a specification (exit 1 if none).",
            discussion: """
                The best service is the first in get-all's order: highest service.ranking,
                then lowest service.id; with --min/--max KEY, the smallest/largest KEY first.

                --value prints the best service's value alone, byte for byte (no newline is
                added), as OSGi's getService: url=$(servreg get acme.IDatabase --value). A
                factory's value is made on request (see register --factory); asking counts as
                the client's use until unget.

                Example: servreg get acme.IPlumber --filter '(&(price<=100)(location=BH3))'
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The specification name.", valueName: "spec"), completion: Completer.fromStore)
        var specification: String

        @OptionGroup var query: QueryOptions

        @OptionGroup var valueRequest: ValueRequestOptions

        func validate() throws { try valueRequest.validate(with: global) }

        /// "; did you mean 'acme.IPlumber'?" when no service has `specification` and one
        /// name in the store is a typo away from it (`get`, `get-all`: a note, not an error).
        static func nearMiss(_ specification: String, in registry: Registry) throws -> String {
            guard try registry.count(ServiceQuery(specification: specification)) == 0 else { return "" }
            let near = Suggestion.closest(
                to: specification, among: try registry.specificationNames(prefix: "", limit: 5000))
            return near.map { "; did you mean \(Quoting.quoted($0))?" } ?? ""
        }

        func execute(in context: CommandContext) throws -> ExitStatus {
            let serviceQuery = try query.query(specification: specification)
            let order = try query.order()
            if valueRequest.value {
                if order != .ranking {
                    throw CommandLineError.argumentParser(
                        "--value takes the best service by ranking: it cannot be combined with --min or --max",
                        command: "get")
                }
                return try ServiceValueOutput.print(
                    .best(serviceQuery), specification: specification, global: global,
                    client: valueRequest.clientOptions,
                    in: context)
            }
            guard let record = try context.registry(global, access: .read).first(serviceQuery, order: order) else {
                // Not an error: an answer, said as a note to people (scripts get the status alone).
                if global.outputMode == .human {
                    let registry = try context.registry(global, access: .read)
                    try context.noteNoMatch(
                        "no service of \(specification) matches" + (try Self.nearMiss(specification, in: registry)))
                }
                return .noMatch
            }
            let formatter = ServiceFormatter(context: context)
            switch global.outputMode {
            case .json: context.output.write(ServiceFormatter.json(record) + "\n")
            case .ids: context.output.write("\(record.id)\n")
            case .human: context.output.write(formatter.table([record]))
            }
            return .success
        }
    }
}
