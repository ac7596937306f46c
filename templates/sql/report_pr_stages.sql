-- report_pr_stages.sql - the pull-request stages sheet of the weekly
-- report: per scope (application, team, organisation) and stage, over the
-- PRs merged in the report window [?1, ?2) (UTC seconds).
-- Columns: scope, name, stage (coding, pickup, review, deploy, in that
-- order), merged_prs (PRs merged in the window), samples (those with the
-- stage), median_h and p85_h (hours; metrics.md Conventions, as
-- v_pr_stage_weekly; NULL when there is no sample, never 0), clamped
-- (negative stages counted as 0).  ?3 is the report's as-of instant
-- (`report --as-of`; else now): a deploy stage that ended after it was not
-- known then and is no sample, so a past week renders as it did.  ?4 is
-- the organisation's name ([catwalk] organisation, metrics.md Decisions 9),
-- the name of the organisation's rows.
WITH known AS (
    SELECT scope, CASE WHEN scope = 'organisation' THEN CAST(?4 AS TEXT) ELSE name END AS name,
           stage, stage_order, clamped,
           CASE WHEN stage = 'deploy' AND merged_at + value_s > CAST(?3 AS BIGINT) THEN NULL
                ELSE value_s END AS value_s
    FROM v_pr_stage_samples
    WHERE merged_at >= CAST(?1 AS BIGINT) AND merged_at < CAST(?2 AS BIGINT)
),
ranked AS (
    SELECT scope, name, stage, stage_order, value_s, clamped,
           ROW_NUMBER() OVER (PARTITION BY scope, name, stage,
                                           CASE WHEN value_s IS NULL THEN 1 ELSE 0 END
                              ORDER BY value_s) AS rn,
           COUNT(value_s) OVER (PARTITION BY scope, name, stage) AS n
    FROM known
)
SELECT scope, name, stage, COUNT(*) AS merged_prs, COUNT(value_s) AS samples,
       CAST(AVG(CASE WHEN value_s IS NOT NULL AND rn IN ((n + 1) / 2, (n + 2) / 2)
                     THEN value_s END) AS DOUBLE PRECISION) / 3600 AS median_h,
       CAST(MAX(CASE WHEN value_s IS NOT NULL AND rn = (85 * n + 99) / 100
                     THEN value_s END) AS DOUBLE PRECISION) / 3600 AS p85_h,
       SUM(clamped) AS clamped
FROM ranked
GROUP BY scope, name, stage, stage_order
ORDER BY CASE scope WHEN 'application' THEN 0 WHEN 'team' THEN 1 ELSE 2 END, name, stage_order;
