/*
 * sqlfile.c - find a named statement in an SQL file (see sqlfile.h).
 */
#include "sqlfile.h"
#include "embedded.h"
#include "log.h"
#include "util.h"

#include <string.h>

#define NAME_TAG "-- name:"

/* When line starts a section (NAME_TAG, blanks, a name, blanks to the end of
 * the line): the name's start and length. */
static int section_name(const char *line, const char **name, size_t *len)
{
    const char *p = line + strlen(NAME_TAG), *end;
    if (strncmp(line, NAME_TAG, strlen(NAME_TAG)) != 0)
        return 0;
    while (*p == ' ' || *p == '\t')
        p++;
    end = p;
    while (*end && *end != '\n' && *end != '\r' && *end != ' ' && *end != '\t')
        end++;
    *name = p;
    *len = (size_t)(end - p);
    return *len > 0;
}

static const char *next_line(const char *p)
{
    const char *nl = strchr(p, '\n');
    return nl ? nl + 1 : p + strlen(p);
}

/* A whole-line comment: its first non-blank characters are "--". */
static int comment_line(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p[0] == '-' && p[1] == '-';
}

char *cw_sql_named(const char *text, const char *name)
{
    const char *body = NULL, *p, *found;
    size_t len, want = strlen(name);
    cw_buf sql = { 0 };

    for (p = text; *p && !body; p = next_line(p))
        if (section_name(p, &found, &len) && len == want && memcmp(found, name, len) == 0)
            body = next_line(p);
    if (!body)
        return NULL;
    cw_buf_puts(&sql, "");
    for (p = body; *p && !section_name(p, &found, &len); p = next_line(p))
        if (!comment_line(p))
            cw_buf_append(&sql, p, (size_t)(next_line(p) - p));
    while (sql.len > 0 && strchr(" \t\r\n;", sql.data[sql.len - 1]))
        sql.data[--sql.len] = '\0';
    return sql.data;
}

char *cw_sqlfile_get(const char *path, const char *name)
{
    const char *text = cw_embedded_get(path);
    char *sql;
    if (!text) {
        cw_error("%s is not embedded", path);
        return NULL;
    }
    sql = cw_sql_named(text, name);
    if (!sql)
        cw_error("%s: no statement named %s", path, name);
    return sql;
}
