/*
 * test_report.c - the weekly report: model helpers, the audit lists read
 * from a hand-made warehouse, and both renderers read back by independent
 * tools (openpyxl through tests/e2e/check_report.py; the HTML as text).
 *
 * The hostile strings ("=1+2", "<script>alert(1)</script>", a
 * "=HYPERLINK(...)" summary) must come out as inert text in both files.
 * Run from the repository root (load/sql/schema.sql, tests/e2e/check_report.py).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sqlite3.h>        /* a hand-made warehouse in memory (cw_test_schema_db) */

#include "support.h"
#include "core/util.h"
#include "reports/report.h"

#define APP "=1+2"
#define TEAM "<script>alert(1)</script>"
#define TEAM_ESCAPED "&lt;script&gt;alert(1)&lt;/script&gt;"
#define LINK "=HYPERLINK(\"http://evil.example\",\"click\")"
#define LINK_ESCAPED "=HYPERLINK(&quot;http://evil.example&quot;,&quot;click&quot;)"

/* ------------------------------------------------------------ helpers */

static cw_metric_row empty_row(const char *name, const char *team, const char *period)
{
    cw_metric_row m;
    memset(&m, 0, sizeof m);
    m.name = name;
    m.team = team;
    snprintf(m.period, sizeof m.period, "%s", period);
    m.lead_time_median_h = m.lead_time_p90_h = m.change_failure_rate = NAN;
    m.restore_median_h = m.restore_p90_h = m.cycle_time_median_h = m.cycle_time_p85_h = NAN;
    m.flow_efficiency = m.recovery_median_h = m.lead_time_item_median_h = m.traceability = NAN;
    m.idea_to_production_median_h = m.idea_to_production_p85_h = NAN;
    return m;
}

static cw_dora_summary summary(const char *name, const char *team, cw_scope scope)
{
    cw_dora_summary s;
    memset(&s, 0, sizeof s);
    s.name = name;
    s.team = team;
    s.scope = scope;
    s.deploys_per_week = s.lead_time_median_h = s.change_failure_rate = s.restore_median_h = NAN;
    s.recent_deploys_per_week = s.prior_deploys_per_week = NAN;
    s.recent_lead_time_median_h = s.prior_lead_time_median_h = NAN;
    s.recent_change_failure_rate = s.prior_change_failure_rate = NAN;
    s.recent_restore_median_h = s.prior_restore_median_h = NAN;
    return s;
}

/* Two weeks, 2026-01-05 and 2026-01-12: one application of one team. */
static void fill_model(cw_report *r)
{
    static const char *const weeks[] = { "2026-01-05", "2026-01-12" };
    cw_report_init(r, cw_t("2026-01-05T00:00:00Z"), cw_t("2026-01-19T00:00:00Z"));
    for (int w = 0; w < 2; w++) {
        cw_metric_row app = empty_row(APP, TEAM, weeks[w]);
        app.deployments = 7 + 10 * w;       /* 7, then 17 */
        app.lead_time_median_h = w ? 30.25 : NAN;
        cw_report_add_row(r, CW_SCOPE_APPLICATION, &app);
    }
    for (int w = 0; w < 2; w++) {
        cw_metric_row team = empty_row(TEAM, NULL, weeks[w]);
        team.deployments = 7 + 10 * w;
        cw_report_add_row(r, CW_SCOPE_TEAM, &team);
        cw_metric_row org = empty_row("organisation", NULL, weeks[w]);
        org.deployments = 7 + 10 * w;
        org.change_failure_rate = 0.125;
        cw_report_add_row(r, CW_SCOPE_ORG, &org);
    }
    cw_dora_summary app = summary(APP, TEAM, CW_SCOPE_APPLICATION);
    app.deployments = 24;
    app.deploys_per_week = 12;
    app.deploy_level = CW_LEVEL_ELITE;
    app.lead_time_median_h = 30.25;
    app.lead_time_level = CW_LEVEL_HIGH;
    app.change_failure_rate = 0.125;
    app.cfr_level = CW_LEVEL_MEDIUM;
    app.restore_median_h = 200;
    app.restore_level = CW_LEVEL_LOW;
    app.recent_deploys_per_week = 12;
    app.prior_deploys_per_week = 10;
    cw_report_add_summary(r, &app);
    cw_dora_summary team = summary(TEAM, NULL, CW_SCOPE_TEAM);
    cw_report_add_summary(r, &team);
    cw_report_wip wip = { "PAY-1", LINK, APP, "In Progress", 240 };
    cw_report_add_wip(r, &wip);
    cw_report_untraceable u = { APP, "deploy-<pay>", 42, cw_t("2026-01-07T10:00:00Z"),
                                "deadbeef", "production" };
    cw_report_add_untraceable(r, &u);
    cw_report_rejects x = { "jira", 3, 2 };
    cw_report_add_rejects(r, &x);
}

static char *make_temp_dir(void)
{
    char *dir = cw_strdup("/tmp/cw_report_XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void remove_outputs(char *dir, const char *xlsx, const char *html)
{
    unlink(xlsx);
    unlink(html);
    rmdir(dir);
    free(dir);
}

/* ------------------------------------------------------------ model helpers */

static void test_trend(void **state)
{
    cw_report_trend up = cw_report_trend_of(12, 10, 1);
    assert_true(fabs(up.delta - 2) < 1e-12);
    assert_int_equal(up.direction, 1);
    assert_int_equal(up.better, 1);
    /* Lead time going up is worse. */
    cw_report_trend slower = cw_report_trend_of(30, 24, 0);
    assert_int_equal(slower.direction, 1);
    assert_int_equal(slower.better, -1);
    cw_report_trend flat = cw_report_trend_of(0.1, 0.1, 0);
    assert_int_equal(flat.direction, 0);
    assert_int_equal(flat.better, 0);
    cw_report_trend unknown = cw_report_trend_of(NAN, 3, 1);
    assert_true(isnan(unknown.delta));
    assert_int_equal(unknown.better, 0);
}

static void test_axes_and_series(void **state)
{
    cw_report r;
    cw_report_axes a;
    fill_model(&r);
    cw_report_axes_build(&r, &a);
    assert_int_equal(a.n_series, 2);
    assert_string_equal(a.series[0], "organisation");
    assert_string_equal(a.series[1], TEAM);
    assert_int_equal(a.n_periods, 2);
    assert_string_equal(a.periods[0], "2026-01-05");
    assert_string_equal(a.periods[1], "2026-01-12");
    const cw_metric_field *deployments = cw_report_field_find("deployments");
    const cw_metric_field *cfr = cw_report_field_find("change_failure_rate");
    assert_non_null(deployments);
    assert_true(cw_report_series_value(&r, &a, 1, 1, deployments) == 17);
    assert_true(cw_report_series_value(&r, &a, 0, 0, cfr) == 0.125);
    assert_true(isnan(cw_report_series_value(&r, &a, 1, 0, cfr)));
    assert_null(cw_report_field_find("no_such_field"));
    /* Names repeat per period but are stored once. */
    assert_ptr_equal(r.rows[0].m.name, r.rows[1].m.name);
    cw_report_axes_free(&a);
    cw_report_free(&r);
}

/* The renderers look every chart's field up: a renamed metric must fail here. */
static void test_layout_names_real_fields(void **state)
{
    size_t charts = 0;
    for (size_t i = 0; i < cw_report_n_families; i++) {
        assert_true(cw_report_families[i].n_charts <= CW_REPORT_MAX_CHARTS);
        assert_true(strlen(cw_report_families[i].sheet) <= 31);   /* Excel's sheet name limit */
        for (size_t c = 0; c < cw_report_families[i].n_charts; c++, charts++)
            assert_non_null(cw_report_field_find(cw_report_families[i].charts[c].field));
    }
    assert_int_equal(cw_report_n_families, 5);
    assert_true(charts >= 5);
}

static void test_window_and_path(void **state)
{
    int64_t from, to;
    cw_report r;
    /* Thursday 2026-11-26: the window is the 12 weeks before Monday 2026-11-23. */
    cw_report_default_window(cw_t("2026-11-26T16:56:00Z"), &from, &to);
    assert_int_equal(to, cw_t("2026-11-23T00:00:00Z"));
    assert_int_equal(from, cw_t("2026-08-31T00:00:00Z"));
    cw_report_init(&r, from, to);
    char *path = cw_report_path("out", &r, "xlsx");
    assert_string_equal(path, "out/catwalk-weekly-2026-11-23.xlsx");
    free(path);
    cw_report_free(&r);
}

/* ------------------------------------------------------------ renderers */

static void assert_html_safe(const char *path)
{
    char *page = cw_read_file(path, NULL);
    assert_non_null(page);
    assert_null(strcasestr(page, "<script"));
    cw_expect_all(page, ((const char *const[]){
        TEAM_ESCAPED, LINK_ESCAPED, "deploy-&lt;pay&gt;", ">" APP "<",
        /* Levels with their colour classes, and the +2 deploys/week trend as better. */
        "class=\"level lvl-elite\">elite<", "class=\"level lvl-low\">low<",
        "class=\"level lvl-none\">no data<",
        "<td class=\"num better\">\xe2\x96\xb2 +2.00</td>", "<svg", NULL}));
    free(page);
}

/* The audit lists of the warehouse test, escaped in the page. */
static void assert_html_safe_lists(const char *path)
{
    char *page = cw_read_file(path, NULL);
    assert_non_null(page);
    assert_null(strcasestr(page, "<script"));
    cw_expect_all(page, ((const char *const[]){LINK_ESCAPED, "<td>deadbeef</td>", "<td>PAY-2</td>",
                                                NULL}));
    assert_null(strstr(page, "<td>PAY-4</td>"));
    free(page);
}

static void run_checker(const char *xlsx, const char *html, const char *extra)
{
    char *cmd = cw_asprintf("/usr/bin/python3 tests/e2e/check_report.py '%s' '%s' %s", xlsx, html,
                            extra);
    int rc = system(cmd);
    free(cmd);
    assert_int_equal(rc, 0);
}

static void test_render_hand_filled(void **state)
{
    cw_report r;
    char *dir = make_temp_dir();
    fill_model(&r);
    assert_int_equal(cw_report_render(&r, dir, CW_REPORT_ALL), 0);
    char *xlsx = cw_report_path(dir, &r, "xlsx"), *html = cw_report_path(dir, &r, "html");
    assert_non_null(strstr(xlsx, "catwalk-weekly-2026-01-19.xlsx"));
    assert_html_safe(html);
    run_checker(xlsx, html,
                "--expect-text '" APP "' --expect-text '" TEAM "' "
                "--expect-text '=HYPERLINK(\"http://evil.example\",\"click\")' "
                "--expect-number 17 --expect-number 30.25 --expect-number 0.125 "
                "--expect-level elite --expect-level high --expect-level medium "
                "--expect-level low --expect-level 'no data'");
    remove_outputs(dir, xlsx, html);
    free(xlsx);
    free(html);
    cw_report_free(&r);
}

static void test_render_only_html(void **state)
{
    cw_report r;
    char *dir = make_temp_dir();
    struct stat st;
    fill_model(&r);
    assert_int_equal(cw_report_render(&r, dir, CW_REPORT_HTML), 0);
    char *xlsx = cw_report_path(dir, &r, "xlsx"), *html = cw_report_path(dir, &r, "html");
    assert_int_equal(stat(html, &st), 0);
    assert_int_not_equal(stat(xlsx, &st), 0);
    remove_outputs(dir, xlsx, html);
    free(xlsx);
    free(html);
    cw_report_free(&r);
}

/* ------------------------------------------------------------ sections */

static void test_section_cells(void **state)
{
    char *h;
    assert_int_equal(cw_report_kind_of_name("total_h", CW_DB_REAL), CW_CELL_HOURS);
    assert_int_equal(cw_report_kind_of_name("last_change_at", CW_DB_INT), CW_CELL_INSTANT);
    assert_int_equal(cw_report_kind_of_name("scope_change_pct", CW_DB_REAL), CW_CELL_RATE);
    assert_int_equal(cw_report_kind_of_name("items", CW_DB_INT), CW_CELL_INT);
    assert_int_equal(cw_report_kind_of_name("ratio", CW_DB_REAL), CW_CELL_REAL);
    assert_int_equal(cw_report_kind_of_name("status", CW_DB_TEXT), CW_CELL_TEXT);
    /* a column with no value at all is text: nothing to format */
    assert_int_equal(cw_report_kind_of_name("items", CW_DB_NULL), CW_CELL_TEXT);
    assert_int_equal(cw_report_kind_of_name("_h", CW_DB_REAL), CW_CELL_REAL);
    h = cw_report_heading("median_wait_h");
    assert_string_equal(h, "median wait (h)");
    free(h);
    h = cw_report_heading("scope_change_pct");
    assert_string_equal(h, "scope change (%)");
    free(h);
}

/* The coverage line of metrics.md's example, and the organisation's lines
 * of a Coverage section (a team row is left out: the summary's line is the
 * organisation's). */
static void test_coverage_lines(void **state)
{
    static const cw_report_section coverage = { .sheet = "Coverage", .title = "t", .intro = "i",
                                                 .sql = "templates/sql/report_coverage.sql" };
    static const char *const cols[] = { "scope", "name", "metric", "samples", "base" };
    static const cw_report_cell_kind kinds[] = { CW_CELL_TEXT, CW_CELL_TEXT, CW_CELL_TEXT,
                                                 CW_CELL_INT, CW_CELL_INT };
    cw_report r;
    char *line = cw_report_coverage_line("lead_time", 1104, 1131);
    assert_string_equal(line, "lead time from 1,104 of 1,131 deployed commits");
    free(line);
    line = cw_report_coverage_line("restore", 1234567, 1234567);
    assert_string_equal(line, "restore from 1,234,567 of 1,234,567 resolved incidents");
    free(line);
    cw_report_init(&r, 0, 0);
    line = cw_report_coverage_summary(&r);
    assert_string_equal(line, "");
    free(line);
    cw_report_table *t = cw_report_add_table(&r, &coverage, cols, kinds, 5);
    const char *team[] = { "team", "Web", "cycle_time", NULL, NULL };
    const char *org1[] = { "organisation", NULL, "cycle_time", NULL, NULL };
    const char *org2[] = { "organisation", NULL, "traceability", NULL, NULL };
    double n1[] = { NAN, NAN, NAN, 1, 3 }, n2[] = { NAN, NAN, NAN, 4, 5 };
    cw_report_table_add_row(t, n1, team);
    cw_report_table_add_row(t, n1, org1);
    cw_report_table_add_row(t, n2, org2);
    line = cw_report_coverage_summary(&r);
    assert_string_equal(line, "cycle time from 1 of 3 done items; "
                              "traceability from 4 of 5 deployed commits");
    free(line);
    cw_report_free(&r);
}

static const cw_report_section vsm_section = {
    .sheet = "VSM", .title = "Where work waits", .intro = "hand-made",
    .sql = "unused", .chart = CW_SECTION_STACKED_BAR,
    .category = "application", .series = "status", .value = "total_h", .flag = "is_wait",
};

/* Rows: (app, status, is_wait, total_h); "<b>pay</b>" twice for In Progress
 * sums 10 + 2.5; "claims" has no Review. */
static void fill_vsm(cw_report *r)
{
    static const char *const cols[] = { "application", "status", "is_wait", "total_h" };
    static const cw_report_cell_kind kinds[] = { CW_CELL_TEXT, CW_CELL_TEXT, CW_CELL_INT,
                                                 CW_CELL_HOURS };
    static const struct { const char *app, *status; double wait, h; } rows[] = {
        { "<b>pay</b>", "In Progress", 0, 10 }, { "<b>pay</b>", "Security Review", 1, 40 },
        { "claims", "In Progress", 0, 6 }, { "<b>pay</b>", "In Progress", 0, 2.5 },
    };
    cw_report_table *t = cw_report_add_table(r, &vsm_section, cols, kinds, 4);
    for (size_t i = 0; i < 4; i++) {
        const char *texts[4] = { rows[i].app, rows[i].status, NULL, NULL };
        double nums[4] = { NAN, NAN, rows[i].wait, rows[i].h };
        cw_report_table_add_row(t, nums, texts);
    }
}

static void test_section_pivot_and_render(void **state)
{
    cw_report r;
    cw_report_pivot p;
    char *dir = make_temp_dir();
    fill_model(&r);
    fill_vsm(&r);
    assert_int_equal(cw_report_pivot_build(&r.tables[0], &p), 0);
    assert_int_equal(p.n_categories, 2);
    assert_int_equal(p.n_series, 2);
    assert_string_equal(p.categories[0], "<b>pay</b>");
    assert_string_equal(p.series[1], "Security Review");
    assert_int_equal(p.waiting[0], 0);
    assert_int_equal(p.waiting[1], 1);
    assert_true(p.values[0] == 12.5 && p.values[1] == 40 && p.values[2] == 6 && p.values[3] == 0);
    cw_report_pivot_free(&p);

    assert_int_equal(cw_report_render(&r, dir, CW_REPORT_ALL), 0);
    char *xlsx = cw_report_path(dir, &r, "xlsx"), *html = cw_report_path(dir, &r, "html");
    size_t len;
    char *page = cw_read_file(html, &len);
    assert_non_null(page);
    assert_null(strstr(page, "<b>pay</b>"));
    assert_non_null(strstr(page, "&lt;b&gt;pay&lt;/b&gt;"));
    assert_non_null(strstr(page, "Security Review (waiting)"));
    /* three segments: pay's two and claims' one (claims has no Security Review) */
    size_t rects = 0;
    for (const char *q = strstr(page, "Where work waits"); (q = strstr(q, "<rect ")); q++)
        rects++;
    assert_int_equal(rects, 3);
    free(page);
    run_checker(xlsx, html, "--expect-text '<b>pay</b>' --expect-sheet-number VSM=12.5 "
                            "--expect-sheet-number VSM=40 --expect-chart VSM");
    remove_outputs(dir, xlsx, html);
    free(xlsx);
    free(html);
    cw_report_free(&r);
}

/* ------------------------------------------------------------ warehouse */

static const char *const fixture_sql =
    "INSERT INTO batch (batch_id, started_at, status) VALUES (1, 0, 'ok'), (2, 0, 'ok');"
    "INSERT INTO dim_team VALUES (1, '" "<script>alert(1)</script>" "');"
    "INSERT INTO dim_application (application_id, name, team_id) VALUES (1, '=1+2', 1);"
    "INSERT INTO dim_source VALUES (1, 'ci', 'jenkins');"
    "INSERT INTO dim_environment VALUES (1, 'production', 1);"
    /* 2026-01-07T10:00Z untraceable (listed), 2026-01-08 traceable, 2026-01-20 after the window */
    "INSERT INTO fact_build (build_id, source_id, job, number, application_id, result, finished_at,"
    "  revision, is_deployment, environment_id) VALUES"
    "  (1, 1, 'deploy-pay', 42, 1, 'success', 1767780000, 'deadbeef', 1, 1),"
    "  (2, 1, 'deploy-pay', 43, 1, 'success', 1767866400, 'cafe', 1, 1),"
    "  (3, 1, 'deploy-pay', 44, 1, 'success', 1768867200, 'f00d', 1, 1);"
    "INSERT INTO fact_deployment (deployment_id, build_id, application_id, environment_id,"
    "  is_production, result, finished_at, revision, run_number) VALUES"
    "  (1, 1, 1, 1, 1, 'success', 1767780000, 'deadbeef', 42),"
    "  (2, 2, 1, 1, 1, 'success', 1767866400, 'cafe', 43),"
    "  (3, 3, 1, 1, 1, 'success', 1768867200, 'f00d', 44);"
    "INSERT INTO derived_deployment (deployment_id, traceable) VALUES (1, 0), (2, 1), (3, 0);"
    /* deployment 2 newly deployed commits 1 and 2 and merge 3; commit 1 names PAY-1 */
    "INSERT INTO fact_commit (commit_id, repository, sha, application_id, authored_at) VALUES"
    "  (1, 'pay', 'c1', 1, 1767700000), (2, 'pay', 'c2', 1, 1767700000),"
    "  (3, 'pay', 'c3', 1, 1767700000);"
    "INSERT INTO bridge_deployment_commit (deployment_id, commit_id, is_baseline, is_merge) VALUES"
    "  (2, 1, 0, 0), (2, 2, 0, 0), (2, 3, 0, 1);"
    "INSERT INTO bridge_commit_work_item VALUES (1, 1);"
    "INSERT INTO reject (batch_id, source, file, record, reason) VALUES"
    "  (1, 'jira', 'a.json', 1, 'bad date'), (1, 'jira', 'a.json', 2, 'bad date'),"
    "  (2, 'jira', 'b.json', 7, 'no key'), (1, 'git', 'log', 3, 'bad sha');"
    "INSERT INTO dim_work_item (work_item_id, item_key, project, application_id, summary, status,"
    "  created_at) VALUES"
    "  (1, 'PAY-1', 'PAY', 1, '=HYPERLINK(\"http://evil.example\",\"click\")', 'In Progress', 1767225600),"
    "  (2, 'PAY-2', 'PAY', 1, 'second', 'Review', 1767225600),"
    "  (3, 'PAY-3', 'PAY', 1, 'finished', 'Done', 1767225600),"
    "  (4, 'PAY-4', 'PAY', 1, 'later', 'In Progress', 1768867200);"
    "INSERT INTO derived_work_item (work_item_id, flow_type, category, start_at) VALUES"
    "  (1, 'feature', 'in_progress', 1767916800), (2, 'feature', 'in_progress', 1768564800),"
    "  (3, 'feature', 'done', 1768003200), (4, 'feature', 'in_progress', 1768867200);"
    /* intervals: [from_at, to_at); T = 2026-01-19T00:00Z = 1768780800 */
    "INSERT INTO derived_status_interval VALUES"
    "  (1, 0, 'To Do', 'todo', 0, 1767225600, 1767916800),"
    "  (1, 1, 'In Progress', 'in_progress', 0, 1767916800, NULL),"
    "  (2, 0, 'To Do', 'todo', 0, 1767225600, 1768564800),"
    "  (2, 1, 'Review', 'in_progress', 1, 1768564800, 1768780800),"
    "  (2, 2, 'Done', 'done', 0, 1768780800, NULL),"
    "  (3, 0, 'In Progress', 'in_progress', 0, 1768003200, 1768694400),"
    "  (3, 1, 'Done', 'done', 0, 1768694400, NULL),"
    "  (4, 0, 'In Progress', 'in_progress', 0, 1768867200, NULL);";

/* The warehouse as `catwalk run` leaves it: data, then the metric views.
 * The cw_db adopts the handle; close both with tiny_close. */
static cw_db *tiny_warehouse(sqlite3 **handle)
{
    sqlite3 *db = cw_test_schema_db(":memory:");
    cw_db *conn;
    assert_int_equal(sqlite3_exec(db, fixture_sql, NULL, NULL, NULL), SQLITE_OK);
    conn = cw_db_sqlite_adopt(db);
    assert_int_equal(cw_metrics_install_views(conn), 0);
    *handle = db;
    return conn;
}

static void tiny_close(cw_db *conn, sqlite3 *handle)
{
    cw_db_close(conn);
    sqlite3_close(handle);
}

static void test_gather_audit_lists(void **state)
{
    sqlite3 *handle;
    cw_db *db = tiny_warehouse(&handle);
    cw_report r;
    /* Window 2026-01-05 .. 2026-01-19 (exclusive). */
    int rc = cw_report_gather(db, cw_t("2026-01-05T00:00:00Z"), cw_t("2026-01-19T00:00:00Z"), &r);
    if (rc != 0)
        fprintf(stderr, "gather: %s\n", cw_db_errmsg(db));
    assert_int_equal(rc, 0);

    /* Deployments 1 and 2 (01-07, 01-08) are successful production ones in
     * the first week, none in the second; one team of one application. */
    assert_int_equal(r.n_rows, 6);
    for (size_t i = 0; i < r.n_rows; i++) {
        const cw_report_row *row = &r.rows[i];
        int first_week = strcmp(row->m.period, "2026-01-05") == 0;
        assert_true(first_week || strcmp(row->m.period, "2026-01-12") == 0);
        assert_int_equal(row->m.deployments, first_week ? 2 : 0);
        assert_int_equal(row->m.deploy_days, first_week ? 2 : 0);
        assert_true(isnan(row->m.change_failure_rate) == !first_week);
    }
    assert_int_equal(r.n_summaries, 3);
    assert_string_equal(r.summaries[0].name, APP);
    assert_int_equal(r.summaries[0].scope, CW_SCOPE_APPLICATION);
    assert_int_equal(r.summaries[0].deployments, 2);
    assert_string_equal(r.summaries[1].name, TEAM);
    assert_int_equal(r.summaries[2].scope, CW_SCOPE_ORG);

    assert_int_equal(r.n_untraceable, 1);
    assert_string_equal(r.untraceable[0].application, APP);
    assert_string_equal(r.untraceable[0].job, "deploy-pay");
    assert_int_equal(r.untraceable[0].number, 42);
    assert_int_equal(r.untraceable[0].finished_at, cw_t("2026-01-07T10:00:00Z"));
    assert_string_equal(r.untraceable[0].revision, "deadbeef");
    assert_string_equal(r.untraceable[0].environment, "production");

    assert_int_equal(r.n_rejects, 2);
    assert_string_equal(r.rejects[0].source, "git");
    assert_int_equal(r.rejects[0].rejects, 1);
    assert_string_equal(r.rejects[1].source, "jira");
    assert_int_equal(r.rejects[1].rejects, 3);
    assert_int_equal(r.rejects[1].last_batch, 2);

    /* PAY-1 in progress since 01-09: 10 days; PAY-2 left Review exactly at T,
     * a transition not yet applied at T: 2.5 days; PAY-3 done, PAY-4 later. */
    /* Traceability: deployment 2's non-merge commits 1 and 2, one naming PAY-1. */
    assert_non_null(r.definition);
    assert_int_equal(r.n_tables, r.definition->n_sections);
    const cw_report_table *t = NULL;
    for (size_t i = 0; i < r.n_tables; i++)
        if (strcmp(r.tables[i].section->sheet, "Traceability") == 0)
            t = &r.tables[i];
    assert_non_null(t);
    assert_int_equal(t->n_rows, 1);
    assert_int_equal(t->n_cols, 5);
    assert_string_equal(t->texts[0], APP);
    assert_true(t->nums[1] == 2 && t->nums[2] == 1 && t->nums[3] == 1);
    assert_int_equal(t->kinds[4], CW_CELL_RATE);
    assert_true(fabs(t->nums[4] - 0.5) < 1e-12);

    assert_int_equal(r.n_wip, 2);
    assert_string_equal(r.wip[0].item_key, "PAY-1");
    assert_true(fabs(r.wip[0].age_h - 240.0) < 1e-9);
    assert_string_equal(r.wip[0].summary, LINK);
    assert_string_equal(r.wip[0].application, APP);
    assert_string_equal(r.wip[1].item_key, "PAY-2");
    assert_string_equal(r.wip[1].status, "Review");
    assert_true(fabs(r.wip[1].age_h - 60.0) < 1e-9);
    cw_report_free(&r);
    tiny_close(db, handle);
}

/* The whole path `catwalk run` takes: gather from the warehouse, write both files. */
static void test_weekly_from_warehouse(void **state)
{
    sqlite3 *handle;
    cw_db *db = tiny_warehouse(&handle);
    char *dir = make_temp_dir();
    cw_report r;
    assert_int_equal(cw_report_weekly(db, NULL, cw_t("2026-01-05T00:00:00Z"),
                                      cw_t("2026-01-19T00:00:00Z"), dir), 0);
    cw_report_init(&r, cw_t("2026-01-05T00:00:00Z"), cw_t("2026-01-19T00:00:00Z"));
    char *xlsx = cw_report_path(dir, &r, "xlsx"), *html = cw_report_path(dir, &r, "html");
    assert_html_safe_lists(html);
    run_checker(xlsx, html, "--expect-text '" APP "' --expect-text '" TEAM "' --expect-number 2 "
                            "--expect-text '=HYPERLINK(\"http://evil.example\",\"click\")'");
    remove_outputs(dir, xlsx, html);
    free(xlsx);
    free(html);
    cw_report_free(&r);
    tiny_close(db, handle);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trend),
        cmocka_unit_test(test_axes_and_series),
        cmocka_unit_test(test_layout_names_real_fields),
        cmocka_unit_test(test_window_and_path),
        cmocka_unit_test(test_render_hand_filled),
        cmocka_unit_test(test_render_only_html),
        cmocka_unit_test(test_section_cells),
        cmocka_unit_test(test_coverage_lines),
        cmocka_unit_test(test_section_pivot_and_render),
        cmocka_unit_test(test_gather_audit_lists),
        cmocka_unit_test(test_weekly_from_warehouse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
