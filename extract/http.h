/*
 * http.h - the one HTTP client every live connector uses (libcurl).
 *
 * Written once, shared by every connector: connection reuse (one easy handle
 * per host, keep-alive), timeouts that stay on (connect, low speed, total),
 * TLS verification that stays on (an extra CA file may be added), proxies from
 * the usual environment variables (libcurl reads them), authentication, and
 * the retry policy:
 *
 *   - 429, and 403 with a rate-limit "remaining: 0" header: wait for
 *     Retry-After (seconds or an HTTP date), else X-RateLimit-Reset /
 *     RateLimit-Reset (epoch seconds, or an ISO instant as Jira sends), else
 *     back off;
 *   - 5xx, 408, connection resets, timeouts, and a 2xx body that is not
 *     complete valid JSON when JSON is expected: exponential backoff with
 *     full jitter, from backoff_initial_s doubling to backoff_max_s, up to
 *     max_tries attempts in all;
 *   - any other 4xx fails at once, with the URL (credentials never included)
 *     and the error message of the response body.
 *
 * Credentials never appear in URLs, logs, error messages or landed files.
 *
 * libcurl must be initialised once per process before the first cw_http_new:
 * main() calls curl_global_init(CURL_GLOBAL_DEFAULT) (and curl_global_cleanup
 * at exit); unit tests call it themselves.  A cw_http is used by one thread at
 * a time; parallel fetches use one cw_http each.
 */
#ifndef CW_HTTP_H
#define CW_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include "../core/util.h"

typedef struct cw_http cw_http;

typedef struct cw_http_options {
    int max_tries;              /* attempts per request, default 6 */
    double backoff_initial_s;   /* default 1 */
    double backoff_max_s;       /* default 60; also caps a server-requested wait at 10x this */
    long connect_timeout_s;     /* default 15 */
    long low_speed_time_s;      /* abort when under 1 byte/s for this long, default 60 */
    long timeout_s;             /* whole request, default 600 */
    const char *ca_file;        /* extra CA bundle (corporate CA), or NULL */
    const char *user_agent;     /* default "catwalk/VERSION" */
    unsigned int jitter_seed;   /* 0 = from time; tests pin it */
} cw_http_options;

typedef enum cw_auth_kind {
    CW_AUTH_NONE,
    CW_AUTH_BEARER,             /* Authorization: Bearer SECRET (GitHub, GitLab, Jira DC PAT) */
    CW_AUTH_BASIC,              /* user:SECRET (Jira Cloud email + API token, Jenkins, ServiceNow) */
    CW_AUTH_PAGERDUTY,          /* Authorization: Token token=SECRET */
    CW_AUTH_OPSGENIE,           /* Authorization: GenieKey SECRET */
    CW_AUTH_HEADER              /* header_name: SECRET (GitLab PRIVATE-TOKEN) */
} cw_auth_kind;

typedef struct cw_http_auth {
    cw_auth_kind kind;
    const char *user;           /* for BASIC */
    const char *secret;         /* token or password; never logged */
    const char *header_name;    /* for HEADER */
} cw_http_auth;

typedef struct cw_http_request {
    const char *url;            /* absolute URL, no credentials in it */
    const cw_http_auth *auth;   /* may be NULL */
    const char *accept;         /* Accept header, default application/json */
    const char *const *headers; /* extra "Name: value" lines, NULL-terminated, or NULL */
    int expect_json;            /* 1: a body that does not parse as JSON is retried */
} cw_http_request;

typedef struct cw_http_header {
    char *name;
    char *value;
} cw_http_header;

typedef struct cw_http_response {
    long status;
    cw_buf body;                /* raw bytes, NUL-terminated */
    cw_http_header *headers;    /* of the final attempt, in order */
    size_t n_headers;
} cw_http_response;

/* Counters of one source's extraction (the batch audit table stores them). */
typedef struct cw_http_stats {
    long requests;              /* attempts sent, retries included */
    long retries;
    long rate_limit_waits;
    double waited_s;            /* total time slept before retries */
    int64_t bytes;              /* response body bytes received */
} cw_http_stats;

cw_http *cw_http_new(const cw_http_options *opt);   /* NULL options = defaults */
void cw_http_free(cw_http *http);

/* GET with the retry policy.  Returns 0 with a 2xx response in resp (caller
 * frees with cw_http_response_free), or -1 with a message in err naming the
 * URL and the reason (status and the response's own error message, or the
 * transport error) after the last attempt. */
int cw_http_get(cw_http *http, const cw_http_request *req, cw_http_response *resp,
                cw_http_stats *stats, char *err, size_t errlen);
void cw_http_response_free(cw_http_response *resp);

/* A header of the response (case-insensitive), or NULL. */
const char *cw_http_response_header(const cw_http_response *resp, const char *name);
/* The URL of a Link header relation (rel="next"), or NULL; caller frees. */
char *cw_http_link(const cw_http_response *resp, const char *rel);

/* Percent-encode a query value (libcurl's curl_easy_escape); caller frees. */
char *cw_http_escape(const char *value);

#endif
