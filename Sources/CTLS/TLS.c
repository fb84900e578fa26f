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
};

struct servreg_tls_session {
    SSL *ssl;
};

/// The reason of OpenSSL's oldest queued error (the cause; later ones say where it
/// surfaced), after `what`; the queue is cleared.
static void say(char *message, size_t size, const char *what) {
    unsigned long code = ERR_get_error();
    const char *reason = code ? ERR_reason_error_string(code) : NULL;
    if (reason) {
        snprintf(message, size, "%s%s%s", what, *what ? ": " : "", reason);
    } else if (code) {
        snprintf(message, size, "%s%sOpenSSL error %lx", what, *what ? ": " : "", code);
    } else {
        snprintf(message, size, "%s", what);
    }
    ERR_clear_error();
}

servreg_tls_context *servreg_tls_context_new(
    const char *ca_file, const char *cert_file, const char *key_file, char *message, size_t size) {
    // No openssl.cnf: what servreg does must not depend on a file it does not name.
    OPENSSL_init_ssl(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
    ERR_clear_error();
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        say(message, size, "cannot make a TLS context");
        return NULL;
    }
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // HTTP frames its replies (a length or chunks): an end without close_notify is a plain end.
    SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
    int loaded = ca_file ? SSL_CTX_load_verify_locations(ctx, ca_file, NULL) : SSL_CTX_set_default_verify_paths(ctx);
    if (loaded != 1) {
        say(message, size, ca_file ? "--cacert: no CA certificate read" : "cannot read the system's CA certificates");
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (cert_file) {
        if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
            say(message, size, "--cert: no certificate read");
            SSL_CTX_free(ctx);
            return NULL;
        }
        if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
            unsigned long code = ERR_peek_error();
            int mismatch = ERR_GET_LIB(code) == ERR_LIB_X509 && ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH;
            say(message, size, mismatch ? "--key is not the key of --cert" : "--key: no private key read");
            SSL_CTX_free(ctx);
            return NULL;
        }
        if (SSL_CTX_check_private_key(ctx) != 1) {
            say(message, size, "--key is not the key of --cert");
            SSL_CTX_free(ctx);
            return NULL;
        }
    }
    servreg_tls_context *context = malloc(sizeof *context);
    if (!context) {
        SSL_CTX_free(ctx);
        snprintf(message, size, "out of memory");
        return NULL;
    }
    context->ctx = ctx;
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
static long outcome(SSL *ssl, int result, char *message, size_t size) {
    int saved = errno;
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
    if (verified != X509_V_OK) {
        snprintf(message, size, "the member's certificate is not trusted: %s",
            X509_verify_cert_error_string(verified));
        ERR_clear_error();
        return SERVREG_TLS_UNTRUSTED;
    }
    unsigned long code = ERR_peek_error();
    if (refused_certificate(code)) {
        say(message, size, "the member refused servreg's client certificate (--cert, --key)");
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
    return (int)outcome(session->ssl, result, message, size);
}

long servreg_tls_read(servreg_tls_session *session, void *bytes, size_t count, char *message, size_t size) {
    ERR_clear_error();
    errno = 0;
    size_t done = 0;
    int result = SSL_read_ex(session->ssl, bytes, count, &done);
    if (result == 1) return (long)done;
    return outcome(session->ssl, result, message, size);
}

long servreg_tls_write(servreg_tls_session *session, const void *bytes, size_t count, char *message, size_t size) {
    ERR_clear_error();
    errno = 0;
    size_t done = 0;
    int result = SSL_write_ex(session->ssl, bytes, count, &done);
    if (result == 1) return (long)done;
    return outcome(session->ssl, result, message, size);
}

int servreg_tls_pending(servreg_tls_session *session) { return SSL_pending(session->ssl) > 0; }
