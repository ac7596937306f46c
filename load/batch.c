/*
 * batch.c - the batch transaction, the landed-file ledger, the extraction
 * audit and the small calls around a batch (see warehouse.h).
 *
 * A batch is one transaction opened with cw_db_begin, which also takes the
 * single-writer lock (BEGIN IMMEDIATE on SQLite, an advisory lock on
 * PostgreSQL): a second run is refused with a message rather than
 * interleaving its writes.  An older schema is upgraded inside this same
 * transaction (warehouse.c), so a failed batch leaves the warehouse at its
 * old version too.  The SQL is load/sql/batch.sql.
 */
#include "wh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/embedded.h"
#include "../core/killpoint.h"
#include "../core/log.h"
#include "../core/sqlset.h"
#include "../core/util.h"

/* ------------------------------------------------------------------ batches */

int cw_wh_batch_begin(cw_warehouse *wh, const char *config_path, int64_t *batch_id)
{
    int rc;
    if (wh->in_batch) {
        cw_error("%s: a batch is already open", wh->where);
        return -1;
    }
    rc = cw_db_begin(wh->db);
    if (rc == CW_DB_BUSY) {
        cw_error("%s: another catwalk run holds the warehouse; try again when it has finished",
                 wh->where);
        return -1;
    }
    if (rc != CW_DB_OK)
        return wh_fail(wh, "starting the batch");
    if (wh_schema_upgrade(wh) != 0) {
        cw_db_rollback(wh->db);
        return -1;
    }
    wh_bind_int(wh, S_BATCH_INSERT, 1, (int64_t)time(NULL));
    wh_bind_text(wh, S_BATCH_INSERT, 2, config_path);
    if (wh_run(wh, S_BATCH_INSERT, &wh->batch_id) != CW_DB_ROW) {
        wh_fail(wh, "writing the batch row");
        cw_db_rollback(wh->db);
        return -1;
    }
    wh->in_batch = 1;
    wh->failed = 0;
    memset(&wh->stats, 0, sizeof(wh->stats));
    if (batch_id)
        *batch_id = wh->batch_id;
    return 0;
}

int cw_wh_batch_commit(cw_warehouse *wh, const char *status, const char *sources_failed)
{
    wh_stmt_id s = S_BATCH_FINISH;
    if (!wh->in_batch) {
        cw_error("%s: no open batch to commit", wh->where);
        return -1;
    }
    wh_flush_reject_log(wh);
    if (wh->failed) {
        cw_error("%s: a write of this batch failed: it is rolled back", wh->where);
        goto fail;
    }
    if (wh_stage_flush(wh) != 0)
        goto fail;
    wh_bind_int(wh, s, 1, wh->batch_id);
    wh_bind_int(wh, s, 2, (int64_t)time(NULL));
    wh_bind_text(wh, s, 3, status ? status : "ok");
    wh_bind_int(wh, s, 4, wh->stats.files_landed);
    wh_bind_int(wh, s, 5, wh->stats.files_skipped);
    wh_bind_int(wh, s, 6, wh->stats.rows_read);
    wh_bind_int(wh, s, 7, wh->stats.rows_loaded);
    wh_bind_int(wh, s, 8, wh->stats.rows_rejected);
    wh_bind_text(wh, s, 9, cw_str_empty(sources_failed) ? NULL : sources_failed);
    wh_bind_int(wh, s, 10, wh->stats.rows_changed);
    cw_killpoint("commit");
    if (wh_run_ok(wh, s, "finishing the batch row") != 0)
        goto fail;
    if (cw_db_commit(wh->db) != CW_DB_OK) {
        wh_fail(wh, "committing the batch");
        goto fail;
    }
    wh->in_batch = 0;
    wh->tracking = 0;
    return 0;
fail:
    cw_wh_batch_rollback(wh);
    return -1;
}

void cw_wh_batch_rollback(cw_warehouse *wh)
{
    wh_flush_reject_log(wh);
    wh_stage_discard(wh);
    if (cw_db_rollback(wh->db) != CW_DB_OK)
        wh_fail(wh, "rolling back the batch");
    wh->in_batch = 0;
    wh->tracking = 0;
    /* ids cached during the batch may name rows that no longer exist */
    wh_caches_clear(wh);
}

int cw_wh_batch_status(cw_warehouse *wh, int64_t batch_id, const char *status)
{
    wh_bind_int(wh, S_BATCH_STATUS, 1, batch_id);
    wh_bind_text(wh, S_BATCH_STATUS, 2, status);
    return wh_run_ok(wh, S_BATCH_STATUS, "recording the batch status");
}

/* ------------------------------------------------------------------ landed files */

/* Run a ledger lookup, its parameters bound: 1 when it found the file
 * (counted as skipped: the caller skips what was seen), 0 when not, -1. */
static int ledger_hit(cw_warehouse *wh, wh_stmt_id s)
{
    int rc = wh_run(wh, s, NULL);
    if (rc < 0)
        return wh_fail(wh, "looking up a landed file");
    if (rc == CW_DB_ROW)
        wh->stats.files_skipped++;
    return rc == CW_DB_ROW;
}

int cw_wh_file_seen(cw_warehouse *wh, const char *source, const char *sha256)
{
    wh_bind_text(wh, S_FILE_SEEN, 1, source);
    wh_bind_text(wh, S_FILE_SEEN, 2, sha256);
    return ledger_hit(wh, S_FILE_SEEN);
}

int cw_wh_file_landed(cw_warehouse *wh, const char *source, const char *original_path,
                      const char *landed_path, const char *sha256, int64_t bytes, int64_t *id)
{
    wh_stmt_id s = S_FILE_LANDED;
    int64_t row = 0;
    if (!wh->in_batch) {
        cw_error("%s: no open batch to land %s in", wh->where, original_path);
        return -1;
    }
    wh_bind_int(wh, s, 1, wh->batch_id);
    wh_bind_text(wh, s, 2, source);
    wh_bind_text(wh, s, 3, original_path);
    wh_bind_text(wh, s, 4, landed_path);
    wh_bind_text(wh, s, 5, sha256);
    wh_bind_int(wh, s, 6, bytes);
    if (wh_run(wh, s, &row) != CW_DB_ROW)
        return wh_fail(wh, original_path);
    wh->stats.files_landed++;
    if (id)
        *id = row;
    return 0;
}

/* ?1 source, ?2 original path, ?4 its mtime: the original of a ledger row. */
static void bind_original(cw_warehouse *wh, wh_stmt_id s, const char *source,
                          const char *original_path, int64_t mtime_ns)
{
    wh_bind_text(wh, s, 1, source);
    wh_bind_text(wh, s, 2, original_path);
    wh_bind_int(wh, s, 4, mtime_ns);
}

int cw_wh_file_known(cw_warehouse *wh, const char *source, const char *original_path,
                     int64_t bytes, int64_t mtime_ns)
{
    if (mtime_ns == 0)
        return 0;
    bind_original(wh, S_FILE_KNOWN, source, original_path, mtime_ns);
    wh_bind_int(wh, S_FILE_KNOWN, 3, bytes);
    return ledger_hit(wh, S_FILE_KNOWN);
}

int cw_wh_file_mtime(cw_warehouse *wh, const char *source, const char *sha256,
                     const char *original_path, int64_t mtime_ns)
{
    if (mtime_ns == 0)
        return 0;
    bind_original(wh, S_FILE_MTIME, source, original_path, mtime_ns);
    wh_bind_text(wh, S_FILE_MTIME, 3, sha256);
    return wh_run_ok(wh, S_FILE_MTIME, "recording a file's modification time");
}

int cw_wh_derived_by(cw_warehouse *wh, char **fingerprint)
{
    cw_stmt *st = wh_stmt(wh, S_DERIVED_GET);
    int rc = st ? cw_db_step(st) : CW_DB_ERROR;
    *fingerprint = NULL;
    if (rc == CW_DB_ROW && cw_db_column_text(st, 0))
        *fingerprint = cw_strdup(cw_db_column_text(st, 0));
    if (rc < 0 && st)
        snprintf(wh->err, sizeof(wh->err), "%s", cw_db_errmsg(wh->db));
    if (st)
        cw_db_reset(st);
    return rc < 0 ? wh_fail(wh, "reading the derivation's fingerprint") : 0;
}

int cw_wh_batch_derived(cw_warehouse *wh, const char *fingerprint)
{
    wh_bind_int(wh, S_DERIVED_SET, 1, wh->batch_id);
    wh_bind_text(wh, S_DERIVED_SET, 2, fingerprint);
    return wh_run_ok(wh, S_DERIVED_SET, "recording the derivation's fingerprint");
}

int cw_wh_track(cw_warehouse *wh, int on)
{
    char path[64];
    cw_sqlset *set = cw_sqlset_new();
    int rc;
    snprintf(path, sizeof(path), "load/sql/%s/track.sql", cw_db_dialect(wh->db));
    rc = cw_sqlset_load(set, path) == 0
             ? wh_exec(wh, cw_sqlset_get(set, on ? "track_on" : "track_off"), path)
             : -1;
    cw_sqlset_free(set);
    if (rc == 0)
        wh->tracking = on;
    return rc;
}

int cw_wh_analyze(cw_warehouse *wh)
{
    char path[64];
    cw_sqlset *set;
    int rc;
    snprintf(path, sizeof(path), "load/sql/%s/analyze.sql", cw_db_dialect(wh->db));
    if (!cw_embedded_get(path))
        return 0;
    set = cw_sqlset_new();
    rc = cw_sqlset_load(set, path) == 0 ? wh_exec(wh, cw_sqlset_get(set, "analyze"), path) : -1;
    cw_sqlset_free(set);
    return rc;
}

int cw_wh_file_done(cw_warehouse *wh, int64_t landed_file_id, long records, long rejects)
{
    wh_flush_reject_log(wh);
    wh_bind_int(wh, S_FILE_DONE, 1, landed_file_id);
    wh_bind_int(wh, S_FILE_DONE, 2, records);
    wh_bind_int(wh, S_FILE_DONE, 3, rejects);
    return wh_run_ok(wh, S_FILE_DONE, "recording file counts");
}

/* "%/NAME/%" with LIKE's wildcards in NAME escaped by '\'. */
static char *folder_pattern(const char *name)
{
    cw_buf b = {0};
    cw_buf_puts(&b, "%/");
    for (const char *p = name; *p; p++) {
        if (*p == '%' || *p == '_' || *p == '\\')
            cw_buf_puts(&b, "\\");
        cw_buf_append(&b, p, 1);
    }
    cw_buf_puts(&b, "/%");
    return b.data;
}

/* The folder name between slashes: landed paths are stored as the landing
 * root was spelled then, which need not be how it is spelled now.  LIKE
 * finds the candidates (it ignores case on SQLite, not on PostgreSQL);
 * strstr decides, so both engines answer the same. */
int cw_wh_landing_known(cw_warehouse *wh, const char *batch_name)
{
    char *pattern = folder_pattern(batch_name), *needle = cw_asprintf("/%s/", batch_name);
    cw_stmt *st = wh_stmt(wh, S_LANDING_PATHS);
    int rc = st ? cw_db_bind_str(st, 1, pattern) : CW_DB_ERROR, found = 0;
    while (rc == CW_DB_OK && !found && (rc = cw_db_step(st)) == CW_DB_ROW) {
        const char *path = cw_db_column_text(st, 0);
        found = path && strstr(path, needle) != NULL;
        rc = CW_DB_OK;
    }
    if (rc < 0)
        wh_fail(wh, "looking up a landing folder");
    if (st)
        cw_db_reset(st);
    free(pattern);
    free(needle);
    return rc < 0 ? -1 : found;
}

/* ------------------------------------------------------------------ audit */

int cw_wh_watermark(cw_warehouse *wh, const char *source, int64_t *newest)
{
    cw_stmt *st = wh_stmt(wh, S_WATERMARK);
    int rc = st ? cw_db_bind_str(st, 1, source) : CW_DB_ERROR;
    *newest = CW_NO_TIME;
    if (rc == CW_DB_OK)
        rc = cw_db_step(st);
    if (rc == CW_DB_ROW && cw_db_column_type(st, 0) != CW_DB_NULL)
        *newest = cw_db_column_int(st, 0);
    if (rc < 0)
        cw_error("watermark of [source %s]: %s", source, st ? cw_db_errmsg(wh->db) : wh->err);
    if (st)
        cw_db_reset(st);
    return rc < 0 ? -1 : 0;
}

int cw_wh_source_audit(cw_warehouse *wh, int64_t batch_id, const cw_source_audit *a)
{
    wh_stmt_id s = S_SOURCE_AUDIT;
    wh_bind_int(wh, s, 1, batch_id);
    wh_bind_text(wh, s, 2, a->source);
    wh_bind_text(wh, s, 3, a->mode);
    wh_bind_text(wh, s, 4, a->status);
    wh_bind_time(wh, s, 5, a->since);
    wh_bind_int(wh, s, 6, a->requests);
    wh_bind_int(wh, s, 7, a->retries);
    wh_bind_int(wh, s, 8, a->rate_limit_waits);
    wh_bind_real(wh, s, 9, a->waited_s);
    wh_bind_int(wh, s, 10, a->bytes);
    wh_bind_int(wh, s, 11, a->pages);
    wh_bind_int(wh, s, 12, a->items);
    wh_bind_int(wh, s, 13, a->files);
    wh_bind_real(wh, s, 14, a->elapsed_s);
    wh_bind_text(wh, s, 15, cw_str_empty(a->error) ? NULL : a->error);
    if (wh_run(wh, s, NULL) < 0) {
        cw_error("audit of [source %s]: %s", a->source, wh->err);
        wh->err[0] = '\0';
        return -1;
    }
    return 0;
}

int cw_wh_finding(cw_warehouse *wh, const char *kind, const char *subject, const char *detail)
{
    wh_stmt_id s = detail ? S_FINDING_UPSERT : S_FINDING_CLEAR;
    wh_bind_text(wh, s, 1, kind);
    wh_bind_text(wh, s, 2, subject);
    if (detail)
        wh_bind_text(wh, s, 3, detail);
    return wh_run_ok(wh, s, detail ? "recording a finding" : "clearing a finding");
}
