/// One service of a declaration file (`apply`): a named registration and where it was read.
public struct DeclaredService: Sendable {
    /// The registration; it has a name, and its `source` is the file or folder given.
    public var request: RegistrationRequest
    /// `FILE:LINE`, for messages.
    public var origin: String

    /// A declared service.
    public init(request: RegistrationRequest, origin: String) {
        self.request = request
        self.origin = origin
    }
}

/// What `apply` did (or, with `--diff`, would do) to one service.
public struct AppliedChange: Sendable, Equatable {
    /// The kind of change.
    public enum Action: String, Sendable {
        /// Not registered yet: registered.
        case register
        /// Registered, and something differs: updated in place (one MODIFIED).
        case update
        /// Registered under other specifications or another scope, which are fixed: the old
        /// one unregistered (reason `replaced`) and the declared one registered.
        case replace
        /// Registered by an earlier `apply` of the same source and no longer declared
        /// (`--prune`): unregistered, reason `pruned`.
        case unregister
        /// Registered as declared.
        case unchanged
    }

    /// A value that differs: the key, before and after (nil: absent).
    public struct Difference: Sendable, Equatable {
        /// The key as declared (or as stored, when it goes).
        public var key: String
        /// The value the service has.
        public var old: PropertyValue?
        /// The value declared.
        public var new: PropertyValue?
    }

    /// What happened.
    public var action: Action
    /// The service's name.
    public var name: String
    /// The service's id after the change (nil for a `--diff` registration, or once
    /// unregistered: then `previousID` is the one it had).
    public var id: ServiceID?
    /// The id of the service replaced or unregistered.
    public var previousID: ServiceID?
    /// What differs (update, replace).
    public var differences: [Difference]
    /// Where the service is declared (`FILE:LINE`), or nil for one pruned.
    public var origin: String?
}

extension Registry {
    /// Makes the store match the declared services, in one transaction: registers those
    /// missing, updates those that differ (one MODIFIED each, nothing for those that do not)
    /// and, with `prune`, unregisters the services an earlier `apply` of one of `sources`
    /// registered that are no longer declared. With `dryRun`, reads and says what it would do.
    public func apply(_ declared: [DeclaredService], sources: [String], prune: Bool, dryRun: Bool) throws
        -> [AppliedChange]
    {
        var validated: [(DeclaredService, NewService)] = []
        var origins: [String: String] = [:]
        for declaration in declared {
            do {
                guard let name = declaration.request.name else { throw RegistryError.declarationWithoutName }
                if let first = origins.updateValue(declaration.origin, forKey: name) {
                    throw RegistryError.declaredTwice(name, firstOrigin: first)
                }
                var new = try Self.validate(declaration.request).new
                new.source = declaration.request.source
                new.lease = nil
                new.owner = nil
                validated.append((declaration, new))
            } catch let error as RegistryError {
                throw RegistryError.inDeclaration(declaration.origin, error)
            }
        }
        let names = Set(origins.keys)
        func plan(_ reader: any RegistryReader, _ writer: (any RegistryWriter)?, _ check: inout LivenessCheck) throws
            -> [AppliedChange]
        {
            var changes: [AppliedChange] = []
            for (declaration, new) in validated {
                let name = new.name ?? ""
                do {
                    let found = try reader.service(named: name)
                    guard let existing = found, check.isLive(existing) else {
                        let id = try writer?.insert(id: nil, new).id
                        changes.append(
                            AppliedChange(
                                action: .register, name: name, id: id, differences: [], origin: declaration.origin))
                        continue
                    }
                    let wanted = Self.declared(new, over: existing)
                    if Set(existing.specifications) != Set(new.specifications) || existing.scope != new.scope {
                        let replacement = ServiceRecord(
                            id: existing.id, specifications: new.specifications, ranking: new.ranking,
                            scope: new.scope, properties: new.properties, name: new.name, value: new.value,
                            factory: new.factory, release: new.release, requirements: new.requirements,
                            source: new.source)
                        let differences = Self.differences(existing, replacement)
                        var id: ServiceID?
                        if let writer {
                            try Self.remove(existing, reason: .replaced, in: writer)
                            id = try writer.insert(id: nil, new).id
                        }
                        changes.append(
                            AppliedChange(
                                action: .replace, name: name, id: id, previousID: existing.id,
                                differences: differences, origin: declaration.origin))
                        continue
                    }
                    let differences = Self.differences(existing, wanted)
                    if let writer, wanted != existing { _ = try Self.store(wanted, replacing: existing, in: writer) }
                    changes.append(
                        AppliedChange(
                            action: differences.isEmpty ? .unchanged : .update, name: name, id: existing.id,
                            differences: differences, origin: declaration.origin))
                } catch let error as RegistryError {
                    throw RegistryError.inDeclaration(declaration.origin, error)
                }
            }
            guard prune else { return changes }
            for source in sources {
                var gone: [ServiceRecord] = []
                try reader.forEachService(fromSource: source) { record in
                    if check.isLive(record), !names.contains(record.name ?? "") { gone.append(record) }
                    return true
                }
                for record in gone {
                    if let writer { try Self.remove(record, reason: .pruned, in: writer) }
                    changes.append(
                        AppliedChange(
                            action: .unregister, name: record.name ?? "", previousID: record.id, differences: [],
                            origin: nil))
                }
            }
            return changes
        }
        if dryRun {
            return try transactions.read { reader in
                var check = LivenessCheck(liveness)
                return try plan(reader, nil, &check)
            }
        }
        // The dependents settle once, on the end result: a declared change that breaks a
        // requirement and another that mends it make no event between them.
        return try write(.register, deferringDependencies: true) { writer, check in try plan(writer, writer, &check) }
    }

    /// A registered service as a declaration wants it: same id, name, specifications, scope
    /// and registering client; everything else as declared (a singleton factory whose value
    /// was made counts as declared: it is not made again).
    static func declared(_ new: NewService, over existing: ServiceRecord) -> ServiceRecord {
        var wanted = existing
        wanted.properties = new.properties
        wanted.ranking = new.ranking
        wanted.requirements = new.requirements
        wanted.source = new.source
        wanted.lease = nil
        wanted.owner = nil
        let made =
            new.factory != nil && new.scope == .singleton && existing.factory == nil && existing.value != nil
            && existing.release == new.release
        if !made {
            wanted.value = new.value
            wanted.factory = new.factory
            wanted.release = new.release
        }
        return wanted
    }

    /// The keys whose values differ between two states of a service (what `--diff` shows).
    static func differences(_ old: ServiceRecord, _ new: ServiceRecord) -> [AppliedChange.Difference] {
        var differences: [AppliedChange.Difference] = []
        let reserved = [
            ReservedKey.objectClass, ReservedKey.ranking, ReservedKey.scope, ReservedKey.requires,
            ReservedKey.value, ReservedKey.valueBase64, ReservedKey.factory, ReservedKey.factoryRelease,
            ReservedKey.factoryTimeout, ReservedKey.ttl, ReservedKey.ownerPID, ReservedKey.source,
        ]
        for key in reserved {
            let folded = PropertyKey.fold(key)
            let before = old.value(forFoldedKey: folded)
            let after = new.value(forFoldedKey: folded)
            if key == ReservedKey.objectClass, Set(old.specifications) == Set(new.specifications) { continue }
            if before != after { differences.append(.init(key: key, old: before, new: after)) }
        }
        for entry in new.properties.entries {
            let before = old.properties.value(forFoldedKey: entry.foldedKey)
            if before != entry.value { differences.append(.init(key: entry.key, old: before, new: entry.value)) }
        }
        for entry in old.properties.entries where new.properties.value(forFoldedKey: entry.foldedKey) == nil {
            differences.append(.init(key: entry.key, old: entry.value, new: nil))
        }
        return differences
    }
}
