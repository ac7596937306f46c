/*
 * trust.c - the report's data-trust banner (exec.h): is what follows built
 * on good data?
 *
 * A report is read as true unless it says otherwise, so before the figures
 * it says, per source, when it last loaded successfully and how its latest
 * run went (a failed Jira source must not yield a quiet report of stale
 * numbers), the rejected records, what maps to no application (work items,
 * incident services), and the data-quality findings of the window that
 * touch the headline's figures (metrics.md "Data-quality findings"), one
 * line each with the count and the metrics it affects.
 *
 * degraded: a source failed or loaded nothing in the latest batch that ran
 * sources; the banner is then a warning.  The sources and findings are the
 * warehouse's, not a team's: a team's slice shows the same banner.
 *
 * The SQL is reports/sql/trust_sources.sql, trust_unmapped.sql and the
 * findings of the Data quality section (the built-in
 * templates/sql/report_quality.sql, as `catwalk check --data`), so the banner
 * and that sheet count the same findings.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "../core/embedded.h"
#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"

#define SOURCES_SQL  "reports/sql/trust_sources.sql"
#define UNMAPPED_SQL "reports/sql/trust_unmapped.sql"
#define QUALITY_SQL  "templates/sql/report_quality.sql"

static cw_stmt *prepare(cw_db *db, const char *path)
{
    const char *sql = cw_embedded_get(path);
    cw_stmt *st = NULL;
    if (!sql)
        cw_error("report: trust: %s is not embedded in this binary", path);
    else if (cw_db_prepare(db, sql, &st) != CW_DB_OK)
        cw_error("report: trust: %s: %s", path, cw_db_errmsg(db));
    return st;
}

/* Step st to its end, each row to add(r, st); 0, or -1 (logged). */
static int run_rows(cw_db *db, cw_stmt *st, int rc, const char *path, cw_report *r,
                    void (*add)(cw_report *, cw_stmt *))
{
    while (rc == CW_DB_OK && (rc = cw_db_step(st)) == CW_DB_ROW) {
        add(r, st);
        rc = CW_DB_OK;
    }
    if (rc != CW_DB_DONE)
        cw_error("report: trust: %s: %s", path, cw_db_errmsg(db));
    cw_db_finalize(st);
    return rc == CW_DB_DONE ? 0 : -1;
}

/* ------------------------------------------------------------ sources */

/* The configured type of a source dim_source does not know yet. */
static const char *configured_type(const cw_config *cfg, const char *source)
{
    for (size_t i = 0; cfg && source && i < cfg->n_sources; i++)
        if (strcmp(cfg->sources[i].name, source) == 0)
            return cfg->sources[i].type;
    return NULL;
}

static void add_source(cw_report *r, cw_stmt *st)
{
    cw_report_source_state s = {
        .source = cw_db_column_text(st, 0),
        .type = cw_db_column_text(st, 1),
        .last_ok_at = cw_db_column_type(st, 2) == CW_DB_NULL ? 0 : cw_db_column_int(st, 2),
        .last_status = cw_db_column_text(st, 3),
        .error = cw_db_column_text(st, 4),
        .rejects = (long)cw_db_column_int(st, 5),
    };
    int in_last_batch = cw_db_column_int(st, 6) != 0;
    if (!s.type)
        s.type = configured_type(r->exec.cfg, s.source);
    if (in_last_batch && s.last_status && strcmp(s.last_status, "ok") != 0)
        r->exec.trust.degraded = 1;
    cw_report_add_source_state(r, &s);
}

static void add_unmapped(cw_report *r, cw_stmt *st)
{
    r->exec.trust.unmapped_items = (long)cw_db_column_int(st, 0);
    r->exec.trust.unmapped_services = (long)cw_db_column_int(st, 1);
    r->exec.trust.rejects = (long)cw_db_column_int(st, 2);
}

/* ------------------------------------------------------------ findings */

/* The output fields behind the headline's figures; a finding affecting one
 * of them (or every metric of its source) is on the banner. */
static int touches_headline(const char *affects)
{
    static const char *const fields[] = {
        "deployments", "deploy_days", "lead_time", "change_failure_rate", "failed_deployments",
        "incidents", "restore",
    };
    const char *p = affects;
    if (!affects)
        return 0;
    if (strncmp(affects, "every metric", 12) == 0)
        return 1;
    while (*p) {
        size_t n;
        p += strspn(p, ", ");
        n = strcspn(p, ",");
        while (n > 0 && p[n - 1] == ' ')
            n--;
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            if (n == strlen(fields[i]) && strncmp(p, fields[i], n) == 0)
                return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

/* One line per kind (its first example row carries the kind's count):
 * "untraceable deployment: 4 (affects lead_time, traceability)". */
static void add_finding(cw_report *r, cw_stmt *st)
{
    const char *kind = cw_db_column_text(st, 0), *affects = cw_db_column_text(st, 1);
    long n = (long)cw_db_column_int(st, 2);
    char *words, *line;
    if (cw_db_column_int(st, 3) != 1 || !kind || !touches_headline(affects))
        return;
    words = cw_strdup(kind);
    for (char *c = words; *c; c++)
        if (*c == '_')
            *c = ' ';
    line = cw_asprintf("%s: %ld (affects %s)", words, n, affects);
    cw_report_add_trust_finding(r, line);
    free(line);
    free(words);
}

/* ------------------------------------------------------------ gather */

int cw_report_gather_trust(cw_db *db, cw_report *r)
{
    cw_stmt *st;
    int rc;
    if (!(st = prepare(db, SOURCES_SQL)) ||
        run_rows(db, st, cw_db_bind_int(st, 1, cw_now()), SOURCES_SQL, r, add_source) != 0)
        return -1;
    if (!(st = prepare(db, UNMAPPED_SQL)) ||
        run_rows(db, st, CW_DB_OK, UNMAPPED_SQL, r, add_unmapped) != 0)
        return -1;
    if (!(st = prepare(db, QUALITY_SQL)))
        return -1;
    rc = cw_db_bind_int(st, 1, r->from);
    if (rc == CW_DB_OK)
        rc = cw_db_bind_int(st, 2, r->to);
    return run_rows(db, st, rc, QUALITY_SQL, r, add_finding);
}
