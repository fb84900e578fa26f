/// Splits a shell or batch line into words the way a POSIX shell does, so that a line
/// means the same typed at the `servreg>` prompt, in a batch file, or after `servreg` in
/// a terminal: blanks separate words; `'…'` is literal; inside `"…"` a backslash escapes
/// `"`, `\`, `$` and `` ` ``; elsewhere a backslash escapes any character; `#` at the
/// start of a word begins a comment; `$NAME`, `${NAME}` and `$_` expand to variables.
struct LineTokenizer {
    /// What went wrong, with the 1-based column.
    struct Failure: Error, Equatable {
        let column: Int
        let message: String
    }

    /// Looks up `$NAME`; nil means unknown.
    let variable: (String) -> String?

    func words(_ line: String) throws(Failure) -> [String] {
        let scalars = Array(line.unicodeScalars)
        var words: [String] = []
        var current = String.UnicodeScalarView()
        var inWord = false
        var index = 0

        func expand(at start: Int) throws(Failure) -> (String, Int) {
            // scalars[start] is "$".
            var i = start + 1
            var name = ""
            if i < scalars.count, scalars[i] == "{" {
                i += 1
                while i < scalars.count, scalars[i] != "}" {
                    name.unicodeScalars.append(scalars[i])
                    i += 1
                }
                guard i < scalars.count else { throw Failure(column: start + 1, message: "unterminated ${") }
                i += 1
            } else if i < scalars.count, scalars[i] == "_" && !(i + 1 < scalars.count && isNameScalar(scalars[i + 1])) {
                name = "_"
                i += 1
            } else {
                while i < scalars.count, isNameScalar(scalars[i]) {
                    name.unicodeScalars.append(scalars[i])
                    i += 1
                }
            }
            if name.isEmpty { return ("$", start + 1) }
            guard let value = variable(name) else {
                throw Failure(column: start + 1, message: "unknown variable $\(name)")
            }
            return (value, i)
        }

        while index < scalars.count {
            let c = scalars[index]
            switch c {
            case " ", "\t", "\n", "\r":
                if inWord {
                    words.append(String(current))
                    current = String.UnicodeScalarView()
                    inWord = false
                }
                index += 1
            case "#" where !inWord:
                return words
            case "'":
                inWord = true
                let start = index
                index += 1
                while index < scalars.count, scalars[index] != "'" {
                    current.append(scalars[index])
                    index += 1
                }
                guard index < scalars.count else { throw Failure(column: start + 1, message: "unterminated '") }
                index += 1
            case "\"":
                inWord = true
                let start = index
                index += 1
                while true {
                    guard index < scalars.count else { throw Failure(column: start + 1, message: "unterminated \"") }
                    let d = scalars[index]
                    if d == "\"" {
                        index += 1
                        break
                    }
                    if d == "\\", index + 1 < scalars.count, ["\"", "\\", "$", "`"].contains(scalars[index + 1]) {
                        current.append(scalars[index + 1])
                        index += 2
                    } else if d == "$" {
                        let (value, next) = try expand(at: index)
                        current.append(contentsOf: value.unicodeScalars)
                        index = next
                    } else {
                        current.append(d)
                        index += 1
                    }
                }
            case "\\":
                inWord = true
                guard index + 1 < scalars.count else {
                    throw Failure(column: index + 1, message: "a backslash ends the line")
                }
                current.append(scalars[index + 1])
                index += 2
            case "$":
                // Unquoted, a value with blanks becomes several words (as in a POSIX shell).
                let (value, next) = try expand(at: index)
                let parts = value.split(
                    omittingEmptySubsequences: false, whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
                for (offset, part) in parts.enumerated() {
                    if offset > 0, inWord {
                        words.append(String(current))
                        current = String.UnicodeScalarView()
                        inWord = false
                    }
                    if !part.isEmpty {
                        current.append(contentsOf: part.unicodeScalars)
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
        if inWord { words.append(String(current)) }
        return words
    }

    private func isNameScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "_" || (scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)))
    }
}
