-- track.sql (PostgreSQL) - which fact rows a batch wrote, for the
-- incremental derivation (pipeline/derive.h, transform/delta.c).
--
-- The same rows as load/sql/sqlite/track.sql, in a temporary table
-- cw_touched (kind, op, id, app) emptied at commit.  PostgreSQL has no
-- temporary triggers, so the triggers are ordinary ones, made (or replaced)
-- by each batch that tracks, and they add a row only while the setting
-- catwalk.track is 'on': track_on sets it for this transaction alone
-- (set_config's is_local), track_off clears it, and every other writer,
-- and every batch that derives in full, passes them by at the cost of a
-- WHEN test.  CREATE TRIGGER takes a lock that readers do not wait for.

-- name: track_on
CREATE TEMP TABLE IF NOT EXISTS cw_touched (kind TEXT NOT NULL, op TEXT NOT NULL,
                                            id BIGINT, app BIGINT) ON COMMIT DELETE ROWS;
DELETE FROM cw_touched;
CREATE OR REPLACE FUNCTION cw_touch() RETURNS trigger LANGUAGE plpgsql AS $cw$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        INSERT INTO cw_touched VALUES (TG_ARGV[0], left(TG_OP, 1),
            CASE WHEN TG_ARGV[1] = '' THEN NULL ELSE (to_jsonb(OLD) ->> TG_ARGV[1])::bigint END,
            (to_jsonb(OLD) ->> 'application_id')::bigint);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO cw_touched VALUES (TG_ARGV[0], left(TG_OP, 1),
            CASE WHEN TG_ARGV[1] = '' THEN NULL ELSE (to_jsonb(NEW) ->> TG_ARGV[1])::bigint END,
            (to_jsonb(NEW) ->> 'application_id')::bigint);
    END IF;
    RETURN NULL;
END
$cw$;
CREATE OR REPLACE TRIGGER cw_touch
    AFTER INSERT OR UPDATE OR DELETE ON fact_commit FOR EACH ROW
    WHEN (current_setting('catwalk.track', true) = 'on')
    EXECUTE FUNCTION cw_touch('commit', 'commit_id');
CREATE OR REPLACE TRIGGER cw_touch
    AFTER INSERT OR UPDATE OR DELETE ON fact_deployment FOR EACH ROW
    WHEN (current_setting('catwalk.track', true) = 'on')
    EXECUTE FUNCTION cw_touch('deployment', 'deployment_id');
CREATE OR REPLACE TRIGGER cw_touch
    AFTER INSERT OR UPDATE OR DELETE ON fact_build FOR EACH ROW
    WHEN (current_setting('catwalk.track', true) = 'on')
    EXECUTE FUNCTION cw_touch('build', 'build_id');
CREATE OR REPLACE TRIGGER cw_touch
    AFTER INSERT OR UPDATE OR DELETE ON fact_build_revision FOR EACH ROW
    WHEN (current_setting('catwalk.track', true) = 'on')
    EXECUTE FUNCTION cw_touch('checkout', 'build_id');
CREATE OR REPLACE TRIGGER cw_touch
    AFTER INSERT OR UPDATE OR DELETE ON fact_incident FOR EACH ROW
    WHEN (current_setting('catwalk.track', true) = 'on')
    EXECUTE FUNCTION cw_touch('incident', 'incident_id');
CREATE OR REPLACE TRIGGER cw_touch
    AFTER INSERT OR UPDATE OR DELETE ON dim_work_item FOR EACH ROW
    WHEN (current_setting('catwalk.track', true) = 'on')
    EXECUTE FUNCTION cw_touch('item', 'work_item_id');
CREATE OR REPLACE TRIGGER cw_touch
    AFTER INSERT OR UPDATE OR DELETE ON fact_transition FOR EACH ROW
    WHEN (current_setting('catwalk.track', true) = 'on')
    EXECUTE FUNCTION cw_touch('transition', 'work_item_id');
CREATE OR REPLACE TRIGGER cw_touch
    AFTER INSERT OR UPDATE OR DELETE ON source_status FOR EACH ROW
    WHEN (current_setting('catwalk.track', true) = 'on')
    EXECUTE FUNCTION cw_touch('status', '');
-- Pull/merge requests and their commit lists (transform/keysource.c): the
-- request's id, and the commits its old row reached (kind keyed_commit: an
-- old merge or squash commit, a commit dropped from the list), which are
-- keyed again.  The same rows as the SQLite triggers.
CREATE OR REPLACE FUNCTION cw_touch_pull_request() RETURNS trigger LANGUAGE plpgsql AS $cw$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO cw_touched VALUES ('pull_request', left(TG_OP, 1), NEW.pull_request_id,
                                       NEW.application_id);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        IF TG_TABLE_NAME = 'fact_pull_request' THEN
            INSERT INTO cw_touched
            SELECT 'keyed_commit', left(TG_OP, 1), k.commit_id, k.application_id
              FROM fact_commit k
             WHERE (to_jsonb(OLD) ->> 'merged_at') IS NOT NULL
               AND k.sha IN (lower(to_jsonb(OLD) ->> 'merge_commit_sha'),
                             lower(to_jsonb(OLD) ->> 'squash_commit_sha'));
        ELSE
            INSERT INTO cw_touched
            SELECT 'keyed_commit', left(TG_OP, 1), k.commit_id, k.application_id
              FROM fact_commit k WHERE k.sha = lower(to_jsonb(OLD) ->> 'sha');
        END IF;
    END IF;
    RETURN NULL;
END
$cw$;
CREATE OR REPLACE TRIGGER cw_touch
    AFTER INSERT OR UPDATE OR DELETE ON fact_pull_request FOR EACH ROW
    WHEN (current_setting('catwalk.track', true) = 'on')
    EXECUTE FUNCTION cw_touch_pull_request();
CREATE OR REPLACE TRIGGER cw_touch
    AFTER INSERT OR UPDATE OR DELETE ON fact_pull_request_commit FOR EACH ROW
    WHEN (current_setting('catwalk.track', true) = 'on')
    EXECUTE FUNCTION cw_touch_pull_request();
SELECT set_config('catwalk.track', 'on', true);

-- name: track_off
SELECT set_config('catwalk.track', 'off', true);
