/*
 * test_valuestream.c - the value stream layer: [gates] and application
 * gates in the configuration, time in status with the top waiting stage,
 * gates passed / skipped / waiting (reports/valuestream.h), idea to
 * production with its stages and the in-flight items (flow_views.sql), the
 * idea_to_production fields of the metric rows, and report_gates.sql.
 * Every expected value is worked out by hand in the comments.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "support.h"
#include "core/config.h"
#include "core/embedded.h"
#include "core/time.h"
#include "core/util.h"
#include "extract/source.h"
#include "load/warehouse.h"
#include "reports/metrics.h"
#include "reports/valuestream.h"

#define EPS 1e-9
#define H 3600

static void sql_t(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    int64_t t;
    (void)argc;
    if (!text || cw_time_parse_iso8601(text, NULL, &t) != 0) {
        sqlite3_result_error(ctx, "bad timestamp", -1);
        return;
    }
    sqlite3_result_int64(ctx, t);
}

/* Two applications of team core: api requires the security and cab gates,
 * web the security gate.  Weeks W1 = [03-02, 03-09), W2 = [03-09, 03-16);
 * the report instant is 03-16 00:00.
 *   I1 api  start 03-02 00:00, end 03-03 06:00: In Progress 10 h, Security
 *           Review 4 h, In Progress 10 h, Security Review 6 h (the gate
 *           visited twice: 10 h), Done.  Never at CAB: skips it.
 *   I2 api  start 03-02 06:00, end 03-03 08:00, reopened: In Progress 12 h,
 *           Done 6 h, In Progress 2 h, CAB 6 h, Done.  Skips security.
 *   I3 api  created straight into To Do 03-09 00:00, Security Review from
 *           03-09 04:00 (its start) to its end 03-10 04:00: 24 h.  Skips cab.
 *   I4 api  in Security Review from 03-11 00:00 to 03-17 00:00: waiting at
 *           the report instant (the interval holding it), not now.
 *   I5 web  in Security Review since 03-12 00:00: waiting then and now.
 *   I6 api  in Security Review 03-10 00:00 to 03-12 00:00: left before.
 * Idea to production (commits K, deployments D1 baseline, D2):
 *   I1 created 03-01 00:00; K1 03-01 20:00 shipped by the baseline (left
 *      aside), K2 03-02 04:00, K3 03-02 23:00, merge K4 03-03 05:00 (left
 *      aside); production_at 03-04 00:00.  Start 03-02 00:00 is before K2.
 *   I2 created 03-02 00:00; K5 03-01 12:00 (before creation), K6 03-03
 *      01:00; production_at 03-05 06:00.
 *   I3 production_at 03-08 00:00, before its creation: excluded.
 *   I4 K7 03-10 12:00 not deployed: in flight. */
static const char dataset[] =
    "INSERT INTO dim_team VALUES (1, 'core');\n"
    "INSERT INTO dim_application VALUES (1, 'api', 1, 1), (2, 'web', 1, 1);\n"
    "INSERT INTO map_gate VALUES ('Security Review', 'security'), ('CAB', 'cab');\n"
    "INSERT INTO map_application_gate VALUES (1, 'security'), (1, 'cab'), (2, 'security');\n"
    "INSERT INTO dim_work_item (work_item_id, item_key, project, application_id, item_type,\n"
    "  status, created_at) VALUES\n"
    "  (1, 'API-1', 'API', 1, 'Story', 'Done', t('2026-03-01T00:00:00Z')),\n"
    "  (2, 'API-2', 'API', 1, 'Story', 'Done', t('2026-03-02T00:00:00Z')),\n"
    "  (3, 'API-3', 'API', 1, 'Story', 'Done', t('2026-03-09T00:00:00Z')),\n"
    "  (4, 'API-4', 'API', 1, 'Story', 'In Progress', t('2026-03-10T00:00:00Z')),\n"
    "  (5, 'WEB-5', 'WEB', 2, 'Story', 'Security Review', t('2026-03-12T00:00:00Z')),\n"
    "  (6, 'API-6', 'API', 1, 'Story', 'In Progress', t('2026-03-10T00:00:00Z'));\n"
    "INSERT INTO derived_work_item (work_item_id, flow_type, category, start_at, end_at,\n"
    "  active_s, production_at) VALUES\n"
    "  (1, 'feature', 'done', t('2026-03-02T00:00:00Z'), t('2026-03-03T06:00:00Z'), 0,\n"
    "   t('2026-03-04T00:00:00Z')),\n"
    "  (2, 'feature', 'done', t('2026-03-02T06:00:00Z'), t('2026-03-03T08:00:00Z'), 0,\n"
    "   t('2026-03-05T06:00:00Z')),\n"
    "  (3, 'feature', 'done', t('2026-03-09T04:00:00Z'), t('2026-03-10T04:00:00Z'), 0,\n"
    "   t('2026-03-08T00:00:00Z')),\n"
    "  (4, 'feature', 'in_progress', t('2026-03-10T00:00:00Z'), NULL, NULL, NULL),\n"
    "  (5, 'feature', 'in_progress', t('2026-03-12T00:00:00Z'), NULL, NULL, NULL),\n"
    "  (6, 'feature', 'in_progress', t('2026-03-10T00:00:00Z'), NULL, NULL, NULL);\n"
    "INSERT INTO derived_status_interval VALUES\n"
    "  (1, 1, 'To Do', 'todo', 0, t('2026-03-01T00:00:00Z'), t('2026-03-02T00:00:00Z')),\n"
    "  (1, 2, 'In Progress', 'in_progress', 0, t('2026-03-02T00:00:00Z'), t('2026-03-02T10:00:00Z')),\n"
    "  (1, 3, 'Security Review', 'in_progress', 1, t('2026-03-02T10:00:00Z'), t('2026-03-02T14:00:00Z')),\n"
    "  (1, 4, 'In Progress', 'in_progress', 0, t('2026-03-02T14:00:00Z'), t('2026-03-03T00:00:00Z')),\n"
    "  (1, 5, 'Security Review', 'in_progress', 1, t('2026-03-03T00:00:00Z'), t('2026-03-03T06:00:00Z')),\n"
    "  (1, 6, 'Done', 'done', 0, t('2026-03-03T06:00:00Z'), NULL),\n"
    "  (2, 1, 'To Do', 'todo', 0, t('2026-03-02T00:00:00Z'), t('2026-03-02T06:00:00Z')),\n"
    "  (2, 2, 'In Progress', 'in_progress', 0, t('2026-03-02T06:00:00Z'), t('2026-03-02T18:00:00Z')),\n"
    "  (2, 3, 'Done', 'done', 0, t('2026-03-02T18:00:00Z'), t('2026-03-03T00:00:00Z')),\n"
    "  (2, 4, 'In Progress', 'in_progress', 0, t('2026-03-03T00:00:00Z'), t('2026-03-03T02:00:00Z')),\n"
    "  (2, 5, 'CAB', 'in_progress', 1, t('2026-03-03T02:00:00Z'), t('2026-03-03T08:00:00Z')),\n"
    "  (2, 6, 'Done', 'done', 0, t('2026-03-03T08:00:00Z'), NULL),\n"
    "  (3, 1, 'To Do', 'todo', 0, t('2026-03-09T00:00:00Z'), t('2026-03-09T04:00:00Z')),\n"
    "  (3, 2, 'Security Review', 'in_progress', 1, t('2026-03-09T04:00:00Z'), t('2026-03-10T04:00:00Z')),\n"
    "  (3, 3, 'Done', 'done', 0, t('2026-03-10T04:00:00Z'), NULL),\n"
    "  (4, 1, 'In Progress', 'in_progress', 0, t('2026-03-10T00:00:00Z'), t('2026-03-11T00:00:00Z')),\n"
    "  (4, 2, 'Security Review', 'in_progress', 1, t('2026-03-11T00:00:00Z'), t('2026-03-17T00:00:00Z')),\n"
    "  (4, 3, 'In Progress', 'in_progress', 0, t('2026-03-17T00:00:00Z'), NULL),\n"
    "  (5, 1, 'Security Review', 'in_progress', 1, t('2026-03-12T00:00:00Z'), NULL),\n"
    "  (6, 1, 'Security Review', 'in_progress', 1, t('2026-03-10T00:00:00Z'), t('2026-03-12T00:00:00Z')),\n"
    "  (6, 2, 'In Progress', 'in_progress', 0, t('2026-03-12T00:00:00Z'), NULL);\n"
    "INSERT INTO dim_source VALUES (1, 'jenkins', 'jenkins');\n"
    "INSERT INTO fact_build (build_id, source_id, job, number, finished_at) VALUES\n"
    "  (1, 1, 'deploy', 1, 0), (2, 1, 'deploy', 2, 0);\n"
    "INSERT INTO fact_deployment (deployment_id, build_id, application_id, is_production, result,\n"
    "  finished_at, run_number) VALUES\n"
    "  (1, 1, 1, 1, 'success', t('2026-02-28T00:00:00Z'), 1),\n"
    "  (2, 2, 1, 1, 'success', t('2026-03-04T00:00:00Z'), 2);\n"
    "INSERT INTO derived_deployment (deployment_id, traceable) VALUES (1, 1), (2, 1);\n"
    "INSERT INTO fact_commit (commit_id, repository, sha, application_id, authored_at,\n"
    "  parent_count) VALUES\n"
    "  (1, 'repo', 'k1', 1, t('2026-03-01T20:00:00Z'), 1),\n"
    "  (2, 'repo', 'k2', 1, t('2026-03-02T04:00:00Z'), 1),\n"
    "  (3, 'repo', 'k3', 1, t('2026-03-02T23:00:00Z'), 1),\n"
    "  (4, 'repo', 'k4', 1, t('2026-03-03T05:00:00Z'), 2),\n"
    "  (5, 'repo', 'k5', 1, t('2026-03-01T12:00:00Z'), 1),\n"
    "  (6, 'repo', 'k6', 1, t('2026-03-03T01:00:00Z'), 1),\n"
    "  (7, 'repo', 'k7', 1, t('2026-03-10T12:00:00Z'), 1);\n"
    "INSERT INTO bridge_deployment_commit VALUES (1, 1, 1, 0, NULL), (2, 2, 0, 0, 0),\n"
    "  (2, 3, 0, 0, 0), (2, 4, 0, 1, NULL), (2, 5, 0, 0, 0), (2, 6, 0, 0, 0);\n"
    "INSERT INTO bridge_commit_work_item VALUES (1, 1), (2, 1), (3, 1), (4, 1), (5, 2),\n"
    "  (6, 2), (7, 4);\n";

typedef struct fixture {
    char path[256];
    sqlite3 *db;
    cw_db *conn;
} fixture;

static int setup(void **state)
{
    fixture *f = cw_xcalloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", cw_temp_file("", ".db"));
    f->db = cw_test_schema_db(f->path);
    sqlite3_create_function(f->db, "t", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_t, NULL,
                            NULL);
    f->conn = cw_db_sqlite_adopt(f->db);
    cw_test_exec(f->conn, dataset);
    assert_int_equal(cw_metrics_install_views(f->conn), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cw_db_close(f->conn);
    sqlite3_close(f->db);
    unlink(f->path);
    free(f);
    return 0;
}

/* Every row of sql equals want (cw_query_rows's text). */
static void expect_rows(cw_db *db, const char *sql, const char *want)
{
    char *got = cw_query_rows(db, sql);
    cw_expect_same_string(got, want);
    free(got);
}

static cw_metrics_query window(cw_scope scope)
{
    cw_metrics_query q = { cw_t("2026-03-02T00:00:00Z"), cw_t("2026-03-16T00:00:00Z"),
                           CW_PERIOD_WEEK, scope, NULL };
    return q;
}

/* Rows as text, one line each, so a test compares all of them at once. */
static int status_line(void *ctx, const cw_status_time_row *r)
{
    cw_buf_printf(ctx, "%s %s %s %s w%d g%d n%ld %.2f %.2f %.2f%s\n", r->name, r->period, r->status,
                  r->category, r->is_wait, r->is_gate, r->items, r->total_h, r->median_h, r->p85_h,
                  r->top_waiting ? " TOP" : "");
    return 0;
}

static int gate_line(void *ctx, const cw_gate_row *r)
{
    char since[32] = "-";
    if (r->oldest_at >= 0)
        cw_time_format_iso(r->oldest_at, since, sizeof since);
    cw_buf_printf(ctx, "%s %s %s %s passed %ld %.2f %.2f skipped %ld waiting %ld %s\n", r->name,
                  r->period, r->gate, r->stakeholder, r->passed, r->median_h, r->p85_h, r->skipped,
                  r->waiting, since);
    return 0;
}

/* In Progress of W1: I1 10 + 10 = 20 h, I2 12 + 2 = 14 h: total 34, median
 * 17, p85 (rank ceil(1.7) = 2) 20.  Security Review: I1 4 + 6 = 10 h (W1),
 * I3 24 h (W2): the top waiting stage (34 h against CAB's 6 h).  Done: the
 * reopened I2's first done visit, 6 h.  To Do ends where the items start:
 * no time. */
static void test_time_in_status(void **state)
{
    fixture *f = *state;
    cw_metrics_query q = window(CW_SCOPE_APPLICATION);
    cw_buf b = {0};
    assert_int_equal(cw_status_time_rows(f->conn, &q, status_line, &b), 0);
    cw_expect_same_string(b.data,
        "api 2026-03-02 CAB in_progress w1 g1 n1 6.00 6.00 6.00\n"
        "api 2026-03-02 Done done w0 g0 n1 6.00 6.00 6.00\n"
        "api 2026-03-02 In Progress in_progress w0 g0 n2 34.00 17.00 20.00\n"
        "api 2026-03-02 Security Review in_progress w1 g1 n1 10.00 10.00 10.00 TOP\n"
        "api 2026-03-09 Security Review in_progress w1 g1 n1 24.00 24.00 24.00 TOP\n");
    cw_buf_free(&b);
    /* the team core is api and web (web has no ended item): the same rows */
    q = window(CW_SCOPE_TEAM);
    assert_int_equal(cw_status_time_rows(f->conn, &q, status_line, &b), 0);
    assert_non_null(strstr(b.data, "core 2026-03-02 In Progress in_progress w0 g0 n2 34.00 17.00 20.00\n"));
    assert_non_null(strstr(b.data, "core 2026-03-09 Security Review in_progress w1 g1 n1 24.00 24.00 24.00 TOP\n"));
    cw_buf_free(&b);
}

/* Gates at the report instant 03-16 00:00: api's Security Review holds I4
 * (entered 03-11, left 03-17); I6 left on 03-12.  web's holds I5 (since
 * 03-12).  api requires cab: I1 (W1) and I3 (W2) skip it; I2 skips security
 * in W1.  web requires security but nothing of it ended: rows of zeros. */
static void test_gates(void **state)
{
    fixture *f = *state;
    cw_metrics_query q = window(CW_SCOPE_APPLICATION);
    cw_buf b = {0};
    assert_int_equal(cw_gate_rows(f->conn, &q, gate_line, &b), 0);
    cw_expect_same_string(b.data,
        "api 2026-03-02 CAB cab passed 1 6.00 6.00 skipped 1 waiting 0 -\n"
        "api 2026-03-09 CAB cab passed 0 nan nan skipped 1 waiting 0 -\n"
        "api 2026-03-02 Security Review security passed 1 10.00 10.00 skipped 1 waiting 1 "
        "2026-03-11T00:00:00Z\n"
        "api 2026-03-09 Security Review security passed 1 24.00 24.00 skipped 0 waiting 1 "
        "2026-03-11T00:00:00Z\n"
        "web 2026-03-02 Security Review security passed 0 nan nan skipped 0 waiting 1 "
        "2026-03-12T00:00:00Z\n"
        "web 2026-03-09 Security Review security passed 0 nan nan skipped 0 waiting 1 "
        "2026-03-12T00:00:00Z\n");
    cw_buf_free(&b);
    q = window(CW_SCOPE_ORG);
    assert_int_equal(cw_gate_rows(f->conn, &q, gate_line, &b), 0);
    assert_non_null(strstr(b.data, "organisation 2026-03-09 Security Review security passed 1 "
                                   "24.00 24.00 skipped 0 waiting 2 2026-03-11T00:00:00Z\n"));
    cw_buf_free(&b);
    /* now (the view): only the open interval, I5 */
    expect_rows(f->conn, "SELECT item_key, gate, stakeholder FROM v_gate_waiting ORDER BY item_key",
                "WEB-5|Security Review|security;");
}

/* I1: development starts at its start 03-02 00:00 (before K2 03-02 04:00):
 * before development 24 h, development to K3 03-02 23:00 23 h (the merge K4
 * is left aside), waiting for production 25 h, 72 h in all.  The baseline's
 * K1 is left aside, or first_commit_at would be 03-01 20:00.
 * I2: K5 03-01 12:00 is before its creation: before development -12 h,
 * clamped to 0 and counted; development 37 h to K6; waiting 53 h; 78 h.
 * I3 (production before creation) is excluded.  (The commit instants are
 * read against I1's: I2's K5 is 16 h before K2, its K6 2 h after K3.) */
static void test_idea_to_production_view(void **state)
{
    fixture *f = *state;
    expect_rows(f->conn,
        "SELECT item_key, first_commit_at - t('2026-03-02T04:00:00Z'), "
        "last_commit_at - t('2026-03-02T23:00:00Z'), idea_to_production_h, before_development_h, "
        "development_h, waiting_for_production_h, clamped_stages "
        "FROM v_idea_to_production ORDER BY item_key",
        "API-1|0|0|72.0|24.0|23.0|25.0|0;API-2|-57600|7200|78.0|0.0|37.0|53.0|1;");
    expect_rows(f->conn, "SELECT subject, metric FROM v_idea_to_production_findings",
                "API-2|idea_to_production;");
    /* written into derived_finding as the views are installed, so the
     * data-quality view lists it */
    expect_rows(f->conn, "SELECT subject, metric, detail FROM derived_finding "
                "WHERE kind = 'idea_to_production_stage_clamped'",
                "API-2|idea_to_production|1 negative stage(s) clamped to 0;");
    expect_rows(f->conn, "SELECT subject FROM v_data_quality_finding "
                "WHERE kind = 'idea_to_production_stage_clamped'", "API-2;");
    expect_rows(f->conn, "SELECT item_key, undeployed_commits, "
                "oldest_undeployed_at - t('2026-03-10T12:00:00Z') FROM v_in_flight",
                "API-4|1|0;");
}

typedef struct kept_rows {
    cw_metric_row r[8];
    char names[8][16];
    size_t n;
} kept_rows;

static int keep(void *ctx, const cw_metric_row *row)
{
    kept_rows *k = ctx;
    assert_true(k->n < 8);
    k->r[k->n] = *row;
    snprintf(k->names[k->n], sizeof k->names[k->n], "%s", row->name);
    k->n++;
    return 0;
}

/* api W1: 72 h and 78 h: median 75, p85 (rank 2) 78.  W2: I3 excluded, so
 * none (null).  web: none. */
static void test_idea_to_production_fields(void **state)
{
    fixture *f = *state;
    cw_metrics_query q = window(CW_SCOPE_APPLICATION);
    kept_rows k = {0};
    size_t n = cw_metric_n_fields;
    assert_int_equal(cw_metrics_rows(f->conn, &q, keep, &k), 0);
    assert_int_equal(k.n, 4);
    assert_string_equal(k.names[0], "api");
    assert_int_equal(k.r[0].idea_to_production_count, 2);
    assert_float_equal(k.r[0].idea_to_production_median_h, 75, EPS);
    assert_float_equal(k.r[0].idea_to_production_p85_h, 78, EPS);
    assert_int_equal(k.r[1].idea_to_production_count, 0);
    assert_true(isnan(k.r[1].idea_to_production_median_h));
    assert_true(isnan(k.r[1].idea_to_production_p85_h));
    assert_int_equal(k.r[2].idea_to_production_count, 0);
    /* after the existing fields, in this order */
    assert_string_equal(cw_metric_fields[n - 3].name, "idea_to_production_count");
    assert_string_equal(cw_metric_fields[n - 2].name, "idea_to_production_median_h");
    assert_string_equal(cw_metric_fields[n - 1].name, "idea_to_production_p85_h");
    assert_string_equal(cw_metric_fields[n - 4].name, "traceability");
}

/* report_gates.sql over [03-02, 03-16): api CAB passed 1 (6 h), skipped 2;
 * api Security Review passed 2 (10, 24 h: median 17, p85 rank 2 = 24),
 * skipped 1, waiting 1 since 03-11; web Security Review waiting 1 since
 * 03-12.  The same rule as cw_gate_rows, in SQL. */
static void test_report_gates(void **state)
{
    fixture *f = *state;
    cw_stmt *st = NULL;
    cw_buf b = {0};
    int rc;
    assert_int_equal(cw_db_prepare(f->conn, cw_embedded_get("templates/sql/report_gates.sql"), &st),
                     CW_DB_OK);
    assert_int_equal(cw_db_bind_int(st, 1, cw_t("2026-03-02T00:00:00Z")), CW_DB_OK);
    assert_int_equal(cw_db_bind_int(st, 2, cw_t("2026-03-16T00:00:00Z")), CW_DB_OK);
    while ((rc = cw_db_step(st)) == CW_DB_ROW) {
        for (int c = 0; c < cw_db_column_count(st); c++) {
            const char *text = cw_db_column_text(st, c);
            cw_buf_printf(&b, "%s%s", c ? "|" : "", text ? text : "NULL");
        }
        cw_buf_puts(&b, ";");
    }
    assert_int_equal(rc, CW_DB_DONE);
    cw_db_finalize(st);
    /* oldest_waiting_since: 03-11 00:00 = 1773187200, 03-12 00:00 = 1773273600 */
    cw_expect_same_string(b.data,
        "api|core|CAB|cab|1|6.0|6.0|2|0|NULL;"
        "api|core|Security Review|security|2|17.0|24.0|1|1|1773187200;"
        "web|core|Security Review|security|0|NULL|NULL|0|1|1773273600;");
    cw_buf_free(&b);
}

/* [gates] and [application X] gates: an application gate naming no
 * stakeholder is an error naming the file, the line and the key. */
static void test_gate_config(void **state)
{
    const char *ok =
        "[gates]\nSecurity Review = security\nCAB Approval = cab\n"
        "[application pay]\nteam = core\ngates = security,\n  cab\n";
    const char *bad =
        "[gates]\nSecurity Review = security\n"
        "[application pay]\nteam = core\ngates = security, cab\n";
    const char *twice = "[gates]\nSecurity Review = security\nsecurity review = sec\n";
    cw_config *cfg = NULL;
    char *err;
    cw_redirect r;
    const char *path = cw_temp_file(ok, ".ini");
    (void)state;
    assert_int_equal(cw_config_load(path, cw_source_check, &cfg), 0);
    assert_int_equal(cfg->n_gates, 2);
    assert_string_equal(cfg->gates[1].status, "CAB Approval");
    assert_string_equal(cfg->gates[1].stakeholder, "cab");
    assert_int_equal(cfg->apps[0].gates.n, 2);
    assert_string_equal(cfg->apps[0].gates.items[1], "cab");
    cw_config_free(cfg);
    unlink(path);
    path = cw_temp_file(bad, ".ini");
    cw_redirect_begin(&r, 2);
    assert_int_equal(cw_config_load(path, cw_source_check, &cfg), -1);
    err = cw_redirect_end(&r);
    assert_non_null(strstr(err, ":5: gates: [application pay] requires the gate of 'cab'"));
    free(err);
    unlink(path);
    path = cw_temp_file(twice, ".ini");
    cw_redirect_begin(&r, 2);
    assert_int_equal(cw_config_load(path, cw_source_check, &cfg), -1);
    err = cw_redirect_end(&r);
    assert_non_null(strstr(err, ":3: security review: given twice in [gates] (first at line 2)"));
    free(err);
    unlink(path);
}

/* The gate mirrors follow the configuration: written at a batch, and a
 * gate or requirement the configuration drops is deleted at the next. */
static cw_config *gate_config(const char *text)
{
    cw_config *cfg = NULL;
    const char *path = cw_temp_file(text, ".ini");
    assert_int_equal(cw_config_load(path, cw_source_check, &cfg), 0);
    unlink(path);
    return cfg;
}

static void sync_batch(cw_warehouse *wh, const cw_config *cfg)
{
    int64_t batch;
    assert_int_equal(cw_wh_batch_begin(wh, "test.ini", &batch), 0);
    assert_int_equal(cw_wh_sync_config(wh, cfg), 0);
    assert_int_equal(cw_wh_batch_commit(wh, "ok", NULL), 0);
}

static void test_gate_mirrors(void **state)
{
    char path[256];
    cw_warehouse *wh = cw_test_warehouse(path, sizeof path);
    cw_config *both = gate_config("[gates]\nSecurity Review = security\nCAB = cab\n"
                                  "[application pay]\nteam = core\ngates = security, cab\n"
                                  "[application web]\nteam = core\ngates = security\n");
    cw_config *less = gate_config("[gates]\nSecurity Review = sec\n"
                                  "[application pay]\nteam = core\ngates = sec\n"
                                  "[application web]\nteam = core\n");
    const char *gates = "SELECT status, stakeholder FROM map_gate ORDER BY status";
    const char *required = "SELECT a.name, g.stakeholder FROM map_application_gate g JOIN "
                           "dim_application a ON a.application_id = g.application_id "
                           "ORDER BY a.name, g.stakeholder";
    (void)state;
    sync_batch(wh, both);
    expect_rows(cw_wh_db(wh), gates, "CAB|cab;Security Review|security;");
    expect_rows(cw_wh_db(wh), required, "pay|cab;pay|security;web|security;");
    sync_batch(wh, less);
    expect_rows(cw_wh_db(wh), gates, "Security Review|sec;");
    expect_rows(cw_wh_db(wh), required, "pay|sec;");
    cw_config_free(both);
    cw_config_free(less);
    cw_test_warehouse_drop(wh, path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gate_config),
        cmocka_unit_test(test_gate_mirrors),
        cmocka_unit_test_setup_teardown(test_time_in_status, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idea_to_production_view, setup, teardown),
        cmocka_unit_test_setup_teardown(test_idea_to_production_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_report_gates, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
