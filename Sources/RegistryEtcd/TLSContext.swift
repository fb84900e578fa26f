import CTLS
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What a TLS connection to etcd trusts and presents: the CA certificates the members'
/// certificates must chain to (the system's when none is named), and the client
/// certificate with its key, if etcd asks for one (`--client-cert-auth`).
final class TLSContext: @unchecked Sendable {
    // Read-only once made: OpenSSL's SSL_CTX may make sessions on any thread.
    let pointer: OpaquePointer

    /// The context of these files, made once per process: a file may be readable only once
    /// (`--cacert <(…)`, a FIFO), and a process opens a store more than once (a listener's
    /// writer, a batch that moves between stores).
    static func shared(_ files: EtcdStore.Configuration.TLS) throws(TLSFailure) -> TLSContext {
        let key = [files.caFile ?? "", files.certificateFile ?? "", files.keyFile ?? ""]
        if let made = made.withLock({ $0[key] }) { return made }
        let context = try TLSContext(files)
        made.withLock { $0[key] = context }
        return context
    }

    private static let made = Mutex<[[String]: TLSContext]>([:])

    /// Reads the files; throws the reason, naming the file that was wrong and how the user
    /// named it (an option, or a setting).
    private init(_ files: EtcdStore.Configuration.TLS) throws(TLSFailure) {
        let named = [
            (files.caName, files.caFile), (files.certificateName, files.certificateFile),
            (files.keyName, files.keyFile),
        ]
        for (name, path) in named {
            guard let path else { continue }
            if let problem = Self.unreadable(path) { throw TLSFailure("\(name) \(path): \(problem)") }
        }
        var message = [CChar](repeating: 0, count: 512)
        var problem: Int32 = 0
        guard
            let made = servreg_tls_context_new(
                files.caFile, files.certificateFile, files.keyFile, &problem, &message, 512)
        else {
            let reason = messageText(message)
            let certificate = "\(files.certificateName) \(files.certificateFile ?? "")"
            let key = files.keyFile.map { "\(files.keyName) \($0)" } ?? certificate
            switch problem {
            case Int32(SERVREG_TLS_FILE_CA):
                throw TLSFailure(
                    files.caFile.map { "\(files.caName) \($0): no CA certificate in it (\(reason))" }
                        ?? "cannot read the system's CA certificates (\(reason))")
            case Int32(SERVREG_TLS_FILE_CERT): throw TLSFailure("\(certificate): no certificate in it (\(reason))")
            case Int32(SERVREG_TLS_FILE_KEY): throw TLSFailure("\(key): no private key in it (\(reason))")
            case Int32(SERVREG_TLS_NO_KEY_IN_CERT):
                throw TLSFailure("\(certificate) holds no private key: name its key with --key")
            case Int32(SERVREG_TLS_KEY_MISMATCH): throw TLSFailure("\(key) is not the key of \(certificate)")
            case Int32(SERVREG_TLS_KEY_ENCRYPTED):
                throw TLSFailure(
                    "\(key) is encrypted: servreg reads only unencrypted keys (it never asks for a passphrase)")
            default: throw TLSFailure(reason)
            }
        }
        pointer = made
    }

    deinit { servreg_tls_context_free(pointer) }

    /// Why a file cannot be read, or nil (OpenSSL's own words for this are vague).
    private static func unreadable(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
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
