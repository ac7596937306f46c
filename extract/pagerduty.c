/*
 * pagerduty.c - the PagerDuty connector (source type "pagerduty").
 *
 * Reads PagerDuty REST v2 incidents (formats.md §7.1) in every shape a
 * landed file can have:
 *   - an /incidents page {incidents:[...],limit,offset,more,total};
 *   - a plain JSON array of incidents;
 *   - one incident, bare or as GET /incidents/{id} returns it {incident:{...}};
 *   - the DevLake raw-table CSV wrapper, one incident per row.
 *
 * Each incident becomes one cw_incident.  PagerDuty sends resolved_at only on
 * newer API versions and leaves it out of the DevLake recordings, so a
 * resolved incident without it takes last_status_change_at: the change that
 * made it resolved is its last one.
 *
 * Config keys: timezone (for timestamps without an offset; default UTC,
 * PagerDuty itself always sends UTC "Z").
 *
 * Live extraction (base_url, `Authorization: Token token=...`): GET
 * /incidents in windows of at most window_months months (default and maximum
 * 6, PagerDuty's own limit on since..until), from `start` (required for a
 * full extract) or the watermark, to `until` (default now).  PagerDuty's
 * `since` filters created_at, so an incremental run also re-reads the last
 * reopen_days days (default 30): since = min(watermark, now - reopen_days),
 * which sees incidents resolved or changed after the night they were opened.
 * Within a window offset + limit may not exceed max_offset (10000): when the
 * first page's total says the window holds more, or the cap is reached
 * anyway, the window is split in two halves and both are fetched.  The pages
 * already landed for the big window stay; the loader's upsert by id makes
 * the repeated incidents harmless.  service_ids (comma list) narrows the
 * query.
 */
#include "source.h"
#include "fetch.h"
#include "items.h"
#include "../core/config.h"
#include "../core/json.h"
#include "../core/time.h"
#include "../core/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* File key, live keys of PagerDuty, then cw_live_keys (credentials.h)
 * spelled out: test_live_ops checks they stay in step. */
static const char *const pagerduty_keys[] = {
    "timezone",
    "start", "until", "window_months", "reopen_days", "service_ids", "max_offset",
    NULL,   /* plus cw_live_keys, which registry.c accepts for every type that can fetch */
};

typedef struct pd_ctx {
    cw_sink *sink;
    cw_tz tz;
} pd_ctx;

/* The time fields of one incident, parsed before anything is emitted. */
typedef struct pd_times {
    int64_t created, resolved, updated;
} pd_times;

/* Read the configured zone; validate() has already vouched for it. */
static int pd_zone(const cw_source *src, cw_tz *tz)
{
    const char *spec = cw_source_get(src, "timezone");
    *tz = cw_tz_utc;
    return spec ? cw_tz_parse(spec, tz) : 0;
}

/*
 * One optional time field: 0 with *out set (CW_NO_TIME when absent or null),
 * -1 when present but not a timestamp; then *why says what was wrong.
 */
static int pd_time(const pd_ctx *c, json_t *inc, const char *field, int64_t *out,
                   char *why, size_t whylen)
{
    json_t *v = json_object_get(inc, field);

    int trc = -1;

    *out = CW_NO_TIME;
    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_string(v) && (trc = cw_time_parse_iso8601(json_string_value(v), &c->tz, out)) == 0)
        return 0;
    if (json_is_string(v))
        cw_time_reason(trc, json_string_value(v), why, whylen);
    else
        snprintf(why, whylen, "timestamp is not a string");
    return -1;
}

/* Parse every time field; on a bad one, *bad names it and why says how. */
static int pd_read_times(const pd_ctx *c, json_t *inc, int resolved, pd_times *t,
                         const char **bad, char *why, size_t whylen)
{
    int64_t last_change;

    *bad = "created_at";
    if (pd_time(c, inc, "created_at", &t->created, why, whylen) != 0)
        return -1;
    if (t->created == CW_NO_TIME) {
        snprintf(why, whylen, "missing created_at");
        return -1;
    }
    *bad = "resolved_at";
    if (pd_time(c, inc, "resolved_at", &t->resolved, why, whylen) != 0)
        return -1;
    *bad = "updated_at";
    if (pd_time(c, inc, "updated_at", &t->updated, why, whylen) != 0)
        return -1;
    *bad = "last_status_change_at";
    if (pd_time(c, inc, "last_status_change_at", &last_change, why, whylen) != 0)
        return -1;
    if (t->resolved == CW_NO_TIME && resolved)
        t->resolved = last_change;
    /* Without updated_at, the last status change is the latest thing we know. */
    if (t->updated == CW_NO_TIME)
        t->updated = last_change;
    return 0;
}

static void lower_ascii(char *s)
{
    for (; s && *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static int pd_incident(void *ctx, json_t *inc, const cw_origin *o)
{
    pd_ctx *c = ctx;
    cw_incident rec;
    pd_times t;
    char number[32], why[160];
    const char *bad;
    int64_t n;
    char *status;
    int rc;

    if (!json_is_object(inc))
        return cw_item_reject(c->sink, o, NULL, inc, "not a PagerDuty incident object");
    memset(&rec, 0, sizeof rec);
    rec.origin = *o;
    rec.id = cw_json_str(inc, "id");
    if (cw_str_empty(rec.id))
        return cw_item_reject(c->sink, o, "id", inc, "incident without an id");
    status = cw_strdup(cw_json_str(inc, "status"));
    lower_ascii(status);
    if (pd_read_times(c, inc, status && strcmp(status, "resolved") == 0, &t, &bad,
                      why, sizeof why) != 0) {
        free(status);
        return cw_item_reject(c->sink, o, bad, inc, why);
    }
    if (cw_json_out_of_range(json_object_get(inc, "incident_number"))) {
        free(status);
        return cw_item_reject(c->sink, o, "incident_number", inc, "number out of range");
    }
    if (cw_json_int(inc, "incident_number", &n) == 0) {
        snprintf(number, sizeof number, "%lld", (long long)n);
        rec.number = number;
    }
    rec.title = cw_json_str(inc, "title");
    rec.description = cw_json_str(inc, "description");
    if (rec.description == NULL)
        rec.description = cw_json_str(inc, "summary");
    rec.service = cw_json_str(inc, "service.summary");
    rec.status = status;
    rec.severity = cw_json_str(inc, "urgency");
    if (rec.severity == NULL)
        rec.severity = cw_json_str(inc, "priority.summary");
    rec.created_at = t.created;
    rec.resolved_at = t.resolved;
    rec.updated_at = t.updated;
    rec.version = -1;
    rc = c->sink->incident ? c->sink->incident(c->sink->ctx, &rec) : 0;
    free(status);
    return rc;
}

/* An /incidents page, an array, GET /incidents/{id}'s {incident:{...}}, or
 * a bare incident (it has an id). */
static const char *const pd_pages[] = { "incidents", NULL };
static const char *const pd_wrappers[] = { "incident", NULL };
static const cw_item_shape pd_shape = {
    .pages = pd_pages, .wrappers = pd_wrappers, .lone = CW_LONE_WITH_KEY, .lone_key = "id",
    .unknown = "not a PagerDuty document (expected an /incidents page, an array of incidents "
               "or one incident)",
};

static int pagerduty_parse(const cw_source *src, const char *path, cw_sink *sink)
{
    pd_ctx c = { sink, cw_tz_utc };

    if (pd_zone(src, &c.tz) != 0) {
        cw_origin whole = { src->name, path, 0 };
        cw_sink_reject(sink, &whole, "timezone", NULL, "unknown time zone '%s'",
                       cw_source_get(src, "timezone"));
        return -1;
    }
    return cw_items_parse(&pd_shape, src->name, path, sink, pd_incident, &c);
}

/* ------------------------------------------------------------ live keys */

#define PD_ACCEPT "application/vnd.pagerduty+json;version=2"
#define PD_LIMIT_MAX 100                /* PagerDuty's largest page */
#define PD_OFFSET_CAP 10000             /* offset + limit may not exceed it */
#define PD_WINDOW_MONTHS_MAX 6          /* longest since..until range */
#define PD_REOPEN_DAYS 30

/* The live settings of a source, read and checked in one place. */
typedef struct pd_live {
    int64_t start, until;               /* CW_NO_TIME when absent */
    long window_months, reopen_days, max_offset;
} pd_live;

static int pd_bad_key(const cw_source *src, const char *key, const char *why)
{
    fprintf(stderr, "%s:%d: %s: '%s' %s\n", src->config_path, cw_source_line(src, key), key,
            cw_source_get(src, key), why);
    return -1;
}

/* A whole-number key in [min, max]; def when absent. */
static int pd_key_long(const cw_source *src, const char *key, long def, long min, long max,
                       long *out)
{
    const char *v = cw_source_get(src, key);
    char *end;
    *out = def;
    if (v == NULL)
        return 0;
    errno = 0;
    *out = strtol(v, &end, 10);
    if (end == v || *end || errno || *out < min || *out > max) {
        char why[96];
        snprintf(why, sizeof why, "must be a whole number from %ld to %ld", min, max);
        return pd_bad_key(src, key, why);
    }
    return 0;
}

static int pd_key_time(const cw_source *src, const char *key, int64_t *out)
{
    const char *v = cw_source_get(src, key);
    *out = CW_NO_TIME;
    if (v == NULL || cw_time_parse_iso8601(v, &cw_tz_utc, out) == 0)
        return 0;
    return pd_bad_key(src, key, "is not a date (use 2024-01-01 or an ISO 8601 instant)");
}

static int pd_live_settings(const cw_source *src, pd_live *l)
{
    int rc = 0;
    rc |= pd_key_time(src, "start", &l->start);
    rc |= pd_key_time(src, "until", &l->until);
    rc |= pd_key_long(src, "window_months", PD_WINDOW_MONTHS_MAX, 1, PD_WINDOW_MONTHS_MAX,
                      &l->window_months);
    rc |= pd_key_long(src, "reopen_days", PD_REOPEN_DAYS, 0, 3650, &l->reopen_days);
    rc |= pd_key_long(src, "max_offset", PD_OFFSET_CAP, 1, PD_OFFSET_CAP, &l->max_offset);
    return rc ? -1 : 0;
}

static int pagerduty_validate(const cw_source *src)
{
    cw_tz tz;
    pd_live live;

    if (pd_zone(src, &tz) != 0) {
        fprintf(stderr, "%s:%d: timezone: unknown time zone '%s' (use UTC, +hh:mm or an IANA "
                "name such as Europe/Paris)\n", src->config_path,
                cw_source_line(src, "timezone"), cw_source_get(src, "timezone"));
        return -1;
    }
    return pd_live_settings(src, &live);
}

/* ------------------------------------------------------------ live fetch */

/* t plus n calendar months, same time of day; the day is clamped to the
 * month's length (Aug 31 + 6 months = Feb 28/29). */
static int64_t add_months(int64_t t, long n)
{
    static const int days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    int y, m, d, last;
    long months;

    cw_civil_from_days(days, &y, &m, &d);
    months = (long)y * 12 + (m - 1) + n;
    y = (int)(months / 12);
    m = (int)(months % 12) + 1;
    last = days_in[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    if (d > last)
        d = last;
    return cw_days_from_civil(y, m, d) * 86400 + secs;
}

typedef struct pd_window {
    long cap;
    int too_big;                        /* the first page's total exceeds the cap */
} pd_window;

/* Only the first page matters: its total (total=true) says whether the
 * window fits under the offset cap. */
static int pd_first_page(void *ctx, json_t *page, const cw_http_response *resp)
{
    pd_window *w = ctx;
    int64_t offset = 0, total;
    if (cw_json_int(page, "offset", &offset) == 0 && offset == 0 &&
        cw_json_int(page, "total", &total) == 0 && total > w->cap) {
        w->too_big = 1;
        return 1;
    }
    return 0;
}

/* "&service_ids%5B%5D=A&service_ids%5B%5D=B", or "". Caller frees. */
static char *pd_service_filter(const cw_source *src)
{
    cw_strlist ids;
    cw_buf b = {0};
    cw_buf_puts(&b, "");
    cw_strlist_split(cw_source_get(src, "service_ids"), &ids);
    for (size_t i = 0; i < ids.n; i++) {
        char *esc = cw_http_escape(ids.items[i]);
        cw_buf_printf(&b, "&service_ids%%5B%%5D=%s", esc);
        free(esc);
    }
    cw_strlist_free(&ids);
    return b.data;
}

/* One since..until window; split in halves while it holds more than the cap. */
static int pd_fetch_window(cw_fetch *f, const pd_live *l, const char *services,
                           int64_t from, int64_t to)
{
    char since[32], until[32], *url;
    int limit = f->page_size < PD_LIMIT_MAX ? f->page_size : PD_LIMIT_MAX;
    pd_window w = {l->max_offset, 0};
    cw_endpoint ep = {.name = "incidents", .paging = CW_PAGING_OFFSET_MORE, .items = "incidents",
                      .offset_param = "offset", .page_size = limit,
                      .max_offset = l->max_offset, .accept = PD_ACCEPT};
    int rc;

    cw_time_format_iso(from, since, sizeof since);
    cw_time_format_iso(to, until, sizeof until);
    url = cw_fetch_url(f, "/incidents?since=%s&until=%s&limit=%d&offset=0&total=true"
                       "&time_zone=UTC&sort_by=created_at%s", since, until, limit, services);
    ep.url = url;
    rc = cw_fetch_pages(f, &ep, pd_first_page, &w);
    free(url);
    if (rc != 0 || (!w.too_big && !f->capped))
        return rc;
    if (to - from < 2) {
        snprintf(f->error, sizeof f->error, "%s: more than %ld incidents created at %s: "
                 "cannot split the window further", f->src->name, l->max_offset, since);
        return -1;
    }
    return pd_fetch_window(f, l, services, from, from + (to - from) / 2) != 0 ? -1
         : pd_fetch_window(f, l, services, from + (to - from) / 2, to);
}

static int pagerduty_fetch(cw_fetch *f)
{
    pd_live l;
    int64_t now = (int64_t)time(NULL), from, to;
    char *services;
    int rc = 0;

    if (pd_live_settings(f->src, &l) != 0) {
        snprintf(f->error, sizeof f->error, "%s: invalid live settings", f->src->name);
        return -1;
    }
    if (f->since == CW_NO_TIME && l.start == CW_NO_TIME) {
        snprintf(f->error, sizeof f->error, "%s: a full extract needs `start` "
                 "(the first creation date to read, e.g. 2024-01-01)", f->src->name);
        return -1;
    }
    from = l.start;
    if (f->since != CW_NO_TIME) {
        int64_t reopen = now - (int64_t)l.reopen_days * 86400;
        from = f->since < reopen ? f->since : reopen;
    }
    to = l.until != CW_NO_TIME ? l.until : now;
    services = pd_service_filter(f->src);
    while (rc == 0 && from < to) {
        int64_t end = add_months(from, l.window_months);
        if (end > to)
            end = to;
        rc = pd_fetch_window(f, &l, services, from, end);
        from = end;
    }
    free(services);
    return rc;
}

const cw_source_type cw_source_pagerduty = {
    .name = "pagerduty",
    .keys = pagerduty_keys,
    .validate = pagerduty_validate,
    .produce = NULL,
    .parse = pagerduty_parse,
    .fetch = pagerduty_fetch,
    .auth_kind = CW_AUTH_PAGERDUTY,
};
