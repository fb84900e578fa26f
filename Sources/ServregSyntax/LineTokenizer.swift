/// Splits a shell or batch line into words the way a POSIX shell does, so that a line
/// means the same typed at the `servreg>` prompt, in a batch file, or after `servreg` in
/// a terminal: blanks separate words; `'…'` is literal; inside `"…"` a backslash escapes
/// `"`, `\`, `$` and `` ` ``; elsewhere a backslash escapes any character; `#` at the
/// start of a word begins a comment; `$NAME`, `${NAME}`, `$_` and `$?` expand to variables.
public struct LineTokenizer {
    /// What went wrong, with the 1-based column.
    public struct Failure: Error, Equatable {
        /// Whether more text could complete the line (an open quote, a backslash at the
        /// end): the shell then reads a continuation line.
        public var isIncomplete: Bool {
            message == "unterminated '" || message == "unterminated \"" || message == "a backslash ends the line"
        }

        /// Where, counting Unicode scalars from 1.
        public let column: Int
        /// What, e.g. `unterminated '`.
        public let message: String

        /// A failure at a column.
        public init(column: Int, message: String) {
            self.column = column
            self.message = message
        }
    }

    /// Looks up `$NAME`; nil means unknown.
    let variable: (String) -> String?

    /// A tokenizer that expands `$NAME` with `variable`.
    public init(variable: @escaping (String) -> String?) {
        self.variable = variable
    }

    /// The words of one line, or where it cannot be split.
    public func words(_ line: String) throws(Failure) -> [String] {
        var text = line
        // Every character with a meaning here is ASCII, so the line is read as UTF-8 bytes
        // (a batch of 100,000 lines spends most of its parsing time here otherwise).
        let result = text.withUTF8 { bytes in Result { () throws(Failure) -> [String] in try words(bytes) } }
        return try result.get()
    }

    private func words(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        var inWord = false
        var index = 0

        func failure(at offset: Int, _ message: String) -> Failure {
            // Columns count characters (Unicode scalars), not bytes.
            let column = bytes[..<offset].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 }
            return Failure(column: column, message: message)
        }

        func endWord() {
            words.append(String(decoding: current, as: UTF8.self))
            current.removeAll(keepingCapacity: true)
            inWord = false
        }

        func expand(at start: Int) throws(Failure) -> (String, Int) {
            // bytes[start] is "$".
            var i = start + 1
            var name: [UInt8] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "{") {
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "}") {
                    name.append(bytes[i])
                    i += 1
                }
                guard i < bytes.count else { throw failure(at: start, "unterminated ${") }
                i += 1
            } else if i < bytes.count, bytes[i] == UInt8(ascii: "_"), !(i + 1 < bytes.count && isNameByte(bytes[i + 1]))
            {
                name = [UInt8(ascii: "_")]
                i += 1
            } else if i < bytes.count, bytes[i] == UInt8(ascii: "?") {
                // $?: the last command's exit status.
                name = [UInt8(ascii: "?")]
                i += 1
            } else {
                while i < bytes.count, isNameByte(bytes[i]) {
                    name.append(bytes[i])
                    i += 1
                }
            }
            if name.isEmpty { return ("$", start + 1) }
            let text = String(decoding: name, as: UTF8.self)
            guard let value = variable(text) else { throw failure(at: start, "unknown variable $\(text)") }
            return (value, i)
        }

        while index < bytes.count {
            let c = bytes[index]
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                if inWord { endWord() }
                index += 1
            case UInt8(ascii: "#") where !inWord:
                return words
            case UInt8(ascii: "'"):
                inWord = true
                let start = index
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "'") {
                    current.append(bytes[index])
                    index += 1
                }
                guard index < bytes.count else { throw failure(at: start, "unterminated '") }
                index += 1
            case UInt8(ascii: "\""):
                inWord = true
                let start = index
                index += 1
                while true {
                    guard index < bytes.count else { throw failure(at: start, "unterminated \"") }
                    let d = bytes[index]
                    if d == UInt8(ascii: "\"") {
                        index += 1
                        break
                    }
                    if d == UInt8(ascii: "\\"), index + 1 < bytes.count,
                        Self.escapableInQuotes.contains(bytes[index + 1])
                    {
                        current.append(bytes[index + 1])
                        index += 2
                    } else if d == UInt8(ascii: "$") {
                        let (value, next) = try expand(at: index)
                        current.append(contentsOf: value.utf8)
                        index = next
                    } else {
                        current.append(d)
                        index += 1
                    }
                }
            case UInt8(ascii: "\\"):
                inWord = true
                guard index + 1 < bytes.count else { throw failure(at: index, "a backslash ends the line") }
                // The escaped character may be several bytes long: copy all of it.
                index += 1
                repeat {
                    current.append(bytes[index])
                    index += 1
                } while index < bytes.count && bytes[index] & 0xC0 == 0x80
            case UInt8(ascii: "$"):
                // Unquoted, a value with blanks becomes several words (as in a POSIX shell).
                let (value, next) = try expand(at: index)
                let parts = value.utf8.split(
                    omittingEmptySubsequences: false,
                    whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") })
                for (offset, part) in parts.enumerated() {
                    if offset > 0, inWord { endWord() }
                    if !part.isEmpty {
                        current.append(contentsOf: part)
                        inWord = true
                    }
                }
                index = next
            default:
                inWord = true
                current.append(c)
                index += 1
            }
        }
        if inWord { endWord() }
        return words
    }

    /// Whether a line ends inside quotes (`'…` or `"…` still open), read as `words` reads
    /// it: then the next line continues it, the newline part of the quoted text.
    public static func endsInsideQuotes(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        // The rules of `words`, without making words (a batch file asks this of every line):
        // blanks end words, `#` at a word's start begins a comment, `${…}` holds anything up
        // to its `}` (unterminated, `words` fails on it: not a quote to continue).
        let blanks: [UInt8] = [UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r")]
        var quote: UInt8 = 0
        var index = 0
        var atWordStart = true
        while index < line.count {
            let byte = line[index]
            if quote == UInt8(ascii: "'") {
                if byte == quote { quote = 0 }
            } else if byte == UInt8(ascii: "$"), index + 1 < line.count, line[index + 1] == UInt8(ascii: "{") {
                guard let close = line[(index + 2)...].firstIndex(of: UInt8(ascii: "}")) else { return false }
                index = close
            } else if quote == UInt8(ascii: "\"") {
                if byte == UInt8(ascii: "\\") {
                    index += 1
                } else if byte == quote {
                    quote = 0
                }
            } else {
                switch byte {
                case UInt8(ascii: "'"), UInt8(ascii: "\""): quote = byte
                case UInt8(ascii: "\\"): index += 1
                case UInt8(ascii: "#") where atWordStart: return false
                default: break
                }
            }
            atWordStart = quote == 0 && blanks.contains(byte)
            index += 1
        }
        return quote != 0
    }

    private static let escapableInQuotes: [UInt8] = [
        UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "$"), UInt8(ascii: "`"),
    ]

    private func isNameByte(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "_") || (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A)
    }
}
