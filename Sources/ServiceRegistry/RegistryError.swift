/// What the registry core refuses, with the details a message needs. The core says what
/// went wrong; the command line words it and picks the exit status (`ErrorReport`).
public enum RegistryError: Error, Equatable, Sendable {
    // MARK: Names and keys

    /// A registration without a specification.
    case noSpecification
    /// A specification name that breaks a rule.
    case invalidSpecificationName(String, NameProblem)
    /// A property key that breaks a rule.
    case invalidPropertyKey(String, NameProblem)
    /// Two keys of one request that differ only in case.
    case duplicateKey(String, existing: String)

    // MARK: Values

    /// A `key=value` assignment without `=`.
    case notAnAssignment(String)
    /// Text that is not a value of a type (`'cheap'` as an integer).
    case notAValue(String, PropertyType)
    /// An integer written without a type that does not fit 64 bits.
    case integerOutOfRange(String)
    /// A decimal number written without a type that no 64-bit float holds (`1e999`).
    case floatOutOfRange(String)
    /// A type name that is not one of the property types.
    case unknownType(String)
    /// `list<list<…>>` or a JSON list inside a list.
    case nestedList(key: String?)
    /// JSON whose value cannot be a property (null, an object).
    case unsupportedJSONValue(key: String, JSONKind)
    /// JSON input that is not an object.
    case notAJSONObject
    /// Malformed JSON, with the 1-based byte offset where reading failed.
    case invalidJSON(offset: Int, problem: String)
    /// An error about one `key=value` assignment, given as typed.
    indirect case inAssignment(String, RegistryError)

    /// A value larger than `ServiceValue.maximumSize` (its size in bytes).
    case valueTooLarge(Int)
    /// `--value` asked of a service that has none and no factory.
    case noValue(ServiceID)
    /// `unget` by a client that holds no value of the service.
    case notInUse(ServiceID, client: String)
    /// A client name that is empty or has control characters.
    case invalidClientName(String)
    /// `set-props --value` on a factory: its values are made by it.
    case valueOfFactory(ServiceID)
    /// A registration with both a value and a factory.
    case valueAndFactory
    /// A release command without a factory.
    case releaseWithoutFactory
    /// A factory without a command.
    case factoryWithoutCommand
    /// A factory asked to run inside an atomic batch (which holds the store's write lock).
    case factoryInBatch(ServiceID)

    // MARK: Filters and ordering

    /// A malformed filter, with the 1-based column where parsing failed and what was wrong.
    case filterSyntax(column: Int, problem: String)
    /// A filter nested deeper than `LDAPFilter.maximumDepth`, at the 1-based column of the
    /// first parenthesis too deep.
    case filterTooDeep(column: Int, limit: Int)
    /// `--min KEY` / `--max KEY` with a key no matching service has.
    case unknownSortKey(String)

    // MARK: Reserved properties and updates

    /// `service.id` or `objectClass` given a value.
    case readOnlyKey(String)
    /// `service.scope` changed after registration.
    case fixedAtRegistration(String)
    /// `service.ranking` that is not an integer (the type it has instead).
    case rankingNotAnInteger(actualType: String)
    /// `service.scope` that is not one of the scopes.
    case invalidScope(String)
    /// `service.ranking` unset.
    case rankingCannotBeUnset
    /// A key both set and unset in one update.
    case setAndUnset(String)
    /// Removals combined with replacing the whole property set.
    case removalWithReplace
    /// An update that names nothing to change.
    case nothingToChange

    // MARK: What the registry holds

    /// No live service with the given id or name.
    case noSuchService(ServiceReference)
    /// A `--name` that breaks the rules of names.
    case invalidServiceName(String, ServiceNameProblem)
    /// A duration (`--ttl`) that cannot be read or is out of range.
    case invalidDuration(String, DurationProblem)
    /// A name held by another live service (its id).
    case nameTaken(String, by: ServiceID)
    /// `--existing update` of a service registered under other specifications.
    case nameTakenUnderOtherSpecifications(String, by: ServiceID, specifications: [String])
    /// `--if-rev` that is not the service's revision: it changed after (or never had) it.
    case revisionMismatch(ServiceID, expected: Int64, actual: Int64)
    /// `renew` of a service that has no lease.
    case noLease(ServiceID)
    /// A service kept alive went (`keepalive`), with the reason the log gives.
    case serviceGone(ServiceReference, reason: String?)
    /// Events asked for are no longer kept, or the sequence number is from another store.
    case resyncNeeded(after: Int64, ResyncReason)
    /// An operation that needs a batch the store cannot offer, or a batch inside a batch.
    case batchUnavailable(BatchProblem)
    /// An import the store cannot take as it is.
    case importRefused(ImportProblem)
    /// A service owned by a process, in a store shared by many hosts (a pid means nothing there).
    case processOwnersUnsupported
    /// What is wrong with one service of an import, by its line.
    indirect case inImportedService(line: Int, RegistryError)

    // MARK: Requirements

    /// What is wrong with one `--requires`, as written.
    indirect case inRequirement(String, RegistryError)
    /// A registration that would close a cycle of requirements: the services on it, by
    /// their first specification, from the new one back to it.
    case requirementCycle([String])
    /// `--requires @NAME` of the service named NAME: never met (a service never meets its own).
    case requiresItself

    // MARK: Declarations (apply)

    /// What is wrong with one declared service, by where it is declared (`FILE:LINE`).
    indirect case inDeclaration(String, RegistryError)
    /// A declared service without `--name`.
    case declarationWithoutName
    /// A name declared twice (and where first).
    case declaredTwice(String, firstOrigin: String)

    // MARK: Schemas and hooks

    /// A word of `schema set` that does not parse, as written.
    indirect case inSchemaField(String, SchemaProblem)
    /// A service's properties against the schemas of its specifications (named): every problem.
    case schemaViolated([String], [SchemaViolation])
    /// `schema set` of a schema that registered services violate: the first of them, and how
    /// many there are.
    case schemaRefused(String, [SchemaViolator], total: Int)
    /// `schema show`/`schema rm` of a specification that has no schema.
    case noSuchSchema(String)
    /// A hook or schema in the store that does not read back (written by something else).
    case unreadablePolicy(StoredPolicy.Kind, String)
    /// A hook name that breaks the rules of names.
    case invalidHookName(String, ServiceNameProblem)
    /// `hook add` without a command after `--`.
    case hookWithoutCommand
    /// `hook add --name` of a name another hook has.
    case hookExists(String)
    /// `hook rm` of a name no hook has.
    case noSuchHook(String)
    /// A change a before-hook must see, asked inside `run --atomic` (which holds the store's
    /// write lock: hooks run outside transactions); the first such hook.
    case beforeHooksInBatch(String)
    /// A change that kept changing while its before-hooks ran, `rounds` times.
    case hooksKeptChanging(rounds: Int)
    /// A hook that would run where nothing can run hooks (a registry without a runner).
    case hooksUnavailable(String)

    /// What is wrong with a service name.
    public enum ServiceNameProblem: Equatable, Sendable {
        case empty
        case tooLong
        case forbiddenCharacter(Character)
    }

    /// What is wrong with a duration.
    public enum DurationProblem: Equatable, Sendable {
        case syntax
        case tooLong
        case tooShort
    }

    /// What is wrong with a name or key.
    public enum NameProblem: Equatable, Sendable {
        case empty
        case whiteSpaceOrControl
        /// A character the filter syntax reserves.
        case forbiddenCharacter(Character)
        case controlCharacter
    }

    /// The kinds of value a property can hold, as named on the command line.
    public enum PropertyType: String, Equatable, Sendable {
        case integer, float, boolean
    }

    /// JSON values that are not property values.
    public enum JSONKind: String, Equatable, Sendable {
        case null, object
    }

    /// Why a listener must resync.
    public enum ResyncReason: Equatable, Sendable {
        /// The log's oldest kept event is later than the one after `after`.
        case pruned(oldestKept: Int64)
        /// `after` is past the newest event: a number from another or a recreated store.
        case ahead(latest: Int64)
    }

    /// Why an import is refused.
    public enum ImportProblem: Equatable, Sendable {
        /// The store holds services (an import goes into an empty store).
        case storeNotEmpty(services: Int)
        /// An id this store gave before: ids are never reused.
        case idUsedBefore(ServiceID, lastServiceID: ServiceID, line: Int)
        /// Two services of the import with one id.
        case duplicateID(ServiceID, line: Int)
        /// A name held by two services of the export.
        case duplicateName(String, line: Int, firstLine: Int)
        /// A service id above what the export says was its store's last.
        case idAboveLast(ServiceID, lastServiceID: ServiceID, line: Int)
        /// A hook or schema that does not read back (the export was edited or damaged).
        case unreadablePolicy(StoredPolicy.Kind, String, line: Int)
        /// A hook or schema the export holds twice.
        case duplicatePolicy(StoredPolicy.Kind, String, line: Int, firstLine: Int)
        /// A hook of that name, or a schema of that specification, is in the store already.
        case policyExists(StoredPolicy.Kind, String, line: Int)
    }

    /// Why a batch cannot be had.
    public enum BatchProblem: Equatable, Sendable {
        case nested
        case unsupportedByStore
        /// An all-or-nothing batch went on after one of its steps failed (a bug of the
        /// caller's): it is not committed.
        case brokenStep
        /// The step would take the batch past what the store commits in one transaction
        /// (`StoreCapabilities.maximumBatchWrites`); it was not done.
        case full(maximum: Int)
    }
}
