import Foundation
import RegistryTestSupport
import Testing

/// The committed completion scripts are what the binary generates, and they complete
/// commands, specification names and ids when a shell drives them.
@Suite struct CompletionScriptTests {
    let servreg = ServregProcess()
    static let scripts = ["bash": "servreg.bash", "zsh": "_servreg", "fish": "servreg.fish"]

    @Test(arguments: ["bash", "zsh", "fish"])
    func committedScriptMatchesTheBinary(shell: String) throws {
        let path = ManualTests.packageRoot.appendingPathComponent("completions/" + Self.scripts[shell]!).path
        let committed = try String(contentsOfFile: path, encoding: .utf8)
        let generated = try servreg.run(["--generate-completion-script", shell])
        #expect(generated.status == 0)
        #expect(generated.stdout == committed, "completions/ drifted: run 'make completions'")
    }

    /// What bash's programmable completion offers for `line` (the cursor at its end).
    private func bashCompletes(_ line: String) throws -> [String] {
        let script = ManualTests.packageRoot.appendingPathComponent("completions/servreg.bash").path
        let driver = """
            source "$1"
            COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}
            read -ra COMP_WORDS <<< "$2"
            [[ "$2" == *" " ]] && COMP_WORDS+=("")
            COMP_WORDS[0]="$3"
            COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
            _servreg servreg "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try servreg.run(
            ["--norc", "--noprofile", "-c", driver, "bash", script, line, ServregProcess.binary],
            executable: "/bin/bash")
        #expect(result.stderr == "")
        return result.lines.filter { !$0.isEmpty }
    }

    @Test func bashCompletesCommandsSpecificationsIdsAndKeys() throws {
        let id = try servreg.register(["acme.IPlumber", "--prop", "price=90"])
        _ = try servreg.register(["acme.IPainter"])
        #expect(try bashCompletes("servreg ge") == ["get", "get-all"])
        #expect(try bashCompletes("servreg get") == ["get", "get-all"])
        #expect(try bashCompletes("servreg re") == ["register", "renew"])
        #expect(try bashCompletes("servreg get acme.IPl") == ["acme.IPlumber"])
        #expect(try bashCompletes("servreg get-all ") == ["acme.IPainter", "acme.IPlumber"])
        #expect(try bashCompletes("servreg props ") == ["\(id)", "2"])
        #expect(try bashCompletes("servreg get acme.IPlumber --m") == ["--min", "--max"])
        #expect(try bashCompletes("servreg get acme.IPlumber --min p") == ["price"])
        // Global options before the command name: the command's arguments still complete (issue 9).
        let store = servreg.storePath
        #expect(try bashCompletes("servreg --store \(store) get acme.IPl") == ["acme.IPlumber"])
        #expect(try bashCompletes("servreg --json -q get-all ") == ["acme.IPainter", "acme.IPlumber"])
        #expect(try bashCompletes("servreg --store \(store) ge") == ["get", "get-all"])
        // Named services complete as @NAME, after the ids (issue 11).
        _ = try servreg.register(["acme.IDatabase", "--name", "db"])
        #expect(try bashCompletes("servreg props ") == ["\(id)", "2", "3", "@db"])
        #expect(try bashCompletes("servreg unregister @") == ["@db"])
        #expect(try bashCompletes("servreg keepalive @d") == ["@db"])
    }
}
