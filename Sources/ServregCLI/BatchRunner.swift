import ServiceRegistry

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

    /// Joins continued lines; a line ending in an odd number of backslashes continues.
    static func lines(of text: String) -> [Line] {
        var result: [Line] = []
        var pending: String?
        var start = 0
        var number = 0
        // "\r\n" is one Character in Swift, so CRLF files need it named as a separator.
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            number += 1
            let line = String(raw)
            if pending == nil { start = number }
            let trailing = line.reversed().prefix(while: { $0 == "\\" }).count
            if trailing % 2 == 1 {
                pending = (pending ?? "") + String(line.dropLast())
                continue
            }
            result.append(Line(number: start, text: (pending ?? "") + line))
            pending = nil
        }
        if let pending { result.append(Line(number: start, text: pending)) }
        return result
    }

    /// Runs the text; returns the exit status of the batch.
    func run(_ text: String) -> ExitStatus {
        let context = session.context
        let lines = Self.lines(of: text)
        if !atomic {
            context.deferredDurability = true
            defer { context.deferredDurability = false }
            let status = runLines(lines)
            do {
                try context.synchronize()
            } catch {
                context.diagnosticPrefix = "servreg: "
                context.reportError(String(describing: error))
                return ExitStatus.forError(error)
            }
            return status
        }
        // All lines in one transaction: output is held back until it commits.
        struct Abort: Error { let status: ExitStatus }
        let realOutput = context.output
        let held = TextOutput(capturing: ())
        context.output = held
        defer { context.output = realOutput }
        do {
            let registry = try context.registry(GlobalOptions.defaults, access: .write)
            context.pinnedStorePath = StoreLocation.resolve(
                option: context.defaultStorePath, environment: context.environment)
            defer { context.pinnedStorePath = nil }
            try registry.store.write { _ in
                let status = runLines(lines)
                if status != .success { throw Abort(status: status) }
            }
        } catch let abort as Abort {
            context.diagnosticPrefix = "\(name): "
            context.note("--atomic: nothing was changed")
            return abort.status
        } catch {
            context.diagnosticPrefix = "\(name): "
            context.reportError(String(describing: error))
            return ExitStatus.forError(error)
        }
        realOutput.write(held.takeCaptured())
        return .success
    }

    /// Whether a line holds more than blanks and a comment (what `-x` echoes).
    static func hasCommand(_ text: String) -> Bool {
        guard let first = text.first(where: { $0 != " " && $0 != "\t" }) else { return false }
        return first != "#"
    }

    private func runLines(_ lines: [Line]) -> ExitStatus {
        let context = session.context
        var firstFailure: ExitStatus?
        for line in lines {
            context.diagnosticPrefix = "\(name):\(line.number): "
            if echo, Self.hasCommand(line.text) {
                context.output.flush()
                context.errors.write("+ \(line.text)\n")
                context.errors.flush()
            }
            switch session.execute(line.text) {
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
