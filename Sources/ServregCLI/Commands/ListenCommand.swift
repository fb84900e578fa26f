import ArgumentParser
import Foundation
import ServiceRegistry

extension Servreg {
    /// `servreg listen`: the store's changes as they are committed, by any process.
    struct Listen: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "listen",
            _superCommandName: "servreg",
            abstract: "Print service events as other processes commit them, until Ctrl-C.",
            discussion: """
                Events, relative to the specification and filter: REGISTERED (a new service
                matches), MODIFIED (matches after a change), MODIFIED_ENDMATCH (matched before
                a change, not after), UNREGISTERING (a matching service was removed). Every
                committed change is delivered once, in commit order; each event carries the
                store-wide sequence number (seq) to resume from with --since.

                --since SEQ replays the logged events after SEQ, then goes on live; if the log
                no longer keeps them (see SERVREG_EVENT_RETENTION) listen exits 4: resync with
                --initial, which first prints the matching services as REGISTERED events
                marked initial, all with the seq of that snapshot, then goes on from exactly
                there.

                --exec runs a command per event instead of printing it (everything after
                --exec is the command): the event as JSON on its stdin, SERVREG_EVENT,
                SERVREG_ID and SERVREG_SEQ in its environment. A failing command is reported
                and the stream goes on, unless --exec-fail-stop (exit 2).

                Ends with 0 after --count events or --timeout, 130 on Ctrl-C, 74 if the store
                is deleted, replaced or becomes unreadable, 141 when the reader of its output
                goes away (| head).

                Example: servreg listen acme.IPlumber --filter '(price<=100)' --json | jq .
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("Only events of services with this specification.", valueName: "spec"),
            completion: Completer.fromStore)
        var specification: String?

        @Option(
            name: .long, parsing: .unconditional,
            help: ArgumentHelp("Only events about services this LDAP filter matches (see above).", valueName: "filter"),
            completion: Completer.fromStore)
        var filter: String?

        @Option(name: .long, help: ArgumentHelp("Replay the events after this seq first.", valueName: "seq"))
        var since: Int64?

        @Flag(name: .long, help: "Print the matching services first, then the events after them.")
        var initial = false

        @Option(name: .long, help: ArgumentHelp("Stop after n events.", valueName: "n"))
        var count: Int?

        @Option(
            name: .long,
            help: ArgumentHelp(
                "Stop after this long: 30s, 500ms, 5m, 1h (plain number: seconds).", valueName: "duration"))
        var timeout: String?

        @Flag(name: .long, help: "With --exec: stop at the first command that fails (exit 2).")
        var execFailStop = false

        @Option(
            name: .long, parsing: .remaining,
            help: ArgumentHelp("Run this command per event (the rest of the line).", valueName: "command"))
        var exec: [String] = []

        func validate() throws {
            if since != nil && initial { throw ValidationError("--since and --initial cannot be combined") }
            if execFailStop && exec.isEmpty { throw ValidationError("--exec-fail-stop needs --exec") }
        }

        /// A duration in seconds: `1.5`, `500ms`, `30s`, `5m`, `1h`.
        static func seconds(_ text: String) -> Double? {
            for (suffix, scale) in [("ms", 0.001), ("s", 1.0), ("m", 60.0), ("h", 3600.0), ("", 1.0)]
            where text.hasSuffix(suffix) {
                guard let number = Double(text.dropLast(suffix.count)), number >= 0, number.isFinite else { return nil }
                return number * scale
            }
            return nil
        }

        /// Values of the wrong form are invalid input (65), as every bad value is.
        private func checkValues() throws {
            func invalid(_ message: String) -> CommandLineError { .invalidOptionValue(message, command: "listen") }
            if let since, since < 0 { throw invalid("--since must be 0 or more, not \(since)") }
            if let count, count < 1 { throw invalid("--count must be at least 1, not \(count)") }
            if let timeout, Self.seconds(timeout) == nil {
                throw invalid("--timeout \(Quoting.quoted(timeout)) is not a duration (e.g. 30s, 500ms, 5m, 1h)")
            }
        }

        func execute(in context: CommandContext) throws -> ExitStatus {
            try checkValues()
            if context.isInGroup { throw context.endGroup() }
            if context.isInAtomicBatch {
                // It would wait for others' changes inside a transaction that keeps them out.
                throw CommandLineError.listenInAtomicBatch
            }
            let query = try QueryOptions.query(specification: specification, filter: filter)
            let interest = ListenerInterest(specification: specification, filter: query.filter)
            let deadline = timeout.flatMap(Self.seconds).map { Date().timeIntervalSince1970 + $0 }
            InterruptFlag.install()
            _ = InterruptFlag.take()
            // A store not created yet is waited for: listening first and registering later works.
            let registry = try context.registry(global, access: .listen)
            // Watching starts before the first read: nothing committed in between is missed.
            let signal = try registry.store.changeSignal()
            var stream = EventStream(command: self, context: context)
            let start: Int64
            if initial {
                var ended: ExitStatus?
                let now = Date().timeIntervalSince1970
                start = try registry.snapshot(query) {
                    sequence, record in
                    let change = ServiceChange(
                        sequence: sequence, kind: .registered, serviceID: record.id,
                        specifications: record.specifications, oldProperties: nil,
                        newProperties: LoggedProperties(record), time: now, reason: nil)
                    ended = stream.send(ListenerEvent(kind: .registered, change: change), initial: true)
                    return ended == nil
                }
                if let ended { return ended }
            } else {
                start = try since ?? registry.latestSequence()
            }
            var feed = EventFeed(registry: registry, interest: interest, after: start)
            if context.output.isTerminal, isatty(STDERR_FILENO) == 1 {
                let location = try context.location(global)
                context.note("listening for changes to \(location) after event \(start); Ctrl-C stops")
            }
            // A pipe whose reader has gone polls as an error: listen then ends at once.
            var info = stat()
            let outputIsPipe = fstat(STDOUT_FILENO, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO
            let forwarder = WakeForwarder(
                interrupt: InterruptFlag.descriptor,
                output: outputIsPipe && context.output === TextOutput.standardOutput ? STDOUT_FILENO : nil,
                waker: signal.waker)
            var sweeper = Sweeper(context: context, global: global)
            while true {
                if InterruptFlag.take() { return .interrupted }
                // What is there already is read before a deadline counts (--timeout 0 replays).
                let (events, more) = try feed.next()
                for event in events {
                    if let status = stream.send(event, initial: false) { return status }
                    if InterruptFlag.take() { return .interrupted }
                }
                if more {
                    if let deadline, Date().timeIntervalSince1970 >= deadline { return .success }
                    continue
                }
                var remaining = 3600.0
                if let deadline {
                    remaining = deadline - Date().timeIntervalSince1970
                    if remaining <= 0 { return .success }
                }
                // Services whose lease ends or whose owner exits are removed by a listener
                // too (reason expired / owner-exited), at the instant a lease ends and every
                // second while services have owners, so that it sees them go even when
                // nothing else writes.
                if let next = try registry.nextLivenessCheck(ownersCheckedAt: sweeper.checkedAt) {
                    let now = registry.liveness.now()
                    if next <= now {
                        sweeper.checkedAt = now
                        if try sweeper.remove() > 0 { continue }
                        // Busy: again soon; refused (not writable): left to writers.
                        remaining = min(remaining, sweeper.refused ? 1.0 : 0.05)
                    } else {
                        remaining = min(remaining, Double(next - now) / 1000)
                    }
                }
                // Caught up: what was read is out before waiting (a replay writes in blocks).
                context.output.flush()
                if context.outputFailed { return .outputClosed }  // the status says why
                switch try signal.wait(timeout: remaining) {
                case .changed, .timedOut:
                    continue
                case .woken:
                    switch forwarder.takeCause() {
                    case .interrupt: return .interrupted
                    case .outputClosed: return .outputClosed  // the reader of stdout has gone
                    case .none: continue
                    }
                case .storeGone(let reason):
                    throw StoreError(
                        .gone, location: "\(try context.location(global))", detail: "\(reason); listen stopped")
                }
            }
        }
    }
}

/// Removes the services that are gone for a listener, through a writing connection of its
/// own, opened when first needed. A store this user may not write is left to its writers
/// (said once).
private struct Sweeper {
    let context: CommandContext
    let global: GlobalOptions
    var writer: Registry?
    var refused = false
    /// When it last looked (owners are looked at every `Registry.ownerCheckInterval`).
    var checkedAt: Int64?

    init(context: CommandContext, global: GlobalOptions) {
        self.context = context
        self.global = global
    }

    mutating func remove() throws -> Int {
        guard !refused else { return 0 }
        do {
            let registry = try writer ?? context.separateWriter(global)
            writer = registry
            return try registry.removeGoneServices()
        } catch let error as StoreError where error.kind == .busy {
            return 0
        } catch let error as StoreError where error.kind == .permissionDenied || error.kind == .cannotOpen {
            refused = true
            context.note("cannot remove expired services (\(ErrorReport.describe(error).message)); their writers will")
            return 0
        }
    }
}

/// Where `listen` sends events: stdout (JSON, ids or lines) or the --exec command; counts
/// them against --count.
private struct EventStream {
    let context: CommandContext
    let mode: OutputMode
    let formatter: EventFormatter
    let handler: EventHandler?
    let failStop: Bool
    let limit: Int?
    var delivered = 0
    private var buffer: [UInt8] = []

    init(command: Servreg.Listen, context: CommandContext) {
        self.context = context
        mode = command.global.outputMode
        formatter = EventFormatter(
            values: ServiceFormatter(color: false))
        handler = command.exec.isEmpty ? nil : EventHandler(command: command.exec, environment: context.environment)
        failStop = command.execFailStop
        limit = command.count
    }

    /// Sends one event on; a status when listen must end (--count reached, a failed
    /// handler with --exec-fail-stop). `initial`: a service of the --initial snapshot.
    mutating func send(_ event: ListenerEvent, initial: Bool) -> ExitStatus? {
        if let handler {
            context.output.flush()
            if case .failed(let message) = handler.run(event, json: EventFormatter.json(event, initial: initial)) {
                let change = event.change
                context.reportError(
                    "--exec: event \(change.sequence) (\(event.kind.rawValue) of \(change.serviceID)): \(message)")
                if failStop { return .conditionFailed }
            }
        } else {
            switch mode {
            case .json:
                buffer.removeAll(keepingCapacity: true)
                EventFormatter.json(event, initial: initial, to: &buffer)
                buffer.append(0x0A)
                context.output.write(bytes: buffer)
            case .ids: context.output.write("\(event.change.serviceID)\n")
            case .human: context.output.write(formatter.line(event) + (initial ? "  (initial)\n" : "\n"))
            }
        }
        if context.outputFailed { return .outputClosed }
        delivered += 1
        if let limit, delivered >= limit { return .success }
        return nil
    }
}
