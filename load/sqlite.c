/*
 * sqlite.c - the SQLite warehouse: implements load/warehouse.h.
 *
 * One batch is one transaction.  Records arrive through a cw_sink and are
 * upserted by natural key with statements prepared once at open and reused
 * (bound parameters only).  Every upsert is
 *
 *     INSERT ... ON CONFLICT (natural key) DO UPDATE SET ... WHERE <changed>
 *
 * so loading the same records twice writes nothing and the rowid of an
 * existing row never changes: facts can be referenced by the derived tables
 * across batches.
 *
 * This is the hot path of a nightly run, so per-record SELECTs are avoided
 * where a small bounded cache can answer (source, person, work item and
 * environment ids).  The caches are cleared on rollback: ids of rows
 * inserted by an abandoned batch no longer exist.
 *
 * The REGEXP SQL function (pcre2 through core/regex.h) lets resolve.sql map
 * CI jobs to applications with the configured job regexes.
 */
#include "warehouse.h"

#include <jansson.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/embedded.h"
#include "../core/killpoint.h"
#include "../core/log.h"
#include "../core/regex.h"
#include "../core/util.h"

#define CW_SCHEMA_VERSION 1
#define CW_BUSY_TIMEOUT_MS 60000
#define CW_REJECTS_LOGGED 20        /* per file; the rest only go to the table */

/* ------------------------------------------------------------------ statements */

enum stmt_id {
    S_BEGIN, S_COMMIT, S_ROLLBACK, S_SAVEPOINT, S_RELEASE, S_ROLLBACK_TO,
    S_BATCH_INSERT, S_BATCH_FINISH,
    S_FILE_SEEN, S_FILE_LANDED, S_FILE_DONE,
    S_SOURCE_UPSERT, S_SOURCE_GET,
    S_PERSON_GET, S_PERSON_INSERT, S_PERSON_NAME,
    S_ITEM_UPSERT, S_ITEM_BY_KEY, S_ITEM_BY_EXTERNAL,
    S_TRANSITION_INSERT, S_STAGE_INSERT, S_STAGE_LIST, S_STAGE_CLEAR, S_FILE_DEFER,
    S_SOURCE_STATUS_UPSERT,
    S_COMMIT_UPSERT,
    S_ENV_UPSERT, S_ENV_GET,
    S_BUILD_UPSERT, S_BUILD_REVISION_UPSERT, S_BUILD_REVISION_PRUNE,
    S_DEPLOY_UPSERT, S_DEPLOY_OF_BUILD,
    S_DEPLOY_UNLINK_BRIDGE, S_DEPLOY_UNLINK_DERIVED, S_DEPLOY_UNLINK_INCIDENT, S_DEPLOY_DELETE,
    S_INCIDENT_UPSERT,
    S_PULL_REQUEST_UPSERT, S_DEPLOY_STATUS_UPSERT,
    S_REJECT_INSERT,
    S_TEAM_UPSERT, S_APP_UPSERT, S_APP_UNCONFIGURE,
    S_MAP_PROJECT_UPSERT, S_MAP_PROJECT_PRUNE,
    S_MAP_REPOSITORY_UPSERT, S_MAP_REPOSITORY_PRUNE,
    S_MAP_SERVICE_UPSERT, S_MAP_SERVICE_PRUNE,
    S_MAP_JOB_UPSERT, S_MAP_JOB_PRUNE,
    S_STATUS_UPSERT, S_STATUS_PRUNE,
    S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_SAVEPOINT] = "SAVEPOINT cw_sync",
    [S_RELEASE] = "RELEASE cw_sync",
    [S_ROLLBACK_TO] = "ROLLBACK TO cw_sync",
    [S_BATCH_INSERT] =
        "INSERT INTO batch (started_at, status, config_path) VALUES (?1, 'running', ?2)",
    [S_BATCH_FINISH] =
        "UPDATE batch SET finished_at = ?2, status = ?3, files_landed = ?4, files_skipped = ?5,"
        " rows_read = ?6, rows_loaded = ?7, rows_rejected = ?8, sources_failed = ?9,"
        " rows_changed = ?10 WHERE batch_id = ?1",
    [S_FILE_SEEN] =
        "SELECT 1 FROM landed_file WHERE source = ?1 AND sha256 = ?2 AND deferred = 0",
    /* a file read again (it had deferred rejects) keeps its row and id */
    [S_FILE_LANDED] =
        "INSERT INTO landed_file (batch_id, source, original_path, landed_path, sha256, bytes)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (source, sha256) DO UPDATE"
        " SET batch_id = excluded.batch_id, original_path = excluded.original_path,"
        " landed_path = excluded.landed_path, bytes = excluded.bytes,"
        " records = 0, rejects = 0, deferred = 0"
        " RETURNING landed_file_id",
    [S_FILE_DONE] =
        "UPDATE landed_file SET records = ?2, rejects = ?3 WHERE landed_file_id = ?1"
        " AND (records IS NOT ?2 OR rejects IS NOT ?3)",
    [S_SOURCE_UPSERT] =
        "INSERT INTO dim_source (name, type) VALUES (?1, ?2) ON CONFLICT (name)"
        " DO UPDATE SET type = excluded.type WHERE dim_source.type IS NOT excluded.type",
    [S_SOURCE_GET] = "SELECT source_id FROM dim_source WHERE name = ?1",
    [S_PERSON_GET] = "SELECT person_id FROM dim_person WHERE email = ?1",
    [S_PERSON_INSERT] = "INSERT INTO dim_person (email, name) VALUES (?1, ?2)",
    /* the first name seen for an address stays: a re-load never flips it */
    [S_PERSON_NAME] = "UPDATE dim_person SET name = ?2 WHERE person_id = ?1 AND name IS NULL",
    [S_ITEM_UPSERT] =
        "INSERT INTO dim_work_item (item_key, project, external_id, source_id, summary,"
        " item_type, status, source_category, labels, fix_versions, assignee, created_at,"
        " updated_at, resolved_at, has_changelog, changelog_truncated, status_id)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)"
        " ON CONFLICT (item_key) DO UPDATE SET project = excluded.project,"
        " external_id = excluded.external_id, source_id = excluded.source_id,"
        " summary = excluded.summary, item_type = excluded.item_type,"
        " status = excluded.status, source_category = excluded.source_category,"
        " labels = excluded.labels, fix_versions = excluded.fix_versions,"
        " assignee = excluded.assignee, created_at = excluded.created_at,"
        " updated_at = excluded.updated_at, resolved_at = excluded.resolved_at,"
        " has_changelog = excluded.has_changelog,"
        " changelog_truncated = excluded.changelog_truncated, status_id = excluded.status_id"
        /* an older export must not regress newer data */
        " WHERE (dim_work_item.updated_at IS NULL"
        "        OR excluded.updated_at >= dim_work_item.updated_at)"
        "   AND (dim_work_item.project IS NOT excluded.project"
        "     OR dim_work_item.external_id IS NOT excluded.external_id"
        "     OR dim_work_item.source_id IS NOT excluded.source_id"
        "     OR dim_work_item.summary IS NOT excluded.summary"
        "     OR dim_work_item.item_type IS NOT excluded.item_type"
        "     OR dim_work_item.status IS NOT excluded.status"
        "     OR dim_work_item.source_category IS NOT excluded.source_category"
        "     OR dim_work_item.labels IS NOT excluded.labels"
        "     OR dim_work_item.fix_versions IS NOT excluded.fix_versions"
        "     OR dim_work_item.assignee IS NOT excluded.assignee"
        "     OR dim_work_item.created_at IS NOT excluded.created_at"
        "     OR dim_work_item.updated_at IS NOT excluded.updated_at"
        "     OR dim_work_item.resolved_at IS NOT excluded.resolved_at"
        "     OR dim_work_item.has_changelog IS NOT excluded.has_changelog"
        "     OR dim_work_item.changelog_truncated IS NOT excluded.changelog_truncated"
        "     OR dim_work_item.status_id IS NOT excluded.status_id)",
    [S_ITEM_BY_KEY] = "SELECT work_item_id FROM dim_work_item WHERE item_key = ?1",
    [S_ITEM_BY_EXTERNAL] =
        "SELECT work_item_id FROM dim_work_item WHERE external_id = ?1"
        " ORDER BY work_item_id LIMIT 1",
    [S_TRANSITION_INSERT] =
        "INSERT INTO fact_transition (work_item_id, at, history_id, from_status, to_status)"
        " VALUES (?1, ?2, coalesce(?3, ''), coalesce(?4, ''), ?5) ON CONFLICT DO NOTHING",
    [S_STAGE_INSERT] =
        "INSERT INTO stage_transition (source, file, record, item_key, item_id, at, history_id,"
        " from_status, to_status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [S_STAGE_LIST] =
        "SELECT source, file, record, item_key, item_id, at, history_id, from_status, to_status"
        " FROM stage_transition ORDER BY stage_id",
    [S_STAGE_CLEAR] = "DELETE FROM stage_transition",
    [S_FILE_DEFER] =
        "UPDATE landed_file SET rejects = rejects + 1, deferred = deferred + 1"
        " WHERE source = ?1 AND landed_path = ?2",
    [S_SOURCE_STATUS_UPSERT] =
        "INSERT INTO source_status (source_id, status_id, name, category) VALUES (?1, ?2, ?3, ?4)"
        " ON CONFLICT (source_id, status_id) DO UPDATE SET name = excluded.name,"
        " category = excluded.category"
        " WHERE source_status.name IS NOT excluded.name"
        "    OR source_status.category IS NOT excluded.category",
    [S_COMMIT_UPSERT] =
        "INSERT INTO fact_commit (repository, sha, author_id, authored_at, committed_at,"
        " parents, parent_count, subject, body, additions, deletions, files_changed, has_ancestry)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        " ON CONFLICT (repository, sha) DO UPDATE SET author_id = excluded.author_id,"
        " authored_at = excluded.authored_at, committed_at = excluded.committed_at,"
        /* parents from an export without ancestry never replace full ones,
         * so the graph does not depend on which export loads last */
        " parents = CASE WHEN excluded.has_ancestry >= fact_commit.has_ancestry"
        "           THEN excluded.parents ELSE fact_commit.parents END,"
        " parent_count = CASE WHEN excluded.has_ancestry >= fact_commit.has_ancestry"
        "                THEN excluded.parent_count ELSE fact_commit.parent_count END,"
        " has_ancestry = max(fact_commit.has_ancestry, excluded.has_ancestry),"
        " subject = excluded.subject, body = excluded.body,"
        " additions = excluded.additions, deletions = excluded.deletions,"
        " files_changed = excluded.files_changed"
        " WHERE fact_commit.author_id IS NOT excluded.author_id"
        "    OR fact_commit.authored_at IS NOT excluded.authored_at"
        "    OR fact_commit.committed_at IS NOT excluded.committed_at"
        "    OR (fact_commit.parents IS NOT excluded.parents"
        "        AND excluded.has_ancestry >= fact_commit.has_ancestry)"
        "    OR (fact_commit.parent_count IS NOT excluded.parent_count"
        "        AND excluded.has_ancestry >= fact_commit.has_ancestry)"
        "    OR fact_commit.has_ancestry < excluded.has_ancestry"
        "    OR fact_commit.subject IS NOT excluded.subject"
        "    OR fact_commit.body IS NOT excluded.body"
        "    OR fact_commit.additions IS NOT excluded.additions"
        "    OR fact_commit.deletions IS NOT excluded.deletions"
        "    OR fact_commit.files_changed IS NOT excluded.files_changed",
    [S_ENV_UPSERT] =
        "INSERT INTO dim_environment (name, is_production) VALUES (?1, ?2)"
        " ON CONFLICT (name) DO UPDATE SET is_production = excluded.is_production"
        " WHERE dim_environment.is_production IS NOT excluded.is_production",
    [S_ENV_GET] = "SELECT environment_id FROM dim_environment WHERE name = ?1",
    [S_BUILD_UPSERT] =
        "INSERT INTO fact_build (source_id, job, number, result, started_at, finished_at,"
        " revision, url, is_deployment, environment_id)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                /* a deployment re-read without its finish (GitHub: the finish and
         * result come from its statuses, set by resolve.sql) keeps them */
        " ON CONFLICT (source_id, job, number) DO UPDATE"
        " SET result = coalesce(excluded.result, fact_build.result),"
        " started_at = excluded.started_at,"
        " finished_at = coalesce(excluded.finished_at, fact_build.finished_at),"
        " revision = excluded.revision, url = excluded.url,"
        " is_deployment = excluded.is_deployment, environment_id = excluded.environment_id"
        " WHERE fact_build.result IS NOT coalesce(excluded.result, fact_build.result)"
        "    OR fact_build.started_at IS NOT excluded.started_at"
        "    OR fact_build.finished_at IS NOT coalesce(excluded.finished_at, fact_build.finished_at)"
        "    OR fact_build.revision IS NOT excluded.revision"
        "    OR fact_build.url IS NOT excluded.url"
        "    OR fact_build.is_deployment IS NOT excluded.is_deployment"
        "    OR fact_build.environment_id IS NOT excluded.environment_id",
    /* the build's checkouts: seq ?4 upserted, those past the last (?4 of the
     * prune) deleted, so a re-load that changes nothing writes nothing */
    [S_BUILD_REVISION_UPSERT] =
        "INSERT INTO fact_build_revision (build_id, seq, remote, revision)"
        " SELECT b.build_id, ?4, ?5, ?6"
        "   FROM fact_build b WHERE b.source_id = ?1 AND b.job = ?2 AND b.number = ?3"
        " ON CONFLICT (build_id, seq) DO UPDATE SET remote = excluded.remote,"
        " revision = excluded.revision"
        " WHERE fact_build_revision.remote IS NOT excluded.remote"
        "    OR fact_build_revision.revision IS NOT excluded.revision",
    [S_BUILD_REVISION_PRUNE] =
        "DELETE FROM fact_build_revision WHERE seq >= ?4 AND build_id ="
        " (SELECT build_id FROM fact_build WHERE source_id = ?1 AND job = ?2 AND number = ?3)",
    /* the WHERE is required: it tells the parser ON CONFLICT is not a join */
    [S_DEPLOY_UPSERT] =
        "INSERT INTO fact_deployment (build_id, application_id, environment_id, is_production,"
        " result, started_at, finished_at, revision, run_number)"
        " SELECT b.build_id, b.application_id, ?4, ?5, ?6, ?7, ?8, ?9, ?3"
        "   FROM fact_build b WHERE b.source_id = ?1 AND b.job = ?2 AND b.number = ?3"
        " ON CONFLICT (build_id) DO UPDATE SET environment_id = excluded.environment_id,"
        " is_production = excluded.is_production, result = excluded.result,"
        " started_at = excluded.started_at, finished_at = excluded.finished_at,"
        " revision = excluded.revision, run_number = excluded.run_number"
        " WHERE fact_deployment.environment_id IS NOT excluded.environment_id"
        "    OR fact_deployment.is_production IS NOT excluded.is_production"
        "    OR fact_deployment.result IS NOT excluded.result"
        "    OR fact_deployment.started_at IS NOT excluded.started_at"
        "    OR fact_deployment.finished_at IS NOT excluded.finished_at"
        "    OR fact_deployment.revision IS NOT excluded.revision"
        "    OR fact_deployment.run_number IS NOT excluded.run_number",
    [S_DEPLOY_OF_BUILD] =
        "SELECT d.deployment_id FROM fact_deployment d JOIN fact_build b USING (build_id)"
        " WHERE b.source_id = ?1 AND b.job = ?2 AND b.number = ?3",
    [S_DEPLOY_UNLINK_BRIDGE] = "DELETE FROM bridge_deployment_commit WHERE deployment_id = ?1",
    [S_DEPLOY_UNLINK_DERIVED] = "DELETE FROM derived_deployment WHERE deployment_id = ?1",
    [S_DEPLOY_UNLINK_INCIDENT] =
        "UPDATE derived_incident SET deployment_id = NULL, how = 'none' WHERE deployment_id = ?1",
    [S_DEPLOY_DELETE] = "DELETE FROM fact_deployment WHERE deployment_id = ?1",
    [S_INCIDENT_UPSERT] =
        "INSERT INTO fact_incident (source_id, external_id, number, title, description,"
        " service, status, severity, created_at, resolved_at, updated_at, version)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        " ON CONFLICT (source_id, external_id) DO UPDATE SET number = excluded.number,"
        " title = excluded.title, description = excluded.description,"
        " service = excluded.service, status = excluded.status,"
        " severity = excluded.severity, created_at = excluded.created_at,"
        " resolved_at = excluded.resolved_at, updated_at = excluded.updated_at,"
        " version = excluded.version"
        /* latest wins: (version, updated_at), absent values lowest */
        " WHERE (coalesce(excluded.version, -1), coalesce(excluded.updated_at, -9223372036854775807))"
        "    >= (coalesce(fact_incident.version, -1),"
        "        coalesce(fact_incident.updated_at, -9223372036854775807))"
        "   AND (fact_incident.number IS NOT excluded.number"
        "     OR fact_incident.title IS NOT excluded.title"
        "     OR fact_incident.description IS NOT excluded.description"
        "     OR fact_incident.service IS NOT excluded.service"
        "     OR fact_incident.status IS NOT excluded.status"
        "     OR fact_incident.severity IS NOT excluded.severity"
        "     OR fact_incident.created_at IS NOT excluded.created_at"
        "     OR fact_incident.resolved_at IS NOT excluded.resolved_at"
        "     OR fact_incident.updated_at IS NOT excluded.updated_at"
        "     OR fact_incident.version IS NOT excluded.version)",
    [S_PULL_REQUEST_UPSERT] =
        "INSERT INTO fact_pull_request (source_id, repository, number, title, body, source_branch,"
        " target_branch, state, author, created_at, updated_at, closed_at, merged_at,"
        " merge_commit_sha, squash_commit_sha)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
        " ON CONFLICT (repository, number) DO UPDATE SET source_id = excluded.source_id,"
        " title = excluded.title, body = excluded.body, source_branch = excluded.source_branch,"
        " target_branch = excluded.target_branch, state = excluded.state,"
        " author = excluded.author, created_at = excluded.created_at,"
        " updated_at = excluded.updated_at, closed_at = excluded.closed_at,"
        " merged_at = excluded.merged_at, merge_commit_sha = excluded.merge_commit_sha,"
        " squash_commit_sha = excluded.squash_commit_sha"
        /* an older page must not regress newer data */
        " WHERE (fact_pull_request.updated_at IS NULL"
        "        OR excluded.updated_at >= fact_pull_request.updated_at)"
        "   AND (fact_pull_request.source_id IS NOT excluded.source_id"
        "     OR fact_pull_request.title IS NOT excluded.title"
        "     OR fact_pull_request.body IS NOT excluded.body"
        "     OR fact_pull_request.source_branch IS NOT excluded.source_branch"
        "     OR fact_pull_request.target_branch IS NOT excluded.target_branch"
        "     OR fact_pull_request.state IS NOT excluded.state"
        "     OR fact_pull_request.author IS NOT excluded.author"
        "     OR fact_pull_request.created_at IS NOT excluded.created_at"
        "     OR fact_pull_request.updated_at IS NOT excluded.updated_at"
        "     OR fact_pull_request.closed_at IS NOT excluded.closed_at"
        "     OR fact_pull_request.merged_at IS NOT excluded.merged_at"
        "     OR fact_pull_request.merge_commit_sha IS NOT excluded.merge_commit_sha"
        "     OR fact_pull_request.squash_commit_sha IS NOT excluded.squash_commit_sha)",
    [S_DEPLOY_STATUS_UPSERT] =
        "INSERT INTO fact_deployment_status (source_id, job, number, status_id, state, created_at)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        " ON CONFLICT (source_id, job, number, status_id) DO UPDATE SET state = excluded.state,"
        " created_at = excluded.created_at"
        " WHERE fact_deployment_status.state IS NOT excluded.state"
        "    OR fact_deployment_status.created_at IS NOT excluded.created_at",
    [S_REJECT_INSERT] =
        "INSERT INTO reject (batch_id, source, file, record, field, reason, raw)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [S_TEAM_UPSERT] = "INSERT INTO dim_team (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
    [S_APP_UPSERT] =
        "INSERT INTO dim_application (name, team_id, configured)"
        " VALUES (?1, (SELECT team_id FROM dim_team WHERE name = ?2), 1)"
        " ON CONFLICT (name) DO UPDATE SET team_id = excluded.team_id, configured = 1"
        " WHERE dim_application.team_id IS NOT excluded.team_id"
        "    OR dim_application.configured IS NOT 1",
    [S_APP_UNCONFIGURE] =
        "UPDATE dim_application SET configured = 0"
        " WHERE configured IS NOT 0 AND name NOT IN (SELECT value FROM json_each(?1))",
    [S_MAP_PROJECT_UPSERT] =
        "INSERT INTO map_project (project, application_id)"
        " SELECT ?1, application_id FROM dim_application WHERE name = ?2"
        " ON CONFLICT (project) DO UPDATE SET application_id = excluded.application_id"
        " WHERE map_project.application_id IS NOT excluded.application_id",
    [S_MAP_PROJECT_PRUNE] =
        "DELETE FROM map_project WHERE project NOT IN (SELECT value FROM json_each(?1))",
    [S_MAP_REPOSITORY_UPSERT] =
        "INSERT INTO map_repository (repository, application_id)"
        " SELECT ?1, application_id FROM dim_application WHERE name = ?2"
        " ON CONFLICT (repository) DO UPDATE SET application_id = excluded.application_id"
        " WHERE map_repository.application_id IS NOT excluded.application_id",
    [S_MAP_REPOSITORY_PRUNE] =
        "DELETE FROM map_repository WHERE repository NOT IN (SELECT value FROM json_each(?1))",
    [S_MAP_SERVICE_UPSERT] =
        "INSERT INTO map_service (service, application_id)"
        " SELECT ?1, application_id FROM dim_application WHERE name = ?2"
        " ON CONFLICT (service) DO UPDATE SET application_id = excluded.application_id"
        " WHERE map_service.application_id IS NOT excluded.application_id",
    [S_MAP_SERVICE_PRUNE] =
        "DELETE FROM map_service WHERE service NOT IN (SELECT value FROM json_each(?1))",
    [S_MAP_JOB_UPSERT] =
        "INSERT INTO map_job (pattern, application_id, position)"
        " SELECT ?1, application_id, ?3 FROM dim_application WHERE name = ?2"
        " ON CONFLICT (pattern, application_id) DO UPDATE SET position = excluded.position"
        " WHERE map_job.position IS NOT excluded.position",
    /* ?1 is a JSON array of [pattern, application name] pairs */
    [S_MAP_JOB_PRUNE] =
        "DELETE FROM map_job WHERE NOT EXISTS (SELECT 1 FROM json_each(?1) j"
        " JOIN dim_application a ON a.name = json_extract(j.value, '$[1]')"
        " WHERE json_extract(j.value, '$[0]') = map_job.pattern"
        "   AND a.application_id = map_job.application_id)",
    [S_STATUS_UPSERT] =
        "INSERT INTO dim_status (name, category, waiting, origin) VALUES (?1, ?2, ?3, 'config')"
        " ON CONFLICT (name) DO UPDATE SET category = excluded.category,"
        " waiting = excluded.waiting, origin = 'config'"
        " WHERE dim_status.category IS NOT excluded.category"
        "    OR dim_status.waiting IS NOT excluded.waiting"
        "    OR dim_status.origin IS NOT 'config'",
    [S_STATUS_PRUNE] =
        "DELETE FROM dim_status WHERE origin = 'config'"
        " AND name NOT IN (SELECT value FROM json_each(?1))",
};

/* ------------------------------------------------------------------ bounded id caches */

/* A direct-mapped string -> id cache: a colliding key simply replaces the
 * slot, so memory is fixed at open whatever the input size. */
typedef struct id_slot {
    char *key;
    int64_t id;
    int aux;                    /* environment: is_production of the cached row */
} id_slot;

typedef struct id_cache {
    id_slot *slots;
    size_t mask;                /* slot count - 1 (a power of two) */
} id_cache;

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL;        /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void cache_init(id_cache *c, size_t slots)
{
    c->slots = cw_xcalloc(slots, sizeof(*c->slots));
    c->mask = slots - 1;
}

static const id_slot *cache_get(const id_cache *c, const char *key)
{
    const id_slot *slot = &c->slots[hash_text(key) & c->mask];
    return slot->key && strcmp(slot->key, key) == 0 ? slot : NULL;
}

static void cache_put(id_cache *c, const char *key, int64_t id, int aux)
{
    id_slot *slot = &c->slots[hash_text(key) & c->mask];
    if (!slot->key || strcmp(slot->key, key) != 0) {
        free(slot->key);
        slot->key = cw_strdup(key);
    }
    slot->id = id;
    slot->aux = aux;
}

static void cache_clear(id_cache *c)
{
    for (size_t i = 0; c->slots && i <= c->mask; i++) {
        free(c->slots[i].key);
        c->slots[i].key = NULL;
    }
}

static void cache_free(id_cache *c)
{
    cache_clear(c);
    free(c->slots);
    c->slots = NULL;
}

/* ------------------------------------------------------------------ REGEXP */

/* Compiled patterns are shared between the connection-wide cache and
 * sqlite3_set_auxdata (which keeps one per constant argument), hence the
 * reference count: whichever lets go last frees the pattern. */
typedef struct re_entry {
    char *pattern;
    cw_regex *re;
    int refs;
} re_entry;

#define RE_CACHE_SLOTS 128

typedef struct re_cache {
    re_entry *slots[RE_CACHE_SLOTS];
} re_cache;

static void re_release(void *p)
{
    re_entry *e = p;
    if (e && --e->refs == 0) {
        cw_regex_free(e->re);
        free(e->pattern);
        free(e);
    }
}

static void re_cache_destroy(void *p)
{
    re_cache *cache = p;
    for (size_t i = 0; i < RE_CACHE_SLOTS; i++)
        re_release(cache->slots[i]);
    free(cache);
}

/* The compiled pattern with one reference for the caller, or NULL with err set. */
static re_entry *re_cache_acquire(re_cache *cache, const char *pattern, char *err, size_t errlen)
{
    re_entry **slot = &cache->slots[hash_text(pattern) & (RE_CACHE_SLOTS - 1)];
    re_entry *e = *slot;
    if (!e || strcmp(e->pattern, pattern) != 0) {
        cw_regex *re = cw_regex_compile(pattern, 0, err, errlen);
        if (!re)
            return NULL;
        e = cw_xmalloc(sizeof(*e));
        e->pattern = cw_strdup(pattern);
        e->re = re;
        e->refs = 1;                    /* the cache's own reference */
        re_release(*slot);
        *slot = e;
    }
    e->refs++;
    return e;
}

/* regexp(pattern, text): what `text REGEXP pattern` calls.  NULL in, NULL out. */
static void sql_regexp(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *pattern = (const char *)sqlite3_value_text(argv[0]);
    const char *text = (const char *)sqlite3_value_text(argv[1]);
    char err[256];
    re_entry *e;
    int rc;

    if (!pattern || !text) {
        sqlite3_result_null(ctx);
        return;
    }
    e = sqlite3_get_auxdata(ctx, 0);
    if (e) {
        rc = cw_regex_match(e->re, text);
    } else {
        e = re_cache_acquire(sqlite3_user_data(ctx), pattern, err, sizeof(err));
        if (!e) {
            char *msg = sqlite3_mprintf("REGEXP: bad pattern '%s': %s", pattern, err);
            sqlite3_result_error(ctx, msg ? msg : "REGEXP: bad pattern", -1);
            sqlite3_free(msg);
            return;
        }
        rc = cw_regex_match(e->re, text);
        /* Last: SQLite may run the destructor before set_auxdata returns. */
        sqlite3_set_auxdata(ctx, 0, e, re_release);
    }
    if (rc < 0)
        sqlite3_result_error(ctx, "REGEXP: matching failed", -1);
    else
        sqlite3_result_int(ctx, rc);
}

/* ------------------------------------------------------------------ the handle */

struct cw_warehouse {
    sqlite3 *db;
    cw_db *conn;                /* the same connection behind load/db.h */
    char *path;
    sqlite3_stmt *stmt[S_COUNT];
    cw_sink sink;
    cw_batch_stats stats;
    int64_t batch_id;
    int in_batch;
    id_cache sources, persons, items, items_external, environments;
    sqlite3_int64 changes_mark; /* sqlite3_total_changes64 when the current record began */
    char *reject_file;          /* file whose rejects are being logged */
    long reject_count;          /* rejects of reject_file so far */
    char err[512];              /* message of the last failed statement */
};

/* Log "PATH: what: sqlite message" and return -1. */
static int wh_fail(cw_warehouse *wh, const char *what)
{
    cw_error("%s: %s: %s", wh->path, what, wh->err[0] ? wh->err : sqlite3_errmsg(wh->db));
    wh->err[0] = '\0';
    return -1;
}

static int is_error(int rc)
{
    return rc != SQLITE_ROW && rc != SQLITE_DONE;
}

/* Step a prepared statement once and make it reusable.  Returns SQLITE_ROW
 * (first column into *row_id when given), SQLITE_DONE, or the primary error
 * code with the message kept in wh->err. */
static int run(cw_warehouse *wh, enum stmt_id id, int64_t *row_id)
{
    sqlite3_stmt *s = wh->stmt[id];
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && row_id)
        *row_id = sqlite3_column_int64(s, 0);
    if (is_error(rc))
        snprintf(wh->err, sizeof(wh->err), "%s", sqlite3_errmsg(wh->db));
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return is_error(rc) ? (rc & 0xff) : rc;
}

/* Run a statement that returns no data; 0 or -1 after logging. */
static int run_ok(cw_warehouse *wh, enum stmt_id id, const char *what)
{
    return is_error(run(wh, id, NULL)) ? wh_fail(wh, what) : 0;
}

/* Bind helpers: the caller's strings outlive the step, so SQLITE_STATIC. */
static void bind_text(cw_warehouse *wh, enum stmt_id id, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(wh->stmt[id], i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(wh->stmt[id], i);
}

static void bind_text_n(cw_warehouse *wh, enum stmt_id id, int i, const char *v, size_t n)
{
    sqlite3_bind_text(wh->stmt[id], i, v, (int)n, SQLITE_STATIC);
}

static void bind_int(cw_warehouse *wh, enum stmt_id id, int i, int64_t v)
{
    sqlite3_bind_int64(wh->stmt[id], i, v);
}

/* An instant, NULL when the source had none. */
static void bind_time(cw_warehouse *wh, enum stmt_id id, int i, int64_t t)
{
    if (t == CW_NO_TIME)
        sqlite3_bind_null(wh->stmt[id], i);
    else
        sqlite3_bind_int64(wh->stmt[id], i, t);
}

/* A count or version where a negative value means absent (-1: no numstat). */
static void bind_nonneg(cw_warehouse *wh, enum stmt_id id, int i, int64_t v)
{
    if (v < 0)
        sqlite3_bind_null(wh->stmt[id], i);
    else
        sqlite3_bind_int64(wh->stmt[id], i, v);
}

/* A row id, NULL for 0 (no such row: a commit without author). */
static void bind_id(cw_warehouse *wh, enum stmt_id id, int i, int64_t v)
{
    if (v <= 0)
        sqlite3_bind_null(wh->stmt[id], i);
    else
        sqlite3_bind_int64(wh->stmt[id], i, v);
}

static void clear_caches(cw_warehouse *wh)
{
    cache_clear(&wh->sources);
    cache_clear(&wh->persons);
    cache_clear(&wh->items);
    cache_clear(&wh->items_external);
    cache_clear(&wh->environments);
}

/* ------------------------------------------------------------------ scripts */

/* 1-based line of pos within text, for script error messages. */
static int line_of(const char *text, const char *pos)
{
    int line = 1;
    for (; text < pos; text++)
        line += *text == '\n';
    return line;
}

int cw_wh_exec_script(sqlite3 *db, const char *sql, const char *what)
{
    const char *tail = sql;
    if (!sql) {
        cw_error("%s: script not found", what);
        return -1;
    }
    while (tail && *tail) {
        sqlite3_stmt *s = NULL;
        const char *start = tail;
        int rc = sqlite3_prepare_v2(db, start, -1, &s, &tail);
        if (rc == SQLITE_OK && s) {
            while ((rc = sqlite3_step(s)) == SQLITE_ROW)
                ;
            if (rc == SQLITE_DONE)
                rc = SQLITE_OK;
        }
        if (rc != SQLITE_OK) {
            /* skip the whitespace and comments before the failing statement */
            while (*start == ' ' || *start == '\n' || *start == '\t' || *start == '\r')
                start++;
            cw_error("%s: %s:%d: %s", sqlite3_db_filename(db, "main"), what,
                     line_of(sql, start), sqlite3_errmsg(db));
            sqlite3_finalize(s);
            return -1;
        }
        sqlite3_finalize(s);
    }
    return 0;
}

/* ------------------------------------------------------------------ open / close */

static int open_connection(cw_warehouse *wh)
{
    if (sqlite3_open_v2(wh->path, &wh->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)
        != SQLITE_OK) {
        cw_error("%s: cannot open the warehouse: %s", wh->path,
                 wh->db ? sqlite3_errmsg(wh->db) : "out of memory");
        return -1;
    }
    sqlite3_busy_timeout(wh->db, CW_BUSY_TIMEOUT_MS);
    /* WAL: analysts read while the nightly job writes; NORMAL is durable
     * at each checkpoint and never corrupts, and the batch is one commit. */
    if (cw_wh_exec_script(wh->db,
                          "PRAGMA journal_mode = WAL;"
                          "PRAGMA synchronous = NORMAL;"
                          "PRAGMA foreign_keys = ON;"
                          "PRAGMA cache_size = -65536;"     /* 64 MiB, bounded */
                          /* a big batch grows the WAL; give the disk back after */
                          "PRAGMA journal_size_limit = 67108864;",
                          "opening the warehouse") != 0)
        return -1;
    return 0;
}

static int register_regexp(cw_warehouse *wh)
{
    re_cache *cache = cw_xcalloc(1, sizeof(*cache));
    /* On failure SQLite itself calls the destructor on cache. */
    if (sqlite3_create_function_v2(wh->db, "regexp", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                   cache, sql_regexp, NULL, NULL, re_cache_destroy)
        != SQLITE_OK) {
        cw_error("%s: cannot register REGEXP: %s", wh->path, sqlite3_errmsg(wh->db));
        return -1;
    }
    return 0;
}

/* Columns added to a table after warehouses were created with it: an older
 * file gets them by ALTER TABLE, before schema.sql indexes them (at the end
 * of the table, where the CREATE has them too).  `then`, when set, runs once
 * right after its column was added. */
static const struct added_column {
    const char *table, *column, *decl, *then;
} added_columns[] = {
    { "fact_commit", "has_ancestry", "INTEGER NOT NULL DEFAULT 1", NULL },
    { "batch", "rows_changed", "INTEGER NOT NULL DEFAULT 0", NULL },
    /* files whose transitions were rejected as "unknown work item" by older
     * versions are read again, so those transitions are not lost for good */
    { "landed_file", "deferred", "INTEGER NOT NULL DEFAULT 0",
      "UPDATE landed_file SET deferred = (SELECT count(*) FROM reject r"
      " WHERE r.source = landed_file.source AND r.file = landed_file.landed_path"
      " AND r.reason LIKE 'unknown work item %')" },
    { "dim_work_item", "status_id", "TEXT", NULL },
};

static int add_missing_columns(cw_warehouse *wh)
{
    for (size_t i = 0; i < sizeof(added_columns) / sizeof(added_columns[0]); i++) {
        const struct added_column *c = &added_columns[i];
        sqlite3_stmt *s;
        int rc = sqlite3_prepare_v2(wh->db, "SELECT count(*), coalesce(sum(name = ?2), 0) "
                                    "FROM pragma_table_info(?1)", -1, &s, NULL);
        int table = 0, column = 0;
        if (rc == SQLITE_OK) {
            sqlite3_bind_text(s, 1, c->table, -1, SQLITE_STATIC);
            sqlite3_bind_text(s, 2, c->column, -1, SQLITE_STATIC);
            rc = sqlite3_step(s) == SQLITE_ROW ? SQLITE_OK : SQLITE_ERROR;
            table = sqlite3_column_int(s, 0) > 0;
            column = sqlite3_column_int(s, 1) > 0;
        }
        sqlite3_finalize(s);
        if (rc == SQLITE_OK && table && !column) {
            char *sql = sqlite3_mprintf("ALTER TABLE \"%w\" ADD COLUMN \"%w\" %s", c->table,
                                        c->column, c->decl);
            rc = cw_wh_exec_script(wh->db, sql, "adding a column") == 0 &&
                 (!c->then || cw_wh_exec_script(wh->db, c->then, "adding a column") == 0)
                 ? SQLITE_OK : SQLITE_ERROR;
            sqlite3_free(sql);
        }
        if (rc != SQLITE_OK) {
            cw_error("%s: %s.%s: %s", wh->path, c->table, c->column, sqlite3_errmsg(wh->db));
            return -1;
        }
    }
    return 0;
}

/* Create what is missing.  Every CREATE is IF NOT EXISTS, so on an existing
 * warehouse this only reads the schema and takes no write lock: opening for
 * a report never waits for a running batch. */
static int ensure_schema(cw_warehouse *wh)
{
    sqlite3_stmt *s = NULL;
    int rc, have_version = 0;

    if (cw_wh_exec_script(wh->db, "BEGIN", "opening the warehouse") != 0)
        return -1;
    if (add_missing_columns(wh) != 0 ||
        cw_wh_exec_script(wh->db, cw_embedded_get("load/schema.sql"), "load/schema.sql") != 0)
        goto fail;
    rc = sqlite3_prepare_v2(wh->db, "SELECT count(*) FROM schema_version", -1, &s, NULL);
    if (rc == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        have_version = sqlite3_column_int(s, 0) > 0;
    sqlite3_finalize(s);
    if (rc != SQLITE_OK)
        goto fail_msg;
    if (!have_version) {
        rc = sqlite3_prepare_v2(wh->db, "INSERT INTO schema_version (version) VALUES (?1)",
                                -1, &s, NULL);
        if (rc == SQLITE_OK) {
            sqlite3_bind_int(s, 1, CW_SCHEMA_VERSION);
            rc = sqlite3_step(s) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        }
        sqlite3_finalize(s);
        if (rc != SQLITE_OK)
            goto fail_msg;
    }
    return cw_wh_exec_script(wh->db, "COMMIT", "opening the warehouse");

fail_msg:
    cw_error("%s: schema_version: %s", wh->path, sqlite3_errmsg(wh->db));
fail:
    cw_wh_exec_script(wh->db, "ROLLBACK", "opening the warehouse");
    return -1;
}

static int prepare_all(cw_warehouse *wh)
{
    for (int i = 0; i < S_COUNT; i++) {
        if (sqlite3_prepare_v3(wh->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                               &wh->stmt[i], NULL) != SQLITE_OK) {
            cw_error("%s: preparing \"%s\": %s", wh->path, stmt_sql[i], sqlite3_errmsg(wh->db));
            return -1;
        }
    }
    return 0;
}

static int sink_work_item(void *ctx, const cw_work_item *rec);
static int sink_transition(void *ctx, const cw_transition *rec);
static int sink_commit(void *ctx, const cw_commit *rec);
static int sink_build(void *ctx, const cw_build *rec);
static int sink_incident(void *ctx, const cw_incident *rec);
static int sink_reject(void *ctx, const cw_reject *rec);
static int sink_pull_request(void *ctx, const cw_pull_request *rec);
static int sink_deployment_status(void *ctx, const cw_deployment_status *rec);
static int sink_status_def(void *ctx, const cw_status_def *rec);

int cw_wh_open(const char *path, cw_warehouse **out)
{
    cw_warehouse *wh = cw_xcalloc(1, sizeof(*wh));
    *out = NULL;
    wh->path = cw_strdup(path);
    cache_init(&wh->sources, 64);
    cache_init(&wh->persons, 4096);
    cache_init(&wh->items, 8192);
    cache_init(&wh->items_external, 8192);
    cache_init(&wh->environments, 64);
    wh->sink = (cw_sink){ wh, sink_work_item, sink_transition, sink_commit,
                          sink_build, sink_incident, sink_reject,
                          sink_pull_request, sink_deployment_status, sink_status_def };
    if (open_connection(wh) != 0 || register_regexp(wh) != 0 || ensure_schema(wh) != 0 ||
        prepare_all(wh) != 0) {
        cw_wh_close(wh);
        return -1;
    }
    wh->conn = cw_db_sqlite_adopt(wh->db);
    *out = wh;
    return 0;
}

static void flush_reject_log(cw_warehouse *wh);

void cw_wh_close(cw_warehouse *wh)
{
    if (!wh)
        return;
    if (wh->in_batch)
        cw_wh_batch_rollback(wh);
    flush_reject_log(wh);
    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(wh->stmt[i]);
    cw_db_close(wh->conn);
    if (wh->db && sqlite3_close(wh->db) != SQLITE_OK)
        cw_error("%s: closing: %s", wh->path, sqlite3_errmsg(wh->db));
    cache_free(&wh->sources);
    cache_free(&wh->persons);
    cache_free(&wh->items);
    cache_free(&wh->items_external);
    cache_free(&wh->environments);
    free(wh->reject_file);
    free(wh->path);
    free(wh);
}

cw_db *cw_wh_db(cw_warehouse *wh)
{
    return wh->conn;
}

sqlite3 *cw_wh_sqlite(cw_warehouse *wh)
{
    return wh->db;
}

const cw_batch_stats *cw_wh_stats(cw_warehouse *wh)
{
    return &wh->stats;
}

cw_sink *cw_wh_sink(cw_warehouse *wh)
{
    return &wh->sink;
}

/* ------------------------------------------------------------------ batches */

int cw_wh_batch_begin(cw_warehouse *wh, const char *config_path, int64_t *batch_id)
{
    if (wh->in_batch) {
        cw_error("%s: a batch is already open", wh->path);
        return -1;
    }
    if (run_ok(wh, S_BEGIN, "starting the batch") != 0)
        return -1;
    bind_int(wh, S_BATCH_INSERT, 1, (int64_t)time(NULL));
    bind_text(wh, S_BATCH_INSERT, 2, config_path);
    if (run_ok(wh, S_BATCH_INSERT, "writing the batch row") != 0) {
        run(wh, S_ROLLBACK, NULL);
        return -1;
    }
    wh->batch_id = sqlite3_last_insert_rowid(wh->db);
    wh->in_batch = 1;
    memset(&wh->stats, 0, sizeof(wh->stats));
    if (batch_id)
        *batch_id = wh->batch_id;
    return 0;
}

int cw_wh_batch_commit(cw_warehouse *wh, const char *status, const char *sources_failed)
{
    enum stmt_id s = S_BATCH_FINISH;
    if (!wh->in_batch) {
        cw_error("%s: no open batch to commit", wh->path);
        return -1;
    }
    flush_reject_log(wh);
    bind_int(wh, s, 1, wh->batch_id);
    bind_int(wh, s, 2, (int64_t)time(NULL));
    bind_text(wh, s, 3, status ? status : "ok");
    bind_int(wh, s, 4, wh->stats.files_landed);
    bind_int(wh, s, 5, wh->stats.files_skipped);
    bind_int(wh, s, 6, wh->stats.rows_read);
    bind_int(wh, s, 7, wh->stats.rows_loaded);
    bind_int(wh, s, 8, wh->stats.rows_rejected);
    bind_text(wh, s, 9, cw_str_empty(sources_failed) ? NULL : sources_failed);
    bind_int(wh, s, 10, wh->stats.rows_changed);
    cw_killpoint("commit");
    if (run_ok(wh, s, "finishing the batch row") != 0 ||
        run_ok(wh, S_COMMIT, "committing the batch") != 0) {
        cw_wh_batch_rollback(wh);
        return -1;
    }
    wh->in_batch = 0;
    return 0;
}

void cw_wh_batch_rollback(cw_warehouse *wh)
{
    flush_reject_log(wh);
    if (sqlite3_get_autocommit(wh->db) == 0 && is_error(run(wh, S_ROLLBACK, NULL)))
        wh_fail(wh, "rolling back the batch");
    wh->in_batch = 0;
    /* ids cached during the batch may name rows that no longer exist */
    clear_caches(wh);
}

/* ------------------------------------------------------------------ landed files */

int cw_wh_file_seen(cw_warehouse *wh, const char *source, const char *sha256)
{
    int rc;
    bind_text(wh, S_FILE_SEEN, 1, source);
    bind_text(wh, S_FILE_SEEN, 2, sha256);
    rc = run(wh, S_FILE_SEEN, NULL);
    if (is_error(rc))
        return wh_fail(wh, "looking up a landed file");
    if (rc == SQLITE_ROW) {
        wh->stats.files_skipped++;      /* the caller skips what was seen */
        return 1;
    }
    return 0;
}

int cw_wh_file_landed(cw_warehouse *wh, const char *source, const char *original_path,
                      const char *landed_path, const char *sha256, int64_t bytes, int64_t *id)
{
    enum stmt_id s = S_FILE_LANDED;
    int64_t row = 0;
    if (!wh->in_batch) {
        cw_error("%s: no open batch to land %s in", wh->path, original_path);
        return -1;
    }
    bind_int(wh, s, 1, wh->batch_id);
    bind_text(wh, s, 2, source);
    bind_text(wh, s, 3, original_path);
    bind_text(wh, s, 4, landed_path);
    bind_text(wh, s, 5, sha256);
    bind_int(wh, s, 6, bytes);
    if (run(wh, s, &row) != SQLITE_ROW)
        return wh_fail(wh, original_path);
    wh->stats.files_landed++;
    if (id)
        *id = row;
    return 0;
}

int cw_wh_file_done(cw_warehouse *wh, int64_t landed_file_id, long records, long rejects)
{
    flush_reject_log(wh);
    bind_int(wh, S_FILE_DONE, 1, landed_file_id);
    bind_int(wh, S_FILE_DONE, 2, records);
    bind_int(wh, S_FILE_DONE, 3, rejects);
    return run_ok(wh, S_FILE_DONE, "recording file counts");
}

/* ------------------------------------------------------------------ dimensions */

int cw_wh_source(cw_warehouse *wh, const char *name, const char *type)
{
    int64_t id = 0;
    bind_text(wh, S_SOURCE_UPSERT, 1, name);
    bind_text(wh, S_SOURCE_UPSERT, 2, type);
    if (run_ok(wh, S_SOURCE_UPSERT, "registering a source") != 0)
        return -1;
    bind_text(wh, S_SOURCE_GET, 1, name);
    if (run(wh, S_SOURCE_GET, &id) != SQLITE_ROW)
        return wh_fail(wh, "looking up a source");
    cache_put(&wh->sources, name, id, 0);
    return 0;
}

/* source_id of a record's source.  A source nobody registered is added as
 * type "unknown" so its facts still load. */
static int source_id(cw_warehouse *wh, const char *name, int64_t *id)
{
    const id_slot *hit;
    int rc;
    name = name ? name : "";
    if ((hit = cache_get(&wh->sources, name))) {
        *id = hit->id;
        return 0;
    }
    bind_text(wh, S_SOURCE_GET, 1, name);
    rc = run(wh, S_SOURCE_GET, id);
    if (rc == SQLITE_DONE) {
        cw_warn("%s: source '%s' was not registered; recorded as type unknown", wh->path, name);
        if (cw_wh_source(wh, name, "unknown") != 0)
            return -1;
        return source_id(wh, name, id);
    }
    if (rc != SQLITE_ROW)
        return wh_fail(wh, "looking up a source");
    cache_put(&wh->sources, name, *id, 0);
    return 0;
}

/* person_id for an author: keyed by the lower-cased email, else the name;
 * 0 when the commit names neither. */
static int person_id(cw_warehouse *wh, const char *email, const char *name, int64_t *id)
{
    char small[256], *key;
    const char *from = !cw_str_empty(email) ? email : name;
    size_t len;
    const id_slot *hit;
    int rc;

    *id = 0;
    if (cw_str_empty(from))
        return 0;
    len = strlen(from);
    key = len < sizeof(small) ? small : cw_xmalloc(len + 1);
    for (size_t i = 0; i <= len; i++)
        key[i] = (char)(from == email && from[i] >= 'A' && from[i] <= 'Z' ? from[i] + 32 : from[i]);
    if ((hit = cache_get(&wh->persons, key))) {
        *id = hit->id;
        rc = 0;
        goto out;
    }
    bind_text(wh, S_PERSON_GET, 1, key);
    rc = run(wh, S_PERSON_GET, id);
    if (rc == SQLITE_ROW && !cw_str_empty(name)) {
        bind_int(wh, S_PERSON_NAME, 1, *id);
        bind_text(wh, S_PERSON_NAME, 2, name);
        rc = run(wh, S_PERSON_NAME, NULL);
    } else if (rc == SQLITE_DONE) {
        bind_text(wh, S_PERSON_INSERT, 1, key);
        bind_text(wh, S_PERSON_INSERT, 2, cw_str_empty(name) ? NULL : name);
        rc = run(wh, S_PERSON_INSERT, NULL);
        *id = sqlite3_last_insert_rowid(wh->db);
    }
    if (is_error(rc)) {
        rc = wh_fail(wh, "recording a person");
        goto out;
    }
    cache_put(&wh->persons, key, *id, 0);
    rc = 0;
out:
    if (key != small)
        free(key);
    return rc;
}

/* environment_id, upserting the row when its production flag changed. */
static int environment_id(cw_warehouse *wh, const char *name, int is_production, int64_t *id)
{
    const id_slot *hit = cache_get(&wh->environments, name);
    int prod = is_production ? 1 : 0;
    if (hit && hit->aux == prod) {
        *id = hit->id;
        return 0;
    }
    bind_text(wh, S_ENV_UPSERT, 1, name);
    bind_int(wh, S_ENV_UPSERT, 2, prod);
    if (run_ok(wh, S_ENV_UPSERT, "recording an environment") != 0)
        return -1;
    bind_text(wh, S_ENV_GET, 1, name);
    if (run(wh, S_ENV_GET, id) != SQLITE_ROW)
        return wh_fail(wh, "looking up an environment");
    cache_put(&wh->environments, name, *id, prod);
    return 0;
}

/* work_item_id by key, else by the source's id; 0 when unknown. */
static int work_item_id(cw_warehouse *wh, const char *key, const char *external_id, int64_t *id)
{
    const id_slot *hit;
    int rc;
    *id = 0;
    if (!cw_str_empty(key)) {
        if ((hit = cache_get(&wh->items, key))) {
            *id = hit->id;
            return 0;
        }
        bind_text(wh, S_ITEM_BY_KEY, 1, key);
        rc = run(wh, S_ITEM_BY_KEY, id);
        if (is_error(rc))
            return wh_fail(wh, "looking up a work item");
        if (rc == SQLITE_ROW) {
            cache_put(&wh->items, key, *id, 0);
            return 0;
        }
    }
    if (!cw_str_empty(external_id)) {
        if ((hit = cache_get(&wh->items_external, external_id))) {
            *id = hit->id;
            return 0;
        }
        bind_text(wh, S_ITEM_BY_EXTERNAL, 1, external_id);
        rc = run(wh, S_ITEM_BY_EXTERNAL, id);
        if (is_error(rc))
            return wh_fail(wh, "looking up a work item");
        if (rc == SQLITE_ROW)
            cache_put(&wh->items_external, external_id, *id, 0);
    }
    return 0;
}

/* ------------------------------------------------------------------ rejects */

static void flush_reject_log(cw_warehouse *wh)
{
    if (wh->reject_file && wh->reject_count > CW_REJECTS_LOGGED)
        cw_error("... %ld more rejects in %s, see table reject",
                 wh->reject_count - CW_REJECTS_LOGGED, wh->reject_file);
    free(wh->reject_file);
    wh->reject_file = NULL;
    wh->reject_count = 0;
}

static void log_reject(cw_warehouse *wh, const cw_origin *o, const char *field, const char *reason)
{
    const char *file = o->file ? o->file : "";
    if (!wh->reject_file || strcmp(wh->reject_file, file) != 0) {
        flush_reject_log(wh);
        wh->reject_file = cw_strdup(file);
    }
    if (++wh->reject_count > CW_REJECTS_LOGGED)
        return;
    if (field)
        cw_error("%s:%ld: %s: %s", file, o->record, field, reason);
    else
        cw_error("%s:%ld: %s", file, o->record, reason);
}

/* Store a reject of a record already counted as read. */
static int store_reject(cw_warehouse *wh, const cw_origin *o, const char *field,
                        const char *reason, const char *raw)
{
    enum stmt_id s = S_REJECT_INSERT;
    reason = reason ? reason : "unusable record";
    bind_int(wh, s, 1, wh->batch_id);
    bind_text(wh, s, 2, o->source ? o->source : "");
    bind_text(wh, s, 3, o->file ? o->file : "");
    bind_int(wh, s, 4, o->record);
    bind_text(wh, s, 5, field);
    bind_text(wh, s, 6, reason);
    bind_text(wh, s, 7, raw);
    if (run_ok(wh, s, "recording a reject") != 0)
        return -1;
    wh->stats.rows_rejected++;
    log_reject(wh, o, field, reason);
    return 0;
}

/* A reject built here, with a formatted reason. */
static int reject_record(cw_warehouse *wh, const cw_origin *o, const char *field,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int reject_record(cw_warehouse *wh, const cw_origin *o, const char *field,
                         const char *fmt, ...)
{
    char reason[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    return store_reject(wh, o, field, reason, NULL);
}

/* Every sink call starts here: it needs an open batch and counts the record. */
static int record_begins(cw_warehouse *wh)
{
    if (!wh->in_batch) {
        cw_error("%s: records arrived with no open batch", wh->path);
        return -1;
    }
    cw_killpoint_record();
    wh->stats.rows_read++;
    wh->changes_mark = sqlite3_total_changes64(wh->db);
    return 0;
}

/* After the upsert: count it, or turn a value the schema refuses into a
 * reject (good records keep flowing); anything else is fatal. */
static int record_ends(cw_warehouse *wh, int rc, const cw_origin *o, const char *what)
{
    if (!is_error(rc)) {
        wh->stats.rows_loaded++;
        /* an upsert that found the row as it was writes nothing */
        if (sqlite3_total_changes64(wh->db) > wh->changes_mark)
            wh->stats.rows_changed++;
        return 0;
    }
    if (rc == SQLITE_CONSTRAINT || rc == SQLITE_MISMATCH || rc == SQLITE_TOOBIG) {
        char reason[600];
        snprintf(reason, sizeof(reason), "the warehouse refused the %s: %s", what, wh->err);
        wh->err[0] = '\0';
        return store_reject(wh, o, NULL, reason, NULL);
    }
    return wh_fail(wh, what);
}

static int sink_reject(void *ctx, const cw_reject *rec)
{
    cw_warehouse *wh = ctx;
    if (record_begins(wh) != 0)
        return -1;
    return store_reject(wh, &rec->origin, rec->field, rec->reason, rec->raw);
}

/* ------------------------------------------------------------------ facts */

static int sink_work_item(void *ctx, const cw_work_item *r)
{
    cw_warehouse *wh = ctx;
    enum stmt_id s = S_ITEM_UPSERT;
    int64_t src;
    const char *dash;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->key))
        return reject_record(wh, &r->origin, "key", "missing work item key");
    if (r->created_at == CW_NO_TIME)
        return reject_record(wh, &r->origin, "created", "missing creation time of %s", r->key);
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    bind_text(wh, s, 1, r->key);
    if (!cw_str_empty(r->project))
        bind_text(wh, s, 2, r->project);
    else if ((dash = strrchr(r->key, '-')))         /* PAY-123 -> PAY */
        bind_text_n(wh, s, 2, r->key, (size_t)(dash - r->key));
    else
        bind_text(wh, s, 2, r->key);
    bind_text(wh, s, 3, r->external_id);
    bind_int(wh, s, 4, src);
    bind_text(wh, s, 5, r->summary);
    bind_text(wh, s, 6, r->type);
    bind_text(wh, s, 7, r->status);
    bind_text(wh, s, 8, r->status_category);
    bind_text(wh, s, 9, r->labels);
    bind_text(wh, s, 10, r->fix_versions);
    bind_text(wh, s, 11, r->assignee);
    bind_time(wh, s, 12, r->created_at);
    bind_time(wh, s, 13, r->updated_at);
    bind_time(wh, s, 14, r->resolved_at);
    bind_int(wh, s, 15, r->has_changelog ? 1 : 0);
    bind_int(wh, s, 16, r->changelog_truncated ? 1 : 0);
    bind_text(wh, s, 17, r->status_id);
    return record_ends(wh, run(wh, s, NULL), &r->origin, "work item");
}

/* A transition whose item is not loaded (yet): kept until the whole batch
 * is parsed, so the order of files and sources does not matter
 * (resolve_staged).  Counted as neither loaded nor rejected until then. */
static int stage_transition(cw_warehouse *wh, const cw_transition *r)
{
    enum stmt_id s = S_STAGE_INSERT;
    bind_text(wh, s, 1, r->origin.source ? r->origin.source : "");
    bind_text(wh, s, 2, r->origin.file ? r->origin.file : "");
    bind_int(wh, s, 3, r->origin.record);
    bind_text(wh, s, 4, cw_str_empty(r->item_key) ? NULL : r->item_key);
    bind_text(wh, s, 5, cw_str_empty(r->item_id) ? NULL : r->item_id);
    bind_time(wh, s, 6, r->at);
    bind_text(wh, s, 7, r->history_id);
    bind_text(wh, s, 8, r->from_status);
    bind_text(wh, s, 9, r->to_status);
    return run_ok(wh, s, "staging a transition");
}

static int sink_transition(void *ctx, const cw_transition *r)
{
    cw_warehouse *wh = ctx;
    enum stmt_id s = S_TRANSITION_INSERT;
    int64_t item;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->item_key) && cw_str_empty(r->item_id))
        return reject_record(wh, &r->origin, "item_key", "transition names no work item");
    if (cw_str_empty(r->to_status))
        return reject_record(wh, &r->origin, "to_status", "missing target status");
    if (r->at == CW_NO_TIME)
        return reject_record(wh, &r->origin, "at", "missing transition time");
    if (work_item_id(wh, r->item_key, r->item_id, &item) != 0)
        return -1;
    if (item == 0)
        return stage_transition(wh, r);
    bind_int(wh, s, 1, item);
    bind_time(wh, s, 2, r->at);
    bind_text(wh, s, 3, r->history_id);
    bind_text(wh, s, 4, r->from_status);
    bind_text(wh, s, 5, r->to_status);
    return record_ends(wh, run(wh, s, NULL), &r->origin, "transition");
}

/* Parents are space-separated shas: count the words. */
static int count_words(const char *s)
{
    int n = 0, in_word = 0;
    for (; s && *s; s++) {
        int space = *s == ' ' || *s == '\t' || *s == '\n';
        n += !space && !in_word;
        in_word = !space;
    }
    return n;
}

static int sink_commit(void *ctx, const cw_commit *r)
{
    cw_warehouse *wh = ctx;
    enum stmt_id s = S_COMMIT_UPSERT;
    int64_t author;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->repository))
        return reject_record(wh, &r->origin, "repository", "commit without a repository");
    if (cw_str_empty(r->sha))
        return reject_record(wh, &r->origin, "sha", "missing commit sha");
    if (r->authored_at == CW_NO_TIME)
        return reject_record(wh, &r->origin, "authored_at", "missing author date of %s", r->sha);
    if (person_id(wh, r->author_email, r->author_name, &author) != 0)
        return -1;
    bind_text(wh, s, 1, r->repository);
    bind_text(wh, s, 2, r->sha);
    bind_id(wh, s, 3, author);
    bind_time(wh, s, 4, r->authored_at);
    bind_time(wh, s, 5, r->committed_at);
    bind_text(wh, s, 6, r->parents ? r->parents : "");
    bind_int(wh, s, 7, count_words(r->parents));
    bind_text(wh, s, 8, r->subject);
    bind_text(wh, s, 9, r->body);
    bind_nonneg(wh, s, 10, r->additions);
    bind_nonneg(wh, s, 11, r->deletions);
    bind_nonneg(wh, s, 12, r->files_changed);
    bind_int(wh, s, 13, !r->no_ancestry);
    return record_ends(wh, run(wh, s, NULL), &r->origin, "commit");
}

/* Bind the natural key (source_id, job, number) of a build as ?1..?3. */
static void bind_build_key(cw_warehouse *wh, enum stmt_id s, int64_t src, const cw_build *r)
{
    bind_int(wh, s, 1, src);
    bind_text(wh, s, 2, r->job);
    bind_int(wh, s, 3, r->number);
}

static int upsert_deployment(cw_warehouse *wh, int64_t src, int64_t env, const cw_build *r)
{
    enum stmt_id s = S_DEPLOY_UPSERT;
    bind_build_key(wh, s, src, r);
    bind_id(wh, s, 4, env);
    bind_int(wh, s, 5, r->is_production ? 1 : 0);
    bind_text(wh, s, 6, r->result);
    bind_time(wh, s, 7, r->started_at);
    bind_time(wh, s, 8, r->finished_at);
    bind_text(wh, s, 9, r->revision);
    return run(wh, s, NULL);
}

/* The build's checkouts (cw_build.revisions) as fact_build_revision rows. */
static int upsert_revisions(cw_warehouse *wh, int64_t src, const cw_build *r)
{
    int rc = SQLITE_DONE;
    for (size_t i = 0; i < r->n_revisions && !is_error(rc); i++) {
        bind_build_key(wh, S_BUILD_REVISION_UPSERT, src, r);
        bind_int(wh, S_BUILD_REVISION_UPSERT, 4, (int64_t)i);
        bind_text(wh, S_BUILD_REVISION_UPSERT, 5, r->revisions[i].remote);
        bind_text(wh, S_BUILD_REVISION_UPSERT, 6, r->revisions[i].sha);
        rc = run(wh, S_BUILD_REVISION_UPSERT, NULL);
    }
    if (is_error(rc))
        return rc;
    bind_build_key(wh, S_BUILD_REVISION_PRUNE, src, r);
    bind_int(wh, S_BUILD_REVISION_PRUNE, 4, (int64_t)r->n_revisions);
    return run(wh, S_BUILD_REVISION_PRUNE, NULL);
}

/* A build re-loaded as no longer a deployment (the deployment_job setting
 * changed) drops its deployment.  The derived rows naming it are cleared
 * first; the correlation step recomputes them in this batch anyway. */
static int drop_deployment(cw_warehouse *wh, int64_t src, const cw_build *r)
{
    static const enum stmt_id steps[] = { S_DEPLOY_UNLINK_BRIDGE, S_DEPLOY_UNLINK_DERIVED,
                                          S_DEPLOY_UNLINK_INCIDENT, S_DEPLOY_DELETE };
    int64_t dep = 0;
    int rc;
    bind_build_key(wh, S_DEPLOY_OF_BUILD, src, r);
    rc = run(wh, S_DEPLOY_OF_BUILD, &dep);
    if (rc != SQLITE_ROW)
        return rc;
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        bind_int(wh, steps[i], 1, dep);
        if (is_error(rc = run(wh, steps[i], NULL)))
            return rc;
    }
    return SQLITE_DONE;
}

static int sink_build(void *ctx, const cw_build *r)
{
    cw_warehouse *wh = ctx;
    enum stmt_id s = S_BUILD_UPSERT;
    int64_t src, env = 0;
    int rc;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->job))
        return reject_record(wh, &r->origin, "job", "build without a job name");
    /* Only a deployment may come without its finish: its statuses bring it
     * (fact_deployment_status, resolve.sql). */
    if (r->finished_at == CW_NO_TIME && !r->is_deployment)
        return reject_record(wh, &r->origin, "finished_at", "missing finish time of %s #%ld",
                             r->job, r->number);
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    if (!cw_str_empty(r->environment) &&
        environment_id(wh, r->environment, r->is_production, &env) != 0)
        return -1;
    bind_build_key(wh, s, src, r);
    bind_text(wh, s, 4, r->result);
    bind_time(wh, s, 5, r->started_at);
    bind_time(wh, s, 6, r->finished_at);
    bind_text(wh, s, 7, r->revision);
    bind_text(wh, s, 8, r->url);
    bind_int(wh, s, 9, r->is_deployment ? 1 : 0);
    bind_id(wh, s, 10, env);
    rc = run(wh, s, NULL);
    if (!is_error(rc))
        rc = upsert_revisions(wh, src, r);
    /* A deployment without its finish gets its fact_deployment row from
     * resolve.sql once a status gives the finish. */
    if (!is_error(rc) && r->is_deployment && r->finished_at != CW_NO_TIME)
        rc = upsert_deployment(wh, src, env, r);
    else if (!is_error(rc) && !r->is_deployment)
        rc = drop_deployment(wh, src, r);
    return record_ends(wh, rc, &r->origin, "build");
}

static int sink_incident(void *ctx, const cw_incident *r)
{
    cw_warehouse *wh = ctx;
    enum stmt_id s = S_INCIDENT_UPSERT;
    int64_t src;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->id))
        return reject_record(wh, &r->origin, "id", "incident without an id");
    if (r->created_at == CW_NO_TIME)
        return reject_record(wh, &r->origin, "created_at", "missing creation time of incident %s",
                             r->id);
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    bind_int(wh, s, 1, src);
    bind_text(wh, s, 2, r->id);
    bind_text(wh, s, 3, r->number);
    bind_text(wh, s, 4, r->title);
    bind_text(wh, s, 5, r->description);
    bind_text(wh, s, 6, r->service);
    bind_text(wh, s, 7, r->status);
    bind_text(wh, s, 8, r->severity);
    bind_time(wh, s, 9, r->created_at);
    bind_time(wh, s, 10, r->resolved_at);
    bind_time(wh, s, 11, r->updated_at);
    bind_nonneg(wh, s, 12, r->version);
    return record_ends(wh, run(wh, s, NULL), &r->origin, "incident");
}

static int sink_pull_request(void *ctx, const cw_pull_request *r)
{
    cw_warehouse *wh = ctx;
    enum stmt_id s = S_PULL_REQUEST_UPSERT;
    int64_t src;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->repository))
        return reject_record(wh, &r->origin, "repository", "pull request without a repository");
    if (r->created_at == CW_NO_TIME)
        return reject_record(wh, &r->origin, "created_at",
                             "missing creation time of pull request %s#%ld", r->repository, r->number);
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    bind_int(wh, s, 1, src);
    bind_text(wh, s, 2, r->repository);
    bind_int(wh, s, 3, r->number);
    bind_text(wh, s, 4, r->title);
    bind_text(wh, s, 5, r->body);
    bind_text(wh, s, 6, r->source_branch);
    bind_text(wh, s, 7, r->target_branch);
    bind_text(wh, s, 8, r->state);
    bind_text(wh, s, 9, r->author);
    bind_time(wh, s, 10, r->created_at);
    bind_time(wh, s, 11, r->updated_at);
    bind_time(wh, s, 12, r->closed_at);
    bind_time(wh, s, 13, r->merged_at);
    bind_text(wh, s, 14, r->merge_commit_sha);
    bind_text(wh, s, 15, r->squash_commit_sha);
    return record_ends(wh, run(wh, s, NULL), &r->origin, "pull request");
}

static int sink_deployment_status(void *ctx, const cw_deployment_status *r)
{
    cw_warehouse *wh = ctx;
    enum stmt_id s = S_DEPLOY_STATUS_UPSERT;
    int64_t src;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->job))
        return reject_record(wh, &r->origin, "job", "deployment status without a deployment");
    if (cw_str_empty(r->state))
        return reject_record(wh, &r->origin, "state", "deployment status without a state");
    if (r->created_at == CW_NO_TIME)
        return reject_record(wh, &r->origin, "created_at", "missing time of a status of %s #%ld",
                             r->job, r->number);
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    bind_int(wh, s, 1, src);
    bind_text(wh, s, 2, r->job);
    bind_int(wh, s, 3, r->number);
    bind_int(wh, s, 4, r->status_id);
    bind_text(wh, s, 5, r->state);
    bind_time(wh, s, 6, r->created_at);
    return record_ends(wh, run(wh, s, NULL), &r->origin, "deployment status");
}

static int sink_status_def(void *ctx, const cw_status_def *r)
{
    cw_warehouse *wh = ctx;
    enum stmt_id s = S_SOURCE_STATUS_UPSERT;
    int64_t src;

    if (record_begins(wh) != 0)
        return -1;
    if (cw_str_empty(r->id))
        return reject_record(wh, &r->origin, "id", "status without an id");
    if (cw_str_empty(r->name))
        return reject_record(wh, &r->origin, "name", "status %s without a name", r->id);
    if (cw_str_empty(r->category))
        return reject_record(wh, &r->origin, "statusCategory", "status %s without a category",
                             r->id);
    if (source_id(wh, r->origin.source, &src) != 0)
        return -1;
    bind_int(wh, s, 1, src);
    bind_text(wh, s, 2, r->id);
    bind_text(wh, s, 3, r->name);
    bind_text(wh, s, 4, r->category);
    return record_ends(wh, run(wh, s, NULL), &r->origin, "status");
}

/* ------------------------------------------------------------------ configuration */

/* Append a string to a JSON array; -1 when it is not valid UTF-8. */
static int json_push(json_t *array, const char *s)
{
    return json_array_append_new(array, json_string(s));
}

/* Upsert (key -> application) rows of one map_* table, then delete the
 * rows whose key is no longer configured. */
static int sync_map(cw_warehouse *wh, const cw_config *cfg, size_t list_offset,
                    enum stmt_id upsert, enum stmt_id prune, const char *what)
{
    json_t *keys = json_array();
    char *text = NULL;
    int rc = -1;

    for (size_t a = 0; a < cfg->n_apps; a++) {
        const cw_strlist *list = (const cw_strlist *)((const char *)&cfg->apps[a] + list_offset);
        for (size_t i = 0; i < list->n; i++) {
            if (json_push(keys, list->items[i]) != 0) {
                cw_error("%s: %s '%s' is not valid UTF-8", cfg->path, what, list->items[i]);
                goto out;
            }
            bind_text(wh, upsert, 1, list->items[i]);
            bind_text(wh, upsert, 2, cfg->apps[a].name);
            if (run_ok(wh, upsert, what) != 0)
                goto out;
        }
    }
    text = json_dumps(keys, JSON_COMPACT);
    bind_text(wh, prune, 1, text);
    rc = run_ok(wh, prune, what);
out:
    free(text);
    json_decref(keys);
    return rc;
}

/* map_job: the configured job names/regexes anchored, in configuration order. */
static int sync_jobs(cw_warehouse *wh, const cw_config *cfg)
{
    json_t *pairs = json_array();
    char *text = NULL;
    int64_t position = 0;
    int rc = -1;

    for (size_t a = 0; a < cfg->n_apps; a++) {
        for (size_t i = 0; i < cfg->apps[a].jobs.n; i++) {
            char *pattern = cw_asprintf("^(?:%s)$", cfg->apps[a].jobs.items[i]);
            json_t *pair = json_array();
            int bad = json_push(pair, pattern) != 0 || json_push(pair, cfg->apps[a].name) != 0;
            json_array_append_new(pairs, pair);
            bind_text(wh, S_MAP_JOB_UPSERT, 1, pattern);
            bind_text(wh, S_MAP_JOB_UPSERT, 2, cfg->apps[a].name);
            bind_int(wh, S_MAP_JOB_UPSERT, 3, position++);
            if (bad)
                cw_error("%s: job '%s' is not valid UTF-8", cfg->path, cfg->apps[a].jobs.items[i]);
            if (bad || run_ok(wh, S_MAP_JOB_UPSERT, "map_job") != 0) {
                sqlite3_clear_bindings(wh->stmt[S_MAP_JOB_UPSERT]);
                free(pattern);
                goto out;
            }
            free(pattern);
        }
    }
    text = json_dumps(pairs, JSON_COMPACT);
    bind_text(wh, S_MAP_JOB_PRUNE, 1, text);
    rc = run_ok(wh, S_MAP_JOB_PRUNE, "map_job");
out:
    free(text);
    json_decref(pairs);
    return rc;
}

static int sync_applications(cw_warehouse *wh, const cw_config *cfg)
{
    json_t *names = json_array();
    char *text = NULL;
    int rc = -1;

    for (size_t a = 0; a < cfg->n_apps; a++) {
        const cw_application *app = &cfg->apps[a];
        if (json_push(names, app->name) != 0) {
            cw_error("%s: application '%s' is not valid UTF-8", cfg->path, app->name);
            goto out;
        }
        if (!cw_str_empty(app->team)) {
            bind_text(wh, S_TEAM_UPSERT, 1, app->team);
            if (run_ok(wh, S_TEAM_UPSERT, "dim_team") != 0)
                goto out;
        }
        bind_text(wh, S_APP_UPSERT, 1, app->name);
        bind_text(wh, S_APP_UPSERT, 2, app->team);
        if (run_ok(wh, S_APP_UPSERT, "dim_application") != 0)
            goto out;
    }
    /* applications are never deleted: old facts keep pointing at them */
    text = json_dumps(names, JSON_COMPACT);
    bind_text(wh, S_APP_UNCONFIGURE, 1, text);
    rc = run_ok(wh, S_APP_UNCONFIGURE, "dim_application");
out:
    free(text);
    json_decref(names);
    return rc;
}

static int sync_statuses(cw_warehouse *wh, const cw_config *cfg)
{
    json_t *names = json_array();
    char *text = NULL;
    int rc = -1;

    for (size_t i = 0; i < cfg->n_statuses; i++) {
        const cw_status_rule *st = &cfg->statuses[i];
        /* `wait` is in progress, but queued */
        int wait = st->waiting || cw_streq_ci(st->category, "wait");
        if (json_push(names, st->name) != 0) {
            cw_error("%s: status '%s' is not valid UTF-8", cfg->path, st->name);
            goto out;
        }
        bind_text(wh, S_STATUS_UPSERT, 1, st->name);
        bind_text(wh, S_STATUS_UPSERT, 2, wait ? "in_progress" : st->category);
        bind_int(wh, S_STATUS_UPSERT, 3, wait);
        if (run_ok(wh, S_STATUS_UPSERT, "dim_status") != 0)
            goto out;
    }
    text = json_dumps(names, JSON_COMPACT);
    bind_text(wh, S_STATUS_PRUNE, 1, text);
    rc = run_ok(wh, S_STATUS_PRUNE, "dim_status");
out:
    free(text);
    json_decref(names);
    return rc;
}

int cw_wh_sync_config(cw_warehouse *wh, const cw_config *cfg)
{
    int rc;
    /* A savepoint: inside a batch it nests, outside it is its own transaction. */
    if (run_ok(wh, S_SAVEPOINT, "syncing the configuration") != 0)
        return -1;
    rc = sync_applications(wh, cfg);
    if (rc == 0)
        rc = sync_map(wh, cfg, offsetof(cw_application, projects), S_MAP_PROJECT_UPSERT,
                      S_MAP_PROJECT_PRUNE, "map_project");
    if (rc == 0)
        rc = sync_map(wh, cfg, offsetof(cw_application, repositories), S_MAP_REPOSITORY_UPSERT,
                      S_MAP_REPOSITORY_PRUNE, "map_repository");
    if (rc == 0)
        rc = sync_map(wh, cfg, offsetof(cw_application, services), S_MAP_SERVICE_UPSERT,
                      S_MAP_SERVICE_PRUNE, "map_service");
    if (rc == 0)
        rc = sync_jobs(wh, cfg);
    if (rc == 0)
        rc = sync_statuses(wh, cfg);
    if (rc != 0)
        run(wh, S_ROLLBACK_TO, NULL);
    if (run_ok(wh, S_RELEASE, "syncing the configuration") != 0)
        return -1;
    return rc;
}

/* ------------------------------------------------------------------ resolve */

/* One staged transition (a row of S_STAGE_LIST): into fact_transition when
 * its item is known by now.  Otherwise it is rejected, and its file counts
 * the reject as deferred: it is not the record's own fault, so the file is
 * read again next run (cw_wh_file_seen) instead of being lost for good. */
static int resolve_staged_row(cw_warehouse *wh, sqlite3_stmt *row)
{
    enum stmt_id s = S_TRANSITION_INSERT;
    const char *key = (const char *)sqlite3_column_text(row, 3);
    const char *id = (const char *)sqlite3_column_text(row, 4);
    cw_origin o = { (const char *)sqlite3_column_text(row, 0),
                    (const char *)sqlite3_column_text(row, 1), (long)sqlite3_column_int64(row, 2) };
    int64_t item;

    if (work_item_id(wh, key, id, &item) != 0)
        return -1;
    if (item == 0) {
        bind_text(wh, S_FILE_DEFER, 1, o.source);
        bind_text(wh, S_FILE_DEFER, 2, o.file);
        if (run_ok(wh, S_FILE_DEFER, "deferring a file") != 0)
            return -1;
        return reject_record(wh, &o, key ? "item_key" : "item_id", "unknown work item %s",
                             key ? key : id);
    }
    wh->changes_mark = sqlite3_total_changes64(wh->db);
    bind_int(wh, s, 1, item);
    bind_int(wh, s, 2, sqlite3_column_int64(row, 5));
    bind_text(wh, s, 3, (const char *)sqlite3_column_text(row, 6));
    bind_text(wh, s, 4, (const char *)sqlite3_column_text(row, 7));
    bind_text(wh, s, 5, (const char *)sqlite3_column_text(row, 8));
    return record_ends(wh, run(wh, s, NULL), &o, "transition");
}

/* Every transition staged in this batch, in the order it was read. */
static int resolve_staged(cw_warehouse *wh)
{
    sqlite3_stmt *list = wh->stmt[S_STAGE_LIST];
    int rc, failed = 0;
    while (!failed && (rc = sqlite3_step(list)) == SQLITE_ROW)
        failed = resolve_staged_row(wh, list) != 0;
    if (!failed && rc != SQLITE_DONE)
        snprintf(wh->err, sizeof(wh->err), "%s", sqlite3_errmsg(wh->db));
    sqlite3_reset(list);
    if (failed)
        return -1;
    if (rc != SQLITE_DONE)
        return wh_fail(wh, "reading staged transitions");
    return run_ok(wh, S_STAGE_CLEAR, "clearing staged transitions");
}

int cw_wh_resolve(cw_warehouse *wh)
{
    cw_killpoint("resolve");
    if (resolve_staged(wh) != 0)
        return -1;
    return cw_wh_exec_script(wh->db, cw_embedded_get("load/resolve.sql"), "load/resolve.sql");
}
