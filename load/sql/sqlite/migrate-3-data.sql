-- migrate-3-data.sql (SQLite) - version 3, second half: the rows set aside
-- by migrate-3.sql go back into the fact tables schema.sql has just created,
-- with their ids; a NULL application becomes 0.  The columns the facts did
-- not have (transitions, build revisions, deployment statuses, pull
-- requests) start at 0 and are filled from their parents by the
-- re-attachment that follows (load/resolve.c, wh_reattach).
INSERT INTO fact_commit (commit_id, repository, sha, application_id, author_id, authored_at,
       committed_at, parents, parent_count, subject, body, additions, deletions,
       files_changed, has_ancestry)
SELECT commit_id, repository, sha, coalesce(application_id, 0), author_id, authored_at,
       committed_at, parents, parent_count, subject, body, additions, deletions,
       files_changed, has_ancestry FROM cw_v3_fact_commit;
INSERT INTO fact_build (build_id, source_id, job, number, application_id, result, started_at,
       finished_at, revision, url, is_deployment, environment_id)
SELECT build_id, source_id, job, number, coalesce(application_id, 0), result, started_at,
       finished_at, revision, url, is_deployment, environment_id FROM cw_v3_fact_build;
INSERT INTO fact_build_revision (build_id, seq, remote, revision)
SELECT build_id, seq, remote, revision FROM cw_v3_fact_build_revision;
INSERT INTO fact_deployment (deployment_id, build_id, application_id, environment_id,
       is_production, result, started_at, finished_at, revision, run_number)
SELECT deployment_id, build_id, coalesce(application_id, 0), environment_id,
       is_production, result, started_at, finished_at, revision, run_number
  FROM cw_v3_fact_deployment;
INSERT INTO fact_deployment_status (source_id, job, number, status_id, state, created_at)
SELECT source_id, job, number, status_id, state, created_at FROM cw_v3_fact_deployment_status;
INSERT INTO fact_pull_request (pull_request_id, source_id, repository, number, title, body,
       source_branch, target_branch, state, author, created_at, updated_at, closed_at,
       merged_at, merge_commit_sha, squash_commit_sha)
SELECT pull_request_id, source_id, repository, number, title, body,
       source_branch, target_branch, state, author, created_at, updated_at, closed_at,
       merged_at, merge_commit_sha, squash_commit_sha FROM cw_v3_fact_pull_request;
INSERT INTO fact_incident (incident_id, source_id, external_id, number, application_id, title,
       description, service, status, severity, created_at, resolved_at, updated_at, version)
SELECT incident_id, source_id, external_id, number, coalesce(application_id, 0), title,
       description, service, status, severity, created_at, resolved_at, updated_at, version
  FROM cw_v3_fact_incident;
INSERT INTO fact_transition (work_item_id, at, history_id, from_status, to_status)
SELECT work_item_id, at, history_id, from_status, to_status FROM cw_v3_fact_transition;

DROP TABLE cw_v3_fact_transition;
DROP TABLE cw_v3_fact_commit;
DROP TABLE cw_v3_fact_build;
DROP TABLE cw_v3_fact_build_revision;
DROP TABLE cw_v3_fact_deployment;
DROP TABLE cw_v3_fact_deployment_status;
DROP TABLE cw_v3_fact_pull_request;
DROP TABLE cw_v3_fact_incident;
