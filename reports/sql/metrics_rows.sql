-- metrics_rows.sql - everything the metric rows of one scope and a list of
-- periods need, in one statement (so it reads one snapshot of the warehouse
-- on either engine, and nothing is written: a read-only connection runs it).
--
-- Parameters: ?1 the scope ('application', 'team', 'organisation' or 'all'); ?2 ?3
-- the window [lo, hi) the periods span; then each period's [start, end) in
-- UTC seconds, ?4 ?5 for the first.  The file holds the row of the first
-- period; reports/metrics.c repeats it for every further period (period_id 1
-- with ?6 ?7, and so on), so the text here runs as it stands for a
-- one-period grid (with ?2 ?3 equal to ?4 ?5).
--
-- Every fact is read through a sargable range on the instant its period is
-- taken from (finished_at >= ?2 AND finished_at < ?3, never an expression on
-- the column), which the indexes of load/sql/schema.sql serve: a grid reads
-- the rows of its window, not the whole history.  The facts come first and
-- the day grid after (CROSS JOIN fixes that order on SQLite, which would
-- otherwise put the grid outermost and read the facts once per day; other
-- engines read it as an inner join).

-- The result, in no particular order (sorting it would cost more than
-- placing it; the members' order is member_ord):
--   the counts row of every (member, period) of the grid, period_id >= 0,
--     metric = '': its name and team, then every count and sum (zeros where
--     nothing happened) and the change failure rate (views.sql's rule);
--     flow_efficiency and traceability are divided in C from the sums so an
--     empty base gives null, not 0; then the member's kind, and last how
--     many of its applications have a deployment mapping (Decisions 3);
--   which applications make up each member, period_id -2: the member and
--     the application's id (column application_id);
--   the samples behind the medians and percentiles in the window, each
--     once, period_id -1: metric = the sample's name, value = whole seconds,
--     at = its instant, and its application.  reports/metrics.c puts each
--     into every member made up of its application and every period holding
--     its instant: a team's and the organisation's samples are their
--     applications', and periods overlap (a DORA summary asks for the
--     window, its weeks and its months), so a sample sent once per member
--     and period would be sent and sorted a dozen times over.
--
-- The grid:
--   cw_period      the periods [period_start, period_end); period_id is their
--                  0-based position (periods may overlap: a DORA summary asks
--                  for the window, weeks and months at once)
--   cw_period_day  every UTC day (instant / 86400; instants are >= 0) each
--                  period touches, with the period's bounds: a fact joins on
--                  its day and then checks the exact bounds, so periods need
--                  not start at midnight
--   cw_member      the rows' subjects: configured applications
--                  (dim_application.configured = 1, kind 0), teams owning at
--                  least one (kind 1), or the organisation (all of them, kind
--                  2), or all three at once for ?1 = 'all' (the weekly report:
--                  one reading of the window's facts for every scope);
--                  member_ord is the output order (by kind, then name) and
--                  the member's id
--   cw_member_app  which applications make up each member (a team is the
--                  union of its applications' data)
-- An event belongs to the period containing its instant.

WITH RECURSIVE
cw_period (period_id, period_start, period_end) AS (
    VALUES (0, CAST(?4 AS BIGINT), CAST(?5 AS BIGINT))
),
period_days (period_id, day, last_day) AS (
    SELECT period_id, period_start / 86400, (period_end - 1) / 86400
    FROM cw_period
    WHERE period_end > period_start
    UNION ALL
    SELECT period_id, day + 1, last_day FROM period_days WHERE day < last_day
),
cw_period_day (day, period_id, period_start, period_end) AS (
    SELECT d.day, d.period_id, p.period_start, p.period_end
    FROM period_days d
    JOIN cw_period p ON p.period_id = d.period_id
),
cw_member_def (kind, subject_id, name, team) AS (
    SELECT 0, a.application_id, a.name, t.name
    FROM dim_application a
    LEFT JOIN dim_team t ON t.team_id = a.team_id
    WHERE a.configured = 1 AND CAST(?1 AS TEXT) IN ('application', 'all')
    UNION ALL
    SELECT 1, t.team_id, t.name, NULL
    FROM dim_team t
    WHERE CAST(?1 AS TEXT) IN ('team', 'all')
      AND EXISTS (SELECT 1 FROM dim_application a
                  WHERE a.team_id = t.team_id AND a.configured = 1)
    UNION ALL
    SELECT 2, 0, 'organisation', NULL
    WHERE CAST(?1 AS TEXT) IN ('organisation', 'all')
),
cw_member (member_id, member_ord, kind, subject_id, name, team) AS (
    SELECT ord, ord, kind, subject_id, name, team
    FROM (SELECT ROW_NUMBER() OVER (ORDER BY kind, name, subject_id) - 1 AS ord,
                 kind, subject_id, name, team
          FROM cw_member_def) m
),
cw_member_app (member_id, application_id) AS (
    SELECT m.member_id, a.application_id
    FROM dim_application a
    JOIN cw_member m ON (m.kind = 0 AND m.subject_id = a.application_id)
                     OR (m.kind = 1 AND m.subject_id = a.team_id)
                     OR m.kind = 2
    WHERE a.configured = 1
),
-- Each fact is first counted per (application, period): the member join
-- comes after, on the small aggregates, so the planner never rescans the
-- facts once per member.  Only additive counts are summed across a team's
-- applications; deploy days are kept per day so a team counts each once.
-- The window's rows of a view are taken whole (MATERIALIZED) before they
-- meet the day grid: PostgreSQL would otherwise join the grid first and look
-- each fact's dimension rows up once per period holding it.
win_deploys AS MATERIALIZED (                   -- by finished_at
    SELECT application_id, finished_at, failed
    FROM v_deployments_prod
    WHERE finished_at >= CAST(?2 AS BIGINT) AND finished_at < CAST(?3 AS BIGINT)
),
prod_deploys AS (
    SELECT d.application_id, pd.period_id, d.finished_at / 86400 AS day, d.failed
    FROM win_deploys d
    CROSS JOIN cw_period_day pd
    WHERE pd.day = d.finished_at / 86400
      AND d.finished_at >= pd.period_start AND d.finished_at < pd.period_end
),
app_deploy_days AS (                            -- UTC days
    SELECT application_id, period_id, day, COUNT(*) AS deployments
    FROM prod_deploys
    GROUP BY application_id, period_id, day
),
deploys AS (
    SELECT ma.member_id, a.period_id, SUM(a.deployments) AS deployments,
           COUNT(DISTINCT a.day) AS deploy_days
    FROM app_deploy_days a
    JOIN cw_member_app ma ON ma.application_id = a.application_id
    GROUP BY ma.member_id, a.period_id
),
-- Change failure rate as views.sql defines it: the mean of `failed` over the
-- member's deployments of the period (one row per deployment: a deployment
-- belongs to one application, and so to one member of a scope).
change_failures AS (
    SELECT ma.member_id, d.period_id, SUM(d.failed) AS failed_deployments,
           AVG(CAST(d.failed AS DOUBLE PRECISION)) AS change_failure_rate
    FROM prod_deploys d
    JOIN cw_member_app ma ON ma.application_id = d.application_id
    GROUP BY ma.member_id, d.period_id
),
app_deploy_failures AS (
    SELECT d.application_id, pd.period_id, COUNT(*) AS deploy_failures
    FROM v_deploy_failures d
    CROSS JOIN cw_period_day pd
    WHERE d.finished_at >= CAST(?2 AS BIGINT) AND d.finished_at < CAST(?3 AS BIGINT)
      AND pd.day = d.finished_at / 86400
      AND d.finished_at >= pd.period_start AND d.finished_at < pd.period_end
    GROUP BY d.application_id, pd.period_id
),
deploy_failures AS (
    SELECT ma.member_id, a.period_id, SUM(a.deploy_failures) AS deploy_failures
    FROM app_deploy_failures a
    JOIN cw_member_app ma ON ma.application_id = a.application_id
    GROUP BY ma.member_id, a.period_id
),
app_incidents AS (                              -- by the period of created_at
    SELECT i.application_id, pd.period_id, COUNT(*) AS incidents
    FROM v_incidents i
    CROSS JOIN cw_period_day pd
    WHERE i.created_at >= CAST(?2 AS BIGINT) AND i.created_at < CAST(?3 AS BIGINT)
      AND pd.day = i.created_at / 86400
      AND i.created_at >= pd.period_start AND i.created_at < pd.period_end
    GROUP BY i.application_id, pd.period_id
),
incidents AS (
    SELECT ma.member_id, a.period_id, SUM(a.incidents) AS incidents
    FROM app_incidents a
    JOIN cw_member_app ma ON ma.application_id = a.application_id
    GROUP BY ma.member_id, a.period_id
),
win_flow AS MATERIALIZED (                      -- items whose end is in the window
    SELECT application_id, flow_type, end_at, cycle_s, active_s
    FROM v_flow_items
    WHERE end_at >= CAST(?2 AS BIGINT) AND end_at < CAST(?3 AS BIGINT)
),
app_flow AS (                                   -- items whose end is in the period
    SELECT f.application_id, pd.period_id,
           COUNT(*) AS throughput,
           SUM(CASE WHEN f.flow_type = 'feature' THEN 1 ELSE 0 END) AS throughput_feature,
           SUM(CASE WHEN f.flow_type = 'defect' THEN 1 ELSE 0 END) AS throughput_defect,
           SUM(CASE WHEN f.flow_type = 'risk' THEN 1 ELSE 0 END) AS throughput_risk,
           SUM(CASE WHEN f.flow_type = 'debt' THEN 1 ELSE 0 END) AS throughput_debt,
           SUM(CASE WHEN f.cycle_s IS NOT NULL THEN f.active_s END) AS active_s,
           SUM(f.cycle_s) AS cycle_s
    FROM win_flow f
    CROSS JOIN cw_period_day pd
    WHERE pd.day = f.end_at / 86400
      AND f.end_at >= pd.period_start AND f.end_at < pd.period_end
    GROUP BY f.application_id, pd.period_id
),
flow AS (
    SELECT ma.member_id, a.period_id,
           SUM(a.throughput) AS throughput,
           SUM(a.throughput_feature) AS throughput_feature,
           SUM(a.throughput_defect) AS throughput_defect,
           SUM(a.throughput_risk) AS throughput_risk,
           SUM(a.throughput_debt) AS throughput_debt,
           SUM(a.active_s) AS active_s,
           SUM(a.cycle_s) AS cycle_s
    FROM app_flow a
    JOIN cw_member_app ma ON ma.application_id = a.application_id
    GROUP BY ma.member_id, a.period_id
),
-- WIP at a period's end instant t: the items created before t whose
-- in_progress interval has from_at < t AND (to_at IS NULL OR to_at >= t).
-- An item's intervals chain [a, b) [b, c) without overlap, so at most one
-- matches, and the count at t is the sum of +1 at each interval's entry and
-- -1 at its exit over the events strictly before t: one running sum per
-- application over its events and its periods' end instants in time order (an
-- end instant sorts before an event at the same instant), read at the ends,
-- instead of every interval being compared with every period.  Entry is
-- max(from_at, created_at) (both must be before t); exit is max(to_at,
-- entry), so an interval never counts -1 before it counted +1.
-- Only the intervals that count at some period end are read: those still
-- open, and those closed at or after the window's start (one closed before
-- it counted +1 and -1 before every end), entered before the window's end.
-- Each half is a range of the partial index ix_interval_in_progress.  The
-- intervals are read once (wip_intervals is used twice, so both engines
-- keep it), and their events go to the running sum as they are: an
-- application no member holds sums on its own and is left out by the
-- member join of `wip`, which is cheaper than matching every event.
wip_intervals AS (
    SELECT application_id, to_at,
           CASE WHEN from_at >= created_at THEN from_at ELSE created_at END AS entry_at
    FROM v_status_intervals
    WHERE category = 'in_progress' AND to_at IS NULL
      AND from_at < CAST(?3 AS BIGINT)
    UNION ALL
    SELECT application_id, to_at,
           CASE WHEN from_at >= created_at THEN from_at ELSE created_at END AS entry_at
    FROM v_status_intervals
    WHERE category = 'in_progress' AND to_at >= CAST(?2 AS BIGINT)
      AND from_at < CAST(?3 AS BIGINT)
),
wip_apps AS (
    SELECT DISTINCT application_id FROM cw_member_app
),
wip_points AS (
    SELECT application_id, entry_at AS at, 1 AS delta, 1 AS is_event, -1 AS period_id
    FROM wip_intervals
    UNION ALL
    SELECT application_id, CASE WHEN to_at >= entry_at THEN to_at ELSE entry_at END, -1, 1, -1
    FROM wip_intervals WHERE to_at IS NOT NULL
    UNION ALL
    SELECT a.application_id, p.period_end, 0, 0, p.period_id
    FROM wip_apps a
    CROSS JOIN cw_period p
),
app_wip AS (                    -- keyed by period: the join stays on integer ids
    SELECT r.application_id, r.period_id, r.wip
    FROM (SELECT application_id, period_id, is_event,
                 SUM(delta) OVER (PARTITION BY application_id ORDER BY at, is_event
                                  ROWS UNBOUNDED PRECEDING) AS wip
          FROM wip_points) r
    WHERE r.is_event = 0
),
wip AS (                        -- an item has one application: members add theirs up
    SELECT ma.member_id, a.period_id, SUM(a.wip) AS wip
    FROM app_wip a
    JOIN cw_member_app ma ON ma.application_id = a.application_id
    GROUP BY ma.member_id, a.period_id
),
deploy_trace AS (                               -- deployed non-merge commits
    SELECT t.deployment_id, t.application_id, t.finished_at,
           COUNT(*) AS deployed_commits, SUM(t.has_key) AS traced_commits
    FROM v_traceability t
    WHERE t.finished_at >= CAST(?2 AS BIGINT) AND t.finished_at < CAST(?3 AS BIGINT)
    GROUP BY t.finished_at, t.deployment_id, t.application_id
),
app_trace AS (                                  -- per deployment first: one row to place
    SELECT t.application_id, pd.period_id,
           SUM(t.deployed_commits) AS deployed_commits, SUM(t.traced_commits) AS traced_commits
    FROM deploy_trace t
    CROSS JOIN cw_period_day pd
    WHERE pd.day = t.finished_at / 86400
      AND t.finished_at >= pd.period_start AND t.finished_at < pd.period_end
    GROUP BY t.application_id, pd.period_id
),
trace AS (
    SELECT ma.member_id, a.period_id, SUM(a.deployed_commits) AS deployed_commits,
           SUM(a.traced_commits) AS traced_commits
    FROM app_trace a
    JOIN cw_member_app ma ON ma.application_id = a.application_id
    GROUP BY ma.member_id, a.period_id
),
-- metrics.md Decisions 3 and 13: how many of a member's applications have a
-- deployment mapping -- a CI job pattern (matching a job or not) or deployment
-- records of their repository or environment, in any window.  A member with
-- none has no deployment frequency and no level ("no data"), never "low".
deploy_mapped AS (
    SELECT ma.member_id, COUNT(*) AS mapped_apps
    FROM cw_member_app ma
    WHERE EXISTS (SELECT 1 FROM map_job j WHERE j.application_id = ma.application_id)
       OR EXISTS (SELECT 1 FROM fact_deployment d WHERE d.application_id = ma.application_id)
    GROUP BY ma.member_id
),
-- The samples (v_events, every dated event once), in whole seconds:
-- reports/metrics.c reads them, puts them into their members and periods
-- and computes count, median and nearest-rank percentile with cw_median /
-- cw_percentile's rule (reports/levels.c), the one place those statistics
-- are defined.
-- Metrics and their period rule:
--   lead_time        per deployed commit, by the deployment's finished_at
--   restore          resolved_at - created_at, by resolved_at (resolved only)
--   recovery         resolved_at - deployment finished_at of attributed incidents, by resolved_at
-- A duration that would be negative is NULL in the views (metrics.md,
-- Decisions 10) and so is no sample.
--   cycle_time       end - start of items with a start, by end
--   item_lead_time   end - created of ended items, by end
--   idea_to_production  production_at - created (v_idea_to_production, which
--                    leaves out items in production before they were
--                    created), by production_at
samples AS (
    SELECT application_id, at, kind AS metric, value FROM v_events
    WHERE value IS NOT NULL AND at >= CAST(?2 AS BIGINT) AND at < CAST(?3 AS BIGINT)
    UNION ALL
    SELECT application_id, production_at, 'idea_to_production', idea_to_production_s
    FROM v_idea_to_production
    WHERE production_at >= CAST(?2 AS BIGINT) AND production_at < CAST(?3 AS BIGINT)
)
SELECT m.member_ord, p.period_id, '' AS metric, CAST(NULL AS BIGINT) AS value,
       m.name, m.team,
       COALESCE(deploys.deployments, 0),
       COALESCE(deploys.deploy_days, 0),
       COALESCE(deploy_failures.deploy_failures, 0),
       COALESCE(change_failures.failed_deployments, 0),
       COALESCE(incidents.incidents, 0),
       COALESCE(flow.throughput, 0),
       COALESCE(flow.throughput_feature, 0),
       COALESCE(flow.throughput_defect, 0),
       COALESCE(flow.throughput_risk, 0),
       COALESCE(flow.throughput_debt, 0),
       COALESCE(flow.active_s, 0),
       COALESCE(flow.cycle_s, 0),
       COALESCE(wip.wip, 0),
       COALESCE(trace.deployed_commits, 0),
       COALESCE(trace.traced_commits, 0),
       change_failures.change_failure_rate,                -- null without deployments
       CAST(NULL AS BIGINT) AS at,
       m.kind,
       CAST(NULL AS BIGINT) AS application_id,
       COALESCE(deploy_mapped.mapped_apps, 0) AS deploy_mapped
FROM cw_member m
CROSS JOIN cw_period p
LEFT JOIN deploys ON deploys.member_id = m.member_id AND deploys.period_id = p.period_id
LEFT JOIN change_failures
       ON change_failures.member_id = m.member_id AND change_failures.period_id = p.period_id
LEFT JOIN deploy_failures
       ON deploy_failures.member_id = m.member_id AND deploy_failures.period_id = p.period_id
LEFT JOIN incidents ON incidents.member_id = m.member_id AND incidents.period_id = p.period_id
LEFT JOIN flow ON flow.member_id = m.member_id AND flow.period_id = p.period_id
LEFT JOIN wip ON wip.member_id = m.member_id AND wip.period_id = p.period_id
LEFT JOIN trace ON trace.member_id = m.member_id AND trace.period_id = p.period_id
LEFT JOIN deploy_mapped ON deploy_mapped.member_id = m.member_id
UNION ALL
SELECT ma.member_id, -2, NULL, NULL, NULL, NULL,                -- member_id = member_ord
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, ma.application_id, NULL
FROM cw_member_app ma
UNION ALL
SELECT NULL, -1, s.metric, s.value, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, s.at, NULL, s.application_id, NULL
FROM samples s;
