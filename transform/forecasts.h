/*
 * forecasts.h - the forecast step of a derivation: derived_forecast and
 * forecast_history from the open releases, their items, the owning teams'
 * throughput and the dependencies, by the rule of transform/forecast.h.
 *
 * Run at every derivation, full or incremental (pipeline/derive.c), after
 * the flow (derived_work_item) and the release scope: it recomputes
 * derived_forecast in full (O(items + trials x releases)) and upserts this
 * run's rows, whole and with or without a forecast (a report as of a past
 * instant reads them: v_forecast_made), into forecast_history under
 * made_at = as_of, the UTC day
 * the run's instant falls in (cw_now() floored), so every run of a day on
 * the same input writes the same rows: a re-run changes nothing.  A batch that
 * reads nothing keeps the derived tables (pipeline/derive.h), forecasts
 * included: their as_of says when they were made.
 *
 * What it reads:
 *   - open releases: dim_release not released, not archived, not the old
 *     name of a renamed version; natural key "PROJECT NAME" (the project
 *     key, one space, the version name: `[release "MOBILE 5.2"]`);
 *   - remaining: items whose current fix versions (releases.h
 *     cw_fix_version_next, names of their own project's versions) include
 *     the release and that are not done (no end in derived_work_item);
 *   - planned date: dim_release.release_at (Jira's release date, midnight
 *     UTC): the planned day;
 *   - owning team: release project -> map_project -> application -> team;
 *   - history: the team's done items (derived_work_item.end_at, items of
 *     its applications) per UTC day over the [forecast] history_days
 *     complete days before as_of's day (as_of = cw_now() floored to its UTC
 *     day is the first simulated day);
 *   - dependencies: `[release KEY] depends_on` keys, and Jira blocks links
 *     (fact_work_item_link kind 'blocks', the blocker's side): a blocked
 *     item's open releases depend on each open release of its blocker that
 *     is not one of them.  A dependency on a released version is met and
 *     dropped; a key naming no release is logged (warning) and dropped.
 *     Dependencies are tie-broken by natural key (bytewise).
 * A dependency cycle (possible through links, or a configuration that
 * `catwalk check` did not see) is logged with its path, and its releases
 * get no forecast with the cycle as reason; the run goes on.
 *
 * derived_forecast.reason: why a release has no forecast, else why it is
 * at risk (its P85 against the planned date, the late dependency), else
 * NULL.  critical_release_id: the critical dependency of forecast.h, or
 * for a release at risk through a dependency when it has none, that late
 * dependency.
 */
#ifndef CW_FORECASTS_H
#define CW_FORECASTS_H

#include <stdint.h>
#include "../core/config.h"
#include "../load/db.h"

/* Inside the open batch.  cfg may be NULL (the [forecast] defaults, no
 * configured dependency).  0, or -1 (logged). */
int cw_forecasts_derive(cw_db *db, const cw_config *cfg, int64_t as_of);

#endif
