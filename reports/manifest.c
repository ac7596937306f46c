/*
 * manifest.c - the report's run manifest (exec.h): what the report was built
 * from, so an analyst can trust a re-run, or see why it differs.
 *
 *   version        catwalk's (core/version.h)
 *   config_sha256  the configuration file's bytes (NULL without a config)
 *   inputs         per source, the files the warehouse loaded and one
 *                  SHA-256 over their landed checksums in landing order
 *                  (landed_file_id): equal digests, equal inputs
 *   as_of          the instant the report describes (cw_now(): CW_NOW, or
 *                  `report --as-of`), with the window r->from .. r->to
 *   seed           the forecasts' random seed ([forecast] seed, default 1)
 *   last_batch     the newest batch the warehouse holds
 *
 * The digest of a source is over the lines "<sha256>\n" of its files; a
 * file read twice (again for its deferred rejects) keeps its one ledger row.
 */
#include "report.h"
#include "../core/log.h"
#include "../core/sha256.h"
#include "../core/time.h"
#include "../core/version.h"

#include <stdio.h>
#include <string.h>

/* The forecasts' seed without a configuration (tests): [forecast] seed's
 * default (metrics.md "Forecast details"). */
#define DEFAULT_SEED "1"

static const char *const INPUTS_SQL =
    "SELECT source, sha256 FROM landed_file ORDER BY source, landed_file_id";
static const char *const LAST_BATCH_SQL = "SELECT COALESCE(MAX(batch_id), 0) FROM batch";

/* One source's files, hashed as they are read. */
typedef struct input_acc {
    char source[CW_NAME_MAX + 1];
    long files;
    cw_sha256 sha;
} input_acc;

static void flush_input(cw_report *r, input_acc *acc)
{
    char hex[65];
    cw_report_input in = {0};
    if (!acc->files)
        return;
    cw_sha256_final_hex(&acc->sha, hex);
    in.source = acc->source;
    in.files = acc->files;
    in.sha256 = hex;
    cw_report_add_input(r, &in);
    acc->files = 0;
}

static void add_file(cw_report *r, input_acc *acc, const char *source, const char *sha256)
{
    if (acc->files && strcmp(acc->source, source) != 0)
        flush_input(r, acc);
    if (!acc->files) {
        snprintf(acc->source, sizeof acc->source, "%s", source);
        cw_sha256_init(&acc->sha);
    }
    cw_sha256_update(&acc->sha, sha256, strlen(sha256));
    cw_sha256_update(&acc->sha, "\n", 1);
    acc->files++;
}

static int gather_inputs(cw_db *db, cw_report *r)
{
    cw_stmt *st = NULL;
    input_acc acc = {0};
    char unused[65];
    int rc = cw_db_prepare(db, INPUTS_SQL, &st);
    while (rc == CW_DB_OK && (rc = cw_db_step(st)) == CW_DB_ROW) {
        const char *source = cw_db_column_text(st, 0), *sha256 = cw_db_column_text(st, 1);
        add_file(r, &acc, source ? source : "", sha256 ? sha256 : "");
        rc = CW_DB_OK;
    }
    if (rc == CW_DB_DONE)
        flush_input(r, &acc);
    else if (acc.files)
        cw_sha256_final_hex(&acc.sha, unused);   /* frees the context */
    cw_db_finalize(st);
    if (rc != CW_DB_DONE)
        cw_error("report: the manifest's inputs: %s", cw_db_errmsg(db));
    return rc == CW_DB_DONE ? 0 : -1;
}

int cw_report_gather_manifest(cw_db *db, cw_report *r)
{
    cw_report_manifest *m = &r->exec.manifest;
    const cw_config *cfg = r->exec.cfg;
    char hex[65];
    int64_t last = 0;
    m->version = cw_report_intern(r, CW_VERSION);
    m->config_sha256 = cfg && cw_sha256_file(cfg->path, hex) == 0 ? cw_report_intern(r, hex) : NULL;
    if (cfg) {
        char seed[24];
        snprintf(seed, sizeof seed, "%llu", (unsigned long long)cfg->forecast_seed);
        m->seed = cw_report_intern(r, seed);
    } else
        m->seed = cw_report_intern(r, DEFAULT_SEED);
    m->as_of = cw_now();
    if (cw_db_query_int(db, LAST_BATCH_SQL, &last) != 0) {
        cw_error("report: the manifest's last batch: %s", cw_db_errmsg(db));
        return -1;
    }
    m->last_batch = (long)last;
    return gather_inputs(db, r);
}
