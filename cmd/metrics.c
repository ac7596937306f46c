/*
 * metrics.c - `catwalk metrics`: the metric rows of metrics.md for a window,
 * printed as JSON (jansson), CSV (libcsv quoting) or an aligned table.
 *
 *   catwalk metrics -c FILE [--from YYYY-MM-DD] [--to YYYY-MM-DD]
 *                   [--by day|week|month] [--format json|csv|table]
 *                   [--by-team | --org]
 *
 * The window is [from, to), both aligned down to period starts; `to`
 * defaults to the start of the current period (the partial period is left
 * out) and `from` to 12 periods before `to`.  The warehouse is opened
 * read-only: the nightly job may be writing it (WAL) while this runs.
 */
#include "commands.h"
#include "options.h"

#include <csv.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/config.h"
#include "../extract/source.h"
#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"
#include "../reports/metrics.h"

#define DEFAULT_PERIODS 12

typedef enum out_format { FORMAT_JSON, FORMAT_CSV, FORMAT_TABLE } out_format;

typedef struct metrics_options {
    cw_common_options common;
    const char *from, *to;      /* as given, NULL = default */
    cw_period_kind by;
    out_format format;
    cw_scope scope;
} metrics_options;

static const cw_command_help metrics_help = {
    "metrics",
    "-c FILE [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
    "                       [--by day|week|month] [--format json|csv|table]\n"
    "                       [--by-team | --org]",
    "Print the DORA and flow metrics (metrics.md) per application and period.",
    "Dates (YYYY-MM-DD, or an ISO-8601 instant) are aligned down to the start of\n"
    "their period.  Null values (a median or rate with an empty base) are JSON\n"
    "null, an empty CSV cell, or '-'.\n\n"
    "exit status: 0 printed; 1 failure; 2 usage or configuration error.",
};

static int parse_format(const char *text, out_format *out)
{
    if (strcmp(text, "json") == 0)
        *out = FORMAT_JSON;
    else if (strcmp(text, "csv") == 0)
        *out = FORMAT_CSV;
    else if (strcmp(text, "table") == 0)
        *out = FORMAT_TABLE;
    else
        return -1;
    return 0;
}

/* Returns -1 to go on, else the exit code (help, or a usage error); the
 * window is read with the options, so a bad date is a usage error too. */
static int parse_options(int argc, char **argv, metrics_options *o, int64_t now,
                         cw_metrics_query *q)
{
    const char *by = NULL, *format = NULL;
    int by_team = 0, org = 0, n;
    const cw_option options[] = {
        CW_OPT_COMMON(&o->common),
        CW_OPT_STRING(0, "from", "DATE", &o->from, "first period (default: 12 periods before --to)"),
        CW_OPT_STRING(0, "to", "DATE", &o->to,
                      "end of the window, exclusive (default: the start of the\n"
                      "current period, so the partial period is left out)"),
        CW_OPT_STRING(0, "by", "GRAIN", &by, "day, week (Monday 00:00 UTC, default) or month"),
        CW_OPT_STRING(0, "format", "FMT", &format, "json (default), csv or table"),
        CW_OPT_FLAG(0, "by-team", &by_team, "one row per team (the union of its applications)"),
        CW_OPT_FLAG(0, "org", &org, "one row for the whole organisation"),
        CW_OPT_END()};
    memset(o, 0, sizeof *o);
    o->by = CW_PERIOD_WEEK;
    o->format = FORMAT_JSON;
    if ((n = cw_options_no_operands(&metrics_help, options, &o->common, argc, argv, NULL)) >= 0)
        return n;
    if (by && cw_period_kind_parse(by, &o->by) != 0)
        return cw_usage_error(&metrics_help, "--by", "expected day, week or month", by);
    if (format && parse_format(format, &o->format) != 0)
        return cw_usage_error(&metrics_help, "--format", "expected json, csv or table", format);
    if (by_team && org)
        return cw_usage_error(&metrics_help, "--by-team", "cannot be combined with --org", NULL);
    o->scope = org ? CW_SCOPE_ORG : by_team ? CW_SCOPE_TEAM : CW_SCOPE_APPLICATION;
    q->by = o->by;
    q->scope = o->scope;
    if (cw_options_window(&metrics_help, o->from, o->to, o->by, DEFAULT_PERIODS, now, &q->from,
                          &q->to) != 0)
        return CW_EXIT_USAGE;
    return -1;
}

/* ------------------------------------------------------------ output */

static long field_long(const cw_metric_row *row, const cw_metric_field *f)
{
    long v;
    memcpy(&v, (const char *)row + f->offset, sizeof v);
    return v;
}

static double field_double(const cw_metric_row *row, const cw_metric_field *f)
{
    double v;
    memcpy(&v, (const char *)row + f->offset, sizeof v);
    return v;
}

/* The shortest text that reads back as the same double; whole numbers
 * without an exponent (30, not 3e+01). */
static void format_double(double v, char *buf, size_t size)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, size, "%.0f", v);
        return;
    }
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(buf, size, "%.*g", precision, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

typedef struct output {
    out_format format;
    cw_scope scope;
    json_t *array;              /* json */
    char **cells;               /* table: n_rows x n_cols texts */
    size_t n_rows, cap_rows, n_cols;
    int header_done;            /* csv */
} output;

static int json_row(output *out, const cw_metric_row *row)
{
    json_t *obj = json_object();
    json_object_set_new(obj, cw_scope_name(out->scope), json_string(row->name));
    json_object_set_new(obj, "period", json_string(row->period));
    for (size_t i = 0; i < cw_metric_n_fields; i++) {
        const cw_metric_field *f = &cw_metric_fields[i];
        double d = f->is_double ? field_double(row, f) : 0;
        json_t *value = !f->is_double ? json_integer(field_long(row, f))
                        : isnan(d) ? json_null() : json_real(d);
        json_object_set_new(obj, f->name, value);
    }
    return json_array_append_new(out->array, obj) == 0 ? 0 : -1;
}

static void csv_header(const output *out)
{
    printf("%s,period", cw_scope_name(out->scope));
    for (size_t i = 0; i < cw_metric_n_fields; i++)
        printf(",%s", cw_metric_fields[i].name);
    putchar('\n');
}

/* The text of a numeric cell; "" for null in CSV, "-" in the table. */
static void cell_text(const cw_metric_row *row, const cw_metric_field *f, out_format format,
                      char *buf, size_t size)
{
    double d;
    if (!f->is_double) {
        snprintf(buf, size, "%ld", field_long(row, f));
        return;
    }
    d = field_double(row, f);
    if (isnan(d))
        snprintf(buf, size, "%s", format == FORMAT_TABLE ? "-" : "");
    else if (format == FORMAT_TABLE)
        snprintf(buf, size, "%.2f", d);
    else
        format_double(d, buf, size);
}

static int csv_row(output *out, const cw_metric_row *row)
{
    char buf[64];
    if (!out->header_done) {
        csv_header(out);
        out->header_done = 1;
    }
    csv_fwrite(stdout, row->name, strlen(row->name));
    printf(",%s", row->period);
    for (size_t i = 0; i < cw_metric_n_fields; i++) {
        cell_text(row, &cw_metric_fields[i], FORMAT_CSV, buf, sizeof buf);
        printf(",%s", buf);
    }
    putchar('\n');
    return 0;
}

static void table_add(output *out, char **cells)
{
    if (out->n_rows == out->cap_rows) {
        out->cap_rows = out->cap_rows ? 2 * out->cap_rows : 64;
        out->cells = cw_xrealloc(out->cells, out->cap_rows * out->n_cols * sizeof *out->cells);
    }
    memcpy(out->cells + out->n_rows * out->n_cols, cells, out->n_cols * sizeof *cells);
    out->n_rows++;
}

static int table_row(output *out, const cw_metric_row *row)
{
    char **cells = cw_xcalloc(out->n_cols, sizeof *cells), buf[64];
    if (out->n_rows == 0) {             /* the header is row 0 */
        cells[0] = cw_strdup(cw_scope_name(out->scope));
        cells[1] = cw_strdup("period");
        for (size_t i = 0; i < cw_metric_n_fields; i++)
            cells[2 + i] = cw_strdup(cw_metric_fields[i].name);
        table_add(out, cells);
    }
    cells[0] = cw_strdup(row->name);
    cells[1] = cw_strdup(row->period);
    for (size_t i = 0; i < cw_metric_n_fields; i++) {
        cell_text(row, &cw_metric_fields[i], FORMAT_TABLE, buf, sizeof buf);
        cells[2 + i] = cw_strdup(buf);
    }
    table_add(out, cells);
    free(cells);
    return 0;
}

/* Names left-aligned, numbers right-aligned, two spaces between columns. */
static void table_print(const output *out)
{
    size_t *width = cw_xcalloc(out->n_cols, sizeof *width);
    for (size_t r = 0; r < out->n_rows; r++)
        for (size_t c = 0; c < out->n_cols; c++) {
            size_t len = strlen(out->cells[r * out->n_cols + c]);
            if (len > width[c])
                width[c] = len;
        }
    for (size_t r = 0; r < out->n_rows; r++) {
        for (size_t c = 0; c < out->n_cols; c++) {
            const char *text = out->cells[r * out->n_cols + c];
            int w = (int)width[c];
            if (c < 2)
                printf("%s%-*s", c ? "  " : "", w, text);
            else
                printf("  %*s", w, text);
        }
        putchar('\n');
    }
    free(width);
}

static int on_row(void *ctx, const cw_metric_row *row)
{
    output *out = ctx;
    switch (out->format) {
    case FORMAT_CSV: return csv_row(out, row);
    case FORMAT_TABLE: return table_row(out, row);
    case FORMAT_JSON: break;
    }
    return json_row(out, row);
}

static int output_finish(output *out)
{
    int rc = 0;
    if (out->format == FORMAT_JSON) {
        rc = json_dumpf(out->array, stdout, JSON_INDENT(2)) == 0 ? 0 : -1;
        putchar('\n');
    } else if (out->format == FORMAT_CSV && !out->header_done) {
        csv_header(out);                /* no rows: still a header */
    } else if (out->format == FORMAT_TABLE) {
        table_print(out);
    }
    return fflush(stdout) == 0 ? rc : -1;
}

static void output_free(output *out)
{
    json_decref(out->array);
    for (size_t i = 0; i < out->n_rows * out->n_cols; i++)
        free(out->cells[i]);
    free(out->cells);
}

/* ------------------------------------------------------------ the command */

static int print_metrics(cw_db *db, const cw_metrics_query *q, out_format format)
{
    output out = { format, q->scope, NULL, NULL, 0, 0, 2 + cw_metric_n_fields, 0 };
    int rc;
    if (format == FORMAT_JSON)
        out.array = json_array();
    rc = cw_metrics_rows(db, q, on_row, &out);
    if (rc == 0)
        rc = output_finish(&out);
    output_free(&out);
    return rc;
}

int cmd_metrics(int argc, char **argv)
{
    metrics_options o;
    cw_metrics_query q;
    cw_config *cfg = NULL;
    cw_db *db = NULL;
    int rc = parse_options(argc, argv, &o, (int64_t)time(NULL), &q);
    if (rc >= 0)
        return rc;
    if (cw_config_load(o.common.config, cw_source_check, &cfg) != 0)
        return CW_EXIT_USAGE;
    rc = CW_EXIT_FAILURE;
    if (cw_metrics_open_reader(cfg, &db) == 0 && print_metrics(db, &q, o.format) == 0)
        rc = CW_EXIT_OK;
    else
        cw_error("metrics: no metrics printed");
    cw_db_close(db);
    cw_config_free(cfg);
    return rc;
}
