/*
 * test_csv_source.c - the generic CSV connector (extract/csv_source.c) on
 * hand-written files, one per target: an in-house incident list, a CAB
 * approval log read as transitions into the gate status, a weekly KPI
 * series; missing columns, bad cells, the configuration check, and the
 * period forms of a KPI (cw_time_parse_period).
 *
 * Expected instants are worked out by hand: day number since 1970-01-01
 * times 86400 plus the clock time.  2024-01-01 = 19723 (54 * 365 + 13 leap
 * days), 2025-01-01 = 19723 + 366 = 20089, 2026-01-01 = 20089 + 365 =
 * 20454, so 2026-03-01 = 20454 + 31 + 28 = 20513 (a Sunday: (20513 + 3) %
 * 7 = 6), 2026-03-02 = 20514 (Monday).  ISO week 1 of 2026 holds Thursday
 * 2026-01-01 and starts on Monday 2025-12-29 = 20451, so week 10 starts at
 * 20451 + 63 = 20514.  2020-01-01 = 19723 - 4 * 365 - 1 = 18262; 2020-12-28
 * = 18262 + 366 - 4 = 18624, the Monday of 2020's week 53 (its Thursday,
 * Dec 31, is in 2020); 2021 has no week 53 (its would-be Thursday is
 * 2022-01-06).  2027-01-01 = 20454 + 365 = 20819, so 2027-01-04 = 20822
 * and 2027-03-15 = 20819 + 31 + 28 + 14 = 20892.
 */
#include "support.h"
#include "extract/source.h"
#include "core/config.h"
#include "core/time.h"

#include <string.h>

extern const cw_source_type cw_source_csv;

#define DAY(n) ((int64_t)(n) * 86400)
#define HM(h, m) ((int64_t)(h) * 3600 + (int64_t)(m) * 60)

static int parse_csv(const char *text, cw_kv *keys, size_t n, cw_capture *cap)
{
    cw_source src = cw_test_source_of("tool", "csv", keys, n);
    cw_capture_init(cap);
    return cw_source_csv.parse(&src, cw_temp_file(text, ".csv"), &cap->sink);
}

/* ------------------------------------------------------------- incident */

static void test_incident_target(void **state)
{
    cw_kv keys[] = {
        { "target", "incident", 2 }, { "column.id", "Ticket", 3 },
        { "column.created_at", "Opened", 4 }, { "column.resolved_at", "Closed", 5 },
        { "column.title", "What", 6 }, { "default.service", "Mainframe", 7 },
        { "timezone", "+01:00", 8 },
    };
    cw_capture cap;
    const cw_incident *i;
    (void)state;
    assert_int_equal(parse_csv(
        "Ticket,Opened,Closed,What,Status,service\n"
        "T-1,2026-03-02 10:00,2026-03-02 12:30,Batch late,RESOLVED,\n"
        "T-2,2026-03-02T10:00:00Z,,Queue full,Open,MQ\n"
        ",2026-03-02 10:00,,no id,,\n"
        "T-4,02/03/2026,,bad date,,\n"
        "\n"
        "T-5,,,no opening,,\n", keys, 7, &cap), 0);
    assert_int_equal(cap.n_incidents, 2);
    assert_int_equal(cap.n_rejects, 3);

    i = cw_capture_incident(&cap, "T-1");
    assert_non_null(i);
    assert_int_equal(i->origin.record, 2);
    assert_int_equal(i->created_at, DAY(20514) + HM(9, 0));       /* 10:00 at +01:00 */
    assert_int_equal(i->resolved_at, DAY(20514) + HM(11, 30));
    assert_string_equal(i->title, "Batch late");
    assert_string_equal(i->status, "resolved");                   /* lower case */
    assert_string_equal(i->service, "Mainframe");                 /* the default: empty cell */
    assert_true(i->updated_at == CW_NO_TIME);
    assert_int_equal(i->version, -1);

    i = cw_capture_incident(&cap, "T-2");
    assert_non_null(i);
    assert_int_equal(i->created_at, DAY(20514) + HM(10, 0));      /* its own offset wins */
    assert_true(i->resolved_at == CW_NO_TIME);
    assert_string_equal(i->service, "MQ");
    assert_null(i->number);

    cw_expect_reject(&cap, 0, 4, "id", "empty id (column 'Ticket')");
    cw_expect_reject(&cap, 1, 5, "created_at", "unparseable timestamp '02/03/2026'");
    /* a blank line is no CSV record: T-5 is record 6 */
    cw_expect_reject(&cap, 2, 6, "created_at", "column 'Opened'");
    cw_capture_free(&cap);
}

/* ----------------------------------------------------------- transition */

/* A CAB approval log: each approval request is a transition into the gate
 * status "CAB Approval", which no column names (default.to). */
static void test_transition_target_cab_log(void **state)
{
    cw_kv keys[] = {
        { "target", "transition", 2 }, { "column.item", "Change", 3 },
        { "column.at", "Requested", 4 }, { "column.from", "Before", 5 },
        { "default.to", "CAB Approval", 6 }, { "date_format", "dd.MM.yyyy HH:mm", 7 },
    };
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_csv(
        "Change,Requested,Before,Board\n"
        "PAY-12,01.03.2026 09:15,In Review,weekly\n"
        "PAY-13,2026-03-02T08:00:00Z,,weekly\n"
        "PAY-14,,In Review,weekly\n", keys, 6, &cap), 0);
    assert_int_equal(cap.n_transitions, 2);
    assert_int_equal(cap.n_rejects, 1);
    assert_string_equal(cap.transitions[0].item_key, "PAY-12");
    assert_int_equal(cap.transitions[0].at, DAY(20513) + HM(9, 15));
    assert_string_equal(cap.transitions[0].from_status, "In Review");
    assert_string_equal(cap.transitions[0].to_status, "CAB Approval");
    assert_null(cap.transitions[0].history_id);
    assert_null(cap.transitions[0].item_id);
    assert_string_equal(cap.transitions[1].item_key, "PAY-13");
    assert_int_equal(cap.transitions[1].at, DAY(20514) + HM(8, 0));
    assert_null(cap.transitions[1].from_status);
    cw_expect_reject(&cap, 0, 4, "at", "empty at (column 'Requested')");
    cw_capture_free(&cap);
}

/* ------------------------------------------------------------------ kpi */

static void test_kpi_target(void **state)
{
    cw_kv keys[] = {
        { "target", "kpi", 2 }, { "column.application", "App", 3 },
        { "column.name", "Metric", 4 }, { "column.at", "Week", 5 },
    };
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_csv(
        "App,Metric,Week,value\n"
        "payments,NPS,2026-W10,42\n"
        "payments,NPS,2026-03-09,-3.5\n"
        "payments,revenue,2026-03,1e3\n"
        "payments,NPS,2026-W99,1\n"
        "payments,NPS,2026-W11,1 234\n"
        ",NPS,2026-W11,7\n", keys, 4, &cap), 0);
    assert_int_equal(cap.n_kpis, 3);
    assert_int_equal(cap.n_rejects, 3);
    assert_string_equal(cap.kpis[0].application, "payments");
    assert_string_equal(cap.kpis[0].name, "NPS");
    assert_int_equal(cap.kpis[0].at, DAY(20514));                 /* Monday of week 10 */
    assert_true(cap.kpis[0].value == 42.0);
    assert_int_equal(cap.kpis[0].origin.record, 2);
    assert_int_equal(cap.kpis[1].at, DAY(20521));                 /* a date: that day */
    assert_true(cap.kpis[1].value == -3.5);
    assert_string_equal(cap.kpis[2].name, "revenue");
    assert_int_equal(cap.kpis[2].at, DAY(20513));                 /* March 1st */
    assert_true(cap.kpis[2].value == 1000.0);
    cw_expect_reject(&cap, 0, 5, "at", "2026-W99");
    cw_expect_reject(&cap, 1, 6, "value", "not a number '1 234'");
    cw_expect_reject(&cap, 2, 7, "application", "empty application");
    cw_capture_free(&cap);
}

/* -------------------------------------------------------------- release */

/* A mainframe release calendar: its dates are days (midnight UTC, whatever
 * the timezone), released a yes/no. */
static void test_release_target(void **state)
{
    cw_kv keys[] = {
        { "target", "release", 2 }, { "column.project", "Project", 3 },
        { "column.name", "Release", 4 }, { "column.start", "Start", 5 },
        { "column.release_date", "Go-live", 6 }, { "column.released", "Done?", 7 },
        { "timezone", "+05:00", 8 },
    };
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_csv(
        "Project,Release,Start,Go-live,Done?\n"
        "MF,MAINFRAME 2027.1,2027-01-04 10:30,2027-03-15,Yes\n"
        "MF,MAINFRAME 2027.2,,,\n"
        "MF,MAINFRAME 2027.3,,2027-06-30,maybe\n"
        ",MAINFRAME 2027.4,,,\n", keys, 7, &cap), 0);
    assert_int_equal(cap.n_releases, 2);
    assert_int_equal(cap.n_rejects, 2);
    assert_string_equal(cap.releases[0].project, "MF");
    assert_string_equal(cap.releases[0].name, "MAINFRAME 2027.1");
    assert_int_equal(cap.releases[0].start_at, DAY(20822));       /* the day, not 05:30 UTC */
    assert_int_equal(cap.releases[0].release_at, DAY(20892));
    assert_int_equal(cap.releases[0].released, 1);
    assert_null(cap.releases[0].external_id);
    assert_true(cap.releases[1].start_at == CW_NO_TIME);
    assert_true(cap.releases[1].release_at == CW_NO_TIME);
    assert_int_equal(cap.releases[1].released, 0);
    cw_expect_reject(&cap, 0, 4, "released", "not yes or no: 'maybe'");
    cw_expect_reject(&cap, 1, 5, "project", "empty project (column 'Project')");
    cw_capture_free(&cap);
}

static void test_period_forms(void **state)
{
    int64_t t = -1;
    (void)state;
    assert_int_equal(cw_time_parse_period("2026-W01", &t), 0);
    assert_int_equal(t, DAY(20451));
    assert_int_equal(cw_time_parse_period("2026-W10", &t), 0);
    assert_int_equal(t, DAY(20514));
    assert_int_equal(cw_time_parse_period("2020-W53", &t), 0);
    assert_int_equal(t, DAY(18624));
    assert_int_equal(cw_time_parse_period("2026-03", &t), 0);
    assert_int_equal(t, DAY(20513));
    t = 7;
    assert_int_equal(cw_time_parse_period("2021-W53", &t), -1);
    assert_int_equal(cw_time_parse_period("2026-W00", &t), -1);
    assert_int_equal(cw_time_parse_period("2026-13", &t), -1);
    assert_int_equal(cw_time_parse_period("2026-00", &t), -1);
    assert_int_equal(cw_time_parse_period("2026-3", &t), -1);
    assert_int_equal(cw_time_parse_period("2026-03-02", &t), -1);
    assert_int_equal(cw_time_parse_period("1969-12", &t), CW_TIME_RANGE);
    assert_int_equal(t, 7);                                       /* untouched on failure */
}

/* --------------------------------------------------------------- errors */

/* Required columns missing from the header: one reject of the file naming
 * each, and no record at all. */
static void test_missing_columns(void **state)
{
    cw_kv keys[] = { { "target", "incident", 2 }, { "column.created_at", "Opened", 3 } };
    cw_kv with_default[] = { { "target", "transition", 2 }, { "default.to", "Done", 3 } };
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_csv("Number,Created\nT-1,2026-03-02\n", keys, 2, &cap), -1);
    assert_int_equal(cap.n_incidents, 0);
    assert_int_equal(cap.n_rejects, 1);
    cw_expect_reject(&cap, 0, 1, "id", "missing column 'id' (field id), 'Opened' (field "
                     "created_at) of target incident");
    assert_non_null(strstr(cap.rejects[0].origin.file, ".csv"));
    cw_capture_free(&cap);

    /* a required field with a default needs no column */
    assert_int_equal(parse_csv("item,at\nX-1,2026-03-02\n", with_default, 2, &cap), 0);
    assert_int_equal(cap.n_transitions, 1);
    assert_string_equal(cap.transitions[0].to_status, "Done");
    cw_capture_free(&cap);

    assert_int_equal(parse_csv("", with_default, 2, &cap), -1);
    cw_expect_reject(&cap, 0, 0, NULL, "no header row");
    cw_capture_free(&cap);

    assert_int_equal(parse_csv("item,at\n\"X-1,2026\n", with_default, 2, &cap), -1);
    cw_expect_reject(&cap, 0, 0, NULL, "unreadable CSV");
    cw_capture_free(&cap);
}

static void test_validate(void **state)
{
    static const struct {
        const char *k1, *v1, *k2, *v2;
        int rc;
    } cases[] = {
        { "target", "kpi", "column.value", "NPS", 0 },
        { "target", "KPI", "default.name", "NPS", 0 },          /* target: any case */
        { "target", "releases", NULL, NULL, -1 },               /* not a target */
        { "target", "release", "column.start", "Start", 0 },
        { "column.id", "x", NULL, NULL, -1 },                   /* no target */
        { "target", "kpi", "column.id", "Ticket", -1 },         /* not a field of kpi */
        { "target", "incident", "column.id", "", -1 },          /* empty header name */
        { "target", "incident", "timezone", "Nowhere/City", -1 },
        { "target", "incident", "date_format", "dd.MM.yyyy HH:mm", 0 },
        { "target", "incident", "date_format", "MM-yyyy", -1 },      /* no day */
    };
    (void)state;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        cw_kv kv[] = { { (char *)cases[k].k1, (char *)cases[k].v1, 2 },
                       { (char *)cases[k].k2, (char *)cases[k].v2, 3 } };
        cw_source src = cw_test_source_of("tool", "csv", kv, cases[k].k2 ? 2 : 1);
        assert_int_equal(cw_source_csv.validate(&src), cases[k].rc);
    }
    assert_ptr_equal(cw_source_type_find("csv"), &cw_source_csv);
    assert_null(cw_source_csv.fetch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_incident_target),
        cmocka_unit_test(test_transition_target_cab_log),
        cmocka_unit_test(test_kpi_target),
        cmocka_unit_test(test_release_target),
        cmocka_unit_test(test_period_forms),
        cmocka_unit_test(test_missing_columns),
        cmocka_unit_test(test_validate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
