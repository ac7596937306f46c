/*
 * headline.h - the parts of the headline (reports/headline.c) a renderer or
 * a test calls on its own: the tiles and narrative from a model's
 * summaries, the band legend from the DORA bands, and the one rule for
 * showing a duration to people.
 */
#ifndef CW_REPORT_HEADLINE_H
#define CW_REPORT_HEADLINE_H

#include <stddef.h>

#include "report.h"

/* Durations of this many hours or more are shown in days ("3.1 days"),
 * shorter ones in hours ("5.3 h"): a lead time of 1099.87 hours reads as
 * 45.8 days. */
#define CW_REPORT_DAYS_FROM_H 48.0

/* "5.3 h", "3.1 days" (one decimal), or "no data" for NAN. */
void cw_report_duration_text(double hours, char *buf, size_t size);
/* 1 when a duration of `hours` is shown in days. */
int cw_report_duration_in_days(double hours);

/* [report] min_samples of r->exec.cfg, or its default. */
long cw_report_min_samples(const cw_report *r);

/* The small-sample rule for key k (cw_report_keys order) of summary s:
 * CW_SMALL_LEVEL when its level rests on fewer than min_samples samples,
 * CW_SMALL_TREND when either half of its trend does (see headline.c), 0
 * when neither.  *samples gets the samples its level rests on, or, when
 * only the trend is small, the smaller half's. */
#define CW_SMALL_LEVEL 1
#define CW_SMALL_TREND 2
int cw_report_small_sample(const cw_report *r, const cw_dora_summary *s, size_t k,
                           long min_samples, long *samples);

/* The summary the headline describes: the organisation's, or with
 * r->exec.team_slice set that team's.  NULL when the model has none. */
const cw_dora_summary *cw_report_headline_summary(const cw_report *r);

/* The four tiles and the narrative of r->exec.headline from the model's
 * summaries (metrics.md keys; the small-sample rule with min_samples). */
void cw_report_headline_tiles(cw_report *r, long min_samples);

/* One legend line per key from the DORA bands (the dora_band view), in tile
 * order: "Lead time for changes: elite < 24 h, high < 7 days, ...". */
void cw_report_headline_legend(cw_report *r, const cw_dora_bands *bands);

#endif
