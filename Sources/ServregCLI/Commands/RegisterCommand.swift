import ArgumentParser
import Foundation
import ServiceRegistry

extension Servreg {
    /// `servreg register`: adds a service and prints its new id.
    struct Register: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "register",
            _superCommandName: "servreg",
            abstract: "Register a service; prints its new service.id.",
            discussion: """
                Values given as key=value are typed by their text: 90 is an integer, 1.5 a
                float, true/false a boolean, anything else a string (numbers with leading
                zeros, such as 02134, stay strings). Force a type with key:TYPE=value, TYPE
                one of str, int, float, bool, list, list<T> (list elements are separated by
                commas; \\, is a comma).

                --props-json takes a JSON object, @FILE or @- (standard input). A service's
                own JSON (get --json, props --json) may be given: its service.id, objectClass,
                service.name, service.revision, lease, owner, client, value and factory are
                ignored, with a note; service.ranking and service.scope are kept.

                --name NAME makes the service findable as @NAME (props @db, set-props @db …)
                and is its read-only service.name. A name is unique among the registered
                services: a taken one exits 2, unless --existing update (merge the properties
                into that service: same id, MODIFIED) or --existing replace (unregister it,
                register this one, in one transaction).

                --ttl DURATION gives a lease: the service expires unless renewed (renew,
                keepalive) within DURATION (500ms, 30s, 1.5m, 2h; 0 means no lease). An
                expired service is never returned or counted, and is removed with reason
                expired.

                --owner-pid PID: the service belongs to that process and goes when it ends
                (reason owner-exited). --hold -- COMMAND [ARG…] runs COMMAND (no shell, stdin,
                stdout and stderr inherited), keeps the service exactly as long as it runs,
                passes SIGINT, SIGTERM, SIGHUP and SIGQUIT on, and exits with COMMAND's status
                (127 when it is not found, 126 when it cannot be run; nothing then stays
                registered). With --hold the id is not printed (COMMAND owns stdout): give it
                a --name. With --ttl too, servreg renews that lease while COMMAND runs, and
                the service goes when it runs out after servreg (or its host) died. On etcd,
                where a pid means nothing, a held service has only that lease (10s default).

                --requires REQ (repeatable; SPEC, SPEC:FILTER or @NAME): the service is hidden
                (unsatisfied) until every requirement is met by another service; it becomes
                REGISTERED and UNREGISTERING (dependency-lost) with them. A cycle is refused.
                With --hold, servreg waits for them, starts COMMAND with SERVREG_REQUIRE_N_ID,
                SERVREG_REQUIRE_N_JSON, SERVREG_REQUIRE_N_SPEC and SERVREG_REQUIRE_COUNT set,
                stops it and its process group (SIGTERM, SIGKILL after --stop-timeout) when
                one is lost and starts it again when it is back (--once: exits, status 2).

                --value TEXT (or --value-file PATH, - for standard input) gives the service a
                value, any bytes up to 1 MiB: what get --value and props --value print.

                --factory [--scope S] [--factory-timeout D] [--release -- RELEASE…] --
                COMMAND… (last on the line) registers a factory instead of a value: COMMAND's
                standard output becomes the value when one is asked for. With --scope
                singleton (the default) it runs once and its output is kept as the service's
                value; bundle makes one value per client, kept until unget; prototype makes
                one for every request. RELEASE gets a value on its standard input when it is
                let go of (unget, or the service goes). Commands run without a shell, with the
                service's JSON on stdin, SERVREG_ID, SERVREG_SPEC, SERVREG_CLIENT and
                SERVREG_STORE set, and only from a store that is the user's own and writable
                by the user alone.

                Example: servreg register acme.IPlumber --prop name=Joe --prop price=90 --ranking 5
                Example: servreg register acme.IDatabase --name db --ttl 30s --prop url=pg://h/db
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("Specification names (objectClass), at least one.", valueName: "spec"),
            completion: Completer.fromStore)
        var specifications: [String]

        @OptionGroup var properties: PropertyOptions

        @OptionGroup var clientOptions: ClientOptions

        @OptionGroup var valueInput: ValueInputOptions

        @Option(
            name: .customLong("factory-timeout"),
            help: ArgumentHelp("How long the factory may run (default 10s).", valueName: "duration"))
        var factoryTimeout: String?

        @Option(
            name: .long, parsing: .unconditional,
            help: ArgumentHelp("service.ranking: an integer, default 0.", valueName: "n"))
        var ranking: String?

        @Option(
            name: .long,
            help: ArgumentHelp("service.scope: singleton (default), bundle or prototype.", valueName: "scope"),
            completion: .list(ServiceScope.allCases.map(\.rawValue)))
        var scope: String?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "A unique name (letters, digits, . _ -): the service is then also @NAME.", valueName: "name"))
        var name: String?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "With --name, when the name is taken: update (merge into it) or replace (unregister it).",
                valueName: "update|replace"),
            completion: .list(["update", "replace"]))
        var existing: String?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "A lease: the service expires unless renewed within it (500ms, 30s, 5m, 1h).", valueName: "duration"))
        var ttl: String?

        @Option(
            name: .customLong("owner-pid"),
            help: ArgumentHelp("The service belongs to this process and goes when it ends.", valueName: "pid"))
        var ownerPID: String?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "A requirement: SPEC, SPEC:FILTER or @NAME (repeatable); the service is hidden until all are met.",
                valueName: "requirement"),
            completion: Completer.fromStore)
        var requires: [String] = []

        @Option(
            name: .customLong("stop-timeout"),
            help: ArgumentHelp(
                "With --hold and --requires: how long COMMAND has after SIGTERM before SIGKILL (default 10s).",
                valueName: "duration"))
        var stopTimeout: String?

        @Flag(
            name: .long,
            help: "With --hold and --requires: exit when a requirement is lost instead of waiting to start again.")
        var once = false

        @Option(
            name: .long, parsing: .remaining,
            help: ArgumentHelp(
                "Run COMMAND (the rest of the line, after --) and keep the service exactly as long as it runs.",
                valueName: "command"))
        var hold: [String] = []

        @Option(
            name: .long, parsing: .remaining,
            help: ArgumentHelp(
                "A factory: [--scope S] [--release -- RELEASE…] -- COMMAND… (the rest of the line); "
                    + "COMMAND's output is the value.",
                valueName: "command"))
        var factory: [String] = []

        @Option(
            name: .long, parsing: .remaining,
            help: ArgumentHelp(
                "After --factory: --release -- RELEASE… -- COMMAND…: RELEASE gets a value on stdin when it is let go of.",
                valueName: "command"))
        var release: [String] = []

        /// `--factory`'s words, read (nil without `--factory` or `--release`).
        var factoryWords: FactoryWords? {
            get throws {
                if !factory.isEmpty { return try FactoryWords(["--factory"] + factory) }
                if !release.isEmpty { return try FactoryWords(["--release"] + release) }
                return nil
            }
        }

        /// The command of `--hold`, without the `--` before it.
        var command: [String] { hold.first == "--" ? Array(hold.dropFirst()) : hold }

        func validate() throws {
            if existing != nil, name == nil { throw ValidationError("--existing goes with --name") }
            if !hold.isEmpty, command.isEmpty { throw ValidationError("--hold needs a command after --") }
            if !hold.isEmpty, hold.first != "--" {
                throw ValidationError(
                    "--hold takes its command after --: --hold -- COMMAND [ARG…] (register's options go before --hold)")
            }
            if !hold.isEmpty, ownerPID != nil { throw ValidationError("--hold and --owner-pid cannot be combined") }
            if hold.isEmpty || requires.isEmpty {
                if stopTimeout != nil { throw ValidationError("--stop-timeout goes with --hold and --requires") }
                if once { throw ValidationError("--once goes with --hold and --requires") }
            }
            if !hold.isEmpty, !(factory.isEmpty && release.isEmpty) {
                throw ValidationError("--hold and --factory cannot be combined (each takes the rest of the line)")
            }
            let words = try factoryWords
            if let words {
                if !words.isFactory {
                    throw ValidationError("--release goes with --factory: --factory --release -- RELEASE… -- COMMAND…")
                }
                if valueInput.isGiven {
                    throw ValidationError("a service has a value or a factory, not both (--value and --factory)")
                }
                if words.scope != nil, scope != nil { throw ValidationError("--scope is given twice") }
                if words.timeout != nil, factoryTimeout != nil {
                    throw ValidationError("--factory-timeout is given twice")
                }
            } else if factoryTimeout != nil {
                throw ValidationError("--factory-timeout goes with --factory")
            }
        }

        /// The name, lease and owner options, checked (65 for a bad value).
        private func liveness() throws -> (existing: ExistingName, ttl: Int64?, owner: ServiceOwner?) {
            var policy = ExistingName.fail
            if let existing {
                guard let value = ExistingName(rawValue: existing), value != .fail else {
                    throw CommandLineError.invalidOptionValue(
                        "--existing must be update or replace, not \(Quoting.quoted(existing))", command: "register")
                }
                policy = value
            }
            if let name {
                do { try ServiceName.validate(name) } catch { throw CommandLineError.inOption("--name", error) }
            }
            let milliseconds = try ServiceIDArgument.ttl(ttl)
            var owner: ServiceOwner?
            if let ownerPID {
                guard let pid = Int32(ownerPID), pid > 0 else {
                    throw CommandLineError.invalidOptionValue(
                        "--owner-pid must be a process id, not \(Quoting.quoted(ownerPID))", command: "register")
                }
                guard let found = ProcessLiveness.owner(of: pid) else {
                    throw CommandLineError.invalidOptionValue(
                        "--owner-pid \(pid): no such process", command: "register")
                }
                owner = found
            }
            return (policy, milliseconds, owner)
        }

        func execute(in context: CommandContext) throws -> ExitStatus {
            if ownerPID != nil, case .etcd = try context.location(global) {
                throw CommandLineError.processOwnerOnEtcd("--owner-pid")
            }
            let request = try request(in: context)
            if !hold.isEmpty, !requires.isEmpty { return try runSupervised(request, in: context) }
            if !hold.isEmpty { return try runHeld(request, in: context) }
            let registration = try context.registry(global, access: .write).registration(request)
            let record = registration.record
            context.lastRegisteredID = record.id
            switch global.outputMode {
            case .json: context.output.write(ServiceFormatter.json(record) + "\n")
            case .human, .ids: context.output.write("\(record.id)\n")
            }
            return .success
        }

        /// What the line asks to register, checked as far as the command line can (the
        /// registry checks the rest); also what `apply` reads from a declaration.
        func request(in context: CommandContext) throws -> RegistrationRequest {
            var pairs = try properties.assignmentPairs()
            // A service's own JSON (get --json, props --json) may be registered again: its id
            // and objectClass are the registry's and the specifications', not settable.
            var json = try properties.jsonPairs(in: context)
            let assigned = [ReservedKey.foldedServiceID, ReservedKey.foldedObjectClass] + ReservedKey.derived
            let identity = json.filter { assigned.contains(PropertyKey.fold($0.0)) }
            if !identity.isEmpty {
                json.removeAll { assigned.contains(PropertyKey.fold($0.0)) }
                let keys = identity.map(\.0).joined(separator: ", ")
                context.note(
                    "--props-json: \(keys) ignored (set by the registry, the specifications given and "
                        + "--name, --ttl, --owner-pid, --client, --value, --factory, --requires)")
            }
            pairs += json
            if let ranking {
                do {
                    pairs.append((ReservedKey.ranking, try PropertyInput.convert(ranking, to: "int")))
                } catch {
                    throw CommandLineError.inOption("--ranking", error)
                }
            }
            let words = try factoryWords
            if let scope = scope ?? words?.scope { pairs.append((ReservedKey.scope, .string(scope))) }
            let (policy, ttl, owner) = try liveness()
            var request = RegistrationRequest(
                specifications: specifications, properties: pairs, name: name, existing: policy, ttl: ttl,
                owner: owner)
            request.registeredBy = try clientOptions.name(in: context)
            if !requires.isEmpty { request.requirements = requires }
            request.value = try valueInput.bytes(in: context)
            if let words {
                var timeout = ServiceFactory.defaultTimeout
                if let text = factoryTimeout ?? words.timeout {
                    do { timeout = try LeaseDuration.parse(text) } catch {
                        throw CommandLineError.inOption("--factory-timeout", error)
                    }
                    if timeout <= 0 {
                        throw CommandLineError.invalidOptionValue(
                            "--factory-timeout must be more than 0", command: "register")
                    }
                }
                request.factory = ServiceFactory(command: words.command, timeout: timeout)
                request.release = words.release
            }
            return request
        }

        /// `--hold`: the child is forked first (it waits), registered as the owner, then let
        /// run; the service goes when it ends.
        private func runHeld(_ request: RegistrationRequest, in context: CommandContext) throws -> ExitStatus {
            if context.isInGroup { throw context.endGroup() }
            if context.isInAtomicBatch { throw CommandLineError.waitsInAtomicBatch("register --hold") }
            // Checked before anything is registered: 127 / 126 leave nothing behind.
            try Registry.check(request)
            let executable: String
            let child: HeldCommand
            do {
                executable = try HeldCommand.resolve(command[0], path: context.environment["PATH"])
                child = try HeldCommand(
                    executable: executable, arguments: command, environment: context.environment)
            } catch {
                context.reportError(error.message)
                return Self.ending(error.status, in: context, ran: false)
            }
            let registry: Registry
            do {
                registry = try context.registry(global, access: .write)
            } catch {
                child.abandon()
                throw error
            }
            let record = try Self.register(request, ownedBy: child, in: registry)
            context.lastRegisteredID = record.id
            if !global.quiet {
                let label = request.name.map { "@\($0) " } ?? ""
                let lease = record.lease.map { ", on a lease of \(LeaseDuration.format($0.ttl)) renewed while it runs" }
                context.note("service \(record.id) \(label)is held by \(command[0]) (pid \(child.pid))\(lease ?? "")")
            }
            context.output.flush()
            if let code = child.start() {
                return Self.failedToStart(
                    child, program: command[0], code: code, record: record, in: registry, context: context)
            }
            let status = Self.waitRenewing(record, for: child, program: command[0], in: registry, context: context)
            // COMMAND's status stands even when the store cannot let the service go.
            Self.release(record, reason: .ownerExited, in: registry, context: context)
            return Self.ending(status, in: context)
        }

        /// The lease a held service gets where the store has no process owners (etcd), when
        /// no --ttl is given: the service goes at most this long after its holder's host died.
        static let heldLeaseDefault: Int64 = 10_000

        /// Waits for `child` to end, renewing `record`'s lease (if it has one) every third of
        /// its TTL; COMMAND's status.
        static func waitRenewing(
            _ record: ServiceRecord, for child: HeldCommand, program: String, in registry: Registry,
            context: CommandContext
        ) -> Int32 {
            guard var renewer = HeldLease(record, in: registry) else { return child.wait() }
            while true {
                if let status = child.wait(timeout: renewer.millisecondsLeft()) { return status }
                if !renewer.renewIfDue(program: program, pid: child.pid, in: registry, context: context) {
                    return child.wait()
                }
            }
        }

        /// Registers `request` as owned by `child` (pid and start time, fixed at fork), which
        /// waits at its gate; a child whose registration fails is abandoned (it exits there).
        static func register(_ request: RegistrationRequest, ownedBy child: HeldCommand, in registry: Registry)
            throws -> ServiceRecord
        {
            var held = request
            if registry.store.capabilities.processOwners {
                guard let owner = ProcessLiveness.owner(of: child.pid) else {
                    child.abandon()
                    throw CommandLineError.invalidOptionValue(
                        "--hold: the command's process vanished", command: "register")
                }
                held.owner = owner
            } else if held.ttl == nil {
                // A pid means nothing here: the service rides on a lease its holder renews.
                held.ttl = heldLeaseDefault
            } else if held.ttl == 0 {
                child.abandon()
                throw CommandLineError.heldWithoutLease
            }
            do {
                return try registry.registration(held).record
            } catch {
                child.abandon()
                throw error
            }
        }

        /// A child whose exec failed (errno `code`): its service goes, and the status is
        /// 127 (not found) or 126 (cannot run).
        static func failedToStart(
            _ child: HeldCommand, program: String, code: Int32, record: ServiceRecord, in registry: Registry,
            context: CommandContext
        ) -> ExitStatus {
            let status = child.wait()
            try? registry.release(record, reason: .unregistered)
            let notFound = code == ENOENT || code == ENOTDIR
            context.reportError("\(program): \(String(cString: strerror(code)))")
            return ending(notFound ? 127 : (status == 127 ? 126 : status), in: context, ran: false)
        }

        /// A one-shot servreg exits with the command's own status. In the shell or a batch
        /// file, where a line's status is one of servreg's, a failed command is said in a
        /// note and is 2 (130 when it was interrupted).
        static func ending(_ status: Int32, in context: CommandContext, ran: Bool = true) -> ExitStatus {
            guard context.storeSettings.longLived else {
                context.heldExitCode = status
                return .success
            }
            switch status {
            case 0: return .success
            case 130: return .interrupted
            default:
                // A command that never started has said why already.
                if ran { context.note("the held command exited with status \(status)") }
                return .conditionFailed
            }
        }
    }
}
