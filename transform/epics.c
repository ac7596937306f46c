/*
 * epics.c - the hierarchy roll-up step (see epics.h): reads every item and
 * its parent / epic / theme links, applies transform/hierarchy.h, and
 * rewrites derived_hierarchy (bulk, append.h) and the cycle findings.
 *
 * Memory: every item's key and type and every hierarchy link are held at
 * once, because a walk up the parents may reach any item.  That is the
 * O(items) the rule needs, a few dozen bytes per item.
 */
#include "epics.h"
#include "append.h"
#include "hierarchy.h"
#include "../core/log.h"
#include "../core/sqlset.h"
#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

#define SQL_FILE "transform/sql/hierarchy.sql"
#define FINDING_KIND "hierarchy cycle"
#define FINDING_METRIC "epic and theme roll-up"

static const char *const columns[] = {
    "work_item_id", "epic_key", "epic_id", "theme_key", "theme_id", "is_epic", "is_subtask"
};

typedef struct step {
    cw_db *db;
    cw_sqlset *sql;
    int64_t *ids;                 /* work_item_id per item, ascending */
    cw_hier_item *items;
    size_t n_items, cap_items;
    cw_hier_link *links;
    size_t n_links, cap_links;
    char **texts;                 /* every string read, freed at the end */
    size_t n_texts, cap_texts;
} step;

static int fail(step *s, const char *what)
{
    cw_error("hierarchy: %s: %s", what, cw_db_errmsg(s->db));
    return -1;
}

static const char *keep(step *s, const char *text)
{
    if (!text)
        return NULL;
    if (s->n_texts == s->cap_texts) {
        s->cap_texts = s->cap_texts ? s->cap_texts * 2 : 1024;
        s->texts = cw_xrealloc(s->texts, s->cap_texts * sizeof(char *));
    }
    return s->texts[s->n_texts++] = cw_strdup(text);
}

/* Prepare the named statement of SQL_FILE; NULL (logged) on failure. */
static cw_stmt *prepare(step *s, const char *name)
{
    const char *text = cw_sqlset_get(s->sql, name);
    cw_stmt *st = NULL;
    if (!text) {
        cw_error("%s: no statement named %s", SQL_FILE, name);
        return NULL;
    }
    if (cw_db_prepare(s->db, text, &st) != CW_DB_OK) {
        fail(s, name);
        return NULL;
    }
    return st;
}

static int run(step *s, const char *name)
{
    cw_stmt *st = prepare(s, name);
    int rc = st ? cw_db_step(st) : CW_DB_ERROR;
    if (st && rc != CW_DB_DONE)
        fail(s, name);
    cw_db_finalize(st);
    return rc == CW_DB_DONE ? 0 : -1;
}

static int read_items(step *s)
{
    cw_stmt *st = prepare(s, "hierarchy_items");
    int rc;
    if (!st)
        return -1;
    while ((rc = cw_db_step(st)) == CW_DB_ROW) {
        if (s->n_items == s->cap_items) {
            s->cap_items = s->cap_items ? s->cap_items * 2 : 1024;
            s->items = cw_xrealloc(s->items, s->cap_items * sizeof(cw_hier_item));
            s->ids = cw_xrealloc(s->ids, s->cap_items * sizeof(int64_t));
        }
        s->ids[s->n_items] = cw_db_column_int(st, 0);
        s->items[s->n_items].key = keep(s, cw_db_column_text(st, 1));
        s->items[s->n_items++].type = keep(s, cw_db_column_text(st, 2));
    }
    cw_db_finalize(st);
    return rc == CW_DB_DONE ? 0 : fail(s, "hierarchy_items");
}

/* The index of work item id among the items (ascending ids), or n_items. */
static size_t item_at(const step *s, int64_t id)
{
    size_t lo = 0, hi = s->n_items;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < s->n_items && s->ids[lo] == id ? lo : s->n_items;
}

static cw_link_kind kind_of(const char *name)
{
    if (name && strcmp(name, "epic") == 0)
        return CW_LINK_EPIC;
    if (name && strcmp(name, "theme") == 0)
        return CW_LINK_THEME;
    return CW_LINK_PARENT;
}

static int read_links(step *s)
{
    cw_stmt *st = prepare(s, "hierarchy_links");
    int rc;
    if (!st)
        return -1;
    while ((rc = cw_db_step(st)) == CW_DB_ROW) {
        size_t at = item_at(s, cw_db_column_int(st, 0));
        if (at == s->n_items)
            continue;
        if (s->n_links == s->cap_links) {
            s->cap_links = s->cap_links ? s->cap_links * 2 : 1024;
            s->links = cw_xrealloc(s->links, s->cap_links * sizeof(cw_hier_link));
        }
        s->links[s->n_links++] = (cw_hier_link){ at, kind_of(cw_db_column_text(st, 1)),
                                                 keep(s, cw_db_column_text(st, 2)) };
    }
    cw_db_finalize(st);
    return rc == CW_DB_DONE ? 0 : fail(s, "hierarchy_links");
}

/* The id of the item at index at, NULL value when none (SIZE_MAX). */
static cw_db_value id_at(const step *s, size_t at)
{
    return at < s->n_items ? cw_value_int(s->ids[at]) : cw_value_null();
}

static int write_rows(step *s, const cw_hierarchy *h)
{
    cw_append out;
    int rc = 0;
    cw_append_init(&out, s->db, "derived_hierarchy", columns, 7);
    for (size_t i = 0; i < s->n_items && rc == 0; i++) {
        const cw_hier_result *r = &h->items[i];
        cw_db_value row[7];
        if (!r->epic_key && !r->theme_key && !r->is_epic)
            continue;
        row[0] = cw_value_int(s->ids[i]);
        row[1] = cw_value_text(r->epic_key);
        row[2] = id_at(s, r->epic_at);
        row[3] = cw_value_text(r->theme_key);
        row[4] = id_at(s, r->theme_at);
        row[5] = cw_value_int(r->is_epic);
        row[6] = cw_value_int(r->is_subtask);
        rc = cw_append_row(&out, row);
    }
    if (rc == 0)
        rc = cw_append_flush(&out);
    cw_append_free(&out);
    return rc;
}

static int write_findings(step *s, const cw_hierarchy *h)
{
    cw_stmt *st = h->n_cycles ? prepare(s, "hierarchy_finding") : NULL;
    int rc = 0;
    if (h->n_cycles && !st)
        return -1;
    for (size_t i = 0; i < h->n_cycles && rc == 0; i++) {
        char *detail = cw_asprintf("parent links form a cycle: %s; the walk stops at the first "
                                   "repeated item and the items of the cycle get no epic or "
                                   "theme from it", h->cycles[i].detail);
        cw_db_bind_str(st, 1, FINDING_KIND);
        cw_db_bind_str(st, 2, h->cycles[i].subject);
        cw_db_bind_str(st, 3, FINDING_METRIC);
        cw_db_bind_str(st, 4, detail);
        rc = cw_db_step(st) == CW_DB_DONE ? 0 : fail(s, "hierarchy_finding");
        cw_db_reset(st);
        free(detail);
    }
    cw_db_finalize(st);
    return rc;
}

int cw_hierarchy_derive(cw_db *db)
{
    step s = { .db = db, .sql = cw_sqlset_new() };
    cw_hierarchy h = {0};
    int rc = cw_sqlset_load(s.sql, SQL_FILE);
    if (rc == 0)
        rc = run(&s, "clear_hierarchy") || run(&s, "clear_hierarchy_findings") ||
             read_items(&s) || read_links(&s) ? -1 : 0;
    if (rc == 0 && cw_hierarchy_build(s.items, s.n_items, s.links, s.n_links, &h) != 0) {
        cw_error("hierarchy: a link names an item out of range");
        rc = -1;
    }
    if (rc == 0)
        rc = write_rows(&s, &h) || write_findings(&s, &h) ? -1 : 0;
    cw_hierarchy_free(&h);
    for (size_t i = 0; i < s.n_texts; i++)
        free(s.texts[i]);
    free(s.texts);
    free(s.items);
    free(s.ids);
    free(s.links);
    cw_sqlset_free(s.sql);
    return rc;
}
