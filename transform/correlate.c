/*
 * correlate.c - the correlation step (see correlate.h): reads the facts of
 * the warehouse and rewrites every derived table.
 *
 * The pure rules live in keys.c, graph.c, attribute.c and flow.c; this file
 * only moves rows, through the warehouse interface (load/db.h), so it runs
 * the same on every engine.  Its SQL is transform/sql/correlate.sql, one
 * named statement each (core/sqlset.h).  Every derived table is emptied and
 * refilled in a fixed order inside a savepoint, so a failure leaves the
 * tables as they were and a re-run of the same input produces the same rows.
 * The rows computed here go in through cw_append (append.h): bulk appends,
 * COPY on PostgreSQL.
 *
 * Revisions of a build.  A build may record several checkouts
 * (fact_build_revision: a Jenkins pipeline that loads a shared library
 * records the library's BuildData first), so the build's own revision (the
 * first) need not be the application's.  With two or more rows, each
 * repository of the deployment's application (the repositories its commits
 * come from, by name) takes the revision of the first row, in the order the
 * build recorded them, whose remote URL names it (cw_remote_names_repository:
 * the URL's last path component without ".git" is the repository name's
 * last component, case aside); a repository no row names takes none.  The
 * deployment is walked from those revisions, in repository-name order (a
 * sha named for two repositories counts once).  When no row names any
 * repository of the application, or the build has fewer than two rows, the
 * deployment's revision stays the build's first, as before.
 *
 * A commit's keys are those of its message and, from keysource.c, those of
 * the requests containing it and of the merges that brought it in; the
 * link step takes the union.  The baseline is per repository (graph.h):
 * bridge_deployment_commit.is_baseline marks a commit its repository's
 * baseline shipped, derived_deployment.is_baseline a deployment that is
 * the baseline of at least one repository.  Idea to production
 * (production_at) leaves the commits a baseline shipped aside.
 *
 * The incremental form of the step (cw_correlate_delta) is delta.c; the
 * two share the statements and the helpers of corr.h.
 *
 * Memory: rows are streamed with cw_db_step.  What is held is what the
 * rules truly need: one application's commit graph and deployment list at a
 * time, the status map, one work item's transitions, and at most
 * CW_APPEND_ROWS rows per derived table waiting for their bulk append.
 */
#include "corr.h"
#include "keys.h"
#include "../core/killpoint.h"
#include "../core/log.h"
#include "../core/record.h"
#include "../core/regex.h"
#include "../core/sqlset.h"
#include "../core/strmap.h"
#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

const char *const corr_q_name[Q_COUNT] = {
    [Q_CLEAR_COMMIT_LINKS] = "clear_bridge_commit_work_item",
    [Q_CLEAR_COMMIT_KEYS] = "clear_commit_keys",
    [Q_CLEAR_PROJECTS] = "clear_projects",
    [Q_CLEAR_DEPLOYED] = "clear_bridge_deployment_commit",
    [Q_CLEAR_MISSING] = "clear_missing_parents",
    [Q_CLEAR_DEPLOYMENTS] = "clear_derived_deployment",
    [Q_CLEAR_INCIDENTS] = "clear_derived_incident",
    [Q_CLEAR_RECLASSIFIED] = "clear_reclassified_deployments",
    [Q_CLEAR_WALK_FINDINGS] = "clear_walk_findings",
    [Q_CLEAR_INTERVALS] = "clear_derived_status_interval",
    [Q_CLEAR_ITEMS] = "clear_derived_work_item",
    [Q_CLEAR_STATUSES] = "clear_dim_status",
    [Q_CLEAR_FLOW_FINDINGS] = "clear_flow_findings",
    [Q_INSERT_PROJECTS] = "insert_projects",
    [Q_INSERT_COMMIT_KEY] = "insert_commit_key",
    [Q_INSERT_MISSING] = "insert_missing_parent",
    [Q_RESET_PRODUCTION] = "reset_production",
    [Q_DELTA_ITEM_TABLE] = "delta_item_table",
    [Q_DELTA_COMMIT_TABLE] = "delta_commit_table",
    [Q_DELTA_UNLINKED_TABLE] = "delta_unlinked_table",
    [Q_DELTA_ITEM_CLEAR] = "delta_item_clear",
    [Q_DELTA_COMMIT_CLEAR] = "delta_commit_clear",
    [Q_DELTA_UNLINKED_CLEAR] = "delta_unlinked_clear",
    [Q_DELTA_ITEM_FILL] = "delta_item_fill",
    [Q_DELTA_COMMIT_FILL] = "delta_commit_fill",
    [Q_DELTA_FULL_FLOW] = "delta_full_flow",
    [Q_DELTA_PROJECTS_CHANGED] = "delta_projects_changed",
    [Q_DELTA_UNLINKED_FILL] = "delta_unlinked_fill",
    [Q_DELTA_UNLINK] = "delta_unlink",
    [Q_DELTA_FORGET_KEYS] = "delta_forget_keys",
    [Q_DELTA_COMMITS] = "delta_commits",
    [Q_DELTA_KEYS_FOUND] = "delta_keys_found",
    [Q_DELTA_KEYS_DONE] = "delta_keys_done",
    [Q_DELTA_RESET_PRODUCTION] = "delta_reset_production",
    [Q_DELTA_ITEM_STATUSES] = "delta_item_statuses",
    [Q_DELTA_CLEAR_INTERVALS] = "delta_clear_intervals",
    [Q_DELTA_CLEAR_ITEMS] = "delta_clear_items",
    [Q_DELTA_CLEAR_ITEM_FINDINGS] = "delta_clear_item_findings",
    [Q_DELTA_WORK_ITEMS] = "delta_work_items",
    [Q_DELTA_APP_TABLE] = "delta_app_table",
    [Q_DELTA_APP_CLEAR] = "delta_app_clear",
    [Q_DELTA_WALK_BLOCKED] = "delta_walk_blocked",
    [Q_DELTA_TOUCHED_ROWS] = "delta_touched_rows",
    [Q_DELTA_APP_ADD] = "delta_app_add",
    [Q_DELTA_APP_LIST] = "delta_app_list",
    [Q_DELTA_APP_SHARING] = "delta_app_sharing",
    [Q_DELTA_FORGET_DEPLOYED] = "delta_forget_deployed",
    [Q_DELTA_FORGET_DEPLOYMENTS] = "delta_forget_deployments",
    [Q_DELTA_FORGET_INCIDENTS] = "delta_forget_incidents",
    [Q_DELTA_FORGET_MISSING] = "delta_forget_missing",
    [Q_DELTA_FORGET_UNTRACEABLE] = "delta_forget_untraceable",
    [Q_DELTA_FORGET_LATE] = "delta_forget_late",
    [Q_DELTA_FORGET_INCIDENT_FINDINGS] = "delta_forget_incident_findings",
    [Q_DELTA_APP_WALKABLE] = "delta_app_walkable",
    [Q_DELTA_UNTRACEABLE_REVISIONS] = "delta_untraceable_revisions",
    [Q_DELTA_NEW_COMMIT] = "delta_new_commit",
    [Q_DELTA_SHA_ROWS] = "delta_sha_rows",
    [Q_DELTA_IS_MISSING] = "delta_is_missing",
    [Q_DELTA_NODE] = "delta_node",
    [Q_DELTA_NODE_ANY_CASE] = "delta_node_any_case",
    [Q_DELTA_DEPLOYED] = "delta_deployed",
    [Q_DELTA_REATTRIBUTE] = "delta_reattribute",
    [Q_DELTA_FORGET_INCIDENT] = "delta_forget_incident",
    [Q_DELTA_FORGET_INCIDENT_FINDING] = "delta_forget_incident_finding",
    [Q_DELTA_FORGET_NO_ANCESTRY] = "delta_forget_no_ancestry",
    [Q_DELTA_PROD_TABLE] = "delta_prod_table",
    [Q_DELTA_PROD_CLEAR] = "delta_prod_clear",
    [Q_DELTA_PROD_FILL] = "delta_prod_fill",
    [Q_DELTA_PROD_ANALYZE] = "delta_prod_analyze",
    [Q_DELTA_FIRST_DEPLOYMENTS] = "delta_first_deployments",
    [Q_INSERT_FINDING] = "insert_finding",
    [Q_FIND_ITEM] = "find_work_item",
    [Q_KNOWN_PROJECTS] = "known_projects",
    [Q_COMMITS] = "commits",
    [Q_APPLICATIONS] = "applications",
    [Q_DEPLOYMENTS] = "deployments",
    [Q_BUILD_REVISIONS] = "build_revisions",
    [Q_REPOSITORIES] = "repositories",
    [Q_COMMIT_GRAPH] = "commit_graph",
    [Q_NO_ANCESTRY] = "repositories_without_ancestry",
    [Q_INCIDENTS] = "incidents",
    [Q_INCIDENTS_NO_APP] = "incidents_without_application",
    [Q_INCIDENT_NEGATIVE] = "incident_negative_durations",
    [Q_STATUSES] = "statuses",
    [Q_STATUS_CLAIMS] = "status_claims",
    [Q_INSERT_STATUS] = "insert_status",
    [Q_WORK_ITEMS] = "work_items",
    [Q_TRANSITIONS] = "transitions",
    [Q_FIRST_DEPLOYMENTS] = "first_deployments",
    [Q_SET_PRODUCTION] = "set_production",
    [Q_PR_KEYS] = "pull_request_keys",
    [Q_MERGE_REPOS] = "merge_repositories",
    [Q_REPO_GRAPH] = "repository_graph",
    [Q_CLEAR_KEY_FINDINGS] = "clear_key_findings",
    [Q_INSERT_UNLOADED_FINDINGS] = "insert_unloaded_findings",
    [Q_INSERT_PR_FINDINGS] = "insert_pull_request_findings",
    [Q_CLEAR_PRODUCTION_FINDINGS] = "clear_production_findings",
    [Q_PRODUCTION_BEFORE_CREATED] = "production_before_created",
    [Q_INSERT_DERIVED_FINDING] = "insert_derived_finding",
    [Q_DELTA_COMMIT_CHANGED] = "delta_commit_changed",
    [Q_DELTA_PR_COMMITS] = "delta_pull_request_commits",
    [Q_DELTA_MERGE_REPOS] = "delta_merge_repositories",
    [Q_DELTA_REPO_GRAPH] = "delta_repository_graph",
    [Q_DELTA_REKEY] = "delta_rekey",
    [Q_DELTA_PR_KEYS] = "delta_pull_request_keys",
    [Q_DELTA_REPO_DEPLOYED] = "delta_repository_deployed",
    [Q_DELTA_INSERTED_TABLE] = "delta_inserted_table",
    [Q_DELTA_INSERTED_CLEAR] = "delta_inserted_clear",
    [Q_DELTA_INSERTED_FILL] = "delta_inserted_fill",
};

/* The derived tables filled by bulk append: their columns. */

static const char *const commit_link_cols[] = { "commit_id", "work_item_id" };
static const char *const deployed_cols[] = { "deployment_id", "commit_id", "is_baseline", "is_merge",
                                             "lead_time_s" };
static const char *const deployment_cols[] = { "deployment_id", "traceable", "is_baseline",
                                               "commits_deployed" };
static const char *const incident_cols[] = { "incident_id", "deployment_id", "how" };
static const char *const item_cols[] = { "work_item_id", "flow_type", "category", "start_at",
                                         "end_at", "active_s" };
static const char *const interval_cols[] = { "work_item_id", "seq", "status", "category",
                                             "waiting", "from_at", "to_at" };

#define TABLE(name, cols) { name, cols, (int)(sizeof(cols) / sizeof(cols[0])) }
static const struct {
    const char *name;
    const char *const *columns;
    int ncols;
} tables[T_COUNT] = {
    [T_COMMIT_LINKS] = TABLE("bridge_commit_work_item", commit_link_cols),
    [T_DEPLOYED] = TABLE("bridge_deployment_commit", deployed_cols),
    [T_DEPLOYMENTS] = TABLE("derived_deployment", deployment_cols),
    [T_INCIDENTS] = TABLE("derived_incident", incident_cols),
    [T_ITEMS] = TABLE("derived_work_item", item_cols),
    [T_INTERVALS] = TABLE("derived_status_interval", interval_cols),
};


/* ---------------------------------------------------------------- SQL helpers */

int corr_sql_fail(corr *c, const char *what)
{
    cw_error("correlate: %s: %s", what, cw_db_errmsg(c->db));
    return -1;
}

/* Step a query to its next row: 1 with a row, 0 at the end (the statement
 * is reset for its next use), -1 with the error logged. */
int corr_next_row(corr *c, int q)
{
    int rc = cw_db_step(c->q[q]);
    if (rc == CW_DB_ROW)
        return 1;
    if (rc == CW_DB_DONE) {
        cw_db_reset(c->q[q]);
        return 0;
    }
    corr_sql_fail(c, corr_q_name[q]);
    cw_db_reset(c->q[q]);
    return -1;
}

/* Stop reading a query before its end (or after an error). */
void corr_done(corr *c, int q)
{
    cw_db_reset(c->q[q]);
}

/* Run a statement that returns no rows, its parameters bound. */
int corr_run(corr *c, int q)
{
    int rc = corr_next_row(c, q);
    if (rc == 1) {
        corr_done(c, q);
        return 0;
    }
    return rc;
}

static int64_t column_time(cw_stmt *st, int col)
{
    return cw_db_column_type(st, col) == CW_DB_NULL ? CW_NO_TIME : cw_db_column_int(st, col);
}

/* Keep one derived row for its bulk append. */
int corr_append(corr *c, int table, const cw_db_value *row)
{
    return cw_append_row(&c->out[table], row);
}

/* Write every derived row kept so far: before a statement reads them. */
int corr_flush_all(corr *c)
{
    for (int t = 0; t < T_COUNT; t++)
        if (cw_append_flush(&c->out[t]))
            return -1;
    return 0;
}

static int add_finding(corr *c, const char *kind, const char *subject, const char *detail)
{
    cw_stmt *st = c->q[Q_INSERT_FINDING];
    cw_db_bind_str(st, 1, kind);
    cw_db_bind_str(st, 2, subject);
    cw_db_bind_str(st, 3, detail);
    return corr_run(c, Q_INSERT_FINDING);
}

/* ---------------------------------------------------------------- commit -> work item */

/* Work items named by one commit, deduplicated before insertion. */
typedef struct link_ctx {
    corr *c;
    int64_t commit_id;
    int64_t *items;
    size_t n, cap;
    int failed;
} link_ctx;

/* A key of a known project whose item is not loaded: kept, so the batch
 * that loads the item links this commit without reading it again. */
static int keep_unresolved(corr *c, int64_t commit_id, const char *key)
{
    cw_stmt *st = c->q[Q_INSERT_COMMIT_KEY];
    cw_db_bind_str(st, 1, key);
    cw_db_bind_int(st, 2, commit_id);
    return corr_run(c, Q_INSERT_COMMIT_KEY);
}

static int on_key(void *ctx, const char *key, const char *project)
{
    link_ctx *lc = ctx;
    corr *c = lc->c;
    int rc;

    cw_db_bind_str(c->q[Q_FIND_ITEM], 1, key);
    rc = corr_next_row(c, Q_FIND_ITEM);
    if (rc == 1) {
        if (lc->n == lc->cap) {
            lc->cap = lc->cap ? lc->cap * 2 : 8;
            lc->items = cw_xrealloc(lc->items, lc->cap * sizeof(int64_t));
        }
        lc->items[lc->n++] = cw_db_column_int(c->q[Q_FIND_ITEM], 0);
        corr_done(c, Q_FIND_ITEM);
    } else if (rc < 0 || keep_unresolved(c, lc->commit_id, key) != 0) {
        lc->failed = 1;
    }
    return lc->failed;
}

int corr_compare_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int insert_links(corr *c, int64_t commit_id, link_ctx *lc)
{
    if (lc->n > 1)
        qsort(lc->items, lc->n, sizeof(int64_t), corr_compare_id);
    for (size_t i = 0; i < lc->n; i++) {
        cw_db_value row[2];
        if (i > 0 && lc->items[i] == lc->items[i - 1])
            continue;
        row[0] = cw_value_int(commit_id);
        row[1] = cw_value_int(lc->items[i]);
        if (corr_append(c, T_COMMIT_LINKS, row))
            return -1;
        c->stats->commit_links++;
    }
    return 0;
}

/* Keys in the subject and body of the commit row st into lc.  -1 on a
 * database error. */
static int scan_commit(cw_keys *keys, cw_stmt *st, link_ctx *lc)
{
    for (int col = 1; col <= 2; col++) {
        if (cw_keys_scan(keys, cw_db_column_text(st, col), on_key, lc) >= 0)
            continue;
        if (lc->failed)
            return -1;          /* corr_next_row logged it */
        /* A pcre2 matching error (a match limit): keep the keys found so far. */
        cw_warn("correlate: key scan failed on commit %lld", (long long)cw_db_column_int(st, 0));
    }
    return 0;
}

static int compare_pair(const void *a, const void *b)
{
    const struct corr_pair *x = a, *y = b;
    return x->commit_id < y->commit_id ? -1 : x->commit_id > y->commit_id;
}

/* The keys extra holds for lc's commit (extra sorted, *next its cursor). */
static int extra_keys(const corr_pairs *extra, size_t *next, link_ctx *lc)
{
    while (*next < extra->n && extra->v[*next].commit_id < lc->commit_id)
        (*next)++;
    for (; *next < extra->n && extra->v[*next].commit_id == lc->commit_id; (*next)++)
        if (on_key(lc, extra->v[*next].key, NULL))
            return -1;
    return 0;
}

/* Link the commits query q returns (commit_id, subject, body, by commit_id):
 * the keys of their message and those extra holds for them (the union;
 * metrics.md "Idea to production"). */
int corr_link_commits(corr *c, int q, cw_keys *keys, corr_pairs *extra)
{
    link_ctx lc = { .c = c };
    cw_stmt *st = c->q[q];
    size_t next = 0;
    int rc;

    if (extra->n > 1)
        qsort(extra->v, extra->n, sizeof(*extra->v), compare_pair);
    while ((rc = corr_next_row(c, q)) == 1) {
        c->stats->commits++;
        lc.n = 0;
        lc.commit_id = cw_db_column_int(st, 0);
        if (scan_commit(keys, st, &lc) || extra_keys(extra, &next, &lc) ||
            insert_links(c, lc.commit_id, &lc)) {
            corr_done(c, q);
            rc = -1;
            break;
        }
    }
    free(lc.items);
    return rc;
}

/* ---------------------------------------------------------------- deployments */


void corr_deploy_list_free(deploy_list *dl)
{
    for (size_t i = 0; i < dl->n; i++) {
        free((char *)dl->d[i].job);
        free((char *)dl->d[i].revision);
        for (size_t r = 0; r < dl->d[i].n_more; r++)
            free(dl->d[i].more_revisions[r]);
        free(dl->d[i].more_revisions);
    }
    free(dl->d);
    free(dl->build_ids);
    memset(dl, 0, sizeof(*dl));
}

/* Successful production deployments of one application, or of none
 * (app < 0), in walk order: the rule is the statement "deployments". */
int corr_load_deployments(corr *c, int64_t app, deploy_list *dl)
{
    cw_stmt *st = c->q[Q_DEPLOYMENTS];
    int rc;

    if (app >= 0)
        cw_db_bind_int(st, 1, app);
    else
        cw_db_bind_null(st, 1);
    while ((rc = corr_next_row(c, Q_DEPLOYMENTS)) == 1) {
        cw_deploy *d;
        if (dl->n == dl->cap) {
            dl->cap = dl->cap ? dl->cap * 2 : 64;
            dl->d = cw_xrealloc(dl->d, dl->cap * sizeof(cw_deploy));
            dl->build_ids = cw_xrealloc(dl->build_ids, dl->cap * sizeof(int64_t));
        }
        dl->build_ids[dl->n] = cw_db_column_int(st, 5);
        d = &dl->d[dl->n++];
        memset(d, 0, sizeof(*d));
        d->deployment_id = cw_db_column_int(st, 0);
        d->finished_at = cw_db_column_int(st, 1);
        d->run_number = (long)cw_db_column_int(st, 2);
        d->revision = cw_strdup(cw_db_column_text(st, 3));
        d->job = cw_strdup(cw_db_column_text(st, 4));
    }
    return rc;
}

/* ------------------------------------------------ revisions of a build */

static int strlist_has(const cw_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i], s) == 0)
            return 1;
    return 0;
}

/* The build's checkouts: remotes ("" when unknown) and revisions, by seq. */
static int read_checkouts(corr *c, int64_t build_id, cw_strlist *remotes, cw_strlist *shas)
{
    cw_stmt *st = c->q[Q_BUILD_REVISIONS];
    int rc;
    cw_db_bind_int(st, 1, build_id);
    while ((rc = corr_next_row(c, Q_BUILD_REVISIONS)) == 1) {
        const char *remote = cw_db_column_text(st, 0);
        cw_strlist_add(remotes, remote ? remote : "");
        cw_strlist_add(shas, cw_db_column_text(st, 1));
    }
    return rc;
}

/* The application's revisions among the checkouts (see the banner). */
static void choose_revisions(const cw_strlist *repos, const cw_strlist *remotes,
                             const cw_strlist *shas, cw_strlist *out)
{
    for (size_t r = 0; r < repos->n; r++)
        for (size_t k = 0; k < remotes->n; k++)
            if (cw_remote_names_repository(remotes->items[k], repos->items[r])) {
                if (!strlist_has(out, shas->items[k]))
                    cw_strlist_add(out, shas->items[k]);
                break;
            }
}

/* d walks from chosen instead of its build's first revision. */
static void use_revisions(cw_deploy *d, cw_strlist *chosen)
{
    free((char *)d->revision);
    d->revision = chosen->items[0];
    d->more_revisions = chosen->n > 1 ? chosen->items + 1 : NULL;
    d->n_more = chosen->n - 1;
    if (d->more_revisions) {    /* own the tail as its own array */
        d->more_revisions = cw_xmalloc(d->n_more * sizeof(char *));
        memcpy(d->more_revisions, chosen->items + 1, d->n_more * sizeof(char *));
    }
    free(chosen->items);
    memset(chosen, 0, sizeof(*chosen));
}

int corr_texts(corr *c, int q, int64_t app, cw_strlist *out)
{
    int rc;
    cw_db_bind_int(c->q[q], 1, app);
    while ((rc = corr_next_row(c, q)) == 1)
        cw_strlist_add(out, cw_db_column_text(c->q[q], 0));
    return rc;
}

static int pick_revisions(corr *c, int64_t app, deploy_list *dl)
{
    cw_strlist repos = { 0 }, remotes = { 0 }, shas = { 0 }, chosen = { 0 };
    int loaded = 0, rc = 0;

    for (size_t i = 0; i < dl->n && rc == 0; i++) {
        rc = read_checkouts(c, dl->build_ids[i], &remotes, &shas);
        if (rc == 0 && shas.n >= 2 && !loaded) {
            rc = corr_texts(c, Q_REPOSITORIES, app, &repos);
            loaded = 1;
        }
        if (rc == 0 && shas.n >= 2)
            choose_revisions(&repos, &remotes, &shas, &chosen);
        if (chosen.n > 0)
            use_revisions(&dl->d[i], &chosen);
        cw_strlist_free(&remotes);
        cw_strlist_free(&shas);
        cw_strlist_free(&chosen);
    }
    cw_strlist_free(&repos);
    return rc;
}

/*
 * The application's commit graph g.  A repository with any commit loaded
 * only from an export without full parent shas (fact_commit.has_ancestry
 * = 0, see extract/git.c) gives no ancestry: walking its partial parents
 * would deploy the wrong commits, so its commits stay out of g and go to
 * `hidden` without parents, only to say why a deployment of one of them is
 * untraceable.
 */
static int load_graph(corr *c, int64_t app, cw_graph *g, cw_graph *hidden)
{
    cw_stmt *st = c->q[Q_COMMIT_GRAPH];
    cw_strmap *repos = cw_strmap_new();     /* repository -> its number (the baseline's) */
    int rc;

    cw_db_bind_int(st, 1, app);
    while ((rc = corr_next_row(c, Q_COMMIT_GRAPH)) == 1) {
        int no_ancestry = cw_db_column_int(st, 4) != 0;
        const char *repo = cw_db_column_text(st, 5);
        int64_t number = (int64_t)cw_strmap_count(repos);
        cw_strmap_add(repos, repo ? repo : "", number, &number);
        cw_graph_add_in(no_ancestry ? hidden : g, (int)number, cw_db_column_text(st, 1),
                        no_ancestry ? "" : cw_db_column_text(st, 2),
                        cw_db_column_int(st, 3), cw_db_column_int(st, 0));
    }
    cw_strmap_free(repos);
    if (rc < 0)
        return -1;
    cw_graph_finish(g);
    cw_graph_finish(hidden);
    return 0;
}

/* One finding per repository without ancestry, naming the export that has it. */
int corr_no_ancestry_findings(corr *c)
{
    cw_stmt *st = c->q[Q_NO_ANCESTRY];
    int rc;

    while ((rc = corr_next_row(c, Q_NO_ANCESTRY)) == 1) {
        char *detail = cw_asprintf("%lld of %lld commits came from a git log export without full "
                                   "parent shas (git log's default or code-maat format): the "
                                   "repository gives no ancestry, so its deployments deploy nothing "
                                   "and get no lead time; export it with: %s",
                                   (long long)cw_db_column_int(st, 1),
                                   (long long)cw_db_column_int(st, 2), CW_GIT_EXPORT_COMMAND);
        int failed = add_finding(c, "git_no_ancestry", cw_db_column_text(st, 0), detail);
        free(detail);
        if (failed) {
            corr_done(c, Q_NO_ANCESTRY);
            return -1;
        }
    }
    return rc;
}

/* Decisions 10: a commit authored after the deployment that first shipped
 * it stays deployed (traceability counts it) but has no lead time. */
static int late_commit_finding(corr *c, const cw_deploy *d, const cw_gnode *node, int64_t lead)
{
    char *deployment = d->job ? cw_asprintf("%s#%ld", d->job, d->run_number)
                              : cw_asprintf("deployment %lld", (long long)d->deployment_id);
    char *detail = cw_asprintf("authored %.2f h after %s finished, the deployment that first "
                               "shipped it: no lead time", (double)-lead / 3600.0, deployment);
    int rc = add_finding(c, "commit_authored_after_deployment", node->sha, detail);
    free(deployment);
    free(detail);
    return rc;
}

static int insert_deployed(corr *c, const cw_deploy *d, const cw_gnode *node, int64_t commit_id)
{
    cw_db_value row[5];
    int64_t lead;
    int has_lead;

    /* The same sha in two repositories of one application is one change:
     * its copies are deployed too, but only the first carries the lead time. */
    has_lead = commit_id == node->commit_id && cw_graph_lead_time(d, node, &lead);
    if (has_lead && lead < 0) {
        has_lead = 0;
        if (late_commit_finding(c, d, node, lead))
            return -1;
    }
    row[0] = cw_value_int(d->deployment_id);
    row[1] = cw_value_int(commit_id);
    row[2] = cw_value_int(node->baseline);
    row[3] = cw_value_int(node->n_parents >= 2);
    row[4] = has_lead ? cw_value_int(lead) : cw_value_null();
    if (corr_append(c, T_DEPLOYED, row))
        return -1;
    c->stats->deployed_commits++;
    return 0;
}

int corr_on_deployed(void *ctx, const cw_deploy *d, const cw_gnode *node)
{
    corr *c = ctx;
    if (insert_deployed(c, d, node, node->commit_id))
        return -1;
    for (size_t i = 0; i < node->n_extra; i++)
        if (insert_deployed(c, d, node, node->extra_ids[i]))
            return -1;
    return 0;
}

static int untraceable_finding(corr *c, int64_t app, const cw_deploy *d, const cw_graph *hidden)
{
    char *subject = d->job ? cw_asprintf("%s#%ld", d->job, d->run_number)
                           : cw_asprintf("deployment %lld", (long long)d->deployment_id);
    char *detail = app < 0 ? cw_strdup("no application claims this deployment")
        : cw_str_empty(d->revision)
        ? cw_asprintf("no revision recorded (application %lld)", (long long)app)
        : hidden && cw_graph_find(hidden, d->revision) >= 0
        ? cw_asprintf("revision %s is a commit of a repository that gives no ancestry "
                      "(see finding git_no_ancestry)", d->revision)
        : cw_asprintf("revision %s is not in the commit graph of application %lld",
                      d->revision, (long long)app);
    int rc = add_finding(c, "untraceable_deployment", subject, detail);
    free(subject);
    free(detail);
    return rc;
}

int corr_write_deployments(corr *c, int64_t app, const deploy_list *dl, const cw_graph *hidden)
{
    for (size_t i = 0; i < dl->n; i++) {
        const cw_deploy *d = &dl->d[i];
        cw_db_value row[4] = { cw_value_int(d->deployment_id), cw_value_int(d->traceable),
                               cw_value_int(d->is_baseline), cw_value_int(d->commits_deployed) };
        if (corr_append(c, T_DEPLOYMENTS, row))
            return -1;
        c->stats->deployments++;
        if (!d->traceable) {
            c->stats->untraceable_deployments++;
            if (untraceable_finding(c, app, d, hidden))
                return -1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- incidents */

int corr_insert_incident(corr *c, int64_t incident_id, const cw_deploy *d, cw_attr_how how)
{
    cw_db_value row[3] = { cw_value_int(incident_id),
                           d ? cw_value_int(d->deployment_id) : cw_value_null(),
                           cw_value_text(cw_attr_how_name(how)) };
    if (corr_append(c, T_INCIDENTS, row))
        return -1;
    if (d)
        c->stats->incidents_attributed++;
    return 0;
}

static int attribute_incidents(corr *c, int64_t app, const deploy_list *dl, const cw_graph *g)
{
    cw_stmt *st = c->q[Q_INCIDENTS];
    int rc;

    cw_db_bind_int(st, 1, app);
    while ((rc = corr_next_row(c, Q_INCIDENTS)) == 1) {
        long index;
        cw_attr_how how = cw_attribute(dl->d, dl->n, g, c->incident_re, cw_db_column_text(st, 1),
                                       cw_db_column_text(st, 2), cw_db_column_int(st, 3),
                                       c->cfg->attribution_window_s, &index);
        if (corr_insert_incident(c, cw_db_column_int(st, 0), index >= 0 ? &dl->d[index] : NULL,
                                 how)) {
            corr_done(c, Q_INCIDENTS);
            return -1;
        }
    }
    return rc;
}

/* Decisions 10: an incident resolved before it was created has no time to
 * restore and no recovery time; one resolved before the deployment it is
 * attributed to finished (an explicit reference to a later deployment) has
 * no recovery time.  reports/sql/views.sql leaves them out; this reports
 * them.  Columns: external id, created, resolved, deployment finished. */
int corr_incident_findings(corr *c)
{
    cw_stmt *st = c->q[Q_INCIDENT_NEGATIVE];
    int rc;

    while ((rc = corr_next_row(c, Q_INCIDENT_NEGATIVE)) == 1) {
        int64_t created = cw_db_column_int(st, 1), resolved = cw_db_column_int(st, 2);
        int before_created = resolved < created, failed;
        char *detail = before_created
            ? cw_asprintf("resolved %.2f h before it was created: no time to restore or "
                          "recovery time", (double)(created - resolved) / 3600.0)
            : cw_asprintf("resolved %.2f h before its deployment finished: no recovery time",
                          (double)(cw_db_column_int(st, 3) - resolved) / 3600.0);
        failed = add_finding(c, before_created ? "incident_resolved_before_created"
                                               : "incident_resolved_before_deployment",
                             cw_db_column_text(st, 0), detail);
        free(detail);
        if (failed) {
            corr_done(c, Q_INCIDENT_NEGATIVE);
            return -1;
        }
    }
    return rc;
}

/* The parents the graph lacks (derived_missing_parent, graph.h). */
static int keep_missing_parents(corr *c, int64_t app, const cw_graph *g)
{
    cw_stmt *st = c->q[Q_INSERT_MISSING];
    for (size_t i = 0; i < cw_graph_missing_count(g); i++) {
        cw_db_bind_int(st, 1, app);
        cw_db_bind_str(st, 2, cw_graph_missing(g, i));
        if (corr_run(c, Q_INSERT_MISSING))
            return -1;
    }
    return 0;
}

/* One application: its graph, its deployments, its incidents. */
int corr_correlate_app(corr *c, int64_t app)
{
    deploy_list dl = { 0 };
    cw_graph *g = cw_graph_new(), *hidden = cw_graph_new();
    int rc = -1;

    if (corr_load_deployments(c, app, &dl) || pick_revisions(c, app, &dl))
        goto out;
    /* Without deployments nothing is deployed: skip reading the history. */
    if (dl.n > 0 && (load_graph(c, app, g, hidden) || keep_missing_parents(c, app, g)))
        goto out;
    if (cw_graph_walk(g, dl.d, dl.n, corr_on_deployed, c) ||
        corr_write_deployments(c, app, &dl, hidden) ||
        attribute_incidents(c, app, &dl, g))
        goto out;
    rc = 0;
out:
    cw_graph_free(g);
    cw_graph_free(hidden);
    corr_deploy_list_free(&dl);
    return rc;
}

/* Production deployments no application claims: nothing to trace them
 * against, so they are listed as untraceable for the audit. */
int corr_orphan_deployments(corr *c)
{
    deploy_list dl = { 0 };
    int rc = corr_load_deployments(c, -1, &dl);
    if (rc == 0)
        rc = corr_write_deployments(c, -1, &dl, NULL);
    corr_deploy_list_free(&dl);
    return rc;
}

static int correlate_apps(corr *c)
{
    int rc;

    while ((rc = corr_next_row(c, Q_APPLICATIONS)) == 1)
        if (corr_correlate_app(c, cw_db_column_int(c->q[Q_APPLICATIONS], 0))) {
            corr_done(c, Q_APPLICATIONS);
            return -1;
        }
    if (rc < 0 || corr_orphan_deployments(c))
        return -1;
    /* The derived rows so far are read from here on. */
    if (corr_flush_all(c) || corr_run(c, Q_INCIDENTS_NO_APP))
        return -1;
    return corr_incident_findings(c);
}

/* ---------------------------------------------------------------- statuses */

/* Configured categories: dim_status rows of origin config (the loader's
 * mirror of [status]), then any rule of cfg the mirror lacks. */
int corr_load_statuses(corr *c)
{
    cw_stmt *st = c->q[Q_STATUSES];
    int rc;

    while ((rc = corr_next_row(c, Q_STATUSES)) == 1) {
        cw_category cat;
        const char *category = cw_db_column_text(st, 1);
        int waiting = cw_db_column_int(st, 2) != 0;
        if (cw_streq_ci(category, "wait")) {
            cat = CW_CAT_IN_PROGRESS;
            waiting = 1;
        } else if (cw_category_parse(category, &cat)) {
            cw_warn("correlate: status '%s' has unknown category '%s'; ignored",
                    cw_db_column_text(st, 0), category ? category : "");
            continue;
        }
        cw_status_map_add(c->statuses, cw_db_column_text(st, 0), cat, waiting, CW_STATUS_CONFIG);
    }
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < c->cfg->n_statuses; i++) {
        const cw_status_rule *r = &c->cfg->statuses[i];
        int waiting = r->waiting || cw_streq_ci(r->category, "wait");
        cw_category cat = CW_CAT_IN_PROGRESS;
        if (waiting || cw_category_parse(r->category, &cat) == 0)
            cw_status_map_add(c->statuses, r->name, cat, waiting, CW_STATUS_CONFIG);
    }
    return 0;
}

/* A claim that disagrees with the one that decided: one finding per status.
 * st is a row of "status_claims": name, category, subject, and the deciding
 * claim's category and subject. */
static int category_conflict(corr *c, cw_stmt *st)
{
    char *detail = cw_asprintf("%s from %s; %s from %s", cw_db_column_text(st, 3),
                               cw_db_column_text(st, 4), cw_db_column_text(st, 1),
                               cw_db_column_text(st, 2));
    int rc = add_finding(c, "status_category_conflict", cw_db_column_text(st, 0), detail);
    free(detail);
    return rc;
}

/* Statuses the config does not name take their source's category: the
 * first claim decides (the order of "status_claims"), any other category
 * claimed for it is a finding.  Statuses no source categorises (seen only
 * in histories) are guessed later, by cw_flow_compute. */
static int learn_source_statuses(corr *c)
{
    cw_stmt *st = c->q[Q_STATUS_CLAIMS];
    int rc;

    while ((rc = corr_next_row(c, Q_STATUS_CLAIMS)) == 1) {
        const cw_status_info *known;
        cw_category cat;
        if (cw_category_parse(cw_db_column_text(st, 1), &cat) != 0)
            continue;
        known = cw_status_map_get(c->statuses, cw_db_column_text(st, 0));
        if (!known)
            cw_status_map_add(c->statuses, cw_db_column_text(st, 0), cat, 0, CW_STATUS_SOURCE);
        else if (known->origin == CW_STATUS_SOURCE && known->category != cat &&
                 category_conflict(c, st) != 0) {
            corr_done(c, Q_STATUS_CLAIMS);
            return -1;
        }
    }
    return rc;
}

/* dim_status rows and findings for every status the config did not name. */
static int write_learnt_statuses(corr *c)
{
    cw_stmt *st = c->q[Q_INSERT_STATUS];
    for (size_t i = 0; i < cw_status_map_count(c->statuses); i++) {
        const cw_status_info *s = cw_status_map_at(c->statuses, i);
        char *detail;
        int rc;
        if (s->origin == CW_STATUS_CONFIG)
            continue;
        cw_db_bind_str(st, 1, s->name);
        cw_db_bind_str(st, 2, cw_category_name(s->category));
        cw_db_bind_int(st, 3, s->waiting);
        cw_db_bind_str(st, 4, cw_status_origin_name(s->origin));
        if (corr_run(c, Q_INSERT_STATUS))
            return -1;
        detail = cw_asprintf(s->origin == CW_STATUS_GUESS
                             ? "not configured and no source category: guessed %s from the name"
                             : "not configured: %s from the source's status category",
                             cw_category_name(s->category));
        rc = add_finding(c, s->origin == CW_STATUS_GUESS ? "status_guessed" : "status_from_source",
                         s->name, detail);
        free(detail);
        if (rc)
            return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- work items */

typedef struct transitions {
    cw_flow_transition *t;
    size_t n, cap;
} transitions;

static void transitions_clear(transitions *tr)
{
    for (size_t i = 0; i < tr->n; i++) {
        free((char *)tr->t[i].history_id);
        free((char *)tr->t[i].from_status);
        free((char *)tr->t[i].to_status);
    }
    tr->n = 0;
}

static int load_transitions(corr *c, int64_t item_id, transitions *tr)
{
    cw_stmt *st = c->q[Q_TRANSITIONS];
    int rc;

    transitions_clear(tr);
    cw_db_bind_int(st, 1, item_id);
    while ((rc = corr_next_row(c, Q_TRANSITIONS)) == 1) {
        cw_flow_transition *t;
        if (tr->n == tr->cap) {
            tr->cap = tr->cap ? tr->cap * 2 : 16;
            tr->t = cw_xrealloc(tr->t, tr->cap * sizeof(cw_flow_transition));
        }
        t = &tr->t[tr->n++];
        t->at = cw_db_column_int(st, 0);
        t->history_id = cw_strdup(cw_db_column_text(st, 1));
        t->from_status = cw_strdup(cw_db_column_text(st, 2));
        t->to_status = cw_strdup(cw_db_column_text(st, 3));
    }
    return rc;
}

static int write_item(corr *c, int64_t item_id, const char *flow_type, const cw_flow_result *res)
{
    cw_db_value item[6] = { cw_value_int(item_id), cw_value_text(flow_type),
                            cw_value_text(cw_category_name(res->category)),
                            cw_value_time(res->start_at), cw_value_time(res->end_at),
                            cw_value_time(res->active_s) };

    if (corr_append(c, T_ITEMS, item))
        return -1;
    for (size_t i = 0; i < res->n_intervals; i++) {
        const cw_flow_interval *iv = &res->intervals[i];
        cw_db_value row[7] = { cw_value_int(item_id), cw_value_int((int64_t)i + 1),
                               cw_value_text(iv->status->name),
                               cw_value_text(cw_category_name(iv->status->category)),
                               cw_value_int(iv->status->waiting), cw_value_int(iv->from_at),
                               cw_value_time(iv->to_at) };
        if (corr_append(c, T_INTERVALS, row))
            return -1;
    }
    c->stats->work_items++;
    return 0;
}

/* Columns of the "work_items" query. */
enum { WI_ID, WI_KEY, WI_TYPE, WI_LABELS, WI_STATUS, WI_SOURCE_CAT, WI_CREATED, WI_RESOLVED,
       WI_TRUNCATED };

static int flow_one(corr *c, cw_stmt *item, transitions *tr, cw_flow_result *res)
{
    int64_t id = cw_db_column_int(item, WI_ID);
    const char *key = cw_db_column_text(item, WI_KEY);
    cw_flow_item fi = {
        .created_at = cw_db_column_int(item, WI_CREATED),
        .resolved_at = column_time(item, WI_RESOLVED),
        .status = cw_db_column_text(item, WI_STATUS),
        .source_category = cw_db_column_text(item, WI_SOURCE_CAT),
    };

    if (cw_db_column_int(item, WI_TRUNCATED) &&
        add_finding(c, "changelog_truncated", key,
                    "the source returned only part of the history; flow times may be off"))
        return -1;
    if (load_transitions(c, id, tr))
        return -1;
    fi.transitions = tr->t;
    fi.n_transitions = tr->n;
    if (cw_flow_compute(c->statuses, &fi, res))
        return add_finding(c, "work_item_no_status", key, "no current status: no flow data");
    if (res->ended_before_start &&
        add_finding(c, "item_ended_before_started", key,
                    "its flow ended before it started: no cycle time (it still counts in throughput)"))
        return -1;
    if (res->ended_before_created &&
        add_finding(c, "item_ended_before_created", key,
                    "its flow ended before it was created: no lead time"))
        return -1;
    return write_item(c, id, cw_flow_type(cw_db_column_text(item, WI_TYPE),
                                          cw_db_column_text(item, WI_LABELS),
                                          c->cfg->flow_rules, c->cfg->n_flow_rules), res);
}

/* The flow of the items query q returns (the "work_items" columns). */
int corr_flow_items(corr *c, int q)
{
    transitions tr = { 0 };
    cw_flow_result res = { 0 };
    int rc;

    while ((rc = corr_next_row(c, q)) == 1)
        if (flow_one(c, c->q[q], &tr, &res)) {
            corr_done(c, q);
            rc = -1;
            break;
        }
    transitions_clear(&tr);
    free(tr.t);
    cw_flow_result_free(&res);
    return rc;
}

/* ---------------------------------------------------------------- idea to production */

/* The item's instant, written when it differs from the one stored: the
 * latest first deployment of the commits (times, n) that no baseline
 * deployment shipped, NULL while one is not deployed (in flight) or when a
 * baseline deployment shipped them all (metrics.md "Idea to production"). */
static int set_production(corr *c, int64_t item_id, int64_t stored, const int64_t *times, size_t n)
{
    cw_stmt *st = c->q[Q_SET_PRODUCTION];
    int64_t at = n > 0 ? cw_flow_production_at(times, n) : CW_NO_TIME;
    if (at == stored)
        return 0;
    cw_db_bind_int(st, 1, item_id);
    if (at == CW_NO_TIME)
        cw_db_bind_null(st, 2);
    else
        cw_db_bind_int(st, 2, at);
    return corr_run(c, Q_SET_PRODUCTION);
}

/* Decisions 10: items in production before they were created, listed
 * (v_flow_items gives them no idea-to-production time).  Rewritten for
 * every item: one pass over derived_work_item. */
static int production_findings(corr *c)
{
    cw_stmt *st = c->q[Q_PRODUCTION_BEFORE_CREATED], *ins = c->q[Q_INSERT_DERIVED_FINDING];
    int rc;

    if (corr_run(c, Q_CLEAR_PRODUCTION_FINDINGS))
        return -1;
    while ((rc = corr_next_row(c, Q_PRODUCTION_BEFORE_CREATED)) == 1) {
        char *detail = cw_asprintf("in production %.2f h before it was created: no "
                                   "idea-to-production time",
                                   (double)(cw_db_column_int(st, 1) - cw_db_column_int(st, 2)) /
                                   3600.0);
        cw_db_bind_str(ins, 1, "item_in_production_before_created");
        cw_db_bind_str(ins, 2, cw_db_column_text(st, 0));
        cw_db_bind_str(ins, 3, "idea_to_production");
        cw_db_bind_str(ins, 4, detail);
        free(detail);
        if (corr_run(c, Q_INSERT_DERIVED_FINDING)) {
            corr_done(c, Q_PRODUCTION_BEFORE_CREATED);
            return -1;
        }
    }
    return rc;
}

/* Stream (item, first deployment of each non-merge commit whose keys
 * include it, the instant stored, shipped by a baseline deployment),
 * grouped by item: the query q.  Commits a baseline deployment shipped are
 * left aside. */
int corr_production_times(corr *c, int q)
{
    cw_stmt *st = c->q[q];
    int64_t *times = NULL, current = -1, stored = CW_NO_TIME;
    size_t n = 0, cap = 0;
    int rc;

    while ((rc = corr_next_row(c, q)) == 1) {
        int64_t item = cw_db_column_int(st, 0);
        if (item != current && current >= 0 && set_production(c, current, stored, times, n)) {
            corr_done(c, q);
            rc = -1;
            break;
        }
        if (item != current)
            n = 0;
        current = item;
        stored = column_time(st, 2);
        if (cw_db_column_int(st, 3) != 0)
            continue;           /* shipped by a baseline deployment */
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            times = cw_xrealloc(times, cap * sizeof(int64_t));
        }
        times[n++] = column_time(st, 1);
    }
    if (rc == 0 && current >= 0)
        rc = set_production(c, current, stored, times, n);
    free(times);
    return rc == 0 ? production_findings(c) : rc;
}

/* ---------------------------------------------------------------- the three parts */

/* Run the statements first..last (no rows, no parameters). */
int corr_run_all(corr *c, int first, int last)
{
    for (int q = first; q <= last; q++)
        if (corr_run(c, q))
            return -1;
    return 0;
}

/* Commit -> work item links, every commit read, with the keys of the
 * requests and merges (keysource.c), and their findings. */
int corr_links_full(corr *c)
{
    corr_pairs extra = { 0 };
    cw_keys *keys;
    int rc;

    if (corr_run_all(c, Q_CLEAR_COMMIT_LINKS, Q_CLEAR_PROJECTS) || !(keys = corr_keys_new(c)))
        return -1;
    rc = corr_pull_request_keys(c, keys, Q_PR_KEYS, &extra) ||
         corr_merge_keys_full(c, keys, &extra) || corr_link_commits(c, Q_COMMITS, keys, &extra) ||
         corr_run(c, Q_INSERT_PROJECTS) || corr_key_findings(c) ? -1 : 0;
    corr_pairs_free(&extra);
    cw_keys_free(keys);
    return rc;
}

/* Deployment -> commits, deployments, incidents, and their findings. */
int corr_walk_full(corr *c)
{
    if (corr_run_all(c, Q_CLEAR_DEPLOYED, Q_CLEAR_WALK_FINDINGS))
        return -1;
    return corr_no_ancestry_findings(c) || correlate_apps(c) ? -1 : 0;
}

/* Statuses and the flow of every item. */
int corr_flow_full(corr *c)
{
    if (corr_run_all(c, Q_CLEAR_INTERVALS, Q_CLEAR_FLOW_FINDINGS))
        return -1;
    return corr_load_statuses(c) || learn_source_statuses(c) || corr_flow_items(c, Q_WORK_ITEMS) ||
           write_learnt_statuses(c) ? -1 : 0;
}

/* ---------------------------------------------------------------- driver */

static int prepare_all(corr *c)
{
    cw_sqlset *set = cw_sqlset_new();
    if (cw_sqlset_load(set, SQL_FILE) != 0) {
        cw_sqlset_free(set);
        return -1;
    }
    for (int i = 0; i < Q_FIRST_DELTA; i++) {
        const char *sql = cw_sqlset_get(set, corr_q_name[i]);
        int rc = sql ? cw_db_prepare(c->db, sql, &c->q[i]) : CW_DB_ERROR;
        if (rc != CW_DB_OK) {
            cw_sqlset_free(set);
            if (!sql)
                cw_error("%s: no statement named %s", SQL_FILE, corr_q_name[i]);
            return sql ? corr_sql_fail(c, corr_q_name[i]) : -1;
        }
    }
    cw_sqlset_free(set);
    for (int t = 0; t < T_COUNT; t++)
        cw_append_init(&c->out[t], c->db, tables[t].name, tables[t].columns, tables[t].ncols);
    return 0;
}

static void corr_free(corr *c)
{
    for (int i = 0; i < Q_COUNT; i++)
        cw_db_finalize(c->q[i]);
    for (int t = 0; t < T_COUNT; t++)
        cw_append_free(&c->out[t]);
    cw_regex_free(c->incident_re);
    cw_status_map_free(c->statuses);
}

static int correlate_all(corr *c)
{
    if (corr_links_full(c) || corr_walk_full(c))
        return -1;
    cw_killpoint("correlate");
    if (corr_flow_full(c) || corr_flush_all(c) || corr_production_times(c, Q_FIRST_DEPLOYMENTS))
        return -1;
    return 0;
}

int corr_step(cw_db *db, const cw_config *cfg, cw_correlate_stats *stats, int (*step)(corr *))
{
    corr c = { .db = db, .cfg = cfg, .stats = stats };
    int rc = -1;

    memset(stats, 0, sizeof(*stats));
    if (!cw_str_empty(cfg->incident_deployment_pattern)) {
        char err[256];
        c.incident_re = cw_regex_compile(cfg->incident_deployment_pattern, 0, err, sizeof(err));
        if (!c.incident_re) {
            cw_error("correlate: incident_deployment_pattern: %s", err);
            return -1;
        }
    }
    c.statuses = cw_status_map_new();
    if (prepare_all(&c))
        goto out;
    if (cw_db_savepoint(db, "cw_correlate") != CW_DB_OK) {
        corr_sql_fail(&c, "savepoint");
        goto out;
    }
    rc = step(&c);
    if (rc != 0) {
        cw_db_rollback_to(db, "cw_correlate");
        memset(stats, 0, sizeof(*stats));
    }
    cw_db_release(db, "cw_correlate");
out:
    corr_free(&c);
    return rc;
}

int cw_correlate(cw_db *db, const cw_config *cfg, cw_correlate_stats *stats)
{
    return corr_step(db, cfg, stats, correlate_all);
}

int cw_correlate_counts(cw_db *db, cw_correlate_stats *stats)
{
    cw_sqlset *set = cw_sqlset_new();
    const char *sql = cw_sqlset_load(set, SQL_FILE) == 0 ? cw_sqlset_get(set, "derived_counts")
                                                         : NULL;
    cw_stmt *st = NULL;
    int rc = sql && cw_db_prepare(db, sql, &st) == CW_DB_OK ? cw_db_step(st) : CW_DB_ERROR;
    memset(stats, 0, sizeof(*stats));
    if (rc == CW_DB_ROW) {
        stats->commits = (long)cw_db_column_int(st, 0);
        stats->deployments = (long)cw_db_column_int(st, 1);
        stats->untraceable_deployments = (long)cw_db_column_int(st, 2);
        stats->deployed_commits = (long)cw_db_column_int(st, 3);
        stats->commit_links = (long)cw_db_column_int(st, 4);
        stats->incidents_attributed = (long)cw_db_column_int(st, 5);
        stats->work_items = (long)cw_db_column_int(st, 6);
    } else {
        cw_error("correlate: counting the derived rows: %s", cw_db_errmsg(db));
    }
    cw_db_finalize(st);
    cw_sqlset_free(set);
    return rc == CW_DB_ROW ? 0 : -1;
}
