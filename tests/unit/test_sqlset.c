/*
 * test_sqlfile.c - named statements in an SQL file (core/sqlset.h), and the
 * batches of derived rows the correlation step appends (transform/append.h).
 */
#include "support.h"
#include "core/sqlset.h"
#include "core/util.h"
#include "load/db.h"
#include "load/warehouse.h"
#include "transform/append.h"

#include <stdio.h>
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
    cw_sqlset *set = cw_sqlset_new();
    (void)state;
    assert_int_equal(cw_sqlset_parse(set, "script.sql", script), 0);
    assert_string_equal(cw_sqlset_get(set, "first"), "SELECT 1");
    /* whole-line comments and the final ';' dropped: plain SQL for the driver */
    assert_string_equal(cw_sqlset_get(set, "second"), "SELECT ?1,\n       '--not one'");
    assert_string_equal(cw_sqlset_get(set, "last"), "DELETE FROM t");
    assert_null(cw_sqlset_get(set, "firs"));
    assert_null(cw_sqlset_get(set, "missing"));
    /* in file order */
    assert_int_equal(cw_sqlset_count(set), 3);
    assert_string_equal(cw_sqlset_at(set, 0), "SELECT 1");
    assert_string_equal(cw_sqlset_at(set, 2), "DELETE FROM t");
    assert_null(cw_sqlset_at(set, 3));
    cw_sqlset_free(set);
}

/* The correlation step's statements are embedded, by name. */
static void test_correlate_sql_is_embedded(void **state)
{
    cw_sqlset *set = cw_sqlset_new();
    (void)state;
    assert_int_equal(cw_sqlset_load(set, "transform/sql/correlate.sql"), 0);
    assert_non_null(cw_sqlset_get(set, "deployments"));
    assert_non_null(strstr(cw_sqlset_get(set, "deployments"),
                           "d.is_production = 1 AND d.result = 'success'"));
    assert_null(cw_sqlset_get(set, "no_such_statement"));
    cw_sqlset_free(set);
    set = cw_sqlset_new();
    assert_int_equal(cw_sqlset_load(set, "transform/sql/none.sql"), -1);
    cw_sqlset_free(set);
}

static const char *const cols[] = { "id", "name", "at" };

/* A warehouse with a table t of the columns above; its connection. */
static cw_db *table_t(cw_warehouse **wh, char *path, size_t size)
{
    cw_db *db;
    *wh = cw_test_warehouse(path, size);
    db = cw_wh_db(*wh);
    assert_int_equal(cw_db_exec(db, "CREATE TABLE t (id BIGINT NOT NULL, name TEXT, at BIGINT)"),
                     CW_DB_OK);
    return db;
}

/* Rows across several batches arrive complete, in order, texts and NULLs
 * intact, even though the caller's strings are gone by then. */
static void test_append_batches(void **state)
{
    char path[256];
    cw_warehouse *wh;
    cw_db *db = table_t(&wh, path, sizeof(path));
    cw_append a;
    const int n = 2 * CW_APPEND_ROWS + 3;
    cw_stmt *st;
    (void)state;

    cw_append_init(&a, db, "t", cols, 3);
    for (int i = 0; i < n; i++) {
        char *name = i % 3 ? cw_asprintf("row %d", i) : NULL;
        cw_db_value row[3] = { cw_value_int(i), cw_value_text(name),
                               cw_value_time(i % 2 ? CW_NO_TIME : (int64_t)i * 10) };
        assert_int_equal(cw_append_row(&a, row), 0);
        free(name);
    }
    assert_int_equal(cw_append_flush(&a), 0);
    /* by rowid: the order the rows went in */
    assert_int_equal(cw_db_prepare(db, "SELECT id, name, at FROM t ORDER BY rowid", &st),
                     CW_DB_OK);
    for (int i = 0; i < n; i++) {
        char want[32];
        assert_int_equal(cw_db_step(st), CW_DB_ROW);
        assert_int_equal(cw_db_column_int(st, 0), i);
        if (i % 3) {
            snprintf(want, sizeof(want), "row %d", i);
            assert_string_equal(cw_db_column_text(st, 1), want);
        } else {
            assert_int_equal(cw_db_column_type(st, 1), CW_DB_NULL);
        }
        if (i % 2)
            assert_int_equal(cw_db_column_type(st, 2), CW_DB_NULL);
        else
            assert_int_equal(cw_db_column_int(st, 2), (int64_t)i * 10);
    }
    assert_int_equal(cw_db_step(st), CW_DB_DONE);
    cw_db_finalize(st);
    cw_append_free(&a);
    cw_test_warehouse_drop(wh, path);
}

/* A row the table refuses fails the flush, and the appender can be freed. */
static void test_append_refused(void **state)
{
    char path[256];
    cw_warehouse *wh;
    cw_db *db = table_t(&wh, path, sizeof(path));
    cw_append a;
    cw_db_value row[3] = { cw_value_null(), cw_value_text("x"), cw_value_null() };
    (void)state;

    cw_append_init(&a, db, "t", cols, 3);
    assert_int_equal(cw_append_row(&a, row), 0);
    assert_int_equal(cw_append_flush(&a), -1);
    assert_int_equal(cw_append_row(&a, row), 0);
    cw_append_free(&a);                 /* drops the unwritten row */
    cw_test_warehouse_drop(wh, path);
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
