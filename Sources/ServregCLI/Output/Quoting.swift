/// Quoting of user-supplied text inside error messages, so that blanks and control
/// characters are visible.
import ServiceRegistry

enum Quoting {
    static func quoted(_ text: String) -> String {
        "'" + TextEscaping.escapingControlCharacters(text, also: ["'", "\\"]) + "'"
    }
}
