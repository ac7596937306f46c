/*
 * mailbox.c - one mailbox of the [mail] configuration (see mailbox.h).
 *
 * The rules are RFC 5321's dot-atom local part and a host name domain: the
 * subset every server accepts.  Anything else is refused with the rule it
 * broke, rather than passed on to fail at 3 a.m. in an SMTP reply.
 */
#include "mailbox.h"

#include <string.h>

#define LOCAL_MAX 64
#define DOMAIN_MAX 253
#define LABEL_MAX 63

static const char ATEXT[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                            "!#$%&'*+-/=?^_`{|}~";

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* dot-atom: atoms of atext joined by single dots. */
static int local_ok(const char *s, size_t n)
{
    if (n == 0 || n > LOCAL_MAX || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' && s[i + 1] == '.')
            return 0;
        if (s[i] != '.' && !strchr(ATEXT, s[i]))
            return 0;
    }
    return 1;
}

/* Labels of letters, digits and inner hyphens, joined by dots. */
static int domain_ok(const char *s, size_t n)
{
    size_t label = 0;
    if (n == 0 || n > DOMAIN_MAX)
        return 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == '.') {
            if (label == 0 || label > LABEL_MAX || s[i - 1] == '-')
                return 0;
            label = 0;
        } else if (is_alnum(s[i]) || (s[i] == '-' && label > 0)) {
            label++;
        } else {
            return 0;
        }
    }
    return 1;
}

static int addr_ok(const char *s, size_t n, const char **why)
{
    const char *at = memchr(s, '@', n);
    if (!at) {
        *why = "an address is local@domain: no '@'";
        return 0;
    }
    if (!local_ok(s, (size_t)(at - s))) {
        *why = "the part before '@' must be letters, digits, dots and !#$%&'*+-/=?^_`{|}~ "
               "(no quotes, no two dots in a row)";
        return 0;
    }
    if (!domain_ok(at + 1, n - (size_t)(at + 1 - s))) {
        *why = "the domain must be a host name (letters, digits, '-' and '.')";
        return 0;
    }
    return 1;
}

/* A display name: printable, no list or address syntax, no backslash. */
static int name_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f || strchr(",\"<>\\", c))
            return 0;
    }
    return 1;
}

static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

int cw_mailbox_parse(const char *text, cw_mailbox *out, const char **why)
{
    const char *dummy, *s = text, *lt, *a = text;
    size_t n = strlen(text), an;
    if (!why)
        why = &dummy;
    memset(out, 0, sizeof(*out));
    trim(&s, &n);
    if (n == 0 || n > CW_MAILBOX_MAX) {
        *why = n ? "longer than 320 bytes" : "empty address";
        return -1;
    }
    lt = memchr(s, '<', n);
    if (lt) {
        size_t name_len = (size_t)(lt - s);
        if (s[n - 1] != '>') {
            *why = "expected Name <local@domain>";
            return -1;
        }
        a = lt + 1;
        an = n - name_len - 2;
        trim(&s, &name_len);
        if (!name_ok(s, name_len)) {
            *why = "a display name may not hold , \" < > \\ or control characters";
            return -1;
        }
        memcpy(out->name, s, name_len);
    } else {
        a = s;
        an = n;
    }
    if (!addr_ok(a, an, why))
        return -1;
    memcpy(out->addr, a, an);
    return 0;
}

const char *cw_mailbox_domain(const char *addr)
{
    const char *at = strrchr(addr, '@');
    return at ? at + 1 : "";
}
