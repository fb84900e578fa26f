import Foundation
import ServiceRegistry

/// Runs a store's hooks as processes (`CommandRunner`), once the store is trusted (the rule
/// of factories: `FactoryMaker.distrust`). A hook's standard error is kept: a failing hook's
/// first line is its message; what a hook that passes writes there is passed on, each line
/// as `servreg: hook NAME: …`.
final class HookProcess: HookRunner {
    let location: StoreLocation
    /// Where notes and warnings go (its standard error, as it is when they are written).
    unowned let context: CommandContext
    private var trusted = false

    init(location: StoreLocation, context: CommandContext) {
        self.location = location
        self.context = context
    }

    private var environment: [String: String] { context.environment }

    func checkTrusted() throws {
        if trusted { return }
        try FactoryMaker(environment: environment, location: location).checkTrusted()
        trusted = true
    }

    func run(_ hook: Hook, input: [UInt8]) throws -> [UInt8] {
        let (outcome, errors) = try execute(hook, input: input)
        if let failure = Self.failure(outcome, hook: hook, errors: errors) { throw failure }
        passOn(errors, of: hook)
        return outcome.output
    }

    func runAfter(_ hook: Hook, change: ServiceChange) {
        var input: [UInt8] = []
        EventFormatter.json(ListenerEvent(kind: Self.kind(of: change), change: change), to: &input)
        input.append(UInt8(ascii: "\n"))
        do {
            let (outcome, errors) = try execute(hook, input: input)
            if let failure = Self.failure(outcome, hook: hook, errors: errors) {
                context.warn(ErrorReport.afterHookWarning(failure, change: change))
            } else {
                passOn(errors, of: hook)
            }
        } catch let failure as HookFailure {
            context.warn(ErrorReport.afterHookWarning(failure, change: change))
        } catch {
            context.warn("after-hook \(hook.name): " + ErrorReport.describe(error).message + "; the change stands")
        }
    }

    private static func kind(of change: ServiceChange) -> ServiceEventKind {
        switch change.kind {
        case .registered: .registered
        case .modified: .modified
        case .unregistered: .unregistering
        }
    }

    /// Runs the hook's command with `input`; returns how it ended and its standard error.
    private func execute(_ hook: Hook, input: [UInt8]) throws -> (CommandRunner.Outcome, [UInt8]) {
        try checkTrusted()
        var environment = self.environment
        environment["SERVREG_HOOK"] = hook.name
        environment["SERVREG_PHASE"] = hook.phase.rawValue
        environment["SERVREG_OPERATION"] = hook.operation.rawValue
        environment["SERVREG_STORE"] = location.description
        // Its standard error goes to an unnamed temporary file (no pipe to keep drained).
        guard let file = tmpfile() else {
            throw HookFailure(hook: hook.name, kind: .cannotRun(hook.command[0], String(cString: strerror(errno))))
        }
        defer { fclose(file) }
        let descriptor = fileno(file)
        let outcome: CommandRunner.Outcome
        do {
            outcome = try CommandRunner.run(
                hook.command, environment: environment, input: input, timeout: hook.timeout, collectOutput: true,
                errors: descriptor)
        } catch {
            switch error {
            case .notFound: throw HookFailure(hook: hook.name, kind: .notFound(hook.command[0]))
            case .cannotRun(let reason): throw HookFailure(hook: hook.name, kind: .cannotRun(hook.command[0], reason))
            default: throw HookFailure(hook: hook.name, kind: .cannotRun(hook.command[0], "cannot be run"))
            }
        }
        // Most hooks write nothing there: then nothing is read.
        let written = min(Int(max(lseek(descriptor, 0, SEEK_END), 0)), Self.errorsKept)
        var errors = [UInt8](repeating: 0, count: written)
        var kept = 0
        while kept < written {
            let count = errors[kept...].withUnsafeMutableBytes { bytes in
                pread(descriptor, bytes.baseAddress, bytes.count, off_t(kept))
            }
            guard count > 0 else { break }
            kept += count
        }
        return (outcome, Array(errors.prefix(kept)))
    }

    /// How much of a hook's standard error is read.
    static let errorsKept = 65_536

    private static func failure(_ outcome: CommandRunner.Outcome, hook: Hook, errors: [UInt8]) -> HookFailure? {
        if outcome.overflowed {
            return HookFailure(hook: hook.name, kind: .invalidOutput(.valueTooLarge(outcome.output.count)))
        }
        switch outcome.ending {
        case .exited(0): return nil
        case .exited(let status):
            let first = errors.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).first
            let message = first.map { String(decoding: $0, as: UTF8.self) }?.trimmingCharacters(in: .whitespaces)
            return HookFailure(hook: hook.name, kind: .exited(status, message: message))
        case .signaled(let signal): return HookFailure(hook: hook.name, kind: .signaled(signal))
        case .timedOut: return HookFailure(hook: hook.name, kind: .timedOut(hook.timeout))
        case .interrupted: return HookFailure(hook: hook.name, kind: .interrupted)
        }
    }

    /// What a hook that passed wrote on its standard error, line by line.
    private func passOn(_ errors: [UInt8], of hook: Hook) {
        for line in errors.split(separator: UInt8(ascii: "\n")) {
            context.note("hook \(hook.name): " + String(decoding: line, as: UTF8.self))
        }
    }
}
