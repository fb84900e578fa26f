import ArgumentParser
import ServiceRegistry

extension PropertyOptions {
    static let grammar = FastCommandLine.Grammar(options: [
        "prop": .init(repeating: true, unconditional: true), "props-json": .init(repeating: true, unconditional: true),
    ])

    /// Copied by `fast`: building the property wrappers in `init()` costs more than reading the line.
    private static let prototype = Self()

    static func fast(_ line: FastCommandLine) -> Self {
        var command = prototype
        command.assignments = line.allValues("prop")
        command.json = line.allValues("props-json")
        return command
    }
}
