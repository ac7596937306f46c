/*
 * sqlset.c - named SQL statements from .sql files (see sqlset.h).
 */
#include "sqlset.h"

#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "log.h"
#include "strmap.h"
#include "util.h"

struct cw_sqlset {
    cw_strmap *index;           /* name -> position in sql[] */
    char **sql;
    size_t n, cap;
};

cw_sqlset *cw_sqlset_new(void)
{
    cw_sqlset *set = cw_xcalloc(1, sizeof(*set));
    set->index = cw_strmap_new();
    return set;
}

void cw_sqlset_free(cw_sqlset *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->n; i++)
        free(set->sql[i]);
    free(set->sql);
    cw_strmap_free(set->index);
    free(set);
}

size_t cw_sqlset_count(const cw_sqlset *set)
{
    return set->n;
}

const char *cw_sqlset_at(const cw_sqlset *set, size_t i)
{
    return i < set->n ? set->sql[i] : NULL;
}

const char *cw_sqlset_get(const cw_sqlset *set, const char *name)
{
    int64_t i;
    return cw_strmap_get(set->index, name, &i) ? set->sql[i] : NULL;
}

/* The statement collected so far, without its final ';' and blanks. */
static int finish(cw_sqlset *set, const char *path, char *name, cw_buf *sql)
{
    char *text = sql->data ? sql->data : cw_strdup("");
    size_t len = strlen(text);
    int rc = 0;
    *sql = (cw_buf){0};
    while (len && strchr(" \t\r\n;", text[len - 1]))
        text[--len] = '\0';
    if (!len) {
        cw_error("%s: statement %s is empty", path, name);
        rc = -1;
    } else if (cw_strmap_add(set->index, name, (int64_t)set->n, NULL) != 1) {
        cw_error("%s: statement %s is named twice", path, name);
        rc = -1;
    }
    if (rc != 0) {
        free(text);
        return rc;
    }
    if (set->n == set->cap) {
        set->cap = set->cap ? 2 * set->cap : 64;
        set->sql = cw_xrealloc(set->sql, set->cap * sizeof(*set->sql));
    }
    set->sql[set->n++] = text;
    return 0;
}

int cw_sqlset_parse(cw_sqlset *set, const char *path, const char *text)
{
    cw_buf sql = {0};
    char *name = NULL;
    int line_no = 0, rc = 0;
    const char *p = text;

    while (rc == 0 && *p) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        line_no++;
        while (s < p + len && (*s == ' ' || *s == '\t'))
            s++;
        if (strncmp(s, "-- name:", 8) == 0) {
            char *next = cw_strndup(s + 8, len - (size_t)(s + 8 - p));
            if (name)
                rc = finish(set, path, name, &sql);
            free(name);
            name = cw_strdup(cw_trim(next));
            free(next);
        } else if (strncmp(s, "--", 2) != 0 && s < p + len && *s != '\r') {
            if (!name) {
                cw_error("%s:%d: SQL before the first \"-- name:\" line", path, line_no);
                rc = -1;
            } else {
                cw_buf_append(&sql, p, len);
                cw_buf_puts(&sql, "\n");
            }
        }
        p = end ? end + 1 : p + len;
    }
    if (rc == 0 && name)
        rc = finish(set, path, name, &sql);
    free(name);
    cw_buf_free(&sql);
    return rc;
}

int cw_sqlset_load(cw_sqlset *set, const char *path)
{
    const char *text = cw_embedded_get(path);
    if (!text) {
        cw_error("%s: not compiled into this catwalk", path);
        return -1;
    }
    return cw_sqlset_parse(set, path, text);
}
