// OpenSSL for Swift: headers plus static inline wrappers for macros and variadic calls.
#ifndef BOTON_COPENSSL_SHIM_H
#define BOTON_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <openssl/bn.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

static inline long boton_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}
static inline long boton_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_max_proto_version(ctx, version);
}
static inline long boton_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}
static inline long boton_SSL_CTX_set_options(SSL_CTX *ctx, long options) {
    return (long)SSL_CTX_set_options(ctx, (uint64_t)options);
}
static inline int boton_TLS1_2_VERSION(void) { return TLS1_2_VERSION; }
static inline int boton_TLS1_3_VERSION(void) { return TLS1_3_VERSION; }
static inline long boton_SSL_OP_NO_COMPRESSION(void) { return (long)SSL_OP_NO_COMPRESSION; }
static inline long boton_SSL_MODE_RELEASE_BUFFERS(void) { return SSL_MODE_RELEASE_BUFFERS; }
static inline int boton_EVP_MAX_MD_SIZE(void) { return EVP_MAX_MD_SIZE; }
static inline long boton_SSL_OP_NO_RENEGOTIATION(void) { return (long)SSL_OP_NO_RENEGOTIATION; }
static inline long boton_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return (long)SSL_OP_CIPHER_SERVER_PREFERENCE; }
static inline long boton_SSL_MODE_ENABLE_PARTIAL_WRITE(void) { return SSL_MODE_ENABLE_PARTIAL_WRITE; }
static inline long boton_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER(void) { return SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER; }

/// Writes a new self-signed certificate (EC P-256, SHA-256, `days` valid, CN and subjectAltName from `host`,
/// plus DNS:localhost and IP:127.0.0.1) and its private key as PEM files; the key file gets mode 0600.
/// Returns 1 on success, 0 with the OpenSSL error queue set otherwise.
static inline int boton_write_self_signed(const char *cert_path, const char *key_path, const char *host, int days) {
    int ok = 0;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    X509 *cert = X509_new();
    X509_EXTENSION *san = NULL;
    FILE *kf = NULL, *cf = NULL;
    if (!key || !cert) goto done;
    if (!X509_set_version(cert, 2)) goto done;
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) goto done;
    serial[0] &= 0x7f;
    BIGNUM *bn = BN_bin2bn(serial, sizeof serial, NULL);
    if (!bn) goto done;
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), (long)days * 86400L);
    if (!X509_set_pubkey(cert, key)) goto done;
    X509_NAME *name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"Boton de Seguridad", -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)host, -1, -1, 0);
    if (!X509_set_issuer_name(cert, name)) goto done;
    char alt[512];
    snprintf(alt, sizeof alt, "DNS:%s,DNS:localhost,IP:127.0.0.1", host);
    san = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, alt);
    if (!san || !X509_add_ext(cert, san, -1)) goto done;
    if (!X509_sign(cert, key, EVP_sha256())) goto done;
    int fd = open(key_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) goto done;
    kf = fdopen(fd, "w");
    if (!kf) { close(fd); goto done; }
    if (!PEM_write_PrivateKey(kf, key, NULL, NULL, 0, NULL, NULL)) goto done;
    cf = fopen(cert_path, "w");
    if (!cf) goto done;
    if (!PEM_write_X509(cf, cert)) goto done;
    ok = 1;
done:
    if (kf && fclose(kf) != 0) ok = 0;
    if (cf && fclose(cf) != 0) ok = 0;
    X509_EXTENSION_free(san);
    X509_free(cert);
    EVP_PKEY_free(key);
    return ok;
}
#endif
