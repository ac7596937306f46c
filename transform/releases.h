/*
 * releases.h - the release scope step of a derivation: derived_release and
 * derived_release_item from dim_release, fact_work_item_version, the items'
 * current fix versions, the flow (derived_work_item, derived_status_interval)
 * and the deployment bridges, by the rule of transform/scope.h.
 *
 * Recomputed in full at every derivation, full or incremental
 * (pipeline/derive.c): it reads only items that carry or carried a fix
 * version, their intervals and their commits, so it costs O(items), and the
 * tables are the same whichever path ran.
 *
 * How records find their release.  An item's current fix versions are
 * names (dim_work_item.fix_versions, comma-separated) of its own project's
 * versions: (item project, name).  A Fix Version event names the version by
 * its Jira id when the changelog gives one (a renamed version keeps its id:
 * the changelog says the name it had then), else by (item project, name).
 * Events of a version that is not a known release are left aside.  A
 * renamed version leaves a row under its old name in dim_release (natural
 * key: project, name) with the same Jira id; the row loaded last (the
 * highest release_id) is the version, the others are not measured.
 */
#ifndef CW_RELEASES_H
#define CW_RELEASES_H

#include "../load/db.h"

/* The names of an item's current fix versions (dim_work_item.fix_versions,
 * comma-separated, as the extractors store them): 1 with the next name at
 * *name (*len bytes, may be 0 for an empty entry) and *p moved past it; 0
 * at the end.  Start with *p = the list (NULL is an empty list). */
int cw_fix_version_next(const char **p, const char **name, size_t *len);

/* Rewrite both tables inside the open batch.  0, or -1 (logged). */
int cw_releases_derive(cw_db *db);

#endif
