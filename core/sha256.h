/*
 * sha256.h - SHA-256 (FIPS 180-4) for landing-zone checksums.
 *
 * None of the project's libraries exposes a digest, and pulling in OpenSSL
 * for one function is not worth the dependency; this is the textbook
 * algorithm, tested against the FIPS example vectors.
 */
#ifndef CW_SHA256_H
#define CW_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct cw_sha256 {
    uint32_t state[8];
    uint64_t bytes;
    unsigned char block[64];
    size_t used;
} cw_sha256;

void cw_sha256_init(cw_sha256 *ctx);
void cw_sha256_update(cw_sha256 *ctx, const void *data, size_t len);
/* Writes 64 lowercase hex digits and a NUL into hex[65]. */
void cw_sha256_final_hex(cw_sha256 *ctx, char hex[65]);

#endif
