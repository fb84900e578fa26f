/// The text conversions the OSGi reference implementation applies to filter values
/// (`String.trim`, `Long.parseLong`, `Double.parseDouble`, `Character.isWhitespace`),
/// reproduced so that servreg's filters agree with it.
enum JavaText {
    /// `String.trim()`: drops leading and trailing characters ≤ U+0020.
    static func trim(_ text: String) -> String {
        let scalars = text.unicodeScalars
        // There is a last such scalar whenever there is a first.
        guard let first = scalars.firstIndex(where: { $0.value > 0x20 }),
            let last = scalars.lastIndex(where: { $0.value > 0x20 })
        else { return "" }
        return String(scalars[first...last])
    }

    /// `Long.parseLong` on trimmed text: an optional sign and ASCII digits.
    static func parseLong(_ text: String) -> Int64? {
        var digits = Substring(text)
        if digits.first == "+" || digits.first == "-" { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int64(text)
    }

    /// `Double.parseDouble` on trimmed text: decimal and hex forms, `NaN`, `Infinity`, and
    /// an optional `f`/`F`/`d`/`D` suffix on decimal forms.
    static func parseDouble(_ text: String) -> Double? {
        var body = Substring(text)
        var negative = false
        if body.first == "+" || body.first == "-" {
            negative = body.first == "-"
            body = body.dropFirst()
        }
        if body == "NaN" { return .nan }
        if body == "Infinity" { return negative ? -.infinity : .infinity }
        guard let first = body.first, first.isASCII, first.isNumber || first == "." else { return nil }
        let isHex = body.hasPrefix("0x") || body.hasPrefix("0X")
        if isHex {
            // Java requires the binary exponent for hex floats.
            guard body.contains(where: { $0 == "p" || $0 == "P" }) else { return nil }
        }
        if let last = body.last, "fFdD".contains(last) {
            let hasBinaryExponent = body.contains(where: { $0 == "p" || $0 == "P" })
            if !isHex || hasBinaryExponent { body = body.dropLast() }
        }
        for character in body {
            guard character.isASCII, character.isHexDigit || "+-.xXpPeE".contains(character) else { return nil }
        }
        guard let value = Double(String(body)) else { return nil }
        return negative ? -value : value
    }

    /// `Character.isWhitespace` for one scalar.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 {
            return scalar.value == 0x20 || (0x09...0x0D).contains(scalar.value) || (0x1C...0x1F).contains(scalar.value)
        }
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x1F: return true
        case 0x00A0, 0x2007, 0x202F: return false
        default:
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: return true
            default: return false
            }
        }
    }

    /// The form `~=` compares: white space removed, each character case-folded as
    /// `String.equalsIgnoreCase` does (upper case, then lower case).
    static func approxFold(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars where !isWhitespace(scalar) {
            out.append(foldCase(scalar))
        }
        return out
    }

    private static func foldCase(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.isASCII {
            // A–Z to a–z: from a UInt8 the scalar cannot fail.
            if scalar.value >= 0x41 && scalar.value <= 0x5A { return Unicode.Scalar(UInt8(scalar.value + 32)) }
            return scalar
        }
        let upper = single(scalar.properties.uppercaseMapping) ?? scalar
        return single(upper.properties.lowercaseMapping) ?? upper
    }

    private static func single(_ text: String) -> Unicode.Scalar? {
        let scalars = text.unicodeScalars
        guard let first = scalars.first, scalars.index(after: scalars.startIndex) == scalars.endIndex else {
            return nil
        }
        return first
    }

    /// `Double.compare`: -0.0 < 0.0, and NaN equals itself and is above everything.
    static func compare(_ a: Double, _ b: Double) -> Int {
        if a < b { return -1 }
        if a > b { return 1 }
        let aBits = a.isNaN ? Double.nan.bitPattern : a.bitPattern
        let bBits = b.isNaN ? Double.nan.bitPattern : b.bitPattern
        let aKey = Int64(bitPattern: aBits)
        let bKey = Int64(bitPattern: bBits)
        return aKey == bKey ? 0 : (aKey < bKey ? -1 : 1)
    }
}
