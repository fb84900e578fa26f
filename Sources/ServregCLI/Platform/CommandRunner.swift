import Foundation
import ServiceRegistry

/// Runs a factory or release command: the argv as given (no shell), bytes on its standard
/// input, its standard output collected (or sent to servreg's standard error), its standard
/// error passed through, a timeout, and Ctrl-C ending it.
enum CommandRunner {
    /// How the command ended.
    enum Ending: Equatable {
        case exited(Int32)
        case signaled(Int32)
        case timedOut
        case interrupted
    }

    /// What the command printed and how it ended; `overflowed` when it printed more than
    /// the limit (it is then stopped).
    struct Outcome {
        var ending: Ending
        var output: [UInt8]
        var overflowed: Bool
    }

    /// Runs `arguments` (`arguments[0]` resolved through `PATH`). With `collectOutput`
    /// false, its standard output goes to servreg's standard error. `errors`: a descriptor
    /// its standard error goes to (else servreg's).
    static func run(
        _ arguments: [String], environment: [String: String], input: [UInt8], timeout: Int64,
        collectOutput: Bool, outputLimit: Int = ServiceValue.maximumSize, errors: Int32? = nil
    ) throws(FactoryError.Kind) -> Outcome {
        let executable: String
        do {
            executable = try HeldCommand.resolve(arguments[0], path: environment["PATH"])
        } catch {
            if error.status == 127 { throw .notFound }
            throw .cannotRun(
                error.message.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) }
                    ?? "cannot be run")
        }
        // The command has a process group of its own, which a terminal's Ctrl-C does not
        // reach: servreg takes Ctrl-C, SIGTERM, SIGHUP and SIGQUIT while it runs and ends the
        // group (nothing is left running when servreg is stopped).
        StopSignals.install()
        defer { StopSignals.restore() }
        var inputEnds: [Int32] = [-1, -1]
        var outputEnds: [Int32] = [-1, -1]
        guard pipe(&inputEnds) == 0 else { throw .cannotRun(String(cString: strerror(errno))) }
        guard pipe(&outputEnds) == 0 else {
            close(inputEnds[0])
            close(inputEnds[1])
            throw .cannotRun(String(cString: strerror(errno)))
        }
        for end in inputEnds + outputEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inputEnds[0], 0)
        posix_spawn_file_actions_adddup2(&actions, collectOutput ? outputEnds[1] : 2, 1)
        if let errors { posix_spawn_file_actions_adddup2(&actions, errors, 2) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // servreg ignores SIGPIPE and may block signals: the command starts with the defaults.
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        // A process group of its own: a timeout or Ctrl-C ends what it started too.
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] =
            environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for pointer in argv + envp { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(inputEnds[0])
        close(outputEnds[1])
        guard spawned == 0 else {
            close(inputEnds[1])
            close(outputEnds[0])
            throw .cannotRun(String(cString: strerror(spawned)))
        }
        return communicate(
            pid: pid, input: input, inputEnd: inputEnds[1], outputEnd: outputEnds[0], timeout: timeout,
            outputLimit: outputLimit)
    }

    /// Writes the input, reads the output, and waits for the end, within the timeout.
    private static func communicate(
        pid: pid_t, input: [UInt8], inputEnd: Int32, outputEnd: Int32, timeout: Int64, outputLimit: Int
    ) -> Outcome {
        _ = fcntl(inputEnd, F_SETFL, fcntl(inputEnd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(outputEnd, F_SETFL, fcntl(outputEnd, F_GETFL) | O_NONBLOCK)
        var inputEnd: Int32? = inputEnd
        var outputEnd: Int32? = outputEnd
        var written = 0
        var output: [UInt8] = []
        var overflowed = false
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(timeout, 1)) * 1_000_000
        var ending: Ending?
        var status: Int32 = 0
        var reapedEarly = false
        if input.isEmpty, let end = inputEnd {
            close(end)
            inputEnd = nil
        }
        while ending == nil {
            let now = DispatchTime.now().uptimeNanoseconds
            if now >= deadline {
                ending = .timedOut
                break
            }
            if inputEnd == nil, outputEnd == nil {
                // Both pipes done: wait for the exit (the command may still run after closing them).
                let reaped = waitpid(pid, &status, WNOHANG)
                if reaped == pid { break }
                if StopSignals.requested != nil {
                    ending = .interrupted
                    break
                }
                // Its pipes close before it is a zombie: SIGCHLD (a byte on the signals'
                // pipe) says when, so no sleep stands between its end and the next command.
                if let stop = StopSignals.descriptor {
                    var descriptor = pollfd(fd: stop, events: Int16(POLLIN), revents: 0)
                    _ = poll(&descriptor, 1, Int32(min((deadline - now) / 1_000_000 + 1, 50)))
                    StopSignals.drain()
                } else {
                    usleep(2_000)
                }
                continue
            }
            var descriptors: [pollfd] = []
            if let end = inputEnd { descriptors.append(pollfd(fd: end, events: Int16(POLLOUT), revents: 0)) }
            if let end = outputEnd { descriptors.append(pollfd(fd: end, events: Int16(POLLIN), revents: 0)) }
            if let stop = StopSignals.descriptor {
                descriptors.append(pollfd(fd: stop, events: Int16(POLLIN), revents: 0))
            }
            // The command may end while something it started still holds its output open:
            // looked for every 50 ms, then what is there is read and the rest not waited for.
            if waitpid(pid, &status, WNOHANG) == pid {
                reapedEarly = true
                if let end = outputEnd {
                    while true {
                        let count = read(end, &buffer, buffer.count)
                        guard count > 0 else { break }
                        if output.count + count > outputLimit {
                            overflowed = true
                            break
                        }
                        output.append(contentsOf: buffer[..<count])
                    }
                }
                break
            }
            let wait = Int32(min((deadline - now) / 1_000_000 + 1, 50))
            if poll(&descriptors, nfds_t(descriptors.count), wait) < 0, errno != EINTR { break }
            StopSignals.drain()
            if StopSignals.requested != nil {
                ending = .interrupted
                break
            }
            if let end = inputEnd {
                let count = input[written...].withUnsafeBytes { bytes in
                    write(end, bytes.baseAddress, bytes.count)
                }
                if count > 0 { written += count }
                if written == input.count || (count < 0 && errno != EAGAIN && errno != EINTR) {
                    // Done, or the command stopped reading (EPIPE): it may still answer.
                    close(end)
                    inputEnd = nil
                }
            }
            if let end = outputEnd {
                let count = read(end, &buffer, buffer.count)
                if count > 0 {
                    if output.count + count > outputLimit {
                        overflowed = true
                        break
                    }
                    output.append(contentsOf: buffer[..<count])
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    close(end)
                    outputEnd = nil
                }
            }
        }
        if let end = inputEnd { close(end) }
        if let end = outputEnd { close(end) }
        if ending != nil || overflowed {
            // The whole group: what the command started goes with it.
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            if !reapedEarly { while waitpid(pid, &status, 0) < 0 && errno == EINTR {} }
            return Outcome(ending: ending ?? .signaled(SIGKILL), output: output, overflowed: overflowed)
        }
        // Reaped in the loop above, or the loop ended on a poll error: wait for it now.
        if !reapedEarly, waitpid(pid, &status, WNOHANG) == 0 {
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        }
        let signal = status & 0x7F
        let result: Ending = signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
        return Outcome(ending: result, output: output, overflowed: false)
    }
}
