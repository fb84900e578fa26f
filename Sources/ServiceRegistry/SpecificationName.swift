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
            // Format characters (bidi overrides, zero-width spaces) count as controls: a name
            // must look like what it is.
            let category = scalar.properties.generalCategory
            if scalar.properties.isWhitespace || category == .control || category == .format {
                throw .invalidSpecificationName(name, .whiteSpaceOrControl)
            }
            if forbidden.contains(scalar) {
                throw .invalidSpecificationName(name, .forbiddenCharacter(Character(scalar)))
            }
        }
    }
}
