/*
 * demo.c - `catwalk demo DIR`: the options and the summary of the demo
 * generator (demogen/demogen.h), which writes a realistic synthetic
 * enterprise in the real export formats, with the catwalk.ini that loads it.
 */
#include "commands.h"
#include "options.h"
#include "../core/time.h"
#include "../core/util.h"
#include "../demogen/demogen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cw_command_help demo_help = {
    "demo",
    "[--seed N] [--scale X] [--weeks N] [--end YYYY-MM-DD] [--apps N]\n"
    "                    [--delta-day] [--force] DIR",
    "Write a synthetic insurance group (5 teams, 35 applications) into DIR: Jira\n"
    "search pages (gates, epics, fix versions), git logs, GitHub pull requests,\n"
    "Jenkins jobs, PagerDuty pages, a ServiceNow CSV and a release calendar in\n"
    "the formats those tools export, and DIR/catwalk.ini to load them with\n"
    "'catwalk run -c DIR/catwalk.ini'.  The same options give the same bytes.",
    "exit status: 0 ok; 1 a file could not be written; 2 usage error or DIR not empty.",
};

/* ---- options ------------------------------------------------------------------ */

static int64_t this_monday(void)
{
    return cw_period_start(cw_now(), CW_PERIOD_WEEK);
}

/* A number in [lo, hi] (whole when `whole`): 0, or 2 after the usage error. */
static int parse_number(const char *opt, const char *text, double lo, double hi, int whole,
                        double *out)
{
    char message[96];
    if (!text || cw_parse_decimal(text, lo, hi, whole, out) == 0)
        return 0;
    snprintf(message, sizeof message, "expected a %s from %g to %g", whole ? "whole number" : "number",
             lo, hi);
    return cw_usage_error(&demo_help, opt, message, text);
}

static int parse_seed(const char *text, uint64_t *out)
{
    char *end = NULL;
    if (!text)
        return 0;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-')
        return cw_usage_error(&demo_help, "--seed", "expected a non-negative integer", text);
    *out = (uint64_t)v;
    return 0;
}

static int parse_end(const char *text, int64_t *out)
{
    if (text && (strlen(text) != 10 || cw_time_parse_iso8601(text, NULL, out) != 0))
        return cw_usage_error(&demo_help, "--end", "expected a date YYYY-MM-DD", text);
    return 0;
}

/* -1 to go on, else the exit status (0 after --help, 2 after a usage error). */
static int parse_options(int argc, char **argv, cw_demogen_opts *o, int *quiet)
{
    const char *seed = NULL, *scale = NULL, *weeks_text = NULL, *end = NULL, *apps_text = NULL;
    const cw_option options[] = {
        CW_OPT_STRING(0, "seed", "N", &seed, "random seed (default 42)"),
        CW_OPT_STRING(0, "scale", "X", &scale,
                      "multiply tickets, commits, deployments and incidents\n"
                      "(default 1; e.g. 0.1 for a quick look, 20 for a benchmark)"),
        CW_OPT_STRING(0, "weeks", "N", &weeks_text,
                      "weeks of data up to --end (default 12), after 6 weeks of history"),
        CW_OPT_STRING(0, "end", "DATE", &end,
                      "the export instant, 00:00 UTC (default: Monday of this ISO week)"),
        CW_OPT_STRING(0, "apps", "N", &apps_text,
                      "N applications (1 to 5000): the first N of the group's 35, and\n"
                      "beyond 35 teams and applications synthesised from the seed\n"
                      "(enterprise-L: --apps 500 --weeks 104 --scale 3.25)"),
        CW_OPT_FLAG(0, "delta-day", &o->delta_day,
                    "also write DIR/delta/exports/: what the next nightly export adds\n"
                    "(the 24 hours from --end on), as new files to copy into\n"
                    "DIR/exports/"),
        CW_OPT_FLAG(0, "force", &o->force,
                    "write into a DIR that is not empty, replacing earlier demo exports"),
        CW_OPT_FLAG('q', "quiet", quiet, "no summary"),
        CW_OPT_END()};
    double weeks = 12, apps = 0;
    int n = cw_options_parse(&demo_help, options, argc, argv);
    if (n < 0)
        return cw_options_exit(n);
    if (parse_seed(seed, &o->seed) || parse_number("--scale", scale, 0.001, 1000, 0, &o->scale) ||
        parse_number("--weeks", weeks_text, 1, 520, 1, &weeks) || parse_end(end, &o->end) ||
        parse_number("--apps", apps_text, 1, CW_DEMOGEN_MAX_APPS, 1, &apps))
        return CW_EXIT_USAGE;
    if (n != 1)
        return cw_usage_error(&demo_help, "DIR", "expected exactly one folder", NULL);
    o->weeks = (int)weeks;
    o->apps = (int)apps;
    o->dir = argv[1];
    return -1;
}

static void print_delta(const cw_demogen_opts *o, const cw_demogen_totals *t)
{
    char day[16];
    cw_time_format_date(o->end, day, sizeof day);
    printf("delta day %s in %s/delta/exports: %ld files, %ld tickets changed, %ld commits,\n"
           "  %ld deployments (%ld Jenkins runs), %ld incidents changed (PagerDuty %ld, ServiceNow %ld)\n",
           day, o->dir, t->files, t->tickets, t->commits, t->deployments, t->builds,
           t->incidents_pd + t->incidents_sn, t->incidents_pd, t->incidents_sn);
}

static void print_summary(const cw_demogen_opts *o, const cw_demogen_totals *t)
{
    char end[16];
    cw_time_format_date(o->end, end, sizeof end);
    printf("catwalk demo: Harbourside Insurance Group in %s (seed %llu, scale %g, %d weeks up to %s)\n"
           "  files        %ld\n"
           "  tickets      %ld in %ld Jira projects\n"
           "  commits      %ld in %ld repositories, %ld GitHub pull requests\n"
           "  deployments  %ld to production (%ld untraceable), %ld Jenkins runs\n"
           "  incidents    %ld (PagerDuty %ld, ServiceNow %ld)\n"
           "next: catwalk run -c %s/catwalk.ini\n",
           o->dir, (unsigned long long)o->seed, o->scale, o->weeks, end,
           t->files, t->tickets, t->applications + 1, t->commits, t->applications, t->pulls, t->deployments,
           t->untraceable, t->builds, t->incidents_pd + t->incidents_sn, t->incidents_pd, t->incidents_sn,
           o->dir);
}

int cmd_demo(int argc, char **argv)
{
    cw_demogen_opts o = { NULL, 42, 1.0, 12, this_monday(), 0, 0, 0 };
    cw_demogen_totals totals, delta;
    int quiet = 0, rc;

    rc = parse_options(argc, argv, &o, &quiet);
    if (rc >= 0)
        return rc;
    rc = cw_demogen_run(&o, &totals, &delta);
    if (rc == CW_DEMOGEN_OK && !quiet)
        print_summary(&o, &totals);
    if (rc == CW_DEMOGEN_OK && !quiet && o.delta_day)
        print_delta(&o, &delta);
    return rc == CW_DEMOGEN_OK ? CW_EXIT_OK : rc == CW_DEMOGEN_NOT_EMPTY ? CW_EXIT_USAGE : CW_EXIT_FAILURE;
}
