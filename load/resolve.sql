-- resolve.sql - attach facts to applications and fill the date dimension.
--
-- Run by cw_wh_resolve() inside the batch transaction, after loading and
-- before correlation.  Every statement writes only rows whose value really
-- changes (`IS NOT` guards, NOT EXISTS for inserts), so a re-run of the same
-- input writes nothing and rowids never move.
--
-- Applications come from the configuration mirrors (map_*), which
-- cw_wh_sync_config() rewrote at the start of the batch: a config change
-- re-attaches old facts without re-reading any file.

-- Work items by Jira project key.
UPDATE dim_work_item
   SET application_id = (SELECT m.application_id FROM map_project m
                          WHERE m.project = dim_work_item.project)
 WHERE application_id IS NOT (SELECT m.application_id FROM map_project m
                               WHERE m.project = dim_work_item.project);

-- Commits by the git source's repository name.
UPDATE fact_commit
   SET application_id = (SELECT m.application_id FROM map_repository m
                          WHERE m.repository = fact_commit.repository)
 WHERE application_id IS NOT (SELECT m.application_id FROM map_repository m
                               WHERE m.repository = fact_commit.repository);

-- Incidents by service name.
UPDATE fact_incident
   SET application_id = (SELECT m.application_id FROM map_service m
                          WHERE m.service = fact_incident.service)
 WHERE application_id IS NOT (SELECT m.application_id FROM map_service m
                               WHERE m.service = fact_incident.service);

-- Deployments whose finish comes from their statuses (GitHub): the first
-- `success` status finishes it successfully; without one, the first
-- `failure` or `error` status finishes it as failed; with neither (only
-- queued / in_progress / inactive so far) it stays unfinished and out of
-- fact_deployment.  Statuses and deployments may have been loaded in any
-- order and in different batches, hence here and not in the parser.
UPDATE fact_build
   SET finished_at = r.finished_at, result = r.result
  FROM (SELECT b.build_id,
               coalesce(min(CASE WHEN s.state = 'success' THEN s.created_at END),
                        min(CASE WHEN s.state IN ('failure', 'error') THEN s.created_at END))
                 AS finished_at,
               CASE WHEN max(s.state = 'success') = 1 THEN 'success'
                    WHEN max(s.state IN ('failure', 'error')) = 1 THEN 'failure' END AS result
          FROM fact_build b
          JOIN fact_deployment_status s
            ON s.source_id = b.source_id AND s.job = b.job AND s.number = b.number
         WHERE b.is_deployment = 1
         GROUP BY b.build_id) AS r
 WHERE r.build_id = fact_build.build_id
   AND r.finished_at IS NOT NULL
   AND (fact_build.finished_at IS NOT r.finished_at OR fact_build.result IS NOT r.result);

-- Builds by job regex: the first pattern (by configured position) matching
-- the full job name; failing that, the first one matching the last path
-- component of a folder job ("team/deploy-x" -> "deploy-x").  A full-name
-- match wins over a component match so a pattern naming the folder is more
-- specific than one naming only the leaf.  rtrim(job, <job without '/'>)
-- strips the leaf and keeps "team/", hence the leaf starts right after it.
-- UPDATE ... FROM evaluates the regexes once per build.
UPDATE fact_build
   SET application_id = r.application_id
  FROM (SELECT b.build_id,
               COALESCE(
                 (SELECT m.application_id FROM map_job m
                   WHERE b.job REGEXP m.pattern
                   ORDER BY m.position, m.application_id LIMIT 1),
                 (SELECT m.application_id FROM map_job m
                   WHERE instr(b.job, '/') > 0
                     AND substr(b.job, length(rtrim(b.job, replace(b.job, '/', ''))) + 1)
                         REGEXP m.pattern
                   ORDER BY m.position, m.application_id LIMIT 1)) AS application_id
          FROM fact_build b) AS r
 WHERE r.build_id = fact_build.build_id
   AND fact_build.application_id IS NOT r.application_id;

-- Those status-finished deployments enter fact_deployment once finished
-- (the sink adds the other deployments as they load).
INSERT INTO fact_deployment (build_id, application_id, environment_id, is_production,
                             result, started_at, finished_at, revision, run_number)
SELECT b.build_id, b.application_id, b.environment_id, coalesce(e.is_production, 0),
       b.result, b.started_at, b.finished_at, b.revision, b.number
  FROM fact_build b
  LEFT JOIN dim_environment e ON e.environment_id = b.environment_id
 WHERE b.is_deployment = 1 AND b.finished_at IS NOT NULL
   AND EXISTS (SELECT 1 FROM fact_deployment_status s
                WHERE s.source_id = b.source_id AND s.job = b.job AND s.number = b.number)
    ON CONFLICT (build_id) DO UPDATE SET is_production = excluded.is_production,
       result = excluded.result, started_at = excluded.started_at,
       finished_at = excluded.finished_at, revision = excluded.revision,
       run_number = excluded.run_number
 WHERE fact_deployment.is_production IS NOT excluded.is_production
    OR fact_deployment.result IS NOT excluded.result
    OR fact_deployment.started_at IS NOT excluded.started_at
    OR fact_deployment.finished_at IS NOT excluded.finished_at
    OR fact_deployment.revision IS NOT excluded.revision
    OR fact_deployment.run_number IS NOT excluded.run_number;

-- Deployments follow their build.
UPDATE fact_deployment
   SET application_id = b.application_id,
       environment_id = b.environment_id
  FROM fact_build b
 WHERE b.build_id = fact_deployment.build_id
   AND (fact_deployment.application_id IS NOT b.application_id
        OR fact_deployment.environment_id IS NOT b.environment_id);

-- dim_date: every UTC day from the earliest to the latest instant any fact
-- touches, so reports see the days without activity too.  When the span is
-- absurd (a bogus year in some export) only the days actually referenced
-- are added, which keeps the table bounded.  Days are clamped to years
-- 0001..9999, the range date() can print.
INSERT INTO dim_date (date_key, date, week_start, month_start, iso_year, iso_week, weekday)
WITH RECURSIVE
  instant(lo, hi) AS (
    SELECT min(created_at), max(created_at) FROM dim_work_item
    UNION ALL SELECT min(updated_at), max(updated_at) FROM dim_work_item
    UNION ALL SELECT min(resolved_at), max(resolved_at) FROM dim_work_item
    UNION ALL SELECT min(at), max(at) FROM fact_transition
    UNION ALL SELECT min(authored_at), max(authored_at) FROM fact_commit
    UNION ALL SELECT min(committed_at), max(committed_at) FROM fact_commit
    UNION ALL SELECT min(started_at), max(started_at) FROM fact_build
    UNION ALL SELECT min(finished_at), max(finished_at) FROM fact_build
    UNION ALL SELECT min(created_at), max(created_at) FROM fact_incident
    UNION ALL SELECT min(resolved_at), max(resolved_at) FROM fact_incident
    UNION ALL SELECT min(updated_at), max(updated_at) FROM fact_incident),
  -- floor division: SQLite's integer division truncates toward zero
  bound(lo_day, hi_day) AS (
    SELECT max(-719162, (min(lo) - ((min(lo) % 86400) + 86400) % 86400) / 86400),
           min(2932896, (max(hi) - ((max(hi) % 86400) + 86400) % 86400) / 86400)
      FROM instant),
  referenced(t) AS (
    SELECT created_at FROM dim_work_item
    UNION SELECT updated_at FROM dim_work_item
    UNION SELECT resolved_at FROM dim_work_item
    UNION SELECT at FROM fact_transition
    UNION SELECT authored_at FROM fact_commit
    UNION SELECT committed_at FROM fact_commit
    UNION SELECT started_at FROM fact_build
    UNION SELECT finished_at FROM fact_build
    UNION SELECT created_at FROM fact_incident
    UNION SELECT resolved_at FROM fact_incident
    UNION SELECT updated_at FROM fact_incident),
  day(d) AS (
    SELECT lo_day FROM bound
     WHERE lo_day IS NOT NULL AND hi_day - lo_day <= 36600
    UNION ALL
    SELECT day.d + 1 FROM day, bound WHERE day.d < bound.hi_day),
  sparse(d) AS (
    SELECT DISTINCT (t - ((t % 86400) + 86400) % 86400) / 86400 FROM referenced
     WHERE t IS NOT NULL AND (SELECT hi_day - lo_day FROM bound) > 36600),
  candidate(d, m) AS (
    -- m: days since the Monday of d's week (1970-01-01 was a Thursday)
    SELECT d, ((d + 3) % 7 + 7) % 7 FROM (SELECT d FROM day UNION SELECT d FROM sparse)
     WHERE d BETWEEN -719162 AND 2932896)
SELECT d,
       date(d * 86400, 'unixepoch'),
       date((d - m) * 86400, 'unixepoch'),
       strftime('%Y-%m-01', d * 86400, 'unixepoch'),
       -- the ISO year and week are those of the week's Thursday
       CAST(strftime('%Y', (d - m + 3) * 86400, 'unixepoch') AS INTEGER),
       (CAST(strftime('%j', (d - m + 3) * 86400, 'unixepoch') AS INTEGER) - 1) / 7 + 1,
       m + 1
  FROM candidate
 WHERE NOT EXISTS (SELECT 1 FROM dim_date x WHERE x.date_key = candidate.d);
