/*
 * valuestream.h - time in status (the value stream map), gates and in-flight
 * items (metrics.md "Work items and flow", "Gates and the value stream
 * map", "Idea to production"), per application, team or organisation and
 * period, for `catwalk flow`.
 *
 * The per-item facts are the views of reports/sql/flow_views.sql; the
 * queries reports/sql/flow_*.sql read a window of them and this file puts
 * each into its scope member and period and computes medians and p85 with
 * cw_median / cw_percentile (reports/levels.c), the one place those rules
 * are written.
 */
#ifndef CW_VALUESTREAM_H
#define CW_VALUESTREAM_H

#include <stdint.h>
#include "metrics.h"

/* One time-in-status row: a member of the scope, a period of the window, a
 * status the member's items ending in the period spent time in between
 * their start and end. */
typedef struct cw_status_time_row {
    const char *name;           /* application, team or organisation */
    char period[11];            /* YYYY-MM-DD */
    const char *status, *category;
    int is_wait, is_gate;
    long items;                 /* items that spent time in it */
    double total_h, median_h, p85_h;    /* over those items, each summed over its visits */
    /* 1 when the status is the member's top waiting stage: the wait or gate
     * status with the largest total_h over the window (ties: the first name) */
    int top_waiting;
} cw_status_time_row;

typedef int (*cw_status_time_fn)(void *ctx, const cw_status_time_row *row);

/* Rows ordered by member, period, status; only statuses with items.
 * 0, -1 on SQL error (logged), or fn's value. */
int cw_status_time_rows(cw_db *db, const cw_metrics_query *q, cw_status_time_fn fn, void *ctx);

/* One gate row: a member, a period, a configured gate status. */
typedef struct cw_gate_row {
    const char *name;
    char period[11];
    const char *gate, *stakeholder;
    long passed;                /* items ending in the period that were ever in the gate */
    double median_h, p85_h;     /* their hours in it, summed over visits (NAN: none) */
    long skipped;               /* items ending in the period that skipped a required gate */
    /* at the report instant (the window's end), the same on every period row */
    long waiting;               /* items in the gate status */
    int64_t oldest_at;          /* the earliest entry of those; -1 when none waits */
} cw_gate_row;

typedef int (*cw_gate_fn)(void *ctx, const cw_gate_row *row);

/* For every member and gate with anything to say (the member requires the
 * gate's stakeholder, or an item passed, skipped or waits at it), a row per
 * period of the window, ordered by member, gate, period.  0, -1, or fn's. */
int cw_gate_rows(cw_db *db, const cw_metrics_query *q, cw_gate_fn fn, void *ctx);

/* One in-flight item (v_in_flight). */
typedef struct cw_in_flight_row {
    const char *application, *team, *item_key, *status, *category;
    int64_t created_at;
    long undeployed_commits;
    int64_t oldest_undeployed_at;
} cw_in_flight_row;

typedef int (*cw_in_flight_fn)(void *ctx, const cw_in_flight_row *row);

/* Every in-flight item of a configured application, oldest first. */
int cw_in_flight_rows(cw_db *db, cw_in_flight_fn fn, void *ctx);

#endif
