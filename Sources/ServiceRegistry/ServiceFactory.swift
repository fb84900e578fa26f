/// A service's value: what a consumer gets (OSGi's service object, Envisage's service).
public enum ServiceValue {
    /// The largest value a service may have, in bytes (1 MiB).
    public static let maximumSize = 1 << 20

    /// The value as text when it is valid UTF-8 (what `service.value` shows), else nil.
    public static func text(_ bytes: [UInt8]) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// Checks a value's size.
    public static func validate(_ bytes: [UInt8]) throws(RegistryError) {
        if bytes.count > maximumSize { throw .valueTooLarge(bytes.count) }
    }
}

/// A factory registered in place of a value (Envisage, OSGi service factories): the command
/// that makes a value, run by the CLI outside any store transaction. `service.scope` says
/// how its values are shared: `singleton` makes one for the service (then stored as its
/// value), `bundle` one per client (kept until `unget`), `prototype` one per request.
public struct ServiceFactory: Sendable, Equatable {
    /// The command and its arguments, run as given (no shell).
    public var command: [String]
    /// How long the command may run, in milliseconds.
    public var timeout: Int64

    /// The default time a factory may run: 10 s.
    public static let defaultTimeout: Int64 = 10_000

    /// A factory.
    public init(command: [String], timeout: Int64 = defaultTimeout) {
        self.command = command
        self.timeout = timeout
    }
}

/// A client's use of a service: it asked for the value (and holds `value`, the one made for
/// it by a bundle factory), or it is making that value now (`claimant`).
public struct ServiceUse: Sendable, Equatable {
    /// The client's name; `""` for the claim on a singleton factory's one value.
    public var client: String
    /// The value made for this client (bundle scope).
    public var value: [UInt8]?
    /// The process making the value now: others wait for it while it runs.
    public var claimant: ServiceOwner?

    /// A use.
    public init(client: String, value: [UInt8]? = nil, claimant: ServiceOwner? = nil) {
        self.client = client
        self.value = value
        self.claimant = claimant
    }
}

/// A value waiting for its release command to run (queued in the store in the transaction
/// that let go of it; run after the commit by a process that trusts the store).
public struct PendingRelease: Sendable, Equatable {
    /// The queue number, assigned by the store (0 before).
    public var number: Int64
    /// The service the value was made by.
    public var service: ServiceID
    /// The service's first specification (for `SERVREG_SPEC`).
    public var specification: String
    /// The client it was made for.
    public var client: String
    /// The release command.
    public var command: [String]
    /// The value, given to the command on its standard input.
    public var value: [UInt8]

    /// An entry of the release queue.
    public init(
        number: Int64 = 0, service: ServiceID, specification: String, client: String, command: [String],
        value: [UInt8]
    ) {
        self.number = number
        self.service = service
        self.specification = specification
        self.client = client
        self.command = command
        self.value = value
    }
}

/// What runs factories and release commands: the CLI's processes, or a test's closures.
/// The core calls it outside every store transaction.
public protocol ValueMaker {
    /// Runs a factory for `client`, asked for under `specification`; returns its output.
    /// Throws `FactoryError` when it fails.
    func make(_ factory: ServiceFactory, of service: ServiceRecord, specification: String, client: String) throws
        -> [UInt8]
    /// Runs a release command with the value on its standard input.
    func release(_ pending: PendingRelease) throws
    /// Throws unless code from this store may run (the CLI: the store is the user's own and
    /// only the user may write it).
    func checkTrusted() throws
    /// Whether the user asked to stop (Ctrl-C): a wait for another process's value ends.
    var isInterrupted: Bool { get }
}

/// A factory or release command that did not give a value.
public struct FactoryError: Error, Sendable, Equatable {
    /// What went wrong.
    public enum Kind: Error, Sendable, Equatable {
        /// It exited with a non-zero status.
        case exited(Int32)
        /// A signal ended it.
        case signaled(Int32)
        /// It ran longer than its timeout (milliseconds) and was killed.
        case timedOut(Int64)
        /// It printed nothing.
        case noOutput
        /// It printed more than `ServiceValue.maximumSize` bytes.
        case tooLarge
        /// The command was not found.
        case notFound
        /// The command could not be run (the system's reason).
        case cannotRun(String)
        /// Ctrl-C ended it.
        case interrupted
    }

    /// What went wrong.
    public var kind: Kind
    /// The command's name (its first word).
    public var command: String
    /// The service whose factory or release command it is.
    public var service: ServiceID
    /// Whether it was the release command.
    public var isRelease: Bool

    /// A failure of a factory or release command.
    public init(_ kind: Kind, command: String, service: ServiceID, isRelease: Bool = false) {
        self.kind = kind
        self.command = command
        self.service = service
        self.isRelease = isRelease
    }
}

/// Base64 (RFC 4648, with padding) for values that are not text, in JSON.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The base64 text of bytes.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 2 < bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            var n = UInt32(bytes[index]) << 16
            if rest == 2 { n |= UInt32(bytes[index + 1]) << 8 }
            out.append(alphabet[Int((n >> 18) & 63)])
            out.append(alphabet[Int((n >> 12) & 63)])
            out.append(rest == 2 ? alphabet[Int((n >> 6) & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes of base64 text, or nil when it is not base64.
    public static func decode(_ text: String) -> [UInt8]? {
        let characters = Array(text.utf8)
        guard characters.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(characters.count / 4 * 3)
        var index = 0
        while index < characters.count {
            var n: UInt32 = 0
            var padding = 0
            for offset in 0..<4 {
                let character = characters[index + offset]
                let digit: UInt32
                switch character {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): digit = UInt32(character - UInt8(ascii: "A"))
                case UInt8(ascii: "a")...UInt8(ascii: "z"): digit = UInt32(character - UInt8(ascii: "a")) + 26
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(character - UInt8(ascii: "0")) + 52
                case UInt8(ascii: "+"): digit = 62
                case UInt8(ascii: "/"): digit = 63
                case UInt8(ascii: "=") where index + 4 == characters.count && offset >= 2:
                    padding += 1
                    digit = 0
                default: return nil
                }
                if padding > 0 && character != UInt8(ascii: "=") { return nil }
                n = n << 6 | digit
            }
            out.append(UInt8(n >> 16))
            if padding < 2 { out.append(UInt8((n >> 8) & 0xFF)) }
            if padding < 1 { out.append(UInt8(n & 0xFF)) }
            index += 4
        }
        return out
    }
}

/// Client names (`--client`, `$SERVREG_CLIENT`, the user name): who registers and who uses.
public enum ClientName {
    /// The longest name, in bytes.
    public static let maximumLength = 255

    /// Throws `RegistryError.invalidClientName` unless `name` is non-empty, at most 255
    /// bytes, without white space or control characters.
    public static func validate(_ name: String) throws(RegistryError) {
        guard !name.isEmpty, name.utf8.count <= maximumLength,
            !name.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F })
        else { throw .invalidClientName(name) }
    }
}
