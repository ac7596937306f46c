/*
 * test_pipeline.c - the pipeline API (pipeline/pipeline.h) on the hand-made
 * end-to-end dataset (tests/data/e2e, described in tests/e2e/test_e2e.py):
 * landing only, a load with its committed hook, a re-run that skips every
 * file, and the error policy (a warehouse that cannot be opened fails, a
 * live source without credentials is a usage error).
 *
 * The dataset has five file sources: one Jira page, one git log, two
 * Jenkins job files, one PagerDuty page and one ServiceNow CSV.  Its
 * untraceable deployments are payments #7 and claims #1 (test_e2e.py).
 */
#include "support.h"
#include "pipeline/pipeline.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct fixture {
    char *tmp;
    char *dir;                  /* the dataset's copy */
    char *config;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->tmp = cw_temp_dir();
    f->dir = cw_asprintf("%s/d", f->tmp);
    f->config = cw_asprintf("%s/catwalk.ini", f->dir);
    if (cw_system("cp -r '%s' '%s'", cw_test_data("e2e"), f->dir) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cw_remove_tree(f->tmp);
    free(f->tmp);
    free(f->dir);
    free(f->config);
    free(f);
    return 0;
}

static cw_config *load_config(const fixture *f)
{
    cw_config *cfg = NULL;
    assert_int_equal(cw_config_load(f->config, cw_source_check, &cfg), 0);
    return cfg;
}

static int exists(const fixture *f, const char *rel)
{
    char *path = cw_asprintf("%s/%s", f->dir, rel);
    int rc = access(path, F_OK) == 0;
    free(path);
    return rc;
}

static void test_land_only(void **state)
{
    fixture *f = *state;
    cw_config *cfg = load_config(f);
    cw_pipeline_options o = {CW_PIPELINE_LAND, 0, 0, 1, NULL, NULL, 0, NULL, NULL};
    cw_pipeline_result r;
    const long files[] = {1, 1, 2, 1, 1};   /* jira, git, jenkins, pagerduty, servicenow */
    struct stat st;
    assert_int_equal(cw_pipeline_run(cfg, &o, &r), CW_PIPELINE_OK);
    assert_int_equal(r.n_sources, 5);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(r.sources[i].files, files[i]);
        assert_string_equal(r.sources[i].status, "ok");
        assert_false(r.sources[i].live.attempted);
    }
    assert_int_equal(r.batch_id, 0);
    assert_null(r.sources_failed);
    assert_int_equal(stat(r.batch_dir, &st), 0);
    assert_false(exists(f, "catwalk.db"));          /* landing never creates a warehouse */
    cw_pipeline_result_free(&r);
    cw_config_free(cfg);
}

typedef struct hook {
    int calls;
    int64_t batch_id;
    cw_pipeline_status status;
} hook;

static void on_committed(void *ctx, const cw_pipeline_result *r)
{
    hook *h = ctx;
    h->calls++;
    h->batch_id = r->batch_id;
    h->status = r->status;
}

static void test_load_then_rerun(void **state)
{
    fixture *f = *state;
    cw_config *cfg = load_config(f);
    hook h = {0, 0, CW_PIPELINE_FAILED};
    cw_pipeline_options o = {CW_PIPELINE_LOAD, 0, 0, 1, on_committed, &h, 0, NULL, NULL};
    cw_pipeline_result r;
    assert_int_equal(cw_pipeline_run(cfg, &o, &r), CW_PIPELINE_OK);
    assert_int_equal(h.calls, 1);
    assert_int_equal(h.batch_id, 1);
    assert_int_equal(h.status, CW_PIPELINE_OK);
    assert_int_equal(r.batch_id, 1);
    assert_int_equal(r.stats.rows_rejected, 0);
    assert_true(r.stats.rows_read > 0);
    assert_int_equal(r.correlate.untraceable_deployments, 2);
    assert_int_equal(r.sources[2].files, 2);
    assert_int_equal(r.sources[2].skipped, 0);
    assert_true(exists(f, "catwalk.db"));
    assert_false(exists(f, "reports"));             /* no_report */
    cw_pipeline_result_free(&r);
    /* the same files again: every one skipped, nothing read, a batch all the
     * same.  A batch folder is named by UTC second and pid, so a second run
     * in this process must start in another second. */
    sleep(1);
    assert_int_equal(cw_pipeline_run(cfg, &o, &r), CW_PIPELINE_OK);
    assert_int_equal(h.calls, 2);
    assert_int_equal(r.batch_id, 2);
    assert_int_equal(r.stats.rows_read, 0);
    assert_int_equal(r.sources[2].files, 0);
    assert_int_equal(r.sources[2].skipped, 2);
    cw_pipeline_result_free(&r);
    cw_config_free(cfg);
}

static void test_error_policy(void **state)
{
    fixture *f = *state;
    cw_config *cfg;
    hook h = {0, 0, CW_PIPELINE_OK};
    cw_pipeline_options o = {CW_PIPELINE_LOAD, 0, 0, 1, on_committed, &h, 0, NULL, NULL};
    cw_pipeline_result r;
    FILE *ini;
    /* a warehouse that is a folder cannot be opened: the run fails, nothing lands */
    char *folder = cw_asprintf("%s/catwalk.db", f->dir);
    assert_int_equal(mkdir(folder, 0700), 0);
    cfg = load_config(f);
    assert_int_equal(cw_pipeline_run(cfg, &o, &r), CW_PIPELINE_FAILED);
    assert_int_equal(h.calls, 0);
    assert_null(r.batch_dir);
    assert_false(exists(f, "landing"));
    cw_pipeline_result_free(&r);
    cw_config_free(cfg);
    rmdir(folder);
    free(folder);
    /* a live source whose token variable is unset: a usage error, nothing opened */
    ini = fopen(f->config, "a");
    assert_non_null(ini);
    fprintf(ini, "\n[source pd-live]\ntype = pagerduty\nbase_url = http://127.0.0.1:9\n"
                 "token_env = CW_TEST_PIPELINE_UNSET_TOKEN\nstart = 2025-06-01\n");
    fclose(ini);
    unsetenv("CW_TEST_PIPELINE_UNSET_TOKEN");
    cfg = load_config(f);
    assert_int_equal(cw_pipeline_run(cfg, &o, &r), CW_PIPELINE_USAGE);
    assert_int_equal(h.calls, 0);
    assert_false(exists(f, "catwalk.db"));
    cw_pipeline_result_free(&r);
    cw_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_land_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_then_rerun, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_policy, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
