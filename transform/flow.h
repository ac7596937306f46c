/*
 * flow.h - work-item flow: status categories, flow types, start/end, active
 * time and status intervals (metrics.md, "Work items and flow").
 *
 * Status -> category: the configuration first (dim_status rows of origin
 * config), else the source's category (the caller adds those to the map
 * first, in an order-independent way: correlate.c learn_source_statuses),
 * else the item's own source category when the status is the item's
 * current one, else a guess from the name (todo for "to do", "open",
 * "backlog", "new", "created", "selected"; done for "done", "closed",
 * "resolved", "released", "complete"; else in_progress).  Names compare
 * case-insensitively.  Statuses learnt this way are kept in the map with
 * their origin (source | guess) so the caller can record them.
 *
 * Per item, from its transitions sorted by at then history id:
 *   start  = the first transition into an in_progress status;
 *   end    = where the item's current done streak began, and only when its
 *            current status is done (a reopened item has no end):
 *            the first transition into a done status after the last
 *            transition into a non-done status (todo or in_progress);
 *            else, when no transition starts the streak, resolved_at;
 *            else created_at;
 *   active = time between start and end spent in in_progress statuses that
 *            are not waiting;
 *   intervals: [created_at, first transition) in the first transition's from
 *            status, then one per transition; the last is open.  No
 *            transitions: one open interval in the current status.
 * Edge cases of end, as metrics.md ("Work items and flow") settles them:
 *   - done -> done moves (Resolved -> Closed, a workflow migration such as
 *     Closed -> 已完成 months later) never move end: they neither break the
 *     streak nor start one;
 *   - done, reopened, done again: end is the second arrival in done;
 *   - current status done but the last recorded move went to a non-done
 *     status (a history that missed the final move): resolved_at, else
 *     created_at, exactly as for a done item with no transitions;
 *   - a transition with no to status is skipped.
 * Decisions 10 (durations are never negative):
 *   - ended_before_start: end < start; the item keeps its end (it counts in
 *     throughput) but has no cycle time and no active time;
 *   - ended_before_created: end < created_at; no item lead time.
 *   Both become data-quality findings in the correlation step; an end equal
 *   to the start or the creation is a zero duration and is kept.
 * Every flow metric takes end from here: throughput and flow distribution
 * (by the period of end), cycle time, item lead time, flow efficiency and
 * time in status (between start and end); WIP reads the intervals, in which
 * a relabel is one more done interval.
 * CW_NO_TIME (core/record.h) stands for "none" everywhere.
 */
#ifndef CW_FLOW_H
#define CW_FLOW_H

#include <stddef.h>
#include <stdint.h>
#include "../core/config.h"

typedef enum cw_category { CW_CAT_TODO, CW_CAT_IN_PROGRESS, CW_CAT_DONE } cw_category;
typedef enum cw_status_origin { CW_STATUS_CONFIG, CW_STATUS_SOURCE, CW_STATUS_GUESS } cw_status_origin;

const char *cw_category_name(cw_category cat);              /* "todo" | "in_progress" | "done" */
int cw_category_parse(const char *s, cw_category *out);      /* 0, or -1 when not one of those */
const char *cw_status_origin_name(cw_status_origin origin);  /* "config" | "source" | "guess" */
cw_category cw_flow_guess_category(const char *status);

typedef struct cw_status_info {
    char *name;                 /* as first seen */
    cw_category category;
    int waiting;
    cw_status_origin origin;
} cw_status_info;

typedef struct cw_status_map cw_status_map;

cw_status_map *cw_status_map_new(void);
void cw_status_map_free(cw_status_map *map);
/* Add a status unless one of that name is known.  1 added, 0 already known. */
int cw_status_map_add(cw_status_map *map, const char *name, cw_category cat, int waiting,
                      cw_status_origin origin);
const cw_status_info *cw_status_map_get(const cw_status_map *map, const char *name);
/* The category of a status, learning it when unknown: from source_category
 * (todo | in_progress | done, may be NULL) when given, else by guessing.
 * Never NULL for a non-empty name; NULL for an empty one. */
const cw_status_info *cw_status_map_resolve(cw_status_map *map, const char *name,
                                            const char *source_category);
/* Every status in insertion order (pointers stay valid until the map is freed). */
size_t cw_status_map_count(const cw_status_map *map);
const cw_status_info *cw_status_map_at(const cw_status_map *map, size_t i);

/* Flow type of an item: config rules (exact type, case-insensitive) first,
 * then the defaults above.  labels is comma-separated, may be NULL. */
const char *cw_flow_type(const char *item_type, const char *labels,
                         const cw_flow_rule *rules, size_t n_rules);

typedef struct cw_flow_transition {
    int64_t at;
    const char *history_id;     /* may be NULL */
    const char *from_status;    /* may be NULL or "" */
    const char *to_status;
} cw_flow_transition;

typedef struct cw_flow_item {
    int64_t created_at;
    int64_t resolved_at;        /* CW_NO_TIME if none */
    const char *status;         /* current status */
    const char *source_category;/* todo | in_progress | done, or NULL */
    cw_flow_transition *transitions;    /* sorted in place by cw_flow_compute */
    size_t n_transitions;
} cw_flow_item;

typedef struct cw_flow_interval {
    const cw_status_info *status;
    int64_t from_at;
    int64_t to_at;              /* CW_NO_TIME = still there */
} cw_flow_interval;

typedef struct cw_flow_result {
    cw_category category;       /* of the current status */
    int64_t start_at, end_at, active_s;
    int ended_before_start;     /* end < start: no cycle time, no active time */
    int ended_before_created;   /* end < created_at: no item lead time */
    cw_flow_interval *intervals;
    size_t n_intervals, cap;
} cw_flow_result;

/* Sort the transitions (at, then history id numerically when both are
 * numbers) and compute the result; res is reused across items.  0 or -1
 * when the item has no current status. */
/* The order of two changes at the same instant (Decisions 6): by history id,
 * numerically when both are digits ("9999" before "10000", leading zeros
 * ignored), else bytewise; NULL as "".  Used by the flow and release-scope
 * rules alike. */
int cw_flow_compare_history(const char *a, const char *b);

int cw_flow_compute(cw_status_map *map, cw_flow_item *item, cw_flow_result *res);
void cw_flow_result_free(cw_flow_result *res);

/* Idea to production: the latest of the first-deployment times of the
 * non-merge commits naming an item, provided all are deployed (an entry
 * CW_NO_TIME = not deployed).  CW_NO_TIME when n is 0 or any is missing. */
int64_t cw_flow_production_at(const int64_t *first_deployed, size_t n);

#endif
