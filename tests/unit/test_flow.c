/*
 * test_flow.c - status categories, flow types, start/end/active time and
 * status intervals of hand-written work items, and idea-to-production.
 */
#include "support.h"
#include "core/record.h"
#include "transform/flow.h"

#include <string.h>

/* Backlog todo, In Progress, Waiting for QA (wait), Done. */
static cw_status_map *configured(void)
{
    cw_status_map *m = cw_status_map_new();
    assert_int_equal(cw_status_map_add(m, "Backlog", CW_CAT_TODO, 0, CW_STATUS_CONFIG), 1);
    cw_status_map_add(m, "In Progress", CW_CAT_IN_PROGRESS, 0, CW_STATUS_CONFIG);
    cw_status_map_add(m, "Waiting for QA", CW_CAT_IN_PROGRESS, 1, CW_STATUS_CONFIG);
    cw_status_map_add(m, "Done", CW_CAT_DONE, 0, CW_STATUS_CONFIG);
    return m;
}

#define T(at_, hist, from, to) { .at = (at_), .history_id = (hist), .from_status = (from), \
                                 .to_status = (to) }

static void assert_interval(const cw_flow_result *r, size_t i, const char *status,
                            int64_t from, int64_t to)
{
    assert_true(i < r->n_intervals);
    assert_string_equal(r->intervals[i].status->name, status);
    assert_int_equal(r->intervals[i].from_at, from);
    assert_int_equal(r->intervals[i].to_at, to);
}

static void test_full_cycle_with_wait(void **state)
{
    cw_status_map *m = configured();
    cw_flow_result r = { 0 };
    /* given out of order; at 400 two history entries: "9" before "10" numerically */
    cw_flow_transition t[] = {
        T(800, "13", "In Progress", "Done"),
        T(100, "8", "Backlog", "In Progress"),
        T(400, "10", "Waiting for QA", "Waiting for QA"),
        T(700, "12", "Waiting for QA", "In Progress"),
        T(400, "9", "In Progress", "Waiting for QA"),
    };
    cw_flow_item item = { .created_at = 0, .resolved_at = 810, .status = "Done",
                          .source_category = "done", .transitions = t, .n_transitions = 5 };

    assert_int_equal(cw_flow_compute(m, &item, &r), 0);
    assert_int_equal(r.category, CW_CAT_DONE);
    assert_int_equal(r.start_at, 100);
    assert_int_equal(r.end_at, 800);            /* the done transition, not resolved_at */
    /* [100,400) and [700,800) in In Progress; [400,700) waits */
    assert_int_equal(r.active_s, 400);
    assert_int_equal(r.n_intervals, 6);
    assert_interval(&r, 0, "Backlog", 0, 100);
    assert_interval(&r, 1, "In Progress", 100, 400);
    assert_interval(&r, 2, "Waiting for QA", 400, 400);     /* history 9 */
    assert_interval(&r, 3, "Waiting for QA", 400, 700);     /* history 10 */
    assert_interval(&r, 4, "In Progress", 700, 800);
    assert_interval(&r, 5, "Done", 800, CW_NO_TIME);
    assert_int_equal(r.intervals[2].status->waiting, 1);
    /* nothing had to be learnt */
    assert_int_equal(cw_status_map_count(m), 4);
    cw_flow_result_free(&r);
    cw_status_map_free(m);
}

static void test_reopened_is_not_done(void **state)
{
    cw_status_map *m = configured();
    cw_flow_result r = { 0 };
    cw_flow_transition t[] = {
        T(100, "1", "Backlog", "In Progress"),
        T(200, "2", "In Progress", "Done"),
        T(300, "3", "Done", "in progress"),     /* case differs from the config */
    };
    cw_flow_item item = { .created_at = 10, .resolved_at = 200, .status = "In Progress",
                          .transitions = t, .n_transitions = 3 };

    assert_int_equal(cw_flow_compute(m, &item, &r), 0);
    assert_int_equal(r.category, CW_CAT_IN_PROGRESS);
    assert_int_equal(r.start_at, 100);
    assert_int_equal(r.end_at, CW_NO_TIME);
    assert_int_equal(r.active_s, CW_NO_TIME);
    assert_int_equal(r.n_intervals, 4);
    assert_interval(&r, 3, "In Progress", 300, CW_NO_TIME);
    assert_int_equal(cw_status_map_count(m), 4);
    cw_flow_result_free(&r);
    cw_status_map_free(m);
}

static void test_done_without_done_transition(void **state)
{
    cw_status_map *m = configured();
    cw_flow_result r = { 0 };
    cw_flow_item item = { .created_at = 50, .resolved_at = 500, .status = "Done" };

    assert_int_equal(cw_flow_compute(m, &item, &r), 0);
    assert_int_equal(r.end_at, 500);            /* resolution date */
    assert_int_equal(r.start_at, CW_NO_TIME);   /* never entered in_progress */
    assert_int_equal(r.active_s, CW_NO_TIME);
    assert_int_equal(r.n_intervals, 1);
    assert_interval(&r, 0, "Done", 50, CW_NO_TIME);

    item.resolved_at = CW_NO_TIME;
    assert_int_equal(cw_flow_compute(m, &item, &r), 0);
    assert_int_equal(r.end_at, 50);             /* else creation */
    assert_int_equal(r.n_intervals, 1);         /* reset between items */

    item.status = NULL;
    assert_int_equal(cw_flow_compute(m, &item, &r), -1);
    cw_flow_result_free(&r);
    cw_status_map_free(m);
}

static void test_unknown_statuses_learnt(void **state)
{
    cw_status_map *m = configured();
    cw_flow_result r = { 0 };
    /* "Code Review" appears only in the history: guessed in_progress.
     * "Closed" is the current status: the item's source category. */
    cw_flow_transition t[] = {
        T(100, "1", "Backlog", "Code Review"),
        T(300, "2", "Code Review", "Done"),
        T(500, "3", "Done", "Closed"),
    };
    cw_flow_item item = { .created_at = 0, .status = "Closed", .source_category = "done",
                          .transitions = t, .n_transitions = 3 };
    const cw_status_info *s;

    assert_int_equal(cw_flow_compute(m, &item, &r), 0);
    assert_int_equal(r.start_at, 100);
    assert_int_equal(r.end_at, 300);            /* Done -> Closed is a relabel: end stays */
    assert_int_equal(r.active_s, 200);
    assert_int_equal(cw_status_map_count(m), 6);
    s = cw_status_map_get(m, "closed");
    assert_non_null(s);
    assert_int_equal(s->category, CW_CAT_DONE);
    assert_int_equal(s->origin, CW_STATUS_SOURCE);
    s = cw_status_map_get(m, "Code Review");
    assert_int_equal(s->category, CW_CAT_IN_PROGRESS);
    assert_int_equal(s->origin, CW_STATUS_GUESS);
    assert_string_equal(cw_status_origin_name(s->origin), "guess");
    /* learnt statuses come after the configured ones, in order seen */
    assert_string_equal(cw_status_map_at(m, 4)->name, "Closed");
    assert_null(cw_status_map_at(m, 6));
    cw_flow_result_free(&r);
    cw_status_map_free(m);
}

/* The DevLake case: a workflow migration relabels Closed -> 已完成 months
 * after the item was done.  End is where the done streak began (300), not
 * the relabel (900): cycle 200 h-units, all of it active. */
static void test_done_to_done_relabel_keeps_end(void **state)
{
    cw_status_map *m = configured();
    cw_flow_result r = { 0 };
    cw_flow_transition t[] = {
        T(100, "1", "Backlog", "In Progress"),
        T(300, "2", "In Progress", "Done"),
        T(900, "3", "Done", "\xe5\xb7\xb2\xe5\xae\x8c\xe6\x88\x90"),    /* 已完成 */
    };
    cw_flow_item item = { .created_at = 0, .resolved_at = 300,
                          .status = "\xe5\xb7\xb2\xe5\xae\x8c\xe6\x88\x90",
                          .source_category = "done", .transitions = t, .n_transitions = 3 };

    assert_int_equal(cw_flow_compute(m, &item, &r), 0);
    assert_int_equal(r.category, CW_CAT_DONE);
    assert_int_equal(r.start_at, 100);
    assert_int_equal(r.end_at, 300);
    assert_int_equal(r.active_s, 200);
    assert_int_equal(r.ended_before_start, 0);
    assert_int_equal(r.ended_before_created, 0);
    cw_flow_result_free(&r);
    cw_status_map_free(m);
}

/* Done at 200, reopened at 300, done again at 500, relabelled Closed at
 * 800: the current done streak began at 500.  Active: [100,200) and
 * [300,500) in In Progress = 300. */
static void test_reopened_then_done_again(void **state)
{
    cw_status_map *m = configured();
    cw_flow_result r = { 0 };
    cw_flow_transition t[] = {
        T(100, "1", "Backlog", "In Progress"),
        T(200, "2", "In Progress", "Done"),
        T(300, "3", "Done", "In Progress"),
        T(500, "4", "In Progress", "Done"),
        T(800, "5", "Done", "Closed"),
    };
    cw_flow_item item = { .created_at = 0, .resolved_at = 800, .status = "Closed",
                          .source_category = "done", .transitions = t, .n_transitions = 5 };

    assert_int_equal(cw_flow_compute(m, &item, &r), 0);
    assert_int_equal(r.start_at, 100);
    assert_int_equal(r.end_at, 500);
    assert_int_equal(r.active_s, 300);

    /* The same history without the final relabel, but the item's current
     * status says done while its last recorded move was the reopen: no
     * transition starts the current streak, so the resolution date (650)
     * is the end; without one, the creation (0), which is before the start:
     * no cycle time. */
    item.n_transitions = 3;
    item.status = "Done";
    item.resolved_at = 650;
    assert_int_equal(cw_flow_compute(m, &item, &r), 0);
    assert_int_equal(r.end_at, 650);
    assert_int_equal(r.active_s, 450);          /* [100,200) + [300,650) */
    assert_int_equal(r.ended_before_start, 0);
    item.resolved_at = CW_NO_TIME;
    assert_int_equal(cw_flow_compute(m, &item, &r), 0);
    assert_int_equal(r.end_at, 0);
    assert_int_equal(r.start_at, 100);
    assert_int_equal(r.ended_before_start, 1);
    assert_int_equal(r.active_s, CW_NO_TIME);
    cw_flow_result_free(&r);
    cw_status_map_free(m);
}

/* Decisions 10: an item that ended before it started has no cycle time (and
 * no active time); one that ended before it was created has no lead time. */
static void test_ended_before_started_or_created(void **state)
{
    cw_status_map *m = configured();
    cw_flow_result r = { 0 };
    cw_flow_transition t[] = { T(500, "1", "Backlog", "In Progress") };
    /* current status Done, no done transition, resolved 1 unit before the start */
    cw_flow_item item = { .created_at = 100, .resolved_at = 499, .status = "Done",
                          .transitions = t, .n_transitions = 1 };

    assert_int_equal(cw_flow_compute(m, &item, &r), 0);
    assert_int_equal(r.start_at, 500);
    assert_int_equal(r.end_at, 499);
    assert_int_equal(r.ended_before_start, 1);
    assert_int_equal(r.ended_before_created, 0);
    assert_int_equal(r.active_s, CW_NO_TIME);

    /* no transitions, resolved 1 h before it was created */
    cw_flow_item early = { .created_at = 7200, .resolved_at = 3600, .status = "Done" };
    assert_int_equal(cw_flow_compute(m, &early, &r), 0);
    assert_int_equal(r.start_at, CW_NO_TIME);
    assert_int_equal(r.end_at, 3600);
    assert_int_equal(r.ended_before_start, 0);   /* no start: nothing to compare */
    assert_int_equal(r.ended_before_created, 1);

    /* ending exactly at the start or the creation is a zero duration, kept */
    item.resolved_at = 500;
    item.created_at = 500;
    assert_int_equal(cw_flow_compute(m, &item, &r), 0);
    assert_int_equal(r.ended_before_start, 0);
    assert_int_equal(r.ended_before_created, 0);
    assert_int_equal(r.active_s, 0);
    cw_flow_result_free(&r);
    cw_status_map_free(m);
}

static void test_first_interval_and_source_category(void **state)
{
    cw_status_map *m = configured();
    cw_flow_result r = { 0 };
    /* no from status: the stretch before the first transition is unknown */
    cw_flow_transition t[] = { T(100, NULL, "", "In Progress") };
    cw_flow_item item = { .created_at = 0, .status = "In Progress",
                          .transitions = t, .n_transitions = 1 };
    assert_int_equal(cw_flow_compute(m, &item, &r), 0);
    assert_int_equal(r.n_intervals, 1);
    assert_interval(&r, 0, "In Progress", 100, CW_NO_TIME);

    /* no transitions, a status only the source knows */
    cw_flow_item triage = { .created_at = 7, .status = "Triage", .source_category = "in_progress" };
    assert_int_equal(cw_flow_compute(m, &triage, &r), 0);
    assert_int_equal(r.category, CW_CAT_IN_PROGRESS);
    assert_int_equal(r.start_at, CW_NO_TIME);
    assert_interval(&r, 0, "Triage", 7, CW_NO_TIME);
    assert_int_equal(cw_status_map_get(m, "TRIAGE")->origin, CW_STATUS_SOURCE);
    cw_flow_result_free(&r);
    cw_status_map_free(m);
}

static void test_guess_category(void **state)
{
    const char *todo[] = { "To Do", "TODO", "Open", "Reopened", "Backlog", "NEW", "Created",
                           "Selected for Development" };
    const char *done[] = { "Done", "Closed", "Resolved", "Released", "Complete", "Completed",
                           "Done (won't do)" };
    const char *doing[] = { "In Progress", "Code Review", "Renewal check", "Opened PR?", "" };
    for (size_t i = 0; i < sizeof(todo) / sizeof(*todo); i++)
        assert_int_equal(cw_flow_guess_category(todo[i]), CW_CAT_TODO);
    for (size_t i = 0; i < sizeof(done) / sizeof(*done); i++)
        assert_int_equal(cw_flow_guess_category(done[i]), CW_CAT_DONE);
    for (size_t i = 0; i < sizeof(doing) / sizeof(*doing); i++)
        assert_int_equal(cw_flow_guess_category(doing[i]), CW_CAT_IN_PROGRESS);
}

static void test_flow_types(void **state)
{
    cw_flow_rule rules[] = { { "Task", "debt" }, { "Bug", "risk" } };
    assert_string_equal(cw_flow_type("Bug", NULL, NULL, 0), "defect");
    assert_string_equal(cw_flow_type("defect", NULL, NULL, 0), "defect");
    assert_string_equal(cw_flow_type("Bug", "tech-debt", NULL, 0), "defect");
    assert_string_equal(cw_flow_type("Story", NULL, NULL, 0), "feature");
    assert_string_equal(cw_flow_type("New Feature", NULL, NULL, 0), "feature");
    assert_string_equal(cw_flow_type("EPIC", NULL, NULL, 0), "feature");
    assert_string_equal(cw_flow_type("Improvement", NULL, NULL, 0), "feature");
    assert_string_equal(cw_flow_type("Security", NULL, NULL, 0), "risk");
    assert_string_equal(cw_flow_type("vulnerability", NULL, NULL, 0), "risk");
    assert_string_equal(cw_flow_type("Compliance", NULL, NULL, 0), "risk");
    assert_string_equal(cw_flow_type("Technical Debt", NULL, NULL, 0), "debt");
    assert_string_equal(cw_flow_type("Task", "frontend,Tech-DEBT", NULL, 0), "debt");
    assert_string_equal(cw_flow_type("Task", "frontend", NULL, 0), "feature");
    assert_string_equal(cw_flow_type(NULL, NULL, NULL, 0), "feature");
    /* config rules first */
    assert_string_equal(cw_flow_type("task", NULL, rules, 2), "debt");
    assert_string_equal(cw_flow_type("Bug", NULL, rules, 2), "risk");
    assert_string_equal(cw_flow_type("Story", NULL, rules, 2), "feature");
}

static void test_categories_and_production_at(void **state)
{
    cw_category c;
    int64_t all[] = { 100, 300, 200 };
    int64_t partial[] = { 100, CW_NO_TIME, 300 };
    assert_int_equal(cw_category_parse("in_progress", &c), 0);
    assert_int_equal(c, CW_CAT_IN_PROGRESS);
    assert_int_equal(cw_category_parse("DONE", &c), 0);
    assert_int_equal(c, CW_CAT_DONE);
    assert_int_equal(cw_category_parse("indeterminate", &c), -1);
    assert_int_equal(cw_category_parse(NULL, &c), -1);
    assert_string_equal(cw_category_name(CW_CAT_TODO), "todo");

    assert_int_equal(cw_flow_production_at(all, 3), 300);
    assert_int_equal(cw_flow_production_at(partial, 3), CW_NO_TIME);   /* in flight */
    assert_int_equal(cw_flow_production_at(all, 0), CW_NO_TIME);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_cycle_with_wait),
        cmocka_unit_test(test_reopened_is_not_done),
        cmocka_unit_test(test_done_without_done_transition),
        cmocka_unit_test(test_unknown_statuses_learnt),
        cmocka_unit_test(test_done_to_done_relabel_keeps_end),
        cmocka_unit_test(test_reopened_then_done_again),
        cmocka_unit_test(test_ended_before_started_or_created),
        cmocka_unit_test(test_first_interval_and_source_category),
        cmocka_unit_test(test_guess_category),
        cmocka_unit_test(test_flow_types),
        cmocka_unit_test(test_categories_and_production_at),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
