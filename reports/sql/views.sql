-- views.sql - the metric views analysts query with any SQL tool.
--
-- Installed into the warehouse by cw_metrics_install_views(), inside the
-- batch transaction of `catwalk run`: every run re-creates them, so the
-- warehouse always carries the definitions of the catwalk that last wrote
-- it.  Readers (`catwalk metrics`, `catwalk report`) use these persistent
-- views on a read-only connection and never create any.
-- Portable SQL (SQLite 3.35+, PostgreSQL 15): DROP + CREATE, CTEs, no
-- SQLite-only functions (tests/unit/test_sql_portable.c checks it).
-- Durations are seconds (_s) or hours (_h, floating point).
--
-- One row per event: medians and percentiles are computed over these rows
-- in one place only, reports/metrics.c (cw_median / cw_percentile).
--
-- Change failure rate has one definition: which deployments count and
-- which failed is v_deployments_prod below, and the rate of a group of them
-- is the mean of `failed` as a double, AVG(CAST(failed AS DOUBLE PRECISION)),
-- which SQL makes null over no rows.  v_dora_weekly and metrics_rows.sql
-- both take exactly that mean; no C code divides it again.

DROP VIEW IF EXISTS v_hierarchy_flow;
DROP VIEW IF EXISTS v_hierarchy_progress;
DROP VIEW IF EXISTS v_hierarchy_applications;
DROP VIEW IF EXISTS v_hierarchy_items;
DROP VIEW IF EXISTS dora_band;
DROP VIEW IF EXISTS v_dora_weekly;
DROP VIEW IF EXISTS v_events;
DROP VIEW IF EXISTS v_traceability;
DROP VIEW IF EXISTS v_status_intervals;
DROP VIEW IF EXISTS v_flow_items;
DROP VIEW IF EXISTS v_incidents;
DROP VIEW IF EXISTS v_lead_time;
DROP VIEW IF EXISTS v_deploy_failures;
DROP VIEW IF EXISTS v_deployments_prod;

-- The facts hold application_id 0 for a row no application claims (it
-- starts their natural keys, load/sql/<dialect>/schema.sql); the views show
-- NULL, as they always did.
--
-- Successful production deployments: the only ones DORA counts, by
-- finished_at.  Which deployments those are is defined once, by the
-- correlation step (transform/sql/correlate.sql, statement "deployments"),
-- which writes one derived_deployment row for each.  failed = 1 when at
-- least one incident is attributed to it;
-- the change failure rate of a group of them is the mean of `failed`.
-- (EXISTS on ix_derived_incident_deployment, so a report that reads a
-- window's deployments looks up their incidents only, not every incident.)
CREATE VIEW v_deployments_prod AS
SELECT d.deployment_id, NULLIF(d.application_id, 0) AS application_id, a.name AS application,
       e.name AS environment, d.started_at, d.finished_at, d.revision, d.run_number,
       CASE WHEN EXISTS (SELECT 1 FROM derived_incident f
                         WHERE f.deployment_id = d.deployment_id)
            THEN 1 ELSE 0 END AS failed
FROM derived_deployment p
JOIN fact_deployment d ON d.deployment_id = p.deployment_id
LEFT JOIN dim_application a ON a.application_id = d.application_id
LEFT JOIN dim_environment e ON e.environment_id = d.environment_id;

-- Production deployments that did not succeed (deploy_failures): failed,
-- unstable or aborted runs.  Never part of DORA.  not_built (a skipped
-- run) is no deployment attempt, and running builds carry no result.
CREATE VIEW v_deploy_failures AS
SELECT d.deployment_id, NULLIF(d.application_id, 0) AS application_id, a.name AS application,
       e.name AS environment, d.result, d.started_at, d.finished_at, d.revision, d.run_number
FROM fact_deployment d
LEFT JOIN dim_application a ON a.application_id = d.application_id
LEFT JOIN dim_environment e ON e.environment_id = d.environment_id
WHERE d.is_production = 1 AND d.result IN ('failure', 'unstable', 'aborted');

-- Change lead time: one row per deployed non-merge, non-baseline commit
-- (is_baseline: shipped by its repository's baseline deployment, the first
-- of the application to reach that repository, Decisions 7), attributed to
-- the deploying deployment's application and finished_at.  A
-- commit authored after the deployment that first shipped it has no lead
-- time (metrics.md, Decisions 10; the correlation step reports it): the
-- lead_time_s >= 0 test keeps any such row out, whoever wrote it.
-- The commit is always there (the bridge's foreign key); it is a LEFT JOIN
-- on its key so that a reader that wants no commit column (v_events, the
-- reports' lead-time samples) never looks it up: both engines then leave
-- the join out, where an inner join would cost one random read of
-- fact_commit, the widest table, per deployed commit.
CREATE VIEW v_lead_time AS
SELECT b.deployment_id, d.application_id, d.application, b.commit_id,
       c.repository, c.sha, c.authored_at, d.finished_at,
       b.lead_time_s, b.lead_time_s / 3600.0 AS lead_time_h
FROM bridge_deployment_commit b
JOIN v_deployments_prod d ON d.deployment_id = b.deployment_id
LEFT JOIN fact_commit c ON c.commit_id = b.commit_id
WHERE b.lead_time_s >= 0 AND b.is_merge = 0 AND b.is_baseline = 0;

-- Incidents with restore time (resolved only) and, for attributed ones, the
-- failed deployment recovery time (resolved_at - deployment finished_at).
-- Decisions 10: an incident resolved before it was created has neither (it
-- still counts as an incident and for change failure rate); one resolved
-- before its deployment finished has no recovery time.  Never negative.
CREATE VIEW v_incidents AS
SELECT i.incident_id, NULLIF(i.application_id, 0) AS application_id, a.name AS application, i.number, i.title,
       i.service, i.severity, i.status, i.created_at, i.resolved_at,
       CASE WHEN i.resolved_at >= i.created_at THEN i.resolved_at - i.created_at END AS restore_s,
       di.deployment_id, COALESCE(di.how, 'none') AS attribution,
       d.finished_at AS deployment_finished_at,
       CASE WHEN i.resolved_at >= i.created_at AND i.resolved_at >= d.finished_at
            THEN i.resolved_at - d.finished_at END AS recovery_s
FROM fact_incident i
LEFT JOIN derived_incident di ON di.incident_id = i.incident_id
LEFT JOIN fact_deployment d ON d.deployment_id = di.deployment_id
LEFT JOIN dim_application a ON a.application_id = i.application_id;

-- Work items with their flow times.  cycle_s needs a start (items that never
-- entered in_progress have none); lead_s is end - created.  Decisions 10: an
-- item that ended before it started has no cycle_s, one that ended before
-- it was created no lead_s (transform/flow.h; reported as findings).
-- production_at (metrics.md "Idea to production"; transform/correlate.c)
-- is kept as derived, even before created_at; idea_to_production_s is
-- production_at - created_at, NULL when that is negative (Decisions 10,
-- finding item_in_production_before_created) or production_at is NULL.
CREATE VIEW v_flow_items AS
SELECT w.work_item_id, w.item_key, w.application_id, a.name AS application,
       w.item_type, f.flow_type, f.category, w.status, w.created_at,
       f.start_at, f.end_at,
       CASE WHEN f.end_at >= f.start_at THEN f.end_at - f.start_at END AS cycle_s,
       CASE WHEN f.end_at >= w.created_at THEN f.end_at - w.created_at END AS lead_s,
       f.active_s, f.production_at,
       CASE WHEN f.production_at >= w.created_at THEN f.production_at - w.created_at END
           AS idea_to_production_s
FROM derived_work_item f
JOIN dim_work_item w ON w.work_item_id = f.work_item_id
LEFT JOIN dim_application a ON a.application_id = w.application_id;

-- Status intervals [from_at, to_at) with the item's application: WIP at an
-- instant t is the in_progress rows with from_at < t AND (to_at IS NULL OR
-- to_at >= t) of items created before t.
CREATE VIEW v_status_intervals AS
SELECT s.work_item_id, w.item_key, w.application_id, a.name AS application,
       w.created_at, s.seq, s.status, s.category, s.waiting, s.from_at, s.to_at
FROM derived_status_interval s
JOIN dim_work_item w ON w.work_item_id = s.work_item_id
LEFT JOIN dim_application a ON a.application_id = w.application_id;

-- Change traceability (metrics.md "Traceability"): the non-merge commits
-- newly deployed by non-baseline deployments (a commit a repository's
-- baseline deployment shipped is left out: it shipped before the data
-- begins, Decisions 7), and whether their keys are not empty.  A commit's
-- keys (transform/keysource.c) are those of its message, of the requests
-- containing it and of the merges that brought it in, whether or not their
-- item is loaded: a loaded one in bridge_commit_work_item, a missing one in
-- derived_commit_key.  is_baseline stays, always 0.
CREATE VIEW v_traceability AS
SELECT b.deployment_id, d.application_id, d.application, d.finished_at, b.commit_id,
       b.is_baseline,
       CASE WHEN EXISTS (SELECT 1 FROM bridge_commit_work_item k
                         WHERE k.commit_id = b.commit_id)
              OR EXISTS (SELECT 1 FROM derived_commit_key u
                         WHERE u.commit_id = b.commit_id)
            THEN 1 ELSE 0 END AS has_key
FROM bridge_deployment_commit b
JOIN v_deployments_prod d ON d.deployment_id = b.deployment_id
WHERE b.is_merge = 0 AND b.is_baseline = 0;

-- Every dated event of the metrics, one row each, written here once:
-- application, instant (at), kind, the event's duration in seconds (value,
-- the sample behind a median; NULL for the events that are only counted),
-- and flag = 1 for a deployment with an attributed incident.  Kinds and
-- their instant (metrics.md):
--   deploy           successful production deployment, finished_at
--   deploy_failure   failed production run, finished_at
--   lead_time        deployed commit, the deployment's finished_at
--   incident         created_at
--   restore          resolved_at - created_at, at resolved_at (resolved only)
--   recovery         resolved_at - deployment finished_at, at resolved_at
--   cycle_time       end - start, at end
--   item_lead_time   end - created, at end
-- v_dora_weekly counts them; reports/sql/metrics_samples.sql takes the
-- values.  A duration that would be negative is NULL in the views above and
-- so no event (Decisions 10).
CREATE VIEW v_events AS
SELECT application_id, finished_at AS at, 'deploy' AS kind, CAST(NULL AS BIGINT) AS value,
       failed AS flag
FROM v_deployments_prod
UNION ALL
SELECT application_id, finished_at, 'deploy_failure', NULL, 0 FROM v_deploy_failures
UNION ALL
SELECT application_id, finished_at, 'lead_time', lead_time_s, 0 FROM v_lead_time
UNION ALL
SELECT application_id, created_at, 'incident', NULL, 0 FROM v_incidents
UNION ALL
SELECT application_id, resolved_at, 'restore', restore_s, 0
FROM v_incidents WHERE restore_s IS NOT NULL
UNION ALL
SELECT application_id, resolved_at, 'recovery', recovery_s, 0
FROM v_incidents WHERE recovery_s IS NOT NULL
UNION ALL
SELECT application_id, end_at, 'cycle_time', cycle_s, 0
FROM v_flow_items WHERE cycle_s IS NOT NULL
UNION ALL
SELECT application_id, end_at, 'item_lead_time', lead_s, 0
FROM v_flow_items WHERE lead_s IS NOT NULL;

-- DORA counts per application and ISO week (weeks with any DORA event; the
-- week comes from dim_date, which the loader fills for every day a fact
-- touches).  Medians: compute them over v_lead_time / v_incidents in your
-- tool, or use `catwalk metrics`.
CREATE VIEW v_dora_weekly AS
WITH ev AS (
    SELECT application_id, at, kind, flag FROM v_events
    WHERE kind IN ('deploy', 'deploy_failure', 'lead_time', 'incident', 'restore')
)
SELECT ev.application_id, a.name AS application, dd.week_start,
       SUM(CASE WHEN ev.kind = 'deploy' THEN 1 ELSE 0 END) AS deployments,
       COUNT(DISTINCT CASE WHEN ev.kind = 'deploy' THEN dd.date_key END) AS deploy_days,
       SUM(CASE WHEN ev.kind = 'deploy_failure' THEN 1 ELSE 0 END) AS deploy_failures,
       SUM(CASE WHEN ev.kind = 'lead_time' THEN 1 ELSE 0 END) AS lead_time_count,
       SUM(CASE WHEN ev.kind = 'deploy' THEN ev.flag ELSE 0 END) AS failed_deployments,
       AVG(CASE WHEN ev.kind = 'deploy' THEN CAST(ev.flag AS DOUBLE PRECISION) END)
           AS change_failure_rate,
       SUM(CASE WHEN ev.kind = 'incident' THEN 1 ELSE 0 END) AS incidents,
       SUM(CASE WHEN ev.kind = 'restore' THEN 1 ELSE 0 END) AS restore_count
FROM ev
JOIN dim_date dd ON dd.date_key = ev.at / 86400
JOIN dim_application a ON a.application_id = ev.application_id
GROUP BY ev.application_id, a.name, dd.week_start;

-- The DORA 2023 performance bands (metrics.md, "Levels"), as data:
-- reports/levels.c reads them and rates a summary's measures with them, and
-- analysts can join them to the views.  A band of `metric` holds when the
-- summary's `measure` lies in [lower, upper) (upper_inclusive = 0) or in
-- (lower, upper] (upper_inclusive = 1); a null bound is open.  Bands are
-- tried from the best level down and the first that holds wins, so the
-- deployment-frequency bands may use two measures.
CREATE VIEW dora_band AS
SELECT column1 AS metric, column2 AS level, column3 AS measure,
       column4 AS lower, column5 AS upper, column6 AS upper_inclusive
FROM (VALUES
    ('lead_time', 'elite', 'lead_time_median_h',
     CAST(NULL AS DOUBLE PRECISION), CAST(24.0 AS DOUBLE PRECISION), 0),
    ('lead_time', 'high', 'lead_time_median_h', 24.0, 168.0, 0),
    ('lead_time', 'medium', 'lead_time_median_h', 168.0, 720.0, 0),
    ('lead_time', 'low', 'lead_time_median_h', 720.0, NULL, 0),
    ('change_failure_rate', 'elite', 'change_failure_rate', NULL, 0.05, 1),
    ('change_failure_rate', 'high', 'change_failure_rate', 0.05, 0.10, 1),
    ('change_failure_rate', 'medium', 'change_failure_rate', 0.10, 0.15, 1),
    ('change_failure_rate', 'low', 'change_failure_rate', 0.15, NULL, 1),
    ('restore', 'elite', 'restore_median_h', NULL, 1.0, 0),
    ('restore', 'high', 'restore_median_h', 1.0, 24.0, 0),
    ('restore', 'medium', 'restore_median_h', 24.0, 168.0, 0),
    ('restore', 'low', 'restore_median_h', 168.0, NULL, 0),
    ('deploy_frequency', 'elite', 'weekly_median_deploy_days', 5.0, NULL, 0),
    ('deploy_frequency', 'high', 'weekly_median_deploy_days', 1.0, 5.0, 0),
    ('deploy_frequency', 'medium', 'monthly_median_deploy_days', 1.0, NULL, 0),
    ('deploy_frequency', 'low', 'monthly_median_deploy_days', NULL, 1.0, 0)
) AS b;

-- Business KPI series (fact_kpi, from a generic CSV source with target kpi),
-- by period, to show beside the delivery metrics: one row per application,
-- KPI name, period kind ('day', 'week', 'month') and period.  A KPI value
-- belongs to the period holding its instant (UTC, like every metric);
-- samples is how many values fell in it, value_sum adds them (revenue),
-- value_avg averages them (NPS), value_min / value_max bound them.
-- period_start is the period's first day (YYYY-MM-DD), period_start_at the
-- same as seconds (the report window binds it).  dim_date holds every day a
-- KPI names (load/sql/resolve.sql).
DROP VIEW IF EXISTS v_kpi;
CREATE VIEW v_kpi AS
WITH kpi AS (
    SELECT k.application_id, k.name, k.value, d.date, d.week_start, d.month_start
      FROM fact_kpi k
      JOIN dim_date d ON d.date_key = k.at / 86400
), periods AS (
    SELECT application_id, name, value, 'day' AS period, date AS period_start FROM kpi
    UNION ALL SELECT application_id, name, value, 'week', week_start FROM kpi
    UNION ALL SELECT application_id, name, value, 'month', month_start FROM kpi
)
SELECT p.application_id, a.name AS application, t.name AS team, p.name, p.period,
       p.period_start, s.date_key * 86400 AS period_start_at,
       count(*) AS samples, sum(p.value) AS value_sum, avg(p.value) AS value_avg,
       min(p.value) AS value_min, max(p.value) AS value_max
  FROM periods p
  JOIN dim_date s ON s.date = p.period_start
  LEFT JOIN dim_application a ON a.application_id = p.application_id
  LEFT JOIN dim_team t ON t.team_id = a.team_id
 GROUP BY p.application_id, a.name, t.name, p.name, p.period, p.period_start, s.date_key;

-- ---------------------------------------------------------------- release scope
-- Release scope, planned vs delivered vs shipped (metrics.md "Release
-- scope"; the rule is transform/scope.h, computed into derived_release and
-- derived_release_item by every derivation).  A release's application is
-- the one its project maps to.  Instants are UTC seconds.
DROP VIEW IF EXISTS v_done_not_deployed;
DROP VIEW IF EXISTS v_release_items;
DROP VIEW IF EXISTS v_release_scope;

-- One row per release with a planned date (key: project, release).
-- delivered, shipped, carried_over and done_not_deployed are NULL while the
-- release has no release instant (no release date, nothing deployed yet);
-- scope_change_pct = (added + removed) / planned * 100, NULL when nothing
-- was planned.
CREATE VIEW v_release_scope AS
SELECT r.release_id, r.project, r.name AS release, m.application_id, a.name AS application,
       r.start_at, r.release_at, r.released, d.baseline_at, d.release_instant,
       d.planned, d.added, d.removed, d.delivered, d.shipped, d.carried_over,
       d.done_not_deployed,
       CAST(100 * (d.added + d.removed) AS DOUBLE PRECISION) / NULLIF(d.planned, 0)
           AS scope_change_pct
  FROM derived_release d
  JOIN dim_release r ON r.release_id = d.release_id
  LEFT JOIN map_project m ON m.project = r.project
  LEFT JOIN dim_application a ON a.application_id = m.application_id;

-- One row per release and item that ever carried it (key: release_id,
-- item_key): the class flags, and in words its scope (planned | added |
-- removed | transient: added after the baseline and removed before the
-- release) and outcome at the release instant (shipped | done_not_deployed |
-- delivered_not_shipped: done, deployed after the release instant |
-- carried_over | NULL: not carrying it then, or no release instant yet).
CREATE VIEW v_release_items AS
SELECT i.release_id, r.project, r.name AS release, w.work_item_id, w.item_key, w.summary,
       w.status, a.name AS application, i.planned, i.added, i.removed, i.delivered,
       i.shipped, i.carried_over, i.done_not_deployed,
       CASE WHEN i.removed = 1 THEN 'removed' WHEN i.planned = 1 THEN 'planned'
            WHEN i.added = 1 THEN 'added' ELSE 'transient' END AS scope,
       CASE WHEN i.shipped = 1 THEN 'shipped'
            WHEN i.done_not_deployed = 1 THEN 'done_not_deployed'
            WHEN i.delivered = 1 THEN 'delivered_not_shipped'
            WHEN i.carried_over = 1 THEN 'carried_over' END AS outcome,
       dw.end_at, dw.production_at
  FROM derived_release_item i
  JOIN dim_release r ON r.release_id = i.release_id
  JOIN dim_work_item w ON w.work_item_id = i.work_item_id
  LEFT JOIN derived_work_item dw ON dw.work_item_id = i.work_item_id
  LEFT JOIN dim_application a ON a.application_id = w.application_id;

-- Items a release counts as delivered (done at its release instant) whose
-- code is not in production: no referencing commit, or one not deployed
-- yet (key: release_id, item_key).  commits = the non-merge commits naming
-- the item (0: nothing in git shows it reached production).
CREATE VIEW v_done_not_deployed AS
SELECT i.release_id, r.project, r.name AS release, w.item_key, w.summary, w.status,
       a.name AS application, dw.end_at AS done_at, d.release_instant,
       (SELECT count(*) FROM bridge_commit_work_item b
          JOIN fact_commit c ON c.commit_id = b.commit_id
         WHERE b.work_item_id = i.work_item_id AND c.parent_count < 2) AS commits
  FROM derived_release_item i
  JOIN derived_release d ON d.release_id = i.release_id
  JOIN dim_release r ON r.release_id = i.release_id
  JOIN dim_work_item w ON w.work_item_id = i.work_item_id
  LEFT JOIN derived_work_item dw ON dw.work_item_id = i.work_item_id
  LEFT JOIN dim_application a ON a.application_id = w.application_id
 WHERE i.done_not_deployed = 1;

-- ---------------------------------------------------------------- pull-request stages
-- (issue 9, capability 7; README "v_pr_stages").  These views read tables
-- only, never the views above, so they are dropped and created here apart.
DROP VIEW IF EXISTS v_pr_stage_weekly;
DROP VIEW IF EXISTS v_pr_stage_samples;
DROP VIEW IF EXISTS v_pr_stages;

-- One row per merged pull/merge request, with its stages as LinearB and
-- DevLake show them:
--   coding  first commit authored_at -> created_at.  The first commit is the
--           earliest of the PR's commits (fact_pull_request_commit), each
--           commit's authored_at from fact_commit, else from the PR's own
--           commit listing (fact_pull_request_listed_commit);
--   pickup  created_at -> the first review by someone other than the PR's
--           author (fact_pull_request_review; a review with no reviewer
--           counts, the author's own never);
--   review  that first review -> merged_at;
--   deploy  merged_at -> the first successful production deployment that
--           newly deployed the merge commit (merge_commit_sha, or
--           squash_commit_sha: GitLab squash merges), as the correlation
--           step found it (bridge_deployment_commit).  A baseline
--           deployment does not count: it shipped history from before the
--           data began (metrics.md Decisions 7), so its time is unknown.
-- A stage whose ends are not both known is NULL (no commits, no review by
-- someone else, not deployed yet), never 0.  A negative stage (a review
-- before the PR was opened, a commit dated after it) is clamped to 0, and
-- clamped counts such stages of the PR.  Durations in seconds (_s) and
-- hours (_h).
CREATE VIEW v_pr_stages AS
WITH pr AS (
    SELECT p.pull_request_id, p.application_id, p.repository, p.number, p.title, p.author,
           p.created_at, p.merged_at, p.merge_commit_sha, p.squash_commit_sha,
           (SELECT MIN(COALESCE((SELECT MIN(c.authored_at) FROM fact_commit c
                                 WHERE c.sha = pc.sha), l.authored_at))
              FROM fact_pull_request_commit pc
              LEFT JOIN fact_pull_request_listed_commit l
                ON l.application_id = p.application_id AND l.repository = p.repository
               AND l.number = p.number AND l.sha = pc.sha
             WHERE pc.application_id = p.application_id
               AND pc.pull_request_id = p.pull_request_id) AS first_commit_at,
           (SELECT MIN(r.submitted_at) FROM fact_pull_request_review r
             WHERE r.application_id = p.application_id AND r.repository = p.repository
               AND r.number = p.number
               AND (p.author IS NULL OR r.reviewer IS NULL OR r.reviewer <> p.author))
               AS first_review_at,
           (SELECT MIN(d.finished_at)
              FROM fact_commit c
              JOIN bridge_deployment_commit b ON b.commit_id = c.commit_id
              JOIN derived_deployment dd ON dd.deployment_id = b.deployment_id
              JOIN fact_deployment d ON d.deployment_id = b.deployment_id
             WHERE c.sha IN (p.merge_commit_sha, p.squash_commit_sha)
               AND b.is_baseline = 0) AS deployed_at
    FROM fact_pull_request p
    WHERE p.merged_at IS NOT NULL
),
raw AS (
    SELECT pr.*,
           created_at - first_commit_at AS coding_raw,
           first_review_at - created_at AS pickup_raw,
           merged_at - first_review_at AS review_raw,
           deployed_at - merged_at AS deploy_raw
    FROM pr
)
SELECT raw.pull_request_id, NULLIF(raw.application_id, 0) AS application_id,
       a.name AS application, raw.repository, raw.number, raw.title, raw.author,
       raw.created_at, raw.merged_at, raw.first_commit_at, raw.first_review_at,
       raw.deployed_at,
       CASE WHEN coding_raw < 0 THEN 0 ELSE coding_raw END AS coding_s,
       CASE WHEN pickup_raw < 0 THEN 0 ELSE pickup_raw END AS pickup_s,
       CASE WHEN review_raw < 0 THEN 0 ELSE review_raw END AS review_s,
       CASE WHEN deploy_raw < 0 THEN 0 ELSE deploy_raw END AS deploy_s,
       CAST(CASE WHEN coding_raw < 0 THEN 0 ELSE coding_raw END AS DOUBLE PRECISION) / 3600
           AS coding_h,
       CAST(CASE WHEN pickup_raw < 0 THEN 0 ELSE pickup_raw END AS DOUBLE PRECISION) / 3600
           AS pickup_h,
       CAST(CASE WHEN review_raw < 0 THEN 0 ELSE review_raw END AS DOUBLE PRECISION) / 3600
           AS review_h,
       CAST(CASE WHEN deploy_raw < 0 THEN 0 ELSE deploy_raw END AS DOUBLE PRECISION) / 3600
           AS deploy_h,
       CASE WHEN coding_raw < 0 THEN 1 ELSE 0 END + CASE WHEN pickup_raw < 0 THEN 1 ELSE 0 END
       + CASE WHEN review_raw < 0 THEN 1 ELSE 0 END + CASE WHEN deploy_raw < 0 THEN 1 ELSE 0 END
           AS clamped
FROM raw
LEFT JOIN dim_application a ON a.application_id = raw.application_id;

-- The stage samples by scope: one row per merged PR, stage and scope that
-- holds it: its application, the application's team, and the organisation
-- (configured applications only, metrics.md Decisions 9; name
-- 'organisation').  value_s is NULL when the PR has no such stage; clamped
-- is 1 when the stage was negative and clamped to 0.  stage_order: coding
-- 1, pickup 2, review 3, deploy 4.  The week of merged_at is the period.
CREATE VIEW v_pr_stage_samples AS
WITH s AS (
    SELECT application_id, merged_at, 'coding' AS stage, 1 AS stage_order,
           coding_s AS value_s, CASE WHEN first_commit_at > created_at THEN 1 ELSE 0 END AS clamped
    FROM v_pr_stages
    UNION ALL
    SELECT application_id, merged_at, 'pickup', 2, pickup_s,
           CASE WHEN first_review_at < created_at THEN 1 ELSE 0 END
    FROM v_pr_stages
    UNION ALL
    SELECT application_id, merged_at, 'review', 3, review_s,
           CASE WHEN first_review_at > merged_at THEN 1 ELSE 0 END
    FROM v_pr_stages
    UNION ALL
    SELECT application_id, merged_at, 'deploy', 4, deploy_s,
           CASE WHEN deployed_at < merged_at THEN 1 ELSE 0 END
    FROM v_pr_stages
)
SELECT 'application' AS scope, a.name AS name, dd.week_start, s.merged_at, s.stage,
       s.stage_order, s.value_s, s.clamped
FROM s
JOIN dim_application a ON a.application_id = s.application_id AND a.configured = 1
JOIN dim_date dd ON dd.date_key = s.merged_at / 86400
UNION ALL
SELECT 'team', t.name, dd.week_start, s.merged_at, s.stage, s.stage_order, s.value_s, s.clamped
FROM s
JOIN dim_application a ON a.application_id = s.application_id AND a.configured = 1
JOIN dim_team t ON t.team_id = a.team_id
JOIN dim_date dd ON dd.date_key = s.merged_at / 86400
UNION ALL
SELECT 'organisation', 'organisation', dd.week_start, s.merged_at, s.stage, s.stage_order,
       s.value_s, s.clamped
FROM s
JOIN dim_application a ON a.application_id = s.application_id AND a.configured = 1
JOIN dim_date dd ON dd.date_key = s.merged_at / 86400;

-- Per scope, ISO week of merged_at and stage: merged PRs, the count of
-- samples, their median and p85 in hours by the rules of metrics.md
-- Conventions (median: the middle value, or the mean of the two middle
-- values; p85: nearest rank, the value at rank ceil(0.85 n)), and how many
-- were clamped.  No sample: count 0, median and p85 NULL, never 0.  The
-- same rule, over a report window instead of a week, is
-- templates/sql/report_pr_stages.sql.
CREATE VIEW v_pr_stage_weekly AS
WITH ranked AS (
    SELECT scope, name, week_start, stage, stage_order, value_s, clamped,
           ROW_NUMBER() OVER (PARTITION BY scope, name, week_start, stage,
                                           CASE WHEN value_s IS NULL THEN 1 ELSE 0 END
                              ORDER BY value_s) AS rn,
           COUNT(value_s) OVER (PARTITION BY scope, name, week_start, stage) AS n
    FROM v_pr_stage_samples
)
SELECT scope, name, week_start, stage, stage_order, COUNT(*) AS merged_prs,
       COUNT(value_s) AS samples,
       CAST(AVG(CASE WHEN value_s IS NOT NULL AND rn IN ((n + 1) / 2, (n + 2) / 2)
                     THEN value_s END) AS DOUBLE PRECISION) / 3600 AS median_h,
       CAST(MAX(CASE WHEN value_s IS NOT NULL AND rn = (85 * n + 99) / 100
                     THEN value_s END) AS DOUBLE PRECISION) / 3600 AS p85_h,
       SUM(clamped) AS clamped
FROM ranked
GROUP BY scope, name, week_start, stage, stage_order;

-- ---------------------------------------------------------------- epics and themes
-- metrics.md "Hierarchy roll-up", from derived_hierarchy (transform/
-- hierarchy.h decides each item's epic, theme and whether it is a sub-task).
-- A group is an epic (level 'epic') or a theme (level 'theme'), named by
-- its key whether or not that item is loaded.  An epic's children are the
-- items whose epic it is; a theme's are the children of its epics (the
-- epics themselves are not counted as its items).  Sub-tasks count only in
-- last_change_at and applications, never as items: items_total, done,
-- remaining, percent_done, throughput, flow distribution and cycle time are
-- over the other children.  Children of any application: a group spans
-- applications freely.

-- One row per group and child: the child's flow (v_flow_items), whether it
-- is a sub-task, and its latest transition (last_change_at).
CREATE VIEW v_hierarchy_items AS
SELECT m.level, m.group_key, m.work_item_id, f.item_key, f.application_id, f.application,
       m.is_subtask, f.flow_type, f.category, f.end_at, f.cycle_s,
       (SELECT max(t.at) FROM fact_transition t
         WHERE t.application_id = COALESCE(f.application_id, 0)
           AND t.work_item_id = m.work_item_id) AS last_change_at
FROM (SELECT CAST('epic' AS TEXT) AS level, h.epic_key AS group_key, h.work_item_id,
             h.is_subtask
        FROM derived_hierarchy h WHERE h.epic_key IS NOT NULL
      UNION ALL
      SELECT CAST('theme' AS TEXT), h.theme_key, h.work_item_id, h.is_subtask
        FROM derived_hierarchy h WHERE h.theme_key IS NOT NULL AND h.is_epic = 0) m
JOIN v_flow_items f ON f.work_item_id = m.work_item_id;

-- The distinct applications of each group's children (sub-tasks included).
CREATE VIEW v_hierarchy_applications AS
SELECT DISTINCT level, group_key, application_id, application
FROM v_hierarchy_items WHERE application_id IS NOT NULL;

-- Progress per group: every epic (with or without children), every theme
-- an epic or a child names.  percent_done = items_done / items_total as a
-- fraction 0..1 (metrics.md; NULL with no items).  application_list: the
-- applications' names, sorted, comma-separated.  Median cycle time over the
-- children with a cycle time (Conventions: the middle value, or the mean of
-- the two middle ones), in hours.
CREATE VIEW v_hierarchy_progress AS
WITH RECURSIVE grp AS (
    SELECT level, group_key FROM v_hierarchy_items
    UNION
    SELECT CAST('epic' AS TEXT), w.item_key FROM derived_hierarchy h
      JOIN dim_work_item w ON w.work_item_id = h.work_item_id WHERE h.is_epic = 1
    UNION
    SELECT CAST('theme' AS TEXT), h.theme_key FROM derived_hierarchy h
     WHERE h.is_epic = 1 AND h.theme_key IS NOT NULL
), agg AS (
    SELECT level, group_key,
           SUM(1 - is_subtask) AS items_total,
           SUM(CASE WHEN is_subtask = 0 AND category = 'done' THEN 1 ELSE 0 END) AS items_done,
           SUM(is_subtask) AS subtasks,
           MAX(last_change_at) AS last_change_at,
           COUNT(DISTINCT application_id) AS applications
    FROM v_hierarchy_items GROUP BY level, group_key
), cyc AS (
    SELECT level, group_key, cycle_s,
           ROW_NUMBER() OVER (PARTITION BY level, group_key ORDER BY cycle_s) AS rn,
           COUNT(*) OVER (PARTITION BY level, group_key) AS n
    FROM v_hierarchy_items WHERE is_subtask = 0 AND cycle_s IS NOT NULL
), med AS (
    SELECT level, group_key, MAX(n) AS cycle_time_count,
           AVG(CAST(cycle_s AS DOUBLE PRECISION)) / 3600.0 AS cycle_time_median_h
    FROM cyc WHERE rn = (n + 1) / 2 OR rn = (n + 2) / 2
    GROUP BY level, group_key
), apps AS (
    SELECT level, group_key, application,
           ROW_NUMBER() OVER (PARTITION BY level, group_key ORDER BY application) AS rn
    FROM v_hierarchy_applications
), names AS (
    SELECT level, group_key, rn, CAST(application AS TEXT) AS list FROM apps WHERE rn = 1
    UNION ALL
    SELECT a.level, a.group_key, a.rn, n.list || ', ' || a.application
    FROM names n JOIN apps a ON a.level = n.level AND a.group_key = n.group_key
                            AND a.rn = n.rn + 1
), epics AS (
    SELECT theme_key, COUNT(*) AS epics FROM derived_hierarchy
    WHERE is_epic = 1 AND theme_key IS NOT NULL GROUP BY theme_key
)
SELECT g.level, g.group_key AS key, w.work_item_id, w.summary, w.status,
       CASE WHEN g.level = 'theme' THEN COALESCE(e.epics, 0) END AS epics,
       COALESCE(agg.items_total, 0) AS items_total, COALESCE(agg.items_done, 0) AS items_done,
       COALESCE(agg.items_total, 0) - COALESCE(agg.items_done, 0) AS items_remaining,
       CASE WHEN agg.items_total > 0
            THEN CAST(agg.items_done AS DOUBLE PRECISION) / agg.items_total END AS percent_done,
       COALESCE(agg.subtasks, 0) AS subtasks, agg.last_change_at,
       COALESCE(agg.applications, 0) AS applications, nm.list AS application_list,
       COALESCE(med.cycle_time_count, 0) AS cycle_time_count, med.cycle_time_median_h
FROM grp g
LEFT JOIN dim_work_item w ON w.item_key = g.group_key
LEFT JOIN agg ON agg.level = g.level AND agg.group_key = g.group_key
LEFT JOIN med ON med.level = g.level AND med.group_key = g.group_key
LEFT JOIN names nm ON nm.level = g.level AND nm.group_key = g.group_key
                  AND nm.rn = agg.applications
LEFT JOIN epics e ON e.theme_key = g.group_key AND g.level = 'theme';

-- Throughput and flow distribution per group and ISO week (weeks with a
-- child ending in them): the children whose end falls in the week, in total
-- and per flow type, and each type's share of the week's throughput.
CREATE VIEW v_hierarchy_flow AS
SELECT it.level, it.group_key AS key, dd.week_start, COUNT(*) AS throughput,
       SUM(CASE WHEN it.flow_type = 'feature' THEN 1 ELSE 0 END) AS feature,
       SUM(CASE WHEN it.flow_type = 'defect' THEN 1 ELSE 0 END) AS defect,
       SUM(CASE WHEN it.flow_type = 'risk' THEN 1 ELSE 0 END) AS risk,
       SUM(CASE WHEN it.flow_type = 'debt' THEN 1 ELSE 0 END) AS debt,
       AVG(CASE WHEN it.flow_type = 'feature' THEN 1.0 ELSE 0.0 END) AS feature_share,
       AVG(CASE WHEN it.flow_type = 'defect' THEN 1.0 ELSE 0.0 END) AS defect_share,
       AVG(CASE WHEN it.flow_type = 'risk' THEN 1.0 ELSE 0.0 END) AS risk_share,
       AVG(CASE WHEN it.flow_type = 'debt' THEN 1.0 ELSE 0.0 END) AS debt_share
FROM v_hierarchy_items it
JOIN dim_date dd ON dd.date_key = it.end_at / 86400
WHERE it.is_subtask = 0 AND it.end_at IS NOT NULL
GROUP BY it.level, it.group_key, dd.week_start;
