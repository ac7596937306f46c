-- report_wip_age.sql - the oldest work in progress at the report instant.
-- An item is in progress at T when the status interval holding T (every
-- transition strictly before T applied: from_at < T <= to_at) is in the
-- in_progress category; its WIP age is T - start (metrics.md, Work items).
-- The intervals holding T are those still open and those closed at or after
-- T: two ranges of the partial index ix_interval_in_progress, not every
-- interval that ever started before T.
--   ?1 the report instant (window end, UTC seconds)   ?2 how many items
SELECT w.item_key, w.summary, a.name, i.status,
       CAST(CAST(?1 AS BIGINT) - dw.start_at AS DOUBLE PRECISION) / 3600.0 AS age_h
  FROM (SELECT work_item_id, status, from_at FROM derived_status_interval
         WHERE category = 'in_progress' AND to_at IS NULL
        UNION ALL
        SELECT work_item_id, status, from_at FROM derived_status_interval
         WHERE category = 'in_progress' AND to_at >= CAST(?1 AS BIGINT)) i
  JOIN derived_work_item dw ON dw.work_item_id = i.work_item_id
  JOIN dim_work_item w ON w.work_item_id = i.work_item_id
  LEFT JOIN dim_application a ON a.application_id = w.application_id
 WHERE i.from_at < CAST(?1 AS BIGINT)
   AND w.created_at < CAST(?1 AS BIGINT)
   AND dw.start_at IS NOT NULL AND dw.start_at <= CAST(?1 AS BIGINT)
 ORDER BY age_h DESC, w.item_key
 LIMIT CAST(?2 AS BIGINT);
