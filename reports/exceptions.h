/*
 * exceptions.h - the exceptions digest: "the five things holding us up"
 * (metrics.md "Exceptions"), ranked across every tool.
 *
 * Two halves.  The rules (reports/exceptions_rank.c) are pure arithmetic:
 * when a candidate fires, its score, and the order; they read no warehouse
 * and are tested on hand-worked numbers.  The gathering (reports/
 * exceptions.c, SQL in reports/sql/exceptions_*.sql) reads the candidates
 * of an instant T from the warehouse and hands the numbers to the rules.
 *
 * The kinds, when each fires at T, and its score before weighting (r is the
 * ratio named, capped at CW_EXCEPTION_RATIO_CAP = 10):
 *   aging_wip         an item in progress at T (the status interval holding
 *                     T is in_progress) whose age T - start exceeds its
 *                     application's p85 cycle time over the items ending in
 *                     [T - 90 days, T): 1 + r, r = age / p85.
 *   gate_wait         an item in a gate status (map_gate) at T, in progress
 *                     (a gate is a wait status), whose current
 *                     visit, T - entered, exceeds the gate's p85 time in the
 *                     gate (v_gate_time: summed over visits, items ending in
 *                     [T - 90 days, T), every configured application): 2 + r,
 *                     r = wait / p85.  The current visit is compared, not the
 *                     sum of visits: it is what is waiting now, and it never
 *                     exceeds the sum, so the test errs towards silence.
 *   release_at_risk   a forecast with at_risk = 1 as it stood at T (the
 *                     forecasts as of T, v_forecast_made; at T = now the
 *                     derived_forecast rows; the forecast derivation's
 *                     rule, metrics.md "Forecast"): 5 + d / 7,
 *                     d = days late = (P85 - planned) / 86400, never below 0.
 *                     Not capped: metrics.md caps r only.
 *   open_incident     an incident open at T (created before T, not resolved
 *                     before T) older than its application's p85 time to
 *                     restore over the incidents resolved in [T - 90 days,
 *                     T): 4 + r, r = age / p85.
 *   dora_regression   a DORA key whose level over [T - 28 days, T) is lower
 *                     than over [T - 56 days, T - 28 days), the levels as
 *                     the DORA summaries rate them (reports/levels.c, the
 *                     dora_band view; never re-defined here): 3 + levels
 *                     dropped (1 to 3).
 *   stalled_pipeline  an application whose last successful production
 *                     deployment before T finished longer ago than the
 *                     threshold max(2 x the median gap between its
 *                     consecutive successful production deployments
 *                     finishing in [T - 90 days, T), 7 days): 2 + r,
 *                     r = (T - last) / threshold.
 * Every ratio kind fires only when its measure is strictly greater than its
 * threshold (r > 1); an application or gate with no baseline (see small
 * samples) never fires.
 *
 * Weights: `[exceptions] KIND = w` multiplies the kind's score (default 1;
 * 0 drops the kind: a zero score is never listed).  `[exceptions] top = N`
 * (default 5) is how many the digest keeps.
 *
 * Order (cw_exception_compare): score descending; ties by since ascending
 * (older first), then subject, then kind, then scope name (byte order), so
 * the order is total and the same on every engine.
 *
 * Small samples (the issue: "a 100 % change failure rate from 2 deployments
 * looks like the worst problem"): every baseline and level compared must
 * rest on at least `[report] min_samples` samples (default 5), or there is
 * no exception:
 *   - a p85 (cycle time, gate time, time to restore) needs n >= min_samples
 *     samples in its 90 days;
 *   - the median deployment gap needs >= min_samples gaps (min_samples + 1
 *     deployments) in its 90 days;
 *   - a DORA regression needs min_samples samples in BOTH halves for the
 *     key: lead-time samples, restore samples, or deployments (change
 *     failure rate); deployment frequency needs them in the earlier half
 *     only, since no deployment at all in the last 4 weeks is a measurement
 *     of frequency, not a missing sample.
 *
 * Edge cases: an item listed as a gate_wait is not also listed as aging_wip
 * (the gate is the more precise reason; with gate_wait weighted 0 it is
 * aging_wip when it qualifies); an epic (derived_hierarchy.is_epic)
 * is never an aging_wip candidate: it is in progress while any child is, so
 * its age measures its size, and its children are candidates themselves
 * (the baseline stays the metric's p85 cycle time, epics included); items and incidents of no
 * configured application are never candidates; a team's DORA regression is
 * listed only for a team of more than one application (with one, it is its
 * application's, listed already).  since is: the item's start (aging_wip),
 * its entry into the gate (gate_wait), the first of the unbroken run of
 * stored forecasts (forecast_history) whose P85 is after the planned date,
 * else when the forecast was made (release_at_risk), the incident's creation
 * (open_incident), T - 28 days (dora_regression), the last successful
 * production deployment (stalled_pipeline).
 */
#ifndef CW_REPORT_EXCEPTIONS_H
#define CW_REPORT_EXCEPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/config.h"
#include "../load/db.h"
#include "exec.h"

struct cw_report;

/* The kinds, in the order of cw_exception_kinds (core/config.h). */
typedef enum cw_exception_kind {
    CW_EXC_AGING_WIP,
    CW_EXC_GATE_WAIT,
    CW_EXC_RELEASE_AT_RISK,
    CW_EXC_OPEN_INCIDENT,
    CW_EXC_DORA_REGRESSION,
    CW_EXC_STALLED_PIPELINE,
} cw_exception_kind;

#define CW_EXCEPTION_RATIO_CAP 10.0
#define CW_EXCEPTION_HISTORY_S (90 * 86400)     /* the baselines' 90 days */
#define CW_EXCEPTION_TREND_S (28 * 86400)       /* the DORA halves: 4 weeks each */
#define CW_EXCEPTION_MIN_STALL_S (7 * 86400)    /* stalled: at least 7 days */

/* "aging_wip", ... (cw_exception_kinds). */
const char *cw_exception_kind_name(cw_exception_kind kind);
/* 0 with *out set, or -1 for a name that is no kind. */
int cw_exception_kind_parse(const char *name, cw_exception_kind *out);

/* The settings of the rules: from the configuration, or the defaults. */
typedef struct cw_exception_rules {
    double weight[CW_EXCEPTION_KINDS];
    size_t top;
    long min_samples;
} cw_exception_rules;

/* cfg NULL, or a cw_config not made by cw_config_load (exceptions_top 0):
 * the defaults (weights 1, top 5, min_samples 5). */
void cw_exception_rules_init(cw_exception_rules *rules, const cw_config *cfg);

/* measure / threshold capped at CW_EXCEPTION_RATIO_CAP; NAN when either is
 * NAN or threshold <= 0 (no baseline). */
double cw_exception_ratio(double measure, double threshold);

/* 1 when a ratio kind fires: measure and threshold known, threshold > 0,
 * measure > threshold. */
int cw_exception_fires(double measure, double threshold);

/* The weighted score: weight x (base of the kind + x), x being the capped
 * ratio (aging_wip, gate_wait, open_incident, stalled_pipeline), the days
 * late / 7 (release_at_risk; negative days count as 0) or the levels dropped
 * (dora_regression).  NAN when x is NAN. */
double cw_exception_score(const cw_exception_rules *rules, cw_exception_kind kind, double x);

/* The stalled-pipeline threshold for a median gap: max(2 x gap, 7 days). */
double cw_exception_stall_threshold(double median_gap_s);

/* 1 when the baseline of n samples may be used (n >= min_samples). */
int cw_exception_enough(const cw_exception_rules *rules, long n);

/* The order above, for qsort-like use; cw_exceptions_rank sorts. */
int cw_exception_compare(const cw_report_exception *a, const cw_report_exception *b);
void cw_exceptions_rank(cw_report_exception *e, size_t n);

/* ------------------------------------------------------------ gathering */

typedef struct cw_exceptions_query {
    int64_t as_of;              /* T */
    const char *team;           /* NULL: every team; else entries owned by it */
    const char *application;    /* NULL: every application; else its entries (its
                                 * items, incidents, releases, pipeline, keys) */
    int64_t forecasts_at;       /* the forecasts as they stood then (release_at_risk);
                                 * 0: as_of.  The weekly report's is its as-of
                                 * instant (cw_now), as its Forecasts sheet's */
} cw_exceptions_query;

/* Every candidate that fires at q->as_of, with its score (weights of cfg,
 * NULL = defaults), appended to r->exec.exceptions and the whole list
 * ranked.  Entries with a score of 0 (a kind weighted 0) are left out.
 * 0, or -1 (logged) on a warehouse error. */
int cw_exceptions_collect(cw_db *db, const cw_config *cfg, const cw_exceptions_query *q,
                          struct cw_report *r);

#endif
