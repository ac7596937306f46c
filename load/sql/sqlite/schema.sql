-- schema.sql - the catwalk warehouse on SQLite: a star schema plus audit tables.
--
-- KEEP IN STEP WITH load/sql/postgresql/schema.sql: both engines have the same
-- tables, columns and indexes, and a change to one is a change to both (and a
-- new schema version with a migration step when an existing warehouse must
-- change: load/warehouse.c, "Schema versions").
--
-- Natural keys are declared UNIQUE so every load is an upsert; instants are
-- INTEGER seconds since the epoch UTC (NULL when unknown).  SQLite's INTEGER
-- is 64-bit, so ids and instants are the same as PostgreSQL's bigint.
--
-- Every statement is IF NOT EXISTS: cw_wh_open() runs this file on a new
-- warehouse, and cw_wh_batch_begin() runs it again after the migrations, so
-- a table or index added here reaches existing warehouses without a
-- migration step (a new or changed column needs one).
--
-- Three kinds of tables:
--   * dimensions (dim_*) and facts (fact_*) loaded from sources by natural key;
--   * configuration mirrors (map_*, dim_status, dim_application, dim_team)
--     rewritten from the INI file at every batch, so SQL can resolve
--     applications without C;
--   * derived tables (bridge_*, derived_*) recomputed by the correlation step
--     inside the batch transaction.  They are a pure function of the facts and
--     the configuration, so a re-run of the same input leaves them identical.
-- The metric views live in reports/sql/.

-- One row: the version of this schema the warehouse is at (CW_SCHEMA_VERSION).
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);

-- ---------------------------------------------------------------- audit
CREATE TABLE IF NOT EXISTS batch (
    batch_id        INTEGER PRIMARY KEY,
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    status          TEXT NOT NULL,          -- running | ok | partial | failed
    config_path     TEXT,
    files_landed    INTEGER NOT NULL DEFAULT 0,
    files_skipped   INTEGER NOT NULL DEFAULT 0,  -- same checksum already loaded
    rows_read       INTEGER NOT NULL DEFAULT 0,
    rows_loaded     INTEGER NOT NULL DEFAULT 0,  -- records accepted (written or already there)
    rows_rejected   INTEGER NOT NULL DEFAULT 0,
    sources_failed  TEXT,                   -- comma-separated source names
    rows_changed    INTEGER NOT NULL DEFAULT 0   -- accepted records that wrote a row
);

CREATE TABLE IF NOT EXISTS landed_file (
    landed_file_id  INTEGER PRIMARY KEY,
    batch_id        INTEGER NOT NULL REFERENCES batch(batch_id),
    source          TEXT NOT NULL,
    original_path   TEXT NOT NULL,
    landed_path     TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    bytes           INTEGER NOT NULL,
    records         INTEGER NOT NULL DEFAULT 0,
    rejects         INTEGER NOT NULL DEFAULT 0,
    -- rejects that depend on other data (a transition of an item no batch
    -- has loaded): while > 0 the file is not "seen" and the next run reads it again
    deferred        INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source, sha256)
);

-- Transitions read before their work item (a changelog file sorting before
-- its issues, or in another source).  cw_wh_resolve() attaches them once the
-- whole batch is parsed, or rejects those whose item is still unknown; the
-- table is empty outside a batch.
CREATE TABLE IF NOT EXISTS stage_transition (
    stage_id        INTEGER PRIMARY KEY,
    source          TEXT NOT NULL,
    file            TEXT NOT NULL,
    record          INTEGER NOT NULL,
    item_key        TEXT,
    item_id         TEXT,
    at              INTEGER NOT NULL,
    history_id      TEXT,
    from_status     TEXT,
    to_status       TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS reject (
    reject_id       INTEGER PRIMARY KEY,
    batch_id        INTEGER NOT NULL REFERENCES batch(batch_id),
    source          TEXT NOT NULL,
    file            TEXT NOT NULL,
    record          INTEGER NOT NULL,
    field           TEXT,
    reason          TEXT NOT NULL,
    raw             TEXT
);

-- Data-quality findings that are not rejects (a truncated Jira changelog, a
-- status with no category, an incident with no application).
CREATE TABLE IF NOT EXISTS finding (
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    detail          TEXT,
    PRIMARY KEY (kind, subject)
);

-- ---------------------------------------------------------------- configuration mirrors
CREATE TABLE IF NOT EXISTS dim_team (
    team_id         INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS dim_application (
    application_id  INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    team_id         INTEGER REFERENCES dim_team(team_id),
    configured      INTEGER NOT NULL DEFAULT 1   -- 0 once removed from the config
);

CREATE TABLE IF NOT EXISTS map_project    (project TEXT PRIMARY KEY, application_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS map_repository (repository TEXT PRIMARY KEY, application_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS map_service    (service TEXT PRIMARY KEY, application_id INTEGER NOT NULL);
-- pattern is an anchored pcre2 regex ^(?:job)$, matched in C (load/resolve.c)
CREATE TABLE IF NOT EXISTS map_job        (pattern TEXT NOT NULL, application_id INTEGER NOT NULL,
                                           position INTEGER NOT NULL, PRIMARY KEY (pattern, application_id));
-- Each CI job name map_job resolves, with its application: written by
-- cw_wh_resolve() from the distinct job names of fact_build, so the SQL that
-- attaches builds joins a table instead of running regexes.
CREATE TABLE IF NOT EXISTS map_job_resolved (job TEXT PRIMARY KEY, application_id INTEGER NOT NULL);

-- Status name -> category.  Configured rows first; the correlation step adds
-- the source's own category for statuses the config does not list.
CREATE TABLE IF NOT EXISTS dim_status (
    name            TEXT PRIMARY KEY,
    category        TEXT NOT NULL,               -- todo | in_progress | done
    waiting         INTEGER NOT NULL DEFAULT 0,  -- 1 = in_progress but queued (wait)
    origin          TEXT NOT NULL                -- config | source | guess
);

-- ---------------------------------------------------------------- dimensions
CREATE TABLE IF NOT EXISTS dim_source (
    source_id       INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    type            TEXT NOT NULL
);

-- The status list a source publishes (Jira /rest/api/2/status): its own
-- category of each status id.  The correlation step prefers it to the
-- category an issue carries (README "Status categories").
CREATE TABLE IF NOT EXISTS source_status (
    source_id       INTEGER NOT NULL REFERENCES dim_source(source_id),
    status_id       TEXT NOT NULL,
    name            TEXT NOT NULL,
    category        TEXT NOT NULL,               -- todo | in_progress | done
    PRIMARY KEY (source_id, status_id)
);

CREATE TABLE IF NOT EXISTS dim_person (
    person_id       INTEGER PRIMARY KEY,
    email           TEXT NOT NULL UNIQUE,        -- lower-cased; name when no email
    name            TEXT
);

CREATE TABLE IF NOT EXISTS dim_environment (
    environment_id  INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    is_production   INTEGER NOT NULL DEFAULT 0
);

-- One row per UTC day that any fact touches (filled by the loader).
CREATE TABLE IF NOT EXISTS dim_date (
    date_key        INTEGER PRIMARY KEY,         -- days since 1970-01-01
    date            TEXT NOT NULL UNIQUE,        -- YYYY-MM-DD
    week_start      TEXT NOT NULL,               -- Monday of its ISO week
    month_start     TEXT NOT NULL,               -- YYYY-MM-01
    iso_year        INTEGER NOT NULL,
    iso_week        INTEGER NOT NULL,
    weekday         INTEGER NOT NULL             -- 1 = Monday .. 7 = Sunday
);

CREATE TABLE IF NOT EXISTS dim_work_item (
    work_item_id    INTEGER PRIMARY KEY,
    item_key        TEXT NOT NULL UNIQUE,        -- natural key: PAY-123
    project         TEXT NOT NULL,
    external_id     TEXT,                        -- Jira numeric id
    source_id       INTEGER REFERENCES dim_source(source_id),
    application_id  INTEGER REFERENCES dim_application(application_id),  -- via map_project
    summary         TEXT,
    item_type       TEXT,
    status          TEXT,
    source_category TEXT,                        -- todo | in_progress | done from the source
    labels          TEXT,
    fix_versions    TEXT,
    assignee        TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER,
    resolved_at     INTEGER,
    has_changelog   INTEGER NOT NULL DEFAULT 0,
    changelog_truncated INTEGER NOT NULL DEFAULT 0,
    status_id       TEXT                         -- the source's id of status (Jira), or NULL
);
CREATE INDEX IF NOT EXISTS ix_work_item_project ON dim_work_item(project);
-- transitions that name their item only by the source's id (Jira changelog pages)
CREATE INDEX IF NOT EXISTS ix_work_item_external ON dim_work_item(external_id);

-- ---------------------------------------------------------------- facts
-- Every fact's natural key starts with application_id, so the facts can be
-- distributed by application (README "Ready to grow past one server").  It
-- is 0 when no mapping of the configuration claims the row (identities start
-- at 1, so no dim_application row has id 0): a foreign key cannot point at
-- 0, so these columns do not reference dim_application.  A configuration
-- change moves rows to their new application (load/resolve.c).
CREATE TABLE IF NOT EXISTS fact_transition (
    work_item_id    INTEGER NOT NULL REFERENCES dim_work_item(work_item_id),
    at              INTEGER NOT NULL,
    history_id      TEXT NOT NULL DEFAULT '',
    from_status     TEXT NOT NULL DEFAULT '',
    to_status       TEXT NOT NULL,
    application_id  INTEGER NOT NULL DEFAULT 0,         -- the work item's (0: none)
    PRIMARY KEY (application_id, work_item_id, at, history_id, from_status, to_status)
);

CREATE TABLE IF NOT EXISTS fact_commit (
    commit_id       INTEGER PRIMARY KEY,
    repository      TEXT NOT NULL,
    sha             TEXT NOT NULL,
    application_id  INTEGER NOT NULL DEFAULT 0,         -- via map_repository (0: none)
    author_id       INTEGER REFERENCES dim_person(person_id),
    authored_at     INTEGER NOT NULL,
    committed_at    INTEGER,
    parents         TEXT NOT NULL DEFAULT '',    -- space-separated shas
    parent_count    INTEGER NOT NULL DEFAULT 0,
    subject         TEXT,
    body            TEXT,
    additions       INTEGER,                     -- NULL without numstat
    deletions       INTEGER,
    files_changed   INTEGER,
    -- 0 when every load of it came from an export without full parent shas
    -- (git log's default or code-maat format): its repository then gives no
    -- ancestry, no lead time (extract/git.c, transform/correlate.c)
    has_ancestry    INTEGER NOT NULL DEFAULT 1,
    UNIQUE (application_id, repository, sha)
);
CREATE INDEX IF NOT EXISTS ix_commit_sha ON fact_commit(sha);
CREATE INDEX IF NOT EXISTS ix_commit_no_ancestry ON fact_commit(repository) WHERE has_ancestry = 0;

CREATE TABLE IF NOT EXISTS fact_build (
    build_id        INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES dim_source(source_id),
    job             TEXT NOT NULL,
    number          INTEGER NOT NULL,
    application_id  INTEGER NOT NULL DEFAULT 0,         -- via map_job (0: none)
    result          TEXT,                        -- success | failure | unstable | aborted | not_built
    started_at      INTEGER,
    finished_at     INTEGER,                     -- NULL only for a deployment whose finish
                                                 -- comes from fact_deployment_status (GitHub)
    revision        TEXT,
    url             TEXT,
    is_deployment   INTEGER NOT NULL DEFAULT 0,
    environment_id  INTEGER REFERENCES dim_environment(environment_id),
    UNIQUE (application_id, source_id, job, number)
);

-- Every git checkout a build recorded (Jenkins: one BuildData per checkout,
-- seq in the order recorded; seq 0 is fact_build.revision).  A pipeline that
-- loads a shared library first records the library's sha at seq 0; the
-- correlation step picks the application's own revisions from these rows
-- (transform/correlate.c, "Revisions of a build").
CREATE TABLE IF NOT EXISTS fact_build_revision (
    build_id        INTEGER NOT NULL REFERENCES fact_build(build_id),
    seq             INTEGER NOT NULL,
    remote          TEXT,                        -- remote URL, NULL when not recorded
    revision        TEXT NOT NULL,
    application_id  INTEGER NOT NULL DEFAULT 0,         -- the build's
    PRIMARY KEY (application_id, build_id, seq)
);

-- A deployment is a build classified as one; kept as its own fact so other
-- deploy sources (GitHub deployments, GitLab) can feed it later.
CREATE TABLE IF NOT EXISTS fact_deployment (
    deployment_id   INTEGER PRIMARY KEY,
    build_id        INTEGER NOT NULL REFERENCES fact_build(build_id),
    application_id  INTEGER NOT NULL DEFAULT 0,         -- the build's
    environment_id  INTEGER REFERENCES dim_environment(environment_id),
    is_production   INTEGER NOT NULL DEFAULT 0,
    result          TEXT,
    started_at      INTEGER,
    finished_at     INTEGER NOT NULL,
    revision        TEXT,
    run_number      INTEGER NOT NULL,            -- tie-break for equal finished_at
    UNIQUE (application_id, build_id)
);
CREATE INDEX IF NOT EXISTS ix_deployment_app ON fact_deployment(application_id, finished_at);

-- Statuses of deployments that get their finish from them (GitHub): keyed
-- like the deployment's build, so resolve.sql can set that build's
-- finished_at (first success) and result whatever order the pages came in.
CREATE TABLE IF NOT EXISTS fact_deployment_status (
    source_id       INTEGER NOT NULL REFERENCES dim_source(source_id),
    job             TEXT NOT NULL,
    number          INTEGER NOT NULL,
    status_id       INTEGER NOT NULL,
    state           TEXT NOT NULL,               -- success | failure | error | inactive | ...
    created_at      INTEGER NOT NULL,
    application_id  INTEGER NOT NULL DEFAULT 0,         -- via map_job, as its build
    PRIMARY KEY (application_id, source_id, job, number, status_id)
);

-- Pull requests (GitHub) and merge requests (GitLab, number = iid).
CREATE TABLE IF NOT EXISTS fact_pull_request (
    pull_request_id INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES dim_source(source_id),
    repository      TEXT NOT NULL,
    number          INTEGER NOT NULL,
    title           TEXT,
    body            TEXT,
    source_branch   TEXT,
    target_branch   TEXT,
    state           TEXT,
    author          TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER,
    closed_at       INTEGER,
    merged_at       INTEGER,                     -- NULL unless merged
    merge_commit_sha  TEXT,
    squash_commit_sha TEXT,
    application_id  INTEGER NOT NULL DEFAULT 0,         -- via map_repository
    UNIQUE (application_id, repository, number)
);

CREATE TABLE IF NOT EXISTS fact_incident (
    incident_id     INTEGER PRIMARY KEY,
    source_id       INTEGER NOT NULL REFERENCES dim_source(source_id),
    external_id     TEXT NOT NULL,
    number          TEXT,
    application_id  INTEGER NOT NULL DEFAULT 0,         -- via map_service (0: none)
    title           TEXT,
    description     TEXT,
    service         TEXT,
    status          TEXT,
    severity        TEXT,
    created_at      INTEGER NOT NULL,
    resolved_at     INTEGER,
    updated_at      INTEGER,
    version         INTEGER,
    UNIQUE (application_id, source_id, external_id)
);
-- the service, hence the application, is an attribute: a re-assigned
-- incident is found by its source's id to move it (load/sql/sink.sql)
CREATE INDEX IF NOT EXISTS ix_incident_external ON fact_incident(source_id, external_id);

-- ---------------------------------------------------------------- derived (correlation step)
-- deployment -> commits it newly deployed (ancestry walk).  lead_time_s is
-- NULL for the baseline deployment, for merge commits, and for a commit
-- authored after the deployment that first shipped it (a finding instead).
CREATE TABLE IF NOT EXISTS bridge_deployment_commit (
    deployment_id   INTEGER NOT NULL REFERENCES fact_deployment(deployment_id),
    commit_id       INTEGER NOT NULL REFERENCES fact_commit(commit_id),
    is_baseline     INTEGER NOT NULL DEFAULT 0,
    is_merge        INTEGER NOT NULL DEFAULT 0,
    lead_time_s     INTEGER,
    PRIMARY KEY (deployment_id, commit_id)
);
CREATE INDEX IF NOT EXISTS ix_bdc_commit ON bridge_deployment_commit(commit_id);

-- commit -> work items whose keys it names (known projects only).
CREATE TABLE IF NOT EXISTS bridge_commit_work_item (
    commit_id       INTEGER NOT NULL REFERENCES fact_commit(commit_id),
    work_item_id    INTEGER NOT NULL REFERENCES dim_work_item(work_item_id),
    PRIMARY KEY (commit_id, work_item_id)
);

-- Per production deployment: traceable (revision in the commit graph) or not,
-- and whether it is the application's baseline.
CREATE TABLE IF NOT EXISTS derived_deployment (
    deployment_id   INTEGER PRIMARY KEY REFERENCES fact_deployment(deployment_id),
    traceable       INTEGER NOT NULL,
    is_baseline     INTEGER NOT NULL DEFAULT 0,
    commits_deployed INTEGER NOT NULL DEFAULT 0
);

-- incident -> deployment it is attributed to (NULL = unattributed).
CREATE TABLE IF NOT EXISTS derived_incident (
    incident_id     INTEGER PRIMARY KEY REFERENCES fact_incident(incident_id),
    deployment_id   INTEGER REFERENCES fact_deployment(deployment_id),
    how             TEXT NOT NULL                -- window | explicit | none
);

-- Per work item: flow type, start/end, active time.
CREATE TABLE IF NOT EXISTS derived_work_item (
    work_item_id    INTEGER PRIMARY KEY REFERENCES dim_work_item(work_item_id),
    flow_type       TEXT NOT NULL,               -- feature | defect | risk | debt
    category        TEXT NOT NULL,               -- current status category
    start_at        INTEGER,                     -- first transition into in_progress
    end_at          INTEGER,                     -- NULL unless current category is done
    active_s        INTEGER,                     -- active time between start and end
    production_at   INTEGER                      -- idea-to-production, NULL if not all deployed
);

-- Status intervals of every item: [from_at, to_at), to_at NULL = still there.
-- The first interval starts at created_at in the first transition's from status.
CREATE TABLE IF NOT EXISTS derived_status_interval (
    work_item_id    INTEGER NOT NULL REFERENCES dim_work_item(work_item_id),
    seq             INTEGER NOT NULL,
    status          TEXT NOT NULL,
    category        TEXT NOT NULL,
    waiting         INTEGER NOT NULL DEFAULT 0,
    from_at         INTEGER NOT NULL,
    to_at           INTEGER,
    PRIMARY KEY (work_item_id, seq)
);
CREATE INDEX IF NOT EXISTS ix_interval_from ON derived_status_interval(from_at);

-- ---------------------------------------------------------------- extraction audit
-- One row per source and batch: how its raw data was obtained (files, a
-- produced export, or live pages), the HTTP counters of a live extraction,
-- and the watermark it started from.
CREATE TABLE IF NOT EXISTS source_run (
    batch_id        INTEGER NOT NULL REFERENCES batch(batch_id),
    source          TEXT NOT NULL,
    mode            TEXT NOT NULL,               -- files | produced | live
    status          TEXT NOT NULL,               -- ok | failed | empty (no record)
    since           INTEGER,                     -- watermark used (live, incremental)
    requests        INTEGER NOT NULL DEFAULT 0,
    retries         INTEGER NOT NULL DEFAULT 0,
    rate_limit_waits INTEGER NOT NULL DEFAULT 0,
    waited_s        REAL NOT NULL DEFAULT 0,
    bytes           INTEGER NOT NULL DEFAULT 0,
    pages           INTEGER NOT NULL DEFAULT 0,
    items           INTEGER NOT NULL DEFAULT 0,
    files           INTEGER NOT NULL DEFAULT 0,
    elapsed_s       REAL NOT NULL DEFAULT 0,
    error           TEXT,
    PRIMARY KEY (batch_id, source)
);
