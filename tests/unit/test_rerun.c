/*
 * test_rerun.c - analyst re-runs (issue 10 capability 10), the pure parts:
 * the run manifest gathered from a warehouse filled by hand, the forecasts
 * as of an instant (report model, Forecasts sheet, digest), the landing
 * zone's batch folders as a rebuild lists them, and landing retention's
 * rule on a landing folder made by hand (checkpoint, what is deleted, what
 * is kept).  The rebuild and --as-of end to end: tests/e2e/test_rerun.py.
 *
 * Expected digests were worked out with sha256sum:
 *   printf '%s\n%s\n' aaa..(64) bbb..(64) | sha256sum   -> 913f9338...
 *   printf '%s\n' ccc..(64) | sha256sum                 -> 4635042a...
 *   printf 'config text\n' | sha256sum                  -> 947d323d...
 */
#include "support.h"
#include "core/config.h"
#include "core/embedded.h"
#include "core/util.h"
#include "extract/landing.h"
#include "extract/source.h"
#include "pipeline/retention.h"
#include "reports/exceptions.h"
#include "reports/metrics.h"
#include "reports/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define A64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B64 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define C64 "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

/* ------------------------------------------------------------ manifest */

static void test_manifest(void **state)
{
    char path[256];
    cw_warehouse *wh = cw_test_warehouse(path, sizeof path);
    cw_db *db = cw_wh_db(wh);
    char *dir = cw_temp_dir();
    cw_config cfg = {0};
    cw_report r;
    (void)state;
    cw_write_file(dir, "catwalk.ini", "config text\n");
    cfg.path = cw_asprintf("%s/catwalk.ini", dir);
    cfg.forecast_seed = 7;                      /* [forecast] seed = 7 */
    cw_test_exec(db, "INSERT INTO batch (batch_id, started_at, status) VALUES (1, 0, 'ok'), "
                     "(2, 0, 'ok');"
                     /* landing order is landed_file_id, not the checksums' order */
                     "INSERT INTO landed_file (landed_file_id, batch_id, source, original_path, "
                     "landed_path, sha256, bytes) VALUES "
                     "(1, 1, 'jira', 'a', 'l/a', '" A64 "', 1), "
                     "(2, 1, 'git', 'c', 'l/c', '" C64 "', 1), "
                     "(3, 2, 'jira', 'b', 'l/b', '" B64 "', 1);");
    setenv("CW_NOW", "2026-11-30T06:00:00Z", 1);
    cw_report_init(&r, cw_t("2026-09-07T00:00:00Z"), cw_t("2026-11-30T00:00:00Z"));
    r.exec.cfg = &cfg;
    assert_int_equal(cw_report_gather_manifest(db, &r), 0);
    unsetenv("CW_NOW");
    assert_string_equal(r.exec.manifest.version, "1.0.0");
    assert_string_equal(r.exec.manifest.config_sha256,
                        "947d323dafb6e1319101ee069c071f041ecd8808b0eeae016c2d8cd83a07e2b2");
    assert_string_equal(r.exec.manifest.seed, "7");
    assert_int_equal(r.exec.manifest.as_of, cw_t("2026-11-30T06:00:00Z"));
    assert_int_equal(r.exec.manifest.last_batch, 2);
    assert_int_equal(r.exec.manifest.n_inputs, 2);
    assert_string_equal(r.exec.manifest.inputs[0].source, "git");
    assert_int_equal(r.exec.manifest.inputs[0].files, 1);
    assert_string_equal(r.exec.manifest.inputs[0].sha256,
                        "4635042acefc14343e21753cde7f1465c323970e205d422248232ff8e2a0fad2");
    assert_string_equal(r.exec.manifest.inputs[1].source, "jira");
    assert_int_equal(r.exec.manifest.inputs[1].files, 2);
    assert_string_equal(r.exec.manifest.inputs[1].sha256,
                        "913f9338fb6c17253f3a14816fc08d52522454bfc19a8c99538a197cfb23fb41");
    cw_report_free(&r);
    free(cfg.path);
    cw_remove_tree(dir);
    free(dir);
    cw_test_warehouse_drop(wh, path);
}

/* An empty warehouse: no input, batch 0; without a config, no config digest. */
static void test_manifest_empty(void **state)
{
    char path[256];
    cw_warehouse *wh = cw_test_warehouse(path, sizeof path);
    cw_report r;
    (void)state;
    cw_report_init(&r, 0, 7 * 86400);
    assert_int_equal(cw_report_gather_manifest(cw_wh_db(wh), &r), 0);
    assert_null(r.exec.manifest.config_sha256);
    assert_int_equal(r.exec.manifest.last_batch, 0);
    assert_int_equal(r.exec.manifest.n_inputs, 0);
    cw_report_free(&r);
    cw_test_warehouse_drop(wh, path);
}

/* ------------------------------------------------------------ forecasts as of */

/* Release P R1 (team Alpha), planned 2026-03-12, forecast by two runs:
 *   day 1, 2026-03-02 (1772409600): at risk, P85 2026-03-14 (2 days after
 *     the planned day), 6 items remaining, critical dependency X X1;
 *   day 5, 2026-03-06 (1772755200): not at risk, P85 2026-03-11, 3 items,
 *     no critical dependency.
 * X X1 (planned 03-13, P85 03-13: on time, 2 items) was forecast on day 1
 * only: it shipped before day 5.  Q Q1 (no mapped team) has no forecast on
 * either day (4 items, reason "no throughput history").  Each run wrote
 * its derived rows into forecast_history (made_at = its day) as the
 * forecast step does; derived_forecast holds day 5's.
 * Dates: 03-09 1773014400, 03-10 1773100800, 03-11 1773187200,
 * 03-12 1773273600, 03-13 1773360000, 03-14 1773446400, 03-16 1773619200. */
static const char *const forecast_runs_sql =
    "INSERT INTO dim_team VALUES (1, 'Alpha');"
    "INSERT INTO dim_application (application_id, name, team_id) VALUES (1, 'app', 1);"
    "INSERT INTO map_project VALUES ('P', 1), ('X', 1);"
    "INSERT INTO dim_release (release_id, project, name, release_at) VALUES"
    "  (1, 'P', 'R1', 1773273600), (2, 'X', 'X1', 1773360000), (3, 'Q', 'Q1', NULL);"
    "INSERT INTO forecast_history (release_id, made_at, p50_at, p85_at, p95_at, remaining,"
    "  items_by_planned_85, at_risk, critical_release_id, reason) VALUES"
    "  (1, 1772409600, 1773187200, 1773446400, 1773619200, 6, 4, 1, 2, 'waits on X X1'),"
    "  (2, 1772409600, 1773100800, 1773360000, 1773446400, 2, 2, 0, NULL, NULL),"
    "  (3, 1772409600, NULL, NULL, NULL, 4, NULL, 0, NULL, 'no throughput history'),"
    "  (1, 1772755200, 1773014400, 1773187200, 1773273600, 3, 3, 0, NULL, NULL),"
    "  (3, 1772755200, NULL, NULL, NULL, 4, NULL, 0, NULL, 'no throughput history');"
    "INSERT INTO derived_forecast (release_id, as_of, remaining, has_forecast, p50_at, p85_at,"
    "  p95_at, items_by_planned_85, at_risk, critical_release_id, reason) VALUES"
    "  (1, 1772755200, 3, 1, 1773014400, 1773187200, 1773273600, 3, 0, NULL, NULL),"
    "  (3, 1772755200, 4, 0, NULL, NULL, NULL, NULL, 0, NULL, 'no throughput history');";

/* The report model's forecasts (reports/forecast.c) with CW_NOW = now:
 * "release|at_risk|p85_at|remaining|critical;" rows. */
static char *model_at(cw_db *db, const char *now)
{
    cw_report r;
    char *out = cw_asprintf("%s", ""), *q;
    setenv("CW_NOW", now, 1);
    cw_report_init(&r, 0, 0);
    assert_int_equal(cw_report_gather_forecasts(db, &r), 0);
    unsetenv("CW_NOW");
    for (size_t i = 0; i < r.exec.n_forecasts; i++) {
        const cw_report_forecast *f = &r.exec.forecasts[i];
        q = cw_asprintf("%s%s|%d|%lld|%ld|%s;", out, f->release, f->at_risk,
                        (long long)f->p85_at, f->remaining,
                        f->critical_dependency ? f->critical_dependency : "-");
        free(out);
        out = q;
    }
    cw_report_free(&r);
    return out;
}

/* The Forecasts sheet's query (templates/sql/report_forecast.sql) with
 * ?3 = t (and a window before it): "release|at_risk|p85_at|remaining|
 * critical_dependency|made_at;" rows. */
static char *sheet_at(cw_db *db, int64_t t)
{
    static const int cols[] = { 0, 9, 6, 4, 10, 12 };
    cw_stmt *st = NULL;
    char *out = cw_asprintf("%s", ""), *q;
    assert_int_equal(cw_db_prepare(db, cw_embedded_get("templates/sql/report_forecast.sql"), &st),
                     CW_DB_OK);
    assert_int_equal(cw_db_bind_int(st, 1, t - 7 * 86400), CW_DB_OK);
    assert_int_equal(cw_db_bind_int(st, 2, t), CW_DB_OK);
    assert_int_equal(cw_db_bind_int(st, 3, t), CW_DB_OK);
    while (cw_db_step(st) == CW_DB_ROW)
        for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
            const char *v = cw_db_column_text(st, cols[i]);
            q = cw_asprintf("%s%s%s", out, v ? v : "-", i + 1 < sizeof cols / sizeof cols[0] ? "|" : ";");
            free(out);
            out = q;
        }
    cw_db_finalize(st);
    return out;
}

/* The digest's entries at T (reports/exceptions.c; forecasts as of T):
 * "kind|subject|since|reason;" rows. */
static char *exceptions_at(cw_db *db, int64_t t)
{
    cw_config cfg = { 0 };
    cw_exceptions_query query = { t, NULL, NULL, 0 };
    cw_report r;
    char *out = cw_asprintf("%s", ""), *q;
    for (int k = 0; k < CW_EXCEPTION_KINDS; k++)
        cfg.exception_weights[k] = 1.0;
    cfg.exceptions_top = 5;
    cfg.report_min_samples = 5;
    cw_report_init(&r, t, t);
    r.exec.cfg = &cfg;
    assert_int_equal(cw_exceptions_collect(db, &cfg, &query, &r), 0);
    for (size_t i = 0; i < r.exec.n_exceptions; i++) {
        const cw_report_exception *e = &r.exec.exceptions[i];
        q = cw_asprintf("%s%s|%s|%lld|%.6f|%s;", out, e->kind, e->subject, (long long)e->since,
                        e->score, e->reason);
        free(out);
        out = q;
    }
    cw_report_free(&r);
    return out;
}

/* As of day 2 the model, the sheet and the digest show day 1's forecasts
 * (P R1 at risk through X X1; X X1 still open); as of day 5 and after, day
 * 5's, which are derived_forecast's rows (the normal run); before day 1,
 * none.  The digest's entry for day 1: 2 days late, score 5 + 2/7 =
 * 5.285714, since day 1 (the first late forecast). */
static void test_forecasts_as_of(void **state)
{
    char path[256];
    cw_warehouse *wh = cw_test_warehouse(path, sizeof path);
    cw_db *db = cw_wh_db(wh);
    (void)state;
    cw_test_exec(db, forecast_runs_sql);
    assert_int_equal(cw_metrics_install_views(db), 0);
    /* day 2, 2026-03-03T01:00Z = 1772499600 */
    cw_expect_text(model_at(db, "2026-03-03T01:00:00Z"),
                   "P R1|1|1773446400|6|X X1;X X1|0|1773360000|2|-;Q Q1|0|0|4|-;");
    cw_expect_text(sheet_at(db, 1772499600),
                   "P R1|1|1773446400|6|X X1|1772409600;X X1|0|1773360000|2|-|1772409600;"
                   "Q Q1|0|-|4|-|1772409600;");
    cw_expect_text(exceptions_at(db, 1772499600),
                   "release_at_risk|P R1|1772409600|5.285714|P85 2026-03-14 is 2 days after the"
                   " planned 2026-03-12; 6 items remaining; critical dependency X X1;");
    /* day 4 still day 1's; day 5 (the run's day) and later: day 5's */
    cw_expect_text(sheet_at(db, 1772755199),
                   "P R1|1|1773446400|6|X X1|1772409600;X X1|0|1773360000|2|-|1772409600;"
                   "Q Q1|0|-|4|-|1772409600;");
    cw_expect_text(model_at(db, "2026-03-06T01:00:00Z"), "P R1|0|1773187200|3|-;Q Q1|0|0|4|-;");
    cw_expect_text(sheet_at(db, 1772758800),
                   "P R1|0|1773187200|3|-|1772755200;Q Q1|0|-|4|-|1772755200;");
    cw_expect_text(exceptions_at(db, 1772758800), "");
    cw_expect_text(model_at(db, "2026-12-01T00:00:00Z"), "P R1|0|1773187200|3|-;Q Q1|0|0|4|-;");
    /* before the first run: no forecast */
    cw_expect_text(model_at(db, "2026-03-01T12:00:00Z"), "");
    cw_expect_text(sheet_at(db, 1772409599), "");
    cw_test_warehouse_drop(wh, path);
}

/* ------------------------------------------------------------ landing folders */

/* A batch folder NAME with one landed file of `bytes` bytes in source s. */
static void make_batch(const char *root, const char *name, size_t bytes)
{
    char *dir = cw_asprintf("%s/%s/s", root, name);
    char *text = cw_xcalloc(bytes + 1, 1);
    memset(text, 'x', bytes);
    assert_int_equal(cw_mkdirs(dir), 0);
    cw_write_file(dir, "0001-f.json", text);
    free(text);
    free(dir);
}

static int exists(const char *root, const char *name)
{
    char *p = cw_asprintf("%s/%s", root, name);
    int ok = access(p, F_OK) == 0;
    free(p);
    return ok;
}

static void test_batches_listed_oldest_first(void **state)
{
    char *root = cw_temp_dir();
    cw_strlist list;
    (void)state;
    make_batch(root, "20261102T020000Z-200", 1);
    make_batch(root, "20261101T020000Z-300", 1);
    make_batch(root, "20261103T020000Z-100", 1);
    cw_write_file(root, "20261103T020000Z-100/.catwalk-run", "");     /* a run at work */
    make_batch(root, "checkpoint", 1);                                  /* not a batch */
    make_batch(root, "notes", 1);
    assert_int_equal(cw_landing_batches(root, &list), 0);
    assert_int_equal(list.n, 2);
    assert_string_equal(list.items[0], "20261101T020000Z-300");
    assert_string_equal(list.items[1], "20261102T020000Z-200");
    cw_strlist_free(&list);
    cw_remove_tree(root);
    free(root);
    /* no landing folder yet: nothing to replay */
    assert_int_equal(cw_landing_batches("/nonexistent/landing", &list), 0);
    assert_int_equal(list.n, 0);
}

/* ------------------------------------------------------------ retention */

typedef struct ret_fixture {
    char *root;
    char db_path[256];
    cw_warehouse *wh;
    cw_config cfg;
} ret_fixture;

static void fixture_open(ret_fixture *f)
{
    memset(f, 0, sizeof *f);
    f->root = cw_temp_dir();
    f->cfg.landing = f->root;
    f->wh = cw_test_warehouse(f->db_path, sizeof f->db_path);
    /* four nights, a day apart; the fourth is this run's */
    make_batch(f->root, "20261101T020000Z-1", 100);
    make_batch(f->root, "20261102T020000Z-2", 200);
    make_batch(f->root, "20261103T020000Z-3", 300);
    make_batch(f->root, "20261104T020000Z-4", 400);
    setenv("CW_NOW", "2026-11-04T02:10:00Z", 1);
}

static void fixture_close(ret_fixture *f)
{
    unsetenv("CW_NOW");
    cw_test_warehouse_drop(f->wh, f->db_path);
    cw_remove_tree(f->root);
    free(f->root);
}

static void apply(ret_fixture *f, const char *current, cw_retention_stats *st)
{
    char *dir = cw_asprintf("%s/%s", f->root, current);
    cw_retention_apply(&f->cfg, cw_wh_db(f->wh), dir, st);
    free(dir);
}

static void test_no_limit_keeps_everything(void **state)
{
    ret_fixture f;
    cw_retention_stats st;
    (void)state;
    fixture_open(&f);
    apply(&f, "20261104T020000Z-4", &st);
    assert_int_equal(st.expired, 0);
    assert_int_equal(st.folders, 0);
    assert_false(exists(f.root, "checkpoint"));
    fixture_close(&f);
}

static void test_keep_batches_checkpoints_then_deletes(void **state)
{
    ret_fixture f;
    cw_retention_stats st;
    const char *name = NULL;
    (void)state;
    fixture_open(&f);
    f.cfg.landing_keep_batches = 2;
    apply(&f, "20261104T020000Z-4", &st);
    /* nights 1 and 2 are past the newest two */
    assert_int_equal(st.expired, 2);
    assert_true(st.checkpointed);
    assert_int_equal(st.folders, 2);
    assert_int_equal(st.files, 2);
    assert_int_equal(st.bytes, 300);
    assert_false(exists(f.root, "20261101T020000Z-1"));
    assert_false(exists(f.root, "20261102T020000Z-2"));
    assert_true(exists(f.root, "20261103T020000Z-3"));
    assert_true(exists(f.root, "20261104T020000Z-4"));
    assert_int_equal(cw_retention_checkpoint(&f.cfg, &name), 0);
    assert_string_equal(name, "20261104T020000Z-4");
    free((char *)name);
    /* the next night: night 3 expires; the checkpoint covers it (no new
     * one), and night 5, after it, is kept */
    make_batch(f.root, "20261105T020000Z-5", 500);
    apply(&f, "20261105T020000Z-5", &st);
    assert_int_equal(st.expired, 1);
    assert_false(st.checkpointed);
    assert_int_equal(st.folders, 1);
    assert_int_equal(st.bytes, 300);
    assert_false(exists(f.root, "20261103T020000Z-3"));
    assert_true(exists(f.root, "20261104T020000Z-4"));
    assert_true(exists(f.root, "20261105T020000Z-5"));
    assert_true(exists(f.root, "checkpoint/20261104T020000Z-4.db"));
    fixture_close(&f);
}

static void test_keep_days(void **state)
{
    ret_fixture f;
    cw_retention_stats st;
    (void)state;
    fixture_open(&f);
    f.cfg.landing_keep_days = 2;          /* now 2026-11-04 02:10 */
    apply(&f, "20261104T020000Z-4", &st);
    assert_int_equal(st.folders, 2);      /* night 2 began 2 days and 10 minutes ago */
    assert_false(exists(f.root, "20261102T020000Z-2"));
    assert_true(exists(f.root, "20261103T020000Z-3"));
    fixture_close(&f);
    /* both keys: a folder either keeps is kept */
    fixture_open(&f);
    f.cfg.landing_keep_days = 1;
    f.cfg.landing_keep_batches = 3;
    apply(&f, "20261104T020000Z-4", &st);
    assert_int_equal(st.folders, 1);
    assert_false(exists(f.root, "20261101T020000Z-1"));
    assert_true(exists(f.root, "20261102T020000Z-2"));
    fixture_close(&f);
}

/* A checkpoint that cannot be made: nothing a rebuild needs may go. */
static void test_failed_checkpoint_deletes_nothing(void **state)
{
    ret_fixture f;
    cw_retention_stats st;
    char *blocker;
    (void)state;
    fixture_open(&f);
    f.cfg.landing_keep_batches = 1;
    /* a folder where the checkpoint's file would be written */
    blocker = cw_asprintf("%s/checkpoint/20261104T020000Z-4.db.tmp", f.root);
    assert_int_equal(cw_mkdirs(blocker), 0);
    apply(&f, "20261104T020000Z-4", &st);
    assert_int_equal(st.expired, 3);
    assert_false(st.checkpointed);
    assert_int_equal(st.folders, 0);
    assert_true(exists(f.root, "20261101T020000Z-1"));
    assert_true(exists(f.root, "20261103T020000Z-3"));
    rmdir(blocker);
    free(blocker);
    fixture_close(&f);
}

/* ------------------------------------------------------------ [landing] keys */

/* Load an ini made of text; returns cw_config_load's result, stderr in *errors. */
static int load_ini(const char *text, cw_config **cfg, char **errors)
{
    char *dir = cw_temp_dir(), *path;
    cw_redirect err;
    int rc;
    cw_write_file(dir, "c.ini", text);
    path = cw_asprintf("%s/c.ini", dir);
    cw_redirect_begin(&err, 2);
    rc = cw_config_load(path, cw_source_check, cfg);
    *errors = cw_redirect_end(&err);
    cw_remove_tree(dir);
    free(path);
    free(dir);
    return rc;
}

static void test_landing_keys(void **state)
{
    cw_config *cfg = NULL;
    char *errors;
    (void)state;
    assert_int_equal(load_ini("[landing]\nkeep_days = 30\nkeep_batches = 60\n", &cfg, &errors), 0);
    assert_int_equal(cfg->landing_keep_days, 30);
    assert_int_equal(cfg->landing_keep_batches, 60);
    cw_config_free(cfg);
    free(errors);
    /* unset: 0, nothing expires */
    assert_int_equal(load_ini("[catwalk]\n", &cfg, &errors), 0);
    assert_int_equal(cfg->landing_keep_days + cfg->landing_keep_batches, 0);
    cw_config_free(cfg);
    free(errors);
    /* each error names file, line and key */
    assert_int_not_equal(load_ini("[landing]\nkeep_days = 0\nkeep_batches = 1.5\nkeep = 3\n"
                                  "keep_days = 2\n", &cfg, &errors), 0);
    assert_non_null(strstr(errors, "c.ini:2: keep_days: expected a whole number from 1 to 100000, "
                                   "got '0'"));
    assert_non_null(strstr(errors, "c.ini:3: keep_batches: expected a whole number from 1 to "
                                   "100000, got '1.5'"));
    assert_non_null(strstr(errors, "c.ini:4: keep: unknown key in [landing] (keep_days, "
                                   "keep_batches)"));
    free(errors);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manifest),
        cmocka_unit_test(test_manifest_empty),
        cmocka_unit_test(test_forecasts_as_of),
        cmocka_unit_test(test_batches_listed_oldest_first),
        cmocka_unit_test(test_no_limit_keeps_everything),
        cmocka_unit_test(test_keep_batches_checkpoints_then_deletes),
        cmocka_unit_test(test_keep_days),
        cmocka_unit_test(test_failed_checkpoint_deletes_nothing),
        cmocka_unit_test(test_landing_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
