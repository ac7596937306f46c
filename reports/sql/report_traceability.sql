-- report_traceability.sql - change traceability per application over the
-- report window (metrics.md "Traceability"): the non-merge commits newly
-- deployed by non-baseline successful production deployments finishing in
-- the window (v_traceability), how many carry a key (their message, a
-- request containing them or a merge that brought them in; an item not
-- loaded counts), and the keys of their commits whose item is not loaded.
--   ?1 window start (inclusive, UTC seconds)   ?2 window end (exclusive)
-- Columns: application (name), deployed_commits (count), traced_commits
-- (count), traceability (traced / deployed, 0..1, NULL without commits),
-- untraced_commits (count), keys_not_loaded (distinct keys, count).
SELECT a.name AS application,
       COUNT(t.commit_id) AS deployed_commits,
       COALESCE(SUM(t.has_key), 0) AS traced_commits,
       AVG(CAST(t.has_key AS DOUBLE PRECISION)) AS traceability,
       COUNT(t.commit_id) - COALESCE(SUM(t.has_key), 0) AS untraced_commits,
       (SELECT COUNT(DISTINCT u.item_key)
          FROM derived_commit_key u
          JOIN v_traceability x ON x.commit_id = u.commit_id
         WHERE x.application_id = a.application_id
           AND x.finished_at >= CAST(?1 AS BIGINT) AND x.finished_at < CAST(?2 AS BIGINT))
           AS keys_not_loaded
  FROM dim_application a
  LEFT JOIN v_traceability t
         ON t.application_id = a.application_id
        AND t.finished_at >= CAST(?1 AS BIGINT) AND t.finished_at < CAST(?2 AS BIGINT)
 GROUP BY a.application_id, a.name
 ORDER BY a.name;
