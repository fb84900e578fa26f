import Foundation
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

    /// The location that `--store` (nil when not given) and the environment name.
    static func resolve(option: String?, environment: [String: String]) throws -> StoreLocation {
        if let option {
            // GlobalOptions refuses an empty --store; a session's default cannot be empty either.
            guard !option.isEmpty else { throw CommandLineError.unsupportedStore(option) }
            return try parse(option)
        }
        if let text = environment["SERVREG_STORE"], !text.isEmpty { return try parse(text) }
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") {
            return .file(data + "/servreg/registry.db", isDefault: true)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return .file(home + "/.local/share/servreg/registry.db", isDefault: true)
    }

    private static func parse(_ text: String) throws -> StoreLocation {
        // A URL-like location names another kind of store (etcd://… comes with issue 13).
        // (A byte scan first: this runs for every line of a batch file.)
        if text.utf8.contains(UInt8(ascii: ":")), let scheme = text.range(of: "://"),
            !text[..<scheme.lowerBound].contains("/")
        {
            throw CommandLineError.unsupportedStore(text)
        }
        return .file(text)
    }

    var description: String {
        switch self {
        case .file(let path, _): path
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
            return settings
        }
        /// Commits need to be durable only when the session closes the store (batch files;
        /// each commit still survives a crash of any process at once).
        var durableAtClose = false
        /// A connection kept for a whole session: caches what it reads.
        var longLived = false
    }

    /// Opens the store; `missing` when there is nothing there yet (it reads as empty).
    func open(_ access: Access, settings: Settings) throws -> (store: any RegistryStore, missing: Bool) {
        switch self {
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
