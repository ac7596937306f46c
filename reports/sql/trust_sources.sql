-- trust_sources.sql - the data-trust banner's sources (reports/trust.c): one
-- row per source that ever ran (source_run), in name order:
--   source, type (dim_source; NULL before its first record), last_ok_at (the
--   end of the latest batch in which it loaded successfully; NULL: never),
--   last_status and error (of its latest run: ok | failed | empty), rejects
--   (all batches: a reject stays until its file is fixed, as in the Audit
--   sheet), in_last_batch (1 when its latest run is in the latest batch that
--   ran any source: only those make the banner a warning).
-- ?1 the as-of instant (cw_now(): `--as-of` re-renders a past week): only
-- batches started by then count, so a re-render shows the banner as it was.
WITH runs AS (
    SELECT r.source, r.batch_id, r.status, r.error, b.finished_at
      FROM source_run r
      JOIN batch b ON b.batch_id = r.batch_id
     WHERE b.started_at <= ?1
),
last_run AS (
    SELECT source, MAX(batch_id) AS batch_id
      FROM runs
     GROUP BY source
),
last_ok AS (
    SELECT source, MAX(finished_at) AS finished_at
      FROM runs
     WHERE status = 'ok' AND finished_at IS NOT NULL
     GROUP BY source
),
rejects AS (
    SELECT x.source, COUNT(*) AS n
      FROM reject x
      JOIN batch b ON b.batch_id = x.batch_id
     WHERE b.started_at <= ?1
     GROUP BY x.source
)
SELECT lr.source, s.type, lo.finished_at, r.status, r.error, COALESCE(x.n, 0),
       CASE WHEN lr.batch_id = (SELECT MAX(batch_id) FROM runs) THEN 1 ELSE 0 END
  FROM last_run lr
  JOIN runs r ON r.source = lr.source AND r.batch_id = lr.batch_id
  LEFT JOIN dim_source s ON s.name = lr.source
  LEFT JOIN last_ok lo ON lo.source = lr.source
  LEFT JOIN rejects x ON x.source = lr.source
 ORDER BY lr.source;
