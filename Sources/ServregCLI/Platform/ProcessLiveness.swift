import Foundation
import ServiceRegistry

/// The system's clock and process table, as the registry asks them (Linux: `/proc`).
struct ProcessLiveness: Liveness {
    func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    func isRunning(_ owner: ServiceOwner) -> Bool {
        guard owner.bootID == Self.bootID, let process = Self.process(owner.pid) else { return false }
        return process.startTime == owner.startTime && !process.zombie
    }

    /// This machine's boot id: a new one after every reboot.
    static let bootID: String = {
        // Read with open/read: Foundation's file reading costs most of a one-shot get --value.
        let descriptor = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return "unknown" }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(descriptor, &buffer, buffer.count)
        guard count > 0 else { return "unknown" }
        let text = buffer[..<count].prefix { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: " ") }
        return text.isEmpty ? "unknown" : String(decoding: text, as: UTF8.self)
    }()

    /// The owner record of a running process, or nil when there is none with that pid.
    static func owner(of pid: Int32) -> ServiceOwner? {
        guard let process = process(pid), !process.zombie else { return nil }
        return ServiceOwner(pid: pid, startTime: process.startTime, bootID: bootID)
    }

    /// A process's start time (clock ticks after boot) and whether it has ended and waits
    /// to be reaped, from `/proc/PID/stat`; nil when there is no such process.
    static func process(_ pid: Int32) -> (startTime: Int64, zombie: Bool)? {
        guard pid > 0 else { return nil }
        let descriptor = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = read(descriptor, &buffer, buffer.count)
        guard count > 0 else { return nil }
        // "pid (comm) state ppid …": comm may hold spaces and parentheses; the fields
        // start after the last ')'. Field 3 is the state, field 22 the start time.
        guard let close = buffer[..<count].lastIndex(of: UInt8(ascii: ")")) else { return nil }
        let fields = buffer[(close + 1)..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 19, let state = fields[0].first,
            let start = Int64(String(decoding: fields[19], as: UTF8.self))
        else { return nil }
        return (start, state == UInt8(ascii: "Z") || state == UInt8(ascii: "X"))
    }
}
