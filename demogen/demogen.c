/*
 * demogen.c - the demo generator's entry point (demogen.h): prepare the
 * output folder, then simulate and write one application at a time, then
 * the incident tools and the catwalk.ini.
 *
 * For each application the simulation (sim.c) produces deployments,
 * tickets, commits and incidents that agree with each other: commits name
 * the tickets they implement, deployments deploy commits of the same log,
 * tickets are done after the deployment that shipped them, incidents follow
 * some deployments at the application's failure rate.  The writers put it
 * into DIR/exports/ exactly as Jira, git, Jenkins, PagerDuty and ServiceNow
 * export it, so `catwalk run` exercises every parser on realistic volumes.
 *
 * Output streams: each application is simulated, written and freed before
 * the next, so memory follows the largest application (about 100 bytes per
 * ticket and commit); --scale grows files, not the working set of the
 * group.  Applications are independent (their own random streams, their own
 * files), so one thread per core takes them in turn, each with a context of
 * its own (incidents, tallies); the incidents are merged and sorted before
 * the incident tools are written, so the bytes do not depend on the number
 * of threads.
 */
#include "internal.h"
#include "../core/log.h"
#include "../core/util.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the output folder -------------------------------------------------------- */

static const char *const export_dirs[] = {
    "exports", "exports/jira", "exports/git", "exports/jenkins", "exports/pagerduty", "exports/servicenow",
    "exports/github", "exports/calendar",
};
static const char *const delta_dirs[] = {
    "delta", "delta/exports", "delta/exports/jira", "delta/exports/git", "delta/exports/jenkins",
    "delta/exports/pagerduty", "delta/exports/servicenow", "delta/exports/github", "delta/exports/calendar",
};

static int make_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "catwalk: demo: cannot create %s: %s\n", path, strerror(errno));
        return -1;
    }
    return 0;
}

/* mkdir -p */
static int make_dirs(const char *path)
{
    if (cw_mkdirs(path) == 0)
        return 0;
    fprintf(stderr, "catwalk: demo: cannot create %s: %s\n", path, strerror(errno));
    return -1;
}

static int dir_is_empty(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int empty = 1;
    if (!d)
        return 1;
    while (empty && (e = readdir(d)) != NULL)
        empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
    closedir(d);
    return empty;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int is_export(const char *name, void *suffix)
{
    return ends_with(name, suffix);
}

/* With --force, earlier exports go first: a smaller run must not leave the
 * pages of a bigger one behind, nor a delta day copied in its files.  Only
 * files the demo writes are touched (incident.csv, incident.<day>.csv). */
static void remove_old_exports(const char *dir)
{
    static const struct { const char *sub, *suffix; } kinds[] = {
        {"exports/jira", ".json"}, {"exports/git", ".log"}, {"exports/jenkins", ".json"},
        {"exports/pagerduty", ".json"}, {"exports/servicenow", ".csv"}, {"exports/github", ".json"},
        {"exports/calendar", ".csv"},
    };
    for (int delta = 0; delta < 2; delta++)
        for (size_t k = 0; k < CW_DEMO_COUNT(kinds); k++) {
            char *path = cw_asprintf("%s/%s%s", dir, delta ? "delta/" : "", kinds[k].sub);
            cw_remove_entries(path, is_export, (void *)kinds[k].suffix);
            free(path);
        }
}

static int prepare_dir(const cw_demogen_opts *o)
{
    struct stat st;

    if (stat(o->dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            fprintf(stderr, "catwalk: demo: %s exists and is not a folder\n", o->dir);
            return CW_DEMOGEN_NOT_EMPTY;
        }
        if (!dir_is_empty(o->dir) && !o->force) {
            fprintf(stderr, "catwalk: demo: %s is not empty; use --force to write into it anyway\n", o->dir);
            return CW_DEMOGEN_NOT_EMPTY;
        }
    }
    if (make_dirs(o->dir) != 0)
        return CW_DEMOGEN_FAILED;
    for (size_t i = 0; i < CW_DEMO_COUNT(export_dirs) + CW_DEMO_COUNT(delta_dirs); i++) {
        int delta = i >= CW_DEMO_COUNT(export_dirs);
        char *path;
        int rc;
        if (delta && !o->delta_day)
            break;
        path = cw_asprintf("%s/%s", o->dir, delta ? delta_dirs[i - CW_DEMO_COUNT(export_dirs)] : export_dirs[i]);
        rc = make_dir(path);
        free(path);
        if (rc != 0)
            return CW_DEMOGEN_FAILED;
    }
    if (o->force)
        remove_old_exports(o->dir);
    return CW_DEMOGEN_OK;
}

/* ---- file helpers shared by the writers ---------------------------------------- */

FILE *cw_demo_open(cw_demo_ctx *ctx, const char *rel)
{
    char *path = cw_asprintf("%s/%s%s", ctx->opts->dir, ctx->out, rel);
    FILE *fp = fopen(path, "wb");
    if (!fp)
        fprintf(stderr, "catwalk: demo: cannot write %s: %s\n", path, strerror(errno));
    else
        setvbuf(fp, NULL, _IOFBF, 1 << 16);
    free(path);
    return fp;
}

int cw_demo_close(cw_demo_ctx *ctx, FILE *fp, const char *rel, int failed)
{
    int io_error = ferror(fp);
    if (fclose(fp) != 0)
        io_error = 1;
    if (io_error)
        fprintf(stderr, "catwalk: demo: cannot write %s/%s%s: %s\n", ctx->opts->dir, ctx->out, rel,
                strerror(errno));
    else if (failed)
        fprintf(stderr, "catwalk: demo: cannot write %s/%s%s\n", ctx->opts->dir, ctx->out, rel);
    if (io_error || failed)
        return -1;
    ctx->tally->files++;
    return 0;
}

int cw_demo_write_json(cw_demo_ctx *ctx, const char *rel, void *value)
{
    json_t *json = value;
    char *text;
    FILE *fp;
    int rc;

    if (!json) {
        fprintf(stderr, "catwalk: demo: cannot build the JSON of %s\n", rel);
        return -1;
    }
    fp = cw_demo_open(ctx, rel);
    if (!fp) {
        json_decref(json);
        return -1;
    }
    /* Serialise to memory first: json_dumpf writes token by token, one
     * locked fwrite each, which is most of the run time. */
    text = json_dumps(json, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(json);
    rc = text && fputs(text, fp) != EOF && fputc('\n', fp) != EOF ? 0 : -1;
    free(text);
    return cw_demo_close(ctx, fp, rel, rc != 0);
}

/* ---- the run ---------------------------------------------------------------------- */

/* Point the writers at the export taken at --end, or at the delta day. */
static void show(cw_demo_ctx *ctx, int delta)
{
    ctx->cut = delta ? ctx->end : ctx->opts->end;
    ctx->since = delta ? ctx->opts->end : INT64_MIN;
    ctx->out = delta ? "delta/" : "";
    ctx->tally = delta ? &ctx->delta : &ctx->totals;
}

static int write_sources(cw_demo_ctx *ctx, const cw_demo_history *h)
{
    if (cw_demo_write_jira(ctx, h) != 0 || cw_demo_write_git(ctx, h) != 0 ||
        cw_demo_write_github(ctx, h) != 0 || cw_demo_write_calendar(ctx, h) != 0)
        return -1;
    return cw_demo_write_jenkins(ctx, h);
}

static int write_application(cw_demo_ctx *ctx, int index)
{
    cw_demo_history h;
    int rc = cw_demo_simulate(ctx, index, &h);
    for (int delta = 0; rc == 0 && delta <= ctx->opts->delta_day; delta++) {
        show(ctx, delta);
        rc = write_sources(ctx, &h);
    }
    cw_demo_history_free(&h);
    return rc;
}

/* The applications, shared by the writing threads. */
typedef struct app_queue {
    pthread_mutex_t lock;
    size_t next, done, n;
    int failed;
} app_queue;

typedef struct app_worker {
    cw_demo_ctx ctx;             /* a copy of the run's, with its own incidents and tallies */
    app_queue *queue;
    int first;                   /* the one that shows progress */
} app_worker;

static void *work_applications(void *arg)
{
    app_worker *w = arg;
    app_queue *q = w->queue;
    for (;;) {
        size_t i;
        int rc;
        pthread_mutex_lock(&q->lock);
        i = q->failed ? q->n : q->next++;
        if (w->first)
            cw_progress("demo: applications", (long)q->done, (long)q->n);
        pthread_mutex_unlock(&q->lock);
        if (i >= q->n)
            return NULL;
        rc = write_application(&w->ctx, (int)i);
        pthread_mutex_lock(&q->lock);
        q->done++;
        q->failed |= rc != 0;
        pthread_mutex_unlock(&q->lock);
    }
}

static void add_totals(cw_demogen_totals *to, const cw_demogen_totals *from)
{
    to->files += from->files;
    to->tickets += from->tickets;
    to->commits += from->commits;
    to->builds += from->builds;
    to->deployments += from->deployments;
    to->untraceable += from->untraceable;
    to->pulls += from->pulls;
}

/* A worker's incidents and counts into the run's context. */
static void merge_worker(cw_demo_ctx *ctx, app_worker *w)
{
    ctx->incidents = cw_grow(ctx->incidents, &ctx->cap_incidents, ctx->n_incidents + w->ctx.n_incidents + 1,
                             sizeof(*ctx->incidents));
    if (w->ctx.n_incidents)
        memcpy(ctx->incidents + ctx->n_incidents, w->ctx.incidents,
               w->ctx.n_incidents * sizeof(*ctx->incidents));
    ctx->n_incidents += w->ctx.n_incidents;
    add_totals(&ctx->totals, &w->ctx.totals);
    add_totals(&ctx->delta, &w->ctx.delta);
    if (w->ctx.mainframe_next[0])
        memcpy(ctx->mainframe_next, w->ctx.mainframe_next, sizeof ctx->mainframe_next);
    free(w->ctx.incidents);
}

static int write_applications(cw_demo_ctx *ctx)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t n_workers = cores < 1 ? 1 : cores > 8 ? 8 : (size_t)cores;
    app_queue q = { PTHREAD_MUTEX_INITIALIZER, 0, 0, ctx->world.n_apps, 0 };
    app_worker *workers;
    pthread_t *threads;
    size_t started = 1;

    if (n_workers > q.n)
        n_workers = q.n ? q.n : 1;
    workers = cw_xcalloc(n_workers, sizeof(*workers));
    threads = cw_xcalloc(n_workers, sizeof(*threads));
    for (size_t k = 0; k < n_workers; k++) {
        workers[k].ctx = *ctx;
        workers[k].ctx.incidents = NULL;
        workers[k].ctx.n_incidents = workers[k].ctx.cap_incidents = 0;
        memset(&workers[k].ctx.totals, 0, sizeof workers[k].ctx.totals);
        memset(&workers[k].ctx.delta, 0, sizeof workers[k].ctx.delta);
        workers[k].queue = &q;
        workers[k].first = k == 0;
    }
    /* this thread is worker 0; a thread that cannot start leaves its share to the others */
    for (size_t k = 1; k < n_workers; k++)
        if (pthread_create(&threads[k], NULL, work_applications, &workers[k]) == 0)
            started = k + 1;
        else
            break;
    work_applications(&workers[0]);
    for (size_t k = 1; k < started; k++)
        pthread_join(threads[k], NULL);
    cw_progress_end();
    for (size_t k = 0; k < n_workers; k++)
        merge_worker(ctx, &workers[k]);
    free(workers);
    free(threads);
    pthread_mutex_destroy(&q.lock);
    return q.failed ? -1 : 0;
}

static int generate(cw_demo_ctx *ctx)
{
    if (write_applications(ctx) != 0)
        return -1;
    cw_demo_unrelated_incidents(ctx);
    for (int delta = 0; delta <= ctx->opts->delta_day; delta++) {
        show(ctx, delta);
        if (cw_demo_write_pagerduty(ctx) != 0 || cw_demo_write_servicenow(ctx) != 0 ||
            cw_demo_write_initiatives(ctx) != 0)
            return -1;
    }
    show(ctx, 0);
    return cw_demo_write_config(ctx);
}

int cw_demogen_run(const cw_demogen_opts *o, cw_demogen_totals *totals, cw_demogen_totals *delta)
{
    cw_demo_ctx ctx;
    int rc;

    if (totals)
        memset(totals, 0, sizeof(*totals));
    if (delta)
        memset(delta, 0, sizeof(*delta));
    if (o->apps < 0 || o->apps > CW_DEMOGEN_MAX_APPS) {
        fprintf(stderr, "catwalk: demo: --apps: expected 1 to %d\n", CW_DEMOGEN_MAX_APPS);
        return CW_DEMOGEN_FAILED;
    }
    rc = prepare_dir(o);
    if (rc != CW_DEMOGEN_OK)
        return rc;
    memset(&ctx, 0, sizeof ctx);
    ctx.opts = o;
    ctx.end = o->end + (o->delta_day ? CW_DEMO_DAY : 0);
    ctx.window_start = o->end - (int64_t)o->weeks * CW_DEMO_WEEK;
    ctx.sim_start = ctx.window_start - CW_DEMOGEN_HISTORY_WEEKS * CW_DEMO_WEEK;
    cw_demo_world_build(&ctx.world, o->seed, (size_t)o->apps);
    ctx.totals.teams = ctx.delta.teams = (long)ctx.world.n_teams;
    ctx.totals.applications = ctx.delta.applications = (long)ctx.world.n_apps;
    show(&ctx, 0);
    rc = cw_demo_zones_init(&ctx) == 0 && generate(&ctx) == 0 ? CW_DEMOGEN_OK : CW_DEMOGEN_FAILED;
    if (totals)
        *totals = ctx.totals;
    if (delta)
        *delta = ctx.delta;
    cw_demo_zones_free(&ctx);
    cw_demo_world_free(&ctx.world);
    free(ctx.incidents);
    return rc;
}
