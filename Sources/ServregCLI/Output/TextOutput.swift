import Foundation

/// A buffered text stream to a file descriptor.
///
/// Commands run on one thread at a time, so the buffer needs no lock.
final class TextOutput: @unchecked Sendable {
    /// The file descriptor written to; nil for a capture buffer.
    private let descriptor: Int32?
    private var buffer: [UInt8] = []
    /// Whether the stream is a terminal (controls escaping and colour).
    let isTerminal: Bool

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
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16, descriptor != nil { flush() }
    }

    func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16, descriptor != nil { flush() }
    }

    /// Writes out what is buffered; a closed pipe ends the process quietly.
    func flush() {
        guard let descriptor else { return }
        var offset = 0
        while offset < buffer.count {
            let written = buffer[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EPIPE { exit(0) }
                break
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
