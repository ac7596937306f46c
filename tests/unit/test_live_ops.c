/*
 * test_live_ops.c - live extraction of Jenkins, PagerDuty and ServiceNow
 * against the replay server (tests/replay/server.py).
 *
 * The server serves a small demo (`catwalk demo --scale 0.05 --weeks 2`)
 * with each API's real parameters.  A full fetch must land pages whose parse
 * gives the same builds / incidents as parsing the demo's files; incremental
 * fetches must ask for less (requests counted in the server's log); PagerDuty
 * windows and the offset cap split are checked on hand-written incidents.
 */
#include "support.h"
#include "../../extract/fetch.h"
#include "../../extract/source.h"
#include "../../core/config.h"
#include "../../core/json.h"
#include "../../core/time.h"
#include "../../core/util.h"

#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

extern const cw_source_type cw_source_jenkins;
extern const cw_source_type cw_source_pagerduty;
extern const cw_source_type cw_source_servicenow;
extern const cw_source_type cw_source_opsgenie;

#define TOKEN "replay-secret-7f3a"
#define TOKEN_ENV "CW_TEST_LIVE_OPS_TOKEN"
#define MULTIBRANCH "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject"

/* ------------------------------------------------------------ the server */

/* The first value of query parameter name in log entry i, or NULL. */
static const char *log_param(json_t *log, size_t i, const char *name)
{
    return json_string_value(json_array_get(json_object_get(
        json_object_get(json_array_get(log, i), "query"), name), 0));
}

/* ------------------------------------------------------------ fixtures */

typedef struct world {
    char dir[256];              /* the demo */
    cw_replay server;
    cw_replay other;               /* a test's own server, stopped by stop_other */
    int landings;               /* fresh landing folders made so far */
} world;

/* A live source section: type plus NULL-terminated key/value pairs. */
static void source_init(cw_test_source *t, const char *type, const char *base_url,
                        const char *const *pairs)
{
    const char *const common[] = {"base_url", base_url, "token_env", TOKEN_ENV, "user", "ci-bot",
                                  "max_tries", "1", NULL};
    cw_test_source_init(t, 1, type, type, common);
    for (; pairs && *pairs; pairs += 2)
        cw_test_source_set(t, pairs[0], pairs[1]);
}

/*
 * Jobs in folders, next to the demo's top-level jobs: platform/tools is a
 * folder inside a folder (two discovery levels), payments/api a multibranch
 * project whose branch jobs are main and PR-7.  deploy-infra has five
 * builds a day apart (build k starts 2026-11-0k 10:00:00Z, runs 60 s).
 */
static const char infra_job[] =
    "{\"_class\":\"org.jenkinsci.plugins.workflow.job.WorkflowJob\","
    "\"fullName\":\"platform/tools/deploy-infra\",\"name\":\"deploy-infra\",\"allBuilds\":["
    "{\"number\":5,\"timestamp\":1793872800000,\"duration\":60000,\"result\":\"SUCCESS\",\"building\":false},"
    "{\"number\":4,\"timestamp\":1793786400000,\"duration\":60000,\"result\":\"FAILURE\",\"building\":false},"
    "{\"number\":3,\"timestamp\":1793700000000,\"duration\":60000,\"result\":\"SUCCESS\",\"building\":false},"
    "{\"number\":2,\"timestamp\":1793613600000,\"duration\":60000,\"result\":\"SUCCESS\",\"building\":false},"
    "{\"number\":1,\"timestamp\":1793527200000,\"duration\":60000,\"result\":\"SUCCESS\",\"building\":false}]}";

static const char branch_main[] =
    "{\"_class\":\"org.jenkinsci.plugins.workflow.job.WorkflowJob\","
    "\"fullName\":\"payments/api/main\",\"name\":\"main\",\"allBuilds\":["
    "{\"_class\":\"org.jenkinsci.plugins.workflow.job.WorkflowRun\",\"number\":2,"
    "\"timestamp\":1793700000000,\"duration\":1500,\"result\":\"SUCCESS\",\"building\":false,"
    "\"url\":\"https://ci/job/payments/job/api/job/main/2/\",\"actions\":[{},"
    "{\"_class\":\"hudson.plugins.git.util.BuildData\",\"lastBuiltRevision\":{\"SHA1\":"
    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"branch\":[{\"name\":\"main\"}]}}],"
    "\"changeSets\":[{\"_class\":\"hudson.plugins.git.GitChangeSetList\",\"kind\":\"git\","
    "\"items\":[{\"commitId\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"msg\":\"x\"}]}]},"
    "{\"number\":1,\"timestamp\":1793613600000,\"duration\":0,\"result\":null,\"building\":true}]}";

static const char branch_pr[] =
    "{\"_class\":\"org.jenkinsci.plugins.workflow.job.WorkflowJob\","
    "\"fullName\":\"payments/api/PR-7\",\"name\":\"PR-7\",\"allBuilds\":["
    "{\"number\":1,\"timestamp\":1793613600000,\"duration\":2000,\"result\":\"UNSTABLE\","
    "\"building\":false}]}";

static int world_setup(void **state)
{
    world *w = calloc(1, sizeof *w);
    const char *bin = getenv("CW_BIN") ? getenv("CW_BIN") : "./build/catwalk";
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *cmd, *jenkins, *replay_dir;

    snprintf(w->dir, sizeof w->dir, "%s/cw-live-ops-XXXXXX", tmp);
    assert_non_null(mkdtemp(w->dir));
    cmd = cw_asprintf("'%s' demo '%s/demo' --scale 0.05 --weeks 2 --end 2026-11-23 >/dev/null", bin, w->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    strcat(w->dir, "/demo");
    jenkins = cw_asprintf("%s/exports/jenkins", w->dir);
    cw_write_file(jenkins, "zz-deploy-infra.json", infra_job);
    cw_write_file(jenkins, "zz-api-main.json", branch_main);
    cw_write_file(jenkins, "zz-api-pr-7.json", branch_pr);
    replay_dir = cw_asprintf("%s/replay", w->dir);
    assert_int_equal(mkdir(replay_dir, 0700), 0);
    cw_write_file(replay_dir, "jenkins-folders.json", "{\"payments/api\":\"" MULTIBRANCH "\"}");
    free(replay_dir);
    free(jenkins);
    setenv(TOKEN_ENV, TOKEN, 1);
    assert_int_equal(cw_replay_start(&w->server, w->dir, TOKEN, NULL, NULL), 0);
    *state = w;
    return 0;
}

/* Per test: the test's own server is stopped, however the test ended. */
static int stop_other(void **state)
{
    world *w = *state;
    cw_replay_stop(&w->other);
    return 0;
}

static int world_teardown(void **state)
{
    world *w = *state;
    char *cmd;
    cw_replay_stop(&w->server);
    w->dir[strlen(w->dir) - strlen("/demo")] = '\0';
    cmd = cw_asprintf("rm -rf '%s'", w->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", w->dir);
    free(cmd);
    free(w);
    return 0;
}

/* A fresh landing folder under dir; caller frees. */
static char *new_landing(const char *dir, int *count)
{
    char *path = cw_asprintf("%s/landing-%d", dir, ++*count);
    assert_int_equal(mkdir(path, 0700), 0);
    return path;
}

/* Fetch a source into a fresh folder; returns that folder (caller frees). */
static char *fetch_into(world *w, const cw_source_type *type, const cw_source *src, int64_t since,
                        int expect_rc)
{
    cw_fetch f;
    char *dest = new_landing(w->dir, &w->landings);
    assert_int_equal(cw_fetch_init(&f, src, dest, since, 0, type->auth_kind), 0);
    if (type->fetch(&f) != expect_rc)
        fail_msg("fetch returned the unexpected; error: %s", f.error);
    cw_fetch_cleanup(&f);
    return dest;
}

static void parse_landed(const cw_source_type *type, const cw_source *src, const char *dir,
                         cw_capture *cap)
{
    char *pattern = cw_asprintf("%s/*.json", dir);
    cw_parse_glob(type, src, pattern, cap);
    free(pattern);
}

/* Fetch src in full into a fresh landing folder (returned, caller frees),
 * parse what landed into got and the demo's files matching pattern into
 * want; nothing landed may be rejected. */
static char *fetch_both(world *w, const cw_source_type *type, const cw_source *src,
                        const char *pattern, cw_capture *want, cw_capture *got)
{
    char *dest = fetch_into(w, type, src, CW_NO_TIME, 0);
    cw_capture_init(want);
    cw_capture_init(got);
    cw_parse_glob(type, src, pattern, want);
    parse_landed(type, src, dest, got);
    assert_int_equal(got->n_rejects, 0);
    return dest;
}

/* Number of landed files in dir. */
static int landed_files(const char *dir)
{
    char *pattern = cw_asprintf("%s/*.json", dir);
    glob_t g;
    int n = glob(pattern, 0, NULL, &g) == 0 ? (int)g.gl_pathc : 0;
    globfree(&g);
    free(pattern);
    return n;
}

/* Requests logged after `from` whose path starts with prefix. */
static int requests_since(const cw_replay *r, size_t from, const char *prefix)
{
    json_t *log = cw_replay_log(r);
    int n = 0;
    for (size_t i = from; i < json_array_size(log); i++) {
        const char *path = json_string_value(json_object_get(json_array_get(log, i), "path"));
        if (path && strncmp(path, prefix, strlen(prefix)) == 0)
            n++;
    }
    json_decref(log);
    return n;
}

/* ------------------------------------------------------------ key lists */

static int has_key(const cw_source_type *type, const char *key)
{
    for (const char *const *k = type->keys; *k; k++)
        if (strcmp(*k, key) == 0)
            return 1;
    return 0;
}

/* Every live key is accepted by the configuration of each of these types
 * (config.c adds cw_live_keys to the keys of any type that can fetch). */
static void test_types_accept_live_keys(void **state)
{
    static const char *const types[] = {"jenkins", "pagerduty", "servicenow"};
    for (size_t t = 0; t < 3; t++) {
        cw_buf ini = {0};
        cw_config *cfg = NULL;
        const char *path;
        cw_buf_printf(&ini, "[source s]\ntype = %s\n", types[t]);
        for (const char *const *k = cw_live_keys; *k; k++)
            cw_buf_printf(&ini, "%s = %s\n", *k,
                          strcmp(*k, "base_url") == 0 ? "https://example.com" :
                          strcmp(*k, "auth") == 0 ? "basic" :
                          strcmp(*k, "ca_file") == 0 || strcmp(*k, "token_file") == 0 ? "x" :
                          strcmp(*k, "token_env") == 0 || strcmp(*k, "user") == 0 ? "U" : "5");
        if (strcmp(types[t], "pagerduty") == 0)
            cw_buf_puts(&ini, "start = 2026-01-01\n");
        path = cw_temp_file(ini.data, ".ini");
        if (cw_config_load(path, cw_source_check, &cfg) != 0)
            fail_msg("%s rejects a live key", types[t]);
        cw_config_free(cfg);
        unlink(path);
        cw_buf_free(&ini);
        assert_non_null(cw_source_type_find(types[t])->fetch);
    }
    assert_true(has_key(&cw_source_jenkins, "jobs"));
    assert_true(has_key(&cw_source_pagerduty, "start"));
    assert_true(has_key(&cw_source_pagerduty, "window_months"));
    assert_true(has_key(&cw_source_pagerduty, "reopen_days"));
    assert_true(has_key(&cw_source_pagerduty, "service_ids"));
    assert_true(has_key(&cw_source_servicenow, "table"));
    assert_true(has_key(&cw_source_servicenow, "query"));
    assert_int_equal(cw_source_jenkins.auth_kind, CW_AUTH_BASIC);
    assert_int_equal(cw_source_pagerduty.auth_kind, CW_AUTH_PAGERDUTY);
    assert_int_equal(cw_source_servicenow.auth_kind, CW_AUTH_BASIC);
}

/* ------------------------------------------------------------ Jenkins */

/* A discovery page is a job list: nothing to load, and not a reject. */
static void test_jenkins_parse_ignores_job_list(void **state)
{
    cw_test_source t;
    cw_capture cap;
    const char *path = cw_temp_file(
        "{\"_class\":\"hudson.model.Hudson\",\"jobs\":[{\"_class\":"
        "\"com.cloudbees.hudson.plugins.folder.Folder\",\"name\":\"a\",\"jobs\":[]}]}", ".json");
    source_init(&t, "jenkins", "http://unused", NULL);
    cw_capture_init(&cap);
    assert_int_equal(cw_source_jenkins.parse(&t.src, path, &cap.sink), 0);
    assert_int_equal(cap.n_builds, 0);
    assert_int_equal(cap.n_rejects, 0);
    cw_capture_free(&cap);
    unlink(path);
}

/* Builds in a job file (running ones included): what the range pages hold. */
static long builds_in_file(const char *path)
{
    json_t *job = cw_json_load_file(path, NULL, 0);
    json_t *builds = json_object_get(job, "allBuilds");
    long n = (long)json_array_size(builds ? builds : json_object_get(job, "builds"));
    json_decref(job);
    return n;
}

static void assert_same_builds(const cw_capture *want, const cw_capture *got)
{
    assert_int_equal(got->n_builds, want->n_builds);
    for (size_t i = 0; i < want->n_builds; i++) {
        const cw_build *a = &want->builds[i];
        const cw_build *b = cw_capture_build(got, a->job, a->number);
        if (!b)
            fail_msg("build %s #%ld not fetched", a->job, a->number);
        assert_string_equal(b->result, a->result);
        assert_int_equal(b->started_at, a->started_at);
        assert_int_equal(b->finished_at, a->finished_at);
        cw_expect_same_string(b->revision, a->revision);
        cw_expect_same_string(b->environment, a->environment);
        assert_int_equal(b->is_deployment, a->is_deployment);
        assert_int_equal(b->is_production, a->is_production);
    }
}

static void test_jenkins_full_fetch_matches_files(void **state)
{
    world *w = *state;
    static const char *const keys[] = {"page_size", "2", "deployment_job", "^deploy-",
                                       "environment_parameter", "ENVIRONMENT", NULL};
    cw_test_source t;
    cw_capture want, got;
    char *pattern = cw_asprintf("%s/exports/jenkins/*.json", w->dir), *dest;
    size_t from = cw_replay_log_size(&w->server);
    long expected = 3;          /* discovery: root, platform/tools, payments/api */
    glob_t g;

    source_init(&t, "jenkins", w->server.base_url, keys);
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    /* Pages of 2 builds until a short one: n / 2 + 1 requests per job. */
    for (size_t i = 0; i < g.gl_pathc; i++)
        expected += builds_in_file(g.gl_pathv[i]) / 2 + 1;
    assert_int_equal(g.gl_pathc, 35 + 3);
    globfree(&g);

    dest = fetch_both(w, &cw_source_jenkins, &t.src, pattern, &want, &got);
    assert_true(want.n_builds > 100);
    assert_same_builds(&want, &got);
    /* The multibranch branches were found, the running build skipped. */
    assert_non_null(cw_capture_build(&got, "payments/api/PR-7", 1));
    assert_non_null(cw_capture_build(&got, "payments/api/main", 2));
    assert_null(cw_capture_build(&got, "payments/api/main", 1));
    assert_string_equal(cw_capture_build(&got, "payments/api/main", 2)->revision,
                        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_int_equal(requests_since(&w->server, from, "/"), expected);
    assert_int_equal(landed_files(dest), expected);
    cw_capture_free(&want);
    cw_capture_free(&got);
    free(dest);
    free(pattern);
}

/*
 * deploy-infra listed by the `jobs` key, pages of 2.  Full: {0,2} {2,4}
 * {4,6} (short) = 3 requests.  Watermark 2026-11-04 10:00:30Z: build 4
 * (10:00:00-10:01:00 that day) finished after it, build 2 long before, so
 * page {0,2} (5, 4) goes on and page {2,4} (3, 2) is the last: 2 requests.
 */
static void test_jenkins_incremental_reads_newest_ranges(void **state)
{
    world *w = *state;
    static const char *const keys[] = {"page_size", "2", "jobs", "platform/tools/deploy-infra", NULL};
    cw_test_source t;
    cw_capture got;
    size_t from;
    char *full, *delta;
    json_t *log;

    source_init(&t, "jenkins", w->server.base_url, keys);
    from = cw_replay_log_size(&w->server);
    full = fetch_into(w, &cw_source_jenkins, &t.src, CW_NO_TIME, 0);
    assert_int_equal(requests_since(&w->server, from, "/job/platform/job/tools/job/deploy-infra/"), 3);
    assert_int_equal(requests_since(&w->server, from, "/"), 3);

    from = cw_replay_log_size(&w->server);
    delta = fetch_into(w, &cw_source_jenkins, &t.src, cw_t("2026-11-04T10:00:30Z"), 0);
    assert_int_equal(requests_since(&w->server, from, "/"), 2);
    log = cw_replay_log(&w->server);
    assert_non_null(strstr(log_param(log, from, "tree"), "{0,2}"));
    assert_non_null(strstr(log_param(log, from + 1, "tree"), "{2,4}"));
    json_decref(log);
    cw_capture_init(&got);
    parse_landed(&cw_source_jenkins, &t.src, delta, &got);
    assert_int_equal(got.n_builds, 4);
    assert_int_equal(cw_capture_build(&got, "platform/tools/deploy-infra", 4)->finished_at,
                     cw_t("2026-11-04T10:01:00Z"));
    assert_string_equal(cw_capture_build(&got, "platform/tools/deploy-infra", 4)->result, "failure");
    assert_null(cw_capture_build(&got, "platform/tools/deploy-infra", 1));
    cw_capture_free(&got);
    free(full);
    free(delta);
}

/* ------------------------------------------------------------ PagerDuty */

static void assert_same_incident(const cw_incident *a, const cw_incident *b)
{
    assert_string_equal(b->id, a->id);
    cw_expect_same_string(b->number, a->number);
    assert_string_equal(b->status, a->status);
    cw_expect_same_string(b->service, a->service);
    cw_expect_same_string(b->severity, a->severity);
    assert_string_equal(b->title, a->title);
    assert_int_equal(b->created_at, a->created_at);
    assert_int_equal(b->resolved_at, a->resolved_at);
    assert_int_equal(b->updated_at, a->updated_at);
    assert_int_equal(b->version, a->version);
}

/* Incidents of the demo file created in [from, to). */
static long pd_incidents_between(const world *w, int64_t from, int64_t to)
{
    char *path = cw_asprintf("%s/exports/pagerduty/incidents-page1.json", w->dir);
    json_t *page = cw_json_load_file(path, NULL, 0), *inc;
    long n = 0;
    size_t i;
    assert_non_null(page);
    json_array_foreach(json_object_get(page, "incidents"), i, inc) {
        int64_t t;
        assert_int_equal(cw_time_parse_iso8601(cw_json_str(inc, "created_at"), &cw_tz_utc, &t), 0);
        n += t >= from && t < to;
    }
    json_decref(page);
    free(path);
    return n;
}

/* Requests for n incidents at limit 2: the first page always, then one per 2 more. */
static long pages_of_two(long n)
{
    return n <= 2 ? 1 : (n + 1) / 2;
}

static void test_pagerduty_full_fetch_matches_files(void **state)
{
    world *w = *state;
    static const char *const keys[] = {"page_size", "2", "start", "2026-01-01",
                                       "until", "2026-11-24", NULL};
    int64_t jan = cw_t("2026-01-01T00:00:00Z"), jul = cw_t("2026-07-01T00:00:00Z"),
            end = cw_t("2026-11-24T00:00:00Z");
    cw_test_source t;
    cw_capture want, got;
    char *pattern = cw_asprintf("%s/exports/pagerduty/*.json", w->dir), *dest;
    size_t from = cw_replay_log_size(&w->server);
    json_t *log;

    source_init(&t, "pagerduty", w->server.base_url, keys);
    dest = fetch_both(w, &cw_source_pagerduty, &t.src, pattern, &want, &got);
    assert_true(want.n_incidents >= 3);
    assert_int_equal(got.n_incidents, want.n_incidents);
    for (size_t i = 0; i < want.n_incidents; i++) {
        const cw_incident *b = cw_capture_incident(&got, want.incidents[i].id);
        assert_non_null(b);
        assert_same_incident(&want.incidents[i], b);
    }
    /* Two 6-month windows: Jan-Jul and Jul-Nov 24; each page holds 2. */
    assert_int_equal(requests_since(&w->server, from, "/incidents"),
                     pages_of_two(pd_incidents_between(w, jan, jul)) +
                     pages_of_two(pd_incidents_between(w, jul, end)));
    log = cw_replay_log(&w->server);
    assert_string_equal(log_param(log, from, "since"), "2026-01-01T00:00:00Z");
    assert_string_equal(log_param(log, from, "until"), "2026-07-01T00:00:00Z");
    assert_string_equal(log_param(log, from, "total"), "true");
    assert_string_equal(log_param(log, from, "time_zone"), "UTC");
    assert_string_equal(log_param(log, from + 1, "since"), "2026-07-01T00:00:00Z");
    assert_string_equal(log_param(log, from + 1, "until"), "2026-11-24T00:00:00Z");
    for (size_t i = from; i < json_array_size(log); i++)
        assert_int_equal(json_integer_value(json_object_get(json_array_get(log, i), "status")), 200);
    json_decref(log);
    cw_capture_free(&want);
    cw_capture_free(&got);
    free(dest);
    free(pattern);
}

/* Aug 31 + 6 months is Feb 28 (the day is clamped), then the window ends at `until`. */
static void test_pagerduty_windows_follow_calendar_months(void **state)
{
    world *w = *state;
    static const char *const keys[] = {"start", "2026-08-31", "until", "2027-03-15",
                                       "service_ids", "PBPHI4B, PXXXXXX", NULL};
    cw_test_source t;
    size_t from = cw_replay_log_size(&w->server);
    json_t *log, *services;
    char *dest;

    source_init(&t, "pagerduty", w->server.base_url, keys);
    dest = fetch_into(w, &cw_source_pagerduty, &t.src, CW_NO_TIME, 0);
    log = cw_replay_log(&w->server);
    assert_int_equal(json_array_size(log) - from, 2);
    assert_string_equal(log_param(log, from, "since"), "2026-08-31T00:00:00Z");
    assert_string_equal(log_param(log, from, "until"), "2027-02-28T00:00:00Z");
    assert_string_equal(log_param(log, from + 1, "since"), "2027-02-28T00:00:00Z");
    assert_string_equal(log_param(log, from + 1, "until"), "2027-03-15T00:00:00Z");
    services = json_object_get(json_object_get(json_array_get(log, from), "query"), "service_ids[]");
    assert_int_equal(json_array_size(services), 2);
    assert_string_equal(json_string_value(json_array_get(services, 1)), "PXXXXXX");
    json_decref(log);
    free(dest);
}

/* since = min(watermark, now - reopen_days): PagerDuty filters on created_at. */
static void test_pagerduty_incremental_rereads_reopen_days(void **state)
{
    world *w = *state;
    static const char *const keys[] = {"reopen_days", "30", NULL};
    cw_test_source t;
    int64_t before, after, since;
    size_t from = cw_replay_log_size(&w->server);
    json_t *log;
    char *a, *b;

    source_init(&t, "pagerduty", w->server.base_url, keys);
    before = (int64_t)time(NULL);
    a = fetch_into(w, &cw_source_pagerduty, &t.src, before - 2 * 86400, 0);
    after = (int64_t)time(NULL);
    b = fetch_into(w, &cw_source_pagerduty, &t.src, cw_t("2026-01-05T06:00:00Z"), 0);
    log = cw_replay_log(&w->server);
    /* A recent watermark: the last 30 days are read again. */
    assert_int_equal(cw_time_parse_iso8601(log_param(log, from, "since"), &cw_tz_utc, &since), 0);
    assert_true(since >= before - 30 * 86400 && since <= after - 30 * 86400);
    /* An old watermark wins over the 30 days. */
    assert_string_equal(log_param(log, from + 1, "since"), "2026-01-05T06:00:00Z");
    json_decref(log);
    free(a);
    free(b);
}

static void test_pagerduty_full_needs_start(void **state)
{
    world *w = *state;
    cw_test_source t;
    cw_fetch f;
    char *dest = new_landing(w->dir, &w->landings);
    source_init(&t, "pagerduty", w->server.base_url, NULL);
    assert_int_equal(cw_fetch_init(&f, &t.src, dest, CW_NO_TIME, 0, CW_AUTH_PAGERDUTY), 0);
    assert_int_equal(cw_source_pagerduty.fetch(&f), -1);
    assert_non_null(strstr(f.error, "start"));
    cw_fetch_cleanup(&f);
    assert_int_equal(landed_files(dest), 0);
    free(dest);
}

/*
 * Offset cap 2 (route and key), limit 1, five incidents on Jan 2, 5, 10, 20
 * and 25 2026.  [Jan 1, Feb 1) totals 5 > 2: one request, then halves at
 * Jan 16 12:00.  [Jan 1, Jan 16 12:00) totals 3: one request, halves at
 * Jan 8 18:00.  [Jan 1, Jan 8 18:00): Jan 2, 5 = 2 requests (offsets 0, 1);
 * [Jan 8 18:00, Jan 16 12:00): Jan 10 = 1; [Jan 16 12:00, Feb 1): Jan 20,
 * 25 = 2.  Seven requests, every incident landed, none refused.
 */
static const char cap_incidents[] =
    "{\"incidents\":["
    "{\"id\":\"P1\",\"incident_number\":1,\"title\":\"a\",\"status\":\"resolved\","
    "\"created_at\":\"2026-01-02T08:00:00Z\",\"resolved_at\":\"2026-01-02T09:00:00Z\"},"
    "{\"id\":\"P2\",\"incident_number\":2,\"title\":\"b\",\"status\":\"resolved\","
    "\"created_at\":\"2026-01-05T08:00:00Z\",\"resolved_at\":\"2026-01-05T09:00:00Z\"},"
    "{\"id\":\"P3\",\"incident_number\":3,\"title\":\"c\",\"status\":\"triggered\","
    "\"created_at\":\"2026-01-10T08:00:00Z\"},"
    "{\"id\":\"P4\",\"incident_number\":4,\"title\":\"d\",\"status\":\"resolved\","
    "\"created_at\":\"2026-01-20T08:00:00Z\",\"resolved_at\":\"2026-01-21T09:00:00Z\"},"
    "{\"id\":\"P5\",\"incident_number\":5,\"title\":\"e\",\"status\":\"acknowledged\","
    "\"created_at\":\"2026-01-25T08:00:00Z\"}],\"limit\":25,\"offset\":0,\"more\":false}";

static void test_pagerduty_window_split_at_offset_cap(void **state)
{
    world *w = *state;
    static const char *const keys[] = {"page_size", "1", "max_offset", "2", "start", "2026-01-01",
                                       "until", "2026-02-01", NULL};
    char *data = cw_asprintf("%s/../cap", w->dir), *pd = cw_asprintf("%s/exports/pagerduty", data);
    char *cmd = cw_asprintf("mkdir -p '%s'", pd), *dest;
    static const char *const expect[][2] = {
        {"2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"},
        {"2026-01-01T00:00:00Z", "2026-01-16T12:00:00Z"},
        {"2026-01-01T00:00:00Z", "2026-01-08T18:00:00Z"},
        {"2026-01-01T00:00:00Z", "2026-01-08T18:00:00Z"},
        {"2026-01-08T18:00:00Z", "2026-01-16T12:00:00Z"},
        {"2026-01-16T12:00:00Z", "2026-02-01T00:00:00Z"},
        {"2026-01-16T12:00:00Z", "2026-02-01T00:00:00Z"},
    };
    static const char *const offsets[] = {"0", "0", "0", "1", "0", "0", "1"};
    cw_replay *server = &w->other;
    cw_test_source t;
    cw_capture got;
    json_t *log;

    assert_int_equal(system(cmd), 0);
    cw_write_file(pd, "incidents.json", cap_incidents);
    assert_int_equal(cw_replay_start(server, data, TOKEN, NULL,
                                     (const char *const[]){"CW_REPLAY_PD_MAX_OFFSET=2", NULL}), 0);
    source_init(&t, "pagerduty", server->base_url, keys);
    dest = fetch_into(w, &cw_source_pagerduty, &t.src, CW_NO_TIME, 0);
    log = cw_replay_log(server);
    assert_int_equal(json_array_size(log), 7);
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(log_param(log, i, "since"), expect[i][0]);
        assert_string_equal(log_param(log, i, "until"), expect[i][1]);
        assert_string_equal(log_param(log, i, "offset"), offsets[i]);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(log, i), "status")), 200);
    }
    json_decref(log);
    cw_replay_stop(server);
    cw_capture_init(&got);
    parse_landed(&cw_source_pagerduty, &t.src, dest, &got);
    assert_int_equal(got.n_rejects, 0);
    /* P1 came again on the first page of each window that was split. */
    assert_int_equal(got.n_incidents, 7);
    assert_int_equal(cw_capture_incident(&got, "P4")->resolved_at, cw_t("2026-01-21T09:00:00Z"));
    assert_non_null(cw_capture_incident(&got, "P3"));
    assert_non_null(cw_capture_incident(&got, "P5"));
    cw_capture_free(&got);
    free(dest);
    free(cmd);
    free(pd);
    free(data);
}

/* ------------------------------------------------------------- Opsgenie */

/* Five incidents, listed out of creation order; O5 on another service. */
static const char og_incidents[] =
    "{\"data\":["
    "{\"id\":\"O3\",\"tinyId\":\"3\",\"message\":\"c\",\"status\":\"open\",\"priority\":\"P3\","
    "\"impactedServices\":[\"svc\"],\"createdAt\":\"2026-11-03T10:00:00.1Z\"},"
    "{\"id\":\"O1\",\"tinyId\":\"1\",\"message\":\"a\",\"status\":\"resolved\",\"priority\":\"P1\","
    "\"impactedServices\":[\"svc\"],\"createdAt\":\"2026-11-01T10:00:00.12Z\","
    "\"updatedAt\":\"2026-11-01T11:00:00Z\",\"impactEndDate\":\"2026-11-01T10:30:00.123Z\"},"
    "{\"id\":\"O2\",\"tinyId\":\"2\",\"message\":\"b\",\"status\":\"closed\",\"priority\":\"P2\","
    "\"impactedServices\":[\"svc\"],\"createdAt\":\"2026-11-02T10:00:00Z\","
    "\"updatedAt\":\"2026-11-02T12:00:00Z\"},"
    "{\"id\":\"O5\",\"tinyId\":\"5\",\"message\":\"e\",\"status\":\"open\",\"priority\":\"P5\","
    "\"impactedServices\":[\"other\"],\"createdAt\":\"2026-11-05T10:00:00Z\"},"
    "{\"id\":\"O4\",\"tinyId\":\"4\",\"message\":\"d\",\"status\":\"open\",\"priority\":\"P4\","
    "\"impactedServices\":[\"svc\"],\"createdAt\":\"2026-11-04T10:00:00Z\"}"
    "],\"paging\":{\"first\":\"x\"},\"took\":0.1,\"requestId\":\"r\"}";

/* Pages of 2 in creation order, offset 0, 2, 4: the third holds one
 * incident, a short page, so it is the last (the body has no total); the
 * GenieKey header carried the token (the replay refuses a request without). */
static void test_opsgenie_full_fetch_matches_files(void **state)
{
    world *w = *state;
    static const char *const keys[] = {"page_size", "2", NULL};
    static const char *const narrowed[] = {"page_size", "2", "query", "impactedServices:svc",
                                           NULL};
    cw_test_source t;
    cw_capture want, got;
    char *folder = cw_asprintf("%s/exports/opsgenie", w->dir);
    char *pattern = cw_asprintf("%s/*.json", folder), *dest;
    size_t from;
    json_t *log;

    assert_int_equal(mkdir(folder, 0700), 0);
    cw_write_file(folder, "incidents.json", og_incidents);
    source_init(&t, "opsgenie", w->server.base_url, keys);
    from = cw_replay_log_size(&w->server);
    dest = fetch_both(w, &cw_source_opsgenie, &t.src, pattern, &want, &got);
    assert_int_equal(want.n_incidents, 5);
    assert_int_equal(got.n_incidents, 5);
    for (size_t i = 0; i < want.n_incidents; i++) {
        const cw_incident *b = cw_capture_incident(&got, want.incidents[i].id);
        assert_non_null(b);
        assert_same_incident(&want.incidents[i], b);
    }
    assert_string_equal(got.incidents[0].id, "O1");             /* creation order */
    assert_string_equal(got.incidents[4].id, "O5");
    assert_int_equal(got.incidents[0].resolved_at, cw_t("2026-11-01T10:30:00Z"));
    assert_int_equal(requests_since(&w->server, from, "/v1/incidents"), 3);
    log = cw_replay_log(&w->server);
    assert_string_equal(log_param(log, from, "offset"), "0");
    assert_string_equal(log_param(log, from + 1, "offset"), "2");
    assert_string_equal(log_param(log, from + 2, "offset"), "4");
    assert_string_equal(log_param(log, from, "limit"), "2");
    assert_string_equal(log_param(log, from, "sort"), "createdAt");
    assert_string_equal(log_param(log, from, "order"), "asc");
    json_decref(log);
    cw_capture_free(&want);
    cw_capture_free(&got);
    free(dest);

    /* query narrows to the 4 incidents of svc: pages of 2, 2, then an empty one */
    source_init(&t, "opsgenie", w->server.base_url, narrowed);
    from = cw_replay_log_size(&w->server);
    dest = fetch_into(w, &cw_source_opsgenie, &t.src, CW_NO_TIME, 0);
    cw_capture_init(&got);
    parse_landed(&cw_source_opsgenie, &t.src, dest, &got);
    assert_int_equal(got.n_incidents, 4);
    assert_null(cw_capture_incident(&got, "O5"));
    assert_int_equal(requests_since(&w->server, from, "/v1/incidents"), 3);
    log = cw_replay_log(&w->server);
    assert_string_equal(log_param(log, from, "query"), "impactedServices:svc");
    json_decref(log);
    cw_capture_free(&got);
    free(dest);
    free(pattern);
    free(folder);
}

/* ------------------------------------------------------------ ServiceNow */

/* The row of each number with the highest sys_mod_count, as the loader keeps it. */
static const cw_incident *latest_row(const cw_capture *cap, const char *id)
{
    const cw_incident *best = NULL;
    for (size_t i = 0; i < cap->n_incidents; i++)
        if (strcmp(cap->incidents[i].id, id) == 0 &&
            (!best || cap->incidents[i].version > best->version))
            best = &cap->incidents[i];
    return best;
}

static size_t distinct_numbers(const cw_capture *cap)
{
    size_t n = 0;
    for (size_t i = 0; i < cap->n_incidents; i++)
        n += latest_row(cap, cap->incidents[i].id) == &cap->incidents[i];
    return n;
}

static void csv_source(cw_test_source *t, const char *base_url)
{
    static const char *const keys[] = {"timezone", "Europe/London",
                                       "date_format", "yyyy-MM-dd HH:mm:ss", NULL};
    source_init(t, "servicenow", base_url, keys);
}

static void test_servicenow_full_fetch_matches_csv(void **state)
{
    world *w = *state;
    static const char *const keys[] = {"page_size", "2", NULL};
    cw_test_source live, file;
    cw_capture want, got;
    char *csv = cw_asprintf("%s/exports/servicenow/incident.csv", w->dir), *dest;
    size_t from = cw_replay_log_size(&w->server), n;
    json_t *log;

    source_init(&live, "servicenow", w->server.base_url, keys);
    csv_source(&file, w->server.base_url);
    cw_capture_init(&want);
    cw_capture_init(&got);
    cw_parse_glob(&cw_source_servicenow, &file.src, csv, &want);
    dest = fetch_into(w, &cw_source_servicenow, &live.src, CW_NO_TIME, 0);
    parse_landed(&cw_source_servicenow, &live.src, dest, &got);
    n = distinct_numbers(&want);
    assert_true(n >= 3);
    assert_int_equal(got.n_rejects, 0);
    assert_int_equal(got.n_incidents, n);
    for (size_t i = 0; i < got.n_incidents; i++) {
        const cw_incident *a = latest_row(&want, got.incidents[i].id);
        assert_non_null(a);
        assert_same_incident(a, &got.incidents[i]);
    }
    /* Pages of 2, following Link rel="next" to the last one: ceil(n / 2) requests
     * (the demo has 4 incidents: two full pages; 3 would be 2 and a short page) */
    assert_int_equal(requests_since(&w->server, from, "/api/now/table/incident"), ((long)n + 1) / 2);
    log = cw_replay_log(&w->server);
    assert_string_equal(log_param(log, from, "sysparm_query"), "ORDERBYsys_created_on^ORDERBYsys_id");
    assert_string_equal(log_param(log, from, "sysparm_limit"), "2");
    assert_string_equal(log_param(log, from, "sysparm_offset"), "0");
    assert_string_equal(log_param(log, from + 1, "sysparm_offset"), "2");
    json_decref(log);
    cw_capture_free(&want);
    cw_capture_free(&got);
    free(dest);
    free(csv);
}

/* INC0010001's latest row (the demo's incident.csv, sys_mod_count 5): opened
 * 2026-10-01 20:17:50 London (BST, UTC+1) is 19:17:50Z; Closed; business
 * service Broker Commission; priority 4 - Low. */
static void test_servicenow_times_are_utc(void **state)
{
    world *w = *state;
    cw_test_source live;
    cw_capture got;
    char *dest;
    const cw_incident *inc;

    source_init(&live, "servicenow", w->server.base_url, NULL);
    dest = fetch_into(w, &cw_source_servicenow, &live.src, CW_NO_TIME, 0);
    cw_capture_init(&got);
    parse_landed(&cw_source_servicenow, &live.src, dest, &got);
    inc = cw_capture_incident(&got, "INC0010001");
    assert_non_null(inc);
    assert_int_equal(inc->created_at, cw_t("2026-10-01T19:17:50Z"));
    assert_string_equal(inc->status, "closed");
    assert_string_equal(inc->service, "Broker Commission");
    assert_string_equal(inc->severity, "4 - Low");
    cw_capture_free(&got);
    free(dest);
}

/* Watermark = the newest update: only incidents updated since come back, in one page. */
static void test_servicenow_incremental_fetches_delta(void **state)
{
    world *w = *state;
    static const char *const keys[] = {"page_size", "2", "query", "active=false", NULL};
    cw_test_source live, file;
    cw_capture want, got;
    char *csv = cw_asprintf("%s/exports/servicenow/incident.csv", w->dir), *dest;
    int64_t newest = CW_NO_TIME;
    size_t from = cw_replay_log_size(&w->server), changed = 0;
    char iso[32], expect[128];
    json_t *log;

    source_init(&live, "servicenow", w->server.base_url, keys);
    csv_source(&file, w->server.base_url);
    cw_capture_init(&want);
    cw_parse_glob(&cw_source_servicenow, &file.src, csv, &want);
    for (size_t i = 0; i < want.n_incidents; i++)
        if (want.incidents[i].updated_at > newest)
            newest = want.incidents[i].updated_at;
    for (size_t i = 0; i < want.n_incidents; i++)
        changed += latest_row(&want, want.incidents[i].id) == &want.incidents[i] &&
                   want.incidents[i].updated_at >= newest;
    dest = fetch_into(w, &cw_source_servicenow, &live.src, newest, 0);
    cw_capture_init(&got);
    parse_landed(&cw_source_servicenow, &live.src, dest, &got);
    assert_int_equal(changed, 1);
    assert_int_equal(got.n_incidents, 1);
    assert_int_equal(got.incidents[0].updated_at, newest);
    assert_int_equal(requests_since(&w->server, from, "/api/now/table/incident"), 1);
    cw_time_format_iso(newest, iso, sizeof iso);
    snprintf(expect, sizeof expect, "sys_updated_on>=%.10s %.8s^active=false^"
             "ORDERBYsys_created_on^ORDERBYsys_id", iso, iso + 11);
    log = cw_replay_log(&w->server);
    assert_string_equal(log_param(log, from, "sysparm_query"), expect);
    json_decref(log);
    cw_capture_free(&want);
    cw_capture_free(&got);
    free(dest);
    free(csv);
}

/*
 * ServiceNow applies ACLs after sysparm_limit has cut the page (KB0718678,
 * KB3047115): with INC2-INC4 hidden and pages of 2, offset 0 gives 1 row
 * (INC1), offset 2 gives none, offset 4 and 6 give two each, and every page
 * but the last has a Link rel="next".  All 5 readable incidents must come,
 * in 4 requests; the short and the empty page end nothing.
 */
static const char acl_csv[] =
    "number,incident_state,sys_mod_count,opened_at,sys_created_at,sys_updated_at\n"
    "INC1,New,0,2026-01-01 10:00:00,2026-01-01 10:00:00,2026-01-01 10:00:00\n"
    "INC2,New,0,2026-01-02 10:00:00,2026-01-02 10:00:00,2026-01-02 10:00:00\n"
    "INC3,New,0,2026-01-03 10:00:00,2026-01-03 10:00:00,2026-01-03 10:00:00\n"
    "INC4,New,0,2026-01-04 10:00:00,2026-01-04 10:00:00,2026-01-04 10:00:00\n"
    "INC5,New,0,2026-01-05 10:00:00,2026-01-05 10:00:00,2026-01-05 10:00:00\n"
    "INC6,New,0,2026-01-06 10:00:00,2026-01-06 10:00:00,2026-01-06 10:00:00\n"
    "INC7,New,0,2026-01-07 10:00:00,2026-01-07 10:00:00,2026-01-07 10:00:00\n"
    "INC8,New,0,2026-01-08 10:00:00,2026-01-08 10:00:00,2026-01-08 10:00:00\n";

static void servicenow_acl_fetch(world *w, const char *const *env)
{
    static const char *const keys[] = {"page_size", "2", NULL};
    static const char *const readable[] = {"INC1", "INC5", "INC6", "INC7", "INC8"};
    static const char *const offsets[] = {"0", "2", "4", "6"};
    char *data = cw_asprintf("%s/../acl", w->dir), *sn = cw_asprintf("%s/exports/servicenow", data);
    char *cmd = cw_asprintf("mkdir -p '%s'", sn), *dest;
    cw_replay *server = &w->other;
    cw_test_source t;
    cw_capture got;
    json_t *log;

    assert_int_equal(system(cmd), 0);
    cw_write_file(sn, "incident.csv", acl_csv);
    assert_int_equal(cw_replay_start(server, data, TOKEN, NULL, env), 0);
    source_init(&t, "servicenow", server->base_url, keys);
    dest = fetch_into(w, &cw_source_servicenow, &t.src, CW_NO_TIME, 0);
    log = cw_replay_log(server);
    assert_int_equal(json_array_size(log), 4);
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(log_param(log, i, "sysparm_offset"), offsets[i]);
    json_decref(log);
    cw_replay_stop(server);
    cw_capture_init(&got);
    parse_landed(&cw_source_servicenow, &t.src, dest, &got);
    assert_int_equal(got.n_rejects, 0);
    assert_int_equal(got.n_incidents, 5);
    for (size_t i = 0; i < 5; i++)
        assert_non_null(cw_capture_incident(&got, readable[i]));
    assert_null(cw_capture_incident(&got, "INC3"));
    cw_capture_free(&got);
    free(dest);
    free(cmd);
    free(sn);
    free(data);
}

static void test_servicenow_pages_past_acl_short_pages(void **state)
{
    servicenow_acl_fetch(*state, (const char *const[]){"CW_REPLAY_SN_HIDDEN=INC2,INC3,INC4", NULL});
}

/* The same without a Link header: X-Total-Count (8) decides, not the rows. */
static void test_servicenow_pages_by_total_without_link(void **state)
{
    servicenow_acl_fetch(*state, (const char *const[]){"CW_REPLAY_SN_HIDDEN=INC2,INC3,INC4",
                                                       "CW_REPLAY_SN_NO_LINK=1", NULL});
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_types_accept_live_keys),
        cmocka_unit_test(test_jenkins_parse_ignores_job_list),
        cmocka_unit_test(test_jenkins_full_fetch_matches_files),
        cmocka_unit_test(test_jenkins_incremental_reads_newest_ranges),
        cmocka_unit_test(test_pagerduty_full_fetch_matches_files),
        cmocka_unit_test(test_opsgenie_full_fetch_matches_files),
        cmocka_unit_test(test_pagerduty_windows_follow_calendar_months),
        cmocka_unit_test(test_pagerduty_incremental_rereads_reopen_days),
        cmocka_unit_test(test_pagerduty_full_needs_start),
        cmocka_unit_test_teardown(test_pagerduty_window_split_at_offset_cap, stop_other),
        cmocka_unit_test(test_servicenow_full_fetch_matches_csv),
        cmocka_unit_test(test_servicenow_times_are_utc),
        cmocka_unit_test(test_servicenow_incremental_fetches_delta),
        cmocka_unit_test_teardown(test_servicenow_pages_past_acl_short_pages, stop_other),
        cmocka_unit_test_teardown(test_servicenow_pages_by_total_without_link, stop_other),
    };
    return cmocka_run_group_tests(tests, world_setup, world_teardown);
}
