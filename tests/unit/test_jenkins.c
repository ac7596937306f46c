/*
 * test_jenkins.c - the Jenkins connector on the real DevLake build exports
 * and on hand-written job api/json files (tests/data/jenkins/) and wrappers.
 *
 * Instants are worked out by hand from the epoch-ms values in the inputs:
 * started_at = floor(timestamp / 1000), finished_at = floor((timestamp +
 * duration) / 1000) (metrics.md, "Where instants come from").
 */
#include "support.h"
#include "extract/source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const cw_source_type cw_source_jenkins;

/* Job names as the DevLake fixtures record them (read from the files by hand).
 * Freestyle: `params` {"ConnectionId":1,"FullName":DEVLAKE_JOB} on every row
 * but record 10 ("pipeline-test2"); `input` has only Name and Path.
 * Multibranch: `params` names the parent ("github_org/devlake-jenkins") on
 * every row, `input` the branch job, e.g. {"Name":"main",...,
 * "FullName":"github_org/devlake-jenkins/main"}; the display names say
 * "my-org » devlake-jenkins » main #4" (the folder's display name). */
#define DEVLAKE_JOB "Test-jenkins-dir/test-jenkins-sub-dir/test-sub-sub-dir/devlake"
#define MB "github_org/devlake-jenkins/"

#define WRAPPER_HEADER "id,params,data,url,input,created_at\n"

/* The [source ci] section of test.ini (line 9); keys (NULL-terminated key,
 * value pairs) from line 10. */
static void make_source(cw_test_source *t, const char *const *pairs)
{
    cw_test_source_init(t, 9, "ci", "jenkins", pairs);
}

static int parse(const char *path, const char *const *pairs, cw_capture *cap)
{
    cw_test_source t;
    make_source(&t, pairs);
    cw_capture_init(cap);
    return cw_source_jenkins.parse(&t.src, path, &cap->sink);
}

static const cw_build *must_build(const cw_capture *cap, const char *job, long number)
{
    const cw_build *b = cw_capture_build(cap, job, number);
    if (!b)
        fail_msg("build %s #%ld not emitted", job, number);
    return b;
}

/* Parse path with keys into cap: it must load, with exactly n_builds builds
 * and n_rejects rejects. */
static void parse_counted(const char *path, const char *const *pairs, cw_capture *cap,
                          size_t n_builds, size_t n_rejects)
{
    assert_int_equal(parse(path, pairs, cap), 0);
    assert_int_equal(cap->n_builds, n_builds);
    assert_int_equal(cap->n_rejects, n_rejects);
}

/* ------------------------------------------------------ DevLake fixtures */

static void test_devlake_freestyle_builds(void **state)
{
    cw_capture cap;
    const cw_build *b;
    /* 14 rows; #27, #10001 and #10002 have building:true. */
    parse_counted(cw_fixture("jenkins/devlake_raw_jenkins_api_builds.csv"), NULL, &cap, 11, 0);
    assert_null(cw_capture_build(&cap, DEVLAKE_JOB, 27));
    assert_null(cw_capture_build(&cap, DEVLAKE_JOB, 10001));
    assert_null(cw_capture_build(&cap, DEVLAKE_JOB, 10002));

    /* timestamp 1650024049161, duration 1587: 1650024049161 + 1587 = 1650024050748 ms. */
    b = must_build(&cap, DEVLAKE_JOB, 31);
    assert_int_equal(b->origin.record, 2);         /* first data row after the header */
    assert_string_equal(b->result, "success");
    assert_true(b->started_at == 1650024049);
    assert_true(b->finished_at == 1650024050);
    assert_string_equal(b->revision, "0f886c74949c3ee7e489188911c7dc0c1d547418");
    assert_false(b->is_deployment);
    assert_null(b->environment);

    /* 1650017416514 + 14820 = 1650017431334 ms */
    b = must_build(&cap, DEVLAKE_JOB, 11);
    assert_true(b->finished_at == 1650017431);
    assert_string_equal(b->revision, "ceeffdfdd06bce232f9adb3a656265bad13a8473");

    b = must_build(&cap, DEVLAKE_JOB, 23);           /* actions without BuildData */
    assert_null(b->revision);
    b = must_build(&cap, DEVLAKE_JOB, 10003);
    assert_string_equal(b->result, "aborted");
    b = must_build(&cap, DEVLAKE_JOB, 10005);
    assert_string_equal(b->result, "unstable");
    b = must_build(&cap, DEVLAKE_JOB, 10004);       /* "NOT_BUILD" in the export */
    assert_string_equal(b->result, "not_built");
    b = must_build(&cap, "pipeline-test2", 1);
    assert_true(b->started_at == 1662651613);
    assert_int_equal(b->origin.record, 10);
    cw_capture_free(&cap);
}

/* The row names its job, so the `job` key (for files that name none) does not apply. */
static void test_devlake_row_job_beats_job_key(void **state)
{
    static const char *const keys[] = {"job", "ops/other", NULL};
    cw_capture cap;
    assert_int_equal(parse(cw_fixture("jenkins/devlake_raw_jenkins_api_builds.csv"), keys, &cap), 0);
    assert_int_equal(cap.n_builds, 11);
    assert_non_null(cw_capture_build(&cap, DEVLAKE_JOB, 31));
    assert_non_null(cw_capture_build(&cap, "pipeline-test2", 1));
    assert_null(cw_capture_build(&cap, "ops/other", 31));
    cw_capture_free(&cap);
}

static void test_devlake_multibranch_builds(void **state)
{
    static const char *const keys[] = {"deployment_job", "/main$", "environment", "production", NULL};
    cw_capture cap;
    const cw_build *b;
    size_t deployments = 0;
    parse_counted(cw_fixture("jenkins/devlake_raw_jenkins_api_builds_multibranch.csv"), keys, &cap,
                  15, 0);

    /* Record 2, "my-org » devlake-jenkins » main #4": 1711277551963 + 30415 = 1711277582378 ms. */
    b = must_build(&cap, MB "main", 4);
    assert_int_equal(b->origin.record, 2);
    assert_true(b->started_at == 1711277551);
    assert_true(b->finished_at == 1711277582);
    assert_string_equal(b->revision, "c83ae02076382670e286ac2474b7a7327fc28cde");
    cw_expect_deployment(b, "production", 1);

    /* #4 of feature-2 (record 13) is a different build from main #4. */
    b = must_build(&cap, MB "feature-2", 4);
    assert_int_equal(b->origin.record, 13);
    assert_string_equal(b->result, "failure");
    assert_false(b->is_deployment);

    b = must_build(&cap, MB "feature-2", 5);
    assert_string_equal(b->result, "failure");
    assert_null(b->revision);
    assert_false(b->is_deployment);

    b = must_build(&cap, MB "PR-2", 1);
    assert_string_equal(b->result, "aborted");
    assert_int_equal(b->origin.record, 7);
    b = must_build(&cap, MB "feature-1", 3);
    assert_int_equal(b->origin.record, 8);

    /* Neither the display-name folder nor the parent scope names a job. */
    assert_null(cw_capture_build(&cap, "my-org/devlake-jenkins/main", 4));
    assert_null(cw_capture_build(&cap, "github_org/devlake-jenkins", 4));

    /* Records 2-5 main #4..#1, 6-7 PR-2 #2..#1, 8-10 feature-1 #3..#1, 11-16 feature-2 #6..#1. */
    for (long n = 1; n <= 6; n++) {
        assert_true((cw_capture_build(&cap, MB "main", n) != NULL) == (n <= 4));
        assert_true((cw_capture_build(&cap, MB "PR-2", n) != NULL) == (n <= 2));
        assert_true((cw_capture_build(&cap, MB "feature-1", n) != NULL) == (n <= 3));
        assert_non_null(cw_capture_build(&cap, MB "feature-2", n));
    }
    for (size_t i = 0; i < cap.n_builds; i++)
        deployments += cap.builds[i].is_deployment != 0;
    assert_int_equal(deployments, 4);                /* main #1..#4 */
    cw_capture_free(&cap);
}

/* Hand-written wrapper rows: where the job name comes from when cells are
 * missing or odd.  Each row is the same finished build but for its number;
 * ROW(params, "1", input) is the CSV record  ,<params>,<data>,,<input>,  with
 * data {"number":1,"result":"SUCCESS","timestamp":1000,"duration":0,
 * "fullDisplayName":"Shown » Name #1"} (quotes doubled inside the cell). */
#define ROW(params, number, input) \
    "," params ",\"{\"\"number\"\":" number ",\"\"result\"\":\"\"SUCCESS\"\"," \
    "\"\"timestamp\"\":1000,\"\"duration\"\":0," \
    "\"\"fullDisplayName\"\":\"\"Shown » Name #" number "\"\"}\",," input ",\n"

static void test_devlake_job_fallbacks(void **state)
{
    static const char text[] =
        WRAPPER_HEADER
        ROW("\"{\"\"FullName\"\":\"\"real/job\"\"}\"", "1", "")   /* params only */
        ROW("", "2", "null")                                       /* neither: display name */
        ROW("\"{\"\"FullName\"\":42}\"", "3", "\"{\"\"Name\"\":\"\"x\"\"}\"") /* not a string */
        ROW("not json", "4", "\"[1]\"")                            /* not an object */
        ROW("\"{\"\"FullName\"\":\"\"scope\"\"}\"", "5",
            "\"{\"\"FullName\"\":\"\"scope/branch\"\"}\"");   /* input wins */
    cw_capture cap;
    const cw_build *b;
    parse_counted(cw_temp_file(text, ".csv"), NULL, &cap, 5, 0);
    b = must_build(&cap, "real/job", 1);
    assert_int_equal(b->origin.record, 2);
    assert_true(b->started_at == 1 && b->finished_at == 1);
    must_build(&cap, "Shown/Name", 2);
    must_build(&cap, "Shown/Name", 3);
    must_build(&cap, "Shown/Name", 4);
    b = must_build(&cap, "scope/branch", 5);
    assert_int_equal(b->origin.record, 6);
    cw_capture_free(&cap);
}

/* DevLake's other Jenkins raw tables: 24 pipeline stages ({id, name, status,
 * startTimeMillis, durationMillis, ...}) and 4 multibranch jobs ({_class,
 * name, fullName, url, color, description}).  Neither holds a build; both
 * are read without a reject (formats.md: every parser reads its fixtures). */
static void test_devlake_stages_and_jobs_are_not_builds(void **state)
{
    cw_capture cap;
    parse_counted(cw_fixture("jenkins/devlake_raw_jenkins_api_stages.csv"), NULL, &cap, 0, 0);
    cw_capture_free(&cap);
    parse_counted(cw_fixture("jenkins/devlake_raw_jenkins_api_jobs_multibranch.csv"), NULL, &cap, 0, 0);
    cw_capture_free(&cap);
}

/* A wrapper saved with a UTF-8 byte order mark is still a wrapper. */
static void test_devlake_wrapper_with_bom(void **state)
{
    static const char text[] =
        "\xEF\xBB\xBF" WRAPPER_HEADER
        ROW("\"{\"\"FullName\"\":\"\"real/job\"\"}\"", "1", "");
    cw_capture cap;
    const cw_build *b;
    parse_counted(cw_temp_file(text, ".csv"), NULL, &cap, 1, 0);
    b = must_build(&cap, "real/job", 1);
    assert_int_equal(b->origin.record, 2);
    assert_string_equal(b->result, "success");
    cw_capture_free(&cap);
}

/* A sink failure stops the file at the first build, and is not reported as
 * an unreadable file. */
static void test_devlake_sink_failure(void **state)
{
    cw_test_source t;
    make_source(&t, NULL);
    cw_expect_sink_failure_stops(&cw_source_jenkins, &t.src,
                                 cw_fixture("jenkins/devlake_raw_jenkins_api_builds.csv"));
}

/* ------------------------------------------------------- hand-written */

static void test_job_with_environment_parameter(void **state)
{
    static const char *const keys[] = {
        "deployment_job", "^payments/deploy-", "environment_parameter", "ENVIRONMENT", NULL,
    };
    cw_capture cap;
    const cw_build *b;
    const char *job = "payments/deploy-payments";
    /* 7 builds: #14 building, #8 result null -> skipped; #9 has no timestamp -> reject. */
    parse_counted(cw_test_data("jenkins/deploy-job.json"), keys, &cap, 4, 1);
    assert_null(cw_capture_build(&cap, job, 14));
    assert_null(cw_capture_build(&cap, job, 8));
    cw_expect_reject(&cap, 0, 6, "started_at", NULL);
    assert_non_null(strstr(cap.rejects[0].raw, "\"number\":9"));

    /* 2026-01-01T00:00:00.500Z + 61 s = 00:01:01.500 -> 00:01:01. */
    b = must_build(&cap, job, 12);
    assert_int_equal(b->origin.record, 3);
    assert_true(b->started_at == cw_t("2026-01-01T00:00:00Z"));
    assert_true(b->finished_at == cw_t("2026-01-01T00:01:01Z"));
    assert_string_equal(b->result, "success");
    assert_string_equal(b->revision, "1212121212121212121212121212121212121212");  /* first BuildData */
    assert_string_equal(b->url, "https://ci.example.com/job/payments/job/deploy-payments/12/");
    cw_expect_deployment(b, "production", 1);

    /* A failed production deployment: 01:00:00.999 + 1.001 s = 01:00:02. */
    b = must_build(&cap, job, 13);
    assert_string_equal(b->result, "failure");
    assert_true(b->started_at == cw_t("2026-01-01T01:00:00Z"));
    assert_true(b->finished_at == cw_t("2026-01-01T01:00:02Z"));
    cw_expect_deployment(b, "prod-eu", 1);
    assert_string_equal(b->revision, "1313131313131313131313131313131313131313");

    b = must_build(&cap, job, 11);                   /* staging: a deployment, not production */
    cw_expect_deployment(b, "staging", 0);
    assert_true(b->finished_at == cw_t("2025-12-31T00:00:02Z"));

    b = must_build(&cap, job, 10);                   /* no BuildData, no parameter */
    assert_null(b->revision);
    assert_null(b->environment);
    assert_false(b->is_production);
    assert_string_equal(b->result, "aborted");
    cw_capture_free(&cap);
}

/*
 * A pipeline that checks out its shared library first records two
 * BuildData: the library's, then the application's.  Every one is kept, in
 * order, with its first remote URL; the build's revision stays the first
 * (as before).  The same checkout recorded twice (#2's third BuildData) is
 * kept once; a BuildData without a sha adds nothing.
 */
static void test_every_build_data(void **state)
{
    static const char page[] =
        "{\"fullName\":\"deploy-pay\",\"builds\":["
        "{\"number\":2,\"result\":\"SUCCESS\",\"timestamp\":1767225600000,\"duration\":1000,\"actions\":["
        " {\"_class\":\"hudson.plugins.git.util.BuildData\",\"remoteUrls\":"
        "  [\"https://git.example.com/platform/pipeline-lib.git\"],"
        "  \"lastBuiltRevision\":{\"SHA1\":\"1111111111111111111111111111111111111111\"}},"
        " {},"
        " {\"_class\":\"hudson.plugins.git.util.BuildData\",\"remoteUrls\":"
        "  [\"git@git.example.com:org/pay-api.git\",\"https://mirror/pay-api\"],"
        "  \"lastBuiltRevision\":{\"SHA1\":\"2222222222222222222222222222222222222222\"}},"
        " {\"_class\":\"hudson.plugins.git.util.BuildData\",\"remoteUrls\":"
        "  [\"https://git.example.com/platform/pipeline-lib.git\"],"
        "  \"lastBuiltRevision\":{\"SHA1\":\"1111111111111111111111111111111111111111\"}},"
        " {\"_class\":\"hudson.plugins.git.util.BuildData\",\"remoteUrls\":[\"x\"]},"
        " {\"_class\":\"hudson.plugins.git.util.BuildData\","
        "  \"lastBuiltRevision\":{\"SHA1\":\"3333333333333333333333333333333333333333\"}}]},"
        "{\"number\":1,\"result\":\"SUCCESS\",\"timestamp\":1767225500000,\"duration\":1000,\"actions\":["
        " {\"_class\":\"hudson.plugins.git.util.BuildData\",\"remoteUrls\":[\"https://g/x/pay-api\"],"
        "  \"lastBuiltRevision\":{\"SHA1\":\"4444444444444444444444444444444444444444\"}}]}]}";
    cw_capture cap;
    const cw_build *b;
    (void)state;
    const char *path = cw_temp_file(page, ".json");
    assert_int_equal(parse(path, NULL, &cap), 0);
    unlink(path);
    assert_int_equal(cap.n_rejects, 0);
    b = must_build(&cap, "deploy-pay", 2);
    assert_string_equal(b->revision, "1111111111111111111111111111111111111111");
    assert_int_equal(b->n_revisions, 3);
    assert_string_equal(b->revisions[0].remote, "https://git.example.com/platform/pipeline-lib.git");
    assert_string_equal(b->revisions[0].sha, "1111111111111111111111111111111111111111");
    assert_string_equal(b->revisions[1].remote, "git@git.example.com:org/pay-api.git");
    assert_string_equal(b->revisions[1].sha, "2222222222222222222222222222222222222222");
    assert_null(b->revisions[2].remote);
    assert_string_equal(b->revisions[2].sha, "3333333333333333333333333333333333333333");
    b = must_build(&cap, "deploy-pay", 1);
    assert_string_equal(b->revision, "4444444444444444444444444444444444444444");
    assert_int_equal(b->n_revisions, 1);
    assert_string_equal(b->revisions[0].remote, "https://g/x/pay-api");
    cw_capture_free(&cap);
}

static void test_named_capture_and_display_names(void **state)
{
    static const char *const keys[] = {"deployment_job", "/deploy-(?<environment>[a-z]+)$", NULL};
    cw_capture cap;
    const cw_build *b;
    parse_counted(cw_test_data("jenkins/deploy-array.json"), keys, &cap, 3, 1); /* 4th: no number */
    cw_expect_reject(&cap, 0, 4, "number", NULL);

    /* 2026-01-02T00:00:00Z + 59.999 s -> 00:00:59. */
    b = must_build(&cap, "releases/deploy-prod", 5);
    assert_true(b->started_at == cw_t("2026-01-02T00:00:00Z"));
    assert_true(b->finished_at == cw_t("2026-01-02T00:00:59Z"));
    cw_expect_deployment(b, "prod", 1);
    assert_string_equal(b->revision, "5555555555555555555555555555555555555555");

    b = must_build(&cap, "releases/deploy-qa", 2);
    assert_string_equal(b->environment, "qa");
    assert_string_equal(b->result, "unstable");
    assert_true(b->is_deployment);
    assert_false(b->is_production);

    b = must_build(&cap, "releases/build-app", 7);
    assert_false(b->is_deployment);
    assert_null(b->environment);
    cw_capture_free(&cap);
}

static void test_single_build_with_job_key(void **state)
{
    static const char *const keys[] = {"job", "ops/release", "environment", "Production", NULL};
    cw_capture cap;
    const cw_build *b;
    parse_counted(cw_test_data("jenkins/single-build.json"), keys, &cap, 1, 0);
    b = must_build(&cap, "ops/release", 31);
    assert_int_equal(b->origin.record, 1);
    /* No deployment_job: a build with a known environment is a deployment;
     * `production` (default ^prod) compares without case. */
    cw_expect_deployment(b, "Production", 1);
    assert_true(b->finished_at == 1650024050);
    cw_capture_free(&cap);

    /* Without the job key and without fullDisplayName the build cannot be named. */
    parse_counted(cw_test_data("jenkins/single-build.json"), NULL, &cap, 0, 1);
    assert_string_equal(cap.rejects[0].field, "job");
    cw_capture_free(&cap);
}

static void test_builds_array_with_job_name(void **state)
{
    cw_capture cap;
    const cw_build *b;
    assert_int_equal(parse(cw_test_data("jenkins/nightly-builds.json"), NULL, &cap), 0);
    assert_int_equal(cap.n_builds, 2);
    b = must_build(&cap, "nightly", 3);              /* job from `name` */
    assert_string_equal(b->result, "unstable");
    assert_true(b->finished_at == cw_t("2026-01-03T01:00:00Z"));   /* 00:00 + 3600000 ms */
    assert_false(b->is_deployment);
    b = must_build(&cap, "nightly", 2);              /* timestamp given as a string */
    assert_string_equal(b->result, "not_built");
    assert_true(b->started_at == cw_t("2026-01-02T00:00:00Z"));
    cw_capture_free(&cap);
}

/* The reject of a record (the build's 1-based position), which must name
 * field and, unless reason is NULL, give a reason holding it. */
static const cw_reject *must_reject(const cw_capture *cap, long record, const char *field,
                                    const char *reason)
{
    for (size_t i = 0; i < cap->n_rejects; i++) {
        if (cap->rejects[i].origin.record != record)
            continue;
        cw_expect_reject(cap, i, record, field, reason);
        return &cap->rejects[i];
    }
    fail_msg("no reject for record %ld", record);
    return NULL;
}

/* Only `building` true or an explicit `result` null means "still running";
 * a missing, non-string or unknown result is a reject, not a silent skip. */
static void test_results_are_validated(void **state)
{
    static const char *const keys[] = {"job", "j", NULL};
    static const char text[] =
        "[{\"number\":1,\"timestamp\":1000,\"duration\":0},\n"                  /* no result */
        " {\"number\":2,\"result\":7,\"timestamp\":1000,\"duration\":0},\n"
        " {\"number\":3,\"result\":\"PASSED\",\"timestamp\":1000,\"duration\":0},\n"
        " {\"number\":4,\"result\":null,\"timestamp\":1000,\"duration\":0},\n"  /* running */
        " {\"number\":5,\"building\":true,\"timestamp\":1000,\"duration\":0},\n" /* running */
        " {\"number\":6,\"result\":\"NOT_BUILT\",\"timestamp\":1000,\"duration\":0},\n"
        " {\"number\":7,\"result\":\"FAILURE\",\"timestamp\":1000,\"duration\":0},\n"
        " {\"number\":8,\"result\":\"\",\"timestamp\":1000,\"duration\":0}]";
    cw_capture cap;
    const cw_reject *r;
    parse_counted(cw_temp_file(text, ".json"), keys, &cap, 2, 4);
    r = must_reject(&cap, 1, "result", "not a build");
    assert_non_null(strstr(r->raw, "\"number\":1"));
    must_reject(&cap, 2, "result", "7");
    must_reject(&cap, 3, "result", "PASSED");
    must_reject(&cap, 8, "result", NULL);
    assert_string_equal(must_build(&cap, "j", 6)->result, "not_built");
    assert_string_equal(must_build(&cap, "j", 7)->result, "failure");
    cw_capture_free(&cap);
}

/* Epoch ms and durations must lie in [0, 2^53): beyond that the sum would
 * overflow int64 (undefined), and a real 1e300 cannot become an integer. */
static void test_times_out_of_range(void **state)
{
    static const char *const keys[] = {"job", "j", NULL};
    static const char text[] =
        "[{\"number\":1,\"result\":\"SUCCESS\",\"timestamp\":9223372036854775807,\"duration\":5000},\n"
        " {\"number\":2,\"result\":\"SUCCESS\",\"timestamp\":1000,\"duration\":9223372036854775807},\n"
        " {\"number\":3,\"result\":\"SUCCESS\",\"timestamp\":1e300,\"duration\":0},\n"
        " {\"number\":4,\"result\":\"SUCCESS\",\"timestamp\":-1000,\"duration\":0},\n"
        " {\"number\":5,\"result\":\"SUCCESS\",\"timestamp\":1000,\"duration\":-1},\n"
        " {\"number\":6,\"result\":\"SUCCESS\",\"timestamp\":9007199254740992,\"duration\":0},\n"
        /* 2^53 - 1 ms is year 287396: it loaded and never showed in a report;
         * instants must lie in 1970-01-01 .. 2200-01-01 (core/time.h). */
        " {\"number\":7,\"result\":\"SUCCESS\",\"timestamp\":9007199254740991,\"duration\":1500.0},\n"
        " {\"number\":8,\"result\":\"SUCCESS\",\"timestamp\":1000,\"duration\":2.5},\n"
        /* 1500.0 (a whole real) is fine: (1650024049161 + 1500) / 1000 = 1650024050.661 -> 1650024050 */
        " {\"number\":9,\"result\":\"SUCCESS\",\"timestamp\":1650024049161,\"duration\":1500.0},\n"
        /* 2200-01-01T00:00:00Z is 7258118400 s: it may start then, not end a second later */
        " {\"number\":10,\"result\":\"SUCCESS\",\"timestamp\":7258118400000,\"duration\":1000}]";
    /* the field each rejected build (by record) names */
    static const char *const fields[] = {NULL, "started_at", "finished_at", "started_at",
                                         "started_at", "finished_at", "started_at", "started_at",
                                         "finished_at", NULL, "finished_at"};
    cw_capture cap;
    const cw_build *b;
    parse_counted(cw_temp_file(text, ".json"), keys, &cap, 1, 9);
    for (long record = 1; record <= 10; record++)
        if (fields[record])
            must_reject(&cap, record, fields[record], NULL);
    b = must_build(&cap, "j", 9);
    assert_true(b->started_at == 1650024049LL);
    assert_true(b->finished_at == 1650024050LL);
    cw_capture_free(&cap);
}

/* One odd number cost the whole file (a build number of 10^20 is more than
 * jansson holds); a BOM before the page too.  Now each build is judged on
 * its own: a number out of range or negative is rejected naming `number`; a
 * revision that is not a hex object name is dropped with a reject naming
 * `revision` while its build still loads. */
static void test_numbers_and_revisions(void **state)
{
    static const char text[] =
        "\xEF\xBB\xBF{\"fullName\":\"deploy\",\"builds\":[\n"
        " {\"number\":100000000000000000000,\"result\":\"SUCCESS\",\"timestamp\":1650024049161,\"duration\":1},\n"
        " {\"number\":-3,\"result\":\"SUCCESS\",\"timestamp\":1650024049161,\"duration\":1},\n"
        " {\"number\":3,\"result\":\"SUCCESS\",\"timestamp\":1650024049161,\"duration\":1,"
        "\"actions\":[{},{\"_class\":\"hudson.plugins.git.util.BuildData\","
        "\"lastBuiltRevision\":{\"SHA1\":\"$(rm -rf /)\"}}]},\n"
        " {\"number\":4,\"result\":\"SUCCESS\",\"timestamp\":1650024049161,\"duration\":1,"
        "\"actions\":[{\"_class\":\"hudson.plugins.git.util.BuildData\","
        "\"lastBuiltRevision\":{\"SHA1\":\"0f886c74949c3ee7e489188911c7dc0c1d547418\"}}]},\n"
        " {\"number\":1e400,\"result\":\"SUCCESS\",\"timestamp\":1650024049161,\"duration\":1}]}";
    cw_capture cap;
    parse_counted(cw_temp_file(text, ".json"), NULL, &cap, 2, 4);
    must_reject(&cap, 1, "number", "out of range");
    must_reject(&cap, 2, "number", "negative");
    must_reject(&cap, 3, "revision", "hex");
    must_reject(&cap, 5, "number", NULL);
    assert_null(must_build(&cap, "deploy", 3)->revision);
    assert_string_equal(must_build(&cap, "deploy", 4)->revision,
                        "0f886c74949c3ee7e489188911c7dc0c1d547418");
    cw_capture_free(&cap);
}

static void test_unusable_files(void **state)
{
    cw_capture cap;
    /* {"jobs": [...]} is a job list (live discovery): test_live_ops checks it loads nothing. */
    assert_int_equal(parse(cw_temp_file("{\"name\": \"deploy\", \"color\": \"blue\"}", ".json"),
                           NULL, &cap), -1);
    assert_int_equal(cap.n_rejects, 1);
    cw_capture_free(&cap);
    assert_int_equal(parse(cw_temp_file("{\"builds\": [", ".json"), NULL, &cap), -1);
    assert_int_equal(cap.n_rejects, 1);
    assert_int_equal(cap.rejects[0].origin.record, 0);
    cw_capture_free(&cap);
}

/* ------------------------------------------------------------- validate */

/* Run validate with stderr captured into buf. */
static int validate_capturing(const char *const *keys, char *buf, size_t size)
{
    cw_test_source t;
    cw_redirect err;
    char *text;
    int rc;
    make_source(&t, keys);
    cw_redirect_begin(&err, STDERR_FILENO);
    rc = cw_source_jenkins.validate(&t.src);
    text = cw_redirect_end(&err);
    snprintf(buf, size, "%s", text);
    free(text);
    return rc;
}

static void test_validate_regexes(void **state)
{
    static const char *const good[] = {"deployment_job", "^deploy-(?<environment>\\w+)$", NULL};
    static const char *const bad_job[] = {"deployment_job", "deploy-(", NULL};
    static const char *const bad_prod[] = {"production", "[prod", NULL};
    char err[512];
    assert_int_equal(validate_capturing(good, err, sizeof(err)), 0);
    assert_string_equal(err, "");
    /* deployment_job is the first key: line 10 in make_source. */
    assert_int_equal(validate_capturing(bad_job, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "test.ini:10: deployment_job: offset 8: missing closing parenthesis"));
    assert_int_equal(validate_capturing(bad_prod, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "test.ini:10: production: offset 5:"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_devlake_freestyle_builds),
        cmocka_unit_test(test_devlake_row_job_beats_job_key),
        cmocka_unit_test(test_devlake_multibranch_builds),
        cmocka_unit_test(test_devlake_job_fallbacks),
        cmocka_unit_test(test_devlake_stages_and_jobs_are_not_builds),
        cmocka_unit_test(test_devlake_wrapper_with_bom),
        cmocka_unit_test(test_devlake_sink_failure),
        cmocka_unit_test(test_job_with_environment_parameter),
        cmocka_unit_test(test_every_build_data),
        cmocka_unit_test(test_named_capture_and_display_names),
        cmocka_unit_test(test_single_build_with_job_key),
        cmocka_unit_test(test_builds_array_with_job_name),
        cmocka_unit_test(test_results_are_validated),
        cmocka_unit_test(test_times_out_of_range),
        cmocka_unit_test(test_numbers_and_revisions),
        cmocka_unit_test(test_unusable_files),
        cmocka_unit_test(test_validate_regexes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
