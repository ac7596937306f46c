/*
 * landing.h - the immutable landing zone.
 *
 * Every batch lands its raw inputs under LANDING/<batch>/<source>/ before
 * anything parses them: the bytes are copied untouched (or produced, for a
 * git source reading a local clone), checksummed with SHA-256 and made
 * read-only.  Parsers only ever read landed copies, so a batch can be
 * audited and re-run from exactly what it saw.
 */
#ifndef CW_LANDING_H
#define CW_LANDING_H

#include <stdint.h>
#include "source.h"

typedef struct cw_landed {
    const char *original;       /* the file as configured (or "git log of PATH") */
    const char *landed;         /* its copy in the landing zone */
    char sha256[65];
    int64_t bytes;
} cw_landed;

/* Called once per landed file; return non-zero to stop. */
typedef int (*cw_landed_fn)(void *ctx, const cw_landed *file);

/* A batch folder name: UTC time plus pid, unique even when a batch rolls back
 * and its id is reused.  Caller frees. */
char *cw_landing_batch_dir(const char *landing_root);

/* Land every file of a source (path = a file, a folder or a glob; sorted by
 * name), or run its produce hook.  Returns 0, -1 when the source failed
 * (no file matched, unreadable file, produce failed: logged with the path),
 * or fn's non-zero value. */
int cw_land_source(const cw_source *src, const cw_source_type *type, const char *batch_dir,
                   cw_landed_fn fn, void *ctx);

/* Land the pages a live extraction already wrote into BATCH/<source>/:
 * checksum each (sorted by name, i.e. in fetch order), make it read-only and
 * hand it to fn.  Returns 0 or fn's non-zero value. */
int cw_land_fetched(const cw_source *src, const char *batch_dir, cw_landed_fn fn, void *ctx);

/* Remove the empty source folders of a batch, and the batch folder when
 * nothing landed in it (a re-run whose files were all known). */
void cw_landing_prune(const char *batch_dir);

/* Remove a batch folder after a rollback (best effort). */
void cw_landing_discard(const char *batch_dir);

#endif
