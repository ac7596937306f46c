/*
 * support.h - shared test helpers: fixture paths and a sink that keeps deep
 * copies of every record, so parser tests can assert on real output; config
 * sections built by hand; the replay server (tests/replay/server.py); a
 * warehouse made from load/sql/schema.sql; temporary files and folders; and the
 * output a file descriptor received.  One copy here instead of one per test.
 *
 * Warehouse queries go through load/db.h (cw_wh_db), so a test reads the
 * warehouse the way catwalk does, on any engine; only a test that needs a
 * raw SQLite database (its own SQL functions, the file itself) includes
 * sqlite3.h (tests/check-layers.sh lists them).
 */
#ifndef CW_TEST_SUPPORT_H
#define CW_TEST_SUPPORT_H

#include <stddef.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <sys/types.h>
#include "core/config.h"
#include "core/record.h"
#include "extract/source.h"
#include "load/warehouse.h"

typedef struct cw_capture {
    cw_sink sink;
    cw_work_item *items;       size_t n_items;
    cw_transition *transitions; size_t n_transitions;
    cw_commit *commits;        size_t n_commits;
    cw_build *builds;          size_t n_builds;
    cw_incident *incidents;    size_t n_incidents;
    cw_reject *rejects;        size_t n_rejects;
    cw_pull_request *pulls;    size_t n_pulls;
    cw_deployment_status *statuses; size_t n_statuses;
    cw_status_def *status_defs; size_t n_status_defs;
    cw_finding *findings;      size_t n_findings;
    cw_kpi *kpis;              size_t n_kpis;
    cw_release *releases;      size_t n_releases;
    cw_version_change *version_changes; size_t n_version_changes;
    cw_pull_request_commit *pull_commits; size_t n_pull_commits;
    cw_pull_request_review *reviews;      size_t n_reviews;
    cw_work_item_link *links;  size_t n_links;
} cw_capture;

void cw_capture_init(cw_capture *cap);
void cw_capture_free(cw_capture *cap);

/* Lookups by natural key; NULL when absent. */
const cw_work_item *cw_capture_item(const cw_capture *cap, const char *key);
const cw_commit *cw_capture_commit(const cw_capture *cap, const char *sha);
const cw_build *cw_capture_build(const cw_capture *cap, const char *job, long number);
const cw_incident *cw_capture_incident(const cw_capture *cap, const char *id);
const cw_pull_request *cw_capture_pull(const cw_capture *cap, long number);
/* The review with that id, NULL when absent. */
const cw_pull_request_review *cw_capture_review(const cw_capture *cap, int64_t id);
/* How many captured PR commits belong to PR number (with sha, when not NULL). */
size_t cw_capture_pull_commits(const cw_capture *cap, long number, const char *sha);

/* The i-th reject is of record `record` (not checked when negative), names
 * `field` and has `reason` in its reason (each not checked when NULL);
 * failures point at the caller's line.  Every parser's tests check their
 * rejects this way. */
#define cw_expect_reject(cap, i, record, field, reason) \
    cw_expect_reject_at((cap), (i), (record), (field), (reason), __FILE__, __LINE__)
void cw_expect_reject_at(const cw_capture *cap, size_t i, long record, const char *field,
                         const char *reason, const char *file, int line);

/* Absolute path of a real fixture: $CW_FIXTURES/<rel> (fails the test when
 * CW_FIXTURES is unset or the file is missing).  Returns a static buffer. */
const char *cw_fixture(const char *rel);
/* Path of a file under tests/data/ of the repository.  Static buffer. */
const char *cw_test_data(const char *rel);
/* Write text to a fresh temporary file; returns its path (static buffer, one at a time). */
const char *cw_temp_file(const char *text, const char *suffix);

/* Parse an ISO timestamp for expectations (fails the test on error). */
int64_t cw_t(const char *iso);

/* ------------------------------------------------ config sections by hand */

#define CW_TEST_SOURCE_KEYS 24

/* A [source] section as config.c would build it from test.ini in ".". */
typedef struct cw_test_source {
    cw_source src;
    cw_kv kv[CW_TEST_SOURCE_KEYS];
} cw_test_source;

/* The section header stands on line `line`; pairs (key, value, ..., NULL)
 * follow it one a line, so key i is on line line + 1 + i (the lines that
 * config errors quote).  A NULL pairs gives a section without keys. */
void cw_test_source_init(cw_test_source *t, int line, const char *name, const char *type,
                         const char *const *pairs);
/* Replace the value of key, or add it on the next line. */
void cw_test_source_set(cw_test_source *t, const char *key, const char *value);

/* Parse every file matching a glob pattern, in name order, into cap; each
 * parse must return 0. */
void cw_parse_glob(const cw_source_type *type, const cw_source *src, const char *pattern,
                   cw_capture *cap);
/* Parse every file of dir (not dot files), in name order, into cap; each
 * parse must return 0 and dir must hold at least one.  Returns the count. */
long cw_parse_dir(const cw_source_type *type, const cw_source *src, const char *dir,
                  cw_capture *cap);

/* ------------------------------------------------ the replay server */

/* tests/replay/server.py (or $CW_REPLAY_SERVER) running on its own stdin
 * pipe: it exits as soon as that pipe closes, so a test that dies early
 * never leaves it behind. */
typedef struct cw_replay {
    pid_t pid;                  /* 0 when not running */
    int stdin_fd;               /* closing it stops the server */
    int stdout_fd;              /* kept open while it runs: it may still write */
    int port;
    char base_url[64];          /* "http://127.0.0.1:PORT" */
} cw_replay;

/* Serve data_dir, requiring token; faults is a fault list file or NULL; env
 * holds "NAME=VALUE" strings set in the server only (NULL-terminated, or
 * NULL).  0 once the server listens, -1 (and nothing left running) if not. */
int cw_replay_start(cw_replay *r, const char *data_dir, const char *token, const char *faults,
                    const char *const *env);
/* The same with the server's own arguments (NULL-terminated). */
int cw_replay_start_args(cw_replay *r, const char *const *args, const char *const *env);
/* Close its stdin, reap it; safe on a server that is not running. */
void cw_replay_stop(cw_replay *r);
/* GET a control path (e.g. "/__log") as JSON; fails the test on error. Caller decrefs. */
json_t *cw_replay_json(const cw_replay *r, const char *path);
/* The request log, a JSON array (control endpoints are not in it). Caller decrefs. */
json_t *cw_replay_log(const cw_replay *r);
/* Number of requests logged so far. */
size_t cw_replay_log_size(const cw_replay *r);

/* cmocka per-test fixture: *state is a cw_replay, not running yet, which the
 * teardown always stops, whatever the test did. */
int cw_replay_setup(void **state);
int cw_replay_teardown(void **state);
#define cw_replay_test(f) cmocka_unit_test_setup_teardown(f, cw_replay_setup, cw_replay_teardown)

/* ------------------------------------------------ warehouses */

/* A raw SQLite database at path (":memory:" or a file) holding the schema
 * (cw_wh_schema_sql), for the tests that need one (cw_db_sqlite_adopt gives
 * the cw_db); fails the test on error. */
struct sqlite3 *cw_test_schema_db(const char *path);
/* Run SQL (one or more statements); fails the test with the engine's message. */
void cw_test_exec(cw_db *db, const char *sql);
/* A one-row, one-column query as a long: -999 for NULL or no row; fails
 * the test when the SQL does not prepare. */
long cw_query_long(cw_db *db, const char *sql);
/* The same as text: "" for NULL or no row; caller frees. */
char *cw_query_text(cw_db *db, const char *sql);
/* Every row: columns joined by '|' (NULL as NULL), each row ended by ';'
 * ("" for none); fails the test on an error; caller frees. */
char *cw_query_rows(cw_db *db, const char *sql);
/* A warehouse (cw_wh_open) on a fresh temporary file; its path goes to path. */
cw_warehouse *cw_test_warehouse(char *path, size_t size);
/* Close it and remove the file with its -wal and -shm companions. */
void cw_test_warehouse_drop(cw_warehouse *wh, const char *path);

/* ------------------------------------------------ files and output */

/* Write text to dir/name (fails the test on error). */
void cw_write_file(const char *dir, const char *name, const char *text);
/* Copy tests/data/REL to the file dest, byte for byte. */
void cw_copy_test_data(const char *rel, const char *dest);
/* A fresh folder under $TMPDIR (or /tmp); caller frees the path. */
char *cw_temp_dir(void);
/* rm -rf dir (fails the test on error). */
void cw_remove_tree(const char *dir);
/* system() on a formatted command; returns its status. */
int cw_system(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What a file descriptor (1 or 2) receives between begin and end. */
typedef struct cw_redirect {
    int fd, saved;
    char path[256];
} cw_redirect;

void cw_redirect_begin(cw_redirect *r, int fd);
/* Restore the descriptor; returns the text it received (caller frees). */
char *cw_redirect_end(cw_redirect *r);

/* ------------------------------------------------ dd2: expected text */

/* got (which the caller hands over: it is freed) is want, or NULL when want
 * is NULL; failures point at the caller's line. */
#define cw_expect_text(got, want) cw_expect_text_at((got), (want), __FILE__, __LINE__)
void cw_expect_text_at(char *got, const char *want, const char *file, int line);
/* text holds every string of the NULL-terminated list needles (a failure
 * names the first one missing and points at the caller's line). */
#define cw_expect_all(text, needles) cw_expect_all_at((text), (needles), __FILE__, __LINE__)
void cw_expect_all_at(const char *text, const char *const *needles, const char *file, int line);

/* ------------------------------------------------ dd2: records into a sink */

/* The records a test sends to a sink, one counted array a kind (0: none). */
typedef struct cw_test_batch {
    const cw_status_def *status_defs;   size_t n_status_defs;
    const cw_work_item *items;          size_t n_items;
    const cw_transition *transitions;   size_t n_transitions;
    const cw_commit *commits;           size_t n_commits;
    const cw_build *builds;             size_t n_builds;
    const cw_deployment_status *statuses; size_t n_statuses;
    const cw_pull_request *pulls;       size_t n_pulls;
    const cw_incident *incidents;       size_t n_incidents;
    const cw_work_item_link *links;     size_t n_links;     /* sent after the items */
} cw_test_batch;

/* Send every record of b to sink, kind by kind in the order of
 * cw_test_batch, each kind's in array order; the sink must accept each (0).
 * Failures point at the caller's line. */
#define cw_test_send(sink, b) cw_test_send_at((sink), (b), __FILE__, __LINE__)
void cw_test_send_at(const cw_sink *sink, const cw_test_batch *b, const char *file, int line);

/* ------------------------------------------------ dd1: shared test steps */

/* A [source name] section of test.ini in "." on line 1 whose keys are the
 * caller's array (not copied). */
cw_source cw_test_source_of(const char *name, const char *type, cw_kv *keys, size_t n_keys);
/* Commit c's author: name, email and (unless NULL) the authored instant. */
void cw_expect_author(const cw_commit *c, const char *name, const char *email,
                      const char *authored);
/* The capture holds exactly these rejects, in this order (fields as for
 * cw_expect_reject: record -1 and NULL field or reason are not checked). */
typedef struct cw_want_reject {
    long record;
    const char *field, *reason;
} cw_want_reject;
#define cw_expect_rejects(cap, n, ...) \
    cw_expect_rejects_at((cap), (n), (const cw_want_reject[]){ __VA_ARGS__ }, __FILE__, __LINE__)
void cw_expect_rejects_at(const cw_capture *cap, size_t n, const cw_want_reject *want,
                          const char *file, int line);
/* got equals want, or both are NULL. */
void cw_expect_same_string(const char *got, const char *want);
/* Build b is a deployment to environment, to production or not. */
void cw_expect_deployment(const cw_build *b, const char *environment, int is_production);
/* p, which must not be NULL: else the test fails saying what (printf
 * format) was not found. */
const void *cw_found(const void *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parse path into a capture whose sink fails at the first work item or
 * build, as a full disk would: the parse must stop with -1, and not as an
 * unreadable file (no reject, no transition). */
void cw_expect_sink_failure_stops(const cw_source_type *type, const cw_source *src,
                                  const char *path);

#endif
