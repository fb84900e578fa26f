import ArgumentParser

/// A command that runs against a `CommandContext` and ends with an exit status.
///
/// Subcommands name `servreg` as their super-command: `ServregMain` parses a one-shot
/// command line with the subcommand alone as root, and the name keeps its usage text
/// right while skipping argument-parser's completion-script probing (a third of the
/// parse time).
protocol RegistryCommand: ParsableCommand {
    func execute(in context: CommandContext) throws -> ExitStatus
}

extension RegistryCommand {
    /// argument-parser's entry point (servreg itself calls `ServregMain.run`): the same
    /// execution and error reporting.
    mutating func run() throws {
        let context = CommandContext()
        let status = ServregMain.execute(self, in: context)
        context.output.flush()
        if status != .success { throw ExitCode(status.rawValue) }
    }
}
