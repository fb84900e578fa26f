import CTLS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One HTTP/1.1 connection to one etcd member, blocking, with a deadline on every request:
/// what etcd's JSON gateway needs (POST with a JSON body; a JSON reply, or a stream of
/// them for a watch) without an event loop, so that a one-shot command pays for one
/// `connect` and the bytes it sends. The socket is non-blocking (every wait is a `poll` up
/// to the deadline), so that over TLS (`etcds://`, when given a context) a record that
/// arrives in pieces cannot block past a deadline either.
final class HTTPConnection {
    /// Why a request did not get an answer.
    enum Failure: Error, Equatable {
        /// No connection could be made (refused, unreachable, timed out connecting).
        case connect(String)
        /// The connection failed or closed after the request was (maybe partly) sent.
        case broken(String)
        /// No answer before the deadline.
        case timedOut
        /// An answer that is not HTTP/1.1 as servreg reads it.
        case malformed(String)
        /// TLS refused: the member's certificate is not trusted (or not for this host), or
        /// the member refused servreg's. Nothing sent was acted on.
        case untrusted(String)

        /// What went wrong, in words.
        var reason: String {
            switch self {
            case .connect(let reason), .broken(let reason), .malformed(let reason), .untrusted(let reason): reason
            case .timedOut: "no answer in time"
            }
        }
    }

    let host: String
    let port: UInt16
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    private var bufferStart = 0
    /// A streamed (chunked) body being read: the bytes left in the current chunk.
    private var chunkLeft = 0
    private var streamEnded = false
    /// Whether a reply's head has come on this connection.
    private var answered = false
    /// The TLS session, when the connection has one.
    private var tls: OpaquePointer?
    private var tlsMessage = [CChar](repeating: 0, count: 512)

    /// Connects, waiting at most `timeout` seconds; over TLS when `tls` is given.
    init(host: String, port: UInt16, timeout: Double, tls context: TLSContext? = nil) throws(Failure) {
        self.host = host
        self.port = port
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw .connect("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        let deadline = Self.now() + timeout
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), 0)
            if fd < 0 { continue }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            var result = connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
            if result != 0, errno == EINPROGRESS {
                var descriptor = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let wait = Int32(max(0, (deadline - Self.now()) * 1000))
                if poll(&descriptor, 1, wait) == 1 {
                    var error: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                    result = error == 0 ? 0 : -1
                    errno = error
                } else {
                    errno = ETIMEDOUT
                }
            }
            if result == 0 {
                var one: Int32 = 1
                setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                self.fd = fd
                if let context { try handshake(context, deadline: deadline) }
                return
            }
            lastError = String(cString: strerror(errno))
            close(fd)
        }
        throw .connect(lastError)
    }

    deinit { shutDown() }

    /// The socket, for a caller that waits on it with others (-1 once closed).
    var descriptor: Int32 { fd }
    /// Whether bytes were read that no caller has taken yet (a poll of the socket would
    /// not show them).
    var hasBuffered: Bool { bufferStart < buffer.count || (tls.map { servreg_tls_pending($0) != 0 } ?? false) }

    /// Whether the connection can still carry a request.
    var isOpen: Bool { fd >= 0 }

    /// Whether a reply has come on this connection.
    var hasAnswered: Bool { answered }

    /// Over TLS 1.3 a member checks servreg's certificate only after the handshake, and its
    /// refusal (an alert, then the connection's end) can race a request: the request then
    /// meets a reset, not the alert. On a new connection that sends nothing, this waits
    /// until `deadline` for the member's first record: the refusal if it is one, else nil.
    func certificateRefusal(deadline: Double) -> String? {
        guard let tls else { return nil }
        var byte: UInt8 = 0
        while true {
            switch tlsTransfer(servreg_tls_read(tls, &byte, 1, &tlsMessage, 512)) {
            case .done(let count): if count > 0 { return nil }
            case .wait(let events):
                do { try waitFor(events, deadline: deadline) } catch { return nil }
            case .ended: return nil
            case .failed(let failure):
                if case .untrusted(let reason) = failure { return reason }
                return nil
            }
        }
    }

    func shutDown() {
        if let tls { servreg_tls_session_free(tls) }
        tls = nil
        if fd >= 0 { close(fd) }
        fd = -1
    }

    private func handshake(_ context: TLSContext, deadline: Double) throws(Failure) {
        guard let session = servreg_tls_session_new(context.pointer, fd, host, &tlsMessage, 512) else {
            let reason = messageText(tlsMessage)
            shutDown()
            throw .connect(reason)
        }
        tls = session
        while true {
            let result = servreg_tls_handshake(session, &tlsMessage, 512)
            if result == 1 { return }
            do throws(Failure) {
                switch result {
                case Int32(SERVREG_TLS_WANT_READ): try waitFor(Int16(POLLIN), deadline: deadline)
                case Int32(SERVREG_TLS_WANT_WRITE): try waitFor(Int16(POLLOUT), deadline: deadline)
                case Int32(SERVREG_TLS_UNTRUSTED): throw Failure.untrusted(messageText(tlsMessage))
                case Int32(SERVREG_TLS_CLOSED):
                    throw Failure.connect(Self.tlsReason("the member closed the connection in the TLS handshake"))
                default: throw Failure.connect(Self.tlsReason(messageText(tlsMessage)))
                }
            } catch {
                shutDown()
                if case .timedOut = error { throw .connect("no TLS handshake in time") }
                throw error
            }
        }
    }

    /// OpenSSL's reason, with what it most likely means when the member speaks plain HTTP.
    private static func tlsReason(_ reason: String) -> String {
        ["wrong version number", "packet length too long", "closed the connection", "reset by peer"].contains {
            reason.contains($0)
        } ? reason + "; does it speak TLS? etcd:// is plain HTTP" : reason
    }

    /// What one read or write of the socket (or the TLS session over it) did.
    private enum Transfer {
        case done(Int)
        case wait(Int16)
        case ended
        case failed(Failure)
    }

    private func transmit(_ bytes: UnsafeRawBufferPointer) -> Transfer {
        if let tls {
            let count = servreg_tls_write(tls, bytes.baseAddress, bytes.count, &tlsMessage, 512)
            return tlsTransfer(count)
        }
        let count = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        if count > 0 { return .done(count) }
        if count < 0, errno == EINTR { return .done(0) }
        if count < 0, errno == EAGAIN { return .wait(Int16(POLLOUT)) }
        return .failed(.broken(String(cString: strerror(errno))))
    }

    private func receive(_ bytes: UnsafeMutableRawBufferPointer) -> Transfer {
        if let tls {
            let count = servreg_tls_read(tls, bytes.baseAddress, bytes.count, &tlsMessage, 512)
            return tlsTransfer(count)
        }
        let count = recv(fd, bytes.baseAddress, bytes.count, 0)
        if count > 0 { return .done(count) }
        if count == 0 { return .ended }
        if errno == EINTR { return .done(0) }
        if errno == EAGAIN { return .wait(Int16(POLLIN)) }
        return .failed(.broken(String(cString: strerror(errno))))
    }

    private func tlsTransfer(_ count: Int) -> Transfer {
        switch count {
        case 1...: .done(count)
        case Int(SERVREG_TLS_WANT_READ): .wait(Int16(POLLIN))
        case Int(SERVREG_TLS_WANT_WRITE): .wait(Int16(POLLOUT))
        case Int(SERVREG_TLS_CLOSED): .ended
        case Int(SERVREG_TLS_UNTRUSTED): .failed(.untrusted(messageText(tlsMessage)))
        default: .failed(.broken(messageText(tlsMessage)))
        }
    }

    /// Sends a POST of a JSON body and reads the whole reply by `deadline` (a monotonic
    /// instant, `now()`): its status and body. `Failure.broken` after the request went out
    /// means the server may have acted on it.
    func post(_ path: String, body: [UInt8], headers: [String], deadline: Double) throws(Failure) -> (Int, [UInt8]) {
        try sendRequest(path, body: body, headers: headers, deadline: deadline)
        let (status, length, chunked) = try readHead(deadline: deadline)
        var reply: [UInt8] = []
        if chunked {
            while let chunk = try readChunk(deadline: deadline) { reply += chunk }
        } else if let length {
            reply = try readBytes(length, deadline: deadline)
        } else {
            // HTTP/1.0's end-of-body is the connection's end: what Go's TLS server sends
            // to a plain request ("Client sent an HTTP request to an HTTPS server.").
            var text = Array(buffer[bufferStart...])
            bufferStart = buffer.count
            while text.count < 1024, (try? fill(deadline: deadline)) != nil {
                text += buffer[bufferStart...]
                bufferStart = buffer.count
            }
            shutDown()
            let hint =
                String(decoding: text, as: UTF8.self).contains("HTTPS server")
                ? ": the member speaks TLS (etcds://, or --cacert)" : ""
            throw .malformed("HTTP \(status) without a length\(hint)")
        }
        return (status, reply)
    }

    /// Sends a POST whose reply is a stream (a watch), and reads its head: the status.
    func startStream(_ path: String, body: [UInt8], headers: [String], deadline: Double) throws(Failure) -> Int {
        try sendRequest(path, body: body, headers: headers, deadline: deadline)
        let (status, _, chunked) = try readHead(deadline: deadline)
        if !chunked, status == 200 { throw .malformed("a stream that is not chunked") }
        return status
    }

    /// The next piece of a streamed reply, waiting until `deadline`; nil when it ended.
    /// Throws `timedOut` when nothing came by then (the stream stays usable).
    func readChunk(deadline: Double) throws(Failure) -> [UInt8]? {
        if streamEnded { return nil }
        if chunkLeft == 0 {
            let line = try readLine(deadline: deadline)
            guard let size = Int(line.split(separator: ";").first ?? "", radix: 16) else {
                throw .malformed("a chunk size \(line.prefix(20))")
            }
            if size == 0 {
                _ = try readLine(deadline: deadline)
                streamEnded = true
                return nil
            }
            chunkLeft = size
        }
        let piece = try readAvailable(upTo: chunkLeft, deadline: deadline)
        chunkLeft -= piece.count
        if chunkLeft == 0 { _ = try readLine(deadline: deadline) }
        return piece
    }

    /// Whether bytes (or the end) can be read within `timeout` seconds.
    func waitReadable(timeout: Double) -> Bool {
        if hasBuffered { return true }
        guard fd >= 0 else { return true }
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, Int32(max(0, min(timeout, 86_400) * 1000))) > 0
    }

    // MARK: Wire

    private func sendRequest(_ path: String, body: [UInt8], headers: [String], deadline: Double) throws(Failure) {
        guard fd >= 0 else { throw .broken("connection closed") }
        streamEnded = false
        chunkLeft = 0
        var head = "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Type: application/json\r\n"
        for header in headers { head += header + "\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        var bytes = Array(head.utf8)
        bytes += body
        var sent = 0
        while sent < bytes.count {
            switch bytes[sent...].withUnsafeBytes({ transmit($0) }) {
            case .done(let count): sent += count
            case .wait(let events): try waitFor(events, deadline: deadline)
            case .ended: throw closed()
            case .failed(let failure):
                shutDown()
                throw failure
            }
        }
    }

    /// The member closed the connection: closes this end, and says so.
    private func closed() -> Failure {
        shutDown()
        // A member that serves TLS closes a plain connection at its first bytes.
        return .broken(
            answered || tls != nil
                ? "the member closed the connection"
                : "the member closed the connection without answering (if it serves TLS: etcds://)")
    }

    private func readHead(deadline: Double) throws(Failure) -> (Int, Int?, Bool) {
        let statusLine = try readLine(deadline: deadline)
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw .malformed("a status line \(statusLine.prefix(40))")
        }
        answered = true
        var length: Int?
        var chunked = false
        while true {
            let line = try readLine(deadline: deadline)
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces()
            if name == "content-length" { length = Int(value) }
            if name == "transfer-encoding", value.lowercased().contains("chunked") { chunked = true }
        }
        return (status, length, chunked)
    }

    private func readLine(deadline: Double) throws(Failure) -> String {
        while true {
            if let end = buffer[bufferStart...].firstIndex(of: UInt8(ascii: "\n")) {
                var lineEnd = end
                if lineEnd > bufferStart, buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                let line = String(decoding: buffer[bufferStart..<lineEnd], as: UTF8.self)
                bufferStart = end + 1
                return line
            }
            if buffer.count - bufferStart > 65_536 { throw .malformed("a header line over 64 KiB") }
            try fill(deadline: deadline)
        }
    }

    private func readBytes(_ count: Int, deadline: Double) throws(Failure) -> [UInt8] {
        while buffer.count - bufferStart < count { try fill(deadline: deadline) }
        let bytes = Array(buffer[bufferStart..<(bufferStart + count)])
        bufferStart += count
        return bytes
    }

    private func readAvailable(upTo count: Int, deadline: Double) throws(Failure) -> [UInt8] {
        if bufferStart == buffer.count { try fill(deadline: deadline) }
        let end = min(buffer.count, bufferStart + count)
        let bytes = Array(buffer[bufferStart..<end])
        bufferStart = end
        return bytes
    }

    private func fill(deadline: Double) throws(Failure) {
        if bufferStart > 0 {
            buffer.removeFirst(bufferStart)
            bufferStart = 0
        }
        guard fd >= 0 else { throw .broken("connection closed") }
        // Plain: wait first (the usual case is an answer not there yet). TLS: the session
        // may hold decrypted bytes already, so read first and wait when it says so.
        if tls == nil { try waitFor(Int16(POLLIN), deadline: deadline) }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            switch chunk.withUnsafeMutableBytes({ receive($0) }) {
            case .done(let count):
                buffer += chunk[0..<count]
                if count > 0 || tls == nil { return }
            case .wait(let events): try waitFor(events, deadline: deadline)
            case .ended: throw closed()
            case .failed(let failure):
                shutDown()
                throw failure
            }
        }
    }

    private func waitFor(_ events: Int16, deadline: Double) throws(Failure) {
        while true {
            let left = deadline - Self.now()
            if left <= 0 { throw .timedOut }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(left, 86_400) * 1000) + 1)
            if ready > 0 { return }
            if ready < 0, errno != EINTR {
                let reason = String(cString: strerror(errno))
                shutDown()
                throw .broken(reason)
            }
        }
    }

    /// Seconds on the monotonic clock.
    static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// The text of a NUL-terminated C buffer.
func messageText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
