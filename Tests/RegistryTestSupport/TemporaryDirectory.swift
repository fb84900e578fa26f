import Foundation

/// A fresh directory per test, removed afterwards.
public final class TemporaryDirectory: Sendable {
    /// The directory's path.
    public let path: String

    /// Makes a new, empty directory under the system's temporary directory.
    public init() {
        path = NSTemporaryDirectory() + "servreg-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
