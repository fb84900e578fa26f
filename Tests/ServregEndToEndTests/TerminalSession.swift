import Foundation
import RegistryTestSupport
import Testing

/// `servreg` on a pseudo-terminal, driven like a person at the keyboard: `script(1)` gives
/// it a terminal of its own, keys go in through a pipe, and the screen output is collected
/// so that a test can wait for what it expects to appear.
final class TerminalSession: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let collector: PipeCollector

    /// Starts `servreg ARGUMENTS` with `environment` (the store, HOME, XDG_STATE_HOME).
    init(_ arguments: [String], environment: [String: String]) throws {
        // `exec`: script(1) runs the command with $SHELL -c, and a shell left waiting as the
        // parent (dash does) dies of the Ctrl-C the test types, whatever servreg does with it.
        let command = "exec " + ([ServregProcess.binary] + arguments).map(Self.shellQuoted).joined(separator: " ")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qfec", command, "/dev/null"]
        var merged = ProcessInfo.processInfo.environment
        merged["TERM"] = "xterm"
        merged["SHELL"] = "/bin/sh"
        merged["LC_ALL"] = "C.UTF-8"
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        collector = PipeCollector(output)
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// Everything the terminal has shown so far, as `plain` text.
    var screen: String {
        Self.plain(collector.collected)
    }

    /// Types `keys` (control characters such as "\t", "\u{03}" included).
    func type(_ keys: String) {
        input.fileHandleForWriting.write(Data(keys.utf8))
    }

    /// Terminal output as text, without carriage returns and escape sequences (libedit
    /// redraws a completed word as "unreg", cursor movement, "ister").
    static func plain(_ bytes: Data) -> String {
        var out: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            if byte == 0x1B, index < bytes.endIndex, bytes[index] == UInt8(ascii: "[") {
                index += 1
                while index < bytes.endIndex, !(0x40...0x7E).contains(bytes[index]) { index += 1 }
                index += 1
            } else if byte != 0x0D {
                out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Waits until what the terminal showed after `mark`, as `plain` text, contains `text`.
    @discardableResult
    func waitFor(_ text: String, after mark: Int = 0, timeout: TimeInterval = 10) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let shown = Self.plain(collector.collected.dropFirst(mark))
            if shown.contains(text) { return true }
            usleep(20_000)
        }
        return false
    }

    /// What the terminal showed after `mark`, as `plain` text.
    func shown(after mark: Int) -> String {
        Self.plain(collector.collected.dropFirst(mark))
    }

    /// How much the terminal has shown so far, for `waitFor(_:after:)`.
    var mark: Int { collector.collected.count }

    /// Waits for the process to end and returns its exit status (nil on a timeout).
    func exitStatus(timeout: TimeInterval = 10) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    private static func shellQuoted(_ word: String) -> String {
        "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
