/*
 * delta.c - the correlation step of an incremental batch (correlate.h,
 * cw_correlate_delta; pipeline/derive.h says when a batch is one): the
 * derived tables as the last batch left them, plus what the rows this batch
 * wrote (cw_touched, load/warehouse.h cw_wh_track) change.
 */
#include "corr.h"
#include "keys.h"
#include "../core/killpoint.h"
#include "../core/log.h"
#include "../core/sqlset.h"
#include "../core/strmap.h"
#include "../core/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>


/*
 * An incremental batch (pipeline/derive.h) starts from derived tables that
 * equal a full derivation of the facts before it, and from cw_touched,
 * every fact row the batch wrote.  Each part re-derives what those rows can
 * change, and falls back to its full form where it cannot tell:
 *   links   the touched commits, those of the requests the batch wrote and
 *           what their merges brought in are keyed again (keysource.c; their
 *           links and waiting keys replaced); a new item takes the commits
 *           that carried its key while it was missing (derived_commit_key).
 *           A changed set of known projects, or a commit updated or deleted,
 *           links every commit again (a key's spelling and whether it counts
 *           depend on the set; an ancestry may have moved).
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
        const char *sql = cw_sqlset_get(set, corr_q_name[i]);
        if (!sql) {
            cw_error("%s: no statement named %s", SQL_FILE, corr_q_name[i]);
            rc = -1;
        } else if (cw_db_prepare(c->db, sql, &c->q[i]) != CW_DB_OK) {
            rc = corr_sql_fail(c, corr_q_name[i]);
        } else if (i <= Q_DELTA_UNLINKED_TABLE || i == Q_DELTA_APP_TABLE ||
                   i == Q_DELTA_PROD_TABLE || i == Q_DELTA_INSERTED_TABLE) {
            rc = corr_run(c, i);     /* the tables the next statements name */
        }
    }
    cw_sqlset_free(set);
    return rc;
}

/* The single integer the query q returns, or -1 (logged). */
static int64_t count_of(corr *c, int q)
{
    int64_t n = -1;
    if (corr_next_row(c, q) == 1) {
        n = cw_db_column_int(c->q[q], 0);
        corr_done(c, q);
    }
    return n;
}

/* Every commit linked again: the known projects changed (a key's spelling
 * and whether it counts depend on the set), or a commit was updated or
 * deleted (its ancestry, so what a merge brought in, may have moved). */
static int links_again(corr *c, const char *why)
{
    cw_debug("correlate: %s: every commit is linked again", why);
    c->every_item = 1;
    return corr_links_full(c) || corr_run(c, Q_RESET_PRODUCTION) ? -1 : 0;
}

/* The commits keyed again (cw_delta_commit: those the batch wrote, those of
 * the requests it wrote, what their merges brought in), linked again with
 * every key they carry; new items take the commits that waited for them. */
static int link_touched(corr *c)
{
    corr_pairs extra = { 0 };
    cw_keys *keys = NULL;
    int rc = corr_run(c, Q_DELTA_PR_COMMITS) ||
             corr_run_all(c, Q_DELTA_INSERTED_CLEAR, Q_DELTA_INSERTED_FILL) ||
             !(keys = corr_keys_new(c)) || corr_merge_keys_delta(c, keys, &extra) ||
             corr_pull_request_keys(c, keys, Q_DELTA_PR_KEYS, &extra) ||
             corr_run_all(c, Q_DELTA_UNLINKED_FILL, Q_DELTA_FORGET_KEYS) ||
             corr_link_commits(c, Q_DELTA_COMMITS, keys, &extra) ? -1 : 0;
    corr_pairs_free(&extra);
    cw_keys_free(keys);
    return rc;
}

static int links_delta(corr *c)
{
    int64_t changed = count_of(c, Q_DELTA_PROJECTS_CHANGED), moved;
    int rc;
    if (changed < 0)
        return -1;
    if (changed > 0)
        return links_again(c, "the known projects changed");
    if ((moved = count_of(c, Q_DELTA_COMMIT_CHANGED)) != 0)
        return moved < 0 ? -1 : links_again(c, "a commit was updated or deleted");
    if (link_touched(c))
        return -1;
    while ((rc = corr_next_row(c, Q_DELTA_KEYS_FOUND)) == 1) {
        cw_db_value row[2] = { cw_value_int(cw_db_column_int(c->q[Q_DELTA_KEYS_FOUND], 0)),
                               cw_value_int(cw_db_column_int(c->q[Q_DELTA_KEYS_FOUND], 1)) };
        if (corr_append(c, T_COMMIT_LINKS, row)) {
            corr_done(c, Q_DELTA_KEYS_FOUND);
            return -1;
        }
    }
    return rc < 0 || corr_run(c, Q_DELTA_KEYS_DONE) || corr_run(c, Q_DELTA_RESET_PRODUCTION) ||
           corr_key_findings(c) ? -1 : 0;
}

/* 1 when every status the touched items name is configured, 0 when not, -1
 * on an error.  c->statuses holds the configured ones. */
static int statuses_configured(corr *c)
{
    cw_stmt *st = c->q[Q_DELTA_ITEM_STATUSES];
    int rc;
    while ((rc = corr_next_row(c, Q_DELTA_ITEM_STATUSES)) == 1) {
        const char *name = cw_db_column_text(st, 0);
        const cw_status_info *known = cw_str_empty(name) ? NULL
                                                         : cw_status_map_get(c->statuses, name);
        if (!cw_str_empty(name) && (!known || known->origin != CW_STATUS_CONFIG)) {
            cw_debug("correlate: status '%s' is not configured: every item's flow again", name);
            corr_done(c, Q_DELTA_ITEM_STATUSES);
            return 0;
        }
    }
    return rc < 0 ? -1 : 1;
}

static int flow_delta(corr *c)
{
    int64_t blocked = count_of(c, Q_DELTA_FULL_FLOW);
    int configured;
    if (blocked < 0 || corr_load_statuses(c))
        return -1;
    configured = blocked == 0 ? statuses_configured(c) : 0;
    if (configured < 0)
        return -1;
    if (!configured) {
        c->every_item = 1;
        cw_status_map_free(c->statuses);
        c->statuses = cw_status_map_new();
        return corr_flow_full(c);
    }
    if (corr_run_all(c, Q_DELTA_CLEAR_INTERVALS, Q_DELTA_CLEAR_ITEM_FINDINGS))
        return -1;
    return corr_flow_items(c, Q_DELTA_WORK_ITEMS);
}

/* Idea to production: every item's instant when a part ran in full, else
 * those of the items the batch can have moved (delta_prod_fill). */
static int production_delta(corr *c)
{
    if (c->every_item)
        return corr_production_times(c, Q_FIRST_DEPLOYMENTS);
    if (corr_run(c, Q_DELTA_PROD_CLEAR) || corr_run(c, Q_DELTA_PROD_FILL) ||
        corr_run(c, Q_DELTA_PROD_ANALYZE))
        return -1;
    return corr_production_times(c, Q_DELTA_FIRST_DEPLOYMENTS);
}

/* ---------------------------------------------------------------- the walk, incrementally */

/*
 * The walk, incrementally.  Each application the batch wrote a commit,
 * deployment, checkout or incident of is either walked again in full (its
 * derived rows and findings deleted first: corr_correlate_app as in a full
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
    return l->n && bsearch(&id, l->v, l->n, sizeof(int64_t), corr_compare_id) != NULL;
}

/* What the batch wrote of one application. */
typedef struct app_delta {
    int64_t app;
    int rewalk;                 /* walked again in full */
    id_list commits, deployments;   /* inserted */
    id_list incidents;          /* written, in any way (sorted by touched_apps) */
} app_delta;

static void app_delta_free(app_delta *a)
{
    free(a->commits.v);
    free(a->deployments.v);
    free(a->incidents.v);
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
    char *repository;
} found_node;

static void found_free(found_node *f)
{
    free(f->node.sha);
    free(f->node.extra_ids);
    free(f->parents);
    free(f->repository);
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
    while ((rc = corr_next_row(c, Q_DELTA_NODE)) == 1) {
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
        f->repository = cw_strdup(cw_db_column_text(st, 4));
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
        return corr_on_deployed(c, d, &f->node) ? -1 : 0;
    if (!cw_graph_lead_time(d, &f->node, &lead) || lead >= 0)
        return 0;
    cw_db_bind_str(c->q[Q_DELTA_SHA_ROWS], 1, f->node.sha);
    rows = count_of(c, Q_DELTA_SHA_ROWS);
    return rows < 0 ? -1 : rows > 1 + (int64_t)f->node.n_extra ? 2 : 0;
}

/* Decisions 7: a commit of a repository no deployment reached yet would
 * make this one that repository's baseline; appending does not follow
 * that (0 when the repository has its baseline, 2, -1).  The repositories
 * found are cached in seen, under "/" and their name (no sha has a '/'). */
static int repository_walked(corr *c, int64_t app, const char *repository, cw_strmap *seen)
{
    cw_stmt *st = c->q[Q_DELTA_REPO_DEPLOYED];
    char *key = cw_asprintf("/%s", repository ? repository : "");
    int64_t n = 1;
    if (!cw_strmap_get(seen, key, NULL)) {
        cw_db_bind_int(st, 1, app);
        cw_db_bind_str(st, 2, repository ? repository : "");
        n = count_of(c, Q_DELTA_REPO_DEPLOYED);
        if (n > 0)
            cw_strmap_add(seen, key, 0, NULL);
    }
    free(key);
    return n < 0 ? -1 : n > 0 ? 0 : 2;
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
    if ((rc = repository_walked(c, app, f.repository, seen)) != 0) {
        found_free(&f);
        return rc;
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
    if (corr_next_row(c, Q_DELTA_APP_WALKABLE) != 1)
        return -1;
    ok = cw_db_column_int(st, 0) > 0 && cw_db_column_int(st, 1) == 0 &&
         cw_db_column_int(st, 2) == 0;
    corr_done(c, Q_DELTA_APP_WALKABLE);
    return ok ? 0 : 2;
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
            found = corr_run(c, Q_INSERT_MISSING) ? -1 : 0;
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
    if ((rc = corr_next_row(c, Q_DELTA_NEW_COMMIT)) != 1)
        return rc;              /* 0: gone again (a later statement of the batch) */
    sha = cw_strdup(cw_db_column_text(st, 0));
    parents = cw_strdup(cw_db_column_text(st, 1));
    ancestry = cw_db_column_int(st, 2) != 0;
    corr_done(c, Q_DELTA_NEW_COMMIT);
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
    int rc = corr_texts(c, Q_DELTA_UNTRACEABLE_REVISIONS, a->app, &untraceable);
    for (size_t i = 0; i < a->commits.n && rc == 0; i++)
        rc = check_new_commit(c, a->app, a->commits.v[i], &untraceable, write);
    cw_strlist_free(&untraceable);
    return rc;
}

/* Incidents the new deployments can take (created at or after the first
 * finished) and those the batch wrote, attributed again. */
static int reattribute(corr *c, const app_delta *a, const deploy_list *dl, size_t first)
{
    cw_stmt *st = c->q[Q_DELTA_REATTRIBUTE];
    int64_t from = first < dl->n ? dl->d[first].finished_at : INT64_MAX;
    int rc;
    cw_db_bind_int(st, 1, a->app);
    while ((rc = corr_next_row(c, Q_DELTA_REATTRIBUTE)) == 1) {
        int64_t id = cw_db_column_int(st, 0), created = cw_db_column_int(st, 3);
        long index;
        cw_attr_how how;
        if (created < from && !ids_has(&a->incidents, id))
            continue;
        how = cw_attribute(dl->d, dl->n, NULL, NULL, cw_db_column_text(st, 1),
                           cw_db_column_text(st, 2), created, c->cfg->attribution_window_s,
                           &index);
        cw_db_bind_int(c->q[Q_DELTA_FORGET_INCIDENT], 1, id);
        cw_db_bind_int(c->q[Q_DELTA_FORGET_INCIDENT_FINDING], 1, id);
        if (corr_run(c, Q_DELTA_FORGET_INCIDENT) || corr_run(c, Q_DELTA_FORGET_INCIDENT_FINDING) ||
            corr_insert_incident(c, id, index >= 0 ? &dl->d[index] : NULL, how)) {
            corr_done(c, Q_DELTA_REATTRIBUTE);
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
        rc = corr_load_deployments(c, a->app, &dl);
    if (rc == 0)
        rc = new_suffix(&dl, &a->deployments, &first);
    if (rc == 0)
        rc = check_new_commits(c, a, write);
    for (size_t i = first; i < dl.n && rc == 0; i++)
        rc = walk_new(c, a->app, &dl.d[i], seen, write);
    if (rc == 0 && write) {
        deploy_list added = { .d = dl.d + first, .n = dl.n - first };
        rc = corr_write_deployments(c, a->app, &added, NULL) || reattribute(c, a, &dl, first)
                 ? -1 : 0;
    }
    cw_strmap_free(seen);
    corr_deploy_list_free(&dl);
    return rc;
}

/* Delete what the full walk of the application writes. */
static int forget_app(corr *c, int64_t app)
{
    for (int q = Q_DELTA_FORGET_DEPLOYED; q <= Q_DELTA_FORGET_INCIDENT_FINDINGS; q++) {
        cw_db_bind_int(c->q[q], 1, app);
        if (corr_run(c, q))
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
    while ((rc = corr_next_row(c, Q_DELTA_TOUCHED_ROWS)) == 1) {
        app_delta *a = app_set_add(s, cw_db_column_int(st, 0));
        const char *kind = cw_db_column_text(st, 1);
        int insert = strcmp(cw_db_column_text(st, 2), "I") == 0;
        if (strcmp(kind, "incident") == 0)
            ids_push(&a->incidents, cw_db_column_int(st, 3));   /* attributed again */
        else if (!insert)
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
        rc = s->a[i].rewalk ? corr_run(c, Q_DELTA_APP_ADD) : 0;
        added |= s->a[i].rewalk;
    }
    while (rc == 0 && added) {
        int64_t more[64];
        size_t n = 0;
        while ((rc = corr_next_row(c, Q_DELTA_APP_SHARING)) == 1 && n < 64)
            more[n++] = cw_db_column_int(c->q[Q_DELTA_APP_SHARING], 0);
        if (rc == 1)
            corr_done(c, Q_DELTA_APP_SHARING);
        rc = rc < 0 ? -1 : 0;
        added = n > 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
            app_delta *a = app_set_add(s, more[i]);
            a->rewalk = 1;
            cw_db_bind_int(c->q[Q_DELTA_APP_ADD], 1, more[i]);
            cw_db_bind_int(c->q[Q_DELTA_APP_ADD], 2, 1);
            rc = corr_run(c, Q_DELTA_APP_ADD);
        }
    }
    if (s->n > 1)
        qsort(s->a, s->n, sizeof(app_delta), compare_app);
    return rc;
}

static int walk_app(corr *c, const app_delta *a)
{
    if (!a->rewalk)
        return append_app(c, a, 1) == 0 ? 0 : -1;
    if (forget_app(c, a->app))
        return -1;
    return a->app == 0 ? corr_orphan_deployments(c) : corr_correlate_app(c, a->app);
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
        return blocked < 0 ? -1 : corr_walk_full(c);
    }
    rc = corr_run(c, Q_DELTA_APP_CLEAR) ? -1 : touched_apps(c, &s);
    for (size_t i = 0; i < s.n; i++)
        if (s.a[i].incidents.n > 1)
            qsort(s.a[i].incidents.v, s.a[i].incidents.n, sizeof(int64_t), corr_compare_id);
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
    if (rc || corr_run(c, Q_DELTA_FORGET_NO_ANCESTRY) || corr_no_ancestry_findings(c) ||
        corr_flush_all(c))
        return -1;
    if (app0 && corr_run(c, Q_INCIDENTS_NO_APP))
        return -1;
    return corr_incident_findings(c);
}

static int correlate_delta(corr *c)
{
    if (prepare_delta(c) || corr_run_all(c, Q_DELTA_ITEM_CLEAR, Q_DELTA_COMMIT_FILL))
        return -1;
    if (links_delta(c) || walk_delta(c))
        return -1;
    cw_killpoint("correlate");
    if (flow_delta(c) || corr_flush_all(c) || production_delta(c))
        return -1;
    return cw_correlate_counts(c->db, c->stats);
}

int cw_correlate_delta(cw_db *db, const cw_config *cfg, cw_correlate_stats *stats)
{
    return corr_step(db, cfg, stats, correlate_delta);
}
