/*
 * test_stage.c - staged writes (load/stage.c): the set-based form of a
 * one-row statement (cw_sql_staged, load/sqltext.c), and the promise that
 * merging a batch's rows a set at a time leaves the warehouse exactly as
 * running them one at a time does.
 *
 * The second part loads the same records, with the awkward repeats a real
 * batch has (an older export of an item after a newer one, ServiceNow
 * versions out of order, a commit from an export without ancestry after the
 * full one, a build re-read with fewer checkouts, a deployment re-read as a
 * plain build, a transition before its item or with no item at all), into two
 * SQLite warehouses, one with staged writes on.  Every table (ids included)
 * and the batch counts must be equal, and the values are also checked
 * against what was worked out by hand.  PostgreSQL, where staging is on by
 * default, is compared with SQLite by tests/e2e/test_engines.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "core/util.h"
#include "load/db.h"
#include "load/sqltext.h"
#include "load/warehouse.h"
#include "transform/correlate.h"

/* ------------------------------------------------------------------ the set-based form */

static void staged_is(const char *sql, const char *want)
{
    char *got = cw_sql_staged(sql, "st");
    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_staged_form(void **state)
{
    (void)state;
    staged_is("INSERT INTO t (a, b) VALUES (?1, coalesce(CAST(?2 AS TEXT), '')) "
              "ON CONFLICT (a) DO UPDATE SET b = excluded.b WHERE t.b IS DISTINCT FROM excluded.b",
              "INSERT INTO t (a, b) SELECT cw_s.cw_p1, coalesce(CAST(cw_s.cw_p2 AS TEXT), '')"
              " FROM st cw_s WHERE true ORDER BY cw_s.cw_seq "
              "ON CONFLICT (a) DO UPDATE SET b = excluded.b WHERE t.b IS DISTINCT FROM excluded.b");
    /* a '?' or a keyword inside a literal or a comment is data */
    staged_is("INSERT INTO t (a) VALUES ('VALUES ?1 (') ON CONFLICT DO NOTHING",
              "INSERT INTO t (a) SELECT 'VALUES ?1 (' FROM st cw_s WHERE true"
              " ORDER BY cw_s.cw_seq ON CONFLICT DO NOTHING");
    staged_is("INSERT INTO d (x, y) SELECT b.id, CAST(?4 AS BIGINT) FROM b WHERE b.k = ?1 "
              "ON CONFLICT (x) DO NOTHING",
              "INSERT INTO d (x, y) SELECT b.id, CAST(cw_s.cw_p4 AS BIGINT) FROM st cw_s, b"
              " WHERE b.k = cw_s.cw_p1 ON CONFLICT (x) DO NOTHING");
    /* the FROM of a subquery in the select list is not the statement's */
    staged_is("INSERT INTO d (x) SELECT (SELECT 1 FROM z) FROM b WHERE b.k = ?1",
              "INSERT INTO d (x) SELECT (SELECT 1 FROM z) FROM st cw_s, b WHERE b.k = cw_s.cw_p1");
    staged_is("DELETE FROM r WHERE seq >= ?4 AND id = (SELECT id FROM b WHERE k = ?1)",
              "DELETE FROM r WHERE EXISTS (SELECT 1 FROM st cw_s WHERE  seq >= cw_s.cw_p4 AND"
              " id = (SELECT id FROM b WHERE k = cw_s.cw_p1))");
    staged_is("UPDATE p SET name = ?2 WHERE id = ?1 AND name IS NULL",
              "UPDATE p SET name = cw_s.cw_p2 FROM st cw_s WHERE id = cw_s.cw_p1 AND name IS NULL");
    /* one statement cannot return a row per staged row; the shapes it does
     * not know stay one row at a time */
    staged_is("INSERT INTO p (e) VALUES (?1) RETURNING id", NULL);
    staged_is("UPDATE p SET n = x.n FROM x WHERE p.id = ?1", NULL);
    staged_is("DELETE FROM p WHERE id IN (SELECT id FROM q LIMIT ?1) RETURNING id", NULL);
    staged_is("DELETE FROM p", NULL);
    staged_is("SELECT 1", NULL);
}

/* ------------------------------------------------------------------ both paths agree */

static cw_origin at(const char *source, long record)
{
    cw_origin o = { source, "/landing/1/file.json", record };
    return o;
}

static cw_work_item item(const char *key, const char *summary, const char *updated)
{
    cw_work_item w = { .origin = at("jira", 1), .key = key, .summary = summary,
                       .type = "Story", .status = "Done", .status_category = "done",
                       .created_at = cw_t("2026-03-02T09:00:00Z"),
                       .updated_at = updated ? cw_t(updated) : CW_NO_TIME,
                       .resolved_at = CW_NO_TIME };
    return w;
}

static cw_transition transition(const char *key, const char *external_id, const char *when,
                                const char *to)
{
    cw_transition t = { .origin = at("jira", 2), .item_key = key, .item_id = external_id,
                        .at = cw_t(when), .from_status = "To Do", .to_status = to };
    return t;
}

static cw_commit commit(const char *sha, const char *parents, int no_ancestry)
{
    cw_commit c = { .origin = at("git", 3), .repository = "payments", .sha = sha,
                    .parents = parents, .author_name = "Alice", .author_email = "alice@x.org",
                    .authored_at = cw_t("2026-03-03T10:00:00Z"), .committed_at = CW_NO_TIME,
                    .subject = "PAY-1 change", .additions = -1, .deletions = -1,
                    .files_changed = -1, .no_ancestry = no_ancestry };
    return c;
}

static const cw_build_revision checkouts[] = {
    { "https://git.example/lib.git", "1111111111111111111111111111111111111111" },
    { "https://git.example/payments.git", "2222222222222222222222222222222222222222" },
    { "https://git.example/payments.git", "3333333333333333333333333333333333333333" },
};

static cw_build build(const char *job, long number, int is_deployment, size_t n_revisions)
{
    cw_build b = { .origin = at("ci", 4), .job = job, .number = number, .result = "success",
                   .started_at = cw_t("2026-03-04T10:00:00Z"),
                   .finished_at = cw_t("2026-03-04T10:05:00Z"),
                   .revision = checkouts[0].sha, .is_deployment = is_deployment,
                   .environment = is_deployment ? "production" : NULL,
                   .is_production = is_deployment, .revisions = checkouts,
                   .n_revisions = n_revisions };
    return b;
}

static cw_incident incident(long version, const char *updated, const char *status)
{
    cw_incident i = { .origin = at("snow", 5), .id = "INC9", .number = "INC9", .title = "outage",
                      .service = "payments-svc", .status = status,
                      .created_at = cw_t("2026-03-04T12:00:00Z"), .resolved_at = CW_NO_TIME,
                      .updated_at = updated ? cw_t(updated) : CW_NO_TIME, .version = version };
    return i;
}

static cw_pull_request pull(const char *title, const char *updated)
{
    cw_pull_request p = { .origin = at("gh", 6), .repository = "payments", .number = 5,
                          .title = title, .state = "open",
                          .created_at = cw_t("2026-03-01T00:00:00Z"), .updated_at = cw_t(updated),
                          .closed_at = CW_NO_TIME, .merged_at = CW_NO_TIME };
    return p;
}

/* One batch of records with every kind of repeat, in this order. */
static void load_awkward(cw_warehouse *wh)
{
    cw_sink *k = cw_wh_sink(wh);
    cw_work_item w[] = { item("PAY-1", "newer", "2026-03-05T10:00:00Z"),
                         item("PAY-1", "older", "2026-03-05T09:00:00Z"),
                         item("PAY-1", "same instant", "2026-03-05T10:00:00Z"),
                         item("PAY-3", "late item", "2026-03-05T10:00:00Z") };
    cw_transition t[] = { transition("PAY-3", NULL, "2026-03-03T08:00:00Z", "In Progress"),
                          transition("PAY-1", NULL, "2026-03-03T09:00:00Z", "In Progress"),
                          transition("PAY-1", NULL, "2026-03-03T09:00:00Z", "In Progress"),
                          transition(NULL, "10001", "2026-03-04T09:00:00Z", "Done"),
                          transition("NOPE-1", NULL, "2026-03-04T09:00:00Z", "Done") };
    cw_commit c[] = { commit("aaaa", "", 1), commit("aaaa", "ffff eeee", 0),
                      commit("bbbb", "aaaa", 0), commit("bbbb", "", 1), commit("cccc", "bbbb", 0) };
    cw_build b[] = { build("deploy-payments", 7, 1, 3), build("deploy-payments", 7, 1, 2),
                     build("pay-build", 3, 0, 1), build("pay-build", 3, 0, 3),
                     build("deploy-payments", 8, 1, 1), build("deploy-payments", 8, 0, 1) };
    cw_incident i[] = { incident(3, "2026-03-04T10:00:00Z", "in progress"),
                        incident(5, "2026-03-04T09:00:00Z", "resolved"),
                        incident(4, "2026-03-04T12:00:00Z", "new"),
                        incident(5, "2026-03-04T11:00:00Z", "closed"),
                        incident(-1, NULL, "stale"),
                        incident(6, "2026-03-04T13:00:00Z", "moved") };
    cw_pull_request p[] = { pull("second", "2026-03-02T00:00:00Z"),
                            pull("first", "2026-03-01T12:00:00Z") };
    cw_status_def s[] = { { at("jira", 7), "1", "Open", "todo" },
                          { at("jira", 7), "1", "Opened", "todo" } };

    for (size_t n = 0; n < 3; n++)
        w[n].external_id = "10001";
    i[5].service = "unmapped-svc";      /* re-assigned: it moves to no application */
    for (size_t n = 0; n < 2; n++)
        assert_int_equal(k->status_def(k->ctx, &s[n]), 0);
    assert_int_equal(k->transition(k->ctx, &t[0]), 0);
    for (size_t n = 0; n < 4; n++)
        assert_int_equal(k->work_item(k->ctx, &w[n]), 0);
    for (size_t n = 1; n < 5; n++)
        assert_int_equal(k->transition(k->ctx, &t[n]), 0);
    for (size_t n = 0; n < 5; n++)
        assert_int_equal(k->commit(k->ctx, &c[n]), 0);
    for (size_t n = 0; n < 6; n++)
        assert_int_equal(k->build(k->ctx, &b[n]), 0);
    for (size_t n = 0; n < 6; n++)
        assert_int_equal(k->incident(k->ctx, &i[n]), 0);
    for (size_t n = 0; n < 2; n++)
        assert_int_equal(k->pull_request(k->ctx, &p[n]), 0);
}

/* Every row of every table but the batch audit, ids included, as text, in
 * the order of its columns (a table without an id keeps no order of its
 * own: SQLite's hidden rowid is not data). */
static char *dump(cw_db *db)
{
    cw_buf out = { 0 }, names = { 0 };
    cw_stmt *tables, *rows;
    assert_int_equal(cw_db_prepare(db, "SELECT name FROM sqlite_master WHERE type = 'table'"
                                   " AND name NOT LIKE 'sqlite_%' AND name <> 'batch'"
                                   " ORDER BY name", &tables), CW_DB_OK);
    while (cw_db_step(tables) == CW_DB_ROW)
        cw_buf_printf(&names, "%s\n", cw_db_column_text(tables, 0));
    cw_db_finalize(tables);
    for (char *name = names.data, *nl; name && (nl = strchr(name, '\n')); name = nl + 1) {
        char sql[160];
        *nl = '\0';
        cw_buf order = { 0 };
        snprintf(sql, sizeof(sql), "SELECT * FROM \"%s\"", name);
        assert_int_equal(cw_db_prepare(db, sql, &rows), CW_DB_OK);
        cw_buf_printf(&order, "%s ORDER BY 1", sql);
        for (int col = 2; col <= cw_db_column_count(rows); col++)
            cw_buf_printf(&order, ", %d", col);
        cw_db_finalize(rows);
        assert_int_equal(cw_db_prepare(db, order.data, &rows), CW_DB_OK);
        cw_buf_free(&order);
        cw_buf_printf(&out, "== %s\n", name);
        while (cw_db_step(rows) == CW_DB_ROW) {
            for (int col = 0; col < cw_db_column_count(rows); col++) {
                const char *v = cw_db_column_text(rows, col);
                cw_buf_printf(&out, "%s%s", col ? "|" : "", v ? v : "NULL");
            }
            cw_buf_puts(&out, "\n");
        }
        cw_db_finalize(rows);
    }
    cw_buf_free(&names);
    return out.data;
}

static char *pay_projects[] = { "PAY" };
static char *pay_repos[] = { "payments" };
static char *pay_jobs[] = { "deploy-payments", "pay-.*" };
static char *pay_services[] = { "payments-svc" };
static cw_application apps[] = {
    { .name = "payments", .team = "team-a", .projects = { pay_projects, 1 },
      .repositories = { pay_repos, 1 }, .jobs = { pay_jobs, 2 }, .services = { pay_services, 1 } },
};

/* Two batches of the same records into a new warehouse in dir: the dump
 * and each batch's counts. */
static char *load_twice(const char *dir, int staged, cw_batch_stats stats[2])
{
    char path[256];
    cw_config cfg = { .path = "test.ini", .apps = apps, .n_apps = 1 };
    cw_warehouse *wh;
    char *text;
    snprintf(path, sizeof(path), "%s/%s.db", dir, staged ? "staged" : "direct");
    assert_int_equal(cw_wh_open(&(cw_db_target){ path, NULL, NULL }, &wh), 0);
    assert_int_equal(cw_wh_stage_writes(wh, staged), 0);
    for (int n = 0; n < 2; n++) {
        assert_int_equal(cw_wh_batch_begin(wh, "test.ini", NULL), 0);
        assert_int_equal(cw_wh_sync_config(wh, &cfg), 0);
        assert_int_equal(cw_wh_stage_writes(wh, !staged), -1);   /* not inside a batch */
        for (const char *const *src = (const char *const[]){ "jira", "git", "ci", "snow", "gh",
                                                             NULL }; *src; src++)
            assert_int_equal(cw_wh_source(wh, *src, *src), 0);
        load_awkward(wh);
        assert_int_equal(cw_wh_resolve(wh), 0);
        assert_int_equal(cw_correlate(cw_wh_db(wh), &cfg, &(cw_correlate_stats){ 0 }), 0);
        stats[n] = *cw_wh_stats(wh);
        assert_int_equal(cw_wh_batch_commit(wh, "ok", NULL), 0);
    }
    text = dump(cw_wh_db(wh));
    cw_wh_close(wh);
    return text;
}

static long count(cw_db *db, const char *sql)
{
    int64_t v = -1;
    assert_int_equal(cw_db_query_int(db, sql, &v), CW_DB_OK);
    return (long)v;
}

static const char *text(cw_db *db, const char *sql)
{
    static char buf[256];
    cw_stmt *st;
    assert_int_equal(cw_db_prepare(db, sql, &st), CW_DB_OK);
    assert_int_equal(cw_db_step(st), CW_DB_ROW);
    snprintf(buf, sizeof(buf), "%s", cw_db_column_text(st, 0) ? cw_db_column_text(st, 0) : "NULL");
    cw_db_finalize(st);
    return buf;
}

/* What the records above must give, worked out by hand from the upsert
 * rules in load/sql/sink.sql. */
static void check_by_hand(const char *dir)
{
    char path[256];
    cw_db *db;
    snprintf(path, sizeof(path), "%s/staged.db", dir);
    assert_int_equal(cw_wh_open_reader(&(cw_db_target){ path, NULL, NULL }, &db), 0);
    /* "older" lost to "newer"; "same instant" is not older, so it won */
    assert_string_equal(text(db, "SELECT summary FROM dim_work_item WHERE item_key = 'PAY-1'"),
                        "same instant");
    /* PAY-3's transition came before its item; the PAY-1 pair is one row;
     * 10001 is PAY-1's source id; NOPE-1 is rejected, once per batch */
    assert_int_equal(count(db, "SELECT count(*) FROM fact_transition"), 3);
    assert_int_equal(count(db, "SELECT count(*) FROM reject WHERE field = 'item_key'"), 2);
    /* full parents are never replaced by an export without ancestry */
    assert_string_equal(text(db, "SELECT parents || '/' || has_ancestry FROM fact_commit"
                                 " WHERE sha = 'aaaa'"), "ffff eeee/1");
    assert_string_equal(text(db, "SELECT parents || '/' || has_ancestry FROM fact_commit"
                                 " WHERE sha = 'bbbb'"), "aaaa/1");
    assert_int_equal(count(db, "SELECT count(*) FROM dim_person"), 1);
    /* the last read of a build decides its checkouts */
    assert_int_equal(count(db, "SELECT count(*) FROM fact_build_revision r JOIN fact_build b"
                               " ON b.build_id = r.build_id WHERE b.number = 7"), 2);
    assert_int_equal(count(db, "SELECT count(*) FROM fact_build_revision r JOIN fact_build b"
                               " ON b.build_id = r.build_id WHERE b.number = 3"), 3);
    /* #8 was re-read as a plain build: the correlation step dropped its
     * deployment */
    assert_int_equal(count(db, "SELECT count(*) FROM fact_deployment d JOIN fact_build b"
                               " ON b.build_id = d.build_id WHERE b.number = 8"), 0);
    assert_int_equal(count(db, "SELECT count(*) FROM fact_deployment"), 1);
    /* ServiceNow: the highest version, then the latest update, wins; the
     * last version names a service no application has */
    assert_string_equal(text(db, "SELECT status || ' ' || version || ' ' || application_id"
                                 " FROM fact_incident"), "moved 6 0");
    assert_string_equal(text(db, "SELECT title FROM fact_pull_request"), "second");
    assert_string_equal(text(db, "SELECT name FROM source_status"), "Opened");
    cw_db_close(db);
}

static void test_staged_equals_direct(void **state)
{
    char *dir = cw_temp_dir();
    cw_batch_stats direct[2], staged[2];
    char *a, *b;
    (void)state;
    a = load_twice(dir, 0, direct);
    b = load_twice(dir, 1, staged);
    if (strcmp(a, b) != 0) {
        cw_write_file(dir, "direct.txt", a);
        cw_write_file(dir, "staged.txt", b);
        cw_system("diff %s/direct.txt %s/staged.txt >&2", dir, dir);
    }
    assert_string_equal(a, b);
    for (int n = 0; n < 2; n++) {
        assert_int_equal(direct[n].rows_read, staged[n].rows_read);
        assert_int_equal(direct[n].rows_loaded, staged[n].rows_loaded);
        assert_int_equal(direct[n].rows_rejected, staged[n].rows_rejected);
        assert_int_equal(direct[n].rows_changed, staged[n].rows_changed);
    }
    /* 2 statuses + 4 items + 5 transitions + 5 commits + 6 builds + 6
     * incidents + 2 pull requests read; NOPE-1 rejected */
    assert_int_equal(staged[0].rows_read, 30);
    assert_int_equal(staged[0].rows_loaded, 29);
    assert_int_equal(staged[0].rows_rejected, 1);
    /* Records whose own row was written.  Batch 1: statuses 2 (Open, then
     * Opened), items 3 (not "older"), transitions 3 (not the repeat),
     * commits 4 (not bbbb without ancestry), builds 4 (the repeats of #7 and
     * #3 write no build row; #8 is inserted, then updated), incidents 4 (v3,
     * v5 resolved, v5 closed, v6), pull requests 1.  Batch 2, the same
     * records again: the statuses 2, PAY-1 "newer" and "same instant" 2 (the
     * batch contradicts itself), #8 twice 2; the incident moves back and
     * forth, but no version of it is newer than v6. */
    assert_int_equal(staged[0].rows_changed, 21);
    assert_int_equal(staged[1].rows_changed, 6);
    check_by_hand(dir);
    free(a);
    free(b);
    cw_remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_staged_form),
        cmocka_unit_test(test_staged_equals_direct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
