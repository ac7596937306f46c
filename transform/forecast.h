/*
 * forecast.h - release forecasts by Monte Carlo over a team's daily
 * throughput (metrics.md "Forecast", "Forecast details").  A pure rule: no
 * I/O; transform/forecasts.c reads the warehouse, calls it and writes
 * derived_forecast and forecast_history.
 *
 * Days.  Every instant here is a UTC day start (seconds).  first_day is the
 * day holding the run's reference instant (as_of = cw_now(), floored to its
 * UTC day); the history is the caller's: the owning team's done items per
 * UTC day over the history_days complete days before first_day (zero days
 * included), oldest first.  Simulated day k (k = 0, 1, ...) is first_day +
 * k days: today's remaining work is still to do today.
 *
 * One trial of a release: starting with remaining items, sample one history
 * day (uniformly, with replacement) per simulated day and subtract its count
 * until remaining reaches 0 or less; the trial's date is the last sampled
 * day.  remaining 0: no day is sampled and the date is first_day (ready
 * now).  A trial still unfinished after CW_FORECAST_MAX_DAYS simulated days
 * stops there (its date is the last of them: "not within ten years").
 *
 * Percentiles of the trial dates are nearest-rank as metrics.md
 * "Conventions" defines pXX: sorted ascending, the value at 1-based rank
 * ceil(XX/100 * trials); P50 too (a date, never the mean of two).
 *
 * Items by the planned date at 85 %: per trial, the items its sampled days
 * on or before the planned day complete, capped at remaining (0 when the
 * planned day is before first_day); of those counts sorted ascending, the
 * value at 1-based rank trials - ceil(0.85 * trials) + 1.  At least 85 % of
 * the trials (ranks from there up) deliver that many or more, and it is the
 * largest such number.  -1 without a planned date or a forecast.  It
 * counts the release's own work only: a dependency delays the release, not
 * the items.
 *
 * Dependencies.  A trial's date for a release is the later of its own date
 * and the same trial's dates (so computed) of its direct dependencies, which
 * makes it the maximum over everything it depends on, transitively.  Trial
 * t of every release is the t-th trial of that release's own stream.
 * Waiting on a release means waiting for it to go out: a dependency with a
 * planned date counts as no earlier than its planned day (the mainframe's
 * 6-monthly release ships on its calendar date even when its last item is
 * done sooner; metrics.md leaves this open).  A release's own P50/P85/P95
 * stay completion dates (metrics.md "Forecast"); only what it passes on to
 * the releases waiting on it is so bounded.
 *
 * The PRNG.  xoshiro256** 1.0 (Blackman and Vigna), its 256-bit state
 * filled by four successive outputs of splitmix64 seeded with
 * seed XOR FNV-1a-64(release natural key) (the key's bytes; FNV offset
 * 0xcbf29ce484222325, prime 0x100000001b3).  One stream per release, so
 * adding or removing a release never moves another's dates (unless it is a
 * dependency of it).  A day is drawn by cw_rng_below(n_history): the
 * unbiased rejection method (draws below 2^64 mod n are redrawn, then the
 * draw mod n).  The trials of one release run in order 0 .. trials-1 on its
 * stream.
 *
 * No forecast (has_forecast 0, never a date):
 *   CW_FC_NO_TEAM     the release's project maps to no application/team;
 *   CW_FC_NO_HISTORY  the team completed nothing in the history window;
 *   CW_FC_CYCLE       the release is on a dependency cycle (a configuration
 *                     error: cw_forecast_run reports each cycle once, found
 *                     by core/cycle.h, and forecasts the rest);
 *   CW_FC_DEPENDENCY  a release it depends on has no forecast (`blocker`,
 *                     its direct dependency on the way to that release).
 *
 * Critical dependency (at P85).  The tail trials of a release are those
 * whose date is on or after its P85 date.  Each trial's driver is the
 * release's own work when its own date equals the trial's date, else the
 * first direct dependency (in the order given) whose trial date (bounded
 * by its planned day, as above) equals it.
 * The critical dependency is the direct dependency that drives the most
 * tail trials, provided it drives more of them than the release's own work
 * does (own work wins a tie; between dependencies the first in order wins
 * a tie); else there is none (-1).
 *
 * At risk (metrics.md): with a planned date, when its P85 is after the
 * planned day, or when any release it depends on (transitively) has a P85
 * after this release's planned day.  late_dependency is the latest of
 * those (by P85, then the first found in depth-first order), -1 when none.
 * A release with no forecast can still be at risk through a dependency.
 * Without a planned date a release is never at risk.
 */
#ifndef CW_FORECAST_H
#define CW_FORECAST_H

#include <stddef.h>
#include <stdint.h>
#include "../core/config.h"

/* CW_FORECAST_SEED, _TRIALS, _HISTORY_DAYS: the [forecast] defaults */
#define CW_FORECAST_MAX_DAYS 3660
#define CW_DAY_S 86400

/* ------------------------------------------------------------ the PRNG */

typedef struct cw_rng {
    uint64_t s[4];
} cw_rng;

/* splitmix64: advance *state by the golden gamma and return the mix. */
uint64_t cw_splitmix64(uint64_t *state);
/* xoshiro256** state from splitmix64(seed) x 4. */
void cw_rng_seed(cw_rng *rng, uint64_t seed);
uint64_t cw_rng_next(cw_rng *rng);
/* Uniform in [0, n), n >= 1, without modulo bias. */
uint64_t cw_rng_below(cw_rng *rng, uint64_t n);
uint64_t cw_fnv1a64(const char *s);
/* The seed of a release's stream: seed XOR FNV-1a-64(key). */
uint64_t cw_forecast_stream_seed(uint64_t seed, const char *key);

/* ------------------------------------------------------------ the rule */

typedef struct cw_fc_release {
    const char *key;            /* natural key, "PROJECT NAME" */
    int has_team;               /* an owning team */
    const long *history;        /* done items per day, oldest first */
    size_t n_history;
    long remaining;             /* >= 0 */
    int64_t planned_day;        /* day start of the planned date; CW_FC_NONE: none */
    const size_t *deps;         /* direct dependencies (indices), in tie-break order */
    size_t n_deps;
} cw_fc_release;

#define CW_FC_NONE INT64_MIN

typedef struct cw_fc_params {
    uint64_t seed;
    long trials;                /* >= 1 */
    int64_t first_day;          /* UTC day start holding as_of */
} cw_fc_params;

typedef enum cw_fc_status {
    CW_FC_OK, CW_FC_NO_TEAM, CW_FC_NO_HISTORY, CW_FC_CYCLE, CW_FC_DEPENDENCY
} cw_fc_status;

typedef struct cw_fc_result {
    cw_fc_status status;
    int has_forecast;           /* status == CW_FC_OK */
    int64_t p50, p85, p95;      /* day starts; CW_FC_NONE without a forecast */
    long items_by_planned_85;   /* -1: unknown */
    int at_risk;
    long critical;              /* direct dependency driving P85, or -1 */
    long late_dependency;       /* the latest dependency with P85 after the planned day, or -1 */
    long blocker;               /* CW_FC_DEPENDENCY: the direct dependency without one */
    size_t *cycle;              /* CW_FC_CYCLE: the cycle (indices), owned */
    size_t cycle_len;
} cw_fc_result;

/* Forecast every release; out has n entries (free with cw_fc_results_free).
 * Returns how many dependency cycles were found (0: none). */
size_t cw_forecast_run(const cw_fc_release *rels, size_t n, const cw_fc_params *p,
                       cw_fc_result *out);
void cw_fc_results_free(cw_fc_result *out, size_t n);

/* "no owning team", "no completed item in the history window", ... */
const char *cw_fc_status_text(cw_fc_status status);

#endif
