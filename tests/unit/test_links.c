/*
 * test_links.c - work item links through the warehouse: loading
 * (fact_work_item_link, a reload that drops a link removes it, an older
 * export does not bring links back, a target named by the source's id), the
 * hierarchy step (derived_hierarchy, the cycle finding) and the epic/theme
 * views, on one hand-made dataset, one row at a time and staged (load/
 * stage.c): both must give the same tables.
 *
 * The dataset (every expected value below is worked out from it by hand):
 *   PLAN-1 Initiative (no application)        theme of PAY-1 (its parent)
 *   PAY-1  Epic (payments)                     MOB-1 Epic (mobile), theme field PLAN-2
 *   PAY-10 Story, parent PAY-1, done           cycle 03-02 10:00 -> 03-03 10:00 = 24 h
 *   MOB-10 Bug, Epic Link PAY-1, done          cycle 03-02 12:00 -> 03-04 12:00 = 48 h
 *   MOB-11 Story, Epic Link PAY-1, in progress since 03-05 09:00
 *   PAY-11 Sub-task of PAY-10, done            its Done 03-06 09:00 is PAY-1's last change
 *   PAY-12 Sub-task, parent by id 10010 (= PAY-10), to do
 *   MOB-20 Story, Epic Link MOB-1, done        cycle 03-09 09:00 -> 03-10 09:00 = 24 h
 *   PAY-20 <-> PAY-21 Tasks, parents of each other: a cycle
 *   PAY-13 Task, parent by id 99999: no such item, the link is rejected
 *   PAY-14 Story, blocks PAY-10
 * So PAY-1 spans two applications: items PAY-10, MOB-10, MOB-11 (3, 2
 * done), sub-tasks PAY-11 and PAY-12, median cycle (24 + 48) / 2 = 36 h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"
#include "core/embedded.h"
#include "core/util.h"
#include "load/db.h"
#include "load/warehouse.h"
#include "reports/metrics.h"
#include "transform/correlate.h"
#include "transform/epics.h"

#define FILE1 "/landing/1/issues.json"

typedef struct spec {
    const char *key, *type, *status, *category, *updated;
    const char *id;
    cw_link_kind kind;           /* its one link, when target or target_id */
    const char *target, *target_id;
} spec;

static const spec batch1[] = {
    { "PLAN-1", "Initiative", "To Do", "todo", NULL, NULL, 0, NULL, NULL },
    { "PAY-1", "Epic", "In Progress", "in_progress", NULL, NULL, CW_LINK_PARENT, "PLAN-1", NULL },
    { "MOB-1", "Epic", "In Progress", "in_progress", NULL, NULL, CW_LINK_THEME, "PLAN-2", NULL },
    { "PAY-10", "Story", "Done", "done", NULL, "10010", CW_LINK_PARENT, "PAY-1", NULL },
    { "MOB-10", "Bug", "Done", "done", "2026-03-04T12:00:00Z", NULL, CW_LINK_EPIC, "PAY-1", NULL },
    { "MOB-11", "Story", "In Progress", "in_progress", NULL, NULL, CW_LINK_EPIC, "PAY-1", NULL },
    { "PAY-11", "Sub-task", "Done", "done", NULL, NULL, CW_LINK_PARENT, "PAY-10", NULL },
    { "PAY-12", "Sub-task", "To Do", "todo", NULL, NULL, CW_LINK_PARENT, NULL, "10010" },
    { "MOB-20", "Story", "Done", "done", "2026-03-10T09:00:00Z", NULL, CW_LINK_EPIC, "MOB-1", NULL },
    { "PAY-20", "Task", "To Do", "todo", NULL, NULL, CW_LINK_PARENT, "PAY-21", NULL },
    { "PAY-21", "Task", "To Do", "todo", "2026-03-04T00:00:00Z", NULL, CW_LINK_PARENT, "PAY-20", NULL },
    { "PAY-13", "Task", "To Do", "todo", NULL, NULL, CW_LINK_PARENT, NULL, "99999" },
    { "PAY-14", "Story", "To Do", "todo", NULL, NULL, CW_LINK_BLOCKS, "PAY-10", NULL },
};

/* The second batch: MOB-10 (newer) lost its Epic Link, PAY-21 (newer) its
 * parent; MOB-20 comes from an older export without its link, which must
 * not remove it. */
static const spec batch2[] = {
    { "MOB-10", "Bug", "Done", "done", "2026-03-05T00:00:00Z", NULL, 0, NULL, NULL },
    { "MOB-20", "Story", "Done", "done", "2026-03-01T00:00:00Z", NULL, 0, NULL, NULL },
    { "PAY-21", "Task", "To Do", "todo", "2026-03-05T00:00:00Z", NULL, 0, NULL, NULL },
};

static const struct { const char *key, *at, *to; } moves[] = {
    { "PAY-10", "2026-03-02T10:00:00Z", "In Progress" }, { "PAY-10", "2026-03-03T10:00:00Z", "Done" },
    { "MOB-10", "2026-03-02T12:00:00Z", "In Progress" }, { "MOB-10", "2026-03-04T12:00:00Z", "Done" },
    { "MOB-11", "2026-03-05T09:00:00Z", "In Progress" },
    { "PAY-11", "2026-03-03T08:00:00Z", "In Progress" }, { "PAY-11", "2026-03-06T09:00:00Z", "Done" },
    { "MOB-20", "2026-03-09T09:00:00Z", "In Progress" }, { "MOB-20", "2026-03-10T09:00:00Z", "Done" },
};

static void send(cw_sink *k, const spec *s, size_t n, int with_moves)
{
    for (size_t i = 0; i < n; i++) {
        cw_origin o = { "jira", FILE1, (long)i + 1 };
        cw_work_item w = { .origin = o, .key = s[i].key, .external_id = s[i].id,
                           .type = s[i].type, .status = s[i].status,
                           .status_category = s[i].category,
                           .created_at = cw_t("2026-03-02T09:00:00Z"),
                           .updated_at = s[i].updated ? cw_t(s[i].updated) : CW_NO_TIME,
                           .resolved_at = CW_NO_TIME, .links_follow = 1 };
        cw_work_item_link l = { .origin = o, .item_key = s[i].key, .kind = s[i].kind,
                                .target_key = s[i].target, .target_id = s[i].target_id };
        assert_int_equal(k->work_item(k->ctx, &w), 0);
        if (s[i].target || s[i].target_id)
            assert_int_equal(k->work_item_link(k->ctx, &l), 0);
    }
    for (size_t i = 0; with_moves && i < sizeof(moves) / sizeof(moves[0]); i++) {
        cw_transition t = { .origin = { "jira", FILE1, 100 + (long)i }, .item_key = moves[i].key,
                            .at = cw_t(moves[i].at), .from_status = "To Do",
                            .to_status = moves[i].to };
        assert_int_equal(k->transition(k->ctx, &t), 0);
    }
}

static char *pay_projects[] = { "PAY" };
static char *mob_projects[] = { "MOB" };
static cw_application apps[] = {
    { .name = "payments", .team = "team-a", .projects = { pay_projects, 1 } },
    { .name = "mobile", .team = "team-b", .projects = { mob_projects, 1 } },
};

/* Every row of a query, "|"-separated, one line each. */
static char *rows(cw_db *db, const char *sql)
{
    cw_buf out = { 0 };
    cw_stmt *st;
    assert_int_equal(cw_db_prepare(db, sql, &st), CW_DB_OK);
    while (cw_db_step(st) == CW_DB_ROW) {
        for (int c = 0; c < cw_db_column_count(st); c++) {
            const char *v = cw_db_column_text(st, c);
            if (v && cw_db_column_type(st, c) == CW_DB_REAL)
                cw_buf_printf(&out, "%s%.4f", c ? "|" : "", cw_db_column_real(st, c));
            else
                cw_buf_printf(&out, "%s%s", c ? "|" : "", v ? v : "NULL");
        }
        cw_buf_puts(&out, "\n");
    }
    cw_db_finalize(st);
    return out.data ? out.data : cw_strdup("");
}

#define ROWS(db, sql, want) cw_expect_text(rows((db), (sql)), (want))

static const char links_sql[] =
    "SELECT w.item_key, l.kind, l.target_key, coalesce(a.name, '-') FROM fact_work_item_link l"
    " JOIN dim_work_item w ON w.work_item_id = l.work_item_id"
    " LEFT JOIN dim_application a ON a.application_id = l.application_id"
    " ORDER BY w.item_key, l.kind, l.target_key";
static const char hierarchy_sql[] =
    "SELECT w.item_key, coalesce(h.epic_key, '-'), coalesce(e.item_key, '-'),"
    " coalesce(h.theme_key, '-'), coalesce(t.item_key, '-'), h.is_epic, h.is_subtask"
    " FROM derived_hierarchy h JOIN dim_work_item w ON w.work_item_id = h.work_item_id"
    " LEFT JOIN dim_work_item e ON e.work_item_id = h.epic_id"
    " LEFT JOIN dim_work_item t ON t.work_item_id = h.theme_id ORDER BY w.item_key";
static const char progress_sql[] =
    "SELECT level, key, coalesce(summary, '-'), coalesce(epics, -1), items_total, items_done,"
    " items_remaining, percent_done, subtasks, last_change_at, applications, application_list,"
    " cycle_time_count, cycle_time_median_h FROM v_hierarchy_progress ORDER BY level, key";

/* One batch: records, resolve, correlate, the hierarchy step, views. */
static cw_batch_stats run_batch(cw_warehouse *wh, const spec *s, size_t n, int with_moves)
{
    cw_config cfg = { .path = "test.ini", .apps = apps, .n_apps = 2 };
    cw_batch_stats stats;
    assert_int_equal(cw_wh_batch_begin(wh, "test.ini", NULL), 0);
    assert_int_equal(cw_wh_sync_config(wh, &cfg), 0);
    assert_int_equal(cw_wh_source(wh, "jira", "jira"), 0);
    send(cw_wh_sink(wh), s, n, with_moves);
    assert_int_equal(cw_wh_resolve(wh), 0);
    assert_int_equal(cw_correlate(cw_wh_db(wh), &cfg, &(cw_correlate_stats){ 0 }), 0);
    assert_int_equal(cw_hierarchy_derive(cw_wh_db(wh)), 0);
    assert_int_equal(cw_metrics_install_views(cw_wh_db(wh)), 0);
    stats = *cw_wh_stats(wh);
    assert_int_equal(cw_wh_batch_commit(wh, "ok", NULL), 0);
    return stats;
}

static void check_batch1(cw_db *db, const cw_batch_stats *st)
{
    char *detail;
    /* 13 items, 12 links, 9 transitions read; PAY-13's link rejected */
    assert_int_equal(st->rows_read, 34);
    assert_int_equal(st->rows_loaded, 33);
    assert_int_equal(st->rows_rejected, 1);
    ROWS(db, "SELECT field || ': ' || reason FROM reject",
         "target_id: link of PAY-13 names unknown work item id 99999\n");
    ROWS(db, links_sql,
         "MOB-1|theme|PLAN-2|mobile\n"
         "MOB-10|epic|PAY-1|mobile\n"
         "MOB-11|epic|PAY-1|mobile\n"
         "MOB-20|epic|MOB-1|mobile\n"
         "PAY-1|parent|PLAN-1|payments\n"
         "PAY-10|parent|PAY-1|payments\n"
         "PAY-11|parent|PAY-10|payments\n"
         "PAY-12|parent|PAY-10|payments\n"
         "PAY-14|blocks|PAY-10|payments\n"
         "PAY-20|parent|PAY-21|payments\n"
         "PAY-21|parent|PAY-20|payments\n");
    ROWS(db, hierarchy_sql,
         "MOB-1|-|-|PLAN-2|-|1|0\n"
         "MOB-10|PAY-1|PAY-1|PLAN-1|PLAN-1|0|0\n"
         "MOB-11|PAY-1|PAY-1|PLAN-1|PLAN-1|0|0\n"
         "MOB-20|MOB-1|MOB-1|PLAN-2|-|0|0\n"
         "PAY-1|-|-|PLAN-1|PLAN-1|1|0\n"
         "PAY-10|PAY-1|PAY-1|PLAN-1|PLAN-1|0|0\n"
         "PAY-11|PAY-1|PAY-1|PLAN-1|PLAN-1|0|1\n"
         "PAY-12|PAY-1|PAY-1|PLAN-1|PLAN-1|0|1\n");
    ROWS(db, "SELECT kind, subject, metric FROM derived_finding",
         "hierarchy cycle|PAY-20|epic and theme roll-up\n");
    detail = rows(db, "SELECT detail FROM derived_finding");
    assert_non_null(strstr(detail, "parent links form a cycle: PAY-20 -> PAY-21 -> PAY-20;"));
    free(detail);
    /* last change: PAY-11's Done 2026-03-06T09:00Z = 1772787600; MOB-20's
     * 2026-03-10T09:00Z = 1773133200 */
    ROWS(db, progress_sql,
         "epic|MOB-1|-|-1|1|1|0|1.0000|0|1773133200|1|mobile|1|24.0000\n"
         "epic|PAY-1|-|-1|3|2|1|0.6667|2|1772787600|2|mobile, payments|2|36.0000\n"
         "theme|PLAN-1|-|1|3|2|1|0.6667|2|1772787600|2|mobile, payments|2|36.0000\n"
         "theme|PLAN-2|-|1|1|1|0|1.0000|0|1773133200|1|mobile|1|24.0000\n");
    ROWS(db, "SELECT level, key, week_start, throughput, feature, defect, risk, debt,"
             " feature_share, defect_share FROM v_hierarchy_flow ORDER BY level, key, week_start",
         "epic|MOB-1|2026-03-09|1|1|0|0|0|1.0000|0.0000\n"
         "epic|PAY-1|2026-03-02|2|1|1|0|0|0.5000|0.5000\n"
         "theme|PLAN-1|2026-03-02|2|1|1|0|0|0.5000|0.5000\n"
         "theme|PLAN-2|2026-03-09|1|1|0|0|0|1.0000|0.0000\n");
}

/* The weekly sheet for [2026-03-02, 2026-03-09): MOB-1 and PLAN-2 have
 * nothing left and nothing in the window (MOB-20 ended 03-10). */
static void check_report(cw_db *db)
{
    const char *text = cw_embedded_get("templates/sql/report_epics.sql");
    char *sql;
    assert_non_null(text);
    sql = cw_asprintf("SELECT * FROM (%.*s) r", (int)(strrchr(text, ';') - text), text);
    /* ?1 = 2026-03-02T00:00Z, ?2 = 2026-03-09T00:00Z, spliced for this query */
    for (char *p; (p = strstr(sql, "?1")) != NULL;) {
        char *next = cw_asprintf("%.*s1772409600%s", (int)(p - sql), sql, p + 2);
        free(sql);
        sql = next;
    }
    for (char *p; (p = strstr(sql, "?2")) != NULL;) {
        char *next = cw_asprintf("%.*s1773014400%s", (int)(p - sql), sql, p + 2);
        free(sql);
        sql = next;
    }
    ROWS(db, sql,
         "theme|PLAN-1|NULL|2|mobile, payments|3|2|1|0.6667|1772787600|36.0000|2|1|1|0|0\n"
         "epic|PAY-1|NULL|2|mobile, payments|3|2|1|0.6667|1772787600|36.0000|2|1|1|0|0\n");
    free(sql);
}

static void check_batch2(cw_db *db)
{
    ROWS(db, links_sql,
         "MOB-1|theme|PLAN-2|mobile\n"
         "MOB-11|epic|PAY-1|mobile\n"
         "MOB-20|epic|MOB-1|mobile\n"
         "PAY-1|parent|PLAN-1|payments\n"
         "PAY-10|parent|PAY-1|payments\n"
         "PAY-11|parent|PAY-10|payments\n"
         "PAY-12|parent|PAY-10|payments\n"
         "PAY-14|blocks|PAY-10|payments\n"
         "PAY-20|parent|PAY-21|payments\n");
    ROWS(db, "SELECT count(*) FROM derived_finding", "0\n");
    ROWS(db, "SELECT count(*) FROM stage_work_item_link", "0\n");
    /* MOB-10 left PAY-1: PAY-10 and MOB-11, one done; still two applications */
    ROWS(db, progress_sql,
         "epic|MOB-1|-|-1|1|1|0|1.0000|0|1773133200|1|mobile|1|24.0000\n"
         "epic|PAY-1|-|-1|2|1|1|0.5000|2|1772787600|2|mobile, payments|1|24.0000\n"
         "theme|PLAN-1|-|1|2|1|1|0.5000|2|1772787600|2|mobile, payments|1|24.0000\n"
         "theme|PLAN-2|-|1|1|1|0|1.0000|0|1773133200|1|mobile|1|24.0000\n");
}

static char *scenario(const char *dir, int staged)
{
    char path[256];
    cw_warehouse *wh;
    cw_batch_stats st;
    char *dump;
    snprintf(path, sizeof(path), "%s/%s.db", dir, staged ? "staged" : "direct");
    assert_int_equal(cw_wh_open(&(cw_db_target){ path, NULL, NULL }, &wh), 0);
    assert_int_equal(cw_wh_stage_writes(wh, staged), 0);
    st = run_batch(wh, batch1, sizeof(batch1) / sizeof(batch1[0]), 1);
    check_batch1(cw_wh_db(wh), &st);
    check_report(cw_wh_db(wh));
    st = run_batch(wh, batch2, sizeof(batch2) / sizeof(batch2[0]), 0);
    assert_int_equal(st.rows_read, 3);
    check_batch2(cw_wh_db(wh));
    dump = rows(cw_wh_db(wh), hierarchy_sql);
    cw_wh_close(wh);
    return dump;
}

static void test_links_direct_and_staged(void **state)
{
    char *dir = cw_temp_dir();
    char *a, *b;
    (void)state;
    a = scenario(dir, 0);
    b = scenario(dir, 1);
    assert_string_equal(a, b);
    free(a);
    free(b);
    cw_remove_tree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_links_direct_and_staged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
