/*
 * graph.h - the commit graph of one application and the deployment ancestry
 * walk that gives every commit its first deployment (metrics.md, "Change
 * lead time").
 *
 * Usage: cw_graph_add every commit of the application (any order), then
 * cw_graph_finish to resolve parents, then cw_graph_walk over the
 * application's successful production deployments.  After the walk every
 * node knows the deployment that first reached it (deployed_by).
 *
 * Rules, as metrics.md states them:
 *   - deployments are processed by finished_at, then run number, then id;
 *   - from each deployment's revisions (its revision, then more_revisions:
 *     one per repository of the application, see correlate.c) the walk
 *     follows all parents and stops at commits already deployed; each newly
 *     reached commit is deployed by it;
 *   - the baseline is per repository (Decisions 7): the first deployment
 *     that reaches a commit of a repository (its revision is in that
 *     repository's graph) is that repository's baseline, and the commits
 *     of that repository it deploys get no lead time (node->baseline).
 *     cw_deploy.is_baseline says it is the baseline of at least one
 *     repository; the commits of another repository it newly deploys, one
 *     that already had its baseline, do get a lead time;
 *   - a deployment with no revision in the graph is untraceable: it
 *     deploys nothing and does not become the baseline;
 *   - merge commits (two or more parents) are walked through but have no
 *     lead time; lead time = finished_at - authored_at, as computed.
 * Revisions may be abbreviated (at least 7 hex digits): an exact sha wins,
 * else a unique prefix.  Parents outside the graph (a shallow export) are
 * simply not followed.
 */
#ifndef CW_GRAPH_H
#define CW_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#define CW_SHA_MIN_PREFIX 7

typedef struct cw_graph cw_graph;

/* One commit.  Two fact rows with the same sha (the same repository loaded
 * under two names) share a node; the extra commit ids ride along. */
typedef struct cw_gnode {
    char *sha;                  /* lower-case hex */
    int64_t commit_id;
    int64_t authored_at;
    int n_parents;              /* as recorded, including parents outside the graph */
    int repository;             /* its repository, as cw_graph_add_in numbered it (0 by default) */
    long deployed_by;           /* index into the walked deployment array, -1 = not deployed */
    int baseline;               /* deployed by its repository's baseline (no lead time) */
    int64_t *extra_ids;         /* further commit ids with this sha */
    size_t n_extra;
} cw_gnode;

/* A successful production deployment of the application. */
typedef struct cw_deploy {
    int64_t deployment_id;
    int64_t finished_at;
    long run_number;
    const char *job;            /* may be NULL; for "job#number" references */
    const char *revision;       /* may be NULL or abbreviated */
    char **more_revisions;      /* further revisions walked from (other repositories of the
                                   application), or NULL; owned by the caller */
    size_t n_more;
    /* filled by cw_graph_walk */
    int traceable;
    int is_baseline;
    long commits_deployed;      /* commit ids newly deployed (merges and extra ids included) */
} cw_deploy;

cw_graph *cw_graph_new(void);
void cw_graph_free(cw_graph *g);

/* Add a commit; parents is the space-separated parent list ("" for a root).
 * Returns the node index, or -1 when sha is empty.  cw_graph_add_in names
 * the commit's repository by a small number >= 0 (the baseline is per
 * repository); cw_graph_add puts it in repository 0. */
long cw_graph_add(cw_graph *g, const char *sha, const char *parents,
                  int64_t authored_at, int64_t commit_id);
long cw_graph_add_in(cw_graph *g, int repository, const char *sha, const char *parents,
                     int64_t authored_at, int64_t commit_id);
/* Resolve parent shas to nodes and build the prefix index.  Call once, after
 * the last cw_graph_add and before lookups or walks. */
void cw_graph_finish(cw_graph *g);

size_t cw_graph_count(const cw_graph *g);

/* After cw_graph_finish: the parent shas (lower case) the commits name that
 * are not in the graph (a shallow export's boundary, a commit not loaded),
 * each once, in the order first named.  An incremental batch keeps them
 * (delta.c): a new commit with one of these shas is an ancestor of
 * commits already walked. */
size_t cw_graph_missing_count(const cw_graph *g);
const char *cw_graph_missing(const cw_graph *g, size_t i);
const cw_gnode *cw_graph_node(const cw_graph *g, long index);

/* The node a revision names: exact sha, else a unique prefix of at least
 * CW_SHA_MIN_PREFIX hex digits (case-insensitive).  -1 when none or ambiguous. */
long cw_graph_find(const cw_graph *g, const char *revision);

/* Order deployments as the walk does: finished_at, run_number, then job name
 * (bytewise, NULL as ""; metrics.md Decisions 13), then deployment_id. */
void cw_deploy_sort(cw_deploy *d, size_t n);

/* Called for each newly deployed node, in walk order. */
typedef int (*cw_graph_emit_fn)(void *ctx, const cw_deploy *d, const cw_gnode *node);

/* Sort d (cw_deploy_sort) and walk it, filling the result fields of d and
 * deployed_by of the nodes.  Clears earlier walk results first.  Returns 0, or
 * -1 when emit returned non-zero. */
int cw_graph_walk(cw_graph *g, cw_deploy *d, size_t n, cw_graph_emit_fn emit, void *ctx);

/* Does the remote URL of a checkout name the repository?  Both are reduced
 * to their last path component ("git@host:org/pay-api.git", "https://host/
 * org/pay-api/" and "org/pay-api" all give "pay-api": trailing '/' and ".git"
 * dropped, split at the last '/' or ':'), compared without regard to case
 * (git hosts treat names so).  Empty names never match. */
int cw_remote_names_repository(const char *remote, const char *repository);

/* Lead time of a node deployed by d: 1 and *out (seconds, may be negative),
 * or 0 when it has none (deployed by its repository's baseline, merge
 * commit). */
int cw_graph_lead_time(const cw_deploy *d, const cw_gnode *node, int64_t *out);

/*
 * What a merge brought in (metrics.md "Idea to production"): for every
 * merge M of the graph (two or more parents recorded), the commits
 * `git rev-list M^2 ^M^1` lists (for an octopus, reachable from any
 * non-first parent), each reported as emit(ctx, M, commit), by node index.
 *
 * Cost O(commits x nesting): merges are taken parents first, and the walk
 * from M's other parents stops at the first commit that M^1 reaches.  That
 * test needs no walk of M^1's history: M^1 reaches C exactly when C is on
 * M^1's first-parent chain or was brought in by a merge on that chain
 * (anc(X) = chain(X) + what each merge of the chain brought in, by
 * induction along the chain), and both are O(1) checks: the chain by the
 * entry and exit order of a walk of the first-parent tree, the merges by
 * the list each commit keeps of the merges that brought it in.  A merge
 * whose first parent is outside the graph (a shallow export) reports
 * nothing: what its first parent reaches is unknown.  Call after
 * cw_graph_finish.  Returns 0, or -1 when emit returned non-zero.
 */
typedef int (*cw_graph_merge_fn)(void *ctx, long merge, long commit);
int cw_graph_merge_sides(cw_graph *g, cw_graph_merge_fn emit, void *ctx);

#endif
