/*
 * forecast.c - the report's forecasts (exec.h; metrics.md "Forecast"): every
 * open release's forecast as it stood at the report's as-of instant
 * (cw_now(), which `--as-of` pins; now: as the last derivation made it), by
 * the rule of v_forecast_made (reports/sql/forecast.sql; forecast rule in
 * transform/forecast.h), at-risk first, then by P85, and the P85 hit
 * rate of the forecasts scored so far (v_forecast_calibration).  With
 * r->exec.team_slice set, that team's releases and scores only.  The
 * window does not filter: forecasts look forward from their as_of.
 */
#include "report.h"
#include "../core/log.h"
#include "../core/record.h"
#include "../core/sqlset.h"
#include "../core/time.h"

#include <math.h>

#define SQL_FILE "reports/sql/forecast_gather.sql"

static int64_t col_time(cw_stmt *st, int i)
{
    return cw_db_column_type(st, i) == CW_DB_NULL ? 0 : cw_db_column_int(st, i);
}

static void read_forecast(cw_report *r, cw_stmt *st)
{
    cw_report_forecast f = { 0 };
    f.release = cw_db_column_text(st, 0);
    f.application = cw_db_column_text(st, 1);
    f.team = cw_db_column_text(st, 2);
    f.planned_at = col_time(st, 3);
    f.remaining = (long)cw_db_column_int(st, 4);
    f.has_forecast = cw_db_column_int(st, 5) != 0;
    f.p50_at = col_time(st, 6);
    f.p85_at = col_time(st, 7);
    f.p95_at = col_time(st, 8);
    f.items_by_planned_85 = cw_db_column_type(st, 9) == CW_DB_NULL ? -1
                                                                   : (long)cw_db_column_int(st, 9);
    f.at_risk = cw_db_column_int(st, 10) != 0;
    f.critical_dependency = cw_db_column_text(st, 11);
    f.reason = cw_db_column_text(st, 12);
    cw_report_add_forecast(r, &f);
}

static void read_calibration(cw_report *r, cw_stmt *st)
{
    long scored = (long)cw_db_column_int(st, 0);
    r->exec.forecasts_scored = scored;
    r->exec.forecast_hit_rate = scored ? (double)cw_db_column_int(st, 1) / (double)scored : NAN;
}

/* Run a statement of SQL_FILE with ?1 = the team slice and, when as_of,
 * ?2 = the report's as-of instant.  0, or -1 (logged). */
static int each_row(cw_db *db, const cw_sqlset *sql, const char *name, int as_of, cw_report *r,
                    void (*fn)(cw_report *, cw_stmt *))
{
    cw_stmt *st = NULL;
    int rc;
    if (cw_db_prepare(db, cw_sqlset_get(sql, name), &st) != CW_DB_OK ||
        cw_db_bind_str(st, 1, r->exec.team_slice) != CW_DB_OK ||
        (as_of && cw_db_bind_int(st, 2, cw_now()) != CW_DB_OK)) {
        cw_error("report: forecasts: %s: %s", name, cw_db_errmsg(db));
        cw_db_finalize(st);
        return -1;
    }
    while ((rc = cw_db_step(st)) == CW_DB_ROW)
        fn(r, st);
    if (rc != CW_DB_DONE)
        cw_error("report: forecasts: %s: %s", name, cw_db_errmsg(db));
    cw_db_finalize(st);
    return rc == CW_DB_DONE ? 0 : -1;
}

int cw_report_gather_forecasts(cw_db *db, cw_report *r)
{
    cw_sqlset *sql = cw_sqlset_new();
    int rc = cw_sqlset_load(sql, SQL_FILE);
    r->exec.forecast_hit_rate = NAN;
    r->exec.forecasts_scored = 0;
    if (rc == 0)
        rc = each_row(db, sql, "forecasts", 1, r, read_forecast);
    if (rc == 0)
        rc = each_row(db, sql, "calibration", 0, r, read_calibration);
    cw_sqlset_free(sql);
    return rc;
}
