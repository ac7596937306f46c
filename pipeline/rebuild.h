/*
 * rebuild.h - `catwalk rebuild`: a warehouse made again from the landing
 * zone alone.
 *
 * Every batch folder the landing zone holds (extract/landing.h
 * cw_landing_batches), oldest first, is replayed as a batch of its own
 * (pipeline.h, cw_pipeline_options.replay): its sources in configuration
 * order, each source's files in landing order, deduped, parsed, resolved,
 * correlated and committed exactly as the night that landed them did.  No
 * source is contacted and no file is landed again: a night lands only what
 * it parses (known files are passed over by their stat or checksum, a file
 * read again for its deferred rejects is landed again), so the folders hold
 * each night's input in its order, and the rebuilt warehouse equals the
 * original in every fact, dimension and derived table (not in the audit of
 * when its batches ran: batch, source_run, landed_file's ids).
 *
 * Where the rebuild starts: from an empty warehouse, or, when landing
 * retention left a checkpoint (LANDING/checkpoint/, retention.h), from a
 * copy of the newest checkpoint, replaying only the folders after it.
 *
 * Which folders: when the configured warehouse can be read, the folders its
 * ledger never loaded (a `catwalk extract` no run followed) are passed
 * over; without it (lost) every folder is replayed.
 *
 * What is not derivable from input is copied from the configured warehouse
 * when it can be read: forecast_history (the forecasts each night made,
 * matched by the release's project and name).
 *
 * Where it goes (cw_rebuild_options): into a new warehouse (a path that
 * must not exist, or a PostgreSQL URI whose database holds no catwalk
 * schema yet), by default next to the configured SQLite file; with
 * `replace`, aside (a file next to it; a schema catwalk_rebuild on
 * PostgreSQL) and then swapped in atomically: the SQLite online backup of
 * the rebuilt file into the warehouse in one write transaction, or the two
 * schemas renamed in one PostgreSQL transaction holding the writer lock.  A
 * run that committed a batch while the rebuild went on stops the swap.
 */
#ifndef CW_REBUILD_H
#define CW_REBUILD_H

#include "../core/config.h"

typedef struct cw_rebuild_options {
    const char *into;           /* a path or URI; NULL: next to the configured one */
    int replace;                /* build aside, then swap into the configured warehouse */
    int jobs;                   /* as cw_pipeline_options.jobs */
} cw_rebuild_options;

typedef struct cw_rebuild_result {
    char *target;               /* where the rebuilt warehouse is (the configured one
                                 * after a replace) */
    long batches;               /* folders replayed */
    long passed_over;           /* folders the configured warehouse never loaded */
    long partial;               /* replayed batches with rejects (as their nights had) */
    const char *checkpoint;     /* the checkpoint it started from, or NULL (owned) */
} cw_rebuild_result;

/* 0 done, 1 failed (logged; the configured warehouse is unchanged and a
 * new target is removed), 2 a usage error (logged). */
int cw_rebuild(const cw_config *cfg, const cw_rebuild_options *o, cw_rebuild_result *r);
void cw_rebuild_result_free(cw_rebuild_result *r);

#endif
