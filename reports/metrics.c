/*
 * metrics.c - metric rows and DORA summaries (metrics.md) from the warehouse.
 *
 * The metric logic is SQL, embedded from reports/sql/:
 *   views.sql            the per-event views (v_deployments_prod, v_lead_time,
 *                        v_incidents, v_flow_items, ...) analysts query too
 *   metrics_setup.sql    TEMP tables: the periods, the members (applications,
 *                        teams or the organisation) and their applications
 *   metrics_period_days.sql  the days each period touches (the join key)
 *   metrics_members.sql  fills the members for one scope
 *   metrics_counts.sql   every count and sum per (member, period)
 *   metrics_samples.sql  the values behind medians and percentiles
 * This file fills the periods, runs the queries into a grid of rows (members
 * x periods, so every period appears even when nothing happened), and turns
 * the samples into medians and percentiles with cw_median / cw_percentile.
 *
 * The same grid serves the DORA summary: its "periods" are the window, the
 * last 4 weeks, the 4 weeks before, and the window's weeks and months (they
 * may overlap; each is counted on its own).
 */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/embedded.h"
#include "../core/log.h"
#include "../core/util.h"

#define LONG_FIELD(f)   { #f, 0, offsetof(cw_metric_row, f) }
#define DOUBLE_FIELD(f) { #f, 1, offsetof(cw_metric_row, f) }

const cw_metric_field cw_metric_fields[] = {
    LONG_FIELD(deployments),           LONG_FIELD(deploy_days),
    LONG_FIELD(deploy_failures),       LONG_FIELD(lead_time_count),
    DOUBLE_FIELD(lead_time_median_h),  DOUBLE_FIELD(lead_time_p90_h),
    LONG_FIELD(failed_deployments),    DOUBLE_FIELD(change_failure_rate),
    LONG_FIELD(incidents),             LONG_FIELD(restore_count),
    DOUBLE_FIELD(restore_median_h),    DOUBLE_FIELD(restore_p90_h),
    LONG_FIELD(throughput),            LONG_FIELD(wip),
    LONG_FIELD(cycle_time_count),      DOUBLE_FIELD(cycle_time_median_h),
    DOUBLE_FIELD(cycle_time_p85_h),    DOUBLE_FIELD(flow_efficiency),
    LONG_FIELD(throughput_feature),    LONG_FIELD(throughput_defect),
    LONG_FIELD(throughput_risk),       LONG_FIELD(throughput_debt),
    DOUBLE_FIELD(recovery_median_h),   DOUBLE_FIELD(lead_time_item_median_h),
    DOUBLE_FIELD(traceability),
};
const size_t cw_metric_n_fields = sizeof cw_metric_fields / sizeof cw_metric_fields[0];

#define SECONDS_PER_HOUR 3600.0
#define SECONDS_PER_DAY  86400
#define SECONDS_PER_WEEK (7 * SECONDS_PER_DAY)
#define TREND_WEEKS      4

/* ------------------------------------------------------------ running SQL */

static int sql_fail(sqlite3 *db, const char *what)
{
    cw_error("metrics: %s: %s", what, sqlite3_errmsg(db));
    return -1;
}

/* Skip blanks and "--" comments: where the statement's first keyword is. */
static const char *statement_start(const char *s)
{
    for (;;) {
        while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        if (s[0] != '-' || s[1] != '-')
            return s;
        while (*s && *s != '\n')
            s++;
    }
}

/* The next complete statement of a script into out (sqlite3_complete finds
 * where it ends, so semicolons in strings or comments do no harm).  Returns
 * 1 with a statement, 0 at the end of the script. */
static int next_statement(const char **pos, cw_buf *out)
{
    const char *start = statement_start(*pos), *p = start;
    cw_buf_reset(out);
    if (!*start)
        return 0;
    while ((p = strchr(p, ';')) != NULL) {
        p++;
        cw_buf_reset(out);
        cw_buf_append(out, start, (size_t)(p - start));
        if (sqlite3_complete(out->data)) {
            *pos = p;
            return 1;
        }
    }
    cw_buf_reset(out);                       /* a last statement without ';' */
    cw_buf_puts(out, start);
    *pos = start + strlen(start);
    return 1;
}

/* Prepare, bind :scope when the statement has it, and step to the end. */
static int exec_statement(sqlite3 *db, const char *sql, const char *scope, const char *what)
{
    sqlite3_stmt *st;
    int rc, idx;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, what);
    if (!st)                                 /* only comments */
        return 0;
    idx = sqlite3_bind_parameter_index(st, ":scope");
    if (idx > 0)
        sqlite3_bind_text(st, idx, scope, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sql_fail(db, what);
}

/* How the views.sql statements run: all as written (install); the CREATEs
 * as TEMP views of this connection, DROPs skipped (temp); or the DROPs only,
 * which reach this connection's TEMP views first and so clear them. */
typedef enum view_mode { VIEWS_INSTALL, VIEWS_TEMP, VIEWS_DROP_ONLY } view_mode;

static int exec_view_statement(sqlite3 *db, const char *stmt, view_mode mode)
{
    static const char create[] = "CREATE VIEW ";
    int is_drop = strncmp(stmt, "DROP ", 5) == 0;
    if (mode == VIEWS_INSTALL)
        return exec_statement(db, stmt, NULL, "reports/sql/views.sql");
    if (mode == VIEWS_DROP_ONLY)
        return is_drop ? exec_statement(db, stmt, NULL, "reports/sql/views.sql") : 0;
    if (is_drop)
        return 0;
    if (strncmp(stmt, create, sizeof create - 1) == 0) {
        char *temp = cw_asprintf("CREATE TEMP VIEW %s", stmt + sizeof create - 1);
        int rc = exec_statement(db, temp, NULL, "reports/sql/views.sql (temp)");
        free(temp);
        return rc;
    }
    cw_error("metrics: reports/sql/views.sql: not a view statement: %.40s", stmt);
    return -1;
}

static int exec_views(sqlite3 *db, view_mode mode)
{
    const char *pos = cw_embedded_get("reports/sql/views.sql");
    cw_buf stmt = {0};
    int rc = 0;
    if (!pos) {
        cw_error("metrics: reports/sql/views.sql is not embedded");
        return -1;
    }
    while (rc == 0 && next_statement(&pos, &stmt))
        rc = exec_view_statement(db, stmt.data, mode);
    cw_buf_free(&stmt);
    return rc;
}

static int has_temp_views(sqlite3 *db)
{
    sqlite3_stmt *st;
    int found;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_temp_master "
                               "WHERE type = 'view' AND name = 'v_deployments_prod'",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, "sqlite_temp_master");
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

int cw_metrics_install_views(sqlite3 *db)
{
    /* Unqualified DROPs reach a TEMP view first: clear this connection's
     * TEMP copies so the script's DROPs and CREATEs act on the warehouse. */
    int temp = has_temp_views(db);
    if (temp < 0 || (temp && exec_views(db, VIEWS_DROP_ONLY) != 0))
        return -1;
    return exec_views(db, VIEWS_INSTALL);
}

/* The views this binary defines, as TEMP views of the connection: the
 * queries never depend on what an older catwalk left in the warehouse, and
 * a read-only connection works. */
static int ensure_temp_views(sqlite3 *db)
{
    int temp = has_temp_views(db);
    if (temp != 0)
        return temp < 0 ? -1 : 0;
    return exec_views(db, VIEWS_TEMP);
}

static int exec_embedded(sqlite3 *db, const char *path, const char *scope)
{
    const char *pos = cw_embedded_get(path);
    cw_buf stmt = {0};
    int rc = 0;
    if (!pos) {
        cw_error("metrics: %s is not embedded", path);
        return -1;
    }
    while (rc == 0 && next_statement(&pos, &stmt))
        rc = exec_statement(db, stmt.data, scope, path);
    cw_buf_free(&stmt);
    return rc;
}

static sqlite3_stmt *prepare_embedded(sqlite3 *db, const char *path)
{
    const char *sql = cw_embedded_get(path);
    sqlite3_stmt *st = NULL;
    if (!sql) {
        cw_error("metrics: %s is not embedded", path);
        return NULL;
    }
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK || !st) {
        sql_fail(db, path);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* ------------------------------------------------------------ the grid */

typedef struct period_def {
    int64_t start, end;
} period_def;

typedef struct metric_grid {
    size_t n_members, n_periods;
    char **names, **teams;          /* per member */
    cw_metric_row *rows;            /* member-major: rows[m * n_periods + p] */
} metric_grid;

static void grid_free(metric_grid *g)
{
    for (size_t m = 0; m < g->n_members; m++) {
        free(g->names[m]);
        free(g->teams[m]);
    }
    free(g->names);
    free(g->teams);
    free(g->rows);
    memset(g, 0, sizeof *g);
}

static cw_metric_row *grid_row(metric_grid *g, sqlite3_int64 member, sqlite3_int64 period)
{
    if (member < 0 || period < 0 || (size_t)member >= g->n_members || (size_t)period >= g->n_periods)
        return NULL;
    return &g->rows[(size_t)member * g->n_periods + (size_t)period];
}

static const char *scope_key(cw_scope scope)
{
    switch (scope) {
    case CW_SCOPE_TEAM: return "team";
    case CW_SCOPE_ORG: return "organisation";
    case CW_SCOPE_APPLICATION: break;
    }
    return "application";
}

static int fill_periods(sqlite3 *db, const period_def *periods, size_t n)
{
    sqlite3_stmt *st;
    int rc = 0;
    if (sqlite3_prepare_v2(db, "INSERT INTO cw_period (period_id, period_start, period_end, label) "
                               "VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, "cw_period");
    for (size_t i = 0; i < n && rc == 0; i++) {
        char label[11];
        cw_time_format_date(periods[i].start, label, sizeof label);
        sqlite3_bind_int64(st, 1, (sqlite3_int64)i);
        sqlite3_bind_int64(st, 2, periods[i].start);
        sqlite3_bind_int64(st, 3, periods[i].end);
        sqlite3_bind_text(st, 4, label, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = sql_fail(db, "cw_period");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static void init_row(cw_metric_row *row, const char *name, const char *team, int64_t start)
{
    memset(row, 0, sizeof *row);
    row->name = name;
    row->team = team;
    cw_time_format_date(start, row->period, sizeof row->period);
    row->lead_time_median_h = row->lead_time_p90_h = NAN;
    row->change_failure_rate = NAN;
    row->restore_median_h = row->restore_p90_h = NAN;
    row->cycle_time_median_h = row->cycle_time_p85_h = NAN;
    row->flow_efficiency = NAN;
    row->recovery_median_h = row->lead_time_item_median_h = NAN;
    row->traceability = NAN;
}

static char *column_dup(sqlite3_stmt *st, int col)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    return text ? cw_strdup((const char *)text) : NULL;
}

/* Read cw_member (ordered) and lay out the empty grid. */
static int load_members(sqlite3 *db, const period_def *periods, metric_grid *g)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;
    if (sqlite3_prepare_v2(db, "SELECT name, team FROM cw_member ORDER BY member_ord",
                           -1, &st, NULL) != SQLITE_OK)
        return sql_fail(db, "cw_member");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (g->n_members == cap) {
            cap = cap ? 2 * cap : 16;
            g->names = cw_xrealloc(g->names, cap * sizeof *g->names);
            g->teams = cw_xrealloc(g->teams, cap * sizeof *g->teams);
        }
        g->names[g->n_members] = column_dup(st, 0);
        g->teams[g->n_members] = column_dup(st, 1);
        g->n_members++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sql_fail(db, "cw_member");
    g->rows = cw_xcalloc(g->n_members * g->n_periods + 1, sizeof *g->rows);
    for (size_t m = 0; m < g->n_members; m++)
        for (size_t p = 0; p < g->n_periods; p++)
            init_row(&g->rows[m * g->n_periods + p], g->names[m], g->teams[m], periods[p].start);
    return 0;
}

/* A ratio with an empty base is null, never 0. */
static double ratio(double part, double whole)
{
    return whole > 0 ? part / whole : NAN;
}

/* Columns of metrics_counts.sql, in order. */
enum {
    C_MEMBER, C_PERIOD, C_DEPLOYMENTS, C_DEPLOY_DAYS, C_DEPLOY_FAILURES, C_FAILED,
    C_INCIDENTS, C_THROUGHPUT, C_FEATURE, C_DEFECT, C_RISK, C_DEBT,
    C_ACTIVE_S, C_CYCLE_S, C_WIP, C_DEPLOYED_COMMITS, C_TRACED_COMMITS
};

static void apply_counts(cw_metric_row *row, sqlite3_stmt *st)
{
#define COL(c) ((long)sqlite3_column_int64(st, (c)))
    row->deployments = COL(C_DEPLOYMENTS);
    row->deploy_days = COL(C_DEPLOY_DAYS);
    row->deploy_failures = COL(C_DEPLOY_FAILURES);
    row->failed_deployments = COL(C_FAILED);
    row->change_failure_rate = ratio((double)row->failed_deployments, (double)row->deployments);
    row->incidents = COL(C_INCIDENTS);
    row->throughput = COL(C_THROUGHPUT);
    row->throughput_feature = COL(C_FEATURE);
    row->throughput_defect = COL(C_DEFECT);
    row->throughput_risk = COL(C_RISK);
    row->throughput_debt = COL(C_DEBT);
    row->flow_efficiency = ratio(sqlite3_column_double(st, C_ACTIVE_S),
                                 sqlite3_column_double(st, C_CYCLE_S));
    row->wip = COL(C_WIP);
    row->traceability = ratio((double)COL(C_TRACED_COMMITS), (double)COL(C_DEPLOYED_COMMITS));
#undef COL
}

static int read_counts(sqlite3 *db, metric_grid *g)
{
    sqlite3_stmt *st = prepare_embedded(db, "reports/sql/metrics_counts.sql");
    int rc;
    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cw_metric_row *row = grid_row(g, sqlite3_column_int64(st, C_MEMBER),
                                      sqlite3_column_int64(st, C_PERIOD));
        if (row)
            apply_counts(row, st);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sql_fail(db, "reports/sql/metrics_counts.sql");
}

/* One (member, period, metric) group of samples, in seconds. */
typedef struct sample_group {
    sqlite3_int64 member, period;
    char metric[32];
    double *values;
    size_t n, cap;
} sample_group;

static double hours(double seconds)
{
    return seconds / SECONDS_PER_HOUR;
}

/* count, median and the metric's percentile into the row. */
static void finish_group(metric_grid *g, sample_group *s)
{
    cw_metric_row *row = grid_row(g, s->member, s->period);
    const char *m = s->metric;
    if (!row || s->n == 0)
        return;
    if (strcmp(m, "lead_time") == 0) {
        row->lead_time_count = (long)s->n;
        row->lead_time_median_h = hours(cw_median(s->values, s->n));
        row->lead_time_p90_h = hours(cw_percentile(s->values, s->n, 90));
    } else if (strcmp(m, "restore") == 0) {
        row->restore_count = (long)s->n;
        row->restore_median_h = hours(cw_median(s->values, s->n));
        row->restore_p90_h = hours(cw_percentile(s->values, s->n, 90));
    } else if (strcmp(m, "recovery") == 0) {
        row->recovery_median_h = hours(cw_median(s->values, s->n));
    } else if (strcmp(m, "cycle_time") == 0) {
        row->cycle_time_count = (long)s->n;
        row->cycle_time_median_h = hours(cw_median(s->values, s->n));
        row->cycle_time_p85_h = hours(cw_percentile(s->values, s->n, 85));
    } else if (strcmp(m, "item_lead_time") == 0) {
        row->lead_time_item_median_h = hours(cw_median(s->values, s->n));
    }
}

static int same_group(const sample_group *s, sqlite3_int64 member, sqlite3_int64 period,
                      const char *metric)
{
    return s->member == member && s->period == period && strcmp(s->metric, metric) == 0;
}

/* Samples arrive ordered by group, so only one group is held at a time. */
static int read_samples(sqlite3 *db, metric_grid *g)
{
    sqlite3_stmt *st = prepare_embedded(db, "reports/sql/metrics_samples.sql");
    sample_group s = { -1, -1, "", NULL, 0, 0 };
    int rc;
    if (!st)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 member = sqlite3_column_int64(st, 0), period = sqlite3_column_int64(st, 1);
        const char *metric = (const char *)sqlite3_column_text(st, 2);
        if (!metric)
            continue;
        if (!same_group(&s, member, period, metric)) {
            finish_group(g, &s);
            s.member = member;
            s.period = period;
            snprintf(s.metric, sizeof s.metric, "%s", metric);
            s.n = 0;
        }
        if (s.n == s.cap) {
            s.cap = s.cap ? 2 * s.cap : 64;
            s.values = cw_xrealloc(s.values, s.cap * sizeof *s.values);
        }
        s.values[s.n++] = (double)sqlite3_column_int64(st, 3);
    }
    finish_group(g, &s);
    free(s.values);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sql_fail(db, "reports/sql/metrics_samples.sql");
}

static int grid_fill(sqlite3 *db, cw_scope scope, const period_def *periods, metric_grid *g)
{
    if (ensure_temp_views(db) != 0 || exec_embedded(db, "reports/sql/metrics_setup.sql", NULL) != 0)
        return -1;
    if (fill_periods(db, periods, g->n_periods) != 0 ||
        exec_embedded(db, "reports/sql/metrics_period_days.sql", NULL) != 0 ||
        exec_embedded(db, "reports/sql/metrics_members.sql", scope_key(scope)) != 0)
        return -1;
    if (load_members(db, periods, g) != 0)
        return -1;
    return read_counts(db, g) == 0 && read_samples(db, g) == 0 ? 0 : -1;
}

/* All queries of one grid read one snapshot (the nightly job may commit in
 * between); a SAVEPOINT nests inside a caller's transaction too. */
static int grid_load(sqlite3 *db, cw_scope scope, const period_def *periods, size_t n,
                     metric_grid *g)
{
    int rc;
    memset(g, 0, sizeof *g);
    g->n_periods = n;
    if (sqlite3_exec(db, "SAVEPOINT cw_metrics", NULL, NULL, NULL) != SQLITE_OK)
        return sql_fail(db, "SAVEPOINT");
    rc = grid_fill(db, scope, periods, g);
    if (rc != 0)
        sqlite3_exec(db, "ROLLBACK TO cw_metrics", NULL, NULL, NULL);
    sqlite3_exec(db, "RELEASE cw_metrics", NULL, NULL, NULL);
    if (rc != 0)
        grid_free(g);
    return rc;
}

/* ------------------------------------------------------------ metric rows */

/* The periods of [from, to) at a grain, from the period holding `from`. */
static period_def *window_periods(int64_t from, int64_t to, cw_period_kind by, size_t *n)
{
    period_def *periods = NULL;
    size_t cap = 0;
    *n = 0;
    for (int64_t p = cw_period_start(from, by); p < to; p = cw_period_next(p, by)) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            periods = cw_xrealloc(periods, cap * sizeof *periods);
        }
        periods[*n].start = p;
        periods[*n].end = cw_period_next(p, by);
        (*n)++;
    }
    return periods;
}

int cw_metrics_rows(sqlite3 *db, const cw_metrics_query *q, cw_metric_row_fn fn, void *ctx)
{
    metric_grid g;
    size_t n_periods;
    period_def *periods = window_periods(q->from, q->to, q->by, &n_periods);
    int rc = grid_load(db, q->scope, periods, n_periods, &g);
    free(periods);
    if (rc != 0)
        return -1;
    for (size_t i = 0; i < g.n_members * g.n_periods && rc == 0; i++)
        rc = fn(ctx, &g.rows[i]);
    grid_free(&g);
    return rc;
}

/* ------------------------------------------------------------ DORA summaries */

/* Summary periods: the window, the trend's two 4-week blocks, then the
 * window's weeks and months clipped to it (periods with no deployment count
 * as 0 in the deploy-days medians). */
enum { P_WINDOW, P_RECENT, P_PRIOR, P_FIXED };

typedef struct summary_layout {
    period_def *periods;
    size_t n, first_week, n_weeks, first_month, n_months;
} summary_layout;

static void add_clipped(summary_layout *l, int64_t from, int64_t to, cw_period_kind by, size_t *count)
{
    for (int64_t p = cw_period_start(from, by); p < to; p = cw_period_next(p, by)) {
        int64_t next = cw_period_next(p, by);
        l->periods = cw_xrealloc(l->periods, (l->n + 1) * sizeof *l->periods);
        l->periods[l->n].start = p < from ? from : p;
        l->periods[l->n].end = next > to ? to : next;
        l->n++;
        (*count)++;
    }
}

static void summary_layout_build(summary_layout *l, int64_t from, int64_t to)
{
    const int64_t trend = TREND_WEEKS * (int64_t)SECONDS_PER_WEEK;
    memset(l, 0, sizeof *l);
    l->periods = cw_xcalloc(P_FIXED, sizeof *l->periods);
    l->periods[P_WINDOW] = (period_def){ from, to };
    l->periods[P_RECENT] = (period_def){ to - trend, to };
    l->periods[P_PRIOR] = (period_def){ to - 2 * trend, to - trend };
    l->n = P_FIXED;
    l->first_week = l->n;
    add_clipped(l, from, to, CW_PERIOD_WEEK, &l->n_weeks);
    l->first_month = l->n;
    add_clipped(l, from, to, CW_PERIOD_MONTH, &l->n_months);
}

static double median_deploy_days(const cw_metric_row *rows, size_t first, size_t n)
{
    double *days = cw_xcalloc(n + 1, sizeof *days);
    double median;
    for (size_t i = 0; i < n; i++)
        days[i] = (double)rows[first + i].deploy_days;
    median = cw_median(days, n);
    free(days);
    return median;
}

static void summarise(const summary_layout *l, const cw_metric_row *rows, cw_scope scope,
                      int64_t from, int64_t to, cw_dora_summary *s)
{
    const cw_metric_row *w = &rows[P_WINDOW], *recent = &rows[P_RECENT], *prior = &rows[P_PRIOR];
    memset(s, 0, sizeof *s);
    s->name = w->name;
    s->team = scope == CW_SCOPE_APPLICATION ? w->team : NULL;
    s->scope = scope;
    s->deployments = w->deployments;
    s->deploys_per_week = (double)w->deployments / ((double)(to - from) / SECONDS_PER_WEEK);
    s->weekly_median_deploy_days = median_deploy_days(rows, l->first_week, l->n_weeks);
    s->monthly_median_deploy_days = median_deploy_days(rows, l->first_month, l->n_months);
    /* Periods without a deployment count as 0 (metrics.md), so an
     * application that never deployed in the window is measured: low. */
    s->deploy_level = cw_level_deploy_frequency(s->weekly_median_deploy_days,
                                                s->monthly_median_deploy_days);
    s->lead_time_median_h = w->lead_time_median_h;
    s->lead_time_level = cw_level_lead_time(s->lead_time_median_h);
    s->change_failure_rate = w->change_failure_rate;
    s->cfr_level = cw_level_cfr(s->change_failure_rate);
    s->restore_median_h = w->restore_median_h;
    s->restore_level = cw_level_restore(s->restore_median_h);
    s->recent_deploys_per_week = (double)recent->deployments / TREND_WEEKS;
    s->prior_deploys_per_week = (double)prior->deployments / TREND_WEEKS;
    s->recent_lead_time_median_h = recent->lead_time_median_h;
    s->prior_lead_time_median_h = prior->lead_time_median_h;
    s->recent_change_failure_rate = recent->change_failure_rate;
    s->prior_change_failure_rate = prior->change_failure_rate;
    s->recent_restore_median_h = recent->restore_median_h;
    s->prior_restore_median_h = prior->restore_median_h;
}

static int summaries_of_scope(sqlite3 *db, cw_scope scope, const summary_layout *l,
                              int64_t from, int64_t to, cw_dora_summary_fn fn, void *ctx)
{
    metric_grid g;
    int rc = grid_load(db, scope, l->periods, l->n, &g);
    if (rc != 0)
        return -1;
    for (size_t m = 0; m < g.n_members && rc == 0; m++) {
        cw_dora_summary s;
        summarise(l, &g.rows[m * g.n_periods], scope, from, to, &s);
        rc = fn(ctx, &s);
    }
    grid_free(&g);
    return rc;
}

int cw_dora_summaries(sqlite3 *db, int64_t from, int64_t to, cw_dora_summary_fn fn, void *ctx)
{
    static const cw_scope scopes[] = { CW_SCOPE_APPLICATION, CW_SCOPE_TEAM, CW_SCOPE_ORG };
    summary_layout l;
    int rc = 0;
    if (to <= from) {
        cw_error("metrics: empty summary window");
        return -1;
    }
    summary_layout_build(&l, from, to);
    for (size_t i = 0; i < sizeof scopes / sizeof scopes[0] && rc == 0; i++)
        rc = summaries_of_scope(db, scopes[i], &l, from, to, fn, ctx);
    free(l.periods);
    return rc;
}
