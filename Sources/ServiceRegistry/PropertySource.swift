/// Anything a filter can be evaluated against.
public protocol PropertySource {
    /// The value stored under a key already folded with `PropertyKey.fold`.
    func value(forFoldedKey folded: String) -> PropertyValue?
}
