/*
 * sqltext.h - the little SQL lexing the drivers need: where a statement
 * ends, `?N` parameters rewritten to PostgreSQL's `$N`, and a one-row write
 * turned into its set-based form over a staging table (load/stage.c).
 *
 * Both walk the text the same way, skipping what is not SQL code: string
 * literals ('it''s'), quoted identifiers ("a ""b"""), line comments (-- ...)
 * and block comments (PostgreSQL nests them, so this does too).  A `?` or a
 * `;` inside any of those is data, not syntax.  Dollar-quoted bodies and E''
 * strings are PostgreSQL-only and never appear in the shared SQL; nor does
 * a trigger, whose BEGIN ... ; END body the splitter would cut at its ';'.
 */
#ifndef CW_SQLTEXT_H
#define CW_SQLTEXT_H

#include <stddef.h>

/* The length of the token at p when it is a literal, quoted identifier or
 * comment (unterminated ones run to the end of the text), else 0. */
size_t cw_sql_skip(const char *p);

/* sql with `?N` as `$N` and a bare `?` as one more than the highest number
 * so far (SQLite's rule).  *nparams gets the highest parameter number.
 * Caller frees. */
char *cw_sql_rewrite_params(const char *sql, int *nparams);

/* The next statement of a script: skips leading space, comments and empty
 * statements, sets *len to the statement's length (without its ';'), and
 * returns its start, or NULL at the end of the script. */
const char *cw_sql_next_statement(const char *sql, size_t *len);

/* The set-based form of a one-row write whose parameters come from the rows
 * of a staging table `stage` (columns cw_seq, cw_p1 .. cw_pN, aliased cw_s):
 * every `?N` becomes cw_s.cw_pN and
 *
 *   INSERT INTO t (c) VALUES (e) [tail]
 *       -> INSERT INTO t (c) SELECT e FROM stage cw_s WHERE true
 *          ORDER BY cw_s.cw_seq [tail]
 *   INSERT INTO t (c) SELECT e FROM f WHERE w [tail]
 *       -> INSERT INTO t (c) SELECT e FROM stage cw_s, f WHERE w [tail]
 *   DELETE FROM t WHERE w
 *       -> DELETE FROM t WHERE EXISTS (SELECT 1 FROM stage cw_s WHERE w)
 *   UPDATE t SET s WHERE w
 *       -> UPDATE t SET s FROM stage cw_s WHERE w
 *
 * The tail (ON CONFLICT ...) is kept.  Inside w an unqualified column still
 * names t: the staging table's columns all start with cw_.  Every staged
 * row must name a different target row (an UPDATE ... FROM that matches a
 * row twice picks one).  Returns NULL (nothing allocated) for any other
 * shape: RETURNING, a DELETE with a parameter outside its WHERE, an UPDATE
 * with a FROM of its own.  Caller frees. */
char *cw_sql_staged(const char *sql, const char *stage);

#endif
