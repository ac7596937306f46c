/*
 * forecasts.c - the forecast step (see forecasts.h): reads the open
 * releases, their items, the teams' daily throughput and the blocks links
 * once each, joins them in memory, runs the rule of forecast.h and writes
 * the rows.
 */
#include "forecasts.h"
#include "forecast.h"
#include "releases.h"
#include "../core/log.h"
#include "../core/sqlset.h"
#include "../core/strmap.h"
#include "../core/time.h"
#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

#define SQL_FILE "transform/sql/forecast_derive.sql"

typedef struct orel {
    int64_t release_id;
    char *key;                  /* "PROJECT NAME" */
    int64_t planned_day;        /* CW_FC_NONE: none */
    int has_team;
    int64_t team_id;
    long remaining;
    size_t *deps;
    size_t n_deps;
} orel;

typedef struct team {
    int64_t team_id;
    long *days;                 /* history_days counts, oldest first */
} team;

/* An item carrying an open release now. */
typedef struct carry {
    int64_t work_item_id;
    size_t rel;
} carry;

typedef struct step {
    cw_db *db;
    cw_sqlset *sql;
    const cw_config *cfg;
    int64_t as_of, first_day, history_from;
    int history_days;
    orel *rels;     size_t n_rels;
    cw_strmap *open;            /* key -> rels index (after sorting) */
    cw_strmap *shipped;         /* key -> 1 when released */
    cw_strmap *known;           /* every release key */
    team *teams;    size_t n_teams;
    carry *carries; size_t n_carries;
} step;

#define GROW(arr, n) ((arr) = cw_xrealloc((arr), ((n) + 1) * sizeof(*(arr))))

/* ------------------------------------------------------------------ reading */

typedef int (*row_fn)(step *s, cw_stmt *st);

/* Run the named statement (?1, ?2 bound when given) and hand each row to
 * fn.  0, or -1 (logged). */
static int each_row(step *s, const char *name, const int64_t *binds, int n_binds, row_fn fn)
{
    const char *sql = cw_sqlset_get(s->sql, name);
    cw_stmt *st = NULL;
    int rc;
    if (!sql) {
        cw_error("%s: no statement named %s", SQL_FILE, name);
        return -1;
    }
    if (cw_db_prepare(s->db, sql, &st) != CW_DB_OK) {
        cw_error("forecast: %s: %s", name, cw_db_errmsg(s->db));
        return -1;
    }
    for (int i = 0; i < n_binds; i++)
        cw_db_bind_int(st, i + 1, binds[i]);
    while ((rc = cw_db_step(st)) == CW_DB_ROW)
        if (fn && fn(s, st) != 0)
            break;
    if (rc < 0)
        cw_error("forecast: %s: %s", name, cw_db_errmsg(s->db));
    cw_db_finalize(st);
    return rc == CW_DB_DONE ? 0 : -1;
}

static char *release_key(const char *project, const char *name, size_t len)
{
    return cw_asprintf("%s %.*s", project ? project : "", (int)len, name ? name : "");
}

static int read_open(step *s, cw_stmt *st)
{
    orel *r;
    const char *name = cw_db_column_text(st, 2);
    GROW(s->rels, s->n_rels);
    r = &s->rels[s->n_rels++];
    memset(r, 0, sizeof(*r));
    r->release_id = cw_db_column_int(st, 0);
    r->key = release_key(cw_db_column_text(st, 1), name, name ? strlen(name) : 0);
    r->planned_day = cw_db_column_type(st, 3) == CW_DB_NULL
                         ? CW_FC_NONE
                         : cw_period_start(cw_db_column_int(st, 3), CW_PERIOD_DAY);
    r->has_team = cw_db_column_type(st, 4) != CW_DB_NULL;
    r->team_id = r->has_team ? cw_db_column_int(st, 4) : 0;
    return 0;
}

static int read_release(step *s, cw_stmt *st)
{
    const char *name = cw_db_column_text(st, 1);
    char *key = release_key(cw_db_column_text(st, 0), name, name ? strlen(name) : 0);
    cw_strmap_put(s->known, key, 1);
    if (cw_db_column_int(st, 2))
        cw_strmap_put(s->shipped, key, 1);
    free(key);
    return 0;
}

static int read_item(step *s, cw_stmt *st)
{
    const char *project = cw_db_column_text(st, 1), *p = cw_db_column_text(st, 2), *name;
    int done = cw_db_column_int(st, 3) != 0;
    size_t len;
    while (cw_fix_version_next(&p, &name, &len)) {
        char *key = release_key(project, name, len);
        int64_t r;
        if (len && cw_strmap_get(s->open, key, &r)) {
            GROW(s->carries, s->n_carries);
            s->carries[s->n_carries++] = (carry){ cw_db_column_int(st, 0), (size_t)r };
            if (!done)
                s->rels[r].remaining++;
        }
        free(key);
    }
    return 0;
}

static team *team_of(step *s, int64_t team_id)
{
    for (size_t i = 0; i < s->n_teams; i++)
        if (s->teams[i].team_id == team_id)
            return &s->teams[i];
    GROW(s->teams, s->n_teams);
    s->teams[s->n_teams] = (team){ team_id, cw_xcalloc((size_t)s->history_days, sizeof(long)) };
    return &s->teams[s->n_teams++];
}

static int read_team_day(step *s, cw_stmt *st)
{
    team *t = team_of(s, cw_db_column_int(st, 0));
    int64_t day = cw_db_column_int(st, 1) - s->history_from / CW_DAY_S;
    if (day >= 0 && day < s->history_days)
        t->days[day] += (long)cw_db_column_int(st, 2);
    return 0;
}

/* ------------------------------------------------------------------ dependencies */

static void add_dep(orel *r, size_t dep)
{
    for (size_t k = 0; k < r->n_deps; k++)
        if (r->deps[k] == dep)
            return;
    GROW(r->deps, r->n_deps);
    r->deps[r->n_deps++] = dep;
}

/* The carries are ordered by item: the run of one item's releases. */
static size_t carries_of(const step *s, int64_t item, size_t *n)
{
    size_t lo = 0, hi = s->n_carries;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->carries[mid].work_item_id < item)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (*n = 0; lo + *n < s->n_carries && s->carries[lo + *n].work_item_id == item; (*n)++)
        ;
    return lo;
}

/* Blocked item's releases depend on the blocker's other releases. */
static int read_block(step *s, cw_stmt *st)
{
    size_t nb, nd;
    size_t b = carries_of(s, cw_db_column_int(st, 0), &nb);
    size_t d = carries_of(s, cw_db_column_int(st, 1), &nd);
    for (size_t i = 0; i < nd; i++)
        for (size_t j = 0; j < nb; j++)
            if (s->carries[d + i].rel != s->carries[b + j].rel)
                add_dep(&s->rels[s->carries[d + i].rel], s->carries[b + j].rel);
    return 0;
}

/* The open release a configured key names, or SIZE_MAX (met, or unknown:
 * logged). */
static size_t configured(const step *s, const char *key, const char *what)
{
    int64_t r;
    if (cw_strmap_get(s->open, key, &r))
        return (size_t)r;
    if (!cw_strmap_get(s->known, key, &r))
        cw_warn("forecast: %s: [release] %s names no release in the warehouse (ignored)",
                s->cfg->path, what);
    return SIZE_MAX;
}

static void configured_deps(step *s)
{
    for (size_t i = 0; s->cfg && i < s->cfg->n_releases; i++) {
        const cw_release_rule *rule = &s->cfg->releases[i];
        size_t r = configured(s, rule->key, rule->key);
        for (size_t k = 0; k < rule->depends_on.n; k++) {
            size_t d = configured(s, rule->depends_on.items[k], rule->depends_on.items[k]);
            if (r != SIZE_MAX && d != SIZE_MAX)
                add_dep(&s->rels[r], d);
        }
    }
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_rel(const void *a, const void *b)
{
    return strcmp(((const orel *)a)->key, ((const orel *)b)->key);
}

static int cmp_carry(const void *a, const void *b)
{
    const carry *x = a, *y = b;
    if (x->work_item_id != y->work_item_id)
        return x->work_item_id < y->work_item_id ? -1 : 1;
    return x->rel < y->rel ? -1 : x->rel > y->rel;
}

/* Releases by natural key (bytewise, the same on every engine), and the
 * key map built after the sort. */
static void index_releases(step *s)
{
    if (s->n_rels > 1)
        qsort(s->rels, s->n_rels, sizeof(*s->rels), cmp_rel);
    for (size_t i = 0; i < s->n_rels; i++)
        cw_strmap_put(s->open, s->rels[i].key, (int64_t)i);
}

/* ------------------------------------------------------------------ writing */

static char *day_text(int64_t t)
{
    char buf[16];
    cw_time_format_date(t, buf, sizeof buf);
    return cw_strdup(buf);
}

static char *cycle_text(const step *s, const cw_fc_result *o)
{
    char *text = cw_strdup(s->rels[o->cycle[0]].key);
    for (size_t k = 1; k <= o->cycle_len; k++) {
        char *longer = cw_asprintf("%s -> %s", text, s->rels[o->cycle[k % o->cycle_len]].key);
        free(text);
        text = longer;
    }
    return text;
}

/* Why no forecast, or why at risk, or NULL. */
static char *reason(const step *s, const cw_fc_result *out, size_t i)
{
    const orel *r = &s->rels[i];
    const cw_fc_result *o = &out[i];
    char *text = NULL, *planned, *p85;
    if (o->status == CW_FC_CYCLE) {
        char *path = cycle_text(s, o);
        text = cw_asprintf("no forecast: dependency cycle %s", path);
        free(path);
        return text;
    }
    if (o->status == CW_FC_DEPENDENCY)
        text = cw_asprintf("no forecast: depends on %s, which has none", s->rels[o->blocker].key);
    else if (o->status != CW_FC_OK)
        text = cw_asprintf("no forecast: %s", cw_fc_status_text(o->status));
    if (!o->at_risk)
        return text;
    planned = day_text(r->planned_day);
    if (o->has_forecast && o->p85 > r->planned_day) {
        long long days = (long long)((o->p85 - r->planned_day) / CW_DAY_S);
        p85 = day_text(o->p85);
        free(text);
        text = cw_asprintf("P85 %s is %lld day%s after the planned %s", p85, days,
                           days == 1 ? "" : "s", planned);
        free(p85);
        if (o->critical >= 0) {
            char *more = cw_asprintf("%s, driven by %s", text, s->rels[o->critical].key);
            free(text);
            text = more;
        }
    }
    if (o->late_dependency >= 0 && o->late_dependency != o->critical) {
        char *more;
        p85 = day_text(out[o->late_dependency].p85);
        more = cw_asprintf("%s%swaits on %s (P85 %s, after the planned %s)", text ? text : "",
                           text ? "; " : "", s->rels[o->late_dependency].key, p85, planned);
        free(text);
        free(p85);
        text = more;
    }
    free(planned);
    return text;
}

/* The release a derived_forecast row names as critical: the critical
 * dependency, else (at risk through a late one) that dependency. */
static cw_db_value critical_of(const step *s, const cw_fc_result *o)
{
    long c = o->critical >= 0 ? o->critical : o->at_risk ? o->late_dependency : -1;
    cw_db_value v = { .type = CW_DB_NULL };
    if (c >= 0) {
        v.type = CW_DB_INT;
        v.i = s->rels[c].release_id;
    }
    return v;
}

static int bind_value(cw_stmt *st, int i, cw_db_value v)
{
    return v.type == CW_DB_INT ? cw_db_bind_int(st, i, v.i) : cw_db_bind_null(st, i);
}

static int write_one(step *s, cw_stmt *ins, cw_stmt *hist, const cw_fc_result *out, size_t i)
{
    const cw_fc_result *o = &out[i];
    char *why = reason(s, out, i);
    int rc = cw_db_bind_int(ins, 1, s->rels[i].release_id) | cw_db_bind_int(ins, 2, s->as_of) |
             cw_db_bind_int(ins, 3, s->rels[i].remaining) | cw_db_bind_int(ins, 4, o->has_forecast) |
             cw_db_bind_time(ins, 5, o->p50) | cw_db_bind_time(ins, 6, o->p85) |
             cw_db_bind_time(ins, 7, o->p95) |
             (o->items_by_planned_85 >= 0 ? cw_db_bind_int(ins, 8, o->items_by_planned_85)
                                          : cw_db_bind_null(ins, 8)) |
             cw_db_bind_int(ins, 9, o->at_risk) | bind_value(ins, 10, critical_of(s, o)) |
             cw_db_bind_str(ins, 11, why);
    free(why);
    if (rc != CW_DB_OK || cw_db_step(ins) != CW_DB_DONE || cw_db_reset(ins) != CW_DB_OK)
        return -1;
    /* the row just written, whole, into forecast_history (forecast_derive.sql) */
    if (cw_db_bind_int(hist, 1, s->rels[i].release_id) != CW_DB_OK ||
        cw_db_step(hist) != CW_DB_DONE || cw_db_reset(hist) != CW_DB_OK)
        return -1;
    return 0;
}

static int write_all(step *s, const cw_fc_result *out)
{
    cw_stmt *ins = NULL, *hist = NULL;
    int rc = 0;
    if (cw_db_prepare(s->db, cw_sqlset_get(s->sql, "insert_forecast"), &ins) != CW_DB_OK ||
        cw_db_prepare(s->db, cw_sqlset_get(s->sql, "upsert_history"), &hist) != CW_DB_OK)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < s->n_rels; i++)
        rc = write_one(s, ins, hist, out, i);
    if (rc != 0)
        cw_error("forecast: writing the forecasts: %s", cw_db_errmsg(s->db));
    cw_db_finalize(ins);
    cw_db_finalize(hist);
    return rc;
}

/* ------------------------------------------------------------------ driver */

/* Each cycle once, by its first member (the members share it). */
static void log_cycles(const step *s, const cw_fc_result *out)
{
    for (size_t i = 0; i < s->n_rels; i++) {
        if (out[i].status != CW_FC_CYCLE || out[i].cycle[0] != i)
            continue;
        size_t least = i;
        for (size_t k = 0; k < out[i].cycle_len; k++)
            if (out[i].cycle[k] < least)
                least = out[i].cycle[k];
        if (least == i) {
            char *path = cycle_text(s, &out[i]);
            cw_warn("forecast: dependency cycle %s: these releases get no forecast (a "
                    "configuration error; Jira blocks links count too)", path);
            free(path);
        }
    }
}

static int forecast_all(step *s)
{
    size_t n = s->n_rels, at_risk = 0;
    cw_fc_release *in = n ? cw_xcalloc(n, sizeof(*in)) : NULL;
    cw_fc_result *out = n ? cw_xcalloc(n, sizeof(*out)) : NULL;
    cw_fc_params p = { s->cfg ? s->cfg->forecast_seed : CW_FORECAST_SEED,
                       s->cfg ? s->cfg->forecast_trials : CW_FORECAST_TRIALS, s->first_day };
    int rc;
    for (size_t i = 0; i < n; i++) {
        orel *r = &s->rels[i];
        team *t = r->has_team ? team_of(s, r->team_id) : NULL;
        if (r->n_deps > 1)
            qsort(r->deps, r->n_deps, sizeof(*r->deps), cmp_size);
        in[i] = (cw_fc_release){ r->key, r->has_team, t ? t->days : NULL,
                                 t ? (size_t)s->history_days : 0, r->remaining, r->planned_day,
                                 r->deps, r->n_deps };
    }
    cw_forecast_run(in, n, &p, out);
    log_cycles(s, out);
    rc = write_all(s, out);
    for (size_t i = 0; i < n; i++)
        at_risk += out[i].at_risk;
    if (rc == 0)
        cw_info("forecast: %zu open releases, %zu at risk", n, at_risk);
    cw_fc_results_free(out, n);
    free(out);
    free(in);
    return rc;
}

static void step_free(step *s)
{
    for (size_t i = 0; i < s->n_rels; i++) {
        free(s->rels[i].key);
        free(s->rels[i].deps);
    }
    for (size_t i = 0; i < s->n_teams; i++)
        free(s->teams[i].days);
    free(s->rels);
    free(s->teams);
    free(s->carries);
    cw_strmap_free(s->open);
    cw_strmap_free(s->shipped);
    cw_strmap_free(s->known);
    cw_sqlset_free(s->sql);
}

int cw_forecasts_derive(cw_db *db, const cw_config *cfg, int64_t as_of)
{
    /* a forecast is made on a day: two runs of one day on the same input
     * write the same rows (nothing changes), whatever the hour */
    as_of = cw_period_start(as_of, CW_PERIOD_DAY);
    step s = { .db = db, .sql = cw_sqlset_new(), .cfg = cfg, .as_of = as_of,
               .open = cw_strmap_new(), .shipped = cw_strmap_new(), .known = cw_strmap_new() };
    int64_t window[2];
    int rc;
    s.history_days = cfg ? cfg->forecast_history_days : CW_FORECAST_HISTORY_DAYS;
    s.first_day = cw_period_start(as_of, CW_PERIOD_DAY);
    s.history_from = s.first_day - (int64_t)s.history_days * CW_DAY_S;
    window[0] = s.history_from;
    window[1] = s.first_day;
    rc = cw_sqlset_load(s.sql, SQL_FILE) != 0 || each_row(&s, "clear", NULL, 0, NULL) ||
         each_row(&s, "open_releases", NULL, 0, read_open) ? -1 : 0;
    if (rc == 0) {
        index_releases(&s);
        rc = each_row(&s, "all_releases", NULL, 0, read_release) ||
             each_row(&s, "carrying_items", NULL, 0, read_item) ||
             each_row(&s, "team_days", window, 2, read_team_day) ? -1 : 0;
    }
    if (rc == 0) {
        if (s.n_carries > 1)
            qsort(s.carries, s.n_carries, sizeof(*s.carries), cmp_carry);
        rc = each_row(&s, "blocks", NULL, 0, read_block);
    }
    if (rc == 0) {
        configured_deps(&s);
        rc = forecast_all(&s);
    }
    step_free(&s);
    return rc;
}
