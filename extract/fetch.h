/*
 * fetch.h - live extraction: the pagination loop, page landing, watermarks.
 *
 * A connector's fetch() describes its endpoints; everything else happens
 * here, once: requests through the shared HTTP client (extract/http.h), each
 * page's bytes landed untouched as LANDING/<batch>/<source>/NNNNN-<name>.json
 * (the same parser then reads them, exactly as it reads a dropped file), item
 * counting, and the cursor rules real APIs use.
 */
#ifndef CW_FETCH_H
#define CW_FETCH_H

#include <jansson.h>
#include <stdint.h>
#include "../core/config.h"
#include "credentials.h"
#include "http.h"

/* How the next page is found. */
typedef enum cw_paging {
    CW_PAGING_NONE,             /* one request */
    CW_PAGING_LINK,             /* Link: <...>; rel="next", even after a short or empty page
                                   (GitHub, ServiceNow); with offset_param, X-Total-Count
                                   when a response has no Link header */
    CW_PAGING_NEXT_PAGE,        /* X-Next-Page header, stop on an empty or short page (GitLab) */
    CW_PAGING_START_AT,         /* startAt/maxResults/total in the body (Jira classic, agile) */
    CW_PAGING_TOKEN,            /* nextPageToken/isLast in the body (Jira /search/jql) */
    CW_PAGING_OFFSET_MORE,      /* offset/limit/more in the body (PagerDuty) */
    CW_PAGING_OFFSET_SHORT,     /* offset parameter, stop on an empty or short page */
    CW_PAGING_PAGE_SHORT,       /* page=N parameter, stop on an empty or short page */
    CW_PAGING_RANGE             /* Jenkins tree ranges: the url holds "{RANGE}", replaced by
                                   "{M,N}" (URL-encoded) for M = 0, page_size, ...; stop on a short page */
} cw_paging;

typedef struct cw_endpoint {
    const char *name;           /* file name stem of its landed pages: "issues", "incidents" */
    const char *url;            /* first page, with every fixed query parameter */
    cw_paging paging;
    const char *items;          /* dotted JSON path of the item array; "" = the body is the array */
    const char *offset_param;   /* START_AT: "startAt"; OFFSET_*: "offset"/"sysparm_offset";
                                   PAGE_SHORT: "page"; TOKEN: "nextPageToken" */
    int page_size;              /* items a full page holds (short-page rules) */
    long max_offset;            /* OFFSET_MORE: stop before offset+limit exceeds it (PagerDuty 10000); 0 = none */
    const char *accept;         /* Accept header, NULL = application/json */
    const char *const *headers; /* extra "Name: value" lines, NULL-terminated, or NULL */
} cw_endpoint;

/* What a connector's fetch() gets. */
typedef struct cw_fetch cw_fetch;

struct cw_fetch {
    const cw_source *src;
    cw_credentials cred;        /* owned; auth points into it */
    cw_http *http;
    const cw_http_auth *auth;
    const char *base_url;       /* the source's base_url, without a trailing slash */
    const char *dest_dir;       /* LANDING/<batch>/<source> */
    int64_t since;              /* incremental watermark (UTC s), CW_NO_TIME for a full extract */
    int dry_run;                /* print the requests instead of sending them */
    cw_http_stats stats;
    long pages, items;
    long files_written;
    int page_size;              /* the source's page_size key, default 100 */
    int capped;                 /* the last cw_fetch_pages stopped at max_offset */
    char error[512];            /* first error, for the audit row */
};

/* Set up / tear down the shared state of one source's live extraction
 * (HTTP client from the source's keys, credentials).  Returns 0, or -1 after
 * printing a configuration error. */
int cw_fetch_init(cw_fetch *f, const cw_source *src, const char *dest_dir, int64_t since,
                  int dry_run, cw_auth_kind default_auth);
void cw_fetch_cleanup(cw_fetch *f);

/* Called for each page after it has landed; the JSON is the whole page.
 * Return 0 to go on, 1 to stop this endpoint early, -1 to fail. */
typedef int (*cw_page_fn)(void *ctx, json_t *page, const cw_http_response *resp);

/* Fetch every page of an endpoint (page_fn may be NULL).  Returns 0, or -1
 * after recording the error in f->error. */
int cw_fetch_pages(cw_fetch *f, const cw_endpoint *ep, cw_page_fn page_fn, void *ctx);

/* Land an arbitrary fetched body (a detail call) as NNNNN-<name>.json. */
int cw_fetch_land(cw_fetch *f, const char *name, const char *body, size_t len);

/* The source's base_url joined with a path ("/rest/api/2/search?jql=..."); caller frees. */
char *cw_fetch_url(const cw_fetch *f, const char *path_fmt, ...) __attribute__((format(printf, 2, 3)));

/* The watermark as an ISO-8601 UTC string for query parameters ("" when full). */
void cw_fetch_since_iso(const cw_fetch *f, char *buf, size_t size);

#endif
