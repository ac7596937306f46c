-- report_chart_aging_wip.sql - the aging-WIP chart (reports/charts.c): every
-- work item of a configured application in progress at the end of the
-- window, its status (waiting = a wait status) and its WIP age = window end
-- - start (metrics.md "Work items and flow"; the same reading of the status
-- intervals as report_wip_age.sql, without its top-N cut).
--   ?1 window from (only typed: PostgreSQL must see every parameter)
--   ?2 window to, the report instant (UTC seconds)
SELECT w.item_key, a.name AS application, t.name AS team, i.status, i.waiting,
       CAST(CAST(?2 AS BIGINT) - dw.start_at AS DOUBLE PRECISION) / 3600.0 AS age_h
  FROM derived_status_interval i
  JOIN derived_work_item dw ON dw.work_item_id = i.work_item_id
  JOIN dim_work_item w ON w.work_item_id = i.work_item_id
  JOIN dim_application a ON a.application_id = w.application_id AND a.configured = 1
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE i.category = 'in_progress'
   AND i.from_at < CAST(?2 AS BIGINT)
   AND (i.to_at IS NULL OR i.to_at >= CAST(?2 AS BIGINT))
   AND w.created_at < CAST(?2 AS BIGINT)
   AND dw.start_at IS NOT NULL AND dw.start_at <= CAST(?2 AS BIGINT)
   AND CAST(?1 AS BIGINT) <= CAST(?2 AS BIGINT)
 ORDER BY age_h DESC, w.item_key;
