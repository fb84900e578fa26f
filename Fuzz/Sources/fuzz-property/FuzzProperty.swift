import ServiceRegistry

/// The `--prop key[:TYPE]=value` parser on arbitrary bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzProperty(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? PropertyInput.parseAssignment(text)
    return 0
}
