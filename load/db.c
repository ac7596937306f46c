/*
 * db.c - the driver registry and the helpers every caller of db.h shares.
 *
 * A target is offered to each driver in turn; the first that claims it
 * opens it.  A new engine is one file plus one row here.
 */
#include "db.h"
#include "../core/record.h"

#include <stdio.h>
#include <string.h>

extern const cw_db_driver cw_db_sqlite;
#ifdef CW_WITH_POSTGRESQL
extern const cw_db_driver cw_db_postgresql;
#endif

const cw_db_driver *const cw_db_drivers[] = {
#ifdef CW_WITH_POSTGRESQL
    &cw_db_postgresql,
#endif
    &cw_db_sqlite,
    NULL,
};

int cw_db_is_uri(const char *uri)
{
    return uri && (strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0);
}

int cw_db_open(const cw_db_target *t, cw_db_mode mode, cw_db **out, char *err, size_t errlen)
{
    *out = NULL;
    for (size_t i = 0; cw_db_drivers[i]; i++)
        if (cw_db_drivers[i]->claims(t->uri))
            return cw_db_drivers[i]->open(t, mode, out, err, errlen);
    snprintf(err, errlen, "%s: no warehouse engine in this build opens it", t->uri);
    return CW_DB_ERROR;
}

void cw_db_close(cw_db *db)
{
    if (db)
        db->driver->close(db);
}

const char *cw_db_dialect(const cw_db *db)
{
    return db->driver->name;
}

int cw_db_bulk_begin(cw_db *db, const char *table, const char *const *columns, int ncols,
                     cw_bulk **out)
{
    return db->driver->bulk_begin(db, table, columns, ncols, out);
}

int cw_db_bind_str(cw_stmt *st, int i, const char *v)
{
    return v ? cw_db_bind_text(st, i, v, strlen(v)) : cw_db_bind_null(st, i);
}

int cw_db_bind_time(cw_stmt *st, int i, int64_t t)
{
    return t == CW_NO_TIME ? cw_db_bind_null(st, i) : cw_db_bind_int(st, i, t);
}

int cw_db_query_int(cw_db *db, const char *sql, int64_t *out)
{
    cw_stmt *st;
    int rc;
    if (cw_db_prepare(db, sql, &st) != CW_DB_OK)
        return -1;
    rc = cw_db_step(st);
    if (rc == CW_DB_ROW)
        *out = cw_db_column_int(st, 0);
    cw_db_finalize(st);
    return rc == CW_DB_ROW ? 0 : -1;
}
