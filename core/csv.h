/*
 * csv.h - streaming CSV reading on top of libcsv, with header lookup.
 *
 * libcsv does the RFC 4180 work (quotes, "" escapes, newlines inside quoted
 * cells); this file adds what every CSV connector needs once: a UTF-8 BOM
 * stripped from the first header, the header row kept with repeated names
 * (Jira repeats "Watchers", "Sprint", "Comment"), lookups by one of several
 * names (system field names or labels, localised exports), the record
 * number and raw text of each row for rejects, and cells as UTF-8 (a cell
 * in another encoding is repaired, see cw_csv_read).
 *
 * Memory is bounded by the longest record, not by the file.
 */
#ifndef CW_CSV_H
#define CW_CSV_H

#include <stddef.h>

#include "record.h"

typedef struct cw_csv_row {
    long record;                /* 1-based CSV record number; the header is record 1 */
    long line;                  /* 1-based physical line where the record starts */
    size_t n;                   /* number of fields */
    char **fields;              /* NUL-terminated field texts */
} cw_csv_row;

/* Called once with the header row, then for each data row.  Return 0 to go
 * on, non-zero to stop (cw_csv_read then returns that value). */
typedef int (*cw_csv_fn)(void *ctx, const cw_csv_row *row);

/* Read a whole file.  Returns 0, the callback's non-zero value, or -1 on an
 * I/O or CSV syntax error, with a message in err ("line 12: unterminated quote").
 * Every cell is UTF-8: one that is not is repaired and counted in text (may
 * be NULL), whose caller reports it at the end (core/record.h, cw_text_report). */
int cw_csv_read(const char *path, cw_csv_fn on_header, cw_csv_fn on_row, void *ctx,
                cw_text_check *text, char *err, size_t errlen);

/* First column whose header equals one of the '|'-separated names
 * (case-insensitive, surrounding spaces ignored), or -1. */
int cw_csv_col(const cw_csv_row *header, const char *names);

/* Every column whose header equals name; returns how many were stored in idx. */
size_t cw_csv_cols(const cw_csv_row *header, const char *names, int *idx, size_t max);

/* Field i of row, or NULL when the row is shorter or i < 0. */
const char *cw_csv_get(const cw_csv_row *row, int i);

/* The row joined back with commas (quoted where needed), for a reject's raw
 * text; caller frees. */
char *cw_csv_row_text(const cw_csv_row *row);

#endif
