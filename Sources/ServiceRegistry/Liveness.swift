/// A lease: the service expires `ttl` milliseconds after it was registered or last renewed.
public struct Lease: Sendable, Equatable {
    /// The time to live, in milliseconds (> 0).
    public var ttl: Int64
    /// When the service expires: milliseconds since 1970 (UTC).
    public var expires: Int64

    /// A lease of `ttl` milliseconds that starts at `now`.
    public init(ttl: Int64, from now: Int64) {
        self.ttl = ttl
        self.expires = now.addingReportingOverflow(ttl).overflow ? Int64.max : now + ttl
    }

    /// A lease as stored.
    public init(ttl: Int64, expires: Int64) {
        self.ttl = ttl
        self.expires = expires
    }
}

/// The process a service belongs to, recorded so that neither a reused pid nor a reboot
/// is mistaken for it: its pid, its start time (clock ticks after boot, as
/// `/proc/PID/stat` has it) and the machine's boot id.
public struct ServiceOwner: Sendable, Equatable, Hashable {
    /// The process id.
    public var pid: Int32
    /// When the process started, in clock ticks after boot.
    public var startTime: Int64
    /// The boot id of the machine it runs on (`/proc/sys/kernel/random/boot_id`).
    public var bootID: String

    /// An owner as recorded.
    public init(pid: Int32, startTime: Int64, bootID: String) {
        self.pid = pid
        self.startTime = startTime
        self.bootID = bootID
    }
}

/// The clock and the process table the registry asks whether a service still lives. The
/// core has no I/O of its own: the command line gives it the system's, tests a manual one.
public protocol Liveness: Sendable {
    /// Now, in milliseconds since 1970 (UTC).
    func now() -> Int64
    /// Whether the owner's process still runs (the same process: pid, start time and boot).
    func isRunning(_ owner: ServiceOwner) -> Bool
}

/// Why a service left the registry: what `listen` shows with UNREGISTERING.
public enum RemovalReason: String, Sendable, CaseIterable {
    /// `unregister` (or a `--hold` whose command could not be started).
    case unregistered
    /// Its lease ran out.
    case expired
    /// The process that owned it is gone.
    case ownerExited = "owner-exited"
    /// `register --existing replace` put another service in its place.
    case replaced
    /// Not a removal: a requirement of the service lost its last match, and the service is
    /// hidden until one comes back (the reason of its UNREGISTERING).
    case dependencyLost = "dependency-lost"
    /// `apply --prune`: an earlier apply of the source declared it, this one does not.
    case pruned
}

/// A liveness for stores used without leases or owners: a clock that stands before every
/// instant (nothing expires) and owners that always run. Tests that need time pass their own.
public struct UncheckedLiveness: Liveness {
    /// The unchecked liveness.
    public init() {}
    /// Before every instant.
    public func now() -> Int64 { Int64.min }
    /// Always.
    public func isRunning(_ owner: ServiceOwner) -> Bool { true }
}

/// One moment's view of liveness: `now` fixed, each owner asked about once. A read or a
/// write of the registry uses one, so everything it returns is alive at one instant.
struct LivenessCheck {
    let now: Int64
    private let liveness: any Liveness
    private var owners: [ServiceOwner: Bool] = [:]

    init(_ liveness: any Liveness) {
        self.liveness = liveness
        self.now = liveness.now()
    }

    /// Nil for a live service, else why it is gone.
    mutating func deathReason(_ record: ServiceRecord) -> RemovalReason? {
        if let lease = record.lease, lease.expires <= now { return .expired }
        if let owner = record.owner {
            if let known = owners[owner] { return known ? nil : .ownerExited }
            let running = liveness.isRunning(owner)
            owners[owner] = running
            if !running { return .ownerExited }
        }
        return nil
    }

    /// Whether a process (a claimant) still runs.
    mutating func isRunning(_ owner: ServiceOwner) -> Bool {
        if let known = owners[owner] { return known }
        let running = liveness.isRunning(owner)
        owners[owner] = running
        return running
    }

    mutating func isLive(_ record: ServiceRecord) -> Bool {
        if record.lease == nil, record.owner == nil { return true }
        return deathReason(record) == nil
    }
}

/// A service named on the command line: by its id, or by its name (`@NAME`).
public enum ServiceReference: Sendable, Equatable, Hashable, CustomStringConvertible {
    case id(ServiceID)
    case name(String)

    /// `12` or `@db`, as given on the command line.
    public var description: String {
        switch self {
        case .id(let id): "\(id)"
        case .name(let name): "@\(name)"
        }
    }
}

/// Service names (`--name`, `@NAME`): 1 to 255 bytes of ASCII letters, digits and `._-`.
public enum ServiceName {
    /// The longest name, in bytes.
    public static let maximumLength = 255

    /// Throws `RegistryError.invalidServiceName` unless `name` is a valid name.
    public static func validate(_ name: String) throws(RegistryError) {
        if name.isEmpty { throw .invalidServiceName(name, .empty) }
        if name.utf8.count > maximumLength { throw .invalidServiceName(name, .tooLong) }
        for scalar in name.unicodeScalars {
            let ok =
                ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "." || scalar == "_" || scalar == "-"
            if !ok { throw .invalidServiceName(name, .forbiddenCharacter(Character(scalar))) }
        }
    }
}

/// Durations of leases: `500ms`, `30s`, `1.5s`, `5m`, `1h` (a number and a unit).
public enum LeaseDuration {
    /// The longest lease: 366 days.
    public static let maximum: Int64 = 366 * 24 * 3_600_000

    /// The duration in milliseconds; 0 for `0` (with or without a unit).
    public static func parse(_ text: String) throws(RegistryError) -> Int64 {
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        if text == "0" { return 0 }
        for (unit, factor) in units where text.hasSuffix(unit) {
            let number = text.dropLast(unit.count)
            guard !number.isEmpty, number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
                number.first != ".", number.last != ".", let value = Double(number)
            else { break }
            let milliseconds = (value * factor).rounded()
            if milliseconds > Double(maximum) { throw .invalidDuration(text, .tooLong) }
            if value > 0, milliseconds < 1 { throw .invalidDuration(text, .tooShort) }
            return Int64(milliseconds)
        }
        throw .invalidDuration(text, .syntax)
    }

    /// The shortest text that `parse` reads back as `milliseconds`: `1500ms`, `30s`, `5m`.
    public static func format(_ milliseconds: Int64) -> String {
        if milliseconds % 3_600_000 == 0, milliseconds > 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0, milliseconds > 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }

    /// A time left for people: `29.5s`, `4m 10s`, `2h 5m`.
    public static func describe(_ milliseconds: Int64) -> String {
        let ms = max(0, milliseconds)
        if ms < 60_000 {
            let tenths = (ms + 50) / 100
            return tenths % 10 == 0 ? "\(tenths / 10)s" : "\(tenths / 10).\(tenths % 10)s"
        }
        let seconds = ms / 1000
        if seconds < 3600 { return seconds % 60 == 0 ? "\(seconds / 60)m" : "\(seconds / 60)m \(seconds % 60)s" }
        let minutes = seconds / 60
        return minutes % 60 == 0 ? "\(minutes / 60)h" : "\(minutes / 60)h \(minutes % 60)m"
    }
}

/// Instants as `service.expires` carries them: RFC 3339 in UTC with milliseconds,
/// `2026-12-02T14:30:08.123Z`.
public enum Instant {
    /// The RFC 3339 text of milliseconds since 1970.
    public static func format(_ milliseconds: Int64) -> String {
        let (days, dayMilliseconds) = floorDivide(milliseconds, 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        let ms = dayMilliseconds % 1000
        let seconds = dayMilliseconds / 1000
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let fraction = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
        let yearText =
            year >= 0 && year < 10000 ? String(repeating: "0", count: 4 - "\(year)".count) + "\(year)" : "\(year)"
        return
            "\(yearText)-\(two(month))-\(two(day))T\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60)).\(fraction)Z"
    }

    /// Milliseconds since 1970 of `YYYY-MM-DDTHH:MM:SS[.fff]Z`, or nil.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard bytes.count >= 20, bytes[4] == 45, bytes[7] == 45, bytes[10] == 84, bytes[13] == 58, bytes[16] == 58,
            bytes.last == 90, let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { return nil }
        var milliseconds: Int64 = 0
        if bytes.count > 20 {
            guard bytes[19] == 46, bytes.count <= 24, let fraction = number(20..<(bytes.count - 1)) else { return nil }
            var scaled = fraction
            for _ in 0..<(3 - (bytes.count - 21)) { scaled *= 10 }
            milliseconds = scaled
        } else if bytes.count != 20 {
            return nil
        }
        let days = days(fromCivil: year, month, day)
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + milliseconds
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b
        let r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    // Howard Hinnant's civil-from-days and days-from-civil.
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
