/*
 * tape.h - records on tape: a cw_sink that copies every record it is given,
 * and the messages logged meanwhile, into chunks of memory, to be replayed
 * later into another sink, in the same order and exactly as given.
 *
 * This is what lets files be parsed on several threads while one writer
 * loads them (pipeline/parallel.c): a worker parses a file into its own
 * tape, and the writer replays the tapes into the warehouse sink in the
 * order the files would have been parsed one after the other, so every id,
 * reject and count is the same whatever the number of threads.
 *
 * A tape holds one chunk being filled.  When it is full, the tape hands it
 * to its seal function, which takes it over (the worker queues it for the
 * writer, and may wait there until the writer has caught up: that bounds
 * the memory a large file takes on tape).  A record is copied whole into
 * one chunk, its strings included, so a chunk replays on its own and its
 * records point into it: the replay copies nothing.
 *
 * The tape itself takes no lock; whoever hands chunks between threads does.
 */
#ifndef CW_TAPE_H
#define CW_TAPE_H

#include <stddef.h>
#include "log.h"
#include "record.h"

typedef struct cw_tape_chunk cw_tape_chunk;
struct cw_tape_chunk {
    cw_tape_chunk *next;        /* free for the holder's own queue */
    size_t size;                /* bytes of data */
    size_t used;                /* bytes of data holding entries */
    _Alignas(16) unsigned char data[];
};

/* Takes over a full chunk (and the last one, at cw_tape_finish).  Non-zero
 * stops the tape: every later sink call fails, so the parser stops. */
typedef int (*cw_tape_seal_fn)(void *ctx, cw_tape_chunk *chunk);

typedef struct cw_tape {
    cw_sink sink;               /* what the parser is given */
    cw_tape_chunk *open;        /* the chunk being filled, or NULL */
    size_t chunk_size;
    cw_tape_seal_fn seal;
    void *ctx;
    int stopped;                /* a seal refused: the sink fails from now on */
} cw_tape;

/* A tape whose sink takes the records `like` takes (a callback NULL there is
 * NULL here too, so a parser skips the same records), in chunks of about
 * chunk_size bytes (a larger record gets a chunk of its own size). */
void cw_tape_init(cw_tape *t, const cw_sink *like, size_t chunk_size, cw_tape_seal_fn seal,
                  void *ctx);

/* Record a message to be logged at its place in the replay: a
 * cw_log_capture_fn, with the tape as ctx. */
void cw_tape_log(void *tape, cw_log_level level, const char *text);

/* Seal the chunk being filled, when it holds anything.  Returns 0, or the
 * seal's non-zero result (also when the tape had stopped before). */
int cw_tape_finish(cw_tape *t);

/* Free the chunk being filled without sealing it (a tape given up). */
void cw_tape_discard(cw_tape *t);

/* Replay a chunk's records into a sink, in order, and log its messages.
 * Returns 0, or the first non-zero sink result (the records after it are
 * not replayed). */
int cw_tape_replay(const cw_tape_chunk *chunk, cw_sink *into);

void cw_tape_chunk_free(cw_tape_chunk *chunk);

#endif
