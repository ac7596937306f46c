/*
 * extract.c - `catwalk extract -c FILE`: land raw data without loading it.
 *
 * Fetches live sources (from their watermarks, or --full) and copies file
 * sources into a new landing batch folder, then stops: for audits, for
 * checking what an API returns, and, with --dry-run, for seeing the requests
 * a nightly run would make.  Options and printing only: the steps and their
 * error policy are pipeline/pipeline.h's (CW_PIPELINE_LAND), the same as
 * `catwalk run`'s.
 */
#include "commands.h"
#include "options.h"
#include "../core/config.h"
#include "../pipeline/pipeline.h"

#include <stdio.h>

static const cw_command_help extract_help = {
    "extract",
    "-c FILE [--full] [--dry-run] [--quiet] [--verbose]",
    "Land every source's raw data in a new folder of the landing zone without\n"
    "loading it: live sources are fetched (from their watermark unless --full),\n"
    "file sources copied.  Prints the folder.  With --dry-run, prints the first\n"
    "request of every live endpoint instead and writes nothing.",
    "exit status: 0 ok; 1 failure (the warehouse holding the watermarks cannot\n"
    "be read, the landing zone cannot be written); 2 usage or configuration\n"
    "error; 3 some sources failed (the others landed).",
};

static void print_source(const cw_pipeline_source *s)
{
    const cw_live_result *live = &s->live;
    if (live->attempted && live->ok)
        printf("[source %s] %ld page(s), %ld item(s), %ld request(s), %ld retr%s\n", s->name,
               live->pages, live->items, live->stats.requests, live->stats.retries,
               live->stats.retries == 1 ? "y" : "ies");
    else if (s->unlandable)
        printf("[source %s] %ld file(s), %ld not landed (see messages above)\n", s->name, s->files,
               s->unlandable);
    else if (s->status && s->status[0] == 'f')
        printf("[source %s] failed (see messages above)\n", s->name);
    else
        printf("[source %s] %ld file(s)\n", s->name, s->files);
}

/* What a successful extract landed, source by source, and where. */
static void print_landed(const cw_pipeline_result *r)
{
    for (size_t i = 0; i < r->n_sources; i++)
        print_source(&r->sources[i]);
    printf("landed in %s\n", r->batch_dir);
}

int cmd_extract(int argc, char **argv)
{
    cw_pipeline_options o = {CW_PIPELINE_LAND, 0, 0, 1, NULL, NULL, 0, NULL, NULL};
    return cw_pipeline_command(&extract_help, &o, "print the requests live sources would make; "
                               "write nothing", print_landed, argc, argv);
}
