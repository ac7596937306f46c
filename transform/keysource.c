/*
 * keysource.c - a commit's keys beyond its own message (metrics.md "Idea to
 * production"): those of every pull/merge request that contains it, and
 * those of the merge commits that brought it in.  correlate.c's link step
 * (and delta.c's) take them as (commit, key) pairs and link them like the
 * keys of the message; a commit's keys are the union.
 *
 *   requests  every request whose commit list holds the commit, open, merged
 *             or closed, and, once merged (merged_at set), its merge and
 *             squash commits: the keys of its title, body and source branch.
 *             Request commits that are not in git are ignored and listed
 *             (finding pull_request_commit_not_in_git).
 *   merges    per repository: every commit `git rev-list M^2 ^M^1` lists
 *             for a merge M (any non-first parent for an octopus) takes the
 *             keys of M's message (graph.h, cw_graph_merge_sides: O(commits)
 *             per repository, whatever the number of merges).  A repository
 *             that gives no ancestry (has_ancestry = 0) follows no merge.
 *
 * Incrementally (delta.c) the commits keyed again are those the batch wrote,
 * those of the requests it wrote (now and before: track.sql's keyed_commit
 * rows), and what a merge among them brought in.  A merge written earlier
 * cannot bring in a new commit unless the commit is older history arriving
 * late (an old commit names it as a parent): then every commit of that
 * repository is keyed again.  A commit updated or deleted can move any
 * ancestry: every commit is keyed again (delta.c says so in the -v log).
 */
#include "corr.h"
#include "keys.h"
#include "../core/log.h"
#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

void corr_pairs_free(corr_pairs *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i].key);
    free(p->v);
    memset(p, 0, sizeof(*p));
}

static void pairs_add(corr_pairs *p, int64_t commit_id, const char *key)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 256;
        p->v = cw_xrealloc(p->v, p->cap * sizeof(*p->v));
    }
    p->v[p->n].commit_id = commit_id;
    p->v[p->n++].key = cw_strdup(key);
}

/* Known projects: those of loaded work items and those the config maps. */
static int load_projects(corr *c, cw_keys *keys)
{
    int rc;
    while ((rc = corr_next_row(c, Q_KNOWN_PROJECTS)) == 1)
        cw_keys_add_project(keys, cw_db_column_text(c->q[Q_KNOWN_PROJECTS], 0));
    if (rc < 0)
        return -1;
    for (size_t a = 0; a < c->cfg->n_apps; a++)
        for (size_t p = 0; p < c->cfg->apps[a].projects.n; p++)
            cw_keys_add_project(keys, c->cfg->apps[a].projects.items[p]);
    return 0;
}

cw_keys *corr_keys_new(corr *c)
{
    char err[256];
    cw_keys *keys = cw_keys_new(c->cfg->key_pattern, err, sizeof(err));
    if (!keys) {
        cw_error("correlate: key_pattern: %s", err);
        return NULL;
    }
    if (load_projects(c, keys)) {
        cw_keys_free(keys);
        return NULL;
    }
    return keys;
}

static int collect_key(void *ctx, const char *key, const char *project)
{
    cw_strlist *l = ctx;
    (void)project;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i], key) == 0)
            return 0;
    cw_strlist_add(l, key);
    return 0;
}

/* The distinct keys of texts (NULLs skipped) into out. */
static void scan_texts(cw_keys *keys, const char *const *texts, int n, cw_strlist *out)
{
    for (int i = 0; i < n; i++)
        if (texts[i] && cw_keys_scan(keys, texts[i], collect_key, out) < 0)
            cw_warn("correlate: key scan failed on \"%.40s\"", texts[i]);
}

/* ---------------------------------------------------------------- requests */

int corr_pull_request_keys(corr *c, cw_keys *keys, int q, corr_pairs *out)
{
    cw_stmt *st = c->q[q];
    cw_strlist found = { 0 };
    int64_t current = -1;
    int rc;

    while ((rc = corr_next_row(c, q)) == 1) {
        int64_t pr = cw_db_column_int(st, 0);
        if (pr != current) {
            const char *texts[3] = { cw_db_column_text(st, 1), cw_db_column_text(st, 2),
                                     cw_db_column_text(st, 3) };
            cw_strlist_free(&found);
            scan_texts(keys, texts, 3, &found);
            current = pr;
        }
        for (size_t i = 0; i < found.n; i++)
            pairs_add(out, cw_db_column_int(st, 4), found.items[i]);
    }
    cw_strlist_free(&found);
    return rc;
}

/* ---------------------------------------------------------------- merges */

/* One repository's commits, by graph node index. */
typedef struct repo_nodes {
    cw_graph *g;
    int64_t *ids;
    cw_strlist *keys;           /* a merge's message keys */
    char **parents;             /* the recorded parents (the late-history test) */
    unsigned char *rekey;       /* keyed again (all, in a full step) */
    unsigned char *inserted;    /* written by this batch */
    unsigned char *grow;        /* brought in by a merge keyed again */
    size_t n, cap;
    int no_ancestry;
    corr_pairs *out;
} repo_nodes;

static void repo_free(repo_nodes *r)
{
    for (size_t i = 0; i < r->n; i++) {
        cw_strlist_free(&r->keys[i]);
        free(r->parents[i]);
    }
    free(r->ids);
    free(r->keys);
    free(r->parents);
    free(r->rekey);
    free(r->inserted);
    free(r->grow);
    cw_graph_free(r->g);
}

/* Read the repository's rows of query q (repository_graph's columns, then
 * for delta_repository_graph: keyed again, inserted). */
static int load_repo(corr *c, cw_keys *keys, int q, int64_t app, const char *repo,
                     repo_nodes *r)
{
    cw_stmt *st = c->q[q];
    int rc, delta = q == Q_DELTA_REPO_GRAPH;

    r->g = cw_graph_new();
    cw_db_bind_int(st, 1, app);
    cw_db_bind_str(st, 2, repo);
    while ((rc = corr_next_row(c, q)) == 1) {
        long at = cw_graph_add(r->g, cw_db_column_text(st, 1), cw_db_column_text(st, 2), 0,
                               cw_db_column_int(st, 0));
        if (at < 0 || (size_t)at < r->n)
            continue;           /* no sha, or one seen (the unique key forbids it) */
        if (r->n == r->cap) {
            r->cap = r->cap ? r->cap * 2 : 256;
            r->ids = cw_xrealloc(r->ids, r->cap * sizeof(int64_t));
            r->keys = cw_xrealloc(r->keys, r->cap * sizeof(cw_strlist));
            r->parents = cw_xrealloc(r->parents, r->cap * sizeof(char *));
            r->rekey = cw_xrealloc(r->rekey, r->cap);
            r->inserted = cw_xrealloc(r->inserted, r->cap);
            r->grow = cw_xrealloc(r->grow, r->cap);
        }
        r->ids[r->n] = cw_db_column_int(st, 0);
        memset(&r->keys[r->n], 0, sizeof(cw_strlist));
        if (cw_graph_node(r->g, at)->n_parents >= 2) {
            const char *texts[2] = { cw_db_column_text(st, 3), cw_db_column_text(st, 4) };
            scan_texts(keys, texts, 2, &r->keys[r->n]);
        }
        r->parents[r->n] = delta ? cw_strdup(cw_db_column_text(st, 2)) : NULL;
        r->rekey[r->n] = delta ? cw_db_column_int(st, 6) != 0 : 1;
        r->inserted[r->n] = delta && cw_db_column_int(st, 7) != 0;
        r->grow[r->n] = 0;
        r->no_ancestry |= cw_db_column_int(st, 5) == 0;
        r->n++;
    }
    cw_graph_finish(r->g);
    return rc;
}

/* Older history arriving late: a commit written before names one this
 * batch inserted as its parent. */
static int late_history(const repo_nodes *r)
{
    for (size_t i = 0; i < r->n; i++) {
        char *copy, *save = NULL;
        int late = 0;
        if (r->inserted[i] || !r->parents[i])
            continue;
        copy = cw_strdup(r->parents[i]);
        for (char *t = strtok_r(copy, " ", &save); t && !late; t = strtok_r(NULL, " ", &save)) {
            long p = cw_graph_find(r->g, t);
            late = p >= 0 && r->inserted[p];
        }
        free(copy);
        if (late)
            return 1;
    }
    return 0;
}

/* cw_graph_merge_fn: what a merge keyed again brought in is keyed again. */
static int mark_grow(void *ctx, long merge, long commit)
{
    repo_nodes *r = ctx;
    if (r->rekey[merge])
        r->grow[commit] = 1;
    return 0;
}

/* cw_graph_merge_fn: the merge's keys reach the commit. */
static int emit_merge_keys(void *ctx, long merge, long commit)
{
    repo_nodes *r = ctx;
    if (r->rekey[commit])
        for (size_t i = 0; i < r->keys[merge].n; i++)
            pairs_add(r->out, r->ids[commit], r->keys[merge].items[i]);
    return 0;
}

static int any_merge_keys(const repo_nodes *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->keys[i].n > 0)
            return 1;
    return 0;
}

/* The commits keyed again beyond those the batch named (delta): all of the
 * repository on late history, else what its merges keyed again brought in;
 * each written to cw_delta_commit. */
static int widen_rekey(corr *c, repo_nodes *r)
{
    int all = late_history(r);
    if (all)
        cw_debug("correlate: older history arrived late in a repository: its %zu commits "
                 "keyed again", r->n);
    else if (cw_graph_merge_sides(r->g, mark_grow, r))
        return -1;
    for (size_t i = 0; i < r->n; i++) {
        if (r->rekey[i] || !(all || r->grow[i]))
            continue;
        r->rekey[i] = 1;
        cw_db_bind_int(c->q[Q_DELTA_REKEY], 1, r->ids[i]);
        if (corr_run(c, Q_DELTA_REKEY))
            return -1;
    }
    return 0;
}

/* The repositories query q_repos returns (application, repository), each
 * read by q_graph: merge keys of the commits keyed again into out. */
static int merge_keys(corr *c, cw_keys *keys, int q_repos, int q_graph, corr_pairs *out)
{
    cw_stmt *st = c->q[q_repos];
    cw_strlist repos = { 0 };
    int64_t *apps = NULL;
    int rc;

    /* read the list first: the per-repository statements run in between */
    while ((rc = corr_next_row(c, q_repos)) == 1) {
        apps = cw_xrealloc(apps, (repos.n + 1) * sizeof(int64_t));
        apps[repos.n] = cw_db_column_int(st, 0);
        cw_strlist_add(&repos, cw_db_column_text(st, 1));
    }
    for (size_t i = 0; i < repos.n && rc == 0; i++) {
        repo_nodes r = { .out = out };
        rc = load_repo(c, keys, q_graph, apps[i], repos.items[i], &r);
        if (rc == 0 && !r.no_ancestry && q_graph == Q_DELTA_REPO_GRAPH)
            rc = widen_rekey(c, &r);
        if (rc == 0 && !r.no_ancestry && any_merge_keys(&r))
            rc = cw_graph_merge_sides(r.g, emit_merge_keys, &r);
        repo_free(&r);
    }
    free(apps);
    cw_strlist_free(&repos);
    return rc;
}

int corr_merge_keys_full(corr *c, cw_keys *keys, corr_pairs *out)
{
    return merge_keys(c, keys, Q_MERGE_REPOS, Q_REPO_GRAPH, out);
}

int corr_merge_keys_delta(corr *c, cw_keys *keys, corr_pairs *out)
{
    return merge_keys(c, keys, Q_DELTA_MERGE_REPOS, Q_DELTA_REPO_GRAPH, out);
}

/* ---------------------------------------------------------------- findings */

int corr_key_findings(corr *c)
{
    return corr_run_all(c, Q_CLEAR_KEY_FINDINGS, Q_INSERT_PR_FINDINGS);
}
