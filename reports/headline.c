/*
 * headline.c - the report's headline (exec.h).  STUB: laid down so the parts of
 * issue 10 can be built in parallel; replaced by the real gather step.
 */
#include "report.h"

int cw_report_gather_headline(cw_db *db, cw_report *r)
{
    (void)db;
    (void)r;
    return 0;
}
