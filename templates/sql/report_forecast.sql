-- report_forecast.sql - a "Forecasts" sheet of the weekly report (a [sheet]
-- of templates/weekly.report with query = sql/report_forecast.sql; the HTML
-- page and the email show the same rows from the report model,
-- reports/forecast.c): every open release's forecast (rule in
-- transform/forecast.h) as it stood at ?3, the report's as-of instant
-- (`--as-of`; now otherwise: the last derivation's), by the rule of
-- v_forecast_made; at-risk first, then by P85 (no forecast last), then by
-- release.  The window does not filter forecasts (they look forward from
-- when they were made); ?1 and ?2 (window start and end, UTC seconds) are
-- bound for every section and only checked here.
-- Columns: release, application, team, planned_at, remaining, p50_at,
-- p85_at, p95_at (UTC day starts), items_by_planned_85, at_risk (0/1),
-- critical_dependency, reason, made_at (when the forecast was made).
SELECT release, application, team, planned_at, remaining, p50_at, p85_at, p95_at,
       items_by_planned_85, at_risk, critical_release AS critical_dependency, reason,
       as_of AS made_at
  FROM v_forecast_made
 WHERE valid_from <= CAST(?3 AS BIGINT)
   AND (valid_until IS NULL OR valid_until > CAST(?3 AS BIGINT))
   AND CAST(?1 AS BIGINT) <= CAST(?2 AS BIGINT)
 ORDER BY at_risk DESC, CASE WHEN p85_at IS NULL THEN 1 ELSE 0 END, p85_at, release;
