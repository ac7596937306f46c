/*
 * report.c - `catwalk report weekly -c FILE [--from D] [--to D] [--out DIR]
 *            [--format xlsx,html]`: render the weekly executive report from
 * the warehouse, without loading anything.
 *
 * `catwalk report audit -c FILE (--release X | --from D --to D) [--out DIR]`
 * writes the audit evidence (reports/audit.c) of a release or of a window of
 * whole UTC days.
 *
 * The window is whole ISO weeks: --from and --to are dates rounded down to
 * the Monday of their week, --to exclusive.  By default it is the 12 weeks
 * before the current one (the current, partial week is left out, as
 * metrics.md's report window says).
 */
#include "commands.h"
#include "options.h"
#include "../core/config.h"
#include "../extract/source.h"
#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"
#include "../reports/audit.h"
#include "../reports/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct report_options {
    cw_common_options common;
    const char *from, *to;      /* dates as given, or NULL */
    const char *out_dir;        /* NULL = the config's reports folder */
    unsigned formats;
    int audit;                  /* the report is `audit`, not `weekly` */
    const char *release;        /* audit: --release, or NULL */
    const char *as_of;          /* weekly: --as-of, or NULL */
} report_options;

static const cw_command_help report_help = {
    "report",
    "weekly -c FILE [--from DATE] [--to DATE] [--as-of DATE] [--out DIR]\n"
    "                             [--format xlsx,html]\n"
    "       catwalk report audit -c FILE (--release X | --from DATE --to DATE) [--out DIR]",
    "Write the weekly executive report (DORA four keys with levels and trends,\n"
    "charts per metric family, the value stream map, gates, epics, pull-request\n"
    "stages, releases planned vs shipped, data quality, audit lists, every\n"
    "metric row) as\n"
    "DIR/catwalk-weekly-<to-date>.xlsx and .html.  The sheets after the metric\n"
    "families are defined in templates/weekly.report: [report] templates = DIR\n"
    "reads an edited copy (a mistake fails with its file and line).  `audit`\n"
    "writes the audit evidence, one row per deployed change with its gaps, as\n"
    "DIR/catwalk-audit-<release-X | from_to>.xlsx and .csv.",
    "Dates are YYYY-MM-DD (or an ISO-8601 instant), rounded down to their Monday\n"
    "(audit: to their day).  --as-of renders the report as it was at DATE (a\n"
    "date is its 00:00 UTC): the window is the 12 weeks before the week holding\n"
    "it, and every \"now\" the report reads (WIP age, exceptions, forecasts) is\n"
    "DATE, not the clock; the workbook's About sheet names the instant.\n\n"
    "exit status: 0 written; 1 failure; 2 usage or configuration error.",
};

static int parse_formats(const char *text, unsigned *out)
{
    cw_strlist list = {0};
    int rc = cw_strlist_split(text, &list);
    *out = 0;
    for (size_t i = 0; rc == 0 && i < list.n; i++) {
        if (strcmp(list.items[i], "xlsx") == 0)
            *out |= CW_REPORT_XLSX;
        else if (strcmp(list.items[i], "html") == 0)
            *out |= CW_REPORT_HTML;
        else
            rc = -1;
    }
    cw_strlist_free(&list);
    return rc == 0 && *out ? 0 : -1;
}

/* The audit's choice: a release, or a window given in full. */
static int parse_audit(report_options *o, const char *formats, int64_t *from, int64_t *to)
{
    if (formats)
        return cw_usage_error(&report_help, "--format", "the audit report is xlsx and csv",
                              formats);
    if (o->release && (o->from || o->to))
        return cw_usage_error(&report_help, "--release", "give --release or --from/--to, not both",
                              o->release);
    if (o->release) {
        *from = *to = 0;
        return cw_str_empty(o->release)
                   ? cw_usage_error(&report_help, "--release", "expected a fix version", "")
                   : -1;
    }
    if (!o->from || !o->to)
        return cw_usage_error(&report_help, o->from ? "--to" : "--from",
                              "the audit report needs --release X, or --from and --to", NULL);
    if (cw_options_window(&report_help, o->from, o->to, CW_PERIOD_DAY, 1, (int64_t)time(NULL),
                          from, to) != 0)
        return CW_EXIT_USAGE;
    return -1;
}

/* -1 to run, else the exit code (help, or a usage error).  The window is
 * read with the options, so a bad date is a usage error too. */
static int parse_report_options(int argc, char **argv, report_options *o, int64_t *from,
                                int64_t *to)
{
    const char *formats = NULL;
    int64_t now = cw_now();
    const cw_option options[] = {
        CW_OPT_COMMON(&o->common),
        CW_OPT_STRING(0, "from", "DATE", &o->from,
                      "first week (rounded down to its Monday);\n"
                      "default: 12 weeks before --to"),
        CW_OPT_STRING(0, "to", "DATE", &o->to,
                      "end of the window, exclusive (rounded down to its\n"
                      "Monday); default: the start of the current week"),
        CW_OPT_STRING('o', "out", "DIR", &o->out_dir,
                      "output folder (default: the config's reports folder)"),
        CW_OPT_STRING('f', "format", "LIST", &formats, "xlsx, html or both (default: xlsx,html)"),
        CW_OPT_STRING(0, "as-of", "DATE", &o->as_of,
                      "weekly: render as of DATE (date or ISO instant): the\n"
                      "report's \"now\"; the window ends at its week's Monday"),
        CW_OPT_STRING(0, "release", "X", &o->release,
                      "audit: the deployments carrying items of fix version X"),
        CW_OPT_END()};
    int n = cw_options_parse(&report_help, options, argc, argv);
    o->formats = CW_REPORT_ALL;
    if (n < 0)
        return cw_options_exit(n);
    if (n != 1 || (strcmp(argv[1], "weekly") != 0 && strcmp(argv[1], "audit") != 0))
        return cw_usage_error(&report_help, n ? argv[1] : "weekly",
                              n ? "expected the report name 'weekly' or 'audit'"
                                : "the report name is required",
                              NULL);
    if (cw_options_common(&report_help, &o->common, 1) != 0)
        return CW_EXIT_USAGE;
    o->audit = strcmp(argv[1], "audit") == 0;
    if (o->audit && o->as_of)
        return cw_usage_error(&report_help, "--as-of", "only for the weekly report", o->as_of);
    if (o->audit)
        return parse_audit(o, formats, from, to);
    if (o->release)
        return cw_usage_error(&report_help, "--release", "only for the audit report", o->release);
    if (formats && parse_formats(formats, &o->formats) != 0)
        return cw_usage_error(&report_help, "--format", "expected xlsx, html or both", formats);
    if (o->as_of && cw_options_as_of(&report_help, o->as_of, &now) != 0)
        return CW_EXIT_USAGE;
    if (cw_options_window(&report_help, o->from, o->to, CW_PERIOD_WEEK, 12, now, from, to) != 0)
        return CW_EXIT_USAGE;
    return -1;
}

static int render(const cw_config *cfg, const report_options *o, int64_t from, int64_t to)
{
    cw_db *db = NULL;
    cw_report r;
    const char *out_dir = o->out_dir ? o->out_dir : cfg->reports;
    int rc;
    /* read-only: a report never creates, upgrades or writes the warehouse */
    if (cw_metrics_open_reader(cfg, &db) != 0)
        return CW_EXIT_FAILURE;
    rc = cw_report_gather_templates(db, cfg, from, to, &r);
    if (rc == 0)
        rc = cw_report_gather_exec(db, cfg, &r);
    if (rc == 0)
        rc = cw_report_render(&r, out_dir, o->formats);
    /* the paths written, unless --quiet: a quiet success prints nothing */
    if (rc == 0 && cw_log_get_level() >= CW_LOG_INFO) {
        if (o->formats & CW_REPORT_XLSX) {
            char *path = cw_report_path(out_dir, &r, "xlsx");
            printf("%s\n", path);
            free(path);
        }
        if (o->formats & CW_REPORT_HTML) {
            char *path = cw_report_path(out_dir, &r, "html");
            printf("%s\n", path);
            free(path);
        }
    }
    cw_report_free(&r);
    cw_db_close(db);
    return rc == 0 ? CW_EXIT_OK : CW_EXIT_FAILURE;
}

static int render_audit(const cw_config *cfg, const report_options *o, int64_t from, int64_t to)
{
    cw_db *db = NULL;
    cw_audit_query q = { from, to, o->release };
    char *xlsx = NULL, *csv = NULL;
    size_t rows = 0;
    int rc;
    if (cw_metrics_open_reader(cfg, &db) != 0)
        return CW_EXIT_FAILURE;
    rc = cw_audit_write(db, &q, o->out_dir ? o->out_dir : cfg->reports, &xlsx, &csv, &rows);
    if (rc == 0) {
        printf("%s\n%s\n", xlsx, csv);
        cw_info("audit: %zu deployed changes", rows);
    }
    free(xlsx);
    free(csv);
    cw_db_close(db);
    return rc == 0 ? CW_EXIT_OK : CW_EXIT_FAILURE;
}

int cmd_report(int argc, char **argv)
{
    report_options o = {0};
    cw_config *cfg = NULL;
    int64_t from, to;
    int status = parse_report_options(argc, argv, &o, &from, &to);
    if (status >= 0)
        return status;
    if (cw_config_load(o.common.config, cw_source_check, &cfg) != 0)
        return CW_EXIT_USAGE;
    status = o.audit ? render_audit(cfg, &o, from, to) : render(cfg, &o, from, to);
    cw_config_free(cfg);
    return status;
}
