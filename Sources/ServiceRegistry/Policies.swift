/// A hook or a schema as the store keeps it: the core's encoding, which the store only stores.
public struct StoredPolicy: Sendable, Equatable {
    /// What it is.
    public enum Kind: String, Sendable, CaseIterable {
        case hook
        case schema
    }

    /// A hook or a schema.
    public var kind: Kind
    /// The hook's name, or the schema's specification.
    public var key: String
    /// The core's encoding of it (JSON text).
    public var body: String

    /// A policy as the core encoded it.
    public init(kind: Kind, key: String, body: String) {
        self.kind = kind
        self.key = key
        self.body = body
    }
}

/// The hooks and schemas of a store, read in one transaction.
struct Policies {
    /// The hooks, in the order they were added.
    var hooks: [Hook] = []
    /// The schemas by specification.
    var schemas: [String: SpecificationSchema] = [:]

    var isEmpty: Bool { hooks.isEmpty && schemas.isEmpty }
    var hasAfterHooks: Bool { hooks.contains { $0.phase == .after } }

    /// What the store holds; a policy that does not read back is an error (the store was
    /// written by something else than servreg).
    static func read(_ reader: any RegistryReader) throws -> Policies {
        var policies = Policies()
        for stored in try reader.policies() {
            switch stored.kind {
            case .hook:
                guard let hook = Hook.fromStored(name: stored.key, stored.body) else {
                    throw RegistryError.unreadablePolicy(.hook, stored.key)
                }
                policies.hooks.append(hook)
            case .schema:
                guard let schema = SpecificationSchema.fromStored(specification: stored.key, stored.body) else {
                    throw RegistryError.unreadablePolicy(.schema, stored.key)
                }
                policies.schemas[stored.key] = schema
            }
        }
        return policies
    }

    /// The schemas of a service's specifications, in their order.
    func schemas(of specifications: [String]) -> [SpecificationSchema] {
        if schemas.isEmpty { return [] }
        return specifications.compactMap { schemas[$0] }
    }

    /// The hooks of a phase and an operation that apply to a service, in their order.
    func hooks(_ phase: Hook.Phase, _ operation: Hook.Operation, for specifications: [String]) -> [Hook] {
        if hooks.isEmpty { return [] }
        return hooks.filter { $0.phase == phase && $0.operation == operation && $0.applies(to: specifications) }
    }
}

/// What runs hooks' commands: the command line's processes, or a test's closures. The core
/// decides when, with what, and what their answers mean.
public protocol HookRunner: AnyObject {
    /// Throws unless code from the store may run (the trust rule of factories).
    func checkTrusted() throws
    /// Runs a hook with `input` on its standard input; returns its standard output when it
    /// exits 0, else throws (a `HookFailure`, or why it could not run).
    func run(_ hook: Hook, input: [UInt8]) throws -> [UInt8]
    /// Runs an after-hook for a committed change; says itself what went wrong (a warning:
    /// the change stands).
    func runAfter(_ hook: Hook, change: ServiceChange)
}

/// A hook that did not exit 0 (a veto, for a before-hook).
public struct HookFailure: Error, Equatable, Sendable {
    /// How it failed.
    public enum Kind: Equatable, Sendable {
        /// Exited with a status other than 0; the first line of its standard error, if any.
        case exited(Int32, message: String?)
        case signaled(Int32)
        /// Ran longer than its timeout (milliseconds).
        case timedOut(Int64)
        /// Printed something that is not a JSON object of properties to merge.
        case invalidOutput(RegistryError)
        /// Printed properties for an unregister, which has none to merge.
        case outputForUnregister
        /// Its command was not found (127) or cannot be run (126), and why.
        case notFound(String)
        case cannotRun(String, String)
        /// servreg was interrupted while it ran.
        case interrupted
    }

    /// The hook's name.
    public var hook: String
    /// How it failed.
    public var kind: Kind

    /// A failure of the hook named `hook`.
    public init(hook: String, kind: Kind) {
        self.hook = hook
        self.kind = kind
    }
}

/// A change the before-hooks must see before it may commit.
struct HookProposal {
    let operation: Hook.Operation
    let before: ServiceRecord?
    let after: ServiceRecord?
    let hooks: [Hook]
    let client: String?
    /// What the hooks see, but the hook's own name: the change is approved for this only.
    let key: [UInt8]

    init(operation: Hook.Operation, before: ServiceRecord?, after: ServiceRecord?, hooks: [Hook], client: String?) {
        self.operation = operation
        self.before = before
        self.after = after
        self.hooks = hooks
        self.client = client
        var key: [UInt8] = []
        Self.writeBody(operation: operation, before: before, after: after, client: client, to: &key)
        key.append(contentsOf: hooks.map(\.name).joined(separator: "\u{0}").utf8)
        self.key = key
    }

    /// A before-hook's input: `{"phase":"before","hook":…,"operation":…,"client":…,
    /// "before":SERVICE|null,"after":SERVICE|null}` and a newline. A new service's
    /// `service.id` is null (it is given at commit); a proposal shows no revision or expiry.
    static func input(
        hook: Hook, operation: Hook.Operation, before: ServiceRecord?, after: ServiceRecord?, client: String?
    ) -> [UInt8] {
        var out = Array(#"{"phase":"before","hook":"#.utf8)
        JSONWriter.writeString(hook.name, to: &out)
        out.append(UInt8(ascii: ","))
        writeBody(operation: operation, before: before, after: after, client: client, to: &out)
        out.append(contentsOf: "}\n".utf8)
        return out
    }

    private static func writeBody(
        operation: Hook.Operation, before: ServiceRecord?, after: ServiceRecord?, client: String?,
        to out: inout [UInt8]
    ) {
        out.append(contentsOf: #""operation":""#.utf8)
        out.append(contentsOf: operation.rawValue.utf8)
        out.append(contentsOf: #"","client":"#.utf8)
        if let client { JSONWriter.writeString(client, to: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: #","before":"#.utf8)
        if let before { JSONWriter.writeService(before, to: &out) } else { out.append(contentsOf: "null".utf8) }
        out.append(contentsOf: #","after":"#.utf8)
        if let after {
            JSONWriter.writeService(after, to: &out, proposed: true)
        } else {
            out.append(contentsOf: "null".utf8)
        }
    }
}

/// What the before-hooks made of a proposal: the properties to merge into it, in order
/// (nil: remove the key).
typealias HookMerges = [(key: String, value: PropertyValue?)]

/// The schemas and before-hooks of one transaction: every service a write stores is
/// checked against its specifications' schemas (defaults filled in), and every change the
/// write's operation makes is either one the before-hooks approved (their properties
/// merged) or noted as pending — the write is then rolled back, the hooks run outside it,
/// and it runs again.
final class PolicyCheck {
    let policies: Policies
    /// The operation the write runs: its updates are that operation (register, set-props);
    /// nil when no before-hook runs (expiries, removals of dead owners' services).
    let operation: Hook.Operation?
    let client: String?
    /// What earlier runs of the hooks approved, by what they saw.
    let approvals: [[UInt8]: HookMerges]
    /// The changes the hooks have not seen yet.
    private(set) var pending: [HookProposal] = []

    init(policies: Policies, operation: Hook.Operation?, client: String?, approvals: [[UInt8]: HookMerges]) {
        self.policies = policies
        self.operation = operation
        self.client = client
        self.approvals = approvals
    }

    /// Checks a new service against its schemas and, with before-hooks, applies what they
    /// approved or notes it for them.
    func admit(_ service: inout NewService, id: ServiceID?) throws {
        let schemas = policies.schemas(of: service.specifications)
        try Self.conform(&service.properties, to: schemas, specifications: service.specifications)
        guard operation != nil else { return }
        let hooks = policies.hooks(.before, .register, for: service.specifications)
        guard !hooks.isEmpty else { return }
        let proposed = ServiceRecord(
            id: id ?? 0, specifications: service.specifications, ranking: service.ranking, scope: service.scope,
            properties: service.properties, name: service.name, lease: service.lease, owner: service.owner,
            value: service.value, factory: service.factory, release: service.release,
            registeredBy: service.registeredBy, requirements: service.requirements, source: service.source)
        let proposal = HookProposal(operation: .register, before: nil, after: proposed, hooks: hooks, client: client)
        guard let merges = approvals[proposal.key] else {
            pending.append(proposal)
            return
        }
        Self.merge(merges, into: &service.properties, ranking: &service.ranking)
        try Self.conform(&service.properties, to: schemas, specifications: service.specifications)
    }

    /// Checks a changed service (its values changed) as `admit(_:id:)` checks a new one.
    func admit(_ record: inout ServiceRecord, previous: ServiceRecord) throws {
        let schemas = policies.schemas(of: record.specifications)
        try Self.conform(&record.properties, to: schemas, specifications: record.specifications)
        guard let operation, operation != .unregister else { return }
        let hooks = policies.hooks(.before, operation, for: record.specifications)
        guard !hooks.isEmpty else { return }
        let proposal = HookProposal(operation: operation, before: previous, after: record, hooks: hooks, client: client)
        guard let merges = approvals[proposal.key] else {
            pending.append(proposal)
            return
        }
        Self.merge(merges, into: &record.properties, ranking: &record.ranking)
        try Self.conform(&record.properties, to: schemas, specifications: record.specifications)
    }

    /// Notes a removal the write's operation asked for (`unregister`, `apply --prune`) for
    /// the before-hooks of unregister, unless they approved it.
    func admitRemoval(_ record: ServiceRecord, reason: String) {
        guard operation != nil, reason == RemovalReason.unregistered.rawValue || reason == RemovalReason.pruned.rawValue
        else { return }
        let hooks = policies.hooks(.before, .unregister, for: record.specifications)
        guard !hooks.isEmpty else { return }
        let proposal = HookProposal(operation: .unregister, before: record, after: nil, hooks: hooks, client: client)
        if approvals[proposal.key] == nil { pending.append(proposal) }
    }

    static func conform(
        _ properties: inout ServiceProperties, to schemas: [SpecificationSchema], specifications: [String]
    )
        throws(RegistryError)
    {
        guard !schemas.isEmpty else { return }
        let violations = SpecificationSchema.conform(&properties, to: schemas)
        if !violations.isEmpty { throw .schemaViolated(schemas.map(\.specification), violations) }
    }

    static func merge(_ merges: HookMerges, into properties: inout ServiceProperties, ranking: inout Int64) {
        for (key, value) in merges {
            if PropertyKey.fold(key) == ReservedKey.foldedRanking, case .integer(let number)? = value {
                ranking = number
            } else if let value {
                properties.set(key, value)
            } else {
                properties.remove(key)
            }
        }
    }

    /// What a before-hook printed: nothing (or only white space), or a JSON object of
    /// properties to merge (null removes a key; `service.ranking` may be set, no other
    /// reserved key).
    static func merges(fromOutput output: [UInt8], of hook: Hook, operation: Hook.Operation) throws -> HookMerges {
        let isBlank = output.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if isBlank { return [] }
        let text = String(decoding: output, as: UTF8.self)
        let members: [(String, JSONValue)]
        do throws(RegistryError) {
            guard case .object(let object) = try JSONValue.parse(text) else { throw RegistryError.notAJSONObject }
            members = object
        } catch {
            throw HookFailure(hook: hook.name, kind: .invalidOutput(error))
        }
        if operation == .unregister {
            if members.isEmpty { return [] }
            throw HookFailure(hook: hook.name, kind: .outputForUnregister)
        }
        var merges: HookMerges = []
        var assignments: [(String, PropertyValue)] = []
        var removals: [String] = []
        do throws(RegistryError) {
            for (key, json) in members {
                try PropertyKey.validate(key)
                if case .null = json {
                    removals.append(key)
                    merges.append((key, nil))
                } else {
                    let value = try PropertyInput.propertyValue(json, key: key, allowList: true)
                    assignments.append((key, value))
                    merges.append((key, value))
                }
            }
            try Registry.validate(PropertyUpdate(assignments: assignments, removals: removals), leaseGiven: true)
        } catch {
            throw HookFailure(hook: hook.name, kind: .invalidOutput(error))
        }
        return merges
    }
}
