/*
 * metrics.h - the numbers, as metrics.md defines them.
 *
 * The metric SQL lives in the reports/sql/ files as views and parameterised
 * queries over the star schema; this API runs them for a window and a
 * period grain and hands back plain rows, which `catwalk metrics` prints and
 * the report renderers lay out.  A null metric (empty base) is NAN in a
 * double field; counts are never null.
 *
 * Everything here takes the warehouse connection (load/db.h), whichever
 * engine is behind it.  The views and the DORA bands are persistent objects
 * of the warehouse that `catwalk run` installs (cw_metrics_install_views);
 * readers only read them, on a read-only connection (cw_metrics_open_reader),
 * and say so clearly when a warehouse lacks them.
 */
#ifndef CW_METRICS_H
#define CW_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "../core/config.h"
#include "../core/time.h"
#include "../load/db.h"

typedef enum cw_scope { CW_SCOPE_APPLICATION, CW_SCOPE_TEAM, CW_SCOPE_ORG } cw_scope;
/* The scope's name: the key column of the rows in metrics_rows.sql and of
 * `catwalk metrics` output ("application", "team", "organisation"). */
const char *cw_scope_name(cw_scope scope);

typedef struct cw_metrics_query {
    int64_t from;               /* inclusive, a period start (UTC seconds) */
    int64_t to;                 /* exclusive, a period start */
    cw_period_kind by;
    cw_scope scope;
    /* the organisation row's name, [catwalk] organisation (metrics.md
     * Decisions 9); NULL: CW_ORGANISATION */
    const char *organisation;
} cw_metrics_query;

/* One row per (scope member, period), fields named exactly as metrics.md. */
typedef struct cw_metric_row {
    const char *name;           /* application, team or the organisation's name */
    const char *team;           /* owning team of an application, else NULL */
    char period[11];            /* YYYY-MM-DD */
    long deployments, deploy_days, deploy_failures;
    long lead_time_count;
    double lead_time_median_h, lead_time_p90_h;
    long failed_deployments;
    double change_failure_rate;
    long incidents;
    long restore_count;
    double restore_median_h, restore_p90_h;
    long throughput, wip;
    long cycle_time_count;
    double cycle_time_median_h, cycle_time_p85_h;
    double flow_efficiency;
    /* more fields (these may grow; the ones above never change meaning) */
    long throughput_feature, throughput_defect, throughput_risk, throughput_debt;
    double recovery_median_h;   /* failed deployment recovery time */
    double lead_time_item_median_h; /* work item lead time (created -> end) */
    double traceability;        /* share of deployed non-merge commits with a known key */
    long idea_to_production_count;      /* items by production_at (v_idea_to_production) */
    double idea_to_production_median_h, idea_to_production_p85_h;
} cw_metric_row;

typedef int (*cw_metric_row_fn)(void *ctx, const cw_metric_row *row);

/* The numeric output fields of a row: metrics.md's order, then the extras.
 * `catwalk metrics` prints exactly these (after application/team/organisation
 * and period). */
typedef struct cw_metric_field {
    const char *name;
    int is_double;              /* 1: double (NAN = null), 0: long */
    size_t offset;              /* offsetof(cw_metric_row, field) */
} cw_metric_field;
extern const cw_metric_field cw_metric_fields[];
extern const size_t cw_metric_n_fields;

/* Open the warehouse of cfg read-only, for `catwalk metrics` and `catwalk
 * report`: the one place readers open it.  0, or -1 after logging why (a
 * missing SQLite file says to run `catwalk run` first). */
int cw_metrics_open_reader(const cw_config *cfg, cw_db **out);

/* Create (drop and re-create) the metric views and the DORA bands of
 * reports/sql/views.sql in the warehouse, so analysts can query them with
 * any SQL tool and readers find them.  Needs a writable connection; call it
 * inside the batch transaction after the correlation step.  0, or -1 after
 * logging the engine's error. */
int cw_metrics_install_views(cw_db *db);

/* Rows ordered by name then period; every configured application (team) and
 * every period of the window appear.  Returns 0, -1 on SQL error or when the
 * warehouse lacks the views (logged), or fn's value. */
int cw_metrics_rows(cw_db *db, const cw_metrics_query *q, cw_metric_row_fn fn, void *ctx);

/* DORA 2023 levels. */
typedef enum cw_level { CW_LEVEL_NONE, CW_LEVEL_LOW, CW_LEVEL_MEDIUM, CW_LEVEL_HIGH, CW_LEVEL_ELITE } cw_level;
const char *cw_level_name(cw_level level);   /* "", "low", "medium", "high", "elite" */

/* The executive summary: the four keys over a window, per application, per
 * team and for the organisation, with levels and the previous-4-weeks trend. */
typedef struct cw_dora_summary {
    const char *name;
    const char *team;           /* for applications */
    cw_scope scope;
    long deployments;
    double deploys_per_week;
    double weekly_median_deploy_days, monthly_median_deploy_days;
    cw_level deploy_level;
    double lead_time_median_h;
    cw_level lead_time_level;
    double change_failure_rate;
    cw_level cfr_level;
    double restore_median_h;
    cw_level restore_level;
    /* the last 4 weeks of the window against the 4 weeks before them */
    double recent_deploys_per_week, prior_deploys_per_week;
    double recent_lead_time_median_h, prior_lead_time_median_h;
    double recent_change_failure_rate, prior_change_failure_rate;
    double recent_restore_median_h, prior_restore_median_h;
    /* metrics.md Decisions 3: 0 when none of its applications has a
     * deployment mapping; deploys_per_week is then NAN and no level is given */
    int deploy_mapped;
    /* the samples each figure rests on (the headline's small-sample rule):
     * window, last 4 weeks, the 4 before */
    long lead_time_count, restore_count;
    long recent_deployments, prior_deployments;
    long recent_lead_time_count, prior_lead_time_count;
    long recent_restore_count, prior_restore_count;
} cw_dora_summary;

/* The DORA bands are data: the dora_band view of reports/sql/views.sql
 * (metrics.md's thresholds), read into this table.  A band of `metric` holds
 * when the summary's field named `measure` lies in [lower, upper), or in
 * (lower, upper] when upper_inclusive; a NAN bound is open, a NAN value lies
 * in no band.  The level is the best one with a band that holds; none holds:
 * CW_LEVEL_NONE (no data). */
#define CW_DORA_MAX_BANDS 32

typedef struct cw_dora_band {
    char metric[32];            /* lead_time | change_failure_rate | restore | deploy_frequency */
    size_t measure;             /* offsetof(cw_dora_summary, the double field it rates) */
    cw_level level;
    double lower, upper;        /* NAN = open */
    int upper_inclusive;
} cw_dora_band;

typedef struct cw_dora_bands {
    cw_dora_band band[CW_DORA_MAX_BANDS];
    size_t n;
} cw_dora_bands;

/* Read dora_band.  0, or -1 (logged) on SQL error or a band naming an
 * unknown level or measure. */
int cw_dora_bands_load(cw_db *db, cw_dora_bands *out);
/* The level of s for one metric (see above). */
cw_level cw_dora_level(const cw_dora_bands *bands, const char *metric, const cw_dora_summary *s);

typedef int (*cw_dora_summary_fn)(void *ctx, const cw_dora_summary *row);
/* Applications first (by name), then teams, then the organisation (named
 * `organisation`; NULL: CW_ORGANISATION). */
int cw_dora_summaries(cw_db *db, int64_t from, int64_t to, const char *organisation,
                      cw_dora_summary_fn fn, void *ctx);

/* The weekly report's readings: for each scope in turn (applications,
 * teams, the organisation), the metric rows by week over [from, to) to
 * row(), then the DORA summaries of [from, to) to summary(), each as
 * cw_metrics_rows and cw_dora_summaries give them, from one grid per scope. */
typedef struct cw_weekly_fns {
    int (*row)(void *ctx, cw_scope scope, const cw_metric_row *row);
    cw_dora_summary_fn summary;
    void *ctx;
    const char *organisation;   /* the organisation row's name; NULL: CW_ORGANISATION */
} cw_weekly_fns;
int cw_metrics_weekly(cw_db *db, int64_t from, int64_t to, const cw_weekly_fns *fns);

/* Median and nearest-rank percentile of n values (sorted in place); NAN when n == 0. */
double cw_median(double *values, size_t n);
double cw_percentile(double *values, size_t n, double pct);
/* The same rules for values already in ascending order, read by position
 * (n > 0): the median of n values is cw_median_of(the values at the 0-based
 * positions lo and hi, n), the pct percentile the value at
 * cw_percentile_position(n, pct).  The report reads its samples this way,
 * sorted once, rather than keeping an array per member and period. */
void cw_median_positions(size_t n, size_t *lo, size_t *hi);
double cw_median_of(double lo_value, double hi_value, size_t n);
size_t cw_percentile_position(size_t n, double pct);

#endif
