/*
 * base64.c - Base64 through libcrypto's EVP_EncodeBlock (see base64.h).
 */
#include "base64.h"
#include "util.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

char *cw_base64(const void *data, size_t len, size_t *out_len)
{
    size_t n = 4 * ((len + 2) / 3);
    char *out = cw_xmalloc(n + 1);
    size_t done = 0, in = 0;
    /* EVP_EncodeBlock takes an int length: encode in blocks of 3 * 2^20 */
    while (in < len) {
        size_t chunk = len - in < 3u << 20 ? len - in : 3u << 20;
        done += (size_t)EVP_EncodeBlock((unsigned char *)out + done,
                                        (const unsigned char *)data + in, (int)chunk);
        in += chunk;
    }
    out[done] = '\0';
    if (out_len)
        *out_len = done;
    return out;
}

char *cw_base64_lines(const void *data, size_t len, size_t width, size_t *out_len)
{
    size_t n;
    char *flat = cw_base64(data, len, &n);
    if (width == 0 || width % 4)
        width = 76;
    size_t lines = width ? (n + width - 1) / width : 1;
    char *out = cw_xmalloc(n + 2 * lines + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i += width) {
        size_t k = n - i < width ? n - i : width;
        memcpy(out + o, flat + i, k);
        o += k;
        out[o++] = '\r';
        out[o++] = '\n';
    }
    out[o] = '\0';
    free(flat);
    if (out_len)
        *out_len = o;
    return out;
}
