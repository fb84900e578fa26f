/// One literal piece of a substring pattern.
public struct SubstringPiece: Sendable, Equatable {
    /// The literal text, escapes resolved, that must appear in the value.
    public let text: String
    let utf8: [UInt8]

    init(_ text: String) {
        self.text = text
        self.utf8 = Array(text.utf8)
    }
}
