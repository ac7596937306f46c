-- report_quality.sql - the data-quality findings of a window (metrics.md
-- "Data-quality findings"): per kind, its count and up to 5 examples.
--   ?1 window start (inclusive, UTC seconds)   ?2 window end (exclusive)
-- The findings of v_data_quality_finding dated in the window; one with no
-- instant (at NULL: a status, a truncated changelog, a source) belongs to
-- every window.  Plus "source with no records in the window", which needs
-- the window: a source (dim_source) none of whose items, transitions,
-- builds, incidents, pull requests or KPI values is dated in it.  Git
-- sources are left out of that part (a commit does not record its source),
-- and so is a generic CSV source with neither incidents nor KPI values (its
-- target is transitions, which record their item's source, or releases,
-- which are plans rather than dated records); a source that
-- gave no record at all is the loader's finding, already in the view.
-- Columns (`catwalk check --data` reads them by position; the names follow
-- the report sections' convention, reports/section.c): kind, affects (the
-- output fields it affects), findings (of the kind in the window), example
-- (its rank, 1..5), subject (the example's natural key), detail.  Examples
-- are the first 5 subjects in byte order (the warehouse's collation, README
-- "PostgreSQL"); kinds in byte order.
WITH found AS (
    SELECT kind, metric, subject, detail
      FROM v_data_quality_finding
     WHERE at IS NULL
        OR (at >= CAST(?1 AS BIGINT) AND at < CAST(?2 AS BIGINT))
    UNION ALL
    SELECT 'source_no_records', 'every metric of the source', s.name,
           'no record dated in the window'
      FROM dim_source s
     WHERE s.type <> 'git'
       AND (s.type <> 'csv'
            OR EXISTS (SELECT 1 FROM fact_incident i WHERE i.source_id = s.source_id)
            OR EXISTS (SELECT 1 FROM fact_kpi k WHERE k.source_id = s.source_id))
       AND NOT EXISTS (SELECT 1 FROM finding g
                        WHERE g.kind = 'source_no_records' AND g.subject = s.name)
       AND NOT EXISTS (SELECT 1 FROM dim_work_item w
                        WHERE w.source_id = s.source_id
                          AND ((w.created_at >= CAST(?1 AS BIGINT) AND w.created_at < CAST(?2 AS BIGINT))
                            OR (w.updated_at >= CAST(?1 AS BIGINT) AND w.updated_at < CAST(?2 AS BIGINT))
                            OR (w.resolved_at >= CAST(?1 AS BIGINT) AND w.resolved_at < CAST(?2 AS BIGINT))))
       AND NOT EXISTS (SELECT 1 FROM fact_transition t
                         JOIN dim_work_item w ON w.work_item_id = t.work_item_id
                        WHERE w.source_id = s.source_id
                          AND t.at >= CAST(?1 AS BIGINT) AND t.at < CAST(?2 AS BIGINT))
       AND NOT EXISTS (SELECT 1 FROM fact_build b
                        WHERE b.source_id = s.source_id
                          AND ((b.finished_at >= CAST(?1 AS BIGINT) AND b.finished_at < CAST(?2 AS BIGINT))
                            OR (b.started_at >= CAST(?1 AS BIGINT) AND b.started_at < CAST(?2 AS BIGINT))))
       AND NOT EXISTS (SELECT 1 FROM fact_incident i
                        WHERE i.source_id = s.source_id
                          AND ((i.created_at >= CAST(?1 AS BIGINT) AND i.created_at < CAST(?2 AS BIGINT))
                            OR (i.resolved_at >= CAST(?1 AS BIGINT) AND i.resolved_at < CAST(?2 AS BIGINT))
                            OR (i.updated_at >= CAST(?1 AS BIGINT) AND i.updated_at < CAST(?2 AS BIGINT))))
       AND NOT EXISTS (SELECT 1 FROM fact_pull_request p
                        WHERE p.source_id = s.source_id
                          AND ((p.created_at >= CAST(?1 AS BIGINT) AND p.created_at < CAST(?2 AS BIGINT))
                            OR (p.updated_at >= CAST(?1 AS BIGINT) AND p.updated_at < CAST(?2 AS BIGINT))
                            OR (p.merged_at >= CAST(?1 AS BIGINT) AND p.merged_at < CAST(?2 AS BIGINT))
                            OR (p.closed_at >= CAST(?1 AS BIGINT) AND p.closed_at < CAST(?2 AS BIGINT))))
       AND NOT EXISTS (SELECT 1 FROM fact_kpi k
                        WHERE k.source_id = s.source_id
                          AND k.at >= CAST(?1 AS BIGINT) AND k.at < CAST(?2 AS BIGINT))
)
SELECT kind, metric AS affects, n AS findings, rn AS example, subject, detail
  FROM (SELECT kind, metric, subject, detail,
               COUNT(*) OVER (PARTITION BY kind) AS n,
               ROW_NUMBER() OVER (PARTITION BY kind ORDER BY subject, detail) AS rn
          FROM found) f
 WHERE rn <= 5
 ORDER BY kind, rn;
