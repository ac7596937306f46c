/*
 * http.c - the shared libcurl client of every live connector (see http.h).
 *
 * One easy handle per origin (scheme://host:port) lives in the cw_http, so
 * consecutive requests to a host reuse its keep-alive connection.  Each
 * attempt resets the handle's options (curl_easy_reset keeps connections and
 * caches) and sets them afresh, so nothing of one request leaks into the next.
 *
 * Redirects are followed here rather than by libcurl: libcurl drops the
 * Authorization header and Basic credentials on a cross-host redirect, but it
 * would still send a custom header such as GitLab's PRIVATE-TOKEN.  Following
 * them ourselves applies one rule to every auth kind: credentials go only to
 * the origin they were given for.
 *
 * Secrets are only ever placed in curl header lists and curl options; the
 * header strings we build are wiped before they are freed, and every message
 * built from a response body has the secret masked out in case a server
 * echoes it back.
 */
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "../core/json.h"
#include "../core/log.h"
#include "../core/time.h"

#define MAX_REDIRECTS 5
#define ERROR_BODY_BYTES 200
#define SERVER_WAIT_FACTOR 10.0     /* a server wait above 10 x backoff_max fails */

typedef struct host_handle {
    char *origin;               /* "https://api.github.com:443" */
    CURL *easy;
} host_handle;

struct cw_http {
    cw_http_options opt;        /* strings below are owned copies */
    char *ca_file;
    char *user_agent;
    host_handle *hosts;
    size_t n_hosts;
    unsigned int rng;
};

/* The outcome of one attempt, before the retry policy looks at it. */
typedef struct attempt {
    CURLcode rc;
    long status;
    char curl_err[CURL_ERROR_SIZE];
    char *redirect;             /* absolute Location of a 3xx, or NULL */
    cw_http_response resp;
} attempt;

/* What the policy decided about an attempt. */
typedef enum verdict { V_DONE, V_REDIRECT, V_RETRY, V_FAIL } verdict;

/* ------------------------------------------------------------------ client */

static const cw_http_options default_options = {
    .max_tries = 6,
    .backoff_initial_s = 1.0,
    .backoff_max_s = 60.0,
    .connect_timeout_s = 15,
    .low_speed_time_s = 60,
    .timeout_s = 600,
    .ca_file = NULL,
    .user_agent = NULL,
    .jitter_seed = 0,
};

cw_http *cw_http_new(const cw_http_options *opt)
{
    cw_http *http = cw_xcalloc(1, sizeof(*http));
    http->opt = opt ? *opt : default_options;
    if (http->opt.max_tries < 1)
        http->opt.max_tries = default_options.max_tries;
    if (!(http->opt.backoff_initial_s > 0))
        http->opt.backoff_initial_s = default_options.backoff_initial_s;
    if (!(http->opt.backoff_max_s > 0))
        http->opt.backoff_max_s = default_options.backoff_max_s;
    if (http->opt.backoff_max_s < http->opt.backoff_initial_s)
        http->opt.backoff_max_s = http->opt.backoff_initial_s;
    if (http->opt.connect_timeout_s <= 0)
        http->opt.connect_timeout_s = default_options.connect_timeout_s;
    if (http->opt.low_speed_time_s <= 0)
        http->opt.low_speed_time_s = default_options.low_speed_time_s;
    if (http->opt.timeout_s <= 0)
        http->opt.timeout_s = default_options.timeout_s;
    http->ca_file = cw_str_empty(http->opt.ca_file) ? NULL : cw_strdup(http->opt.ca_file);
    http->user_agent = cw_strdup(cw_str_empty(http->opt.user_agent) ? "catwalk/1.0.0"
                                                                    : http->opt.user_agent);
    http->opt.ca_file = http->ca_file;
    http->opt.user_agent = http->user_agent;
    http->rng = http->opt.jitter_seed ? http->opt.jitter_seed
                                      : (unsigned int)time(NULL) ^ ((unsigned int)getpid() << 16);
    return http;
}

void cw_http_free(cw_http *http)
{
    if (!http)
        return;
    for (size_t i = 0; i < http->n_hosts; i++) {
        curl_easy_cleanup(http->hosts[i].easy);
        free(http->hosts[i].origin);
    }
    free(http->hosts);
    free(http->ca_file);
    free(http->user_agent);
    free(http);
}

void cw_http_response_free(cw_http_response *resp)
{
    if (!resp)
        return;
    cw_buf_free(&resp->body);
    for (size_t i = 0; i < resp->n_headers; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    free(resp->headers);
    memset(resp, 0, sizeof(*resp));
}

/* "scheme://host:port" of an absolute URL, or NULL when it is not one. */
static char *url_origin(const char *url)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL, *port = NULL, *origin = NULL;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
        for (char *p = host; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        origin = cw_asprintf("%s://%s:%s", scheme, host, port);
    }
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return origin;
}

/* The URL as it may be shown: any user:password@ part removed. */
static char *display_url(const char *url)
{
    CURLU *u = curl_url();
    char *shown = NULL, *out;
    if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK) {
        curl_url_set(u, CURLUPART_USER, NULL, 0);
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
        curl_url_get(u, CURLUPART_URL, &shown, 0);
    }
    out = cw_strdup(shown ? shown : url);
    curl_free(shown);
    curl_url_cleanup(u);
    return out;
}

static CURL *handle_for(cw_http *http, const char *origin)
{
    CURL *easy;
    for (size_t i = 0; i < http->n_hosts; i++)
        if (strcmp(http->hosts[i].origin, origin) == 0)
            return http->hosts[i].easy;
    easy = curl_easy_init();
    if (!easy)
        return NULL;
    http->hosts = cw_xrealloc(http->hosts, (http->n_hosts + 1) * sizeof(*http->hosts));
    http->hosts[http->n_hosts].origin = cw_strdup(origin);
    http->hosts[http->n_hosts].easy = easy;
    http->n_hosts++;
    return easy;
}

/* ------------------------------------------------------------- callbacks */

/* A page is JSON of at most a few MB; a (decompressed) body past this is a
 * broken or hostile server, and returning 0 aborts the transfer. */
#define MAX_BODY_BYTES ((size_t)256 << 20)

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
    cw_buf *body = userdata;
    size_t len = size * n;
    if (body->len + len > MAX_BODY_BYTES)
        return 0;
    return cw_buf_append(body, data, len) == 0 ? len : 0;
}

static void add_header(cw_http_response *resp, const char *name, size_t name_len,
                       const char *value, size_t value_len)
{
    resp->headers = cw_xrealloc(resp->headers, (resp->n_headers + 1) * sizeof(*resp->headers));
    resp->headers[resp->n_headers].name = cw_strndup(name, name_len);
    resp->headers[resp->n_headers].value = cw_strndup(value, value_len);
    resp->n_headers++;
}

static void clear_headers(cw_http_response *resp)
{
    for (size_t i = 0; i < resp->n_headers; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    resp->n_headers = 0;
}

/* One header line at a time; a new status line (an interim 1xx response)
 * starts the list again so only the final response's headers remain. */
static size_t on_header(char *line, size_t size, size_t n, void *userdata)
{
    cw_http_response *resp = userdata;
    size_t len = size * n, name_len, end;
    const char *colon, *value;

    if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
        clear_headers(resp);
        return len;
    }
    colon = memchr(line, ':', len);
    if (!colon || colon == line || line[0] == ' ' || line[0] == '\t')
        return len;     /* blank line, or obsolete folding we do not need */
    name_len = (size_t)(colon - line);
    value = colon + 1;
    end = len - (size_t)(value - line);
    while (end > 0 && isspace((unsigned char)value[0])) {
        value++;
        end--;
    }
    while (end > 0 && isspace((unsigned char)value[end - 1]))
        end--;
    add_header(resp, line, name_len, value, end);
    return len;
}

/* ------------------------------------------------------------- the request */

/* Append "prefix SECRET" to a header list, wiping our temporary copy. */
static struct curl_slist *append_secret(struct curl_slist *list, const char *prefix,
                                        const char *secret)
{
    size_t len = strlen(prefix) + strlen(secret) + 1;
    char *line = cw_xmalloc(len);
    struct curl_slist *next;
    snprintf(line, len, "%s%s", prefix, secret);
    next = curl_slist_append(list, line);
    explicit_bzero(line, len);
    free(line);
    return next;
}

static void free_headers_wiped(struct curl_slist *list)
{
    for (struct curl_slist *p = list; p; p = p->next)
        explicit_bzero(p->data, strlen(p->data));
    curl_slist_free_all(list);
}

static struct curl_slist *request_headers(const cw_http_request *req, const cw_http_auth *auth)
{
    struct curl_slist *list = NULL;
    char *accept = cw_asprintf("Accept: %s", req->accept ? req->accept : "application/json");
    list = curl_slist_append(list, accept);
    free(accept);
    for (const char *const *h = req->headers; h && *h; h++)
        list = curl_slist_append(list, *h);
    if (auth && !cw_str_empty(auth->secret)) {
        if (auth->kind == CW_AUTH_BEARER) {
            list = append_secret(list, "Authorization: Bearer ", auth->secret);
        } else if (auth->kind == CW_AUTH_PAGERDUTY) {
            list = append_secret(list, "Authorization: Token token=", auth->secret);
        } else if (auth->kind == CW_AUTH_OPSGENIE) {
            list = append_secret(list, "Authorization: GenieKey ", auth->secret);
        } else if (auth->kind == CW_AUTH_HEADER && !cw_str_empty(auth->header_name)) {
            char *prefix = cw_asprintf("%s: ", auth->header_name);
            list = append_secret(list, prefix, auth->secret);
            free(prefix);
        }
    }
    return list;
}

static void set_options(cw_http *http, CURL *easy, const char *url, const cw_http_auth *auth,
                        struct curl_slist *headers, attempt *at)
{
    curl_easy_reset(easy);
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);     /* see the file comment */
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT, http->opt.connect_timeout_s);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(easy, CURLOPT_LOW_SPEED_TIME, http->opt.low_speed_time_s);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, http->opt.timeout_s);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    /* libcurl takes one bundle: a corporate ca_file replaces the system one,
     * so it must hold every CA the source needs (they usually ship whole). */
    if (http->ca_file)
        curl_easy_setopt(easy, CURLOPT_CAINFO, http->ca_file);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_USERAGENT, http->user_agent);
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, at->curl_err);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &at->resp.body);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &at->resp);
    if (auth && auth->kind == CW_AUTH_BASIC && !cw_str_empty(auth->secret)) {
        curl_easy_setopt(easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(easy, CURLOPT_USERNAME, auth->user ? auth->user : "");
        curl_easy_setopt(easy, CURLOPT_PASSWORD, auth->secret);
    }
}

/* One HTTP exchange, no retry.  Fills at (caller frees at->resp / redirect). */
static void send_once(cw_http *http, const char *url, const cw_http_request *req,
                      const cw_http_auth *auth, attempt *at)
{
    char *origin = url_origin(url);
    CURL *easy = origin ? handle_for(http, origin) : NULL;
    struct curl_slist *headers;
    char *location = NULL;

    memset(at, 0, sizeof(*at));
    free(origin);
    if (!easy) {
        at->rc = CURLE_URL_MALFORMAT;
        snprintf(at->curl_err, sizeof(at->curl_err), "not an absolute http(s) URL");
        return;
    }
    headers = request_headers(req, auth);
    set_options(http, easy, url, auth, headers, at);
    at->rc = curl_easy_perform(easy);
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &at->status);
    at->resp.status = at->status;
    if (at->rc == CURLE_OK && at->status >= 300 && at->status < 400 &&
        curl_easy_getinfo(easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location)
        at->redirect = cw_strdup(location);
    /* The options point at the header list and at our stack: drop them now. */
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, NULL);
    curl_easy_setopt(easy, CURLOPT_PASSWORD, "");
    free_headers_wiped(headers);
    if (at->resp.body.data == NULL)
        cw_buf_append(&at->resp.body, "", 0);
}

/* ------------------------------------------------------------ the policy */

static int transient_curl_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_COULDNT_CONNECT:
    case CURLE_BAD_CONTENT_ENCODING:    /* a gzip stream cut short */
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

static int header_is_zero(const cw_http_response *resp, const char *name)
{
    const char *v = cw_http_response_header(resp, name);
    return v && strcmp(v, "0") == 0;
}

/* 429, or a 403 that says the quota is spent.  GitHub's secondary rate
 * limit is a 403 with Retry-After and no "remaining: 0": that counts too. */
static int rate_limited(const attempt *at)
{
    if (at->status == 429)
        return 1;
    return at->status == 403 && (header_is_zero(&at->resp, "X-RateLimit-Remaining") ||
                                 header_is_zero(&at->resp, "RateLimit-Remaining") ||
                                 cw_http_response_header(&at->resp, "Retry-After") != NULL);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Seconds to wait per a header: integer seconds (delta), an HTTP date, an
 * epoch instant, or an ISO instant.  `epoch_ok` says whether a large integer
 * is an instant (the *-Reset headers) rather than a delta.  -1 when absent or
 * unreadable. */
static double header_wait(const cw_http_response *resp, const char *name, int epoch_ok)
{
    const char *v = cw_http_response_header(resp, name);
    char *end;
    double secs;
    int64_t t;
    time_t date;

    if (cw_str_empty(v))
        return -1;
    errno = 0;
    secs = strtod(v, &end);
    if (end != v && *end == '\0' && errno == 0 && secs >= 0 && isfinite(secs)) {
        /* Epoch instants are ~1.7e9; a small number is a delta
         * (the IETF RateLimit-Reset header sends a delta). */
        if (epoch_ok && secs > 1e8)
            secs -= now_s();
        return secs < 0 ? 0 : secs;
    }
    if (cw_time_parse_iso8601(v, NULL, &t) == 0)
        return (double)t - now_s() < 0 ? 0 : (double)t - now_s();
    date = curl_getdate(v, NULL);
    if (date != -1)
        return (double)date - now_s() < 0 ? 0 : (double)date - now_s();
    return -1;
}

/* The wait a rate-limited (or 503) response asks for, or -1. */
static double server_wait(const cw_http_response *resp)
{
    double w = header_wait(resp, "Retry-After", 0);
    if (w < 0)
        w = header_wait(resp, "X-RateLimit-Reset", 1);
    if (w < 0)
        w = header_wait(resp, "RateLimit-Reset", 1);
    return w;
}

/* Full jitter: uniform in [0, min(max, initial * 2^retry)], at least initial/2. */
static double backoff(cw_http *http, int retry)
{
    double cap = http->opt.backoff_initial_s * pow(2.0, retry > 30 ? 30 : retry);
    double wait;
    if (cap > http->opt.backoff_max_s)
        cap = http->opt.backoff_max_s;
    wait = cap * ((double)rand_r(&http->rng) / (double)RAND_MAX);
    if (wait < http->opt.backoff_initial_s / 2)
        wait = http->opt.backoff_initial_s / 2;
    return wait;
}

static void sleep_s(double secs)
{
    struct timespec ts, rest;
    if (secs <= 0)
        return;
    ts.tv_sec = (time_t)secs;
    ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &rest) != 0 && errno == EINTR)
        ts = rest;
}

/* Replace every occurrence of the secret by "***" (a server may echo it). */
static void mask_secret(char *text, const char *secret)
{
    size_t n;
    char *hit;
    if (cw_str_empty(secret))
        return;
    n = strlen(secret);
    while ((hit = strstr(text, secret)) != NULL) {
        size_t keep = n < 3 ? n : 3;
        memset(hit, '*', keep);
        memmove(hit + keep, hit + n, strlen(hit + n) + 1);
        text = hit + keep;      /* never rescan the mask itself */
    }
}

/* The response's own error message: errorMessages[0] (Jira), message
 * (GitHub, GitLab), error.message (PagerDuty, ServiceNow), error (GitLab
 * OAuth), else the first bytes of the body on one line. */
static char *body_message(const cw_buf *body)
{
    json_t *root = body->len ? json_loadb(body->data, body->len, 0, NULL) : NULL;
    const char *msg = NULL;
    char *out;

    if (json_is_object(root)) {
        json_t *errs = json_object_get(root, "errorMessages");
        json_t *error = json_object_get(root, "error");
        if (json_is_array(errs) && json_is_string(json_array_get(errs, 0)))
            msg = json_string_value(json_array_get(errs, 0));
        else if (json_is_string(json_object_get(root, "message")))
            msg = json_string_value(json_object_get(root, "message"));
        else if (json_is_object(error) && json_is_string(json_object_get(error, "message")))
            msg = json_string_value(json_object_get(error, "message"));
        else if (json_is_string(error))
            msg = json_string_value(error);
    }
    if (msg && *msg)
        out = cw_strndup(msg, strlen(msg) > 500 ? 500 : strlen(msg));
    else
        out = cw_strndup(body->data ? body->data : "",
                         body->len > ERROR_BODY_BYTES ? ERROR_BODY_BYTES : body->len);
    json_decref(root);
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    return out;
}

/* Describe an attempt for a log line or an error: "HTTP 503: message",
 * "Timeout was reached (details)", "invalid JSON (...)". */
static void describe(const attempt *at, const char *json_error, const char *secret,
                     char *out, size_t size)
{
    if (at->rc != CURLE_OK) {
        snprintf(out, size, "%s%s%s%s", curl_easy_strerror(at->rc), at->curl_err[0] ? " (" : "",
                 at->curl_err, at->curl_err[0] ? ")" : "");
    } else if (json_error) {
        snprintf(out, size, "HTTP %ld: the body is not complete JSON (%s)", at->status,
                 json_error);
    } else {
        char *msg = body_message(&at->resp.body);
        if (*msg)
            snprintf(out, size, "HTTP %ld: %s", at->status, msg);
        else
            snprintf(out, size, "HTTP %ld", at->status);
        free(msg);
    }
    mask_secret(out, secret);
}

/* Is a 2xx body complete JSON?  NULL when it is, else the parser's reason.
 * The loader is the one the parsers use (BOM, \u0000, numbers out of range),
 * so a page they can read is never refused here. */
static const char *json_problem(const cw_buf *body, char *buf, size_t size)
{
    json_t *root = cw_json_load_text(body->data ? body->data : "", body->len, buf, size);
    if (root) {
        json_decref(root);
        return NULL;
    }
    return buf;
}

static verdict judge(const cw_http_request *req, const attempt *at, const char **json_error,
                     char *json_buf, size_t json_size)
{
    *json_error = NULL;
    if (at->rc != CURLE_OK)
        return transient_curl_error(at->rc) ? V_RETRY : V_FAIL;
    if (at->status >= 200 && at->status < 300) {
        if (req->expect_json)
            *json_error = json_problem(&at->resp.body, json_buf, json_size);
        return *json_error ? V_RETRY : V_DONE;
    }
    if (at->status >= 300 && at->status < 400 && at->redirect)
        return V_REDIRECT;
    if (rate_limited(at) || at->status == 408 || at->status >= 500)
        return V_RETRY;
    return V_FAIL;
}

/* ------------------------------------------------------------------- GET */

typedef struct get_state {
    cw_http *http;
    const cw_http_request *req;
    cw_http_stats *stats;
    char *url;                  /* current URL (changes on redirects) */
    char *shown;                /* the original URL as shown in messages */
    const cw_http_auth *auth;   /* NULL after a cross-origin redirect */
    char *auth_origin;          /* the origin the credentials belong to */
    int redirects;
} get_state;

static const char *secret_of(const get_state *g)
{
    return g->req->auth ? g->req->auth->secret : NULL;
}

/* Follow a redirect: credentials stay only on their own origin. */
static int follow(get_state *g, attempt *at, char *err, size_t errlen)
{
    char *origin;
    if (++g->redirects > MAX_REDIRECTS) {
        snprintf(err, errlen, "GET %s: more than %d redirects", g->shown, MAX_REDIRECTS);
        return -1;
    }
    origin = url_origin(at->redirect);
    if (!origin) {
        snprintf(err, errlen, "GET %s: redirected to an unusable location", g->shown);
        return -1;
    }
    if (!g->auth_origin || strcmp(origin, g->auth_origin) != 0)
        g->auth = NULL;
    free(origin);
    free(g->url);
    g->url = at->redirect;
    at->redirect = NULL;
    return 0;
}

/* Decide how long to wait before retrying, or fail (returns -1). */
static int retry_wait(get_state *g, const attempt *at, const char *what, int tries,
                      double *wait, char *err, size_t errlen)
{
    cw_http *http = g->http;
    int limited = at->rc == CURLE_OK && rate_limited(at);
    double asked = at->rc == CURLE_OK && (limited || at->status == 503) ? server_wait(&at->resp) : -1;
    double limit = SERVER_WAIT_FACTOR * http->opt.backoff_max_s;

    if (tries >= http->opt.max_tries) {
        snprintf(err, errlen, "GET %s: %s (gave up after %d attempts)", g->shown, what, tries);
        return -1;
    }
    if (asked > limit) {
        snprintf(err, errlen, "GET %s: %s; the server asks to wait %.0f s, more than %.0f s "
                 "(10 x backoff_max): giving up, try again later", g->shown, what, asked, limit);
        return -1;
    }
    *wait = asked > 0 ? asked : backoff(http, tries - 1);
    if (limited)
        g->stats->rate_limit_waits++;
    return 0;
}

int cw_http_get(cw_http *http, const cw_http_request *req, cw_http_response *resp,
                cw_http_stats *stats, char *err, size_t errlen)
{
    cw_http_stats local = {0};
    get_state g = { http, req, stats ? stats : &local, NULL, NULL, req->auth, NULL, 0 };
    int tries = 0, rc = -1;
    attempt at;

    memset(resp, 0, sizeof(*resp));
    if (errlen)
        err[0] = '\0';
    g.url = cw_strdup(req->url);
    g.shown = display_url(req->url);
    g.auth_origin = url_origin(req->url);
    for (;;) {
        char what[768], json_buf[256];
        const char *json_error;
        double wait;
        verdict v;

        send_once(http, g.url, req, g.auth, &at);
        g.stats->requests++;
        g.stats->bytes += (int64_t)at.resp.body.len;
        v = judge(req, &at, &json_error, json_buf, sizeof(json_buf));
        if (v == V_DONE) {
            *resp = at.resp;
            free(at.redirect);
            rc = 0;
            break;
        }
        if (v == V_REDIRECT) {
            int failed = follow(&g, &at, err, errlen);
            free(at.redirect);
            cw_http_response_free(&at.resp);
            if (failed)
                break;
            continue;
        }
        tries++;
        describe(&at, json_error, secret_of(&g), what, sizeof(what));
        if (v == V_FAIL)
            snprintf(err, errlen, "GET %s: %s", g.shown, what);
        else if (retry_wait(&g, &at, what, tries, &wait, err, errlen) != 0)
            v = V_FAIL;
        free(at.redirect);
        cw_http_response_free(&at.resp);
        if (v == V_FAIL)
            break;
        cw_info("GET %s: %s, retrying in %.*f s (attempt %d of %d)", g.shown, what,
                wait < 1 ? 2 : 1, wait, tries + 1, http->opt.max_tries);
        g.stats->retries++;
        g.stats->waited_s += wait;
        sleep_s(wait);
    }
    if (rc != 0)
        mask_secret(err, secret_of(&g));
    free(g.url);
    free(g.shown);
    free(g.auth_origin);
    return rc;
}

/* --------------------------------------------------------------- headers */

const char *cw_http_response_header(const cw_http_response *resp, const char *name)
{
    for (size_t i = 0; resp && i < resp->n_headers; i++)
        if (cw_streq_ci(resp->headers[i].name, name))
            return resp->headers[i].value;
    return NULL;
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* Does a rel value (one or more space-separated relation types) hold rel? */
static int rel_matches(const char *value, size_t len, const char *rel)
{
    size_t rel_len = strlen(rel);
    const char *p = value, *end = value + len;
    while (p < end) {
        const char *word = p;
        while (p < end && *p != ' ')
            p++;
        if ((size_t)(p - word) == rel_len && strncasecmp(word, rel, rel_len) == 0)
            return 1;
        while (p < end && *p == ' ')
            p++;
    }
    return 0;
}

/* Parse the parameters after one <target> up to the next link; *p ends past
 * the separating comma.  Returns whether rel matched. */
static int link_params_match(const char **pp, const char *rel)
{
    const char *p = *pp;
    int match = 0;
    while (*p && *p != ',') {
        const char *name, *value;
        size_t name_len, value_len;
        p = skip_ws(p);
        if (*p != ';') {        /* garbage: skip to the next link */
            while (*p && *p != ',')
                p++;
            break;
        }
        p = skip_ws(p + 1);
        name = p;
        while (*p && *p != '=' && *p != ';' && *p != ',' && *p != ' ')
            p++;
        name_len = (size_t)(p - name);
        p = skip_ws(p);
        value = p;
        value_len = 0;
        if (*p == '=') {
            p = skip_ws(p + 1);
            if (*p == '"') {
                value = ++p;
                while (*p && *p != '"')
                    p += (*p == '\\' && p[1]) ? 2 : 1;
                value_len = (size_t)(p - value);
                if (*p == '"')
                    p++;
            } else {
                value = p;
                while (*p && *p != ';' && *p != ',' && *p != ' ')
                    p++;
                value_len = (size_t)(p - value);
            }
        }
        if (name_len == 3 && strncasecmp(name, "rel", 3) == 0 &&
            rel_matches(value, value_len, rel))
            match = 1;
        p = skip_ws(p);
    }
    *pp = *p == ',' ? p + 1 : p;
    return match;
}

/* RFC 8288: `<url>; rel="next", <url2>; rel="last"`, across every Link header. */
char *cw_http_link(const cw_http_response *resp, const char *rel)
{
    for (size_t i = 0; resp && i < resp->n_headers; i++) {
        const char *p;
        if (!cw_streq_ci(resp->headers[i].name, "Link"))
            continue;
        p = resp->headers[i].value;
        while (*(p = skip_ws(p))) {
            const char *target, *close;
            if (*p != '<') {    /* not a link: skip to the next one */
                while (*p && *p != ',')
                    p++;
                if (*p)
                    p++;
                continue;
            }
            target = p + 1;
            close = strchr(target, '>');
            if (!close)
                break;
            p = close + 1;
            if (link_params_match(&p, rel))
                return cw_strndup(target, (size_t)(close - target));
        }
    }
    return NULL;
}

char *cw_http_escape(const char *value)
{
    char *escaped = curl_easy_escape(NULL, value ? value : "", 0);
    char *out = cw_strdup(escaped ? escaped : "");
    curl_free(escaped);
    return out;
}
