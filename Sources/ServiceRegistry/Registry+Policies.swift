/// Hooks and schemas: kept in the store, so every process and user of it sees the same.
extension Registry {
    // MARK: Schemas

    /// Sets the schema of a specification, replacing the one it had, unless a live service
    /// of it (any state) violates it: then throws `schemaRefused` with them. With `checkOnly`,
    /// stores nothing and returns the violators (in id order).
    @discardableResult
    public func setSchema(_ schema: SpecificationSchema, checkOnly: Bool = false) throws -> [SchemaViolator] {
        if checkOnly {
            return try transactions.read { reader in try violators(of: schema, in: reader) }
        }
        return try write { writer, _ in
            let found = try violators(of: schema, in: writer)
            if !found.isEmpty {
                throw RegistryError.schemaRefused(
                    schema.specification, Array(found.prefix(Self.violatorsShown)), total: found.count)
            }
            try writer.setPolicy(StoredPolicy(kind: .schema, key: schema.specification, body: schema.stored))
            batchPolicies = nil
            return []
        }
    }

    /// How many of the services a refused schema lists are named in its error.
    public static let violatorsShown = 10

    /// The live services of the schema's specification whose properties it refuses, with
    /// the other schemas of their specifications in force (as a registration checks them),
    /// in id order.
    private func violators(of schema: SpecificationSchema, in reader: any RegistryReader) throws -> [SchemaViolator] {
        var policies = try Policies.read(reader)
        policies.schemas[schema.specification] = schema
        var query = ServiceQuery(specification: schema.specification)
        query.includeUnsatisfied = true
        var check = LivenessCheck(liveness)
        var found: [SchemaViolator] = []
        try reader.forEachService(matching: query) { record in
            guard check.isLive(record) else { return true }
            var properties = record.properties
            let violations = SpecificationSchema.conform(
                &properties, to: policies.schemas(of: record.specifications), fillDefaults: false
            ).filter { violation in
                // A key with a default is filled in at the next change: not missing now.
                violation.problem != .required
                    || !policies.schemas(of: record.specifications).contains {
                        $0.field(forFolded: PropertyKey.fold(violation.key))?.defaultValue != nil
                    }
            }
            if !violations.isEmpty { found.append(SchemaViolator(id: record.id, violations: violations)) }
            return true
        }
        return found.sorted { $0.id < $1.id }
    }

    /// Every schema, by specification name.
    public func schemas() throws -> [SpecificationSchema] {
        try transactions.read { reader in
            try Policies.read(reader).schemas.values.sorted { $0.specification < $1.specification }
        }
    }

    /// The schema of a specification.
    public func schema(of specification: String) throws -> SpecificationSchema {
        guard let schema = try transactions.read({ try Policies.read($0).schemas[specification] }) else {
            throw RegistryError.noSuchSchema(specification)
        }
        return schema
    }

    /// Removes the schema of a specification.
    public func removeSchema(of specification: String) throws {
        try write { writer, _ in
            guard try writer.deletePolicy(.schema, key: specification) else {
                throw RegistryError.noSuchSchema(specification)
            }
            batchPolicies = nil
        }
    }

    // MARK: Hooks

    /// Adds a hook after the others; without a name, it is named `hook-N` (the first N not
    /// taken). Returns it as stored.
    @discardableResult
    public func addHook(_ hook: Hook, named: Bool) throws -> Hook {
        var hook = hook
        if named { try hook.validate() }
        return try write { writer, _ in
            let taken = Set(try Policies.read(writer).hooks.map(\.name))
            if named {
                if taken.contains(hook.name) { throw RegistryError.hookExists(hook.name) }
            } else {
                var number = taken.count + 1
                while taken.contains("hook-\(number)") { number += 1 }
                hook.name = "hook-\(number)"
                try hook.validate()
            }
            try writer.setPolicy(StoredPolicy(kind: .hook, key: hook.name, body: hook.stored))
            batchPolicies = nil
            return hook
        }
    }

    /// Every hook, in the order they run.
    public func hooks() throws -> [Hook] {
        try transactions.read { try Policies.read($0).hooks }
    }

    /// Removes a hook.
    public func removeHook(named name: String) throws {
        try write { writer, _ in
            guard try writer.deletePolicy(.hook, key: name) else { throw RegistryError.noSuchHook(name) }
            batchPolicies = nil
        }
    }
}
