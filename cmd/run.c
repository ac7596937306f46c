/*
 * run.c - `catwalk run -c FILE`: the nightly job.
 *
 *   1. land every source's raw files in LANDING/<batch>/<source>/ (checksummed;
 *      a file already loaded with the same checksum is skipped);
 *   2. parse each landed file through its connector into the warehouse sink;
 *   3. resolve applications, correlate (ancestry walk, attribution, flow);
 *   4. install the metric views and commit: one transaction for the batch;
 *   5. render the weekly report (unless --no-report).
 *
 * A source that fails (no files, git error) is recorded in the batch and the
 * others go on; a file that cannot be landed (unreadable, a symbolic link
 * not followed) is one reject; the exit status says so (3).  Any warehouse
 * error rolls the whole batch back (1): nothing half-loaded is ever visible.
 * The batch folder is marked while the run lasts, so the next run can remove
 * what a killed one landed but never loaded.
 */
#include "commands.h"
#include "../core/config.h"
#include "../core/killpoint.h"
#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"
#include "../extract/landing.h"
#include "../extract/live.h"
#include "../extract/source.h"
#include "../load/warehouse.h"
#include "../reports/metrics.h"
#include "../reports/report.h"
#include "../transform/correlate.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct run_options {
    const char *config_path;
    int no_report;
    int quiet;
    int full;                   /* ignore watermarks: re-extract live sources completely */
    int dry_run;                /* print the live requests, change nothing */
} run_options;

typedef struct source_run {
    cw_warehouse *wh;
    const cw_source *src;
    const cw_source_type *type;
    long files, skipped, unlandable;
} source_run;

/* The finding of a source that gave no record (metrics.md "Data-quality
 * findings": source with no records).  Load-time, so a kind of its own. */
#define FINDING_NO_RECORDS "source_no_records"

static void run_usage(FILE *out)
{
    fprintf(out,
            "usage: catwalk run -c FILE [--full] [--dry-run] [--no-report] [--quiet] [--verbose]\n\n"
            "Land, load and correlate every configured source in one batch (one\n"
            "transaction), then write the weekly report into the reports folder.\n"
            "Sources with a base_url are first fetched live, from their watermark on.\n\n"
            "  -c, --config FILE  the INI configuration\n"
            "      --full         fetch live sources completely, ignoring watermarks\n"
            "      --dry-run      print the requests live sources would make; change nothing\n"
            "      --no-report    load only; do not render the weekly report\n"
            "  -q, --quiet        errors only\n"
            "  -v, --verbose      debug output\n\n"
            "exit status: 0 ok; 1 failure, warehouse unchanged; 2 usage or configuration\n"
            "error; 3 loaded, but records were rejected or a source failed.\n");
}

static int parse_run_options(int argc, char **argv, run_options *o)
{
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'}, {"no-report", no_argument, NULL, 'n'},
        {"full", no_argument, NULL, 'F'},         {"dry-run", no_argument, NULL, 'D'},
        {"quiet", no_argument, NULL, 'q'},        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "c:qvh", options, NULL)) != -1) {
        switch (opt) {
        case 'c': o->config_path = optarg; break;
        case 'n': o->no_report = 1; break;
        case 'F': o->full = 1; break;
        case 'D': o->dry_run = 1; break;
        case 'q': o->quiet = 1; cw_log_set_level(CW_LOG_ERROR); break;
        case 'v': cw_log_set_level(CW_LOG_DEBUG); break;
        case 'h': run_usage(stdout); return 1;
        default: run_usage(stderr); return -1;
        }
    }
    if (!o->config_path || optind != argc) {
        run_usage(stderr);
        return -1;
    }
    return 0;
}

/* One landed file: skip it when its checksum was loaded before, else record
 * it and parse it into the warehouse. */
static int on_landed(void *ctx, const cw_landed *file)
{
    source_run *sr = ctx;
    cw_batch_stats before = *cw_wh_stats(sr->wh);
    const cw_batch_stats *after;
    int64_t file_id;
    int seen;
    if (file->error) {
        /* one reject naming the file; the source's other files go on */
        cw_origin whole = {sr->src->name, file->original, 0};
        sr->unlandable++;
        return cw_sink_reject(cw_wh_sink(sr->wh), &whole, "path", NULL, "%s", file->error) ? -2
                                                                                          : 0;
    }
    seen = cw_wh_file_seen(sr->wh, sr->src->name, file->sha256);
    if (seen < 0)
        return -2;
    if (seen) {
        cw_debug("%s: unchanged since it was loaded (sha256 %.12s), skipped", file->original,
                 file->sha256);
        unlink(file->landed);
        sr->skipped++;
        return 0;
    }
    if (cw_wh_file_landed(sr->wh, sr->src->name, file->original, file->landed, file->sha256,
                          file->bytes, &file_id) != 0)
        return -2;
    cw_progress(sr->src->name, sr->files, -1);
    /* -1 from parse means the file as a whole was unusable: its reject is
     * already recorded, and the batch goes on with the other files. */
    cw_killpoint("parse");
    sr->type->parse(sr->src, file->landed, cw_wh_sink(sr->wh));
    cw_killpoint("load");
    after = cw_wh_stats(sr->wh);
    sr->files++;
    if (cw_wh_file_done(sr->wh, file_id, after->rows_read - before.rows_read,
                        after->rows_rejected - before.rows_rejected) != 0)
        return -2;
    return 0;
}

/* The audit row of a source: how its data came in, and the HTTP counters. */
static int audit_source(cw_warehouse *wh, int64_t batch_id, const cw_source *src,
                        const cw_live_result *live, long files, const char *status,
                        const char *error)
{
    const cw_source_type *type = cw_source_type_find(src->type);
    cw_source_audit a = {0};
    a.source = src->name;
    a.mode = live->attempted ? "live" : (type->produce && !cw_source_get(src, "path")) ? "produced"
                                                                                        : "files";
    a.status = status;
    a.since = live->attempted ? live->since : CW_NO_TIME;
    a.requests = live->stats.requests;
    a.retries = live->stats.retries;
    a.rate_limit_waits = live->stats.rate_limit_waits;
    a.waited_s = live->stats.waited_s;
    a.bytes = live->stats.bytes;
    a.pages = live->pages;
    a.items = live->items;
    a.files = files;
    a.elapsed_s = live->elapsed_s;
    a.error = live->attempted && strcmp(status, "ok") != 0 ? live->error : error;
    return cw_wh_source_audit(wh, batch_id, &a);
}

/* What a source gave, said where the batch keeps it: a source whose path
 * named no file, or whose files held no record (not even a rejected one),
 * is a warning and a finding; one that gave records clears its finding.
 * Files skipped as unchanged gave their records before: nothing changes.
 * Returns the source_run status, or NULL on a warehouse error. */
static const char *judge_source(const source_run *sr, const cw_live_result *live, int rc,
                                long records, const char **why)
{
    const char *name = sr->src->name;
    *why = NULL;
    if (rc == 1 && !live->attempted)   /* 1 from a live source: its fetch failed */
        *why = "its path matches no file";
    else if (rc == 0 && !live->attempted && records == 0 && sr->skipped == 0)
        *why = sr->files == 1 ? "its file holds no record" : "none of its files holds a record";
    if (*why) {
        cw_warn("[source %s] loaded nothing: %s", name, *why);
        if (cw_wh_finding(sr->wh, FINDING_NO_RECORDS, name, *why) != 0)
            return NULL;
        return rc == 0 ? "empty" : "failed";
    }
    if (records > 0 && cw_wh_finding(sr->wh, FINDING_NO_RECORDS, name, NULL) != 0)
        return NULL;
    return rc == 0 ? "ok" : "failed";
}

/* Land and parse one source.  Returns 0, 1 when the source failed (the
 * batch goes on), -1 on a warehouse error (the batch must roll back).
 * A live source that failed loads nothing: a partial extraction would let
 * the watermark run past data it never saw. */
static int run_source(cw_warehouse *wh, int64_t batch_id, const cw_source *src,
                      const char *batch_dir, const cw_live_result *live)
{
    source_run sr = {wh, src, cw_source_type_find(src->type), 0, 0, 0};
    long read_before = cw_wh_stats(wh)->rows_read;
    const char *status, *why;
    int rc;
    if (cw_wh_source(wh, src->name, src->type) != 0)
        return -1;
    if (live->attempted && !live->ok)
        rc = 1;
    else if (live->attempted)
        rc = cw_land_fetched(src, batch_dir, on_landed, &sr);
    else
        rc = cw_land_source(src, sr.type, batch_dir, on_landed, &sr);
    cw_progress_end();
    cw_tz_release();    /* parsers may have switched TZ to read naive times */
    if (rc == -2)
        return -1;
    status = judge_source(&sr, live, rc, cw_wh_stats(wh)->rows_read - read_before, &why);
    if (!status || audit_source(wh, batch_id, src, live, sr.files, status, why) != 0)
        return -1;
    cw_debug("[source %s] %ld file(s) loaded, %ld unchanged", src->name, sr.files, sr.skipped);
    return rc == 0 ? 0 : 1;
}

static void append_name(cw_buf *list, const char *name)
{
    if (list->len)
        cw_buf_puts(list, ",");
    cw_buf_puts(list, name);
}

/* Steps 1-4 inside one transaction.  Returns an exit status. */
static int run_batch(cw_warehouse *wh, const cw_config *cfg, const char *batch_dir,
                     const cw_live_result *live, int64_t *batch_out)
{
    cw_buf failed = {0};
    cw_correlate_stats cs = {0};
    const cw_batch_stats *st;
    int64_t batch_id;
    int status = CW_EXIT_OK;
    if (cw_wh_batch_begin(wh, cfg->path, &batch_id) != 0 || cw_wh_sync_config(wh, cfg) != 0)
        goto rollback;
    for (size_t i = 0; i < cfg->n_sources; i++) {
        int rc = run_source(wh, batch_id, &cfg->sources[i], batch_dir, &live[i]);
        if (rc < 0)
            goto rollback;
        if (rc > 0)
            append_name(&failed, cfg->sources[i].name);
    }
    if (cw_wh_resolve(wh) != 0 || cw_correlate(cw_wh_db(wh), cfg, &cs) != 0 ||
        cw_metrics_install_views(cw_wh_sqlite(wh)) != 0)
        goto rollback;
    cw_killpoint("views");
    st = cw_wh_stats(wh);
    if (failed.len || st->rows_rejected)
        status = CW_EXIT_PARTIAL;
    if (cw_wh_batch_commit(wh, status == CW_EXIT_PARTIAL ? "partial" : "ok", failed.data) != 0)
        goto rollback;
    cw_killpoint("committed");
    *batch_out = batch_id;
    printf("batch %lld: %ld records read, %ld loaded (%ld changed), %ld rejected; %ld commits, "
           "%ld deployments (%ld untraceable), %ld incidents attributed\n",
           (long long)batch_id, st->rows_read, st->rows_loaded, st->rows_changed,
           st->rows_rejected, cs.commits,
           cs.deployments, cs.untraceable_deployments, cs.incidents_attributed);
    if (failed.len)
        cw_error("sources failed: %s (see messages above)", failed.data);
    if (st->rows_rejected)
        cw_warn("%ld record(s) rejected: SELECT * FROM reject WHERE batch_id = %lld",
                st->rows_rejected, (long long)batch_id);
    cw_buf_free(&failed);
    return status;
rollback:
    cw_error("batch rolled back: the warehouse is unchanged");
    cw_wh_batch_rollback(wh);
    cw_landing_discard(batch_dir);
    cw_buf_free(&failed);
    return CW_EXIT_FAILURE;
}

/* Fetch the live sources (before the batch transaction opens), each from
 * its watermark minus the overlap unless --full. */
static int extract_live(cw_warehouse *wh, const cw_config *cfg, const char *batch_dir,
                        const run_options *o, cw_live_result *live)
{
    int64_t *since = cw_xcalloc(cfg->n_sources ? cfg->n_sources : 1, sizeof(int64_t));
    int any = 0;
    for (size_t i = 0; i < cfg->n_sources; i++) {
        int64_t newest = CW_NO_TIME;
        since[i] = CW_NO_TIME;
        if (!cw_source_is_live(&cfg->sources[i]))
            continue;
        any = 1;
        if (!o->full && wh && cw_wh_watermark(wh, cfg->sources[i].name, &newest) != 0) {
            free(since);
            return -1;
        }
        if (newest != CW_NO_TIME)
            since[i] = newest - cw_live_overlap_s(&cfg->sources[i]);
    }
    if (any)
        cw_live_extract(cfg, since, batch_dir, o->dry_run, live);
    free(since);
    return 0;
}

/* The batch is committed by now: a report that fails makes the run partial
 * (3), never a failure (1), which would claim the warehouse is unchanged,
 * and the batch row says so too, so the table matches the exit status. */
static int render_report(cw_warehouse *wh, const cw_config *cfg, int64_t batch_id)
{
    int64_t from, to;
    cw_report_default_window((int64_t)time(NULL), &from, &to);
    if (cw_report_weekly(cw_wh_sqlite(wh), cfg, from, to, cfg->reports) != 0) {
        cw_error("weekly report failed; the batch itself is committed");
        if (batch_id)
            cw_wh_batch_status(wh, batch_id, "partial");
        return CW_EXIT_PARTIAL;
    }
    return CW_EXIT_OK;
}

static int landing_known(void *ctx, const char *name)
{
    return cw_wh_landing_known(ctx, name);
}

/* A dry run must not create a warehouse: without one, every live source
 * would be fetched in full, and that is what it prints. */
static int open_warehouse(const cw_config *cfg, const run_options *o, cw_warehouse **wh)
{
    *wh = NULL;
    if (o->dry_run && access(cfg->warehouse, F_OK) != 0)
        return 0;
    return cw_wh_open(cfg->warehouse, wh);
}

int cmd_run(int argc, char **argv)
{
    run_options o = {0};
    cw_config *cfg = NULL;
    cw_warehouse *wh = NULL;
    cw_live_result *live;
    char *batch_dir = NULL;
    int64_t batch_id = 0;
    int status, rc = parse_run_options(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? CW_EXIT_OK : CW_EXIT_USAGE;
    if (cw_config_load(o.config_path, &cfg) != 0)
        return CW_EXIT_USAGE;
    if (cw_live_check(cfg) != 0) {
        cw_config_free(cfg);
        return CW_EXIT_USAGE;
    }
    if (open_warehouse(cfg, &o, &wh) != 0) {
        cw_config_free(cfg);
        return CW_EXIT_FAILURE;
    }
    batch_dir = cw_landing_batch_dir(cfg->landing);
    live = cw_xcalloc(cfg->n_sources ? cfg->n_sources : 1, sizeof(*live));
    if (!o.dry_run)
        cw_landing_sweep(cfg->landing, landing_known, wh);
    if (!o.dry_run && cw_landing_begin(batch_dir) != 0)
        status = CW_EXIT_FAILURE;
    else if (extract_live(wh, cfg, batch_dir, &o, live) != 0)
        status = CW_EXIT_FAILURE;
    else if (o.dry_run)
        status = CW_EXIT_OK;
    else
        status = run_batch(wh, cfg, batch_dir, live, &batch_id);
    free(live);
    if (status != CW_EXIT_FAILURE && !o.no_report && !o.dry_run) {
        int report_status = render_report(wh, cfg, batch_id);
        if (report_status != CW_EXIT_OK)
            status = report_status;
    }
    if (!o.dry_run)
        cw_landing_end(batch_dir);
    free(batch_dir);
    cw_wh_close(wh);
    cw_config_free(cfg);
    return status;
}
