import ArgumentParser
import Foundation
import ServiceRegistry

extension Servreg {
    /// `servreg schema set|show|list|rm`: typed properties per specification.
    struct Schema: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "schema",
            _superCommandName: "servreg",
            abstract: "Set, show, list or remove a specification's typed properties.",
            usage: """
                servreg schema set <spec> <key:type>... [--closed] [--check]
                servreg schema show <spec> [--json]
                servreg schema list [--json] [-q]
                servreg schema rm <spec>
                """,
            discussion: """
                A field is KEY:TYPE[!][=DEFAULT]. TYPE: str, int, float, bool, list<T> (or
                list: any scalars); str{a,b,c} and int{1,2} allow only those values;
                int[0..65535] and float[0..1] a range (a side may be left out: int[1..]). !
                makes the key required; =DEFAULT fills it in when a service lacks it (at
                register, and when set-props removes it). An int is accepted for a float.
                --closed refuses keys no schema of the service names.

                register, set-props, apply and import check a service against the schemas of
                all its specifications: every problem in one message, exit 3, nothing stored.
                set replaces the schema, unless registered services violate it: they are
                listed, exit 3 (--check only reports them, and stores nothing).
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp(
                "set SPEC FIELD…, show SPEC, list, or rm SPEC.", valueName: "action"),
            completion: Completer.fromStore)
        var words: [String] = []

        @Flag(name: .long, help: "With set: refuse keys that no field names.")
        var closed = false

        @Flag(name: .long, help: "With set: list the services that violate it; store nothing.")
        var check = false

        enum Action: String, CaseIterable {
            case set, show, list, rm
        }

        func validate() throws {
            guard let first = words.first else {
                throw ValidationError("schema needs an action: set, show, list or rm")
            }
            guard let action = Action(rawValue: first) else {
                throw ValidationError("schema: unknown action \(Quoting.quoted(first)) (set, show, list or rm)")
            }
            let operands = words.count - 1
            switch action {
            case .set where operands < 1: throw ValidationError("schema set needs a specification and its fields")
            case .show where operands != 1, .rm where operands != 1:
                throw ValidationError("schema \(first) takes one specification")
            case .list where operands != 0: throw ValidationError("schema list takes no specification")
            default: break
            }
            if action != .set, closed || check {
                throw ValidationError("--closed and --check go with schema set")
            }
        }

        func execute(in context: CommandContext) throws -> ExitStatus {
            guard let action = words.first.flatMap(Action.init) else { return .usage }
            switch action {
            case .set:
                let schema = try SpecificationSchema.parse(
                    specification: words[1], fields: Array(words.dropFirst(2)), closed: closed)
                let registry = try context.registry(global, access: check ? .read : .write)
                let violators = try registry.setSchema(schema, checkOnly: check)
                guard check else { return .success }
                for violator in violators {
                    let problems = ErrorReport.message(
                        RegistryError.schemaViolated([schema.specification], violator.violations))
                    context.output.write("\(violator.id)\t\(Self.problems(of: problems))\n")
                }
                if violators.isEmpty {
                    context.note("no registered service of \(schema.specification) violates it")
                    return .success
                }
                return .refused
            case .show:
                let schema = try context.registry(global, access: .read).schema(of: words[1])
                switch global.outputMode {
                case .json: context.output.write(Self.json(schema) + "\n")
                case .ids: context.output.write(schema.fields.map { $0.text + "\n" }.joined())
                case .human: Self.human(schema, in: context)
                }
            case .list:
                let schemas = try context.registry(global, access: .read).schemas()
                switch global.outputMode {
                case .json:
                    let objects = schemas.map(Self.json)
                    context.output.write(JSONLines.array(objects))
                case .ids:
                    for schema in schemas { context.output.write(TextEscaping.visible(schema.specification) + "\n") }
                case .human where !schemas.isEmpty:
                    let formatter = ServiceFormatter(context: context)
                    var table = Table(
                        [
                            .init(header: "SPECIFICATION", breaksAfter: ["."], shrinks: true),
                            .init(header: "FIELDS", breaksAfter: [" "], shrinks: true),
                        ], width: formatter.width, bold: formatter.color)
                    for schema in schemas {
                        let fields =
                            schema.fields.map { TextEscaping.visible($0.text) } + (schema.closed ? ["--closed"] : [])
                        table.add(
                            [TextEscaping.visible(schema.specification), fields.joined(separator: " ")],
                            to: context.output)
                    }
                    table.finish(to: context.output)
                case .human:
                    context.noteNoMatch("no specification has a schema")
                }
                return schemas.isEmpty ? .noMatch : .success
            case .rm:
                try context.registry(global, access: .write).removeSchema(of: words[1])
            }
            return .success
        }

        /// The problems of a violation message (after its `…: `).
        private static func problems(of message: String) -> String {
            guard let range = message.range(of: ": ") else { return message }
            return String(message[range.upperBound...])
        }

        /// `{"specification":…,"closed":…,"fields":[{"field":WORD,"key":…,"type":…,"required":…,"default":…}]}`.
        static func json(_ schema: SpecificationSchema) -> String {
            var out = "{\"specification\":"
            JSONWriter.writeString(schema.specification, to: &out)
            out += ",\"closed\":\(schema.closed),\"fields\":["
            for (offset, field) in schema.fields.enumerated() {
                if offset > 0 { out += "," }
                out += "{\"field\":"
                JSONWriter.writeString(field.text, to: &out)
                out += ",\"key\":"
                JSONWriter.writeString(field.key, to: &out)
                out += ",\"type\":"
                JSONWriter.writeString(field.type.text, to: &out)
                out += ",\"required\":\(field.required)"
                if let value = field.defaultValue {
                    out += ",\"default\":"
                    JSONWriter.writeValue(value, to: &out)
                }
                if let oneOf = field.type.oneOf {
                    out += ",\"one_of\":"
                    JSONWriter.writeValue(.list(oneOf), to: &out)
                }
                out += "}"
            }
            return out + "]}"
        }

        /// KEY, TYPE, and REQUIRED or DEFAULT, in a table; then whether it is closed.
        private static func human(_ schema: SpecificationSchema, in context: CommandContext) {
            let formatter = ServiceFormatter(context: context)
            var table = Table(
                [
                    .init(header: "KEY", shrinks: true), .init(header: "TYPE", breaksAfter: [","], shrinks: true),
                    .init(header: "REQUIRED"), .init(header: "DEFAULT", shrinks: true),
                ], width: formatter.width, bold: formatter.color)
            for field in schema.fields {
                table.add(
                    [
                        TextEscaping.visible(field.key), TextEscaping.visible(field.type.text),
                        field.required ? "yes" : "no",
                        field.defaultValue.map { formatter.text($0) } ?? "",
                    ], to: context.output)
            }
            table.finish(to: context.output)
            if schema.closed { context.output.write("closed: keys not listed are refused\n") }
        }
    }
}
