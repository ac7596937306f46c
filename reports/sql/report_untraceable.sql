-- report_untraceable.sql - production deployments whose revision is not in
-- the commit graph (metrics.md, Traceability: "untraceable changes, listed
-- per deployment for audit"), finishing in the report window.
--   ?1 window start (inclusive, UTC seconds)   ?2 window end (exclusive)
SELECT a.name, b.job, b.number, d.finished_at, d.revision, e.name
  FROM derived_deployment dd
  JOIN fact_deployment d ON d.deployment_id = dd.deployment_id
  JOIN fact_build b ON b.build_id = d.build_id
  LEFT JOIN dim_application a ON a.application_id = d.application_id
  LEFT JOIN dim_environment e ON e.environment_id = d.environment_id
 WHERE dd.traceable = 0
   AND d.finished_at >= CAST(?1 AS BIGINT) AND d.finished_at < CAST(?2 AS BIGINT)
 ORDER BY d.finished_at, b.job, b.number;
