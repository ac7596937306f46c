-- report_value_stream.sql - the value stream map sheet: per configured
-- application, over the report window [?1, ?2) (UTC seconds, by the items'
-- end), the time its ended items spent in each status between their start
-- and end (v_status_time), one stacked horizontal bar per application with
-- a segment per status, active or waiting.
-- Columns: application, team, status, category, is_wait (1: a [status] wait
-- status), is_gate (1: a [gates] status), is_waiting (1 when is_wait or
-- is_gate: a waiting segment of the bar, else an active one), items (ended
-- items that spent time in it), total_h (hours, summed over those items and
-- their visits).  As a report section (reports/section.c): a stacked bar
-- with category application, series status, value total_h, flag is_waiting.
-- Rows by application, then category (todo, in_progress, done), then status.
SELECT a.name AS application, t.name AS team, s.status, MAX(s.category) AS category,
       MAX(s.is_wait) AS is_wait, MAX(s.is_gate) AS is_gate,
       CASE WHEN MAX(s.is_wait) = 1 OR MAX(s.is_gate) = 1 THEN 1 ELSE 0 END AS is_waiting,
       COUNT(*) AS items,
       CAST(SUM(s.seconds) AS DOUBLE PRECISION) / 3600.0 AS total_h
  FROM v_status_time s
  JOIN dim_application a ON a.application_id = s.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE a.configured = 1
   AND s.end_at >= CAST(?1 AS BIGINT) AND s.end_at < CAST(?2 AS BIGINT)
 GROUP BY a.name, t.name, s.status
 ORDER BY a.name,
          CASE MAX(s.category) WHEN 'todo' THEN 0 WHEN 'in_progress' THEN 1 ELSE 2 END,
          s.status;
