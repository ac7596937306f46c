/*
 * json.c - jansson helpers shared by the JSON connectors (see json.h).
 */
#include "json.h"
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Walk one dotted step at a time; the path is short, so a stack copy of each
 * step is enough. */
json_t *cw_json_path(json_t *root, const char *path)
{
    const char *p = path;
    json_t *cur = root;
    char step[128];
    while (cur && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof(step) || !json_is_object(cur))
            return NULL;
        memcpy(step, p, n);
        step[n] = '\0';
        cur = json_object_get(cur, step);
        p = dot ? dot + 1 : p + n;
    }
    return json_is_null(cur) ? NULL : cur;
}

const char *cw_json_str(json_t *root, const char *path)
{
    json_t *v = cw_json_path(root, path);
    return json_is_string(v) && !cw_json_out_of_range(v) ? json_string_value(v) : NULL;
}

/*
 * A JSON real as an integer: only a whole number inside int64 (1650024049161.0
 * is fine).  Casting 1e300 or NaN to int64_t is undefined behaviour and 1.5
 * would silently lose its fraction, so those are not integers.  The range
 * test comes first: the cast is only defined once it holds.  2^63 is exact
 * as a double, so [-2^63, 2^63) is precisely the int64 range.
 */
static int whole_real(double d, int64_t *out)
{
    const double two63 = 9223372036854775808.0;
    if (!(d >= -two63 && d < two63) || (double)(int64_t)d != d)
        return -1;
    *out = (int64_t)d;
    return 0;
}

int cw_json_int(json_t *root, const char *path, int64_t *out)
{
    json_t *v = cw_json_path(root, path);
    if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        return 0;
    }
    if (json_is_real(v))
        return whole_real(json_real_value(v), out);
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        long long n;
        errno = 0;
        n = strtoll(s, &end, 10);
        if (end != s && *end == '\0' && errno == 0) {
            *out = n;
            return 0;
        }
    }
    return -1;
}

int cw_json_bool(json_t *root, const char *path, int def)
{
    json_t *v = cw_json_path(root, path);
    if (json_is_boolean(v))
        return json_is_true(v);
    return def;
}

/*
 * Loading: one function for every JSON text catwalk reads (a landed file, a
 * DevLake `data` cell), so a document is accepted or refused the same way
 * wherever it comes from.
 *
 * A UTF-8 byte order mark before the text is skipped (a file saved by a
 * Windows tool has one; JSON forbids it, jansson refuses it).  \u0000 inside a
 * string is allowed (JSON_ALLOW_NUL): real Jira descriptions carry it.
 *
 * Numbers jansson cannot hold.  jansson stores an integer as long long and a
 * real as double, and refuses the WHOLE document at the first integer beyond
 * int64 (a 30-digit id, a changelog total of 10^30) or real beyond double
 * (1e400): one odd record used to cost every record of the file.  Why not
 * a decoding flag: JSON_DECODE_INT_AS_REAL would make every integer a double,
 * silently rounding int64 values above 2^53 and breaking every
 * json_is_integer test, and it still refuses 1e400.  So the text is scanned
 * once before jansson sees it (a tokenizer that only knows strings and
 * number tokens, linear and cheap); a number token that is valid JSON but
 * would overflow is rewritten as the string "\u0000number out of range: <the
 * digits>".  The record then loads, and the field that holds it fails where
 * it is read: cw_json_int and cw_json_str refuse it (cw_json_out_of_range
 * tells why), so the connector rejects that record naming its field, and the
 * reject's raw text still shows the original digits.  The leading NUL keeps
 * the marker apart from any text a source would send (a source that sends
 * exactly this string gets the same reject, which is fair).  Documents with
 * no such number, nearly all of them, are parsed as they are, so their error
 * positions are exact; in a rewritten one a column after a rewritten number
 * on the same line is off by the marker's length (the line is right).
 */
static const char out_of_range_mark[] = "number out of range: ";

/* Is s[0..n) exactly a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static int is_json_number(const char *s, size_t n)
{
    size_t i = 0, d;
    if (i < n && s[i] == '-')
        i++;
    if (i < n && s[i] == '0')
        i++;
    else if (i < n && s[i] >= '1' && s[i] <= '9')
        while (i < n && isdigit((unsigned char)s[i]))
            i++;
    else
        return 0;
    if (i < n && s[i] == '.') {
        for (d = ++i; i < n && isdigit((unsigned char)s[i]); i++)
            ;
        if (i == d)
            return 0;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        for (d = i; i < n && isdigit((unsigned char)s[i]); i++)
            ;
        if (i == d)
            return 0;
    }
    return i == n;
}

/* Would jansson refuse this number token?  The same tests it makes: strtoll
 * out of range for an integer, strtod overflowing to HUGE_VAL for a real
 * (underflow to 0 is fine).  catwalk never calls setlocale, so strtod reads
 * '.' as the decimal point. */
static int number_overflows(const char *s, size_t n)
{
    char *t;
    int over;
    /* The common case, cheaply: without an exponent, 18 characters hold at
     * most 18 digits, below both 2^63 and DBL_MAX. */
    if (n <= 18 && !memchr(s, 'e', n) && !memchr(s, 'E', n))
        return 0;
    t = cw_strndup(s, n);
    errno = 0;
    if (strpbrk(t, ".eE")) {
        double d = strtod(t, NULL);
        over = errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL);
    } else {
        (void)strtoll(t, NULL, 10);
        over = errno == ERANGE;
    }
    free(t);
    return over;
}

static int number_char(char c)
{
    return isdigit((unsigned char)c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* The text with every overflowing number token rewritten (see above), or
 * NULL when there is none. */
static char *rewrite_out_of_range(const char *text, size_t len, size_t *out_len)
{
    cw_buf b = {0};
    size_t i, copied = 0;
    int in_string = 0;
    for (i = 0; i < len; i++) {
        char c = text[i];
        size_t j;
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
            continue;
        }
        if (c == '"') {
            in_string = 1;
            continue;
        }
        if (c != '-' && !isdigit((unsigned char)c))
            continue;
        for (j = i; j < len && number_char(text[j]); j++)
            ;
        if (is_json_number(text + i, j - i) && number_overflows(text + i, j - i)) {
            cw_buf_append(&b, text + copied, i - copied);
            cw_buf_puts(&b, "\"\\u0000");
            cw_buf_puts(&b, out_of_range_mark);
            cw_buf_append(&b, text + i, j - i);
            cw_buf_puts(&b, "\"");
            copied = j;
        }
        i = j - 1;
    }
    if (!b.data)
        return NULL;
    cw_buf_append(&b, text + copied, len - copied);
    *out_len = b.len;
    return b.data;
}

json_t *cw_json_load_text(const char *text, size_t len, char *err, size_t errlen)
{
    static const char bom[] = "\xEF\xBB\xBF";
    json_error_t jerr;
    json_t *root;
    size_t fixed_len = 0;
    char *fixed;
    if (len >= 3 && memcmp(text, bom, 3) == 0) {
        text += 3;
        len -= 3;
    }
    fixed = rewrite_out_of_range(text, len, &fixed_len);
    root = json_loadb(fixed ? fixed : text, fixed ? fixed_len : len,
                      JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    free(fixed);
    if (!root && err) {
        /* jansson quotes the token it stopped at ("invalid token near
         * 'root:$6$...'"): a file that is not JSON may be anything, so the
         * message says where and why, never what the bytes were. */
        char *near = strstr(jerr.text, " near ");
        if (near)
            *near = '\0';
        snprintf(err, errlen, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
    }
    return root;
}

json_t *cw_json_load_file(const char *path, char *err, size_t errlen)
{
    size_t len = 0;
    char *text = cw_read_file(path, &len);
    json_t *root;
    if (!text) {
        if (err)
            snprintf(err, errlen, "cannot read: %s", strerror(errno));
        return NULL;
    }
    root = cw_json_load_text(text, len, err, errlen);
    free(text);
    return root;
}

int cw_json_out_of_range(const json_t *v)
{
    const size_t n = sizeof(out_of_range_mark) - 1;
    return json_is_string(v) && json_string_length(v) > n + 1 &&
           json_string_value(v)[0] == '\0' &&
           memcmp(json_string_value(v) + 1, out_of_range_mark, n) == 0;
}

char *cw_json_join(json_t *array, const char *field, const char *sep)
{
    cw_buf b = {0};
    size_t i;
    json_t *el;
    if (!json_is_array(array))
        return NULL;
    json_array_foreach(array, i, el) {
        const char *s = field ? cw_json_str(el, field) : json_string_value(el);
        if (!s || !*s)
            continue;
        if (b.len)
            cw_buf_puts(&b, sep);
        cw_buf_puts(&b, s);
    }
    return b.data;
}

char *cw_json_dump_short(json_t *value, size_t max)
{
    char *s = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
    char *out;
    if (!s)
        return NULL;
    out = cw_strndup(s, strlen(s) > max ? max : strlen(s));
    free(s);
    return out;
}
