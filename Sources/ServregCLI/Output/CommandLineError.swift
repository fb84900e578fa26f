import ServiceRegistry

/// What the command line layer refuses: the words, options, files and environment it was
/// given. `ErrorReport` words every case and picks its exit status.
enum CommandLineError: Error, Equatable {
    /// A usage error argument-parser found, in its words.
    case argumentParser(String, command: String?)
    /// An option's value of the wrong form or out of range (`--limit x`, `--count 0`): the
    /// whole message, in argument-parser's words or ours.
    case invalidOptionValue(String, command: String?)
    /// A first word that is no command.
    case unknownCommand(String)
    /// Only global options, and no terminal to start the shell on.
    case noCommand(after: String)
    /// `--name=` with nothing after the `=`.
    case emptyInlineValue(option: String, command: String?)
    /// A service id that is not a positive integer.
    case invalidServiceID(String)
    /// An option's value that the core refused (`--ranking 5.7`, `--props-json …`).
    indirect case inOption(String, RegistryError)
    /// An environment variable with a value servreg cannot use.
    case invalidEnvironment(name: String, value: String, expected: String)
    /// A `--store` location servreg cannot use.
    case unsupportedStore(String)
    /// `--owner-pid` on an etcd registry: a pid means nothing on another host.
    case processOwnerOnEtcd(String)
    /// `--hold --ttl 0` on an etcd registry: a held service there lives on a lease.
    case heldWithoutLease
    /// Code from an etcd registry that `SERVREG_TRUSTED_STORES` does not name.
    case untrustedEtcdStore(String)
    /// An `etcd://` address servreg cannot read: what is wrong with it.
    case badStoreAddress(String, problem: String)
    /// `--cacert`, `--cert` or `--key` with a store that is a file: the options given.
    case tlsOptionsWithoutEtcd(options: String, store: String)
    /// `--key` (or `SERVREG_ETCD_KEY`) without the certificate whose key it is.
    case keyWithoutCertificate
    /// A line of an --atomic batch that names another store.
    case storeChangedInAtomicBatch(pinned: String, requested: String)
    /// A command a session cannot run (`run`, `shell` inside the shell or a batch).
    case notInSession(String)
    /// A line that runs outside the current group of batch lines (not an error: the
    /// runner runs it next, alone).
    case groupBoundary
    /// `listen` inside an --atomic batch.
    case listenInAtomicBatch
    /// A command that waits (`register --hold`, `keepalive`) inside an --atomic batch, which
    /// holds the store's write lock.
    case waitsInAtomicBatch(String)
    /// A session command used wrongly (`set`, `exit`), in words for that command.
    case sessionUsage(String)
    /// A line the tokenizer cannot split (an open quote, an unknown `$NAME`).
    case unreadableLine(message: String, column: Int, hint: String?)
    /// `@-` where standard input is the session's own input (the shell, `run -`).
    case standardInputInUse(String)
    /// A file given as input (`@FILE`, `import FILE`) that is not UTF-8 text.
    case notUTF8File(String)
    /// A file named by `@FILE` that cannot be read.
    case unreadableInputFile(String, reason: String)
    /// A line of an import that is not a service of an export.
    case badExportLine(file: String, line: Int, message: String)
    /// A line of an `apply` file that is not a named register (where, and why).
    case badDeclaration(origin: String, message: String)
    /// A batch file that cannot be read.
    case unreadableBatchFile(String, reason: String)
    /// A batch file line that is not UTF-8 text.
    case notUTF8
    /// The terminal refused line editing.
    case lineEditingUnavailable
    /// A store whose factories and release commands may not run: the store's location and why.
    case untrustedStore(String, reason: String)
    /// A value read from standard input that is missing (`unget` of a prototype).
    case standardInputNotUTF8Value(String)
    /// Standard output could not be written (the errno; EPIPE when its reader has gone).
    case outputFailed(Int32)
}
