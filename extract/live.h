/*
 * live.h - run the live extraction of every source that has a base_url.
 *
 * Sources are fetched before the batch transaction opens (network time never
 * holds the warehouse's write lock), a few at a time: sources on different
 * hosts run in parallel, sources on the same host one after another, so no
 * host sees more than one of our connections at once.  Each source's pages
 * land in LANDING/<batch>/<source>/; the batch then parses them like files.
 */
#ifndef CW_LIVE_H
#define CW_LIVE_H

#include <stdint.h>
#include "../core/config.h"
#include "http.h"

#define CW_LIVE_WORKERS 4

typedef struct cw_live_result {
    int attempted;              /* the source is live */
    int ok;                     /* fetched completely */
    int64_t since;              /* watermark used, CW_NO_TIME for a full extract */
    cw_http_stats stats;
    long pages, items, files;
    double elapsed_s;
    char error[512];
} cw_live_result;

/* 1 when the source is extracted live (it has base_url and its type can fetch). */
int cw_source_is_live(const cw_source *src);

/* The overlap subtracted from a watermark: the source's `overlap` key in
 * hours, default 1. */
int64_t cw_live_overlap_s(const cw_source *src);

/* Check, before anything runs, what a live source needs at run time: its
 * credentials (variable set, token file private), auth scheme and HTTP
 * options.  Errors print as FILE:LINE: key: message; returns how many
 * sources failed the check. */
int cw_live_check(const cw_config *cfg);

/* Fetch every live source of cfg into batch_dir.  since[i] is the watermark
 * for cfg->sources[i] (CW_NO_TIME = full).  results has cfg->n_sources slots.
 * Returns the number of live sources that failed. */
int cw_live_extract(const cw_config *cfg, const int64_t *since, const char *batch_dir,
                    int dry_run, cw_live_result *results);

#endif
