import Foundation
import RegistryTestSupport
import Testing

/// `apply FILE|DIR`: services declared in files (issue 13), through the binary.
@Suite struct ApplyEndToEndTests {
    let servreg = ServregProcess()

    private var folder: String { servreg.directory + "/services" }

    private func write(_ name: String, _ text: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
    }

    private func events() throws -> [String] {
        try servreg.run(["listen", "--since", "0", "--json", "--timeout", "0.2"]).lines.compactMap { line in
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            return (object?["event"] as? String).map { "\($0) \(object?["id"] as? Int ?? 0)" }
        }
    }

    @Test func applyIsIdempotentUpdatesInPlaceAndPrunesWhatItRegistered() throws {
        try write(
            "db.srv",
            """
            # the database
            register acme.IDatabase --name db --prop region=eu \\
                --prop port=5432
            """)
        try write(
            "web.srv", "register acme.Web --name web --requires @db --prop port=80\nregister acme.ICache --name cache\n"
        )
        try write("notes.txt", "not a declaration\n")
        // Neither hidden files (an editor's) nor folders are declarations.
        try write(".#web.srv", "not a declaration\n")
        try FileManager.default.createDirectory(atPath: folder + "/old.srv", withIntermediateDirectories: true)
        let first = try servreg.run(["apply", folder])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout == "+ @db (1)\n+ @web (2)\n+ @cache (3)\n")
        #expect(first.stderr == "servreg: applied: 3 registered\n")
        #expect(try events() == ["REGISTERED 1", "REGISTERED 2", "REGISTERED 3"])
        let props = try servreg.run(["props", "@web", "--json"]).stdout
        #expect(props.contains("\"service.source\":") && props.contains("\"service.state\":\"satisfied\""))

        // Twice: nothing changes, not even the store file (a file named twice is read once).
        let before = try servreg.storeSnapshot()
        let again = try servreg.run(["apply", folder, folder + "/db.srv"])
        #expect(again.status == 0 && again.stdout == "")
        #expect(again.stderr == "servreg: applied: 3 unchanged\n", "\(again.stderr)")
        #expect(try servreg.storeSnapshot() == before)

        // A change: --diff says it and changes nothing; apply makes it, one MODIFIED.
        try write(
            "web.srv",
            "register acme.Web --name web --requires @db --prop port=8080\nregister acme.ICache --name cache\n")
        let diff = try servreg.run(["apply", "--diff", folder])
        #expect(diff.stdout == "~ @web (2): port: 80 → 8080\n")
        #expect(diff.stderr == "servreg: --diff: would be 1 updated, 2 unchanged; nothing was changed\n")
        #expect(try servreg.storeSnapshot() == before)
        #expect(try servreg.run(["apply", folder]).stdout == "~ @web (2): port: 80 → 8080\n")
        #expect(try events().suffix(1) == ["MODIFIED 2"])

        // A declaration gone: kept without --prune, unregistered (reason pruned) with it.
        try write("web.srv", "register acme.Web --name web --requires @db --prop port=8080\n")
        #expect(try servreg.run(["apply", folder]).stdout == "")
        #expect(try servreg.run(["props", "@cache", "-q"]).status == 0)
        #expect(try servreg.run(["apply", "--diff", "--prune", folder]).stdout == "- @cache (3)\n")
        #expect(try servreg.run(["apply", "--prune", folder]).stdout == "- @cache (3)\n")
        #expect(try servreg.run(["props", "@cache", "-q"]).status == 1)
        let log = try servreg.run(["listen", "--since", "0", "--json", "--timeout", "0.2"]).stdout
        #expect(log.contains("\"reason\":\"pruned\""))

        // A service registered by hand is not pruned: only what an apply of the source registered.
        _ = try servreg.register(["acme.Other", "--name", "mine"])
        #expect(try servreg.run(["apply", "--prune", folder]).stdout == "")
        #expect(try servreg.run(["props", "@mine", "-q"]).status == 0)

        // Specifications are fixed: a changed one replaces the service.
        try write("db.srv", "register acme.IDatabase acme.IStore --name db --prop region=eu --prop port=5432\n")
        let replaced = try servreg.run(["apply", folder])
        #expect(replaced.stdout.hasPrefix("± @db (5) replaces 1: objectClass:"), "\(replaced.stdout)")
        #expect(try servreg.run(["get", "acme.Web", "-q"]).stdout == "2\n")
    }

    @Test(arguments: [
        ("get acme.X\n", "apply takes register lines with --name, not 'get'"),
        ("register a.B\n", "a declared service needs --name"),
        ("register a.B --name x --hold -- true\n", "--hold is not for a declared service"),
        ("register a.B --name x --ttl 5s\n", "--ttl is not for a declared service"),
        ("register a.B --name x --prop p:int=x\n", "property 'p:int=x': 'x' is not a 64-bit integer"),
        ("register a.B --name x\nregister c.D --name x\n", "service name x is also declared at"),
        ("register a.B --name x --requires 'c.D:(p=1'\n", "filter error at column"),
        ("register a.B --name x 'unterminated\n", "column 23: unterminated '"),
    ])
    func aFileWithABadLineChangesNothing(text: String, message: String) throws {
        _ = try servreg.register(["acme.Before", "--name", "before"])
        try write("a.srv", "register ok.One --name one\n" + text)
        let before = try servreg.storeSnapshot()
        let result = try servreg.run(["apply", "--prune", folder])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("servreg: error: \(folder)/a.srv:"), "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stderr.filter { $0 == "\n" }.count == 1)
        #expect(try servreg.storeSnapshot() == before)
    }

    @Test func aCycleAmongDeclaredServicesIsRefusedWhole() throws {
        try write("a.srv", "register acme.A --name a --requires acme.B\nregister acme.B --name b --requires acme.A\n")
        let result = try servreg.run(["apply", folder])
        #expect(result.status == 65)
        #expect(result.stderr.contains("a.srv:2: requirement cycle: acme.B → acme.A → acme.B"), "\(result.stderr)")
        #expect(try servreg.run(["get-all", "--count", "--include-unsatisfied"]).stdout == "0\n")
    }
}
