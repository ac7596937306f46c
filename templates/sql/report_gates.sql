-- report_gates.sql - the gates sheet: per configured application and gate
-- ([gates] status) over the report window [?1, ?2) (UTC seconds), for the
-- items ending in it: passed (ever in the gate status), the median and p85
-- hours spent in it (summed over visits; the median of n values is the mean
-- of the values at 1-based positions (n + 1) / 2 and (n + 2) / 2, integer
-- division, and p85 the value at rank ceil(85 n / 100) = (85 n + 99) / 100:
-- reports/levels.c's rule, which `catwalk flow --gates` applies), skipped
-- (ended without visiting a gate of a stakeholder the application
-- requires); and at the report instant ?2: waiting (items in the gate
-- status, as WIP is read: from_at < ?2 AND (to_at IS NULL OR to_at >= ?2))
-- and the oldest entry of those.  A row for every gate an application
-- requires, and for any other gate its items passed or wait at.
-- Columns: application, team, gate, stakeholder, passed, median_h, p85_h
-- (hours, null when none passed), skipped, waiting, oldest_waiting_at (UTC
-- seconds, null when none waits).
WITH passed AS (
    SELECT g.application_id, g.gate, g.seconds,
           ROW_NUMBER() OVER (PARTITION BY g.application_id, g.gate ORDER BY g.seconds) AS pos,
           COUNT(*) OVER (PARTITION BY g.application_id, g.gate) AS n
      FROM v_gate_time g
     WHERE g.end_at >= CAST(?1 AS BIGINT) AND g.end_at < CAST(?2 AS BIGINT)
),
passed_stats AS (
    SELECT application_id, gate, MAX(n) AS passed,
           AVG(CASE WHEN pos = (n + 1) / 2 OR pos = (n + 2) / 2
                    THEN CAST(seconds AS DOUBLE PRECISION) END) / 3600.0 AS median_h,
           MAX(CASE WHEN pos = (85 * n + 99) / 100
                    THEN CAST(seconds AS DOUBLE PRECISION) END) / 3600.0 AS p85_h
      FROM passed
     GROUP BY application_id, gate
),
skipped AS (
    SELECT application_id, gate, COUNT(*) AS skipped
      FROM v_gate_skipped
     WHERE end_at >= CAST(?1 AS BIGINT) AND end_at < CAST(?2 AS BIGINT)
     GROUP BY application_id, gate
),
waiting AS (
    SELECT w.application_id, g.status AS gate, COUNT(*) AS waiting,
           MIN(s.from_at) AS oldest_waiting_at
      FROM derived_status_interval s
      JOIN map_gate g ON lower(g.status) = lower(s.status)
      JOIN dim_work_item w ON w.work_item_id = s.work_item_id
     WHERE s.from_at < CAST(?2 AS BIGINT)
       AND (s.to_at IS NULL OR s.to_at >= CAST(?2 AS BIGINT))
       AND w.created_at < CAST(?2 AS BIGINT)
     GROUP BY w.application_id, g.status
),
gates AS (
    SELECT r.application_id, g.status AS gate FROM map_application_gate r
      JOIN map_gate g ON g.stakeholder = r.stakeholder
    UNION SELECT application_id, gate FROM passed_stats
    UNION SELECT application_id, gate FROM skipped
    UNION SELECT application_id, gate FROM waiting
)
SELECT a.name AS application, t.name AS team, k.gate, m.stakeholder,
       COALESCE(p.passed, 0) AS passed, p.median_h, p.p85_h,
       COALESCE(s.skipped, 0) AS skipped, COALESCE(w.waiting, 0) AS waiting,
       w.oldest_waiting_at
  FROM gates k
  JOIN dim_application a ON a.application_id = k.application_id
  JOIN map_gate m ON m.status = k.gate
  LEFT JOIN dim_team t ON t.team_id = a.team_id
  LEFT JOIN passed_stats p ON p.application_id = k.application_id AND p.gate = k.gate
  LEFT JOIN skipped s ON s.application_id = k.application_id AND s.gate = k.gate
  LEFT JOIN waiting w ON w.application_id = k.application_id AND w.gate = k.gate
 WHERE a.configured = 1
 ORDER BY a.name, k.gate;
