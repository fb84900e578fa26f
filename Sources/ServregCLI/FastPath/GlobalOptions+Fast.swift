import ArgumentParser

extension GlobalOptions {
    static let grammar = FastCommandLine.Grammar(
        options: ["store": .init(), "cacert": .init(), "cert": .init(), "key": .init()],
        flags: ["--json": "json", "-q": "quiet", "--quiet": "quiet"])

    /// Copied by `fast`: building the property wrappers in `init()` costs more than reading the line.
    private static let prototype = Self()

    static func fast(_ line: FastCommandLine) throws(FastCommandLine.Unsupported) -> Self {
        // validate() on the local values (see QueryOptions.fast).
        let (json, quiet) = (line.flag("json"), line.flag("quiet"))
        if json && quiet { throw FastCommandLine.Unsupported() }
        let store = line.value("store")
        if store?.isEmpty == true { throw FastCommandLine.Unsupported() }
        let files = (line.value("cacert"), line.value("cert"), line.value("key"))
        if files.0?.isEmpty == true || files.1?.isEmpty == true || files.2?.isEmpty == true {
            throw FastCommandLine.Unsupported()
        }
        var command = prototype
        command.store = store
        (command.caFile, command.certificateFile, command.keyFile) = files
        command.json = json
        command.quiet = quiet
        return command
    }
}
