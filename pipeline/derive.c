/*
 * derive.c - resolve, correlate and views, or nothing when nothing changed
 * (see derive.h for the rule).
 */
#include "derive.h"
#include "../core/log.h"
#include "../core/sha256.h"
#include "../core/util.h"
#include "../reports/metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SHA-256 of a whole file in hex; -1 when it cannot be read (the
 * fingerprint is then unknown, and the step always runs). */
static int file_digest(const char *path, char hex[65])
{
    size_t len = 0;
    char *text = cw_read_file(path, &len);
    cw_sha256 sha;
    if (!text)
        return -1;
    cw_sha256_init(&sha);
    cw_sha256_update(&sha, text, len);
    cw_sha256_final_hex(&sha, hex);
    free(text);
    return 0;
}

/* The fingerprint of derive.h, or NULL when a part cannot be read. */
static char *fingerprint(const cw_config *cfg)
{
    char exe[65], conf[65];
    if (file_digest("/proc/self/exe", exe) != 0 || file_digest(cfg->path, conf) != 0)
        return NULL;
    return cw_asprintf("catwalk %s config %s schema %d", exe, conf, CW_SCHEMA_VERSION);
}

/* 1 when the derived tables already are what derivation would write. */
static int up_to_date(cw_warehouse *wh, const char *want)
{
    char *have = NULL;
    int same;
    if (!want || cw_wh_stats(wh)->rows_read > 0)
        return 0;
    if (cw_wh_derived_by(wh, &have) != 0)
        return -1;
    same = have && strcmp(have, want) == 0;
    free(have);
    return same;
}

int cw_derive(cw_warehouse *wh, const cw_config *cfg, cw_correlate_stats *stats, int *kept)
{
    char *want = fingerprint(cfg);
    int same = up_to_date(wh, want), rc;
    *kept = same == 1;
    if (same < 0) {
        rc = -1;
    } else if (same) {
        cw_info("nothing new since the last batch: derived tables kept as they are");
        rc = cw_correlate_counts(cw_wh_db(wh), stats);
    } else {
        rc = cw_wh_resolve(wh) != 0 || cw_correlate(cw_wh_db(wh), cfg, stats) != 0 ||
             cw_metrics_install_views(cw_wh_db(wh)) != 0 ? -1 : 0;
    }
    if (rc == 0 && want)
        rc = cw_wh_batch_derived(wh, want);
    free(want);
    return rc;
}
