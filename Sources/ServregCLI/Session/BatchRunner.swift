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

    /// Runs `data` as a batch file, or reports the line that is not text.
    func run(_ data: Data) -> ExitStatus {
        switch Self.text(of: data) {
        case .success(let text):
            return run(text)
        case .failure(let invalid):
            session.context.diagnosticPrefix = "\(name):\(invalid.line): "
            return session.context.report(CommandLineError.notUTF8)
        }
    }

    /// Joins continued lines; a line ending in an odd number of backslashes continues.
    /// Works on UTF-8 bytes: splitting a 100,000-line file by `Character` costs more than
    /// running its lines. Line ends are "\n" or "\r\n".
    /// Whether the logical line so far (`pending` and `line`) ends inside quotes; only
    /// lines with a quote character are scanned.
    private static func opensQuote(_ pending: [UInt8]?, _ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard line.contains(0x27) || line.contains(0x22) || pending != nil else { return false }
        let whole = (pending ?? []) + line
        return whole.withUnsafeBufferPointer { LineTokenizer.endsInsideQuotes($0) }
    }

    static func lines(of text: String) -> [Line] {
        var result: [Line] = []
        var pending: [UInt8]?
        var start = 0
        var number = 0
        var text = text
        text.withUTF8 { bytes in
            var lineStart = 0
            while true {
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != 0x0A { lineEnd += 1 }
                number += 1
                var contentEnd = lineEnd
                if lineEnd < bytes.count, contentEnd > lineStart, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                let line = UnsafeBufferPointer(rebasing: bytes[lineStart..<contentEnd])
                if pending == nil { start = number }
                var trailing = 0
                while trailing < line.count, line[line.count - 1 - trailing] == 0x5C { trailing += 1 }
                if Self.opensQuote(pending, line) {
                    // Inside quotes the line goes on, its newline kept (as in the shell).
                    pending = (pending ?? []) + line + [0x0A]
                } else if trailing % 2 == 1 {
                    pending = (pending ?? []) + line.dropLast()
                } else if let joined = pending {
                    result.append(Line(number: start, text: String(decoding: joined + line, as: UTF8.self)))
                    pending = nil
                } else {
                    result.append(Line(number: start, text: String(decoding: line, as: UTF8.self)))
                }
                if lineEnd == bytes.count { break }
                lineStart = lineEnd + 1
            }
        }
        if let pending { result.append(Line(number: start, text: String(decoding: pending, as: UTF8.self))) }
        return result
    }

    /// Runs the text; returns the exit status of the batch.
    func run(_ text: String) -> ExitStatus {
        let context = session.context
        let lines = Self.lines(of: text)
        if !atomic {
            // Each line commits on its own; the disk is synced when the store is closed.
            context.storeSettings.durableAtClose = true
            let status = runLines(lines)
            do {
                try context.closeStore()
            } catch {
                context.diagnosticPrefix = "servreg: "
                return context.report(error)
            }
            context.storeSettings.durableAtClose = false
            return status
        }
        // All lines in one transaction: output is held back until it commits.
        struct Abort: Error { let status: ExitStatus }
        let realOutput = context.output
        let held = TextOutput(capturing: ())
        context.output = held
        defer { context.output = realOutput }
        do {
            try context.inAtomicBatch {
                // The body may be re-run whole: nothing of an earlier run is shown.
                _ = held.takeCaptured()
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
        return .success
    }

    private func runLines(_ lines: [Line]) -> ExitStatus {
        let context = session.context
        var firstFailure: ExitStatus?
        if echo {
            // What runs: the words after expansion, comments gone (as sh -x shows them).
            session.trace = { words in
                context.output.flush()
                context.errors.write("+ " + words.map(CommandSession.shown).joined(separator: " ") + "\n")
                context.errors.flush()
            }
        }
        defer { session.trace = nil }
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
