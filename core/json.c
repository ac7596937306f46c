/*
 * json.c - jansson helpers shared by the JSON connectors (see json.h).
 */
#include "json.h"
#include "util.h"

#include <errno.h>
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
    return json_is_string(v) ? json_string_value(v) : NULL;
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

json_t *cw_json_load_file(const char *path, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    if (!root && err)
        snprintf(err, errlen, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
    return root;
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
