-- flow_views.sql - the value stream views (metrics.md "Idea to production",
-- "Work items and flow" time in status, "Gates and the value stream map").
--
-- Installed after views.sql by cw_metrics_install_views() and checked by
-- readers the same way.  These views read tables only (never a view of
-- views.sql), so either file can drop and re-create its views on its own.
-- Portable SQL (tests/unit/test_sql_portable.c).  Seconds are _s, hours _h.
-- Gate statuses match map_gate case-insensitively, as status names match
-- everywhere (transform/flow.c).

DROP VIEW IF EXISTS v_gate_waiting;
DROP VIEW IF EXISTS v_gate_skipped;
DROP VIEW IF EXISTS v_gate_time;
DROP VIEW IF EXISTS v_status_time;
DROP VIEW IF EXISTS v_in_flight;
DROP VIEW IF EXISTS v_idea_to_production_findings;
DROP VIEW IF EXISTS v_idea_to_production;

-- Idea to production, one row per item with a production_at (transform/
-- correlate.c) that is not before its creation (Decisions 10: those are
-- excluded).  A referencing commit is a non-merge commit (parent_count < 2)
-- of bridge_commit_work_item that no baseline deployment shipped;
-- first_commit_at / last_commit_at are the earliest / latest authored_at of
-- those.  development_at is first_commit_at, or start_at when earlier.
-- The stages: before development = development_at - created_at;
-- development = last_commit_at - development_at; waiting for production =
-- production_at - last_commit_at.  A negative stage (a commit authored
-- before the item was created, or after the deployment that shipped the
-- item) is clamped to 0; clamped_stages counts them, and the view
-- v_idea_to_production_findings lists those items (the data-quality
-- finding; this file, run at every derivation, full or incremental, writes
-- them into derived_finding too).  Period:
-- production_at.  The commit instants are looked up per item (ix_bcwi_item),
-- so a reader filtering on production_at reads the commits of its items only.
CREATE VIEW v_idea_to_production AS
SELECT x.work_item_id, x.item_key, x.application_id, x.application, x.created_at, x.start_at,
       x.first_commit_at, x.last_commit_at, x.production_at,
       x.production_at - x.created_at AS idea_to_production_s,
       CAST(x.production_at - x.created_at AS DOUBLE PRECISION) / 3600.0 AS idea_to_production_h,
       CASE WHEN x.development_at < x.created_at THEN 0.0
            ELSE CAST(x.development_at - x.created_at AS DOUBLE PRECISION) / 3600.0
       END AS before_development_h,
       CASE WHEN x.last_commit_at < x.development_at THEN 0.0
            ELSE CAST(x.last_commit_at - x.development_at AS DOUBLE PRECISION) / 3600.0
       END AS development_h,
       CASE WHEN x.production_at < x.last_commit_at THEN 0.0
            ELSE CAST(x.production_at - x.last_commit_at AS DOUBLE PRECISION) / 3600.0
       END AS waiting_for_production_h,
       (CASE WHEN x.development_at < x.created_at THEN 1 ELSE 0 END)
       + (CASE WHEN x.last_commit_at < x.development_at THEN 1 ELSE 0 END)
       + (CASE WHEN x.production_at < x.last_commit_at THEN 1 ELSE 0 END) AS clamped_stages
FROM (SELECT y.*,
             CASE WHEN y.start_at < y.first_commit_at THEN y.start_at
                  ELSE y.first_commit_at END AS development_at
      FROM (SELECT w.work_item_id, w.item_key, NULLIF(w.application_id, 0) AS application_id,
                   a.name AS application, w.created_at, f.start_at, f.production_at,
                   (SELECT MIN(c.authored_at)
                      FROM bridge_commit_work_item k
                      JOIN fact_commit c ON c.commit_id = k.commit_id
                     WHERE k.work_item_id = f.work_item_id AND c.parent_count < 2
                       AND NOT EXISTS (SELECT 1 FROM bridge_deployment_commit b
                                        WHERE b.commit_id = k.commit_id AND b.is_baseline = 1)
                   ) AS first_commit_at,
                   (SELECT MAX(c.authored_at)
                      FROM bridge_commit_work_item k
                      JOIN fact_commit c ON c.commit_id = k.commit_id
                     WHERE k.work_item_id = f.work_item_id AND c.parent_count < 2
                       AND NOT EXISTS (SELECT 1 FROM bridge_deployment_commit b
                                        WHERE b.commit_id = k.commit_id AND b.is_baseline = 1)
                   ) AS last_commit_at
              FROM derived_work_item f
              JOIN dim_work_item w ON w.work_item_id = f.work_item_id
              LEFT JOIN dim_application a ON a.application_id = w.application_id
             WHERE f.production_at IS NOT NULL AND f.production_at >= w.created_at) y) x;

-- The data-quality finding of a clamped stage, shaped as derived_finding
-- rows (kind, subject, metric, detail); the end of this file writes them
-- there, so v_data_quality_finding (quality.sql) lists them.
CREATE VIEW v_idea_to_production_findings AS
SELECT 'idea_to_production_stage_clamped' AS kind, item_key AS subject,
       'idea_to_production' AS metric,
       CAST(clamped_stages AS TEXT) || ' negative stage(s) clamped to 0' AS detail,
       work_item_id, application_id, application, production_at
FROM v_idea_to_production
WHERE clamped_stages > 0;

-- In-flight items: at least one referencing non-merge commit that no
-- successful production deployment has shipped yet (no
-- bridge_deployment_commit row).  undeployed_commits counts those commits,
-- oldest_undeployed_at / newest_undeployed_at are their authored_at range.
CREATE VIEW v_in_flight AS
SELECT w.work_item_id, w.item_key, NULLIF(w.application_id, 0) AS application_id,
       a.name AS application, w.status, f.category, w.created_at,
       u.undeployed_commits, u.oldest_undeployed_at, u.newest_undeployed_at
FROM (SELECT k.work_item_id, COUNT(*) AS undeployed_commits,
             MIN(c.authored_at) AS oldest_undeployed_at, MAX(c.authored_at) AS newest_undeployed_at
        FROM bridge_commit_work_item k
        JOIN fact_commit c ON c.commit_id = k.commit_id
       WHERE c.parent_count < 2
         AND NOT EXISTS (SELECT 1 FROM bridge_deployment_commit b WHERE b.commit_id = k.commit_id)
       GROUP BY k.work_item_id) u
JOIN dim_work_item w ON w.work_item_id = u.work_item_id
LEFT JOIN derived_work_item f ON f.work_item_id = u.work_item_id
LEFT JOIN dim_application a ON a.application_id = w.application_id;

-- Time in status (the value stream map): one row per ended item with a
-- start (end_at >= start_at) and status it spent time in between its start
-- and its end.  seconds is the sum over its visits of each interval clipped
-- to [start_at, end_at); visits counts the intervals overlapping it (a
-- reopened item's earlier done visit is one of them).  category and is_wait
-- are the status's (derived_status_interval), is_gate = 1 when map_gate
-- names the status.  Period: end_at.
CREATE VIEW v_status_time AS
SELECT t.work_item_id, t.item_key, t.application_id, t.application, t.end_at, t.status,
       t.category, t.is_wait,
       CASE WHEN EXISTS (SELECT 1 FROM map_gate g WHERE lower(g.status) = lower(t.status))
            THEN 1 ELSE 0 END AS is_gate,
       t.visits, t.seconds
FROM (SELECT f.work_item_id, w.item_key, NULLIF(w.application_id, 0) AS application_id,
             a.name AS application, f.end_at, s.status,
             MAX(s.category) AS category, MAX(s.waiting) AS is_wait, COUNT(*) AS visits,
             SUM((CASE WHEN s.to_at IS NULL OR s.to_at > f.end_at THEN f.end_at ELSE s.to_at END)
                 - (CASE WHEN s.from_at < f.start_at THEN f.start_at ELSE s.from_at END)) AS seconds
        FROM derived_work_item f
        JOIN derived_status_interval s ON s.work_item_id = f.work_item_id
        JOIN dim_work_item w ON w.work_item_id = f.work_item_id
        LEFT JOIN dim_application a ON a.application_id = w.application_id
       WHERE f.end_at IS NOT NULL AND f.start_at IS NOT NULL AND f.end_at >= f.start_at
         AND s.from_at < f.end_at AND (s.to_at IS NULL OR s.to_at > f.start_at)
       GROUP BY f.work_item_id, w.item_key, w.application_id, a.name, f.end_at, s.status) t;

-- Gates passed: one row per ended item and gate status it was ever in
-- (metrics.md: passed = ever in the gate status), seconds summed over all
-- its visits (an open visit counts 0: an ended item is in a done status).
-- Period: end_at.
CREATE VIEW v_gate_time AS
SELECT f.work_item_id, w.item_key, NULLIF(w.application_id, 0) AS application_id,
       a.name AS application, f.end_at, g.status AS gate, g.stakeholder,
       COUNT(*) AS visits, SUM(COALESCE(s.to_at, s.from_at) - s.from_at) AS seconds
FROM derived_work_item f
JOIN derived_status_interval s ON s.work_item_id = f.work_item_id
JOIN map_gate g ON lower(g.status) = lower(s.status)
JOIN dim_work_item w ON w.work_item_id = f.work_item_id
LEFT JOIN dim_application a ON a.application_id = w.application_id
WHERE f.end_at IS NOT NULL
GROUP BY f.work_item_id, w.item_key, w.application_id, a.name, f.end_at, g.status, g.stakeholder;

-- Gates skipped: one row per ended item and gate status of a stakeholder
-- its application requires (map_application_gate) when the item was never
-- in any gate status of that stakeholder.  Period: end_at.
CREATE VIEW v_gate_skipped AS
SELECT f.work_item_id, w.item_key, w.application_id, a.name AS application, f.end_at,
       g.status AS gate, g.stakeholder
FROM derived_work_item f
JOIN dim_work_item w ON w.work_item_id = f.work_item_id
JOIN map_application_gate r ON r.application_id = w.application_id
JOIN map_gate g ON g.stakeholder = r.stakeholder
LEFT JOIN dim_application a ON a.application_id = w.application_id
WHERE f.end_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM derived_status_interval s
                  JOIN map_gate g2 ON lower(g2.status) = lower(s.status)
                  WHERE s.work_item_id = f.work_item_id AND g2.stakeholder = r.stakeholder);

-- Waiting at a gate now: one row per item whose current status (the open
-- interval) is a gate, since = when it entered it.  For another instant T,
-- take the intervals with from_at < T AND (to_at IS NULL OR to_at >= T), as
-- `catwalk flow --gates` does for its window's end (reports/sql/flow_gates.sql).
CREATE VIEW v_gate_waiting AS
SELECT s.work_item_id, w.item_key, NULLIF(w.application_id, 0) AS application_id,
       a.name AS application, g.status AS gate, g.stakeholder, s.from_at AS since
FROM derived_status_interval s
JOIN map_gate g ON lower(g.status) = lower(s.status)
JOIN dim_work_item w ON w.work_item_id = s.work_item_id
LEFT JOIN dim_application a ON a.application_id = w.application_id
WHERE s.to_at IS NULL;

-- The clamped stages as derived_finding rows, rewritten in full each time
-- the views are installed: at every derivation, full or incremental
-- (pipeline/derive.c), right after the correlation, so they always match
-- the derived tables (one row per item in production: O(items)).
DELETE FROM derived_finding WHERE kind = 'idea_to_production_stage_clamped';
INSERT INTO derived_finding (kind, subject, metric, detail)
SELECT kind, subject, metric, detail FROM v_idea_to_production_findings;
