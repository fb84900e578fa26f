import ArgumentParser

/// The words of `register … --factory [--scope S] [--factory-timeout D] [--release -- RELEASE…]
/// -- COMMAND…`: `--factory` takes the rest of the line (as `--hold` does), and these are
/// read from it here.
struct FactoryWords: Equatable {
    /// Whether `--factory` was given (not only `--release`).
    var isFactory = false
    var scope: String?
    var timeout: String?
    var release: [String]?
    var command: [String] = []

    /// Reads the words from `--factory` (or `--release`) on.
    init(_ words: [String]) throws {
        var index = 0
        func value(of option: String) throws -> String {
            let word = words[index]
            if word.hasPrefix(option + "=") {
                index += 1
                return String(word.dropFirst(option.count + 1))
            }
            guard index + 1 < words.count else { throw ValidationError("missing value for \(option)") }
            index += 2
            return words[index - 1]
        }
        while index < words.count {
            let word = words[index]
            switch word {
            case "--factory":
                isFactory = true
                index += 1
            case "--":
                command = Array(words[(index + 1)...])
                if command.isEmpty { throw ValidationError("--factory needs a command after --") }
                return
            case "--release":
                guard index + 1 < words.count, words[index + 1] == "--" else {
                    throw ValidationError("--release takes its command after --: --release -- RELEASE… -- COMMAND…")
                }
                guard let end = words[(index + 2)...].firstIndex(of: "--") else {
                    throw ValidationError(
                        "--release -- RELEASE… ends with -- before the factory's command: "
                            + "--release -- RELEASE… -- COMMAND…")
                }
                let command = Array(words[(index + 2)..<end])
                if command.isEmpty { throw ValidationError("--release needs a command after --") }
                if release != nil { throw ValidationError("--release is given twice") }
                release = command
                index = end
            default:
                if word == "--scope" || word.hasPrefix("--scope=") {
                    scope = try value(of: "--scope")
                } else if word == "--factory-timeout" || word.hasPrefix("--factory-timeout=") {
                    timeout = try value(of: "--factory-timeout")
                } else {
                    throw ValidationError(
                        "--factory: unexpected \(Quoting.quoted(word)) (the factory's command goes after --; "
                            + "register's other options go before --factory)")
                }
            }
        }
        if isFactory { throw ValidationError("--factory needs a command after --") }
    }
}
