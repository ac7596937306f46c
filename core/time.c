/*
 * time.c - every timestamp form catwalk reads, converted to UTC seconds.
 *
 * Civil dates become day numbers with pure arithmetic (days_from_civil), so
 * fixed offsets and UTC never touch the C library's time zone state.  Only an
 * IANA zone needs the tz database: we point TZ at it, ask localtime_r for the
 * offsets around the instant, and leave TZ there for the next conversion in
 * the same zone (see "The zone in TZ" below); cw_tz_release() puts the
 * caller's TZ back.
 *
 * All parsers share one small cursor scanner (struct scan) and one civil
 * date-time record (struct civil) that is range-checked before conversion,
 * so "31/Feb/26" and "25:00" are rejected the same way in every form.
 */
#include "time.h"
#include "util.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

const cw_tz cw_tz_utc = { 1, 0, "UTC" };

/* Held while TZ is read, switched or used (see "The zone in TZ" below). */
static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;

#define SECONDS_PER_DAY 86400

/* A civil date-time as read from text, before it is placed in a zone. */
struct civil {
    int year, mon, day, hour, min, sec;
    int has_offset;         /* the text carried its own UTC offset */
    int offset_s;
};

/* A cursor over the text being parsed. */
struct scan {
    const char *p;
};

/* English and French month names as Jira renders them (Java's short and long
 * DateFormatSymbols, with and without the abbreviation dot and accents). */
static const char builtin_months[] =
    "Jan|January|janv.|janv|janvier,"
    "Feb|February|févr.|févr|fevr.|fevr|février|fevrier|fév|fev,"
    "Mar|March|mars,"
    "Apr|April|avr.|avr|avril,"
    "May|mai,"
    "Jun|June|juin,"
    "Jul|July|juil.|juil|juillet,"
    "Aug|August|août|aout|aoû,"
    "Sep|Sept|September|sept.|septembre,"
    "Oct|October|oct.|octobre,"
    "Nov|November|nov.|novembre,"
    "Dec|December|déc.|déc|dec.|décembre|decembre";

/* ---- calendar arithmetic --------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Howard Hinnant's days_from_civil: exact for the whole proleptic calendar. */
int64_t cw_days_from_civil(int year, int mon, int day)
{
    int64_t y = (int64_t)year - (mon <= 2);
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cw_civil_from_days(int64_t days, int *year, int *mon, int *day)
{
    int64_t z = days + 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(yoe + era * 400 + (m <= 2));
    *mon = (int)m;
    *day = (int)d;
}

static int is_leap(int year)
{
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static int days_in_month(int year, int mon)
{
    static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return mon == 2 && is_leap(year) ? 29 : len[mon - 1];
}

/* Range checks shared by every parser: no 31 February, no 24:00. */
static int civil_valid(const struct civil *c)
{
    if (c->year < 1 || c->year > 9999 || c->mon < 1 || c->mon > 12)
        return 0;
    if (c->day < 1 || c->day > days_in_month(c->year, c->mon))
        return 0;
    return c->hour >= 0 && c->hour <= 23 && c->min >= 0 && c->min <= 59 &&
           c->sec >= 0 && c->sec <= 59;
}

static int64_t civil_as_utc(int year, int mon, int day, int hour, int min, int sec)
{
    return cw_days_from_civil(year, mon, day) * SECONDS_PER_DAY +
           (int64_t)hour * 3600 + (int64_t)min * 60 + sec;
}

/* ---- zones ------------------------------------------------------------ */

/* "+05:00", "-0500", "+5", "+05": seconds east of UTC, or -1. */
static int parse_offset_spec(const char *s, int *out)
{
    int sign, hours = 0, mins = 0, digits = 0;

    if (*s != '+' && *s != '-')
        return -1;
    sign = *s++ == '-' ? -1 : 1;
    while (isdigit((unsigned char)*s) && digits < 2) {
        hours = hours * 10 + (*s++ - '0');
        digits++;
    }
    if (digits == 0)
        return -1;
    if (*s == ':')
        s++;
    if (*s != '\0') {
        if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != '\0')
            return -1;
        mins = (s[0] - '0') * 10 + (s[1] - '0');
    }
    if (hours > 18 || mins > 59)
        return -1;
    *out = sign * (hours * 3600 + mins * 60);
    return 0;
}

/* An IANA name is only accepted when the tz database has it: glibc silently
 * falls back to UTC for unknown names, which would shift every timestamp. */
static int iana_zone_exists(const char *name)
{
    const char *dir;
    char path[512];
    struct stat st;

    if (name[0] == '\0' || name[0] == '/' || strstr(name, "..") != NULL)
        return 0;
    for (const char *c = name; *c; c++)
        if (!isalnum((unsigned char)*c) && !strchr("/_-+", *c))
            return 0;
    /* parsers read their zone on worker threads while another may be
     * setting TZ: the environment is read under the zone's lock */
    pthread_mutex_lock(&zone_lock);
    dir = getenv("TZDIR");
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name);
    pthread_mutex_unlock(&zone_lock);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int cw_tz_parse(const char *spec, cw_tz *out)
{
    cw_tz tz;

    if (spec == NULL)
        return -1;
    memset(&tz, 0, sizeof tz);
    if (strcmp(spec, "UTC") == 0 || strcmp(spec, "Z") == 0 || strcmp(spec, "utc") == 0 ||
        strcmp(spec, "GMT") == 0 || strcmp(spec, "Etc/UTC") == 0) {
        *out = cw_tz_utc;
        return 0;
    }
    if (spec[0] == '+' || spec[0] == '-') {
        if (parse_offset_spec(spec, &tz.offset_s) != 0)
            return -1;
        tz.is_fixed = 1;
        snprintf(tz.name, sizeof tz.name, "%s", spec);
        *out = tz;
        return 0;
    }
    if (strlen(spec) >= sizeof tz.name || !iana_zone_exists(spec))
        return -1;
    snprintf(tz.name, sizeof tz.name, "%s", spec);
    *out = tz;
    return 0;
}

/*
 * The zone in TZ.  Loading a zone (setenv + tzset reading the tz file) costs
 * several times more than a conversion, and doing it twice per call (there
 * and back) made a 141k-row log take seconds.  A file is nearly always read
 * in one zone, so TZ stays on the last zone we set and is switched only when
 * the zone changes.  The caller's TZ is remembered when we take TZ over and
 * put back by cw_tz_release().
 *
 * This is the one piece of mutable file-level state in the core: it mirrors
 * state that is process-wide already (the TZ variable and the zone libc has
 * loaded), so a caller-owned handle could not make two users coexist anyway.
 * Files are parsed by several threads at once (pipeline/parallel.c), so
 * zone_lock holds the whole of a conversion in an IANA zone: switching TZ,
 * tzset and the localtime_r calls that must see that zone, and the release.
 * Fixed offsets and UTC never take it.  setenv is only safe beside other
 * threads' getenv while TZ stays in the environment: the release, which may
 * remove it, runs once every parse is over (pipeline.c).
 *
 * If anyone changed TZ after we set it, TZ no longer names our zone: their
 * value becomes the one to put back, and we set ours again, so the zone a
 * result is computed in is always the one asked for.
 */
static struct zone_in_tz {
    int active;                         /* TZ holds `zone`, set by us */
    char zone[sizeof(((cw_tz *)0)->name)];
    int caller_had_tz;                  /* TZ was set before we took it over */
    char *caller_tz;                    /* its value then (malloc'd), or NULL */
} zone_in_tz;

static int tz_still_ours(void)
{
    const char *now = getenv("TZ");
    return zone_in_tz.active && now && strcmp(now, zone_in_tz.zone) == 0;
}

/* Note the TZ we are about to replace, as the value to put back. */
static int remember_caller_tz(void)
{
    const char *now = getenv("TZ");
    char *copy = now ? strdup(now) : NULL;
    if (now && !copy)
        return -1;
    free(zone_in_tz.caller_tz);
    zone_in_tz.caller_tz = copy;
    zone_in_tz.caller_had_tz = now != NULL;
    zone_in_tz.active = 0;
    return 0;
}

/* Make TZ name the zone.  tzset() runs on every call: with TZ unchanged it
 * only compares the name with the loaded one, and it guarantees that
 * localtime_r reads this zone even if someone switched TZ away and back. */
static int use_zone(const char *name)
{
    if (!tz_still_ours() && remember_caller_tz() != 0)
        return -1;
    if (!zone_in_tz.active || strcmp(zone_in_tz.zone, name) != 0) {
        if (setenv("TZ", name, 1) != 0)
            return -1;
        snprintf(zone_in_tz.zone, sizeof zone_in_tz.zone, "%s", name);
        zone_in_tz.active = 1;
    }
    tzset();
    return 0;
}

void cw_tz_release(void)
{
    pthread_mutex_lock(&zone_lock);
    if (tz_still_ours()) {
        if (zone_in_tz.caller_had_tz)
            setenv("TZ", zone_in_tz.caller_tz, 1);
        else
            unsetenv("TZ");
        tzset();
    }
    free(zone_in_tz.caller_tz);
    zone_in_tz.caller_tz = NULL;
    zone_in_tz.caller_had_tz = 0;
    zone_in_tz.active = 0;
    pthread_mutex_unlock(&zone_lock);
}

/* UTC offset in force at instant t in the current TZ. */
static long offset_at(int64_t t)
{
    time_t tt = (time_t)t;
    struct tm tm;

    if (localtime_r(&tt, &tm) == NULL)
        return 0;
    return tm.tm_gmtoff;
}

/*
 * Local civil seconds -> instant, in the zone TZ currently names.  Real zones
 * change offset at most once within a day, so the offsets a day before and a
 * day after are the only candidates.  A candidate is right when the offset in
 * force at the resulting instant is the one we assumed.  Two right answers
 * (the repeated hour in autumn): take the first.  None (the skipped hour in
 * spring): read the time with the offset before the gap, which lands after
 * it - "02:30" becomes "03:30" daylight time, i.e. the gap resolves forward.
 */
static int64_t local_to_utc(int64_t local)
{
    long before = offset_at(local - SECONDS_PER_DAY);
    long after = offset_at(local + SECONDS_PER_DAY);
    int64_t t_before = local - before, t_after = local - after;
    int ok_before = offset_at(t_before) == before;
    int ok_after = offset_at(t_after) == after;

    if (ok_before && ok_after)
        return t_before < t_after ? t_before : t_after;
    if (ok_after)
        return t_after;
    return t_before;
}

int64_t cw_tz_to_utc(const cw_tz *tz, int year, int mon, int day, int hour, int min, int sec)
{
    int64_t local = civil_as_utc(year, mon, day, hour, min, sec), t = local;

    if (tz == NULL)
        return local;
    if (tz->is_fixed)
        return local - tz->offset_s;
    pthread_mutex_lock(&zone_lock);
    if (use_zone(tz->name) == 0)
        t = local_to_utc(local);
    pthread_mutex_unlock(&zone_lock);
    return t;
}

static int64_t civil_to_utc(const struct civil *c, const cw_tz *tz)
{
    if (c->has_offset)
        return civil_as_utc(c->year, c->mon, c->day, c->hour, c->min, c->sec) - c->offset_s;
    return cw_tz_to_utc(tz, c->year, c->mon, c->day, c->hour, c->min, c->sec);
}

/* One range for every instant any parser accepts (time.h says why). */
int cw_time_in_range(int64_t t)
{
    return t >= CW_TIME_MIN && t <= CW_TIME_MAX;
}

void cw_time_reason(int rc, const char *text, char *buf, size_t size)
{
    if (rc == CW_TIME_RANGE)
        snprintf(buf, size, "timestamp '%.80s' outside 1970-01-01 .. 2200-01-01", text ? text : "");
    else
        snprintf(buf, size, "unparseable timestamp '%.80s'", text ? text : "");
}

int cw_time_either(int rc1, int rc2)
{
    if (rc1 == 0 || rc2 == 0)
        return 0;
    return rc1 == CW_TIME_RANGE || rc2 == CW_TIME_RANGE ? CW_TIME_RANGE : -1;
}

/* The common end of every parser: nothing may follow the timestamp, the
 * date must exist, it converts (offset if given, else tz), and the instant
 * must lie in the accepted range. */
static int finish_scan(const struct scan *sc, const struct civil *c, const cw_tz *tz, int64_t *out)
{
    int64_t t;
    if (*sc->p != '\0' || !civil_valid(c))
        return -1;
    t = civil_to_utc(c, tz ? tz : &cw_tz_utc);
    if (!cw_time_in_range(t))
        return CW_TIME_RANGE;
    *out = t;
    return 0;
}

/* ---- scanning helpers ------------------------------------------------- */

/* Between min and max decimal digits into *out; 0 or -1. */
static int scan_digits(struct scan *s, int min, int max, int *out)
{
    int n = 0, v = 0;

    while (n < max && isdigit((unsigned char)s->p[n])) {
        v = v * 10 + (s->p[n] - '0');
        n++;
    }
    if (n < min)
        return -1;
    s->p += n;
    *out = v;
    return 0;
}

static int scan_char(struct scan *s, char c)
{
    if (*s->p != c)
        return -1;
    s->p++;
    return 0;
}

/* A fraction of a second: up to 9 digits, truncated (we keep seconds). */
static int scan_fraction(struct scan *s)
{
    int n = 0;

    while (isdigit((unsigned char)s->p[n]))
        n++;
    if (n < 1 || n > 9)
        return -1;
    s->p += n;
    return 0;
}

/* "Z", "+hh:mm", "+hhmm" or "+hh" into the civil record. */
static int scan_offset(struct scan *s, struct civil *c)
{
    int sign, hours, mins = 0;

    if (*s->p == 'Z' || *s->p == 'z') {
        s->p++;
        c->has_offset = 1;
        c->offset_s = 0;
        return 0;
    }
    if (*s->p != '+' && *s->p != '-')
        return -1;
    sign = *s->p++ == '-' ? -1 : 1;
    if (scan_digits(s, 2, 2, &hours) != 0)
        return -1;
    if (*s->p == ':') {
        s->p++;
        if (scan_digits(s, 2, 2, &mins) != 0)
            return -1;
    } else if (isdigit((unsigned char)*s->p)) {
        if (scan_digits(s, 2, 2, &mins) != 0)
            return -1;
    }
    if (hours > 18 || mins > 59)
        return -1;
    c->has_offset = 1;
    c->offset_s = sign * (hours * 3600 + mins * 60);
    return 0;
}

/* "AM"/"PM" (any case) applied to a 1-12 hour. */
static int scan_ampm(struct scan *s, int *hour)
{
    int pm;

    /* p[0] first: at the end of the text p[1] lies past the terminator. */
    if (toupper((unsigned char)s->p[0]) == 'A')
        pm = 0;
    else if (toupper((unsigned char)s->p[0]) == 'P')
        pm = 1;
    else
        return -1;
    if (toupper((unsigned char)s->p[1]) != 'M')
        return -1;
    if (*hour < 1 || *hour > 12)
        return -1;
    *hour = (*hour % 12) + (pm ? 12 : 0);
    s->p += 2;
    return 0;
}

/* ASCII case-insensitive comparison of exactly n bytes (UTF-8 bytes compare as is). */
static int name_equals(const char *a, size_t alen, const char *b, size_t blen)
{
    if (alen != blen)
        return 0;
    for (size_t i = 0; i < alen; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* Month number for the word [word, word+len) in a table "a|b,c|d,..." of 12
 * lists; 0 when no name matches or the table does not have 12 lists. */
static int month_from_names(const char *word, size_t len, const char *table)
{
    int mon = 1, found = 0;
    const char *p = table;

    while (*p) {
        size_t n = strcspn(p, "|,");
        if (!found && n > 0 && name_equals(word, len, p, n))
            found = mon;
        p += n;
        if (*p == ',')
            mon++;
        if (*p)
            p++;
    }
    return mon == 12 ? found : 0;
}

/* A month name ends at the next separator or digit (so "oct." keeps its dot). */
static int scan_month_name(struct scan *s, const char *table, int *mon)
{
    size_t len = 0;

    while (s->p[len] && s->p[len] != '/' && s->p[len] != '-' && s->p[len] != ' ' &&
           !isdigit((unsigned char)s->p[len]))
        len++;
    if (len == 0 || (*mon = month_from_names(s->p, len, table)) == 0)
        return -1;
    s->p += len;
    return 0;
}

/* Two-digit years follow the POSIX strptime rule: 69-99 are 19xx, 00-68 20xx. */
static int expand_year(int yy, int digits)
{
    if (digits > 2)
        return yy;
    return yy < 69 ? 2000 + yy : 1900 + yy;
}

static int scan_year(struct scan *s, int *year)
{
    const char *start = s->p;

    if (scan_digits(s, 2, 4, year) != 0 || s->p - start == 3)
        return -1;
    *year = expand_year(*year, (int)(s->p - start));
    return 0;
}

/* ---- ISO 8601 ----------------------------------------------------------- */

static int scan_iso_time(struct scan *s, struct civil *c)
{
    if (scan_digits(s, 2, 2, &c->hour) || scan_char(s, ':') || scan_digits(s, 2, 2, &c->min))
        return -1;
    if (*s->p == ':') {
        s->p++;
        if (scan_digits(s, 2, 2, &c->sec) != 0)
            return -1;
        if (*s->p == '.' || *s->p == ',') {
            s->p++;
            if (scan_fraction(s) != 0)
                return -1;
        }
    }
    /* Offsets may follow directly or after one space ("13:03:06 +0100", Jenkins). */
    if (*s->p == ' ' && (s->p[1] == '+' || s->p[1] == '-'))
        s->p++;
    if (*s->p != '\0' && scan_offset(s, c) != 0)
        return -1;
    return 0;
}

int cw_time_parse_iso8601(const char *s, const cw_tz *naive_tz, int64_t *out)
{
    struct civil c = { 0 };
    struct scan sc = { s };

    if (s == NULL)
        return -1;
    if (scan_digits(&sc, 4, 4, &c.year) || scan_char(&sc, '-') ||
        scan_digits(&sc, 2, 2, &c.mon) || scan_char(&sc, '-') || scan_digits(&sc, 2, 2, &c.day))
        return -1;
    if (*sc.p == 'T' || *sc.p == 't' || *sc.p == ' ') {
        sc.p++;
        if (scan_iso_time(&sc, &c) != 0)
            return -1;
    }
    return finish_scan(&sc, &c, naive_tz, out);
}

/* ---- epoch milliseconds --------------------------------------------------- */

int cw_time_parse_epoch_ms(const char *s, int64_t *out)
{
    const char *p = s;
    int64_t ms = 0;
    int neg = 0, n = 0;

    if (s == NULL)
        return -1;
    if (*p == '-') {
        neg = 1;
        p++;
    }
    for (; isdigit((unsigned char)*p); p++, n++) {
        if (n >= 18)        /* beyond year 31 million: not a timestamp */
            return -1;
        ms = ms * 10 + (*p - '0');
    }
    if (n == 0 || *p != '\0')
        return -1;
    if (!cw_time_in_range(floor_div(neg ? -ms : ms, 1000)))
        return CW_TIME_RANGE;
    *out = floor_div(neg ? -ms : ms, 1000);
    return 0;
}

/* ---- Jira CSV ----------------------------------------------------------- */

int cw_time_parse_jira_csv(const char *s, const cw_tz *tz, const char *months, int64_t *out)
{
    struct civil c = { 0 };
    struct scan sc = { s };

    if (s == NULL)
        return -1;
    if (scan_digits(&sc, 1, 2, &c.day) || scan_char(&sc, '/') ||
        scan_month_name(&sc, months ? months : builtin_months, &c.mon) ||
        scan_char(&sc, '/') || scan_year(&sc, &c.year))
        return -1;
    if (*sc.p == ' ') {
        sc.p++;
        if (scan_digits(&sc, 1, 2, &c.hour) || scan_char(&sc, ':') ||
            scan_digits(&sc, 2, 2, &c.min))
            return -1;
        /* "h:mm a"; a locale that renders 24-hour time simply has no marker. */
        if (*sc.p == ' ') {
            sc.p++;
            if (scan_ampm(&sc, &c.hour) != 0)
                return -1;
        }
    }
    return finish_scan(&sc, &c, tz, out);
}

/* ---- explicit patterns --------------------------------------------------- */

/* Length of the run of identical letters starting at p. */
static size_t run_length(const char *p)
{
    size_t n = 1;
    while (p[n] == p[0])
        n++;
    return n;
}

/* Apply one pattern token (a run of n copies of letter) to the text. */
static int scan_token(struct scan *s, char letter, size_t n, const char *months, struct civil *c)
{
    switch (letter) {
    case 'y':
        if (n == 2) {
            if (scan_digits(s, 2, 2, &c->year) != 0)
                return -1;
            c->year = expand_year(c->year, 2);
            return 0;
        }
        return n == 4 ? scan_digits(s, 4, 4, &c->year) : -1;
    case 'M':
        if (n >= 3)
            return scan_month_name(s, months ? months : builtin_months, &c->mon);
        return scan_digits(s, 1, 2, &c->mon);
    case 'd': return n <= 2 ? scan_digits(s, 1, 2, &c->day) : -1;
    case 'H':
    case 'h': return n <= 2 ? scan_digits(s, 1, 2, &c->hour) : -1;
    case 'm': return n <= 2 ? scan_digits(s, 1, 2, &c->min) : -1;
    case 's': return n <= 2 ? scan_digits(s, 1, 2, &c->sec) : -1;
    case 'S': return scan_fraction(s);
    case 'a':   /* checked here, applied once the hour is known */
        return (toupper((unsigned char)s->p[0]) == 'A' || toupper((unsigned char)s->p[0]) == 'P') &&
               toupper((unsigned char)s->p[1]) == 'M' ? 0 : -1;
    case 'Z':
    case 'X':
        return scan_offset(s, c);
    default:
        return -1;
    }
}

int cw_time_parse_pattern(const char *s, const char *pattern, const cw_tz *tz, int64_t *out)
{
    return cw_time_parse_pattern_months(s, pattern, NULL, tz, out);
}

int cw_time_parse_pattern_months(const char *s, const char *pattern, const char *months,
                                 const cw_tz *tz, int64_t *out)
{
    struct civil c = { 0, 1, 1, 0, 0, 0, 0, 0 };
    struct scan sc = { s };
    const char *ampm = NULL;

    if (s == NULL || pattern == NULL)
        return -1;
    for (const char *p = pattern; *p;) {
        if (*p == '\'') {       /* Java-style quoted literal: 'T' */
            const char *end = strchr(p + 1, '\'');
            size_t n = end ? (size_t)(end - p - 1) : strlen(p + 1);
            if (strncmp(sc.p, p + 1, n) != 0)
                return -1;
            sc.p += n;
            p += n + (end ? 2 : 1);
        } else if (isalpha((unsigned char)*p)) {
            size_t n = run_length(p);
            if (*p == 'a')
                ampm = sc.p;
            if (scan_token(&sc, *p, n, months, &c) != 0)
                return -1;
            if (*p == 'a')
                sc.p += 2;
            p += n;
        } else if (*sc.p++ != *p++) {
            return -1;
        }
    }
    if (ampm != NULL) {
        struct scan marker = { ampm };
        if (scan_ampm(&marker, &c.hour) != 0)
            return -1;
    }
    return finish_scan(&sc, &c, tz, out);
}

/* ---- any form --------------------------------------------------------------- */

static int is_epoch_ms_text(const char *s)
{
    size_t n = strspn(s, "0123456789");
    return n >= 13 && s[n] == '\0';
}

int cw_time_parse_any(const char *s, const char *pattern, const cw_tz *tz, int64_t *out)
{
    int rc;
    if (s == NULL)
        return -1;
    if ((rc = cw_time_parse_iso8601(s, tz, out)) == 0)
        return 0;
    if (is_epoch_ms_text(s))
        rc = cw_time_either(rc, cw_time_parse_epoch_ms(s, out));
    if (rc != 0 && pattern != NULL)
        rc = cw_time_either(rc, cw_time_parse_pattern(s, pattern, tz, out));
    return rc;
}

/* ---- formatting ------------------------------------------------------------ */

static void split_instant(int64_t t, int *y, int *mo, int *d, int *h, int *mi, int *sec)
{
    int64_t days = floor_div(t, SECONDS_PER_DAY);
    int64_t rest = t - days * SECONDS_PER_DAY;

    cw_civil_from_days(days, y, mo, d);
    *h = (int)(rest / 3600);
    *mi = (int)(rest % 3600 / 60);
    *sec = (int)(rest % 60);
}

/* t as text: the date, and with_time its time of day too ("" for
 * INT64_MIN, the unknown instant). */
static void format_instant(int64_t t, int with_time, char *buf, size_t size)
{
    int y, mo, d, h, mi, s;

    if (size == 0)
        return;
    if (t == INT64_MIN) {
        buf[0] = '\0';
        return;
    }
    split_instant(t, &y, &mo, &d, &h, &mi, &s);
    if (with_time)
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
    else
        snprintf(buf, size, "%04d-%02d-%02d", y, mo, d);
}

void cw_time_format_iso(int64_t t, char *buf, size_t size)
{
    format_instant(t, 1, buf, size);
}

void cw_time_format_date(int64_t t, char *buf, size_t size)
{
    format_instant(t, 0, buf, size);
}

/* ---- periods ---------------------------------------------------------------- */

static const char *const period_names[] = { "day", "week", "month" };

int cw_period_kind_parse(const char *s, cw_period_kind *out)
{
    if (s == NULL)
        return -1;
    for (int k = CW_PERIOD_DAY; k <= CW_PERIOD_MONTH; k++) {
        if (name_equals(s, strlen(s), period_names[k], strlen(period_names[k]))) {
            *out = (cw_period_kind)k;
            return 0;
        }
    }
    return -1;
}

const char *cw_period_kind_name(cw_period_kind kind)
{
    return (unsigned)kind <= CW_PERIOD_MONTH ? period_names[kind] : "?";
}

int64_t cw_period_start(int64_t t, cw_period_kind kind)
{
    int64_t days = floor_div(t, SECONDS_PER_DAY);
    int y, m, d;

    switch (kind) {
    case CW_PERIOD_WEEK:
        /* Day 0 (1970-01-01) was a Thursday, so day 4 was the first Monday. */
        days -= ((days + 3) % 7 + 7) % 7;
        return days * SECONDS_PER_DAY;
    case CW_PERIOD_MONTH:
        cw_civil_from_days(days, &y, &m, &d);
        return cw_days_from_civil(y, m, 1) * SECONDS_PER_DAY;
    case CW_PERIOD_DAY:
    default:
        return days * SECONDS_PER_DAY;
    }
}

int64_t cw_period_next(int64_t period_start, cw_period_kind kind)
{
    int y, m, d;

    switch (kind) {
    case CW_PERIOD_WEEK:
        return period_start + 7 * SECONDS_PER_DAY;
    case CW_PERIOD_MONTH:
        cw_civil_from_days(floor_div(period_start, SECONDS_PER_DAY), &y, &m, &d);
        return m == 12 ? cw_days_from_civil(y + 1, 1, 1) * SECONDS_PER_DAY
                       : cw_days_from_civil(y, m + 1, 1) * SECONDS_PER_DAY;
    case CW_PERIOD_DAY:
    default:
        return period_start + SECONDS_PER_DAY;
    }
}

/* "2026-03" and "2026-W10": exactly those digits, the month 01-12, the
 * week one the ISO year has (its Thursday lies in that year). */
int cw_time_parse_period(const char *s, int64_t *out)
{
    int y, n;
    int64_t day;

    if (s == NULL || strlen(s) < 7 || !isdigit((unsigned char)s[0]) ||
        !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]) ||
        !isdigit((unsigned char)s[3]) || s[4] != '-')
        return -1;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    if (strlen(s) == 7 && isdigit((unsigned char)s[5]) && isdigit((unsigned char)s[6])) {
        n = (s[5] - '0') * 10 + (s[6] - '0');
        if (n < 1 || n > 12)
            return -1;
        day = cw_days_from_civil(y, n, 1);
    } else if (strlen(s) == 8 && s[5] == 'W' && isdigit((unsigned char)s[6]) &&
               isdigit((unsigned char)s[7])) {
        int64_t jan4 = cw_days_from_civil(y, 1, 4);
        int ty, tm, td;
        n = (s[6] - '0') * 10 + (s[7] - '0');
        /* week 1 holds January 4th; its Monday starts it */
        day = jan4 - ((jan4 + 3) % 7 + 7) % 7 + (int64_t)(n - 1) * 7;
        cw_civil_from_days(day + 3, &ty, &tm, &td);
        if (n < 1 || ty != y)
            return -1;
    } else {
        return -1;
    }
    if (!cw_time_in_range(day * SECONDS_PER_DAY))
        return CW_TIME_RANGE;
    *out = day * SECONDS_PER_DAY;
    return 0;
}

/* ---- pattern check ---------------------------------------------------------- */

/* What a pattern letter run reads, written for 2016-02-29 01:16:05. */
static const char *sample_text(char letter, size_t n)
{
    switch (letter) {
    case 'y': return n == 2 ? "16" : n == 4 ? "2016" : NULL;
    case 'M': return n >= 3 ? "Feb" : "02";
    case 'd': return "29";
    case 'H': case 'h': return "01";
    case 'm': return "16";
    case 's': return "05";
    case 'S': return "000";
    case 'a': return "AM";
    case 'Z': case 'X': return "+00:00";
    default: return NULL;
    }
}

/*
 * A date_format is usable when the parser itself reads a sample written in
 * it back to the right day: that rejects unknown letters and patterns that
 * lack a year, month or day, without a second copy of the pattern grammar.
 */
int cw_time_pattern_usable(const char *pattern)
{
    cw_buf text = { 0 };
    int64_t t = 0;
    int ok = 1;

    cw_buf_puts(&text, "");
    for (const char *p = pattern; *p && ok;) {
        size_t n = 1;
        if (*p == '\'') {      /* quoted literal: its text, without the quotes */
            const char *end = strchr(p + 1, '\'');
            n = end ? (size_t)(end - p - 1) : strlen(p + 1);
            cw_buf_append(&text, p + 1, n);
            p += n + (end ? 2 : 1);
            continue;
        }
        if (isalpha((unsigned char)*p)) {
            while (p[n] == *p)
                n++;
            ok = sample_text(*p, n) != NULL;
            if (ok)
                cw_buf_puts(&text, sample_text(*p, n));
        } else {
            cw_buf_append(&text, p, 1);
        }
        p += n;
    }
    ok = ok && cw_time_parse_pattern(text.data, pattern, &cw_tz_utc, &t) == 0 &&
         t / 86400 == cw_days_from_civil(2016, 2, 29);
    cw_buf_free(&text);
    return ok;
}

int64_t cw_now(void)
{
    const char *env = getenv("CW_NOW");
    int64_t t;
    if (env && *env && cw_time_parse_iso8601(env, NULL, &t) == 0)
        return t;
    return (int64_t)time(NULL);
}
