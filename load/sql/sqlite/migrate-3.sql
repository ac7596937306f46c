-- migrate-3.sql (SQLite) - version 3, first half: every fact table's
-- natural key starts with application_id (load/warehouse.c, "Schema
-- versions").  SQLite cannot alter a constraint, so each fact table is set
-- aside here, dropped, created anew by schema.sql, and filled back by
-- migrate-3-data.sql, all inside the batch transaction.  The foreign keys
-- naming these tables (derived, bridge and fact tables) are checked at
-- commit instead (defer_foreign_keys ends with the transaction): dropping a
-- parent counts its children as violations and putting its rows back
-- clears them, so a lost row still fails the batch.
PRAGMA defer_foreign_keys = ON;

CREATE TABLE cw_v3_fact_transition AS SELECT * FROM fact_transition;
CREATE TABLE cw_v3_fact_commit AS SELECT * FROM fact_commit;
CREATE TABLE cw_v3_fact_build AS SELECT * FROM fact_build;
CREATE TABLE cw_v3_fact_build_revision AS SELECT * FROM fact_build_revision;
CREATE TABLE cw_v3_fact_deployment AS SELECT * FROM fact_deployment;
CREATE TABLE cw_v3_fact_deployment_status AS SELECT * FROM fact_deployment_status;
CREATE TABLE cw_v3_fact_pull_request AS SELECT * FROM fact_pull_request;
CREATE TABLE cw_v3_fact_incident AS SELECT * FROM fact_incident;

DROP TABLE fact_transition;
DROP TABLE fact_build_revision;
DROP TABLE fact_deployment;
DROP TABLE fact_deployment_status;
DROP TABLE fact_build;
DROP TABLE fact_commit;
DROP TABLE fact_pull_request;
DROP TABLE fact_incident;
