/*
 * flow.c - `catwalk flow`: where work waits (metrics.md "Work items and
 * flow", "Gates and the value stream map", "Idea to production").
 *
 *   catwalk flow -c FILE [--by status | --gates | --in-flight]
 *                [--from DATE] [--to DATE] [--period day|week|month]
 *                [--format table|json|csv] [--by-team | --org]
 *
 *   --by status (default)  time in each status per member and period, with
 *                          the member's top waiting stage over the window
 *   --gates                per gate: passed, median/p85 hours in it,
 *                          skipped, and waiting at the window's end
 *   --in-flight            items with a referencing commit not deployed yet
 *
 * The numbers come from reports/valuestream.h; this file only prints them.
 * Every row is a list of typed cells, so one printer serves the three
 * views and the three formats.  The warehouse is opened read-only.
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
#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"
#include "../extract/source.h"
#include "../reports/metrics.h"
#include "../reports/valuestream.h"

#define DEFAULT_PERIODS 12
#define MAX_COLS 16

typedef enum flow_view { VIEW_STATUS, VIEW_GATES, VIEW_IN_FLIGHT } flow_view;
typedef enum flow_format { FORMAT_TABLE, FORMAT_JSON, FORMAT_CSV } flow_format;

static const cw_command_help flow_help = {
    "flow",
    "-c FILE [--by status | --gates | --in-flight]\n"
    "                    [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--period day|week|month]\n"
    "                    [--format table|json|csv] [--by-team | --org]",
    "Print where work waits: time in each status (the value stream map) per\n"
    "application and period with each one's top waiting stage, the gates\n"
    "([gates]) passed, skipped and waited at, or the items in flight.",
    "Dates (YYYY-MM-DD, or an ISO-8601 instant) are aligned down to the start of\n"
    "their period.  --gates counts waiting items at the window's end; --in-flight\n"
    "lists the warehouse as it stands and takes no window.  Null values are JSON\n"
    "null, an empty CSV cell, or '-'.\n\n"
    "exit status: 0 printed; 1 failure; 2 usage or configuration error.",
};

/* ------------------------------------------------------------ cells */

typedef enum cell_kind { CELL_TEXT, CELL_LONG, CELL_HOURS, CELL_INSTANT } cell_kind;

typedef struct cell {
    cell_kind kind;
    const char *text;           /* CELL_TEXT; NULL = null */
    long n;                     /* CELL_LONG */
    double h;                   /* CELL_HOURS; NAN = null */
    int64_t t;                  /* CELL_INSTANT; < 0 = null */
} cell;

#define TEXT(s) ((cell){CELL_TEXT, (s), 0, 0, 0})
#define LONG(v) ((cell){CELL_LONG, NULL, (v), 0, 0})
#define HOURS(v) ((cell){CELL_HOURS, NULL, 0, (v), 0})
#define INSTANT(v) ((cell){CELL_INSTANT, NULL, 0, 0, (v)})

typedef struct printer {
    flow_format format;
    const char *const *names;   /* column names */
    size_t n_cols;
    json_t *array;              /* json */
    char **table;               /* table: n_rows x n_cols texts, row 0 the header */
    size_t n_rows, cap_rows;
    int header_done;            /* csv */
} printer;

static int cell_null(const cell *c)
{
    return (c->kind == CELL_TEXT && !c->text) || (c->kind == CELL_HOURS && isnan(c->h)) ||
           (c->kind == CELL_INSTANT && c->t < 0);
}

/* The text of a cell ("" when null); hours with 2 decimals in a table and
 * the shortest text that reads back as the same double elsewhere (whole
 * numbers without an exponent, as `catwalk metrics` prints them), instants
 * as ISO-8601 UTC. */
static void cell_text(const cell *c, flow_format format, char *buf, size_t size)
{
    buf[0] = '\0';
    if (cell_null(c))
        return;
    switch (c->kind) {
    case CELL_TEXT: snprintf(buf, size, "%s", c->text); break;
    case CELL_LONG: snprintf(buf, size, "%ld", c->n); break;
    case CELL_INSTANT: cw_time_format_iso(c->t, buf, size); break;
    case CELL_HOURS:
        if (format == FORMAT_TABLE) {
            snprintf(buf, size, "%.2f", c->h);
            break;
        }
        if (c->h == floor(c->h) && fabs(c->h) < 1e15) {        /* 60, not 6e+01 */
            snprintf(buf, size, "%.0f", c->h);
            break;
        }
        for (int precision = 1; precision <= 17; precision++) {
            snprintf(buf, size, "%.*g", precision, c->h);
            if (strtod(buf, NULL) == c->h)
                break;
        }
        break;
    }
}

static void json_cells(printer *p, const cell *cells)
{
    json_t *obj = json_object();
    char buf[64];
    for (size_t i = 0; i < p->n_cols; i++) {
        const cell *c = &cells[i];
        json_t *v;
        if (cell_null(c))
            v = json_null();
        else if (c->kind == CELL_LONG)
            v = json_integer(c->n);
        else if (c->kind == CELL_HOURS)
            v = json_real(c->h);
        else {
            cell_text(c, FORMAT_JSON, buf, sizeof buf);
            v = json_string(c->kind == CELL_TEXT ? c->text : buf);
        }
        json_object_set_new(obj, p->names[i], v);
    }
    json_array_append_new(p->array, obj);
}

static void csv_header(printer *p)
{
    for (size_t i = 0; i < p->n_cols; i++)
        printf("%s%s", i ? "," : "", p->names[i]);
    putchar('\n');
    p->header_done = 1;
}

static void csv_cells(printer *p, const cell *cells)
{
    char buf[64];
    if (!p->header_done)
        csv_header(p);
    for (size_t i = 0; i < p->n_cols; i++) {
        if (i)
            putchar(',');
        if (cells[i].kind == CELL_TEXT && cells[i].text)
            csv_fwrite(stdout, cells[i].text, strlen(cells[i].text));
        else {
            cell_text(&cells[i], FORMAT_CSV, buf, sizeof buf);
            fputs(buf, stdout);
        }
    }
    putchar('\n');
}

static void table_add(printer *p, char **texts)
{
    p->table = cw_grow(p->table, &p->cap_rows, (p->n_rows + 1) * p->n_cols, sizeof *p->table);
    memcpy(p->table + p->n_rows * p->n_cols, texts, p->n_cols * sizeof *texts);
    p->n_rows++;
}

static void table_header(printer *p)
{
    char *texts[MAX_COLS];
    for (size_t i = 0; i < p->n_cols; i++)
        texts[i] = cw_strdup(p->names[i]);
    table_add(p, texts);
}

static void table_cells(printer *p, const cell *cells)
{
    char *texts[MAX_COLS], buf[64];
    if (p->n_rows == 0)
        table_header(p);
    for (size_t i = 0; i < p->n_cols; i++) {
        cell_text(&cells[i], FORMAT_TABLE, buf, sizeof buf);
        texts[i] = cw_strdup(cell_null(&cells[i]) ? "-" : buf);
    }
    table_add(p, texts);
}

static void print_cells(printer *p, const cell *cells)
{
    switch (p->format) {
    case FORMAT_JSON: json_cells(p, cells); break;
    case FORMAT_CSV: csv_cells(p, cells); break;
    case FORMAT_TABLE: table_cells(p, cells); break;
    }
}

/* Texts left-aligned, numbers right-aligned, two spaces between columns. */
static void table_print(const printer *p, const cell *kinds)
{
    size_t width[MAX_COLS] = {0};
    for (size_t r = 0; r < p->n_rows; r++)
        for (size_t c = 0; c < p->n_cols; c++) {
            size_t len = strlen(p->table[r * p->n_cols + c]);
            if (len > width[c])
                width[c] = len;
        }
    for (size_t r = 0; r < p->n_rows; r++) {
        for (size_t c = 0; c < p->n_cols; c++) {
            int left = kinds[c].kind == CELL_TEXT || kinds[c].kind == CELL_INSTANT;
            printf("%s%*s", c ? "  " : "", left ? -(int)width[c] : (int)width[c],
                   p->table[r * p->n_cols + c]);
        }
        putchar('\n');
    }
}

/* Print what is held (json, table; a csv header when there were no rows). */
static int printer_finish(printer *p, const cell *kinds)
{
    int rc = 0;
    if (p->format == FORMAT_JSON) {
        rc = json_dumpf(p->array, stdout, JSON_INDENT(2)) == 0 ? 0 : -1;
        putchar('\n');
    } else if (p->format == FORMAT_CSV && !p->header_done) {
        csv_header(p);
    } else if (p->format == FORMAT_TABLE) {
        if (p->n_rows == 0)             /* no rows: still a header */
            table_header(p);
        table_print(p, kinds);
    }
    return rc;
}

static void printer_free(printer *p)
{
    json_decref(p->array);
    for (size_t i = 0; i < p->n_rows * p->n_cols; i++)
        free(p->table[i]);
    free(p->table);
}

/* ------------------------------------------------------------ the views */

typedef struct flow_run {
    printer out;
    cw_scope scope;
    /* --by status, table: each member's top waiting stage, said after the table */
    cw_buf top;
    char *top_member;           /* the last member said there (its rows come together) */
} flow_run;

static const char *const status_names[] = {
    NULL, "period", "status", "category", "is_wait", "is_gate", "items", "total_h", "median_h",
    "p85_h", "top_waiting",
};
static const cell status_kinds[] = {
    TEXT(""), TEXT(""), TEXT(""), TEXT(""), LONG(0), LONG(0), LONG(0), HOURS(0), HOURS(0),
    HOURS(0), LONG(0),
};

static int on_status(void *ctx, const cw_status_time_row *r)
{
    flow_run *run = ctx;
    cell cells[] = {
        TEXT(r->name), TEXT(r->period), TEXT(r->status), TEXT(r->category), LONG(r->is_wait),
        LONG(r->is_gate), LONG(r->items), HOURS(r->total_h), HOURS(r->median_h),
        HOURS(r->p85_h), LONG(r->top_waiting),
    };
    print_cells(&run->out, cells);
    if (r->top_waiting && (!run->top_member || strcmp(run->top_member, r->name) != 0)) {
        cw_buf_printf(&run->top, "top waiting stage of %s: %s\n", r->name, r->status);
        free(run->top_member);
        run->top_member = cw_strdup(r->name);
    }
    return 0;
}

static const char *const gate_names[] = {
    NULL, "period", "gate", "stakeholder", "passed", "median_h", "p85_h", "skipped", "waiting",
    "oldest_waiting_at",
};
static const cell gate_kinds[] = {
    TEXT(""), TEXT(""), TEXT(""), TEXT(""), LONG(0), HOURS(0), HOURS(0), LONG(0), LONG(0),
    INSTANT(0),
};

static int on_gate(void *ctx, const cw_gate_row *r)
{
    flow_run *run = ctx;
    cell cells[] = {
        TEXT(r->name), TEXT(r->period), TEXT(r->gate), TEXT(r->stakeholder), LONG(r->passed),
        HOURS(r->median_h), HOURS(r->p85_h), LONG(r->skipped), LONG(r->waiting),
        INSTANT(r->oldest_at),
    };
    print_cells(&run->out, cells);
    return 0;
}

static const char *const in_flight_names[] = {
    "application", "team", "item", "status", "category", "created_at", "undeployed_commits",
    "oldest_undeployed_at",
};
static const cell in_flight_kinds[] = {
    TEXT(""), TEXT(""), TEXT(""), TEXT(""), TEXT(""), INSTANT(0), LONG(0), INSTANT(0),
};

static int on_in_flight(void *ctx, const cw_in_flight_row *r)
{
    flow_run *run = ctx;
    cell cells[] = {
        TEXT(r->application), TEXT(r->team), TEXT(r->item_key), TEXT(r->status),
        TEXT(r->category), INSTANT(r->created_at), LONG(r->undeployed_commits),
        INSTANT(r->oldest_undeployed_at),
    };
    print_cells(&run->out, cells);
    return 0;
}

/* ------------------------------------------------------------ the command */

typedef struct flow_options {
    cw_common_options common;
    flow_view view;
    flow_format format;
    cw_metrics_query q;
} flow_options;

static int parse_format(const char *text, flow_format *out)
{
    static const char *const names[] = {"table", "json", "csv"};
    for (int i = 0; i < 3; i++)
        if (strcmp(text, names[i]) == 0) {
            *out = (flow_format)i;
            return 0;
        }
    return -1;
}

/* -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, flow_options *o, int64_t now)
{
    const char *by = NULL, *format = NULL, *period = NULL, *from = NULL, *to = NULL;
    int gates = 0, in_flight = 0, by_team = 0, org = 0, n;
    const cw_option options[] = {
        CW_OPT_COMMON(&o->common),
        CW_OPT_STRING(0, "by", "WHAT", &by, "status: time in each status (the default)"),
        CW_OPT_FLAG(0, "gates", &gates, "per gate: passed, hours in it, skipped, waiting"),
        CW_OPT_FLAG(0, "in-flight", &in_flight, "items with a commit not deployed yet"),
        CW_OPT_STRING(0, "from", "DATE", &from, "first period (default: 12 periods before --to)"),
        CW_OPT_STRING(0, "to", "DATE", &to,
                      "end of the window, exclusive (default: the start of the\n"
                      "current period, so the partial period is left out)"),
        CW_OPT_STRING(0, "period", "GRAIN", &period,
                      "day, week (Monday 00:00 UTC, default) or month"),
        CW_OPT_STRING(0, "format", "FMT", &format, "table (default), json or csv"),
        CW_OPT_FLAG(0, "by-team", &by_team, "one row per team (the union of its applications)"),
        CW_OPT_FLAG(0, "org", &org, "one row for the whole organisation"),
        CW_OPT_END()};
    memset(o, 0, sizeof *o);
    o->q.by = CW_PERIOD_WEEK;
    if ((n = cw_options_no_operands(&flow_help, options, &o->common, argc, argv, NULL)) >= 0)
        return n;
    if (by && strcmp(by, "status") != 0)
        return cw_usage_error(&flow_help, "--by", "expected status", by);
    if (gates + in_flight + (by != NULL) > 1)
        return cw_usage_error(&flow_help, "--gates", "give one of --by status, --gates and "
                              "--in-flight", NULL);
    if (period && cw_period_kind_parse(period, &o->q.by) != 0)
        return cw_usage_error(&flow_help, "--period", "expected day, week or month", period);
    if (format && parse_format(format, &o->format) != 0)
        return cw_usage_error(&flow_help, "--format", "expected table, json or csv", format);
    if (by_team && org)
        return cw_usage_error(&flow_help, "--by-team", "cannot be combined with --org", NULL);
    o->view = gates ? VIEW_GATES : in_flight ? VIEW_IN_FLIGHT : VIEW_STATUS;
    o->q.scope = org ? CW_SCOPE_ORG : by_team ? CW_SCOPE_TEAM : CW_SCOPE_APPLICATION;
    if (cw_options_window(&flow_help, from, to, o->q.by, DEFAULT_PERIODS, now, &o->q.from,
                          &o->q.to) != 0)
        return CW_EXIT_USAGE;
    return -1;
}

static int print_flow(cw_db *db, const flow_options *o)
{
    flow_run run = {{0}, o->q.scope, {0}, NULL};
    const char *names[MAX_COLS];
    const cell *kinds = status_kinds;
    int rc;
    run.out.format = o->format;
    run.out.names = names;
    if (o->view == VIEW_GATES) {
        run.out.n_cols = sizeof gate_names / sizeof *gate_names;
        memcpy(names, gate_names, sizeof gate_names);
        kinds = gate_kinds;
    } else if (o->view == VIEW_IN_FLIGHT) {
        run.out.n_cols = sizeof in_flight_names / sizeof *in_flight_names;
        memcpy(names, in_flight_names, sizeof in_flight_names);
        kinds = in_flight_kinds;
    } else {
        run.out.n_cols = sizeof status_names / sizeof *status_names;
        memcpy(names, status_names, sizeof status_names);
    }
    if (o->view != VIEW_IN_FLIGHT)
        names[0] = cw_scope_name(o->q.scope);
    if (o->format == FORMAT_JSON)
        run.out.array = json_array();
    rc = o->view == VIEW_GATES ? cw_gate_rows(db, &o->q, on_gate, &run)
       : o->view == VIEW_IN_FLIGHT ? cw_in_flight_rows(db, on_in_flight, &run)
       : cw_status_time_rows(db, &o->q, on_status, &run);
    if (rc == 0)
        rc = printer_finish(&run.out, kinds);
    if (rc == 0 && o->format == FORMAT_TABLE && run.top.data)
        printf("\n%s", run.top.data);
    printer_free(&run.out);
    cw_buf_free(&run.top);
    free(run.top_member);
    return rc == 0 && fflush(stdout) == 0 ? 0 : -1;
}

int cmd_flow(int argc, char **argv)
{
    flow_options o;
    cw_config *cfg = NULL;
    cw_db *db = NULL;
    int rc = parse_options(argc, argv, &o, (int64_t)time(NULL));
    if (rc >= 0)
        return rc;
    if (cw_config_load(o.common.config, cw_source_check, &cfg) != 0)
        return CW_EXIT_USAGE;
    rc = CW_EXIT_FAILURE;
    o.q.organisation = cfg->organisation;
    if (cw_metrics_open_reader(cfg, &db) == 0 && print_flow(db, &o) == 0)
        rc = CW_EXIT_OK;
    else
        cw_error("flow: nothing printed");
    cw_db_close(db);
    cw_config_free(cfg);
    return rc;
}
