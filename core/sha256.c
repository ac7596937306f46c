/*
 * sha256.c - SHA-256 through libcrypto's EVP interface (see sha256.h).
 *
 * EVP rather than the SHA256_* functions: those are deprecated since
 * OpenSSL 3.0, and EVP picks the fastest implementation for the CPU.
 */
#include "sha256.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

static void die(const char *what)
{
    fprintf(stderr, "catwalk: libcrypto: %s failed\n", what);
    abort();
}

void cw_sha256_init(cw_sha256 *ctx)
{
    ctx->evp = EVP_MD_CTX_new();
    if (!ctx->evp || EVP_DigestInit_ex(ctx->evp, EVP_sha256(), NULL) != 1)
        die("SHA-256 init");
}

void cw_sha256_update(cw_sha256 *ctx, const void *data, size_t len)
{
    if (len && EVP_DigestUpdate(ctx->evp, data, len) != 1)
        die("SHA-256 update");
}

void cw_sha256_final_hex(cw_sha256 *ctx, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx->evp, md, &n) != 1 || n != 32)
        die("SHA-256 final");
    EVP_MD_CTX_free(ctx->evp);
    ctx->evp = NULL;
    for (unsigned int i = 0; i < n; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

int cw_sha256_file(const char *path, char hex[65])
{
    char buf[1 << 16];
    size_t n;
    cw_sha256 sha;
    FILE *f = fopen(path, "rb");
    int rc;
    if (!f)
        return -1;
    cw_sha256_init(&sha);
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        cw_sha256_update(&sha, buf, n);
    rc = ferror(f) ? -1 : 0;
    fclose(f);
    cw_sha256_final_hex(&sha, hex);
    return rc;
}
