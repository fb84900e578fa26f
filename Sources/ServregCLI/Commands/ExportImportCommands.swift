import ArgumentParser
import Foundation
import ServiceRegistry

extension Servreg {
    /// `servreg export`: every service as JSON lines, to back a registry up or move it.
    struct Export: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            _superCommandName: "servreg",
            abstract: "Print hooks, schemas and services as JSON lines (for import).",
            discussion: """
                The first line is a header, {"servreg.export":2,"last_service_id":N}: N is the
                highest id the store ever gave, so that an import carries its ids on without
                giving one twice. Then a line per schema,
                {"servreg.schema":SPEC,"schema":{…}}, and per hook,
                {"servreg.hook":NAME,"hook":{…}}, in the order they were set; then one line
                per service, as get --json prints it (names, leases, owners, values,
                factories, requirements included), all read in one snapshot.
                servreg import FILE reads it back into an empty store.

                Example: servreg export > backup.jsonl
                """)

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if global.json || global.quiet { throw ValidationError("export prints JSON lines only: no --json or -q") }
        }

        func execute(in context: CommandContext) throws -> ExitStatus {
            let registry = try context.registry(global, access: .read)
            try registry.export(
                header: { last in
                    context.output.write("{\"\(Self.formatKey)\":\(Self.formatVersion),\"last_service_id\":\(last)}\n")
                },
                policy: { policy in
                    var line = "{\"servreg.\(policy.kind.rawValue)\":"
                    JSONWriter.writeString(policy.key, to: &line)
                    context.output.write(line + ",\"\(policy.kind.rawValue)\":\(policy.body)}\n")
                },
                { record in
                    if context.outputFailed { throw CommandLineError.outputFailed(context.output.failure ?? EPIPE) }
                    context.output.write(ServiceFormatter.json(record) + "\n")
                })
            return .success
        }

        static let formatKey = "servreg.export"
        /// 2 since exports hold hooks and schemas; import reads 1 as well.
        static let formatVersion = 2
        static let readableVersions: ClosedRange<Int64> = 1...2
    }

    /// `servreg import`: the services of an export, under their own ids, into an empty store.
    struct Import: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            _superCommandName: "servreg",
            abstract: "Register the services of an export into an empty store, ids kept.",
            discussion: """
                Every service keeps its id, specifications, ranking, scope, properties, name,
                lease, owner, value, factory and requirements; hooks and schemas come along.
                All are stored in one transaction (listeners see REGISTERED), or nothing when
                a line is wrong. The hooks and schemas govern later changes: the import runs
                none of them. New ids then start above the export's last_service_id. The store
                must hold no service, never have given an id the export holds, and have no
                hook or schema of the export's names.

                Example: servreg --store new.db import backup.jsonl
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("The export file, or - for standard input.", valueName: "file"),
            completion: .file())
        var file: String

        func validate() throws {
            if global.json || global.quiet { throw ValidationError("import prints a note only: no --json or -q") }
        }

        func execute(in context: CommandContext) throws -> ExitStatus {
            let text = try InputFile.text(file, for: "import -", in: context)
            let name = file == "-" ? "<stdin>" : file
            let (last, policies, services) = try Self.parse(text, file: name)
            let count: Int
            do {
                count = try context.registry(global, access: .write).importServices(
                    services, policies: policies, lastServiceID: last)
            } catch let error as RegistryError {
                // What is wrong with one line: named by file and line, as parse names it.
                switch error {
                case .inImportedService(let line, let inner):
                    throw CommandLineError.badExportLine(
                        file: name, line: line, message: ErrorReport.describe(inner).message)
                case .importRefused(.idUsedBefore(_, _, let line)), .importRefused(.duplicateID(_, let line)),
                    .importRefused(.idAboveLast(_, _, let line)), .importRefused(.unreadablePolicy(_, _, let line)),
                    .importRefused(.duplicatePolicy(_, _, let line, _)), .importRefused(.policyExists(_, _, let line)):
                    let message = ErrorReport.describe(error).message
                    let prefix = "line \(line): "
                    throw CommandLineError.badExportLine(
                        file: name, line: line,
                        message: message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message)
                default:
                    throw error
                }
            }
            if global.outputMode == .human {
                context.note(
                    "imported \(count) service\(count == 1 ? "" : "s") into \(try context.location(global)); new ids start at \(last + 1)"
                )
            }
            return .success
        }

        /// The header's last id, the hooks and schemas, and the services of an export's text.
        static func parse(_ text: String, file: String) throws -> (ServiceID, [ExportedPolicy], [ExportedService]) {
            var last: ServiceID?
            var policies: [ExportedPolicy] = []
            var services: [ExportedService] = []
            for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let number = offset + 1
                if line.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { continue }
                func bad(_ message: String) -> CommandLineError {
                    .badExportLine(file: file, line: number, message: message)
                }
                if last != nil, let policy = try policyLine(line, number: number, bad: bad) {
                    policies.append(policy)
                    continue
                }
                let pairs: [(String, PropertyValue)]
                do {
                    pairs = try PropertyInput.parseJSONObject(String(line))
                } catch {
                    throw bad(ErrorReport.describe(error).message)
                }
                guard let headerLast = last else {
                    guard
                        pairs.contains(where: {
                            guard $0.0 == Export.formatKey, case .integer(let version) = $0.1 else { return false }
                            return Export.readableVersions.contains(version)
                        }),
                        case .integer(let value)? = pairs.first(where: { $0.0 == "last_service_id" })?.1, value >= 0
                    else {
                        throw bad(
                            "not a servreg export (its first line is {\"servreg.export\":2,\"last_service_id\":N})")
                    }
                    last = value
                    continue
                }
                _ = headerLast
                var id: ServiceID?
                var specifications: [String]?
                var properties: [(String, PropertyValue)] = []
                var name: String?
                var ttl: Int64?
                var expires: Int64?
                var owner = (pid: Int32?.none, start: Int64?.none, boot: String?.none)
                var registeredBy: String?
                var serviceValue: [UInt8]?
                var factory: [String]?
                var release: [String]?
                var factoryTimeout: Int64?
                var requirements: [String]?
                var source: String?
                for (key, value) in pairs {
                    let folded = PropertyKey.fold(key)
                    if folded == ReservedKey.foldedServiceID, id != nil { throw bad("service.id is given twice") }
                    if folded == ReservedKey.foldedObjectClass, specifications != nil {
                        throw bad("objectClass is given twice")
                    }
                    switch folded {
                    case ReservedKey.foldedServiceID:
                        guard case .integer(let number) = value, number > 0 else {
                            throw bad("service.id must be a positive integer")
                        }
                        id = number
                    case ReservedKey.foldedObjectClass:
                        guard case .list(let items) = value,
                            let names = Optional(
                                items.compactMap { item -> String? in
                                    if case .string(let name) = item { return name }
                                    return nil
                                }), names.count == items.count
                        else { throw bad("objectClass must be a list of specification names") }
                        specifications = names
                    case ReservedKey.revision, ReservedKey.state:
                        continue  // revisions are the new store's own; states follow from requirements
                    case ReservedKey.requires:
                        guard case .list(let items) = value, !items.isEmpty,
                            case let texts = items.compactMap({ item -> String? in
                                if case .string(let text) = item { return text }
                                return nil
                            }), texts.count == items.count
                        else { throw bad("service.requires must be a list of requirements") }
                        requirements = texts
                    case ReservedKey.source:
                        guard case .string(let text) = value else { throw bad("service.source must be a string") }
                        source = text
                    case ReservedKey.serviceName:
                        guard case .string(let text) = value else { throw bad("service.name must be a string") }
                        name = text
                    case ReservedKey.ttl:
                        guard case .string(let text) = value, let milliseconds = try? LeaseDuration.parse(text),
                            milliseconds > 0
                        else { throw bad("service.ttl must be a duration such as 30s") }
                        ttl = milliseconds
                    case ReservedKey.expires:
                        guard case .string(let text) = value, let instant = Instant.parse(text) else {
                            throw bad("service.expires must be an instant such as 2026-12-02T14:30:08.123Z")
                        }
                        expires = instant
                    case ReservedKey.ownerPID:
                        guard case .integer(let pid) = value, let pid = Int32(exactly: pid), pid > 0 else {
                            throw bad("service.owner.pid must be a process id")
                        }
                        owner.pid = pid
                    case ReservedKey.ownerStart:
                        guard case .integer(let start) = value else {
                            throw bad("service.owner.start must be an integer")
                        }
                        owner.start = start
                    case ReservedKey.ownerBoot:
                        guard case .string(let boot) = value else { throw bad("service.owner.boot must be a string") }
                        owner.boot = boot
                    case ReservedKey.registeredBy:
                        guard case .string(let client) = value else {
                            throw bad("service.registered-by must be a string")
                        }
                        registeredBy = client
                    case ReservedKey.value:
                        guard case .string(let text) = value else { throw bad("service.value must be a string") }
                        serviceValue = Array(text.utf8)
                    case ReservedKey.valueBase64:
                        guard case .string(let text) = value, let bytes = Base64.decode(text) else {
                            throw bad("service.value.base64 must be base64 text")
                        }
                        serviceValue = bytes
                    case ReservedKey.factory, ReservedKey.factoryRelease:
                        guard case .list(let items) = value, !items.isEmpty,
                            case let words = items.compactMap({ item -> String? in
                                if case .string(let word) = item { return word }
                                return nil
                            }), words.count == items.count
                        else { throw bad("\(key) must be a list of words") }
                        if folded == ReservedKey.factory { factory = words } else { release = words }
                    case ReservedKey.factoryTimeout:
                        guard case .string(let text) = value, let milliseconds = try? LeaseDuration.parse(text),
                            milliseconds > 0
                        else { throw bad("service.factory.timeout must be a duration such as 10s") }
                        factoryTimeout = milliseconds
                    default:
                        properties.append((key, value))
                    }
                }
                guard let id else { throw bad("a service without service.id") }
                guard let specifications else { throw bad("a service without objectClass") }
                if (ttl == nil) != (expires == nil) { throw bad("a lease needs both service.ttl and service.expires") }
                var request = RegistrationRequest(specifications: specifications, properties: properties, name: name)
                if let ttl, let expires { request.lease = Lease(ttl: ttl, expires: expires) }
                request.registeredBy = registeredBy
                request.value = serviceValue
                request.factory = factory.map {
                    ServiceFactory(command: $0, timeout: factoryTimeout ?? ServiceFactory.defaultTimeout)
                }
                request.release = release
                request.requirements = requirements
                request.source = source
                switch owner {
                case (nil, nil, nil): break
                case (let pid?, let start?, let boot?):
                    request.owner = ServiceOwner(pid: pid, startTime: start, bootID: boot)
                default: throw bad("an owner needs service.owner.pid, service.owner.start and service.owner.boot")
                }
                services.append(ExportedService(id: id, request: request, line: number))
            }
            guard let last else {
                throw CommandLineError.badExportLine(
                    file: file, line: 1, message: "the file is empty, not a servreg export")
            }
            return (last, policies, services)
        }

        /// The hook or schema of a line `{"servreg.hook":NAME,"hook":{…}}` or
        /// `{"servreg.schema":SPEC,"schema":{…}}`; nil for any other line (a service).
        private static func policyLine(
            _ line: Substring, number: Int, bad: (String) -> CommandLineError
        ) throws -> ExportedPolicy? {
            // Only a line that starts so is read as JSON twice (a service's first key is service.id).
            guard line.drop(while: { $0 == " " || $0 == "\t" }).hasPrefix("{\"servreg.") else { return nil }
            let value: JSONValue
            do {
                value = try JSONValue.parse(String(line))
            } catch {
                throw bad(ErrorReport.describe(error).message)
            }
            guard case .object(let members) = value, let (tag, keyValue) = members.first,
                let kind = StoredPolicy.Kind.allCases.first(where: { tag == "servreg.\($0.rawValue)" })
            else { return nil }
            let noun = kind.rawValue
            guard case .string(let key) = keyValue else { throw bad("servreg.\(noun) must be a string") }
            guard members.count == 2, members[1].0 == noun else {
                throw bad("a \(noun) line is {\"servreg.\(noun)\":\"…\",\"\(noun)\":{…}}")
            }
            return ExportedPolicy(kind: kind, key: key, body: members[1].1, line: number)
        }
    }
}
