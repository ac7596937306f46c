/*
 * warehouse.h - the warehouse interface: the loader and the batch.
 *
 * The rest of catwalk talks to the warehouse through these calls and the
 * connection of load/db.h (cw_wh_db), so the same loader runs on every
 * engine db.h has a driver for (SQLite, PostgreSQL).  The files behind it
 * are listed in load/wh.h.
 *
 * A batch is one transaction that holds the single-writer lock
 * (cw_db_begin): a crash or kill before cw_wh_batch_commit leaves the
 * warehouse exactly as it was, and analysts read while the nightly job
 * writes (WAL on SQLite, MVCC on PostgreSQL).
 *
 * Schema versions: the schema_version table holds one row.  cw_wh_open
 * creates the schema of a new warehouse; an older warehouse is upgraded by
 * numbered migration steps inside the first batch's transaction (so a batch
 * that fails leaves it at its old version); a warehouse newer than this
 * catwalk is refused (CW_DB_VERSION) with a message naming both versions.
 */
#ifndef CW_WAREHOUSE_H
#define CW_WAREHOUSE_H

#include "db.h"
#include <stdint.h>
#include "../core/config.h"
#include "../core/record.h"

typedef struct cw_warehouse cw_warehouse;

typedef struct cw_batch_stats {
    long files_landed, files_skipped;
    long rows_read, rows_loaded, rows_rejected;
    long rows_changed;          /* loaded records that wrote a row (rows_loaded counts no-ops too) */
} cw_batch_stats;

/* The schema version this catwalk reads and writes. */
#define CW_SCHEMA_VERSION 6

/* The DDL for the engine named by dialect (cw_db_dialect): load/sql/schema.sql
 * with its type tokens spelled by load/sql/<dialect>/types.sql.  Free it;
 * NULL (logged) when a file is missing or a token unknown.  cw_wh_open runs
 * it; tests build warehouses from it. */
char *cw_wh_schema_sql(const char *dialect);

/* The warehouse named by the configuration ([catwalk] warehouse or the
 * [warehouse] section). */
cw_db_target cw_wh_target(const cw_config *cfg);

/* Open read-write, creating a new warehouse's schema.  Returns 0, or a
 * negative cw_db_rc after logging why (CW_DB_VERSION: the warehouse is
 * newer than this catwalk). */
int cw_wh_open(const cw_db_target *t, cw_warehouse **out);
/* Open read-only for reports: 0, or a negative cw_db_rc after logging
 * (CW_DB_VERSION when the schema is not this catwalk's version: newer, or
 * older and not yet upgraded by a `catwalk run`).  Close with cw_db_close. */
int cw_wh_open_reader(const cw_db_target *t, cw_db **out);
void cw_wh_close(cw_warehouse *wh);
/* The warehouse connection, for transform/ and reports/ (load/db.h). */
cw_db *cw_wh_db(cw_warehouse *wh);
/* Staged writes (load/stage.c): on, the record upserts of a batch are
 * collected and merged a set at a time, which an engine whose driver sets
 * staged_writes (PostgreSQL) gets at open; off, each runs at once (SQLite).
 * Tests turn it on for SQLite to check both paths give the same warehouse.
 * Only between batches: 0, or -1 inside one. */
int cw_wh_stage_writes(cw_warehouse *wh, int on);

/* Start a batch: open the write transaction (cw_db_begin: the writer
 * lock), upgrade an older schema, insert the batch audit row.  The row is
 * written inside the transaction, so a killed batch leaves no trace.  When
 * another run holds the writer lock: -1 with "another catwalk run holds
 * the warehouse". */
int cw_wh_batch_begin(cw_warehouse *wh, const char *config_path, int64_t *batch_id);
/* Mirror the configuration (teams, applications, map_*, dim_status rows of
 * origin 'config') into the warehouse, and, when a mirror changed, move
 * every fact to the application the mirrors now give (its natural key
 * starts with it): call it right after cw_wh_batch_begin, before any record
 * loads. */
int cw_wh_sync_config(cw_warehouse *wh, const cw_config *cfg);
/* 1 when a file of this source with this sha256 was already loaded, 0 if not
 * (or when some of its records were rejected for want of other data, such as
 * a transition of an item never loaded: then it is read again), -1 on error. */
int cw_wh_file_seen(cw_warehouse *wh, const char *source, const char *sha256);
/* Record a landed file; returns its landed_file_id via *id (the same row
 * again for a file read again). */
int cw_wh_file_landed(cw_warehouse *wh, const char *source, const char *original_path,
                      const char *landed_path, const char *sha256, int64_t bytes, int64_t *id);
/* 1 when a file of this source, path, size and modification time (ns) was
 * already loaded (counted as skipped), 0 if not, -1 on error: the file is
 * then known without reading it (extract/landing.h). */
int cw_wh_file_known(cw_warehouse *wh, const char *source, const char *original_path,
                     int64_t bytes, int64_t mtime_ns);
/* Remember the modification time of the original a loaded file (by its
 * sha256) was read from; nothing when mtime_ns is 0 (unknown). */
int cw_wh_file_mtime(cw_warehouse *wh, const char *source, const char *sha256,
                     const char *original_path, int64_t mtime_ns);
/* The derived tables' fingerprint as the newest committed batch left them
 * (*fingerprint NULL when none: a new or upgraded warehouse); free it. */
int cw_wh_derived_by(cw_warehouse *wh, char **fingerprint);
/* The open batch leaves the derived tables computed as fingerprint says. */
int cw_wh_batch_derived(cw_warehouse *wh, const char *fingerprint);
/* Record (on = 1) which fact rows the open batch writes, from here until
 * cw_wh_track(wh, 0), in the temporary table cw_touched (kind, op, id, app):
 * kind commit | deployment | build | checkout (a build's revision) | incident |
 * item | transition | status | pull_request (a request or its commit list:
 * inserts and updates) | keyed_commit (a commit an old request row reached:
 * updates and deletes), op I | U | D,
 * the row's id (build_id for a checkout, work_item_id for a transition,
 * pull_request_id for a request, commit_id for a keyed commit, NULL for a
 * status) and its
 * application_id (an update adds the row before and after).  For the
 * incremental derivation (pipeline/derive.h); the SQL is
 * load/sql/<dialect>/track.sql.  0, or -1 (logged). */
int cw_wh_track(cw_warehouse *wh, int on);
/* Planner statistics for the whole warehouse, inside the open batch, on an
 * engine that needs them (load/sql/<dialect>/analyze.sql: PostgreSQL);
 * after a full derivation.  0, or -1 (logged). */
int cw_wh_analyze(cw_warehouse *wh);
/* After parsing a landed file: its record and reject counts. */
int cw_wh_file_done(cw_warehouse *wh, int64_t landed_file_id, long records, long rejects);
/* The sink that upserts records into the open batch.  Records of a source
 * type are registered with the source: call cw_wh_source(wh, name, type)
 * before parsing. Each reject is also logged as "FILE:RECORD: FIELD: reason"
 * (the first 20 per file; the rest only go to the table). */
int cw_wh_source(cw_warehouse *wh, const char *name, const char *type);
cw_sink *cw_wh_sink(cw_warehouse *wh);
/* Counters of the open batch so far. */
/* 1 when a write of the open batch failed (logged): a parser sees the sink
 * fail and stops, which looks like a refused file; the caller must then
 * roll the batch back instead of recording the file as loaded. */
int cw_wh_failed(const cw_warehouse *wh);
const cw_batch_stats *cw_wh_stats(cw_warehouse *wh);
/* Attach the transitions read before their work item (or reject those whose
 * item is still unknown: their files stay unseen, see cw_wh_file_seen),
 * re-resolve application ids of every fact from the map_* tables, fill
 * dim_date for every day the facts touch, and refresh fact_deployment from
 * fact_build.  Run after loading, before correlation. */
int cw_wh_resolve(cw_warehouse *wh);
/* Finish: write the audit row (status, counters, failed sources) and COMMIT. */
int cw_wh_batch_commit(cw_warehouse *wh, const char *status, const char *sources_failed);
/* Abandon the batch: roll back (also an upgrade it made). */
void cw_wh_batch_rollback(cw_warehouse *wh);

/* The newest `updated` instant loaded from a source (work items, incidents,
 * builds, commits: whichever it holds), or CW_NO_TIME when it has loaded
 * nothing.  Live extraction starts from it minus an overlap, so the
 * watermark can never run ahead of what is really in the warehouse. */
int cw_wh_watermark(cw_warehouse *wh, const char *source, int64_t *newest);

/* One source's extraction in the open batch (the source_run audit table). */
typedef struct cw_source_audit {
    const char *source;
    const char *mode;           /* files | produced | live */
    const char *status;         /* ok | failed */
    int64_t since;              /* CW_NO_TIME unless incremental */
    long requests, retries, rate_limit_waits;
    double waited_s;
    int64_t bytes;
    long pages, items, files;
    double elapsed_s;
    const char *error;          /* never holds a secret */
} cw_source_audit;

int cw_wh_source_audit(cw_warehouse *wh, int64_t batch_id, const cw_source_audit *audit);

/* Record a data-quality finding found while loading (kinds of its own:
 * transform/correlate.c rebuilds only its kinds), or remove it when detail
 * is NULL.  Returns 0 or -1. */
int cw_wh_finding(cw_warehouse *wh, const char *kind, const char *subject, const char *detail);
/* 1 when a landed_file row lies in the landing batch folder NAME, 0 if
 * none does, -1 on error. */
int cw_wh_landing_known(cw_warehouse *wh, const char *batch_name);
/* Set the status of a committed batch row (the report failed after the
 * commit: 'partial'), in a statement of its own.  Returns 0 or -1. */
int cw_wh_batch_status(cw_warehouse *wh, int64_t batch_id, const char *status);

#endif
