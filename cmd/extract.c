/*
 * extract.c - `catwalk extract -c FILE`: land raw data without loading it.
 *
 * Fetches live sources (from their watermarks, or --full) and copies file
 * sources into a new landing batch folder, then stops: for audits, for
 * checking what an API returns, and, with --dry-run, for seeing the requests
 * a nightly run would make.  `catwalk run` does its own extraction; nothing
 * here is loaded into the warehouse.
 */
#include "commands.h"
#include "../core/config.h"
#include "../core/log.h"
#include "../core/record.h"
#include "../core/util.h"
#include "../extract/landing.h"
#include "../extract/live.h"
#include "../extract/source.h"
#include "../load/warehouse.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void extract_usage(FILE *out)
{
    fprintf(out,
            "usage: catwalk extract -c FILE [--full] [--dry-run]\n\n"
            "Land every source's raw data in a new folder of the landing zone without\n"
            "loading it: live sources are fetched (from their watermark unless --full),\n"
            "file sources copied.  Prints the folder.  With --dry-run, prints the first\n"
            "request of every live endpoint instead and writes nothing.\n\n"
            "exit status: 0 ok, 1 every source failed, 2 usage or configuration error,\n"
            "3 some sources failed (the others landed).\n");
}

typedef struct landed_count {
    long files, unlandable;
} landed_count;

static int keep_landed(void *ctx, const cw_landed *file)
{
    landed_count *n = ctx;
    if (file->error) {
        cw_error("%s: %s", file->original, file->error);
        n->unlandable++;
        return 0;
    }
    n->files++;
    cw_debug("landed %s (sha256 %.12s)", file->landed, file->sha256);
    return 0;
}

/* Watermarks come from the warehouse when there is one; without it, full. */
static void watermarks(const cw_config *cfg, int full, int64_t *since)
{
    cw_warehouse *wh = NULL;
    cw_db_target target = cw_wh_target(cfg);
    FILE *probe = cw_db_is_uri(target.uri) ? NULL : fopen(target.uri, "rb");
    for (size_t i = 0; i < cfg->n_sources; i++)
        since[i] = CW_NO_TIME;
    if (full || (!probe && !cw_db_is_uri(target.uri)))
        return;
    if (probe)
        fclose(probe);
    if (cw_wh_open(&target, &wh) != 0)
        return;
    for (size_t i = 0; i < cfg->n_sources; i++) {
        int64_t newest = CW_NO_TIME;
        if (cw_source_is_live(&cfg->sources[i]) &&
            cw_wh_watermark(wh, cfg->sources[i].name, &newest) == 0 && newest != CW_NO_TIME)
            since[i] = newest - cw_live_overlap_s(&cfg->sources[i]);
    }
    cw_wh_close(wh);
}

static int land_files(const cw_config *cfg, const char *batch_dir)
{
    int failed = 0;
    for (size_t i = 0; i < cfg->n_sources; i++) {
        const cw_source *src = &cfg->sources[i];
        landed_count n = {0, 0};
        if (cw_source_is_live(src))
            continue;
        if (cw_land_source(src, cw_source_type_find(src->type), batch_dir, keep_landed, &n) != 0) {
            failed++;
            continue;
        }
        if (n.unlandable)
            failed++;
        printf("[source %s] %ld file(s)", src->name, n.files);
        if (n.unlandable)
            printf(", %ld not landed (see messages above)", n.unlandable);
        putchar('\n');
    }
    return failed;
}

int cmd_extract(int argc, char **argv)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"full", no_argument, NULL, 'F'},
        {"dry-run", no_argument, NULL, 'D'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *config_path = NULL;
    int full = 0, dry_run = 0, opt, failed, status;
    cw_config *cfg;
    cw_live_result *live;
    int64_t *since;
    char *batch_dir;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:h", options, NULL)) != -1) {
        switch (opt) {
        case 'c': config_path = optarg; break;
        case 'F': full = 1; break;
        case 'D': dry_run = 1; break;
        case 'h': extract_usage(stdout); return CW_EXIT_OK;
        default: extract_usage(stderr); return CW_EXIT_USAGE;
        }
    }
    if (!config_path || optind != argc) {
        extract_usage(stderr);
        return CW_EXIT_USAGE;
    }
    if (cw_config_load(config_path, cw_source_check, &cfg) != 0)
        return CW_EXIT_USAGE;
    if (cw_live_check(cfg) != 0) {
        cw_config_free(cfg);
        return CW_EXIT_USAGE;
    }
    since = cw_xcalloc(cfg->n_sources + 1, sizeof(int64_t));
    live = cw_xcalloc(cfg->n_sources + 1, sizeof(*live));
    watermarks(cfg, full, since);
    batch_dir = cw_landing_batch_dir(cfg->landing);
    failed = cw_live_extract(cfg, since, batch_dir, dry_run, live);
    if (!dry_run) {
        failed += land_files(cfg, batch_dir);
        for (size_t i = 0; i < cfg->n_sources; i++)
            if (live[i].attempted && live[i].ok)
                printf("[source %s] %ld page(s), %ld item(s), %ld request(s), %ld retr%s\n",
                       cfg->sources[i].name, live[i].pages, live[i].items, live[i].stats.requests,
                       live[i].stats.retries, live[i].stats.retries == 1 ? "y" : "ies");
        printf("landed in %s\n", batch_dir);
    }
    status = !failed ? CW_EXIT_OK : (size_t)failed < cfg->n_sources ? CW_EXIT_PARTIAL : CW_EXIT_FAILURE;
    if (!dry_run)
        cw_landing_prune(batch_dir);
    free(batch_dir);
    free(live);
    free(since);
    cw_config_free(cfg);
    return status;
}
