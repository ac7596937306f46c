/*
 * sqltext.c - statement boundaries and parameter rewriting (see sqltext.h).
 */
#include "sqltext.h"
#include "../core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
