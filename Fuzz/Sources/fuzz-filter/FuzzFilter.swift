import ServiceRegistry

/// The LDAP filter parser on arbitrary bytes; a filter that parses is printed, parsed
/// again and evaluated, and must round-trip.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFilter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
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
