/// An error found while interpreting the command line itself.
struct CommandLineError: Error {
    let status: ExitStatus
    let message: String

    static func usage(_ message: String) -> CommandLineError { CommandLineError(status: .usage, message: message) }
    static func invalid(_ message: String) -> CommandLineError {
        CommandLineError(status: .invalidInput, message: message)
    }
}
