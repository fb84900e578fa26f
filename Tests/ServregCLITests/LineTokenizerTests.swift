import Foundation
import ServregSyntax
import Testing

@testable import ServregCLI

/// Shell-like splitting of shell and batch lines, and the batch file's logical lines.
@Suite struct LineTokenizerTests {
    private let tokenizer = LineTokenizer { name in ["a": "1", "spaced": "x y", "_": "7"][name] }

    @Test(arguments: [
        ("register a.B --prop x=1", ["register", "a.B", "--prop", "x=1"]),
        ("  get   a.B\t-q  ", ["get", "a.B", "-q"]),
        ("get a.B --filter '(name=Joe Bloggs)'", ["get", "a.B", "--filter", "(name=Joe Bloggs)"]),
        (#"x "a \"b\" \$c \\ \q""#, ["x", #"a "b" $c \ \q"#]),
        (#"x a\ b \'"#, ["x", "a b", "'"]),
        ("x 'it''s' \"\"", ["x", "its", ""]),
        ("x # comment 'unterminated", ["x"]),
        ("x a#b", ["x", "a#b"]),
        ("x $a ${a}b \"$spaced\" $spaced", ["x", "1", "1b", "x y", "x", "y"]),
        ("x $_ $ '$a'", ["x", "7", "$", "$a"]),
        ("x héllo 東京", ["x", "héllo", "東京"]),
    ])
    func splitsLikeAPOSIXShell(line: String, words: [String]) throws {
        #expect(try tokenizer.words(line) == words)
    }

    @Test(arguments: [
        ("x 'open", 3, "unterminated '"), ("x \"open", 3, "unterminated \""), ("x ${a", 3, "unterminated ${"),
        ("x $nope", 3, "unknown variable $nope"), ("x \\", 3, "a backslash ends the line"),
    ])
    func reportsTheColumnOfWhatIsWrong(line: String, column: Int, message: String) {
        #expect(throws: LineTokenizer.Failure(column: column, message: message)) { try tokenizer.words(line) }
    }

    /// An open quote continues a batch line too, the newline kept, as in the shell (one
    /// grammar); a quote inside a comment or escaped opens nothing.
    @Test func batchLinesContinueInsideQuotes() throws {
        let text = "a 'x\ny' b\nc \"p\n\\\"q\"\nd # it's\ne \\'f\ng 'h\\\ni'"
        #expect(
            BatchRunner.lines(of: text) == [
                .init(number: 1, text: "a 'x\ny' b"), .init(number: 3, text: "c \"p\n\\\"q\""),
                .init(number: 5, text: "d # it's"), .init(number: 6, text: "e \\'f"),
                .init(number: 7, text: "g 'h\\\ni'"),
            ])
        #expect(try tokenizer.words("a 'x\ny' b") == ["a", "x\ny", "b"])
    }

    /// Whether `endsInsideQuotes` (which batch files join lines with, a scanner of its own)
    /// agrees with `words` that the line ends inside a quote. Every name is known and no
    /// value is empty (`$a#` is a comment when $a is empty: only the value can say).
    private func continuationScannerAgrees(_ line: String) -> Bool {
        var open = false
        do { _ = try LineTokenizer { _ in "v" }.words(line) } catch {
            open = error.message == "unterminated '" || error.message == "unterminated \""
        }
        var bytes = line
        return bytes.withUTF8 { LineTokenizer.endsInsideQuotes($0) } == open
    }

    @Test func theContinuationScannerAgreesWithTheTokenizerAboutOpenQuotes() {
        let alphabet: [String] = ["'", "\"", "\\", " ", "\t", "#", "a", "$", "{", "}", "é", "\n"]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let line = (0..<Int.random(in: 0...10, using: &random)).map { _ in
                alphabet.randomElement(using: &random)!
            }.joined()
            guard continuationScannerAgrees(line) else {
                Issue.record("endsInsideQuotes disagrees with words about \(line.debugDescription)")
                return
            }
        }
    }

    @Test func batchLinesJoinContinuationsAndKeepStartingLineNumbers() {
        // CRLF line ends too; a backslash on the last line continues into nothing.
        let text = "a \\\n  b \\\n  c\nd\\\\\n\ne\r\nf \\"
        #expect(
            BatchRunner.lines(of: text) == [
                .init(number: 1, text: "a   b   c"), .init(number: 4, text: "d\\\\"), .init(number: 5, text: ""),
                .init(number: 6, text: "e"), .init(number: 7, text: "f "),
            ])
    }

    /// Every input kept in `Fuzz/corpus/line` through the fuzz target's check, without an
    /// instrumented build: a line splits (or fails at a column inside it), and its words,
    /// quoted, split back into the same words; the continuation scanner agrees.
    @Test func theFuzzCorpusSplitsAndRoundTrips() throws {
        let directory = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fuzz/corpus/line")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(names.count >= 10)
        for name in names {
            let line = String(decoding: try Data(contentsOf: directory.appendingPathComponent(name)), as: UTF8.self)
            #expect(continuationScannerAgrees(line), "\(name)")
            do {
                let words = try tokenizer.words(line)
                #expect(
                    try tokenizer.words(words.map(CommandSession.quoted).joined(separator: " ")) == words, "\(name)")
            } catch {
                #expect((1...line.unicodeScalars.count + 1).contains(error.column), "\(name)")
            }
        }
    }
}
