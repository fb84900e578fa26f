import ServiceRegistry

/// The `--props-json` reader on arbitrary bytes; what it reads must write back and read
/// again as the same properties.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let pairs = try? PropertyInput.parseJSONObject(text), let properties = try? ServiceProperties(pairs) else {
        return 0
    }
    let written = JSONWriter.object(properties)
    guard let read = try? PropertyInput.parseJSONObject(written), (try? ServiceProperties(read)) == properties else {
        fatalError("round trip failed: \(written)")
    }
    return 0
}
