-- batch.sql - the batch audit row, the landed-file ledger, the extraction
-- audit and the other small statements around a batch (load/batch.c).
-- Named statements; the format is described at the top of load/sql/sink.sql.

-- name: batch_insert
INSERT INTO batch (started_at, status, config_path) VALUES (?1, 'running', ?2)
RETURNING batch_id

-- name: batch_finish
UPDATE batch SET finished_at = ?2, status = ?3, files_landed = ?4, files_skipped = ?5,
       rows_read = ?6, rows_loaded = ?7, rows_rejected = ?8, sources_failed = ?9,
       rows_changed = ?10
 WHERE batch_id = ?1

-- name: batch_status
UPDATE batch SET status = ?2 WHERE batch_id = ?1

-- name: file_seen
SELECT 1 FROM landed_file WHERE source = ?1 AND sha256 = ?2 AND deferred = 0

-- a file read again (it had deferred rejects) keeps its row and id
-- name: file_landed
INSERT INTO landed_file (batch_id, source, original_path, landed_path, sha256, bytes)
VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (source, sha256) DO UPDATE
   SET batch_id = excluded.batch_id, original_path = excluded.original_path,
       landed_path = excluded.landed_path, bytes = excluded.bytes,
       records = 0, rejects = 0, deferred = 0
RETURNING landed_file_id

-- name: file_done
UPDATE landed_file SET records = ?2, rejects = ?3 WHERE landed_file_id = ?1
   AND (records IS DISTINCT FROM ?2 OR rejects IS DISTINCT FROM ?3)

-- A file of this path, size and modification time loaded before (and not
-- waiting to be read again): known without reading it.
-- name: file_known
SELECT 1 FROM landed_file
 WHERE source = ?1 AND original_path = ?2 AND bytes = ?3 AND mtime_ns = ?4 AND deferred = 0
 LIMIT 1

-- the modification time of the original a ledger row was read from, when
-- it is the same path (a copy elsewhere with the same bytes keeps its own)
-- name: file_mtime
UPDATE landed_file SET mtime_ns = ?4
 WHERE source = ?1 AND original_path = ?2 AND sha256 = ?3 AND mtime_ns IS DISTINCT FROM ?4

-- What the derived tables were last computed by: the newest committed
-- batch's fingerprint (pipeline.c).
-- name: derived_get
SELECT derived_by FROM batch WHERE status IN ('ok', 'partial')
 ORDER BY batch_id DESC LIMIT 1

-- name: derived_set
UPDATE batch SET derived_by = ?2 WHERE batch_id = ?1

-- name: file_defer
UPDATE landed_file SET rejects = rejects + 1, deferred = deferred + 1
 WHERE source = ?1 AND landed_path = ?2

-- Landed paths are stored as the landing root was spelled then, which need
-- not be how it is spelled now: look for the folder name between slashes.
-- ?1 is a LIKE pattern with \ as its escape; load/batch.c checks the case.
-- name: landing_paths
SELECT landed_path FROM landed_file WHERE landed_path LIKE ?1 ESCAPE '\'

-- name: source_audit
INSERT INTO source_run (batch_id, source, mode, status, since, requests, retries,
       rate_limit_waits, waited_s, bytes, pages, items, files, elapsed_s, error)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
ON CONFLICT (batch_id, source) DO UPDATE SET mode = excluded.mode, status = excluded.status,
       since = excluded.since, requests = excluded.requests, retries = excluded.retries,
       rate_limit_waits = excluded.rate_limit_waits, waited_s = excluded.waited_s,
       bytes = excluded.bytes, pages = excluded.pages, items = excluded.items,
       files = excluded.files, elapsed_s = excluded.elapsed_s, error = excluded.error

-- Every table a source writes, with the column that says how recent a row
-- is.  The newest over all of them is the source's watermark.
-- name: watermark
SELECT max(t) FROM (
       SELECT max(coalesce(w.updated_at, w.created_at)) AS t FROM dim_work_item w
         JOIN dim_source s ON s.source_id = w.source_id WHERE s.name = ?1
       UNION ALL
       SELECT max(coalesce(i.updated_at, i.resolved_at, i.created_at)) FROM fact_incident i
         JOIN dim_source s ON s.source_id = i.source_id WHERE s.name = ?1
       UNION ALL
       SELECT max(b.finished_at) FROM fact_build b
         JOIN dim_source s ON s.source_id = b.source_id WHERE s.name = ?1
       UNION ALL
       SELECT max(coalesce(p.updated_at, p.created_at)) FROM fact_pull_request p
         JOIN dim_source s ON s.source_id = p.source_id WHERE s.name = ?1) AS newest

-- name: finding_clear
DELETE FROM finding WHERE kind = ?1 AND subject = ?2

-- name: finding_upsert
INSERT INTO finding (kind, subject, detail) VALUES (?1, ?2, ?3)
ON CONFLICT (kind, subject) DO UPDATE SET detail = excluded.detail
 WHERE finding.detail IS DISTINCT FROM excluded.detail
