import ArgumentParser
import ServiceRegistry

extension QueryOptions {
    static let grammar = FastCommandLine.Grammar(
        options: [
            "filter": .init(unconditional: true), "min": .init(unconditional: true), "max": .init(unconditional: true),
        ], flags: ["--include-unsatisfied": "include-unsatisfied"])

    /// Copied by `fast`: building the property wrappers in `init()` costs more than reading the line.
    private static let prototype = Self()

    static func fast(_ line: FastCommandLine) throws(FastCommandLine.Unsupported) -> Self {
        // validate() on the local values: each read of an argument-parser property costs
        // about 1,000 instructions. (Every property must be set: the prototype's hold
        // argument-parser's definitions, not values.)
        let (filter, min, max) = (line.value("filter"), line.value("min"), line.value("max"))
        if min != nil && max != nil { throw FastCommandLine.Unsupported() }
        var command = prototype
        command.filter = filter
        command.min = min
        command.max = max
        command.includeUnsatisfied = line.flag("include-unsatisfied")
        return command
    }
}
