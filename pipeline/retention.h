/*
 * retention.h - landing retention: `[landing] keep_days = N` and/or
 * `keep_batches = N`, applied at the end of `catwalk run`, never deleting
 * what a rebuild (rebuild.h) still needs.
 *
 * Limits.  A batch folder is kept while it is one of the newest
 * keep_batches folders, or while it is younger than keep_days (its name
 * holds the UTC second its batch began); with both keys, either keeps it.
 * A folder past every configured limit has expired.  No key: nothing
 * expires.
 *
 * What a rebuild needs.  A rebuild replays every folder in order, and a
 * record of an old file may still be the one the warehouse holds (the
 * warehouse upserts; no later file need repeat it).  So a landed file is
 * needed by a rebuild unless a checkpoint covers it: a checkpoint is a copy
 * of the warehouse made right after a run committed (LANDING/checkpoint/
 * NAME.db, NAME the batch folder name of that run), and it covers every
 * folder whose name sorts before or at NAME (every batch landed before that
 * run began, loaded or passed over).  A rebuild starts from a copy of the
 * newest checkpoint and replays the folders after it.
 *
 * So retention, when a folder has expired that no checkpoint covers, first
 * makes a checkpoint of the warehouse as this run left it (SQLite: VACUUM
 * INTO, written aside and renamed), then deletes the expired folders (all
 * covered by now) and the older checkpoints.  When no checkpoint can be
 * made (a PostgreSQL warehouse: catwalk makes no copy of a server
 * database; or the copy failed) nothing is deleted and the log says why.
 * Nothing outside the landing folder is ever deleted; the log says how many
 * folders, files and bytes went.
 */
#ifndef CW_RETENTION_H
#define CW_RETENTION_H

#include <stdint.h>
#include "../core/config.h"
#include "../load/db.h"

/* What retention did (for the log and the tests). */
typedef struct cw_retention_stats {
    long expired;               /* folders past the limits */
    long folders, files;        /* deleted */
    int64_t bytes;
    int checkpointed;           /* a checkpoint was made */
} cw_retention_stats;

/* At the end of a run that committed (db: the warehouse, no transaction
 * open; batch_dir: this run's folder).  Never fails the run: a folder that
 * cannot be deleted or a checkpoint that cannot be made is a warning. */
void cw_retention_apply(const cw_config *cfg, cw_db *db, const char *batch_dir,
                        cw_retention_stats *stats);

/* The folder name of the newest checkpoint (*name NULL when none; caller
 * frees).  0, or -1 when the landing folder cannot be read. */
int cw_retention_checkpoint(const cw_config *cfg, const char **name);

/* Copy the checkpoint NAME to a new warehouse at target (a SQLite path that
 * does not exist).  0, or -1 (logged). */
int cw_retention_restore(const cw_config *cfg, const char *name, const char *target);

#endif
