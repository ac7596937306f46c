/*
 * wh.h - what the files behind load/warehouse.h share; not for use outside
 * load/.
 *
 *   warehouse.c  open / close, the schema, schema versions and migrations,
 *                the statement table and the run / bind helpers below
 *   batch.c      the batch transaction, landed-file ledger, source audit
 *   sink.c       the record upserts behind cw_sink, the id caches, rejects
 *   sync.c       the configuration mirrors
 *   resolve.c    staged transitions, application resolution, dim_date
 *   stage.c      staged writes: record upserts merged a set at a time
 *
 * Statements are named in the .sql files of load/sql/ and listed once below (the
 * S_ ids); each is prepared on first use and kept for the connection.
 */
#ifndef CW_WH_H
#define CW_WH_H

#include "warehouse.h"
#include "../core/sqlset.h"
#include "../core/strmap.h"

/* Every statement the loader runs: S_NAME runs "-- name: name". */
#define CW_WH_STATEMENTS(X) \
    X(BATCH_INSERT, batch_insert) X(BATCH_FINISH, batch_finish) X(BATCH_STATUS, batch_status) \
    X(FILE_SEEN, file_seen) X(FILE_LANDED, file_landed) X(FILE_DONE, file_done) \
    X(FILE_KNOWN, file_known) X(FILE_MTIME, file_mtime) \
    X(DERIVED_GET, derived_get) X(DERIVED_SET, derived_set) \
    X(FILE_DEFER, file_defer) X(LANDING_PATHS, landing_paths) X(SOURCE_AUDIT, source_audit) \
    X(WATERMARK, watermark) X(FINDING_CLEAR, finding_clear) X(FINDING_UPSERT, finding_upsert) \
    X(SOURCE_UPSERT, source_upsert) X(SOURCE_GET, source_get) \
    X(PERSON_GET, person_get) X(PERSON_INSERT, person_insert) X(PERSON_NAME, person_name) \
    X(ITEM_UPSERT, item_upsert) X(ITEM_BY_KEY, item_by_key) X(ITEM_BY_EXTERNAL, item_by_external) \
    X(TRANSITION_INSERT, transition_insert) X(STAGE_INSERT, stage_insert) \
    X(STAGE_ATTACH, stage_attach) X(STAGE_COUNT, stage_count) X(STAGE_UNMATCHED, stage_unmatched) X(STAGE_CLEAR, stage_clear) \
    X(LINK_MARK, link_mark) X(LINK_STAGE, link_stage) X(LINK_STAGE_COUNT, link_stage_count) \
    X(LINK_PRUNE, link_prune) X(LINK_ATTACH, link_attach) X(LINK_UNMATCHED, link_unmatched) \
    X(LINK_COUNT, link_count) X(LINK_STAGE_CLEAR, link_stage_clear) X(LINK_APPLICATION, link_application) \
    X(SOURCE_STATUS_UPSERT, source_status_upsert) X(COMMIT_UPSERT, commit_upsert) \
    X(ENV_UPSERT, env_upsert) X(ENV_GET, env_get) X(BUILD_UPSERT, build_upsert) \
    X(BUILD_REVISION_UPSERT, build_revision_upsert) X(BUILD_REVISION_PRUNE, build_revision_prune) \
    X(DEPLOY_UPSERT, deploy_upsert) \
    X(INCIDENT_MOVE, incident_move) X(INCIDENT_UPSERT, incident_upsert) \
    X(KPI_APPLICATION, kpi_application) X(KPI_UPSERT, kpi_upsert) \
    X(PULL_REQUEST_UPSERT, pull_request_upsert) \
    X(PULL_REQUEST_COMMIT_UPSERT, pull_request_commit_upsert) \
    X(PULL_REQUEST_REVIEW_UPSERT, pull_request_review_upsert) \
    X(DEPLOY_STATUS_UPSERT, deploy_status_upsert) X(REJECT_INSERT, reject_insert) \
    X(TEAM_UPSERT, team_upsert) X(APP_UPSERT, app_upsert) X(APP_LIST, app_list) \
    X(APP_UNCONFIGURE, app_unconfigure) \
    X(MAP_PROJECT_UPSERT, map_project_upsert) X(MAP_PROJECT_LIST, map_project_list) \
    X(MAP_PROJECT_DELETE, map_project_delete) \
    X(MAP_REPOSITORY_UPSERT, map_repository_upsert) X(MAP_REPOSITORY_LIST, map_repository_list) \
    X(MAP_REPOSITORY_DELETE, map_repository_delete) \
    X(MAP_SERVICE_UPSERT, map_service_upsert) X(MAP_SERVICE_LIST, map_service_list) \
    X(MAP_SERVICE_DELETE, map_service_delete) \
    X(MAP_JOB_UPSERT, map_job_upsert) X(MAP_JOB_LIST, map_job_list) \
    X(MAP_JOB_DELETE, map_job_delete) \
    X(STATUS_UPSERT, status_upsert) X(STATUS_LIST, status_list) X(STATUS_DELETE, status_delete) \
    X(MAP_GATE_UPSERT, map_gate_upsert) X(MAP_GATE_LIST, map_gate_list) \
    X(MAP_GATE_DELETE, map_gate_delete) X(MAP_APP_GATE_UPSERT, map_application_gate_upsert) \
    X(MAP_APP_GATE_LIST, map_application_gate_list) \
    X(MAP_APP_GATE_DELETE, map_application_gate_delete) \
    X(WORK_ITEM_APPLICATION, work_item_application) X(COMMIT_APPLICATION, commit_application) \
    X(INCIDENT_APPLICATION, incident_application) X(DEPLOYMENT_FINISH, deployment_finish) \
    X(ITEM_INCIDENT_DOOMED, item_incident_doomed) \
    X(ITEM_INCIDENT_FORGET_DERIVED, item_incident_forget_derived) \
    X(ITEM_INCIDENT_FORGET_FINDINGS, item_incident_forget_findings) \
    X(ITEM_INCIDENT_DELETE, item_incident_delete) X(ITEM_INCIDENT_MOVE, item_incident_move) \
    X(ITEM_INCIDENT_UPSERT, item_incident_upsert) \
    X(INCIDENT_TYPE_UPSERT, incident_type_upsert) X(INCIDENT_TYPE_LIST, incident_type_list) \
    X(INCIDENT_TYPE_DELETE, incident_type_delete) \
    X(JOB_PATTERNS, job_patterns) X(JOB_NAMES, job_names) \
    X(JOB_RESOLVED_LIST, job_resolved_list) X(JOB_RESOLVED_UPSERT, job_resolved_upsert) \
    X(JOB_RESOLVED_DELETE, job_resolved_delete) X(BUILD_APPLICATION, build_application) \
    X(DEPLOYMENT_FROM_STATUS, deployment_from_status) \
    X(DEPLOYMENT_FOLLOW_BUILD, deployment_follow_build) \
    X(TRANSITION_APPLICATION, transition_application) \
    X(PULL_REQUEST_APPLICATION, pull_request_application) \
    X(PULL_REQUEST_COMMIT_APPLICATION, pull_request_commit_application) \
    X(PULL_REQUEST_REVIEW_APPLICATION, pull_request_review_application) \
    X(PULL_REQUEST_COMMIT_PRUNE, pull_request_commit_prune) \
    X(PULL_REQUEST_COMMIT_FOLLOW, pull_request_commit_follow) \
    X(PULL_REQUEST_COMMIT_FILL, pull_request_commit_fill) \
    X(BUILD_REVISION_APPLICATION, build_revision_application) \
    X(DEPLOYMENT_STATUS_APPLICATION, deployment_status_application) \
    X(DATE_BOUNDS, date_bounds) X(DATE_BOUNDS_TOUCHED, date_bounds_touched) \
    X(DATE_REFERENCED, date_referenced) X(DATE_KNOWN, date_known) \
    X(VERSION_GET, version_get) X(VERSION_INSERT, version_insert) X(VERSION_SET, version_set) \
    X(RELEASE_UPSERT, release_upsert) X(VERSION_STAGE, version_stage) \
    X(VERSION_ATTACH, version_attach) X(VERSION_COUNT, version_count) \
    X(VERSION_UNMATCHED, version_unmatched) X(VERSION_CLEAR, version_clear) \
    X(VERSION_APPLICATION, version_application) \
    X(V2_LANDED_FILE_DEFERRED, v2_landed_file_deferred)

#define CW_WH_ENUM(id, name) S_##id,
typedef enum wh_stmt_id { CW_WH_STATEMENTS(CW_WH_ENUM) S_COUNT } wh_stmt_id;
#undef CW_WH_ENUM

/* The portable statement files, read at open. */
#define CW_WH_SQL_FILES \
    "load/sql/batch.sql", "load/sql/sink.sql", "load/sql/sync.sql", \
    "load/sql/resolve.sql", "load/sql/migrate.sql"

typedef struct wh_stage wh_stage;

struct cw_warehouse {
    cw_db *db;
    char *where;                /* the target's uri, for messages (never a password) */
    cw_sqlset *sql;
    cw_stmt *stmt[S_COUNT];     /* prepared on first use */
    unsigned char writes[S_COUNT];  /* 1: not a SELECT (its rows count as changes) */
    cw_sink sink;
    wh_stage *stage;            /* staged writes (stage.c); NULL: one row at a time */
    cw_batch_stats stats;
    int64_t batch_id;
    int in_batch;
    int tracking;               /* cw_wh_track is on: cw_touched names the rows written */
    int failed;                 /* a write of this batch failed (wh_fail): it must not commit */
    int version;                /* schema version found at open (0: new warehouse) */
    /* natural key -> id caches (sink.c); emptied on rollback */
    cw_strmap *sources, *persons, *items, *items_external, *environments;
    int64_t changes;            /* rows written since the current record began */
    int bind_rc;                /* first failed bind of the statement being filled */
    char *reject_file;          /* file whose rejects are being logged */
    long reject_count;          /* rejects of reject_file so far */
    char err[512];              /* message of the last failed statement */
};

/* A statement's name and SQL text. */
const char *wh_stmt_name(wh_stmt_id id);
const char *wh_stmt_sql(cw_warehouse *wh, wh_stmt_id id);

/* Staged writes (stage.c).  wh_staged: the statement's index in the staged
 * set, or -1 when it runs at once (no stage, or not a staged statement).
 * Binds of a staged statement are captured by wh_stage_bind, and wh_run
 * stages the row (wh_stage_row) instead of running it.  wh_stage_flush
 * merges every staged row (0 or -1 after logging); the batch flushes before
 * anything reads what the sink wrote (cw_wh_resolve) and at commit;
 * wh_stage_discard forgets them on rollback. */
int wh_staged(cw_warehouse *wh, wh_stmt_id id);
int wh_stage_bind(cw_warehouse *wh, int k, int i, const cw_db_value *v);
int wh_stage_row(cw_warehouse *wh, int k);
int wh_stage_flush(cw_warehouse *wh);
/* As a record begins: flush when the set is full (stage.c: never between
 * the rows of one record).  0, or -1 (logged). */
int wh_stage_room(cw_warehouse *wh);
void wh_stage_discard(cw_warehouse *wh);
void wh_stage_free(cw_warehouse *wh);

/* Log "WHERE: what: message" and return -1. */
int wh_fail(cw_warehouse *wh, const char *what);
/* The prepared statement, or NULL with wh->err set. */
cw_stmt *wh_stmt(cw_warehouse *wh, wh_stmt_id id);
/* Step the statement once and make it reusable.  Returns CW_DB_ROW (the
 * first column into *row_id when given), CW_DB_DONE, or a negative cw_db_rc
 * with the message in wh->err.  Rows a write statement wrote are added to
 * wh->changes. */
int wh_run(cw_warehouse *wh, wh_stmt_id id, int64_t *row_id);
/* wh_run for a statement that returns no data: 0, or -1 after logging. */
int wh_run_ok(cw_warehouse *wh, wh_stmt_id id, const char *what);
/* Run an SQL script (no parameters); 0, or -1 after logging. */
int wh_exec(cw_warehouse *wh, const char *sql, const char *what);

/* Binds: a failure is kept and returned by the next wh_run. */
void wh_bind_text(cw_warehouse *wh, wh_stmt_id id, int i, const char *v);  /* NULL as NULL */
void wh_bind_text_n(cw_warehouse *wh, wh_stmt_id id, int i, const char *v, size_t n);
void wh_bind_int(cw_warehouse *wh, wh_stmt_id id, int i, int64_t v);
void wh_bind_real(cw_warehouse *wh, wh_stmt_id id, int i, double v);
void wh_bind_time(cw_warehouse *wh, wh_stmt_id id, int i, int64_t t);      /* CW_NO_TIME as NULL */
void wh_bind_nonneg(cw_warehouse *wh, wh_stmt_id id, int i, int64_t v);    /* < 0 as NULL */
void wh_bind_id(cw_warehouse *wh, wh_stmt_id id, int i, int64_t v);        /* <= 0 as NULL */

/* The sink and its id caches (sink.c). */
void wh_sink_init(cw_warehouse *wh);
void wh_caches_clear(cw_warehouse *wh);
void wh_sink_free(cw_warehouse *wh);
/* work_item_id by key, else by the source's id; 0 when unknown. */
int wh_work_item_id(cw_warehouse *wh, const char *key, const char *external_id, int64_t *id);

/* Rejects (sink.c). */
void wh_flush_reject_log(cw_warehouse *wh);
int wh_reject(cw_warehouse *wh, const cw_origin *o, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* After a record's statements: count it, or turn a value the schema
 * refused into a reject; anything else is fatal (-1). */
int wh_record_ends(cw_warehouse *wh, int rc, const cw_origin *o, const char *what);

/* Every fact to the application the configuration mirrors give (resolve.c). */
int wh_reattach(cw_warehouse *wh);

/* The schema at batch begin (warehouse.c): migrate an older warehouse,
 * then create whatever is missing, inside the open transaction. */
int wh_schema_upgrade(cw_warehouse *wh);

#endif
