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
#include <fcntl.h>
#include <math.h>
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

void *cw_grow(void *p, size_t *cap, size_t need, size_t elem)
{
    size_t n = *cap ? *cap : 16;
    if (need <= *cap)
        return p;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            out_of_memory();
        n *= 2;
    }
    if (elem && n > SIZE_MAX / elem)
        out_of_memory();
    p = cw_xrealloc(p, n * elem);
    *cap = n;
    return p;
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
    if (extra > SIZE_MAX - b->len - 1)
        out_of_memory();
    b->data = cw_grow(b->data, &b->cap, b->len + extra + 1, 1);
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

const char *cw_str_or_null(const char *s)
{
    return cw_str_empty(s) ? NULL : s;
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

int cw_parse_decimal(const char *text, double min, double max, int whole, double *out)
{
    char *end;
    double v;
    if (!*text || strspn(text, "0123456789.eE+-") != strlen(text))
        return -1;
    errno = 0;
    v = strtod(text, &end);
    if (end == text || *end || errno == ERANGE || !isfinite(v) || v < min || v > max ||
        (whole && v != floor(v)))
        return -1;
    *out = v;
    return 0;
}

int cw_mkdirs(const char *path)
{
    return cw_mkdirs_mode(path, 0755);
}

int cw_mkdirs_mode(const char *path, unsigned mode)
{
    char *copy = cw_strdup(path);
    int rc = 0;
    for (char *p = copy + 1; *p && rc == 0; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(copy, (mode_t)mode) != 0 && errno != EEXIST)
            rc = -1;
        *p = '/';
    }
    if (rc == 0 && mkdir(copy, (mode_t)mode) != 0 && errno != EEXIST)
        rc = -1;
    free(copy);
    return rc;
}

/* A name in path's folder that nobody else holds: ".NAME.tmp-PID-N",
 * created empty with O_EXCL so a second writer cannot share it.  Hidden and
 * distinct from NAME, so a reader listing the folder never takes it for the
 * finished file. */
static char *reserve_temp(const char *path)
{
    const char *slash = strrchr(path, '/');
    int dir_len = slash ? (int)(slash - path + 1) : 0;
    const char *base = slash ? slash + 1 : path;
    for (int n = 0; n < 100; n++) {
        char *tmp = cw_asprintf("%.*s.%s.tmp-%ld-%d", dir_len, path, base, (long)getpid(), n);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0) {
            close(fd);
            return tmp;
        }
        free(tmp);
        if (errno != EEXIST)
            return NULL;
    }
    return NULL;
}

/* The bytes must be on disk before the rename makes them the file. */
static int sync_file(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

void cw_remove_entries(const char *dir, cw_name_fn doomed, void *ctx)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 && doomed(e->d_name, ctx)) {
            char *path = cw_asprintf("%s/%s", dir, e->d_name);
            unlink(path);
            free(path);
        }
    }
    if (d)
        closedir(d);
}

/* ".NAME.tmp-PID-N" of a process that is gone. */
static int is_stale_temp(const char *name, void *prefix)
{
    size_t n = strlen(prefix);
    char *end;
    long pid;
    if (strncmp(name, prefix, n) != 0)
        return 0;
    pid = strtol(name + n, &end, 10);
    return pid > 0 && *end == '-' && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* A writer killed between reserve and rename leaves its temporary file:
 * the next writer of the same name removes those of processes that are gone. */
static void remove_stale_temps(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? cw_strndup(path, (size_t)(slash - path) + 1) : cw_strdup(".");
    char *prefix = cw_asprintf(".%s.tmp-", slash ? slash + 1 : path);
    cw_remove_entries(dir, is_stale_temp, prefix);
    free(prefix);
    free(dir);
}

int cw_write_atomic(const char *path, cw_write_fn fill, void *ctx)
{
    char *tmp;
    int rc, saved;
    remove_stale_temps(path);
    tmp = reserve_temp(path);
    if (!tmp)
        return -1;
    rc = fill(ctx, tmp);
    if (rc == 0 && (sync_file(tmp) != 0 || rename(tmp, path) != 0))
        rc = -1;
    saved = errno;
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    errno = saved;
    return rc == 0 ? 0 : -1;
}
