/*
 * releases.c - the release scope step (see releases.h): reads the releases,
 * items, Fix Version events, done intervals and commits once each, joins
 * them in memory, runs the rule of scope.h per release and appends the rows.
 */
#include "releases.h"
#include "append.h"
#include "scope.h"
#include "../core/log.h"
#include "../core/record.h"
#include "../core/sqlset.h"
#include "../core/strmap.h"
#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

#define SQL_FILE "transform/sql/releases.sql"

typedef struct rel {
    int64_t release_id;
    int64_t start_at, release_at;
    int renamed;                /* a later row has its Jira id: the version's old name */
} rel;

typedef struct item {
    int64_t work_item_id;
    char *project;
    char *fix_versions;
    cw_scope_item in;           /* events and spans are set when a release is computed */
    size_t span_first, n_spans;
} item;

typedef struct event {
    size_t rel, item;
    cw_scope_event ev;          /* history_id owned */
} event;

/* An item carrying or once carrying a release. */
typedef struct link {
    size_t rel, item;
    int carries_now;
} link;

typedef struct step {
    cw_db *db;
    cw_sqlset *sql;
    rel *rels;      size_t n_rels;
    cw_strmap *by_id, *by_name;     /* external id / "project\x1fname" -> rels index */
    item *items;    size_t n_items;
    event *events;  size_t n_events;
    cw_scope_span *spans; size_t n_spans;
    link *links;    size_t n_links;
} step;

#define GROW(arr, n) ((arr) = cw_xrealloc((arr), ((n) + 1) * sizeof(*(arr))))

/* ------------------------------------------------------------------ reading */

static int64_t col_time(cw_stmt *st, int i)
{
    return cw_db_column_type(st, i) == CW_DB_NULL ? CW_NO_TIME : cw_db_column_int(st, i);
}

static char *col_text(cw_stmt *st, int i)
{
    const char *t = cw_db_column_text(st, i);
    return t ? cw_strdup(t) : NULL;
}

typedef int (*row_fn)(step *s, cw_stmt *st);

/* Run the named statement and hand each row to fn.  0, or -1 (logged). */
static int each_row(step *s, const char *name, row_fn fn)
{
    const char *sql = cw_sqlset_get(s->sql, name);
    cw_stmt *st = NULL;
    int rc;
    if (!sql) {
        cw_error("%s: no statement named %s", SQL_FILE, name);
        return -1;
    }
    if (cw_db_prepare(s->db, sql, &st) != CW_DB_OK) {
        cw_error("releases: %s: %s", name, cw_db_errmsg(s->db));
        return -1;
    }
    while ((rc = cw_db_step(st)) == CW_DB_ROW)
        if (fn && fn(s, st) != 0)
            break;
    if (rc < 0)
        cw_error("releases: %s: %s", name, cw_db_errmsg(s->db));
    cw_db_finalize(st);
    return rc == CW_DB_DONE ? 0 : -1;
}

static char *name_key(const char *project, const char *name, size_t len)
{
    return cw_asprintf("%s\x1f%.*s", project ? project : "", (int)len, name);
}

static int read_release(step *s, cw_stmt *st)
{
    const char *external = cw_db_column_text(st, 3);
    char *key = name_key(cw_db_column_text(st, 1), cw_db_column_text(st, 2),
                         strlen(cw_db_column_text(st, 2)));
    int64_t older;
    GROW(s->rels, s->n_rels);
    s->rels[s->n_rels] = (rel){ cw_db_column_int(st, 0), col_time(st, 4), col_time(st, 5), 0 };
    cw_strmap_put(s->by_name, key, (int64_t)s->n_rels);
    /* A renamed version is a new (project, name) row with the same Jira id,
     * loaded later (a higher id): that one is the version, the old name's
     * row is left unmeasured. */
    if (external && *external) {
        if (cw_strmap_get(s->by_id, external, &older))
            s->rels[older].renamed = 1;
        cw_strmap_put(s->by_id, external, (int64_t)s->n_rels);
    }
    s->n_rels++;
    free(key);
    return 0;
}

static int read_item(step *s, cw_stmt *st)
{
    item *it;
    GROW(s->items, s->n_items);
    it = &s->items[s->n_items++];
    memset(it, 0, sizeof(*it));
    it->work_item_id = cw_db_column_int(st, 0);
    it->project = col_text(st, 1);
    it->fix_versions = col_text(st, 3);
    it->in.created_at = cw_db_column_int(st, 2);
    it->in.end_at = col_time(st, 5);
    it->in.production_at = col_time(st, 6);
    it->in.last_deploy_at = CW_NO_TIME;
    return 0;
}

/* The items array is ordered by work_item_id: binary search; SIZE_MAX when absent. */
static size_t find_item(const step *s, int64_t id)
{
    size_t lo = 0, hi = s->n_items;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->items[mid].work_item_id == id)
            return mid;
        if (s->items[mid].work_item_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

static int read_code(step *s, cw_stmt *st)
{
    size_t i = find_item(s, cw_db_column_int(st, 0));
    if (i == SIZE_MAX)
        return 0;
    s->items[i].in.commits = (long)cw_db_column_int(st, 1);
    s->items[i].in.undeployed = (long)cw_db_column_int(st, 2);
    s->items[i].in.last_deploy_at = col_time(st, 3);
    return 0;
}

/* Spans arrive grouped by item: each item's are contiguous. */
static int read_span(step *s, cw_stmt *st)
{
    size_t i = find_item(s, cw_db_column_int(st, 0));
    if (i == SIZE_MAX)
        return 0;
    GROW(s->spans, s->n_spans);
    s->spans[s->n_spans] = (cw_scope_span){ cw_db_column_int(st, 1), col_time(st, 2) };
    if (s->items[i].n_spans == 0)
        s->items[i].span_first = s->n_spans;
    s->items[i].n_spans++;
    s->n_spans++;
    return 0;
}

/* The release an event names: by Jira id, else by (item project, name). */
static int event_release(const step *s, const item *it, const char *version,
                         const char *version_id, size_t *out)
{
    int64_t k;
    char *key;
    int found;
    if (version_id && *version_id && cw_strmap_get(s->by_id, version_id, &k)) {
        *out = (size_t)k;
        return 1;
    }
    key = name_key(it->project, version, strlen(version));
    found = cw_strmap_get(s->by_name, key, &k);
    free(key);
    *out = (size_t)k;
    return found;
}

static int read_event(step *s, cw_stmt *st)
{
    size_t i = find_item(s, cw_db_column_int(st, 0)), r;
    const char *op = cw_db_column_text(st, 5);
    event *e;
    if (i == SIZE_MAX ||
        !event_release(s, &s->items[i], cw_db_column_text(st, 3), cw_db_column_text(st, 4), &r))
        return 0;
    GROW(s->events, s->n_events);
    e = &s->events[s->n_events++];
    e->rel = r;
    e->item = i;
    e->ev.at = cw_db_column_int(st, 1);
    e->ev.history_id = col_text(st, 2);
    e->ev.added = op && strcmp(op, "add") == 0;
    return 0;
}

/* ------------------------------------------------------------------ joining */

static void add_link(step *s, size_t r, size_t i, int carries_now)
{
    GROW(s->links, s->n_links);
    s->links[s->n_links++] = (link){ r, i, carries_now };
}

int cw_fix_version_next(const char **p, const char **name, size_t *len)
{
    const char *comma;
    if (!*p || !**p)
        return 0;
    comma = strchr(*p, ',');
    *name = *p;
    *len = comma ? (size_t)(comma - *p) : strlen(*p);
    *p = comma ? comma + 1 : NULL;
    return 1;
}

/* Each item's current fix versions, comma-separated names of its project's
 * versions. */
static void link_current(step *s)
{
    for (size_t i = 0; i < s->n_items; i++) {
        const char *p = s->items[i].fix_versions, *name;
        size_t len;
        while (cw_fix_version_next(&p, &name, &len)) {
            char *key = name_key(s->items[i].project, name, len);
            int64_t r;
            if (len && cw_strmap_get(s->by_name, key, &r))
                add_link(s, (size_t)r, i, 1);
            free(key);
        }
    }
    for (size_t e = 0; e < s->n_events; e++)
        add_link(s, s->events[e].rel, s->events[e].item, 0);
}

static int compare_links(const void *pa, const void *pb)
{
    const link *a = pa, *b = pb;
    if (a->rel != b->rel)
        return a->rel < b->rel ? -1 : 1;
    if (a->item != b->item)
        return a->item < b->item ? -1 : 1;
    return b->carries_now - a->carries_now;      /* carrying first: kept by dedupe */
}

static int compare_events(const void *pa, const void *pb)
{
    const event *a = pa, *b = pb;
    int c;
    if (a->rel != b->rel)
        return a->rel < b->rel ? -1 : 1;
    if (a->item != b->item)
        return a->item < b->item ? -1 : 1;
    /* the same order whatever qsort does with ties (the rule sorts again) */
    if (a->ev.at != b->ev.at)
        return a->ev.at < b->ev.at ? -1 : 1;
    if ((c = strcmp(a->ev.history_id ? a->ev.history_id : "",
                    b->ev.history_id ? b->ev.history_id : "")) != 0)
        return c;
    return a->ev.added - b->ev.added;
}

/* Sort links by (release, item), one per pair (carrying wins); events the
 * same way, so each pair's events are one run. */
static void dedupe_links(step *s)
{
    size_t n = 0;
    if (s->n_links > 1)     /* links may be NULL when there are none */
        qsort(s->links, s->n_links, sizeof(*s->links), compare_links);
    for (size_t i = 0; i < s->n_links; i++)
        if (n == 0 || s->links[n - 1].rel != s->links[i].rel ||
            s->links[n - 1].item != s->links[i].item)
            s->links[n++] = s->links[i];
    s->n_links = n;
    if (s->n_events > 1)
        qsort(s->events, s->n_events, sizeof(*s->events), compare_events);
}

/* ------------------------------------------------------------------ writing */

static const char *const release_cols[] = {
    "release_id", "baseline_at", "release_instant", "planned", "added", "removed", "delivered",
    "shipped", "carried_over", "done_not_deployed"
};
static const char *const item_cols[] = {
    "release_id", "work_item_id", "planned", "added", "removed", "delivered", "shipped",
    "carried_over", "done_not_deployed"
};

/* A count that needs the release instant: NULL without one. */
static cw_db_value after_release(const cw_scope_result *r, long n)
{
    return r->has_release ? cw_value_int(n) : cw_value_null();
}

static int write_release(cw_append *out, int64_t release_id, const cw_scope_result *r)
{
    cw_db_value v[] = { cw_value_int(release_id), cw_value_time(r->baseline_at),
                        cw_value_time(r->release_instant), cw_value_int(r->planned),
                        cw_value_int(r->added), cw_value_int(r->removed),
                        after_release(r, r->delivered), after_release(r, r->shipped),
                        after_release(r, r->carried_over), after_release(r, r->done_not_deployed) };
    return cw_append_row(out, v);
}

static int write_item(cw_append *out, int64_t release_id, int64_t work_item_id,
                      const cw_scope_class *k)
{
    cw_db_value v[] = { cw_value_int(release_id), cw_value_int(work_item_id),
                        cw_value_int(k->planned), cw_value_int(k->added),
                        cw_value_int(k->removed), cw_value_int(k->delivered),
                        cw_value_int(k->shipped), cw_value_int(k->carried_over),
                        cw_value_int(k->done_not_deployed) };
    return cw_append_row(out, v);
}

/* One release: its links are links[first, first + n), its events from *ev on. */
static int compute_release(step *s, size_t r, size_t first, size_t n, size_t *ev,
                           cw_scope_result *res, cw_append *rels, cw_append *items)
{
    cw_scope_item *in = n ? cw_xcalloc(n, sizeof(*in)) : NULL;
    cw_scope_event *evs = NULL;
    size_t n_evs = 0, start = *ev;
    cw_scope_release release = { s->rels[r].start_at, s->rels[r].release_at, in, n };
    int rc;
    while (*ev < s->n_events && s->events[*ev].rel == r)
        (*ev)++;
    if (*ev > start) {
        evs = cw_xcalloc(*ev - start, sizeof(*evs));
        for (size_t e = start; e < *ev; e++)
            evs[n_evs++] = s->events[e].ev;
    }
    for (size_t k = 0, e = 0; k < n; k++) {
        const link *l = &s->links[first + k];
        const item *it = &s->items[l->item];
        in[k] = it->in;
        in[k].carries_now = l->carries_now;
        in[k].done = it->n_spans ? &s->spans[it->span_first] : NULL;
        in[k].n_done = it->n_spans;
        while (e < n_evs && s->events[start + e].item < l->item)
            e++;
        in[k].events = evs ? &evs[e] : NULL;
        while (e < n_evs && s->events[start + e].item == l->item)
            e++, in[k].n_events++;
    }
    cw_scope_compute(&release, res);
    rc = write_release(rels, s->rels[r].release_id, res);
    for (size_t k = 0; rc == 0 && k < n; k++)
        rc = write_item(items, s->rels[r].release_id, s->items[s->links[first + k].item].work_item_id,
                        &res->items[k]);
    free(evs);
    free(in);
    return rc;
}

static int compute_all(step *s)
{
    cw_append rels, items;
    cw_scope_result res = { 0 };
    size_t l = 0, ev = 0;
    int rc = 0;
    cw_append_init(&rels, s->db, "derived_release", release_cols, 10);
    cw_append_init(&items, s->db, "derived_release_item", item_cols, 9);
    for (size_t r = 0; rc == 0 && r < s->n_rels; r++) {
        size_t first = l;
        while (l < s->n_links && s->links[l].rel == r)
            l++;
        if (!s->rels[r].renamed)
            rc = compute_release(s, r, first, l - first, &ev, &res, &rels, &items);
        else
            while (ev < s->n_events && s->events[ev].rel == r)
                ev++;
    }
    if (rc == 0)
        rc = cw_append_flush(&rels);
    if (rc == 0)
        rc = cw_append_flush(&items);
    cw_append_free(&rels);
    cw_append_free(&items);
    cw_scope_result_free(&res);
    return rc;
}

/* ------------------------------------------------------------------ driver */

static void step_free(step *s)
{
    for (size_t i = 0; i < s->n_items; i++) {
        free(s->items[i].project);
        free(s->items[i].fix_versions);
    }
    for (size_t e = 0; e < s->n_events; e++)
        free((char *)s->events[e].ev.history_id);
    free(s->rels);
    free(s->items);
    free(s->events);
    free(s->spans);
    free(s->links);
    cw_strmap_free(s->by_id);
    cw_strmap_free(s->by_name);
    cw_sqlset_free(s->sql);
}

int cw_releases_derive(cw_db *db)
{
    step s = { .db = db, .sql = cw_sqlset_new(), .by_id = cw_strmap_new(),
               .by_name = cw_strmap_new() };
    int rc = cw_sqlset_load(s.sql, SQL_FILE) != 0 ||
             each_row(&s, "clear_release_items", NULL) || each_row(&s, "clear_releases", NULL) ||
             each_row(&s, "releases", read_release) || each_row(&s, "items", read_item) ||
             each_row(&s, "item_code", read_code) || each_row(&s, "done_spans", read_span) ||
             each_row(&s, "events", read_event) ? -1 : 0;
    if (rc == 0) {
        link_current(&s);
        dedupe_links(&s);
        rc = compute_all(&s);
        if (rc == 0)
            cw_info("release scope: %zu releases with a planned date, %zu item rows",
                    s.n_rels, s.n_links);
    }
    step_free(&s);
    return rc;
}
