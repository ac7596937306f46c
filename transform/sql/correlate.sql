-- correlate.sql - the statements of the correlation step (transform/correlate.c).
--
-- Each statement is named by a "-- name:" line (core/sqlfile.h), ends with
-- ';' (so a plain statement splitter reads the file too), and runs on
-- every engine: portable SQL, parameters ?1, ?2, ..., CAST where a bare
-- parameter's type cannot be inferred, booleans as 0/1 by CASE.  The step
-- empties the derived tables (clear_*), then refills them: the rows it
-- computes in C go in through the bulk appender (COPY on PostgreSQL), and
-- the rows it only moves go in by the INSERTs below.

-- name: clear_bridge_commit_work_item
DELETE FROM bridge_commit_work_item;

-- name: clear_bridge_deployment_commit
DELETE FROM bridge_deployment_commit;

-- name: clear_missing_parents
DELETE FROM derived_missing_parent;

-- name: clear_derived_deployment
DELETE FROM derived_deployment;

-- name: clear_derived_incident
DELETE FROM derived_incident;

-- name: clear_reclassified_deployments
-- fact_deployment holds the builds classified as deployments.  A build
-- re-read as a plain one (the deployment_job setting changed) keeps its row
-- in fact_build, and its deployment goes here, once nothing derived names it.
DELETE FROM fact_deployment
 WHERE NOT EXISTS (SELECT 1 FROM fact_build b
                    WHERE b.build_id = fact_deployment.build_id AND b.is_deployment = 1);

-- name: clear_derived_status_interval
DELETE FROM derived_status_interval;

-- name: clear_derived_work_item
DELETE FROM derived_work_item;

-- name: clear_dim_status
-- Statuses the step learnt (origin source or guess); the loader's mirror of
-- [status] (origin config) stays.
DELETE FROM dim_status WHERE origin <> 'config';

-- name: clear_walk_findings
-- The finding kinds the walk and the attribution own, Decisions 10's
-- negative durations among them (metrics.md, "Data-quality findings"); the
-- loader's kinds stay.
DELETE FROM finding
 WHERE kind IN ('untraceable_deployment', 'git_no_ancestry', 'commit_authored_after_deployment',
                'incident_resolved_before_created', 'incident_resolved_before_deployment');

-- name: clear_flow_findings
-- The finding kinds the statuses and the flow own.
DELETE FROM finding
 WHERE kind IN ('changelog_truncated', 'status_guessed', 'status_from_source',
                'status_category_conflict', 'work_item_no_status',
                'item_ended_before_started', 'item_ended_before_created');

-- name: clear_commit_keys
DELETE FROM derived_commit_key;

-- name: clear_projects
DELETE FROM derived_project;

-- name: insert_projects
-- The known projects the links are made with (schema.sql, derived_project).
INSERT INTO derived_project (project)
SELECT project FROM dim_work_item WHERE project IS NOT NULL
UNION
SELECT project FROM map_project;

-- name: reset_production
UPDATE derived_work_item SET production_at = NULL WHERE production_at IS NOT NULL;

-- name: insert_missing_parent
INSERT INTO derived_missing_parent (application_id, sha) VALUES (?1, ?2)
    ON CONFLICT DO NOTHING;

-- name: insert_commit_key
INSERT INTO derived_commit_key (item_key, commit_id) VALUES (?1, ?2)
    ON CONFLICT DO NOTHING;

-- name: insert_finding
INSERT INTO finding (kind, subject, detail) VALUES (?1, ?2, ?3)
    ON CONFLICT (kind, subject) DO NOTHING;

-- name: find_work_item
SELECT work_item_id FROM dim_work_item WHERE item_key = ?1;

-- name: known_projects
-- Projects of loaded work items and those the config maps: a key names a
-- work item only in a known project.
SELECT project FROM dim_work_item
UNION
SELECT project FROM map_project
ORDER BY 1;

-- name: commits
SELECT commit_id, subject, body FROM fact_commit ORDER BY commit_id;

-- name: applications
-- Every application with a deployment or an incident.
SELECT application_id FROM fact_deployment WHERE application_id <> 0
UNION
SELECT application_id FROM fact_incident WHERE application_id <> 0
ORDER BY 1;

-- name: deployments
-- THE definition of a successful production deployment, the only kind DORA
-- counts: one row of derived_deployment is written for each, and
-- reports/sql/views.sql (v_deployments_prod) counts exactly those rows.
-- Those of one application (?1), or of none (?1 NULL: application_id 0),
-- in walk order.
SELECT d.deployment_id, d.finished_at, d.run_number, d.revision, b.job, d.build_id
  FROM fact_deployment d
  LEFT JOIN fact_build b ON b.build_id = d.build_id
 WHERE d.application_id = coalesce(CAST(?1 AS BIGINT), 0)
   AND d.is_production = 1 AND d.result = 'success'
 ORDER BY d.finished_at, d.run_number, coalesce(b.job, ''), d.deployment_id;

-- name: build_revisions
-- The checkouts a build recorded, in its order.
-- (found by their key, the build's application first)
SELECT remote, revision FROM fact_build_revision
 WHERE application_id = (SELECT b.application_id FROM fact_build b WHERE b.build_id = ?1)
   AND build_id = ?1
 ORDER BY seq;

-- name: repositories
SELECT DISTINCT repository FROM fact_commit WHERE application_id = ?1 ORDER BY repository;

-- name: commit_graph
-- The application's commits; no_ancestry = 1 for a repository with any
-- commit from an export without full parent shas (see correlate.c).
SELECT commit_id, sha, parents, authored_at,
       CASE WHEN repository IN (SELECT repository FROM fact_commit WHERE has_ancestry = 0)
            THEN 1 ELSE 0 END AS no_ancestry,
       repository
  FROM fact_commit
 WHERE application_id = ?1
 ORDER BY commit_id;

-- name: repositories_without_ancestry
SELECT x.repository, count(*),
       (SELECT count(*) FROM fact_commit k WHERE k.repository = x.repository)
  FROM fact_commit x
 WHERE x.has_ancestry = 0
 GROUP BY x.repository
 ORDER BY x.repository;

-- name: incidents
SELECT incident_id, title, description, created_at
  FROM fact_incident
 WHERE application_id = ?1
 ORDER BY incident_id;

-- name: incidents_without_application
-- Incidents of no application cannot be attributed.
INSERT INTO derived_incident (incident_id, deployment_id, how)
SELECT incident_id, NULL, 'none' FROM fact_incident
 WHERE application_id = 0
 ORDER BY incident_id;

-- name: incident_negative_durations
-- Decisions 10: resolved before created, or before the deployment the
-- incident is attributed to finished.
SELECT i.external_id, i.created_at, i.resolved_at, d.finished_at
  FROM fact_incident i
  LEFT JOIN derived_incident di ON di.incident_id = i.incident_id
  LEFT JOIN fact_deployment d ON d.deployment_id = di.deployment_id
 WHERE i.resolved_at < i.created_at OR i.resolved_at < d.finished_at
 ORDER BY i.incident_id;

-- name: statuses
SELECT name, category, waiting FROM dim_status ORDER BY name;

-- name: status_claims
-- What the sources say about each status's category, most authoritative
-- first (metrics.md "Work items and flow", README "Status categories"):
--   1. the status list a source publishes (source_status), under the list's
--      name and under every name an item gives the same status id,
--   2. the category each item carries for its current status, the latest
--      item (by updated) first.
-- The order is total (ties by subject), so the first claim per name, which
-- decides, never depends on the order the items were loaded in; the last two
-- columns are that claim's, to name it in a conflict finding.
WITH claim (name, category, rank, updated_at, subject) AS (
    SELECT l.name, l.category, 0, CAST(NULL AS BIGINT),
           'the status list of ' || s.name || ' (id ' || l.status_id || ')'
      FROM source_status l JOIN dim_source s ON s.source_id = l.source_id
    UNION
    SELECT w.status, l.category, 0, CAST(NULL AS BIGINT),
           'the status list of ' || s.name || ' (id ' || l.status_id || ')'
      FROM dim_work_item w
      JOIN source_status l ON l.source_id = w.source_id AND l.status_id = w.status_id
      JOIN dim_source s ON s.source_id = l.source_id
     WHERE w.status <> ''
    UNION ALL
    SELECT w.status, w.source_category, 1, w.updated_at, 'issue ' || w.item_key
      FROM dim_work_item w
     WHERE w.status <> '' AND w.source_category IS NOT NULL)
SELECT name, category, subject,
       first_value(category) OVER win, first_value(subject) OVER win
  FROM claim
WINDOW win AS (PARTITION BY lower(name)
               ORDER BY rank, updated_at DESC NULLS LAST, subject, category)
 ORDER BY lower(name), rank, updated_at DESC NULLS LAST, subject, category;

-- name: insert_status
INSERT INTO dim_status (name, category, waiting, origin) VALUES (?1, ?2, ?3, ?4);

-- name: work_items
SELECT work_item_id, item_key, item_type, labels, status, source_category,
       created_at, resolved_at, changelog_truncated
  FROM dim_work_item
 ORDER BY work_item_id;

-- name: transitions
-- (found by their key, the work item's application first)
SELECT at, history_id, from_status, to_status
  FROM fact_transition
 WHERE application_id = coalesce((SELECT w.application_id FROM dim_work_item w
                                   WHERE w.work_item_id = ?1), 0)
   AND work_item_id = ?1
 ORDER BY at, history_id, from_status, to_status;

-- name: first_deployments
-- (work item, first deployment of each non-merge commit whose keys include
-- it, NULL while none shipped it, the instant stored now, 1 when a baseline
-- deployment shipped it), grouped by work item: idea to production.  One
-- grouped pass over the bridge, not a subquery per row:
-- bridge_deployment_commit is keyed by deployment first, so a per-commit
-- lookup would scan it for every row (quadratic on PostgreSQL).  The stored
-- instant is there so only a changed one is written (an incremental batch
-- keeps rows).
SELECT b.work_item_id, f.first_at, w.production_at, coalesce(f.baseline, 0)
  FROM bridge_commit_work_item b
  JOIN derived_work_item w ON w.work_item_id = b.work_item_id
  JOIN fact_commit k ON k.commit_id = b.commit_id
  LEFT JOIN (SELECT x.commit_id, min(d.finished_at) AS first_at, max(x.is_baseline) AS baseline
               FROM bridge_deployment_commit x
               JOIN fact_deployment d ON d.deployment_id = x.deployment_id
              GROUP BY x.commit_id) f ON f.commit_id = b.commit_id
 WHERE k.parent_count < 2
 ORDER BY b.work_item_id;

-- name: set_production
UPDATE derived_work_item SET production_at = ?2 WHERE work_item_id = ?1;

-- ------------------------------------------------ keys beyond the message
-- (correlate.c, "A commit's keys")

-- name: pull_request_keys
-- Every commit a pull/merge request contains, with the request's text: its
-- commit list, and once merged its merge and squash commits.  Grouped by
-- request, so its text is scanned once.  A request's sha names the commit
-- whose sha is its lower-case spelling (git's), found by ix_commit_sha; the
-- incremental form (delta_pull_request_keys) matches the same way.
SELECT p.pull_request_id, p.title, p.body, p.source_branch, k.commit_id
  FROM fact_pull_request p
  JOIN fact_pull_request_commit pc ON pc.pull_request_id = p.pull_request_id
  JOIN fact_commit k ON k.sha = lower(pc.sha)
UNION ALL
SELECT p.pull_request_id, p.title, p.body, p.source_branch, k.commit_id
  FROM fact_pull_request p
  JOIN fact_commit k ON k.sha IN (lower(p.merge_commit_sha), lower(p.squash_commit_sha))
 WHERE p.merged_at IS NOT NULL
 ORDER BY 1, 5;

-- name: merge_repositories
-- The repositories with a merge commit, by application: the only ones
-- whose merges can bring keys in.
SELECT DISTINCT application_id, repository FROM fact_commit
 WHERE parent_count >= 2
 ORDER BY 1, 2;

-- name: repository_graph
-- One repository's commits (found by the unique index), the message of its
-- merges only, and 1 when the repository gives no ancestry (its parents
-- are not full shas: no merge is followed).
SELECT commit_id, sha, parents,
       CASE WHEN parent_count >= 2 THEN subject END,
       CASE WHEN parent_count >= 2 THEN body END,
       has_ancestry
  FROM fact_commit
 WHERE application_id = ?1 AND repository = ?2
 ORDER BY commit_id;

-- name: clear_key_findings
DELETE FROM derived_finding
 WHERE kind IN ('referenced_item_not_loaded', 'pull_request_commit_not_in_git');

-- name: insert_unloaded_findings
-- metrics.md "Traceability": a known project's key whose item is missing
-- still makes the commit traceable, and is listed.
INSERT INTO derived_finding (kind, subject, metric, detail)
SELECT 'referenced_item_not_loaded', item_key, 'idea_to_production',
       'named by ' || CAST(count(*) AS TEXT) || ' commit(s) in a known project, but no such '
       || 'work item is loaded: the commits count as traceable, the item has no '
       || 'idea-to-production time'
  FROM derived_commit_key
 GROUP BY item_key;

-- name: insert_pull_request_findings
-- metrics.md "Idea to production": a request's commits that are not in git
-- (a branch that is gone) are ignored, and listed.
INSERT INTO derived_finding (kind, subject, metric, detail)
SELECT 'pull_request_commit_not_in_git', p.repository || '#' || CAST(p.number AS TEXT),
       'idea_to_production',
       CAST(count(*) AS TEXT) || ' commit(s) of the request are not in git (the first: '
       || min(pc.sha) || '): its keys do not reach them'
  FROM fact_pull_request_commit pc
  JOIN fact_pull_request p ON p.pull_request_id = pc.pull_request_id
 WHERE NOT EXISTS (SELECT 1 FROM fact_commit k WHERE k.sha = lower(pc.sha))
 GROUP BY p.repository, p.number
 ORDER BY 2;

-- name: clear_production_findings
DELETE FROM derived_finding WHERE kind = 'item_in_production_before_created';

-- name: production_before_created
-- Decisions 10: an item in production before it was created has no
-- idea-to-production time (v_flow_items leaves it out); listed.
SELECT w.item_key, w.created_at, f.production_at
  FROM derived_work_item f
  JOIN dim_work_item w ON w.work_item_id = f.work_item_id
 WHERE f.production_at < w.created_at
 ORDER BY w.item_key;

-- name: insert_derived_finding
INSERT INTO derived_finding (kind, subject, metric, detail) VALUES (?1, ?2, ?3, ?4)
    ON CONFLICT (kind, subject) DO NOTHING;

-- ---------------------------------------------------------------- incremental
-- The statements of an incremental batch (pipeline/derive.h): the sets it
-- re-derives, as temporary tables filled from cw_touched (load/warehouse.h,
-- cw_wh_track), and the derived rows of those sets.

-- name: delta_item_table
CREATE TEMP TABLE IF NOT EXISTS cw_delta_item (id BIGINT PRIMARY KEY, inserted INTEGER NOT NULL);

-- name: delta_commit_table
CREATE TEMP TABLE IF NOT EXISTS cw_delta_commit (id BIGINT PRIMARY KEY);

-- name: delta_unlinked_table
CREATE TEMP TABLE IF NOT EXISTS cw_delta_unlinked (id BIGINT PRIMARY KEY);

-- name: delta_item_clear
DELETE FROM cw_delta_item;

-- name: delta_commit_clear
DELETE FROM cw_delta_commit;

-- name: delta_unlinked_clear
DELETE FROM cw_delta_unlinked;

-- name: delta_item_fill
-- Items whose row or transitions the batch wrote; inserted = 1 for a new
-- item (its key may be waiting in derived_commit_key).
INSERT INTO cw_delta_item (id, inserted)
SELECT id, max(CASE WHEN kind = 'item' AND op = 'I' THEN 1 ELSE 0 END)
  FROM cw_touched
 WHERE kind IN ('item', 'transition') AND id IS NOT NULL
 GROUP BY id;

-- name: delta_commit_fill
INSERT INTO cw_delta_commit (id)
SELECT DISTINCT id FROM cw_touched WHERE kind = 'commit' AND id IS NOT NULL;

-- name: delta_full_flow
-- What the incremental flow cannot follow: a status list changed (the
-- learnt categories may move), or an item went.
SELECT count(*) FROM cw_touched
 WHERE kind = 'status' OR (kind IN ('item', 'transition') AND op = 'D');

-- name: delta_projects_changed
-- Known projects gained (by an item the batch wrote: map_project follows
-- the configuration, whose change derives in full) or lost (no item or
-- mapping names it any more) since the links were made.
SELECT (SELECT count(*) FROM (SELECT DISTINCT w.project FROM dim_work_item w
                               WHERE w.work_item_id IN (SELECT id FROM cw_delta_item)
                                 AND w.project IS NOT NULL
                                 AND w.project NOT IN (SELECT project FROM derived_project))
                        gained)
     + (SELECT count(*) FROM derived_project p
         WHERE NOT EXISTS (SELECT 1 FROM dim_work_item w WHERE w.project = p.project)
           AND NOT EXISTS (SELECT 1 FROM map_project m WHERE m.project = p.project));

-- name: delta_unlinked_fill
-- Items that lose a link: their idea-to-production instant is computed again.
INSERT INTO cw_delta_unlinked (id)
SELECT DISTINCT work_item_id FROM bridge_commit_work_item
 WHERE commit_id IN (SELECT id FROM cw_delta_commit);

-- name: delta_unlink
DELETE FROM bridge_commit_work_item WHERE commit_id IN (SELECT id FROM cw_delta_commit);

-- name: delta_forget_keys
DELETE FROM derived_commit_key WHERE commit_id IN (SELECT id FROM cw_delta_commit);

-- name: delta_commits
SELECT commit_id, subject, body FROM fact_commit
 WHERE commit_id IN (SELECT id FROM cw_delta_commit)
 ORDER BY commit_id;

-- name: delta_keys_found
-- Commits that named a new item's key before the item was loaded.
SELECT k.commit_id, w.work_item_id
  FROM derived_commit_key k
  JOIN dim_work_item w ON w.item_key = k.item_key
 WHERE w.work_item_id IN (SELECT id FROM cw_delta_item WHERE inserted = 1)
 ORDER BY k.commit_id, w.work_item_id;

-- name: delta_keys_done
DELETE FROM derived_commit_key
 WHERE item_key IN (SELECT w.item_key FROM dim_work_item w
                     WHERE w.work_item_id IN (SELECT id FROM cw_delta_item WHERE inserted = 1));

-- name: delta_reset_production
UPDATE derived_work_item SET production_at = NULL
 WHERE work_item_id IN (SELECT id FROM cw_delta_unlinked);

-- name: delta_item_statuses
-- Every status the batch's items name, in their transitions, as their
-- current status and in the intervals they had: the incremental flow needs
-- each to be configured (delta.c, flow_delta).  (IN lists, so each is
-- found by its key rather than by scanning every transition.)
SELECT t.from_status FROM fact_transition t
 WHERE (t.application_id, t.work_item_id) IN
       (SELECT coalesce(w.application_id, 0), w.work_item_id FROM dim_work_item w
         WHERE w.work_item_id IN (SELECT id FROM cw_delta_item))
UNION
SELECT t.to_status FROM fact_transition t
 WHERE (t.application_id, t.work_item_id) IN
       (SELECT coalesce(w.application_id, 0), w.work_item_id FROM dim_work_item w
         WHERE w.work_item_id IN (SELECT id FROM cw_delta_item))
UNION
SELECT w.status FROM dim_work_item w WHERE w.work_item_id IN (SELECT id FROM cw_delta_item)
UNION
SELECT i.status FROM derived_status_interval i
 WHERE i.work_item_id IN (SELECT id FROM cw_delta_item);

-- name: delta_clear_intervals
DELETE FROM derived_status_interval WHERE work_item_id IN (SELECT id FROM cw_delta_item);

-- name: delta_clear_items
DELETE FROM derived_work_item WHERE work_item_id IN (SELECT id FROM cw_delta_item);

-- name: delta_clear_item_findings
DELETE FROM finding
 WHERE kind IN ('changelog_truncated', 'work_item_no_status', 'item_ended_before_started',
                'item_ended_before_created')
   AND subject IN (SELECT w.item_key FROM dim_work_item w
                    WHERE w.work_item_id IN (SELECT id FROM cw_delta_item));

-- name: delta_work_items
SELECT work_item_id, item_key, item_type, labels, status, source_category,
       created_at, resolved_at, changelog_truncated
  FROM dim_work_item
 WHERE work_item_id IN (SELECT id FROM cw_delta_item)
 ORDER BY work_item_id;

-- ------------------------------------------------ incremental: the walk
-- (delta.c, "the walk, incrementally")

-- name: delta_app_table
CREATE TEMP TABLE IF NOT EXISTS cw_delta_app (app BIGINT PRIMARY KEY, rewalk INTEGER NOT NULL);

-- name: delta_app_clear
DELETE FROM cw_delta_app;

-- name: delta_walk_blocked
-- What only the full walk follows: a deleted commit, deployment or
-- incident, or a deployment whose build is no longer one.
SELECT (SELECT count(*) FROM cw_touched
         WHERE op = 'D' AND kind IN ('commit', 'deployment', 'incident'))
     + (SELECT count(*) FROM fact_deployment d
         WHERE (d.application_id, d.build_id) IN
               (SELECT app, id FROM cw_touched WHERE kind = 'build' AND app IS NOT NULL)
           AND NOT EXISTS (SELECT 1 FROM fact_build b
                            WHERE b.build_id = d.build_id AND b.is_deployment = 1));

-- name: delta_touched_rows
-- The batch's rows by application: what decides how each is walked.
SELECT app, kind, op, id FROM cw_touched
 WHERE kind IN ('commit', 'deployment', 'checkout', 'incident') AND app IS NOT NULL
 ORDER BY app, kind, op, id;

-- name: delta_app_add
INSERT INTO cw_delta_app (app, rewalk) VALUES (?1, ?2)
    ON CONFLICT (app) DO UPDATE SET rewalk = excluded.rewalk;

-- name: delta_app_list
SELECT app, rewalk FROM cw_delta_app ORDER BY app;

-- name: delta_app_sharing
-- Applications not walked again that share a late-commit finding's sha with
-- one that is: deleting its findings deletes theirs, so they go again too.
SELECT DISTINCT k2.application_id
  FROM finding f
  JOIN fact_commit k ON lower(k.sha) = f.subject
  JOIN fact_commit k2 ON lower(k2.sha) = f.subject
 WHERE f.kind = 'commit_authored_after_deployment'
   AND k.application_id IN (SELECT app FROM cw_delta_app WHERE rewalk = 1)
   AND k2.application_id NOT IN (SELECT app FROM cw_delta_app WHERE rewalk = 1)
 ORDER BY 1;

-- name: delta_forget_deployed
DELETE FROM bridge_deployment_commit
 WHERE deployment_id IN (SELECT deployment_id FROM fact_deployment WHERE application_id = ?1);

-- name: delta_forget_deployments
DELETE FROM derived_deployment
 WHERE deployment_id IN (SELECT deployment_id FROM fact_deployment WHERE application_id = ?1);

-- name: delta_forget_incidents
DELETE FROM derived_incident
 WHERE incident_id IN (SELECT incident_id FROM fact_incident WHERE application_id = ?1);

-- name: delta_forget_missing
DELETE FROM derived_missing_parent WHERE application_id = ?1;

-- name: delta_forget_untraceable
-- (the subject as correlate.c's untraceable_finding spells it)
DELETE FROM finding
 WHERE kind = 'untraceable_deployment'
   AND subject IN (SELECT CASE WHEN b.job IS NOT NULL
                               THEN b.job || '#' || CAST(coalesce(d.run_number, 0) AS TEXT)
                               ELSE 'deployment ' || CAST(d.deployment_id AS TEXT) END
                     FROM fact_deployment d LEFT JOIN fact_build b ON b.build_id = d.build_id
                    WHERE d.application_id = ?1);

-- name: delta_forget_late
DELETE FROM finding
 WHERE kind = 'commit_authored_after_deployment'
   AND subject IN (SELECT lower(sha) FROM fact_commit WHERE application_id = ?1);

-- name: delta_forget_incident_findings
DELETE FROM finding
 WHERE kind IN ('incident_resolved_before_created', 'incident_resolved_before_deployment')
   AND subject IN (SELECT external_id FROM fact_incident WHERE application_id = ?1);

-- name: delta_app_walkable
-- Can the application's new deployments be walked on top of its old ones?
-- Its baseline exists, no repository of it lacks ancestry, and no build of
-- it recorded several checkouts (correlate.c).
SELECT (SELECT count(*) FROM derived_deployment dd
          JOIN fact_deployment d ON d.deployment_id = dd.deployment_id
         WHERE d.application_id = ?1 AND dd.is_baseline = 1),
       (SELECT count(*) FROM (SELECT 1 FROM fact_commit
                               WHERE has_ancestry = 0 AND application_id + 0 = ?1 LIMIT 1) h),
       (SELECT count(*) FROM (SELECT 1 FROM fact_build_revision
                               WHERE application_id = ?1 AND seq > 0 LIMIT 1) m);

-- name: delta_untraceable_revisions
SELECT lower(d.revision)
  FROM fact_deployment d JOIN derived_deployment dd ON dd.deployment_id = d.deployment_id
 WHERE d.application_id = ?1 AND dd.traceable = 0 AND d.revision IS NOT NULL;

-- name: delta_new_commit
SELECT sha, parents, has_ancestry FROM fact_commit WHERE commit_id = ?1;

-- name: delta_sha_rows
SELECT count(*) FROM fact_commit WHERE sha IN (?1, upper(?1));

-- name: delta_is_missing
SELECT count(*) FROM derived_missing_parent WHERE application_id = ?1 AND sha = ?2;

-- name: delta_node
-- The application's commit rows with this sha, the node's own id first.
-- (application_id + 0: found by the sha index, not by scanning the
-- application's commits)
SELECT commit_id, sha, parents, authored_at, repository FROM fact_commit
 WHERE sha IN (?1, upper(?1)) AND application_id + 0 = ?2
 ORDER BY commit_id;

-- name: delta_repository_deployed
-- Has a deployment reached a commit of this repository of the application?
-- Then it has its baseline (Decisions 7), and a new deployment that
-- reaches its commits is no baseline of it.
SELECT count(*) FROM (SELECT 1 FROM fact_commit k
                        JOIN bridge_deployment_commit b ON b.commit_id = k.commit_id
                       WHERE k.application_id = ?1 AND k.repository = ?2 LIMIT 1) x;

-- name: delta_node_any_case
-- After delta_node found nothing: a commit of the application whose sha
-- starts with it in any case (the walk's own lookup is case-insensitive and
-- takes a unique prefix); one means the application is walked in full.
SELECT count(*) FROM fact_commit
 WHERE application_id = ?2 AND substr(lower(sha), 1, length(CAST(?1 AS TEXT))) = ?1;

-- name: delta_deployed
SELECT count(*) FROM bridge_deployment_commit WHERE commit_id = ?1;

-- name: delta_reattribute
-- The application's incidents: delta.c attributes again those new
-- deployments can change (created at or after the first of them finished)
-- and those the batch wrote.
SELECT incident_id, title, description, created_at FROM fact_incident
 WHERE application_id = ?1
 ORDER BY incident_id;

-- name: delta_forget_incident
DELETE FROM derived_incident WHERE incident_id = ?1;

-- name: delta_forget_incident_finding
DELETE FROM finding
 WHERE kind IN ('incident_resolved_before_created', 'incident_resolved_before_deployment')
   AND subject = (SELECT external_id FROM fact_incident WHERE incident_id = ?1);

-- name: delta_forget_no_ancestry
DELETE FROM finding WHERE kind = 'git_no_ancestry';

-- ------------------------------------------------ incremental: idea to production

-- name: delta_prod_table
CREATE TEMP TABLE IF NOT EXISTS cw_delta_prod (id BIGINT PRIMARY KEY);

-- name: delta_prod_clear
DELETE FROM cw_delta_prod;

-- name: delta_prod_fill
-- Items whose instant can have moved: those whose flow was computed again,
-- those that gained or lost a link, and those linked to a commit a new
-- deployment shipped or of an application walked again in full.
INSERT INTO cw_delta_prod (id)
SELECT id FROM cw_delta_item
UNION
SELECT id FROM cw_delta_unlinked
UNION
SELECT work_item_id FROM bridge_commit_work_item
 WHERE commit_id IN (SELECT id FROM cw_delta_commit)
UNION
SELECT work_item_id FROM bridge_commit_work_item
 WHERE commit_id IN (SELECT x.commit_id FROM bridge_deployment_commit x
                      WHERE x.deployment_id IN (SELECT id FROM cw_touched
                                                 WHERE kind = 'deployment' AND op = 'I'))
UNION
SELECT work_item_id FROM bridge_commit_work_item
 WHERE commit_id IN (SELECT k.commit_id FROM fact_commit k
                      WHERE k.application_id IN (SELECT app FROM cw_delta_app WHERE rewalk = 1));

-- name: delta_prod_analyze
-- Statistics for the planner: PostgreSQL knows nothing of a temporary
-- table's size until it is analysed, and guessed a plan that read every
-- link for each of a few hundred items.
ANALYZE cw_delta_prod;

-- name: delta_first_deployments
-- first_deployments for the items of cw_delta_prod only, driven from them:
-- each commit's first deployment found by the bridge's commit index.
SELECT b.work_item_id,
       (SELECT min(d.finished_at) FROM bridge_deployment_commit x
          JOIN fact_deployment d ON d.deployment_id = x.deployment_id
         WHERE x.commit_id = b.commit_id),
       w.production_at,
       coalesce((SELECT max(x.is_baseline) FROM bridge_deployment_commit x
                  WHERE x.commit_id = b.commit_id), 0)
  FROM cw_delta_prod p
  JOIN bridge_commit_work_item b ON b.work_item_id = p.id
  JOIN derived_work_item w ON w.work_item_id = p.id
  JOIN fact_commit k ON k.commit_id = b.commit_id
 WHERE k.parent_count < 2
 ORDER BY b.work_item_id;

-- ------------------------------------------------ incremental: keys beyond the message

-- name: delta_commit_changed
-- A commit updated or deleted can change any ancestry: every commit is
-- keyed again.
SELECT count(*) FROM cw_touched WHERE kind = 'commit' AND op IN ('U', 'D');

-- name: delta_pull_request_commits
-- Commits a written request reaches now (its commit list, its merge and
-- squash commits), and those it reached before (kind keyed_commit: the
-- triggers of load/sql/<engine>/track.sql find them by the old row's shas):
-- they are keyed again.
INSERT INTO cw_delta_commit (id)
SELECT id FROM (
    SELECT k.commit_id AS id
      FROM fact_pull_request_commit pc
      JOIN fact_commit k ON k.sha = lower(pc.sha)
     WHERE (pc.application_id, pc.pull_request_id) IN
           (SELECT coalesce(app, 0), id FROM cw_touched WHERE kind = 'pull_request')
    UNION
    SELECT k.commit_id
      FROM fact_pull_request p
      JOIN fact_commit k ON k.sha IN (lower(p.merge_commit_sha), lower(p.squash_commit_sha))
     WHERE p.pull_request_id IN (SELECT id FROM cw_touched WHERE kind = 'pull_request')
       AND p.merged_at IS NOT NULL
    UNION
    SELECT id FROM cw_touched WHERE kind = 'keyed_commit' AND id IS NOT NULL) x
 WHERE id NOT IN (SELECT id FROM cw_delta_commit);

-- name: delta_merge_repositories
-- The repositories of the commits keyed again that have a merge commit.
SELECT DISTINCT k.application_id, k.repository FROM fact_commit k
 WHERE k.commit_id IN (SELECT id FROM cw_delta_commit)
   AND EXISTS (SELECT 1 FROM fact_commit m
                WHERE m.application_id = k.application_id AND m.repository = k.repository
                  AND m.parent_count >= 2)
 ORDER BY 1, 2;

-- name: delta_inserted_table
CREATE TEMP TABLE IF NOT EXISTS cw_delta_inserted (id BIGINT PRIMARY KEY);

-- name: delta_inserted_clear
DELETE FROM cw_delta_inserted;

-- name: delta_inserted_fill
-- The commits the batch inserted, once: delta_repository_graph looks each
-- commit up here by key rather than reading cw_touched per repository.
INSERT INTO cw_delta_inserted (id)
SELECT DISTINCT id FROM cw_touched WHERE kind = 'commit' AND op = 'I' AND id IS NOT NULL;

-- name: delta_repository_graph
-- repository_graph, and for each commit: 1 when it is keyed again, 1 when
-- the batch inserted it (each by its key).
SELECT k.commit_id, k.sha, k.parents,
       CASE WHEN k.parent_count >= 2 THEN k.subject END,
       CASE WHEN k.parent_count >= 2 THEN k.body END,
       k.has_ancestry,
       CASE WHEN EXISTS (SELECT 1 FROM cw_delta_commit d WHERE d.id = k.commit_id)
            THEN 1 ELSE 0 END,
       CASE WHEN EXISTS (SELECT 1 FROM cw_delta_inserted n WHERE n.id = k.commit_id)
            THEN 1 ELSE 0 END
  FROM fact_commit k
 WHERE k.application_id = ?1 AND k.repository = ?2
 ORDER BY k.commit_id;

-- name: delta_rekey
INSERT INTO cw_delta_commit (id) VALUES (?1) ON CONFLICT DO NOTHING;

-- name: delta_pull_request_keys
-- pull_request_keys for the commits keyed again, driven from them through
-- the requests' sha indexes (ix_pr_commit_sha, ix_pr_merge_sha,
-- ix_pr_squash_sha).  UNION: a request whose merge and squash commit are
-- one names it once, as in pull_request_keys' IN.
SELECT p.pull_request_id, p.title, p.body, p.source_branch, k.commit_id
  FROM cw_delta_commit d
  JOIN fact_commit k ON k.commit_id = d.id
  JOIN fact_pull_request_commit pc ON lower(pc.sha) = k.sha
  JOIN fact_pull_request p ON p.pull_request_id = pc.pull_request_id
UNION ALL
SELECT p.pull_request_id, p.title, p.body, p.source_branch, m.commit_id
  FROM (SELECT q.pull_request_id AS pr, k.commit_id
          FROM cw_delta_commit d
          JOIN fact_commit k ON k.commit_id = d.id
          JOIN fact_pull_request q ON lower(q.merge_commit_sha) = k.sha
         WHERE q.merged_at IS NOT NULL
        UNION
        SELECT q.pull_request_id, k.commit_id
          FROM cw_delta_commit d
          JOIN fact_commit k ON k.commit_id = d.id
          JOIN fact_pull_request q ON lower(q.squash_commit_sha) = k.sha
         WHERE q.merged_at IS NOT NULL) m
  JOIN fact_pull_request p ON p.pull_request_id = m.pr
 ORDER BY 1, 5;

-- name: derived_counts
-- cw_correlate_counts: what cw_correlate counted, read back from its tables.
SELECT (SELECT count(*) FROM fact_commit),
       (SELECT count(*) FROM derived_deployment),
       (SELECT count(*) FROM derived_deployment WHERE traceable = 0),
       (SELECT count(*) FROM bridge_deployment_commit),
       (SELECT count(*) FROM bridge_commit_work_item),
       (SELECT count(*) FROM derived_incident WHERE deployment_id IS NOT NULL),
       (SELECT count(*) FROM derived_work_item);
