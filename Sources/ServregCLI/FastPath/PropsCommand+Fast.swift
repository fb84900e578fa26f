import ArgumentParser
import ServiceRegistry

extension Servreg.Props: FastParsable {
    static let grammar =
        GlobalOptions.grammar + ValueRequestOptions.grammar

    /// Copied by `fast`: building the property wrappers in `init()` costs more than reading the line.
    private static let prototype = Self()

    static func fast(_ line: FastCommandLine) throws(FastCommandLine.Unsupported) -> Self {
        var command = prototype
        command.global = try GlobalOptions.fast(line)
        command.id = try line.onlyPositional()
        command.valueRequest = ValueRequestOptions.fast(line)
        do { try command.validate() } catch { throw FastCommandLine.Unsupported() }
        return command
    }
}
