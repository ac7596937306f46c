/*
 * housekeeping.c - the small warehouse calls around a batch rather than in
 * it (see warehouse.h): load-time findings, what a landing folder holds, and
 * the report's outcome written to a committed batch row.
 *
 * Like audit.c, these run a few times per batch through the public handle,
 * each one statement with bound parameters.
 */
#include "warehouse.h"
#include "../core/log.h"

/* Run one statement binding up to three texts.  Returns the first column of a row as 1/0 for queries, 0 for
 * other statements, -1 on error (logged with what). */
static int one_statement(cw_warehouse *wh, const char *sql, const char *what, const char *a,
                         const char *b, const char *c)
{
    sqlite3 *db = cw_wh_db(wh);
    sqlite3_stmt *st = NULL;
    const char *texts[3] = {a, b, c};
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    for (int i = 0; rc == SQLITE_OK && i < 3 && i < sqlite3_bind_parameter_count(st); i++)
        rc = sqlite3_bind_text(st, i + 1, texts[i], -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        rc = sqlite3_column_int(st, 0) ? 1 : 0;
    else if (rc == SQLITE_DONE)
        rc = 0;
    else {
        cw_error("warehouse: %s: %s", what, sqlite3_errmsg(db));
        rc = -1;
    }
    sqlite3_finalize(st);
    return rc;
}

int cw_wh_finding(cw_warehouse *wh, const char *kind, const char *subject, const char *detail)
{
    if (!detail)
        return one_statement(wh, "DELETE FROM finding WHERE kind = ?1 AND subject = ?2",
                             "clearing a finding", kind, subject, NULL);
    return one_statement(wh, "INSERT INTO finding (kind, subject, detail) VALUES (?1, ?2, ?3)"
                             " ON CONFLICT (kind, subject) DO UPDATE SET detail = excluded.detail"
                             " WHERE finding.detail IS NOT excluded.detail",
                         "recording a finding", kind, subject, detail);
}

/* The folder name between slashes: landed paths are stored as the landing
 * root was spelled then, which need not be how it is spelled now. */
int cw_wh_landing_known(cw_warehouse *wh, const char *batch_name)
{
    return one_statement(wh, "SELECT EXISTS (SELECT 1 FROM landed_file"
                             " WHERE instr(landed_path, '/' || ?1 || '/') > 0)",
                         "looking up a landing folder", batch_name, NULL, NULL);
}

int cw_wh_batch_status(cw_warehouse *wh, int64_t batch_id, const char *status)
{
    sqlite3 *db = cw_wh_db(wh);
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "UPDATE batch SET status = ?2 WHERE batch_id = ?1", -1, &st,
                                NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(st, 1, batch_id);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    cw_error("warehouse: recording the batch status: %s", sqlite3_errmsg(db));
    return -1;
}
