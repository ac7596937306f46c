-- report_quality.sql - the data-quality findings of a window (metrics.md
-- "Data-quality findings"): per kind, its count and up to 5 examples.
--   ?1 window start (inclusive, UTC seconds)   ?2 window end (exclusive)
-- A finding with no instant (at NULL: a status, a truncated changelog, a
-- source) belongs to every window.
-- Columns: kind, metric (the output fields it affects), count (findings of
-- the kind in the window), rank (1..5), subject (the example's natural key),
-- detail.  Examples are the first 5 subjects in byte order (the warehouse's
-- collation, README "PostgreSQL"); kinds in byte order.
SELECT kind, metric, n, rn, subject, detail
  FROM (SELECT kind, metric, subject, detail,
               COUNT(*) OVER (PARTITION BY kind) AS n,
               ROW_NUMBER() OVER (PARTITION BY kind ORDER BY subject, detail) AS rn
          FROM v_data_quality_finding
         WHERE at IS NULL
            OR (at >= CAST(?1 AS BIGINT) AND at < CAST(?2 AS BIGINT))) f
 WHERE rn <= 5
 ORDER BY kind, rn;
