/*
 * test_metrics.c - the metric rows, DORA summaries, levels and statistics
 * against metrics.md, on a small hand-made warehouse whose every expected
 * number is worked out by hand in the comments below.
 *
 * The dataset (weeks W1 = 2026-03-02 .. 03-09, W2 = 03-09 .. 03-16):
 *   team core: applications api and web; team edge: application solo (no
 *   data at all); application old is no longer configured (its data must
 *   never show).  Derived tables are filled by hand, as the correlation
 *   step would.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include <sqlite3.h>

#include "support.h"
#include "cmd/commands.h"
#include "core/embedded.h"
#include "core/time.h"
#include "core/util.h"
#include "reports/metrics.h"

#define EPS 1e-9

/* t('2026-03-02T10:00:00Z') -> epoch seconds, so the dataset reads as dates. */
static void sql_t(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *text = (const char *)sqlite3_value_text(argv[0]);
    int64_t t;
    if (!text || cw_time_parse_iso8601(text, NULL, &t) != 0) {
        sqlite3_result_error(ctx, "bad timestamp", -1);
        return;
    }
    sqlite3_result_int64(ctx, t);
}

static const char dataset[] =
    "INSERT INTO dim_team VALUES (1, 'core'), (2, 'edge');\n"
    "INSERT INTO dim_application VALUES (1, 'api', 1, 1), (2, 'web', 1, 1),\n"
    "  (3, 'old', 1, 0), (4, 'solo', 2, 1);\n"
    "INSERT INTO dim_environment VALUES (1, 'production', 1), (2, 'staging', 0);\n"
    "INSERT INTO dim_source VALUES (1, 'jenkins', 'jenkins'), (2, 'pd', 'pagerduty'),\n"
    "  (3, 'jira', 'jira');\n"
    /* Deployments.  api: D1 Mon 03-02, D2 and D3 the same Tue 03-03 (W1: 3
     * deployments on 2 days), D4 a failed production run (deploy_failures),
     * D5 staging (ignored), D6 Tue 03-10 (W2), D7 exactly at the window end
     * (next week), D8 aborted (W2 deploy_failures), D9 one second before the
     * window.  web: D10 exactly at W2's start, D11 unstable (W2 failure).
     * old: D12 (unconfigured). */
    "INSERT INTO fact_build (build_id, source_id, job, number, finished_at)\n"
    "  SELECT n, 1, 'deploy', n, 0 FROM (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3\n"
    "  UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7\n"
    "  UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10 UNION ALL SELECT 11\n"
    "  UNION ALL SELECT 12) b;\n"
    "INSERT INTO fact_deployment (deployment_id, build_id, application_id, environment_id,\n"
    "  is_production, result, finished_at, run_number) VALUES\n"
    "  (1, 1, 1, 1, 1, 'success', t('2026-03-02T10:00:00Z'), 1),\n"
    "  (2, 2, 1, 1, 1, 'success', t('2026-03-03T09:00:00Z'), 2),\n"
    "  (3, 3, 1, 1, 1, 'success', t('2026-03-03T15:00:00Z'), 3),\n"
    "  (4, 4, 1, 1, 1, 'failure', t('2026-03-04T12:00:00Z'), 4),\n"
    "  (5, 5, 1, 2, 0, 'success', t('2026-03-04T13:00:00Z'), 5),\n"
    "  (6, 6, 1, 1, 1, 'success', t('2026-03-10T08:00:00Z'), 6),\n"
    "  (7, 7, 1, 1, 1, 'success', t('2026-03-16T00:00:00Z'), 7),\n"
    "  (8, 8, 1, 1, 1, 'aborted', t('2026-03-11T08:00:00Z'), 8),\n"
    "  (9, 9, 1, 1, 1, 'success', t('2026-03-01T23:59:59Z'), 9),\n"
    "  (10, 10, 2, 1, 1, 'success', t('2026-03-09T00:00:00Z'), 1),\n"
    "  (11, 11, 2, 1, 1, 'unstable', t('2026-03-12T08:00:00Z'), 2),\n"
    "  (12, 12, 3, 1, 1, 'success', t('2026-03-05T08:00:00Z'), 1);\n"
    /* The successful production deployments, as the correlation step
     * records them (transform/sql/correlate.sql defines which): not D4, D5,
     * D8, D11. */
    "INSERT INTO derived_deployment (deployment_id, traceable) VALUES (1, 1), (2, 1), (3, 1),\n"
    "  (6, 1), (7, 1), (9, 1), (10, 1), (12, 1);\n"
    /* Commits and lead times (hours): D1 is the baseline (C1, C2: no lead
     * time); D2: C3 2 h, C4 6 h and a merge M13; D3: C5 1 h, C6 30 h;
     * D6: C7 10 h, C8 20 h, C9 40 h; D10 (web): C10 5 h; old: C11 1 h;
     * a stray row on the failed D4 (C12, 100 h) must not count. */
    "INSERT INTO fact_commit (commit_id, repository, sha, application_id, authored_at)\n"
    "  SELECT n, 'repo', 'sha' || n, 1, 0 FROM (SELECT 1 AS n UNION ALL SELECT 2\n"
    "  UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6\n"
    "  UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9 UNION ALL SELECT 10\n"
    "  UNION ALL SELECT 11 UNION ALL SELECT 12 UNION ALL SELECT 13) c;\n"
    "INSERT INTO bridge_deployment_commit VALUES\n"
    "  (1, 1, 1, 0, NULL), (1, 2, 1, 0, NULL),\n"
    "  (2, 3, 0, 0, 2 * 3600), (2, 4, 0, 0, 6 * 3600), (2, 13, 0, 1, NULL),\n"
    "  (3, 5, 0, 0, 1 * 3600), (3, 6, 0, 0, 30 * 3600),\n"
    "  (6, 7, 0, 0, 10 * 3600), (6, 8, 0, 0, 20 * 3600), (6, 9, 0, 0, 40 * 3600),\n"
    "  (10, 10, 0, 0, 5 * 3600), (12, 11, 0, 0, 3600), (4, 12, 0, 0, 100 * 3600);\n"
    /* Traceability: C1, C3 and C7 name a known work item. */
    "INSERT INTO bridge_commit_work_item VALUES (1, 1), (3, 2), (7, 4);\n"
    /* Incidents.  api: I1 03-02 12:00 -> 14:30 (2.5 h) on D1; I2 03-03 16:00
     * -> 03-04 04:00 (12 h) on D3; I3 03-04 20:00 unresolved, on D3; I4
     * Sun 03-08 22:00 (W1) -> 03-09 01:00 (3 h, restored in W2),
     * unattributed; I7 created before the window, 02-27 06:00 -> 03-02 06:00
     * (72 h, restored in W1), unattributed.  web: I5 03-10 10:00 -> 11:00
     * (1 h) on D10.  old: I6. */
    "INSERT INTO fact_incident (incident_id, source_id, external_id, application_id,\n"
    "  created_at, resolved_at) VALUES\n"
    "  (1, 2, 'I1', 1, t('2026-03-02T12:00:00Z'), t('2026-03-02T14:30:00Z')),\n"
    "  (2, 2, 'I2', 1, t('2026-03-03T16:00:00Z'), t('2026-03-04T04:00:00Z')),\n"
    "  (3, 2, 'I3', 1, t('2026-03-04T20:00:00Z'), NULL),\n"
    "  (4, 2, 'I4', 1, t('2026-03-08T22:00:00Z'), t('2026-03-09T01:00:00Z')),\n"
    "  (5, 2, 'I5', 2, t('2026-03-10T10:00:00Z'), t('2026-03-10T11:00:00Z')),\n"
    "  (6, 2, 'I6', 3, t('2026-03-05T10:00:00Z'), t('2026-03-05T11:00:00Z')),\n"
    "  (7, 2, 'I7', 1, t('2026-02-27T06:00:00Z'), t('2026-03-02T06:00:00Z'));\n"
    "INSERT INTO derived_incident VALUES (1, 1, 'window'), (2, 3, 'window'),\n"
    "  (3, 3, 'window'), (4, NULL, 'none'), (5, 10, 'window'), (6, 12, 'window'),\n"
    "  (7, NULL, 'none');\n"
    /* Work items (api 1-9, web 10, old 11), created / start / end / active:
     *   API-1 feature  02-20 / 03-03 / 03-05      48 h cycle, 36 h active
     *                  (12 h in the wait status Review)
     *   API-2 defect   02-25 / 03-04 / 03-04 12:00  12 h, 12 h
     *   API-3 debt     03-01 / never / 03-06       throughput only
     *   API-4 risk     02-26 / 03-01 / 03-10       216 h, 100 h
     *   API-5 feature  03-04 / 03-05 / 03-11       144 h, 72 h
     *   API-6 to In Progress exactly at 03-09 00:00 (W1's end instant)
     *   API-7 In Progress, then Testing until exactly 03-16 00:00 (W2's end)
     *   API-8 created exactly at 03-16 00:00, In Progress
     *   API-9 done 03-04, reopened 03-07 (no end)
     *   WEB-1 defect   03-09 / 03-10 / 03-10 06:00  6 h, 6 h
     *   OLD-1 in progress (unconfigured application) */
    "INSERT INTO dim_work_item (work_item_id, item_key, project, application_id,\n"
    "  item_type, status, created_at) VALUES\n"
    "  (1, 'API-1', 'API', 1, 'Story', 'Done', t('2026-02-20T00:00:00Z')),\n"
    "  (2, 'API-2', 'API', 1, 'Bug', 'Done', t('2026-02-25T00:00:00Z')),\n"
    "  (3, 'API-3', 'API', 1, 'Tech debt', 'Done', t('2026-03-01T00:00:00Z')),\n"
    "  (4, 'API-4', 'API', 1, 'Security', 'Done', t('2026-02-26T00:00:00Z')),\n"
    "  (5, 'API-5', 'API', 1, 'Story', 'Done', t('2026-03-04T00:00:00Z')),\n"
    "  (6, 'API-6', 'API', 1, 'Story', 'In Progress', t('2026-03-06T00:00:00Z')),\n"
    "  (7, 'API-7', 'API', 1, 'Story', 'Done', t('2026-03-02T00:00:00Z')),\n"
    "  (8, 'API-8', 'API', 1, 'Story', 'In Progress', t('2026-03-16T00:00:00Z')),\n"
    "  (9, 'API-9', 'API', 1, 'Story', 'In Progress', t('2026-03-03T00:00:00Z')),\n"
    "  (10, 'WEB-1', 'WEB', 2, 'Bug', 'Done', t('2026-03-09T00:00:00Z')),\n"
    "  (11, 'OLD-1', 'OLD', 3, 'Story', 'In Progress', t('2026-03-01T00:00:00Z'));\n"
    "INSERT INTO derived_work_item (work_item_id, flow_type, category, start_at, end_at,\n"
    "  active_s) VALUES\n"
    "  (1, 'feature', 'done', t('2026-03-03T00:00:00Z'), t('2026-03-05T00:00:00Z'), 36 * 3600),\n"
    "  (2, 'defect', 'done', t('2026-03-04T00:00:00Z'), t('2026-03-04T12:00:00Z'), 12 * 3600),\n"
    "  (3, 'debt', 'done', NULL, t('2026-03-06T00:00:00Z'), NULL),\n"
    "  (4, 'risk', 'done', t('2026-03-01T00:00:00Z'), t('2026-03-10T00:00:00Z'), 100 * 3600),\n"
    "  (5, 'feature', 'done', t('2026-03-05T00:00:00Z'), t('2026-03-11T00:00:00Z'), 72 * 3600),\n"
    "  (6, 'feature', 'in_progress', t('2026-03-09T00:00:00Z'), NULL, NULL),\n"
    "  (7, 'feature', 'done', t('2026-03-02T00:00:00Z'), t('2026-03-16T00:00:00Z'), 336 * 3600),\n"
    "  (8, 'feature', 'in_progress', NULL, NULL, NULL),\n"
    "  (9, 'feature', 'in_progress', t('2026-03-03T00:00:00Z'), NULL, NULL),\n"
    "  (10, 'defect', 'done', t('2026-03-10T00:00:00Z'), t('2026-03-10T06:00:00Z'), 6 * 3600),\n"
    "  (11, 'feature', 'in_progress', t('2026-03-01T00:00:00Z'), NULL, NULL);\n"
    "INSERT INTO derived_status_interval VALUES\n"
    "  (1, 1, 'To Do', 'todo', 0, t('2026-02-20T00:00:00Z'), t('2026-03-03T00:00:00Z')),\n"
    "  (1, 2, 'In Progress', 'in_progress', 0, t('2026-03-03T00:00:00Z'), t('2026-03-04T00:00:00Z')),\n"
    "  (1, 3, 'Review', 'in_progress', 1, t('2026-03-04T00:00:00Z'), t('2026-03-04T12:00:00Z')),\n"
    "  (1, 4, 'In Progress', 'in_progress', 0, t('2026-03-04T12:00:00Z'), t('2026-03-05T00:00:00Z')),\n"
    "  (1, 5, 'Done', 'done', 0, t('2026-03-05T00:00:00Z'), NULL),\n"
    "  (2, 1, 'To Do', 'todo', 0, t('2026-02-25T00:00:00Z'), t('2026-03-04T00:00:00Z')),\n"
    "  (2, 2, 'In Progress', 'in_progress', 0, t('2026-03-04T00:00:00Z'), t('2026-03-04T12:00:00Z')),\n"
    "  (2, 3, 'Done', 'done', 0, t('2026-03-04T12:00:00Z'), NULL),\n"
    "  (3, 1, 'To Do', 'todo', 0, t('2026-03-01T00:00:00Z'), t('2026-03-06T00:00:00Z')),\n"
    "  (3, 2, 'Done', 'done', 0, t('2026-03-06T00:00:00Z'), NULL),\n"
    "  (4, 1, 'To Do', 'todo', 0, t('2026-02-26T00:00:00Z'), t('2026-03-01T00:00:00Z')),\n"
    "  (4, 2, 'In Progress', 'in_progress', 0, t('2026-03-01T00:00:00Z'), t('2026-03-05T04:00:00Z')),\n"
    "  (4, 3, 'Review', 'in_progress', 1, t('2026-03-05T04:00:00Z'), t('2026-03-10T00:00:00Z')),\n"
    "  (4, 4, 'Done', 'done', 0, t('2026-03-10T00:00:00Z'), NULL),\n"
    "  (5, 1, 'To Do', 'todo', 0, t('2026-03-04T00:00:00Z'), t('2026-03-05T00:00:00Z')),\n"
    "  (5, 2, 'In Progress', 'in_progress', 0, t('2026-03-05T00:00:00Z'), t('2026-03-08T00:00:00Z')),\n"
    "  (5, 3, 'Review', 'in_progress', 1, t('2026-03-08T00:00:00Z'), t('2026-03-11T00:00:00Z')),\n"
    "  (5, 4, 'Done', 'done', 0, t('2026-03-11T00:00:00Z'), NULL),\n"
    "  (6, 1, 'To Do', 'todo', 0, t('2026-03-06T00:00:00Z'), t('2026-03-09T00:00:00Z')),\n"
    "  (6, 2, 'In Progress', 'in_progress', 0, t('2026-03-09T00:00:00Z'), NULL),\n"
    "  (7, 1, 'In Progress', 'in_progress', 0, t('2026-03-02T00:00:00Z'), t('2026-03-05T00:00:00Z')),\n"
    "  (7, 2, 'Testing', 'in_progress', 0, t('2026-03-05T00:00:00Z'), t('2026-03-16T00:00:00Z')),\n"
    "  (7, 3, 'Done', 'done', 0, t('2026-03-16T00:00:00Z'), NULL),\n"
    "  (8, 1, 'In Progress', 'in_progress', 0, t('2026-03-16T00:00:00Z'), NULL),\n"
    "  (9, 1, 'In Progress', 'in_progress', 0, t('2026-03-03T00:00:00Z'), t('2026-03-04T00:00:00Z')),\n"
    "  (9, 2, 'Done', 'done', 0, t('2026-03-04T00:00:00Z'), t('2026-03-07T00:00:00Z')),\n"
    "  (9, 3, 'In Progress', 'in_progress', 0, t('2026-03-07T00:00:00Z'), NULL),\n"
    "  (10, 1, 'To Do', 'todo', 0, t('2026-03-09T00:00:00Z'), t('2026-03-10T00:00:00Z')),\n"
    "  (10, 2, 'In Progress', 'in_progress', 0, t('2026-03-10T00:00:00Z'), t('2026-03-10T06:00:00Z')),\n"
    "  (10, 3, 'Done', 'done', 0, t('2026-03-10T06:00:00Z'), NULL),\n"
    "  (11, 1, 'In Progress', 'in_progress', 0, t('2026-03-01T00:00:00Z'), NULL);\n"
    /* dim_date for the two weeks (the loader fills it; v_dora_weekly uses it). */
    "WITH RECURSIVE d(k) AS (SELECT t('2026-02-23T00:00:00Z') / 86400\n"
    "  UNION ALL SELECT k + 1 FROM d WHERE k < t('2026-03-22T00:00:00Z') / 86400)\n"
    "INSERT INTO dim_date SELECT k, date(k * 86400, 'unixepoch'),\n"
    "  date(k * 86400, 'unixepoch', '-' || ((k + 3) % 7) || ' days'),\n"
    "  date(k * 86400, 'unixepoch', 'start of month'), 2026, 0, (k + 3) % 7 + 1 FROM d;\n";

/* ------------------------------------------------------------ fixture */

typedef struct fixture {
    char path[256];
    sqlite3 *db;
    cw_db *conn;                /* the same connection, as reports/ takes it */
} fixture;

static int setup(void **state)
{
    fixture *f = cw_xcalloc(1, sizeof *f);
    snprintf(f->path, sizeof f->path, "%s", cw_temp_file("", ".db"));
    f->db = cw_test_schema_db(f->path);
    sqlite3_create_function(f->db, "t", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_t, NULL, NULL);
    f->conn = cw_db_sqlite_adopt(f->db);
    cw_test_exec(f->conn, dataset);
    /* as `catwalk run` does at the end of every batch: readers only read them */
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

/* Rows kept by value (the API's strings live only during the callback): a
 * metric row (r) or a DORA summary (s), under its name. */
typedef struct kept {
    char name[32];
    cw_metric_row r;
    cw_dora_summary s;
} kept;

typedef struct collected {
    kept rows[64];
    size_t n;
} collected;

/* The next row, holding name; NULL when every row is taken. */
static kept *keep_name(collected *c, const char *name)
{
    if (c->n == sizeof c->rows / sizeof c->rows[0])
        return NULL;
    snprintf(c->rows[c->n].name, sizeof c->rows[c->n].name, "%s", name);
    return &c->rows[c->n++];
}

static int keep(void *ctx, const cw_metric_row *row)
{
    kept *k = keep_name(ctx, row->name);
    if (!k)
        return -1;
    k->r = *row;
    k->r.name = k->r.team = NULL;
    return 0;
}

static int keep_summary(void *ctx, const cw_dora_summary *s)
{
    kept *k = keep_name(ctx, s->name);
    if (!k)
        return -1;
    k->s = *s;
    k->s.name = k->s.team = NULL;
    return 0;
}

static const cw_metric_row *find(const collected *c, const char *name, const char *period)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->rows[i].name, name) == 0 && strcmp(c->rows[i].r.period, period) == 0)
            return &c->rows[i].r;
    fail_msg("no row %s %s", name, period);
    return NULL;
}

static void collect(cw_db *db, const char *from, const char *to, cw_period_kind by,
                    cw_scope scope, collected *c)
{
    cw_metrics_query q = { cw_t(from), cw_t(to), by, scope, NULL };
    memset(c, 0, sizeof *c);
    assert_int_equal(cw_metrics_rows(db, &q, keep, c), 0);
}

#define assert_null_metric(x) assert_true(isnan(x))
#define assert_hours(x, h) assert_float_equal((x), (h), EPS)

/* ------------------------------------------------------------ statistics */

static void test_median_and_percentiles(void **state)
{
    double empty[1] = {0};
    double odd[] = {9, 1, 5};
    double even[] = {30, 1, 6, 2};
    double ten[] = {10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    double eleven[] = {11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1};
    double twenty[20];
    double one[] = {42};
    (void)state;
    for (int i = 0; i < 20; i++)
        twenty[i] = 20 - i;                             /* 20 .. 1 */
    assert_true(isnan(cw_median(empty, 0)));
    assert_true(isnan(cw_percentile(empty, 0, 90)));
    assert_float_equal(cw_median(odd, 3), 5, EPS);     /* 1 5 9 */
    assert_float_equal(cw_median(even, 4), 4, EPS);    /* 1 2 6 30: (2 + 6) / 2 */
    assert_float_equal(cw_percentile(even, 4, 90), 30, EPS); /* rank ceil(3.6) = 4 */
    assert_float_equal(cw_percentile(ten, 10, 90), 9, EPS);  /* rank 9 exactly, not 10 */
    assert_float_equal(cw_percentile(eleven, 11, 90), 10, EPS); /* ceil(9.9) = 10 */
    assert_float_equal(cw_percentile(twenty, 20, 85), 17, EPS); /* rank 17 exactly */
    assert_float_equal(cw_percentile(twenty, 20, 95), 19, EPS); /* rank 19 exactly */
    assert_float_equal(cw_percentile(ten, 10, 50), 5, EPS);     /* rank 5 */
    assert_float_equal(cw_percentile(one, 1, 90), 42, EPS);
    assert_float_equal(cw_median(one, 1), 42, EPS);
}

/* The same rules by position in values already sorted (how the grid reads
 * its samples): 0-based positions, worked out by hand. */
static void test_median_and_percentile_positions(void **state)
{
    size_t lo, hi;
    (void)state;
    cw_median_positions(1, &lo, &hi);
    assert_true(lo == 0 && hi == 0);
    cw_median_positions(3, &lo, &hi);                   /* the 2nd of 3 */
    assert_true(lo == 1 && hi == 1);
    cw_median_positions(4, &lo, &hi);                   /* the mean of the 2nd and 3rd */
    assert_true(lo == 1 && hi == 2);
    assert_float_equal(cw_median_of(2, 6, 4), 4, EPS);
    assert_float_equal(cw_median_of(5, 5, 3), 5, EPS);
    assert_int_equal(cw_percentile_position(1, 90), 0);
    assert_int_equal(cw_percentile_position(4, 90), 3);   /* rank ceil(3.6) = 4 */
    assert_int_equal(cw_percentile_position(10, 90), 8);  /* rank 9 exactly, not 10 */
    assert_int_equal(cw_percentile_position(11, 90), 9);  /* ceil(9.9) = 10 */
    assert_int_equal(cw_percentile_position(20, 85), 16); /* rank 17 exactly */
}

/* ------------------------------------------------------------ levels */

/* The level the installed dora_band gives one measure (the other measures
 * unmeasured), as cw_dora_summaries rates a summary. */
static cw_level level_of(const cw_dora_bands *b, const char *metric, double value)
{
    cw_dora_summary s;
    memset(&s, 0, sizeof s);
    s.lead_time_median_h = s.change_failure_rate = s.restore_median_h = NAN;
    s.weekly_median_deploy_days = s.monthly_median_deploy_days = NAN;
    if (strcmp(metric, "lead_time") == 0)
        s.lead_time_median_h = value;
    else if (strcmp(metric, "change_failure_rate") == 0)
        s.change_failure_rate = value;
    else
        s.restore_median_h = value;
    return cw_dora_level(b, metric, &s);
}

static cw_level deploy_level(const cw_dora_bands *b, double weekly, double monthly)
{
    cw_dora_summary s;
    memset(&s, 0, sizeof s);
    s.weekly_median_deploy_days = weekly;
    s.monthly_median_deploy_days = monthly;
    return cw_dora_level(b, "deploy_frequency", &s);
}

/* metrics.md's thresholds, read from the warehouse's dora_band view: each
 * band on both sides of each of its boundaries. */
static void test_levels_at_band_edges(void **state)
{
    fixture *f = *state;
    cw_dora_bands b;
    assert_int_equal(cw_dora_bands_load(f->conn, &b), 0);
    assert_int_equal(b.n, 16);                          /* 4 metrics x 4 levels */
    /* lead time: elite < 1 day <= high < 1 week <= medium < 30 days <= low */
    assert_int_equal(level_of(&b, "lead_time", NAN), CW_LEVEL_NONE);
    assert_int_equal(level_of(&b, "lead_time", 0), CW_LEVEL_ELITE);
    assert_int_equal(level_of(&b, "lead_time", 23.99), CW_LEVEL_ELITE);
    assert_int_equal(level_of(&b, "lead_time", 24), CW_LEVEL_HIGH);
    assert_int_equal(level_of(&b, "lead_time", 167.99), CW_LEVEL_HIGH);
    assert_int_equal(level_of(&b, "lead_time", 168), CW_LEVEL_MEDIUM);
    assert_int_equal(level_of(&b, "lead_time", 719.99), CW_LEVEL_MEDIUM);
    assert_int_equal(level_of(&b, "lead_time", 720), CW_LEVEL_LOW);
    assert_int_equal(level_of(&b, "lead_time", 1e6), CW_LEVEL_LOW);
    /* change failure rate: elite <= 5 % < high <= 10 % < medium <= 15 % < low */
    assert_int_equal(level_of(&b, "change_failure_rate", NAN), CW_LEVEL_NONE);
    assert_int_equal(level_of(&b, "change_failure_rate", 0), CW_LEVEL_ELITE);
    assert_int_equal(level_of(&b, "change_failure_rate", 1.0 / 20), CW_LEVEL_ELITE); /* 5 % */
    assert_int_equal(level_of(&b, "change_failure_rate", 0.0501), CW_LEVEL_HIGH);
    assert_int_equal(level_of(&b, "change_failure_rate", 2.0 / 20), CW_LEVEL_HIGH);  /* 10 % */
    assert_int_equal(level_of(&b, "change_failure_rate", 0.1001), CW_LEVEL_MEDIUM);
    assert_int_equal(level_of(&b, "change_failure_rate", 3.0 / 20), CW_LEVEL_MEDIUM); /* 15 % */
    assert_int_equal(level_of(&b, "change_failure_rate", 0.1501), CW_LEVEL_LOW);
    assert_int_equal(level_of(&b, "change_failure_rate", 1), CW_LEVEL_LOW);
    /* time to restore: elite < 1 hour <= high < 1 day <= medium < 1 week <= low */
    assert_int_equal(level_of(&b, "restore", NAN), CW_LEVEL_NONE);
    assert_int_equal(level_of(&b, "restore", 0), CW_LEVEL_ELITE);
    assert_int_equal(level_of(&b, "restore", 0.99), CW_LEVEL_ELITE);
    assert_int_equal(level_of(&b, "restore", 1), CW_LEVEL_HIGH);
    assert_int_equal(level_of(&b, "restore", 23.99), CW_LEVEL_HIGH);
    assert_int_equal(level_of(&b, "restore", 24), CW_LEVEL_MEDIUM);
    assert_int_equal(level_of(&b, "restore", 167.99), CW_LEVEL_MEDIUM);
    assert_int_equal(level_of(&b, "restore", 168), CW_LEVEL_LOW);
    /* deployment frequency on deploy-day medians: weekly >= 5 elite, weekly
     * >= 1 high, monthly >= 1 medium, else low */
    assert_int_equal(deploy_level(&b, NAN, NAN), CW_LEVEL_NONE);
    assert_int_equal(deploy_level(&b, 5, 20), CW_LEVEL_ELITE);
    assert_int_equal(deploy_level(&b, 7, 31), CW_LEVEL_ELITE);
    assert_int_equal(deploy_level(&b, 4.99, 20), CW_LEVEL_HIGH);
    assert_int_equal(deploy_level(&b, 4.5, 20), CW_LEVEL_HIGH);
    assert_int_equal(deploy_level(&b, 1, 4), CW_LEVEL_HIGH);
    assert_int_equal(deploy_level(&b, 1, 0), CW_LEVEL_HIGH);      /* weekly decides first */
    assert_int_equal(deploy_level(&b, 0.99, 1), CW_LEVEL_MEDIUM);
    assert_int_equal(deploy_level(&b, 0.5, 1), CW_LEVEL_MEDIUM);
    assert_int_equal(deploy_level(&b, 0.5, 0.99), CW_LEVEL_LOW);
    assert_int_equal(deploy_level(&b, 0.5, 0.5), CW_LEVEL_LOW);
    assert_int_equal(deploy_level(&b, 0, 0), CW_LEVEL_LOW);

    assert_string_equal(cw_level_name(CW_LEVEL_NONE), "");
    assert_string_equal(cw_level_name(CW_LEVEL_LOW), "low");
    assert_string_equal(cw_level_name(CW_LEVEL_MEDIUM), "medium");
    assert_string_equal(cw_level_name(CW_LEVEL_HIGH), "high");
    assert_string_equal(cw_level_name(CW_LEVEL_ELITE), "elite");
}

/* A band naming a measure levels.c does not know is refused, not ignored. */
static void test_bands_refuse_unknown_measures(void **state)
{
    fixture *f = *state;
    cw_dora_bands b;
    cw_test_exec(f->conn, "DROP VIEW dora_band; CREATE VIEW dora_band AS SELECT 'lead_time' AS metric, "
                        "'elite' AS level, 'lead_time_mean_h' AS measure, NULL AS lower, 24.0 AS upper, "
                        "0 AS upper_inclusive");
    assert_int_equal(cw_dora_bands_load(f->conn, &b), -1);
}

/* ------------------------------------------------------------ metric rows */

static void test_application_rows_grid(void **state)
{
    fixture *f = *state;
    collected c;
    collect(f->conn, "2026-03-02", "2026-03-16", CW_PERIOD_WEEK, CW_SCOPE_APPLICATION, &c);
    /* every configured application (by name) x every week; old is gone */
    assert_int_equal(c.n, 6);
    assert_string_equal(c.rows[0].name, "api");
    assert_string_equal(c.rows[0].r.period, "2026-03-02");
    assert_string_equal(c.rows[1].name, "api");
    assert_string_equal(c.rows[1].r.period, "2026-03-09");
    assert_string_equal(c.rows[2].name, "solo");
    assert_string_equal(c.rows[4].name, "web");
    assert_string_equal(c.rows[5].r.period, "2026-03-09");
}

static void test_api_week1(void **state)
{
    fixture *f = *state;
    collected c;
    const cw_metric_row *r;
    collect(f->conn, "2026-03-02", "2026-03-16", CW_PERIOD_WEEK, CW_SCOPE_APPLICATION, &c);
    r = find(&c, "api", "2026-03-02");
    assert_int_equal(r->deployments, 3);            /* D1, D2, D3 (not D9, D5, D4) */
    assert_int_equal(r->deploy_days, 2);            /* 03-02, 03-03 */
    assert_int_equal(r->deploy_failures, 1);        /* D4 */
    assert_int_equal(r->lead_time_count, 4);        /* C3 C4 C5 C6; not baseline, merge, D4's */
    assert_hours(r->lead_time_median_h, 4);         /* 1 2 6 30: (2 + 6) / 2 */
    assert_hours(r->lead_time_p90_h, 30);           /* rank ceil(3.6) = 4 */
    assert_int_equal(r->failed_deployments, 2);     /* D1 (I1), D3 (I2, I3) */
    assert_float_equal(r->change_failure_rate, 2.0 / 3.0, EPS);
    assert_int_equal(r->incidents, 4);              /* I1 I2 I3 I4 by created_at */
    assert_int_equal(r->restore_count, 3);          /* I7 72, I1 2.5, I2 12 by resolved_at */
    assert_hours(r->restore_median_h, 12);
    assert_hours(r->restore_p90_h, 72);             /* rank ceil(2.7) = 3 */
    assert_hours(r->recovery_median_h, 8.75);       /* I1 4.5 h, I2 13 h after their deploys */
    assert_int_equal(r->throughput, 3);             /* API-1, API-2, API-3 */
    assert_int_equal(r->throughput_feature, 1);
    assert_int_equal(r->throughput_defect, 1);
    assert_int_equal(r->throughput_debt, 1);
    assert_int_equal(r->throughput_risk, 0);
    /* at 03-09 00:00: API-4, API-5 (waiting in Review), API-7, API-9
     * (reopened); not API-6, whose move at exactly that instant is not applied */
    assert_int_equal(r->wip, 4);
    assert_int_equal(r->cycle_time_count, 2);       /* API-3 never started */
    assert_hours(r->cycle_time_median_h, 30);       /* 12 48 */
    assert_hours(r->cycle_time_p85_h, 48);          /* rank ceil(1.7) = 2 */
    assert_float_equal(r->flow_efficiency, 48.0 / 60.0, EPS); /* (36 + 12) / (48 + 12) */
    assert_hours(r->lead_time_item_median_h, 180);  /* 312 180 120 */
    /* C3 of C3..C6: the merge is left out, and so are C1 and C2, shipped by
     * the baseline D1 (metrics.md "Traceability") */
    assert_float_equal(r->traceability, 1.0 / 4.0, EPS);
}

static void test_api_week2(void **state)
{
    fixture *f = *state;
    collected c;
    const cw_metric_row *r;
    collect(f->conn, "2026-03-02", "2026-03-16", CW_PERIOD_WEEK, CW_SCOPE_APPLICATION, &c);
    r = find(&c, "api", "2026-03-09");
    assert_int_equal(r->deployments, 1);            /* D6; D7 is next week */
    assert_int_equal(r->deploy_days, 1);
    assert_int_equal(r->deploy_failures, 1);        /* D8 aborted */
    assert_int_equal(r->lead_time_count, 3);
    assert_hours(r->lead_time_median_h, 20);        /* 10 20 40 */
    assert_hours(r->lead_time_p90_h, 40);           /* rank ceil(2.7) = 3 */
    assert_int_equal(r->failed_deployments, 0);
    assert_float_equal(r->change_failure_rate, 0, EPS); /* 0 / 1 is 0, not null */
    assert_int_equal(r->incidents, 0);
    assert_int_equal(r->restore_count, 1);          /* I4, created in W1 */
    assert_hours(r->restore_median_h, 3);
    assert_hours(r->restore_p90_h, 3);
    assert_null_metric(r->recovery_median_h);       /* I4 is unattributed */
    assert_int_equal(r->throughput, 2);             /* API-4 risk, API-5 feature */
    assert_int_equal(r->throughput_risk, 1);
    assert_int_equal(r->throughput_feature, 1);
    /* at 03-16 00:00: API-6, API-7 (its Done at exactly that instant is not
     * applied), API-9; not API-8 (created at that instant) */
    assert_int_equal(r->wip, 3);
    assert_int_equal(r->cycle_time_count, 2);
    assert_hours(r->cycle_time_median_h, 180);      /* 144 216 */
    assert_hours(r->cycle_time_p85_h, 216);
    assert_float_equal(r->flow_efficiency, 172.0 / 360.0, EPS); /* (100 + 72) / (216 + 144) */
    assert_hours(r->lead_time_item_median_h, 228);  /* 288 168 */
    assert_float_equal(r->traceability, 1.0 / 3.0, EPS); /* C7 of C7 C8 C9 */
}

static void test_empty_rows_are_zero_and_null(void **state)
{
    fixture *f = *state;
    collected c;
    const cw_metric_row *rows[3];
    collect(f->conn, "2026-03-02", "2026-03-16", CW_PERIOD_WEEK, CW_SCOPE_APPLICATION, &c);
    rows[0] = find(&c, "solo", "2026-03-02");
    rows[1] = find(&c, "solo", "2026-03-09");
    rows[2] = find(&c, "web", "2026-03-02");
    for (int i = 0; i < 3; i++) {
        const cw_metric_row *r = rows[i];
        assert_int_equal(r->deployments + r->deploy_days + r->deploy_failures, 0);
        assert_int_equal(r->lead_time_count + r->failed_deployments + r->incidents, 0);
        assert_int_equal(r->restore_count + r->throughput + r->wip + r->cycle_time_count, 0);
        assert_null_metric(r->lead_time_median_h);
        assert_null_metric(r->lead_time_p90_h);
        assert_null_metric(r->change_failure_rate);  /* no deployments: null, not 0 */
        assert_null_metric(r->restore_median_h);
        assert_null_metric(r->restore_p90_h);
        assert_null_metric(r->cycle_time_median_h);
        assert_null_metric(r->cycle_time_p85_h);
        assert_null_metric(r->flow_efficiency);
        assert_null_metric(r->traceability);
    }
    assert_string_equal(c.rows[2].name, "solo");
}

static void test_web_week2(void **state)
{
    fixture *f = *state;
    collected c;
    const cw_metric_row *r;
    collect(f->conn, "2026-03-02", "2026-03-16", CW_PERIOD_WEEK, CW_SCOPE_APPLICATION, &c);
    r = find(&c, "web", "2026-03-09");
    assert_int_equal(r->deployments, 1);            /* D10 at exactly W2's start */
    assert_int_equal(r->deploy_failures, 1);        /* D11 unstable */
    assert_int_equal(r->lead_time_count, 1);
    assert_hours(r->lead_time_median_h, 5);
    assert_int_equal(r->failed_deployments, 1);     /* I5 */
    assert_float_equal(r->change_failure_rate, 1, EPS);
    assert_int_equal(r->incidents, 1);
    assert_hours(r->restore_median_h, 1);
    assert_hours(r->recovery_median_h, 35);         /* 03-09 00:00 -> 03-10 11:00 */
    assert_int_equal(r->throughput_defect, 1);
    assert_hours(r->cycle_time_median_h, 6);
    assert_float_equal(r->flow_efficiency, 1, EPS);
    assert_hours(r->lead_time_item_median_h, 30);
    assert_int_equal(r->wip, 0);
    assert_float_equal(r->traceability, 0, EPS);
}

/* Decisions 10 in week 2 of api, on top of the dataset:
 *   C14 on D6, authored 2 h after D6 (a -2 h row): no lead time sample, but
 *     still a deployed commit for traceability (C7 of C7 C8 C9 C14);
 *   I8 03-10 12:00, resolved 11:00 (1 h before it was created), on D6: no
 *     restore and no recovery sample, but it counts as an incident and
 *     makes D6 failed;
 *   I9 03-10 07:00 -> 07:30 (0.5 h), named D6 (08:00) explicitly: restored
 *     before its deployment finished, so no recovery sample;
 *   API-10 created 03-10, started 03-12, ended 03-11: throughput and item
 *     lead time (24 h), no cycle time;
 *   API-11 created 03-12, ended 03-11, never started: throughput only. */
static const char exclusions[] =
    "INSERT INTO fact_commit (commit_id, repository, sha, application_id, authored_at)\n"
    "  VALUES (14, 'repo', 'sha14', 1, t('2026-03-10T10:00:00Z'));\n"
    "INSERT INTO bridge_deployment_commit VALUES (6, 14, 0, 0, -2 * 3600);\n"
    "INSERT INTO fact_incident (incident_id, source_id, external_id, application_id,\n"
    "  created_at, resolved_at) VALUES\n"
    "  (8, 2, 'I8', 1, t('2026-03-10T12:00:00Z'), t('2026-03-10T11:00:00Z')),\n"
    "  (9, 2, 'I9', 1, t('2026-03-10T07:00:00Z'), t('2026-03-10T07:30:00Z'));\n"
    "INSERT INTO derived_incident VALUES (8, 6, 'window'), (9, 6, 'explicit');\n"
    "INSERT INTO dim_work_item (work_item_id, item_key, project, application_id,\n"
    "  item_type, status, created_at) VALUES\n"
    "  (12, 'API-10', 'API', 1, 'Story', 'Done', t('2026-03-10T00:00:00Z')),\n"
    "  (13, 'API-11', 'API', 1, 'Story', 'Done', t('2026-03-12T00:00:00Z'));\n"
    "INSERT INTO derived_work_item (work_item_id, flow_type, category, start_at, end_at,\n"
    "  active_s) VALUES\n"
    "  (12, 'feature', 'done', t('2026-03-12T00:00:00Z'), t('2026-03-11T00:00:00Z'), NULL),\n"
    "  (13, 'feature', 'done', NULL, t('2026-03-11T00:00:00Z'), NULL);\n";

static void test_negative_durations_never_reach_the_metrics(void **state)
{
    fixture *f = *state;
    collected c;
    const cw_metric_row *r;
    cw_test_exec(f->conn, exclusions);
    collect(f->conn, "2026-03-02", "2026-03-16", CW_PERIOD_WEEK, CW_SCOPE_APPLICATION, &c);
    r = find(&c, "api", "2026-03-09");
    assert_int_equal(r->lead_time_count, 3);        /* C7 C8 C9, not C14 */
    assert_hours(r->lead_time_median_h, 20);        /* 10 20 40 */
    assert_float_equal(r->traceability, 1.0 / 4.0, EPS);
    assert_int_equal(r->incidents, 2);              /* I8, I9 by created_at */
    assert_int_equal(r->failed_deployments, 1);     /* D6 */
    assert_int_equal(r->restore_count, 2);          /* I4 3 h, I9 0.5 h */
    assert_hours(r->restore_median_h, 1.75);
    assert_hours(r->restore_p90_h, 3);              /* rank ceil(1.8) = 2 */
    assert_null_metric(r->recovery_median_h);       /* I8 and I9 left out, I4 unattributed */
    assert_int_equal(r->throughput, 4);             /* API-4, API-5, API-10, API-11 */
    assert_int_equal(r->throughput_feature, 3);
    assert_int_equal(r->cycle_time_count, 2);       /* API-4 216, API-5 144 */
    assert_hours(r->cycle_time_median_h, 180);
    assert_float_equal(r->flow_efficiency, 172.0 / 360.0, EPS);
    assert_hours(r->lead_time_item_median_h, 168);  /* 24 168 288; API-11 left out */
    /* the views analysts query carry no negative duration either */
    cw_test_exec(f->conn, "CREATE TEMP TABLE neg AS SELECT "
                 "(SELECT count(*) FROM v_lead_time WHERE lead_time_s < 0) + "
                 "(SELECT count(*) FROM v_incidents WHERE restore_s < 0 OR recovery_s < 0) + "
                 "(SELECT count(*) FROM v_flow_items WHERE cycle_s < 0 OR lead_s < 0) AS n");
    {
        sqlite3_stmt *st;
        assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT n FROM neg", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), 0);
        sqlite3_finalize(st);
    }
}

/* A team is the union of its applications' data: medians over the pooled
 * values, not a mean of medians. */
static void test_team_rows_are_unions(void **state)
{
    fixture *f = *state;
    collected c;
    const cw_metric_row *r;
    collect(f->conn, "2026-03-02", "2026-03-16", CW_PERIOD_WEEK, CW_SCOPE_TEAM, &c);
    assert_int_equal(c.n, 4);                       /* core, edge x 2 weeks */
    assert_string_equal(c.rows[0].name, "core");
    assert_string_equal(c.rows[2].name, "edge");
    r = find(&c, "core", "2026-03-09");
    assert_int_equal(r->deployments, 2);            /* D6 api, D10 web */
    assert_int_equal(r->deploy_days, 2);            /* 03-10, 03-09 */
    assert_int_equal(r->deploy_failures, 2);        /* D8, D11 */
    assert_int_equal(r->lead_time_count, 4);
    assert_hours(r->lead_time_median_h, 15);        /* 5 10 20 40: (10 + 20) / 2 */
    assert_hours(r->lead_time_p90_h, 40);
    assert_int_equal(r->failed_deployments, 1);
    assert_float_equal(r->change_failure_rate, 0.5, EPS);
    assert_int_equal(r->incidents, 1);
    assert_int_equal(r->restore_count, 2);
    assert_hours(r->restore_median_h, 2);           /* 1 3 */
    assert_hours(r->restore_p90_h, 3);              /* rank ceil(1.8) = 2 */
    assert_int_equal(r->throughput, 3);
    assert_int_equal(r->wip, 3);
    assert_int_equal(r->cycle_time_count, 3);
    assert_hours(r->cycle_time_median_h, 144);      /* 6 144 216 */
    assert_hours(r->cycle_time_p85_h, 216);         /* rank ceil(2.55) = 3 */
    assert_float_equal(r->flow_efficiency, 178.0 / 366.0, EPS);
    assert_float_equal(r->traceability, 0.25, EPS); /* C7 of C7 C8 C9 C10 */
    r = find(&c, "edge", "2026-03-09");
    assert_int_equal(r->deployments, 0);
    assert_null_metric(r->change_failure_rate);
}

static void test_org_rows(void **state)
{
    fixture *f = *state;
    collected c;
    const cw_metric_row *r;
    collect(f->conn, "2026-03-02", "2026-03-16", CW_PERIOD_WEEK, CW_SCOPE_ORG, &c);
    assert_int_equal(c.n, 2);
    r = find(&c, "organisation", "2026-03-02");
    assert_int_equal(r->deployments, 3);            /* old's D12 is not the organisation's */
    assert_int_equal(r->incidents, 4);              /* nor is old's I6 */
    assert_int_equal(r->wip, 4);                    /* nor OLD-1 */
    r = find(&c, "organisation", "2026-03-09");
    assert_hours(r->lead_time_median_h, 15);
}

static void test_day_and_month_grains(void **state)
{
    fixture *f = *state;
    collected c;
    const cw_metric_row *r;
    collect(f->conn, "2026-03-03", "2026-03-05", CW_PERIOD_DAY, CW_SCOPE_APPLICATION, &c);
    assert_int_equal(c.n, 6);                       /* 3 applications x 2 days */
    r = find(&c, "api", "2026-03-03");
    assert_int_equal(r->deployments, 2);            /* D2, D3 */
    assert_int_equal(r->deploy_days, 1);
    assert_hours(r->lead_time_median_h, 4);         /* 1 2 6 30 again: all D2 and D3 */
    r = find(&c, "api", "2026-03-04");
    assert_int_equal(r->deploy_failures, 1);
    assert_int_equal(r->restore_count, 1);          /* I2 resolved 03-04 04:00 */
    /* months: March holds D9 (03-01 23:59:59) and D7 (03-16 00:00) too */
    collect(f->conn, "2026-03-01", "2026-04-01", CW_PERIOD_MONTH, CW_SCOPE_APPLICATION, &c);
    r = find(&c, "api", "2026-03-01");
    assert_int_equal(r->deployments, 6);
    assert_int_equal(r->deploy_days, 5);            /* 03-01 03-02 03-03 03-10 03-16 */
    assert_int_equal(r->lead_time_count, 7);
    assert_hours(r->lead_time_median_h, 10);        /* 1 2 6 10 20 30 40 */
}

/* ------------------------------------------------------------ the window */

/* Two thousand of every dated fact in 2020, long before the dataset: a
 * deployment an hour with one commit and an attributed incident, an item
 * ended with a closed in_progress interval.  Outside every window below. */
static const char history[] =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)\n"
    "INSERT INTO fact_build (build_id, source_id, job, number, finished_at)\n"
    "  SELECT 1000 + i, 1, 'old', i, 0 FROM n;\n"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)\n"
    "INSERT INTO fact_deployment (deployment_id, build_id, application_id, environment_id,\n"
    "  is_production, result, finished_at, run_number)\n"
    "  SELECT 1000 + i, 1000 + i, 1, 1, 1, CASE WHEN i % 2 THEN 'success' ELSE 'failure' END,\n"
    "  t('2020-01-01T00:00:00Z') + i * 3600, 100 + i FROM n;\n"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)\n"
    "INSERT INTO derived_deployment (deployment_id, traceable) SELECT 1000 + i, 1 FROM n;\n"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)\n"
    "INSERT INTO fact_commit (commit_id, repository, sha, application_id, authored_at)\n"
    "  SELECT 1000 + i, 'repo', 'old' || i, 1, t('2019-12-01T00:00:00Z') FROM n;\n"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)\n"
    "INSERT INTO bridge_deployment_commit SELECT 1000 + i, 1000 + i, 0, 0, 3600 FROM n;\n"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)\n"
    "INSERT INTO fact_incident (incident_id, source_id, external_id, application_id,\n"
    "  created_at, resolved_at)\n"
    "  SELECT 1000 + i, 2, 'H' || i, 1, t('2020-01-01T00:00:00Z') + i * 3600,\n"
    "  t('2020-01-01T00:30:00Z') + i * 3600 FROM n;\n"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)\n"
    "INSERT INTO derived_incident SELECT 1000 + i, 1000 + i, 'window' FROM n;\n"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)\n"
    "INSERT INTO dim_work_item (work_item_id, item_key, project, application_id, item_type,\n"
    "  status, created_at)\n"
    "  SELECT 1000 + i, 'API-H' || i, 'API', 1, 'Story', 'Done', t('2020-01-01T00:00:00Z') FROM n;\n"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)\n"
    "INSERT INTO derived_work_item (work_item_id, flow_type, category, start_at, end_at, active_s)\n"
    "  SELECT 1000 + i, 'feature', 'done', t('2020-01-01T00:00:00Z') + i * 3600,\n"
    "  t('2020-01-01T02:00:00Z') + i * 3600, 3600 FROM n;\n"
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)\n"
    "INSERT INTO derived_status_interval\n"
    "  SELECT 1000 + i, 1, 'In Progress', 'in_progress', 0, t('2020-01-01T00:00:00Z') + i * 3600,\n"
    "  t('2020-01-01T02:00:00Z') + i * 3600 FROM n\n"
    "  UNION ALL SELECT 1000 + i, 2, 'Done', 'done', 0, t('2020-01-01T02:00:00Z') + i * 3600,\n"
    "  NULL FROM n;\n";

/* A window alone gives the numbers worked out for it above, history or
 * not: the rows of its facts are all it reads (the intervals it needs for
 * work in progress start before it: API-9 reopened on 03-07, API-4 and
 * API-5 waiting in Review since W1). */
static void test_window_alone(void **state)
{
    fixture *f = *state;
    collected c;
    const cw_metric_row *r;
    cw_test_exec(f->conn, history);
    collect(f->conn, "2026-03-09", "2026-03-16", CW_PERIOD_WEEK, CW_SCOPE_APPLICATION, &c);
    r = find(&c, "api", "2026-03-09");
    assert_int_equal(r->deployments, 1);
    assert_int_equal(r->deploy_failures, 1);
    assert_int_equal(r->lead_time_count, 3);
    assert_hours(r->lead_time_median_h, 20);
    assert_float_equal(r->change_failure_rate, 0, EPS);
    assert_int_equal(r->restore_count, 1);
    assert_hours(r->restore_median_h, 3);
    assert_int_equal(r->throughput, 2);
    assert_int_equal(r->wip, 3);
    assert_hours(r->cycle_time_median_h, 180);
    assert_float_equal(r->traceability, 1.0 / 3.0, EPS);
    collect(f->conn, "2026-03-02", "2026-03-09", CW_PERIOD_WEEK, CW_SCOPE_APPLICATION, &c);
    r = find(&c, "api", "2026-03-02");
    assert_int_equal(r->wip, 4);
    assert_int_equal(r->restore_count, 3);          /* I7 was created before the window */
    assert_hours(r->recovery_median_h, 8.75);
    assert_int_equal(r->failed_deployments, 2);
}

/* Full-scan and virtual-machine steps of metrics_rows.sql for one period
 * (its own text: ?2 ?3 the window, ?4 ?5 the period), every row stepped. */
static void rows_steps(sqlite3 *db, const char *scope, const char *from, const char *to,
                       int *fullscan, int *vm)
{
    const char *sql = cw_embedded_get("reports/sql/metrics_rows.sql");
    sqlite3_stmt *st;
    int rc;
    assert_non_null(sql);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, cw_t(from));
    sqlite3_bind_int64(st, 3, cw_t(to));
    sqlite3_bind_int64(st, 4, cw_t(from));
    sqlite3_bind_int64(st, 5, cw_t(to));
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    assert_int_equal(rc, SQLITE_DONE);
    *fullscan = sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
    *vm = sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0);
    sqlite3_finalize(st);
}

/* Virtual-machine steps of report_wip_age.sql at instant `at`, every row stepped. */
static int wip_age_steps(sqlite3 *db, const char *at)
{
    const char *sql = cw_embedded_get("reports/sql/report_wip_age.sql");
    sqlite3_stmt *st;
    int rc, n = 0, steps;
    assert_non_null(sql);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    sqlite3_bind_int64(st, 1, cw_t(at));
    sqlite3_bind_int64(st, 2, 10);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        n++;
    assert_int_equal(rc, SQLITE_DONE);
    assert_int_equal(n, 4);                         /* API-6, API-7, API-9, OLD-1 */
    steps = sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0);
    sqlite3_finalize(st);
    return steps;
}

/* The oldest work in progress reads the intervals holding its instant, not
 * every interval that started before it. */
static void test_wip_age_reads_only_open_intervals(void **state)
{
    fixture *f = *state;
    int before = wip_age_steps(f->db, "2026-03-16");
    cw_test_exec(f->conn, history);
    assert_int_equal(wip_age_steps(f->db, "2026-03-16"), before);
}

/* The metrics of a window cost the same whatever history lies before it:
 * two thousand of every fact in 2020 add not one step (no table is scanned
 * whole, every fact is an index range on its instant). */
static void test_window_reads_only_its_rows(void **state)
{
    static const char *const scopes[] = { "application", "team", "organisation" };
    fixture *f = *state;
    int before[3][2], after[3][2];
    for (int i = 0; i < 3; i++)
        rows_steps(f->db, scopes[i], "2026-03-09", "2026-03-16", &before[i][0], &before[i][1]);
    cw_test_exec(f->conn, history);
    for (int i = 0; i < 3; i++) {
        rows_steps(f->db, scopes[i], "2026-03-09", "2026-03-16", &after[i][0], &after[i][1]);
        assert_int_equal(after[i][0], before[i][0]);
        assert_int_equal(after[i][1], before[i][1]);
    }
}

/* ------------------------------------------------------------ summaries */

/* A metric row's numbers equal another's (NAN equals NAN: both null). */
static void assert_same_row(const cw_metric_row *a, const cw_metric_row *b)
{
    assert_string_equal(a->period, b->period);
    for (size_t i = 0; i < cw_metric_n_fields; i++) {
        const cw_metric_field *fl = &cw_metric_fields[i];
        if (fl->is_double) {
            double x, y;
            memcpy(&x, (const char *)a + fl->offset, sizeof x);
            memcpy(&y, (const char *)b + fl->offset, sizeof y);
            if (isnan(x) || isnan(y))
                assert_true(isnan(x) && isnan(y));
            else
                assert_true(x == y);
        } else {
            assert_memory_equal((const char *)a + fl->offset, (const char *)b + fl->offset,
                                sizeof(long));
        }
    }
}

typedef struct weekly_kept {
    collected rows[3];                  /* by scope */
    collected summaries;
} weekly_kept;

static int keep_weekly_row(void *ctx, cw_scope scope, const cw_metric_row *row)
{
    return keep(&((weekly_kept *)ctx)->rows[scope], row);
}

static int keep_weekly_summary(void *ctx, const cw_dora_summary *s)
{
    return keep_summary(&((weekly_kept *)ctx)->summaries, s);
}

/* The weekly report's one grid (every scope, its week rows and its
 * summaries' periods, the summary's weeks being the rows' weeks) gives what
 * a grid per scope and cw_dora_summaries give. */
static void test_weekly_grid_equals_separate_grids(void **state)
{
    fixture *f = *state;
    static weekly_kept w;
    static collected c;
    cw_weekly_fns fns = { keep_weekly_row, keep_weekly_summary, &w, NULL };
    memset(&w, 0, sizeof w);
    assert_int_equal(cw_metrics_weekly(f->conn, cw_t("2026-03-02"), cw_t("2026-03-16"), &fns), 0);
    for (int scope = CW_SCOPE_APPLICATION; scope <= CW_SCOPE_ORG; scope++) {
        collect(f->conn, "2026-03-02", "2026-03-16", CW_PERIOD_WEEK, (cw_scope)scope, &c);
        assert_true(c.n > 0);
        assert_int_equal(w.rows[scope].n, c.n);
        for (size_t i = 0; i < c.n; i++) {
            assert_string_equal(w.rows[scope].rows[i].name, c.rows[i].name);
            assert_same_row(&w.rows[scope].rows[i].r, &c.rows[i].r);
        }
    }
    memset(&c, 0, sizeof c);
    assert_int_equal(cw_dora_summaries(f->conn, cw_t("2026-03-02"), cw_t("2026-03-16"), NULL,
                                       keep_summary, &c), 0);
    assert_int_equal(w.summaries.n, c.n);
    for (size_t i = 0; i < c.n; i++) {
        const cw_dora_summary *a = &w.summaries.rows[i].s, *b = &c.rows[i].s;
        assert_string_equal(w.summaries.rows[i].name, c.rows[i].name);
        assert_int_equal(a->deployments, b->deployments);
        assert_int_equal(a->deploy_level, b->deploy_level);
        assert_int_equal(a->lead_time_level, b->lead_time_level);
        assert_int_equal(a->cfr_level, b->cfr_level);
        assert_int_equal(a->restore_level, b->restore_level);
        assert_memory_equal(&a->weekly_median_deploy_days, &b->weekly_median_deploy_days,
                            sizeof(double));
        assert_memory_equal(&a->lead_time_median_h, &b->lead_time_median_h, sizeof(double));
        assert_memory_equal(&a->recent_lead_time_median_h, &b->recent_lead_time_median_h,
                            sizeof(double));
        assert_memory_equal(&a->prior_restore_median_h, &b->prior_restore_median_h,
                            sizeof(double));
    }
}

static void test_dora_summaries(void **state)
{
    fixture *f = *state;
    collected c = {0};
    const cw_dora_summary *api, *solo, *org;
    assert_int_equal(cw_dora_summaries(f->conn, cw_t("2026-03-02"), cw_t("2026-03-16"), NULL,
                                       keep_summary, &c), 0);
    /* applications api solo web, teams core edge, organisation */
    assert_int_equal(c.n, 6);
    assert_string_equal(c.rows[0].name, "api");
    assert_int_equal(c.rows[0].s.scope, CW_SCOPE_APPLICATION);
    assert_string_equal(c.rows[3].name, "core");
    assert_int_equal(c.rows[3].s.scope, CW_SCOPE_TEAM);
    assert_string_equal(c.rows[5].name, "organisation");
    assert_int_equal(c.rows[5].s.scope, CW_SCOPE_ORG);
    api = &c.rows[0].s;
    assert_int_equal(api->deployments, 4);
    assert_float_equal(api->deploys_per_week, 2, EPS);              /* 4 over 2 weeks */
    assert_float_equal(api->weekly_median_deploy_days, 1.5, EPS);   /* 2 and 1 */
    assert_float_equal(api->monthly_median_deploy_days, 3, EPS);    /* March part: 3 days */
    assert_int_equal(api->deploy_level, CW_LEVEL_HIGH);
    assert_float_equal(api->lead_time_median_h, 10, EPS);           /* 1 2 6 10 20 30 40 */
    assert_int_equal(api->lead_time_level, CW_LEVEL_ELITE);
    assert_float_equal(api->change_failure_rate, 0.5, EPS);         /* 2 of 4 */
    assert_int_equal(api->cfr_level, CW_LEVEL_LOW);
    assert_float_equal(api->restore_median_h, 7.5, EPS);            /* 2.5 3 12 72 */
    assert_int_equal(api->restore_level, CW_LEVEL_HIGH);
    /* last 4 weeks [02-16, 03-16) add D9; the 4 before hold nothing */
    assert_float_equal(api->recent_deploys_per_week, 5.0 / 4, EPS);
    assert_float_equal(api->prior_deploys_per_week, 0, EPS);
    assert_float_equal(api->recent_change_failure_rate, 2.0 / 5, EPS);
    assert_true(isnan(api->prior_change_failure_rate));
    assert_float_equal(api->recent_lead_time_median_h, 10, EPS);
    assert_true(isnan(api->prior_lead_time_median_h));
    assert_float_equal(api->recent_restore_median_h, 7.5, EPS);
    assert_true(isnan(api->prior_restore_median_h));
    solo = &c.rows[1].s;
    assert_string_equal(c.rows[1].name, "solo");
    assert_int_equal(solo->deployments, 0);
    /* solo has no CI job pattern and no deployment records: no deployment
     * mapping, so no frequency and no level (Decisions 3), never "low" */
    assert_int_equal(solo->deploy_mapped, 0);
    assert_true(isnan(solo->deploys_per_week));
    assert_true(isnan(solo->weekly_median_deploy_days));
    assert_int_equal(solo->deploy_level, CW_LEVEL_NONE);
    assert_int_equal(c.rows[4].s.deploy_level, CW_LEVEL_NONE);     /* team edge: solo only */
    assert_int_equal(solo->lead_time_level, CW_LEVEL_NONE);
    assert_int_equal(solo->cfr_level, CW_LEVEL_NONE);
    assert_int_equal(solo->restore_level, CW_LEVEL_NONE);
    assert_int_equal(api->deploy_mapped, 1);
    assert_int_equal(api->lead_time_count, 7);
    assert_int_equal(api->restore_count, 4);
    assert_int_equal(api->recent_deployments, 5);
    assert_int_equal(api->prior_deployments, 0);
    assert_int_equal(api->recent_lead_time_count, 7);
    assert_int_equal(api->prior_restore_count, 0);
    org = &c.rows[5].s;
    assert_int_equal(org->deployments, 5);                         /* api 4 + web 1 */
    assert_float_equal(org->weekly_median_deploy_days, 2, EPS);    /* 2 and 2 */
    assert_int_equal(org->deploy_level, CW_LEVEL_HIGH);
    assert_float_equal(org->change_failure_rate, 3.0 / 5, EPS);
}

/* Decisions 9: the organisation row carries the configured name in the
 * rows, the summaries and the weekly reading alike; its figures do not
 * change (5 deployments: api 4 + web 1, as test_dora_summaries works out). */
static void test_organisation_named(void **state)
{
    fixture *f = *state;
    collected c = {0};
    static weekly_kept w;
    cw_weekly_fns fns = { keep_weekly_row, keep_weekly_summary, &w, "Acme Bank" };
    cw_metrics_query q = { cw_t("2026-03-02"), cw_t("2026-03-16"), CW_PERIOD_WEEK, CW_SCOPE_ORG,
                           "Acme Bank" };
    assert_int_equal(cw_dora_summaries(f->conn, cw_t("2026-03-02"), cw_t("2026-03-16"),
                                       "Acme Bank", keep_summary, &c), 0);
    assert_int_equal(c.n, 6);
    assert_string_equal(c.rows[5].name, "Acme Bank");
    assert_int_equal(c.rows[5].s.scope, CW_SCOPE_ORG);
    assert_int_equal(c.rows[5].s.deployments, 5);
    assert_string_equal(c.rows[3].name, "core");                  /* teams keep theirs */
    memset(&c, 0, sizeof c);
    assert_int_equal(cw_metrics_rows(f->conn, &q, keep, &c), 0);
    assert_int_equal(c.n, 2);                                      /* two weeks */
    assert_string_equal(c.rows[0].name, "Acme Bank");
    assert_string_equal(c.rows[1].name, "Acme Bank");
    assert_int_equal(find(&c, "Acme Bank", "2026-03-02")->deployments
                     + find(&c, "Acme Bank", "2026-03-09")->deployments, 5);
    memset(&w, 0, sizeof w);
    assert_int_equal(cw_metrics_weekly(f->conn, cw_t("2026-03-02"), cw_t("2026-03-16"), &fns), 0);
    assert_string_equal(w.summaries.rows[w.summaries.n - 1].name, "Acme Bank");
}

/* Decisions 3 and 13: a CI job pattern is a deployment mapping even when it
 * matches no job; with it and no deployment in the window, solo is low. */
static void test_mapped_without_deployments_is_low(void **state)
{
    fixture *f = *state;
    collected c = {0};
    const cw_dora_summary *solo, *edge;
    cw_test_exec(f->conn, "INSERT INTO map_job VALUES ('solo-deploy', 4, 1);");
    assert_int_equal(cw_dora_summaries(f->conn, cw_t("2026-03-02"), cw_t("2026-03-16"), NULL,
                                       keep_summary, &c), 0);
    solo = &c.rows[1].s;
    edge = &c.rows[4].s;
    assert_string_equal(c.rows[1].name, "solo");
    assert_string_equal(c.rows[4].name, "edge");
    assert_int_equal(solo->deploy_mapped, 1);
    assert_float_equal(solo->deploys_per_week, 0, EPS);
    /* weeks and months without a deployment count as 0 (metrics.md): medians
     * 0 and 0 are a measurement, and below every band: low */
    assert_float_equal(solo->weekly_median_deploy_days, 0, EPS);
    assert_float_equal(solo->monthly_median_deploy_days, 0, EPS);
    assert_int_equal(solo->deploy_level, CW_LEVEL_LOW);
    assert_int_equal(edge->deploy_level, CW_LEVEL_LOW);
    assert_int_equal(solo->lead_time_level, CW_LEVEL_NONE);        /* no data: still none */
}

/* ------------------------------------------------------------ views, read-only, CLI */

static void test_install_views(void **state)
{
    fixture *f = *state;
    collected c;
    collect(f->conn, "2026-03-02", "2026-03-16", CW_PERIOD_WEEK, CW_SCOPE_ORG, &c);
    assert_int_equal(cw_metrics_install_views(f->conn), 0);        /* again: idempotent */
    assert_int_equal(cw_metrics_install_views(f->conn), 0);
    /* the 8 metric views, v_events and dora_band, the 3 of release scope
     * (v_release_scope, v_release_items, v_done_not_deployed), the 3 of the
     * pull-request stages (v_pr_stages, v_pr_stage_samples, v_pr_stage_weekly),
     * v_kpi, the 4 of epics and themes (v_hierarchy_*), the 2 of quality.sql
     * (v_data_quality_finding, v_coverage), the 7 of flow_views.sql, the 4
     * of forecast.sql (v_forecast, v_forecast_made, v_forecast_calibration,
     * v_release_burnup) */
    assert_int_equal(cw_query_long(f->conn, "SELECT count(*) FROM sqlite_master WHERE type = 'view'"),
                     10 + 3 + 3 + 1 + 4 + 2 + 7 + 4);
    /* 8 successful production deployments of 12 (not D4 D5 D8 D11) */
    assert_int_equal(cw_query_long(f->conn, "SELECT count(*) FROM main.v_deployments_prod"), 8);
    /* C3 C4 C5 C6 C7 C8 C9 C10 C11: not the baseline, the merge or D4's */
    assert_int_equal(cw_query_long(f->conn, "SELECT count(*) FROM main.v_lead_time"), 9);
    assert_int_equal(cw_query_long(f->conn, "SELECT deployments FROM main.v_dora_weekly "
                                     "WHERE application = 'api' AND week_start = '2026-03-02'"), 3);
    assert_int_equal(cw_query_long(f->conn, "SELECT deploy_days FROM main.v_dora_weekly "
                                     "WHERE application = 'api' AND week_start = '2026-03-02'"), 2);
    assert_int_equal(cw_query_long(f->conn, "SELECT incidents FROM main.v_dora_weekly "
                                     "WHERE application = 'api' AND week_start = '2026-03-02'"), 4);
    /* change failure rate, one rule for the view and the metric rows: D1 and
     * D3 of D1 D2 D3 failed (2 / 3); in the week of 02-23 D9 did not (0 / 1) */
    assert_int_equal(cw_query_long(f->conn, "SELECT change_failure_rate * 3 = 2 FROM main.v_dora_weekly "
                                     "WHERE application = 'api' AND week_start = '2026-03-02'"), 1);
    assert_int_equal(cw_query_long(f->conn, "SELECT change_failure_rate = 0 FROM main.v_dora_weekly "
                                     "WHERE application = 'api' AND week_start = '2026-02-23'"), 1);
    collect(f->conn, "2026-03-02", "2026-03-16", CW_PERIOD_WEEK, CW_SCOPE_ORG, &c);
    assert_int_equal(find(&c, "organisation", "2026-03-02")->deployments, 3);
}

static void test_read_only_connection(void **state)
{
    fixture *f = *state;
    cw_db_target target = { f->path, NULL, NULL };
    cw_db *ro;
    char err[256];
    collected c;
    assert_int_equal(cw_db_open(&target, CW_DB_READ_ONLY, &ro, err, sizeof err), CW_DB_OK);
    collect(ro, "2026-03-02", "2026-03-16", CW_PERIOD_WEEK, CW_SCOPE_APPLICATION, &c);
    assert_int_equal(find(&c, "api", "2026-03-02")->wip, 4);
    /* a reader writes nothing, not even TEMP tables or views (a read-only
     * PostgreSQL session refuses CREATE): it reads the views `catwalk run`
     * installed, and binds its periods */
    {
        int64_t temp_objects = -1;
        assert_int_equal(cw_db_query_int(ro, "SELECT count(*) FROM sqlite_temp_master",
                                         &temp_objects), 0);
        assert_int_equal(temp_objects, 0);
    }
    assert_int_equal(cw_metrics_install_views(ro), -1);             /* cannot write */
    cw_db_close(ro);
}

/* A warehouse never loaded by this catwalk has no views: the reader says so
 * and what to do, rather than inventing them or printing "no such table". */
static void test_reader_without_views(void **state)
{
    fixture *f = *state;
    cw_redirect err;
    collected c = {0};
    char *text;
    cw_metrics_query q = { cw_t("2026-03-02"), cw_t("2026-03-16"), CW_PERIOD_WEEK,
                           CW_SCOPE_APPLICATION, NULL };
    cw_test_exec(f->conn, "DROP VIEW dora_band; DROP VIEW v_dora_weekly");
    cw_redirect_begin(&err, STDERR_FILENO);
    assert_int_equal(cw_metrics_rows(f->conn, &q, keep, &c), -1);
    text = cw_redirect_end(&err);
    assert_non_null(strstr(text, "no usable view v_dora_weekly"));
    assert_non_null(strstr(text, "run `catwalk run` once with this version"));
    assert_int_equal(c.n, 0);
    free(text);
    /* and no TEMP stand-ins appeared */
    assert_int_equal(cw_query_long(f->conn, "SELECT count(*) FROM sqlite_temp_master "
                                          "WHERE type = 'view'"), 0);
}

/* Run cmd_metrics with stdout sent to a file; returns the exit code and
 * the output (caller frees). */
static int run_cli(char **argv, int argc, char **output)
{
    cw_redirect out;
    int rc;
    cw_redirect_begin(&out, STDOUT_FILENO);
    rc = cmd_metrics(argc, argv);
    *output = cw_redirect_end(&out);
    return rc;
}

static void test_cli(void **state)
{
    fixture *f = *state;
    char *config = cw_asprintf("[catwalk]\nwarehouse = %s\n", f->path), *out, cfg_path[256];
    snprintf(cfg_path, sizeof cfg_path, "%s", cw_temp_file(config, ".ini"));
    {
        char *argv[] = {"metrics", "-c", cfg_path, "--from", "2026-03-04", "--to", "2026-03-16",
                        "--format", "csv", NULL};
        assert_int_equal(run_cli(argv, 9, &out), CW_EXIT_OK);
        /* --from aligned down to Monday 03-02; header then 6 rows */
        assert_non_null(strstr(out, "application,period,deployments,deploy_days,deploy_failures,"
                                    "lead_time_count,lead_time_median_h,lead_time_p90_h,"
                                    "failed_deployments,change_failure_rate,incidents,restore_count,"
                                    "restore_median_h,restore_p90_h,throughput,wip,cycle_time_count,"
                                    "cycle_time_median_h,cycle_time_p85_h,flow_efficiency,"));
        assert_non_null(strstr(out, "\n\"api\",2026-03-02,3,2,1,4,4,30,2,0.6666666666666666,4,3,12,72,"
                                    "3,4,2,30,48,0.8,"));
        assert_non_null(strstr(out, "\n\"solo\",2026-03-09,0,0,0,0,,,0,,0,0,,,0,0,0,,,,"));
        free(out);
    }
    {
        char *argv[] = {"metrics", "-c", cfg_path, "--from", "2026-03-02", "--to", "2026-03-09",
                        "--by-team", NULL};
        json_t *root;
        json_error_t err;
        assert_int_equal(run_cli(argv, 8, &out), CW_EXIT_OK);
        root = json_loads(out, 0, &err);
        assert_non_null(root);
        assert_int_equal(json_array_size(root), 2);                  /* core, edge x 1 week */
        assert_string_equal(json_string_value(json_object_get(json_array_get(root, 0), "team")), "core");
        assert_true(json_is_null(json_object_get(json_array_get(root, 1), "lead_time_median_h")));
        assert_int_equal(json_integer_value(json_object_get(json_array_get(root, 0), "wip")), 4);
        json_decref(root);
        free(out);
    }
    {
        char *argv[] = {"metrics", "-c", cfg_path, "--by", "year", NULL};
        assert_int_equal(run_cli(argv, 5, &out), CW_EXIT_USAGE);
        free(out);
    }
    {
        char *argv[] = {"metrics", "-c", cfg_path, "--from", "2026-02-30", NULL};
        assert_int_equal(run_cli(argv, 5, &out), CW_EXIT_USAGE);
        free(out);
    }
    {
        char *argv[] = {"metrics", "-c", cfg_path, "--from", "2026-03-16", "--to", "2026-03-10", NULL};
        assert_int_equal(run_cli(argv, 7, &out), CW_EXIT_USAGE);   /* both align to 03-09..: empty */
        free(out);
    }
    {
        char *argv[] = {"metrics", "--format", "table", "-c", cfg_path, "--org",
                        "--from", "2026-03-02", "--to", "2026-03-16", NULL};
        assert_int_equal(run_cli(argv, 10, &out), CW_EXIT_OK);
        assert_non_null(strstr(out, "organisation  period"));
        assert_non_null(strstr(out, "organisation  2026-03-09"));
        free(out);
    }
    {
        char *argv[] = {"metrics", "--frobnicate", NULL};
        assert_int_equal(run_cli(argv, 2, &out), CW_EXIT_USAGE);
        free(out);
    }
    unlink(cfg_path);
    free(config);
}

static json_t *summary_of(json_t *rows, const char *scope, const char *name)
{
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
        if (strcmp(json_string_value(json_object_get(row, "scope")), scope) == 0 &&
            strcmp(json_string_value(json_object_get(row, "name")), name) == 0)
            return row;
    fail_msg("no summary row %s %s", scope, name);
    return NULL;
}

#define assert_json_null(o, k) assert_true(json_is_null(json_object_get((o), (k))))
#define assert_json_text(o, k, v) assert_string_equal(json_string_value(json_object_get((o), (k))), (v))
#define assert_json_real(o, k, v) assert_float_equal(json_number_value(json_object_get((o), (k))), (v), EPS)

/* `metrics --summary` (Decisions 12) over 03-02 .. 03-16, worked out from
 * the dataset: api 4 deployments (2 a week), deploy days 2 and 1 a week
 * (median 1.5: high), lead time median 10 h (elite), 2 of 4 failed (0.5:
 * low), restore median 7.5 h (high); web 1 deployment (0.5 a week; weekly
 * median 0.5 < 1, March 1 deploy day: medium), lead time 5 h (elite), its one
 * deployment failed (I5: 1.0, low), restore 1 h (high: [1, 24)); solo has
 * no deployment mapping: null frequency and levels; the team row's team is
 * its own name, the organisation's null. */
static void test_cli_summary_and_filters(void **state)
{
    fixture *f = *state;
    char *config = cw_asprintf("[catwalk]\nwarehouse = %s\n[application api]\nteam = core\n"
                               "[application web]\nteam = core\n[application solo]\nteam = edge\n",
                               f->path), *out, cfg_path[256];
    json_t *root, *row;
    json_error_t err;
    snprintf(cfg_path, sizeof cfg_path, "%s", cw_temp_file(config, ".ini"));
    {
        char *argv[] = {"metrics", "-c", cfg_path, "--from", "2026-03-02", "--to", "2026-03-16",
                        "--summary", "--format", "json", NULL};
        assert_int_equal(run_cli(argv, 10, &out), CW_EXIT_OK);
        root = json_loads(out, 0, &err);
        assert_non_null(root);
        assert_int_equal(json_array_size(root), 6);       /* api solo web, core edge, organisation */
        row = summary_of(root, "application", "api");
        assert_int_equal(json_object_size(row), 12);
        assert_json_text(row, "team", "core");
        assert_int_equal(json_integer_value(json_object_get(row, "deployments")), 4);
        assert_json_real(row, "deployment_frequency_per_week", 2.0);
        assert_json_text(row, "deployment_frequency_level", "high");
        assert_json_real(row, "lead_time_median_h", 10.0);
        assert_json_text(row, "lead_time_level", "elite");
        assert_json_real(row, "change_failure_rate", 0.5);
        assert_json_text(row, "change_failure_rate_level", "low");
        assert_json_real(row, "restore_median_h", 7.5);
        assert_json_text(row, "restore_level", "high");
        row = summary_of(root, "application", "web");
        assert_json_real(row, "deployment_frequency_per_week", 0.5);
        assert_json_text(row, "deployment_frequency_level", "medium");
        assert_json_real(row, "lead_time_median_h", 5.0);
        assert_json_real(row, "change_failure_rate", 1.0);
        assert_json_text(row, "change_failure_rate_level", "low");
        assert_json_real(row, "restore_median_h", 1.0);
        assert_json_text(row, "restore_level", "high");
        row = summary_of(root, "application", "solo");
        assert_int_equal(json_integer_value(json_object_get(row, "deployments")), 0);
        assert_json_null(row, "deployment_frequency_per_week");
        assert_json_null(row, "deployment_frequency_level");
        assert_json_null(row, "lead_time_median_h");
        assert_json_null(row, "lead_time_level");
        assert_json_null(row, "change_failure_rate");
        assert_json_null(row, "restore_level");
        row = summary_of(root, "team", "core");
        assert_json_text(row, "team", "core");
        assert_int_equal(json_integer_value(json_object_get(row, "deployments")), 5);
        assert_json_null(summary_of(root, "team", "edge"), "deployment_frequency_level");
        row = summary_of(root, "organisation", "organisation");
        assert_json_null(row, "team");
        assert_json_real(row, "change_failure_rate", 3.0 / 5);
        json_decref(root);
        free(out);
    }
    {   /* --team: its applications and itself; --fields after scope and name */
        char *argv[] = {"metrics", "-c", cfg_path, "--from", "2026-03-02", "--to", "2026-03-16",
                        "--summary", "--team", "core", "--fields", "lead_time_level,deployments",
                        NULL};
        assert_int_equal(run_cli(argv, 12, &out), CW_EXIT_OK);
        root = json_loads(out, 0, &err);
        assert_int_equal(json_array_size(root), 3);
        assert_json_text(json_array_get(root, 0), "name", "api");
        assert_json_text(json_array_get(root, 1), "name", "web");
        assert_json_text(json_array_get(root, 2), "name", "core");
        assert_int_equal(json_object_size(json_array_get(root, 2)), 4);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(root, 2), "deployments")), 5);
        json_decref(root);
        free(out);
    }
    {   /* CSV summary: nulls empty, names quoted */
        char *argv[] = {"metrics", "-c", cfg_path, "--from", "2026-03-02", "--to", "2026-03-16",
                        "--summary", "--format", "csv", "--app", "solo", NULL};
        assert_int_equal(run_cli(argv, 12, &out), CW_EXIT_OK);
        assert_string_equal(out, "scope,name,team,deployments,deployment_frequency_per_week,"
                                 "deployment_frequency_level,lead_time_median_h,lead_time_level,"
                                 "change_failure_rate,change_failure_rate_level,restore_median_h,"
                                 "restore_level\napplication,\"solo\",\"edge\",0,,,,,,,,\n");
        free(out);
    }
    {   /* weekly rows: --app and --fields in CSV and the table (WIP at 03-09: API-4,
         * -5, -7, -9; at 03-16: API-6, -7 (leaves exactly then), -9) */
        char *argv[] = {"metrics", "-c", cfg_path, "--from", "2026-03-02", "--to", "2026-03-16",
                        "--format", "csv", "--app", "api", "--fields", "deployments,wip", NULL};
        assert_int_equal(run_cli(argv, 13, &out), CW_EXIT_OK);
        assert_string_equal(out, "application,period,deployments,wip\n"
                                 "\"api\",2026-03-02,3,4\n\"api\",2026-03-09,1,3\n");
        free(out);
    }
    {
        char *argv[] = {"metrics", "-c", cfg_path, "--from", "2026-03-02", "--to", "2026-03-16",
                        "--format", "table", "--by-team", "--team", "edge", "--fields", "deployments",
                        NULL};
        assert_int_equal(run_cli(argv, 14, &out), CW_EXIT_OK);
        assert_string_equal(out, "team  period      deployments\n"
                                 "edge  2026-03-02            0\n"
                                 "edge  2026-03-09            0\n");
        free(out);
    }
    {
        char *argv[] = {"metrics", "-c", cfg_path, "--fields", "deployments,bogus", NULL};
        assert_int_equal(run_cli(argv, 5, &out), CW_EXIT_USAGE);
        free(out);
    }
    {
        char *argv[] = {"metrics", "-c", cfg_path, "--app", "nope", NULL};
        assert_int_equal(run_cli(argv, 5, &out), CW_EXIT_USAGE);
        free(out);
    }
    {
        char *argv[] = {"metrics", "-c", cfg_path, "--app", "api", "--org", NULL};
        assert_int_equal(run_cli(argv, 6, &out), CW_EXIT_USAGE);
        free(out);
    }
    unlink(cfg_path);
    free(config);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_and_percentiles),
        cmocka_unit_test(test_median_and_percentile_positions),
        cmocka_unit_test_setup_teardown(test_levels_at_band_edges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bands_refuse_unknown_measures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_application_rows_grid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_week1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_api_week2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_rows_are_zero_and_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_web_week2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_negative_durations_never_reach_the_metrics, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_team_rows_are_unions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_org_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_day_and_month_grains, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_alone, setup, teardown),
        cmocka_unit_test_setup_teardown(test_window_reads_only_its_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wip_age_reads_only_open_intervals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dora_summaries, setup, teardown),
        cmocka_unit_test_setup_teardown(test_organisation_named, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mapped_without_deployments_is_low, setup, teardown),
        cmocka_unit_test_setup_teardown(test_weekly_grid_equals_separate_grids, setup, teardown),
        cmocka_unit_test_setup_teardown(test_install_views, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_connection, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_without_views, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_summary_and_filters, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
