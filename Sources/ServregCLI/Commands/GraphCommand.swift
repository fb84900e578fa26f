import ArgumentParser
import ServiceRegistry

extension Servreg {
    /// `servreg graph`: the dependency graph, as text or Graphviz DOT.
    struct Graph: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "graph",
            _superCommandName: "servreg",
            abstract: "Print the dependency graph, as text or as Graphviz DOT (--dot).",
            discussion: """
                Every service that has requirements or meets one, with an edge from each
                requirement to each service it asks for; with SPEC, only the services
                connected to one of SPEC, through requirements either way. A requirement no
                satisfied service meets ends at "not met".

                --dot prints a Graphviz digraph (servreg graph --dot | dot -Tsvg > deps.svg):
                satisfied services are solid boxes, unsatisfied ones dashed; an edge to a
                service that meets the requirement is solid, to one that would but is
                unsatisfied dashed; an unmet requirement points to a dotted "not met" node.
                Exits 1 when there is nothing to draw.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("Only the services connected to one of this specification.", valueName: "spec"),
            completion: Completer.fromStore)
        var specification: String?

        @Flag(name: .long, help: "Print Graphviz DOT.")
        var dot = false

        func execute(in context: CommandContext) throws -> ExitStatus {
            if let specification { try SpecificationName.validate(specification) }
            let registry = try context.registry(global, access: .read)
            let graph = try registry.dependencyGraph(specification: specification)
            let byID = Dictionary(uniqueKeysWithValues: graph.services.map { ($0.id, $0) })
            if dot {
                context.output.write(Self.dot(graph, byID: byID))
            } else {
                switch global.outputMode {
                case .json: context.output.write(Self.json(graph))
                case .ids: for service in graph.services { context.output.write("\(service.id)\n") }
                case .human: context.output.write(Self.text(graph, byID: byID))
                }
            }
            if graph.services.isEmpty {
                context.noteNoMatch(
                    specification.map { "no service of \($0) has or meets a requirement" }
                        ?? "no service has requirements")
                return .noMatch
            }
            return .success
        }

        private static func text(_ graph: DependencyGraph, byID: [ServiceID: ServiceRecord]) -> String {
            var out = ""
            for service in graph.services {
                out += "\(Deps.describe(service)) [\(service.state.rawValue)]\n"
                var last: Int?
                for edge in graph.edges where edge.from == service.id {
                    if edge.position != last {
                        out += "  requires \(TextEscaping.visible(edge.requirement.text))\n"
                        last = edge.position
                    }
                    if let to = edge.to, let target = byID[to] {
                        out += "    → \(Deps.describe(target)) [\(target.state.rawValue)]\n"
                    } else {
                        out += "    → not met\n"
                    }
                }
            }
            return out
        }

        private static func json(_ graph: DependencyGraph) -> String {
            var out = "{\"services\":["
            for (offset, service) in graph.services.enumerated() {
                if offset > 0 { out += "," }
                out += "{\"service.id\":\(service.id),"
                if let name = service.name {
                    out += "\"service.name\":"
                    JSONWriter.writeString(name, to: &out)
                    out += ","
                }
                out += "\"objectClass\":"
                JSONWriter.writeValue(.list(service.specifications.map(PropertyValue.string)), to: &out)
                out += ",\"service.state\":"
                JSONWriter.writeString(service.state.rawValue, to: &out)
                out += "}"
            }
            out += "],\"edges\":["
            for (offset, edge) in graph.edges.enumerated() {
                if offset > 0 { out += "," }
                out += "{\"from\":\(edge.from),\"requirement\":"
                JSONWriter.writeString(edge.requirement.text, to: &out)
                out += ",\"position\":\(edge.position),\"to\":" + (edge.to.map { String($0) } ?? "null") + "}"
            }
            return out + "]}\n"
        }

        /// A DOT string literal of lines: quotes and backslashes escaped, control characters
        /// shown, the lines joined by DOT's `\n`.
        private static func quoted(_ lines: String...) -> String { quoted(lines) }

        private static func quoted(_ lines: [String]) -> String {
            let escaped = lines.map { line in
                var out = ""
                for character in TextEscaping.escapingControlCharacters(line) {
                    if character == "\"" || character == "\\" { out.append("\\") }
                    out.append(character)
                }
                return out
            }
            return "\"" + escaped.joined(separator: "\\n") + "\""
        }

        private static func dot(_ graph: DependencyGraph, byID: [ServiceID: ServiceRecord]) -> String {
            var out = "digraph servreg {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n"
            out += "  edge [fontname=\"Helvetica\", fontsize=10];\n"
            for service in graph.services {
                var title = "\(service.id)"
                if let name = service.name { title += " @" + name }
                let style = service.satisfied ? "solid" : "dashed"
                out += "  s\(service.id) [label=\(quoted([title] + service.specifications)), style=\(style)];\n"
            }
            for edge in graph.edges {
                let label = quoted(edge.requirement.text)
                if let to = edge.to {
                    let style = byID[to]?.satisfied == true ? "solid" : "dashed"
                    out += "  s\(edge.from) -> s\(to) [label=\(label), style=\(style)];\n"
                } else {
                    let node = "m\(edge.from)_\(edge.position)"
                    out += "  \(node) [label=\"not met\", style=dotted, shape=ellipse];\n"
                    out += "  s\(edge.from) -> \(node) [label=\(label), style=dotted];\n"
                }
            }
            return out + "}\n"
        }
    }
}
