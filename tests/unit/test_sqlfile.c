/*
 * test_sqlfile.c - named statements in an SQL file (core/sqlfile.h), and the
 * batches of derived rows the correlation step appends (transform/append.h).
 */
#include "support.h"
#include "core/sqlfile.h"
#include "core/util.h"
#include "load/db.h"
#include "transform/append.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

static const char script[] =
    "-- a file comment\n"
    "-- name: first\n"
    "SELECT 1\n"
    "\n"
    "-- name:   second  \n"
    "-- about the second: it's commented\n"
    "SELECT ?1,\n"
    "   -- an indented comment\n"
    "       '--not one'\n"
    "  ;\n"
    "  \n"
    "-- name: last\n"
    "DELETE FROM t";

static void test_named_statements(void **state)
{
    char *sql;
    (void)state;
    sql = cw_sql_named(script, "first");
    assert_string_equal(sql, "SELECT 1");
    free(sql);
    sql = cw_sql_named(script, "second");
    /* whole-line comments and the final ';' dropped: plain SQL for the driver */
    assert_string_equal(sql, "SELECT ?1,\n       '--not one'");
    free(sql);
    sql = cw_sql_named(script, "last");
    assert_string_equal(sql, "DELETE FROM t");
    free(sql);
    assert_null(cw_sql_named(script, "firs"));
    assert_null(cw_sql_named(script, "missing"));
    assert_null(cw_sql_named("", "first"));
}

/* The correlation step's statements are embedded, by name. */
static void test_correlate_sql_is_embedded(void **state)
{
    char *sql;
    (void)state;
    sql = cw_sqlfile_get("transform/sql/correlate.sql", "deployments");
    assert_non_null(sql);
    assert_non_null(strstr(sql, "d.is_production = 1 AND d.result = 'success'"));
    free(sql);
    assert_null(cw_sqlfile_get("transform/sql/correlate.sql", "no_such_statement"));
    assert_null(cw_sqlfile_get("transform/sql/none.sql", "deployments"));
}

static const char *const cols[] = { "id", "name", "at" };

/* Rows across several batches arrive complete, in order, texts and NULLs
 * intact, even though the caller's strings are gone by then. */
static void test_append_batches(void **state)
{
    sqlite3 *db = NULL;
    cw_db *conn;
    cw_append a;
    const int n = 2 * CW_APPEND_ROWS + 3;
    sqlite3_stmt *st;
    (void)state;

    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    cw_test_exec(db, "CREATE TABLE t (id INTEGER NOT NULL, name TEXT, at INTEGER)");
    conn = cw_db_sqlite_adopt(db);
    cw_append_init(&a, conn, "t", cols, 3);
    for (int i = 0; i < n; i++) {
        char *name = i % 3 ? cw_asprintf("row %d", i) : NULL;
        cw_db_value row[3] = { cw_value_int(i), cw_value_text(name),
                               cw_value_time(i % 2 ? CW_NO_TIME : (int64_t)i * 10) };
        assert_int_equal(cw_append_row(&a, row), 0);
        free(name);
    }
    assert_int_equal(cw_append_flush(&a), 0);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT rowid, id, name, at FROM t ORDER BY rowid",
                                        -1, &st, NULL), SQLITE_OK);
    for (int i = 0; i < n; i++) {
        char want[32];
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st, 0), i + 1);
        assert_int_equal(sqlite3_column_int(st, 1), i);
        if (i % 3) {
            snprintf(want, sizeof(want), "row %d", i);
            assert_string_equal((const char *)sqlite3_column_text(st, 2), want);
        } else {
            assert_int_equal(sqlite3_column_type(st, 2), SQLITE_NULL);
        }
        if (i % 2)
            assert_int_equal(sqlite3_column_type(st, 3), SQLITE_NULL);
        else
            assert_int_equal(sqlite3_column_int64(st, 3), (int64_t)i * 10);
    }
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    cw_append_free(&a);
    cw_db_close(conn);
    sqlite3_close(db);
}

/* A row the table refuses fails the flush, and the appender can be freed. */
static void test_append_refused(void **state)
{
    sqlite3 *db = NULL;
    cw_db *conn;
    cw_append a;
    cw_db_value row[3] = { cw_value_null(), cw_value_text("x"), cw_value_null() };
    (void)state;

    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    cw_test_exec(db, "CREATE TABLE t (id INTEGER NOT NULL, name TEXT, at INTEGER)");
    conn = cw_db_sqlite_adopt(db);
    cw_append_init(&a, conn, "t", cols, 3);
    assert_int_equal(cw_append_row(&a, row), 0);
    assert_int_equal(cw_append_flush(&a), -1);
    assert_int_equal(cw_append_row(&a, row), 0);
    cw_append_free(&a);                 /* drops the unwritten row */
    cw_db_close(conn);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_statements),
        cmocka_unit_test(test_correlate_sql_is_embedded),
        cmocka_unit_test(test_append_batches),
        cmocka_unit_test(test_append_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
