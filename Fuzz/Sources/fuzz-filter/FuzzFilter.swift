import ServiceRegistry

/// The LDAP filter parser on arbitrary bytes; a filter that parses is printed, parsed
/// again and evaluated, and must round-trip. The same bytes as a requirement
/// (`--requires`, which holds a filter after `SPEC:`) must parse or fail cleanly, and a
/// requirement that parses keeps its text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFilter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    for candidate in [text, "a.B:" + text] {
        if let requirement = try? Requirement.parse(candidate), requirement.text != candidate {
            fatalError("requirement text changed: \(candidate)")
        }
    }
    guard let filter = try? LDAPFilter.parse(text) else { return 0 }
    guard let again = try? LDAPFilter.parse(filter.description), again == filter else {
        fatalError("round trip failed: \(filter.description)")
    }
    var properties = ServiceProperties()
    properties.set("a", .string("b"))
    properties.set("n", .integer(1))
    properties.set("l", .list([.float(1.5), .boolean(true)]))
    _ = filter.matches(properties)
    return 0
}
