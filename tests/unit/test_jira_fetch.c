/*
 * test_jira_fetch.c - live Jira extraction (jira_fetch in extract/jira.c)
 * against the replay server (tests/replay/server.py + routes_jira.py).
 *
 * The server re-serves the hand-written pages of tests/data/jira-replay/
 * (PAY-1..3, OPS-1..2, HR-1) and a small generated demo through Cloud's
 * /rest/api/3/search/jql and Data Center's /rest/api/2/search, capping each
 * search changelog at 3 histories as real Jira caps it.  Every test fetches
 * into a fresh landing folder, then parses the landed pages with the same
 * parser that reads dropped files and compares with parsing the originals.
 *
 * Request counts are worked out by hand from the data, ordered by updated:
 *   PAY-1 2026-01-10 12:00Z  5 histories (cut to 3 by the search)
 *   OPS-1 2026-01-15 00:00Z  2 histories
 *   PAY-2 2026-01-20 07:30Z  1 history
 *   PAY-3 2026-02-01 10:00Z  none
 *   OPS-2 2026-02-03 14:15Z  4 histories (cut to 3)
 * With page_size 2 a full fetch is 3 search pages, 3 changelog pages for
 * PAY-1 (startAt 0, 2, 4) and 2 for OPS-2 (0, 2), then /field once and the
 * versions of PAY and OPS: 11 requests.
 */
#include "support.h"
#include "extract/credentials.h"
#include "extract/fetch.h"
#include "extract/source.h"
#include "core/config.h"
#include "core/time.h"
#include "core/util.h"
#include "cmd/commands.h"

#include <dirent.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const cw_source_type cw_source_jira;

#define TOKEN "jira-replay-secret-7f3a"

/* Server environments: search changelogs cut at 3 histories as real Jira
 * does, or served whole. */
static const char *const cut_changelogs[] = { "CW_REPLAY_JIRA_CHANGELOG_CAP=3", NULL };
static const char *const whole_changelogs[] = { "CW_REPLAY_JIRA_CHANGELOG_CAP=0", NULL };

/* ------------------------------------------------------------ replay server */

/* Start the server on data_dir with env set in it; faults may be NULL. */
static void replay_start_faults(cw_replay *r, const char *data_dir, const char *const *env,
                                const char *faults)
{
    assert_int_equal(cw_replay_start(r, data_dir, TOKEN, faults, env), 0);
}

/* Requests the server logged whose path starts with prefix. */
static long count_requests(json_t *log, const char *prefix)
{
    json_t *e;
    size_t i;
    long n = 0;
    json_array_foreach(log, i, e)
        n += strncmp(json_string_value(json_object_get(e, "path")), prefix, strlen(prefix)) == 0;
    return n;
}

/* The first value of a query parameter of logged request i. */
static const char *logged_param(json_t *log, size_t i, const char *name)
{
    json_t *values = json_object_get(json_object_get(json_array_get(log, i), "query"), name);
    return json_string_value(json_array_get(values, 0));
}

/* tests/data/jira-replay, in a buffer of its own (cw_test_data reuses one). */
static const char *replay_data(void)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s", cw_test_data("jira-replay"));
    return path;
}

/* -------------------------------------------------------------- the source */

static void source_init(cw_test_source *ls, const cw_replay *r)
{
    cw_test_source_init(ls, 1, "jira", "jira", NULL);
    if (r)
        cw_test_source_set(ls, "base_url", r->base_url);
    cw_test_source_set(ls, "token_env", "CW_TEST_JIRA_TOKEN");
    cw_test_source_set(ls, "user", "bot@example.com");
    cw_test_source_set(ls, "max_tries", "2");
    cw_test_source_set(ls, "backoff_initial", "0.01");
}

/* Fetch the source into a fresh folder; returns that folder (caller frees). */
static char *fetch_into(cw_test_source *ls, int64_t since, cw_fetch *f)
{
    char *dir = cw_temp_dir();
    setenv("CW_TEST_JIRA_TOKEN", TOKEN, 1);
    assert_int_equal(cw_fetch_init(f, &ls->src, dir, since, 0, cw_source_jira.auth_kind), 0);
    if (cw_source_jira.fetch(f) != 0)
        print_error("fetch failed: %s\n", f->error);
    assert_string_equal(f->error, "");
    cw_fetch_cleanup(f);
    return dir;
}

static void parse_landed(const cw_source *src, const char *dir, cw_capture *cap)
{
    char *pattern = cw_asprintf("%s/*.json", dir);
    cw_capture_init(cap);
    cw_parse_glob(&cw_source_jira, src, pattern, cap);
    free(pattern);
}

/* The originals, restricted to the projects fetched (key_prefix_filter). */
static void parse_originals(const char *data_dir, const char *projects, cw_capture *cap)
{
    const char *const keys[] = { "key_prefix_filter", projects, NULL };
    cw_test_source src;
    char *pattern = cw_asprintf("%s/exports/jira/*.json", data_dir);
    cw_test_source_init(&src, 1, "jira", "jira", keys);
    cw_capture_init(cap);
    cw_parse_glob(&cw_source_jira, &src.src, pattern, cap);
    free(pattern);
}

static long count_files(const char *dir, const char *pattern)
{
    char *full = cw_asprintf("%s/%s", dir, pattern);
    glob_t g;
    long n = glob(full, 0, NULL, &g) == 0 ? (long)g.gl_pathc : 0;
    globfree(&g);
    free(full);
    return n;
}

/* ------------------------------------------------------------- comparisons */

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void assert_same_item(const cw_work_item *a, const cw_work_item *b)
{
    assert_string_equal(a->key, b->key);
    assert_true(same_str(a->external_id, b->external_id));
    assert_true(same_str(a->project, b->project));
    assert_true(same_str(a->summary, b->summary));
    assert_true(same_str(a->type, b->type));
    assert_true(same_str(a->status, b->status));
    assert_true(same_str(a->status_category, b->status_category));
    assert_true(same_str(a->labels, b->labels));
    assert_true(same_str(a->fix_versions, b->fix_versions));
    assert_true(same_str(a->assignee, b->assignee));
    assert_int_equal(a->created_at, b->created_at);
    assert_int_equal(a->updated_at, b->updated_at);
    assert_int_equal(a->resolved_at, b->resolved_at);
    assert_int_equal(a->has_changelog, b->has_changelog);
    assert_int_equal(a->changelog_truncated, b->changelog_truncated);
}

static int same_transition(const cw_transition *a, const cw_transition *b)
{
    return same_str(a->item_key, b->item_key) && same_str(a->history_id, b->history_id) &&
           a->at == b->at && same_str(a->from_status, b->from_status) &&
           same_str(a->to_status, b->to_status);
}

static int has_transition(const cw_capture *cap, const cw_transition *t)
{
    for (size_t i = 0; i < cap->n_transitions; i++)
        if (same_transition(&cap->transitions[i], t))
            return 1;
    return 0;
}

/* Distinct transitions (the warehouse keeps one row per distinct change). */
static size_t distinct_transitions(const cw_capture *cap)
{
    size_t n = 0;
    for (size_t i = 0; i < cap->n_transitions; i++) {
        size_t j = 0;
        while (j < i && !same_transition(&cap->transitions[j], &cap->transitions[i]))
            j++;
        n += j == i;
    }
    return n;
}

/* The live parse gives the same items and the same distinct transitions. */
static void assert_same_parse(const cw_capture *live, const cw_capture *orig)
{
    assert_int_equal(live->n_rejects, 0);
    assert_int_equal(orig->n_rejects, 0);
    assert_int_equal(live->n_items, orig->n_items);
    for (size_t i = 0; i < orig->n_items; i++) {
        const cw_work_item *w = cw_capture_item(live, orig->items[i].key);
        assert_non_null(w);
        assert_same_item(w, &orig->items[i]);
    }
    assert_int_equal(distinct_transitions(live), distinct_transitions(orig));
    for (size_t i = 0; i < orig->n_transitions; i++)
        assert_true(has_transition(live, &orig->transitions[i]));
}

/* The secret never lands: grep every landed byte for it. */
static void assert_no_token(const char *dir)
{
    char *cmd = cw_asprintf("grep -rqF '%s' '%s'", TOKEN, dir);
    assert_int_not_equal(system(cmd), 0);
    free(cmd);
}

/* One fetch against the server: the section, its fetch, the landing folder
 * and what the server logged. */
typedef struct run {
    cw_test_source ls;
    cw_fetch f;
    char *dir;
    json_t *log;
} run;

/* Start the server on data (env and faults may be NULL), set keys (pairs,
 * NULL-ended) on the usual section, fetch it into a fresh folder since
 * `since` and read the server's log. */
static void run_fetch(run *x, cw_replay *r, const char *data, const char *const *env,
                      const char *faults, const char *const *keys, int64_t since)
{
    replay_start_faults(r, data, env, faults);
    source_init(&x->ls, r);
    for (; keys && keys[0]; keys += 2)
        cw_test_source_set(&x->ls, keys[0], keys[1]);
    x->dir = fetch_into(&x->ls, since, &x->f);
    x->log = cw_replay_log(r);
}

/* The server saw `requests` requests, `searches` of them to search_path,
 * the first with this JQL. */
static void assert_searched(json_t *log, size_t requests, const char *search_path, long searches,
                            const char *jql)
{
    assert_int_equal(json_array_size(log), requests);
    assert_int_equal(count_requests(log, search_path), searches);
    assert_string_equal(logged_param(log, 0, "jql"), jql);
}

static void run_free(run *x)
{
    json_decref(x->log);
    cw_remove_tree(x->dir);
    free(x->dir);
}

/* ------------------------------------------------------------------- tests */

static void full_fetch(cw_replay *r, const char *api, const char *search_path,
                       const char *changelog_prefix)
{
    const char *data = replay_data();
    run x;
    cw_capture live, orig;
    json_t *log;
    char *dir;
    run_fetch(&x, r, data, cut_changelogs, NULL,
              (const char *const[]){ "api", api, "projects", "PAY, OPS", "page_size", "2", NULL },
              CW_NO_TIME);
    log = x.log;
    dir = x.dir;
    assert_searched(log, 12, search_path, 3, "project in (\"PAY\", \"OPS\") ORDER BY updated ASC");
    assert_int_equal(count_requests(log, changelog_prefix), 5);
    assert_int_equal(count_requests(log, "/rest/api/2/field"), 1);
    assert_int_equal(count_requests(log, "/rest/api/2/status"), 1);
    assert_int_equal(count_requests(log, "/rest/api/2/project/"), 2);
    assert_string_equal(logged_param(log, 0, "expand"), "changelog");
    assert_int_equal(x.f.pages, 12);
    assert_int_equal(x.f.files_written, 12);
    /* Search page 1 (PAY-1, OPS-1) lands first, then PAY-1's changelog;
     * the metadata comes last, and the parser passes over it. */
    assert_int_equal(count_files(dir, "00001-issues.json"), 1);
    assert_int_equal(count_files(dir, "0000[234]-changelog-PAY-1.json"), 3);
    assert_int_equal(count_files(dir, "0000[78]-changelog-OPS-2.json"), 2);
    assert_int_equal(count_files(dir, "00009-fields.json"), 1);
    assert_int_equal(count_files(dir, "00010-statuses.json"), 1);
    assert_int_equal(count_files(dir, "0001[12]-versions-*.json"), 2);
    assert_no_token(dir);

    parse_landed(&x.ls.src, dir, &live);
    parse_originals(data, "PAY,OPS", &orig);
    assert_int_equal(orig.n_items, 5);
    assert_int_equal(distinct_transitions(&orig), 5 + 1 + 0 + 2 + 4);
    assert_same_parse(&live, &orig);
    /* The search cut PAY-1's changelog, but the whole of it landed beside. */
    assert_int_equal(cw_capture_item(&live, "PAY-1")->changelog_truncated, 0);
    /* The status list: the 4 statuses the replay's issues carry (Backlog,
     * Done, In Progress, QA), each a status definition with its category. */
    assert_int_equal(live.n_status_defs, 4);
    assert_string_equal(live.status_defs[0].name, "Backlog");
    assert_string_equal(live.status_defs[0].category, "todo");
    assert_string_equal(live.status_defs[3].name, "QA");
    assert_string_equal(live.status_defs[3].category, "in_progress");

    cw_capture_free(&live);
    cw_capture_free(&orig);
    run_free(&x);
}

static void test_full_fetch_cloud(void **state)
{
    full_fetch(*state, "cloud", "/rest/api/3/search/jql", "/rest/api/3/issue/");
}

static void test_full_fetch_datacenter(void **state)
{
    full_fetch(*state, "datacenter", "/rest/api/2/search", "/rest/api/2/issue/");
}

/* Since 2026-01-20 07:30:45Z: JQL has minutes, so the query floors to 07:30
 * and PAY-2 (updated 07:30:00Z) still comes: PAY-2, PAY-3, OPS-2 are two
 * search pages, OPS-2's cut changelog two more requests, and the metadata
 * (/field, versions of PAY and OPS) three: 7 against a full run's 11. */
static void test_incremental_fetch(void **state)
{
    run x;
    cw_capture live;
    run_fetch(&x, *state, replay_data(), cut_changelogs, NULL,
              (const char *const[]){ "api", "cloud", "projects", "PAY,OPS", "page_size", "2",
                                     NULL },
              cw_t("2026-01-20T07:30:45Z"));
    assert_searched(x.log, 8, "/rest/api/3/search/jql", 2,
                    "(project in (\"PAY\", \"OPS\")) AND updated >= \"2026-01-20 07:30\" "
                    "ORDER BY updated ASC");
    assert_int_equal(count_requests(x.log, "/rest/api/3/issue/OPS-2/changelog"), 2);

    parse_landed(&x.ls.src, x.dir, &live);
    assert_int_equal(live.n_rejects, 0);
    assert_int_equal(live.n_items, 3);
    assert_non_null(cw_capture_item(&live, "PAY-2"));
    assert_non_null(cw_capture_item(&live, "PAY-3"));
    assert_non_null(cw_capture_item(&live, "OPS-2"));
    assert_int_equal(distinct_transitions(&live), 1 + 0 + 4);

    cw_capture_free(&live);
    run_free(&x);
}

/* A `jql` key keeps its own ORDER BY; the delta clause goes before it. */
static void test_jql_key(void **state)
{
    run x;
    cw_capture live;
    run_fetch(&x, *state, replay_data(), whole_changelogs, NULL,
              (const char *const[]){ "jql", "project = OPS order by created DESC", NULL },
              cw_t("2026-01-14T00:00:00Z"));
    /* 127.0.0.1 is not atlassian.net: Data Center's classic search; then
     * /field, /status and the versions of the one project seen, OPS. */
    assert_searched(x.log, 4, "/rest/api/2/search", 1,
                    "(project = OPS) AND updated >= \"2026-01-14 00:00\" order by created DESC");
    assert_int_equal(count_requests(x.log, "/rest/api/2/project/OPS/versions"), 1);
    parse_landed(&x.ls.src, x.dir, &live);
    assert_int_equal(live.n_items, 2);          /* OPS-1 (updated 01-15) and OPS-2 */
    assert_non_null(cw_capture_item(&live, "OPS-1"));
    assert_non_null(cw_capture_item(&live, "OPS-2"));
    cw_capture_free(&live);
    run_free(&x);
}

/* Without isLast, only the missing nextPageToken of the last page ends the
 * walk: 5 issues at 2 a page are still exactly 3 search requests (then 4
 * metadata requests). */
static void test_missing_token_ends_paging(void **state)
{
    run x;
    json_t *log;
    const char *const env[] = { "CW_REPLAY_JIRA_CHANGELOG_CAP=0", "CW_REPLAY_JIRA_NO_ISLAST=1",
                                NULL };
    run_fetch(&x, *state, replay_data(), env, NULL,
              (const char *const[]){ "api", "v3", "projects", "PAY,OPS", "page_size", "2", NULL },
              CW_NO_TIME);
    log = x.log;
    assert_int_equal(json_array_size(log), 7);
    assert_int_equal(count_requests(log, "/rest/api/3/search/jql"), 3);
    assert_null(logged_param(log, 0, "nextPageToken"));
    assert_non_null(logged_param(log, 1, "nextPageToken"));
    assert_non_null(logged_param(log, 2, "nextPageToken"));
    assert_int_equal(count_files(x.dir, "*-changelog-*.json"), 0);
    run_free(&x);
}

/* A live page is judged by the same loader as a landed file: a description
 * holding \u0000 (as the real EE-4 does) and a 30-digit numeric id used to
 * make the response "invalid JSON after retries" and fail the source.  Now
 * the page lands, PAY-1 loads and PAY-2 alone is rejected naming `id`. */
static void test_live_page_with_nul_and_huge_id(void **state)
{
    cw_replay *r = *state;
    char *data = cw_temp_dir(), *jira_dir = cw_asprintf("%s/exports/jira", data);
    run x;
    cw_capture cap;
    assert_int_equal(cw_mkdirs(jira_dir), 0);
    cw_write_file(jira_dir, "PAY-page1.json",
        "{\"startAt\": 0, \"maxResults\": 50, \"total\": 2, \"issues\": [\n"
        " {\"id\": \"10001\", \"key\": \"PAY-1\", \"fields\": {\"summary\": \"a\\u0000b\","
        "  \"project\": {\"key\": \"PAY\"}, \"status\": {\"name\": \"Done\", \"statusCategory\": {\"key\": \"done\"}},"
        "  \"created\": \"2026-01-22T09:00:00.000+0000\", \"updated\": \"2026-01-25T09:00:00.000+0000\"}},\n"
        " {\"id\": 123456789012345678901234567890, \"key\": \"PAY-2\", \"fields\": {\"summary\": \"b\","
        "  \"project\": {\"key\": \"PAY\"}, \"status\": {\"name\": \"Done\", \"statusCategory\": {\"key\": \"done\"}},"
        "  \"created\": \"2026-01-22T09:00:00.000+0000\", \"updated\": \"2026-01-26T09:00:00.000+0000\"}}]}\n");
    run_fetch(&x, r, data, NULL, NULL,
              (const char *const[]){ "api", "datacenter", "projects", "PAY", NULL }, CW_NO_TIME);
    parse_landed(&x.ls.src, x.dir, &cap);
    assert_int_equal(cap.n_items, 1);
    assert_string_equal(cap.items[0].key, "PAY-1");
    assert_int_equal(cap.n_rejects, 1);
    assert_string_equal(cap.rejects[0].field, "id");
    cw_capture_free(&cap);
    run_free(&x);
    cw_remove_tree(data);
    free(jira_dir);
    free(data);
}

/* Faults on the search and on the changelog pages: each is retried, the
 * landed pages are the good ones, and they parse to the originals.  The
 * search's 2nd request is cut, its retry (3rd) gets a 429; the changelog's
 * 1st request is reset mid-body and its 4th gets a 503: 12 + 4 requests. */
static void test_faults_retried(void **state)
{
    const char *data = replay_data();
    const char *faults = cw_temp_file(
        "[{\"path\": \"search/jql\", \"nth\": 2, \"kind\": \"truncate\"},"
        " {\"path\": \"search/jql\", \"nth\": 3, \"kind\": \"429\", \"retry_after\": 0},"
        " {\"path\": \"/changelog\", \"nth\": 1, \"kind\": \"reset\"},"
        " {\"path\": \"/changelog\", \"nth\": 4, \"kind\": \"503\"}]", ".json");
    char faults_path[256];
    run x;
    cw_capture live, orig;
    snprintf(faults_path, sizeof(faults_path), "%s", faults);
    run_fetch(&x, *state, data, cut_changelogs, faults_path,
              (const char *const[]){ "api", "cloud", "projects", "PAY,OPS", "page_size", "2",
                                     "backoff_max", "0.05", "max_tries", "4", NULL },
              CW_NO_TIME);
    assert_int_equal(json_array_size(x.log), 16);
    assert_int_equal(x.f.stats.requests, 16);
    assert_int_equal(x.f.stats.retries, 4);
    assert_int_equal(x.f.files_written, 12);
    parse_landed(&x.ls.src, x.dir, &live);
    parse_originals(data, "PAY,OPS", &orig);
    assert_same_parse(&live, &orig);

    cw_capture_free(&live);
    cw_capture_free(&orig);
    run_free(&x);
    unlink(faults_path);
}

/* The demo's pages, served live, parse to what the demo's files parse to. */
static void test_demo_roundtrip(void **state)
{
    char *demo = cw_temp_dir(), *projects;
    char *argv[] = { (char *)"demo", (char *)"--scale", (char *)"0.05", (char *)"--weeks",
                     (char *)"2", (char *)"--quiet", (char *)"--force", demo, NULL };
    run x;
    cw_capture live, orig;
    cw_buf list = { 0 };
    assert_int_equal(cmd_demo(8, argv), 0);
    parse_originals(demo, NULL, &orig);
    assert_true(orig.n_items > 20);
    for (size_t i = 0; i < orig.n_items; i++) {
        size_t j = 0;
        while (j < i && strcmp(orig.items[j].project, orig.items[i].project) != 0)
            j++;
        if (j == i)
            cw_buf_printf(&list, "%s%s", list.len ? "," : "", orig.items[i].project);
    }
    projects = list.data;

    run_fetch(&x, *state, demo, cut_changelogs, NULL,
              (const char *const[]){ "api", "cloud", "projects", projects, NULL }, CW_NO_TIME);
    assert_true(count_requests(x.log, "/rest/api/3/issue/") > 0);   /* some changelogs were cut */
    parse_landed(&x.ls.src, x.dir, &live);
    assert_same_parse(&live, &orig);

    cw_capture_free(&live);
    cw_capture_free(&orig);
    run_free(&x);
    cw_remove_tree(demo);
    free(demo);
    free(projects);
}

/* ----------------------------------------------------------- configuration */

static int validate_with(const char *k1, const char *v1, const char *k2, const char *v2)
{
    cw_test_source ls;
    source_init(&ls, NULL);
    cw_test_source_set(&ls, "base_url", "https://acme.atlassian.net");
    if (k1)
        cw_test_source_set(&ls, k1, v1);
    if (k2)
        cw_test_source_set(&ls, k2, v2);
    return cw_source_jira.validate(&ls.src);
}

static void test_validate_live_keys(void **state)
{
    (void)state;
    assert_int_equal(validate_with("projects", "PAY,OPS", NULL, NULL), 0);
    assert_int_equal(validate_with("jql", "filter = 10042", "api", "datacenter"), 0);
    assert_int_equal(validate_with(NULL, NULL, NULL, NULL), -1);          /* nothing to search */
    assert_int_equal(validate_with("projects", "PAY", "jql", "project = PAY"), -1);
    assert_int_equal(validate_with("projects", "PAY\" OR 1=1", NULL, NULL), -1);
    assert_int_equal(validate_with("projects", "PAY", "api", "v9"), -1);
}

/* A live Jira section passes the whole config validation. */
static void test_config_accepts_live_source(void **state)
{
    const char *ini = cw_temp_file(
        "[source jira]\n"
        "type = jira\n"
        "base_url = https://acme.atlassian.net\n"
        "user = bot@acme.example\n"
        "token_env = JIRA_TOKEN\n"
        "projects = PAY, OPS\n"
        "api = cloud\n"
        "page_size = 50\n"
        "fields = *navigable\n", ".ini");
    cw_config *cfg = NULL;
    (void)state;
    assert_int_equal(cw_config_load(ini, cw_source_check, &cfg), 0);
    unlink(ini);
    assert_int_equal(cfg->n_sources, 1);
    assert_string_equal(cw_source_get(&cfg->sources[0], "projects"), "PAY, OPS");
    cw_config_free(cfg);
    assert_int_equal(cw_source_jira.auth_kind, CW_AUTH_BASIC);
}

/* The parser takes a changelog page's owner from the landed name when the
 * page has no `self`: 00042-changelog-PAY-12.json is PAY-12's. */
static void test_landed_changelog_name(void **state)
{
    char *dir = cw_temp_dir();
    char *path = cw_asprintf("%s/00042-changelog-PAY-12.json", dir);
    cw_source src = { .name = (char *)"jira", .type = (char *)"jira", .config_path = "t.ini" };
    cw_capture cap;
    FILE *fp = fopen(path, "w");
    (void)state;
    assert_non_null(fp);
    fputs("{\"startAt\":0,\"maxResults\":100,\"total\":1,\"isLast\":true,\"values\":["
          "{\"id\":\"77\",\"created\":\"2026-03-01T10:00:00.000+0000\",\"items\":["
          "{\"field\":\"status\",\"fromString\":\"Backlog\",\"toString\":\"Done\"}]}]}", fp);
    fclose(fp);
    cw_capture_init(&cap);
    assert_int_equal(cw_source_jira.parse(&src, path, &cap.sink), 0);
    assert_int_equal(cap.n_transitions, 1);
    assert_string_equal(cap.transitions[0].item_key, "PAY-12");
    assert_string_equal(cap.transitions[0].to_status, "Done");
    assert_int_equal(cap.transitions[0].at, cw_t("2026-03-01T10:00:00Z"));
    cw_capture_free(&cap);
    cw_remove_tree(dir);
    free(path);
    free(dir);
}

/* /field and /project/{key}/versions pages give no records and no rejects;
 * an issue array beside them still loads. */
static void test_metadata_ignored(void **state)
{
    cw_source src = { .name = (char *)"jira", .type = (char *)"jira", .config_path = "t.ini" };
    const char *pages[] = {
        "[{\"id\":\"customfield_10016\",\"key\":\"customfield_10016\",\"name\":\"Story points\","
        "\"custom\":true,\"navigable\":true,\"schema\":{\"type\":\"number\"}},"
        "{\"id\":\"summary\",\"name\":\"Summary\",\"custom\":false}]",
        "[{\"id\":\"48000\",\"name\":\"collections 2026-07-30\",\"archived\":false,"
        "\"released\":true,\"releaseDate\":\"2026-07-30\",\"projectId\":10031}]",
        "[]",
    };
    cw_capture cap;
    (void)state;
    cw_capture_init(&cap);
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
        const char *path = cw_temp_file(pages[i], ".json");
        assert_int_equal(cw_source_jira.parse(&src, path, &cap.sink), 0);
        unlink(path);
    }
    assert_int_equal(cap.n_items + cap.n_transitions + cap.n_rejects, 0);
    cw_capture_free(&cap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cw_replay_test(test_full_fetch_cloud),
        cw_replay_test(test_full_fetch_datacenter),
        cw_replay_test(test_incremental_fetch),
        cw_replay_test(test_jql_key),
        cw_replay_test(test_missing_token_ends_paging),
        cw_replay_test(test_faults_retried),
        cw_replay_test(test_live_page_with_nul_and_huge_id),
        cw_replay_test(test_demo_roundtrip),
        cmocka_unit_test(test_validate_live_keys),
        cmocka_unit_test(test_config_accepts_live_source),
        cmocka_unit_test(test_landed_changelog_name),
        cmocka_unit_test(test_metadata_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
