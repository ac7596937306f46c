/*
 * db_postgresql.c - the PostgreSQL engine behind load/db.h (libpq).
 *
 * The target is a postgresql:// (or postgres://) URI handed to libpq as is,
 * so every libpq parameter works (host=/socket folder, sslmode, ...).  The
 * password never comes from the URI or the INI (core/config.c refuses it
 * there): password_env names an environment variable, password_file an
 * owner-only file (0600 or 0400, refused otherwise); without either, libpq's
 * own PGPASSWORD or ~/.pgpass apply.  Messages name host, database and user,
 * never the password nor the URI.
 *
 * Statements.  `?N` parameters are rewritten to `$N` outside literals and
 * comments (load/sqltext.c).  cw_db_prepare prepares a named statement with
 * the parameter types left to the server, which checks the SQL at once.
 * Values travel as text; at the first step the bound kinds are known, and a
 * statement that binds integers or reals is prepared again with those
 * parameters typed int8 / float8, so `?1 + 3600` is bigint arithmetic and an
 * instant past 2038 never overflows an inferred int4.  Text and NULL stay
 * "unknown" (the server infers them).  A statement is run at its first step
 * and its whole result kept: steps walk the rows.
 *
 * Column kinds come from the result's type OIDs: int2/4/8 and bool are
 * CW_DB_INT (bool as 0/1, as SQLite gives it), float4/8 CW_DB_REAL, numeric
 * CW_DB_REAL when the value has a fraction and CW_DB_INT when not (SUM of
 * integers is numeric here and an integer on SQLite), anything else
 * CW_DB_TEXT; a NULL is CW_DB_NULL.  Column names are known before the
 * first step, as on SQLite (the statement is described).
 *
 * Transactions.  cw_db_begin is BEGIN ISOLATION LEVEL READ COMMITTED plus
 * pg_try_advisory_xact_lock(CW_PG_LOCK_KEY): a second writer gets CW_DB_BUSY
 * at once ("another catwalk run holds the warehouse"), and the lock goes with
 * the transaction, also when the process dies.  Readers are never blocked
 * (MVCC).  An error inside a PostgreSQL transaction aborts it, unlike
 * SQLite: inside a transaction every prepared statement therefore runs under
 * a savepoint sent in the same round trip ("guarded statements" below), so a
 * refused statement is undone alone and the batch goes on, as on SQLite.
 *
 * Errors: SQLSTATE class 23 (integrity) and 22 (data exception: a value out
 * of range, too long, invalid text) are CW_DB_CONSTRAINT; 55P03 (lock not
 * available) and 40P01 (deadlock) are CW_DB_BUSY.
 *
 * Bulk append is COPY table (columns) FROM STDIN in text format.
 */
#include "db.h"
#include "sqltext.h"
#include "../core/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "catwalk" in ASCII: the advisory lock every catwalk writer takes */
#define CW_PG_LOCK_KEY "27988094165347435"
#define PASSWORD_MAX 1024

/* type OIDs (catalog/pg_type_d.h is not in libpq-dev) */
#define BOOLOID 16
#define INT8OID 20
#define INT2OID 21
#define INT4OID 23
#define FLOAT4OID 700
#define FLOAT8OID 701
#define NUMERICOID 1700

typedef struct pg_db {
    cw_db base;
    PGconn *conn;
    char label[256];            /* "user@host/db" for messages */
    char err[1024];
    int64_t changes;
    unsigned next_stmt;         /* names of prepared statements: cw_1, cw_2, ... */
    cw_buf unused;              /* "DEALLOCATE cw_7;..." of finalized statements */
    int n_unused;
} pg_db;

typedef struct pg_stmt {
    cw_stmt base;
    char *sql;                  /* rewritten to $N */
    char name[32];              /* "" while not prepared on the server */
    int nparams;
    Oid *prepared_types;        /* the parameter types it was prepared with */
    Oid *types;                 /* the bound values' types */
    char **values;              /* the bound values as text, NULL for SQL NULL */
    PGresult *res;              /* the result while stepping */
    PGresult *desc;             /* the columns before the first step, when asked */
    int row, nrows;
} pg_stmt;

typedef struct pg_bulk {
    cw_bulk base;
    int ncols;
    int failed;
    cw_buf line;
} pg_bulk;

static pg_db *DB(cw_db *db) { return (pg_db *)db; }
static pg_stmt *ST(cw_stmt *st) { return (pg_stmt *)st; }

/* ---------------------------------------------------------------- errors */

static int map_sqlstate(const char *state)
{
    if (!state)
        return CW_DB_ERROR;
    if (strncmp(state, "23", 2) == 0 || strncmp(state, "22", 2) == 0)
        return CW_DB_CONSTRAINT;
    if (strcmp(state, "55P03") == 0 || strcmp(state, "40P01") == 0)
        return CW_DB_BUSY;
    return CW_DB_ERROR;
}

/* The server's message (first line) and SQLSTATE; frees res. */
static int fail_result(cw_db *db, PGresult *res)
{
    const char *msg = res ? PQresultErrorMessage(res) : "";
    int rc = map_sqlstate(res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
    if (!*msg)
        msg = PQerrorMessage(DB(db)->conn);
    snprintf(DB(db)->err, sizeof(DB(db)->err), "%s: %.*s", DB(db)->label,
             (int)strcspn(msg, "\n"), msg);
    PQclear(res);
    return rc;
}

static int result_ok(PGresult *res)
{
    ExecStatusType s = PQresultStatus(res);
    return s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY;
}

/* rows written: INSERT, UPDATE, DELETE and MERGE count, a SELECT does not */
static void note_changes(cw_db *db, PGresult *res)
{
    const char *status = PQcmdStatus(res);
    if (strncmp(status, "INSERT", 6) == 0 || strncmp(status, "UPDATE", 6) == 0 ||
        strncmp(status, "DELETE", 6) == 0 || strncmp(status, "MERGE", 5) == 0)
        DB(db)->changes = strtoll(PQcmdTuples(res), NULL, 10);
}

/* ---------------------------------------------------------------- open */

static int pg_claims(const char *uri) { return cw_db_is_uri(uri); }

/* The first line of an owner-only file. */
static int read_password_file(const char *path, char *out, size_t outlen, char *err,
                              size_t errlen)
{
    struct stat sb;
    ssize_t n;
    int fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(err, errlen, "password_file %s: %s", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (sb.st_mode & 077) != 0) {
        snprintf(err, errlen, "password_file %s: refused: it must be a regular file readable by "
                 "its owner only (chmod 600)", path);
        close(fd);
        return -1;
    }
    n = read(fd, out, outlen - 1);
    close(fd);
    if (n < 0) {
        snprintf(err, errlen, "password_file %s: %s", path, strerror(errno));
        return -1;
    }
    out[n] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

/* The password of the target, "" when libpq is to find its own. */
static int target_password(const cw_db_target *t, char *out, size_t outlen, char *err,
                           size_t errlen)
{
    out[0] = '\0';
    if (t->password_env && *t->password_env) {
        const char *v = getenv(t->password_env);
        if (!v || !*v) {
            snprintf(err, errlen, "password_env: the environment variable %s is not set",
                     t->password_env);
            return -1;
        }
        snprintf(out, outlen, "%s", v);
        return 0;
    }
    if (t->password_file && *t->password_file)
        return read_password_file(t->password_file, out, outlen, err, errlen);
    return 0;
}

static void set_label(pg_db *db)
{
    const char *host = PQhost(db->conn);
    const char *user = PQuser(db->conn), *name = PQdb(db->conn);
    snprintf(db->label, sizeof(db->label), "postgresql %s@%s/%s", user ? user : "?",
             host && *host ? host : "localhost", name ? name : "?");
}

/* Server notices ("view does not exist, skipping") are not catwalk's output. */
static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int pg_open(const cw_db_target *t, cw_db_mode mode, cw_db **out, char *err, size_t errlen)
{
    extern const cw_db_driver cw_db_postgresql;
    const char *keys[5] = {"dbname", "client_encoding", "fallback_application_name"};
    const char *values[5] = {t->uri, "UTF8", "catwalk"};
    char password[PASSWORD_MAX];
    char perr[512];
    pg_db *db;
    *out = NULL;
    if (target_password(t, password, sizeof(password), perr, sizeof(perr)) != 0) {
        snprintf(err, errlen, "the PostgreSQL warehouse: %s", perr);
        return CW_DB_ERROR;
    }
    /* without a password of ours, libpq finds PGPASSWORD or ~/.pgpass itself;
     * keys after dbname override what the URI says */
    if (password[0]) {
        keys[3] = "password";
        values[3] = password;
    }
    db = cw_xcalloc(1, sizeof(*db));
    db->base.driver = &cw_db_postgresql;
    db->conn = PQconnectdbParams(keys, values, 1);
    memset(password, 0, sizeof(password));
    set_label(db);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        const char *m = PQerrorMessage(db->conn);
        snprintf(err, errlen, "%s: cannot open the warehouse: %.*s", db->label,
                 (int)strcspn(m, "\n"), m);
        PQfinish(db->conn);
        free(db);
        return CW_DB_ERROR;
    }
    PQsetNoticeProcessor(db->conn, ignore_notice, NULL);
    *out = &db->base;
    /* instants are integers, but a session in UTC keeps any date function
     * honest; a reader runs the report's one big statement, which the JIT
     * compiled for longer than it ran (13 s of 26 s at demo scale 32) */
    if (cw_db_exec(*out, mode == CW_DB_READ_ONLY
                             ? "SET TIME ZONE 'UTC'; SET default_transaction_read_only = on;"
                               " SET jit = off"
                             : "SET TIME ZONE 'UTC'") != CW_DB_OK) {
        snprintf(err, errlen, "%s", db->err);
        PQfinish(db->conn);
        free(db);
        *out = NULL;
        return CW_DB_ERROR;
    }
    return CW_DB_OK;
}

static void pg_close(cw_db *db)
{
    PQfinish(DB(db)->conn);
    cw_buf_free(&DB(db)->unused);
    free(db);
}

/* ---------------------------------------------------------------- statements */

static int pg_exec(cw_db *db, const char *sql)
{
    PGresult *res = PQexec(DB(db)->conn, sql);
    if (!result_ok(res))
        return fail_result(db, res);
    note_changes(db, res);
    PQclear(res);
    return CW_DB_OK;
}

/* A finalized statement is dropped on the server with the next few, in one
 * round trip: a one-shot query then costs two round trips, not three.
 * (DEALLOCATE is not transactional; one that fails in an aborted
 * transaction leaves a name the session forgets when it closes.) */
#define UNUSED_BATCH 32

static void deallocate(pg_stmt *s)
{
    pg_db *db = DB(s->base.db);
    if (!s->name[0])
        return;
    cw_buf_printf(&db->unused, "DEALLOCATE %s;", s->name);
    s->name[0] = '\0';
    if (++db->n_unused >= UNUSED_BATCH) {
        PQclear(PQexec(db->conn, db->unused.data));
        cw_buf_reset(&db->unused);
        db->n_unused = 0;
    }
}

/* A fresh name for a server-side prepared statement. */
static void fresh_name(pg_db *db, char *name, size_t len)
{
    snprintf(name, len, "cw_%u", ++db->next_stmt);
}

/* s now runs as the statement prepared under name with these types. */
static void adopt(pg_stmt *s, const char *name, const Oid *types)
{
    deallocate(s);
    snprintf(s->name, sizeof(s->name), "%s", name);
    if (s->nparams)
        memcpy(s->prepared_types, types, (size_t)s->nparams * sizeof(Oid));
}

/* Prepare s->sql under a fresh name with the given parameter types. */
static int prepare_as(pg_stmt *s, const Oid *types)
{
    pg_db *db = DB(s->base.db);
    PGresult *res;
    char name[32];
    fresh_name(db, name, sizeof(name));
    res = PQprepare(db->conn, name, s->sql, s->nparams, types);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        return fail_result(&db->base, res);
    PQclear(res);
    adopt(s, name, types);
    return CW_DB_OK;
}

/* ---------------------------------------------------------------- guarded statements */

/*
 * One failed statement must not cost the batch.  SQLite undoes a failed
 * statement alone and its transaction goes on; PostgreSQL aborts the whole
 * transaction, and every later statement of the batch would fail with
 * "current transaction is aborted".  So inside a transaction each prepare and
 * each run is guarded by a savepoint sent in the same round trip (libpq
 * pipeline mode, one Sync):
 *
 *     SAVEPOINT cw_stmt; [Parse]; [Bind/Execute]; RELEASE SAVEPOINT cw_stmt
 *
 * Success costs no round trip more than a bare statement; a failure costs one
 * (ROLLBACK TO SAVEPOINT cw_stmt; RELEASE SAVEPOINT cw_stmt), after which the
 * transaction is as it was before the statement, as on SQLite.  A statement
 * outside a transaction is its own transaction and runs bare.  exec (scripts)
 * and bulk COPY are not guarded: their callers treat any failure as the end
 * of the batch.  (Each guarded write takes a subtransaction id; a batch of
 * many records overflows the per-backend cache of 64, which makes other
 * sessions' snapshots of that moment consult pg_subtrans: the price of
 * rejecting one record instead of losing the batch.)
 */
#define GUARD "cw_stmt"
#define GUARD_QUERIES 4             /* SAVEPOINT, Parse, Execute, RELEASE */

static int guarded(pg_db *db) { return PQtransactionStatus(db->conn) == PQTRANS_INTRANS; }

/* Queue the trip: SAVEPOINT, Parse of name when types is not NULL, Execute of
 * name when execute, RELEASE, Sync. */
static int send_trip(pg_db *db, pg_stmt *s, const char *name, const Oid *types, int execute)
{
    PGconn *c = db->conn;
    return PQsendQueryParams(c, "SAVEPOINT " GUARD, 0, NULL, NULL, NULL, NULL, 0) &&
           (!types || PQsendPrepare(c, name, s->sql, s->nparams, types)) &&
           (!execute || PQsendQueryPrepared(c, name, s->nparams, (const char *const *)s->values,
                                            NULL, NULL, 0)) &&
           PQsendQueryParams(c, "RELEASE SAVEPOINT " GUARD, 0, NULL, NULL, NULL, NULL, 0) &&
           PQpipelineSync(c);
}

/* Read the trip's results up to its Sync: res[q] is the result of query q
 * (NULL when none came: the connection is gone), and leave pipeline mode. */
static void collect(pg_db *db, PGresult **res, int nq)
{
    int q = 0;
    for (;;) {
        PGresult *r = PQgetResult(db->conn);
        if (!r) {
            if (++q > nq)       /* every query answered and no Sync: connection lost */
                break;
            continue;
        }
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (q < nq && !res[q])
            res[q] = r;
        else
            PQclear(r);
    }
    PQexitPipelineMode(db->conn);
}

/* The first query of the trip that did not succeed, or -1. */
static int first_failure(PGresult *const *res, int nq)
{
    for (int q = 0; q < nq; q++)
        if (!res[q] || !result_ok(res[q]))
            return q;
    return -1;
}

/* Undo a failed statement: back to the guard, which is then dropped. */
static int undo_guard(pg_db *db, int rc)
{
    PGresult *r = PQexec(db->conn, "ROLLBACK TO SAVEPOINT " GUARD "; RELEASE SAVEPOINT " GUARD);
    const char *m = PQresultStatus(r) == PGRES_COMMAND_OK ? NULL : PQresultErrorMessage(r);
    size_t len = strlen(db->err);
    if (m)
        snprintf(db->err + len, sizeof(db->err) - len, " (undoing it failed too: %.*s)",
                 (int)strcspn(m, "\n"), m);
    PQclear(r);
    return m ? CW_DB_ERROR : rc;
}

/* One guarded round trip for s: prepare it again with types (when not NULL)
 * and/or run it (execute: its result goes to *out). */
static int guarded_trip(pg_stmt *s, const Oid *types, int execute, PGresult **out)
{
    pg_db *db = DB(s->base.db);
    PGresult *res[GUARD_QUERIES] = {0};
    int nq = 2 + (types != NULL) + (execute != 0);
    int qparse = 1, qexec = types ? 2 : 1, failed, rc = CW_DB_OK;
    char name[32];
    if (types)
        fresh_name(db, name, sizeof(name));
    else
        snprintf(name, sizeof(name), "%s", s->name);
    if (!PQenterPipelineMode(db->conn))
        return fail_result(&db->base, NULL);
    if (!send_trip(db, s, name, types, execute)) {
        rc = fail_result(&db->base, NULL);
        PQpipelineSync(db->conn);
    }
    collect(db, res, nq);
    if (rc != CW_DB_OK) {
        for (int q = 0; q < nq; q++)
            PQclear(res[q]);
        return CW_DB_ERROR;
    }
    failed = first_failure(res, nq);
    if (failed >= 0) {
        rc = fail_result(&db->base, res[failed]);
        res[failed] = NULL;
        /* the guard was taken: undo the statement, keep the transaction */
        if (failed > 0)
            rc = undo_guard(db, rc);
    }
    /* a statement the server prepared stays, also when its run failed */
    if (types && res[qparse] && PQresultStatus(res[qparse]) == PGRES_COMMAND_OK)
        adopt(s, name, types);
    if (rc == CW_DB_OK && execute) {
        *out = res[qexec];
        res[qexec] = NULL;
    }
    for (int q = 0; q < nq; q++)
        PQclear(res[q]);
    return rc;
}

static void stmt_free(pg_stmt *s)
{
    for (int i = 0; i < s->nparams; i++)
        free(s->values[i]);
    PQclear(s->res);
    PQclear(s->desc);
    free(s->sql);
    free(s->prepared_types);
    free(s->types);
    free(s->values);
    free(s);
}

static int pg_prepare(cw_db *db, const char *sql, cw_stmt **out)
{
    pg_stmt *s = cw_xcalloc(1, sizeof(*s));
    int rc;
    s->base.db = db;
    s->sql = cw_sql_rewrite_params(sql, &s->nparams);
    s->prepared_types = cw_xcalloc((size_t)s->nparams + 1, sizeof(Oid));
    s->types = cw_xcalloc((size_t)s->nparams + 1, sizeof(Oid));
    s->values = cw_xcalloc((size_t)s->nparams + 1, sizeof(char *));
    *out = NULL;
    rc = guarded(DB(db)) ? guarded_trip(s, s->types, 0, NULL) : prepare_as(s, s->types);
    if (rc != CW_DB_OK && strstr(DB(db)->err, "could not determine data type of parameter")) {
        /* `?1 IS NULL` and the like: typed by the bound values at the first step */
        DB(db)->err[0] = '\0';
        rc = CW_DB_OK;
    }
    if (rc != CW_DB_OK) {
        stmt_free(s);
        return rc;
    }
    *out = &s->base;
    return CW_DB_OK;
}

/* Binding after a run starts the statement over, as SQLite requires a reset. */
static int set_param(cw_stmt *st, int i, Oid type, char *text)
{
    pg_stmt *s = ST(st);
    if (i < 1 || i > s->nparams) {
        free(text);
        snprintf(DB(st->db)->err, sizeof(DB(st->db)->err), "%s: parameter %d out of range (1..%d)",
                 DB(st->db)->label, i, s->nparams);
        return CW_DB_ERROR;
    }
    free(s->values[i - 1]);
    s->values[i - 1] = text;
    s->types[i - 1] = type;
    return CW_DB_OK;
}

static int pg_bind_null(cw_stmt *st, int i) { return set_param(st, i, 0, NULL); }

static int pg_bind_int(cw_stmt *st, int i, int64_t v)
{
    return set_param(st, i, INT8OID, cw_asprintf("%lld", (long long)v));
}

static int pg_bind_real(cw_stmt *st, int i, double v)
{
    /* %.17g round-trips every double */
    return set_param(st, i, FLOAT8OID, cw_asprintf("%.17g", v));
}

static int pg_bind_text(cw_stmt *st, int i, const char *v, size_t len)
{
    char *copy = cw_xmalloc(len + 1);
    memcpy(copy, v, len);
    copy[len] = '\0';
    return set_param(st, i, 0, copy);
}

/* The bound kinds need a differently typed statement: a NULL fits any type,
 * any other value needs its own (text: the server's inference). */
static int needs_retype(const pg_stmt *s)
{
    if (!s->name[0])
        return 1;
    for (int i = 0; i < s->nparams; i++)
        if (s->values[i] && s->types[i] != s->prepared_types[i])
            return 1;
    return 0;
}

static int run(pg_stmt *s)
{
    pg_db *db = DB(s->base.db);
    PGresult *res = NULL;
    Oid *types = NULL;
    int rc = CW_DB_OK;
    if (needs_retype(s)) {
        types = cw_xcalloc((size_t)s->nparams + 1, sizeof(Oid));
        for (int i = 0; i < s->nparams; i++)
            types[i] = s->values[i] ? s->types[i] : s->prepared_types[i];
    }
    if (guarded(db)) {
        rc = guarded_trip(s, types, 1, &res);
    } else {
        if (types)
            rc = prepare_as(s, types);
        if (rc == CW_DB_OK) {
            res = PQexecPrepared(db->conn, s->name, s->nparams, (const char *const *)s->values,
                                 NULL, NULL, 0);
            if (!result_ok(res)) {
                rc = fail_result(&db->base, res);
                res = NULL;
            }
        }
    }
    free(types);
    if (rc != CW_DB_OK)
        return rc;
    note_changes(&db->base, res);
    s->res = res;
    s->row = -1;
    s->nrows = PQntuples(res);
    return CW_DB_OK;
}

static int pg_step(cw_stmt *st)
{
    pg_stmt *s = ST(st);
    if (!s->res) {
        int rc = run(s);
        if (rc != CW_DB_OK)
            return rc;
    }
    if (s->row < s->nrows)
        s->row++;
    return s->row < s->nrows ? CW_DB_ROW : CW_DB_DONE;
}

static int pg_reset(cw_stmt *st)
{
    pg_stmt *s = ST(st);
    PQclear(s->res);
    s->res = NULL;
    for (int i = 0; i < s->nparams; i++) {
        free(s->values[i]);
        s->values[i] = NULL;
        s->types[i] = 0;
    }
    return CW_DB_OK;
}

static void pg_finalize(cw_stmt *st)
{
    deallocate(ST(st));
    stmt_free(ST(st));
}

/* ---------------------------------------------------------------- columns */

static int has_row(pg_stmt *s, int col)
{
    return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 && col < PQnfields(s->res);
}

/* The result that names the columns: SQLite knows them before the first
 * step, so a statement not yet run is described by the server. */
static PGresult *describe(pg_stmt *s)
{
    if (!s->desc && s->name[0]) {
        s->desc = PQdescribePrepared(DB(s->base.db)->conn, s->name);
        if (PQresultStatus(s->desc) != PGRES_COMMAND_OK) {
            PQclear(s->desc);
            s->desc = NULL;
        }
    }
    return s->desc;
}

static PGresult *columns_of(pg_stmt *s)
{
    return s->res ? s->res : describe(s);
}

static int pg_column_count(cw_stmt *st)
{
    PGresult *r = columns_of(ST(st));
    return r ? PQnfields(r) : 0;
}

static const char *pg_column_name(cw_stmt *st, int col)
{
    PGresult *r = columns_of(ST(st));
    return r && col >= 0 && col < PQnfields(r) ? PQfname(r, col) : NULL;
}

static cw_db_type pg_column_type(cw_stmt *st, int col)
{
    pg_stmt *s = ST(st);
    if (!has_row(s, col) || PQgetisnull(s->res, s->row, col))
        return CW_DB_NULL;
    switch (PQftype(s->res, col)) {
    case INT2OID:
    case INT4OID:
    case INT8OID:
    case BOOLOID: return CW_DB_INT;
    case FLOAT4OID:
    case FLOAT8OID: return CW_DB_REAL;
    case NUMERICOID:
        /* SUM(bigint) is numeric on PostgreSQL and an integer on SQLite: a
         * numeric without a fraction is an integer, value by value, as SQLite
         * types values (AVG has a fraction, so it stays a real) */
        return strpbrk(PQgetvalue(s->res, s->row, col), ".eEN") ? CW_DB_REAL : CW_DB_INT;
    default: return CW_DB_TEXT;
    }
}

static int64_t pg_column_int(cw_stmt *st, int col)
{
    pg_stmt *s = ST(st);
    const char *v;
    if (!has_row(s, col) || PQgetisnull(s->res, s->row, col))
        return 0;
    v = PQgetvalue(s->res, s->row, col);
    if (PQftype(s->res, col) == BOOLOID)
        return v[0] == 't';
    switch (PQftype(s->res, col)) {
    case FLOAT4OID:
    case FLOAT8OID:
    case NUMERICOID: return (int64_t)strtod(v, NULL);
    default: return strtoll(v, NULL, 10);
    }
}

static double pg_column_real(cw_stmt *st, int col)
{
    pg_stmt *s = ST(st);
    if (!has_row(s, col) || PQgetisnull(s->res, s->row, col))
        return 0.0;
    if (PQftype(s->res, col) == BOOLOID)
        return PQgetvalue(s->res, s->row, col)[0] == 't';
    return strtod(PQgetvalue(s->res, s->row, col), NULL);
}

static const char *pg_column_text(cw_stmt *st, int col)
{
    pg_stmt *s = ST(st);
    if (!has_row(s, col) || PQgetisnull(s->res, s->row, col))
        return NULL;
    if (PQftype(s->res, col) == BOOLOID)
        return PQgetvalue(s->res, s->row, col)[0] == 't' ? "1" : "0";
    return PQgetvalue(s->res, s->row, col);
}

static int64_t pg_changes(cw_db *db) { return DB(db)->changes; }

/* The type the server inferred for parameter i when it prepared the
 * statement (PQdescribePrepared), as SQL; "text" when it did not say. */
static const char *pg_param_type(cw_stmt *st, int i)
{
    static const struct { Oid oid; const char *name; } names[] = {
        { BOOLOID, "boolean" }, { INT8OID, "bigint" }, { INT2OID, "smallint" },
        { INT4OID, "integer" }, { FLOAT4OID, "real" }, { FLOAT8OID, "double precision" },
        { NUMERICOID, "numeric" },
    };
    pg_stmt *s = ST(st);
    Oid oid = 0;
    if (!describe(s) || i < 1 || i > PQnparams(s->desc))
        return "text";
    oid = PQparamtype(s->desc, i - 1);
    for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++)
        if (names[k].oid == oid)
            return names[k].name;
    return "text";
}

/* ---------------------------------------------------------------- transactions */

static int pg_begin(cw_db *db)
{
    PGresult *res;
    int got, rc;
    if (PQtransactionStatus(DB(db)->conn) != PQTRANS_IDLE) {
        snprintf(DB(db)->err, sizeof(DB(db)->err), "%s: a transaction is already open",
                 DB(db)->label);
        return CW_DB_ERROR;
    }
    rc = pg_exec(db, "BEGIN ISOLATION LEVEL READ COMMITTED");
    if (rc != CW_DB_OK)
        return rc;
    res = PQexec(DB(db)->conn, "SELECT pg_try_advisory_xact_lock(" CW_PG_LOCK_KEY ")");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        rc = fail_result(db, res);
        PQclear(PQexec(DB(db)->conn, "ROLLBACK"));
        return rc;
    }
    got = PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
    PQclear(res);
    if (got)
        return CW_DB_OK;
    PQclear(PQexec(DB(db)->conn, "ROLLBACK"));
    snprintf(DB(db)->err, sizeof(DB(db)->err),
             "%s: another catwalk run holds the warehouse (its advisory writer lock); try again "
             "when it has finished", DB(db)->label);
    return CW_DB_BUSY;
}

static int pg_commit(cw_db *db) { return pg_exec(db, "COMMIT"); }

static int pg_rollback(cw_db *db)
{
    /* nothing to roll back is not an error: a failed COMMIT may have ended it */
    if (PQtransactionStatus(DB(db)->conn) == PQTRANS_IDLE)
        return CW_DB_OK;
    return pg_exec(db, "ROLLBACK");
}

/* Savepoint names are the caller's constants, never data. */
static int savepoint_sql(cw_db *db, const char *verb, const char *name)
{
    char sql[160];
    snprintf(sql, sizeof(sql), "%s \"%s\"", verb, name);
    return pg_exec(db, sql);
}

static int pg_savepoint(cw_db *db, const char *name) { return savepoint_sql(db, "SAVEPOINT", name); }

static int pg_release(cw_db *db, const char *name)
{
    return savepoint_sql(db, "RELEASE SAVEPOINT", name);
}

static int pg_rollback_to(cw_db *db, const char *name)
{
    return savepoint_sql(db, "ROLLBACK TO SAVEPOINT", name);
}

/* ---------------------------------------------------------------- bulk (COPY) */

/* An identifier quoted for SQL: "a""b". */
static void put_ident(cw_buf *b, const char *name)
{
    cw_buf_puts(b, "\"");
    for (const char *p = name; *p; p++)
        cw_buf_puts(b, *p == '"' ? "\"\"" : (char[]){*p, '\0'});
    cw_buf_puts(b, "\"");
}

static int pg_bulk_begin(cw_db *db, const char *table, const char *const *columns, int ncols,
                         cw_bulk **out)
{
    cw_buf sql = {0};
    PGresult *res;
    pg_bulk *b;
    *out = NULL;
    cw_buf_puts(&sql, "COPY ");
    put_ident(&sql, table);
    cw_buf_puts(&sql, " (");
    for (int i = 0; i < ncols; i++) {
        if (i)
            cw_buf_puts(&sql, ", ");
        put_ident(&sql, columns[i]);
    }
    cw_buf_puts(&sql, ") FROM STDIN");
    res = PQexec(DB(db)->conn, sql.data);
    cw_buf_free(&sql);
    if (PQresultStatus(res) != PGRES_COPY_IN)
        return fail_result(db, res);
    PQclear(res);
    b = cw_xcalloc(1, sizeof(*b));
    b->base.db = db;
    b->ncols = ncols;
    *out = &b->base;
    return CW_DB_OK;
}

/* COPY's text format: backslash, tab, newline and carriage return escaped,
 * NULL as \N. */
static void put_copy_text(cw_buf *b, const char *v)
{
    const char *run = v;
    for (const char *p = v; *p; p++) {
        const char *esc = *p == '\\' ? "\\\\" : *p == '\t' ? "\\t" : *p == '\n' ? "\\n"
                        : *p == '\r' ? "\\r" : NULL;
        if (!esc)
            continue;
        cw_buf_append(b, run, (size_t)(p - run));
        cw_buf_puts(b, esc);
        run = p + 1;
    }
    cw_buf_puts(b, run);
}

static int pg_bulk_row(cw_bulk *bulk, const cw_db_value *v)
{
    pg_bulk *b = (pg_bulk *)bulk;
    pg_db *db = DB(bulk->db);
    if (b->failed)
        return CW_DB_ERROR;
    cw_buf_reset(&b->line);
    for (int i = 0; i < b->ncols; i++) {
        if (i)
            cw_buf_puts(&b->line, "\t");
        switch (v[i].type) {
        case CW_DB_NULL: cw_buf_puts(&b->line, "\\N"); break;
        case CW_DB_INT: cw_buf_printf(&b->line, "%lld", (long long)v[i].i); break;
        case CW_DB_REAL: cw_buf_printf(&b->line, "%.17g", v[i].r); break;
        case CW_DB_TEXT: put_copy_text(&b->line, v[i].text); break;
        }
    }
    cw_buf_puts(&b->line, "\n");
    if (PQputCopyData(db->conn, b->line.data, (int)b->line.len) != 1) {
        b->failed = 1;
        snprintf(db->err, sizeof(db->err), "%s: COPY: %s", db->label, PQerrorMessage(db->conn));
        return CW_DB_ERROR;
    }
    return CW_DB_OK;
}

/* The server checks the rows at the end of COPY: its verdict is the result. */
static int pg_bulk_end(cw_bulk *bulk)
{
    pg_bulk *b = (pg_bulk *)bulk;
    cw_db *db = bulk->db;
    PGresult *res;
    int rc = CW_DB_OK;
    if (PQputCopyEnd(DB(db)->conn, b->failed ? "catwalk: bulk append failed" : NULL) != 1) {
        snprintf(DB(db)->err, sizeof(DB(db)->err), "%s: COPY: %s", DB(db)->label,
                 PQerrorMessage(DB(db)->conn));
        rc = CW_DB_ERROR;
    }
    while ((res = PQgetResult(DB(db)->conn))) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            int r = fail_result(db, res);
            if (rc == CW_DB_OK)
                rc = b->failed ? CW_DB_ERROR : r;
        } else {
            DB(db)->changes = strtoll(PQcmdTuples(res), NULL, 10);
            PQclear(res);
        }
    }
    cw_buf_free(&b->line);
    free(b);
    return rc;
}

static const char *pg_errmsg(cw_db *db) { return DB(db)->err; }

const cw_db_driver cw_db_postgresql = {
    .name = "postgresql",
    .staged_writes = 1,
    .claims = pg_claims,
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .prepare = pg_prepare,
    .bind_null = pg_bind_null,
    .bind_int = pg_bind_int,
    .bind_real = pg_bind_real,
    .bind_text = pg_bind_text,
    .step = pg_step,
    .reset = pg_reset,
    .finalize = pg_finalize,
    .column_count = pg_column_count,
    .column_name = pg_column_name,
    .column_type = pg_column_type,
    .column_int = pg_column_int,
    .column_real = pg_column_real,
    .column_text = pg_column_text,
    .changes = pg_changes,
    .param_type = pg_param_type,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .savepoint = pg_savepoint,
    .release = pg_release,
    .rollback_to = pg_rollback_to,
    .bulk_begin = pg_bulk_begin,
    .bulk_row = pg_bulk_row,
    .bulk_end = pg_bulk_end,
    .errmsg = pg_errmsg,
};
