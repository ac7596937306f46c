/*
 * correlate.h - the correlation step, run inside the batch transaction after
 * the facts are loaded and applications resolved.
 *
 * It recomputes every derived table from the facts and the configuration:
 *   bridge_commit_work_item   a commit's keys (keys.c): its message, the
 *                             requests containing it, the merges that
 *                             brought it in (keysource.c); derived_commit_key
 *                             the keys whose item is not loaded
 *   bridge_deployment_commit  deployment -> commits by ancestry (graph.c),
 *                             is_baseline per repository (Decisions 7)
 *   derived_deployment        traceability and baselines
 *   derived_incident          incident -> deployment attribution (attribute.c)
 *   derived_work_item, derived_status_interval   flow (flow.c)
 *   derived_work_item.production_at   idea to production
 *   dim_status rows of origin source/guess, finding and derived_finding rows
 * Recomputing from scratch keeps the step a pure function of its inputs, so a
 * re-run of the same input leaves every row as it was; the incremental form
 * below must, and is tested to, give the same rows.
 */
#ifndef CW_CORRELATE_H
#define CW_CORRELATE_H

#include "../core/config.h"
#include "../load/db.h"

typedef struct cw_correlate_stats {
    long commits, deployments, untraceable_deployments;
    long deployed_commits, commit_links, incidents_attributed, work_items;
} cw_correlate_stats;

/* db is the warehouse connection (cw_wh_db), inside the batch transaction. */
int cw_correlate(cw_db *db, const cw_config *cfg, cw_correlate_stats *stats);

/* The same result from the derived tables as the last batch left them and
 * the rows this batch wrote: an incremental batch (pipeline/derive.h), with
 * the temporary table cw_touched filled (load/warehouse.h, cw_wh_track).
 * It re-derives what those rows can change and falls back to the full step
 * part by part where it cannot tell (delta.c).  Stats are
 * counted from the tables, as cw_correlate_counts. */
int cw_correlate_delta(cw_db *db, const cw_config *cfg, cw_correlate_stats *stats);

/* The stats as the derived tables stand, without recomputing them (a batch
 * with nothing new, pipeline/derive.h): commits, deployments and their
 * untraceable ones, deployed commits, commit links, incidents attributed,
 * work items, each counted from its table.  0, or -1 (logged). */
int cw_correlate_counts(cw_db *db, cw_correlate_stats *stats);

#endif
