-- v5-to-v2-postgresql.sql - turns a new (version 5) PostgreSQL warehouse back
-- into the shape of version 2, the release before every fact's natural key
-- started with application_id, for test_db.c (schema_v2_upgraded).  First
-- the inverse of version 6 (forecast_history's columns), of version 5 (its
-- three tables) and of version 4 (its two added columns and the index on
-- them),
-- then the exact inverse of load/sql/postgresql/migrate-3.sql: the old keys
-- and foreign keys under the names PostgreSQL gave them in version 2,
-- nullable application columns, and no application column where version 2
-- had none.  (A server database cannot be shipped as a file, as
-- tests/data/warehouse/v2.db is for SQLite; that file, written by the
-- version-2 DDL itself, is what catches a schema change without a migration
-- step.)
-- version 6's forecast_history columns and nullable dates, back to the
-- version-5 table (version 2 had none: the table is kept so that the
-- PostgreSQL step of version 6, load/sql/postgresql/migrate-6.sql, runs)
DROP INDEX ix_forecast_history_made_at;
ALTER TABLE forecast_history DROP COLUMN remaining, DROP COLUMN items_by_planned_85,
    DROP COLUMN at_risk, DROP COLUMN critical_release_id, DROP COLUMN reason,
    ALTER COLUMN p50_at SET NOT NULL, ALTER COLUMN p85_at SET NOT NULL,
    ALTER COLUMN p95_at SET NOT NULL;

DROP TABLE derived_commit_key;
DROP TABLE derived_project;
DROP TABLE derived_missing_parent;

DROP INDEX landed_file_by_path;
ALTER TABLE landed_file DROP COLUMN mtime_ns;
ALTER TABLE batch DROP COLUMN derived_by;

ALTER TABLE fact_transition DROP COLUMN application_id;
ALTER TABLE fact_transition ADD PRIMARY KEY (work_item_id, at, history_id, from_status, to_status);

ALTER TABLE fact_commit DROP CONSTRAINT fact_commit_application_id_repository_sha_key,
    ALTER COLUMN application_id DROP NOT NULL, ALTER COLUMN application_id DROP DEFAULT,
    ADD UNIQUE (repository, sha),
    ADD FOREIGN KEY (application_id) REFERENCES dim_application(application_id);

ALTER TABLE fact_build DROP CONSTRAINT fact_build_application_id_source_id_job_number_key,
    ALTER COLUMN application_id DROP NOT NULL, ALTER COLUMN application_id DROP DEFAULT,
    ADD UNIQUE (source_id, job, number),
    ADD FOREIGN KEY (application_id) REFERENCES dim_application(application_id);

ALTER TABLE fact_build_revision DROP COLUMN application_id;
ALTER TABLE fact_build_revision ADD PRIMARY KEY (build_id, seq);

ALTER TABLE fact_deployment DROP CONSTRAINT fact_deployment_application_id_build_id_key,
    ALTER COLUMN application_id DROP NOT NULL, ALTER COLUMN application_id DROP DEFAULT,
    ADD UNIQUE (build_id),
    ADD FOREIGN KEY (application_id) REFERENCES dim_application(application_id);

ALTER TABLE fact_deployment_status DROP COLUMN application_id;
ALTER TABLE fact_deployment_status ADD PRIMARY KEY (source_id, job, number, status_id);

ALTER TABLE fact_pull_request DROP COLUMN application_id;
ALTER TABLE fact_pull_request ADD UNIQUE (repository, number);

DROP INDEX ix_incident_external;
ALTER TABLE fact_incident DROP CONSTRAINT fact_incident_application_id_source_id_external_id_key,
    ALTER COLUMN application_id DROP NOT NULL, ALTER COLUMN application_id DROP DEFAULT,
    ADD UNIQUE (source_id, external_id),
    ADD FOREIGN KEY (application_id) REFERENCES dim_application(application_id);
