-- track.sql (SQLite) - which fact rows a batch wrote, for the incremental
-- derivation (pipeline/derive.h, transform/delta.c).
--
-- track_on runs inside the batch transaction, before the first source
-- loads, when the derived tables are up to date with the facts as the last
-- batch left them.  It makes temporary triggers: every row a statement
-- inserts, updates or deletes in a table correlation reads adds a row to
-- temp.cw_touched: (kind, op, id, application): the row's kind of fact, I, U
-- or D, its id and its application_id (an UPDATE adds the row before and the
-- row after, so an application the row left is touched too).  Triggers see
-- every write, whatever wrote it: the sink, the staged merges, resolve.sql's
-- re-attachments.  They are TEMP: they live on this connection only, cost
-- nothing when absent (a first load, a full derivation), and track_off
-- drops them before the batch commits.  DDL is transactional in SQLite, so a
-- batch that rolls back takes them with it.

-- name: track_on
CREATE TEMP TABLE IF NOT EXISTS cw_touched (kind TEXT NOT NULL, op TEXT NOT NULL,
                                            id INTEGER, app INTEGER);
DELETE FROM temp.cw_touched;
CREATE TEMP TRIGGER cw_touch_fact_commit_i AFTER INSERT ON fact_commit BEGIN
    INSERT INTO cw_touched VALUES ('commit', 'I', NEW.commit_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_commit_u AFTER UPDATE ON fact_commit BEGIN
    INSERT INTO cw_touched VALUES ('commit', 'U', OLD.commit_id, OLD.application_id),
                                  ('commit', 'U', NEW.commit_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_commit_d AFTER DELETE ON fact_commit BEGIN
    INSERT INTO cw_touched VALUES ('commit', 'D', OLD.commit_id, OLD.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_deployment_i AFTER INSERT ON fact_deployment BEGIN
    INSERT INTO cw_touched VALUES ('deployment', 'I', NEW.deployment_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_deployment_u AFTER UPDATE ON fact_deployment BEGIN
    INSERT INTO cw_touched VALUES ('deployment', 'U', OLD.deployment_id, OLD.application_id),
                                  ('deployment', 'U', NEW.deployment_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_deployment_d AFTER DELETE ON fact_deployment BEGIN
    INSERT INTO cw_touched VALUES ('deployment', 'D', OLD.deployment_id, OLD.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_build_i AFTER INSERT ON fact_build BEGIN
    INSERT INTO cw_touched VALUES ('build', 'I', NEW.build_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_build_u AFTER UPDATE ON fact_build BEGIN
    INSERT INTO cw_touched VALUES ('build', 'U', OLD.build_id, OLD.application_id),
                                  ('build', 'U', NEW.build_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_build_d AFTER DELETE ON fact_build BEGIN
    INSERT INTO cw_touched VALUES ('build', 'D', OLD.build_id, OLD.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_build_revision_i AFTER INSERT ON fact_build_revision BEGIN
    INSERT INTO cw_touched VALUES ('checkout', 'I', NEW.build_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_build_revision_u AFTER UPDATE ON fact_build_revision BEGIN
    INSERT INTO cw_touched VALUES ('checkout', 'U', OLD.build_id, OLD.application_id),
                                  ('checkout', 'U', NEW.build_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_build_revision_d AFTER DELETE ON fact_build_revision BEGIN
    INSERT INTO cw_touched VALUES ('checkout', 'D', OLD.build_id, OLD.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_incident_i AFTER INSERT ON fact_incident BEGIN
    INSERT INTO cw_touched VALUES ('incident', 'I', NEW.incident_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_incident_u AFTER UPDATE ON fact_incident BEGIN
    INSERT INTO cw_touched VALUES ('incident', 'U', OLD.incident_id, OLD.application_id),
                                  ('incident', 'U', NEW.incident_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_incident_d AFTER DELETE ON fact_incident BEGIN
    INSERT INTO cw_touched VALUES ('incident', 'D', OLD.incident_id, OLD.application_id);
END;
CREATE TEMP TRIGGER cw_touch_dim_work_item_i AFTER INSERT ON dim_work_item BEGIN
    INSERT INTO cw_touched VALUES ('item', 'I', NEW.work_item_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_dim_work_item_u AFTER UPDATE ON dim_work_item BEGIN
    INSERT INTO cw_touched VALUES ('item', 'U', OLD.work_item_id, OLD.application_id),
                                  ('item', 'U', NEW.work_item_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_dim_work_item_d AFTER DELETE ON dim_work_item BEGIN
    INSERT INTO cw_touched VALUES ('item', 'D', OLD.work_item_id, OLD.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_transition_i AFTER INSERT ON fact_transition BEGIN
    INSERT INTO cw_touched VALUES ('transition', 'I', NEW.work_item_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_transition_u AFTER UPDATE ON fact_transition BEGIN
    INSERT INTO cw_touched VALUES ('transition', 'U', OLD.work_item_id, OLD.application_id),
                                  ('transition', 'U', NEW.work_item_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_transition_d AFTER DELETE ON fact_transition BEGIN
    INSERT INTO cw_touched VALUES ('transition', 'D', OLD.work_item_id, OLD.application_id);
END;
CREATE TEMP TRIGGER cw_touch_source_status_i AFTER INSERT ON source_status BEGIN
    INSERT INTO cw_touched VALUES ('status', 'I', NULL, NULL);
END;
CREATE TEMP TRIGGER cw_touch_source_status_u AFTER UPDATE ON source_status BEGIN
    INSERT INTO cw_touched VALUES ('status', 'U', NULL, NULL),
                                  ('status', 'U', NULL, NULL);
END;
CREATE TEMP TRIGGER cw_touch_source_status_d AFTER DELETE ON source_status BEGIN
    INSERT INTO cw_touched VALUES ('status', 'D', NULL, NULL);
END;
-- Pull/merge requests and their commit lists (transform/keysource.c): the
-- request's id, and the commits its old row reached (kind keyed_commit: an
-- old merge or squash commit, a commit dropped from the list), which are
-- keyed again.
CREATE TEMP TRIGGER cw_touch_fact_pull_request_i AFTER INSERT ON fact_pull_request BEGIN
    INSERT INTO cw_touched VALUES ('pull_request', 'I', NEW.pull_request_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_pull_request_u AFTER UPDATE ON fact_pull_request BEGIN
    INSERT INTO cw_touched VALUES ('pull_request', 'U', NEW.pull_request_id, NEW.application_id);
    INSERT INTO cw_touched SELECT 'keyed_commit', 'U', k.commit_id, k.application_id
      FROM main.fact_commit k
     WHERE OLD.merged_at IS NOT NULL
       AND k.sha IN (lower(OLD.merge_commit_sha), lower(OLD.squash_commit_sha));
END;
CREATE TEMP TRIGGER cw_touch_fact_pull_request_d AFTER DELETE ON fact_pull_request BEGIN
    INSERT INTO cw_touched SELECT 'keyed_commit', 'D', k.commit_id, k.application_id
      FROM main.fact_commit k
     WHERE OLD.merged_at IS NOT NULL
       AND k.sha IN (lower(OLD.merge_commit_sha), lower(OLD.squash_commit_sha));
END;
CREATE TEMP TRIGGER cw_touch_fact_pull_request_commit_i AFTER INSERT ON fact_pull_request_commit
BEGIN
    INSERT INTO cw_touched VALUES ('pull_request', 'I', NEW.pull_request_id, NEW.application_id);
END;
CREATE TEMP TRIGGER cw_touch_fact_pull_request_commit_u AFTER UPDATE ON fact_pull_request_commit
BEGIN
    INSERT INTO cw_touched VALUES ('pull_request', 'U', NEW.pull_request_id, NEW.application_id);
    INSERT INTO cw_touched SELECT 'keyed_commit', 'U', k.commit_id, k.application_id
      FROM main.fact_commit k WHERE k.sha = lower(OLD.sha);
END;
CREATE TEMP TRIGGER cw_touch_fact_pull_request_commit_d AFTER DELETE ON fact_pull_request_commit
BEGIN
    INSERT INTO cw_touched SELECT 'keyed_commit', 'D', k.commit_id, k.application_id
      FROM main.fact_commit k WHERE k.sha = lower(OLD.sha);
END;

-- name: track_off
DROP TRIGGER IF EXISTS temp.cw_touch_fact_commit_i;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_commit_u;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_commit_d;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_deployment_i;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_deployment_u;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_deployment_d;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_build_i;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_build_u;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_build_d;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_build_revision_i;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_build_revision_u;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_build_revision_d;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_incident_i;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_incident_u;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_incident_d;
DROP TRIGGER IF EXISTS temp.cw_touch_dim_work_item_i;
DROP TRIGGER IF EXISTS temp.cw_touch_dim_work_item_u;
DROP TRIGGER IF EXISTS temp.cw_touch_dim_work_item_d;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_transition_i;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_transition_u;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_transition_d;
DROP TRIGGER IF EXISTS temp.cw_touch_source_status_i;
DROP TRIGGER IF EXISTS temp.cw_touch_source_status_u;
DROP TRIGGER IF EXISTS temp.cw_touch_source_status_d;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_pull_request_i;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_pull_request_u;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_pull_request_d;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_pull_request_commit_i;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_pull_request_commit_u;
DROP TRIGGER IF EXISTS temp.cw_touch_fact_pull_request_commit_d;
