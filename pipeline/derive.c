/*
 * derive.c - resolve, correlate and views, or nothing when nothing changed
 * (see derive.h for the rule).
 */
#include "derive.h"
#include "../core/log.h"
#include "../core/sha256.h"
#include "../core/util.h"
#include "../reports/metrics.h"
#include "../transform/releases.h"
#include "../transform/epics.h"
#include "../transform/forecasts.h"
#include "../core/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fingerprint of derive.h, or NULL when a part cannot be read. */
static char *fingerprint(const cw_config *cfg)
{
    char exe[65], conf[65];
    /* a part that cannot be read leaves the fingerprint unknown: the step runs */
    if (cw_sha256_file("/proc/self/exe", exe) != 0 || cw_sha256_file(cfg->path, conf) != 0)
        return NULL;
    return cw_asprintf("catwalk %s config %s schema %d", exe, conf, CW_SCHEMA_VERSION);
}

int cw_derive_begin(cw_warehouse *wh, const cw_config *cfg, cw_derivation *d)
{
    char *have = NULL;
    d->fingerprint = fingerprint(cfg);
    d->current = 0;
    if (!d->fingerprint)
        return 0;
    if (cw_wh_derived_by(wh, &have) != 0)
        return -1;
    d->current = have && strcmp(have, d->fingerprint) == 0;
    free(have);
    return d->current ? cw_wh_track(wh, 1) : 0;
}

void cw_derivation_free(cw_derivation *d)
{
    free(d->fingerprint);
    d->fingerprint = NULL;
}

/* Resolve, correlate and views; incrementally when the tables were current. */
static int derive_now(cw_warehouse *wh, const cw_config *cfg, const cw_derivation *d,
                      cw_correlate_stats *stats)
{
    if (cw_wh_resolve(wh) != 0)
        return -1;
    if (d->current) {
        cw_info("deriving incrementally: only what this batch's rows change");
        if (cw_correlate_delta(cw_wh_db(wh), cfg, stats) != 0)
            return -1;
    } else if (cw_correlate(cw_wh_db(wh), cfg, stats) != 0 || cw_wh_analyze(wh) != 0) {
        return -1;
    }
    /* release scope: recomputed in full on both paths (transform/releases.h) */
    if (cw_releases_derive(cw_wh_db(wh)) != 0)
        return -1;
    /* O(items): recomputed in full on both paths (transform/epics.h) */
    if (cw_hierarchy_derive(cw_wh_db(wh)) != 0)
        return -1;
    /* after the flow and the release scope; in full on both paths
     * (transform/forecasts.h) */
    if (cw_forecasts_derive(cw_wh_db(wh), cfg, cw_now()) != 0)
        return -1;
    return cw_metrics_install_views(cw_wh_db(wh));
}

int cw_derive(cw_warehouse *wh, const cw_config *cfg, cw_derivation *d,
              cw_correlate_stats *stats, int *kept)
{
    int rc;
    *kept = d->current && cw_wh_stats(wh)->rows_read == 0;
    if (*kept) {
        cw_info("nothing new since the last batch: derived tables kept as they are");
        rc = cw_correlate_counts(cw_wh_db(wh), stats);
    } else {
        rc = derive_now(wh, cfg, d, stats);
    }
    if (rc == 0 && d->current)
        rc = cw_wh_track(wh, 0);
    if (rc == 0 && d->fingerprint)
        rc = cw_wh_batch_derived(wh, d->fingerprint);
    cw_derivation_free(d);
    return rc;
}
