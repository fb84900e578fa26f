import CLibEdit
import Foundation
import ServiceRegistry
import ServregSyntax

/// The `servreg>` prompt on a terminal, with libedit: emacs key bindings, `~/.editrc`,
/// history in `$XDG_STATE_HOME/servreg/history`, Tab completion, Ctrl-C to clear a line.
final class InteractiveShell {
    let session: CommandSession
    private let historyPath: String?
    private static let historySize: Int32 = 1000

    init(session: CommandSession) {
        self.session = session
        historyPath = Self.historyFile(environment: session.context.environment)
    }

    /// `$XDG_STATE_HOME/servreg/history`, else `~/.local/state/servreg/history`.
    static func historyFile(environment: [String: String]) -> String? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/servreg/history" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.local/state/servreg/history"
    }

    /// Runs until `exit`, `quit` or Ctrl-D; returns the status to exit with.
    func run() -> ExitStatus {
        Self.useUTF8Locale()
        InterruptFlag.install()
        guard let editor = el_init(CommandLine.arguments[0], clibedit_stdin(), clibedit_stdout(), clibedit_stderr()),
            let history = history_init()
        else {
            return session.context.report(CommandLineError.lineEditingUnavailable)
        }
        defer {
            history_end(history)
            el_end(editor)
        }
        clibedit_history_setsize(history, Self.historySize)
        clibedit_history_setunique(history, 1)
        if let historyPath { clibedit_history_load(history, historyPath) }
        clibedit_set_editor(editor, "emacs")
        clibedit_set_signal(editor, 1)
        clibedit_set_prompt(editor) { _ in InteractiveShell.prompt }
        clibedit_set_hist(editor, history)
        clibedit_set_clientdata(editor, Unmanaged.passUnretained(self).toOpaque())
        clibedit_add_fn(editor, "servreg-complete", "Complete the word before the cursor", Self.completeCallback)
        clibedit_bind(editor, "^I", "servreg-complete")
        el_source(editor, nil)

        session.interactive = true
        let store = (try? session.context.location(.defaults)).map { "\($0)" } ?? "the default store"
        session.context.errors.write(
            "servreg shell on \(TextEscaping.escapingControlCharacters(store)): help lists commands, "
                + "Tab completes, Ctrl-D leaves.\n")
        session.context.errors.flush()
        var lastStatus = ExitStatus.success
        // A line so far, when it ends inside quotes or with a backslash: the next one continues it.
        var pending: String?
        while true {
            Self.setPrompt(
                pending != nil
                    ? "      > " : lastStatus == .success ? "servreg> " : "servreg [\(lastStatus.rawValue)]> ")
            var count: Int32 = 0
            guard let raw = el_gets(editor, &count) else {
                if InterruptFlag.take() {
                    session.context.errors.write("^C\n")
                    session.context.errors.flush()
                    el_reset(editor)
                    pending = nil
                    continue
                }
                session.context.errors.write("\n")
                session.context.errors.flush()
                if let pending {
                    // Ctrl-D inside an open quote: the line is unfinished; say so, and leave
                    // with its status.
                    if case .status(let status) = session.execute(pending) { return status }
                }
                return .success
            }
            var line = String(cString: raw)
            while line.hasSuffix("\n") || line.hasSuffix("\r") { line.removeLast() }
            _ = InterruptFlag.take()
            if pending == nil, line.allSatisfy(\.isWhitespace) { continue }
            if let before = pending {
                // A backslash before the line end joins the lines; inside quotes the newline stays.
                line = before.hasSuffix("\\") ? String(before.dropLast()) + line : before + "\n" + line
            }
            if Self.continues(line) {
                pending = line
                continue
            }
            pending = nil
            clibedit_history_enter(history, line)
            saveHistory(history)
            session.context.diagnosticPrefix = "servreg: "
            let outcome = session.execute(line)
            // A value printed without a newline (get --value) would be overwritten by the prompt.
            if !session.context.output.atLineStart {
                session.context.output.write("\n")
            }
            session.context.output.flush()
            session.context.errors.flush()
            switch outcome {
            case .exit(let status): return status
            case .status(let status): lastStatus = status
            }
        }
    }

    /// Whether a line ends inside quotes or with a backslash (a continuation line follows).
    static func continues(_ line: String) -> Bool {
        do {
            _ = try LineTokenizer { _ in "" }.words(line)
            return false
        } catch {
            return error.isIncomplete
        }
    }

    /// The prompt libedit shows: `servreg> `, with the last failing status, or `> ` for a
    /// continuation line. A C string that lives until the next one replaces it.
    nonisolated(unsafe) private static var prompt: UnsafeMutablePointer<CChar>? = strdup("servreg> ")

    private static func setPrompt(_ text: String) {
        if let prompt, String(cString: prompt) == text { return }
        let old = prompt
        prompt = strdup(text)
        free(old)
    }

    private func saveHistory(_ history: OpaquePointer) {
        guard let historyPath else { return }
        let directory = (historyPath as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        clibedit_history_save(history, historyPath)
        chmod(historyPath, 0o600)
    }

    /// Non-ASCII input needs a UTF-8 locale: without one libedit drops those characters.
    private static func useUTF8Locale() {
        setlocale(LC_CTYPE, "")
        if let codeset = nl_langinfo(nl_item(CODESET)), String(cString: codeset) != "UTF-8" {
            setlocale(LC_CTYPE, "C.UTF-8")
        }
    }

    // MARK: Completion

    private static let completeCallback: clibedit_cmd_fn = { editor, _ in
        guard let editor, let data = clibedit_get_clientdata(editor) else { return UInt8(CC_ERROR) }
        let shell = Unmanaged<InteractiveShell>.fromOpaque(data).takeUnretainedValue()
        return shell.complete(editor)
    }

    private func complete(_ editor: OpaquePointer) -> UInt8 {
        guard let info = el_line(editor)?.pointee else { return UInt8(CC_ERROR) }
        let length = info.cursor - info.buffer
        let before = String(
            decoding: UnsafeBufferPointer(
                start: UnsafeRawPointer(info.buffer).assumingMemoryBound(to: UInt8.self),
                count: length), as: UTF8.self)
        let (words, current) = Self.split(before)
        guard let words else { return UInt8(CC_REFRESH_BEEP) }
        let registry = try? session.context.registry(.defaults, access: .read)
        let candidates = Completer(registry: registry, inShell: true).complete(words: words, current: current)
        guard !candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
        if candidates.count == 1 {
            let candidate = candidates[0]
            // Keys before "=" and inside a filter (quoted or not) are not finished words.
            let inFilter = candidate.hasPrefix("(") || candidate.hasPrefix("'(") || candidate.hasPrefix("\"(")
            let ending = candidate.hasSuffix("=") || inFilter ? "" : " "
            el_insertstr(editor, String(candidate.dropFirst(current.count)) + ending)
            return UInt8(CC_REFRESH)
        }
        let common = candidates.dropFirst().reduce(candidates[0]) { $0.commonPrefix(with: $1) }
        if common.count > current.count {
            el_insertstr(editor, String(common.dropFirst(current.count)))
            return UInt8(CC_REFRESH)
        }
        // Service ids are listed with what they are: their specifications.
        let shown = Self.withHints(candidates, registry: registry)
        let width = (shown.map(\.count).max() ?? 0) + 2
        let columns = max(1, 80 / width)
        var listing = "\n"
        for (index, candidate) in shown.enumerated() {
            listing += candidate.padding(toLength: width, withPad: " ", startingAt: 0)
            if (index + 1) % columns == 0 || index == candidates.count - 1 { listing += "\n" }
        }
        session.context.errors.write(listing)
        session.context.errors.flush()
        return UInt8(CC_REDISPLAY)
    }

    /// Candidates that are all services (ids, `@NAME`), each followed by its specifications
    /// (`12 (acme.IPlumber)`, `@db (4 acme.IDatabase)`); other candidates as they are.
    static func withHints(_ candidates: [String], registry: Registry?) -> [String] {
        let references = candidates.map { try? ServiceIDArgument.reference($0) }
        guard let registry, references.allSatisfy({ $0 != nil }) else { return candidates }
        return zip(candidates, references).map { candidate, reference in
            guard let reference, let record = try? registry.service(reference) else { return candidate }
            var specifications = record.specifications.map(TextEscaping.visible).joined(separator: ",")
            if specifications.count > 40 { specifications = String(specifications.prefix(39)) + "…" }
            if case .name = reference { return "\(candidate) (\(record.id) \(specifications))" }
            return "\(candidate) (\(specifications))"
        }
    }

    /// The complete words before the cursor and the word being typed; nil words when the
    /// line so far cannot be split (an open quote).
    static func split(_ text: String) -> (words: [String]?, current: String) {
        var boundary = text.endIndex
        while boundary > text.startIndex {
            let previous = text.index(before: boundary)
            if text[previous] == " " || text[previous] == "\t" { break }
            boundary = previous
        }
        let current = String(text[boundary...])
        let words = try? LineTokenizer { _ in "" }.words(String(text[..<boundary]))
        return (words, current)
    }
}
