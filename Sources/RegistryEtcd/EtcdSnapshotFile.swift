#if canImport(Glibc)
    import Glibc
#endif

/// A registry's keys as one connection last knew them, kept in a file of the user's own
/// between processes, so that a one-shot command asks etcd only for what changed since
/// (etcd's `min_mod_revision`) instead of for every key.
///
/// The file: a line `servreg-etcd-snapshot 1 REVISION HEAD_REVISION POLICIES CLUSTER_ID
/// LOCATION`,
/// then per key `KEY_LENGTH VALUE_LENGTH\n`, the key's bytes and the value's. It is read
/// only when it is a regular file of the effective user, that neither group nor others may
/// write, in such a directory; anything else there is ignored and left as it is.
struct EtcdSnapshotFile {
    static let magic = "servreg-etcd-snapshot"
    static let format = 1

    /// What a file holds.
    struct Contents {
        var revision: Int64
        var headRevision: Int64
        var hasPolicies: Bool
        /// The cluster the revisions count in (another cluster's are not comparable).
        var clusterID: String
        var keyValues: [(key: [UInt8], value: [UInt8])]
    }

    let path: String
    let location: String

    /// Whether `path` (or, for `directory`, the directory) is the effective user's and not
    /// writable by others: what may be trusted to hold what the registry holds.
    private static func isOwnAndPrivate(_ path: String, directory: Bool) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0, info.st_uid == geteuid(), info.st_mode & 0o022 == 0 else { return false }
        return (info.st_mode & S_IFMT) == (directory ? S_IFDIR : S_IFREG)
    }

    private var directory: String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return String(path[..<slash])
    }

    /// The contents, or nil when there is no file, it is not to be trusted, or it cannot be
    /// read as one of this format for this location.
    func read() -> Contents? {
        guard Self.isOwnAndPrivate(directory, directory: true), Self.isOwnAndPrivate(path, directory: false) else {
            return nil
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count < 0 { return nil }
            if count == 0 { break }
            bytes += buffer[..<count]
        }
        return Self.decode(bytes, location: location)
    }

    static func decode(_ bytes: [UInt8], location: String) -> Contents? {
        var index = 0
        func line() -> String? {
            guard let newline = bytes[index...].firstIndex(of: 0x0A) else { return nil }
            defer { index = newline + 1 }
            return String(decoding: bytes[index..<newline], as: UTF8.self)
        }
        guard let header = line() else { return nil }
        let fields = header.split(separator: " ", maxSplits: 6, omittingEmptySubsequences: false)
        guard fields.count == 7, fields[0] == magic, fields[1] == "\(format)", let revision = Int64(fields[2]),
            let headRevision = Int64(fields[3]), fields[4] == "0" || fields[4] == "1", !fields[5].isEmpty,
            fields[6] == location
        else { return nil }
        var contents = Contents(
            revision: revision, headRevision: headRevision, hasPolicies: fields[4] == "1", clusterID: String(fields[5]),
            keyValues: [])
        while index < bytes.count {
            guard let sizes = line() else { return nil }
            let parts = sizes.split(separator: " ")
            guard parts.count == 2, let keyLength = Int(parts[0]), let valueLength = Int(parts[1]), keyLength >= 0,
                valueLength >= 0, keyLength <= bytes.count - index, valueLength <= bytes.count - index - keyLength
            else { return nil }
            let key = Array(bytes[index..<(index + keyLength)])
            index += keyLength
            contents.keyValues.append((key, Array(bytes[index..<(index + valueLength)])))
            index += valueLength
        }
        return contents
    }

    static func encode(_ contents: Contents, location: String) -> [UInt8] {
        let header =
            "\(magic) \(format) \(contents.revision) \(contents.headRevision) \(contents.hasPolicies ? 1 : 0) "
            + "\(contents.clusterID) \(location)\n"
        var bytes = Array(header.utf8)
        for (key, value) in contents.keyValues {
            bytes += Array("\(key.count) \(value.count)\n".utf8)
            bytes += key
            bytes += value
        }
        return bytes
    }

    /// Writes the file anew (a private temporary file renamed over it), making its directory
    /// (0700) when missing; quietly nothing when it cannot, or when what is there is not a
    /// file of ours to replace.
    func write(_ contents: Contents) {
        if access(directory, F_OK) != 0 {
            if let slash = directory.lastIndex(of: "/"), slash > directory.startIndex {
                _ = mkdir(String(directory[..<slash]), 0o700)
            }
            _ = mkdir(directory, 0o700)
        }
        guard Self.isOwnAndPrivate(directory, directory: true) else { return }
        var info = stat()
        if lstat(path, &info) == 0, !Self.isOwnAndPrivate(path, directory: false) { return }
        let temporary = path + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return }
        let bytes = Self.encode(contents, location: location)
        var written = 0
        let complete = bytes.withUnsafeBytes { buffer -> Bool in
            guard let base = buffer.baseAddress else { return true }
            while written < buffer.count {
                let count = Glibc.write(descriptor, base + written, buffer.count - written)
                if count <= 0 { return false }
                written += count
            }
            return true
        }
        close(descriptor)
        if !complete || rename(temporary, path) != 0 { unlink(temporary) }
    }
}
