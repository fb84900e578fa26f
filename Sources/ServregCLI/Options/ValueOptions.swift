import ArgumentParser
import ServiceRegistry

/// `--value TEXT` / `--value-file PATH|-`: a service's value as `register` and `set-props`
/// take it.
struct ValueInputOptions: ParsableArguments {
    @Option(
        name: .long, parsing: .unconditional,
        help: ArgumentHelp("The service's value: any text (get --value prints it).", valueName: "text"))
    var value: String?

    @Option(
        name: .customLong("value-file"),
        help: ArgumentHelp("The service's value, read from a file (- for standard input).", valueName: "path"),
        completion: .file())
    var valueFile: String?

    func validate() throws {
        if value != nil, valueFile != nil { throw ValidationError("--value and --value-file cannot be combined") }
    }

    /// Whether a value is given.
    var isGiven: Bool { value != nil || valueFile != nil }

    /// The value's bytes, nil when none is given.
    func bytes(in context: CommandContext) throws -> [UInt8]? {
        if let valueFile { return try InputFile.bytes(valueFile, for: "--value-file", in: context) }
        return value.map { Array($0.utf8) }
    }
}

/// `--value [--client C]`: `get` and `props` print the value alone.
struct ValueRequestOptions: ParsableArguments {
    @Flag(name: .long, help: "Print the service's value alone, byte for byte (a factory makes it).")
    var value = false

    @OptionGroup var clientOptions: ClientOptions

    /// `--value` prints the value alone: not with another output mode.
    func validate(with global: GlobalOptions) throws {
        if value, global.json || global.quiet {
            throw ValidationError("--value prints the value alone: it cannot be combined with --json or -q")
        }
    }
}
