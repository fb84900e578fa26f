import Foundation
import ServiceRegistry

/// `listen --exec CMD…`: runs the command once per event, the event as JSON on its stdin
/// and `SERVREG_EVENT`, `SERVREG_ID`, `SERVREG_SEQ` in its environment. Run directly
/// (no shell), with stdout and stderr those of servreg; servreg waits for it to end.
struct EventHandler {
    let command: [String]
    let environment: [String: String]

    /// How one run ended.
    enum Outcome: Equatable {
        case success
        case failed(String)
    }

    func run(_ event: ListenerEvent, json: String) -> Outcome {
        var variables = environment
        variables["SERVREG_EVENT"] = event.kind.rawValue
        variables["SERVREG_ID"] = String(event.change.serviceID)
        variables["SERVREG_SEQ"] = String(event.change.sequence)
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return .failed("cannot make a pipe: \(Self.lastError())") }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, ends[0], STDIN_FILENO)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The handler starts with the signal dispositions a shell would give it.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let arguments = command.map { strdup($0) } + [nil]
        let pairs = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in arguments { free(pointer) }
            for pointer in pairs { free(pointer) }
        }
        var pid: pid_t = 0
        let code = posix_spawnp(&pid, command[0], &actions, &attributes, arguments, pairs)
        close(ends[0])
        guard code == 0 else {
            close(ends[1])
            return .failed("cannot run \(command[0]): \(String(cString: strerror(code)))")
        }
        // A handler that does not read its input ends the write with EPIPE: not an error.
        var bytes = Array((json + "\n").utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeMutableBytes { write(ends[1], $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                break
            }
            offset += written
        }
        bytes.removeAll()
        close(ends[1])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7F
        if signal != 0 { return .failed("\(command[0]) was killed by signal \(signal)") }
        let exitCode = (status >> 8) & 0xFF
        return exitCode == 0 ? .success : .failed("\(command[0]) exited with status \(exitCode)")
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
