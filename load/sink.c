/*
 * sink.c - the record upserts behind cw_sink (see warehouse.h).
 *
 * One batch is one transaction.  Records arrive through a cw_sink and are
 * upserted by natural key with statements prepared once and reused (bound
 * parameters only; the SQL is load/sql/sink.sql).  Every upsert is
 *
 *     INSERT ... ON CONFLICT (natural key) DO UPDATE SET ... WHERE <changed>
 *
 * so loading the same records twice writes nothing and the id of an
 * existing row never changes: facts can be referenced by the derived tables
 * across batches.
 *
 * This is the hot path of a nightly run, so per-record SELECTs are avoided
 * where a cache can answer (source, person, work item and environment ids:
 * core/strmap.h maps from natural key to id).  A map that reaches
 * CACHE_LIMIT keys is emptied, which keeps memory bounded whatever the
 * input size (a miss only costs one SELECT).  The caches are emptied on
 * rollback too: ids of rows inserted by an abandoned batch no longer exist.
 */
#include "wh.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/killpoint.h"
#include "../core/log.h"
#include "../core/util.h"

#define CACHE_LIMIT 65536
#define CW_REJECTS_LOGGED 20        /* per file; the rest only go to the table */

/* ------------------------------------------------------------------ id caches */

static void cache_put(cw_strmap *map, const char *key, int64_t id)
{
    if (cw_strmap_count(map) >= CACHE_LIMIT)
        cw_strmap_clear(map);
    cw_strmap_put(map, key, id);
}

void wh_caches_clear(cw_warehouse *wh)
{
    cw_strmap_clear(wh->sources);
    cw_strmap_clear(wh->persons);
    cw_strmap_clear(wh->items);
    cw_strmap_clear(wh->items_external);
    cw_strmap_clear(wh->environments);
}

/* ------------------------------------------------------------------ dimensions */

int cw_wh_source(cw_warehouse *wh, const char *name, const char *type)
{
    int64_t id = 0;
    wh_bind_text(wh, S_SOURCE_UPSERT, 1, name);
    wh_bind_text(wh, S_SOURCE_UPSERT, 2, type);
    if (wh_run_ok(wh, S_SOURCE_UPSERT, "registering a source") != 0)
        return -1;
    wh_bind_text(wh, S_SOURCE_GET, 1, name);
    if (wh_run(wh, S_SOURCE_GET, &id) != CW_DB_ROW)
        return wh_fail(wh, "looking up a source");
    cache_put(wh->sources, name, id);
    return 0;
}

/* source_id of a record's source.  A source nobody registered is added as
 * type "unknown" so its facts still load. */
static int source_id(cw_warehouse *wh, const char *name, int64_t *id)
{
    int rc;
    name = name ? name : "";
    if (cw_strmap_get(wh->sources, name, id))
        return 0;
    wh_bind_text(wh, S_SOURCE_GET, 1, name);
    rc = wh_run(wh, S_SOURCE_GET, id);
    if (rc == CW_DB_DONE) {
        cw_warn("%s: source '%s' was not registered; recorded as type unknown", wh->where, name);
        if (cw_wh_source(wh, name, "unknown") != 0)
            return -1;
        return source_id(wh, name, id);
    }
    if (rc != CW_DB_ROW)
        return wh_fail(wh, "looking up a source");
    cache_put(wh->sources, name, *id);
    return 0;
}

/* person_id for an author: keyed by the lower-cased email, else the name;
 * 0 when the commit names neither. */
static int person_id(cw_warehouse *wh, const char *email, const char *name, int64_t *id)
{
    char small[256], *key;
    const char *from = !cw_str_empty(email) ? email : name;
    size_t len;
    int rc;

    *id = 0;
    if (cw_str_empty(from))
        return 0;
    len = strlen(from);
    key = len < sizeof(small) ? small : cw_xmalloc(len + 1);
    for (size_t i = 0; i <= len; i++)
        key[i] = (char)(from == email && from[i] >= 'A' && from[i] <= 'Z' ? from[i] + 32 : from[i]);
    if (cw_strmap_get(wh->persons, key, id)) {
        rc = 0;
        goto out;
    }
    wh_bind_text(wh, S_PERSON_GET, 1, key);
    rc = wh_run(wh, S_PERSON_GET, id);
    if (rc == CW_DB_ROW && !cw_str_empty(name)) {
        wh_bind_int(wh, S_PERSON_NAME, 1, *id);
        wh_bind_text(wh, S_PERSON_NAME, 2, name);
        rc = wh_run(wh, S_PERSON_NAME, NULL);
    } else if (rc == CW_DB_DONE) {
        wh_bind_text(wh, S_PERSON_INSERT, 1, key);
        wh_bind_text(wh, S_PERSON_INSERT, 2, cw_str_empty(name) ? NULL : name);
        rc = wh_run(wh, S_PERSON_INSERT, id);
    }
    if (rc < 0) {
        rc = wh_fail(wh, "recording a person");
        goto out;
    }
    cache_put(wh->persons, key, *id);
    rc = 0;
out:
    if (key != small)
        free(key);
    return rc;
}

/* environment_id, upserting the row when its production flag changed.  The
 * cache holds id * 2 + is_production. */
static int environment_id(cw_warehouse *wh, const char *name, int is_production, int64_t *id)
{
    int prod = is_production ? 1 : 0;
    int64_t hit;
    if (cw_strmap_get(wh->environments, name, &hit) && (hit & 1) == prod) {
        *id = hit >> 1;
        return 0;
    }
    wh_bind_text(wh, S_ENV_UPSERT, 1, name);
    wh_bind_int(wh, S_ENV_UPSERT, 2, prod);
    if (wh_run_ok(wh, S_ENV_UPSERT, "recording an environment") != 0)
        return -1;
    wh_bind_text(wh, S_ENV_GET, 1, name);
    if (wh_run(wh, S_ENV_GET, id) != CW_DB_ROW)
        return wh_fail(wh, "looking up an environment");
    cache_put(wh->environments, name, *id * 2 + prod);
    return 0;
}

/* One way to find a work item: the cache, then (when ask) the warehouse. */
static int item_lookup(cw_warehouse *wh, cw_strmap *cache, wh_stmt_id s, const char *v,
                       int ask, int64_t *id)
{
    int rc;
    if (cw_strmap_get(cache, v, id))
        return 0;
    if (!ask)
        return 0;
    wh_bind_text(wh, s, 1, v);
    rc = wh_run(wh, s, id);
    if (rc < 0)
        return wh_fail(wh, "looking up a work item");
    if (rc == CW_DB_ROW)
        cache_put(cache, v, *id);
    else
        *id = 0;
    return 0;
}

/* With staged writes an item read in this batch may still be staged, so
 * asking the warehouse would cost a round trip and might not find it: a
 * transition not answered by the cache is staged instead, and attached
 * after the last flush (resolve.c). */
int wh_work_item_id(cw_warehouse *wh, const char *key, const char *external_id, int64_t *id)
{
    int ask = wh->stage == NULL;
    *id = 0;
    if (!cw_str_empty(key)) {
        if (item_lookup(wh, wh->items, S_ITEM_BY_KEY, key, ask, id) != 0)
            return -1;
        if (*id)
            return 0;
    }
    if (!cw_str_empty(external_id))
        return item_lookup(wh, wh->items_external, S_ITEM_BY_EXTERNAL, external_id, ask, id);
    return 0;
}

/* ------------------------------------------------------------------ rejects */

void wh_flush_reject_log(cw_warehouse *wh)
{
    if (wh->reject_file && wh->reject_count > CW_REJECTS_LOGGED)
        cw_error("... %ld more rejects in %s, see table reject",
                 wh->reject_count - CW_REJECTS_LOGGED, wh->reject_file);
    free(wh->reject_file);
    wh->reject_file = NULL;
    wh->reject_count = 0;
}

static void log_reject(cw_warehouse *wh, const cw_origin *o, const char *field, const char *reason)
{
    const char *file = o->file ? o->file : "";
    if (!wh->reject_file || strcmp(wh->reject_file, file) != 0) {
        wh_flush_reject_log(wh);
        wh->reject_file = cw_strdup(file);
    }
    if (++wh->reject_count > CW_REJECTS_LOGGED)
        return;
    if (field)
        cw_error("%s:%ld: %s: %s", file, o->record, field, reason);
    else
        cw_error("%s:%ld: %s", file, o->record, reason);
}

/* Store a reject of a record already counted as read. */
static int store_reject(cw_warehouse *wh, const cw_origin *o, const char *field,
                        const char *reason, const char *raw)
{
    wh_stmt_id s = S_REJECT_INSERT;
    reason = reason ? reason : "unusable record";
    wh_bind_int(wh, s, 1, wh->batch_id);
    wh_bind_text(wh, s, 2, o->source ? o->source : "");
    wh_bind_text(wh, s, 3, o->file ? o->file : "");
    wh_bind_int(wh, s, 4, o->record);
    wh_bind_text(wh, s, 5, field);
    wh_bind_text(wh, s, 6, reason);
    wh_bind_text(wh, s, 7, raw);
    if (wh_run_ok(wh, s, "recording a reject") != 0)
        return -1;
    wh->stats.rows_rejected++;
    log_reject(wh, o, field, reason);
    return 0;
}

int wh_reject(cw_warehouse *wh, const cw_origin *o, const char *field, const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    return store_reject(wh, o, field, reason, NULL);
}

/* Every sink call starts here: it needs an open batch and counts the record. */
static int record_begins(cw_warehouse *wh)
{
    if (!wh->in_batch) {
        cw_error("%s: records arrived with no open batch", wh->where);
        return -1;
    }
    cw_killpoint_record();
    wh->stats.rows_read++;
    wh->changes = 0;
    return wh_stage_room(wh);
}

/* Run a record's own statement (the upsert of its row).  The record counts
 * as changed when that wrote a row: what its lookups added (a new person)
 * or its dependent rows (a build's checkouts) do not count, so the count is
 * the same when the rows are staged and merged as sets (stage.c). */
static int run_own(cw_warehouse *wh, wh_stmt_id s)
{
    wh->changes = 0;
    return wh_run(wh, s, NULL);
}

int wh_record_ends(cw_warehouse *wh, int rc, const cw_origin *o, const char *what)
{
    if (rc >= 0) {
        wh->stats.rows_loaded++;
        /* an upsert that found the row as it was writes nothing; staged
         * rows are counted when they are merged (stage.c) */
        if (wh->changes > 0 && !wh->stage)
            wh->stats.rows_changed++;
        return 0;
    }
    if (rc == CW_DB_CONSTRAINT) {
        char reason[600];
        snprintf(reason, sizeof(reason), "the warehouse refused the %s: %s", what, wh->err);
        wh->err[0] = '\0';
        return store_reject(wh, o, NULL, reason, NULL);
    }
    return wh_fail(wh, what);
}

static int sink_reject(void *ctx, const cw_reject *rec)
{
    cw_warehouse *wh = ctx;
    if (record_begins(wh) != 0)
        return -1;
    return store_reject(wh, &rec->origin, rec->field, rec->reason, rec->raw);
}

/* ------------------------------------------------------------------ facts */

static int mark_links(cw_warehouse *wh, const cw_work_item *r);

static int sink_work_item(void *ctx, const cw_work_item *r)
{
    cw_warehouse *wh = ctx;
    wh_stmt_id s = S_ITEM_UPSERT;
    int64_t src, own;
    const char *dash;
    int rc;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->key))
        return wh_reject(wh, &r->origin, "key", "missing work item key");
    if (r->created_at == CW_NO_TIME)
        return wh_reject(wh, &r->origin, "created", "missing creation time of %s", r->key);
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    wh_bind_text(wh, s, 1, r->key);
    if (!cw_str_empty(r->project))
        wh_bind_text(wh, s, 2, r->project);
    else if ((dash = strrchr(r->key, '-')))         /* PAY-123 -> PAY */
        wh_bind_text_n(wh, s, 2, r->key, (size_t)(dash - r->key));
    else
        wh_bind_text(wh, s, 2, r->key);
    wh_bind_text(wh, s, 3, r->external_id);
    wh_bind_int(wh, s, 4, src);
    wh_bind_text(wh, s, 5, r->summary);
    wh_bind_text(wh, s, 6, r->type);
    wh_bind_text(wh, s, 7, r->status);
    wh_bind_text(wh, s, 8, r->status_category);
    wh_bind_text(wh, s, 9, r->labels);
    wh_bind_text(wh, s, 10, r->fix_versions);
    wh_bind_text(wh, s, 11, r->assignee);
    wh_bind_time(wh, s, 12, r->created_at);
    wh_bind_time(wh, s, 13, r->updated_at);
    wh_bind_time(wh, s, 14, r->resolved_at);
    wh_bind_int(wh, s, 15, r->has_changelog ? 1 : 0);
    wh_bind_int(wh, s, 16, r->changelog_truncated ? 1 : 0);
    wh_bind_text(wh, s, 17, r->status_id);
    rc = run_own(wh, s);
    own = wh->changes;
    if (rc >= 0 && r->links_follow)
        rc = mark_links(wh, r);
    wh->changes = own;
    return wh_record_ends(wh, rc, &r->origin, "work item");
}

/* The item's links follow (cw_work_item.links_follow): a marker that lets
 * resolve.c replace its links by those of this record (sink.sql, link_*). */
static int mark_links(cw_warehouse *wh, const cw_work_item *r)
{
    wh_stmt_id s = S_LINK_MARK;
    wh_bind_text(wh, s, 1, r->origin.source ? r->origin.source : "");
    wh_bind_text(wh, s, 2, r->origin.file ? r->origin.file : "");
    wh_bind_int(wh, s, 3, r->origin.record);
    wh_bind_text(wh, s, 4, r->key);
    wh_bind_time(wh, s, 5, r->updated_at);
    return wh_run(wh, s, NULL);
}

/* A link is staged with its record's position and counted once the batch
 * is parsed, when its item's links are replaced (resolve.c). */
static int sink_work_item_link(void *ctx, const cw_work_item_link *r)
{
    cw_warehouse *wh = ctx;
    wh_stmt_id s = S_LINK_STAGE;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->item_key))
        return wh_reject(wh, &r->origin, "item_key", "link names no work item");
    if (cw_str_empty(r->target_key) && cw_str_empty(r->target_id))
        return wh_reject(wh, &r->origin, cw_link_kind_name(r->kind), "link of %s names no target",
                         r->item_key);
    wh_bind_text(wh, s, 1, r->origin.source ? r->origin.source : "");
    wh_bind_text(wh, s, 2, r->origin.file ? r->origin.file : "");
    wh_bind_int(wh, s, 3, r->origin.record);
    wh_bind_text(wh, s, 4, r->item_key);
    wh_bind_text(wh, s, 5, cw_link_kind_name(r->kind));
    wh_bind_text(wh, s, 6, cw_str_empty(r->target_key) ? NULL : r->target_key);
    wh_bind_text(wh, s, 7, cw_str_empty(r->target_id) ? NULL : r->target_id);
    return wh_run_ok(wh, s, "staging a work item link");
}

/* A transition whose item is not loaded (yet): kept until the whole batch
 * is parsed, so the order of files and sources does not matter
 * (resolve.c).  Counted as neither loaded nor rejected until then. */
static int stage_transition(cw_warehouse *wh, const cw_transition *r)
{
    wh_stmt_id s = S_STAGE_INSERT;
    wh_bind_text(wh, s, 1, r->origin.source ? r->origin.source : "");
    wh_bind_text(wh, s, 2, r->origin.file ? r->origin.file : "");
    wh_bind_int(wh, s, 3, r->origin.record);
    wh_bind_text(wh, s, 4, cw_str_empty(r->item_key) ? NULL : r->item_key);
    wh_bind_text(wh, s, 5, cw_str_empty(r->item_id) ? NULL : r->item_id);
    wh_bind_time(wh, s, 6, r->at);
    wh_bind_text(wh, s, 7, r->history_id);
    wh_bind_text(wh, s, 8, r->from_status);
    wh_bind_text(wh, s, 9, r->to_status);
    return wh_run_ok(wh, s, "staging a transition");
}

static int sink_transition(void *ctx, const cw_transition *r)
{
    cw_warehouse *wh = ctx;
    wh_stmt_id s = S_TRANSITION_INSERT;
    int64_t item;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->item_key) && cw_str_empty(r->item_id))
        return wh_reject(wh, &r->origin, "item_key", "transition names no work item");
    if (cw_str_empty(r->to_status))
        return wh_reject(wh, &r->origin, "to_status", "missing target status");
    if (r->at == CW_NO_TIME)
        return wh_reject(wh, &r->origin, "at", "missing transition time");
    if (wh_work_item_id(wh, r->item_key, r->item_id, &item) != 0)
        return -1;
    if (item == 0)
        return stage_transition(wh, r);
    wh_bind_int(wh, s, 1, item);
    wh_bind_time(wh, s, 2, r->at);
    wh_bind_text(wh, s, 3, r->history_id);
    wh_bind_text(wh, s, 4, r->from_status);
    wh_bind_text(wh, s, 5, r->to_status);
    return wh_record_ends(wh, run_own(wh, s), &r->origin, "transition");
}

/* Parents are space-separated shas: count the words. */
static int count_words(const char *s)
{
    int n = 0, in_word = 0;
    for (; s && *s; s++) {
        int space = *s == ' ' || *s == '\t' || *s == '\n';
        n += !space && !in_word;
        in_word = !space;
    }
    return n;
}

static int sink_commit(void *ctx, const cw_commit *r)
{
    cw_warehouse *wh = ctx;
    wh_stmt_id s = S_COMMIT_UPSERT;
    int64_t author;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->repository))
        return wh_reject(wh, &r->origin, "repository", "commit without a repository");
    if (cw_str_empty(r->sha))
        return wh_reject(wh, &r->origin, "sha", "missing commit sha");
    if (r->authored_at == CW_NO_TIME)
        return wh_reject(wh, &r->origin, "authored_at", "missing author date of %s", r->sha);
    if (person_id(wh, r->author_email, r->author_name, &author) != 0)
        return -1;
    wh_bind_text(wh, s, 1, r->repository);
    wh_bind_text(wh, s, 2, r->sha);
    wh_bind_id(wh, s, 3, author);
    wh_bind_time(wh, s, 4, r->authored_at);
    wh_bind_time(wh, s, 5, r->committed_at);
    wh_bind_text(wh, s, 6, r->parents ? r->parents : "");
    wh_bind_int(wh, s, 7, count_words(r->parents));
    wh_bind_text(wh, s, 8, r->subject);
    wh_bind_text(wh, s, 9, r->body);
    wh_bind_nonneg(wh, s, 10, r->additions);
    wh_bind_nonneg(wh, s, 11, r->deletions);
    wh_bind_nonneg(wh, s, 12, r->files_changed);
    wh_bind_int(wh, s, 13, !r->no_ancestry);
    return wh_record_ends(wh, run_own(wh, s), &r->origin, "commit");
}

/* Bind the natural key (source_id, job, number) of a build as ?1..?3. */
static void bind_build_key(cw_warehouse *wh, wh_stmt_id s, int64_t src, const cw_build *r)
{
    wh_bind_int(wh, s, 1, src);
    wh_bind_text(wh, s, 2, r->job);
    wh_bind_int(wh, s, 3, r->number);
}

static int upsert_deployment(cw_warehouse *wh, int64_t src, int64_t env, const cw_build *r)
{
    wh_stmt_id s = S_DEPLOY_UPSERT;
    bind_build_key(wh, s, src, r);
    wh_bind_id(wh, s, 4, env);
    wh_bind_int(wh, s, 5, r->is_production ? 1 : 0);
    wh_bind_text(wh, s, 6, r->result);
    wh_bind_time(wh, s, 7, r->started_at);
    wh_bind_time(wh, s, 8, r->finished_at);
    wh_bind_text(wh, s, 9, r->revision);
    return wh_run(wh, s, NULL);
}

/* The build's checkouts (cw_build.revisions) as fact_build_revision rows. */
static int upsert_revisions(cw_warehouse *wh, int64_t src, const cw_build *r)
{
    int rc = CW_DB_DONE;
    for (size_t i = 0; i < r->n_revisions && rc >= 0; i++) {
        bind_build_key(wh, S_BUILD_REVISION_UPSERT, src, r);
        wh_bind_int(wh, S_BUILD_REVISION_UPSERT, 4, (int64_t)i);
        wh_bind_text(wh, S_BUILD_REVISION_UPSERT, 5, r->revisions[i].remote);
        wh_bind_text(wh, S_BUILD_REVISION_UPSERT, 6, r->revisions[i].sha);
        rc = wh_run(wh, S_BUILD_REVISION_UPSERT, NULL);
    }
    if (rc < 0)
        return rc;
    bind_build_key(wh, S_BUILD_REVISION_PRUNE, src, r);
    wh_bind_int(wh, S_BUILD_REVISION_PRUNE, 4, (int64_t)r->n_revisions);
    return wh_run(wh, S_BUILD_REVISION_PRUNE, NULL);
}

static int sink_build(void *ctx, const cw_build *r)
{
    cw_warehouse *wh = ctx;
    wh_stmt_id s = S_BUILD_UPSERT;
    int64_t src, env = 0, own;
    int rc;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->job))
        return wh_reject(wh, &r->origin, "job", "build without a job name");
    /* Only a deployment may come without its finish: its statuses bring it
     * (fact_deployment_status, resolve.sql). */
    if (r->finished_at == CW_NO_TIME && !r->is_deployment)
        return wh_reject(wh, &r->origin, "finished_at", "missing finish time of %s #%ld",
                         r->job, r->number);
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    if (!cw_str_empty(r->environment) &&
        environment_id(wh, r->environment, r->is_production, &env) != 0)
        return -1;
    bind_build_key(wh, s, src, r);
    wh_bind_text(wh, s, 4, r->result);
    wh_bind_time(wh, s, 5, r->started_at);
    wh_bind_time(wh, s, 6, r->finished_at);
    wh_bind_text(wh, s, 7, r->revision);
    wh_bind_text(wh, s, 8, r->url);
    wh_bind_int(wh, s, 9, r->is_deployment ? 1 : 0);
    wh_bind_id(wh, s, 10, env);
    rc = run_own(wh, s);
    own = wh->changes;
    if (rc >= 0)
        rc = upsert_revisions(wh, src, r);
    /* A deployment without its finish gets its fact_deployment row from
     * resolve.sql once a status gives the finish.  A build re-read as no
     * longer a deployment loses its deployment in the correlation step
     * (transform/sql/correlate.sql), once nothing derived names it. */
    if (rc >= 0 && r->is_deployment && r->finished_at != CW_NO_TIME)
        rc = upsert_deployment(wh, src, env, r);
    wh->changes = own;
    return wh_record_ends(wh, rc, &r->origin, "build");
}

static int sink_incident(void *ctx, const cw_incident *r)
{
    cw_warehouse *wh = ctx;
    wh_stmt_id s = S_INCIDENT_UPSERT;
    int64_t src;
    int rc;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->id))
        return wh_reject(wh, &r->origin, "id", "incident without an id");
    if (r->created_at == CW_NO_TIME)
        return wh_reject(wh, &r->origin, "created_at", "missing creation time of incident %s",
                         r->id);
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    /* a re-assigned incident moves to its new application (sink.sql) */
    wh_bind_int(wh, S_INCIDENT_MOVE, 1, src);
    wh_bind_text(wh, S_INCIDENT_MOVE, 2, r->id);
    wh_bind_text(wh, S_INCIDENT_MOVE, 3, r->service);
    rc = wh_run(wh, S_INCIDENT_MOVE, NULL);
    if (rc < 0)
        return wh_record_ends(wh, rc, &r->origin, "incident");
    wh_bind_int(wh, s, 1, src);
    wh_bind_text(wh, s, 2, r->id);
    wh_bind_text(wh, s, 3, r->number);
    wh_bind_text(wh, s, 4, r->title);
    wh_bind_text(wh, s, 5, r->description);
    wh_bind_text(wh, s, 6, r->service);
    wh_bind_text(wh, s, 7, r->status);
    wh_bind_text(wh, s, 8, r->severity);
    wh_bind_time(wh, s, 9, r->created_at);
    wh_bind_time(wh, s, 10, r->resolved_at);
    wh_bind_time(wh, s, 11, r->updated_at);
    wh_bind_nonneg(wh, s, 12, r->version);
    return wh_record_ends(wh, run_own(wh, s), &r->origin, "incident");
}

static int sink_pull_request(void *ctx, const cw_pull_request *r)
{
    cw_warehouse *wh = ctx;
    wh_stmt_id s = S_PULL_REQUEST_UPSERT;
    int64_t src;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->repository))
        return wh_reject(wh, &r->origin, "repository", "pull request without a repository");
    if (r->created_at == CW_NO_TIME)
        return wh_reject(wh, &r->origin, "created_at",
                         "missing creation time of pull request %s#%ld", r->repository, r->number);
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    wh_bind_int(wh, s, 1, src);
    wh_bind_text(wh, s, 2, r->repository);
    wh_bind_int(wh, s, 3, r->number);
    wh_bind_text(wh, s, 4, r->title);
    wh_bind_text(wh, s, 5, r->body);
    wh_bind_text(wh, s, 6, r->source_branch);
    wh_bind_text(wh, s, 7, r->target_branch);
    wh_bind_text(wh, s, 8, r->state);
    wh_bind_text(wh, s, 9, r->author);
    wh_bind_time(wh, s, 10, r->created_at);
    wh_bind_time(wh, s, 11, r->updated_at);
    wh_bind_time(wh, s, 12, r->closed_at);
    wh_bind_time(wh, s, 13, r->merged_at);
    wh_bind_text(wh, s, 14, r->merge_commit_sha);
    wh_bind_text(wh, s, 15, r->squash_commit_sha);
    return wh_record_ends(wh, run_own(wh, s), &r->origin, "pull request");
}

/* The repository and number every pull request part names: 0, or the
 * reject's result when one is missing. */
static int pull_part_checks(cw_warehouse *wh, const cw_origin *o, const char *repository,
                            long number, const char *what, int *rc)
{
    if (cw_str_empty(repository)) {
        *rc = wh_reject(wh, o, "repository", "%s without a repository", what);
        return -1;
    }
    if (number <= 0) {
        *rc = wh_reject(wh, o, "number", "%s of %s without a pull request number", what,
                        repository);
        return -1;
    }
    return 0;
}

static int sink_pull_request_commit(void *ctx, const cw_pull_request_commit *r)
{
    cw_warehouse *wh = ctx;
    wh_stmt_id s = S_PULL_REQUEST_COMMIT_UPSERT;
    int64_t src;
    int rc;

    if (record_begins(wh) != 0)
        return -1;
    if (pull_part_checks(wh, &r->origin, r->repository, r->number, "pull request commit",
                         &rc) != 0)
        return rc;
    if (cw_str_empty(r->sha))
        return wh_reject(wh, &r->origin, "sha", "commit of %s#%ld without a sha", r->repository,
                         r->number);
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    wh_bind_int(wh, s, 1, src);
    wh_bind_text(wh, s, 2, r->repository);
    wh_bind_int(wh, s, 3, r->number);
    wh_bind_text(wh, s, 4, r->sha);
    wh_bind_time(wh, s, 5, r->authored_at);
    return wh_record_ends(wh, run_own(wh, s), &r->origin, "pull request commit");
}

static int sink_pull_request_review(void *ctx, const cw_pull_request_review *r)
{
    cw_warehouse *wh = ctx;
    wh_stmt_id s = S_PULL_REQUEST_REVIEW_UPSERT;
    int64_t src;
    int rc;

    if (record_begins(wh) != 0)
        return -1;
    if (pull_part_checks(wh, &r->origin, r->repository, r->number, "pull request review",
                         &rc) != 0)
        return rc;
    if (r->submitted_at == CW_NO_TIME)
        return wh_reject(wh, &r->origin, "submitted_at", "review %lld of %s#%ld without a time",
                         (long long)r->review_id, r->repository, r->number);
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    wh_bind_int(wh, s, 1, src);
    wh_bind_text(wh, s, 2, r->repository);
    wh_bind_int(wh, s, 3, r->number);
    wh_bind_int(wh, s, 4, r->review_id);
    wh_bind_text(wh, s, 5, r->reviewer);
    wh_bind_text(wh, s, 6, r->state);
    wh_bind_time(wh, s, 7, r->submitted_at);
    return wh_record_ends(wh, run_own(wh, s), &r->origin, "pull request review");
}

static int sink_deployment_status(void *ctx, const cw_deployment_status *r)
{
    cw_warehouse *wh = ctx;
    wh_stmt_id s = S_DEPLOY_STATUS_UPSERT;
    int64_t src;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->job))
        return wh_reject(wh, &r->origin, "job", "deployment status without a deployment");
    if (cw_str_empty(r->state))
        return wh_reject(wh, &r->origin, "state", "deployment status without a state");
    if (r->created_at == CW_NO_TIME)
        return wh_reject(wh, &r->origin, "created_at", "missing time of a status of %s #%ld",
                         r->job, r->number);
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    wh_bind_int(wh, s, 1, src);
    wh_bind_text(wh, s, 2, r->job);
    wh_bind_int(wh, s, 3, r->number);
    wh_bind_int(wh, s, 4, r->status_id);
    wh_bind_text(wh, s, 5, r->state);
    wh_bind_time(wh, s, 6, r->created_at);
    return wh_record_ends(wh, run_own(wh, s), &r->origin, "deployment status");
}

static int sink_status_def(void *ctx, const cw_status_def *r)
{
    cw_warehouse *wh = ctx;
    wh_stmt_id s = S_SOURCE_STATUS_UPSERT;
    int64_t src;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->id))
        return wh_reject(wh, &r->origin, "id", "status without an id");
    if (cw_str_empty(r->name))
        return wh_reject(wh, &r->origin, "name", "status %s without a name", r->id);
    if (cw_str_empty(r->category))
        return wh_reject(wh, &r->origin, "statusCategory", "status %s without a category",
                         r->id);
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    wh_bind_int(wh, s, 1, src);
    wh_bind_text(wh, s, 2, r->id);
    wh_bind_text(wh, s, 3, r->name);
    wh_bind_text(wh, s, 4, r->category);
    return wh_record_ends(wh, run_own(wh, s), &r->origin, "status");
}

/* A finding a parser made about a file (core/record.h): not a record, so
 * not counted; one of the loader's kinds, which correlation leaves alone. */
static int sink_finding(void *ctx, const cw_finding *r)
{
    return cw_wh_finding(ctx, r->kind, r->subject, r->detail);
}

/* A KPI of an application the configuration does not name (yet) is
 * rejected, and its file read again next run (a deferred reject, as for a
 * transition of an unknown item): adding the application then loads it. */
static int sink_kpi(void *ctx, const cw_kpi *r)
{
    cw_warehouse *wh = ctx;
    int64_t src, app = 0;
    int rc;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->application) || cw_str_empty(r->name) || r->at == CW_NO_TIME)
        return wh_reject(wh, &r->origin, cw_str_empty(r->name) ? "name" : "application",
                         "KPI without an application, a name or an instant");
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    wh_bind_text(wh, S_KPI_APPLICATION, 1, r->application);
    rc = wh_run(wh, S_KPI_APPLICATION, &app);
    if (rc == CW_DB_DONE) {
        wh_bind_text(wh, S_FILE_DEFER, 1, r->origin.source);
        wh_bind_text(wh, S_FILE_DEFER, 2, r->origin.file);
        if (wh_run_ok(wh, S_FILE_DEFER, "deferring a file") != 0)
            return -1;
        return wh_reject(wh, &r->origin, "application", "no application named '%s' in the "
                         "configuration", r->application);
    }
    if (rc != CW_DB_ROW)
        return wh_fail(wh, "looking up an application");
    wh_bind_int(wh, S_KPI_UPSERT, 1, app);
    wh_bind_text(wh, S_KPI_UPSERT, 2, r->name);
    wh_bind_time(wh, S_KPI_UPSERT, 3, r->at);
    wh_bind_real(wh, S_KPI_UPSERT, 4, r->value);
    wh_bind_int(wh, S_KPI_UPSERT, 5, src);
    return wh_record_ends(wh, run_own(wh, S_KPI_UPSERT), &r->origin, "KPI");
}

/* A release (core/record.h): upserted by (project, name). */
static int sink_release(void *ctx, const cw_release *r)
{
    cw_warehouse *wh = ctx;
    wh_stmt_id s = S_RELEASE_UPSERT;
    int64_t src;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->project))
        return wh_reject(wh, &r->origin, "project", "release without a project");
    if (cw_str_empty(r->name))
        return wh_reject(wh, &r->origin, "name", "release without a name");
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    wh_bind_text(wh, s, 1, r->project);
    wh_bind_text(wh, s, 2, r->name);
    wh_bind_text(wh, s, 3, r->external_id);
    wh_bind_int(wh, s, 4, src);
    wh_bind_time(wh, s, 5, r->start_at);
    wh_bind_time(wh, s, 6, r->release_at);
    wh_bind_int(wh, s, 7, r->released ? 1 : 0);
    wh_bind_int(wh, s, 8, r->archived ? 1 : 0);
    return wh_record_ends(wh, run_own(wh, s), &r->origin, "release");
}

/* A Fix Version change: always staged, attached to its item after the
 * whole batch is parsed (resolve.c), so the order of files does not matter
 * and no lookup runs per record.  Counted as loaded once attached. */
static int sink_version_change(void *ctx, const cw_version_change *r)
{
    cw_warehouse *wh = ctx;
    wh_stmt_id s = S_VERSION_STAGE;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->item_key) && cw_str_empty(r->item_id))
        return wh_reject(wh, &r->origin, "item_key", "fix version change names no work item");
    if (cw_str_empty(r->version))
        return wh_reject(wh, &r->origin, "version", "fix version change without a version");
    if (r->at == CW_NO_TIME)
        return wh_reject(wh, &r->origin, "at", "missing fix version change time");
    wh_bind_text(wh, s, 1, r->origin.source ? r->origin.source : "");
    wh_bind_text(wh, s, 2, r->origin.file ? r->origin.file : "");
    wh_bind_int(wh, s, 3, r->origin.record);
    wh_bind_text(wh, s, 4, cw_str_empty(r->item_key) ? NULL : r->item_key);
    wh_bind_text(wh, s, 5, cw_str_empty(r->item_id) ? NULL : r->item_id);
    wh_bind_time(wh, s, 6, r->at);
    wh_bind_text(wh, s, 7, r->history_id);
    wh_bind_text(wh, s, 8, r->version);
    wh_bind_text(wh, s, 9, cw_str_empty(r->version_id) ? NULL : r->version_id);
    wh_bind_text(wh, s, 10, r->added ? "add" : "remove");
    return wh_run_ok(wh, s, "staging a fix version change");
}

/* ------------------------------------------------------------------ the sink */

void wh_sink_init(cw_warehouse *wh)
{
    wh->sink = (cw_sink){ wh, sink_work_item, sink_transition, sink_commit,
                          sink_build, sink_incident, sink_reject,
                          sink_pull_request, sink_deployment_status, sink_status_def,
                          sink_finding, sink_kpi, sink_release, sink_version_change,
                          sink_pull_request_commit, sink_pull_request_review,
                          sink_work_item_link };
    wh->sources = cw_strmap_new();
    wh->persons = cw_strmap_new();
    wh->items = cw_strmap_new();
    wh->items_external = cw_strmap_new();
    wh->environments = cw_strmap_new();
}

void wh_sink_free(cw_warehouse *wh)
{
    cw_strmap_free(wh->sources);
    cw_strmap_free(wh->persons);
    cw_strmap_free(wh->items);
    cw_strmap_free(wh->items_external);
    cw_strmap_free(wh->environments);
}
