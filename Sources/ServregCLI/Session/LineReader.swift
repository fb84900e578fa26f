import Foundation
import ServregSyntax

/// Joins physical lines into the logical lines of a batch: a line ending in an odd number
/// of backslashes continues on the next (the backslash dropped), one that ends inside
/// quotes too (its newline kept). Works on UTF-8 bytes: splitting a 100,000-line file by
/// `Character` costs more than running its lines.
struct LineJoiner {
    private var pending: [UInt8]?
    private var start = 0
    private(set) var number = 0

    /// Adds the next physical line (without its line end); a logical line when one is complete.
    mutating func add(_ line: UnsafeBufferPointer<UInt8>) -> BatchRunner.Line? {
        number += 1
        if pending == nil { start = number }
        var trailing = 0
        while trailing < line.count, line[line.count - 1 - trailing] == 0x5C { trailing += 1 }
        if Self.opensQuote(pending, line) {
            pending = (pending ?? []) + line + [0x0A]
            return nil
        }
        if trailing % 2 == 1 {
            pending = (pending ?? []) + line.dropLast()
            return nil
        }
        if let joined = pending {
            pending = nil
            return BatchRunner.Line(number: start, text: String(decoding: joined + line, as: UTF8.self))
        }
        return BatchRunner.Line(number: start, text: String(decoding: line, as: UTF8.self))
    }

    /// At the end of the input: the logical line still open, if any.
    mutating func finish() -> BatchRunner.Line? {
        defer { pending = nil }
        return pending.map { BatchRunner.Line(number: start, text: String(decoding: $0, as: UTF8.self)) }
    }

    /// Whether the logical line so far ends inside quotes; only lines with a quote
    /// character (or continuing one) are scanned.
    private static func opensQuote(_ pending: [UInt8]?, _ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard pending != nil || line.contains(0x27) || line.contains(0x22) else { return false }
        let whole = (pending ?? []) + line
        return whole.withUnsafeBufferPointer { LineTokenizer.endsInsideQuotes($0) }
    }
}

/// The logical lines of a batch as they arrive: a file read whole, or a pipe read as it
/// fills, so that a program driving `servreg run -` gets each answer as soon as its line
/// has run (and its group committed), not at the end of its input.
final class LineReader {
    /// What `next` found.
    enum Next: Equatable {
        case line(BatchRunner.Line)
        /// Nothing complete has arrived yet (only with `wait: false`).
        case notYet
        case end
        /// A line that is not UTF-8 text, by number.
        case notText(line: Int)
    }

    private let descriptor: Int32?
    private var buffer: [UInt8]
    private var position = 0
    private var atEnd: Bool
    private var joiner = LineJoiner()
    /// Lines split and not yet taken: `ready[taken...]` (taking from the front of an
    /// array would move the rest every time).
    private var ready: [Next] = []
    private var taken = 0

    /// All of `data` (a batch file).
    init(data: Data) {
        descriptor = nil
        buffer = [UInt8](data)
        atEnd = true
    }

    /// A descriptor read as it fills (standard input on a pipe or a terminal).
    init(descriptor: Int32) {
        self.descriptor = descriptor
        buffer = []
        atEnd = false
    }

    /// The next logical line; with `wait`, reads (blocking) until one is complete.
    func next(wait: Bool = true) -> Next {
        while true {
            if taken < ready.count {
                taken += 1
                return ready[taken - 1]
            }
            ready.removeAll(keepingCapacity: true)
            taken = 0
            if split() { continue }
            if atEnd {
                if let last = joiner.finish() { return .line(last) }
                return .end
            }
            if !wait && !readable() { return .notYet }
            fill()
        }
    }

    /// Moves the complete physical lines of the buffer through the joiner; whether any was.
    private func split() -> Bool {
        var found = false
        buffer.withUnsafeBufferPointer { bytes in
            while position < bytes.count {
                guard let newline = bytes[position...].firstIndex(of: 0x0A) else {
                    if atEnd, position < bytes.count {
                        // The last line has no line end.
                        emit(UnsafeBufferPointer(rebasing: bytes[position..<bytes.count]))
                        position = bytes.count
                        found = true
                    }
                    return
                }
                var end = newline
                if end > position, bytes[end - 1] == 0x0D { end -= 1 }
                emit(UnsafeBufferPointer(rebasing: bytes[position..<end]))
                position = newline + 1
                found = true
            }
        }
        if position > 65_536 {
            buffer.removeFirst(position)
            position = 0
        }
        return found
    }

    private func emit(_ line: UnsafeBufferPointer<UInt8>) {
        if String(validating: line, as: UTF8.self) == nil {
            ready.append(.notText(line: joiner.number + 1))
            atEnd = true
            position = buffer.count
            return
        }
        if let logical = joiner.add(line) { ready.append(.line(logical)) }
    }

    /// Whether a read would return at once (data, end of file or an error).
    private func readable() -> Bool {
        guard let descriptor else { return true }
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&poller, 1, 0) != 0
    }

    private func fill() {
        guard let descriptor else {
            atEnd = true
            return
        }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            if count > 0 {
                buffer.append(contentsOf: chunk[..<count])
                return
            }
            if count < 0 && errno == EINTR { continue }
            atEnd = true
            return
        }
    }
}
