import Foundation

/// Text a command reads from a file it is given (`--props-json @FILE`, `import FILE`), or
/// from standard input for `-`.
enum InputFile {
    /// The whole file's bytes; `-` is standard input (see `text`).
    static func bytes(_ path: String, for what: String, in context: CommandContext) throws -> [UInt8] {
        if path == "-" {
            guard !context.standardInputInUse else { throw CommandLineError.standardInputInUse(what) }
            return Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        return Array(try data(path))
    }

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
        guard let text = String(data: try data(path), encoding: .utf8) else {
            throw CommandLineError.notUTF8File(path)
        }
        return text
    }

    private static func data(_ path: String) throws -> Data {
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
        return data
    }
}
