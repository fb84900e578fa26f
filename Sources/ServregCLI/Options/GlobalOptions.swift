import ArgumentParser

/// Options every command takes: where the store is and how to print.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store file, or etcd://HOST:PORT[,…][/PREFIX] (default: $SERVREG_STORE, else the XDG data directory).",
            valueName: "path"),
        completion: .file(extensions: ["db"]))
    var store: String?

    @Flag(name: .long, help: "Print JSON: one object per service, types kept.")
    var json = false

    @Flag(name: [.customShort("q"), .long], help: "Print service ids only, one per line.")
    var quiet = false

    func validate() throws {
        if json && quiet { throw ValidationError("--json and --quiet cannot be combined") }
        // `--store=$STORE` with STORE unset must not quietly mean the default store.
        if store?.isEmpty == true { throw ValidationError("--store needs a path, not an empty string") }
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
