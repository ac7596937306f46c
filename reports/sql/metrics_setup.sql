-- metrics_setup.sql - the connection's working tables for a metrics query.
--
-- cw_metrics_rows fills them from C for the requested window, grain and
-- scope, then runs metrics_counts.sql and metrics_samples.sql over them.
-- TEMP tables live in the connection only, so they work on a read-only
-- warehouse and never touch the analysts' data.  Ids and instants are
-- BIGINT (64-bit on both engines; SQLite reads it as INTEGER).
--
--   cw_period      the periods [period_start, period_end) of the window;
--                  period_id is their 0-based position (periods may overlap:
--                  a DORA summary asks for the window, weeks and months at once)
--   cw_period_day  every UTC day (instant / 86400) each period touches: facts
--                  find their periods through it by one index lookup instead
--                  of a range comparison against every period
--   cw_member      the rows' subjects: applications, teams or the organisation;
--                  member_ord is the output order (by name)
--   cw_member_app  which applications make up each member (a team is the
--                  union of its applications' data)

CREATE TEMP TABLE IF NOT EXISTS cw_period (
    period_id       INTEGER PRIMARY KEY,
    period_start    BIGINT NOT NULL,
    period_end      BIGINT NOT NULL,
    label           TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS cw_period_by_end ON cw_period (period_end);   -- a TEMP index
CREATE TEMP TABLE IF NOT EXISTS cw_period_day (
    day             BIGINT NOT NULL,
    period_id       INTEGER NOT NULL,
    PRIMARY KEY (day, period_id)
);
CREATE TEMP TABLE IF NOT EXISTS cw_member (
    member_id       BIGINT PRIMARY KEY,
    member_ord      INTEGER NOT NULL,
    name            TEXT NOT NULL,
    team            TEXT
);
CREATE TEMP TABLE IF NOT EXISTS cw_member_app (
    member_id       BIGINT NOT NULL,
    application_id  BIGINT NOT NULL,
    PRIMARY KEY (member_id, application_id)
);
DELETE FROM cw_period;
DELETE FROM cw_period_day;
DELETE FROM cw_member;
DELETE FROM cw_member_app;
