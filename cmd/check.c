/*
 * check.c - `catwalk check -c FILE`: validate a configuration and summarise
 * it, without touching the warehouse.  Useful in a deployment pipeline
 * before the nightly job picks a config up.
 *
 * `catwalk check --data -c FILE [--from D] [--to D] [--format table|json]`
 * then reads the warehouse (read-only) and prints its data-quality findings
 * (kind, count, up to 5 examples, the metric each affects) and the coverage
 * lines of every figure (metrics.md "Data-quality findings";
 * reports/sql/quality.sql holds the rules, report_quality.sql and
 * report_coverage.sql read them for a window).
 */
#include "commands.h"
#include "options.h"
#include "../core/config.h"
#include "../core/embedded.h"
#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"
#include "../extract/credentials.h"
#include "../extract/live.h"
#include "../extract/source.h"
#include "../load/db.h"
#include "../reports/metrics.h"
#include "../reports/context.h"
#include "../reports/report.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const cw_command_help check_help = {
    "check",
    "-c FILE [--quiet] [--verbose]\n"
    "       catwalk check --data -c FILE [--from DATE] [--to DATE] [--format table|json]",
    "Validate the configuration: every error is printed as FILE:LINE: key: message\n"
    "and the exit status is 2 when there is any.  With --data, read the warehouse\n"
    "and print its data-quality findings (kind, count, up to 5 examples, the\n"
    "metric each affects) and how many samples each figure rests on.",
    "Without --from/--to, --data covers the whole history; with either, the window\n"
    "is whole UTC days, --to exclusive (default: today), --from default 90 days\n"
    "before it.  A finding with no instant (a status, a source) is in every window.\n\n"
    "exit status: 0 valid (--data: no finding); 1 the warehouse cannot be read;\n"
    "2 usage or configuration error; 3 (--data) findings were printed.",
};

/* The whole history: any instant the warehouse accepts (1970 .. 2200). */
#define ALL_FROM (-((int64_t)1 << 40))
#define ALL_TO   ((int64_t)1 << 40)
#define CHECK_DAYS 90
#define MAX_EXAMPLES 5

typedef struct check_options {
    cw_common_options common;
    int data;
    const char *from, *to, *format;
    int json;
} check_options;

/* ------------------------------------------------------------ the config */

/* [report] templates: the folder exists and every layout in it parses, with
 * its partials (a template's own error names its file and line). */
static int check_templates(const cw_config *cfg)
{
    /* the folder itself was checked when the configuration was read */
    const char *dir = cfg->report_templates;
    if (!dir)
        return 0;
    if (cw_report_templates_check(dir) != 0) {
        fprintf(stderr, "%s:%d: templates: the templates in %s do not parse (above)\n", cfg->path,
                cfg->report_templates_line, dir);
        return -1;
    }
    return 0;
}

static int check_config(const cw_config *cfg, const check_options *o)
{
    cw_report_definition *def = NULL;
    char *mail_password = NULL;
    if (cw_live_check(cfg) != 0 || check_templates(cfg) != 0)
        return CW_EXIT_USAGE;
    /* `catwalk mail` will need its password: say now when it cannot be read */
    if (cfg->mail &&
        cw_secret_load(cfg->mail, "password_env", "password_file", &mail_password) != 0)
        return CW_EXIT_USAGE;
    cw_secret_free(mail_password);
    /* an analyst's report definition ([report] templates): its file:line
     * errors now, not at the next report (its SQL is prepared then) */
    if (cfg->report_templates &&
        cw_report_definition_load(cfg->report_templates, "weekly", &def) != 0)
        return CW_EXIT_USAGE;
    cw_report_definition_free(def);
    if (cfg->n_sources == 0)
        fprintf(stderr, "%s: warning: no [source] section: run and extract will load nothing\n",
                o->common.config);
    printf("%s: ok: %zu sources, %zu applications, %zu status rules\nwarehouse: %s\nlanding: %s\n",
           o->common.config, cfg->n_sources, cfg->n_apps, cfg->n_statuses, cfg->warehouse,
           cfg->landing);
    return CW_EXIT_OK;
}

/* ------------------------------------------------------------ --data */

/* A statement of an embedded file with the window bound as ?1, ?2. */
static cw_stmt *prepare_window(cw_db *db, const char *path, int64_t from, int64_t to)
{
    const char *sql = cw_embedded_get(path);
    cw_stmt *st = NULL;
    if (!sql || cw_db_prepare(db, sql, &st) != CW_DB_OK) {
        cw_error("check: %s: %s (a warehouse last written by an older catwalk lacks the "
                 "data-quality views: run `catwalk run` once with this version)",
                 path, sql ? cw_db_errmsg(db) : "not embedded");
        return NULL;
    }
    if (cw_db_bind_int(st, 1, from) != CW_DB_OK || cw_db_bind_int(st, 2, to) != CW_DB_OK) {
        cw_error("check: %s: %s", path, cw_db_errmsg(db));
        cw_db_finalize(st);
        return NULL;
    }
    return st;
}

static const char *text_or(cw_stmt *st, int col, const char *fallback)
{
    const char *s = cw_db_column_text(st, col);
    return s ? s : fallback;
}

/* Findings: one object per kind in out (JSON) or lines on stdout; the number
 * of kinds in *kinds.  Columns of report_quality.sql: kind, metric, count,
 * rank, subject, detail. */
static int print_findings(cw_stmt *st, const check_options *o, json_t *out, size_t *kinds)
{
    json_t *examples = NULL;
    int rc;
    *kinds = 0;
    while ((rc = cw_db_step(st)) == CW_DB_ROW) {
        const char *subject = text_or(st, 4, ""), *detail = text_or(st, 5, "");
        if (cw_db_column_int(st, 3) == 1) {
            const char *kind = text_or(st, 0, ""), *metric = text_or(st, 1, "");
            long long n = (long long)cw_db_column_int(st, 2);
            (*kinds)++;
            if (o->json) {
                examples = json_array();
                json_array_append_new(out, json_pack("{s:s, s:I, s:s, s:o}", "kind", kind,
                                                     "count", (json_int_t)n, "metric", metric,
                                                     "examples", examples));
            } else {
                printf("%s: %lld (affects %s)\n", kind, n, metric);
            }
        }
        if (o->json)
            json_array_append_new(examples, json_pack("{s:s, s:s}", "subject", subject,
                                                      "detail", detail));
        else
            printf("    %s: %s\n", subject, detail);
    }
    return rc == CW_DB_DONE ? 0 : -1;
}

/* Coverage lines; columns of report_coverage.sql: scope, name, metric,
 * samples, base. */
static int print_coverage(cw_stmt *st, const check_options *o, const char *organisation,
                          json_t *out)
{
    int rc;
    if (!o->json)
        printf("coverage:\n");
    while ((rc = cw_db_step(st)) == CW_DB_ROW) {
        const char *scope = text_or(st, 0, ""), *metric = text_or(st, 2, "");
        const char *name = text_or(st, 1, organisation);
        int64_t samples = cw_db_column_int(st, 3), base = cw_db_column_int(st, 4);
        char *line = cw_report_coverage_line(metric, samples, base);
        if (o->json)
            json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:I, s:I, s:s}", "scope", scope,
                                                 "name", name, "metric", metric, "samples",
                                                 (json_int_t)samples, "base", (json_int_t)base,
                                                 "line", line));
        else if (cw_db_column_text(st, 1))
            printf("  %s %s: %s\n", scope, name, line);
        else
            printf("  %s: %s\n", scope, line);
        free(line);
    }
    return rc == CW_DB_DONE ? 0 : -1;
}

static int print_data(cw_db *db, const check_options *o, const char *organisation, int64_t from,
                      int64_t to, size_t *kinds)
{
    json_t *doc = o->json ? json_pack("{s:o, s:o}", "findings", json_array(), "coverage",
                                      json_array())
                          : NULL;
    cw_stmt *st = prepare_window(db, "templates/sql/report_quality.sql", from, to);
    int rc = st ? print_findings(st, o, json_object_get(doc, "findings"), kinds) : -1;
    cw_db_finalize(st);
    if (rc == 0 && !o->json && *kinds == 0)
        printf("no data-quality finding\n");
    st = rc == 0 ? prepare_window(db, "templates/sql/report_coverage.sql", from, to) : NULL;
    rc = st ? print_coverage(st, o, organisation, json_object_get(doc, "coverage")) : -1;
    cw_db_finalize(st);
    if (rc != 0)
        cw_error("check --data: reading the warehouse: %s", cw_db_errmsg(db));
    if (rc == 0 && doc) {
        char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        printf("%s\n", text);
        free(text);
    }
    json_decref(doc);
    return rc;
}

static int check_data(const cw_config *cfg, const check_options *o, int64_t from, int64_t to)
{
    cw_db *db = NULL;
    size_t kinds = 0;
    int rc;
    if (cw_metrics_open_reader(cfg, &db) != 0)
        return CW_EXIT_FAILURE;
    rc = print_data(db, o, cfg->organisation, from, to, &kinds);
    cw_db_close(db);
    if (rc != 0)
        return CW_EXIT_FAILURE;
    return kinds ? CW_EXIT_PARTIAL : CW_EXIT_OK;
}

/* ------------------------------------------------------------ the command */

/* -1 to go on, else the exit status. */
static int parse_check(int argc, char **argv, check_options *o, int64_t *from, int64_t *to)
{
    const cw_option options[] = {
        CW_OPT_COMMON(&o->common),
        CW_OPT_FLAG(0, "data", &o->data, "check the warehouse's data, not only the configuration"),
        CW_OPT_STRING(0, "from", "DATE", &o->from, "--data: first day (default: the whole history)"),
        CW_OPT_STRING(0, "to", "DATE", &o->to, "--data: end of the window, exclusive"),
        CW_OPT_STRING(0, "format", "FMT", &o->format, "--data: table (default) or json"),
        CW_OPT_END()};
    int n = cw_options_parse(&check_help, options, argc, argv);
    if (n < 0)
        return cw_options_exit(n);
    if (n > 0)
        return cw_usage_error(&check_help, argv[1], "unexpected argument", NULL);
    if (cw_options_common(&check_help, &o->common, 1) != 0)
        return CW_EXIT_USAGE;
    if (!o->data && (o->from || o->to || o->format))
        return cw_usage_error(&check_help, o->format ? "--format" : o->from ? "--from" : "--to",
                              "only with --data", NULL);
    if (o->format && strcmp(o->format, "json") != 0 && strcmp(o->format, "table") != 0)
        return cw_usage_error(&check_help, "--format", "expected table or json", o->format);
    o->json = o->format && strcmp(o->format, "json") == 0;
    *from = ALL_FROM;
    *to = ALL_TO;
    if ((o->from || o->to) &&
        cw_options_window(&check_help, o->from, o->to, CW_PERIOD_DAY, CHECK_DAYS,
                          (int64_t)time(NULL), from, to) != 0)
        return CW_EXIT_USAGE;
    return -1;
}

int cmd_check(int argc, char **argv)
{
    check_options o = {0};
    cw_config *cfg = NULL;
    int64_t from, to;
    int status = parse_check(argc, argv, &o, &from, &to);
    if (status >= 0)
        return status;
    if (cw_config_load(o.common.config, cw_source_check, &cfg) != 0)
        return CW_EXIT_USAGE;
    status = o.data ? check_data(cfg, &o, from, to) : check_config(cfg, &o);
    cw_config_free(cfg);
    return status;
}
