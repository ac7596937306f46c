-- migrate.sql - the schema version row and the portable parts of the
-- migration steps (load/warehouse.c, "Schema versions").
-- Named statements; the format is described at the top of load/sql/sink.sql.

-- name: version_get
SELECT max(version), count(*) FROM schema_version

-- name: version_insert
INSERT INTO schema_version (version) VALUES (?1)

-- name: version_set
UPDATE schema_version SET version = ?1

-- Version 2: files whose transitions were rejected as "unknown work item"
-- before landed_file.deferred existed are read again, so those transitions
-- are not lost for good (run only when the column was just added).
-- name: v2_landed_file_deferred
UPDATE landed_file SET deferred = (SELECT count(*) FROM reject r
        WHERE r.source = landed_file.source AND r.file = landed_file.landed_path
          AND r.reason LIKE 'unknown work item %')
