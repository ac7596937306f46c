/*
 * test_graph.c - the deployment ancestry walk on hand-drawn histories:
 * linear, merges, rollback, untraceable revisions, the baseline rule, the
 * run-number tie-break, abbreviated shas and a deep history.
 */
#include "support.h"
#include "core/util.h"
#include "transform/graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"
#define C3 "3333333333333333333333333333333333333333"
#define C4 "4444444444444444444444444444444444444444"
#define F1 "f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1f1"
#define M1 "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
#define MG "e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0"

/* What the walk emitted: one row per newly deployed commit. */
typedef struct row {
    int64_t deployment_id, commit_id;
    int has_lead;
    int64_t lead;
} row;

typedef struct rows {
    row r[64];
    int n;
} rows;

static int record(void *ctx, const cw_deploy *d, const cw_gnode *node)
{
    rows *out = ctx;
    row *r = &out->r[out->n++];
    assert_true(out->n <= 64);
    r->deployment_id = d->deployment_id;
    r->commit_id = node->commit_id;
    r->has_lead = cw_graph_lead_time(d, node, &r->lead);
    return 0;
}

/* The row for a commit, failing the test when it was not deployed. */
static const row *row_of(const rows *out, int64_t commit_id)
{
    for (int i = 0; i < out->n; i++)
        if (out->r[i].commit_id == commit_id)
            return &out->r[i];
    fail_msg("commit %lld was not deployed", (long long)commit_id);
    return NULL;
}

static int deployed(const rows *out, int64_t commit_id)
{
    for (int i = 0; i < out->n; i++)
        if (out->r[i].commit_id == commit_id)
            return 1;
    return 0;
}

static cw_deploy dep(int64_t id, int64_t finished, long run, const char *rev)
{
    cw_deploy d = { .deployment_id = id, .finished_at = finished, .run_number = run,
                    .revision = rev };
    return d;
}

/* c1 <- c2 <- c3 <- c4, authored at 1000, 2000, 3000, 4000. */
static cw_graph *linear(void)
{
    cw_graph *g = cw_graph_new();
    /* added child first: parents may come after their children */
    assert_int_equal(cw_graph_add(g, C4, C3, 4000, 4), 0);
    cw_graph_add(g, C3, C2, 3000, 3);
    cw_graph_add(g, C2, C1, 2000, 2);
    cw_graph_add(g, C1, "", 1000, 1);
    cw_graph_finish(g);
    return g;
}

static void test_linear_history_and_baseline(void **state)
{
    cw_graph *g = linear();
    cw_deploy d[] = { dep(20, 5000, 2, C4), dep(10, 2500, 1, C2) };
    rows out = { .n = 0 };

    assert_int_equal(cw_graph_walk(g, d, 2, record, &out), 0);
    /* sorted by finished_at: the baseline (10) comes first */
    assert_int_equal(d[0].deployment_id, 10);
    assert_true(d[0].traceable && d[0].is_baseline);
    assert_int_equal(d[0].commits_deployed, 2);
    assert_true(d[1].traceable && !d[1].is_baseline);
    assert_int_equal(d[1].commits_deployed, 2);
    assert_int_equal(out.n, 4);

    /* baseline commits: deployed, no lead time */
    assert_int_equal(row_of(&out, 1)->deployment_id, 10);
    assert_false(row_of(&out, 1)->has_lead);
    assert_false(row_of(&out, 2)->has_lead);
    /* 5000 - 4000 and 5000 - 3000 */
    assert_int_equal(row_of(&out, 4)->deployment_id, 20);
    assert_int_equal(row_of(&out, 4)->lead, 1000);
    assert_int_equal(row_of(&out, 3)->lead, 2000);
    assert_int_equal(cw_graph_node(g, cw_graph_find(g, C3))->deployed_by, 1);
    cw_graph_free(g);
}

static void test_merge_both_sides(void **state)
{
    /* c1 <- m1 and c1 <- f1, merged by MG (parents m1 f1). */
    cw_graph *g = cw_graph_new();
    cw_graph_add(g, C1, "", 100, 1);
    cw_graph_add(g, F1, C1, 200, 2);
    cw_graph_add(g, M1, C1, 300, 3);
    cw_graph_add(g, MG, M1 " " F1, 400, 4);
    cw_graph_finish(g);
    cw_deploy d[] = { dep(1, 150, 1, C1), dep(2, 1000, 2, MG) };
    rows out = { .n = 0 };

    assert_int_equal(cw_graph_walk(g, d, 2, record, &out), 0);
    assert_int_equal(d[1].commits_deployed, 3);
    assert_int_equal(row_of(&out, 4)->deployment_id, 2);
    assert_false(row_of(&out, 4)->has_lead);            /* the merge itself */
    assert_int_equal(row_of(&out, 3)->lead, 1000 - 300);
    assert_int_equal(row_of(&out, 2)->lead, 1000 - 200);
    assert_int_equal(cw_graph_node(g, cw_graph_find(g, MG))->n_parents, 2);
    cw_graph_free(g);
}

static void test_rollback_deploys_nothing(void **state)
{
    cw_graph *g = linear();
    cw_deploy d[] = { dep(1, 1500, 1, C1), dep(2, 5000, 2, C3), dep(3, 6000, 3, C2),
                      dep(4, 7000, 4, C3) };
    rows out = { .n = 0 };

    assert_int_equal(cw_graph_walk(g, d, 4, record, &out), 0);
    assert_int_equal(d[1].commits_deployed, 2);          /* c3, c2 */
    assert_true(d[2].traceable && !d[2].is_baseline);
    assert_int_equal(d[2].commits_deployed, 0);          /* rollback to c2 */
    assert_int_equal(d[3].commits_deployed, 0);          /* c3 again */
    assert_int_equal(row_of(&out, 2)->deployment_id, 2);
    assert_int_equal(row_of(&out, 2)->lead, 3000);
    assert_false(deployed(&out, 4));
    cw_graph_free(g);
}

static void test_untraceable_is_not_baseline(void **state)
{
    cw_graph *g = linear();
    cw_deploy d[] = {
        dep(1, 100, 1, "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef"),
        dep(2, 200, 2, NULL),
        dep(3, 300, 3, "12345"),                           /* too short to be a prefix */
        dep(4, 2500, 4, C2),
        dep(5, 4500, 5, C4),
    };
    rows out = { .n = 0 };

    assert_int_equal(cw_graph_walk(g, d, 5, record, &out), 0);
    for (int i = 0; i < 3; i++) {
        assert_false(d[i].traceable);
        assert_false(d[i].is_baseline);
        assert_int_equal(d[i].commits_deployed, 0);
    }
    assert_true(d[3].is_baseline);
    assert_false(row_of(&out, 1)->has_lead);
    assert_int_equal(row_of(&out, 4)->lead, 500);
    assert_int_equal(row_of(&out, 3)->lead, 1500);
    cw_graph_free(g);
}

static void test_tie_break_by_run_number(void **state)
{
    cw_graph *g = linear();
    /* equal finished_at: run 7 (c2) goes before run 8 (c3); equal run: by id */
    cw_deploy d[] = { dep(30, 1000, 8, C3), dep(20, 1000, 7, C2), dep(10, 500, 1, C1),
                      dep(41, 9000, 9, C4), dep(40, 9000, 9, C4) };
    rows out = { .n = 0 };

    assert_int_equal(cw_graph_walk(g, d, 5, record, &out), 0);
    assert_int_equal(d[0].deployment_id, 10);
    assert_int_equal(d[1].deployment_id, 20);
    assert_int_equal(d[2].deployment_id, 30);
    assert_int_equal(d[3].deployment_id, 40);
    assert_int_equal(row_of(&out, 2)->deployment_id, 20);
    assert_int_equal(row_of(&out, 3)->deployment_id, 30);
    assert_int_equal(row_of(&out, 3)->lead, 1000 - 3000);   /* negative, as computed */
    assert_int_equal(row_of(&out, 4)->deployment_id, 40);
    assert_int_equal(d[4].commits_deployed, 0);
    cw_graph_free(g);
}

static void test_abbreviated_revisions(void **state)
{
    cw_graph *g = cw_graph_new();
    cw_graph_add(g, "abcdef1000000000000000000000000000000000", "", 1, 1);
    cw_graph_add(g, "abcdef1900000000000000000000000000000000", "", 2, 2);
    cw_graph_add(g, "0123456789abcdef0123456789abcdef01234567", "", 3, 3);
    cw_graph_finish(g);

    assert_int_equal(cw_graph_find(g, "0123456"), 2);
    assert_int_equal(cw_graph_find(g, "0123456789ABCDEF"), 2);       /* case-insensitive */
    assert_int_equal(cw_graph_find(g, "abcdef10"), 0);
    assert_int_equal(cw_graph_find(g, "abcdef1"), -1);               /* ambiguous */
    assert_int_equal(cw_graph_find(g, "012345"), -1);                /* 6 digits */
    assert_int_equal(cw_graph_find(g, "0123457"), -1);               /* no such prefix */
    assert_int_equal(cw_graph_find(g, "zzzzzzzz"), -1);
    assert_int_equal(cw_graph_find(g, "abcdef1900000000000000000000000000000000"), 1);

    cw_deploy d[] = { dep(1, 10, 1, "abcdef19") };
    assert_int_equal(cw_graph_walk(g, d, 1, NULL, NULL), 0);
    assert_true(d[0].traceable);
    assert_int_equal(cw_graph_node(g, 1)->deployed_by, 0);
    assert_int_equal(cw_graph_node(g, 0)->deployed_by, -1);
    cw_graph_free(g);
}

static void test_duplicate_sha_and_missing_parent(void **state)
{
    cw_graph *g = cw_graph_new();
    /* c2's other parent is outside the export (shallow clone) */
    cw_graph_add(g, C1, "", 100, 1);
    cw_graph_add(g, C2, C1 " " C4, 200, 2);
    assert_int_equal(cw_graph_add(g, C2, C1 " " C4, 200, 7), 1);  /* same sha, other repo */
    assert_int_equal(cw_graph_add(g, "", "", 0, 9), -1);
    cw_graph_finish(g);
    assert_int_equal(cw_graph_count(g), 2);
    cw_deploy d[] = { dep(1, 150, 1, C2) };
    rows out = { .n = 0 };
    assert_int_equal(cw_graph_walk(g, d, 1, record, &out), 0);
    assert_int_equal(out.n, 2);                 /* emitted once per node */
    assert_int_equal(d[0].commits_deployed, 3); /* c2 twice, c1 */
    const cw_gnode *n2 = cw_graph_node(g, 1);
    assert_int_equal(n2->n_extra, 1);
    assert_int_equal(n2->extra_ids[0], 7);
    assert_int_equal(n2->n_parents, 2);
    cw_graph_free(g);
}

static void test_deep_history(void **state)
{
    /* 200,000 commits in a line: a recursive walk would exhaust the stack. */
    enum { N = 200000 };
    char sha[48], parent[48];
    cw_graph *g = cw_graph_new();
    for (long i = 0; i < N; i++) {
        snprintf(sha, sizeof(sha), "%040lx", i + 1);
        snprintf(parent, sizeof(parent), "%040lx", i);
        cw_graph_add(g, sha, i ? parent : "", i, i + 1);
    }
    cw_graph_finish(g);
    snprintf(sha, sizeof(sha), "%040lx", (long)N);
    cw_deploy d[] = { dep(1, 10, 1, "0000000000000000000000000000000000000001"),
                      dep(2, N + 10, 2, sha) };
    assert_int_equal(cw_graph_walk(g, d, 2, NULL, NULL), 0);
    assert_int_equal(d[0].commits_deployed, 1);
    assert_int_equal(d[1].commits_deployed, N - 1);
    cw_graph_free(g);
}

static int count_lead(void *ctx, const cw_deploy *d, const cw_gnode *node)
{
    int64_t lead;
    if (cw_graph_lead_time(d, node, &lead))
        (*(long *)ctx)++;
    return 0;
}

/* The real tidev/alloy history (correlated/alloy/SOURCES.md): 6,083 commits,
 * 1,275 merges, roots 0c4a0a1 and ad66a97.  Worked out separately with a
 * plain ancestor walk over the same file: main (1563ffc) reaches 4,388
 * commits including root ad66a97 (not 0c4a0a1), 797 of them merges.  With a
 * baseline at ad66a97, deploying main newly deploys 4,387 commits, of which
 * 4,387 - 797 = 3,590 get a lead time. */
static void test_real_alloy_history(void **state)
{
    size_t len;
    char *data = cw_read_file(cw_fixture("correlated/alloy/git.log"), &len);
    char *save = NULL;
    cw_graph *g = cw_graph_new();
    long merges = 0, with_lead = 0;

    assert_non_null(data);
    for (char *rec = strtok_r(data, "\x1e", &save); rec; rec = strtok_r(NULL, "\x1e", &save)) {
        char *sha = rec, *parents = strchr(rec, '\x1f'), *end;
        assert_non_null(parents);
        *parents++ = '\0';
        end = strchr(parents, '\x1f');
        assert_non_null(end);
        *end = '\0';
        cw_graph_add(g, sha, parents, 0, (int64_t)cw_graph_count(g) + 1);
    }
    cw_graph_finish(g);
    assert_int_equal(cw_graph_count(g), 6083);
    for (size_t i = 0; i < cw_graph_count(g); i++)
        merges += cw_graph_node(g, (long)i)->n_parents >= 2;
    assert_int_equal(merges, 1275);

    cw_deploy d[] = { dep(1, 100, 1, "ad66a97"), dep(2, 200, 2, "1563ffc70efd") };
    assert_int_equal(cw_graph_walk(g, d, 2, count_lead, &with_lead), 0);
    assert_true(d[0].is_baseline);
    assert_int_equal(d[0].commits_deployed, 1);
    assert_int_equal(d[1].commits_deployed, 4387);
    assert_int_equal(with_lead, 3590);
    assert_int_equal(cw_graph_node(g, cw_graph_find(g, "0c4a0a1"))->deployed_by, -1);
    cw_graph_free(g);
    free(data);
}

/* A deployment walked from two revisions (two repositories): an unknown
 * first revision (the shared library's) does not make it untraceable, and
 * both histories are deployed. */
static void test_several_revisions(void **state)
{
    cw_graph *g = linear();
    char *more[] = { (char *)C4 };
    cw_deploy d[] = { dep(1, 5000, 1, "ffffffffffffffffffffffffffffffffffffffff") };
    rows out = { .n = 0 };
    (void)state;
    d[0].more_revisions = more;
    d[0].n_more = 1;
    assert_int_equal(cw_graph_walk(g, d, 1, record, &out), 0);
    assert_true(d[0].traceable && d[0].is_baseline);
    assert_int_equal(d[0].commits_deployed, 4);
    cw_graph_free(g);
}

static void test_remote_names_repository(void **state)
{
    (void)state;
    assert_true(cw_remote_names_repository("https://git.example.com/org/pay-api.git", "pay-api"));
    assert_true(cw_remote_names_repository("git@git.example.com:org/pay-api.git", "org/pay-api"));
    assert_true(cw_remote_names_repository("git@host:pay-api", "pay-api"));
    assert_true(cw_remote_names_repository("https://host/org/Pay-API.GIT/", "pay-api"));
    assert_false(cw_remote_names_repository("https://host/org/pay-api-lib.git", "pay-api"));
    assert_false(cw_remote_names_repository("https://host/org/pay-api.git", "api"));
    assert_false(cw_remote_names_repository(".git", ""));
    assert_false(cw_remote_names_repository(NULL, "pay-api"));
    assert_false(cw_remote_names_repository("/", "/"));
}

/* A shallow export: the boundary commits name parents the graph lacks.
 * Each missing sha is listed once (two children share one), lower case, in
 * the order first named; parents in the graph and roots add nothing. */
static void test_missing_parents(void **state)
{
    cw_graph *g = cw_graph_new();
    (void)state;
    cw_graph_add(g, "c3", "c2", 30, 3);
    cw_graph_add(g, "c2", "AA01 c1", 20, 2);
    cw_graph_add(g, "c1", "", 10, 1);
    cw_graph_add(g, "d1", "aa01 bb02", 15, 4);
    cw_graph_finish(g);
    assert_int_equal(cw_graph_missing_count(g), 2);
    assert_string_equal(cw_graph_missing(g, 0), "aa01");
    assert_string_equal(cw_graph_missing(g, 1), "bb02");
    assert_null(cw_graph_missing(g, 2));
    cw_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_parents),
        cmocka_unit_test(test_linear_history_and_baseline),
        cmocka_unit_test(test_merge_both_sides),
        cmocka_unit_test(test_rollback_deploys_nothing),
        cmocka_unit_test(test_untraceable_is_not_baseline),
        cmocka_unit_test(test_tie_break_by_run_number),
        cmocka_unit_test(test_abbreviated_revisions),
        cmocka_unit_test(test_duplicate_sha_and_missing_parent),
        cmocka_unit_test(test_deep_history),
        cmocka_unit_test(test_several_revisions),
        cmocka_unit_test(test_remote_names_repository),
        cmocka_unit_test(test_real_alloy_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
