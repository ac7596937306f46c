/*
 * resolve.c - after loading, before correlation (cw_wh_resolve, see
 * warehouse.h): staged transitions and work item links, applications, GitHub deployment
 * finishes, and the date dimension.  The SQL is load/sql/resolve.sql; this
 * file runs it in order, with the steps SQL cannot do portably in C:
 *
 *  - CI job -> application.  Each configured job regex (map_job, anchored
 *    ^(?:job)$) is matched with pcre2 (core/regex.h) against each DISTINCT
 *    job name once: the first pattern by configured position matching the
 *    full name; failing that, the first matching the last path component of
 *    a folder job ("team/deploy-x" -> "deploy-x").  A full-name match wins
 *    over a component match, so a pattern naming the folder is more specific
 *    than one naming only the leaf.  The answers go to map_job_resolved
 *    (only the rows that change), and the SQL joins that table: no regex
 *    function in the database, and jobs x patterns matches instead of
 *    builds x patterns.
 *
 *  - dim_date: every UTC day from the earliest to the latest instant any
 *    fact touches, so reports see the days without activity too.  When the
 *    span is absurd (a bogus year in some export: more than DENSE_DAYS) only
 *    the days actually referenced are added, which keeps the table bounded.
 *    Days are clamped to years 0001..9999.  The calendar is computed here
 *    (core/time.h) rather than by each engine's date functions, so both
 *    engines hold the same rows; missing days are bulk-appended.
 */
#include "wh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/killpoint.h"
#include "../core/log.h"
#include "../core/regex.h"
#include "../core/time.h"
#include "../core/util.h"

#define DAY_MIN (-719162)           /* 0001-01-01 */
#define DAY_MAX 2932896             /* 9999-12-31 */
#define DENSE_DAYS 36600

/* ------------------------------------------------------------------ staged transitions */

/* One staged transition whose item is still unknown once the whole batch
 * is parsed: rejected, and its file counts the reject as deferred: it is
 * not the record's own fault, so the file is read again next run
 * (cw_wh_file_seen) instead of being lost for good. */
static int reject_unmatched(cw_warehouse *wh, cw_stmt *row)
{
    const char *key = cw_db_column_text(row, 3);
    const char *id = cw_db_column_text(row, 4);
    cw_origin o = { cw_db_column_text(row, 0), cw_db_column_text(row, 1),
                    (long)cw_db_column_int(row, 2) };
    wh_bind_text(wh, S_FILE_DEFER, 1, o.source);
    wh_bind_text(wh, S_FILE_DEFER, 2, o.file);
    if (wh_run_ok(wh, S_FILE_DEFER, "deferring a file") != 0)
        return -1;
    return wh_reject(wh, &o, key ? "item_key" : "item_id", "unknown work item %s",
                     key ? key : id);
}

/* Step `id`, the staged rows whose item is unknown, rejecting each in the
 * order read through reject; their number in *unmatched.  0 or -1 (what
 * names the step in the error). */
static int reject_listed(cw_warehouse *wh, wh_stmt_id id, int (*reject)(cw_warehouse *, cw_stmt *),
                         const char *what, int64_t *unmatched)
{
    cw_stmt *list = wh_stmt(wh, id);
    int rc;
    if (!list)
        return wh_fail(wh, what);
    while ((rc = cw_db_step(list)) == CW_DB_ROW) {
        (*unmatched)++;
        if (reject(wh, list) != 0) {
            cw_db_reset(list);
            return -1;
        }
    }
    if (rc < 0)
        snprintf(wh->err, sizeof(wh->err), "%s", cw_db_errmsg(wh->db));
    cw_db_reset(list);
    return rc < 0 ? wh_fail(wh, what) : 0;
}

/* The statements of one staging table: transitions, Fix Version changes. */
typedef struct staged_kind {
    wh_stmt_id count, attach, unmatched, clear;
    const char *what;
} staged_kind;

static const staged_kind staged_kinds[] = {
    { S_STAGE_COUNT, S_STAGE_ATTACH, S_STAGE_UNMATCHED, S_STAGE_CLEAR, "staged transitions" },
    { S_VERSION_COUNT, S_VERSION_ATTACH, S_VERSION_UNMATCHED, S_VERSION_CLEAR,
      "staged fix version changes" },
};

/* Every record of one kind staged in this batch: those whose item is known
 * by now are attached by one statement (stage_attach), the rest rejected in
 * the order they were read.  Only now are they counted as loaded. */
static int resolve_staged_kind(cw_warehouse *wh, const staged_kind *k)
{
    int64_t staged = 0, unmatched = 0;
    if (wh_run(wh, k->count, &staged) != CW_DB_ROW)
        return wh_fail(wh, k->what);
    if (staged == 0)
        return 0;
    wh->changes = 0;
    if (wh_run_ok(wh, k->attach, k->what) != 0)
        return -1;
    wh->stats.rows_changed += wh->changes;
    if (reject_listed(wh, k->unmatched, reject_unmatched, "listing unknown items", &unmatched) != 0)
        return -1;
    wh->stats.rows_loaded += staged - unmatched;
    return wh_run_ok(wh, k->clear, k->what);
}

static int resolve_staged(cw_warehouse *wh)
{
    for (size_t i = 0; i < sizeof(staged_kinds) / sizeof(staged_kinds[0]); i++)
        if (resolve_staged_kind(wh, &staged_kinds[i]) != 0)
            return -1;
    return 0;
}

/* ------------------------------------------------------------------ work item links */

/* A staged link whose target id names no loaded item: rejected (not
 * deferred: the item's next load brings the link again). */
static int reject_unmatched_link(cw_warehouse *wh, cw_stmt *row)
{
    cw_origin o = { cw_db_column_text(row, 0), cw_db_column_text(row, 1),
                    (long)cw_db_column_int(row, 2) };
    return wh_reject(wh, &o, "target_id", "link of %s names unknown work item id %s",
                     cw_db_column_text(row, 3), cw_db_column_text(row, 4));
}

/* The links staged in this batch replace the links of the items whose
 * records carried them (sink.sql, link_*); only now are they counted. */
static int resolve_links(cw_warehouse *wh)
{
    int64_t staged = 0, links = 0, unmatched = 0;
    if (wh_run(wh, S_LINK_STAGE_COUNT, &staged) != CW_DB_ROW)
        return wh_fail(wh, "counting staged links");
    if (staged == 0)
        return 0;
    if (wh_run(wh, S_LINK_COUNT, &links) != CW_DB_ROW)
        return wh_fail(wh, "counting staged links");
    wh->changes = 0;
    if (wh_run_ok(wh, S_LINK_PRUNE, "replacing work item links") != 0 ||
        wh_run_ok(wh, S_LINK_ATTACH, "replacing work item links") != 0)
        return -1;
    wh->stats.rows_changed += wh->changes;
    if (reject_listed(wh, S_LINK_UNMATCHED, reject_unmatched_link,
                      "listing links to unknown items", &unmatched) != 0)
        return -1;
    wh->stats.rows_loaded += links - unmatched;
    return wh_run_ok(wh, S_LINK_STAGE_CLEAR, "clearing staged links");
}

/* ------------------------------------------------------------------ jobs */

typedef struct job_pattern {
    cw_regex *re;
    int64_t application_id;
} job_pattern;

typedef struct job_rules {
    job_pattern *pattern;
    size_t n;
} job_rules;

static void job_rules_free(job_rules *r)
{
    for (size_t i = 0; i < r->n; i++)
        cw_regex_free(r->pattern[i].re);
    free(r->pattern);
}

/* map_job's patterns in order; -1 on a database error or a bad pattern. */
static int job_rules_load(cw_warehouse *wh, job_rules *r)
{
    cw_stmt *st = wh_stmt(wh, S_JOB_PATTERNS);
    int rc = st ? CW_DB_OK : CW_DB_ERROR;
    size_t cap = 0;
    while (rc == CW_DB_OK && (rc = cw_db_step(st)) == CW_DB_ROW) {
        const char *text = cw_db_column_text(st, 0);
        char err[256];
        cw_regex *re = cw_regex_compile(text ? text : "", 0, err, sizeof(err));
        if (!re) {
            snprintf(wh->err, sizeof(wh->err), "bad pattern '%s': %s", text ? text : "", err);
            rc = CW_DB_ERROR;
            break;
        }
        if (r->n == cap) {
            cap = cap ? 2 * cap : 16;
            r->pattern = cw_xrealloc(r->pattern, cap * sizeof(*r->pattern));
        }
        r->pattern[r->n].re = re;
        r->pattern[r->n++].application_id = cw_db_column_int(st, 1);
        rc = CW_DB_OK;
    }
    if (st)
        cw_db_reset(st);
    return rc < 0 ? wh_fail(wh, "map_job") : 0;
}

/* The application of the first pattern matching subject, 0 when none. */
static int job_match(const job_rules *r, const char *subject, int64_t *app)
{
    *app = 0;
    for (size_t i = 0; i < r->n; i++) {
        int m = cw_regex_match(r->pattern[i].re, subject);
        if (m < 0)
            return -1;
        if (m) {
            *app = r->pattern[i].application_id;
            return 0;
        }
    }
    return 0;
}

static int job_resolve(const job_rules *r, const char *job, int64_t *app)
{
    const char *slash = strrchr(job, '/');
    if (job_match(r, job, app) != 0)
        return -1;
    if (*app == 0 && slash)
        return job_match(r, slash + 1, app);
    return 0;
}

/* The rows of a two-column query (text, id), collected before writing. */
typedef struct rows {
    char **text;
    int64_t *id;
    size_t n, cap;
} rows;

static void rows_free(rows *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->text[i]);
    free(r->text);
    free(r->id);
}

static int rows_load(cw_warehouse *wh, wh_stmt_id id, rows *r)
{
    cw_stmt *st = wh_stmt(wh, id);
    int rc = st ? CW_DB_OK : CW_DB_ERROR;
    while (rc == CW_DB_OK && (rc = cw_db_step(st)) == CW_DB_ROW) {
        const char *text = cw_db_column_text(st, 0);
        if (r->n == r->cap) {
            r->cap = r->cap ? 2 * r->cap : 64;
            r->text = cw_xrealloc(r->text, r->cap * sizeof(*r->text));
            r->id = cw_xrealloc(r->id, r->cap * sizeof(*r->id));
        }
        r->text[r->n] = cw_strdup(text ? text : "");
        r->id[r->n++] = cw_db_column_count(st) > 1 ? cw_db_column_int(st, 1) : 0;
        rc = CW_DB_OK;
    }
    if (st)
        cw_db_reset(st);
    return rc < 0 ? wh_fail(wh, "reading job names") : 0;
}

/* map_job_resolved := every distinct job name with the application its
 * patterns give, writing only the rows that change. */
static int resolve_jobs(cw_warehouse *wh)
{
    job_rules rules = {0};
    rows names = {0}, old = {0};
    cw_strmap *resolved = cw_strmap_new(), *stored = cw_strmap_new();
    int rc = job_rules_load(wh, &rules) == 0 && rows_load(wh, S_JOB_NAMES, &names) == 0 &&
             rows_load(wh, S_JOB_RESOLVED_LIST, &old) == 0 ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < old.n; i++)
        cw_strmap_put(stored, old.text[i], old.id[i]);
    for (size_t i = 0; rc == 0 && i < names.n; i++) {
        int64_t app, had;
        if (job_resolve(&rules, names.text[i], &app) != 0) {
            cw_error("%s: matching job '%s' failed", wh->where, names.text[i]);
            rc = -1;
        } else if (app) {
            cw_strmap_put(resolved, names.text[i], app);
            if (!cw_strmap_get(stored, names.text[i], &had) || had != app) {
                wh_bind_text(wh, S_JOB_RESOLVED_UPSERT, 1, names.text[i]);
                wh_bind_int(wh, S_JOB_RESOLVED_UPSERT, 2, app);
                rc = wh_run_ok(wh, S_JOB_RESOLVED_UPSERT, "map_job_resolved");
            }
        }
    }
    for (size_t i = 0; rc == 0 && i < old.n; i++) {
        if (!cw_strmap_get(resolved, old.text[i], NULL)) {
            wh_bind_text(wh, S_JOB_RESOLVED_DELETE, 1, old.text[i]);
            rc = wh_run_ok(wh, S_JOB_RESOLVED_DELETE, "map_job_resolved");
        }
    }
    cw_strmap_free(resolved);
    cw_strmap_free(stored);
    rows_free(&names);
    rows_free(&old);
    job_rules_free(&rules);
    return rc;
}

/* ------------------------------------------------------------------ incidents from items */

/* [source X] incident_types: the incidents the work items make, kept in
 * step with the items and the configuration (resolve.sql, "Incidents from
 * work items"): those no item makes any more go (with their derived row
 * and findings), the others move with their item and are upserted. */
static int incidents_from_items(cw_warehouse *wh)
{
    rows doomed = {0};
    int rc = rows_load(wh, S_ITEM_INCIDENT_DOOMED, &doomed);
    for (size_t i = 0; rc == 0 && i < doomed.n; i++) {
        wh_bind_int(wh, S_ITEM_INCIDENT_FORGET_DERIVED, 1, doomed.id[i]);
        wh_bind_text(wh, S_ITEM_INCIDENT_FORGET_FINDINGS, 1, doomed.text[i]);
        wh_bind_int(wh, S_ITEM_INCIDENT_DELETE, 1, doomed.id[i]);
        rc = wh_run_ok(wh, S_ITEM_INCIDENT_FORGET_DERIVED, "load/sql/resolve.sql") == 0 &&
             wh_run_ok(wh, S_ITEM_INCIDENT_FORGET_FINDINGS, "load/sql/resolve.sql") == 0 &&
             wh_run_ok(wh, S_ITEM_INCIDENT_DELETE, "load/sql/resolve.sql") == 0 ? 0 : -1;
    }
    rows_free(&doomed);
    if (rc == 0)
        rc = wh_run_ok(wh, S_ITEM_INCIDENT_MOVE, "load/sql/resolve.sql");
    if (rc == 0)
        rc = wh_run_ok(wh, S_ITEM_INCIDENT_UPSERT, "load/sql/resolve.sql");
    return rc;
}

/* ------------------------------------------------------------------ dim_date */

static int64_t floor_day(int64_t t)
{
    return (t - ((t % 86400) + 86400) % 86400) / 86400;
}

static void format_day(int64_t d, char *buf, size_t size)
{
    int y, m, dd;
    cw_civil_from_days(d, &y, &m, &dd);
    snprintf(buf, size, "%04d-%02d-%02d", y, m, dd);
}

/* Append dim_date's row of day d. */
static int date_row(cw_bulk *b, int64_t d)
{
    int64_t m = ((d + 3) % 7 + 7) % 7;          /* days since Monday; 1970-01-01 was a Thursday */
    int64_t thursday = d - m + 3;               /* the ISO year and week are the Thursday's */
    char date[16], week[16], month[16];
    int y, mon, day;
    cw_db_value v[7];
    format_day(d, date, sizeof(date));
    format_day(d - m, week, sizeof(week));
    cw_civil_from_days(d, &y, &mon, &day);
    snprintf(month, sizeof(month), "%04d-%02d-01", y, mon);
    cw_civil_from_days(thursday, &y, &mon, &day);
    v[0] = (cw_db_value){ .type = CW_DB_INT, .i = d };
    v[1] = (cw_db_value){ .type = CW_DB_TEXT, .text = date };
    v[2] = (cw_db_value){ .type = CW_DB_TEXT, .text = week };
    v[3] = (cw_db_value){ .type = CW_DB_TEXT, .text = month };
    v[4] = (cw_db_value){ .type = CW_DB_INT, .i = y };
    v[5] = (cw_db_value){ .type = CW_DB_INT,
                          .i = (thursday - cw_days_from_civil(y, 1, 1)) / 7 + 1 };
    v[6] = (cw_db_value){ .type = CW_DB_INT, .i = m + 1 };
    return cw_db_bulk_row(b, v);
}

static int cmp_day(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* The days of one query's rows (first column) into a sorted array. */
static int days_load(cw_warehouse *wh, wh_stmt_id id, int64_t **out, size_t *n)
{
    cw_stmt *st = wh_stmt(wh, id);
    int rc = st ? CW_DB_OK : CW_DB_ERROR;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    while (rc == CW_DB_OK && (rc = cw_db_step(st)) == CW_DB_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 256;
            *out = cw_xrealloc(*out, cap * sizeof(**out));
        }
        (*out)[(*n)++] = cw_db_column_int(st, 0);
        rc = CW_DB_OK;
    }
    if (st)
        cw_db_reset(st);
    if (rc < 0)
        return wh_fail(wh, "dim_date");
    if (*n)
        qsort(*out, *n, sizeof(**out), cmp_day);
    return 0;
}

static int fill_dates(cw_warehouse *wh)
{
    static const char *const columns[] = { "date_key", "date", "week_start", "month_start",
                                           "iso_year", "iso_week", "weekday" };
    cw_stmt *st = wh_stmt(wh, wh->tracking ? S_DATE_BOUNDS_TOUCHED : S_DATE_BOUNDS);
    int64_t lo = 0, hi = -1, *known = NULL, *wanted = NULL;
    size_t n_known = 0, n_wanted = 0;
    cw_bulk *bulk = NULL;
    int rc = st ? cw_db_step(st) : CW_DB_ERROR;

    if (rc == CW_DB_ROW && cw_db_column_type(st, 0) != CW_DB_NULL) {
        int64_t a = floor_day(cw_db_column_int(st, 0)), b = floor_day(cw_db_column_int(st, 1));
        lo = a < DAY_MIN ? DAY_MIN : a;
        hi = b > DAY_MAX ? DAY_MAX : b;
    }
    if (st)
        cw_db_reset(st);
    if (rc < 0)
        return wh_fail(wh, "dim_date");
    if (lo > hi)
        return 0;               /* no facts with an instant */
    if (hi - lo > DENSE_DAYS && days_load(wh, S_DATE_REFERENCED, &wanted, &n_wanted) != 0)
        return -1;
    wh_bind_int(wh, S_DATE_KNOWN, 1, lo);
    wh_bind_int(wh, S_DATE_KNOWN, 2, hi);
    if (days_load(wh, S_DATE_KNOWN, &known, &n_known) != 0) {
        free(wanted);
        return -1;
    }
    rc = CW_DB_OK;
    for (int64_t i = 0, d; rc == CW_DB_OK; i++) {
        if (wanted) {
            if ((size_t)i >= n_wanted)
                break;
            d = wanted[i];
            if (d < DAY_MIN || d > DAY_MAX)
                continue;
        } else if ((d = lo + i) > hi) {
            break;
        }
        if (n_known && bsearch(&d, known, n_known, sizeof(*known), cmp_day))
            continue;
        if (!bulk)
            rc = cw_db_bulk_begin(wh->db, "dim_date", columns, 7, &bulk);
        if (rc == CW_DB_OK)
            rc = date_row(bulk, d);
    }
    if (rc != CW_DB_OK)
        snprintf(wh->err, sizeof(wh->err), "%s", cw_db_errmsg(wh->db));
    if (bulk && cw_db_bulk_end(bulk) != CW_DB_OK && rc == CW_DB_OK) {
        snprintf(wh->err, sizeof(wh->err), "%s", cw_db_errmsg(wh->db));
        rc = CW_DB_ERROR;
    }
    free(known);
    free(wanted);
    return rc == CW_DB_OK ? 0 : wh_fail(wh, "dim_date");
}

/* ------------------------------------------------------------------ resolve */

/* What follows a build's application: its checkouts, deployment statuses
 * and deployments (resolve.sql), after the builds themselves. */
static int follow_builds(cw_warehouse *wh)
{
    static const wh_stmt_id follow[] = { S_BUILD_APPLICATION, S_BUILD_REVISION_APPLICATION,
                                         S_DEPLOYMENT_STATUS_APPLICATION,
                                         S_DEPLOYMENT_FOLLOW_BUILD };
    for (size_t i = 0; i < sizeof(follow) / sizeof(follow[0]); i++)
        if (wh_run_ok(wh, follow[i], "load/sql/resolve.sql") != 0)
            return -1;
    return 0;
}

/* Every fact to the application its configuration mirrors give (the
 * *_application statements of resolve.sql, parents before the facts that
 * follow them).  Run by cw_wh_sync_config when a mirror changed, before
 * records load, and by the step that upgrades to schema version 3. */
int wh_reattach(cw_warehouse *wh)
{
    static const wh_stmt_id before_jobs[] = { S_WORK_ITEM_APPLICATION, S_TRANSITION_APPLICATION,
                                           S_VERSION_APPLICATION, S_LINK_APPLICATION,
                                           S_COMMIT_APPLICATION, S_PULL_REQUEST_APPLICATION,
                                           S_PULL_REQUEST_COMMIT_FOLLOW,
                                           S_PULL_REQUEST_COMMIT_APPLICATION,
                                           S_PULL_REQUEST_REVIEW_APPLICATION,
                                           S_INCIDENT_APPLICATION };
    for (size_t i = 0; i < sizeof(before_jobs) / sizeof(before_jobs[0]); i++)
        if (wh_run_ok(wh, before_jobs[i], "load/sql/resolve.sql") != 0)
            return -1;
    return resolve_jobs(wh) != 0 ? -1 : follow_builds(wh);
}

/*
 * After loading, only what loading can have left unattached moves.  The
 * mirrors are as cw_wh_sync_config left them, and every upsert computed its
 * row's application from them, so work items, transitions, commits and pull
 * requests are where they belong: re-checking them would read every fact
 * row on every batch.  What can still move:
 *  - an incident whose record was older than its row (the upsert kept the
 *    row's service, incident_move had followed the record's);
 *  - builds of a job name this batch brought (loaded under no application
 *    until the name is resolved), and what follows builds: their checkouts,
 *    deployment statuses and deployments.  Only when map_job_resolved
 *    changed.
 */
static int reattach_loaded(cw_warehouse *wh)
{
    if (wh_run_ok(wh, S_INCIDENT_APPLICATION, "load/sql/resolve.sql") != 0)
        return -1;
    wh->changes = 0;
    if (resolve_jobs(wh) != 0)
        return -1;
    return wh->changes == 0 ? 0 : follow_builds(wh);
}

int cw_wh_resolve(cw_warehouse *wh)
{
    cw_killpoint("resolve");
    if (wh_stage_flush(wh) != 0 || resolve_staged(wh) != 0 || resolve_links(wh) != 0 ||
        wh_run_ok(wh, S_DEPLOYMENT_FINISH, "load/sql/resolve.sql") != 0 ||
        reattach_loaded(wh) != 0 || incidents_from_items(wh) != 0 ||
        wh_run_ok(wh, S_DEPLOYMENT_FROM_STATUS, "load/sql/resolve.sql") != 0 ||
        wh_run_ok(wh, S_PULL_REQUEST_COMMIT_PRUNE, "load/sql/resolve.sql") != 0 ||
        wh_run_ok(wh, S_PULL_REQUEST_COMMIT_FILL, "load/sql/resolve.sql") != 0)
        return -1;
    return fill_dates(wh);
}
