import ArgumentParser

/// Options every command takes: where the store is and how to print.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp("The store file (default: $SERVREG_STORE, else the XDG data directory).", valueName: "path"),
        completion: .file(extensions: ["db"]))
    var store: String?

    @Flag(name: .long, help: "Print JSON: one object per service, types kept.")
    var json = false

    @Flag(name: [.customShort("q"), .long], help: "Print service ids only, one per line.")
    var quiet = false

    func validate() throws {
        if json && quiet { throw ValidationError("--json and --quiet cannot be combined") }
    }

    /// No options given: the default store, human output.
    static var defaults: GlobalOptions {
        var options = GlobalOptions()
        options.store = nil
        options.json = false
        options.quiet = false
        return options
    }

    var outputMode: OutputMode { json ? .json : (quiet ? .ids : .human) }

    /// Option names that may also stand before the command name.
    static let hoistable: [(name: String, takesValue: Bool)] = [
        ("--store", true), ("--json", false), ("-q", false), ("--quiet", false),
    ]
}

extension GlobalOptions {
    static let grammar = FastCommandLine.Grammar(
        options: ["store": .init()], flags: ["--json": "json", "-q": "quiet", "--quiet": "quiet"])

    /// Copied by `fast`: building the property wrappers in `init()` costs more than reading the line.
    private static let prototype = Self()

    static func fast(_ line: FastCommandLine) throws(FastCommandLine.Unsupported) -> Self {
        // validate() on the local values (see QueryOptions.fast).
        let (json, quiet) = (line.flag("json"), line.flag("quiet"))
        if json && quiet { throw FastCommandLine.Unsupported() }
        var command = prototype
        command.store = line.value("store")
        command.json = json
        command.quiet = quiet
        return command
    }
}
