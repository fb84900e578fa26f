import ArgumentParser
import Foundation

extension Servreg {
    /// `servreg shell`: the interactive session (also bare `servreg` on a terminal).
    struct Shell: RegistryCommand {
        static let configuration = CommandConfiguration(
            commandName: "shell",
            _superCommandName: "servreg",
            abstract: "Start an interactive session (what bare servreg, or servreg --store PATH, does on a terminal).",
            discussion: """
                Every command works as in one-shot use (run FILE too), plus help [COMMAND],
                set NAME = COMMAND, echo, and exit/quit (or Ctrl-D). A line ending in \\ or
                inside quotes continues on the next; $? is the last status, also shown in
                the prompt when it is not 0. Tab completes commands, options, specification
                names, service ids and property keys; Ctrl-C clears the line.
                History is kept in $XDG_STATE_HOME/servreg/history
                (~/.local/state/servreg/history). When standard input is not a terminal, lines
                are read as a batch file (see run): no prompt, no line editing.
                """)

        @OptionGroup var global: GlobalOptions

        func validate() throws {
            if global.json || global.quiet {
                throw ValidationError("--json and -q belong on the commands inside the session, not on shell")
            }
        }

        func execute(in context: CommandContext) throws -> ExitStatus {
            context.defaultStore = global.store
            context.defaultTLSFiles = global.tlsFiles
            // A store the session cannot use (TLS files for a file) is said before any line.
            _ = try context.location(.defaults)
            context.standardInputInUse = true
            let session = CommandSession(context: context)
            if isatty(STDIN_FILENO) == 1 && isatty(STDOUT_FILENO) == 1 {
                return InteractiveShell(session: session).run()
            }
            // Each line runs as it arrives (a program may drive servreg through a pipe).
            return BatchRunner(session: session, name: "<stdin>").run(LineReader(descriptor: STDIN_FILENO))
        }
    }
}
