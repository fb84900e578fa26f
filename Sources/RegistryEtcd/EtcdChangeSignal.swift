import ServiceRegistry

#if canImport(Glibc)
    import Glibc
#endif

/// An etcd store's change signal: an etcd watch of the registry's keys (every commit
/// rewrites the head). Each revision it reports is handed to the store (`absorb`), whose
/// snapshot it keeps current, so that the listener's read after the wait needs no round
/// trip. A watch that breaks (its member died) is made again on another member from the
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
    private let end: [UInt8]
    private let wakePipe: Waker
    private var stream: HTTPConnection?
    /// The revision after the newest one the watch reported.
    private var next: Int64
    private var pending: [UInt8] = []

    var waker: any ChangeWaker { wakePipe }

    /// Whether the watch is open (it has missed nothing since it was made).
    var isLive: Bool { stream?.isOpen ?? false }

    /// A watch of the keys from `key` up to `end`, from revision `start` (nil: from now).
    init(store: EtcdStore, key: [UInt8], end: [UInt8], from start: Int64?) throws {
        self.store = store
        self.key = key
        self.end = end
        wakePipe = try Waker()
        next = try start ?? Self.revisionAfterNow(store, key)
    }

    /// Opens the watch (after the store has taken the signal as its feeder).
    func start() throws {
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
            #"{"create_request":{"key":""# + Base64.encode(key) + #"","range_end":""# + Base64.encode(end)
            + #"","start_revision":""# + String(next) + #"","progress_notify":true}}"#
        do {
            stream = try store.client.openStream("/v3/watch", body)
        } catch {
            throw store.storeError(error, doing: "watch")
        }
        store.watchStarted(self, at: next)
    }

    /// The watch ended (its member went, or etcd cancelled it): made again at the next wait.
    private func dropStream() {
        stream?.shutDown()
        stream = nil
        store.watchBroke(self)
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
                dropStream()
                return .changed
            }
            guard let piece else {
                store.client.moveOn()
                dropStream()
                return .changed
            }
            pending += piece
            var changed = false
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeFirst(newline + 1)
                guard let message = try? JSONValue.parse(line), let result = message["result"] else { continue }
                store.watchHeard(self)
                if result["canceled"]?.bool == true {
                    // Compacted past `next`: the head changed since; watch again from now.
                    dropStream()
                    next = try Self.revisionAfterNow(store, key)
                    return .changed
                }
                if case .array(let events)? = result["events"], !events.isEmpty {
                    var reported: [EtcdStore.WatchEvent] = []
                    reported.reserveCapacity(events.count)
                    for event in events {
                        guard let kv = try? EtcdClient.keyValues(.array([event["kv"] ?? .null])).first else {
                            // Not what etcd sends: the store reads for itself from here on.
                            store.watchBroke(self)
                            continue
                        }
                        next = max(next, kv.modRevision + 1)
                        reported.append(EtcdStore.WatchEvent(deleted: event["type"]?.string == "DELETE", kv: kv))
                    }
                    store.absorb(reported, from: self)
                    changed = true
                }
            }
            if changed { return .changed }
        }
    }
}
