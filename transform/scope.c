/*
 * scope.c - release scope, planned vs delivered vs shipped (see scope.h for
 * the rule and its edge cases).
 */
#include "scope.h"
#include "flow.h"
#include "../core/record.h"
#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

#define DAY_S 86400

/* Floor division, so a date before 1970 still finds its day. */
static int64_t day_start(int64_t t)
{
    int64_t r = t % DAY_S;
    return t - (r < 0 ? r + DAY_S : r);
}

/* The events of one item, in the order they apply.  The input order is the
 * last tie-break: qsort is not stable, so it is kept in the sort key. */
typedef struct ordered_event {
    cw_scope_event ev;
    size_t order;
} ordered_event;

static int compare_events(const void *pa, const void *pb)
{
    const ordered_event *a = pa, *b = pb;
    int c;
    if (a->ev.at != b->ev.at)
        return a->ev.at < b->ev.at ? -1 : 1;
    if ((c = cw_flow_compare_history(a->ev.history_id, b->ev.history_id)) != 0)
        return c;
    return a->order < b->order ? -1 : (a->order > b->order);
}

static void sort_events(cw_scope_item *item)
{
    ordered_event *tmp;
    if (item->n_events < 2)
        return;
    tmp = cw_xcalloc(item->n_events, sizeof(*tmp));
    for (size_t i = 0; i < item->n_events; i++)
        tmp[i] = (ordered_event){ item->events[i], i };
    qsort(tmp, item->n_events, sizeof(*tmp), compare_events);
    for (size_t i = 0; i < item->n_events; i++)
        item->events[i] = tmp[i].ev;
    free(tmp);
}

int cw_scope_planned(const cw_scope_release *rel)
{
    return rel->start_at != CW_NO_TIME || rel->release_at != CW_NO_TIME;
}

/* Carried from creation: the first event is a remove, or there is none and
 * the item carries it now. */
static int carried_at_creation(const cw_scope_item *item)
{
    return item->n_events ? !item->events[0].added : item->carries_now;
}

int cw_scope_carries(const cw_scope_item *item, int64_t t)
{
    int on;
    if (t < item->created_at)
        return 0;
    on = carried_at_creation(item);
    for (size_t i = 0; i < item->n_events && item->events[i].at <= t; i++)
        on = item->events[i].added;
    return on;
}

/* The first instant the item carried the release, or CW_NO_TIME. */
static int64_t first_carried(const cw_scope_item *item)
{
    if (carried_at_creation(item))
        return item->created_at;
    for (size_t i = 0; i < item->n_events; i++)
        if (item->events[i].added)
            return item->events[i].at < item->created_at ? item->created_at
                                                          : item->events[i].at;
    return CW_NO_TIME;
}

static int64_t baseline_of(const cw_scope_release *rel)
{
    int64_t first = CW_NO_TIME;
    if (rel->start_at != CW_NO_TIME)
        return day_start(rel->start_at);
    for (size_t i = 0; i < rel->n_items; i++) {
        int64_t t = first_carried(&rel->items[i]);
        if (t != CW_NO_TIME && (first == CW_NO_TIME || t < first))
            first = t;
    }
    return first == CW_NO_TIME ? CW_NO_TIME : first + DAY_S;
}

static int64_t release_instant_of(const cw_scope_release *rel)
{
    int64_t last = CW_NO_TIME;
    if (rel->release_at != CW_NO_TIME)
        return day_start(rel->release_at) + DAY_S - 1;
    for (size_t i = 0; i < rel->n_items; i++) {
        const cw_scope_item *item = &rel->items[i];
        if (item->last_deploy_at != CW_NO_TIME && cw_scope_carries(item, INT64_MAX) &&
            (last == CW_NO_TIME || item->last_deploy_at > last))
            last = item->last_deploy_at;
    }
    return last;
}

static int done_at(const cw_scope_item *item, int64_t t)
{
    if (item->end_at != CW_NO_TIME && item->end_at <= t)
        return 1;
    for (size_t i = 0; i < item->n_done; i++)
        if (item->done[i].from_at <= t && (item->done[i].to_at == CW_NO_TIME ||
                                           t < item->done[i].to_at))
            return 1;
    return 0;
}

/* The classes of one item, given the release's instants. */
static cw_scope_class classify(const cw_scope_item *item, const cw_scope_result *res)
{
    cw_scope_class k = {0};
    int64_t at = res->has_release ? res->release_instant : INT64_MAX;
    int carries = cw_scope_carries(item, at);
    k.planned = res->baseline_at != CW_NO_TIME && cw_scope_carries(item, res->baseline_at);
    k.added = carries && !k.planned;
    k.removed = k.planned && !carries;
    if (!res->has_release || !carries)
        return k;
    if (!done_at(item, at)) {
        k.carried_over = 1;
        return k;
    }
    k.delivered = 1;
    k.shipped = item->production_at != CW_NO_TIME && item->production_at <= at;
    k.done_not_deployed = item->commits == 0 || item->undeployed > 0;
    return k;
}

void cw_scope_compute(cw_scope_release *rel, cw_scope_result *res)
{
    cw_scope_class *items = res->items;
    size_t cap = res->cap;
    if (rel->n_items > cap) {
        cap = rel->n_items;
        items = cw_xrealloc(items, cap * sizeof(*items));
    }
    memset(res, 0, sizeof(*res));
    res->items = items;
    res->cap = cap;
    res->n_items = rel->n_items;
    for (size_t i = 0; i < rel->n_items; i++)
        sort_events(&rel->items[i]);
    res->baseline_at = baseline_of(rel);
    res->release_instant = release_instant_of(rel);
    res->has_release = res->release_instant != CW_NO_TIME;
    for (size_t i = 0; i < rel->n_items; i++) {
        cw_scope_class k = classify(&rel->items[i], res);
        res->items[i] = k;
        res->planned += k.planned;
        res->added += k.added;
        res->removed += k.removed;
        res->delivered += k.delivered;
        res->shipped += k.shipped;
        res->carried_over += k.carried_over;
        res->done_not_deployed += k.done_not_deployed;
    }
}

void cw_scope_result_free(cw_scope_result *res)
{
    free(res->items);
    memset(res, 0, sizeof(*res));
}
