import Foundation
import ServiceRegistry
import ServregSyntax

/// Runs a batch file: one command per line, `#` comments, blank lines, a trailing `\`
/// continuing a line. Stops at the first failing line unless told to keep going.
struct BatchRunner {
    /// A logical line and the file line it starts on.
    struct Line: Equatable {
        let number: Int
        let text: String
    }

    let session: CommandSession
    /// The file's name in messages (`FILE:LINE: error: …`).
    let name: String
    var keepGoing = false
    var atomic = false
    var echo = false

    /// The text of a batch file, or the number of its first line that is not UTF-8 (such
    /// bytes are an error, not text silently replaced).
    static func text(of data: Data) -> Result<String, InvalidText> {
        if let text = String(validating: data, as: UTF8.self) { return .success(text) }
        var line = 1
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            if String(validating: data[start..<end], as: UTF8.self) == nil { break }
            line += 1
            start = end < data.endIndex ? data.index(after: end) : end
        }
        return .failure(InvalidText(line: line))
    }

    /// A batch file line that is not UTF-8.
    struct InvalidText: Error {
        let line: Int
    }

    /// Runs `data` as a batch file, or reports the line that is not text (a file that is
    /// not all text runs nothing).
    func run(_ data: Data) -> ExitStatus {
        switch Self.text(of: data) {
        case .success:
            return run(LineReader(data: data))
        case .failure(let invalid):
            session.context.diagnosticPrefix = "\(name):\(invalid.line): "
            return session.context.report(CommandLineError.notUTF8)
        }
    }

    /// The logical lines of a whole text (see `LineJoiner`).
    static func lines(of text: String) -> [Line] {
        let reader = LineReader(data: Data(text.utf8))
        var lines: [Line] = []
        while case .line(let line) = reader.next() { lines.append(line) }
        return lines
    }

    /// Runs the lines of `reader`; returns the exit status of the batch.
    func run(_ reader: LineReader) -> ExitStatus {
        let context = session.context
        if echo {
            // What runs: the words after expansion, comments gone (as sh -x shows them).
            session.trace = { words in
                context.output.flush()
                context.errors.write("+ " + words.map(CommandSession.shown).joined(separator: " ") + "\n")
                context.errors.flush()
            }
        }
        defer { session.trace = nil }
        if !atomic {
            // Lines commit in groups; the disk is synced when the store is closed.
            context.storeSettings.durableAtClose = true
            let status = runGrouped(reader)
            do {
                try context.closeStore()
            } catch {
                context.diagnosticPrefix = "servreg: "
                return context.report(error)
            }
            context.storeSettings.durableAtClose = false
            return status
        }
        var lines: [Line] = []
        loop: while true {
            switch reader.next() {
            case .line(let line): lines.append(line)
            case .end, .notYet: break loop
            case .notText(let number):
                context.diagnosticPrefix = "\(name):\(number): "
                return context.report(CommandLineError.notUTF8)
            }
        }
        // All lines in one transaction: output is held back until it commits.
        struct Abort: Error { let status: ExitStatus }
        let realOutput = context.output
        let held = TextOutput(capturing: ())
        context.output = held
        defer { context.output = realOutput }
        let start = session.state
        do {
            try context.inAtomicBatch(.allOrNothing) {
                // The body may be re-run whole: nothing of an earlier run is shown, and the
                // variables are as they were before it.
                _ = held.takeCaptured()
                session.state = start
                let status = runLines(lines)
                if status != .success { throw Abort(status: status) }
            }
        } catch let abort as Abort {
            context.diagnosticPrefix = "\(name): "
            context.note("--atomic: nothing was changed")
            return abort.status
        } catch {
            context.diagnosticPrefix = "\(name): "
            return context.report(error)
        }
        realOutput.write(held.takeCaptured())
        context.runQueuedReleases()
        return .success
    }

    // MARK: Group commit

    /// The most lines, and the longest time, one group runs before it commits.
    static let groupLines = 2_000
    static let groupSeconds = 0.005
    /// The pause after each group, in which other processes' writers take the lock.
    static let pauseMicroseconds: UInt32 = 300

    /// Why a group ended.
    private enum GroupEnd {
        /// Its size or time was reached: the next group goes on.
        case full
        /// The next line has not arrived: commit, show the answers, then wait.
        case waiting
        case end
        /// A line failed and the batch stops with its status.
        case stop(ExitStatus)
        case exit(ExitStatus)
        /// A line that cannot run inside a group (listen, another store): it runs alone next.
        case alone(Line)
        /// A line that did not fit in the group (the store's transaction limit): it starts
        /// the next group.
        case startsNext(Line)
        case notText(Int)
    }

    /// Runs the lines in groups: each group is one transaction, every line a savepoint in
    /// it, committed after `groupLines` lines or `groupSeconds`, before waiting for input,
    /// and before a line that needs a transaction of its own. What the lines print is held
    /// until their group has committed (printed ⇒ committed), then shown.
    private func runGrouped(_ reader: LineReader) -> ExitStatus {
        let context = session.context
        var firstFailure: ExitStatus?
        // -x shows each line before its answer: lines then commit one by one.
        var grouping = !echo
        var next: Line?
        // Lines read but not run yet (a group ended before them): they run before more are read.
        var queued: [Line] = []
        while true {
            if next == nil, !queued.isEmpty { next = queued.removeFirst() }
            if next == nil {
                switch reader.next(wait: true) {
                case .line(let line): next = line
                case .end, .notYet: return firstFailure ?? .success
                case .notText(let number):
                    context.diagnosticPrefix = "\(name):\(number): "
                    return context.report(CommandLineError.notUTF8)
                }
            }
            guard let first = next else { continue }
            next = nil
            let end: GroupEnd
            if grouping {
                switch runGroup(first: first, queued: &queued, reader: reader, firstFailure: &firstFailure) {
                case .success(let groupEnd): end = groupEnd
                case .failure(.cannotGroup):
                    // The store takes no write transaction (it may only be read): line by line.
                    grouping = false
                    next = first
                    continue
                case .failure(.store(let error)):
                    context.diagnosticPrefix = "\(name):\(first.number): "
                    return context.report(error)
                }
            } else {
                end = runAlone(first, firstFailure: &firstFailure)
            }
            if context.outputFailed { return .outputClosed }
            switch end {
            case .full, .waiting: continue
            case .startsNext(let line): next = line
            case .end: return firstFailure ?? .success
            case .stop(let status): return status
            case .exit(let status): return firstFailure ?? status
            case .alone(let line):
                switch runAlone(line, firstFailure: &firstFailure) {
                case .stop(let status): return status
                case .exit(let status): return firstFailure ?? status
                default: break
                }
                if context.outputFailed { return .outputClosed }
            case .notText(let number):
                context.diagnosticPrefix = "\(name):\(number): "
                return context.report(CommandLineError.notUTF8)
            }
        }
    }

    private enum GroupFailure: Error {
        case cannotGroup
        case store(any Error)
    }

    /// One group, from `first` on: its lines, then its commit, then what they printed.
    private func runGroup(first: Line, queued: inout [Line], reader: LineReader, firstFailure: inout ExitStatus?)
        -> Result<
            GroupEnd, GroupFailure
        >
    {
        let context = session.context
        let realOutput = context.output
        let realErrors = context.errors
        let held = TextOutput(capturing: ())
        let heldErrors = TextOutput(capturing: ())
        var lines = [first]
        var end: GroupEnd?
        var bodyStarted = false
        var failure = firstFailure
        let start = session.state
        do {
            try context.inGroup {
                // The body may be re-run whole (the first write of a new store is): it runs
                // the same lines again and ends where it ended.
                bodyStarted = true
                _ = held.takeCaptured()
                _ = heldErrors.takeCaptured()
                session.state = start
                context.output = held
                context.errors = heldErrors
                defer { (context.output, context.errors) = (realOutput, realErrors) }
                failure = firstFailure
                // A line that stopped or ended an earlier run of this body may not do so in
                // this one (what it read changed): only where the lines ended stays.
                switch end {
                case .stop?, .exit?: end = nil
                default: break
                }
                let started = Self.now()
                var index = 0
                while true {
                    if index == lines.count {
                        if end != nil { return }
                        if index >= Self.groupLines || Self.now() - started > Self.groupSeconds {
                            end = .full
                            return
                        }
                        if !queued.isEmpty {
                            lines.append(queued.removeFirst())
                            continue
                        }
                        switch reader.next(wait: false) {
                        case .line(let line): lines.append(line)
                        case .notYet:
                            end = .waiting
                            return
                        case .end:
                            end = .end
                            return
                        case .notText(let number):
                            end = .notText(number)
                            return
                        }
                    }
                    let line = lines[index]
                    index += 1
                    context.groupBoundary = false
                    context.groupFull = false
                    let outcome = run(line)
                    if context.groupBoundary {
                        // It ran nothing: it runs alone (or first in the next group, when it
                        // did not fit in this one), after this group commits. The lines after
                        // it (a re-run of the body may end earlier than the first run did)
                        // and the one an earlier run ended before run after it.
                        context.groupBoundary = false
                        var carried = Array(lines[index...])
                        switch end {
                        case .alone(let line)?, .startsNext(let line)?: carried.append(line)
                        default: break
                        }
                        queued.insert(contentsOf: carried, at: 0)
                        lines.removeSubrange((index - 1)...)
                        // Too big even as a group's first line: alone, where its own commit
                        // refuses it as the line's failure.
                        end = context.groupFull && index > 1 ? .startsNext(line) : .alone(line)
                        context.groupFull = false
                        return
                    }
                    if context.outputFailed {
                        end = .stop(.outputClosed)
                        return
                    }
                    switch outcome {
                    case .exit(let status):
                        end = .exit(status)
                        return
                    case .status(.success):
                        continue
                    case .status(let status):
                        failure = failure ?? status
                        if !keepGoing {
                            end = .stop(status)
                            return
                        }
                    }
                }
            }
        } catch {
            if !bodyStarted, ErrorReport.status(for: error) == .permissionDenied { return .failure(.cannotGroup) }
            return .failure(.store(error))
        }
        // More lines follow at once: others' writers get their turn first (they look for
        // the lock every 0.1 ms).
        switch end {
        case .full, .startsNext: usleep(Self.pauseMicroseconds)
        default: break
        }
        // Committed: now the answers.
        realOutput.write(held.takeCaptured())
        realOutput.flush()
        realErrors.write(heldErrors.takeCaptured())
        realErrors.flush()
        context.runQueuedReleases()
        firstFailure = failure
        return .success(end ?? .end)
    }

    /// A line in a transaction of its own (as one-shot use runs it).
    private func runAlone(_ line: Line, firstFailure: inout ExitStatus?) -> GroupEnd {
        let outcome = run(line)
        session.context.output.flush()
        switch outcome {
        case .exit(let status): return .exit(status)
        case .status(.success): return .full
        case .status(let status):
            firstFailure = firstFailure ?? status
            return keepGoing ? .full : .stop(status)
        }
    }

    /// Runs one line with its diagnostics named after it.
    private func run(_ line: Line) -> CommandSession.Outcome {
        session.context.diagnosticPrefix = "\(name):\(line.number): "
        return session.execute(line.text)
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private func runLines(_ lines: [Line]) -> ExitStatus {
        let context = session.context
        var firstFailure: ExitStatus?
        for line in lines {
            context.diagnosticPrefix = "\(name):\(line.number): "
            let outcome = session.execute(line.text)
            // Nobody reads the answers any more: stop here, with what is done committed.
            if context.outputFailed { return .outputClosed }
            switch outcome {
            case .exit(let status):
                return firstFailure ?? status
            case .status(.success):
                continue
            case .status(let status):
                firstFailure = firstFailure ?? status
                if !keepGoing { return status }
            }
        }
        return firstFailure ?? .success
    }
}
