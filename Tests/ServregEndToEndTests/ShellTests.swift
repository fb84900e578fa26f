import Foundation
import RegistryTestSupport
import Testing

/// The interactive shell on a real (pseudo-)terminal: completion, history, Ctrl-C, Ctrl-D.
@Suite(.serialized) struct ShellTests {
    let servreg = ServregProcess()

    private var environment: [String: String] {
        [
            "SERVREG_STORE": servreg.storePath, "HOME": servreg.directory,
            "XDG_STATE_HOME": servreg.directory + "/state",
        ]
    }

    private func startShell() throws -> TerminalSession {
        let shell = try TerminalSession([], environment: environment)
        #expect(shell.waitFor("servreg> "), "no prompt; screen: \(shell.screen)")
        return shell
    }

    @Test func tabCompletesCommandsSpecificationsAndIds() throws {
        let id = try servreg.register(["acme.IPlumber", "--prop", "price=90"])
        let shell = try startShell()
        var mark = shell.mark
        shell.type("unreg\t")
        #expect(shell.waitFor("unregister ", after: mark), "\(shell.screen)")
        shell.type("\u{15}")  // Ctrl-U clears the line
        mark = shell.mark
        shell.type("get acme.IPl\t")
        #expect(shell.waitFor("IPlumber ", after: mark), "\(shell.screen)")
        shell.type("-q\r")
        #expect(shell.waitFor("\(id)\n", after: mark), "\(shell.screen)")
        mark = shell.mark
        shell.type("props \t")
        #expect(shell.waitFor("props \(id) ", after: mark), "\(shell.screen)")
        shell.type("\r")
        #expect(shell.waitFor("price", after: mark))
        shell.type("exit\r")
        #expect(shell.exitStatus() == 0)
    }

    @Test func historySurvivesARestartWithoutConsecutiveDuplicates() throws {
        var shell = try startShell()
        shell.type("get-all --count\r")
        shell.type("get-all --count\r")
        let beforeEcho = shell.mark
        shell.type("echo remembered\r")
        #expect(shell.waitFor("remembered\nservreg> ", after: beforeEcho))
        shell.type("\u{04}")
        #expect(shell.exitStatus() == 0)
        let history = try String(contentsOfFile: servreg.directory + "/state/servreg/history", encoding: .utf8)
        #expect(history.components(separatedBy: "get-all\\040--count").count == 2, "\(history)")

        shell = try startShell()
        let mark = shell.mark
        shell.type("\u{1B}[A\r")  // Up arrow recalls the last line of the previous session
        #expect(shell.waitFor("remembered\n", after: mark), "\(shell.screen)")
        shell.type("exit\r")
        #expect(shell.exitStatus() == 0)
    }

    @Test func ctrlCClearsTheLineAndCtrlDLeaves() throws {
        let shell = try startShell()
        var mark = shell.mark
        shell.type("register acme.IHalfTyped")
        #expect(shell.waitFor("IHalfTyped", after: mark))
        mark = shell.mark
        shell.type("\u{03}")
        #expect(shell.waitFor("servreg> ", after: mark), "no fresh prompt after Ctrl-C: \(shell.screen)")
        mark = shell.mark
        shell.type("get-all --count\r")
        #expect(shell.waitFor("0\nservreg> ", after: mark), "the half-typed line ran: \(shell.screen)")
        shell.type("\u{04}")
        #expect(shell.exitStatus() == 0)
        #expect(try servreg.run(["get-all", "--count"]).stdout == "0\n")
    }

    @Test func ctrlCEndsAListenAndThePromptReturns() throws {
        let shell = try startShell()
        var mark = shell.mark
        shell.type("listen acme.IPlumber --since 0\r")
        // From --since 0 the listener sees the registration whether it starts before or after it.
        _ = try servreg.register(["acme.IPlumber", "--prop", "price=90"])
        #expect(shell.waitFor("REGISTERED", after: mark), "the listener in the shell saw nothing: \(shell.screen)")
        mark = shell.mark
        shell.type("\u{03}")
        // The prompt shows the interrupted command's status.
        #expect(shell.waitFor("servreg [130]> ", after: mark), "no prompt after Ctrl-C: \(shell.screen)")
        mark = shell.mark
        shell.type("get-all --count\r")
        #expect(shell.waitFor("1\nservreg> ", after: mark), "\(shell.screen)")
        shell.type("exit\r")
        #expect(shell.exitStatus() == 0)
    }

    /// `register --hold` in the shell: Ctrl-C ends the command (the service goes) and the
    /// shell's own Ctrl-C handling comes back; a failed command is status 2 there.
    @Test func aHeldCommandInTheShellEndsOnCtrlCAndThePromptComesBack() throws {
        let shell = try startShell()
        var mark = shell.mark
        shell.type("register acme.IHeld --name h --hold -- sleep 60\r")
        #expect(shell.waitFor("is held by sleep", after: mark), "\(shell.screen)")
        #expect(try servreg.run(["props", "@h", "-q"]).status == 0)
        mark = shell.mark
        shell.type("\u{03}")
        #expect(shell.waitFor("servreg [130]> ", after: mark), "no prompt after Ctrl-C: \(shell.screen)")
        #expect(try servreg.run(["props", "@h"]).status == 1)
        mark = shell.mark
        shell.type("register acme.IHeld --hold -- sh -c 'exit 5'\r")
        #expect(shell.waitFor("exited with status 5", after: mark), "\(shell.screen)")
        #expect(shell.waitFor("servreg [2]> ", after: mark), "\(shell.screen)")
        mark = shell.mark
        shell.type("register acme.IHalfTyped")
        #expect(shell.waitFor("IHalfTyped", after: mark))
        mark = shell.mark
        shell.type("\u{03}")
        #expect(shell.waitFor("servreg [2]> ", after: mark), "Ctrl-C at the prompt no longer works: \(shell.screen)")
        mark = shell.mark
        shell.type("get-all --count\r")
        #expect(shell.waitFor("0\nservreg> ", after: mark), "the half-typed line ran: \(shell.screen)")
        shell.type("exit\r")
        #expect(shell.exitStatus() == 0)
    }

    @Test func onlyAStoreOptionOnATerminalStartsTheShellOnThatStore() throws {
        let other = servreg.directory + "/other/registry.db"
        try FileManager.default.createDirectory(atPath: servreg.directory + "/other", withIntermediateDirectories: true)
        let shell = try TerminalSession(["--store", other], environment: environment)
        #expect(shell.waitFor("servreg> "), "\(shell.screen)")
        let mark = shell.mark
        shell.type("register acme.IElsewhere\r")
        #expect(shell.waitFor("1\n", after: mark), "\(shell.screen)")
        shell.type("exit\r")
        #expect(shell.exitStatus() == 0)
        #expect(try servreg.run(["get-all", "-q", "--store", other]).lines == ["1"])
        #expect(try servreg.run(["get-all", "--count"]).stdout == "0\n", "the default store was not touched")
    }

    /// Tab completes --requires (specifications, @names) and deps' ids; a value printed
    /// without a newline ends its line before the prompt, which would overwrite it.
    @Test func requirementsCompleteAndAValueEndsItsLineBeforeThePrompt() throws {
        _ = try servreg.register(["acme.IDatabase", "--name", "db", "--value", "pg://h"])
        let shell = try startShell()
        var mark = shell.mark
        shell.type("register acme.Web --requires acme.IDa\t")
        #expect(shell.waitFor("--requires acme.IDatabase ", after: mark), "\(shell.screen)")
        shell.type("\u{15}")
        mark = shell.mark
        shell.type("register acme.Web --requires @d\t")
        #expect(shell.waitFor("--requires @db ", after: mark), "\(shell.screen)")
        shell.type("\u{15}")
        mark = shell.mark
        shell.type("deps @\t")
        #expect(shell.waitFor("deps @db ", after: mark), "\(shell.screen)")
        shell.type("\u{15}")
        mark = shell.mark
        shell.type("get acme.IDatabase --value\r")
        #expect(shell.waitFor("pg://h\nservreg> ", after: mark), "\(shell.screen)")
        shell.type("exit\r")
        #expect(shell.exitStatus() == 0)
    }

    @Test func errorsPrintAndTheSessionGoesOnWithNonASCIIIntact() throws {
        let shell = try startShell()
        var mark = shell.mark
        shell.type("get-all --filter '(x=1'\r")
        #expect(shell.waitFor("filter error at column", after: mark))
        mark = shell.mark
        shell.type("register acme.IPlumber --prop name=Jürgen-Ü --prop city=東京\r")
        #expect(shell.waitFor("1\n", after: mark), "\(shell.screen)")
        shell.type("exit 0\r")
        #expect(shell.exitStatus() == 0)
        let stored = try servreg.run(["props", "1", "--json"]).stdout
        #expect(stored.contains(#""name":"Jürgen-Ü""#), "\(stored)")
        #expect(stored.contains(#""city":"東京""#))
    }

    /// A shell whose first read found no store sees the store once another process makes
    /// it, and every commit after (issue 9: it used to show an empty registry until it
    /// wrote itself).
    @Test func aStoreCreatedByAnotherProcessIsSeenByTheShell() throws {
        let shell = try startShell()
        var mark = shell.mark
        shell.type("get-all --count\r")
        #expect(shell.waitFor("0\n", after: mark), "\(shell.screen)")
        #expect(!FileManager.default.fileExists(atPath: servreg.storePath))
        _ = try servreg.register(["acme.IPlumber"])
        _ = try servreg.register(["acme.IPlumber"])
        mark = shell.mark
        shell.type("get-all --count\r")
        #expect(shell.waitFor("2\n", after: mark), "\(shell.screen)")
        _ = try servreg.register(["acme.IHeater"])
        mark = shell.mark
        shell.type("specs -q\r")
        #expect(shell.waitFor("acme.IHeater", after: mark), "\(shell.screen)")
        shell.type("exit\r")
        #expect(shell.exitStatus() == 0)
    }

    /// On a terminal, listen says what it listens to and how to stop it.
    @Test func listenOnATerminalSaysHowToStop() throws {
        let shell = try startShell()
        let mark = shell.mark
        shell.type("listen --count 1\r")
        #expect(shell.waitFor("Ctrl-C stops", after: mark), "\(shell.screen)")
        _ = try servreg.register(["acme.IPlumber"])
        #expect(shell.waitFor("REGISTERED", after: mark), "\(shell.screen)")
        shell.type("exit\r")
        #expect(shell.exitStatus() == 0)
    }

    /// The banner names the store; help fits a screen; a backslash or an open quote
    /// continues a line at a continuation prompt; $? and the prompt show the last status;
    /// run FILE runs a batch from the prompt, run - is refused (issue 9).
    @Test func continuationLinesStatusHelpAndRunAtThePrompt() throws {
        let shell = try startShell()
        #expect(shell.screen.contains("servreg shell on \(servreg.storePath)"), "\(shell.screen)")
        var mark = shell.mark
        shell.type("help\r")
        #expect(shell.waitFor("SESSION:", after: mark), "\(shell.screen)")
        #expect(shell.waitFor("servreg> ", after: mark))
        let help = shell.shown(after: mark)
        let helpLines = help.split(separator: "\n")
        #expect(helpLines.count <= 24 && helpLines.allSatisfy { $0.count <= 80 }, "\(help)")
        #expect(!help.contains("  shell "))
        mark = shell.mark
        shell.type("register acme.IPlumber \\\r")
        #expect(shell.waitFor("      > ", after: mark), "\(shell.screen)")
        shell.type("--prop 'name=Joe\r")
        shell.type("Bloggs' -q\r")
        #expect(shell.waitFor("1\n", after: mark), "\(shell.screen)")
        mark = shell.mark
        shell.type("get-all --filter '(x=1'\r")
        #expect(shell.waitFor("servreg [65]> ", after: mark), "\(shell.screen)")
        mark = shell.mark
        shell.type("echo status $?\r")
        #expect(shell.waitFor("status 65\n", after: mark), "\(shell.screen)")
        let file = servreg.directory + "/more.srv"
        try "register acme.IHeater -q\nget-all --count\n".write(toFile: file, atomically: true, encoding: .utf8)
        mark = shell.mark
        shell.type("run \(file)\r")
        #expect(shell.waitFor("2\n2\n", after: mark), "\(shell.screen)")
        mark = shell.mark
        shell.type("run -\r")
        #expect(shell.waitFor("standard input is this session's own input", after: mark), "\(shell.screen)")
        shell.type("exit\r")
        #expect(shell.exitStatus() == 0)
        let name = try servreg.run(["props", "1", "--json"]).stdout
        #expect(name.contains(#""name":"Joe\nBloggs""#), "\(name)")
    }

    /// On a terminal a table fits its width, wrapping cells (nothing cut off); in a pipe one
    /// line a service; keys in natural order either way (issue 9).
    @Test func tablesFitTheTerminalAndKeepEveryWord() throws {
        let description = (1...20).map { "word\($0)" }.joined(separator: " ")
        _ = try servreg.register([
            "acme.IPlumber", "acme.some.very.long.specification.Name", "--prop", "desc=\(description)", "--prop",
            "key10=1", "--prop", "key2=2",
        ])
        var environment = self.environment
        environment["COLUMNS"] = "60"
        let shell = try TerminalSession([], environment: environment)
        #expect(shell.waitFor("servreg> "), "\(shell.screen)")
        let mark = shell.mark
        shell.type("get-all\r")
        #expect(shell.waitFor("word20", after: mark), "\(shell.screen)")
        #expect(shell.waitFor("servreg> ", after: mark))
        let table = shell.shown(after: mark).split(separator: "\n").dropFirst().dropLast()
        #expect(table.count > 2 && table.allSatisfy { $0.count <= 60 }, "\(table)")
        let text = table.joined(separator: " ")
        #expect((1...20).allSatisfy { text.contains("word\($0)") })
        shell.type("exit\r")
        #expect(shell.exitStatus() == 0)
        let piped = try servreg.run(["get-all"], environment: ["COLUMNS": "60"])
        #expect(piped.lines.count == 2)
        let row = try #require(piped.lines.last)
        let key2 = try #require(row.range(of: "key2=2"))
        let key10 = try #require(row.range(of: "key10=1"))
        #expect(key2.lowerBound < key10.lowerBound, "\(row)")
    }

    /// Tab inside a quoted filter completes the key and leaves the quote open (issue 9).
    @Test func tabCompletesInsideAQuotedFilter() throws {
        let id = try servreg.register(["acme.IPlumber", "--prop", "price=90"])
        let shell = try startShell()
        let mark = shell.mark
        shell.type("get-all -q --filter '(pr\t")
        #expect(shell.waitFor("'(price", after: mark), "\(shell.screen)")
        shell.type("=90)'")
        // No blank after the key: the filter goes on.
        #expect(shell.waitFor("'(price=90)'", after: mark), "\(shell.screen)")
        shell.type("\r")
        #expect(shell.waitFor("\(id)\n", after: mark), "\(shell.screen)")
        shell.type("exit\r")
        #expect(shell.exitStatus() == 0)
    }

    /// Ctrl-C in the middle of a burst of keys (a paste, fast typing) still clears what
    /// came before it; what follows it is the new line (issue 9).
    @Test func ctrlCInABurstOfKeysIsNotLost() throws {
        let shell = try startShell()
        let mark = shell.mark
        shell.type("get-all --bogus\u{03}get-all --count\r")
        #expect(shell.waitFor("0\n", after: mark), "\(shell.screen)")
        #expect(!shell.shown(after: mark).contains("Unknown option"), "\(shell.screen)")
        shell.type("exit\r")
        #expect(shell.exitStatus() == 0)
    }

    /// Listed ids show what they are: their specifications (issue 9).
    @Test func idsAreListedWithTheirSpecifications() throws {
        _ = try servreg.register(["acme.IPlumber"])
        _ = try servreg.register(["acme.IPainter", "acme.IDecorator"])
        let shell = try startShell()
        let mark = shell.mark
        shell.type("props \t")
        #expect(shell.waitFor("1 (acme.IPlumber)", after: mark), "\(shell.screen)")
        #expect(shell.waitFor("2 (acme.IPainter,acme.IDecorator)", after: mark), "\(shell.screen)")
        shell.type("\u{15}register acme.IDatabase --name db\r")
        let named = shell.mark
        shell.type("props \t")
        #expect(shell.waitFor("@db (3 acme.IDatabase)", after: named), "\(shell.screen)")
        shell.type("\u{15}exit\r")
        #expect(shell.exitStatus() == 0)
    }
}
