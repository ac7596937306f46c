-- report_chart_cfd.sql - the cumulative flow diagram (reports/charts.c):
-- how many work items of configured applications were in each state at the
-- end of each UTC day of the window, per team, as CHANGES from the day
-- before: the chart adds them up day by day.  An item's state at the end of
-- day k (instant T = ?1 + (k + 1) * 86400) applies every transition strictly
-- before T, as WIP does in metrics.md: the status interval holding T has
-- from_at < T <= to_at, or is still open.  So an interval counts from day
-- first_day = floor((from_at - ?1) / 86400) (0 if it began before the
-- window) up to, not including, end_day = floor((to_at - ?1) / 86400): +1
-- on its first day, -1 on its end day - one row per interval, not one per
-- interval and day.  States: todo, active (in progress, not a wait status),
-- waiting (a wait status: queues and gates) and done, counting only items
-- whose end lies in the window and before T (the done band grows from zero
-- instead of carrying the whole history; an item done, reopened and done
-- again is done from its end, the start of its current done streak: a done
-- interval counts from the later of its from_at and the item's end).
--   ?1 window from   ?2 window to (UTC seconds, midnights)
WITH intervals AS (
    SELECT i.work_item_id,
           CASE WHEN i.category = 'in_progress' AND i.waiting = 1 THEN 'waiting'
                WHEN i.category = 'in_progress' THEN 'active'
                ELSE i.category END AS state,
           CASE WHEN i.category = 'done' AND dw.end_at > i.from_at THEN dw.end_at
                ELSE i.from_at END AS from_at,
           i.to_at
      FROM derived_status_interval i
      JOIN derived_work_item dw ON dw.work_item_id = i.work_item_id
     WHERE i.from_at < CAST(?2 AS BIGINT)
       AND (i.to_at IS NULL OR i.to_at > CAST(?1 AS BIGINT))
       AND (i.category <> 'done' OR dw.end_at >= CAST(?1 AS BIGINT))
),
live AS (
    SELECT work_item_id, state,
           CASE WHEN from_at < CAST(?1 AS BIGINT) THEN 0
                ELSE (from_at - CAST(?1 AS BIGINT)) / 86400 END AS first_day,
           CASE WHEN to_at IS NULL THEN NULL
                ELSE (to_at - CAST(?1 AS BIGINT)) / 86400 END AS end_day
      FROM intervals
     WHERE from_at < CAST(?2 AS BIGINT) AND (to_at IS NULL OR from_at < to_at)
),
events AS (
    SELECT first_day AS day, work_item_id, state, 1 AS delta FROM live
    UNION ALL
    SELECT end_day, work_item_id, state, -1 FROM live
     WHERE end_day IS NOT NULL
       AND end_day < (CAST(?2 AS BIGINT) - CAST(?1 AS BIGINT)) / 86400
)
SELECT CAST(?1 AS BIGINT) + e.day * 86400 AS day_at, t.name AS team, e.state,
       SUM(e.delta) AS items_change
  FROM events e
  JOIN dim_work_item w ON w.work_item_id = e.work_item_id
  JOIN dim_application a ON a.application_id = w.application_id AND a.configured = 1
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 GROUP BY e.day, t.name, e.state
HAVING SUM(e.delta) <> 0
 ORDER BY e.day, t.name, e.state;
