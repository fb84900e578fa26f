import ArgumentParser
import ServiceRegistry

extension Servreg.Unregister: FastParsable {
    static let grammar =
        GlobalOptions.grammar
        + FastCommandLine.Grammar(
            options: ["filter": .init(unconditional: true), "if-rev": .init(unconditional: true)],
            flags: ["--dry-run": "dry-run", "--include-unsatisfied": "include-unsatisfied"])

    /// Copied by `fast`: building the property wrappers in `init()` costs more than reading the line.
    private static let prototype = Self()

    static func fast(_ line: FastCommandLine) throws(FastCommandLine.Unsupported) -> Self {
        var command = prototype
        command.global = try GlobalOptions.fast(line)
        command.ids = line.positionals
        command.filter = line.value("filter")
        command.dryRun = line.flag("dry-run")
        command.includeUnsatisfied = line.flag("include-unsatisfied")
        command.ifRevision = nil
        if let revision = line.value("if-rev") {
            guard let number = Int64(revision) else { throw FastCommandLine.Unsupported() }
            command.ifRevision = number
        }
        do { try command.validate() } catch { throw FastCommandLine.Unsupported() }
        return command
    }
}
