#include "CTLS.h"

#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct servreg_tls_context {
    SSL_CTX *ctx;
    int system_cas;  // no CA file named: the system's
    int has_certificate;
};

struct servreg_tls_session {
    SSL *ssl;
    servreg_tls_context *context;
    char host[256];
};

/// OpenSSL's reason for its oldest queued error (the cause; later ones say where it
/// surfaced) into `message`; the queue is cleared.
static void reason(char *message, size_t size) {
    unsigned long code = ERR_get_error();
    const char *text = code ? ERR_reason_error_string(code) : NULL;
    if (text) {
        snprintf(message, size, "%s", text);
    } else if (code) {
        snprintf(message, size, "OpenSSL error %lx", code);
    } else {
        snprintf(message, size, "no reason given");
    }
    ERR_clear_error();
}

/// What `say` did before: `what`, then OpenSSL's reason.
static void say(char *message, size_t size, const char *what) {
    char cause[256];
    reason(cause, sizeof cause);
    snprintf(message, size, "%s: %s", what, cause);
}

/// Never asks for a passphrase (OpenSSL's default reads the terminal, or standard input):
/// notes that one was wanted.
static int no_passphrase(char *buffer, int size, int writing, void *asked) {
    (void)buffer;
    (void)size;
    (void)writing;
    *(int *)asked = 1;
    return -1;
}

static servreg_tls_context *refuse(SSL_CTX *ctx, int *problem, int which, char *message, size_t size) {
    *problem = which;
    reason(message, size);
    SSL_CTX_free(ctx);
    return NULL;
}

servreg_tls_context *servreg_tls_context_new(
    const char *ca_file, const char *cert_file, const char *key_file, int *problem, char *message, size_t size) {
    // No openssl.cnf: what servreg does must not depend on a file it does not name.
    OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
    ERR_clear_error();
    *problem = SERVREG_TLS_FILE_NONE;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        say(message, size, "cannot make a TLS context");
        *problem = SERVREG_TLS_SETUP;
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // HTTP frames its replies (a length or chunks): an end without close_notify is a plain end.
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    int asked = 0;
    SSL_CTX_set_default_passwd_cb(ctx, no_passphrase);
    SSL_CTX_set_default_passwd_cb_userdata(ctx, &asked);
    int loaded = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL) : SSL_CTX_set_default_verify_paths(ctx);
    if (loaded != 1) return refuse(ctx, problem, SERVREG_TLS_FILE_CA, message, size);
    if (cert_file) {
        if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
            return refuse(ctx, problem, SERVREG_TLS_FILE_CERT, message, size);
        }
        if (SSL_CTX_use_PrivateKey_file(ctx, key_file ? key_file : cert_file, SSL_FILETYPE_PEM) != 1) {
            unsigned long code = ERR_peek_error();
            int which = asked ? SERVREG_TLS_KEY_ENCRYPTED
                : ERR_GET_LIB(code) == ERR_LIB_X509 && ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH
                ? SERVREG_TLS_KEY_MISMATCH
                : key_file ? SERVREG_TLS_FILE_KEY : SERVREG_TLS_NO_KEY_IN_CERT;
            return refuse(ctx, problem, which, message, size);
        }
        if (SSL_CTX_check_private_key(ctx) != 1) return refuse(ctx, problem, SERVREG_TLS_KEY_MISMATCH, message, size);
    }
    // The callback's flag lives on this stack: no later call may use it.
    SSL_CTX_set_default_passwd_cb_userdata(ctx, NULL);
    SSL_CTX_set_default_passwd_cb(ctx, NULL);
    servreg_tls_context *context = malloc(sizeof *context);
    if (!context) {
        SSL_CTX_free(ctx);
        *problem = SERVREG_TLS_SETUP;
        snprintf(message, size, "out of memory");
        return NULL;
    }
    context->ctx = ctx;
    context->system_cas = ca_file == NULL;
    context->has_certificate = cert_file != NULL;
    return context;
}

void servreg_tls_context_free(servreg_tls_context *context) {
    if (!context) return;
    SSL_CTX_free(context->ctx);
    free(context);
}

servreg_tls_session *servreg_tls_session_new(
    servreg_tls_context *context, int fd, const char *host, char *message, size_t size) {
    ERR_clear_error();
    SSL *ssl = SSL_new(context->ctx);
    if (!ssl) {
        say(message, size, "cannot make a TLS session");
        return NULL;
    }
    unsigned char address[16];
    int ok = SSL_set_fd(ssl, fd);
    if (ok && (inet_pton(AF_INET, host, address) == 1 || inet_pton(AF_INET6, host, address) == 1)) {
        // An address is checked against the certificate's IP names; no SNI for it.
        ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
    } else if (ok) {
        ok = SSL_set_tlsext_host_name(ssl, host) && SSL_set1_host(ssl, host);
    }
    if (!ok) {
        say(message, size, "cannot set up the TLS session");
        SSL_free(ssl);
        return NULL;
    }
    SSL_set_connect_state(ssl);
    servreg_tls_session *session = malloc(sizeof *session);
    if (!session) {
        SSL_free(ssl);
        snprintf(message, size, "out of memory");
        return NULL;
    }
    session->ssl = ssl;
    session->context = context;
    snprintf(session->host, sizeof session->host, "%s", host);
    return session;
}

void servreg_tls_session_free(servreg_tls_session *session) {
    if (!session) return;
    SSL_free(session->ssl);
    free(session);
}

/// Whether OpenSSL's queued error is the peer refusing this client's certificate (an
/// alert: nothing the client sent was acted on).
static int refused_certificate(unsigned long code) {
    if (ERR_GET_LIB(code) != ERR_LIB_SSL) return 0;
    switch (ERR_GET_REASON(code)) {
    case SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    case SSL_R_SSLV3_ALERT_BAD_CERTIFICATE:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_EXPIRED:
    case SSL_R_SSLV3_ALERT_CERTIFICATE_REVOKED:
    case SSL_R_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE:
    case SSL_R_TLSV1_ALERT_UNKNOWN_CA:
    case SSL_R_TLSV1_ALERT_ACCESS_DENIED: return 1;
    default: return 0;
    }
}

/// What a failed call returned, as one of the codes (with the reason in `message`).
static long outcome(servreg_tls_session *session, int result, char *message, size_t size) {
    int saved = errno;
    SSL *ssl = session->ssl;
    switch (SSL_get_error(ssl, result)) {
    case SSL_ERROR_WANT_READ: return SERVREG_TLS_WANT_READ;
    case SSL_ERROR_WANT_WRITE: return SERVREG_TLS_WANT_WRITE;
    case SSL_ERROR_ZERO_RETURN: return SERVREG_TLS_CLOSED;
    case SSL_ERROR_SYSCALL:
        if (ERR_peek_error() == 0) {
            if (saved == 0) return SERVREG_TLS_CLOSED;  // the socket ended without close_notify
            snprintf(message, size, "%s", strerror(saved));
            return SERVREG_TLS_FAILED;
        }
        break;
    default: break;
    }
    long verified = SSL_get_verify_result(ssl);
    if (verified == X509_V_ERR_HOSTNAME_MISMATCH || verified == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        snprintf(message, size, "the member's certificate is not for %s", session->host);
        ERR_clear_error();
        return SERVREG_TLS_UNTRUSTED;
    }
    if (verified != X509_V_OK) {
        snprintf(message, size, "the member's certificate is not trusted: %s%s",
            X509_verify_cert_error_string(verified),
            session->context->system_cas ? " (servreg trusts the system's CAs; --cacert names others)" : "");
        ERR_clear_error();
        return SERVREG_TLS_UNTRUSTED;
    }
    unsigned long code = ERR_peek_error();
    if (refused_certificate(code)) {
        say(message, size,
            session->context->has_certificate ? "the member refused servreg's client certificate"
                                              : "the member requires a client certificate (--cert, --key)");
        return SERVREG_TLS_UNTRUSTED;
    }
    say(message, size, "TLS");
    return SERVREG_TLS_FAILED;
}

int servreg_tls_handshake(servreg_tls_session *session, char *message, size_t size) {
    ERR_clear_error();
    errno = 0;
    int result = SSL_connect(session->ssl);
    if (result == 1) return 1;
    return (int)outcome(session, result, message, size);
}

long servreg_tls_read(servreg_tls_session *session, void *bytes, size_t count, char *message, size_t size) {
    ERR_clear_error();
    errno = 0;
    size_t done = 0;
    int result = SSL_read_ex(session->ssl, bytes, count, &done);
    if (result == 1) return (long)done;
    return outcome(session, result, message, size);
}

long servreg_tls_write(servreg_tls_session *session, const void *bytes, size_t count, char *message, size_t size) {
    ERR_clear_error();
    errno = 0;
    size_t done = 0;
    int result = SSL_write_ex(session->ssl, bytes, count, &done);
    if (result == 1) return (long)done;
    return outcome(session, result, message, size);
}

int servreg_tls_pending(servreg_tls_session *session) { return SSL_pending(session->ssl) > 0; }
