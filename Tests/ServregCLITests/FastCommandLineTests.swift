import ArgumentParser
import Foundation
import Testing

@testable import ServregCLI

@Suite struct FastCommandLineTests {
    /// What argument-parser builds for a line, or nil when it rejects it.
    private func slow(_ arguments: [String]) -> (any ParsableCommand)? {
        guard let name = arguments.first,
            let type = Servreg.configuration.subcommands.first(where: { $0.configuration.commandName == name })
        else { return nil }
        return try? type.parseAsRoot(Array(arguments.dropFirst()))
    }

    private func fast(_ arguments: [String]) -> (any ParsableCommand)? {
        guard let name = arguments.first, let type = FastCommandLine.commands[name] else { return nil }
        return type.fastParse(arguments.dropFirst())
    }

    @Test func theEncodingShowsValuesAndUnsetProperties() throws {
        let command = try #require(fast(["get", "a.B", "--filter", "(x=1)", "-q"]))
        let text = CommandEncoding.encode(command)
        #expect(text.contains("\"(x=1)\""))
        #expect(text.contains("\"a.B\""))
        #expect(text.contains("quiet: true"))
        #expect(!text.contains("<declaration>"))
        // A command whose properties were never parsed shows its declarations: a fast
        // reader that forgot to set one differs from argument-parser.
        #expect(CommandEncoding.encode(Servreg.Get()).contains("<declaration>"))
    }

    @Test(arguments: [
        ["register", "a.B"], ["register", "a.B", "c.D", "--prop", "x=1", "--prop", "y=-2", "--ranking", "-5"],
        ["register", "a.B", "--props-json", "{\"a\": 1}", "--scope", "bundle", "--json"],
        ["register", "a.B", "--prop=k=v", "--store", "/tmp/x.db", "-q"],
        ["get", "a.B"], ["get", "a.B", "--filter", "(&(a=1)(b<=2))", "--min", "price"],
        ["get", "a.B", "--max=-odd", "--json"], ["get-all"], ["get-all", "a.B", "--limit", "3", "--count"],
        ["get-all", "--filter", "(a=*)", "--quiet", "--store=/x"], ["props", "7"], ["props", "7", "--json"],
        ["set-props", "7", "a=1", "b=2", "--unset", "c", "--unset", "-d", "--prop", "e=3"],
        ["set-props", "7", "--replace", "--props-json", "{}"], ["unregister", "1", "2", "3"],
        ["unregister", "--filter", "(a=1)", "a.B", "--dry-run"], ["get-all", "--limit", "0"],
        ["get-all", "a.B", "--filter", ""], ["register", "", "--prop", ""],
    ])
    func buildsTheSameCommandAsArgumentParser(arguments: [String]) throws {
        let viaFast = try #require(fast(arguments), "fast reader gave up on \(arguments)")
        let viaSlow = try #require(slow(arguments), "argument-parser rejected \(arguments)")
        #expect(CommandEncoding.encode(viaFast) == CommandEncoding.encode(viaSlow))
    }

    @Test(arguments: [
        ["register"], ["get"], ["get", "a", "b"], ["get-all", "a", "b"], ["props"], ["unregister"], ["set-props"],
        ["get", "a.B", "--help"], ["get", "a.B", "-h"], ["get", "a.B", "--version"], ["get", "a.B", "--bogus"],
        ["get", "a.B", "--filter"], ["get", "a.B", "--filter", "x", "--filter", "y"],
        ["get", "a.B", "--json", "--json"],
        ["get", "a.B", "--store", "-x"], ["get", "a.B", "--", "x"], ["register", "a.B", "--ranking", "--", "--json"],
        ["get", "a.B", "-qj"], ["get-all", "--limit", "x"],
        ["get", "a.B", "--min", "a", "--max", "b"], ["get", "a.B", "--json", "-q"],
        ["get", "-5"], ["get", "a.B", "--json=yes"], ["get-all", "--count", "--min", "a"],
    ])
    func leavesAnythingUnusualToArgumentParser(arguments: [String]) {
        #expect(fast(arguments) == nil, "\(arguments)")
    }

    /// Random lines built from each command's declared options (argument-parser's own tool
    /// description, so a new option is covered without editing this test): whenever the
    /// fast reader accepts one, argument-parser must accept it too and build the same command.
    @Test func randomLinesFromTheDeclaredGrammarAgree() throws {
        var generator = SplitMix(seed: 20_261_201)
        let values = [
            "a.B", "7", "x=1", "k", "(a=1)", "{}", "bundle", "/tmp/s.db", "5", "-5", "0", "", "-", "-x", "--json",
            "--", "k=v",
        ]
        var accepted = 0
        var acceptedWithInlineValue = 0
        for name in FastCommandLine.commands.keys.sorted() {
            let declared = try #require(DeclaredGrammar.servreg.command(named: name), "\(name) is not declared")
            #expect(!declared.options.isEmpty)
            var words = ["--", "--bogus", "-Z", "-h", "a.B", "7", "x=1", "", "-"]
            for option in declared.options {
                for spelling in option.spellings {
                    words.append(spelling)
                    guard option.takesValue else {
                        words.append(spelling + "=yes")
                        continue
                    }
                    // The option's value as the next word, inline, inline and empty, dash-led.
                    for value in values.prefix(4) {
                        words.append(spelling + " " + value)
                        words.append(spelling + "=" + value)
                    }
                    words += [spelling + "=", spelling + " ", spelling + " -5", spelling + " --json"]
                }
            }
            for _ in 0..<5_000 {
                var line = [name]
                for _ in 0..<Int.random(in: 0...6, using: &generator) {
                    let word = words.randomElement(using: &generator) ?? ""
                    // "--opt value" stands for two words; a lone " " for an empty next word.
                    if let space = word.firstIndex(of: " ") {
                        line += [String(word[..<space]), String(word[word.index(after: space)...])]
                    } else {
                        line.append(word)
                    }
                }
                guard let viaFast = fast(line) else { continue }
                accepted += 1
                if line.contains(where: { $0.hasPrefix("--") && $0.contains("=") }) { acceptedWithInlineValue += 1 }
                guard let viaSlow = slow(line) else {
                    Issue.record("argument-parser rejects what the fast reader accepted: \(line)")
                    continue
                }
                #expect(CommandEncoding.encode(viaFast) == CommandEncoding.encode(viaSlow), "\(line)")
            }
        }
        // The lines exercise the fast path, inline values included, not only its refusals.
        #expect(accepted > 2_000)
        #expect(acceptedWithInlineValue > 200)
    }

    @Test func anEmptyStoreIsNeverTheDefaultStore() {
        for line in [["register", "a.B", "--store="], ["register", "a.B", "--store", ""], ["get-all", "--store="]] {
            #expect(fast(line) == nil, "\(line)")
            #expect(slow(line) == nil, "\(line)")
        }
    }
}

/// The fast reader's tables must say what argument-parser declares.
@Suite struct FastGrammarDriftTests {
    @Test func tablesMatchTheDeclaredOptions() throws {
        var json = ""
        do {
            _ = try Servreg.parseAsRoot(["--experimental-dump-help"])
        } catch {
            json = Servreg.fullMessage(for: error)
        }
        let dump = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let subcommands = (dump?["command"] as? [String: Any])?["subcommands"] as? [[String: Any]] ?? []
        #expect(
            Set(subcommands.compactMap { $0["commandName"] as? String }).isSuperset(of: FastCommandLine.commands.keys))
        for subcommand in subcommands {
            guard let name = subcommand["commandName"] as? String, let type = FastCommandLine.commands[name] else {
                continue
            }
            var options: [String: FastCommandLine.OptionRule] = [:]
            var flags: [String: String] = [:]
            for argument in subcommand["arguments"] as? [[String: Any]] ?? [] {
                let kind = argument["kind"] as? String
                let names = (argument["names"] as? [[String: Any]] ?? []).compactMap { entry -> String? in
                    guard let n = entry["name"] as? String else { return nil }
                    return (entry["kind"] as? String) == "short" ? "-" + n : "--" + n
                }
                let preferred = (argument["preferredName"] as? [String: Any])?["name"] as? String ?? ""
                if ["help", "version"].contains(preferred) { continue }  // left to argument-parser
                if kind == "option" {
                    #expect(names.count == 1, "\(name): option \(names) has several spellings")
                    options[preferred] = FastCommandLine.OptionRule(
                        repeating: argument["isRepeating"] as? Bool ?? false,
                        unconditional: (argument["parsingStrategy"] as? String) == "unconditional")
                } else if kind == "flag" {
                    for spelled in names { flags[spelled] = preferred }
                }
            }
            #expect(type.grammar.options == options, "\(name): options differ")
            #expect(type.grammar.flags == flags, "\(name): flags differ")
        }
    }
}

/// A small seeded generator, so a failing line can be reproduced.
private struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
