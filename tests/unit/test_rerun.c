/*
 * test_rerun.c - analyst re-runs (issue 10 capability 10), the pure parts:
 * the run manifest gathered from a warehouse filled by hand, the landing
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

/* reports/sql/forecast_as_of.sql at instant t: "release:made_at:origin;" rows. */
static char *forecasts_at(cw_db *db, int64_t t)
{
    char *sql = cw_asprintf("%s", cw_embedded_get("reports/sql/forecast_as_of.sql"));
    char *at = cw_asprintf("%lld", (long long)t), *p, *rows, *q;
    /* the one parameter, written in for cw_query_rows (no binding there) */
    while ((p = strstr(sql, "?1")) != NULL) {
        q = cw_asprintf("%.*s%s%s", (int)(p - sql), sql, at, p + 2);
        free(sql);
        sql = q;
    }
    q = cw_asprintf("SELECT release_id || ':' || made_at || ':' || origin FROM (%.*s) x",
                    (int)(strrchr(sql, ';') - sql), sql);
    rows = cw_query_rows(db, q);
    free(q);
    free(sql);
    free(at);
    return rows;
}

static void test_forecast_as_of(void **state)
{
    char path[256];
    cw_warehouse *wh = cw_test_warehouse(path, sizeof path);
    cw_db *db = cw_wh_db(wh);
    (void)state;
    /* release 1 open: forecast at 100 and 200, derived_forecast made at 200;
     * release 2 shipped since (no derived row): forecasts at 100 and 300;
     * release 3 derived at 150 without a forecast, an older history row */
    cw_test_exec(db, "INSERT INTO dim_release (release_id, project, name) VALUES "
                     "(1, 'P', 'R1'), (2, 'P', 'R2'), (3, 'P', 'R3');"
                     "INSERT INTO forecast_history VALUES (1, 100, 1, 2, 3), (1, 200, 4, 5, 6), "
                     "(2, 100, 1, 2, 3), (2, 300, 4, 5, 6), (3, 50, 1, 2, 3);"
                     "INSERT INTO derived_forecast (release_id, as_of, remaining, has_forecast, "
                     "p50_at, p85_at, p95_at) VALUES (1, 200, 3, 1, 4, 5, 6), "
                     "(3, 150, 2, 0, NULL, NULL, NULL);");
    cw_expect_text(forecasts_at(db, 40), "");
    cw_expect_text(forecasts_at(db, 120), "1:100:history;2:100:history;3:50:history;");
    cw_expect_text(forecasts_at(db, 160), "1:100:history;2:100:history;");
    cw_expect_text(forecasts_at(db, 250), "1:200:derived;2:100:history;");
    cw_expect_text(forecasts_at(db, 300), "1:200:derived;2:300:history;");
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
        cmocka_unit_test(test_forecast_as_of),
        cmocka_unit_test(test_batches_listed_oldest_first),
        cmocka_unit_test(test_no_limit_keeps_everything),
        cmocka_unit_test(test_keep_batches_checkpoints_then_deletes),
        cmocka_unit_test(test_keep_days),
        cmocka_unit_test(test_failed_checkpoint_deletes_nothing),
        cmocka_unit_test(test_landing_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
