/*
 * demo.c - `catwalk demo DIR`: the options and the summary of the demo
 * generator (demogen/demogen.h), which writes a realistic synthetic
 * enterprise in the real export formats, with the catwalk.ini that loads it.
 */
#include "commands.h"
#include "../core/time.h"
#include "../core/util.h"
#include "../demogen/demogen.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void demo_usage(FILE *out)
{
    fprintf(out,
            "usage: catwalk demo [--seed N] [--scale X] [--weeks N] [--end YYYY-MM-DD] [--apps N]\n"
            "                    [--delta-day] [--force] DIR\n\n"
            "Write a synthetic insurance group (5 teams, 35 applications) into DIR: Jira\n"
            "search pages (gates, epics, fix versions), git logs, GitHub pull requests,\n"
            "Jenkins jobs, PagerDuty pages, a ServiceNow CSV and a release calendar in\n"
            "the formats those tools export, and DIR/catwalk.ini to load them with\n"
            "'catwalk run -c DIR/catwalk.ini'.  The same options give the same bytes.\n\n"
            "  --seed N         random seed (default 42)\n"
            "  --scale X        multiply tickets, commits, deployments and incidents\n"
            "                   (default 1; e.g. 0.1 for a quick look, 20 for a benchmark)\n"
            "  --weeks N        weeks of data up to --end (default 12), after %d weeks of history\n"
            "  --end DATE       the export instant, 00:00 UTC (default: Monday of this ISO week)\n"
            "  --apps N         N applications (1 to %d): the first N of the group's 35, and\n"
            "                   beyond 35 teams and applications synthesised from the seed\n"
            "                   (enterprise-L: --apps 500 --weeks 104 --scale 3.25)\n"
            "  --delta-day      also write DIR/delta/exports/: what the next nightly export adds\n"
            "                   (the 24 hours from --end on), as new files to copy into\n"
            "                   DIR/exports/\n"
            "  --force          write into a DIR that is not empty, replacing earlier demo exports\n"
            "  -q, --quiet      no summary\n\n"
            "exit status: 0 ok; 1 a file could not be written; 2 usage error or DIR not empty.\n",
            CW_DEMOGEN_HISTORY_WEEKS, CW_DEMOGEN_MAX_APPS);
}

/* ---- options ------------------------------------------------------------------ */

static int64_t this_monday(void)
{
    return cw_period_start((int64_t)time(NULL), CW_PERIOD_WEEK);
}

static int parse_number(const char *opt, const char *text, double lo, double hi, double *out)
{
    if (cw_parse_decimal(text, lo, hi, 0, out) == 0)
        return 0;
    fprintf(stderr, "catwalk: demo: %s: expected a number from %g to %g, got '%s'\n", opt, lo, hi, text);
    return -1;
}

static int parse_seed(const char *text, uint64_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-') {
        fprintf(stderr, "catwalk: demo: --seed: expected a non-negative integer, got '%s'\n", text);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

static int parse_end(const char *text, int64_t *out)
{
    if (strlen(text) != 10 || cw_time_parse_iso8601(text, NULL, out) != 0) {
        fprintf(stderr, "catwalk: demo: --end: expected a date YYYY-MM-DD, got '%s'\n", text);
        return -1;
    }
    return 0;
}

/* 0 to go on, 1 after --help, -1 on a usage error (already reported). */
static int parse_options(int argc, char **argv, cw_demogen_opts *o, int *quiet)
{
    static const struct option options[] = {
        {"seed", required_argument, NULL, 's'}, {"scale", required_argument, NULL, 'x'},
        {"weeks", required_argument, NULL, 'w'}, {"end", required_argument, NULL, 'e'},
        {"force", no_argument, NULL, 'f'},      {"quiet", no_argument, NULL, 'q'},
        {"apps", required_argument, NULL, 'a'}, {"delta-day", no_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0}};
    double weeks = 12, apps = 0;
    int opt, rc = 0;

    optind = 1;
    while (rc == 0 && (opt = getopt_long(argc, argv, "qh", options, NULL)) != -1) {
        switch (opt) {
        case 's': rc = parse_seed(optarg, &o->seed); break;
        case 'x': rc = parse_number("--scale", optarg, 0.001, 1000, &o->scale); break;
        case 'w': rc = parse_number("--weeks", optarg, 1, 520, &weeks); break;
        case 'e': rc = parse_end(optarg, &o->end); break;
        case 'a': rc = parse_number("--apps", optarg, 1, CW_DEMOGEN_MAX_APPS, &apps); break;
        case 'd': o->delta_day = 1; break;
        case 'f': o->force = 1; break;
        case 'q': *quiet = 1; break;
        case 'h': demo_usage(stdout); return 1;
        default: rc = -1; break;
        }
    }
    o->weeks = (int)weeks;
    o->apps = (int)apps;
    if (rc == 0 && (double)o->weeks != weeks) {
        fprintf(stderr, "catwalk: demo: --weeks: expected a whole number of weeks\n");
        rc = -1;
    }
    if (rc == 0 && (double)o->apps != apps) {
        fprintf(stderr, "catwalk: demo: --apps: expected a whole number of applications\n");
        rc = -1;
    }
    if (rc == 0 && optind + 1 != argc) {
        fprintf(stderr, "catwalk: demo: expected exactly one DIR\n");
        rc = -1;
    }
    if (rc != 0) {
        fputs("usage: catwalk demo [--seed N] [--scale X] [--weeks N] [--end YYYY-MM-DD] [--apps N]\n"
              "                    [--delta-day] [--force] DIR\n"
              "see 'catwalk demo --help'\n", stderr);
        return -1;
    }
    o->dir = argv[optind];
    return 0;
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
    if (rc != 0)
        return rc > 0 ? CW_EXIT_OK : CW_EXIT_USAGE;
    rc = cw_demogen_run(&o, &totals, &delta);
    if (rc == CW_DEMOGEN_OK && !quiet)
        print_summary(&o, &totals);
    if (rc == CW_DEMOGEN_OK && !quiet && o.delta_day)
        print_delta(&o, &delta);
    return rc == CW_DEMOGEN_OK ? CW_EXIT_OK : rc == CW_DEMOGEN_NOT_EMPTY ? CW_EXIT_USAGE : CW_EXIT_FAILURE;
}
