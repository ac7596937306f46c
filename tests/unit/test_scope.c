/*
 * test_scope.c - release scope (transform/scope.h) on hand-made releases:
 * every expected count worked out by hand in the comments.
 */
#include "support.h"
#include "core/record.h"
#include "transform/scope.h"

#include <string.h>

#define D 86400
#define NONE CW_NO_TIME

/* An item created at `created` that carries the version now or not, with
 * no history and nothing else known yet. */
static cw_scope_item item(int64_t created, int carries_now)
{
    cw_scope_item it = { .created_at = created, .carries_now = carries_now, .end_at = NONE,
                         .production_at = NONE, .last_deploy_at = NONE };
    return it;
}

static void deployed(cw_scope_item *it, int64_t production_at, long commits, long undeployed)
{
    it->production_at = production_at;
    it->last_deploy_at = production_at;
    it->commits = commits;
    it->undeployed = undeployed;
}

static void assert_class(const cw_scope_result *r, size_t i, int planned, int added, int removed,
                         int delivered, int shipped, int carried_over, int dnd)
{
    const cw_scope_class *k = &r->items[i];
    assert_int_equal(k->planned, planned);
    assert_int_equal(k->added, added);
    assert_int_equal(k->removed, removed);
    assert_int_equal(k->delivered, delivered);
    assert_int_equal(k->shipped, shipped);
    assert_int_equal(k->carried_over, carried_over);
    assert_int_equal(k->done_not_deployed, dnd);
}

/*
 * Release date day 10, no start date.  The version was first carried at 0
 * (items created with it), so the baseline is 0 + 24 h = day 1; the release
 * instant is the last second of day 10: 11 D - 1.
 *   0 planned (created with it), done day 5, deployed day 6: delivered, shipped
 *   1 added day 3 (after the baseline), done day 8, deployed day 12 (after R):
 *     added, delivered, not shipped, not done_not_deployed
 *   2 created with it, removed day 4 (before R): planned, removed
 *   3 planned, done day 9, one commit never deployed: delivered, done_not_deployed
 *   4 planned, never done: carried over
 *   5 added day 2 and removed day 7: in no class
 *   6 created day 2 with it (after the baseline), done day 4, no commits:
 *     added, delivered, done_not_deployed (nothing proves it shipped)
 *   7 planned, done from day 9 to day 12 (reopened after R), deployed day 9 + 1 h:
 *     done at R, so delivered and shipped
 * planned 0,2,3,4,7 = 5; added 1,6 = 2; removed 2 = 1; delivered 0,1,3,6,7 = 5;
 * shipped 0,7 = 2; carried over 4 = 1; done_not_deployed 3,6 = 2.
 */
static void test_release_date_scope_and_shipped(void **state)
{
    cw_scope_event e1[] = { { 3 * D, "11", 1 } };
    cw_scope_event e2[] = { { 4 * D, "12", 0 } };
    cw_scope_event e5[] = { { 7 * D, "15", 0 }, { 2 * D, "14", 1 } };   /* out of order */
    cw_scope_span s7[] = { { 9 * D, 12 * D } };
    cw_scope_item it[8];
    cw_scope_release rel = { .start_at = NONE, .release_at = 10 * D, .items = it, .n_items = 8 };
    cw_scope_result r = { 0 };
    (void)state;

    it[0] = item(0, 1);
    it[0].end_at = 5 * D;
    deployed(&it[0], 6 * D, 2, 0);
    it[1] = item(0, 1);
    it[1].events = e1, it[1].n_events = 1;
    it[1].end_at = 8 * D;
    deployed(&it[1], 12 * D, 1, 0);
    it[2] = item(0, 0);
    it[2].events = e2, it[2].n_events = 1;
    it[3] = item(0, 1);
    it[3].end_at = 9 * D;
    deployed(&it[3], NONE, 1, 1);
    it[4] = item(0, 1);
    it[5] = item(0, 0);
    it[5].events = e5, it[5].n_events = 2;
    it[6] = item(2 * D, 1);
    it[6].end_at = 4 * D;
    it[7] = item(0, 1);
    it[7].done = s7, it[7].n_done = 1;
    deployed(&it[7], 9 * D + 3600, 1, 0);

    assert_true(cw_scope_planned(&rel));
    cw_scope_compute(&rel, &r);
    assert_int_equal(r.baseline_at, 1 * D);
    assert_int_equal(r.release_instant, 11 * D - 1);
    assert_true(r.has_release);
    assert_int_equal(r.planned, 5);
    assert_int_equal(r.added, 2);
    assert_int_equal(r.removed, 1);
    assert_int_equal(r.delivered, 5);
    assert_int_equal(r.shipped, 2);
    assert_int_equal(r.carried_over, 1);
    assert_int_equal(r.done_not_deployed, 2);
    /*              planned added removed delivered shipped carried dnd */
    assert_class(&r, 0, 1, 0, 0, 1, 1, 0, 0);
    assert_class(&r, 1, 0, 1, 0, 1, 0, 0, 0);
    assert_class(&r, 2, 1, 0, 1, 0, 0, 0, 0);
    assert_class(&r, 3, 1, 0, 0, 1, 0, 0, 1);
    assert_class(&r, 4, 1, 0, 0, 0, 0, 1, 0);
    assert_class(&r, 5, 0, 0, 0, 0, 0, 0, 0);
    assert_class(&r, 6, 0, 1, 0, 1, 0, 0, 1);
    assert_class(&r, 7, 1, 0, 0, 1, 1, 0, 0);
    /* the events of item 5 were sorted: added day 2, removed day 7 */
    assert_int_equal(it[5].events[0].at, 2 * D);
    cw_scope_result_free(&r);
}

/*
 * Start date day 2 at 05:00 (read as the day: baseline day 2 midnight), no
 * release date: the release instant is the last deployment of the items
 * carrying it now.
 *   0 created with it, done day 3, deployed day 4: planned, delivered, shipped
 *   1 added day 3, done day 5, deployed day 6: added, delivered, shipped
 *     (deployed exactly at R counts: at or before)
 *   2 created with it, removed day 1 (before the baseline), its commit deployed
 *     day 9: not carrying now, so day 9 is not the release's; in no class
 *   3 created with it, not done, one commit deployed day 5 and one not:
 *     planned, carried over
 * R = max(4, 6, 5) days = day 6.
 */
static void test_no_release_date_uses_last_deployment(void **state)
{
    cw_scope_event e1[] = { { 3 * D, "21", 1 } };
    cw_scope_event e2[] = { { 1 * D, "22", 0 } };
    cw_scope_item it[4];
    cw_scope_release rel = { .start_at = 2 * D + 5 * 3600, .release_at = NONE, .items = it,
                             .n_items = 4 };
    cw_scope_result r = { 0 };
    (void)state;

    it[0] = item(0, 1);
    it[0].end_at = 3 * D;
    deployed(&it[0], 4 * D, 1, 0);
    it[1] = item(0, 1);
    it[1].events = e1, it[1].n_events = 1;
    it[1].end_at = 5 * D;
    deployed(&it[1], 6 * D, 1, 0);
    it[2] = item(0, 0);
    it[2].events = e2, it[2].n_events = 1;
    deployed(&it[2], 9 * D, 1, 0);
    it[3] = item(0, 1);
    it[3].last_deploy_at = 5 * D;
    it[3].commits = 2, it[3].undeployed = 1;

    cw_scope_compute(&rel, &r);
    assert_int_equal(r.baseline_at, 2 * D);
    assert_int_equal(r.release_instant, 6 * D);
    assert_int_equal(r.planned, 2);
    assert_int_equal(r.added, 1);
    assert_int_equal(r.removed, 0);
    assert_int_equal(r.delivered, 2);
    assert_int_equal(r.shipped, 2);
    assert_int_equal(r.carried_over, 1);
    assert_int_equal(r.done_not_deployed, 0);
    assert_class(&r, 2, 0, 0, 0, 0, 0, 0, 0);
    assert_class(&r, 3, 1, 0, 0, 0, 0, 1, 0);
    cw_scope_result_free(&r);
}

/*
 * Start date day 0, nothing deployed, no release date: no release instant.
 * Scope is measured as the data stands: 0 created with it (planned, still
 * there), 1 added day 1 (added), 2 created with it and removed day 1
 * (planned, removed).  Delivered and the rest are unknown: 0.
 */
static void test_no_release_instant_yet(void **state)
{
    cw_scope_event e1[] = { { 1 * D, NULL, 1 } };
    cw_scope_event e2[] = { { 1 * D, NULL, 0 } };
    cw_scope_item it[3];
    cw_scope_release rel = { .start_at = 0, .release_at = NONE, .items = it, .n_items = 3 };
    cw_scope_result r = { 0 };
    (void)state;

    it[0] = item(0, 1);
    it[0].end_at = D;
    it[1] = item(0, 1);
    it[1].events = e1, it[1].n_events = 1;
    it[2] = item(0, 0);
    it[2].events = e2, it[2].n_events = 1;
    cw_scope_compute(&rel, &r);
    assert_false(r.has_release);
    assert_int_equal(r.release_instant, NONE);
    assert_int_equal(r.baseline_at, 0);
    assert_int_equal(r.planned, 2);
    assert_int_equal(r.added, 1);
    assert_int_equal(r.removed, 1);
    assert_int_equal(r.delivered, 0);
    assert_class(&r, 0, 1, 0, 0, 0, 0, 0, 0);
    cw_scope_result_free(&r);
}

/* A version with neither date is not a plan; one nobody carried and with
 * no start date has no baseline. */
static void test_unplanned_and_empty(void **state)
{
    cw_scope_release none = { .start_at = NONE, .release_at = NONE };
    cw_scope_release empty = { .start_at = NONE, .release_at = 3 * D };
    cw_scope_result r = { 0 };
    (void)state;
    assert_false(cw_scope_planned(&none));
    cw_scope_compute(&empty, &r);
    assert_int_equal(r.baseline_at, NONE);
    assert_int_equal(r.release_instant, 4 * D - 1);
    assert_int_equal(r.planned, 0);
    cw_scope_result_free(&r);
}

/* Two events in one second apply by history id, numerically: given as add
 * "10", remove "9", the remove applies first.  A first event that is a
 * remove means the item was created with the version; before its creation
 * it carries nothing. */
static void test_event_order_and_creation(void **state)
{
    cw_scope_event e[] = { { 5 * D, "10", 1 }, { 5 * D, "9", 0 } };
    cw_scope_item it = item(1 * D, 0);
    cw_scope_release rel = { .start_at = NONE, .release_at = 9 * D, .items = &it, .n_items = 1 };
    cw_scope_result r = { 0 };
    (void)state;
    it.events = e, it.n_events = 2;
    cw_scope_compute(&rel, &r);       /* sorts: remove "9", add "10" */
    assert_int_equal(cw_scope_carries(&it, 0), 0);
    assert_int_equal(cw_scope_carries(&it, 1 * D), 1);
    assert_int_equal(cw_scope_carries(&it, 5 * D - 1), 1);
    assert_int_equal(cw_scope_carries(&it, 5 * D), 1);
    /* first carried at its creation (day 1): baseline day 2 */
    assert_int_equal(r.baseline_at, 2 * D);
    assert_class(&r, 0, 1, 0, 0, 0, 0, 1, 0);
    cw_scope_result_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_release_date_scope_and_shipped),
        cmocka_unit_test(test_no_release_date_uses_last_deployment),
        cmocka_unit_test(test_no_release_instant_yet),
        cmocka_unit_test(test_unplanned_and_empty),
        cmocka_unit_test(test_event_order_and_creation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
