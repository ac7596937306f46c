/*
 * derive.h - the derivation step of a batch: resolve, correlate, views
 * (load/warehouse.h cw_wh_resolve, transform/correlate.h, the metric views),
 * and when it can be skipped.
 *
 * The derived tables are a pure function of the facts, the configuration and
 * the rules compiled into catwalk (correlate.h).  So when a batch read no
 * record at all (every file was known, every live source empty) and neither
 * the configuration file nor the catwalk binary changed since the batch that
 * last computed them, computing them again would write the same rows: the
 * step is skipped, and a night with nothing new costs a stat of each input.
 *
 * When the batch did read records on top of derived tables so computed, the
 * step is incremental: cw_derive_begin, before the first source loads, has
 * the warehouse record every fact row the batch writes (cw_wh_track), and
 * cw_correlate_delta (transform/delta.c) re-derives what those rows can
 * change, falling back part by part to the full step where it cannot tell.
 * A batch on a new or upgraded warehouse, or after the binary or the
 * configuration changed, derives in full.
 *
 * "Changed" is decided by a fingerprint, stored with each committed batch
 * (batch.derived_by): the SHA-256 of the running executable, of the
 * configuration file's text and the schema version.  The executable rather
 * than a version string, so a rebuilt catwalk with a changed rule never
 * keeps rows the old rule made; the whole configuration rather than the
 * settings correlation reads, so no setting can be forgotten (a change to
 * any line, a comment included, costs one full derivation, never a wrong
 * row).  The configuration holds no secret (config.c refuses passwords in
 * it: they come from the environment or 0600 files).
 */
#ifndef CW_DERIVE_H
#define CW_DERIVE_H

#include "../core/config.h"
#include "../load/warehouse.h"
#include "../transform/correlate.h"

/* What cw_derive_begin found out. */
typedef struct cw_derivation {
    char *fingerprint;          /* this run's, or NULL when a part cannot be read */
    int current;                /* the derived tables were computed with it */
} cw_derivation;

/* Inside the open batch, before the first source loads: the fingerprint,
 * and the tracking of written rows when the derived tables are current.
 * Returns 0, or -1 (logged) when the batch must roll back. */
int cw_derive_begin(cw_warehouse *wh, const cw_config *cfg, cw_derivation *d);

/* After every source loaded: resolve, correlate (in full or incrementally)
 * and install the views, or keep the derived tables when nothing they
 * depend on changed (*kept = 1; stats then count the derived rows as they
 * stand).  Either way the batch records the fingerprint, and d is freed.
 * Returns 0, or -1 (logged) when the batch must roll back. */
int cw_derive(cw_warehouse *wh, const cw_config *cfg, cw_derivation *d,
              cw_correlate_stats *stats, int *kept);

/* Free d (a batch rolled back before cw_derive). */
void cw_derivation_free(cw_derivation *d);

#endif
