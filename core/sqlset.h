/*
 * sqlset.h - named SQL statements read from .sql files compiled into the
 * binary (core/embedded.h), so SQL lives in .sql files and C names it.
 *
 * The file format (the .sql files of load/sql/ and transform/sql/):
 *
 *     -- header comment: what the file is for
 *
 *     -- why the next statement is written so
 *     -- name: item_upsert
 *     INSERT INTO ... ;
 *
 * A statement starts at its "-- name: NAME" line and runs to the next
 * such line or the end of the file.  Whole-line comments (first non-blank
 * characters "--") are dropped, and so is a final ';', so the text handed
 * to the driver is plain SQL: the PostgreSQL driver rewrites ?N parameters
 * outside string literals and need not understand comments.  A comment at
 * the end of a line is not allowed (an apostrophe in it would read as the
 * start of a literal).  Names are unique within a set.
 */
#ifndef CW_SQLSET_H
#define CW_SQLSET_H

#include <stddef.h>

typedef struct cw_sqlset cw_sqlset;

cw_sqlset *cw_sqlset_new(void);
void cw_sqlset_free(cw_sqlset *set);
/* Add the statements of the embedded file `path`.  0, or -1 (logged) when
 * the file is missing, a name repeats, or SQL comes before the first name. */
int cw_sqlset_load(cw_sqlset *set, const char *path);
/* Parse text as if it were the file `path` (tests, and load). */
int cw_sqlset_parse(cw_sqlset *set, const char *path, const char *text);
/* The statement's SQL, or NULL. */
const char *cw_sqlset_get(const cw_sqlset *set, const char *name);
/* The statements in file order: how many, and the i-th one's SQL. */
size_t cw_sqlset_count(const cw_sqlset *set);
const char *cw_sqlset_at(const cw_sqlset *set, size_t i);

#endif
