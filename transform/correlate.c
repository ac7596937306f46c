/*
 * correlate.c - the correlation step (see correlate.h): reads the facts of
 * the warehouse and rewrites every derived table.
 *
 * The pure rules live in keys.c, graph.c, attribute.c and flow.c; this file
 * only moves rows.  Every derived table is emptied and refilled in a fixed
 * order inside a savepoint, so a failure leaves the tables as they were and
 * a re-run of the same input produces the same rows.
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
 * Memory: rows are streamed with sqlite3_step.  What is held is what the
 * rules truly need: one application's commit graph and deployment list at a
 * time, the status map, and one work item's transitions.
 */
#include "correlate.h"
#include "attribute.h"
#include "flow.h"
#include "graph.h"
#include "keys.h"
#include "../core/killpoint.h"
#include "../core/log.h"
#include "../core/record.h"
#include "../core/regex.h"
#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

/* Finding kinds this step owns (and so clears before recomputing). */
#define FINDING_KINDS "('changelog_truncated', 'status_guessed', 'status_from_source', " \
                      "'status_category_conflict', 'untraceable_deployment', " \
                      "'work_item_no_status', 'git_no_ancestry')"

/* Decisions 10: durations that would be negative are left out of their
 * metric and reported under these kinds (metrics.md, "Data-quality
 * findings"). */
#define DURATION_FINDING_KINDS "('commit_authored_after_deployment', " \
    "'incident_resolved_before_created', 'incident_resolved_before_deployment', " \
    "'item_ended_before_started', 'item_ended_before_created')"

static const char *const clear_sql[] = {
    "DELETE FROM bridge_commit_work_item",
    "DELETE FROM bridge_deployment_commit",
    "DELETE FROM derived_deployment",
    "DELETE FROM derived_incident",
    "DELETE FROM derived_status_interval",
    "DELETE FROM derived_work_item",
    "DELETE FROM dim_status WHERE origin <> 'config'",
    "DELETE FROM finding WHERE kind IN " FINDING_KINDS,
    "DELETE FROM finding WHERE kind IN " DURATION_FINDING_KINDS,
    NULL
};

/* The statements used row by row, prepared once. */
enum {
    ST_FIND_ITEM, ST_INS_LINK, ST_INS_BDC, ST_INS_DEPLOY, ST_INS_INCIDENT, ST_INS_FINDING,
    ST_INS_ITEM, ST_INS_INTERVAL, ST_INS_STATUS, ST_SET_PRODUCTION, ST_TRANSITIONS, ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_FIND_ITEM] = "SELECT work_item_id FROM dim_work_item WHERE item_key = ?1",
    [ST_INS_LINK] = "INSERT INTO bridge_commit_work_item (commit_id, work_item_id) VALUES (?1, ?2)",
    [ST_INS_BDC] = "INSERT INTO bridge_deployment_commit "
                   "(deployment_id, commit_id, is_baseline, is_merge, lead_time_s) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_INS_DEPLOY] = "INSERT INTO derived_deployment "
                      "(deployment_id, traceable, is_baseline, commits_deployed) "
                      "VALUES (?1, ?2, ?3, ?4)",
    [ST_INS_INCIDENT] = "INSERT INTO derived_incident (incident_id, deployment_id, how) "
                        "VALUES (?1, ?2, ?3)",
    [ST_INS_FINDING] = "INSERT INTO finding (kind, subject, detail) VALUES (?1, ?2, ?3) "
                       "ON CONFLICT (kind, subject) DO NOTHING",
    [ST_INS_ITEM] = "INSERT INTO derived_work_item "
                    "(work_item_id, flow_type, category, start_at, end_at, active_s) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_INS_INTERVAL] = "INSERT INTO derived_status_interval "
                        "(work_item_id, seq, status, category, waiting, from_at, to_at) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_INS_STATUS] = "INSERT INTO dim_status (name, category, waiting, origin) "
                      "VALUES (?1, ?2, ?3, ?4)",
    [ST_SET_PRODUCTION] = "UPDATE derived_work_item SET production_at = ?2 WHERE work_item_id = ?1",
    [ST_TRANSITIONS] = "SELECT at, history_id, from_status, to_status FROM fact_transition "
                       "WHERE work_item_id = ?1 ORDER BY at, history_id, from_status, to_status",
};

typedef struct corr {
    sqlite3 *db;
    const cw_config *cfg;
    cw_correlate_stats *stats;
    sqlite3_stmt *st[ST_COUNT];
    cw_regex *incident_re;
    cw_status_map *statuses;
} corr;

/* ---------------------------------------------------------------- SQL helpers */

static int sql_fail(corr *c, const char *what)
{
    cw_error("correlate: %s: %s", what, sqlite3_errmsg(c->db));
    return -1;
}

static int prepare(corr *c, const char *sql, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v2(c->db, sql, -1, out, NULL) != SQLITE_OK)
        return sql_fail(c, sql);
    return 0;
}

/* Run a prepared write statement with its parameters bound; reset it. */
static int run(corr *c, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE)
        return sql_fail(c, sqlite3_sql(st));
    return 0;
}

static void bind_time(sqlite3_stmt *st, int col, int64_t t)
{
    if (t == CW_NO_TIME)
        sqlite3_bind_null(st, col);
    else
        sqlite3_bind_int64(st, col, t);
}

static int64_t column_time(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? CW_NO_TIME : sqlite3_column_int64(st, col);
}

static const char *column_text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

static int exec(corr *c, const char *sql)
{
    if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sql_fail(c, sql);
    return 0;
}

static int add_finding(corr *c, const char *kind, const char *subject, const char *detail)
{
    sqlite3_stmt *st = c->st[ST_INS_FINDING];
    sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, detail, -1, SQLITE_TRANSIENT);
    return run(c, st);
}

/* ---------------------------------------------------------------- commit -> work item */

/* Work items named by one commit, deduplicated before insertion. */
typedef struct link_ctx {
    corr *c;
    int64_t *items;
    size_t n, cap;
    int failed;
} link_ctx;

static int on_key(void *ctx, const char *key, const char *project)
{
    link_ctx *lc = ctx;
    sqlite3_stmt *st = lc->c->st[ST_FIND_ITEM];
    int rc;

    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (lc->n == lc->cap) {
            lc->cap = lc->cap ? lc->cap * 2 : 8;
            lc->items = cw_xrealloc(lc->items, lc->cap * sizeof(int64_t));
        }
        lc->items[lc->n++] = sqlite3_column_int64(st, 0);
    } else if (rc != SQLITE_DONE) {
        lc->failed = 1;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return lc->failed;
}

static int compare_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int insert_links(corr *c, int64_t commit_id, link_ctx *lc)
{
    sqlite3_stmt *st = c->st[ST_INS_LINK];
    if (lc->n > 1)
        qsort(lc->items, lc->n, sizeof(int64_t), compare_id);
    for (size_t i = 0; i < lc->n; i++) {
        if (i > 0 && lc->items[i] == lc->items[i - 1])
            continue;
        sqlite3_bind_int64(st, 1, commit_id);
        sqlite3_bind_int64(st, 2, lc->items[i]);
        if (run(c, st))
            return -1;
        c->stats->commit_links++;
    }
    return 0;
}

/* Known projects: those of loaded work items and those the config maps. */
static int load_projects(corr *c, cw_keys *keys)
{
    sqlite3_stmt *st;
    int rc;

    if (prepare(c, "SELECT project FROM dim_work_item UNION SELECT project FROM map_project "
                   "ORDER BY 1", &st))
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        cw_keys_add_project(keys, column_text(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sql_fail(c, "known projects");
    for (size_t a = 0; a < c->cfg->n_apps; a++)
        for (size_t p = 0; p < c->cfg->apps[a].projects.n; p++)
            cw_keys_add_project(keys, c->cfg->apps[a].projects.items[p]);
    return 0;
}

/* Keys in the subject and body of the commit row st into lc.  -1 on a
 * database error. */
static int scan_commit(cw_keys *keys, sqlite3_stmt *st, link_ctx *lc)
{
    for (int col = 1; col <= 2; col++) {
        if (cw_keys_scan(keys, column_text(st, col), on_key, lc) >= 0)
            continue;
        if (lc->failed)
            return sql_fail(lc->c, "work item lookup");
        /* A pcre2 matching error (a match limit): keep the keys found so far. */
        cw_warn("correlate: key scan failed on commit %lld", (long long)sqlite3_column_int64(st, 0));
    }
    return 0;
}

static int link_commits(corr *c)
{
    char err[256];
    cw_keys *keys = cw_keys_new(c->cfg->key_pattern, err, sizeof(err));
    link_ctx lc = { .c = c };
    sqlite3_stmt *st = NULL;
    int rc = -1;

    if (!keys) {
        cw_error("correlate: key_pattern: %s", err);
        return -1;
    }
    if (load_projects(c, keys) ||
        prepare(c, "SELECT commit_id, subject, body FROM fact_commit ORDER BY commit_id", &st))
        goto out;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        c->stats->commits++;
        lc.n = 0;
        if (scan_commit(keys, st, &lc) || insert_links(c, sqlite3_column_int64(st, 0), &lc))
            break;
    }
    rc = rc == SQLITE_DONE ? 0 : rc == SQLITE_ROW ? -1 : sql_fail(c, "commits");
out:
    sqlite3_finalize(st);
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

/* Successful production deployments of one application (?1), or of none
 * (application_id NULL), in walk order. */
#define DEPLOYMENTS_SQL(where) \
    "SELECT d.deployment_id, d.finished_at, d.run_number, d.revision, b.job, d.build_id " \
    "FROM fact_deployment d LEFT JOIN fact_build b ON b.build_id = d.build_id " \
    "WHERE " where " AND d.is_production = 1 AND d.result = 'success' " \
    "ORDER BY d.finished_at, d.run_number, d.deployment_id"

/* app < 0 reads the deployments no application claims. */
static int load_deployments(corr *c, int64_t app, deploy_list *dl)
{
    sqlite3_stmt *st;
    int rc;

    if (prepare(c, app < 0 ? DEPLOYMENTS_SQL("d.application_id IS NULL")
                           : DEPLOYMENTS_SQL("d.application_id = ?1"), &st))
        return -1;
    if (app >= 0)
        sqlite3_bind_int64(st, 1, app);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cw_deploy *d;
        if (dl->n == dl->cap) {
            dl->cap = dl->cap ? dl->cap * 2 : 64;
            dl->d = cw_xrealloc(dl->d, dl->cap * sizeof(cw_deploy));
            dl->build_ids = cw_xrealloc(dl->build_ids, dl->cap * sizeof(int64_t));
        }
        dl->build_ids[dl->n] = sqlite3_column_int64(st, 5);
        d = &dl->d[dl->n++];
        memset(d, 0, sizeof(*d));
        d->deployment_id = sqlite3_column_int64(st, 0);
        d->finished_at = sqlite3_column_int64(st, 1);
        d->run_number = (long)sqlite3_column_int64(st, 2);
        d->revision = cw_strdup(column_text(st, 3));
        d->job = cw_strdup(column_text(st, 4));
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sql_fail(c, "deployments");
}

/* ------------------------------------------------ revisions of a build */

static void strlist_add(cw_strlist *l, const char *s)
{
    l->items = cw_xrealloc(l->items, (l->n + 1) * sizeof(char *));
    l->items[l->n++] = cw_strdup(s);
}

static int strlist_has(const cw_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i], s) == 0)
            return 1;
    return 0;
}

/* The build's checkouts: remotes ("" when unknown) and revisions, by seq. */
static int read_checkouts(corr *c, sqlite3_stmt *st, int64_t build_id, cw_strlist *remotes,
                          cw_strlist *shas)
{
    int rc;
    sqlite3_bind_int64(st, 1, build_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *remote = column_text(st, 0);
        strlist_add(remotes, remote ? remote : "");
        strlist_add(shas, column_text(st, 1));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sql_fail(c, "revisions of a build");
}

/* The application's revisions among the checkouts (see the banner). */
static void choose_revisions(const cw_strlist *repos, const cw_strlist *remotes,
                             const cw_strlist *shas, cw_strlist *out)
{
    for (size_t r = 0; r < repos->n; r++)
        for (size_t k = 0; k < remotes->n; k++)
            if (cw_remote_names_repository(remotes->items[k], repos->items[r])) {
                if (!strlist_has(out, shas->items[k]))
                    strlist_add(out, shas->items[k]);
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
    sqlite3_stmt *st;
    int rc;
    if (prepare(c, "SELECT DISTINCT repository FROM fact_commit WHERE application_id = ?1 "
                   "ORDER BY repository", &st))
        return -1;
    sqlite3_bind_int64(st, 1, app);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        strlist_add(repos, column_text(st, 0));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : sql_fail(c, "repositories of an application");
}

static int pick_revisions(corr *c, int64_t app, deploy_list *dl)
{
    cw_strlist repos = { 0 }, remotes = { 0 }, shas = { 0 }, chosen = { 0 };
    int loaded = 0, rc = 0;
    sqlite3_stmt *st;

    if (prepare(c, "SELECT remote, revision FROM fact_build_revision WHERE build_id = ?1 "
                   "ORDER BY seq", &st))
        return -1;
    for (size_t i = 0; i < dl->n && rc == 0; i++) {
        rc = read_checkouts(c, st, dl->build_ids[i], &remotes, &shas);
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
    sqlite3_finalize(st);
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
    sqlite3_stmt *st;
    int rc;

    if (prepare(c, "SELECT commit_id, sha, parents, authored_at, repository IN "
                   "(SELECT repository FROM fact_commit WHERE has_ancestry = 0) FROM fact_commit "
                   "WHERE application_id = ?1 ORDER BY commit_id", &st))
        return -1;
    sqlite3_bind_int64(st, 1, app);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int no_ancestry = sqlite3_column_int(st, 4);
        cw_graph_add(no_ancestry ? hidden : g, column_text(st, 1),
                     no_ancestry ? "" : column_text(st, 2),
                     sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 0));
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sql_fail(c, "commits of an application");
    cw_graph_finish(g);
    cw_graph_finish(hidden);
    return 0;
}

/* One finding per repository without ancestry, naming the export that has it. */
static int no_ancestry_findings(corr *c)
{
    sqlite3_stmt *st;
    int rc;

    if (prepare(c, "SELECT repository, count(*), (SELECT count(*) FROM fact_commit k "
                   "WHERE k.repository = x.repository) FROM fact_commit x "
                   "WHERE has_ancestry = 0 GROUP BY repository ORDER BY repository", &st))
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char *detail = cw_asprintf("%lld of %lld commits came from a git log export without full "
                                   "parent shas (git log's default or code-maat format): the "
                                   "repository gives no ancestry, so its deployments deploy nothing "
                                   "and get no lead time; export it with: %s",
                                   (long long)sqlite3_column_int64(st, 1),
                                   (long long)sqlite3_column_int64(st, 2), CW_GIT_EXPORT_COMMAND);
        int failed = add_finding(c, "git_no_ancestry", column_text(st, 0), detail);
        free(detail);
        if (failed)
            break;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return -1;
    return rc == SQLITE_DONE ? 0 : sql_fail(c, "repositories without ancestry");
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
    sqlite3_stmt *st = c->st[ST_INS_BDC];
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
    sqlite3_bind_int64(st, 1, d->deployment_id);
    sqlite3_bind_int64(st, 2, commit_id);
    sqlite3_bind_int(st, 3, d->is_baseline);
    sqlite3_bind_int(st, 4, node->n_parents >= 2);
    if (has_lead)
        sqlite3_bind_int64(st, 5, lead);
    else
        sqlite3_bind_null(st, 5);
    if (run(c, st))
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
    sqlite3_stmt *st = c->st[ST_INS_DEPLOY];
    for (size_t i = 0; i < dl->n; i++) {
        const cw_deploy *d = &dl->d[i];
        sqlite3_bind_int64(st, 1, d->deployment_id);
        sqlite3_bind_int(st, 2, d->traceable);
        sqlite3_bind_int(st, 3, d->is_baseline);
        sqlite3_bind_int64(st, 4, d->commits_deployed);
        if (run(c, st))
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
    sqlite3_stmt *st = c->st[ST_INS_INCIDENT];
    sqlite3_bind_int64(st, 1, incident_id);
    if (d)
        sqlite3_bind_int64(st, 2, d->deployment_id);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_text(st, 3, cw_attr_how_name(how), -1, SQLITE_STATIC);
    if (run(c, st))
        return -1;
    if (d)
        c->stats->incidents_attributed++;
    return 0;
}

static int attribute_incidents(corr *c, int64_t app, const deploy_list *dl, const cw_graph *g)
{
    sqlite3_stmt *st;
    int rc;

    if (prepare(c, "SELECT incident_id, title, description, created_at FROM fact_incident "
                   "WHERE application_id = ?1 ORDER BY incident_id", &st))
        return -1;
    sqlite3_bind_int64(st, 1, app);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long index;
        cw_attr_how how = cw_attribute(dl->d, dl->n, g, c->incident_re, column_text(st, 1),
                                       column_text(st, 2), sqlite3_column_int64(st, 3),
                                       c->cfg->attribution_window_s, &index);
        if (insert_incident(c, sqlite3_column_int64(st, 0), index >= 0 ? &dl->d[index] : NULL, how))
            break;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return -1;
    return rc == SQLITE_DONE ? 0 : sql_fail(c, "incidents");
}

/* Decisions 10: an incident resolved before it was created has no time to
 * restore and no recovery time; one resolved before the deployment it is
 * attributed to finished (an explicit reference to a later deployment) has
 * no recovery time.  reports/sql/views.sql leaves them out; this reports
 * them.  Columns: external id, created, resolved, deployment finished. */
static int incident_findings(corr *c)
{
    sqlite3_stmt *st;
    int rc, failed = 0;

    if (prepare(c, "SELECT i.external_id, i.created_at, i.resolved_at, d.finished_at "
                   "FROM fact_incident i "
                   "LEFT JOIN derived_incident di ON di.incident_id = i.incident_id "
                   "LEFT JOIN fact_deployment d ON d.deployment_id = di.deployment_id "
                   "WHERE i.resolved_at < i.created_at OR i.resolved_at < d.finished_at "
                   "ORDER BY i.incident_id", &st))
        return -1;
    while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t created = sqlite3_column_int64(st, 1), resolved = sqlite3_column_int64(st, 2);
        int before_created = resolved < created;
        char *detail = before_created
            ? cw_asprintf("resolved %.2f h before it was created: no time to restore or "
                          "recovery time", (double)(created - resolved) / 3600.0)
            : cw_asprintf("resolved %.2f h before its deployment finished: no recovery time",
                          (double)(sqlite3_column_int64(st, 3) - resolved) / 3600.0);
        failed = add_finding(c, before_created ? "incident_resolved_before_created"
                                               : "incident_resolved_before_deployment",
                             column_text(st, 0), detail);
        free(detail);
    }
    sqlite3_finalize(st);
    if (failed)
        return -1;
    return rc == SQLITE_DONE ? 0 : sql_fail(c, "incident findings");
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
    if (dl.n > 0 && load_graph(c, app, g, hidden))
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
    sqlite3_stmt *st;
    int rc;

    if (prepare(c, "SELECT application_id FROM fact_deployment WHERE application_id IS NOT NULL "
                   "UNION SELECT application_id FROM fact_incident WHERE application_id IS NOT NULL "
                   "ORDER BY 1", &st))
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (correlate_app(c, sqlite3_column_int64(st, 0)))
            break;
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return -1;
    if (rc != SQLITE_DONE)
        return sql_fail(c, "applications");
    if (orphan_deployments(c))
        return -1;
    /* Incidents of no application cannot be attributed. */
    if (exec(c, "INSERT INTO derived_incident (incident_id, deployment_id, how) "
                "SELECT incident_id, NULL, 'none' FROM fact_incident "
                "WHERE application_id IS NULL ORDER BY incident_id"))
        return -1;
    return incident_findings(c);
}

/* ---------------------------------------------------------------- statuses */

/* Configured categories: dim_status rows of origin config (the loader's
 * mirror of [status]), then any rule of cfg the mirror lacks. */
static int load_statuses(corr *c)
{
    sqlite3_stmt *st;
    int rc;

    if (prepare(c, "SELECT name, category, waiting FROM dim_status ORDER BY name", &st))
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cw_category cat;
        const char *category = column_text(st, 1);
        int waiting = sqlite3_column_int(st, 2);
        if (cw_streq_ci(category, "wait")) {
            cat = CW_CAT_IN_PROGRESS;
            waiting = 1;
        } else if (cw_category_parse(category, &cat)) {
            cw_warn("correlate: status '%s' has unknown category '%s'; ignored",
                    column_text(st, 0), category ? category : "");
            continue;
        }
        cw_status_map_add(c->statuses, column_text(st, 0), cat, waiting, CW_STATUS_CONFIG);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return sql_fail(c, "dim_status");
    for (size_t i = 0; i < c->cfg->n_statuses; i++) {
        const cw_status_rule *r = &c->cfg->statuses[i];
        int waiting = r->waiting || cw_streq_ci(r->category, "wait");
        cw_category cat = CW_CAT_IN_PROGRESS;
        if (waiting || cw_category_parse(r->category, &cat) == 0)
            cw_status_map_add(c->statuses, r->name, cat, waiting, CW_STATUS_CONFIG);
    }
    return 0;
}

/* What the sources say about each status's category, most authoritative
 * first (metrics.md "Work items and flow", README "Status categories"):
 *   1. the status list a source publishes (source_status), under the list's
 *      name and under every name an item gives the same status id;
 *   2. the category each item carries for its current status, the latest
 *      item (by updated) first.
 * The order is total (ties by subject), so the first claim per name, which
 * decides, never depends on the order the items were loaded in; kept and
 * kept_subject are that claim's, to name it in a conflict finding. */
static const char claims_sql[] =
    "WITH claim (name, category, rank, updated_at, subject) AS ("
    "  SELECT l.name, l.category, 0, NULL,"
    "         'the status list of ' || s.name || ' (id ' || l.status_id || ')'"
    "    FROM source_status l JOIN dim_source s ON s.source_id = l.source_id"
    "  UNION"
    "  SELECT w.status, l.category, 0, NULL,"
    "         'the status list of ' || s.name || ' (id ' || l.status_id || ')'"
    "    FROM dim_work_item w"
    "    JOIN source_status l ON l.source_id = w.source_id AND l.status_id = w.status_id"
    "    JOIN dim_source s ON s.source_id = l.source_id"
    "   WHERE w.status <> ''"
    "  UNION ALL"
    "  SELECT w.status, w.source_category, 1, w.updated_at, 'issue ' || w.item_key"
    "    FROM dim_work_item w WHERE w.status <> '' AND w.source_category IS NOT NULL) "
    "SELECT name, category, subject,"
    "       first_value(category) OVER win, first_value(subject) OVER win"
    "  FROM claim WINDOW win AS (PARTITION BY lower(name)"
    "       ORDER BY rank, updated_at DESC NULLS LAST, subject, category)"
    " ORDER BY lower(name), rank, updated_at DESC NULLS LAST, subject, category";

/* A claim that disagrees with the one that decided: one finding per status. */
static int category_conflict(corr *c, sqlite3_stmt *st)
{
    char *detail = cw_asprintf("%s from %s; %s from %s", column_text(st, 3), column_text(st, 4),
                               column_text(st, 1), column_text(st, 2));
    int rc = add_finding(c, "status_category_conflict", column_text(st, 0), detail);
    free(detail);
    return rc;
}

/* Statuses the config does not name take their source's category: the
 * first claim decides, any other category claimed for it is a finding.
 * Statuses no source categorises (seen only in histories) are guessed
 * later, by cw_flow_compute. */
static int learn_source_statuses(corr *c)
{
    sqlite3_stmt *st;
    int rc, failed = 0;

    if (prepare(c, claims_sql, &st))
        return -1;
    while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        const cw_status_info *known;
        cw_category cat;
        if (cw_category_parse(column_text(st, 1), &cat) != 0)
            continue;
        known = cw_status_map_get(c->statuses, column_text(st, 0));
        if (!known)
            cw_status_map_add(c->statuses, column_text(st, 0), cat, 0, CW_STATUS_SOURCE);
        else if (known->origin == CW_STATUS_SOURCE && known->category != cat)
            failed = category_conflict(c, st) != 0;
    }
    sqlite3_finalize(st);
    if (failed)
        return -1;
    return rc == SQLITE_DONE ? 0 : sql_fail(c, "status categories");
}

/* dim_status rows and findings for every status the config did not name. */
static int write_learnt_statuses(corr *c)
{
    sqlite3_stmt *st = c->st[ST_INS_STATUS];
    for (size_t i = 0; i < cw_status_map_count(c->statuses); i++) {
        const cw_status_info *s = cw_status_map_at(c->statuses, i);
        char *detail;
        int rc;
        if (s->origin == CW_STATUS_CONFIG)
            continue;
        sqlite3_bind_text(st, 1, s->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, cw_category_name(s->category), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, s->waiting);
        sqlite3_bind_text(st, 4, cw_status_origin_name(s->origin), -1, SQLITE_STATIC);
        if (run(c, st))
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
    sqlite3_stmt *st = c->st[ST_TRANSITIONS];
    int rc;

    transitions_clear(tr);
    sqlite3_bind_int64(st, 1, item_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        cw_flow_transition *t;
        if (tr->n == tr->cap) {
            tr->cap = tr->cap ? tr->cap * 2 : 16;
            tr->t = cw_xrealloc(tr->t, tr->cap * sizeof(cw_flow_transition));
        }
        t = &tr->t[tr->n++];
        t->at = sqlite3_column_int64(st, 0);
        t->history_id = cw_strdup(column_text(st, 1));
        t->from_status = cw_strdup(column_text(st, 2));
        t->to_status = cw_strdup(column_text(st, 3));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sql_fail(c, "transitions");
}

static int write_item(corr *c, int64_t item_id, const char *flow_type, const cw_flow_result *res)
{
    sqlite3_stmt *st = c->st[ST_INS_ITEM];

    sqlite3_bind_int64(st, 1, item_id);
    sqlite3_bind_text(st, 2, flow_type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, cw_category_name(res->category), -1, SQLITE_STATIC);
    bind_time(st, 4, res->start_at);
    bind_time(st, 5, res->end_at);
    bind_time(st, 6, res->active_s);
    if (run(c, st))
        return -1;
    st = c->st[ST_INS_INTERVAL];
    for (size_t i = 0; i < res->n_intervals; i++) {
        const cw_flow_interval *iv = &res->intervals[i];
        sqlite3_bind_int64(st, 1, item_id);
        sqlite3_bind_int64(st, 2, (int64_t)i + 1);
        sqlite3_bind_text(st, 3, iv->status->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, cw_category_name(iv->status->category), -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 5, iv->status->waiting);
        sqlite3_bind_int64(st, 6, iv->from_at);
        bind_time(st, 7, iv->to_at);
        if (run(c, st))
            return -1;
    }
    c->stats->work_items++;
    return 0;
}

/* Columns of the work item query below. */
enum { WI_ID, WI_KEY, WI_TYPE, WI_LABELS, WI_STATUS, WI_SOURCE_CAT, WI_CREATED, WI_RESOLVED,
       WI_TRUNCATED };

static int flow_one(corr *c, sqlite3_stmt *item, transitions *tr, cw_flow_result *res)
{
    int64_t id = sqlite3_column_int64(item, WI_ID);
    const char *key = column_text(item, WI_KEY);
    cw_flow_item fi = {
        .created_at = sqlite3_column_int64(item, WI_CREATED),
        .resolved_at = column_time(item, WI_RESOLVED),
        .status = column_text(item, WI_STATUS),
        .source_category = column_text(item, WI_SOURCE_CAT),
    };

    if (sqlite3_column_int(item, WI_TRUNCATED) &&
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
    return write_item(c, id, cw_flow_type(column_text(item, WI_TYPE), column_text(item, WI_LABELS),
                                          c->cfg->flow_rules, c->cfg->n_flow_rules), res);
}

static int flow_items(corr *c)
{
    sqlite3_stmt *st;
    transitions tr = { 0 };
    cw_flow_result res = { 0 };
    int rc;

    if (prepare(c, "SELECT work_item_id, item_key, item_type, labels, status, source_category, "
                   "created_at, resolved_at, changelog_truncated FROM dim_work_item "
                   "ORDER BY work_item_id", &st))
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (flow_one(c, st, &tr, &res))
            break;
    sqlite3_finalize(st);
    transitions_clear(&tr);
    free(tr.t);
    cw_flow_result_free(&res);
    if (rc == SQLITE_ROW)
        return -1;
    return rc == SQLITE_DONE ? 0 : sql_fail(c, "work items");
}

/* ---------------------------------------------------------------- idea to production */

static int set_production(corr *c, int64_t item_id, const int64_t *times, size_t n)
{
    sqlite3_stmt *st = c->st[ST_SET_PRODUCTION];
    int64_t at = cw_flow_production_at(times, n);
    if (at == CW_NO_TIME)
        return 0;
    sqlite3_bind_int64(st, 1, item_id);
    sqlite3_bind_int64(st, 2, at);
    return run(c, st);
}

/* Stream (item, first deployment of each non-merge commit naming it), grouped
 * by item. */
static int production_times(corr *c)
{
    sqlite3_stmt *st;
    int64_t *times = NULL, current = -1;
    size_t n = 0, cap = 0;
    int rc, failed = 0;

    if (prepare(c, "SELECT b.work_item_id, (SELECT min(d.finished_at) "
                   "  FROM bridge_deployment_commit x "
                   "  JOIN fact_deployment d ON d.deployment_id = x.deployment_id "
                   "  WHERE x.commit_id = b.commit_id) "
                   "FROM bridge_commit_work_item b JOIN fact_commit k ON k.commit_id = b.commit_id "
                   "WHERE k.parent_count < 2 ORDER BY b.work_item_id", &st))
        return -1;
    while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t item = sqlite3_column_int64(st, 0);
        if (item != current && n > 0)
            failed = set_production(c, current, times, n);
        if (item != current)
            n = 0;
        current = item;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            times = cw_xrealloc(times, cap * sizeof(int64_t));
        }
        times[n++] = column_time(st, 1);
    }
    if (!failed && rc == SQLITE_DONE && n > 0)
        failed = set_production(c, current, times, n);
    sqlite3_finalize(st);
    free(times);
    if (failed)
        return -1;
    return rc == SQLITE_DONE ? 0 : sql_fail(c, "idea to production");
}

/* ---------------------------------------------------------------- driver */

static int prepare_all(corr *c)
{
    for (int i = 0; i < ST_COUNT; i++)
        if (prepare(c, stmt_sql[i], &c->st[i]))
            return -1;
    return 0;
}

static void corr_free(corr *c)
{
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(c->st[i]);
    cw_regex_free(c->incident_re);
    cw_status_map_free(c->statuses);
}

static int correlate_all(corr *c)
{
    for (const char *const *sql = clear_sql; *sql; sql++)
        if (exec(c, *sql))
            return -1;
    if (link_commits(c) || no_ancestry_findings(c) || correlate_apps(c))
        return -1;
    cw_killpoint("correlate");
    if (load_statuses(c) || learn_source_statuses(c) || flow_items(c) ||
        write_learnt_statuses(c) || production_times(c))
        return -1;
    return 0;
}

int cw_correlate(sqlite3 *db, const cw_config *cfg, cw_correlate_stats *stats)
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
    if (prepare_all(&c) || exec(&c, "SAVEPOINT cw_correlate"))
        goto out;
    rc = correlate_all(&c);
    if (rc != 0) {
        sqlite3_exec(db, "ROLLBACK TO cw_correlate", NULL, NULL, NULL);
        memset(stats, 0, sizeof(*stats));
    }
    sqlite3_exec(db, "RELEASE cw_correlate", NULL, NULL, NULL);
out:
    corr_free(&c);
    return rc;
}
