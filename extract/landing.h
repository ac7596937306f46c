/*
 * landing.h - the immutable landing zone.
 *
 * Every batch lands its raw inputs under LANDING/<batch>/<source>/ before
 * anything parses them: the bytes are copied untouched (or produced, for a
 * git source reading a local clone), checksummed with SHA-256 and made
 * read-only.  Parsers only ever read landed copies, so a batch can be
 * audited and re-run from exactly what it saw.
 *
 * Exports hold private data, so the zone is owner-only whatever the
 * process umask: folders 0700, landed files 0400.  A symbolic link among a
 * source's files is never followed unless the source says
 * `follow_symlinks = true` (and then only to a regular file): otherwise a
 * link dropped into an export folder would copy any file the nightly user
 * can read (/etc/shadow under root) into the landing zone.
 */
#ifndef CW_LANDING_H
#define CW_LANDING_H

#include <stdint.h>
#include "source.h"

typedef struct cw_landed {
    const char *original;       /* the file as configured (or "git log of PATH") */
    const char *landed;         /* its copy in the landing zone; NULL when error is set,
                                 * and when the file is offered before it is copied */
    const char *error;          /* why this file could not be landed (a symbolic link not
                                 * followed, unreadable): one reject, the others go on */
    char sha256[65];            /* "" when offered by its stat, before it is read */
    int64_t bytes;
    int64_t mtime_ns;           /* the original's modification time, 0 when unknown
                                 * (fetched pages and produced exports) */
} cw_landed;

/* Source keys landing reads, accepted for every source type (registry.c). */
extern const char *const cw_landing_keys[];

/* Check those keys: print "FILE:LINE: key: message" and return -1 on error. */
int cw_landing_validate(const cw_source *src);

/* Called once per landed file; return non-zero to stop.  A configured file
 * is offered before it is copied, twice at most (landed NULL, no error):
 *   - first by its stat alone: size and mtime_ns, sha256 "".  Returning
 *     CW_LAND_HASH reads it for its checksum and offers it again; returning
 *     0 passes it over without reading a byte (a file loaded before, known
 *     by its path, size and modification time, as make and rsync know one);
 *   - then with its checksum and size (CW_LAND_COPY at the first offer reads it
 *     too): returning CW_LAND_COPY lands it and
 *     calls again with the copy, returning 0 passes it over without copying
 *     a byte (a file loaded before, known by its checksum). */
typedef int (*cw_landed_fn)(void *ctx, const cw_landed *file);
#define CW_LAND_COPY 2
#define CW_LAND_HASH 3

/* A batch folder name: UTC time plus pid, unique even when a batch rolls back
 * and its id is reused.  Caller frees. */
char *cw_landing_batch_dir(const char *landing_root);

/* Land every file of a source (path = a file, a folder or a glob; sorted by
 * name; subfolders are passed over), or run its produce hook.  A file that
 * cannot be landed (a symbolic link not followed, not a regular file,
 * unreadable) reaches fn with `error` set (fn reports it), and the others
 * go on.  Returns 0,
 * 1 when the path names no file at all (logged), -1 when the source failed
 * (produce failed, the landing zone is not writable: logged), or fn's
 * non-zero value. */
int cw_land_source(const cw_source *src, const cw_source_type *type, const char *batch_dir,
                   cw_landed_fn fn, void *ctx);

/* Land the pages a live extraction already wrote into BATCH/<source>/:
 * checksum each (sorted by name, i.e. in fetch order), make it read-only and
 * hand it to fn.  Returns 0 or fn's non-zero value. */
int cw_land_fetched(const cw_source *src, const char *batch_dir, cw_landed_fn fn, void *ctx);

/* Offer the files a batch landed for a source (BATCH/<source>/, sorted by
 * name, i.e. in landing order) to fn again, read in place and never
 * changed: `catwalk rebuild` replays the landing zone.  0 (also when the
 * batch landed nothing of the source) or fn's non-zero value. */
int cw_land_replay(const cw_source *src, const char *batch_dir, cw_landed_fn fn, void *ctx);

/* Remove the empty source folders of a batch, and the batch folder when
 * nothing landed in it (a re-run whose files were all known). */
void cw_landing_prune(const char *batch_dir);

/* A `run` marks its batch folder as in progress (an empty ".catwalk-run"
 * file) from before the first byte lands until it ends; cw_landing_end
 * removes the mark and prunes.  A run killed in between leaves the mark. */
int cw_landing_begin(const char *batch_dir);
void cw_landing_end(const char *batch_dir);

/* 1 when the warehouse recorded files of the batch folder NAME, 0 when not,
 * -1 on error (the folder is then kept). */
typedef int (*cw_landing_known_fn)(void *ctx, const char *name);

/* At the start of a run: every marked batch folder whose run is gone (its
 * pid is not alive) is removed when the warehouse knows none of its files
 * (the run was killed before it committed), else only unmarked.  Folders
 * of `catwalk extract` carry no mark and are kept. */
void cw_landing_sweep(const char *landing_root, cw_landing_known_fn known, void *ctx);

/* The names of the batch folders under landing_root, oldest first (their
 * names start with the UTC second the batch began), that no run is
 * writing (no run mark): what `catwalk rebuild` replays.  0 (an absent root
 * is empty), or -1 when it cannot be read.  Free with cw_strlist_free. */
int cw_landing_batches(const char *landing_root, cw_strlist *out);

/* Remove a batch folder after a rollback (best effort). */
void cw_landing_discard(const char *batch_dir);

#endif
