-- sync.sql - the configuration mirrors (load/sync.c): dim_team,
-- dim_application, the map_* tables and the configured dim_status rows,
-- rewritten from the INI file at every batch.  Each mirror has an upsert
-- (writes only what changed), a list of its rows and a delete or
-- unconfigure by key, so sync.c removes what the configuration no longer
-- names without engine-specific array functions.
-- Named statements; the format is described at the top of load/sql/sink.sql.

-- name: team_upsert
INSERT INTO dim_team (name) VALUES (?1) ON CONFLICT (name) DO NOTHING

-- name: app_upsert
INSERT INTO dim_application (name, team_id, configured)
VALUES (?1, (SELECT team_id FROM dim_team WHERE name = ?2), 1)
ON CONFLICT (name) DO UPDATE SET team_id = excluded.team_id, configured = 1
 WHERE dim_application.team_id IS DISTINCT FROM excluded.team_id
    OR dim_application.configured IS DISTINCT FROM 1

-- name: app_list
SELECT name FROM dim_application WHERE configured IS DISTINCT FROM 0

-- applications are never deleted: old facts keep pointing at them
-- name: app_unconfigure
UPDATE dim_application SET configured = 0 WHERE name = ?1

-- name: map_project_upsert
INSERT INTO map_project (project, application_id)
SELECT CAST(?1 AS TEXT), application_id FROM dim_application WHERE name = ?2
ON CONFLICT (project) DO UPDATE SET application_id = excluded.application_id
 WHERE map_project.application_id IS DISTINCT FROM excluded.application_id

-- name: map_project_list
SELECT project FROM map_project

-- name: map_project_delete
DELETE FROM map_project WHERE project = ?1

-- name: map_repository_upsert
INSERT INTO map_repository (repository, application_id)
SELECT CAST(?1 AS TEXT), application_id FROM dim_application WHERE name = ?2
ON CONFLICT (repository) DO UPDATE SET application_id = excluded.application_id
 WHERE map_repository.application_id IS DISTINCT FROM excluded.application_id

-- name: map_repository_list
SELECT repository FROM map_repository

-- name: map_repository_delete
DELETE FROM map_repository WHERE repository = ?1

-- name: map_service_upsert
INSERT INTO map_service (service, application_id)
SELECT CAST(?1 AS TEXT), application_id FROM dim_application WHERE name = ?2
ON CONFLICT (service) DO UPDATE SET application_id = excluded.application_id
 WHERE map_service.application_id IS DISTINCT FROM excluded.application_id

-- name: map_service_list
SELECT service FROM map_service

-- name: map_service_delete
DELETE FROM map_service WHERE service = ?1

-- name: map_job_upsert
INSERT INTO map_job (pattern, application_id, position)
SELECT CAST(?1 AS TEXT), application_id, CAST(?3 AS BIGINT) FROM dim_application WHERE name = ?2
ON CONFLICT (pattern, application_id) DO UPDATE SET position = excluded.position
 WHERE map_job.position IS DISTINCT FROM excluded.position

-- the key of a map_job row is its pattern and application name
-- name: map_job_list
SELECT m.pattern, a.name, m.application_id FROM map_job m
  LEFT JOIN dim_application a ON a.application_id = m.application_id

-- name: map_job_delete
DELETE FROM map_job WHERE pattern = ?1 AND application_id = ?2

-- name: status_upsert
INSERT INTO dim_status (name, category, waiting, origin) VALUES (?1, ?2, ?3, 'config')
ON CONFLICT (name) DO UPDATE SET category = excluded.category,
       waiting = excluded.waiting, origin = 'config'
 WHERE dim_status.category IS DISTINCT FROM excluded.category
    OR dim_status.waiting IS DISTINCT FROM excluded.waiting
    OR dim_status.origin IS DISTINCT FROM 'config'

-- name: status_list
SELECT name FROM dim_status WHERE origin = 'config'

-- name: status_delete
DELETE FROM dim_status WHERE origin = 'config' AND name = ?1

-- name: incident_type_upsert
INSERT INTO map_incident_type (source, item_type) VALUES (?1, ?2)
ON CONFLICT (source, item_type) DO NOTHING

-- name: incident_type_list
SELECT source, item_type FROM map_incident_type

-- name: incident_type_delete
DELETE FROM map_incident_type WHERE source = ?1 AND item_type = ?2
-- Gates (metrics.md "Gates and the value stream map"): [gates] STATUS =
-- stakeholder, and [application X] gates = the stakeholders it requires.
-- name: map_gate_upsert
INSERT INTO map_gate (status, stakeholder) VALUES (?1, ?2)
ON CONFLICT (status) DO UPDATE SET stakeholder = excluded.stakeholder
 WHERE map_gate.stakeholder IS DISTINCT FROM excluded.stakeholder

-- name: map_gate_list
SELECT status FROM map_gate

-- name: map_gate_delete
DELETE FROM map_gate WHERE status = ?1

-- name: map_application_gate_upsert
INSERT INTO map_application_gate (application_id, stakeholder)
SELECT application_id, CAST(?1 AS TEXT) FROM dim_application WHERE name = ?2
ON CONFLICT (application_id, stakeholder) DO NOTHING

-- the key of a map_application_gate row is its stakeholder and application name
-- name: map_application_gate_list
SELECT m.stakeholder, a.name, m.application_id FROM map_application_gate m
  LEFT JOIN dim_application a ON a.application_id = m.application_id

-- name: map_application_gate_delete
DELETE FROM map_application_gate WHERE stakeholder = ?1 AND application_id = ?2
