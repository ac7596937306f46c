/*
 * test_warehouse.c - the loader on the SQLite engine (load/warehouse.c, batch.c,
 * sink.c, sync.c, resolve.c and their load/sql/ files).
 *
 * Every test works on a fresh temporary database file.  Expected values are
 * worked out by hand from the records each test loads.
 */
#include "support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/config.h"
#include "core/util.h"
#include "extract/source.h"
#include "core/sqlset.h"
#include "load/warehouse.h"

/* ------------------------------------------------------------------ fixtures */

typedef struct wh_test {
    char dir[64];
    char path[128];
    cw_warehouse *wh;
} wh_test;

static int setup(void **state)
{
    wh_test *t = cw_xcalloc(1, sizeof(*t));
    snprintf(t->dir, sizeof(t->dir), "/tmp/cwwhXXXXXX");
    if (!mkdtemp(t->dir))
        return -1;
    snprintf(t->path, sizeof(t->path), "%s/warehouse.db", t->dir);
    if (cw_wh_open(&(cw_db_target){ t->path, NULL, NULL }, &t->wh) != 0)
        return -1;
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    wh_test *t = *state;
    char file[160];
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    cw_wh_close(t->wh);
    for (size_t i = 0; i < 4; i++) {
        snprintf(file, sizeof(file), "%s%s", t->path, suffixes[i]);
        unlink(file);
    }
    rmdir(t->dir);
    free(t);
    return 0;
}

/* A one-row, one-column query as text ("NULL" for NULL, "" for no row); static buffer. */
static const char *q_text(cw_db *db, const char *sql)
{
    static char buf[1024];
    cw_stmt *s;
    assert_int_equal(cw_db_prepare(db, sql, &s), CW_DB_OK);
    buf[0] = '\0';
    if (cw_db_step(s) == CW_DB_ROW)
        snprintf(buf, sizeof(buf), "%s",
                 cw_db_column_type(s, 0) == CW_DB_NULL ? "NULL" : cw_db_column_text(s, 0));
    cw_db_finalize(s);
    return buf;
}

/* Every row of every table but the batch audit, rowids included, as text. */
static char *dump(cw_db *db)
{
    cw_buf out = { 0 };
    cw_stmt *tables;
    assert_int_equal(cw_db_prepare(db,
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name <> 'batch' ORDER BY name", &tables), CW_DB_OK);
    while (cw_db_step(tables) == CW_DB_ROW) {
        const char *name = cw_db_column_text(tables, 0);
        char *sql = cw_asprintf("SELECT rowid, * FROM \"%s\" ORDER BY rowid", name);
        char *rows = cw_query_rows(db, sql);
        cw_buf_printf(&out, "== %s\n%s\n", name, rows);
        free(rows);
        free(sql);
    }
    cw_db_finalize(tables);
    return out.data ? out.data : cw_strdup("");
}

/* A second, independent connection to the warehouse file. */
static cw_db *open_other(const char *path)
{
    cw_db *db = NULL;
    char err[256];
    if (cw_db_open(&(cw_db_target){ path, NULL, NULL }, CW_DB_READ_ONLY, &db, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    return db;
}

/* Dump through a second, independent connection. */
static char *dump_file(const char *path)
{
    cw_db *db = open_other(path);
    char *text = dump(db);
    cw_db_close(db);
    return text;
}

/* Rows this connection wrote so far (SQLite's total_changes()). */
static long total_changes(cw_db *db)
{
    return cw_query_long(db, "SELECT total_changes()");
}

/* ------------------------------------------------------------------ configuration */

static char *pay_projects[] = { "PAY" };
static char *pay_repos[] = { "payments" };
static char *pay_jobs[] = { "deploy-payments", "pay-.*" };
static char *pay_services[] = { "payments-svc" };
static char *search_projects[] = { "SRCH" };
static char *search_jobs[] = { "search/deploy", "deploy-.*" };

static cw_application test_apps[] = {
    { .name = "payments", .team = "team-a", .projects = { pay_projects, 1 },
      .repositories = { pay_repos, 1 }, .jobs = { pay_jobs, 2 }, .services = { pay_services, 1 } },
    { .name = "search", .team = "team-b", .projects = { search_projects, 1 },
      .jobs = { search_jobs, 2 } },
};

static cw_status_rule test_statuses[] = {
    { .name = "In Review", .category = "in_progress", .waiting = 0 },
    { .name = "Ready for QA", .category = "in_progress", .waiting = 1 },
    { .name = "Shipped", .category = "done", .waiting = 0 },
};

static cw_config test_config(size_t n_apps, size_t n_statuses)
{
    cw_config cfg = { .path = "test.ini", .apps = test_apps, .n_apps = n_apps,
                      .statuses = test_statuses, .n_statuses = n_statuses };
    return cfg;
}

/* ------------------------------------------------------------------ records */

static cw_origin origin(const char *source, long record)
{
    cw_origin o = { source, "/landing/1/file.json", record };
    return o;
}

static cw_work_item item(const char *key, const char *summary, int64_t updated_at)
{
    cw_work_item w = { .origin = origin("jira", 1), .key = key, .external_id = "10001",
                       .summary = summary, .type = "Story", .status = "Done",
                       .status_category = "done", .created_at = cw_t("2026-03-02T09:00:00Z"),
                       .updated_at = updated_at, .resolved_at = CW_NO_TIME, .has_changelog = 1 };
    return w;
}

static cw_commit commit(const char *sha, const char *parents, const char *email, const char *name,
                        const char *authored)
{
    cw_commit c = { .origin = origin("git", 1), .repository = "payments", .sha = sha,
                    .parents = parents, .author_name = name, .author_email = email,
                    .authored_at = cw_t(authored), .committed_at = CW_NO_TIME,
                    .subject = "PAY-1 change", .additions = -1, .deletions = -1,
                    .files_changed = -1 };
    return c;
}

static cw_build build(const char *job, long number, int is_deployment)
{
    cw_build b = { .origin = origin("ci", 1), .job = job, .number = number, .result = "success",
                   .started_at = cw_t("2026-03-04T10:00:00Z"),
                   .finished_at = cw_t("2026-03-04T10:05:00Z"),
                   .revision = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                   .is_deployment = is_deployment,
                   .environment = is_deployment ? "production" : NULL,
                   .is_production = is_deployment };
    return b;
}

static cw_incident incident(const char *id, long version, const char *updated, const char *status)
{
    cw_incident i = { .origin = origin("snow", 1), .id = id, .number = id, .title = "outage",
                      .service = "payments-svc", .status = status,
                      .created_at = cw_t("2026-03-04T12:00:00Z"), .resolved_at = CW_NO_TIME,
                      .updated_at = updated ? cw_t(updated) : CW_NO_TIME, .version = version };
    return i;
}

static void register_sources(cw_warehouse *wh)
{
    assert_int_equal(cw_wh_source(wh, "jira", "jira"), 0);
    assert_int_equal(cw_wh_source(wh, "git", "git"), 0);
    assert_int_equal(cw_wh_source(wh, "ci", "jenkins"), 0);
    assert_int_equal(cw_wh_source(wh, "snow", "servicenow"), 0);
}

/* The hand-made data set: 1 item, 2 transitions, 3 commits, 2 builds, 1 incident. */
static void load_sample(cw_warehouse *wh)
{
    cw_work_item w = item("PAY-1", "Pay by card", cw_t("2026-03-05T00:00:00Z"));
    cw_transition t[] = {
        { .origin = origin("jira", 1), .item_key = "PAY-1", .history_id = "h1",
          .at = cw_t("2026-03-03T08:00:00Z"), .from_status = "To Do", .to_status = "In Progress" },
        { .origin = origin("jira", 1), .item_id = "10001",
          .at = cw_t("2026-03-04T09:00:00Z"), .from_status = "In Progress", .to_status = "Done" },
    };
    cw_commit c[] = {
        commit("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "", "Alice@Example.COM", "Alice",
               "2026-03-03T10:00:00Z"),
        commit("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
               "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa cccccccccccccccccccccccccccccccccccccccc",
               "alice@example.com", "Alice A.", "2026-03-03T11:00:00Z"),
        commit("dddddddddddddddddddddddddddddddddddddddd", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
               NULL, "Bob", "2026-03-03T12:00:00Z"),
    };
    cw_build b[] = { build("deploy-payments", 7, 1), build("build-payments", 3, 0) };
    cw_incident i1 = incident("INC1", 2, "2026-03-04T13:00:00Z", "new");
    const cw_test_batch sample = { .items = &w, .n_items = 1, .transitions = t, .n_transitions = 2,
                                   .commits = c, .n_commits = 3, .builds = b, .n_builds = 2,
                                   .incidents = &i1, .n_incidents = 1 };

    w.project = NULL;                   /* derived from the key */
    c[0].additions = 10;
    c[0].deletions = 2;
    c[0].files_changed = 1;
    register_sources(wh);
    cw_test_send(cw_wh_sink(wh), &sample);
}

static void full_batch(cw_warehouse *wh, const cw_config *cfg)
{
    int64_t batch;
    assert_int_equal(cw_wh_batch_begin(wh, "test.ini", &batch), 0);
    assert_int_equal(cw_wh_sync_config(wh, cfg), 0);
    load_sample(wh);
    assert_int_equal(cw_wh_resolve(wh), 0);
    assert_int_equal(cw_wh_batch_commit(wh, "ok", NULL), 0);
}

/* ------------------------------------------------------------------ tests */

static void test_schema_created(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN"
                                " ('schema_version','batch','landed_file','reject','finding','dim_team',"
                                "'dim_application','map_project','map_repository','map_service',"
                                "'map_job','dim_status','dim_source','dim_person','dim_environment',"
                                "'dim_date','dim_work_item','fact_transition','fact_commit',"
                                "'fact_build','fact_deployment','fact_incident',"
                                "'bridge_deployment_commit','bridge_commit_work_item',"
                                "'derived_deployment','derived_incident','derived_work_item',"
                                "'derived_status_interval','map_job_resolved',"
                                "'derived_commit_key','derived_project','derived_missing_parent')"), 32);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM sqlite_master WHERE name = 'ix_work_item_external'"), 1);
    assert_string_equal(q_text(db, "PRAGMA journal_mode"), "wal");
    assert_int_equal(cw_query_long(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(cw_query_long(db, "PRAGMA synchronous"), 1);       /* NORMAL */
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM schema_version"), 1);
    assert_int_equal(cw_query_long(db, "SELECT version FROM schema_version"), CW_SCHEMA_VERSION);
    assert_int_equal(CW_SCHEMA_VERSION, 6);

    /* re-opening an existing warehouse keeps one version row */
    cw_wh_close(t->wh);
    assert_int_equal(cw_wh_open(&(cw_db_target){ t->path, NULL, NULL }, &t->wh), 0);
    assert_int_equal(cw_query_long(cw_wh_db(t->wh), "SELECT count(*) FROM schema_version"), 1);
}

static void test_open_fails_cleanly(void **state)
{
    cw_warehouse *wh = (cw_warehouse *)1;
    (void)state;
    assert_int_equal(cw_wh_open(&(cw_db_target){ "/nonexistent-dir/x/warehouse.db", NULL, NULL }, &wh), -1);
    assert_null(wh);
}

static void test_load_records(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    cw_config cfg = test_config(2, 3);
    const cw_batch_stats *st;
    int64_t batch;

    assert_int_equal(cw_wh_batch_begin(t->wh, "test.ini", &batch), 0);
    assert_int_equal(cw_wh_sync_config(t->wh, &cfg), 0);
    load_sample(t->wh);
    st = cw_wh_stats(t->wh);
    assert_int_equal(st->rows_read, 9);
    assert_int_equal(st->rows_loaded, 9);
    assert_int_equal(st->rows_rejected, 0);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);

    assert_string_equal(q_text(db, "SELECT status || '/' || rows_read || '/' || rows_loaded ||"
                                   " '/' || (finished_at IS NOT NULL) FROM batch"), "ok/9/9/1");
    /* work item: project derived from the key, resolved to payments */
    assert_string_equal(q_text(db, "SELECT project || ' ' || external_id || ' ' || a.name"
                                   " FROM dim_work_item JOIN dim_application a USING (application_id)"),
                        "PAY 10001 payments");
    /* transitions: one by key, one by the Jira id; a NULL history id is stored as '' */
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_transition"), 2);
    assert_string_equal(q_text(db, "SELECT history_id || '>' || from_status || '>' || to_status"
                                   " FROM fact_transition ORDER BY at LIMIT 1 OFFSET 1"),
                        ">In Progress>Done");
    /* people: Alice's two spellings are one person (first name kept); Bob has no
     * email, so his name is the key */
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM dim_person"), 2);
    assert_string_equal(q_text(db, "SELECT group_concat(email || '=' || name, ',') FROM"
                                   " (SELECT * FROM dim_person ORDER BY email)"),
                        "Bob=Bob,alice@example.com=Alice");
    assert_int_equal(cw_query_long(db, "SELECT count(DISTINCT author_id) FROM fact_commit"), 2);
    /* parents, numstat */
    assert_string_equal(q_text(db, "SELECT group_concat(parent_count || ':' || coalesce(additions, 'null')"
                                   " || ':' || coalesce(files_changed, 'null'), ',') FROM"
                                   " (SELECT * FROM fact_commit ORDER BY sha)"),
                        "0:10:1,2:null:null,1:null:null");
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_commit WHERE application_id ="
                                " (SELECT application_id FROM dim_application WHERE name = 'payments')"), 3);
    /* builds and the deployment */
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_build"), 2);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_deployment"), 1);
    assert_string_equal(q_text(db, "SELECT b.job || ' ' || d.run_number || ' ' || d.is_production || ' '"
                                   " || d.result || ' ' || e.name || ' ' || e.is_production || ' ' || a.name"
                                   " || ' ' || (d.finished_at = b.finished_at)"
                                   " FROM fact_deployment d JOIN fact_build b USING (build_id)"
                                   " JOIN dim_environment e ON e.environment_id = d.environment_id"
                                   " JOIN dim_application a ON a.application_id = d.application_id"),
                        "deploy-payments 7 1 success production 1 payments 1");
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_build WHERE job = 'build-payments'"
                                " AND is_deployment = 0 AND environment_id IS NULL"), 1);
    /* incident resolved through map_service */
    assert_string_equal(q_text(db, "SELECT i.external_id || ' ' || i.version || ' ' || a.name"
                                   " FROM fact_incident i JOIN dim_application a USING (application_id)"),
                        "INC1 2 payments");
    /* sources registered with their types */
    assert_string_equal(q_text(db, "SELECT group_concat(name || ':' || type, ',') FROM"
                                   " (SELECT * FROM dim_source ORDER BY name)"),
                        "ci:jenkins,git:git,jira:jira,snow:servicenow");
    /* days 2026-03-02 (created) .. 2026-03-05 (updated) */
    assert_string_equal(q_text(db, "SELECT group_concat(date, ',') FROM (SELECT date FROM dim_date"
                                   " ORDER BY date_key)"),
                        "2026-03-02,2026-03-03,2026-03-04,2026-03-05");
}

static void test_reload_changes_nothing(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    cw_config cfg = test_config(2, 3);
    char *before, *after;
    int changes;
    int64_t batch;

    full_batch(t->wh, &cfg);
    before = dump_file(t->path);

    assert_int_equal(cw_wh_batch_begin(t->wh, "test.ini", &batch), 0);
    changes = total_changes(db);
    assert_int_equal(cw_wh_sync_config(t->wh, &cfg), 0);
    load_sample(t->wh);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    /* after the batch row itself, nothing at all was written */
    assert_int_equal(total_changes(db) - changes, 0);
    assert_int_equal(cw_wh_stats(t->wh)->rows_loaded, 9);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);

    after = dump_file(t->path);
    assert_string_equal(before, after);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM batch"), 2);
    free(before);
    free(after);
}

static void test_older_work_item_ignored(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    cw_sink *sink = cw_wh_sink(t->wh);
    cw_work_item newer = item("PAY-2", "newer", cw_t("2026-03-05T10:00:00Z"));
    cw_work_item older = item("PAY-2", "older", cw_t("2026-03-05T09:00:00Z"));
    cw_work_item same = item("PAY-2", "same instant", cw_t("2026-03-05T10:00:00Z"));
    cw_work_item latest = item("PAY-2", "latest", cw_t("2026-03-06T10:00:00Z"));
    cw_work_item undated = item("PAY-2", "undated", CW_NO_TIME);
    cw_work_item first_undated = item("PAY-3", "no date", CW_NO_TIME);
    cw_work_item then_dated = item("PAY-3", "dated", cw_t("2026-03-01T00:00:00Z"));

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    register_sources(t->wh);
    assert_int_equal(sink->work_item(sink->ctx, &newer), 0);
    assert_int_equal(sink->work_item(sink->ctx, &older), 0);
    assert_string_equal(q_text(db, "SELECT summary FROM dim_work_item WHERE item_key = 'PAY-2'"), "newer");
    assert_int_equal(sink->work_item(sink->ctx, &same), 0);
    assert_string_equal(q_text(db, "SELECT summary FROM dim_work_item WHERE item_key = 'PAY-2'"),
                        "same instant");
    assert_int_equal(sink->work_item(sink->ctx, &latest), 0);
    assert_int_equal(sink->work_item(sink->ctx, &undated), 0);    /* no date: cannot prove newer */
    assert_string_equal(q_text(db, "SELECT summary FROM dim_work_item WHERE item_key = 'PAY-2'"), "latest");
    /* a stored row without updated_at takes anything */
    assert_int_equal(sink->work_item(sink->ctx, &first_undated), 0);
    assert_int_equal(sink->work_item(sink->ctx, &then_dated), 0);
    assert_string_equal(q_text(db, "SELECT summary FROM dim_work_item WHERE item_key = 'PAY-3'"), "dated");
    /* upserts keep the rowid */
    assert_int_equal(cw_query_long(db, "SELECT work_item_id FROM dim_work_item WHERE item_key = 'PAY-2'"), 1);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM dim_work_item"), 2);
    assert_int_equal(cw_wh_stats(t->wh)->rows_loaded, 7);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
}

static void test_servicenow_versions(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    cw_sink *sink = cw_wh_sink(t->wh);
    /* event-log rows of one incident, in file order */
    cw_incident v3 = incident("INC9", 3, "2026-03-04T10:00:00Z", "in progress");
    cw_incident v5 = incident("INC9", 5, "2026-03-04T09:00:00Z", "resolved");
    cw_incident v4 = incident("INC9", 4, "2026-03-04T12:00:00Z", "new");
    cw_incident v5_later = incident("INC9", 5, "2026-03-04T11:00:00Z", "closed");
    cw_incident v5_earlier = incident("INC9", 5, "2026-03-04T10:30:00Z", "reopened");
    cw_incident unversioned = incident("INC9", -1, NULL, "stale");

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    register_sources(t->wh);
    assert_int_equal(sink->incident(sink->ctx, &v3), 0);
    assert_int_equal(sink->incident(sink->ctx, &v5), 0);
    assert_string_equal(q_text(db, "SELECT status FROM fact_incident"), "resolved");
    assert_int_equal(sink->incident(sink->ctx, &v4), 0);
    assert_string_equal(q_text(db, "SELECT status FROM fact_incident"), "resolved");
    assert_int_equal(sink->incident(sink->ctx, &v5_later), 0);
    assert_int_equal(sink->incident(sink->ctx, &v5_earlier), 0);
    assert_int_equal(sink->incident(sink->ctx, &unversioned), 0);
    assert_string_equal(q_text(db, "SELECT status || ' ' || version || ' ' || incident_id FROM fact_incident"),
                        "closed 5 1");
    assert_int_equal(cw_query_long(db, "SELECT updated_at FROM fact_incident"), cw_t("2026-03-04T11:00:00Z"));
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_incident"), 1);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
}

static void test_rollback_leaves_file_unchanged(void **state)
{
    wh_test *t = *state;
    cw_config cfg = test_config(2, 3);
    cw_config fewer = test_config(1, 1);
    cw_sink *sink = cw_wh_sink(t->wh);
    cw_commit extra = commit("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "", "carol@example.com",
                             "Carol", "2026-03-06T10:00:00Z");
    cw_work_item changed = item("PAY-1", "changed", cw_t("2026-03-09T00:00:00Z"));
    char *before, *during, *after;
    cw_warehouse *reader;
    cw_db *other;

    full_batch(t->wh, &cfg);
    before = dump_file(t->path);

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_sync_config(t->wh, &fewer), 0);
    assert_int_equal(sink->commit(sink->ctx, &extra), 0);
    assert_int_equal(sink->work_item(sink->ctx, &changed), 0);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    /* a reader meanwhile sees the last committed state (WAL), and opening the
     * warehouse for a report takes no write lock, so it does not wait */
    during = dump_file(t->path);
    assert_string_equal(before, during);
    assert_int_equal(cw_wh_open(&(cw_db_target){ t->path, NULL, NULL }, &reader), 0);
    assert_int_equal(cw_query_long(cw_wh_db(reader), "SELECT count(*) FROM fact_commit"), 3);
    cw_wh_close(reader);
    cw_wh_batch_rollback(t->wh);

    after = dump_file(t->path);
    assert_string_equal(before, after);
    other = open_other(t->path);
    assert_int_equal(cw_query_long(other, "SELECT count(*) FROM batch"), 1);
    assert_int_equal(cw_query_long(other, "SELECT count(*) FROM dim_person"), 2);
    cw_db_close(other);

    /* the caches were dropped with the rolled-back rows: loading again works */
    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(sink->commit(sink->ctx, &extra), 0);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
    assert_int_equal(cw_query_long(cw_wh_db(t->wh), "SELECT count(*) FROM fact_commit c JOIN dim_person p"
                                             " ON p.person_id = c.author_id WHERE p.email = 'carol@example.com'"), 1);
    free(before);
    free(during);
    free(after);
}

static void test_kill_before_commit(void **state)
{
    wh_test *t = *state;
    cw_config cfg = test_config(2, 3);
    char *before, *after, wal[160];
    struct stat st;
    pid_t pid;
    int status;

    full_batch(t->wh, &cfg);
    cw_wh_close(t->wh);
    t->wh = NULL;
    before = dump_file(t->path);

    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* the child loads a lot and dies before committing */
        cw_warehouse *wh;
        char sha[41];
        if (cw_wh_open(&(cw_db_target){ t->path, NULL, NULL }, &wh) != 0 || cw_wh_batch_begin(wh, NULL, NULL) != 0)
            _exit(2);
        /* a tiny page cache makes SQLite spill uncommitted pages into the WAL */
        if (cw_db_exec(cw_wh_db(wh), "PRAGMA cache_size = 8") != CW_DB_OK)
            _exit(4);
        cw_wh_source(wh, "git", "git");
        for (int i = 0; i < 20000; i++) {
            cw_commit c;
            snprintf(sha, sizeof(sha), "%040x", i + 1);
            c = commit(sha, "", "dev@example.com", "Dev", "2026-03-07T10:00:00Z");
            if (cw_wh_sink(wh)->commit(cw_wh_sink(wh)->ctx, &c) != 0)
                _exit(3);
        }
        cw_wh_resolve(wh);
        _exit(0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    /* the dead child left uncommitted frames in the WAL */
    snprintf(wal, sizeof(wal), "%s-wal", t->path);
    assert_int_equal(stat(wal, &st), 0);
    assert_true(st.st_size > 100000);
    after = dump_file(t->path);
    assert_string_equal(before, after);
    assert_int_equal(cw_wh_open(&(cw_db_target){ t->path, NULL, NULL }, &t->wh), 0);
    assert_int_equal(cw_query_long(cw_wh_db(t->wh), "SELECT count(*) FROM fact_commit"), 3);
    assert_int_equal(cw_query_long(cw_wh_db(t->wh), "SELECT count(*) FROM batch"), 1);
    assert_string_equal(q_text(cw_wh_db(t->wh), "PRAGMA integrity_check"), "ok");
    free(before);
    free(after);
}

static void test_map_job_resolution(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    cw_sink *sink = cw_wh_sink(t->wh);
    cw_config cfg = test_config(2, 0);
    static const char *const jobs[] = { "deploy-payments", "deploy-search", "folder/pay-api",
                                        "search/deploy", "a/b/deploy-payments", "unrelated" };
    char *fewer_jobs[] = { "deploy-payments" };
    cw_application fewer_apps[2];
    cw_config fewer;

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_sync_config(t->wh, &cfg), 0);
    /* positions follow the configuration order across applications */
    assert_string_equal(q_text(db, "SELECT group_concat(position || '=' || pattern, ' ') FROM"
                                   " (SELECT * FROM map_job ORDER BY position)"),
                        "0=^(?:deploy-payments)$ 1=^(?:pay-.*)$ 2=^(?:search/deploy)$ 3=^(?:deploy-.*)$");
    register_sources(t->wh);
    for (size_t i = 0; i < sizeof(jobs) / sizeof(jobs[0]); i++) {
        cw_build b = build(jobs[i], 1, strcmp(jobs[i], "deploy-search") == 0);
        assert_int_equal(sink->build(sink->ctx, &b), 0);
    }
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    /* deploy-payments: positions 0 (payments) and 3 (search) match, 0 wins;
     * folder/pay-api: only its leaf matches pay-.*; search/deploy: full name;
     * a/b/deploy-payments: leaf matches position 0. */
    assert_string_equal(q_text(db, "SELECT group_concat(job || '=' || coalesce(a.name, '-'), ' ') FROM"
                                   " (SELECT * FROM fact_build ORDER BY build_id) b"
                                   " LEFT JOIN dim_application a USING (application_id)"),
                        "deploy-payments=payments deploy-search=search folder/pay-api=payments"
                        " search/deploy=search a/b/deploy-payments=payments unrelated=-");
    assert_string_equal(q_text(db, "SELECT a.name FROM fact_deployment d"
                                   " JOIN dim_application a USING (application_id)"), "search");

    /* a config change re-attaches existing facts */
    memcpy(fewer_apps, test_apps, sizeof(fewer_apps));
    fewer_apps[0].jobs.items = fewer_jobs;
    fewer_apps[0].jobs.n = 1;
    fewer = test_config(2, 0);
    fewer.apps = fewer_apps;
    assert_int_equal(cw_wh_sync_config(t->wh, &fewer), 0);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM map_job"), 3);
    assert_int_equal(cw_query_long(db, "SELECT position FROM map_job WHERE pattern = '^(?:deploy-.*)$'"), 2);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_build WHERE job = 'folder/pay-api'"
                                " AND application_id = 0"), 1);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
}

/* Job patterns are matched in C (pcre2), UTF-8 aware and case-sensitive
 * unless the pattern says otherwise, once per distinct job name; a pattern
 * that does not compile fails the batch naming it. */
static void test_job_patterns_in_c(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    cw_sink *sink = cw_wh_sink(t->wh);
    char *jobs[] = { "caf.-deploy", "(?i)shout" };
    cw_application app = { .name = "payments", .jobs = { jobs, 2 } };
    cw_config cfg = { .path = "test.ini", .apps = &app, .n_apps = 1 };
    static const char *const names[] = { "café-deploy", "SHOUT", "x/café-deploy", "Café-deploy" };
    cw_redirect err;
    char *log;
    int rc;

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_sync_config(t->wh, &cfg), 0);
    register_sources(t->wh);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        for (long n = 1; n <= 2; n++) {
            cw_build b = build(names[i], n, 0);
            assert_int_equal(sink->build(sink->ctx, &b), 0);
        }
    }
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    /* one map_job_resolved row per distinct job name that matched */
    assert_string_equal(q_text(db, "SELECT group_concat(job, ',') FROM"
                                   " (SELECT job FROM map_job_resolved ORDER BY job)"),
                        "SHOUT,café-deploy,x/café-deploy");
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_build WHERE application_id <> 0"), 6);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_build WHERE job = 'Café-deploy'"
                                       " AND application_id = 0"), 2);

    cw_test_exec(db, "INSERT INTO map_job (pattern, application_id, position) VALUES ('(', 1, 9)");
    cw_redirect_begin(&err, STDERR_FILENO);
    rc = cw_wh_resolve(t->wh);
    log = cw_redirect_end(&err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(log, "bad pattern '('"));
    free(log);
    cw_wh_batch_rollback(t->wh);
}

static void test_sync_config_changes(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    cw_config cfg = test_config(2, 3);
    cw_config fewer = test_config(1, 1);
    cw_application moved[1];

    assert_int_equal(cw_wh_sync_config(t->wh, &cfg), 0);      /* outside a batch: own transaction */
    assert_string_equal(q_text(db, "SELECT group_concat(x, ',') FROM (SELECT a.name || ':' || t.name"
                                   " || ':' || a.configured AS x FROM dim_application a"
                                   " JOIN dim_team t USING (team_id) ORDER BY a.name)"),
                        "payments:team-a:1,search:team-b:1");
    assert_string_equal(q_text(db, "SELECT group_concat(name || ':' || category || ':' || waiting, ',')"
                                   " FROM (SELECT * FROM dim_status ORDER BY name)"),
                        "In Review:in_progress:0,Ready for QA:in_progress:1,Shipped:done:0");
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM map_project"), 2);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM map_repository"), 1);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM map_service"), 1);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM map_job"), 4);
    /* a status the correlation step found in a source is not config's to remove */
    cw_test_exec(db, "INSERT INTO dim_status VALUES ('Backlog', 'todo', 0, 'source')");

    assert_int_equal(cw_wh_sync_config(t->wh, &fewer), 0);
    assert_string_equal(q_text(db, "SELECT group_concat(name || ':' || configured, ',') FROM"
                                   " (SELECT * FROM dim_application ORDER BY name)"),
                        "payments:1,search:0");
    assert_string_equal(q_text(db, "SELECT group_concat(project, ',') FROM map_project"), "PAY");
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM map_job"), 2);
    assert_string_equal(q_text(db, "SELECT group_concat(name || ':' || origin, ',') FROM"
                                   " (SELECT * FROM dim_status ORDER BY name)"),
                        "Backlog:source,In Review:config");

    /* payments moves to team-b; its project is now claimed by the app */
    memcpy(moved, test_apps, sizeof(moved));
    moved[0].team = "team-b";
    fewer.apps = moved;
    assert_int_equal(cw_wh_sync_config(t->wh, &fewer), 0);
    assert_string_equal(q_text(db, "SELECT t.name FROM dim_application a JOIN dim_team t USING (team_id)"
                                   " WHERE a.name = 'payments'"), "team-b");
    /* and back: search is configured again, its id unchanged */
    assert_int_equal(cw_wh_sync_config(t->wh, &cfg), 0);
    assert_string_equal(q_text(db, "SELECT application_id || ':' || configured FROM dim_application"
                                   " WHERE name = 'search'"), "2:1");
}

/* Transitions naming an item no batch has loaded are rejected once the
 * whole batch is parsed (cw_wh_resolve), naming the field that points at the
 * missing item; their file is not "seen", so the next run reads it again. */
static void test_unknown_transition_rejected(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    cw_sink *sink = cw_wh_sink(t->wh);
    const char *page = "/landing/7/jira/page-1.json";
    const char *sha = "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b";
    cw_transition by_key = { .origin = { "jira", page, 4 },
                             .item_key = "NOPE-9", .at = cw_t("2026-03-03T08:00:00Z"),
                             .to_status = "Done" };
    cw_transition by_id = { .origin = { "jira", page, 5 },
                            .item_id = "999", .at = cw_t("2026-03-03T08:00:00Z"),
                            .to_status = "Done" };
    cw_work_item undated = item("PAY-7", "no creation", CW_NO_TIME);
    cw_work_item nope = item("NOPE-9", "arrives later", cw_t("2026-03-05T00:00:00Z"));
    const cw_batch_stats *st;
    int64_t file_id = 0, again_id = 0;

    undated.created_at = CW_NO_TIME;
    undated.origin.record = 6;
    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    register_sources(t->wh);
    assert_int_equal(cw_wh_file_landed(t->wh, "jira", "/exports/page-1.json", page, sha, 99,
                                       &file_id), 0);
    assert_int_equal(sink->transition(sink->ctx, &by_key), 0);
    assert_int_equal(sink->transition(sink->ctx, &by_id), 0);
    assert_int_equal(cw_wh_file_done(t->wh, file_id, 2, 0), 0);
    assert_int_equal(sink->work_item(sink->ctx, &undated), 0);
    /* only the undated item is rejected for its own sake while parsing */
    assert_int_equal(cw_wh_stats(t->wh)->rows_rejected, 1);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    st = cw_wh_stats(t->wh);
    assert_int_equal(st->rows_read, 3);
    assert_int_equal(st->rows_loaded, 0);
    assert_int_equal(st->rows_rejected, 3);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_transition"), 0);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM dim_work_item"), 0);
    assert_string_equal(q_text(db, "SELECT group_concat(source || '|' || file || '|' || record || '|' ||"
                                   " field || '|' || reason, '\n') FROM (SELECT * FROM reject ORDER BY record)"),
                        "jira|/landing/7/jira/page-1.json|4|item_key|unknown work item NOPE-9\n"
                        "jira|/landing/7/jira/page-1.json|5|item_id|unknown work item 999\n"
                        "jira|/landing/1/file.json|6|created|missing creation time of PAY-7");
    /* the page's rejects wait for other data: counted, but the file is not done */
    assert_string_equal(q_text(db, "SELECT records || ' ' || rejects || ' ' || deferred FROM landed_file"),
                        "2 2 2");
    assert_int_equal(cw_wh_file_seen(t->wh, "jira", sha), 0);
    assert_int_equal(cw_wh_batch_commit(t->wh, "partial", "jira"), 0);
    assert_string_equal(q_text(db, "SELECT status || ' ' || rows_read || ' ' || rows_loaded || ' ' ||"
                                   " rows_rejected || ' ' || sources_failed FROM batch"),
                        "partial 3 0 3 jira");

    /* next run: the same page lands again (same row), and NOPE-9 arrives */
    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_file_seen(t->wh, "jira", sha), 0);
    assert_int_equal(cw_wh_file_landed(t->wh, "jira", "/exports/page-1.json",
                                       "/landing/8/jira/page-1.json", sha, 99, &again_id), 0);
    assert_int_equal(again_id, file_id);
    by_key.origin.file = "/landing/8/jira/page-1.json";
    assert_int_equal(sink->transition(sink->ctx, &by_key), 0);
    assert_int_equal(cw_wh_file_done(t->wh, again_id, 1, 0), 0);
    assert_int_equal(sink->work_item(sink->ctx, &nope), 0);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    assert_int_equal(cw_wh_stats(t->wh)->rows_rejected, 0);
    assert_int_equal(cw_wh_stats(t->wh)->rows_loaded, 2);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_transition"), 1);
    assert_string_equal(q_text(db, "SELECT batch_id || ' ' || landed_path || ' ' || records || ' ' ||"
                                   " rejects || ' ' || deferred FROM landed_file"),
                        "2 /landing/8/jira/page-1.json 1 0 0");
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_file_seen(t->wh, "jira", sha), 1);
    cw_wh_batch_rollback(t->wh);
}

/* A warehouse made before rows_changed, deferred and status_id existed gets
 * them on open; its files whose transitions were rejected as "unknown work
 * item" become deferred, so the next run reads them again. */
/* Remove the warehouse file of t with its WAL companions. */
static void remove_files(const wh_test *t)
{
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    char file[160];
    for (size_t i = 0; i < 4; i++) {
        snprintf(file, sizeof(file), "%s%s", t->path, suffixes[i]);
        unlink(file);
    }
}

static long column_count(cw_db *db, const char *table, const char *column)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
             table, column);
    return cw_query_long(db, sql);
}

/* A warehouse of the previous release: tests/data/warehouse/v1.db, an
 * empty warehouse at schema version 1 as that release left it, from before
 * issue 6 added four columns to it (so it lacks them; its README says how
 * it was made), here holding a batch whose landed files had transitions
 * rejected as "unknown work item".  It is the file of that release, not
 * one built from today's load/sql/schema.sql: one built from the current
 * source would test only the current source, and a column or key changed
 * without a migration step would go unnoticed. */
static void make_v1_warehouse(const wh_test *t)
{
    size_t len;
    char *v1 = cw_read_file(cw_test_data("warehouse/v1.db"), &len);
    char err[256];
    FILE *f;
    cw_db *db;
    assert_non_null(v1);
    remove_files(t);
    assert_non_null(f = fopen(t->path, "wb"));
    assert_int_equal(fwrite(v1, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    free(v1);
    if (cw_db_open(&(cw_db_target){ t->path, NULL, NULL }, CW_DB_READ_WRITE, &db, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    cw_test_exec(db, "INSERT INTO batch (batch_id, started_at, status) VALUES (1, 0, 'partial');"
                     "INSERT INTO landed_file (batch_id, source, original_path, landed_path, sha256,"
                     "  bytes, records, rejects) VALUES"
                     "  (1, 'jira', '/x/a.csv', '/l/1/jira/0001-a.csv', 'aa', 1, 3, 2),"
                     "  (1, 'jira', '/x/b.json', '/l/1/jira/0002-b.json', 'bb', 1, 1, 1);"
                     "INSERT INTO reject (batch_id, source, file, record, field, reason) VALUES"
                     "  (1, 'jira', '/l/1/jira/0001-a.csv', 2, 'item_id', 'unknown work item 13383'),"
                     "  (1, 'jira', '/l/1/jira/0001-a.csv', 3, 'item_id', 'unknown work item 13954'),"
                     "  (1, 'jira', '/l/1/jira/0002-b.json', 1, 'created', 'missing creation time');");
    cw_db_close(db);
}

/* Opening it changes nothing; the first batch upgrades it inside its own
 * transaction, so a batch that rolls back leaves version 1 as it was, and
 * a committed one leaves the current version with every column and the data loaded. */
static void test_old_warehouse_upgraded(void **state)
{
    wh_test *t = *state;
    cw_config cfg = test_config(2, 3);
    cw_db *db;
    cw_wh_close(t->wh);
    t->wh = NULL;
    make_v1_warehouse(t);

    assert_int_equal(cw_wh_open(&(cw_db_target){ t->path, NULL, NULL }, &t->wh), 0);
    db = cw_wh_db(t->wh);
    assert_int_equal(cw_query_long(db, "SELECT version FROM schema_version"), 1);
    assert_int_equal(column_count(db, "batch", "rows_changed"), 0);

    /* the upgrade happens in the batch transaction ... */
    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_query_long(db, "SELECT version FROM schema_version"), CW_SCHEMA_VERSION);
    assert_int_equal(column_count(db, "batch", "rows_changed"), 1);
    assert_int_equal(column_count(db, "fact_commit", "has_ancestry"), 1);
    assert_int_equal(column_count(db, "dim_work_item", "status_id"), 1);
    assert_int_equal(column_count(db, "batch", "derived_by"), 1);           /* version 4 */
    assert_int_equal(column_count(db, "landed_file", "mtime_ns"), 1);
    assert_int_equal(column_count(db, "derived_commit_key", "item_key"), 1);  /* version 5 */
    assert_int_equal(column_count(db, "derived_project", "project"), 1);
    assert_int_equal(column_count(db, "derived_missing_parent", "sha"), 1);
    assert_int_equal(column_count(db, "forecast_history", "reason"), 1);   /* version 6 */
    assert_string_equal(q_text(db, "SELECT group_concat(sha256 || '=' || deferred, ',') FROM"
                                   " (SELECT * FROM landed_file ORDER BY sha256)"), "aa=2,bb=0");
    assert_int_equal(cw_wh_file_seen(t->wh, "jira", "aa"), 0);
    assert_int_equal(cw_wh_file_seen(t->wh, "jira", "bb"), 1);
    /* ... and goes with it */
    cw_wh_batch_rollback(t->wh);
    assert_int_equal(cw_query_long(db, "SELECT version FROM schema_version"), 1);
    assert_int_equal(column_count(db, "landed_file", "deferred"), 0);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM sqlite_master WHERE name = 'map_job_resolved'"), 0);

    /* a committed batch upgrades and loads */
    full_batch(t->wh, &cfg);
    assert_int_equal(cw_query_long(db, "SELECT count(*) * 10 + max(version) FROM schema_version"), 16);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_commit WHERE has_ancestry = 1"), 3);
    assert_string_equal(q_text(db, "SELECT group_concat(r.job || '=' || a.name, ',') FROM map_job_resolved r"
                                   " JOIN dim_application a USING (application_id)"),
                        "deploy-payments=payments");
    assert_string_equal(q_text(db, "SELECT status || ' ' || rows_loaded FROM batch WHERE batch_id = 2"), "ok 9");
    assert_int_equal(cw_query_long(db, "SELECT sum(deferred) FROM landed_file"), 2);
    /* opening again changes nothing */
    cw_wh_close(t->wh);
    assert_int_equal(cw_wh_open(&(cw_db_target){ t->path, NULL, NULL }, &t->wh), 0);
    db = cw_wh_db(t->wh);
    assert_int_equal(cw_query_long(db, "SELECT count(*) * 10 + max(version) FROM schema_version"), 16);
    assert_int_equal(cw_query_long(db, "SELECT sum(deferred) FROM landed_file"), 2);
}

/* A version-5 warehouse's forecast_history (dates only, NOT NULL; made
 * here by hand from that release's DDL) upgraded by the first batch to
 * version 6: the five new columns, NULL on the old rows, and dates that
 * may be NULL (a release without a forecast is kept too). */
static void test_v5_forecast_history_upgraded(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    cw_test_exec(db, "DROP TABLE forecast_history;"
                     "CREATE TABLE forecast_history ("
                     "  release_id INTEGER NOT NULL REFERENCES dim_release(release_id),"
                     "  made_at INTEGER NOT NULL, p50_at INTEGER NOT NULL,"
                     "  p85_at INTEGER NOT NULL, p95_at INTEGER NOT NULL,"
                     "  PRIMARY KEY (release_id, made_at));"
                     "INSERT INTO dim_release (release_id, project, name) VALUES (1, 'P', 'R1');"
                     "INSERT INTO forecast_history VALUES (1, 100, 1, 2, 3);"
                     "UPDATE schema_version SET version = 5;");
    cw_wh_close(t->wh);
    assert_int_equal(cw_wh_open(&(cw_db_target){ t->path, NULL, NULL }, &t->wh), 0);
    db = cw_wh_db(t->wh);
    assert_int_equal(cw_query_long(db, "SELECT version FROM schema_version"), 5);
    assert_int_equal(column_count(db, "forecast_history", "remaining"), 0);
    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_query_long(db, "SELECT version FROM schema_version"), 6);
    assert_int_equal(column_count(db, "forecast_history", "remaining"), 1);
    assert_int_equal(column_count(db, "forecast_history", "items_by_planned_85"), 1);
    assert_int_equal(column_count(db, "forecast_history", "at_risk"), 1);
    assert_int_equal(column_count(db, "forecast_history", "critical_release_id"), 1);
    assert_int_equal(column_count(db, "forecast_history", "reason"), 1);
    /* the old row as it was, the new columns NULL */
    assert_string_equal(q_text(db, "SELECT made_at || ' ' || p50_at || ' ' || p85_at || ' ' ||"
                                   " p95_at || ' ' || coalesce(remaining, 'null') || ' ' ||"
                                   " coalesce(at_risk, 'null') || ' ' || coalesce(reason, 'null')"
                                   " FROM forecast_history"),
                        "100 1 2 3 null null null");
    /* a row without dates (has_forecast 0) fits now */
    cw_test_exec(db, "INSERT INTO forecast_history (release_id, made_at, remaining, at_risk,"
                     " reason) VALUES (1, 200, 4, 0, 'no history')");
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM forecast_history"
                                       " WHERE p50_at IS NULL AND remaining = 4"), 1);
    cw_wh_batch_rollback(t->wh);
    assert_int_equal(cw_query_long(db, "SELECT version FROM schema_version"), 5);
}

/* A warehouse written by a newer catwalk is refused, naming both versions;
 * the reader also refuses one older than this catwalk (not yet upgraded). */
static void test_version_mismatch_refused(void **state)
{
    wh_test *t = *state;
    cw_db_target target = { t->path, NULL, NULL };
    cw_warehouse *wh = (cw_warehouse *)1;
    cw_db *reader = (cw_db *)1;
    cw_redirect err;
    char *log;
    int rc_open, rc_reader;

    assert_int_equal(cw_wh_open_reader(&target, &reader), 0);
    cw_db_close(reader);
    cw_test_exec(cw_wh_db(t->wh), "UPDATE schema_version SET version = 7");
    cw_redirect_begin(&err, STDERR_FILENO);
    rc_open = cw_wh_open(&target, &wh);
    rc_reader = cw_wh_open_reader(&target, &reader);
    log = cw_redirect_end(&err);
    assert_int_equal(rc_open, CW_DB_VERSION);
    assert_null(wh);
    assert_int_equal(rc_reader, CW_DB_VERSION);
    assert_null(reader);
    assert_non_null(strstr(log, "schema version 7, newer than this catwalk's version 6"));
    free(log);
    /* nor does a batch of a connection opened before write into it */
    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), -1);
    assert_int_equal(cw_query_long(cw_wh_db(t->wh), "SELECT count(*) FROM batch"), 0);

    cw_wh_close(t->wh);
    t->wh = NULL;
    make_v1_warehouse(t);
    cw_redirect_begin(&err, STDERR_FILENO);
    rc_reader = cw_wh_open_reader(&target, &reader);
    log = cw_redirect_end(&err);
    assert_int_equal(rc_reader, CW_DB_VERSION);
    assert_non_null(strstr(log, "schema version 1, older than this catwalk's version 6:"
                                " `catwalk run` upgrades it"));
    free(log);
    assert_int_equal(cw_wh_open(&target, &t->wh), 0);
}

/* ------------------------------------------------------------------ natural keys */

/* A one-value query through the warehouse's own connection (any engine). */
static int64_t wh_int(cw_warehouse *wh, const char *sql)
{
    int64_t v = -1;
    if (cw_db_query_int(cw_wh_db(wh), sql, &v) != 0)
        fail_msg("%s: %s", sql, cw_db_errmsg(cw_wh_db(wh)));
    return v;
}

/* The id of an application by name. */
static int64_t app_id(cw_warehouse *wh, const char *name)
{
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT application_id FROM dim_application WHERE name = '%s'", name);
    return wh_int(wh, sql);
}

/* Rows of `table` whose application_id is not `app`. */
static int64_t rows_not_of(cw_warehouse *wh, const char *table, int64_t app)
{
    char sql[200];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s WHERE application_id <> %lld", table,
             (long long)app);
    return wh_int(wh, sql);
}

static char *keys_search[] = { "PAY" }, *repos_search[] = { "payments" };
static char *jobs_search[] = { "deploy-payments", "pay-.*", "build-payments" };
static char *services_search[] = { "payments-svc" };

/* Every key of the sample, the pull request and the deployment statuses
 * moved from payments to search. */
static cw_application moved_apps[] = {
    { .name = "payments", .team = "team-a" },
    { .name = "search", .team = "team-b", .projects = { keys_search, 1 },
      .repositories = { repos_search, 1 }, .jobs = { jobs_search, 3 },
      .services = { services_search, 1 } },
};

static const char *const fact_tables[] = {
    "fact_transition", "fact_commit", "fact_build", "fact_build_revision", "fact_deployment",
    "fact_deployment_status", "fact_pull_request", "fact_incident",
    "fact_pull_request_listed_commit", "fact_pull_request_commit", "fact_pull_request_review",
};

/* The sample plus one of each fact the sample lacks: a build revision, a
 * pull request with a commit and a review, a deployment status. */
static void load_sample_all(cw_warehouse *wh)
{
    cw_sink *sink = cw_wh_sink(wh);
    cw_build_revision rev = { "git@example.com:org/payments.git",
                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
    cw_build b = build("deploy-payments", 8, 1);
    cw_pull_request pr = { .origin = origin("git", 1), .repository = "payments", .number = 12,
                           .title = "card payments", .created_at = cw_t("2026-03-03T09:00:00Z"),
                           .updated_at = CW_NO_TIME, .closed_at = CW_NO_TIME,
                           .merged_at = CW_NO_TIME };
    cw_deployment_status st = { .origin = origin("ci", 1), .job = "deploy-payments", .number = 8,
                                .status_id = 1, .state = "success",
                                .created_at = cw_t("2026-03-04T10:05:00Z") };
    cw_pull_request_commit pc = { .origin = origin("git", 2), .repository = "payments",
                                  .number = 12, .sha = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                                  .authored_at = cw_t("2026-03-03T08:00:00Z") };
    cw_pull_request_review rv = { .origin = origin("git", 3), .repository = "payments",
                                  .number = 12, .review_id = 77, .reviewer = "bob",
                                  .state = "APPROVED", .submitted_at = cw_t("2026-03-03T10:00:00Z") };
    load_sample(wh);
    b.revisions = &rev;
    b.n_revisions = 1;
    assert_int_equal(sink->build(sink->ctx, &b), 0);
    assert_int_equal(sink->pull_request(sink->ctx, &pr), 0);
    assert_int_equal(sink->deployment_status(sink->ctx, &st), 0);
    assert_int_equal(sink->pull_request_commit(sink->ctx, &pc), 0);
    assert_int_equal(sink->pull_request_review(sink->ctx, &rv), 0);
}

/* Every fact's natural key starts with its application.  A configuration
 * that moves the sample to another application moves every fact right at
 * cw_wh_sync_config, before anything loads; re-loading the same records
 * then finds each row under its new key: no second row, nothing written. */
static void test_config_change_moves_facts(void **state)
{
    wh_test *t = *state;
    cw_config cfg = test_config(2, 0), moved = test_config(2, 0);
    int64_t pay, search, rows = 0;
    moved.apps = moved_apps;

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_sync_config(t->wh, &cfg), 0);
    load_sample_all(t->wh);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
    pay = app_id(t->wh, "payments");
    search = app_id(t->wh, "search");
    for (size_t i = 0; i < sizeof(fact_tables) / sizeof(fact_tables[0]); i++) {
        char sql[120];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", fact_tables[i]);
        rows += wh_int(t->wh, sql);
        /* build-payments #3: no job pattern of payments names it, so application 0 */
        if (strcmp(fact_tables[i], "fact_build") != 0)
            assert_int_equal(rows_not_of(t->wh, fact_tables[i], pay), 0);
    }
    assert_int_equal(rows, 2 + 3 + 3 + 1 + 2 + 1 + 1 + 1 + 1 + 1 + 1);
    assert_int_equal(wh_int(t->wh, "SELECT count(*) FROM fact_build WHERE application_id = 0"), 1);

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_sync_config(t->wh, &moved), 0);
    /* moved before any record loads */
    for (size_t i = 0; i < sizeof(fact_tables) / sizeof(fact_tables[0]); i++)
        assert_int_equal(rows_not_of(t->wh, fact_tables[i], search), 0);
    load_sample_all(t->wh);
    assert_int_equal(cw_wh_stats(t->wh)->rows_changed, 0);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
    rows = 0;
    for (size_t i = 0; i < sizeof(fact_tables) / sizeof(fact_tables[0]); i++) {
        char sql[120];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", fact_tables[i]);
        rows += wh_int(t->wh, sql);
        assert_int_equal(rows_not_of(t->wh, fact_tables[i], search), 0);
    }
    assert_int_equal(rows, 2 + 3 + 3 + 1 + 2 + 1 + 1 + 1 + 1 + 1 + 1);
}

/* A pull request's commits and reviews may load before the pull request,
 * in an earlier batch: fact_pull_request_commit gets the pair once both
 * are there.  A part without a number or sha, or a review without a time,
 * is a reject. */
static void test_pull_request_parts_any_order(void **state)
{
    wh_test *t = *state;
    cw_config cfg = test_config(2, 0);
    cw_sink *sink = cw_wh_sink(t->wh);
    cw_pull_request pr = { .origin = origin("gh", 1), .repository = "payments", .number = 5,
                           .created_at = cw_t("2026-03-03T09:00:00Z"), .updated_at = CW_NO_TIME,
                           .closed_at = CW_NO_TIME, .merged_at = cw_t("2026-03-03T12:00:00Z") };
    cw_pull_request_commit pc = { .origin = origin("gh", 2), .repository = "payments",
                                  .number = 5, .sha = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
                                  .authored_at = cw_t("2026-03-03T07:00:00Z") };
    cw_pull_request_commit no_number = pc, no_sha = pc;
    cw_pull_request_review rv = { .origin = origin("gh", 3), .repository = "payments", .number = 5,
                                  .review_id = 9, .reviewer = "carol", .state = "APPROVED",
                                  .submitted_at = cw_t("2026-03-03T10:00:00Z") };
    cw_pull_request_review no_time = rv;
    no_number.number = 0;
    no_sha.sha = NULL;
    no_time.review_id = 10;
    no_time.submitted_at = CW_NO_TIME;

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_sync_config(t->wh, &cfg), 0);
    assert_int_equal(sink->pull_request_commit(sink->ctx, &pc), 0);
    assert_int_equal(sink->pull_request_review(sink->ctx, &rv), 0);
    assert_int_equal(sink->pull_request_commit(sink->ctx, &no_number), 0);
    assert_int_equal(sink->pull_request_commit(sink->ctx, &no_sha), 0);
    assert_int_equal(sink->pull_request_review(sink->ctx, &no_time), 0);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
    assert_int_equal(wh_int(t->wh, "SELECT count(*) FROM fact_pull_request_listed_commit"), 1);
    assert_int_equal(wh_int(t->wh, "SELECT count(*) FROM fact_pull_request_review"), 1);
    assert_int_equal(wh_int(t->wh, "SELECT count(*) FROM fact_pull_request_commit"), 0);
    assert_int_equal(wh_int(t->wh, "SELECT count(*) FROM reject WHERE field IN "
                                   "('number', 'sha', 'submitted_at')"), 3);

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_sync_config(t->wh, &cfg), 0);
    assert_int_equal(sink->pull_request(sink->ctx, &pr), 0);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
    assert_int_equal(wh_int(t->wh, "SELECT count(*) FROM fact_pull_request_commit c "
                                   "JOIN fact_pull_request p ON p.pull_request_id = c.pull_request_id "
                                   "WHERE p.number = 5 AND c.sha = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' "
                                   "AND c.application_id = p.application_id"), 1);
}

static char *svc_search[] = { "search-svc" };
static cw_application incident_apps[] = {
    { .name = "payments", .services = { pay_services, 1 } },
    { .name = "search", .services = { svc_search, 1 } },
};

/* The service, hence the application, of an incident is an attribute, not
 * part of what names it: re-loaded with another service, the incident
 * moves to that service's application as it loads, keeping its id; an
 * older record naming the old service changes nothing. */
static void test_reassigned_incident_moves(void **state)
{
    wh_test *t = *state;
    cw_config cfg = { .path = "test.ini", .apps = incident_apps, .n_apps = 2 };
    cw_sink *sink = cw_wh_sink(t->wh);
    cw_incident i2 = incident("INC1", 2, "2026-03-04T13:00:00Z", "new");
    cw_incident i3 = incident("INC1", 3, "2026-03-04T14:00:00Z", "in_progress");
    cw_incident i1 = incident("INC1", 1, "2026-03-04T12:30:00Z", "new");
    int64_t id;
    i3.service = "search-svc";

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_sync_config(t->wh, &cfg), 0);
    register_sources(t->wh);
    assert_int_equal(sink->incident(sink->ctx, &i2), 0);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
    id = wh_int(t->wh, "SELECT incident_id FROM fact_incident");
    assert_int_equal(wh_int(t->wh, "SELECT application_id FROM fact_incident"),
                     app_id(t->wh, "payments"));

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_sync_config(t->wh, &cfg), 0);
    assert_int_equal(sink->incident(sink->ctx, &i3), 0);
    /* one row, under the new application as soon as it is loaded */
    assert_int_equal(wh_int(t->wh, "SELECT count(*) FROM fact_incident"), 1);
    assert_int_equal(wh_int(t->wh, "SELECT application_id FROM fact_incident"),
                     app_id(t->wh, "search"));
    assert_int_equal(wh_int(t->wh, "SELECT incident_id FROM fact_incident"), id);
    /* an older version naming the old service: the newer row stays as it is */
    assert_int_equal(sink->incident(sink->ctx, &i1), 0);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
    assert_int_equal(wh_int(t->wh, "SELECT count(*) FROM fact_incident"), 1);
    assert_int_equal(wh_int(t->wh, "SELECT count(*) FROM fact_incident WHERE service = 'search-svc'"
                                   " AND version = 3 AND status = 'in_progress'"), 1);
    assert_int_equal(wh_int(t->wh, "SELECT application_id FROM fact_incident"),
                     app_id(t->wh, "search"));
    assert_int_equal(wh_int(t->wh, "SELECT incident_id FROM fact_incident"), id);
}

/* One writer at a time: a second batch is refused with a clear message
 * while the first holds the warehouse. */
static void test_second_writer_refused(void **state)
{
    wh_test *t = *state;
    cw_warehouse *other;
    cw_redirect err;
    char *log;
    int rc;

    assert_int_equal(cw_wh_open(&(cw_db_target){ t->path, NULL, NULL }, &other), 0);
    cw_test_exec(cw_wh_db(other), "PRAGMA busy_timeout = 50");
    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    cw_redirect_begin(&err, STDERR_FILENO);
    rc = cw_wh_batch_begin(other, NULL, NULL);
    log = cw_redirect_end(&err);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(log, "another catwalk run holds the warehouse"));
    free(log);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
    assert_int_equal(cw_wh_batch_begin(other, NULL, NULL), 0);
    assert_int_equal(cw_wh_batch_commit(other, "ok", NULL), 0);
    cw_wh_close(other);
}

/* The named-statement format of load/sql/ (load/sqlset.h). */
static void test_sqlset(void **state)
{
    cw_sqlset *set = cw_sqlset_new();
    cw_redirect err;
    char *log;
    int dup, before;
    (void)state;
    assert_int_equal(cw_sqlset_parse(set, "a.sql",
                                     "-- a.sql - header; it's free text\n\n"
                                     "-- why: the caller's reason\n"
                                     "-- name: one\n"
                                     "SELECT 1\n"
                                     "  -- dropped, with an apostrophe: don't\n"
                                     "  FROM x;\n\n"
                                     "-- name:   two  \n"
                                     "DELETE FROM y WHERE z = ?1"), 0);
    assert_string_equal(cw_sqlset_get(set, "one"), "SELECT 1\n  FROM x");
    assert_string_equal(cw_sqlset_get(set, "two"), "DELETE FROM y WHERE z = ?1");
    assert_null(cw_sqlset_get(set, "three"));
    cw_redirect_begin(&err, STDERR_FILENO);
    dup = cw_sqlset_parse(set, "b.sql", "-- name: one\nSELECT 2\n");
    before = cw_sqlset_parse(set, "c.sql", "SELECT 3;\n-- name: three\nSELECT 3\n");
    log = cw_redirect_end(&err);
    assert_int_equal(dup, -1);
    assert_int_equal(before, -1);
    assert_non_null(strstr(log, "b.sql: statement one is named twice"));
    assert_non_null(strstr(log, "c.sql:1: SQL before the first \"-- name:\" line"));
    free(log);
    /* every file of load/sql/ parses */
    assert_int_equal(cw_sqlset_load(set, "load/sql/sink.sql"), 0);
    assert_non_null(cw_sqlset_get(set, "item_upsert"));
    assert_null(strstr(cw_sqlset_get(set, "item_upsert"), "--"));
    cw_sqlset_free(set);
}

/* A changelog read before its issues (file order, or a second source) loads
 * exactly as the other way round: by key and by the Jira id. */
static void test_transition_before_item(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    cw_sink *sink = cw_wh_sink(t->wh);
    cw_work_item w = item("PAY-1", "Pay by card", cw_t("2026-03-05T00:00:00Z"));
    cw_transition t1 = { .origin = origin("jira", 1), .item_key = "PAY-1", .history_id = "h1",
                         .at = cw_t("2026-03-03T08:00:00Z"), .from_status = "To Do",
                         .to_status = "In Progress" };
    cw_transition t2 = { .origin = origin("jira", 2), .item_id = "10001",
                         .at = cw_t("2026-03-04T09:00:00Z"), .from_status = "In Progress",
                         .to_status = "Done" };
    const cw_batch_stats *st;

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    register_sources(t->wh);
    assert_int_equal(sink->transition(sink->ctx, &t1), 0);
    assert_int_equal(sink->transition(sink->ctx, &t2), 0);
    assert_int_equal(sink->work_item(sink->ctx, &w), 0);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    st = cw_wh_stats(t->wh);
    assert_int_equal(st->rows_read, 3);
    assert_int_equal(st->rows_loaded, 3);
    assert_int_equal(st->rows_rejected, 0);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM reject"), 0);
    assert_string_equal(q_text(db, "SELECT group_concat(w.item_key || ':' || t.history_id || ':' ||"
                                   " t.to_status, ',') FROM (SELECT * FROM fact_transition ORDER BY at) t"
                                   " JOIN dim_work_item w USING (work_item_id)"),
                        "PAY-1:h1:In Progress,PAY-1::Done");
    /* the staging rows are gone: a re-run of the same batch writes nothing */
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM stage_transition"), 0);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
}

/* Fix Version changes are staged and attached after the whole batch is
 * parsed, by key or by the item's source id; one whose item never arrives
 * is rejected like a transition.  A release is upserted by (project, name);
 * a later record without a start date (an issue's fix version) keeps the
 * one a versions page gave. */
static void test_versions_and_releases(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    cw_sink *sink = cw_wh_sink(t->wh);
    cw_work_item w = item("PAY-1", "Pay by card", cw_t("2026-03-05T00:00:00Z"));
    cw_version_change add = { .origin = origin("jira", 1), .item_key = "PAY-1", .history_id = "7",
                              .at = cw_t("2026-03-03T08:00:00Z"), .version = "1.0-rc",
                              .version_id = "1000", .added = 1 };
    cw_version_change rem = { .origin = origin("jira", 2), .item_id = "10001",
                              .at = cw_t("2026-03-04T08:00:00Z"), .version = "Later",
                              .added = 0 };
    cw_version_change lost = { .origin = origin("jira", 3), .item_key = "NOPE-1",
                               .at = cw_t("2026-03-04T08:00:00Z"), .version = "1.0", .added = 1 };
    cw_release page = { .origin = origin("jira", 4), .project = "PAY", .name = "1.0",
                        .external_id = "1000", .start_at = cw_t("2026-03-01T00:00:00Z"),
                        .release_at = cw_t("2026-03-10T00:00:00Z"), .released = 1 };
    cw_release fix = page;
    const cw_batch_stats *st;

    fix.start_at = CW_NO_TIME;
    fix.origin.record = 5;
    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    register_sources(t->wh);
    assert_int_equal(sink->version_change(sink->ctx, &add), 0);
    assert_int_equal(sink->version_change(sink->ctx, &rem), 0);
    assert_int_equal(sink->version_change(sink->ctx, &lost), 0);
    assert_int_equal(sink->work_item(sink->ctx, &w), 0);
    assert_int_equal(sink->release(sink->ctx, &page), 0);
    assert_int_equal(sink->release(sink->ctx, &fix), 0);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    st = cw_wh_stats(t->wh);
    assert_int_equal(st->rows_read, 6);
    assert_int_equal(st->rows_loaded, 5);
    assert_int_equal(st->rows_rejected, 1);
    assert_string_equal(q_text(db, "SELECT group_concat(w.item_key || ':' || v.history_id || ':' ||"
                                   " v.version || ':' || v.version_id || ':' || v.op, ',')"
                                   " FROM (SELECT * FROM fact_work_item_version ORDER BY at) v"
                                   " JOIN dim_work_item w USING (work_item_id)"),
                        "PAY-1:7:1.0-rc:1000:add,PAY-1::Later::remove");
    assert_string_equal(q_text(db, "SELECT field || '|' || reason FROM reject"),
                        "item_key|unknown work item NOPE-1");
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM stage_work_item_version"), 0);
    assert_string_equal(q_text(db, "SELECT project || ' ' || name || ' ' || external_id || ' ' ||"
                                   " start_at || ' ' || release_at || ' ' || released FROM dim_release"),
                        "PAY 1.0 1000 1772323200 1773100800 1");
    assert_int_equal(cw_wh_batch_commit(t->wh, "partial", "jira"), 0);
}

/* rows_loaded counts accepted records; rows_changed only those that wrote
 * something, so a re-load of the same data reports 9 loaded, 0 changed. */
static void test_rows_changed(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    cw_config cfg = test_config(2, 3);
    cw_sink *sink = cw_wh_sink(t->wh);
    cw_work_item newer = item("PAY-1", "Pay by card, renamed", cw_t("2026-03-06T00:00:00Z"));

    full_batch(t->wh, &cfg);
    assert_string_equal(q_text(db, "SELECT rows_loaded || ' ' || rows_changed FROM batch"), "9 9");
    full_batch(t->wh, &cfg);
    assert_string_equal(q_text(db, "SELECT rows_loaded || ' ' || rows_changed FROM batch"
                                   " WHERE batch_id = 2"), "9 0");
    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    load_sample(t->wh);
    assert_int_equal(sink->work_item(sink->ctx, &newer), 0);
    assert_int_equal(cw_wh_stats(t->wh)->rows_loaded, 10);
    assert_int_equal(cw_wh_stats(t->wh)->rows_changed, 1);
    cw_wh_batch_rollback(t->wh);
}

/* Rejects reach the table with every detail; the log shows 20 per file. */
static void test_reject_rows_and_log(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    cw_sink *sink = cw_wh_sink(t->wh);
    cw_origin o = { "ci", "/landing/3/ci/builds.csv", 0 };
    cw_redirect err;
    char *log;
    int lines = 0, failures = 0;

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    cw_redirect_begin(&err, STDERR_FILENO);
    /* no assertion while stderr is captured: count failures instead */
    for (long r = 1; r <= 25; r++) {
        o.record = r;
        failures += cw_sink_reject(sink, &o, "finished", "1650024049161x,abc",
                                   "unparseable timestamp '%s'", "1650024049161x") != 0;
    }
    o.file = "/landing/3/ci/other.csv";
    o.record = 2;
    failures += cw_sink_reject(sink, &o, NULL, NULL, "not a CSV file") != 0;
    failures += cw_wh_batch_commit(t->wh, "ok", NULL) != 0;
    log = cw_redirect_end(&err);
    assert_int_equal(failures, 0);

    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM reject WHERE batch_id = 1"), 26);
    assert_string_equal(q_text(db, "SELECT source || '|' || file || '|' || record || '|' || field || '|'"
                                   " || reason || '|' || raw FROM reject WHERE record = 3"),
                        "ci|/landing/3/ci/builds.csv|3|finished|unparseable timestamp '1650024049161x'"
                        "|1650024049161x,abc");
    assert_string_equal(q_text(db, "SELECT coalesce(field, 'NULL') || '|' || reason || '|' ||"
                                   " coalesce(raw, 'NULL') FROM reject WHERE file LIKE '%other.csv'"),
                        "NULL|not a CSV file|NULL");
    assert_int_equal(cw_query_long(db, "SELECT rows_read * 1000 + rows_rejected FROM batch"), 26026);

    assert_non_null(log);
    for (char *p = log; (p = strstr(p, "catwalk: error: /landing/3/ci/builds.csv:")); p++)
        lines++;
    assert_int_equal(lines, 20);
    assert_non_null(strstr(log, "catwalk: error: /landing/3/ci/builds.csv:3: finished: "
                                "unparseable timestamp '1650024049161x'\n"));
    assert_null(strstr(log, "builds.csv:21:"));
    assert_non_null(strstr(log, "catwalk: error: ... 5 more rejects in /landing/3/ci/builds.csv,"
                                " see table reject\n"));
    assert_non_null(strstr(log, "catwalk: error: /landing/3/ci/other.csv:2: not a CSV file\n"));
    free(log);
}

static void test_dim_date(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    cw_sink *sink = cw_wh_sink(t->wh);
    cw_commit sunday = commit("1111111111111111111111111111111111111111", "", "a@x", "A",
                              "2021-01-03T12:00:00Z");
    cw_commit tuesday = commit("2222222222222222222222222222222222222222", "", "a@x", "A",
                               "2021-01-05T08:00:00Z");
    cw_commit ancient = commit("3333333333333333333333333333333333333333", "", "a@x", "A",
                               "1970-01-01T00:00:00Z");

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    register_sources(t->wh);
    assert_int_equal(sink->commit(sink->ctx, &sunday), 0);
    assert_int_equal(sink->commit(sink->ctx, &tuesday), 0);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    /* every day from the first to the last: Jan 3, 4 and 5 */
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM dim_date"), 3);
    /* 2021-01-01 is day 18628 (51 years, 13 leap days); Sunday the 3rd is in ISO week 2020-W53 */
    assert_string_equal(q_text(db, "SELECT date_key || ' ' || date || ' ' || week_start || ' ' ||"
                                   " month_start || ' ' || iso_year || '-W' || iso_week || ' ' || weekday"
                                   " FROM dim_date WHERE date = '2021-01-03'"),
                        "18630 2021-01-03 2020-12-28 2021-01-01 2020-W53 7");
    assert_string_equal(q_text(db, "SELECT week_start || ' ' || iso_year || '-W' || iso_week || ' ' ||"
                                   " weekday FROM dim_date WHERE date_key = 18631"),
                        "2021-01-04 2021-W1 1");
    /* a 121-year span: only the days actually referenced are added.  No
     * parser accepts 1900 (core/time.h), but the warehouse takes any instant. */
    ancient.authored_at = -(int64_t)25567 * 86400;
    assert_int_equal(sink->commit(sink->ctx, &ancient), 0);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM dim_date"), 4);
    /* 1900 is not a leap year: -(70 * 365 + 17) = -25567; 1900-01-01 was a Monday */
    assert_string_equal(q_text(db, "SELECT date_key || ' ' || date || ' ' || week_start || ' ' ||"
                                   " iso_year || '-W' || iso_week || ' ' || weekday FROM dim_date"
                                   " ORDER BY date_key LIMIT 1"),
                        "-25567 1900-01-01 1900-01-01 1900-W1 1");
    cw_wh_batch_rollback(t->wh);
}

static void test_landed_files(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    int64_t id = 0;
    const char *sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_file_seen(t->wh, "jira", sha), 0);
    assert_int_equal(cw_wh_file_landed(t->wh, "jira", "/exports/p1.json", "/landing/1/jira/p1.json",
                                       sha, 1234, &id), 0);
    assert_true(id > 0);
    assert_int_equal(cw_wh_file_done(t->wh, id, 50, 2), 0);
    assert_int_equal(cw_wh_file_seen(t->wh, "jira", sha), 1);
    assert_int_equal(cw_wh_file_seen(t->wh, "git", sha), 0);          /* per source */
    assert_int_equal(cw_wh_stats(t->wh)->files_landed, 1);
    assert_int_equal(cw_wh_stats(t->wh)->files_skipped, 1);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
    assert_string_equal(q_text(db, "SELECT batch_id || '|' || source || '|' || original_path || '|' ||"
                                   " landed_path || '|' || bytes || '|' || records || '|' || rejects"
                                   " FROM landed_file"),
                        "1|jira|/exports/p1.json|/landing/1/jira/p1.json|1234|50|2");
    assert_string_equal(q_text(db, "SELECT files_landed || ' ' || files_skipped FROM batch"), "1 1");
}

static void test_no_batch_is_an_error(void **state)
{
    wh_test *t = *state;
    cw_sink *sink = cw_wh_sink(t->wh);
    cw_commit c = commit("4444444444444444444444444444444444444444", "", "a@x", "A",
                         "2026-03-03T10:00:00Z");
    assert_int_not_equal(sink->commit(sink->ctx, &c), 0);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), -1);
    assert_int_equal(cw_query_long(cw_wh_db(t->wh), "SELECT count(*) FROM fact_commit"), 0);
}

/* A write the warehouse fails (not a refused value: here the table is gone)
 * stops the parser like a refused file would; the batch knows, and will not
 * commit, so no file is recorded as loaded with records left unread. */
static void test_failed_write_blocks_commit(void **state)
{
    wh_test *t = *state;
    cw_sink *sink = cw_wh_sink(t->wh);
    cw_commit c = commit("5555555555555555555555555555555555555555", "", "a@x", "A",
                         "2026-03-03T10:00:00Z");
    assert_int_equal(cw_wh_batch_begin(t->wh, "test.ini", NULL), 0);
    register_sources(t->wh);
    assert_int_equal(cw_wh_failed(t->wh), 0);
    cw_test_exec(cw_wh_db(t->wh), "DROP TABLE bridge_deployment_commit; DROP TABLE"
                                  " bridge_commit_work_item; DROP TABLE fact_commit");
    assert_int_not_equal(sink->commit(sink->ctx, &c), 0);
    assert_int_equal(cw_wh_failed(t->wh), 1);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), -1);
    /* rolled back: the table is there again, and no batch was recorded */
    assert_int_equal(cw_query_long(cw_wh_db(t->wh), "SELECT count(*) FROM fact_commit"), 0);
    assert_int_equal(cw_query_long(cw_wh_db(t->wh), "SELECT count(*) FROM batch"), 0);
    /* the next batch starts clean */
    assert_int_equal(cw_wh_batch_begin(t->wh, "test.ini", NULL), 0);
    assert_int_equal(cw_wh_failed(t->wh), 0);
    cw_wh_batch_rollback(t->wh);
}

/* The real Alloy git log through the git connector: SOURCES.md counts 6,083
 * commits of which 1,275 are merges.  Loading it again writes nothing. */
static void test_real_git_log(void **state)
{
    wh_test *t = *state;
    cw_db *db = cw_wh_db(t->wh);
    const cw_source_type *git = cw_source_type_find("git");
    cw_kv keys[] = { { "repository", "alloy", 2 } };
    cw_source src = { .name = "alloy-git", .type = "git", .line = 1, .config_path = "test.ini",
                      .config_dir = ".", .keys = keys, .n_keys = 1 };
    char path[4096], *before, *after;
    int changes;

    assert_non_null(git);
    snprintf(path, sizeof(path), "%s", cw_fixture("correlated/alloy/git.log"));
    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_source(t->wh, src.name, src.type), 0);
    assert_int_equal(git->parse(&src, path, cw_wh_sink(t->wh)), 0);
    assert_int_equal(cw_wh_stats(t->wh)->rows_loaded, 6083);
    assert_int_equal(cw_wh_stats(t->wh)->rows_rejected, 0);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_commit WHERE repository = 'alloy'"), 6083);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_commit WHERE parent_count >= 2"), 1275);
    assert_int_equal(cw_query_long(db, "SELECT count(*) FROM fact_commit WHERE author_id IS NULL"), 0);
    /* one dim_date row per day from the first to the last instant */
    assert_int_equal(cw_query_long(db, "SELECT max(date_key) - min(date_key) + 1 - count(*) FROM dim_date"), 0);
    before = dump_file(t->path);

    assert_int_equal(cw_wh_batch_begin(t->wh, NULL, NULL), 0);
    changes = total_changes(db);
    assert_int_equal(git->parse(&src, path, cw_wh_sink(t->wh)), 0);
    assert_int_equal(cw_wh_resolve(t->wh), 0);
    assert_int_equal(total_changes(db) - changes, 0);
    assert_int_equal(cw_wh_batch_commit(t->wh, "ok", NULL), 0);
    after = dump_file(t->path);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_schema_created, setup, teardown),
        cmocka_unit_test(test_open_fails_cleanly),
        cmocka_unit_test_setup_teardown(test_load_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reload_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_older_work_item_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_servicenow_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollback_leaves_file_unchanged, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill_before_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_job_resolution, setup, teardown),
        cmocka_unit_test_setup_teardown(test_job_patterns_in_c, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sync_config_changes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_transition_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transition_before_item, setup, teardown),
        cmocka_unit_test_setup_teardown(test_versions_and_releases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rows_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_v5_forecast_history_upgraded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_old_warehouse_upgraded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_mismatch_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_writer_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_change_moves_facts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pull_request_parts_any_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reassigned_incident_moves, setup, teardown),
        cmocka_unit_test(test_sqlset),
        cmocka_unit_test_setup_teardown(test_reject_rows_and_log, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dim_date, setup, teardown),
        cmocka_unit_test_setup_teardown(test_landed_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_batch_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_blocks_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_real_git_log, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
