import ArgumentParser
import ServiceRegistry

extension Servreg {
    /// `servreg deps`: what one service requires, what meets each requirement now, and what
    /// requires it.
    struct Deps: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "deps",
            _superCommandName: "servreg",
            abstract: "Show what a service requires, what meets it, what requires it.",
            discussion: """
                The service is given by id or as @NAME (exit 1 if unknown), satisfied or not.
                Each requirement (register --requires, numbered from 1 as --hold's
                SERVREG_REQUIRE_N_ variables are) is listed with the satisfied services that
                meet it, best first — the first is the one injected — or "not met". Then the
                services whose requirements this one meets (or would meet, were it satisfied).
                -q prints the ids of the services that meet its requirements; --json one
                object: {"service.id":…, "service.state":…, "requires":[{"requirement":…,
                "met_by":[ids]}…], "required_by":[ids]}.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: ArgumentHelp("The service.id, or @NAME.", valueName: "id"), completion: Completer.fromStore)
        var id: String

        func execute(in context: CommandContext) throws -> ExitStatus {
            let reference = try ServiceIDArgument.reference(id)
            let registry = try context.registry(global, access: .read)
            let deps = try registry.dependencies(of: reference)
            let service = deps.service
            switch global.outputMode {
            case .json:
                var out = "{\"service.id\":\(service.id),\"service.state\":"
                JSONWriter.writeString(service.state.rawValue, to: &out)
                out += ",\"requires\":["
                for (offset, status) in deps.requirements.enumerated() {
                    if offset > 0 { out += "," }
                    out += "{\"requirement\":"
                    JSONWriter.writeString(status.requirement.text, to: &out)
                    out += ",\"met_by\":[" + status.providers.map { String($0.id) }.joined(separator: ",") + "]}"
                }
                out += "],\"required_by\":[" + deps.dependents.map { String($0.id) }.joined(separator: ",") + "]}\n"
                context.output.write(out)
            case .ids:
                var seen = Set<ServiceID>()
                for provider in deps.requirements.flatMap(\.providers) where seen.insert(provider.id).inserted {
                    context.output.write("\(provider.id)\n")
                }
            case .human:
                context.output.write(Self.human(deps, formatter: ServiceFormatter(context: context)))
            }
            return .success
        }

        static func describe(_ record: ServiceRecord) -> String {
            var text = "\(record.id)"
            if let name = record.name { text += " @" + name }
            return text + " " + record.specifications.map(TextEscaping.visible).joined(separator: " ")
        }

        private static func human(_ deps: Dependencies, formatter: ServiceFormatter) -> String {
            var out = "service \(describe(deps.service)): \(deps.service.state.rawValue)\n"
            if deps.requirements.isEmpty {
                out += "requires nothing\n"
            } else {
                out += "requires:\n"
                var table = Table(
                    [
                        .init(header: "N"), .init(header: "REQUIREMENT", breaksAfter: [".", ")"], shrinks: true),
                        .init(header: "MET BY", breaksAfter: [","], shrinks: true),
                    ], width: formatter.width, bold: formatter.color)
                let rows = TextOutput(capturing: ())
                for (offset, status) in deps.requirements.enumerated() {
                    let met =
                        status.providers.isEmpty
                        ? "not met" : status.providers.map { describe($0) }.joined(separator: ", ")
                    table.add(["\(offset + 1)", TextEscaping.visible(status.requirement.text), met], to: rows)
                }
                table.finish(to: rows)
                out += rows.takeCaptured()
            }
            if deps.dependents.isEmpty {
                out += "required by nothing\n"
            } else {
                out += "required by:\n"
                for dependent in deps.dependents {
                    out += "  \(describe(dependent)) (\(dependent.state.rawValue))\n"
                }
            }
            return out
        }
    }
}
