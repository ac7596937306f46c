/*
 * test_graph.c - the deployment ancestry walk on hand-drawn histories:
 * linear, merges, rollback, untraceable revisions, the baseline rule, the
 * run-number tie-break, abbreviated shas, a deep history, the baseline per
 * repository, and what each merge brought in (`git rev-list M^2 ^M^1`).
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

/* Decisions 13: equal finished_at and run number, then the job name decides
 * (a pipeline's deploy-api #9 and deploy-web #9 in one second), and only
 * then the id.  Id 50 (deploy-web) is walked after id 51 (deploy-api), so
 * 51 deploys C4 and 50 deploys nothing; a job-less row (NULL: "") first. */
static void test_tie_break_by_job(void **state)
{
    cw_graph *g = linear();
    cw_deploy d[] = { dep(10, 500, 1, C1), dep(50, 9000, 9, C4), dep(51, 9000, 9, C4),
                      dep(52, 9000, 9, C4) };
    rows out = { .n = 0 };
    d[1].job = "deploy-web";
    d[2].job = "deploy-api";
    assert_int_equal(cw_graph_walk(g, d, 4, record, &out), 0);
    assert_int_equal(d[1].deployment_id, 52);
    assert_int_equal(d[2].deployment_id, 51);
    assert_int_equal(d[3].deployment_id, 50);
    assert_int_equal(d[1].commits_deployed, 3);     /* C2, C3, C4 */
    assert_int_equal(d[2].commits_deployed, 0);
    assert_int_equal(d[3].commits_deployed, 0);
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


/* ---------------------------------------------------------------- what a merge brought in */

/* Every (merge, commit) pair cw_graph_merge_sides reports, as "M:C " text
 * sorted by the caller's labels. */
typedef struct pairs {
    const cw_graph *g;
    const char *const *labels;      /* by node index */
    char seen[64][8];
    int n;
} pairs;

static int collect_pair(void *ctx, long merge, long commit)
{
    pairs *p = ctx;
    assert_true(p->n < 64);
    snprintf(p->seen[p->n++], sizeof(p->seen[0]), "%s:%s", p->labels[merge], p->labels[commit]);
    return 0;
}

static int compare_text(const void *a, const void *b)
{
    return strcmp(a, b);
}

static char *pairs_text(pairs *p)
{
    cw_buf b = { 0 };
    cw_buf_puts(&b, "");
    qsort(p->seen, (size_t)p->n, sizeof(p->seen[0]), compare_text);
    for (int i = 0; i < p->n; i++)
        cw_buf_printf(&b, "%s ", p->seen[i]);
    return b.data;
}

/*
 * A hand-drawn history (first parent first), each merge's `git rev-list
 * M^2.. ^M^1` worked out by hand:
 *   A root; B <- A; F1 <- A; T1 <- A
 *   F2 = F1 + T1        rev-list T1 ^F1        = T1 (A is F1's)
 *   M1 = B + F2         rev-list F2 ^B         = F2 F1 T1
 *   C <- M1; P <- M1; Q <- B
 *   O = C + P + Q       (octopus) P Q ^C       = P Q
 *   W1 <- F2
 *   W2 = W1 + C         (main into the feature) C ^W1 = C M1 B
 *                       (F2 F1 T1 A are W1's)
 *   O2 = O + W2         rev-list W2 ^O         = W2 W1
 *                       (C, M1, B: O's chain; F2, F1, T1: brought in by M1,
 *                       a merge on O's first-parent chain)
 *   Z = ? + A           first parent outside the graph: nothing reported
 */
#define HA "a000000000000000000000000000000000000000"
#define HB "b000000000000000000000000000000000000000"
#define HF1 "f100000000000000000000000000000000000000"
#define HT1 "d100000000000000000000000000000000000000"
#define HF2 "f200000000000000000000000000000000000000"
#define HM1 "e100000000000000000000000000000000000000"
#define HC "c000000000000000000000000000000000000000"
#define HP "9100000000000000000000000000000000000000"
#define HQ "9200000000000000000000000000000000000000"
#define HO "0100000000000000000000000000000000000000"
#define HW1 "7100000000000000000000000000000000000000"
#define HW2 "7200000000000000000000000000000000000000"
#define HO2 "0200000000000000000000000000000000000000"
#define HZ "5500000000000000000000000000000000000000"
static void test_merge_sides(void **state)
{
    static const char *const labels[] = { "O2", "W2", "W1", "O", "Q", "P", "C", "M1", "F2",
                                          "T1", "F1", "B", "A", "Z" };
    cw_graph *g = cw_graph_new();
    pairs p = { .g = g, .labels = labels };
    char *text;
    (void)state;
    /* added children first, so the node order is no topological help */
    cw_graph_add(g, HO2, HO " " HW2, 0, 1);
    cw_graph_add(g, HW2, HW1 " " HC, 0, 2);
    cw_graph_add(g, HW1, HF2, 0, 3);
    cw_graph_add(g, HO, HC " " HP " " HQ, 0, 4);
    cw_graph_add(g, HQ, HB, 0, 5);
    cw_graph_add(g, HP, HM1, 0, 6);
    cw_graph_add(g, HC, HM1, 0, 7);
    cw_graph_add(g, HM1, HB " " HF2, 0, 8);
    cw_graph_add(g, HF2, HF1 " " HT1, 0, 9);
    cw_graph_add(g, HT1, HA, 0, 10);
    cw_graph_add(g, HF1, HA, 0, 11);
    cw_graph_add(g, HB, HA, 0, 12);
    cw_graph_add(g, HA, "", 0, 13);
    cw_graph_add(g, HZ, "ffff000000000000000000000000000000000000 " HA, 0, 14);
    cw_graph_finish(g);
    assert_int_equal(cw_graph_merge_sides(g, collect_pair, &p), 0);
    text = pairs_text(&p);
    assert_string_equal(text, "F2:T1 M1:F1 M1:F2 M1:T1 O2:W1 O2:W2 O:P O:Q W2:B W2:C W2:M1 ");
    free(text);
    cw_graph_free(g);
}

/* The brute-force definition, for the real history below: every ancestor
 * of the non-first parents (graph-found, the first listed parent first)
 * that the first parent does not reach. */
typedef struct brute {
    long pairs;
    unsigned long long checksum;    /* sum of (merge + 1) * (commit + 1) */
} brute;

static void mark_ancestors(const cw_graph *g, char *const *parents, long from, char *mark,
                           long *stack)
{
    size_t top = 0;
    if (mark[from])
        return;
    mark[from] = 1;
    stack[top++] = from;
    while (top > 0) {
        long v = stack[--top];
        char *copy = cw_strdup(parents[v]), *save = NULL;
        for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
            long q = cw_graph_find(g, t);
            if (q >= 0 && !mark[q]) {
                mark[q] = 1;
                stack[top++] = q;
            }
        }
        free(copy);
    }
}

static int count_pair(void *ctx, long merge, long commit)
{
    brute *b = ctx;
    b->pairs++;
    b->checksum += (unsigned long long)(merge + 1) * (unsigned long long)(commit + 1);
    return 0;
}


/* What every merge of the real tidev/alloy history brought in agrees with
 * the brute-force definition (mark what the first parent reaches, then
 * walk the other parents through the rest), pair for pair; the total,
 * 9,056 pairs over its 1,275 merges, was counted separately by a Python
 * script over the same file (the set difference of two ancestor sets per
 * merge, as `git rev-list M^2 ^M^1`). */
static void test_merge_sides_real_history(void **state)
{
    size_t len, n = 0;
    char *data = cw_read_file(cw_fixture("correlated/alloy/git.log"), &len);
    char *save = NULL, **parents = cw_xcalloc(8192, sizeof(char *)), *mark;
    cw_graph *g = cw_graph_new();
    brute fast = { 0 }, slow = { 0 };
    long *stack;
    (void)state;

    assert_non_null(data);
    for (char *rec = strtok_r(data, "\x1e", &save); rec; rec = strtok_r(NULL, "\x1e", &save)) {
        char *sha = rec, *par = strchr(rec, '\x1f'), *end;
        *par++ = '\0';
        end = strchr(par, '\x1f');
        *end = '\0';
        assert_true(n < 8192);
        assert_int_equal(cw_graph_add(g, sha, par, 0, (int64_t)n + 1), (long)n);
        parents[n++] = par;
    }
    cw_graph_finish(g);
    assert_int_equal(cw_graph_merge_sides(g, count_pair, &fast), 0);

    mark = cw_xmalloc(n);
    stack = cw_xmalloc(n * sizeof(long));
    for (size_t m = 0; m < n; m++) {
        char *copy = cw_strdup(parents[m]), *ps = NULL, *first = strtok_r(copy, " ", &ps);
        long m1 = first ? cw_graph_find(g, first) : -1;
        if (cw_graph_node(g, (long)m)->n_parents < 2 || m1 < 0) {
            free(copy);
            continue;
        }
        memset(mark, 0, n);
        mark_ancestors(g, parents, m1, mark, stack);
        for (size_t i = 0; i < n; i++)
            mark[i] = mark[i] ? 2 : 0;      /* 2: the first parent reaches it */
        for (char *t = strtok_r(NULL, " ", &ps); t; t = strtok_r(NULL, " ", &ps)) {
            long side = cw_graph_find(g, t);
            if (side >= 0)
                mark_ancestors(g, parents, side, mark, stack);
        }
        for (size_t i = 0; i < n; i++)
            if (mark[i] == 1)
                count_pair(&slow, (long)m, (long)i);
        free(copy);
    }
    assert_int_equal(fast.pairs, slow.pairs);
    assert_true(fast.checksum == slow.checksum);
    assert_int_equal(fast.pairs, 9056);
    free(mark);
    free(stack);
    free(parents);
    cw_graph_free(g);
    free(data);
}


/* Decisions 7: the baseline is per repository.  Repository 0 is the linear
 * c1..c4 (authored 1000..4000), repository 1 is r1 <- r2 <- r3 (authored
 * 1500, 2500, 3500).  By hand:
 *   d1 5000 c1          repository 0's baseline: c1, no lead time
 *   d2 6000 c3 + r2     c3 6000-3000 = 3000, c2 6000-2000 = 4000 (repository
 *                       0 has its baseline); r2, r1: repository 1's baseline
 *                       is d2, no lead time; d2 is a baseline (of 1)
 *   d3 7000 c4 + r3     c4 3000, r3 7000-3500 = 3500; no baseline */
#define R1 "e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1"
#define R2 "e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2e2"
#define R3 "e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3"
static void test_baseline_per_repository(void **state)
{
    cw_graph *g = cw_graph_new();
    char *more2[] = { (char *)R2 }, *more3[] = { (char *)R3 };
    cw_deploy d[] = { dep(1, 5000, 1, C1), dep(2, 6000, 2, C3), dep(3, 7000, 3, C4) };
    rows out = { .n = 0 };
    (void)state;
    cw_graph_add(g, C4, C3, 4000, 4);
    cw_graph_add(g, C3, C2, 3000, 3);
    cw_graph_add(g, C2, C1, 2000, 2);
    cw_graph_add(g, C1, "", 1000, 1);
    cw_graph_add_in(g, 1, R3, R2, 3500, 13);
    cw_graph_add_in(g, 1, R2, R1, 2500, 12);
    cw_graph_add_in(g, 1, R1, "", 1500, 11);
    cw_graph_finish(g);
    d[1].more_revisions = more2;
    d[1].n_more = 1;
    d[2].more_revisions = more3;
    d[2].n_more = 1;
    assert_int_equal(cw_graph_walk(g, d, 3, record, &out), 0);
    assert_true(d[0].is_baseline && d[1].is_baseline && !d[2].is_baseline);
    assert_false(row_of(&out, 1)->has_lead);
    assert_int_equal(row_of(&out, 3)->lead, 3000);
    assert_int_equal(row_of(&out, 2)->lead, 4000);
    assert_int_equal(row_of(&out, 12)->deployment_id, 2);
    assert_false(row_of(&out, 12)->has_lead);
    assert_false(row_of(&out, 11)->has_lead);
    assert_int_equal(row_of(&out, 4)->lead, 3000);
    assert_int_equal(row_of(&out, 13)->lead, 3500);
    assert_true(cw_graph_node(g, cw_graph_find(g, R1))->baseline);
    assert_false(cw_graph_node(g, cw_graph_find(g, C2))->baseline);
    cw_graph_free(g);
}


/* What each merge brought in agrees with git itself: tests/data/git/
 * merge-sides holds a history with octopus and criss-cross merges and, per
 * merge, `git rev-list --count M^2.. ^M^1` as git printed it (its README
 * says how both were made). */
static int count_by_merge(void *ctx, long merge, long commit)
{
    (void)commit;
    ((long *)ctx)[merge]++;
    return 0;
}

static void test_merge_sides_agree_with_git(void **state)
{
    size_t len;
    char *history = cw_read_file(cw_test_data("git/merge-sides/history.txt"), &len);
    char *counts = cw_read_file(cw_test_data("git/merge-sides/rev-list-counts.txt"), &len);
    char *save = NULL;
    cw_graph *g = cw_graph_new();
    long *found, merges = 0;
    (void)state;

    assert_non_null(history);
    assert_non_null(counts);
    for (char *line = strtok_r(history, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *parents = strchr(line, ' ');
        if (parents)
            *parents++ = '\0';
        cw_graph_add(g, line, parents ? parents : "", 0, (int64_t)cw_graph_count(g) + 1);
    }
    cw_graph_finish(g);
    assert_int_equal(cw_graph_count(g), 258);
    found = cw_xcalloc(cw_graph_count(g), sizeof(long));
    assert_int_equal(cw_graph_merge_sides(g, count_by_merge, found), 0);
    save = NULL;
    for (char *line = strtok_r(counts, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *n = strchr(line, ' ');
        long m;
        assert_non_null(n);
        *n++ = '\0';
        m = cw_graph_find(g, line);
        assert_true(m >= 0);
        if (found[m] != atol(n))
            fail_msg("merge %s: git rev-list counts %s, catwalk %ld", line, n, found[m]);
        merges++;
    }
    assert_int_equal(merges, 67);
    free(found);
    free(history);
    free(counts);
    cw_graph_free(g);
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
        cmocka_unit_test(test_tie_break_by_job),
        cmocka_unit_test(test_abbreviated_revisions),
        cmocka_unit_test(test_duplicate_sha_and_missing_parent),
        cmocka_unit_test(test_deep_history),
        cmocka_unit_test(test_several_revisions),
        cmocka_unit_test(test_remote_names_repository),
        cmocka_unit_test(test_real_alloy_history),
        cmocka_unit_test(test_merge_sides),
        cmocka_unit_test(test_baseline_per_repository),
        cmocka_unit_test(test_merge_sides_real_history),
        cmocka_unit_test(test_merge_sides_agree_with_git),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
