-- exceptions_flow.sql - the work-item candidates of the exceptions digest
-- (reports/exceptions.h: aging_wip, gate_wait) at an instant T.
--
-- Parameters: ?1 T (UTC seconds); the baselines also ?2, T - 90 days, the
-- start of their history.  Baselines are the samples behind a p85,
-- one row each (group, seconds): the percentile is computed in C by
-- cw_percentile (reports/levels.c), the one place it is defined.  Only
-- configured applications take part.

-- Cycle times of the items ending in [?2, ?1), per application: the
-- definition of cycle time is v_flow_items' (reports/sql/views.sql).
-- name: aging_wip_baseline
SELECT a.name, v.cycle_s
  FROM v_flow_items v
  JOIN dim_application a ON a.application_id = v.application_id
 WHERE a.configured = 1 AND v.cycle_s IS NOT NULL
   AND v.end_at >= CAST(?2 AS BIGINT) AND v.end_at < CAST(?1 AS BIGINT);

-- Items in progress at T, as report_wip_age.sql reads them: the status
-- interval holding T (every transition strictly before T applied: from_at <
-- T <= to_at, or still open) is in_progress, the item was created before T
-- and started by then.  Columns: item key, application, team, assignee,
-- the item's source (its URL), current status, start.
-- name: aging_wip_candidates
SELECT w.item_key, a.name, t.name, w.assignee, src.name, i.status, dw.start_at
  FROM (SELECT work_item_id, status, from_at FROM derived_status_interval
         WHERE category = 'in_progress' AND to_at IS NULL
        UNION ALL
        SELECT work_item_id, status, from_at FROM derived_status_interval
         WHERE category = 'in_progress' AND to_at >= CAST(?1 AS BIGINT)) i
  JOIN derived_work_item dw ON dw.work_item_id = i.work_item_id
  JOIN dim_work_item w ON w.work_item_id = i.work_item_id
  JOIN dim_application a ON a.application_id = w.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
  LEFT JOIN dim_source src ON src.source_id = w.source_id
  LEFT JOIN derived_hierarchy h ON h.work_item_id = w.work_item_id
 WHERE a.configured = 1 AND i.from_at < CAST(?1 AS BIGINT)
   AND w.created_at < CAST(?1 AS BIGINT) AND COALESCE(h.is_epic, 0) = 0
   AND dw.start_at IS NOT NULL AND dw.start_at <= CAST(?1 AS BIGINT);

-- Time in each gate of the items ending in [?2, ?1) (v_gate_time: summed
-- over visits, metrics.md "Gates"), per gate status.
-- name: gate_wait_baseline
SELECT g.gate, g.seconds
  FROM v_gate_time g
  JOIN dim_application a ON a.application_id = g.application_id
 WHERE a.configured = 1
   AND g.end_at >= CAST(?2 AS BIGINT) AND g.end_at < CAST(?1 AS BIGINT);

-- Items in a gate status at T (the interval holding T, as flow_gates.sql's
-- `waiting` reads it) while in progress (a gate is a wait status, [status]
-- in_progress or wait): item key, application, team, assignee, source, the
-- gate status as configured, its stakeholder, when the item entered it.
-- The intervals holding T are read as report_wip_age.sql reads them: two
-- ranges of the partial index ix_interval_in_progress, not every interval.
-- name: gate_wait_candidates
SELECT w.item_key, a.name, t.name, w.assignee, src.name, g.status, g.stakeholder, s.from_at
  FROM (SELECT work_item_id, status, from_at FROM derived_status_interval
         WHERE category = 'in_progress' AND to_at IS NULL
        UNION ALL
        SELECT work_item_id, status, from_at FROM derived_status_interval
         WHERE category = 'in_progress' AND to_at >= CAST(?1 AS BIGINT)) s
  JOIN map_gate g ON lower(g.status) = lower(s.status)
  JOIN dim_work_item w ON w.work_item_id = s.work_item_id
  JOIN dim_application a ON a.application_id = w.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
  LEFT JOIN dim_source src ON src.source_id = w.source_id
 WHERE a.configured = 1 AND s.from_at < CAST(?1 AS BIGINT)
   AND w.created_at < CAST(?1 AS BIGINT);
