#ifndef CTLS_H
#define CTLS_H

#include <stddef.h>

/// TLS client connections for the etcd store, over OpenSSL: a small surface that Swift can
/// call (OpenSSL's API is partly macros), on a non-blocking socket the caller polls.

/// What a session call returns besides a byte count (> 0).
enum {
    /// The peer closed the TLS connection (close_notify) or the socket.
    SERVREG_TLS_CLOSED = 0,
    /// It failed; the message says why.
    SERVREG_TLS_FAILED = -1,
    /// Try again once the socket is readable.
    SERVREG_TLS_WANT_READ = -2,
    /// Try again once the socket is writable.
    SERVREG_TLS_WANT_WRITE = -3,
    /// The handshake failed on the peer's certificate (not trusted, or not for the host).
    SERVREG_TLS_UNTRUSTED = -4,
};

/// Which file a context could not use (`servreg_tls_context_new`'s `problem`).
enum {
    SERVREG_TLS_FILE_NONE = 0,
    /// The CA file (or the system's CAs).
    SERVREG_TLS_FILE_CA = 1,
    /// The client certificate's file.
    SERVREG_TLS_FILE_CERT = 2,
    /// The key's file.
    SERVREG_TLS_FILE_KEY = 3,
    /// The key is not the certificate's.
    SERVREG_TLS_KEY_MISMATCH = 4,
    /// The key is encrypted (servreg never asks for a passphrase).
    SERVREG_TLS_KEY_ENCRYPTED = 5,
    /// No key file named, and none in the certificate's file.
    SERVREG_TLS_NO_KEY_IN_CERT = 6,
    /// Not a file's fault (out of memory).
    SERVREG_TLS_SETUP = 7,
};

typedef struct servreg_tls_context servreg_tls_context;
typedef struct servreg_tls_session servreg_tls_session;

/// A client context: trusts `ca_file` (NULL: the system's certificates) and presents
/// `cert_file` with `key_file` (NULL: the key in `cert_file`; no `cert_file`: no client
/// certificate). Never asks for a passphrase. NULL on failure, with the file that failed in
/// `problem` and OpenSSL's reason in `message` (`size` bytes at most).
servreg_tls_context *servreg_tls_context_new(
    const char *ca_file, const char *cert_file, const char *key_file, int *problem, char *message, size_t size);
void servreg_tls_context_free(servreg_tls_context *context);

/// A session on the connected socket `fd` to `host` (a name or an IP address, checked
/// against the peer's certificate). NULL on failure, with the reason in `message`.
servreg_tls_session *servreg_tls_session_new(
    servreg_tls_context *context, int fd, const char *host, char *message, size_t size);
void servreg_tls_session_free(servreg_tls_session *session);

/// One step of the handshake: 1 when it is done, else one of the codes above.
int servreg_tls_handshake(servreg_tls_session *session, char *message, size_t size);
/// Reads up to `count` bytes: how many, or one of the codes above.
long servreg_tls_read(servreg_tls_session *session, void *bytes, size_t count, char *message, size_t size);
/// Writes up to `count` bytes: how many, or one of the codes above.
long servreg_tls_write(servreg_tls_session *session, const void *bytes, size_t count, char *message, size_t size);
/// Whether decrypted bytes wait in the session (a poll of the socket would not show them).
int servreg_tls_pending(servreg_tls_session *session);

#endif
