import ArgumentParser

extension ValueInputOptions {
    static let grammar = FastCommandLine.Grammar(
        options: ["value": .init(unconditional: true), "value-file": .init()])

    /// Copied by `fast`: building the property wrappers in `init()` costs more than reading the line.
    private static let prototype = Self()

    static func fast(_ line: FastCommandLine) throws(FastCommandLine.Unsupported) -> Self {
        var options = prototype
        options.value = line.value("value")
        options.valueFile = line.value("value-file")
        if options.value != nil, options.valueFile != nil { throw FastCommandLine.Unsupported() }
        return options
    }
}

extension ValueRequestOptions {
    static let grammar = ClientOptions.grammar + FastCommandLine.Grammar(flags: ["--value": "value"])

    /// Copied by `fast`: building the property wrappers in `init()` costs more than reading the line.
    private static let prototype = Self()

    static func fast(_ line: FastCommandLine) -> Self {
        var options = prototype
        options.value = line.flag("value")
        options.clientOptions = ClientOptions.fast(line)
        return options
    }
}
