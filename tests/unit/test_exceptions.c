/*
 * test_exceptions.c - the exceptions digest (reports/exceptions.h): the
 * rules on hand-worked numbers (scores, the cap of r, weights, the order and
 * its tie-breaks, small samples), the gathering from a hand-made warehouse
 * (top N, the team slice, a tie decided by since, a p85 resting on too few
 * samples), and the [exceptions] / [report] keys of the configuration.
 * Every expected value is worked out in the comments beside it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "core/util.h"
#include "reports/exceptions.h"
#include "reports/report.h"

#define EPS 1e-9
#define DAY 86400.0

static cw_exception_rules defaults(void)
{
    cw_exception_rules r;
    cw_exception_rules_init(&r, NULL);
    return r;
}

/* ------------------------------------------------------------ the rules */

static void test_kind_names(void **state)
{
    cw_exception_kind k;
    (void)state;
    assert_string_equal(cw_exception_kind_name(CW_EXC_AGING_WIP), "aging_wip");
    assert_string_equal(cw_exception_kind_name(CW_EXC_STALLED_PIPELINE), "stalled_pipeline");
    assert_int_equal(cw_exception_kind_parse("dora_regression", &k), 0);
    assert_int_equal(k, CW_EXC_DORA_REGRESSION);
    assert_int_equal(cw_exception_kind_parse("aging-wip", &k), -1);
}

static void test_default_scores(void **state)
{
    cw_exception_rules r = defaults();
    (void)state;
    assert_int_equal(r.top, 5);
    assert_int_equal(r.min_samples, 5);
    /* aging WIP: 30 days old, p85 10 days: r = 3, score 1 + 3 = 4 */
    assert_true(fabs(cw_exception_score(&r, CW_EXC_AGING_WIP,
                                        cw_exception_ratio(30 * DAY, 10 * DAY)) - 4.0) < EPS);
    /* gate wait: 3 days at a gate whose p85 is 2 days: 2 + 1.5 = 3.5 */
    assert_true(fabs(cw_exception_score(&r, CW_EXC_GATE_WAIT,
                                        cw_exception_ratio(3 * DAY, 2 * DAY)) - 3.5) < EPS);
    /* release: P85 14 days after the planned date: 5 + 14 / 7 = 7 */
    assert_true(fabs(cw_exception_score(&r, CW_EXC_RELEASE_AT_RISK, 14) - 7.0) < EPS);
    /* at risk through a dependency only (own P85 early): 5 + 0 */
    assert_true(fabs(cw_exception_score(&r, CW_EXC_RELEASE_AT_RISK, -3) - 5.0) < EPS);
    /* open incident 36 hours old, p85 restore 8 hours: r = 4.5, 4 + 4.5 = 8.5 */
    assert_true(fabs(cw_exception_score(&r, CW_EXC_OPEN_INCIDENT,
                                        cw_exception_ratio(36.0, 8.0)) - 8.5) < EPS);
    /* DORA: elite -> medium is 2 levels: 3 + 2 = 5 */
    assert_true(fabs(cw_exception_score(&r, CW_EXC_DORA_REGRESSION, 2) - 5.0) < EPS);
    /* stalled: median gap 5 days -> threshold 10 days; 21 days: 2 + 2.1 = 4.1 */
    assert_true(fabs(cw_exception_stall_threshold(5 * DAY) - 10 * DAY) < EPS);
    assert_true(fabs(cw_exception_score(&r, CW_EXC_STALLED_PIPELINE,
                                        cw_exception_ratio(21 * DAY, 10 * DAY)) - 4.1) < EPS);
    /* median gap 1 day: 2 days is under the 7-day floor */
    assert_true(fabs(cw_exception_stall_threshold(1 * DAY) - 7 * DAY) < EPS);
    assert_true(isnan(cw_exception_score(&r, CW_EXC_AGING_WIP, NAN)));
}

static void test_ratio_cap_and_firing(void **state)
{
    cw_exception_rules r = defaults();
    (void)state;
    /* 200 days against a p85 of 10: r = 20, capped at 10: 1 + 10 = 11 */
    assert_true(fabs(cw_exception_ratio(200 * DAY, 10 * DAY) - 10.0) < EPS);
    assert_true(fabs(cw_exception_score(&r, CW_EXC_AGING_WIP,
                                        cw_exception_ratio(200 * DAY, 10 * DAY)) - 11.0) < EPS);
    /* the release's days late are not r: no cap (70 days: 5 + 10 = 15, 140: 25) */
    assert_true(fabs(cw_exception_score(&r, CW_EXC_RELEASE_AT_RISK, 140) - 25.0) < EPS);
    /* strictly longer than the threshold */
    assert_false(cw_exception_fires(10 * DAY, 10 * DAY));
    assert_true(cw_exception_fires(10 * DAY + 1, 10 * DAY));
    assert_false(cw_exception_fires(5, NAN));
    assert_false(cw_exception_fires(5, 0));
    assert_true(isnan(cw_exception_ratio(5, 0)));
    /* small samples: 4 < 5, 5 is enough */
    assert_false(cw_exception_enough(&r, 4));
    assert_true(cw_exception_enough(&r, 5));
}

static void test_weights(void **state)
{
    cw_config cfg;
    cw_exception_rules r;
    (void)state;
    memset(&cfg, 0, sizeof cfg);
    /* a zeroed config is no one's choice: the defaults */
    cw_exception_rules_init(&r, &cfg);
    assert_true(fabs(r.weight[CW_EXC_GATE_WAIT] - 1.0) < EPS);
    for (int k = 0; k < CW_EXCEPTION_KINDS; k++)
        cfg.exception_weights[k] = 1.0;
    cfg.exception_weights[CW_EXC_GATE_WAIT] = 2.0;
    cfg.exception_weights[CW_EXC_OPEN_INCIDENT] = 0;
    cfg.exceptions_top = 3;
    cfg.report_min_samples = 8;
    cw_exception_rules_init(&r, &cfg);
    assert_int_equal(r.top, 3);
    assert_int_equal(r.min_samples, 8);
    /* gate wait weighted 2: 2 x (2 + 1.5) = 7 */
    assert_true(fabs(cw_exception_score(&r, CW_EXC_GATE_WAIT, 1.5) - 7.0) < EPS);
    /* weighted 0: score 0, never listed */
    assert_true(fabs(cw_exception_score(&r, CW_EXC_OPEN_INCIDENT, 3)) < EPS);
}

static cw_report_exception entry(const char *kind, const char *subject, int64_t since,
                                 double score)
{
    cw_report_exception e;
    memset(&e, 0, sizeof e);
    e.kind = kind;
    e.scope = "application";
    e.scope_name = "pay";
    e.subject = subject;
    e.since = since;
    e.score = score;
    return e;
}

static void test_order_and_ties(void **state)
{
    cw_report_exception e[5];
    (void)state;
    e[0] = entry("aging_wip", "PAY-2", 300, 4.0);
    e[1] = entry("gate_wait", "PAY-9", 100, 4.0);       /* same score, older: first of the 4s */
    e[2] = entry("open_incident", "INC-1", 500, 8.5);   /* highest */
    e[3] = entry("aging_wip", "PAY-1", 300, 4.0);       /* same score and since: by subject */
    e[4] = entry("dora_regression", "lead_time", 50, 3.0);
    cw_exceptions_rank(e, 5);
    assert_string_equal(e[0].subject, "INC-1");
    assert_string_equal(e[1].subject, "PAY-9");
    assert_string_equal(e[2].subject, "PAY-1");
    assert_string_equal(e[3].subject, "PAY-2");
    assert_string_equal(e[4].subject, "lead_time");
    assert_true(cw_exception_compare(&e[2], &e[3]) < 0);
    assert_int_equal(cw_exception_compare(&e[2], &e[2]), 0);
}

/* ------------------------------------------------------------ the warehouse */

/* T = 2026-03-01T00:00Z = 1772323200.  Teams Alpha (pay) and Beta (web).
 * pay's items ending 2026-02-20 (in the 90 days before T) have cycle times
 * 1, 2, 3, 4 and 10 days: p85 = the value at rank ceil(0.85 x 5) = 5, 10
 * days.  PAY-6 (100 days, ended 2025-11-21, exactly T - 100 days) is out of
 * the history.  PAY-9 is in progress since 2026-02-04: 25 days, r = 2.5,
 * score 1 + 2.5 = 3.5.  WEB-1 is in progress for 212 days but web has no
 * ended item: no baseline, no entry.  PAY-11, an epic in progress for 212
 * days, is no candidate (an epic is in progress while any child is).
 * Releases: PAY 1.0 planned 2026-03-01, P85 2026-03-15: 14 days late, 5 +
 * 14/7 = 7; its stored forecasts were late on 02-13 and 02-20, not on 02-06:
 * since 2026-02-13.  WEB 2.0 planned 03-10, P85 03-17: 7 days, 5 + 1 = 6,
 * no history: since its as_of, 2026-02-20.  PAY 1.1 is not at risk. */
static const char *const warehouse_sql =
    "INSERT INTO dim_team VALUES (1, 'Alpha'), (2, 'Beta');"
    "INSERT INTO dim_application (application_id, name, team_id) VALUES (1, 'pay', 1), (2, 'web', 2);"
    "INSERT INTO map_project VALUES ('PAY', 1), ('WEB', 2);"
    "INSERT INTO dim_source VALUES (1, 'jira', 'jira');"
    "INSERT INTO dim_work_item (work_item_id, item_key, project, application_id, status,"
    "  created_at, assignee, source_id) VALUES"
    "  (1, 'PAY-1', 'PAY', 1, 'Done', 1767225600, NULL, 1),"
    "  (2, 'PAY-2', 'PAY', 1, 'Done', 1767225600, NULL, 1),"
    "  (3, 'PAY-3', 'PAY', 1, 'Done', 1767225600, NULL, 1),"
    "  (4, 'PAY-4', 'PAY', 1, 'Done', 1767225600, NULL, 1),"
    "  (5, 'PAY-5', 'PAY', 1, 'Done', 1767225600, NULL, 1),"
    "  (6, 'PAY-6', 'PAY', 1, 'Done', 1754006400, NULL, 1),"
    "  (9, 'PAY-9', 'PAY', 1, 'In Progress', 1769904000, 'Ada', 1),"
    "  (10, 'WEB-1', 'WEB', 2, 'In Progress', 1754006400, 'Bo', 1),"
    "  (11, 'PAY-11', 'PAY', 1, 'In Progress', 1754006400, 'Cy', 1);"
    "INSERT INTO derived_work_item (work_item_id, flow_type, category, start_at, end_at) VALUES"
    "  (1, 'feature', 'done', 1771459200, 1771545600),"
    "  (2, 'feature', 'done', 1771372800, 1771545600),"
    "  (3, 'feature', 'done', 1771286400, 1771545600),"
    "  (4, 'feature', 'done', 1771200000, 1771545600),"
    "  (5, 'feature', 'done', 1770681600, 1771545600),"
    "  (6, 'feature', 'done', 1755043200, 1763683200),"
    "  (9, 'feature', 'in_progress', 1770163200, NULL),"
    "  (10, 'feature', 'in_progress', 1754006400, NULL),"
    "  (11, 'feature', 'in_progress', 1754006400, NULL);"
    "INSERT INTO derived_hierarchy (work_item_id, is_epic) VALUES (11, 1);"
    "INSERT INTO derived_status_interval VALUES"
    "  (9, 0, 'In Progress', 'in_progress', 0, 1770163200, NULL),"
    "  (10, 0, 'In Progress', 'in_progress', 0, 1754006400, NULL),"
    "  (11, 0, 'In Progress', 'in_progress', 0, 1754006400, NULL);"
    "INSERT INTO dim_release (release_id, project, name, release_at) VALUES"
    "  (1, 'PAY', '1.0', 1772323200), (2, 'WEB', '2.0', 1773100800), (3, 'PAY', '1.1', 1775001600);"
    "INSERT INTO derived_forecast (release_id, as_of, remaining, has_forecast, p50_at, p85_at,"
    "  p95_at, items_by_planned_85, at_risk, critical_release_id, reason) VALUES"
    "  (1, 1771545600, 8, 1, 1772668800, 1773532800, 1773705600, 5, 1, NULL, NULL),"
    "  (2, 1771545600, 3, 1, 1772668800, 1773705600, 1773705600, 1, 1, 1, NULL),"
    "  (3, 1771545600, 2, 1, 1772668800, 1772668800, 1772668800, 2, 0, NULL, NULL);"
    "INSERT INTO forecast_history (release_id, made_at, p50_at, p85_at, p95_at) VALUES"
    "  (1, 1770336000, 1772236800, 1772236800, 1772236800),"
    "  (1, 1770940800, 1772668800, 1772668800, 1772668800),"
    "  (1, 1771545600, 1773532800, 1773532800, 1773532800);";

#define T_AS_OF 1772323200

typedef struct fixture {
    char path[256];
    cw_warehouse *wh;
    cw_db *db;
    cw_test_source jira;
    cw_config cfg;
    cw_report r;
} fixture;

static int setup(void **state)
{
    static const char *const pairs[] = { "type", "jira", "base_url", "https://jira.example.com/",
                                         NULL };
    fixture *f = cw_xcalloc(1, sizeof *f);
    f->wh = cw_test_warehouse(f->path, sizeof f->path);
    f->db = cw_wh_db(f->wh);
    cw_test_exec(f->db, warehouse_sql);
    assert_int_equal(cw_metrics_install_views(f->db), 0);
    cw_test_source_init(&f->jira, 10, "jira", "jira", pairs);
    for (int k = 0; k < CW_EXCEPTION_KINDS; k++)
        f->cfg.exception_weights[k] = 1.0;
    f->cfg.exceptions_top = 5;
    f->cfg.report_min_samples = 5;
    f->cfg.sources = &f->jira.src;
    f->cfg.n_sources = 1;
    cw_report_init(&f->r, T_AS_OF - 12 * 7 * 86400, T_AS_OF);
    f->r.exec.cfg = &f->cfg;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cw_report_free(&f->r);
    cw_test_warehouse_drop(f->wh, f->path);
    free(f);
    return 0;
}

static void expect(const cw_report_exception *e, const char *kind, const char *subject,
                   double score, const char *since, const char *team)
{
    assert_string_equal(e->kind, kind);
    assert_string_equal(e->subject, subject);
    if (fabs(e->score - score) > 1e-6)
        fail_msg("%s: score %.9f, expected %.9f", subject, e->score, score);
    assert_int_equal(e->since, cw_t(since));
    assert_string_equal(e->owner_team, team);
}

static void test_gather_hand_worked(void **state)
{
    fixture *f = *state;
    const cw_report_exception *e;
    assert_int_equal(cw_report_gather_exceptions(f->db, &f->r), 0);
    assert_int_equal(f->r.exec.n_exceptions, 3);
    e = f->r.exec.exceptions;
    expect(&e[0], "release_at_risk", "PAY 1.0", 7.0, "2026-02-13T00:00:00Z", "Alpha");
    assert_string_equal(e[0].scope, "release");
    assert_non_null(strstr(e[0].reason, "P85 2026-03-15 is 14 days after the planned 2026-03-01"));
    expect(&e[1], "release_at_risk", "WEB 2.0", 6.0, "2026-02-20T00:00:00Z", "Beta");
    assert_non_null(strstr(e[1].reason, "critical dependency PAY 1.0"));
    expect(&e[2], "aging_wip", "PAY-9", 3.5, "2026-02-04T00:00:00Z", "Alpha");
    assert_string_equal(e[2].scope, "application");
    assert_string_equal(e[2].scope_name, "pay");
    assert_string_equal(e[2].owner, "Ada");
    assert_string_equal(e[2].url, "https://jira.example.com/browse/PAY-9");
    assert_non_null(strstr(e[2].reason, "in progress for 25.0 days"));
    assert_non_null(strstr(e[2].reason, "is 10.0 days (5 items, 90 days)"));
}

static void test_gather_top_n_and_team_slice(void **state)
{
    fixture *f = *state;
    f->cfg.exceptions_top = 2;
    assert_int_equal(cw_report_gather_exceptions(f->db, &f->r), 0);
    assert_int_equal(f->r.exec.n_exceptions, 2);
    assert_string_equal(f->r.exec.exceptions[0].subject, "PAY 1.0");
    assert_string_equal(f->r.exec.exceptions[1].subject, "WEB 2.0");
    cw_report_exec_free(&f->r);
    f->r.exec.cfg = &f->cfg;
    f->r.exec.team_slice = "Beta";
    assert_int_equal(cw_report_gather_exceptions(f->db, &f->r), 0);
    assert_int_equal(f->r.exec.n_exceptions, 1);
    assert_string_equal(f->r.exec.exceptions[0].subject, "WEB 2.0");
}

static void test_gather_weights_and_tie(void **state)
{
    fixture *f = *state;
    cw_exceptions_query q = { T_AS_OF, NULL, NULL, 0 };
    /* releases weighted 0.5: PAY 1.0 3.5 ties PAY-9's 3.5; PAY-9 is older
     * (since 02-04 against 02-13) and goes first; WEB 2.0 3.0 last */
    f->cfg.exception_weights[CW_EXC_RELEASE_AT_RISK] = 0.5;
    assert_int_equal(cw_exceptions_collect(f->db, &f->cfg, &q, &f->r), 0);
    assert_int_equal(f->r.exec.n_exceptions, 3);
    expect(&f->r.exec.exceptions[0], "aging_wip", "PAY-9", 3.5, "2026-02-04T00:00:00Z", "Alpha");
    expect(&f->r.exec.exceptions[1], "release_at_risk", "PAY 1.0", 3.5, "2026-02-13T00:00:00Z",
           "Alpha");
    expect(&f->r.exec.exceptions[2], "release_at_risk", "WEB 2.0", 3.0, "2026-02-20T00:00:00Z",
           "Beta");
}

static void test_gather_small_sample_and_app_filter(void **state)
{
    fixture *f = *state;
    cw_exceptions_query q = { T_AS_OF, NULL, "pay", 0 };
    /* pay's p85 rests on 5 items: with min_samples 6 there is no baseline */
    f->cfg.report_min_samples = 6;
    assert_int_equal(cw_exceptions_collect(f->db, &f->cfg, &q, &f->r), 0);
    assert_int_equal(f->r.exec.n_exceptions, 1);
    assert_string_equal(f->r.exec.exceptions[0].subject, "PAY 1.0");
    /* a kind weighted 0 is never listed */
    cw_report_exec_free(&f->r);
    f->cfg.exception_weights[CW_EXC_RELEASE_AT_RISK] = 0;
    assert_int_equal(cw_exceptions_collect(f->db, &f->cfg, &q, &f->r), 0);
    assert_int_equal(f->r.exec.n_exceptions, 0);
}

/* ------------------------------------------------------------ configuration */

static int no_source_check(const cw_source *src)
{
    (void)src;
    return 0;
}

/* Load text as a configuration; returns what stderr received (caller frees). */
static char *load(const char *text, cw_config **cfg)
{
    cw_redirect err;
    const char *path = cw_temp_file(text, ".ini");
    cw_redirect_begin(&err, 2);
    cw_config_load(path, no_source_check, cfg);
    return cw_redirect_end(&err);
}

static void test_config_keys(void **state)
{
    cw_config *cfg = NULL;
    char *err;
    (void)state;
    err = load("[catwalk]\nwarehouse = w.db\n", &cfg);
    assert_non_null(cfg);
    assert_int_equal(cfg->exceptions_top, 5);
    assert_int_equal(cfg->report_min_samples, 0);       /* unset: the default, 5 */
    assert_true(fabs(cfg->exception_weights[CW_EXC_AGING_WIP] - 1.0) < EPS);
    cw_config_free(cfg);
    free(err);
    err = load("[exceptions]\ntop = 3\ngate_wait = 2.5\nopen_incident = 0\n[report]\n"
               "min_samples = 10\n", &cfg);
    assert_non_null(cfg);
    assert_int_equal(cfg->exceptions_top, 3);
    assert_int_equal(cfg->report_min_samples, 10);
    assert_true(fabs(cfg->exception_weights[CW_EXC_GATE_WAIT] - 2.5) < EPS);
    assert_true(fabs(cfg->exception_weights[CW_EXC_OPEN_INCIDENT]) < EPS);
    assert_true(fabs(cfg->exception_weights[CW_EXC_STALLED_PIPELINE] - 1.0) < EPS);
    cw_config_free(cfg);
    free(err);
}

static void test_config_errors_name_line_and_key(void **state)
{
    cw_config *cfg = NULL;
    char *err;
    (void)state;
    err = load("[exceptions]\ntop = 3\naging = 2\n", &cfg);
    assert_null(cfg);
    assert_non_null(strstr(err, ".ini:3: aging: unknown key in [exceptions]"));
    free(err);
    err = load("[exceptions]\ngate_wait = lots\n", &cfg);
    assert_null(cfg);
    assert_non_null(strstr(err, ".ini:2: gate_wait: expected a weight"));
    free(err);
    err = load("[exceptions]\ngate_wait = -1\n", &cfg);
    assert_null(cfg);
    assert_non_null(strstr(err, ":2: gate_wait: expected a weight"));
    free(err);
    err = load("[exceptions]\n\ntop = 0\n", &cfg);
    assert_null(cfg);
    assert_non_null(strstr(err, ".ini:3: top: expected a whole number"));
    free(err);
    err = load("[exceptions]\ntop = 2\ntop = 3\n", &cfg);
    assert_null(cfg);
    assert_non_null(strstr(err, ".ini:3: top: given twice"));
    free(err);
    err = load("[report]\nmin_samples = 2.5\n", &cfg);
    assert_null(cfg);
    assert_non_null(strstr(err, ".ini:2: min_samples: expected a whole number"));
    free(err);
    err = load("[report]\nmin_sample = 2\n", &cfg);
    assert_null(cfg);
    assert_non_null(strstr(err, ".ini:2: min_sample: unknown key in [report]"));
    free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kind_names),
        cmocka_unit_test(test_default_scores),
        cmocka_unit_test(test_ratio_cap_and_firing),
        cmocka_unit_test(test_weights),
        cmocka_unit_test(test_order_and_ties),
        cmocka_unit_test_setup_teardown(test_gather_hand_worked, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gather_top_n_and_team_slice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gather_weights_and_tie, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gather_small_sample_and_app_filter, setup, teardown),
        cmocka_unit_test(test_config_keys),
        cmocka_unit_test(test_config_errors_name_line_and_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
