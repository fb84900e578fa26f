import Foundation
import RegistryTestSupport
import Testing

/// Bad input: one line on stderr naming the problem, the documented status, no change.
@Suite struct BadInputTests {
    let servreg = ServregProcess()

    static let cases: [(arguments: [String], status: Int32, message: String)] = [
        (
            ["get", "acme.IPlumber", "--filter", "(&(price<=100)(location=BH3)"], 65,
            "filter error at column 29: unexpected end of filter; expected ')'"
        ),
        (["get-all", "--filter", "(price<100)"], 65, "filter error at column 7: '<' is not an operator; use '<='"),
        (["get-all", "--filter", ""], 65, "filter error at column 1: the filter is empty"),
        (["get-all", "acme.IPlumber", "--min", "nosuchkey"], 65, "no matching service has the property 'nosuchkey'"),
        (["register", "acme.IPlumber", "--prop", "novalue"], 65, "property 'novalue' is not of the form key=value"),
        (["register", "acme.IPlumber", "--prop", "price:int=cheap"], 65, "'cheap' is not a 64-bit integer"),
        (["register", "acme.IPlumber", "--props-json", "{\"a\": 1,"], 65, "invalid JSON at offset"),
        (["register", "acme.IPlumber", "--ranking", "5.7"], 65, "--ranking: '5.7' is not a 64-bit integer"),
        (
            ["register", "acme.IPlumber", "--props-json", "{\"service.ranking\": \"10\"}"], 65,
            "service.ranking must be an integer"
        ),
        (["register", "acme.IPlumber", "--prop", "price=1", "--prop", "PRICE=2"], 65, "given twice"),
        (["register", "acme.IPlumber", "--prop", "service.id=5"], 65, "service.id is read-only"),
        (["register", "bad name"], 65, "specification name 'bad name' contains white space"),
        (["register", ""], 65, "specification name is empty"),
        (["register", "a(b"], 65, "contains '('"),
        (["set-props", "1", "objectClass=x"], 65, "objectClass is read-only"),
        (["set-props", "1", "service.scope=bundle"], 65, "service.scope is fixed at registration"),
        (["set-props", "1", "service.ranking=high"], 65, "service.ranking must be an integer"),
        (["set-props", "1", "a=1", "A=2"], 65, "given twice"),
        (["set-props", "1"], 65, "nothing to change"),
        (["set-props", "999", "a=1"], 1, "no service with id 999"),
        (["props", "abc"], 65, "invalid service id 'abc'"),
        (["unregister", "0"], 65, "invalid service id '0'"),
        (["frobnicate"], 64, "unknown command 'frobnicate' (commands: register, get,"),
        (["get-all", "--bogus"], 64, "Unknown option '--bogus'"),
        (["get"], 64, "Missing expected argument '<spec>'"),
        (["get-all", "--min", "a", "--max", "b"], 64, "--min and --max cannot be combined"),
        // A value of the wrong form or range is invalid input, whatever the option (issue 9).
        (["get-all", "--limit", "0"], 65, "--limit must be at least 1"),
        (["get-all", "--limit", "x"], 65, "The value 'x' is invalid for '--limit <n>'"),
        (["listen", "--since", "x"], 65, "The value 'x' is invalid for '--since <seq>'"),
        (["listen", "--count", "-2"], 65, "--count takes no negative value, not -2"),
        (["props", "-1"], 65, "invalid service id '-1'"),
        (["unregister", "3", "-5"], 65, "invalid service id '-5'"),
        (["listen", "--exec"], 64, "--exec needs a command"),
        (["listen", "--timeout", "-1s"], 65, "--timeout takes no negative value, not -1s"),
        (["help", "nonsense"], 64, "unknown command 'nonsense'"),
        (["help", "regster"], 64, "did you mean 'register'?"),
        (["import", "-", "--json"], 64, "no --json or -q"),
        (["unregister", "--dry-run", "1"], 64, "--dry-run goes with --filter"),
        (["unregister", "--filter", "(a=1)", "a.B", "c.D"], 64, "at most one specification name"),
        (["unregister", "--filter", "(a=1"], 65, "filter error"),
        // `--store=$STORE` with STORE unset: an error, never the default store.
        (["register", "a.B", "--store="], 64, "missing value for '--store': nothing follows '='"),
        (["register", "a.B", "--store=", "c.D"], 64, "missing value for '--store': nothing follows '='"),
        (["register", "a.B", "--store", ""], 64, "--store needs a path, not an empty string"),
        (["--store=", "register", "a.B", "--json"], 64, "missing value for '--store'"),
        (["get-all", "--filter="], 64, "missing value for '--filter'"),
        (["register", "a.B", "--prop", "k=1e999"], 65, "1e999 is out of the range of a 64-bit float"),
        (["register", "a.B", "--prop", "k=-1e999"], 65, "-1e999 is out of the range of a 64-bit float"),
        (
            [
                "get-all", "--filter",
                String(repeating: "(&", count: 256) + "(a=b)" + String(repeating: ")", count: 256),
            ],
            65, "filter error at column 513: the filter nests deeper than 256 levels"
        ),
        (
            ["listen", "--filter", String(repeating: "(!", count: 300) + "(a=b)" + String(repeating: ")", count: 300)],
            65, "the filter nests deeper than 256 levels"
        ),
    ]

    @Test(arguments: cases.indices)
    func rejectsWithOneLineAndLeavesTheStoreAlone(index: Int) throws {
        let (arguments, status, message) = Self.cases[index]
        _ = try servreg.register(["acme.IPlumber", "--prop", "price=90", "--prop", "location=BH3"])
        let before = try servreg.storeSnapshot()
        let result = try servreg.run(arguments)
        #expect(result.status == status, "\(arguments): \(result.stderr)")
        #expect(result.stderr.hasPrefix("servreg: error: "), "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        #expect(result.stderr.filter { $0 == "\n" }.count == 1, "\(arguments): \(result.stderr)")
        #expect(result.stdout == "")
        #expect(try servreg.storeSnapshot() == before, "\(arguments) changed the store")
    }

    /// Filters far deeper than the limit: a clear error, never a crash (D2).
    @Test func aFilterNestedTensOfThousandsDeepIsAnErrorNotACrash() throws {
        let deep = String(repeating: "(|", count: 40_000) + "(a=b)" + String(repeating: ")", count: 40_000)
        for arguments in [["get-all", "--filter", deep], ["get", "a.B", "--filter", deep]] {
            let result = try servreg.run(arguments)
            #expect(result.status == 65, "\(result.stderr.prefix(200))")
            #expect(result.stderr.contains("nests deeper than 256 levels"))
        }
        let batch = try servreg.run(["run", "-"], stdin: "get-all --filter '\(deep)'\n")
        #expect(batch.status == 65)
        // The deepest filter allowed works.
        let limit = String(repeating: "(&", count: 255) + "(a=b)" + String(repeating: ")", count: 255)
        #expect(try servreg.run(["get-all", "--filter", limit, "--count"]).stdout == "0\n")
    }

    @Test(arguments: ["inf", "nan", "2147484", "86401", "abc", "-1", "1e999", "5s"])
    func aBusyTimeoutServregCannotUseIsAnError(value: String) throws {
        _ = try servreg.register(["a.B"])
        let before = try servreg.storeSnapshot()
        let result = try servreg.run(["register", "a.B"], environment: ["SERVREG_BUSY_TIMEOUT": value])
        #expect(result.status == 65, "\(value): \(result.stderr)")
        #expect(
            result.stderr
                == "servreg: error: SERVREG_BUSY_TIMEOUT must be a number of seconds from 0 to 86400, not '\(value)'\n")
        #expect(try servreg.storeSnapshot() == before)
        for good in ["0", "0.5", "86400", ""] {
            #expect(try servreg.run(["get-all", "--count"], environment: ["SERVREG_BUSY_TIMEOUT": good]).status == 0)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func aFIFOAtTheStorePathIsRefusedAtOnce() throws {
        let path = servreg.directory + "/fifo.db"
        #expect(mkfifo(path, 0o600) == 0)
        for arguments in [["register", "a.B"], ["get-all"], ["listen", "--count", "1"]] {
            let result = try servreg.run(["--store", path] + arguments)
            #expect(result.status == 74, "\(arguments): \(result.stderr)")
            #expect(result.stderr == "servreg: error: cannot open store \(path): it is a FIFO, not a regular file\n")
        }
    }

    @Test func foreignFileIsReportedAndUntouched() throws {
        let path = servreg.directory + "/notes.txt"
        let content = Data("my shopping list\n".utf8)
        try content.write(to: URL(fileURLWithPath: path))
        for arguments in [["get-all"], ["register", "a.B"]] {
            let result = try servreg.run(["--store", path] + arguments)
            #expect(result.status == 74)
            #expect(
                result.stderr
                    == "servreg: error: \(path) is not a servreg store (not an SQLite database); left untouched\n")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == content)
    }

    @Test(
        .enabled(
            if: geteuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
            "as root, with setpriv"))
    func aStoreOthersMayOnlyReadCanBeReadButNotWritten() throws {
        _ = try servreg.register(["acme.IPlumber", "--prop", "price=90"])
        let store = servreg.directory + "/store"
        for path in [servreg.directory, store] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: servreg.storePath)
        let before = try servreg.storeSnapshot()
        let nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        let read = try servreg.run(["get-all", "-q"], prefix: nobody)
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.lines == ["1"])
        let write = try servreg.run(["register", "a.B"], prefix: nobody)
        #expect(write.status == 77)
        #expect(write.stderr == "servreg: error: store \(servreg.storePath): the store is not writable\n")
        #expect(try servreg.storeSnapshot() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: store) == ["registry.db"])
    }

    @Test(
        .enabled(
            if: geteuid() != 0 || FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv"),
            "as root, needs setpriv to drop to nobody"))
    func unwritableStoreDirectoryIsPermissionDenied() throws {
        let locked = servreg.directory + "/locked"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: locked)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: servreg.directory)
        var prefix: [String] = []
        if geteuid() == 0 {
            // root ignores file modes: drop to nobody for this run.
            prefix = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        }
        let result = try servreg.run(["register", "a.B", "--store", locked + "/registry.db"], prefix: prefix)
        #expect(result.status == 77, "\(result.stderr)")
        #expect(result.stderr.contains("Permission denied"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: locked + "/registry.db"))
    }
}

/// "Did you mean": commands, options and specifications a typo away (issue 9).
@Suite struct SuggestionTests {
    let servreg = ServregProcess()

    @Test func typosNameTheNearestCommandOptionOrSpecification() throws {
        let command = try servreg.run(["regster", "a.B"])
        #expect(command.status == 64)
        #expect(command.stderr.contains("unknown command 'regster'; did you mean 'register'?"), "\(command.stderr)")
        let option = try servreg.run(["get-all", "--fitler", "(a=1)"])
        #expect(option.status == 64)
        #expect(option.stderr.contains("Did you mean '--filter'?"), "\(option.stderr)")
        _ = try servreg.register(["acme.IPlumber"])
        let spec = try servreg.run(["get", "acme.IPlumbr"])
        #expect(spec.status == 1)
        #expect(spec.stderr == "servreg: no service of acme.IPlumbr matches; did you mean 'acme.IPlumber'?\n")
        // A specification that has services but no match gets no suggestion; nor does a far one.
        #expect(try servreg.run(["get-all", "acme.IPlumber", "--filter", "(x=1)"]).stderr.contains("did you") == false)
        #expect(try servreg.run(["get", "com.Other"]).stderr == "servreg: no service of com.Other matches\n")
        // Scripts (-q, --json) get the status alone.
        #expect(try servreg.run(["get", "acme.IPlumbr", "-q"]).stderr == "")
    }
}
