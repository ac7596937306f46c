/*
 * metrics.c - `catwalk metrics`: the metric rows of metrics.md for a window,
 * or the window summary of metrics.md Decisions 12, printed as JSON
 * (jansson), CSV (libcsv quoting) or an aligned table.
 *
 *   catwalk metrics -c FILE [--from YYYY-MM-DD] [--to YYYY-MM-DD]
 *                   [--by day|week|month] [--format json|csv|table]
 *                   [--by-team | --org] [--summary]
 *                   [--app NAME] [--team NAME] [--fields a,b,c]
 *
 * The window is [from, to), both aligned down to period starts; `to`
 * defaults to the start of the current period (the partial period is left
 * out) and `from` to 12 periods before `to`.  The warehouse is opened
 * read-only: the nightly job may be writing it (WAL) while this runs.
 *
 * Both kinds of output are records of named cells (a text, a whole number
 * or a real; null where metrics.md says null), so the filters and the three
 * formats apply to either in one place: --app and --team keep records,
 * --fields keeps columns (after the ones that say what a record is).
 */
#include "commands.h"
#include "options.h"

#include <csv.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    int scope_given;            /* --by-team or --org */
    int summary;                /* --summary */
    const char *app, *team;     /* --app, --team: NULL = every one */
    const char *fields;         /* --fields, as given */
} metrics_options;

static const cw_command_help metrics_help = {
    "metrics",
    "-c FILE [--from YYYY-MM-DD] [--to YYYY-MM-DD]\n"
    "                       [--by day|week|month] [--format json|csv|table]\n"
    "                       [--by-team | --org] [--summary]\n"
    "                       [--app NAME] [--team NAME] [--fields a,b,c]",
    "Print the DORA and flow metrics (metrics.md) per application and period,\n"
    "or with --summary the window summary (metrics.md Decisions 12).",
    "Dates (YYYY-MM-DD, or an ISO-8601 instant) are aligned down to the start of\n"
    "their period.  Null values (a median or rate with an empty base, a level\n"
    "with no data) are JSON null, an empty CSV cell, or '-'.\n\n"
    "--summary prints one row per application, team and the organisation over\n"
    "the whole window: scope, name, team, deployments,\n"
    "deployment_frequency_per_week, deployment_frequency_level,\n"
    "lead_time_median_h, lead_time_level, change_failure_rate,\n"
    "change_failure_rate_level, restore_median_h, restore_level (levels elite,\n"
    "high, medium, low or null; an application with no deployment mapping has\n"
    "a null frequency and level).  With --by-team or --org only those rows.\n\n"
    "--app and --team keep the rows of one application, or of one team's\n"
    "applications and the team itself; --fields keeps the named fields, in\n"
    "that order, after the columns naming the row.  They apply to every format.\n\n"
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
        CW_OPT_FLAG(0, "summary", &o->summary,
                    "the window summary: one row per scope over the whole window"),
        CW_OPT_STRING(0, "app", "NAME", &o->app, "only the rows of application NAME"),
        CW_OPT_STRING(0, "team", "NAME", &o->team,
                      "only the rows of team NAME and its applications"),
        CW_OPT_STRING(0, "fields", "LIST", &o->fields,
                      "only these fields (comma-separated), in this order"),
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
    o->scope_given = by_team || org;
    if (o->app && o->scope_given)
        return cw_usage_error(&metrics_help, "--app", "selects application rows: not with "
                              "--by-team or --org", o->app);
    if (o->team && org)
        return cw_usage_error(&metrics_help, "--team", "cannot be combined with --org", o->team);
    q->by = o->by;
    q->scope = o->scope;
    if (cw_options_window(&metrics_help, o->from, o->to, o->by, DEFAULT_PERIODS, now, &q->from,
                          &q->to) != 0)
        return CW_EXIT_USAGE;
    return -1;
}

/* ------------------------------------------------------------ records */

/* One cell of a record: a text (NULL = null), a whole number, or a real
 * (NAN = null).  A name (free text from the configuration) is quoted in
 * CSV; a keyword, date or number never needs it. */
typedef enum cell_type { CELL_TEXT, CELL_NAME, CELL_LONG, CELL_REAL } cell_type;

typedef struct cell {
    cell_type type;
    const char *text;
    long l;
    double d;
} cell;

static cell text_cell(const char *text)
{
    return (cell){ CELL_TEXT, text, 0, 0 };
}

static cell name_cell(const char *text)
{
    return (cell){ CELL_NAME, text, 0, 0 };
}

static cell long_cell(long v)
{
    return (cell){ CELL_LONG, NULL, v, 0 };
}

static cell real_cell(double v)
{
    return (cell){ CELL_REAL, NULL, 0, v };
}

/* A level, null when there is none (Decisions 12). */
static cell level_cell(cw_level level)
{
    return text_cell(level == CW_LEVEL_NONE ? NULL : cw_level_name(level));
}

/* The columns of a kind of record: the first n_ids say what a record is
 * (never filtered out), the rest are its fields. */
typedef struct layout {
    const char **names;
    size_t n, n_ids;
} layout;

#define SUMMARY_IDS 2
static const char *const summary_names[] = {
    "scope", "name", "team", "deployments", "deployment_frequency_per_week",
    "deployment_frequency_level", "lead_time_median_h", "lead_time_level", "change_failure_rate",
    "change_failure_rate_level", "restore_median_h", "restore_level",
};
#define N_SUMMARY (sizeof summary_names / sizeof summary_names[0])

static void summary_cells(const cw_dora_summary *s, cell *c)
{
    c[0] = text_cell(cw_scope_name(s->scope));
    c[1] = name_cell(s->name);
    c[2] = name_cell(s->scope == CW_SCOPE_TEAM ? s->name : s->team);   /* null: organisation */
    c[3] = long_cell(s->deployments);
    c[4] = real_cell(s->deploys_per_week);
    c[5] = level_cell(s->deploy_level);
    c[6] = real_cell(s->lead_time_median_h);
    c[7] = level_cell(s->lead_time_level);
    c[8] = real_cell(s->change_failure_rate);
    c[9] = level_cell(s->cfr_level);
    c[10] = real_cell(s->restore_median_h);
    c[11] = level_cell(s->restore_level);
}

#define ROW_IDS 2

static void row_cells(const cw_metric_row *row, cell *c)
{
    c[0] = name_cell(row->name);
    c[1] = text_cell(row->period);
    for (size_t i = 0; i < cw_metric_n_fields; i++) {
        const cw_metric_field *f = &cw_metric_fields[i];
        const char *at = (const char *)row + f->offset;
        if (f->is_double) {
            double v;
            memcpy(&v, at, sizeof v);
            c[ROW_IDS + i] = real_cell(v);
        } else {
            long v;
            memcpy(&v, at, sizeof v);
            c[ROW_IDS + i] = long_cell(v);
        }
    }
}

/* ------------------------------------------------------------ output */

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
    const layout *layout;
    size_t *pick;               /* columns printed: ids, then the chosen fields */
    size_t n_pick;
    const char *app, *team;     /* filters */
    json_t *array;              /* json */
    char **cells;               /* table: n_rows x n_pick texts */
    size_t n_rows, cap_rows;
    int header_done;            /* csv */
} output;

/* The text of a numeric or null cell; "" for null in CSV, "-" in the table. */
static void cell_text(const cell *c, out_format format, char *buf, size_t size)
{
    const char *null = format == FORMAT_TABLE ? "-" : "";
    if (c->type == CELL_TEXT || c->type == CELL_NAME)
        snprintf(buf, size, "%s", c->text ? c->text : null);
    else if (c->type == CELL_LONG)
        snprintf(buf, size, "%ld", c->l);
    else if (isnan(c->d))
        snprintf(buf, size, "%s", null);
    else if (format == FORMAT_TABLE)
        snprintf(buf, size, "%.2f", c->d);
    else
        format_double(c->d, buf, size);
}

static json_t *cell_json(const cell *c)
{
    if (c->type == CELL_TEXT || c->type == CELL_NAME)
        return c->text ? json_string(c->text) : json_null();
    if (c->type == CELL_LONG)
        return json_integer(c->l);
    return isnan(c->d) ? json_null() : json_real(c->d);
}

static int json_record(output *out, const cell *cells)
{
    json_t *obj = json_object();
    for (size_t i = 0; i < out->n_pick; i++)
        json_object_set_new(obj, out->layout->names[out->pick[i]], cell_json(&cells[out->pick[i]]));
    return json_array_append_new(out->array, obj) == 0 ? 0 : -1;
}

static void csv_header(const output *out)
{
    for (size_t i = 0; i < out->n_pick; i++)
        printf("%s%s", i ? "," : "", out->layout->names[out->pick[i]]);
    putchar('\n');
}

/* Names quoted (a name may hold a comma), the rest as they are. */
static int csv_record(output *out, const cell *cells)
{
    char buf[64];
    if (!out->header_done) {
        csv_header(out);
        out->header_done = 1;
    }
    for (size_t i = 0; i < out->n_pick; i++) {
        const cell *c = &cells[out->pick[i]];
        if (i)
            putchar(',');
        if (c->type == CELL_NAME && c->text) {
            csv_fwrite(stdout, c->text, strlen(c->text));
            continue;
        }
        cell_text(c, FORMAT_CSV, buf, sizeof buf);
        fputs(buf, stdout);
    }
    putchar('\n');
    return 0;
}

static void table_add(output *out, char **cells)
{
    if (out->n_rows == out->cap_rows) {
        out->cap_rows = out->cap_rows ? 2 * out->cap_rows : 64;
        out->cells = cw_xrealloc(out->cells, out->cap_rows * out->n_pick * sizeof *out->cells);
    }
    memcpy(out->cells + out->n_rows * out->n_pick, cells, out->n_pick * sizeof *cells);
    out->n_rows++;
}

static void table_header(output *out)
{
    char **cells = cw_xcalloc(out->n_pick, sizeof *cells);
    for (size_t i = 0; i < out->n_pick; i++)
        cells[i] = cw_strdup(out->layout->names[out->pick[i]]);
    table_add(out, cells);
    free(cells);
}

static int table_record(output *out, const cell *cells)
{
    char **texts = cw_xcalloc(out->n_pick, sizeof *texts), buf[64];
    if (out->n_rows == 0)               /* the header is row 0 */
        table_header(out);
    for (size_t i = 0; i < out->n_pick; i++) {
        const cell *c = &cells[out->pick[i]];
        if ((c->type == CELL_TEXT || c->type == CELL_NAME) && c->text) {
            texts[i] = cw_strdup(c->text);
            continue;
        }
        cell_text(c, FORMAT_TABLE, buf, sizeof buf);
        texts[i] = cw_strdup(buf);
    }
    table_add(out, texts);
    free(texts);
    return 0;
}

/* Texts left-aligned, numbers right-aligned, two spaces between columns. */
static void table_print(const output *out)
{
    size_t *width = cw_xcalloc(out->n_pick, sizeof *width);
    for (size_t r = 0; r < out->n_rows; r++)
        for (size_t c = 0; c < out->n_pick; c++) {
            size_t len = strlen(out->cells[r * out->n_pick + c]);
            if (len > width[c])
                width[c] = len;
        }
    for (size_t r = 0; r < out->n_rows; r++) {
        for (size_t c = 0; c < out->n_pick; c++) {
            const char *text = out->cells[r * out->n_pick + c];
            int w = (int)width[c];
            if (c < out->layout->n_ids)
                printf("%s%-*s", c ? "  " : "", w, text);
            else
                printf("  %*s", w, text);
        }
        putchar('\n');
    }
    free(width);
}

static int emit(output *out, const cell *cells)
{
    switch (out->format) {
    case FORMAT_CSV: return csv_record(out, cells);
    case FORMAT_TABLE: return table_record(out, cells);
    case FORMAT_JSON: break;
    }
    return json_record(out, cells);
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
        if (out->n_rows == 0)
            table_header(out);
        table_print(out);
    }
    return fflush(stdout) == 0 ? rc : -1;
}

static void output_free(output *out)
{
    json_decref(out->array);
    for (size_t i = 0; i < out->n_rows * out->n_pick; i++)
        free(out->cells[i]);
    free(out->cells);
    free(out->pick);
}

/* ------------------------------------------------------------ filters */

/* --fields: the columns to print, the layout's ids first.  0, or the exit
 * code of a usage error naming an unknown field. */
static int pick_fields(const char *fields, const layout *l, output *out)
{
    cw_strlist names = {0};
    out->pick = cw_xcalloc(l->n + 1, sizeof *out->pick);
    out->n_pick = 0;
    for (size_t i = 0; i < l->n_ids; i++)
        out->pick[out->n_pick++] = i;
    if (!fields) {
        for (size_t i = l->n_ids; i < l->n; i++)
            out->pick[out->n_pick++] = i;
        return 0;
    }
    cw_strlist_split(fields, &names);
    for (size_t k = 0; k < names.n; k++) {
        size_t i = l->n_ids;
        while (i < l->n && strcmp(l->names[i], names.items[k]) != 0)
            i++;
        if (i == l->n) {
            int rc = cw_usage_error(&metrics_help, "--fields", "no such field (see the header "
                                    "of the output without --fields)", names.items[k]);
            cw_strlist_free(&names);
            return rc;
        }
        out->pick = cw_xrealloc(out->pick, (out->n_pick + 1) * sizeof *out->pick);
        out->pick[out->n_pick++] = i;
    }
    if (names.n == 0) {
        cw_strlist_free(&names);
        return cw_usage_error(&metrics_help, "--fields", "expected field names", fields);
    }
    cw_strlist_free(&names);
    return 0;
}

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* --app and --team: an application row of the application (of the team),
 * or the team's own row. */
static int keep(const output *out, cw_scope scope, const char *name, const char *team)
{
    if (out->app && !(scope == CW_SCOPE_APPLICATION && same(name, out->app)))
        return 0;
    if (out->team && !((scope == CW_SCOPE_APPLICATION && same(team, out->team)) ||
                       (scope == CW_SCOPE_TEAM && same(name, out->team))))
        return 0;
    return 1;
}

/* A name --app or --team gives must be in the configuration: a typo is a
 * usage error, not an empty result. */
static int check_names(const metrics_options *o, const cw_config *cfg)
{
    int app_found = !o->app, team_found = !o->team;
    for (size_t i = 0; i < cfg->n_apps; i++) {
        app_found |= same(cfg->apps[i].name, o->app);
        team_found |= same(cfg->apps[i].team, o->team);
    }
    if (!app_found)
        return cw_usage_error(&metrics_help, "--app", "no such [application] in the configuration",
                              o->app);
    if (!team_found)
        return cw_usage_error(&metrics_help, "--team", "no application of that team in the "
                              "configuration", o->team);
    return -1;
}

/* ------------------------------------------------------------ the command */

typedef struct print_ctx {
    output *out;
    cw_scope scope;             /* of the weekly rows */
    const metrics_options *o;
    cell *cells;                /* one record, as many as the layout's columns */
} print_ctx;

static int on_row(void *ctx, const cw_metric_row *row)
{
    print_ctx *p = ctx;
    if (!keep(p->out, p->scope, row->name, row->team))
        return 0;
    row_cells(row, p->cells);
    return emit(p->out, p->cells);
}

static int on_summary(void *ctx, const cw_dora_summary *s)
{
    print_ctx *p = ctx;
    if (p->o->scope_given && s->scope != p->o->scope)
        return 0;
    if (!keep(p->out, s->scope, s->name, s->team))
        return 0;
    summary_cells(s, p->cells);
    return emit(p->out, p->cells);
}

/* The layout of the weekly rows: the scope's key column, period, the fields. */
static const char **row_names(cw_scope scope, size_t *n)
{
    const char **names = cw_xcalloc(ROW_IDS + cw_metric_n_fields, sizeof *names);
    names[0] = cw_scope_name(scope);
    names[1] = "period";
    for (size_t i = 0; i < cw_metric_n_fields; i++)
        names[ROW_IDS + i] = cw_metric_fields[i].name;
    *n = ROW_IDS + cw_metric_n_fields;
    return names;
}

/* The layout of the output asked for; *names (caller frees) holds the
 * weekly rows' names. */
static layout layout_of(const metrics_options *o, const char ***names)
{
    layout l;
    *names = NULL;
    if (o->summary)
        return (layout){ (const char **)summary_names, N_SUMMARY, SUMMARY_IDS };
    *names = row_names(o->scope, &l.n);
    l.names = *names;
    l.n_ids = ROW_IDS;
    return l;
}

/* --fields names only fields of the output: -1, or the usage error's exit
 * code (before the warehouse is opened). */
static int check_fields(const metrics_options *o)
{
    output out = {0};
    const char **names;
    layout l = layout_of(o, &names);
    int rc = pick_fields(o->fields, &l, &out);
    free(out.pick);
    free(names);
    return rc ? rc : -1;
}

/* 0 printed, -1 failure, or a usage error's exit code (> 0). */
static int print_metrics(cw_db *db, const cw_metrics_query *q, const metrics_options *o)
{
    output out = { .format = o->format, .app = o->app, .team = o->team };
    print_ctx p = { &out, q->scope, o, NULL };
    const char **names;
    layout l = layout_of(o, &names);
    int rc;
    out.layout = &l;
    if ((rc = pick_fields(o->fields, &l, &out)) != 0) {
        output_free(&out);
        free(names);
        return rc;
    }
    if (o->format == FORMAT_JSON)
        out.array = json_array();
    p.cells = cw_xcalloc(l.n, sizeof *p.cells);
    rc = o->summary ? cw_dora_summaries(db, q->from, q->to, q->organisation, on_summary, &p)
                    : cw_metrics_rows(db, q, on_row, &p);
    if (rc == 0)
        rc = output_finish(&out);
    output_free(&out);
    free(p.cells);
    free(names);
    return rc == 0 ? 0 : -1;
}

int cmd_metrics(int argc, char **argv)
{
    metrics_options o;
    cw_metrics_query q;
    cw_config *cfg = NULL;
    cw_db *db = NULL;
    int rc = parse_options(argc, argv, &o, cw_now(), &q);
    if (rc >= 0)
        return rc;
    if (cw_config_load(o.common.config, cw_source_check, &cfg) != 0)
        return CW_EXIT_USAGE;
    if ((rc = check_names(&o, cfg)) >= 0 || (rc = check_fields(&o)) >= 0) {
        cw_config_free(cfg);
        return rc;
    }
    rc = CW_EXIT_FAILURE;
    q.organisation = cfg->organisation;
    if (cw_metrics_open_reader(cfg, &db) == 0) {
        int printed = print_metrics(db, &q, &o);
        rc = printed == 0 ? CW_EXIT_OK : printed > 0 ? printed : CW_EXIT_FAILURE;
    }
    if (rc == CW_EXIT_FAILURE)
        cw_error("metrics: no metrics printed");
    cw_db_close(db);
    cw_config_free(cfg);
    return rc;
}
