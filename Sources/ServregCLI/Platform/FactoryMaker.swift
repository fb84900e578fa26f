import Foundation
import ServiceRegistry

/// Runs a store's factories and release commands as processes (`CommandRunner`), once the
/// store is trusted: the file and its directory belong to the user and only the user may
/// write them (root: root's own stores only).
struct FactoryMaker: ValueMaker {
    let environment: [String: String]
    let location: StoreLocation

    func checkTrusted() throws {
        switch location {
        case .file(let path, _):
            if let reason = Self.distrust(path) {
                throw CommandLineError.untrustedStore(path, reason: reason)
            }
        case .etcd(let address):
            // Anyone who may write the prefix may put code there: no file ownership tells.
            if !Self.trusts(address, environment[Self.trustVariable] ?? "") {
                throw CommandLineError.untrustedEtcdStore(address.description)
            }
        }
    }

    /// The setting that names the etcd registries whose factories and hooks may run.
    static let trustVariable = "SERVREG_TRUSTED_STORES"

    /// Whether `list` (white-space separated `etcd://` and `etcds://` locations) names
    /// `address`: the same prefix and the same members, in any order, over TLS if it says
    /// `etcds://` (a registry trusted over TLS is not trusted over plain HTTP).
    static func trusts(_ address: EtcdAddress, _ list: String) -> Bool {
        list.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).contains { item in
            let secure = item.hasPrefix("etcds://")
            guard secure || item.hasPrefix("etcd://"),
                let listed = try? EtcdAddress.parse(String(item), rest: item.dropFirst(secure ? 8 : 7))
            else { return false }
            return listed.prefix == address.prefix && secure == (address.tls != nil)
                && Set(listed.endpoints.map(\.description)) == Set(address.endpoints.map(\.description))
        }
    }

    /// Why code from the store file at `path` may not run, or nil when it may.
    static func distrust(_ path: String) -> String? {
        let user = geteuid()
        let directory = (path as NSString).deletingLastPathComponent
        for (what, target) in [("the store", path), ("its directory", directory.isEmpty ? "." : directory)] {
            var info = stat()
            guard lstat(target, &info) == 0 else {
                return "\(what) cannot be examined: \(String(cString: strerror(errno)))"
            }
            if (info.st_mode & S_IFMT) == S_IFLNK, what == "the store" { return "the store is a symbolic link" }
            if info.st_uid != user { return "\(what) belongs to uid \(info.st_uid), not to this user (uid \(user))" }
            if info.st_mode & S_IWGRP != 0 { return "\(what) is writable by its group" }
            if info.st_mode & S_IWOTH != 0 { return "\(what) is writable by others" }
        }
        return nil
    }

    var isInterrupted: Bool { InterruptFlag.take() }

    private func environment(service: ServiceID, specification: String, client: String) -> [String: String] {
        var environment = self.environment
        environment["SERVREG_ID"] = String(service)
        environment["SERVREG_SPEC"] = specification
        environment["SERVREG_CLIENT"] = client
        environment["SERVREG_STORE"] = location.description
        return environment
    }

    func make(_ factory: ServiceFactory, of service: ServiceRecord, specification: String, client: String) throws
        -> [UInt8]
    {
        let input = Array((JSONWriter.service(service) + "\n").utf8)
        let outcome: CommandRunner.Outcome
        do {
            outcome = try CommandRunner.run(
                factory.command,
                environment: environment(service: service.id, specification: specification, client: client),
                input: input, timeout: factory.timeout, collectOutput: true)
        } catch {
            throw FactoryError(error, command: factory.command[0], service: service.id)
        }
        if outcome.overflowed { throw FactoryError(.tooLarge, command: factory.command[0], service: service.id) }
        if let kind = Self.failure(outcome.ending, timeout: factory.timeout) {
            throw FactoryError(kind, command: factory.command[0], service: service.id)
        }
        if outcome.output.isEmpty { throw FactoryError(.noOutput, command: factory.command[0], service: service.id) }
        return outcome.output
    }

    func release(_ pending: PendingRelease) throws {
        let outcome: CommandRunner.Outcome
        do {
            outcome = try CommandRunner.run(
                pending.command,
                environment: environment(
                    service: pending.service, specification: pending.specification, client: pending.client),
                input: pending.value, timeout: ServiceFactory.defaultTimeout, collectOutput: false)
        } catch {
            throw FactoryError(error, command: pending.command[0], service: pending.service, isRelease: true)
        }
        if let kind = Self.failure(outcome.ending, timeout: ServiceFactory.defaultTimeout) {
            throw FactoryError(kind, command: pending.command[0], service: pending.service, isRelease: true)
        }
    }

    private static func failure(_ ending: CommandRunner.Ending, timeout: Int64) -> FactoryError.Kind? {
        switch ending {
        case .exited(0): nil
        case .exited(let status): .exited(status)
        case .signaled(let signal): .signaled(signal)
        case .timedOut: .timedOut(timeout)
        case .interrupted: .interrupted
        }
    }
}
