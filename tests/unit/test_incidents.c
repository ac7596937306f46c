/*
 * test_incidents.c - the PagerDuty and ServiceNow connectors on the real
 * DevLake PagerDuty recording, a hand-written ServiceNow event-log export
 * (tests/data/servicenow) and small hand-written inputs: every envelope, UI labels, the Table API value
 * shapes, configured time zones, rejects for bad timestamps, bad JSON and
 * missing columns, and config validation.
 *
 * Expected instants are worked out by hand: day number since 1970-01-01
 * times 86400 plus the clock time.  Days used: 2016-03-01 = 16861,
 * 2016-03-02 = 16862, 2022-11-03 = 19299; 2024-01-01 = 54 * 365 + 13 leap
 * days = 19723, so 2024-02-29 = 19723 + 31 + 28 = 19782, 2024-03-01 = 19783,
 * 2024-03-02 = 19784, 2024-03-03 = 19785, 2024-03-05 = 19787.
 * Opsgenie: 2023-01-01 = 19723 - 365 = 19358; 2023-09-05 = 19358 + 243
 * (January to August) + 4 = 19605, 2023-09-06 = 19606.
 */
#include "support.h"
#include "extract/source.h"
#include "core/config.h"

#include <string.h>

extern const cw_source_type cw_source_pagerduty;
extern const cw_source_type cw_source_servicenow;
extern const cw_source_type cw_source_opsgenie;

#define DAY(n) ((int64_t)(n) * 86400)
#define HM(h, m) ((int64_t)(h) * 3600 + (int64_t)(m) * 60)

static const cw_incident *find_version(const cw_capture *cap, const char *id, long version)
{
    for (size_t i = 0; i < cap->n_incidents; i++)
        if (strcmp(cap->incidents[i].id, id) == 0 && cap->incidents[i].version == version)
            return &cap->incidents[i];
    return NULL;
}

/* cap holds exactly n_incidents incidents and n_rejects rejects. */
static void expect_counts(const cw_capture *cap, size_t n_incidents, size_t n_rejects)
{
    assert_int_equal(cap->n_incidents, n_incidents);
    assert_int_equal(cap->n_rejects, n_rejects);
}

/* cap holds one incident, id: returns it. */
static const cw_incident *only_incident(const cw_capture *cap, const char *id)
{
    assert_int_equal(cap->n_incidents, 1);
    assert_string_equal(cap->incidents[0].id, id);
    return &cap->incidents[0];
}

/* i, which must have been emitted, and from record `record` unless that is -1. */
static const cw_incident *from_record(const cw_incident *i, long record)
{
    if (record >= 0)
        assert_int_equal(i->origin.record, record);
    return i;
}

/* The incident id (any version), which must have been emitted (from record
 * `record`, unless -1). */
static const cw_incident *must_incident(const cw_capture *cap, const char *id, long record)
{
    return from_record(cw_found(cw_capture_incident(cap, id), "incident %s", id), record);
}

/* Version `version` of incident id, likewise. */
static const cw_incident *must_version(const cw_capture *cap, const char *id, long version,
                                       long record)
{
    return from_record(cw_found(find_version(cap, id, version), "incident %s version %ld", id,
                                version), record);
}

static size_t count_id(const cw_capture *cap, const char *id)
{
    size_t n = 0;
    for (size_t i = 0; i < cap->n_incidents; i++)
        n += strcmp(cap->incidents[i].id, id) == 0;
    return n;
}

static size_t distinct_ids(const cw_capture *cap)
{
    size_t n = 0;
    for (size_t i = 0; i < cap->n_incidents; i++) {
        size_t j;
        for (j = 0; j < i && strcmp(cap->incidents[j].id, cap->incidents[i].id) != 0; j++)
            ;
        n += j == i;
    }
    return n;
}

/* ================================================================ PagerDuty */

static int parse_pd(const char *path, cw_kv *keys, size_t n, cw_capture *cap)
{
    cw_source src = cw_test_source_of("pd", "pagerduty", keys, n);
    cw_capture_init(cap);
    return cw_source_pagerduty.parse(&src, path, &cap->sink);
}

static void test_pd_devlake_fixture(void **state)
{
    cw_capture cap;
    const cw_incident *i;
    (void)state;
    assert_int_equal(parse_pd(cw_fixture("pagerduty/devlake_raw_pagerduty_incidents.csv"),
                              NULL, 0, &cap), 0);
    expect_counts(&cap, 3, 0);

    i = must_incident(&cap, "Q3YON8WNWTZMRQ", -1);
    assert_string_equal(i->origin.source, "pd");
    assert_int_equal(i->origin.record, 2);      /* header is CSV record 1 */
    assert_string_equal(i->number, "4");
    assert_string_equal(i->title, "Crash reported");
    assert_string_equal(i->description, "[#4] Crash reported");
    assert_string_equal(i->service, "DevService");
    assert_string_equal(i->status, "triggered");
    assert_string_equal(i->severity, "high");
    /* 2022-11-03T06:23:06.000000Z */
    assert_int_equal(i->created_at, DAY(19299) + HM(6, 23) + 6);
    assert_true(i->resolved_at == CW_NO_TIME);
    /* no updated_at: the last status change, 07:02:36 */
    assert_int_equal(i->updated_at, DAY(19299) + HM(7, 2) + 36);
    assert_int_equal(i->version, -1);

    i = must_incident(&cap, "Q3CZAU7Q4008QD", -1);
    assert_string_equal(i->number, "5");
    assert_string_equal(i->status, "acknowledged");
    assert_int_equal(i->created_at, DAY(19299) + HM(6, 44) + 28);
    assert_true(i->resolved_at == CW_NO_TIME);

    /* Resolved without resolved_at: last_status_change_at 06:51:44. */
    i = must_incident(&cap, "Q1OHFWFP3GPXOG", 4);
    assert_string_equal(i->status, "resolved");
    assert_string_equal(i->severity, "low");
    assert_int_equal(i->created_at, DAY(19299) + HM(6, 45) + 36);
    assert_int_equal(i->resolved_at, DAY(19299) + HM(6, 51) + 44);
    cw_capture_free(&cap);
}

static const char pd_page[] =
    "{\"incidents\": [\n"
    "  {\"id\": \"PA1\", \"incident_number\": 1234, \"title\": \"DB down\",\n"
    "   \"summary\": \"[#1234] DB down\", \"description\": \"DB down after deploy 42\",\n"
    "   \"status\": \"RESOLVED\", \"priority\": {\"summary\": \"P2\"},\n"
    "   \"service\": {\"id\": \"S1\", \"summary\": \"payments\"},\n"
    "   \"created_at\": \"2015-10-06T21:30:42Z\", \"updated_at\": \"2015-10-06T23:00:00Z\",\n"
    "   \"resolved_at\": \"2015-10-06T22:30:42Z\",\n"
    "   \"last_status_change_at\": \"2015-10-06T22:40:00Z\"},\n"
    "  {\"id\": \"PA2\", \"incident_number\": 1235, \"status\": \"triggered\",\n"
    "   \"created_at\": \"06/10/2015 21:30\"},\n"
    "  {\"id\": \"PA3\", \"incident_number\": 1236, \"status\": \"acknowledged\", \"urgency\": \"low\",\n"
    "   \"priority\": null, \"created_at\": \"2015-10-07T01:00:00+02:00\", \"resolved_at\": null}\n"
    "], \"limit\": 25, \"offset\": 0, \"more\": false, \"total\": null}\n";

static void test_pd_page_envelope_and_bad_time(void **state)
{
    cw_capture cap;
    const cw_incident *i;
    int64_t day = DAY(16714);      /* 2015-10-06 = 16436 + 273 + 5 */
    (void)state;
    assert_int_equal(parse_pd(cw_temp_file(pd_page, ".json"), NULL, 0, &cap), 0);
    expect_counts(&cap, 2, 1);

    i = must_incident(&cap, "PA1", 1);
    assert_string_equal(i->number, "1234");
    assert_string_equal(i->description, "DB down after deploy 42");
    assert_string_equal(i->status, "resolved");
    assert_string_equal(i->severity, "P2");     /* no urgency: priority.summary */
    assert_string_equal(i->service, "payments");
    assert_int_equal(i->created_at, day + HM(21, 30) + 42);
    assert_int_equal(i->resolved_at, day + HM(22, 30) + 42);   /* not last_status_change_at */
    assert_int_equal(i->updated_at, day + HM(23, 0));

    /* The bad timestamp names record and field; the record after it still came through. */
    cw_expect_reject(&cap, 0, 2, "created_at", "06/10/2015 21:30");
    assert_non_null(cap.rejects[0].raw);
    assert_non_null(strstr(cap.rejects[0].raw, "PA2"));
    assert_null(cw_capture_incident(&cap, "PA2"));

    i = must_incident(&cap, "PA3", 3);
    assert_int_equal(i->created_at, day + HM(23, 0));   /* 01:00+02:00 on the 7th */
    assert_true(i->resolved_at == CW_NO_TIME);
    assert_true(i->updated_at == CW_NO_TIME);
    assert_string_equal(i->severity, "low");
    assert_null(i->service);
    assert_null(i->title);
    cw_capture_free(&cap);
}

static void test_pd_array_and_single(void **state)
{
    cw_capture cap;
    const cw_incident *i;
    (void)state;
    assert_int_equal(parse_pd(cw_temp_file(
        "[{\"id\":\"X1\",\"status\":\"triggered\",\"created_at\":\"2022-11-03T06:23:06Z\"},"
        " {\"id\":\"X2\",\"status\":\"resolved\",\"created_at\":\"2022-11-03T06:23:06Z\","
        "  \"last_status_change_at\":\"2022-11-03T07:23:06Z\"}]", ".json"), NULL, 0, &cap), 0);
    expect_counts(&cap, 2, 0);
    i = must_incident(&cap, "X2", 2);
    assert_int_equal(i->resolved_at, DAY(19299) + HM(7, 23) + 6);
    assert_null(i->number);
    cw_capture_free(&cap);

    assert_int_equal(parse_pd(cw_temp_file(
        "{\"incident\": {\"id\":\"Y1\",\"incident_number\":\"7\",\"status\":\"acknowledged\","
        "\"created_at\":\"2022-11-03T06:23:06Z\"}}", ".json"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_incidents, 1);
    assert_string_equal(cap.incidents[0].id, "Y1");
    assert_string_equal(cap.incidents[0].number, "7");
    cw_capture_free(&cap);

    assert_int_equal(parse_pd(cw_temp_file(
        "{\"id\":\"Z1\",\"status\":\"triggered\",\"created_at\":\"2022-11-03 06:23:06\"}", ".json"),
        NULL, 0, &cap), 0);
    assert_int_equal(cap.n_incidents, 1);
    assert_int_equal(cap.incidents[0].created_at, DAY(19299) + HM(6, 23) + 6);
    cw_capture_free(&cap);
}

static void test_pd_timezone_for_naive_times(void **state)
{
    cw_kv keys[] = { { "timezone", "+05:30", 3 } };
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_pd(cw_temp_file(
        "{\"id\":\"Z1\",\"status\":\"triggered\",\"created_at\":\"2022-11-03 06:23:06\","
        "\"updated_at\":\"2022-11-03T06:23:06Z\"}", ".json"), keys, 1, &cap), 0);
    assert_int_equal(cap.n_incidents, 1);
    assert_int_equal(cap.incidents[0].created_at, DAY(19299) + HM(6, 23) + 6 - HM(5, 30));
    assert_int_equal(cap.incidents[0].updated_at, DAY(19299) + HM(6, 23) + 6);
    cw_capture_free(&cap);
}

static void test_pd_bad_json_and_wrong_document(void **state)
{
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_pd(cw_temp_file(
        "{\"incidents\": [\n  {\"id\": \"P1\"},\n  {\"id\": \"P2\",,}\n]}\n", ".json"),
        NULL, 0, &cap), -1);
    assert_int_equal(cap.n_incidents, 0);
    cw_expect_rejects(&cap, 1, {-1, NULL, "line 3"});
    assert_non_null(cap.rejects[0].origin.file);
    cw_capture_free(&cap);

    assert_int_equal(parse_pd(cw_temp_file("{\"users\": []}", ".json"), NULL, 0, &cap), -1);
    expect_counts(&cap, 0, 1);
    cw_capture_free(&cap);

    /* An incident without an id is a reject, not a crash. */
    assert_int_equal(parse_pd(cw_temp_file("[{\"status\":\"triggered\"}, 5]", ".json"),
                              NULL, 0, &cap), 0);
    expect_counts(&cap, 0, 2);
    assert_string_equal(cap.rejects[0].field, "id");
    assert_int_equal(cap.rejects[1].origin.record, 2);
    cw_capture_free(&cap);
}

/* A BOM before the page and one number no JSON reader holds used to lose
 * the whole page; an instant past 2200 loaded and never showed.  Now each
 * incident is judged on its own and the field is named. */
static void test_pd_out_of_range(void **state)
{
    static const char page[] =
        "\xEF\xBB\xBF{\"incidents\": [\n"
        "  {\"id\": \"PA1\", \"incident_number\": 123456789012345678901234567890,\n"
        "   \"status\": \"triggered\", \"created_at\": \"2015-10-06T21:30:42Z\"},\n"
        "  {\"id\": \"PA2\", \"incident_number\": 12, \"status\": \"triggered\",\n"
        "   \"created_at\": \"2015-10-06T21:30:42Z\", \"urgency\": \"high\", \"x\": -1e400},\n"
        "  {\"id\": \"PA3\", \"status\": \"triggered\", \"created_at\": \"2201-01-01T00:00:00Z\"}]}";
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_pd(cw_temp_file(page, ".json"), NULL, 0, &cap), 0);
    assert_string_equal(only_incident(&cap, "PA2")->number, "12");
    cw_expect_rejects(&cap, 2, {1, "incident_number", "out of range"},
                      {3, "created_at", "outside 1970-01-01 .. 2200-01-01"});
    cw_capture_free(&cap);
}

static void test_pd_validate(void **state)
{
    /* no timezone key, a real zone, a zone that does not exist */
    static const struct {
        const char *timezone;
        int rc;
    } cases[] = { {NULL, 0}, {"Europe/Paris", 0}, {"Nowhere/City", -1} };
    (void)state;
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        cw_kv tz = { "timezone", (char *)cases[k].timezone, 4 };
        cw_source src = cw_test_source_of("pd", "pagerduty", &tz, cases[k].timezone != NULL);
        assert_int_equal(cw_source_pagerduty.validate(&src), cases[k].rc);
    }
    assert_string_equal(cw_source_pagerduty.name, "pagerduty");
    assert_string_equal(cw_source_pagerduty.keys[0], "timezone");
    assert_null(cw_source_pagerduty.produce);
}

/* ================================================================ Opsgenie */

static int parse_og(const char *path, cw_kv *keys, size_t n, cw_capture *cap)
{
    cw_source src = cw_test_source_of("og", "opsgenie", keys, n);
    cw_capture_init(cap);
    return cw_source_opsgenie.parse(&src, path, &cap->sink);
}

/* The real DevLake recording: one open incident, one resolved with
 * impactEndDate; fractional seconds of 3 digits and of 2 ("21.49Z"). */
static void test_og_devlake_fixture(void **state)
{
    cw_capture cap;
    const cw_incident *i;
    (void)state;
    assert_int_equal(parse_og(cw_fixture("opsgenie/devlake_raw_opsgenie_incidents.csv"),
                              NULL, 0, &cap), 0);
    expect_counts(&cap, 2, 0);

    i = must_incident(&cap, "3a74524a-f492-4172-b3f5-6041c7cb404a", 2);
    assert_string_equal(i->number, "3");                /* tinyId */
    assert_string_equal(i->title, "Incident#1");        /* message */
    assert_string_equal(i->description, "Test Description");
    assert_string_equal(i->service, "695bce3d-4621-4630-8ae1-24eb89c22d6e");
    assert_string_equal(i->status, "open");
    assert_string_equal(i->severity, "P3");
    assert_int_equal(i->created_at, DAY(19606) + HM(14, 30) + 56);     /* .346 dropped */
    assert_int_equal(i->updated_at, DAY(19606) + HM(14, 30) + 57);
    assert_true(i->resolved_at == CW_NO_TIME);
    assert_int_equal(i->version, -1);

    i = must_incident(&cap, "3f84e009-7548-4e7d-832a-fa82c1ceb6b1", 3);
    assert_string_equal(i->number, "1");
    assert_string_equal(i->status, "resolved");
    assert_string_equal(i->severity, "P5");
    assert_int_equal(i->created_at, DAY(19605) + HM(18, 20) + 28);
    /* impactEndDate 18:21:21.49Z: two fractional digits */
    assert_int_equal(i->resolved_at, DAY(19605) + HM(18, 21) + 21);
    cw_capture_free(&cap);
}

static const char og_page[] =
    "{\"data\": [\n"
    "  {\"id\": \"A1\", \"tinyId\": \"7\", \"message\": \"DB down\", \"status\": \"CLOSED\",\n"
    "   \"priority\": \"P1\", \"impactedServices\": [\"svc-db\", \"svc-web\"],\n"
    "   \"createdAt\": \"2023-09-05T10:00:00.5Z\", \"updatedAt\": \"2023-09-05T11:30:00Z\"},\n"
    "  {\"id\": \"A2\", \"status\": \"open\", \"createdAt\": \"yesterday\"},\n"
    "  {\"id\": \"A3\", \"status\": \"open\", \"impactedServices\": [],\n"
    "   \"createdAt\": \"2023-09-06T02:00:00+02:00\", \"impactEndDate\": \"\"},\n"
    "  {\"status\": \"open\", \"createdAt\": \"2023-09-06T02:00:00Z\"}\n"
    "], \"paging\": {\"first\": \"https://api.opsgenie.com/v1/incidents?offset=0\"},\n"
    " \"took\": 0.05, \"requestId\": \"r1\"}\n";

static void test_og_page_and_rejects(void **state)
{
    cw_capture cap;
    const cw_incident *i;
    (void)state;
    assert_int_equal(parse_og(cw_temp_file(og_page, ".json"), NULL, 0, &cap), 0);
    expect_counts(&cap, 2, 2);

    /* closed without impactEndDate: resolved at its last update */
    i = must_incident(&cap, "A1", 1);
    assert_string_equal(i->status, "closed");
    assert_string_equal(i->service, "svc-db");          /* the first impacted service */
    assert_int_equal(i->created_at, DAY(19605) + HM(10, 0));
    assert_int_equal(i->resolved_at, DAY(19605) + HM(11, 30));

    cw_expect_reject(&cap, 0, 2, "createdAt", "yesterday");
    assert_null(cw_capture_incident(&cap, "A2"));

    i = must_incident(&cap, "A3", 3);
    assert_int_equal(i->created_at, DAY(19606));        /* 02:00+02:00 */
    assert_null(i->service);
    assert_null(i->number);
    assert_true(i->resolved_at == CW_NO_TIME);          /* "" is no instant */
    assert_true(i->updated_at == CW_NO_TIME);

    cw_expect_reject(&cap, 1, 4, "id", "without an id");
    cw_capture_free(&cap);
}

static void test_og_single_and_wrong_documents(void **state)
{
    cw_kv tz = { "timezone", "+05:30", 3 };
    cw_capture cap;
    (void)state;
    /* GET /v1/incidents/{id} wraps one incident in data; a naive time reads in timezone */
    assert_int_equal(parse_og(cw_temp_file(
        "{\"data\": {\"id\": \"S1\", \"status\": \"open\", \"createdAt\": \"2023-09-06 05:30:00\"},"
        " \"took\": 0.01, \"requestId\": \"r\"}", ".json"), &tz, 1, &cap), 0);
    assert_int_equal(only_incident(&cap, "S1")->created_at, DAY(19606));
    cw_capture_free(&cap);

    assert_int_equal(parse_og(cw_temp_file("{\"alerts\": []}", ".json"), NULL, 0, &cap), -1);
    cw_expect_reject(&cap, 0, 0, NULL, "not an Opsgenie document");
    cw_capture_free(&cap);

    assert_int_equal(parse_og(cw_temp_file("{\"data\": [", ".json"), NULL, 0, &cap), -1);
    cw_expect_reject(&cap, 0, 0, NULL, "not JSON");
    cw_capture_free(&cap);

    assert_int_equal(parse_og(cw_temp_file("[{\"id\": \"T\", \"createdAt\": 1693958400}]",
                                           ".json"), NULL, 0, &cap), 0);
    cw_expect_reject(&cap, 0, 1, "createdAt", "not a string");
    cw_capture_free(&cap);
}

static void test_og_validate(void **state)
{
    cw_kv good = { "timezone", "Europe/Paris", 4 }, bad = { "timezone", "Nowhere/City", 4 };
    cw_source a = cw_test_source_of("og", "opsgenie", &good, 1);
    cw_source b = cw_test_source_of("og", "opsgenie", &bad, 1);
    (void)state;
    assert_int_equal(cw_source_opsgenie.validate(&a), 0);
    assert_int_equal(cw_source_opsgenie.validate(&b), -1);
    assert_non_null(cw_source_opsgenie.fetch);
    assert_int_equal(cw_source_opsgenie.auth_kind, CW_AUTH_OPSGENIE);
    assert_ptr_equal(cw_source_type_find("opsgenie"), &cw_source_opsgenie);
}

/* =============================================================== ServiceNow */

static int parse_sn(const char *path, cw_kv *keys, size_t n, cw_capture *cap)
{
    cw_source src = cw_test_source_of("sn", "servicenow", keys, n);
    cw_capture_init(cap);
    return cw_source_servicenow.parse(&src, path, &cap->sink);
}

/* A hand-written audit-log export in the UCI event-log format (system field
 * names, dd-MM-yyyy HH:mm, "?" for null, one row per update); the real UCI
 * excerpt is not shipped, its licence is unclear (tests/fixtures/SOURCES.md).
 * Rows are described in tests/data/servicenow/README.md. */
#define SN_LOG "servicenow/incident_event_log.csv"

static void test_sn_event_log(void **state)
{
    cw_capture cap;
    const cw_incident *i;
    int64_t feb29 = DAY(19782);
    (void)state;
    assert_int_equal(parse_sn(cw_test_data(SN_LOG), NULL, 0, &cap), 0);
    expect_counts(&cap, 9, 0);
    assert_int_equal(distinct_ids(&cap), 3);

    /* INC0100001: four audit rows, versions 0, 2, 3 and 4 (records 2-5). */
    assert_int_equal(count_id(&cap, "INC0100001"), 4);
    i = must_version(&cap, "INC0100001", 0, 2);
    assert_string_equal(i->number, "INC0100001");
    assert_string_equal(i->status, "new");
    assert_string_equal(i->severity, "3 - Moderate");
    assert_null(i->service);                                /* cmdb_ci is "?" */
    assert_int_equal(i->created_at, feb29 + HM(1, 16));     /* 29-02-2024 01:16 */
    assert_int_equal(i->updated_at, feb29 + HM(1, 23));
    assert_int_equal(i->resolved_at, feb29 + HM(11, 29));   /* resolved_at 29-02-2024 11:29 */
    i = must_version(&cap, "INC0100001", 2, -1);
    assert_string_equal(i->status, "resolved");
    assert_int_equal(i->updated_at, feb29 + HM(8, 53));
    i = must_version(&cap, "INC0100001", 3, -1);
    assert_int_equal(i->updated_at, feb29 + HM(11, 29));
    i = must_version(&cap, "INC0100001", 4, 5);
    assert_string_equal(i->status, "closed");
    assert_int_equal(i->updated_at, DAY(19787) + HM(12, 0));  /* 05-03-2024 12:00 */
    assert_null(find_version(&cap, "INC0100001", 1));

    /* INC0100002 has resolved_at "?": only its Closed row takes closed_at 05-03-2024 10:00. */
    assert_int_equal(count_id(&cap, "INC0100002"), 3);
    i = must_version(&cap, "INC0100002", 0, 6);
    assert_string_equal(i->status, "new");
    assert_true(i->resolved_at == CW_NO_TIME);
    i = must_version(&cap, "INC0100002", 1, -1);
    assert_string_equal(i->status, "active");
    assert_true(i->resolved_at == CW_NO_TIME);
    assert_int_equal(i->updated_at, DAY(19783) + HM(14, 2));  /* 01-03-2024 14:02 */
    i = must_version(&cap, "INC0100002", 2, 8);
    assert_string_equal(i->status, "closed");
    assert_string_equal(i->severity, "4 - Low");
    assert_int_equal(i->resolved_at, DAY(19787) + HM(10, 0));
    assert_int_equal(i->created_at, DAY(19783) + HM(8, 56));  /* 01-03-2024 08:56 */

    /* INC0100003: cmdb_ci names the service (there is no business_service column). */
    i = must_version(&cap, "INC0100003", 1, 10);
    assert_string_equal(i->status, "awaiting user info");
    assert_string_equal(i->service, "Payments DB");
    assert_string_equal(i->severity, "1 - Critical");
    assert_int_equal(i->created_at, DAY(19784) + HM(23, 59));  /* 02-03-2024 23:59 */
    assert_int_equal(i->updated_at, DAY(19785) + HM(9, 0));    /* 03-03-2024 09:00 */
    assert_true(i->resolved_at == CW_NO_TIME);
    cw_capture_free(&cap);
}

static void test_sn_event_log_in_configured_zones(void **state)
{
    cw_kv paris[] = { { "timezone", "Europe/Paris", 3 } };
    cw_kv fixed[] = { { "timezone", "-05:00", 3 }, { "date_format", "dd-MM-yyyy HH:mm", 4 } };
    cw_capture cap;
    const cw_incident *i;
    (void)state;
    /* Paris is +01:00 in February and March 2024 (summer time starts 31 March). */
    assert_int_equal(parse_sn(cw_test_data(SN_LOG), paris, 1, &cap), 0);
    i = must_version(&cap, "INC0100001", 4, -1);
    assert_int_equal(i->created_at, DAY(19782) + HM(0, 16));
    assert_int_equal(i->updated_at, DAY(19787) + HM(11, 0));
    i = must_version(&cap, "INC0100003", 0, -1);
    assert_int_equal(i->created_at, DAY(19784) + HM(22, 59));
    cw_capture_free(&cap);

    assert_int_equal(parse_sn(cw_test_data(SN_LOG), fixed, 2, &cap), 0);
    assert_int_equal(cap.n_incidents, 9);
    i = must_version(&cap, "INC0100001", 0, -1);
    assert_int_equal(i->created_at, DAY(19782) + HM(6, 16));
    /* 02-03-2024 23:59 at -05:00 is 04:59 UTC the next day. */
    i = must_version(&cap, "INC0100003", 0, -1);
    assert_int_equal(i->created_at, DAY(19785) + HM(4, 59));
    cw_capture_free(&cap);

    /* A pinned format that does not match the file rejects every row, loudly. */
    fixed[1].value = "yyyy-MM-dd HH:mm:ss";
    assert_int_equal(parse_sn(cw_test_data(SN_LOG), fixed, 2, &cap), 0);
    expect_counts(&cap, 0, 9);
    cw_expect_reject(&cap, 0, -1, "opened_at", "29-02-2024 01:16");
    cw_capture_free(&cap);
}

static const char sn_labels_csv[] =
    "Number,Opened,Resolved,Closed,State,Updated,Updates,Short description,"
    "Business service,Configuration item,Priority\n"
    "INC1,2016-03-01 10:00:00,,,Active,2016-03-01 10:05:00,1,Login slow,Payments,pay-db,2 - High\n"
    "INC2,31-02-2016 10:00,,,New,,0,Bad date,Payments,,3 - Moderate\n"
    "INC3,01-03-2016 09:30,?,02-03-2016 18:00,Closed,02-03-2016 18:00,,\"Disk full, again\n"
    "second line\",,mail-server,?\n";

static void test_sn_ui_labels_and_bad_row(void **state)
{
    cw_capture cap;
    const cw_incident *i;
    (void)state;
    assert_int_equal(parse_sn(cw_temp_file(sn_labels_csv, ".csv"), NULL, 0, &cap), 0);
    expect_counts(&cap, 2, 1);

    i = must_incident(&cap, "INC1", 2);
    assert_int_equal(i->created_at, DAY(16861) + HM(10, 0));
    assert_int_equal(i->updated_at, DAY(16861) + HM(10, 5));
    assert_true(i->resolved_at == CW_NO_TIME);   /* Active: Closed is not consulted */
    assert_int_equal(i->version, 1);
    assert_string_equal(i->status, "active");
    assert_string_equal(i->title, "Login slow");
    assert_string_equal(i->service, "Payments");
    assert_string_equal(i->severity, "2 - High");

    /* 31 February: a reject naming record 3 and the field; INC3 after it still loads. */
    cw_expect_reject(&cap, 0, 3, "opened_at", "INC2");
    assert_non_null(strstr(cap.rejects[0].raw, "Bad date"));

    i = must_incident(&cap, "INC3", 4);
    assert_int_equal(i->created_at, DAY(16861) + HM(9, 30));
    assert_int_equal(i->resolved_at, DAY(16862) + HM(18, 0));   /* Closed: closed_at */
    assert_int_equal(i->version, -1);
    assert_string_equal(i->title, "Disk full, again\nsecond line");
    assert_string_equal(i->service, "mail-server");            /* business service empty */
    assert_null(i->severity);
    cw_capture_free(&cap);
}

static void test_sn_service_field_and_missing_columns(void **state)
{
    cw_kv ci[] = { { "service_field", "cmdb_ci", 5 } };
    cw_kv group[] = { { "service_field", "assignment_group", 5 } };
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_sn(cw_temp_file(sn_labels_csv, ".csv"), ci, 1, &cap), 0);
    assert_string_equal(cw_capture_incident(&cap, "INC1")->service, "pay-db");
    cw_capture_free(&cap);

    /* A configured service column the file lacks: one reject for the file. */
    assert_int_equal(parse_sn(cw_temp_file(sn_labels_csv, ".csv"), group, 1, &cap), -1);
    assert_int_equal(cap.n_incidents, 0);
    cw_expect_rejects(&cap, 1, {-1, "assignment_group", NULL});
    cw_capture_free(&cap);

    assert_int_equal(parse_sn(cw_temp_file(
        "number,incident_state,sys_updated_at\nINC1,New,29-02-2016 01:16\n", ".csv"),
        NULL, 0, &cap), -1);
    assert_int_equal(cap.n_incidents, 0);
    cw_expect_rejects(&cap, 1, {-1, "opened_at", "opened_at"});
    cw_capture_free(&cap);

    assert_int_equal(parse_sn(cw_temp_file(
        "Opened,State\n29-02-2016 01:16,New\n", ".csv"), NULL, 0, &cap), -1);
    cw_expect_rejects(&cap, 1, {-1, "number", NULL});
    cw_capture_free(&cap);

    assert_int_equal(parse_sn(cw_temp_file("", ".csv"), NULL, 0, &cap), -1);
    assert_int_equal(cap.n_rejects, 1);
    cw_capture_free(&cap);

    /* A version that is not a count would break latest-wins: reject the row. */
    assert_int_equal(parse_sn(cw_temp_file(
        "number,opened_at,sys_mod_count\nINC1,29-02-2016 01:16,two\nINC2,29-02-2016 01:16,2\n",
        ".csv"), NULL, 0, &cap), 0);
    assert_int_equal(cap.n_incidents, 1);
    assert_int_equal(cap.incidents[0].version, 2);
    cw_expect_rejects(&cap, 1, {2, "sys_mod_count", NULL});
    cw_capture_free(&cap);
}

static const char sn_table_api[] =
    "{\"result\": [\n"
    " {\"number\": \"INC001\", \"sys_id\": \"a1\", \"opened_at\": \"2016-03-01 10:00:00\",\n"
    "  \"resolved_at\": \"\", \"closed_at\": \"2016-03-02 12:00:00\", \"incident_state\": \"7\",\n"
    "  \"sys_mod_count\": \"5\", \"sys_updated_on\": \"2016-03-02 12:00:00\",\n"
    "  \"short_description\": \"Email down\",\n"
    "  \"business_service\": {\"link\": \"https://x.service-now.com/api/now/table/cmdb_ci_service/s1\",\n"
    "                       \"value\": \"s1\"}},\n"
    " {\"number\": {\"display_value\": \"INC002\", \"value\": \"INC002\"},\n"
    "  \"opened_at\": {\"display_value\": \"01-03-2016 11:00\", \"value\": \"2016-03-01 10:00:00\"},\n"
    "  \"resolved_at\": {\"display_value\": \"01-03-2016 13:00\", \"value\": \"2016-03-01 12:00:00\"},\n"
    "  \"incident_state\": {\"display_value\": \"Resolved\", \"value\": \"6\"},\n"
    "  \"business_service\": {\"display_value\": \"Email\", \"link\": \"https://x\", \"value\": \"s1\"},\n"
    "  \"priority\": {\"display_value\": \"1 - Critical\", \"value\": \"1\"},\n"
    "  \"sys_mod_count\": {\"display_value\": \"3\", \"value\": \"3\"}},\n"
    " {\"sys_id\": \"b2\", \"opened_at\": \"2016-03-01 08:00:00\", \"state\": \"2\"},\n"
    " {\"number\": \"INC004\", \"opened_at\": \"01-03-2016 08:00\"}\n"
    "]}\n";

static void test_sn_table_api(void **state)
{
    cw_kv paris[] = { { "timezone", "Europe/Paris", 3 } };
    cw_capture cap;
    const cw_incident *i;
    (void)state;
    /* The zone is for CSV exports; the Table API is UTC whatever it says. */
    assert_int_equal(parse_sn(cw_temp_file(sn_table_api, ".json"), paris, 1, &cap), 0);
    expect_counts(&cap, 3, 1);

    i = must_incident(&cap, "INC001", 1);
    assert_string_equal(i->status, "closed");            /* choice value 7 */
    assert_int_equal(i->created_at, DAY(16861) + HM(10, 0));
    assert_int_equal(i->resolved_at, DAY(16862) + HM(12, 0));   /* closed_at */
    assert_int_equal(i->updated_at, DAY(16862) + HM(12, 0));
    assert_int_equal(i->version, 5);
    assert_string_equal(i->service, "s1");               /* a bare reference: its sys_id */
    assert_string_equal(i->title, "Email down");

    i = must_incident(&cap, "INC002", -1);
    assert_string_equal(i->status, "resolved");
    assert_int_equal(i->created_at, DAY(16861) + HM(10, 0));    /* value, not display */
    assert_int_equal(i->resolved_at, DAY(16861) + HM(12, 0));
    assert_true(i->updated_at == CW_NO_TIME);
    assert_int_equal(i->version, 3);
    assert_string_equal(i->service, "Email");
    assert_string_equal(i->severity, "1 - Critical");

    i = cw_capture_incident(&cap, "b2");                   /* no number: sys_id */
    assert_non_null(i);
    assert_null(i->number);
    assert_string_equal(i->status, "in progress");
    assert_int_equal(i->version, -1);
    assert_int_equal(i->created_at, DAY(16861) + HM(8, 0));

    /* The Table API never sends dd-MM-yyyy: a reject for record 4. */
    cw_expect_reject(&cap, 0, 4, "opened_at", NULL);
    cw_capture_free(&cap);

    assert_int_equal(parse_sn(cw_temp_file("{\"result\": [\n{\"number\": }\n]}", ".json"),
                              NULL, 0, &cap), -1);
    cw_expect_rejects(&cap, 1, {-1, NULL, "line 2"});
    cw_capture_free(&cap);
}

/* The same for ServiceNow: a BOM before the Table API page or before a
 * quoted CSV header, a count no JSON reader holds, an instant before 1970. */
static void test_sn_out_of_range_and_bom(void **state)
{
    static const char page[] =
        "\xEF\xBB\xBF{\"result\": [\n"
        " {\"number\": \"INC1\", \"opened_at\": \"2016-03-01 10:00:00\",\n"
        "  \"sys_mod_count\": {\"value\": 1e400, \"display_value\": \"1e400\"}},\n"
        " {\"number\": \"INC2\", \"opened_at\": \"2016-03-01 10:00:00\", \"sys_mod_count\": \"4\"},\n"
        " {\"number\": \"INC3\", \"opened_at\": \"1969-12-31 23:00:00\"}]}";
    static const char csv[] =
        "\xEF\xBB\xBF\"Number\",\"Opened\",\"State\",\"Updates\"\n"
        "\"INC1\",\"2016-03-01 10:00:00\",\"Active\",\"1\"\n"
        "\"INC2\",\"2300-03-01 10:00:00\",\"Active\",\"1\"\n";
    cw_capture cap;
    (void)state;
    assert_int_equal(parse_sn(cw_temp_file(page, ".json"), NULL, 0, &cap), 0);
    assert_int_equal(only_incident(&cap, "INC2")->version, 4);
    cw_expect_rejects(&cap, 2, {1, "sys_mod_count", NULL},
                      {3, "opened_at", "outside 1970-01-01 .. 2200-01-01"});
    cw_capture_free(&cap);

    assert_int_equal(parse_sn(cw_temp_file(csv, ".csv"), NULL, 0, &cap), 0);
    only_incident(&cap, "INC1");
    cw_expect_rejects(&cap, 1, {3, NULL, NULL});
    cw_capture_free(&cap);
}

static void test_sn_validate(void **state)
{
    cw_kv keys[2] = { { "timezone", "UTC", 3 }, { "date_format", "dd-MM-yyyy HH:mm", 4 } };
    cw_source src = cw_test_source_of("sn", "servicenow", keys, 2);
    static const char *const good[] = {
        "dd-MM-yyyy HH:mm", "yyyy-MM-dd HH:mm:ss", "MM/dd/yyyy hh:mm:ss a",
        "yyyy-MM-dd'T'HH:mm:ss.SSSZ", "dd MMM yy",
    };
    static const char *const bad[] = { "dd-MM HH:mm", "qq", "yyy-MM-dd", "", "MM-yyyy" };
    (void)state;
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) {
        keys[1].value = (char *)good[k];
        if (cw_source_servicenow.validate(&src) != 0)
            fail_msg("rejected date_format '%s'", good[k]);
    }
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        keys[1].value = (char *)bad[k];
        if (cw_source_servicenow.validate(&src) == 0)
            fail_msg("accepted date_format '%s'", bad[k]);
    }
    keys[1].value = "dd-MM-yyyy HH:mm";
    keys[0].value = "Nowhere/City";
    assert_int_equal(cw_source_servicenow.validate(&src), -1);
    keys[0].value = "+01:00";
    assert_int_equal(cw_source_servicenow.validate(&src), 0);
    assert_string_equal(cw_source_servicenow.name, "servicenow");
    assert_null(cw_source_servicenow.produce);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pd_devlake_fixture),
        cmocka_unit_test(test_pd_page_envelope_and_bad_time),
        cmocka_unit_test(test_pd_array_and_single),
        cmocka_unit_test(test_pd_timezone_for_naive_times),
        cmocka_unit_test(test_pd_bad_json_and_wrong_document),
        cmocka_unit_test(test_pd_validate),
        cmocka_unit_test(test_pd_out_of_range),
        cmocka_unit_test(test_og_devlake_fixture),
        cmocka_unit_test(test_og_page_and_rejects),
        cmocka_unit_test(test_og_single_and_wrong_documents),
        cmocka_unit_test(test_og_validate),
        cmocka_unit_test(test_sn_event_log),
        cmocka_unit_test(test_sn_event_log_in_configured_zones),
        cmocka_unit_test(test_sn_ui_labels_and_bad_row),
        cmocka_unit_test(test_sn_service_field_and_missing_columns),
        cmocka_unit_test(test_sn_table_api),
        cmocka_unit_test(test_sn_validate),
        cmocka_unit_test(test_sn_out_of_range_and_bom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
