/*
 * parallel.h - files parsed on worker threads, loaded by one writer, in order.
 *
 * The batch is one transaction on one connection, so one thread writes: the
 * writer (the thread that lands the files).  Parsing is the part that can
 * run beside it.  The writer adds items in the order the batch would handle
 * them one after the other: a file to parse with the steps around it (the
 * ledger), a step alone (a file that could not be landed, the end of a
 * source).  Workers parse files into tapes (core/tape.h); the writer runs
 * the steps and replays the tapes into the warehouse sink strictly in the
 * order the items were added.  So the warehouse gets the same calls in the
 * same order whatever the number of workers, and every id, reject and count
 * is the same; only the moment of each call changes.
 *
 * Memory stays bounded: a worker whose file has more than CW_PARALLEL_TAPE
 * bytes waiting on tape stops until the writer has replayed some (the file
 * at the head of the order streams through), and the writer lets at most
 * 2 x workers + 2 items wait before it stops landing and replays.
 *
 * With 0 workers every item runs at once on the caller, straight into the
 * warehouse sink: no thread, no tape.
 *
 * The messages a parser logs go onto its tape (cw_log_capture) and are
 * printed when it is replayed, so they keep the order of the files too.
 */
#ifndef CW_PARALLEL_H
#define CW_PARALLEL_H

#include "../core/record.h"
#include "../extract/source.h"

/* Bytes of one file's records that may wait on tape for the writer, and
 * the chunks they are handed over in. */
#define CW_PARALLEL_TAPE (4u << 20)
#define CW_PARALLEL_CHUNK (256u << 10)

typedef struct cw_parallel cw_parallel;

/* A step the writer runs at its item's place in the order; parse_rc is the
 * parser's result (end of a file) or 0.  Non-zero is a warehouse failure:
 * the batch stops.  A record the sink refuses stops it too: with workers at
 * once (the replay fails), without them the parser stops and the file's end
 * step runs, which must then fail (the pipeline's asks cw_wh_failed). */
typedef int (*cw_parallel_step)(void *ctx, int parse_rc);

typedef struct cw_parallel_item {
    const cw_source *src;
    const char *path;           /* the file to parse (copied), or NULL: steps only */
    int (*parse)(const cw_source *src, const char *path, cw_sink *sink);
    cw_parallel_step begin;     /* before the file's records; may be NULL */
    cw_parallel_step end;       /* after them; may be NULL */
    void *ctx;                  /* the steps' (taken over) */
    void (*free_ctx)(void *ctx);/* frees ctx once the item is done or dropped; NULL: free() */
} cw_parallel_item;

/* Start `workers` parse threads (0: none) loading into `into`.  NULL when
 * a thread cannot be started (logged). */
cw_parallel *cw_parallel_start(int workers, cw_sink *into);

/* Add the next item; meanwhile replay what is ready (and wait when too
 * much is waiting).  0, or -1 once a step or a replayed record failed: the
 * batch must stop (cw_parallel_free). */
int cw_parallel_add(cw_parallel *p, const cw_parallel_item *item);

/* Wait until every item added is done.  0, or -1 as above. */
int cw_parallel_finish(cw_parallel *p);

/* Stop the workers and free everything; items not yet done are dropped
 * (after a failure; after cw_parallel_finish there are none). */
void cw_parallel_free(cw_parallel *p);

/* The most bytes that waited on one file's tape so far (0 without workers):
 * at most CW_PARALLEL_TAPE and one chunk. */
size_t cw_parallel_peak(const cw_parallel *p);

/* The thread count `--jobs` defaults to: the processors online. */
int cw_parallel_default_jobs(void);

#endif
