-- metrics_counts.sql - every count and sum of the metric rows, one row per
-- (member, period) of the grid, zeros where nothing happened.
--
-- Works on the TEMP tables of metrics_setup.sql and the views of views.sql
-- (persistent: `catwalk run` installs them).
-- An event belongs to the period containing its instant: [start, end); it
-- finds its periods through cw_period_day (one index lookup per event).
-- change_failure_rate comes out of SQL (its one definition is in views.sql);
-- flow_efficiency and traceability are divided in C from these sums so that
-- an empty base gives null, not 0.

WITH
-- Each fact is first counted per (application, period): the member join
-- comes after, on the small aggregates, so the planner never rescans the
-- facts once per member.  Only additive counts are summed across a team's
-- applications; deploy days are kept per day so a team counts each once.
prod_deploys AS (                               -- by finished_at
    SELECT d.application_id, p.period_id, d.finished_at / 86400 AS day, d.failed
    FROM v_deployments_prod d
    JOIN cw_period_day pd ON pd.day = d.finished_at / 86400
    JOIN cw_period p ON p.period_id = pd.period_id
     AND d.finished_at >= p.period_start AND d.finished_at < p.period_end
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
    SELECT d.application_id, p.period_id, COUNT(*) AS deploy_failures
    FROM v_deploy_failures d
    JOIN cw_period_day pd ON pd.day = d.finished_at / 86400
    JOIN cw_period p ON p.period_id = pd.period_id
     AND d.finished_at >= p.period_start AND d.finished_at < p.period_end
    GROUP BY d.application_id, p.period_id
),
deploy_failures AS (
    SELECT ma.member_id, a.period_id, SUM(a.deploy_failures) AS deploy_failures
    FROM app_deploy_failures a
    JOIN cw_member_app ma ON ma.application_id = a.application_id
    GROUP BY ma.member_id, a.period_id
),
app_incidents AS (                              -- by the period of created_at
    SELECT i.application_id, p.period_id, COUNT(*) AS incidents
    FROM v_incidents i
    JOIN cw_period_day pd ON pd.day = i.created_at / 86400
    JOIN cw_period p ON p.period_id = pd.period_id
     AND i.created_at >= p.period_start AND i.created_at < p.period_end
    GROUP BY i.application_id, p.period_id
),
incidents AS (
    SELECT ma.member_id, a.period_id, SUM(a.incidents) AS incidents
    FROM app_incidents a
    JOIN cw_member_app ma ON ma.application_id = a.application_id
    GROUP BY ma.member_id, a.period_id
),
app_flow AS (                                   -- items whose end is in the period
    SELECT f.application_id, p.period_id,
           COUNT(*) AS throughput,
           SUM(CASE WHEN f.flow_type = 'feature' THEN 1 ELSE 0 END) AS throughput_feature,
           SUM(CASE WHEN f.flow_type = 'defect' THEN 1 ELSE 0 END) AS throughput_defect,
           SUM(CASE WHEN f.flow_type = 'risk' THEN 1 ELSE 0 END) AS throughput_risk,
           SUM(CASE WHEN f.flow_type = 'debt' THEN 1 ELSE 0 END) AS throughput_debt,
           SUM(CASE WHEN f.cycle_s IS NOT NULL THEN f.active_s END) AS active_s,
           SUM(f.cycle_s) AS cycle_s
    FROM v_flow_items f
    JOIN cw_period_day pd ON pd.day = f.end_at / 86400
    JOIN cw_period p ON p.period_id = pd.period_id
     AND f.end_at >= p.period_start AND f.end_at < p.period_end
    GROUP BY f.application_id, p.period_id
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
-- matches, and the count is a running sum over the distinct end instants of
-- +1 at an interval's entry and -1 at its exit: each event lands on the first
-- end instant after it (one index lookup), instead of every interval being
-- compared with every period.  Entry is max(from_at, created_at) (both must
-- be before t); exit is max(to_at, entry), so an interval never counts -1.
wip_ends AS (
    SELECT DISTINCT period_end AS t FROM cw_period
),
wip_intervals AS (
    SELECT application_id, to_at,
           CASE WHEN from_at >= created_at THEN from_at ELSE created_at END AS entry_at
    FROM v_status_intervals
    WHERE category = 'in_progress'
),
wip_events AS (
    SELECT application_id, entry_at AS at, 1 AS delta FROM wip_intervals
    UNION ALL
    SELECT application_id, CASE WHEN to_at >= entry_at THEN to_at ELSE entry_at END, -1
    FROM wip_intervals WHERE to_at IS NOT NULL
),
app_wip_buckets AS (
    SELECT e.application_id, e.t, SUM(e.delta) AS delta
    FROM (SELECT ev.application_id, ev.delta,
                 (SELECT MIN(p.period_end) FROM cw_period p WHERE p.period_end > ev.at) AS t
          FROM wip_events ev) e
    WHERE e.t IS NOT NULL
    GROUP BY e.application_id, e.t
),
wip_buckets AS (
    SELECT ma.member_id, b.t, SUM(b.delta) AS delta
    FROM app_wip_buckets b
    JOIN cw_member_app ma ON ma.application_id = b.application_id
    GROUP BY ma.member_id, b.t
),
wip AS (
    SELECT m.member_id, w.t,
           SUM(COALESCE(b.delta, 0)) OVER (PARTITION BY m.member_id ORDER BY w.t
                                           ROWS UNBOUNDED PRECEDING) AS wip
    FROM cw_member m
    CROSS JOIN wip_ends w
    LEFT JOIN wip_buckets b ON b.member_id = m.member_id AND b.t = w.t
),
app_trace AS (                                  -- deployed non-merge commits
    SELECT t.application_id, p.period_id,
           COUNT(*) AS deployed_commits, SUM(t.has_key) AS traced_commits
    FROM v_traceability t
    JOIN cw_period_day pd ON pd.day = t.finished_at / 86400
    JOIN cw_period p ON p.period_id = pd.period_id
     AND t.finished_at >= p.period_start AND t.finished_at < p.period_end
    GROUP BY t.application_id, p.period_id
),
trace AS (
    SELECT ma.member_id, a.period_id, SUM(a.deployed_commits) AS deployed_commits,
           SUM(a.traced_commits) AS traced_commits
    FROM app_trace a
    JOIN cw_member_app ma ON ma.application_id = a.application_id
    GROUP BY ma.member_id, a.period_id
)
SELECT m.member_ord, p.period_id,
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
       change_failures.change_failure_rate                 -- null without deployments
FROM cw_member m
CROSS JOIN cw_period p
LEFT JOIN deploys ON deploys.member_id = m.member_id AND deploys.period_id = p.period_id
LEFT JOIN change_failures
       ON change_failures.member_id = m.member_id AND change_failures.period_id = p.period_id
LEFT JOIN deploy_failures
       ON deploy_failures.member_id = m.member_id AND deploy_failures.period_id = p.period_id
LEFT JOIN incidents ON incidents.member_id = m.member_id AND incidents.period_id = p.period_id
LEFT JOIN flow ON flow.member_id = m.member_id AND flow.period_id = p.period_id
LEFT JOIN wip ON wip.member_id = m.member_id AND wip.t = p.period_end
LEFT JOIN trace ON trace.member_id = m.member_id AND trace.period_id = p.period_id
ORDER BY m.member_ord, p.period_id;
