/*
 * devlake.h - read the Apache DevLake raw-table CSV wrapper.
 *
 * DevLake stores each API item as JSON in the `data` column of a CSV with
 * the columns id,params,data,url,input,created_at.  Importing that is a cheap
 * way to take over a DevLake installation's raw data, and it is how most of
 * the real fixtures are stored, so every JSON connector accepts it too.
 */
#ifndef CW_DEVLAKE_H
#define CW_DEVLAKE_H

#include <jansson.h>
#include "../core/record.h"

/* 1 when the file starts with the DevLake header (quoted or not). */
int cw_devlake_is_wrapper(const char *path);

/* Call fn for each row's parsed `data` item (record = CSV record number,
 * the header being record 1).  A row whose data is not valid JSON becomes a
 * reject (field "data") and reading goes on.  Returns 0, -1 when the file
 * cannot be read (a reject was emitted), or fn's non-zero value. */
typedef int (*cw_devlake_fn)(void *ctx, json_t *item, const cw_origin *origin);
int cw_devlake_each(const char *path, const char *source, cw_sink *sink,
                    cw_devlake_fn fn, void *ctx);

/* The other cells of a row, for connectors that need more than the item:
 * a changelog names its issue only in `url` or `input`, a Jenkins build
 * its job only in `params`.  Strings are NULL when the column is absent or
 * empty; valid during the callback only. */
typedef struct cw_devlake_row {
    json_t *item;               /* the parsed `data` cell */
    const char *params;         /* raw `params` JSON text */
    const char *url;            /* the request URL */
    const char *input;          /* raw `input` JSON text */
} cw_devlake_row;

typedef int (*cw_devlake_row_fn)(void *ctx, const cw_devlake_row *row, const cw_origin *origin);
int cw_devlake_each_row(const char *path, const char *source, cw_sink *sink,
                        cw_devlake_row_fn fn, void *ctx);

#endif
