import Foundation
import RegistryTestSupport
import Testing

/// `servreg run FILE`, `run -` and a piped `shell`: one command per line, as at the prompt.
@Suite struct BatchTests {
    let servreg = ServregProcess()

    private func write(_ text: String, to name: String = "batch.srv") throws -> String {
        let path = servreg.directory + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func runsEveryLineWithQuotingCommentsAndContinuations() throws {
        let file = try write(
            """
            # a comment line, then a blank one

            register acme.IPlumber --prop 'name=Joe Bloggs' \\
                --prop price=90   # a trailing comment
            register acme.IPlumber --prop "name=Ann \\"the plumber\\"" --prop price=75 --ranking 5
            get acme.IPlumber --filter '(price<=80)' -q
            """)
        let result = try servreg.run(["run", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == ["1", "2", "2"])
        #expect(result.stderr == "")
        let props = try servreg.run(["get-all", "--json"]).stdout
        #expect(props.contains(#""name":"Joe Bloggs","price":90"#))
        #expect(props.contains(#""name":"Ann \"the plumber\"""#))
    }

    /// `servreg <<EOF … EOF`: bare servreg reads piped lines as a batch, as `shell` does,
    /// also with only global options before them; it does not print the help (issue 9).
    @Test(arguments: [[], ["--store", "{store}"]])
    func bareServregRunsPipedLinesAsABatch(options: [String]) throws {
        let arguments = options.map { $0 == "{store}" ? servreg.storePath : $0 }
        let result = try servreg.run(arguments, stdin: "register acme.IPlumber\nget-all --count\nnope\n")
        #expect(result.lines == ["1", "1"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("<stdin>:3:"), "\(result.stderr)")
        #expect(!result.stdout.contains("USAGE"))
    }

    /// A quoted value may span lines, in a batch file as at the shell's prompt (issue 9);
    /// errors name the line the command starts on.
    @Test func quotesSpanLinesAndErrorsNameTheFirst() throws {
        let file = try write(
            "register acme.IPlumber --prop 'note=line one\nline two' -q\nget-all --filter '(x\n<1)' -q\n")
        let result = try servreg.run(["run", file])
        #expect(result.lines.first == "1")
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("\(file):3: error: filter error"), "\(result.stderr)")
        #expect(try servreg.run(["props", "1", "--json"]).stdout.contains(#""note":"line one\nline two""#))
    }

    @Test func stopsAtTheFirstFailingLineNamingFileAndLine() throws {
        let file = try write(
            """
            register acme.IPlumber --prop price=90
            get-all acme.IPlumber --filter '(price<=100'
            register acme.IPlumber --prop price=95
            """)
        let result = try servreg.run(["run", file])
        #expect(result.status == 65)
        #expect(result.stdout == "1\n")
        #expect(result.stderr.hasPrefix("\(file):2: error: filter error at column 12"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        // The first line was committed; the third never ran.
        #expect(try servreg.run(["get-all", "-q"]).lines == ["1"])
    }

    @Test func keepGoingRunsOnAndExitsWithTheFirstFailure() throws {
        let file = try write(
            """
            props 42
            register acme.IPlumber --prop price=90
            register 'bad name'
            register acme.IPlumber --prop price=95
            """)
        let result = try servreg.run(["run", "--keep-going", file])
        #expect(result.status == 1)
        #expect(result.lines == ["1", "2"])
        let errors = result.stderr.split(separator: "\n").map(String.init)
        #expect(errors.count == 2)
        #expect(errors[0] == "\(file):1: error: no service with id 42")
        #expect(errors[1].hasPrefix("\(file):3: error: "))
    }

    @Test func atomicFailureOnTheLastLineLeavesTheStoreAsItWas() throws {
        _ = try servreg.register(["acme.IPlumber", "--prop", "price=1"])
        let before = try servreg.run(["get-all", "--json"]).stdout
        let file = try write(
            """
            register acme.IPlumber --prop price=90
            set-props 1 price=2
            unregister 1
            register acme.IPlumber --ranking ten
            """)
        let result = try servreg.run(["run", "--atomic", file])
        #expect(result.status == 65)
        #expect(result.stdout == "", "output is held back until the batch commits")
        #expect(result.stderr.contains("\(file):4: error: "))
        #expect(result.stderr.contains("nothing was changed"))
        #expect(try servreg.run(["get-all", "--json"]).stdout == before)
        // The rolled-back registration never happened (its id was never printed either).
        #expect(try servreg.register(["acme.IPlumber"]) == 2)
    }

    @Test func atomicSuccessCommitsEverythingAndPrintsTheOutput() throws {
        let file = try write(
            """
            set a = register acme.IPlumber --prop price=90
            set-props $a price=80
            get acme.IPlumber -q
            """)
        let result = try servreg.run(["run", "--atomic", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == ["1"])
        #expect(try servreg.run(["props", "1", "--json"]).stdout.contains(#""price":80"#))
    }

    /// The first write of a new store runs a batch's lines twice (once on an empty store in
    /// memory); the second run starts from the variables the first started from.
    @Test func aNewStoreSeesTheVariablesAsTheBatchFoundThem() throws {
        let file = try write("echo X is $X\nset X = register a.B -q\necho now $X $_\n")
        for mode in [["--atomic"], []] {
            let store = servreg.directory + "/new-\(mode.count).db"
            let result = try servreg.run(["run", "--store", store] + mode + [file], environment: ["X": "env"])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.lines == ["X is env", "now 1 1"], "\(mode)")
        }
    }

    @Test func laterLinesUseCapturedAndLastIds() throws {
        let file = try write(
            """
            set plumber = register acme.IPlumber --prop price=90
            register acme.IElectrician --prop price=120
            set-props $_ price=110
            set-props ${plumber} price=85
            echo plumber=$plumber last=$_
            set count = get-all --count
            echo "$count services"
            """)
        let result = try servreg.run(["run", file])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.lines == ["2", "plumber=1 last=2", "2 services"])
        #expect(try servreg.run(["props", "1", "--json"]).stdout.contains(#""price":85"#))
        #expect(try servreg.run(["props", "2", "--json"]).stdout.contains(#""price":110"#))
    }

    @Test func unknownVariablesAreErrorsWithTheColumn() throws {
        let file = try write("register acme.IPlumber\nset-props $nope price=1\n")
        let result = try servreg.run(["run", file])
        #expect(result.status == 65)
        #expect(result.stderr == "\(file):2: error: unknown variable $nope at column 11\n")
        let early = try servreg.run(["run", "-"], stdin: "set-props $_ price=1\n")
        #expect(early.stderr.contains("no register has printed an id yet"))
    }

    /// -x shows what runs: variables expanded, comments gone, words quoted where needed
    /// (issue 9); a `set` line once, not its command again.
    @Test func echoFlagPrintsEachCommandBeforeItsOutput() throws {
        let file = try write(
            "# setup\nset ID = register acme.IPlumber   # the id\n\nget-all --count\n"
                + "get-all --filter \"(service.id=$ID)\" -q\necho \"a b\" $ID\n")
        let result = try servreg.run(["run", "-x", file])
        #expect(result.status == 0)
        #expect(
            result.stderr
                == "+ set ID = register acme.IPlumber\n+ get-all --count\n+ get-all --filter (service.id=1) -q\n"
                + "+ echo 'a b' 1\n")
        #expect(result.lines == ["1", "1", "a b 1"])
    }

    @Test func standardInputAndPipedShellReadTheSameLines() throws {
        let lines = "register acme.IPlumber --prop price=90\nget-all --count\n"
        let fromStdin = try servreg.run(["run", "-"], stdin: lines)
        #expect(fromStdin.lines == ["1", "1"])
        let piped = try servreg.run(["shell"], stdin: lines)
        #expect(piped.status == 0)
        #expect(piped.lines == ["2", "2"])
        #expect(!piped.stdout.contains("servreg>"), "no prompt when stdin is not a terminal")
        let failing = try servreg.run(["shell"], stdin: "props 9\n")
        #expect(failing.status == 1)
        #expect(failing.stderr == "<stdin>:1: error: no service with id 9\n")
    }

    @Test func shebangFilesRunDirectly() throws {
        let file = try write("#!/usr/bin/env -S servreg run\nregister acme.IPlumber --prop price=90\n")
        chmod(file, 0o755)
        let binDirectory = URL(fileURLWithPath: ServregProcess.binary).deletingLastPathComponent().path
        let path = binDirectory + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try servreg.run([], environment: ["PATH": path], executable: file)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "1\n")
    }

    @Test func sessionCommandsAndBadBatchInvocations() throws {
        let result = try servreg.run(["run", "-"], stdin: "help get\nexit 2\nregister acme.IPlumber\n")
        #expect(result.status == 2)
        #expect(result.stdout.contains("USAGE: servreg get"))
        #expect(try servreg.run(["get-all", "--count"]).stdout == "0\n")
        let help = try servreg.run(["shell"], stdin: "help\n")
        #expect(help.stdout.contains("SESSION:"))
        #expect(help.stdout.contains("  specs "))
        #expect(!help.stdout.contains("  run    "), "a batch refuses run: help does not offer it")
        #expect(help.stdout.contains("set NAME = COMMAND"))
        let unknown = try servreg.run(["run", "-"], stdin: "frobnicate now\n")
        #expect(unknown.status == 64)
        #expect(unknown.stderr.hasPrefix("<stdin>:1: error: unknown command 'frobnicate' (commands: register, get,"))
        let missing = try servreg.run(["run", servreg.directory + "/absent.srv"])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("cannot read batch file"))
        let nested = try servreg.run(["run", "-"], stdin: "run other.srv\n")
        #expect(nested.status == 64)
        let both = try servreg.run(["run", "--atomic", "--keep-going", "-"], stdin: "")
        #expect(both.status == 64)
        let notText = servreg.directory + "/latin1.srv"
        // "Jürgen" in Latin-1 on line 2: the ü is the single byte 0xFC.
        let latin1Bytes =
            Data("register acme.IPlumber\nregister acme.IPlumber --prop name=J".utf8) + [0xFC] + Data("rgen\n".utf8)
        try latin1Bytes.write(to: URL(fileURLWithPath: notText))
        let latin1 = try servreg.run(["run", notText])
        #expect(latin1.status == 65)
        #expect(latin1.stderr == "\(notText):2: error: the line is not valid UTF-8 text; nothing was run\n")
        #expect(try servreg.run(["get-all", "--count"]).stdout == "0\n")
        let quote = try servreg.run(["run", "-"], stdin: "register 'acme.IPlumber\n")
        #expect(quote.status == 65)
        #expect(quote.stderr == "<stdin>:1: error: unterminated ' at column 10\n")
    }
}

/// A batch killed with SIGKILL: what it printed is stored (without --atomic), and nothing
/// is stored (with --atomic).
@Suite struct BatchCrashTests {
    let servreg = ServregProcess()

    private func startBatch(_ arguments: [String], lines: Int, errors: Pipe? = nil) throws -> (Process, Pipe) {
        let file = servreg.directory + "/many.srv"
        let text = (1...lines).map { "register acme.IWorker --prop n=\($0)\n" }.joined()
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServregProcess.binary)
        process.arguments = ["run", "--store", servreg.storePath] + arguments + [file]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errors ?? FileHandle.nullDevice
        try process.run()
        return (process, output)
    }

    /// A program driving `servreg run -` through pipes gets each answer before it sends
    /// the next line (group commit commits before waiting for input; issue 10).
    @Test func aCoprocessGetsEachAnswerBeforeItsNextLine() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ServregProcess.binary)
        process.arguments = ["run", "--store", servreg.storePath, "-"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var answers: [String] = []
        var pending = Data()
        func answer() -> String {
            while !pending.contains(0x0A) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                pending.append(chunk)
            }
            guard let end = pending.firstIndex(of: 0x0A) else { return "" }
            let line = String(decoding: pending[..<end], as: UTF8.self)
            pending.removeSubrange(...end)
            return line
        }
        for n in 1...3 {
            input.fileHandleForWriting.write(Data("register acme.IPlumber --prop n=\(n)\n".utf8))
            answers.append(answer())
            // Another process sees it committed before the next line is even sent.
            #expect(try servreg.run(["get-all", "--count"]).stdout == "\(n)\n")
        }
        input.fileHandleForWriting.write(Data("get-all --count\n".utf8))
        answers.append(answer())
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(answers == ["1", "2", "3", "3"])
        #expect(process.terminationStatus == 0)
    }

    /// While a long batch runs, another process's one-shot write gets through (it is not
    /// starved until the batch ends): its id falls among the batch's (issue 10).
    @Test func aOneShotWriterGetsThroughDuringALongBatch() throws {
        let (process, output) = try startBatch([], lines: 30_000)
        var printed = Data()
        while printed.count < 2_000 {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            printed.append(chunk)
        }
        let oneShot = try servreg.register(["acme.IOther"])
        printed.append(output.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let batchIDs = String(decoding: printed, as: UTF8.self).split(separator: "\n").compactMap { Int64($0) }
        #expect(batchIDs.count == 30_000)
        #expect(batchIDs.contains { $0 > oneShot }, "the one-shot write waited for the whole batch")
    }

    @Test func everyPrintedLineSurvivesAKill() throws {
        let (process, output) = try startBatch([], lines: 200_000)
        // Wait until some output has been flushed (the output buffer holds 64 KiB).
        var printed = Data()
        while printed.count < 100_000 {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // ended early: the expectations below say how
            printed.append(chunk)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        printed.append(output.fileHandleForReading.readDataToEndOfFile())
        let ids = String(decoding: printed, as: UTF8.self).split(separator: "\n").compactMap { Int($0) }
        #expect(ids.count > 10_000)
        let stored = Set(try servreg.run(["get-all", "-q"]).lines.compactMap(Int.init))
        #expect(ids.allSatisfy(stored.contains), "a printed id is missing after the kill")
        #expect(try servreg.run(["get-all", "--count"]).status == 0)
    }

    @Test func anAtomicBatchKilledLeavesNothing() throws {
        _ = try servreg.register(["acme.IBefore"])
        // -x echoes each line as it runs: once a thousand have run, the batch is mid-way.
        let errors = Pipe()
        let (process, _) = try startBatch(["--atomic", "-x"], lines: 100_000, errors: errors)
        var echoed = ""
        while !echoed.contains("n=1000\n") {
            let chunk = errors.fileHandleForReading.availableData
            if chunk.isEmpty { break }  // ended early: the expectations below say how
            echoed += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the batch finished before the kill")
        #expect(try servreg.run(["get-all", "-q"]).lines == ["1"])
    }
}
