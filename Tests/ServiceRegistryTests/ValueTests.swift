import Foundation
import RegistryTestSupport
import Testing

@testable import ServiceRegistry

/// A maker of the tests: factories and releases are closures, counted.
private final class RecordingMaker: ValueMaker, @unchecked Sendable {
    var made = 0
    var released: [(client: String, value: String)] = []
    var trusted = true
    var output: (ServiceRecord, String) throws -> [UInt8] = { record, client in
        Array("value-\(record.id)-\(client)".utf8)
    }
    /// Runs while the factory runs (another request, in the middle of this one).
    var during: (() throws -> Void)?

    func make(_ factory: ServiceFactory, of service: ServiceRecord, specification: String, client: String) throws
        -> [UInt8]
    {
        made += 1
        if let during {
            self.during = nil
            try during()
        }
        return try output(service, client)
    }

    func release(_ pending: PendingRelease) throws {
        released.append((pending.client, String(decoding: pending.value, as: UTF8.self)))
    }

    struct Untrusted: Error {}
    func checkTrusted() throws { if !trusted { throw Untrusted() } }
    var isInterrupted: Bool { false }
}

/// Values, factories and their scopes, clients' uses and releases (issue 12), in the core.
@Suite struct ValueTests {
    private let store = MemoryStore()
    private let clock = ManualLiveness()
    private var registry: Registry { Registry(store: store, liveness: clock) }
    private let maker = RecordingMaker()
    private let me = ServiceOwner(pid: 100, startTime: 1000, bootID: "boot")

    init() { _ = clock.start(100) }

    private func factory(
        _ scope: ServiceScope, release: [String]? = ["rel"], name: String = "f", ttl: Int64? = nil
    ) throws -> ServiceRecord {
        var request = RegistrationRequest(
            specifications: ["acme.IPool"], properties: [(ReservedKey.scope, .string(scope.rawValue))], name: name,
            ttl: ttl)
        request.factory = ServiceFactory(command: ["make"])
        request.release = release
        request.registeredBy = "owner"
        return try registry.register(request)
    }

    private func value(_ id: ServiceID, _ client: String) throws -> String {
        let (_, bytes) = try #require(
            try registry.value(of: .service(.id(id)), client: client, claimant: me, maker: maker))
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func aPlainValueIsReturnedAsStoredAndItsUseIsRecorded() throws {
        var request = RegistrationRequest(specifications: ["acme.IDb"], properties: [])
        request.value = [0, 255, 10, 13]
        request.registeredBy = "alice"
        let record = try registry.register(request)
        let query = ServiceQuery(specification: "acme.IDb")
        let (found, bytes) = try #require(
            try registry.value(of: .best(query), client: "bob", claimant: me, maker: maker))
        #expect(bytes == [0, 255, 10, 13] && found.id == record.id)
        #expect(found.value(forFoldedKey: ReservedKey.value) == nil)
        #expect(found.value(forFoldedKey: ReservedKey.valueBase64) == .string("AP8KDQ=="))
        #expect(found.value(forFoldedKey: ReservedKey.registeredBy) == .string("alice"))
        #expect(try registry.users(of: record.id) == ["bob"])
        #expect(maker.made == 0)
        #expect(
            try registry.value(
                of: .best(ServiceQuery(specification: "x.None")), client: "bob", claimant: me, maker: maker)
                == nil)
    }

    /// Read only, a request answers what needs no write and says when one is needed.
    @Test func aReadOnlyRequestAsksForAWriteOnlyWhenItNeedsOne() throws {
        var request = RegistrationRequest(specifications: ["acme.IDb"], properties: [])
        request.value = Array("v".utf8)
        let plain = try registry.register(request)
        let made = try factory(.bundle)
        for id in [plain.id, made.id] {
            #expect(throws: Registry.ValueNeedsWrite.self) {
                _ = try registry.value(of: .service(.id(id)), client: "a", claimant: me, maker: maker, writable: false)
            }
            _ = try value(id, "a")
            let again = try registry.value(
                of: .service(.id(id)), client: "a", claimant: me, maker: maker, writable: false)
            #expect(again?.1 == (id == plain.id ? Array("v".utf8) : Array("value-\(id)-a".utf8)))
        }
        #expect(maker.made == 1)
    }

    @Test func aSingletonFactoryRunsOnceAndItsValueBecomesTheServices() throws {
        let record = try factory(.singleton)
        #expect(try value(record.id, "a") == "value-\(record.id)-a")
        #expect(try value(record.id, "b") == "value-\(record.id)-a")
        #expect(maker.made == 1)
        let stored = try registry.service(id: record.id)
        #expect(stored.factory == nil && stored.value == Array("value-\(record.id)-a".utf8))
        #expect(stored.release == ["rel"])
        #expect(try registry.changes(after: 0).map(\.kind) == [.registered, .modified])
        #expect(try registry.users(of: record.id) == ["a", "b"])
        // Unregistered: the value it kept is released.
        _ = try registry.unregister([.id(record.id)])
        #expect(try registry.runPendingReleases(maker: maker).isEmpty)
        #expect(maker.released.map(\.value) == ["value-\(record.id)-a"])
    }

    @Test func aBundleFactoryMakesOneValuePerClientUntilUnget() throws {
        let record = try factory(.bundle)
        #expect(try value(record.id, "a") == "value-\(record.id)-a")
        #expect(try value(record.id, "a") == "value-\(record.id)-a")
        #expect(try value(record.id, "b") == "value-\(record.id)-b")
        #expect(maker.made == 2)
        #expect(try registry.users(of: record.id) == ["a", "b"])
        #expect(try registry.service(id: record.id).factory != nil)
        try registry.unget(.id(record.id), client: "a")
        #expect(try registry.runPendingReleases(maker: maker).isEmpty)
        #expect(maker.released.map(\.client) == ["a"])
        #expect(try registry.users(of: record.id) == ["b"])
        #expect(throws: RegistryError.notInUse(record.id, client: "a")) {
            try registry.unget(.id(record.id), client: "a")
        }
        _ = try value(record.id, "a")
        #expect(maker.made == 3)
        // Its lease ends: every value still held is released, once.
        _ = try registry.unregister([.id(record.id)])
        _ = try registry.runPendingReleases(maker: maker)
        #expect(maker.released.map(\.client) == ["a", "a", "b"])
        #expect(try registry.runPendingReleases(maker: maker).isEmpty)
        #expect(maker.released.count == 3)
    }

    @Test func anExpiredBundleFactoryReleasesItsValuesThroughTheSweep() throws {
        let record = try factory(.bundle, ttl: 1000)
        _ = try value(record.id, "a")
        clock.advance(1000)
        _ = try registry.register(RegistrationRequest(specifications: ["x.Y"], properties: []))
        _ = try registry.runPendingReleases(maker: maker)
        #expect(maker.released.map(\.client) == ["a"])
    }

    @Test func aPrototypeFactoryRunsForEveryRequestAndKeepsNothing() throws {
        var count = 0
        maker.output = { _, _ in
            count += 1
            return Array("v\(count)".utf8)
        }
        let record = try factory(.prototype)
        #expect(try value(record.id, "a") == "v1")
        #expect(try value(record.id, "a") == "v2")
        #expect(try registry.users(of: record.id).isEmpty)
        try registry.unget(.id(record.id), client: "a", value: Array("v1".utf8))
        _ = try registry.runPendingReleases(maker: maker)
        #expect(maker.released.map(\.value) == ["v1"])
        #expect(try registry.changes(after: 0).map(\.kind) == [.registered])
    }

    @Test func aFailingFactoryLeavesTheStoreAsItWasAndTheNextRequestTriesAgain() throws {
        let record = try factory(.singleton)
        let before = store.services
        let sequence = try registry.latestSequence()
        maker.output = { record, _ in throw FactoryError(.exited(3), command: "make", service: record.id) }
        #expect(throws: FactoryError(.exited(3), command: "make", service: record.id)) {
            _ = try value(record.id, "a")
        }
        #expect(store.services == before)
        #expect(try registry.latestSequence() == sequence)
        #expect(try registry.users(of: record.id).isEmpty)
        maker.output = { _, _ in [] }
        #expect(throws: FactoryError(.noOutput, command: "make", service: record.id)) { _ = try value(record.id, "a") }
        maker.output = { _, _ in Array("ok".utf8) }
        #expect(try value(record.id, "a") == "ok")
    }

    @Test func anUntrustedStoreRunsNothingAndChangesNothing() throws {
        let record = try factory(.bundle)
        maker.trusted = false
        #expect(throws: RecordingMaker.Untrusted.self) { _ = try value(record.id, "a") }
        #expect(maker.made == 0)
        #expect(try registry.users(of: record.id).isEmpty)
    }

    /// A claim by a live process makes others wait; one by a process that died is taken
    /// over. (The value made under a lost claim is released, not used twice.)
    @Test func aClaimOfADeadProcessIsTakenOver() throws {
        let record = try factory(.singleton)
        let dead = ServiceOwner(pid: 7, startTime: 70, bootID: "boot")
        try store.write { writer in try writer.setUse(ServiceUse(client: "", claimant: dead), of: record.id) }
        #expect(try value(record.id, "a") == "value-\(record.id)-a")
        #expect(maker.made == 1)
    }

    @Test func aValueMadeUnderAClaimTakenOverMeanwhileIsReleased() throws {
        let record = try factory(.singleton)
        let other = clock.start(8)
        // While this process's factory runs, another process takes the claim and stores its value.
        maker.during = {
            try self.store.write { writer in
                try writer.setUse(ServiceUse(client: "", claimant: other), of: record.id)
                var next = try #require(try writer.service(id: record.id))
                let previous = next
                next.value = Array("theirs".utf8)
                next.factory = nil
                try writer.update(next, previous: previous, logEvent: true)
            }
        }
        #expect(try value(record.id, "a") == "theirs")
        _ = try registry.runPendingReleases(maker: maker)
        #expect(maker.released.map(\.value) == ["value-\(record.id)-a"])
    }

    @Test func badRegistrationsAndValues() throws {
        var both = RegistrationRequest(specifications: ["a.B"], properties: [])
        both.value = [1]
        both.factory = ServiceFactory(command: ["x"])
        #expect(throws: RegistryError.valueAndFactory) { try registry.register(both) }
        var large = RegistrationRequest(specifications: ["a.B"], properties: [])
        large.value = [UInt8](repeating: 1, count: ServiceValue.maximumSize + 1)
        #expect(throws: RegistryError.valueTooLarge(ServiceValue.maximumSize + 1)) { try registry.register(large) }
        var empty = RegistrationRequest(specifications: ["a.B"], properties: [])
        empty.factory = ServiceFactory(command: [])
        #expect(throws: RegistryError.factoryWithoutCommand) { try registry.register(empty) }
        let plain = try registry.register(RegistrationRequest(specifications: ["a.B"], properties: []))
        #expect(throws: RegistryError.noValue(plain.id)) { _ = try value(plain.id, "a") }
        let made = try factory(.bundle)
        #expect(throws: RegistryError.valueOfFactory(made.id)) {
            _ = try registry.setProperties(.id(made.id), PropertyUpdate(), value: [1])
        }
        let (changed, didChange) = try registry.setProperties(.id(plain.id), PropertyUpdate(), value: [9])
        #expect(didChange && changed.value == [9])
        #expect(throws: RegistryError.invalidClientName("a b")) { _ = try value(made.id, "a b") }
        #expect(store.services.count == 2)
    }

    /// `--existing update` keeps a value and a factory apart and the scope fixed, as
    /// register and set-props do.
    @Test func anUpdateByNameKeepsValueAndFactoryApartAndTheScopeFixed() throws {
        let made = try factory(.bundle, name: "f")
        var valued = RegistrationRequest(specifications: ["acme.IPool"], properties: [], name: "f", existing: .update)
        valued.value = [1]
        #expect(throws: RegistryError.valueOfFactory(made.id)) { try registry.register(valued) }
        let rescoped = RegistrationRequest(
            specifications: ["acme.IPool"], properties: [(ReservedKey.scope, .string("prototype"))], name: "f",
            existing: .update)
        #expect(throws: RegistryError.fixedAtRegistration(ReservedKey.scope)) { try registry.register(rescoped) }
        var plain = RegistrationRequest(specifications: ["acme.IDb"], properties: [], name: "v")
        plain.value = [2]
        _ = try registry.register(plain)
        var factoryOnValue = RegistrationRequest(
            specifications: ["acme.IDb"], properties: [], name: "v", existing: .update)
        factoryOnValue.factory = ServiceFactory(command: ["x"])
        #expect(throws: RegistryError.valueAndFactory) { try registry.register(factoryOnValue) }
        plain.existing = .update
        plain.value = [3]
        #expect(try registry.register(plain).value == [3])
    }

    @Test func base64RoundTripsEveryLength() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 11) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy" && Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.decode("Zm9=v") == nil && Base64.decode("Z!==") == nil && Base64.decode("=AAA") == nil)
    }
}
