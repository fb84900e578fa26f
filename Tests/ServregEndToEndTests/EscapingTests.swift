import Foundation
import RegistryTestSupport
import Testing

/// Nothing servreg shows people can drive the terminal or disguise text (D4, D5): one
/// escaping scheme for tables, event lines and messages, on a terminal or not; JSON
/// escapes C1 controls and invisible format characters too.
@Suite struct EscapingTests {
    let servreg = ServregProcess()

    /// Characters that must never reach stdout or stderr raw.
    private static let dangerous: [Unicode.Scalar] = ["\u{1B}", "\u{07}", "\u{9B}", "\u{202E}", "\u{200B}", "\u{2066}"]

    private func expectNothingRaw(_ text: String, _ context: String) {
        for scalar in Self.dangerous {
            #expect(!text.unicodeScalars.contains(scalar), "\(context): raw U+\(String(scalar.value, radix: 16))")
        }
    }

    @Test func messagesEscapeWhatTheyQuoteAndStayOneLine() throws {
        let inputs: [[String]] = [
            ["props", "\u{1B}]0;PWNED\u{07}7"], ["\u{1B}[2Jwipe"], ["get-all", "--\u{1B}[31mred"],
            ["get-all", "--filter", "(a=1)\u{1B}[2J"], ["get-all", "--filter", "(a\u{202E}<1)"],
            ["listen", "--timeout", "\u{1B}x"], ["register", "a.B", "--props-json", "{\"\u{1B}\": 1"],
            ["register", "a\u{202E}B"], ["run", "\u{1B}[2J\nname.srv"],
        ]
        for arguments in inputs {
            let result = try servreg.run(arguments)
            #expect(result.status != 0, "\(arguments)")
            expectNothingRaw(result.stderr, "\(arguments)")
            #expect(result.stderr.filter { $0 == "\n" }.count == 1, "\(arguments): \(result.stderr)")
        }
    }

    @Test func tablesAndEventLinesShowEscapesInAPipeToo() throws {
        let value = "a\u{1B}[31m\u{202E}b\\u{1b}c"
        _ = try servreg.register(["acme.IPlumber", "--prop", "name=\(value)", "--prop", "k\u{200B}ey=1"])
        for arguments in [
            ["get-all"], ["props", "1"], ["get", "acme.IPlumber"], ["listen", "--since", "0", "--count", "1"],
        ] {
            let result = try servreg.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
            expectNothingRaw(result.stdout, "\(arguments)")
            // The escape of a real ESC and the literal text "\u{1b}" differ.
            #expect(result.stdout.contains("a\\u{1b}[31m\\u{202e}b\\\\u{1b}c"), "\(arguments): \(result.stdout)")
            #expect(result.stdout.contains("k\\u{200b}ey"), "\(arguments): \(result.stdout)")
        }
    }

    @Test func jsonEscapesC1AndFormatCharactersAndKeepsTheValue() throws {
        let value = "x\u{9B}\u{202E}\u{200B}\u{2028}\u{7F}é😀"
        _ = try servreg.register(["acme.IPlumber", "--prop", "name=\(value)"])
        let result = try servreg.run(["get", "acme.IPlumber", "--json"])
        expectNothingRaw(result.stdout, "get --json")
        #expect(result.stdout.contains(#"x\u009b\u202e\u200b\u2028\u007fé😀"#), "\(result.stdout)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["name"] as? String == value)
    }

    @Test func echoedBatchLinesAreEscaped() throws {
        let result = try servreg.run(["run", "-x", "-"], stdin: "echo \u{1B}[2Jhi\n")
        #expect(result.status == 0)
        expectNothingRaw(result.stderr, "-x")
        #expect(result.stderr == "+ echo '\\u{1b}[2Jhi'\n")
    }
}
