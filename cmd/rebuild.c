/*
 * rebuild.c - `catwalk rebuild -c FILE [--into URI|PATH] [--replace]`: make
 * the warehouse again from the landing zone alone (pipeline/rebuild.h).
 *
 * Options and printing only; what is replayed, in which order, where the
 * rebuilt warehouse goes and how --replace swaps it in are rebuild.h's.
 */
#include "commands.h"
#include "options.h"
#include "../core/config.h"
#include "../core/log.h"
#include "../core/util.h"
#include "../pipeline/rebuild.h"

#include <stdio.h>

static const cw_command_help rebuild_help = {
    "rebuild",
    "-c FILE [--into URI|PATH | --replace] [--jobs N]",
    "Make the warehouse again from the landing zone alone: every landed batch\n"
    "folder, oldest first, replayed as the batch it was (no source is contacted,\n"
    "no file is landed again), starting from the newest retention checkpoint\n"
    "when there is one.  forecast_history, which no input holds, is copied from\n"
    "the configured warehouse.  By default the result is a new SQLite file next\n"
    "to the configured one (catwalk-rebuilt-<UTC stamp>.db); --into names a new\n"
    "file or an empty PostgreSQL database; --replace builds aside and swaps the\n"
    "result into the configured warehouse atomically.",
    "Prints where the rebuilt warehouse is.\n\n"
    "exit status: 0 rebuilt; 1 failure (the configured warehouse is unchanged);\n"
    "2 usage or configuration error.",
};

int cmd_rebuild(int argc, char **argv)
{
    cw_common_options common = {0};
    cw_rebuild_options o = {0};
    const char *jobs = NULL;
    const cw_option options[] = {
        CW_OPT_COMMON(&common),
        CW_OPT_STRING(0, "into", "URI|PATH", &o.into,
                      "the new warehouse: a SQLite file that does not exist, or\n"
                      "a PostgreSQL database holding no warehouse"),
        CW_OPT_FLAG(0, "replace", &o.replace,
                    "build aside, then swap into the configured warehouse"),
        CW_OPT_STRING('j', "jobs", "N", &jobs, "threads at work, as `catwalk run --jobs`"),
        CW_OPT_END()};
    cw_rebuild_result r;
    cw_config *cfg;
    double n = 0;
    int status = cw_options_no_operands(&rebuild_help, options, &common, argc, argv, &cfg);
    if (status >= 0)
        return status;
    if (o.into && o.replace)
        status = cw_usage_error(&rebuild_help, "--into", "give --into or --replace, not both",
                                o.into);
    else if (jobs && cw_parse_decimal(jobs, 1, CW_JOBS_MAX, 1, &n) != 0)
        status = cw_usage_error(&rebuild_help, "--jobs", "expected a whole number of threads",
                                jobs);
    if (status >= 0) {
        cw_config_free(cfg);
        return status;
    }
    o.jobs = (int)n;
    status = cw_rebuild(cfg, &o, &r);
    if (status == 0) {
        cw_info("rebuild: %ld batch(es) replayed (%ld with rejects, as their nights had), %ld "
                "folder(s) never loaded passed over", r.batches, r.partial, r.passed_over);
        printf("%s\n", r.target);
    }
    cw_rebuild_result_free(&r);
    cw_config_free(cfg);
    return status == 0 ? CW_EXIT_OK : status == 2 ? CW_EXIT_USAGE : CW_EXIT_FAILURE;
}
