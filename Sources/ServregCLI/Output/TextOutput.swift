import Foundation

/// A buffered text stream to a file descriptor.
///
/// Commands run on one thread at a time, so the buffer needs no lock.
final class TextOutput: @unchecked Sendable {
    /// The file descriptor written to; nil for a capture buffer.
    private let descriptor: Int32?
    private var buffer: [UInt8] = []
    /// Whether the stream is a terminal (controls colour).
    let isTerminal: Bool
    /// The errno of the first write that failed (EPIPE: the reader has gone). Once set,
    /// nothing more is written; `ErrorReport` decides what it means for the exit status.
    private(set) var failure: Int32?
    /// Whether what was written last ends a line (or nothing was written): the shell ends
    /// a value printed without a newline before it shows its prompt.
    var atLineStart = true

    init(descriptor: Int32) {
        self.descriptor = descriptor
        self.isTerminal = isatty(descriptor) == 1
        buffer.reserveCapacity(1 << 16)
    }

    /// A stream that keeps what is written, for `set NAME = COMMAND`.
    init(capturing: Void) {
        descriptor = nil
        isTerminal = false
    }

    /// What a capture buffer holds, emptying it.
    func takeCaptured() -> String {
        defer { buffer.removeAll(keepingCapacity: true) }
        return String(decoding: buffer, as: UTF8.self)
    }

    static let standardOutput = TextOutput(descriptor: STDOUT_FILENO)
    static let standardError = TextOutput(descriptor: STDERR_FILENO)

    func write(_ text: String) {
        guard failure == nil else { return }
        if let last = text.utf8.last { atLineStart = last == 0x0A }
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16, descriptor != nil { flush() }
    }

    func write(bytes: [UInt8]) {
        guard failure == nil else { return }
        if let last = bytes.last { atLineStart = last == 0x0A }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16, descriptor != nil { flush() }
    }

    /// Writes out what is buffered; a failed write is kept in `failure` (and what is left
    /// is dropped), for the command to stop and the exit status to say so.
    func flush() {
        // A capture buffer keeps what it holds until it is taken.
        guard let descriptor else { return }
        guard failure == nil else {
            buffer.removeAll(keepingCapacity: true)
            return
        }
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                failure = errno
                break
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
