/*
 * warehouse.c - opening and closing the warehouse, its schema, schema
 * versions and migrations, and the statement helpers the other files of
 * load/ share (load/wh.h).
 *
 * The warehouse is reached only through load/db.h, so this file, like the
 * rest of load/, is the same for every engine.  So is the DDL,
 * load/sql/schema.sql, but for the few types engines spell differently:
 * those are tokens there, spelled per engine by load/sql/<dialect>/types.sql
 * (cw_wh_schema_sql).
 *
 * Schema versions.  schema_version holds one row, the version the
 * warehouse is at.  Opening a new warehouse (no schema_version table)
 * creates the current schema.  A warehouse at an older version is
 * upgraded by cw_wh_batch_begin, inside the batch's own transaction under
 * the writer lock: the numbered steps of `migrations` below run in order,
 * then schema.sql creates whatever table or index is missing (every
 * statement of it is IF NOT EXISTS, so a new table needs no step; a new
 * or changed column does), then the parts of the steps that need the new
 * schema (a table re-created to change its key is filled back).  A batch
 * that fails rolls the upgrade back with everything else.  A warehouse
 * whose version is newer than this catwalk is refused: an older catwalk
 * must not write into a schema it does not know.
 */
#include "wh.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../core/embedded.h"
#include "../core/log.h"
#include "../core/util.h"

#define NAME(id, name) #name,
static const char *const stmt_names[S_COUNT] = { CW_WH_STATEMENTS(NAME) };
#undef NAME

static const char *const sql_files[] = { CW_WH_SQL_FILES };

/* The DDL of every engine, its types as tokens (cw_wh_schema_sql). */
#define SCHEMA_SQL "load/sql/schema.sql"

/* ------------------------------------------------------------------ statements */

const char *wh_stmt_name(wh_stmt_id id)
{
    return stmt_names[id];
}

const char *wh_stmt_sql(cw_warehouse *wh, wh_stmt_id id)
{
    return cw_sqlset_get(wh->sql, stmt_names[id]);
}

int wh_fail(cw_warehouse *wh, const char *what)
{
    if (wh->in_batch)
        wh->failed = 1;
    cw_error("%s: %s: %s", wh->where, what, wh->err[0] ? wh->err : cw_db_errmsg(wh->db));
    wh->err[0] = '\0';
    return -1;
}

static void keep_error(cw_warehouse *wh)
{
    snprintf(wh->err, sizeof(wh->err), "%s", cw_db_errmsg(wh->db));
}

cw_stmt *wh_stmt(cw_warehouse *wh, wh_stmt_id id)
{
    const char *sql;
    if (wh->stmt[id])
        return wh->stmt[id];
    sql = cw_sqlset_get(wh->sql, stmt_names[id]);
    if (cw_db_prepare(wh->db, sql, &wh->stmt[id]) != CW_DB_OK) {
        snprintf(wh->err, sizeof(wh->err), "preparing %s: %s", stmt_names[id],
                 cw_db_errmsg(wh->db));
        return NULL;
    }
    while (*sql == ' ' || *sql == '\n' || *sql == '(')
        sql++;
    wh->writes[id] = strncasecmp(sql, "SELECT", 6) != 0;
    return wh->stmt[id];
}

int wh_run(cw_warehouse *wh, wh_stmt_id id, int64_t *row_id)
{
    cw_stmt *st = wh_stmt(wh, id);
    int rc = wh->bind_rc, k = wh_staged(wh, id);
    wh->bind_rc = CW_DB_OK;
    if (!st)
        return rc < 0 ? rc : CW_DB_ERROR;
    /* staged: written by the next flush (its changes are counted there) */
    if (k >= 0 && rc == CW_DB_OK)
        return wh_stage_row(wh, k);
    if (rc == CW_DB_OK) {
        rc = cw_db_step(st);
        if (rc == CW_DB_ROW && row_id)
            *row_id = cw_db_column_int(st, 0);
        if (rc < 0)
            keep_error(wh);
    }
    cw_db_reset(st);
    /* one-row statements: a RETURNING row is the row it wrote */
    if (rc >= 0 && wh->writes[id])
        wh->changes += rc == CW_DB_ROW ? 1 : cw_db_changes(wh->db);
    return rc;
}

int wh_run_ok(cw_warehouse *wh, wh_stmt_id id, const char *what)
{
    return wh_run(wh, id, NULL) < 0 ? wh_fail(wh, what) : 0;
}

int wh_exec(cw_warehouse *wh, const char *sql, const char *what)
{
    if (!sql) {
        cw_error("%s: %s: not compiled into this catwalk", wh->where, what);
        return -1;
    }
    if (cw_db_exec(wh->db, sql) != CW_DB_OK) {
        cw_error("%s: %s: %s", wh->where, what, cw_db_errmsg(wh->db));
        return -1;
    }
    return 0;
}

/* Every bind comes here: captured for a staged statement, else bound to
 * the engine's statement; a failure is kept for the next wh_run. */
static void bind_value(cw_warehouse *wh, wh_stmt_id id, int i, const cw_db_value *v)
{
    int k = wh_staged(wh, id), rc;
    cw_stmt *st = wh_stmt(wh, id);
    if (!st) {
        if (wh->bind_rc == CW_DB_OK)
            wh->bind_rc = CW_DB_ERROR;
        return;
    }
    if (k >= 0)
        rc = wh_stage_bind(wh, k, i, v);
    else if (v->type == CW_DB_INT)
        rc = cw_db_bind_int(st, i, v->i);
    else if (v->type == CW_DB_REAL)
        rc = cw_db_bind_real(st, i, v->r);
    else if (v->type == CW_DB_TEXT)
        rc = cw_db_bind_text(st, i, v->text, strlen(v->text));
    else
        rc = cw_db_bind_null(st, i);
    if (rc != CW_DB_OK && wh->bind_rc == CW_DB_OK) {
        wh->bind_rc = rc;
        keep_error(wh);
    }
}

static void bind_int_or_null(cw_warehouse *wh, wh_stmt_id id, int i, int64_t v, int null)
{
    cw_db_value val = { .type = null ? CW_DB_NULL : CW_DB_INT, .i = v };
    bind_value(wh, id, i, &val);
}

void wh_bind_text(cw_warehouse *wh, wh_stmt_id id, int i, const char *v)
{
    cw_db_value val = { .type = v ? CW_DB_TEXT : CW_DB_NULL, .text = v };
    bind_value(wh, id, i, &val);
}

void wh_bind_text_n(cw_warehouse *wh, wh_stmt_id id, int i, const char *v, size_t n)
{
    char *copy = cw_strndup(v, n);
    wh_bind_text(wh, id, i, copy);
    free(copy);
}

void wh_bind_int(cw_warehouse *wh, wh_stmt_id id, int i, int64_t v)
{
    bind_int_or_null(wh, id, i, v, 0);
}

void wh_bind_real(cw_warehouse *wh, wh_stmt_id id, int i, double v)
{
    cw_db_value val = { .type = CW_DB_REAL, .r = v };
    bind_value(wh, id, i, &val);
}

void wh_bind_time(cw_warehouse *wh, wh_stmt_id id, int i, int64_t t)
{
    bind_int_or_null(wh, id, i, t, t == CW_NO_TIME);
}

void wh_bind_nonneg(cw_warehouse *wh, wh_stmt_id id, int i, int64_t v)
{
    bind_int_or_null(wh, id, i, v, v < 0);
}

void wh_bind_id(cw_warehouse *wh, wh_stmt_id id, int i, int64_t v)
{
    bind_int_or_null(wh, id, i, v, v <= 0);
}

/* ------------------------------------------------------------------ schema versions */

/* A column added to a table after warehouses were created with it.  `then`
 * (or S_COUNT) runs once, right after its column was added. */
typedef struct added_column {
    const char *table, *column, *decl;
    wh_stmt_id then;
} added_column;

/* Version 1 (every release before schema versions were counted) grew these
 * columns one release at a time without a version change, so a version-1
 * warehouse may lack any of them: each is added only where missing. */
static const added_column v2_columns[] = {
    { "fact_commit", "has_ancestry", "INTEGER NOT NULL DEFAULT 1", S_COUNT },
    { "batch", "rows_changed", "INTEGER NOT NULL DEFAULT 0", S_COUNT },
    { "landed_file", "deferred", "INTEGER NOT NULL DEFAULT 0", S_V2_LANDED_FILE_DEFERRED },
    { "dim_work_item", "status_id", "TEXT", S_COUNT },
};

/* Migration step `to` upgrades a warehouse at version to - 1: its added
 * columns, then load/sql/<dialect>/migrate-<to>.sql when that file exists
 * (what cannot be portable).  New tables and indexes come from schema.sql.
 * Once schema.sql has run, load/sql/<dialect>/migrate-<to>-data.sql when it
 * exists (a table the step re-created is filled back), then `after`. */
typedef struct migration {
    int to;
    const added_column *columns;
    size_t n_columns;
    int (*after)(cw_warehouse *wh);
} migration;

/* Version 4: a night with nothing new is known cheaply (the file's stat,
 * the derivation's fingerprint) */
static const added_column v4_columns[] = {
    { "batch", "derived_by", "TEXT", S_COUNT },
    { "landed_file", "mtime_ns", "BIGINT", S_COUNT },
};

/* Version 6: forecast_history keeps the whole forecast row, so a report as
 * of a past instant shows the forecasts of then (its dates become nullable:
 * load/sql/<dialect>/migrate-6.sql) */
static const added_column v6_columns[] = {
    { "forecast_history", "remaining", "BIGINT", S_COUNT },
    { "forecast_history", "items_by_planned_85", "BIGINT", S_COUNT },
    { "forecast_history", "at_risk", "BIGINT", S_COUNT },
    { "forecast_history", "critical_release_id", "BIGINT", S_COUNT },
    { "forecast_history", "reason", "TEXT", S_COUNT },
};

static const migration migrations[] = {
    /* 2: map_job_resolved (schema.sql); the version-1 columns made sure */
    { 2, v2_columns, sizeof(v2_columns) / sizeof(v2_columns[0]), NULL },
    /* 3: every fact's natural key starts with application_id (0: none);
     * the facts that gain the column take it from their parents */
    { 3, NULL, 0, wh_reattach },
    { 4, v4_columns, sizeof(v4_columns) / sizeof(v4_columns[0]), NULL },
    /* 5: derived_commit_key, derived_project and derived_missing_parent
     * (schema.sql), for the
     * incremental derivation; the changed fingerprint derives in full once */
    { 5, NULL, 0, NULL },
    { 6, v6_columns, sizeof(v6_columns) / sizeof(v6_columns[0]), NULL },
};

/* 1 when `SELECT what FROM table` prepares and runs, 0 when not (names are
 * this file's constants).  Inside a savepoint, since a failed statement ends
 * a PostgreSQL transaction. */
static int probe(cw_warehouse *wh, const char *table, const char *what)
{
    char *sql = cw_asprintf("SELECT %s FROM %s WHERE 1 = 0", what, table);
    cw_stmt *st = NULL;
    int ok;
    if (cw_db_savepoint(wh->db, "cw_probe") != CW_DB_OK) {
        free(sql);
        return -1;
    }
    ok = cw_db_prepare(wh->db, sql, &st) == CW_DB_OK && cw_db_step(st) == CW_DB_DONE;
    cw_db_finalize(st);
    free(sql);
    if (!ok && cw_db_rollback_to(wh->db, "cw_probe") != CW_DB_OK)
        return -1;
    return cw_db_release(wh->db, "cw_probe") == CW_DB_OK ? ok : -1;
}

static int add_column(cw_warehouse *wh, const added_column *c)
{
    char *sql;
    int table, column, rc;
    /* unquoted: SQLite reads an unknown "name" as a string, not an error */
    if ((table = probe(wh, c->table, "1")) < 0 || (column = probe(wh, c->table, c->column)) < 0)
        return wh_fail(wh, "reading the schema");
    if (!table || column)
        return 0;               /* schema.sql creates a missing table whole */
    sql = cw_asprintf("ALTER TABLE \"%s\" ADD COLUMN \"%s\" %s", c->table, c->column, c->decl);
    rc = wh_exec(wh, sql, "adding a column");
    free(sql);
    if (rc == 0 && c->then != S_COUNT)
        rc = wh_run_ok(wh, c->then, c->column);
    return rc;
}

/* load/sql/<dialect>/migrate-<to><suffix>.sql when it exists. */
static int migrate_script(cw_warehouse *wh, int to, const char *suffix)
{
    char path[128];
    const char *script;
    snprintf(path, sizeof(path), "load/sql/%s/migrate-%d%s.sql", cw_db_dialect(wh->db), to,
             suffix);
    script = cw_embedded_get(path);
    return script ? wh_exec(wh, script, path) : 0;
}

static int migrate(cw_warehouse *wh, const migration *m)
{
    for (size_t i = 0; i < m->n_columns; i++)
        if (add_column(wh, &m->columns[i]) != 0)
            return -1;
    return migrate_script(wh, m->to, "");
}

/* The part of step m that needs the current schema. */
static int migrate_after(cw_warehouse *wh, const migration *m)
{
    if (migrate_script(wh, m->to, "-data") != 0 || (m->after && m->after(wh) != 0))
        return -1;
    cw_info("%s: schema upgraded to version %d", wh->where, m->to);
    return 0;
}

/* The version row: *version (1 when the table is empty: the releases
 * before this one always wrote a row, so only a schema made from the SQL
 * text alone has none) and *rows.  -1 when the table cannot be read. */
static int read_version(cw_warehouse *wh, int *version, int *rows)
{
    cw_stmt *st = wh_stmt(wh, S_VERSION_GET);
    int rc = st ? cw_db_step(st) : CW_DB_ERROR;
    if (rc == CW_DB_ROW) {
        *rows = (int)cw_db_column_int(st, 1);
        *version = *rows ? (int)cw_db_column_int(st, 0) : 1;
    }
    if (st)
        cw_db_reset(st);
    return rc == CW_DB_ROW ? 0 : -1;
}

static int refuse_newer(cw_warehouse *wh, int version)
{
    cw_error("%s: the warehouse has schema version %d, newer than this catwalk's version %d:"
             " use a catwalk at least as new as the one that wrote it", wh->where, version,
             CW_SCHEMA_VERSION);
    return CW_DB_VERSION;
}

/* Append text to out with each {token} spelled as `types` (the engine's
 * types.sql) says; an unknown token is an error, not left for the engine
 * to misread. */
static int spell_tokens(cw_buf *out, const char *text, const cw_sqlset *types, const char *path)
{
    const char *p = text, *open, *close;
    while ((open = strchr(p, '{'))) {
        char *name;
        const char *spelled;
        if (!(close = strchr(open, '}'))) {
            cw_error("%s: a '{' without its '}'", SCHEMA_SQL);
            return -1;
        }
        name = cw_strndup(open + 1, (size_t)(close - open - 1));
        spelled = cw_sqlset_get(types, name);
        if (!spelled)
            cw_error("%s: the type token {%s} is not in %s", SCHEMA_SQL, name, path);
        free(name);
        if (!spelled)
            return -1;
        cw_buf_append(out, p, (size_t)(open - p));
        cw_buf_puts(out, spelled);
        p = close + 1;
    }
    cw_buf_puts(out, p);
    return 0;
}

char *cw_wh_schema_sql(const char *dialect)
{
    const char *text = cw_embedded_get(SCHEMA_SQL);
    cw_sqlset *types = cw_sqlset_new();
    cw_buf out = {0};
    char path[128];
    int rc;
    snprintf(path, sizeof(path), "load/sql/%s/types.sql", dialect);
    if (!text)
        cw_error("%s: not compiled into this catwalk", SCHEMA_SQL);
    rc = text && cw_sqlset_load(types, path) == 0 ? spell_tokens(&out, text, types, path) : -1;
    cw_sqlset_free(types);
    if (rc != 0) {
        cw_buf_free(&out);
        return NULL;
    }
    return out.data;
}

/* schema.sql, then the version row (inserted, or set to the current one). */
static int schema_current(cw_warehouse *wh, int rows)
{
    char *ddl = cw_wh_schema_sql(cw_db_dialect(wh->db));
    int rc = ddl ? wh_exec(wh, ddl, SCHEMA_SQL) : -1;   /* NULL: logged why */
    free(ddl);
    if (rc != 0)
        return -1;
    wh_bind_int(wh, rows ? S_VERSION_SET : S_VERSION_INSERT, 1, CW_SCHEMA_VERSION);
    return wh_run_ok(wh, rows ? S_VERSION_SET : S_VERSION_INSERT, "schema_version");
}

int wh_schema_upgrade(cw_warehouse *wh)
{
    int version, rows;
    if (read_version(wh, &version, &rows) != 0)
        return wh_fail(wh, "reading schema_version");
    if (version > CW_SCHEMA_VERSION)
        return refuse_newer(wh, version);
    for (size_t i = 0; i < sizeof(migrations) / sizeof(migrations[0]); i++)
        if (migrations[i].to > version && migrate(wh, &migrations[i]) != 0)
            return -1;
    if (schema_current(wh, rows) != 0)
        return -1;
    for (size_t i = 0; i < sizeof(migrations) / sizeof(migrations[0]); i++)
        if (migrations[i].to > version && migrate_after(wh, &migrations[i]) != 0)
            return -1;
    wh->version = CW_SCHEMA_VERSION;
    return 0;
}

static int busy(const char *where)
{
    cw_error("%s: another catwalk run holds the warehouse; try again when it has finished",
             where);
    return CW_DB_BUSY;
}

/* A new warehouse (no schema_version table yet): the schema, in a write
 * transaction of its own so two first runs cannot both create it. */
static int create_schema(cw_warehouse *wh)
{
    int version, rows = 0, exists, rc = cw_db_begin(wh->db);
    if (rc == CW_DB_BUSY)
        return busy(wh->where);
    if (rc != CW_DB_OK)
        return wh_fail(wh, "creating the schema");
    /* another first run may have created it while this one waited */
    exists = probe(wh, "schema_version", "1");
    if (exists < 0 || (exists && read_version(wh, &version, &rows) != 0) ||
        schema_current(wh, rows) != 0 || cw_db_commit(wh->db) != CW_DB_OK) {
        cw_db_rollback(wh->db);
        return wh_fail(wh, "creating the schema");
    }
    wh->version = CW_SCHEMA_VERSION;
    return 0;
}

/* ------------------------------------------------------------------ open / close */

cw_db_target cw_wh_target(const cw_config *cfg)
{
    cw_db_target t = { cfg->warehouse, cfg->warehouse_password_env, cfg->warehouse_password_file };
    return t;
}

static int load_statements(cw_warehouse *wh)
{
    for (size_t i = 0; i < sizeof(sql_files) / sizeof(sql_files[0]); i++)
        if (cw_sqlset_load(wh->sql, sql_files[i]) != 0)
            return -1;
    for (int i = 0; i < S_COUNT; i++) {
        if (!cw_sqlset_get(wh->sql, stmt_names[i])) {
            cw_error("load/sql: no statement named %s", stmt_names[i]);
            return -1;
        }
    }
    return 0;
}

static int open_schema(cw_warehouse *wh)
{
    int version, rows;
    if (read_version(wh, &version, &rows) != 0) {
        wh->err[0] = '\0';       /* no schema_version table: a new warehouse */
        return create_schema(wh);
    }
    if (version > CW_SCHEMA_VERSION)
        return refuse_newer(wh, version);
    wh->version = version;      /* an older one is upgraded by the next batch */
    return 0;
}

int cw_wh_open(const cw_db_target *t, cw_warehouse **out)
{
    cw_warehouse *wh = cw_xcalloc(1, sizeof(*wh));
    char err[512];
    int rc;
    *out = NULL;
    wh->where = cw_strdup(t->uri);
    wh->sql = cw_sqlset_new();
    wh_sink_init(wh);
    rc = cw_db_open(t, CW_DB_READ_WRITE, &wh->db, err, sizeof(err));
    if (rc != CW_DB_OK)
        cw_error("%s", err);
    if (rc == CW_DB_OK && load_statements(wh) != 0)
        rc = CW_DB_ERROR;
    if (rc == CW_DB_OK)
        rc = open_schema(wh);
    if (rc == CW_DB_OK && wh->db->driver->staged_writes)
        cw_wh_stage_writes(wh, 1);
    if (rc != CW_DB_OK) {
        cw_wh_close(wh);
        return rc < 0 ? rc : CW_DB_ERROR;
    }
    *out = wh;
    return 0;
}

int cw_wh_open_reader(const cw_db_target *t, cw_db **out)
{
    cw_sqlset *sql = cw_sqlset_new();
    cw_db *db = NULL;
    cw_stmt *st = NULL;
    char err[512];
    int rc = cw_db_open(t, CW_DB_READ_ONLY, &db, err, sizeof(err)), version = 0;
    *out = NULL;
    if (rc != CW_DB_OK)
        cw_error("%s", err);
    else if (cw_sqlset_load(sql, "load/sql/migrate.sql") != 0)
        rc = CW_DB_ERROR;
    else if (cw_db_prepare(db, cw_sqlset_get(sql, "version_get"), &st) != CW_DB_OK ||
             cw_db_step(st) != CW_DB_ROW) {
        cw_error("%s: not a catwalk warehouse, or not loaded yet (%s): run `catwalk run` first",
                 t->uri, cw_db_errmsg(db));
        rc = CW_DB_ERROR;
    } else {
        version = cw_db_column_int(st, 1) ? (int)cw_db_column_int(st, 0) : 1;
        if (version > CW_SCHEMA_VERSION)
            cw_error("%s: the warehouse has schema version %d, newer than this catwalk's"
                     " version %d: use a catwalk at least as new as the one that wrote it",
                     t->uri, version, CW_SCHEMA_VERSION);
        else if (version < CW_SCHEMA_VERSION)
            cw_error("%s: the warehouse has schema version %d, older than this catwalk's"
                     " version %d: `catwalk run` upgrades it", t->uri, version,
                     CW_SCHEMA_VERSION);
        rc = version == CW_SCHEMA_VERSION ? CW_DB_OK : CW_DB_VERSION;
    }
    cw_db_finalize(st);
    cw_sqlset_free(sql);
    if (rc != CW_DB_OK) {
        cw_db_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

void cw_wh_close(cw_warehouse *wh)
{
    if (!wh)
        return;
    if (wh->in_batch)
        cw_wh_batch_rollback(wh);
    wh_flush_reject_log(wh);
    for (int i = 0; i < S_COUNT; i++)
        cw_db_finalize(wh->stmt[i]);
    wh_stage_free(wh);
    cw_db_close(wh->db);
    wh_sink_free(wh);
    cw_sqlset_free(wh->sql);
    free(wh->reject_file);
    free(wh->where);
    free(wh);
}

cw_db *cw_wh_db(cw_warehouse *wh)
{
    return wh->db;
}

int cw_wh_failed(const cw_warehouse *wh)
{
    return wh->failed;
}

const cw_batch_stats *cw_wh_stats(cw_warehouse *wh)
{
    return &wh->stats;
}

cw_sink *cw_wh_sink(cw_warehouse *wh)
{
    return &wh->sink;
}
