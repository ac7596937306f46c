/*
 * test_hierarchy.c - item -> epic -> theme (transform/hierarchy.h) on
 * hand-drawn hierarchies: each rule of the precedence, sub-tasks, themes by
 * field and by the epic's parent, cycles, and order independence.
 */
#include "support.h"
#include "transform/hierarchy.h"

#include <stdint.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *str(const char *s) { return s ? s : "(none)"; }

/* The result of key as "epic|theme|E|S" (E: is an epic, S: a sub-task). */
static const char *answer(const cw_hier_item *items, size_t n, const cw_hierarchy *h,
                          const char *key, char *buf, size_t size)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(items[i].key, key) == 0) {
            snprintf(buf, size, "%s|%s|%s%s", str(h->items[i].epic_key),
                     str(h->items[i].theme_key), h->items[i].is_epic ? "E" : "",
                     h->items[i].is_subtask ? "S" : "");
            return buf;
        }
    return "missing";
}

#define ASSERT_ITEM(key, want) \
    assert_string_equal(answer(items, N(items), &h, key, buf, sizeof(buf)), want)

/* The French Server export of tests/fixtures/jira (jira-server-export-fr-locale):
 * CNED-2 and CNED-3 are Épopée, CNED-12 and CNED-15 name them by Epic Link,
 * CNED-16 is a Sous-tâche of CNED-15 (Parent id 11917), CNED-28 one of
 * CNED-8, a Tâche with no epic. */
static void test_french_export_shape(void **state)
{
    (void)state;
    cw_hier_item items[] = {
        {"CNED-2", "Épopée"}, {"CNED-3", "Épopée"}, {"CNED-8", "Tâche"},
        {"CNED-12", "Tâche"}, {"CNED-15", "Tâche"}, {"CNED-16", "Sous-tâche"},
        {"CNED-28", "Sous-tâche"},
    };
    cw_hier_link links[] = {
        {3, CW_LINK_EPIC, "CNED-2"}, {4, CW_LINK_EPIC, "CNED-3"},
        {5, CW_LINK_PARENT, "CNED-15"}, {6, CW_LINK_PARENT, "CNED-8"},
    };
    cw_hierarchy h;
    char buf[128];
    assert_int_equal(cw_hierarchy_build(items, N(items), links, N(links), &h), 0);
    ASSERT_ITEM("CNED-2", "(none)|(none)|E");
    ASSERT_ITEM("CNED-12", "CNED-2|(none)|");
    ASSERT_ITEM("CNED-15", "CNED-3|(none)|");
    ASSERT_ITEM("CNED-16", "CNED-3|(none)|S");      /* its parent's epic */
    ASSERT_ITEM("CNED-8", "(none)|(none)|");
    ASSERT_ITEM("CNED-28", "(none)|(none)|S");
    assert_int_equal(h.n_cycles, 0);
    cw_hierarchy_free(&h);
}

/* Precedence: a parent that is an epic beats the Epic Link field; an epic
 * link to an item not loaded still names the epic; the link target makes
 * an item an epic whatever its type; the smallest key wins among links of
 * one kind. */
static void test_precedence(void **state)
{
    (void)state;
    cw_hier_item items[] = {
        {"A-1", "Epic"}, {"A-2", "Feature"}, {"A-10", "Story"}, {"A-11", "Story"},
        {"A-12", "Story"}, {"A-13", "Story"},
    };
    cw_hier_link links[] = {
        {2, CW_LINK_PARENT, "A-1"}, {2, CW_LINK_EPIC, "A-2"},   /* parent wins */
        {3, CW_LINK_EPIC, "A-2"},                             /* A-2 becomes an epic */
        {4, CW_LINK_EPIC, "B-99"},                            /* not loaded */
        {5, CW_LINK_EPIC, "A-2"}, {5, CW_LINK_EPIC, "A-1"},    /* smallest: A-1 */
    };
    cw_hierarchy h;
    char buf[128];
    assert_int_equal(cw_hierarchy_build(items, N(items), links, N(links), &h), 0);
    ASSERT_ITEM("A-10", "A-1|(none)|");
    ASSERT_ITEM("A-2", "(none)|(none)|E");
    ASSERT_ITEM("A-11", "A-2|(none)|");
    ASSERT_ITEM("A-12", "B-99|(none)|");
    assert_true(h.items[4].epic_at == SIZE_MAX);    /* B-99 is not loaded */
    ASSERT_ITEM("A-13", "A-1|(none)|");
    cw_hierarchy_free(&h);
}

/* Themes: E1 by its theme field (preferred to its parent), E2 by its
 * parent, E3 has neither; a story and its sub-task take their epic's. */
static void test_themes(void **state)
{
    (void)state;
    cw_hier_item items[] = {
        {"T-1", "Initiative"}, {"T-2", "Initiative"}, {"E-1", "Epic"}, {"E-2", "Epic"},
        {"E-3", "Epic"}, {"S-1", "Story"}, {"S-2", "Story"}, {"S-3", "Sub-task"},
        {"S-4", "Story"},
    };
    cw_hier_link links[] = {
        {2, CW_LINK_THEME, "T-1"}, {2, CW_LINK_PARENT, "T-2"},
        {3, CW_LINK_PARENT, "T-2"},
        {5, CW_LINK_PARENT, "E-1"}, {6, CW_LINK_EPIC, "E-2"}, {7, CW_LINK_PARENT, "S-2"},
        {8, CW_LINK_PARENT, "E-3"},
        {5, CW_LINK_THEME, "T-2"},              /* a story's own theme field: not read */
    };
    cw_hierarchy h;
    char buf[128];
    assert_int_equal(cw_hierarchy_build(items, N(items), links, N(links), &h), 0);
    ASSERT_ITEM("E-1", "(none)|T-1|E");
    ASSERT_ITEM("E-2", "(none)|T-2|E");
    ASSERT_ITEM("E-3", "(none)|(none)|E");
    ASSERT_ITEM("S-1", "E-1|T-1|");
    ASSERT_ITEM("S-2", "E-2|T-2|");
    ASSERT_ITEM("S-3", "E-2|T-2|S");
    ASSERT_ITEM("S-4", "E-3|(none)|");
    ASSERT_ITEM("T-1", "(none)|(none)|");
    assert_int_equal(h.items[5].epic_at, 2);        /* S-1: E-1, T-1 loaded */
    assert_int_equal(h.items[5].theme_at, 0);
    assert_int_equal(h.items[3].theme_at, 1);       /* E-2's theme T-2 */
    assert_true(h.items[0].epic_at == SIZE_MAX);    /* T-1 has no epic */
    assert_int_equal(h.n_cycles, 0);
    cw_hierarchy_free(&h);
}

/* Cycles: C-2 -> C-3 -> C-2 by parent links (C-1 hangs below them): no epic
 * for any of them, reported once as "C-2 -> C-3 -> C-2" whichever item the
 * walk starts from.  An epic that is its own parent has no theme; an item
 * whose epic's theme is the item itself has none either. */
static void test_cycles(void **state)
{
    (void)state;
    cw_hier_item items[] = {
        {"C-3", "Task"}, {"C-1", "Sub-task"}, {"C-2", "Task"}, {"E-5", "Epic"},
        {"E-6", "Epic"}, {"X-1", "Story"},
    };
    cw_hier_link links[] = {
        {0, CW_LINK_PARENT, "C-2"}, {2, CW_LINK_PARENT, "C-3"}, {1, CW_LINK_PARENT, "C-3"},
        {3, CW_LINK_PARENT, "E-5"},
        {5, CW_LINK_EPIC, "E-6"}, {4, CW_LINK_THEME, "X-1"},
    };
    cw_hierarchy h;
    char buf[128];
    assert_int_equal(cw_hierarchy_build(items, N(items), links, N(links), &h), 0);
    ASSERT_ITEM("C-1", "(none)|(none)|S");
    ASSERT_ITEM("C-2", "(none)|(none)|S");
    ASSERT_ITEM("C-3", "(none)|(none)|S");
    ASSERT_ITEM("E-5", "(none)|(none)|E");
    ASSERT_ITEM("E-6", "(none)|X-1|E");
    ASSERT_ITEM("X-1", "E-6|(none)|");
    assert_int_equal(h.n_cycles, 3);
    assert_string_equal(h.cycles[0].subject, "C-2");
    assert_string_equal(h.cycles[0].detail, "C-2 -> C-3 -> C-2");
    assert_string_equal(h.cycles[1].subject, "E-5");
    assert_string_equal(h.cycles[1].detail, "E-5 -> E-5");
    assert_string_equal(h.cycles[2].subject, "E-6");
    assert_string_equal(h.cycles[2].detail, "E-6 -> X-1 -> E-6");
    cw_hierarchy_free(&h);
}

/* A sub-sub-task inherits through two parents; a chain of 100,000 items
 * is walked once (each item remembers its answer). */
static void test_long_chain(void **state)
{
    enum { LEN = 100000 };
    cw_hier_item *items = calloc(LEN + 1, sizeof(*items));
    cw_hier_link *links = calloc(LEN + 1, sizeof(*links));
    char (*keys)[16] = calloc(LEN + 1, sizeof(*keys));
    cw_hierarchy h;
    (void)state;
    snprintf(keys[0], sizeof(keys[0]), "EP-1");
    items[0] = (cw_hier_item){ keys[0], "Epic" };
    for (size_t i = 1; i <= LEN; i++) {
        snprintf(keys[i], sizeof(keys[i]), "K-%zu", i);
        items[i] = (cw_hier_item){ keys[i], i == 1 ? "Story" : "Sub-task" };
        links[i - 1] = (cw_hier_link){ i, CW_LINK_PARENT, keys[i - 1] };
    }
    assert_int_equal(cw_hierarchy_build(items, LEN + 1, links, LEN, &h), 0);
    assert_string_equal(h.items[LEN].epic_key, "EP-1");
    assert_int_equal(h.items[LEN].is_subtask, 1);
    assert_int_equal(h.items[1].is_subtask, 0);
    cw_hierarchy_free(&h);
    links[0].item = LEN + 1;                        /* out of range */
    assert_int_equal(cw_hierarchy_build(items, LEN + 1, links, LEN, &h), -1);
    free(items);
    free(links);
    free(keys);
}

static void test_type_names(void **state)
{
    (void)state;
    assert_true(cw_hier_type_is_epic("EPIC"));
    assert_true(cw_hier_type_is_epic("Épopée"));
    assert_false(cw_hier_type_is_epic("Epic Story"));
    assert_false(cw_hier_type_is_epic(NULL));
    assert_true(cw_hier_type_is_subtask("sub-task"));
    assert_true(cw_hier_type_is_subtask("子任务"));
    assert_false(cw_hier_type_is_subtask("Task"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_french_export_shape),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_themes),
        cmocka_unit_test(test_cycles),
        cmocka_unit_test(test_long_chain),
        cmocka_unit_test(test_type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
