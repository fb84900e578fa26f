import ArgumentParser
import ServiceRegistry

extension Servreg.SetProps: FastParsable {
    static let grammar =
        GlobalOptions.grammar + PropertyOptions.grammar + ValueInputOptions.grammar
        + FastCommandLine.Grammar(
            options: [
                "unset": .init(repeating: true, unconditional: true), "if-rev": .init(unconditional: true),
                "ttl": .init(unconditional: true),
            ],
            flags: ["--replace": "replace"])

    /// Copied by `fast`: building the property wrappers in `init()` costs more than reading the line.
    private static let prototype = Self()

    static func fast(_ line: FastCommandLine) throws(FastCommandLine.Unsupported) -> Self {
        var command = prototype
        command.global = try GlobalOptions.fast(line)
        guard let first = line.positionals.first else { throw FastCommandLine.Unsupported() }
        command.id = first
        command.pairs = Array(line.positionals.dropFirst())
        command.properties = PropertyOptions.fast(line)
        command.unset = line.allValues("unset")
        command.replace = line.flag("replace")
        command.ifRevision = nil
        if let revision = line.value("if-rev") {
            guard let number = Int64(revision) else { throw FastCommandLine.Unsupported() }
            command.ifRevision = number
        }
        command.ttl = line.value("ttl")
        command.valueInput = try ValueInputOptions.fast(line)
        do { try command.validate() } catch { throw FastCommandLine.Unsupported() }
        return command
    }
}
