/*
 * test_gitlab.c - the GitLab connector on the real DevLake recordings
 * (gitlab.com merge requests, MR commits, pipelines in both shapes,
 * deployments, CI jobs), on hand-written items (tests/data/gitlab/ and
 * inline pages), through the
 * warehouse, and live against the replay server (tests/replay/routes_gitlab.py),
 * with the X-Next-Page-on-the-last-page quirk and a delta fetch.
 *
 * Expected values are read by hand from the inputs; GitLab sends
 * milliseconds, which catwalk truncates to the second.
 */
#include "support.h"
#include "extract/fetch.h"
#include "extract/source.h"
#include "load/warehouse.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const cw_source_type cw_source_gitlab;

#define GL "gitlab/"
#define REPO "gitlab-data/snowflake_spend"

/* The [source gl] section of test.ini (line 9), keys from line 10. */
static void make_source(cw_test_source *t, const char *const *pairs)
{
    cw_test_source_init(t, 9, "gl", "gitlab", pairs);
}

static const char *const repo_keys[] = {"project", "12345678", "repository", REPO, NULL};

static int parse_with(const char *path, const char *const *pairs, cw_capture *cap)
{
    cw_test_source t;
    make_source(&t, pairs);
    return cw_source_gitlab.parse(&t.src, path, &cap->sink);
}

static int parse(const char *path, const char *const *pairs, cw_capture *cap)
{
    cw_capture_init(cap);
    return parse_with(path, pairs, cap);
}

/* The last build emitted for (job, number): what the warehouse keeps. */
static const cw_build *last_build(const cw_capture *cap, const char *job, long number)
{
    const cw_build *found = NULL;
    for (size_t i = 0; i < cap->n_builds; i++)
        if (strcmp(cap->builds[i].job, job) == 0 && cap->builds[i].number == number)
            found = &cap->builds[i];
    return found;
}

/* ------------------------------------------------------ MR commits and notes */

/* The real recording's rows name their MR in url (/merge_requests/N/commits)
 * and input ({"Iid": N}); counted by hand from its 37 rows: MR 1 5, MR 2 9,
 * MR 3 1, MR 4 1, MR 5 18, MR 6 1, MR 7 2. */
static void test_mr_commit_records(void **state)
{
    static const long count[][2] = {{1, 5}, {2, 9}, {3, 1}, {4, 1}, {5, 18}, {6, 1}, {7, 2}};
    cw_capture cap;
    (void)state;
    assert_int_equal(parse(cw_fixture(GL "devlake_raw_gitlab_api_merge_request_commits.csv"),
                           repo_keys, &cap), 0);
    assert_int_equal(cap.n_pull_commits, 37);
    for (size_t i = 0; i < sizeof(count) / sizeof(count[0]); i++)
        assert_int_equal(cw_capture_pull_commits(&cap, count[i][0], NULL), (size_t)count[i][1]);
    assert_int_equal(cw_capture_pull_commits(&cap, 1, "ad25fcda15e310a7eb34b3e38ff9b962b54f0e03"), 1);
    assert_string_equal(cap.pull_commits[0].repository, REPO);
    assert_true(cap.pull_commits[0].authored_at == cw_t("2019-06-28T11:03:52Z"));
    assert_int_equal(cap.n_rejects, 0);
    cw_capture_free(&cap);
}

/* MR notes are the reviews: a note a person wrote is COMMENTED, the system
 * note "approved this merge request" APPROVED, other system notes and
 * notes on issues are no review.  The MR comes from noteable_iid, else the
 * page (file name). */
static void test_mr_notes(void **state)
{
    static const char page[] =
        "[{\"id\":11,\"body\":\"assigned to @emilie\",\"author\":{\"username\":\"emilie\"},"
        "\"created_at\":\"2019-06-28T05:40:22.415Z\",\"system\":true,"
        "\"noteable_type\":\"MergeRequest\",\"noteable_iid\":1},"
        " {\"id\":12,\"body\":\"Looks good\",\"author\":{\"username\":\"tayloramurphy\"},"
        "\"created_at\":\"2019-06-28T10:56:46.646Z\",\"system\":false,"
        "\"noteable_type\":\"MergeRequest\",\"noteable_iid\":1},"
        " {\"id\":13,\"body\":\"approved this merge request\",\"author\":{\"username\":\"tayloramurphy\"},"
        "\"created_at\":\"2019-06-28T11:00:00Z\",\"system\":true,"
        "\"noteable_type\":\"MergeRequest\",\"noteable_iid\":1},"
        " {\"id\":14,\"body\":\"an issue note\",\"author\":{\"username\":\"x\"},"
        "\"created_at\":\"2019-06-28T11:00:00Z\",\"system\":false,"
        "\"noteable_type\":\"Issue\",\"noteable_iid\":1},"
        " {\"id\":15,\"body\":\"no iid\",\"author\":{\"username\":\"y\"},"
        "\"created_at\":\"2019-06-29T00:00:00Z\",\"system\":false,\"noteable_type\":\"MergeRequest\"},"
        " {\"id\":16,\"body\":\"bad time\",\"author\":{\"username\":\"y\"},"
        "\"created_at\":\"yesterday\",\"system\":false,"
        "\"noteable_type\":\"MergeRequest\",\"noteable_iid\":2}]";
    char *dir = cw_temp_dir(), *path = cw_asprintf("%s/00004-pull-3-notes.json", dir);
    const cw_pull_request_review *r;
    cw_capture cap;
    (void)state;
    cw_write_file(dir, "00004-pull-3-notes.json", page);
    assert_int_equal(parse(path, repo_keys, &cap), 0);
    assert_int_equal(cap.n_reviews, 3);
    r = cw_capture_review(&cap, 12);
    assert_non_null(r);
    assert_string_equal(r->repository, REPO);
    assert_int_equal(r->number, 1);
    assert_string_equal(r->reviewer, "tayloramurphy");
    assert_string_equal(r->state, "COMMENTED");
    assert_true(r->submitted_at == cw_t("2019-06-28T10:56:46Z"));
    r = cw_capture_review(&cap, 13);
    assert_string_equal(r->state, "APPROVED");
    assert_null(cw_capture_review(&cap, 11));           /* an assignment */
    assert_null(cw_capture_review(&cap, 14));           /* on an issue */
    r = cw_capture_review(&cap, 15);
    assert_int_equal(r->number, 3);                     /* the file name's */
    assert_int_equal(cap.n_rejects, 1);
    cw_expect_reject(&cap, 0, 6, "created_at", NULL);
    cw_capture_free(&cap);
    free(path);
    cw_remove_tree(dir);
    free(dir);
}

/* The real recording of MR notes (6 rows of DevLake's): rows 1 (an
 * assignment) and 11 ("merged") are system notes, no review; rows 7 (MR
 * 1, emilie), 12 (MR 3, emilie), 13 (MR 3, martinguindon) and 17 (MR 3,
 * emilie) are notes people wrote. */
static void test_mr_note_recording(void **state)
{
    const cw_pull_request_review *r;
    cw_capture cap;
    (void)state;
    assert_int_equal(parse(cw_fixture(GL "devlake_raw_gitlab_api_merge_request_notes.excerpt.csv"),
                           repo_keys, &cap), 0);
    assert_int_equal(cap.n_reviews, 4);
    assert_int_equal(cap.n_rejects, 0);
    assert_null(cw_capture_review(&cap, 186327072));
    assert_null(cw_capture_review(&cap, 186537191));
    r = cw_capture_review(&cap, 186439132);
    assert_non_null(r);
    assert_int_equal(r->number, 1);
    assert_string_equal(r->reviewer, "emilie");
    assert_string_equal(r->state, "COMMENTED");
    assert_true(r->submitted_at == cw_t("2019-06-28T10:56:46Z"));
    r = cw_capture_review(&cap, 208092969);
    assert_int_equal(r->number, 3);
    assert_string_equal(r->reviewer, "martinguindon");
    assert_true(r->submitted_at == cw_t("2019-08-26T13:17:51Z"));
    assert_int_equal(cw_capture_review(&cap, 208061122)->number, 3);
    assert_int_equal(cw_capture_review(&cap, 208121781)->number, 3);
    cw_capture_free(&cap);
}

/* ------------------------------------------------------ merge requests */

static void test_merge_requests(void **state)
{
    cw_capture cap;
    const cw_pull_request *mr;
    (void)state;
    assert_int_equal(parse(cw_fixture(GL "devlake_raw_gitlab_api_merge_requests.csv"), repo_keys, &cap), 0);
    assert_int_equal(cap.n_pulls, 18);
    assert_int_equal(cap.n_rejects, 0);
    mr = cw_capture_pull(&cap, 1);
    assert_string_equal(mr->repository, REPO);
    assert_string_equal(mr->state, "merged");
    assert_string_equal(mr->title, "Resolve \"Add documentation to snowflake spend package\"");
    assert_string_equal(mr->body, "Closes #1");
    assert_true(mr->created_at == cw_t("2019-06-28T05:21:43Z"));
    assert_true(mr->merged_at == cw_t("2019-06-28T14:32:06Z"));     /* .192 truncated */
    assert_true(mr->updated_at == cw_t("2019-06-28T14:32:05Z"));
    assert_string_equal(mr->source_branch, "1-add-documentation-to-snowflake-spend-package");
    assert_string_equal(mr->target_branch, "master");
    assert_string_equal(mr->author, "emilie");
    assert_string_equal(mr->merge_commit_sha, "da1d6dea48f5972ffc683da6cff30934e7d6c52c");
    assert_null(mr->squash_commit_sha);
    /* squash merge recorded with both shas */
    mr = cw_capture_pull(&cap, 14);
    assert_string_equal(mr->merge_commit_sha, "21840a7eadb58babe8aeae2960da851a3ed00ddc");
    assert_string_equal(mr->squash_commit_sha, "7f928f936c58b2e001f86d07b1f7b9411413e439");
    mr = cw_capture_pull(&cap, 9);
    assert_string_equal(mr->state, "opened");
    assert_true(mr->merged_at == CW_NO_TIME);
    mr = cw_capture_pull(&cap, 13);
    assert_string_equal(mr->state, "closed");
    assert_true(mr->merged_at == CW_NO_TIME);
    cw_capture_free(&cap);
}

static void test_squash_only_merge_request(void **state)
{
    cw_capture cap;
    const cw_pull_request *mr;
    (void)state;
    assert_int_equal(parse(cw_test_data(GL "mr-squash.json"), repo_keys, &cap), 0);
    assert_int_equal(cap.n_pulls, 1);
    mr = cw_capture_pull(&cap, 42);
    assert_non_null(mr);
    assert_null(mr->merge_commit_sha);
    assert_string_equal(mr->squash_commit_sha, "3333333333333333333333333333333333333333");
    assert_true(mr->merged_at == cw_t("2026-03-01T12:00:00Z"));
    assert_string_equal(mr->source_branch, "feature/PAY-7-retries");
    assert_string_equal(mr->title, "PAY-7 squash the payment retries");
    assert_int_equal(mr->origin.record, 1);
    cw_capture_free(&cap);
}

/* Merged exactly when merged_at is set (formats.md), whatever the state
 * says: GitLab shows "locked" while it merges. */
static void test_merged_at_means_merged(void **state)
{
    static const char page[] =
        "[{\"iid\": 7, \"source_branch\": \"a\", \"state\": \"locked\","
        "  \"created_at\": \"2026-03-01T10:00:00Z\", \"merged_at\": \"2026-03-01T12:00:00Z\"},"
        " {\"iid\": 8, \"source_branch\": \"b\", \"state\": \"closed\","
        "  \"created_at\": \"2026-03-01T10:00:00Z\"},"
        " {\"iid\": 9, \"source_branch\": \"c\", \"state\": \"opened\"},"
        " {\"iid\": 10, \"source_branch\": \"d\", \"state\": \"merged\","
        "  \"created_at\": \"2026-03-01T10:00:00Z\", \"merged_at\": null}]";
    cw_capture cap;
    (void)state;
    assert_int_equal(parse(cw_temp_file(page, ".json"), repo_keys, &cap), 0);
    assert_int_equal(cap.n_pulls, 3);
    assert_string_equal(cw_capture_pull(&cap, 7)->state, "merged");
    assert_string_equal(cw_capture_pull(&cap, 8)->state, "closed");
    /* "merged" without merged_at: not merged (formats.md, 5) */
    assert_string_equal(cw_capture_pull(&cap, 10)->state, "closed");
    cw_expect_reject(&cap, 0, 3, "created_at", "merge request without created_at");
    cw_capture_free(&cap);
}

/* ------------------------------------------------------ commits */

static void test_mr_commits(void **state)
{
    static const char page[] =
        "[{\"id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"short_id\":\"aaaaaaaa\","
        "  \"parent_ids\":[\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"cccccccccccccccccccccccccccccccccccccccc\"],"
        "  \"title\":\"Merge branch 'x'\",\"message\":\"Merge branch 'x'\\n\\nSee merge request g/p!1\\n\","
        "  \"author_name\":\"A\",\"author_email\":\"a@x\",\"authored_date\":\"2022-07-26T09:38:27.000+00:00\","
        "  \"committer_name\":\"A\",\"committer_email\":\"a@x\",\"committed_date\":\"2022-07-26T11:38:27.000+02:00\"},"
        " {\"id\":\"dddddddddddddddddddddddddddddddddddddddd\",\"parent_ids\":[],\"title\":\"t\","
        "  \"authored_date\":\"26/07/2022\"}]";
    cw_capture cap;
    const cw_commit *c;
    const char *path;
    (void)state;
    /* the rows name their MR (url, input): each is that MR's commit, and no
     * commit, since the MR commits API sends parent_ids [] (see gitlab.c) */
    assert_int_equal(parse(cw_fixture(GL "devlake_raw_gitlab_api_merge_request_commits.csv"), repo_keys, &cap), 0);
    assert_int_equal(cap.n_commits, 0);
    assert_int_equal(cap.n_pull_commits, 37);
    assert_int_equal(cap.n_rejects, 0);
    assert_null(cw_capture_commit(&cap, "ad25fcda15e310a7eb34b3e38ff9b962b54f0e03"));
    cw_capture_free(&cap);

    /* a page that names no MR is a list of commits */
    path = cw_temp_file(page, ".json");
    assert_int_equal(parse(path, repo_keys, &cap), 0);
    unlink(path);
    assert_int_equal(cap.n_commits, 1);
    c = &cap.commits[0];
    assert_string_equal(c->parents, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb cccccccccccccccccccccccccccccccccccccccc");
    assert_string_equal(c->body, "See merge request g/p!1\n");
    assert_true(c->authored_at == cw_t("2022-07-26T09:38:27Z"));
    assert_true(c->committed_at == cw_t("2022-07-26T09:38:27Z"));    /* +02:00 */
    assert_int_equal(cap.n_rejects, 1);
    cw_expect_reject(&cap, 0, 2, "authored_date", NULL);
    cw_capture_free(&cap);
}

/* ------------------------------------------------------ pipelines */

static void test_pipelines_list_shape(void **state)
{
    cw_capture cap;
    const cw_build *b;
    (void)state;
    assert_int_equal(parse(cw_fixture(GL "devlake_raw_gitlab_api_pipeline.csv"), repo_keys, &cap), 0);
    /* 29 rows: 17 failed (iid 2, 3, 5-19), success, canceled, skipped load;
     * running (iid 1, 4, 26), created, waiting_for_resource, preparing,
     * pending, manual, scheduled wait */
    assert_int_equal(cap.n_builds, 20);
    assert_int_equal(cap.n_rejects, 0);
    assert_null(cw_capture_build(&cap, REPO "/pipelines", 457474837));   /* running */
    b = cw_capture_build(&cap, REPO "/pipelines", 485932863);
    assert_non_null(b);
    assert_string_equal(b->result, "success");
    assert_true(b->started_at == cw_t("2022-03-07T09:34:57Z"));          /* created_at */
    assert_true(b->finished_at == cw_t("2022-03-07T09:41:36Z"));         /* updated_at */
    assert_false(b->is_deployment);
    assert_string_equal(cw_capture_build(&cap, REPO "/pipelines", 485932864)->result, "aborted");
    assert_string_equal(cw_capture_build(&cap, REPO "/pipelines", 485932872)->result, "not_built");
    b = cw_capture_build(&cap, REPO "/pipelines", 457474996);
    assert_string_equal(b->result, "failure");
    assert_string_equal(b->url, "https://gitlab.com/merico-dev/ee/charts/-/pipelines/457474996");
    cw_capture_free(&cap);
}

static void test_pipeline_details(void **state)
{
    cw_capture cap;
    const cw_build *b;
    (void)state;
    assert_int_equal(parse(cw_fixture(GL "devlake_raw_gitlab_api_pipeline_details.csv"), repo_keys, &cap), 0);
    assert_int_equal(cap.n_builds, 16);
    assert_int_equal(cap.n_rejects, 0);
    b = cw_capture_build(&cap, REPO "/pipelines", 1078343570);
    assert_non_null(b);
    assert_string_equal(b->result, "success");
    assert_true(b->started_at == cw_t("2023-11-20T07:17:10Z"));          /* started_at, not created */
    assert_true(b->finished_at == cw_t("2023-11-21T01:54:29Z"));
    assert_string_equal(b->revision, "694ed6ede74c367f17c7fddb56de629354a27069");
    assert_string_equal(cw_capture_build(&cap, REPO "/pipelines", 1079502706)->result, "failure");
    cw_capture_free(&cap);
}

/* ------------------------------------------------------ deployments */

static void test_deployments(void **state)
{
    static const char *const keys[] = {"repository", REPO, "production", "^production$", NULL};
    cw_capture cap;
    const cw_build *b;
    (void)state;
    assert_int_equal(parse(cw_fixture(GL "devlake_raw_gitlab_api_deployments.csv"), keys, &cap), 0);
    /* 8 rows: success, failed, canceled load; created, running, blocked wait;
     * the undocumented "completed" (13432654) and "undeployed" (13436915)
     * are passed over as no deployment, not refused */
    assert_int_equal(cap.n_builds, 3);
    assert_int_equal(cap.n_rejects, 0);
    assert_null(cw_capture_build(&cap, REPO "/deployments", 13432654));
    assert_null(cw_capture_build(&cap, REPO "/deployments", 13436915));
    /* status success while deployable.status is failed: the deployment's own status wins */
    b = cw_capture_build(&cap, REPO "/deployments", 13426753);
    assert_non_null(b);
    assert_true(b->is_deployment);
    assert_string_equal(b->result, "success");
    assert_string_equal(b->environment, "staging");
    assert_false(b->is_production);
    assert_string_equal(b->revision, "add237f6852e6108ee8e0246780a54ce909c6087");
    assert_true(b->started_at == cw_t("2019-03-13T14:17:33Z"));          /* deployable.started_at */
    assert_true(b->finished_at == cw_t("2019-03-13T14:17:47Z"));         /* deployable.finished_at */
    /* no deployable timings: created_at and updated_at */
    b = cw_capture_build(&cap, REPO "/deployments", 13432768);
    assert_string_equal(b->result, "failure");
    assert_true(b->started_at == cw_t("2019-03-13T14:55:21Z"));
    assert_true(b->finished_at == cw_t("2019-03-13T15:02:23Z"));
    b = cw_capture_build(&cap, REPO "/deployments", 13436532);
    assert_string_equal(b->result, "aborted");
    assert_string_equal(b->environment, "production");
    assert_true(b->is_production);
    cw_capture_free(&cap);
}

/* CI jobs are parts of a pipeline (the pipeline is the build): all 75
 * recorded jobs are recognised and passed over, neither loaded nor refused. */
static void test_jobs_passed_over(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse(cw_fixture(GL "devlake_raw_gitlab_api_job.csv"), repo_keys, &cap), 0);
    assert_int_equal(cap.n_builds + cap.n_commits + cap.n_pulls, 0);
    assert_int_equal(cap.n_rejects, 0);
    cw_capture_free(&cap);
}

/* A status GitLab does not document and the recordings do not hold is
 * still refused, so a new one is seen rather than dropped. */
static void test_unknown_deployment_status(void **state)
{
    static const char page[] =
        "[{\"id\": 1, \"status\": \"exploded\", \"sha\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
        "  \"created_at\": \"2026-01-01T10:00:00.000Z\", \"updated_at\": \"2026-01-01T10:05:00.000Z\","
        "  \"environment\": {\"name\": \"production\"}},"
        " {\"id\": 2, \"status\": \"success\", \"sha\": \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\","
        "  \"created_at\": \"2026-01-02T10:00:00.000Z\", \"updated_at\": \"2026-01-02T10:05:00.000Z\","
        "  \"environment\": {\"name\": \"production\"}}]";
    cw_capture cap;
    (void)state;
    assert_int_equal(parse(cw_temp_file(page, ".json"), repo_keys, &cap), 0);
    assert_int_equal(cap.n_builds, 1);
    assert_true(cw_capture_build(&cap, REPO "/deployments", 2)->finished_at ==
                cw_t("2026-01-02T10:05:00Z"));
    assert_int_equal(cap.n_rejects, 1);
    cw_expect_reject(&cap, 0, 1, "status", NULL);
    cw_capture_free(&cap);
}

/* Through the warehouse: deployments with a finish go straight to
 * fact_deployment; pull requests to fact_pull_request (latest wins). */
static void test_warehouse_rows(void **state)
{
    char path[512];
    cw_warehouse *wh = cw_test_warehouse(path, sizeof(path));
    cw_test_source t;
    int64_t batch;
    char *row;
    (void)state;
    make_source(&t, repo_keys);
    assert_int_equal(cw_wh_batch_begin(wh, "test.ini", &batch), 0);
    assert_int_equal(cw_wh_source(wh, "gl", "gitlab"), 0);
    assert_int_equal(cw_source_gitlab.parse(&t.src, cw_fixture(GL "devlake_raw_gitlab_api_deployments.csv"),
                                            cw_wh_sink(wh)), 0);
    assert_int_equal(cw_source_gitlab.parse(&t.src, cw_fixture(GL "devlake_raw_gitlab_api_merge_requests.csv"),
                                            cw_wh_sink(wh)), 0);
    assert_int_equal(cw_source_gitlab.parse(&t.src, cw_test_data(GL "mr-squash.json"), cw_wh_sink(wh)), 0);
    assert_int_equal(cw_wh_resolve(wh), 0);
    assert_int_equal(cw_wh_batch_commit(wh, "ok", NULL), 0);
    /* deployments, pull requests, merged ones (10 recorded merges + the
     * squash one), the squash sha, rejects (completed/undeployed pass over) */
    row = cw_query_rows(cw_wh_db(wh),
        "SELECT (SELECT count(*) FROM fact_deployment),"
        " (SELECT count(*) FROM fact_pull_request),"
        " (SELECT count(*) FROM fact_pull_request WHERE merged_at IS NOT NULL),"
        " (SELECT squash_commit_sha FROM fact_pull_request WHERE number = 42 AND merge_commit_sha IS NULL),"
        " (SELECT count(*) FROM reject)");
    assert_string_equal(row, "3|19|11|3333333333333333333333333333333333333333|0;");
    free(row);
    cw_test_warehouse_drop(wh, path);
}

/* ------------------------------------------------------ live fetch (replay server) */

/* Fetch with the watermark since (NULL = full) and page_size; parse every
 * landed page in name (= fetch) order into cap; returns the page count. */
static long fetch_live(cw_replay *r, const char *since, const char *page_size, int quirk, cw_capture *cap)
{
    static const char token[] = "glpat-replay-token-789";
    char *root = cw_temp_dir(), url[64];
    char *data = cw_asprintf("%s/data", root), *land = cw_asprintf("%s/land", root);
    const char *keys[] = {"project", "12345678", "repository", REPO, "base_url", url,
                          "token_env", "CW_TEST_GL_TOKEN", "page_size", page_size, NULL};
    cw_test_source t;
    cw_fetch f;
    long landed;

    assert_int_equal(cw_system("mkdir -p %s/gitlab %s", data, land), 0);
    assert_int_equal(cw_system("cp $CW_FIXTURES/gitlab/*.csv %s/gitlab/", data), 0);
    if (quirk)
        assert_int_equal(cw_system("echo '{\"next_page_on_last\": true}' > %s/gitlab/quirks.json", data), 0);
    assert_int_equal(cw_replay_start(r, data, token, NULL, NULL), 0);
    snprintf(url, sizeof(url), "%s", r->base_url);
    setenv("CW_TEST_GL_TOKEN", token, 1);
    make_source(&t, keys);
    assert_int_equal(cw_fetch_init(&f, &t.src, land, since ? cw_t(since) : CW_NO_TIME, 0,
                                   cw_source_gitlab.auth_kind), 0);
    assert_int_equal(cw_source_gitlab.fetch(&f), 0);
    assert_string_equal(f.error, "");
    cw_fetch_cleanup(&f);
    cw_replay_stop(r);

    cw_capture_init(cap);
    landed = cw_parse_dir(&cw_source_gitlab, &t.src, land, cap);
    assert_int_equal(cw_system("grep -rqs %s %s", token, root) != 0, 1);   /* no token landed */
    cw_remove_tree(root);
    free(data);
    free(land);
    free(root);
    return landed;
}

static void test_live_fetch(void **state)
{
    cw_capture live, files;
    /* page_size 5: MRs 18 -> 4 pages (the short one ends it); pipelines
     * 29 + 16 = 45 -> 9 full pages, then X-Next-Page is empty; 45 details;
     * deployments 8 -> 2 pages; each listed MR's commits (the list holds
     * iids 1, 3-6, 8-14, 16-21: not 2 and 7): MR 1 5 -> 1 page, MR 5 18 ->
     * 4, MRs 3, 4, 6 one page each, the 13 others one empty page each (21);
     * each MR's notes: one page each, MRs 1 and 3 the 3 recorded each (the
     * reviews among them: MR 1's row 7, MR 3's rows 12, 13 and 17) */
    assert_int_equal(fetch_live(*state, NULL, "5", 0, &live), 4 + 9 + 45 + 2 + 21 + 18);
    assert_int_equal(live.n_pull_commits, 5 + 1 + 1 + 18 + 1);
    assert_int_equal(live.n_commits, 0);
    assert_int_equal(live.n_reviews, 1 + 3);
    cw_capture_init(&files);
    assert_int_equal(parse_with(cw_fixture(GL "devlake_raw_gitlab_api_merge_requests.csv"), repo_keys, &files), 0);
    assert_int_equal(parse_with(cw_fixture(GL "devlake_raw_gitlab_api_pipeline.csv"), repo_keys, &files), 0);
    assert_int_equal(parse_with(cw_fixture(GL "devlake_raw_gitlab_api_pipeline_details.csv"), repo_keys, &files), 0);
    assert_int_equal(parse_with(cw_fixture(GL "devlake_raw_gitlab_api_deployments.csv"), repo_keys, &files), 0);
    assert_int_equal(live.n_pulls, files.n_pulls);
    assert_int_equal(live.n_rejects, files.n_rejects);
    for (size_t i = 0; i < files.n_pulls; i++) {
        const cw_pull_request *a = &files.pulls[i], *b = cw_capture_pull(&live, a->number);
        assert_non_null(b);
        assert_true(a->merged_at == b->merged_at && a->updated_at == b->updated_at);
        assert_string_equal(a->source_branch, b->source_branch);
    }
    /* what each would leave in the warehouse: the last record per build */
    for (size_t i = 0; i < files.n_builds; i++) {
        const cw_build *a = last_build(&files, files.builds[i].job, files.builds[i].number);
        const cw_build *b = last_build(&live, a->job, a->number);
        assert_non_null(b);
        assert_string_equal(a->result, b->result);
        assert_true(a->started_at == b->started_at && a->finished_at == b->finished_at);
        assert_int_equal(a->is_deployment, b->is_deployment);
    }
    for (size_t i = 0; i < live.n_builds; i++)
        assert_non_null(last_build(&files, live.builds[i].job, live.builds[i].number));
    cw_capture_free(&live);
    cw_capture_free(&files);
}

/* X-Next-Page on the last page: a full last page leads to one empty page,
 * a short last page ends the walk at once. */
static void test_live_next_page_quirk(void **state)
{
    cw_capture live;
    /* MR 1's 5 commits fill their page: one empty page more (22 + 18) */
    assert_int_equal(fetch_live(*state, NULL, "5", 1, &live), 4 + 10 + 45 + 2 + 22 + 18);
    assert_int_equal(live.n_pulls, 18);
    cw_capture_free(&live);
}

/* updated_after: MRs 18 (2022-06-30), 20 (03-15), 21 (06-03); pipelines
 * updated from 07:35 on that day (485842553 on) and the 16 of 2023; no
 * deployment (2019). */
static void test_live_incremental(void **state)
{
    cw_capture live;
    /* + the commits and notes of MRs 18, 20 and 21: none recorded, 6 empty pages */
    assert_int_equal(fetch_live(*state, "2022-03-07T07:30:00Z", "100", 0, &live), 1 + 1 + 32 + 1 + 6);
    assert_int_equal(live.n_pulls, 3);
    assert_non_null(cw_capture_pull(&live, 20));
    assert_null(cw_capture_pull(&live, 19));
    assert_null(last_build(&live, REPO "/pipelines", 485837602));        /* updated 07:28 */
    assert_non_null(last_build(&live, REPO "/pipelines", 485842553));
    assert_non_null(last_build(&live, REPO "/pipelines", 1078343570));
    cw_capture_free(&live);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_requests),
        cmocka_unit_test(test_squash_only_merge_request),
        cmocka_unit_test(test_merged_at_means_merged),
        cmocka_unit_test(test_mr_commits),
        cmocka_unit_test(test_mr_commit_records),
        cmocka_unit_test(test_mr_notes),
        cmocka_unit_test(test_mr_note_recording),
        cmocka_unit_test(test_pipelines_list_shape),
        cmocka_unit_test(test_pipeline_details),
        cmocka_unit_test(test_deployments),
        cmocka_unit_test(test_jobs_passed_over),
        cmocka_unit_test(test_unknown_deployment_status),
        cmocka_unit_test(test_warehouse_rows),
        cw_replay_test(test_live_fetch),
        cw_replay_test(test_live_next_page_quirk),
        cw_replay_test(test_live_incremental),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
