/*
 * pipeline.c - one batch, from the sources to the report (pipeline.h).
 *
 * Every step of `catwalk run` and `catwalk extract` is here, once, with the
 * error policy of pipeline.h: a source's failure makes the run partial, a
 * warehouse or landing-zone failure fails it and rolls the batch back.
 *
 * The kill test (tests/e2e/test_kill.py) stops a run at the cw_killpoint
 * calls here and in the modules below (landing, the sink, resolve,
 * correlation, commit, report).
 */
#include "pipeline.h"
#include "derive.h"
#include "../core/killpoint.h"
#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"
#include "../extract/landing.h"
#include "../extract/source.h"
#include "../reports/metrics.h"
#include "../reports/report.h"
#include "parallel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The finding of a source that gave no record (metrics.md "Data-quality
 * findings": source with no records).  Load-time, so a kind of its own. */
#define FINDING_NO_RECORDS "source_no_records"

typedef struct pipeline {
    const cw_config *cfg;
    const cw_pipeline_options *o;
    cw_pipeline_result *r;
    cw_warehouse *wh;           /* NULL in a dry run or an extract without a warehouse */
    cw_live_result *live;       /* one per source, copied into r->sources at the end */
} pipeline;

/* One source in the batch.  Its steps run on the writer at their place in
 * the batch's order (parallel.h), after the landing has moved on. */
typedef struct source_run {
    cw_warehouse *wh;
    const cw_source *src;
    const cw_source_type *type;
    cw_pipeline_source *out;
    const cw_live_result *live;
    int64_t batch_id;
    cw_buf *failed;             /* the names of the failed sources, in order */
    cw_parallel *parse;
    long read_before;           /* rows read by the batch when its first step ran */
    int rc;                     /* landing's result: 0, 1 no file / fetch failed, -1 failed */
} source_run;

/* ------------------------------------------------------------ open */

/* A server database always exists; a file may not yet. */
static int warehouse_exists(const cw_db_target *t)
{
    return cw_db_is_uri(t->uri) || access(t->uri, F_OK) == 0;
}

/* 1 when a live source will start from a watermark. */
static int needs_watermarks(const pipeline *p)
{
    if (p->o->full)
        return 0;
    for (size_t i = 0; i < p->cfg->n_sources; i++)
        if (cw_source_is_live(&p->cfg->sources[i]))
            return 1;
    return 0;
}

/* The warehouse, opened once.  Only `run` creates one and always needs it;
 * a dry run or an extract opens it only to read watermarks, and without a
 * warehouse fetches every live source in full (a dry run says so), rather
 * than leave an empty warehouse behind. */
static int open_warehouse(pipeline *p)
{
    cw_db_target t = cw_wh_target(p->cfg);
    int loads = p->o->mode == CW_PIPELINE_LOAD && !p->o->dry_run;
    p->wh = NULL;
    if (!loads && (!needs_watermarks(p) || !warehouse_exists(&t)))
        return 0;
    return cw_wh_open(&t, &p->wh);
}

/* ------------------------------------------------------------ fetch */

/* Live sources, each from its watermark minus the overlap unless `full`,
 * before any transaction opens.  Returns 0, or -1 when a watermark cannot
 * be read (the warehouse is broken: the run fails). */
static int fetch(pipeline *p)
{
    const cw_config *cfg = p->cfg;
    int64_t *since = cw_xcalloc(cfg->n_sources ? cfg->n_sources : 1, sizeof(int64_t));
    int any = 0;
    for (size_t i = 0; i < cfg->n_sources; i++) {
        int64_t newest = CW_NO_TIME;
        since[i] = CW_NO_TIME;
        if (!cw_source_is_live(&cfg->sources[i]))
            continue;
        any = 1;
        if (!p->o->full && p->wh && cw_wh_watermark(p->wh, cfg->sources[i].name, &newest) != 0) {
            free(since);
            return -1;
        }
        if (newest != CW_NO_TIME)
            since[i] = newest - cw_live_overlap_s(&cfg->sources[i]);
    }
    if (any)
        cw_live_extract(cfg, since, p->r->batch_dir, p->o->dry_run, p->live);
    free(since);
    return 0;
}

/* ------------------------------------------------------------ land, dedupe, parse, ledger */

/* One file's steps (parallel.h). */
typedef struct file_step {
    source_run *sr;
    int64_t file_id;
    cw_batch_stats before;
    char *original;             /* the file as configured */
    char *error;                /* why it could not be landed, or NULL */
    char sha256[65];
    int64_t mtime_ns;
} file_step;

static void file_step_free(void *ctx)
{
    file_step *f = ctx;
    free(f->original);
    free(f->error);
    free(f);
}

static int add_step(source_run *sr, const char *path, cw_parallel_step begin,
                    cw_parallel_step end, file_step *f)
{
    cw_parallel_item item = {sr->src, path, sr->type->parse, begin, end, f, file_step_free};
    return cw_parallel_add(sr->parse, &item);
}

/* A file that could not be landed: one reject naming it; the source's
 * other files go on. */
static int file_unlandable(void *ctx, int parse_rc)
{
    file_step *f = ctx;
    cw_origin whole = {f->sr->src->name, f->original, 0};
    (void)parse_rc;
    f->sr->out->unlandable++;
    return cw_sink_reject(cw_wh_sink(f->sr->wh), &whole, "path", NULL, "%s", f->error);
}

static int file_begin(void *ctx, int parse_rc)
{
    file_step *f = ctx;
    (void)parse_rc;
    f->before = *cw_wh_stats(f->sr->wh);
    cw_progress(f->sr->src->name, f->sr->out->files, -1);
    cw_killpoint("parse");
    return 0;
}

/* After the file's records: its ledger row.  -1 from parse means the file
 * as a whole was unusable: its reject is already recorded, and the batch
 * goes on with the other files.  But a parse that stopped because the
 * warehouse failed is not a refused file: recording it as loaded would
 * skip its unread records for good. */
static int file_end(void *ctx, int parse_rc)
{
    file_step *f = ctx;
    const cw_batch_stats *after;
    (void)parse_rc;
    if (cw_wh_failed(f->sr->wh))
        return -1;
    cw_killpoint("load");
    after = cw_wh_stats(f->sr->wh);
    f->sr->out->files++;
    if (cw_wh_file_done(f->sr->wh, f->file_id, after->rows_read - f->before.rows_read,
                        after->rows_rejected - f->before.rows_rejected) != 0 ||
        cw_wh_file_mtime(f->sr->wh, f->sr->src->name, f->sha256, f->original, f->mtime_ns))
        return -1;
    return 0;
}

/* One landed file: skip it when its checksum was loaded before (dedupe),
 * else record it (ledger) and have it parsed into the warehouse (in its
 * turn: parallel.h).  -2 stops the source on a warehouse error. */
static int on_landed(void *ctx, const cw_landed *file)
{
    source_run *sr = ctx;
    file_step *f;
    int seen;
    if (file->error) {
        f = cw_xcalloc(1, sizeof *f);
        f->sr = sr;
        f->original = cw_strdup(file->original);
        f->error = cw_strdup(file->error);
        return add_step(sr, NULL, NULL, file_unlandable, f) ? -2 : 0;
    }
    /* offered by its stat before it is read: known by path, size and mtime */
    if (!file->landed && !file->sha256[0]) {
        seen = cw_wh_file_known(sr->wh, sr->src->name, file->original, file->bytes,
                                file->mtime_ns);
        if (seen < 0)
            return -2;
        if (!seen)
            return CW_LAND_HASH;
        cw_debug("%s: unchanged since it was loaded (same size and mtime), skipped",
                 file->original);
        sr->out->skipped++;
        return 0;
    }
    /* offered before it is copied: a file loaded before is passed over */
    if (!file->landed) {
        seen = cw_wh_file_seen(sr->wh, sr->src->name, file->sha256);
        if (seen < 0)
            return -2;
        if (!seen)
            return CW_LAND_COPY;
        cw_debug("%s: unchanged since it was loaded (sha256 %.12s), skipped", file->original,
                 file->sha256);
        sr->out->skipped++;
        return cw_wh_file_mtime(sr->wh, sr->src->name, file->sha256, file->original,
                                file->mtime_ns) ? -2 : 0;
    }
    /* live pages and produced exports are in the landing zone already */
    seen = cw_wh_file_seen(sr->wh, sr->src->name, file->sha256);
    if (seen < 0)
        return -2;
    if (seen) {
        cw_debug("%s: unchanged since it was loaded (sha256 %.12s), skipped", file->original,
                 file->sha256);
        unlink(file->landed);
        sr->out->skipped++;
        return 0;
    }
    f = cw_xcalloc(1, sizeof *f);
    f->sr = sr;
    if (cw_wh_file_landed(sr->wh, sr->src->name, file->original, file->landed, file->sha256,
                          file->bytes, &f->file_id) != 0) {
        file_step_free(f);
        return -2;
    }
    snprintf(f->sha256, sizeof f->sha256, "%s", file->sha256);
    f->original = cw_strdup(file->original);
    f->mtime_ns = file->mtime_ns;
    return add_step(sr, file->landed, file_begin, file_end, f) ? -2 : 0;
}

/* ------------------------------------------------------------ audit */

/* The audit row of a source: how its data came in, and the HTTP counters. */
static int audit_source(cw_warehouse *wh, int64_t batch_id, const source_run *sr,
                        const cw_live_result *live, const char *error)
{
    const cw_source *src = sr->src;
    cw_source_audit a = {0};
    a.source = src->name;
    a.mode = live->attempted ? "live"
             : (sr->type->produce && !cw_source_get(src, "path")) ? "produced" : "files";
    a.status = sr->out->status;
    a.since = live->attempted ? live->since : CW_NO_TIME;
    a.requests = live->stats.requests;
    a.retries = live->stats.retries;
    a.rate_limit_waits = live->stats.rate_limit_waits;
    a.waited_s = live->stats.waited_s;
    a.bytes = live->stats.bytes;
    a.pages = live->pages;
    a.items = live->items;
    a.files = sr->out->files;
    a.elapsed_s = live->elapsed_s;
    a.error = live->attempted && strcmp(a.status, "ok") != 0 ? live->error : error;
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
    else if (rc == 0 && !live->attempted && records == 0 && sr->out->skipped == 0)
        *why = sr->out->files == 1 ? "its file holds no record" : "none of its files holds a record";
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

static void append_name(cw_buf *list, const char *name)
{
    if (list->len)
        cw_buf_puts(list, ",");
    cw_buf_puts(list, name);
}

/* The first step of a source: where its records start. */
static int source_begin(void *ctx, int parse_rc)
{
    source_run *sr = ctx;
    (void)parse_rc;
    sr->read_before = cw_wh_stats(sr->wh)->rows_read;
    return 0;
}

/* The last step of a source, after its files' records: judge and audit it.
 * A source that failed goes on the list of failed sources (the batch goes
 * on); a warehouse error is -1 (the batch must roll back). */
static int source_end(void *ctx, int parse_rc)
{
    source_run *sr = ctx;
    const char *why;
    (void)parse_rc;
    cw_progress_end();
    sr->out->status = judge_source(sr, sr->live, sr->rc,
                                   cw_wh_stats(sr->wh)->rows_read - sr->read_before, &why);
    if (!sr->out->status || audit_source(sr->wh, sr->batch_id, sr, sr->live, why) != 0)
        return -1;
    cw_debug("[source %s] %ld file(s) loaded, %ld unchanged", sr->src->name, sr->out->files,
             sr->out->skipped);
    if (sr->rc != 0)
        append_name(sr->failed, sr->src->name);
    return 0;
}

static void no_free(void *ctx)
{
    (void)ctx;
}

/* Land, dedupe, parse, ledger and audit one source: its landing now, its
 * files and its audit in their turn (parallel.h).  Returns 0, or -1 on a
 * warehouse error (the batch must roll back).  A live source that failed
 * loads nothing: a partial extraction would let the watermark run past data
 * it never saw. */
static int load_source(pipeline *p, source_run *sr)
{
    const cw_parallel_item begin = {sr->src, NULL, NULL, source_begin, NULL, sr, no_free};
    const cw_parallel_item end = {sr->src, NULL, NULL, NULL, source_end, sr, no_free};
    int rc;
    if (cw_wh_source(p->wh, sr->src->name, sr->src->type) != 0 ||
        cw_parallel_add(sr->parse, &begin) != 0)
        return -1;
    if (sr->live->attempted && !sr->live->ok)
        rc = 1;
    else if (sr->live->attempted)
        rc = cw_land_fetched(sr->src, p->r->batch_dir, on_landed, sr);
    else
        rc = cw_land_source(sr->src, sr->type, p->r->batch_dir, on_landed, sr);
    if (rc == -2)
        return -1;
    sr->rc = rc;
    return cw_parallel_add(sr->parse, &end);
}

/* The threads that parse: --jobs (or [catwalk] jobs, or the processors
 * online) counts the writer too, which lands and loads. */
static int parse_workers(const pipeline *p)
{
    int jobs = p->o->jobs > 0 ? p->o->jobs
               : p->cfg->jobs > 0 ? p->cfg->jobs : cw_parallel_default_jobs();
    return jobs - 1;
}

/* Every source, in order, its files parsed on parse_workers() threads.
 * Returns 0 (the failed sources' names in *failed), or -1 on a warehouse
 * error. */
static int load_sources(pipeline *p, int64_t batch_id, cw_buf *failed)
{
    const cw_config *cfg = p->cfg;
    source_run *runs = cw_xcalloc(cfg->n_sources ? cfg->n_sources : 1, sizeof *runs);
    cw_parallel *parse = cw_parallel_start(parse_workers(p), cw_wh_sink(p->wh));
    int rc = parse ? 0 : -1;
    for (size_t i = 0; i < cfg->n_sources && rc == 0; i++) {
        source_run *sr = &runs[i];
        sr->wh = p->wh;
        sr->src = &cfg->sources[i];
        sr->type = cw_source_type_find(sr->src->type);
        sr->out = &p->r->sources[i];
        sr->live = &p->live[i];
        sr->batch_id = batch_id;
        sr->failed = failed;
        sr->parse = parse;
        rc = load_source(p, sr);
    }
    if (rc == 0)
        rc = cw_parallel_finish(parse);
    cw_parallel_free(parse);
    cw_progress_end();
    cw_tz_release();    /* parsers may have switched TZ to read naive times */
    free(runs);
    return rc;
}

/* ------------------------------------------------------------ the batch transaction */

/* Every source, then resolve, correlate, views and commit, in one
 * transaction.  Returns the status; on any warehouse error the batch rolls
 * back and its landing folder goes. */
static cw_pipeline_status load_batch(pipeline *p)
{
    const cw_config *cfg = p->cfg;
    cw_pipeline_result *r = p->r;
    cw_buf failed = {0};
    cw_derivation derivation = {0};
    int64_t batch_id;
    if (cw_wh_batch_begin(p->wh, cfg->path, &batch_id) != 0 || cw_wh_sync_config(p->wh, cfg) != 0 ||
        cw_derive_begin(p->wh, cfg, &derivation) != 0)
        goto rollback;
    double phase = cw_phase_start();
    if (load_sources(p, batch_id, &failed) != 0)
        goto rollback;
    cw_phase_done("load", phase);
    phase = cw_phase_start();
    if (cw_derive(p->wh, cfg, &derivation, &r->correlate, &r->derived_kept) != 0)
        goto rollback;
    cw_phase_done("derive", phase);
    phase = cw_phase_start();
    cw_killpoint("views");
    r->stats = *cw_wh_stats(p->wh);
    r->status = failed.len || r->stats.rows_rejected ? CW_PIPELINE_PARTIAL : CW_PIPELINE_OK;
    if (cw_wh_batch_commit(p->wh, r->status == CW_PIPELINE_PARTIAL ? "partial" : "ok",
                           failed.data) != 0)
        goto rollback;
    cw_killpoint("committed");
    cw_phase_done("commit", phase);
    r->batch_id = batch_id;
    r->sources_failed = failed.data;
    if (p->o->committed)
        p->o->committed(p->o->ctx, r);
    if (failed.len)
        cw_error("sources failed: %s (see messages above)", failed.data);
    if (r->stats.rows_rejected)
        cw_warn("%ld record(s) rejected: SELECT * FROM reject WHERE batch_id = %lld",
                r->stats.rows_rejected, (long long)batch_id);
    return r->status;
rollback:
    cw_derivation_free(&derivation);
    cw_error("batch rolled back: the warehouse is unchanged");
    cw_wh_batch_rollback(p->wh);
    cw_landing_discard(r->batch_dir);
    cw_buf_free(&failed);
    return CW_PIPELINE_FAILED;
}

/* ------------------------------------------------------------ report */

/* The batch is committed by now: a report that fails makes the run partial,
 * never a failure, which would claim the warehouse is unchanged, and the
 * batch row says so too, so the table matches the exit status. */
static cw_pipeline_status report(pipeline *p)
{
    int64_t from, to;
    cw_report_default_window((int64_t)time(NULL), &from, &to);
    if (cw_report_weekly(cw_wh_db(p->wh), p->cfg, from, to, p->cfg->reports) == 0)
        return CW_PIPELINE_OK;
    cw_error("weekly report failed; the batch itself is committed");
    if (p->r->batch_id)
        cw_wh_batch_status(p->wh, p->r->batch_id, "partial");
    p->r->report_failed = 1;
    return CW_PIPELINE_PARTIAL;
}

static int landing_known(void *ctx, const char *name)
{
    return cw_wh_landing_known(ctx, name);
}

/* `run`: sweep, mark, fetch, the batch, report, unmark. */
static cw_pipeline_status run_load(pipeline *p)
{
    const char *batch_dir = p->r->batch_dir;
    cw_pipeline_status status;
    double phase = cw_phase_start();
    cw_landing_sweep(p->cfg->landing, landing_known, p->wh);
    if (cw_landing_begin(batch_dir) != 0 || fetch(p) != 0)
        status = CW_PIPELINE_FAILED;
    else {
        cw_phase_done("fetch", phase);
        status = load_batch(p);
    }
    phase = cw_phase_start();
    if (status != CW_PIPELINE_FAILED && !p->o->no_report) {
        if (report(p) != CW_PIPELINE_OK)
            status = CW_PIPELINE_PARTIAL;
        cw_phase_done("report", phase);
    }
    cw_landing_end(batch_dir);
    return status;
}

/* ------------------------------------------------------------ `extract`: land only */

static int keep_landed(void *ctx, const cw_landed *file)
{
    cw_pipeline_source *out = ctx;
    if (!file->landed && !file->error)
        return CW_LAND_COPY;            /* extract keeps every file (read, then copied) */
    if (file->error) {
        cw_error("%s: %s", file->original, file->error);
        out->unlandable++;
        return 0;
    }
    out->files++;
    cw_debug("landed %s (sha256 %.12s)", file->landed, file->sha256);
    return 0;
}

/* `extract`: fetch, then copy every file source; nothing is loaded.  Its
 * folder carries no run mark, so the next run's sweep keeps it. */
static cw_pipeline_status run_land(pipeline *p)
{
    const cw_config *cfg = p->cfg;
    cw_buf failed = {0};
    cw_pipeline_status status = CW_PIPELINE_OK;
    if (fetch(p) != 0) {
        status = CW_PIPELINE_FAILED;
    } else {
        for (size_t i = 0; i < cfg->n_sources; i++) {
            const cw_source *src = &cfg->sources[i];
            cw_pipeline_source *out = &p->r->sources[i];
            int ok;
            if (p->live[i].attempted) {
                ok = p->live[i].ok;
                out->files = p->live[i].files;
            } else {
                ok = cw_land_source(src, cw_source_type_find(src->type), p->r->batch_dir,
                                    keep_landed, out) == 0 && out->unlandable == 0;
            }
            out->status = ok ? "ok" : "failed";
            if (!ok)
                append_name(&failed, src->name);
        }
        if (failed.len)
            status = CW_PIPELINE_PARTIAL;
    }
    p->r->sources_failed = failed.data;
    cw_landing_prune(p->r->batch_dir);
    return status;
}

/* ------------------------------------------------------------ the entry point */

int cw_pipeline_run(const cw_config *cfg, const cw_pipeline_options *o, cw_pipeline_result *r)
{
    pipeline p = {cfg, o, r, NULL, NULL};
    memset(r, 0, sizeof *r);
    r->n_sources = cfg->n_sources;
    r->sources = cw_xcalloc(cfg->n_sources ? cfg->n_sources : 1, sizeof *r->sources);
    for (size_t i = 0; i < cfg->n_sources; i++)
        r->sources[i].name = cfg->sources[i].name;
    if (cw_live_check(cfg) != 0)
        return r->status = CW_PIPELINE_USAGE;
    if (open_warehouse(&p) != 0)
        return r->status = CW_PIPELINE_FAILED;
    p.live = cw_xcalloc(cfg->n_sources ? cfg->n_sources : 1, sizeof *p.live);
    r->batch_dir = cw_landing_batch_dir(cfg->landing);
    if (o->dry_run)
        r->status = fetch(&p) == 0 ? CW_PIPELINE_OK : CW_PIPELINE_FAILED;
    else if (o->mode == CW_PIPELINE_LAND)
        r->status = run_land(&p);
    else
        r->status = run_load(&p);
    for (size_t i = 0; i < cfg->n_sources; i++)
        r->sources[i].live = p.live[i];
    free(p.live);
    cw_wh_close(p.wh);
    return r->status;
}

void cw_pipeline_result_free(cw_pipeline_result *r)
{
    free(r->batch_dir);
    free(r->sources_failed);
    free(r->sources);
    memset(r, 0, sizeof *r);
}
