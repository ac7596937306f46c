/*
 * audit.c - extraction audit rows and watermarks (see warehouse.h).
 *
 * Kept apart from sqlite.c's hot loading path: these run once per source
 * per batch, through the public handle only.
 */
#include "warehouse.h"
#include "../core/log.h"

#include <stdio.h>

/* Every table a source writes, with the column that says how recent a row
 * is.  The newest over all of them is the source's watermark. */
static const char watermark_sql[] =
    "SELECT max(t) FROM ("
    " SELECT max(coalesce(w.updated_at, w.created_at)) AS t FROM dim_work_item w"
    "  JOIN dim_source s ON s.source_id = w.source_id WHERE s.name = ?1"
    " UNION ALL SELECT max(coalesce(i.updated_at, i.resolved_at, i.created_at)) FROM fact_incident i"
    "  JOIN dim_source s ON s.source_id = i.source_id WHERE s.name = ?1"
    " UNION ALL SELECT max(b.finished_at) FROM fact_build b"
    "  JOIN dim_source s ON s.source_id = b.source_id WHERE s.name = ?1"
    " UNION ALL SELECT max(coalesce(p.updated_at, p.created_at)) FROM fact_pull_request p"
    "  JOIN dim_source s ON s.source_id = p.source_id WHERE s.name = ?1)";

int cw_wh_watermark(cw_warehouse *wh, const char *source, int64_t *newest)
{
    sqlite3 *db = cw_wh_sqlite(wh);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, watermark_sql, -1, &st, NULL);
    *newest = CW_NO_TIME;
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
            *newest = sqlite3_column_int64(st, 0);
        rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK)
        cw_error("watermark of [source %s]: %s", source, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -1;
}

static const char audit_sql[] =
    "INSERT INTO source_run (batch_id, source, mode, status, since, requests, retries,"
    " rate_limit_waits, waited_s, bytes, pages, items, files, elapsed_s, error)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
    " ON CONFLICT (batch_id, source) DO UPDATE SET mode = excluded.mode, status = excluded.status,"
    " since = excluded.since, requests = excluded.requests, retries = excluded.retries,"
    " rate_limit_waits = excluded.rate_limit_waits, waited_s = excluded.waited_s,"
    " bytes = excluded.bytes, pages = excluded.pages, items = excluded.items,"
    " files = excluded.files, elapsed_s = excluded.elapsed_s, error = excluded.error";

int cw_wh_source_audit(cw_warehouse *wh, int64_t batch_id, const cw_source_audit *a)
{
    sqlite3 *db = cw_wh_sqlite(wh);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, audit_sql, -1, &st, NULL), i = 1;
    if (rc == SQLITE_OK) {
        sqlite3_bind_int64(st, i++, batch_id);
        sqlite3_bind_text(st, i++, a->source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, i++, a->mode, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, i++, a->status, -1, SQLITE_STATIC);
        if (a->since == CW_NO_TIME)
            sqlite3_bind_null(st, i++);
        else
            sqlite3_bind_int64(st, i++, a->since);
        sqlite3_bind_int64(st, i++, a->requests);
        sqlite3_bind_int64(st, i++, a->retries);
        sqlite3_bind_int64(st, i++, a->rate_limit_waits);
        sqlite3_bind_double(st, i++, a->waited_s);
        sqlite3_bind_int64(st, i++, a->bytes);
        sqlite3_bind_int64(st, i++, a->pages);
        sqlite3_bind_int64(st, i++, a->items);
        sqlite3_bind_int64(st, i++, a->files);
        sqlite3_bind_double(st, i++, a->elapsed_s);
        if (a->error && *a->error)
            sqlite3_bind_text(st, i++, a->error, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(st, i++);
        rc = sqlite3_step(st) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
    }
    if (rc != SQLITE_OK)
        cw_error("audit of [source %s]: %s", a->source, sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc == SQLITE_OK ? 0 : -1;
}
