-- quality.sql - the data-quality views (metrics.md "Data-quality findings"):
-- every finding, one row per subject, and the samples each figure rests on.
--
-- Installed with views.sql by cw_metrics_install_views() at every
-- derivation, full or incremental (pipeline/derive.c), and read by
-- `catwalk check --data` (templates/sql/report_quality.sql,
-- report_coverage.sql).  Views rather than a derived table: a finding is a
-- pure function of the facts, the derived tables and the loader's `finding`
-- rows, so a view can never disagree with them, costs nothing at a
-- derivation, and needs no second code path for the incremental one.  The
-- parts that need C (a regex over commit messages, the walk) are read from
-- the tables the correlation writes (derived_commit_key, derived_deployment,
-- bridge_deployment_commit, derived_finding).
-- Portable SQL (tests/unit/test_sql_portable.c).

DROP VIEW IF EXISTS v_coverage;
DROP VIEW IF EXISTS v_data_quality_finding;

-- One row per finding: kind, subject (a natural key: item key, status name,
-- sha, job#number, incident id, source name), at (the instant it concerns,
-- NULL when it has none: such a finding belongs to every window), metric
-- (the output fields it affects, comma-separated) and detail.  The kinds,
-- in metrics.md's order:
--   done_without_start               a done item that never entered in_progress
--   transition_after_done            an item reopened or relabelled while done
--   backward_move                    in_progress -> todo
--   status_missing_from_mapping      no configured and no source category (Decisions 6)
--   changelog_truncated              fewer histories than the source's total
--   referenced_item_not_loaded       a known-project key whose item is not loaded
--   untraceable_deployment           a production deployment whose revision is not in git
--   commit_authored_after_deployment authored after the deployment that first shipped it
--   incident_resolved_before_created (Decisions 10)
--   item_ended_before_started        (Decisions 10)
--   incident_unmapped_service        an incident no application claims
--   source_no_records                a source that gave no record (loader)
-- The loader's and the correlation's other kinds (table finding: text_not_utf8,
-- status_from_source, status_category_conflict, git_no_ancestry, ...) and
-- every kind a derivation step writes to derived_finding (a key of an
-- unknown project, a parent cycle, ...) follow as they are; a kind computed
-- here is taken from here only, whoever else records it.
CREATE VIEW v_data_quality_finding AS
SELECT 'done_without_start' AS kind, w.item_key AS subject, f.end_at AS at,
       'cycle_time, flow_efficiency' AS metric,
       'done without ever entering an in_progress status: no cycle time (counts in throughput)'
           AS detail
  FROM derived_work_item f
  JOIN dim_work_item w ON w.work_item_id = f.work_item_id
 WHERE f.category = 'done' AND f.start_at IS NULL
UNION ALL
SELECT 'transition_after_done', w.item_key, MIN(s.to_at), 'cycle_time, throughput',
       'left or changed a done status (reopened or relabelled while done)'
  FROM derived_status_interval s
  JOIN dim_work_item w ON w.work_item_id = s.work_item_id
 WHERE s.category = 'done' AND s.to_at IS NOT NULL
 GROUP BY w.item_key
UNION ALL
SELECT 'backward_move', w.item_key, MIN(n.from_at), 'cycle_time, wip',
       'moved back from in_progress to todo'
  FROM derived_status_interval s
  JOIN derived_status_interval n ON n.work_item_id = s.work_item_id AND n.seq = s.seq + 1
  JOIN dim_work_item w ON w.work_item_id = s.work_item_id
 WHERE s.category = 'in_progress' AND n.category = 'todo'
 GROUP BY w.item_key
UNION ALL
SELECT 'status_missing_from_mapping', s.name, CAST(NULL AS BIGINT),
       'wip, cycle_time, flow_efficiency',
       'no configured and no source category: counted as ' || s.category
  FROM dim_status s
 WHERE s.origin = 'guess'
UNION ALL
SELECT 'changelog_truncated', w.item_key, CAST(NULL AS BIGINT), 'cycle_time, wip, flow_efficiency',
       'the source returned fewer histories than its total'
  FROM dim_work_item w
 WHERE w.changelog_truncated = 1
UNION ALL
SELECT 'referenced_item_not_loaded', k.item_key, MIN(c.authored_at),
       'idea_to_production',
       'named by ' || CAST(COUNT(*) AS TEXT) || ' commit(s); its project is known but the item is not loaded'
  FROM derived_commit_key k
  JOIN fact_commit c ON c.commit_id = k.commit_id
 WHERE NOT EXISTS (SELECT 1 FROM dim_work_item w WHERE w.item_key = k.item_key)
 GROUP BY k.item_key
UNION ALL
SELECT 'untraceable_deployment', b.job || '#' || CAST(b.number AS TEXT), d.finished_at,
       'lead_time, traceability',
       CASE WHEN d.revision IS NULL OR d.revision = '' THEN 'no revision recorded'
            ELSE 'revision ' || d.revision || ' is not in the commit graph' END
  FROM derived_deployment dd
  JOIN fact_deployment d ON d.deployment_id = dd.deployment_id
  JOIN fact_build b ON b.build_id = d.build_id
 WHERE dd.traceable = 0
UNION ALL
SELECT 'commit_authored_after_deployment', c.sha, MIN(d.finished_at), 'lead_time',
       'authored after the deployment that first shipped it: no lead time'
  FROM bridge_deployment_commit x
  JOIN fact_deployment d ON d.deployment_id = x.deployment_id
  JOIN fact_commit c ON c.commit_id = x.commit_id
 WHERE x.is_baseline = 0 AND x.is_merge = 0 AND x.lead_time_s IS NULL
   AND c.authored_at > d.finished_at
 GROUP BY c.sha
UNION ALL
SELECT 'incident_resolved_before_created', i.external_id, i.created_at, 'restore',
       'resolved before it was created: no time to restore'
  FROM fact_incident i
 WHERE i.resolved_at < i.created_at
UNION ALL
SELECT 'item_ended_before_started', w.item_key, f.end_at, 'cycle_time',
       'ended before it started: no cycle time'
  FROM derived_work_item f
  JOIN dim_work_item w ON w.work_item_id = f.work_item_id
 WHERE f.end_at < f.start_at
UNION ALL
SELECT 'incident_unmapped_service', i.external_id, i.created_at,
       'incidents, change_failure_rate, restore',
       'service ' || COALESCE(i.service, '(none)') || ' maps to no application'
  FROM fact_incident i
 WHERE i.application_id = 0
UNION ALL
SELECT g.kind, g.subject, CAST(NULL AS BIGINT),
       CASE g.kind
            WHEN 'source_no_records' THEN 'every metric of the source'
            WHEN 'git_no_ancestry' THEN 'lead_time, traceability'
            WHEN 'incident_resolved_before_deployment' THEN 'recovery'
            WHEN 'item_ended_before_created' THEN 'lead_time_item'
            WHEN 'work_item_no_status' THEN 'throughput, wip, cycle_time'
            WHEN 'status_from_source' THEN 'wip, cycle_time, flow_efficiency'
            WHEN 'status_category_conflict' THEN 'wip, cycle_time, flow_efficiency'
            WHEN 'text_not_utf8' THEN 'none (text only)'
            ELSE 'unknown' END,
       g.detail
  FROM finding g
 WHERE g.kind NOT IN ('changelog_truncated', 'status_guessed', 'untraceable_deployment',
                      'commit_authored_after_deployment', 'incident_resolved_before_created',
                      'item_ended_before_started')
UNION ALL
SELECT g.kind, g.subject, CAST(NULL AS BIGINT), g.metric, g.detail
  FROM derived_finding g
 WHERE g.kind NOT IN ('done_without_start', 'transition_after_done', 'backward_move',
                      'status_missing_from_mapping', 'changelog_truncated',
                      'referenced_item_not_loaded', 'untraceable_deployment',
                      'commit_authored_after_deployment', 'incident_resolved_before_created',
                      'item_ended_before_started', 'incident_unmapped_service',
                      'source_no_records');

-- Coverage: one row per member of a figure's base, with sample = 1 when it
-- is one of the figure's samples, so "lead time from 1,104 of 1,131 deployed
-- commits" is SUM(sample) of COUNT(*) over a window and a scope
-- (report_coverage.sql).  Configured applications only (Decisions 9).
--   metric              base (at)                                   sample
--   lead_time           deployed non-merge commits of non-baseline  has a lead time
--                       deployments (the deployment's finished_at)
--   traceability        the same commits                            names a known key
--   restore             incidents resolved (resolved_at)            resolved after created
--   cycle_time          items done (end_at)                         has a cycle time
--   idea_to_production  items in production (production_at)        in production after created
CREATE VIEW v_coverage AS
SELECT 'lead_time' AS metric, d.application_id, a.name AS application, t.name AS team,
       d.finished_at AS at,
       CASE WHEN x.lead_time_s >= 0 THEN 1 ELSE 0 END AS sample
  FROM bridge_deployment_commit x
  JOIN derived_deployment dd ON dd.deployment_id = x.deployment_id
  JOIN fact_deployment d ON d.deployment_id = x.deployment_id
  JOIN dim_application a ON a.application_id = d.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE x.is_merge = 0 AND x.is_baseline = 0
UNION ALL
SELECT 'traceability', d.application_id, a.name, t.name, d.finished_at,
       CASE WHEN EXISTS (SELECT 1 FROM bridge_commit_work_item k WHERE k.commit_id = x.commit_id)
              OR EXISTS (SELECT 1 FROM derived_commit_key k WHERE k.commit_id = x.commit_id)
            THEN 1 ELSE 0 END
  FROM bridge_deployment_commit x
  JOIN derived_deployment dd ON dd.deployment_id = x.deployment_id
  JOIN fact_deployment d ON d.deployment_id = x.deployment_id
  JOIN dim_application a ON a.application_id = d.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE x.is_merge = 0 AND x.is_baseline = 0
UNION ALL
SELECT 'restore', i.application_id, a.name, t.name, i.resolved_at,
       CASE WHEN i.resolved_at >= i.created_at THEN 1 ELSE 0 END
  FROM fact_incident i
  JOIN dim_application a ON a.application_id = i.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE i.resolved_at IS NOT NULL
UNION ALL
SELECT 'cycle_time', w.application_id, a.name, t.name, f.end_at,
       CASE WHEN f.end_at >= f.start_at THEN 1 ELSE 0 END
  FROM derived_work_item f
  JOIN dim_work_item w ON w.work_item_id = f.work_item_id
  JOIN dim_application a ON a.application_id = w.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE f.end_at IS NOT NULL
UNION ALL
SELECT 'idea_to_production', w.application_id, a.name, t.name, f.production_at,
       CASE WHEN f.production_at >= w.created_at THEN 1 ELSE 0 END
  FROM derived_work_item f
  JOIN dim_work_item w ON w.work_item_id = f.work_item_id
  JOIN dim_application a ON a.application_id = w.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 WHERE f.production_at IS NOT NULL;
