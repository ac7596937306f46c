-- trust_sources.sql - the data-trust banner's sources (reports/trust.c): one
-- row per source that ever ran (source_run), in name order:
--   source, type (dim_source; NULL before its first record), last_ok_at (the
--   end of the latest batch in which it loaded successfully; NULL: never),
--   last_status and error (of its latest run: ok | failed | empty), rejects
--   (all batches: a reject stays until its file is fixed, as in the Audit
--   sheet), in_last_batch (1 when its latest run is in the latest batch that
--   ran any source: only those make the banner a warning).
WITH last_run AS (
    SELECT source, MAX(batch_id) AS batch_id
      FROM source_run
     GROUP BY source
),
last_ok AS (
    SELECT r.source, MAX(b.finished_at) AS finished_at
      FROM source_run r
      JOIN batch b ON b.batch_id = r.batch_id
     WHERE r.status = 'ok' AND b.finished_at IS NOT NULL
     GROUP BY r.source
),
rejects AS (
    SELECT source, COUNT(*) AS n
      FROM reject
     GROUP BY source
)
SELECT lr.source, s.type, lo.finished_at, r.status, r.error, COALESCE(x.n, 0),
       CASE WHEN lr.batch_id = (SELECT MAX(batch_id) FROM source_run) THEN 1 ELSE 0 END
  FROM last_run lr
  JOIN source_run r ON r.source = lr.source AND r.batch_id = lr.batch_id
  LEFT JOIN dim_source s ON s.name = lr.source
  LEFT JOIN last_ok lo ON lo.source = lr.source
  LEFT JOIN rejects x ON x.source = lr.source
 ORDER BY lr.source;
