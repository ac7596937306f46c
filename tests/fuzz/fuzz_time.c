/*
 * fuzz_time.c - every timestamp parser of core/time.c under libFuzzer.
 *
 * Input: one selector byte, then the text.  Selector bits 0-2 pick the
 * parser (ISO 8601, epoch ms, Jira CSV with built-in or given month names,
 * pattern, pattern with month names, any form, zone spec), bits 3-5 the
 * zone naive times are read in.  Where a parser takes a pattern or a month
 * table, it is the text's first line and the value the rest.
 *
 * A parser returns 0, -1 or CW_TIME_RANGE, and whatever it accepts lies in
 * CW_TIME_MIN .. CW_TIME_MAX and survives the way back (time.h promises
 * parsers and formatters agree): cw_time_format_iso prints it, the ISO
 * parser reads that print back to the same instant, the date print reads
 * back to the start of its UTC day, and the instant lies in its week and
 * month periods.
 */
#include "fuzz.h"
#include "core/time.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const zones[8] = {
    "UTC", "+05:30", "-05:00", "America/New_York", "Europe/Paris", "Asia/Kolkata",
    "Australia/Lord_Howe", "-0930",
};

static void round_trip(int64_t t)
{
    char iso[64], date[64];
    int64_t back = 0, day = 0;
    cw_time_format_iso(t, iso, sizeof iso);
    CW_FUZZ_CHECK(cw_time_parse_iso8601(iso, NULL, &back) == 0);
    CW_FUZZ_CHECK(back == t);
    cw_time_format_date(t, date, sizeof date);
    CW_FUZZ_CHECK(cw_time_parse_iso8601(date, NULL, &day) == 0);
    CW_FUZZ_CHECK(day <= t && t - day < 86400);
    for (int k = CW_PERIOD_DAY; k <= CW_PERIOD_MONTH; k++) {
        int64_t start = cw_period_start(t, (cw_period_kind)k);
        CW_FUZZ_CHECK(start <= t && t < cw_period_next(start, (cw_period_kind)k));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cw_tz tz;
    int64_t t = 0;
    int rc = -1;
    char *text, *value;
    if (size == 0)
        return 0;
    CW_FUZZ_CHECK(cw_tz_parse(zones[(data[0] >> 3) & 7], &tz) == 0);
    text = malloc(size);
    CW_FUZZ_CHECK(text != NULL);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    value = strchr(text, '\n');
    if (value)
        *value++ = '\0';
    else
        value = text;
    switch (data[0] & 7) {
    case 0: rc = cw_time_parse_iso8601(text, &tz, &t); break;
    case 1: rc = cw_time_parse_epoch_ms(text, &t); break;
    case 2: rc = cw_time_parse_jira_csv(text, &tz, NULL, &t); break;
    case 3: rc = cw_time_parse_jira_csv(value, &tz, value == text ? NULL : text, &t); break;
    case 4: rc = cw_time_parse_pattern(value, text, &tz, &t); break;
    case 5: rc = cw_time_parse_pattern_months(value, "dd/MMM/yy h:mm a", value == text ? NULL : text,
                                              &tz, &t); break;
    case 6: rc = cw_time_parse_any(value, value == text ? NULL : text, &tz, &t); break;
    case 7: {
        cw_tz other;
        if (cw_tz_parse(text, &other) == 0)
            rc = 0, t = cw_tz_to_utc(&other, 2026, 3, 29, 2, 30, 0);
        break;
    }
    }
    CW_FUZZ_CHECK(rc == 0 || rc == -1 || rc == CW_TIME_RANGE);
    if (rc == 0 && (data[0] & 7) != 7)
        CW_FUZZ_CHECK(cw_time_in_range(t));
    if (rc == 0)
        round_trip(t);
    cw_tz_release();
    free(text);
    return 0;
}
