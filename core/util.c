/*
 * util.c - small string and buffer helpers (see util.h).
 *
 * Allocation failures abort: catwalk is a batch job, and an out-of-memory
 * half way through a batch is handled by the transaction rolling back, not
 * by threading NULL checks through every caller.
 */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void out_of_memory(void)
{
    fputs("catwalk: fatal: out of memory\n", stderr);
    abort();
}

void *cw_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *cw_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        out_of_memory();
    return p;
}

void *cw_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        out_of_memory();
    return q;
}

char *cw_strdup(const char *s)
{
    return s ? cw_strndup(s, strlen(s)) : NULL;
}

char *cw_strndup(const char *s, size_t n)
{
    char *d;
    if (!s)
        return NULL;
    d = cw_xmalloc(n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *cw_asprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        out_of_memory();
    va_end(ap);
    return s;
}

static void buf_reserve(cw_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    b->cap = b->cap ? b->cap : 64;
    while (b->cap < need)
        b->cap *= 2;
    b->data = cw_xrealloc(b->data, b->cap);
}

int cw_buf_append(cw_buf *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int cw_buf_puts(cw_buf *b, const char *s)
{
    return cw_buf_append(b, s, strlen(s));
}

int cw_buf_printf(cw_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    buf_reserve(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

void cw_buf_reset(cw_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void cw_buf_free(cw_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *cw_trim(char *s)
{
    char *end;
    while (*s && isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

int cw_streq_ci(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcasecmp(a, b) == 0;
}

int cw_str_empty(const char *s)
{
    return !s || !*s;
}

char *cw_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cw_buf b = {0};
    char chunk[65536];
    size_t n;
    if (!f)
        return NULL;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        cw_buf_append(&b, chunk, n);
    if (ferror(f)) {
        fclose(f);
        cw_buf_free(&b);
        return NULL;
    }
    fclose(f);
    if (!b.data)
        cw_buf_append(&b, "", 0);
    if (len)
        *len = b.len;
    return b.data;
}

int cw_mkdirs(const char *path)
{
    char *copy = cw_strdup(path);
    int rc = 0;
    for (char *p = copy + 1; *p && rc == 0; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, 0755) != 0 && errno != EEXIST)
            rc = -1;
        *p = '/';
    }
    if (rc == 0 && mkdir(copy, 0755) != 0 && errno != EEXIST)
        rc = -1;
    free(copy);
    return rc;
}
