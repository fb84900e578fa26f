import ArgumentParser
import ServiceRegistry

extension Servreg.Register: FastParsable {
    static let grammar =
        GlobalOptions.grammar + PropertyOptions.grammar
        + FastCommandLine.Grammar(options: ["ranking": .init(unconditional: true), "scope": .init()])

    /// Copied by `fast`: building the property wrappers in `init()` costs more than reading the line.
    private static let prototype = Self()

    static func fast(_ line: FastCommandLine) throws(FastCommandLine.Unsupported) -> Self {
        var command = prototype
        command.global = try GlobalOptions.fast(line)
        guard !line.positionals.isEmpty else { throw FastCommandLine.Unsupported() }
        command.specifications = line.positionals
        command.properties = PropertyOptions.fast(line)
        command.ranking = line.value("ranking")
        command.scope = line.value("scope")
        return command
    }
}
