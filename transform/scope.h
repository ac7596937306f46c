/*
 * scope.h - release scope, planned vs delivered vs shipped (metrics.md,
 * "Release scope (planned vs delivered)", and issue 9's stricter
 * "shipped").  A pure rule: no I/O; transform/releases.c feeds it from the
 * warehouse and writes derived_release and derived_release_item.
 *
 * A release (a Jira fix version) is measured when it has a planned date:
 * a start date or a release date.  A version with neither is a bucket
 * ("Backlog", "Later"), never a plan, and gets no row.
 *
 * Which items carry the version when.  An item's Fix Version history
 * (add / remove events) is replayed in order of instant, then history id
 * (numerically when both are numbers), then input order.  Before its first
 * event the item carries the version iff that event is a remove: Jira
 * records no history for the fix versions an issue was created with.  An
 * item with no event for the version carries it from its creation iff it
 * carries it now; that is also what a Jira CSV export's fix versions mean
 * (the export has no history).  An item never carries anything before it
 * was created.  An event at instant t counts at t (state at t includes
 * every event at or before t).  An add while carrying, or a remove while
 * not, changes nothing.
 *
 * Instants.  Jira gives dates only; the warehouse stores a date as that
 * day's midnight UTC (dim_release).  Then:
 *   baseline = the start date's midnight UTC (scope as the release opens),
 *              else 24 hours after the version was first carried by any
 *              item (its creation for an item created with it, else its
 *              first add); none when no item ever carried it;
 *   release instant = the last second of the release date's UTC day
 *              (23:59:59: an item shipped at 15:00 on its release day
 *              shipped by the release date), else the last deployment of
 *              its items: the latest first-production deployment of any
 *              commit referencing an item that carries the version now;
 *              none when nothing of it was deployed yet.
 *
 * Classes of an item at the release instant R (every item that ever
 * carried the version gets a row):
 *   planned   = carried it at the baseline;
 *   added     = carries it at R and was not planned;
 *   removed   = planned and no longer carries it at R;
 *   (an item added after the baseline and removed before R is in none of
 *   these: it was never planned and is not delivered);
 *   delivered = carries it at R and is done at R;
 *   carried over = carries it at R and is not done at R;
 *   shipped   = delivered and its code reached production by R: it has a
 *              production_at (derived_work_item: every non-baseline
 *              referencing commit deployed) and production_at <= R;
 *   done_not_deployed = delivered while its code is not in production at
 *              all (as the data stands): no referencing commit, or one
 *              still undeployed.
 * An item with no referencing commit is never shipped and is
 * done_not_deployed when delivered: "shipped" must be proven from code,
 * and nothing in git shows such an item reached production; these are the
 * items an executive would be told are in the release without evidence.
 * A delivered item deployed after R is delivered, not shipped, and not
 * done_not_deployed (it shipped late).
 * "Done at R" follows the flow rules (transform/flow.h): the item's end
 * (its current done streak began) is at or before R, or one of its done
 * status intervals contains R (done at R, reopened later).  Items without
 * history (CSV) have one interval from creation, which says nothing about
 * when they became done: for them only the end (the resolution date,
 * Decisions 11) counts, so the caller passes no intervals for them.
 *
 * Without a release instant (not released, nothing deployed yet) the
 * release is measured as the data stands: added and removed against the
 * current assignments (scope creep so far), while delivered, shipped,
 * carried over and done_not_deployed are unknown (has_release 0: NULL in
 * derived_release, 0 on the items).
 *
 * Scope change % = (added + removed) / planned * 100, none when planned
 * is 0 (the views compute it from the counts).
 */
#ifndef CW_SCOPE_H
#define CW_SCOPE_H

#include <stddef.h>
#include <stdint.h>

/* One Fix Version event of an item for one release. */
typedef struct cw_scope_event {
    int64_t at;
    const char *history_id;     /* may be NULL */
    int added;                  /* 1 add, 0 remove */
} cw_scope_event;

/* A [from, to) interval in a done status; to CW_NO_TIME = still there. */
typedef struct cw_scope_span {
    int64_t from_at, to_at;
} cw_scope_span;

/* An item that carries, or once carried, the release. */
typedef struct cw_scope_item {
    int64_t created_at;
    int carries_now;            /* the version is among its current fix versions */
    cw_scope_event *events;     /* this release's events, any order (sorted in place) */
    size_t n_events;
    int64_t end_at;             /* derived_work_item.end_at, CW_NO_TIME if not done */
    const cw_scope_span *done;  /* done intervals (none for items without history) */
    size_t n_done;
    int64_t production_at;      /* derived_work_item.production_at, CW_NO_TIME if none */
    int64_t last_deploy_at;     /* latest first deployment of a referencing commit, or CW_NO_TIME */
    long commits;               /* non-merge commits referencing it */
    long undeployed;            /* of them, not deployed to production yet */
} cw_scope_item;

typedef struct cw_scope_release {
    int64_t start_at;           /* midnight UTC of the start date, or CW_NO_TIME */
    int64_t release_at;         /* midnight UTC of the release date, or CW_NO_TIME */
    cw_scope_item *items;
    size_t n_items;
} cw_scope_release;

/* An item's classes, each 0 or 1. */
typedef struct cw_scope_class {
    int planned, added, removed, delivered, shipped, carried_over, done_not_deployed;
} cw_scope_class;

typedef struct cw_scope_result {
    int64_t baseline_at;        /* CW_NO_TIME when none */
    int64_t release_instant;    /* CW_NO_TIME when none */
    int has_release;            /* release_instant is known: the classes below R count */
    long planned, added, removed, delivered, shipped, carried_over, done_not_deployed;
    cw_scope_class *items;      /* one per input item, same order */
    size_t n_items, cap;
} cw_scope_result;

/* Has the release a planned date (start or release date)?  Only such
 * releases are measured. */
int cw_scope_planned(const cw_scope_release *rel);

/* Whether an item carries the release at instant t (its events sorted). */
int cw_scope_carries(const cw_scope_item *item, int64_t t);

/* Compute the release's instants, counts and item classes; res is reused
 * across releases (cw_scope_result_free at the end).  Sorts every item's
 * events in place. */
void cw_scope_compute(cw_scope_release *rel, cw_scope_result *res);
void cw_scope_result_free(cw_scope_result *res);

#endif
