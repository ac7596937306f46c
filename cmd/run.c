/*
 * run.c - `catwalk run -c FILE`: the nightly job.
 *
 * Options and printing only: the batch itself (land, dedupe, parse, ledger,
 * audit, resolve, correlate, views, commit, report) and its error policy
 * are pipeline/pipeline.h's, shared with `catwalk extract`.
 */
#include "commands.h"
#include "options.h"
#include "../core/config.h"
#include "../core/log.h"
#include "../core/util.h"
#include "../pipeline/pipeline.h"

#include <stdio.h>

/* The pipeline's statuses are the exit codes. */
_Static_assert((int)CW_PIPELINE_OK == CW_EXIT_OK && (int)CW_PIPELINE_FAILED == CW_EXIT_FAILURE &&
                   (int)CW_PIPELINE_USAGE == CW_EXIT_USAGE &&
                   (int)CW_PIPELINE_PARTIAL == CW_EXIT_PARTIAL,
               "pipeline statuses are exit codes");

static const cw_command_help run_help = {
    "run",
    "-c FILE [--full] [--dry-run] [--no-report] [--jobs N] [--quiet] [--verbose]",
    "Land, load and correlate every configured source in one batch (one\n"
    "transaction), then write the weekly report into the reports folder.\n"
    "Sources with a base_url are first fetched live, from their watermark on.\n"
    "Files are parsed on N - 1 threads while this one lands and loads them,\n"
    "in the same order: the warehouse is the same whatever N.",
    "exit status: 0 ok; 1 failure, warehouse unchanged; 2 usage or configuration\n"
    "error; 3 loaded, but records were rejected, a source failed or the report\n"
    "could not be written.",
};

/* The summary line, as soon as the batch is committed (scripts read it);
 * not with --quiet, which leaves a successful run silent (cron mails
 * nothing; the exit status says how it went). */
static void print_summary(void *ctx, const cw_pipeline_result *r)
{
    (void)ctx;
    if (cw_log_get_level() < CW_LOG_INFO)
        return;
    printf("batch %lld: %ld records read, %ld loaded (%ld changed), %ld rejected; %ld commits, "
           "%ld deployments (%ld untraceable), %ld incidents attributed\n",
           (long long)r->batch_id, r->stats.rows_read, r->stats.rows_loaded,
           r->stats.rows_changed, r->stats.rows_rejected, r->correlate.commits,
           r->correlate.deployments, r->correlate.untraceable_deployments,
           r->correlate.incidents_attributed);
    fflush(stdout);
}

/* --jobs N: a whole number from 1 to CW_JOBS_MAX.  0, or -1 after the usage
 * error. */
static int parse_jobs(const cw_command_help *help, const char *text, int *out)
{
    char message[80];
    double n;
    if (cw_parse_decimal(text, 1, CW_JOBS_MAX, 1, &n) != 0) {
        snprintf(message, sizeof message, "expected a whole number of threads from 1 to %d",
                 CW_JOBS_MAX);
        cw_usage_error(help, "--jobs", message, text);
        return -1;
    }
    *out = (int)n;
    return 0;
}

int cw_pipeline_command(const cw_command_help *help, cw_pipeline_options *o,
                        const char *dry_run, void (*done)(const cw_pipeline_result *r), int argc,
                        char **argv)
{
    cw_common_options common = {0};
    const char *jobs = NULL;
    const cw_option end = CW_OPT_END();
    const cw_option options[] = {
        CW_OPT_COMMON(&common),
        CW_OPT_FLAG(0, "full", &o->full, "fetch live sources completely, ignoring watermarks"),
        CW_OPT_FLAG(0, "dry-run", &o->dry_run, dry_run),
        o->mode == CW_PIPELINE_LOAD
            ? (cw_option)CW_OPT_FLAG(0, "no-report", &o->no_report,
                                     "load only; do not render the weekly report")
            : end,
        o->mode == CW_PIPELINE_LOAD
            ? (cw_option)CW_OPT_STRING('j', "jobs", "N", &jobs,
                                       "threads at work: N - 1 parse files while one lands\n"
                                       "and loads them (default: [catwalk] jobs, else the\n"
                                       "processors online)")
            : end,
        end};
    cw_pipeline_result r;
    cw_config *cfg;
    int status = cw_options_no_operands(help, options, &common, argc, argv, &cfg);
    if (status >= 0)
        return status;
    if (jobs && parse_jobs(help, jobs, &o->jobs) != 0) {
        cw_config_free(cfg);
        return CW_EXIT_USAGE;
    }
    status = cw_pipeline_run(cfg, o, &r);
    if (done && !o->dry_run && (status == CW_EXIT_OK || status == CW_EXIT_PARTIAL))
        done(&r);
    cw_pipeline_result_free(&r);
    cw_config_free(cfg);
    return status;
}

int cmd_run(int argc, char **argv)
{
    cw_pipeline_options o = {CW_PIPELINE_LOAD, 0, 0, 0, print_summary, NULL, 0};
    return cw_pipeline_command(&run_help, &o, "print the requests live sources would make; "
                               "change nothing", NULL, argc, argv);
}
