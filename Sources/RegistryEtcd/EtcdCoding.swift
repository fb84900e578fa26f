import ServiceRegistry

/// How the etcd store writes what it keeps as the values of keys: JSON objects (a record's
/// properties, and a change's, on lines of their own, as the SQLite store keeps them).
enum EtcdCoding {
    /// What a value that does not read back is: the store was written by something else.
    struct Unreadable: Error {
        var what: String
    }

    // MARK: Services

    static func encode(_ record: ServiceRecord) -> [UInt8] {
        var out = #"{"id":"# + String(record.id) + #","specs":"# + strings(record.specifications)
        out += #","ranking":"# + String(record.ranking) + #","scope":""# + record.scope.rawValue + "\""
        out += #","rev":"# + String(record.revision)
        if let name = record.name { out += #","name":"# + string(name) }
        if let lease = record.lease { out += #","ttl":"# + String(lease.ttl) + #","expires":"# + String(lease.expires) }
        if let owner = record.owner { out += #","owner":"# + encode(owner) }
        if record.value != nil { out += #","value":true"# }
        if let factory = record.factory {
            out += #","factory":"# + strings(factory.command) + #","factory_timeout":"# + String(factory.timeout)
        }
        if let release = record.release { out += #","release":"# + strings(release) }
        if let client = record.registeredBy { out += #","by":"# + string(client) }
        if !record.requirements.isEmpty { out += #","requires":"# + strings(record.requirements.map(\.text)) }
        if !record.satisfied { out += #","unsatisfied":true"# }
        if let source = record.source { out += #","source":"# + string(source) }
        out += "}\n" + JSONWriter.object(record.properties)
        var bytes = Array(out.utf8)
        // The value as it is, after the properties' line: no base64 inside etcd's own.
        if let value = record.value {
            bytes.append(UInt8(ascii: "\n"))
            bytes += value
        }
        return bytes
    }

    static func decodeService(_ bytes: [UInt8]) throws(Unreadable) -> ServiceRecord {
        let (head, rest) = try split(bytes, what: "a service")
        guard let id = head["id"]?.integer, let specifications = strings(head["specs"]),
            let ranking = head["ranking"]?.integer, let scope = head["scope"]?.string.flatMap(ServiceScope.init),
            let revision = head["rev"]?.integer
        else { throw Unreadable(what: "a service") }
        var propertiesBytes = rest
        var value: [UInt8]?
        if head["value"]?.bool == true {
            guard let newline = rest.firstIndex(of: UInt8(ascii: "\n")) else { throw Unreadable(what: "service \(id)") }
            propertiesBytes = rest[..<newline]
            value = Array(rest[(newline + 1)...])
        }
        let properties: ServiceProperties
        let requirements: [Requirement]
        do {
            properties = try ServiceProperties(
                PropertyInput.parseJSONObject(String(decoding: propertiesBytes, as: UTF8.self)))
            requirements = try (strings(head["requires"]) ?? []).map { text throws(RegistryError) in
                try Requirement.parse(text)
            }
        } catch {
            throw Unreadable(what: "service \(id)")
        }
        var lease: Lease?
        if let ttl = head["ttl"]?.integer, let expires = head["expires"]?.integer {
            lease = Lease(ttl: ttl, expires: expires)
        }
        return ServiceRecord(
            id: id, specifications: specifications, ranking: ranking, scope: scope, properties: properties,
            name: head["name"]?.string, revision: revision, lease: lease, owner: try owner(head["owner"]),
            value: value,
            factory: strings(head["factory"]).map {
                ServiceFactory(command: $0, timeout: head["factory_timeout"]?.integer ?? ServiceFactory.defaultTimeout)
            },
            release: strings(head["release"]), registeredBy: head["by"]?.string, requirements: requirements,
            satisfied: head["unsatisfied"]?.bool != true, source: head["source"]?.string)
    }

    // MARK: Uses and releases

    static func encode(_ use: ServiceUse) -> [UInt8] {
        var out = #"{"client":"# + string(use.client)
        if use.value != nil { out += #","value":true"# }
        if let claimant = use.claimant { out += #","claimant":"# + encode(claimant) }
        var bytes = Array((out + "}\n").utf8)
        bytes += use.value ?? []
        return bytes
    }

    static func decodeUse(_ bytes: [UInt8]) throws(Unreadable) -> ServiceUse {
        let (head, rest) = try split(bytes, what: "a use")
        guard let client = head["client"]?.string else { throw Unreadable(what: "a use") }
        return ServiceUse(
            client: client, value: head["value"]?.bool == true ? Array(rest) : nil,
            claimant: try owner(head["claimant"]))
    }

    static func encode(_ release: PendingRelease) -> [UInt8] {
        var out = #"{"number":"# + String(release.number) + #","service":"# + String(release.service)
        out += #","spec":"# + string(release.specification) + #","client":"# + string(release.client)
        out += #","command":"# + strings(release.command) + "}\n"
        return Array(out.utf8) + release.value
    }

    static func decodeRelease(_ bytes: [UInt8]) throws(Unreadable) -> PendingRelease {
        let (value, rest) = try split(bytes, what: "a release")
        let released = Array(rest)
        guard let number = value["number"]?.integer, let service = value["service"]?.integer,
            let specification = value["spec"]?.string, let client = value["client"]?.string,
            let command = strings(value["command"])
        else { throw Unreadable(what: "a release") }
        return PendingRelease(
            number: number, service: service, specification: specification, client: client, command: command,
            value: released)
    }

    // MARK: Policies

    static func encode(_ policies: [StoredPolicy]) -> [UInt8] {
        var out = "["
        for (offset, policy) in policies.enumerated() {
            if offset > 0 { out += "," }
            out += #"{"kind":""# + policy.kind.rawValue + #"","key":"# + string(policy.key) + #","body":"#
            out += string(policy.body) + "}"
        }
        return Array((out + "]").utf8)
    }

    static func decodePolicies(_ bytes: [UInt8]) throws(Unreadable) -> [StoredPolicy] {
        guard case .array(let items)? = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)) else {
            throw Unreadable(what: "the hooks and schemas")
        }
        var policies: [StoredPolicy] = []
        for item in items {
            guard let kind = item["kind"]?.string.flatMap(StoredPolicy.Kind.init), let key = item["key"]?.string,
                let body = item["body"]?.string
            else { throw Unreadable(what: "the hooks and schemas") }
            policies.append(StoredPolicy(kind: kind, key: key, body: body))
        }
        return policies
    }

    // MARK: The event log

    static func encode(_ change: ServiceChange) -> [UInt8] {
        var out = #"{"seq":"# + String(change.sequence) + #","kind":""# + change.kind.rawValue + #"","id":"#
        out += String(change.serviceID) + #","specs":"# + strings(change.specifications)
        out += #","time":"# + JSONWriter.floatText(change.time)
        if let reason = change.reason { out += #","reason":"# + string(reason) }
        if change.hidden { out += #","hidden":true"# }
        var bytes = Array((out + "}\n").utf8)
        bytes += change.oldProperties?.json ?? []
        bytes.append(UInt8(ascii: "\n"))
        bytes += change.newProperties?.json ?? []
        return bytes
    }

    /// The events of one commit: each one's three lines, one after another.
    static func encode(_ changes: [ServiceChange]) -> [UInt8] {
        var bytes: [UInt8] = []
        for change in changes {
            if !bytes.isEmpty { bytes.append(UInt8(ascii: "\n")) }
            bytes += encode(change)
        }
        return bytes
    }

    /// The events of a log key (a commit's, or one event as the first etcd registries wrote).
    static func decodeChanges(_ bytes: [UInt8]) throws(Unreadable) -> [ServiceChange] {
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard lines.count % 3 == 0, !lines.isEmpty else { throw Unreadable(what: "an event") }
        var changes: [ServiceChange] = []
        changes.reserveCapacity(lines.count / 3)
        var index = 0
        while index < lines.count {
            changes.append(try decodeChange(head: lines[index], old: lines[index + 1], new: lines[index + 2]))
            index += 3
        }
        return changes
    }

    private static func decodeChange(head line: ArraySlice<UInt8>, old: ArraySlice<UInt8>, new: ArraySlice<UInt8>)
        throws(Unreadable) -> ServiceChange
    {
        let head = try object(Array(line), what: "an event")
        let old = Array(old)
        let new = Array(new)
        guard let sequence = head["seq"]?.integer, let kind = head["kind"]?.string.flatMap(ServiceChange.Kind.init),
            let id = head["id"]?.integer, let specifications = strings(head["specs"])
        else { throw Unreadable(what: "an event") }
        let time: Double
        switch head["time"] {
        case .float(let value)?: time = value
        case .integer(let value)?: time = Double(value)
        default: throw Unreadable(what: "event \(sequence)")
        }
        return ServiceChange(
            sequence: sequence, kind: kind, serviceID: id, specifications: specifications,
            oldProperties: old.isEmpty ? nil : LoggedProperties(json: old),
            newProperties: new.isEmpty ? nil : LoggedProperties(json: new), time: time,
            reason: head["reason"]?.string, hidden: head["hidden"]?.bool == true)
    }

    // MARK: Pieces

    static func string(_ text: String) -> String {
        var out = ""
        JSONWriter.writeString(text, to: &out)
        return out
    }

    static func strings(_ texts: [String]) -> String {
        "[" + texts.map(string).joined(separator: ",") + "]"
    }

    private static func encode(_ owner: ServiceOwner) -> String {
        "[" + String(owner.pid) + "," + String(owner.startTime) + "," + string(owner.bootID) + "]"
    }

    private static func owner(_ value: JSONValue?) throws(Unreadable) -> ServiceOwner? {
        guard let value else { return nil }
        guard case .array(let items) = value, items.count == 3,
            let pid = items[0].integer.flatMap(Int32.init(exactly:)),
            let start = items[1].integer, let boot = items[2].string
        else { throw Unreadable(what: "an owner") }
        return ServiceOwner(pid: pid, startTime: start, bootID: boot)
    }

    private static func strings(_ value: JSONValue?) -> [String]? {
        guard case .array(let items)? = value else { return nil }
        let texts = items.compactMap(\.string)
        return texts.count == items.count ? texts : nil
    }

    static func object(_ bytes: [UInt8], what: String) throws(Unreadable) -> JSONValue {
        guard let value = try? JSONValue.parse(String(decoding: bytes, as: UTF8.self)), case .object = value else {
            throw Unreadable(what: what)
        }
        return value
    }

    /// The JSON object on the first line, and the bytes after that line.
    private static func split(_ bytes: [UInt8], what: String) throws(Unreadable) -> (JSONValue, ArraySlice<UInt8>) {
        guard let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) else { throw Unreadable(what: what) }
        return (try object(Array(bytes[..<newline]), what: what), bytes[(newline + 1)...])
    }
}
