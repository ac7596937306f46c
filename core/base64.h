/*
 * base64.h - Base64 (RFC 4648) over OpenSSL's libcrypto.
 *
 * Email parts (RFC 2045, lines of 76 characters) and data: URIs in the
 * report page both need it; libcrypto is already linked for SHA-256, so its
 * EVP_EncodeBlock does the encoding rather than a hand-written table.
 */
#ifndef CW_BASE64_H
#define CW_BASE64_H

#include <stddef.h>

/* The Base64 of data[0..len), one line, NUL-terminated; *out_len (may be
 * NULL) gets its length.  Caller frees.  Aborts on out-of-memory. */
char *cw_base64(const void *data, size_t len, size_t *out_len);

/* The same folded into lines of at most `width` characters (a multiple of 4;
 * 76 for MIME) each ended by CRLF.  Caller frees. */
char *cw_base64_lines(const void *data, size_t len, size_t width, size_t *out_len);

#endif
