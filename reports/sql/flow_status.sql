-- flow_status.sql - the time-in-status samples of `catwalk flow --by status`
-- (reports/valuestream.c): one row per ended item and status of
-- v_status_time, for configured applications, the item's end in [?1, ?2)
-- (UTC seconds).  valuestream.c puts each into its scope member and period
-- and computes items, total, median and p85 (reports/levels.c's rule).
-- Columns: application, team, end_at, status, category, is_wait, is_gate,
-- seconds (the item's time in the status between its start and end).
SELECT a.name, t.name, s.end_at, s.status, s.category, s.is_wait, s.is_gate, s.seconds
  FROM v_status_time s
  JOIN dim_application a ON a.application_id = s.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE a.configured = 1
   AND s.end_at >= CAST(?1 AS BIGINT) AND s.end_at < CAST(?2 AS BIGINT);
