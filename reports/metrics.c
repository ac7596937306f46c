/*
 * metrics.c - metric rows and DORA summaries (metrics.md) from the warehouse.
 *
 * The metric logic is SQL, embedded from reports/sql/ and portable (SQLite
 * and PostgreSQL run the same text through load/db.h):
 *   views.sql            the per-event views (v_deployments_prod, v_lead_time,
 *                        v_incidents, v_flow_items, ...) analysts query too,
 *                        and the DORA bands (dora_band); `catwalk run`
 *                        installs them, readers only check they are there
 *   metrics_rows.sql     one statement: the grid of members (applications,
 *                        teams or the organisation) x periods, every count
 *                        and sum per cell, and the values behind medians and
 *                        percentiles
 * A reader writes nothing, not even TEMP tables (a read-only PostgreSQL
 * session refuses CREATE): the periods are bound as parameters.  This file
 * runs the statement into a grid of rows (every period appears even when
 * nothing happened), and turns the samples into medians and percentiles by
 * cw_median / cw_percentile's rule (levels.c): sorted once, every sample
 * visited in order, each statistic read at its position.
 *
 * The same grid serves the DORA summary: its "periods" are the window, the
 * last 4 weeks, the 4 weeks before, and the window's weeks and months (they
 * may overlap; each is counted on its own).
 */
#include "metrics.h"
#include "../load/warehouse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

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
    LONG_FIELD(idea_to_production_count),
    DOUBLE_FIELD(idea_to_production_median_h), DOUBLE_FIELD(idea_to_production_p85_h),
};
const size_t cw_metric_n_fields = sizeof cw_metric_fields / sizeof cw_metric_fields[0];

#define SECONDS_PER_HOUR 3600.0
#define SECONDS_PER_DAY  86400
#define SECONDS_PER_WEEK (7 * SECONDS_PER_DAY)
#define TREND_WEEKS      4

/* ------------------------------------------------------------ running SQL */

static int sql_fail(cw_db *db, const char *what)
{
    cw_error("metrics: %s: %s", what, cw_db_errmsg(db));
    return -1;
}

static const char *embedded(const char *path)
{
    const char *sql = cw_embedded_get(path);
    if (!sql)
        cw_error("metrics: %s is not embedded", path);
    return sql;
}

/* A script of statements without parameters. */
static int exec_embedded(cw_db *db, const char *path)
{
    const char *sql = embedded(path);
    if (!sql)
        return -1;
    return cw_db_exec(db, sql) == CW_DB_OK ? 0 : sql_fail(db, path);
}

/* ------------------------------------------------------------ the warehouse */

int cw_metrics_open_reader(const cw_config *cfg, cw_db **out)
{
    /* The one place readers open the warehouse: read-only, and only a
     * warehouse of this catwalk's schema version (load/warehouse.h). */
    cw_db_target target = cw_wh_target(cfg);
    *out = NULL;
    /* A read-only open of a missing file fails with "unable to open": say why. */
    if (!cw_db_is_uri(target.uri) && access(target.uri, R_OK) != 0) {
        cw_error("no warehouse at %s: run `catwalk run -c %s` first", target.uri,
                 cfg->path ? cfg->path : "FILE");
        return -1;
    }
    return cw_wh_open_reader(&target, out) == CW_DB_OK ? 0 : -1;
}

/* The view files, in install order.  quality.sql's and flow_views.sql's
 * views read tables only (never a view of another file): any order works. */
static const char *const view_files[] = {
    "reports/sql/views.sql", "reports/sql/quality.sql", "reports/sql/flow_views.sql",
    "reports/sql/forecast.sql",
};
#define N_VIEW_FILES (sizeof view_files / sizeof view_files[0])

int cw_metrics_install_views(cw_db *db)
{
    for (size_t i = 0; i < N_VIEW_FILES; i++)
        if (exec_embedded(db, view_files[i]) != 0)
            return -1;
    return 0;
}

/* The name after each "CREATE VIEW " of views.sql, in turn: 1 with the name
 * in out, 0 at the end. */
static int next_view_name(const char **pos, char *out, size_t size)
{
    static const char create[] = "\nCREATE VIEW ";
    const char *p = strstr(*pos, create);
    size_t n = 0;
    if (!p)
        return 0;
    p += sizeof create - 1;
    while ((p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9')) &&
           n + 1 < size)
        n++;
    memcpy(out, p, n);
    out[n] = '\0';
    *pos = p + n;
    return 1;
}

/* Readers never create views: the views (and bands) that `catwalk run`
 * installed must be there.  A warehouse last written by an older catwalk
 * lacks some; say so rather than print an engine's "no such table". */
static int check_view_file(cw_db *db, const char *path)
{
    const char *pos = embedded(path);
    char name[64];
    if (!pos)
        return -1;
    while (next_view_name(&pos, name, sizeof name)) {
        char *probe = cw_asprintf("SELECT * FROM %s WHERE 1 = 0", name);
        cw_stmt *st = NULL;
        int rc = cw_db_prepare(db, probe, &st);
        cw_db_finalize(st);
        free(probe);
        if (rc != CW_DB_OK) {
            cw_error("metrics: the warehouse has no usable view %s (%s): it was last loaded by "
                     "an older catwalk; run `catwalk run` once with this version to install the "
                     "metric views", name, cw_db_errmsg(db));
            return -1;
        }
    }
    return 0;
}

static int check_views(cw_db *db)
{
    for (size_t i = 0; i < N_VIEW_FILES; i++)
        if (check_view_file(db, view_files[i]) != 0)
            return -1;
    return 0;
}

/* ------------------------------------------------------------ the grid */

#define ROWS_SQL "reports/sql/metrics_rows.sql"

typedef struct period_def {
    int64_t start, end;
} period_def;

typedef struct metric_grid {
    size_t n_members, n_periods;
    size_t cap_members;             /* room in the per-member arrays */
    const char *organisation;       /* the organisation member's name (Decisions 9) */
    char **names, **teams;          /* per member */
    cw_scope *scopes;               /* per member */
    long *mapped;                   /* per member: applications with a deployment mapping */
    unsigned char *laid_out;        /* per member: its counts rows came */
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
    free(g->scopes);
    free(g->mapped);
    free(g->laid_out);
    free(g->rows);
    memset(g, 0, sizeof *g);
}

static cw_metric_row *grid_row(metric_grid *g, int64_t member, int64_t period)
{
    if (member < 0 || period < 0 || (size_t)member >= g->n_members || (size_t)period >= g->n_periods)
        return NULL;
    return &g->rows[(size_t)member * g->n_periods + (size_t)period];
}

const char *cw_scope_name(cw_scope scope)
{
    switch (scope) {
    case CW_SCOPE_TEAM: return "team";
    case CW_SCOPE_ORG: return "organisation";
    case CW_SCOPE_APPLICATION: break;
    }
    return "application";
}

/* Parameters of metrics_rows.sql: ?1 the scope, ?2 ?3 the window the
 * periods span, then each period's start and end from ?4 ?5. */
#define ROWS_FIRST_PERIOD 4

/* metrics_rows.sql for n periods: the file's one period row, repeated with
 * the next parameters for each further period.  Caller frees. */
static char *rows_sql(size_t n)
{
    static const char row[] = "(0, CAST(?4 AS BIGINT), CAST(?5 AS BIGINT))";
    const char *sql = embedded(ROWS_SQL), *at = sql ? strstr(sql, row) : NULL;
    cw_buf b = {0};
    if (!at || n == 0) {
        if (sql)
            cw_error("metrics: %s: no period row to repeat", ROWS_SQL);
        return NULL;
    }
    cw_buf_append(&b, sql, (size_t)(at - sql));
    for (size_t i = 0; i < n; i++)
        cw_buf_printf(&b, "%s(%zu, CAST(?%zu AS BIGINT), CAST(?%zu AS BIGINT))",
                      i ? ",\n           " : "", i, ROWS_FIRST_PERIOD + 2 * i,
                      ROWS_FIRST_PERIOD + 1 + 2 * i);
    cw_buf_puts(&b, at + sizeof row - 1);
    return b.data;
}

/* The span [lo, hi) of the periods: every fact is read through a range on
 * its instant within it, so a grid reads the rows of its window only. */
static void grid_window(const period_def *periods, size_t n, int64_t *lo, int64_t *hi)
{
    *lo = periods[0].start;
    *hi = periods[0].end;
    for (size_t i = 1; i < n; i++) {
        if (periods[i].start < *lo)
            *lo = periods[i].start;
        if (periods[i].end > *hi)
            *hi = periods[i].end;
    }
}

/* ?1 the scope (a cw_scope_name, or "all"), ?2 ?3 the window, then each
 * period's start and end. */
static int bind_grid(cw_stmt *st, const char *scope, const period_def *periods, size_t n)
{
    int64_t lo, hi;
    int rc = cw_db_bind_str(st, 1, scope);
    grid_window(periods, n, &lo, &hi);
    if (rc == CW_DB_OK)
        rc = cw_db_bind_int(st, 2, lo);
    if (rc == CW_DB_OK)
        rc = cw_db_bind_int(st, 3, hi);
    for (size_t i = 0; i < n && rc == CW_DB_OK; i++) {
        rc = cw_db_bind_int(st, (int)(ROWS_FIRST_PERIOD + 2 * i), periods[i].start);
        if (rc == CW_DB_OK)
            rc = cw_db_bind_int(st, (int)(ROWS_FIRST_PERIOD + 1 + 2 * i), periods[i].end);
    }
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
    row->idea_to_production_median_h = row->idea_to_production_p85_h = NAN;
}

static char *column_dup(cw_stmt *st, int col)
{
    const char *text = cw_db_column_text(st, col);
    return text ? cw_strdup(text) : NULL;
}

/* A ratio with an empty base is null, never 0. */
static double ratio(double part, double whole)
{
    return whole > 0 ? part / whole : NAN;
}

/* Columns of metrics_rows.sql, in order. */
enum {
    C_MEMBER, C_PERIOD, C_METRIC, C_VALUE, C_NAME, C_TEAM,
    C_DEPLOYMENTS, C_DEPLOY_DAYS, C_DEPLOY_FAILURES, C_FAILED,
    C_INCIDENTS, C_THROUGHPUT, C_FEATURE, C_DEFECT, C_RISK, C_DEBT,
    C_ACTIVE_S, C_CYCLE_S, C_WIP, C_DEPLOYED_COMMITS, C_TRACED_COMMITS, C_CHANGE_FAILURE_RATE,
    C_AT, C_KIND, C_APPLICATION, C_MAPPED
};

/* What a row of metrics_rows.sql is, by its period_id. */
#define ROW_SAMPLE     (-1)
#define ROW_MEMBERSHIP (-2)

/* The member kinds of metrics_rows.sql (cw_member.kind). */
static cw_scope kind_scope(int64_t kind)
{
    return kind == 1 ? CW_SCOPE_TEAM : kind == 2 ? CW_SCOPE_ORG : CW_SCOPE_APPLICATION;
}

/* A member's first counts row lays out its empty rows.  Rows come in no
 * order, so the per-member arrays grow to the highest member seen. */
static void add_member(metric_grid *g, cw_stmt *st, const period_def *periods, size_t m)
{
    if (m >= g->n_members) {
        size_t cap = g->cap_members;
        g->names = cw_grow(g->names, &cap, m + 1, sizeof *g->names);
        cap = g->cap_members;
        g->teams = cw_grow(g->teams, &cap, m + 1, sizeof *g->teams);
        cap = g->cap_members;
        g->scopes = cw_grow(g->scopes, &cap, m + 1, sizeof *g->scopes);
        cap = g->cap_members;
        g->mapped = cw_grow(g->mapped, &cap, m + 1, sizeof *g->mapped);
        cap = g->cap_members;
        g->laid_out = cw_grow(g->laid_out, &cap, m + 1, sizeof *g->laid_out);
        cap = g->cap_members;
        g->rows = cw_grow(g->rows, &cap, m + 1, g->n_periods * sizeof *g->rows);
        g->cap_members = cap;
        for (size_t i = g->n_members; i <= m; i++) {
            g->names[i] = g->teams[i] = NULL;
            g->laid_out[i] = 0;
        }
        g->n_members = m + 1;
    }
    if (g->laid_out[m])
        return;
    g->laid_out[m] = 1;
    g->scopes[m] = kind_scope(cw_db_column_int(st, C_KIND));
    g->names[m] = g->scopes[m] == CW_SCOPE_ORG ? cw_strdup(g->organisation) : column_dup(st, C_NAME);
    g->teams[m] = column_dup(st, C_TEAM);
    g->mapped[m] = (long)cw_db_column_int(st, C_MAPPED);
    for (size_t p = 0; p < g->n_periods; p++)
        init_row(&g->rows[m * g->n_periods + p], g->names[m], g->teams[m], periods[p].start);
}

static double column_or_nan(cw_stmt *st, int col)
{
    return cw_db_column_type(st, col) == CW_DB_NULL ? NAN : cw_db_column_real(st, col);
}

static void apply_counts(cw_metric_row *row, cw_stmt *st)
{
#define COL(c) ((long)cw_db_column_int(st, (c)))
    row->deployments = COL(C_DEPLOYMENTS);
    row->deploy_days = COL(C_DEPLOY_DAYS);
    row->deploy_failures = COL(C_DEPLOY_FAILURES);
    row->failed_deployments = COL(C_FAILED);
    row->change_failure_rate = column_or_nan(st, C_CHANGE_FAILURE_RATE);   /* views.sql's rule */
    row->incidents = COL(C_INCIDENTS);
    row->throughput = COL(C_THROUGHPUT);
    row->throughput_feature = COL(C_FEATURE);
    row->throughput_defect = COL(C_DEFECT);
    row->throughput_risk = COL(C_RISK);
    row->throughput_debt = COL(C_DEBT);
    row->flow_efficiency = ratio(cw_db_column_real(st, C_ACTIVE_S),
                                 cw_db_column_real(st, C_CYCLE_S));
    row->wip = COL(C_WIP);
    row->traceability = ratio((double)COL(C_TRACED_COMMITS), (double)COL(C_DEPLOYED_COMMITS));
#undef COL
}

static double hours(double seconds)
{
    return seconds / SECONDS_PER_HOUR;
}

/* The periods holding an instant.  The periods of a grid are runs of
 * consecutive periods in time order that do not overlap (a summary's
 * window, its two trend blocks, its weeks, its months): within a run a
 * binary search finds the one period an instant can fall in. */
typedef struct period_finder {
    const period_def *periods;
    size_t *run_starts;             /* first period of each run, then n */
    size_t n_runs;
} period_finder;

static void finder_init(period_finder *f, const period_def *periods, size_t n)
{
    f->periods = periods;
    f->run_starts = cw_xcalloc(n + 1, sizeof *f->run_starts);
    f->n_runs = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || periods[i].start < periods[i - 1].end || periods[i].start < periods[i - 1].start)
            f->run_starts[f->n_runs++] = i;
    f->run_starts[f->n_runs] = n;
}

/* The period of run r holding t, or -1. */
static long finder_in_run(const period_finder *f, size_t r, int64_t t)
{
    size_t lo = f->run_starts[r], hi = f->run_starts[r + 1];
    while (hi - lo > 1) {                /* the last period starting at or before t */
        size_t mid = lo + (hi - lo) / 2;
        if (f->periods[mid].start <= t)
            lo = mid;
        else
            hi = mid;
    }
    return f->periods[lo].start <= t && t < f->periods[lo].end ? (long)lo : -1;
}

/* The sample metrics of metrics_rows.sql (v_events kinds with a value), and
 * the percentile each reports (NAN: only a median). */
enum { M_LEAD_TIME, M_RESTORE, M_RECOVERY, M_CYCLE_TIME, M_ITEM_LEAD_TIME, M_IDEA_TO_PRODUCTION,
       M_COUNT };
static const struct {
    const char *name;
    double pct;
} sample_metrics[M_COUNT] = {
    [M_LEAD_TIME] = { "lead_time", 90 },
    [M_RESTORE] = { "restore", 90 },
    [M_RECOVERY] = { "recovery", NAN },
    [M_CYCLE_TIME] = { "cycle_time", 85 },
    [M_ITEM_LEAD_TIME] = { "item_lead_time", NAN },
    [M_IDEA_TO_PRODUCTION] = { "idea_to_production", 85 },
};

static int sample_metric(const char *name)
{
    for (int i = 0; name && i < M_COUNT; i++)
        if (strcmp(sample_metrics[i].name, name) == 0)
            return i;
    return -1;
}

/* One sample row, and one row saying which application makes up which
 * member: kept until the statement is done, as they come in no order. */
typedef struct grid_sample {
    int64_t application, at;
    double value;                   /* whole seconds */
    int metric;                     /* M_* */
} grid_sample;

typedef struct grid_membership {
    int64_t application;
    size_t member;
} grid_membership;

typedef struct grid_input {
    grid_sample *samples;
    size_t n_samples, cap_samples;
    grid_membership *members;
    size_t n_members, cap_members;
} grid_input;

static void add_sample(grid_input *in, cw_stmt *st)
{
    int metric = sample_metric(cw_db_column_text(st, C_METRIC));
    if (metric < 0)
        return;
    in->samples = cw_grow(in->samples, &in->cap_samples, in->n_samples + 1, sizeof *in->samples);
    in->samples[in->n_samples++] = (grid_sample){
        cw_db_column_int(st, C_APPLICATION), cw_db_column_int(st, C_AT),
        (double)cw_db_column_int(st, C_VALUE), metric };
}

static void add_membership(grid_input *in, cw_stmt *st)
{
    int64_t member = cw_db_column_int(st, C_MEMBER);
    if (member < 0)
        return;
    in->members = cw_grow(in->members, &in->cap_members, in->n_members + 1, sizeof *in->members);
    in->members[in->n_members++] = (grid_membership){
        cw_db_column_int(st, C_APPLICATION), (size_t)member };
}

static int compare_samples(const void *a, const void *b)
{
    const grid_sample *x = a, *y = b;
    if (x->metric != y->metric)
        return x->metric < y->metric ? -1 : 1;
    return (x->value > y->value) - (x->value < y->value);
}

static int compare_memberships(const void *a, const void *b)
{
    const grid_membership *x = a, *y = b;
    return (x->application > y->application) - (x->application < y->application);
}

/* The memberships of an application: [*first, returned end) of the sorted array. */
static size_t members_of(const grid_input *in, int64_t application, size_t *first)
{
    size_t lo = 0, hi = in->n_members;
    while (lo < hi) {                   /* the first membership >= application */
        size_t mid = lo + (hi - lo) / 2;
        if (in->members[mid].application < application)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    while (hi < in->n_members && in->members[hi].application == application)
        hi++;
    return hi;
}

/* One (member, period) cell of one metric: how many samples it holds, and
 * the values at the positions its median and percentile read. */
typedef struct sample_cell {
    size_t n, seen;
    size_t lo_at, hi_at, pct_at;
    double lo, hi, pct;
} sample_cell;

/* Visit every (member, period) cell holding each sample of [b, e): count
 * them (pick 0), or, as the samples come in ascending order of value, note
 * the values at the cells' median and percentile positions (pick 1). */
static void visit_cells(const grid_input *in, const period_finder *f, size_t n_periods,
                        sample_cell *cells, size_t b, size_t e, int pick)
{
    for (size_t i = b; i < e; i++) {
        const grid_sample *x = &in->samples[i];
        size_t first, end = members_of(in, x->application, &first);
        for (size_t r = 0; r < f->n_runs && first < end; r++) {
            long p = finder_in_run(f, r, x->at);
            if (p < 0)
                continue;
            for (size_t k = first; k < end; k++) {
                sample_cell *c = &cells[in->members[k].member * n_periods + (size_t)p];
                size_t at = c->seen++;
                if (!pick)
                    continue;
                if (at == c->lo_at)
                    c->lo = x->value;
                if (at == c->hi_at)
                    c->hi = x->value;
                if (at == c->pct_at)
                    c->pct = x->value;
            }
        }
    }
}

/* count, median and the metric's percentile of a cell into its row. */
static void finish_cell(cw_metric_row *row, int metric, const sample_cell *c)
{
    double median = hours(cw_median_of(c->lo, c->hi, c->n)), pct = hours(c->pct);
    switch (metric) {
    case M_LEAD_TIME:
        row->lead_time_count = (long)c->n;
        row->lead_time_median_h = median;
        row->lead_time_p90_h = pct;
        break;
    case M_RESTORE:
        row->restore_count = (long)c->n;
        row->restore_median_h = median;
        row->restore_p90_h = pct;
        break;
    case M_RECOVERY:
        row->recovery_median_h = median;
        break;
    case M_CYCLE_TIME:
        row->cycle_time_count = (long)c->n;
        row->cycle_time_median_h = median;
        row->cycle_time_p85_h = pct;
        break;
    case M_IDEA_TO_PRODUCTION:
        row->idea_to_production_count = (long)c->n;
        row->idea_to_production_median_h = median;
        row->idea_to_production_p85_h = pct;
        break;
    default:
        row->lead_time_item_median_h = median;
        break;
    }
}

/* The statistics of one metric's samples [b, e), sorted by value. */
static void place_metric(metric_grid *g, const grid_input *in, const period_finder *f,
                         sample_cell *cells, size_t b, size_t e)
{
    size_t n_cells = g->n_members * g->n_periods;
    int metric = in->samples[b].metric;
    double pct = sample_metrics[metric].pct;
    memset(cells, 0, n_cells * sizeof *cells);
    visit_cells(in, f, g->n_periods, cells, b, e, 0);
    for (size_t i = 0; i < n_cells; i++) {
        sample_cell *c = &cells[i];
        c->n = c->seen;
        c->seen = 0;
        if (c->n == 0)
            continue;
        cw_median_positions(c->n, &c->lo_at, &c->hi_at);
        c->pct_at = isnan(pct) ? SIZE_MAX : cw_percentile_position(c->n, pct);
        c->pct = NAN;
    }
    visit_cells(in, f, g->n_periods, cells, b, e, 1);
    for (size_t i = 0; i < n_cells; i++)
        if (cells[i].n > 0)
            finish_cell(&g->rows[i], metric, &cells[i]);
}

/* Every sample into every member made up of its application and every
 * period holding its instant.  Sorted once by (metric, value), each cell's
 * samples are visited in ascending order, so a median or percentile is the
 * value at a position: nothing is sorted per member or period. */
static void place_samples(metric_grid *g, grid_input *in, const period_def *periods)
{
    period_finder f;
    sample_cell *cells;
    if (in->n_samples == 0 || g->n_members == 0)
        return;
    qsort(in->members, in->n_members, sizeof *in->members, compare_memberships);
    qsort(in->samples, in->n_samples, sizeof *in->samples, compare_samples);
    finder_init(&f, periods, g->n_periods);
    cells = cw_xcalloc(g->n_members * g->n_periods, sizeof *cells);
    for (size_t b = 0, e; b < in->n_samples; b = e) {
        for (e = b + 1; e < in->n_samples && in->samples[e].metric == in->samples[b].metric; e++)
            ;
        place_metric(g, in, &f, cells, b, e);
    }
    free(cells);
    free(f.run_starts);
}

/* Every member has its counts rows and every membership names a member:
 * 0, or -1 (logged) for a statement that broke that promise. */
static int grid_complete(const metric_grid *g, const grid_input *in)
{
    for (size_t m = 0; m < g->n_members; m++)
        if (!g->laid_out[m]) {
            cw_error("metrics: %s: member %zu has no counts rows", ROWS_SQL, m);
            return -1;
        }
    for (size_t i = 0; i < in->n_members; i++)
        if (in->members[i].member >= g->n_members) {
            cw_error("metrics: %s: application %lld in member %zu, which has no rows", ROWS_SQL,
                     (long long)in->members[i].application, in->members[i].member);
            return -1;
        }
    return 0;
}

/* Step metrics_rows.sql into the grid: the counts rows, the memberships and
 * the samples, in any order.  0, or -1 (logged). */
static int read_rows(cw_db *db, cw_stmt *st, const period_def *periods, metric_grid *g)
{
    grid_input in = {0};
    int rc;
    while ((rc = cw_db_step(st)) == CW_DB_ROW) {
        int64_t member = cw_db_column_int(st, C_MEMBER), period = cw_db_column_int(st, C_PERIOD);
        if (period == ROW_SAMPLE) {
            add_sample(&in, st);
        } else if (period == ROW_MEMBERSHIP) {
            add_membership(&in, st);
        } else if (member >= 0 && period >= 0 && (size_t)period < g->n_periods) {
            add_member(g, st, periods, (size_t)member);
            apply_counts(grid_row(g, member, period), st);
        }
    }
    if (rc != CW_DB_DONE)
        rc = sql_fail(db, ROWS_SQL);
    else if ((rc = grid_complete(g, &in)) == 0)
        place_samples(g, &in, periods);
    free(in.samples);
    free(in.members);
    return rc;
}

/* The distinct periods of a list into out (the weekly report asks for its
 * weeks twice, as rows and in the summary: each is read once), map[i] the
 * one period i is.  Returns how many. */
static size_t distinct_periods(const period_def *periods, size_t n, period_def *out, size_t *map)
{
    size_t n_out = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < n_out && (out[j].start != periods[i].start || out[j].end != periods[i].end))
            j++;
        if (j == n_out)
            out[n_out++] = periods[i];
        map[i] = j;
    }
    return n_out;
}

/* The grid of the distinct periods laid out again for the asked ones. */
static void grid_expand(metric_grid *g, const size_t *map, size_t n)
{
    cw_metric_row *rows = cw_xcalloc(g->n_members * n + 1, sizeof *rows);
    for (size_t m = 0; m < g->n_members; m++)
        for (size_t p = 0; p < n; p++)
            rows[m * n + p] = g->rows[m * g->n_periods + map[p]];
    free(g->rows);
    g->rows = rows;
    g->n_periods = n;
}

/* One statement, so every number of a grid comes from one snapshot of the
 * warehouse (the nightly job may commit meanwhile) and nothing is written. */
static int grid_load(cw_db *db, const char *scope, const char *organisation,
                     const period_def *periods, size_t n, metric_grid *g)
{
    period_def *distinct = cw_xcalloc(n + 1, sizeof *distinct);
    size_t *map = cw_xcalloc(n + 1, sizeof *map), n_distinct = distinct_periods(periods, n, distinct, map);
    char *sql = rows_sql(n_distinct);
    cw_stmt *st = NULL;
    int rc = -1;
    memset(g, 0, sizeof *g);
    g->organisation = organisation ? organisation : CW_ORGANISATION;
    g->n_periods = n_distinct;
    if (sql && cw_db_prepare(db, sql, &st) != CW_DB_OK)
        sql_fail(db, ROWS_SQL);
    else if (sql && bind_grid(st, scope, distinct, n_distinct) != CW_DB_OK)
        sql_fail(db, ROWS_SQL);
    else if (sql)
        rc = read_rows(db, st, distinct, g);
    cw_db_finalize(st);
    free(sql);
    if (rc == 0 && n_distinct < n)
        grid_expand(g, map, n);
    if (rc != 0)
        grid_free(g);
    free(distinct);
    free(map);
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

int cw_metrics_rows(cw_db *db, const cw_metrics_query *q, cw_metric_row_fn fn, void *ctx)
{
    metric_grid g;
    size_t n_periods;
    period_def *periods;
    int rc;
    if (check_views(db) != 0)
        return -1;
    periods = window_periods(q->from, q->to, q->by, &n_periods);
    rc = grid_load(db, cw_scope_name(q->scope), q->organisation, periods, n_periods, &g);
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

/* The summary of one member from its rows of the summary periods; mapped:
 * whether any of its applications has a deployment mapping. */
static void summarise(const summary_layout *l, const cw_dora_bands *bands,
                      const cw_metric_row *rows, cw_scope scope, int mapped, int64_t from,
                      int64_t to, cw_dora_summary *s)
{
    const cw_metric_row *w = &rows[P_WINDOW], *recent = &rows[P_RECENT], *prior = &rows[P_PRIOR];
    memset(s, 0, sizeof *s);
    s->name = w->name;
    s->team = scope == CW_SCOPE_APPLICATION ? w->team : NULL;
    s->scope = scope;
    s->deploy_mapped = mapped;
    s->deployments = w->deployments;
    s->deploys_per_week = (double)w->deployments / ((double)(to - from) / SECONDS_PER_WEEK);
    s->weekly_median_deploy_days = median_deploy_days(rows, l->first_week, l->n_weeks);
    s->monthly_median_deploy_days = median_deploy_days(rows, l->first_month, l->n_months);
    s->lead_time_median_h = w->lead_time_median_h;
    s->change_failure_rate = w->change_failure_rate;
    s->restore_median_h = w->restore_median_h;
    s->recent_deploys_per_week = (double)recent->deployments / TREND_WEEKS;
    s->prior_deploys_per_week = (double)prior->deployments / TREND_WEEKS;
    /* Periods without a deployment count as 0 (metrics.md), so an
     * application with a deployment mapping that never deployed in the
     * window is measured: low.  One with no mapping is not measured at all
     * (Decisions 3 and 13): no frequency, so no band holds and no level. */
    if (!mapped)
        s->deploys_per_week = s->weekly_median_deploy_days = s->monthly_median_deploy_days =
            s->recent_deploys_per_week = s->prior_deploys_per_week = NAN;
    s->deploy_level = cw_dora_level(bands, "deploy_frequency", s);
    s->lead_time_level = cw_dora_level(bands, "lead_time", s);
    s->cfr_level = cw_dora_level(bands, "change_failure_rate", s);
    s->restore_level = cw_dora_level(bands, "restore", s);
    s->recent_lead_time_median_h = recent->lead_time_median_h;
    s->prior_lead_time_median_h = prior->lead_time_median_h;
    s->recent_change_failure_rate = recent->change_failure_rate;
    s->prior_change_failure_rate = prior->change_failure_rate;
    s->recent_restore_median_h = recent->restore_median_h;
    s->prior_restore_median_h = prior->restore_median_h;
    s->lead_time_count = w->lead_time_count;
    s->restore_count = w->restore_count;
    s->recent_deployments = recent->deployments;
    s->prior_deployments = prior->deployments;
    s->recent_lead_time_count = recent->lead_time_count;
    s->prior_lead_time_count = prior->lead_time_count;
    s->recent_restore_count = recent->restore_count;
    s->prior_restore_count = prior->restore_count;
}

static int summaries_of_scope(cw_db *db, cw_scope scope, const char *organisation,
                              const summary_layout *l,
                              const cw_dora_bands *bands, int64_t from, int64_t to,
                              cw_dora_summary_fn fn, void *ctx)
{
    metric_grid g;
    int rc = grid_load(db, cw_scope_name(scope), organisation, l->periods, l->n, &g);
    if (rc != 0)
        return -1;
    for (size_t m = 0; m < g.n_members && rc == 0; m++) {
        cw_dora_summary s;
        summarise(l, bands, &g.rows[m * g.n_periods], scope, g.mapped[m] > 0, from, to, &s);
        rc = fn(ctx, &s);
    }
    grid_free(&g);
    return rc;
}

/* The weekly report reads every grid it needs -- each scope's rows by week
 * and its summaries -- as one: every scope's members ("all") over the week
 * periods, then the summary's (overlapping periods cost a sample one more
 * cell, while another grid would read the window's facts again; the
 * summary's weeks are the rows' weeks, read once, see grid_load). */
/* What every summary of [from, to) needs first: the views, the DORA bands
 * (returned; free them) and the layout of its periods in *l.  NULL (logged)
 * on an empty window or a warehouse without views. */
static cw_dora_bands *summary_begin(cw_db *db, int64_t from, int64_t to, summary_layout *l)
{
    cw_dora_bands *bands;
    if (to <= from) {
        cw_error("metrics: empty summary window");
        return NULL;
    }
    bands = cw_xcalloc(1, sizeof *bands);
    if (check_views(db) != 0 || cw_dora_bands_load(db, bands) != 0) {
        free(bands);
        return NULL;
    }
    summary_layout_build(l, from, to);
    return bands;
}

int cw_metrics_weekly(cw_db *db, int64_t from, int64_t to, const cw_weekly_fns *fns)
{
    summary_layout l;
    cw_dora_bands *bands;
    size_t n_weeks;
    period_def *periods;
    metric_grid g;
    int rc;
    if (!(bands = summary_begin(db, from, to, &l)))
        return -1;
    periods = window_periods(from, to, CW_PERIOD_WEEK, &n_weeks);
    periods = cw_xrealloc(periods, (n_weeks + l.n) * sizeof *periods);
    memcpy(periods + n_weeks, l.periods, l.n * sizeof *periods);
    rc = grid_load(db, "all", fns->organisation, periods, n_weeks + l.n, &g);
    free(periods);
    /* members come by kind (applications, teams, the organisation): the
     * rows and the summaries of each scope in turn */
    for (size_t i = 0; rc == 0 && i < g.n_members * g.n_periods; i++)
        if (i % g.n_periods < n_weeks)
            rc = fns->row(fns->ctx, g.scopes[i / g.n_periods], &g.rows[i]);
    for (size_t m = 0; rc == 0 && m < g.n_members; m++) {
        cw_dora_summary s;
        summarise(&l, bands, &g.rows[m * g.n_periods + n_weeks], g.scopes[m], g.mapped[m] > 0,
                  from, to, &s);
        rc = fns->summary(fns->ctx, &s);
    }
    grid_free(&g);               /* zeroed by grid_load when it failed */
    free(l.periods);
    free(bands);
    return rc;
}

int cw_dora_summaries(cw_db *db, int64_t from, int64_t to, const char *organisation,
                      cw_dora_summary_fn fn, void *ctx)
{
    static const cw_scope scopes[] = { CW_SCOPE_APPLICATION, CW_SCOPE_TEAM, CW_SCOPE_ORG };
    summary_layout l;
    cw_dora_bands *bands;
    int rc = 0;
    if (!(bands = summary_begin(db, from, to, &l)))
        return -1;
    for (size_t i = 0; i < sizeof scopes / sizeof scopes[0] && rc == 0; i++)
        rc = summaries_of_scope(db, scopes[i], organisation, &l, bands, from, to, fn, ctx);
    free(l.periods);
    free(bands);
    return rc;
}
