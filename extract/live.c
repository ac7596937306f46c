/*
 * live.c - parallel live extraction of the configured sources (see live.h).
 *
 * Work is grouped by host: one worker thread takes a whole host's sources in
 * order, so per-host politeness needs no locks, and up to CW_LIVE_WORKERS
 * hosts are fetched at once.  Workers share nothing but the queue index; each
 * source has its own cw_fetch (HTTP client, credentials, counters).
 */
#include "live.h"
#include "fetch.h"
#include "source.h"
#include "../core/log.h"
#include "../core/record.h"
#include "../core/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct live_job {
    const cw_config *cfg;
    const int64_t *since;
    const char *batch_dir;
    int dry_run;
    cw_live_result *results;
    char **hosts;               /* host of each source, NULL when not live */
    char **groups;              /* distinct hosts */
    size_t n_groups;
    size_t next_group;          /* guarded by lock */
    pthread_mutex_t lock;
} live_job;

int cw_source_is_live(const cw_source *src)
{
    const cw_source_type *type = cw_source_type_find(src->type);
    return type && type->fetch && cw_source_get(src, "base_url") != NULL;
}

int64_t cw_live_overlap_s(const cw_source *src)
{
    const char *v = cw_source_get(src, "overlap");
    double hours = v ? strtod(v, NULL) : 1.0;
    return (int64_t)(hours * 3600.0);
}

/* "https://user@host:8443/path" -> "host:8443". */
static char *host_of(const char *url)
{
    const char *p = strstr(url, "://");
    const char *end, *at;
    p = p ? p + 3 : url;
    end = p + strcspn(p, "/?#");
    at = memchr(p, '@', (size_t)(end - p));
    if (at)
        p = at + 1;
    return cw_strndup(p, (size_t)(end - p));
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void fetch_source(live_job *job, size_t i)
{
    const cw_source *src = &job->cfg->sources[i];
    const cw_source_type *type = cw_source_type_find(src->type);
    cw_live_result *r = &job->results[i];
    char *dir = cw_asprintf("%s/%s", job->batch_dir, src->name);
    struct timespec start;
    cw_fetch f;
    clock_gettime(CLOCK_MONOTONIC, &start);
    r->since = job->since[i];
    if (!job->dry_run && cw_mkdirs(dir) != 0) {
        snprintf(r->error, sizeof(r->error), "%s: cannot create: %s", dir, strerror(errno));
    } else if (cw_fetch_init(&f, src, dir, job->since[i], job->dry_run, type->auth_kind) != 0) {
        snprintf(r->error, sizeof(r->error), "[source %s]: configuration error (see above)", src->name);
    } else {
        r->ok = type->fetch(&f) == 0 && !f.error[0];
        if (!r->ok)
            snprintf(r->error, sizeof(r->error), "%s", f.error[0] ? f.error : "fetch failed");
        r->stats = f.stats;
        r->pages = f.pages;
        r->items = f.items;
        r->files = f.files_written;
        cw_fetch_cleanup(&f);
    }
    r->elapsed_s = seconds_since(&start);
    if (r->ok)
        cw_info("[source %s] fetched %ld pages, %ld items, %ld requests (%ld retries) in %.1f s",
                src->name, r->pages, r->items, r->stats.requests, r->stats.retries, r->elapsed_s);
    else
        cw_error("[source %s] live extraction failed: %s", src->name, r->error);
    free(dir);
}

static void *worker(void *arg)
{
    live_job *job = arg;
    for (;;) {
        size_t g;
        pthread_mutex_lock(&job->lock);
        g = job->next_group++;
        pthread_mutex_unlock(&job->lock);
        if (g >= job->n_groups)
            return NULL;
        for (size_t i = 0; i < job->cfg->n_sources; i++)
            if (job->hosts[i] && strcmp(job->hosts[i], job->groups[g]) == 0)
                fetch_source(job, i);
    }
}

static void group_hosts(live_job *job)
{
    const cw_config *cfg = job->cfg;
    job->hosts = cw_xcalloc(cfg->n_sources, sizeof(char *));
    job->groups = cw_xcalloc(cfg->n_sources, sizeof(char *));
    for (size_t i = 0; i < cfg->n_sources; i++) {
        size_t g;
        if (!cw_source_is_live(&cfg->sources[i]))
            continue;
        job->results[i].attempted = 1;
        job->hosts[i] = host_of(cw_source_get(&cfg->sources[i], "base_url"));
        for (g = 0; g < job->n_groups; g++)
            if (strcmp(job->groups[g], job->hosts[i]) == 0)
                break;
        if (g == job->n_groups)
            job->groups[job->n_groups++] = job->hosts[i];
    }
}

int cw_live_check(const cw_config *cfg)
{
    int failed = 0;
    for (size_t i = 0; i < cfg->n_sources; i++) {
        const cw_source *src = &cfg->sources[i];
        cw_fetch f;
        if (!cw_source_is_live(src))
            continue;
        if (cw_fetch_init(&f, src, "", CW_NO_TIME, 1, cw_source_type_find(src->type)->auth_kind) != 0)
            failed++;
        else
            cw_fetch_cleanup(&f);
    }
    return failed;
}

int cw_live_extract(const cw_config *cfg, const int64_t *since, const char *batch_dir,
                    int dry_run, cw_live_result *results)
{
    live_job job = {cfg, since, batch_dir, dry_run, results, NULL, NULL, 0, 0,
                    PTHREAD_MUTEX_INITIALIZER};
    pthread_t threads[CW_LIVE_WORKERS];
    size_t n_threads, failed = 0;
    memset(results, 0, cfg->n_sources * sizeof(*results));
    group_hosts(&job);
    /* Dry runs print in config order, from this thread. */
    n_threads = dry_run ? 0 : (job.n_groups < CW_LIVE_WORKERS ? job.n_groups : CW_LIVE_WORKERS);
    for (size_t t = 0; t < n_threads; t++)
        if (pthread_create(&threads[t], NULL, worker, &job) != 0)
            n_threads = t;
    if (n_threads == 0)
        worker(&job);
    for (size_t t = 0; t < n_threads; t++)
        pthread_join(threads[t], NULL);
    for (size_t i = 0; i < cfg->n_sources; i++) {
        if (results[i].attempted && !results[i].ok && !dry_run)
            failed++;
        free(job.hosts[i]);
    }
    free(job.hosts);
    free(job.groups);
    pthread_mutex_destroy(&job.lock);
    return (int)failed;
}
