/*
 * append.c - derived rows appended in batches through the bulk interface
 * (see append.h).
 */
#include "append.h"
#include "../core/log.h"
#include "../core/record.h"
#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

cw_db_value cw_value_time(int64_t t)
{
    return t == CW_NO_TIME ? cw_value_null() : cw_value_int(t);
}

void cw_append_init(cw_append *a, cw_db *db, const char *table, const char *const *columns,
                    int ncols)
{
    memset(a, 0, sizeof(*a));
    a->db = db;
    a->table = table;
    a->columns = columns;
    a->ncols = ncols;
}

static void drop_rows(cw_append *a)
{
    for (size_t i = 0; i < a->n * (size_t)a->ncols; i++)
        if (a->values[i].type == CW_DB_TEXT)
            free((char *)a->values[i].text);
    a->n = 0;
}

int cw_append_row(cw_append *a, const cw_db_value *row)
{
    cw_db_value *dst;
    if (!a->values)
        a->values = cw_xcalloc(CW_APPEND_ROWS * (size_t)a->ncols, sizeof(cw_db_value));
    dst = a->values + a->n * (size_t)a->ncols;
    for (int i = 0; i < a->ncols; i++) {
        dst[i] = row[i];
        if (row[i].type == CW_DB_TEXT)
            dst[i].text = cw_strdup(row[i].text);
    }
    if (++a->n == CW_APPEND_ROWS)
        return cw_append_flush(a);
    return 0;
}

int cw_append_flush(cw_append *a)
{
    cw_bulk *b = NULL;
    int rc;
    if (a->n == 0)
        return 0;
    rc = cw_db_bulk_begin(a->db, a->table, a->columns, a->ncols, &b);
    for (size_t i = 0; rc == CW_DB_OK && i < a->n; i++)
        rc = cw_db_bulk_row(b, a->values + i * (size_t)a->ncols);
    if (b) {
        int end = cw_db_bulk_end(b);
        if (rc == CW_DB_OK)
            rc = end;
    }
    drop_rows(a);
    if (rc != CW_DB_OK) {
        cw_error("appending to %s: %s", a->table, cw_db_errmsg(a->db));
        return -1;
    }
    return 0;
}

void cw_append_free(cw_append *a)
{
    if (a->values)
        drop_rows(a);
    free(a->values);
    a->values = NULL;
}
