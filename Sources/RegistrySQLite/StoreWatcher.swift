import Foundation
import ServiceRegistry

/// Wakes a listener when the store's files change, through inotify on their directory:
/// a commit appends to the write-ahead log (`registry.db-wal`), a checkpoint writes the
/// database file, and deleting or renaming the store shows up as an event too.
///
/// A commit's last write to the log comes a moment before the commit is visible to
/// readers (SQLite then updates the shared-memory index, which inotify does not see), so
/// after every wake-up the watcher asks to be read again a few times over the next quarter
/// second; and every two seconds it looks at the file itself, which also catches a store
/// replaced without an event (another filesystem, an inotify queue overflow).
final class StoreWatcher: ChangeSignal {
    /// Wakes a waiting watcher through a pipe: one write(2), from any thread.
    private final class EventWaker: ChangeWaker {
        let readEnd: Int32
        let writeEnd: Int32

        init(readEnd: Int32, writeEnd: Int32) {
            self.readEnd = readEnd
            self.writeEnd = writeEnd
        }

        func wake() {
            var byte: UInt8 = 1
            _ = Glibc.write(writeEnd, &byte, 1)
        }

        /// Empties the pipe; whether it held a wake-up.
        func drain() -> Bool {
            var bytes = [UInt8](repeating: 0, count: 64)
            var woken = false
            while read(readEnd, &bytes, bytes.count) > 0 { woken = true }
            return woken
        }
    }

    private let storePath: String
    /// Asks the store's own connection whether the file is still a servreg store.
    /// (Not a descriptor of the watcher's: closing any descriptor of the file would drop
    /// the POSIX locks SQLite holds on it for this process.)
    private let verify: () -> Bool
    private let eventWaker: EventWaker
    var waker: any ChangeWaker { eventWaker }
    private let fileName: String
    private let descriptor: Int32
    /// The file the listener watches; nil until a store that did not exist yet appears.
    private var identity: (device: UInt64, inode: UInt64)?
    /// Re-reads still due after the last wake-up, as offsets from it.
    private var rechecks: [Double] = []
    private var lastWake = 0.0
    private static let recheckOffsets: [Double] = [
        0.000_25, 0.000_5, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256,
    ]
    private static let fallbackInterval = 2.0

    init(storePath: String, verify: @escaping () -> Bool) throws {
        self.storePath = storePath
        self.verify = verify
        let url = URL(fileURLWithPath: storePath)
        fileName = url.lastPathComponent
        let directory = url.deletingLastPathComponent().path
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else {
            throw StoreError(
                .failed, location: storePath, detail: "cannot watch for changes: \(SQLiteStore.errnoText())")
        }
        let mask =
            IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF
            | IN_CLOSE_WRITE
        if inotify_add_watch(descriptor, directory, UInt32(mask)) < 0 {
            let message = String(cString: strerror(errno))
            close(descriptor)
            throw StoreError(.failed, location: storePath, detail: "cannot watch its directory: \(message)")
        }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else {
            let message = SQLiteStore.errnoText()
            close(descriptor)
            throw StoreError(.failed, location: storePath, detail: "cannot make a pipe: \(message)")
        }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        eventWaker = EventWaker(readEnd: ends[0], writeEnd: ends[1])
        identity = Self.identity(of: storePath)
    }

    deinit {
        close(descriptor)
        close(eventWaker.readEnd)
        close(eventWaker.writeEnd)
    }

    private static func identity(of path: String) -> (device: UInt64, inode: UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    func wait(timeout: Double) throws -> ChangeWake {
        let deadline = Self.now() + max(0, timeout)
        while true {
            let start = Self.now()
            var limit = min(deadline - start, Self.fallbackInterval)
            var recheckDue = false
            if let next = rechecks.first {
                let due = lastWake + next - start
                if due <= 0 {
                    rechecks.removeAll { lastWake + $0 <= start }
                    return .changed
                }
                if due <= limit { (limit, recheckDue) = (due, true) }
            }
            if recheckDue, limit < 0.001 {
                // poll(2) counts in milliseconds: a re-read due sooner waits here (what
                // arrives meanwhile stays queued for the next call).
                usleep(UInt32(limit * 1_000_000))
                rechecks.removeFirst()
                return .changed
            }
            var polled = [
                pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                pollfd(fd: eventWaker.readEnd, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&polled, nfds_t(polled.count), Int32(max(0, (limit * 1000).rounded(.up))))
            if ready < 0 {
                if errno == EINTR { return .changed }  // a signal: the caller looks at its flags
                throw StoreError(
                    .failed, location: storePath, detail: "cannot wait for changes: \(SQLiteStore.errnoText())")
            }
            if polled[1].revents != 0, eventWaker.drain() { return .woken }
            if polled[0].revents != 0 {
                let (gone, relevant) = drainEvents()
                if let gone { return .storeGone(gone) }
                if relevant {
                    lastWake = Self.now()
                    rechecks = Self.recheckOffsets
                    return .changed
                }
                continue  // another file in the same directory
            }
            if recheckDue {
                rechecks.removeFirst()
                return .changed
            }
            if let gone = checkFile() { return .storeGone(gone) }
            if Self.now() >= deadline { return .timedOut }
            return .changed  // the fallback look: cheap, and whatever it finds is read as usual
        }
    }

    /// Reads the queued events: a reason when they say the store went away, and whether
    /// any was about the store's files (`registry.db`, `registry.db-wal`, …).
    private func drainEvents() -> (gone: String?, relevant: Bool) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var gone: String?
        var relevant = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let nameStart = offset + MemoryLayout<inotify_event>.size
                    let name = String(
                        decoding: raw[nameStart..<nameStart + Int(event.len)].prefix { $0 != 0 }, as: UTF8.self)
                    let mask = event.mask
                    if mask & UInt32(IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
                        gone = "the directory of the store \(storePath) was removed or renamed"
                    } else if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                        relevant = true
                    } else if name == fileName, mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 {
                        gone = "the store \(storePath) was deleted or renamed"
                    } else if name.hasPrefix(fileName) {
                        relevant = true
                    }
                    offset = nameStart + Int(event.len)
                }
            }
        }
        return (gone ?? (relevant ? checkFile() : nil), relevant)
    }

    /// A reason when the store's path no longer names the file the listener opened.
    private func checkFile() -> String? {
        guard let now = Self.identity(of: storePath) else {
            // A store that is not made yet is waited for, not gone.
            return identity == nil ? nil : "the store \(storePath) was deleted"
        }
        guard let identity else {
            identity = now
            return nil
        }
        if identity != now { return "the store \(storePath) was replaced by another file" }
        if !verify() { return "the store \(storePath) was truncated or overwritten in place" }
        return nil
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
