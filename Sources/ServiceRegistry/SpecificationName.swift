/// Rules for specification names (OSGi `objectClass` entries).
public enum SpecificationName {
    private static let forbidden: Set<Unicode.Scalar> = ["(", ")", "*", "=", "<", ">", "~", "\\"]
    private static let forbiddenBytes: [UInt8] = Array("()*=<>~\\".utf8)

    /// Checks a name: non-empty, no white space, control characters or `( ) * = < > ~ \`.
    public static func validate(_ name: String) throws(RegistryError) {
        if name.isEmpty { throw .invalidSpecificationName(name, .empty) }
        // The common case, printable ASCII without a forbidden character, in one pass.
        if name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && !forbiddenBytes.contains($0) }) { return }
        for scalar in name.unicodeScalars {
            if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control {
                throw .invalidSpecificationName(name, .whiteSpaceOrControl)
            }
            if forbidden.contains(scalar) {
                throw .invalidSpecificationName(name, .forbiddenCharacter(Character(scalar)))
            }
        }
    }
}
