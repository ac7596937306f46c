/*
 * levels.c - the pure arithmetic of metrics.md: median, nearest-rank
 * percentiles and the DORA 2023 performance bands.
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
#include <stdlib.h>

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double cw_median(double *values, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(values, n, sizeof *values, compare_doubles);
    if (n % 2 == 1)
        return values[n / 2];
    return (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

double cw_percentile(double *values, size_t n, double pct)
{
    double rank;
    size_t index;
    if (n == 0 || isnan(pct))
        return NAN;
    qsort(values, n, sizeof *values, compare_doubles);
    /* pct * n is exact for whole percentages, so dividing last keeps
     * ceil() from seeing 9.000000000000002 where the rank is 9. */
    rank = ceil(pct * (double)n / 100.0);
    if (rank < 1)
        rank = 1;
    index = (size_t)rank;
    if (index > n)
        index = n;
    return values[index - 1];
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

#define HOURS_PER_DAY 24.0

cw_level cw_level_lead_time(double hours)
{
    if (isnan(hours))
        return CW_LEVEL_NONE;
    if (hours < HOURS_PER_DAY)
        return CW_LEVEL_ELITE;
    if (hours < 7 * HOURS_PER_DAY)
        return CW_LEVEL_HIGH;
    if (hours < 30 * HOURS_PER_DAY)
        return CW_LEVEL_MEDIUM;
    return CW_LEVEL_LOW;
}

/* rate is a fraction: 0.05 is 5 %. */
cw_level cw_level_cfr(double rate)
{
    if (isnan(rate))
        return CW_LEVEL_NONE;
    if (rate <= 0.05)
        return CW_LEVEL_ELITE;
    if (rate <= 0.10)
        return CW_LEVEL_HIGH;
    if (rate <= 0.15)
        return CW_LEVEL_MEDIUM;
    return CW_LEVEL_LOW;
}

cw_level cw_level_restore(double hours)
{
    if (isnan(hours))
        return CW_LEVEL_NONE;
    if (hours < 1)
        return CW_LEVEL_ELITE;
    if (hours < HOURS_PER_DAY)
        return CW_LEVEL_HIGH;
    if (hours < 7 * HOURS_PER_DAY)
        return CW_LEVEL_MEDIUM;
    return CW_LEVEL_LOW;
}

/* DevLake's 2023 deployment-frequency bands, on deploy *days*: daily-ish
 * (>= 5 days a week) is elite, weekly high, monthly medium. */
cw_level cw_level_deploy_frequency(double weekly_median_days, double monthly_median_days)
{
    if (isnan(weekly_median_days) && isnan(monthly_median_days))
        return CW_LEVEL_NONE;
    if (weekly_median_days >= 5)
        return CW_LEVEL_ELITE;
    if (weekly_median_days >= 1)
        return CW_LEVEL_HIGH;
    if (monthly_median_days >= 1)
        return CW_LEVEL_MEDIUM;
    return CW_LEVEL_LOW;
}
