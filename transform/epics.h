/*
 * epics.h - the hierarchy roll-up step: derived_hierarchy (item -> epic ->
 * theme) and the "hierarchy cycle" findings, from dim_work_item and
 * fact_work_item_link, by the rule of transform/hierarchy.h.
 *
 * Run at every derivation, full or incremental (pipeline/derive.c): it
 * recomputes both in full, which costs O(items + links) and so needs no
 * incremental form of its own; a re-run of the same input writes the same
 * rows.
 */
#ifndef CW_EPICS_H
#define CW_EPICS_H

#include "../load/db.h"

/* db is the warehouse connection, inside the batch transaction.  0, or -1
 * (logged). */
int cw_hierarchy_derive(cw_db *db);

#endif
