-- forecast_derive.sql - the forecast step (transform/forecasts.c): what it
-- reads to feed the rule of transform/forecast.h, and how it writes
-- derived_forecast and forecast_history.  Portable SQL, one named
-- statement each (core/sqlset.h).

-- name: clear
DELETE FROM derived_forecast

-- Open releases: not released, not archived, and not the old name of a
-- renamed version (a later row has its Jira id: transform/releases.h).
-- The owning team: the release's project -> application (map_project) ->
-- team; NULL when the project maps to none.  Ordered by natural key.
-- name: open_releases
SELECT r.release_id, r.project, r.name, r.release_at, a.team_id
  FROM dim_release r
  LEFT JOIN map_project m ON m.project = r.project
  LEFT JOIN dim_application a ON a.application_id = m.application_id
 WHERE r.released = 0 AND r.archived = 0
   AND NOT EXISTS (SELECT 1 FROM dim_release n
                    WHERE n.external_id = r.external_id AND n.external_id <> ''
                      AND n.release_id > r.release_id)
 ORDER BY r.project, r.name

-- Every release's natural key parts and whether it shipped: a dependency
-- on a released version is satisfied.
-- name: all_releases
SELECT project, name, released FROM dim_release

-- Items that carry a fix version now, done or not (derived_work_item: an
-- end only when the current status is done).
-- name: carrying_items
SELECT w.work_item_id, w.project, w.fix_versions,
       CASE WHEN d.end_at IS NULL THEN 0 ELSE 1 END AS done
  FROM dim_work_item w
  LEFT JOIN derived_work_item d ON d.work_item_id = w.work_item_id
 WHERE w.fix_versions IS NOT NULL AND w.fix_versions <> ''
 ORDER BY w.work_item_id

-- Done items per team and UTC day (day = days since 1970-01-01) in
-- [?1, ?2): the throughput history (metrics.md "Forecast details").
-- name: team_days
SELECT a.team_id, d.end_at / 86400 AS day, count(*)
  FROM derived_work_item d
  JOIN dim_work_item w ON w.work_item_id = d.work_item_id
  JOIN dim_application a ON a.application_id = w.application_id
 WHERE d.end_at >= ?1 AND d.end_at < ?2 AND a.team_id IS NOT NULL
 GROUP BY a.team_id, d.end_at / 86400
 ORDER BY a.team_id, day

-- Jira blocks links between loaded items: blocker, blocked.
-- name: blocks
SELECT l.work_item_id, t.work_item_id
  FROM fact_work_item_link l
  JOIN dim_work_item t ON t.item_key = l.target_key
 WHERE l.kind = 'blocks'
 ORDER BY l.work_item_id, t.work_item_id

-- name: insert_forecast
INSERT INTO derived_forecast (release_id, as_of, remaining, has_forecast, p50_at, p85_at,
                              p95_at, items_by_planned_85, at_risk, critical_release_id, reason)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)

-- The release ?1's derived_forecast row, just written, kept in
-- forecast_history under made_at = its as_of: every row, those without a
-- forecast too (has_forecast 0: p50_at NULL), so a report as of a past
-- instant shows each release as that run saw it (v_forecast_made); the
-- calibration scores only the rows with dates.  A re-run at the same
-- instant rewrites the same row (the same values).
-- name: upsert_history
INSERT INTO forecast_history (release_id, made_at, p50_at, p85_at, p95_at, remaining,
                              items_by_planned_85, at_risk, critical_release_id, reason)
SELECT release_id, as_of, p50_at, p85_at, p95_at, remaining, items_by_planned_85, at_risk,
       critical_release_id, reason
  FROM derived_forecast
 WHERE release_id = ?1
ON CONFLICT (release_id, made_at) DO UPDATE
   SET p50_at = excluded.p50_at, p85_at = excluded.p85_at, p95_at = excluded.p95_at,
       remaining = excluded.remaining, items_by_planned_85 = excluded.items_by_planned_85,
       at_risk = excluded.at_risk, critical_release_id = excluded.critical_release_id,
       reason = excluded.reason
