/*
 * devlake.c - read Apache DevLake raw-table CSV wrappers (see devlake.h).
 *
 * The `data` cell of each row is one API item as JSON.  We parse it with
 * cw_json_load_text, the loader of landed JSON files (the same \u0000
 * allowance, BOM and out-of-range numbers), and hand it to the connector's
 * callback, so a connector reads a DevLake export with the same item code
 * it uses for a live page.
 */
#include "devlake.h"
#include "../core/csv.h"
#include "../core/json.h"
#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct walk {
    const char *path, *source;
    cw_sink *sink;
    cw_devlake_row_fn fn;
    void *ctx;
    int data_col, params_col, url_col, input_col;
    int failed;         /* the stop is already explained: a reject, or a sink failure */
} walk;

/* Adapter: the item-only callback of cw_devlake_each. */
typedef struct item_only {
    cw_devlake_fn fn;
    void *ctx;
} item_only;

/* A CSV saved by a spreadsheet or a Windows tool may start with a UTF-8 byte
 * order mark; the header follows it (the CSV reader skips it the same way). */
int cw_devlake_is_wrapper(const char *path)
{
    static const char bom[] = "\xEF\xBB\xBF";
    char head[64] = {0};
    const char *p = head;
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f)
        return 0;
    n = fread(head, 1, sizeof(head) - 1, f);
    fclose(f);
    head[n] = '\0';
    if (strncmp(p, bom, sizeof(bom) - 1) == 0)
        p += sizeof(bom) - 1;
    return strncmp(p, "id,params,data,", 15) == 0 ||
           strncmp(p, "\"id\",\"params\",\"data\",", 21) == 0;
}

static int on_header(void *ctx, const cw_csv_row *row)
{
    walk *w = ctx;
    w->data_col = cw_csv_col(row, "data");
    w->params_col = cw_csv_col(row, "params");
    w->url_col = cw_csv_col(row, "url");
    w->input_col = cw_csv_col(row, "input");
    if (w->data_col < 0) {
        cw_origin o = {w->source, w->path, row->record};
        cw_sink_reject(w->sink, &o, "data", NULL, "DevLake wrapper without a data column");
        w->failed = 1;
        return -1;
    }
    return 0;
}

static int on_row(void *ctx, const cw_csv_row *row)
{
    walk *w = ctx;
    cw_origin o = {w->source, w->path, row->record};
    const char *data = cw_csv_get(row, w->data_col);
    char jerr[200];
    json_t *item;
    int rc;
    if (!data || !*data) {
        char *raw = cw_csv_row_text(row);
        rc = cw_sink_reject(w->sink, &o, "data", raw, "empty data cell");
        free(raw);
        return rc ? (w->failed = 1, rc) : 0;
    }
    item = cw_json_load_text(data, strlen(data), jerr, sizeof(jerr));
    if (!item) {
        char *raw = cw_strndup(data, strlen(data) > 500 ? 500 : strlen(data));
        rc = cw_sink_reject(w->sink, &o, "data", raw, "invalid JSON at %s", jerr);
        free(raw);
        return rc ? (w->failed = 1, rc) : 0;
    }
    {
        cw_devlake_row r = {item, cw_str_or_null(cw_csv_get(row, w->params_col)),
                            cw_str_or_null(cw_csv_get(row, w->url_col)),
                            cw_str_or_null(cw_csv_get(row, w->input_col))};
        rc = w->fn(w->ctx, &r, &o);
        if (rc)
            w->failed = 1;  /* the connector stopped: not a CSV problem */
    }
    json_decref(item);
    return rc;
}

static int call_item_only(void *ctx, const cw_devlake_row *row, const cw_origin *origin)
{
    item_only *io = ctx;
    return io->fn(io->ctx, row->item, origin);
}

int cw_devlake_each(const char *path, const char *source, cw_sink *sink,
                    cw_devlake_fn fn, void *ctx)
{
    item_only io = {fn, ctx};
    return cw_devlake_each_row(path, source, sink, call_item_only, &io);
}

int cw_devlake_each_row(const char *path, const char *source, cw_sink *sink,
                        cw_devlake_row_fn fn, void *ctx)
{
    walk w = {path, source, sink, fn, ctx, -1, -1, -1, -1, 0};
    char err[256];
    cw_text_check text = {0};
    cw_origin file = {source, path, 0};
    int rc = cw_csv_read(path, on_header, on_row, &w, &text, err, sizeof(err));
    /* a CSV error anywhere, the header included, is one reject naming it */
    if (rc == -1 && !w.failed) {
        cw_origin o = {source, path, 0};
        cw_sink_reject(sink, &o, NULL, NULL, "unreadable CSV: %s", err);
    }
    if (cw_text_report(sink, &file, &text) != 0)
        rc = -1;
    return rc;
}
