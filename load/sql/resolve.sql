-- resolve.sql - attach facts to applications and fill the date dimension
-- (load/resolve.c runs these in order, with the C steps between them).
--
-- Run by cw_wh_resolve() inside the batch transaction, after loading and
-- before correlation.  Every statement writes only rows whose value really
-- changes (IS DISTINCT FROM guards, NOT EXISTS or ON CONFLICT for inserts),
-- so a re-run of the same input writes nothing and ids never move.
--
-- Applications come from the configuration mirrors (map_*), which
-- cw_wh_sync_config() rewrote at the start of the batch: a config change
-- re-attaches old facts without re-reading any file.  CI jobs are matched
-- against the job regexes in C (load/resolve.c), once per distinct job
-- name, into map_job_resolved; the SQL only joins it.
--
-- A fact's application_id is the first column of its natural key (0 when
-- no mapping claims it), so the *_application statements move rows between
-- applications: an UPDATE of a key column here, a move between shards on a
-- distributed PostgreSQL.  They run right after cw_wh_sync_config(),
-- before any record loads, so the sink's upserts find the moved rows by
-- their new key, and again after loading (new job names, new items).
-- Transitions, build revisions, deployments and deployment statuses follow
-- their parent (work item, build, build, the build's job).
-- Named statements; the format is described at the top of load/sql/sink.sql.

-- Work items by Jira project key.
-- name: work_item_application
UPDATE dim_work_item
   SET application_id = (SELECT m.application_id FROM map_project m
                          WHERE m.project = dim_work_item.project)
 WHERE application_id IS DISTINCT FROM (SELECT m.application_id FROM map_project m
                                         WHERE m.project = dim_work_item.project)

-- Transitions follow their work item (0 for an item of no application).
-- name: transition_application
UPDATE fact_transition
   SET application_id = coalesce(w.application_id, 0)
  FROM dim_work_item w
 WHERE w.work_item_id = fact_transition.work_item_id
   AND fact_transition.application_id <> coalesce(w.application_id, 0)

-- name: link_application
UPDATE fact_work_item_link
   SET application_id = coalesce(w.application_id, 0)
  FROM dim_work_item w
 WHERE w.work_item_id = fact_work_item_link.work_item_id
   AND fact_work_item_link.application_id <> coalesce(w.application_id, 0)

-- Commits by the git source's repository name.
-- name: commit_application
UPDATE fact_commit
   SET application_id = coalesce((SELECT m.application_id FROM map_repository m
                                   WHERE m.repository = fact_commit.repository), 0)
 WHERE application_id <> coalesce((SELECT m.application_id FROM map_repository m
                                    WHERE m.repository = fact_commit.repository), 0)

-- Pull requests, like commits, by repository.
-- name: pull_request_application
UPDATE fact_pull_request
   SET application_id = coalesce((SELECT m.application_id FROM map_repository m
                                   WHERE m.repository = fact_pull_request.repository), 0)
 WHERE application_id <> coalesce((SELECT m.application_id FROM map_repository m
                                    WHERE m.repository = fact_pull_request.repository), 0)

-- A pull request's listed commits and reviews, like it, by repository.
-- name: pull_request_commit_application
UPDATE fact_pull_request_listed_commit
   SET application_id = coalesce((SELECT m.application_id FROM map_repository m
                                   WHERE m.repository = fact_pull_request_listed_commit.repository), 0)
 WHERE application_id <> coalesce((SELECT m.application_id FROM map_repository m
                                    WHERE m.repository = fact_pull_request_listed_commit.repository), 0)

-- name: pull_request_review_application
UPDATE fact_pull_request_review
   SET application_id = coalesce((SELECT m.application_id FROM map_repository m
                                   WHERE m.repository = fact_pull_request_review.repository), 0)
 WHERE application_id <> coalesce((SELECT m.application_id FROM map_repository m
                                    WHERE m.repository = fact_pull_request_review.repository), 0)

-- A pull request's commits (by its id) follow it.
-- name: pull_request_commit_follow
UPDATE fact_pull_request_commit
   SET application_id = (SELECT p.application_id FROM fact_pull_request p
                          WHERE p.pull_request_id = fact_pull_request_commit.pull_request_id)
 WHERE application_id <> (SELECT p.application_id FROM fact_pull_request p
                           WHERE p.pull_request_id = fact_pull_request_commit.pull_request_id)

-- Incidents by service name; those of work items (below) follow their item.
-- name: incident_application
UPDATE fact_incident
   SET application_id = coalesce((SELECT m.application_id FROM map_service m
                                   WHERE m.service = fact_incident.service), 0)
 WHERE application_id <> coalesce((SELECT m.application_id FROM map_service m
                                    WHERE m.service = fact_incident.service), 0)
   AND source_id NOT IN (SELECT source_id FROM dim_source WHERE type IN ('jira', 'jira-csv'))

-- Incidents from work items.  [source X] incident_types (map_incident_type)
-- makes each item of X whose type is listed (exactly as the tracker spells
-- it) an incident of the item's application too: external_id and number =
-- the item key, title = summary, service = the project key, status = the
-- item's status, created_at = created, resolved_at = the resolution date,
-- updated_at = updated.  It is a function of dim_work_item and the
-- configuration, kept here after every load (load/resolve.c, incidents_
-- from_items): rows are upserted by (application, source, key) with their
-- ids kept, moved when the item's application moved, and deleted when the
-- item is no longer of a listed type (or the type no longer listed), so a
-- reload writes nothing, a type change or a configuration change leaves
-- exactly the incidents the items now make, and the incremental
-- derivation sees each write (cw_touched).  Only jira and jira-csv sources
-- load work items, so only their fact_incident rows are these.
-- name: item_incident_doomed
SELECT i.external_id, i.incident_id FROM fact_incident i
  JOIN dim_source s ON s.source_id = i.source_id AND s.type IN ('jira', 'jira-csv')
 WHERE NOT EXISTS (SELECT 1 FROM dim_work_item w
                     JOIN map_incident_type m ON m.source = s.name AND m.item_type = w.item_type
                    WHERE w.source_id = i.source_id AND w.item_key = i.external_id)
 ORDER BY i.incident_id

-- the derived row (?1 its id) and findings (?1 its external_id) of an
-- incident that goes: the correlation step writes them again for the rest
-- name: item_incident_forget_derived
DELETE FROM derived_incident WHERE incident_id = ?1

-- name: item_incident_forget_findings
DELETE FROM finding
 WHERE kind IN ('incident_resolved_before_created', 'incident_resolved_before_deployment')
   AND subject = ?1

-- name: item_incident_delete
DELETE FROM fact_incident WHERE incident_id = ?1

-- name: item_incident_move
UPDATE fact_incident
   SET application_id = coalesce(w.application_id, 0)
  FROM dim_work_item w
 WHERE w.source_id = fact_incident.source_id AND w.item_key = fact_incident.external_id
   AND fact_incident.source_id IN (SELECT source_id FROM dim_source
                                    WHERE type IN ('jira', 'jira-csv'))
   AND fact_incident.application_id <> coalesce(w.application_id, 0)

-- name: item_incident_upsert
INSERT INTO fact_incident (source_id, external_id, number, title, description, service, status,
       severity, created_at, resolved_at, updated_at, version, application_id)
SELECT w.source_id, w.item_key, w.item_key, w.summary, NULL, w.project, w.status, NULL,
       w.created_at, w.resolved_at, w.updated_at, NULL, coalesce(w.application_id, 0)
  FROM map_incident_type m
  JOIN dim_source s ON s.name = m.source AND s.type IN ('jira', 'jira-csv')
  JOIN dim_work_item w ON w.source_id = s.source_id AND w.item_type = m.item_type
 WHERE w.created_at IS NOT NULL
ON CONFLICT (application_id, source_id, external_id) DO UPDATE SET number = excluded.number,
       title = excluded.title, service = excluded.service, status = excluded.status,
       created_at = excluded.created_at, resolved_at = excluded.resolved_at,
       updated_at = excluded.updated_at
 WHERE fact_incident.number IS DISTINCT FROM excluded.number
    OR fact_incident.title IS DISTINCT FROM excluded.title
    OR fact_incident.service IS DISTINCT FROM excluded.service
    OR fact_incident.status IS DISTINCT FROM excluded.status
    OR fact_incident.created_at IS DISTINCT FROM excluded.created_at
    OR fact_incident.resolved_at IS DISTINCT FROM excluded.resolved_at
    OR fact_incident.updated_at IS DISTINCT FROM excluded.updated_at

-- Deployments whose finish comes from their statuses (GitHub): the first
-- `success` status finishes it successfully; without one, the first
-- `failure` or `error` status finishes it as failed; with neither (only
-- queued / in_progress / inactive so far) it stays unfinished and out of
-- fact_deployment.  Statuses and deployments may have been loaded in any
-- order and in different batches, hence here and not in the parser.
-- name: deployment_finish
UPDATE fact_build
   SET finished_at = r.finished_at, result = r.result
  FROM (SELECT b.build_id,
               coalesce(min(CASE WHEN s.state = 'success' THEN s.created_at END),
                        min(CASE WHEN s.state IN ('failure', 'error') THEN s.created_at END))
                 AS finished_at,
               CASE WHEN max(CASE WHEN s.state = 'success' THEN 1 ELSE 0 END) = 1
                    THEN 'success'
                    WHEN max(CASE WHEN s.state IN ('failure', 'error') THEN 1 ELSE 0 END) = 1
                    THEN 'failure' END AS result
          FROM fact_build b
          JOIN fact_deployment_status s
            ON s.application_id = b.application_id AND s.source_id = b.source_id
           AND s.job = b.job AND s.number = b.number
         WHERE b.is_deployment = 1
         GROUP BY b.build_id) AS r
 WHERE r.build_id = fact_build.build_id
   AND r.finished_at IS NOT NULL
   AND (fact_build.finished_at IS DISTINCT FROM r.finished_at
        OR fact_build.result IS DISTINCT FROM r.result)

-- The job regexes, first match first (load/resolve.c).
-- name: job_patterns
SELECT pattern, application_id FROM map_job ORDER BY position, application_id

-- name: job_names
SELECT DISTINCT job FROM fact_build

-- name: job_resolved_list
SELECT job, application_id FROM map_job_resolved

-- name: job_resolved_upsert
INSERT INTO map_job_resolved (job, application_id) VALUES (?1, ?2)
ON CONFLICT (job) DO UPDATE SET application_id = excluded.application_id
 WHERE map_job_resolved.application_id IS DISTINCT FROM excluded.application_id

-- name: job_resolved_delete
DELETE FROM map_job_resolved WHERE job = ?1

-- Builds by the job names resolved above.
-- name: build_application
UPDATE fact_build
   SET application_id = coalesce((SELECT r.application_id FROM map_job_resolved r
                                   WHERE r.job = fact_build.job), 0)
 WHERE application_id <> coalesce((SELECT r.application_id FROM map_job_resolved r
                                    WHERE r.job = fact_build.job), 0)

-- Build revisions follow their build.
-- name: build_revision_application
UPDATE fact_build_revision
   SET application_id = b.application_id
  FROM fact_build b
 WHERE b.build_id = fact_build_revision.build_id
   AND fact_build_revision.application_id <> b.application_id

-- Deployment statuses by their job, as the build they belong to (which may
-- not be loaded yet).
-- name: deployment_status_application
UPDATE fact_deployment_status
   SET application_id = coalesce((SELECT r.application_id FROM map_job_resolved r
                                   WHERE r.job = fact_deployment_status.job), 0)
 WHERE application_id <> coalesce((SELECT r.application_id FROM map_job_resolved r
                                    WHERE r.job = fact_deployment_status.job), 0)

-- Those status-finished deployments enter fact_deployment once finished
-- (the sink adds the other deployments as they load); after
-- deployment_follow_build, so an existing one is found under its build's
-- application.
-- name: deployment_from_status
INSERT INTO fact_deployment (build_id, application_id, environment_id, is_production,
                             result, started_at, finished_at, revision, run_number)
SELECT b.build_id, b.application_id, b.environment_id, coalesce(e.is_production, 0),
       b.result, b.started_at, b.finished_at, b.revision, b.number
  FROM fact_build b
  LEFT JOIN dim_environment e ON e.environment_id = b.environment_id
 WHERE b.is_deployment = 1 AND b.finished_at IS NOT NULL
   AND EXISTS (SELECT 1 FROM fact_deployment_status s
                WHERE s.application_id = b.application_id AND s.source_id = b.source_id
                  AND s.job = b.job AND s.number = b.number)
    ON CONFLICT (application_id, build_id) DO UPDATE SET is_production = excluded.is_production,
       result = excluded.result, started_at = excluded.started_at,
       finished_at = excluded.finished_at, revision = excluded.revision,
       run_number = excluded.run_number
 WHERE fact_deployment.is_production IS DISTINCT FROM excluded.is_production
    OR fact_deployment.result IS DISTINCT FROM excluded.result
    OR fact_deployment.started_at IS DISTINCT FROM excluded.started_at
    OR fact_deployment.finished_at IS DISTINCT FROM excluded.finished_at
    OR fact_deployment.revision IS DISTINCT FROM excluded.revision
    OR fact_deployment.run_number IS DISTINCT FROM excluded.run_number

-- Deployments follow their build.
-- name: deployment_follow_build
UPDATE fact_deployment
   SET application_id = b.application_id,
       environment_id = b.environment_id
  FROM fact_build b
 WHERE b.build_id = fact_deployment.build_id
   AND (fact_deployment.application_id IS DISTINCT FROM b.application_id
        OR fact_deployment.environment_id IS DISTINCT FROM b.environment_id)

-- dim_date: the earliest and latest instant any fact touches (load/resolve.c
-- turns them into days and the days into rows).
-- name: date_bounds
SELECT min(lo), max(hi) FROM (
       SELECT min(created_at) AS lo, max(created_at) AS hi FROM dim_work_item
       UNION ALL SELECT min(updated_at), max(updated_at) FROM dim_work_item
       UNION ALL SELECT min(resolved_at), max(resolved_at) FROM dim_work_item
       UNION ALL SELECT min(at), max(at) FROM fact_transition
       UNION ALL SELECT min(authored_at), max(authored_at) FROM fact_commit
       UNION ALL SELECT min(committed_at), max(committed_at) FROM fact_commit
       UNION ALL SELECT min(started_at), max(started_at) FROM fact_build
       UNION ALL SELECT min(finished_at), max(finished_at) FROM fact_build
       UNION ALL SELECT min(created_at), max(created_at) FROM fact_incident
       UNION ALL SELECT min(resolved_at), max(resolved_at) FROM fact_incident
       UNION ALL SELECT min(updated_at), max(updated_at) FROM fact_incident
       UNION ALL SELECT min(merged_at), max(merged_at) FROM fact_pull_request
       UNION ALL SELECT min(at), max(at) FROM fact_kpi) AS instant

-- The same bounds when the batch tracks the rows it writes (cw_wh_track):
-- the days dim_date has and the instants of the rows this batch wrote, so
-- a nightly batch reads what it loaded instead of every fact.  The days
-- come out as they would from date_bounds: dim_date already spans the
-- facts of the batches before.
-- name: date_bounds_touched
SELECT min(lo), max(hi) FROM (
       SELECT min(date_key) * 86400 AS lo, max(date_key) * 86400 AS hi FROM dim_date
       UNION ALL SELECT min(w.created_at), max(w.created_at) FROM dim_work_item w
                  WHERE w.work_item_id IN (SELECT id FROM cw_touched WHERE kind = 'item')
       UNION ALL SELECT min(w.updated_at), max(w.updated_at) FROM dim_work_item w
                  WHERE w.work_item_id IN (SELECT id FROM cw_touched WHERE kind = 'item')
       UNION ALL SELECT min(w.resolved_at), max(w.resolved_at) FROM dim_work_item w
                  WHERE w.work_item_id IN (SELECT id FROM cw_touched WHERE kind = 'item')
       UNION ALL SELECT min(t.at), max(t.at) FROM fact_transition t
                  JOIN (SELECT DISTINCT id, app FROM cw_touched WHERE kind = 'transition') x
                    ON t.application_id = x.app AND t.work_item_id = x.id
       UNION ALL SELECT min(k.authored_at), max(k.authored_at) FROM fact_commit k
                  WHERE k.commit_id IN (SELECT id FROM cw_touched WHERE kind = 'commit')
       UNION ALL SELECT min(k.committed_at), max(k.committed_at) FROM fact_commit k
                  WHERE k.commit_id IN (SELECT id FROM cw_touched WHERE kind = 'commit')
       UNION ALL SELECT min(b.started_at), max(b.started_at) FROM fact_build b
                  WHERE b.build_id IN (SELECT id FROM cw_touched WHERE kind = 'build')
       UNION ALL SELECT min(b.finished_at), max(b.finished_at) FROM fact_build b
                  WHERE b.build_id IN (SELECT id FROM cw_touched WHERE kind = 'build')
       UNION ALL SELECT min(i.created_at), max(i.created_at) FROM fact_incident i
                  WHERE i.incident_id IN (SELECT id FROM cw_touched WHERE kind = 'incident')
       UNION ALL SELECT min(i.resolved_at), max(i.resolved_at) FROM fact_incident i
                  WHERE i.incident_id IN (SELECT id FROM cw_touched WHERE kind = 'incident')
       UNION ALL SELECT min(i.updated_at), max(i.updated_at) FROM fact_incident i
                  WHERE i.incident_id IN (SELECT id FROM cw_touched WHERE kind = 'incident')
       -- pull requests are not tracked: their merge days (the period of
       -- v_pr_stage_samples) from the whole table, one row per PR
       UNION ALL SELECT min(merged_at), max(merged_at) FROM fact_pull_request
       -- KPI series are small and not tracked: all of them
       UNION ALL SELECT min(at), max(at) FROM fact_kpi)
       AS instant

-- When the span is absurd (a bogus year in some export), only the days
-- actually referenced; floor division written out, since integer division
-- truncates toward zero on both engines.
-- name: date_referenced
SELECT DISTINCT (t - ((t % 86400) + 86400) % 86400) / 86400 FROM (
       SELECT created_at AS t FROM dim_work_item
       UNION SELECT updated_at FROM dim_work_item
       UNION SELECT resolved_at FROM dim_work_item
       UNION SELECT at FROM fact_transition
       UNION SELECT authored_at FROM fact_commit
       UNION SELECT committed_at FROM fact_commit
       UNION SELECT started_at FROM fact_build
       UNION SELECT finished_at FROM fact_build
       UNION SELECT created_at FROM fact_incident
       UNION SELECT resolved_at FROM fact_incident
       UNION SELECT updated_at FROM fact_incident
       UNION SELECT merged_at FROM fact_pull_request

       UNION SELECT at FROM fact_kpi) AS referenced
 WHERE t IS NOT NULL

-- name: date_known
SELECT date_key FROM dim_date WHERE date_key BETWEEN ?1 AND ?2 ORDER BY date_key

-- Fix Version changes follow their work item, as transitions do.
-- name: version_application
UPDATE fact_work_item_version
   SET application_id = coalesce(w.application_id, 0)
  FROM dim_work_item w
 WHERE w.work_item_id = fact_work_item_version.work_item_id
   AND fact_work_item_version.application_id <> coalesce(w.application_id, 0)

-- fact_pull_request_commit is the listed commits given their pull request's
-- id, once both are loaded (in any order, in any batch).  Only what changed
-- is written: pairs whose listing or pull request is gone (or moved to
-- another application) are removed, new pairs added, so a batch that
-- brought no PR data writes nothing here.
-- name: pull_request_commit_prune
DELETE FROM fact_pull_request_commit
 WHERE NOT EXISTS (SELECT 1 FROM fact_pull_request p
                     JOIN fact_pull_request_listed_commit l
                       ON l.application_id = p.application_id AND l.repository = p.repository
                      AND l.number = p.number
                    WHERE p.pull_request_id = fact_pull_request_commit.pull_request_id
                      AND p.application_id = fact_pull_request_commit.application_id
                      AND l.sha = fact_pull_request_commit.sha)

-- name: pull_request_commit_fill
INSERT INTO fact_pull_request_commit (pull_request_id, sha, application_id)
SELECT p.pull_request_id, l.sha, p.application_id
  FROM fact_pull_request_listed_commit l
  JOIN fact_pull_request p
    ON p.application_id = l.application_id AND p.repository = l.repository AND p.number = l.number
 WHERE NOT EXISTS (SELECT 1 FROM fact_pull_request_commit c
                    WHERE c.application_id = p.application_id
                      AND c.pull_request_id = p.pull_request_id AND c.sha = l.sha)
