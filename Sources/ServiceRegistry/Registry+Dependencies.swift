/// Reading what services require and what meets it: `deps`, `graph`, `props` and the
/// injection of a `--hold` command. The rules that keep states current are in
/// `DependencyTracker`.
extension Registry {
    /// A service's requirements with the services that meet each now, and the services
    /// that require it, in one snapshot.
    public func dependencies(of reference: ServiceReference) throws -> Dependencies {
        try transactions.read { reader in
            var check = LivenessCheck(liveness)
            guard let record = try Self.current(reference, in: reader, &check) else {
                throw RegistryError.noSuchService(reference)
            }
            return Dependencies(
                service: record, requirements: try Self.status(of: record, in: reader, &check),
                dependents: try Self.dependents(of: record, in: reader, &check))
        }
    }

    /// Each requirement of a service with the satisfied, live services that meet it now,
    /// best first (what `SERVREG_REQUIRE_N_…` injects: the first).
    public func requirementStatus(of record: ServiceRecord) throws -> [RequirementStatus] {
        try transactions.read { reader in
            var check = LivenessCheck(liveness)
            return try Self.status(of: record, in: reader, &check)
        }
    }

    static func status(of record: ServiceRecord, in reader: any RegistryReader, _ check: inout LivenessCheck) throws
        -> [RequirementStatus]
    {
        var states = StateCheck()
        return try record.requirements.map { requirement in
            var providers: [ServiceRecord] = []
            try forEachCandidate(of: requirement, in: reader) { candidate in
                if candidate.id != record.id, check.isLive(candidate),
                    try states.isSatisfied(candidate, in: reader, &check)
                {
                    providers.append(candidate)
                }
                return true
            }
            return RequirementStatus(requirement: requirement, providers: providers)
        }
    }

    static func dependents(of record: ServiceRecord, in reader: any RegistryReader, _ check: inout LivenessCheck)
        throws -> [ServiceRecord]
    {
        var targets = record.specifications.map(Requirement.Target.specification)
        if let name = record.name { targets.append(.name(name)) }
        var found: [ServiceRecord] = []
        try reader.forEachDependent(on: targets) { dependent in
            if dependent.id != record.id, check.isLive(dependent),
                dependent.requirements.contains(where: { $0.matches(record) })
            {
                found.append(dependent)
            }
            return true
        }
        return found
    }

    /// The dependency graph: every live service that has requirements or meets one, with an
    /// edge for each requirement to each service that asks for it (any state), in one
    /// snapshot. With `specification`, only the services connected to one registered under
    /// it, through requirements either way.
    public func dependencyGraph(specification: String? = nil) throws -> DependencyGraph {
        try transactions.read { reader in
            var check = LivenessCheck(liveness)
            var states = StateCheck()
            var nodes: [ServiceID: ServiceRecord] = [:]
            var edges: [DependencyGraph.Edge] = []
            var queue: [ServiceRecord] = []
            if let specification {
                var query = ServiceQuery(specification: specification)
                query.includeUnsatisfied = true
                try reader.forEachService(matching: query) { record in
                    if check.isLive(record) { queue.append(record) }
                    return true
                }
            } else {
                try reader.forEachDependent(on: nil) { record in
                    if check.isLive(record) { queue.append(record) }
                    return true
                }
            }
            var next = 0
            var expanded = Set<ServiceID>()
            while next < queue.count {
                let record = try states.current(queue[next], in: reader, &check)
                next += 1
                nodes[record.id] = record
                guard expanded.insert(record.id).inserted else { continue }
                for (position, requirement) in record.requirements.enumerated() {
                    var met = false
                    try Self.forEachCandidate(of: requirement, in: reader) { candidate in
                        guard candidate.id != record.id, check.isLive(candidate) else { return true }
                        edges.append(
                            DependencyGraph.Edge(
                                from: record.id, requirement: requirement, position: position + 1, to: candidate.id))
                        if candidate.satisfied { met = true }
                        if !expanded.contains(candidate.id) { queue.append(candidate) }
                        return true
                    }
                    if !met {
                        edges.append(
                            DependencyGraph.Edge(
                                from: record.id, requirement: requirement, position: position + 1, to: nil))
                    }
                }
                if specification != nil {
                    for dependent in try Self.dependents(of: record, in: reader, &check)
                    where !expanded.contains(dependent.id) {
                        queue.append(dependent)
                    }
                }
            }
            return DependencyGraph(
                services: nodes.values.sorted { $0.id < $1.id },
                edges: edges.sorted { ($0.from, $0.position, $0.to ?? 0) < ($1.from, $1.position, $1.to ?? 0) })
        }
    }
}

/// Services and the requirements between them (`graph`).
public struct DependencyGraph: Sendable {
    /// A requirement of one service on another that it asks for, or on nothing (unmet).
    public struct Edge: Sendable, Equatable {
        /// The service that requires.
        public var from: ServiceID
        /// The requirement.
        public var requirement: Requirement
        /// Its place among the service's requirements, from 1.
        public var position: Int
        /// A service the requirement asks for (it meets it when satisfied); nil: none meets it.
        public var to: ServiceID?
    }

    /// The services, by id.
    public var services: [ServiceRecord]
    /// The edges, by service and requirement.
    public var edges: [Edge]
}
