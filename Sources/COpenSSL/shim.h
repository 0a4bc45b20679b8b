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

static inline long boton_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
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
#endif
