/*
 * forecast.c - the Monte Carlo release forecast (see forecast.h for the
 * rule): own trials per release on its own stream, then the dependencies'
 * maximum per trial in dependency order, then percentiles, the critical
 * dependency and the at-risk test.
 */
#include "forecast.h"
#include "../core/cycle.h"
#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ the PRNG */

uint64_t cw_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void cw_rng_seed(cw_rng *rng, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        rng->s[i] = cw_splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t cw_rng_next(cw_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint64_t cw_rng_below(cw_rng *rng, uint64_t n)
{
    /* 2^64 mod n: the draws below it are the surplus that would bias the
     * low residues, so they are drawn again. */
    uint64_t threshold = (0 - n) % n, x;
    do
        x = cw_rng_next(rng);
    while (x < threshold);
    return x % n;
}

uint64_t cw_fnv1a64(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 0x100000001b3ULL;
    }
    return h;
}

uint64_t cw_forecast_stream_seed(uint64_t seed, const char *key)
{
    return seed ^ cw_fnv1a64(key ? key : "");
}

const char *cw_fc_status_text(cw_fc_status status)
{
    switch (status) {
    case CW_FC_OK: return "forecast";
    case CW_FC_NO_TEAM: return "no owning team (its project maps to no application)";
    case CW_FC_NO_HISTORY: return "no throughput history (the team completed nothing in the "
                                  "history window)";
    case CW_FC_CYCLE: return "on a dependency cycle";
    case CW_FC_DEPENDENCY: return "depends on a release with no forecast";
    }
    return "?";
}

/* ------------------------------------------------------------ own trials */

typedef struct run {
    const cw_fc_release *rels;
    size_t n;
    const cw_fc_params *p;
    cw_fc_result *out;
    int64_t **own, **date;      /* per release, per trial: own and combined dates */
    long **by_planned;          /* per release, per trial: items done by the planned day */
    unsigned char *resolved;
    size_t *waiting;            /* releases still to compute that depend on it directly */
} run;

static int has_throughput(const cw_fc_release *r)
{
    for (size_t d = 0; d < r->n_history; d++)
        if (r->history[d] > 0)
            return 1;
    return 0;
}

/* One trial: its date, and the items done on or before the planned day. */
static int64_t one_trial(const cw_fc_release *r, int64_t first_day, cw_rng *rng, long *by_planned)
{
    long left = r->remaining, done_by = 0;
    long k = 0;
    while (left > 0 && k < CW_FORECAST_MAX_DAYS) {
        long x = r->history[cw_rng_below(rng, r->n_history)];
        left -= x;
        if (r->planned_day != CW_FC_NONE && first_day + (int64_t)k * CW_DAY_S <= r->planned_day)
            done_by += x;
        k++;
    }
    *by_planned = done_by < r->remaining ? done_by : r->remaining;
    return first_day + (int64_t)(k > 0 ? k - 1 : 0) * CW_DAY_S;
}

static void own_trials(run *s, size_t i)
{
    const cw_fc_release *r = &s->rels[i];
    cw_rng rng;
    long trials = s->p->trials;
    s->own[i] = cw_xcalloc((size_t)trials, sizeof(int64_t));
    s->date[i] = cw_xcalloc((size_t)trials, sizeof(int64_t));
    s->by_planned[i] = cw_xcalloc((size_t)trials, sizeof(long));
    cw_rng_seed(&rng, cw_forecast_stream_seed(s->p->seed, r->key));
    for (long t = 0; t < trials; t++)
        s->own[i][t] = s->date[i][t] = one_trial(r, s->p->first_day, &rng, &s->by_planned[i][t]);
}

/* ------------------------------------------------------------ percentiles */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

/* 1-based nearest rank ceil(q/100 * n), as metrics.md "Conventions". */
static size_t rank_of(int q, size_t n)
{
    size_t r = ((size_t)q * n + 99) / 100;
    return r ? r : 1;
}

static void percentiles(run *s, size_t i)
{
    size_t n = (size_t)s->p->trials;
    int64_t *sorted = cw_xcalloc(n, sizeof(*sorted));
    long *counts;
    cw_fc_result *o = &s->out[i];
    memcpy(sorted, s->date[i], n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), cmp_i64);
    o->p50 = sorted[rank_of(50, n) - 1];
    o->p85 = sorted[rank_of(85, n) - 1];
    o->p95 = sorted[rank_of(95, n) - 1];
    free(sorted);
    if (s->rels[i].planned_day == CW_FC_NONE)
        return;
    counts = cw_xcalloc(n, sizeof(*counts));
    memcpy(counts, s->by_planned[i], n * sizeof(*counts));
    qsort(counts, n, sizeof(*counts), cmp_long);
    o->items_by_planned_85 = counts[n - rank_of(85, n)];     /* rank n - ceil(.85 n) + 1 */
    free(counts);
}

/* ------------------------------------------------------------ dependencies */

/* What dependency d passes on in trial t: its date, not before its
 * planned day (forecast.h). */
static int64_t passed_on(const run *s, size_t d, long t)
{
    int64_t planned = s->rels[d].planned_day;
    return s->date[d][t] > planned ? s->date[d][t] : planned;
}

/* The trial dates with the dependencies' folded in, and the critical one. */
static void combine(run *s, size_t i)
{
    const cw_fc_release *r = &s->rels[i];
    long trials = s->p->trials, own_drives = 0, best = -1, best_n = 0;
    long *drives = r->n_deps ? cw_xcalloc(r->n_deps, sizeof(long)) : NULL;
    for (size_t k = 0; k < r->n_deps; k++)
        for (long t = 0; t < trials; t++)
            if (passed_on(s, r->deps[k], t) > s->date[i][t])
                s->date[i][t] = passed_on(s, r->deps[k], t);
    percentiles(s, i);
    for (long t = 0; t < trials && r->n_deps; t++) {
        if (s->date[i][t] < s->out[i].p85)
            continue;
        if (s->own[i][t] == s->date[i][t]) {
            own_drives++;
            continue;
        }
        for (size_t k = 0; k < r->n_deps; k++)
            if (passed_on(s, r->deps[k], t) == s->date[i][t]) {
                drives[k]++;
                break;
            }
    }
    for (size_t k = 0; k < r->n_deps; k++)
        if (drives[k] > best_n) {
            best_n = drives[k];
            best = (long)k;
        }
    if (best >= 0 && best_n > own_drives)
        s->out[i].critical = (long)r->deps[best];
    free(drives);
}

/* Memory stays O(trials x releases waited on): a release's own trials and
 * counts go once it is computed, its dates once the last release waiting
 * on it is. */
static void release_trials(run *s, size_t i)
{
    free(s->own[i]);
    free(s->by_planned[i]);
    s->own[i] = NULL;
    s->by_planned[i] = NULL;
    for (size_t k = 0; k < s->rels[i].n_deps; k++) {
        size_t d = s->rels[i].deps[k];
        if (s->waiting[d] > 0 && --s->waiting[d] == 0) {
            free(s->date[d]);
            s->date[d] = NULL;
        }
    }
    if (s->waiting[i] == 0) {
        free(s->date[i]);
        s->date[i] = NULL;
    }
}

/* The status a release gets from its dependencies: the first direct one
 * without a forecast blocks it. */
static void forecast_one(run *s, size_t i)
{
    const cw_fc_release *r = &s->rels[i];
    cw_fc_result *o = &s->out[i];
    for (size_t k = 0; k < r->n_deps && o->status == CW_FC_OK; k++)
        if (!s->out[r->deps[k]].has_forecast) {
            o->status = CW_FC_DEPENDENCY;
            o->blocker = (long)r->deps[k];
        }
    if (o->status == CW_FC_OK && !r->has_team)
        o->status = CW_FC_NO_TEAM;
    else if (o->status == CW_FC_OK && !has_throughput(r))
        o->status = CW_FC_NO_HISTORY;
    if (o->status == CW_FC_OK) {
        o->has_forecast = 1;
        own_trials(s, i);
        combine(s, i);
    }
    release_trials(s, i);
}

/* At risk: its own P85, or any dependency's (transitively), after its
 * planned day.  A depth-first walk over the dependencies with a visited
 * mark (the graph may share releases). */
static void risk(run *s, size_t i, unsigned char *seen, size_t *stack)
{
    const cw_fc_release *r = &s->rels[i];
    cw_fc_result *o = &s->out[i];
    size_t depth = 0;
    if (r->planned_day == CW_FC_NONE || o->status == CW_FC_CYCLE)
        return;
    if (o->has_forecast && o->p85 > r->planned_day)
        o->at_risk = 1;
    memset(seen, 0, s->n);
    seen[i] = 1;
    stack[depth++] = i;
    while (depth > 0) {
        size_t v = stack[--depth];
        for (size_t k = 0; k < s->rels[v].n_deps; k++) {
            size_t d = s->rels[v].deps[k];
            const cw_fc_result *od = &s->out[d];
            if (seen[d])
                continue;
            seen[d] = 1;
            stack[depth++] = d;
            if (od->has_forecast && od->p85 > r->planned_day &&
                (o->late_dependency < 0 || od->p85 > s->out[o->late_dependency].p85))
                o->late_dependency = (long)d;
        }
    }
    if (o->late_dependency >= 0)
        o->at_risk = 1;
}

/* ------------------------------------------------------------ cycles */

/* Mark every cycle's releases, one cycle at a time: a release marked drops
 * out of the graph, so the next search finds another cycle or none. */
static size_t mark_cycles(run *s)
{
    size_t n = s->n, found = 0, *cycle, len;
    const size_t **adj = cw_xcalloc(n ? n : 1, sizeof(*adj));
    size_t *n_adj = cw_xcalloc(n ? n : 1, sizeof(*n_adj));
    for (;;) {
        for (size_t i = 0; i < n; i++) {
            int out = s->out[i].status == CW_FC_CYCLE;
            adj[i] = s->rels[i].deps;
            n_adj[i] = out ? 0 : s->rels[i].n_deps;
        }
        if (!cw_cycle_find(n, adj, n_adj, &cycle, &len))
            break;
        found++;
        for (size_t k = 0; k < len; k++) {
            cw_fc_result *o = &s->out[cycle[k]];
            o->status = CW_FC_CYCLE;
            o->cycle = cw_xcalloc(len, sizeof(size_t));
            /* each member's copy starts at itself */
            for (size_t j = 0; j < len; j++)
                o->cycle[j] = cycle[(k + j) % len];
            o->cycle_len = len;
            s->resolved[cycle[k]] = 1;
        }
        free(cycle);
    }
    free(adj);
    free(n_adj);
    return found;
}

/* ------------------------------------------------------------ the driver */

static int deps_resolved(const run *s, size_t i)
{
    for (size_t k = 0; k < s->rels[i].n_deps; k++)
        if (!s->resolved[s->rels[i].deps[k]])
            return 0;
    return 1;
}

size_t cw_forecast_run(const cw_fc_release *rels, size_t n, const cw_fc_params *p,
                       cw_fc_result *out)
{
    run s = { rels, n, p, out, NULL, NULL, NULL, NULL, NULL };
    size_t cycles, left = n, *stack;
    unsigned char *seen;
    if (n == 0)
        return 0;
    s.own = cw_xcalloc(n, sizeof(*s.own));
    s.date = cw_xcalloc(n, sizeof(*s.date));
    s.by_planned = cw_xcalloc(n, sizeof(*s.by_planned));
    s.resolved = cw_xcalloc(n, 1);
    s.waiting = cw_xcalloc(n, sizeof(*s.waiting));
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < rels[i].n_deps; k++)
            s.waiting[rels[i].deps[k]]++;
    for (size_t i = 0; i < n; i++)
        out[i] = (cw_fc_result){ CW_FC_OK, 0, CW_FC_NONE, CW_FC_NONE, CW_FC_NONE, -1, 0, -1, -1,
                                 -1, NULL, 0 };
    cycles = mark_cycles(&s);
    for (size_t i = 0; i < n; i++)
        left -= s.resolved[i];
    /* Off the cycles the graph is acyclic: each pass resolves at least the
     * releases whose dependencies are all resolved. */
    while (left > 0) {
        for (size_t i = 0; i < n; i++) {
            if (s.resolved[i] || !deps_resolved(&s, i))
                continue;
            forecast_one(&s, i);
            s.resolved[i] = 1;
            left--;
        }
    }
    seen = cw_xcalloc(n, 1);
    stack = cw_xcalloc(n, sizeof(*stack));
    for (size_t i = 0; i < n; i++)
        risk(&s, i, seen, stack);
    free(seen);
    free(stack);
    for (size_t i = 0; i < n; i++) {
        free(s.own[i]);
        free(s.date[i]);
        free(s.by_planned[i]);
    }
    free(s.own);
    free(s.date);
    free(s.by_planned);
    free(s.resolved);
    free(s.waiting);
    return cycles;
}

void cw_fc_results_free(cw_fc_result *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(out[i].cycle);
        out[i].cycle = NULL;
    }
}
