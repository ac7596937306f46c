/*
 * forecast.c - the report's forecast (exec.h).  STUB: laid down so the parts of
 * issue 10 can be built in parallel; replaced by the real gather step.
 */
#include "report.h"

int cw_report_gather_forecasts(cw_db *db, cw_report *r)
{
    (void)db;
    (void)r;
    return 0;
}
