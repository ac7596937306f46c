-- sink.sql - the record upserts behind cw_sink (load/sink.c), one named
-- statement each.
--
-- Format of every load/sql/*.sql file (read once at open by load/sqlset.c):
-- a statement starts at its "-- name: NAME" line and runs to the next one;
-- whole-line comments are dropped, so the driver gets plain SQL; never put
-- a comment at the end of a line.  Parameters are ?1, ?2 ... (load/db.h).
-- The SQL is portable (SQLite 3.35+ and PostgreSQL 15): IS DISTINCT FROM as
-- the null-safe compare, RETURNING for new ids, CAST(?n AS ...) where a
-- parameter's type cannot be inferred from a column.
--
-- Every upsert is INSERT ... ON CONFLICT (natural key) DO UPDATE ... WHERE
-- <a column changed>, so loading the same records twice writes nothing and
-- the id of an existing row never changes (load/sink.c says why).
--
-- A fact's natural key starts with its application (0: none), computed here
-- from the mirrors resolve.sql attaches by (map_repository, map_job_resolved,
-- map_service, the work item's or the build's), so a row is written where it
-- belongs.  cw_wh_sync_config() re-attaches the facts to a changed
-- configuration before any record loads, so these find the existing rows.

-- name: source_upsert
INSERT INTO dim_source (name, type) VALUES (?1, ?2) ON CONFLICT (name)
DO UPDATE SET type = excluded.type WHERE dim_source.type IS DISTINCT FROM excluded.type

-- name: source_get
SELECT source_id FROM dim_source WHERE name = ?1

-- name: person_get
SELECT person_id FROM dim_person WHERE email = ?1

-- name: person_insert
INSERT INTO dim_person (email, name) VALUES (?1, ?2) RETURNING person_id

-- the first name seen for an address stays: a re-load never flips it
-- name: person_name
UPDATE dim_person SET name = ?2 WHERE person_id = ?1 AND name IS NULL

-- name: item_upsert
INSERT INTO dim_work_item (item_key, project, external_id, source_id, summary,
       item_type, status, source_category, labels, fix_versions, assignee, created_at,
       updated_at, resolved_at, has_changelog, changelog_truncated, status_id, application_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
        (SELECT m.application_id FROM map_project m WHERE m.project = ?2))
ON CONFLICT (item_key) DO UPDATE SET project = excluded.project,
       external_id = excluded.external_id, source_id = excluded.source_id,
       summary = excluded.summary, item_type = excluded.item_type,
       status = excluded.status, source_category = excluded.source_category,
       labels = excluded.labels, fix_versions = excluded.fix_versions,
       assignee = excluded.assignee, created_at = excluded.created_at,
       updated_at = excluded.updated_at, resolved_at = excluded.resolved_at,
       has_changelog = excluded.has_changelog,
       changelog_truncated = excluded.changelog_truncated, status_id = excluded.status_id
-- an older export must not regress newer data
 WHERE (dim_work_item.updated_at IS NULL
        OR excluded.updated_at >= dim_work_item.updated_at)
   AND (dim_work_item.project IS DISTINCT FROM excluded.project
     OR dim_work_item.external_id IS DISTINCT FROM excluded.external_id
     OR dim_work_item.source_id IS DISTINCT FROM excluded.source_id
     OR dim_work_item.summary IS DISTINCT FROM excluded.summary
     OR dim_work_item.item_type IS DISTINCT FROM excluded.item_type
     OR dim_work_item.status IS DISTINCT FROM excluded.status
     OR dim_work_item.source_category IS DISTINCT FROM excluded.source_category
     OR dim_work_item.labels IS DISTINCT FROM excluded.labels
     OR dim_work_item.fix_versions IS DISTINCT FROM excluded.fix_versions
     OR dim_work_item.assignee IS DISTINCT FROM excluded.assignee
     OR dim_work_item.created_at IS DISTINCT FROM excluded.created_at
     OR dim_work_item.updated_at IS DISTINCT FROM excluded.updated_at
     OR dim_work_item.resolved_at IS DISTINCT FROM excluded.resolved_at
     OR dim_work_item.has_changelog IS DISTINCT FROM excluded.has_changelog
     OR dim_work_item.changelog_truncated IS DISTINCT FROM excluded.changelog_truncated
     OR dim_work_item.status_id IS DISTINCT FROM excluded.status_id)

-- name: item_by_key
SELECT work_item_id FROM dim_work_item WHERE item_key = ?1

-- name: item_by_external
SELECT work_item_id FROM dim_work_item WHERE external_id = ?1
 ORDER BY work_item_id LIMIT 1

-- name: transition_insert
INSERT INTO fact_transition (work_item_id, at, history_id, from_status, to_status,
       application_id)
VALUES (?1, ?2, coalesce(CAST(?3 AS TEXT), ''), coalesce(CAST(?4 AS TEXT), ''), ?5,
        coalesce((SELECT w.application_id FROM dim_work_item w WHERE w.work_item_id = ?1), 0))
ON CONFLICT DO NOTHING

-- name: stage_insert
INSERT INTO stage_transition (source, file, record, item_key, item_id, at, history_id,
       from_status, to_status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)

-- Staged transitions whose item is known by now, attached in one
-- statement: the item by key, else by the source's id (the lowest
-- work_item_id, as item_by_external), in the order they were read.
-- name: stage_attach
INSERT INTO fact_transition (work_item_id, at, history_id, from_status, to_status,
       application_id)
SELECT i.work_item_id, s.at, coalesce(s.history_id, ''), coalesce(s.from_status, ''), s.to_status,
       coalesce(i.application_id, 0)
  FROM stage_transition s
  JOIN dim_work_item i ON i.work_item_id = coalesce(
       (SELECT k.work_item_id FROM dim_work_item k WHERE k.item_key = s.item_key),
       (SELECT min(e.work_item_id) FROM dim_work_item e WHERE e.external_id = s.item_id))
 WHERE true ORDER BY s.stage_id
ON CONFLICT DO NOTHING

-- name: stage_count
SELECT count(*) FROM stage_transition

-- The rest: their item is unknown (resolve.c rejects them).
-- name: stage_unmatched
SELECT s.source, s.file, s.record, s.item_key, s.item_id FROM stage_transition s
 WHERE NOT EXISTS (SELECT 1 FROM dim_work_item k WHERE k.item_key = s.item_key)
   AND NOT EXISTS (SELECT 1 FROM dim_work_item e WHERE e.external_id = s.item_id)
 ORDER BY s.stage_id

-- name: stage_clear
DELETE FROM stage_transition

-- Links of work items (cw_work_item_link).  A record that carries its
-- item's links stages a marker (link_mark) and then its links
-- (link_stage), both named by the record's file and position.  Once the
-- batch is parsed (cw_wh_resolve) each item's links are REPLACED by those of
-- its governing record: of its markers, those the item's row took (the
-- item_upsert rule: not older than the row's updated_at), the last read.
-- So a link the source dropped disappears, an older export read later does
-- not bring old links back, and an item loaded without links keeps its own.
-- A target named only by the source's id (CSV "Parent id") is the item with
-- that external_id (the lowest work_item_id, as item_by_external).
-- name: link_mark
INSERT INTO stage_work_item_link (source, file, record, item_key, updated_at)
VALUES (?1, ?2, ?3, ?4, ?5)

-- name: link_stage
INSERT INTO stage_work_item_link (source, file, record, item_key, kind, target_key, target_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)

-- name: link_stage_count
SELECT count(*) FROM stage_work_item_link

-- name: link_prune
WITH gov AS (
SELECT m.file, m.record, m.item_key, i.work_item_id, coalesce(i.application_id, 0) AS application_id
  FROM stage_work_item_link m
  JOIN dim_work_item i ON i.item_key = m.item_key
 WHERE m.kind IS NULL
   AND (i.updated_at IS NULL OR m.updated_at >= i.updated_at)
   AND NOT EXISTS (SELECT 1 FROM stage_work_item_link n
                    WHERE n.kind IS NULL AND n.item_key = m.item_key AND n.stage_id > m.stage_id
                      AND (i.updated_at IS NULL OR n.updated_at >= i.updated_at))),
got AS (
SELECT g.application_id, g.work_item_id, s.kind,
       coalesce(s.target_key, (SELECT e.item_key FROM dim_work_item e WHERE e.external_id = s.target_id
                                ORDER BY e.work_item_id LIMIT 1)) AS target_key
  FROM gov g
  JOIN stage_work_item_link s ON s.file = g.file AND s.record = g.record
                             AND s.item_key = g.item_key AND s.kind IS NOT NULL)
DELETE FROM fact_work_item_link
 WHERE work_item_id IN (SELECT work_item_id FROM gov)
   AND NOT EXISTS (SELECT 1 FROM got
                    WHERE got.work_item_id = fact_work_item_link.work_item_id
                      AND got.application_id = fact_work_item_link.application_id
                      AND got.kind = fact_work_item_link.kind
                      AND got.target_key = fact_work_item_link.target_key)

-- name: link_attach
WITH gov AS (
SELECT m.file, m.record, m.item_key, i.work_item_id, coalesce(i.application_id, 0) AS application_id
  FROM stage_work_item_link m
  JOIN dim_work_item i ON i.item_key = m.item_key
 WHERE m.kind IS NULL
   AND (i.updated_at IS NULL OR m.updated_at >= i.updated_at)
   AND NOT EXISTS (SELECT 1 FROM stage_work_item_link n
                    WHERE n.kind IS NULL AND n.item_key = m.item_key AND n.stage_id > m.stage_id
                      AND (i.updated_at IS NULL OR n.updated_at >= i.updated_at))),
got AS (
SELECT g.application_id, g.work_item_id, s.kind,
       coalesce(s.target_key, (SELECT e.item_key FROM dim_work_item e WHERE e.external_id = s.target_id
                                ORDER BY e.work_item_id LIMIT 1)) AS target_key
  FROM gov g
  JOIN stage_work_item_link s ON s.file = g.file AND s.record = g.record
                             AND s.item_key = g.item_key AND s.kind IS NOT NULL)
INSERT INTO fact_work_item_link (application_id, work_item_id, kind, target_key)
SELECT DISTINCT got.application_id, got.work_item_id, got.kind, got.target_key FROM got
 WHERE got.target_key IS NOT NULL
ON CONFLICT DO NOTHING

-- Staged links (of any record) and whose target id names no loaded item:
-- rejected (resolve.c); the rest count as loaded.
-- name: link_unmatched
SELECT s.source, s.file, s.record, s.item_key, s.target_id FROM stage_work_item_link s
 WHERE s.kind IS NOT NULL AND s.target_key IS NULL
   AND NOT EXISTS (SELECT 1 FROM dim_work_item e WHERE e.external_id = s.target_id)
 ORDER BY s.stage_id

-- name: link_count
SELECT count(*) FROM stage_work_item_link WHERE kind IS NOT NULL

-- name: link_stage_clear
DELETE FROM stage_work_item_link

-- name: source_status_upsert
INSERT INTO source_status (source_id, status_id, name, category) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (source_id, status_id) DO UPDATE SET name = excluded.name,
       category = excluded.category
 WHERE source_status.name IS DISTINCT FROM excluded.name
    OR source_status.category IS DISTINCT FROM excluded.category

-- parents from an export without ancestry never replace full ones, so the
-- graph does not depend on which export loads last
-- name: commit_upsert
INSERT INTO fact_commit (repository, sha, author_id, authored_at, committed_at,
       parents, parent_count, subject, body, additions, deletions, files_changed, has_ancestry,
       application_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
        coalesce((SELECT m.application_id FROM map_repository m WHERE m.repository = ?1), 0))
ON CONFLICT (application_id, repository, sha) DO UPDATE SET author_id = excluded.author_id,
       authored_at = excluded.authored_at, committed_at = excluded.committed_at,
       parents = CASE WHEN excluded.has_ancestry >= fact_commit.has_ancestry
                      THEN excluded.parents ELSE fact_commit.parents END,
       parent_count = CASE WHEN excluded.has_ancestry >= fact_commit.has_ancestry
                           THEN excluded.parent_count ELSE fact_commit.parent_count END,
       has_ancestry = CASE WHEN excluded.has_ancestry > fact_commit.has_ancestry
                           THEN excluded.has_ancestry ELSE fact_commit.has_ancestry END,
       subject = excluded.subject, body = excluded.body,
       additions = excluded.additions, deletions = excluded.deletions,
       files_changed = excluded.files_changed
 WHERE fact_commit.author_id IS DISTINCT FROM excluded.author_id
    OR fact_commit.authored_at IS DISTINCT FROM excluded.authored_at
    OR fact_commit.committed_at IS DISTINCT FROM excluded.committed_at
    OR (fact_commit.parents IS DISTINCT FROM excluded.parents
        AND excluded.has_ancestry >= fact_commit.has_ancestry)
    OR (fact_commit.parent_count IS DISTINCT FROM excluded.parent_count
        AND excluded.has_ancestry >= fact_commit.has_ancestry)
    OR fact_commit.has_ancestry < excluded.has_ancestry
    OR fact_commit.subject IS DISTINCT FROM excluded.subject
    OR fact_commit.body IS DISTINCT FROM excluded.body
    OR fact_commit.additions IS DISTINCT FROM excluded.additions
    OR fact_commit.deletions IS DISTINCT FROM excluded.deletions
    OR fact_commit.files_changed IS DISTINCT FROM excluded.files_changed

-- name: env_upsert
INSERT INTO dim_environment (name, is_production) VALUES (?1, ?2)
ON CONFLICT (name) DO UPDATE SET is_production = excluded.is_production
 WHERE dim_environment.is_production IS DISTINCT FROM excluded.is_production

-- name: env_get
SELECT environment_id FROM dim_environment WHERE name = ?1

-- a deployment re-read without its finish (GitHub: the finish and result
-- come from its statuses, set by resolve.sql) keeps them
-- name: build_upsert
INSERT INTO fact_build (source_id, job, number, result, started_at, finished_at,
       revision, url, is_deployment, environment_id, application_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
        coalesce((SELECT r.application_id FROM map_job_resolved r WHERE r.job = ?2), 0))
ON CONFLICT (application_id, source_id, job, number) DO UPDATE
   SET result = coalesce(excluded.result, fact_build.result),
       started_at = excluded.started_at,
       finished_at = coalesce(excluded.finished_at, fact_build.finished_at),
       revision = excluded.revision, url = excluded.url,
       is_deployment = excluded.is_deployment, environment_id = excluded.environment_id
 WHERE fact_build.result IS DISTINCT FROM coalesce(excluded.result, fact_build.result)
    OR fact_build.started_at IS DISTINCT FROM excluded.started_at
    OR fact_build.finished_at IS DISTINCT FROM coalesce(excluded.finished_at, fact_build.finished_at)
    OR fact_build.revision IS DISTINCT FROM excluded.revision
    OR fact_build.url IS DISTINCT FROM excluded.url
    OR fact_build.is_deployment IS DISTINCT FROM excluded.is_deployment
    OR fact_build.environment_id IS DISTINCT FROM excluded.environment_id

-- the build's checkouts: seq ?4 upserted, those past the last (?4 of the
-- prune) deleted, so a re-load that changes nothing writes nothing.  The
-- build is found by its whole key, application first, as build_upsert
-- wrote it.
-- name: build_revision_upsert
INSERT INTO fact_build_revision (application_id, build_id, seq, remote, revision)
SELECT b.application_id, b.build_id, CAST(?4 AS BIGINT), CAST(?5 AS TEXT), CAST(?6 AS TEXT)
  FROM fact_build b
 WHERE b.application_id = coalesce((SELECT r.application_id FROM map_job_resolved r WHERE r.job = ?2), 0)
   AND b.source_id = ?1 AND b.job = ?2 AND b.number = ?3
ON CONFLICT (application_id, build_id, seq) DO UPDATE SET remote = excluded.remote,
       revision = excluded.revision
 WHERE fact_build_revision.remote IS DISTINCT FROM excluded.remote
    OR fact_build_revision.revision IS DISTINCT FROM excluded.revision

-- name: build_revision_prune
DELETE FROM fact_build_revision WHERE seq >= ?4
   AND application_id = coalesce((SELECT r.application_id FROM map_job_resolved r WHERE r.job = ?2), 0)
   AND build_id = (SELECT b.build_id FROM fact_build b
                    WHERE b.application_id = coalesce((SELECT r.application_id FROM map_job_resolved r WHERE r.job = ?2), 0)
                      AND b.source_id = ?1 AND b.job = ?2 AND b.number = ?3)

-- the WHERE is required: it tells SQLite's parser ON CONFLICT is not a join
-- name: deploy_upsert
INSERT INTO fact_deployment (build_id, application_id, environment_id, is_production,
       result, started_at, finished_at, revision, run_number)
SELECT b.build_id, b.application_id, CAST(?4 AS BIGINT), CAST(?5 AS BIGINT),
       CAST(?6 AS TEXT), CAST(?7 AS BIGINT), CAST(?8 AS BIGINT), CAST(?9 AS TEXT), b.number
  FROM fact_build b
 WHERE b.application_id = coalesce((SELECT r.application_id FROM map_job_resolved r WHERE r.job = ?2), 0)
   AND b.source_id = ?1 AND b.job = ?2 AND b.number = ?3
ON CONFLICT (application_id, build_id) DO UPDATE SET environment_id = excluded.environment_id,
       is_production = excluded.is_production, result = excluded.result,
       started_at = excluded.started_at, finished_at = excluded.finished_at,
       revision = excluded.revision, run_number = excluded.run_number
 WHERE fact_deployment.environment_id IS DISTINCT FROM excluded.environment_id
    OR fact_deployment.is_production IS DISTINCT FROM excluded.is_production
    OR fact_deployment.result IS DISTINCT FROM excluded.result
    OR fact_deployment.started_at IS DISTINCT FROM excluded.started_at
    OR fact_deployment.finished_at IS DISTINCT FROM excluded.finished_at
    OR fact_deployment.revision IS DISTINCT FROM excluded.revision
    OR fact_deployment.run_number IS DISTINCT FROM excluded.run_number

-- The service, hence the application, is an attribute of an incident, not
-- part of what names it: before its upsert, the incident (?1 source, ?2 its
-- id) moves to the application of the service it now names (?3), so the
-- upsert finds it there instead of adding a second row.  When the record is
-- older than the row (the upsert then keeps the row's values),
-- incident_application (resolve.sql) moves it back by the service it kept.
-- name: incident_move
UPDATE fact_incident
   SET application_id = coalesce((SELECT m.application_id FROM map_service m
                                   WHERE m.service = ?3), 0)
 WHERE source_id = ?1 AND external_id = ?2
   AND application_id <> coalesce((SELECT m.application_id FROM map_service m
                                    WHERE m.service = ?3), 0)

-- latest wins: (version, updated_at), absent values lowest
-- name: incident_upsert
INSERT INTO fact_incident (source_id, external_id, number, title, description,
       service, status, severity, created_at, resolved_at, updated_at, version, application_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,
        coalesce((SELECT m.application_id FROM map_service m WHERE m.service = ?6), 0))
ON CONFLICT (application_id, source_id, external_id) DO UPDATE SET number = excluded.number,
       title = excluded.title, description = excluded.description,
       service = excluded.service, status = excluded.status,
       severity = excluded.severity, created_at = excluded.created_at,
       resolved_at = excluded.resolved_at, updated_at = excluded.updated_at,
       version = excluded.version
 WHERE (coalesce(excluded.version, -1), coalesce(excluded.updated_at, -9223372036854775807))
    >= (coalesce(fact_incident.version, -1),
        coalesce(fact_incident.updated_at, -9223372036854775807))
   AND (fact_incident.number IS DISTINCT FROM excluded.number
     OR fact_incident.title IS DISTINCT FROM excluded.title
     OR fact_incident.description IS DISTINCT FROM excluded.description
     OR fact_incident.service IS DISTINCT FROM excluded.service
     OR fact_incident.status IS DISTINCT FROM excluded.status
     OR fact_incident.severity IS DISTINCT FROM excluded.severity
     OR fact_incident.created_at IS DISTINCT FROM excluded.created_at
     OR fact_incident.resolved_at IS DISTINCT FROM excluded.resolved_at
     OR fact_incident.updated_at IS DISTINCT FROM excluded.updated_at
     OR fact_incident.version IS DISTINCT FROM excluded.version)

-- an older page must not regress newer data
-- name: pull_request_upsert
INSERT INTO fact_pull_request (source_id, repository, number, title, body, source_branch,
       target_branch, state, author, created_at, updated_at, closed_at, merged_at,
       merge_commit_sha, squash_commit_sha, application_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
        coalesce((SELECT m.application_id FROM map_repository m WHERE m.repository = ?2), 0))
ON CONFLICT (application_id, repository, number) DO UPDATE SET source_id = excluded.source_id,
       title = excluded.title, body = excluded.body, source_branch = excluded.source_branch,
       target_branch = excluded.target_branch, state = excluded.state,
       author = excluded.author, created_at = excluded.created_at,
       updated_at = excluded.updated_at, closed_at = excluded.closed_at,
       merged_at = excluded.merged_at, merge_commit_sha = excluded.merge_commit_sha,
       squash_commit_sha = excluded.squash_commit_sha
 WHERE (fact_pull_request.updated_at IS NULL
        OR excluded.updated_at >= fact_pull_request.updated_at)
   AND (fact_pull_request.source_id IS DISTINCT FROM excluded.source_id
     OR fact_pull_request.title IS DISTINCT FROM excluded.title
     OR fact_pull_request.body IS DISTINCT FROM excluded.body
     OR fact_pull_request.source_branch IS DISTINCT FROM excluded.source_branch
     OR fact_pull_request.target_branch IS DISTINCT FROM excluded.target_branch
     OR fact_pull_request.state IS DISTINCT FROM excluded.state
     OR fact_pull_request.author IS DISTINCT FROM excluded.author
     OR fact_pull_request.created_at IS DISTINCT FROM excluded.created_at
     OR fact_pull_request.updated_at IS DISTINCT FROM excluded.updated_at
     OR fact_pull_request.closed_at IS DISTINCT FROM excluded.closed_at
     OR fact_pull_request.merged_at IS DISTINCT FROM excluded.merged_at
     OR fact_pull_request.merge_commit_sha IS DISTINCT FROM excluded.merge_commit_sha
     OR fact_pull_request.squash_commit_sha IS DISTINCT FROM excluded.squash_commit_sha)

-- a PR's commit as its source lists it: the same sha listed again changes
-- only its author date
-- name: pull_request_commit_upsert
INSERT INTO fact_pull_request_listed_commit (source_id, repository, number, sha, authored_at,
       application_id)
VALUES (?1, ?2, ?3, ?4, ?5,
        coalesce((SELECT m.application_id FROM map_repository m WHERE m.repository = ?2), 0))
ON CONFLICT (application_id, repository, number, sha) DO UPDATE SET
       source_id = excluded.source_id, authored_at = excluded.authored_at
 WHERE fact_pull_request_listed_commit.source_id IS DISTINCT FROM excluded.source_id
    OR fact_pull_request_listed_commit.authored_at IS DISTINCT FROM excluded.authored_at

-- name: pull_request_review_upsert
INSERT INTO fact_pull_request_review (source_id, repository, number, review_id, reviewer, state,
       submitted_at, application_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,
        coalesce((SELECT m.application_id FROM map_repository m WHERE m.repository = ?2), 0))
ON CONFLICT (application_id, repository, number, review_id) DO UPDATE SET
       source_id = excluded.source_id, reviewer = excluded.reviewer, state = excluded.state,
       submitted_at = excluded.submitted_at
 WHERE fact_pull_request_review.source_id IS DISTINCT FROM excluded.source_id
    OR fact_pull_request_review.reviewer IS DISTINCT FROM excluded.reviewer
    OR fact_pull_request_review.state IS DISTINCT FROM excluded.state
    OR fact_pull_request_review.submitted_at IS DISTINCT FROM excluded.submitted_at

-- name: deploy_status_upsert
INSERT INTO fact_deployment_status (source_id, job, number, status_id, state, created_at,
       application_id)
VALUES (?1, ?2, ?3, ?4, ?5, ?6,
        coalesce((SELECT r.application_id FROM map_job_resolved r WHERE r.job = ?2), 0))
ON CONFLICT (application_id, source_id, job, number, status_id) DO UPDATE SET state = excluded.state,
       created_at = excluded.created_at
 WHERE fact_deployment_status.state IS DISTINCT FROM excluded.state
    OR fact_deployment_status.created_at IS DISTINCT FROM excluded.created_at

-- A KPI names its application by the name configured for it; ?1 the name.
-- name: kpi_application
SELECT application_id FROM dim_application WHERE name = ?1

-- the latest load of a (application, KPI, instant) wins
-- name: kpi_upsert
INSERT INTO fact_kpi (application_id, name, at, value, source_id) VALUES (?1, ?2, ?3, ?4, ?5)
ON CONFLICT (application_id, name, at) DO UPDATE SET value = excluded.value,
       source_id = excluded.source_id
 WHERE fact_kpi.value IS DISTINCT FROM excluded.value
    OR fact_kpi.source_id IS DISTINCT FROM excluded.source_id

-- name: reject_insert
INSERT INTO reject (batch_id, source, file, record, field, reason, raw)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)

-- ---------------------------------------------------------------- releases
-- A release by (project, name): the latest record's dates and flags win
-- (every issue carrying a version describes it the same way), except a
-- start date: an issue's fix version never carries one (only a project's
-- versions page does), so a record without it keeps the one known.
-- name: release_upsert
INSERT INTO dim_release (project, name, external_id, source_id, start_at, release_at,
       released, archived)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
ON CONFLICT (project, name) DO UPDATE SET external_id = excluded.external_id,
       source_id = excluded.source_id,
       start_at = coalesce(excluded.start_at, dim_release.start_at),
       release_at = excluded.release_at, released = excluded.released,
       archived = excluded.archived
 WHERE dim_release.external_id IS DISTINCT FROM excluded.external_id
    OR dim_release.source_id IS DISTINCT FROM excluded.source_id
    OR (excluded.start_at IS NOT NULL AND dim_release.start_at IS DISTINCT FROM excluded.start_at)
    OR dim_release.release_at IS DISTINCT FROM excluded.release_at
    OR dim_release.released IS DISTINCT FROM excluded.released
    OR dim_release.archived IS DISTINCT FROM excluded.archived

-- Fix Version changes are always staged (their item may still be staged
-- itself) and attached by cw_wh_resolve(), as staged transitions are.
-- name: version_stage
INSERT INTO stage_work_item_version (source, file, record, item_key, item_id, at, history_id,
       version, version_id, op) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)

-- name: version_attach
INSERT INTO fact_work_item_version (work_item_id, at, history_id, version, version_id, op,
       application_id)
SELECT i.work_item_id, s.at, coalesce(s.history_id, ''), s.version, coalesce(s.version_id, ''),
       s.op, coalesce(i.application_id, 0)
  FROM stage_work_item_version s
  JOIN dim_work_item i ON i.work_item_id = coalesce(
       (SELECT k.work_item_id FROM dim_work_item k WHERE k.item_key = s.item_key),
       (SELECT min(e.work_item_id) FROM dim_work_item e WHERE e.external_id = s.item_id))
 WHERE true ORDER BY s.stage_id
ON CONFLICT DO NOTHING

-- name: version_count
SELECT count(*) FROM stage_work_item_version

-- the same columns as stage_unmatched: resolve.c rejects them alike
-- name: version_unmatched
SELECT s.source, s.file, s.record, s.item_key, s.item_id FROM stage_work_item_version s
 WHERE NOT EXISTS (SELECT 1 FROM dim_work_item k WHERE k.item_key = s.item_key)
   AND NOT EXISTS (SELECT 1 FROM dim_work_item e WHERE e.external_id = s.item_id)
 ORDER BY s.stage_id

-- name: version_clear
DELETE FROM stage_work_item_version
