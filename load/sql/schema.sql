-- schema.sql - the catwalk warehouse, for every engine: a star schema plus
-- audit tables.
--
-- One source for SQLite and PostgreSQL.  The types that engines spell
-- differently are tokens, a name in braces, and load/sql/<dialect>/types.sql
-- spells each for its engine (cw_wh_schema_sql in load/warehouse.c
-- substitutes them when a warehouse is opened).  The tokens:
--   * int   a 64-bit integer: every id and instant (seconds since the epoch
--           UTC, NULL when unknown), every flag and count, so C reads them
--           all as int64;
--   * id    the 64-bit primary key of a table whose rows the engine numbers
--           (SQLite's {id} rowid, a PostgreSQL identity); an
--           explicit id is still accepted;
--   * real  a double.
-- Everything else is the same text on both engines, so both have the same
-- tables, columns, keys and indexes (tests/unit/test_db.c, schemas_match,
-- reads them back from both).  Braces are for tokens only, in comments too.
--
-- Natural keys are declared UNIQUE so every load is an upsert.
--
-- Every statement is IF NOT EXISTS: cw_wh_open() runs this file on a new
-- warehouse, and cw_wh_batch_begin() runs it again after the migrations, so
-- a table or index added here reaches existing warehouses without a
-- migration step (a new or changed column needs one: load/warehouse.c,
-- "Schema versions").
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
CREATE TABLE IF NOT EXISTS schema_version (version {int} NOT NULL);

-- ---------------------------------------------------------------- audit
CREATE TABLE IF NOT EXISTS batch (
    batch_id        {id},
    started_at      {int} NOT NULL,
    finished_at     {int},
    status          TEXT NOT NULL,          -- running | ok | partial | failed
    config_path     TEXT,
    files_landed    {int} NOT NULL DEFAULT 0,
    files_skipped   {int} NOT NULL DEFAULT 0,    -- same checksum already loaded
    rows_read       {int} NOT NULL DEFAULT 0,
    rows_loaded     {int} NOT NULL DEFAULT 0,    -- records accepted (written or already there)
    rows_rejected   {int} NOT NULL DEFAULT 0,
    sources_failed  TEXT,                   -- comma-separated source names
    rows_changed    {int} NOT NULL DEFAULT 0,    -- accepted records that wrote a row
    -- what the derived tables were computed by once this batch committed:
    -- the catwalk binary and the configuration (pipeline/derive.c); NULL
    -- before version 4
    derived_by      TEXT
);

CREATE TABLE IF NOT EXISTS landed_file (
    landed_file_id  {id},
    batch_id        {int} NOT NULL REFERENCES batch(batch_id),
    source          TEXT NOT NULL,
    original_path   TEXT NOT NULL,
    landed_path     TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    bytes           {int} NOT NULL,
    records         {int} NOT NULL DEFAULT 0,
    rejects         {int} NOT NULL DEFAULT 0,
    -- rejects that depend on other data (a transition of an item no batch
    -- has loaded): while > 0 the file is not "seen" and the next run reads it again
    deferred        {int} NOT NULL DEFAULT 0,
    -- the original's modification time (ns) when it was read: a file of the
    -- same path, size and mtime is known without reading it (NULL: unknown)
    mtime_ns        {int},
    UNIQUE (source, sha256)
);

CREATE INDEX IF NOT EXISTS landed_file_by_path ON landed_file (source, original_path);

-- Transitions read before their work item (a changelog file sorting before
-- its issues, or in another source).  cw_wh_resolve() attaches them once the
-- whole batch is parsed, or rejects those whose item is still unknown; the
-- table is empty outside a batch.
CREATE TABLE IF NOT EXISTS stage_transition (
    stage_id        {id},
    source          TEXT NOT NULL,
    file            TEXT NOT NULL,
    record          {int} NOT NULL,
    item_key        TEXT,
    item_id         TEXT,
    at              {int} NOT NULL,
    history_id      TEXT,
    from_status     TEXT,
    to_status       TEXT NOT NULL
);

-- Links of work items read in this batch (core/record.h cw_work_item_link),
-- and one marker row (kind NULL) per item record that carries its whole
-- set of links.  cw_wh_resolve() replaces each such item's links in
-- fact_work_item_link by those of its latest record, then empties the table.
CREATE TABLE IF NOT EXISTS stage_work_item_link (
    stage_id        {id},
    source          TEXT NOT NULL,
    file            TEXT NOT NULL,
    record          {int} NOT NULL,
    item_key        TEXT NOT NULL,
    updated_at      {int},                       -- the item record's (markers only)
    kind            TEXT,                        -- NULL: the marker
    target_key      TEXT,
    target_id       TEXT
);
CREATE INDEX IF NOT EXISTS ix_stage_link_item ON stage_work_item_link(item_key);

CREATE TABLE IF NOT EXISTS reject (
    reject_id       {id},
    batch_id        {int} NOT NULL REFERENCES batch(batch_id),
    source          TEXT NOT NULL,
    file            TEXT NOT NULL,
    record          {int} NOT NULL,
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

-- Data-quality findings the derivation makes (a referenced item not loaded,
-- a cycle of parent links, a negative idea-to-production stage): rewritten
-- by the step that finds them, at every derivation, so like every derived
-- table they are a function of the facts and the configuration.  example is
-- a natural key (item key, sha, deployment); metric the figure it affects.
CREATE TABLE IF NOT EXISTS derived_finding (
    kind            TEXT NOT NULL,
    subject         TEXT NOT NULL,
    metric          TEXT,
    detail          TEXT,
    PRIMARY KEY (kind, subject)
);

-- ---------------------------------------------------------------- configuration mirrors
CREATE TABLE IF NOT EXISTS dim_team (
    team_id         {id},
    name            TEXT NOT NULL UNIQUE
);

CREATE TABLE IF NOT EXISTS dim_application (
    application_id  {id},
    name            TEXT NOT NULL UNIQUE,
    team_id         {int} REFERENCES dim_team(team_id),
    configured      {int} NOT NULL DEFAULT 1     -- 0 once removed from the config
);

CREATE TABLE IF NOT EXISTS map_project    (project TEXT PRIMARY KEY, application_id {int} NOT NULL);
CREATE TABLE IF NOT EXISTS map_repository (repository TEXT PRIMARY KEY, application_id {int} NOT NULL);
CREATE TABLE IF NOT EXISTS map_service    (service TEXT PRIMARY KEY, application_id {int} NOT NULL);
-- pattern is an anchored pcre2 regex ^(?:job)$, matched in C (load/resolve.c)
CREATE TABLE IF NOT EXISTS map_job        (pattern TEXT NOT NULL, application_id {int} NOT NULL,
                                           position {int} NOT NULL, PRIMARY KEY (pattern, application_id));
-- Each CI job name map_job resolves, with its application: written by
-- cw_wh_resolve() from the distinct job names of fact_build, so the SQL that
-- attaches builds joins a table instead of running regexes.
CREATE TABLE IF NOT EXISTS map_job_resolved (job TEXT PRIMARY KEY, application_id {int} NOT NULL);

-- Gates (metrics.md "Gates and the value stream map"): [gates] names the
-- statuses that are a stakeholder's gate (Security Review = security), and
-- [application X] gates = the stakeholders whose gates it requires.
CREATE TABLE IF NOT EXISTS map_gate (status TEXT PRIMARY KEY, stakeholder TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS map_application_gate (
    application_id  {int} NOT NULL,
    stakeholder     TEXT NOT NULL,
    PRIMARY KEY (application_id, stakeholder)
);

-- [source NAME] incident_types (jira, jira-csv): the issue types whose
-- items are incidents of their application too (load/sql/resolve.sql,
-- "Incidents from work items").  Types as the tracker spells them.
CREATE TABLE IF NOT EXISTS map_incident_type (
    source          TEXT NOT NULL,
    item_type       TEXT NOT NULL,
    PRIMARY KEY (source, item_type)
);

-- Status name -> category.  Configured rows first; the correlation step adds
-- the source's own category for statuses the config does not list.
CREATE TABLE IF NOT EXISTS dim_status (
    name            TEXT PRIMARY KEY,
    category        TEXT NOT NULL,               -- todo | in_progress | done
    waiting         {int} NOT NULL DEFAULT 0,    -- 1 = in_progress but queued (wait)
    origin          TEXT NOT NULL                -- config | source | guess
);

-- ---------------------------------------------------------------- dimensions
CREATE TABLE IF NOT EXISTS dim_source (
    source_id       {id},
    name            TEXT NOT NULL UNIQUE,
    type            TEXT NOT NULL
);

-- The status list a source publishes (Jira /rest/api/2/status): its own
-- category of each status id.  The correlation step prefers it to the
-- category an issue carries (README "Status categories").
CREATE TABLE IF NOT EXISTS source_status (
    source_id       {int} NOT NULL REFERENCES dim_source(source_id),
    status_id       TEXT NOT NULL,
    name            TEXT NOT NULL,
    category        TEXT NOT NULL,               -- todo | in_progress | done
    PRIMARY KEY (source_id, status_id)
);

CREATE TABLE IF NOT EXISTS dim_person (
    person_id       {id},
    email           TEXT NOT NULL UNIQUE,        -- lower-cased; name when no email
    name            TEXT
);

CREATE TABLE IF NOT EXISTS dim_environment (
    environment_id  {id},
    name            TEXT NOT NULL UNIQUE,
    is_production   {int} NOT NULL DEFAULT 0
);

-- One row per UTC day that any fact touches (filled by the loader).
CREATE TABLE IF NOT EXISTS dim_date (
    date_key        {int} PRIMARY KEY,           -- days since 1970-01-01
    date            TEXT NOT NULL UNIQUE,        -- YYYY-MM-DD
    week_start      TEXT NOT NULL,               -- Monday of its ISO week
    month_start     TEXT NOT NULL,               -- YYYY-MM-01
    iso_year        {int} NOT NULL,
    iso_week        {int} NOT NULL,
    weekday         {int} NOT NULL               -- 1 = Monday .. 7 = Sunday
);

CREATE TABLE IF NOT EXISTS dim_work_item (
    work_item_id    {id},
    item_key        TEXT NOT NULL UNIQUE,        -- natural key: PAY-123
    project         TEXT NOT NULL,
    external_id     TEXT,                        -- Jira numeric id
    source_id       {int} REFERENCES dim_source(source_id),
    application_id  {int} REFERENCES dim_application(application_id),  -- via map_project
    summary         TEXT,
    item_type       TEXT,
    status          TEXT,
    source_category TEXT,                        -- todo | in_progress | done from the source
    labels          TEXT,
    fix_versions    TEXT,
    assignee        TEXT,
    created_at      {int} NOT NULL,
    updated_at      {int},
    resolved_at     {int},
    has_changelog   {int} NOT NULL DEFAULT 0,
    changelog_truncated {int} NOT NULL DEFAULT 0,
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
    work_item_id    {int} NOT NULL REFERENCES dim_work_item(work_item_id),
    at              {int} NOT NULL,
    history_id      TEXT NOT NULL DEFAULT '',
    from_status     TEXT NOT NULL DEFAULT '',
    to_status       TEXT NOT NULL,
    application_id  {int} NOT NULL DEFAULT 0,         -- the work item's (0: none)
    PRIMARY KEY (application_id, work_item_id, at, history_id, from_status, to_status)
);

-- Links between work items (metrics.md "Hierarchy roll-up"; forecasts read
-- blocks): kind parent | epic | theme | blocks; target_key is the other
-- item's key, loaded or not.  An item's links are replaced whenever a
-- record of it that carries links loads (load/sql/sink.sql, link_*).
CREATE TABLE IF NOT EXISTS fact_work_item_link (
    application_id  {int} NOT NULL DEFAULT 0,         -- the work item's (0: none)
    work_item_id    {int} NOT NULL REFERENCES dim_work_item(work_item_id),
    kind            TEXT NOT NULL,
    target_key      TEXT NOT NULL,
    PRIMARY KEY (application_id, work_item_id, kind, target_key)
);
CREATE INDEX IF NOT EXISTS ix_link_item ON fact_work_item_link(work_item_id);
CREATE INDEX IF NOT EXISTS ix_link_target ON fact_work_item_link(target_key);

CREATE TABLE IF NOT EXISTS fact_commit (
    commit_id       {id},
    repository      TEXT NOT NULL,
    sha             TEXT NOT NULL,
    application_id  {int} NOT NULL DEFAULT 0,         -- via map_repository (0: none)
    author_id       {int} REFERENCES dim_person(person_id),
    authored_at     {int} NOT NULL,
    committed_at    {int},
    parents         TEXT NOT NULL DEFAULT '',    -- space-separated shas
    parent_count    {int} NOT NULL DEFAULT 0,
    subject         TEXT,
    body            TEXT,
    additions       {int},                       -- NULL without numstat
    deletions       {int},
    files_changed   {int},
    -- 0 when every load of it came from an export without full parent shas
    -- (git log's default or code-maat format): its repository then gives no
    -- ancestry, no lead time (extract/git.c, transform/correlate.c)
    has_ancestry    {int} NOT NULL DEFAULT 1,
    UNIQUE (application_id, repository, sha)
);
CREATE INDEX IF NOT EXISTS ix_commit_sha ON fact_commit(sha);
CREATE INDEX IF NOT EXISTS ix_commit_no_ancestry ON fact_commit(repository) WHERE has_ancestry = 0;

CREATE TABLE IF NOT EXISTS fact_build (
    build_id        {id},
    source_id       {int} NOT NULL REFERENCES dim_source(source_id),
    job             TEXT NOT NULL,
    number          {int} NOT NULL,
    application_id  {int} NOT NULL DEFAULT 0,         -- via map_job (0: none)
    result          TEXT,                        -- success | failure | unstable | aborted | not_built
    started_at      {int},
    finished_at     {int},                       -- NULL only for a deployment whose finish
                                                 -- comes from fact_deployment_status (GitHub)
    revision        TEXT,
    url             TEXT,
    is_deployment   {int} NOT NULL DEFAULT 0,
    environment_id  {int} REFERENCES dim_environment(environment_id),
    UNIQUE (application_id, source_id, job, number)
);

-- Every git checkout a build recorded (Jenkins: one BuildData per checkout,
-- seq in the order recorded; seq 0 is fact_build.revision).  A pipeline that
-- loads a shared library first records the library's sha at seq 0; the
-- correlation step picks the application's own revisions from these rows
-- (transform/correlate.c, "Revisions of a build").
CREATE TABLE IF NOT EXISTS fact_build_revision (
    build_id        {int} NOT NULL REFERENCES fact_build(build_id),
    seq             {int} NOT NULL,
    remote          TEXT,                        -- remote URL, NULL when not recorded
    revision        TEXT NOT NULL,
    application_id  {int} NOT NULL DEFAULT 0,         -- the build's
    PRIMARY KEY (application_id, build_id, seq)
);

-- A deployment is a build classified as one; kept as its own fact so other
-- deploy sources (GitHub deployments, GitLab) can feed it later.
CREATE TABLE IF NOT EXISTS fact_deployment (
    deployment_id   {id},
    build_id        {int} NOT NULL REFERENCES fact_build(build_id),
    application_id  {int} NOT NULL DEFAULT 0,         -- the build's
    environment_id  {int} REFERENCES dim_environment(environment_id),
    is_production   {int} NOT NULL DEFAULT 0,
    result          TEXT,
    started_at      {int},
    finished_at     {int} NOT NULL,
    revision        TEXT,
    run_number      {int} NOT NULL,            -- tie-break for equal finished_at
    UNIQUE (application_id, build_id)
);
CREATE INDEX IF NOT EXISTS ix_deployment_app ON fact_deployment(application_id, finished_at);
-- the reports' window (reports/sql/metrics_rows.sql reads ranges of these instants)
CREATE INDEX IF NOT EXISTS ix_deployment_finished ON fact_deployment(finished_at);

-- Statuses of deployments that get their finish from them (GitHub): keyed
-- like the deployment's build, so resolve.sql can set that build's
-- finished_at (first success) and result whatever order the pages came in.
CREATE TABLE IF NOT EXISTS fact_deployment_status (
    source_id       {int} NOT NULL REFERENCES dim_source(source_id),
    job             TEXT NOT NULL,
    number          {int} NOT NULL,
    status_id       {int} NOT NULL,
    state           TEXT NOT NULL,               -- success | failure | error | inactive | ...
    created_at      {int} NOT NULL,
    application_id  {int} NOT NULL DEFAULT 0,         -- via map_job, as its build
    PRIMARY KEY (application_id, source_id, job, number, status_id)
);

-- Pull requests (GitHub) and merge requests (GitLab, number = iid).
CREATE TABLE IF NOT EXISTS fact_pull_request (
    pull_request_id {id},
    source_id       {int} NOT NULL REFERENCES dim_source(source_id),
    repository      TEXT NOT NULL,
    number          {int} NOT NULL,
    title           TEXT,
    body            TEXT,
    source_branch   TEXT,
    target_branch   TEXT,
    state           TEXT,
    author          TEXT,
    created_at      {int} NOT NULL,
    updated_at      {int},
    closed_at       {int},
    merged_at       {int},                       -- NULL unless merged
    merge_commit_sha  TEXT,
    squash_commit_sha TEXT,
    application_id  {int} NOT NULL DEFAULT 0,         -- via map_repository
    UNIQUE (application_id, repository, number)
);

-- The commits of a pull/merge request as its source lists them (GitHub
-- /pulls/N/commits, GitLab /merge_requests/:iid/commits): keys in a PR's
-- title, body and branch reach every commit it holds (metrics.md "Idea to
-- production"), and a PR's first commit starts its coding stage.
CREATE TABLE IF NOT EXISTS fact_pull_request_commit (
    pull_request_id {int} NOT NULL REFERENCES fact_pull_request(pull_request_id),
    sha             TEXT NOT NULL,
    application_id  {int} NOT NULL DEFAULT 0,         -- the pull request's
    PRIMARY KEY (application_id, pull_request_id, sha)
);
-- the requests holding a commit, or merged into it (transform/sql/correlate.sql,
-- delta_pull_request_keys)
CREATE INDEX IF NOT EXISTS ix_pr_commit_sha ON fact_pull_request_commit(lower(sha));
CREATE INDEX IF NOT EXISTS ix_pr_merge_sha ON fact_pull_request(lower(merge_commit_sha));
CREATE INDEX IF NOT EXISTS ix_pr_squash_sha ON fact_pull_request(lower(squash_commit_sha));

-- The commits of a pull request as its source listed them, by the pull
-- request's natural key (repository, number): a page of a PR's commits may
-- load before or after the PR itself, so fact_pull_request_commit is filled
-- from this table once the batch is loaded (load/sql/resolve.sql,
-- pull_request_commit_fill).  authored_at is the source's author date, the
-- coding stage's start when the commit is not in fact_commit.
CREATE TABLE IF NOT EXISTS fact_pull_request_listed_commit (
    source_id       {int} NOT NULL REFERENCES dim_source(source_id),
    repository      TEXT NOT NULL,
    number          {int} NOT NULL,
    sha             TEXT NOT NULL,
    authored_at     {int},
    application_id  {int} NOT NULL DEFAULT 0,         -- via map_repository
    UNIQUE (application_id, repository, number, sha)
);

-- Reviews of a pull request (GitHub /pulls/N/reviews; GitLab MR approval
-- notes), by the pull request's natural key.  state is the source's, upper
-- case (APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED).
CREATE TABLE IF NOT EXISTS fact_pull_request_review (
    source_id       {int} NOT NULL REFERENCES dim_source(source_id),
    repository      TEXT NOT NULL,
    number          {int} NOT NULL,
    review_id       {int} NOT NULL,
    reviewer        TEXT,
    state           TEXT,
    submitted_at    {int} NOT NULL,
    application_id  {int} NOT NULL DEFAULT 0,         -- via map_repository
    UNIQUE (application_id, repository, number, review_id)
);

CREATE TABLE IF NOT EXISTS fact_incident (
    incident_id     {id},
    source_id       {int} NOT NULL REFERENCES dim_source(source_id),
    external_id     TEXT NOT NULL,
    number          TEXT,
    application_id  {int} NOT NULL DEFAULT 0,         -- via map_service (0: none)
    title           TEXT,
    description     TEXT,
    service         TEXT,
    status          TEXT,
    severity        TEXT,
    created_at      {int} NOT NULL,
    resolved_at     {int},
    updated_at      {int},
    version         {int},
    UNIQUE (application_id, source_id, external_id)
);
-- the service, hence the application, is an attribute: a re-assigned
-- incident is found by its source's id to move it (load/sql/sink.sql)
CREATE INDEX IF NOT EXISTS ix_incident_external ON fact_incident(source_id, external_id);
CREATE INDEX IF NOT EXISTS ix_incident_created ON fact_incident(created_at);
CREATE INDEX IF NOT EXISTS ix_incident_resolved ON fact_incident(resolved_at);

-- A business KPI series (NPS, revenue per week) per application, from a
-- generic CSV source (target kpi): one value per application, KPI name and
-- instant (the start of the day, week or month it measures), shown beside
-- the delivery metrics by the view v_kpi.  application_id is the configured
-- application the row names (a name no configuration ever had is a reject,
-- so no row has 0); source_id is the source that last wrote it.
CREATE TABLE IF NOT EXISTS fact_kpi (
    application_id  {int} NOT NULL,
    name            TEXT NOT NULL,
    at              {int} NOT NULL,
    value           {real} NOT NULL,
    source_id       {int} NOT NULL REFERENCES dim_source(source_id),
    PRIMARY KEY (application_id, name, at)
);

-- ---------------------------------------------------------------- derived (correlation step)
-- deployment -> commits it newly deployed (ancestry walk).  is_baseline = 1
-- when the deployment is the baseline of the commit's repository (the first
-- of the application to reach that repository, Decisions 7).  lead_time_s is
-- NULL for those, for merge commits, and for a commit authored after the
-- deployment that first shipped it (a finding instead).
CREATE TABLE IF NOT EXISTS bridge_deployment_commit (
    deployment_id   {int} NOT NULL REFERENCES fact_deployment(deployment_id),
    commit_id       {int} NOT NULL REFERENCES fact_commit(commit_id),
    is_baseline     {int} NOT NULL DEFAULT 0,
    is_merge        {int} NOT NULL DEFAULT 0,
    lead_time_s     {int},
    PRIMARY KEY (deployment_id, commit_id)
);
CREATE INDEX IF NOT EXISTS ix_bdc_commit ON bridge_deployment_commit(commit_id);

-- commit -> work items whose keys it names (known projects only).
CREATE TABLE IF NOT EXISTS bridge_commit_work_item (
    commit_id       {int} NOT NULL REFERENCES fact_commit(commit_id),
    work_item_id    {int} NOT NULL REFERENCES dim_work_item(work_item_id),
    PRIMARY KEY (commit_id, work_item_id)
);
-- an item's commits (the idea-to-production instant of an incremental batch)
CREATE INDEX IF NOT EXISTS ix_bcwi_item ON bridge_commit_work_item(work_item_id);

-- Keys a commit message names in a known project whose work item is not
-- loaded (yet): when the item arrives, a batch that derives incrementally
-- (pipeline/derive.h) links those commits by this table instead of scanning
-- every message again.
CREATE TABLE IF NOT EXISTS derived_commit_key (
    item_key        TEXT NOT NULL,
    commit_id       {int} NOT NULL REFERENCES fact_commit(commit_id),
    PRIMARY KEY (item_key, commit_id)
);
CREATE INDEX IF NOT EXISTS ix_commit_key_commit ON derived_commit_key(commit_id);

-- The known projects (dim_work_item's and map_project's) the links above
-- were made with: an incremental batch links only new and changed commits
-- while this set holds, and links every commit again when it changed.
CREATE TABLE IF NOT EXISTS derived_project (project TEXT PRIMARY KEY);

-- Parents an application's commits name that are not in its commit graph
-- (a shallow export's boundary, a commit not loaded yet), as the walk found
-- them: a new commit with one of these shas is an ancestor of commits already
-- walked, so an incremental batch walks that application again in full
-- (transform/delta.c).
CREATE TABLE IF NOT EXISTS derived_missing_parent (
    application_id  {int} NOT NULL,
    sha             TEXT NOT NULL,
    PRIMARY KEY (application_id, sha)
);

-- Per production deployment: traceable (revision in the commit graph) or not,
-- and whether it is the baseline of at least one repository of its
-- application (bridge_deployment_commit.is_baseline says of which commits).
CREATE TABLE IF NOT EXISTS derived_deployment (
    deployment_id   {int} PRIMARY KEY REFERENCES fact_deployment(deployment_id),
    traceable       {int} NOT NULL,
    is_baseline     {int} NOT NULL DEFAULT 0,
    commits_deployed {int} NOT NULL DEFAULT 0
);

-- incident -> deployment it is attributed to (NULL = unattributed).
CREATE TABLE IF NOT EXISTS derived_incident (
    incident_id     {int} PRIMARY KEY REFERENCES fact_incident(incident_id),
    deployment_id   {int} REFERENCES fact_deployment(deployment_id),
    how             TEXT NOT NULL                -- window | explicit | none
);
CREATE INDEX IF NOT EXISTS ix_derived_incident_deployment ON derived_incident(deployment_id);

-- Per work item: flow type, start/end, active time.
CREATE TABLE IF NOT EXISTS derived_work_item (
    work_item_id    {int} PRIMARY KEY REFERENCES dim_work_item(work_item_id),
    flow_type       TEXT NOT NULL,               -- feature | defect | risk | debt
    category        TEXT NOT NULL,               -- current status category
    start_at        {int},                       -- first transition into in_progress
    end_at          {int},                       -- NULL unless current category is done
    active_s        {int},                       -- active time between start and end
    production_at   {int}                      -- idea-to-production, NULL if not all deployed
);
CREATE INDEX IF NOT EXISTS ix_derived_work_item_end ON derived_work_item(end_at);
-- idea to production by the period of production_at (reports/sql/metrics_rows.sql)
CREATE INDEX IF NOT EXISTS ix_derived_work_item_production ON derived_work_item(production_at);

-- Status intervals of every item: [from_at, to_at), to_at NULL = still there.
-- The first interval starts at created_at in the first transition's from status.
CREATE TABLE IF NOT EXISTS derived_status_interval (
    work_item_id    {int} NOT NULL REFERENCES dim_work_item(work_item_id),
    seq             {int} NOT NULL,
    status          TEXT NOT NULL,
    category        TEXT NOT NULL,
    waiting         {int} NOT NULL DEFAULT 0,
    from_at         {int} NOT NULL,
    to_at           {int},
    PRIMARY KEY (work_item_id, seq)
);
CREATE INDEX IF NOT EXISTS ix_interval_from ON derived_status_interval(from_at);
-- work in progress at an instant: the intervals still open or closed after it
CREATE INDEX IF NOT EXISTS ix_interval_in_progress ON derived_status_interval(to_at)
    WHERE category = 'in_progress';

-- ---------------------------------------------------------------- release scope
-- Releases: the fix versions of a project (Jira), one row per version, as
-- the issues that carry them describe them (extract/jira.c).  Natural key
-- (project, name); external_id is Jira's version id, which survives a
-- rename (the changelog names a version by the name it had then).  Jira
-- gives dates only: start_at and release_at are that day's midnight UTC
-- (transform/scope.h says which instant of the day a rule reads).
CREATE TABLE IF NOT EXISTS dim_release (
    release_id      {id},
    project         TEXT NOT NULL,
    name            TEXT NOT NULL,
    external_id     TEXT,
    source_id       {int} REFERENCES dim_source(source_id),
    start_at        {int},
    release_at      {int},
    released        {int} NOT NULL DEFAULT 0,
    archived        {int} NOT NULL DEFAULT 0,
    UNIQUE (project, name)
);

-- The change history of the Fix Version field: op add or remove, version
-- as the changelog names it (the name it had then) and version_id its Jira
-- id ('' when the history gives none).  An item's fix versions set when it
-- was created have no history: they hold since its creation.
CREATE TABLE IF NOT EXISTS fact_work_item_version (
    work_item_id    {int} NOT NULL REFERENCES dim_work_item(work_item_id),
    at              {int} NOT NULL,
    history_id      TEXT NOT NULL DEFAULT '',
    version         TEXT NOT NULL,
    version_id      TEXT NOT NULL DEFAULT '',
    op              TEXT NOT NULL,
    application_id  {int} NOT NULL DEFAULT 0,
    PRIMARY KEY (application_id, work_item_id, at, history_id, version, op)
);
-- an item's changes (the release scope step reads them by item)
CREATE INDEX IF NOT EXISTS ix_work_item_version_item ON fact_work_item_version(work_item_id);

-- Fix Version changes as read, attached to their item by cw_wh_resolve()
-- once the whole batch is parsed (as stage_transition); empty outside a batch.
CREATE TABLE IF NOT EXISTS stage_work_item_version (
    stage_id        {id},
    source          TEXT NOT NULL,
    file            TEXT NOT NULL,
    record          {int} NOT NULL,
    item_key        TEXT,
    item_id         TEXT,
    at              {int} NOT NULL,
    history_id      TEXT,
    version         TEXT NOT NULL,
    version_id      TEXT,
    op              TEXT NOT NULL
);

-- Release scope per release with a planned date (transform/scope.h):
-- baseline and release instants, and how many items fall in each class.
-- The classes that need the release instant are NULL while it is unknown.
CREATE TABLE IF NOT EXISTS derived_release (
    release_id      {int} PRIMARY KEY REFERENCES dim_release(release_id),
    baseline_at     {int},
    release_instant {int},
    planned         {int} NOT NULL DEFAULT 0,
    added           {int} NOT NULL DEFAULT 0,
    removed         {int} NOT NULL DEFAULT 0,
    delivered       {int},
    shipped         {int},
    carried_over    {int},
    done_not_deployed {int}
);

-- Per release and item that ever carried it: its classes, each 0 or 1.
CREATE TABLE IF NOT EXISTS derived_release_item (
    release_id      {int} NOT NULL REFERENCES dim_release(release_id),
    work_item_id    {int} NOT NULL REFERENCES dim_work_item(work_item_id),
    planned         {int} NOT NULL DEFAULT 0,
    added           {int} NOT NULL DEFAULT 0,
    removed         {int} NOT NULL DEFAULT 0,
    delivered       {int} NOT NULL DEFAULT 0,
    shipped         {int} NOT NULL DEFAULT 0,
    carried_over    {int} NOT NULL DEFAULT 0,
    done_not_deployed {int} NOT NULL DEFAULT 0,
    PRIMARY KEY (release_id, work_item_id)
);
-- Per work item: its epic and theme (transform/hierarchy.h), by key (an
-- epic or theme need not be loaded) and by id when loaded; is_epic and
-- is_subtask as the rule decided.  Rows for items with an epic or a theme,
-- and for every epic.  Rewritten in full at every derivation.
CREATE TABLE IF NOT EXISTS derived_hierarchy (
    work_item_id    {int} PRIMARY KEY REFERENCES dim_work_item(work_item_id),
    epic_key        TEXT,
    epic_id         {int},
    theme_key       TEXT,
    theme_id        {int},
    is_epic         {int} NOT NULL DEFAULT 0,
    is_subtask      {int} NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS ix_hierarchy_epic ON derived_hierarchy(epic_key);
CREATE INDEX IF NOT EXISTS ix_hierarchy_theme ON derived_hierarchy(theme_key);

-- ---------------------------------------------------------------- forecasts
-- metrics.md "Forecast", "Forecast details": one row per open release with a
-- forecast made at as_of (the derivation's reference instant).  has_forecast
-- 0: the owning team has no throughput history (no dates, reason says so).
-- critical_release_id: the dependency whose trial dates drive this release's
-- P85 (NULL when its own work does).  Rewritten in full at each derivation.
CREATE TABLE IF NOT EXISTS derived_forecast (
    release_id      {int} PRIMARY KEY REFERENCES dim_release(release_id),
    as_of           {int} NOT NULL,
    remaining       {int} NOT NULL,
    has_forecast    {int} NOT NULL,
    p50_at          {int},
    p85_at          {int},
    p95_at          {int},
    items_by_planned_85 {int},
    at_risk         {int} NOT NULL DEFAULT 0,
    critical_release_id {int},
    reason          TEXT
);

-- Every forecast ever made: kept across runs, one row per release and the
-- instant it was made (a copy of its derived_forecast row; has_forecast 0
-- when p50_at is NULL), so a report as of a past instant shows the
-- forecasts of then (v_forecast_made); the rows with dates are scored when
-- the release ships (calibration).  Since schema version 6 every derived
-- row is kept, with the whole row; older rows have dates only (the columns
-- after p95_at NULL).
CREATE TABLE IF NOT EXISTS forecast_history (
    release_id      {int} NOT NULL REFERENCES dim_release(release_id),
    made_at         {int} NOT NULL,
    p50_at          {int},
    p85_at          {int},
    p95_at          {int},
    remaining       {int},
    items_by_planned_85 {int},
    at_risk         {int},
    critical_release_id {int},
    reason          TEXT,
    PRIMARY KEY (release_id, made_at)
);
-- the run that follows a forecast (v_forecast_made) is looked up by made_at
CREATE INDEX IF NOT EXISTS ix_forecast_history_made_at ON forecast_history(made_at);

-- ---------------------------------------------------------------- extraction audit
-- One row per source and batch: how its raw data was obtained (files, a
-- produced export, or live pages), the HTTP counters of a live extraction,
-- and the watermark it started from.
CREATE TABLE IF NOT EXISTS source_run (
    batch_id        {int} NOT NULL REFERENCES batch(batch_id),
    source          TEXT NOT NULL,
    mode            TEXT NOT NULL,               -- files | produced | live
    status          TEXT NOT NULL,               -- ok | failed | empty (no record)
    since           {int},                       -- watermark used (live, incremental)
    requests        {int} NOT NULL DEFAULT 0,
    retries         {int} NOT NULL DEFAULT 0,
    rate_limit_waits {int} NOT NULL DEFAULT 0,
    waited_s        {real} NOT NULL DEFAULT 0,
    bytes           {int} NOT NULL DEFAULT 0,
    pages           {int} NOT NULL DEFAULT 0,
    items           {int} NOT NULL DEFAULT 0,
    files           {int} NOT NULL DEFAULT 0,
    elapsed_s       {real} NOT NULL DEFAULT 0,
    error           TEXT,
    PRIMARY KEY (batch_id, source)
);
