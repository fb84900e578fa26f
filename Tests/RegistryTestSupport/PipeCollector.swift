import Foundation

/// What a child process writes to a pipe, read to its end by a thread of its own with
/// read(2). (Foundation's readabilityHandler on Linux may never deliver what a process
/// wrote just before it exited, nor the end of file: swift-corelibs-foundation#3275. A
/// listener test once lost its last 30 events that way and waited out its timeout.)
public final class PipeCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var ended = false

    /// Starts reading the read end of `pipe` (give the write end to the child).
    public init(_ pipe: Pipe) {
        let handle = pipe.fileHandleForReading
        let thread = Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: 64 * 1024)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
                if count < 0, errno == EINTR { continue }
                lock.withLock {
                    if count > 0 { data.append(contentsOf: chunk[..<count]) } else { ended = true }
                }
                if count <= 0 { break }
            }
            try? handle.close()
        }
        thread.start()
    }

    /// Everything read so far.
    public var collected: Data { lock.withLock { data } }

    /// Whether the pipe has reached its end (every writer has closed it).
    public var isAtEnd: Bool { lock.withLock { ended } }
}
