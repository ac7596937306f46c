-- report_traceability.sql - the Traceability section of the weekly report
-- (reports/section.c): per application, the non-merge commits newly
-- deployed to production in the window [?1, ?2) by deployments after their
-- repository's baseline, how many name a work item, and the share
-- (metrics.md "Traceability").  Applications with no such commit are left out.
--   application, deployed_commits, traceable, untraceable, traceability_pct (0..1)
SELECT application,
       count(*) AS deployed_commits,
       sum(has_key) AS traceable,
       count(*) - sum(has_key) AS untraceable,
       CAST(sum(has_key) AS DOUBLE PRECISION) / count(*) AS traceability_pct
  FROM v_traceability
 WHERE is_baseline = 0
   AND finished_at >= CAST(?1 AS BIGINT) AND finished_at < CAST(?2 AS BIGINT)
 GROUP BY application
 ORDER BY traceability_pct, application
