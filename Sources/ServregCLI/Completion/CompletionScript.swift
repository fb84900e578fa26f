import ArgumentParser
import Foundation

/// The shell completion scripts: argument-parser's, with what its bash script gets wrong
/// mended, so that `servreg --generate-completion-script SHELL` and the committed
/// `completions/` files are the same thing.
enum CompletionScript {
    /// The script for a shell (`bash`, `zsh` or `fish`), or nil for another name.
    static func text(for shellName: String) -> String? {
        guard let shell = CompletionShell(rawValue: shellName) else { return nil }
        let script = Servreg.completionScript(for: shell)
        return shell == .bash ? patchBash(script) : script
    }

    /// argument-parser's bash script dispatches on the first word even while that word is
    /// still being typed, so `servreg get<Tab>` offered get's arguments instead of `get`
    /// and `get-all`. While the command name is the word under the cursor, offer names.
    static func patchBash(_ script: String) -> String {
        let marker = "    # Offer subcommand / subcommand argument completions\n"
        guard let names = rootCommandNames(in: script), let range = script.range(of: marker) else { return script }
        let guardBlock = """
                # servreg: while the command name itself is being typed, offer command names.
                if [[ "${#unparsed_words[@]}" -le 1 && "${cur}" != -* ]]; then
                    COMPREPLY+=($(compgen -W '\(names)' -- "${cur}"))
                    return
                fi

            """
        var patched = script
        patched.replaceSubrange(range, with: guardBlock + marker)
        return patched
    }

    /// The word list of the root's `compgen -W '…'` subcommand line.
    private static func rootCommandNames(in script: String) -> String? {
        let head = "        COMPREPLY+=($(compgen -W '"
        for line in script.split(separator: "\n") where line.hasPrefix(head) {
            let rest = line.dropFirst(head.count)
            guard let end = rest.firstIndex(of: "'") else { return nil }
            return String(rest[..<end])
        }
        return nil
    }
}
