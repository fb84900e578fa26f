import Foundation
import RegistryEtcd
import RegistrySQLite
import ServiceRegistry

/// Where a registry is kept, and the one place the command line turns that into a store:
/// `--store`, else `$SERVREG_STORE`, else the XDG data directory. Commands, `listen`, the
/// batch runner and completion all open their store here; nothing else in the CLI names a
/// store type or looks at the file system on a store's behalf.
enum StoreLocation: Equatable, CustomStringConvertible {
    /// An SQLite file; `isDefault` for the XDG location, whose directories servreg may
    /// create (a mistyped `--store` must not make a tree of directories).
    case file(String, isDefault: Bool = false)
    /// A registry under a key prefix of an etcd cluster: `etcd://HOST:PORT[,HOST:PORT…][/PREFIX]`.
    case etcd(EtcdAddress)

    /// The location that `--store` (nil when not given) and the environment name, with the
    /// TLS files the command line names (`--cacert`, `--cert`, `--key`) over the
    /// environment's (`SERVREG_ETCD_CACERT`, `SERVREG_ETCD_CERT`, `SERVREG_ETCD_KEY`, which
    /// serve a TLS store only).
    static func resolve(option: String?, environment: [String: String], tls: TLSFiles = TLSFiles()) throws
        -> StoreLocation
    {
        let location: StoreLocation
        if let option {
            // GlobalOptions refuses an empty --store; a session's default cannot be empty either.
            guard !option.isEmpty else { throw CommandLineError.unsupportedStore(option) }
            location = try parse(option)
        } else if let text = environment["SERVREG_STORE"], !text.isEmpty {
            location = try parse(text)
        } else if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            location = .file(data + "/servreg/registry.db", isDefault: true)
        } else {
            let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
            location = .file(home + "/.local/share/servreg/registry.db", isDefault: true)
        }
        switch location {
        case .file(let path, _):
            // The environment's files serve etcd stores only; options given for a file are a mistake.
            if !tls.given.isEmpty {
                throw CommandLineError.tlsOptionsWithoutEtcd(options: tls.given.joined(separator: ", "), store: path)
            }
            return location
        case .etcd(var address):
            // etcds://, or a TLS file named by an option (also with etcd://), means TLS; the
            // settings name the files of a TLS store, and make no etcd:// store TLS.
            guard address.tls != nil || !tls.given.isEmpty else { return location }
            func setting(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
            var files = EtcdStore.Configuration.TLS()
            if let ca = tls.caFile {
                files.caFile = ca
            } else if let ca = setting("SERVREG_ETCD_CACERT") {
                (files.caFile, files.caName) = (ca, "SERVREG_ETCD_CACERT")
            }
            // A certificate and its key come together, from the options or from the settings.
            if tls.certificateFile != nil || tls.keyFile != nil {
                (files.certificateFile, files.keyFile) = (tls.certificateFile, tls.keyFile)
            } else if setting("SERVREG_ETCD_CERT") != nil || setting("SERVREG_ETCD_KEY") != nil {
                (files.certificateFile, files.keyFile) = (setting("SERVREG_ETCD_CERT"), setting("SERVREG_ETCD_KEY"))
                (files.certificateName, files.keyName) = ("SERVREG_ETCD_CERT", "SERVREG_ETCD_KEY")
            }
            if files.keyFile != nil, files.certificateFile == nil { throw CommandLineError.keyWithoutCertificate }
            address.tls = files
            return .etcd(address)
        }
    }

    /// The TLS files of an etcd store, as options name them (nil: not given).
    struct TLSFiles: Equatable {
        var caFile: String?
        var certificateFile: String?
        var keyFile: String?

        /// These files over `other`'s: the CA file where this names none, the certificate
        /// and its key together where this names neither.
        func over(_ other: TLSFiles) -> TLSFiles {
            let pair =
                certificateFile != nil || keyFile != nil
                ? (certificateFile, keyFile) : (other.certificateFile, other.keyFile)
            return TLSFiles(caFile: caFile ?? other.caFile, certificateFile: pair.0, keyFile: pair.1)
        }

        /// These files (of a line, or of a `run` in a session) with the session's: those go
        /// with the session's store, not with another that `store` names.
        func within(session files: TLSFiles, store: String?, sessionStore: String?) -> TLSFiles {
            store == nil || store == sessionStore ? over(files) : self
        }

        /// The options that name a file.
        var given: [String] {
            [("--cacert", caFile), ("--cert", certificateFile), ("--key", keyFile)].compactMap {
                $0.1 == nil ? nil : $0.0
            }
        }
    }

    private static func parse(_ text: String) throws -> StoreLocation {
        // A URL-like location names another kind of store.
        // (A byte scan first: this runs for every line of a batch file.)
        if text.utf8.contains(UInt8(ascii: ":")), let scheme = text.range(of: "://"),
            !text[..<scheme.lowerBound].contains("/")
        {
            switch text[..<scheme.lowerBound] {
            case "etcd": return .etcd(try EtcdAddress.parse(text, rest: text[scheme.upperBound...]))
            case "etcds":
                var address = try EtcdAddress.parse(text, rest: text[scheme.upperBound...])
                address.tls = EtcdStore.Configuration.TLS()
                return .etcd(address)
            default: throw CommandLineError.unsupportedStore(text)
            }
        }
        return .file(text)
    }

    var description: String {
        switch self {
        case .file(let path, _): path
        case .etcd(let address): address.description
        }
    }

    /// How a command means to use its store.
    enum Access: Equatable {
        /// Reads only: a store that does not exist yet reads as empty and is not created.
        case read
        /// Writes: a store that does not exist yet is created.
        case write
        /// Reads, and waits for changes (`listen`): a store that does not exist yet is
        /// watched for until another process creates it, without a note.
        case listen
    }

    /// What a process asks of the store connection.
    struct Settings: Equatable {
        var busyTimeout = 5.0
        var eventRetention: Int64?

        /// The longest busy timeout: a day (SQLite counts it in milliseconds in an Int32).
        static let maximumBusyTimeout = 86_400.0

        /// These settings with what the environment says: `SERVREG_BUSY_TIMEOUT` (seconds),
        /// `SERVREG_EVENT_RETENTION` (events). A value servreg cannot use is an error, never
        /// quietly the default.
        func applying(environment: [String: String]) throws -> Settings {
            var settings = self
            // Set but empty reads as not set, as SERVREG_STORE does.
            if let text = environment["SERVREG_BUSY_TIMEOUT"], !text.isEmpty {
                guard let seconds = Double(text), seconds.isFinite, seconds >= 0, seconds <= Self.maximumBusyTimeout
                else {
                    throw CommandLineError.invalidEnvironment(
                        name: "SERVREG_BUSY_TIMEOUT", value: text, expected: "a number of seconds from 0 to 86400")
                }
                settings.busyTimeout = seconds
            }
            if let text = environment["SERVREG_EVENT_RETENTION"], !text.isEmpty {
                guard let retention = Int64(text), retention >= 1 else {
                    throw CommandLineError.invalidEnvironment(
                        name: "SERVREG_EVENT_RETENTION", value: text, expected: "a whole number of events, 1 or more")
                }
                settings.eventRetention = retention
            }
            if let text = environment["SERVREG_ETCD_MAX_TXN_OPS"], !text.isEmpty {
                guard let operations = Int(text), operations >= 8, operations <= 1_000_000 else {
                    throw CommandLineError.invalidEnvironment(
                        name: "SERVREG_ETCD_MAX_TXN_OPS", value: text, expected: "a whole number from 8 to 1000000")
                }
                settings.etcdMaximumTransactionOperations = operations
            }
            if let name = environment["SERVREG_ETCD_USER"], !name.isEmpty {
                settings.etcdUser = EtcdUser(name: name, password: environment["SERVREG_ETCD_PASSWORD"] ?? "")
            }
            if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") {
                settings.cacheDirectory = cache + "/servreg"
            } else if let home = environment["HOME"], home.hasPrefix("/") {
                settings.cacheDirectory = home + "/.cache/servreg"
            }
            return settings
        }
        /// Commits need to be durable only when the session closes the store (batch files;
        /// each commit still survives a crash of any process at once).
        var durableAtClose = false
        /// A connection kept for a whole session: caches what it reads.
        var longLived = false
        /// The cluster's `--max-txn-ops` (`SERVREG_ETCD_MAX_TXN_OPS`), if not etcd's default.
        var etcdMaximumTransactionOperations: Int?
        /// etcd's user and password (`SERVREG_ETCD_USER`, `SERVREG_ETCD_PASSWORD`).
        var etcdUser: EtcdUser?
        /// Where an etcd registry's snapshot is kept between processes
        /// (`$XDG_CACHE_HOME/servreg`, else `~/.cache/servreg`).
        var cacheDirectory: String?

        /// An etcd user.
        struct EtcdUser: Equatable {
            var name: String
            var password: String
        }
    }

    /// Opens the store; `missing` when there is nothing there yet (it reads as empty).
    func open(_ access: Access, settings: Settings) throws -> (store: any RegistryStore, missing: Bool) {
        switch self {
        case .etcd(let address):
            var configuration = EtcdStore.Configuration(
                endpoints: address.endpoints.map { ($0.host, $0.port) }, prefix: address.prefix)
            if let retention = settings.eventRetention { configuration.eventRetention = retention }
            configuration.user = settings.etcdUser.map { ($0.name, $0.password) }
            configuration.tls = address.tls
            if let operations = settings.etcdMaximumTransactionOperations {
                configuration.maximumTransactionOperations = operations
            }
            if let directory = settings.cacheDirectory {
                // One file per registry and etcd user: FNV-1a of both.
                var hash: UInt64 = 0xcbf2_9ce4_8422_2325
                for byte in (address.description + "\u{0}" + (settings.etcdUser?.name ?? "")).utf8 {
                    hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                }
                let digits = String(hash, radix: 16)
                configuration.snapshotFile =
                    directory + "/etcd-" + String(repeating: "0", count: 16 - digits.count) + digits + ".snapshot"
            }
            // An empty registry reads as empty; its first commit makes it.
            return (try EtcdStore(configuration), false)
        case .file(let path, let isDefault):
            var options = SQLiteStore.Options()
            options.busyTimeout = settings.busyTimeout
            if let retention = settings.eventRetention { options.eventRetention = retention }
            options.durability = settings.durableAtClose ? .atClose : .everyCommit
            options.longLived = settings.longLived
            options.createsDirectories = isDefault
            let store = try SQLiteStore(path: path, access: access == .write ? .write : .read, options: options)
            return (store, !store.exists)
        }
    }
}

/// Where an etcd registry is: its cluster's client endpoints and its key prefix.
struct EtcdAddress: Equatable, CustomStringConvertible {
    struct Endpoint: Equatable {
        var host: String
        var port: UInt16

        var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    var endpoints: [Endpoint]
    /// The registry's key prefix: `servreg` unless the address names one.
    var prefix: String
    /// TLS (`etcds://`, or TLS files named), with its files; nil: plain HTTP.
    var tls: EtcdStore.Configuration.TLS?

    static let defaultPrefix = "servreg"

    /// `etcd://` (or `etcds://`) + what follows it: `HOST:PORT[,HOST:PORT…][/PREFIX]`.
    static func parse(_ text: String, rest: Substring) throws -> EtcdAddress {
        func bad(_ problem: String) -> CommandLineError { .badStoreAddress(text, problem: problem) }
        let slash = rest.firstIndex(of: "/")
        let hosts = rest[..<(slash ?? rest.endIndex)]
        var prefix = slash.map { String(rest[rest.index(after: $0)...]) } ?? defaultPrefix
        if prefix.isEmpty { prefix = defaultPrefix }
        let parts = prefix.split(separator: "/", omittingEmptySubsequences: false)
        if parts.contains(where: \.isEmpty) { throw bad("the prefix has an empty part (// or a / at its end)") }
        // The registry's own keys are PREFIX/.d/… and PREFIX/.log/…: no prefix reaches into them.
        if let part = parts.first(where: { $0.hasPrefix(".") }) {
            throw bad("a part of the prefix starts with a dot ('\(part.prefix(40))'): servreg's own keys do")
        }
        if let bad = prefix.unicodeScalars.first(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            throw CommandLineError.badStoreAddress(
                text,
                problem: "the prefix holds the control character U+\(String(bad.value, radix: 16, uppercase: true))")
        }
        guard !hosts.isEmpty else { throw bad("no HOST:PORT") }
        var endpoints: [Endpoint] = []
        for item in hosts.split(separator: ",", omittingEmptySubsequences: false) {
            var host: Substring
            let portText: Substring
            if item.hasPrefix("[") {
                guard let close = item.firstIndex(of: "]"), item[item.index(after: close)...].hasPrefix(":") else {
                    throw bad("'\(item.prefix(40))' is not [IPv6]:PORT")
                }
                host = item[item.index(after: item.startIndex)..<close]
                portText = item[item.index(close, offsetBy: 2)...]
            } else {
                guard let colon = item.lastIndex(of: ":") else { throw bad("'\(item.prefix(40))' has no :PORT") }
                host = item[..<colon]
                portText = item[item.index(after: colon)...]
            }
            guard portText.allSatisfy(\.isASCII) && portText.allSatisfy(\.isNumber), !portText.hasPrefix("0"),
                let port = UInt16(portText), port > 0
            else { throw bad("'\(portText.prefix(40))' is not a port (1-65535)") }
            if !item.hasPrefix("["), host.contains(":") {
                throw bad("an IPv6 address goes in brackets: [\(host.prefix(40))]:PORT")
            }
            if host.isEmpty { throw bad("'\(item.prefix(40))' has no host") }
            if host.count > 253 || host.contains(where: { $0.isWhitespace || "@?#/[]".contains($0) }) {
                throw bad("'\(host.prefix(40))' is not a host name or address")
            }
            host = host[...]
            endpoints.append(Endpoint(host: String(host), port: port))
        }
        return EtcdAddress(endpoints: endpoints, prefix: prefix)
    }

    var description: String {
        (tls == nil ? "etcd://" : "etcds://") + endpoints.map(\.description).joined(separator: ",") + "/" + prefix
    }
}
