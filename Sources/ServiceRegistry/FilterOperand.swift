/// The text of a comparison with its conversions to each property type, done once at parse time.
public struct FilterOperand: Sendable, Equatable {
    /// The comparison's value as written in the filter, escapes resolved.
    public let text: String
    let utf8: [UInt8]
    let integer: Int64?
    let float: Double?
    let boolean: Bool?
    let approxFolded: [Unicode.Scalar]

    /// `approxFolded` is only worked out for `~=` (`forApprox`), the one operator that uses it.
    init(_ text: String, forApprox: Bool = false) {
        self.text = text
        self.utf8 = Array(text.utf8)
        // Text with nothing to trim that starts with a letter other than N, I, t, f (NaN,
        // Infinity, true, false) or with any other non-digit is neither a number nor a
        // boolean: most string operands skip the conversions.
        if let first = text.utf8.first, first > 0x20, text.utf8.last.map({ $0 > 0x20 }) == true,
            !(first >= 0x30 && first <= 0x39), !"+-.NItTfF".utf8.contains(first)
        {
            self.integer = nil
            self.float = nil
            self.boolean = nil
        } else {
            let trimmed = JavaText.trim(text)
            let integer = JavaText.parseLong(trimmed)
            self.integer = integer
            if let integer {
                // What Double.parseDouble makes of integer text, without parsing it again: both
                // round to the nearest double, and "-0" is negative zero.
                self.float = integer == 0 && trimmed.utf8.first == UInt8(ascii: "-") ? -0.0 : Double(integer)
            } else {
                self.float = JavaText.parseDouble(trimmed)
            }
            switch trimmed.lowercased() {
            case "true": self.boolean = true
            case "false": self.boolean = false
            default: self.boolean = nil
            }
        }
        self.approxFolded = forApprox ? JavaText.approxFold(text) : []
    }

    /// The text as a 64-bit integer, as OSGi converts it for integer properties.
    public var integerValue: Int64? { integer }
    /// The text as a double, as OSGi converts it for float properties.
    public var floatValue: Double? { float }
    /// The text as a boolean (`true`/`false`, any case), or nil.
    public var booleanValue: Bool? { boolean }

    /// Equal when the texts are, byte for byte: the conversions follow from the text.
    public static func == (lhs: FilterOperand, rhs: FilterOperand) -> Bool { lhs.utf8 == rhs.utf8 }
}
