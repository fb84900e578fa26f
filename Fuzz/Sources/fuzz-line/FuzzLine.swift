import ServregSyntax

/// The line tokenizer of the shell and of batch files on arbitrary bytes: it splits a line
/// or reports a column inside it; the words it returns, each quoted, split back into the
/// same words; and the scanner that continues batch lines agrees about open quotes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLine(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let line = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // Every name known, no value empty (an empty one can make a `#` a comment).
    var open = false
    do { _ = try LineTokenizer { _ in "v" }.words(line) } catch {
        open = error.message == "unterminated '" || error.message == "unterminated \""
    }
    var bytes = line
    if bytes.withUTF8({ LineTokenizer.endsInsideQuotes($0) }) != open {
        fatalError("endsInsideQuotes disagrees with words about \(line.debugDescription)")
    }
    let tokenizer = LineTokenizer { name in ["a": "1", "spaced": " x  y ", "_": "$a"][name] }
    let words: [String]
    do {
        words = try tokenizer.words(line)
    } catch {
        guard (1...line.unicodeScalars.count + 1).contains(error.column) else {
            fatalError("column \(error.column) outside a line of \(line.unicodeScalars.count)")
        }
        return 0
    }
    // Quoted by scalar: a quote followed by a combining mark is one Character.
    let quoted = words.map { word in
        "'" + word.unicodeScalars.map { $0 == "'" ? "'\\''" : String($0) }.joined() + "'"
    }.joined(separator: " ")
    guard (try? tokenizer.words(quoted)) == words else { fatalError("round trip failed: \(quoted)") }
    return 0
}
