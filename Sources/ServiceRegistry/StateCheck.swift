/// What a read decides of a service's state. The stored state is exact after every write;
/// between writes a provider may have gone without being removed yet (its lease ended, its
/// owner exited: removed by the next writer or listener). Then a read works the state out
/// from the providers' liveness, as it does for the service's own — so that a dependent is
/// hidden from the moment its requirement lapses, not from the next write on.
///
/// The check costs one index lookup per read that returns a dependent (has anything a lease
/// or an owner) and, only when something has, a lookup per requirement of each dependent the
/// read returns.
struct StateCheck {
    private var mayHaveGone: Bool?
    private var known: [ServiceID: Bool] = [:]
    private var visiting = Set<ServiceID>()

    /// Whether the service is satisfied now.
    mutating func isSatisfied(
        _ record: ServiceRecord, in reader: any RegistryReader, _ check: inout LivenessCheck
    ) throws -> Bool {
        guard record.satisfied else { return false }
        guard !record.requirements.isEmpty else { return true }
        if mayHaveGone == nil {
            // One lookup (the store's index of services with a lease or an owner): a store
            // without any has nothing that can go between writes.
            var mortal = false
            if check.now != Int64.min {
                try reader.forEachMortalService(specification: nil, ownedOnly: false) { _ in
                    mortal = true
                    return false
                }
            }
            mayHaveGone = mortal
        }
        guard mayHaveGone == true else { return true }
        return try providersLive(record, in: reader, &check)
    }

    /// The record with the state a read gives it.
    mutating func current(
        _ record: ServiceRecord, in reader: any RegistryReader, _ check: inout LivenessCheck
    ) throws -> ServiceRecord {
        guard record.satisfied, !(try isSatisfied(record, in: reader, &check)) else { return record }
        var lapsed = record
        lapsed.satisfied = false
        return lapsed
    }

    private mutating func providersLive(
        _ record: ServiceRecord, in reader: any RegistryReader, _ check: inout LivenessCheck
    ) throws -> Bool {
        if let answer = known[record.id] { return answer }
        // A cycle (refused, but a store may hold one from before) answers as stored.
        guard visiting.insert(record.id).inserted else { return record.satisfied }
        defer { visiting.remove(record.id) }
        var answer = true
        for requirement in record.requirements {
            var met = false
            var candidates: [ServiceRecord] = []
            try Registry.forEachCandidate(of: requirement, in: reader) { candidate in
                guard candidate.id != record.id, candidate.satisfied, check.isLive(candidate) else { return true }
                // One live provider that requires nothing settles it.
                if candidate.requirements.isEmpty { met = true }
                candidates.append(candidate)
                return !met
            }
            for candidate in candidates where !met {
                if try providersLive(candidate, in: reader, &check) { met = true }
            }
            if !met {
                answer = false
                break
            }
        }
        known[record.id] = answer
        return answer
    }
}
