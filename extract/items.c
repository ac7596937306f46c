/*
 * items.c - the shared walk from a landed JSON or DevLake file to one
 * callback per API item (see items.h).
 */
#include "items.h"
#include "devlake.h"
#include "../core/json.h"
#include "../core/time.h"
#include "../core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cw_item_has(json_t *item, const char *key)
{
    json_t *v = json_object_get(item, key);
    return v && !json_is_null(v);
}

int cw_item_reject(cw_sink *sink, const cw_origin *origin, const char *field, json_t *item,
                   const char *reason)
{
    char *raw = item ? cw_json_dump_short(item, CW_ITEM_RAW_MAX) : NULL;
    int rc = cw_sink_reject(sink, origin, field, raw, "%s", reason);
    free(raw);
    return rc ? -1 : 0;
}

int cw_item_time(cw_sink *sink, const cw_origin *origin, json_t *item, const char *field,
                 int64_t *out, int *rc)
{
    json_t *v = cw_json_path(item, field);
    char why[160];
    int trc = -1;
    *out = CW_NO_TIME;
    if (!v)
        return 0;
    if (json_is_string(v) && (trc = cw_time_parse_iso8601(json_string_value(v), NULL, out)) == 0)
        return 0;
    cw_time_reason(trc, json_is_string(v) ? json_string_value(v) : "(not a string)", why,
                   sizeof(why));
    *rc = cw_item_reject(sink, origin, field, item, why);
    return -1;
}

int cw_item_commit(cw_sink *sink, const cw_origin *origin, json_t *c,
                   const cw_commit_paths *paths, cw_commit *r, int *rc)
{
    r->origin = *origin;
    r->sha = cw_json_str(c, paths->sha);
    if (cw_str_empty(r->sha)) {
        *rc = cw_item_reject(sink, origin, paths->sha, c, "commit without an object name");
        return -1;
    }
    if (cw_item_time(sink, origin, c, paths->authored_at, &r->authored_at, rc) ||
        cw_item_time(sink, origin, c, paths->committed_at, &r->committed_at, rc))
        return -1;
    if (r->authored_at == CW_NO_TIME) {
        *rc = cw_item_reject(sink, origin, paths->authored_at, c, "commit without an author date");
        return -1;
    }
    r->author_name = cw_json_str(c, paths->author_name);
    r->author_email = cw_json_str(c, paths->author_email);
    r->committer_name = cw_json_str(c, paths->committer_name);
    r->committer_email = cw_json_str(c, paths->committer_email);
    return 0;
}

int cw_item_emit_pull(cw_sink *sink, const cw_origin *origin, json_t *pr,
                      const cw_pull_paths *paths, const char *repository)
{
    cw_pull_request r = {0};
    char why[64];
    int64_t number;
    int rc = 0;
    r.origin = *origin;
    if (cw_json_int(pr, paths->number, &number) != 0) {
        snprintf(why, sizeof(why), "%s without a%s %s", paths->what,
                 strchr("aeiou", paths->number[0]) ? "n" : "", paths->number);
        return cw_item_reject(sink, origin, paths->number, pr, why);
    }
    if (cw_item_time(sink, origin, pr, "created_at", &r.created_at, &rc) ||
        cw_item_time(sink, origin, pr, "updated_at", &r.updated_at, &rc) ||
        cw_item_time(sink, origin, pr, "closed_at", &r.closed_at, &rc) ||
        cw_item_time(sink, origin, pr, "merged_at", &r.merged_at, &rc))
        return rc;
    if (r.created_at == CW_NO_TIME) {
        snprintf(why, sizeof(why), "%s without created_at", paths->what);
        return cw_item_reject(sink, origin, "created_at", pr, why);
    }
    r.repository = repository;
    r.number = (long)number;
    r.title = cw_json_str(pr, paths->title);
    r.body = cw_json_str(pr, paths->body);
    r.source_branch = cw_json_str(pr, paths->source_branch);
    r.target_branch = cw_json_str(pr, paths->target_branch);
    /* merged exactly when merged_at is set (formats.md), both ways: a
     * "merged" state without the instant is a closed request; and
     * merge_commit_sha alone proves nothing */
    r.state = cw_json_str(pr, paths->state);
    if (r.merged_at != CW_NO_TIME)
        r.state = "merged";
    else if (r.state && strcmp(r.state, "merged") == 0)
        r.state = "closed";
    r.author = cw_json_str(pr, paths->author);
    r.merge_commit_sha = cw_json_str(pr, paths->merge_commit_sha);
    r.squash_commit_sha = paths->squash_commit_sha ? cw_json_str(pr, paths->squash_commit_sha) : NULL;
    if (!sink->pull_request)
        return 0;
    return sink->pull_request(sink->ctx, &r) ? -1 : 0;
}

int cw_item_is_object_name(const char *s)
{
    size_t n = s ? strspn(s, "0123456789abcdefABCDEF") : 0;
    return (n == 40 || n == 64) && s[n] == '\0';
}

int cw_item_check_revision(cw_sink *sink, cw_build *b)
{
    int rc;
    if (!b->revision || cw_item_is_object_name(b->revision))
        return 0;
    rc = cw_sink_reject(sink, &b->origin, "revision", b->revision,
                        "not a 40/64-digit hex object name: the build loads without a revision");
    b->revision = NULL;
    return rc ? -1 : 0;
}

int cw_item_emit_build(cw_sink *sink, cw_build *b, const char *repository, const char *name,
                       const cw_regex *production)
{
    char *job;
    int rc;
    if (cw_item_check_revision(sink, b) != 0)
        return -1;
    job = cw_asprintf("%s/%s", repository, name);
    b->job = job;
    b->is_production = b->environment && cw_regex_match(production, b->environment) == 1;
    rc = sink->build(sink->ctx, b) ? -1 : 0;
    free(job);
    return rc;
}

/* A file that is not JSON may be anything (a private file dropped or
 * linked into an export folder): the reject says where reading stopped and
 * why, never what the bytes were (core/jsonstream.c leaves them out). */
static void reject_not_json(const char *source, const char *path, cw_sink *sink, const char *err)
{
    cw_origin whole = {source, path, 0};
    cw_sink_reject(sink, &whole, NULL, NULL, "not JSON: %s", err);
}

cw_json_doc *cw_items_open(const char *source, const char *path, cw_sink *sink,
                           const char *const *streamed)
{
    char err[256];
    cw_json_doc *doc = cw_json_doc_open(path, streamed, err, sizeof(err));
    if (!doc)
        reject_not_json(source, path, sink, err);
    return doc;
}

/* The numbering of cw_items_each, between jsonstream's element callback
 * and an item callback. */
typedef struct each_walk {
    const char *source, *path;
    cw_item_fn fn;
    void *ctx;
} each_walk;

static int each_element(void *ctx, json_t *element, size_t index)
{
    each_walk *w = ctx;
    cw_origin o = {w->source, w->path, (long)index + 1};
    return w->fn(w->ctx, element, &o);
}

int cw_items_each(cw_json_doc *doc, const char *key, const char *source, const char *path,
                  cw_sink *sink, cw_item_fn fn, void *ctx)
{
    each_walk w = {source, path, fn, ctx};
    char err[256];
    int rc = cw_json_doc_each(doc, key, each_element, &w, err, sizeof(err));
    /* the first pass judged the file: a failure now means it changed or
     * could not be read again, and the items before it have been handed over */
    if (rc < 0)
        reject_not_json(source, path, sink, err);
    return rc ? -1 : 0;
}

/* The first of keys whose value in root passes is_kind, or NULL. */
static const char *first_of(json_t *root, const char *const *keys, int (*is_kind)(const json_t *))
{
    for (size_t i = 0; keys && keys[i]; i++)
        if (is_kind(json_object_get(root, keys[i])))
            return keys[i];
    return NULL;
}

static int is_array(const json_t *v)
{
    return json_is_array(v);
}

static int is_object(const json_t *v)
{
    return json_is_object(v);
}

static int is_lone_item(const cw_item_shape *shape, json_t *root)
{
    switch (shape->lone) {
    case CW_LONE_ANY:
        return 1;
    case CW_LONE_WITH_KEY:
        return json_is_object(root) && json_object_get(root, shape->lone_key) != NULL;
    default:
        return 0;
    }
}

/* One item standing for the whole document: record 1. */
static int call_one(json_t *item, const char *source, const char *path, cw_item_fn fn,
                    void *ctx)
{
    cw_origin o = {source, path, 1};
    return fn(ctx, item, &o) ? -1 : 0;
}

int cw_items_walk(const cw_item_shape *shape, cw_json_doc *doc, const char *source,
                  const char *path, cw_sink *sink, cw_item_fn fn, void *ctx)
{
    cw_origin whole = {source, path, 0};
    json_t *root = cw_json_doc_root(doc);
    const char *found;
    if (json_is_array(root))
        return cw_items_each(doc, NULL, source, path, sink, fn, ctx);
    if ((found = first_of(root, shape->pages, is_array)) != NULL)
        return cw_items_each(doc, found, source, path, sink, fn, ctx);
    if ((found = first_of(root, shape->wrappers, is_object)) != NULL)
        return call_one(json_object_get(root, found), source, path, fn, ctx);
    if (is_lone_item(shape, root))
        return call_one(root, source, path, fn, ctx);
    if (first_of(root, shape->empty, is_array))
        return 0;
    cw_item_reject(sink, &whole, shape->unknown_field, root, shape->unknown);
    return -1;
}

int cw_items_parse_json(const cw_item_shape *shape, const char *source, const char *path,
                        cw_sink *sink, cw_item_fn fn, void *ctx)
{
    cw_json_doc *doc = cw_items_open(source, path, sink, shape->pages);
    int rc;
    if (!doc)
        return -1;
    rc = cw_items_walk(shape, doc, source, path, sink, fn, ctx);
    cw_json_doc_close(doc);
    return rc;
}

/* The DevLake walk treats -1 as an unreadable file: a stop is 1. */
typedef struct devlake_stop {
    cw_item_fn fn;
    void *ctx;
} devlake_stop;

static int devlake_item(void *ctx, json_t *item, const cw_origin *origin)
{
    devlake_stop *d = ctx;
    return d->fn(d->ctx, item, origin) ? 1 : 0;
}

int cw_items_parse(const cw_item_shape *shape, const char *source, const char *path,
                   cw_sink *sink, cw_item_fn fn, void *ctx)
{
    if (cw_devlake_is_wrapper(path)) {
        devlake_stop d = {fn, ctx};
        return cw_devlake_each(path, source, sink, devlake_item, &d) ? -1 : 0;
    }
    return cw_items_parse_json(shape, source, path, sink, fn, ctx);
}

/* ---------------------------------------------------------------- pull request parts */

/* Digits at p up to a '/', '?', '-', '.' or the end, as a positive number, or -1. */
static long number_at(const char *p, const char *ends)
{
    char *end;
    long n;
    if (!p || !isdigit((unsigned char)*p))
        return -1;
    n = strtol(p, &end, 10);
    return n > 0 && (*end == '\0' || strchr(ends, *end)) ? n : -1;
}

static long pull_of_url(const char *url, const char *collection)
{
    const char *p = url && collection ? strstr(url, collection) : NULL;
    return p ? number_at(p + strlen(collection), "/?#") : -1;
}

static long pull_of_input(const char *input, const char *key)
{
    json_t *root;
    int64_t n = -1;
    if (cw_str_empty(input) || !key || !(root = cw_json_load_text(input, strlen(input), NULL, 0)))
        return -1;
    if (!json_is_object(root) || cw_json_int(root, key, &n) != 0 || n <= 0)
        n = -1;
    json_decref(root);
    return (long)n;
}

long cw_item_pull_of_file(const char *path)
{
    static const char prefix[] = "pull-";
    const char *base = path ? strrchr(path, '/') : NULL;
    size_t digits;
    base = base ? base + 1 : path;
    if (!base)
        return -1;
    while ((digits = strspn(base, "0123456789")) > 0 && base[digits] == '-')
        base += digits + 1;
    if (strncmp(base, prefix, sizeof(prefix) - 1) != 0)
        return -1;
    return number_at(base + sizeof(prefix) - 1, "-.");
}

typedef struct pull_walk {
    const cw_pull_hint *hint;
    cw_item_fn fn;
    void *ctx;
    long *pull;
} pull_walk;

static int pull_row(void *ctx, const cw_devlake_row *row, const cw_origin *origin)
{
    pull_walk *w = ctx;
    *w->pull = pull_of_url(row->url, w->hint->collection);
    if (*w->pull < 0)
        *w->pull = pull_of_input(row->input, w->hint->input_key);
    return w->fn(w->ctx, row->item, origin) ? 1 : 0;    /* -1 would mean an unreadable file */
}

int cw_items_parse_pulls(const cw_item_shape *shape, const cw_pull_hint *hint,
                         const char *source, const char *path, cw_sink *sink, cw_item_fn fn,
                         void *ctx, long *pull)
{
    if (cw_devlake_is_wrapper(path)) {
        pull_walk w = {hint, fn, ctx, pull};
        return cw_devlake_each_row(path, source, sink, pull_row, &w) ? -1 : 0;
    }
    *pull = cw_item_pull_of_file(path);
    return cw_items_parse_json(shape, source, path, sink, fn, ctx);
}
