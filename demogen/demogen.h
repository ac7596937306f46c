/*
 * demogen.h - the demo generator: Harbourside Insurance Group, a synthetic
 * enterprise (five teams, 35 applications; with --apps N as many as an
 * enterprise has, synthesised from the seed) written in the export formats
 * of Jira, git, Jenkins, PagerDuty and ServiceNow, with the catwalk.ini that
 * loads it, and with --delta-day the next day's nightly export beside it.
 *
 * What it is for: data to try catwalk on (`make demo`), to measure it on
 * (`make bench`, a large --scale) and to run every parser on volumes the
 * real fixtures do not have (tests/unit/test_demo.c).  It is a tool beside
 * the product, not a stage of the pipeline: it includes only core/, nothing
 * else includes it but `catwalk demo` (cmd/demo.c), which parses the options
 * and calls cw_demogen_run.  How the simulation works is in internal.h.
 *
 * The same options always give the same bytes.
 */
#ifndef CW_DEMOGEN_H
#define CW_DEMOGEN_H

#include <stdint.h>

#define CW_DEMOGEN_HISTORY_WEEKS 6  /* simulated before the weeks asked for */

typedef struct cw_demogen_opts {
    const char *dir;             /* the output folder, created when missing */
    uint64_t seed;
    double scale;                /* multiplies tickets, commits, deployments, incidents */
    int weeks;                   /* weeks of data up to end */
    int64_t end;                 /* the export instant, 00:00 UTC: nothing at or after it exists */
    int force;                   /* write into a folder that is not empty, replacing earlier exports */
    int apps;                    /* applications; 0 = Harbourside's own 35 */
    int delta_day;               /* also write DIR/delta/: the next day's nightly export */
} cw_demogen_opts;

#define CW_DEMOGEN_MAX_APPS 5000

/* What was written, for the summary. */
typedef struct cw_demogen_totals {
    long teams, applications, files, tickets, commits, builds, deployments, untraceable;
    long incidents_pd, incidents_sn;
    long pulls;                  /* GitHub pull requests */
} cw_demogen_totals;

enum {
    CW_DEMOGEN_OK = 0,
    CW_DEMOGEN_FAILED = -1,      /* a file or folder could not be written */
    CW_DEMOGEN_NOT_EMPTY = -2    /* dir is not a folder, or not empty and force is off */
};

/* Write the demo into o->dir: DIR/exports/... and DIR/catwalk.ini, and with
 * delta_day DIR/delta/exports/... (the day after o->end).  Errors are
 * reported on stderr; returns one of the codes above, with *totals (and
 * *delta, for the delta day) filled; either may be NULL. */
int cw_demogen_run(const cw_demogen_opts *o, cw_demogen_totals *totals, cw_demogen_totals *delta);

#endif
