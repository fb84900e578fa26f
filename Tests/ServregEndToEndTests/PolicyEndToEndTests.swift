import Foundation
import RegistryTestSupport
import Testing

/// Hooks and schemas (issue 14), through the binary: real hook processes, one-shot, batch
/// files and the shell.
@Suite struct PolicyEndToEndTests {
    let servreg = ServregProcess()

    /// Writes an executable shell script into the test's directory; returns its path.
    private func script(_ name: String, _ body: String) throws -> String {
        let path = servreg.directory + "/" + name
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return path
    }

    private func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// The prod-owner policy of the issue: prod.* services need an owner.
    private func addOwnerHook() throws {
        let check = try script(
            "owner.sh",
            #"""
            input=$(cat)
            case "$input" in *'"owner":'*) exit 0;; esac
            echo "prod services need an owner" >&2
            echo "second line" >&2
            exit 1
            """#)
        let added = try servreg.run([
            "hook", "add", "before", "register", "--spec", "prod.*", "--name", "prod-owner", "--", check,
        ])
        #expect(added.status == 0 && added.stdout == "prod-owner\n", "\(added.stderr)")
    }

    @Test func aVetoIsExit3WithTheHooksMessageOneShotInABatchAndInTheShell() throws {
        try addOwnerHook()
        let before = try servreg.storeSnapshot()
        let refused = try servreg.run(["register", "prod.IDb", "--prop", "port=1"])
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr == "servreg: error: refused by hook prod-owner: prod services need an owner\n")
        #expect(try servreg.storeSnapshot() == before)
        #expect(try servreg.register(["prod.IDb", "--prop", "owner=ops"]) == 1)
        #expect(try servreg.register(["dev.IDb"]) == 2)
        // In a batch: that line's failure, FILE:LINE; the lines before it stand (they ran
        // in a group that committed before the line ran alone, outside any transaction).
        let batch = try servreg.run(
            ["run", "-"], stdin: "register dev.A\nregister prod.B\nregister dev.C\n")
        #expect(batch.status == 3)
        #expect(batch.stdout == "3\n")
        #expect(
            batch.stderr == "<stdin>:2: error: refused by hook prod-owner: prod services need an owner\n",
            "\(batch.stderr)")
        // --keep-going: the lines after it run too.
        let going = try servreg.run(
            ["run", "-", "--keep-going"], stdin: "register prod.B\nregister prod.B --prop owner=x\nregister dev.D\n")
        #expect(going.status == 3 && going.lines == ["4", "5"], "\(going.stdout) \(going.stderr)")
        // --atomic: refused whole, since the hook cannot run inside its transaction.
        let atomic = try servreg.run(
            ["run", "-", "--atomic"], stdin: "register dev.E\nregister prod.F --prop owner=x\n")
        #expect(atomic.status == 3)
        #expect(atomic.stderr.contains("<stdin>:2: error: hook prod-owner must see this change before it commits"))
        #expect(try servreg.run(["get-all", "dev.E", "--count"]).stdout == "0\n")
        // The shell.
        var environment = ProcessInfo.processInfo.environment
        environment["SERVREG_STORE"] = servreg.storePath
        environment["HOME"] = servreg.directory
        let shell = try TerminalSession([], environment: environment)
        #expect(shell.waitFor("servreg> "))
        var mark = shell.mark
        shell.type("register prod.G\n")
        #expect(shell.waitFor("refused by hook prod-owner: prod services need an owner", after: mark))
        mark = shell.mark
        shell.type("echo $?\n")
        #expect(shell.waitFor("3\n", after: mark), "\(shell.screen)")
        shell.type("exit\n")
        #expect(shell.exitStatus() == 0)
        #expect(try servreg.run(["get-all", "prod.G", "--count"]).stdout == "0\n")
    }

    @Test func aModifyingHookAndOrderAndAnAfterHookWhoseFailureIsAWarning() throws {
        let inputs = servreg.directory + "/inputs"
        let first = try script("first.sh", #"cat >> \#(inputs); echo; echo '{"env":"prod","region":"eu"}'"#)
        let second = try script(
            "second.sh", #"cat >> \#(inputs); echo >> \#(inputs); echo '{"region":null,"checked":true}'"#)
        let events = servreg.directory + "/events"
        let logger = try script("log.sh", #"cat >> \#(events); echo "logged $SERVREG_HOOK $SERVREG_OPERATION" >&2"#)
        let failing = try script("failing.sh", "cat > /dev/null; echo 'chat is down' >&2; exit 4")
        for (phase, operation, name, command) in [
            ("before", "register", "first", first), ("before", "register", "second", second),
            ("after", "register", "log", logger), ("after", "unregister", "notify", failing),
        ] {
            #expect(try servreg.run(["hook", "add", phase, operation, "--name", name, "--", command]).status == 0)
        }
        let listed = try servreg.run(["hook", "list", "-q"])
        #expect(listed.lines == ["first", "second", "log", "notify"])
        let registered = try servreg.run(["register", "acme.IDb", "--prop", "port=1"])
        #expect(registered.status == 0 && registered.stdout == "1\n")
        #expect(registered.stderr == "servreg: hook log: logged log register\n", "\(registered.stderr)")
        let properties = json(try servreg.run(["props", "1", "--json"]).stdout)
        #expect(properties["env"] as? String == "prod" && properties["checked"] as? Bool == true)
        #expect(properties["region"] == nil)
        // The second saw what the first made of the proposal.
        let seen = try String(contentsOfFile: inputs, encoding: .utf8).split(separator: "\n").map { json(String($0)) }
        #expect(seen.map { $0["hook"] as? String } == ["first", "second"])
        #expect((seen[0]["after"] as? [String: Any])?["env"] == nil)
        #expect((seen[1]["after"] as? [String: Any])?["env"] as? String == "prod")
        #expect(seen[0]["operation"] as? String == "register" && seen[0]["client"] as? String == "tester")
        // The after-hook got the event as listen --json prints it.
        let event = json(try String(contentsOfFile: events, encoding: .utf8).trimmingCharacters(in: .newlines))
        let listened = json(try servreg.run(["listen", "--since", "0", "--json", "--timeout", "0.1"]).lines[0])
        #expect(event["event"] as? String == "REGISTERED" && event["seq"] as? Int == listened["seq"] as? Int)
        #expect(NSDictionary(dictionary: event) == NSDictionary(dictionary: listened))
        // A failing after-hook: a warning, exit 0, the change stands.
        let removed = try servreg.run(["unregister", "1"])
        #expect(removed.status == 0, "\(removed.stderr)")
        #expect(
            removed.stderr
                == "servreg: warning: after-hook notify (service 1) exited with status 4: chat is down; the change stands\n"
        )
        #expect(try servreg.run(["get-all", "--count"]).stdout == "0\n")
    }

    @Test func timeoutsMissingCommandsAndBadOutputRefuseAndChangeNothing() throws {
        let slow = try script("slow.sh", "cat > /dev/null; sleep 5")
        #expect(
            try servreg.run(["hook", "add", "before", "set-props", "--name", "slow", "--timeout", "200ms", "--", slow])
                .status
                == 0)
        let id = try servreg.register(["acme.A", "--prop", "a=1"])
        let start = Date()
        let timedOut = try servreg.run(["set-props", "\(id)", "a=2"])
        #expect(timedOut.status == 3 && timedOut.stderr.contains("refused by hook slow: it ran longer than 200ms"))
        #expect(Date().timeIntervalSince(start) < 4)
        #expect(try servreg.run(["hook", "rm", "slow"]).status == 0)
        #expect(
            try servreg.run(["hook", "add", "before", "set-props", "--name", "gone", "--", "no-such-hook-cmd"]).status
                == 0)
        let missing = try servreg.run(["set-props", "\(id)", "a=2"])
        #expect(missing.status == 127 && missing.stderr.contains("hook gone: 'no-such-hook-cmd': command not found"))
        #expect(try servreg.run(["hook", "rm", "gone"]).status == 0)
        let chatty = try script("chatty.sh", "cat > /dev/null; echo 'not json'")
        #expect(try servreg.run(["hook", "add", "before", "set-props", "--name", "chatty", "--", chatty]).status == 0)
        let bad = try servreg.run(["set-props", "\(id)", "a=2"])
        #expect(bad.status == 3 && bad.stderr.contains("refused by hook chatty: its output is not a JSON object"))
        #expect(json(try servreg.run(["props", "\(id)", "--json"]).stdout)["a"] as? Int == 1)
    }

    /// A change made while a slow before-hook runs (no transaction is open then): the
    /// hook's change commits only after the hooks saw the service as it is now.
    @Test func aChangeRacingASlowBeforeHookIsSeenByItsHooksAgain() throws {
        let started = servreg.directory + "/started"
        let gate = servreg.directory + "/gate"
        let count = servreg.directory + "/count"
        #expect(mkfifo(started, 0o600) == 0 && mkfifo(gate, 0o600) == 0)
        let hook = try script(
            "gated.sh",
            """
            input=$(cat)
            n=$(cat \(count) 2>/dev/null || echo 0); n=$((n+1)); echo $n > \(count)
            printf '%s\\n' "$input" > \(servreg.directory)/input-$n
            if [ "$SERVREG_CLIENT" = first ] && [ ! -e \(servreg.directory)/released ]; then
              echo go > \(started); read line < \(gate); : > \(servreg.directory)/released
            fi
            """)
        #expect(try servreg.run(["hook", "add", "before", "set-props", "--timeout", "30s", "--", hook]).status == 0)
        let id = try servreg.register(["acme.A", "--prop", "n=0"])
        let output = servreg.directory + "/first.out"
        let first = try BackgroundProcess(
            "/bin/sh", ["-c", "SERVREG_CLIENT=first exec \"$SERVREG\" set-props \(id) m=1"], servreg: servreg,
            output: output)
        // Wait until its hook runs (it writes to the FIFO), then change the service.
        let signal = FileHandle(forReadingAtPath: started)?.readDataToEndOfFile()
        #expect(signal == Data("go\n".utf8))
        let second = try servreg.run(["set-props", "\(id)", "n=100"])
        #expect(second.status == 0, "\(second.stderr)")
        let release = FileHandle(forWritingAtPath: gate)
        release?.write(Data("release\n".utf8))
        try release?.close()
        #expect(first.exitStatus() == 0, "\((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        let properties = json(try servreg.run(["props", "\(id)", "--json"]).stdout)
        #expect(properties["n"] as? Int == 100 && properties["m"] as? Int == 1)
        // Three runs: the first's (held), the second command's, and the first's again on n=100.
        let third = json(try String(contentsOfFile: servreg.directory + "/input-3", encoding: .utf8))
        #expect((third["before"] as? [String: Any])?["n"] as? Int == 100)
        #expect((third["after"] as? [String: Any])?["m"] as? Int == 1)
    }

    @Test func hooksOfAStoreTheUserDoesNotTrustDoNotRun() throws {
        let ran = servreg.directory + "/ran"
        let hook = try script("mark.sh", "cat > /dev/null; : > \(ran)")
        #expect(try servreg.run(["hook", "add", "before", "register", "--", hook]).status == 0)
        chmod(servreg.directory + "/store", 0o770)
        defer { chmod(servreg.directory + "/store", 0o700) }
        let before = try servreg.storeSnapshot()
        let refused = try servreg.run(["register", "acme.A"])
        #expect(refused.status == 77 && refused.stderr.contains("writable by its group"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ran))
        #expect(try servreg.storeSnapshot() == before)
        // What no hook runs for is not refused.
        #expect(try servreg.run(["hook", "list", "-q"]).stdout == "hook-1\n")
    }

    @Test func schemasThroughTheCommandLine() throws {
        let set = try servreg.run([
            "schema", "set", "acme.IShop", "price:int[0..1000]!", "location:str!", "size:str{s,m,l}=m", "--closed",
        ])
        #expect(set.status == 0, "\(set.stderr)")
        let before = try servreg.storeSnapshot()
        let refused = try servreg.run(["register", "acme.IShop", "--prop", "price=ninety", "--prop", "extra=1"])
        #expect(refused.status == 3)
        #expect(
            refused.stderr
                == "servreg: error: the service does not match the schema of acme.IShop: price: expected int, got \"ninety\"; location: required; extra: not in the schema (it is closed)\n"
        )
        #expect(try servreg.storeSnapshot() == before)
        let id = try servreg.register(["acme.IShop", "--prop", "price=90", "--prop", "location=Paris"])
        #expect(json(try servreg.run(["props", "\(id)", "--json"]).stdout)["size"] as? String == "m")
        // In a batch, the line's failure; in --atomic, nothing.
        let batch = try servreg.run(
            ["run", "-", "--atomic"],
            stdin: "register acme.IShop --prop price=1 --prop location=x\nset-props \(id) size=xl\n")
        #expect(
            batch.status == 3 && batch.stderr.contains("<stdin>:2: error: the service does not match"),
            "\(batch.stderr)")
        #expect(try servreg.run(["get-all", "acme.IShop", "--count"]).stdout == "1\n")
        // schema set on violators: refused, listing them; --check only reports.
        let strict = try servreg.run(["schema", "set", "acme.IShop", "price:int[0..50]"])
        #expect(strict.status == 3)
        #expect(
            strict.stderr
                == "servreg: error: schema of acme.IShop refused: 1 registered service does not match it: service \(id) (price: 90 is out of the range 0..50) (change or unregister it first)\n"
        )
        let check = try servreg.run(["schema", "set", "acme.IShop", "price:int[0..50]", "--check"])
        #expect(check.status == 3 && check.stdout == "\(id)\tprice: 90 is out of the range 0..50\n")
        #expect(
            try servreg.run(["schema", "show", "acme.IShop", "-q"]).lines == [
                "price:int[0..1000]!", "location:str!", "size:str{s,m,l}=m",
            ])
        let shown = json(try servreg.run(["schema", "show", "acme.IShop", "--json"]).stdout)
        #expect(shown["closed"] as? Bool == true && (shown["fields"] as? [Any])?.count == 3)
        #expect(try servreg.run(["schema", "list", "-q"]).stdout == "acme.IShop\n")
        #expect(try servreg.run(["schema", "rm", "acme.IShop"]).status == 0)
        #expect(try servreg.run(["schema", "rm", "acme.IShop"]).status == 1)
        #expect(try servreg.run(["schema", "list"]).status == 1)
    }

    /// export carries hooks and schemas (issue 15) in the order they were set; import stores
    /// them with the services, runs none of them, and they govern the new store's changes.
    @Test func exportAndImportCarryHooksAndSchemas() throws {
        #expect(try servreg.run(["schema", "set", "a.B", "port:int!", "mode:str{x,y}=x"]).status == 0)
        let log = servreg.directory + "/after.log"
        let after = try script("after.sh", "cat >> '\(log)'")
        #expect(try servreg.run(["hook", "add", "after", "register", "--name", "tell", "--", after]).status == 0)
        let veto = try script("veto.sh", "echo 'no more a.B' >&2; exit 1")
        #expect(try servreg.register(["a.B", "--prop", "port=1", "--name", "one"]) == 1)
        #expect(
            try servreg.run(["hook", "add", "before", "register", "--spec", "a.*", "--name", "veto", "--", veto])
                .status == 0)
        let export = try servreg.run(["export"])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(
            Array(export.lines.prefix(4)) == [
                #"{"servreg.export":2,"last_service_id":1}"#,
                #"{"servreg.schema":"a.B","schema":{"closed":false,"fields":["port:int!","mode:str{x,y}=x"]}}"#,
                #"{"servreg.hook":"tell","hook":{"phase":"after","operation":"register","command":["\#(after)"],"timeout":5000}}"#,
                #"{"servreg.hook":"veto","hook":{"phase":"before","operation":"register","spec":"a.*","command":["\#(veto)"],"timeout":5000}}"#,
            ], "\(export.stdout)")
        let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        let moved = servreg.directory + "/moved.db"
        let imported = try servreg.run(["import", "-", "--store", moved], stdin: export.stdout)
        #expect(imported.status == 0, "\(imported.stderr)")
        // Neither the veto nor the after-hook ran for the import.
        #expect(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "") == logged)
        #expect(try servreg.run(["export", "--store", moved]).stdout == export.stdout)
        #expect(try servreg.run(["hook", "list", "-q", "--store", moved]).lines == ["tell", "veto"])
        // They govern what comes next: the veto refuses, the schema checks.
        let refused = try servreg.run(["register", "a.B", "--prop", "port=2", "--store", moved])
        #expect(
            refused.status == 3 && refused.stderr.contains("refused by hook veto: no more a.B"), "\(refused.stderr)")
        #expect(try servreg.run(["hook", "rm", "veto", "--store", moved]).status == 0)
        let typed = try servreg.run(["register", "a.B", "--prop", "port=x", "--store", moved])
        #expect(typed.status == 3, "\(typed.stderr)")
        // A store that has a hook of the export's names refuses the import, unchanged.
        let other = servreg.directory + "/other.db"
        #expect(
            try servreg.run([
                "hook", "add", "after", "unregister", "--name", "veto", "--store", other, "--", "/bin/true",
            ]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: other))
        let clash = try servreg.run(["import", "-", "--store", other], stdin: export.stdout)
        #expect(clash.status == 65)
        #expect(
            clash.stderr
                == "servreg: error: <stdin>:4: the store has a hook named 'veto' already; nothing was imported\n",
            "\(clash.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: other)) == before)
    }

    @Test(arguments: [
        (#"{"servreg.hook":"h","hook":{"phase":"never"}}"#, "<stdin>:2: the hook named 'h' cannot be read"),
        (
            #"{"servreg.schema":"a.B","schema":{"closed":false,"fields":["p:nope"]}}"#,
            "<stdin>:2: the schema for 'a.B' cannot be read"
        ),
        (#"{"servreg.schema":3,"schema":{}}"#, "<stdin>:2: servreg.schema must be a string"),
        (#"{"servreg.hook":"h"}"#, #"<stdin>:2: a hook line is {"servreg.hook":"…","hook":{…}}"#),
        (
            #"{"servreg.schema":"a.B","schema":{"closed":true,"fields":[]}}"# + "\n"
                + #"{"servreg.schema":"a.B","schema":{"closed":false,"fields":[]}}"#,
            "<stdin>:3: the schema for 'a.B' is also that of line 2"
        ),
    ])
    func aBadPolicyLineIsRefusedAndNoStoreIsMade(line: String, message: String) throws {
        let result = try servreg.run(
            ["import", "-"], stdin: #"{"servreg.export":2,"last_service_id":0}"# + "\n" + line + "\n")
        #expect(result.status == 65)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: servreg.storePath))
    }

    @Test func badHookAndSchemaInputIsOneLineAndChangesNothing() throws {
        _ = try servreg.register(["acme.A"])
        let before = try servreg.storeSnapshot()
        for (arguments, status, message) in [
            (
                ["hook", "add", "during", "register", "--", "x"], 64,
                "hook add: unknown phase 'during' (before or after)"
            ),
            (["hook", "add", "before", "rename", "--", "x"], 64, "unknown operation 'rename'"),
            (["hook", "add", "before", "register"], 64, "hook add needs a command after --"),
            (["hook", "add", "before", "register", "--name", "a b", "--", "x"], 65, "hook name 'a b' contains ' '"),
            (["hook", "add", "before", "register", "--spec", "a(b", "--", "x"], 65, "specification name 'a(b'"),
            (["hook", "add", "before", "register", "--timeout", "soon", "--", "x"], 65, "--timeout"),
            (["hook", "frob"], 64, "hook: unknown action 'frob' (add, list or rm)"),
            (["hook", "rm", "nothing"], 1, "no hook named 'nothing'"),
            (["schema", "set", "acme.A", "port"], 65, "schema field 'port': no type"),
            (["schema", "set", "acme.A", "port:integr"], 65, "schema field 'port:integr': unknown type 'integr'"),
            (["schema", "set", "acme.A", "port:int[9..1]"], 65, "[9..1] is not a range"),
            (["schema", "set", "acme.A", "port:int=eighty"], 65, "default 'eighty': 'eighty' is not a 64-bit integer"),
            (["schema", "set", "acme.A", "port:int[0..9]=10"], 65, "default '10': 10 is out of the range 0..9"),
            (["schema", "set", "acme.A", "port:bool{true}"], 65, "bool takes no {…} list of values"),
            (["schema", "set", "acme.A", "service.id:int"], 65, "service.id is kept by the registry"),
            (["schema", "set", "acme.A", "a:int", "A:str"], 65, "its key is also given by 'a:int'"),
            (["schema", "set", "acme.A", "a:int\u{1}"], 65, "schema field 'a:int\\u{1}'"),
            (["schema", "show", "acme.A"], 1, "no schema for acme.A"),
            (["schema", "frob"], 64, "schema: unknown action 'frob'"),
        ] {
            let result = try servreg.run(arguments)
            #expect(result.status == Int32(status), "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
            #expect(!result.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        }
        #expect(try servreg.storeSnapshot() == before)
    }
}
