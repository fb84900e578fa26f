/// An extension around registry operations (Servactory's `before`/`after`): a command kept
/// in the store that every process of the store runs, in the order hooks were added.
///
/// A before-hook sees a proposed change and lets it through (exit 0, optionally printing
/// properties to merge into it) or vetoes it; an after-hook sees a committed change's event.
public struct Hook: Sendable, Equatable {
    /// When it runs.
    public enum Phase: String, Sendable, CaseIterable {
        case before
        case after
    }

    /// What it runs around.
    public enum Operation: String, Sendable, CaseIterable {
        case register
        case setProperties = "set-props"
        case unregister
    }

    /// Its name, unique in the store (`refused by hook NAME: …`).
    public var name: String
    /// Before or after the change.
    public var phase: Phase
    /// The operation it runs around.
    public var operation: Operation
    /// The specifications it is limited to: a name, or a prefix ending in `*` (`prod.*`);
    /// nil: every service.
    public var specification: String?
    /// The command, run without a shell (`command[0]` looked up in `PATH`).
    public var command: [String]
    /// How long it may run, in milliseconds (a before-hook that takes longer vetoes).
    public var timeout: Int64

    /// Five seconds.
    public static let defaultTimeout: Int64 = 5_000

    /// A hook as given; `validate` checks it.
    public init(
        name: String, phase: Phase, operation: Operation, specification: String? = nil, command: [String],
        timeout: Int64 = defaultTimeout
    ) {
        self.name = name
        self.phase = phase
        self.operation = operation
        self.specification = specification
        self.command = command
        self.timeout = timeout
    }

    /// Checks the name, the specification pattern, the command and the timeout.
    public func validate() throws(RegistryError) {
        try Self.validateName(name)
        if let specification { try Self.validatePattern(specification) }
        if command.isEmpty || command[0].isEmpty { throw .hookWithoutCommand }
        if timeout <= 0 || timeout > LeaseDuration.maximum {
            throw .invalidDuration(LeaseDuration.format(timeout), timeout <= 0 ? .tooShort : .tooLong)
        }
    }

    /// Hook names follow the rules of service names.
    public static func validateName(_ name: String) throws(RegistryError) {
        do {
            try ServiceName.validate(name)
        } catch {
            guard case .invalidServiceName(_, let problem) = error else { throw error }
            throw .invalidHookName(name, problem)
        }
    }

    /// `SPEC`, or `PREFIX*` (`*` alone: every specification).
    static func validatePattern(_ pattern: String) throws(RegistryError) {
        guard pattern.hasSuffix("*") else { return try SpecificationName.validate(pattern) }
        let prefix = pattern.dropLast()
        if prefix.isEmpty { return }
        if prefix.contains("*") { throw .invalidSpecificationName(pattern, .forbiddenCharacter("*")) }
        do {
            // A prefix is a specification name cut anywhere: `prod.` is `prod.x` cut.
            try SpecificationName.validate(prefix.hasSuffix(".") ? prefix + "x" : String(prefix))
        } catch {
            throw .invalidSpecificationName(pattern, Self.problem(of: error))
        }
    }

    private static func problem(of error: RegistryError) -> RegistryError.NameProblem {
        if case .invalidSpecificationName(_, let problem) = error { return problem }
        return .empty
    }

    /// Whether it runs for a service of these specifications.
    func applies(to specifications: [String]) -> Bool {
        guard let specification else { return true }
        guard specification.hasSuffix("*") else { return specifications.contains(specification) }
        let prefix = specification.dropLast()
        return specifications.contains { $0.hasPrefix(prefix) }
    }

    // MARK: Stored form

    /// How the store keeps it: `{"phase":…,"operation":…,"spec":…,"command":[…],"timeout":MS}`.
    var stored: String {
        var out = #"{"phase":""# + phase.rawValue + #"","operation":""# + operation.rawValue + "\""
        if let specification {
            out += #","spec":"#
            JSONWriter.writeString(specification, to: &out)
        }
        out += #","command":"#
        JSONWriter.writeValue(.list(command.map(PropertyValue.string)), to: &out)
        return out + #","timeout":"# + String(timeout) + "}"
    }

    /// A hook from its stored form; nil when it does not read back.
    static func fromStored(name: String, _ text: String) -> Hook? {
        guard let value = try? JSONValue.parse(text) else { return nil }
        return fromStored(name: name, value)
    }

    /// A hook from its stored form, parsed (an export's line); nil when it does not read back.
    static func fromStored(name: String, _ value: JSONValue) -> Hook? {
        guard case .object(let members) = value else { return nil }
        func member(_ key: String) -> JSONValue? { members.first { $0.0 == key }?.1 }
        guard case .string(let phaseText)? = member("phase"), let phase = Phase(rawValue: phaseText),
            case .string(let operationText)? = member("operation"),
            let operation = Operation(rawValue: operationText),
            case .array(let items)? = member("command"), case .integer(let timeout)? = member("timeout")
        else { return nil }
        var command: [String] = []
        for item in items {
            guard case .string(let word) = item else { return nil }
            command.append(word)
        }
        var specification: String?
        if case .string(let text)? = member("spec") { specification = text }
        let hook = Hook(
            name: name, phase: phase, operation: operation, specification: specification, command: command,
            timeout: timeout)
        return (try? hook.validate()) == nil ? nil : hook
    }
}
