/*
 * test_http.c - the shared HTTP client (extract/http.c) against the replay
 * server (tests/replay/server.py --test-routes), with faults injected through
 * its control endpoints: retries, rate-limit waits, timeouts, truncated
 * bodies, error messages, auth schemes, redirects and secret hygiene.
 *
 * Waits are kept short (backoff from 0.05 s, 1 s low-speed timeout) so the
 * whole file runs in about ten seconds.
 */
#include "support.h"

#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "extract/http.h"

#define TOKEN "secret123"

/* ------------------------------------------------------------ the server */

static int start_server(void **state)
{
    static const char *const args[] = { "--test-routes", "--token", TOKEN, "--max-seconds", "300",
                                        "--slow-seconds", "3", NULL };
    cw_replay *r = cw_xcalloc(1, sizeof(*r));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    *state = r;
    return cw_replay_start_args(r, args, NULL);
}

static int stop_server(void **state)
{
    cw_replay_teardown(state);
    curl_global_cleanup();
    return 0;
}

static size_t discard(char *data, size_t size, size_t n, void *ud)
{
    return size * n;
}

/* POST to a control endpoint with plain libcurl (not the code under test). */
static void control(const cw_replay *r, const char *path, const char *body)
{
    char url[256];
    long status = 0;
    CURL *c = curl_easy_init();
    snprintf(url, sizeof(url), "%s%s", r->base_url, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    assert_int_equal(status, 200);
}

/* Fresh log and counters, and this fault list. */
static void faults(const cw_replay *r, const char *json)
{
    control(r, "/__faults", json);
    control(r, "/__reset", NULL);
}

/* ------------------------------------------------------------ helpers */

static cw_http_options quick_options(void)
{
    cw_http_options o = {
        .max_tries = 4, .backoff_initial_s = 0.05, .backoff_max_s = 0.5,
        .connect_timeout_s = 5, .low_speed_time_s = 1, .timeout_s = 20,
        .user_agent = "catwalk-test/9", .jitter_seed = 42,
    };
    return o;
}

static const cw_http_auth bearer = { CW_AUTH_BEARER, NULL, TOKEN, NULL };

static double now_mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct outcome {
    int rc;
    cw_http_response resp;
    cw_http_stats stats;
    char err[1024];
    double elapsed;
} outcome;

static void get(const cw_replay *r, const cw_http_options *opt, const char *path,
                const cw_http_auth *auth, int expect_json, outcome *o)
{
    char url[512];
    cw_http *http = cw_http_new(opt);
    cw_http_request req = { .url = url, .auth = auth, .expect_json = expect_json };
    double t0 = now_mono();
    snprintf(url, sizeof(url), "%s%s", r->base_url, path);
    memset(o, 0, sizeof(*o));
    o->rc = cw_http_get(http, &req, &o->resp, &o->stats, o->err, sizeof(o->err));
    o->elapsed = now_mono() - t0;
    cw_http_free(http);
}

static json_t *body_json(const outcome *o)
{
    json_t *root = json_loadb(o->resp.body.data, o->resp.body.len, 0, NULL);
    assert_non_null(root);
    return root;
}

/* ------------------------------------------------------------ pure parsing */

static void add_test_header(cw_http_response *resp, const char *name, const char *value)
{
    resp->headers = cw_xrealloc(resp->headers, (resp->n_headers + 1) * sizeof(*resp->headers));
    resp->headers[resp->n_headers].name = cw_strdup(name);
    resp->headers[resp->n_headers].value = cw_strdup(value);
    resp->n_headers++;
}

static void assert_link(const cw_http_response *resp, const char *rel, const char *want)
{
    cw_expect_text(cw_http_link(resp, rel), want);
}

static void test_link_header_parsing(void **state)
{
    cw_http_response resp = {0};
    (void)state;
    /* GitHub: several links in one header. */
    add_test_header(&resp, "link",
                    "<https://api.github.com/repositories/1/pulls?state=all&page=2>; rel=\"next\", "
                    "<https://api.github.com/repositories/1/pulls?state=all&page=5>; rel=\"last\"");
    /* A second Link header: a comma in the target, a quoted parameter holding
     * ", ;" before rel, an unquoted rel, and a rel with two relation types. */
    add_test_header(&resp, "Link",
                    "<https://x.example/a,b>; title=\"x, y; z\"; rel=prev, "
                    "<https://x.example/multi>; REL=\"alternate First\"");
    assert_link(&resp, "next", "https://api.github.com/repositories/1/pulls?state=all&page=2");
    assert_link(&resp, "last", "https://api.github.com/repositories/1/pulls?state=all&page=5");
    assert_link(&resp, "prev", "https://x.example/a,b");
    assert_link(&resp, "first", "https://x.example/multi");
    assert_link(&resp, "alternate", "https://x.example/multi");
    assert_link(&resp, "nope", NULL);
    assert_string_equal(cw_http_response_header(&resp, "LINK"),
                        resp.headers[0].value);
    assert_null(cw_http_response_header(&resp, "X-Next-Page"));
    cw_http_response_free(&resp);

    /* ServiceNow: no spaces at all. */
    add_test_header(&resp, "Link",
                    "<https://i.service-now.com/api/now/table/incident?sysparm_offset=0>;rel=\"first\","
                    "<https://i.service-now.com/api/now/table/incident?sysparm_offset=100>;rel=\"next\"");
    assert_link(&resp, "next", "https://i.service-now.com/api/now/table/incident?sysparm_offset=100");
    assert_link(&resp, "first", "https://i.service-now.com/api/now/table/incident?sysparm_offset=0");
    assert_link(&resp, "prev", NULL);
    cw_http_response_free(&resp);

    /* Garbage never crashes and yields nothing. */
    add_test_header(&resp, "Link", "garbage, <unterminated; rel=\"next\"");
    assert_link(&resp, "next", NULL);
    cw_http_response_free(&resp);
}

static void test_escape(void **state)
{
    char *e = cw_http_escape("project = \"AB\" AND updated >= \"2026-03-02 10:00\"&é/");
    (void)state;
    assert_string_equal(e, "project%20%3D%20%22AB%22%20AND%20updated%20%3E%3D%20"
                           "%222026-03-02%2010%3A00%22%26%C3%A9%2F");
    free(e);
}

/* ------------------------------------------------------------ success */

static void test_get_headers_and_links(void **state)
{
    cw_replay *r = *state;
    cw_http_options opt = quick_options();
    outcome o;
    char want[256];
    char *next;

    faults(r, "[]");
    get(r, &opt, "/__test/pages?page=2&per_page=3&total=10", &bearer, 1, &o);
    assert_int_equal(o.rc, 0);
    assert_int_equal(o.resp.status, 200);
    assert_string_equal(o.resp.body.data, "[{\"id\": 3}, {\"id\": 4}, {\"id\": 5}]");
    assert_string_equal(cw_http_response_header(&o.resp, "content-TYPE"),
                        "application/json; charset=utf-8");
    next = cw_http_link(&o.resp, "next");
    snprintf(want, sizeof(want), "%s/__test/pages?page=3&per_page=3&total=10", r->base_url);
    assert_string_equal(next, want);
    free(next);
    snprintf(want, sizeof(want), "%s/__test/pages?page=4&per_page=3&total=10", r->base_url);
    next = cw_http_link(&o.resp, "last");
    assert_string_equal(next, want);
    free(next);
    assert_int_equal(o.stats.requests, 1);
    assert_int_equal(o.stats.retries, 0);
    assert_int_equal(o.stats.rate_limit_waits, 0);
    assert_int_equal(o.stats.bytes, (int64_t)strlen(o.resp.body.data));
    assert_int_equal(cw_replay_log_size(r), 1);
    assert_string_equal(o.err, "");
    cw_http_response_free(&o.resp);
}

/* Two requests on one client: one connection (keep-alive), gzip decoded. */
static void test_keepalive_and_gzip(void **state)
{
    cw_replay *r = *state;
    char url[256], err[256];
    cw_http *http = cw_http_new(NULL);
    cw_http_request req = { .url = url, .auth = &bearer, .expect_json = 1 };
    cw_http_response resp;
    cw_http_stats stats = {0};
    json_t *log, *root;

    faults(r, "[]");
    snprintf(url, sizeof(url), "%s/__test/json?n=1000", r->base_url);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(cw_http_get(http, &req, &resp, &stats, err, sizeof(err)), 0);
        assert_string_equal(cw_http_response_header(&resp, "Content-Encoding"), "gzip");
        root = json_loads(resp.body.data, 0, NULL);
        assert_int_equal(json_array_size(json_object_get(root, "items")), 1000);
        assert_int_equal(json_integer_value(json_array_get(json_object_get(root, "items"), 999)), 999);
        json_decref(root);
        cw_http_response_free(&resp);
    }
    cw_http_free(http);
    log = cw_replay_log(r);
    assert_int_equal(json_array_size(log), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(log, 0), "conn")),
                     json_integer_value(json_object_get(json_array_get(log, 1), "conn")));
    json_decref(log);
    assert_int_equal(stats.requests, 2);
}

/* ------------------------------------------------------------ rate limits */

/*
 * A request that some faults make wait or retry, then succeeds: how many
 * requests, retries and rate-limit waits it took and how long it waited.
 */
static void test_retried_then_success(void **state)
{
    static const struct {
        const char *faults, *path;
        const char *body;               /* NULL: not checked */
        long requests, retries, rate_limit_waits;
        double waited_min, waited_max, elapsed_min;
    } cases[] = {
        /* 429 with Retry-After: 1 s. */
        {"[{\"path\": \"^/__test/json\", \"nth\": 1, \"kind\": \"429\", \"retry_after\": 1}]",
         "/__test/json?n=2", "{\"n\": 2, \"items\": [0, 1]}", 2, 1, 1, 1.0, 1.01, 1.0},
        /* 403 with remaining zero waits for the reset.  The server rounds the
         * reset instant up: it is 1 to 2 s ahead; far beyond a first backoff
         * (at most 0.05 s): the header was honoured. */
        {"[{\"path\": \"^/__test/json\", \"nth\": 1, \"kind\": \"403-ratelimit\","
         "  \"reset_in\": 1}]",
         "/__test/json", NULL, 2, 1, 1, 0.6, 2.1, 0},
        /* Retry-After as an HTTP date, then a reset as an ISO instant (Jira).
         * date: 1-2 s (whole seconds), iso: 1-2 s, less the time in transit;
         * two backoffs would be under 0.2 s. */
        {"[{\"path\": \"json\", \"nth\": 1, \"kind\": \"429\", \"retry_after\": 2,"
         "  \"retry_after_format\": \"date\"},"
         " {\"path\": \"json\", \"nth\": 2, \"kind\": \"403-ratelimit\", \"reset_in\": 1,"
         "  \"reset_format\": \"iso\"}]",
         "/__test/json", NULL, 3, 2, 2, 1.5, 4.1, 0},
        /* 503 twice: each backoff is at least initial/2 and at most
         * initial * 2^retry. */
        {"[{\"path\": \"json\", \"nth\": 1, \"times\": 2, \"kind\": \"503\"}]",
         "/__test/json", NULL, 3, 2, 0, 0.05, 0.05 + 0.1 + 1e-9, 0},
    };
    cw_replay *r = *state;
    cw_http_options opt = quick_options();
    outcome o;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        faults(r, cases[i].faults);
        get(r, &opt, cases[i].path, &bearer, 1, &o);
        assert_int_equal(o.rc, 0);
        if (cases[i].body)
            assert_string_equal(o.resp.body.data, cases[i].body);
        assert_int_equal(o.stats.requests, cases[i].requests);
        assert_int_equal(o.stats.retries, cases[i].retries);
        assert_int_equal(o.stats.rate_limit_waits, cases[i].rate_limit_waits);
        assert_true(o.stats.waited_s >= cases[i].waited_min &&
                    o.stats.waited_s <= cases[i].waited_max);
        assert_true(o.elapsed >= cases[i].elapsed_min);
        assert_int_equal(cw_replay_log_size(r), cases[i].requests);
        cw_http_response_free(&o.resp);
    }
}

static void test_server_wait_too_long_fails(void **state)
{
    cw_replay *r = *state;
    cw_http_options opt = quick_options();
    outcome o;
    faults(r, "[{\"path\": \"json\", \"every\": 1, \"kind\": \"429\", \"retry_after\": 3600}]");
    get(r, &opt, "/__test/json", &bearer, 1, &o);
    assert_int_equal(o.rc, -1);
    assert_true(o.elapsed < 1.0);
    assert_non_null(strstr(o.err, "HTTP 429"));
    assert_non_null(strstr(o.err, "wait 3600 s"));
    assert_int_equal(o.stats.requests, 1);
    assert_int_equal(o.stats.retries, 0);
    assert_null(o.resp.body.data);
}

/* ------------------------------------------------------------ transient faults */

static void test_slow_response_times_out_and_retries(void **state)
{
    cw_replay *r = *state;
    cw_http_options opt = quick_options();
    outcome o;
    opt.low_speed_time_s = 1;   /* the server stalls 10 s: waiting it out would take >= 10 s */
    faults(r, "[{\"path\": \"json\", \"nth\": 1, \"kind\": \"slow\", \"seconds\": 10}]");
    get(r, &opt, "/__test/json?n=4", &bearer, 1, &o);
    assert_int_equal(o.rc, 0);
    assert_string_equal(o.resp.body.data, "{\"n\": 4, \"items\": [0, 1, 2, 3]}");
    assert_int_equal(o.stats.requests, 2);
    assert_int_equal(o.stats.retries, 1);
    assert_true(o.elapsed >= 1.0 && o.elapsed < 8.0);
    cw_http_response_free(&o.resp);
}

/* The first response to GET /__test/json?n=items goes wrong as `fault` says;
 * the one retry returns the whole JSON body. */
static void assert_one_retry_whole_json(cw_replay *r, const char *fault, size_t items)
{
    cw_http_options opt = quick_options();
    outcome o;
    json_t *root;
    char path[64];
    snprintf(path, sizeof(path), "/__test/json?n=%zu", items);
    faults(r, fault);
    get(r, &opt, path, &bearer, 1, &o);
    assert_int_equal(o.rc, 0);
    root = body_json(&o);
    assert_int_equal(json_array_size(json_object_get(root, "items")), items);
    json_decref(root);
    assert_int_equal(o.stats.requests, 2);
    assert_int_equal(o.stats.retries, 1);
    cw_http_response_free(&o.resp);
}

static void test_reset_mid_body_retries(void **state)
{
    assert_one_retry_whole_json(*state, "[{\"path\": \"json\", \"nth\": 1, \"kind\": \"reset\"}]", 5000);
}

static void test_truncated_json_retried_never_returned(void **state)
{
    cw_replay *r = *state;
    cw_http_options opt = quick_options();
    outcome o;

    assert_one_retry_whole_json(r, "[{\"path\": \"json\", \"nth\": 1, \"kind\": \"truncate\"}]", 50);

    /* Without expect_json the cut body is what the server sent: one request. */
    faults(r, "[{\"path\": \"json\", \"nth\": 1, \"kind\": \"truncate\"}]");
    get(r, &opt, "/__test/json?n=50", &bearer, 0, &o);
    assert_int_equal(o.rc, 0);
    assert_int_equal(o.stats.requests, 1);
    assert_null(json_loadb(o.resp.body.data, o.resp.body.len, 0, NULL));
    cw_http_response_free(&o.resp);

    /* Always truncated: a failure after max_tries, never a partial page. */
    faults(r, "[{\"path\": \"json\", \"every\": 1, \"kind\": \"truncate\"}]");
    get(r, &opt, "/__test/json?n=50", &bearer, 1, &o);
    assert_int_equal(o.rc, -1);
    assert_null(o.resp.body.data);
    assert_non_null(strstr(o.err, "HTTP 200: the body is not complete JSON"));
    assert_non_null(strstr(o.err, "(gave up after 4 attempts)"));
    assert_int_equal(o.stats.requests, 4);
    assert_int_equal(o.stats.retries, 3);
}

static void test_max_tries_exhausted(void **state)
{
    cw_replay *r = *state;
    cw_http_options opt = quick_options();
    outcome o;
    char want[512];
    opt.max_tries = 3;
    faults(r, "[{\"path\": \"json\", \"every\": 1, \"kind\": \"503\"}]");
    get(r, &opt, "/__test/json", &bearer, 1, &o);
    assert_int_equal(o.rc, -1);
    snprintf(want, sizeof(want),
             "GET %s/__test/json: HTTP 503: Service Unavailable (gave up after 3 attempts)", r->base_url);
    assert_string_equal(o.err, want);
    assert_int_equal(o.stats.requests, 3);
    assert_int_equal(o.stats.retries, 2);
    assert_int_equal(cw_replay_log_size(r), 3);
}

static void test_connection_refused_retried(void **state)
{
    cw_replay *r = *state;
    cw_http_options opt = quick_options();
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cw_replay closed;
    outcome o;
    (void)r;
    /* A port that was free a moment ago and has nobody listening. */
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
    close(fd);
    memset(&closed, 0, sizeof(closed));
    snprintf(closed.base_url, sizeof(closed.base_url), "http://127.0.0.1:%d", ntohs(addr.sin_port));
    opt.max_tries = 3;
    get(&closed, &opt, "/x", NULL, 1, &o);
    assert_int_equal(o.rc, -1);
    assert_int_equal(o.stats.requests, 3);
    assert_int_equal(o.stats.retries, 2);
    assert_non_null(strstr(o.err, "Couldn't connect to server"));
    assert_non_null(strstr(o.err, "(gave up after 3 attempts)"));
}

/* ------------------------------------------------------------ errors */

static void test_404_fails_at_once_with_message(void **state)
{
    static const struct { const char *style, *message; } styles[] = {
        {"jira", "Issue does not exist"},
        {"github", "Not Found"},
        {"pagerduty", "Invalid Input Provided"},
        {"servicenow", "No Record found"},
        {"gitlab", "insufficient_scope"},
        {"text", "plain text failure"},
    };
    cw_replay *r = *state;
    cw_http_options opt = quick_options();
    outcome o;
    char path[512], want[768];

    for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
        char *escaped = cw_http_escape(styles[i].message);
        faults(r, "[]");
        snprintf(path, sizeof(path), "/__test/status?code=404&style=%s&message=%s",
                 styles[i].style, escaped);
        free(escaped);
        get(r, &opt, path, &bearer, 1, &o);
        assert_int_equal(o.rc, -1);
        snprintf(want, sizeof(want), "GET %s%s: HTTP 404: %s", r->base_url, path, styles[i].message);
        assert_string_equal(o.err, want);
        assert_int_equal(o.stats.requests, 1);
        assert_int_equal(o.stats.retries, 0);
        assert_int_equal(cw_replay_log_size(r), 1);
        assert_null(o.resp.body.data);
    }

    /* A long non-JSON body: its first 200 bytes only. */
    {
        char long_msg[301];
        const char *colon;
        memset(long_msg, 'x', 300);
        long_msg[300] = '\0';
        snprintf(path, sizeof(path), "/__test/status?code=400&style=text&message=%s", long_msg);
        get(r, &opt, path, &bearer, 1, &o);
        assert_int_equal(o.rc, -1);
        colon = strstr(o.err, ": HTTP 400: ");
        assert_non_null(colon);
        assert_int_equal(strlen(colon + strlen(": HTTP 400: ")), 200);
    }
}

static void test_401_without_token(void **state)
{
    cw_replay *r = *state;
    cw_http_options opt = quick_options();
    cw_http_auth wrong = { CW_AUTH_BEARER, NULL, "not-the-token", NULL };
    outcome o;
    char want[256];
    faults(r, "[]");
    snprintf(want, sizeof(want), "GET %s/__test/json: HTTP 401: Bad credentials", r->base_url);
    get(r, &opt, "/__test/json", NULL, 1, &o);
    assert_int_equal(o.rc, -1);
    assert_string_equal(o.err, want);
    assert_int_equal(o.stats.requests, 1);
    get(r, &opt, "/__test/json", &wrong, 1, &o);
    assert_int_equal(o.rc, -1);
    assert_string_equal(o.err, want);
    assert_int_equal(o.stats.requests, 1);
}

/* ------------------------------------------------------------ auth */

static void check_scheme(const cw_replay *r, const cw_http_auth *auth, const char *scheme,
                         int private_token)
{
    cw_http_options opt = quick_options();
    outcome o;
    json_t *root;
    get(r, &opt, "/__test/headers", auth, 1, &o);
    assert_int_equal(o.rc, 0);
    root = body_json(&o);
    if (scheme)
        assert_string_equal(json_string_value(json_object_get(root, "scheme")), scheme);
    else
        assert_true(json_is_null(json_object_get(root, "scheme")));
    assert_int_equal(json_is_true(json_object_get(root, "private_token")), private_token);
    assert_string_equal(json_string_value(json_object_get(root, "user_agent")), "catwalk-test/9");
    assert_string_equal(json_string_value(json_object_get(root, "accept")), "application/json");
    json_decref(root);
    cw_http_response_free(&o.resp);
}

static void test_auth_schemes(void **state)
{
    cw_replay *r = *state;
    cw_http_auth pd = { CW_AUTH_PAGERDUTY, NULL, TOKEN, NULL };
    cw_http_auth gl = { CW_AUTH_HEADER, NULL, TOKEN, "PRIVATE-TOKEN" };
    cw_http_auth basic = { CW_AUTH_BASIC, "ann@example.com", TOKEN, NULL };
    cw_http_options opt = quick_options();
    const char *extra[] = { "X-Extra: yes", NULL };
    char url[256], err[256];
    cw_http *http = cw_http_new(&opt);
    cw_http_request req = { .url = url, .auth = &basic, .accept = "application/vnd.github+json",
                            .headers = extra, .expect_json = 1 };
    cw_http_response resp;
    json_t *root;

    faults(r, "[]");
    check_scheme(r, &bearer, "Bearer", 0);
    check_scheme(r, &pd, "Token", 0);
    check_scheme(r, &gl, NULL, 1);
    check_scheme(r, &basic, "Basic", 0);

    snprintf(url, sizeof(url), "%s/__test/headers", r->base_url);
    assert_int_equal(cw_http_get(http, &req, &resp, NULL, err, sizeof(err)), 0);
    root = json_loads(resp.body.data, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(root, "basic_user")), "ann@example.com");
    assert_string_equal(json_string_value(json_object_get(root, "accept")),
                        "application/vnd.github+json");
    assert_string_equal(json_string_value(json_object_get(root, "x_extra")), "yes");
    json_decref(root);
    cw_http_response_free(&resp);
    cw_http_free(http);
}

/* GET path, which must succeed, from /__test/headers behind it: whether the
 * server saw the header its JSON names `member` (true or false); the
 * requests made go to *requests. */
static int header_arrived(const cw_replay *r, const char *path, const cw_http_auth *auth,
                          const char *member, long *requests)
{
    cw_http_options opt = quick_options();
    outcome o;
    json_t *root, *seen;
    int arrived;
    get(r, &opt, path, auth, 1, &o);
    assert_int_equal(o.rc, 0);
    root = body_json(&o);
    seen = json_object_get(root, member);
    assert_true(json_is_boolean(seen));
    arrived = json_is_true(seen);
    json_decref(root);
    *requests = o.stats.requests;
    cw_http_response_free(&o.resp);
    return arrived;
}

/* Credentials follow a redirect on the same origin only. */
static void test_redirects(void **state)
{
    cw_replay *r = *state;
    cw_http_options opt = quick_options();
    cw_http_auth gl = { CW_AUTH_HEADER, NULL, TOKEN, "PRIVATE-TOKEN" };
    outcome o;
    long requests;
    char path[256];

    faults(r, "[]");
    assert_true(header_arrived(r, "/__test/redirect?to=/__test/headers", &bearer, "authorization",
                               &requests));
    assert_int_equal(requests, 2);

    /* "localhost" is another host to the client, though the same server. */
    snprintf(path, sizeof(path), "/__test/redirect?code=307&to=http://localhost:%d/__test/open/headers",
             r->port);
    assert_false(header_arrived(r, path, &bearer, "authorization", &requests));
    assert_false(header_arrived(r, path, &gl, "private_token", &requests));

    /* A loop stops after 5 redirects. */
    get(r, &opt, "/__test/redirect?loop=1", &bearer, 1, &o);
    assert_int_equal(o.rc, -1);
    assert_non_null(strstr(o.err, "more than 5 redirects"));
    assert_int_equal(o.stats.requests, 6);
}

/* ------------------------------------------------------------ secrets */

static void test_secret_never_in_errors_or_logs(void **state)
{
    cw_replay *r = *state;
    cw_http_options opt = quick_options();
    cw_log_level level = cw_log_get_level();
    outcome o1, o2, o3;
    cw_redirect err;
    char *logged;

    cw_log_set_level(CW_LOG_DEBUG);
    /* A server that echoes the Authorization header in its error body. */
    faults(r, "[{\"path\": \"status\", \"nth\": 1, \"kind\": \"503\"},"
              " {\"path\": \"json\", \"nth\": 1, \"kind\": \"429\", \"retry_after\": 0}]");
    cw_redirect_begin(&err, 2);
    get(r, &opt, "/__test/status?code=400&echo_auth=1&message=bad+request", &bearer, 1, &o1);
    get(r, &opt, "/__test/json", &bearer, 1, &o2);
    get(r, &opt, "/__test/json", NULL, 1, &o3);
    logged = cw_redirect_end(&err);
    cw_log_set_level(level);

    assert_int_equal(o1.rc, -1);
    assert_non_null(strstr(o1.err, "HTTP 400: bad request (sent: Bearer ***)"));
    assert_null(strstr(o1.err, TOKEN));
    assert_int_equal(o2.rc, 0);
    assert_int_equal(o3.rc, -1);
    assert_null(strstr(o3.err, TOKEN));
    /* The retries were logged, and nothing secret with them. */
    assert_non_null(strstr(logged, "HTTP 503: Service Unavailable, retrying in"));
    assert_non_null(strstr(logged, "HTTP 429: API rate limit exceeded, retrying in"));
    assert_non_null(strstr(logged, "(attempt 2 of 4)"));
    assert_null(strstr(logged, TOKEN));
    assert_null(strstr(logged, "Authorization"));
    free(logged);
    cw_http_response_free(&o2.resp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_link_header_parsing),
        cmocka_unit_test(test_escape),
        cmocka_unit_test(test_get_headers_and_links),
        cmocka_unit_test(test_keepalive_and_gzip),
        cmocka_unit_test(test_retried_then_success),
        cmocka_unit_test(test_server_wait_too_long_fails),
        cmocka_unit_test(test_slow_response_times_out_and_retries),
        cmocka_unit_test(test_reset_mid_body_retries),
        cmocka_unit_test(test_truncated_json_retried_never_returned),
        cmocka_unit_test(test_max_tries_exhausted),
        cmocka_unit_test(test_connection_refused_retried),
        cmocka_unit_test(test_404_fails_at_once_with_message),
        cmocka_unit_test(test_401_without_token),
        cmocka_unit_test(test_auth_schemes),
        cmocka_unit_test(test_redirects),
        cmocka_unit_test(test_secret_never_in_errors_or_logs),
    };
    return cmocka_run_group_tests(tests, start_server, stop_server);
}
