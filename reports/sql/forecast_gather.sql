-- forecast_gather.sql - what reports/forecast.c reads for the report model's
-- forecasts (reports/exec.h) and `catwalk forecast` prints: every open
-- release's forecast as it stood at ?2, the report's as-of instant (cw_now:
-- `--as-of` pins it; now, the last derivation's), by the rule of
-- v_forecast_made, and the P85 hit rate of v_forecast_calibration.
-- ?1 a team name, or NULL for the whole organisation (r->exec.team_slice).
-- Named statements (core/sqlset.h); portable SQL.

-- At risk first, then by P85 (no forecast last), then by release.
-- name: forecasts
SELECT release, application, team, planned_at, remaining, has_forecast, p50_at, p85_at,
       p95_at, items_by_planned_85, at_risk, critical_release, reason
  FROM v_forecast_made
 WHERE (CAST(?1 AS TEXT) IS NULL OR team = CAST(?1 AS TEXT))
   AND valid_from <= CAST(?2 AS BIGINT)
   AND (valid_until IS NULL OR valid_until > CAST(?2 AS BIGINT))
 ORDER BY at_risk DESC, CASE WHEN p85_at IS NULL THEN 1 ELSE 0 END, p85_at, release

-- Scored forecasts and how many were hits.
-- name: calibration
SELECT count(*), sum(hit)
  FROM v_forecast_calibration
 WHERE CAST(?1 AS TEXT) IS NULL OR team = CAST(?1 AS TEXT)
