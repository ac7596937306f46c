-- migrate-3.sql (PostgreSQL) - version 3: every fact table's natural key
-- starts with application_id (load/warehouse.c, "Schema versions").  The
-- constraints are altered in place; the names are the ones PostgreSQL gave
-- the version-2 schema.sql's constraints.  A NULL application becomes 0,
-- which no dim_application row has, so the foreign keys to it go.  The new
-- columns start at 0 and are filled from their parents by the
-- re-attachment that follows (load/resolve.c, wh_reattach).
ALTER TABLE fact_transition ADD COLUMN application_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fact_transition DROP CONSTRAINT fact_transition_pkey,
    ADD PRIMARY KEY (application_id, work_item_id, at, history_id, from_status, to_status);

ALTER TABLE fact_commit DROP CONSTRAINT fact_commit_application_id_fkey;
UPDATE fact_commit SET application_id = 0 WHERE application_id IS NULL;
ALTER TABLE fact_commit ALTER COLUMN application_id SET DEFAULT 0, ALTER COLUMN application_id SET NOT NULL,
    DROP CONSTRAINT fact_commit_repository_sha_key,
    ADD UNIQUE (application_id, repository, sha);

ALTER TABLE fact_build DROP CONSTRAINT fact_build_application_id_fkey;
UPDATE fact_build SET application_id = 0 WHERE application_id IS NULL;
ALTER TABLE fact_build ALTER COLUMN application_id SET DEFAULT 0, ALTER COLUMN application_id SET NOT NULL,
    DROP CONSTRAINT fact_build_source_id_job_number_key,
    ADD UNIQUE (application_id, source_id, job, number);

ALTER TABLE fact_build_revision ADD COLUMN application_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fact_build_revision DROP CONSTRAINT fact_build_revision_pkey,
    ADD PRIMARY KEY (application_id, build_id, seq);

ALTER TABLE fact_deployment DROP CONSTRAINT fact_deployment_application_id_fkey;
UPDATE fact_deployment SET application_id = 0 WHERE application_id IS NULL;
ALTER TABLE fact_deployment ALTER COLUMN application_id SET DEFAULT 0, ALTER COLUMN application_id SET NOT NULL,
    DROP CONSTRAINT fact_deployment_build_id_key,
    ADD UNIQUE (application_id, build_id);

ALTER TABLE fact_deployment_status ADD COLUMN application_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fact_deployment_status DROP CONSTRAINT fact_deployment_status_pkey,
    ADD PRIMARY KEY (application_id, source_id, job, number, status_id);

ALTER TABLE fact_pull_request ADD COLUMN application_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE fact_pull_request DROP CONSTRAINT fact_pull_request_repository_number_key,
    ADD UNIQUE (application_id, repository, number);

ALTER TABLE fact_incident DROP CONSTRAINT fact_incident_application_id_fkey;
UPDATE fact_incident SET application_id = 0 WHERE application_id IS NULL;
ALTER TABLE fact_incident ALTER COLUMN application_id SET DEFAULT 0, ALTER COLUMN application_id SET NOT NULL,
    DROP CONSTRAINT fact_incident_source_id_external_id_key,
    ADD UNIQUE (application_id, source_id, external_id);
