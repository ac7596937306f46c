/*
 * test_correlate.c - the correlation step end to end on a small hand-made
 * warehouse (load/sql/schema.sql plus INSERTs), expectations worked out by hand
 * in the comments; a second run must leave every derived row as it was.
 */
#include "support.h"
#include "core/config.h"
#include "core/embedded.h"
#include "core/util.h"
#include "load/db.h"
#include "load/warehouse.h"
#include "transform/correlate.h"

#include <stdlib.h>
#include <string.h>

#define A1 "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1"
#define A2 "a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2"
#define A3 "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3"
#define B4 "b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4b4"
#define A5 "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5"
#define A6 "a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6a6"
#define A7 "a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7a7"
#define S1 "c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1"
#define S2 "c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2c2"

/*
 * Application 1 "pay" (repository pay-api):
 *   c1 A1 root, authored 10
 *   c2 A2 <- c1, 200, "[PAY-1] add endpoint" / body names UTF-8 and PAY-2
 *   c3 A3 <- c2, 250, "PAY-1 tests"
 *   c4 B4 <- c1, 260, "OPS-7 cleanup" (a side branch)
 *   c5 A5 <- c3 + c4, 400, merge "Merge PAY-1"
 *   c6 A6 <- c5, 700, "PAY-2 fix" (never deployed)
 * Deployments (job deploy-pay, run = build number):
 *   d1 #1 prod success  100 A1          baseline: c1
 *   d2 #2 prod success 1000 a5a5a5a     c5 (merge), c3 750, c2 800, c4 740
 *   d3 #3 prod failure 1100 A6          not counted
 *   d4 #4 staging      1200 A6          not counted
 *   d5 #5 prod success 2000 ffffffffff  untraceable
 *   d6 #6 prod success 3000 A3          rollback: deploys nothing
 * Application 2 "shop" (repository shop-web): s1 <- s2; e1 deploy-shop#1 at 50,
 * revision S2: the baseline, deploying s2 and s1.  Repository shop-mirror
 * holds the same commit S2 again (commit 9): deployed along with commit 8.
 * deploy-legacy#1 (d8, 1500, A6) belongs to no application: untraceable.
 * Work items: PAY-1 (Story, Done), PAY-2 (Bug, "QA Testing" unconfigured,
 * truncated changelog), OPS-7 (Task labelled debt, Backlog).
 */
static const char *const fixture_sql =
    "INSERT INTO dim_source VALUES (1,'jira','jira'),(2,'git','git'),(3,'ci','jenkins'),(4,'pd','pagerduty');"
    "INSERT INTO dim_application (application_id, name) VALUES (1,'pay'),(2,'shop');"
    "INSERT INTO map_project VALUES ('PAY',1);"
    "INSERT INTO dim_environment VALUES (1,'production',1),(2,'staging',0);"
    "INSERT INTO dim_status VALUES ('Backlog','todo',0,'config'),('In Progress','in_progress',0,'config'),"
    "  ('Review','in_progress',1,'config'),('Done','done',0,'config');"
    "INSERT INTO finding VALUES ('loader_note','x','kept');"
    "INSERT INTO dim_work_item (work_item_id,item_key,project,source_id,application_id,item_type,status,"
    "  source_category,labels,created_at,resolved_at,has_changelog,changelog_truncated) VALUES"
    "  (1,'PAY-1','PAY',1,1,'Story','Done','done',NULL,0,900,1,0),"
    "  (2,'PAY-2','PAY',1,1,'Bug','QA Testing','in_progress',NULL,50,NULL,1,1),"
    "  (3,'OPS-7','OPS',1,NULL,'Task','Backlog','todo','debt,ops',70,NULL,1,0);"
    "INSERT INTO fact_transition VALUES"
    "  (1,300,'2','In Progress','Review',1),(1,100,'1','Backlog','In Progress',1),"
    "  (1,500,'3','Review','Done',1),(2,150,'4','Backlog','Triage',1),(2,250,'5','Triage','QA Testing',1);"
    "INSERT INTO fact_commit (commit_id,repository,sha,application_id,authored_at,parents,parent_count,"
    "  subject,body) VALUES"
    "  (1,'pay-api','" A1 "',1,10,'',0,'Initial commit',NULL),"
    "  (2,'pay-api','" A2 "',1,200,'" A1 "',1,'[PAY-1] add endpoint','Uses UTF-8; see also PAY-2.'),"
    "  (3,'pay-api','" A3 "',1,250,'" A2 "',1,'PAY-1 tests',''),"
    "  (4,'pay-api','" B4 "',1,260,'" A1 "',1,'OPS-7 cleanup',NULL),"
    "  (5,'pay-api','" A5 "',1,400,'" A3 " " B4 "',2,'Merge PAY-1',NULL),"
    "  (6,'pay-api','" A6 "',1,700,'" A5 "',1,'PAY-2 fix','PAY-2 PAY-2 PAY-99'),"
    "  (7,'shop-web','" S1 "',2,0,'',0,'JDK-8024695 workaround',NULL),"
    "  (8,'shop-web','" S2 "',2,100,'" S1 "',1,'Tweak',NULL),"
    "  (9,'shop-mirror','" S2 "',2,100,'" S1 "',1,'Tweak',NULL);"
    "INSERT INTO fact_build (build_id,source_id,job,number,application_id,result,finished_at,revision,"
    "  is_deployment,environment_id) VALUES"
    "  (1,3,'deploy-pay',1,1,'success',100,'" A1 "',1,1),"
    "  (2,3,'deploy-pay',2,1,'success',1000,'a5a5a5a',1,1),"
    "  (3,3,'deploy-pay',3,1,'failure',1100,'" A6 "',1,1),"
    "  (4,3,'deploy-pay',4,1,'success',1200,'" A6 "',1,2),"
    "  (5,3,'deploy-pay',5,1,'success',2000,'ffffffffff',1,1),"
    "  (6,3,'deploy-pay',6,1,'success',3000,'" A3 "',1,1),"
    "  (7,3,'deploy-shop',1,2,'success',50,'" S2 "',1,1),"
    "  (8,3,'deploy-legacy',1,0,'success',1500,'" A6 "',1,1);"
    "INSERT INTO fact_deployment (deployment_id,build_id,application_id,environment_id,is_production,"
    "  result,finished_at,revision,run_number)"
    "  SELECT build_id*10, build_id, application_id, environment_id, environment_id=1, result,"
    "  finished_at, revision, number FROM fact_build;"
    /* incidents, window 500 s:
     *   1 pay  1200             d2 by window (gap 200)
     *   2 pay  2600             none: d5 is 600 s before
     *   3 pay  3500 names #2    d2 explicit (the window would give d6, gap 500)
     *   4 pay  3501             none: d6 is 501 s before
     *   5 -     100             none: no application
     *   6 shop   60 names c2c2c2c  e1 explicit */
    "INSERT INTO fact_incident (incident_id,source_id,external_id,application_id,title,description,"
    "  created_at) VALUES"
    "  (1,4,'P1',1,'Checkout slow',NULL,1200),"
    "  (2,4,'P2',1,'Checkout down',NULL,2600),"
    "  (3,4,'P3',1,'Outage after deploy-pay#2','',3500),"
    "  (4,4,'P4',1,'Errors',NULL,3501),"
    "  (5,4,'P5',0,'Unknown service',NULL,100),"
    "  (6,4,'P6',2,'Cart broken','rolled out c2c2c2c at noon',60);";

typedef struct fixture {
    cw_warehouse *wh;
    cw_db *db;                  /* its connection, as the step takes it */
    char path[256];
    cw_config cfg;
} fixture;

/* Run SQL on the connection; fails the test on error. */
static void db_exec(cw_db *db, const char *sql)
{
    if (cw_db_exec(db, sql) != CW_DB_OK)
        fail_msg("%s\n  %s", cw_db_errmsg(db), sql);
}

static int setup(void **state)
{
    fixture *f = cw_xcalloc(1, sizeof(*f));
    f->wh = cw_test_warehouse(f->path, sizeof(f->path));
    f->db = cw_wh_db(f->wh);
    db_exec(f->db, fixture_sql);
    f->cfg.attribution_window_s = 500;
    f->cfg.incident_deployment_pattern = "(?<build>[a-z][\\w-]*#\\d+)|\\b(?<sha>[0-9a-f]{7,40})\\b";
    assert_int_equal(cw_db_begin(f->db), CW_DB_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cw_db_rollback(f->db);
    cw_test_warehouse_drop(f->wh, f->path);
    free(f);
    return 0;
}

/* Every row of a query as "a|b|c;" text (NULL spelled out); caller frees. */
static char *rows(cw_db *db, const char *sql)
{
    cw_stmt *st;
    cw_buf b = { 0 };
    int rc;
    cw_buf_puts(&b, "");
    if (cw_db_prepare(db, sql, &st) != CW_DB_OK)
        fail_msg("prepare %s: %s", sql, cw_db_errmsg(db));
    while ((rc = cw_db_step(st)) == CW_DB_ROW) {
        for (int i = 0; i < cw_db_column_count(st); i++) {
            const char *v = cw_db_column_text(st, i);
            cw_buf_printf(&b, "%s%s", i ? "|" : "", v ? v : "NULL");
        }
        cw_buf_puts(&b, ";");
    }
    if (rc != CW_DB_DONE)
        fail_msg("%s: %s", sql, cw_db_errmsg(db));
    cw_db_finalize(st);
    return b.data;
}

static void assert_rows(cw_db *db, const char *sql, const char *expected)
{
    char *got = rows(db, sql);
    if (strcmp(got, expected) != 0)
        fail_msg("%s\n  expected %s\n  got      %s", sql, expected, got);
    free(got);
}

/* A report query file (?1 from, ?2 to) over [from, to), as "a|b;" text. */
static void assert_window_rows(cw_db *db, const char *file, int64_t from, int64_t to,
                               const char *expected)
{
    cw_stmt *st;
    cw_buf b = { 0 };
    int rc;
    cw_buf_puts(&b, "");
    if (cw_db_prepare(db, cw_embedded_get(file), &st) != CW_DB_OK)
        fail_msg("prepare %s: %s", file, cw_db_errmsg(db));
    cw_db_bind_int(st, 1, from);
    cw_db_bind_int(st, 2, to);
    while ((rc = cw_db_step(st)) == CW_DB_ROW)
        for (int i = 0; i < cw_db_column_count(st); i++) {
            const char *v = cw_db_column_text(st, i);
            cw_buf_printf(&b, "%s%s%s", i ? "|" : "", v ? v : "NULL",
                          i == cw_db_column_count(st) - 1 ? ";" : "");
        }
    assert_int_equal(rc, CW_DB_DONE);
    cw_db_finalize(st);
    if (strcmp(b.data, expected) != 0)
        fail_msg("%s\n  expected %s\n  got      %s", file, expected, b.data);
    free(b.data);
}

static void test_commit_links(void **state)
{
    fixture *f = *state;
    cw_correlate_stats s;
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    /* UTF-8, JDK-8024695 and PAY-99 (no such item) are not links; c4 also
     * carries PAY-1, the key of c5 "Merge PAY-1", which brought it in
     * (git rev-list B4 ^A3 = c4) */
    assert_rows(f->db, "SELECT commit_id, work_item_id FROM bridge_commit_work_item ORDER BY 1, 2",
                "2|1;2|2;3|1;4|1;4|3;5|1;6|2;");
    assert_int_equal(s.commit_links, 7);
    assert_int_equal(s.commits, 9);
}

static void test_deployments_and_lead_time(void **state)
{
    fixture *f = *state;
    cw_correlate_stats s;
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    assert_rows(f->db, "SELECT deployment_id, commit_id, is_baseline, is_merge, lead_time_s "
                       "FROM bridge_deployment_commit ORDER BY 1, 2",
                "10|1|1|0|NULL;20|2|0|0|800;20|3|0|0|750;20|4|0|0|740;20|5|0|1|NULL;"
                "70|7|1|0|NULL;70|8|1|0|NULL;70|9|1|0|NULL;");
    assert_rows(f->db, "SELECT deployment_id, traceable, is_baseline, commits_deployed "
                       "FROM derived_deployment ORDER BY 1",
                "10|1|1|1;20|1|0|4;50|0|0|0;60|1|0|0;70|1|1|3;80|0|0|0;");
    assert_rows(f->db, "SELECT subject FROM finding WHERE kind = 'untraceable_deployment' "
                       "ORDER BY 1", "deploy-legacy#1;deploy-pay#5;");
    assert_int_equal(s.deployments, 6);
    assert_int_equal(s.untraceable_deployments, 2);
    assert_int_equal(s.deployed_commits, 8);
}

static void test_incidents(void **state)
{
    fixture *f = *state;
    cw_correlate_stats s;
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    assert_rows(f->db, "SELECT incident_id, deployment_id, how FROM derived_incident ORDER BY 1",
                "1|20|window;2|NULL|none;3|20|explicit;4|NULL|none;5|NULL|none;6|70|explicit;");
    assert_int_equal(s.incidents_attributed, 3);

    /* without the pattern incident 3 falls to the window: d6, exactly 500 s
     * before; incident 6 to e1, 10 s before */
    f->cfg.incident_deployment_pattern = NULL;
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    assert_rows(f->db, "SELECT incident_id, deployment_id, how FROM derived_incident ORDER BY 1",
                "1|20|window;2|NULL|none;3|60|window;4|NULL|none;5|NULL|none;6|70|window;");
    /* unlimited window: incident 2 goes to the untraceable d5, 4 to d6 */
    f->cfg.attribution_window_s = 0;
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    assert_rows(f->db, "SELECT incident_id, deployment_id FROM derived_incident ORDER BY 1",
                "1|20;2|50;3|60;4|60;5|NULL;6|70;");
}

static void test_work_items_and_statuses(void **state)
{
    fixture *f = *state;
    cw_correlate_stats s;
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    /* PAY-1: start 100, end 500, active [100,300); production: c2, c3 at 1000
     * PAY-2: start 150 (Triage, guessed in_progress), not done; c6 undeployed
     * OPS-7: never started; c4 deployed at 1000 */
    assert_rows(f->db, "SELECT work_item_id, flow_type, category, start_at, end_at, active_s, "
                       "production_at FROM derived_work_item ORDER BY 1",
                "1|feature|done|100|500|200|1000;"
                "2|defect|in_progress|150|NULL|NULL|NULL;"
                "3|debt|todo|NULL|NULL|NULL|1000;");
    assert_rows(f->db, "SELECT work_item_id, seq, status, category, waiting, from_at, to_at "
                       "FROM derived_status_interval ORDER BY 1, 2",
                "1|1|Backlog|todo|0|0|100;1|2|In Progress|in_progress|0|100|300;"
                "1|3|Review|in_progress|1|300|500;1|4|Done|done|0|500|NULL;"
                "2|1|Backlog|todo|0|50|150;2|2|Triage|in_progress|0|150|250;"
                "2|3|QA Testing|in_progress|0|250|NULL;"
                "3|1|Backlog|todo|0|70|NULL;");
    assert_rows(f->db, "SELECT name, category, waiting, origin FROM dim_status "
                       "WHERE origin <> 'config' ORDER BY 1",
                "QA Testing|in_progress|0|source;Triage|in_progress|0|guess;");
    assert_rows(f->db, "SELECT kind, subject FROM finding ORDER BY 1, 2",
                "changelog_truncated|PAY-2;loader_note|x;status_from_source|QA Testing;"
                "status_guessed|Triage;untraceable_deployment|deploy-legacy#1;"
                "untraceable_deployment|deploy-pay#5;");
    assert_int_equal(s.work_items, 3);
}

/* Status categories (README "Status categories"): the source's status list
 * first, else the latest issue (by updated) carrying the status; never the
 * order the items were loaded in.  Two claims that disagree are a finding. */
static const char *const accepted_items_sql[] = {
    /* PAY-10 (older, says done) gets the lower work item id */
    "INSERT INTO dim_work_item (work_item_id,item_key,project,source_id,status,source_category,"
    "  status_id,created_at,updated_at) VALUES"
    "  (10,'PAY-10','PAY',1,'Accepted','done','77',0,100),"
    "  (11,'PAY-11','PAY',1,'Accepted','todo','77',0,200);",
    /* the same two issues loaded the other way round */
    "INSERT INTO dim_work_item (work_item_id,item_key,project,source_id,status,source_category,"
    "  status_id,created_at,updated_at) VALUES"
    "  (10,'PAY-11','PAY',1,'Accepted','todo','77',0,200),"
    "  (11,'PAY-10','PAY',1,'Accepted','done','77',0,100);",
};

static void test_status_category_any_order(void **state)
{
    fixture *f = *state;
    cw_correlate_stats s;
    for (size_t order = 0; order < 2; order++) {
        db_exec(f->db, "DELETE FROM derived_status_interval WHERE work_item_id >= 10;"
                            "DELETE FROM derived_work_item WHERE work_item_id >= 10;"
                            "DELETE FROM dim_work_item WHERE work_item_id >= 10");
        db_exec(f->db, accepted_items_sql[order]);
        assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
        /* PAY-11 is the latest issue carrying Accepted: todo, in both orders */
        assert_rows(f->db, "SELECT name, category, origin FROM dim_status WHERE name = 'Accepted'",
                    "Accepted|todo|source;");
        assert_rows(f->db, "SELECT category FROM derived_work_item WHERE work_item_id >= 10",
                    "todo;todo;");
        assert_rows(f->db, "SELECT subject, detail FROM finding WHERE kind = 'status_category_conflict'",
                    "Accepted|todo from issue PAY-11; done from issue PAY-10;");
    }
    /* the status list wins over every issue: Accepted is done (under the name
     * the issues use for id 77 too), and Triage, seen only in a history, takes
     * the list's category instead of a guess */
    db_exec(f->db, "INSERT INTO source_status VALUES (1,'77','Angenommen','done'),"
                        "(1,'12','Triage','todo')");
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    assert_rows(f->db, "SELECT name, category, origin FROM dim_status WHERE origin <> 'config' ORDER BY 1",
                "Accepted|done|source;Angenommen|done|source;QA Testing|in_progress|source;"
                "Triage|todo|source;");
    assert_rows(f->db, "SELECT work_item_id, category, end_at FROM derived_work_item"
                       " WHERE work_item_id >= 10 ORDER BY 1",
                "10|done|0;11|done|0;");
    assert_rows(f->db, "SELECT subject, detail FROM finding WHERE kind = 'status_category_conflict'",
                "Accepted|done from the status list of jira (id 77); todo from issue PAY-11;");
    /* configured statuses are never in conflict */
    db_exec(f->db, "DELETE FROM dim_status WHERE name = 'Accepted';"
                        "INSERT INTO dim_status VALUES ('Accepted','in_progress',0,'config')");
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    assert_rows(f->db, "SELECT count(*) FROM finding WHERE kind = 'status_category_conflict'", "0;");
}

/*
 * Decisions 10 on top of the fixture (window 500 s):
 *   c10 A7 <- A6, authored 11200; d9 deploy-pay#9 prod success at 4000, A7.
 *     The walk from A7 reaches A7 and A6 (A5 is already deployed): A6 gets
 *     4000 - 700 = 3300 s; A7 was authored 2 h after the deployment that
 *     first shipped it: deployed (traceability counts it) but no lead time.
 *   P7 pay, created 5000, resolved 1400 (1 h before): restore excluded.
 *   P8 pay, created 3900 naming deploy-pay#9, resolved 3950: restore 50 s is
 *     fine, but it was resolved before d9 finished: recovery excluded.
 *   P9 pay, created 1200, resolved 1300, on d2 (1000): nothing to report.
 *   PAY-4 started 1500, done with no done move, resolved 1400: no cycle time.
 *   PAY-5 created 2000, done, resolved 1000, no history: no item lead time.
 *   PAY-6 done at 200, relabelled Done -> Closed at 5000: end stays 200.
 */
static const char *const exclusions_sql =
    "INSERT INTO fact_commit (commit_id,repository,sha,application_id,authored_at,parents,parent_count,"
    "  subject,body) VALUES (10,'pay-api','" A7 "',1,11200,'" A6 "',1,'late clock',NULL);"
    "INSERT INTO fact_build (build_id,source_id,job,number,application_id,result,finished_at,revision,"
    "  is_deployment,environment_id) VALUES (9,3,'deploy-pay',9,1,'success',4000,'" A7 "',1,1);"
    "INSERT INTO fact_deployment (deployment_id,build_id,application_id,environment_id,is_production,"
    "  result,finished_at,revision,run_number) VALUES (90,9,1,1,1,'success',4000,'" A7 "',9);"
    "INSERT INTO fact_incident (incident_id,source_id,external_id,application_id,title,description,"
    "  created_at,resolved_at) VALUES"
    "  (7,4,'P7',1,'Clock skew',NULL,5000,1400),"
    "  (8,4,'P8',1,'Outage after deploy-pay#9',NULL,3900,3950),"
    "  (9,4,'P9',1,'Fine',NULL,1200,1300);"
    "INSERT INTO dim_work_item (work_item_id,item_key,project,source_id,application_id,item_type,status,"
    "  source_category,labels,created_at,resolved_at,has_changelog,changelog_truncated) VALUES"
    "  (4,'PAY-4','PAY',1,1,'Story','Done','done',NULL,1000,1400,1,0),"
    "  (5,'PAY-5','PAY',1,1,'Story','Done','done',NULL,2000,1000,1,0),"
    "  (6,'PAY-6','PAY',1,1,'Story','Closed','done',NULL,0,200,1,0);"
    "INSERT INTO fact_transition VALUES (4,1500,'10','Backlog','In Progress',1),"
    "  (6,100,'11','Backlog','In Progress',1),(6,200,'12','In Progress','Done',1),"
    "  (6,5000,'13','Done','Closed',1);";

static void test_negative_durations_excluded_and_reported(void **state)
{
    fixture *f = *state;
    cw_correlate_stats s;
    db_exec(f->db, exclusions_sql);
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    assert_rows(f->db, "SELECT deployment_id, commit_id, is_baseline, is_merge, lead_time_s "
                       "FROM bridge_deployment_commit WHERE deployment_id = 90 ORDER BY 2",
                "90|6|0|0|3300;90|10|0|0|NULL;");
    assert_rows(f->db, "SELECT count(*) FROM bridge_deployment_commit WHERE lead_time_s < 0", "0;");
    assert_rows(f->db, "SELECT incident_id, deployment_id, how FROM derived_incident "
                       "WHERE incident_id >= 7 ORDER BY 1",
                "7|NULL|none;8|90|explicit;9|20|window;");
    assert_rows(f->db, "SELECT work_item_id, start_at, end_at, active_s FROM derived_work_item "
                       "WHERE work_item_id >= 4 ORDER BY 1",
                "4|1500|1400|NULL;5|NULL|1000|NULL;6|100|200|100;");
    assert_rows(f->db, "SELECT kind, subject FROM finding WHERE kind IN "
                       "('commit_authored_after_deployment', 'incident_resolved_before_created', "
                       "'incident_resolved_before_deployment', 'item_ended_before_started', "
                       "'item_ended_before_created') ORDER BY 1, 2",
                "commit_authored_after_deployment|" A7 ";"
                "incident_resolved_before_created|P7;"
                "incident_resolved_before_deployment|P8;"
                "item_ended_before_created|PAY-5;"
                "item_ended_before_started|PAY-4;");
    assert_rows(f->db, "SELECT detail FROM finding WHERE kind = 'commit_authored_after_deployment'",
                "authored 2.00 h after deploy-pay#9 finished, the deployment that first shipped it: "
                "no lead time;");
    assert_rows(f->db, "SELECT detail FROM finding WHERE kind = 'incident_resolved_before_created'",
                "resolved 1.00 h before it was created: no time to restore or recovery time;");

    /* fixed data drops its finding on the next run */
    db_exec(f->db, "UPDATE fact_incident SET resolved_at = 5400 WHERE incident_id = 7");
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    assert_rows(f->db, "SELECT count(*) FROM finding WHERE kind = 'incident_resolved_before_created'",
                "0;");
}

/*
 * deploy-pay#7 (d9, 4000) checked out its shared library first: three
 * BuildData, the library's (LIB, not in any graph) at seq 0, then pay-api
 * twice (A6 over ssh, then A3 under another spelling of the name).  The
 * build's revision is LIB, which used to make it untraceable.  pay-api's
 * revision is the first whose remote names it: A6, which deploys c6 alone
 * (c5 and below went with d2), lead time 4000 - 700 = 3300.  A3 (the later
 * row) would have deployed nothing.
 */
#define LIB "d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0d0"
static void test_build_revisions_of_the_application(void **state)
{
    fixture *f = *state;
    cw_correlate_stats s;
    db_exec(f->db,
        "INSERT INTO fact_build (build_id,source_id,job,number,application_id,result,finished_at,"
        "  revision,is_deployment,environment_id) VALUES"
        "  (9,3,'deploy-pay',7,1,'success',4000,'" LIB "',1,1);"
        "INSERT INTO fact_build_revision (application_id,build_id,seq,remote,revision) VALUES"
        "  (1,9,0,'https://git.example.com/platform/pipeline-lib.git','" LIB "'),"
        "  (1,9,1,'git@git.example.com:org/pay-api.git','" A6 "'),"
        "  (1,9,2,'https://git.example.com/org/Pay-Api/','" A3 "');"
        "INSERT INTO fact_deployment (deployment_id,build_id,application_id,environment_id,"
        "  is_production,result,finished_at,revision,run_number) VALUES"
        "  (90,9,1,1,1,'success',4000,'" LIB "',7);");
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    assert_rows(f->db, "SELECT commit_id, is_baseline, lead_time_s FROM bridge_deployment_commit "
                       "WHERE deployment_id = 90", "6|0|3300;");
    assert_rows(f->db, "SELECT traceable, commits_deployed FROM derived_deployment "
                       "WHERE deployment_id = 90", "1|1;");
    assert_rows(f->db, "SELECT subject FROM finding WHERE kind = 'untraceable_deployment' "
                       "ORDER BY 1", "deploy-legacy#1;deploy-pay#5;");
}

/* "Successful production deployment" is defined once, by the step: the
 * views (reports/sql/views.sql) count exactly the deployments it recorded in
 * derived_deployment, and follow it.  By hand: prod successes d1 (10), d2
 * (20), d5 (50), d6 (60), shop e1 (70), legacy (80); not d3 (failure, 30)
 * nor d4 (staging, 40). */
static void test_views_count_the_correlated_deployments(void **state)
{
    fixture *f = *state;
    cw_correlate_stats s;

    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    db_exec(f->db, cw_embedded_get("reports/sql/views.sql"));
    assert_rows(f->db, "SELECT deployment_id FROM derived_deployment ORDER BY 1",
                "10;20;50;60;70;80;");
    assert_rows(f->db, "SELECT deployment_id FROM v_deployments_prod ORDER BY 1",
                "10;20;50;60;70;80;");
    db_exec(f->db, "DELETE FROM derived_deployment WHERE deployment_id = 50");
    assert_rows(f->db, "SELECT deployment_id FROM v_deployments_prod ORDER BY 1",
                "10;20;60;70;80;");
}

/* The dated events are listed once, in v_events, which v_dora_weekly counts
 * and the metric samples take their values from.  By hand: deploy 6 (above;
 * d2 flagged by incidents 1 and 3, e1 by 6); deploy_failure d3; lead_time c2 800, c3
 * 750, c4 740 (d2; c5 is a merge, d1 and e1 are baselines); incident 6, none
 * resolved, so no restore or recovery; PAY-1 cycle 500 - 100 and lead 500 - 0
 * (the other items never ended). */
static void test_views_list_every_dated_event_once(void **state)
{
    fixture *f = *state;
    cw_correlate_stats s;

    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    db_exec(f->db, cw_embedded_get("reports/sql/views.sql"));
    assert_rows(f->db, "SELECT kind, count(*), sum(value), sum(flag) FROM v_events "
                       "GROUP BY kind ORDER BY kind",
                "cycle_time|1|400|0;deploy|6|NULL|2;deploy_failure|1|NULL|0;incident|6|NULL|0;"
                "item_lead_time|1|500|0;lead_time|3|2290|0;");
}

static const char *const dump_sql[] = {
    "SELECT * FROM bridge_commit_work_item ORDER BY 1, 2",
    "SELECT * FROM bridge_deployment_commit ORDER BY 1, 2",
    "SELECT * FROM derived_deployment ORDER BY 1",
    "SELECT * FROM derived_incident ORDER BY 1",
    "SELECT * FROM derived_work_item ORDER BY 1",
    "SELECT * FROM derived_status_interval ORDER BY 1, 2",
    "SELECT * FROM dim_status ORDER BY 1",
    "SELECT * FROM finding ORDER BY 1, 2",
    "SELECT * FROM derived_finding ORDER BY 1, 2",
    "SELECT * FROM derived_commit_key ORDER BY 1, 2",
    /* insertion order too: rowids follow it */
    "SELECT rowid, * FROM derived_status_interval",
    "SELECT rowid, * FROM bridge_deployment_commit",
    NULL
};

static char *dump_rows(cw_db *db, int rowids)
{
    cw_buf b = { 0 };
    for (const char *const *sql = dump_sql; *sql; sql++) {
        if (!rowids && strstr(*sql, "rowid"))
            continue;
        char *r = rows(db, *sql);
        cw_buf_printf(&b, "%s\n", r);
        free(r);
    }
    return b.data;
}

/*
 * A commit's keys, the baseline per repository and idea to production
 * (metrics.md "Idea to production", "Traceability", Decisions 7 and 10),
 * on application 3 "card" (project CARD), two repositories:
 *   card-api  k1 root 10 "CARD-4 initial"
 *             k2 <- k1 200 "CARD-1 CARD-2 shared fix"     (keys for two items)
 *             k3 <- k1 210 "wip", k4 <- k3 220 "more wip"  (a side branch)
 *             k5 = k2 + k4 300 "Merge pull request #12 from org/CARD-7-fix"
 *                  (no request #12 is loaded: git rev-list k4 ^k2 = k4 k3
 *                  take CARD-7 from the merge's message only)
 *             k6 <- k5 400 "tidy"  in open request #13, source branch
 *                  feature/CARD-8-tidy, title "Tidy up": CARD-8 from the branch only
 *             k7 <- k6 500 "Checkout (#14)": the squash commit of merged
 *                  request #14 "CARD-9 checkout", whose own two commits are
 *                  not in git (finding card-api#14, the first 5151...)
 *             k8 <- k7 600 "CARD-3 CARD-50 early": CARD-50 is not loaded
 *                  (known project: traceable, finding, derived_commit_key)
 *   card-web  w1 root 50 "CARD-1 web", w2 <- w1 700 "CARD-2 web",
 *             w3 <- w2 1800 "typo" (no key)
 * Deployments (deploy-card, production, success):
 *   g1 #1  100 k1  card-api's baseline: k1, no lead time
 *   g2 #2 1000 k8  k2 800, k3 790, k4 780, k5 merge, k6 600, k7 500, k8 400
 *   g3 #3 1500 w1  card-web's baseline (Decisions 7: not g1): w1, no lead time
 *   g4 #4 2000 w3  w3 200, w2 1300
 * Items (all created 0 but CARD-3, created 5000):
 *   CARD-1  k2 1000, w1 left aside (baseline)            -> 1000 (not 1500)
 *   CARD-2  k2 1000, w2 2000                              -> 2000
 *   CARD-3  k8 1000, before it was created at 5000: kept, a finding
 *           (4000 s = 1.11 h), no idea_to_production_s
 *   CARD-4  k1 only, shipped by a baseline deployment    -> NULL
 *   CARD-7  k3, k4 1000 (k5 is a merge)                   -> 1000
 *   CARD-8  k6 1000;  CARD-9  k7 1000
 * Traceability: non-baseline non-merge rows k2 k3 k4 k6 k7 k8 (g2), w3 w2
 * (g4): all keyed but w3: 7 of 8.  Lead-time samples: 800 + 790 + 780 +
 * 600 + 500 + 400 + 1300 + 200 = 5370 over 8.
 */
#define K1 "0a01000000000000000000000000000000000000"
#define K2 "0a02000000000000000000000000000000000000"
#define K3 "0a03000000000000000000000000000000000000"
#define K4 "0a04000000000000000000000000000000000000"
#define K5 "0a05000000000000000000000000000000000000"
#define K6 "0a06000000000000000000000000000000000000"
#define K7 "0a07000000000000000000000000000000000000"
#define K8 "0a08000000000000000000000000000000000000"
#define K9 "0a09000000000000000000000000000000000000"
#define K10 "0a10000000000000000000000000000000000000"
#define X1 "0c01000000000000000000000000000000000000"
#define W1 "0b01000000000000000000000000000000000000"
#define W2 "0b02000000000000000000000000000000000000"
#define W3 "0b03000000000000000000000000000000000000"
static const char *const card_sql =
    "INSERT INTO dim_source VALUES (5,'gh','github');"
    "INSERT INTO dim_application (application_id, name) VALUES (3,'card');"
    "INSERT INTO map_project VALUES ('CARD',3);"
    "INSERT INTO dim_work_item (work_item_id,item_key,project,source_id,application_id,item_type,"
    "  status,source_category,labels,created_at,resolved_at,has_changelog,changelog_truncated) VALUES"
    "  (31,'CARD-1','CARD',1,3,'Story','Done','done',NULL,0,NULL,1,0),"
    "  (32,'CARD-2','CARD',1,3,'Story','Done','done',NULL,0,NULL,1,0),"
    "  (33,'CARD-3','CARD',1,3,'Story','Done','done',NULL,5000,NULL,1,0),"
    "  (34,'CARD-4','CARD',1,3,'Story','Done','done',NULL,0,NULL,1,0),"
    "  (37,'CARD-7','CARD',1,3,'Story','Done','done',NULL,0,NULL,1,0),"
    "  (38,'CARD-8','CARD',1,3,'Story','Done','done',NULL,0,NULL,1,0),"
    "  (39,'CARD-9','CARD',1,3,'Story','Done','done',NULL,0,NULL,1,0);"
    "INSERT INTO fact_commit (commit_id,repository,sha,application_id,authored_at,parents,"
    "  parent_count,subject,body) VALUES"
    "  (31,'card-api','" K1 "',3,10,'',0,'CARD-4 initial',NULL),"
    "  (32,'card-api','" K2 "',3,200,'" K1 "',1,'CARD-1 CARD-2 shared fix',NULL),"
    "  (33,'card-api','" K3 "',3,210,'" K1 "',1,'wip',NULL),"
    "  (34,'card-api','" K4 "',3,220,'" K3 "',1,'more wip',NULL),"
    "  (35,'card-api','" K5 "',3,300,'" K2 " " K4 "',2,"
    "   'Merge pull request #12 from org/CARD-7-fix',NULL),"
    "  (36,'card-api','" K6 "',3,400,'" K5 "',1,'tidy',NULL),"
    "  (37,'card-api','" K7 "',3,500,'" K6 "',1,'Checkout (#14)',NULL),"
    "  (38,'card-api','" K8 "',3,600,'" K7 "',1,'CARD-3 CARD-50 early',NULL),"
    "  (41,'card-web','" W1 "',3,50,'',0,'CARD-1 web',NULL),"
    "  (42,'card-web','" W2 "',3,700,'" W1 "',1,'CARD-2 web',NULL),"
    "  (43,'card-web','" W3 "',3,1800,'" W2 "',1,'typo',NULL);"
    "INSERT INTO fact_pull_request (pull_request_id,source_id,repository,number,title,body,"
    "  source_branch,state,created_at,merged_at,merge_commit_sha,squash_commit_sha,application_id)"
    "  VALUES (13,5,'card-api',13,'Tidy up',NULL,'feature/CARD-8-tidy','open',350,NULL,NULL,"
    "   NULL,3),"
    "  (14,5,'card-api',14,'CARD-9 checkout','','checkout','merged',420,450,'" K7 "','" K7 "',3);"
    "INSERT INTO fact_pull_request_commit (pull_request_id,sha,application_id) VALUES"
    "  (13,'" K6 "',3),(14,'5151515151515151515151515151515151515151',3),"
    "  (14,'5252525252525252525252525252525252525252',3);"
    "INSERT INTO fact_build (build_id,source_id,job,number,application_id,result,finished_at,"
    "  revision,is_deployment,environment_id) VALUES"
    "  (11,3,'deploy-card',1,3,'success',100,'" K1 "',1,1),"
    "  (12,3,'deploy-card',2,3,'success',1000,'" K8 "',1,1),"
    "  (13,3,'deploy-card',3,3,'success',1500,'" W1 "',1,1),"
    "  (14,3,'deploy-card',4,3,'success',2000,'" W3 "',1,1);"
    "INSERT INTO fact_deployment (deployment_id,build_id,application_id,environment_id,"
    "  is_production,result,finished_at,revision,run_number)"
    "  SELECT build_id*10, build_id, application_id, environment_id, 1, result, finished_at,"
    "  revision, number FROM fact_build WHERE build_id > 10;";

static void expect_card(cw_db *db)
{
    assert_rows(db, "SELECT commit_id, work_item_id FROM bridge_commit_work_item "
                    "WHERE commit_id > 30 ORDER BY 1, 2",
                "31|34;32|31;32|32;33|37;34|37;35|37;36|38;37|39;38|33;41|31;42|32;");
    assert_rows(db, "SELECT item_key, commit_id FROM derived_commit_key ORDER BY 1, 2",
                "CARD-50|38;PAY-99|6;");
    assert_rows(db, "SELECT deployment_id, commit_id, is_baseline, is_merge, lead_time_s "
                    "FROM bridge_deployment_commit WHERE deployment_id > 100 ORDER BY 1, 2",
                "110|31|1|0|NULL;"
                "120|32|0|0|800;120|33|0|0|790;120|34|0|0|780;120|35|0|1|NULL;"
                "120|36|0|0|600;120|37|0|0|500;120|38|0|0|400;"
                "130|41|1|0|NULL;140|42|0|0|1300;140|43|0|0|200;");
    assert_rows(db, "SELECT deployment_id, traceable, is_baseline, commits_deployed "
                    "FROM derived_deployment WHERE deployment_id > 100 ORDER BY 1",
                "110|1|1|1;120|1|0|7;130|1|1|1;140|1|0|2;");
    assert_rows(db, "SELECT work_item_id, production_at FROM derived_work_item "
                    "WHERE work_item_id > 30 ORDER BY 1",
                "31|1000;32|2000;33|1000;34|NULL;37|1000;38|1000;39|1000;");
    assert_rows(db, "SELECT kind, subject, metric FROM derived_finding ORDER BY 1, 2",
                "item_in_production_before_created|CARD-3|idea_to_production;"
                "pull_request_commit_not_in_git|card-api#14|idea_to_production;"
                "referenced_item_not_loaded|CARD-50|idea_to_production;"
                "referenced_item_not_loaded|PAY-99|idea_to_production;");
    assert_rows(db, "SELECT detail FROM derived_finding WHERE subject = 'card-api#14'",
                "2 commit(s) of the request are not in git (the first: "
                "5151515151515151515151515151515151515151): its keys do not reach them;");
    assert_rows(db, "SELECT detail FROM derived_finding WHERE subject = 'CARD-3'",
                "in production 1.11 h before it was created: no idea-to-production time;");
}

static void test_keys_baselines_and_production(void **state)
{
    fixture *f = *state;
    cw_correlate_stats s;
    db_exec(f->db, card_sql);
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    expect_card(f->db);
    db_exec(f->db, cw_embedded_get("reports/sql/views.sql"));
    assert_rows(f->db, "SELECT count(*), sum(has_key) FROM v_traceability "
                       "WHERE application_id = 3", "8|7;");
    assert_rows(f->db, "SELECT count(*) FROM v_traceability WHERE is_baseline = 1", "0;");
    /* CARD-3: in production 4000 s before it was created: no duration */
    assert_rows(f->db, "SELECT item_key, production_at, idea_to_production_s FROM v_flow_items "
                       "WHERE item_key IN ('CARD-2', 'CARD-3') ORDER BY 1",
                "CARD-2|2000|2000;CARD-3|1000|NULL;");
    assert_rows(f->db, "SELECT count(*), sum(lead_time_s) FROM v_lead_time "
                       "WHERE application_id = 3", "8|5370;");
    /* the report's query over [1000, 2001): card 7 of 8 (0.875: w3 has no
     * key; k8's CARD-50 is not loaded but counts); pay's d2 (c2 c3 c4 at
     * 1000, all keyed) and d5 (nothing newly deployed) give 3 of 3; shop's
     * only deployment is its baseline (50, outside the window anyway): no
     * row.  Lowest share first. */
    assert_window_rows(f->db, "templates/sql/report_traceability.sql", 1000, 2001,
                       "card|8|7|1|0.875;pay|3|3|0|1.0;");
}

/* The same rows when the card data arrives in an incremental batch on top
 * of the fixture's full derivation (delta.c); then a batch edits request
 * #13 (its branch no longer names CARD-8: k6 loses it, CARD-8 has no commit
 * left, no production_at) and adds k9 = k8 + k3 "Merge CARD-2-more" (git
 * rev-list k3 ^k8 is empty: only k9's own key), x1 <- k1 and k10 = k9 + x1
 * "Merge CARD-4 follow-up" (rev-list x1 ^k9 = x1: x1 takes CARD-4, and
 * CARD-4 is now in flight, still NULL); a third one is told below.  Each
 * batch equals a full run. */
static void test_incremental_keys_equal_full(void **state)
{
    fixture *f = *state;
    cw_correlate_stats s;
    char *delta, *full;
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    assert_int_equal(cw_wh_track(f->wh, 1), 0);
    db_exec(f->db, card_sql);
    assert_int_equal(cw_correlate_delta(f->db, &f->cfg, &s), 0);
    assert_int_equal(cw_wh_track(f->wh, 0), 0);
    expect_card(f->db);

    assert_int_equal(cw_wh_track(f->wh, 1), 0);
    db_exec(f->db,
        "UPDATE fact_pull_request SET source_branch = 'feature/tidy' WHERE pull_request_id = 13;"
        "INSERT INTO fact_commit (commit_id,repository,sha,application_id,authored_at,parents,"
        "  parent_count,subject,body) VALUES"
        "  (44,'card-api','" K9 "',3,700,'" K8 " " K3 "',2,'Merge CARD-2-more',NULL),"
        "  (45,'card-api','" X1 "',3,710,'" K1 "',1,'x1',NULL),"
        "  (46,'card-api','" K10 "',3,720,'" K9 " " X1 "',2,'Merge CARD-4 follow-up',NULL);");
    assert_int_equal(cw_correlate_delta(f->db, &f->cfg, &s), 0);
    assert_int_equal(cw_wh_track(f->wh, 0), 0);
    assert_rows(f->db, "SELECT commit_id, work_item_id FROM bridge_commit_work_item "
                       "WHERE commit_id IN (36, 44, 45, 46) ORDER BY 1, 2", "44|32;45|34;46|34;");
    assert_rows(f->db, "SELECT work_item_id, production_at FROM derived_work_item "
                       "WHERE work_item_id IN (34, 38) ORDER BY 1", "34|NULL;38|NULL;");
    delta = dump_rows(f->db, 0);
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    full = dump_rows(f->db, 0);
    assert_string_equal(delta, full);
    free(delta);
    free(full);

    /* A third batch: request #14's commit 5151... arrives in git (s1 <- k8:
     * it takes CARD-9, still undeployed, so CARD-9 is in flight: NULL), its
     * other commit 5252... leaves the list (no finding is left), and request
     * #15 "CARD-8 again" is squash-merged as x1 (x1 takes CARD-8 beside
     * CARD-4's). */
    assert_int_equal(cw_wh_track(f->wh, 1), 0);
    db_exec(f->db,
        "INSERT INTO fact_commit (commit_id,repository,sha,application_id,authored_at,parents,"
        "  parent_count,subject,body) VALUES"
        "  (47,'card-api','5151515151515151515151515151515151515151',3,800,'" K8 "',1,'s1',NULL);"
        "DELETE FROM fact_pull_request_commit WHERE sha = '5252525252525252525252525252525252525252';"
        "INSERT INTO fact_pull_request (pull_request_id,source_id,repository,number,title,body,"
        "  source_branch,state,created_at,merged_at,merge_commit_sha,squash_commit_sha,"
        "  application_id) VALUES (15,5,'card-api',15,'CARD-8 again',NULL,'again','merged',700,"
        "  710,NULL,'" X1 "',3);");
    assert_int_equal(cw_correlate_delta(f->db, &f->cfg, &s), 0);
    assert_int_equal(cw_wh_track(f->wh, 0), 0);
    assert_rows(f->db, "SELECT commit_id, work_item_id FROM bridge_commit_work_item "
                       "WHERE commit_id IN (45, 47) ORDER BY 1, 2", "45|34;45|38;47|39;");
    assert_rows(f->db, "SELECT work_item_id, production_at FROM derived_work_item "
                       "WHERE work_item_id IN (38, 39) ORDER BY 1", "38|NULL;39|NULL;");
    assert_rows(f->db, "SELECT count(*) FROM derived_finding "
                       "WHERE kind = 'pull_request_commit_not_in_git'", "0;");
    delta = dump_rows(f->db, 0);
    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    full = dump_rows(f->db, 0);
    assert_string_equal(delta, full);
    free(delta);
    free(full);
}

static char *dump(cw_db *db)
{
    return dump_rows(db, 1);
}

/* A second correlation (returning rc, its counts in *second) leaves every
 * table as the first left it: a re-run changes nothing, nor does a failure. */
static void expect_tables_kept(fixture *f, int rc, cw_correlate_stats *second)
{
    char *before = dump(f->db), *after;
    assert_true(strlen(before) > 200);
    assert_int_equal(cw_correlate(f->db, &f->cfg, second), rc);
    after = dump(f->db);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_rerun_is_identical(void **state)
{
    fixture *f = *state;
    cw_correlate_stats s1, s2;

    assert_int_equal(cw_correlate(f->db, &f->cfg, &s1), 0);
    expect_tables_kept(f, 0, &s2);
    assert_memory_equal(&s1, &s2, sizeof(s1));
}

static void test_failure_leaves_tables_alone(void **state)
{
    fixture *f = *state;
    cw_correlate_stats s;

    assert_int_equal(cw_correlate(f->db, &f->cfg, &s), 0);
    f->cfg.key_pattern = "([A-Z]+";         /* does not compile */
    expect_tables_kept(f, -1, &s);
    assert_int_equal(s.commit_links, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit_links, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deployments_and_lead_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_build_revisions_of_the_application, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incidents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_work_items_and_statuses, setup, teardown),
        cmocka_unit_test_setup_teardown(test_status_category_any_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_negative_durations_excluded_and_reported, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_views_count_the_correlated_deployments, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_views_list_every_dated_event_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_keys_baselines_and_production, setup, teardown),
        cmocka_unit_test_setup_teardown(test_incremental_keys_equal_full, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rerun_is_identical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failure_leaves_tables_alone, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
