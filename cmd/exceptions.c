/*
 * exceptions.c - `catwalk exceptions`: the exceptions digest (metrics.md
 * "Exceptions", reports/exceptions.h) at an instant, ranked, as a table,
 * JSON or CSV.
 *
 *   catwalk exceptions -c FILE [--format table|json|csv] [--top N] [--all]
 *                      [--team NAME] [--app NAME] [--as-of DATE]
 *
 * The instant T is cw_now() (CW_NOW pins it) unless --as-of gives one.  The
 * warehouse is opened read-only.  No exception is no error: exit 0.
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
#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"
#include "../extract/source.h"
#include "../reports/exceptions.h"
#include "../reports/metrics.h"
#include "../reports/report.h"

#define MAX_TOP 100000

typedef enum out_format { FORMAT_TABLE, FORMAT_JSON, FORMAT_CSV } out_format;

static const cw_command_help exceptions_help = {
    "exceptions",
    "-c FILE [--format table|json|csv] [--top N | --all]\n"
    "                          [--team NAME] [--app NAME] [--as-of DATE]",
    "Print the exceptions digest (metrics.md \"Exceptions\"): aging work, gate\n"
    "waits, releases at risk, open incidents, DORA regressions and stalled\n"
    "pipelines, each with its scope, subject, since when, severity score, owner\n"
    "and a one-line reason, ranked by score (ties: older first, then subject).",
    "T is now (CW_NOW pins it) or --as-of.  The weights and the default --top\n"
    "come from [exceptions]; [report] min_samples is the least number of samples\n"
    "a baseline or a DORA level must rest on.\n\n"
    "exit status: 0 printed (also when there is no exception); 1 failure;\n"
    "2 usage or configuration error.",
};

typedef struct exceptions_options {
    cw_common_options common;
    out_format format;
    const char *top, *team, *app, *as_of;
    int all;
} exceptions_options;

static int parse_format(const char *text, out_format *out)
{
    if (strcmp(text, "table") == 0)
        *out = FORMAT_TABLE;
    else if (strcmp(text, "json") == 0)
        *out = FORMAT_JSON;
    else if (strcmp(text, "csv") == 0)
        *out = FORMAT_CSV;
    else
        return -1;
    return 0;
}

/* -1 to go on, else the exit code; *top 0 = the configuration's. */
static int parse_options(int argc, char **argv, exceptions_options *o, int64_t *as_of,
                         size_t *top)
{
    const char *format = NULL;
    double n;
    int rc;
    const cw_option options[] = {
        CW_OPT_COMMON(&o->common),
        CW_OPT_STRING(0, "format", "FMT", &format, "table (default), json or csv"),
        CW_OPT_STRING(0, "top", "N", &o->top, "how many (default: [exceptions] top, 5)"),
        CW_OPT_FLAG(0, "all", &o->all, "every candidate that fires, ranked"),
        CW_OPT_STRING(0, "team", "NAME", &o->team, "only the entries this team owns"),
        CW_OPT_STRING(0, "app", "NAME", &o->app, "only this application's entries"),
        CW_OPT_STRING(0, "as-of", "DATE", &o->as_of,
                      "the instant T: a date (00:00 UTC) or an ISO-8601 instant\n"
                      "(default: now)"),
        CW_OPT_END()};
    memset(o, 0, sizeof *o);
    *top = 0;
    if ((rc = cw_options_no_operands(&exceptions_help, options, &o->common, argc, argv, NULL)) >= 0)
        return rc;
    if (format && parse_format(format, &o->format) != 0)
        return cw_usage_error(&exceptions_help, "--format", "expected table, json or csv", format);
    if (o->top && o->all)
        return cw_usage_error(&exceptions_help, "--top", "cannot be combined with --all", NULL);
    if (o->top && cw_parse_decimal(o->top, 1, MAX_TOP, 1, &n) != 0)
        return cw_usage_error(&exceptions_help, "--top", "expected a whole number from 1",
                              o->top);
    if (o->top)
        *top = (size_t)n;
    *as_of = cw_now();
    if (o->as_of && cw_options_as_of(&exceptions_help, o->as_of, as_of) != 0)
        return CW_EXIT_USAGE;
    return -1;
}

/* ------------------------------------------------------------ output */

static void since_text(int64_t since, char *buf, size_t size)
{
    cw_time_format_iso(since, buf, size);
}

static json_t *json_str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int print_json(const cw_report_exception *e, size_t n, int64_t as_of)
{
    json_t *root = json_object(), *list = json_array();
    char buf[32];
    int rc;
    cw_time_format_iso(as_of, buf, sizeof buf);
    json_object_set_new(root, "as_of", json_string(buf));
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_object();
        since_text(e[i].since, buf, sizeof buf);
        json_object_set_new(o, "rank", json_integer((json_int_t)(i + 1)));
        json_object_set_new(o, "kind", json_str_or_null(e[i].kind));
        json_object_set_new(o, "scope", json_str_or_null(e[i].scope));
        json_object_set_new(o, "name", json_str_or_null(e[i].scope_name));
        json_object_set_new(o, "subject", json_str_or_null(e[i].subject));
        json_object_set_new(o, "since", json_string(buf));
        json_object_set_new(o, "score", json_real(round(e[i].score * 100) / 100));
        json_object_set_new(o, "owner_team", json_str_or_null(e[i].owner_team));
        json_object_set_new(o, "owner", json_str_or_null(e[i].owner));
        json_object_set_new(o, "reason", json_str_or_null(e[i].reason));
        json_object_set_new(o, "url", json_str_or_null(e[i].url));
        json_array_append_new(list, o);
    }
    json_object_set_new(root, "exceptions", list);
    /* scores are rounded to 2 decimals: 10 significant digits print them
     * as such (10.64, not 10.640000000000001) */
    rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) == 0 ? 0 : -1;
    putchar('\n');
    json_decref(root);
    return rc;
}

static void csv_cell(const char *s, int last)
{
    if (s)
        csv_fwrite(stdout, s, strlen(s));
    putchar(last ? '\n' : ',');
}

static int print_csv(const cw_report_exception *e, size_t n)
{
    printf("rank,kind,scope,name,subject,since,score,owner_team,owner,reason,url\n");
    for (size_t i = 0; i < n; i++) {
        char since[32];
        since_text(e[i].since, since, sizeof since);
        printf("%zu,", i + 1);
        csv_cell(e[i].kind, 0);
        csv_cell(e[i].scope, 0);
        csv_cell(e[i].scope_name, 0);
        csv_cell(e[i].subject, 0);
        printf("%s,%.2f,", since, e[i].score);
        csv_cell(e[i].owner_team, 0);
        csv_cell(e[i].owner, 0);
        csv_cell(e[i].reason, 0);
        csv_cell(e[i].url, 1);
    }
    return 0;
}

/* Aligned columns; the reason last, unpadded. */
#define TABLE_COLS 8

static int print_table(const cw_report_exception *e, size_t n, int64_t as_of)
{
    static const char *const head[TABLE_COLS] = {
        "#", "score", "kind", "where", "subject", "since", "owner", "reason" };
    char **cells = cw_xcalloc((n + 1) * TABLE_COLS, sizeof *cells);
    size_t width[TABLE_COLS] = {0};
    for (size_t c = 0; c < TABLE_COLS; c++)
        cells[c] = cw_strdup(head[c]);
    for (size_t i = 0; i < n; i++) {
        char **row = cells + (i + 1) * TABLE_COLS, since[16];
        cw_time_format_date(e[i].since, since, sizeof since);
        row[0] = cw_asprintf("%zu", i + 1);
        row[1] = cw_asprintf("%.2f", e[i].score);
        row[2] = cw_strdup(e[i].kind);
        row[3] = cw_asprintf("%s %s", e[i].scope ? e[i].scope : "",
                             e[i].scope_name ? e[i].scope_name : "");
        row[4] = cw_strdup(e[i].subject ? e[i].subject : "");
        row[5] = cw_strdup(since);
        row[6] = e[i].owner ? cw_asprintf("%s (%s)", e[i].owner_team ? e[i].owner_team : "-",
                                          e[i].owner)
                            : cw_strdup(e[i].owner_team ? e[i].owner_team : "-");
        row[7] = cw_strdup(e[i].reason ? e[i].reason : "");
    }
    for (size_t r = 0; r <= n; r++)
        for (size_t c = 0; c < TABLE_COLS; c++)
            if (strlen(cells[r * TABLE_COLS + c]) > width[c])
                width[c] = strlen(cells[r * TABLE_COLS + c]);
    if (n == 0) {
        char t[32];
        cw_time_format_iso(as_of, t, sizeof t);
        printf("no exceptions as of %s\n", t);
    }
    for (size_t r = 0; n > 0 && r <= n; r++) {
        for (size_t c = 0; c < TABLE_COLS; c++) {
            const char *text = cells[r * TABLE_COLS + c];
            if (c == TABLE_COLS - 1)
                printf("  %s\n", text);
            else if (c < 2)
                printf("%s%*s", c ? "  " : "", (int)width[c], text);
            else
                printf("  %-*s", (int)width[c], text);
        }
    }
    for (size_t i = 0; i < (n + 1) * TABLE_COLS; i++)
        free(cells[i]);
    free(cells);
    return 0;
}

/* ------------------------------------------------------------ the command */

int cmd_exceptions(int argc, char **argv)
{
    exceptions_options o;
    cw_exceptions_query q = {0};
    cw_exception_rules rules;
    cw_config *cfg = NULL;
    cw_db *db = NULL;
    cw_report r;
    size_t top, n;
    int rc = parse_options(argc, argv, &o, &q.as_of, &top);
    if (rc >= 0)
        return rc;
    if (cw_config_load(o.common.config, cw_source_check, &cfg) != 0)
        return CW_EXIT_USAGE;
    cw_exception_rules_init(&rules, cfg);
    q.team = o.team;
    q.application = o.app;
    cw_report_init(&r, q.as_of, q.as_of);
    rc = CW_EXIT_FAILURE;
    if (cw_metrics_open_reader(cfg, &db) == 0 && cw_exceptions_collect(db, cfg, &q, &r) == 0) {
        n = r.exec.n_exceptions;
        if (!o.all && n > (top ? top : rules.top))
            n = top ? top : rules.top;
        if ((o.format == FORMAT_JSON ? print_json(r.exec.exceptions, n, q.as_of)
             : o.format == FORMAT_CSV ? print_csv(r.exec.exceptions, n)
             : print_table(r.exec.exceptions, n, q.as_of)) == 0 && fflush(stdout) == 0)
            rc = CW_EXIT_OK;
    } else {
        cw_error("exceptions: no digest printed");
    }
    cw_report_free(&r);
    cw_db_close(db);
    cw_config_free(cfg);
    return rc;
}
