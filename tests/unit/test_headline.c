/*
 * test_headline.c - the report's headline (reports/headline.c) and its
 * data-trust banner (reports/trust.c).
 *
 * The tiles are checked on models filled by hand, every expected value
 * worked out in the comments; the legend and the banner on small hand-made
 * warehouses (the band legend from the dora_band view as `catwalk run`
 * installs it; a failed, an empty and a good source in source_run).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "core/util.h"
#include "load/warehouse.h"
#include "reports/headline.h"

#define EPS 1e-9

/* Twelve weeks: 2026-01-05 .. 2026-03-30. */
#define FROM "2026-01-05T00:00:00Z"
#define TO   "2026-03-30T00:00:00Z"

static cw_dora_summary summary(const char *name, cw_scope scope)
{
    cw_dora_summary s;
    memset(&s, 0, sizeof s);
    s.name = name;
    s.scope = scope;
    s.deploy_mapped = 1;
    s.deploys_per_week = s.lead_time_median_h = s.change_failure_rate = s.restore_median_h = NAN;
    s.recent_deploys_per_week = s.prior_deploys_per_week = NAN;
    s.recent_lead_time_median_h = s.prior_lead_time_median_h = NAN;
    s.recent_change_failure_rate = s.prior_change_failure_rate = NAN;
    s.recent_restore_median_h = s.prior_restore_median_h = NAN;
    return s;
}

/* The organisation of the worked example:
 *   deployment frequency 4.2 per week, high; last 4 weeks 5.0, the 4 before
 *     4.2: +0.8 per week, better; 12 weeks of samples
 *   lead time 50.4 h = 2.1 days (>= 48 h: days), high; 48.0 h against 57.6 h:
 *     -9.6 h = -0.4 days, better; 30 commits, 12 and 10 in the halves
 *   change failure rate 12.5 %, medium; 5.9 % against 23.1 %: -17.2 pp,
 *     better; 40 deployments, 17 and 13
 *   time to restore 5.3 h, high; 4.0 h against no prior: no comparison;
 *     3 restored incidents: a small sample (3 < 5) */
static cw_dora_summary worked_org(void)
{
    cw_dora_summary s = summary("organisation", CW_SCOPE_ORG);
    s.deployments = 40;
    s.deploys_per_week = 4.2;
    s.deploy_level = CW_LEVEL_HIGH;
    s.recent_deploys_per_week = 5.0;
    s.prior_deploys_per_week = 4.2;
    s.lead_time_median_h = 50.4;
    s.lead_time_level = CW_LEVEL_HIGH;
    s.recent_lead_time_median_h = 48.0;
    s.prior_lead_time_median_h = 57.6;
    s.lead_time_count = 30;
    s.recent_lead_time_count = 12;
    s.prior_lead_time_count = 10;
    s.change_failure_rate = 0.125;
    s.cfr_level = CW_LEVEL_MEDIUM;
    s.recent_change_failure_rate = 0.059;
    s.prior_change_failure_rate = 0.231;
    s.recent_deployments = 17;
    s.prior_deployments = 13;
    s.restore_median_h = 5.3;
    s.restore_level = CW_LEVEL_HIGH;
    s.recent_restore_median_h = 4.0;
    s.restore_count = 3;
    s.recent_restore_count = 3;
    return s;
}

static void test_tiles_worked_example(void **state)
{
    cw_report r;
    cw_dora_summary org = worked_org(), app = summary("pay", CW_SCOPE_APPLICATION);
    const cw_report_tile *t;
    (void)state;
    cw_report_init(&r, cw_t(FROM), cw_t(TO));
    cw_report_add_summary(&r, &app);            /* not the organisation: never a tile */
    cw_report_add_summary(&r, &org);
    cw_report_headline_tiles(&r, 5);
    assert_int_equal(r.exec.headline.n_tiles, 4);
    t = r.exec.headline.tiles;

    assert_string_equal(t[0].key, "deployment_frequency");
    assert_float_equal(t[0].value, 4.2, EPS);
    assert_string_equal(t[0].value_text, "4.2 per week");
    assert_int_equal(t[0].level, CW_LEVEL_HIGH);
    assert_float_equal(t[0].change, 0.8, EPS);
    assert_string_equal(t[0].change_text, "+0.8 per week");
    assert_int_equal(t[0].better, 1);
    assert_int_equal(t[0].samples, 12);
    assert_int_equal(t[0].small_sample, 0);

    assert_string_equal(t[1].key, "lead_time");
    assert_string_equal(t[1].value_text, "2.1 days");
    assert_float_equal(t[1].change, -9.6, EPS);            /* hours, the key's unit */
    assert_string_equal(t[1].change_text, "-0.4 days");
    assert_int_equal(t[1].better, 1);
    assert_int_equal(t[1].samples, 30);
    assert_int_equal(t[1].small_sample, 0);

    assert_string_equal(t[2].key, "change_failure_rate");
    assert_string_equal(t[2].value_text, "12.5 %");
    assert_int_equal(t[2].level, CW_LEVEL_MEDIUM);
    assert_float_equal(t[2].change, -17.2, EPS);           /* percentage points */
    assert_string_equal(t[2].change_text, "-17.2 pp");
    assert_int_equal(t[2].better, 1);
    assert_int_equal(t[2].samples, 40);
    assert_int_equal(t[2].small_sample, 0);

    assert_string_equal(t[3].key, "restore");
    assert_string_equal(t[3].value_text, "5.3 h");
    assert_true(isnan(t[3].change));
    assert_string_equal(t[3].change_text, "no comparison");
    assert_int_equal(t[3].better, 0);
    assert_int_equal(t[3].samples, 3);
    assert_int_equal(t[3].small_sample, 1);

    assert_string_equal(r.exec.headline.narrative,
                        "Delivery got faster: lead time 2.1 days (-0.4 days), deployments 4.2 per "
                        "week (+0.8 per week); change failure rate fell 17.2 pp to 12.5 %, time to "
                        "restore 5.3 h (n=3).");
    cw_report_free(&r);
}

/* A 100 % change failure rate from 2 deployments is greyed with its n; the
 * same figure from 2 deployments with min_samples 2 is not.  A trend whose
 * one half rests on 3 samples is small too, though the level rests on 30. */
static void test_small_sample_rule(void **state)
{
    cw_report r;
    cw_dora_summary org = summary("organisation", CW_SCOPE_ORG);
    (void)state;
    org.deployments = 2;
    org.change_failure_rate = 1.0;
    org.cfr_level = CW_LEVEL_LOW;
    org.recent_change_failure_rate = 1.0;
    org.recent_deployments = 2;
    org.lead_time_median_h = 30;
    org.lead_time_count = 30;
    org.recent_lead_time_median_h = 20;
    org.prior_lead_time_median_h = 40;
    org.recent_lead_time_count = 27;
    org.prior_lead_time_count = 3;
    cw_report_init(&r, cw_t(FROM), cw_t(TO));
    cw_report_add_summary(&r, &org);
    cw_report_headline_tiles(&r, 5);
    assert_int_equal(r.exec.headline.tiles[2].samples, 2);
    assert_int_equal(r.exec.headline.tiles[2].small_sample, 1);
    assert_int_equal(r.exec.headline.tiles[1].small_sample, 1);
    assert_int_equal(r.exec.headline.tiles[1].samples, 3);        /* the small half's n */
    assert_string_equal(r.exec.headline.tiles[1].value_text, "30.0 h");  /* < 48 h: hours */
    assert_string_equal(r.exec.headline.tiles[1].change_text, "-20.0 h");
    /* no mapping anywhere: the deployment frequency is no data, not small */
    assert_string_equal(r.exec.headline.tiles[0].value_text, "no data");
    assert_int_equal(r.exec.headline.tiles[0].level, CW_LEVEL_NONE);
    assert_int_equal(r.exec.headline.tiles[0].samples, 0);
    assert_int_equal(r.exec.headline.tiles[0].small_sample, 0);
    assert_non_null(strstr(r.exec.headline.narrative, "change failure rate at 100.0 % (n=2)"));
    cw_report_free(&r);

    cw_report_init(&r, cw_t(FROM), cw_t(TO));
    cw_report_add_summary(&r, &org);
    cw_report_headline_tiles(&r, 2);
    assert_int_equal(r.exec.headline.tiles[2].small_sample, 0);
    assert_int_equal(r.exec.headline.tiles[1].small_sample, 0);
    cw_report_free(&r);
}

/* A team's slice describes that team; a model without the summary says
 * "no data" on every tile, with no level. */
static void test_team_slice_and_no_data(void **state)
{
    cw_report r;
    cw_dora_summary org = worked_org(), team = summary("core", CW_SCOPE_TEAM);
    (void)state;
    team.deploys_per_week = 0.5;
    team.recent_deploys_per_week = 0.25;
    team.prior_deploys_per_week = 1.0;
    team.deploy_level = CW_LEVEL_MEDIUM;
    cw_report_init(&r, cw_t(FROM), cw_t(TO));
    cw_report_add_summary(&r, &team);
    cw_report_add_summary(&r, &org);
    r.exec.team_slice = "core";
    cw_report_headline_tiles(&r, 5);
    assert_string_equal(r.exec.headline.tiles[0].value_text, "0.5 per week");
    assert_string_equal(r.exec.headline.tiles[0].change_text, "-0.8 per week");   /* -0.75 */
    assert_int_equal(r.exec.headline.tiles[0].better, -1);
    assert_string_equal(r.exec.headline.tiles[2].value_text, "no data");
    assert_string_equal(r.exec.headline.narrative,
                        "Delivery got slower: lead time no data, deployments 0.5 per week "
                        "(-0.8 per week); change failure rate no data, time to restore no data.");
    cw_report_free(&r);

    cw_report_init(&r, cw_t(FROM), cw_t(TO));
    r.exec.team_slice = "nobody";
    cw_report_headline_tiles(&r, 5);
    for (size_t k = 0; k < CW_REPORT_TILES; k++) {
        assert_string_equal(r.exec.headline.tiles[k].value_text, "no data");
        assert_int_equal(r.exec.headline.tiles[k].level, CW_LEVEL_NONE);
        assert_int_equal(r.exec.headline.tiles[k].small_sample, 0);
    }
    cw_report_free(&r);
}

static void test_duration_text(void **state)
{
    char buf[32];
    (void)state;
    cw_report_duration_text(47.9, buf, sizeof buf);
    assert_string_equal(buf, "47.9 h");
    cw_report_duration_text(48, buf, sizeof buf);
    assert_string_equal(buf, "2.0 days");
    cw_report_duration_text(1099.87, buf, sizeof buf);
    assert_string_equal(buf, "45.8 days");              /* the "1099.87" hours */
    cw_report_duration_text(NAN, buf, sizeof buf);
    assert_string_equal(buf, "no data");
}

/* ------------------------------------------------------------ warehouses */

/* A fresh warehouse file with sql's rows and the metric views, as `catwalk
 * run` leaves it. */
typedef struct test_wh {
    char path[512];
    cw_warehouse *wh;
} test_wh;

static cw_db *warehouse(test_wh *t, const char *sql)
{
    cw_db *db;
    t->wh = cw_test_warehouse(t->path, sizeof t->path);
    db = cw_wh_db(t->wh);
    if (*sql)
        cw_test_exec(db, sql);
    assert_int_equal(cw_metrics_install_views(db), 0);
    return db;
}

static void close_warehouse(test_wh *t)
{
    cw_test_warehouse_drop(t->wh, t->path);
}

/* The legend states the dora_band view's thresholds (metrics.md's DORA
 * 2023 bands), long durations in days. */
static void test_legend_from_bands(void **state)
{
    test_wh w;
    cw_db *db = warehouse(&w, "");
    cw_report r;
    (void)state;
    cw_report_init(&r, cw_t(FROM), cw_t(TO));
    assert_int_equal(cw_report_gather_headline(db, &r), 0);
    assert_int_equal(r.exec.headline.n_legend, 4);
    assert_string_equal(r.exec.headline.legend[0],
                        "Deployment frequency: elite >= 5 deploy days a week, high >= 1 deploy day "
                        "a week, medium >= 1 deploy day a month, low < 1 deploy day a month");
    assert_string_equal(r.exec.headline.legend[1],
                        "Lead time for changes: elite < 24 h, high < 7 days, medium < 30 days, "
                        "low >= 30 days");
    assert_string_equal(r.exec.headline.legend[2],
                        "Change failure rate: elite <= 5 %, high <= 10 %, medium <= 15 %, "
                        "low > 15 %");
    assert_string_equal(r.exec.headline.legend[3],
                        "Time to restore: elite < 1 h, high < 24 h, medium < 7 days, low >= 7 days");
    cw_report_free(&r);
    close_warehouse(&w);
}

/* Batch 1 loaded jira, pagerduty and git; batch 2 (the latest) failed jira
 * (HTTP 503), found nothing for git and loaded pagerduty.  Expected:
 *   git        empty, last ok at batch 1's end (1000), 1 reject
 *   jira       failed "HTTP 503 from jira", last ok 1000, 3 rejects
 *   pagerduty  ok, last ok at batch 2's end (2000)
 *   ops        failed in batch 1 only, absent from batch 2: not degrading
 * so the banner is degraded; 5 rejects in all (one of "old", a source that
 * no longer runs).  Unmapped: WEB-1 and OPS-1
 * have no application (2 items); incidents on services "Mail" (twice) and
 * none map to no application: 2 services.  Findings in the window
 * 2026-01-05 .. 2026-01-19: I3 resolved before created (affects restore),
 * the three unmapped-service incidents (affect incidents, ...), and jira,
 * a source with no record dated in the window (every metric of the
 * source): all on the banner; a text_not_utf8 finding (text only) is not. */
static const char trust_sql[] =
    "INSERT INTO batch (batch_id, started_at, finished_at, status) VALUES\n"
    "  (1, 900, 1000, 'partial'), (2, 1900, 2000, 'partial');\n"
    "INSERT INTO source_run (batch_id, source, mode, status, error) VALUES\n"
    "  (1, 'jira', 'live', 'ok', NULL), (1, 'pagerduty', 'files', 'ok', NULL),\n"
    "  (1, 'git', 'files', 'ok', NULL), (1, 'ops', 'files', 'failed', 'its path matches no file'),\n"
    "  (2, 'jira', 'live', 'failed', 'HTTP 503 from jira'), (2, 'pagerduty', 'files', 'ok', NULL),\n"
    "  (2, 'git', 'files', 'empty', 'its file holds no record');\n"
    "INSERT INTO dim_source VALUES (1, 'jira', 'jira'), (2, 'pagerduty', 'pagerduty');\n"
    "INSERT INTO reject (batch_id, source, file, record, reason) VALUES\n"
    "  (1, 'jira', 'a', 1, 'x'), (1, 'jira', 'a', 2, 'x'), (2, 'jira', 'b', 1, 'x'),\n"
    "  (1, 'git', 'log', 3, 'bad sha'), (1, 'old', 'x.csv', 1, 'gone since');\n"
    "INSERT INTO dim_team VALUES (1, 'core');\n"
    "INSERT INTO dim_application (application_id, name, team_id) VALUES (1, 'pay', 1);\n"
    "INSERT INTO dim_work_item (work_item_id, item_key, project, application_id, status,\n"
    "  created_at) VALUES (1, 'PAY-1', 'PAY', 1, 'Done', 1767600000),\n"
    "  (2, 'WEB-1', 'WEB', NULL, 'Done', 1767600000), (3, 'OPS-1', 'OPS', NULL, 'Done', 1767600000);\n"
    "INSERT INTO fact_incident (incident_id, source_id, external_id, application_id, service,\n"
    "  created_at, resolved_at) VALUES\n"
    "  (1, 2, 'I1', 0, 'Mail', 1767780000, 1767790000),\n"
    "  (2, 2, 'I2', 0, 'Mail', 1767780000, NULL),\n"
    "  (3, 2, 'I3', 1, 'Pay', 1767790000, 1767780000),\n"
    "  (4, 2, 'I4', 0, NULL, 1767790000, NULL);\n"
    "INSERT INTO finding (kind, subject, detail) VALUES ('text_not_utf8', 'jira:a', 'x');\n";

static void test_trust_banner(void **state)
{
    test_wh w;
    cw_db *db = warehouse(&w, trust_sql);
    const cw_report_trust *t;
    cw_report r;
    (void)state;
    cw_report_init(&r, cw_t("2026-01-05T00:00:00Z"), cw_t("2026-01-19T00:00:00Z"));
    assert_int_equal(cw_report_gather_trust(db, &r), 0);
    t = &r.exec.trust;
    assert_int_equal(t->n_sources, 4);
    assert_string_equal(t->sources[0].source, "git");
    assert_null(t->sources[0].type);                    /* no record, no config: unknown */
    assert_string_equal(t->sources[0].last_status, "empty");
    assert_int_equal(t->sources[0].last_ok_at, 1000);
    assert_int_equal(t->sources[0].rejects, 1);
    assert_string_equal(t->sources[1].source, "jira");
    assert_string_equal(t->sources[1].type, "jira");
    assert_string_equal(t->sources[1].last_status, "failed");
    assert_string_equal(t->sources[1].error, "HTTP 503 from jira");
    assert_int_equal(t->sources[1].last_ok_at, 1000);
    assert_int_equal(t->sources[1].rejects, 3);
    assert_string_equal(t->sources[2].source, "ops");
    assert_string_equal(t->sources[2].last_status, "failed");
    assert_int_equal(t->sources[2].last_ok_at, 0);                 /* never */
    assert_string_equal(t->sources[3].source, "pagerduty");
    assert_string_equal(t->sources[3].last_status, "ok");
    assert_null(t->sources[3].error);
    assert_int_equal(t->sources[3].last_ok_at, 2000);
    assert_int_equal(t->degraded, 1);
    assert_int_equal(t->rejects, 5);
    assert_int_equal(t->unmapped_items, 2);
    assert_int_equal(t->unmapped_services, 2);
    assert_int_equal(t->n_findings, 3);
    assert_string_equal(t->findings[0], "incident resolved before created: 1 (affects restore)");
    assert_string_equal(t->findings[1], "incident unmapped service: 3 (affects incidents, "
                                        "change_failure_rate, restore)");
    assert_string_equal(t->findings[2], "source no records: 1 (affects every metric of the source)");
    cw_report_free(&r);
    close_warehouse(&w);
}

/* Every source ran fine in the latest batch: no warning, even though one
 * failed in an earlier batch. */
static void test_trust_banner_clean(void **state)
{
    test_wh w;
    cw_db *db = warehouse(&w,
                          "INSERT INTO batch (batch_id, started_at, finished_at, status) VALUES\n"
                          "  (1, 900, 1000, 'partial'), (2, 1900, 2000, 'ok');\n"
                          "INSERT INTO source_run (batch_id, source, mode, status, error) VALUES\n"
                          "  (1, 'jira', 'files', 'failed', 'gone'), (2, 'jira', 'files', 'ok', NULL);\n");
    cw_report r;
    (void)state;
    cw_report_init(&r, cw_t("2026-01-05T00:00:00Z"), cw_t("2026-01-19T00:00:00Z"));
    assert_int_equal(cw_report_gather_trust(db, &r), 0);
    assert_int_equal(r.exec.trust.n_sources, 1);
    assert_int_equal(r.exec.trust.degraded, 0);
    assert_int_equal(r.exec.trust.sources[0].last_ok_at, 2000);
    assert_int_equal(r.exec.trust.n_findings, 0);
    cw_report_free(&r);
    close_warehouse(&w);
}

/* The Summary sheet of a hand-filled model, read back with openpyxl: the
 * worked example's tiles in their units (2.1 days, -0.4 days, -17.2 pp), the
 * small sample greyed with its n, the banner a warning naming the failed
 * source, the organisation first, the application under its team with its
 * lead time in days (60 h = 2.5 days) and its rate's change in pp
 * (0.30 - 0.10 = +20 pp). */
static const char summary_check[] =
    "import openpyxl, sys\n"
    "ws = openpyxl.load_workbook(sys.argv[1])['Summary']\n"
    "rows = [[c for c in r] for r in ws.iter_rows()]\n"
    "def find(v):\n"
    "    return next(r for r in rows if r[0].value == v)\n"
    "lt = find('Lead time for changes')\n"
    "assert abs(lt[1].value - 2.1) < 1e-9 and 'days' in lt[1].number_format, lt[1].value\n"
    "assert abs(lt[3].value + 0.4) < 1e-9 and 'days' in lt[3].number_format, lt[3].value\n"
    "cfr = find('Change failure rate')\n"
    "assert abs(cfr[1].value - 0.125) < 1e-9 and '%' in cfr[1].number_format\n"
    "assert abs(cfr[3].value + 17.2) < 1e-9 and 'pp' in cfr[3].number_format, cfr[3].value\n"
    "assert cfr[4].value == 'better'\n"
    "rs = find('Time to restore')\n"
    "assert rs[5].value == 'n=3: small sample' and rs[1].font.i, rs[5].value\n"
    "texts = [c.value for r in rows for c in r if isinstance(c.value, str)]\n"
    "assert any(t.startswith('Warning: a source failed') for t in texts)\n"
    "assert 'HTTP 503' in texts and 'never' in texts\n"
    "org = rows[[r[0].value for r in rows].index('Organisation and teams') + 2]\n"
    "assert org[0].value == 'organisation', org[0].value\n"
    "at = [r[0].value for r in rows].index('Team core')\n"
    "app = rows[at + 1]\n"
    "assert app[1].value == 'pay' and abs(app[6].value - 2.5) < 1e-9, app[6].value\n"
    "assert 'days' in app[6].number_format\n"
    "assert abs(app[11].value - 20) < 1e-9 and 'pp' in app[11].number_format, app[11].value\n"
    "assert app[10].value == 'low (n=4)', app[10].value\n"
    "print('summary ok')\n";

static void test_summary_sheet(void **state)
{
    cw_report r;
    cw_dora_summary org = worked_org(), team = summary("core", CW_SCOPE_TEAM),
                    app = summary("pay", CW_SCOPE_APPLICATION);
    cw_report_source_state bad = { "jira", "jira", 0, "failed", "HTTP 503", 2 };
    char *dir = cw_temp_dir(), *xlsx, *script;
    (void)state;
    app.team = "core";
    app.deployments = 4;
    app.lead_time_median_h = 60;
    app.lead_time_level = CW_LEVEL_HIGH;
    app.lead_time_count = 9;
    app.change_failure_rate = 0.25;
    app.cfr_level = CW_LEVEL_LOW;
    app.recent_change_failure_rate = 0.30;
    app.prior_change_failure_rate = 0.10;
    app.recent_deployments = 10;
    app.prior_deployments = 10;
    cw_report_init(&r, cw_t(FROM), cw_t(TO));
    cw_report_add_summary(&r, &app);
    cw_report_add_summary(&r, &team);
    cw_report_add_summary(&r, &org);
    cw_report_headline_tiles(&r, 5);
    cw_report_add_legend(&r, "Lead time for changes: elite < 24 h");
    cw_report_add_source_state(&r, &bad);
    r.exec.trust.degraded = 1;
    xlsx = cw_report_path(dir, &r, "xlsx");
    assert_int_equal(cw_report_write_xlsx(&r, xlsx), 0);
    script = cw_asprintf("%s/check.py", dir);
    cw_write_file(dir, "check.py", summary_check);
    assert_int_equal(cw_system("/usr/bin/python3 '%s' '%s'", script, xlsx), 0);
    free(script);
    free(xlsx);
    cw_remove_tree(dir);
    free(dir);
    cw_report_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiles_worked_example),
        cmocka_unit_test(test_small_sample_rule),
        cmocka_unit_test(test_team_slice_and_no_data),
        cmocka_unit_test(test_duration_text),
        cmocka_unit_test(test_legend_from_bands),
        cmocka_unit_test(test_trust_banner),
        cmocka_unit_test(test_trust_banner_clean),
        cmocka_unit_test(test_summary_sheet),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
