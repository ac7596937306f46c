-- report_coverage.sql - the metric coverage lines of a window: how many
-- samples each figure rests on against its base ("lead time from 1,104 of
-- 1,131 deployed commits"), per application, team and the organisation.
--   ?1 window start (inclusive, UTC seconds)   ?2 window end (exclusive)
-- Columns: scope (application | team | organisation), name (NULL for the
-- organisation: the caller names it), metric (v_coverage's), samples, base,
-- coverage_pct (samples / base, 0..1).  Only figures with a base in the
-- window appear.
SELECT scope, name, metric, samples, base,
       CAST(samples AS DOUBLE PRECISION) / base AS coverage_pct
  FROM (SELECT 'application' AS scope, 1 AS scope_order, application AS name, metric,
               SUM(sample) AS samples, COUNT(*) AS base
          FROM v_coverage
         WHERE at >= CAST(?1 AS BIGINT) AND at < CAST(?2 AS BIGINT)
         GROUP BY application, metric
        UNION ALL
        SELECT 'team', 2, team, metric, SUM(sample), COUNT(*)
          FROM v_coverage
         WHERE at >= CAST(?1 AS BIGINT) AND at < CAST(?2 AS BIGINT) AND team IS NOT NULL
         GROUP BY team, metric
        UNION ALL
        SELECT 'organisation', 3, CAST(NULL AS TEXT), metric, SUM(sample), COUNT(*)
          FROM v_coverage
         WHERE at >= CAST(?1 AS BIGINT) AND at < CAST(?2 AS BIGINT)
         GROUP BY metric) c
 ORDER BY scope_order, name, metric;
