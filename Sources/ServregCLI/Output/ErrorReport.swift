import Foundation
import ServiceRegistry

/// The one place where errors become words and exit statuses: the core, the stores and
/// the command line say what went wrong; this says it to people.
enum ErrorReport {
    /// The message (one line, no `servreg: error:` prefix) and the exit status of an error.
    static func describe(_ error: any Error) -> (message: String, status: ExitStatus) {
        switch error {
        case let error as RegistryError: (message(error), status(error))
        case let error as StoreError: (message(error), status(error))
        case let error as CommandLineError: describe(error)
        case let error as FactoryError: describe(error)
        case let error as HookFailure: describe(error)
        default: ("internal error: \(error)", .internalError)
        }
    }

    /// The exit status alone.
    static func status(for error: any Error) -> ExitStatus { describe(error).status }

    // MARK: The core

    static func status(_ error: RegistryError) -> ExitStatus {
        switch error {
        case .noSuchService, .serviceGone: .noMatch
        case .nameTaken, .nameTakenUnderOtherSpecifications, .revisionMismatch, .noLease: .conditionFailed
        case .noValue, .notInUse: .noMatch
        case .factoryInBatch: .usage
        case .resyncNeeded: .resyncNeeded
        case .batchUnavailable(.nested): .usage
        case .batchUnavailable(.unsupportedByStore): .usage
        case .batchUnavailable(.brokenStep): .internalError
        case .batchUnavailable(.full): .storeError
        case .inAssignment(_, let inner): status(inner)
        case .inImportedService(_, let inner): status(inner)
        case .inRequirement(_, let inner): status(inner)
        case .inDeclaration(_, let inner): status(inner)
        case .schemaViolated, .schemaRefused, .beforeHooksInBatch: .refused
        case .noSuchSchema, .noSuchHook: .noMatch
        case .hookExists: .conditionFailed
        case .hookWithoutCommand: .usage
        case .unreadablePolicy: .storeError
        case .processOwnersUnsupported: .usage
        case .hooksKeptChanging: .storeBusy
        case .hooksUnavailable: .internalError
        default: .invalidInput
        }
    }

    /// "hook named X" or "schema for SPEC", for messages about one policy.
    private static func policyNoun(_ kind: StoredPolicy.Kind, _ key: String) -> String {
        kind == .hook ? "hook named \(quoted(key))" : "schema for \(quoted(key))"
    }

    static func message(_ error: RegistryError) -> String {
        switch error {
        case .noSpecification: return "a service needs at least one specification"
        case .invalidSpecificationName(let name, let problem):
            switch problem {
            case .empty: return "specification name is empty"
            case .whiteSpaceOrControl, .controlCharacter:
                return "specification name \(quoted(name)) contains white space or a control character"
            case .forbiddenCharacter(let character):
                return "specification name \(quoted(name)) contains '\(character)' (not allowed: ( ) * = < > ~ \\)"
            }
        case .invalidPropertyKey(let key, let problem):
            switch problem {
            case .empty: return "property key is empty"
            case .whiteSpaceOrControl, .controlCharacter, .forbiddenCharacter:
                return "property key \(quoted(key)) contains a control character"
            }
        case .duplicateKey(let key, let existing):
            if key == existing { return "property key \(quoted(key)) is given twice" }
            return "property key \(quoted(key)) is given twice (also as \(quoted(existing)))"
        case .notAnAssignment(let text): return "property \(quoted(text)) is not of the form key=value"
        case .notAValue(let text, let type):
            switch type {
            case .integer: return "\(quoted(text)) is not a 64-bit integer"
            case .float: return "\(quoted(text)) is not a finite number"
            case .boolean: return "\(quoted(text)) is not a boolean (true or false)"
            }
        case .integerOutOfRange(let text):
            return "\(text) is out of the 64-bit integer range (force a type with key:float= or key:str=)"
        case .floatOutOfRange(let text):
            return "\(text) is out of the range of a 64-bit float (force a type with key:str=)"
        case .filterTooDeep(let column, let limit):
            return "filter error at column \(column): the filter nests deeper than \(limit) levels"
        case .unknownType(let type): return "unknown type \(quoted(type)) (types: str, int, float, bool, list, list<T>)"
        case .nestedList(let key):
            guard let key else { return "lists cannot be nested" }
            return "value of \(quoted(key)) nests a list in a list"
        case .unsupportedJSONValue(let key, .null):
            return "value of \(quoted(key)) is null (use --unset to remove a key)"
        case .unsupportedJSONValue(let key, .object):
            return "value of \(quoted(key)) is an object (not a property type)"
        case .notAJSONObject: return "expected a JSON object"
        case .invalidJSON(let offset, let problem): return "invalid JSON at offset \(offset): \(problem)"
        case .inAssignment(let text, let inner): return "property \(quoted(text)): \(message(inner))"
        case .inImportedService(let line, let inner): return "line \(line): \(message(inner))"
        case .inRequirement(let text, let inner): return "--requires \(quoted(text)): \(message(inner))"
        case .inDeclaration(let origin, let inner): return "\(origin): \(message(inner))"
        case .declarationWithoutName:
            return "a declared service needs --name (apply keeps the store matching by name)"
        case .declaredTwice(let name, let first): return "service name \(name) is also declared at \(first)"
        case .requiresItself: return "a service cannot require itself (it would never be met)"
        case .requirementCycle(let path):
            // A cycle through a long chain is shown by its ends.
            let shown =
                path.count <= 12
                ? path : Array(path.prefix(6)) + ["… \(path.count - 11) more …"] + Array(path.suffix(5))
            return
                "requirement cycle: \(shown.joined(separator: " → ")) (a service cannot require, through others, itself)"
        case .processOwnersUnsupported:
            return
                "this store is shared by many hosts: a service cannot belong to a process (a pid means nothing there)"
        case .importRefused(let problem):
            switch problem {
            case .storeNotEmpty(let services):
                return "import goes into an empty store; this one holds \(services) service\(services == 1 ? "" : "s")"
            case .idUsedBefore(let id, let last, let line):
                return
                    "line \(line): service id \(id) was given by this store before (its ids went up to \(last)); import into a new store"
            case .duplicateID(let id, let line): return "line \(line): service id \(id) is in the export twice"
            case .duplicateName(let name, let line, let first):
                return "line \(line): service name \(name) is also that of line \(first)"
            case .idAboveLast(let id, let last, let line):
                return "line \(line): service id \(id) is above the export's last_service_id \(last)"
            case .unreadablePolicy(let kind, let key, let line):
                return "line \(line): the \(policyNoun(kind, key)) cannot be read (edited or damaged?)"
            case .duplicatePolicy(let kind, let key, let line, let first):
                return "line \(line): the \(policyNoun(kind, key)) is also that of line \(first)"
            case .policyExists(let kind, let key, let line):
                return "line \(line): the store has a \(policyNoun(kind, key)) already"
            }
        case .filterSyntax(let column, let problem): return "filter error at column \(column): \(problem)"
        case .unknownSortKey(let key): return "no matching service has the property \(quoted(key)) to sort by"
        case .readOnlyKey(let key):
            switch key {
            case ReservedKey.serviceName: return "service.name is read-only: it is given by register --name"
            case ReservedKey.ttl, ReservedKey.expires:
                return "\(key) is read-only: leases are set with --ttl and extended with renew"
            case ReservedKey.ownerPID, ReservedKey.ownerStart, ReservedKey.ownerBoot:
                return "\(key) is read-only: owners are set with --owner-pid or --hold"
            default: return "\(key) is read-only: it is assigned by the registry"
            }
        case .fixedAtRegistration(let key): return "\(key) is fixed at registration"
        case .rankingNotAnInteger(let type): return "service.ranking must be an integer, not a \(type)"
        case .invalidScope(let text): return "service.scope must be singleton, bundle or prototype, not \(quoted(text))"
        case .rankingCannotBeUnset: return "service.ranking cannot be unset; set it to 0 instead"
        case .setAndUnset(let key): return "property \(quoted(key)) is both set and unset"
        case .removalWithReplace:
            return "--unset cannot be combined with --replace (replace sets the whole property set)"
        case .nothingToChange: return "nothing to change: give key=value pairs, --prop, --props-json or --unset"
        case .noSuchService(.id(let id)): return "no service with id \(id)"
        case .noSuchService(.name(let name)): return "no service named \(name)"
        case .invalidServiceName(let name, let problem):
            switch problem {
            case .empty: return "service name is empty"
            case .tooLong:
                return "service name is longer than \(ServiceName.maximumLength) bytes (\(name.utf8.count))"
            case .forbiddenCharacter(let character):
                let shown = TextEscaping.escapingControlCharacters(String(character))
                return "service name \(quoted(name)) contains '\(shown)' (names are letters, digits and . _ -)"
            }
        case .invalidDuration(let text, let problem):
            switch problem {
            case .syntax:
                return "\(quoted(text)) is not a duration (a number and a unit: 500ms, 30s, 1.5m, 2h)"
            case .tooLong: return "duration \(quoted(text)) is longer than a lease may be (366 days)"
            case .tooShort: return "duration \(quoted(text)) is shorter than 1ms"
            }
        case .nameTaken(let name, let id): return "name \(name) is taken by service \(id)"
        case .nameTakenUnderOtherSpecifications(let name, let id, let specifications):
            return "name \(name) is taken by service \(id), registered under \(specifications.joined(separator: " "))"
                + "; --existing update keeps the specifications (use --existing replace)"
        case .revisionMismatch(let id, let expected, let actual):
            return actual > expected
                ? "service \(id) changed after revision \(expected) (it is at \(actual)); nothing was changed"
                : "service \(id) is at revision \(actual), not \(expected); nothing was changed"
        case .serviceGone(let reference, let reason):
            return "service \(reference) is gone" + (reason.map { " (\($0))" } ?? "")
        case .noLease(let id): return "service \(id) has no lease (give one with set-props \(id) --ttl D)"
        case .valueTooLarge(let size):
            return "a value is at most \(ServiceValue.maximumSize) bytes (1 MiB); this one has \(size)"
        case .noValue(let id): return "service \(id) has no value (give one with set-props \(id) --value TEXT)"
        case .notInUse(let id, let client):
            return "client \(quoted(client)) holds no value of service \(id) (nothing to unget)"
        case .invalidClientName(let name):
            return name.isEmpty
                ? "client name is empty" : "client name \(quoted(name)) contains white space or a control character"
        case .valueOfFactory(let id):
            return "service \(id) is a factory: its values are made by its command, not set"
        case .valueAndFactory: return "a service has a value or a factory, not both (--value and --factory)"
        case .releaseWithoutFactory: return "--release goes with --factory"
        case .factoryWithoutCommand: return "--factory needs a command after --"
        case .factoryInBatch:
            return "a factory cannot run inside an --atomic batch (it would hold the store's lock while it runs)"
        case .resyncNeeded(let after, .pruned(let oldest)):
            return "events after \(after) are no longer kept (the log starts at \(oldest)): "
                + "resync, e.g. with listen --initial"
        case .resyncNeeded(let after, .ahead(let latest)):
            return "events after \(after) were asked for, but the newest event of this store is \(latest) "
                + "(another store, or one recreated since?): resync, e.g. with listen --initial"
        case .inSchemaField(let word, let problem): return "schema field \(quoted(word)): \(message(problem))"
        case .schemaViolated(let specifications, let violations):
            return "the service does not match the \(schemaNames(specifications)): "
                + violations.map(message).joined(separator: "; ")
        case .schemaRefused(let specification, let shown, let total):
            var list = shown.map { "service \($0.id) (\($0.violations.map(message).joined(separator: "; ")))" }
            if total > shown.count { list.append("and \(total - shown.count) more") }
            return "schema of \(specification) refused: \(total) registered service\(total == 1 ? " does" : "s do") "
                + "not match it: \(list.joined(separator: ", ")) (change or unregister \(total == 1 ? "it" : "them") first)"
        case .noSuchSchema(let specification): return "no schema for \(specification)"
        case .unreadablePolicy(let kind, let key):
            return
                "the store holds a \(kind == .hook ? "hook named" : "schema for") \(quoted(key)) that cannot be read "
                + "(written by another program?)"
        case .invalidHookName(let name, let problem):
            switch problem {
            case .empty: return "hook name is empty"
            case .tooLong: return "hook name is longer than \(ServiceName.maximumLength) bytes (\(name.utf8.count))"
            case .forbiddenCharacter(let character):
                let shown = TextEscaping.escapingControlCharacters(String(character))
                return "hook name \(quoted(name)) contains '\(shown)' (names are letters, digits and . _ -)"
            }
        case .hookWithoutCommand: return "hook add needs a command after --"
        case .hookExists(let name): return "a hook named \(name) exists (remove it first with hook rm \(name))"
        case .noSuchHook(let name): return "no hook named \(quoted(name))"
        case .beforeHooksInBatch(let name):
            return "hook \(name) must see this change before it commits, and hooks cannot run inside an --atomic batch "
                + "(it holds the store's lock); nothing was changed"
        case .hooksKeptChanging(let rounds):
            return "the service kept changing while its before-hooks ran (\(rounds) times); nothing was changed"
        case .hooksUnavailable(let name): return "internal error: hook \(name) cannot run here"
        case .batchUnavailable(.nested): return "a batch cannot be opened inside another batch"
        case .batchUnavailable(.unsupportedByStore): return "this store cannot run atomic batches"
        case .batchUnavailable(.full(let maximum)):
            return "the batch is too big for one transaction of this store: at most \(maximum) writes "
                + "(for etcd, its --max-txn-ops; SERVREG_ETCD_MAX_TXN_OPS tells servreg a cluster's own) "
                + "and, on etcd, about 1.5 MiB"
        case .batchUnavailable(.brokenStep):
            return "internal error: an all-or-nothing batch went on after a failed step; nothing of it was committed"
        }
    }

    // MARK: Schemas and hooks

    private static func schemaNames(_ specifications: [String]) -> String {
        specifications.count == 1
            ? "schema of \(specifications[0])"
            : "schemas of \(specifications.dropLast().joined(separator: ", ")) and \(specifications.last ?? "")"
    }

    private static func message(_ problem: SchemaProblem) -> String {
        switch problem {
        case .missingType: return "no type (write KEY:TYPE, e.g. port:int)"
        case .unknownType(let type):
            return "unknown type \(quoted(type)) (types: str, int, float, bool, list, list<T>)"
        case .nestedList: return "lists cannot be nested"
        case .unclosed(let character): return "missing '\(character)'"
        case .unexpected(let character):
            return "unexpected \(quoted(character)) after the type (only ! and =DEFAULT may follow it)"
        case .oneOfNotAllowed(let type): return "\(type) takes no {…} list of values (str and int do)"
        case .rangeNotAllowed(let type): return "\(type) takes no [LOW..HIGH] range (int and float do)"
        case .emptyChoice: return "an empty value in {…}"
        case .badChoice(let raw, let inner): return "value \(quoted(raw)) in {…}: \(message(inner))"
        case .badRange(let text):
            return
                "[\(TextEscaping.escapingControlCharacters(text))] is not a range (LOW..HIGH, LOW.. or ..HIGH, LOW ≤ HIGH)"
        case .invalidKey(let inner): return message(inner)
        case .reservedKey(let key): return "\(key) is kept by the registry, not a schema's"
        case .requiredWithDefault:
            return "! (required) and a default exclude each other: a key with a default is never missing"
        case .invalidDefault(let raw, let inner): return "default \(quoted(raw)): \(message(inner))"
        case .defaultOutsideType(let raw, let inner): return "default \(quoted(raw)): \(message(inner, key: nil))"
        case .duplicateKey(let first): return "its key is also given by \(quoted(first))"
        }
    }

    private static func message(_ violation: SchemaViolation) -> String {
        message(violation.problem, key: violation.key)
    }

    private static func message(_ problem: SchemaViolation.Problem, key: String?) -> String {
        let prefix = key.map { TextEscaping.escapingControlCharacters($0) + ": " } ?? ""
        switch problem {
        case .required: return prefix + "required"
        case .wrongType(let expected, let got):
            var text = prefix + "expected \(expected), got \(json(got))"
            if let key {
                let key = TextEscaping.escapingControlCharacters(key)
                let literal = TextEscaping.escapingControlCharacters(got.schemaLiteral)
                if expected == "str", got.typeName != "list" {
                    text += " (write \(key):str=\(literal) for text)"
                } else if expected.hasPrefix("list"), case .string = got {
                    text +=
                        " (write \(key):\(expected.split(separator: "{")[0].split(separator: "[")[0])=\(literal) for a list)"
                }
            }
            return text
        case .notOneOf(let value, let allowed):
            return prefix + "\(json(value)) is not one of \(allowed.map(json).joined(separator: ", "))"
        case .outOfRange(let value, let range):
            return prefix + "\(json(value)) is out of the range \(TextEscaping.escapingControlCharacters(range))"
        case .notInSchema: return prefix + "not in the schema (it is closed)"
        case .element(let index, let inner):
            let name = key.map { TextEscaping.escapingControlCharacters($0) + "[\(index)]" } ?? "[\(index)]"
            return message(inner, key: name)
        }
    }

    private static func json(_ value: PropertyValue) -> String {
        var out = ""
        JSONWriter.writeValue(value, to: &out)
        return out
    }

    private static func describe(_ failure: HookFailure) -> (message: String, status: ExitStatus) {
        let name = TextEscaping.escapingControlCharacters(failure.hook)
        switch failure.kind {
        case .exited(let status, let message):
            guard let message, !message.isEmpty else {
                return ("refused by hook \(name) (exit status \(status))", .refused)
            }
            return ("refused by hook \(name): \(TextEscaping.escapingControlCharacters(message))", .refused)
        case .signaled(let signal): return ("refused by hook \(name): it was killed by signal \(signal)", .refused)
        case .timedOut(let milliseconds):
            return ("refused by hook \(name): it ran longer than \(LeaseDuration.format(milliseconds))", .refused)
        case .invalidOutput(let inner):
            return (
                "refused by hook \(name): its output is not a JSON object of properties to merge: \(message(inner))",
                .refused
            )
        case .outputForUnregister:
            return ("refused by hook \(name): it printed properties, but an unregister has none to merge", .refused)
        case .notFound(let command): return ("hook \(name): \(quoted(command)): command not found", .commandNotFound)
        case .cannotRun(let command, let reason):
            return ("hook \(name): \(quoted(command)): \(TextEscaping.escapingControlCharacters(reason))", .cannotRun)
        case .interrupted: return ("interrupted", .interrupted)
        }
    }

    /// The warning an after-hook's failure gives (the change stands).
    static func afterHookWarning(_ failure: HookFailure, change: ServiceChange) -> String {
        let what = "after-hook \(TextEscaping.escapingControlCharacters(failure.hook)) (service \(change.serviceID))"
        let reason: String
        switch failure.kind {
        case .exited(let status, let message):
            reason =
                message.map { "exited with status \(status): \(TextEscaping.escapingControlCharacters($0))" }
                ?? "exited with status \(status)"
        case .signaled(let signal): reason = "was killed by signal \(signal)"
        case .timedOut(let milliseconds):
            reason = "ran longer than \(LeaseDuration.format(milliseconds)) and was stopped"
        case .notFound(let command): reason = "\(quoted(command)): command not found"
        case .cannotRun(let command, let why):
            reason = "\(quoted(command)): \(TextEscaping.escapingControlCharacters(why))"
        case .interrupted: reason = "was interrupted"
        case .invalidOutput, .outputForUnregister: reason = "failed"
        }
        return "\(what) \(reason); the change stands"
    }

    // MARK: Stores

    static func status(_ error: StoreError) -> ExitStatus {
        switch error.kind {
        case .busy, .conflict: .storeBusy
        case .permissionDenied: .permissionDenied
        default: .storeError
        }
    }

    static func message(_ error: StoreError) -> String {
        let store = error.location.isEmpty ? "the store" : "store \(error.location)"
        let detail = error.detail.map { ": \($0)" } ?? ""
        switch error.kind {
        case .busy: return "\(store) is busy (locked by another process); try again"
        case .permissionDenied: return "\(store)\(detail)"
        case .foreign:
            return "\(error.location) is not a servreg store (\(error.detail ?? "not a servreg store")); left untouched"
        case .corrupt:
            return
                "\(error.location.isEmpty ? "the store" : error.location) is corrupt\(detail); this command changed nothing"
        case .newerSchema(let found, let known):
            return "\(error.location) was written by a newer servreg (schema \(found); this one knows up to "
                + "\(known)); left untouched"
        case .full: return "\(store): the disk is full; nothing was changed"
        case .cannotOpen: return "cannot open \(store)\(detail)"
        case .gone: return error.detail ?? "\(store) is gone"
        case .conflict: return "\(store): a write conflicted with another writer's; try again"
        case .failed: return "\(store)\(detail)"
        }
    }

    // MARK: Factories

    private static func describe(_ error: FactoryError) -> (message: String, status: ExitStatus) {
        let what = error.isRelease ? "the release command" : "the factory"
        // A release runs after its value has left the registry: nothing there to keep or undo.
        let kept = error.isRelease ? "the value is let go of all the same" : "nothing was kept"
        let of = error.service > 0 ? " of service \(error.service)" : ""
        let command = quoted(error.command)
        switch error.kind {
        case .exited(let code):
            return ("\(what)\(of) (\(command)) exited with status \(code); \(kept)", .factoryFailed)
        case .signaled(let signal):
            return ("\(what)\(of) (\(command)) was killed by signal \(signal); \(kept)", .factoryFailed)
        case .timedOut(let milliseconds):
            return (
                "\(what)\(of) (\(command)) ran longer than \(LeaseDuration.format(milliseconds)) and was stopped; "
                    + kept, .factoryFailed
            )
        case .noOutput: return ("\(what)\(of) (\(command)) printed nothing; nothing was kept", .factoryFailed)
        case .tooLarge:
            return (
                "\(what)\(of) (\(command)) printed more than \(ServiceValue.maximumSize) bytes; nothing was kept",
                .factoryFailed
            )
        case .notFound: return ("\(what)\(of): \(command): command not found", .commandNotFound)
        case .cannotRun(let reason): return ("\(what)\(of): \(command): \(reason)", .cannotRun)
        case .interrupted: return ("interrupted", .interrupted)
        }
    }

    // MARK: The command line

    private static func describe(_ error: CommandLineError) -> (message: String, status: ExitStatus) {
        switch error {
        case .argumentParser(let message, let command): return (message + hint(command), .usage)
        case .invalidOptionValue(let message, let command): return (message + hint(command), .invalidInput)
        case .unknownCommand(let name):
            if let near = Suggestion.closest(to: name, among: ServregMain.commandNames) {
                return ("unknown command \(quoted(name)); did you mean \(quoted(near))? (see 'servreg --help')", .usage)
            }
            let names = ServregMain.commandNames.joined(separator: ", ")
            return ("unknown command \(quoted(name)) (commands: \(names); see 'servreg --help')", .usage)
        case .noCommand(let after): return ("no command given after \(after) (see 'servreg --help')", .usage)
        case .emptyInlineValue(let option, let command):
            return ("missing value for \(quoted(option)): nothing follows '='" + hint(command), .usage)
        case .invalidServiceID(let text):
            return (
                "invalid service id \(quoted(text)) (ids are positive integers; a named service is @NAME)",
                .invalidInput
            )
        case .inOption(let option, let inner): return ("\(option): \(message(inner))", status(inner))
        case .invalidEnvironment(let name, let value, let expected):
            return ("\(name) must be \(expected), not \(quoted(value))", .invalidInput)
        case .unsupportedStore(let location):
            return (
                "unsupported store location \(quoted(location)) "
                    + "(a file path, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS)", .usage
            )
        case .tlsOptionsWithoutEtcd(let options, let store):
            return (
                "\(options) \(options.contains(",") ? "are" : "is") for an etcd store (etcds://HOST:PORT…), "
                    + "and \(quoted(store)) is a file", .usage
            )
        case .keyWithoutCertificate:
            return ("--key needs --cert: the client certificate whose private key it is (SERVREG_ETCD_CERT)", .usage)
        case .badStoreAddress(let location, let problem):
            let shown = location.count > 120 ? String(location.prefix(100)) + "…" : location
            return ("store \(quoted(shown)): \(problem) (etcd[s]://HOST:PORT[,HOST:PORT…][/PREFIX])", .usage)
        case .storeChangedInAtomicBatch(let pinned, let requested):
            return ("--atomic: every line must use the store \(pinned), not \(requested)", .invalidInput)
        case .notInSession(let name): return ("\(quoted(name)) cannot be used inside the shell or a batch file", .usage)
        case .listenInAtomicBatch: return ("listen cannot run in an --atomic batch", .usage)
        case .waitsInAtomicBatch(let name):
            return (
                "\(name) cannot run in an --atomic batch (it would hold the store's write lock while it waits)", .usage
            )
        case .groupBoundary: return ("", .success)
        case .sessionUsage(let message): return (message, .usage)
        case .unreadableLine(let message, let column, let hint):
            return ("\(message)\(hint.map { " (\($0))" } ?? "") at column \(column)", .invalidInput)
        case .unreadableBatchFile(let file, let reason): return ("cannot read batch file \(file)\(reason)", .usage)
        case .badDeclaration(let origin, let message): return ("\(origin): \(message)", .invalidInput)
        case .unreadableInputFile(let file, let reason): return ("cannot read \(quoted(file))\(reason)", .usage)
        case .notUTF8File(let file): return ("\(quoted(file)) is not UTF-8 text", .invalidInput)
        case .badExportLine(let file, let line, let message):
            return (
                "\(TextEscaping.escapingControlCharacters(file)):\(line): \(message); nothing was imported",
                .invalidInput
            )
        case .standardInputInUse(let what):
            return ("\(what): standard input is this session's own input; give a file instead", .usage)
        case .notUTF8: return ("the line is not valid UTF-8 text; nothing was run", .invalidInput)
        case .lineEditingUnavailable: return ("cannot start line editing on this terminal", .internalError)
        case .processOwnerOnEtcd(let option):
            return (
                "\(option) cannot be used on an etcd registry: a process id means nothing to the other hosts "
                    + "(use --hold, --ttl and keepalive)", .usage
            )
        case .heldWithoutLease:
            return (
                "--hold --ttl 0 cannot be used on an etcd registry: a held service lives there on a lease "
                    + "its holder renews (give a --ttl above 0, or none for 10s)", .usage
            )
        case .untrustedEtcdStore(let store):
            return (
                "\(TextEscaping.escapingControlCharacters(store)): factories, release commands and hooks run from an "
                    + "etcd registry only when SERVREG_TRUSTED_STORES names it; nothing was run",
                .permissionDenied
            )
        case .untrustedStore(let store, let reason):
            return (
                "\(TextEscaping.escapingControlCharacters(store)): \(reason): factories and release commands run "
                    + "only from a store that is the user's own and that only the user may write; nothing was run",
                .permissionDenied
            )
        case .standardInputNotUTF8Value(let what): return ("\(what): the value to release is empty", .invalidInput)
        case .outputFailed(EPIPE):
            // As a tool killed by SIGPIPE: no message, 141. What was printed is committed.
            return ("", .outputClosed)
        case .outputFailed(let code):
            return ("cannot write to standard output: \(String(cString: strerror(code)))", .storeError)
        }
    }

    private static func hint(_ command: String?) -> String {
        command.map { " (see 'servreg \($0) --help')" } ?? " (see 'servreg --help')"
    }

    private static func quoted(_ text: String) -> String { Quoting.quoted(text) }
}
