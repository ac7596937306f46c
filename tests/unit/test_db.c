/*
 * test_db.c - the warehouse driver interface (load/db.h), the same tests on
 * every engine: SQLite on a temporary file, PostgreSQL on $CW_PG_URI.
 *
 * `make unit` starts a throwaway PostgreSQL 15 (tests/pg/pg.sh), exports its
 * URI as CW_PG_URI and sets CW_PG_REQUIRED=1: a server that did not start
 * then fails every PostgreSQL test here, it never skips them.  Run by hand
 * without CW_PG_URI, only the SQLite half runs.  Each PostgreSQL test works in
 * a fresh schema (cw_test), so tests do not see each other's tables.
 *
 * Also here: the `?N` scanner (load/sqltext.c), the two engines' schemas
 * compared after install (tables, columns, primary keys, indexes), every
 * shared .sql file (load/sql, transform/sql, reports/sql) prepared on both,
 * and a warehouse of schema version 2 upgraded on each engine.
 */
#include "support.h"
#include "core/sqlset.h"
#include "core/util.h"
#include "load/db.h"
#include "load/sqltext.h"
#include "load/warehouse.h"

#include <glob.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

typedef struct engine {
    const char *name;           /* "sqlite" | "postgresql" */
    char uri[1024];             /* the SQLite file, or the server's URI */
} engine;

static engine sqlite_engine = {"sqlite", ""};
static engine pg_engine = {"postgresql", ""};

static int is_pg(const engine *e) { return strcmp(e->name, "postgresql") == 0; }

/* The repository root (tests run from it; CW_TEST_DATA is ROOT/tests/data). */
static const char *root(void)
{
    static char buf[1024];
    const char *data = getenv("CW_TEST_DATA");
    if (!data)
        return ".";
    snprintf(buf, sizeof(buf), "%s/../..", data);
    return buf;
}

/* A connection in the engine's test area (PostgreSQL: the cw_test schema). */
static cw_db *open_db(const engine *e)
{
    cw_db_target t = {e->uri, NULL, NULL};
    char err[512];
    cw_db *db = NULL;
    if (cw_db_open(&t, CW_DB_READ_WRITE, &db, err, sizeof(err)) != CW_DB_OK)
        fail_msg("%s: %s", e->name, err);
    assert_string_equal(cw_db_dialect(db), e->name);
    if (is_pg(e) && cw_db_exec(db, "SET search_path = cw_test") != CW_DB_OK)
        fail_msg("%s", cw_db_errmsg(db));
    return db;
}

static void exec_ok(cw_db *db, const char *sql)
{
    if (cw_db_exec(db, sql) != CW_DB_OK)
        fail_msg("%s: %s\n%s", cw_db_dialect(db), cw_db_errmsg(db), sql);
}

static cw_stmt *prepare_ok(cw_db *db, const char *sql)
{
    cw_stmt *st = NULL;
    if (cw_db_prepare(db, sql, &st) != CW_DB_OK)
        fail_msg("%s: %s\n%s", cw_db_dialect(db), cw_db_errmsg(db), sql);
    return st;
}

static int64_t query_int(cw_db *db, const char *sql)
{
    int64_t v = -1;
    if (cw_db_query_int(db, sql, &v) != 0)
        fail_msg("%s: %s\n%s", cw_db_dialect(db), cw_db_errmsg(db), sql);
    return v;
}

/* A fresh warehouse for each test: a new SQLite file, an empty schema. */
static int setup(void **state)
{
    engine *e = *state;
    if (is_pg(e)) {
        cw_db_target t = {e->uri, NULL, NULL};
        char err[512];
        cw_db *db;
        if (!e->uri[0])
            fail_msg("CW_PG_URI is required (CW_PG_REQUIRED=1) but not set: the throwaway "
                     "PostgreSQL did not start (tests/pg/pg.sh)");
        if (cw_db_open(&t, CW_DB_READ_WRITE, &db, err, sizeof(err)) != CW_DB_OK)
            fail_msg("the PostgreSQL test server at CW_PG_URI is not usable: %s", err);
        exec_ok(db, "SET client_min_messages = warning;"
                    "DROP SCHEMA IF EXISTS cw_test CASCADE; CREATE SCHEMA cw_test");
        cw_db_close(db);
    } else {
        snprintf(e->uri, sizeof(e->uri), "/tmp/cw_test_db.XXXXXX");
        int fd = mkstemp(e->uri);
        assert_true(fd >= 0);
        close(fd);
        unlink(e->uri);
    }
    return 0;
}

static int teardown(void **state)
{
    engine *e = *state;
    if (!is_pg(e)) {
        char path[1100];
        unlink(e->uri);
        snprintf(path, sizeof(path), "%s-wal", e->uri);
        unlink(path);
        snprintf(path, sizeof(path), "%s-shm", e->uri);
        unlink(path);
    }
    return 0;
}

static int setup_both(void **state)
{
    void *lite = &sqlite_engine, *pg = &pg_engine;
    (void)state;
    return setup(&lite) || setup(&pg);
}

static int teardown_both(void **state)
{
    void *lite = &sqlite_engine;
    (void)state;
    return teardown(&lite);
}

/* ---------------------------------------------------------------- scanner */

/* ?N and ? become $N, but not inside literals, quoted names or comments;
 * n is the highest parameter number (0: none). */
static void test_param_rewrite(void **state)
{
    static const struct { const char *sql, *want; int n; } cases[] = {
        {"SELECT ?1, ?2", "SELECT $1, $2", 2},
        {"x = ?12 AND y = ?3", "x = $12 AND y = $3", 12},
        {"a = ? AND b = ? AND c = ?1", "a = $1 AND b = $2 AND c = $1", 2},
        {"SELECT '?1', 'it''s ?2', ?3", "SELECT '?1', 'it''s ?2', $3", 3},
        {"SELECT \"a?\"\"?\" FROM t WHERE k = ?1", "SELECT \"a?\"\"?\" FROM t WHERE k = $1", 1},
        {"SELECT 1 -- ?1 here\n, ?2", "SELECT 1 -- ?1 here\n, $2", 2},
        {"SELECT /* ?1 /* nested ?2 */ ?3 */ ?4", "SELECT /* ?1 /* nested ?2 */ ?3 */ $4", 4},
        {"SELECT 'unterminated ?1", "SELECT 'unterminated ?1", 0},
        {"", "", 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = -1;
        char *got = cw_sql_rewrite_params(cases[i].sql, &n);
        if (strcmp(got, cases[i].want) != 0 || n != cases[i].n)
            fail_msg("rewrite of [%s]: got [%s] (%d), want [%s] (%d)", cases[i].sql, got, n,
                     cases[i].want, cases[i].n);
        free(got);
    }
}

static void test_statement_splitter(void **state)
{
    const char *sql = "-- head ; comment\n CREATE TABLE a (x TEXT DEFAULT ';');;\n"
                      "/* ; */ INSERT INTO a VALUES ('--;'); SELECT \"x;\" FROM a  \n-- tail;\n";
    const char *want[] = {"CREATE TABLE a (x TEXT DEFAULT ';')", "INSERT INTO a VALUES ('--;')",
                          "SELECT \"x;\" FROM a  \n-- tail;\n"};     /* a comment's ';' is text */
    const char *p = sql, *s;
    size_t len, n = 0;
    (void)state;
    while ((s = cw_sql_next_statement(p, &len))) {
        assert_true(n < 3);
        if (strlen(want[n]) != len || strncmp(s, want[n], len) != 0)
            fail_msg("statement %zu: got [%.*s], want [%s]", n, (int)len, s, want[n]);
        n++;
        p = s + len;
    }
    assert_int_equal(n, 3);
    assert_null(cw_sql_next_statement("  ;\n -- only a comment", &len));
}

/* ---------------------------------------------------------------- statements */

static void test_types_roundtrip(void **state)
{
    engine *e = *state;
    cw_db *db = open_db(e);
    cw_stmt *st;
    const char *text = "it's \"q\" ?1 ; -- caf\xc3\xa9";
    exec_ok(db, "CREATE TABLE t (id BIGINT PRIMARY KEY, n BIGINT, r DOUBLE PRECISION, s TEXT);"
                "CREATE TABLE empty_t (x BIGINT)");
    st = prepare_ok(db, "INSERT INTO t (id, n, r, s) VALUES (?1, ?2, ?3, ?4)");
    assert_int_equal(cw_db_bind_int(st, 1, 1), CW_DB_OK);
    assert_int_equal(cw_db_bind_int(st, 2, INT64_MAX), CW_DB_OK);
    assert_int_equal(cw_db_bind_real(st, 3, 0.1), CW_DB_OK);
    assert_int_equal(cw_db_bind_text(st, 4, text, strlen(text)), CW_DB_OK);
    assert_int_equal(cw_db_step(st), CW_DB_DONE);
    assert_int_equal(cw_db_reset(st), CW_DB_OK);
    /* a reused statement: other kinds in the same slots (NULLs, a short text) */
    assert_int_equal(cw_db_bind_int(st, 1, 2), CW_DB_OK);
    assert_int_equal(cw_db_bind_int(st, 2, INT64_MIN), CW_DB_OK);
    assert_int_equal(cw_db_bind_null(st, 3), CW_DB_OK);
    assert_int_equal(cw_db_bind_text(st, 4, "xyz", 2), CW_DB_OK);
    assert_int_equal(cw_db_step(st), CW_DB_DONE);
    cw_db_reset(st);
    assert_int_equal(cw_db_bind_int(st, 1, 3), CW_DB_OK);
    assert_int_equal(cw_db_bind_null(st, 2), CW_DB_OK);
    assert_int_equal(cw_db_bind_real(st, 3, -1e300), CW_DB_OK);
    assert_int_equal(cw_db_bind_str(st, 4, NULL), CW_DB_OK);
    assert_int_equal(cw_db_step(st), CW_DB_DONE);
    cw_db_reset(st);
    assert_int_equal(cw_db_bind_int(st, 1, 4), CW_DB_OK);
    assert_int_equal(cw_db_bind_time(st, 2, (int64_t)4102444800LL * 2), CW_DB_OK);  /* > 2^32 */
    assert_int_equal(cw_db_bind_real(st, 3, 2.5), CW_DB_OK);
    assert_int_equal(cw_db_bind_text(st, 4, "", 0), CW_DB_OK);
    assert_int_equal(cw_db_step(st), CW_DB_DONE);
    cw_db_finalize(st);

    st = prepare_ok(db, "SELECT id, n, r, s FROM t ORDER BY id");
    assert_int_equal(cw_db_column_count(st), 4);
    assert_int_equal(cw_db_step(st), CW_DB_ROW);
    assert_string_equal(cw_db_column_name(st, 2), "r");
    assert_int_equal(cw_db_column_type(st, 0), CW_DB_INT);
    assert_int_equal(cw_db_column_int(st, 0), 1);
    assert_int_equal(cw_db_column_type(st, 1), CW_DB_INT);
    assert_true(cw_db_column_int(st, 1) == INT64_MAX);
    assert_int_equal(cw_db_column_type(st, 2), CW_DB_REAL);
    assert_true(cw_db_column_real(st, 2) == 0.1);
    assert_int_equal(cw_db_column_type(st, 3), CW_DB_TEXT);
    assert_string_equal(cw_db_column_text(st, 3), text);
    assert_int_equal(cw_db_step(st), CW_DB_ROW);
    assert_true(cw_db_column_int(st, 1) == INT64_MIN);
    assert_int_equal(cw_db_column_type(st, 2), CW_DB_NULL);
    assert_null(cw_db_column_text(st, 2));
    assert_string_equal(cw_db_column_text(st, 3), "xy");
    assert_int_equal(cw_db_step(st), CW_DB_ROW);
    assert_int_equal(cw_db_column_type(st, 1), CW_DB_NULL);
    assert_true(cw_db_column_real(st, 2) == -1e300);
    assert_int_equal(cw_db_column_type(st, 3), CW_DB_NULL);
    assert_int_equal(cw_db_step(st), CW_DB_ROW);
    assert_true(cw_db_column_int(st, 1) == (int64_t)4102444800LL * 2);
    assert_int_equal(cw_db_column_type(st, 3), CW_DB_TEXT);       /* '' is not NULL */
    assert_string_equal(cw_db_column_text(st, 3), "");
    assert_int_equal(cw_db_step(st), CW_DB_DONE);
    cw_db_finalize(st);

    /* an integer parameter in arithmetic stays 64-bit */
    st = prepare_ok(db, "SELECT n + ?1 AS later, ?2 * 2 AS twice FROM t WHERE id = 4");
    cw_db_bind_int(st, 1, 3600);
    cw_db_bind_int(st, 2, (int64_t)1 << 40);
    assert_int_equal(cw_db_step(st), CW_DB_ROW);
    assert_true(cw_db_column_int(st, 0) == (int64_t)4102444800LL * 2 + 3600);
    assert_true(cw_db_column_int(st, 1) == (int64_t)1 << 41);
    cw_db_finalize(st);

    /* kinds as SQLite gives them: a sum of integers is an integer, an
     * average a real, a comparison 0 or 1; names known before the first step */
    st = prepare_ok(db, "SELECT SUM(id) AS total, AVG(id) AS mean, COUNT(*) AS n, "
                        "MAX(id) = 4 AS top FROM t");
    assert_int_equal(cw_db_column_count(st), 4);
    assert_string_equal(cw_db_column_name(st, 1), "mean");
    assert_int_equal(cw_db_step(st), CW_DB_ROW);
    assert_int_equal(cw_db_column_type(st, 0), CW_DB_INT);
    assert_int_equal(cw_db_column_int(st, 0), 10);
    assert_int_equal(cw_db_column_type(st, 1), CW_DB_REAL);
    assert_true(cw_db_column_real(st, 1) == 2.5);
    assert_int_equal(cw_db_column_type(st, 2), CW_DB_INT);
    assert_int_equal(cw_db_column_int(st, 3), 1);
    assert_string_equal(cw_db_column_text(st, 3), "1");
    cw_db_finalize(st);

    st = prepare_ok(db, "SELECT x FROM empty_t");
    assert_int_equal(cw_db_step(st), CW_DB_DONE);
    cw_db_finalize(st);
    exec_ok(db, "");
    exec_ok(db, "  -- nothing but a comment\n");
    assert_int_equal(query_int(db, "SELECT COUNT(*) FROM t WHERE s IS NULL"), 1);
    cw_db_close(db);
}

/* `?` inside literals, quoted identifiers and comments is not a parameter. */
static void test_params_outside_literals(void **state)
{
    engine *e = *state;
    cw_db *db = open_db(e);
    cw_stmt *st = prepare_ok(db, "SELECT 'it''s ?1; -- no' AS a, CAST(?2 AS BIGINT) + ?1 AS b, "
                                 "\"q?\" AS c /* ?3 */ FROM (SELECT 7 AS \"q?\") x -- ?4\n");
    assert_int_equal(cw_db_bind_int(st, 1, 40), CW_DB_OK);
    assert_int_equal(cw_db_bind_int(st, 2, 2), CW_DB_OK);
    assert_int_not_equal(cw_db_bind_int(st, 3, 2), CW_DB_OK);          /* only two */
    assert_int_equal(cw_db_step(st), CW_DB_ROW);
    assert_string_equal(cw_db_column_text(st, 0), "it's ?1; -- no");
    assert_int_equal(cw_db_column_int(st, 1), 42);
    assert_int_equal(cw_db_column_int(st, 2), 7);
    assert_int_equal(cw_db_step(st), CW_DB_DONE);
    cw_db_finalize(st);

    /* the portable null test of a parameter: CAST(?n AS TEXT) IS NULL */
    st = prepare_ok(db, "SELECT CASE WHEN CAST(?1 AS TEXT) IS NULL THEN 'none' ELSE ?1 END");
    cw_db_bind_null(st, 1);
    assert_int_equal(cw_db_step(st), CW_DB_ROW);
    assert_string_equal(cw_db_column_text(st, 0), "none");
    cw_db_reset(st);
    cw_db_bind_str(st, 1, "some");
    assert_int_equal(cw_db_step(st), CW_DB_ROW);
    assert_string_equal(cw_db_column_text(st, 0), "some");
    cw_db_finalize(st);
    cw_db_close(db);
}

static int insert_u(cw_db *db, const char *k, int64_t n)
{
    cw_stmt *st = prepare_ok(db, "INSERT INTO u (k, n) VALUES (?1, ?2)");
    int rc;
    cw_db_bind_str(st, 1, k);
    cw_db_bind_int(st, 2, n);
    rc = cw_db_step(st);
    cw_db_finalize(st);
    return rc;
}

static void test_constraint_violations(void **state)
{
    engine *e = *state;
    cw_db *db = open_db(e);
    exec_ok(db, "CREATE TABLE u (k TEXT NOT NULL UNIQUE, n BIGINT CHECK (n >= 0))");
    assert_int_equal(insert_u(db, "a", 1), CW_DB_DONE);
    assert_int_equal(insert_u(db, "a", 2), CW_DB_CONSTRAINT);          /* unique */
    assert_true(strlen(cw_db_errmsg(db)) > 0);
    assert_int_equal(insert_u(db, NULL, 2), CW_DB_CONSTRAINT);         /* not null */
    assert_int_equal(insert_u(db, "b", -1), CW_DB_CONSTRAINT);         /* check */
    if (is_pg(e)) {
        /* a value of the wrong type (SQLite stores it as it is) */
        cw_stmt *st = prepare_ok(db, "INSERT INTO u (k, n) VALUES ('c', ?1)");
        cw_db_bind_str(st, 1, "not a number");
        assert_int_equal(cw_db_step(st), CW_DB_CONSTRAINT);
        cw_db_finalize(st);
    }
    /* a syntax error is not a constraint */
    assert_int_equal(cw_db_exec(db, "INSERT INTO nowhere VALUES (1)"), CW_DB_ERROR);
    assert_int_equal(query_int(db, "SELECT COUNT(*) FROM u"), 1);
    cw_db_close(db);
}

static void test_transactions_and_savepoints(void **state)
{
    engine *e = *state;
    cw_db *db = open_db(e);
    exec_ok(db, "CREATE TABLE u (k TEXT NOT NULL UNIQUE, n BIGINT CHECK (n >= 0))");
    assert_int_equal(cw_db_begin(db), CW_DB_OK);
    assert_true(cw_db_begin(db) < 0);                   /* no transaction inside one */
    assert_int_equal(insert_u(db, "one", 1), CW_DB_DONE);
    assert_int_equal(cw_db_savepoint(db, "cw_record"), CW_DB_OK);
    assert_int_equal(insert_u(db, "two", 2), CW_DB_DONE);
    assert_int_equal(cw_db_rollback_to(db, "cw_record"), CW_DB_OK);
    assert_int_equal(cw_db_release(db, "cw_record"), CW_DB_OK);
    /* a refused record inside a savepoint: roll it back, the batch goes on */
    assert_int_equal(cw_db_savepoint(db, "cw_record"), CW_DB_OK);
    assert_int_equal(insert_u(db, "one", 3), CW_DB_CONSTRAINT);
    assert_int_equal(cw_db_rollback_to(db, "cw_record"), CW_DB_OK);
    assert_int_equal(cw_db_release(db, "cw_record"), CW_DB_OK);
    assert_int_equal(insert_u(db, "three", 3), CW_DB_DONE);
    assert_int_equal(cw_db_commit(db), CW_DB_OK);
    assert_int_equal(query_int(db, "SELECT COUNT(*) FROM u"), 2);
    assert_int_equal(query_int(db, "SELECT SUM(n) FROM u"), 4);
    /* a rolled-back batch leaves nothing; rollback without a transaction is fine */
    assert_int_equal(cw_db_begin(db), CW_DB_OK);
    assert_int_equal(insert_u(db, "four", 4), CW_DB_DONE);
    assert_int_equal(cw_db_rollback(db), CW_DB_OK);
    assert_int_equal(cw_db_rollback(db), CW_DB_OK);
    assert_int_equal(query_int(db, "SELECT COUNT(*) FROM u"), 2);
    cw_db_close(db);
}

/* A statement refused inside a transaction is undone alone and the
 * transaction goes on, on every engine (SQLite does so by itself; a failed
 * statement would abort a whole PostgreSQL transaction): the loader turns
 * CW_DB_CONSTRAINT into a reject of that one record and loads the rest of
 * the batch. */
static void test_refused_statement_in_transaction(void **state)
{
    engine *e = *state;
    cw_db *db = open_db(e);
    cw_stmt *st = NULL;
    exec_ok(db, "CREATE TABLE u (k TEXT NOT NULL UNIQUE, n BIGINT CHECK (n >= 0))");
    assert_int_equal(cw_db_begin(db), CW_DB_OK);
    assert_int_equal(insert_u(db, "one", 1), CW_DB_DONE);
    assert_int_equal(insert_u(db, "one", 2), CW_DB_CONSTRAINT);        /* unique */
    assert_int_equal(insert_u(db, NULL, 2), CW_DB_CONSTRAINT);         /* not null */
    /* one prepared statement, refused and then used again */
    st = prepare_ok(db, "INSERT INTO u (k, n) VALUES (?1, ?2) RETURNING n");
    cw_db_bind_str(st, 1, "two");
    cw_db_bind_int(st, 2, -2);
    assert_int_equal(cw_db_step(st), CW_DB_CONSTRAINT);                /* check */
    cw_db_reset(st);
    cw_db_bind_str(st, 1, "two");
    cw_db_bind_int(st, 2, 2);
    assert_int_equal(cw_db_step(st), CW_DB_ROW);
    assert_int_equal(cw_db_column_int(st, 0), 2);
    assert_int_equal(cw_db_step(st), CW_DB_DONE);
    cw_db_finalize(st);
    if (is_pg(e)) {
        /* text that is not UTF-8 (SQLite stores the bytes as they are) */
        assert_int_equal(insert_u(db, "caf\xe9", 5), CW_DB_CONSTRAINT);
    }
    /* a statement whose parameter only the bound value types, prepared here */
    st = prepare_ok(db, "SELECT ?1 IS NULL");
    cw_db_bind_int(st, 1, 7);
    assert_int_equal(cw_db_step(st), CW_DB_ROW);
    assert_int_equal(cw_db_column_int(st, 0), 0);
    cw_db_finalize(st);
    /* an error that is not a constraint leaves the transaction usable too */
    assert_int_equal(cw_db_prepare(db, "SELECT x FROM nowhere", &st), CW_DB_ERROR);
    assert_null(st);
    assert_int_equal(insert_u(db, "three", 3), CW_DB_DONE);
    assert_int_equal(cw_db_commit(db), CW_DB_OK);
    assert_int_equal(query_int(db, "SELECT COUNT(*) FROM u"), 3);
    assert_int_equal(query_int(db, "SELECT SUM(n) FROM u"), 6);
    cw_db_close(db);
}

static void test_changes(void **state)
{
    engine *e = *state;
    cw_db *db = open_db(e);
    cw_stmt *st;
    exec_ok(db, "CREATE TABLE c (k BIGINT PRIMARY KEY, v TEXT)");
    exec_ok(db, "INSERT INTO c (k, v) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    assert_int_equal(cw_db_changes(db), 3);
    st = prepare_ok(db, "UPDATE c SET v = ?1 WHERE k >= ?2");
    cw_db_bind_str(st, 1, "z");
    cw_db_bind_int(st, 2, 2);
    assert_int_equal(cw_db_step(st), CW_DB_DONE);
    cw_db_finalize(st);
    assert_int_equal(cw_db_changes(db), 2);
    /* a SELECT writes nothing and leaves the count alone */
    assert_int_equal(query_int(db, "SELECT COUNT(*) FROM c"), 3);
    assert_int_equal(cw_db_changes(db), 2);
    /* an upsert that finds the row as it was writes nothing */
    st = prepare_ok(db, "INSERT INTO c (k, v) VALUES (?1, ?2) ON CONFLICT (k) DO UPDATE "
                        "SET v = excluded.v WHERE c.v IS DISTINCT FROM excluded.v");
    cw_db_bind_int(st, 1, 1);
    cw_db_bind_str(st, 2, "a");
    assert_int_equal(cw_db_step(st), CW_DB_DONE);
    assert_int_equal(cw_db_changes(db), 0);
    cw_db_reset(st);
    cw_db_bind_int(st, 1, 1);
    cw_db_bind_str(st, 2, "new");
    assert_int_equal(cw_db_step(st), CW_DB_DONE);
    assert_int_equal(cw_db_changes(db), 1);
    cw_db_finalize(st);
    /* RETURNING hands back the new row's key */
    st = prepare_ok(db, "INSERT INTO c (k, v) VALUES (?1, 'r') RETURNING k");
    cw_db_bind_int(st, 1, 9);
    assert_int_equal(cw_db_step(st), CW_DB_ROW);
    assert_int_equal(cw_db_column_int(st, 0), 9);
    assert_int_equal(cw_db_step(st), CW_DB_DONE);
    cw_db_finalize(st);
    exec_ok(db, "DELETE FROM c WHERE k > 100");
    assert_int_equal(cw_db_changes(db), 0);
    cw_db_close(db);
}

/* ---------------------------------------------------------------- bulk */

static void test_bulk_append(void **state)
{
    engine *e = *state;
    cw_db *db = open_db(e);
    static const char *const cols[] = {"id", "s", "r"};
    static const char *const texts[] = {"tab\there", "new\nline\r\nand cr", "back\\slash \\N \\t",
                                        NULL, "", "\\N", "caf\xc3\xa9 \"q\" 'a'"};
    const int n = (int)(sizeof(texts) / sizeof(texts[0]));
    cw_bulk *b;
    cw_stmt *st;
    int rc;
    exec_ok(db, "CREATE TABLE staging (id BIGINT NOT NULL, s TEXT, r DOUBLE PRECISION)");
    assert_int_equal(cw_db_begin(db), CW_DB_OK);
    assert_int_equal(cw_db_bulk_begin(db, "staging", cols, 3, &b), CW_DB_OK);
    for (int i = 0; i < n; i++) {
        cw_db_value v[3] = {{CW_DB_INT, (int64_t)1 << 40 | i, 0, NULL},
                            {texts[i] ? CW_DB_TEXT : CW_DB_NULL, 0, 0, texts[i]},
                            {i % 2 ? CW_DB_NULL : CW_DB_REAL, 0, i / 4.0, NULL}};
        assert_int_equal(cw_db_bulk_row(b, v), CW_DB_OK);
    }
    assert_int_equal(cw_db_bulk_end(b), CW_DB_OK);
    assert_int_equal(cw_db_commit(db), CW_DB_OK);

    st = prepare_ok(db, "SELECT id, s, r FROM staging ORDER BY id");
    for (int i = 0; i < n; i++) {
        assert_int_equal(cw_db_step(st), CW_DB_ROW);
        assert_true(cw_db_column_int(st, 0) == ((int64_t)1 << 40 | i));
        if (texts[i])
            assert_string_equal(cw_db_column_text(st, 1), texts[i]);
        else
            assert_int_equal(cw_db_column_type(st, 1), CW_DB_NULL);
        if (i % 2)
            assert_int_equal(cw_db_column_type(st, 2), CW_DB_NULL);
        else
            assert_true(cw_db_column_real(st, 2) == i / 4.0);
    }
    assert_int_equal(cw_db_step(st), CW_DB_DONE);
    cw_db_finalize(st);

    /* a row the schema refuses fails the append, at the row or at its end */
    assert_int_equal(cw_db_begin(db), CW_DB_OK);
    assert_int_equal(cw_db_bulk_begin(db, "staging", cols, 3, &b), CW_DB_OK);
    {
        cw_db_value v[3] = {{CW_DB_NULL, 0, 0, NULL}, {CW_DB_TEXT, 0, 0, "x"}, {CW_DB_NULL, 0, 0, NULL}};
        rc = cw_db_bulk_row(b, v);
        int end = cw_db_bulk_end(b);
        assert_int_equal(rc == CW_DB_OK ? end : rc, CW_DB_CONSTRAINT);
    }
    assert_int_equal(cw_db_rollback(db), CW_DB_OK);
    assert_int_equal(query_int(db, "SELECT COUNT(*) FROM staging"), n);
    cw_db_close(db);
}

/* ---------------------------------------------------------------- the writer lock */

typedef struct second_writer {
    cw_db *db;
    int rc;
    volatile int done;
} second_writer;

static void *begin_in_thread(void *arg)
{
    second_writer *w = arg;
    w->rc = cw_db_begin(w->db);
    w->done = 1;
    return NULL;
}

/* One writer at a time.  PostgreSQL refuses a second writer at once
 * (CW_DB_BUSY, "another catwalk run ..."); SQLite makes it wait for the
 * first to finish (up to its busy timeout, then CW_DB_BUSY). */
static void test_writer_lock(void **state)
{
    engine *e = *state;
    cw_db *db1 = open_db(e), *db2;
    exec_ok(db1, "CREATE TABLE w (x BIGINT)");
    db2 = open_db(e);
    assert_int_equal(cw_db_begin(db1), CW_DB_OK);
    exec_ok(db1, "INSERT INTO w VALUES (1)");
    if (is_pg(e)) {
        assert_int_equal(cw_db_begin(db2), CW_DB_BUSY);
        if (!strstr(cw_db_errmsg(db2), "another catwalk run holds the warehouse"))
            fail_msg("unclear message: %s", cw_db_errmsg(db2));
        /* readers are not blocked, and see only committed rows */
        assert_int_equal(query_int(db2, "SELECT COUNT(*) FROM w"), 0);
        assert_int_equal(cw_db_commit(db1), CW_DB_OK);
        assert_int_equal(cw_db_begin(db2), CW_DB_OK);
        assert_int_equal(cw_db_begin(db1), CW_DB_BUSY);
        assert_int_equal(cw_db_rollback(db2), CW_DB_OK);
    } else {
        second_writer w = {db2, 99, 0};
        pthread_t t;
        struct timespec pause = {0, 300 * 1000 * 1000};
        assert_int_equal(pthread_create(&t, NULL, begin_in_thread, &w), 0);
        nanosleep(&pause, NULL);
        assert_false(w.done);                   /* waiting for the first writer */
        assert_int_equal(cw_db_commit(db1), CW_DB_OK);
        pthread_join(t, NULL);
        assert_int_equal(w.rc, CW_DB_OK);
        assert_int_equal(cw_db_rollback(db2), CW_DB_OK);
    }
    cw_db_close(db2);
    cw_db_close(db1);
}

/* ---------------------------------------------------------------- schema and shared SQL */

/* The engine's DDL, as cw_wh_open installs it (load/sql/schema.sql with
 * the engine's types.sql). */
static char *schema_text(const engine *e)
{
    char *text = cw_wh_schema_sql(e->name);
    if (!text)
        fail_msg("no schema for %s", e->name);
    return text;
}

static void install_schema(const engine *e, cw_db *db)
{
    char *schema = schema_text(e);
    exec_ok(db, schema);
    free(schema);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every row of a query as "col0 col1 ...", sorted in C (collations differ). */
static cw_strlist rows_of(cw_db *db, const char *sql)
{
    cw_strlist out = {NULL, 0};
    cw_stmt *st = prepare_ok(db, sql);
    int rc;
    while ((rc = cw_db_step(st)) == CW_DB_ROW) {
        cw_buf line = {0};
        for (int c = 0; c < cw_db_column_count(st); c++) {
            const char *v = cw_db_column_text(st, c);
            cw_buf_printf(&line, "%s%s", c ? " " : "", v ? v : "NULL");
        }
        out.items = cw_xrealloc(out.items, (out.n + 1) * sizeof(char *));
        out.items[out.n++] = line.data;
    }
    assert_int_equal(rc, CW_DB_DONE);
    cw_db_finalize(st);
    qsort(out.items, out.n, sizeof(char *), cmp_str);
    return out;
}

static void expect_same(const char *what, cw_strlist *a, cw_strlist *b)
{
    size_t i = 0, j = 0;
    int diff = 0;
    while (i < a->n || j < b->n) {
        int c = i == a->n ? 1 : j == b->n ? -1 : strcmp(a->items[i], b->items[j]);
        if (c < 0)
            print_error("%s only in sqlite: %s\n", what, a->items[i++]), diff++;
        else if (c > 0)
            print_error("%s only in postgresql: %s\n", what, b->items[j++]), diff++;
        else
            i++, j++;
    }
    assert_true(a->n > 0);
    if (diff)
        fail_msg("the two schemas differ in %d %s", diff, what);
    cw_strlist_free(a);
    cw_strlist_free(b);
}

/* How each engine reports the shape of its installed schema, one query a
 * part, each row led by its part: columns in order with their primary-key
 * flag, named indexes, UNIQUE constraints (the natural keys every upsert
 * relies on); PostgreSQL also lists its foreign keys, which SQLite keeps
 * outside its schema tables. */
enum { SHAPE_COLUMNS, SHAPE_INDEXES, SHAPE_UNIQUE, SHAPE_FOREIGN };

static const char *const shape_lite[] = {
    [SHAPE_COLUMNS] = "SELECT 'column', m.name, p.cid, p.name, p.pk > 0 FROM sqlite_master m "
                      "JOIN pragma_table_info(m.name) p WHERE m.type = 'table'",
    [SHAPE_INDEXES] = "SELECT 'index', m.name, m.tbl_name, m.sql LIKE '% WHERE %' FROM sqlite_master m "
                      "WHERE m.type = 'index' AND m.name NOT LIKE 'sqlite_autoindex%'",
    [SHAPE_UNIQUE] = "SELECT 'unique', m.name, "
                     "(SELECT group_concat(name, ',') FROM pragma_index_info(l.name)) "
                     "FROM sqlite_master m JOIN pragma_index_list(m.name) l "
                     "WHERE m.type = 'table' AND l.origin = 'u'",
};

#define PG_CONSTRAINT_COLUMNS(kind, type) \
    "SELECT '" kind "', t.relname, string_agg(a.attname, ',' ORDER BY k.n) " \
    "FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid " \
    "JOIN pg_namespace s ON s.oid = t.relnamespace " \
    "CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(att, n) " \
    "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.att " \
    "WHERE c.contype = '" type "' AND s.nspname = current_schema() " \
    "GROUP BY c.oid, t.relname"

static const char *const shape_pg[] = {
    /* the place among the columns there are: a column dropped and added
     * again leaves a gap in ordinal_position */
    [SHAPE_COLUMNS] = "SELECT 'column', c.table_name,"
                      " row_number() OVER (PARTITION BY c.table_name ORDER BY c.ordinal_position) - 1,"
                      " c.column_name, "
                      "CAST(k.column_name IS NOT NULL AS INTEGER) "
                      "FROM information_schema.columns c LEFT JOIN ("
                      "  SELECT u.table_name, u.column_name FROM information_schema.table_constraints t"
                      "  JOIN information_schema.key_column_usage u"
                      "   ON u.constraint_name = t.constraint_name AND u.table_schema = t.table_schema"
                      "  WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = current_schema()"
                      ") k ON k.table_name = c.table_name AND k.column_name = c.column_name "
                      "WHERE c.table_schema = current_schema()",
    [SHAPE_INDEXES] = "SELECT 'index', indexname, tablename, CAST(indexdef LIKE '% WHERE %' AS INTEGER) "
                      "FROM pg_indexes WHERE schemaname = current_schema() "
                      "AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key'",
    [SHAPE_UNIQUE] = PG_CONSTRAINT_COLUMNS("unique", "u"),
    [SHAPE_FOREIGN] = PG_CONSTRAINT_COLUMNS("foreign", "f"),
};

/* Same tables, columns (in order), primary keys, named indexes and UNIQUE
 * constraints on both engines, read back from the installed schemas. */
static void test_schemas_match(void **state)
{
    static const char *const what[] = {"columns", "indexes", "unique keys"};
    cw_db *lite, *pg;
    (void)state;
    lite = open_db(&sqlite_engine);
    pg = open_db(&pg_engine);
    install_schema(&sqlite_engine, lite);
    install_schema(&pg_engine, pg);
    for (int q = SHAPE_COLUMNS; q <= SHAPE_UNIQUE; q++) {
        cw_strlist a = rows_of(lite, shape_lite[q]), b = rows_of(pg, shape_pg[q]);
        expect_same(what[q], &a, &b);
    }
    cw_db_close(pg);
    cw_db_close(lite);
}

/* The shape of a schema as this engine reports it (every query above, the
 * foreign keys too on PostgreSQL), one sorted list. */
static cw_strlist schema_shape(const engine *e, cw_db *db)
{
    size_t n = is_pg(e) ? sizeof shape_pg / sizeof shape_pg[0] : sizeof shape_lite / sizeof shape_lite[0];
    cw_strlist all = {NULL, 0};
    for (size_t q = 0; q < n; q++) {
        cw_strlist part = rows_of(db, is_pg(e) ? shape_pg[q] : shape_lite[q]);
        for (size_t i = 0; i < part.n; i++) {
            all.items = cw_xrealloc(all.items, (all.n + 1) * sizeof(char *));
            all.items[all.n++] = part.items[i];
        }
        free(part.items);
    }
    qsort(all.items, all.n, sizeof(char *), cmp_str);
    return all;
}

/* A warehouse of schema version 2, the release before natural keys started
 * with the application: on SQLite the file its DDL wrote
 * (tests/data/warehouse/v2.db), on PostgreSQL a new warehouse taken back by
 * the inverse of versions 5, 4 and 3 (tests/data/warehouse/v5-to-v2-postgresql.sql).
 * v2_data fills it with one of each fact, mapped and unmapped (NULL), with
 * derived rows naming them. */
static const char v2_data[] =
    "INSERT INTO schema_version (version) VALUES (2);"
    "INSERT INTO dim_source (source_id, name, type) VALUES"
    "  (1, 'jira', 'jira'), (2, 'git', 'git'), (3, 'ci', 'jenkins'), (4, 'snow', 'servicenow');"
    "INSERT INTO dim_application (application_id, name) VALUES (1, 'pay');"
    "INSERT INTO map_project VALUES ('PAY', 1);"
    "INSERT INTO map_repository VALUES ('pay-api', 1);"
    "INSERT INTO map_service VALUES ('pay-svc', 1);"
    "INSERT INTO map_job VALUES ('^(?:deploy-pay)$', 1, 0);"
    "INSERT INTO map_job_resolved VALUES ('deploy-pay', 1);"
    "INSERT INTO dim_environment VALUES (1, 'production', 1);"
    "INSERT INTO dim_work_item (work_item_id, item_key, project, source_id, application_id,"
    "  created_at) VALUES (1, 'PAY-1', 'PAY', 1, 1, 100), (2, 'OPS-1', 'OPS', 1, NULL, 100);"
    "INSERT INTO fact_transition VALUES (1, 200, 'h1', 'To Do', 'Done'),"
    "  (2, 200, 'h2', 'To Do', 'Done');"
    "INSERT INTO fact_commit (commit_id, repository, sha, application_id, authored_at) VALUES"
    "  (1, 'pay-api', 'a1', 1, 150), (2, 'other', 'b1', NULL, 150);"
    "INSERT INTO fact_build (build_id, source_id, job, number, application_id, result,"
    "  started_at, finished_at, revision, is_deployment, environment_id) VALUES"
    "  (1, 3, 'deploy-pay', 1, 1, 'success', 290, 300, 'a1', 1, 1),"
    "  (2, 3, 'other', 1, NULL, 'success', 290, 300, 'b1', 0, NULL);"
    "INSERT INTO fact_build_revision VALUES (1, 0, NULL, 'a1'), (2, 0, NULL, 'b1');"
    "INSERT INTO fact_deployment (deployment_id, build_id, application_id, environment_id,"
    "  is_production, result, started_at, finished_at, revision, run_number) VALUES"
    "  (1, 1, 1, 1, 1, 'success', 290, 300, 'a1', 1);"
    "INSERT INTO fact_deployment_status VALUES (3, 'deploy-pay', 1, 10, 'success', 300);"
    "INSERT INTO fact_pull_request (pull_request_id, source_id, repository, number, created_at)"
    "  VALUES (1, 2, 'pay-api', 5, 120), (2, 2, 'other', 6, 120);"
    "INSERT INTO fact_incident (incident_id, source_id, external_id, application_id, service,"
    "  created_at) VALUES (1, 4, 'INC1', 1, 'pay-svc', 400), (2, 4, 'INC2', NULL, 'x', 400);"
    "INSERT INTO derived_deployment VALUES (1, 1, 1, 1);"
    "INSERT INTO bridge_deployment_commit VALUES (1, 1, 1, 0, NULL);"
    "INSERT INTO derived_incident VALUES (1, 1, 'window'), (2, NULL, 'none');";

/* v2_data after the upgrade, and after its records load again: each table's
 * "application rows" pairs.  The unmapped rows (NULL) are under 0 and the
 * mapped ones under 1; the facts that gained the column took their
 * parent's: the OPS-1 transition 0, build 2's revision 0. */
static const char v3_facts[] =
    "transition: 0 1 1 1 commit: 0 1 1 1 build: 0 1 1 1 build_revision: 0 1 1 1"
    " deployment: 1 1 deployment_status: 1 1 pull_request: 0 1 1 1 incident: 0 1 1 1";

/* Rows per application of every fact table: "table app=rows ..." sorted. */
static char *facts_by_application(cw_db *db)
{
    static const char *const tables[] = {
        "fact_transition", "fact_commit", "fact_build", "fact_build_revision", "fact_deployment",
        "fact_deployment_status", "fact_pull_request", "fact_incident",
    };
    cw_buf out = {0};
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        char sql[200];
        snprintf(sql, sizeof(sql), "SELECT application_id, count(*) FROM %s"
                 " GROUP BY application_id ORDER BY application_id", tables[i]);
        cw_strlist rows = rows_of(db, sql);
        cw_buf_printf(&out, "%s%s:", i ? " " : "", tables[i] + 5);
        for (size_t r = 0; r < rows.n; r++)
            cw_buf_printf(&out, " %s", rows.items[r]);
        cw_strlist_free(&rows);
    }
    return out.data;
}

/* The records of v2_data, as a loader would send them again. */
static void reload_v2_records(cw_warehouse *wh)
{
    cw_origin o = { "x", "/landing/1/x", 1 };
    cw_build_revision rev = { NULL, "a1" };
    cw_build b = { .origin = o, .job = "deploy-pay", .number = 1, .result = "success",
                   .started_at = 290, .finished_at = 300, .revision = "a1",
                   .revisions = &rev, .n_revisions = 1, .is_deployment = 1,
                   .environment = "production", .is_production = 1 };
    cw_commit c = { .origin = o, .repository = "other", .sha = "b1", .parents = "",
                    .authored_at = 150, .committed_at = CW_NO_TIME, .additions = -1,
                    .deletions = -1, .files_changed = -1 };
    cw_transition t = { .origin = o, .item_key = "OPS-1", .history_id = "h2", .at = 200,
                        .from_status = "To Do", .to_status = "Done" };
    cw_deployment_status st = { .origin = o, .job = "deploy-pay", .number = 1, .status_id = 10,
                                .state = "success", .created_at = 300 };
    cw_pull_request pr = { .origin = o, .repository = "pay-api", .number = 5, .created_at = 120,
                           .updated_at = CW_NO_TIME, .closed_at = CW_NO_TIME,
                           .merged_at = CW_NO_TIME };
    cw_incident inc = { .origin = o, .id = "INC1", .service = "pay-svc", .created_at = 400,
                        .resolved_at = CW_NO_TIME, .updated_at = CW_NO_TIME, .version = -1 };
    const cw_test_batch again = { .transitions = &t, .n_transitions = 1, .commits = &c,
                                  .n_commits = 1, .builds = &b, .n_builds = 1, .statuses = &st,
                                  .n_statuses = 1, .pulls = &pr, .n_pulls = 1, .incidents = &inc,
                                  .n_incidents = 1 };
    b.origin.source = st.origin.source = "ci";
    c.origin.source = pr.origin.source = "git";
    t.origin.source = "jira";
    inc.origin.source = "snow";
    cw_test_send(cw_wh_sink(wh), &again);
    assert_int_equal(cw_wh_stats(wh)->rows_rejected, 0);
}

/* Version 2 -> 3: the first batch rebuilds every fact's key with the
 * application first, a NULL application becoming 0 and the facts that gain
 * the column taking their parent's; ids, derived rows and foreign keys stay
 * as they were; the records load again into the same rows; the schema is
 * then the one a new warehouse gets. */
static void test_schema_v2_upgraded(void **state)
{
    const engine *e = *state;
    char path[1200], uri[1200], *v2, *facts;
    static char *projects[] = { "PAY" }, *repos[] = { "pay-api" }, *jobs[] = { "deploy-pay" };
    static char *services[] = { "pay-svc" };
    cw_application app = { .name = "pay", .projects = { projects, 1 },
                           .repositories = { repos, 1 }, .jobs = { jobs, 1 },
                           .services = { services, 1 } };
    cw_config cfg = { .path = "test.ini", .apps = &app, .n_apps = 1 };
    cw_warehouse *wh;
    cw_db *db = open_db(e), *fresh;
    cw_strlist a, b;

    if (is_pg(e)) {
        install_schema(e, db);
        snprintf(path, sizeof(path), "%s/tests/data/warehouse/v5-to-v2-postgresql.sql", root());
        v2 = cw_read_file(path, NULL);
        assert_non_null(v2);
        exec_ok(db, v2);
        free(v2);
    } else {
        cw_db_close(db);
        cw_copy_test_data("warehouse/v2.db", e->uri);
        db = open_db(e);
    }
    exec_ok(db, v2_data);
    cw_db_close(db);

    /* PostgreSQL: the test schema, as a libpq option of the URI */
    snprintf(uri, sizeof(uri), "%s%s", e->uri,
             is_pg(e) ? "&options=-csearch_path%3Dcw_test" : "");
    assert_int_equal(cw_wh_open(&(cw_db_target){ uri, NULL, NULL }, &wh), 0);
    db = cw_wh_db(wh);
    assert_int_equal(query_int(db, "SELECT version FROM schema_version"), 2);
    assert_int_equal(cw_wh_batch_begin(wh, NULL, NULL), 0);
    assert_int_equal(query_int(db, "SELECT version FROM schema_version"), CW_SCHEMA_VERSION);
    facts = facts_by_application(db);
    assert_string_equal(facts, v3_facts);
    free(facts);
    assert_int_equal(query_int(db, "SELECT count(*) FROM derived_incident"), 2);
    assert_int_equal(query_int(db, "SELECT count(*) FROM bridge_deployment_commit"), 1);
    assert_int_equal(query_int(db, "SELECT sum(commit_id) * 10 + sum(incident_id) FROM"
                                   " (SELECT commit_id, 0 AS incident_id FROM fact_commit"
                                   "  UNION ALL SELECT 0, incident_id FROM fact_incident) ids"), 33);

    assert_int_equal(cw_wh_sync_config(wh, &cfg), 0);
    assert_int_equal(cw_wh_source(wh, "jira", "jira") | cw_wh_source(wh, "git", "git") |
                     cw_wh_source(wh, "ci", "jenkins") | cw_wh_source(wh, "snow", "servicenow"), 0);
    reload_v2_records(wh);
    assert_int_equal(cw_wh_resolve(wh), 0);
    assert_int_equal(cw_wh_batch_commit(wh, "ok", NULL), 0);
    facts = facts_by_application(db);
    assert_string_equal(facts, v3_facts);
    free(facts);
    /* version 6: forecast_history keeps a row without dates, whole */
    exec_ok(db, "INSERT INTO dim_release (release_id, project, name) VALUES (9, 'PAY', '9');"
                "INSERT INTO forecast_history (release_id, made_at, remaining, at_risk, reason)"
                " VALUES (9, 100, 4, 0, 'no history')");
    assert_int_equal(query_int(db, "SELECT count(*) FROM forecast_history WHERE p50_at IS NULL"
                                   " AND remaining = 4 AND reason = 'no history'"), 1);
    exec_ok(db, "DELETE FROM forecast_history; DELETE FROM dim_release WHERE release_id = 9");

    /* the same shape as a new warehouse's (PostgreSQL: foreign keys too) */
    a = schema_shape(e, db);
    cw_wh_close(wh);
    setup(state);
    fresh = open_db(e);
    install_schema(e, fresh);
    b = schema_shape(e, fresh);
    cw_db_close(fresh);
    for (size_t i = 0; i < a.n && i < b.n; i++)
        assert_string_equal(a.items[i], b.items[i]);
    assert_int_equal(a.n, b.n);
    cw_strlist_free(&a);
    cw_strlist_free(&b);
}

typedef struct sql_stmt {
    char *file;
    char *sql;
    int done;
} sql_stmt;

/* The statements of a named-statement file, as the program reads them. */
static void add_named(const char *path, const char *folder, const char *text, sql_stmt **stmts,
                      size_t *n)
{
    cw_sqlset *set = cw_sqlset_new();
    assert_int_equal(cw_sqlset_parse(set, path, text), 0);
    for (size_t k = 0; k < cw_sqlset_count(set); k++) {
        *stmts = cw_xrealloc(*stmts, (*n + 1) * sizeof(**stmts));
        (*stmts)[*n].file = cw_strdup(strstr(path, folder));
        (*stmts)[*n].sql = cw_strdup(cw_sqlset_at(set, k));
        (*stmts)[*n].done = 0;
        (*n)++;
    }
    cw_sqlset_free(set);
}

/* The warehouse's tracking of written rows on (load/sql/<dialect>/track.sql):
 * the incremental statements of transform/sql/correlate.sql read its table. */
static void track_on(cw_db *db)
{
    char path[64];
    cw_sqlset *set = cw_sqlset_new();
    snprintf(path, sizeof(path), "load/sql/%s/track.sql", cw_db_dialect(db));
    assert_int_equal(cw_sqlset_load(set, path), 0);
    assert_int_equal(cw_db_exec(db, cw_sqlset_get(set, "track_on")), CW_DB_OK);
    cw_sqlset_free(set);
}

/* Every statement of every shared .sql file prepares on this engine after
 * the schema is installed (and the tracking of written rows is on).  A
 * statement without parameters also runs, so the views and TEMP tables
 * later files use exist; files depend on each other in no fixed order, so
 * statements are retried until none more prepares. */
static void test_shared_sql_prepares(void **state)
{
    static const char *const folders[] = {"load/sql", "transform/sql", "reports/sql"};
    engine *e = *state;
    cw_db *db = open_db(e);
    sql_stmt *stmts = NULL;
    size_t n = 0, left, progress = 1;
    install_schema(e, db);
    track_on(db);
    for (size_t f = 0; f < sizeof(folders) / sizeof(folders[0]); f++) {
        char pattern[1200];
        glob_t g;
        snprintf(pattern, sizeof(pattern), "%s/%s/*.sql", root(), folders[f]);
        if (glob(pattern, 0, NULL, &g) != 0)
            continue;
        for (size_t i = 0; i < g.gl_pathc; i++) {
            char *text;
            const char *p, *s;
            size_t len;
            /* its tokens are not SQL: install_schema ran it, spelled */
            if (strcmp(strstr(g.gl_pathv[i], folders[f]), "load/sql/schema.sql") == 0)
                continue;
            text = cw_read_file(g.gl_pathv[i], NULL);
            p = text;
            assert_non_null(text);
            if (strstr(text, "\n-- name:")) {
                /* a file of named statements (core/sqlset.h): each one */
                add_named(g.gl_pathv[i], folders[f], text, &stmts, &n);
                free(text);
                continue;
            }
            while ((s = cw_sql_next_statement(p, &len))) {
                stmts = cw_xrealloc(stmts, (n + 1) * sizeof(*stmts));
                stmts[n].file = cw_strdup(strstr(g.gl_pathv[i], folders[f]));
                stmts[n].sql = cw_xmalloc(len + 1);
                memcpy(stmts[n].sql, s, len);
                stmts[n].sql[len] = '\0';
                stmts[n].done = 0;
                n++;
                p = s + len;
            }
            free(text);
        }
        globfree(&g);
    }
    assert_true(n > 0);
    left = n;
    while (left && progress) {
        progress = 0;
        for (size_t i = 0; i < n; i++) {
            cw_stmt *st;
            int nparams;
            char *rewritten;
            if (stmts[i].done || cw_db_prepare(db, stmts[i].sql, &st) != CW_DB_OK)
                continue;
            rewritten = cw_sql_rewrite_params(stmts[i].sql, &nparams);
            free(rewritten);
            if (nparams == 0)
                while (cw_db_step(st) == CW_DB_ROW)
                    ;
            cw_db_finalize(st);
            stmts[i].done = 1;
            left--;
            progress = 1;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!stmts[i].done) {
            cw_stmt *st = NULL;
            cw_db_prepare(db, stmts[i].sql, &st);
            print_error("%s: %s does not prepare: %s\n  %.200s\n", e->name, stmts[i].file,
                        cw_db_errmsg(db), stmts[i].sql);
        }
        free(stmts[i].file);
        free(stmts[i].sql);
    }
    free(stmts);
    cw_db_close(db);
    if (left)
        fail_msg("%zu of %zu shared statements do not prepare on %s", left, n, e->name);
}

/* ---------------------------------------------------------------- PostgreSQL only */

/* The password comes from password_env, an owner-only password_file, or
 * libpq's PGPASSWORD, and never appears in a message.  tests/pg/pg.sh makes
 * the role cw_password_test the one that must give a password. */
static void test_pg_password_sources(void **state)
{
    engine *e = *state;
    char bad_uri[1200], pw_uri[1200], err[512], path[64] = "/tmp/cw_pgpass.XXXXXX";
    const char *host = strstr(e->uri, "?host=");
    cw_db_target t = {pw_uri, NULL, NULL};
    cw_db *db = open_db(e);
    int fd;
    exec_ok(db, "SET client_min_messages = warning; DROP ROLE IF EXISTS cw_password_test;"
                "CREATE ROLE cw_password_test LOGIN PASSWORD 'right-s3cr3t'");
    cw_db_close(db);
    db = NULL;
    assert_non_null(host);
    snprintf(pw_uri, sizeof(pw_uri), "postgresql://cw_password_test@/catwalk%s", host);
    /* no password at all: refused by the server */
    unsetenv("PGPASSWORD");
    assert_int_equal(cw_db_open(&t, CW_DB_READ_WRITE, &db, err, sizeof(err)), CW_DB_ERROR);
    assert_non_null(strstr(err, "cw_password_test"));
    /* a password file others can read is refused before any connection */
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "right-s3cr3t\n", 13), 13);
    close(fd);
    chmod(path, 0644);
    t.password_file = path;
    assert_int_equal(cw_db_open(&t, CW_DB_READ_WRITE, &db, err, sizeof(err)), CW_DB_ERROR);
    assert_null(db);
    assert_non_null(strstr(err, "chmod 600"));
    assert_null(strstr(err, "s3cr3t"));
    /* owner-only: its first line is the password */
    chmod(path, 0600);
    if (cw_db_open(&t, CW_DB_READ_WRITE, &db, err, sizeof(err)) != CW_DB_OK)
        fail_msg("password_file: %s", err);
    cw_db_close(db);
    unlink(path);
    t.password_file = NULL;
    /* password_env names the variable */
    setenv("CW_TEST_PG_PASSWORD", "right-s3cr3t", 1);
    t.password_env = "CW_TEST_PG_PASSWORD";
    if (cw_db_open(&t, CW_DB_READ_WRITE, &db, err, sizeof(err)) != CW_DB_OK)
        fail_msg("password_env: %s", err);
    cw_db_close(db);
    /* a wrong one fails, naming the user but not the password */
    setenv("CW_TEST_PG_PASSWORD", "wrong-s3cr3t", 1);
    assert_int_equal(cw_db_open(&t, CW_DB_READ_WRITE, &db, err, sizeof(err)), CW_DB_ERROR);
    assert_non_null(strstr(err, "cw_password_test"));
    assert_null(strstr(err, "s3cr3t"));
    /* neither given: libpq's own PGPASSWORD */
    t.password_env = NULL;
    setenv("PGPASSWORD", "right-s3cr3t", 1);
    if (cw_db_open(&t, CW_DB_READ_WRITE, &db, err, sizeof(err)) != CW_DB_OK)
        fail_msg("PGPASSWORD: %s", err);
    cw_db_close(db);
    unsetenv("PGPASSWORD");
    t.uri = e->uri;

    t.password_file = NULL;
    t.password_env = "CW_TEST_NO_SUCH_VARIABLE";
    unsetenv("CW_TEST_NO_SUCH_VARIABLE");
    assert_int_equal(cw_db_open(&t, CW_DB_READ_WRITE, &db, err, sizeof(err)), CW_DB_ERROR);
    assert_non_null(strstr(err, "CW_TEST_NO_SUCH_VARIABLE"));

    /* a failed connection names user and database, never the password */
    setenv("CW_TEST_PG_PASSWORD", "s3cr3t-env", 1);
    t.password_env = "CW_TEST_PG_PASSWORD";
    snprintf(bad_uri, sizeof(bad_uri), "postgresql://nobody-here@/no_such_db%s", host ? host : "");
    t.uri = bad_uri;
    assert_int_equal(cw_db_open(&t, CW_DB_READ_WRITE, &db, err, sizeof(err)), CW_DB_ERROR);
    assert_non_null(strstr(err, "nobody-here"));
    assert_non_null(strstr(err, "no_such_db"));
    assert_null(strstr(err, "s3cr3t"));
    unsetenv("CW_TEST_PG_PASSWORD");
}

/* Finalized statements are dropped on the server (a few at a time). */
static void test_pg_statements_freed(void **state)
{
    engine *e = *state;
    cw_db *db = open_db(e);
    for (int i = 0; i < 200; i++)
        assert_int_equal(query_int(db, "SELECT 1"), 1);
    assert_true(query_int(db, "SELECT COUNT(*) FROM pg_prepared_statements") <= 40);
    cw_db_close(db);
}

/* A read-only connection reads but does not write. */
static void test_read_only(void **state)
{
    engine *e = *state;
    cw_db *db = open_db(e), *ro = NULL;
    cw_db_target t = {e->uri, NULL, NULL};
    char err[512];
    exec_ok(db, "CREATE TABLE r (x BIGINT); INSERT INTO r VALUES (5)");
    cw_db_close(db);
    assert_int_equal(cw_db_open(&t, CW_DB_READ_ONLY, &ro, err, sizeof(err)), CW_DB_OK);
    if (is_pg(e))
        exec_ok(ro, "SET search_path = cw_test");
    assert_int_equal(query_int(ro, "SELECT x FROM r"), 5);
    assert_true(cw_db_exec(ro, "INSERT INTO r VALUES (6)") < 0);
    cw_db_close(ro);
}

/* Staged writes flush their set only between records.  One transition
 * (staged alone: its item is unknown) puts the incidents' rows (a move and
 * an upsert each) one off the set's 50,000-row limit, so a flush between
 * them would fall between the move and the upsert of incident 25,000; its
 * next version, right after, would then merge in the same generation as
 * its first (PostgreSQL refused the batch: "ON CONFLICT DO UPDATE command
 * cannot affect row a second time").  Both versions load, the newer wins. */
static void test_staged_flush_between_records(void **state)
{
    const engine *e = *state;
    enum { N = 25001 };
    char uri[1200], (*ids)[16] = cw_xcalloc(N, sizeof(*ids));
    cw_incident *inc = cw_xcalloc(N, sizeof(*inc));
    cw_transition t = { .origin = { "jira", "/landing/1/t", 1 }, .item_key = "OPS-9",
                        .history_id = "h1", .at = 100, .from_status = "To Do",
                        .to_status = "Done" };
    cw_warehouse *wh;
    cw_db *db;

    for (int i = 0; i < N; i++) {
        snprintf(ids[i], sizeof(ids[i]), "INC%d", i < N - 1 ? i + 1 : N - 1);
        inc[i] = (cw_incident){ .origin = { "snow", "/landing/1/i", i + 1 }, .id = ids[i],
                                .service = "pay-svc", .status = i < N - 1 ? "new" : "closed",
                                .created_at = 400, .resolved_at = CW_NO_TIME,
                                .updated_at = 500 + (i == N - 1), .version = 1 + (i == N - 1) };
    }
    snprintf(uri, sizeof(uri), "%s%s", e->uri,
             is_pg(e) ? "&options=-csearch_path%3Dcw_test" : "");
    assert_int_equal(cw_wh_open(&(cw_db_target){ uri, NULL, NULL }, &wh), 0);
    assert_int_equal(cw_wh_stage_writes(wh, 1), 0);
    assert_int_equal(cw_wh_batch_begin(wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_source(wh, "jira", "jira") | cw_wh_source(wh, "snow", "servicenow"), 0);
    cw_test_send(cw_wh_sink(wh), (&(cw_test_batch){ .transitions = &t, .n_transitions = 1,
                                                     .incidents = inc, .n_incidents = N }));
    assert_int_equal(cw_wh_resolve(wh), 0);
    assert_int_equal(cw_wh_batch_commit(wh, "ok", NULL), 0);
    db = cw_wh_db(wh);
    assert_int_equal(query_int(db, "SELECT count(*) FROM fact_incident"), N - 1);
    assert_int_equal(query_int(db, "SELECT version FROM fact_incident WHERE external_id = 'INC25000'"),
                     2);
    cw_wh_close(wh);
    free(ids);
    free(inc);
}

/* ---------------------------------------------------------------- main */

typedef void (*test_fn)(void **);

static const struct { const char *name; test_fn fn; int pg_only; } per_engine[] = {
    {"types_roundtrip", test_types_roundtrip, 0},
    {"params_outside_literals", test_params_outside_literals, 0},
    {"constraint_violations", test_constraint_violations, 0},
    {"transactions_and_savepoints", test_transactions_and_savepoints, 0},
    {"refused_statement_in_transaction", test_refused_statement_in_transaction, 0},
    {"changes", test_changes, 0},
    {"bulk_append", test_bulk_append, 0},
    {"writer_lock", test_writer_lock, 0},
    {"read_only", test_read_only, 0},
    {"shared_sql_prepares", test_shared_sql_prepares, 0},
    {"schema_v2_upgraded", test_schema_v2_upgraded, 0},
    {"staged_flush_between_records", test_staged_flush_between_records, 0},
    {"password_sources", test_pg_password_sources, 1},
    {"statements_freed", test_pg_statements_freed, 1},
};

int main(void)
{
    const size_t n_per = sizeof(per_engine) / sizeof(per_engine[0]);
    struct CMUnitTest tests[2 * (sizeof(per_engine) / sizeof(per_engine[0])) + 3];
    char names[2 * (sizeof(per_engine) / sizeof(per_engine[0]))][64];
    const char *uri = getenv("CW_PG_URI");
    const char *required = getenv("CW_PG_REQUIRED");
    int with_pg = (uri && *uri) || (required && strcmp(required, "1") == 0);
    size_t n = 0, k = 0;
    if (uri)
        snprintf(pg_engine.uri, sizeof(pg_engine.uri), "%s", uri);
    tests[n++] = (struct CMUnitTest){"param_rewrite", test_param_rewrite, NULL, NULL, NULL};
    tests[n++] = (struct CMUnitTest){"statement_splitter", test_statement_splitter, NULL, NULL, NULL};
    for (int pg = 0; pg <= with_pg; pg++)
        for (size_t i = 0; i < n_per; i++) {
            engine *e = pg ? &pg_engine : &sqlite_engine;
            if (per_engine[i].pg_only && !pg)
                continue;
            snprintf(names[k], sizeof(names[k]), "%s: %s", e->name, per_engine[i].name);
            tests[n++] = (struct CMUnitTest){names[k++], per_engine[i].fn, setup, teardown, e};
        }
    if (with_pg)
        tests[n++] = (struct CMUnitTest){"schemas_match", test_schemas_match, setup_both,
                                         teardown_both, NULL};
    else
        fprintf(stderr, "test_db: CW_PG_URI is not set: the PostgreSQL tests do not run "
                        "(make unit starts a server and sets it)\n");
    return _cmocka_run_group_tests("test_db", tests, n, NULL, NULL);
}
