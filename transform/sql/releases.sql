-- releases.sql - the release scope step (transform/releases.c): what it
-- reads to feed the rule of transform/scope.h, and how it clears its
-- tables.  Portable SQL, one named statement each (core/sqlset.h).

-- name: clear_release_items
DELETE FROM derived_release_item

-- name: clear_releases
DELETE FROM derived_release

-- Releases with a planned date (scope.h): only those are measured.
-- name: releases
SELECT release_id, project, name, external_id, start_at, release_at
  FROM dim_release
 WHERE start_at IS NOT NULL OR release_at IS NOT NULL
 ORDER BY release_id

-- Items that carry a fix version now or ever changed one, with their flow
-- end and idea-to-production instant; has_changelog says whether their
-- status intervals tell when they were done (a CSV item's do not).
-- name: items
SELECT w.work_item_id, w.project, w.created_at, w.fix_versions, w.has_changelog,
       d.end_at, d.production_at
  FROM dim_work_item w
  LEFT JOIN derived_work_item d ON d.work_item_id = w.work_item_id
 WHERE (w.fix_versions IS NOT NULL AND w.fix_versions <> '')
    OR EXISTS (SELECT 1 FROM fact_work_item_version v WHERE v.work_item_id = w.work_item_id)
 ORDER BY w.work_item_id

-- name: events
SELECT work_item_id, at, history_id, version, version_id, op
  FROM fact_work_item_version
 ORDER BY work_item_id, at, history_id

-- Done intervals of items with history (scope.h: "done at R").
-- name: done_spans
SELECT s.work_item_id, s.from_at, s.to_at
  FROM derived_status_interval s
  JOIN dim_work_item w ON w.work_item_id = s.work_item_id
 WHERE s.category = 'done' AND w.has_changelog = 1
   AND ((w.fix_versions IS NOT NULL AND w.fix_versions <> '')
     OR EXISTS (SELECT 1 FROM fact_work_item_version v WHERE v.work_item_id = w.work_item_id))
 ORDER BY s.work_item_id, s.seq

-- Per item: its non-merge referencing commits, how many are not deployed
-- yet, and the latest first deployment among them (one grouped pass over
-- the bridge, as correlate.sql first_deployments).
-- name: item_code
SELECT b.work_item_id, count(*),
       sum(CASE WHEN f.first_at IS NULL THEN 1 ELSE 0 END), max(f.first_at)
  FROM bridge_commit_work_item b
  JOIN fact_commit k ON k.commit_id = b.commit_id
  LEFT JOIN (SELECT x.commit_id, min(d.finished_at) AS first_at
               FROM bridge_deployment_commit x
               JOIN fact_deployment d ON d.deployment_id = x.deployment_id
              GROUP BY x.commit_id) f ON f.commit_id = b.commit_id
 WHERE k.parent_count < 2
 GROUP BY b.work_item_id
 ORDER BY b.work_item_id
