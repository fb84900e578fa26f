import ServiceRegistry

#if canImport(Glibc)
    import Glibc
#endif

/// Requests to an etcd cluster through its JSON gateway (`POST /v3/…`), each with a short
/// deadline, moving to the next member when one does not answer. A request that may have
/// been carried out although no answer came (a write whose connection broke or timed out)
/// is not sent again: it throws `ambiguous`, for the caller to find out by reading.
final class EtcdClient {
    /// One member's address.
    struct Endpoint: Equatable, Sendable {
        var host: String
        var port: UInt16
        var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// A key and its value as etcd keeps them.
    struct KeyValue {
        var key: [UInt8]
        var value: [UInt8]
        var modRevision: Int64
        var createRevision: Int64
        var lease: Int64
    }

    /// What went wrong with a request.
    enum Failure: Error {
        /// No member answered (each one's reason).
        case unreachable([String])
        /// A write went out but its answer did not come back: it may have been carried out.
        case ambiguous(String)
        /// etcd answered with an error: its gRPC code and message.
        case refused(code: Int, message: String)
        /// An answer servreg cannot read.
        case malformed(String)
        /// A request over etcd's size limit (not sent): its size in bytes.
        case tooLarge(Int)
        /// Every member refused TLS on certificates (each one's reason): not an outage.
        case untrusted([String])
    }

    /// The largest request etcd takes by default (`--max-request-bytes`, 1.5 MiB).
    static let maximumRequestBytes = 1_572_864

    let endpoints: [Endpoint]
    /// Seconds a request may take on one member before the next is tried.
    let requestTimeout: Double
    private var current = 0
    /// The cluster's id, from the last reply that had one.
    private(set) var clusterID: String?
    private var connection: HTTPConnection?
    private var headers: [String] = []
    /// The user and password, to authenticate again when etcd's token has expired.
    private var credentials: (user: String, password: String)?

    /// What TLS trusts and presents; nil for plain HTTP.
    let tls: TLSContext?

    init(endpoints: [Endpoint], requestTimeout: Double = 2, tls: TLSContext? = nil) {
        self.endpoints = endpoints
        self.requestTimeout = requestTimeout
        self.tls = tls
    }

    /// The member requests go to now.
    var currentEndpoint: Endpoint { endpoints[current] }

    /// Authenticates with etcd's user and password: later requests carry the token.
    func authenticate(user: String, password: String) throws(Failure) {
        var body = #"{"name":"#
        JSONWriter.writeString(user, to: &body)
        body += #","password":"#
        JSONWriter.writeString(password, to: &body)
        body += "}"
        // Sent without the old token (expired, which etcd would refuse), kept when this fails.
        let old = headers
        headers = []
        let reply: JSONValue
        do {
            reply = try send("/v3/auth/authenticate", body, idempotent: true)
        } catch {
            headers = old
            throw error
        }
        guard case .string(let token)? = reply["token"] else {
            headers = old
            throw .malformed("an authentication without a token")
        }
        headers = ["Authorization: \(token)"]
        credentials = (user, password)
    }

    /// Sends `body` to `path` on the current member, or the next ones when it cannot be
    /// reached; an `idempotent` request is also sent again after a broken connection or a
    /// timeout. Returns the reply's JSON object.
    func call(_ path: String, _ body: String, idempotent: Bool) throws(Failure) -> JSONValue {
        reauthenticated = false
        defer { reauthenticated = false }
        return try send(path, body, idempotent: idempotent)
    }

    /// Whether this request authenticated again already (it does once).
    private var reauthenticated = false

    private func send(_ path: String, _ body: String, idempotent: Bool) throws(Failure) -> JSONValue {
        var reasons: [String] = []
        var untrusted: Set<String> = []
        let bytes = Array(body.utf8)
        for attempt in 0..<(endpoints.count * 2) {
            // Certificates refused by every member are refused again: no second round.
            if untrusted.count == endpoints.count { break }
            if attempt > 0, attempt % endpoints.count == 0 {
                // Every member failed once (an election, a restart): one more round.
                usleep(100_000)
            }
            let endpoint = endpoints[current]
            var fresh = false
            do {
                let connection = try connected()
                fresh = !connection.hasAnswered
                let (status, reply) = try connection.post(
                    path, body: bytes, headers: headers, deadline: HTTPConnection.now() + requestTimeout)
                let value: JSONValue
                do {
                    value = try JSONValue.parse(String(decoding: reply, as: UTF8.self))
                } catch {
                    // Out of step with the member: what it sends next would answer this request.
                    close()
                    throw Failure.malformed(
                        "\(endpoint.description) answered \(status) with \(reply.count) bytes that are not JSON")
                }
                if status == 200 {
                    if let id = value["header"]?["cluster_id"]?.string { clusterID = id }
                    return value
                }
                let code = value["code"].flatMap(\.integer).map(Int.init) ?? -1
                let message = value["message"].flatMap(\.string) ?? value["error"].flatMap(\.string) ?? "HTTP \(status)"
                // etcd's tokens expire (5 minutes by default): authenticate again, once, and resend.
                if message.contains("invalid auth token"), let credentials, !reauthenticated {
                    reauthenticated = true
                    try authenticate(user: credentials.user, password: credentials.password)
                    return try send(path, body, idempotent: idempotent)
                }
                // 14 UNAVAILABLE: no leader, leader changed, the member timed out: the write was not done.
                if code == 14 || status == 503 {
                    reasons.append("\(endpoint.description): \(message)")
                    moveOn()
                    continue
                }
                throw Failure.refused(code: code, message: message)
            } catch let failure as HTTPConnection.Failure {
                switch failure {
                case .connect(let reason):
                    reasons.append("\(endpoint.description): \(reason)")
                case .untrusted(let reason):
                    // Refused before any request was read: nothing was done, on any member.
                    reasons.append("\(endpoint.description): \(reason)")
                    untrusted.insert(endpoint.description)
                case .broken(let reason), .malformed(let reason):
                    if fresh, let refusal = certificateRefusal(at: endpoint) {
                        // Refused at its certificate: the request was never read.
                        reasons.append("\(endpoint.description): \(refusal)")
                        untrusted.insert(endpoint.description)
                        break
                    }
                    if !idempotent {
                        // A late answer on this connection would be read as the next request's.
                        moveOn()
                        throw .ambiguous("\(endpoint.description): \(reason)")
                    }
                    reasons.append("\(endpoint.description): \(reason)")
                case .timedOut:
                    if !idempotent {
                        moveOn()
                        throw .ambiguous("\(endpoint.description): no answer in \(requestTimeout) s")
                    }
                    reasons.append("\(endpoint.description): no answer in \(requestTimeout) s")
                }
                moveOn()
            } catch let failure as Failure {
                throw failure
            } catch {
                throw .malformed("\(error)")
            }
        }
        let said = Self.eachMemberOnce(reasons)
        if untrusted.count == endpoints.count { throw .untrusted(said) }
        throw .unreachable(said)
    }

    /// Each member once, with the last thing it said.
    private static func eachMemberOnce(_ reasons: [String]) -> [String] {
        var seen: [String: String] = [:]
        var order: [String] = []
        for reason in reasons {
            let member = String(reason.prefix { $0 != " " })
            if seen.updateValue(reason, forKey: member) == nil { order.append(member) }
        }
        return order.compactMap { seen[$0] }
    }

    /// Opens a stream (a watch) on the current member or the next one that answers.
    func openStream(_ path: String, _ body: String) throws(Failure) -> HTTPConnection {
        var reasons: [String] = []
        var untrusted = 0
        for _ in 0..<endpoints.count {
            let endpoint = endpoints[current]
            do {
                let stream = try HTTPConnection(
                    host: endpoint.host, port: endpoint.port, timeout: requestTimeout, tls: tls)
                let status = try stream.startStream(
                    path, body: Array(body.utf8), headers: headers, deadline: HTTPConnection.now() + requestTimeout)
                if status == 200 { return stream }
                reasons.append("\(endpoint.description): HTTP \(status)")
            } catch {
                var reason = error.reason
                if case .broken = error, let refusal = certificateRefusal(at: endpoint) { reason = refusal }
                if case .untrusted = error { untrusted += 1 } else if reason != error.reason { untrusted += 1 }
                reasons.append("\(endpoint.description): \(reason)")
            }
            moveOn()
        }
        throw untrusted == endpoints.count ? .untrusted(reasons) : .unreachable(reasons)
    }

    /// Whether `endpoint` refuses servreg's certificate (TLS only): asked on a connection of
    /// its own after a new connection broke before its first answer.
    private func certificateRefusal(at endpoint: Endpoint) -> String? {
        guard let tls else { return nil }
        let probe: HTTPConnection
        do {
            probe = try HTTPConnection(host: endpoint.host, port: endpoint.port, timeout: requestTimeout, tls: tls)
        } catch {
            if case .untrusted(let reason) = error { return reason }
            return nil
        }
        defer { probe.shutDown() }
        return probe.certificateRefusal(deadline: HTTPConnection.now() + min(0.5, requestTimeout))
    }

    /// Moves requests to the next member.
    func moveOn() {
        connection?.shutDown()
        connection = nil
        current = (current + 1) % endpoints.count
    }

    func close() {
        connection?.shutDown()
        connection = nil
    }

    private func connected() throws(HTTPConnection.Failure) -> HTTPConnection {
        if let connection, connection.isOpen { return connection }
        let endpoint = endpoints[current]
        let made = try HTTPConnection(host: endpoint.host, port: endpoint.port, timeout: requestTimeout, tls: tls)
        connection = made
        return made
    }

    // MARK: KV

    /// The keys from `key` up to `end` (nil: `key` alone), at `revision` (nil: the newest),
    /// every page of them; and the revision read.
    func range(
        _ key: [UInt8], end: [UInt8]?, revision: Int64? = nil, limit: Int? = nil
    ) throws(Failure) -> (Int64, [KeyValue]) {
        let (revision, found, _) = try rangeCounting(key, end: end, revision: revision, limit: limit)
        return (revision, found)
    }

    /// `range`, also with only the keys changed after a revision (`changedAfter`: etcd's
    /// min_mod_revision) or only keys (`keysOnly`); also returns how many keys the range
    /// holds in all (etcd counts them before it filters).
    func rangeCounting(
        _ key: [UInt8], end: [UInt8]?, revision: Int64? = nil, limit: Int? = nil, changedAfter: Int64? = nil,
        keysOnly: Bool = false
    ) throws(Failure) -> (Int64, [KeyValue], count: Int) {
        var found: [KeyValue] = []
        var start = key
        var readAt = revision
        var total: Int?
        // The gateway takes replies of at most 2 MiB: a page of big values is asked for again smaller.
        var pageSize = keysOnly ? 10_000 : 500
        while true {
            var body = #"{"key":""# + Base64.encode(start) + "\""
            if let end {
                let page = min(pageSize, limit.map { $0 - found.count } ?? pageSize)
                body += #","range_end":""# + Base64.encode(end) + #"","limit":""# + String(page) + "\""
            }
            if let readAt { body += #","revision":""# + String(readAt) + "\"" }
            if let changedAfter { body += #","min_mod_revision":""# + String(changedAfter + 1) + "\"" }
            if keysOnly { body += #","keys_only":true"# }
            body += "}"
            let reply: JSONValue
            do {
                reply = try call("/v3/kv/range", body, idempotent: true)
            } catch .refused(let code, let message) where message.contains("larger than max") && pageSize > 1 {
                _ = code
                pageSize = max(1, pageSize / 4)
                continue
            }
            let header = try Self.revision(of: reply)
            readAt = readAt ?? header
            let kvs = try Self.keyValues(reply["kvs"])
            found += kvs
            // The first page's count is the whole range's (later pages count from their start).
            total = total ?? Int(reply["count"]?.int64Text ?? 0)
            guard reply["more"]?.bool == true, let last = kvs.last, found.count < (limit ?? Int.max) else {
                return (readAt ?? header, found, total ?? found.count)
            }
            start = last.key + [0]
        }
    }

    /// One transaction: `compare` all hold → `success`, else `failure` (the gateway's JSON
    /// of each, written by `Op`). Returns whether it succeeded, its revision, and the replies
    /// of the operations that ran.
    /// A transaction of only ranges (`readOnly`) is a read, sent again where it failed.
    func txn(compare: [String], success: [String], failure: [String], readOnly: Bool = false) throws(Failure) -> (
        Bool, Int64, [JSONValue]
    ) {
        let body =
            #"{"compare":["# + compare.joined(separator: ",") + #"],"success":["#
            + success.joined(separator: ",") + #"],"failure":["# + failure.joined(separator: ",") + "]}"
        if body.utf8.count > Self.maximumRequestBytes { throw .tooLarge(body.utf8.count) }
        let reply = try call("/v3/kv/txn", body, idempotent: readOnly)
        let responses: [JSONValue]
        if case .array(let items)? = reply["responses"] { responses = items } else { responses = [] }
        return (reply["succeeded"]?.bool == true, try Self.revision(of: reply), responses)
    }

    /// The JSON of a transaction's compares and operations.
    enum Op {
        static func modRevision(_ key: [UInt8], equals revision: Int64) -> String {
            #"{"key":""# + Base64.encode(key) + #"","target":"MOD","result":"EQUAL","mod_revision":""#
                + String(revision) + #""}"#
        }

        static func put(_ key: [UInt8], _ value: [UInt8], lease: Int64? = nil) -> String {
            var text = #"{"request_put":{"key":""# + Base64.encode(key) + #"","value":""# + Base64.encode(value) + "\""
            if let lease { text += #","lease":""# + String(lease) + "\"" }
            return text + "}}"
        }

        static func delete(_ key: [UInt8], end: [UInt8]? = nil) -> String {
            var text = #"{"request_delete_range":{"key":""# + Base64.encode(key) + "\""
            if let end { text += #","range_end":""# + Base64.encode(end) + "\"" }
            return text + "}}"
        }

        static func range(
            _ key: [UInt8], end: [UInt8]? = nil, limit: Int? = nil, countOnly: Bool = false, changedAfter: Int64? = nil
        ) -> String {
            var text = #"{"request_range":{"key":""# + Base64.encode(key) + "\""
            if let end { text += #","range_end":""# + Base64.encode(end) + "\"" }
            if let limit { text += #","limit":""# + String(limit) + "\"" }
            if let changedAfter { text += #","min_mod_revision":""# + String(changedAfter + 1) + "\"" }
            if countOnly { text += #","count_only":true"# }
            return text + "}}"
        }
    }

    // MARK: Reading replies

    static func revision(of reply: JSONValue) throws(Failure) -> Int64 {
        guard let text = reply["header"]?["revision"]?.string, let revision = Int64(text) else {
            throw .malformed("a reply without a revision")
        }
        return revision
    }

    static func keyValues(_ value: JSONValue?) throws(Failure) -> [KeyValue] {
        guard case .array(let items)? = value else { return [] }
        var found: [KeyValue] = []
        found.reserveCapacity(items.count)
        for item in items {
            guard let key = item["key"]?.string.flatMap(Base64.decode) else {
                throw .malformed("a key that is not base64")
            }
            let value = item["value"]?.string.flatMap(Base64.decode) ?? []
            found.append(
                KeyValue(
                    key: key, value: value, modRevision: item["mod_revision"]?.int64Text ?? 0,
                    createRevision: item["create_revision"]?.int64Text ?? 0, lease: item["lease"]?.int64Text ?? 0))
        }
        return found
    }

    /// The key just after every key that starts with `prefix` (etcd's range_end of a prefix).
    static func prefixEnd(_ prefix: [UInt8]) -> [UInt8] {
        var end = prefix
        while let last = end.last {
            if last < 0xFF {
                end[end.count - 1] = last + 1
                return end
            }
            end.removeLast()
        }
        return [0]
    }
}

extension JSONValue {
    /// A member of an object.
    subscript(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var integer: Int64? {
        if case .integer(let number) = self { return number }
        return nil
    }

    var bool: Bool? {
        if case .bool(let flag) = self { return flag }
        return nil
    }

    /// An int64 as proto3 JSON writes it: a string of digits (or, leniently, a number).
    var int64Text: Int64? {
        switch self {
        case .string(let text): Int64(text)
        case .integer(let number): number
        default: nil
        }
    }
}
