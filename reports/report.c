/*
 * report.c - the report model shared by the xlsx and HTML renderers.
 *
 * Gathers the weekly executive report once: the metric rows of every scope
 * and the DORA summaries through reports/metrics.h, and three audit lists
 * (untraceable deployments, rejects per source, oldest work in progress)
 * through the SELECTs in reports/sql/report_*.sql.  Also holds the layout
 * tables both renderers follow, and the small helpers they share (series
 * lookup, trends, output paths).
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../core/embedded.h"
#include "../core/killpoint.h"
#include "../core/log.h"
#include "../core/util.h"

/* ------------------------------------------------------------ layout tables */

/* The metric families: one worksheet / page section each. */
const cw_report_family cw_report_families[] = {
    { "Deployment frequency", {
        { "Successful production deployments per week", "deployments", CW_CHART_COLUMN, "deployments", 0 },
        { "Deploy days per week", "deploy_days", CW_CHART_LINE, "days", 0 },
      }, 2 },
    { "Lead time", {
        { "Change lead time, median (hours)", "lead_time_median_h", CW_CHART_LINE, "hours", 0 },
        { "Change lead time, p90 (hours)", "lead_time_p90_h", CW_CHART_LINE, "hours", 0 },
      }, 2 },
    { "Change failure", {
        { "Change failure rate", "change_failure_rate", CW_CHART_LINE, "rate", 1 },
        { "Failed deployments per week", "failed_deployments", CW_CHART_COLUMN, "deployments", 0 },
      }, 2 },
    { "Restore", {
        { "Time to restore, median (hours)", "restore_median_h", CW_CHART_LINE, "hours", 0 },
        { "Incidents per week", "incidents", CW_CHART_COLUMN, "incidents", 0 },
        { "Failed deployment recovery time, median (hours)", "recovery_median_h", CW_CHART_LINE,
          "hours", 0 },
      }, 3 },
    { "Flow", {
        { "Throughput (items finished per week)", "throughput", CW_CHART_COLUMN, "items", 0 },
        { "Work in progress at week end", "wip", CW_CHART_LINE, "items", 0 },
        { "Cycle time, median (hours)", "cycle_time_median_h", CW_CHART_LINE, "hours", 0 },
        { "Flow efficiency", "flow_efficiency", CW_CHART_LINE, "share", 1 },
      }, 4 },
};
const size_t cw_report_n_families = sizeof cw_report_families / sizeof cw_report_families[0];

double cw_report_field_value(const cw_metric_row *row, const cw_metric_field *field)
{
    const char *base = (const char *)row + field->offset;
    if (field->is_double) {
        double v;
        memcpy(&v, base, sizeof v);
        return v;
    }
    long n;
    memcpy(&n, base, sizeof n);
    return (double)n;
}

const cw_metric_field *cw_report_field_find(const char *name)
{
    for (size_t i = 0; i < cw_metric_n_fields; i++)
        if (strcmp(cw_metric_fields[i].name, name) == 0)
            return &cw_metric_fields[i];
    return NULL;
}

const char *cw_report_scope_name(cw_scope scope)
{
    switch (scope) {
    case CW_SCOPE_APPLICATION: return "application";
    case CW_SCOPE_TEAM: return "team";
    case CW_SCOPE_ORG: return "organisation";
    }
    return "";
}

cw_report_trend cw_report_trend_of(double recent, double prior, int higher_is_better)
{
    cw_report_trend t = { NAN, 0, 0 };
    if (isnan(recent) || isnan(prior))
        return t;
    t.delta = recent - prior;
    /* Medians of whole seconds in hours: anything below a millisecond is flat. */
    if (fabs(t.delta) > 1e-9)
        t.direction = t.delta > 0 ? 1 : -1;
    t.better = higher_is_better ? t.direction : -t.direction;
    return t;
}

#define KEY(label, unit, value, level, recent, prior, higher, rate) \
    { label, unit, offsetof(cw_dora_summary, value), offsetof(cw_dora_summary, level), \
      offsetof(cw_dora_summary, recent), offsetof(cw_dora_summary, prior), higher, rate }

const cw_report_key cw_report_keys[] = {
    KEY("Deployment frequency", "deploys/week", deploys_per_week, deploy_level,
        recent_deploys_per_week, prior_deploys_per_week, 1, 0),
    KEY("Lead time for changes", "median hours", lead_time_median_h, lead_time_level,
        recent_lead_time_median_h, prior_lead_time_median_h, 0, 0),
    KEY("Change failure rate", "", change_failure_rate, cfr_level,
        recent_change_failure_rate, prior_change_failure_rate, 0, 1),
    KEY("Time to restore", "median hours", restore_median_h, restore_level,
        recent_restore_median_h, prior_restore_median_h, 0, 0),
};
const size_t cw_report_n_keys = sizeof cw_report_keys / sizeof cw_report_keys[0];

static double double_at(const cw_dora_summary *s, size_t offset)
{
    double v;
    memcpy(&v, (const char *)s + offset, sizeof v);
    return v;
}

double cw_report_key_value(const cw_dora_summary *s, const cw_report_key *key)
{
    return double_at(s, key->value_offset);
}

cw_level cw_report_key_level(const cw_dora_summary *s, const cw_report_key *key)
{
    cw_level level;
    memcpy(&level, (const char *)s + key->level_offset, sizeof level);
    /* The renderers index colour tables with it: never out of range. */
    return level >= CW_LEVEL_NONE && level <= CW_LEVEL_ELITE ? level : CW_LEVEL_NONE;
}

cw_report_trend cw_report_key_trend(const cw_dora_summary *s, const cw_report_key *key)
{
    return cw_report_trend_of(double_at(s, key->recent_offset), double_at(s, key->prior_offset),
                              key->higher_is_better);
}

const char *cw_report_level_label(cw_level level)
{
    return level == CW_LEVEL_NONE ? "no data" : cw_level_name(level);
}

/* ------------------------------------------------------------ model */

void cw_report_init(cw_report *r, int64_t from, int64_t to)
{
    memset(r, 0, sizeof *r);
    r->from = from;
    r->to = to;
    r->generated_at = (int64_t)time(NULL);
    r->organisation = CW_ORGANISATION;
}

const char *cw_report_organisation(const cw_report *r)
{
    return r->organisation ? r->organisation : CW_ORGANISATION;
}

void cw_report_free(cw_report *r)
{
    for (size_t i = 0; i < r->n_strings; i++)
        free(r->strings[i]);
    free(r->strings);
    free(r->summaries);
    free(r->rows);
    free(r->untraceable);
    free(r->rejects);
    free(r->wip);
    cw_report_tables_free(r);
    cw_report_definition_free(r->definition);
    cw_report_exec_free(r);
    memset(r, 0, sizeof *r);
}

const char *cw_report_intern(cw_report *r, const char *s)
{
    if (!s)
        return NULL;
    /* Names repeat once per period; a linear scan keeps one copy of each. */
    for (size_t i = 0; i < r->n_strings; i++)
        if (strcmp(r->strings[i], s) == 0)
            return r->strings[i];
    r->strings = cw_grow(r->strings, &r->cap_strings, r->n_strings + 1, sizeof *r->strings);
    r->strings[r->n_strings] = cw_strdup(s);
    return r->strings[r->n_strings++];
}

void cw_report_add_summary(cw_report *r, const cw_dora_summary *s)
{
    r->summaries = cw_grow(r->summaries, &r->cap_summaries, r->n_summaries + 1, sizeof *r->summaries);
    cw_dora_summary *copy = &r->summaries[r->n_summaries++];
    *copy = *s;
    copy->name = cw_report_intern(r, s->name);
    copy->team = cw_report_intern(r, s->team);
}

void cw_report_add_row(cw_report *r, cw_scope scope, const cw_metric_row *m)
{
    r->rows = cw_grow(r->rows, &r->cap_rows, r->n_rows + 1, sizeof *r->rows);
    cw_report_row *copy = &r->rows[r->n_rows++];
    copy->scope = scope;
    copy->m = *m;
    copy->m.name = cw_report_intern(r, m->name);
    copy->m.team = cw_report_intern(r, m->team);
}

void cw_report_add_untraceable(cw_report *r, const cw_report_untraceable *u)
{
    r->untraceable = cw_grow(r->untraceable, &r->cap_untraceable, r->n_untraceable + 1,
                              sizeof *r->untraceable);
    cw_report_untraceable *copy = &r->untraceable[r->n_untraceable++];
    *copy = *u;
    copy->application = cw_report_intern(r, u->application);
    copy->job = cw_report_intern(r, u->job);
    copy->revision = cw_report_intern(r, u->revision);
    copy->environment = cw_report_intern(r, u->environment);
}

void cw_report_add_rejects(cw_report *r, const cw_report_rejects *x)
{
    r->rejects = cw_grow(r->rejects, &r->cap_rejects, r->n_rejects + 1, sizeof *r->rejects);
    cw_report_rejects *copy = &r->rejects[r->n_rejects++];
    *copy = *x;
    copy->source = cw_report_intern(r, x->source);
}

void cw_report_add_wip(cw_report *r, const cw_report_wip *w)
{
    r->wip = cw_grow(r->wip, &r->cap_wip, r->n_wip + 1, sizeof *r->wip);
    cw_report_wip *copy = &r->wip[r->n_wip++];
    *copy = *w;
    copy->item_key = cw_report_intern(r, w->item_key);
    copy->summary = cw_report_intern(r, w->summary);
    copy->application = cw_report_intern(r, w->application);
    copy->status = cw_report_intern(r, w->status);
}

/* ------------------------------------------------------------ chart axes */

static int list_index(const char **items, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i], s) == 0)
            return (int)i;
    return -1;
}

/* Index the organisation and team rows by (series, period) once, so the
 * charts read each value in constant time however many rows there are. */
static void index_cells(const cw_report *r, cw_report_axes *a)
{
    a->cells = cw_xcalloc(a->n_series * a->n_periods + 1, sizeof *a->cells);
    for (size_t i = 0; i < r->n_rows; i++) {
        const cw_report_row *row = &r->rows[i];
        int s = row->scope == CW_SCOPE_ORG ? 0
              : row->scope == CW_SCOPE_TEAM && row->m.name
                  ? list_index(a->series + 1, a->n_series - 1, row->m.name) + 1 : -1;
        int p = -1;
        for (size_t k = 0; k < a->n_periods && p < 0; k++)
            if (strcmp(a->periods[k], row->m.period) == 0)
                p = (int)k;
        if (s >= 0 && p >= 0)
            a->cells[(size_t)s * a->n_periods + (size_t)p] = &row->m;
    }
}

int cw_report_axes_build(const cw_report *r, cw_report_axes *out)
{
    size_t weeks = 0;
    memset(out, 0, sizeof *out);
    for (int64_t t = r->from; t < r->to; t = cw_period_next(t, CW_PERIOD_WEEK))
        weeks++;
    out->periods = cw_xcalloc(weeks + 1, sizeof *out->periods);
    for (int64_t t = r->from; t < r->to; t = cw_period_next(t, CW_PERIOD_WEEK))
        cw_time_format_date(t, out->periods[out->n_periods++], sizeof out->periods[0]);
    out->series = cw_xcalloc(r->n_rows + 1, sizeof *out->series);
    out->series[out->n_series++] = cw_report_organisation(r);
    for (size_t i = 0; i < r->n_rows; i++) {
        const cw_report_row *row = &r->rows[i];
        if (row->scope == CW_SCOPE_TEAM && row->m.name
            && list_index(out->series + 1, out->n_series - 1, row->m.name) < 0)
            out->series[out->n_series++] = row->m.name;
    }
    index_cells(r, out);
    return 0;
}

void cw_report_axes_free(cw_report_axes *axes)
{
    free(axes->series);
    free(axes->periods);
    free(axes->cells);
    memset(axes, 0, sizeof *axes);
}

double cw_report_series_value(const cw_report *r, const cw_report_axes *axes,
                              size_t s, size_t p, const cw_metric_field *field)
{
    const cw_metric_row *row;
    if (s >= axes->n_series || p >= axes->n_periods)
        return NAN;
    row = axes->cells[s * axes->n_periods + p];
    return row ? cw_report_field_value(row, field) : NAN;
}

/* ------------------------------------------------------------ gathering */

static int keep_row(void *ctx, cw_scope scope, const cw_metric_row *row)
{
    cw_report_add_row(ctx, scope, row);
    return 0;
}

static int keep_summary(void *ctx, const cw_dora_summary *s)
{
    cw_report_add_summary(ctx, s);
    return 0;
}

static cw_stmt *prepare_embedded(cw_db *db, const char *path)
{
    const char *sql = cw_embedded_get(path);
    cw_stmt *st = NULL;
    if (!sql) {
        cw_error("report: %s is not embedded in this binary", path);
        return NULL;
    }
    if (cw_db_prepare(db, sql, &st) != CW_DB_OK) {
        cw_error("report: %s: %s", path, cw_db_errmsg(db));
        return NULL;
    }
    return st;
}

static const char *column_text(cw_report *r, cw_stmt *st, int col)
{
    return cw_report_intern(r, cw_db_column_text(st, col));
}

/* Step a prepared statement (bind_rc: how its binding went) to the end;
 * each row goes to add(r, st). */
static int run_list(cw_db *db, cw_stmt *st, int bind_rc, const char *what, cw_report *r,
                    void (*add)(cw_report *, cw_stmt *))
{
    int rc = bind_rc;
    while (rc == CW_DB_OK && (rc = cw_db_step(st)) == CW_DB_ROW) {
        add(r, st);
        rc = CW_DB_OK;
    }
    if (rc != CW_DB_DONE)
        cw_error("report: %s: %s", what, cw_db_errmsg(db));
    cw_db_finalize(st);
    return rc == CW_DB_DONE ? 0 : -1;
}

static void add_untraceable_row(cw_report *r, cw_stmt *st)
{
    cw_report_untraceable u = {
        .application = column_text(r, st, 0), .job = column_text(r, st, 1),
        .number = (long)cw_db_column_int(st, 2), .finished_at = cw_db_column_int(st, 3),
        .revision = column_text(r, st, 4), .environment = column_text(r, st, 5),
    };
    cw_report_add_untraceable(r, &u);
}

static void add_rejects_row(cw_report *r, cw_stmt *st)
{
    cw_report_rejects x = {
        .source = column_text(r, st, 0), .rejects = (long)cw_db_column_int(st, 1),
        .last_batch = cw_db_column_int(st, 2),
    };
    cw_report_add_rejects(r, &x);
}

static void add_wip_row(cw_report *r, cw_stmt *st)
{
    cw_report_wip w = {
        .item_key = column_text(r, st, 0), .summary = column_text(r, st, 1),
        .application = column_text(r, st, 2), .status = column_text(r, st, 3),
        .age_h = cw_db_column_real(st, 4),
    };
    cw_report_add_wip(r, &w);
}

static int gather_lists(cw_db *db, cw_report *r)
{
    cw_stmt *st;
    int rc;
    if (!(st = prepare_embedded(db, "reports/sql/report_untraceable.sql")))
        return -1;
    rc = cw_db_bind_int(st, 1, r->from);
    if (rc == CW_DB_OK)
        rc = cw_db_bind_int(st, 2, r->to);
    if (run_list(db, st, rc, "untraceable deployments", r, add_untraceable_row) != 0)
        return -1;
    if (!(st = prepare_embedded(db, "reports/sql/report_rejects.sql")))
        return -1;
    if (run_list(db, st, CW_DB_OK, "rejects", r, add_rejects_row) != 0)
        return -1;
    if (!(st = prepare_embedded(db, "reports/sql/report_wip_age.sql")))
        return -1;
    rc = cw_db_bind_int(st, 1, r->to);
    if (rc == CW_DB_OK)
        rc = cw_db_bind_int(st, 2, CW_REPORT_WIP_TOP);
    return run_list(db, st, rc, "work in progress", r, add_wip_row);
}

int cw_report_gather_templates(cw_db *db, const cw_config *cfg, int64_t from, int64_t to,
                               cw_report *r)
{
    /* each scope's weekly rows and its DORA summary from one reading of the window */
    cw_weekly_fns fns = { keep_row, keep_summary, r, NULL };
    cw_report_definition *def;
    cw_report_init(r, from, to);
    if (cfg && cfg->organisation)
        r->organisation = cw_report_intern(r, cfg->organisation);
    fns.organisation = r->organisation;
    /* the definition first: an analyst's mistake is named before any work */
    if (cw_report_definition_load(cfg ? cfg->report_templates : NULL, "weekly", &def) != 0)
        return -1;
    r->definition = def;
    if (cw_metrics_weekly(db, from, to, &fns) != 0) {
        cw_error("report: reading the metrics failed");
        return -1;
    }
    if (gather_lists(db, r) != 0)
        return -1;
    return cw_report_gather_sections(db, def, r);
}

int cw_report_gather(cw_db *db, int64_t from, int64_t to, cw_report *r)
{
    return cw_report_gather_templates(db, NULL, from, to, r);
}

/* ------------------------------------------------------------ output */

void cw_report_default_window(int64_t now, int64_t *from, int64_t *to)
{
    *to = cw_period_start(now, CW_PERIOD_WEEK);
    *from = *to - 12 * 7 * 86400;
}

void cw_report_week_of(const cw_report *r, char out[11])
{
    cw_time_format_date(r->to - 7 * 86400, out, 11);
}

char *cw_report_path(const char *dir, const cw_report *r, const char *ext)
{
    char date[11];
    cw_time_format_date(r->to, date, sizeof date);
    return cw_asprintf("%s/catwalk-weekly-%s.%s", dir, date, ext);
}

/* mkdir -p: the reports folder is often new on a fresh install. */
static int make_dirs(const char *dir)
{
    if (cw_mkdirs(dir) == 0)
        return 0;
    cw_error("report: cannot create %s: %s", dir, strerror(errno));
    return -1;
}

int cw_report_render(const cw_report *r, const char *out_dir, unsigned formats)
{
    int rc = 0;
    if (make_dirs(out_dir) != 0)
        return -1;
    cw_killpoint("report");
    if (formats & CW_REPORT_XLSX) {
        char *path = cw_report_path(out_dir, r, "xlsx");
        if (cw_report_write_xlsx(r, path) != 0)
            rc = -1;
        else
            cw_debug("report: wrote %s", path);
        free(path);
    }
    if (formats & CW_REPORT_HTML) {
        char *path = cw_report_path(out_dir, r, "html");
        if (cw_report_write_html(r, path) != 0)
            rc = -1;
        else
            cw_debug("report: wrote %s", path);
        free(path);
    }
    return rc;
}

int cw_report_weekly(cw_db *db, const cw_config *cfg, int64_t from, int64_t to,
                     const char *out_dir)
{
    cw_report r;
    int rc = cw_report_gather_templates(db, cfg, from, to, &r);
    if (rc == 0)
        rc = cw_report_gather_exec(db, cfg, &r);
    if (rc == 0)
        rc = cw_report_render(&r, out_dir ? out_dir : cfg->reports, CW_REPORT_ALL);
    cw_report_free(&r);
    return rc;
}
