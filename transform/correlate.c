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
 * Memory: rows are streamed with cw_db_step.  What is held is what the
 * rules truly need: one application's commit graph and deployment list at a
 * time, the status map, one work item's transitions, and at most
 * CW_APPEND_ROWS rows per derived table waiting for their bulk append.
 */
#include "correlate.h"
#include "append.h"
#include "attribute.h"
#include "flow.h"
#include "graph.h"
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

#define SQL_FILE "transform/sql/correlate.sql"

/* The statements of SQL_FILE, prepared once. */
enum {
    Q_CLEAR_COMMIT_LINKS, Q_CLEAR_COMMIT_KEYS, Q_CLEAR_PROJECTS,
    Q_CLEAR_DEPLOYED, Q_CLEAR_MISSING, Q_CLEAR_DEPLOYMENTS, Q_CLEAR_INCIDENTS, Q_CLEAR_RECLASSIFIED,
    Q_CLEAR_WALK_FINDINGS, Q_CLEAR_INTERVALS, Q_CLEAR_ITEMS, Q_CLEAR_STATUSES,
    Q_CLEAR_FLOW_FINDINGS, Q_INSERT_PROJECTS, Q_INSERT_COMMIT_KEY, Q_INSERT_MISSING, Q_RESET_PRODUCTION,
    Q_INSERT_FINDING, Q_FIND_ITEM, Q_KNOWN_PROJECTS, Q_COMMITS, Q_APPLICATIONS, Q_DEPLOYMENTS,
    Q_BUILD_REVISIONS, Q_REPOSITORIES, Q_COMMIT_GRAPH, Q_NO_ANCESTRY, Q_INCIDENTS,
    Q_INCIDENTS_NO_APP, Q_INCIDENT_NEGATIVE, Q_STATUSES, Q_STATUS_CLAIMS, Q_INSERT_STATUS,
    Q_WORK_ITEMS, Q_TRANSITIONS, Q_FIRST_DEPLOYMENTS, Q_SET_PRODUCTION,
    /* an incremental batch only (prepare_delta): */
    Q_DELTA_ITEM_TABLE, Q_DELTA_COMMIT_TABLE, Q_DELTA_UNLINKED_TABLE, Q_DELTA_ITEM_CLEAR,
    Q_DELTA_COMMIT_CLEAR, Q_DELTA_UNLINKED_CLEAR, Q_DELTA_ITEM_FILL, Q_DELTA_COMMIT_FILL,
    Q_DELTA_FULL_FLOW, Q_DELTA_PROJECTS_CHANGED, Q_DELTA_UNLINKED_FILL, Q_DELTA_UNLINK,
    Q_DELTA_FORGET_KEYS, Q_DELTA_COMMITS, Q_DELTA_KEYS_FOUND, Q_DELTA_KEYS_DONE,
    Q_DELTA_RESET_PRODUCTION, Q_DELTA_ITEM_STATUSES, Q_DELTA_CLEAR_INTERVALS,
    Q_DELTA_CLEAR_ITEMS, Q_DELTA_CLEAR_ITEM_FINDINGS, Q_DELTA_WORK_ITEMS,
    Q_DELTA_APP_TABLE, Q_DELTA_APP_CLEAR, Q_DELTA_WALK_BLOCKED, Q_DELTA_TOUCHED_ROWS,
    Q_DELTA_APP_ADD, Q_DELTA_APP_LIST, Q_DELTA_APP_SHARING, Q_DELTA_FORGET_DEPLOYED,
    Q_DELTA_FORGET_DEPLOYMENTS, Q_DELTA_FORGET_INCIDENTS, Q_DELTA_FORGET_MISSING,
    Q_DELTA_FORGET_UNTRACEABLE, Q_DELTA_FORGET_LATE, Q_DELTA_FORGET_INCIDENT_FINDINGS,
    Q_DELTA_APP_WALKABLE, Q_DELTA_UNTRACEABLE_REVISIONS, Q_DELTA_NEW_COMMIT, Q_DELTA_SHA_ROWS,
    Q_DELTA_IS_MISSING, Q_DELTA_NODE, Q_DELTA_NODE_ANY_CASE, Q_DELTA_DEPLOYED,
    Q_DELTA_REATTRIBUTE, Q_DELTA_FORGET_INCIDENT, Q_DELTA_FORGET_INCIDENT_FINDING,
    Q_DELTA_FORGET_NO_ANCESTRY, Q_DELTA_PROD_TABLE, Q_DELTA_PROD_CLEAR, Q_DELTA_PROD_FILL,
    Q_DELTA_FIRST_DEPLOYMENTS,
    Q_COUNT
};

/* Statements from here on name temporary tables that exist only in an
 * incremental batch, so they are prepared only there (prepare_delta). */
#define Q_FIRST_DELTA Q_DELTA_ITEM_TABLE

static const char *const q_name[Q_COUNT] = {
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
};

/* The derived tables filled by bulk append, and their columns. */
enum { T_COMMIT_LINKS, T_DEPLOYED, T_DEPLOYMENTS, T_INCIDENTS, T_ITEMS, T_INTERVALS, T_COUNT };

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

typedef struct corr {
    cw_db *db;
    const cw_config *cfg;
    cw_correlate_stats *stats;
    cw_stmt *q[Q_COUNT];
    cw_append out[T_COUNT];
    cw_regex *incident_re;
    cw_status_map *statuses;
    int every_item;             /* incremental: a part ran in full, every item's instant again */
} corr;

/* ---------------------------------------------------------------- SQL helpers */

static int sql_fail(corr *c, const char *what)
{
    cw_error("correlate: %s: %s", what, cw_db_errmsg(c->db));
    return -1;
}

/* Step a query to its next row: 1 with a row, 0 at the end (the statement
 * is reset for its next use), -1 with the error logged. */
static int next_row(corr *c, int q)
{
    int rc = cw_db_step(c->q[q]);
    if (rc == CW_DB_ROW)
        return 1;
    if (rc == CW_DB_DONE) {
        cw_db_reset(c->q[q]);
        return 0;
    }
    sql_fail(c, q_name[q]);
    cw_db_reset(c->q[q]);
    return -1;
}

/* Stop reading a query before its end (or after an error). */
static void done(corr *c, int q)
{
    cw_db_reset(c->q[q]);
}

/* Run a statement that returns no rows, its parameters bound. */
static int run(corr *c, int q)
{
    int rc = next_row(c, q);
    if (rc == 1) {
        done(c, q);
        return 0;
    }
    return rc;
}

static int64_t column_time(cw_stmt *st, int col)
{
    return cw_db_column_type(st, col) == CW_DB_NULL ? CW_NO_TIME : cw_db_column_int(st, col);
}

/* Keep one derived row for its bulk append. */
static int append(corr *c, int table, const cw_db_value *row)
{
    return cw_append_row(&c->out[table], row);
}

/* Write every derived row kept so far: before a statement reads them. */
static int flush_all(corr *c)
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
    return run(c, Q_INSERT_FINDING);
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
    return run(c, Q_INSERT_COMMIT_KEY);
}

static int on_key(void *ctx, const char *key, const char *project)
{
    link_ctx *lc = ctx;
    corr *c = lc->c;
    int rc;

    cw_db_bind_str(c->q[Q_FIND_ITEM], 1, key);
    rc = next_row(c, Q_FIND_ITEM);
    if (rc == 1) {
        if (lc->n == lc->cap) {
            lc->cap = lc->cap ? lc->cap * 2 : 8;
            lc->items = cw_xrealloc(lc->items, lc->cap * sizeof(int64_t));
        }
        lc->items[lc->n++] = cw_db_column_int(c->q[Q_FIND_ITEM], 0);
        done(c, Q_FIND_ITEM);
    } else if (rc < 0 || keep_unresolved(c, lc->commit_id, key) != 0) {
        lc->failed = 1;
    }
    return lc->failed;
}

static int compare_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int insert_links(corr *c, int64_t commit_id, link_ctx *lc)
{
    if (lc->n > 1)
        qsort(lc->items, lc->n, sizeof(int64_t), compare_id);
    for (size_t i = 0; i < lc->n; i++) {
        cw_db_value row[2];
        if (i > 0 && lc->items[i] == lc->items[i - 1])
            continue;
        row[0] = cw_value_int(commit_id);
        row[1] = cw_value_int(lc->items[i]);
        if (append(c, T_COMMIT_LINKS, row))
            return -1;
        c->stats->commit_links++;
    }
    return 0;
}

/* Known projects: those of loaded work items and those the config maps. */
static int load_projects(corr *c, cw_keys *keys)
{
    int rc;
    while ((rc = next_row(c, Q_KNOWN_PROJECTS)) == 1)
        cw_keys_add_project(keys, cw_db_column_text(c->q[Q_KNOWN_PROJECTS], 0));
    if (rc < 0)
        return -1;
    for (size_t a = 0; a < c->cfg->n_apps; a++)
        for (size_t p = 0; p < c->cfg->apps[a].projects.n; p++)
            cw_keys_add_project(keys, c->cfg->apps[a].projects.items[p]);
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
            return -1;          /* next_row logged it */
        /* A pcre2 matching error (a match limit): keep the keys found so far. */
        cw_warn("correlate: key scan failed on commit %lld", (long long)cw_db_column_int(st, 0));
    }
    return 0;
}

/* Link the commits query q returns (commit_id, subject, body). */
static int link_commits(corr *c, int q)
{
    char err[256];
    cw_keys *keys = cw_keys_new(c->cfg->key_pattern, err, sizeof(err));
    link_ctx lc = { .c = c };
    cw_stmt *st = c->q[q];
    int rc = -1;

    if (!keys) {
        cw_error("correlate: key_pattern: %s", err);
        return -1;
    }
    if (load_projects(c, keys))
        goto out;
    while ((rc = next_row(c, q)) == 1) {
        c->stats->commits++;
        lc.n = 0;
        lc.commit_id = cw_db_column_int(st, 0);
        if (scan_commit(keys, st, &lc) || insert_links(c, lc.commit_id, &lc)) {
            done(c, q);
            rc = -1;
            break;
        }
    }
out:
    free(lc.items);
    cw_keys_free(keys);
    return rc;
}

/* ---------------------------------------------------------------- deployments */

typedef struct deploy_list {
    cw_deploy *d;
    int64_t *build_ids;         /* per deployment */
    size_t n, cap;
} deploy_list;

static void deploy_list_free(deploy_list *dl)
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
static int load_deployments(corr *c, int64_t app, deploy_list *dl)
{
    cw_stmt *st = c->q[Q_DEPLOYMENTS];
    int rc;

    if (app >= 0)
        cw_db_bind_int(st, 1, app);
    else
        cw_db_bind_null(st, 1);
    while ((rc = next_row(c, Q_DEPLOYMENTS)) == 1) {
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
    while ((rc = next_row(c, Q_BUILD_REVISIONS)) == 1) {
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

static int load_repositories(corr *c, int64_t app, cw_strlist *repos)
{
    int rc;
    cw_db_bind_int(c->q[Q_REPOSITORIES], 1, app);
    while ((rc = next_row(c, Q_REPOSITORIES)) == 1)
        cw_strlist_add(repos, cw_db_column_text(c->q[Q_REPOSITORIES], 0));
    return rc;
}

static int pick_revisions(corr *c, int64_t app, deploy_list *dl)
{
    cw_strlist repos = { 0 }, remotes = { 0 }, shas = { 0 }, chosen = { 0 };
    int loaded = 0, rc = 0;

    for (size_t i = 0; i < dl->n && rc == 0; i++) {
        rc = read_checkouts(c, dl->build_ids[i], &remotes, &shas);
        if (rc == 0 && shas.n >= 2 && !loaded) {
            rc = load_repositories(c, app, &repos);
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
    int rc;

    cw_db_bind_int(st, 1, app);
    while ((rc = next_row(c, Q_COMMIT_GRAPH)) == 1) {
        int no_ancestry = cw_db_column_int(st, 4) != 0;
        cw_graph_add(no_ancestry ? hidden : g, cw_db_column_text(st, 1),
                     no_ancestry ? "" : cw_db_column_text(st, 2),
                     cw_db_column_int(st, 3), cw_db_column_int(st, 0));
    }
    if (rc < 0)
        return -1;
    cw_graph_finish(g);
    cw_graph_finish(hidden);
    return 0;
}

/* One finding per repository without ancestry, naming the export that has it. */
static int no_ancestry_findings(corr *c)
{
    cw_stmt *st = c->q[Q_NO_ANCESTRY];
    int rc;

    while ((rc = next_row(c, Q_NO_ANCESTRY)) == 1) {
        char *detail = cw_asprintf("%lld of %lld commits came from a git log export without full "
                                   "parent shas (git log's default or code-maat format): the "
                                   "repository gives no ancestry, so its deployments deploy nothing "
                                   "and get no lead time; export it with: %s",
                                   (long long)cw_db_column_int(st, 1),
                                   (long long)cw_db_column_int(st, 2), CW_GIT_EXPORT_COMMAND);
        int failed = add_finding(c, "git_no_ancestry", cw_db_column_text(st, 0), detail);
        free(detail);
        if (failed) {
            done(c, Q_NO_ANCESTRY);
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
    row[2] = cw_value_int(d->is_baseline);
    row[3] = cw_value_int(node->n_parents >= 2);
    row[4] = has_lead ? cw_value_int(lead) : cw_value_null();
    if (append(c, T_DEPLOYED, row))
        return -1;
    c->stats->deployed_commits++;
    return 0;
}

static int on_deployed(void *ctx, const cw_deploy *d, const cw_gnode *node)
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

static int write_deployments(corr *c, int64_t app, const deploy_list *dl, const cw_graph *hidden)
{
    for (size_t i = 0; i < dl->n; i++) {
        const cw_deploy *d = &dl->d[i];
        cw_db_value row[4] = { cw_value_int(d->deployment_id), cw_value_int(d->traceable),
                               cw_value_int(d->is_baseline), cw_value_int(d->commits_deployed) };
        if (append(c, T_DEPLOYMENTS, row))
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

static int insert_incident(corr *c, int64_t incident_id, const cw_deploy *d, cw_attr_how how)
{
    cw_db_value row[3] = { cw_value_int(incident_id),
                           d ? cw_value_int(d->deployment_id) : cw_value_null(),
                           cw_value_text(cw_attr_how_name(how)) };
    if (append(c, T_INCIDENTS, row))
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
    while ((rc = next_row(c, Q_INCIDENTS)) == 1) {
        long index;
        cw_attr_how how = cw_attribute(dl->d, dl->n, g, c->incident_re, cw_db_column_text(st, 1),
                                       cw_db_column_text(st, 2), cw_db_column_int(st, 3),
                                       c->cfg->attribution_window_s, &index);
        if (insert_incident(c, cw_db_column_int(st, 0), index >= 0 ? &dl->d[index] : NULL, how)) {
            done(c, Q_INCIDENTS);
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
static int incident_findings(corr *c)
{
    cw_stmt *st = c->q[Q_INCIDENT_NEGATIVE];
    int rc;

    while ((rc = next_row(c, Q_INCIDENT_NEGATIVE)) == 1) {
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
            done(c, Q_INCIDENT_NEGATIVE);
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
        if (run(c, Q_INSERT_MISSING))
            return -1;
    }
    return 0;
}

/* One application: its graph, its deployments, its incidents. */
static int correlate_app(corr *c, int64_t app)
{
    deploy_list dl = { 0 };
    cw_graph *g = cw_graph_new(), *hidden = cw_graph_new();
    int rc = -1;

    if (load_deployments(c, app, &dl) || pick_revisions(c, app, &dl))
        goto out;
    /* Without deployments nothing is deployed: skip reading the history. */
    if (dl.n > 0 && (load_graph(c, app, g, hidden) || keep_missing_parents(c, app, g)))
        goto out;
    if (cw_graph_walk(g, dl.d, dl.n, on_deployed, c) ||
        write_deployments(c, app, &dl, hidden) ||
        attribute_incidents(c, app, &dl, g))
        goto out;
    rc = 0;
out:
    cw_graph_free(g);
    cw_graph_free(hidden);
    deploy_list_free(&dl);
    return rc;
}

/* Production deployments no application claims: nothing to trace them
 * against, so they are listed as untraceable for the audit. */
static int orphan_deployments(corr *c)
{
    deploy_list dl = { 0 };
    int rc = load_deployments(c, -1, &dl);
    if (rc == 0)
        rc = write_deployments(c, -1, &dl, NULL);
    deploy_list_free(&dl);
    return rc;
}

static int correlate_apps(corr *c)
{
    int rc;

    while ((rc = next_row(c, Q_APPLICATIONS)) == 1)
        if (correlate_app(c, cw_db_column_int(c->q[Q_APPLICATIONS], 0))) {
            done(c, Q_APPLICATIONS);
            return -1;
        }
    if (rc < 0 || orphan_deployments(c))
        return -1;
    /* The derived rows so far are read from here on. */
    if (flush_all(c) || run(c, Q_INCIDENTS_NO_APP))
        return -1;
    return incident_findings(c);
}

/* ---------------------------------------------------------------- statuses */

/* Configured categories: dim_status rows of origin config (the loader's
 * mirror of [status]), then any rule of cfg the mirror lacks. */
static int load_statuses(corr *c)
{
    cw_stmt *st = c->q[Q_STATUSES];
    int rc;

    while ((rc = next_row(c, Q_STATUSES)) == 1) {
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

    while ((rc = next_row(c, Q_STATUS_CLAIMS)) == 1) {
        const cw_status_info *known;
        cw_category cat;
        if (cw_category_parse(cw_db_column_text(st, 1), &cat) != 0)
            continue;
        known = cw_status_map_get(c->statuses, cw_db_column_text(st, 0));
        if (!known)
            cw_status_map_add(c->statuses, cw_db_column_text(st, 0), cat, 0, CW_STATUS_SOURCE);
        else if (known->origin == CW_STATUS_SOURCE && known->category != cat &&
                 category_conflict(c, st) != 0) {
            done(c, Q_STATUS_CLAIMS);
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
        if (run(c, Q_INSERT_STATUS))
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
    while ((rc = next_row(c, Q_TRANSITIONS)) == 1) {
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

    if (append(c, T_ITEMS, item))
        return -1;
    for (size_t i = 0; i < res->n_intervals; i++) {
        const cw_flow_interval *iv = &res->intervals[i];
        cw_db_value row[7] = { cw_value_int(item_id), cw_value_int((int64_t)i + 1),
                               cw_value_text(iv->status->name),
                               cw_value_text(cw_category_name(iv->status->category)),
                               cw_value_int(iv->status->waiting), cw_value_int(iv->from_at),
                               cw_value_time(iv->to_at) };
        if (append(c, T_INTERVALS, row))
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
static int flow_items(corr *c, int q)
{
    transitions tr = { 0 };
    cw_flow_result res = { 0 };
    int rc;

    while ((rc = next_row(c, q)) == 1)
        if (flow_one(c, c->q[q], &tr, &res)) {
            done(c, q);
            rc = -1;
            break;
        }
    transitions_clear(&tr);
    free(tr.t);
    cw_flow_result_free(&res);
    return rc;
}

/* ---------------------------------------------------------------- idea to production */

/* The item's instant from its commits' first deployments, written when it
 * differs from the one stored (NULL when not every commit shipped). */
static int set_production(corr *c, int64_t item_id, int64_t stored, const int64_t *times, size_t n)
{
    cw_stmt *st = c->q[Q_SET_PRODUCTION];
    int64_t at = cw_flow_production_at(times, n);
    if (at == stored)
        return 0;
    cw_db_bind_int(st, 1, item_id);
    if (at == CW_NO_TIME)
        cw_db_bind_null(st, 2);
    else
        cw_db_bind_int(st, 2, at);
    return run(c, Q_SET_PRODUCTION);
}

/* Stream (item, first deployment of each non-merge commit naming it, the
 * instant stored), grouped by item: the query q. */
static int production_times(corr *c, int q)
{
    cw_stmt *st = c->q[q];
    int64_t *times = NULL, current = -1, stored = CW_NO_TIME;
    size_t n = 0, cap = 0;
    int rc;

    while ((rc = next_row(c, q)) == 1) {
        int64_t item = cw_db_column_int(st, 0);
        if (item != current && n > 0 && set_production(c, current, stored, times, n)) {
            done(c, q);
            rc = -1;
            break;
        }
        if (item != current)
            n = 0;
        current = item;
        stored = column_time(st, 2);
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            times = cw_xrealloc(times, cap * sizeof(int64_t));
        }
        times[n++] = column_time(st, 1);
    }
    if (rc == 0 && n > 0)
        rc = set_production(c, current, stored, times, n);
    free(times);
    return rc;
}

/* ---------------------------------------------------------------- the three parts */

/* Run the statements first..last (no rows, no parameters). */
static int run_all(corr *c, int first, int last)
{
    for (int q = first; q <= last; q++)
        if (run(c, q))
            return -1;
    return 0;
}

/* Commit -> work item links, every commit read. */
static int links_full(corr *c)
{
    if (run_all(c, Q_CLEAR_COMMIT_LINKS, Q_CLEAR_PROJECTS) || link_commits(c, Q_COMMITS))
        return -1;
    return run(c, Q_INSERT_PROJECTS);
}

/* Deployment -> commits, deployments, incidents, and their findings. */
static int walk_full(corr *c)
{
    if (run_all(c, Q_CLEAR_DEPLOYED, Q_CLEAR_WALK_FINDINGS))
        return -1;
    return no_ancestry_findings(c) || correlate_apps(c) ? -1 : 0;
}

/* Statuses and the flow of every item. */
static int flow_full(corr *c)
{
    if (run_all(c, Q_CLEAR_INTERVALS, Q_CLEAR_FLOW_FINDINGS))
        return -1;
    return load_statuses(c) || learn_source_statuses(c) || flow_items(c, Q_WORK_ITEMS) ||
           write_learnt_statuses(c) ? -1 : 0;
}

/* ---------------------------------------------------------------- incremental */

/*
 * An incremental batch (pipeline/derive.h) starts from derived tables that
 * equal a full derivation of the facts before it, and from cw_touched,
 * every fact row the batch wrote.  Each part re-derives what those rows can
 * change, and falls back to its full form where it cannot tell:
 *   links   the touched commits are read again (their links and waiting
 *           keys replaced); a new item takes the commits that named its key
 *           while it was missing (derived_commit_key).  A changed set of
 *           known projects links every commit again (a key's spelling and
 *           whether it counts depend on the set).
 *   flow    the touched items (row or transitions) are computed again, when
 *           every status they name, now or in the intervals they had, is a
 *           configured one: then no learnt status, guess or category finding
 *           can move.  Otherwise (a status the configuration does not name,
 *           a source's status list changed, an item deleted) all items.
 *   walk    in full, as yet: the ancestry walk, the attribution and their
 *           findings for every application.
 *   production  every item's instant is computed, and written only where it
 *           changed; items that lost a link are cleared first.
 * Each finding kind belongs to one part, and a part deletes exactly the rows
 * it writes again, so the result equals cw_correlate's on the same facts;
 * tests/e2e/test_incremental.py compares the two warehouses table by table.
 */

static int prepare_delta(corr *c)
{
    cw_sqlset *set = cw_sqlset_new();
    int rc = cw_sqlset_load(set, SQL_FILE);
    for (int i = Q_FIRST_DELTA; i < Q_COUNT && rc == 0; i++) {
        const char *sql = cw_sqlset_get(set, q_name[i]);
        if (!sql) {
            cw_error("%s: no statement named %s", SQL_FILE, q_name[i]);
            rc = -1;
        } else if (cw_db_prepare(c->db, sql, &c->q[i]) != CW_DB_OK) {
            rc = sql_fail(c, q_name[i]);
        } else if (i <= Q_DELTA_UNLINKED_TABLE || i == Q_DELTA_APP_TABLE ||
                   i == Q_DELTA_PROD_TABLE) {
            rc = run(c, i);     /* the tables the next statements name */
        }
    }
    cw_sqlset_free(set);
    return rc;
}

/* The single integer the query q returns, or -1 (logged). */
static int64_t count_of(corr *c, int q)
{
    int64_t n = -1;
    if (next_row(c, q) == 1) {
        n = cw_db_column_int(c->q[q], 0);
        done(c, q);
    }
    return n;
}

static int links_delta(corr *c)
{
    int64_t changed = count_of(c, Q_DELTA_PROJECTS_CHANGED);
    int rc;
    if (changed < 0)
        return -1;
    if (changed > 0) {
        cw_debug("correlate: the known projects changed: every commit is linked again");
        c->every_item = 1;
        return links_full(c) || run(c, Q_RESET_PRODUCTION) ? -1 : 0;
    }
    if (run_all(c, Q_DELTA_UNLINKED_FILL, Q_DELTA_FORGET_KEYS) || link_commits(c, Q_DELTA_COMMITS))
        return -1;
    while ((rc = next_row(c, Q_DELTA_KEYS_FOUND)) == 1) {
        cw_db_value row[2] = { cw_value_int(cw_db_column_int(c->q[Q_DELTA_KEYS_FOUND], 0)),
                               cw_value_int(cw_db_column_int(c->q[Q_DELTA_KEYS_FOUND], 1)) };
        if (append(c, T_COMMIT_LINKS, row)) {
            done(c, Q_DELTA_KEYS_FOUND);
            return -1;
        }
    }
    return rc < 0 || run(c, Q_DELTA_KEYS_DONE) || run(c, Q_DELTA_RESET_PRODUCTION) ? -1 : 0;
}

/* 1 when every status the touched items name is configured, 0 when not, -1
 * on an error.  c->statuses holds the configured ones. */
static int statuses_configured(corr *c)
{
    cw_stmt *st = c->q[Q_DELTA_ITEM_STATUSES];
    int rc;
    while ((rc = next_row(c, Q_DELTA_ITEM_STATUSES)) == 1) {
        const char *name = cw_db_column_text(st, 0);
        const cw_status_info *known = cw_str_empty(name) ? NULL
                                                         : cw_status_map_get(c->statuses, name);
        if (!cw_str_empty(name) && (!known || known->origin != CW_STATUS_CONFIG)) {
            cw_debug("correlate: status '%s' is not configured: every item's flow again", name);
            done(c, Q_DELTA_ITEM_STATUSES);
            return 0;
        }
    }
    return rc < 0 ? -1 : 1;
}

static int flow_delta(corr *c)
{
    int64_t blocked = count_of(c, Q_DELTA_FULL_FLOW);
    int configured;
    if (blocked < 0 || load_statuses(c))
        return -1;
    configured = blocked == 0 ? statuses_configured(c) : 0;
    if (configured < 0)
        return -1;
    if (!configured) {
        c->every_item = 1;
        cw_status_map_free(c->statuses);
        c->statuses = cw_status_map_new();
        return flow_full(c);
    }
    if (run_all(c, Q_DELTA_CLEAR_INTERVALS, Q_DELTA_CLEAR_ITEM_FINDINGS))
        return -1;
    return flow_items(c, Q_DELTA_WORK_ITEMS);
}

/* Idea to production: every item's instant when a part ran in full, else
 * those of the items the batch can have moved (delta_prod_fill). */
static int production_delta(corr *c)
{
    if (c->every_item)
        return production_times(c, Q_FIRST_DEPLOYMENTS);
    if (run(c, Q_DELTA_PROD_CLEAR) || run(c, Q_DELTA_PROD_FILL))
        return -1;
    return production_times(c, Q_DELTA_FIRST_DEPLOYMENTS);
}

/* ---------------------------------------------------------------- the walk, incrementally */

/*
 * The walk, incrementally.  Each application the batch wrote a commit,
 * deployment, checkout or incident of is either walked again in full (its
 * derived rows and findings deleted first: correlate_app as in a full
 * step), or, when its new rows can only extend what was walked, appended
 * to: the new deployments are walked from their revisions through the
 * commit table (by sha, stopping at commits the bridge already has), and
 * the incidents whose attribution they can change are attributed again.
 * Appending is exact when all of this holds, else the application is
 * walked in full:
 *   - the batch only inserted its commits, deployments and checkouts (an
 *     update can move anything), and its new successful production
 *     deployments all sort after its old ones;
 *   - it has a baseline, no repository without ancestry, no build with
 *     several checkouts, and no explicit incident references are configured
 *     (incident_deployment_pattern), so the walk's and the attribution's
 *     inputs are a deployment's one revision and the window;
 *   - no new commit is a parent an old commit named but the graph lacked
 *     (derived_missing_parent), names an old untraceable deployment's
 *     revision, or shares its sha with another commit row: nothing walked
 *     before can reach it;
 *   - every sha is lower-case hex, and no lookup by sha misses a commit that
 *     a case-insensitive prefix would find (the graph's own lookup);
 *   - a commit that would get a late-commit finding has its sha in this
 *     application only (findings are keyed by sha).
 * Applications walked in full are processed in ascending order, as in the
 * full step, and one that shares a late-commit finding's sha with them is
 * walked again too, so "first application wins" gives the same finding.
 */

/* A growing list of ids. */
typedef struct id_list {
    int64_t *v;
    size_t n, cap;
} id_list;

static void ids_push(id_list *l, int64_t id)
{
    if (l->n && l->v[l->n - 1] == id)
        return;                 /* the rows come sorted: a repeat is adjacent */
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 8;
        l->v = cw_xrealloc(l->v, l->cap * sizeof(int64_t));
    }
    l->v[l->n++] = id;
}

static int ids_has(const id_list *l, int64_t id)
{
    return l->n && bsearch(&id, l->v, l->n, sizeof(int64_t), compare_id) != NULL;
}

/* What the batch wrote of one application. */
typedef struct app_delta {
    int64_t app;
    int rewalk;                 /* walked again in full */
    id_list commits, deployments;   /* inserted */
} app_delta;

static void app_delta_free(app_delta *a)
{
    free(a->commits.v);
    free(a->deployments.v);
}

/* Lower-case hex of 4 to 64 digits: what the append walk looks up exactly. */
static int lower_hex(const char *s)
{
    size_t n = s ? strspn(s, "0123456789abcdef") : 0;
    return n >= 4 && n <= 64 && s[n] == '\0';
}

/* One commit node found by sha: its rows (the lowest id is the node's). */
typedef struct found_node {
    cw_gnode node;              /* sha, commit_id, authored_at, n_parents, extra ids */
    char *parents;
} found_node;

static void found_free(found_node *f)
{
    free(f->node.sha);
    free(f->node.extra_ids);
    free(f->parents);
    memset(f, 0, sizeof(*f));
}

/* Look up sha in the application: 1 found (f filled), 0 not there, 2 the
 * application must be walked in full (only a case-insensitive or prefix
 * lookup finds it), -1 error. */
static int find_node(corr *c, int64_t app, const char *sha, found_node *f)
{
    cw_stmt *st = c->q[Q_DELTA_NODE];
    int rc;
    memset(f, 0, sizeof(*f));
    if (!lower_hex(sha))
        return 2;
    cw_db_bind_str(st, 1, sha);
    cw_db_bind_int(st, 2, app);
    while ((rc = next_row(c, Q_DELTA_NODE)) == 1) {
        if (f->node.sha) {
            f->node.extra_ids = cw_xrealloc(f->node.extra_ids,
                                            (f->node.n_extra + 1) * sizeof(int64_t));
            f->node.extra_ids[f->node.n_extra++] = cw_db_column_int(st, 0);
            continue;
        }
        f->node.sha = cw_strdup(sha);
        f->node.commit_id = cw_db_column_int(st, 0);
        f->node.authored_at = cw_db_column_int(st, 3);
        f->parents = cw_strdup(cw_db_column_text(st, 2));
    }
    if (rc < 0)
        return -1;
    if (f->node.sha) {
        cw_strlist words = { 0 };
        char *copy = cw_strdup(f->parents ? f->parents : ""), *save = NULL;
        for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
            cw_strlist_add(&words, t);
        f->node.n_parents = (int)words.n;
        cw_strlist_free(&words);
        free(copy);
        return 1;
    }
    cw_db_bind_str(c->q[Q_DELTA_NODE_ANY_CASE], 1, sha);
    cw_db_bind_int(c->q[Q_DELTA_NODE_ANY_CASE], 2, app);
    rc = (int)count_of(c, Q_DELTA_NODE_ANY_CASE);
    return rc < 0 ? -1 : rc > 0 ? 2 : 0;
}

/* A stack of shas to visit (owned). */
typedef struct sha_stack {
    char **v;
    size_t n, cap;
} sha_stack;

static void stack_push(sha_stack *s, char *sha)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 32;
        s->v = cw_xrealloc(s->v, s->cap * sizeof(char *));
    }
    s->v[s->n++] = sha;
}

static void stack_free(sha_stack *s)
{
    while (s->n)
        free(s->v[--s->n]);
    free(s->v);
}

static char *lower_dup(const char *s)
{
    char *out = cw_strdup(s);
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'F')
            *p = (char)(*p - 'A' + 'a');
    return out;
}

/* A commit newly deployed by d: its rows (write), or, in the dry run, the
 * check that a late-commit finding would name a sha of this application
 * only.  0, 2 (walk the application in full), -1. */
static int deploy_node(corr *c, cw_deploy *d, const found_node *f, int write)
{
    int64_t lead, rows;
    d->commits_deployed += 1 + (long)f->node.n_extra;
    if (write)
        return on_deployed(c, d, &f->node) ? -1 : 0;
    if (!cw_graph_lead_time(d, &f->node, &lead) || lead >= 0)
        return 0;
    cw_db_bind_str(c->q[Q_DELTA_SHA_ROWS], 1, f->node.sha);
    rows = count_of(c, Q_DELTA_SHA_ROWS);
    return rows < 0 ? -1 : rows > 1 + (int64_t)f->node.n_extra ? 2 : 0;
}

/* Visit one sha of d's walk: nothing when it is not in the application or
 * already deployed, else deploy it and stack its parents. */
static int visit(corr *c, int64_t app, cw_deploy *d, const char *sha, cw_strmap *seen,
                 sha_stack *todo, int write)
{
    found_node f;
    char *copy, *save = NULL;
    int64_t deployed;
    int rc;
    if (cw_strmap_get(seen, sha, &deployed))
        return 0;
    if ((rc = find_node(c, app, sha, &f)) != 1) {
        found_free(&f);
        return rc;              /* 0: a parent outside the graph, as the full walk */
    }
    cw_db_bind_int(c->q[Q_DELTA_DEPLOYED], 1, f.node.commit_id);
    deployed = count_of(c, Q_DELTA_DEPLOYED);
    if (deployed != 0) {
        found_free(&f);
        return deployed < 0 ? -1 : 0;
    }
    cw_strmap_add(seen, sha, 0, NULL);
    rc = deploy_node(c, d, &f, write);
    copy = cw_strdup(f.parents ? f.parents : "");
    for (char *t = strtok_r(copy, " ", &save); t && rc == 0; t = strtok_r(NULL, " ", &save))
        stack_push(todo, lower_dup(t));
    free(copy);
    found_free(&f);
    return rc;
}

/* Walk one new deployment from its revision.  0, 2, -1. */
static int walk_new(corr *c, int64_t app, cw_deploy *d, cw_strmap *seen, int write)
{
    sha_stack todo = { 0 };
    found_node f;
    int rc;
    d->traceable = d->is_baseline = 0;
    d->commits_deployed = 0;
    if (cw_str_empty(d->revision))
        return 0;
    stack_push(&todo, lower_dup(d->revision));
    rc = find_node(c, app, todo.v[0], &f);
    found_free(&f);
    d->traceable = rc == 1;
    rc = rc == 1 ? 0 : rc;
    while (rc == 0 && todo.n) {
        char *sha = todo.v[--todo.n];
        rc = visit(c, app, d, sha, seen, &todo, write);
        free(sha);
    }
    stack_free(&todo);
    return rc;
}

/* The application's new deployments: the last `n - *first` of dl, or 2
 * when they do not all sort after the old ones. */
static int new_suffix(const deploy_list *dl, const id_list *added, size_t *first)
{
    size_t k = 0;
    for (size_t i = 0; i < dl->n; i++)
        k += (size_t)ids_has(added, dl->d[i].deployment_id);
    *first = dl->n - k;
    for (size_t i = *first; i < dl->n; i++)
        if (!ids_has(added, dl->d[i].deployment_id))
            return 2;
    return 0;
}

/* Its baseline exists, it has no repository without ancestry, no build
 * with several checkouts, and no explicit references are configured. */
static int check_walkable(corr *c, int64_t app)
{
    cw_stmt *st = c->q[Q_DELTA_APP_WALKABLE];
    int ok;
    if (app <= 0 || c->incident_re)
        return 2;
    cw_db_bind_int(st, 1, app);
    if (next_row(c, Q_DELTA_APP_WALKABLE) != 1)
        return -1;
    ok = cw_db_column_int(st, 0) > 0 && cw_db_column_int(st, 1) == 0 &&
         cw_db_column_int(st, 2) == 0;
    done(c, Q_DELTA_APP_WALKABLE);
    return ok ? 0 : 2;
}

/* Old untraceable deployments' revisions (lower case). */
static int untraceable_revisions(corr *c, int64_t app, cw_strlist *out)
{
    int rc;
    cw_db_bind_int(c->q[Q_DELTA_UNTRACEABLE_REVISIONS], 1, app);
    while ((rc = next_row(c, Q_DELTA_UNTRACEABLE_REVISIONS)) == 1)
        cw_strlist_add(out, cw_db_column_text(c->q[Q_DELTA_UNTRACEABLE_REVISIONS], 0));
    return rc;
}

/* A new commit's parents: each in the application, or missing (kept, when
 * writing), or 2. */
static int new_commit_parents(corr *c, int64_t app, const char *parents, int write)
{
    char *copy = cw_strdup(parents ? parents : ""), *save = NULL;
    int rc = 0;
    for (char *t = strtok_r(copy, " ", &save); t && rc == 0; t = strtok_r(NULL, " ", &save)) {
        found_node f;
        int found = find_node(c, app, t, &f);
        found_free(&f);
        if (found == 0 && write) {
            cw_db_bind_int(c->q[Q_INSERT_MISSING], 1, app);
            cw_db_bind_str(c->q[Q_INSERT_MISSING], 2, t);
            found = run(c, Q_INSERT_MISSING) ? -1 : 0;
        }
        rc = found == 1 ? 0 : found;
    }
    free(copy);
    return rc;
}

/* Can nothing walked before reach this new commit?  0 yes, 2 no, -1. */
static int check_new_commit(corr *c, int64_t app, int64_t id, const cw_strlist *untraceable,
                            int write)
{
    cw_stmt *st = c->q[Q_DELTA_NEW_COMMIT];
    char *sha, *parents;
    int64_t n;
    int rc, ancestry;
    cw_db_bind_int(st, 1, id);
    if ((rc = next_row(c, Q_DELTA_NEW_COMMIT)) != 1)
        return rc;              /* 0: gone again (a later statement of the batch) */
    sha = cw_strdup(cw_db_column_text(st, 0));
    parents = cw_strdup(cw_db_column_text(st, 1));
    ancestry = cw_db_column_int(st, 2) != 0;
    done(c, Q_DELTA_NEW_COMMIT);
    rc = ancestry && lower_hex(sha) ? 0 : 2;
    for (size_t i = 0; i < untraceable->n && rc == 0; i++)
        if (*untraceable->items[i] &&
            strncmp(sha, untraceable->items[i], strlen(untraceable->items[i])) == 0)
            rc = 2;
    if (rc == 0) {
        cw_db_bind_str(c->q[Q_DELTA_SHA_ROWS], 1, sha);
        n = count_of(c, Q_DELTA_SHA_ROWS);
        rc = n < 0 ? -1 : n > 1 ? 2 : 0;
    }
    if (rc == 0) {
        cw_db_bind_int(c->q[Q_DELTA_IS_MISSING], 1, app);
        cw_db_bind_str(c->q[Q_DELTA_IS_MISSING], 2, sha);
        n = count_of(c, Q_DELTA_IS_MISSING);
        rc = n < 0 ? -1 : n > 0 ? 2 : 0;
    }
    if (rc == 0)
        rc = new_commit_parents(c, app, parents, write);
    free(sha);
    free(parents);
    return rc;
}

static int check_new_commits(corr *c, const app_delta *a, int write)
{
    cw_strlist untraceable = { 0 };
    int rc = untraceable_revisions(c, a->app, &untraceable);
    for (size_t i = 0; i < a->commits.n && rc == 0; i++)
        rc = check_new_commit(c, a->app, a->commits.v[i], &untraceable, write);
    cw_strlist_free(&untraceable);
    return rc;
}

/* Incidents the new deployments can take (created at or after the first
 * finished) and those the batch wrote, attributed again. */
static int reattribute(corr *c, int64_t app, const deploy_list *dl, size_t first)
{
    cw_stmt *st = c->q[Q_DELTA_REATTRIBUTE];
    int rc;
    cw_db_bind_int(st, 1, app);
    cw_db_bind_int(st, 2, first < dl->n ? dl->d[first].finished_at : INT64_MAX);
    while ((rc = next_row(c, Q_DELTA_REATTRIBUTE)) == 1) {
        int64_t id = cw_db_column_int(st, 0);
        long index;
        cw_attr_how how = cw_attribute(dl->d, dl->n, NULL, NULL, cw_db_column_text(st, 1),
                                       cw_db_column_text(st, 2), cw_db_column_int(st, 3),
                                       c->cfg->attribution_window_s, &index);
        cw_db_bind_int(c->q[Q_DELTA_FORGET_INCIDENT], 1, id);
        cw_db_bind_int(c->q[Q_DELTA_FORGET_INCIDENT_FINDING], 1, id);
        if (run(c, Q_DELTA_FORGET_INCIDENT) || run(c, Q_DELTA_FORGET_INCIDENT_FINDING) ||
            insert_incident(c, id, index >= 0 ? &dl->d[index] : NULL, how)) {
            done(c, Q_DELTA_REATTRIBUTE);
            return -1;
        }
    }
    return rc;
}

/* Append the application's new rows (write), or check that appending is
 * exact (the dry run).  0, 2 (walk it in full), -1. */
static int append_app(corr *c, const app_delta *a, int write)
{
    deploy_list dl = { 0 };
    cw_strmap *seen = cw_strmap_new();
    size_t first = 0;
    int rc = check_walkable(c, a->app);
    if (rc == 0)
        rc = load_deployments(c, a->app, &dl);
    if (rc == 0)
        rc = new_suffix(&dl, &a->deployments, &first);
    if (rc == 0)
        rc = check_new_commits(c, a, write);
    for (size_t i = first; i < dl.n && rc == 0; i++)
        rc = walk_new(c, a->app, &dl.d[i], seen, write);
    if (rc == 0 && write) {
        deploy_list added = { .d = dl.d + first, .n = dl.n - first };
        rc = write_deployments(c, a->app, &added, NULL) || reattribute(c, a->app, &dl, first)
                 ? -1 : 0;
    }
    cw_strmap_free(seen);
    deploy_list_free(&dl);
    return rc;
}

/* Delete what the full walk of the application writes. */
static int forget_app(corr *c, int64_t app)
{
    for (int q = Q_DELTA_FORGET_DEPLOYED; q <= Q_DELTA_FORGET_INCIDENT_FINDINGS; q++) {
        cw_db_bind_int(c->q[q], 1, app);
        if (run(c, q))
            return -1;
    }
    return 0;
}

/* The applications the batch wrote rows of, with their inserted ids. */
typedef struct app_set {
    app_delta *a;
    size_t n, cap;
} app_set;

static app_delta *app_set_add(app_set *s, int64_t app)
{
    if (s->n && s->a[s->n - 1].app == app)
        return &s->a[s->n - 1];
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->a = cw_xrealloc(s->a, s->cap * sizeof(app_delta));
    }
    memset(&s->a[s->n], 0, sizeof(app_delta));
    s->a[s->n].app = app;
    s->a[s->n].rewalk = app == 0;
    return &s->a[s->n++];
}

static void app_set_free(app_set *s)
{
    for (size_t i = 0; i < s->n; i++)
        app_delta_free(&s->a[i]);
    free(s->a);
}

/* delta_touched_rows into s: an insert is kept, anything else walks the
 * application in full. */
static int touched_apps(corr *c, app_set *s)
{
    cw_stmt *st = c->q[Q_DELTA_TOUCHED_ROWS];
    int rc;
    while ((rc = next_row(c, Q_DELTA_TOUCHED_ROWS)) == 1) {
        app_delta *a = app_set_add(s, cw_db_column_int(st, 0));
        const char *kind = cw_db_column_text(st, 1);
        int insert = strcmp(cw_db_column_text(st, 2), "I") == 0;
        if (strcmp(kind, "incident") == 0)
            continue;           /* attributed again whatever happened to it */
        if (!insert)
            a->rewalk = 1;
        else if (strcmp(kind, "commit") == 0)
            ids_push(&a->commits, cw_db_column_int(st, 3));
        else if (strcmp(kind, "deployment") == 0)
            ids_push(&a->deployments, cw_db_column_int(st, 3));
    }
    return rc;
}

static int compare_app(const void *x, const void *y)
{
    const app_delta *a = x, *b = y;
    return a->app < b->app ? -1 : a->app > b->app;
}

/* Applications sharing a late-commit finding's sha with one walked in full
 * are walked in full too, until no more do. */
static int close_rewalks(corr *c, app_set *s)
{
    int added = 0, rc = 0;
    for (size_t i = 0; i < s->n && rc == 0; i++) {
        cw_db_bind_int(c->q[Q_DELTA_APP_ADD], 1, s->a[i].app);
        cw_db_bind_int(c->q[Q_DELTA_APP_ADD], 2, s->a[i].rewalk);
        rc = s->a[i].rewalk ? run(c, Q_DELTA_APP_ADD) : 0;
        added |= s->a[i].rewalk;
    }
    while (rc == 0 && added) {
        int64_t more[64];
        size_t n = 0;
        while ((rc = next_row(c, Q_DELTA_APP_SHARING)) == 1 && n < 64)
            more[n++] = cw_db_column_int(c->q[Q_DELTA_APP_SHARING], 0);
        if (rc == 1)
            done(c, Q_DELTA_APP_SHARING);
        rc = rc < 0 ? -1 : 0;
        added = n > 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
            app_delta *a = app_set_add(s, more[i]);
            a->rewalk = 1;
            cw_db_bind_int(c->q[Q_DELTA_APP_ADD], 1, more[i]);
            cw_db_bind_int(c->q[Q_DELTA_APP_ADD], 2, 1);
            rc = run(c, Q_DELTA_APP_ADD);
        }
    }
    qsort(s->a, s->n, sizeof(app_delta), compare_app);
    return rc;
}

static int walk_app(corr *c, const app_delta *a)
{
    if (!a->rewalk)
        return append_app(c, a, 1) == 0 ? 0 : -1;
    if (forget_app(c, a->app))
        return -1;
    return a->app == 0 ? orphan_deployments(c) : correlate_app(c, a->app);
}

static int walk_delta(corr *c)
{
    app_set s = { 0 };
    size_t appended = 0;
    int64_t blocked = count_of(c, Q_DELTA_WALK_BLOCKED);
    int rc, app0 = 0;
    if (blocked != 0) {
        cw_debug("correlate: the batch deleted or reclassified facts: every application walked");
        c->every_item = 1;
        return blocked < 0 ? -1 : walk_full(c);
    }
    rc = run(c, Q_DELTA_APP_CLEAR) ? -1 : touched_apps(c, &s);
    for (size_t i = 0; i < s.n && rc == 0; i++) {
        int dry = s.a[i].rewalk ? 2 : append_app(c, &s.a[i], 0);
        s.a[i].rewalk = dry == 2;
        rc = dry < 0 ? -1 : 0;
    }
    if (rc == 0)
        rc = close_rewalks(c, &s);
    for (size_t i = 0; i < s.n && rc == 0; i++) {
        appended += !s.a[i].rewalk;
        app0 |= s.a[i].app == 0;
        rc = walk_app(c, &s.a[i]);
    }
    if (rc == 0)
        cw_debug("correlate: %zu application(s) walked on from their last deployment, %zu again in "
                 "full", appended, s.n - appended);
    app_set_free(&s);
    if (rc || run(c, Q_DELTA_FORGET_NO_ANCESTRY) || no_ancestry_findings(c) || flush_all(c))
        return -1;
    if (app0 && run(c, Q_INCIDENTS_NO_APP))
        return -1;
    return incident_findings(c);
}

static int correlate_delta(corr *c)
{
    if (prepare_delta(c) || run_all(c, Q_DELTA_ITEM_CLEAR, Q_DELTA_COMMIT_FILL))
        return -1;
    if (links_delta(c) || walk_delta(c))
        return -1;
    cw_killpoint("correlate");
    if (flow_delta(c) || flush_all(c) || production_delta(c))
        return -1;
    return cw_correlate_counts(c->db, c->stats);
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
        const char *sql = cw_sqlset_get(set, q_name[i]);
        int rc = sql ? cw_db_prepare(c->db, sql, &c->q[i]) : CW_DB_ERROR;
        if (rc != CW_DB_OK) {
            cw_sqlset_free(set);
            if (!sql)
                cw_error("%s: no statement named %s", SQL_FILE, q_name[i]);
            return sql ? sql_fail(c, q_name[i]) : -1;
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
    if (links_full(c) || walk_full(c))
        return -1;
    cw_killpoint("correlate");
    if (flow_full(c) || flush_all(c) || production_times(c, Q_FIRST_DEPLOYMENTS))
        return -1;
    return 0;
}

static int correlate_with(cw_db *db, const cw_config *cfg, cw_correlate_stats *stats,
                          int (*step)(corr *))
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
        sql_fail(&c, "savepoint");
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
    return correlate_with(db, cfg, stats, correlate_all);
}

int cw_correlate_delta(cw_db *db, const cw_config *cfg, cw_correlate_stats *stats)
{
    return correlate_with(db, cfg, stats, correlate_delta);
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
