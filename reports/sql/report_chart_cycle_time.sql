-- report_chart_cycle_time.sql - the points of the cycle-time scatter
-- (reports/charts.c): every work item of a configured application whose end
-- falls in the window and that has a cycle time (metrics.md "Work items and
-- flow": cycle time = end - start; an item that never started has none, one
-- that ended before it started is excluded, Decisions 10).  The chart's p50
-- and p85 lines are computed from these points in C (reports/levels.c).
--   ?1 window from   ?2 window to (UTC seconds)
SELECT w.item_key, a.name AS application, t.name AS team, dw.flow_type,
       dw.end_at AS done_at,
       CAST(dw.end_at - dw.start_at AS DOUBLE PRECISION) / 3600.0 AS cycle_time_h
  FROM derived_work_item dw
  JOIN dim_work_item w ON w.work_item_id = dw.work_item_id
  JOIN dim_application a ON a.application_id = w.application_id AND a.configured = 1
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE dw.end_at >= CAST(?1 AS BIGINT) AND dw.end_at < CAST(?2 AS BIGINT)
   AND dw.start_at IS NOT NULL AND dw.end_at >= dw.start_at
 ORDER BY dw.end_at, w.item_key;
