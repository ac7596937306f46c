/*
 * sqltext.c - statement boundaries and parameter rewriting (see sqltext.h).
 */
#include "sqltext.h"
#include "../core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A quoted token: the closing quote doubled is an escaped quote. */
static size_t skip_quoted(const char *p, char q)
{
    size_t i = 1;
    for (;;) {
        if (!p[i])
            return i;
        if (p[i] == q) {
            if (p[i + 1] != q)
                return i + 1;
            i++;
        }
        i++;
    }
}

static size_t skip_block_comment(const char *p)
{
    size_t i = 2;
    int depth = 1;
    while (p[i] && depth) {
        if (p[i] == '/' && p[i + 1] == '*') {
            depth++;
            i += 2;
        } else if (p[i] == '*' && p[i + 1] == '/') {
            depth--;
            i += 2;
        } else {
            i++;
        }
    }
    return i;
}

size_t cw_sql_skip(const char *p)
{
    if (*p == '\'' || *p == '"')
        return skip_quoted(p, *p);
    if (p[0] == '-' && p[1] == '-')
        return strcspn(p, "\n");
    if (p[0] == '/' && p[1] == '*')
        return skip_block_comment(p);
    return 0;
}

char *cw_sql_rewrite_params(const char *sql, int *nparams)
{
    cw_buf out = {0};
    const char *p = sql;
    int highest = 0;
    while (*p) {
        size_t n = cw_sql_skip(p);
        if (n) {
            cw_buf_append(&out, p, n);
            p += n;
        } else if (*p == '?') {
            char *end;
            long v = strtol(p + 1, &end, 10);
            if (end == p + 1 || !isdigit((unsigned char)p[1]))
                v = highest + 1;
            else
                p = end - 1;
            if (v > highest)
                highest = (int)v;
            cw_buf_printf(&out, "$%ld", v);
            p++;
        } else {
            cw_buf_append(&out, p, 1);
            p++;
        }
    }
    *nparams = highest;
    return out.data ? out.data : cw_strdup("");
}

const char *cw_sql_next_statement(const char *sql, size_t *len)
{
    const char *p = sql, *start;
    for (;;) {
        size_t n;
        p += strspn(p, " \t\r\n\f\v;");
        n = (p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*') ? cw_sql_skip(p) : 0;
        if (!n)
            break;
        p += n;
    }
    if (!*p)
        return NULL;
    start = p;
    while (*p && *p != ';') {
        size_t n = cw_sql_skip(p);
        p += n ? n : 1;
    }
    *len = (size_t)(p - start);
    return start;
}

/* ------------------------------------------------------------------ staged form */

/* The offset of the first SQL code character at or after i: past
 * literals, quoted identifiers and comments. */
static size_t code_at(const char *sql, size_t i)
{
    size_t n;
    while ((n = cw_sql_skip(sql + i)))
        i += n;
    return i;
}

static int word_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* The offset of the first top-level (outside parentheses, literals and
 * comments) occurrence of the keyword kw at or after from, or -1. */
static long find_keyword(const char *sql, size_t from, const char *kw)
{
    size_t kl = strlen(kw);
    int depth = 0;
    for (size_t i = code_at(sql, 0); sql[i]; i = code_at(sql, i + 1)) {
        depth += (sql[i] == '(') - (sql[i] == ')');
        if (depth == 0 && i >= from && strncasecmp(sql + i, kw, kl) == 0 &&
            !word_char(sql[i + kl]) && (i == 0 || !word_char(sql[i - 1])))
            return (long)i;
    }
    return -1;
}

/* The offset just past the parenthesis that closes the one at open. */
static size_t close_paren(const char *sql, size_t open)
{
    int depth = 0;
    size_t i;
    for (i = code_at(sql, open); sql[i]; i = code_at(sql, i + 1)) {
        depth += (sql[i] == '(') - (sql[i] == ')');
        if (sql[i] == ')' && depth == 0)
            return i + 1;
    }
    return i;
}

/* Append sql[from, to) with every ?N as cw_s.cw_pN. */
static void put_params(cw_buf *out, const char *sql, size_t from, size_t to)
{
    size_t i = from;
    while (i < to) {
        size_t n = cw_sql_skip(sql + i);
        if (n) {
            cw_buf_append(out, sql + i, n);
            i += n;
        } else if (sql[i] == '?' && isdigit((unsigned char)sql[i + 1])) {
            char *end;
            long v = strtol(sql + i + 1, &end, 10);
            cw_buf_printf(out, "cw_s.cw_p%ld", v);
            i = (size_t)(end - sql);
        } else {
            cw_buf_append(out, sql + i, 1);
            i++;
        }
    }
}

static char *staged_insert(const char *sql, const char *stage, cw_buf *out)
{
    size_t len = strlen(sql);
    long values = find_keyword(sql, 0, "VALUES"), select = find_keyword(sql, 0, "SELECT");
    if (find_keyword(sql, 0, "RETURNING") >= 0)
        return NULL;
    if (values >= 0 && (select < 0 || values < select)) {
        size_t open = (size_t)values + 6, end;
        while (sql[open] && sql[open] != '(')
            open++;
        if (!sql[open])
            return NULL;
        end = close_paren(sql, open);
        cw_buf_append(out, sql, (size_t)values);
        cw_buf_puts(out, "SELECT ");
        put_params(out, sql, open + 1, end - 1);
        cw_buf_printf(out, " FROM %s cw_s WHERE true ORDER BY cw_s.cw_seq", stage);
        put_params(out, sql, end, len);
        return out->data;
    }
    if (select >= 0) {
        long from = find_keyword(sql, (size_t)select, "FROM");
        if (from < 0)
            return NULL;
        put_params(out, sql, 0, (size_t)from + 4);
        cw_buf_printf(out, " %s cw_s,", stage);
        put_params(out, sql, (size_t)from + 4, len);
        return out->data;
    }
    return NULL;
}

/* A parameter (a `?` outside literals and comments) in sql[from, to). */
static int has_param(const char *sql, size_t from, size_t to)
{
    for (size_t i = code_at(sql, from); i < to && sql[i]; i = code_at(sql, i + 1))
        if (sql[i] == '?')
            return 1;
    return 0;
}

/* DELETE FROM t WHERE w: SQLite has no DELETE ... USING, so the staging
 * rows are an EXISTS. */
static char *staged_delete(const char *sql, const char *stage, cw_buf *out)
{
    long where = find_keyword(sql, 0, "WHERE");
    if (where < 0 || find_keyword(sql, 0, "RETURNING") >= 0 || has_param(sql, 0, (size_t)where))
        return NULL;
    cw_buf_append(out, sql, (size_t)where);
    cw_buf_printf(out, "WHERE EXISTS (SELECT 1 FROM %s cw_s WHERE ", stage);
    put_params(out, sql, (size_t)where + 5, strlen(sql));
    cw_buf_puts(out, ")");
    return out->data;
}

/* UPDATE t SET s WHERE w: UPDATE ... FROM, which both engines have. */
static char *staged_update(const char *sql, const char *stage, cw_buf *out)
{
    long where = find_keyword(sql, 0, "WHERE");
    if (where < 0 || find_keyword(sql, 0, "RETURNING") >= 0 || find_keyword(sql, 0, "FROM") >= 0)
        return NULL;
    put_params(out, sql, 0, (size_t)where);
    cw_buf_printf(out, "FROM %s cw_s ", stage);
    put_params(out, sql, (size_t)where, strlen(sql));
    return out->data;
}

char *cw_sql_staged(const char *sql, const char *stage)
{
    cw_buf out = {0};
    char *r = NULL;
    sql += strspn(sql, " \t\r\n");
    if (strncasecmp(sql, "INSERT", 6) == 0)
        r = staged_insert(sql, stage, &out);
    else if (strncasecmp(sql, "DELETE", 6) == 0)
        r = staged_delete(sql, stage, &out);
    else if (strncasecmp(sql, "UPDATE", 6) == 0)
        r = staged_update(sql, stage, &out);
    if (!r)
        cw_buf_free(&out);
    return r;
}
