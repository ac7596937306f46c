/*
 * corr.h - what correlate.c (the full correlation step) and delta.c (its
 * incremental form) share: the named statements of
 * transform/sql/correlate.sql, the state of one step, and the helpers both
 * call.  Private to transform/: nothing outside includes it.
 */
#ifndef CW_CORR_H
#define CW_CORR_H

#include "append.h"
#include "attribute.h"
#include "correlate.h"
#include "flow.h"
#include "graph.h"
#include "../core/regex.h"

#define SQL_FILE "transform/sql/correlate.sql"

/* The statements of SQL_FILE, prepared once. */
enum {
    Q_CLEAR_COMMIT_LINKS, Q_CLEAR_COMMIT_KEYS, Q_CLEAR_PROJECTS,
    Q_CLEAR_DEPLOYED, Q_CLEAR_MISSING, Q_CLEAR_DEPLOYMENTS, Q_CLEAR_INCIDENTS, Q_CLEAR_RECLASSIFIED,
    Q_CLEAR_WALK_FINDINGS, Q_CLEAR_INTERVALS, Q_CLEAR_ITEMS, Q_CLEAR_STATUSES,
    Q_CLEAR_FLOW_FINDINGS, Q_INSERT_PROJECTS, Q_INSERT_COMMIT_KEY, Q_INSERT_MISSING,
    Q_RESET_PRODUCTION,
    Q_INSERT_FINDING, Q_FIND_ITEM, Q_KNOWN_PROJECTS, Q_COMMITS, Q_APPLICATIONS, Q_DEPLOYMENTS,
    Q_BUILD_REVISIONS, Q_REPOSITORIES, Q_COMMIT_GRAPH, Q_NO_ANCESTRY, Q_INCIDENTS,
    Q_INCIDENTS_NO_APP, Q_INCIDENT_NEGATIVE, Q_STATUSES, Q_STATUS_CLAIMS, Q_INSERT_STATUS,
    Q_WORK_ITEMS, Q_TRANSITIONS, Q_FIRST_DEPLOYMENTS, Q_SET_PRODUCTION,
    Q_PR_KEYS, Q_MERGE_REPOS, Q_REPO_GRAPH, Q_CLEAR_KEY_FINDINGS, Q_INSERT_UNLOADED_FINDINGS,
    Q_INSERT_PR_FINDINGS, Q_CLEAR_PRODUCTION_FINDINGS, Q_PRODUCTION_BEFORE_CREATED,
    Q_INSERT_DERIVED_FINDING,
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
    Q_DELTA_PROD_ANALYZE, Q_DELTA_FIRST_DEPLOYMENTS,
    Q_DELTA_INSERTED_TABLE, Q_DELTA_INSERTED_CLEAR, Q_DELTA_INSERTED_FILL,
    Q_DELTA_COMMIT_CHANGED, Q_DELTA_PR_COMMITS, Q_DELTA_MERGE_REPOS, Q_DELTA_REPO_GRAPH,
    Q_DELTA_REKEY, Q_DELTA_PR_KEYS, Q_DELTA_REPO_DEPLOYED,
    Q_COUNT
};

/* Statements from here on name temporary tables that exist only in an
 * incremental batch, so they are prepared only there (prepare_delta). */
#define Q_FIRST_DELTA Q_DELTA_ITEM_TABLE

/* The derived tables filled by bulk append, and their columns. */
enum { T_COMMIT_LINKS, T_DEPLOYED, T_DEPLOYMENTS, T_INCIDENTS, T_ITEMS, T_INTERVALS, T_COUNT };

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

typedef struct deploy_list {
    cw_deploy *d;
    int64_t *build_ids;         /* per deployment */
    size_t n, cap;
} deploy_list;

/* The statement names, by Q_ index (their "-- name:" in SQL_FILE). */
extern const char *const corr_q_name[Q_COUNT];

/* Run step inside a savepoint with the statements up to Q_FIRST_DELTA
 * prepared; on failure the savepoint is rolled back and stats zeroed. */
int corr_step(cw_db *db, const cw_config *cfg, cw_correlate_stats *stats, int (*step)(corr *));

/* SQL: log the engine's message for `what`, return -1. */
int corr_sql_fail(corr *c, const char *what);
/* Step query q: 1 a row, 0 the end (reset), -1 an error (logged, reset). */
int corr_next_row(corr *c, int q);
/* Stop reading query q before its end. */
void corr_done(corr *c, int q);
/* Run statement q (no rows); run statements first..last. */
int corr_run(corr *c, int q);
int corr_run_all(corr *c, int first, int last);
/* Keep a derived row for its bulk append; write all kept rows. */
int corr_append(corr *c, int table, const cw_db_value *row);
int corr_flush_all(corr *c);
/* The one text column query q returns for application app, appended to out. */
int corr_texts(corr *c, int q, int64_t app, cw_strlist *out);
/* Order int64 ids (qsort, bsearch). */
int corr_compare_id(const void *a, const void *b);

/* A commit's keys beyond its message (keysource.c): (commit, key) pairs. */
typedef struct corr_pairs {
    struct corr_pair {
        int64_t commit_id;
        char *key;
    } *v;
    size_t n, cap;
} corr_pairs;
void corr_pairs_free(corr_pairs *p);
/* The configured key pattern with the known projects; NULL logged. */
struct cw_keys *corr_keys_new(corr *c);
/* The keys of the requests query q returns (pull_request_keys' columns). */
int corr_pull_request_keys(corr *c, struct cw_keys *keys, int q, corr_pairs *out);
/* The keys merges bring in: every commit of every repository; the
 * commits of cw_delta_commit, which it widens (see keysource.c). */
int corr_merge_keys_full(corr *c, struct cw_keys *keys, corr_pairs *out);
int corr_merge_keys_delta(corr *c, struct cw_keys *keys, corr_pairs *out);
/* The findings of the keys, rewritten from the tables. */
int corr_key_findings(corr *c);

/* Links: the commits query q returns (their message keys and those of
 * extra, which is sorted); every commit. */
int corr_link_commits(corr *c, int q, struct cw_keys *keys, corr_pairs *extra);
int corr_links_full(corr *c);

/* The walk: one application's deployments (app < 0: of none), in walk order. */
int corr_load_deployments(corr *c, int64_t app, deploy_list *dl);
void corr_deploy_list_free(deploy_list *dl);
/* A node newly deployed by d (cw_graph_emit_fn); the deployments' rows and findings. */
int corr_on_deployed(void *ctx, const cw_deploy *d, const cw_gnode *node);
int corr_write_deployments(corr *c, int64_t app, const deploy_list *dl, const cw_graph *hidden);
/* An incident's attribution row; Decisions 10's findings for every incident. */
int corr_insert_incident(corr *c, int64_t incident_id, const cw_deploy *d, cw_attr_how how);
int corr_incident_findings(corr *c);
/* One application in full; the deployments no application claims; the
 * repositories without ancestry; every application. */
int corr_correlate_app(corr *c, int64_t app);
int corr_orphan_deployments(corr *c);
int corr_no_ancestry_findings(corr *c);
int corr_walk_full(corr *c);

/* Flow: the configured statuses into c->statuses; the items query q returns;
 * statuses and every item. */
int corr_load_statuses(corr *c);
int corr_flow_items(corr *c, int q);
int corr_flow_full(corr *c);

/* Idea to production for the items query q returns (changed rows only);
 * then Decisions 10's findings, rewritten for every item. */
int corr_production_times(corr *c, int q);

#endif
