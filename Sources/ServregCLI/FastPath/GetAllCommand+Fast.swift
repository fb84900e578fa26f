import ArgumentParser
import ServiceRegistry

extension Servreg.GetAll: FastParsable {
    static let grammar =
        GlobalOptions.grammar + QueryOptions.grammar
        + FastCommandLine.Grammar(options: ["limit": .init(), "registered-by": .init()], flags: ["--count": "count"])

    /// Copied by `fast`: building the property wrappers in `init()` costs more than reading the line.
    private static let prototype = Self()

    static func fast(_ line: FastCommandLine) throws(FastCommandLine.Unsupported) -> Self {
        var command = prototype
        command.global = try GlobalOptions.fast(line)
        guard line.positionals.count <= 1 else { throw FastCommandLine.Unsupported() }
        command.specification = line.positionals.first
        command.query = try QueryOptions.fast(line)
        if let text = line.value("limit") {
            guard let number = Int(text) else { throw FastCommandLine.Unsupported() }
            command.limit = number
        } else {
            command.limit = nil
        }
        command.count = line.flag("count")
        command.registeredBy = line.value("registered-by")
        do { try command.validate() } catch { throw FastCommandLine.Unsupported() }
        return command
    }
}
