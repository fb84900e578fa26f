import Foundation
import RegistryTestSupport
import Testing

@Suite struct CommandTests {
    let servreg = ServregProcess()

    @Test func registerPrintsTheIdAlone() throws {
        let first = try servreg.run(["register", "acme.IPlumber", "--prop", "price=90"])
        #expect(first.status == 0)
        #expect(first.stdout == "1\n")
        #expect(first.stderr == "")
        #expect(try servreg.register(["acme.IPlumber"]) == 2)
        let json = try servreg.run(["register", "acme.IPlumber", "--props-json", #"{"price": 42.0}"#, "--json"])
        #expect(
            json.stdout
                == #"{"service.id":3,"objectClass":["acme.IPlumber"],"service.ranking":0,"service.scope":"singleton","service.revision":3,"service.registered-by":"tester","price":42.0}"#
                + "\n")
    }

    @Test func getReturnsTheBestMatch() throws {
        let cheap = try servreg.register(["acme.IPlumber", "--prop", "price=90", "--prop", "location=BH3"])
        let ranked = try servreg.register([
            "acme.IPlumber", "--prop", "price=95", "--prop", "location=BH3", "--ranking", "10",
        ])
        _ = try servreg.register(["acme.IPlumber", "--prop", "price=150", "--prop", "location=BH3", "--ranking", "20"])
        let filter = "(&(price<=100)(location=BH3))"
        #expect(try servreg.run(["get", "acme.IPlumber", "--filter", filter, "-q"]).stdout == "\(ranked)\n")
        #expect(
            try servreg.run(["get", "acme.IPlumber", "--filter", filter, "--min", "price", "-q"]).stdout == "\(cheap)\n"
        )
        let none = try servreg.run(["get", "acme.IPlumber", "--filter", "(price<=10)"])
        #expect(none.status == 1)
        #expect(none.stdout == "")
        let json = try servreg.run(["get", "acme.IPlumber", "--filter", filter, "--json"])
        #expect(json.stdout.hasPrefix(#"{"service.id":\#(ranked),"#))
    }

    @Test func getAllListsInOrderInEveryOutputMode() throws {
        let a = try servreg.register(["acme.IPlumber", "--prop", "name=Joe Bloggs", "--prop", "price=90"])
        let b = try servreg.register(["acme.IPlumber", "--prop", "name=Ann", "--prop", "price=120", "--ranking", "5"])
        let c = try servreg.register([
            "acme.IElectrician", "acme.IPlumber", "--props-json", #"{"price": 80.5, "ok": true}"#,
        ])
        let human = try servreg.run(["get-all", "acme.IPlumber"])
        #expect(human.status == 0)
        #expect(
            human.stdout == """
                ID  RANKING  SPECIFICATIONS                   PROPERTIES
                \(b)   5        acme.IPlumber                    name=Ann price=120
                \(a)   0        acme.IPlumber                    name="Joe Bloggs" price=90
                \(c)   0        acme.IElectrician,acme.IPlumber  ok=true price=80.5

                """)
        #expect(try servreg.run(["get-all", "acme.IPlumber", "-q"]).lines == ["\(b)", "\(a)", "\(c)"])
        #expect(try servreg.run(["get-all", "-q", "--max", "price"]).lines == ["\(b)", "\(a)", "\(c)"])
        #expect(try servreg.run(["get-all", "-q", "--min", "price"]).lines == ["\(c)", "\(a)", "\(b)"])
        #expect(try servreg.run(["get-all", "-q", "--limit", "2"]).lines == ["\(b)", "\(a)"])
        #expect(try servreg.run(["get-all", "acme.IElectrician", "-q"]).lines == ["\(c)"])
        #expect(try servreg.run(["get-all", "--count"]).stdout == "3\n")
        #expect(try servreg.run(["get-all", "--count", "--filter", "(price<=100)"]).stdout == "2\n")

        let json = try servreg.run(["get-all", "--json", "--filter", "(ok=true)"])
        #expect(
            json.stdout == """
                [
                {"service.id":\(c),"objectClass":["acme.IElectrician","acme.IPlumber"],"service.ranking":0,"service.scope":"singleton","service.revision":\(c),"service.registered-by":"tester","ok":true,"price":80.5}
                ]

                """)
        let empty = try servreg.run(["get-all", "--json", "--filter", "(price>=1000)"])
        #expect(empty.status == 1)
        #expect(empty.stdout == "[]\n")
        // A count is an answer, 0 too (issue 9).
        let zero = try servreg.run(["get-all", "nothing.Here", "--count"])
        #expect(zero.status == 0)
        #expect(zero.stdout == "0\n")
    }

    @Test func propsShowsTypes() throws {
        let id = try servreg.register([
            "acme.IPlumber", "--prop", "price=90", "--prop", "ratio:float=1", "--prop", "zip=02134", "--prop",
            "ports:list<int>=80,443",
        ])
        let human = try servreg.run(["props", "\(id)"])
        #expect(
            human.stdout == """
                KEY                    TYPE       VALUE
                service.id             int        \(id)
                objectClass            list<str>  [acme.IPlumber]
                service.ranking        int        0
                service.scope          str        singleton
                service.revision       int        \(id)
                service.registered-by  str        tester
                ports                  list<int>  [80,443]
                price                  int        90
                ratio                  float      1.0
                zip                    str        02134

                """)
        let json = try servreg.run(["props", "\(id)", "--json"])
        #expect(json.stdout.contains(#""ratio":1.0"#))
        #expect(json.stdout.contains(#""price":90,"#))
        let missing = try servreg.run(["props", "999"])
        #expect(missing.status == 1)
        #expect(missing.stderr == "servreg: error: no service with id 999\n")
    }

    @Test func setPropsMergesReplacesAndUnsets() throws {
        let id = try servreg.register(["acme.IPlumber", "--prop", "price=90", "--prop", "name=Joe"])
        #expect(try servreg.run(["set-props", "\(id)", "price=80", "--prop", "Location=BH3"]).status == 0)
        #expect(
            try servreg.run(["props", "\(id)", "--json"]).stdout.hasSuffix(
                #""Location":"BH3","name":"Joe","price":80}"# + "\n"))
        #expect(try servreg.run(["set-props", "\(id)", "--unset", "name"]).status == 0)
        #expect(
            try servreg.run(["set-props", "\(id)", "--replace", "--prop", "only=1", "--prop", "service.ranking=4"])
                .status == 0)
        #expect(
            try servreg.run(["props", "\(id)", "--json"]).stdout
                .replacingOccurrences(of: #","service.revision":\d+"#, with: "", options: .regularExpression)
                == #"{"service.id":\#(id),"objectClass":["acme.IPlumber"],"service.ranking":4,"service.scope":"singleton","service.registered-by":"tester","only":1}"#
                + "\n")
    }

    @Test func unregisterRemovesKnownIdsAndReportsUnknownOnes() throws {
        let a = try servreg.register(["acme.IPlumber"])
        let b = try servreg.register(["acme.IPlumber"])
        let result = try servreg.run(["unregister", "\(a)", "77", "\(b)"])
        #expect(result.status == 1)
        #expect(result.stderr == "servreg: error: no service with id 77\n")
        #expect(try servreg.run(["get-all", "--count"]).stdout == "0\n")
        // ids are never reused
        #expect(try servreg.register(["acme.IPlumber"]) == b + 1)
    }

    /// unregister --filter removes every match in one transaction and lists it; --dry-run
    /// lists and changes nothing (issue 9).
    @Test func unregisterByFilterRemovesEveryMatchAndDryRunNone() throws {
        let bh3 = try servreg.register(["acme.IPlumber", "--prop", "location=BH3", "--ranking", "1"])
        let other = try servreg.register(["acme.IPlumber", "--prop", "location=BH1"])
        let heater = try servreg.register(["acme.IHeater", "--prop", "location=BH3"])
        let before = try servreg.storeSnapshot()
        let dry = try servreg.run(["unregister", "--filter", "(location=BH3)", "--dry-run", "-q"])
        #expect(dry.status == 0)
        #expect(dry.lines == ["\(bh3)", "\(heater)"])
        #expect(dry.stderr.contains("dry run: 2 services would be removed; nothing was changed"), "\(dry.stderr)")
        #expect(try servreg.storeSnapshot() == before)
        let scoped = try servreg.run(["unregister", "--filter", "(location=BH3)", "acme.IPlumber"])
        #expect(scoped.status == 0)
        #expect(scoped.lines.first?.hasPrefix("ID") == true && scoped.lines.count == 2, "\(scoped.stdout)")
        #expect(scoped.stderr == "servreg: removed 1 service\n")
        #expect(try servreg.run(["get-all", "-q"]).lines == ["\(other)", "\(heater)"])
        let none = try servreg.run(["unregister", "--filter", "(location=BH9)", "--json"])
        #expect(none.status == 1)
        #expect(none.stdout == "[]\n")
        // An id where the specification goes: nothing of "2" matches, and the note says why.
        let byID = try servreg.run(["unregister", "--filter", "(location=*)", "\(other)"])
        #expect(byID.status == 1)
        #expect(
            byID.stderr
                == "servreg: no service of \(other) matches; with --filter, \(other) is a specification "
                + "(to remove service \(other): unregister \(other))\n", "\(byID.stderr)")
        let json = try servreg.run(["unregister", "--filter", "(location=*)", "--json"])
        #expect(json.stdout.contains(#""service.id":\#(heater)"#), "\(json.stdout)")
        #expect(try servreg.run(["get-all", "--count"]).stdout == "0\n")
    }

    /// export, then import into a new store: the same services under the same ids, and the
    /// next id above the exported store's last, also one unregistered before the export.
    @Test func exportThenImportMovesARegistryWithItsIds() throws {
        _ = try servreg.register([
            "acme.IPlumber", "--prop", "name=Joe", "--ranking", "3", "--scope", "bundle", "--name", "joe", "--ttl",
            "1h",
        ])
        _ = try servreg.register(["acme.IPlumber", "a.B", "--prop", "tags:list=x,y", "--prop", "city=東京"])
        let gone = try servreg.register(["x.Y"])
        _ = try servreg.run(["unregister", "\(gone)"])
        let export = try servreg.run(["export"])
        #expect(export.status == 0)
        #expect(export.lines.first == #"{"servreg.export":2,"last_service_id":3}"#)
        let file = servreg.directory + "/backup.jsonl"
        try export.stdout.write(toFile: file, atomically: true, encoding: .utf8)
        let moved = servreg.directory + "/store/moved.db"
        let imported = try servreg.run(["import", file, "--store", moved])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains("imported 2 services"), "\(imported.stderr)")
        // The same services, names and lease ends; revisions are the new store's own.
        func withoutRevisions(_ text: String) -> String {
            text.replacingOccurrences(of: #","service.revision":\d+"#, with: "", options: .regularExpression)
        }
        let original = try servreg.run(["get-all", "--json"]).stdout
        #expect(original.contains(#""service.name":"joe","service.revision":1,"service.ttl":"1h","service.expires":"#))
        #expect(
            withoutRevisions(try servreg.run(["get-all", "--json", "--store", moved]).stdout)
                == withoutRevisions(original))
        #expect(try servreg.run(["props", "@joe", "-q", "--store", moved]).stdout == "1\n")
        #expect(try servreg.run(["register", "z.Z", "--store", moved]).stdout == "4\n")
        // Into a store that is not empty, or one that gave those ids before: refused, unchanged.
        let before = try servreg.storeSnapshot()
        let again = try servreg.run(["import", file])
        #expect(again.status == 65)
        #expect(again.stderr.contains("import goes into an empty store; this one holds 2 services"), "\(again.stderr)")
        #expect(try servreg.storeSnapshot() == before)
        _ = try servreg.run(["unregister", "1", "2"])
        let reused = try servreg.run(["import", "-"], stdin: export.stdout)
        #expect(reused.status == 65)
        #expect(reused.stderr.contains("<stdin>:2: service id 1 was given by this store before"), "\(reused.stderr)")
    }

    @Test(arguments: [
        ("{\"a\":1}\n", "<stdin>:1: not a servreg export"),
        (
            "{\"servreg.export\":1,\"last_service_id\":5}\n{\"service.id\":1}\n",
            "<stdin>:2: a service without objectClass"
        ),
        (
            "{\"servreg.export\":1,\"last_service_id\":5}\n{\"service.id\":9,\"objectClass\":[\"a.B\"]}\n",
            "<stdin>:2: service id 9 is above the export's last_service_id 5"
        ),
        (
            "{\"servreg.export\":1,\"last_service_id\":5}\n{\"service.id\":1,\"objectClass\":[\"a B\"]}\n",
            "<stdin>:2: specification name 'a B' contains white space"
        ),
        (
            "{\"servreg.export\":1,\"last_service_id\":5}\n{\"service.id\":1,\"objectClass\":[\"a.B\"]}\n{\"service.id\":1,\"objectClass\":[\"a.B\"]}\n",
            "<stdin>:3: service id 1 is in the export twice; nothing was imported"
        ),
        ("", "<stdin>:1: the file is empty"),
        (
            "{\"servreg.export\":1,\"last_service_id\":5}\n{\"service.id\":3,\"objectClass\":[\"a.B\"],\"SERVICE.ID\":4}\n",
            "<stdin>:2: service.id is given twice"
        ),
    ])
    func aBadExportIsRefusedAndNoStoreIsMade(text: String, message: String) throws {
        let result = try servreg.run(["import", "-"], stdin: text)
        #expect(result.status == 65)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: servreg.storePath))
    }

    /// --props-json @FILE and @- read the JSON (past the argument size limit); a service's
    /// own JSON registers again, its id and objectClass ignored with a note (issue 9).
    @Test func propsJSONFromAFileOrStandardInput() throws {
        let big = String(repeating: "x", count: 300_000)
        let file = servreg.directory + "/props.json"
        try "{\"big\": \"\(big)\", \"n\": 1}".write(toFile: file, atomically: true, encoding: .utf8)
        let id = try servreg.register(["acme.IPlumber", "--props-json", "@" + file, "--ranking", "2"])
        #expect(try servreg.run(["props", "\(id)", "--json"]).stdout.contains(big))
        let own = try servreg.run(["props", "\(id)", "--json"]).stdout
        let again = try servreg.run(["register", "acme.IPlumber", "--props-json", "@-"], stdin: own)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(
            again.stderr.contains("service.id, objectClass, service.revision, service.registered-by ignored"),
            "\(again.stderr)")
        let copy = try servreg.run(["props", again.stdout.trimmingCharacters(in: .newlines), "--json"]).stdout
        #expect(copy.contains(#""service.ranking":2"#) && copy.contains(big))
        // Several --props-json merge, as several --prop do; a key in two is given twice.
        let merged = try servreg.run([
            "register", "a.B", "--props-json", #"{"b":1}"#, "--props-json", #"{"a":2}"#, "-q",
        ])
        #expect(
            try servreg.run(["props", merged.stdout.trimmingCharacters(in: .newlines), "--json"]).stdout.contains(
                #""a":2,"b":1"#))
        #expect(
            try servreg.run(["register", "a.B", "--props-json", #"{"a":1}"#, "--props-json", #"{"A":2}"#]).status == 65)
        let missing = try servreg.run(["register", "a.B", "--props-json", "@" + servreg.directory + "/nope.json"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("nope.json': No such file or directory"), "\(missing.stderr)")
        let inBatch = try servreg.run(["run", "-"], stdin: "register a.B --props-json @-\n")
        #expect(inBatch.status == 64)
        #expect(inBatch.stderr.contains("standard input is this session's own input"), "\(inBatch.stderr)")
    }

    @Test func specsListsEachSpecificationWithItsServiceCount() throws {
        let empty = try servreg.run(["specs"])
        #expect(empty.status == 1)
        #expect(empty.stdout == "")
        _ = try servreg.register(["acme.IPlumber", "acme.IHeater"])
        _ = try servreg.register(["acme.IPlumber"])
        _ = try servreg.register(["b.Other"])
        let table = try servreg.run(["specs"])
        #expect(table.status == 0)
        #expect(table.lines == ["SPECIFICATION  SERVICES", "acme.IHeater   1", "acme.IPlumber  2", "b.Other        1"])
        #expect(try servreg.run(["specs", "acme.", "-q"]).lines == ["acme.IHeater", "acme.IPlumber"])
        #expect(
            try servreg.run(["specs", "b", "--json"]).stdout == "[\n{\"specification\":\"b.Other\",\"services\":1}\n]\n"
        )
        #expect(try servreg.run(["specs", "zzz"]).status == 1)
    }

    /// --version names the commit a make build was made from (issue 9).
    @Test func versionNamesTheBuild() throws {
        let result = try servreg.run(["--version"])
        #expect(result.status == 0)
        let line = result.stdout.trimmingCharacters(in: .newlines)
        #expect(line.hasPrefix("0.1.0 (commit "), "\(line)")
        // The release binary CI tests is built by make: its commit is this checkout's.
        if ProcessInfo.processInfo.environment["SERVREG_BIN"] != nil {
            let git = Process()
            let pipe = Pipe()
            git.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            git.arguments = ["git", "-C", servreg.sourceRoot, "rev-parse", "--short=12", "HEAD"]
            git.standardOutput = pipe
            try git.run()
            git.waitUntilExit()
            let head = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if git.terminationStatus == 0 { #expect(line.contains("commit \(head)"), "\(line) vs \(head)") }
        }
    }

    @Test func globalOptionsMayStandBeforeTheCommand() throws {
        let other = servreg.directory + "/other.db"
        let id = try servreg.run(["--store", other, "register", "x.Y"])
        #expect(id.status == 0)
        #expect(try servreg.run(["--store=\(other)", "--json", "get", "x.Y"]).stdout.hasPrefix(#"{"service.id":1"#))
        #expect(try servreg.run(["get-all", "--count"]).stdout == "0\n")
    }

    @Test func helpDocumentsExitStatuses() throws {
        let help = try servreg.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("EXIT STATUS"))
        #expect(help.stdout.contains("75   store busy"))
        let unregisterHelp = try servreg.run(["unregister", "--help"]).stdout.split(whereSeparator: \.isWhitespace)
        #expect(unregisterHelp.joined(separator: " ").contains("the known ones are still removed"))
        #expect(try servreg.run(["help", "get-all"]).stdout.contains("--count"))
    }

    @Test func readingDoesNotCreateTheStore() throws {
        #expect(try servreg.run(["get-all"]).status == 1)
        #expect(!FileManager.default.fileExists(atPath: servreg.storePath))
    }
}

@Suite struct ArgumentEdgeTests {
    let servreg = ServregProcess()

    @Test func optionValuesMayStartWithADash() throws {
        let low = try servreg.register(["x.Y", "--ranking", "-5", "--prop", "-odd=1"])
        let high = try servreg.register(["x.Y", "--prop", "delta=-2"])
        #expect(try servreg.run(["get-all", "x.Y", "-q"]).lines == ["\(high)", "\(low)"])
        #expect(try servreg.run(["get-all", "--filter", "(-odd=1)", "-q"]).lines == ["\(low)"])
        #expect(try servreg.run(["set-props", "\(low)", "--unset", "-odd"]).status == 0)
        #expect(try servreg.run(["props", "\(low)", "--json"]).stdout.contains("-odd") == false)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "holds the lock with python3"))
    func aStoreLockedPastTheBusyTimeoutExits75() throws {
        _ = try servreg.register(["x.Y"])
        // Another process holds the write lock for two seconds.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        holder.arguments = [
            "-c",
            """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], isolation_level=None)
            db.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            time.sleep(2)
            db.execute("ROLLBACK")
            """,
            servreg.storePath,
        ]
        let ready = Pipe()
        holder.standardOutput = ready
        try holder.run()
        _ = ready.fileHandleForReading.availableData
        let before = try servreg.storeSnapshot()
        let result = try servreg.run(["register", "x.Y"], environment: ["SERVREG_BUSY_TIMEOUT": "0.2"])
        holder.waitUntilExit()
        #expect(result.status == 75, "\(result.stderr)")
        #expect(result.stderr.contains("is busy"), "\(result.stderr)")
        #expect(try servreg.storeSnapshot() == before)
        #expect(try servreg.run(["get-all", "--count"]).stdout == "1\n")
    }
}
