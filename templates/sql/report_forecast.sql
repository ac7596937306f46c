-- report_forecast.sql - a "Forecasts" sheet of the weekly report (a [sheet]
-- of templates/weekly.report with query = sql/report_forecast.sql; the HTML
-- page and the email show the same rows from the report model,
-- reports/forecast.c): every open release's forecast (v_forecast, rule in
-- transform/forecast.h) as the last derivation made it (as_of), at-risk
-- first, then by P85 (no forecast last), then by release.  The window does not filter forecasts (they look
-- forward from as_of); ?1 and ?2 (window start and end, UTC seconds) are
-- bound for every section and only checked here.
-- Columns: release, application, team, planned_at, remaining, p50_at,
-- p85_at, p95_at (UTC day starts), items_by_planned_85, at_risk (0/1),
-- critical_dependency, reason, made_at (when the forecast was made: as_of).
SELECT release, application, team, planned_at, remaining, p50_at, p85_at, p95_at,
       items_by_planned_85, at_risk, critical_release AS critical_dependency, reason,
       as_of AS made_at
  FROM v_forecast
 WHERE CAST(?1 AS BIGINT) <= CAST(?2 AS BIGINT)
 ORDER BY at_risk DESC, CASE WHEN p85_at IS NULL THEN 1 ELSE 0 END, p85_at, release;
