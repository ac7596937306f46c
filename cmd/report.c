/*
 * report.c - `catwalk report weekly -c FILE [--from D] [--to D] [--out DIR]
 *            [--format xlsx,html]`: render the weekly executive report from
 * the warehouse, without loading anything.
 *
 * The window is whole ISO weeks: --from and --to are dates rounded down to
 * the Monday of their week, --to exclusive.  By default it is the 12 weeks
 * before the current one (the current, partial week is left out, as
 * metrics.md's report window says).
 */
#include "commands.h"
#include "../core/config.h"
#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"
#include "../reports/report.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define WEEK_S (7 * 86400)

typedef struct report_options {
    const char *config_path;
    const char *from, *to;      /* dates as given, or NULL */
    const char *out_dir;        /* NULL = the config's reports folder */
    unsigned formats;
} report_options;

static void report_usage(FILE *out)
{
    fprintf(out,
            "usage: catwalk report weekly -c FILE [--from DATE] [--to DATE] [--out DIR]\n"
            "                             [--format xlsx,html]\n\n"
            "Write the weekly executive report (DORA four keys with levels and trends,\n"
            "charts per metric family, audit lists, every metric row) as\n"
            "DIR/catwalk-weekly-<to-date>.xlsx and .html.\n\n"
            "  -c, --config FILE   the INI configuration\n"
            "      --from DATE     first week (YYYY-MM-DD, rounded down to its Monday);\n"
            "                      default: 12 weeks before --to\n"
            "      --to DATE       end of the window, exclusive (rounded down to its Monday);\n"
            "                      default: the start of the current week\n"
            "  -o, --out DIR       output folder (default: the config's reports folder)\n"
            "  -f, --format LIST   xlsx, html or both (default: xlsx,html)\n"
            "  -q, --quiet         errors only\n\n"
            "exit status: 0 written; 1 failure; 2 usage or configuration error.\n");
}

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
        else {
            cw_error("report: unknown format '%s' (expected xlsx, html)", list.items[i]);
            rc = -1;
        }
    }
    cw_strlist_free(&list);
    return rc == 0 && *out ? 0 : -1;
}

/* 0 to run, 1 after --help, -1 on a usage error. */
static int parse_report_options(int argc, char **argv, report_options *o)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"from", required_argument, NULL, 'F'},
        {"to", required_argument, NULL, 'T'},     {"out", required_argument, NULL, 'o'},
        {"format", required_argument, NULL, 'f'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    int opt;
    o->formats = CW_REPORT_ALL;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:o:f:qh", options, NULL)) != -1) {
        switch (opt) {
        case 'c': o->config_path = optarg; break;
        case 'F': o->from = optarg; break;
        case 'T': o->to = optarg; break;
        case 'o': o->out_dir = optarg; break;
        case 'f':
            if (parse_formats(optarg, &o->formats) != 0)
                return -1;
            break;
        case 'q': cw_log_set_level(CW_LOG_ERROR); break;
        case 'h': report_usage(stdout); return 1;
        default: report_usage(stderr); return -1;
        }
    }
    if (!o->config_path || optind != argc - 1 || strcmp(argv[optind], "weekly") != 0) {
        report_usage(stderr);
        return -1;
    }
    return 0;
}

/* A --from/--to date, rounded down to the Monday of its ISO week. */
static int parse_week(const char *option, const char *text, int64_t *out)
{
    int64_t t;
    if (cw_time_parse_iso8601(text, NULL, &t) != 0) {
        cw_error("report: %s: '%s' is not a date (YYYY-MM-DD)", option, text);
        return -1;
    }
    *out = cw_period_start(t, CW_PERIOD_WEEK);
    return 0;
}

static int resolve_window(const report_options *o, int64_t *from, int64_t *to)
{
    cw_report_default_window((int64_t)time(NULL), from, to);
    if (o->to && parse_week("--to", o->to, to) != 0)
        return -1;
    *from = *to - 12 * WEEK_S;
    if (o->from && parse_week("--from", o->from, from) != 0)
        return -1;
    if (*from >= *to) {
        cw_error("report: the window is empty: --from must be a week before --to");
        return -1;
    }
    return 0;
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
    rc = cw_report_gather(db, from, to, &r);
    if (rc == 0)
        rc = cw_report_render(&r, out_dir, o->formats);
    if (rc == 0) {
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

int cmd_report(int argc, char **argv)
{
    report_options o = {0};
    cw_config *cfg = NULL;
    int64_t from, to;
    int status, rc = parse_report_options(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? CW_EXIT_OK : CW_EXIT_USAGE;
    if (resolve_window(&o, &from, &to) != 0)
        return CW_EXIT_USAGE;
    if (cw_config_load(o.config_path, &cfg) != 0)
        return CW_EXIT_USAGE;
    status = render(cfg, &o, from, to);
    cw_config_free(cfg);
    return status;
}
