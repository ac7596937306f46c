/*
 * csv.c - streaming CSV reading on libcsv with header lookup (see csv.h).
 *
 * libcsv calls us back per field and per record; we collect the fields of
 * the current record into a reusable array and hand the whole row to the
 * caller.  Only one record is held in memory at a time.
 */
#include "csv.h"
#include "util.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct reader {
    cw_csv_fn on_header, on_row;
    void *ctx;
    cw_csv_row row;
    size_t cap;
    long newlines_seen;     /* newlines in the bytes fully parsed so far */
    int piece_ends_line;    /* the piece being parsed ends with its newline */
    long next_line;         /* line where the next record starts */
    int stop;               /* callback's non-zero result */
    const char *path;
    cw_text_check *text;    /* cells that were not UTF-8 */
    char **header;          /* the header's cells, to name a repaired cell */
    size_t n_header;
} reader;

/* What a warning calls the cell the next field fills: its column's header. */
static const char *column_name(const reader *r, char *buf, size_t size)
{
    size_t i = r->row.n;
    if (r->row.record == 1)
        snprintf(buf, size, "header cell %zu", i + 1);
    else if (i < r->n_header && r->header[i][0])
        return r->header[i];
    else
        snprintf(buf, size, "column %zu", i + 1);
    return buf;
}

/* A cell's bytes as UTF-8: a CSV saved by a spreadsheet is often
 * Windows-1252, so a cell that is not UTF-8 is repaired, not refused
 * (core/record.h, cw_text_utf8). */
static void on_field(void *data, size_t len, void *ctx)
{
    reader *r = ctx;
    char *text, *owned, name[32];
    if (r->stop)
        return;
    r->row.fields = cw_grow(r->row.fields, &r->cap, r->row.n + 1, sizeof(char *));
    text = cw_strndup(data ? (const char *)data : "", data ? len : 0);
    cw_text_utf8(r->text, r->path, r->row.record, column_name(r, name, sizeof(name)), text, &owned);
    if (owned) {
        free(text);
        text = owned;
    }
    r->row.fields[r->row.n++] = text;
}

static void keep_header(reader *r)
{
    r->header = cw_xcalloc(r->row.n ? r->row.n : 1, sizeof(char *));
    for (size_t i = 0; i < r->row.n; i++)
        r->header[i] = cw_strdup(r->row.fields[i]);
    r->n_header = r->row.n;
}

static void clear_row(reader *r)
{
    for (size_t i = 0; i < r->row.n; i++)
        free(r->row.fields[i]);
    r->row.n = 0;
}

static void on_record(int term, void *ctx)
{
    reader *r = ctx;
    (void)term;
    if (!r->stop) {
        r->row.line = r->next_line;
        if (r->row.record == 1)
            keep_header(r);
        if (r->row.record == 1)
            r->stop = r->on_header ? r->on_header(r->ctx, &r->row) : 0;
        else
            r->stop = r->on_row ? r->on_row(r->ctx, &r->row) : 0;
    }
    clear_row(r);
    r->row.record++;
    /* libcsv ends a record on its newline, before feed() counts it. */
    r->next_line = r->newlines_seen + 1 + r->piece_ends_line;
}

/* Feed one chunk line by line so each record knows the physical line it
 * starts on: after libcsv consumes a newline we bump the counter before the
 * next byte is parsed. */
static int feed(struct csv_parser *p, reader *r, const char *buf, size_t n)
{
    size_t start = 0;
    while (start < n && !r->stop) {
        const char *nl = memchr(buf + start, '\n', n - start);
        size_t end = nl ? (size_t)(nl - buf) + 1 : n;
        r->piece_ends_line = nl != NULL;
        if (csv_parse(p, buf + start, end - start, on_field, on_record, r) != end - start)
            return -1;
        if (nl) {
            r->newlines_seen++;
        }
        start = end;
    }
    return 0;
}

/* A UTF-8 byte order mark before the header is not part of the file's
 * text: it is dropped before libcsv sees it, since in strict mode libcsv
 * refuses a quoted header that follows it ("\xEF\xBB\xBF\"Issue key\"",
 * which lost the whole file), and an unquoted first header would keep it. */
int cw_csv_read(const char *path, cw_csv_fn on_header, cw_csv_fn on_row, void *ctx,
                cw_text_check *text, char *err, size_t errlen)
{
    struct csv_parser p;
    cw_text_check own_text = {0};
    reader r = {0};
    FILE *f = fopen(path, "rb");
    char buf[65536];
    size_t n;
    int rc = 0, first = 1;
    if (!f) {
        snprintf(err, errlen, "cannot open: %m");
        return -1;
    }
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL) != 0) {
        fclose(f);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    r.on_header = on_header;
    r.on_row = on_row;
    r.ctx = ctx;
    r.path = path;
    r.text = text ? text : &own_text;
    r.row.record = 1;
    r.next_line = 1;
    while (!r.stop && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
        size_t skip = first && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        first = 0;
        if (feed(&p, &r, buf + skip, n - skip) != 0) {
            snprintf(err, errlen, "line %ld: %s", r.newlines_seen + 1, csv_strerror(csv_error(&p)));
            rc = -1;
            break;
        }
    }
    if (rc == 0 && !r.stop && csv_fini(&p, on_field, on_record, &r) != 0) {
        snprintf(err, errlen, "line %ld: %s", r.newlines_seen + 1, csv_strerror(csv_error(&p)));
        rc = -1;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "read error");
        rc = -1;
    }
    clear_row(&r);
    free(r.row.fields);
    for (size_t i = 0; i < r.n_header; i++)
        free(r.header[i]);
    free(r.header);
    csv_free(&p);
    fclose(f);
    return rc ? rc : r.stop;
}

/* Does header h equal one of the '|'-separated names? */
static int header_matches(const char *h, const char *names)
{
    const char *p = names;
    size_t hlen;
    while (*h == ' ')
        h++;
    hlen = strlen(h);
    while (hlen && h[hlen - 1] == ' ')
        hlen--;
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == hlen && strncasecmp(h, p, n) == 0)
            return 1;
        if (!bar)
            break;
        p = bar + 1;
    }
    return 0;
}

int cw_csv_col(const cw_csv_row *header, const char *names)
{
    /* Names are tried in the order given, so "number|Number|sys_id" prefers number. */
    const char *p = names;
    char one[256];
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n < sizeof(one)) {
            memcpy(one, p, n);
            one[n] = '\0';
            for (size_t i = 0; i < header->n; i++)
                if (header_matches(header->fields[i], one))
                    return (int)i;
        }
        if (!bar)
            break;
        p = bar + 1;
    }
    return -1;
}

size_t cw_csv_cols(const cw_csv_row *header, const char *names, int *idx, size_t max)
{
    size_t found = 0;
    for (size_t i = 0; i < header->n && found < max; i++)
        if (header_matches(header->fields[i], names))
            idx[found++] = (int)i;
    return found;
}

const char *cw_csv_get(const cw_csv_row *row, int i)
{
    if (i < 0 || (size_t)i >= row->n)
        return NULL;
    return row->fields[i];
}

char *cw_csv_row_text(const cw_csv_row *row)
{
    cw_buf b = {0};
    for (size_t i = 0; i < row->n; i++) {
        const char *f = row->fields[i];
        size_t len = strlen(f);
        /* csv_write quotes and doubles quotes; a field needs at most 2n+2 bytes. */
        char *quoted = cw_xmalloc(2 * len + 3);
        size_t qlen = csv_write(quoted, 2 * len + 2, f, len);
        if (i)
            cw_buf_puts(&b, ",");
        cw_buf_append(&b, quoted, qlen);
        free(quoted);
    }
    if (!b.data)
        cw_buf_puts(&b, "");
    return b.data;
}
