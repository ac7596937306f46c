/*
 * valuestream.c - time in status, gates and in-flight items (valuestream.h).
 *
 * The SQL (reports/sql/flow_*.sql over the views of flow_views.sql) hands
 * back one row per item and status or gate; here each row goes into a
 * bucket, keyed by scope member, period and status, and every bucket's
 * samples give items, total, median and p85 by cw_median / cw_percentile
 * (reports/levels.c).  A window holds at most a few thousand items per
 * application, so a bucket keeps its samples as they come.
 */
#include "valuestream.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/embedded.h"
#include "../core/log.h"
#include "../core/strmap.h"
#include "../core/util.h"

#define SECONDS_PER_HOUR 3600.0

/* ------------------------------------------------------------ buckets */

typedef struct bucket {
    char *member, *status, *category, *stakeholder;
    int64_t period;                 /* period start, or -1 for a whole-window bucket */
    int is_wait, is_gate;
    double *values;                 /* seconds */
    size_t n, cap;
    long skipped, waiting;
    int64_t oldest_at;
} bucket;

typedef struct buckets {
    bucket *b;
    size_t n, cap;
    cw_strmap *index;               /* key -> position in b */
} buckets;

static void buckets_free(buckets *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->b[i].member);
        free(s->b[i].status);
        free(s->b[i].category);
        free(s->b[i].stakeholder);
        free(s->b[i].values);
    }
    free(s->b);
    cw_strmap_free(s->index);
    memset(s, 0, sizeof *s);
}

/* The bucket of (member, period, status), made on first use. */
static bucket *bucket_get(buckets *s, const char *member, int64_t period, const char *status)
{
    char *key = cw_asprintf("%s\x1f%lld\x1f%s", member, (long long)period, status);
    int64_t at;
    bucket *b;
    if (!s->index)
        s->index = cw_strmap_new();
    if (cw_strmap_get(s->index, key, &at)) {
        free(key);
        return &s->b[at];
    }
    cw_strmap_put(s->index, key, (int64_t)s->n);
    free(key);
    s->b = cw_grow(s->b, &s->cap, s->n + 1, sizeof *s->b);
    b = &s->b[s->n++];
    memset(b, 0, sizeof *b);
    b->member = cw_strdup(member);
    b->status = cw_strdup(status);
    b->period = period;
    b->oldest_at = -1;
    return b;
}

static bucket *bucket_find(const buckets *s, const char *member, int64_t period,
                           const char *status)
{
    char *key = cw_asprintf("%s\x1f%lld\x1f%s", member, (long long)period, status);
    int64_t at;
    int found = s->index && cw_strmap_get(s->index, key, &at);
    free(key);
    return found ? &s->b[at] : NULL;
}

static void bucket_add(bucket *b, double seconds)
{
    b->values = cw_grow(b->values, &b->cap, b->n + 1, sizeof *b->values);
    b->values[b->n++] = seconds;
}

static double bucket_total_h(const bucket *b)
{
    double sum = 0;
    for (size_t i = 0; i < b->n; i++)
        sum += b->values[i];
    return sum / SECONDS_PER_HOUR;
}

static int compare_buckets(const void *x, const void *y)
{
    const bucket *a = x, *b = y;
    int c = strcmp(a->member, b->member);
    if (c == 0 && a->period != b->period)
        return a->period < b->period ? -1 : 1;
    return c ? c : strcmp(a->status, b->status);
}

/* ------------------------------------------------------------ SQL */

static cw_stmt *prepare(cw_db *db, const char *path)
{
    const char *sql = cw_embedded_get(path);
    cw_stmt *st = NULL;
    if (!sql) {
        cw_error("flow: %s is not embedded", path);
        return NULL;
    }
    if (cw_db_prepare(db, sql, &st) != CW_DB_OK) {
        cw_error("flow: %s: %s", path, cw_db_errmsg(db));
        return NULL;
    }
    return st;
}

/* After stepping: 0 when the statement ran to its end (rc CW_DB_DONE), else
 * -1 with the engine's message logged. */
static int finished(cw_db *db, cw_stmt *st, int rc, const char *path)
{
    if (rc == CW_DB_DONE)
        return 0;
    cw_error("flow: %s: %s", path, cw_db_errmsg(db));
    return -1;
}

static const char *text_or(cw_stmt *st, int col, const char *fallback)
{
    const char *t = cw_db_column_text(st, col);
    return t ? t : fallback;
}

/* The scope member a row of application `app` (team `team`) belongs to. */
static const char *member_of(const cw_metrics_query *q, const char *app, const char *team)
{
    switch (q->scope) {
    case CW_SCOPE_TEAM: return team ? team : "";
    case CW_SCOPE_ORG: return q->organisation ? q->organisation : CW_ORGANISATION;
    case CW_SCOPE_APPLICATION: break;
    }
    return app ? app : "";
}

static int bind_window(cw_stmt *st, const cw_metrics_query *q)
{
    int rc = cw_db_bind_int(st, 1, q->from);
    return rc == CW_DB_OK ? cw_db_bind_int(st, 2, q->to) : rc;
}

/* ------------------------------------------------------------ time in status */

#define STATUS_SQL "reports/sql/flow_status.sql"

/* Read flow_status.sql into buckets by (member, period, status). */
static int read_status_time(cw_db *db, const cw_metrics_query *q, buckets *out)
{
    cw_stmt *st = prepare(db, STATUS_SQL);
    int rc;
    if (!st)
        return -1;
    rc = bind_window(st, q) == CW_DB_OK ? CW_DB_OK : CW_DB_ERROR;
    while (rc == CW_DB_OK && (rc = cw_db_step(st)) == CW_DB_ROW) {
        const char *member = member_of(q, cw_db_column_text(st, 0),
                                       cw_db_column_text(st, 1));
        int64_t period = cw_period_start(cw_db_column_int(st, 2), q->by);
        bucket *b = bucket_get(out, member, period, text_or(st, 3, ""));
        if (!b->category)
            b->category = cw_strdup(text_or(st, 4, ""));
        b->is_wait |= cw_db_column_int(st, 5) != 0;
        b->is_gate |= cw_db_column_int(st, 6) != 0;
        bucket_add(b, (double)cw_db_column_int(st, 7));
        rc = CW_DB_OK;
    }
    rc = finished(db, st, rc, STATUS_SQL);
    cw_db_finalize(st);
    return rc;
}

/* Each member's top waiting stage over the window: the wait or gate status
 * with the largest total; on a tie the first status name.  Marked in `top`
 * by (member, -1, status). */
static void mark_top_waiting(const buckets *rows, buckets *top)
{
    buckets totals = {0}, best = {0};
    for (size_t i = 0; i < rows->n; i++) {
        const bucket *b = &rows->b[i];
        if (b->is_wait || b->is_gate)
            bucket_add(bucket_get(&totals, b->member, -1, b->status), bucket_total_h(b));
    }
    for (size_t i = 0; i < totals.n; i++) {
        const bucket *t = &totals.b[i];
        bucket *m = bucket_get(&best, t->member, -1, "");
        double total = 0;
        for (size_t k = 0; k < t->n; k++)
            total += t->values[k];
        if (!m->stakeholder || total > m->values[0] ||
            (total == m->values[0] && strcmp(t->status, m->stakeholder) < 0)) {
            free(m->stakeholder);
            m->stakeholder = cw_strdup(t->status);      /* the best status so far */
            m->n = 0;
            bucket_add(m, total);
        }
    }
    for (size_t i = 0; i < best.n; i++)
        bucket_get(top, best.b[i].member, -1, best.b[i].stakeholder);
    buckets_free(&totals);
    buckets_free(&best);
}

int cw_status_time_rows(cw_db *db, const cw_metrics_query *q, cw_status_time_fn fn, void *ctx)
{
    buckets rows = {0}, top = {0};
    int rc = read_status_time(db, q, &rows);
    if (rc == 0) {
        mark_top_waiting(&rows, &top);
        if (rows.n > 1)     /* rows.b is NULL when there are none */
            qsort(rows.b, rows.n, sizeof *rows.b, compare_buckets);
    }
    for (size_t i = 0; rc == 0 && i < rows.n; i++) {
        bucket *b = &rows.b[i];
        cw_status_time_row row = {0};
        row.name = b->member;
        cw_time_format_date(b->period, row.period, sizeof row.period);
        row.status = b->status;
        row.category = b->category;
        row.is_wait = b->is_wait;
        row.is_gate = b->is_gate;
        row.items = (long)b->n;
        row.total_h = bucket_total_h(b);
        row.median_h = cw_median(b->values, b->n) / SECONDS_PER_HOUR;
        row.p85_h = cw_percentile(b->values, b->n, 85) / SECONDS_PER_HOUR;
        row.top_waiting = bucket_find(&top, b->member, -1, b->status) != NULL;
        rc = fn(ctx, &row);
    }
    buckets_free(&rows);
    buckets_free(&top);
    return rc;
}

/* ------------------------------------------------------------ gates */

#define GATES_SQL "reports/sql/flow_gates.sql"

typedef struct gate_data {
    buckets cells;                  /* (member, period, gate): passed samples, skipped */
    buckets gates;                  /* (member, -1, gate): waiting now; every gate to show */
} gate_data;

static void gate_row_in(gate_data *g, const cw_metrics_query *q, cw_stmt *st)
{
    const char *kind = text_or(st, 0, "");
    const char *member = member_of(q, cw_db_column_text(st, 1), cw_db_column_text(st, 2));
    const char *gate = text_or(st, 3, "");
    bucket *all = bucket_get(&g->gates, member, -1, gate), *cell;
    int64_t at = cw_db_column_int(st, 5);
    if (!all->stakeholder)
        all->stakeholder = cw_strdup(text_or(st, 4, ""));
    if (strcmp(kind, "waiting") == 0) {
        all->waiting++;
        if (all->oldest_at < 0 || at < all->oldest_at)
            all->oldest_at = at;
        return;
    }
    if (strcmp(kind, "required") == 0)
        return;
    cell = bucket_get(&g->cells, member, cw_period_start(at, q->by), gate);
    if (strcmp(kind, "skipped") == 0)
        cell->skipped++;
    else
        bucket_add(cell, (double)cw_db_column_int(st, 6));
}

static int read_gates(cw_db *db, const cw_metrics_query *q, gate_data *g)
{
    cw_stmt *st = prepare(db, GATES_SQL);
    int rc;
    if (!st)
        return -1;
    rc = bind_window(st, q) == CW_DB_OK ? CW_DB_OK : CW_DB_ERROR;
    while (rc == CW_DB_OK && (rc = cw_db_step(st)) == CW_DB_ROW) {
        gate_row_in(g, q, st);
        rc = CW_DB_OK;
    }
    rc = finished(db, st, rc, GATES_SQL);
    cw_db_finalize(st);
    return rc;
}

int cw_gate_rows(cw_db *db, const cw_metrics_query *q, cw_gate_fn fn, void *ctx)
{
    gate_data g = {{0}, {0}};
    int rc = read_gates(db, q, &g);
    if (rc == 0 && g.gates.n > 1)
        qsort(g.gates.b, g.gates.n, sizeof *g.gates.b, compare_buckets);
    for (size_t i = 0; rc == 0 && i < g.gates.n; i++) {
        const bucket *all = &g.gates.b[i];
        for (int64_t p = q->from; rc == 0 && p < q->to; p = cw_period_next(p, q->by)) {
            bucket *cell = bucket_find(&g.cells, all->member, p, all->status);
            cw_gate_row row = {0};
            row.name = all->member;
            cw_time_format_date(p, row.period, sizeof row.period);
            row.gate = all->status;
            row.stakeholder = all->stakeholder;
            row.passed = cell ? (long)cell->n : 0;
            row.median_h = cell ? cw_median(cell->values, cell->n) / SECONDS_PER_HOUR : NAN;
            row.p85_h = cell ? cw_percentile(cell->values, cell->n, 85) / SECONDS_PER_HOUR : NAN;
            row.skipped = cell ? cell->skipped : 0;
            row.waiting = all->waiting;
            row.oldest_at = all->oldest_at;
            rc = fn(ctx, &row);
        }
    }
    buckets_free(&g.cells);
    buckets_free(&g.gates);
    return rc;
}

/* ------------------------------------------------------------ in flight */

#define IN_FLIGHT_SQL "reports/sql/flow_in_flight.sql"

int cw_in_flight_rows(cw_db *db, cw_in_flight_fn fn, void *ctx)
{
    cw_stmt *st = prepare(db, IN_FLIGHT_SQL);
    int rc = CW_DB_OK, out = 0;
    if (!st)
        return -1;
    while (out == 0 && (rc = cw_db_step(st)) == CW_DB_ROW) {
        cw_in_flight_row row = {
            text_or(st, 0, ""), cw_db_column_text(st, 1), text_or(st, 2, ""),
            cw_db_column_text(st, 3), cw_db_column_text(st, 4), cw_db_column_int(st, 5),
            (long)cw_db_column_int(st, 6), cw_db_column_int(st, 7) };
        out = fn(ctx, &row);
    }
    if (out == 0 && rc != CW_DB_ROW)
        out = finished(db, st, rc, IN_FLIGHT_SQL);
    cw_db_finalize(st);
    return out;
}
