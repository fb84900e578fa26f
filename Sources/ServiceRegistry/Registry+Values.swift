/// Values, factories and their clients: `get --value`, `props --value`, `unget`, and the
/// release of values when their service goes. Factories run between transactions: a claim
/// in the store (the claimant's pid, start time and boot id) makes concurrent first
/// requests of a singleton's value — or of one client's bundle value — run the factory once,
/// while other writers go on.
extension Registry {
    /// What `value(of:)` looks for: the best service of a query, or one service.
    public enum ValueTarget: Sendable {
        /// The best match of a query (`get --value`).
        case best(ServiceQuery)
        /// One service (`props ID --value`).
        case service(ServiceReference)
    }

    /// `value(of:…, writable: false)` found that the request needs a write (to record a use,
    /// claim or store a value): ask again through a registry whose store may write.
    public struct ValueNeedsWrite: Error {}

    /// What a request for a value found in one transaction.
    private enum ValueStep {
        /// The value, to return (after recording the client's use, when `recordUse`).
        case ready(ServiceRecord, [UInt8], recordUse: Bool)
        /// Another process is making it: wait for its commit.
        case wait
        /// This process makes it (claimed under `claimKey` unless nil: a prototype).
        case make(ServiceRecord, ServiceFactory, claimKey: String?)
        /// No service matches the query.
        case noMatch
    }

    /// The value of a service for `client`: its own, or what its factory makes (a singleton's
    /// once, then stored as the service's value with MODIFIED; a bundle's once per client,
    /// kept until `unget`; a prototype's on every request). Asking counts as use (`users`).
    /// `specification` is the one asked for (the factory's `SERVREG_SPEC`). Nil when no
    /// service matches a query.
    /// With `writable` false only reads happen: a request that needs more throws
    /// `ValueNeedsWrite` (the common case — a value already made, a use already recorded —
    /// then opens nothing for writing).
    public func value(
        of target: ValueTarget, specification: String? = nil, client: String, claimant: ServiceOwner,
        maker: any ValueMaker, writable: Bool = true
    ) throws -> (ServiceRecord, [UInt8])? {
        try ClientName.validate(client)
        var signal: (any ChangeSignal)?
        while true {
            let seen = try transactions.read { reader in
                var check = LivenessCheck(liveness)
                return try Self.valueStep(target, client: client, claimant: claimant, in: reader, &check, writer: nil)
            }
            let step: ValueStep
            switch seen {
            case .noMatch:
                return nil
            case .ready(let record, let value, recordUse: false):
                return (record, value)
            case .ready where !writable, .make(_, _, claimKey: .some) where !writable, .wait where !writable:
                throw ValueNeedsWrite()
            case .make(let record, let factory, claimKey: nil):
                if inBatch { throw RegistryError.factoryInBatch(record.id) }
                try maker.checkTrusted()
                step = .make(record, factory, claimKey: nil)
            case .ready(let record, let value, recordUse: true):
                do {
                    step = try write { writer, check in
                        try Self.valueStep(
                            target, client: client, claimant: claimant, in: writer, &check, writer: writer)
                    }
                } catch let error as StoreError where error.kind == .permissionDenied {
                    return (record, value)  // a store this user may only read: the use is not recorded
                }
            case .make(let record, _, _):
                if inBatch { throw RegistryError.factoryInBatch(record.id) }
                try maker.checkTrusted()
                step = try write { writer, check in
                    try Self.valueStep(target, client: client, claimant: claimant, in: writer, &check, writer: writer)
                }
            case .wait:
                // Another process makes it: wait for its commit without writing.
                if inBatch { throw RegistryError.factoryInBatch(0) }
                try maker.checkTrusted()
                step = .wait
            }
            switch step {
            case .noMatch:
                return nil
            case .ready(let record, let value, _):
                return (record, value)
            case .wait:
                if maker.isInterrupted { throw FactoryError(.interrupted, command: "", service: 0) }
                if signal == nil { signal = try store.changeSignal() }
                _ = try signal?.wait(timeout: 0.2)
            case .make(let record, let factory, let key):
                // A batch holds the store's write lock: a factory never runs inside one.
                if inBatch { throw RegistryError.factoryInBatch(record.id) }
                let made: [UInt8]
                do {
                    made = try maker.make(
                        factory, of: record, specification: specification ?? record.specifications[0],
                        client: client)
                    if made.isEmpty {
                        throw FactoryError(.noOutput, command: factory.command[0], service: record.id)
                    }
                    if made.count > ServiceValue.maximumSize {
                        throw FactoryError(.tooLarge, command: factory.command[0], service: record.id)
                    }
                } catch {
                    if let key {
                        try? write { writer, _ in
                            if try writer.use(of: record.id, client: key)?.claimant == claimant {
                                try writer.deleteUse(of: record.id, client: key)
                            }
                        }
                    }
                    throw error
                }
                guard let key else { return (record, made) }
                return try keep(made, of: record, claimKey: key, client: client, claimant: claimant)
            }
        }
    }

    /// Looks at (reader) or acts on (writer) a request for a value.
    private static func valueStep(
        _ target: ValueTarget, client: String, claimant: ServiceOwner, in reader: any RegistryReader,
        _ check: inout LivenessCheck, writer: (any RegistryWriter)?
    ) throws -> ValueStep {
        let record: ServiceRecord
        switch target {
        case .service(let reference):
            guard let found = try live(reference, in: reader, &check) else {
                throw RegistryError.noSuchService(reference)
            }
            record = found
        case .best(var query):
            query.firstOnly = true
            var best: ServiceRecord?
            var states = StateCheck()
            try reader.forEachService(matching: query) { candidate in
                guard check.isLive(candidate) else { return true }
                let offered = try query.includeUnsatisfied || states.isSatisfied(candidate, in: reader, &check)
                guard offered else { return true }
                best = candidate
                return false
            }
            guard let best else { return .noMatch }
            record = best
        }
        guard let factory = record.factory else {
            guard let value = record.value else { throw RegistryError.noValue(record.id) }
            if try reader.use(of: record.id, client: client) != nil { return .ready(record, value, recordUse: false) }
            guard let writer else { return .ready(record, value, recordUse: true) }
            try writer.setUse(ServiceUse(client: client), of: record.id)
            return .ready(record, value, recordUse: false)
        }
        if record.scope == .prototype { return .make(record, factory, claimKey: nil) }
        let key = record.scope == .bundle ? client : ""
        let use = try reader.use(of: record.id, client: key)
        if record.scope == .bundle, let value = use?.value { return .ready(record, value, recordUse: false) }
        if let other = use?.claimant, other != claimant, check.isRunning(other) { return .wait }
        guard let writer else { return .make(record, factory, claimKey: key) }
        try writer.setUse(ServiceUse(client: key, claimant: claimant), of: record.id)
        return .make(record, factory, claimKey: key)
    }

    /// Stores a value this process made under its claim; when the service went or changed
    /// meanwhile, the value is released and the service's current value (if any) returned.
    private func keep(
        _ made: [UInt8], of record: ServiceRecord, claimKey key: String, client: String, claimant: ServiceOwner
    ) throws -> (ServiceRecord, [UInt8]) {
        try write { writer, check in
            let current = try Self.live(.id(record.id), in: writer, &check)
            let claimed = try writer.use(of: record.id, client: key)?.claimant == claimant
            guard let current, claimed, current.factory != nil else {
                // Gone, or made by someone else after our claim was taken over: ours is not used.
                if let command = record.release {
                    try writer.queueRelease(
                        PendingRelease(
                            service: record.id, specification: record.specifications[0], client: client,
                            command: command, value: made))
                }
                if let current, current.factory == nil, let value = current.value { return (current, value) }
                if let current, let value = try writer.use(of: current.id, client: key)?.value {
                    return (current, value)
                }
                throw RegistryError.noSuchService(.id(record.id))
            }
            if current.scope == .bundle {
                try writer.setUse(ServiceUse(client: client, value: made), of: current.id)
                return (current, made)
            }
            var next = current
            next.value = made
            next.factory = nil
            let (stored, _) = try Self.store(next, replacing: current, in: writer)
            try writer.deleteUse(of: current.id, client: "")
            try writer.setUse(ServiceUse(client: client), of: current.id)
            return (stored, made)
        }
    }

    /// Lets go of a client's use of a service: a bundle value is forgotten and released (its
    /// release command runs, through `runPendingReleases`); a prototype's `value` (given back
    /// by the client) is released; otherwise the use is forgotten. Returns the service.
    @discardableResult
    public func unget(_ reference: ServiceReference, client: String, value: [UInt8]? = nil) throws -> ServiceRecord {
        try ClientName.validate(client)
        return try write { writer, check in
            guard let record = try Self.live(reference, in: writer, &check) else {
                throw RegistryError.noSuchService(reference)
            }
            if record.factory != nil, record.scope == .prototype {
                guard let value else { throw RegistryError.notInUse(record.id, client: client) }
                if let command = record.release {
                    try writer.queueRelease(
                        PendingRelease(
                            service: record.id, specification: record.specifications[0], client: client,
                            command: command, value: value))
                }
                return record
            }
            guard let use = try writer.use(of: record.id, client: client), use.claimant == nil else {
                throw RegistryError.notInUse(record.id, client: client)
            }
            try writer.deleteUse(of: record.id, client: client)
            if let held = use.value, let command = record.release {
                try writer.queueRelease(
                    PendingRelease(
                        service: record.id, specification: record.specifications[0], client: client,
                        command: command, value: held))
            }
            return record
        }
    }

    /// The clients that use a service (asked for its value and did not `unget`), by name.
    public func users(of id: ServiceID) throws -> [String] {
        try transactions.read { reader in
            try reader.uses(of: id).filter { !$0.client.isEmpty && $0.claimant == nil }.map(\.client)
        }
    }

    /// Runs the release commands queued in the store (values let go of by `unget`, or held
    /// by services that went), each taken off the queue before it runs; returns the failures.
    /// Nothing is written, and the maker is not asked for trust, when none are queued. The
    /// queue is not read when this registry's last write committed with none in it (releases
    /// queued by others after that are theirs to run, or the next writer's).
    public func runPendingReleases(maker: any ValueMaker) throws -> [FactoryError] {
        if releaseWatch.queued == false { return [] }
        let queued = try transactions.read { try $0.pendingReleases(limit: 1) }
        releaseWatch.queued = !queued.isEmpty
        guard !queued.isEmpty else { return [] }
        try maker.checkTrusted()
        var failures: [FactoryError] = []
        while true {
            let taken = try transactions.write { writer in
                let entries = try writer.pendingReleases(limit: 16)
                for entry in entries { try writer.deleteRelease(entry.number) }
                return entries
            }
            for entry in taken {
                do {
                    try maker.release(entry)
                } catch let error as FactoryError {
                    failures.append(error)
                }
            }
            if taken.count < 16 {
                releaseWatch.queued = false
                return failures
            }
        }
    }

    /// Removes a service with UNREGISTERING and queues the release of the values it holds:
    /// every removal of the core goes through here.
    static func remove(_ record: ServiceRecord, reason: RemovalReason, in writer: any RegistryWriter) throws {
        if let command = record.release {
            let specification = record.specifications.first ?? ""
            if record.factory == nil, let value = record.value {
                // A singleton factory's value, made and kept by the service.
                try writer.queueRelease(
                    PendingRelease(
                        service: record.id, specification: specification, client: record.registeredBy ?? "",
                        command: command, value: value))
            }
            for use in try writer.uses(of: record.id) {
                guard let value = use.value else { continue }
                try writer.queueRelease(
                    PendingRelease(
                        service: record.id, specification: specification, client: use.client, command: command,
                        value: value))
            }
        }
        try writer.delete(record, reason: reason.rawValue)
    }
}
