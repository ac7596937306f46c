/*
 * attribute.c - incident -> deployment attribution (see attribute.h).
 */
#include "attribute.h"
#include "../core/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define REF_MAX 512

const char *cw_attr_how_name(cw_attr_how how)
{
    switch (how) {
    case CW_ATTR_WINDOW:   return "window";
    case CW_ATTR_EXPLICIT: return "explicit";
    case CW_ATTR_NONE:     break;
    }
    return "none";
}

long cw_attribute_window(const cw_deploy *d, size_t n, int64_t created_at, int64_t window_s)
{
    /* Upper bound: the first deployment finishing after created_at. */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d[mid].finished_at <= created_at)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return -1;
    if (window_s > 0 && created_at - d[lo - 1].finished_at > window_s)
        return -1;
    return (long)(lo - 1);
}

/* Two shas agree when one is a prefix of the other and the shorter has at
 * least CW_SHA_MIN_PREFIX digits (either side may be abbreviated). */
static int shas_agree(const char *a, const char *b)
{
    size_t i = 0;
    for (; a[i] && b[i]; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return 0;
    return i >= CW_SHA_MIN_PREFIX;
}

long cw_attribute_by_sha(const cw_deploy *d, size_t n, const cw_graph *g,
                         const char *sha, int64_t created_at)
{
    long before = -1, after = -1, node;

    if (cw_str_empty(sha) || strlen(sha) < CW_SHA_MIN_PREFIX)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (cw_str_empty(d[i].revision) || !shas_agree(d[i].revision, sha))
            continue;
        if (d[i].finished_at <= created_at)
            before = (long)i;           /* sorted: the last one wins */
        else if (after < 0)
            after = (long)i;
    }
    if (before >= 0 || after >= 0)
        return before >= 0 ? before : after;
    if (!g)
        return -1;
    node = cw_graph_find(g, sha);
    if (node < 0)
        return -1;
    return cw_graph_node(g, node)->deployed_by;
}

/* Parse a decimal run number; 0 on success. */
static int parse_number(const char *s, long *out)
{
    char *end;
    long v;
    if (!*s || !isdigit((unsigned char)*s))
        return -1;
    v = strtol(s, &end, 10);
    if (*end)
        return -1;
    *out = v;
    return 0;
}

long cw_attribute_by_build(const cw_deploy *d, size_t n, const char *ref)
{
    char buf[REF_MAX];
    char *text, *hash, *job = NULL;
    long number, found = -1;

    if (cw_str_empty(ref) || strlen(ref) >= sizeof(buf))
        return -1;
    strcpy(buf, ref);
    text = cw_trim(buf);
    hash = strrchr(text, '#');
    if (hash) {
        *hash = '\0';
        job = cw_trim(text);
        text = hash + 1;
    }
    if (parse_number(cw_trim(text), &number))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (d[i].run_number != number)
            continue;
        if (!cw_str_empty(job)) {
            if (d[i].job && strcmp(d[i].job, job) == 0)
                return (long)i;
            continue;
        }
        if (found >= 0)
            return -1;  /* a bare number shared by two jobs names neither */
        found = (long)i;
    }
    return found;
}

/* Try the pattern's named groups; the deployment named, or -1. */
static long explicit_reference(const cw_deploy *d, size_t n, const cw_graph *g, const cw_regex *re,
                               const char *text, int64_t created_at)
{
    char ref[REF_MAX];
    long found = -1;

    if (cw_regex_named(re, text, "sha", ref, sizeof(ref)))
        found = cw_attribute_by_sha(d, n, g, cw_trim(ref), created_at);
    if (found < 0 && cw_regex_named(re, text, "deployment", ref, sizeof(ref)))
        found = cw_attribute_by_build(d, n, ref);
    if (found < 0 && cw_regex_named(re, text, "build", ref, sizeof(ref)))
        found = cw_attribute_by_build(d, n, ref);
    return found;
}

cw_attr_how cw_attribute(const cw_deploy *d, size_t n, const cw_graph *g, const cw_regex *re,
                         const char *title, const char *description, int64_t created_at,
                         int64_t window_s, long *index)
{
    *index = -1;
    if (re && (title || description)) {
        char *text = cw_asprintf("%s\n%s", title ? title : "", description ? description : "");
        *index = explicit_reference(d, n, g, re, text, created_at);
        free(text);
        if (*index >= 0)
            return CW_ATTR_EXPLICIT;
    }
    *index = cw_attribute_window(d, n, created_at, window_s);
    return *index >= 0 ? CW_ATTR_WINDOW : CW_ATTR_NONE;
}
