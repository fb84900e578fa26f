import ServiceRegistry

#if canImport(Glibc)
    import Glibc
#endif

/// An etcd store's change signal: an etcd watch on the registry's head, which every commit
/// rewrites. A watch that breaks (its member died) is made again on another member from the
/// revision after the last one it saw; the wait after that says `changed` (the event log,
/// not the watch, is what the listener reads, so nothing is missed either way).
final class EtcdChangeSignal: ChangeSignal {
    private final class Waker: ChangeWaker, @unchecked Sendable {
        let readEnd: Int32
        let writeEnd: Int32

        init() throws {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else {
                throw StoreError(
                    .failed, location: "", detail: "cannot make a pipe: \(String(cString: strerror(errno)))")
            }
            readEnd = ends[0]
            writeEnd = ends[1]
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
        }

        deinit {
            close(readEnd)
            close(writeEnd)
        }

        func wake() {
            var byte: UInt8 = 1
            _ = write(writeEnd, &byte, 1)
        }

        func drain() -> Bool {
            var bytes = [UInt8](repeating: 0, count: 64)
            var woken = false
            while read(readEnd, &bytes, bytes.count) > 0 { woken = true }
            return woken
        }
    }

    private unowned let store: EtcdStore
    private let key: [UInt8]
    private let wakePipe: Waker
    private var stream: HTTPConnection?
    /// The revision after the newest one the watch reported.
    private var next: Int64
    private var pending: [UInt8] = []

    var waker: any ChangeWaker { wakePipe }

    init(store: EtcdStore, key: [UInt8]) throws {
        self.store = store
        self.key = key
        wakePipe = try Waker()
        next = try Self.revisionAfterNow(store, key)
        try openStream()
    }

    /// The revision after the cluster's newest: where a watch that misses nothing starts.
    private static func revisionAfterNow(_ store: EtcdStore, _ key: [UInt8]) throws -> Int64 {
        do {
            return try store.client.range(key, end: nil).0 + 1
        } catch {
            throw store.storeError(error, doing: "read")
        }
    }

    deinit { stream?.shutDown() }

    private func openStream() throws {
        stream?.shutDown()
        stream = nil
        pending = []
        let body =
            #"{"create_request":{"key":""# + Base64.encode(key) + #"","start_revision":""# + String(next)
            + #"","progress_notify":true}}"#
        do {
            stream = try store.client.openStream("/v3/watch", body)
        } catch {
            throw store.storeError(error, doing: "watch")
        }
    }

    func wait(timeout: Double) throws -> ChangeWake {
        let deadline = HTTPConnection.now() + max(0, timeout)
        while true {
            if stream == nil { try openStream() }
            guard let stream else { return .storeGone("no watch") }
            if !stream.hasBuffered {
                let left = deadline - HTTPConnection.now()
                var descriptors = [
                    pollfd(fd: stream.descriptor, events: Int16(POLLIN), revents: 0),
                    pollfd(fd: wakePipe.readEnd, events: Int16(POLLIN), revents: 0),
                ]
                let ready = poll(&descriptors, 2, Int32(max(0, min(left, 86_400)) * 1000))
                if ready < 0, errno != EINTR { return .storeGone(String(cString: strerror(errno))) }
                if descriptors[1].revents != 0, wakePipe.drain() { return .woken }
                if ready <= 0 {
                    if HTTPConnection.now() >= deadline { return .timedOut }
                    continue
                }
            }
            let piece: [UInt8]?
            do {
                piece = try stream.readChunk(deadline: HTTPConnection.now() + 1)
            } catch .timedOut {
                continue
            } catch {
                // The member went away: watch again elsewhere; something may have changed.
                store.client.moveOn()
                self.stream = nil
                return .changed
            }
            guard let piece else {
                store.client.moveOn()
                self.stream = nil
                return .changed
            }
            pending += piece
            var changed = false
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                guard let message = try? JSONValue.parse(line), let result = message["result"] else { continue }
                if result["canceled"]?.bool == true {
                    // Compacted past `next`: the head changed since; watch again from now.
                    next = try Self.revisionAfterNow(store, key)
                    self.stream?.shutDown()
                    self.stream = nil
                    return .changed
                }
                if case .array(let events)? = result["events"], !events.isEmpty {
                    for event in events {
                        if let revision = event["kv"]?["mod_revision"]?.int64Text { next = max(next, revision + 1) }
                    }
                    changed = true
                }
            }
            if changed { return .changed }
        }
    }
}
