/// Property keys are matched case-insensitively and displayed as last spelled (OSGi).
public enum PropertyKey {
    /// The form a key is compared in.
    @inline(__always)
    public static func fold(_ key: String) -> String {
        if key.utf8.allSatisfy({ $0 < 0x80 && !($0 >= 0x41 && $0 <= 0x5A) }) { return key }
        return key.lowercased()
    }

    /// Checks that a key is non-empty and free of control characters.
    public static func validate(_ key: String) throws(RegistryError) {
        if key.isEmpty { throw .invalidPropertyKey(key, .empty) }
        // ASCII keys (nearly all) need no Unicode property lookups.
        if key.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return }
        if key.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .invalidPropertyKey(key, .controlCharacter)
        }
    }
}
