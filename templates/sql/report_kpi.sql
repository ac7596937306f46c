-- report_kpi.sql - the business KPIs of the report window, per week, to
-- show beside the delivery metrics (the KPI sheet): one row per
-- application, KPI and ISO week starting in [?1, ?2) (UTC seconds).
-- Columns: application, team, kpi (its name), week (the Monday,
-- YYYY-MM-DD), samples (values that week), value_sum and value_avg (the
-- KPI's own unit: sum for a revenue, average for a score such as NPS).
SELECT application, team, name AS kpi, period_start AS week, samples, value_sum, value_avg
  FROM v_kpi
 WHERE period = 'week'
   AND period_start_at >= CAST(?1 AS BIGINT) AND period_start_at < CAST(?2 AS BIGINT)
 ORDER BY application, kpi, week;
