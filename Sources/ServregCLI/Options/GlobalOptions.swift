import ArgumentParser

/// Options every command takes: where the store is and how to print.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The store file, or etcd://HOST:PORT[,…][/PREFIX], etcds:// for TLS "
                + "(default: $SERVREG_STORE, else the XDG data directory).",
            valueName: "path"),
        completion: .file(extensions: ["db"]))
    var store: String?

    @Option(
        name: .customLong("cacert"),
        help: ArgumentHelp(
            "etcd over TLS: the CA certificates (PEM) the members' must chain to (default: $SERVREG_ETCD_CACERT, "
                + "else the system's).", valueName: "file"),
        completion: .file())
    var caFile: String?

    @Option(
        name: .customLong("cert"),
        help: ArgumentHelp(
            "etcd over TLS: the client certificate (PEM) to present (default: $SERVREG_ETCD_CERT).", valueName: "file"),
        completion: .file())
    var certificateFile: String?

    @Option(
        name: .customLong("key"),
        help: ArgumentHelp(
            "etcd over TLS: the client certificate's private key (PEM; default: $SERVREG_ETCD_KEY, else in --cert's "
                + "file).", valueName: "file"),
        completion: .file())
    var keyFile: String?

    @Flag(name: .long, help: "Print JSON: one object per service, types kept.")
    var json = false

    @Flag(name: [.customShort("q"), .long], help: "Print service ids only, one per line.")
    var quiet = false

    func validate() throws {
        if json && quiet { throw ValidationError("--json and --quiet cannot be combined") }
        // `--store=$STORE` with STORE unset must not quietly mean the default store.
        if store?.isEmpty == true { throw ValidationError("--store needs a path, not an empty string") }
        for (option, value) in [("--cacert", caFile), ("--cert", certificateFile), ("--key", keyFile)]
        where value?.isEmpty == true {
            throw ValidationError("\(option) needs a file, not an empty string")
        }
    }

    /// The TLS files these options name.
    var tlsFiles: StoreLocation.TLSFiles {
        StoreLocation.TLSFiles(caFile: caFile, certificateFile: certificateFile, keyFile: keyFile)
    }

    /// No options given: the default store, human output.
    static var defaults: GlobalOptions {
        var options = GlobalOptions()
        options.store = nil
        options.caFile = nil
        options.certificateFile = nil
        options.keyFile = nil
        options.json = false
        options.quiet = false
        return options
    }

    var outputMode: OutputMode { json ? .json : (quiet ? .ids : .human) }

    /// Option names that may also stand before the command name.
    static let hoistable: [(name: String, takesValue: Bool)] = [
        ("--store", true), ("--cacert", true), ("--cert", true), ("--key", true), ("--json", false), ("-q", false),
        ("--quiet", false),
    ]
}
