/*
 * append.h - rows of one derived table, appended in batches.
 *
 * The correlation step computes the big derived tables row by row
 * (bridge_deployment_commit, bridge_commit_work_item, derived_status_interval,
 * ...) while it still reads the facts and writes findings.  The warehouse's
 * bulk append (load/db.h: COPY FROM STDIN on PostgreSQL) is the fast way in,
 * but while a COPY runs the connection takes no other statement.  So rows
 * are kept here, copied, and handed to one cw_db_bulk_* run each time
 * CW_APPEND_ROWS of them have gathered and at cw_append_flush: memory stays
 * bounded, no statement ever interleaves with a COPY, and the rows reach the
 * table in the order they were added.
 */
#ifndef CW_APPEND_H
#define CW_APPEND_H

#include "../load/db.h"

#include <stddef.h>
#include <stdint.h>

#define CW_APPEND_ROWS 4096

typedef struct cw_append {
    cw_db *db;
    const char *table;
    const char *const *columns;
    int ncols;
    cw_db_value *values;        /* n rows of ncols; texts are owned copies */
    size_t n;
} cw_append;

/* table and columns must outlive the appender (they are constants). */
void cw_append_init(cw_append *a, cw_db *db, const char *table, const char *const *columns,
                    int ncols);
/* Keep one row of ncols values (texts copied); flush when the batch is full.
 * 0, or -1 with the error logged. */
int cw_append_row(cw_append *a, const cw_db_value *row);
/* Write the rows kept so far.  0, or -1 with the error logged. */
int cw_append_flush(cw_append *a);
/* Drop unwritten rows and free the memory. */
void cw_append_free(cw_append *a);

/* Values of a row. */
static inline cw_db_value cw_value_int(int64_t v)
{
    cw_db_value x = { .type = CW_DB_INT, .i = v };
    return x;
}
static inline cw_db_value cw_value_null(void)
{
    cw_db_value x = { .type = CW_DB_NULL };
    return x;
}
/* NULL text is SQL NULL. */
static inline cw_db_value cw_value_text(const char *v)
{
    cw_db_value x = { .type = v ? CW_DB_TEXT : CW_DB_NULL, .text = v };
    return x;
}
/* An instant; CW_NO_TIME (core/record.h) is SQL NULL. */
cw_db_value cw_value_time(int64_t t);

#endif
