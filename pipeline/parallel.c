/*
 * parallel.c - files parsed on worker threads, loaded by one writer, in
 * order (see parallel.h).
 *
 * One lock guards the queue.  Items form a list in the order they were
 * added; the writer works at its head only, and workers take files to
 * parse from a second list (todo) in the same order, so the file at the
 * head is always being parsed or parsed already: the writer never waits
 * for a file no worker will take, and a worker that waits for room only
 * waits for files before its own, which the writer is replaying.
 */
#include "parallel.h"
#include "../core/log.h"
#include "../core/tape.h"
#include "../core/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

typedef struct item {
    struct item *next;          /* the order */
    struct item *next_todo;     /* files not yet taken by a worker */
    cw_parallel_item it;
    char *path;
    /* the tape, as far as it is sealed, and not yet replayed */
    cw_tape_chunk *head, *tail;
    size_t buffered;
    int parsed;                 /* the worker is done: rc is its result */
    int rc;
    int begun;                  /* the writer ran `begin` */
} item;

struct cw_parallel {
    cw_sink *into;
    int n_workers;
    pthread_t *threads;
    pthread_mutex_t lock;
    pthread_cond_t to_workers;  /* a file to take, room on a tape, or stopping */
    pthread_cond_t to_writer;   /* a chunk sealed or a file parsed */
    item *first, *last;         /* not yet done by the writer */
    item *todo, *todo_last;
    size_t waiting;             /* items in the order */
    int stopping;               /* workers exit, tapes refuse */
    int failed;                 /* a step or replay failed */
    /* seconds spent waiting, for the debug line at the end: the writer for
     * parsers, and parsers for room on their tapes */
    double writer_waited, workers_waited;
    size_t peak;                /* the most bytes that waited on one file's tape */
    /* CPU seconds of the parsers, and of the writer from the start */
    double workers_cpu, writer_cpu;
};

/* CPU seconds the calling thread has used. */
static double thread_cpu_s(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0)
        return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* pthread_cond_wait, its time added to *waited (with the lock held). */
static void timed_wait(pthread_cond_t *cond, pthread_mutex_t *lock, double *waited)
{
    double t0 = now_s();
    pthread_cond_wait(cond, lock);
    *waited += now_s() - t0;
}

/* A worker's file: where its sealed chunks go. */
typedef struct tape_ctx {
    cw_parallel *p;
    item *i;
} tape_ctx;

static void ctx_free(const cw_parallel_item *it)
{
    if (it->free_ctx)
        it->free_ctx(it->ctx);
    else
        free(it->ctx);
}

static void item_free(item *i)
{
    while (i->head) {
        cw_tape_chunk *c = i->head;
        i->head = c->next;
        cw_tape_chunk_free(c);
    }
    ctx_free(&i->it);
    free(i->path);
    free(i);
}

/* ------------------------------------------------------------------ workers */

/* A sealed chunk joins its file's queue; the worker then waits while too
 * much of its file waits for the writer. */
static int seal(void *ctx, cw_tape_chunk *c)
{
    tape_ctx *t = ctx;
    cw_parallel *p = t->p;
    int rc;
    pthread_mutex_lock(&p->lock);
    if (!p->stopping) {
        c->next = NULL;
        if (t->i->tail)
            t->i->tail->next = c;
        else
            t->i->head = c;
        t->i->tail = c;
        t->i->buffered += c->size;
        if (t->i->buffered > p->peak)
            p->peak = t->i->buffered;
        c = NULL;
        pthread_cond_signal(&p->to_writer);
    }
    while (!p->stopping && t->i->buffered > CW_PARALLEL_TAPE)
        timed_wait(&p->to_workers, &p->lock, &p->workers_waited);
    rc = p->stopping ? -1 : 0;
    pthread_mutex_unlock(&p->lock);
    cw_tape_chunk_free(c);      /* refused: nobody will replay it */
    return rc;
}

static void parse_file(cw_parallel *p, item *i)
{
    tape_ctx ctx = {p, i};
    cw_tape tape;
    int rc;
    cw_tape_init(&tape, p->into, CW_PARALLEL_CHUNK, seal, &ctx);
    cw_log_capture(cw_tape_log, &tape);
    rc = i->it.parse(i->it.src, i->path, &tape.sink);
    cw_log_capture(NULL, NULL);
    cw_tape_finish(&tape);
    cw_tape_discard(&tape);
    pthread_mutex_lock(&p->lock);
    i->rc = rc;
    i->parsed = 1;
    pthread_cond_signal(&p->to_writer);
    pthread_mutex_unlock(&p->lock);
}

static void *worker(void *arg)
{
    cw_parallel *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        item *i;
        while (!p->stopping && !p->todo)
            pthread_cond_wait(&p->to_workers, &p->lock);
        if (p->stopping)
            break;
        i = p->todo;
        p->todo = i->next_todo;
        if (!p->todo)
            p->todo_last = NULL;
        pthread_mutex_unlock(&p->lock);
        parse_file(p, i);
        pthread_mutex_lock(&p->lock);
    }
    p->workers_cpu += thread_cpu_s();
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* ------------------------------------------------------------------ the writer */

static int run_step(cw_parallel_step step, void *ctx, int rc)
{
    return step ? step(ctx, rc) : 0;
}

/* An item at once, on the caller (no workers). */
static int run_inline(cw_parallel *p, const cw_parallel_item *it)
{
    int rc = run_step(it->begin, it->ctx, 0);
    if (rc == 0)
        rc = run_step(it->end, it->ctx, it->path ? it->parse(it->src, it->path, p->into) : 0);
    ctx_free(it);
    if (rc != 0)
        p->failed = 1;
    return rc == 0 ? 0 : -1;
}

/* One step of work at the head, with the lock held (and released while the
 * work runs).  1 when something was done, 0 when the head must wait. */
static int advance(cw_parallel *p)
{
    item *i = p->first;
    cw_tape_chunk *c;
    int rc = 0;
    if (i->it.path && !i->head && !i->parsed)
        return 0;
    c = i->head;
    if (c) {
        i->head = c->next;
        if (!i->head)
            i->tail = NULL;
        i->buffered -= c->size;
        pthread_cond_broadcast(&p->to_workers);
    } else {
        p->first = i->next;
        if (!p->first)
            p->last = NULL;
        p->waiting--;
    }
    pthread_mutex_unlock(&p->lock);
    if (!i->begun) {
        i->begun = 1;
        rc = run_step(i->it.begin, i->it.ctx, 0);
    }
    if (rc == 0 && c)
        rc = cw_tape_replay(c, p->into);
    else if (rc == 0)
        rc = run_step(i->it.end, i->it.ctx, i->rc);
    cw_tape_chunk_free(c);
    if (!c)
        item_free(i);
    pthread_mutex_lock(&p->lock);
    if (rc != 0)
        p->failed = 1;
    return 1;
}

/* Work at the head until no more than `keep` items wait; beyond that,
 * whatever is ready without waiting.  0, or -1 after a failure. */
static int pump(cw_parallel *p, size_t keep)
{
    int failed;
    pthread_mutex_lock(&p->lock);
    while (p->first && !p->failed) {
        if (advance(p))
            continue;
        if (p->waiting <= keep)
            break;
        timed_wait(&p->to_writer, &p->lock, &p->writer_waited);
    }
    failed = p->failed;
    pthread_mutex_unlock(&p->lock);
    return failed ? -1 : 0;
}

int cw_parallel_add(cw_parallel *p, const cw_parallel_item *it)
{
    item *i;
    if (p->failed) {
        ctx_free(it);
        return -1;
    }
    if (p->n_workers == 0)
        return run_inline(p, it);
    i = cw_xcalloc(1, sizeof *i);
    i->it = *it;
    i->path = it->path ? cw_strdup(it->path) : NULL;
    i->it.path = i->path;
    pthread_mutex_lock(&p->lock);
    if (p->last)
        p->last->next = i;
    else
        p->first = i;
    p->last = i;
    p->waiting++;
    if (i->path) {
        if (p->todo_last)
            p->todo_last->next_todo = i;
        else
            p->todo = i;
        p->todo_last = i;
        pthread_cond_broadcast(&p->to_workers);
    }
    pthread_mutex_unlock(&p->lock);
    return pump(p, 2 * (size_t)p->n_workers + 2);
}

int cw_parallel_finish(cw_parallel *p)
{
    if (p->n_workers == 0)
        return p->failed ? -1 : 0;
    return pump(p, 0);
}

/* ------------------------------------------------------------------ start, stop */

cw_parallel *cw_parallel_start(int workers, cw_sink *into)
{
    cw_parallel *p = cw_xcalloc(1, sizeof *p);
    p->into = into;
    p->writer_cpu = thread_cpu_s();
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->to_workers, NULL);
    pthread_cond_init(&p->to_writer, NULL);
    p->threads = cw_xcalloc(workers > 0 ? (size_t)workers : 1, sizeof *p->threads);
    for (; p->n_workers < workers; p->n_workers++) {
        if (pthread_create(&p->threads[p->n_workers], NULL, worker, p) != 0) {
            cw_error("cannot start a parse thread");
            cw_parallel_free(p);
            return NULL;
        }
    }
    return p;
}

void cw_parallel_free(cw_parallel *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->to_workers);
    pthread_mutex_unlock(&p->lock);
    for (int w = 0; w < p->n_workers; w++)
        pthread_join(p->threads[w], NULL);
    if (p->n_workers)
        cw_debug("%d parse thread(s): %.2f s CPU, waited %.2f s for the writer; the writer: "
                 "%.2f s CPU, waited %.2f s for them; at most %zu KB on one tape", p->n_workers,
                 p->workers_cpu, p->workers_waited, thread_cpu_s() - p->writer_cpu,
                 p->writer_waited, p->peak >> 10);
    while (p->first) {
        item *i = p->first;
        p->first = i->next;
        item_free(i);
    }
    pthread_cond_destroy(&p->to_writer);
    pthread_cond_destroy(&p->to_workers);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p);
}

size_t cw_parallel_peak(const cw_parallel *p)
{
    return p->peak;
}

int cw_parallel_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}
