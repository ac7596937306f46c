/*
 * time.h - every timestamp form catwalk reads, converted to UTC seconds.
 *
 * One lenient ISO-8601 parser (Z, +hh:mm, +hhmm, 0-9 fractional digits,
 * date-only), epoch milliseconds (Jenkins), the Jira CSV pattern
 * "dd/MMM/yy h:mm a" with configurable month names, and explicit patterns
 * such as ServiceNow's "yyyy-MM-dd HH:mm:ss" / "dd-MM-yyyy HH:mm".
 *
 * A timestamp without an offset is read in a cw_tz: a fixed offset or an
 * IANA zone, never the machine's local time.  Fractions are truncated: we
 * keep instants to the second (metrics.md, Conventions).
 *
 * Every parser returns 0 on success, -1 when the text is not a valid
 * timestamp of that form (trailing garbage included), and CW_TIME_RANGE
 * when it is one but the instant lies outside CW_TIME_MIN .. CW_TIME_MAX;
 * *out is untouched on failure.  cw_time_reason words either for a reject.
 */
#ifndef CW_TIME_H
#define CW_TIME_H

#include <stddef.h>
#include <stdint.h>

typedef struct cw_tz {
    int is_fixed;           /* 1: fixed offset; 0: IANA zone name */
    int offset_s;           /* seconds east of UTC when is_fixed */
    char name[64];          /* IANA name ("America/New_York") when !is_fixed */
} cw_tz;

/* The instants catwalk accepts from any source: 1970-01-01T00:00:00Z to
 * 2200-01-01T00:00:00Z inclusive.  Nothing real lies outside (an epoch-ms
 * field of 2^53 is year 287396), and reports and cw_time_format_iso only
 * handle four-digit years after the epoch; a parser that reads an instant
 * some other way (a number) checks it with cw_time_in_range. */
#define CW_TIME_MIN INT64_C(0)
#define CW_TIME_MAX INT64_C(7258118400)
#define CW_TIME_RANGE (-2)
int cw_time_in_range(int64_t t);

/* A reject's reason for text that a parser refused with rc:
 * "timestamp '...' outside 1970-01-01 .. 2200-01-01" for CW_TIME_RANGE,
 * else "unparseable timestamp '...'" (text cut to 80 bytes). */
void cw_time_reason(int rc, const char *text, char *buf, size_t size);

/* The better of two failed attempts at one text: CW_TIME_RANGE when either
 * read it as a timestamp out of range, else -1 (0 when either succeeded). */
int cw_time_either(int rc1, int rc2);

/* The UTC zone, for sources whose naive timestamps are UTC (ServiceNow API). */
extern const cw_tz cw_tz_utc;

/* "UTC", "Z", "+05:00", "-0500", "+5", "America/New_York".  0 or -1. */
int cw_tz_parse(const char *spec, cw_tz *out);

/* Civil date-time in zone tz to UTC seconds (mon 1-12).  DST gaps resolve forward.
 * In an IANA zone this points the TZ environment variable at the zone and
 * leaves it there, because loading a zone costs more than a conversion:
 * repeated calls in one zone load it once.  The result never depends on the
 * TZ the process had.  Every parser below that takes a cw_tz does the same.
 * Safe from several threads: a lock holds each conversion in an IANA zone. */
int64_t cw_tz_to_utc(const cw_tz *tz, int year, int mon, int day, int hour, int min, int sec);

/* Put back the TZ the process had before the first IANA conversion (unset
 * stays unset) and free what was kept for it.  Call it when a batch of
 * conversions is done and before anything reads local time; a TZ set by
 * someone else meanwhile is left alone.  Harmless when nothing was converted.
 * It may remove TZ from the environment, which no other thread may be
 * reading then (getenv): call it when no parse is running. */
void cw_tz_release(void);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t cw_days_from_civil(int year, int mon, int day);
void cw_civil_from_days(int64_t days, int *year, int *mon, int *day);

/* ISO 8601: "2020-06-12T08:13:13.360+0800", "...Z", "...+08:00", "2020-07-10",
 * "2010-01-02 22:51:33" (space separator).  Text without an offset is read in
 * naive_tz (NULL = UTC). */
int cw_time_parse_iso8601(const char *s, const cw_tz *naive_tz, int64_t *out);

/* Epoch milliseconds, as a decimal string ("1650024049161"); floors to seconds. */
int cw_time_parse_epoch_ms(const char *s, int64_t *out);

/* Jira CSV "dd/MMM/yy h:mm a" ("22/Sep/25 9:26 AM", "10/août/15 11:17 AM",
 * "10/oct./16 11:54 AM"), also a 4-digit year and a date without time.
 * months: 12 comma-separated lists of accepted names, one per month, each list
 * '|'-separated, e.g. "Jan|janv.|janv,Feb|févr.|févr,..."; NULL = English and
 * French built-ins.  Month names compare case-insensitively (ASCII). */
int cw_time_parse_jira_csv(const char *s, const cw_tz *tz, const char *months, int64_t *out);

/* An explicit pattern using yyyy, yy, MM, MMM, dd, HH, hh, mm, ss, a (AM/PM)
 * and literal characters, e.g. "dd-MM-yyyy HH:mm".  Read in tz. */
int cw_time_parse_pattern(const char *s, const char *pattern, const cw_tz *tz, int64_t *out);

/* The same with MMM read from a months table as cw_time_parse_jira_csv takes
 * it (NULL = the built-ins), for a localised export with its own pattern. */
int cw_time_parse_pattern_months(const char *s, const char *pattern, const char *months,
                                 const cw_tz *tz, int64_t *out);

/* 1 when pattern is one cw_time_parse_pattern can use: it reads a sample
 * written in it back to the right day (no unknown letters, a year, a
 * month and a day).  For the date_format keys of CSV sources. */
int cw_time_pattern_usable(const char *pattern);

/* Any of the above, tried in order: ISO 8601, epoch ms (13+ digits), pattern
 * (when non-NULL).  For CSV columns whose form the user did not pin down. */
int cw_time_parse_any(const char *s, const char *pattern, const cw_tz *tz, int64_t *out);

/* A period named by its start: "2026-03" (a calendar month) or "2026-W10"
 * (an ISO week, from its Monday), at 00:00 UTC.  For series measured per
 * week or month (a KPI); a date is read by the parsers above. */
int cw_time_parse_period(const char *s, int64_t *out);

/* "2026-03-02T00:00:00Z" (buf >= 21) and "2026-03-02" (buf >= 11). */
void cw_time_format_iso(int64_t t, char *buf, size_t size);
void cw_time_format_date(int64_t t, char *buf, size_t size);

/* Reporting periods: ISO weeks from Monday 00:00 UTC, UTC days, calendar months. */
typedef enum cw_period_kind { CW_PERIOD_DAY, CW_PERIOD_WEEK, CW_PERIOD_MONTH } cw_period_kind;

int cw_period_kind_parse(const char *s, cw_period_kind *out);   /* "day" | "week" | "month" */
const char *cw_period_kind_name(cw_period_kind kind);
int64_t cw_period_start(int64_t t, cw_period_kind kind);           /* start of the period holding t */
int64_t cw_period_next(int64_t period_start, cw_period_kind kind); /* start of the following period */

/* The reference instant of a run: the CW_NOW environment variable (an
 * ISO-8601 instant: reproducible re-runs and tests) when set and valid, else
 * the clock.  Everything that asks "as of now" (forecasts, the default report
 * window, the age of work in progress) asks this, never time(NULL). */
int64_t cw_now(void);

#endif
