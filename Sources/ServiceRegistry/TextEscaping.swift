/// Makes user text safe to show: control characters become visible escapes.
public enum TextEscaping {
    /// The text with control characters (and line/paragraph separators) escaped as
    /// `\n`, `\t`, `\r` or `\u{…}`; `extra` scalars are backslash-escaped too.
    public static func escapingControlCharacters(_ text: String, also extra: Set<Unicode.Scalar> = []) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) || extra.contains($0) }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if isControl(scalar) {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    if extra.contains(scalar) { out += "\\" }
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}"
    }
}
