/*
 * fetch.c - live extraction mechanics shared by every connector (see fetch.h).
 *
 * A connector names endpoints; this file walks their pages with the cursor
 * rule each API uses, lands every page's bytes untouched, and counts what it
 * did.  Pages land as NNNNN-<name>.json with a running number, so the load
 * step parses them in the order they were fetched (an issue page before the
 * changelog pages it asked for).
 */
#include "fetch.h"
#include "../core/json.h"
#include "../core/record.h"
#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PAGE_SIZE 100
/* No real endpoint of ours needs this many pages; a server that keeps
 * handing out "next" links forever must not fill the landing zone. */
#define MAX_PAGES_PER_ENDPOINT 100000

static int key_number(const cw_source *src, const char *key, double def, double *out)
{
    const char *v = cw_source_get(src, key);
    char *end;
    if (!v) {
        *out = def;
        return 0;
    }
    *out = strtod(v, &end);
    if (end == v || *end || *out < 0) {
        fprintf(stderr, "%s:%d: %s: expected a number, got '%s'\n", src->config_path,
                cw_source_line(src, key), key, v);
        return -1;
    }
    return 0;
}

static int http_options(const cw_source *src, cw_http_options *opt, char **ca_file)
{
    double tries, initial, max, timeout;
    if (key_number(src, "max_tries", 6, &tries) || key_number(src, "backoff_initial", 1, &initial) ||
        key_number(src, "backoff_max", 60, &max) || key_number(src, "timeout", 600, &timeout))
        return -1;
    memset(opt, 0, sizeof(*opt));
    opt->max_tries = tries < 1 ? 1 : (int)tries;
    opt->backoff_initial_s = initial;
    opt->backoff_max_s = max;
    opt->timeout_s = (long)timeout;
    opt->connect_timeout_s = 15;
    opt->low_speed_time_s = timeout < 60 ? (long)timeout : 60;
    *ca_file = cw_source_path(src, "ca_file");
    opt->ca_file = *ca_file;
    return 0;
}

int cw_fetch_init(cw_fetch *f, const cw_source *src, const char *dest_dir, int64_t since,
                  int dry_run, cw_auth_kind default_auth)
{
    cw_http_options opt;
    char *ca_file = NULL, *base;
    double page_size;
    size_t n;
    memset(f, 0, sizeof(*f));
    f->src = src;
    f->dest_dir = dest_dir;
    f->since = since;
    f->dry_run = dry_run;
    if (http_options(src, &opt, &ca_file) != 0 ||
        key_number(src, "page_size", DEFAULT_PAGE_SIZE, &page_size) != 0) {
        free(ca_file);
        return -1;
    }
    f->page_size = page_size >= 1 ? (int)page_size : DEFAULT_PAGE_SIZE;
    if (cw_credentials_load(src, default_auth, &f->cred) != 0) {
        free(ca_file);
        return -1;
    }
    f->auth = &f->cred.auth;
    base = cw_strdup(cw_source_get(src, "base_url"));
    n = base ? strlen(base) : 0;
    while (n && base[n - 1] == '/')
        base[--n] = '\0';
    f->base_url = base;
    f->http = cw_http_new(&opt);
    free(ca_file);
    return f->http ? 0 : -1;
}

void cw_fetch_cleanup(cw_fetch *f)
{
    cw_http_free(f->http);
    cw_credentials_free(&f->cred);
    free((char *)f->base_url);
    f->http = NULL;
    f->base_url = NULL;
}

static void fetch_error(cw_fetch *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fetch_error(cw_fetch *f, const char *fmt, ...)
{
    va_list ap;
    if (f->error[0])
        return;
    va_start(ap, fmt);
    vsnprintf(f->error, sizeof(f->error), fmt, ap);
    va_end(ap);
}

char *cw_fetch_url(const cw_fetch *f, const char *path_fmt, ...)
{
    va_list ap;
    char *path = NULL, *url;
    va_start(ap, path_fmt);
    if (vasprintf(&path, path_fmt, ap) < 0)
        path = NULL;
    va_end(ap);
    url = cw_asprintf("%s%s", f->base_url ? f->base_url : "", path ? path : "");
    free(path);
    return url;
}

void cw_fetch_since_iso(const cw_fetch *f, char *buf, size_t size)
{
    if (f->since == CW_NO_TIME)
        snprintf(buf, size, "%s", "");
    else
        cw_time_format_iso(f->since, buf, size);
}

/* File names keep letters, digits, '-', '_' and '.'; anything else becomes '_'. */
static void sanitize(char *name)
{
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            *p = '_';
}

int cw_fetch_land(cw_fetch *f, const char *name, const char *body, size_t len)
{
    char *clean = cw_strdup(name);
    char *path;
    FILE *out;
    int rc = 0;
    sanitize(clean);
    path = cw_asprintf("%s/%05ld-%s.json", f->dest_dir, f->files_written + 1, clean);
    out = fopen(path, "wbx");
    if (!out || fwrite(body, 1, len, out) != len)
        rc = -1;
    if (out && fclose(out) != 0)
        rc = -1;
    if (rc != 0)
        fetch_error(f, "%s: cannot write landed page: %s", path, strerror(errno));
    else
        f->files_written++;
    free(path);
    free(clean);
    return rc;
}

/* Replace (or add) one query parameter of a URL; caller frees. */
static char *with_param(const char *url, const char *name, const char *value)
{
    char *escaped = cw_http_escape(value);
    const char *q = strchr(url, '?');
    size_t nlen = strlen(name);
    cw_buf out = {0};
    int replaced = 0;
    if (!q) {
        cw_buf_printf(&out, "%s?%s=%s", url, name, escaped);
        free(escaped);
        return out.data;
    }
    cw_buf_append(&out, url, (size_t)(q - url) + 1);
    for (const char *p = q + 1; *p;) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (out.data[out.len - 1] != '?')
            cw_buf_puts(&out, "&");
        if (len > nlen && strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
            cw_buf_printf(&out, "%s=%s", name, escaped);
            replaced = 1;
        } else {
            cw_buf_append(&out, p, len);
        }
        p += len + (amp ? 1 : 0);
    }
    if (!replaced)
        cw_buf_printf(&out, "%s%s=%s", out.data[out.len - 1] == '?' ? "" : "&", name, escaped);
    free(escaped);
    return out.data;
}

static char *with_long_param(const char *url, const char *name, long value)
{
    char text[32];
    snprintf(text, sizeof(text), "%ld", value);
    return with_param(url, name, text);
}

/* Jenkins ranges: "{RANGE}" in the template becomes "{M,N}", URL-encoded. */
static char *range_url(const char *tmpl, long from, long size)
{
    const char *at = strstr(tmpl, "{RANGE}");
    char range[64];
    char *escaped, *url;
    if (!at)
        return cw_strdup(tmpl);
    snprintf(range, sizeof(range), "{%ld,%ld}", from, from + size);
    escaped = cw_http_escape(range);
    url = cw_asprintf("%.*s%s%s", (int)(at - tmpl), tmpl, escaped, at + strlen("{RANGE}"));
    free(escaped);
    return url;
}

static long page_items(json_t *page, const char *path)
{
    json_t *items = (!path || !*path) ? page : cw_json_path(page, path);
    return json_is_array(items) ? (long)json_array_size(items) : 0;
}

typedef struct cursor {
    long offset;        /* START_AT, OFFSET_*: next offset; PAGE_SHORT: next page; RANGE: next M */
} cursor;

/*
 * LINK: the server's rel="next", whatever this page held.  ServiceNow applies
 * ACLs after sysparm_limit has cut the page (KB0718678, KB3047115), so a
 * page short of the limit, or empty, is no sign of the end; only a Link
 * header without "next" is.  A response with no Link header at all ends a
 * GitHub-style endpoint (one page); an endpoint with an offset parameter
 * (ServiceNow) then pages by X-Total-Count, which counts the rows before the
 * ACLs, and only with neither header falls back to stopping on a short page.
 */
static char *link_next(const cw_endpoint *ep, const char *url, const cw_http_response *resp,
                       long n, int size, cursor *c)
{
    char *next = cw_http_link(resp, "next");
    const char *total_text = cw_http_response_header(resp, "X-Total-Count");
    char *end;
    long total;
    if (next || cw_http_response_header(resp, "Link") || !ep->offset_param)
        return next;
    c->offset += size;
    if (total_text) {
        total = strtol(total_text, &end, 10);
        if (end == total_text || *end || total < 0) {
            /* a count that is no count proves nothing: page on by size */
            cw_warn("%s: X-Total-Count '%.40s' is not a count; paging until a short page", url,
                    total_text);
            total_text = NULL;
        } else if (c->offset >= total) {
            return NULL;
        }
    }
    if (!total_text && n < size)
        return NULL;
    return with_long_param(url, ep->offset_param, c->offset);
}

/* The next page's URL by the endpoint's rule, or NULL when this was the last. */
static char *next_url(cw_fetch *f, const cw_endpoint *ep, const char *url, json_t *page,
                      const cw_http_response *resp, long n, cursor *c)
{
    int size = ep->page_size > 0 ? ep->page_size : f->page_size;
    switch (ep->paging) {
    case CW_PAGING_NONE:
        return NULL;
    case CW_PAGING_LINK:
        return link_next(ep, url, resp, n, size, c);
    case CW_PAGING_NEXT_PAGE: {
        /* GitLab may send X-Next-Page on the last page: trust a short page more. */
        const char *next = cw_http_response_header(resp, "X-Next-Page");
        if (n == 0 || n < size || !next || !*next)
            return NULL;
        return with_param(url, ep->offset_param ? ep->offset_param : "page", next);
    }
    case CW_PAGING_START_AT: {
        int64_t start = 0, total = -1;
        cw_json_int(page, "startAt", &start);
        if (cw_json_int(page, "total", &total) != 0 || n == 0 || start + n >= total)
            return NULL;
        return with_long_param(url, ep->offset_param ? ep->offset_param : "startAt", (long)(start + n));
    }
    case CW_PAGING_TOKEN: {
        /* On the last page the token is missing (not null), and isLast is true. */
        const char *token = cw_json_str(page, "nextPageToken");
        if (cw_json_bool(page, "isLast", 0) || !token || !*token)
            return NULL;
        return with_param(url, ep->offset_param ? ep->offset_param : "nextPageToken", token);
    }
    case CW_PAGING_OFFSET_MORE:
        if (!cw_json_bool(page, "more", 0) || n == 0)
            return NULL;
        c->offset += n;
        if (ep->max_offset && c->offset + size > ep->max_offset) {
            f->capped = 1;
            return NULL;
        }
        return with_long_param(url, ep->offset_param ? ep->offset_param : "offset", c->offset);
    case CW_PAGING_OFFSET_SHORT:
        if (n < size)
            return NULL;
        c->offset += n;
        return with_long_param(url, ep->offset_param ? ep->offset_param : "offset", c->offset);
    case CW_PAGING_PAGE_SHORT:
        if (n < size)
            return NULL;
        c->offset += 1;
        return with_long_param(url, ep->offset_param ? ep->offset_param : "page", c->offset);
    case CW_PAGING_RANGE:
        if (n < size)
            return NULL;
        c->offset += size;
        return range_url(ep->url, c->offset, size);
    }
    return NULL;
}

static char *first_url(cw_fetch *f, const cw_endpoint *ep, cursor *c)
{
    int size = ep->page_size > 0 ? ep->page_size : f->page_size;
    c->offset = ep->paging == CW_PAGING_PAGE_SHORT ? 1 : 0;
    if (ep->paging == CW_PAGING_RANGE)
        return range_url(ep->url, 0, size);
    return cw_strdup(ep->url);
}

/* One page: request, land, parse, count, callback.  Returns the parsed page
 * (caller decrefs) or NULL on error. */
static json_t *fetch_one(cw_fetch *f, const cw_endpoint *ep, const char *url, cw_http_response *resp)
{
    cw_http_request req = {url, f->auth, ep->accept, ep->headers, 1};
    char err[512], jerr[256];
    json_t *page;
    if (cw_http_get(f->http, &req, resp, &f->stats, err, sizeof(err)) != 0) {
        fetch_error(f, "%s", err);
        return NULL;
    }
    if (cw_fetch_land(f, ep->name, resp->body.data ? resp->body.data : "", resp->body.len) != 0)
        return NULL;
    page = cw_json_load_text(resp->body.data ? resp->body.data : "", resp->body.len, jerr,
                             sizeof(jerr));
    if (!page)
        fetch_error(f, "GET %s: invalid JSON after retries: %s", url, jerr);
    return page;
}

int cw_fetch_pages(cw_fetch *f, const cw_endpoint *ep, cw_page_fn page_fn, void *ctx)
{
    cursor c;
    char *url = first_url(f, ep, &c);
    long pages = 0;
    int rc = 0;
    f->capped = 0;
    if (f->dry_run) {
        printf("GET %s   (%s)\n", url, ep->name);
        free(url);
        return 0;
    }
    while (url && rc == 0) {
        cw_http_response resp = {0};
        json_t *page = fetch_one(f, ep, url, &resp);
        long n;
        char *next = NULL;
        if (!page) {
            rc = -1;
        } else {
            n = page_items(page, ep->items);
            f->pages++;
            f->items += n;
            cw_progress(f->src->name, f->items, -1);
            rc = page_fn ? page_fn(ctx, page, &resp) : 0;
            if (rc < 0)
                fetch_error(f, "%s: stopped while handling %s", f->src->name, url);
            else if (rc == 0)
                next = next_url(f, ep, url, page, &resp, n, &c);
            rc = rc < 0 ? -1 : 0;
            if (next && (strcmp(next, url) == 0 || ++pages >= MAX_PAGES_PER_ENDPOINT)) {
                fetch_error(f, "%s: paging does not end (%s after %ld pages)", ep->name,
                            strcmp(next, url) == 0 ? "the next page is this page" : "too many pages",
                            pages);
                free(next);
                next = NULL;
                rc = -1;
            }
            json_decref(page);
        }
        cw_http_response_free(&resp);
        free(url);
        url = next;
    }
    free(url);
    return rc;
}
