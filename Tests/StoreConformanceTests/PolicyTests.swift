import Foundation
import RegistryTestSupport
import ServiceRegistry
import Testing

/// Hooks and schemas (issue 14): the core's rules over every store (the store keeps them
/// as policies and only stores them).
@Suite struct PolicyTests {
    /// A hook runner made of closures: what each hook answers, and what it was given.
    final class Runner: HookRunner, @unchecked Sendable {
        var answers: [String: (String) throws -> String] = [:]
        var inputs: [(hook: String, input: String)] = []
        var after: [(hook: String, change: ServiceChange)] = []
        var trusted = true
        struct Untrusted: Error {}

        func checkTrusted() throws { if !trusted { throw Untrusted() } }
        func run(_ hook: Hook, input: [UInt8]) throws -> [UInt8] {
            let text = String(decoding: input, as: UTF8.self)
            inputs.append((hook.name, text))
            return Array(try (answers[hook.name]?(text) ?? "").utf8)
        }
        func runAfter(_ hook: Hook, change: ServiceChange) { after.append((hook.name, change)) }
    }

    private func registry(_ location: StoreLocationFixture, _ runner: Runner) throws -> Registry {
        let registry = Registry(store: try location.open())
        registry.hookRunner = runner
        registry.client = "tester"
        return registry
    }

    private func register(_ registry: Registry, _ specifications: [String], _ properties: [(String, PropertyValue)])
        throws -> ServiceRecord
    {
        try registry.register(RegistrationRequest(specifications: specifications, properties: properties))
    }

    private func schema(_ specification: String, _ fields: [String], closed: Bool = false) throws
        -> SpecificationSchema
    {
        try SpecificationSchema.parse(specification: specification, fields: fields, closed: closed)
    }

    private func violations(_ body: () throws -> Void) -> [SchemaViolation]? {
        do {
            try body()
        } catch RegistryError.schemaViolated(_, let violations) {
            return violations
        } catch {
            Issue.record("unexpected \(error)")
        }
        return nil
    }

    @Test(arguments: StoreBackend.allCases)
    func policiesAreStoredInOrderReplacedInPlaceAndRemoved(_ backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let runner = Runner()
        let registry = try registry(location, runner)
        try registry.addHook(Hook(name: "a", phase: .before, operation: .register, command: ["/bin/true"]), named: true)
        try registry.addHook(Hook(name: "", phase: .after, operation: .unregister, command: ["x"]), named: false)
        try registry.setSchema(try schema("acme.A", ["port:int"]))
        try registry.addHook(Hook(name: "c", phase: .before, operation: .setProperties, command: ["y"]), named: true)
        #expect(throws: RegistryError.hookExists("a")) {
            try registry.addHook(Hook(name: "a", phase: .before, operation: .register, command: ["z"]), named: true)
        }
        // Another connection (another process) sees them, in the order they were added.
        let other = try self.registry(location, runner)
        #expect(try other.hooks().map(\.name) == ["a", "hook-2", "c"])
        #expect(try other.hooks()[1].command == ["x"])
        // A schema set again replaces the old one.
        try registry.setSchema(try schema("acme.A", ["port:str", "host:str=h"], closed: true))
        #expect(try other.schema(of: "acme.A") == (try schema("acme.A", ["port:str", "host:str=h"], closed: true)))
        try other.removeHook(named: "a")
        #expect(throws: RegistryError.noSuchHook("a")) { try other.removeHook(named: "a") }
        try other.removeSchema(of: "acme.A")
        #expect(throws: RegistryError.noSuchSchema("acme.A")) { try registry.schema(of: "acme.A") }
        #expect(try registry.hooks().map(\.name) == ["hook-2", "c"])
        #expect(try registry.schemas().isEmpty)
    }

    @Test(arguments: StoreBackend.allCases)
    func schemasCheckEveryTypeRequiredDefaultsOneOfRangesAndClosed(_ backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let registry = try registry(location, Runner())
        try registry.setSchema(
            try schema(
                "acme.IShop",
                [
                    "name:str!", "price:int[0..1000]", "weight:float[0..]", "open:bool=true", "tags:list<str>",
                    "size:str{s,m,l}", "floor:int{1,2,3}", "codes:list<int[0..9]>", "any:list",
                ], closed: true))
        let good = try register(
            registry, ["acme.IShop"],
            [
                ("name", .string("Joe")), ("price", .integer(90)), ("weight", .integer(2)),
                ("tags", .list([.string("a")])), ("size", .string("m")), ("floor", .integer(2)),
                ("codes", .list([.integer(1), .integer(9)])), ("any", .list([.boolean(true), .integer(1)])),
            ])
        // The default is filled in, and an int given for a float is that float.
        #expect(good.properties["open"] == .boolean(true))
        #expect(good.properties["weight"] == .float(2))
        let found = violations {
            _ = try register(
                registry, ["acme.IShop"],
                [
                    ("price", .string("ninety")), ("weight", .float(-1)), ("open", .string("yes")),
                    ("tags", .string("a,b")), ("size", .string("xl")), ("floor", .integer(4)),
                    ("codes", .list([.integer(1), .integer(10)])), ("any", .list([.list([])])), ("extra", .integer(1)),
                ])
        }
        #expect(
            found == [
                SchemaViolation(key: "name", problem: .required),
                SchemaViolation(key: "price", problem: .wrongType(expected: "int", got: .string("ninety"))),
                SchemaViolation(key: "weight", problem: .outOfRange(.float(-1), "0..")),
                SchemaViolation(key: "open", problem: .wrongType(expected: "bool", got: .string("yes"))),
                SchemaViolation(key: "tags", problem: .wrongType(expected: "list<str>", got: .string("a,b"))),
                SchemaViolation(
                    key: "size", problem: .notOneOf(.string("xl"), [.string("s"), .string("m"), .string("l")])),
                SchemaViolation(
                    key: "floor", problem: .notOneOf(.integer(4), [.integer(1), .integer(2), .integer(3)])),
                SchemaViolation(key: "codes", problem: .element(1, .outOfRange(.integer(10), "0..9"))),
                SchemaViolation(key: "any", problem: .element(0, .wrongType(expected: "a scalar", got: .list([])))),
                SchemaViolation(key: "extra", problem: .notInSchema),
            ])
        // set-props: checked too; removing a key with a default brings the default back.
        #expect(
            violations {
                _ = try registry.setProperties(id: good.id, PropertyUpdate(assignments: [("price", .integer(1001))]))
            }
                == [SchemaViolation(key: "price", problem: .outOfRange(.integer(1001), "0..1000"))])
        #expect(
            violations { _ = try registry.setProperties(id: good.id, PropertyUpdate(removals: ["name"])) } == [
                SchemaViolation(key: "name", problem: .required)
            ])
        let (restored, _) = try registry.setProperties(id: good.id, PropertyUpdate(removals: ["open"]))
        #expect(restored.properties["open"] == .boolean(true))
        // Nothing of the refused changes was stored.
        #expect(try registry.service(id: good.id).properties["price"] == .integer(90))
        #expect(try registry.count(ServiceQuery(specification: "acme.IShop")) == 1)
    }

    @Test(arguments: StoreBackend.allCases)
    func aServiceIsCheckedAgainstTheSchemasOfAllItsSpecifications(_ backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let registry = try registry(location, Runner())
        try registry.setSchema(try schema("acme.IShop", ["price:int!"], closed: true))
        try registry.setSchema(try schema("acme.IPlace", ["location:str!", "region:str=eu"]))
        #expect(
            violations { _ = try register(registry, ["acme.IShop", "acme.IPlace"], [("price", .string("ninety"))]) }
                == [
                    SchemaViolation(key: "price", problem: .wrongType(expected: "int", got: .string("ninety"))),
                    SchemaViolation(key: "location", problem: .required),
                ])
        // A key another schema of the service names is not refused by the closed one.
        let both = try register(
            registry, ["acme.IShop", "acme.IPlace"], [("price", .integer(5)), ("location", .string("x"))])
        #expect(both.properties["region"] == .string("eu"))
        // A service of neither is not checked.
        _ = try register(registry, ["acme.IOther"], [("price", .string("free"))])
    }

    @Test(arguments: StoreBackend.allCases)
    func aSchemaThatRegisteredServicesViolateIsRefusedListingThem(_ backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let registry = try registry(location, Runner())
        let first = try register(registry, ["acme.IDb"], [("port", .string("x"))])
        _ = try register(registry, ["acme.IDb"], [("port", .integer(5432))])
        let third = try register(registry, ["acme.IDb"], [])
        let strict = try schema("acme.IDb", ["port:int!", "host:str=localhost"])
        let expected = [
            SchemaViolator(
                id: first.id,
                violations: [SchemaViolation(key: "port", problem: .wrongType(expected: "int", got: .string("x")))]),
            SchemaViolator(id: third.id, violations: [SchemaViolation(key: "port", problem: .required)]),
        ]
        #expect(try registry.setSchema(strict, checkOnly: true) == expected)
        #expect(throws: RegistryError.schemaRefused("acme.IDb", expected, total: 2)) {
            try registry.setSchema(strict)
        }
        #expect(throws: RegistryError.noSuchSchema("acme.IDb")) { try registry.schema(of: "acme.IDb") }
        try registry.unregister(ids: [first.id, third.id])
        try registry.setSchema(strict)
        #expect(try registry.schema(of: "acme.IDb") == strict)
    }

    @Test(arguments: StoreBackend.allCases)
    func beforeHooksRunInOrderMergeAndVeto(_ backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let runner = Runner()
        let registry = try registry(location, runner)
        try registry.setSchema(try schema("acme.IDb", ["port:int=5432"]))
        try registry.addHook(
            Hook(name: "one", phase: .before, operation: .register, specification: "acme.*", command: ["1"]),
            named: true)
        try registry.addHook(
            Hook(name: "two", phase: .before, operation: .register, specification: "acme.IDb", command: ["2"]),
            named: true)
        try registry.addHook(
            Hook(name: "other", phase: .before, operation: .register, specification: "other.X", command: ["3"]),
            named: true)
        runner.answers["one"] = { _ in #"{"env":"prod","drop":null,"service.ranking":7}"# }
        runner.answers["two"] = { input in
            guard input.contains(#""env":"prod""#) else {
                throw HookFailure(hook: "two", kind: .exited(1, message: "no env"))
            }
            return #"{"checked":true}"#
        }
        let record = try register(registry, ["acme.IDb"], [("drop", .integer(1))])
        #expect(record.properties["env"] == .string("prod"))
        #expect(record.properties["checked"] == .boolean(true))
        #expect(record.properties["drop"] == nil)
        #expect(record.properties["port"] == .integer(5432))
        #expect(record.ranking == 7)
        // Each ran once, in order, the second on what the first made of it; the proposal has
        // the schema's default and no id yet.
        #expect(runner.inputs.map(\.hook) == ["one", "two"])
        #expect(runner.inputs[0].input.contains(#""before":null"#) && runner.inputs[0].input.contains(#""port":5432"#))
        #expect(runner.inputs[0].input.contains(#""service.id":null"#))
        #expect(runner.inputs[0].input.contains(#""client":"tester""#))
        #expect(runner.inputs[1].input.contains(#""env":"prod""#))
        // A veto: its error, nothing stored.
        runner.answers["one"] = { _ in "" }
        #expect(throws: HookFailure(hook: "two", kind: .exited(1, message: "no env"))) {
            _ = try register(registry, ["acme.IDb"], [])
        }
        #expect(try registry.count(ServiceQuery(specification: "acme.IDb")) == 1)
        // Output that is not properties: a veto too.
        runner.answers["one"] = { _ in #"{"service.id":3}"# }
        #expect(throws: HookFailure(hook: "one", kind: .invalidOutput(.readOnlyKey("service.id")))) {
            _ = try register(registry, ["acme.IDb"], [])
        }
        // A merge the schema refuses is refused.
        runner.answers["one"] = { _ in #"{"env":"prod","port":"x"}"# }
        #expect(throws: RegistryError.self) { _ = try register(registry, ["acme.IDb"], []) }
        #expect(try registry.count(ServiceQuery(specification: "acme.IDb")) == 1)
        // Untrusted: nothing runs, nothing is stored.
        runner.trusted = false
        let before = runner.inputs.count
        #expect(throws: Runner.Untrusted.self) { _ = try register(registry, ["acme.IDb"], []) }
        #expect(runner.inputs.count == before)
    }

    @Test(arguments: StoreBackend.allCases)
    func setPropsAndUnregisterHooksSeeBeforeAndAfter(_ backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let runner = Runner()
        let registry = try registry(location, runner)
        let record = try register(registry, ["acme.A"], [("a", .integer(1))])
        try registry.addHook(Hook(name: "s", phase: .before, operation: .setProperties, command: ["s"]), named: true)
        try registry.addHook(Hook(name: "u", phase: .before, operation: .unregister, command: ["u"]), named: true)
        runner.answers["s"] = { _ in #"{"normalised":true}"# }
        let (changed, _) = try registry.setProperties(id: record.id, PropertyUpdate(assignments: [("a", .integer(2))]))
        #expect(changed.properties["normalised"] == .boolean(true))
        #expect(runner.inputs[0].input.contains(#""before":{"service.id":\#(record.id)"#))
        #expect(runner.inputs[0].input.contains(#""a":2"#))
        // A set-props that changes nothing is no change: no hook.
        _ = try registry.setProperties(id: record.id, PropertyUpdate(assignments: [("a", .integer(2))]))
        #expect(runner.inputs.count == 1)
        runner.answers["u"] = { _ in throw HookFailure(hook: "u", kind: .exited(2, message: "keep it")) }
        #expect(throws: HookFailure.self) { try registry.unregister(ids: [record.id]) }
        #expect(try registry.count(ServiceQuery()) == 1)
        runner.answers["u"] = { _ in #"{"x":1}"# }
        #expect(throws: HookFailure(hook: "u", kind: .outputForUnregister)) {
            try registry.unregister(ids: [record.id])
        }
        runner.answers["u"] = { _ in "{}\n" }
        #expect(try registry.unregister(ids: [record.id]).removed.count == 1)
        #expect(runner.inputs.last?.input.contains(#""after":null"#) == true)
    }

    @Test(arguments: StoreBackend.allCases)
    func aChangeMadeWhileHooksRunIsSeenByThemAgainAndOneThatKeepsChangingIsRefused(_ backend: StoreBackend)
        throws
    {
        let location = backend.makeLocation()
        let runner = Runner()
        let registry = try registry(location, runner)
        let other = try self.registry(location, Runner())
        let record = try register(registry, ["acme.A"], [("n", .integer(0))])
        try registry.addHook(Hook(name: "slow", phase: .before, operation: .setProperties, command: ["s"]), named: true)
        // The first time it runs, another process changes the service (no transaction is
        // open while a hook runs: the other write goes through).
        var moves = 1
        runner.answers["slow"] = { _ in
            if moves > 0 {
                moves -= 1
                _ = try other.setProperties(id: record.id, PropertyUpdate(assignments: [("n", .integer(100))]))
            }
            return ""
        }
        let (changed, _) = try registry.setProperties(id: record.id, PropertyUpdate(assignments: [("m", .integer(1))]))
        #expect(changed.properties["n"] == .integer(100) && changed.properties["m"] == .integer(1))
        #expect(runner.inputs.count == 2)
        #expect(runner.inputs[1].input.contains(#""n":100"#))
        // Always moving: refused after `hookRounds` runs again, nothing of it stored.
        var counter: Int64 = 200
        runner.answers["slow"] = { _ in
            counter += 1
            _ = try other.setProperties(id: record.id, PropertyUpdate(assignments: [("n", .integer(counter))]))
            return ""
        }
        #expect(throws: RegistryError.hooksKeptChanging(rounds: Registry.hookRounds)) {
            _ = try registry.setProperties(id: record.id, PropertyUpdate(assignments: [("m", .integer(2))]))
        }
        #expect(try registry.service(id: record.id).properties["m"] == .integer(1))
    }

    @Test(arguments: StoreBackend.allCases)
    func afterHooksSeeEveryCommittedEventAndBeforeHooksAreRefusedInsideABatch(_ backend: StoreBackend) throws {
        let location = backend.makeLocation()
        let runner = Runner()
        let registry = try registry(location, runner)
        try registry.addHook(
            Hook(name: "gone", phase: .after, operation: .unregister, specification: "acme.A", command: ["g"]),
            named: true)
        try registry.addHook(Hook(name: "new", phase: .after, operation: .register, command: ["n"]), named: true)
        let a = try register(registry, ["acme.A"], [])
        _ = try register(registry, ["acme.B"], [])
        try registry.unregister(ids: [a.id])
        #expect(runner.after.map(\.hook) == ["new", "new", "gone"])
        #expect(runner.after[2].change.kind == .unregistered && runner.after[2].change.serviceID == a.id)
        // In a batch they run once it has committed, and not for what it rolled back.
        runner.after = []
        try registry.batch { batch in
            _ = try register(batch, ["acme.A"], [])
            #expect(runner.after.isEmpty)
        }
        #expect(runner.after.map(\.hook) == ["new"])
        runner.after = []
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try registry.batch(.allOrNothing) { batch in
                _ = try register(batch, ["acme.A"], [])
                throw Abort()
            }
        }
        #expect(runner.after.isEmpty)
        // A before-hook cannot run inside a batch (it holds the store's lock).
        try registry.addHook(Hook(name: "veto", phase: .before, operation: .register, command: ["v"]), named: true)
        #expect(throws: RegistryError.beforeHooksInBatch("veto")) {
            try registry.batch(.allOrNothing) { batch in _ = try register(batch, ["acme.A"], []) }
        }
        #expect(runner.inputs.isEmpty)
    }
}
