import CTLS

#if canImport(Glibc)
    import Glibc
#endif

/// What a TLS connection to etcd trusts and presents: the CA certificates the members'
/// certificates must chain to (the system's when none is named), and the client
/// certificate with its key, if etcd asks for one (`--client-cert-auth`).
final class TLSContext: @unchecked Sendable {
    // Read-only once made: OpenSSL's SSL_CTX may make sessions on any thread.
    let pointer: OpaquePointer

    /// Reads the files; throws the reason, naming the option whose file was wrong.
    init(caFile: String?, certificateFile: String?, keyFile: String?) throws(TLSFailure) {
        for (option, path) in [("--cacert", caFile), ("--cert", certificateFile), ("--key", keyFile)] {
            guard let path else { continue }
            if let problem = Self.unreadable(path) { throw TLSFailure("\(option) \(path): \(problem)") }
        }
        var message = [CChar](repeating: 0, count: 512)
        guard let made = servreg_tls_context_new(caFile, certificateFile, keyFile ?? certificateFile, &message, 512)
        else {
            throw TLSFailure(messageText(message))
        }
        pointer = made
    }

    deinit { servreg_tls_context_free(pointer) }

    /// Why a file cannot be read, or nil (OpenSSL's own words for this are vague).
    private static func unreadable(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer { close(descriptor) }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR { return "it is a directory" }
        return nil
    }
}

/// Why TLS could not be set up.
struct TLSFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
