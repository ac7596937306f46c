-- flow_gates.sql - what `catwalk flow --gates` aggregates
-- (reports/valuestream.c), for configured applications, as rows of
-- (kind, application, team, gate, stakeholder, at, seconds):
--   passed    an item ending in [?1, ?2) that was ever in the gate status
--             (v_gate_time): at = its end, seconds = its time there summed
--             over visits
--   skipped   an item ending in [?1, ?2) that never visited a gate of a
--             stakeholder its application requires (v_gate_skipped)
--   waiting   an item in the gate status at the report instant ?2: the
--             interval holding it (from_at < ?2 AND (to_at IS NULL OR
--             to_at >= ?2), as WIP is read); at = when it entered
--   required  an application that requires the gate's stakeholder (so its
--             rows appear when nothing happened)
SELECT 'passed', a.name, t.name, g.gate, g.stakeholder, g.end_at, g.seconds
  FROM v_gate_time g
  JOIN dim_application a ON a.application_id = g.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE a.configured = 1
   AND g.end_at >= CAST(?1 AS BIGINT) AND g.end_at < CAST(?2 AS BIGINT)
UNION ALL
SELECT 'skipped', a.name, t.name, k.gate, k.stakeholder, k.end_at, CAST(NULL AS BIGINT)
  FROM v_gate_skipped k
  JOIN dim_application a ON a.application_id = k.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE a.configured = 1
   AND k.end_at >= CAST(?1 AS BIGINT) AND k.end_at < CAST(?2 AS BIGINT)
UNION ALL
SELECT 'waiting', a.name, t.name, g.status, g.stakeholder, s.from_at, CAST(NULL AS BIGINT)
  FROM derived_status_interval s
  JOIN map_gate g ON lower(g.status) = lower(s.status)
  JOIN dim_work_item w ON w.work_item_id = s.work_item_id
  JOIN dim_application a ON a.application_id = w.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE a.configured = 1 AND s.from_at < CAST(?2 AS BIGINT)
   AND (s.to_at IS NULL OR s.to_at >= CAST(?2 AS BIGINT))
   AND w.created_at < CAST(?2 AS BIGINT)
UNION ALL
SELECT 'required', a.name, t.name, g.status, g.stakeholder, CAST(NULL AS BIGINT),
       CAST(NULL AS BIGINT)
  FROM map_application_gate r
  JOIN map_gate g ON g.stakeholder = r.stakeholder
  JOIN dim_application a ON a.application_id = r.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE a.configured = 1;
