/*
 * rebuild.c - a warehouse made again from the landing zone (rebuild.h).
 */
#include "rebuild.h"
#include "pipeline.h"
#include "retention.h"
#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"
#include "../extract/landing.h"
#include "../load/warehouse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The schema a PostgreSQL rebuild is built in before the swap, and the name
 * the replaced one has for the instant before it is dropped. */
#define PG_ASIDE "catwalk_rebuild"
#define PG_REPLACED "catwalk_replaced"

static const char *const NEWEST_BATCH = "SELECT COALESCE(MAX(batch_id), 0) FROM batch";

/* forecast_history by the release's natural key (it is not derivable from
 * any input: each night's forecasts were made then), the critical
 * dependency's too.  The columns after made_at are copied as they are
 * (NULL stays NULL): copy_row reads them in HISTORY_WRITE's order. */
static const char *const HISTORY_READ =
    "SELECT r.project, r.name, h.made_at, h.p50_at, h.p85_at, h.p95_at, h.remaining,"
    " h.items_by_planned_85, h.at_risk, c.project, c.name, h.reason FROM forecast_history h"
    " JOIN dim_release r ON r.release_id = h.release_id"
    " LEFT JOIN dim_release c ON c.release_id = h.critical_release_id"
    " ORDER BY r.project, r.name, h.made_at";
static const char *const HISTORY_WRITE =
    "INSERT INTO forecast_history (release_id, made_at, p50_at, p85_at, p95_at, remaining,"
    " items_by_planned_85, at_risk, critical_release_id, reason)"
    " SELECT release_id, CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT),"
    " CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT),"
    " (SELECT c.release_id FROM dim_release c WHERE c.project = ? AND c.name = ?),"
    " CAST(? AS TEXT)"
    " FROM dim_release WHERE project = ? AND name = ?";

typedef struct rebuild {
    const cw_config *cfg;
    const cw_rebuild_options *o;
    cw_rebuild_result *r;
    cw_db_target configured;
    cw_db *original;            /* the configured warehouse read-only, or NULL */
    int64_t newest;             /* its newest batch when the rebuild began */
    char *build_uri;            /* where the batches are replayed */
    char *live_schema;          /* PostgreSQL replace: the configured schema */
    int created;                /* build_uri is the rebuild's own: removed on failure */
} rebuild;

static int open_plain(const rebuild *b, const char *uri, cw_db_mode mode, cw_db **out)
{
    cw_db_target t = b->configured;
    char err[512];
    t.uri = uri;
    if (cw_db_open(&t, mode, out, err, sizeof err) == CW_DB_OK)
        return 0;
    cw_error("rebuild: %s", err);
    return -1;
}

/* ------------------------------------------------------------ where it goes */

static void remove_sqlite(const char *path)
{
    const char *suffix[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffix / sizeof *suffix; i++) {
        char *p = cw_asprintf("%s%s", path, suffix[i]);
        unlink(p);
        free(p);
    }
}

/* catwalk.db -> catwalk-rebuilt-20261204T064300Z.db, beside it. */
static char *default_target(const char *configured)
{
    char stamp[32];
    size_t len = strlen(configured);
    struct tm tm;
    time_t now = (time_t)cw_now();
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    if (len > 3 && strcmp(configured + len - 3, ".db") == 0)
        len -= 3;
    return cw_asprintf("%.*s-rebuilt-%s.db", (int)len, configured, stamp);
}

/* A PostgreSQL URI whose connections work in schema (libpq's options). */
static char *schema_uri(const char *uri, const char *schema)
{
    return cw_asprintf("%s%coptions=-csearch_path%%3D%s", uri, strchr(uri, '?') ? '&' : '?',
                       schema);
}

/* A PostgreSQL database given by --into must hold no warehouse yet. */
static int pg_empty(const rebuild *b, const char *uri)
{
    cw_db *db;
    int64_t n = -1;
    if (open_plain(b, uri, CW_DB_READ_WRITE, &db) != 0)
        return -1;
    cw_db_query_int(db, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema ="
                        " current_schema() AND table_name = 'batch'", &n);
    cw_db_close(db);
    if (n != 0)
        cw_error("rebuild: %s already holds a warehouse: a rebuild never overwrites one "
                 "(--replace swaps it into the configured warehouse)", uri);
    return n == 0 ? 0 : -1;
}

/* PostgreSQL replace: the configured schema's name, and an empty schema
 * aside (a leftover of a rebuild that failed is dropped: it is ours). */
static int pg_aside(rebuild *b)
{
    cw_db *db;
    cw_stmt *st = NULL;
    int rc = -1;
    if (open_plain(b, b->configured.uri, CW_DB_READ_WRITE, &db) != 0)
        return -1;
    if (cw_db_prepare(db, "SELECT current_schema()", &st) == CW_DB_OK &&
        cw_db_step(st) == CW_DB_ROW && cw_db_column_text(st, 0))
        b->live_schema = cw_strdup(cw_db_column_text(st, 0));
    cw_db_finalize(st);
    if (!b->live_schema || strchr(b->live_schema, '"'))
        cw_error("rebuild: %s: cannot tell the warehouse's schema", b->configured.uri);
    else if (cw_db_exec(db, "DROP SCHEMA IF EXISTS " PG_ASIDE " CASCADE; CREATE SCHEMA " PG_ASIDE)
             != CW_DB_OK)
        cw_error("rebuild: %s: %s", b->configured.uri, cw_db_errmsg(db));
    else
        rc = 0;
    cw_db_close(db);
    return rc;
}

/* Decide build_uri and r->target.  0, -1 (failed) or 2 (usage). */
static int choose_target(rebuild *b)
{
    const char *conf = b->configured.uri;
    int pg = cw_db_is_uri(conf);
    if (b->o->replace) {
        b->r->target = cw_strdup(conf);
        if (pg) {
            b->build_uri = schema_uri(conf, PG_ASIDE);
            return pg_aside(b);
        }
        b->build_uri = cw_asprintf("%s.rebuilding", conf);
        remove_sqlite(b->build_uri);    /* a failed rebuild's leftover */
        return 0;
    }
    if (!b->o->into && pg) {
        cw_error("rebuild: the warehouse is a PostgreSQL database: give --into URI (an empty "
                 "database or schema) or --replace");
        return 2;
    }
    b->build_uri = b->o->into ? cw_strdup(b->o->into) : default_target(conf);
    b->r->target = cw_strdup(b->build_uri);
    if (cw_db_is_uri(b->build_uri))
        return pg_empty(b, b->build_uri);
    if (strcmp(b->build_uri, conf) == 0 || access(b->build_uri, F_OK) == 0) {
        cw_error("rebuild: %s exists: a rebuild never overwrites a warehouse (--replace "
                 "builds aside and swaps into the configured one)", b->build_uri);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ the configured warehouse */

/* Read-only, when it exists and this catwalk reads its schema. */
static void open_original(rebuild *b)
{
    const char *uri = b->configured.uri;
    if (!cw_db_is_uri(uri) && access(uri, F_OK) != 0) {
        cw_info("rebuild: %s does not exist: every landed folder is replayed", uri);
        return;
    }
    if (cw_wh_open_reader(&b->configured, &b->original) != 0) {
        cw_warn("rebuild: %s cannot be read: every landed folder is replayed, and "
                "forecast_history is not copied", uri);
        b->original = NULL;
        return;
    }
    if (cw_db_query_int(b->original, NEWEST_BATCH, &b->newest) != 0)
        b->newest = 0;
}

/* 1 when the configured warehouse loaded files of the folder, 0 if not,
 * 1 too when it cannot tell (no warehouse: every folder is replayed). */
static int loaded_by_original(const rebuild *b, const char *name)
{
    char *pattern = cw_asprintf("%%/%s/%%", name);  /* names are [0-9TZ-]: no wildcard */
    cw_stmt *st = NULL;
    int known = 1;
    if (b->original &&
        cw_db_prepare(b->original, "SELECT COUNT(*) FROM landed_file WHERE landed_path LIKE ?",
                      &st) == CW_DB_OK &&
        cw_db_bind_str(st, 1, pattern) == CW_DB_OK && cw_db_step(st) == CW_DB_ROW)
        known = cw_db_column_int(st, 0) > 0;
    cw_db_finalize(st);
    free(pattern);
    return known;
}

/* ------------------------------------------------------------ replay */

static int replay(rebuild *b, const char *dir)
{
    cw_pipeline_options po = {0};
    cw_pipeline_result pr;
    int status;
    po.mode = CW_PIPELINE_LOAD;
    po.no_report = 1;
    po.jobs = b->o->jobs;
    po.replay = dir;
    po.warehouse = b->build_uri;
    status = cw_pipeline_run(b->cfg, &po, &pr);
    cw_pipeline_result_free(&pr);
    if (status == CW_PIPELINE_PARTIAL)
        b->r->partial++;
    return status == CW_PIPELINE_OK || status == CW_PIPELINE_PARTIAL ? 0 : -1;
}

/* Every folder after the checkpoint (all without one), oldest first. */
static int replay_all(rebuild *b)
{
    cw_strlist names = {0};
    const char *after = b->r->checkpoint;
    int rc = cw_landing_batches(b->cfg->landing, &names);
    if (rc != 0)
        cw_error("rebuild: cannot read the landing zone %s: %s", b->cfg->landing, strerror(errno));
    for (size_t i = 0; rc == 0 && i < names.n; i++) {
        char *dir;
        if (after && strcmp(names.items[i], after) <= 0)
            continue;
        if (!loaded_by_original(b, names.items[i])) {
            cw_info("rebuild: %s passed over: %s never loaded it", names.items[i],
                    b->configured.uri);
            b->r->passed_over++;
            continue;
        }
        dir = cw_asprintf("%s/%s", b->cfg->landing, names.items[i]);
        cw_info("rebuild: replaying %s", dir);
        rc = replay(b, dir);
        if (rc == 0)
            b->r->batches++;
        free(dir);
    }
    cw_strlist_free(&names);
    return rc;
}

/* ------------------------------------------------------------ what no input holds */

/* One value of `from`, as it is (NULL or integer or text), into `to`. */
static int copy_value(cw_stmt *from, int col, cw_stmt *to, int param)
{
    switch (cw_db_column_type(from, col)) {
    case CW_DB_NULL:
        return cw_db_bind_null(to, param);
    case CW_DB_INT:
        return cw_db_bind_int(to, param, cw_db_column_int(from, col));
    default:
        return cw_db_bind_str(to, param, cw_db_column_text(from, col));
    }
}

static int copy_row(cw_stmt *from, cw_stmt *to)
{
    int rc = CW_DB_OK;
    /* made_at .. reason (columns 2-11) are parameters 1-10; the release's
     * natural key (columns 0, 1) the last two */
    for (int i = 0; i < 10 && rc == CW_DB_OK; i++)
        rc = copy_value(from, i + 2, to, i + 1);
    for (int i = 0; i < 2 && rc == CW_DB_OK; i++)
        rc = copy_value(from, i, to, i + 11);
    if (rc == CW_DB_OK && (rc = cw_db_step(to)) == CW_DB_DONE)
        rc = cw_db_reset(to);
    return rc;
}

/* forecast_history of the configured warehouse, in place of whatever the
 * replayed nights wrote (made now, not then). */
static int copy_history(rebuild *b)
{
    cw_db *db;
    cw_stmt *from = NULL, *to = NULL;
    int rc;
    long rows = 0;
    if (!b->original)
        return 0;
    if (open_plain(b, b->build_uri, CW_DB_READ_WRITE, &db) != 0)
        return -1;
    rc = cw_db_begin(db);
    if (rc == CW_DB_OK)
        rc = cw_db_exec(db, "DELETE FROM forecast_history");
    if (rc == CW_DB_OK)
        rc = cw_db_prepare(b->original, HISTORY_READ, &from);
    if (rc == CW_DB_OK)
        rc = cw_db_prepare(db, HISTORY_WRITE, &to);
    while (rc == CW_DB_OK && (rc = cw_db_step(from)) == CW_DB_ROW) {
        rc = copy_row(from, to);
        rows++;
    }
    if (rc == CW_DB_DONE)
        rc = cw_db_commit(db);
    if (rc != CW_DB_OK)
        cw_error("rebuild: copying forecast_history: %s", cw_db_errmsg(db));
    else
        cw_info("rebuild: %ld forecast_history row(s) copied from %s", rows, b->configured.uri);
    cw_db_finalize(from);
    cw_db_finalize(to);
    if (rc != CW_DB_OK)
        cw_db_rollback(db);
    cw_db_close(db);
    return rc == CW_DB_OK ? 0 : -1;
}

/* ------------------------------------------------------------ the swap */

/* 0 when no run committed a batch since the rebuild began. */
static int unchanged(const rebuild *b, cw_db *db)
{
    int64_t newest = 0;
    if (cw_db_query_int(db, NEWEST_BATCH, &newest) != 0)
        return -1;
    if (newest == b->newest)
        return 0;
    cw_error("rebuild: a run committed batch %lld while the rebuild went on: the warehouse is "
             "left as it is; rebuild again", (long long)newest);
    return -1;
}

static int swap_pg(rebuild *b)
{
    cw_db *db;
    char *sql;
    int rc = -1;
    if (open_plain(b, b->configured.uri, CW_DB_READ_WRITE, &db) != 0)
        return -1;
    sql = cw_asprintf("ALTER SCHEMA \"%s\" RENAME TO " PG_REPLACED "; ALTER SCHEMA " PG_ASIDE
                      " RENAME TO \"%s\"", b->live_schema, b->live_schema);
    /* the writer lock: no batch commits between the check and the renames */
    if (cw_db_begin(db) != CW_DB_OK || unchanged(b, db) != 0 || cw_db_exec(db, sql) != CW_DB_OK ||
        cw_db_commit(db) != CW_DB_OK) {
        cw_error("rebuild: %s: swapping the rebuilt schema in: %s", b->configured.uri,
                 cw_db_errmsg(db));
        cw_db_rollback(db);
    } else if (cw_db_exec(db, "DROP SCHEMA " PG_REPLACED " CASCADE") != CW_DB_OK) {
        cw_warn("rebuild: the replaced schema " PG_REPLACED " could not be dropped: %s",
                cw_db_errmsg(db));
        rc = 0;
    } else {
        rc = 0;
    }
    free(sql);
    cw_db_close(db);
    return rc;
}

static int swap_sqlite(rebuild *b)
{
    char err[512];
    if (b->original && unchanged(b, b->original) != 0)
        return -1;
    cw_db_close(b->original);
    b->original = NULL;
    if (access(b->configured.uri, F_OK) != 0) {
        /* nothing to swap with (the warehouse was lost): the rebuilt file
         * takes its place; the link never exists half-written */
        if (link(b->build_uri, b->configured.uri) != 0) {
            cw_error("rebuild: cannot create %s: %s", b->configured.uri, strerror(errno));
            return -1;
        }
        remove_sqlite(b->build_uri);
        return 0;
    }
    if (cw_db_sqlite_restore(b->configured.uri, b->build_uri, err, sizeof err) != CW_DB_OK) {
        cw_error("rebuild: %s", err);
        return -1;
    }
    remove_sqlite(b->build_uri);
    return 0;
}

/* A failed rebuild leaves nothing of its own behind. */
static void discard(rebuild *b)
{
    cw_db *db;
    if (!b->created)
        return;
    if (!cw_db_is_uri(b->build_uri)) {
        remove_sqlite(b->build_uri);
    } else if (b->o->replace && open_plain(b, b->configured.uri, CW_DB_READ_WRITE, &db) == 0) {
        cw_db_exec(db, "DROP SCHEMA IF EXISTS " PG_ASIDE " CASCADE");
        cw_db_close(db);
    }
}

/* ------------------------------------------------------------ the entry point */

int cw_rebuild(const cw_config *cfg, const cw_rebuild_options *o, cw_rebuild_result *r)
{
    rebuild b = {cfg, o, r, cw_wh_target(cfg), NULL, 0, NULL, NULL, 0};
    int rc;
    memset(r, 0, sizeof *r);
    open_original(&b);
    rc = choose_target(&b);
    b.created = rc == 0;
    if (rc == 0 && cw_retention_checkpoint(cfg, &r->checkpoint) != 0)
        rc = -1;
    if (rc == 0 && r->checkpoint)
        rc = cw_retention_restore(cfg, r->checkpoint, b.build_uri);
    if (rc == 0)
        rc = replay_all(&b);
    if (rc == 0 && b.r->batches == 0 && !r->checkpoint) {
        cw_error("rebuild: the landing zone %s holds no batch to replay", cfg->landing);
        rc = -1;
    }
    if (rc == 0)
        rc = copy_history(&b);
    if (rc == 0 && o->replace)
        rc = cw_db_is_uri(b.configured.uri) ? swap_pg(&b) : swap_sqlite(&b);
    if (rc == -1)
        discard(&b);
    cw_db_close(b.original);
    free(b.build_uri);
    free(b.live_schema);
    return rc == 0 ? 0 : rc == 2 ? 2 : 1;
}

void cw_rebuild_result_free(cw_rebuild_result *r)
{
    free(r->target);
    free((char *)r->checkpoint);
    memset(r, 0, sizeof *r);
}
