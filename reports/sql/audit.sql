-- audit.sql - audit evidence (issue 9, capability 5): one row per deployed
-- change, that is per (successful production deployment, non-merge commit it
-- newly deployed), with the items the commit carries, their gate passages
-- and the gaps.  reports/audit.c folds the rows of one change into one line.
--   ?1 window start (inclusive, UTC seconds)   ?2 window end (exclusive)
--   ?3 release (a fix version) or NULL: with a release, the deployments
--      carrying a commit of an item whose fix_versions hold it, whenever
--      they finished; without, the deployments finishing in the window.
-- Commits a baseline deployment reached shipped before the data begins and
-- are not listed; an untraceable deployment (its revision not in git) is
-- one row with no commit.
-- Each change comes as several rows, in this order, told apart by part:
--   0  the change: deployment, build and commit columns (for an untraceable
--      deployment sha is the revision it named and commit_id is NULL)
--   1  an item key the commit carries (loaded, or a known project's key
--      whose item is not loaded: work_item_id NULL)
--   2  a gate passage of a carried item before the deployment finished:
--      item key, status, stakeholder, entered at
--   3  a required gate not passed: item key, stakeholder (the deployed
--      application's map_application_gate rows with no passage before the
--      deployment finished)
-- Columns: deployment_id, commit_id, part, application, job, number,
-- finished_at, environment, build_url, traceable, sha, author, subject,
-- item_key, status, stakeholder, at.
WITH dep AS (
    SELECT d.deployment_id, d.application_id, d.finished_at, d.revision, b.job, b.number,
           b.url, e.name AS environment, a.name AS application, dd.traceable
      FROM derived_deployment dd
      JOIN fact_deployment d ON d.deployment_id = dd.deployment_id
      JOIN fact_build b ON b.build_id = d.build_id
      LEFT JOIN dim_environment e ON e.environment_id = d.environment_id
      LEFT JOIN dim_application a ON a.application_id = d.application_id
     WHERE (CAST(?3 AS TEXT) IS NULL
            AND d.finished_at >= CAST(?1 AS BIGINT) AND d.finished_at < CAST(?2 AS BIGINT))
        OR EXISTS (SELECT 1
                     FROM bridge_deployment_commit x
                     JOIN bridge_commit_work_item k ON k.commit_id = x.commit_id
                     JOIN dim_work_item w ON w.work_item_id = k.work_item_id
                    WHERE x.deployment_id = d.deployment_id AND x.is_merge = 0
                      AND x.is_baseline = 0
                      -- X is one of the comma-separated names: removing ,X, changes the list
                      AND REPLACE(',' || REPLACE(w.fix_versions, ', ', ',') || ',',
                                  ',' || CAST(?3 AS TEXT) || ',', '')
                          <> ',' || REPLACE(w.fix_versions, ', ', ',') || ',')
),
chg AS (
    SELECT dep.*, c.commit_id, c.sha, c.subject, COALESCE(p.name, p.email) AS author
      FROM dep
      JOIN bridge_deployment_commit x ON x.deployment_id = dep.deployment_id
      JOIN fact_commit c ON c.commit_id = x.commit_id
      LEFT JOIN dim_person p ON p.person_id = c.author_id
     WHERE x.is_merge = 0 AND x.is_baseline = 0
),
carried AS (
    SELECT g.deployment_id, g.commit_id, w.item_key, w.work_item_id
      FROM chg g
      JOIN bridge_commit_work_item k ON k.commit_id = g.commit_id
      JOIN dim_work_item w ON w.work_item_id = k.work_item_id
    UNION
    SELECT g.deployment_id, g.commit_id, k.item_key, CAST(NULL AS BIGINT)
      FROM chg g
      JOIN derived_commit_key k ON k.commit_id = g.commit_id
     WHERE NOT EXISTS (SELECT 1 FROM dim_work_item w WHERE w.item_key = k.item_key)
),
rows_out AS (
    SELECT g.deployment_id, g.commit_id, 0 AS part, g.application, g.job, g.number,
           g.finished_at, g.environment, g.url AS build_url, g.traceable, g.sha, g.author,
           g.subject, CAST(NULL AS TEXT) AS item_key, CAST(NULL AS TEXT) AS status,
           CAST(NULL AS TEXT) AS stakeholder, CAST(NULL AS BIGINT) AS at
      FROM chg g
    UNION ALL
    SELECT d.deployment_id, CAST(NULL AS BIGINT), 0, d.application, d.job, d.number,
           d.finished_at, d.environment, d.url, d.traceable, d.revision, CAST(NULL AS TEXT),
           CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT),
           CAST(NULL AS BIGINT)
      FROM dep d
     WHERE d.traceable = 0
    UNION ALL
    SELECT g.deployment_id, g.commit_id, 1, g.application, g.job, g.number, g.finished_at,
           g.environment, g.url, g.traceable, g.sha, g.author, g.subject, k.item_key,
           CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS BIGINT)
      FROM chg g
      JOIN carried k ON k.deployment_id = g.deployment_id AND k.commit_id = g.commit_id
    UNION ALL
    SELECT g.deployment_id, g.commit_id, 2, g.application, g.job, g.number, g.finished_at,
           g.environment, g.url, g.traceable, g.sha, g.author, g.subject, k.item_key,
           s.status, m.stakeholder, s.from_at
      FROM chg g
      JOIN carried k ON k.deployment_id = g.deployment_id AND k.commit_id = g.commit_id
      JOIN derived_status_interval s ON s.work_item_id = k.work_item_id
      JOIN map_gate m ON m.status = s.status
     WHERE s.from_at <= g.finished_at
    UNION ALL
    SELECT g.deployment_id, g.commit_id, 3, g.application, g.job, g.number, g.finished_at,
           g.environment, g.url, g.traceable, g.sha, g.author, g.subject, k.item_key,
           CAST(NULL AS TEXT), r.stakeholder, CAST(NULL AS BIGINT)
      FROM chg g
      JOIN carried k ON k.deployment_id = g.deployment_id AND k.commit_id = g.commit_id
      JOIN map_application_gate r ON r.application_id = g.application_id
     WHERE k.work_item_id IS NOT NULL
       AND NOT EXISTS (SELECT 1
                         FROM derived_status_interval s
                         JOIN map_gate m ON m.status = s.status
                        WHERE s.work_item_id = k.work_item_id
                          AND m.stakeholder = r.stakeholder
                          AND s.from_at <= g.finished_at)
)
SELECT deployment_id, commit_id, part, application, job, number, finished_at, environment,
       build_url, traceable, sha, author, subject, item_key, status, stakeholder, at
  FROM rows_out
 ORDER BY finished_at, job, number, deployment_id, COALESCE(sha, ''), COALESCE(commit_id, -1),
          part, COALESCE(item_key, ''), COALESCE(at, -1), COALESCE(status, ''),
          COALESCE(stakeholder, '');
