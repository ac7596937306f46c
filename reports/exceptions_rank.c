/*
 * exceptions_rank.c - the rules of the exceptions digest (exceptions.h):
 * when a candidate fires, its score, and the ranking.  Pure arithmetic: no
 * warehouse, no I/O, so every rule is tested on hand-worked numbers
 * (tests/unit/test_exceptions.c) and exceptions.c only gathers.
 */
#include "exceptions.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The base score of each kind (metrics.md "Exceptions"). */
static const double base_score[CW_EXCEPTION_KINDS] = {
    [CW_EXC_AGING_WIP] = 1,
    [CW_EXC_GATE_WAIT] = 2,
    [CW_EXC_RELEASE_AT_RISK] = 5,
    [CW_EXC_OPEN_INCIDENT] = 4,
    [CW_EXC_DORA_REGRESSION] = 3,
    [CW_EXC_STALLED_PIPELINE] = 2,
};

#define DAYS_PER_STEP 7.0       /* release at risk: + days late / 7 */

const char *cw_exception_kind_name(cw_exception_kind kind)
{
    return (unsigned)kind < CW_EXCEPTION_KINDS ? cw_exception_kinds[kind] : "";
}

int cw_exception_kind_parse(const char *name, cw_exception_kind *out)
{
    for (int k = 0; name && k < CW_EXCEPTION_KINDS; k++)
        if (strcmp(cw_exception_kinds[k], name) == 0) {
            *out = (cw_exception_kind)k;
            return 0;
        }
    return -1;
}

void cw_exception_rules_init(cw_exception_rules *rules, const cw_config *cfg)
{
    /* cw_config_load always sets top (default 5): a zeroed config is one a
     * test made by hand, and its zero weights are no one's choice. */
    int loaded = cfg && cfg->exceptions_top > 0;
    for (int k = 0; k < CW_EXCEPTION_KINDS; k++)
        rules->weight[k] = loaded ? cfg->exception_weights[k] : 1.0;
    rules->top = loaded ? (size_t)cfg->exceptions_top : CW_EXCEPTIONS_TOP_DEFAULT;
    rules->min_samples = cfg && cfg->report_min_samples > 0 ? cfg->report_min_samples
                                                            : CW_MIN_SAMPLES_DEFAULT;
}

int cw_exception_fires(double measure, double threshold)
{
    return !isnan(measure) && !isnan(threshold) && threshold > 0 && measure > threshold;
}

double cw_exception_ratio(double measure, double threshold)
{
    double r;
    if (isnan(measure) || isnan(threshold) || threshold <= 0)
        return NAN;
    r = measure / threshold;
    return r > CW_EXCEPTION_RATIO_CAP ? CW_EXCEPTION_RATIO_CAP : r;
}

double cw_exception_score(const cw_exception_rules *rules, cw_exception_kind kind, double x)
{
    if ((unsigned)kind >= CW_EXCEPTION_KINDS || isnan(x))
        return NAN;
    if (kind == CW_EXC_RELEASE_AT_RISK)
        x = x > 0 ? x / DAYS_PER_STEP : 0;      /* x is days late */
    return rules->weight[kind] * (base_score[kind] + x);
}

double cw_exception_stall_threshold(double median_gap_s)
{
    double twice = 2 * median_gap_s, floor_s = CW_EXCEPTION_MIN_STALL_S;
    if (isnan(median_gap_s))
        return NAN;
    return twice > floor_s ? twice : floor_s;
}

int cw_exception_enough(const cw_exception_rules *rules, long n)
{
    return n >= rules->min_samples;
}

static int strcmp_null(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "");
}

int cw_exception_compare(const cw_report_exception *a, const cw_report_exception *b)
{
    int c;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->since != b->since)
        return a->since < b->since ? -1 : 1;
    if ((c = strcmp_null(a->subject, b->subject)) != 0)
        return c;
    if ((c = strcmp_null(a->kind, b->kind)) != 0)
        return c;
    return strcmp_null(a->scope_name, b->scope_name);
}

static int compare_entries(const void *a, const void *b)
{
    return cw_exception_compare(a, b);
}

void cw_exceptions_rank(cw_report_exception *e, size_t n)
{
    if (n > 1)
        qsort(e, n, sizeof *e, compare_entries);
}
