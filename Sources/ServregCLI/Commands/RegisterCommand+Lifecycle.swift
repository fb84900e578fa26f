import Foundation
import ServiceRegistry

extension Servreg.Register {
    /// `register --requires … --hold -- COMMAND`: Blueprint's configure → start → destroy.
    /// Waits until the requirements are met, starts COMMAND with the chosen services in its
    /// environment and registers the service it holds; when a requirement is lost, stops
    /// COMMAND (SIGTERM, then SIGKILL after `--stop-timeout`), lets the service go and waits
    /// again (`--once`: exits). SIGINT, SIGTERM and SIGHUP stop COMMAND and end it all.
    func runSupervised(_ request: RegistrationRequest, in context: CommandContext) throws -> ExitStatus {
        if context.isInGroup { throw context.endGroup() }
        if context.isInAtomicBatch { throw CommandLineError.waitsInAtomicBatch("register --hold") }
        try Registry.check(request)
        var stopAfter: Int64 = 10_000
        if let stopTimeout {
            do { stopAfter = try LeaseDuration.parse(stopTimeout) } catch {
                throw CommandLineError.inOption("--stop-timeout", error)
            }
        }
        let requirements = try requires.map { text throws(RegistryError) in try Requirement.parse(text) }
        let executable: String
        do {
            executable = try HeldCommand.resolve(command[0], path: context.environment["PATH"])
        } catch {
            context.reportError(error.message)
            return Self.ending(error.status, in: context, ran: false)
        }
        let registry = try context.registry(global, access: .write)
        let signal = try registry.store.changeSignal()
        StopSignals.install()
        defer { StopSignals.restore() }
        let forwarder = WakeForwarder(interrupt: StopSignals.descriptor, output: nil, waker: signal.waker)
        defer { withExtendedLifetime(forwarder) {} }
        let provisional = ServiceRecord(
            id: 0, specifications: request.specifications, ranking: 0, scope: .singleton,
            properties: ServiceProperties(), name: request.name, requirements: requirements)
        let program = command[0]
        // A name held now would be refused only once the requirements are met: say it now.
        if let name = request.name, request.existing == .fail,
            let holder = try? registry.service(.name(name))
        {
            throw RegistryError.nameTaken(name, by: holder.id)
        }
        while true {
            // Configure: wait until every requirement has a match.
            var chosen: [ServiceRecord] = []
            var said = false
            while true {
                if let stop = StopSignals.requested {
                    transition(context, "signal \(stop): stopped waiting")
                    return Self.ending(128 + stop, in: context, ran: false)
                }
                _ = try registry.removeGoneServices()
                let status = try registry.requirementStatus(of: provisional)
                let missing = status.filter(\.providers.isEmpty).map(\.requirement.text)
                if missing.isEmpty {
                    chosen = status.compactMap(\.providers.first)
                    break
                }
                if !said {
                    transition(context, "waiting for \(missing.joined(separator: ", "))")
                    said = true
                }
                _ = try signal.wait(timeout: try waitTimeout(registry))
            }
            // Start: the child waits at its gate while the service is registered as its.
            var environment = context.environment
            environment["SERVREG_REQUIRE_COUNT"] = String(chosen.count)
            for (offset, provider) in chosen.enumerated() {
                environment["SERVREG_REQUIRE_\(offset + 1)_ID"] = String(provider.id)
                environment["SERVREG_REQUIRE_\(offset + 1)_JSON"] = ServiceFormatter.json(provider)
                environment["SERVREG_REQUIRE_\(offset + 1)_SPEC"] = requirements[offset].text
            }
            let child: HeldCommand
            do {
                child = try HeldCommand(
                    executable: executable, arguments: command, environment: environment, forwardSignals: false,
                    ownGroup: true)
            } catch {
                context.reportError(error.message)
                return Self.ending(error.status, in: context, ran: false)
            }
            let record = try Self.register(request, ownedBy: child, in: registry)
            guard record.satisfied else {
                // Lost between the look and the registration: back to waiting.
                child.abandon()
                Self.release(record, reason: .unregistered, in: registry, context: context)
                continue
            }
            context.lastRegisteredID = record.id
            if let code = child.start() {
                return Self.failedToStart(
                    child, program: program, code: code, record: record, in: registry, context: context)
            }
            let injected = chosen.enumerated().map { "SERVREG_REQUIRE_\($0.offset + 1)_ID=\($0.element.id)" }
                .joined(separator: " ")
            let label = request.name.map { " @\($0)" } ?? ""
            transition(
                context, "started \(program) (pid \(child.pid)) as service \(record.id)\(label); \(injected)")
            // Run: until COMMAND ends, a stop is asked for, or a requirement is lost.
            var lease = HeldLease(record, in: registry)
            var outage = false
            while true {
                if let status = child.poll() {
                    Self.release(record, reason: .ownerExited, in: registry, context: context)
                    transition(context, "\(program) \(Self.ended(status))")
                    return Self.ending(status, in: context)
                }
                if let stop = StopSignals.requested {
                    transition(context, "signal \(stop): stopping \(program) (pid \(child.pid))")
                    let status = child.stop(timeout: stopAfter)
                    Self.release(record, reason: .unregistered, in: registry, context: context)
                    transition(context, "\(program) \(Self.ended(status))")
                    return Self.ending(status, in: context)
                }
                let current: ServiceRecord?
                do {
                    _ = try registry.removeGoneServices()
                    do {
                        current = try registry.service(id: record.id)
                    } catch RegistryError.noSuchService {
                        current = nil
                    }
                    if let current, current.satisfied {
                        if lease?.renewIfDue(program: program, pid: child.pid, in: registry, context: context) == false
                        {
                            lease = nil
                        }
                        var timeout = try waitTimeout(registry)
                        if let lease { timeout = min(timeout, Double(lease.millisecondsLeft()) / 1000) }
                        _ = try signal.wait(timeout: timeout)
                        if outage {
                            outage = false
                            transition(context, "the store answers again")
                        }
                        continue
                    }
                } catch let error as StoreError {
                    // The store cannot be reached (or is busy): COMMAND runs on, and its lease
                    // (if any) is renewed as soon as the store answers again.
                    if !outage {
                        outage = true
                        transition(
                            context,
                            "\(ErrorReport.describe(error).message); \(program) runs on, looking again every 1s")
                    }
                    Self.waitForSignal(milliseconds: 1000)
                    continue
                }
                // Gone because COMMAND ended (its owner): that is COMMAND's ending, not a loss.
                if let status = child.poll() {
                    Self.release(record, reason: .ownerExited, in: registry, context: context)
                    transition(context, "\(program) \(Self.ended(status))")
                    return Self.ending(status, in: context)
                }
                let lost =
                    current.map { record in
                        (try? registry.requirementStatus(of: record))?.filter(\.providers.isEmpty).map(
                            \.requirement.text) ?? []
                    } ?? []
                let why =
                    current == nil
                    ? "service \(record.id) was unregistered" : "lost \(lost.joined(separator: ", "))"
                transition(context, "\(why): stopping \(program) (pid \(child.pid))")
                let status = child.stop(timeout: stopAfter)
                Self.release(record, reason: .unregistered, in: registry, context: context)
                transition(context, "\(program) \(Self.ended(status))")
                if current == nil || once { return .conditionFailed }
                break
            }
        }
    }

    /// Lets the held service go; when the store cannot, says so, and COMMAND's status
    /// stands (the service goes when its lease ends or its owner is seen gone).
    static func release(
        _ record: ServiceRecord, reason: RemovalReason, in registry: Registry, context: CommandContext
    ) {
        do {
            try registry.release(record, reason: reason)
        } catch {
            context.note(
                "\(ErrorReport.describe(error).message); service \(record.id) goes when its lease ends or its owner is seen gone"
            )
        }
    }

    /// Sleeps until a stop signal or SIGCHLD comes, or `milliseconds` have passed.
    static func waitForSignal(milliseconds: Int32) {
        var entry = pollfd(fd: StopSignals.descriptor ?? -1, events: Int16(POLLIN), revents: 0)
        _ = poll(&entry, 1, milliseconds)
        StopSignals.drain()
    }

    /// How a status reads: `exited with status 3`, `exited with status 143 (signal 15)`.
    static func ended(_ status: Int32) -> String {
        status > 128 && status < 160
            ? "exited with status \(status) (signal \(status - 128))" : "exited with status \(status)"
    }

    /// How long to wait for a change: until the next lease end or owner check, at most 1 s.
    private func waitTimeout(_ registry: Registry) throws -> Double {
        guard let next = try registry.nextLivenessCheck() else { return 1 }
        return min(1, max(0.001, Double(next - registry.liveness.now()) / 1000))
    }

    /// A transition, on stderr with the local time of day.
    private func transition(_ context: CommandContext, _ message: String) {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        localtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let milliseconds = now.tv_nsec / 1_000_000
        let fraction =
            milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
        context.note("\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(fraction) \(message)")
    }
}
