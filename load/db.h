/*
 * db.h - the warehouse driver interface: one small vtable per database engine.
 *
 * In the spirit of SQLite's VFS and curl's protocol handlers, everything
 * above load/ talks to the warehouse through a cw_db handle and the calls
 * below; each engine is one constant cw_db_driver in one file
 * (load/db_sqlite.c, load/db_postgresql.c) and one row in cw_db_drivers[]
 * (load/db.c).  Nothing outside load/ includes sqlite3.h or libpq-fe.h.
 *
 * SQL dialect.  Statements are written once, in the portable subset both
 * engines run: ON CONFLICT ... DO UPDATE ... WHERE upserts, IS DISTINCT FROM
 * as the null-safe comparison, RETURNING instead of last_insert_rowid(),
 * CAST(? AS BIGINT) where a parameter's type cannot be inferred, no
 * strftime()/json_each()/REGEXP.  Parameters are numbered `?1`, `?2`, ...
 * (SQLite's own syntax); the PostgreSQL driver rewrites them to `$1`, `$2`
 * outside string literals.  What cannot be portable (the DDL of identity
 * keys, pragmas) lives in per-engine .sql files named by the dialect:
 * load/sql/<dialect>/... .  cw_db_dialect() names it.
 *
 * Transactions.  cw_db_begin() opens the write transaction of a batch and
 * takes the single-writer lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
 * advisory transaction lock, refused at once with CW_DB_BUSY when another
 * writer holds it).  Savepoints nest inside it.  Readers never block the
 * writer (WAL on SQLite, MVCC on PostgreSQL).
 *
 * Bulk append: cw_db_bulk_begin/row/end append rows to one table as fast as
 * the engine allows (COPY FROM STDIN on PostgreSQL, a reused prepared INSERT
 * on SQLite); the loader appends to staging tables and merges with one
 * set-based statement.
 *
 * Staged writes: a client/server engine pays a network round trip for every
 * statement, so it sets staged_writes and the loader collects the rows of its
 * one-row upserts and merges them a set at a time (load/stage.c); the
 * staging tables' columns take the types the engine inferred for the
 * statement's parameters (param_type).  An embedded engine runs each
 * statement where it is, which is cheaper than a detour through a table.
 *
 * Errors: every call returns CW_DB_OK (0) or a negative cw_db_rc, and
 * cw_db_errmsg() says why.  CW_DB_CONSTRAINT marks a value the schema
 * refused (a NOT NULL, a CHECK, a type, an oversized value): the loader turns
 * it into a reject of that one record; any other error is fatal to the batch.
 */
#ifndef CW_DB_H
#define CW_DB_H

#include <stddef.h>
#include <stdint.h>

typedef struct cw_db cw_db;
typedef struct cw_stmt cw_stmt;
typedef struct cw_bulk cw_bulk;

typedef enum cw_db_rc {
    CW_DB_OK = 0,
    CW_DB_ROW = 1,              /* cw_db_step: a row is ready */
    CW_DB_DONE = 2,             /* cw_db_step: the statement has finished */
    CW_DB_ERROR = -1,
    CW_DB_CONSTRAINT = -2,      /* the schema refused a value: reject the record */
    CW_DB_BUSY = -3,            /* another writer holds the lock */
    CW_DB_VERSION = -4          /* the warehouse's schema is newer than this catwalk */
} cw_db_rc;

typedef enum cw_db_mode { CW_DB_READ_ONLY, CW_DB_READ_WRITE } cw_db_mode;

typedef enum cw_db_type { CW_DB_NULL, CW_DB_INT, CW_DB_REAL, CW_DB_TEXT } cw_db_type;

/* Where the warehouse is: a file path (SQLite) or a postgresql:// URI.  The
 * password never comes from the URI or the INI: from password_env (the name
 * of an environment variable), password_file (an owner-only file), or
 * libpq's own PGPASSWORD / .pgpass. */
typedef struct cw_db_target {
    const char *uri;
    const char *password_env;   /* NULL when unset */
    const char *password_file;  /* NULL when unset */
} cw_db_target;

/* One value of a bulk row. */
typedef struct cw_db_value {
    cw_db_type type;
    int64_t i;
    double r;
    const char *text;           /* CW_DB_TEXT: NUL-terminated UTF-8 */
} cw_db_value;

typedef struct cw_db_driver {
    const char *name;           /* the dialect: "sqlite" | "postgresql" */
    int staged_writes;          /* 1: the loader should stage rows and merge sets */
    /* 1 when this engine opens the target's uri */
    int (*claims)(const char *uri);
    /* Open; a read-write open creates a missing SQLite file.  err gets a
     * message naming the target (never a password). */
    int (*open)(const cw_db_target *t, cw_db_mode mode, cw_db **out, char *err, size_t errlen);
    void (*close)(cw_db *db);

    /* A script of ';'-separated statements without parameters. */
    int (*exec)(cw_db *db, const char *sql);
    int (*prepare)(cw_db *db, const char *sql, cw_stmt **out);
    int (*bind_null)(cw_stmt *st, int i);                /* i is 1-based */
    int (*bind_int)(cw_stmt *st, int i, int64_t v);
    int (*bind_real)(cw_stmt *st, int i, double v);
    int (*bind_text)(cw_stmt *st, int i, const char *v, size_t len);     /* copied */
    int (*step)(cw_stmt *st);           /* CW_DB_ROW, CW_DB_DONE, or an error */
    int (*reset)(cw_stmt *st);          /* ready to run again; bindings cleared */
    void (*finalize)(cw_stmt *st);
    int (*column_count)(cw_stmt *st);
    const char *(*column_name)(cw_stmt *st, int col);    /* 0-based */
    cw_db_type (*column_type)(cw_stmt *st, int col);
    int64_t (*column_int)(cw_stmt *st, int col);
    double (*column_real)(cw_stmt *st, int col);
    /* NULL for SQL NULL; valid until the next step, reset or finalize */
    const char *(*column_text)(cw_stmt *st, int col);
    int64_t (*changes)(cw_db *db);      /* rows written by the last finished statement */
    /* The SQL type the engine gives parameter i (1-based) of a prepared
     * statement, for a staging table's column: "" when the engine needs
     * none (SQLite), "text" when it cannot tell. */
    const char *(*param_type)(cw_stmt *st, int i);

    int (*begin)(cw_db *db);            /* write transaction + writer lock */
    int (*commit)(cw_db *db);
    int (*rollback)(cw_db *db);
    int (*savepoint)(cw_db *db, const char *name);
    int (*release)(cw_db *db, const char *name);
    int (*rollback_to)(cw_db *db, const char *name);

    int (*bulk_begin)(cw_db *db, const char *table, const char *const *columns, int ncols,
                      cw_bulk **out);
    int (*bulk_row)(cw_bulk *b, const cw_db_value *values);
    int (*bulk_end)(cw_bulk *b);        /* finishes and frees, also after an error */

    const char *(*errmsg)(cw_db *db);
} cw_db_driver;

/* Every engine's connection and statement starts with these, so the calls
 * below can dispatch without knowing the engine. */
struct cw_db {
    const cw_db_driver *driver;
};
struct cw_stmt {
    cw_db *db;
};
struct cw_bulk {
    cw_db *db;
};

/* The registry: NULL-terminated. */
extern const cw_db_driver *const cw_db_drivers[];

/* Open the target with the first driver that claims it. */
int cw_db_open(const cw_db_target *t, cw_db_mode mode, cw_db **out, char *err, size_t errlen);
void cw_db_close(cw_db *db);
const char *cw_db_dialect(const cw_db *db);
/* 1 when uri names a server database (postgresql://), 0 for a file path. */
int cw_db_is_uri(const char *uri);

static inline int cw_db_exec(cw_db *db, const char *sql) { return db->driver->exec(db, sql); }
static inline int cw_db_prepare(cw_db *db, const char *sql, cw_stmt **out)
{
    return db->driver->prepare(db, sql, out);
}
static inline int cw_db_bind_null(cw_stmt *st, int i) { return st->db->driver->bind_null(st, i); }
static inline int cw_db_bind_int(cw_stmt *st, int i, int64_t v)
{
    return st->db->driver->bind_int(st, i, v);
}
static inline int cw_db_bind_real(cw_stmt *st, int i, double v)
{
    return st->db->driver->bind_real(st, i, v);
}
static inline int cw_db_bind_text(cw_stmt *st, int i, const char *v, size_t len)
{
    return st->db->driver->bind_text(st, i, v, len);
}
static inline int cw_db_step(cw_stmt *st) { return st->db->driver->step(st); }
static inline int cw_db_reset(cw_stmt *st) { return st->db->driver->reset(st); }
static inline void cw_db_finalize(cw_stmt *st)
{
    if (st)
        st->db->driver->finalize(st);
}
static inline int cw_db_column_count(cw_stmt *st) { return st->db->driver->column_count(st); }
static inline const char *cw_db_column_name(cw_stmt *st, int col)
{
    return st->db->driver->column_name(st, col);
}
static inline cw_db_type cw_db_column_type(cw_stmt *st, int col)
{
    return st->db->driver->column_type(st, col);
}
static inline int64_t cw_db_column_int(cw_stmt *st, int col)
{
    return st->db->driver->column_int(st, col);
}
static inline double cw_db_column_real(cw_stmt *st, int col)
{
    return st->db->driver->column_real(st, col);
}
static inline const char *cw_db_column_text(cw_stmt *st, int col)
{
    return st->db->driver->column_text(st, col);
}
static inline int64_t cw_db_changes(cw_db *db) { return db->driver->changes(db); }
static inline const char *cw_db_param_type(cw_stmt *st, int i)
{
    return st->db->driver->param_type(st, i);
}
static inline int cw_db_begin(cw_db *db) { return db->driver->begin(db); }
static inline int cw_db_commit(cw_db *db) { return db->driver->commit(db); }
static inline int cw_db_rollback(cw_db *db) { return db->driver->rollback(db); }
static inline int cw_db_savepoint(cw_db *db, const char *name)
{
    return db->driver->savepoint(db, name);
}
static inline int cw_db_release(cw_db *db, const char *name)
{
    return db->driver->release(db, name);
}
static inline int cw_db_rollback_to(cw_db *db, const char *name)
{
    return db->driver->rollback_to(db, name);
}
static inline const char *cw_db_errmsg(cw_db *db) { return db->driver->errmsg(db); }

int cw_db_bulk_begin(cw_db *db, const char *table, const char *const *columns, int ncols,
                     cw_bulk **out);
static inline int cw_db_bulk_row(cw_bulk *b, const cw_db_value *values)
{
    return b->db->driver->bulk_row(b, values);
}
static inline int cw_db_bulk_end(cw_bulk *b) { return b->db->driver->bulk_end(b); }

/* For tests that build a SQLite database by hand (with their own SQL
 * functions) and hand it to code that takes a cw_db: a connection over that
 * sqlite3 handle, which cw_db_close leaves open. */
cw_db *cw_db_sqlite_adopt(void *sqlite3_handle);

/* Replace the SQLite database at dst_path by a copy of the one at src_path,
 * in one write transaction (the online backup API): readers see the old
 * database or the new, never a mix, and the WAL stays consistent, which a
 * rename over an open database would not (`catwalk rebuild --replace`).
 * 0, or CW_DB_ERROR with the reason in err. */
int cw_db_sqlite_restore(const char *dst_path, const char *src_path, char *err, size_t errlen);

/* Helpers shared by every caller. */
/* Bind a string, NULL as SQL NULL. */
int cw_db_bind_str(cw_stmt *st, int i, const char *v);
/* Bind an instant; CW_NO_TIME (core/record.h) as SQL NULL. */
int cw_db_bind_time(cw_stmt *st, int i, int64_t t);
/* The single value of a one-row, one-column query (no parameters), or -1. */
int cw_db_query_int(cw_db *db, const char *sql, int64_t *out);

#endif
