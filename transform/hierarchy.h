/*
 * hierarchy.h - item -> epic -> theme from the links of work items
 * (metrics.md, "Hierarchy roll-up").  A pure rule: no I/O; the derivation
 * step (transform/epics.c) reads the items and links and writes what this
 * computes to derived_hierarchy.
 *
 * Input: every loaded item (key, type name) and every link (item, kind,
 * target key) of core/record.h: parent, epic (the Epic Link field), theme
 * (a configured field); blocks links are ignored here.  A target is matched
 * to a loaded item by its key; a target that is not loaded is still a key.
 *
 * An item is an EPIC when its type names one (Epic, Épopée, Épica, Epos,
 * 长篇故事, エピック; case-insensitive) or when an epic link of any item
 * targets it (the Epic Link field only ever names epics, whatever the
 * instance calls the type).  Epics have no epic of their own.
 *
 * Each link kind may appear more than once on an item (two CSV columns, a
 * field and the agile `epic` object): the smallest target key (byte order)
 * wins, so the answer does not depend on input order.
 *
 * item -> epic, for an item that is not an epic, first rule that answers:
 *   1. its parent, when that is a loaded epic (Jira Cloud's hierarchy: the
 *      current field, preferred to the legacy Epic Link when both exist);
 *   2. its epic link target (loaded or not: the key is known);
 *   3. its parent's epic, by these same rules, when the parent is a loaded
 *      item that is not an epic (a sub-task inherits its parent's epic; a
 *      sub-sub-task its grandparent's).
 *   Else none.  So each item has at most one epic.
 * A SUB-TASK is an item that is not an epic and whose type names a sub-task
 * (Sub-task, Subtask, Sub-Task, 子任务, Sous-tâche, Subtarea, Unteraufgabe;
 * case-insensitive) or whose parent is a loaded item that is not an epic
 * (only sub-tasks have such parents in Jira).  Roll-ups count sub-tasks
 * nowhere but in last_change_at and applications.
 *
 * epic -> theme, for a loaded epic: its theme link target, else its parent
 * (loaded or not).  A non-epic item's theme is its epic's theme (none when
 * the epic is not loaded): a theme field on a story is not read.
 *
 * Cycles.  Rule 3 walks up parent links; the walk stops at the first item
 * it reaches twice, and every item of that walk gets no epic from it.  An
 * epic that is its own theme (its parent or theme field names itself), and
 * an item that would be its own theme (its epic's theme is the item),
 * have no theme.  Each cycle is reported once, named by its smallest key,
 * with the cycle spelled out from there ("A -> B -> A").
 *
 * Cost: O(items + links) besides sorting the links; each item is walked
 * once (results are remembered), so a long chain costs its length once.
 */
#ifndef CW_HIERARCHY_H
#define CW_HIERARCHY_H

#include <stddef.h>

#include "../core/record.h"

typedef struct cw_hier_item {
    const char *key;              /* required, unique */
    const char *type;             /* issue type name, or NULL */
} cw_hier_item;

typedef struct cw_hier_link {
    size_t item;                  /* index into the items */
    cw_link_kind kind;
    const char *target_key;       /* required */
} cw_hier_link;

/* Per item (same index as the input).  Key pointers point into the input
 * (an item's key or a link's target key) and live as long as it does. */
typedef struct cw_hier_result {
    const char *epic_key;         /* NULL: no epic */
    const char *theme_key;        /* NULL: no theme */
    size_t epic_at, theme_at;     /* the loaded epic's / theme's index, SIZE_MAX when none
                                     or not loaded */
    int is_epic;
    int is_subtask;
} cw_hier_result;

typedef struct cw_hier_cycle {
    char *subject;                /* the smallest key of the cycle */
    char *detail;                 /* "A -> B -> A" */
} cw_hier_cycle;

typedef struct cw_hierarchy {
    cw_hier_result *items;        /* n_items of them */
    cw_hier_cycle *cycles;        /* sorted by subject, each cycle once */
    size_t n_cycles;
} cw_hierarchy;

/* 0, or -1 when a link names an item out of range (nothing is computed). */
int cw_hierarchy_build(const cw_hier_item *items, size_t n_items, const cw_hier_link *links,
                       size_t n_links, cw_hierarchy *out);
void cw_hierarchy_free(cw_hierarchy *h);

/* Does the type name an epic / a sub-task (the lists above)? */
int cw_hier_type_is_epic(const char *type);
int cw_hier_type_is_subtask(const char *type);

#endif
