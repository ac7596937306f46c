/*
 * flow.c - status categories, flow types and per-item flow (see flow.h).
 */
#include "flow.h"
#include "../core/strmap.h"
#include "../core/record.h"
#include "../core/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NAME_MAX_FOLD 256

/* ---------------------------------------------------------------- names */

static const char *const category_names[] = { "todo", "in_progress", "done" };
static const char *const origin_names[] = { "config", "source", "guess" };

const char *cw_category_name(cw_category cat)
{
    return category_names[cat];
}

int cw_category_parse(const char *s, cw_category *out)
{
    for (int i = 0; i < 3; i++) {
        if (s && cw_streq_ci(s, category_names[i])) {
            *out = (cw_category)i;
            return 0;
        }
    }
    return -1;
}

const char *cw_status_origin_name(cw_status_origin origin)
{
    return origin_names[origin];
}

/* Whole words of status names that reveal their category. */
static const char *const done_words[] = {
    "done", "closed", "resolved", "released", "complete", "completed", NULL
};
static const char *const todo_words[] = {
    "to do", "todo", "open", "reopened", "backlog", "new", "created", "selected", NULL
};

/* Lower-case s with every non-alphanumeric byte turned into a space and a
 * space on both ends, so " word " finds whole words. */
static void word_form(const char *s, char *out, size_t outlen)
{
    size_t j = 0;
    out[j++] = ' ';
    for (; *s && j + 2 < outlen; s++) {
        unsigned char c = (unsigned char)*s;
        out[j++] = isalnum(c) ? (char)tolower(c) : ' ';
    }
    out[j++] = ' ';
    out[j] = '\0';
}

static int has_word(const char *form, const char *const *words)
{
    char needle[64];
    for (; *words; words++) {
        needle[0] = ' ';
        strcpy(needle + 1, *words);
        strcat(needle, " ");
        if (strstr(form, needle))
            return 1;
    }
    return 0;
}

cw_category cw_flow_guess_category(const char *status)
{
    char form[NAME_MAX_FOLD + 3];
    word_form(status ? status : "", form, sizeof(form));
    if (has_word(form, done_words))
        return CW_CAT_DONE;
    if (has_word(form, todo_words))
        return CW_CAT_TODO;
    return CW_CAT_IN_PROGRESS;
}

/* ---------------------------------------------------------------- status map */

struct cw_status_map {
    cw_strmap *index;           /* folded name -> position in infos */
    cw_status_info **infos;     /* pointers, so entries never move */
    size_t n;
};

cw_status_map *cw_status_map_new(void)
{
    cw_status_map *map = cw_xcalloc(1, sizeof(*map));
    map->index = cw_strmap_new();
    return map;
}

void cw_status_map_free(cw_status_map *map)
{
    if (!map)
        return;
    for (size_t i = 0; i < map->n; i++) {
        free(map->infos[i]->name);
        free(map->infos[i]);
    }
    free(map->infos);
    cw_strmap_free(map->index);
    free(map);
}

int cw_status_map_add(cw_status_map *map, const char *name, cw_category cat, int waiting,
                      cw_status_origin origin)
{
    char folded[NAME_MAX_FOLD];
    cw_status_info *info;

    if (cw_str_empty(name))
        return 0;
    cw_strmap_fold(name, folded, sizeof(folded));
    if (!cw_strmap_add(map->index, folded, (int64_t)map->n, NULL))
        return 0;
    info = cw_xcalloc(1, sizeof(*info));
    info->name = cw_strdup(name);
    info->category = cat;
    info->waiting = waiting;
    info->origin = origin;
    map->infos = cw_xrealloc(map->infos, (map->n + 1) * sizeof(*map->infos));
    map->infos[map->n++] = info;
    return 1;
}

const cw_status_info *cw_status_map_get(const cw_status_map *map, const char *name)
{
    char folded[NAME_MAX_FOLD];
    int64_t pos;
    if (cw_str_empty(name))
        return NULL;
    cw_strmap_fold(name, folded, sizeof(folded));
    return cw_strmap_get(map->index, folded, &pos) ? map->infos[pos] : NULL;
}

const cw_status_info *cw_status_map_resolve(cw_status_map *map, const char *name,
                                            const char *source_category)
{
    const cw_status_info *info = cw_status_map_get(map, name);
    cw_category cat;

    if (info || cw_str_empty(name))
        return info;
    if (source_category && cw_category_parse(source_category, &cat) == 0)
        cw_status_map_add(map, name, cat, 0, CW_STATUS_SOURCE);
    else
        cw_status_map_add(map, name, cw_flow_guess_category(name), 0, CW_STATUS_GUESS);
    return cw_status_map_get(map, name);
}

size_t cw_status_map_count(const cw_status_map *map)
{
    return map->n;
}

const cw_status_info *cw_status_map_at(const cw_status_map *map, size_t i)
{
    return i < map->n ? map->infos[i] : NULL;
}

/* ---------------------------------------------------------------- flow types */

static int contains_ci(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = haystack; p && *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return 1;
    return 0;
}

static int one_of_ci(const char *s, const char *const *names)
{
    for (; *names; names++)
        if (cw_streq_ci(s, *names))
            return 1;
    return 0;
}

static const char *const defect_types[] = { "Bug", "Defect", NULL };
static const char *const feature_types[] = {
    "Story", "Feature", "Epic", "Improvement", "New Feature", NULL
};
static const char *const risk_types[] = { "Security", "Vulnerability", "Compliance", NULL };

const char *cw_flow_type(const char *item_type, const char *labels,
                         const cw_flow_rule *rules, size_t n_rules)
{
    for (size_t i = 0; i < n_rules; i++)
        if (item_type && cw_streq_ci(item_type, rules[i].type))
            return rules[i].flow_type;
    if (item_type && one_of_ci(item_type, defect_types))
        return "defect";
    if (item_type && one_of_ci(item_type, feature_types))
        return "feature";
    if (item_type && one_of_ci(item_type, risk_types))
        return "risk";
    if (contains_ci(item_type, "debt") || contains_ci(labels, "debt"))
        return "debt";
    return "feature";
}

/* ---------------------------------------------------------------- per item */

static int all_digits(const char *s)
{
    if (cw_str_empty(s))
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

int cw_flow_compare_history(const char *a, const char *b)
{
    a = a ? a : "";
    b = b ? b : "";
    if (all_digits(a) && all_digits(b)) {
        while (*a == '0' && a[1])
            a++;
        while (*b == '0' && b[1])
            b++;
        if (strlen(a) != strlen(b))
            return strlen(a) < strlen(b) ? -1 : 1;
    }
    return strcmp(a, b);
}

static int compare_transition(const void *pa, const void *pb)
{
    const cw_flow_transition *a = pa, *b = pb;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    int c = cw_flow_compare_history(a->history_id, b->history_id);
    if (c)
        return c;
    /* Same instant and history: any fixed order keeps re-runs identical. */
    c = strcmp(a->from_status ? a->from_status : "", b->from_status ? b->from_status : "");
    return c ? c : strcmp(a->to_status ? a->to_status : "", b->to_status ? b->to_status : "");
}

static void add_interval(cw_flow_result *res, const cw_status_info *status,
                         int64_t from_at, int64_t to_at)
{
    if (res->n_intervals == res->cap) {
        res->cap = res->cap ? res->cap * 2 : 16;
        res->intervals = cw_xrealloc(res->intervals, res->cap * sizeof(cw_flow_interval));
    }
    res->intervals[res->n_intervals].status = status;
    res->intervals[res->n_intervals].from_at = from_at;
    res->intervals[res->n_intervals].to_at = to_at;
    res->n_intervals++;
}

/* Resolve a status seen in the item's history: the item's source category
 * applies only to its current status. */
static const cw_status_info *resolve(cw_status_map *map, const cw_flow_item *item, const char *name)
{
    const char *src = cw_streq_ci(name, item->status) ? item->source_category : NULL;
    return cw_status_map_resolve(map, name, src);
}

static void build_intervals(cw_status_map *map, const cw_flow_item *item,
                            const cw_status_info *current, cw_flow_result *res)
{
    size_t n = item->n_transitions;
    const cw_flow_transition *t = item->transitions;

    if (n == 0) {
        add_interval(res, current, item->created_at, CW_NO_TIME);
        return;
    }
    /* Before the first transition the item sat in its `from` status; an
     * export without from statuses leaves that stretch unknown. */
    if (!cw_str_empty(t[0].from_status))
        add_interval(res, resolve(map, item, t[0].from_status), item->created_at, t[0].at);
    for (size_t i = 0; i < n; i++)
        add_interval(res, resolve(map, item, t[i].to_status), t[i].at,
                     i + 1 < n ? t[i + 1].at : CW_NO_TIME);
}

/* End: where the current done streak began.  Walking forward, a transition
 * into a non-done status breaks the streak and a transition into done after
 * a break (or as the first) starts one; done -> done relabels do neither. */
static void find_start_end(cw_status_map *map, const cw_flow_item *item, cw_flow_result *res)
{
    int64_t streak = CW_NO_TIME;

    for (size_t i = 0; i < item->n_transitions; i++) {
        const cw_status_info *to = resolve(map, item, item->transitions[i].to_status);
        if (!to)
            continue;
        if (to->category == CW_CAT_IN_PROGRESS && res->start_at == CW_NO_TIME)
            res->start_at = item->transitions[i].at;
        if (to->category != CW_CAT_DONE)
            streak = CW_NO_TIME;
        else if (streak == CW_NO_TIME)
            streak = item->transitions[i].at;
    }
    if (res->category != CW_CAT_DONE)
        return;
    if (streak != CW_NO_TIME)
        res->end_at = streak;
    else if (item->resolved_at != CW_NO_TIME)
        res->end_at = item->resolved_at;
    else
        res->end_at = item->created_at;
    res->ended_before_start = res->start_at != CW_NO_TIME && res->end_at < res->start_at;
    res->ended_before_created = res->end_at < item->created_at;
}

/* Active time: the part of [start, end) spent in in_progress, non-waiting
 * intervals. */
static int64_t active_time(const cw_flow_result *res)
{
    int64_t total = 0;
    for (size_t i = 0; i < res->n_intervals; i++) {
        const cw_flow_interval *iv = &res->intervals[i];
        int64_t from, to;
        if (!iv->status || iv->status->category != CW_CAT_IN_PROGRESS || iv->status->waiting)
            continue;
        from = iv->from_at > res->start_at ? iv->from_at : res->start_at;
        to = (iv->to_at == CW_NO_TIME || iv->to_at > res->end_at) ? res->end_at : iv->to_at;
        if (to > from)
            total += to - from;
    }
    return total;
}

int cw_flow_compute(cw_status_map *map, cw_flow_item *item, cw_flow_result *res)
{
    const cw_status_info *current;

    res->n_intervals = 0;
    res->start_at = res->end_at = res->active_s = CW_NO_TIME;
    res->ended_before_start = res->ended_before_created = 0;
    current = cw_status_map_resolve(map, item->status, item->source_category);
    if (!current)
        return -1;
    res->category = current->category;
    if (item->n_transitions > 1)
        qsort(item->transitions, item->n_transitions, sizeof(cw_flow_transition),
              compare_transition);
    build_intervals(map, item, current, res);
    find_start_end(map, item, res);
    if (res->start_at != CW_NO_TIME && res->end_at != CW_NO_TIME && !res->ended_before_start)
        res->active_s = active_time(res);
    return 0;
}

void cw_flow_result_free(cw_flow_result *res)
{
    free(res->intervals);
    res->intervals = NULL;
    res->n_intervals = res->cap = 0;
}

int64_t cw_flow_production_at(const int64_t *first_deployed, size_t n)
{
    int64_t latest = CW_NO_TIME;
    for (size_t i = 0; i < n; i++) {
        if (first_deployed[i] == CW_NO_TIME)
            return CW_NO_TIME;
        if (latest == CW_NO_TIME || first_deployed[i] > latest)
            latest = first_deployed[i];
    }
    return latest;
}
