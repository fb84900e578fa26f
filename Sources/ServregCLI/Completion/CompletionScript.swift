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
    /// It also took `--store` in `servreg --store X get <Tab>` for the command: global
    /// options before the command move after it.
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
        // Before the root reads its own options (it drops what it does not know).
        let wordsLine = "    local -a unparsed_words=(\"${COMP_WORDS[@]:1:${COMP_CWORD}}\")\n"
        if let words = patched.range(of: wordsLine) {
            patched.replaceSubrange(words, with: wordsLine + Self.hoistGlobals)
        }
        return patched
    }

    /// Moves global options typed before the command name after it.
    private static let hoistGlobals = """
            # servreg: options before the command name (--store PATH, --json, -q) are the
            # command's, as in one-shot use: move them after it, once it is typed.
            local -a servreg_globals=()
            while true; do
                case "${unparsed_words[0]}" in
                --store)
                    [[ "${#unparsed_words[@]}" -gt 2 ]] || break
                    servreg_globals+=("${unparsed_words[@]:0:2}")
                    unparsed_words=("${unparsed_words[@]:2}")
                    ;;
                --store=*|--json|-q|--quiet)
                    [[ "${#unparsed_words[@]}" -gt 1 ]] || break
                    servreg_globals+=("${unparsed_words[0]}")
                    unparsed_words=("${unparsed_words[@]:1}")
                    ;;
                *) break ;;
                esac
            done
            if [[ "${#servreg_globals[@]}" -gt 0 && "${#unparsed_words[@]}" -gt 1 ]]; then
                unparsed_words=("${unparsed_words[0]}" "${servreg_globals[@]}" "${unparsed_words[@]:1}")
            fi

        """

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
