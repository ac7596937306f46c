/*
 * levels.c - the pure arithmetic of metrics.md: median, nearest-rank
 * percentiles, and rating a summary against the DORA 2023 performance bands.
 *
 * The bands themselves are data, not code: the dora_band view of
 * reports/sql/views.sql holds every threshold; this file reads it
 * (cw_dora_bands_load) and applies it (cw_dora_level).
 *
 * Every median and percentile catwalk reports is computed here (the SQL
 * hands over the values), so the definitions live in exactly one place:
 *   median  the middle value for odd n, the mean of the two middle values
 *           for even n;
 *   pXX     nearest rank: the value at 1-based rank ceil(XX/100 * n);
 *   empty   NAN (reported as null, never 0).
 */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void cw_median_positions(size_t n, size_t *lo, size_t *hi)
{
    *lo = n % 2 == 1 ? n / 2 : n / 2 - 1;
    *hi = n / 2;
}

double cw_median_of(double lo_value, double hi_value, size_t n)
{
    if (n % 2 == 1)
        return lo_value;
    return (lo_value + hi_value) / 2.0;
}

size_t cw_percentile_position(size_t n, double pct)
{
    /* pct * n is exact for whole percentages, so dividing last keeps
     * ceil() from seeing 9.000000000000002 where the rank is 9. */
    double rank = ceil(pct * (double)n / 100.0);
    size_t index;
    if (rank < 1)
        rank = 1;
    index = (size_t)rank;
    if (index > n)
        index = n;
    return index - 1;
}

double cw_median(double *values, size_t n)
{
    size_t lo, hi;
    if (n == 0)
        return NAN;
    qsort(values, n, sizeof *values, compare_doubles);
    cw_median_positions(n, &lo, &hi);
    return cw_median_of(values[lo], values[hi], n);
}

double cw_percentile(double *values, size_t n, double pct)
{
    if (n == 0 || isnan(pct))
        return NAN;
    qsort(values, n, sizeof *values, compare_doubles);
    return values[cw_percentile_position(n, pct)];
}

const char *cw_level_name(cw_level level)
{
    switch (level) {
    case CW_LEVEL_LOW: return "low";
    case CW_LEVEL_MEDIUM: return "medium";
    case CW_LEVEL_HIGH: return "high";
    case CW_LEVEL_ELITE: return "elite";
    case CW_LEVEL_NONE: break;
    }
    return "";
}

/* ------------------------------------------------------------ DORA bands */

/* The summary fields a band may rate: the only names dora_band may use. */
static const struct {
    const char *name;
    size_t offset;
} measures[] = {
    { "lead_time_median_h", offsetof(cw_dora_summary, lead_time_median_h) },
    { "change_failure_rate", offsetof(cw_dora_summary, change_failure_rate) },
    { "restore_median_h", offsetof(cw_dora_summary, restore_median_h) },
    { "weekly_median_deploy_days", offsetof(cw_dora_summary, weekly_median_deploy_days) },
    { "monthly_median_deploy_days", offsetof(cw_dora_summary, monthly_median_deploy_days) },
};

static int measure_offset(const char *name, size_t *out)
{
    for (size_t i = 0; name && i < sizeof measures / sizeof measures[0]; i++)
        if (strcmp(measures[i].name, name) == 0) {
            *out = measures[i].offset;
            return 0;
        }
    return -1;
}

static int level_of_name(const char *name, cw_level *out)
{
    for (cw_level l = CW_LEVEL_LOW; l <= CW_LEVEL_ELITE; l++)
        if (name && strcmp(cw_level_name(l), name) == 0) {
            *out = l;
            return 0;
        }
    return -1;
}

static double bound(cw_stmt *st, int col)
{
    return cw_db_column_type(st, col) == CW_DB_NULL ? NAN : cw_db_column_real(st, col);
}

/* One row of dora_band into b; -1 when it names no known level or measure. */
static int read_band(cw_stmt *st, cw_dora_band *b)
{
    const char *metric = cw_db_column_text(st, 0), *level = cw_db_column_text(st, 1);
    const char *measure = cw_db_column_text(st, 2);
    if (!metric || level_of_name(level, &b->level) != 0 || measure_offset(measure, &b->measure) != 0) {
        cw_error("metrics: dora_band: unknown band %s/%s/%s", metric ? metric : "(null)",
                 level ? level : "(null)", measure ? measure : "(null)");
        return -1;
    }
    snprintf(b->metric, sizeof b->metric, "%s", metric);
    b->lower = bound(st, 3);
    b->upper = bound(st, 4);
    b->upper_inclusive = cw_db_column_int(st, 5) != 0;
    return 0;
}

int cw_dora_bands_load(cw_db *db, cw_dora_bands *out)
{
    cw_stmt *st;
    int rc = CW_DB_OK;
    memset(out, 0, sizeof *out);
    if (cw_db_prepare(db, "SELECT metric, level, measure, lower, upper, upper_inclusive "
                          "FROM dora_band", &st) != CW_DB_OK) {
        cw_error("metrics: dora_band: %s", cw_db_errmsg(db));
        return -1;
    }
    while (rc == CW_DB_OK && (rc = cw_db_step(st)) == CW_DB_ROW) {
        if (out->n == CW_DORA_MAX_BANDS) {
            cw_error("metrics: dora_band: more than %d bands", CW_DORA_MAX_BANDS);
            break;
        }
        rc = read_band(st, &out->band[out->n++]) == 0 ? CW_DB_OK : CW_DB_ERROR;
    }
    if (rc != CW_DB_DONE && rc != CW_DB_ERROR)
        cw_error("metrics: dora_band: %s", cw_db_errmsg(db));
    cw_db_finalize(st);
    return rc == CW_DB_DONE ? 0 : -1;
}

static int band_holds(const cw_dora_band *b, double v)
{
    if (isnan(v))
        return 0;
    if (!isnan(b->lower) && (b->upper_inclusive ? v <= b->lower : v < b->lower))
        return 0;
    return isnan(b->upper) || (b->upper_inclusive ? v <= b->upper : v < b->upper);
}

cw_level cw_dora_level(const cw_dora_bands *bands, const char *metric, const cw_dora_summary *s)
{
    for (cw_level l = CW_LEVEL_ELITE; l >= CW_LEVEL_LOW; l--)
        for (size_t i = 0; i < bands->n; i++) {
            const cw_dora_band *b = &bands->band[i];
            double v;
            if (b->level != l || strcmp(b->metric, metric) != 0)
                continue;
            memcpy(&v, (const char *)s + b->measure, sizeof v);
            if (band_holds(b, v))
                return l;
        }
    return CW_LEVEL_NONE;
}
