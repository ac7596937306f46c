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
 */
#include "source.h"
#include "devlake.h"
#include "../core/config.h"
#include "../core/json.h"
#include "../core/time.h"
#include "../core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAW_MAX 600     /* bytes of raw JSON kept in a reject */

static const char *const pagerduty_keys[] = { "timezone", NULL };

typedef struct pd_ctx {
    const cw_source *src;
    const char *path;
    cw_sink *sink;
    cw_tz tz;
} pd_ctx;

/* The time fields of one incident, parsed before anything is emitted. */
typedef struct pd_times {
    int64_t created, resolved, updated;
} pd_times;

static int pd_reject(pd_ctx *c, const cw_origin *o, const char *field, json_t *raw_json,
                     const char *reason)
{
    char *raw = raw_json ? cw_json_dump_short(raw_json, RAW_MAX) : NULL;
    int rc = cw_sink_reject(c->sink, o, field, raw, "%s", reason);
    free(raw);
    return rc;
}

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

    *out = CW_NO_TIME;
    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_string(v) && cw_time_parse_iso8601(json_string_value(v), &c->tz, out) == 0)
        return 0;
    if (json_is_string(v))
        snprintf(why, whylen, "unparseable timestamp '%.80s'", json_string_value(v));
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
        return pd_reject(c, o, NULL, inc, "not a PagerDuty incident object");
    memset(&rec, 0, sizeof rec);
    rec.origin = *o;
    rec.id = cw_json_str(inc, "id");
    if (cw_str_empty(rec.id))
        return pd_reject(c, o, "id", inc, "incident without an id");
    status = cw_strdup(cw_json_str(inc, "status"));
    lower_ascii(status);
    if (pd_read_times(c, inc, status && strcmp(status, "resolved") == 0, &t, &bad,
                      why, sizeof why) != 0) {
        free(status);
        return pd_reject(c, o, bad, inc, why);
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

/* Every incident of a loaded document, numbered by position in its array. */
static int pd_each_in_array(pd_ctx *c, json_t *array)
{
    size_t i;
    json_t *inc;

    json_array_foreach(array, i, inc) {
        cw_origin o = { c->src->name, c->path, (long)i + 1 };
        if (pd_incident(c, inc, &o) != 0)
            return -1;
    }
    return 0;
}

static int pd_document(pd_ctx *c, json_t *root)
{
    cw_origin whole = { c->src->name, c->path, 1 };
    json_t *list;

    if (json_is_array(root))
        return pd_each_in_array(c, root);
    if (json_is_object(root)) {
        if (json_is_array(list = json_object_get(root, "incidents")))
            return pd_each_in_array(c, list);
        if (json_is_object(list = json_object_get(root, "incident")))
            return pd_incident(c, list, &whole) != 0 ? -1 : 0;
        if (json_object_get(root, "id") != NULL)
            return pd_incident(c, root, &whole) != 0 ? -1 : 0;
    }
    whole.record = 0;
    pd_reject(c, &whole, NULL, root,
              "not a PagerDuty document (expected an /incidents page, an array of incidents "
              "or one incident)");
    return -1;
}

static int pagerduty_parse(const cw_source *src, const char *path, cw_sink *sink)
{
    pd_ctx c = { src, path, sink, cw_tz_utc };
    cw_origin whole = { src->name, path, 0 };
    char err[256];
    json_t *root;
    int rc;

    if (pd_zone(src, &c.tz) != 0) {
        cw_sink_reject(sink, &whole, "timezone", NULL, "unknown time zone '%s'",
                       cw_source_get(src, "timezone"));
        return -1;
    }
    if (cw_devlake_is_wrapper(path))
        return cw_devlake_each(path, src->name, sink, pd_incident, &c) == 0 ? 0 : -1;
    root = cw_json_load_file(path, err, sizeof err);
    if (root == NULL) {
        cw_sink_reject(sink, &whole, NULL, NULL, "invalid JSON: %s", err);
        return -1;
    }
    rc = pd_document(&c, root);
    json_decref(root);
    return rc;
}

static int pagerduty_validate(const cw_source *src)
{
    cw_tz tz;

    if (pd_zone(src, &tz) != 0) {
        fprintf(stderr, "%s:%d: timezone: unknown time zone '%s' (use UTC, +hh:mm or an IANA "
                "name such as Europe/Paris)\n", src->config_path,
                cw_source_line(src, "timezone"), cw_source_get(src, "timezone"));
        return -1;
    }
    return 0;
}

const cw_source_type cw_source_pagerduty = {
    .name = "pagerduty",
    .keys = pagerduty_keys,
    .validate = pagerduty_validate,
    .produce = NULL,
    .parse = pagerduty_parse,
};
