import ArgumentParser
import ServiceRegistry

extension Servreg.Register: FastParsable {
    static let grammar =
        GlobalOptions.grammar + PropertyOptions.grammar + ValueInputOptions.grammar
        + FastCommandLine.Grammar(
            options: [
                "ranking": .init(unconditional: true), "scope": .init(), "name": .init(), "existing": .init(),
                "ttl": .init(), "owner-pid": .init(), "hold": .init(repeating: true), "client": .init(),
                "factory-timeout": .init(),
                "factory": .init(repeating: true), "release": .init(repeating: true),
                "requires": .init(repeating: true), "stop-timeout": .init(),
            ], flags: ["--once": "once"])

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
        command.name = line.value("name")
        command.existing = line.value("existing")
        command.ttl = line.value("ttl")
        command.ownerPID = line.value("owner-pid")
        // --hold takes the rest of the line: argument-parser's to read.
        guard line.allValues("hold").isEmpty else { throw FastCommandLine.Unsupported() }
        command.hold = []
        guard line.allValues("factory").isEmpty, line.allValues("release").isEmpty else {
            throw FastCommandLine.Unsupported()
        }
        command.factory = []
        command.release = []
        command.clientOptions = ClientOptions.fast(line)
        command.valueInput = try ValueInputOptions.fast(line)
        command.factoryTimeout = line.value("factory-timeout")
        command.requires = line.allValues("requires")
        command.stopTimeout = line.value("stop-timeout")
        command.once = line.flag("once")
        do { try command.validate() } catch { throw FastCommandLine.Unsupported() }
        return command
    }
}
