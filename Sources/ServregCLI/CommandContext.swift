import Foundation
import RegistrySQLite
import ServiceRegistry

/// What a command runs against: the registry (one store connection per process or
/// session, opened on first use) and the output streams.
final class CommandContext {
    let output: TextOutput
    let errors: TextOutput
    let environment: [String: String]
    private var opened: (path: String, access: StoreAccess, registry: Registry)?

    init(
        output: TextOutput = .standardOutput, errors: TextOutput = .standardError,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.output = output
        self.errors = errors
        self.environment = environment
    }

    /// The registry at the store the options name, opened for reading or writing.
    func registry(_ options: GlobalOptions, access: StoreAccess) throws -> Registry {
        let path = StoreLocation.resolve(option: options.store, environment: environment)
        if let opened, opened.path == path, opened.access == .write || access == .read {
            return opened.registry
        }
        let timeout = environment["SERVREG_BUSY_TIMEOUT"].flatMap(Double.init) ?? 5
        let registry = Registry(
            store: try SQLiteStore(path: path, access: access == .write ? .write : .read, busyTimeout: timeout))
        opened = (path, access, registry)
        return registry
    }

    /// Whether human output may use colour: a terminal and no `NO_COLOR`.
    var usesColor: Bool {
        output.isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    /// Prints a diagnostic line `servreg: error: …` on stderr.
    func reportError(_ message: String) {
        errors.write("servreg: error: \(message)\n")
        errors.flush()
    }

    /// Prints a note on stderr (`servreg: …`).
    func note(_ message: String) {
        errors.write("servreg: \(message)\n")
        errors.flush()
    }
}
