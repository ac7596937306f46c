/*
 * charts.c - the charts' data and the chart model (chart.h) built from the
 * report model.
 *
 * Gathering (cw_report_gather_charts, the last step of the executive layer):
 * what the weekly metric rows lack comes in as tables read like the value
 * stream sections (reports/section.c), one query per chart in
 * reports/sql/report_chart_*.sql over the window, by team; the monthly view
 * reads the metric rows by calendar month (reports/metrics.h); the DORA
 * bands are the warehouse's dora_band view.  The tables are kept apart from
 * the sections (r->exec.charts), so no renderer lays out thousands of
 * scatter points as a table.
 *
 * Building (cw_chart_*): each chart is computed here once - values in the
 * unit shown (days, %, hours), bands converted to that unit, percentiles by
 * the one rule of reports/levels.c - and the renderers only draw it.
 */
#include "chart.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"
#include "report.h"

/* ------------------------------------------------------------ the model */

void cw_chart_init(cw_chart *c, const char *id, const char *title, cw_plot_kind kind,
                   cw_chart_x x_kind)
{
    memset(c, 0, sizeof *c);
    c->id = cw_strdup(id);
    c->title = cw_strdup(title);
    c->kind = kind;
    c->x_kind = x_kind;
    c->columns = 1;
}

static void panel_free(cw_chart_panel *p)
{
    for (size_t s = 0; s < p->n_series; s++) {
        free(p->series[s].name);
        free(p->series[s].x);
        free(p->series[s].y);
    }
    for (size_t l = 0; l < p->n_lines; l++)
        free(p->lines[l].label);
    free(p->series);
    free(p->bands);
    free(p->lines);
    free(p->title);
    free(p->y_unit);
}

void cw_chart_free(cw_chart *c)
{
    for (size_t i = 0; i < c->n_panels; i++)
        panel_free(&c->panels[i]);
    for (size_t i = 0; i < c->n_categories; i++)
        free(c->categories[i]);
    free(c->panels);
    free(c->categories);
    free(c->id);
    free(c->title);
    free(c->alt);
    free(c->x_unit);
    free(c->y_unit);
    memset(c, 0, sizeof *c);
}

void cw_chart_free_all(cw_chart *charts, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cw_chart_free(&charts[i]);
    free(charts);
}

void cw_chart_add_category(cw_chart *c, const char *label)
{
    c->categories = cw_xrealloc(c->categories, (c->n_categories + 1) * sizeof *c->categories);
    c->categories[c->n_categories++] = cw_strdup(label);
}

cw_chart_panel *cw_chart_add_panel(cw_chart *c, const char *title, int y_group)
{
    c->panels = cw_grow(c->panels, &c->cap_panels, c->n_panels + 1, sizeof *c->panels);
    cw_chart_panel *p = &c->panels[c->n_panels++];
    memset(p, 0, sizeof *p);
    p->title = cw_strdup(title);
    p->y_group = y_group;
    return p;
}

static double *copy_values(const double *v, size_t n)
{
    double *out;
    if (!v)
        return NULL;
    out = cw_xcalloc(n ? n : 1, sizeof *out);
    memcpy(out, v, n * sizeof *out);
    return out;
}

cw_chart_series *cw_chart_add_series(cw_chart_panel *p, const char *name, cw_chart_role role,
                                     int index, const double *x, const double *y, size_t n)
{
    p->series = cw_grow(p->series, &p->cap_series, p->n_series + 1, sizeof *p->series);
    cw_chart_series *s = &p->series[p->n_series++];
    s->name = cw_strdup(name);
    s->role = role;
    s->index = index;
    s->x = copy_values(x, n);
    s->y = copy_values(y, n);
    if (!s->y)
        s->y = cw_xcalloc(1, sizeof *s->y);
    s->n = n;
    return s;
}

void cw_chart_add_band(cw_chart_panel *p, double lo, double hi, int level)
{
    p->bands = cw_grow(p->bands, &p->cap_bands, p->n_bands + 1, sizeof *p->bands);
    p->bands[p->n_bands++] = (cw_chart_band){ lo, hi, level };
}

void cw_chart_add_line(cw_chart_panel *p, int vertical, double at, const char *label,
                       cw_chart_role role)
{
    p->lines = cw_grow(p->lines, &p->cap_lines, p->n_lines + 1, sizeof *p->lines);
    p->lines[p->n_lines++] = (cw_chart_line){ vertical, at, cw_strdup(label), role };
}

void cw_chart_set_alt(cw_chart *c, const char *fmt, ...)
{
    va_list ap;
    char buf[512];
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    free(c->alt);
    c->alt = cw_strdup(buf);
}

/* ------------------------------------------------------------ colours */

/* The categorical palette is the page's (reports/html.c): the organisation
 * first, then teams.  Flow types and states keep one colour everywhere. */
uint32_t cw_chart_colour(cw_chart_role role, int index)
{
    static const uint32_t palette[] = { 0x24292F, 0x0969DA, 0xBF3989, 0x1A7F37,
                                        0xBC4C00, 0x8250DF, 0x1B7C83, 0x9A6700 };
    /* the value stream map's (xlsx.c): blues active, oranges waiting */
    static const uint32_t active[] = { 0x2F5597, 0x5B9BD5, 0x1F3864, 0x9DC3E6, 0x4472C4 };
    static const uint32_t waiting[] = { 0xED7D31, 0xC55A11, 0xF4B183, 0x843C0C, 0xFFC000 };
    switch (role) {
    case CW_ROLE_SERIES: return palette[(size_t)(index < 0 ? 0 : index) % 8];
    case CW_ROLE_ORG: return 0x24292F;
    case CW_ROLE_FEATURE: return 0x2F5597;
    case CW_ROLE_DEFECT: return 0xC00000;
    case CW_ROLE_RISK: return 0xED7D31;
    case CW_ROLE_DEBT: return 0x8C8C8C;
    case CW_ROLE_TODO: return 0xBDD7EE;
    case CW_ROLE_ACTIVE: return active[(size_t)(index < 0 ? 0 : index) % 5];
    case CW_ROLE_WAITING: return waiting[(size_t)(index < 0 ? 0 : index) % 5];
    case CW_ROLE_DONE: return 0x70AD47;
    case CW_ROLE_SCOPE: return 0x595959;
    case CW_ROLE_CONE: return 0xF8CBAD;
    case CW_ROLE_P50: return 0x595959;
    case CW_ROLE_P85: return 0xC00000;
    case CW_ROLE_PLANNED: return 0x8250DF;
    }
    return 0x24292F;
}

/* Light tints of the workbook's level colours (xlsx.c level_fill), so a
 * band reads as a background and the line on it stays the figure. */
uint32_t cw_chart_band_colour(int level)
{
    switch (level) {
    case CW_LEVEL_ELITE: return 0xD3E6D8;
    case CW_LEVEL_HIGH: return 0xE6F1E0;
    case CW_LEVEL_MEDIUM: return 0xFFF2CC;
    case CW_LEVEL_LOW: return 0xF9DEDE;
    default: return 0xF2F2F2;
    }
}

/* ------------------------------------------------------------ scales */

static int stacked(const cw_chart *c)
{
    return c->kind == CW_PLOT_STACKED_COLUMN || c->kind == CW_PLOT_STACKED_AREA;
}

static void widen(double v, double *lo, double *hi)
{
    if (isnan(v))
        return;
    if (v < *lo)
        *lo = v;
    if (v > *hi)
        *hi = v;
}

/* Stacked kinds span the sum of each category's values. */
static void panel_y_extent(const cw_chart *c, const cw_chart_panel *p, double *lo, double *hi)
{
    size_t n = 0;
    for (size_t s = 0; s < p->n_series; s++)
        n = p->series[s].n > n ? p->series[s].n : n;
    for (size_t i = 0; stacked(c) && i < n; i++) {
        double sum = 0;
        for (size_t s = 0; s < p->n_series; s++)
            if (i < p->series[s].n && !isnan(p->series[s].y[i]))
                sum += p->series[s].y[i];
        widen(sum, lo, hi);
    }
    for (size_t s = 0; !stacked(c) && s < p->n_series; s++)
        for (size_t i = 0; i < p->series[s].n; i++)
            widen(p->series[s].y[i], lo, hi);
    for (size_t l = 0; l < p->n_lines; l++)
        if (!p->lines[l].vertical)
            widen(p->lines[l].at, lo, hi);
}

void cw_chart_y_scale(const cw_chart *c, int group, double *lo, double *hi, double *step)
{
    double a = 0, b = 0, raw, p, m;
    for (size_t i = 0; i < c->n_panels; i++)
        if (c->panels[i].y_group == group)
            panel_y_extent(c, &c->panels[i], &a, &b);
    if (b - a <= 0)
        b = a + (c->y_percent ? 10 : 1);
    raw = (b - a) / 4.0;
    p = pow(10.0, floor(log10(raw)));
    m = raw / p;
    *step = (m <= 1.0 ? 1.0 : m <= 2.0 ? 2.0 : m <= 5.0 ? 5.0 : 10.0) * p;
    *lo = floor(a / *step) * *step;
    *hi = ceil(b / *step) * *step;
    if (*hi - *lo < *step)
        *hi = *lo + *step;
}

void cw_chart_x_range(const cw_chart *c, double *lo, double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < c->n_panels; i++) {
        const cw_chart_panel *p = &c->panels[i];
        for (size_t s = 0; s < p->n_series; s++)
            for (size_t k = 0; p->series[s].x && k < p->series[s].n; k++)
                widen(p->series[s].x[k], lo, hi);
        for (size_t l = 0; l < p->n_lines; l++)
            if (p->lines[l].vertical)
                widen(p->lines[l].at, lo, hi);
    }
    if (!isfinite(*lo)) {
        *lo = 0;
        *hi = 1;
    } else if (*hi <= *lo) {
        *hi = *lo + (c->x_kind == CW_X_TIME ? 86400 : 1);
    }
}

/* ------------------------------------------------------------ gathering */

/* The charts' queries: section rows as the value stream sections have, kept
 * in this file; none is shown as a section (r->exec.charts.tables). */
#define SQL_CYCLE_TIME CW_CHART_SQL_CYCLE_TIME
#define SQL_CFD CW_CHART_SQL_CFD
#define SQL_AGING_WIP CW_CHART_SQL_AGING_WIP
#define SQL_BURNUP CW_CHART_SQL_BURNUP

static const cw_report_section chart_sections[] = {
    { .sheet = "Cycle time", .title = "Cycle time of the items done in the window",
      .intro = "One row per item done in the window with a cycle time.", .sql = SQL_CYCLE_TIME },
    { .sheet = "Cumulative flow", .title = "Items per state and day",
      .intro = "Per day and team, items to do, active, waiting and done since the window began.",
      .sql = SQL_CFD },
    { .sheet = "Aging WIP", .title = "Work in progress by age",
      .intro = "Items in progress at the end of the window, their status and WIP age.",
      .sql = SQL_AGING_WIP },
    { .sheet = "Burn-up", .title = "Release burn-up",
      .intro = "Per open release and day: its scope and the items done.", .sql = SQL_BURNUP },
};
#define N_CHART_SECTIONS (sizeof chart_sections / sizeof chart_sections[0])

/* v_release_burnup is the forecast step's view: a warehouse loaded before
 * it existed has none, and then there is no burn-up (not a failed report).
 * A reader runs outside a transaction, so the failed probe costs nothing. */
static int has_burnup_view(cw_db *db)
{
    cw_stmt *st = NULL;
    int rc = cw_db_prepare(db, "SELECT release, day, scope, done FROM v_release_burnup WHERE 1 = 0",
                           &st);
    cw_db_finalize(st);
    if (rc != CW_DB_OK)
        cw_debug("report: no v_release_burnup in the warehouse: no burn-up chart");
    return rc == CW_DB_OK;
}

/* Run a chart query as a section, then move its table to the chart data. */
static int gather_chart_table(cw_db *db, const cw_report_section *s, cw_report *r)
{
    cw_report_chart_data *d = &r->exec.charts;
    if (cw_report_gather_section(db, s, r) != 0)
        return -1;
    d->tables = cw_grow(d->tables, &d->cap_tables, d->n_tables + 1, sizeof *d->tables);
    d->tables[d->n_tables++] = r->tables[--r->n_tables];
    return 0;
}

typedef struct monthly_ctx {
    cw_report *r;
    cw_scope scope;
} monthly_ctx;

static int keep_monthly(void *ctx, const cw_metric_row *row)
{
    monthly_ctx *m = ctx;
    cw_report_chart_data *d = &m->r->exec.charts;
    d->monthly = cw_grow(d->monthly, &d->cap_monthly, d->n_monthly + 1, sizeof *d->monthly);
    cw_report_row *copy = &d->monthly[d->n_monthly++];
    copy->scope = m->scope;
    copy->m = *row;
    copy->m.name = cw_report_intern(m->r, row->name);
    copy->m.team = cw_report_intern(m->r, row->team);
    return 0;
}

/* The 12 calendar months before the month holding the window's end: the
 * current month is partial and left out, as metrics.md's windows do. */
static void monthly_window(int64_t to, int64_t *from_out, int64_t *to_out)
{
    int y, m, d;
    *to_out = cw_period_start(to, CW_PERIOD_MONTH);
    cw_civil_from_days(*to_out / 86400, &y, &m, &d);
    *from_out = cw_days_from_civil(y - 1, m, 1) * 86400;
}

static int gather_monthly(cw_db *db, cw_report *r)
{
    cw_report_chart_data *d = &r->exec.charts;
    cw_metrics_query q = { .by = CW_PERIOD_MONTH, .organisation = cw_report_organisation(r) };
    monthly_window(r->to, &d->monthly_from, &d->monthly_to);
    q.from = d->monthly_from;
    q.to = d->monthly_to;
    for (int i = 0; i < 2; i++) {
        monthly_ctx m = { r, i == 0 ? CW_SCOPE_ORG : CW_SCOPE_TEAM };
        q.scope = m.scope;
        if (cw_metrics_rows(db, &q, keep_monthly, &m) != 0)
            return -1;
    }
    return 0;
}

cw_report_table *cw_chart_add_data_table(cw_report *r, const char *sql, const char *const *cols,
                                         const int *kinds, size_t n_cols)
{
    cw_report_chart_data *d = &r->exec.charts;
    cw_report_cell_kind *k = cw_xcalloc(n_cols + 1, sizeof *k);
    cw_report_table *t = NULL;
    for (size_t c = 0; c < n_cols; c++)
        k[c] = (cw_report_cell_kind)kinds[c];
    for (size_t i = 0; i < N_CHART_SECTIONS && !t; i++)
        if (strcmp(chart_sections[i].sql, sql) == 0) {
            t = cw_report_add_table(r, &chart_sections[i], cols, k, n_cols);
            d->tables = cw_grow(d->tables, &d->cap_tables, d->n_tables + 1, sizeof *d->tables);
            d->tables[d->n_tables] = r->tables[--r->n_tables];
            t = &d->tables[d->n_tables++];
        }
    free(k);
    return t;
}

int cw_report_gather_charts(cw_db *db, cw_report *r)
{
    cw_report_chart_data *d = &r->exec.charts;
    int burnup = has_burnup_view(db);
    for (size_t i = 0; i < N_CHART_SECTIONS; i++) {
        if (strcmp(chart_sections[i].sql, SQL_BURNUP) == 0 && !burnup)
            continue;
        if (gather_chart_table(db, &chart_sections[i], r) != 0)
            return -1;
    }
    if (gather_monthly(db, r) != 0)
        return -1;
    d->bands = cw_xcalloc(1, sizeof *d->bands);
    return cw_dora_bands_load(db, d->bands);
}

void cw_report_charts_free(cw_report *r)
{
    cw_report_chart_data *d = &r->exec.charts;
    for (size_t i = 0; i < d->n_tables; i++)
        cw_report_table_free(&d->tables[i]);
    free(d->tables);
    free(d->monthly);
    free(d->bands);
    memset(d, 0, sizeof *d);
}

/* ------------------------------------------------------------ reading the model */

static const cw_report_table *chart_table(const cw_report *r, const char *sql)
{
    for (size_t i = 0; i < r->exec.charts.n_tables; i++)
        if (strcmp(r->exec.charts.tables[i].section->sql, sql) == 0)
            return &r->exec.charts.tables[i];
    return NULL;
}

static double cell_num(const cw_report_table *t, size_t row, int col)
{
    return col < 0 ? NAN : t->nums[row * t->n_cols + (size_t)col];
}

static const char *cell_text(const cw_report_table *t, size_t row, int col)
{
    return col < 0 ? NULL : t->texts[row * t->n_cols + (size_t)col];
}

/* A row belongs to the chart when no team slice is set, or it is the slice's. */
static int in_slice(const cw_report *r, const char *team)
{
    return !r->exec.team_slice || (team && strcmp(team, r->exec.team_slice) == 0);
}

/* Whom the charts are about: the team slice, else the organisation. */
static const char *subject(const cw_report *r)
{
    return r->exec.team_slice ? r->exec.team_slice : cw_report_organisation(r);
}

/* The value of field in the row of (scope, name, period) of rows; NAN when absent. */
static double row_value(const cw_report_row *rows, size_t n, cw_scope scope, const char *name,
                        const char *period, const cw_metric_field *field)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].scope == scope && strcmp(rows[i].m.period, period) == 0 &&
            (scope == CW_SCOPE_ORG || (rows[i].m.name && strcmp(rows[i].m.name, name) == 0)))
            return cw_report_field_value(&rows[i].m, field);
    return NAN;
}

static size_t count_values(const double *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += !isnan(v[i]);
    return k;
}

static void first_last(const double *v, size_t n, double *first, double *last)
{
    *first = *last = NAN;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) {
            if (isnan(*first))
                *first = v[i];
            *last = v[i];
        }
}

/* ------------------------------------------------------------ DORA charts */

/* One DORA key as charted: the metric row field, the dora_band metric, the
 * unit and the factor from the field's unit to the one shown. */
typedef struct dora_key {
    const char *label;
    const char *field;
    const char *band_metric;
    const char *unit_week, *unit_month;
    double factor;
    int percent;
} dora_key;

static const dora_key dora_keys[] = {
    { "Deploy days", "deploy_days", "deploy_frequency", "days per week", "days per month", 1, 0 },
    { "Lead time for changes, median", "lead_time_median_h", "lead_time", "days", "days",
      1.0 / 24.0, 0 },
    { "Change failure rate", "change_failure_rate", "change_failure_rate", "%", "%", 100, 1 },
    { "Time to restore, median", "restore_median_h", "restore", "hours", "hours", 1, 0 },
};
#define N_DORA_KEYS (sizeof dora_keys / sizeof dora_keys[0])

/* A band's bound in the unit shown.  Deploy-frequency bands rate deploy
 * days per week (high, elite) or per month (medium, low): on a weekly chart
 * a monthly bound is scaled by 12/52 (a month is 52/12 weeks), on a monthly
 * chart a weekly one by 52/12; the level itself is decided by metrics.c. */
static double band_bound(const cw_dora_band *b, double v, const dora_key *k, int monthly)
{
    int band_monthly = b->measure == offsetof(cw_dora_summary, monthly_median_deploy_days);
    int band_weekly = b->measure == offsetof(cw_dora_summary, weekly_median_deploy_days);
    if (isnan(v))
        return v;
    if (monthly && band_weekly)
        return v * 52.0 / 12.0;
    if (!monthly && band_monthly)
        return v * 12.0 / 52.0;
    return v * k->factor;
}

/* The bands of one key, each clipped where a better level's band begins,
 * so overlapping rules (deploy frequency's weekly and monthly bands) shade
 * each y once, in the colour of the best level that holds there. */
static void add_dora_bands(cw_chart_panel *p, const cw_dora_bands *bands, const dora_key *k,
                           int monthly)
{
    cw_chart_band got[CW_DORA_MAX_BANDS];
    size_t n = 0;
    for (size_t i = 0; bands && i < bands->n; i++)
        if (strcmp(bands->band[i].metric, k->band_metric) == 0)
            got[n++] = (cw_chart_band){ band_bound(&bands->band[i], bands->band[i].lower, k, monthly),
                                        band_bound(&bands->band[i], bands->band[i].upper, k, monthly),
                                        bands->band[i].level };
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            cw_chart_band *x = &got[a];
            const cw_chart_band *y = &got[b];
            if (y->level <= x->level)
                continue;
            if (!isnan(y->lo) && (isnan(x->lo) || y->lo > x->lo) && (isnan(x->hi) || y->lo < x->hi))
                x->hi = y->lo;          /* the better band begins inside x: x stops there */
            else if (!isnan(y->hi) && (isnan(x->hi) || y->hi < x->hi) &&
                     (isnan(x->lo) || y->hi > x->lo))
                x->lo = y->hi;          /* the better band ends inside x: x starts there */
        }
    for (size_t a = 0; a < n; a++)
        if (isnan(got[a].lo) || isnan(got[a].hi) || got[a].hi > got[a].lo)
            cw_chart_add_band(p, got[a].lo, got[a].hi, got[a].level);
}

/* The periods of a grain: the weekly axes' weeks, or the monthly window's months. */
typedef struct periods {
    char (*label)[11];
    size_t n;
} periods;

static void periods_build(const cw_report *r, int monthly, periods *out)
{
    int64_t from = monthly ? r->exec.charts.monthly_from : r->from;
    int64_t to = monthly ? r->exec.charts.monthly_to : r->to;
    cw_period_kind kind = monthly ? CW_PERIOD_MONTH : CW_PERIOD_WEEK;
    out->n = 0;
    for (int64_t t = from; t < to; t = cw_period_next(t, kind))
        out->n++;
    out->label = cw_xcalloc(out->n + 1, sizeof *out->label);
    out->n = 0;
    for (int64_t t = from; t < to; t = cw_period_next(t, kind))
        cw_time_format_date(t, out->label[out->n++], sizeof out->label[0]);
}

/* One key's series for a member over the periods, in the unit shown. */
static size_t dora_series(const cw_report *r, int monthly, const periods *ps, const dora_key *k,
                          cw_scope scope, const char *name, double *y)
{
    const cw_metric_field *f = cw_report_field_find(k->field);
    const cw_report_row *rows = monthly ? r->exec.charts.monthly : r->rows;
    size_t n = monthly ? r->exec.charts.n_monthly : r->n_rows;
    for (size_t p = 0; p < ps->n; p++)
        y[p] = f ? row_value(rows, n, scope, name, ps->label[p], f) * k->factor : NAN;
    return count_values(y, ps->n);
}

static void add_period_categories(cw_chart *c, const periods *ps, int monthly)
{
    for (size_t p = 0; p < ps->n; p++) {
        char label[11];
        snprintf(label, sizeof label, "%.*s", monthly ? 7 : 10, ps->label[p]);
        cw_chart_add_category(c, label);
    }
}

static void fmt_value(char *buf, size_t size, double v)
{
    if (isnan(v))
        snprintf(buf, size, "none");
    else
        snprintf(buf, size, fabs(v) >= 10 ? "%.0f" : "%.1f", v);
}

/* The four keys of the organisation (or the team slice), one panel each. */
static int dora_overview(const cw_report *r, int monthly, cw_chart *c)
{
    periods ps;
    cw_buf alt = {0};
    size_t points = 0;
    cw_scope scope = r->exec.team_slice ? CW_SCOPE_TEAM : CW_SCOPE_ORG;
    periods_build(r, monthly, &ps);
    double *y = cw_xcalloc(ps.n + 1, sizeof *y);
    cw_chart_init(c, monthly ? "dora-monthly" : "dora",
                  monthly ? "DORA keys by month" : "DORA keys by week", CW_PLOT_LINE, CW_X_CATEGORY);
    c->columns = 2;
    c->x_unit = cw_strdup(monthly ? "month" : "week starting");
    add_period_categories(c, &ps, monthly);
    cw_buf_printf(&alt, "DORA keys by %s, %s, %zu %ss:", monthly ? "month" : "week", subject(r),
                  ps.n, monthly ? "month" : "week");
    for (size_t k = 0; k < N_DORA_KEYS; k++) {
        const dora_key *key = &dora_keys[k];
        char a[32], b[32];
        double first, last;
        points += dora_series(r, monthly, &ps, key, scope, r->exec.team_slice, y);
        cw_chart_panel *p = cw_chart_add_panel(c, key->label, (int)k);
        p->y_unit = cw_strdup(monthly ? key->unit_month : key->unit_week);
        add_dora_bands(p, r->exec.charts.bands, key, monthly);
        cw_chart_add_series(p, subject(r), CW_ROLE_ORG, 0, NULL, y, ps.n);
        first_last(y, ps.n, &first, &last);
        fmt_value(a, sizeof a, first);
        fmt_value(b, sizeof b, last);
        cw_buf_printf(&alt, "%s %s %s -> %s %s", k ? ";" : "", key->label, a, b, p->y_unit);
    }
    cw_chart_set_alt(c, "%s.", alt.data);
    cw_buf_free(&alt);
    free(y);
    free(ps.label);
    if (points == 0) {
        cw_chart_free(c);
        return -1;
    }
    return 0;
}

int cw_chart_dora(const cw_report *r, cw_chart *c)
{
    return dora_overview(r, 0, c);
}

int cw_chart_monthly(const cw_report *r, cw_chart *c)
{
    return r->exec.charts.n_monthly ? dora_overview(r, 1, c) : -1;
}

/* The teams of the weekly rows, in order of appearance. */
static size_t teams_of(const cw_report *r, const char ***out)
{
    size_t n = 0;
    *out = cw_xcalloc(r->n_rows + 1, sizeof **out);
    for (size_t i = 0; i < r->n_rows; i++) {
        const char *name = r->rows[i].m.name;
        size_t k;
        if (r->rows[i].scope != CW_SCOPE_TEAM || !name || !in_slice(r, name))
            continue;
        for (k = 0; k < n && strcmp((*out)[k], name) != 0; k++)
            ;
        if (k == n)
            (*out)[n++] = name;
    }
    return n;
}

int cw_chart_dora_teams(const cw_report *r, size_t key, cw_chart *c)
{
    static const char *const ids[] = { "dora-teams-deploy-days", "dora-teams-lead-time",
                                       "dora-teams-change-failure", "dora-teams-restore" };
    const dora_key *k;
    const char **teams;
    periods ps;
    size_t n_teams, points = 0;
    char title[128];
    if (key >= N_DORA_KEYS)
        return -1;
    k = &dora_keys[key];
    n_teams = teams_of(r, &teams);
    periods_build(r, 0, &ps);
    double *y = cw_xcalloc(ps.n + 1, sizeof *y);
    if (r->exec.team_slice)
        snprintf(title, sizeof title, "%s (%s), %s", k->label, k->unit_week, r->exec.team_slice);
    else
        snprintf(title, sizeof title, "%s (%s), organisation and teams", k->label, k->unit_week);
    cw_chart_init(c, ids[key], title, CW_PLOT_LINE, CW_X_CATEGORY);
    c->columns = 3;
    c->y_unit = cw_strdup(k->unit_week);
    c->x_unit = cw_strdup("week starting");
    add_period_categories(c, &ps, 0);
    /* the organisation's panel first, apart from the teams (not in a slice:
     * the slice's own team panel is its whole picture) */
    for (size_t m = r->exec.team_slice ? 1 : 0; m <= n_teams; m++) {
        const char *name = m == 0 ? cw_report_organisation(r) : teams[m - 1];
        points += dora_series(r, 0, &ps, k, m == 0 ? CW_SCOPE_ORG : CW_SCOPE_TEAM, name, y);
        cw_chart_panel *p = cw_chart_add_panel(c, name, 0);
        add_dora_bands(p, r->exec.charts.bands, k, 0);
        cw_chart_add_series(p, name, m == 0 ? CW_ROLE_ORG : CW_ROLE_SERIES, (int)m, NULL, y, ps.n);
    }
    if (r->exec.team_slice)
        cw_chart_set_alt(c, "%s by week for team %s, DORA bands behind.", k->label,
                         r->exec.team_slice);
    else
        cw_chart_set_alt(c, "%s by week for the organisation and %zu team%s, on one scale, DORA "
                         "bands behind.", k->label, n_teams, n_teams == 1 ? "" : "s");
    free(y);
    free(ps.label);
    free(teams);
    if (points == 0) {
        cw_chart_free(c);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ flow charts */

static const struct { const char *name; cw_chart_role role; } flow_types[] = {
    { "feature", CW_ROLE_FEATURE }, { "defect", CW_ROLE_DEFECT },
    { "risk", CW_ROLE_RISK }, { "debt", CW_ROLE_DEBT },
};
#define N_FLOW_TYPES 4

int cw_chart_throughput_type(const cw_report *r, cw_chart *c)
{
    static const char *const fields[N_FLOW_TYPES] = { "throughput_feature", "throughput_defect",
                                                      "throughput_risk", "throughput_debt" };
    periods ps;
    cw_scope scope = r->exec.team_slice ? CW_SCOPE_TEAM : CW_SCOPE_ORG;
    double totals[N_FLOW_TYPES] = {0}, first = NAN, last = NAN;
    size_t points = 0;
    periods_build(r, 0, &ps);
    double *y = cw_xcalloc(ps.n + 1, sizeof *y), *sum = cw_xcalloc(ps.n + 1, sizeof *sum);
    cw_chart_init(c, "throughput-type", "Items finished per week by flow type",
                  CW_PLOT_STACKED_COLUMN, CW_X_CATEGORY);
    c->y_unit = cw_strdup("items");
    c->x_unit = cw_strdup("week starting");
    add_period_categories(c, &ps, 0);
    cw_chart_panel *p = cw_chart_add_panel(c, NULL, 0);
    for (size_t t = 0; t < N_FLOW_TYPES; t++) {
        const cw_metric_field *f = cw_report_field_find(fields[t]);
        for (size_t k = 0; k < ps.n; k++) {
            y[k] = f ? row_value(r->rows, r->n_rows, scope, r->exec.team_slice, ps.label[k], f) : NAN;
            if (!isnan(y[k])) {
                totals[t] += y[k];
                sum[k] += y[k];
                points++;
            }
        }
        cw_chart_add_series(p, flow_types[t].name, flow_types[t].role, 0, NULL, y, ps.n);
    }
    if (ps.n) {
        first = sum[0];
        last = sum[ps.n - 1];
    }
    cw_chart_set_alt(c, "Items finished per week by flow type, %s: %.0f -> %.0f over %zu weeks "
                     "(feature %.0f, defect %.0f, risk %.0f, debt %.0f).", subject(r), first, last,
                     ps.n, totals[0], totals[1], totals[2], totals[3]);
    free(y);
    free(sum);
    free(ps.label);
    if (points == 0) {
        cw_chart_free(c);
        return -1;
    }
    return 0;
}

/* The p50 and p85 of values by the report's one rule (levels.c), in place. */
static void percentiles(double *v, size_t n, double *p50, double *p85)
{
    *p50 = cw_median(v, n);
    *p85 = cw_percentile(v, n, 85);
}

/* The cycle times (days) of the slice's items done in the window. */
static size_t cycle_days(const cw_report *r, double **out)
{
    const cw_report_table *t = chart_table(r, SQL_CYCLE_TIME);
    size_t n = 0;
    *out = NULL;
    if (!t)
        return 0;
    int team = cw_report_table_column(t, "team"), h = cw_report_table_column(t, "cycle_time_h");
    *out = cw_xcalloc(t->n_rows + 1, sizeof **out);
    for (size_t i = 0; i < t->n_rows; i++)
        if (in_slice(r, cell_text(t, i, team)) && !isnan(cell_num(t, i, h)))
            (*out)[n++] = cell_num(t, i, h) / 24.0;
    return n;
}

int cw_chart_cycle_time(const cw_report *r, cw_chart *c)
{
    const cw_report_table *t = chart_table(r, SQL_CYCLE_TIME);
    double *all, p50, p85;
    size_t n_all = cycle_days(r, &all);
    char label[64];
    if (!t || n_all == 0) {
        free(all);
        return -1;
    }
    int team = cw_report_table_column(t, "team"), type = cw_report_table_column(t, "flow_type");
    int at = cw_report_table_column(t, "done_at"), h = cw_report_table_column(t, "cycle_time_h");
    double *x = cw_xcalloc(t->n_rows + 1, sizeof *x), *y = cw_xcalloc(t->n_rows + 1, sizeof *y);
    cw_chart_init(c, "cycle-time", "Cycle time of the items done in the window", CW_PLOT_SCATTER,
                  CW_X_TIME);
    c->y_unit = cw_strdup("days");
    c->x_unit = cw_strdup("done");
    cw_chart_panel *p = cw_chart_add_panel(c, NULL, 0);
    for (size_t f = 0; f < N_FLOW_TYPES; f++) {
        size_t n = 0;
        for (size_t i = 0; i < t->n_rows; i++) {
            const char *ft = cell_text(t, i, type);
            if (!in_slice(r, cell_text(t, i, team)) || isnan(cell_num(t, i, h)) || !ft ||
                strcmp(ft, flow_types[f].name) != 0)
                continue;
            x[n] = cell_num(t, i, at);
            y[n++] = cell_num(t, i, h) / 24.0;
        }
        if (n)
            cw_chart_add_series(p, flow_types[f].name, flow_types[f].role, 0, x, y, n);
    }
    percentiles(all, n_all, &p50, &p85);
    snprintf(label, sizeof label, "p50 %.1f d", p50);
    cw_chart_add_line(p, 0, p50, label, CW_ROLE_P50);
    snprintf(label, sizeof label, "p85 %.1f d", p85);
    cw_chart_add_line(p, 0, p85, label, CW_ROLE_P85);
    cw_chart_set_alt(c, "Cycle time of %zu items done in the window, %s: p50 %.1f days, "
                     "p85 %.1f days.", n_all, subject(r), p50, p85);
    free(all);
    free(x);
    free(y);
    return 0;
}

/* The CFD's states, bottom to top. */
static const struct { const char *state, *label; cw_chart_role role; } cfd_states[] = {
    { "done", "done", CW_ROLE_DONE }, { "waiting", "waiting", CW_ROLE_WAITING },
    { "active", "active", CW_ROLE_ACTIVE }, { "todo", "to do", CW_ROLE_TODO },
};

int cw_chart_cfd(const cw_report *r, cw_chart *c)
{
    const cw_report_table *t = chart_table(r, SQL_CFD);
    size_t n_days = 0;
    if (!t || t->n_rows == 0)
        return -1;
    int day = cw_report_table_column(t, "day_at"), team = cw_report_table_column(t, "team");
    int state = cw_report_table_column(t, "state"), change = cw_report_table_column(t, "items_change");
    for (int64_t d = r->from; d < r->to; d += 86400)
        n_days++;
    double *y = cw_xcalloc(4 * n_days + 1, sizeof *y);
    /* the query gives each day's change per state: add them up */
    for (size_t i = 0; i < t->n_rows; i++) {
        double at = cell_num(t, i, day);
        const char *s = cell_text(t, i, state);
        if (!in_slice(r, cell_text(t, i, team)) || isnan(at) || !s || at < (double)r->from)
            continue;
        size_t k = (size_t)((at - (double)r->from) / 86400.0);
        for (size_t j = 0; j < 4 && k < n_days; j++)
            if (strcmp(s, cfd_states[j].state) == 0)
                y[j * n_days + k] += cell_num(t, i, change);
    }
    for (size_t j = 0; j < 4; j++)
        for (size_t k = 1; k < n_days; k++)
            y[j * n_days + k] += y[j * n_days + k - 1];
    cw_chart_init(c, "cfd", "Cumulative flow: items per state, day by day", CW_PLOT_STACKED_AREA,
                  CW_X_CATEGORY);
    c->y_unit = cw_strdup("items");
    c->x_unit = cw_strdup("day");
    for (int64_t d = r->from; d < r->to; d += 86400) {
        char date[11];
        cw_time_format_date(d, date, sizeof date);
        cw_chart_add_category(c, date);
    }
    cw_chart_panel *p = cw_chart_add_panel(c, NULL, 0);
    for (size_t j = 0; j < 4; j++)
        cw_chart_add_series(p, cfd_states[j].label, cfd_states[j].role, 0, NULL, y + j * n_days,
                            n_days);
    size_t e = n_days ? n_days - 1 : 0;
    cw_chart_set_alt(c, "Items per state by day, %s: in progress %.0f -> %.0f (of them waiting "
                     "%.0f -> %.0f), done since the window began %.0f, to do %.0f -> %.0f.",
                     subject(r), y[n_days] + y[2 * n_days], y[n_days + e] + y[2 * n_days + e],
                     y[n_days], y[n_days + e], y[e], y[3 * n_days], y[3 * n_days + e]);
    free(y);
    return 0;
}

/* Statuses ordered by their median age: younger columns left. */
typedef struct status_col {
    const char *status;
    int waiting;
    double median;
} status_col;

static int by_median(const void *a, const void *b)
{
    const status_col *x = a, *y = b;
    if (x->median != y->median)
        return x->median < y->median ? -1 : 1;
    return strcmp(x->status, y->status);
}

static size_t wip_statuses(const cw_report *r, const cw_report_table *t, status_col **out)
{
    int team = cw_report_table_column(t, "team"), st = cw_report_table_column(t, "status");
    int wait = cw_report_table_column(t, "waiting"), age = cw_report_table_column(t, "age_h");
    size_t n = 0;
    double *ages = cw_xcalloc(t->n_rows + 1, sizeof *ages);
    *out = cw_xcalloc(t->n_rows + 1, sizeof **out);
    for (size_t i = 0; i < t->n_rows; i++) {
        const char *s = cell_text(t, i, st);
        size_t k;
        if (!s || !in_slice(r, cell_text(t, i, team)))
            continue;
        for (k = 0; k < n && strcmp((*out)[k].status, s) != 0; k++)
            ;
        if (k == n)
            (*out)[n++] = (status_col){ s, cell_num(t, i, wait) > 0, 0 };
    }
    for (size_t k = 0; k < n; k++) {
        size_t m = 0;
        for (size_t i = 0; i < t->n_rows; i++) {
            const char *s = cell_text(t, i, st);
            if (s && strcmp(s, (*out)[k].status) == 0 && in_slice(r, cell_text(t, i, team)))
                ages[m++] = cell_num(t, i, age);
        }
        (*out)[k].median = cw_median(ages, m);
    }
    if (n > 1)
        qsort(*out, n, sizeof **out, by_median);
    free(ages);
    return n;
}

int cw_chart_aging_wip(const cw_report *r, cw_chart *c)
{
    const cw_report_table *t = chart_table(r, SQL_AGING_WIP);
    status_col *cols;
    double *cycle, p50, p85, oldest = 0;
    size_t n_cols, total = 0, over = 0;
    char label[64], date[11];
    if (!t || t->n_rows == 0)
        return -1;
    n_cols = wip_statuses(r, t, &cols);
    if (n_cols == 0) {
        free(cols);
        return -1;
    }
    int team = cw_report_table_column(t, "team"), st = cw_report_table_column(t, "status");
    int age = cw_report_table_column(t, "age_h");
    size_t n_cycle = cycle_days(r, &cycle);
    percentiles(cycle, n_cycle, &p50, &p85);
    double *x = cw_xcalloc(t->n_rows + 1, sizeof *x), *y = cw_xcalloc(t->n_rows + 1, sizeof *y);
    cw_chart_init(c, "aging-wip", "Work in progress by age and status", CW_PLOT_SCATTER,
                  CW_X_NUMBER);
    c->y_unit = cw_strdup("days in progress");
    c->x_unit = cw_strdup("status");
    cw_chart_panel *p = cw_chart_add_panel(c, NULL, 0);
    for (size_t k = 0; k < n_cols; k++) {
        size_t n = 0;
        cw_chart_add_category(c, cols[k].status);
        for (size_t i = 0; i < t->n_rows; i++) {
            const char *s = cell_text(t, i, st);
            if (!s || strcmp(s, cols[k].status) != 0 || !in_slice(r, cell_text(t, i, team)))
                continue;
            /* spread the column's points over its width, the same way every run */
            x[n] = (double)(k + 1) + (fmod((double)n * 0.618034, 1.0) - 0.5) * 0.6;
            y[n] = cell_num(t, i, age) / 24.0;
            oldest = y[n] > oldest ? y[n] : oldest;
            over += !isnan(p85) && y[n] > p85;
            n++;
        }
        total += n;
        cw_chart_add_series(p, cols[k].status, cols[k].waiting ? CW_ROLE_WAITING : CW_ROLE_ACTIVE,
                            (int)k, x, y, n);
    }
    /* one colour per status: waiting statuses in oranges, active in blues */
    for (size_t k = 0, w = 0, a = 0; k < p->n_series; k++)
        p->series[k].index = (int)(p->series[k].role == CW_ROLE_WAITING ? w++ : a++);
    if (!isnan(p85)) {
        snprintf(label, sizeof label, "p85 cycle time %.1f d", p85);
        cw_chart_add_line(p, 0, p85, label, CW_ROLE_P85);
    }
    cw_time_format_date(r->to, date, sizeof date);
    cw_chart_set_alt(c, "%zu items in progress at %s, %s, the oldest %.0f days; %zu older than "
                     "the p85 cycle time of the window (%.1f days).", total, date, subject(r),
                     oldest, over, p85);
    free(cols);
    free(cycle);
    free(x);
    free(y);
    return 0;
}

/* ------------------------------------------------------------ burn-up */

static const cw_report_forecast *forecast_of(const cw_report *r, const char *release)
{
    for (size_t i = 0; release && i < r->exec.n_forecasts; i++)
        if (strcmp(r->exec.forecasts[i].release, release) == 0)
            return &r->exec.forecasts[i];
    return NULL;
}

/* Which release the burn-up shows when none is asked for: the digest's
 * highest-ranked release at risk that still has items to do (one waiting
 * only on a dependency has a flat burn-up: the digest names its
 * dependency), else the model's first at risk with items to do (the digest
 * may list none: weights, its top N), else its first at risk, else its
 * first with a forecast. */
static const cw_report_forecast *pick_forecast(const cw_report *r, const char *release)
{
    const cw_report_forecast *at_risk = NULL, *busy = NULL, *first = NULL;
    if (release)
        return forecast_of(r, release);
    for (size_t i = 0; i < r->exec.n_exceptions; i++) {
        const cw_report_exception *e = &r->exec.exceptions[i];
        const cw_report_forecast *f = strcmp(e->kind, "release_at_risk") == 0
                                      ? forecast_of(r, e->subject) : NULL;
        if (f && f->remaining > 0)
            return f;
    }
    for (size_t i = 0; i < r->exec.n_forecasts; i++) {
        const cw_report_forecast *f = &r->exec.forecasts[i];
        if (f->at_risk && f->remaining > 0 && !busy)
            busy = f;
        if (f->at_risk && !at_risk)
            at_risk = f;
        if (f->has_forecast && !first)
            first = f;
    }
    return busy ? busy : at_risk ? at_risk : first;
}

int cw_chart_burnup(const cw_report *r, const char *release, cw_chart *c)
{
    const cw_report_table *t = chart_table(r, SQL_BURNUP);
    const cw_report_forecast *f = pick_forecast(r, release);
    size_t n = 0;
    char title[160], d50[11], d85[11], d95[11], planned[11];
    if (!t || !f)
        return -1;
    int rel = cw_report_table_column(t, "release"), day = cw_report_table_column(t, "day_at");
    int scope = cw_report_table_column(t, "scope"), done = cw_report_table_column(t, "done");
    double *x = cw_xcalloc(t->n_rows + 1, sizeof *x), *ys = cw_xcalloc(t->n_rows + 1, sizeof *ys);
    double *yd = cw_xcalloc(t->n_rows + 1, sizeof *yd);
    for (size_t i = 0; i < t->n_rows; i++) {
        const char *name = cell_text(t, i, rel);
        if (!name || strcmp(name, f->release) != 0)
            continue;
        x[n] = cell_num(t, i, day);
        ys[n] = cell_num(t, i, scope);
        yd[n++] = cell_num(t, i, done);
    }
    if (n == 0) {
        free(x);
        free(ys);
        free(yd);
        return -1;
    }
    snprintf(title, sizeof title, "Release %s: burn-up and forecast", f->release);
    cw_chart_init(c, "burnup", title, CW_PLOT_LINE, CW_X_TIME);
    c->y_unit = cw_strdup("items");
    c->x_unit = cw_strdup("day");
    cw_chart_panel *p = cw_chart_add_panel(c, NULL, 0);
    if (f->has_forecast) {
        /* the cone: from the last day's done to the scope at P50 (its top
         * edge) and at P95 (its bottom edge) */
        double cx_hi[2] = { x[n - 1], (double)f->p50_at }, cx_lo[2] = { x[n - 1], (double)f->p95_at };
        double cy[2] = { yd[n - 1], ys[n - 1] };
        cw_chart_add_series(p, "forecast P50", CW_ROLE_CONE, 0, cx_hi, cy, 2);
        cw_chart_add_series(p, "forecast P95", CW_ROLE_CONE, 0, cx_lo, cy, 2);
        p->has_cone = 1;
        p->cone_hi = 0;
        p->cone_lo = 1;
    }
    cw_chart_add_series(p, "scope", CW_ROLE_SCOPE, 0, x, ys, n);
    cw_chart_add_series(p, "done", CW_ROLE_DONE, 0, x, yd, n);
    if (f->has_forecast)
        cw_chart_add_line(p, 1, (double)f->p85_at, "P85", CW_ROLE_P85);
    if (f->planned_at)
        cw_chart_add_line(p, 1, (double)f->planned_at, "planned", CW_ROLE_PLANNED);
    cw_time_format_date(f->p50_at, d50, sizeof d50);
    cw_time_format_date(f->p85_at, d85, sizeof d85);
    cw_time_format_date(f->p95_at, d95, sizeof d95);
    cw_time_format_date(f->planned_at, planned, sizeof planned);
    if (f->has_forecast)
        cw_chart_set_alt(c, "Release %s: %.0f of %.0f items done; forecast P50 %s, P85 %s, P95 %s"
                         "%s%s%s%s.", f->release, yd[n - 1], ys[n - 1], d50, d85, d95,
                         f->planned_at ? " (planned " : "", f->planned_at ? planned : "",
                         f->planned_at ? ")" : "", f->at_risk ? ": at risk" : "");
    else
        cw_chart_set_alt(c, "Release %s: %.0f of %.0f items done; no forecast (%s).", f->release,
                         yd[n - 1], ys[n - 1], f->reason ? f->reason : "no throughput history");
    free(x);
    free(ys);
    free(yd);
    return 0;
}

/* ------------------------------------------------------------ chart sets */

typedef int (*builder_fn)(const cw_report *r, cw_chart *c);

static int build_burnup(const cw_report *r, cw_chart *c)
{
    return cw_chart_burnup(r, NULL, c);
}

static void add_built(const cw_report *r, builder_fn fn, cw_chart **out, size_t *n, size_t *cap)
{
    cw_chart c;
    if (fn(r, &c) != 0)
        return;
    *out = cw_grow(*out, cap, *n + 1, sizeof **out);
    (*out)[(*n)++] = c;
}

static void add_dora_teams(const cw_report *r, cw_chart **out, size_t *n, size_t *cap)
{
    for (size_t k = 0; k < N_DORA_KEYS; k++) {
        cw_chart c;
        if (cw_chart_dora_teams(r, k, &c) != 0)
            continue;
        *out = cw_grow(*out, cap, *n + 1, sizeof **out);
        (*out)[(*n)++] = c;
    }
}

/* A value stream section's stacked bar (report.h: CW_SECTION_STACKED_BAR)
 * as a chart: one column per category, one segment per series, waiting
 * segments in the waiting palette.  The id is "section-" and the sheet name
 * made an id ([a-z0-9-]). */
int cw_chart_section(const cw_report_table *t, cw_chart *c)
{
    cw_report_pivot p;
    char id[64] = "section-";
    size_t k = strlen(id);
    if (t->section->chart != CW_SECTION_STACKED_BAR || t->n_rows == 0 ||
        cw_report_pivot_build(t, &p) != 0)
        return -1;
    for (const char *s = t->section->sheet; *s && k + 1 < sizeof id; s++)
        if (isalnum((unsigned char)*s))
            id[k++] = (char)tolower((unsigned char)*s);
        else if (k && id[k - 1] != '-')
            id[k++] = '-';
    id[k] = '\0';
    cw_chart_init(c, id, t->section->title, CW_PLOT_STACKED_COLUMN, CW_X_CATEGORY);
    c->y_unit = cw_report_heading(t->section->value);
    for (size_t i = 0; i < p.n_categories; i++)
        cw_chart_add_category(c, p.categories[i]);
    cw_chart_panel *panel = cw_chart_add_panel(c, NULL, 0);
    double *y = cw_xcalloc(p.n_categories + 1, sizeof *y), total = 0;
    for (size_t s = 0; s < p.n_series; s++) {
        for (size_t i = 0; i < p.n_categories; i++) {
            y[i] = p.values[i * p.n_series + s];
            total += y[i];
        }
        char *name = p.waiting[s] ? cw_asprintf("%s (waiting)", p.series[s]) : cw_strdup(p.series[s]);
        cw_chart_add_series(panel, name, p.waiting[s] ? CW_ROLE_WAITING : CW_ROLE_ACTIVE, (int)s,
                            NULL, y, p.n_categories);
        free(name);
    }
    cw_chart_set_alt(c, "%s: %zu bars, %zu kinds of segment, %g %s in all.", t->section->title,
                     p.n_categories, p.n_series, total, c->y_unit);
    free(y);
    cw_report_pivot_free(&p);
    return 0;
}

/* What an executive reads first: the keys, the release most at risk, what
 * gets finished, and what is getting old. */
int cw_chart_email_set(const cw_report *r, cw_chart **out, size_t *n)
{
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    add_built(r, cw_chart_dora, out, n, &cap);
    add_built(r, build_burnup, out, n, &cap);
    add_built(r, cw_chart_throughput_type, out, n, &cap);
    add_built(r, cw_chart_aging_wip, out, n, &cap);
    return 0;
}

int cw_chart_all(const cw_report *r, cw_chart **out, size_t *n)
{
    size_t cap = 0;
    cw_chart_email_set(r, out, n);
    cap = *n;
    add_dora_teams(r, out, n, &cap);
    add_built(r, cw_chart_monthly, out, n, &cap);
    add_built(r, cw_chart_cycle_time, out, n, &cap);
    add_built(r, cw_chart_cfd, out, n, &cap);
    for (size_t i = 0; i < r->n_tables; i++) {
        cw_chart c;
        if (cw_chart_section(&r->tables[i], &c) != 0)
            continue;
        *out = cw_grow(*out, &cap, *n + 1, sizeof **out);
        (*out)[(*n)++] = c;
    }
    return 0;
}
