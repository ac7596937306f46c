/*
 * test_time.c - every timestamp form of core/time.h against epoch values
 * worked out by hand (days since 1970-01-01 times 86400 plus the clock time),
 * the rejections (bad dates, out-of-range fields, trailing garbage), zones
 * (fixed offsets, IANA with DST gap and overlap, TZ restored by
 * cw_tz_release, zone switching) and periods.
 *
 * Day numbers used below: 2010-01-01 = 14610, 2015-01-01 = 16436,
 * 2016-01-01 = 16801, 2019-01-01 = 17897, 2020-01-01 = 18262,
 * 2021-01-01 = 18628, 2022-01-01 = 18993, 2023-01-01 = 19358,
 * 2024-01-01 = 19723, 2025-01-01 = 20089 (365 per year plus one per leap year).
 */
#include "support.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t iso(const char *s, const cw_tz *tz)
{
    int64_t t = 0;
    assert_int_equal(cw_time_parse_iso8601(s, tz, &t), 0);
    return t;
}

static void assert_iso_rejects(const char *s)
{
    int64_t t = 42;
    if (cw_time_parse_iso8601(s, NULL, &t) != 0) {
        assert_int_equal(t, 42);    /* *out untouched on failure */
        return;
    }
    fail_msg("accepted bad ISO timestamp '%s'", s);
}

static int64_t jira(const char *s, const cw_tz *tz, const char *months)
{
    int64_t t = 0;
    if (cw_time_parse_jira_csv(s, tz, months, &t) != 0)
        fail_msg("rejected Jira timestamp '%s'", s);
    return t;
}

static void test_days_from_civil(void **state)
{
    int y, m, d;
    (void)state;
    assert_int_equal(cw_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(cw_days_from_civil(2000, 3, 1), 11017);   /* 10957 + 31 + 29 */
    assert_int_equal(cw_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(cw_days_from_civil(2021, 1, 1), 18628);
    cw_civil_from_days(11017, &y, &m, &d);
    assert_int_equal(y, 2000); assert_int_equal(m, 3); assert_int_equal(d, 1);
    cw_civil_from_days(-1, &y, &m, &d);
    assert_int_equal(y, 1969); assert_int_equal(m, 12); assert_int_equal(d, 31);
    for (int64_t day = -800000; day < 800000; day += 997) {
        cw_civil_from_days(day, &y, &m, &d);
        assert_int_equal(cw_days_from_civil(y, m, d), day);
    }
}

static void test_iso_forms(void **state)
{
    (void)state;
    /* Jira REST: 2020-06-12 is day 18262 + 152 + 11 = 18425; 08:13:13 at +08:00 is 00:13:13Z. */
    assert_int_equal(iso("2020-06-12T08:13:13.360+0800", NULL), 1591920793);
    assert_int_equal(iso("2020-06-12T08:13:13.360+08:00", NULL), 1591920793);
    assert_int_equal(iso("2020-06-12T08:13:13+08", NULL), 1591920793);
    assert_int_equal(iso("2020-06-12T00:38:51.882Z", NULL), 1591922331);
    assert_int_equal(iso("2020-06-12T00:38:51Z", NULL), 1591922331);
    assert_int_equal(iso("2020-06-12T00:38Z", NULL), 1591920000 + 38 * 60);
    /* Date only: midnight. 2020-07-10 = 18262 + 182 + 9 = 18453. */
    assert_int_equal(iso("2020-07-10", NULL), 1594339200);
    /* GitHub Actions step: 2021-02-18 = 18628 + 31 + 17; 14:59:13+08:00 = 06:59:13Z. */
    assert_int_equal(iso("2021-02-18T14:59:13.000+08:00", NULL), 1613631553);
    /* ServiceNow API, space separator, naive = UTC: 2010-01-02 = 14611. */
    assert_int_equal(iso("2010-01-02 22:51:33", NULL), 1262472693);
    /* Opsgenie's 1 to 9 fractional digits are truncated: 2023-09-05 = 19358 + 243 + 4. */
    assert_int_equal(iso("2023-09-05T18:21:21.49Z", NULL), 1693938081);
    assert_int_equal(iso("2023-09-05T18:21:21.4Z", NULL), 1693938081);
    assert_int_equal(iso("2023-09-05T18:21:21.999999999Z", NULL), 1693938081);
    /* PagerDuty via DevLake: 2022-11-03 = 18993 + 304 + 2 = 19299. */
    assert_int_equal(iso("2022-11-03T06:23:06.000000Z", NULL), 1667456586);
    /* Negative offset and a Jenkins changeSet date with a space before it. */
    assert_int_equal(iso("2022-11-03T01:23:06-05:00", NULL), 1667456586);
    assert_int_equal(iso("2022-11-03 07:23:06 +0100", NULL), 1667456586);
    /* Leap days. */
    assert_int_equal(iso("2000-02-29", NULL), (int64_t)11016 * 86400);
    iso("2024-02-29T12:00:00Z", NULL);
}

static void test_iso_naive_zone(void **state)
{
    cw_tz tz;
    (void)state;
    assert_int_equal(cw_tz_parse("+05:30", &tz), 0);
    /* 22:51:33 at +05:30 is 17:21:33Z. */
    assert_int_equal(iso("2010-01-02 22:51:33", &tz), 1262472693 - 19800);
    /* An explicit offset wins over the naive zone. */
    assert_int_equal(iso("2010-01-02T22:51:33Z", &tz), 1262472693);
    assert_int_equal(cw_tz_parse("America/New_York", &tz), 0);
    /* January: EST, -05:00. */
    assert_int_equal(iso("2010-01-02 22:51:33", &tz), 1262472693 + 5 * 3600);
}

static void test_iso_rejects(void **state)
{
    (void)state;
    assert_iso_rejects("");
    assert_iso_rejects("2026-02-31");
    assert_iso_rejects("2100-02-29");
    assert_iso_rejects("2026-13-01");
    assert_iso_rejects("2026-00-10");
    assert_iso_rejects("2026-1-01");
    assert_iso_rejects("2026-01-01T24:00:00Z");
    assert_iso_rejects("2026-01-01T10:60Z");
    assert_iso_rejects("2026-01-01T10:00:60Z");
    assert_iso_rejects("2026-01-01T10:00:00Zjunk");
    assert_iso_rejects("2026-01-01T10:00:00+2500");
    assert_iso_rejects("2026-01-01T10:00:00+05:7");
    assert_iso_rejects("2026-01-01T10:00:00.");
    assert_iso_rejects("2026-01-01T10:00:00.1234567890Z");
    assert_iso_rejects("2026-01-01T10");
    assert_iso_rejects("2026-01-01 ");
    assert_iso_rejects(" 2026-01-01");
    assert_iso_rejects("2026-01-01x");
    assert_iso_rejects("not a date");
    assert_iso_rejects(NULL);
}

static void test_epoch_ms(void **state)
{
    int64_t t = 0;
    (void)state;
    assert_int_equal(cw_time_parse_epoch_ms("1650024049161", &t), 0);
    assert_int_equal(t, 1650024049);
    assert_int_equal(cw_time_parse_epoch_ms("999", &t), 0);
    assert_int_equal(t, 0);
    assert_int_equal(cw_time_parse_epoch_ms("1500", &t), 0);
    assert_int_equal(t, 1);     /* floor */
    t = 7;
    assert_int_equal(cw_time_parse_epoch_ms("-1500", &t), CW_TIME_RANGE);     /* before 1970 */
    assert_int_equal(cw_time_parse_epoch_ms("1650024049161x", &t), -1);
    assert_int_equal(cw_time_parse_epoch_ms("", &t), -1);
    assert_int_equal(cw_time_parse_epoch_ms("-", &t), -1);
    assert_int_equal(cw_time_parse_epoch_ms("1.5", &t), -1);
    assert_int_equal(cw_time_parse_epoch_ms("1234567890123456789", &t), -1);
    assert_int_equal(t, 7);
}

/* Every parser accepts only instants in [1970-01-01T00:00:00Z,
 * 2200-01-01T00:00:00Z]: 2200-01-01 is day 230 * 365 + 56 leap days = 84006,
 * so 84006 * 86400 = 7258118400 s.  Epoch ms up to 2^53 used to load (year
 * 287396) and never appear in a report; cw_time_format_iso could not print
 * what cw_time_parse_epoch_ms accepted. */
static void test_instant_range(void **state)
{
    int64_t t = 42;
    cw_tz plus_one;
    (void)state;
    assert_int_equal(cw_tz_parse("+01:00", &plus_one), 0);
    assert_true(cw_time_in_range(0));
    assert_true(cw_time_in_range(7258118400));
    assert_false(cw_time_in_range(-1));
    assert_false(cw_time_in_range(7258118401));
    assert_true(iso("1970-01-01T00:00:00Z", NULL) == 0);
    assert_true(iso("2200-01-01T00:00:00Z", NULL) == 7258118400);
    assert_iso_rejects("1969-12-31T23:59:59Z");
    assert_iso_rejects("1970-01-01T00:30:00+01:00");   /* 1969-12-31T23:30Z */
    assert_iso_rejects("2200-01-01T00:00:01Z");
    assert_iso_rejects("9999-12-31");
    assert_iso_rejects("0000-01-01");
    assert_int_equal(cw_time_parse_iso8601("1970-01-01 00:30:00", &plus_one, &t), CW_TIME_RANGE);
    assert_int_equal(cw_time_parse_epoch_ms("7258118400999", &t), 0);
    assert_true(t == 7258118400);
    t = 42;
    assert_int_equal(cw_time_parse_epoch_ms("7258118401000", &t), CW_TIME_RANGE);
    assert_int_equal(cw_time_parse_epoch_ms("9007199254740991", &t), CW_TIME_RANGE); /* year 287396 */
    assert_int_equal(cw_time_parse_pattern("31-12-1969 23:59", "dd-MM-yyyy HH:mm", &cw_tz_utc, &t),
                     CW_TIME_RANGE);
    assert_int_equal(cw_time_parse_pattern("01-01-2201 00:00", "dd-MM-yyyy HH:mm", &cw_tz_utc, &t),
                     CW_TIME_RANGE);
    assert_int_equal(cw_time_parse_jira_csv("31/Dec/1969 11:00 PM", &cw_tz_utc, NULL, &t), CW_TIME_RANGE);
    assert_int_equal(cw_time_parse_any("9007199254740991", NULL, &cw_tz_utc, &t), CW_TIME_RANGE);
    assert_int_equal(cw_time_parse_any("2201-01-01", NULL, &cw_tz_utc, &t), CW_TIME_RANGE);
    assert_int_equal(cw_time_parse_any("yesterday", NULL, &cw_tz_utc, &t), -1);
    assert_true(t == 42);
}

/* The reject wording for each failure, in one place. */
static void test_time_reason(void **state)
{
    char buf[160];
    (void)state;
    cw_time_reason(CW_TIME_RANGE, "2201-01-01", buf, sizeof(buf));
    assert_string_equal(buf, "timestamp '2201-01-01' outside 1970-01-01 .. 2200-01-01");
    cw_time_reason(-1, "yesterday", buf, sizeof(buf));
    assert_string_equal(buf, "unparseable timestamp 'yesterday'");
    assert_int_equal(cw_time_either(-1, CW_TIME_RANGE), CW_TIME_RANGE);
    assert_int_equal(cw_time_either(-1, -1), -1);
    assert_int_equal(cw_time_either(CW_TIME_RANGE, 0), 0);
}

static void test_jira_csv(void **state)
{
    cw_tz paris;
    (void)state;
    /* 2025-09-22 = 20089 + 243 + 21 = 20353; 9:26 AM. */
    assert_int_equal(jira("22/Sep/25 9:26 AM", NULL, NULL), 1758533160);
    assert_int_equal(jira("22/sep/2025 9:26 am", NULL, NULL), 1758533160);
    /* 12 AM is midnight, 12 PM noon; 2025-09-18 = 20349. */
    assert_int_equal(jira("18/Sep/25 12:00 AM", NULL, NULL), 1758153600);
    assert_int_equal(jira("18/Sep/25 12:30 AM", NULL, NULL), 1758153600 + 1800);
    assert_int_equal(jira("18/Sep/25 12:00 PM", NULL, NULL), 1758153600 + 43200);
    assert_int_equal(jira("18/Sep/25 1:05 PM", NULL, NULL), 1758153600 + 13 * 3600 + 300);
    assert_int_equal(jira("18/Sep/25 11:59 PM", NULL, NULL), 1758153600 + 86340);
    assert_int_equal(jira("18/Sep/25", NULL, NULL), 1758153600);
    /* French: 2015-08-10 = 16436 + 212 + 9 = 16657. */
    assert_int_equal(jira("10/août/15 11:17 AM", NULL, NULL), 1439205420);
    assert_int_equal(jira("06/août/15 12:00 PM", NULL, NULL), (int64_t)16653 * 86400 + 43200);
    /* 2016-10-10 = 16801 + 274 + 9 = 17084. */
    assert_int_equal(jira("10/oct./16 11:54 AM", NULL, NULL), 1476100440);
    assert_int_equal(jira("10/oct/16 11:54 AM", NULL, NULL), 1476100440);
    /* 2024-02-28 = 19723 + 31 + 27 = 19781. */
    assert_int_equal(jira("28/févr./24 3:00 PM", NULL, NULL), 1709132400);
    /* 2019-12-01 = 17897 + 334 = 18231. */
    assert_int_equal(jira("01/déc./19 11:59 PM", NULL, NULL), 1575244740);
    /* 2025-11-10 = 20089 + 304 + 9 = 20402; 4:51 PM. */
    assert_int_equal(jira("10/nov/25 4:51 PM", NULL, NULL), (int64_t)20402 * 86400 + 16 * 3600 + 51 * 60);
    /* Exported by a user in Paris in summer (+02:00). */
    assert_int_equal(cw_tz_parse("Europe/Paris", &paris), 0);
    assert_int_equal(jira("22/Sep/25 9:26 AM", &paris, NULL), 1758533160 - 7200);
}

static void test_jira_csv_custom_months_and_rejects(void **state)
{
    static const char spanish[] =
        "ene,feb,mar,abr,may,jun,jul,ago,sep,oct,nov,dic";
    int64_t t = 5;
    (void)state;
    /* 2025-08-05 = 20089 + 212 + 4 = 20305. */
    assert_int_equal(jira("05/ago/25 4:00 PM", NULL, spanish), 1754409600);
    assert_int_equal(cw_time_parse_jira_csv("05/Aug/25 4:00 PM", NULL, spanish, &t), -1);
    assert_int_equal(cw_time_parse_jira_csv("05/ago/25 4:00 PM", NULL, "ene,feb", &t), -1);
    assert_int_equal(cw_time_parse_jira_csv("31/Feb/26 9:00 AM", NULL, NULL, &t), -1);
    assert_int_equal(cw_time_parse_jira_csv("13/Foo/25 1:00 AM", NULL, NULL, &t), -1);
    assert_int_equal(cw_time_parse_jira_csv("22/Sep/25 13:26 PM", NULL, NULL, &t), -1);
    assert_int_equal(cw_time_parse_jira_csv("22/Sep/25 0:26 AM", NULL, NULL, &t), -1);
    assert_int_equal(cw_time_parse_jira_csv("22/Sep/25 9:26 AMx", NULL, NULL, &t), -1);
    assert_int_equal(cw_time_parse_jira_csv("22/Sep/25 9:6 AM", NULL, NULL, &t), -1);
    assert_int_equal(cw_time_parse_jira_csv("22/Sep/253 9:26 AM", NULL, NULL, &t), -1);
    assert_int_equal(cw_time_parse_jira_csv("22-Sep-25", NULL, NULL, &t), -1);
    assert_int_equal(t, 5);
}

/* A trailing space after the time leaves no AM/PM marker: the text ends at
 * the space.  Copied to the heap at its exact size so that AddressSanitizer
 * sees any read of the byte after the terminator. */
static void test_jira_csv_trailing_space(void **state)
{
    char *cell = strdup("22/Sep/25 9:26 ");
    char *one = strdup("22/Sep/25 9:26 P");
    int64_t t = 5;
    (void)state;
    assert_non_null(cell);
    assert_non_null(one);
    assert_int_equal(cw_time_parse_jira_csv(cell, NULL, NULL, &t), -1);
    assert_int_equal(cw_time_parse_jira_csv(one, NULL, NULL, &t), -1);
    assert_int_equal(t, 5);
    free(cell);
    free(one);
}

static void test_patterns(void **state)
{
    int64_t t = 0;
    cw_tz tz;
    (void)state;
    /* UCI ServiceNow: 2016-02-29 = 16801 + 59 = 16860; 01:16. */
    assert_int_equal(cw_time_parse_pattern("29-02-2016 01:16", "dd-MM-yyyy HH:mm", NULL, &t), 0);
    assert_int_equal(t, 1456708560);
    assert_int_equal(cw_time_parse_pattern("2010-01-02 22:51:33", "yyyy-MM-dd HH:mm:ss", NULL, &t), 0);
    assert_int_equal(t, 1262472693);
    assert_int_equal(cw_tz_parse("-0500", &tz), 0);
    assert_int_equal(cw_time_parse_pattern("29-02-2016 01:16", "dd-MM-yyyy HH:mm", &tz, &t), 0);
    assert_int_equal(t, 1456708560 + 5 * 3600);
    assert_int_equal(cw_time_parse_pattern("01/02/10 10:51 PM", "MM/dd/yy hh:mm a", NULL, &t), 0);
    assert_int_equal(t, 1262472660);
    assert_int_equal(cw_time_parse_pattern("2010-01-02T22:51:33", "yyyy-MM-dd'T'HH:mm:ss", NULL, &t), 0);
    assert_int_equal(t, 1262472693);
    assert_int_equal(cw_time_parse_pattern("02 Jan 2010", "dd MMM yyyy", NULL, &t), 0);
    assert_int_equal(t, (int64_t)14611 * 86400);
    t = 9;
    assert_int_equal(cw_time_parse_pattern("29-02-2015 01:16", "dd-MM-yyyy HH:mm", NULL, &t), -1);
    assert_int_equal(cw_time_parse_pattern("29-02-2016 01:16:00", "dd-MM-yyyy HH:mm", NULL, &t), -1);
    assert_int_equal(cw_time_parse_pattern("29-02-2016 25:16", "dd-MM-yyyy HH:mm", NULL, &t), -1);
    assert_int_equal(cw_time_parse_pattern("29/02/2016 01:16", "dd-MM-yyyy HH:mm", NULL, &t), -1);
    assert_int_equal(cw_time_parse_pattern("2016-02-29 01:16", "dd-MM-yyyy HH:mm", NULL, &t), -1);
    assert_int_equal(cw_time_parse_pattern("29-02 01:16", "dd-MM HH:mm", NULL, &t), -1); /* no year */
    assert_int_equal(cw_time_parse_pattern("29-02-2016", "dd-MM-yyyy qq", NULL, &t), -1);
    assert_int_equal(t, 9);
}

/* MMM in an explicit pattern reads the configured month names. */
static void test_pattern_months(void **state)
{
    static const char spanish[] =
        "ene,feb,mar,abr,may,jun,jul,ago,sep,oct,nov,dic";
    int64_t t = 0;
    (void)state;
    /* 2025-08-05 = 20089 + 212 + 4 = 20305 days; 16:00 UTC. */
    assert_int_equal(cw_time_parse_pattern_months("05-ago-2025 16:00", "dd-MMM-yyyy HH:mm",
                                                  spanish, NULL, &t), 0);
    assert_int_equal(t, (int64_t)20305 * 86400 + 16 * 3600);
    /* 2010-12-02 = 14610 + 334 + 1 = 14945 days; "DIC" compares case-insensitively. */
    assert_int_equal(cw_time_parse_pattern_months("02 DIC 2010", "dd MMM yyyy", spanish, NULL, &t),
                     0);
    assert_int_equal(t, (int64_t)14945 * 86400);
    /* NULL keeps the built-ins: French "août" reads, Spanish "ago" does not. */
    assert_int_equal(cw_time_parse_pattern_months("05 août 2025", "dd MMM yyyy", NULL, NULL, &t), 0);
    assert_int_equal(t, (int64_t)20305 * 86400);
    t = 9;
    assert_int_equal(cw_time_parse_pattern("05-ago-2025 16:00", "dd-MMM-yyyy HH:mm", NULL, &t), -1);
    /* A configured table replaces the built-ins. */
    assert_int_equal(cw_time_parse_pattern_months("05-Aug-2025 16:00", "dd-MMM-yyyy HH:mm",
                                                  spanish, NULL, &t), -1);
    assert_int_equal(t, 9);
}

static void test_parse_any(void **state)
{
    int64_t t = 0;
    (void)state;
    assert_int_equal(cw_time_parse_any("2020-07-10", NULL, NULL, &t), 0);
    assert_int_equal(t, 1594339200);
    assert_int_equal(cw_time_parse_any("1650024049161", NULL, NULL, &t), 0);
    assert_int_equal(t, 1650024049);
    assert_int_equal(cw_time_parse_any("29-02-2016 01:16", "dd-MM-yyyy HH:mm", NULL, &t), 0);
    assert_int_equal(t, 1456708560);
    assert_int_equal(cw_time_parse_any("12345", NULL, NULL, &t), -1);  /* too short for ms */
    assert_int_equal(cw_time_parse_any("garbage", "dd-MM-yyyy HH:mm", NULL, &t), -1);
}

static void test_tz_parse(void **state)
{
    cw_tz tz;
    (void)state;
    assert_int_equal(cw_tz_parse("UTC", &tz), 0);
    assert_true(tz.is_fixed); assert_int_equal(tz.offset_s, 0);
    assert_int_equal(cw_tz_parse("Z", &tz), 0);
    assert_int_equal(tz.offset_s, 0);
    assert_int_equal(cw_tz_parse("+05:30", &tz), 0);
    assert_true(tz.is_fixed); assert_int_equal(tz.offset_s, 19800);
    assert_int_equal(cw_tz_parse("-0500", &tz), 0);
    assert_int_equal(tz.offset_s, -18000);
    assert_int_equal(cw_tz_parse("+5", &tz), 0);
    assert_int_equal(tz.offset_s, 18000);
    assert_int_equal(cw_tz_parse("America/New_York", &tz), 0);
    assert_false(tz.is_fixed); assert_string_equal(tz.name, "America/New_York");
    assert_int_equal(cw_tz_parse("Mars/Olympus_Mons", &tz), -1);
    assert_int_equal(cw_tz_parse("../../etc/passwd", &tz), -1);
    assert_int_equal(cw_tz_parse("+25:00", &tz), -1);
    assert_int_equal(cw_tz_parse("+05:3", &tz), -1);
    assert_int_equal(cw_tz_parse("", &tz), -1);
    assert_int_equal(cw_tz_parse(NULL, &tz), -1);
}

static void test_iana_dst(void **state)
{
    cw_tz ny;
    (void)state;
    assert_int_equal(cw_tz_parse("America/New_York", &ny), 0);
    /* 2021-03-14 = 18628 + 59 + 13 = 18700: clocks jump 02:00 EST -> 03:00 EDT. */
    assert_int_equal(cw_tz_to_utc(&ny, 2021, 3, 14, 1, 30, 0), 1615680000 + 6 * 3600 + 1800);
    assert_int_equal(cw_tz_to_utc(&ny, 2021, 3, 14, 3, 30, 0), 1615680000 + 7 * 3600 + 1800);
    /* 02:30 does not exist: it resolves forward, to 03:30 EDT. */
    assert_int_equal(cw_tz_to_utc(&ny, 2021, 3, 14, 2, 30, 0), 1615680000 + 7 * 3600 + 1800);
    /* 2021-11-07 = 18628 + 304 + 6 = 18938: 01:30 happens twice; the first (EDT) wins. */
    assert_int_equal(cw_tz_to_utc(&ny, 2021, 11, 7, 1, 30, 0), (int64_t)18938 * 86400 + 5 * 3600 + 1800);
    assert_int_equal(cw_tz_to_utc(&ny, 2021, 11, 7, 3, 0, 0), (int64_t)18938 * 86400 + 8 * 3600);
    /* Summer: 2021-07-01 = 18628 + 181 = 18809, 12:00 EDT = 16:00Z. */
    assert_int_equal(cw_tz_to_utc(&ny, 2021, 7, 1, 12, 0, 0), (int64_t)18809 * 86400 + 16 * 3600);
    assert_int_equal(cw_tz_to_utc(&cw_tz_utc, 2021, 7, 1, 12, 0, 0), (int64_t)18809 * 86400 + 12 * 3600);
}

/* The tests that set TZ themselves keep the process's own (NULL: unset)
 * and put it back at the end, so the tests after them see it unchanged. */
static char *tz_saved(void)
{
    const char *tz = getenv("TZ");
    return tz ? strdup(tz) : NULL;
}

static void tz_put_back(char *old)
{
    if (old) {
        setenv("TZ", old, 1);
        free(old);
    } else {
        unsetenv("TZ");
    }
}

/* The caller's TZ comes back with cw_tz_release(), set or unset, and a TZ
 * the caller sets between conversions is the one put back. */
static void test_tz_env_restored(void **state)
{
    cw_tz ny;
    char *old = tz_saved();
    (void)state;
    assert_int_equal(cw_tz_parse("America/New_York", &ny), 0);
    cw_tz_release();                                 /* nothing converted yet: no-op */
    setenv("TZ", "Asia/Tokyo", 1);
    cw_tz_release();
    assert_string_equal(getenv("TZ"), "Asia/Tokyo");

    cw_tz_to_utc(&ny, 2021, 7, 1, 12, 0, 0);
    cw_tz_to_utc(&ny, 2021, 7, 2, 12, 0, 0);
    cw_tz_release();
    assert_non_null(getenv("TZ"));
    assert_string_equal(getenv("TZ"), "Asia/Tokyo");

    unsetenv("TZ");
    cw_tz_to_utc(&ny, 2021, 7, 1, 12, 0, 0);
    cw_tz_release();
    assert_null(getenv("TZ"));
    cw_tz_release();                                 /* twice is harmless */
    assert_null(getenv("TZ"));

    /* The caller sets TZ between two conversions: theirs is kept. */
    cw_tz_to_utc(&ny, 2021, 7, 1, 12, 0, 0);
    setenv("TZ", "Europe/Paris", 1);
    cw_tz_to_utc(&ny, 2021, 7, 1, 12, 0, 0);
    cw_tz_release();
    assert_string_equal(getenv("TZ"), "Europe/Paris");
    /* ... and when they set it after the last conversion, release leaves it. */
    cw_tz_to_utc(&ny, 2021, 7, 1, 12, 0, 0);
    setenv("TZ", "Asia/Kolkata", 1);
    cw_tz_release();
    assert_string_equal(getenv("TZ"), "Asia/Kolkata");

    tz_put_back(old);
}

/* Results do not depend on the machine's TZ, on the zone used before, nor on
 * TZ being changed behind the cache's back.  2021-07-01 = 18809 (summer:
 * New York EDT -4, Paris CEST +2); 2021-01-15 = 18628 + 14 = 18642 (winter:
 * EST -5, CET +1). */
static void test_tz_switching(void **state)
{
    const int64_t jul1 = (int64_t)18809 * 86400, jan15 = (int64_t)18642 * 86400;
    cw_tz ny, paris;
    char *old = tz_saved();
    (void)state;
    assert_int_equal(cw_tz_parse("America/New_York", &ny), 0);
    assert_int_equal(cw_tz_parse("Europe/Paris", &paris), 0);
    setenv("TZ", "Asia/Tokyo", 1);
    tzset();
    for (int round = 0; round < 3; round++) {
        assert_int_equal(cw_tz_to_utc(&ny, 2021, 7, 1, 12, 0, 0), jul1 + 16 * 3600);
        assert_int_equal(cw_tz_to_utc(&ny, 2021, 1, 15, 12, 0, 0), jan15 + 17 * 3600);
        assert_int_equal(cw_tz_to_utc(&paris, 2021, 7, 1, 12, 0, 0), jul1 + 10 * 3600);
        assert_int_equal(cw_tz_to_utc(&paris, 2021, 1, 15, 12, 0, 0), jan15 + 11 * 3600);
        assert_int_equal(cw_tz_to_utc(&cw_tz_utc, 2021, 7, 1, 12, 0, 0), jul1 + 12 * 3600);
        assert_int_equal(cw_tz_to_utc(&ny, 2021, 7, 1, 12, 0, 0), jul1 + 16 * 3600);
    }
    /* Someone switches TZ (and libc's zone) away between two conversions. */
    setenv("TZ", "Asia/Tokyo", 1);
    tzset();
    assert_int_equal(cw_tz_to_utc(&ny, 2021, 7, 1, 12, 0, 0), jul1 + 16 * 3600);
    /* ... or away and back to our zone without tzset: localtime_r must not
     * read the zone libc had loaded in between. */
    setenv("TZ", "Asia/Tokyo", 1);
    tzset();
    setenv("TZ", "America/New_York", 1);
    assert_int_equal(cw_tz_to_utc(&ny, 2021, 7, 1, 12, 0, 0), jul1 + 16 * 3600);
    cw_tz_release();
    tz_put_back(old);
}

static void test_format(void **state)
{
    char buf[32];
    (void)state;
    cw_time_format_iso(1591920793, buf, sizeof buf);
    assert_string_equal(buf, "2020-06-12T00:13:13Z");
    cw_time_format_date(1591920793, buf, sizeof buf);
    assert_string_equal(buf, "2020-06-12");
    cw_time_format_iso(-1, buf, sizeof buf);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    cw_time_format_iso(CW_NO_TIME, buf, sizeof buf);
    assert_string_equal(buf, "");
    cw_time_format_iso(1591920793, buf, 21);   /* the documented minimum */
    assert_string_equal(buf, "2020-06-12T00:13:13Z");
}

static void test_periods(void **state)
{
    cw_period_kind k;
    int64_t fri = (int64_t)18628 * 86400 + 15 * 3600;        /* Friday 2021-01-01 15:00Z */
    int64_t mon_2020_12_28 = (int64_t)18624 * 86400;
    (void)state;
    assert_int_equal(cw_period_kind_parse("week", &k), 0);
    assert_int_equal(k, CW_PERIOD_WEEK);
    assert_int_equal(cw_period_kind_parse("month", &k), 0);
    assert_int_equal(k, CW_PERIOD_MONTH);
    assert_int_equal(cw_period_kind_parse("day", &k), 0);
    assert_int_equal(k, CW_PERIOD_DAY);
    assert_int_equal(cw_period_kind_parse("fortnight", &k), -1);
    assert_string_equal(cw_period_kind_name(CW_PERIOD_WEEK), "week");

    /* ISO week across the year boundary: Monday 2020-12-28 to Monday 2021-01-04. */
    assert_int_equal(cw_period_start(fri, CW_PERIOD_WEEK), mon_2020_12_28);
    assert_int_equal(cw_period_next(mon_2020_12_28, CW_PERIOD_WEEK), (int64_t)18631 * 86400);
    assert_int_equal(cw_period_start(mon_2020_12_28, CW_PERIOD_WEEK), mon_2020_12_28);
    assert_int_equal(cw_period_start((int64_t)18631 * 86400 - 1, CW_PERIOD_WEEK), mon_2020_12_28);
    /* Before the epoch: Wednesday 1969-12-31 belongs to the week of Monday 1969-12-29. */
    assert_int_equal(cw_period_start(-3600, CW_PERIOD_WEEK), -3 * 86400);
    assert_int_equal(cw_period_start(-3600, CW_PERIOD_DAY), -86400);

    assert_int_equal(cw_period_start(fri, CW_PERIOD_DAY), (int64_t)18628 * 86400);
    assert_int_equal(cw_period_next((int64_t)18628 * 86400, CW_PERIOD_DAY), (int64_t)18629 * 86400);

    /* Months: 2024-02-29 10:00 is in February 2024 (19754), which ends on 2024-03-01 (19783). */
    assert_int_equal(cw_period_start((int64_t)19782 * 86400 + 36000, CW_PERIOD_MONTH), (int64_t)19754 * 86400);
    assert_int_equal(cw_period_next((int64_t)19754 * 86400, CW_PERIOD_MONTH), (int64_t)19783 * 86400);
    /* December rolls into January: 2020-12-01 (18597) -> 2021-01-01 (18628). */
    assert_int_equal(cw_period_start((int64_t)18611 * 86400, CW_PERIOD_MONTH), (int64_t)18597 * 86400);
    assert_int_equal(cw_period_next((int64_t)18597 * 86400, CW_PERIOD_MONTH), (int64_t)18628 * 86400);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_days_from_civil),
        cmocka_unit_test(test_iso_forms),
        cmocka_unit_test(test_iso_naive_zone),
        cmocka_unit_test(test_iso_rejects),
        cmocka_unit_test(test_epoch_ms),
        cmocka_unit_test(test_instant_range),
        cmocka_unit_test(test_time_reason),
        cmocka_unit_test(test_jira_csv),
        cmocka_unit_test(test_jira_csv_custom_months_and_rejects),
        cmocka_unit_test(test_jira_csv_trailing_space),
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_pattern_months),
        cmocka_unit_test(test_parse_any),
        cmocka_unit_test(test_tz_parse),
        cmocka_unit_test(test_iana_dst),
        cmocka_unit_test(test_tz_env_restored),
        cmocka_unit_test(test_tz_switching),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_periods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
