/*
 * test_forecast.c - the release forecast rule (transform/forecast.h) and the
 * cycle finder (core/cycle.h), on hand-worked cases: the PRNG against its
 * published reference outputs, a history of all-1 days (exact dates), a
 * history where the percentiles follow from a geometric law, items by the
 * planned date from a binomial one, the dependency maximum per trial and
 * the critical dependency, cycles, no history, and seed stability.
 */
#include "support.h"
#include "core/cycle.h"
#include "transform/forecast.h"

#include <stdlib.h>
#include <string.h>

#define DAY CW_DAY_S
#define F ((int64_t)20000 * DAY)        /* first_day: 2024-10-04 */

static long ones[90], thirds[90], zero_two[90], zeros[90];

static int setup(void **state)
{
    (void)state;
    for (int i = 0; i < 90; i++) {
        ones[i] = 1;
        thirds[i] = i % 3 == 2;          /* 0, 0, 1: a done item with probability 1/3 */
        zero_two[i] = i % 2 ? 2 : 0;     /* 0 or 2, each with probability 1/2 */
        zeros[i] = 0;
    }
    return 0;
}

static cw_fc_release rel(const char *key, const long *history, long remaining, int64_t planned)
{
    return (cw_fc_release){ key, 1, history, 90, remaining, planned, NULL, 0 };
}

static const cw_fc_params params = { CW_FORECAST_SEED, CW_FORECAST_TRIALS, F };

/* ------------------------------------------------------------ the PRNG */

static void test_splitmix64_reference(void **state)
{
    /* Rosetta Code "Pseudo-random numbers/Splitmix64", seed 1234567. */
    static const uint64_t want[] = { 6457827717110365317ULL, 3203168211198807973ULL,
                                     9817491932198370423ULL, 4593380528125082431ULL,
                                     16408922859458223821ULL };
    uint64_t s = 1234567;
    (void)state;
    for (size_t i = 0; i < 5; i++)
        assert_true(cw_splitmix64(&s) == want[i]);
}

static void test_xoshiro256ss_reference(void **state)
{
    /* The reference xoshiro256starstar.c from the state {1, 2, 3, 4}. */
    static const uint64_t want[] = { 11520ULL, 0ULL, 1509978240ULL, 1215971899390074240ULL,
                                     1216172134540287360ULL, 607988272756665600ULL,
                                     16172922978634559625ULL, 8476171486693032832ULL,
                                     10595114339597558777ULL, 2904607092377533576ULL };
    cw_rng rng = { { 1, 2, 3, 4 } };
    (void)state;
    for (size_t i = 0; i < 10; i++)
        assert_true(cw_rng_next(&rng) == want[i]);
    for (int i = 0; i < 100; i++)
        assert_true(cw_rng_below(&rng, 1) == 0);
    for (int i = 0; i < 1000; i++)
        assert_true(cw_rng_below(&rng, 7) < 7);
}

static void test_fnv1a64_reference(void **state)
{
    (void)state;
    assert_true(cw_fnv1a64("") == 0xcbf29ce484222325ULL);
    assert_true(cw_fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
    assert_true(cw_fnv1a64("foobar") == 0x85944171f73967e8ULL);
    assert_true(cw_forecast_stream_seed(1, "a") == (0xaf63dc4c8601ec8cULL ^ 1));
}

/* ------------------------------------------------------------ the rule */

/* One item a day, 5 remaining: every trial takes days 0..4, so every
 * percentile is first_day + 4 days; by a planned day 2 days out, 3 items. */
static void test_all_one_days(void **state)
{
    cw_fc_release r[] = { rel("MOB 1", ones, 5, F + 2 * DAY), rel("MOB 2", ones, 5, F + 10 * DAY),
                          rel("MOB 3", ones, 0, F), rel("MOB 4", ones, 5, F - 3 * DAY) };
    cw_fc_result out[4];
    (void)state;
    assert_int_equal(cw_forecast_run(r, 4, &params, out), 0);
    assert_true(out[0].has_forecast);
    assert_int_equal(out[0].p50, F + 4 * DAY);
    assert_int_equal(out[0].p85, F + 4 * DAY);
    assert_int_equal(out[0].p95, F + 4 * DAY);
    assert_int_equal(out[0].items_by_planned_85, 3);
    assert_true(out[0].at_risk);
    assert_int_equal(out[0].critical, -1);
    assert_int_equal(out[1].items_by_planned_85, 5);      /* capped at remaining */
    assert_false(out[1].at_risk);
    /* nothing left: ready today, on time */
    assert_int_equal(out[2].p50, F);
    assert_int_equal(out[2].p95, F);
    assert_false(out[2].at_risk);
    /* planned before today: nothing is done by then */
    assert_int_equal(out[3].items_by_planned_85, 0);
    assert_true(out[3].at_risk);
    cw_fc_results_free(out, 4);
}

/* One item on a third of the days, 1 remaining: the number of days sampled
 * G is geometric, P(G <= g) = 1 - (2/3)^g: .333 .556 .704 .802 .868 .912
 * .941 .961.  So P50 is G = 2 (day 1), P85 G = 5 (day 4), P95 G = 8 (day 7);
 * with 100,000 trials the nearest boundary is 8 standard errors away. */
static void test_geometric_percentiles(void **state)
{
    cw_fc_release r[] = { rel("GEO 1", thirds, 1, CW_FC_NONE) };
    cw_fc_params many = { 7, 100000, F };
    cw_fc_result out[1];
    (void)state;
    cw_forecast_run(r, 1, &many, out);
    assert_int_equal(out[0].p50, F + 1 * DAY);
    assert_int_equal(out[0].p85, F + 4 * DAY);
    assert_int_equal(out[0].p95, F + 7 * DAY);
    assert_int_equal(out[0].items_by_planned_85, -1);     /* no planned date */
    assert_false(out[0].at_risk);
    cw_fc_results_free(out, 1);
}

/* 0 or 2 items a day, 10 remaining, planned 4 days out: by then 5 days are
 * sampled and 2 x Binomial(5, 1/2) items done: P(0) = 1/32 = .031,
 * P(<= 2 items) = 6/32 = .1875.  Rank 1,501 of 10,000 (.150) is 2 items:
 * 97 % of trials deliver at least 2, only 81 % at least 4. */
static void test_items_by_planned(void **state)
{
    cw_fc_release r[] = { rel("BIN 1", zero_two, 10, F + 4 * DAY) };
    cw_fc_result out[1];
    (void)state;
    cw_forecast_run(r, 1, &params, out);
    assert_int_equal(out[0].items_by_planned_85, 2);
    cw_fc_results_free(out, 1);
}

/* B (1 item, done today) depends on A (5 items, one a day: day 4): every
 * trial of B is day 4, A drives them all; B planned day 2 is at risk
 * through A.  C depends on B: transitively late too, its critical
 * dependency is B (its direct one). */
static void test_dependency_max(void **state)
{
    size_t on_a[] = { 0 }, on_b[] = { 1 };
    cw_fc_release r[] = { rel("A 1", ones, 5, CW_FC_NONE), rel("B 1", ones, 1, F + 2 * DAY),
                          rel("C 1", ones, 1, F + 3 * DAY) };
    cw_fc_result out[3];
    (void)state;
    r[1].deps = on_a;
    r[1].n_deps = 1;
    r[2].deps = on_b;
    r[2].n_deps = 1;
    cw_forecast_run(r, 3, &params, out);
    assert_int_equal(out[1].p50, F + 4 * DAY);
    assert_int_equal(out[1].p85, F + 4 * DAY);
    assert_int_equal(out[1].critical, 0);
    assert_true(out[1].at_risk);
    assert_int_equal(out[1].late_dependency, 0);
    /* B's own work is 1 item: by its planned day it is done in every trial */
    assert_int_equal(out[1].items_by_planned_85, 1);
    assert_int_equal(out[2].p95, F + 4 * DAY);
    assert_int_equal(out[2].critical, 1);
    assert_true(out[2].at_risk);
    assert_int_equal(out[2].late_dependency, 1);          /* B and A: P85 day 4; B found first */
    /* A has no planned date: never at risk */
    assert_false(out[0].at_risk);
    cw_fc_results_free(out, 3);
}

/* A dependency done sooner than its planned day passes on its planned day
 * (the mainframe's calendar release): B (planned day 20) is done today, A
 * waits on it, so every trial of A is day 20, B its critical dependency, and
 * A (planned day 10) is at risk by its own P85 while B's P85 is today. */
static void test_dependency_planned_day(void **state)
{
    size_t on_b[] = { 1 };
    cw_fc_release r[] = { rel("MOBILE 5.2", ones, 2, F + 10 * DAY),
                          rel("MFPOL 2027.1", ones, 0, F + 20 * DAY) };
    cw_fc_result out[2];
    (void)state;
    r[0].deps = on_b;
    r[0].n_deps = 1;
    cw_forecast_run(r, 2, &params, out);
    assert_int_equal(out[1].p85, F);
    assert_int_equal(out[0].p50, F + 20 * DAY);
    assert_int_equal(out[0].p85, F + 20 * DAY);
    assert_int_equal(out[0].critical, 1);
    assert_true(out[0].at_risk);
    assert_int_equal(out[0].late_dependency, -1);
    assert_int_equal(out[0].items_by_planned_85, 2);
    cw_fc_results_free(out, 2);
}

/* Own work later than the dependency: no critical dependency. */
static void test_own_work_drives(void **state)
{
    size_t on_a[] = { 0 };
    cw_fc_release r[] = { rel("A 1", ones, 1, CW_FC_NONE), rel("B 1", ones, 6, F + 9 * DAY) };
    cw_fc_result out[2];
    (void)state;
    r[1].deps = on_a;
    r[1].n_deps = 1;
    cw_forecast_run(r, 2, &params, out);
    assert_int_equal(out[1].p85, F + 5 * DAY);
    assert_int_equal(out[1].critical, -1);
    assert_false(out[1].at_risk);
    cw_fc_results_free(out, 2);
}

/* A -> B -> A is a cycle; C depends on A (blocked); D -> D is one too; E is
 * free. */
static void test_cycles(void **state)
{
    size_t on_a[] = { 0 }, on_b[] = { 1 }, on_d[] = { 3 };
    cw_fc_release r[] = { rel("A 1", ones, 1, CW_FC_NONE), rel("B 1", ones, 1, CW_FC_NONE),
                          rel("C 1", ones, 1, CW_FC_NONE), rel("D 1", ones, 1, CW_FC_NONE),
                          rel("E 1", ones, 1, CW_FC_NONE) };
    cw_fc_result out[5];
    (void)state;
    r[0].deps = on_b; r[0].n_deps = 1;
    r[1].deps = on_a; r[1].n_deps = 1;
    r[2].deps = on_a; r[2].n_deps = 1;
    r[3].deps = on_d; r[3].n_deps = 1;
    assert_int_equal(cw_forecast_run(r, 5, &params, out), 2);
    assert_int_equal(out[0].status, CW_FC_CYCLE);
    assert_int_equal(out[0].cycle_len, 2);
    assert_int_equal(out[0].cycle[0], 0);
    assert_int_equal(out[0].cycle[1], 1);
    assert_int_equal(out[1].status, CW_FC_CYCLE);
    assert_int_equal(out[1].cycle[0], 1);
    assert_int_equal(out[2].status, CW_FC_DEPENDENCY);
    assert_int_equal(out[2].blocker, 0);
    assert_false(out[2].has_forecast);
    assert_int_equal(out[3].status, CW_FC_CYCLE);
    assert_int_equal(out[3].cycle_len, 1);
    assert_int_equal(out[4].status, CW_FC_OK);
    assert_int_equal(out[4].p50, F);
    cw_fc_results_free(out, 5);
}

static void test_cycle_finder(void **state)
{
    /* 0 -> 1 -> 2 -> 3 -> 1: the cycle 1 2 3; a DAG has none */
    size_t e0[] = { 1 }, e1[] = { 2 }, e2[] = { 3 }, e3[] = { 1 };
    const size_t *adj[] = { e0, e1, e2, e3 };
    size_t n_adj[] = { 1, 1, 1, 1 }, *cycle, len;
    (void)state;
    assert_int_equal(cw_cycle_find(4, adj, n_adj, &cycle, &len), 1);
    assert_int_equal(len, 3);
    assert_int_equal(cycle[0], 1);
    assert_int_equal(cycle[1], 2);
    assert_int_equal(cycle[2], 3);
    free(cycle);
    n_adj[3] = 0;
    assert_int_equal(cw_cycle_find(4, adj, n_adj, &cycle, &len), 0);
    assert_null(cycle);
    assert_int_equal(cw_cycle_find(0, NULL, NULL, &cycle, &len), 0);
}

/* No done day in the window, no team: no forecast, never a date; a
 * dependent of such a release has none either. */
static void test_no_history(void **state)
{
    size_t on_a[] = { 0 };
    cw_fc_release r[] = { rel("A 1", zeros, 3, F + DAY), rel("B 1", ones, 3, F + DAY),
                          rel("C 1", ones, 3, F), rel("D 1", NULL, 3, F) };
    cw_fc_result out[4];
    (void)state;
    r[1].deps = on_a;
    r[1].n_deps = 1;
    r[2].has_team = 0;
    r[3].n_history = 0;
    cw_forecast_run(r, 4, &params, out);
    assert_int_equal(out[0].status, CW_FC_NO_HISTORY);
    assert_false(out[0].has_forecast);
    assert_true(out[0].p85 == CW_FC_NONE);
    assert_int_equal(out[0].items_by_planned_85, -1);
    assert_false(out[0].at_risk);
    assert_int_equal(out[1].status, CW_FC_DEPENDENCY);
    assert_int_equal(out[2].status, CW_FC_NO_TEAM);
    assert_int_equal(out[3].status, CW_FC_NO_HISTORY);
    cw_fc_results_free(out, 4);
}

/* Adding releases around one leaves its dates where they were. */
static void test_seed_stability(void **state)
{
    cw_fc_release alone[] = { rel("MOBILE 5.2", thirds, 12, F + 20 * DAY) };
    cw_fc_release more[] = { rel("MFPOL 2027.1", zero_two, 40, CW_FC_NONE),
                             rel("MOBILE 5.2", thirds, 12, F + 20 * DAY),
                             rel("WEB 3.0", ones, 7, CW_FC_NONE) };
    cw_fc_result a[1], b[3];
    (void)state;
    cw_forecast_run(alone, 1, &params, a);
    cw_forecast_run(more, 3, &params, b);
    assert_int_equal(a[0].p50, b[1].p50);
    assert_int_equal(a[0].p85, b[1].p85);
    assert_int_equal(a[0].p95, b[1].p95);
    assert_int_equal(a[0].items_by_planned_85, b[1].items_by_planned_85);
    /* 12 items at 1/3 a day: about 36 days at the median */
    assert_true(a[0].p50 > F + 25 * DAY && a[0].p50 < F + 45 * DAY);
    cw_fc_results_free(a, 1);
    cw_fc_results_free(b, 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_splitmix64_reference),
        cmocka_unit_test(test_xoshiro256ss_reference),
        cmocka_unit_test(test_fnv1a64_reference),
        cmocka_unit_test(test_all_one_days),
        cmocka_unit_test(test_geometric_percentiles),
        cmocka_unit_test(test_items_by_planned),
        cmocka_unit_test(test_dependency_max),
        cmocka_unit_test(test_dependency_planned_day),
        cmocka_unit_test(test_own_work_drives),
        cmocka_unit_test(test_cycles),
        cmocka_unit_test(test_cycle_finder),
        cmocka_unit_test(test_no_history),
        cmocka_unit_test(test_seed_stability),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
