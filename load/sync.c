/*
 * sync.c - the configuration mirrors (see cw_wh_sync_config in warehouse.h).
 *
 * At every batch the INI file's applications, teams, map_* keys and
 * configured statuses are written into the warehouse, so SQL can resolve
 * applications without C, and a config change re-attaches old facts
 * without re-reading any file.  Each mirror is an upsert per configured
 * key (writing only what changed), then a pass over the mirror's rows that
 * removes (or, for applications, unconfigures) the keys the configuration
 * no longer names: the configured keys are a core/strmap.h set, so no
 * engine-specific array function is needed.  The SQL is load/sql/sync.sql.
 */
#include "wh.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"
#include "../core/util.h"

/* Run `list` (first column: the key, a second and third when pair) and
 * collect the rows whose key is not in `keep`; then run `drop` on each.
 * The rows are collected first: a connection runs one statement at a time. */
typedef struct stale {
    char **key;
    int64_t *id;
    size_t n, cap;
} stale;

static void stale_add(stale *s, const char *key, int64_t id)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->key = cw_xrealloc(s->key, s->cap * sizeof(*s->key));
        s->id = cw_xrealloc(s->id, s->cap * sizeof(*s->id));
    }
    s->key[s->n] = cw_strdup(key);
    s->id[s->n++] = id;
}

static void stale_free(stale *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->key[i]);
    free(s->key);
    free(s->id);
}

/* The key of a map_job row: pattern, a unit separator, application name
 * (and of a map_application_gate row: stakeholder, application name). */
static char *job_key(const char *pattern, const char *app)
{
    return cw_asprintf("%s\x1f%s", pattern ? pattern : "", app ? app : "");
}

static int prune(cw_warehouse *wh, const cw_strmap *keep, wh_stmt_id list, wh_stmt_id drop,
                 const char *what)
{
    cw_stmt *st = wh_stmt(wh, list);
    stale gone = {0};
    int rc = st ? CW_DB_OK : CW_DB_ERROR;
    int is_job = list == S_MAP_JOB_LIST || list == S_MAP_APP_GATE_LIST;    /* (key, application) */
    while (rc == CW_DB_OK && (rc = cw_db_step(st)) == CW_DB_ROW) {
        const char *key = cw_db_column_text(st, 0);
        char *lookup = is_job ? job_key(key, cw_db_column_text(st, 1)) : NULL;
        if (!cw_strmap_get(keep, lookup ? lookup : key ? key : "", NULL))
            stale_add(&gone, key ? key : "", is_job ? cw_db_column_int(st, 2) : 0);
        free(lookup);
        rc = CW_DB_OK;
    }
    if (st)
        cw_db_reset(st);
    if (rc < 0) {
        stale_free(&gone);
        return wh_fail(wh, what);
    }
    for (size_t i = 0; i < gone.n && rc >= 0; i++) {
        wh_bind_text(wh, drop, 1, gone.key[i]);
        if (is_job)
            wh_bind_int(wh, drop, 2, gone.id[i]);
        rc = wh_run(wh, drop, NULL);
    }
    stale_free(&gone);
    return rc < 0 ? wh_fail(wh, what) : 0;
}

/* Upsert (key -> application) rows of one map_* table, then delete the
 * rows whose key is no longer configured. */
static int sync_map(cw_warehouse *wh, const cw_config *cfg, size_t list_offset, wh_stmt_id upsert,
                    wh_stmt_id list, wh_stmt_id drop, const char *what)
{
    cw_strmap *keep = cw_strmap_new();
    int rc = 0;
    for (size_t a = 0; a < cfg->n_apps && rc == 0; a++) {
        const cw_strlist *keys = (const cw_strlist *)((const char *)&cfg->apps[a] + list_offset);
        for (size_t i = 0; i < keys->n && rc == 0; i++) {
            cw_strmap_put(keep, keys->items[i], 1);
            wh_bind_text(wh, upsert, 1, keys->items[i]);
            wh_bind_text(wh, upsert, 2, cfg->apps[a].name);
            rc = wh_run_ok(wh, upsert, what);
        }
    }
    if (rc == 0)
        rc = prune(wh, keep, list, drop, what);
    cw_strmap_free(keep);
    return rc;
}

/* map_job: the configured job names/regexes anchored, in configuration order. */
static int sync_jobs(cw_warehouse *wh, const cw_config *cfg)
{
    cw_strmap *keep = cw_strmap_new();
    int64_t position = 0;
    int rc = 0;
    for (size_t a = 0; a < cfg->n_apps && rc == 0; a++) {
        for (size_t i = 0; i < cfg->apps[a].jobs.n && rc == 0; i++) {
            char *pattern = cw_asprintf("^(?:%s)$", cfg->apps[a].jobs.items[i]);
            char *key = job_key(pattern, cfg->apps[a].name);
            cw_strmap_put(keep, key, 1);
            wh_bind_text(wh, S_MAP_JOB_UPSERT, 1, pattern);
            wh_bind_text(wh, S_MAP_JOB_UPSERT, 2, cfg->apps[a].name);
            wh_bind_int(wh, S_MAP_JOB_UPSERT, 3, position++);
            rc = wh_run_ok(wh, S_MAP_JOB_UPSERT, "map_job");
            free(key);
            free(pattern);
        }
    }
    if (rc == 0)
        rc = prune(wh, keep, S_MAP_JOB_LIST, S_MAP_JOB_DELETE, "map_job");
    cw_strmap_free(keep);
    return rc;
}

/* Applications are never deleted: old facts keep pointing at them. */
static int sync_applications(cw_warehouse *wh, const cw_config *cfg)
{
    cw_strmap *keep = cw_strmap_new();
    int rc = 0;
    for (size_t a = 0; a < cfg->n_apps && rc == 0; a++) {
        const cw_application *app = &cfg->apps[a];
        cw_strmap_put(keep, app->name, 1);
        if (!cw_str_empty(app->team)) {
            wh_bind_text(wh, S_TEAM_UPSERT, 1, app->team);
            rc = wh_run_ok(wh, S_TEAM_UPSERT, "dim_team");
        }
        wh_bind_text(wh, S_APP_UPSERT, 1, app->name);
        wh_bind_text(wh, S_APP_UPSERT, 2, app->team);
        if (rc == 0)
            rc = wh_run_ok(wh, S_APP_UPSERT, "dim_application");
    }
    if (rc == 0)
        rc = prune(wh, keep, S_APP_LIST, S_APP_UNCONFIGURE, "dim_application");
    cw_strmap_free(keep);
    return rc;
}

static int sync_statuses(cw_warehouse *wh, const cw_config *cfg)
{
    cw_strmap *keep = cw_strmap_new();
    int rc = 0;
    for (size_t i = 0; i < cfg->n_statuses && rc == 0; i++) {
        const cw_status_rule *st = &cfg->statuses[i];
        /* `wait` is in progress, but queued */
        int wait = st->waiting || cw_streq_ci(st->category, "wait");
        cw_strmap_put(keep, st->name, 1);
        wh_bind_text(wh, S_STATUS_UPSERT, 1, st->name);
        wh_bind_text(wh, S_STATUS_UPSERT, 2, wait ? "in_progress" : st->category);
        wh_bind_int(wh, S_STATUS_UPSERT, 3, wait);
        rc = wh_run_ok(wh, S_STATUS_UPSERT, "dim_status");
    }
    if (rc == 0)
        rc = prune(wh, keep, S_STATUS_LIST, S_STATUS_DELETE, "dim_status");
    cw_strmap_free(keep);
    return rc;
}

/* map_incident_type: each source's incident_types (a pair key: source,
 * a unit separator, type). */
static int sync_incident_types(cw_warehouse *wh, const cw_config *cfg)
{
    cw_strmap *keep = cw_strmap_new();
    cw_stmt *st;
    stale gone = {0};
    int rc = 0;
    for (size_t s = 0; s < cfg->n_sources && rc == 0; s++) {
        cw_strlist types;
        cw_strlist_split(cw_source_get(&cfg->sources[s], "incident_types"), &types);
        for (size_t i = 0; i < types.n && rc == 0; i++) {
            char *key = cw_asprintf("%s\x1f%s", cfg->sources[s].name, types.items[i]);
            cw_strmap_put(keep, key, 1);
            free(key);
            wh_bind_text(wh, S_INCIDENT_TYPE_UPSERT, 1, cfg->sources[s].name);
            wh_bind_text(wh, S_INCIDENT_TYPE_UPSERT, 2, types.items[i]);
            rc = wh_run_ok(wh, S_INCIDENT_TYPE_UPSERT, "map_incident_type");
        }
        cw_strlist_free(&types);
    }
    /* the rows no source names any more, collected before deleting */
    st = rc == 0 ? wh_stmt(wh, S_INCIDENT_TYPE_LIST) : NULL;
    if (rc == 0 && !st)
        rc = -1;
    while (rc == 0 && (rc = cw_db_step(st)) == CW_DB_ROW) {
        const char *source = cw_db_column_text(st, 0), *type = cw_db_column_text(st, 1);
        char *key = cw_asprintf("%s\x1f%s", source ? source : "", type ? type : "");
        if (!cw_strmap_get(keep, key, NULL)) {
            stale_add(&gone, source ? source : "", 0);
            stale_add(&gone, type ? type : "", 0);
        }
        free(key);
        rc = 0;
    }
    if (st)
        cw_db_reset(st);
    rc = rc < 0 ? wh_fail(wh, "map_incident_type") : 0;
    for (size_t i = 0; rc == 0 && i + 1 < gone.n; i += 2) {
        wh_bind_text(wh, S_INCIDENT_TYPE_DELETE, 1, gone.key[i]);
        wh_bind_text(wh, S_INCIDENT_TYPE_DELETE, 2, gone.key[i + 1]);
        rc = wh_run_ok(wh, S_INCIDENT_TYPE_DELETE, "map_incident_type");
    }
    stale_free(&gone);
    cw_strmap_free(keep);
    return rc;
}

/* map_gate ([gates]) and map_application_gate ([application X] gates). */
static int sync_gates(cw_warehouse *wh, const cw_config *cfg)
{
    cw_strmap *keep = cw_strmap_new();
    int rc = 0;
    for (size_t i = 0; i < cfg->n_gates && rc == 0; i++) {
        cw_strmap_put(keep, cfg->gates[i].status, 1);
        wh_bind_text(wh, S_MAP_GATE_UPSERT, 1, cfg->gates[i].status);
        wh_bind_text(wh, S_MAP_GATE_UPSERT, 2, cfg->gates[i].stakeholder);
        rc = wh_run_ok(wh, S_MAP_GATE_UPSERT, "map_gate");
    }
    if (rc == 0)
        rc = prune(wh, keep, S_MAP_GATE_LIST, S_MAP_GATE_DELETE, "map_gate");
    cw_strmap_free(keep);
    keep = cw_strmap_new();
    for (size_t a = 0; a < cfg->n_apps && rc == 0; a++)
        for (size_t i = 0; i < cfg->apps[a].gates.n && rc == 0; i++) {
            char *key = job_key(cfg->apps[a].gates.items[i], cfg->apps[a].name);
            cw_strmap_put(keep, key, 1);
            free(key);
            wh_bind_text(wh, S_MAP_APP_GATE_UPSERT, 1, cfg->apps[a].gates.items[i]);
            wh_bind_text(wh, S_MAP_APP_GATE_UPSERT, 2, cfg->apps[a].name);
            rc = wh_run_ok(wh, S_MAP_APP_GATE_UPSERT, "map_application_gate");
        }
    if (rc == 0)
        rc = prune(wh, keep, S_MAP_APP_GATE_LIST, S_MAP_APP_GATE_DELETE, "map_application_gate");
    cw_strmap_free(keep);
    return rc;
}

int cw_wh_sync_config(cw_warehouse *wh, const cw_config *cfg)
{
    int rc;
    /* A savepoint: inside a batch it nests, outside it is its own transaction. */
    if (cw_db_savepoint(wh->db, "cw_sync") != CW_DB_OK)
        return wh_fail(wh, "syncing the configuration");
    wh->changes = 0;
    rc = sync_applications(wh, cfg);
    if (rc == 0)
        rc = sync_map(wh, cfg, offsetof(cw_application, projects), S_MAP_PROJECT_UPSERT,
                      S_MAP_PROJECT_LIST, S_MAP_PROJECT_DELETE, "map_project");
    if (rc == 0)
        rc = sync_map(wh, cfg, offsetof(cw_application, repositories), S_MAP_REPOSITORY_UPSERT,
                      S_MAP_REPOSITORY_LIST, S_MAP_REPOSITORY_DELETE, "map_repository");
    if (rc == 0)
        rc = sync_map(wh, cfg, offsetof(cw_application, services), S_MAP_SERVICE_UPSERT,
                      S_MAP_SERVICE_LIST, S_MAP_SERVICE_DELETE, "map_service");
    if (rc == 0)
        rc = sync_jobs(wh, cfg);
    if (rc == 0)
        rc = sync_statuses(wh, cfg);
    if (rc == 0)
        rc = sync_incident_types(wh, cfg);
    /* The facts move to their new applications now, before any record
     * loads: an upsert by (application, key) must find the row it updates.
     * Only when a mirror row changed: the facts were attached by the
     * mirrors as they stand, and moving them reads every fact row, which a
     * night with nothing new must not pay.  A warehouse not upgraded yet
     * gets this from the batch that upgrades it. */
    if (rc == 0 && wh->version == CW_SCHEMA_VERSION && wh->changes > 0)
        rc = wh_reattach(wh);
    /* The gates attach no fact (the views read them), so they come after. */
    if (rc == 0)
        rc = sync_gates(wh, cfg);
    if (rc != 0)
        cw_db_rollback_to(wh->db, "cw_sync");
    if (cw_db_release(wh->db, "cw_sync") != CW_DB_OK)
        return wh_fail(wh, "syncing the configuration");
    return rc;
}
