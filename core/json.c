/*
 * json.c - jansson helpers shared by the JSON connectors (see json.h).
 */
#include "json.h"
#include "util.h"

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
 * Numbers jansson cannot hold.  jansson stores an integer as long long and a
 * real as double, and refused the WHOLE document at the first integer beyond
 * int64 (a 30-digit id, a changelog total of 10^30) or real beyond double
 * (1e400): one odd record used to cost every record of the file.  Why not
 * make every integer a double: that would silently round int64 values above
 * 2^53 and break every json_is_integer test, and still overflow at 1e400.
 * So the reader (core/jsonstream.c) turns each number token into a value
 * here, and a token that is valid JSON but would overflow becomes the string
 * "\u0000number out of range: <the digits>".  The record then loads, and the
 * field that holds it fails where it is read: cw_json_int and cw_json_str
 * refuse it (cw_json_out_of_range tells why), so the connector rejects that
 * record naming its field, and the reject's raw text still shows the
 * original digits.  The leading NUL keeps the marker apart from any text a
 * source would send (a source that sends exactly this string gets the same
 * reject, which is fair).  The tests are jansson's own: strtoll out of range
 * for an integer (no '.', 'e' or 'E'), strtod overflowing to HUGE_VAL for a
 * real (underflow to 0 is fine).  catwalk never calls setlocale, so strtod
 * reads '.' as the decimal point.
 */
static const char out_of_range_mark[] = "number out of range: ";

json_t *cw_json_number(const char *text, size_t len)
{
    char small[32], *t = len < sizeof(small) ? small : cw_xmalloc(len + 1);
    json_t *v = NULL;
    memcpy(t, text, len);
    t[len] = '\0';
    errno = 0;
    if (!strpbrk(t, ".eE")) {
        long long n = strtoll(t, NULL, 10);
        if (errno != ERANGE)
            v = json_integer(n);
    } else {
        double d = strtod(t, NULL);
        if (!(errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL)))
            v = json_real(d);
    }
    if (!v) {
        cw_buf b = {0};
        cw_buf_append(&b, "", 1);
        cw_buf_puts(&b, out_of_range_mark);
        cw_buf_append(&b, text, len);
        v = json_stringn_nocheck(b.data, b.len);
        cw_buf_free(&b);
    }
    if (t != small)
        free(t);
    return v;
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
