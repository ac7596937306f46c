/*
 * pipeline.h - one batch, from the sources to the report: the steps that
 * `catwalk run` and `catwalk extract` share, in one place.
 *
 * The pipeline sits above extract/, load/, transform/ and reports/ (it
 * orchestrates them) and below cmd/ (which parses options and prints what
 * the result says).  Nothing below it includes it.
 *
 * The steps, in order (CW_PIPELINE_LOAD, i.e. `catwalk run`):
 *
 *   open      the warehouse, once (cw_wh_target builds its location);
 *   sweep     remove the landing folders of runs killed before they
 *             committed (nothing in them was loaded), mark this batch's;
 *   fetch     live sources, from their watermark minus the overlap unless
 *             `full`, before the transaction opens (network time never holds
 *             the writer lock);
 *   -- one transaction from here --
 *   land      each source's files into LANDING/<batch>/<source>/;
 *   dedupe    a file whose checksum this source already loaded is skipped;
 *   parse     each new file through its connector into the warehouse sink
 *             (on `jobs` - 1 threads beside the writer, in the same order:
 *             pipeline/parallel.h);
 *   ledger    the file's row (landed_file) with its record and reject counts;
 *   audit     the source's row (source_run) and its no-records finding;
 *   resolve   references after the whole batch (load/resolve.sql);
 *   correlate ancestry walk, attribution, flow (transform/correlate.h);
 *   views     the metric views (reports/metrics.h);
 *   commit    the batch row and COMMIT;
 *   -- committed --
 *   report    the weekly report, unless `no_report`.
 *
 * CW_PIPELINE_LAND (`catwalk extract`) does open, fetch and land, and
 * stops: no sweep, no mark (its folder is kept by the next run's sweep),
 * nothing loaded.  It opens the warehouse only when a live source starts
 * from a watermark, and only one that exists (else it fetches in full).
 * `dry_run` (both modes) opens the warehouse the same way, prints the
 * requests live sources would make, and writes nothing anywhere.
 *
 * Error policy (result->status; the values are the exit codes of README
 * "Exit status"):
 *
 *   CW_PIPELINE_USAGE (2)   the configuration cannot run: a live source's
 *                           credentials or options fail cw_live_check.
 *                           Nothing was opened or written.
 *   CW_PIPELINE_FAILED (1)  the run as a whole failed, and the warehouse is
 *                           exactly as before: it cannot be opened or read
 *                           (watermarks), the landing zone cannot be written,
 *                           or any warehouse error inside the batch (then the
 *                           batch rolls back and its landing folder is
 *                           removed).  No report is rendered.
 *   CW_PIPELINE_PARTIAL (3) done, but not everything: a source failed (no
 *                           file matched, git failed, a live fetch failed:
 *                           the other sources still load or land), a file
 *                           could not be landed (a reject in `run`), records
 *                           were rejected, or the report failed after the
 *                           commit (the batch row then says 'partial' too).
 *   CW_PIPELINE_OK (0)      everything landed, loaded and rendered.
 *
 * A source's failure is never the run's failure, in either mode: one broken
 * export must not stop the others, and the batch row and source_run say
 * which failed.
 */
#ifndef CW_PIPELINE_H
#define CW_PIPELINE_H

#include <stdint.h>
#include "../core/config.h"
#include "../extract/live.h"
#include "../load/db.h"
#include "../load/warehouse.h"
#include "../transform/correlate.h"

typedef enum cw_pipeline_mode {
    CW_PIPELINE_LOAD,           /* land, load, correlate, commit, report: `catwalk run` */
    CW_PIPELINE_LAND            /* land only: `catwalk extract` */
} cw_pipeline_mode;

typedef enum cw_pipeline_status {
    CW_PIPELINE_OK = 0,
    CW_PIPELINE_FAILED = 1,
    CW_PIPELINE_USAGE = 2,
    CW_PIPELINE_PARTIAL = 3
} cw_pipeline_status;

typedef struct cw_pipeline_result cw_pipeline_result;

typedef struct cw_pipeline_options {
    cw_pipeline_mode mode;
    int full;                   /* ignore watermarks: fetch live sources completely */
    int dry_run;                /* print the live requests; change nothing */
    int no_report;              /* CW_PIPELINE_LOAD: do not render the weekly report */
    /* Called once the batch is committed, before the report is rendered
     * (`run` prints its summary line there, so it is out even when the
     * report then takes long or fails).  May be NULL. */
    void (*committed)(void *ctx, const cw_pipeline_result *r);
    void *ctx;
    /* CW_PIPELINE_LOAD: threads at work, the writer included (it lands
     * and loads; the others parse, pipeline/parallel.h); 0 = [catwalk] jobs,
     * else the processors online.  The warehouse is the same for any. */
    int jobs;
    /* CW_PIPELINE_LOAD, `catwalk rebuild` (cmd/rebuild.c): replay this landed
     * batch folder instead of landing: no sweep, no fetch, no source
     * contacted, every source's files read from REPLAY/<source>/ in landing
     * order, and the folder is never changed (not even on a rollback).
     * NULL: a normal run. */
    const char *replay;
    /* The warehouse to load instead of the configured one (a URI or a
     * path; the configured password applies); NULL: the configured one. */
    const char *warehouse;
} cw_pipeline_options;

/* What one source gave. */
typedef struct cw_pipeline_source {
    const char *name;           /* the config's */
    const char *status;         /* ok | empty | failed (as in source_run) */
    long files;                 /* files landed (LAND) or parsed (LOAD) */
    long skipped;               /* LOAD: files unchanged since they were loaded */
    long unlandable;            /* files that could not be landed */
    cw_live_result live;        /* live.attempted for a live source */
} cw_pipeline_source;

struct cw_pipeline_result {
    cw_pipeline_status status;
    char *batch_dir;            /* the landing folder of this batch */
    int64_t batch_id;           /* LOAD: the committed batch, 0 when none */
    cw_batch_stats stats;       /* LOAD: the batch's counters */
    cw_correlate_stats correlate;
    int derived_kept;           /* LOAD: nothing new: the derived tables were kept (derive.h) */
    char *sources_failed;       /* "a,b", NULL when none */
    int report_failed;          /* the report failed after the commit */
    size_t n_sources;
    cw_pipeline_source *sources;    /* one per cfg->sources[i] */
};


/* Run the pipeline on a loaded configuration.  Always fills *r (free it
 * with cw_pipeline_result_free) and returns r->status. */
int cw_pipeline_run(const cw_config *cfg, const cw_pipeline_options *o, cw_pipeline_result *r);
void cw_pipeline_result_free(cw_pipeline_result *r);

#endif
