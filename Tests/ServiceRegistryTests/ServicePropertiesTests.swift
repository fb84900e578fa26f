import Testing

@testable import ServiceRegistry

@Suite struct ServicePropertiesTests {
    @Test func keysAreCaseInsensitiveAndCasePreserving() throws {
        var properties = try ServiceProperties([("Price", .integer(90))])
        #expect(properties["price"] == .integer(90))
        #expect(properties["PRICE"] == .integer(90))
        properties.set("PRICE", .integer(80))
        #expect(properties.count == 1)
        #expect(properties.entries[0].key == "PRICE")
        #expect(properties["price"] == .integer(80))
    }

    @Test func keysDifferingOnlyInCaseInOneRequestAreAnError() {
        #expect(throws: RegistryError.duplicateKey("Price", existing: "price")) {
            try ServiceProperties([("price", .integer(1)), ("Price", .integer(2))])
        }
    }

    @Test func stringsCompareByScalarsNotCanonicalEquivalence() {
        #expect(PropertyValue.string("\u{e9}") != PropertyValue.string("e\u{301}"))
        #expect(PropertyValue.integer(1) != PropertyValue.float(1))
    }

    @Test func specificationNames() throws {
        try SpecificationName.validate("acme.IPlumber")
        try SpecificationName.validate("ünïcode.Spec")
        #expect(throws: RegistryError.invalidSpecificationName("", .empty)) { try SpecificationName.validate("") }
        for bad in ["a b", "a\tb", "a\u{7}b"] {
            #expect(throws: RegistryError.invalidSpecificationName(bad, .whiteSpaceOrControl), "\(bad)") {
                try SpecificationName.validate(bad)
            }
        }
        for character in "()*=<>~\\" {
            let bad = "a\(character)b"
            #expect(throws: RegistryError.invalidSpecificationName(bad, .forbiddenCharacter(character)), "\(bad)") {
                try SpecificationName.validate(bad)
            }
        }
    }

    @Test func reservedPropertiesAppearInAllProperties() {
        let record = ServiceRecord(
            id: 7, specifications: ["a.B", "c.D"], ranking: 3, scope: .prototype, properties: ServiceProperties())
        let all = record.allProperties
        #expect(all["service.id"] == .integer(7))
        #expect(all["OBJECTCLASS"] == .list([.string("a.B"), .string("c.D")]))
        #expect(all["service.ranking"] == .integer(3))
        #expect(all["service.scope"] == .string("prototype"))
    }
}
