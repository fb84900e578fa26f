import ArgumentParser

extension ClientOptions {
    static let grammar = FastCommandLine.Grammar(options: ["client": .init()])

    /// Copied by `fast`: building the property wrappers in `init()` costs more than reading the line.
    private static let prototype = Self()

    static func fast(_ line: FastCommandLine) -> Self {
        var options = prototype
        options.client = line.value("client")
        return options
    }
}
