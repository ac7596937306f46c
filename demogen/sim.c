/*
 * sim.c - the simulation behind `catwalk demo`: one application's
 * deployments, tickets, commit graph and incidents (see internal.h for the
 * order of the steps and why).
 *
 * Invariants the writers and catwalk's metrics rely on:
 *   - nothing exists at or after ctx->end (the export instant), except the
 *     one production run still going then;
 *   - no commit is older than its parents (branch commits are strictly
 *     later; two merges may share a second, as in real repositories), and
 *     the writer lists a parent after its child, as `git log --date-order`;
 *   - deployments are serial: cut and finish times increase together, so
 *     "the first deployment cut after a merge" is the one that ships it;
 *   - a ticket is Done only after a traceable deployment that contains its
 *     last merge, which is what catwalk's idea-to-production measures.
 */
#include "internal.h"
#include "../core/util.h"

#include <stdlib.h>
#include <string.h>

#define HOUR CW_DEMO_HOUR
#define DAY CW_DEMO_DAY
#define WEEK CW_DEMO_WEEK
#define BACKLOG_WEEKS 3          /* tickets created before the simulation starts */

/* Rough UTC offsets, only to keep work inside office hours. */
static const int work_offset_s[CW_DEMO_N_ZONES] = {
    [CW_DEMO_LONDON] = 0, [CW_DEMO_WARSAW] = 3600, [CW_DEMO_KOLKATA] = 19800,
    [CW_DEMO_NEW_YORK] = -18000, [CW_DEMO_UTC] = 0,
};

/* How each cadence deploys: a Poisson count per working day, or a regular
 * interval; how long before production the staging run cuts the revision;
 * how long a pipeline run takes. */
typedef struct cadence_info {
    double per_workday;
    double interval_days;
    double lead_min_h, lead_max_h;
    long run_min_s, run_max_s;
} cadence_info;

static const cadence_info cadences[] = {
    [CW_DEMO_ELITE] = {4.5, 0, 0.2, 1.0, 180, 480},
    [CW_DEMO_DAILY] = {0.75, 0, 1, 5, 300, 1200},
    [CW_DEMO_WEEKLY] = {0, 7, 20, 72, 600, 2400},
    [CW_DEMO_MONTHLY] = {0, 30, 48, 120, 1200, 3600},
    [CW_DEMO_QUARTERLY] = {0, 80, 96, 240, 7200, 14400},
};

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static cw_demo_zone_id team_zone(const cw_demo_history *h)
{
    return h->team->zone;
}

static int64_t workday(cw_demo_rng *r, int64_t t, cw_demo_zone_id zone)
{
    int64_t off = work_offset_s[zone], local = t + off;
    int64_t day = cw_demo_floor_div(local, DAY), sec = local - day * DAY;

    if (cw_demo_weekday(day) < 5 && sec >= 8 * HOUR && sec < 18 * HOUR)
        return t;
    if (sec >= 8 * HOUR)
        day++;
    while (cw_demo_weekday(day) >= 5)
        day++;
    return day * DAY + 8 * HOUR + cw_demo_between(r, 0, 100 * 60) - off;
}

/* ---- deployments ------------------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

typedef struct times {
    int64_t *v;
    size_t n, cap;
} times;

static void times_push(times *t, int64_t v)
{
    t->v = cw_grow(t->v, &t->cap, t->n + 1, sizeof(*t->v));
    t->v[t->n++] = v;
}

/* Wanted production start times, sorted. */
static void candidate_times(cw_demo_ctx *ctx, cw_demo_history *h, cw_demo_rng *r, times *out)
{
    const cadence_info *ci = &cadences[h->app->cadence];
    cw_demo_zone_id zone = team_zone(h);
    double scale = ctx->opts->scale;

    if (ci->per_workday > 0) {
        for (int64_t day = cw_demo_floor_div(ctx->sim_start, DAY); day * DAY < ctx->end; day++) {
            long k = cw_demo_weekday(day) < 5 ? cw_demo_poisson(r, ci->per_workday * scale) : 0;
            for (long i = 0; i < k; i++)
                times_push(out, day * DAY - work_offset_s[zone] + 8 * HOUR + 1800 +
                                cw_demo_between(r, 0, 9 * HOUR));
        }
    } else {
        /* The first release falls in the history weeks, so every
         * application has a baseline before the report window. */
        double interval = ci->interval_days * DAY / scale;
        double t = (double)ctx->sim_start + cw_demo_unit(r) * (interval < 2 * WEEK ? interval : 2 * WEEK);
        while (t < (double)ctx->end) {
            times_push(out, workday(r, (int64_t)t, zone) + 2 * HOUR);
            t += interval * (0.8 + 0.4 * cw_demo_unit(r));
        }
    }
    if (out->n > 1)
        qsort(out->v, out->n, sizeof(*out->v), cmp_i64);
}

/* A duration in seconds of a pipeline stage; benchmarks (scale > 1) squeeze
 * runs so that the multiplied deployments still fit in the days. */
static int64_t run_length(cw_demo_rng *r, double squeeze, long lo, long hi)
{
    int64_t s = (int64_t)((double)cw_demo_between(r, lo, hi) * squeeze);
    return s < 30 ? 30 : s;
}

/* Turn a wanted start into a serial deployment after prev (NULL first). */
static cw_demo_deploy make_deploy(cw_demo_ctx *ctx, cw_demo_history *h, cw_demo_rng *r,
                                  int64_t want, const cw_demo_deploy *prev)
{
    const cadence_info *ci = &cadences[h->app->cadence];
    double squeeze = ctx->opts->scale > 1 ? 1.0 / ctx->opts->scale : 1.0;
    double lead_h = ci->lead_min_h + cw_demo_unit(r) * (ci->lead_max_h - ci->lead_min_h);
    cw_demo_deploy d = {0};
    int64_t start = prev ? max64(want, prev->prod_finish + 60) : want;

    d.revision = -1;
    d.cut = max64(start - max64((int64_t)(lead_h * HOUR * squeeze), 120), prev ? prev->cut + 1 : 0);
    d.stage_finish = d.cut + min64(run_length(r, squeeze, ci->run_min_s, ci->run_max_s), (start - d.cut) / 2);
    d.stage_failed = (uint8_t)cw_demo_chance(r, 0.04);
    if (cw_demo_chance(r, h->app->deploy_fail_p)) {
        d.fail_result = cw_demo_chance(r, 0.3) ? 2 : 1;
        d.fail_start = start;
        d.fail_finish = start + run_length(r, squeeze, ci->run_min_s / 3, ci->run_max_s / 2);
        start = d.fail_finish + run_length(r, squeeze, 15 * 60, 60 * 60);
    }
    d.prod_start = start;
    d.prod_finish = start + run_length(r, squeeze, ci->run_min_s, ci->run_max_s);
    d.untraceable = (uint8_t)(prev && cw_demo_chance(r, 0.012));
    return d;
}

/* The application whose production run is still going at the export
 * instant: the Kolkata platform team's early Monday deployment. */
static int has_running_build(const cw_demo_ctx *ctx, const cw_demo_app *app)
{
    for (size_t i = 0; i < ctx->world.n_apps; i++) {
        const cw_demo_app *a = &ctx->world.apps[i];
        if (ctx->world.teams[a->team].zone == CW_DEMO_KOLKATA && a->cadence == CW_DEMO_DAILY)
            return a == app;
    }
    return 0;
}

static void push_deploy(cw_demo_history *h, const cw_demo_deploy *d)
{
    h->deploys = cw_grow(h->deploys, &h->cap_deploys, h->n_deploys + 1, sizeof(*h->deploys));
    h->deploys[h->n_deploys++] = *d;
}

static void add_running_deploy(cw_demo_ctx *ctx, cw_demo_history *h, cw_demo_rng *r)
{
    const cw_demo_deploy *prev = h->n_deploys ? &h->deploys[h->n_deploys - 1] : NULL;
    cw_demo_deploy d = {0};

    d.revision = -1;
    d.running = 1;
    d.prod_start = ctx->end - cw_demo_between(r, 120, 400);
    d.cut = d.prod_start - cw_demo_between(r, 15, 40) * 60;
    d.stage_finish = d.cut + (d.prod_start - d.cut) / 2;
    if (prev && (d.cut <= prev->cut || d.prod_start <= prev->prod_finish + 60))
        return;
    push_deploy(h, &d);
}

static void schedule_deploys(cw_demo_ctx *ctx, cw_demo_history *h, cw_demo_rng *r)
{
    times want = {0};

    candidate_times(ctx, h, r, &want);
    for (size_t i = 0; i < want.n; i++) {
        const cw_demo_deploy *prev = h->n_deploys ? &h->deploys[h->n_deploys - 1] : NULL;
        cw_demo_deploy d = make_deploy(ctx, h, r, want.v[i], prev);
        if (d.prod_finish >= ctx->end)
            break;
        push_deploy(h, &d);
    }
    free(want.v);
    if (has_running_build(ctx, h->app))
        add_running_deploy(ctx, h, r);
}

/* The first deployment cut after `merge` that catwalk can trace, or NULL. */
static const cw_demo_deploy *shipping_deploy(const cw_demo_history *h, int64_t merge)
{
    size_t lo = 0, hi = h->n_deploys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->deploys[mid].cut > merge)
            hi = mid;
        else
            lo = mid + 1;
    }
    for (; lo < h->n_deploys; lo++)
        if (!h->deploys[lo].untraceable && !h->deploys[lo].running)
            return &h->deploys[lo];
    return NULL;
}

/* ---- commits and tickets ----------------------------------------------------- */

static int32_t add_commit(cw_demo_history *h, cw_demo_rng *r, cw_demo_commit_kind kind, int64_t at,
                          int32_t ticket, int32_t parent0, int32_t parent1, int ordinal, int author)
{
    cw_demo_commit *c;

    h->commits = cw_grow(h->commits, &h->cap_commits, h->n_commits + 1, sizeof(*h->commits));
    c = &h->commits[h->n_commits];
    c->seed = cw_demo_next(r);
    c->at = at;
    c->parent[0] = parent0;
    c->parent[1] = parent1;
    c->ticket = ticket;
    c->mainline = -1;
    c->kind = (uint8_t)kind;
    c->ordinal = (uint8_t)(ordinal > 255 ? 255 : ordinal);
    c->author = (int8_t)author;
    return (int32_t)h->n_commits++;
}

/* State while one ticket's life is planned. */
typedef struct planner {
    cw_demo_ctx *ctx;
    cw_demo_history *h;
    cw_demo_rng *r;
    cw_demo_zone_id zone;
    int32_t index;
    int stopped;     /* the export instant was reached: nothing later exists */
    unsigned gates;  /* CW_DEMO_GATE_* the application requires */
} planner;

static cw_demo_ticket *ticket_of(planner *p)
{
    return &p->h->tickets[p->index];
}

static int64_t last_step_at(planner *p)
{
    cw_demo_ticket *t = ticket_of(p);
    return t->n_steps ? t->steps[t->n_steps - 1].at : t->created;
}

static void add_step(planner *p, int64_t at, cw_demo_status to)
{
    cw_demo_ticket *t = ticket_of(p);

    at = max64(at, last_step_at(p) + 60);
    if (p->stopped || at >= p->ctx->end || t->n_steps == CW_DEMO_MAX_STEPS) {
        p->stopped = 1;
        return;
    }
    t->steps[t->n_steps].at = at;
    t->steps[t->n_steps].to = to;
    t->n_steps++;
}

static int reviewer_of(planner *p)
{
    int n = (int)p->h->team->n_people;
    int who = ticket_of(p)->assignee;
    return (who + 1 + (int)cw_demo_between(p->r, 0, n - 2)) % n;
}

/* Mean hours between two commits of a branch: teams that deploy often
 * slice work thinner. */
static const double commit_gaps_h[] = {
    [CW_DEMO_ELITE] = 1.5, [CW_DEMO_DAILY] = 5, [CW_DEMO_WEEKLY] = 8, [CW_DEMO_MONTHLY] = 8,
    [CW_DEMO_QUARTERLY] = 10,
};

static size_t push_pull(cw_demo_history *h, const cw_demo_pull *pr)
{
    h->pulls = cw_grow(h->pulls, &h->cap_pulls, h->n_pulls + 1, sizeof(*h->pulls));
    h->pulls[h->n_pulls] = *pr;
    return h->n_pulls++;
}

/* The security review is asked for only once the code review is over (late),
 * and takes days: the reviewers are few and shared by the whole group.
 * Returns the instant it passed, or 0 when the export instant came first. */
static int64_t security_review(planner *p, int64_t approved)
{
    add_step(p, approved, CW_DEMO_SECURITY_REVIEW);
    if (p->stopped)
        return 0;
    return workday(p->r, last_step_at(p) + (int64_t)((cw_demo_exp(p->r, 30) + 2) * HOUR), p->zone);
}

/* Closed unmerged (the change went in with another ticket, or was dropped)
 * and the ticket moved to Done anyway: done, never deployed. */
static void abandon(planner *p, size_t pull, int64_t closed)
{
    if (closed >= p->ctx->end) {
        p->stopped = 1;
        return;
    }
    p->h->pulls[pull].closed = closed;
    ticket_of(p)->flags |= CW_DEMO_T_ABANDONED;
    add_step(p, workday(p->r, closed + (int64_t)(cw_demo_exp(p->r, 4) * HOUR), p->zone), CW_DEMO_DONE);
    p->stopped = 1;
}

/*
 * One round of work on a branch: commits (maybe a spell in Blocked), a pull
 * request (In Review, sometimes a fix commit after review comments, in the
 * first round of a gated application a Security Review), the merge and QA.
 * Returns the merge instant, or 0 when the export instant came first or the
 * pull request was abandoned.
 */
static int64_t work_round(planner *p, int64_t t, int n_commits, int first)
{
    cw_demo_rng *r = p->r;
    int64_t end = p->ctx->end, review, merge;
    int block_at = first && cw_demo_chance(r, 0.12) ? (int)cw_demo_between(r, 0, n_commits - 1) : -1;
    int author = ticket_of(p)->assignee, merger;
    int32_t prev = -1, first_commit = -1;
    double wait, gap_h = commit_gaps_h[p->h->app->cadence];
    cw_demo_pull pr = {0};
    size_t pull;

    for (int k = 0; k < n_commits; k++) {
        t = workday(r, t + max64(600, (int64_t)(cw_demo_exp(r, gap_h) * HOUR)), p->zone);
        if (t >= end) {
            p->stopped = 1;
            return 0;
        }
        prev = add_commit(p->h, r, CW_DEMO_BRANCH, t, p->index, prev, -1, k, author);
        if (first_commit < 0)
            first_commit = prev;
        if (k == block_at) {
            int64_t blocked = t + cw_demo_between(r, 20 * 60, 3 * HOUR);
            add_step(p, blocked, CW_DEMO_BLOCKED);
            t = workday(r, blocked + (int64_t)(cw_demo_exp(r, 36) * HOUR), p->zone);
            add_step(p, t, CW_DEMO_IN_PROGRESS);
            if (p->stopped)
                return 0;
            t = last_step_at(p);
        }
    }
    review = t + cw_demo_between(r, 15, 90) * 60;
    add_step(p, review, CW_DEMO_IN_REVIEW);
    if (p->stopped)
        return 0;
    review = last_step_at(p);
    pr.opened = review;
    pr.merge = -1;
    pr.first = first_commit;
    pr.head = prev;
    pr.ticket = p->index;
    pr.author = (int8_t)author;
    pr.reviewer = (int8_t)(cw_demo_chance(r, 0.04) ? author : reviewer_of(p));
    pull = push_pull(p->h, &pr);
    wait = (cw_demo_exp(r, p->h->app->review_mean_h) + 0.25) * HOUR;
    merge = workday(r, review + (int64_t)wait, p->zone);
    if (cw_demo_chance(r, 0.35)) {
        int64_t fix = review + (int64_t)(wait * (0.3 + 0.4 * cw_demo_unit(r)));
        if (fix < end && fix + 300 < merge) {
            prev = add_commit(p->h, r, CW_DEMO_BRANCH, fix, p->index, prev, -1, n_commits, author);
            p->h->pulls[pull].head = prev;
            p->h->pulls[pull].changes_at = max64(review + 60, fix - cw_demo_between(r, 10, 90) * 60);
        }
    }
    if (first && cw_demo_chance(r, 0.025)) {
        abandon(p, pull, merge);
        return 0;
    }
    p->h->pulls[pull].approved = merge - cw_demo_between(r, 2, 40) * 60;
    if (first && (p->gates & CW_DEMO_GATE_SECURITY) && !cw_demo_chance(r, 0.05))
        merge = security_review(p, merge);
    if (!merge || merge >= end) {
        p->stopped = 1;
        return 0;
    }
    merger = p->h->pulls[pull].reviewer;
    if (merger == author)
        ticket_of(p)->flags |= CW_DEMO_T_SELF_REVIEW;
    p->h->pulls[pull].merge = add_commit(p->h, r, CW_DEMO_MERGE, merge, p->index, -1, prev, 0, merger);
    p->h->pulls[pull].closed = merge;
    add_step(p, merge + cw_demo_between(r, 2, 30) * 60, CW_DEMO_QA);
    return merge;
}

/* Mean hours of testing in QA: a release train leaves more to test. */
static const double qa_hours[] = {
    [CW_DEMO_ELITE] = 1, [CW_DEMO_DAILY] = 3, [CW_DEMO_WEEKLY] = 6, [CW_DEMO_MONTHLY] = 8,
    [CW_DEMO_QUARTERLY] = 16,
};

/* The change advisory board meets on Tuesdays and Thursdays at 14:00: the
 * first meeting at least an hour after t. */
static int64_t cab_meeting(planner *p, int64_t t)
{
    int64_t off = work_offset_s[p->zone];
    int64_t day = cw_demo_floor_div(t + off + HOUR, DAY);
    for (;; day++) {
        int wd = cw_demo_weekday(day);
        int64_t at = day * DAY + 14 * HOUR - off;
        if ((wd == 1 || wd == 3) && at >= t + HOUR)
            return at + cw_demo_between(p->r, 0, 50) * 60;
    }
}

/* The last office instant (a working day, 08:00-18:00 local) at or before t. */
static int64_t office_before(planner *p, int64_t t)
{
    int64_t off = work_offset_s[p->zone], local = t + off;
    int64_t day = cw_demo_floor_div(local, DAY), sec = local - day * DAY;
    if (cw_demo_weekday(day) < 5 && sec >= 8 * HOUR && sec < 18 * HOUR)
        return t;
    if (sec < 8 * HOUR)
        day--;
    while (cw_demo_weekday(day) >= 5)
        day--;
    return day * DAY + 17 * HOUR + cw_demo_between(p->r, 0, 50) * 60 - off;
}

/* After QA the ticket waits in Ready for Release unless the deployment that
 * ships the merge is already under way; Done a few hours after it (on a
 * release train, the release manager closes its tickets the same evening).
 * In the first round of an application with a CAB gate it waits in CAB
 * Approval first, until the meeting before the release is cut. */
static void ship(planner *p, int64_t merge, int first)
{
    const cw_demo_deploy *d = shipping_deploy(p->h, merge);
    int64_t tested = workday(p->r, last_step_at(p) +
                                     (int64_t)(cw_demo_exp(p->r, qa_hours[p->h->app->cadence]) * HOUR), p->zone);
    int64_t ready = tested, done;
    if (!ticket_of(p)->merged_at)
        ticket_of(p)->merged_at = merge;
    ticket_of(p)->shipped_by = -1;
    if (first && (p->gates & CW_DEMO_GATE_CAB) && !cw_demo_chance(p->r, 0.04)) {
        add_step(p, tested, CW_DEMO_CAB);
        ready = cab_meeting(p, last_step_at(p));
        if (d && ready > d->cut - HOUR)      /* an emergency CAB before the release is cut */
            ready = office_before(p, d->cut - cw_demo_between(p->r, 1, 4) * HOUR);
        ready = max64(ready, last_step_at(p) + 600);
    }
    if (!d || d->prod_finish > ready + 1800)
        add_step(p, ready, CW_DEMO_READY);
    if (!d) {
        p->stopped = 1;
        return;
    }
    ticket_of(p)->shipped_by = (int32_t)(d - p->h->deploys);
    done = cw_demo_has_versions(p->h->app)
               ? d->prod_finish + cw_demo_between(p->r, 15, 240) * 60
               : workday(p->r, d->prod_finish + (int64_t)(cw_demo_exp(p->r, 3) * HOUR), p->zone);
    add_step(p, max64(done, ready + 600), CW_DEMO_DONE);
}

static cw_demo_type pick_type(cw_demo_rng *r)
{
    double u = cw_demo_unit(r);
    return u < 0.48 ? CW_DEMO_STORY : u < 0.73 ? CW_DEMO_BUG : u < 0.85 ? CW_DEMO_TASK
         : u < 0.90 ? CW_DEMO_SECURITY : CW_DEMO_TECH_DEBT;
}

static int commits_for(cw_demo_rng *r, cw_demo_type type)
{
    static const int lo[CW_DEMO_N_TYPES] = {2, 1, 1, 1, 2}, hi[CW_DEMO_N_TYPES] = {5, 3, 2, 3, 6};
    return (int)cw_demo_between(r, lo[type], hi[type]);
}

/* Hours a selected ticket waits before someone starts it. */
static double start_wait_h(cw_demo_type type)
{
    return type == CW_DEMO_BUG ? 30 : type == CW_DEMO_SECURITY ? 48 : 100;
}

static void plan_work(planner *p)
{
    cw_demo_ticket *t = ticket_of(p);
    cw_demo_rng *r = p->r;
    int64_t merge;
    int n_commits;

    add_step(p, workday(r, t->created + (int64_t)(cw_demo_exp(r, 30) * HOUR), p->zone),
             CW_DEMO_SELECTED);
    add_step(p, workday(r, last_step_at(p) + (int64_t)(cw_demo_exp(r, start_wait_h(t->type)) * HOUR),
                                p->zone), CW_DEMO_IN_PROGRESS);
    if (p->stopped)
        return;
    if (t->type == CW_DEMO_TASK && cw_demo_chance(r, 0.3)) {   /* no code: a runbook, a meeting */
        add_step(p, workday(r, last_step_at(p) + (int64_t)(cw_demo_exp(r, 20) * HOUR), p->zone),
                 CW_DEMO_DONE);
        return;
    }
    n_commits = commits_for(r, t->type);
    if (p->h->app->cadence == CW_DEMO_ELITE && n_commits > 3)
        n_commits = 3;
    merge = work_round(p, last_step_at(p), n_commits, 1);
    if (!merge)
        return;
    ship(p, merge, 1);
    if (p->stopped || !cw_demo_chance(r, 0.05))
        return;
    /* Reopened: a defect found after release, fixed on a new branch. */
    add_step(p, workday(r, last_step_at(p) + (int64_t)(cw_demo_exp(r, 40) * HOUR), p->zone),
             CW_DEMO_IN_PROGRESS);
    if (p->stopped)
        return;
    merge = work_round(p, last_step_at(p), (int)cw_demo_between(r, 1, 2), 0);
    if (!merge)
        return;
    ship(p, merge, 0);
}

/* ---- epics ------------------------------------------------------------------- */

/*
 * The epics of an application are planned up front (a PI planning before
 * the first ticket): epic k is numbered first + k, just below the tickets,
 * and takes children for EPIC_WEEKS from its start; starts are spread over
 * the simulated time.  The plan is drawn from a stream of its own, so
 * another application (an epic partner) can work out the same keys.
 */
#define EPIC_WEEKS 6

typedef struct epic_plan {
    int app, n;
    uint32_t first;              /* number of epic 0; tickets follow epic n - 1 */
    int64_t t0, step;            /* tickets are created from t0; epic k starts at t0 + k * step */
} epic_plan;

static void plan_epics(const cw_demo_ctx *ctx, int app, epic_plan *e)
{
    cw_demo_rng r = cw_demo_rng_derive(ctx->opts->seed, (uint64_t)app + 1, 2);
    const cw_demo_app *a = &ctx->world.apps[app];
    int64_t span;
    double tickets;

    e->app = app;
    e->t0 = ctx->sim_start - BACKLOG_WEEKS * WEEK;
    span = ctx->end - e->t0;
    tickets = a->tickets_per_week * ctx->opts->scale * (double)span / WEEK;
    e->n = (int)(tickets * 0.6 / 14);
    if (e->n < 3)
        e->n = 3;
    e->first = (uint32_t)cw_demo_between(&r, 100, 2500);
    e->step = max64(DAY, (span - EPIC_WEEKS * WEEK / 2) / e->n);
}

uint64_t cw_demo_epic_seed(const cw_demo_ctx *ctx, int app, uint32_t number)
{
    cw_demo_rng r = cw_demo_rng_derive(ctx->opts->seed, (uint64_t)app + 1, 100000 + (uint64_t)number);
    return cw_demo_next(&r);
}

/* One of the epics taking children at t, or -1. */
static int pick_epic(const epic_plan *e, cw_demo_rng *r, int64_t t)
{
    int64_t hi = (t - e->t0) / e->step, lo = (t - e->t0 - EPIC_WEEKS * WEEK) / e->step + 1;
    if (hi >= e->n)
        hi = e->n - 1;
    if (lo < 0)
        lo = 0;
    return lo > hi ? -1 : (int)cw_demo_between(r, lo, hi);
}

/* Most stories and improvements belong to an epic, bugs less often; some
 * of an epic partner's items belong to the partner's epics. */
static void assign_epic(cw_demo_ctx *ctx, cw_demo_history *h, cw_demo_rng *r, const epic_plan *own,
                        cw_demo_ticket *t)
{
    int partner = cw_demo_epic_partner(&ctx->world, h->index), k;
    epic_plan other;
    const epic_plan *e = own;

    if (!cw_demo_chance(r, t->type == CW_DEMO_BUG ? 0.4 : 0.75))
        return;
    if (partner >= 0 && cw_demo_chance(r, 0.25)) {
        plan_epics(ctx, partner, &other);
        e = &other;
    }
    k = pick_epic(e, r, t->created);
    if (k < 0)
        return;
    t->parent_app = (int16_t)e->app;
    t->parent_number = e->first + (uint32_t)k;
}

static cw_demo_ticket *new_ticket(cw_demo_history *h, cw_demo_rng *r, int64_t created, uint32_t number,
                                  cw_demo_type type)
{
    cw_demo_ticket *t;
    h->tickets = cw_grow(h->tickets, &h->cap_tickets, h->n_tickets + 1, sizeof(*h->tickets));
    t = &h->tickets[h->n_tickets++];
    memset(t, 0, sizeof(*t));
    t->seed = cw_demo_next(r);
    t->created = created;
    t->number = number;
    t->type = (uint8_t)type;
    t->assignee = -1;
    t->shipped_by = -1;
    t->parent_app = -1;
    return t;
}

static int64_t first_step(const cw_demo_ticket *t, cw_demo_status s)
{
    for (int k = 0; k < t->n_steps; k++)
        if (t->steps[k].to == s)
            return t->steps[k].at;
    return 0;
}

/* Append a step at or after `at` (and after the last one), before end. */
static void push_step(cw_demo_ticket *t, int64_t at, cw_demo_status to, int64_t end)
{
    if (t->n_steps)
        at = max64(at, t->steps[t->n_steps - 1].at + 60);
    if (at < end && t->n_steps < CW_DEMO_MAX_STEPS) {
        t->steps[t->n_steps].at = at;
        t->steps[t->n_steps++].to = to;
    }
}

/* A story broken into sub-tasks when it was written: each is started a
 * little after the story and done before its pull request. */
static void add_subtasks(cw_demo_ctx *ctx, cw_demo_history *h, cw_demo_rng *r, int32_t story,
                         uint32_t *number)
{
    long n = cw_demo_between(r, 2, 3);
    for (long i = 0; i < n; i++) {
        const cw_demo_ticket *s = &h->tickets[story];
        int64_t started = first_step(s, CW_DEMO_IN_PROGRESS), review = first_step(s, CW_DEMO_IN_REVIEW);
        int64_t created = s->created + cw_demo_between(r, 60, 600) * (i + 1);
        uint32_t parent = s->number;
        int8_t who = s->assignee;
        cw_demo_ticket *t = new_ticket(h, r, created, (*number)++, CW_DEMO_SUBTASK);
        t->parent_app = (int16_t)h->index;
        t->parent_number = parent;
        t->assignee = who;
        if (!started)
            continue;
        push_step(t, started + cw_demo_between(r, 10, 24 * 60) * 60, CW_DEMO_IN_PROGRESS, ctx->end);
        if (review)
            push_step(t, review - cw_demo_between(r, 5, 90) * 60, CW_DEMO_DONE, ctx->end);
    }
}

/* The epics as tickets: in progress when a child starts, done a little
 * after the last of its children once it takes no more; the theme is an
 * Initiative of the portfolio. */
static void add_epics(cw_demo_ctx *ctx, cw_demo_history *h, const epic_plan *e)
{
    size_t n_children = h->n_tickets;
    for (int k = 0; k < e->n; k++) {
        uint32_t number = e->first + (uint32_t)k;
        uint64_t seed = cw_demo_epic_seed(ctx, h->index, number);
        cw_demo_rng r = { seed };
        int64_t start = e->t0 + k * e->step, first = 0, last = 0;
        int open = 0, children = 0;
        cw_demo_ticket *t;

        for (size_t i = 0; i < n_children; i++) {
            const cw_demo_ticket *c = &h->tickets[i];
            int64_t s;
            if (c->parent_app != h->index || c->parent_number != number || c->type == CW_DEMO_SUBTASK)
                continue;
            children++;
            s = first_step(c, CW_DEMO_IN_PROGRESS);
            if (s && (!first || s < first))
                first = s;
            if (c->n_steps && c->steps[c->n_steps - 1].to == CW_DEMO_DONE)
                last = max64(last, c->steps[c->n_steps - 1].at);
            else
                open = 1;
        }
        t = new_ticket(h, &r, e->t0 - 9 * DAY + k * 1200, number, CW_DEMO_EPIC);
        t->seed = seed;
        if (cw_demo_chance(&r, 0.85)) {
            t->parent_app = CW_DEMO_PARENT_THEME;
            t->parent_number = (uint32_t)cw_demo_between(&r, 1, CW_DEMO_N_INITIATIVES);
        }
        push_step(t, start, CW_DEMO_SELECTED, ctx->end);
        if (first)
            push_step(t, first + cw_demo_between(&r, 5, 120) * 60, CW_DEMO_IN_PROGRESS, ctx->end);
        if (first && children && !open && start + EPIC_WEEKS * WEEK < last)
            push_step(t, last + cw_demo_between(&r, 1, 48) * HOUR, CW_DEMO_DONE, ctx->end);
    }
}

static void plan_ticket(cw_demo_ctx *ctx, cw_demo_history *h, cw_demo_rng *r, int64_t created,
                        uint32_t *number, const epic_plan *epics)
{
    planner p = { ctx, h, r, team_zone(h), (int32_t)h->n_tickets, 0, cw_demo_app_gates(h->app) };
    cw_demo_ticket *t;
    int people = (int)h->team->n_people;

    t = new_ticket(h, r, created, (*number)++, pick_type(r));
    assign_epic(ctx, h, r, epics, t);
    if (cw_demo_chance(r, 0.07))
        t->flags |= CW_DEMO_T_KEYLESS;
    if (cw_demo_chance(r, 0.10)) {               /* never started */
        if (cw_demo_chance(r, 0.4))
            add_step(&p, workday(r, created + (int64_t)(cw_demo_exp(r, 40) * HOUR), p.zone),
                     CW_DEMO_SELECTED);
        if (cw_demo_chance(r, 0.3))
            t->assignee = (int8_t)cw_demo_between(r, 0, people - 1);
        return;
    }
    t->assignee = (int8_t)cw_demo_between(r, 0, people - 1);
    plan_work(&p);
    if (h->tickets[p.index].type == CW_DEMO_STORY && cw_demo_chance(r, 0.08))
        add_subtasks(ctx, h, r, p.index, number);
}

static void simulate_tickets(cw_demo_ctx *ctx, cw_demo_history *h, cw_demo_rng *r)
{
    double per_day = h->app->tickets_per_week * ctx->opts->scale / 5.0;
    int off = work_offset_s[team_zone(h)];
    epic_plan epics;
    uint32_t number;
    times today = {0};

    plan_epics(ctx, h->index, &epics);
    number = epics.first + (uint32_t)epics.n;

    for (int64_t day = cw_demo_floor_div(ctx->sim_start - BACKLOG_WEEKS * WEEK, DAY); day * DAY < ctx->end;
         day++) {
        long k = cw_demo_weekday(day) < 5 ? cw_demo_poisson(r, per_day) : 0;
        today.n = 0;
        for (long i = 0; i < k; i++)
            times_push(&today, day * DAY - off + 8 * HOUR + cw_demo_between(r, 0, 10 * HOUR));
        if (today.n > 1)
            qsort(today.v, today.n, sizeof(*today.v), cmp_i64);
        for (size_t i = 0; i < today.n && today.v[i] < ctx->end; i++)
            plan_ticket(ctx, h, r, today.v[i], &number, &epics);
    }
    free(today.v);
    add_epics(ctx, h, &epics);
}

/* Pushes straight to main: housekeeping by people, dependency bumps by a bot. */
static void simulate_direct(cw_demo_ctx *ctx, cw_demo_history *h, cw_demo_rng *r)
{
    int off = work_offset_s[team_zone(h)];
    int people = (int)h->team->n_people;

    for (int64_t day = cw_demo_floor_div(ctx->sim_start - BACKLOG_WEEKS * WEEK, DAY); day * DAY < ctx->end;
         day++) {
        long human, bot;
        if (cw_demo_weekday(day) >= 5)
            continue;
        human = cw_demo_poisson(r, 0.2 * ctx->opts->scale);
        bot = cw_demo_poisson(r, 0.12 * ctx->opts->scale);
        for (long i = 0; i < human + bot; i++) {
            int64_t at = day * DAY - off + 8 * HOUR + cw_demo_between(r, 0, 10 * HOUR);
            int32_t c;
            if (at >= ctx->end)
                continue;
            c = add_commit(h, r, i < human ? CW_DEMO_DIRECT : CW_DEMO_BOT, at, -1, -1, -1, 0,
                           (int)cw_demo_between(r, 0, people - 1));
            if (i >= human) {    /* a dependabot pull request, approved and squashed */
                cw_demo_pull pr = { at - cw_demo_between(r, 2 * 60, 72 * 60) * 60, at, c, -1, -1, -1, 0,
                                    at - cw_demo_between(r, 1, 30) * 60, -1,
                                    (int8_t)cw_demo_between(r, 0, people - 1) };
                push_pull(h, &pr);
            }
        }
    }
}

/* ---- the commit graph -------------------------------------------------------- */

typedef struct timed {
    int64_t at;
    int32_t index;
} timed;

static int cmp_timed(const void *a, const void *b)
{
    const timed *x = a, *y = b;
    if (x->at != y->at)
        return (x->at > y->at) - (x->at < y->at);
    return (x->index > y->index) - (x->index < y->index);
}

/* The last main-line commit strictly before t, or -1. */
static int32_t head_before(const cw_demo_history *h, int64_t t)
{
    size_t lo = 0, hi = h->n_mainline;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->commits[h->mainline[mid]].at < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? h->mainline[lo - 1] : -1;
}

/* Main line = root, merges and direct pushes in time order; each branch
 * starts at the main-line head of its first commit's time. */
static void link_graph(cw_demo_history *h)
{
    timed *line = cw_xmalloc((h->n_commits ? h->n_commits : 1) * sizeof(*line));
    size_t n = 0;

    for (size_t i = 0; i < h->n_commits; i++)
        if (h->commits[i].kind != CW_DEMO_BRANCH)
            line[n++] = (timed){ h->commits[i].at, (int32_t)i };
    qsort(line, n, sizeof(*line), cmp_timed);
    h->mainline = cw_xmalloc((n ? n : 1) * sizeof(*h->mainline));
    h->n_mainline = n;
    for (size_t k = 0; k < n; k++) {
        cw_demo_commit *c = &h->commits[line[k].index];
        h->mainline[k] = line[k].index;
        c->mainline = (int32_t)k;
        c->parent[0] = k ? line[k - 1].index : -1;
    }
    free(line);
    for (size_t i = 0; i < h->n_commits; i++) {
        cw_demo_commit *c = &h->commits[i];
        if (c->kind == CW_DEMO_BRANCH && c->parent[0] < 0)
            c->parent[0] = head_before(h, c->at);
    }
    for (size_t i = 0; i < h->n_deploys; i++)
        if (!h->deploys[i].untraceable)
            h->deploys[i].revision = head_before(h, h->deploys[i].cut);
}

/* ---- incidents ----------------------------------------------------------------- */

static void push_incident(cw_demo_ctx *ctx, cw_demo_rng *r, int app, int64_t created, double restore_h,
                          int after_deploy)
{
    cw_demo_incident *inc;
    int64_t restore = max64(360, (int64_t)(cw_demo_exp(r, restore_h) * HOUR));

    ctx->incidents = cw_grow(ctx->incidents, &ctx->cap_incidents, ctx->n_incidents + 1,
                             sizeof(*ctx->incidents));
    inc = &ctx->incidents[ctx->n_incidents++];
    memset(inc, 0, sizeof(*inc));
    inc->seed = cw_demo_next(r);
    inc->created = created;
    inc->acknowledged = created + cw_demo_between(r, 60, 1200);
    inc->resolved = created + max64(restore, inc->acknowledged - created + 60);
    if (inc->acknowledged >= ctx->end)
        inc->acknowledged = 0;
    if (inc->resolved >= ctx->end)
        inc->resolved = 0;
    inc->app = (int16_t)app;
    inc->oncall = (uint8_t)(app >= 0 ? ctx->world.teams[ctx->world.apps[app].team].oncall : CW_DEMO_PAGERDUTY);
    inc->high = (uint8_t)cw_demo_chance(r, after_deploy ? 0.7 : 0.4);
    inc->after_deploy = (uint8_t)after_deploy;
}

/*
 * An incident caused by a deployment opens after it finished and before the
 * next one finished, so catwalk attributes it to this deployment and the
 * application's change failure rate is about its incident_p.
 */
static void simulate_incidents(cw_demo_ctx *ctx, cw_demo_history *h, cw_demo_rng *r)
{
    double weeks = (double)(ctx->end - ctx->sim_start) / WEEK;
    long unrelated;

    for (size_t i = 0; i < h->n_deploys; i++) {
        const cw_demo_deploy *d = &h->deploys[i];
        int64_t next = ctx->end, bound, created;
        if (d->running || !cw_demo_chance(r, h->app->incident_p))
            continue;
        if (i + 1 < h->n_deploys && !h->deploys[i + 1].running)
            next = h->deploys[i + 1].prod_finish;
        bound = min64(30 * HOUR, (next - d->prod_finish) * 85 / 100);
        if (bound < 120)
            continue;
        created = d->prod_finish + cw_demo_between(r, bound < 600 ? 60 : 300, bound);
        if (created >= ctx->end)
            continue;
        push_incident(ctx, r, h->index, created, h->app->restore_mean_h, 1);
        if (cw_demo_chance(r, 0.08) && created + 3600 < min64(next, ctx->end))
            push_incident(ctx, r, h->index, created + cw_demo_between(r, 300, 3600), h->app->restore_mean_h, 1);
    }
    unrelated = cw_demo_poisson(r, 0.05 * weeks * ctx->opts->scale);
    for (long k = 0; k < unrelated; k++)
        push_incident(ctx, r, h->index,
                      ctx->sim_start + (int64_t)(cw_demo_unit(r) * (double)(ctx->end - ctx->sim_start)),
                      h->app->restore_mean_h, 0);
}

void cw_demo_unrelated_incidents(cw_demo_ctx *ctx)
{
    cw_demo_rng r = cw_demo_rng_derive(ctx->opts->seed, 1000, 7);
    double weeks = (double)(ctx->end - ctx->sim_start) / WEEK;
    long n = cw_demo_poisson(&r, 0.4 * weeks * ctx->opts->scale);

    for (long k = 0; k < n; k++) {
        int which = (int)cw_demo_between(&r, 0, (long)cw_demo_n_unmapped_services - 1);
        int64_t at = ctx->sim_start + (int64_t)(cw_demo_unit(&r) * (double)(ctx->end - ctx->sim_start));
        push_incident(ctx, &r, -1 - which, at, 3, 0);
    }
}

/* ---- one application ------------------------------------------------------------ */

int cw_demo_simulate(cw_demo_ctx *ctx, int app_index, cw_demo_history *out)
{
    cw_demo_rng r = cw_demo_rng_derive(ctx->opts->seed, (uint64_t)app_index + 1, 1);
    const cw_demo_app *app = &ctx->world.apps[app_index];
    int people = (int)ctx->world.teams[app->team].n_people;
    int64_t root_at;

    memset(out, 0, sizeof(*out));
    out->app = app;
    out->team = &ctx->world.teams[app->team];
    out->index = app_index;
    out->first_build = (uint32_t)cw_demo_between(&r, 40, 900);
    out->first_pr = (uint32_t)cw_demo_between(&r, 20, 600);
    schedule_deploys(ctx, out, &r);
    root_at = workday(&r, ctx->sim_start - (BACKLOG_WEEKS + 1) * WEEK, team_zone(out));
    add_commit(out, &r, CW_DEMO_ROOT, root_at, -1, -1, -1, 0, (int)cw_demo_between(&r, 0, people - 1));
    simulate_tickets(ctx, out, &r);
    simulate_direct(ctx, out, &r);
    link_graph(out);
    simulate_incidents(ctx, out, &r);
    return 0;
}

void cw_demo_history_free(cw_demo_history *h)
{
    free(h->tickets);
    free(h->commits);
    free(h->deploys);
    free(h->mainline);
    free(h->pulls);
    memset(h, 0, sizeof(*h));
}
