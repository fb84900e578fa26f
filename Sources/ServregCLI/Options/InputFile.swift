import Foundation

/// Text a command reads from a file it is given (`--props-json @FILE`, `import FILE`), or
/// from standard input for `-`.
enum InputFile {
    /// The whole file as UTF-8 text; `-` is standard input, unless the session reads its
    /// own lines from there (`what` names the option in that message).
    static func text(_ path: String, for what: String, in context: CommandContext) throws -> String {
        if path == "-" {
            guard !context.standardInputInUse else { throw CommandLineError.standardInputInUse(what) }
            guard let text = String(data: FileHandle.standardInput.readDataToEndOfFile(), encoding: .utf8) else {
                throw CommandLineError.notUTF8File("<stdin>")
            }
            return text
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CommandLineError.unreadableInputFile(path, reason: ": " + String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                let reason = errno == EISDIR ? "it is a directory" : String(cString: strerror(errno))
                throw CommandLineError.unreadableInputFile(path, reason: ": " + reason)
            }
            data.append(contentsOf: buffer[..<count])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CommandLineError.notUTF8File(path)
        }
        return text
    }
}
