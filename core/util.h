/*
 * util.h - small string and buffer helpers.
 */
#ifndef CW_UTIL_H
#define CW_UTIL_H

#include <stddef.h>
#include <stdarg.h>

/* A growable NUL-terminated byte buffer. */
typedef struct cw_buf {
    char *data;
    size_t len;
    size_t cap;
} cw_buf;

int cw_buf_append(cw_buf *b, const char *s, size_t n);
int cw_buf_puts(cw_buf *b, const char *s);
int cw_buf_printf(cw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cw_buf_reset(cw_buf *b);
void cw_buf_free(cw_buf *b);

char *cw_strdup(const char *s);               /* NULL-safe strdup; aborts on OOM */
char *cw_strndup(const char *s, size_t n);
char *cw_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void *cw_xmalloc(size_t n);                    /* aborts on OOM */
void *cw_xcalloc(size_t n, size_t size);
void *cw_xrealloc(void *p, size_t n);
/* The one growth rule for arrays: room for at least `need` elements of
 * `elem` bytes in p, whose capacity *cap (in elements) is raised to 16 and
 * then doubled until need fits.  Returns the (maybe moved) array; aborts on
 * out-of-memory and when the size does not fit a size_t, like cw_xcalloc.
 * Typical use:  v = cw_grow(v, &cap, n + 1, sizeof *v);  v[n++] = x; */
void *cw_grow(void *p, size_t *cap, size_t need, size_t elem);
char *cw_trim(char *s);                        /* in place, returns s shifted */
int cw_streq_ci(const char *a, const char *b); /* ASCII case-insensitive equality, NULL-safe */
int cw_str_empty(const char *s);               /* NULL or "" */
const char *cw_str_or_null(const char *s);     /* s, or NULL for NULL or "" */
char *cw_read_file(const char *path, size_t *len); /* whole file, NUL-terminated; NULL on error */
/* A plain decimal number (digits, '.', an exponent; no hex, nan or inf)
 * within [min, max], whole when asked: 0 with *out, or -1.  Checked before
 * any conversion to an integer type, where an out-of-range double is
 * undefined behaviour. */
int cw_parse_decimal(const char *text, double min, double max, int whole, double *out);
/* Remove each entry of folder dir whose name doomed(name, ctx) picks ("."
 * and ".." are never offered).  A sweep: a missing folder or an entry that
 * cannot be removed is passed over quietly. */
typedef int (*cw_name_fn)(const char *name, void *ctx);
void cw_remove_entries(const char *dir, cw_name_fn doomed, void *ctx);
int cw_mkdirs(const char *path);               /* mkdir -p; 0 or -1 with errno */
int cw_mkdirs_mode(const char *path, unsigned mode); /* mkdir -p creating folders with mode (& ~umask) */

/* Replace path atomically: fill(ctx, tmp) writes a new file at a unique
 * temporary name in path's folder (created empty, mode 0666 & ~umask, before
 * the call), which is synced and renamed over path only when fill returns 0.
 * On any failure the temporary file is removed and path is left as it was;
 * one a killed writer left behind is removed by the next write of path.
 * Returns 0, or -1 (after logging nothing: the caller says what failed,
 * errno tells why when fill did not fail itself). */
typedef int (*cw_write_fn)(void *ctx, const char *tmp_path);
int cw_write_atomic(const char *path, cw_write_fn fill, void *ctx);

#endif
