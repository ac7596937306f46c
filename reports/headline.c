/*
 * headline.c - the report's headline (exec.h): four tiles, one sentence and
 * the band legend, what a reader takes in within 30 seconds.
 *
 * A tile is one DORA key of the organisation (or, for a team's slice, of
 * that team) over the window: its value in the unit people read (durations
 * of 48 hours or more in days), its level, and its change over the last 4
 * weeks against the 4 before, in the key's own unit -- percentage points
 * for the change failure rate, since 23.1 % -> 5.9 % is -17.2 pp, not
 * "-74 %".  The values, levels and trends are the summary's
 * (reports/metrics.c, cw_report_keys): nothing is computed twice here.
 *
 * The small-sample rule: a level resting on fewer than [report] min_samples
 * samples (default 5), or a trend whose either half does, is flagged
 * small_sample, and renderers show it greyed with its n (the level's
 * samples, or when only the trend is small, its smaller half's): a 100 % change
 * failure rate from 2 deployments must not read as the company's worst
 * problem.  The samples of each key:
 *   deployment frequency  the window's weeks (its level is their median);
 *                         its trend compares counts over two fixed 4-week
 *                         blocks and rests on no sample
 *   lead time             deployed commits with a lead time
 *   change failure rate   successful production deployments
 *   time to restore       restored incidents
 *
 * The legend states the thresholds as the dora_band view holds them, so
 * changing a band there changes the legend; no threshold is written here.
 */
#include "headline.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"
#include "../core/util.h"

#define SECONDS_PER_WEEK (7 * 86400)

typedef enum tile_unit { UNIT_PER_WEEK, UNIT_DURATION, UNIT_RATE } tile_unit;

/* The tiles, in the order of cw_report_keys (deployment frequency, lead
 * time, change failure rate, time to restore). */
static const struct tile_def {
    const char *key;            /* exec.h's tile key */
    const char *band;           /* dora_band.metric */
    const char *label;
    tile_unit unit;
    size_t samples, recent, prior;   /* long fields of cw_dora_summary; 0: none */
} tile_defs[CW_REPORT_TILES] = {
    { "deployment_frequency", "deploy_frequency", "Deployment frequency", UNIT_PER_WEEK, 0, 0, 0 },
    { "lead_time", "lead_time", "Lead time for changes", UNIT_DURATION,
      offsetof(cw_dora_summary, lead_time_count), offsetof(cw_dora_summary, recent_lead_time_count),
      offsetof(cw_dora_summary, prior_lead_time_count) },
    { "change_failure_rate", "change_failure_rate", "Change failure rate", UNIT_RATE,
      offsetof(cw_dora_summary, deployments), offsetof(cw_dora_summary, recent_deployments),
      offsetof(cw_dora_summary, prior_deployments) },
    { "restore", "restore", "Time to restore", UNIT_DURATION,
      offsetof(cw_dora_summary, restore_count), offsetof(cw_dora_summary, recent_restore_count),
      offsetof(cw_dora_summary, prior_restore_count) },
};

/* ------------------------------------------------------------ durations */

int cw_report_duration_in_days(double hours)
{
    return !isnan(hours) && fabs(hours) >= CW_REPORT_DAYS_FROM_H;
}

void cw_report_duration_text(double hours, char *buf, size_t size)
{
    if (isnan(hours))
        snprintf(buf, size, "no data");
    else if (cw_report_duration_in_days(hours))
        snprintf(buf, size, "%.1f days", hours / 24.0);
    else
        snprintf(buf, size, "%.1f h", hours);
}

/* ------------------------------------------------------------ tiles */

static long long_at(const cw_dora_summary *s, size_t offset)
{
    long v;
    memcpy(&v, (const char *)s + offset, sizeof v);
    return v;
}

const cw_dora_summary *cw_report_headline_summary(const cw_report *r)
{
    const char *team = r->exec.team_slice;
    for (size_t i = 0; i < r->n_summaries; i++) {
        const cw_dora_summary *s = &r->summaries[i];
        if (team ? s->scope == CW_SCOPE_TEAM && s->name && strcmp(s->name, team) == 0
                 : s->scope == CW_SCOPE_ORG)
            return s;
    }
    return NULL;
}

/* The window's ISO weeks (the deployment-frequency level's samples). */
static long window_weeks(const cw_report *r)
{
    return r->to > r->from ? (long)((r->to - r->from + SECONDS_PER_WEEK - 1) / SECONDS_PER_WEEK) : 0;
}

static void value_text(const struct tile_def *d, double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "no data");
    else if (d->unit == UNIT_PER_WEEK)
        snprintf(buf, size, "%.1f per week", v);
    else if (d->unit == UNIT_RATE)
        snprintf(buf, size, "%.1f %%", 100.0 * v);
    else
        cw_report_duration_text(v, buf, size);
}

/* The change in the key's own unit (percentage points for a rate); a
 * duration's change is in days when its value is shown in days. */
static double tile_change(const struct tile_def *d, double delta)
{
    return d->unit == UNIT_RATE ? 100.0 * delta : delta;
}

static void change_text(const struct tile_def *d, double change, double value, char *buf,
                        size_t size)
{
    const char *unit = d->unit == UNIT_RATE ? "pp" : d->unit == UNIT_PER_WEEK ? "per week" : "h";
    double shown = change;
    if (isnan(change)) {
        snprintf(buf, size, "no comparison");
        return;
    }
    if (d->unit == UNIT_DURATION && cw_report_duration_in_days(isnan(value) ? change : value)) {
        shown = change / 24.0;
        unit = "days";
    }
    if (fabs(shown) < 0.05)             /* "-0.0" and "+0.0" read as a change */
        snprintf(buf, size, "no change");
    else
        snprintf(buf, size, "%+.1f %s", shown, unit);
}

long cw_report_min_samples(const cw_report *r)
{
    const cw_config *cfg = r->exec.cfg;
    return cfg && cfg->report_min_samples ? cfg->report_min_samples : CW_MIN_SAMPLES_DEFAULT;
}

int cw_report_small_sample(const cw_report *r, const cw_dora_summary *s, size_t k,
                           long min_samples, long *samples)
{
    const struct tile_def *d = &tile_defs[k];
    cw_report_trend trend = cw_report_key_trend(s, &cw_report_keys[k]);
    long trend_samples = LONG_MAX;
    int small = 0;
    if (d->samples == 0) {              /* deployment frequency: the window's weeks */
        *samples = isnan(cw_report_key_value(s, &cw_report_keys[k])) ? 0 : window_weeks(r);
    } else {
        long recent = long_at(s, d->recent), prior = long_at(s, d->prior);
        *samples = long_at(s, d->samples);
        if (!isnan(trend.delta))
            trend_samples = recent < prior ? recent : prior;
    }
    if (*samples > 0 && *samples < min_samples)
        small |= CW_SMALL_LEVEL;
    if (trend_samples < min_samples) {
        small |= CW_SMALL_TREND;
        if (!(small & CW_SMALL_LEVEL))
            *samples = trend_samples;   /* the n that is small: the trend's half */
    }
    return small;
}

static void fill_tile(cw_report *r, const cw_dora_summary *s, size_t k, long min_samples,
                      cw_report_tile *t)
{
    const struct tile_def *d = &tile_defs[k];
    const cw_report_key *key = &cw_report_keys[k];
    cw_report_trend trend = cw_report_key_trend(s, key);
    char buf[64];
    memset(t, 0, sizeof *t);
    t->key = d->key;
    t->label = d->label;
    t->value = cw_report_key_value(s, key);
    t->level = cw_report_key_level(s, key);
    t->change = isnan(trend.delta) ? NAN : tile_change(d, trend.delta);
    t->better = trend.better;
    value_text(d, t->value, buf, sizeof buf);
    t->value_text = cw_report_intern(r, buf);
    change_text(d, t->change, t->value, buf, sizeof buf);
    t->change_text = cw_report_intern(r, buf);
    t->small_sample = cw_report_small_sample(r, s, k, min_samples, &t->samples) != 0;
}

/* ------------------------------------------------------------ narrative */

/* "lead time 2.1 days (-0.4 days)", with "n=3" for a small sample. */
static void tile_phrase(cw_buf *b, const cw_report_tile *t, const char *name)
{
    cw_buf_printf(b, "%s %s", name, t->value_text);  /* "deployments 4.2 per week" */
    if (!isnan(t->change) || t->small_sample) {
        cw_buf_puts(b, " (");
        if (!isnan(t->change))
            cw_buf_printf(b, "%s", t->change_text);
        if (t->small_sample)
            cw_buf_printf(b, "%sn=%ld", isnan(t->change) ? "" : ", ", t->samples);
        cw_buf_puts(b, ")");
    }
}

/* The rate: "change failure rate rose 3.1 pp to 12.5 %". */
static void rate_phrase(cw_buf *b, const cw_report_tile *t)
{
    if (isnan(t->value)) {
        cw_buf_puts(b, "change failure rate no data");
        return;
    }
    if (isnan(t->change) || strcmp(t->change_text, "no change") == 0)
        cw_buf_printf(b, "change failure rate at %s", t->value_text);
    else
        cw_buf_printf(b, "change failure rate %s %.1f pp to %s", t->change > 0 ? "rose" : "fell",
                      fabs(t->change), t->value_text);
    if (t->small_sample)
        cw_buf_printf(b, " (n=%ld)", t->samples);
}

/* Speed is deployment frequency and lead time: faster when one improved and
 * neither got worse. */
static const char *speed_verdict(const cw_report_tile *tiles)
{
    int better = 0, worse = 0;
    for (size_t k = 0; k < 2; k++) {
        better += tiles[k].better > 0;
        worse += tiles[k].better < 0;
    }
    if (better && !worse)
        return "Delivery got faster";
    if (worse && !better)
        return "Delivery got slower";
    if (better && worse)
        return "Delivery speed was mixed";
    return "Delivery speed held steady";
}

static void narrate(cw_report *r)
{
    const cw_report_tile *t = r->exec.headline.tiles;
    cw_buf b = {0};
    cw_buf_printf(&b, "%s: ", speed_verdict(t));
    tile_phrase(&b, &t[1], "lead time");
    cw_buf_puts(&b, ", ");
    tile_phrase(&b, &t[0], "deployments");
    cw_buf_puts(&b, "; ");
    rate_phrase(&b, &t[2]);
    cw_buf_puts(&b, ", ");
    tile_phrase(&b, &t[3], "time to restore");
    cw_buf_puts(&b, ".");
    r->exec.headline.narrative = cw_report_intern(r, b.data);
    cw_buf_free(&b);
}

void cw_report_headline_tiles(cw_report *r, long min_samples)
{
    cw_report_headline *h = &r->exec.headline;
    const cw_dora_summary *s = cw_report_headline_summary(r);
    cw_dora_summary none;
    if (!s) {                           /* no data at all: every tile says so */
        memset(&none, 0, sizeof none);
        none.deploys_per_week = none.lead_time_median_h = none.change_failure_rate = NAN;
        none.restore_median_h = NAN;
        none.recent_deploys_per_week = none.prior_deploys_per_week = NAN;
        none.recent_lead_time_median_h = none.prior_lead_time_median_h = NAN;
        none.recent_change_failure_rate = none.prior_change_failure_rate = NAN;
        none.recent_restore_median_h = none.prior_restore_median_h = NAN;
        s = &none;
    }
    for (size_t k = 0; k < CW_REPORT_TILES; k++)
        fill_tile(r, s, k, min_samples, &h->tiles[k]);
    h->n_tiles = CW_REPORT_TILES;
    narrate(r);
}

/* ------------------------------------------------------------ legend */

/* A bound of a band's measure as people read it. */
static void bound_text(const char *measure, double v, char *buf, size_t size)
{
    if (strcmp(measure, "change_failure_rate") == 0)
        snprintf(buf, size, "%g %%", 100.0 * v);
    else if (strcmp(measure, "weekly_median_deploy_days") == 0)
        snprintf(buf, size, "%g deploy day%s a week", v, v == 1 ? "" : "s");
    else if (strcmp(measure, "monthly_median_deploy_days") == 0)
        snprintf(buf, size, "%g deploy day%s a month", v, v == 1 ? "" : "s");
    else if (cw_report_duration_in_days(v))
        snprintf(buf, size, "%g days", v / 24.0);
    else
        snprintf(buf, size, "%g h", v);
}

static const char *measure_of(const cw_dora_band *b)
{
    static const struct { size_t offset; const char *name; } names[] = {
        { offsetof(cw_dora_summary, lead_time_median_h), "lead_time_median_h" },
        { offsetof(cw_dora_summary, change_failure_rate), "change_failure_rate" },
        { offsetof(cw_dora_summary, restore_median_h), "restore_median_h" },
        { offsetof(cw_dora_summary, weekly_median_deploy_days), "weekly_median_deploy_days" },
        { offsetof(cw_dora_summary, monthly_median_deploy_days), "monthly_median_deploy_days" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].offset == b->measure)
            return names[i].name;
    return "";
}

/* One band: its level and its bounds ("high < 7 days" after "elite < 24 h"). */
static void band_phrase(cw_buf *b, const cw_dora_band *band, const cw_dora_band *prev)
{
    const char *measure = measure_of(band);
    int same = prev && prev->measure == band->measure;
    /* a bound the better band already states is left out, unless it is
     * the band's only one: "low >= 30 days", not "low otherwise" */
    int lower = !isnan(band->lower) &&
                !(same && prev->upper == band->lower && !isnan(band->upper));
    int upper = !isnan(band->upper) &&
                !(same && prev->lower == band->upper && !isnan(band->lower));
    char text[64];
    cw_buf_printf(b, "%s", cw_level_name(band->level));
    if (lower) {
        bound_text(measure, band->lower, text, sizeof text);
        cw_buf_printf(b, " %s %s", band->upper_inclusive ? ">" : ">=", text);
    }
    if (upper) {
        bound_text(measure, band->upper, text, sizeof text);
        cw_buf_printf(b, "%s %s %s", lower ? " and" : "", band->upper_inclusive ? "<=" : "<", text);
    }
    if (!lower && !upper)
        cw_buf_puts(b, " otherwise");
}

void cw_report_headline_legend(cw_report *r, const cw_dora_bands *bands)
{
    for (size_t k = 0; k < CW_REPORT_TILES; k++) {
        const cw_dora_band *prev = NULL;
        cw_buf b = {0};
        cw_buf_printf(&b, "%s:", tile_defs[k].label);
        for (cw_level l = CW_LEVEL_ELITE; l >= CW_LEVEL_LOW; l--)
            for (size_t i = 0; i < bands->n; i++) {
                const cw_dora_band *band = &bands->band[i];
                if (band->level != l || strcmp(band->metric, tile_defs[k].band) != 0)
                    continue;
                cw_buf_puts(&b, prev ? ", " : " ");
                band_phrase(&b, band, prev);
                prev = band;
            }
        if (prev)
            cw_report_add_legend(r, b.data);
        cw_buf_free(&b);
    }
}

/* ------------------------------------------------------------ gather */

int cw_report_gather_headline(cw_db *db, cw_report *r)
{
    cw_dora_bands bands;
    cw_report_headline_tiles(r, cw_report_min_samples(r));
    if (cw_dora_bands_load(db, &bands) != 0) {
        cw_error("report: headline: the DORA bands cannot be read");
        return -1;
    }
    cw_report_headline_legend(r, &bands);
    return 0;
}
