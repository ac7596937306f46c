/*
 * test_attribute.c - incident -> deployment attribution: the window rule at
 * its edge, ties, and explicit references by sha and by job#number.
 */
#include "support.h"
#include "transform/attribute.h"
#include "transform/graph.h"

#include <string.h>

#define C1 "1111111111111111111111111111111111111111"
#define C2 "2222222222222222222222222222222222222222"
#define C3 "3333333333333333333333333333333333333333"
#define C5 "5555555555555555555555555555555555555555"
#define H72 259200

/* Four deployments, sorted as the walk leaves them:
 *   0: id 100 deploy-pay#1 at  1000, c1 (baseline)
 *   1: id 101 deploy-pay#2 at  5000, c2 (deploys c2 and c5)
 *   2: id 102 deploy-pay#3 at  5000, c3
 *   3: id 103 hotfix#2     at 10000, c2 again (a rollback) */
static void four(cw_deploy d[4])
{
    memset(d, 0, 4 * sizeof(cw_deploy));
    d[0] = (cw_deploy){ .deployment_id = 100, .finished_at = 1000, .run_number = 1,
                        .job = "deploy-pay", .revision = C1 };
    d[1] = (cw_deploy){ .deployment_id = 101, .finished_at = 5000, .run_number = 2,
                        .job = "deploy-pay", .revision = C2 };
    d[2] = (cw_deploy){ .deployment_id = 102, .finished_at = 5000, .run_number = 3,
                        .job = "deploy-pay", .revision = C3 };
    d[3] = (cw_deploy){ .deployment_id = 103, .finished_at = 10000, .run_number = 2,
                        .job = "hotfix", .revision = "2222222" };
}

/* c1 <- c5 <- c2 <- c3, walked over the four deployments. */
static cw_graph *walked(cw_deploy d[4])
{
    cw_graph *g = cw_graph_new();
    cw_graph_add(g, C1, "", 100, 1);
    cw_graph_add(g, C5, C1, 200, 5);
    cw_graph_add(g, C2, C5, 300, 2);
    cw_graph_add(g, C3, C2, 400, 3);
    cw_graph_finish(g);
    assert_int_equal(cw_graph_walk(g, d, 4, NULL, NULL), 0);
    assert_int_equal(d[0].deployment_id, 100);      /* order unchanged */
    assert_int_equal(d[3].deployment_id, 103);
    return g;
}

static void test_window_picks_latest_before(void **state)
{
    cw_deploy d[4];
    four(d);
    assert_int_equal(cw_attribute_window(d, 4, 999, H72), -1);     /* before any */
    assert_int_equal(cw_attribute_window(d, 4, 1000, H72), 0);     /* same second */
    assert_int_equal(cw_attribute_window(d, 4, 4999, H72), 0);
    assert_int_equal(cw_attribute_window(d, 4, 5000, H72), 2);     /* tie: the later run */
    assert_int_equal(cw_attribute_window(d, 4, 9999, H72), 2);
    assert_int_equal(cw_attribute_window(d, 4, 10001, H72), 3);
    assert_int_equal(cw_attribute_window(d, 0, 10001, H72), -1);  /* no deployments */
}

static void test_window_edge(void **state)
{
    cw_deploy d[4];
    four(d);
    /* exactly 72 h after the last deployment: attributed; one second more: not */
    assert_int_equal(cw_attribute_window(d, 4, 10000 + 259200, H72), 3);
    assert_int_equal(cw_attribute_window(d, 4, 10000 + 259201, H72), -1);
    /* the window is not a search range: an older deployment does not step in */
    assert_int_equal(cw_attribute_window(d, 1, 1000 + 259201, H72), -1);
    /* 0 = unlimited */
    assert_int_equal(cw_attribute_window(d, 4, 10000 + 1000000000, 0), 3);
    /* a one-hour window */
    assert_int_equal(cw_attribute_window(d, 4, 13600, 3600), 3);
    assert_int_equal(cw_attribute_window(d, 4, 13601, 3600), -1);
}

static void test_by_sha(void **state)
{
    cw_deploy d[4];
    four(d);
    cw_graph *g = walked(d);

    /* c2 was deployed by #2 and again by hotfix#2: the latest by created_at */
    assert_int_equal(cw_attribute_by_sha(d, 4, g, "2222222", 12000), 3);
    assert_int_equal(cw_attribute_by_sha(d, 4, g, C2, 7000), 1);
    assert_int_equal(cw_attribute_by_sha(d, 4, g, "2222222", 4000), 1);   /* none before: earliest */
    /* c5 is no deployment's revision, but #2 deployed it */
    assert_int_equal(cw_attribute_by_sha(d, 4, g, "5555555", 12000), 1);
    assert_int_equal(cw_attribute_by_sha(d, 4, NULL, "5555555", 12000), -1);
    assert_int_equal(cw_attribute_by_sha(d, 4, g, "9999999", 12000), -1);
    assert_int_equal(cw_attribute_by_sha(d, 4, g, "222222", 12000), -1);  /* too short */
    assert_int_equal(cw_attribute_by_sha(d, 4, g, "", 12000), -1);
    cw_graph_free(g);
}

static void test_by_build(void **state)
{
    cw_deploy d[4];
    four(d);
    assert_int_equal(cw_attribute_by_build(d, 4, "deploy-pay#1"), 0);
    assert_int_equal(cw_attribute_by_build(d, 4, " deploy-pay #3 "), 2);
    assert_int_equal(cw_attribute_by_build(d, 4, "deploy-pay#2"), 1);
    assert_int_equal(cw_attribute_by_build(d, 4, "hotfix#2"), 3);
    assert_int_equal(cw_attribute_by_build(d, 4, "#3"), 2);          /* unique run number */
    assert_int_equal(cw_attribute_by_build(d, 4, "2"), -1);          /* two jobs have run 2 */
    assert_int_equal(cw_attribute_by_build(d, 4, "other#1"), -1);
    assert_int_equal(cw_attribute_by_build(d, 4, "deploy-pay#x"), -1);
    assert_int_equal(cw_attribute_by_build(d, 4, "deploy-pay#99"), -1);
    assert_int_equal(cw_attribute_by_build(d, 4, NULL), -1);
}

static void test_explicit_overrides_window(void **state)
{
    char err[128];
    cw_regex *re = cw_regex_compile("\\b(?<sha>[0-9a-f]{7,40})\\b|(?<build>[A-Za-z][\\w.-]*#\\d+)",
                                    0, err, sizeof(err));
    cw_deploy d[4];
    long index;
    assert_non_null(re);
    four(d);
    cw_graph *g = walked(d);

    /* by job#number: the window alone would give hotfix#2 */
    assert_int_equal(cw_attribute(d, 4, g, re, "Checkout errors after deploy-pay#1", NULL,
                                  12000, H72, &index), CW_ATTR_EXPLICIT);
    assert_int_equal(index, 0);
    /* by a deployed commit named in the description */
    assert_int_equal(cw_attribute(d, 4, g, re, "Checkout errors",
                                  "Started with commit 5555555 going out", 12000, H72, &index),
                     CW_ATTR_EXPLICIT);
    assert_int_equal(index, 1);
    /* a reference to nothing known falls back to the window */
    assert_int_equal(cw_attribute(d, 4, g, re, "after deploy-pay#99", "", 12000, H72, &index),
                     CW_ATTR_WINDOW);
    assert_int_equal(index, 3);
    /* no pattern: window; too late: none */
    assert_int_equal(cw_attribute(d, 4, g, NULL, "deploy-pay#1", NULL, 12000, H72, &index),
                     CW_ATTR_WINDOW);
    assert_int_equal(index, 3);
    assert_int_equal(cw_attribute(d, 4, g, re, "no reference", NULL, 10000 + 259201, H72, &index),
                     CW_ATTR_NONE);
    assert_int_equal(index, -1);
    /* explicit wins even outside the window */
    assert_int_equal(cw_attribute(d, 4, g, re, "caused by deploy-pay#3", NULL, 10000 + 999999,
                                  H72, &index), CW_ATTR_EXPLICIT);
    assert_int_equal(index, 2);

    assert_string_equal(cw_attr_how_name(CW_ATTR_NONE), "none");
    assert_string_equal(cw_attr_how_name(CW_ATTR_WINDOW), "window");
    assert_string_equal(cw_attr_how_name(CW_ATTR_EXPLICIT), "explicit");
    cw_graph_free(g);
    cw_regex_free(re);
}

static void test_deployment_group_name(void **state)
{
    char err[128];
    cw_regex *re = cw_regex_compile("deployment:\\s*(?<deployment>\\S+)", 0, err, sizeof(err));
    cw_deploy d[4];
    long index;
    four(d);
    assert_int_equal(cw_attribute(d, 4, NULL, re, "Outage", "deployment: hotfix#2", 20000, H72,
                                  &index), CW_ATTR_EXPLICIT);
    assert_int_equal(index, 3);
    cw_regex_free(re);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_window_picks_latest_before),
        cmocka_unit_test(test_window_edge),
        cmocka_unit_test(test_by_sha),
        cmocka_unit_test(test_by_build),
        cmocka_unit_test(test_explicit_overrides_window),
        cmocka_unit_test(test_deployment_group_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
