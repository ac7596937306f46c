/*
 * test_github.c - the GitHub connector on the real DevLake recordings of
 * panjf2000/ants (pulls, PR commits, Actions runs and jobs) and of the
 * facebook/OpenBIC GraphQL deployments, on REST deployments and statuses
 * derived from that recording
 * (tests/data/github/README.md), and on hand-written pages; the deployment
 * statuses through the real warehouse in both load orders; and a live fetch
 * against the replay server (tests/replay/routes_github.py).
 *
 * Expected values are read by hand from the inputs: GitHub sends UTC "Z"
 * instants, so they are the text itself.
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

extern const cw_source_type cw_source_github;

#define ANTS "panjf2000/ants"
#define OPENBIC "facebook/OpenBIC"
#define GH "github/"

/* The [source gh] section of test.ini (line 9), keys from line 10. */
static void make_source(cw_test_source *t, const char *const *pairs)
{
    cw_test_source_init(t, 9, "gh", "github", pairs);
}

static const char *const ants_keys[] = {"repository", ANTS, NULL};
static const char *const openbic_keys[] = {"repository", OPENBIC, "production", "^github-pages$", NULL};

static int parse_with(const char *path, const char *const *pairs, cw_capture *cap)
{
    cw_test_source t;
    make_source(&t, pairs);
    return cw_source_github.parse(&t.src, path, &cap->sink);
}

static int parse(const char *path, const char *const *pairs, cw_capture *cap)
{
    cw_capture_init(cap);
    return parse_with(path, pairs, cap);
}

/* parse() of a page of JSON text, through a temporary file. */
static int parse_page(const char *page, const char *const *pairs, cw_capture *cap)
{
    const char *path = cw_temp_file(page, ".json");
    int rc = parse(path, pairs, cap);
    unlink(path);
    return rc;
}

/* ------------------------------------------------------ pull requests */

static void check_ants_pulls(const cw_capture *cap)
{
    const cw_pull_request *pr;
    /* 10 rows; PR 4 is recorded twice (a real DevLake duplicate) */
    assert_int_equal(cap->n_pulls, 10);
    assert_int_equal(cap->n_rejects, 0);
    pr = cw_capture_pull(cap, 4);
    assert_non_null(pr);
    assert_string_equal(pr->repository, ANTS);
    assert_string_equal(pr->state, "merged");
    assert_true(pr->merged_at == cw_t("2018-07-26T02:32:41Z"));
    assert_true(pr->created_at == cw_t("2018-07-25T08:19:30Z"));
    assert_true(pr->updated_at == cw_t("2018-08-29T04:11:46Z"));
    assert_string_equal(pr->source_branch, "pre_allocate");
    assert_string_equal(pr->target_branch, "master");
    assert_string_equal(pr->author, "barryz");
    assert_string_equal(pr->merge_commit_sha, "3ddd58c390b0f928a5782c235f90ad0c9c21312c");
    assert_null(pr->squash_commit_sha);
    assert_non_null(strstr(pr->body, "fix #3"));
    /* closed without merging: merge_commit_sha is set anyway (a test merge) */
    pr = cw_capture_pull(cap, 8);
    assert_non_null(pr);
    assert_string_equal(pr->state, "closed");
    assert_true(pr->merged_at == CW_NO_TIME);
    assert_true(pr->closed_at == cw_t("2018-10-30T00:12:13Z"));
    assert_non_null(pr->merge_commit_sha);
    assert_string_equal(pr->source_branch, "dev");
    pr = cw_capture_pull(cap, 19);
    assert_true(pr->merged_at == cw_t("2018-12-01T15:49:32Z"));
    assert_string_equal(pr->source_branch, "hotfix/tickerStop");
    assert_string_equal(pr->target_branch, "develop");
}

static void test_pulls_devlake_and_items(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse(cw_fixture(GH "devlake_raw_github_api_pull_requests.excerpt.csv"),
                           ants_keys, &cap), 0);
    check_ants_pulls(&cap);
    assert_int_equal(cap.pulls[2].origin.record, 4);       /* CSV record, header = 1 */
    cw_capture_free(&cap);
    /* the same items as a plain list page */
    assert_int_equal(parse(cw_fixture(GH "devlake_raw_github_api_pull_requests.excerpt.items.json"),
                           ants_keys, &cap), 0);
    check_ants_pulls(&cap);
    assert_int_equal(cap.pulls[2].origin.record, 3);       /* array index, 1-based */
    cw_capture_free(&cap);
}

/* ------------------------------------------------------ commits */

static void test_pr_commits(void **state)
{
    cw_capture cap;
    const cw_commit *c;
    (void)state;
    assert_int_equal(parse(cw_fixture(GH "devlake_raw_github_api_pull_request_commits.excerpt.csv"),
                           ants_keys, &cap), 0);
    assert_int_equal(cap.n_commits, 25);
    assert_int_equal(cap.n_rejects, 0);
    c = cw_capture_commit(&cap, "2fa305b66b7b4bd8116ef9c7635396ae6a3a9c68");
    assert_non_null(c);
    assert_string_equal(c->repository, ANTS);
    assert_string_equal(c->parents, "6c322c6373bf93124a8ac976e1ea57d919d6b83f "
                                    "7f82498abcec1ec09cce5634f6cbf4fcc3fff81c");
    assert_string_equal(c->subject, "Merge branch 'develop'");
    assert_null(c->body);
    assert_int_equal(c->additions, -1);
    assert_int_equal(c->files_changed, -1);
    c = cw_capture_commit(&cap, "5bbc9e170bbee27c37bcc30da3da75b4531d1edb");
    assert_string_equal(c->parents, "812dd4e01075be3cf97429a43abaf6837908cdcd");
    assert_string_equal(c->subject, "feature: add PanicHandler");
    assert_string_equal(c->body, "Signed-off-by: Cholerae Hu <choleraehyq@gmail.com>");
    cw_expect_author(c, "Cholerae Hu", "choleraehyq@gmail.com", "2019-01-21T10:57:23Z");
    assert_true(c->committed_at == cw_t("2019-01-22T05:09:19Z"));
    /* web-flow commit: GitHub is the committer */
    c = cw_capture_commit(&cap, "31e05e714036a7ffac8831e30fc19858eccdc2f5");
    assert_string_equal(c->committer_name, "GitHub");
    assert_string_equal(c->committer_email, "noreply@github.com");
    assert_string_equal(c->subject, "Update pool.go");
    assert_true(strncmp(c->body, "# chinese \r\n\tHopefully:", 23) == 0);
    cw_capture_free(&cap);
}

/* The real recording's rows name their PR in url (/pulls/N/commits) and
 * input ({"Number": N}): every row is also a PR commit, counted by hand
 * from the 25 rows: PR 11 14, PR 23 2 (one sha recorded twice), PR 9 2,
 * PRs 4, 8, 30, 36, 40, 41 and 48 one each. */
static void test_pr_commit_records(void **state)
{
    static const long single[] = {4, 8, 30, 36, 40, 41, 48};
    cw_capture cap;
    (void)state;
    assert_int_equal(parse(cw_fixture(GH "devlake_raw_github_api_pull_request_commits.excerpt.csv"),
                           ants_keys, &cap), 0);
    assert_int_equal(cap.n_pull_commits, 25);
    assert_int_equal(cw_capture_pull_commits(&cap, 11, NULL), 14);
    assert_int_equal(cw_capture_pull_commits(&cap, 23, NULL), 2);
    assert_int_equal(cw_capture_pull_commits(&cap, 23, "5bbc9e170bbee27c37bcc30da3da75b4531d1edb"), 2);
    assert_int_equal(cw_capture_pull_commits(&cap, 9, NULL), 2);
    for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++)
        assert_int_equal(cw_capture_pull_commits(&cap, single[i], NULL), 1);
    assert_int_equal(cw_capture_pull_commits(&cap, 11, "2fa305b66b7b4bd8116ef9c7635396ae6a3a9c68"), 1);
    assert_string_equal(cap.pull_commits[0].repository, ANTS);
    assert_true(cap.pull_commits[0].authored_at == cw_t("2019-01-21T10:57:23Z"));
    assert_int_equal(cap.pull_commits[0].origin.record, 2);     /* CSV record, header = 1 */
    cw_capture_free(&cap);
}

/* A JSON page names its PR by its file name only: pull-N-commits.json,
 * after the landing counters; any other name is a plain commit list. */
static void test_pr_commit_page_names(void **state)
{
    static const char page[] =
        "[{\"sha\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"parents\":[],"
        "\"commit\":{\"author\":{\"name\":\"A\",\"email\":\"a@x\",\"date\":\"2026-03-02T02:00:00Z\"},"
        "\"message\":\"one\"}}]";
    static const char *const names[] = {"pull-12-commits.json", "00003-0001-pull-12-commits.json",
                                        "commits.json", "pull-x-commits.json", "00001-pulls.json"};
    static const size_t expect[] = {1, 1, 0, 0, 0};
    char *dir = cw_temp_dir();
    (void)state;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        cw_capture cap;
        char *path = cw_asprintf("%s/%s", dir, names[i]);
        cw_write_file(dir, names[i], page);
        assert_int_equal(parse(path, ants_keys, &cap), 0);
        assert_int_equal(cap.n_commits, 1);                 /* a commit either way */
        assert_int_equal(cap.n_pull_commits, expect[i]);
        if (expect[i]) {
            assert_int_equal(cap.pull_commits[0].number, 12);
            assert_string_equal(cap.pull_commits[0].sha, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
            assert_true(cap.pull_commits[0].authored_at == cw_t("2026-03-02T02:00:00Z"));
        }
        cw_capture_free(&cap);
        free(path);
    }
    cw_remove_tree(dir);
    free(dir);
}

/* Reviews (/pulls/N/reviews): the PR from pull_request_url, else the file
 * name; state upper case; PENDING (no submitted_at) passed over; no id is
 * a reject. */
static void test_reviews(void **state)
{
    static const char page[] =
        "[{\"id\":501,\"user\":{\"login\":\"bob\"},\"state\":\"APPROVED\","
        "\"submitted_at\":\"2026-03-02T09:00:00Z\",\"commit_id\":\"c\","
        "\"pull_request_url\":\"https://api.github.com/repos/panjf2000/ants/pulls/41\"},"
        " {\"id\":502,\"user\":{\"login\":\"carol\"},\"state\":\"changes_requested\","
        "\"submitted_at\":\"2026-03-02T10:30:00+01:00\",\"commit_id\":\"c\"},"
        " {\"id\":503,\"user\":{\"login\":\"dave\"},\"state\":\"PENDING\",\"commit_id\":\"c\","
        "\"pull_request_url\":\"https://api.github.com/repos/panjf2000/ants/pulls/41\"},"
        " {\"user\":{\"login\":\"erin\"},\"state\":\"COMMENTED\","
        "\"submitted_at\":\"2026-03-02T11:00:00Z\","
        "\"pull_request_url\":\"https://api.github.com/repos/panjf2000/ants/pulls/41\"},"
        " {\"id\":505,\"user\":null,\"state\":\"DISMISSED\",\"submitted_at\":\"2026-03-02T12:00:00Z\","
        "\"pull_request_url\":\"https://api.github.com/repos/panjf2000/ants/pulls/41\"}]";
    char *dir = cw_temp_dir(), *path = cw_asprintf("%s/00002-pull-7-reviews.json", dir);
    const cw_pull_request_review *r;
    cw_capture cap;
    (void)state;
    cw_write_file(dir, "00002-pull-7-reviews.json", page);
    assert_int_equal(parse(path, ants_keys, &cap), 0);
    assert_int_equal(cap.n_reviews, 3);
    r = cw_capture_review(&cap, 501);
    assert_non_null(r);
    assert_string_equal(r->repository, ANTS);
    assert_int_equal(r->number, 41);                    /* pull_request_url wins */
    assert_string_equal(r->reviewer, "bob");
    assert_string_equal(r->state, "APPROVED");
    assert_true(r->submitted_at == cw_t("2026-03-02T09:00:00Z"));
    r = cw_capture_review(&cap, 502);
    assert_int_equal(r->number, 7);                     /* the file name's */
    assert_string_equal(r->state, "CHANGES_REQUESTED");
    assert_true(r->submitted_at == cw_t("2026-03-02T09:30:00Z"));
    assert_null(cw_capture_review(&cap, 503));          /* pending */
    r = cw_capture_review(&cap, 505);
    assert_null(r->reviewer);                           /* a deleted account */
    assert_int_equal(cap.n_rejects, 1);
    cw_expect_reject(&cap, 0, 4, "id", "pull request review without an id");
    assert_int_equal(cap.n_commits + cap.n_pulls, 0);
    cw_capture_free(&cap);
    /* a review page named by no PR: the review without pull_request_url is refused */
    cw_write_file(dir, "reviews.json", page);
    free(path);
    path = cw_asprintf("%s/reviews.json", dir);
    assert_int_equal(parse(path, ants_keys, &cap), 0);
    assert_int_equal(cap.n_reviews, 2);
    assert_int_equal(cap.n_rejects, 2);
    cw_expect_reject(&cap, 0, 2, "pull_request_url", "pull request review that names no pull request");
    cw_capture_free(&cap);
    free(path);
    cw_remove_tree(dir);
    free(dir);
}

/* The real recording of /pulls/41/reviews (3 rows of DevLake's 17):
 * reviews 277027723 and 277042368 by choleraehyq, 277036116 by panjf2000,
 * all COMMENTED. */
static void test_review_recording(void **state)
{
    const cw_pull_request_review *r;
    cw_capture cap;
    (void)state;
    assert_int_equal(parse(cw_fixture(GH "devlake_raw_github_api_pull_request_reviews.excerpt.csv"),
                           ants_keys, &cap), 0);
    assert_int_equal(cap.n_reviews, 3);
    assert_int_equal(cap.n_rejects, 0);
    r = cw_capture_review(&cap, 277036116);
    assert_non_null(r);
    assert_string_equal(r->repository, ANTS);
    assert_int_equal(r->number, 41);
    assert_string_equal(r->reviewer, "panjf2000");
    assert_string_equal(r->state, "COMMENTED");
    assert_true(r->submitted_at == cw_t("2019-08-20T09:19:55Z"));
    assert_int_equal(r->origin.record, 3);
    r = cw_capture_review(&cap, 277027723);
    assert_string_equal(r->reviewer, "choleraehyq");
    assert_true(r->submitted_at == cw_t("2019-08-20T09:05:02Z"));
    r = cw_capture_review(&cap, 277042368);
    assert_true(r->submitted_at == cw_t("2019-08-20T09:30:46Z"));
    cw_capture_free(&cap);
}

static void test_commit_list_page(void **state)
{
    static const char page[] =
        "[{\"sha\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"parents\":[],"
        "  \"commit\":{\"author\":{\"name\":\"A\",\"email\":\"a@x\",\"date\":\"2026-03-01T10:00:00Z\"},"
        "  \"committer\":{\"name\":\"A\",\"email\":\"a@x\",\"date\":\"2026-03-01T10:00:05Z\"},"
        "  \"message\":\"PAY-1 first line\\nsecond line\\n\\nbody text\"},"
        "  \"stats\":{\"additions\":7,\"deletions\":2},\"files\":[{},{},{}]},"
        " {\"sha\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\",\"parents\":[],"
        "  \"commit\":{\"author\":{\"name\":\"B\",\"date\":\"yesterday\"},\"message\":\"x\"}},"
        " {\"sha\":\"cccccccccccccccccccccccccccccccccccccccc\",\"parents\":[{\"sha\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}],"
        "  \"commit\":{\"author\":{\"name\":\"C\",\"date\":\"2026-03-02T10:00:00Z\"},\"message\":\"c\"}},"
        " 42]";
    cw_capture cap;
    const cw_commit *c;
    (void)state;
    assert_int_equal(parse_page(page, ants_keys, &cap), 0);
    assert_int_equal(cap.n_commits, 2);
    c = cw_capture_commit(&cap, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_string_equal(c->parents, "");
    assert_string_equal(c->subject, "PAY-1 first line second line");   /* git's %s */
    assert_string_equal(c->body, "body text");
    assert_int_equal(c->additions, 7);
    assert_int_equal(c->deletions, 2);
    assert_int_equal(c->files_changed, 3);
    assert_int_equal(cap.n_rejects, 2);
    cw_expect_reject(&cap, 0, 2, "commit.author.date", "'yesterday'");
    assert_int_equal(cap.rejects[1].origin.record, 4);
    cw_capture_free(&cap);
}

/* ------------------------------------------------------ workflow runs */

static void test_runs_devlake(void **state)
{
    static const char *const keys[] = {"repository", ANTS, "deployment_workflow", "^Lint$",
                                       "environment", "Production", NULL};
    cw_capture cap;
    const cw_build *b;
    (void)state;
    assert_int_equal(parse(cw_fixture(GH "devlake_raw_github_api_runs.excerpt.csv"), keys, &cap), 0);
    assert_int_equal(cap.n_builds, 11);
    assert_int_equal(cap.n_rejects, 0);
    b = cw_capture_build(&cap, ANTS "/CodeQL", 2983238245L)   /* run 158 */;
    assert_non_null(b);
    assert_string_equal(b->result, "success");
    assert_true(b->started_at == cw_t("2022-09-03T05:15:09Z"));
    assert_true(b->finished_at == cw_t("2022-09-03T05:16:16Z"));
    assert_true(strncmp(b->revision, "06e6934c", 8) == 0);
    assert_false(b->is_deployment);
    assert_null(b->environment);
    /* attempt 2 of run 75: run_started_at (the attempt), not created_at (the run) */
    b = cw_capture_build(&cap, ANTS "/Lint", 2589885639L)   /* run 75 */;
    assert_non_null(b);
    assert_true(b->started_at == cw_t("2022-07-01T13:34:14Z"));
    assert_true(b->finished_at == cw_t("2022-07-01T13:34:43Z"));
    cw_expect_deployment(b, "Production", 1); /* ^prod, caseless */
    cw_capture_free(&cap);
}

static void test_runs_page_shapes(void **state)
{
    static const char page[] =
        "{\"total_count\":4,\"workflow_runs\":["
        " {\"id\":1,\"name\":\"deploy-staging\",\"path\":\".github/workflows/d.yml\",\"run_number\":5,"
        "  \"workflow_id\":9,\"status\":\"in_progress\",\"conclusion\":null,"
        "  \"created_at\":\"2026-03-01T10:00:00Z\",\"updated_at\":\"2026-03-01T10:01:00Z\"},"
        " {\"id\":2,\"name\":\"deploy-prod\",\"run_number\":6,\"workflow_id\":9,\"status\":\"completed\","
        "  \"conclusion\":\"cancelled\",\"created_at\":\"2026-03-01T11:00:00Z\","
        "  \"updated_at\":\"2026-03-01T11:03:00Z\",\"head_sha\":\"abcabcabcabcabcabcabcabcabcabcabcabcabca\"},"
        " {\"id\":3,\"name\":\"\",\"path\":\".github/workflows/ci.yml\",\"run_number\":7,\"workflow_id\":8,"
        "  \"status\":\"completed\",\"conclusion\":\"timed_out\",\"run_started_at\":\"2026-03-01T12:00:00Z\","
        "  \"updated_at\":\"2026-03-01T12:30:00Z\"},"
        " {\"id\":4,\"name\":\"deploy-prod\",\"run_number\":8,\"workflow_id\":9,\"status\":\"completed\","
        "  \"conclusion\":\"success\",\"updated_at\":\"03/01/2026\"}]}";
    static const char *const keys[] = {"repository", "o/r",
                                       "deployment_workflow", "^deploy-(?<environment>\\w+)$", NULL};
    cw_capture cap;
    const cw_build *b;
    (void)state;
    assert_int_equal(parse_page(page, keys, &cap), 0);
    assert_int_equal(cap.n_builds, 2);                  /* the in-progress run waits */
    b = cw_capture_build(&cap, "o/r/deploy-prod", 2)        /* run 6 */;
    assert_non_null(b);
    assert_string_equal(b->result, "aborted");
    assert_true(b->started_at == cw_t("2026-03-01T11:00:00Z"));   /* created_at fallback */
    cw_expect_deployment(b, "prod", 1);
    b = cw_capture_build(&cap, "o/r/.github/workflows/ci.yml", 3);
    assert_non_null(b);
    assert_string_equal(b->result, "failure");
    assert_false(b->is_deployment);
    cw_expect_rejects(&cap, 1, {4, "updated_at", NULL});
    cw_capture_free(&cap);
}

/* Two workflow files both named Deploy count their runs apart, so both have
 * a run 12: keyed by workflow name + run number they were one build, and the
 * production success disappeared under the staging failure.  The run id is
 * unique; it is the build number. */
static void test_runs_keyed_by_id(void **state)
{
    static const char page[] =
        "{\"total_count\":2,\"workflow_runs\":["
        " {\"id\":9001,\"name\":\"Deploy\",\"path\":\".github/workflows/prod.yml\",\"run_number\":12,"
        "  \"workflow_id\":1,\"status\":\"completed\",\"conclusion\":\"success\",\"head_sha\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
        "  \"run_started_at\":\"2026-03-01T10:00:00Z\",\"updated_at\":\"2026-03-01T10:05:00Z\"},"
        " {\"id\":9002,\"name\":\"Deploy\",\"path\":\".github/workflows/staging.yml\",\"run_number\":12,"
        "  \"workflow_id\":2,\"status\":\"completed\",\"conclusion\":\"failure\",\"head_sha\":\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\","
        "  \"run_started_at\":\"2026-03-01T11:00:00Z\",\"updated_at\":\"2026-03-01T11:05:00Z\"},"
        " {\"name\":\"Deploy\",\"run_number\":13,\"workflow_id\":2,\"status\":\"completed\","
        "  \"conclusion\":\"success\",\"updated_at\":\"2026-03-01T12:05:00Z\"}]}";
    static const char *const keys[] = {"repository", "o/r", "deployment_workflow", "^Deploy$",
                                       "environment", "production", NULL};
    cw_capture cap;
    const cw_build *b;
    (void)state;
    assert_int_equal(parse_page(page, keys, &cap), 0);
    assert_int_equal(cap.n_builds, 2);
    b = cw_capture_build(&cap, "o/r/Deploy", 9001);
    assert_non_null(b);
    assert_string_equal(b->result, "success");
    assert_string_equal(b->revision, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    b = cw_capture_build(&cap, "o/r/Deploy", 9002);
    assert_non_null(b);
    assert_string_equal(b->result, "failure");
    assert_int_equal(cap.n_rejects, 1);             /* a run without an id */
    assert_string_equal(cap.rejects[0].field, "id");
    cw_capture_free(&cap);
}

/* ------------------------------------------------------ deployments */

static void test_deployments_and_statuses(void **state)
{
    cw_capture cap;
    const cw_build *b;
    (void)state;
    assert_int_equal(parse(cw_test_data(GH "deployments.json"), openbic_keys, &cap), 0);
    assert_int_equal(cap.n_builds, 8);
    assert_int_equal(cap.n_rejects, 0);
    b = cw_capture_build(&cap, OPENBIC "/deployments", 3881429895L);
    cw_expect_deployment(b, "github-pages", 1);
    assert_true(b->finished_at == CW_NO_TIME);          /* from its statuses */
    assert_null(b->result);
    assert_true(b->started_at == cw_t("2026-02-20T00:30:37Z"));
    assert_string_equal(b->revision, "0916a0afdfa825779c892a8951bde706a054d352");
    b = cw_capture_build(&cap, OPENBIC "/deployments", 1000000001L);
    assert_string_equal(b->environment, "production");
    assert_false(b->is_production);                     /* production = ^github-pages$ */
    assert_int_equal(parse_with(cw_test_data(GH "statuses-3839563910.json"), openbic_keys, &cap), 0);
    assert_int_equal(cap.n_statuses, 3);
    assert_string_equal(cap.statuses[1].job, OPENBIC "/deployments");
    assert_int_equal(cap.statuses[1].number, 3839563910L);
    assert_string_equal(cap.statuses[1].state, "success");
    assert_int_equal(cap.statuses[1].status_id, 9000005);
    assert_true(cap.statuses[1].created_at == cw_t("2026-02-14T00:32:36Z"));
    cw_capture_free(&cap);
}

/* The GraphQL recording (DevLake's PascalCase Go struct) read as
 * deployments: 7 rows, all loaded.  The first two carry Statuses.nodes
 * (newest first); the other five, from an older DevLake query, only
 * LatestStatus. */
static void test_graphql_deployments(void **state)
{
    cw_capture cap;
    const cw_build *b;
    (void)state;
    assert_int_equal(parse(cw_fixture(GH "devlake_raw_github_graphql_deployment.csv"), openbic_keys,
                           &cap), 0);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(cap.n_builds, 7);
    assert_int_equal(cap.n_statuses, 0);
    /* SUCCESS 00:30:59 after IN_PROGRESS and QUEUED */
    b = cw_capture_build(&cap, OPENBIC "/deployments", 3881429895L);
    cw_expect_deployment(b, "github-pages", 1);
    assert_string_equal(b->result, "success");
    assert_true(b->started_at == cw_t("2026-02-20T00:30:37Z"));
    assert_true(b->finished_at == cw_t("2026-02-20T00:30:59Z"));
    assert_string_equal(b->revision, "0916a0afdfa825779c892a8951bde706a054d352");
    /* INACTIVE 02-20 is newest; the first SUCCESS (02-14 00:32:36) is the time */
    b = cw_capture_build(&cap, OPENBIC "/deployments", 3839563910L);
    assert_string_equal(b->result, "success");
    assert_true(b->started_at == cw_t("2026-02-14T00:32:15Z"));
    assert_true(b->finished_at == cw_t("2026-02-14T00:32:36Z"));
    /* only LatestStatus INACTIVE: success time unknown, left unfinished */
    b = cw_capture_build(&cap, OPENBIC "/deployments", 1670973641L);
    assert_non_null(b);
    assert_null(b->result);
    assert_true(b->finished_at == CW_NO_TIME);
    assert_true(b->started_at == cw_t("2024-07-24T00:18:51Z"));
    /* only LatestStatus SUCCESS at 00:18:12 (UpdatedAt is 00:18:13) */
    b = cw_capture_build(&cap, OPENBIC "/deployments", 1707033729L);
    assert_string_equal(b->result, "success");
    assert_true(b->finished_at == cw_t("2024-08-08T00:18:12Z"));
    assert_string_equal(b->revision, "c0cfe86acc9ee2c2d0e64a5f1276e1ac3cf1f5c6");
    cw_capture_free(&cap);
}

/* Hand-written GraphQL nodes: FAILURE/ERROR without SUCCESS finish as a
 * failure at the first of them; SUCCESS wins over an earlier ERROR; a bad
 * updatedAt or a missing DatabaseId is a reject; the good rows still load. */
static void test_graphql_edge_cases(void **state)
{
    static const char page[] =
        "[{\"DatabaseId\": 11, \"CommitOid\": \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\", \"Environment\": \"production\","
        "  \"CreatedAt\": \"2026-01-01T10:00:00Z\", \"Statuses\": {\"nodes\": ["
        "   {\"state\": \"ERROR\", \"updatedAt\": \"2026-01-01T10:05:00Z\"},"
        "   {\"state\": \"FAILURE\", \"updatedAt\": \"2026-01-01T10:03:00Z\"},"
        "   {\"state\": \"QUEUED\", \"updatedAt\": \"2026-01-01T10:01:00Z\"}]}},"
        " {\"DatabaseId\": 12, \"CommitOid\": \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\", \"Environment\": \"production\","
        "  \"CreatedAt\": \"2026-01-02T10:00:00Z\", \"Statuses\": {\"nodes\": ["
        "   {\"state\": \"SUCCESS\", \"updatedAt\": \"2026-01-02T10:09:00Z\"},"
        "   {\"state\": \"ERROR\", \"updatedAt\": \"2026-01-02T10:02:00Z\"}]}},"
        " {\"DatabaseId\": 13, \"CommitOid\": \"cccccccccccccccccccccccccccccccccccccccc\", \"Environment\": \"production\","
        "  \"CreatedAt\": \"2026-01-03T10:00:00Z\", \"Statuses\": {\"nodes\": ["
        "   {\"state\": \"SUCCESS\", \"updatedAt\": \"yesterday\"}]}},"
        " {\"CommitOid\": \"dddddddddddddddddddddddddddddddddddddddd\", \"Environment\": \"production\", \"DatabaseId\": null,"
        "  \"CreatedAt\": \"2026-01-04T10:00:00Z\"}]";
    cw_capture cap;
    const cw_build *b;
    (void)state;
    assert_int_equal(parse_page(page, ants_keys, &cap), 0);
    assert_int_equal(cap.n_builds, 2);
    b = cw_capture_build(&cap, ANTS "/deployments", 11);
    assert_string_equal(b->result, "failure");
    assert_true(b->finished_at == cw_t("2026-01-01T10:03:00Z"));
    assert_true(b->is_production);                      /* default ^prod */
    b = cw_capture_build(&cap, ANTS "/deployments", 12);
    assert_string_equal(b->result, "success");
    assert_true(b->finished_at == cw_t("2026-01-02T10:09:00Z"));
    cw_expect_rejects(&cap, 2, {3, "Statuses.nodes.updatedAt", NULL}, {4, "DatabaseId", NULL});
    cw_capture_free(&cap);
}

/* Actions jobs are parts of a run (the run is the build): all 35 recorded
 * jobs are recognised and passed over, neither loaded nor refused. */
static void test_jobs_passed_over(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse(cw_fixture(GH "devlake_raw_github_api_jobs.csv"), ants_keys, &cap), 0);
    assert_int_equal(cap.n_builds + cap.n_commits + cap.n_pulls + cap.n_statuses, 0);
    assert_int_equal(cap.n_rejects, 0);
    cw_capture_free(&cap);
}

/* ------------------------------------------------------ through the warehouse */

static const char *const status_files[] = {
    "statuses-3881429895.json", "statuses-3839563910.json", "statuses-1670973641.json",
    "statuses-1693412381.json", "statuses-1696032217.json", "statuses-1701084484.json",
    "statuses-1707033729.json", "statuses-1000000001.json", NULL,
};

static void load_files(cw_warehouse *wh, const char *const *files)
{
    cw_test_source t;
    int64_t batch;
    make_source(&t, openbic_keys);
    assert_int_equal(cw_wh_batch_begin(wh, "test.ini", &batch), 0);
    assert_int_equal(cw_wh_source(wh, "gh", "github"), 0);
    for (; *files; files++) {
        char rel[128];
        snprintf(rel, sizeof(rel), GH "%s", *files);
        assert_int_equal(cw_source_github.parse(&t.src, cw_test_data(rel), cw_wh_sink(wh)), 0);
    }
    assert_int_equal(cw_wh_resolve(wh), 0);
    assert_int_equal(cw_wh_batch_commit(wh, "ok", NULL), 0);
}

/* Every deployment row, as text, in a fixed order ("a|b|...;" a row). */
static char *deployment_rows(cw_warehouse *wh)
{
    return cw_query_rows(cw_wh_db(wh),
        "SELECT b.job, b.number, coalesce(b.result, '-'), coalesce(b.finished_at, -1),"
        " coalesce(d.finished_at, -1), coalesce(d.result, '-'), coalesce(d.is_production, -1),"
        " coalesce(e.name, '-'), b.revision"
        "  FROM fact_build b LEFT JOIN fact_deployment d USING (build_id)"
        "  LEFT JOIN dim_environment e ON e.environment_id = b.environment_id"
        " ORDER BY b.number");
}

/* A one-value query on the warehouse. */
static long count(cw_warehouse *wh, const char *sql)
{
    return cw_query_long(cw_wh_db(wh), sql);
}

static void test_statuses_any_order(void **state)
{
    static const char *const deployments[] = {"deployments.json", NULL};
    char p1[512], p2[512];
    cw_warehouse *a = cw_test_warehouse(p1, sizeof(p1)), *b = cw_test_warehouse(p2, sizeof(p2));
    char *rows_a, *rows_b, *again;
    const char *expect;
    (void)state;

    /* a: deployments, then statuses in a later batch; b: statuses first, in one batch */
    load_files(a, deployments);
    assert_int_equal(count(a, "SELECT count(*) FROM fact_deployment"), 0);
    load_files(a, status_files);
    {
        const char *mixed[10];
        size_t n = 0;
        for (size_t i = 0; status_files[i]; i++)
            mixed[n++] = status_files[i];
        mixed[n++] = "deployments.json";
        mixed[n] = NULL;
        load_files(b, mixed);
    }
    rows_a = deployment_rows(a);
    rows_b = deployment_rows(b);
    assert_string_equal(rows_a, rows_b);

    /* by hand: first success (statuses come newest first); the failed one
     * finishes at its error; inactive-only ones stay unfinished and out of
     * fact_deployment */
    assert_int_equal(count(a, "SELECT count(*) FROM fact_deployment"), 4);
    assert_int_equal(count(a, "SELECT count(*) FROM fact_build WHERE finished_at IS NULL"), 4);
    assert_int_equal(count(a, "SELECT d.finished_at FROM fact_deployment d JOIN fact_build b USING (build_id)"
                              " WHERE b.number = 3839563910"), (long)cw_t("2026-02-14T00:32:36Z"));
    assert_int_equal(count(a, "SELECT d.finished_at FROM fact_deployment d JOIN fact_build b USING (build_id)"
                              " WHERE b.number = 3881429895 AND d.result = 'success'"
                              " AND d.is_production = 1"), (long)cw_t("2026-02-20T00:30:59Z"));
    assert_int_equal(count(a, "SELECT d.finished_at FROM fact_deployment d JOIN fact_build b USING (build_id)"
                              " WHERE b.number = 1000000001 AND d.result = 'failure'"
                              " AND d.is_production = 0"), (long)cw_t("2026-03-02T10:05:00Z"));
    expect = "facebook/OpenBIC/deployments|1707033729|success|1723076292|1723076292|success|1|"
             "github-pages|c0cfe86acc9ee2c2d0e64a5f1276e1ac3cf1f5c6;";
    assert_non_null(strstr(rows_a, expect));    /* 2024-08-08T00:18:12Z = 1723076292 */

    /* the deployments page again (an incremental overlap) keeps what the statuses gave */
    load_files(a, deployments);
    again = deployment_rows(a);
    assert_string_equal(again, rows_a);
    free(again);
    free(rows_a);
    free(rows_b);
    cw_test_warehouse_drop(a, p1);
    cw_test_warehouse_drop(b, p2);
}

/* The GraphQL recording through the warehouse: its three finished
 * deployments enter fact_deployment at once, and the REST statuses of the
 * same ids, loaded in a later batch, agree with them (same finish). */
static void test_graphql_warehouse(void **state)
{
    static const char finished[] =
        "SELECT group_concat(number || '@' || finished_at, ' ') FROM"
        " (SELECT b.number, d.finished_at FROM fact_deployment d JOIN fact_build b USING (build_id)"
        "   ORDER BY b.number)";
    char path[512];
    cw_warehouse *wh = cw_test_warehouse(path, sizeof(path));
    cw_test_source t;
    int64_t batch;
    char *before, *after;
    (void)state;
    make_source(&t, openbic_keys);
    assert_int_equal(cw_wh_batch_begin(wh, "test.ini", &batch), 0);
    assert_int_equal(cw_wh_source(wh, "gh", "github"), 0);
    assert_int_equal(cw_source_github.parse(&t.src, cw_fixture(GH "devlake_raw_github_graphql_deployment.csv"),
                                            cw_wh_sink(wh)), 0);
    assert_int_equal(cw_wh_resolve(wh), 0);
    assert_int_equal(cw_wh_batch_commit(wh, "ok", NULL), 0);
    assert_int_equal(count(wh, "SELECT count(*) FROM reject"), 0);
    assert_int_equal(count(wh, "SELECT count(*) FROM fact_build WHERE is_deployment = 1"), 7);
    assert_int_equal(count(wh, "SELECT count(*) FROM fact_deployment WHERE result = 'success'"
                               " AND is_production = 1"), 3);
    before = cw_query_text(cw_wh_db(wh), finished);
    /* 2024-08-08T00:18:12Z, 2026-02-14T00:32:36Z, 2026-02-20T00:30:59Z */
    assert_string_equal(before, "1707033729@1723076292 3839563910@1771029156 3881429895@1771547459");
    load_files(wh, status_files);
    after = cw_query_text(cw_wh_db(wh), finished);
    assert_string_equal(after, before);
    free(before);
    free(after);
    cw_test_warehouse_drop(wh, path);
}

/* ------------------------------------------------------ live fetch (replay server) */

/* Parse every landed page in name order into cap. */
static void parse_landed(const char *dir, const char *const *keys, cw_capture *cap, long *files)
{
    cw_test_source t;
    make_source(&t, keys);
    *files = cw_parse_dir(&cw_source_github, &t.src, dir, cap);
}

/* Serve the recordings and the REST pages from a fresh folder's data/,
 * fetch the source of keys (base_url and token_env added) with the
 * watermark since into its land/, and stop the server.  The fetch's error
 * goes to error.  Returns the folder (caller removes and frees). */
static char *fetch_live(cw_replay *r, const char *token, const char *const *keys, int64_t since,
                        char *error, size_t size)
{
    char *root = cw_temp_dir();
    char *data = cw_asprintf("%s/data", root), *land = cw_asprintf("%s/land", root);
    cw_test_source t;
    cw_fetch f;

    assert_int_equal(cw_system("mkdir -p %s/github %s", data, land), 0);
    assert_int_equal(cw_system("cp $CW_FIXTURES/github/*.csv %s/github/ && cp tests/data/github/*.json %s/github/",
                               data, data), 0);
    assert_int_equal(cw_replay_start(r, data, token, NULL, NULL), 0);
    setenv("CW_TEST_GH_TOKEN", token, 1);
    make_source(&t, keys);
    cw_test_source_set(&t, "base_url", r->base_url);
    cw_test_source_set(&t, "token_env", "CW_TEST_GH_TOKEN");
    assert_int_equal(cw_fetch_init(&f, &t.src, land, since, 0, cw_source_github.auth_kind), 0);
    assert_int_equal(cw_source_github.fetch(&f), 0);
    snprintf(error, size, "%s", f.error);
    cw_fetch_cleanup(&f);
    cw_replay_stop(r);
    free(data);
    free(land);
    return root;
}

static void test_live_fetch(void **state)
{
    static const char token[] = "ghp_replaytoken123";
    /* page_size 4: every list takes several pages, so Link is followed */
    const char *keys[] = {"repository", ANTS, "page_size", "4", NULL};
    char error[512], *root, *land;
    cw_capture live, files;
    long landed;

    root = fetch_live(*state, token, keys, CW_NO_TIME, error, sizeof(error));
    assert_string_equal(error, "");
    land = cw_asprintf("%s/land", root);

    /* the landed pages parse to the records of the fixture files */
    cw_capture_init(&live);
    parse_landed(land, keys, &live, &landed);
    /* ceil(9/4) pulls + ceil(24/4) commits + ceil(8/4) deployments + ceil(11/4) runs
     * + 8 statuses pages (none holds more than 3) + each PR's commits (PRs 4,
     * 8, 9: one page; PR 11's 14: 4 pages; PRs 13, 14, 15, 16, 19: one empty
     * page each) + each PR's reviews (none recorded: 9 empty pages) */
    assert_int_equal(landed, 3 + 6 + 2 + 3 + 8 + (3 + 4 + 5) + 9);
    assert_int_equal(live.n_pull_commits, 1 + 1 + 2 + 14);
    assert_int_equal(live.n_reviews, 0);
    cw_capture_init(&files);
    assert_int_equal(parse_with(cw_fixture(GH "devlake_raw_github_api_pull_requests.excerpt.csv"),
                                ants_keys, &files), 0);
    assert_int_equal(parse_with(cw_fixture(GH "devlake_raw_github_api_pull_request_commits.excerpt.csv"),
                                ants_keys, &files), 0);
    assert_int_equal(parse_with(cw_fixture(GH "devlake_raw_github_api_runs.excerpt.csv"),
                                ants_keys, &files), 0);
    assert_int_equal(parse_with(cw_test_data(GH "deployments.json"), ants_keys, &files), 0);
    assert_int_equal(live.n_rejects, 0);
    /* the route serves distinct items (the recordings hold two duplicates) */
    assert_int_equal(live.n_pulls, 9);
    /* the 24 of /commits, and the 18 of the PRs' pages again (one row each
     * in a warehouse) */
    assert_int_equal(live.n_commits, 24 + 18);
    assert_int_equal(live.n_builds, files.n_builds);
    assert_int_equal(live.n_statuses, 13);
    /* PR 4 is recorded twice with different titles: the route serves the
     * last recording, the one a warehouse load of the file keeps */
    for (size_t i = 0; i < files.n_pulls; i++) {
        const cw_pull_request *a = &files.pulls[i], *b = cw_capture_pull(&live, a->number);
        if (i == 0 && a->number == 4)
            continue;
        assert_non_null(b);
        assert_true(a->merged_at == b->merged_at && a->created_at == b->created_at);
        assert_string_equal(a->title, b->title);
    }
    for (size_t i = 0; i < files.n_commits; i++) {
        const cw_commit *a = &files.commits[i], *b = cw_capture_commit(&live, a->sha);
        assert_non_null(b);
        assert_string_equal(a->parents, b->parents);
        assert_true(a->authored_at == b->authored_at);
    }
    for (size_t i = 0; i < files.n_builds; i++) {
        const cw_build *a = &files.builds[i], *b = cw_capture_build(&live, a->job, a->number);
        assert_non_null(b);
        assert_true(a->finished_at == b->finished_at && a->started_at == b->started_at);
    }
    cw_capture_free(&live);
    cw_capture_free(&files);
    assert_int_equal(cw_system("grep -rqs %s %s", token, root) != 0, 1);   /* no token landed */
    cw_remove_tree(root);
    free(land);
    free(root);
}

/* Fetch from the replay server with the watermark `since` into cap; returns
 * the number of landed pages. */
static long fetch_delta(cw_replay *r, const char *since, cw_capture *cap)
{
    static const char token[] = "ghp_replaytoken456";
    const char *keys[] = {"repository", ANTS, NULL};
    char error[512], *root = fetch_live(r, token, keys, cw_t(since), error, sizeof(error));
    char *land = cw_asprintf("%s/land", root);
    long landed;

    cw_capture_init(cap);
    parse_landed(land, keys, cap, &landed);
    cw_remove_tree(root);
    free(land);
    free(root);
    return landed;
}

/* A delta fetch: commits by `since`, runs by `created>=`; pulls and
 * deployments have no such filter and come whole. */
static void test_live_incremental(void **state)
{
    cw_capture cap;
    /* one page per list + the 8 statuses pages */
    assert_int_equal(fetch_delta(*state, "2019-06-01T00:00:00Z", &cap), 4 + 8);
    /* committed on or after 2019-06-01: 5dc8b9a (07-26), 39f04c6 (06-27),
     * 58466b1 (08-20), bba6c12 (08-27) */
    assert_int_equal(cap.n_commits, 4);
    assert_non_null(cw_capture_commit(&cap, "39f04c6e65b76b5f20abd3ca0606db4cd038e5c2"));
    assert_int_equal(cap.n_pulls, 9);
    assert_int_equal(cap.n_statuses, 13);
    assert_int_equal(cap.n_builds, 8 + 11);     /* deployments + every run (all of 2022) */
    cw_capture_free(&cap);
    /* created on or after 2022-08-01: runs 154 (08-06) to 158 (09-03); no commit */
    assert_int_equal(fetch_delta(*state, "2022-08-01T00:00:00Z", &cap), 4 + 8);
    assert_int_equal(cap.n_commits, 0);
    assert_int_equal(cap.n_builds, 8 + 5);
    assert_non_null(cw_capture_build(&cap, ANTS "/CodeQL", 2807709308L));
    assert_null(cw_capture_build(&cap, ANTS "/CodeQL", 2764660507L));
    cw_capture_free(&cap);
    /* statuses only of deployments updated since 2026-02-15: 3881429895 and
     * 3839563910 (2026-02-20), 1000000001 (2026-03-02) */
    assert_int_equal(fetch_delta(*state, "2026-02-15T00:00:00Z", &cap), 4 + 3);
    assert_int_equal(cap.n_statuses, 3 + 3 + 2);
    assert_int_equal(cap.n_builds, 8);          /* the deployments, no run */
    cw_capture_free(&cap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pulls_devlake_and_items),
        cmocka_unit_test(test_pr_commits),
        cmocka_unit_test(test_commit_list_page),
        cmocka_unit_test(test_runs_devlake),
        cmocka_unit_test(test_runs_page_shapes),
        cmocka_unit_test(test_runs_keyed_by_id),
        cmocka_unit_test(test_deployments_and_statuses),
        cmocka_unit_test(test_graphql_deployments),
        cmocka_unit_test(test_graphql_edge_cases),
        cmocka_unit_test(test_jobs_passed_over),
        cmocka_unit_test(test_statuses_any_order),
        cmocka_unit_test(test_graphql_warehouse),
        cmocka_unit_test(test_pr_commit_records),
        cmocka_unit_test(test_pr_commit_page_names),
        cmocka_unit_test(test_reviews),
        cmocka_unit_test(test_review_recording),
        cw_replay_test(test_live_fetch),
        cw_replay_test(test_live_incremental),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
