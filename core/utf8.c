/*
 * utf8.c - the UTF-8 check and repair (see utf8.h).
 *
 * One step function decides, at a position, how many bytes the next
 * sequence takes and whether it is well-formed; the check and the repair
 * both walk with it, so they can never disagree about what is valid.
 */
#include "utf8.h"
#include "util.h"

#include <string.h>

#define REPLACEMENT "\xEF\xBF\xBD"      /* U+FFFD */

/*
 * The sequence starting at s (n > 0 bytes left): returns its length and
 * sets *ok.  For an ill-formed one the length is its maximal subpart: the
 * bytes that still fit Unicode's table 3-7 (at least the first).  The
 * second byte has the narrow ranges that exclude overlong forms (E0, F0),
 * surrogates (ED) and code points past U+10FFFF (F4).
 */
static size_t step(const unsigned char *s, size_t n, int *ok)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF;
    size_t need;
    *ok = 1;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        lo = c == 0xE0 ? 0xA0 : 0x80;
        hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        lo = c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        *ok = 0;                        /* 80..C1, F5..FF start nothing */
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *ok = 0;
            return i;
        }
        lo = 0x80;
        hi = 0xBF;
    }
    return need + 1;
}

int cw_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    int ok;
    while (i < len) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        i += step(p + i, len - i, &ok);
        if (!ok)
            return 0;
    }
    return 1;
}

char *cw_utf8_repair(const char *s, size_t len, size_t *replaced)
{
    const unsigned char *p = (const unsigned char *)s;
    /* at worst every byte becomes the three of U+FFFD */
    char *out = cw_xmalloc(len > ((size_t)-1 - 1) / 3 ? (size_t)-1 : 3 * len + 1);
    size_t i = 0, o = 0, count = 0;
    int ok;
    while (i < len) {
        size_t n = step(p + i, len - i, &ok);
        if (ok) {
            memcpy(out + o, s + i, n);
            o += n;
        } else {
            memcpy(out + o, REPLACEMENT, 3);
            o += 3;
            count++;
        }
        i += n;
    }
    out[o] = '\0';
    if (replaced)
        *replaced = count;
    return out;
}
