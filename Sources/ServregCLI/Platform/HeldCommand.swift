import Foundation
import Synchronization

/// `register --hold -- COMMAND`: COMMAND runs as a child that waits at a gate until the
/// service is registered (its owner is the child: pid and start time are fixed at fork),
/// then execs with stdin, stdout and stderr inherited. SIGTERM, SIGHUP and SIGINT/SIGQUIT
/// sent to servreg by a process are passed on; the ones a terminal sends reach the child
/// anyway (it is in servreg's process group).
struct HeldCommand {
    /// Why COMMAND cannot be started: 127 (not found) or 126 (not executable).
    struct StartFailure: Error {
        var status: Int32
        var message: String
    }

    let pid: Int32
    private let ownGroup: Bool
    private let gate: Int32
    private let failures: Int32

    private static let child = Atomic<Int32>(0)
    /// A pipe that SIGCHLD writes a byte to (forwarding children only): `wait(timeout:)`
    /// sleeps on it.
    private static let exitWriteEnd = Atomic<Int32>(-1)
    private static let exitReadEnd = Atomic<Int32>(-1)
    /// The signal handlers before forwarding was installed (the shell's Ctrl-C), put back
    /// once the child has ended.
    private nonisolated(unsafe) static var saved: [Int32: sigaction] = [:]
    private static let forwarded = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// The file `name` runs, searched on PATH as execvp would.
    static func resolve(_ name: String, path: String?) throws(StartFailure) -> String {
        func check(_ candidate: String) -> Int32? {
            var info = stat()
            guard stat(candidate, &info) == 0 else { return 127 }
            if (info.st_mode & S_IFMT) == S_IFDIR || access(candidate, X_OK) != 0 { return 126 }
            return nil
        }
        if name.contains("/") {
            if let status = check(name) {
                throw StartFailure(
                    status: status, message: status == 127 ? "\(name): no such file" : "\(name): not executable")
            }
            return name
        }
        guard !name.isEmpty else { throw StartFailure(status: 127, message: "the command name is empty") }
        var sawUnexecutable = false
        for directory in (path ?? "/usr/local/bin:/usr/bin:/bin").split(
            separator: ":", omittingEmptySubsequences: false)
        {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + name
            switch check(candidate) {
            case nil: return candidate
            case 126: sawUnexecutable = true
            default: continue
            }
        }
        if sawUnexecutable { throw StartFailure(status: 126, message: "\(name): not executable") }
        throw StartFailure(status: 127, message: "\(name): command not found")
    }

    /// Forks the child, which waits at the gate; `start()` lets it exec.
    /// With `forwardSignals`, SIGINT, SIGTERM, SIGHUP and SIGQUIT sent to servreg are passed
    /// on to the child; without, the caller handles them (a supervisor stops the child itself).
    /// With `ownGroup`, the child leads a process group of its own, which `stop` ends whole.
    init(
        executable: String, arguments: [String], environment: [String: String], forwardSignals: Bool = true,
        ownGroup: Bool = false
    ) throws(StartFailure) {
        var gateEnds: [Int32] = [-1, -1]
        var failureEnds: [Int32] = [-1, -1]
        guard pipe(&gateEnds) == 0, pipe(&failureEnds) == 0 else {
            throw StartFailure(status: 126, message: "cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        for end in gateEnds + failureEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        // Everything the child touches is made before fork: between fork and exec it calls
        // only async-signal-safe functions.
        guard let path = strdup(executable) else {
            throw StartFailure(status: 126, message: "out of memory")
        }
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        var envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            free(path)
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        let forwarding = forwardSignals ? Self.installForwarding() : (int: false, term: false, hup: false, quit: false)
        // The forwarded signals wait until the child has put their default action back:
        // a gated child must be stoppable by them (the parent passes them on).
        var blocked = sigset_t()
        sigemptyset(&blocked)
        for signal in Self.forwarded { sigaddset(&blocked, signal) }
        sigprocmask(SIG_BLOCK, &blocked, nil)
        // After the fork they are unblocked, also when servreg was started with them
        // blocked: they must reach servreg to be passed on.
        defer { sigprocmask(SIG_UNBLOCK, &blocked, nil) }
        let pid = argv.withUnsafeMutableBufferPointer { argvBuffer in
            envp.withUnsafeMutableBufferPointer { envpBuffer in
                guard let argvBase = argvBuffer.baseAddress, let envpBase = envpBuffer.baseAddress else {
                    return Int32(-1)
                }
                let (gateRead, gateWrite) = (gateEnds[0], gateEnds[1])
                let (failureRead, failureWrite) = (failureEnds[0], failureEnds[1])
                let pid = fork()
                if pid == 0 {
                    if ownGroup { setpgid(0, 0) }
                    // Only the parent's ends: EOF at the gate when the parent gives up or dies.
                    close(gateWrite)
                    close(failureRead)
                    if forwarding.int { signal(SIGINT, SIG_DFL) }
                    if forwarding.term { signal(SIGTERM, SIG_DFL) }
                    if forwarding.hup { signal(SIGHUP, SIG_DFL) }
                    if forwarding.quit { signal(SIGQUIT, SIG_DFL) }
                    signal(SIGPIPE, SIG_DFL)
                    var none = sigset_t()
                    sigemptyset(&none)
                    sigprocmask(SIG_SETMASK, &none, nil)
                    var byte: UInt8 = 0
                    if read(gateRead, &byte, 1) != 1 { _exit(125) }
                    execve(path, argvBase, envpBase)
                    var code = errno
                    _ = write(failureWrite, &code, MemoryLayout<Int32>.size)
                    _exit(127)
                }
                return pid
            }
        }
        close(gateEnds[0])
        close(failureEnds[1])
        guard pid > 0 else {
            close(gateEnds[1])
            close(failureEnds[0])
            throw StartFailure(status: 126, message: "cannot start a process: \(String(cString: strerror(errno)))")
        }
        self.pid = pid
        self.ownGroup = ownGroup
        // Also here: the group exists before the parent signals it, whichever runs first.
        if ownGroup { setpgid(pid, pid) }
        gate = gateEnds[1]
        failures = failureEnds[0]
        Self.child.store(pid, ordering: .relaxed)
    }

    /// Lets the child exec; the errno of a failed exec, or nil once it runs COMMAND.
    func start() -> Int32? {
        var byte: UInt8 = 1
        _ = write(gate, &byte, 1)
        close(gate)
        var code: Int32 = 0
        let count = withUnsafeMutableBytes(of: &code) { read(failures, $0.baseAddress, $0.count) }
        close(failures)
        return count == MemoryLayout<Int32>.size ? code : nil
    }

    /// Ends a child that never started (its registration failed): it exits at the gate.
    func abandon() {
        close(gate)
        close(failures)
        _ = wait()
    }

    /// Waits for the child to end; its status as a shell reports it (128 + signal).
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno != EINTR { return 127 }
        }
        return ended(status)
    }

    /// Waits at most `milliseconds` for the child to end: its status, or nil while it runs.
    /// A forwarding child's SIGCHLD ends the wait at once; else it looks every 50 ms.
    func wait(timeout milliseconds: Int64) -> Int32? {
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, milliseconds)) * 1_000_000
        while true {
            if let status = poll() { return status }
            let now = DispatchTime.now().uptimeNanoseconds
            guard now < deadline else { return nil }
            let left = Int64((deadline - now) / 1_000_000) + 1
            let descriptor = Self.exitReadEnd.load(ordering: .relaxed)
            waitReadable(descriptor, milliseconds: descriptor >= 0 ? left : min(left, 50))
        }
    }

    /// The child's status if it has ended, without waiting.
    func poll() -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == 0 || (result < 0 && errno == EINTR) { return nil }
        return result < 0 ? 127 : ended(status)
    }

    /// Stops the child: SIGTERM, then SIGKILL when it has not ended after `timeout`
    /// milliseconds; its status.
    func stop(timeout: Int64) -> Int32 {
        if ownGroup { kill(-pid, SIGTERM) }
        kill(pid, SIGTERM)
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, timeout)) * 1_000_000
        while DispatchTime.now().uptimeNanoseconds < deadline {
            if let status = poll() {
                if ownGroup { kill(-pid, SIGKILL) }
                return status
            }
            // Bounded by the timeout; SIGCHLD cuts the nap short.
            usleep(5_000)
        }
        if ownGroup { kill(-pid, SIGKILL) }
        kill(pid, SIGKILL)
        let status = wait()
        // What the command left running in its group goes with it.
        if ownGroup { kill(-pid, SIGKILL) }
        return status
    }

    private func ended(_ status: Int32) -> Int32 {
        Self.child.store(0, ordering: .relaxed)
        Self.restoreHandlers()
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    private static func restoreHandlers() {
        for (signal, action) in saved {
            var previous = action
            sigaction(signal, &previous, nil)
        }
        saved = [:]
    }

    /// Installs forwarding for the signals servreg does not ignore (under nohup, SIGHUP
    /// stays ignored, for the child too); which ones it installed.
    private static func installForwarding() -> (int: Bool, term: Bool, hup: Bool, quit: Bool) {
        var action = sigaction()
        action.__sigaction_handler.sa_sigaction = { signal, info, _ in
            let child = HeldCommand.child.load(ordering: .relaxed)
            guard child > 0 else { return }
            // A terminal's ^C or ^\ reached the child too (si_code SI_KERNEL): not twice.
            if let info, info.pointee.si_code == 0x80, signal == SIGINT || signal == SIGQUIT { return }
            kill(child, signal)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_SIGINFO | SA_RESTART
        if exitReadEnd.load(ordering: .relaxed) < 0, let ends = SelfPipe.make() {
            exitReadEnd.store(ends.read, ordering: .relaxed)
            exitWriteEnd.store(ends.write, ordering: .relaxed)
        }
        var exited = sigaction()
        exited.__sigaction_handler.sa_handler = { _ in
            let descriptor = HeldCommand.exitWriteEnd.load(ordering: .relaxed)
            guard descriptor >= 0 else { return }
            var byte: UInt8 = 1
            _ = write(descriptor, &byte, 1)
        }
        sigemptyset(&exited.sa_mask)
        exited.sa_flags = SA_RESTART | SA_NOCLDSTOP
        var previousExited = sigaction()
        sigaction(SIGCHLD, &exited, &previousExited)
        if saved[SIGCHLD] == nil { saved[SIGCHLD] = previousExited }
        var installed: Set<Int32> = []
        for signal in forwarded {
            var previous = sigaction()
            sigaction(signal, nil, &previous)
            let ignored =
                unsafeBitCast(previous.__sigaction_handler.sa_handler, to: Int.self)
                == unsafeBitCast(SIG_IGN, to: Int.self)
            if ignored, saved[signal] == nil { continue }
            sigaction(signal, &action, nil)
            if saved[signal] == nil { saved[signal] = previous }
            installed.insert(signal)
        }
        return (
            installed.contains(SIGINT), installed.contains(SIGTERM), installed.contains(SIGHUP),
            installed.contains(SIGQUIT)
        )
    }
}

/// Sleeps until `descriptor` (a non-blocking pipe's read end, or -1 for none) is readable or
/// `milliseconds` have passed, and empties it.
private func waitReadable(_ descriptor: Int32, milliseconds: Int64) {
    var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
    _ = poll(&entry, 1, Int32(min(milliseconds, Int64(Int32.max))))
    guard descriptor >= 0 else { return }
    var bytes = [UInt8](repeating: 0, count: 64)
    while read(descriptor, &bytes, bytes.count) > 0 {}
}
