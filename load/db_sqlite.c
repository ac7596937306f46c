/*
 * db_sqlite.c - the SQLite engine behind load/db.h: one file, one warehouse.
 *
 * The warehouse is a single file in WAL mode, so analysts read while the
 * nightly job writes, and a batch is one BEGIN IMMEDIATE ... COMMIT: the
 * IMMEDIATE takes SQLite's write lock at the start, which is the single-writer
 * lock the interface promises (a second writer waits for the busy timeout,
 * then gets CW_DB_BUSY).  synchronous = NORMAL is durable at each checkpoint
 * and never corrupts; the page cache is capped so memory stays bounded.
 *
 * SQLite speaks the `?NNN` parameters of db.h natively; bulk append is a
 * prepared INSERT reused for every row, which inside the batch transaction
 * is as fast as SQLite writes.
 */
#include "db.h"
#include "../core/util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUSY_TIMEOUT_MS 60000

typedef struct sqlite_db {
    cw_db base;
    sqlite3 *handle;
    int adopted;                /* the handle belongs to the caller: close leaves it open */
    char *path;
    char err[512];
} sqlite_db;

typedef struct sqlite_stmt {
    cw_stmt base;
    sqlite3_stmt *handle;
} sqlite_stmt;

typedef struct sqlite_bulk {
    cw_bulk base;
    cw_stmt *insert;
    int ncols;
} sqlite_bulk;

static sqlite_db *DB(cw_db *db) { return (sqlite_db *)db; }
static sqlite3_stmt *ST(cw_stmt *st) { return ((sqlite_stmt *)st)->handle; }

/* SQLite's result codes in db.h's terms: a value the schema refuses is a
 * constraint (the record is rejected, the batch goes on). */
static int map_rc(cw_db *db, int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK: return CW_DB_OK;
    case SQLITE_ROW: return CW_DB_ROW;
    case SQLITE_DONE: return CW_DB_DONE;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG: rc = CW_DB_CONSTRAINT; break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: rc = CW_DB_BUSY; break;
    default: rc = CW_DB_ERROR; break;
    }
    snprintf(DB(db)->err, sizeof(DB(db)->err), "%s", sqlite3_errmsg(DB(db)->handle));
    return rc;
}

static int sqlite_claims(const char *uri)
{
    return uri && !cw_db_is_uri(uri);
}

static int sqlite_open(const cw_db_target *t, cw_db_mode mode, cw_db **out, char *err,
                       size_t errlen)
{
    extern const cw_db_driver cw_db_sqlite;
    sqlite_db *db = cw_xcalloc(1, sizeof(*db));
    int flags = mode == CW_DB_READ_ONLY ? SQLITE_OPEN_READONLY
                                        : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    db->base.driver = &cw_db_sqlite;
    db->path = cw_strdup(t->uri);
    if (sqlite3_open_v2(t->uri, &db->handle, flags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open the warehouse: %s", t->uri,
                 db->handle ? sqlite3_errmsg(db->handle) : "out of memory");
        sqlite3_close(db->handle);
        free(db->path);
        free(db);
        return CW_DB_ERROR;
    }
    sqlite3_busy_timeout(db->handle, BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(db->handle, 0);
    *out = &db->base;
    if (mode == CW_DB_READ_ONLY) {
        /* a report reads its window through indexes into the big tables:
         * the writer's 64 MiB page cache, not SQLite's 2 MiB default */
        sqlite3_exec(db->handle, "PRAGMA cache_size = -65536;", NULL, NULL, NULL);
        return CW_DB_OK;
    }
    /* a big batch grows the WAL; give the disk back after (64 MiB) */
    if (sqlite3_exec(db->handle,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                     "PRAGMA foreign_keys = ON; PRAGMA cache_size = -65536;"
                     "PRAGMA journal_size_limit = 67108864;",
                     NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: cannot open the warehouse: %s", t->uri,
                 sqlite3_errmsg(db->handle));
        sqlite3_close(db->handle);
        free(db->path);
        free(db);
        *out = NULL;
        return CW_DB_ERROR;
    }
    return CW_DB_OK;
}

static void sqlite_close(cw_db *db)
{
    if (!DB(db)->adopted)
        sqlite3_close(DB(db)->handle);
    free(DB(db)->path);
    free(db);
}

static int sqlite_exec(cw_db *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(DB(db)->handle, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        rc = map_rc(db, rc);
        if (msg)
            snprintf(DB(db)->err, sizeof(DB(db)->err), "%s", msg);
    }
    sqlite3_free(msg);
    return rc;
}

static int sqlite_prepare(cw_db *db, const char *sql, cw_stmt **out)
{
    sqlite3_stmt *h = NULL;
    sqlite_stmt *st;
    int rc = sqlite3_prepare_v2(DB(db)->handle, sql, -1, &h, NULL);
    *out = NULL;
    if (rc != SQLITE_OK)
        return map_rc(db, rc);
    st = cw_xcalloc(1, sizeof(*st));
    st->base.db = db;
    st->handle = h;
    *out = &st->base;
    return CW_DB_OK;
}

static int bind_rc(cw_stmt *st, int rc)
{
    return rc == SQLITE_OK ? CW_DB_OK : map_rc(st->db, rc);
}

static int sqlite_bind_null(cw_stmt *st, int i) { return bind_rc(st, sqlite3_bind_null(ST(st), i)); }

static int sqlite_bind_int(cw_stmt *st, int i, int64_t v)
{
    return bind_rc(st, sqlite3_bind_int64(ST(st), i, v));
}

static int sqlite_bind_real(cw_stmt *st, int i, double v)
{
    return bind_rc(st, sqlite3_bind_double(ST(st), i, v));
}

static int sqlite_bind_text(cw_stmt *st, int i, const char *v, size_t len)
{
    return bind_rc(st, sqlite3_bind_text64(ST(st), i, v, len, SQLITE_TRANSIENT, SQLITE_UTF8));
}

static int sqlite_step(cw_stmt *st)
{
    int rc = sqlite3_step(ST(st));
    return map_rc(st->db, rc);
}

static int sqlite_reset(cw_stmt *st)
{
    sqlite3_reset(ST(st));
    sqlite3_clear_bindings(ST(st));
    return CW_DB_OK;
}

static void sqlite_finalize(cw_stmt *st)
{
    sqlite3_finalize(ST(st));
    free(st);
}

static int sqlite_column_count(cw_stmt *st) { return sqlite3_column_count(ST(st)); }

static const char *sqlite_column_name(cw_stmt *st, int col)
{
    return sqlite3_column_name(ST(st), col);
}

static cw_db_type sqlite_column_type(cw_stmt *st, int col)
{
    switch (sqlite3_column_type(ST(st), col)) {
    case SQLITE_INTEGER: return CW_DB_INT;
    case SQLITE_FLOAT: return CW_DB_REAL;
    case SQLITE_NULL: return CW_DB_NULL;
    default: return CW_DB_TEXT;
    }
}

static int64_t sqlite_column_int(cw_stmt *st, int col) { return sqlite3_column_int64(ST(st), col); }

static double sqlite_column_real(cw_stmt *st, int col) { return sqlite3_column_double(ST(st), col); }

static const char *sqlite_column_text(cw_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(ST(st), col);
}

static int64_t sqlite_changes(cw_db *db) { return sqlite3_changes64(DB(db)->handle); }

/* Columns need no type: a value keeps its own (SQLite's type affinity). */
static const char *sqlite_param_type(cw_stmt *st, int i)
{
    (void)st;
    (void)i;
    return "";
}

static int sqlite_begin(cw_db *db) { return sqlite_exec(db, "BEGIN IMMEDIATE"); }
static int sqlite_commit(cw_db *db) { return sqlite_exec(db, "COMMIT"); }

static int sqlite_rollback(cw_db *db)
{
    /* nothing to roll back is not an error: a failed COMMIT may have ended it */
    if (sqlite3_get_autocommit(DB(db)->handle))
        return CW_DB_OK;
    return sqlite_exec(db, "ROLLBACK");
}

/* Savepoint names are the caller's constants, never data. */
static int savepoint_sql(cw_db *db, const char *verb, const char *name)
{
    char sql[128];
    snprintf(sql, sizeof(sql), "%s \"%s\"", verb, name);
    return sqlite_exec(db, sql);
}

static int sqlite_savepoint(cw_db *db, const char *name) { return savepoint_sql(db, "SAVEPOINT", name); }
static int sqlite_release(cw_db *db, const char *name) { return savepoint_sql(db, "RELEASE", name); }

static int sqlite_rollback_to(cw_db *db, const char *name)
{
    return savepoint_sql(db, "ROLLBACK TO", name);
}

static int sqlite_bulk_begin(cw_db *db, const char *table, const char *const *columns, int ncols,
                             cw_bulk **out)
{
    cw_buf sql = {0};
    sqlite_bulk *b;
    cw_stmt *insert;
    int rc;
    cw_buf_printf(&sql, "INSERT INTO \"%s\" (", table);
    for (int i = 0; i < ncols; i++)
        cw_buf_printf(&sql, "%s\"%s\"", i ? ", " : "", columns[i]);
    cw_buf_puts(&sql, ") VALUES (");
    for (int i = 0; i < ncols; i++)
        cw_buf_printf(&sql, "%s?%d", i ? ", " : "", i + 1);
    cw_buf_puts(&sql, ")");
    rc = sqlite_prepare(db, sql.data, &insert);
    cw_buf_free(&sql);
    *out = NULL;
    if (rc != CW_DB_OK)
        return rc;
    b = cw_xcalloc(1, sizeof(*b));
    b->base.db = db;
    b->insert = insert;
    b->ncols = ncols;
    *out = &b->base;
    return CW_DB_OK;
}

static int sqlite_bulk_row(cw_bulk *bulk, const cw_db_value *v)
{
    sqlite_bulk *b = (sqlite_bulk *)bulk;
    int rc = CW_DB_OK;
    for (int i = 0; i < b->ncols && rc == CW_DB_OK; i++) {
        switch (v[i].type) {
        case CW_DB_NULL: rc = sqlite_bind_null(b->insert, i + 1); break;
        case CW_DB_INT: rc = sqlite_bind_int(b->insert, i + 1, v[i].i); break;
        case CW_DB_REAL: rc = sqlite_bind_real(b->insert, i + 1, v[i].r); break;
        case CW_DB_TEXT:
            rc = sqlite_bind_text(b->insert, i + 1, v[i].text, strlen(v[i].text));
            break;
        }
    }
    if (rc == CW_DB_OK)
        rc = sqlite_step(b->insert);
    sqlite_reset(b->insert);
    return rc == CW_DB_DONE ? CW_DB_OK : rc;
}

static int sqlite_bulk_end(cw_bulk *bulk)
{
    sqlite_bulk *b = (sqlite_bulk *)bulk;
    sqlite_finalize(b->insert);
    free(b);
    return CW_DB_OK;
}

static const char *sqlite_errmsg(cw_db *db) { return DB(db)->err; }

/* Transitional (db.h): the raw handle for code not yet on db.h. */
cw_db *cw_db_sqlite_adopt(void *handle)
{
    extern const cw_db_driver cw_db_sqlite;
    sqlite_db *db = cw_xcalloc(1, sizeof(*db));
    db->base.driver = &cw_db_sqlite;
    db->handle = handle;
    db->adopted = 1;
    db->path = cw_strdup(sqlite3_db_filename(handle, "main"));
    return &db->base;
}

int cw_db_sqlite_restore(const char *dst_path, const char *src_path, char *err, size_t errlen)
{
    sqlite3 *dst = NULL, *src = NULL;
    sqlite3_backup *b = NULL;
    int rc = sqlite3_open_v2(dst_path, &dst, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL);
    if (rc == SQLITE_OK) {
        /* waits for a run's write lock as any writer does, then replaces
         * every page in one write transaction: readers see one or the other */
        sqlite3_busy_timeout(dst, BUSY_TIMEOUT_MS);
        b = sqlite3_backup_init(dst, "main", src, "main");
        rc = b ? sqlite3_backup_step(b, -1) : sqlite3_errcode(dst);
        if (rc == SQLITE_DONE)
            rc = SQLITE_OK;
        if (b && sqlite3_backup_finish(b) != SQLITE_OK && rc == SQLITE_OK)
            rc = sqlite3_errcode(dst);
    }
    if (rc != SQLITE_OK)
        snprintf(err, errlen, "%s: cannot replace it by %s: %s", dst_path, src_path,
                 dst ? sqlite3_errmsg(dst) : "out of memory");
    sqlite3_close(src);
    sqlite3_close(dst);
    return rc == SQLITE_OK ? CW_DB_OK : CW_DB_ERROR;
}

const cw_db_driver cw_db_sqlite = {
    .name = "sqlite",
    .claims = sqlite_claims,
    .open = sqlite_open,
    .close = sqlite_close,
    .exec = sqlite_exec,
    .prepare = sqlite_prepare,
    .bind_null = sqlite_bind_null,
    .bind_int = sqlite_bind_int,
    .bind_real = sqlite_bind_real,
    .bind_text = sqlite_bind_text,
    .step = sqlite_step,
    .reset = sqlite_reset,
    .finalize = sqlite_finalize,
    .column_count = sqlite_column_count,
    .column_name = sqlite_column_name,
    .column_type = sqlite_column_type,
    .column_int = sqlite_column_int,
    .column_real = sqlite_column_real,
    .column_text = sqlite_column_text,
    .changes = sqlite_changes,
    .param_type = sqlite_param_type,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .savepoint = sqlite_savepoint,
    .release = sqlite_release,
    .rollback_to = sqlite_rollback_to,
    .bulk_begin = sqlite_bulk_begin,
    .bulk_row = sqlite_bulk_row,
    .bulk_end = sqlite_bulk_end,
    .errmsg = sqlite_errmsg,
};
