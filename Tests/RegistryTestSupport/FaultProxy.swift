import Foundation

/// A TCP proxy in front of one etcd member that can misbehave on chosen HTTP requests: hold
/// a reply back past the client's deadline, or let something happen before a request goes
/// on (another writer's commit). What a real network does now and then, on demand.
/// Watches (`/v3/watch`) are passed through as they are.
public final class FaultProxy: @unchecked Sendable {
    /// A request the proxy is about to forward: its path and body, and how many requests
    /// (of any connection) came before it.
    public struct Request: Sendable {
        public let path: String
        public let body: String
        public let index: Int
    }

    /// What to do with a request.
    public enum Action: Sendable {
        /// Forward it and its reply.
        case forward
        /// Forward it, and send its reply only after `seconds` (on the same connection, if
        /// the client still has it open).
        case delayReply(seconds: Double)
        /// Run `body`, then forward it.
        case before(@Sendable () -> Void)
    }

    /// The port it listens on (127.0.0.1).
    public let port: UInt16
    private let listener: Int32
    private let target: (host: String, port: UInt16)
    private let rule: @Sendable (Request) -> Action
    private let lock = NSLock()
    private var count = 0
    private var seen: [Request] = []
    private var stopped = false

    /// A proxy to `host:port` that asks `rule` about every request.
    public init(to host: String, port targetPort: UInt16, rule: @escaping @Sendable (Request) -> Action) throws {
        target = (host, targetPort)
        self.rule = rule
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0, listen(descriptor, 64) == 0 else {
            close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        listener = descriptor
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    deinit { stop() }

    /// Stops accepting (connections open now go on until either side closes).
    public func stop() {
        lock.withLock {
            if !stopped { shutdown(listener, Int32(SHUT_RDWR)) }
            stopped = true
        }
    }

    /// The requests forwarded so far, in order.
    public var requests: [Request] { lock.withLock { seen } }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                close(listener)
                return
            }
            Thread { [self] in serve(client) }.start()
        }
    }

    private func connectUpstream() -> Int32? {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(target.host)
        address.sin_port = target.port.bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if connected != 0 {
            close(upstream)
            return nil
        }
        return upstream
    }

    /// One client connection: requests one at a time, each forwarded on one upstream
    /// connection of its own (so that a held-back reply cannot delay the next).
    private func serve(_ client: Int32) {
        let reader = MessageReader(client)
        defer { close(client) }
        while let (head, body) = reader.readMessage() {
            let path = head.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            let request: Request = lock.withLock {
                let request = Request(path: path, body: String(decoding: body, as: UTF8.self), index: count)
                count += 1
                seen.append(request)
                return request
            }
            guard let upstream = connectUpstream() else { return }
            let action = rule(request)
            if case .before(let body) = action { body() }
            guard writeAll(upstream, Array(head.utf8) + body) else {
                close(upstream)
                return
            }
            if path == "/v3/watch" {
                // A stream: pass the bytes both ways until either side ends.
                pipeBoth(client, upstream, reader.leftover)
                return
            }
            let replies = MessageReader(upstream)
            guard let (replyHead, replyBody) = replies.readMessage() else {
                close(upstream)
                return
            }
            close(upstream)
            if case .delayReply(let seconds) = action { usleep(UInt32(seconds * 1_000_000)) }
            guard writeAll(client, Array(replyHead.utf8) + replyBody) else { return }
        }
    }

    private func pipeBoth(_ client: Int32, _ upstream: Int32, _ leftover: [UInt8]) {
        if !leftover.isEmpty { _ = writeAll(upstream, leftover) }
        let done = DispatchSemaphore(value: 0)
        Thread {
            Self.copy(from: upstream, to: client)
            done.signal()
        }.start()
        Self.copy(from: client, to: upstream)
        done.wait()
        close(upstream)
    }

    /// Passes bytes from one socket to the other until either ends, then ends the other.
    private static func copy(from source: Int32, to target: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(source, &buffer, buffer.count)
            if count <= 0 || !writeAll(target, Array(buffer[..<count])) { break }
        }
        shutdown(target, Int32(SHUT_RDWR))
    }
}

private func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
    var sent = 0
    while sent < bytes.count {
        let count = bytes[sent...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        if count <= 0 {
            if count < 0, errno == EINTR { continue }
            return false
        }
        sent += count
    }
    return true
}

/// Reads HTTP/1.1 messages (a head, then a body by Content-Length or chunks) from a socket.
private final class MessageReader {
    private let descriptor: Int32
    private var buffer: [UInt8] = []

    init(_ descriptor: Int32) { self.descriptor = descriptor }

    /// What was read past the last message.
    var leftover: [UInt8] { buffer }

    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let count = read(descriptor, &chunk, chunk.count)
        if count <= 0 { return false }
        buffer += chunk[..<count]
        return true
    }

    private func take(_ count: Int) -> [UInt8]? {
        while buffer.count < count { if !fill() { return nil } }
        let bytes = Array(buffer[..<count])
        buffer.removeFirst(count)
        return bytes
    }

    private func line() -> [UInt8]? {
        while true {
            if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) { return take(end + 1) }
            if !fill() { return nil }
        }
    }

    /// The head (with its blank line) as text and the body as bytes (for a chunked reply:
    /// the chunks as they came, the last one included); nil at the end.
    func readMessage() -> (String, [UInt8])? {
        var head = ""
        var length = 0
        var chunked = false
        while true {
            guard let line = line() else { return nil }
            let text = String(decoding: line, as: UTF8.self)
            head += text
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty { break }
            let lower = trimmed.lowercased()
            if lower.hasPrefix("content-length:") {
                length = Int(lower.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
            }
            if lower.hasPrefix("transfer-encoding:"), lower.contains("chunked") { chunked = true }
        }
        if !chunked {
            guard let body = take(length) else { return nil }
            return (head, body)
        }
        var body: [UInt8] = []
        while true {
            guard let sizeLine = line() else { return nil }
            body += sizeLine
            let sizeText = String(decoding: sizeLine, as: UTF8.self).split(separator: ";").first ?? ""
            let size = Int(sizeText.trimmingCharacters(in: .whitespacesAndNewlines), radix: 16) ?? 0
            guard let data = take(size), let end = line() else { return nil }
            body += data + end
            if size == 0 { return (head, body) }
        }
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on now (the kernel's pick), for a server a
/// test starts: a fixed port may be held by what an earlier run left behind.
public func freeLoopbackPort() -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
    }
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
