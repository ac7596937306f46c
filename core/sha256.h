/*
 * sha256.h - SHA-256 for landing-zone checksums, over OpenSSL's libcrypto.
 *
 * Every landed byte is hashed, so the digest is on the hot path of a run.
 * libcrypto (Debian libssl-dev; libcurl links it already) uses the CPU's SHA
 * extensions where present and hand-tuned assembly elsewhere, several times
 * the speed of a portable C implementation; this header keeps callers free
 * of OpenSSL's.  The context owns an EVP context: every init is paired with
 * a final (which frees it), also on a caller's error path.
 */
#ifndef CW_SHA256_H
#define CW_SHA256_H

#include <stddef.h>

struct evp_md_ctx_st;

typedef struct cw_sha256 {
    struct evp_md_ctx_st *evp;
} cw_sha256;

/* Aborts when libcrypto cannot allocate or has no SHA-256 (never expected). */
void cw_sha256_init(cw_sha256 *ctx);
void cw_sha256_update(cw_sha256 *ctx, const void *data, size_t len);
/* Writes 64 lowercase hex digits and a NUL into hex[65]; frees the context. */
void cw_sha256_final_hex(cw_sha256 *ctx, char hex[65]);
/* The digest of a whole file (the configuration's, for the derivation's
 * fingerprint and the report's manifest): 0, or -1 when it cannot be read. */
int cw_sha256_file(const char *path, char hex[65]);

#endif
