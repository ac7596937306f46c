/*
 * util.c - randomness and time formatting for `catwalk demo`.
 *
 * splitmix64 is small, fast and good enough to make data look real; what
 * matters here is that it is ours, so a seed gives the same bytes on every
 * machine and libc.
 *
 * Exports show local times ("+0100", "2026-03-02 09:15:00" in London), so we
 * need UTC -> local.  core/time.h only goes the other way (civil time in a
 * zone -> UTC), which is also what the parsers use; inverting that same
 * function keeps the demo consistent with how catwalk reads it back.
 * Offsets are cached per day, because a zone changes offset at most once a
 * day and cw_tz_to_utc is not cheap for IANA zones.  The cache is filled
 * before any application is simulated, so the threads that write
 * applications only read it; cw_tz_to_utc switches the process's TZ, so the
 * few lookups the cache cannot answer (the two days a year a zone changes
 * offset) take a lock.
 */
#include "internal.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- randomness ------------------------------------------------------------ */

uint64_t cw_demo_next(cw_demo_rng *r)
{
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

cw_demo_rng cw_demo_rng_derive(uint64_t seed, uint64_t a, uint64_t b)
{
    cw_demo_rng r = { seed ^ (a * 0xD6E8FEB86659FD93ULL) ^ (b * 0xA0761D6478BD642FULL) };
    cw_demo_next(&r);
    r.state = cw_demo_next(&r);
    return r;
}

double cw_demo_unit(cw_demo_rng *r)
{
    return (double)(cw_demo_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

long cw_demo_between(cw_demo_rng *r, long lo, long hi)
{
    if (hi <= lo)
        return lo;
    return lo + (long)(cw_demo_next(r) % (uint64_t)(hi - lo + 1));
}

int cw_demo_chance(cw_demo_rng *r, double p)
{
    return cw_demo_unit(r) < p;
}

double cw_demo_exp(cw_demo_rng *r, double mean)
{
    return -mean * log(1.0 - cw_demo_unit(r));
}

/* Knuth's method for small means, a rounded normal approximation above. */
long cw_demo_poisson(cw_demo_rng *r, double mean)
{
    if (mean <= 0)
        return 0;
    if (mean < 30) {
        double limit = exp(-mean), p = 1.0;
        long k = 0;
        do {
            k++;
            p *= cw_demo_unit(r);
        } while (p > limit);
        return k - 1;
    }
    {
        double u1 = cw_demo_unit(r), u2 = cw_demo_unit(r);
        double z = sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2);
        long n = lround(mean + sqrt(mean) * z);
        return n < 0 ? 0 : n;
    }
}

void cw_demo_sha(uint64_t seed, char *out)
{
    cw_demo_rng r = { seed };
    uint64_t a = cw_demo_next(&r), b = cw_demo_next(&r), c = cw_demo_next(&r);
    snprintf(out, 41, "%016llx%016llx%08llx", (unsigned long long)a, (unsigned long long)b,
             (unsigned long long)(c >> 32));
}

/* ---- zones ------------------------------------------------------------------- */

int64_t cw_demo_floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Day 0 (1970-01-01) was a Thursday. */
int cw_demo_weekday(int64_t day)
{
    return (int)(((day + 3) % 7 + 7) % 7);
}

static int offset_exact(const cw_tz *tz, int64_t t);

int cw_demo_zones_init(cw_demo_ctx *ctx)
{
    int64_t first = cw_demo_floor_div(ctx->sim_start, CW_DEMO_DAY) - 120;
    size_t days = (size_t)(cw_demo_floor_div(ctx->end, CW_DEMO_DAY) - first) + 8;

    for (int z = 0; z < CW_DEMO_N_ZONES; z++) {
        cw_demo_zone *zone = &ctx->zones[z];
        if (cw_tz_parse(cw_demo_zone_names[z], &zone->tz) != 0) {
            fprintf(stderr, "catwalk: error: time zone %s is not available\n", cw_demo_zone_names[z]);
            return -1;
        }
        zone->first_day = first;
        zone->n_days = days;
        zone->offsets = malloc(days * sizeof(*zone->offsets));
        if (!zone->offsets)
            return -1;
        for (size_t i = 0; i < days; i++) {
            int64_t day = first + (int64_t)i;
            int a = offset_exact(&zone->tz, day * CW_DEMO_DAY);
            int b = offset_exact(&zone->tz, day * CW_DEMO_DAY + CW_DEMO_DAY - 1);
            zone->offsets[i] = zone->tz.is_fixed ? INT32_MIN : a == b ? a : INT32_MAX;
        }
    }
    return 0;
}

void cw_demo_zones_free(cw_demo_ctx *ctx)
{
    for (int z = 0; z < CW_DEMO_N_ZONES; z++) {
        free(ctx->zones[z].offsets);
        ctx->zones[z].offsets = NULL;
    }
}

static int64_t utc_of_local(const cw_tz *tz, int64_t local)
{
    int64_t days = cw_demo_floor_div(local, CW_DEMO_DAY), sec = local - days * CW_DEMO_DAY;
    int y, m, d;
    cw_civil_from_days(days, &y, &m, &d);
    return cw_tz_to_utc(tz, y, m, d, (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
}

/*
 * The offset in force at t: guess, read the guessed local time back with
 * cw_tz_to_utc, correct by the difference.  Two rounds settle any real zone;
 * the repeated autumn hour, which cw_tz_to_utc maps to its first occurrence,
 * keeps the later (standard time) guess.
 */
static int offset_unlocked(const cw_tz *tz, int64_t t)
{
    int64_t off = 0, previous = 0;
    for (int round = 0; round < 4; round++) {
        int64_t back = utc_of_local(tz, t + off);
        if (back == t)
            return (int)off;
        previous = off;
        off += t - back;
    }
    return (int)(off < previous ? off : previous);
}

static int offset_exact(const cw_tz *tz, int64_t t)
{
    static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
    int off;
    if (tz->is_fixed)
        return tz->offset_s;
    pthread_mutex_lock(&tz_lock);
    off = offset_unlocked(tz, t);
    pthread_mutex_unlock(&tz_lock);
    return off;
}

static int utc_offset(cw_demo_ctx *ctx, cw_demo_zone_id id, int64_t t)
{
    cw_demo_zone *zone = &ctx->zones[id];
    int64_t day = cw_demo_floor_div(t, CW_DEMO_DAY), i = day - zone->first_day;
    int32_t *slot;

    if (zone->tz.is_fixed)
        return zone->tz.offset_s;
    if (i < 0 || (size_t)i >= zone->n_days)
        return offset_exact(&zone->tz, t);
    slot = &zone->offsets[i];
    return *slot != INT32_MAX ? *slot : offset_exact(&zone->tz, t);
}

typedef struct civil_time {
    int y, mo, d, h, mi, s;
} civil_time;

static civil_time civil_of(int64_t t)
{
    civil_time c;
    int64_t days = cw_demo_floor_div(t, CW_DEMO_DAY), sec = t - days * CW_DEMO_DAY;
    cw_civil_from_days(days, &c.y, &c.mo, &c.d);
    c.h = (int)(sec / 3600);
    c.mi = (int)(sec / 60 % 60);
    c.s = (int)(sec % 60);
    return c;
}

/* Jira REST: "2026-03-02T09:15:00.123+0100".  The milliseconds are derived
 * from the instant so that they vary without extra state. */
void cw_demo_fmt_jira(cw_demo_ctx *ctx, cw_demo_zone_id zone, int64_t t, char *buf, size_t n)
{
    int off = utc_offset(ctx, zone, t), a = off < 0 ? -off : off;
    civil_time c = civil_of(t + off);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02d%02d", c.y, c.mo, c.d, c.h, c.mi, c.s,
             (int)((uint64_t)t * 7919u % 1000u), off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

/* git %aI: "2026-03-02T09:15:00+01:00". */
void cw_demo_fmt_git(cw_demo_ctx *ctx, cw_demo_zone_id zone, int64_t t, char *buf, size_t n)
{
    int off = utc_offset(ctx, zone, t), a = off < 0 ? -off : off;
    civil_time c = civil_of(t + off);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", c.y, c.mo, c.d, c.h, c.mi, c.s,
             off < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

/* ServiceNow list export: "2026-03-02 09:15:00", local time without offset. */
void cw_demo_fmt_local(cw_demo_ctx *ctx, cw_demo_zone_id zone, int64_t t, char *buf, size_t n)
{
    civil_time c = civil_of(t + utc_offset(ctx, zone, t));
    snprintf(buf, n, "%04d-%02d-%02d %02d:%02d:%02d", c.y, c.mo, c.d, c.h, c.mi, c.s);
}

/* PagerDuty: "2026-03-02T09:15:00Z". */
void cw_demo_fmt_utc(int64_t t, char *buf, size_t n)
{
    civil_time c = civil_of(t);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02dZ", c.y, c.mo, c.d, c.h, c.mi, c.s);
}
