-- forecast.sql - the forecast views (metrics.md "Forecast", "Forecast
-- details"; rule in transform/forecast.h, step in transform/forecasts.c).
--
-- Installed with the other view files by cw_metrics_install_views() and
-- checked by readers the same way.  These views read tables only (never a
-- view of another file).  Portable SQL (tests/unit/test_sql_portable.c).
-- Instants are UTC seconds; a forecast date (p50_at, p85_at, p95_at) is the
-- start of its UTC day.

DROP VIEW IF EXISTS v_release_burnup;
DROP VIEW IF EXISTS v_forecast_calibration;
DROP VIEW IF EXISTS v_forecast_made;
DROP VIEW IF EXISTS v_forecast;

-- One row per open release (derived_forecast): release is its natural key
-- "PROJECT NAME"; planned_at its release date (midnight UTC, NULL: none);
-- has_forecast 0 with reason when there is no forecast (no dates);
-- items_by_planned_85: items done by the planned date in 85 % of the
-- trials; critical_release: the dependency that drives its P85 (or, at
-- risk through a late dependency, that one); days_late_p85: whole days
-- from the planned date to P85 (negative: early; NULL without either).
CREATE VIEW v_forecast AS
SELECT f.release_id, r.project || ' ' || r.name AS release, r.project, r.name,
       a.name AS application, t.name AS team, f.as_of, r.release_at AS planned_at,
       f.remaining, f.has_forecast, f.p50_at, f.p85_at, f.p95_at, f.items_by_planned_85,
       f.at_risk, c.project || ' ' || c.name AS critical_release,
       (f.p85_at - r.release_at) / 86400 AS days_late_p85, f.reason
  FROM derived_forecast f
  JOIN dim_release r ON r.release_id = f.release_id
  LEFT JOIN map_project m ON m.project = r.project
  LEFT JOIN dim_application a ON a.application_id = m.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
  LEFT JOIN dim_release c ON c.release_id = f.critical_release_id;

-- Every forecast made, for a report as of an instant T (`report weekly
-- --as-of`; T = now otherwise): the columns of v_forecast (as_of: when the
-- forecast was made) and critical_release_id, for the last derivation's
-- forecasts (derived_forecast) and each earlier run's (forecast_history,
-- which keeps every derived row since schema version 6; older rows have
-- dates only), each with the span it stood for: valid_from, the instant it
-- was made, to valid_until, the next run's instant (exclusive; NULL: it is
-- the last derivation's).  THE FORECASTS AS OF T, the one rule every
-- reader uses (the Forecasts sheet, the report model, the digest's
-- "release at risk"):
--     valid_from <= T AND (valid_until IS NULL OR valid_until > T)
-- which for T = now gives exactly derived_forecast's rows.  A history row
-- of the run derived_forecast holds is that row (left out); a release a
-- later run did not forecast (shipped, archived) stops at that run, the
-- last derivation's included (valid_until = its as_of).  Every run writes
-- at least its open releases' rows, so "the next run" is the next made_at
-- of any release (a run with no open release writes nothing: the rows
-- before it stand until the next one that does).  valid_until is the
-- earlier of the next history instant (one seek of ix_forecast_history_
-- made_at per row, so the view costs O(rows log rows), never rows squared)
-- and the last derivation's instant when that is not before the row (one
-- derivation has one as_of: MIN over derived_forecast, read once).
CREATE VIEW v_forecast_made AS
SELECT f.release_id, r.project || ' ' || r.name AS release, r.project, r.name,
       a.name AS application, t.name AS team, f.as_of, r.release_at AS planned_at,
       f.remaining, f.has_forecast, f.p50_at, f.p85_at, f.p95_at, f.items_by_planned_85,
       f.at_risk, c.project || ' ' || c.name AS critical_release, f.critical_release_id,
       (f.p85_at - r.release_at) / 86400 AS days_late_p85, f.reason, f.valid_from,
       f.valid_until
  FROM (SELECT d.release_id, d.as_of, d.remaining, d.has_forecast, d.p50_at, d.p85_at,
               d.p95_at, d.items_by_planned_85, d.at_risk, d.critical_release_id, d.reason,
               d.as_of AS valid_from, CAST(NULL AS BIGINT) AS valid_until
          FROM derived_forecast d
        UNION ALL
        SELECT hn.release_id, hn.made_at, hn.remaining,
               CASE WHEN hn.p50_at IS NULL THEN 0 ELSE 1 END, hn.p50_at, hn.p85_at, hn.p95_at,
               hn.items_by_planned_85, COALESCE(hn.at_risk, 0), hn.critical_release_id,
               hn.reason, hn.made_at,
               CASE WHEN dd.at IS NULL OR dd.at < hn.made_at THEN hn.next_at
                    WHEN hn.next_at IS NULL OR dd.at < hn.next_at THEN dd.at
                    ELSE hn.next_at END
          FROM (SELECT h.*,
                       (SELECT MIN(x.made_at) FROM forecast_history x
                         WHERE x.made_at > h.made_at) AS next_at
                  FROM forecast_history h
                 WHERE NOT EXISTS (SELECT 1 FROM derived_forecast e
                                    WHERE e.release_id = h.release_id
                                      AND e.as_of <= h.made_at)) hn
         CROSS JOIN (SELECT MIN(as_of) AS at FROM derived_forecast) dd) f
  JOIN dim_release r ON r.release_id = f.release_id
  LEFT JOIN map_project m ON m.project = r.project
  LEFT JOIN dim_application a ON a.application_id = m.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
  LEFT JOIN dim_release c ON c.release_id = f.critical_release_id;

-- Calibration (metrics.md "Forecast details"): one row per stored forecast
-- scored.  A release has shipped when dim_release says released and its
-- release instant is known (derived_release: the last second of its
-- release date, else the last deployment of its items; a release with no
-- date at all has no derived_release row and is not scored).  A forecast
-- is scored when it was made at least 7 days before that instant; hit = 1
-- when the release shipped on or before its P85 day (shipped_at before the
-- end of the P85 day).  The hit rate is avg(hit).  Only forecasts with
-- dates are scored (history keeps the rows without, p85_at NULL, too).
CREATE VIEW v_forecast_calibration AS
SELECT h.release_id, r.project || ' ' || r.name AS release, t.name AS team, h.made_at,
       h.p50_at, h.p85_at, h.p95_at, d.release_instant AS shipped_at,
       CASE WHEN d.release_instant < h.p85_at + 86400 THEN 1 ELSE 0 END AS hit
  FROM forecast_history h
  JOIN dim_release r ON r.release_id = h.release_id
  JOIN derived_release d ON d.release_id = h.release_id
  LEFT JOIN map_project m ON m.project = r.project
  LEFT JOIN dim_application a ON a.application_id = m.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE r.released = 1 AND d.release_instant IS NOT NULL
   AND h.p85_at IS NOT NULL
   AND h.made_at <= d.release_instant - 7 * 86400;

-- Burn-up of each release with a planned date (derived_release_item, rule
-- in transform/scope.h): one row per release and UTC day (day = the day's
-- start) of dim_date (every day a fact touches) from the day its first
-- item was created; for a shipped release up to its release instant.
-- scope = its items on that day: those that carry it now (shipped: carried
-- it at the release instant; planned and not removed, or added) and were
-- created by the day's end; done = those of them whose flow end
-- (derived_work_item, the current done streak) is before the day's end.
-- The scope follows today's assignments: an item added late counts from
-- its creation (v_release_items has the history, class by class).
CREATE VIEW v_release_burnup AS
SELECT i.release_id, r.project || ' ' || r.name AS release, dd.date_key * 86400 AS day,
       count(*) AS scope,
       sum(CASE WHEN dw.end_at < (dd.date_key + 1) * 86400 THEN 1 ELSE 0 END) AS done
  FROM derived_release_item i
  JOIN derived_release d ON d.release_id = i.release_id
  JOIN dim_release r ON r.release_id = i.release_id
  JOIN dim_work_item w ON w.work_item_id = i.work_item_id
  LEFT JOIN derived_work_item dw ON dw.work_item_id = i.work_item_id
  JOIN dim_date dd ON (dd.date_key + 1) * 86400 > w.created_at
                  AND (r.released = 0 OR d.release_instant IS NULL
                       OR dd.date_key * 86400 <= d.release_instant)
 WHERE i.added = 1 OR (i.planned = 1 AND i.removed = 0)
 GROUP BY i.release_id, r.project, r.name, dd.date_key;
