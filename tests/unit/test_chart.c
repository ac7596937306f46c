/*
 * test_chart.c - the chart model (reports/chart.h) built from a report
 * model filled by hand, and the PNG renderer read back by cairo.
 *
 * Every expected value below is worked out by hand from the rows the test
 * puts in: the series in the unit shown (days, %), the DORA bands as
 * metrics.md states them converted to that unit (and clipped where a better
 * level's band begins), the p50/p85 lines by nearest rank, the cone's
 * corners, the y scale's round steps.  The PNG is decoded again
 * (cairo_image_surface_create_from_png_stream) and a band's fill is found
 * at a pixel the layout leaves to it.
 */
#include <cairo.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "core/util.h"
#include "reports/chart.h"
#include "reports/report.h"

#define EPS 1e-9
#define assert_near(a, b, eps) do { \
        double a_ = (a), b_ = (b); \
        if (!(fabs(a_ - b_) <= (eps))) \
            fail_msg("%s = %.12g, expected %.12g", #a, a_, b_); \
    } while (0)

/* ------------------------------------------------------------ the model by hand */

static cw_metric_row row_of(const char *name, const char *period)
{
    cw_metric_row m;
    memset(&m, 0, sizeof m);
    m.name = name;
    snprintf(m.period, sizeof m.period, "%s", period);
    m.lead_time_median_h = m.lead_time_p90_h = m.change_failure_rate = NAN;
    m.restore_median_h = m.restore_p90_h = m.cycle_time_median_h = m.cycle_time_p85_h = NAN;
    m.flow_efficiency = m.recovery_median_h = m.lead_time_item_median_h = m.traceability = NAN;
    m.idea_to_production_median_h = m.idea_to_production_p85_h = NAN;
    return m;
}

static void add_band(cw_dora_bands *b, const char *metric, const char *measure, cw_level level,
                     double lower, double upper, int inclusive)
{
    cw_dora_band *x = &b->band[b->n++];
    snprintf(x->metric, sizeof x->metric, "%s", metric);
    x->measure = strcmp(measure, "weekly") == 0 ? offsetof(cw_dora_summary, weekly_median_deploy_days)
               : strcmp(measure, "monthly") == 0 ? offsetof(cw_dora_summary, monthly_median_deploy_days)
               : strcmp(measure, "lead") == 0 ? offsetof(cw_dora_summary, lead_time_median_h)
               : strcmp(measure, "cfr") == 0 ? offsetof(cw_dora_summary, change_failure_rate)
               : offsetof(cw_dora_summary, restore_median_h);
    x->level = level;
    x->lower = lower;
    x->upper = upper;
    x->upper_inclusive = inclusive;
}

/* metrics.md's DORA 2023 bands, as the dora_band view holds them. */
static cw_dora_bands *metrics_md_bands(void)
{
    cw_dora_bands *b = cw_xcalloc(1, sizeof *b);
    add_band(b, "lead_time", "lead", CW_LEVEL_ELITE, NAN, 24, 0);
    add_band(b, "lead_time", "lead", CW_LEVEL_HIGH, 24, 168, 0);
    add_band(b, "lead_time", "lead", CW_LEVEL_MEDIUM, 168, 720, 0);
    add_band(b, "lead_time", "lead", CW_LEVEL_LOW, 720, NAN, 0);
    add_band(b, "change_failure_rate", "cfr", CW_LEVEL_ELITE, NAN, 0.05, 1);
    add_band(b, "change_failure_rate", "cfr", CW_LEVEL_HIGH, 0.05, 0.10, 1);
    add_band(b, "change_failure_rate", "cfr", CW_LEVEL_MEDIUM, 0.10, 0.15, 1);
    add_band(b, "change_failure_rate", "cfr", CW_LEVEL_LOW, 0.15, NAN, 1);
    add_band(b, "restore", "restore", CW_LEVEL_ELITE, NAN, 1, 0);
    add_band(b, "restore", "restore", CW_LEVEL_HIGH, 1, 24, 0);
    add_band(b, "restore", "restore", CW_LEVEL_MEDIUM, 24, 168, 0);
    add_band(b, "restore", "restore", CW_LEVEL_LOW, 168, NAN, 0);
    add_band(b, "deploy_frequency", "weekly", CW_LEVEL_ELITE, 5, NAN, 0);
    add_band(b, "deploy_frequency", "weekly", CW_LEVEL_HIGH, 1, 5, 0);
    add_band(b, "deploy_frequency", "monthly", CW_LEVEL_MEDIUM, 1, NAN, 0);
    add_band(b, "deploy_frequency", "monthly", CW_LEVEL_LOW, NAN, 1, 0);
    return b;
}

/* Two weeks (2026-01-05, 2026-01-12); the organisation and teams Alpha, Beta. */
static void fill_model(cw_report *r)
{
    static const char *const weeks[] = { "2026-01-05", "2026-01-12" };
    cw_report_init(r, cw_t("2026-01-05T00:00:00Z"), cw_t("2026-01-19T00:00:00Z"));
    for (int w = 0; w < 2; w++) {
        cw_metric_row org = row_of("organisation", weeks[w]);
        org.deploy_days = w ? 6 : 3;
        org.lead_time_median_h = w ? 12 : 48;           /* 2 days, then 0.5 */
        org.change_failure_rate = w ? 0.20 : 0.10;      /* 10 %, then 20 % */
        org.restore_median_h = w ? NAN : 2;
        org.throughput_feature = w ? 5 : 4;
        org.throughput_defect = w ? 0 : 1;
        org.throughput_risk = w ? 2 : 0;
        org.throughput_debt = 1;
        cw_report_add_row(r, CW_SCOPE_ORG, &org);
        cw_metric_row alpha = row_of("Alpha", weeks[w]);
        alpha.deploy_days = w ? 2 : 1;
        cw_report_add_row(r, CW_SCOPE_TEAM, &alpha);
        cw_metric_row beta = row_of("Beta", weeks[w]);
        beta.deploy_days = w ? 4 : 2;
        cw_report_add_row(r, CW_SCOPE_TEAM, &beta);
    }
    r->exec.charts.bands = metrics_md_bands();
}

/* Items done in the window: cycle times 1, 2, 3, 4 and 10 days. */
static void add_cycle_times(cw_report *r)
{
    static const char *const cols[] = { "item_key", "application", "team", "flow_type", "done_at",
                                        "cycle_time_h" };
    static const int kinds[] = { CW_CELL_TEXT, CW_CELL_TEXT, CW_CELL_TEXT, CW_CELL_TEXT,
                                 CW_CELL_INSTANT, CW_CELL_HOURS };
    static const struct { const char *key, *team, *type, *at; double h; } items[] = {
        { "A-1", "Alpha", "feature", "2026-01-06T10:00:00Z", 24 },
        { "A-2", "Alpha", "defect", "2026-01-07T10:00:00Z", 48 },
        { "B-1", "Beta", "feature", "2026-01-08T10:00:00Z", 72 },
        { "B-2", "Beta", "feature", "2026-01-13T10:00:00Z", 96 },
        { "A-3", "Alpha", "debt", "2026-01-14T10:00:00Z", 240 },
    };
    cw_report_table *t = cw_chart_add_data_table(r, CW_CHART_SQL_CYCLE_TIME, cols, kinds, 6);
    assert_non_null(t);
    for (size_t i = 0; i < 5; i++) {
        const char *texts[] = { items[i].key, "app", items[i].team, items[i].type, NULL, NULL };
        double nums[] = { NAN, NAN, NAN, NAN, (double)cw_t(items[i].at), items[i].h };
        cw_report_table_add_row(t, nums, texts);
    }
}

/* Items in progress at the window end: ages 2 and 10 days "In Progress",
 * 20 and 1 days "Review" (a wait status). */
static void add_wip(cw_report *r)
{
    static const char *const cols[] = { "item_key", "application", "team", "status", "waiting",
                                        "age_h" };
    static const int kinds[] = { CW_CELL_TEXT, CW_CELL_TEXT, CW_CELL_TEXT, CW_CELL_TEXT,
                                 CW_CELL_INT, CW_CELL_HOURS };
    static const struct { const char *key, *team, *status; double waiting, h; } items[] = {
        { "A-10", "Alpha", "In Progress", 0, 48 }, { "A-11", "Alpha", "Review", 1, 480 },
        { "B-10", "Beta", "In Progress", 0, 240 }, { "B-11", "Beta", "Review", 1, 24 },
    };
    cw_report_table *t = cw_chart_add_data_table(r, CW_CHART_SQL_AGING_WIP, cols, kinds, 6);
    assert_non_null(t);
    for (size_t i = 0; i < 4; i++) {
        const char *texts[] = { items[i].key, "app", items[i].team, items[i].status, NULL, NULL };
        double nums[] = { NAN, NAN, NAN, NAN, items[i].waiting, items[i].h };
        cw_report_table_add_row(t, nums, texts);
    }
}

/* Two releases' burn-up rows; OTHER's forecast first and not at risk, then
 * MOB 5.2 at risk. */
static void add_burnup(cw_report *r)
{
    static const char *const cols[] = { "release", "day_at", "scope", "done" };
    static const int kinds[] = { CW_CELL_TEXT, CW_CELL_INSTANT, CW_CELL_INT, CW_CELL_INT };
    static const struct { const char *release, *day; double scope, done; } rows[] = {
        { "MOB 5.2", "2026-01-12T00:00:00Z", 10, 2 }, { "MOB 5.2", "2026-01-13T00:00:00Z", 12, 5 },
        { "OTHER", "2026-01-12T00:00:00Z", 3, 3 },
    };
    cw_report_table *t = cw_chart_add_data_table(r, CW_CHART_SQL_BURNUP, cols, kinds, 4);
    assert_non_null(t);
    for (size_t i = 0; i < 3; i++) {
        const char *texts[] = { rows[i].release, NULL, NULL, NULL };
        double nums[] = { NAN, (double)cw_t(rows[i].day), rows[i].scope, rows[i].done };
        cw_report_table_add_row(t, nums, texts);
    }
    cw_report_forecast other = { .release = "OTHER", .has_forecast = 1,
                                 .p50_at = cw_t("2026-01-20T00:00:00Z"),
                                 .p85_at = cw_t("2026-01-21T00:00:00Z"),
                                 .p95_at = cw_t("2026-01-22T00:00:00Z"), .items_by_planned_85 = -1 };
    cw_report_forecast mob = { .release = "MOB 5.2", .has_forecast = 1, .at_risk = 1,
                               .planned_at = cw_t("2026-02-05T00:00:00Z"),
                               .p50_at = cw_t("2026-02-01T00:00:00Z"),
                               .p85_at = cw_t("2026-02-10T00:00:00Z"),
                               .p95_at = cw_t("2026-02-20T00:00:00Z"), .items_by_planned_85 = 9 };
    cw_report_add_forecast(r, &other);
    cw_report_add_forecast(r, &mob);
}

static const cw_chart_band *band_of(const cw_chart_panel *p, int level)
{
    for (size_t i = 0; i < p->n_bands; i++)
        if (p->bands[i].level == level)
            return &p->bands[i];
    fail_msg("no band of level %d in panel %s", level, p->title);
    return NULL;
}

static void assert_band(const cw_chart_panel *p, int level, double lo, double hi)
{
    const cw_chart_band *b = band_of(p, level);
    if (isnan(lo))
        assert_true(isnan(b->lo));
    else
        assert_near(b->lo, lo, EPS);
    if (isnan(hi))
        assert_true(isnan(b->hi));
    else
        assert_near(b->hi, hi, EPS);
}

/* ------------------------------------------------------------ DORA */

static void test_dora_overview(void **state)
{
    (void)state;
    cw_report r;
    cw_chart c;
    double lo, hi, step;
    fill_model(&r);
    assert_int_equal(cw_chart_dora(&r, &c), 0);
    assert_string_equal(c.id, "dora");
    assert_int_equal(c.kind, CW_PLOT_LINE);
    assert_int_equal(c.n_categories, 2);
    assert_string_equal(c.categories[0], "2026-01-05");
    assert_int_equal(c.n_panels, 4);
    assert_int_equal(c.columns, 2);
    /* deploy days per week: 3, 6; metrics.md's weekly bands as they are,
     * the monthly ones at 12/52 per week; medium stops where high begins */
    const cw_chart_panel *p = &c.panels[0];
    assert_string_equal(p->y_unit, "days per week");
    assert_near(p->series[0].y[0], 3, EPS);
    assert_near(p->series[0].y[1], 6, EPS);
    assert_band(p, CW_LEVEL_ELITE, 5, NAN);
    assert_band(p, CW_LEVEL_HIGH, 1, 5);
    assert_band(p, CW_LEVEL_MEDIUM, 12.0 / 52.0, 1);
    assert_band(p, CW_LEVEL_LOW, NAN, 12.0 / 52.0);
    /* lead time in days: 48 h = 2, 12 h = 0.5; bands 1, 7 and 30 days */
    p = &c.panels[1];
    assert_near(p->series[0].y[0], 2, EPS);
    assert_near(p->series[0].y[1], 0.5, EPS);
    assert_band(p, CW_LEVEL_ELITE, NAN, 1);
    assert_band(p, CW_LEVEL_HIGH, 1, 7);
    assert_band(p, CW_LEVEL_MEDIUM, 7, 30);
    assert_band(p, CW_LEVEL_LOW, 30, NAN);
    /* its own scale: 0..2, four steps of 0.5 */
    cw_chart_y_scale(&c, p->y_group, &lo, &hi, &step);
    assert_near(lo, 0, EPS);
    assert_near(hi, 2, EPS);
    assert_near(step, 0.5, EPS);
    /* change failure rate in %: 10, 20; bands 5, 10, 15 */
    p = &c.panels[2];
    assert_near(p->series[0].y[1], 20, EPS);
    assert_band(p, CW_LEVEL_HIGH, 5, 10);
    assert_band(p, CW_LEVEL_LOW, 15, NAN);
    /* restore: 2 hours, then no value (a gap, not 0) */
    p = &c.panels[3];
    assert_near(p->series[0].y[0], 2, EPS);
    assert_true(isnan(p->series[0].y[1]));
    assert_non_null(strstr(c.alt, "Lead time for changes, median 2.0 -> 0.5 days"));
    assert_non_null(strstr(c.alt, "Change failure rate 10 -> 20 %"));
    cw_chart_free(&c);
    cw_report_free(&r);
}

static void test_dora_teams_share_a_scale(void **state)
{
    (void)state;
    cw_report r;
    cw_chart c;
    double lo, hi, step;
    fill_model(&r);
    assert_int_equal(cw_chart_dora_teams(&r, 0, &c), 0);
    assert_string_equal(c.id, "dora-teams-deploy-days");
    assert_int_equal(c.n_panels, 3);
    assert_string_equal(c.panels[0].title, "organisation");
    assert_string_equal(c.panels[1].title, "Alpha");
    assert_string_equal(c.panels[2].title, "Beta");
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(c.panels[i].y_group, 0);
    assert_near(c.panels[2].series[0].y[1], 4, EPS);
    /* one scale for all: the organisation's 6 at most, steps of 2 */
    cw_chart_y_scale(&c, 0, &lo, &hi, &step);
    assert_near(hi, 6, EPS);
    assert_near(step, 2, EPS);
    cw_chart_free(&c);
    /* a team slice: that team's panel only */
    r.exec.team_slice = "Beta";
    assert_int_equal(cw_chart_dora_teams(&r, 0, &c), 0);
    assert_int_equal(c.n_panels, 1);
    assert_string_equal(c.panels[0].title, "Beta");
    cw_chart_free(&c);
    assert_int_equal(cw_chart_dora_teams(&r, 4, &c), -1);
    cw_report_free(&r);
}

/* ------------------------------------------------------------ flow */

static void test_throughput_by_type(void **state)
{
    (void)state;
    cw_report r;
    cw_chart c;
    double lo, hi, step;
    fill_model(&r);
    assert_int_equal(cw_chart_throughput_type(&r, &c), 0);
    assert_int_equal(c.kind, CW_PLOT_STACKED_COLUMN);
    const cw_chart_panel *p = &c.panels[0];
    assert_int_equal(p->n_series, 4);
    assert_string_equal(p->series[0].name, "feature");
    assert_near(p->series[0].y[1], 5, EPS);
    assert_string_equal(p->series[2].name, "risk");
    assert_near(p->series[2].y[1], 2, EPS);
    /* stacked: the weeks total 6 and 8, so the scale reaches 8 */
    cw_chart_y_scale(&c, 0, &lo, &hi, &step);
    assert_near(hi, 8, EPS);
    assert_string_equal(c.alt, "Items finished per week by flow type, organisation: 6 -> 8 over 2 "
                               "weeks (feature 9, defect 1, risk 2, debt 2).");
    cw_chart_free(&c);
    cw_report_free(&r);
}

static void test_cycle_time_percentiles(void **state)
{
    (void)state;
    cw_report r;
    cw_chart c;
    fill_model(&r);
    add_cycle_times(&r);
    assert_int_equal(cw_chart_cycle_time(&r, &c), 0);
    assert_int_equal(c.kind, CW_PLOT_SCATTER);
    assert_int_equal(c.x_kind, CW_X_TIME);
    const cw_chart_panel *p = &c.panels[0];
    /* feature (A-1, B-1, B-2), defect, debt; no risk item */
    assert_int_equal(p->n_series, 3);
    assert_string_equal(p->series[0].name, "feature");
    assert_int_equal(p->series[0].n, 3);
    assert_near(p->series[0].x[1], (double)cw_t("2026-01-08T10:00:00Z"), EPS);
    assert_near(p->series[0].y[1], 3, EPS);
    assert_string_equal(p->series[2].name, "debt");
    /* 1, 2, 3, 4, 10 days: p50 the middle value 3; p85 rank ceil(4.25) = 5: 10 */
    assert_int_equal(p->n_lines, 2);
    assert_near(p->lines[0].at, 3, EPS);
    assert_string_equal(p->lines[0].label, "p50 3.0 d");
    assert_near(p->lines[1].at, 10, EPS);
    assert_int_equal(p->lines[1].role, CW_ROLE_P85);
    cw_chart_free(&c);
    /* Alpha alone: 1, 2, 10 days: p50 2, p85 rank ceil(2.55) = 3: 10 */
    r.exec.team_slice = "Alpha";
    assert_int_equal(cw_chart_cycle_time(&r, &c), 0);
    assert_near(c.panels[0].lines[0].at, 2, EPS);
    assert_near(c.panels[0].lines[1].at, 10, EPS);
    assert_non_null(strstr(c.alt, "Cycle time of 3 items"));
    cw_chart_free(&c);
    cw_report_free(&r);
}

static void test_aging_wip(void **state)
{
    (void)state;
    cw_report r;
    cw_chart c;
    fill_model(&r);
    add_cycle_times(&r);
    add_wip(&r);
    assert_int_equal(cw_chart_aging_wip(&r, &c), 0);
    /* columns by median age: In Progress (2, 10: 6 days), Review (20, 1: 10.5) */
    assert_int_equal(c.n_categories, 2);
    assert_string_equal(c.categories[0], "In Progress");
    assert_string_equal(c.categories[1], "Review");
    const cw_chart_panel *p = &c.panels[0];
    assert_int_equal(p->series[0].role, CW_ROLE_ACTIVE);
    assert_int_equal(p->series[1].role, CW_ROLE_WAITING);
    assert_near(p->series[0].y[0], 2, EPS);
    assert_near(p->series[0].y[1], 10, EPS);
    /* spread over the column: 1 + (0 - 0.5) * 0.6, 1 + (0.618034 - 0.5) * 0.6 */
    assert_near(p->series[0].x[0], 0.7, 1e-9);
    assert_near(p->series[0].x[1], 1.0708204, 1e-6);
    /* the p85 cycle time of the window (10 days); only the 20-day item is older */
    assert_near(p->lines[0].at, 10, EPS);
    assert_non_null(strstr(c.alt, "4 items in progress at 2026-01-19"));
    assert_non_null(strstr(c.alt, "the oldest 20 days; 1 older than"));
    cw_chart_free(&c);
    cw_report_free(&r);
}

static void test_burnup_cone(void **state)
{
    (void)state;
    cw_report r;
    cw_chart c;
    fill_model(&r);
    add_burnup(&r);
    /* the model's most at-risk forecast: MOB 5.2, though OTHER comes first */
    assert_int_equal(cw_chart_burnup(&r, NULL, &c), 0);
    assert_string_equal(c.title, "Release MOB 5.2: burn-up and forecast");
    const cw_chart_panel *p = &c.panels[0];
    assert_true(p->has_cone);
    /* the cone: from the last day's done (5) to the scope (12) at P50 and P95 */
    const cw_chart_series *top = &p->series[p->cone_hi], *bottom = &p->series[p->cone_lo];
    assert_near(top->x[0], (double)cw_t("2026-01-13T00:00:00Z"), EPS);
    assert_near(top->y[0], 5, EPS);
    assert_near(top->x[1], (double)cw_t("2026-02-01T00:00:00Z"), EPS);
    assert_near(top->y[1], 12, EPS);
    assert_near(bottom->x[1], (double)cw_t("2026-02-20T00:00:00Z"), EPS);
    assert_string_equal(p->series[2].name, "scope");
    assert_near(p->series[2].y[0], 10, EPS);
    assert_string_equal(p->series[3].name, "done");
    assert_near(p->series[3].y[1], 5, EPS);
    assert_int_equal(p->n_lines, 2);
    assert_true(p->lines[0].vertical);
    assert_near(p->lines[0].at, (double)cw_t("2026-02-10T00:00:00Z"), EPS);
    assert_near(p->lines[1].at, (double)cw_t("2026-02-05T00:00:00Z"), EPS);
    assert_string_equal(c.alt, "Release MOB 5.2: 5 of 12 items done; forecast P50 2026-02-01, "
                               "P85 2026-02-10, P95 2026-02-20 (planned 2026-02-05): at risk.");
    cw_chart_free(&c);
    assert_int_equal(cw_chart_burnup(&r, "OTHER", &c), 0);
    assert_int_equal(c.panels[0].series[2].n, 1);
    cw_chart_free(&c);
    assert_int_equal(cw_chart_burnup(&r, "NONE", &c), -1);
    cw_report_free(&r);
}

/* Without a release asked for, the burn-up shows the digest's highest-ranked
 * release at risk that has items to do: DEP 1.0 ranks first but has none
 * left (it waits on a dependency), so LATE 1.0 (ranked second, 4 to do),
 * although the model lists MOB 5.2 first among those at risk. */
static void test_burnup_follows_the_digest(void **state)
{
    (void)state;
    cw_report r;
    cw_chart c;
    fill_model(&r);
    add_burnup(&r);
    cw_report_table *t = &r.exec.charts.tables[r.exec.charts.n_tables - 1];  /* the burn-up rows */
    const char *texts[] = { "LATE 1.0", NULL, NULL, NULL };
    double nums[] = { NAN, (double)cw_t("2026-01-12T00:00:00Z"), 6, 2 };
    cw_report_table_add_row(t, nums, texts);
    cw_report_forecast dep = { .release = "DEP 1.0", .has_forecast = 1, .at_risk = 1,
                               .p50_at = cw_t("2026-03-01T00:00:00Z"),
                               .p85_at = cw_t("2026-03-01T00:00:00Z"),
                               .p95_at = cw_t("2026-03-01T00:00:00Z"), .items_by_planned_85 = -1 };
    cw_report_forecast late = { .release = "LATE 1.0", .has_forecast = 1, .at_risk = 1,
                                .remaining = 4, .planned_at = cw_t("2026-01-20T00:00:00Z"),
                                .p50_at = cw_t("2026-01-25T00:00:00Z"),
                                .p85_at = cw_t("2026-01-30T00:00:00Z"),
                                .p95_at = cw_t("2026-02-04T00:00:00Z"), .items_by_planned_85 = 3 };
    cw_report_add_forecast(&r, &dep);
    cw_report_add_forecast(&r, &late);
    cw_report_exception e1 = { .kind = "release_at_risk", .scope = "release",
                               .scope_name = "DEP 1.0", .subject = "DEP 1.0", .score = 9 };
    cw_report_exception e2 = { .kind = "release_at_risk", .scope = "release",
                               .scope_name = "LATE 1.0", .subject = "LATE 1.0", .score = 6 };
    cw_report_add_exception(&r, &e1);
    cw_report_add_exception(&r, &e2);
    assert_int_equal(cw_chart_burnup(&r, NULL, &c), 0);
    assert_string_equal(c.title, "Release LATE 1.0: burn-up and forecast");
    cw_chart_free(&c);
    cw_report_free(&r);
}

/* The monthly view: the organisation's rows by calendar month. */
static void test_monthly_view(void **state)
{
    (void)state;
    static const char *const months[] = { "2025-11-01", "2025-12-01" };
    cw_report r;
    cw_chart c;
    fill_model(&r);
    assert_int_equal(cw_chart_monthly(&r, &c), -1);       /* no monthly rows: no chart */
    r.exec.charts.monthly_from = cw_t("2025-11-01T00:00:00Z");
    r.exec.charts.monthly_to = cw_t("2026-01-01T00:00:00Z");
    for (int i = 0; i < 2; i++) {
        cw_metric_row m = row_of("organisation", months[i]);
        m.deploy_days = i ? 20 : 3;
        m.lead_time_median_h = 36 * (i + 1);       /* 1.5 days, then 3 */
        r.exec.charts.monthly = cw_grow(r.exec.charts.monthly, &r.exec.charts.cap_monthly,
                                        r.exec.charts.n_monthly + 1, sizeof *r.exec.charts.monthly);
        r.exec.charts.monthly[r.exec.charts.n_monthly++] = (cw_report_row){ CW_SCOPE_ORG, m };
    }
    assert_int_equal(cw_chart_monthly(&r, &c), 0);
    assert_string_equal(c.id, "dora-monthly");
    assert_int_equal(c.n_categories, 2);
    assert_string_equal(c.categories[0], "2025-11");
    const cw_chart_panel *p = &c.panels[0];
    assert_string_equal(p->y_unit, "days per month");
    assert_near(p->series[0].y[1], 20, EPS);
    /* on a monthly chart the weekly bands are scaled by 52/12: high from 52/12 days
     * a month, elite from 5 * 52/12; medium (1 a month) is as it is */
    assert_band(p, CW_LEVEL_MEDIUM, 1, 52.0 / 12.0);
    assert_band(p, CW_LEVEL_HIGH, 52.0 / 12.0, 5 * 52.0 / 12.0);
    assert_band(p, CW_LEVEL_ELITE, 5 * 52.0 / 12.0, NAN);
    assert_near(c.panels[1].series[0].y[0], 1.5, EPS);
    assert_near(c.panels[1].series[0].y[1], 3, EPS);
    cw_chart_free(&c);
    cw_report_free(&r);
}

/* The query gives changes per day; the chart adds them up. */
static void test_cfd_accumulates_changes(void **state)
{
    (void)state;
    static const char *const cols[] = { "day_at", "team", "state", "items_change" };
    static const int kinds[] = { CW_CELL_INSTANT, CW_CELL_TEXT, CW_CELL_TEXT, CW_CELL_INT };
    static const struct { const char *day, *team, *state; double change; } rows[] = {
        { "2026-01-05T00:00:00Z", "Alpha", "active", 2 }, { "2026-01-05T00:00:00Z", "Alpha", "todo", 3 },
        { "2026-01-06T00:00:00Z", "Beta", "waiting", 1 }, { "2026-01-07T00:00:00Z", "Alpha", "active", -1 },
        { "2026-01-07T00:00:00Z", "Alpha", "done", 1 },
    };
    cw_report r;
    cw_chart c;
    fill_model(&r);
    cw_report_table *t = cw_chart_add_data_table(&r, CW_CHART_SQL_CFD, cols, kinds, 4);
    for (size_t i = 0; i < 5; i++) {
        const char *texts[] = { NULL, rows[i].team, rows[i].state, NULL };
        double nums[] = { (double)cw_t(rows[i].day), NAN, NAN, rows[i].change };
        cw_report_table_add_row(t, nums, texts);
    }
    assert_int_equal(cw_chart_cfd(&r, &c), 0);
    assert_int_equal(c.kind, CW_PLOT_STACKED_AREA);
    assert_int_equal(c.n_categories, 14);
    const cw_chart_panel *p = &c.panels[0];
    /* bottom to top: done, waiting, active, to do */
    assert_string_equal(p->series[0].name, "done");
    assert_string_equal(p->series[3].name, "to do");
    static const double done[] = { 0, 0, 1, 1 }, waiting[] = { 0, 1, 1, 1 };
    static const double active[] = { 2, 2, 1, 1 }, todo[] = { 3, 3, 3, 3 };
    for (size_t k = 0; k < 4; k++) {
        assert_near(p->series[0].y[k], done[k], EPS);
        assert_near(p->series[1].y[k], waiting[k], EPS);
        assert_near(p->series[2].y[k], active[k], EPS);
        assert_near(p->series[3].y[k], todo[k], EPS);
    }
    assert_near(p->series[2].y[13], 1, EPS);
    cw_chart_free(&c);
    r.exec.team_slice = "Beta";
    assert_int_equal(cw_chart_cfd(&r, &c), 0);
    assert_near(c.panels[0].series[1].y[13], 1, EPS);
    assert_near(c.panels[0].series[2].y[0], 0, EPS);
    cw_chart_free(&c);
    cw_report_free(&r);
}

/* ------------------------------------------------------------ PNG */

typedef struct reader {
    const unsigned char *data;
    size_t len, at;
} reader;

static cairo_status_t read_png(void *closure, unsigned char *out, unsigned int length)
{
    reader *rd = closure;
    if (rd->at + length > rd->len)
        return CAIRO_STATUS_READ_ERROR;
    memcpy(out, rd->data + rd->at, length);
    rd->at += length;
    return CAIRO_STATUS_SUCCESS;
}

static uint32_t pixel(cairo_surface_t *s, int x, int y)
{
    const unsigned char *row = cairo_image_surface_get_data(s) +
                               (size_t)y * (size_t)cairo_image_surface_get_stride(s);
    uint32_t px;
    memcpy(&px, row + 4 * (size_t)x, sizeof px);
    return px & 0xFFFFFF;
}

/* One panel, an elite band over the whole plot, a line along its floor:
 * the plot spans y 25..238 with gridlines at 25, 78, 131, 185 and 238
 * (0..1 in steps of 0.25), so (300, 105) is band and nothing else. */
static void band_chart(cw_chart *c)
{
    double y[2] = { 0, 0 };
    cw_chart_init(c, "t", "T", CW_PLOT_LINE, CW_X_CATEGORY);
    cw_chart_add_category(c, "a");
    cw_chart_add_category(c, "b");
    cw_chart_panel *p = cw_chart_add_panel(c, NULL, 0);
    cw_chart_add_band(p, NAN, NAN, CW_LEVEL_ELITE);
    cw_chart_add_series(p, "s", CW_ROLE_ORG, 0, NULL, y, 2);
}

static void test_png_reads_back(void **state)
{
    (void)state;
    cw_chart c;
    unsigned char *png;
    size_t len;
    band_chart(&c);
    assert_int_equal(cw_chart_png(&c, 600, 260, &png, &len), 0);
    assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
    reader rd = { png, len, 0 };
    cairo_surface_t *s = cairo_image_surface_create_from_png_stream(read_png, &rd);
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    assert_int_equal(cairo_image_surface_get_width(s), 600);
    assert_int_equal(cairo_image_surface_get_height(s), 260);
    assert_int_equal(pixel(s, 300, 105), cw_chart_band_colour(CW_LEVEL_ELITE));
    assert_int_equal(pixel(s, 595, 255), 0xFFFFFF);    /* the margin */
    cairo_surface_destroy(s);
    free(png);
    /* twice the size: the same drawing, the band at twice the coordinates */
    assert_int_equal(cw_chart_png(&c, 1200, 520, &png, &len), 0);
    rd = (reader){ png, len, 0 };
    s = cairo_image_surface_create_from_png_stream(read_png, &rd);
    assert_int_equal(cairo_image_surface_get_width(s), 1200);
    assert_int_equal(pixel(s, 600, 210), cw_chart_band_colour(CW_LEVEL_ELITE));
    cairo_surface_destroy(s);
    free(png);
    cw_chart_free(&c);
}

static void test_email_images(void **state)
{
    (void)state;
    static const char *const ids[] = { "dora", "burnup", "throughput-type", "aging-wip" };
    cw_report r;
    cw_report_image *img;
    size_t n, total = 0;
    fill_model(&r);
    add_cycle_times(&r);
    add_wip(&r);
    add_burnup(&r);
    assert_int_equal(cw_report_images(&r, &img, &n), 0);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(img[i].id, ids[i]);
        assert_memory_equal(img[i].png, "\x89PNG", 4);
        assert_int_equal(img[i].width, 600);
        assert_true(img[i].height >= 260);
        assert_true(strlen(img[i].alt) > 20);
        assert_non_null(img[i].title);
        total += img[i].len;
    }
    assert_string_equal(img[1].title, "Release MOB 5.2: burn-up and forecast");
    assert_true(total < 80 * 1024);
    cw_report_images_free(img, n);
    /* the page's set: the email's, then every other chart the model supports */
    assert_int_equal(cw_report_images_all(&r, &img, &n), 0);
    assert_int_equal(n, 4 + 4 + 1);         /* + dora-teams-* and cycle-time (no monthly, no CFD) */
    assert_string_equal(img[8].id, "cycle-time");
    cw_report_images_free(img, n);
    cw_report_free(&r);
}

static void test_empty_model_draws_nothing(void **state)
{
    (void)state;
    cw_report r;
    cw_report_image *img;
    size_t n;
    cw_report_init(&r, cw_t("2026-01-05T00:00:00Z"), cw_t("2026-01-19T00:00:00Z"));
    assert_int_equal(cw_report_images(&r, &img, &n), 0);
    assert_int_equal(n, 0);
    cw_report_images_free(img, n);
    cw_report_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dora_overview),
        cmocka_unit_test(test_dora_teams_share_a_scale),
        cmocka_unit_test(test_throughput_by_type),
        cmocka_unit_test(test_cycle_time_percentiles),
        cmocka_unit_test(test_aging_wip),
        cmocka_unit_test(test_burnup_cone),
        cmocka_unit_test(test_burnup_follows_the_digest),
        cmocka_unit_test(test_cfd_accumulates_changes),
        cmocka_unit_test(test_monthly_view),
        cmocka_unit_test(test_png_reads_back),
        cmocka_unit_test(test_email_images),
        cmocka_unit_test(test_empty_model_draws_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
