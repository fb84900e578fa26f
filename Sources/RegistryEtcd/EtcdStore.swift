import RegistryMemory
import ServiceRegistry

#if canImport(Glibc)
    import Glibc
#endif

/// The registry in an etcd cluster, under a key prefix: the store for registries that many
/// hosts share. The core is the same as on SQLite; this store only stores.
///
/// Layout under `PREFIX/` (ARCHITECTURE.md, "The etcd store"):
/// - `d/head`: the format, the counters (last sequence number, next id, next release
///   number), the core's markers, and the token of the transaction that wrote it last.
///   Every write transaction rewrites it and compares its revision with the one it read:
///   the head is the one point all writers serialize on (as SQLite's write lock).
/// - `d/s/ID` a service, `d/u/ID/CLIENT` a use, `d/r/N` a queued release, `d/policies`
///   the hooks and schemas (ids zero-padded to 20 digits: key order is number order).
/// - `log/SEQ`: the event log, pruned by writers to `eventRetention` entries.
///
/// A transaction reads every `d/` key at one revision (one range, paged), runs its body
/// against that copy in memory, and commits what the body touched as one etcd transaction
/// that holds only if the head is unchanged; else the body runs again on a fresh copy.
public final class EtcdStore: RegistryStore {
    /// Where the registry is and how to reach it.
    public struct Configuration: Sendable {
        /// The members' client addresses: requests go to the first that answers.
        public var endpoints: [(host: String, port: UInt16)]
        /// The registry's key prefix (without a trailing slash).
        public var prefix: String
        /// Seconds one request may take on one member before the next is tried.
        public var requestTimeout: Double = 2
        /// How many of the newest events the log keeps.
        public var eventRetention: Int64 = EtcdStore.defaultEventRetention
        /// The most operations etcd takes in one transaction (its `--max-txn-ops`).
        public var maximumTransactionOperations = 128
        /// etcd's authentication, if it has it on.
        public var user: (name: String, password: String)?
        /// A file of the user's own where the connection keeps the registry as it last knew
        /// it, for the next process to start from (nil: none).
        public var snapshotFile: String?
        /// TLS to the members (nil: plain HTTP).
        public var tls: TLS?

        /// What a TLS connection trusts and presents (PEM files).
        public struct TLS: Sendable, Equatable {
            /// The CA certificates the members' must chain to (nil: the system's).
            public var caFile: String?
            /// The client certificate, for a cluster that asks for one (nil: none).
            public var certificateFile: String?
            /// The client certificate's private key (nil: in the certificate's file).
            public var keyFile: String?
            /// How messages name each file: the option, or the setting it came from.
            public var caName = "--cacert"
            /// How messages name the certificate's file.
            public var certificateName = "--cert"
            /// How messages name the key's file.
            public var keyName = "--key"

            /// TLS with these files.
            public init(caFile: String? = nil, certificateFile: String? = nil, keyFile: String? = nil) {
                self.caFile = caFile
                self.certificateFile = certificateFile
                self.keyFile = keyFile
            }
        }

        /// A registry under `prefix` in the cluster of `endpoints`.
        public init(endpoints: [(host: String, port: UInt16)], prefix: String) {
            self.endpoints = endpoints
            self.prefix = prefix
        }
    }

    /// How many events the log keeps by default (each is a key of its own in etcd).
    public static let defaultEventRetention: Int64 = 100_000
    /// How many times a write whose head changed under it runs again before `conflict`.
    static let conflictRetries = 50

    let configuration: Configuration
    let client: EtcdClient
    /// `etcd://HOST:PORT,…/PREFIX`, for messages.
    public let location: String
    private let root: [UInt8]
    private var inWrite = false
    private var inBatch = false
    private let snapshotFile: EtcdSnapshotFile?
    /// The revision of the snapshot the file held when it was read (0: none).
    private var fileRevision: Int64 = 0
    /// The cluster of the file's snapshot, until the first reply says whether it is this one.
    private var fileCluster: String?
    /// Keys put since the file's snapshot, and whether some were deleted: the file is
    /// written anew at `close` only when the next command would otherwise read many keys
    /// again (or list them all to find deletions).
    private var keysChangedSinceFile = 0
    private var deletedSinceFile = false

    /// Batches up to etcd's transaction size; bodies run again on a conflict.
    public var capabilities: StoreCapabilities {
        StoreCapabilities(
            batches: true, maximumBatchWrites: configuration.maximumTransactionOperations, reRunsBodies: true,
            processOwners: false)
    }

    /// A connection to the registry (nothing is sent until the first transaction, but the
    /// authentication).
    public init(_ configuration: Configuration) throws {
        self.configuration = configuration
        let endpoints = configuration.endpoints.map { EtcdClient.Endpoint(host: $0.host, port: $0.port) }
        let address =
            (configuration.tls == nil ? "etcd://" : "etcds://") + endpoints.map(\.description).joined(separator: ",")
            + "/" + configuration.prefix
        location = address
        var context: TLSContext?
        if let tls = configuration.tls {
            do {
                context = try TLSContext.shared(tls)
            } catch {
                throw StoreError(.cannotOpen, location: address, detail: error.description)
            }
        }
        client = EtcdClient(endpoints: endpoints, requestTimeout: configuration.requestTimeout, tls: context)
        root = Array((configuration.prefix + "/").utf8)
        let location = self.location
        snapshotFile = configuration.snapshotFile.map { EtcdSnapshotFile(path: $0, location: location) }
        if let user = configuration.user {
            do {
                try client.authenticate(user: user.name, password: user.password)
            } catch {
                throw storeError(error, doing: "authenticate as \(user.name)")
            }
        }
    }

    // MARK: Keys

    // Every key of the registry's own starts with a part that begins with a dot, which no
    // prefix may have: no registry's prefix falls inside another's keys (`a` and `a/b` are two).
    private var dataPrefix: [UInt8] { root + Array(".d/".utf8) }
    private var headKey: [UInt8] { root + Array(".d/head".utf8) }
    private var policiesKey: [UInt8] { root + Array(".d/policies".utf8) }
    private var logPrefix: [UInt8] { root + Array(".log/".utf8) }

    private func numbered(_ kind: String, _ number: Int64) -> [UInt8] {
        let digits = String(number)
        return root + Array((kind + String(repeating: "0", count: max(0, 20 - digits.count)) + digits).utf8)
    }

    private func serviceKey(_ id: ServiceID) -> [UInt8] { numbered(".d/s/", id) }
    private func releaseKey(_ number: Int64) -> [UInt8] { numbered(".d/r/", number) }
    private func logKey(_ sequence: Int64) -> [UInt8] { numbered(".log/", max(0, sequence)) }
    private func useKey(_ key: RegistryState.UseKey) -> [UInt8] {
        numbered(".d/u/", key.service) + [UInt8(ascii: "/")] + Array(key.client.utf8)
    }

    /// A key as messages name it (control characters escaped).
    private func named(_ key: [UInt8]) -> String {
        TextEscaping.escapingControlCharacters(String(decoding: key, as: UTF8.self))
    }

    // MARK: Snapshots

    /// The registry at one revision, as read.
    private struct Snapshot {
        var revision: Int64
        /// The head's mod revision (0: no head yet, a new registry).
        var headRevision: Int64
        var state: RegistryState
        /// Whether the hooks-and-schemas key exists.
        var hasPolicies: Bool
        /// Log entries read with it (a read's refresh): those after `after`, all of them up to
        /// the newest when `complete`.
        var prefetched: (after: Int64, changes: [ServiceChange], complete: Bool)?
    }

    /// What a key under `PREFIX/.d/` is.
    private enum DataKey: Hashable {
        case head
        case policies
        case service(ServiceID)
        case use(RegistryState.UseKey)
        case release(Int64)
    }

    /// What `key` is, or nil for a key servreg does not write.
    private func dataKey(_ key: [UInt8]) -> DataKey? {
        if key == headKey { return .head }
        if key == policiesKey { return .policies }
        func number(after prefix: [UInt8]) -> Int64? {
            guard key.count >= prefix.count + 20, key.starts(with: prefix) else { return nil }
            return Int64(String(decoding: key[prefix.count..<(prefix.count + 20)], as: UTF8.self))
        }
        let servicePrefix = dataPrefix + Array("s/".utf8)
        if let id = number(after: servicePrefix), key.count == servicePrefix.count + 20 { return .service(id) }
        let usePrefix = dataPrefix + Array("u/".utf8)
        if let id = number(after: usePrefix), key.count >= usePrefix.count + 21, key[usePrefix.count + 20] == 0x2F {
            let client = String(decoding: key[(usePrefix.count + 21)...], as: UTF8.self)
            return .use(RegistryState.UseKey(service: id, client: client))
        }
        let releasePrefix = dataPrefix + Array("r/".utf8)
        if let number = number(after: releasePrefix), key.count == releasePrefix.count + 20 { return .release(number) }
        return nil
    }

    /// Every key `state` stands for (with `hasPolicies`, the hooks-and-schemas key).
    private func dataKeys(of state: RegistryState, hasPolicies: Bool) -> Set<DataKey> {
        var keys: Set<DataKey> = [.head]
        if hasPolicies { keys.insert(.policies) }
        for id in state.services.keys { keys.insert(.service(id)) }
        for (id, uses) in state.uses {
            for client in uses.keys { keys.insert(.use(RegistryState.UseKey(service: id, client: client))) }
        }
        for release in state.releases { keys.insert(.release(release.number)) }
        return keys
    }

    /// How many keys `state` stands for.
    private func keyCount(of state: RegistryState, hasPolicies: Bool) -> Int {
        1 + (hasPolicies ? 1 : 0) + state.services.count + state.uses.values.reduce(0) { $0 + $1.count }
            + state.releases.count
    }

    /// Whether `state` holds what `key` names.
    private func holds(_ key: DataKey, in state: RegistryState, hasPolicies: Bool) -> Bool {
        switch key {
        case .head: true
        case .policies: hasPolicies
        case .service(let id): state.services[id] != nil
        case .use(let use): state.uses[use.service]?[use.client] != nil
        case .release(let number): state.releases.contains { $0.number == number }
        }
    }

    /// Puts what `kv` holds into `state`; the head's mod revision when it is the head.
    private func apply(_ kv: EtcdClient.KeyValue, to state: RegistryState) throws -> Int64? {
        switch dataKey(kv.key) {
        case .head:
            let head = try decodeHead(kv.value)
            state.lastSequence = head.lastSequence
            state.nextID = head.nextID
            state.nextRelease = head.nextRelease
            state.markers = head.markers
            return kv.modRevision
        case .service(let id):
            let record = try EtcdCoding.decodeService(kv.value)
            guard record.id == id else { throw EtcdCoding.Unreadable(what: "a service") }
            state.setService(record.id, record)
        case .use(let key):
            let use = try EtcdCoding.decodeUse(kv.value)
            guard use.client == key.client else { throw EtcdCoding.Unreadable(what: "a use's key") }
            state.setUse(use, of: key.service, client: use.client)
        case .release(let number):
            let release = try EtcdCoding.decodeRelease(kv.value)
            guard release.number == number else { throw EtcdCoding.Unreadable(what: "a release's key") }
            if let index = state.releases.firstIndex(where: { $0.number == number }) {
                state.releases[index] = release
            } else {
                state.releases.append(release)
            }
        case .policies:
            state.policies = try EtcdCoding.decodePolicies(kv.value)
        case nil:
            throw EtcdCoding.Unreadable(what: "a key servreg does not write")
        }
        return nil
    }

    /// Takes out of `state` what `key` named (deleted since it was read).
    private func remove(_ key: DataKey, from state: RegistryState) {
        switch key {
        case .head: break
        case .policies: state.policies = []
        case .service(let id): state.setService(id, nil)
        case .use(let use): state.setUse(nil, of: use.service, client: use.client)
        case .release(let number): state.releases.removeAll { $0.number == number }
        }
    }

    private struct Head {
        static let format: Int64 = 1
        var lastSequence: Int64 = 0
        var nextID: ServiceID = 1
        var nextRelease: Int64 = 1
        var markers: [String: Int64] = [:]
        var token = ""

        func encoded() -> [UInt8] {
            var out = #"{"format":"# + String(Self.format) + #","seq":"# + String(lastSequence)
            out += #","next_id":"# + String(nextID) + #","next_release":"# + String(nextRelease) + #","markers":{"#
            out += markers.sorted { $0.key < $1.key }.map { EtcdCoding.string($0.key) + ":" + String($0.value) }
                .joined(separator: ",")
            return Array((out + #"},"token":"# + EtcdCoding.string(token) + "}").utf8)
        }
    }

    /// The registry as this connection last read or committed it: the next transaction
    /// reads only the head, and the whole registry again only when another writer changed it.
    private var cached: Snapshot?

    /// The registry now: the cached snapshot when the head is unchanged, else brought up to
    /// date. One read-only etcd transaction asks for the head, the keys changed since the
    /// snapshot and (`withLog`: for a read, such as a listener's) the log entries after it.
    private func load(withLog: Bool = false) throws -> Snapshot {
        if withLog, let fed = fedSnapshot() { return fed }
        let snapshot = try loadFromEtcd(withLog: withLog)
        // A read of etcd's now, after the watch started: the feed may vouch from here on.
        if withLog, feedFrom != nil { feedConfirmed = true }
        return snapshot
    }

    private func loadFromEtcd(withLog: Bool) throws -> Snapshot {
        if cached == nil, let file = snapshotFile, let contents = file.read(), let snapshot = snapshot(from: contents) {
            cached = snapshot
            fileRevision = snapshot.revision
            fileCluster = contents.clusterID
        }
        if let cached, cached.headRevision != 0 {
            let end = EtcdClient.prefixEnd(dataPrefix)
            // A write usually finds its own last commit there: it asks only for the head and
            // the number of keys (etcd filtering by revision reads every value); a read, such
            // as a listener's after a change, for the changed keys at once.
            var ranges = [
                EtcdClient.Op.range(headKey),
                withLog
                    ? EtcdClient.Op.range(dataPrefix, end: end, limit: 500, changedAfter: cached.revision)
                    : EtcdClient.Op.range(dataPrefix, end: end, countOnly: true),
            ]
            let after = cached.state.lastSequence
            if withLog { ranges.append(EtcdClient.Op.range(logKey(after + 1), end: logEnd, limit: 256)) }
            let replies: [JSONValue]
            let revision: Int64
            do {
                (_, revision, replies) = try client.txn(compare: [], success: ranges, failure: [], readOnly: true)
            } catch {
                throw storeError(error, doing: "read")
            }
            let read: [(kvs: [EtcdClient.KeyValue], count: Int, more: Bool)]
            do {
                read = try replies.map { reply throws(EtcdClient.Failure) in
                    let range = reply["response_range"]
                    return (
                        try EtcdClient.keyValues(range?["kvs"]), Int(range?["count"]?.int64Text ?? 0),
                        range?["more"]?.bool == true
                    )
                }
            } catch {
                throw storeError(error, doing: "read")
            }
            guard read.count == ranges.count else {
                throw storeError(.malformed("a transaction's reply without its ranges"), doing: "read")
            }
            if let cluster = fileCluster {
                // The file's revisions count only in its own cluster, and only up to now there.
                fileCluster = nil
                if cluster != client.clusterID || revision < cached.revision {
                    self.cached = nil
                    fileRevision = 0
                    return try remembered(loadWhole())
                }
            }
            guard let head = read[0].kvs.first else { return try remembered(loadWhole()) }
            var snapshot: Snapshot
            if head.modRevision == cached.headRevision,
                !read[1].kvs.isEmpty || read[1].count != keyCount(of: cached.state, hasPolicies: cached.hasPolicies)
            {
                // Keys changed without the head: not by servreg. Read it all again (and judge it).
                self.cached = nil
                return try remembered(loadWhole())
            }
            if head.modRevision == cached.headRevision {
                snapshot = Snapshot(
                    revision: revision, headRevision: cached.headRevision, state: cached.state,
                    hasPolicies: cached.hasPolicies)
                // A read asked for every key changed since: the snapshot holds at this revision
                // too. (A write asks only for the count: it does not move the snapshot on.)
                if withLog { self.cached = snapshot }
            } else {
                snapshot = try refresh(
                    cached, to: revision, changed: read[1].more || !withLog ? nil : (read[1].kvs, read[1].count))
                self.cached = snapshot
            }
            if withLog {
                let changes = try decodeLog(read[2].kvs).filter { $0.sequence > after }
                snapshot.prefetched = (after, changes, !read[2].more)
            }
            return snapshot
        }
        return try remembered(loadWhole())
    }

    /// The snapshot a file held, or nil when it does not read as one.
    private func snapshot(from contents: EtcdSnapshotFile.Contents) -> Snapshot? {
        let state = RegistryState()
        var headRevision: Int64 = 0
        do {
            for (key, value) in contents.keyValues {
                let kv = EtcdClient.KeyValue(
                    key: key, value: value, modRevision: contents.headRevision, createRevision: 0, lease: 0)
                if let revision = try apply(kv, to: state) { headRevision = revision }
            }
            try checkCounters(of: state)
        } catch {
            return nil
        }
        guard headRevision == contents.headRevision, headRevision != 0 else { return nil }
        state.releases.sort { $0.number < $1.number }
        return Snapshot(
            revision: contents.revision, headRevision: headRevision, state: state, hasPolicies: contents.hasPolicies)
    }

    /// A snapshot's keys, as the file keeps them.
    private func contents(of snapshot: Snapshot) -> EtcdSnapshotFile.Contents {
        let state = snapshot.state
        let head = Head(
            lastSequence: state.lastSequence, nextID: state.nextID, nextRelease: state.nextRelease,
            markers: state.markers)
        var keyValues: [(key: [UInt8], value: [UInt8])] = [(headKey, head.encoded())]
        if snapshot.hasPolicies { keyValues.append((policiesKey, EtcdCoding.encode(state.policies))) }
        for (id, record) in state.services { keyValues.append((serviceKey(id), EtcdCoding.encode(record))) }
        for (id, uses) in state.uses {
            for (client, use) in uses {
                keyValues.append((useKey(RegistryState.UseKey(service: id, client: client)), EtcdCoding.encode(use)))
            }
        }
        for release in state.releases { keyValues.append((releaseKey(release.number), EtcdCoding.encode(release))) }
        return EtcdSnapshotFile.Contents(
            revision: snapshot.revision, headRevision: snapshot.headRevision, hasPolicies: snapshot.hasPolicies,
            clusterID: client.clusterID ?? "", keyValues: keyValues)
    }

    /// Keeps `snapshot` as the cached one.
    private func remembered(_ snapshot: Snapshot) -> Snapshot {
        cached = snapshot
        return snapshot
    }

    /// The key after every log entry's.
    private var logEnd: [UInt8] { EtcdClient.prefixEnd(logPrefix) }

    private func loadWhole() throws -> Snapshot {
        let (revision, kvs): (Int64, [EtcdClient.KeyValue])
        do {
            (revision, kvs) = try client.range(dataPrefix, end: EtcdClient.prefixEnd(dataPrefix))
        } catch {
            throw storeError(error, doing: "read")
        }
        let state = RegistryState()
        var headRevision: Int64 = 0
        var hasPolicies = false
        var current: [UInt8] = []
        do {
            for kv in kvs {
                current = kv.key
                if let revision = try apply(kv, to: state) { headRevision = revision }
                if kv.key == policiesKey { hasPolicies = true }
            }
            current = headKey
            try checkCounters(of: state)
        } catch let unreadable as EtcdCoding.Unreadable {
            throw StoreError(
                .corrupt, location: location, detail: "\(unreadable.what) cannot be read (key \(named(current)))")
        }
        if headRevision == 0, !kvs.isEmpty {
            throw StoreError(.foreign, location: location, detail: "keys under the prefix, but no servreg head")
        }
        if headRevision == 0 { try checkPrefixIsFree(at: revision) }
        state.releases.sort { $0.number < $1.number }
        return Snapshot(revision: revision, headRevision: headRevision, state: state, hasPolicies: hasPolicies)
    }

    /// `cached` brought to `revision` by reading only the keys changed since it was read
    /// (and, when some were deleted, the names of all keys): what another writer's commit
    /// changed, not the whole registry again.
    private func refresh(_ cached: Snapshot, to revision: Int64, changed read: ([EtcdClient.KeyValue], Int)?)
        throws -> Snapshot
    {
        let end = EtcdClient.prefixEnd(dataPrefix)
        let (changed, total): ([EtcdClient.KeyValue], Int)
        if let read {
            (changed, total) = read
        } else {
            do {
                (_, changed, total) = try client.rangeCounting(
                    dataPrefix, end: end, revision: revision, changedAfter: cached.revision)
            } catch {
                throw storeError(error, doing: "read")
            }
        }
        let state = RegistryState()
        state.restore(cached.state.copy())
        var known = keyCount(of: cached.state, hasPolicies: cached.hasPolicies)
        var hasPolicies = cached.hasPolicies
        var headRevision: Int64 = 0
        var current: [UInt8] = []
        do {
            keysChangedSinceFile += changed.count
            for kv in changed {
                current = kv.key
                guard let key = dataKey(kv.key) else {
                    throw EtcdCoding.Unreadable(what: "a key servreg does not write")
                }
                if !holds(key, in: state, hasPolicies: hasPolicies) { known += 1 }
                if let revision = try apply(kv, to: state) { headRevision = revision }
                if key == .policies { hasPolicies = true }
            }
            if known != total {
                deletedSinceFile = true
                // Some were deleted: which ones, from the names of the keys there now.
                let present: [EtcdClient.KeyValue]
                do {
                    (_, present, _) = try client.rangeCounting(dataPrefix, end: end, revision: revision, keysOnly: true)
                } catch {
                    throw storeError(error, doing: "read")
                }
                let there = Set(present.compactMap { dataKey($0.key) })
                // A key neither the snapshot nor the changes know: written behind servreg's back.
                if there.count != present.count
                    || !there.isSubset(of: dataKeys(of: state, hasPolicies: hasPolicies))
                {
                    return try loadWhole()
                }
                for key in dataKeys(of: state, hasPolicies: hasPolicies) where !there.contains(key) {
                    remove(key, from: state)
                    if key == .policies { hasPolicies = false }
                }
            }
            current = headKey
            try checkCounters(of: state)
        } catch let unreadable as EtcdCoding.Unreadable {
            throw StoreError(
                .corrupt, location: location, detail: "\(unreadable.what) cannot be read (key \(named(current)))")
        }
        guard headRevision != 0 else {
            // No head among the changes: it was deleted (or the prefix was emptied): read it whole.
            return try loadWhole()
        }
        state.releases.sort { $0.number < $1.number }
        return Snapshot(revision: revision, headRevision: headRevision, state: state, hasPolicies: hasPolicies)
    }

    /// A prefix that holds keys, but none of a registry's, is someone else's.
    private func checkPrefixIsFree(at revision: Int64) throws {
        let found: [EtcdClient.KeyValue]
        do {
            // At the snapshot's revision: a registry another connection makes after it is not foreign.
            (_, found) = try client.range(root, end: EtcdClient.prefixEnd(root), revision: revision, limit: 1)
        } catch {
            throw storeError(error, doing: "read")
        }
        // Another registry's keys under a longer prefix (`PREFIX/b/.d/…`) are its own business.
        if let first = found.first, !first.key.starts(with: logPrefix),
            !String(decoding: first.key, as: UTF8.self).contains("/.d/")
        {
            throw StoreError(
                .foreign, location: location,
                detail: "the prefix holds keys that servreg did not write (\(named(first.key)))")
        }
    }

    /// The head's counters must be above what the registry holds: a lower next id would
    /// give an id twice.
    private func checkCounters(of state: RegistryState) throws {
        let limit = Int64.max / 2
        guard state.lastSequence >= 0, state.lastSequence < limit, state.nextID >= 1, state.nextID < limit,
            state.nextRelease >= 1, state.nextRelease < limit,
            state.services.keys.allSatisfy({ $0 < state.nextID }),
            state.releases.allSatisfy({ $0.number < state.nextRelease })
        else { throw EtcdCoding.Unreadable(what: "the head's counters (below what the registry holds)") }
    }

    private func decodeHead(_ bytes: [UInt8]) throws -> Head {
        let value = try EtcdCoding.object(bytes, what: "the head")
        guard let format = value["format"]?.integer else { throw EtcdCoding.Unreadable(what: "the head") }
        if format > Head.format {
            throw StoreError(.newerSchema(found: Int(format), known: Int(Head.format)), location: location)
        }
        guard let sequence = value["seq"]?.integer, let nextID = value["next_id"]?.integer,
            let nextRelease = value["next_release"]?.integer
        else { throw EtcdCoding.Unreadable(what: "the head") }
        var head = Head(lastSequence: sequence, nextID: nextID, nextRelease: nextRelease)
        if case .object(let members)? = value["markers"] {
            for (name, number) in members {
                guard let number = number.integer else { throw EtcdCoding.Unreadable(what: "the head") }
                head.markers[name] = number
            }
        }
        head.token = value["token"]?.string ?? ""
        return head
    }

    /// A copy of a snapshot's state for a body to change, its log read from etcd at the
    /// snapshot's revision.
    private func workingCopy(of snapshot: Snapshot) -> RegistryState {
        let state = RegistryState()
        state.restore(snapshot.state.copy())
        let latest = snapshot.state.lastSequence
        let revision = snapshot.revision
        let prefetched = snapshot.prefetched
        state.olderChanges = { [unowned self] after, limit in
            // What the read brought along, when it holds the answer whole.
            if let prefetched, after >= prefetched.after,
                prefetched.changes.first.map({ $0.sequence == prefetched.after + 1 }) ?? (latest == prefetched.after)
            {
                let wanted = prefetched.changes.drop { $0.sequence <= after }.prefix(limit)
                if prefetched.complete || wanted.count == limit { return Array(wanted) }
            }
            return try self.changes(after: after, through: latest, limit: limit, at: revision)
        }
        return state
    }

    /// The events of log keys, in order.
    private func decodeLog(_ kvs: [EtcdClient.KeyValue]) throws -> [ServiceChange] {
        var changes: [ServiceChange] = []
        for kv in kvs {
            do {
                changes += try EtcdCoding.decodeChanges(kv.value)
            } catch {
                throw StoreError(
                    .corrupt, location: location, detail: "\(error.what) cannot be read (key \(named(kv.key)))")
            }
        }
        return changes
    }

    private func changes(after sequence: Int64, through latest: Int64, limit: Int, at revision: Int64) throws
        -> [ServiceChange]
    {
        if sequence >= latest || limit <= 0 { return [] }
        let kvs: [EtcdClient.KeyValue]
        do {
            (_, kvs) = try client.range(logKey(sequence + 1), end: logKey(latest + 1), revision: revision, limit: limit)
        } catch {
            throw storeError(error, doing: "read the event log")
        }
        // A key holds a commit's events and is named after the last: the first may hold some
        // before the ones asked for.
        let changes = Array(try decodeLog(kvs).drop { $0.sequence <= sequence }.prefix(limit))
        if changes.first?.sequence != sequence + 1 {
            throw RegistryError.resyncNeeded(
                after: sequence, .pruned(oldestKept: changes.first?.sequence ?? latest + 1))
        }
        return changes
    }

    // MARK: Transactions

    /// Runs `body` against the registry at one etcd revision.
    public func read<T>(_ body: (any RegistryReader) throws -> T) throws -> T {
        let snapshot = try load(withLog: true)
        return try body(workingCopy(of: snapshot).reader)
    }

    /// Runs `body` on a copy and commits what it touched in one etcd transaction, running
    /// it again on a fresh copy when another writer committed first.
    public func write<T>(_ body: (any RegistryWriter) throws -> T) throws -> T {
        if inWrite || inBatch { throw RegistryError.batchUnavailable(.nested) }
        inWrite = true
        defer { inWrite = false }
        return try transaction { state in try body(state.writer) }
    }

    /// Runs every write of `body` on one copy, committed as one etcd transaction.
    public func batch<T>(_ steps: BatchSteps, _ body: (any StoreTransactions) throws -> T) throws -> T {
        if inWrite || inBatch { throw RegistryError.batchUnavailable(.nested) }
        inBatch = true
        defer { inBatch = false }
        return try transaction { state in
            let maximum = configuration.maximumTransactionOperations
            // A step that takes the batch past what one etcd txn holds (operations, or about
            // its bytes: each touched service and event as encoded, base64 in JSON) ends a
            // group of batch lines there: the line runs in the next one, or alone when it is
            // too big for any (its own commit refuses it). An all-or-nothing batch ends there.
            // Sizes of services as last measured (by revision: a service grows only by a
            // logged change) and of the events so far.
            var serviceSizes: [ServiceID: (revision: Int64, bytes: Int)] = [:]
            var eventSizes: [Int] = []
            let keyBytes = root.count + 48
            let scope = RegistryState.BatchScope(state: state, undoesSteps: steps == .undoneAlone) { state, _ in
                var bytes = 0
                for id in state.touched.services {
                    guard let record = state.services[id] else { continue }
                    if let known = serviceSizes[id], known.revision == record.revision {
                        bytes += known.bytes
                    } else {
                        let size = EtcdCoding.encode(record).count
                        serviceSizes[id] = (record.revision, size)
                        bytes += size
                    }
                }
                if eventSizes.count > state.log.count { eventSizes.removeLast(eventSizes.count - state.log.count) }
                for change in state.log[eventSizes.count...] { eventSizes.append(EtcdCoding.encode(change).count) }
                bytes += eventSizes.reduce(0, +)
                for key in state.touched.uses {
                    if let use = state.uses[key.service]?[key.client] {
                        bytes += EtcdCoding.encode(use).count + key.client.utf8.count
                    }
                }
                for number in state.touched.releases {
                    if let release = state.releases.first(where: { $0.number == number }) {
                        bytes += EtcdCoding.encode(release).count
                    }
                }
                if state.touched.policies { bytes += EtcdCoding.encode(state.policies).count }
                let operations = Self.operationBound(of: state)
                let request = bytes / 3 * 4 + operations * (keyBytes / 3 * 4 + 96) + 4096
                if operations > maximum || request > EtcdClient.maximumRequestBytes {
                    throw RegistryError.batchUnavailable(.full(maximum: maximum))
                }
            }
            let result = try body(scope)
            if scope.brokenStep { throw RegistryError.batchUnavailable(.brokenStep) }
            return result
        }
    }

    /// Runs `body` on a copy of the newest snapshot and commits what it touched, again on a
    /// fresh copy while another writer's commit got in first.
    private func transaction<T>(_ body: (RegistryState) throws -> T) throws -> T {
        for attempt in 0...Self.conflictRetries {
            if attempt > 0 { usleep(UInt32.random(in: 200...(2_000 * UInt32(min(attempt, 10))))) }
            let snapshot = try load()
            let state = workingCopy(of: snapshot)
            let result = try body(state)
            if state.touched.isEmpty { return result }
            if try commit(state, over: snapshot) { return result }
        }
        throw StoreError(
            .conflict, location: location,
            detail: "other writers committed first \(Self.conflictRetries + 1) times in a row")
    }

    /// One etcd transaction of what `state` touched since `snapshot`; false when another
    /// writer's commit came first (nothing was written).
    private func commit(_ state: RegistryState, over snapshot: Snapshot) throws -> Bool {
        let base = snapshot.state
        var operations: [String] = []
        let touched = state.touched
        for id in touched.services.sorted() where state.services[id] != base.services[id] {
            if let record = state.services[id] {
                operations.append(EtcdClient.Op.put(serviceKey(id), EtcdCoding.encode(record)))
            } else {
                operations.append(EtcdClient.Op.delete(serviceKey(id)))
            }
        }
        for key in touched.uses.sorted(by: { ($0.service, $0.client) < ($1.service, $1.client) }) {
            let use = state.uses[key.service]?[key.client]
            if use == base.uses[key.service]?[key.client] { continue }
            if let use {
                operations.append(EtcdClient.Op.put(useKey(key), EtcdCoding.encode(use)))
            } else {
                operations.append(EtcdClient.Op.delete(useKey(key)))
            }
        }
        for number in touched.releases.sorted() {
            let release = state.releases.first { $0.number == number }
            if release == base.releases.first(where: { $0.number == number }) { continue }
            if let release {
                operations.append(EtcdClient.Op.put(releaseKey(number), EtcdCoding.encode(release)))
            } else {
                operations.append(EtcdClient.Op.delete(releaseKey(number)))
            }
        }
        let putsPolicies = touched.policies && state.policies != base.policies
        if putsPolicies {
            operations.append(EtcdClient.Op.put(policiesKey, EtcdCoding.encode(state.policies)))
        }
        // The commit's events in one key, named after the last: a range from a sequence
        // number on starts with the commit that holds it.
        if let last = state.log.last {
            operations.append(EtcdClient.Op.put(logKey(last.sequence), EtcdCoding.encode(state.log)))
        }
        // The log keeps `eventRetention` events: every 128th writes prune what is older.
        let retention = max(1, configuration.eventRetention)
        let interval = max(1, min(128, retention))
        if state.lastSequence > retention, state.lastSequence / interval != base.lastSequence / interval {
            operations.append(EtcdClient.Op.delete(logKey(0), end: logKey(state.lastSequence - retention + 1)))
        }
        let token = Self.newToken()
        let head = Head(
            lastSequence: state.lastSequence, nextID: state.nextID, nextRelease: state.nextRelease,
            markers: state.markers, token: token)
        operations.append(EtcdClient.Op.put(headKey, head.encoded()))
        if operations.count > configuration.maximumTransactionOperations {
            throw StoreError(
                .failed, location: location,
                detail: "this change is \(operations.count) etcd operations, and etcd takes at most "
                    + "\(configuration.maximumTransactionOperations) in one transaction (its --max-txn-ops; "
                    + "SERVREG_ETCD_MAX_TXN_OPS tells servreg a cluster's own); nothing was changed")
        }
        do {
            let (succeeded, revision, _) = try client.txn(
                compare: [EtcdClient.Op.modRevision(headKey, equals: snapshot.headRevision)], success: operations,
                failure: [])
            if succeeded {
                remember(state, committedAt: revision, hasPolicies: snapshot.hasPolicies || putsPolicies)
            }
            return succeeded
        } catch .ambiguous(let reason) {
            return try resolveUnknownOutcome(token: token, snapshot: snapshot, reason: reason)
        } catch {
            throw storeError(error, doing: "write")
        }
    }

    /// Keeps what a commit made as the snapshot the next transaction starts from.
    private func remember(_ state: RegistryState, committedAt revision: Int64, hasPolicies: Bool) {
        let base = RegistryState()
        base.restore(state.copy())
        base.log = []
        cached = Snapshot(revision: revision, headRevision: revision, state: base, hasPolicies: hasPolicies)
        keysChangedSinceFile += state.touched.services.count + state.touched.uses.count + state.touched.releases.count
        if !state.touched.services.isSubset(of: Set(state.services.keys)) || !state.touched.uses.isEmpty {
            deletedSinceFile = true
        }
    }

    /// After a commit whose answer never came: whether it was carried out, found by reading
    /// the head (never by sending it again). Unchanged: not done (the caller runs it again);
    /// ours: done; another writer's: ours may be under it, which cannot be told apart.
    private func resolveUnknownOutcome(token: String, snapshot: Snapshot, reason: String) throws -> Bool {
        let kvs: [EtcdClient.KeyValue]
        do {
            (_, kvs) = try client.range(headKey, end: nil)
        } catch {
            throw StoreError(
                .failed, location: location,
                detail: "a write's outcome is unknown (\(reason)), and etcd cannot be read to find it out: \(error)")
        }
        guard let head = kvs.first else {
            // A new registry's first write that did not happen; else the head went away.
            if snapshot.headRevision == 0 { return false }
            throw StoreError(
                .failed, location: location,
                detail:
                    "a write's outcome is unknown (\(reason)), and the registry's head is gone; check before retrying")
        }
        if head.modRevision == snapshot.headRevision { return false }
        if (try? decodeHead(head.value))?.token == token {
            cached = nil
            return true
        }
        throw StoreError(
            .failed, location: location,
            detail: "a write's outcome is unknown (\(reason)): another writer committed since; check before retrying")
    }

    private static func newToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return String(generator.next(), radix: 36) + String(generator.next(), radix: 36)
    }

    /// At least as many etcd operations as committing `state` takes: what was touched, the
    /// new events, the head and a prune of the log.
    static func operationBound(of state: RegistryState) -> Int {
        let touched = state.touched
        return touched.services.count + touched.uses.count + touched.releases.count + (touched.policies ? 1 : 0)
            + (state.log.isEmpty ? 0 : 1) + 2
    }

    // MARK: Listening and closing

    /// A watch of the registry's keys, which also keeps this connection's snapshot current.
    public func changeSignal() throws -> any ChangeSignal {
        // The registry's own keys: `.d/…` up to `.log/…` (no prefix's part starts with a dot,
        // so no other registry's key falls between).
        let signal = try EtcdChangeSignal(
            store: self, key: dataPrefix, end: logEnd, from: feedStart.map { $0 + 1 })
        feeder = signal
        try signal.start()
        return signal
    }

    // MARK: The snapshot a watch keeps current (a listener's)

    // A listener reads after every change its watch reports. The watch brought the change
    // itself (every key under the prefix: the data keys and the log), so the read needs no
    // round trip: `absorb` applies each reported revision to `cached`, and a read with the
    // log is answered from it (`fedSnapshot`) while the watch that fed it lives and has
    // missed nothing. Anything the feed cannot vouch for (a gap, a key servreg does not
    // write, a revision without the head) ends it: reads go to etcd again, which judges.

    /// The watch that feeds `cached` (weak: a signal given up ends the feed by itself).
    private weak var feeder: EtcdChangeSignal?
    /// The feed holds for a snapshot at this revision - 1 or later: the feeder reported
    /// every revision from here on, and every one before here it reported, the snapshot
    /// holds (nil: no live feed).
    private var feedFrom: Int64?
    /// Whether a read of etcd since the watch started has made the snapshot current: until
    /// then the snapshot may be older than the watch knows (a session's earlier command).
    private var feedConfirmed = false
    /// When the watch last said anything (monotonic seconds): a watch on a member that hangs
    /// without closing says nothing, and the feed stops vouching after a request's timeout.
    private var feedHeard = 0.0
    /// The log events the feed brought, contiguous: those after `fedLogAfter` (-1: none yet).
    private var fedLog: [ServiceChange] = []
    private var fedLogAfter: Int64 = -1
    /// The most log events kept for reads (a listener takes them as they come).
    static let fedLogLimit = 4096

    /// The revision of the snapshot a new watch can keep current (it watches from the next).
    private var feedStart: Int64? {
        guard let cached, cached.headRevision != 0, fileCluster == nil else { return nil }
        return cached.revision
    }

    /// One event of a watch: a key put (with its value) or deleted, at its revision.
    struct WatchEvent {
        var deleted: Bool
        var kv: EtcdClient.KeyValue
    }

    /// The watch of `signal` started at revision `start` (nothing missed from there on).
    func watchStarted(_ signal: EtcdChangeSignal, at start: Int64) {
        guard feeder === signal else { return }
        feedFrom = start
        feedConfirmed = false
        feedHeard = HTTPConnection.now()
        fedLog = []
        fedLogAfter = feedStart.map { $0 + 1 == start } == true ? cached?.state.lastSequence ?? -1 : -1
    }

    /// The watch of `signal` broke or was cancelled: reads go to etcd until it is made again.
    func watchBroke(_ signal: EtcdChangeSignal) {
        guard feeder === signal else { return }
        feedFrom = nil
        feedConfirmed = false
        fedLog = []
        fedLogAfter = -1
    }

    /// The watch of `signal` said something (events, progress): it is alive.
    func watchHeard(_ signal: EtcdChangeSignal) {
        if feeder === signal { feedHeard = HTTPConnection.now() }
    }

    /// Takes one watch response's events (whole revisions, in order, none missed since the
    /// watch started): its log, and its changes into the snapshot when that holds every
    /// revision before them.
    func absorb(_ events: [WatchEvent], from signal: EtcdChangeSignal) {
        guard feeder === signal, let from = feedFrom, let newest = events.last?.kv.modRevision else { return }
        var log: [ServiceChange] = []
        for event in events where !event.deleted && event.kv.key.starts(with: logPrefix) {
            guard let changes = try? EtcdCoding.decodeChanges(event.kv.value) else {
                log = []
                fedLog = []
                fedLogAfter = -1
                continue
            }
            if let first = changes.first?.sequence,
                first != (log.last?.sequence ?? fedLog.last?.sequence ?? fedLogAfter) + 1
            {
                // A gap (the feed started without the log's place, or skipped a commit's log).
                log = []
                fedLog = []
                fedLogAfter = first - 1
            }
            log += changes
        }
        fedLog += log
        if fedLog.count > Self.fedLogLimit {
            let dropped = fedLog.count - Self.fedLogLimit / 2
            fedLogAfter = fedLog[dropped - 1].sequence
            fedLog.removeFirst(dropped)
        }
        guard let cached, cached.revision + 1 >= from, apply(events, to: cached) else {
            // The snapshot cannot take these: it must be read at their revision or later.
            feedFrom = max(from, newest + 1)
            return
        }
    }

    /// Applies the data keys' events after the snapshot's revision to a copy of it, which
    /// becomes the snapshot; false (and nothing changed) when they do not read as servreg's.
    private func apply(_ events: [WatchEvent], to cached: Snapshot) -> Bool {
        let newer = events.filter { $0.kv.modRevision > cached.revision }
        guard let newest = newer.last?.kv.modRevision else { return true }
        let state = RegistryState()
        state.restore(cached.state.copy())
        var hasPolicies = cached.hasPolicies
        var headRevision = cached.headRevision
        var keysChanged = 0
        var deleted = false
        do {
            var index = newer.startIndex
            while index < newer.endIndex {
                // One revision: every commit of servreg's rewrites the head (a log pruning
                // alone touches no data key).
                let revision = newer[index].kv.modRevision
                var sawHead = false
                var sawData = false
                while index < newer.endIndex, newer[index].kv.modRevision == revision {
                    let event = newer[index]
                    index += 1
                    if event.kv.key.starts(with: logPrefix) { continue }
                    sawData = true
                    guard let key = dataKey(event.kv.key) else {
                        throw EtcdCoding.Unreadable(what: "a key servreg does not write")
                    }
                    if event.deleted {
                        if key == .head { throw EtcdCoding.Unreadable(what: "the head, deleted") }
                        remove(key, from: state)
                        if key == .policies { hasPolicies = false }
                        deleted = true
                    } else {
                        if let head = try apply(event.kv, to: state) {
                            headRevision = head
                            sawHead = true
                        }
                        if key == .policies { hasPolicies = true }
                        keysChanged += 1
                    }
                }
                if sawData, !sawHead { throw EtcdCoding.Unreadable(what: "a change without the head") }
                if index < newer.endIndex, newer[index].kv.modRevision < revision {
                    throw EtcdCoding.Unreadable(what: "revisions out of order")
                }
            }
            try checkCounters(of: state)
        } catch {
            return false
        }
        state.releases.sort { $0.number < $1.number }
        keysChangedSinceFile += keysChanged
        if deleted { deletedSinceFile = true }
        self.cached = Snapshot(revision: newest, headRevision: headRevision, state: state, hasPolicies: hasPolicies)
        return true
    }

    /// The snapshot a live watch keeps current, with the log it brought; nil when there is none.
    private func fedSnapshot() -> Snapshot? {
        guard let from = feedFrom, feedConfirmed, fileCluster == nil, feeder?.isLive == true,
            HTTPConnection.now() - feedHeard <= configuration.requestTimeout, var snapshot = cached,
            snapshot.revision + 1 >= from
        else { return nil }
        let latest = snapshot.state.lastSequence
        snapshot.prefetched = (fedLogAfter, fedLog, (fedLog.last?.sequence ?? fedLogAfter) == latest)
        return snapshot
    }

    /// Closes the connection (every commit was durable when it returned), leaving the
    /// registry as it last knew it in the snapshot file when that is newer than the file's.
    public func close() throws {
        if let file = snapshotFile, let cached, cached.headRevision != 0, cached.revision > fileRevision,
            client.clusterID != nil,
            fileRevision == 0 || deletedSinceFile || keysChangedSinceFile > max(32, cached.state.services.count / 32)
        {
            file.write(contents(of: cached))
            fileRevision = cached.revision
        }
        client.close()
    }

    /// A client failure as the store's error.
    func storeError(_ failure: EtcdClient.Failure, doing what: String) -> StoreError {
        switch failure {
        case .unreachable(let reasons):
            StoreError(
                .cannotOpen, location: location, detail: "no etcd member answers (\(reasons.joined(separator: "; ")))")
        case .ambiguous(let reason):
            StoreError(.failed, location: location, detail: "cannot \(what): \(reason)")
        case .refused(let code, let message):
            switch code {
            case 7, 16: StoreError(.permissionDenied, location: location, detail: message)
            case 3 where message.contains("authentication failed") || message.contains("user name is empty"):
                StoreError(
                    .permissionDenied, location: location,
                    detail: "\(message) (SERVREG_ETCD_USER and SERVREG_ETCD_PASSWORD name etcd's user)")
            case 11 where message.contains("compacted"):
                StoreError(.gone, location: location, detail: "etcd compacted the revision read: \(message)")
            default: StoreError(.failed, location: location, detail: "cannot \(what): \(message) (etcd code \(code))")
            }
        case .malformed(let reason):
            StoreError(.failed, location: location, detail: "cannot \(what): \(reason)")
        case .untrusted(let reasons):
            StoreError(.permissionDenied, location: location, detail: reasons.joined(separator: "; "))
        case .tooLarge(let bytes):
            StoreError(
                .failed, location: location,
                detail: "this change is \(bytes / 1024) KiB to send, and etcd takes at most 1536 KiB in one request "
                    + "(its --max-request-bytes; a service's value and its event count twice); nothing was changed")
        }
    }
}
