import ArgumentParser
import Foundation
import ServiceRegistry

extension Servreg {
    /// `servreg run`: a batch file of commands.
    struct Run: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "run",
            _superCommandName: "servreg",
            abstract: "Run a batch file of servreg commands (- reads standard input).",
            discussion: """
                One command per line, written as at the servreg> prompt: shell-like quoting, #
                comments, blank lines, and a trailing \\ continuing a line. $_ is the id
                printed by the last register; set NAME = COMMAND keeps what COMMAND prints in
                $NAME. Stops at the first failing line (FILE:LINE: error: …) with that line's
                exit status.

                Without --atomic every line is committed on its own, without waiting for the
                disk; the batch makes all of it durable before it exits. With --atomic the
                whole file is one transaction: all of it or nothing.

                A file starting with #!/usr/bin/env -S servreg run can be executed directly.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(
            help: ArgumentHelp("The batch file, or - for standard input.", valueName: "file"), completion: .file())
        var file: String

        @Flag(name: .long, help: "Run every line even after one fails; exit non-zero if any failed.")
        var keepGoing = false

        @Flag(name: .long, help: "Apply the whole file in one transaction: every line or none.")
        var atomic = false

        @Flag(name: .customShort("x"), help: "Print each line on standard error before running it.")
        var echo = false

        func validate() throws {
            if keepGoing && atomic { throw ValidationError("--keep-going cannot be combined with --atomic") }
            if global.json || global.quiet {
                throw ValidationError("--json and -q belong on the lines of the file, not on run")
            }
        }

        func execute(in context: CommandContext) throws -> ExitStatus {
            var data: Data?
            if file == "-" {
                // In the shell, standard input is the terminal the shell reads.
                guard !context.standardInputInUse else { throw CommandLineError.standardInputInUse("run -") }
                context.standardInputInUse = true
            } else {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory), isDirectory.boolValue {
                    throw CommandLineError.unreadableBatchFile(file, reason: ": it is a directory")
                }
                guard let contents = FileManager.default.contents(atPath: file) else {
                    throw CommandLineError.unreadableBatchFile(file, reason: "")
                }
                data = contents
            }
            // From the shell's prompt, the batch's --store holds for the batch alone.
            let outerStore = context.defaultStore
            let outerFiles = context.defaultTLSFiles
            defer {
                context.defaultStore = outerStore
                context.defaultTLSFiles = outerFiles
            }
            context.defaultStore = global.store ?? outerStore
            context.defaultTLSFiles = global.tlsFiles.within(
                session: outerFiles, store: global.store, sessionStore: outerStore)
            // A store the batch cannot use (TLS files for a file) is said before any line.
            _ = try context.location(.defaults)
            let session = CommandSession(context: context)
            var runner = BatchRunner(
                session: session, name: file == "-" ? "<stdin>" : TextEscaping.escapingControlCharacters(file))
            runner.keepGoing = keepGoing
            runner.atomic = atomic
            runner.echo = echo
            // A file is read whole (and checked to be text first); standard input as its
            // lines arrive, each answered as soon as its group has committed.
            guard let data else { return runner.run(LineReader(descriptor: STDIN_FILENO)) }
            return runner.run(data)
        }
    }
}
