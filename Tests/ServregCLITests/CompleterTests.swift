import Foundation
import RegistrySQLite
import ServiceRegistry
import Testing

@testable import ServregCLI

/// The one completion function behind the shell's Tab and the generated shell scripts.
@Suite struct CompleterTests {
    private let directory = NSTemporaryDirectory() + "servreg-complete-" + UUID().uuidString
    private let registry: Registry

    init() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        registry = Registry(store: try SQLiteStore(path: directory + "/registry.db", access: .write))
        for (specification, name) in [("acme.IPlumber", "Joe"), ("acme.IPainter", "Ann"), ("beta.IRoofer", "Bo")] {
            _ = try registry.register(
                RegistrationRequest(
                    specifications: [specification],
                    properties: [("name", .string(name)), ("Price", .integer(90)), ("location", .string("BH3"))]))
        }
        for index in 4...12 {
            _ = try registry.register(RegistrationRequest(specifications: ["zeta.IBulk\(index)"], properties: []))
        }
    }

    /// One key inside a filter comes with each operator: the shells then insert the key
    /// and keep the filter's quote open.
    private func operators(_ key: String) -> [String] { ["=", "<=", ">=", "~="].map { key + $0 } }

    private func complete(_ line: String, inShell: Bool = true) -> [String] {
        let (words, current) = InteractiveShell.split(line)
        return Completer(registry: registry, inShell: inShell).complete(words: words ?? [], current: current)
    }

    /// A schema's keys come first after --prop and in set-props, and after `key=` its
    /// one-of values (and true/false for a bool); hook and schema complete their words.
    @Test func schemaKeysAndOneOfValuesHookAndSchemaWords() throws {
        try registry.setSchema(
            try SpecificationSchema.parse(
                specification: "acme.IPlumber", fields: ["region:str{eu,us}", "open:bool", "zone:int"], closed: false))
        try registry.addHook(Hook(name: "audit", phase: .after, operation: .register, command: ["x"]), named: true)
        #expect(complete("register acme.IPlumber --prop r") == ["region="])
        #expect(complete("register acme.IPlumber --prop region=") == ["region=eu", "region=us"])
        #expect(complete("register acme.IPlumber --prop region=u") == ["region=us"])
        #expect(complete("register acme.IPlumber --prop open=") == ["open=false", "open=true"])
        #expect(complete("register acme.IPlumber --prop zone=").isEmpty)
        #expect(complete("register acme.IPlumber --prop ").prefix(3) == ["region=", "open=", "zone="])
        #expect(complete("set-props 1 reg") == ["region="])
        #expect(complete("set-props 1 region=e") == ["region=eu"])
        #expect(complete("register beta.IRoofer --prop reg").isEmpty)
        #expect(complete("schema ") == ["list", "rm", "set", "show"])
        #expect(complete("schema show acme.IPl") == ["acme.IPlumber"])
        #expect(complete("hook ") == ["add", "list", "rm"])
        #expect(complete("hook add ") == ["before", "after"])
        #expect(complete("hook add before s") == ["set-props"])
        #expect(complete("hook rm ") == ["audit"])
    }

    @Test func commandNamesIncludingSessionCommandsInTheShell() {
        #expect(complete("ge") == ["get", "get-all"])
        #expect(complete("get") == ["get", "get-all"])
        #expect(complete("un") == ["unget", "unregister"])
        #expect(complete("e") == ["echo", "exit", "export"])
        #expect(complete("e", inShell: false) == ["export"])
        // An empty line in the shell offers nothing the shell refuses (issue 9).
        #expect(!complete("").contains("shell") && complete("").contains("run") && complete("").contains("specs"))
        #expect(complete("", inShell: false).contains("run"))
        #expect(complete("help se") == ["set-props"])
    }

    @Test func specificationNamesFromTheStore() {
        #expect(complete("get acme.IP") == ["acme.IPainter", "acme.IPlumber"])
        #expect(complete("register acme.IPlumber be") == ["beta.IRoofer"])
        #expect(complete("get-all zeta.IBulk1") == ["zeta.IBulk10", "zeta.IBulk11", "zeta.IBulk12"])
        #expect(complete("get acme.IPlumber ") == [], "get takes one specification")
        #expect(complete("get nothing.here") == [])
    }

    @Test func serviceIdsFromTheStore() {
        #expect(complete("props 1") == ["1", "10", "11", "12"])
        #expect(complete("props 1 ") == [])
        #expect(complete("unregister 2 ").contains("3"))
        #expect(!complete("unregister 2 ").contains("2"), "an id already named is not offered again")
        #expect(complete("set-props 3") == ["3"])
    }

    @Test func propertyKeysAfterKeyOptionsAndInsideFilters() {
        #expect(complete("get acme.IPlumber --min pr") == ["price"])
        #expect(complete("get-all --max l") == ["location"])
        #expect(complete("register acme.IPlumber --prop na") == ["name="])
        #expect(complete("set-props 1 --unset lo") == ["location"])
        #expect(complete("set-props 1 na") == ["name="])
        #expect(complete("set-props 1 serv") == ["service.ranking="])
        #expect(complete("get acme.IPlumber --filter (&(pr") == operators("(&(price"))
        #expect(complete("get acme.IPlumber --filter (service.i") == operators("(service.id"))
        #expect(complete("get acme.IPlumber --filter ") == ["("])
        // Read-only and fixed keys are not offered where they cannot be set.
        #expect(complete("register acme.IPlumber --prop service.") == ["service.ranking="])
    }

    /// set-props offers the service's own keys, --unset only those it may remove; a quoted
    /// filter completes inside its quote; ids in numeric order (issue 9).
    @Test func aServicesOwnKeysQuotedFiltersAndNumericIds() throws {
        let own = try registry.register(
            RegistrationRequest(
                specifications: ["acme.IPlumber"], properties: [("key10", .integer(1)), ("key2", .integer(2))]))
        #expect(complete("set-props \(own.id) ") == ["key2=", "key10=", "service.ranking="])
        #expect(complete("set-props \(own.id) --unset ") == ["key2", "key10"])
        #expect(complete("set-props \(own.id) --unset na") == [], "another service's key")
        #expect(complete("set-props 999 --unset ") == [])
        #expect(complete("get-all --filter '(&(name=Joe)(pr") == operators("'(&(name=Joe)(price"))
        #expect(complete("get-all --filter '") == ["'("])
        #expect(complete("get-all --filter \"(lo") == operators("\"(location"))
        let ids = complete("props ")
        #expect(ids == ids.sorted { Int($0)! < Int($1)! } && ids.count > 10)
    }

    @Test func optionNamesAndValues() {
        #expect(complete("get-all --co") == ["--count"])
        #expect(complete("register a.B --sc") == ["--scope"])
        #expect(complete("register a.B --scope ") == ["singleton", "bundle", "prototype"])
        #expect(complete("run --at") == ["--atomic"])
        #expect(complete("listen --in") == ["--initial"])
        #expect(complete("listen acme.IP") == ["acme.IPainter", "acme.IPlumber"])
        #expect(complete("listen acme.IPlumber --filter (pr") == operators("(price"))
        #expect(complete("li") == ["listen"])
        #expect(complete("specs acme.IP") == ["acme.IPainter", "acme.IPlumber"])
    }

    @Test func scriptCallbackReadsTheShellsWords() {
        // The environment is passed in, not set: tests run in parallel in one process.
        let environment = ["SERVREG_STORE": directory + "/registry.db"]
        func candidates(_ words: [String], _ index: Int, _ prefix: String) -> [String] {
            Completer.candidates(words: words, index: index, prefix: prefix, environment: environment)
        }
        #expect(candidates(["servreg", "get", "acme.IPa"], 2, "acme.IPa") == ["acme.IPainter"])
        #expect(candidates(["servreg", "props", "'1"], 2, "'1") == ["1", "10", "11", "12"])
        #expect(candidates(["servreg", "get", "--"], 2, "--") == [], "the scripts list options")
        let missing = candidates(["servreg", "--store", "/nonexistent/x.db", "props", ""], 4, "")
        #expect(missing == [], "an unreadable store completes nothing, silently")
    }
}
