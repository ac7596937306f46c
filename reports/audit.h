/*
 * audit.h - the audit evidence workbook and CSV (issue 9, capability 5):
 * one row per deployed change, that is per (successful production
 * deployment, commit), with its build, author, message, the items it
 * carries, their gate passages, and the gaps an auditor asks about.
 */
#ifndef CW_AUDIT_H
#define CW_AUDIT_H

#include <stdint.h>
#include "../load/db.h"

/* What to list: the deployments carrying a commit of an item of release
 * (a fix version) when release is not NULL, else those finishing in
 * [from, to). */
typedef struct cw_audit_query {
    int64_t from, to;
    const char *release;
} cw_audit_query;

/* Write DIR/catwalk-audit-<release or from_to>.xlsx and .csv (the folder is
 * created); *xlsx and *csv receive the paths (the caller frees them), and
 * *rows the number of deployed changes.  Returns 0, or -1 after logging why
 * (a file that could not be written is left as it was). */
int cw_audit_write(cw_db *db, const cw_audit_query *q, const char *out_dir, char **xlsx,
                   char **csv, size_t *rows);

#endif
