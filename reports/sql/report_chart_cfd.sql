-- report_chart_cfd.sql - the cumulative flow diagram (reports/charts.c):
-- per UTC day of the window and team, how many work items of configured
-- applications were in each state at the end of the day (instant T = the
-- next midnight; an item's state at T applies every transition strictly
-- before T, as WIP does in metrics.md: the status interval holding T has
-- from_at < T <= to_at, or is still open).  States: todo, active (in
-- progress, not a wait status), waiting (a wait status: queues and gates)
-- and done - done counting only items whose end lies in [window from, T),
-- so the done band grows from zero over the window instead of carrying the
-- whole history.  Only intervals that overlap the window are read.
--   ?1 window from   ?2 window to (UTC seconds, midnights)
WITH RECURSIVE day_grid (day_at) AS (
    SELECT CAST(?1 AS BIGINT)
    UNION ALL
    SELECT day_at + 86400 FROM day_grid WHERE day_at + 86400 < CAST(?2 AS BIGINT)
),
live AS (
    SELECT i.work_item_id, i.category, i.waiting, i.from_at, i.to_at
      FROM derived_status_interval i
     WHERE i.from_at < CAST(?2 AS BIGINT)
       AND (i.to_at IS NULL OR i.to_at > CAST(?1 AS BIGINT))
),
state_at AS (
    SELECT g.day_at, l.work_item_id,
           CASE WHEN l.category = 'in_progress' AND l.waiting = 1 THEN 'waiting'
                WHEN l.category = 'in_progress' THEN 'active'
                ELSE l.category END AS state
      FROM day_grid g
      JOIN live l ON l.from_at < g.day_at + 86400
                 AND (l.to_at IS NULL OR l.to_at >= g.day_at + 86400)
)
SELECT s.day_at, t.name AS team, s.state, COUNT(*) AS items
  FROM state_at s
  JOIN dim_work_item w ON w.work_item_id = s.work_item_id
  JOIN dim_application a ON a.application_id = w.application_id AND a.configured = 1
  LEFT JOIN dim_team t ON t.team_id = a.team_id
  JOIN derived_work_item dw ON dw.work_item_id = s.work_item_id
 WHERE w.created_at < s.day_at + 86400
   AND (s.state <> 'done'
        OR (dw.end_at >= CAST(?1 AS BIGINT) AND dw.end_at < s.day_at + 86400))
 GROUP BY s.day_at, t.name, s.state
 ORDER BY s.day_at, t.name, s.state;
