/*
 * sqlfile.h - named statements in an SQL file.
 *
 * An SQL file that holds several statements names each one by a comment
 * line of its own, and the statement runs until the next such line:
 *
 *   -- name: deployments
 *   -- (comments about it, dropped)
 *   SELECT ... ;
 *
 * So the SQL text stays in .sql files (embedded by the Makefile, see
 * embedded.h), readable and runnable by hand, while C asks for a statement by
 * its name.  Generic: it knows nothing of the engine or the statement.
 */
#ifndef CW_SQLFILE_H
#define CW_SQLFILE_H

/* The statement named `name` in `text`: a new string of its SQL without the
 * whole-line comments (first non-blank characters "--"), the final ';' and
 * trailing blanks, so the driver gets plain SQL; NULL when no section has
 * that name.  A comment at the end of a line of SQL stays, so write none:
 * an apostrophe in it would read as a string literal. */
char *cw_sql_named(const char *text, const char *name);

/* The statement named `name` in the embedded file `path` (e.g.
 * "transform/sql/correlate.sql"); NULL, with an error logged, when the file
 * is not embedded or has no such statement.  The caller frees it. */
char *cw_sqlfile_get(const char *path, const char *name);

#endif
