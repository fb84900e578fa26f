/// Makes user text safe to show people: nothing in it can move the cursor, recolour the
/// terminal, reorder what is shown (bidi overrides) or hide (zero-width characters).
///
/// One scheme everywhere, terminal or not: controls, line and paragraph separators and
/// invisible format characters become `\n`, `\t`, `\r` or `\u{…}` (lowercase hex); in
/// values (`visible`) a backslash is doubled, so that `\u{1b}` always means the character
/// and `\\u{1b}` the text.
public enum TextEscaping {
    /// The text with controls and format characters escaped; `extra` scalars are
    /// backslash-escaped too. For messages, whose quoting already escaped backslashes.
    public static func escapingControlCharacters(_ text: String, also extra: Set<Unicode.Scalar> = []) -> String {
        guard text.unicodeScalars.contains(where: { needsEscape($0) || extra.contains($0) }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if needsEscape(scalar) {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    if extra.contains(scalar) { out += "\\" }
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A value or key as people see it: escaped, with backslashes doubled.
    public static func visible(_ text: String) -> String {
        // The common case, printable ASCII without a backslash, in one pass.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x5C }) { return text }
        return escapingControlCharacters(text, also: ["\\"])
    }

    /// Whether a scalar is shown as an escape: a control (C0, DEL, C1), a line or paragraph
    /// separator, or a format character (bidi controls, zero-width spaces and joiners, the
    /// byte order mark, the soft hyphen).
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value >= 0x20 && scalar.value < 0x7F { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
