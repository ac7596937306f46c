/*
 * hierarchy.c - item -> epic -> theme (see hierarchy.h for the rule).
 *
 * The links are folded into three per-item answers first (the smallest
 * parent, epic and theme target), so every later step is a lookup; the
 * epic walk remembers each item's answer, so a chain is walked once
 * whatever the order the items come in.
 */
#include "hierarchy.h"
#include "../core/strmap.h"
#include "../core/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NONE SIZE_MAX

static const char *const epic_types[] = {
    "Epic", "Épopée", "épopée", "Épica", "épica", "Epos", "长篇故事", "エピック", NULL
};
static const char *const subtask_types[] = {
    "Sub-task", "Subtask", "Sub task", "子任务", "Sous-tâche", "Sous-Tâche", "Subtarea",
    "Sub-tarea", "Unteraufgabe", "サブタスク", NULL
};

static int in_names(const char *type, const char *const *names)
{
    for (size_t i = 0; type && names[i]; i++)
        if (cw_streq_ci(type, names[i]))
            return 1;
    return 0;
}

int cw_hier_type_is_epic(const char *type) { return in_names(type, epic_types); }
int cw_hier_type_is_subtask(const char *type) { return in_names(type, subtask_types); }

/* Working state of one build. */
typedef struct hier {
    const cw_hier_item *items;
    size_t n;
    cw_strmap *index;             /* key -> item index */
    const char **parent, **epic, **theme;   /* the smallest target of each kind */
    size_t *parent_at;            /* the parent's index, NONE when not loaded */
    unsigned char *state;         /* epic walk: 0 new, 1 on the walk, 2 answered */
    size_t *path;                 /* the walk */
    cw_hierarchy *out;
    size_t cap_cycles;
} hier;

static size_t index_of(const hier *h, const char *key)
{
    int64_t v;
    return key && cw_strmap_get(h->index, key, &v) ? (size_t)v : NONE;
}

/* Keep the smaller of two targets (NULL = none yet). */
static void keep_smallest(const char **slot, const char *key)
{
    if (!*slot || strcmp(key, *slot) < 0)
        *slot = key;
}

static void add_cycle(hier *h, const size_t *members, size_t n)
{
    size_t first = 0;
    cw_buf b = {0};
    for (size_t i = 1; i < n; i++)
        if (strcmp(h->items[members[i]].key, h->items[members[first]].key) < 0)
            first = i;
    for (size_t i = 0; i <= n; i++)
        cw_buf_printf(&b, "%s%s", i ? " -> " : "", h->items[members[(first + i) % n]].key);
    for (size_t i = 0; i < h->out->n_cycles; i++)
        if (strcmp(h->out->cycles[i].subject, h->items[members[first]].key) == 0) {
            cw_buf_free(&b);
            return;
        }
    if (h->out->n_cycles == h->cap_cycles) {
        h->cap_cycles = h->cap_cycles ? h->cap_cycles * 2 : 4;
        h->out->cycles = cw_xrealloc(h->out->cycles, h->cap_cycles * sizeof(cw_hier_cycle));
    }
    h->out->cycles[h->out->n_cycles].subject = cw_strdup(h->items[members[first]].key);
    h->out->cycles[h->out->n_cycles++].detail = b.data;
}

/* Rules 1 and 2 of hierarchy.h for item x: its own epic, or NULL. */
static const char *direct_epic(const hier *h, size_t x)
{
    size_t p = h->parent_at[x];
    if (p != NONE && h->out->items[p].is_epic)
        return h->items[p].key;
    return h->epic[x];
}

/* Rule 3: walk up non-epic parents until an answer, the top, a remembered
 * item, or an item reached twice (a cycle: no epic for the whole walk). */
static void resolve_epic(hier *h, size_t i)
{
    size_t len = 0, x = i;
    const char *found = NULL;
    for (;;) {
        if (h->state[x] == 2) {
            found = h->out->items[x].epic_key;
            break;
        }
        if (h->state[x] == 1) {
            size_t from = 0;
            while (h->path[from] != x)
                from++;
            add_cycle(h, h->path + from, len - from);
            break;
        }
        h->state[x] = 1;
        h->path[len++] = x;
        if ((found = direct_epic(h, x)) != NULL)
            break;
        if (h->parent_at[x] == NONE || h->out->items[h->parent_at[x]].is_epic)
            break;
        x = h->parent_at[x];
    }
    for (size_t k = 0; k < len; k++) {
        h->out->items[h->path[k]].epic_key = found;
        h->state[h->path[k]] = 2;
    }
}

/* An epic's theme: its theme field, else its parent; never itself. */
static const char *epic_theme(hier *h, size_t e)
{
    const char *t = h->theme[e] ? h->theme[e] : h->parent[e];
    size_t self[1] = { e };
    if (t && strcmp(t, h->items[e].key) == 0) {
        add_cycle(h, self, 1);
        return NULL;
    }
    return t;
}

/* A non-epic item's theme: its epic's, unless that is the item itself. */
static const char *item_theme(hier *h, size_t i)
{
    size_t e = index_of(h, h->out->items[i].epic_key);
    const char *t = e == NONE ? NULL : h->out->items[e].theme_key;
    size_t both[2] = { i, e };
    if (t && strcmp(t, h->items[i].key) == 0) {
        add_cycle(h, both, 2);
        return NULL;
    }
    return t;
}

static int fold_links(hier *h, const cw_hier_link *links, size_t n_links)
{
    for (size_t k = 0; k < n_links; k++) {
        const cw_hier_link *l = &links[k];
        size_t t;
        if (l->item >= h->n)
            return -1;
        if (!l->target_key || !*l->target_key)
            continue;
        if (l->kind == CW_LINK_PARENT)
            keep_smallest(&h->parent[l->item], l->target_key);
        else if (l->kind == CW_LINK_EPIC)
            keep_smallest(&h->epic[l->item], l->target_key);
        else if (l->kind == CW_LINK_THEME)
            keep_smallest(&h->theme[l->item], l->target_key);
        if (l->kind == CW_LINK_EPIC && (t = index_of(h, l->target_key)) != NONE)
            h->out->items[t].is_epic = 1;
    }
    return 0;
}

static int cmp_cycles(const void *a, const void *b)
{
    return strcmp(((const cw_hier_cycle *)a)->subject, ((const cw_hier_cycle *)b)->subject);
}

static void derive(hier *h)
{
    cw_hier_result *r = h->out->items;
    for (size_t i = 0; i < h->n; i++)
        h->parent_at[i] = index_of(h, h->parent[i]);
    for (size_t i = 0; i < h->n; i++) {
        size_t p = h->parent_at[i];
        r[i].is_subtask = !r[i].is_epic && (cw_hier_type_is_subtask(h->items[i].type) ||
                                            (p != NONE && !r[p].is_epic));
        if (!r[i].is_epic && h->state[i] == 0)
            resolve_epic(h, i);
    }
    for (size_t i = 0; i < h->n; i++)
        if (r[i].is_epic)
            r[i].theme_key = epic_theme(h, i);
    for (size_t i = 0; i < h->n; i++)
        if (!r[i].is_epic)
            r[i].theme_key = item_theme(h, i);
    for (size_t i = 0; i < h->n; i++) {
        r[i].epic_at = index_of(h, r[i].epic_key);
        r[i].theme_at = index_of(h, r[i].theme_key);
    }
    if (h->out->n_cycles > 1)
        qsort(h->out->cycles, h->out->n_cycles, sizeof(cw_hier_cycle), cmp_cycles);
}

int cw_hierarchy_build(const cw_hier_item *items, size_t n_items, const cw_hier_link *links,
                       size_t n_links, cw_hierarchy *out)
{
    size_t n = n_items ? n_items : 1;
    hier h = { .items = items, .n = n_items, .index = cw_strmap_new(), .out = out };
    int rc;
    *out = (cw_hierarchy){ .items = cw_xcalloc(n, sizeof(cw_hier_result)) };
    h.parent = cw_xcalloc(n, sizeof(char *));
    h.epic = cw_xcalloc(n, sizeof(char *));
    h.theme = cw_xcalloc(n, sizeof(char *));
    h.parent_at = cw_xcalloc(n, sizeof(size_t));
    h.state = cw_xcalloc(n, 1);
    h.path = cw_xcalloc(n, sizeof(size_t));
    for (size_t i = 0; i < n_items; i++) {
        cw_strmap_add(h.index, items[i].key, (int64_t)i, NULL);
        out->items[i].is_epic = cw_hier_type_is_epic(items[i].type);
    }
    rc = fold_links(&h, links, n_links);
    if (rc == 0)
        derive(&h);
    else
        cw_hierarchy_free(out);
    cw_strmap_free(h.index);
    free(h.parent);
    free(h.epic);
    free(h.theme);
    free(h.parent_at);
    free(h.state);
    free(h.path);
    return rc;
}

void cw_hierarchy_free(cw_hierarchy *h)
{
    for (size_t i = 0; i < h->n_cycles; i++) {
        free(h->cycles[i].subject);
        free(h->cycles[i].detail);
    }
    free(h->cycles);
    free(h->items);
    *h = (cw_hierarchy){0};
}
