import Foundation
import RegistryTestSupport
import Testing

/// Requirements, `deps` and `graph` (issue 13), through the binary.
@Suite struct DependencyEndToEndTests {
    let servreg = ServregProcess()

    private func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// The events logged since `sequence`, as listen --json prints them.
    private func events(since sequence: Int = 0) throws -> [[String: Any]] {
        try servreg.run(["listen", "--since", "\(sequence)", "--json", "--timeout", "0.2"]).lines.map(json)
    }

    @Test func anUnsatisfiedServiceIsHiddenUntilItsRequirementsAreMet() throws {
        let web = try servreg.register([
            "acme.Web", "--name", "web", "--requires", "acme.IDatabase:(region=eu)", "--requires", "@cache",
        ])
        let get = try servreg.run(["get", "acme.Web"])
        #expect(get.status == 1)
        #expect(try servreg.run(["get-all", "acme.Web", "--count"]).stdout == "0\n")
        #expect(try servreg.run(["get-all", "acme.Web", "--count", "--include-unsatisfied"]).stdout == "1\n")
        #expect(try servreg.run(["get", "acme.Web", "--include-unsatisfied", "-q"]).stdout == "\(web)\n")
        let props = json(try servreg.run(["props", "@web", "--json"]).stdout)
        #expect(props["service.state"] as? String == "unsatisfied")
        #expect(props["service.missing"] as? [String] == ["acme.IDatabase:(region=eu)", "@cache"])
        #expect(props["service.requires"] as? [String] == ["acme.IDatabase:(region=eu)", "@cache"])
        #expect(try servreg.run(["props", "@web"]).stdout.contains("service.state          str        unsatisfied"))
        #expect(try events().isEmpty)

        _ = try servreg.register(["acme.IDatabase", "--prop", "region=eu"])
        #expect(
            json(try servreg.run(["props", "@web", "--json"]).stdout)["service.missing"] as? [String] == ["@cache"])
        _ = try servreg.register(["acme.ICache", "--name", "cache"])
        #expect(try servreg.run(["get", "acme.Web", "-q"]).stdout == "\(web)\n")
        let seen = try events()
        #expect(seen.map { $0["event"] as? String } == ["REGISTERED", "REGISTERED", "REGISTERED"])
        #expect(seen.last?["id"] as? Int == web)
        #expect(seen.map { $0["seq"] as? Int } == [2, 3, 4])

        // A set-props that makes the database stop matching the filter takes the web along.
        let mark = seen.last?["seq"] as? Int ?? 0
        #expect(try servreg.run(["set-props", "2", "region=us"]).status == 0)
        let lost = try events(since: mark)
        #expect(lost.map { $0["event"] as? String } == ["MODIFIED", "UNREGISTERING"])
        #expect(lost.last?["reason"] as? String == "dependency-lost")
        #expect(try servreg.run(["get", "acme.Web"]).status == 1)
    }

    @Test func badRequirementsAreRefusedAndChangeNothing() throws {
        _ = try servreg.register(["acme.A", "--requires", "acme.B"])
        let before = try servreg.storeSnapshot()
        let badFilter = try servreg.run(["register", "acme.X", "--requires", "acme.B:(region=eu"])
        #expect(badFilter.status == 65)
        #expect(
            badFilter.stderr
                == "servreg: error: --requires 'acme.B:(region=eu': filter error at column 18: unexpected end of filter; expected ')'\n"
        )
        let cycle = try servreg.run(["register", "acme.B", "--requires", "acme.A"])
        #expect(cycle.status == 65)
        #expect(cycle.stderr.contains("requirement cycle: acme.B → acme.A → acme.B"))
        let badName = try servreg.run(["register", "acme.X", "--requires", "@no pe"])
        #expect(badName.status == 65)
        #expect(try servreg.storeSnapshot() == before)
        // A name nobody holds is accepted: unsatisfied until it exists.
        #expect(try servreg.run(["register", "acme.Y", "--requires", "@later"]).status == 0)
    }

    @Test func depsAndGraph() throws {
        let database = try servreg.register(["acme.IDatabase", "--name", "db", "--prop", "region=eu"])
        let web = try servreg.register(["acme.Web", "--requires", "acme.IDatabase:(region=eu)", "--requires", "@cache"])
        let deps = json(try servreg.run(["deps", "\(web)", "--json"]).stdout)
        #expect(deps["service.state"] as? String == "unsatisfied")
        let requires = deps["requires"] as? [[String: Any]] ?? []
        #expect(requires.map { $0["met_by"] as? [Int] } == [[database], []])
        #expect(json(try servreg.run(["deps", "@db", "--json"]).stdout)["required_by"] as? [Int] == [web])
        let human = try servreg.run(["deps", "\(web)"]).stdout
        #expect(human.contains("service \(web) acme.Web: unsatisfied"))
        #expect(human.contains("not met"))
        #expect(try servreg.run(["deps", "99"]).status == 1)

        let text = try servreg.run(["graph"]).stdout
        #expect(
            text.contains("\(web) acme.Web [unsatisfied]\n  requires acme.IDatabase:(region=eu)\n    → \(database) @db")
        )
        let dot = try servreg.run(["graph", "--dot"])
        #expect(dot.status == 0)
        #expect(dot.stdout.hasPrefix("digraph servreg {"))
        #expect(dot.stdout.contains("s\(web) -> s\(database) [label=\"acme.IDatabase:(region=eu)\", style=solid];"))
        #expect(dot.stdout.contains("s\(web) [label=\"\(web)\\nacme.Web\", style=dashed];"))
        // Graphviz reads it, when it is installed (.ci/run installs it).
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/dot") {
            let drawn = try servreg.run(
                ["-c", "\"$0\" graph --dot | dot -Tsvg", ServregProcess.binary], executable: "/bin/sh")
            #expect(drawn.status == 0 && drawn.stdout.contains("<svg"), "dot: \(drawn.stderr)")
        }
        #expect(try servreg.run(["graph", "acme.Nothing"]).status == 1)
        // DOT escapes a quote and a backslash once: dot shows the requirement as written.
        _ = try servreg.register(["acme.Q", "--requires", #"a"b:(x=\\)"#])
        let escaped = try servreg.run(["graph", "acme.Q", "--dot"]).stdout
        #expect(escaped.contains(#"label="a\"b:(x=\\\\)""#), "\(escaped)")
    }
}
