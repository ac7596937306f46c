-- hierarchy.sql - the hierarchy roll-up step (transform/epics.c): the items
-- and links it reads, and what it rewrites: derived_hierarchy and the
-- "hierarchy cycle" findings.  Format: load/sql/sink.sql's header.

-- name: clear_hierarchy
DELETE FROM derived_hierarchy

-- name: clear_hierarchy_findings
DELETE FROM derived_finding WHERE kind = 'hierarchy cycle'

-- name: hierarchy_items
SELECT work_item_id, item_key, item_type FROM dim_work_item ORDER BY work_item_id

-- blocks links are no part of the hierarchy
-- name: hierarchy_links
SELECT work_item_id, kind, target_key FROM fact_work_item_link
 WHERE kind IN ('parent', 'epic', 'theme')
 ORDER BY work_item_id, kind, target_key

-- name: hierarchy_finding
INSERT INTO derived_finding (kind, subject, metric, detail) VALUES (?1, ?2, ?3, ?4)
