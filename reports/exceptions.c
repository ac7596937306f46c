/*
 * exceptions.c - gathering the exceptions digest (exceptions.h) from the
 * warehouse: the candidates of each kind at an instant T, their baselines,
 * and the report's top N (cw_report_gather_exceptions).
 *
 * The SQL is reports/sql/exceptions_flow.sql and exceptions_delivery.sql
 * (named statements, bound parameters only); the rules -- when a candidate
 * fires, its score, the order -- are exceptions_rank.c's, and every p85 and
 * median is levels.c's (cw_percentile, cw_median), so nothing here decides
 * a number on its own.  DORA levels come from cw_metrics_weekly's
 * summaries, the same code that rates the report's summary table.
 *
 * Read-only: plain SELECTs on the reader's connection, nothing created.
 */
#include "exceptions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"
#include "../core/sqlset.h"
#include "../core/time.h"
#include "../core/util.h"
#include "headline.h"
#include "metrics.h"
#include "report.h"

static const char *const sql_files[] = {
    "reports/sql/exceptions_flow.sql", "reports/sql/exceptions_delivery.sql",
};

#define HOUR_S 3600.0
#define DAY_S 86400.0
#define PCT 85.0

typedef struct gather {
    cw_db *db;
    const cw_config *cfg;
    const cw_exceptions_query *q;
    cw_exception_rules rules;
    cw_sqlset *sql;
    cw_report *r;
    char **gated;               /* item keys listed as gate_wait (not aging_wip too) */
    size_t n_gated, cap_gated;
} gather;

/* ------------------------------------------------------------ helpers */

static char *col_dup(cw_stmt *st, int col)
{
    return cw_strdup(cw_db_column_text(st, col));
}

/* "0.95 hours" below 10 hours (a band edge is 1 hour, so two decimals),
 * "25.3 hours" below the headline's days threshold (headline.h: 48 hours),
 * "3.2 days" from there on. */
static void format_duration(double seconds, char *buf, size_t size)
{
    if (seconds < 10 * HOUR_S)
        snprintf(buf, size, "%.2f hours", seconds / HOUR_S);
    else if (!cw_report_duration_in_days(seconds / HOUR_S))
        snprintf(buf, size, "%.1f hours", seconds / HOUR_S);
    else
        snprintf(buf, size, "%.1f days", seconds / DAY_S);
}

/* The Jira browse URL of an item loaded by source `source`, when that
 * source is a Jira one with a base_url; else NULL.  Caller frees. */
static char *item_url(const gather *g, const char *source, const char *key)
{
    const cw_source *src = NULL;
    const char *base;
    size_t len;
    for (size_t i = 0; g->cfg && source && i < g->cfg->n_sources; i++)
        if (strcmp(g->cfg->sources[i].name, source) == 0)
            src = &g->cfg->sources[i];
    if (!src || !src->type || strncmp(src->type, "jira", 4) != 0 || !key)
        return NULL;
    base = cw_source_get(src, "base_url");
    if (cw_str_empty(base))
        return NULL;
    len = strlen(base);
    while (len > 0 && base[len - 1] == '/')
        len--;
    return cw_asprintf("%.*s/browse/%s", (int)len, base, key);
}

/* A named statement with ?1 .. ?n bound to params; NULL (logged) on error. */
static cw_stmt *prepare(gather *g, const char *name, const int64_t *params, int n)
{
    const char *sql = cw_sqlset_get(g->sql, name);
    cw_stmt *st = NULL;
    if (!sql) {
        cw_error("exceptions: no statement %s", name);
        return NULL;
    }
    if (cw_db_prepare(g->db, sql, &st) != CW_DB_OK) {
        cw_error("exceptions: %s: %s", name, cw_db_errmsg(g->db));
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (cw_db_bind_int(st, i + 1, params[i]) != CW_DB_OK) {
            cw_error("exceptions: %s: %s", name, cw_db_errmsg(g->db));
            cw_db_finalize(st);
            return NULL;
        }
    return st;
}

/* The end of stepping a statement: 0 when it ran to the end, else -1. */
static int finish(gather *g, cw_stmt *st, int rc, const char *name)
{
    if (rc != CW_DB_DONE)
        cw_error("exceptions: %s: %s", name, cw_db_errmsg(g->db));
    cw_db_finalize(st);
    return rc == CW_DB_DONE ? 0 : -1;
}

/* Append one entry, when it passes the query's team and application
 * filters and its score is above 0 (a kind weighted 0 is never listed).
 * 1 when it was appended. */
static int emit(gather *g, const cw_report_exception *e, const char *application, double x)
{
    cw_report_exception c = *e;
    cw_exception_kind kind;
    if (g->q->team && (!e->owner_team || strcmp(g->q->team, e->owner_team) != 0))
        return 0;
    if (g->q->application && (!application || strcmp(g->q->application, application) != 0))
        return 0;
    if (cw_exception_kind_parse(e->kind, &kind) != 0)
        return 0;
    c.score = cw_exception_score(&g->rules, kind, x);
    if (isnan(c.score) || c.score <= 0)
        return 0;
    cw_report_add_exception(g->r, &c);
    return 1;
}

/* ------------------------------------------------------------ baselines */

/* The p85 (or median) of each group's samples: application or gate. */
typedef struct baseline {
    char *name;
    double value;               /* seconds */
    long n;
} baseline;

typedef struct baselines {
    baseline *v;
    size_t n, cap;
} baselines;

typedef struct sample {
    char *name;
    double value;
} sample;

static int compare_sample(const void *a, const void *b)
{
    const sample *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->value > y->value) - (x->value < y->value);
}

static int compare_baseline(const void *a, const void *b)
{
    return strcmp(((const baseline *)a)->name, ((const baseline *)b)->name);
}

static void baselines_free(baselines *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->v[i].name);
    free(b->v);
    memset(b, 0, sizeof *b);
}

/* Group sorted samples by name into b: each group's percentile pct. */
static void group_samples(sample *s, size_t n, double pct, baselines *b)
{
    double *values = cw_xcalloc(n + 1, sizeof *values);
    qsort(s, n, sizeof *s, compare_sample);
    for (size_t i = 0, j; i < n; i = j) {
        size_t k = 0;
        for (j = i; j < n && strcmp(s[j].name, s[i].name) == 0; j++)
            values[k++] = s[j].value;
        b->v = cw_grow(b->v, &b->cap, b->n + 1, sizeof *b->v);
        b->v[b->n++] = (baseline){ cw_strdup(s[i].name), cw_percentile(values, k, pct), (long)k };
    }
    free(values);
}

/* A baseline statement's rows (group, seconds) into per-group p85s, over
 * [T - 90 days, T). */
static int baselines_load(gather *g, const char *name, baselines *out)
{
    int64_t params[2] = { g->q->as_of, g->q->as_of - CW_EXCEPTION_HISTORY_S };
    cw_stmt *st = prepare(g, name, params, 2);
    sample *s = NULL;
    size_t n = 0, cap = 0;
    int rc;
    memset(out, 0, sizeof *out);
    if (!st)
        return -1;
    while ((rc = cw_db_step(st)) == CW_DB_ROW) {
        const char *group = cw_db_column_text(st, 0);
        if (!group || cw_db_column_type(st, 1) == CW_DB_NULL)
            continue;
        s = cw_grow(s, &cap, n + 1, sizeof *s);
        s[n++] = (sample){ cw_strdup(group), (double)cw_db_column_int(st, 1) };
    }
    rc = finish(g, st, rc, name);
    if (rc == 0 && n > 0)
        group_samples(s, n, PCT, out);
    for (size_t i = 0; i < n; i++)
        free(s[i].name);
    free(s);
    return rc;
}

static const baseline *baseline_find(const baselines *b, const char *name)
{
    baseline key = { (char *)name, 0, 0 };
    if (!name || b->n == 0)
        return NULL;
    return bsearch(&key, b->v, b->n, sizeof *b->v, compare_baseline);
}

/* The group's threshold when it rests on enough samples, else NAN. */
static double threshold_of(const gather *g, const baselines *b, const char *name, long *n)
{
    const baseline *x = baseline_find(b, name);
    *n = x ? x->n : 0;
    return x && cw_exception_enough(&g->rules, x->n) ? x->value : NAN;
}

/* ------------------------------------------------------------ gate wait, aging WIP */

static int compare_keys(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Listed as a gate wait (g->gated is sorted once the gate waits are in). */
static int was_gated(const gather *g, const char *key)
{
    return key && g->n_gated > 0 &&
           bsearch(&key, g->gated, g->n_gated, sizeof *g->gated, compare_keys) != NULL;
}

static void gate_entry(gather *g, cw_stmt *st, const baselines *b)
{
    char *key = col_dup(st, 0), *app = col_dup(st, 1), *team = col_dup(st, 2);
    char *owner = col_dup(st, 3), *source = col_dup(st, 4), *gate = col_dup(st, 5);
    char *stakeholder = col_dup(st, 6), *url, reason[512], wait_s[32], p85_s[32];
    int64_t since = cw_db_column_int(st, 7);
    double wait = (double)(g->q->as_of - since);
    long n;
    double p85 = threshold_of(g, b, gate, &n);
    if (key && cw_exception_fires(wait, p85)) {
        cw_report_exception e = { "gate_wait", "application", app, key, since, 0, team, owner,
                                  reason, NULL };
        format_duration(wait, wait_s, sizeof wait_s);
        format_duration(p85, p85_s, sizeof p85_s);
        snprintf(reason, sizeof reason, "waiting at %s (%s) for %s; the gate's p85 is %s "
                 "(%ld items, 90 days)", gate, stakeholder ? stakeholder : "?", wait_s, p85_s, n);
        e.url = url = item_url(g, source, key);
        if (emit(g, &e, app, cw_exception_ratio(wait, p85))) {
            g->gated = cw_grow(g->gated, &g->cap_gated, g->n_gated + 1, sizeof *g->gated);
            g->gated[g->n_gated++] = cw_strdup(key);
        }
        free(url);
    }
    free(key); free(app); free(team); free(owner); free(source); free(gate); free(stakeholder);
}

static int gather_gate_wait(gather *g)
{
    baselines b;
    cw_stmt *st;
    int rc;
    if (baselines_load(g, "gate_wait_baseline", &b) != 0)
        return -1;
    /* v_gate_time names the gate as configured (map_gate), as the
     * candidates do */
    st = prepare(g, "gate_wait_candidates", &g->q->as_of, 1);
    if (!st) {
        baselines_free(&b);
        return -1;
    }
    while ((rc = cw_db_step(st)) == CW_DB_ROW)
        gate_entry(g, st, &b);
    baselines_free(&b);
    if (g->n_gated > 1)
        qsort(g->gated, g->n_gated, sizeof *g->gated, compare_keys);
    return finish(g, st, rc, "gate_wait_candidates");
}

static void aging_entry(gather *g, cw_stmt *st, const baselines *b)
{
    char *key = col_dup(st, 0), *app = col_dup(st, 1), *team = col_dup(st, 2);
    char *owner = col_dup(st, 3), *source = col_dup(st, 4), *status = col_dup(st, 5);
    char *url, reason[512], age_s[32], p85_s[32];
    int64_t start = cw_db_column_int(st, 6);
    double age = (double)(g->q->as_of - start);
    long n;
    double p85 = threshold_of(g, b, app, &n);
    if (key && !was_gated(g, key) && cw_exception_fires(age, p85)) {
        cw_report_exception e = { "aging_wip", "application", app, key, start, 0, team, owner,
                                  reason, NULL };
        format_duration(age, age_s, sizeof age_s);
        format_duration(p85, p85_s, sizeof p85_s);
        snprintf(reason, sizeof reason, "in progress for %s (now %s); the p85 cycle time of %s "
                 "is %s (%ld items, 90 days)", age_s, status ? status : "?", app, p85_s, n);
        e.url = url = item_url(g, source, key);
        emit(g, &e, app, cw_exception_ratio(age, p85));
        free(url);
    }
    free(key); free(app); free(team); free(owner); free(source); free(status);
}

static int gather_aging_wip(gather *g)
{
    baselines b;
    cw_stmt *st;
    int rc;
    if (baselines_load(g, "aging_wip_baseline", &b) != 0)
        return -1;
    st = prepare(g, "aging_wip_candidates", &g->q->as_of, 1);
    if (!st) {
        baselines_free(&b);
        return -1;
    }
    while ((rc = cw_db_step(st)) == CW_DB_ROW)
        aging_entry(g, st, &b);
    baselines_free(&b);
    return finish(g, st, rc, "aging_wip_candidates");
}

/* ------------------------------------------------------------ open incidents */

static void incident_entry(gather *g, cw_stmt *st, const baselines *b)
{
    char *number = col_dup(st, 0), *app = col_dup(st, 1), *team = col_dup(st, 2);
    char *title = col_dup(st, 3), *severity = col_dup(st, 4), *source = col_dup(st, 6);
    char *url, reason[512], age_s[32], p85_s[32];
    int64_t created = cw_db_column_int(st, 5);
    double age = (double)(g->q->as_of - created);
    long n;
    double p85 = threshold_of(g, b, app, &n);
    if (number && cw_exception_fires(age, p85)) {
        cw_report_exception e = { "open_incident", "application", app, number, created, 0,
                                  team, NULL, reason, NULL };
        format_duration(age, age_s, sizeof age_s);
        format_duration(p85, p85_s, sizeof p85_s);
        snprintf(reason, sizeof reason, "open for %s%s%s; the p85 time to restore of %s is %s "
                 "(%ld incidents, 90 days)%s%.120s", age_s, severity ? ", severity " : "",
                 severity ? severity : "", app, p85_s, n, title ? ": " : "", title ? title : "");
        e.url = url = item_url(g, source, number);
        emit(g, &e, app, cw_exception_ratio(age, p85));
        free(url);
    }
    free(number); free(app); free(team); free(title); free(severity); free(source);
}

static int gather_open_incidents(gather *g)
{
    baselines b;
    cw_stmt *st;
    int rc;
    if (baselines_load(g, "open_incident_baseline", &b) != 0)
        return -1;
    st = prepare(g, "open_incident_candidates", &g->q->as_of, 1);
    if (!st) {
        baselines_free(&b);
        return -1;
    }
    while ((rc = cw_db_step(st)) == CW_DB_ROW)
        incident_entry(g, st, &b);
    baselines_free(&b);
    return finish(g, st, rc, "open_incident_candidates");
}

/* ------------------------------------------------------------ stalled pipelines */

/* One application's successful production deployments, in order. */
typedef struct pipeline {
    char *app, *team, *job, *url;
    int64_t last;               /* the last one's finish */
    long number;                /* the last one's run number */
    double *gaps;
    size_t n_gaps, cap_gaps;
    int64_t prev;               /* the previous one in the history, 0: none yet */
} pipeline;

static void pipeline_reset(pipeline *p)
{
    free(p->app); free(p->team); free(p->job); free(p->url); free(p->gaps);
    memset(p, 0, sizeof *p);
}

static void pipeline_judge(gather *g, pipeline *p)
{
    double median, threshold, stall;
    char reason[512], stall_s[32], median_s[32], threshold_s[32];
    if (!p->app || !cw_exception_enough(&g->rules, (long)p->n_gaps))
        return;
    median = cw_median(p->gaps, p->n_gaps);
    threshold = cw_exception_stall_threshold(median);
    stall = (double)(g->q->as_of - p->last);
    if (!cw_exception_fires(stall, threshold))
        return;
    format_duration(stall, stall_s, sizeof stall_s);
    format_duration(median, median_s, sizeof median_s);
    format_duration(threshold, threshold_s, sizeof threshold_s);
    snprintf(reason, sizeof reason, "no successful production deployment for %s; the median gap "
             "is %s (%zu gaps, 90 days), threshold %s; last: %s #%ld", stall_s, median_s,
             p->n_gaps, threshold_s, p->job ? p->job : "?", p->number);
    {
        cw_report_exception e = { "stalled_pipeline", "application", p->app,
                                  p->job ? p->job : p->app, p->last, 0, p->team, NULL, reason,
                                  p->url };
        emit(g, &e, p->app, cw_exception_ratio(stall, threshold));
    }
}

static void pipeline_add(pipeline *p, cw_stmt *st)
{
    int64_t at = cw_db_column_int(st, 2);
    if (cw_db_column_int(st, 6) == 1) {
        if (p->prev) {
            p->gaps = cw_grow(p->gaps, &p->cap_gaps, p->n_gaps + 1, sizeof *p->gaps);
            p->gaps[p->n_gaps++] = (double)(at - p->prev);
        }
        p->prev = at;
    }
    p->last = at;
    free(p->job);
    free(p->url);
    p->job = col_dup(st, 3);
    p->number = (long)cw_db_column_int(st, 4);
    p->url = col_dup(st, 5);
}

static int gather_stalled(gather *g)
{
    int64_t params[2] = { g->q->as_of, g->q->as_of - CW_EXCEPTION_HISTORY_S };
    cw_stmt *st = prepare(g, "stalled_pipeline_deployments", params, 2);
    pipeline p = {0};
    int rc;
    if (!st)
        return -1;
    while ((rc = cw_db_step(st)) == CW_DB_ROW) {
        const char *app = cw_db_column_text(st, 0);
        if (!app)
            continue;
        if (!p.app || strcmp(p.app, app) != 0) {
            pipeline_judge(g, &p);
            pipeline_reset(&p);
            p.app = cw_strdup(app);
            p.team = col_dup(st, 1);
        }
        pipeline_add(&p, st);
    }
    if (rc == CW_DB_DONE)
        pipeline_judge(g, &p);
    pipeline_reset(&p);
    return finish(g, st, rc, "stalled_pipeline_deployments");
}

/* ------------------------------------------------------------ releases at risk */

static void release_entry(gather *g, cw_stmt *st)
{
    char *project = col_dup(st, 0), *name = col_dup(st, 1), *app = col_dup(st, 2);
    char *team = col_dup(st, 3), *dep_project = col_dup(st, 7), *dep_name = col_dup(st, 8);
    char *subject, reason[512], planned_s[16], p85_s[16];
    int64_t planned = cw_db_column_int(st, 4), p85 = cw_db_column_int(st, 5);
    long remaining = (long)cw_db_column_int(st, 6);
    double days_late = (double)(p85 - planned) / DAY_S;
    size_t len;
    subject = cw_asprintf("%s %s", project ? project : "", name ? name : "");
    cw_time_format_date(planned, planned_s, sizeof planned_s);
    cw_time_format_date(p85, p85_s, sizeof p85_s);
    snprintf(reason, sizeof reason, "P85 %s is %.0f days after the planned %s; %ld items remaining",
             p85_s, days_late > 0 ? days_late : 0, planned_s, remaining);
    len = strlen(reason);
    /* what drives the date: the critical dependency (without one the
     * forecast's own reason says what the sentence above says) */
    if (dep_name)
        snprintf(reason + len, sizeof reason - len, "; critical dependency %s %s",
                 dep_project ? dep_project : "", dep_name);
    {
        cw_report_exception e = { "release_at_risk", "release", subject, subject,
                                  cw_db_column_int(st, 10), 0, team, NULL, reason, NULL };
        emit(g, &e, app, days_late);
    }
    free(project); free(name); free(app); free(team); free(dep_project); free(dep_name);
    free(subject);
}

static int gather_releases(gather *g)
{
    int64_t at = g->q->forecasts_at ? g->q->forecasts_at : g->q->as_of;
    cw_stmt *st = prepare(g, "release_at_risk", &at, 1);
    int rc;
    if (!st)
        return -1;
    while ((rc = cw_db_step(st)) == CW_DB_ROW)
        release_entry(g, st);
    return finish(g, st, rc, "release_at_risk");
}

/* ------------------------------------------------------------ DORA regressions */

enum { HALF_PRIOR, HALF_RECENT, N_HALVES };

/* The four keys as a regression reads them: which summary fields, which
 * v_events kind counts its samples, and whether the later half needs them
 * too (not for deployment frequency: no deployment is a measurement). */
typedef struct dora_key {
    const char *name;           /* the subject */
    const char *label;
    const char *unit;           /* for the reason: "deploy days", "h", "%" */
    size_t value_offset;        /* double field of cw_dora_summary the level rates */
    size_t level_offset;        /* its cw_level field */
    const char *samples_kind;
    int recent_needs_samples;
} dora_key;

/* Deployment frequency is rated on the median deploy days per week (and
 * per month below 1 a week): the reason shows the weekly median, the
 * figure the bands read first. */
static const dora_key dora_keys[] = {
    { "deployment_frequency", "deployment frequency", "deploy days",
      offsetof(cw_dora_summary, weekly_median_deploy_days),
      offsetof(cw_dora_summary, deploy_level), "deploy", 0 },
    { "lead_time", "lead time", "h", offsetof(cw_dora_summary, lead_time_median_h),
      offsetof(cw_dora_summary, lead_time_level), "lead_time", 1 },
    { "change_failure_rate", "change failure rate", "%",
      offsetof(cw_dora_summary, change_failure_rate), offsetof(cw_dora_summary, cfr_level),
      "deploy", 1 },
    { "restore", "time to restore", "h", offsetof(cw_dora_summary, restore_median_h),
      offsetof(cw_dora_summary, restore_level), "restore", 1 },
};
#define N_DORA_KEYS (sizeof dora_keys / sizeof dora_keys[0])

/* One application or team over both halves. */
typedef struct dora_member {
    char *name, *team;          /* team: an application's owner (NULL for a team) */
    cw_scope scope;
    int seen[N_HALVES];
    double value[N_HALVES][N_DORA_KEYS];
    cw_level level[N_HALVES][N_DORA_KEYS];
    long samples[N_HALVES][N_DORA_KEYS];
    long apps;                  /* a team's applications */
} dora_member;

typedef struct dora_set {
    dora_member *m;
    size_t n, cap;
    int half;                   /* the half being read */
} dora_set;

static dora_member *dora_find(dora_set *s, cw_scope scope, const char *name, int add)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->m[i].scope == scope && strcmp(s->m[i].name, name) == 0)
            return &s->m[i];
    if (!add)
        return NULL;
    s->m = cw_grow(s->m, &s->cap, s->n + 1, sizeof *s->m);
    memset(&s->m[s->n], 0, sizeof s->m[s->n]);
    s->m[s->n].name = cw_strdup(name);
    s->m[s->n].scope = scope;
    return &s->m[s->n++];
}

static int on_summary(void *ctx, const cw_dora_summary *row)
{
    dora_set *s = ctx;
    dora_member *m;
    if (row->scope == CW_SCOPE_ORG || !row->name)
        return 0;
    m = dora_find(s, row->scope, row->name, 1);
    if (row->scope == CW_SCOPE_APPLICATION && !m->team && row->team)
        m->team = cw_strdup(row->team);
    m->seen[s->half] = 1;
    for (size_t k = 0; k < N_DORA_KEYS; k++) {
        cw_level level;
        memcpy(&m->value[s->half][k], (const char *)row + dora_keys[k].value_offset,
               sizeof(double));
        memcpy(&level, (const char *)row + dora_keys[k].level_offset, sizeof level);
        m->level[s->half][k] = level;
    }
    return 0;
}

/* Samples per application and half (dora_samples), summed into teams. */
static int dora_samples(gather *g, dora_set *s)
{
    int64_t t = g->q->as_of;
    int64_t params[3] = { t, t - CW_EXCEPTION_TREND_S, t - 2 * CW_EXCEPTION_TREND_S };
    cw_stmt *st = prepare(g, "dora_samples", params, 3);
    int rc;
    if (!st)
        return -1;
    while ((rc = cw_db_step(st)) == CW_DB_ROW) {
        const char *app = cw_db_column_text(st, 0), *kind = cw_db_column_text(st, 1);
        int half = cw_db_column_int(st, 2) == 1 ? HALF_RECENT : HALF_PRIOR;
        long count = (long)cw_db_column_int(st, 3);
        dora_member *m = app ? dora_find(s, CW_SCOPE_APPLICATION, app, 0) : NULL;
        dora_member *team = m && m->team ? dora_find(s, CW_SCOPE_TEAM, m->team, 0) : NULL;
        for (size_t k = 0; m && kind && k < N_DORA_KEYS; k++)
            if (strcmp(dora_keys[k].samples_kind, kind) == 0) {
                m->samples[half][k] += count;
                if (team)
                    team->samples[half][k] += count;
            }
    }
    return finish(g, st, rc, "dora_samples");
}

static void format_key_value(const dora_key *k, double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "no data");
    else if (strcmp(k->unit, "%") == 0)
        snprintf(buf, size, "%.1f %%", 100.0 * v);
    else if (strcmp(k->unit, "h") == 0)
        format_duration(v * HOUR_S, buf, size);
    else
        snprintf(buf, size, "median %.1f %s a week", v, k->unit);
}

static void dora_judge(gather *g, const dora_member *m, size_t k)
{
    const dora_key *key = &dora_keys[k];
    cw_level prior = m->level[HALF_PRIOR][k], recent = m->level[HALF_RECENT][k];
    long n_prior = m->samples[HALF_PRIOR][k], n_recent = m->samples[HALF_RECENT][k];
    char reason[512], before[48], after[48];
    const char *noun = strcmp(key->samples_kind, "deploy") == 0 ? "deployments"
                       : strcmp(key->samples_kind, "lead_time") == 0 ? "commits" : "incidents";
    if (prior == CW_LEVEL_NONE || recent == CW_LEVEL_NONE || recent >= prior)
        return;
    if (!cw_exception_enough(&g->rules, n_prior) ||
        (key->recent_needs_samples && !cw_exception_enough(&g->rules, n_recent)))
        return;
    format_key_value(key, m->value[HALF_PRIOR][k], before, sizeof before);
    format_key_value(key, m->value[HALF_RECENT][k], after, sizeof after);
    snprintf(reason, sizeof reason, "%s fell from %s to %s: %s (%ld %s) in the 4 weeks before, "
             "%s (%ld %s) in the last 4", key->label, cw_level_name(prior),
             cw_level_name(recent), before, n_prior, noun, after, n_recent, noun);
    {
        const char *team = m->scope == CW_SCOPE_TEAM ? m->name : m->team;
        cw_report_exception e = { "dora_regression", cw_scope_name(m->scope), m->name,
                                  key->name, g->q->as_of - CW_EXCEPTION_TREND_S, 0, team, NULL,
                                  reason, NULL };
        emit(g, &e, m->scope == CW_SCOPE_APPLICATION ? m->name : NULL,
             (double)(prior - recent));
    }
}

static void dora_set_free(dora_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->m[i].name);
        free(s->m[i].team);
    }
    free(s->m);
}

static int ignore_row(void *ctx, cw_scope scope, const cw_metric_row *row)
{
    (void)ctx;
    (void)scope;
    (void)row;
    return 0;
}

static int gather_dora(gather *g)
{
    int64_t t = g->q->as_of;
    dora_set s = {0};
    /* cw_metrics_weekly rates every scope of a window from one statement
     * (cw_dora_summaries reads one per scope); its week rows are not needed */
    cw_weekly_fns fns = { ignore_row, on_summary, &s, NULL };   /* the organisation is not rated here */
    int rc;
    s.half = HALF_PRIOR;
    rc = cw_metrics_weekly(g->db, t - 2 * CW_EXCEPTION_TREND_S, t - CW_EXCEPTION_TREND_S, &fns);
    s.half = HALF_RECENT;
    if (rc == 0)
        rc = cw_metrics_weekly(g->db, t - CW_EXCEPTION_TREND_S, t, &fns);
    /* a team's regression is its application's when it has only one */
    for (size_t i = 0; rc == 0 && i < s.n; i++) {
        dora_member *team = s.m[i].team ? dora_find(&s, CW_SCOPE_TEAM, s.m[i].team, 0) : NULL;
        if (team)
            team->apps++;
    }
    if (rc == 0)
        rc = dora_samples(g, &s);
    for (size_t i = 0; rc == 0 && i < s.n; i++) {
        if (!s.m[i].seen[HALF_PRIOR] || !s.m[i].seen[HALF_RECENT] ||
            (s.m[i].scope == CW_SCOPE_TEAM && s.m[i].apps < 2))
            continue;
        for (size_t k = 0; k < N_DORA_KEYS; k++)
            dora_judge(g, &s.m[i], k);
    }
    dora_set_free(&s);
    return rc == 0 ? 0 : -1;
}

/* ------------------------------------------------------------ the digest */

int cw_exceptions_collect(cw_db *db, const cw_config *cfg, const cw_exceptions_query *q,
                          cw_report *r)
{
    gather g = { .db = db, .cfg = cfg, .q = q, .sql = cw_sqlset_new(), .r = r };
    int rc = 0;
    size_t first = r->exec.n_exceptions;
    cw_exception_rules_init(&g.rules, cfg);
    for (size_t i = 0; i < sizeof sql_files / sizeof sql_files[0] && rc == 0; i++)
        rc = cw_sqlset_load(g.sql, sql_files[i]);
    /* gate waits first: an item listed there is not aging WIP too */
    if (rc == 0)
        rc = gather_gate_wait(&g);
    if (rc == 0)
        rc = gather_aging_wip(&g);
    if (rc == 0)
        rc = gather_releases(&g);
    if (rc == 0)
        rc = gather_open_incidents(&g);
    if (rc == 0)
        rc = gather_dora(&g);
    if (rc == 0)
        rc = gather_stalled(&g);
    for (size_t i = 0; i < g.n_gated; i++)
        free(g.gated[i]);
    free(g.gated);
    cw_sqlset_free(g.sql);
    cw_exceptions_rank(r->exec.exceptions + first, r->exec.n_exceptions - first);
    return rc == 0 ? 0 : -1;
}

int cw_report_gather_exceptions(cw_db *db, cw_report *r)
{
    /* the window's end is T; the forecasts are the report's as of now
     * (its as-of instant), as the Forecasts sheet and the model show them:
     * a forecast made since the window ended is the current one */
    cw_exceptions_query q = { r->to, r->exec.team_slice, NULL, cw_now() };
    cw_exception_rules rules;
    cw_exception_rules_init(&rules, r->exec.cfg);
    if (cw_exceptions_collect(db, r->exec.cfg, &q, r) != 0)
        return -1;
    if (r->exec.n_exceptions > rules.top)
        r->exec.n_exceptions = rules.top;   /* the strings stay interned in r */
    return 0;
}
