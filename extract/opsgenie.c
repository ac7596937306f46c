/*
 * opsgenie.c - the Opsgenie connector (source type "opsgenie").
 *
 * Reads Opsgenie incidents (formats.md §7.3) in every shape a landed file
 * can have:
 *   - a GET /v1/incidents page {data:[...], paging:{next,first,last}, took,
 *     requestId};
 *   - a plain JSON array of incidents;
 *   - one incident, bare or as GET /v1/incidents/{id} returns it {data:{...}};
 *   - the DevLake raw-table CSV wrapper, one incident per row (DevLake's
 *     _raw_opsgenie_incidents).
 *
 * Each incident becomes one cw_incident:
 *   id = id, number = tinyId, title = message, description = description,
 *   status = status (open|resolved|closed, lower-cased), severity = priority
 *   (P1..P5), created_at = createdAt, updated_at = updatedAt.
 *   resolved_at = impactEndDate; an incident resolved or closed without it
 *   takes updatedAt, the change that closed it being its last one (the
 *   PagerDuty rule for last_status_change_at).
 *   service = the FIRST entry of impactedServices.  Opsgenie lists the
 *   impacted services by their ids (a UUID), so `[application X] services`
 *   names the service id; an incident listing several services belongs to
 *   the first one's application, because an incident row has one service.
 * Fractional seconds vary (1 to 3 digits): the one ISO 8601 parser reads
 * them all and keeps the second.
 *
 * Config keys: timezone (for timestamps without an offset; default UTC,
 * Opsgenie itself always sends UTC "Z").
 *
 * Live extraction (base_url, e.g. https://api.opsgenie.com or
 * https://api.eu.opsgenie.com; `Authorization: GenieKey KEY`): GET
 * /v1/incidents in pages of page_size (at most 100) with offset/limit,
 * sort=createdAt&order=asc, optionally narrowed by the `query` key (an
 * Opsgenie search query, e.g. impactedServices:ID as DevLake sends it).
 * The body has paging.next but no total (formats.md 0.2), so the shared
 * offset loop stops on a short or empty page.  Creation order never moves
 * while we page (an update would move an incident in an updatedAt order).
 * Every run reads every incident: Opsgenie cannot filter the list by
 * update time, an incident resolved weeks after it opened must still be
 * seen again, and incident counts are small; the loader's upsert by id
 * makes the repeats harmless.
 */
#include "source.h"
#include "fetch.h"
#include "items.h"
#include "../core/config.h"
#include "../core/json.h"
#include "../core/time.h"
#include "../core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* File key, live key of Opsgenie (plus cw_live_keys, which registry.c
 * accepts for every type that can fetch). */
static const char *const opsgenie_keys[] = {
    "timezone",
    "query",
    NULL,
};

#define OG_LIMIT_MAX 100                /* Opsgenie's largest page */

typedef struct og_ctx {
    cw_sink *sink;
    cw_tz tz;
} og_ctx;

static int og_zone(const cw_source *src, cw_tz *tz)
{
    const char *spec = cw_source_get(src, "timezone");
    *tz = cw_tz_utc;
    return spec ? cw_tz_parse(spec, tz) : 0;
}

/* One optional time field: 0 with *out (CW_NO_TIME when absent, null or
 * ""), -1 when present but not a timestamp, with why filled. */
static int og_time(const og_ctx *c, json_t *inc, const char *field, int64_t *out,
                   char *why, size_t whylen)
{
    json_t *v = json_object_get(inc, field);
    int trc;

    *out = CW_NO_TIME;
    if (v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
        return 0;
    if (!json_is_string(v)) {
        snprintf(why, whylen, "timestamp is not a string");
        return -1;
    }
    if ((trc = cw_time_parse_iso8601(json_string_value(v), &c->tz, out)) == 0)
        return 0;
    cw_time_reason(trc, json_string_value(v), why, whylen);
    return -1;
}

/* The first impacted service id, or NULL. */
static const char *og_service(json_t *inc)
{
    json_t *services = json_object_get(inc, "impactedServices");
    json_t *first = json_is_array(services) ? json_array_get(services, 0) : NULL;
    const char *s = json_is_string(first) ? json_string_value(first) : NULL;
    return cw_str_empty(s) ? NULL : s;
}

static char *og_status(json_t *inc)
{
    char *s = cw_strdup(cw_json_str(inc, "status"));
    for (char *p = s; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

static int is_final(const char *status)
{
    return status && (strcmp(status, "resolved") == 0 || strcmp(status, "closed") == 0);
}

/* The instants of one incident; on a bad one *bad names the field. */
static int og_times(const og_ctx *c, json_t *inc, const char *status, cw_incident *rec,
                    const char **bad, char *why, size_t whylen)
{
    *bad = "createdAt";
    if (og_time(c, inc, "createdAt", &rec->created_at, why, whylen) != 0)
        return -1;
    if (rec->created_at == CW_NO_TIME) {
        snprintf(why, whylen, "missing createdAt");
        return -1;
    }
    *bad = "updatedAt";
    if (og_time(c, inc, "updatedAt", &rec->updated_at, why, whylen) != 0)
        return -1;
    *bad = "impactEndDate";
    if (og_time(c, inc, "impactEndDate", &rec->resolved_at, why, whylen) != 0)
        return -1;
    if (rec->resolved_at == CW_NO_TIME && is_final(status))
        rec->resolved_at = rec->updated_at;
    return 0;
}

static int og_incident(void *ctx, json_t *inc, const cw_origin *o)
{
    og_ctx *c = ctx;
    cw_incident rec;
    char why[160];
    const char *bad;
    char *status;
    int rc;

    if (!json_is_object(inc))
        return cw_item_reject(c->sink, o, NULL, inc, "not an Opsgenie incident object");
    memset(&rec, 0, sizeof rec);
    rec.origin = *o;
    rec.id = cw_json_str(inc, "id");
    if (cw_str_empty(rec.id))
        return cw_item_reject(c->sink, o, "id", inc, "incident without an id");
    status = og_status(inc);
    if (og_times(c, inc, status, &rec, &bad, why, sizeof why) != 0) {
        free(status);
        return cw_item_reject(c->sink, o, bad, inc, why);
    }
    rec.number = cw_json_str(inc, "tinyId");
    rec.title = cw_json_str(inc, "message");
    rec.description = cw_json_str(inc, "description");
    rec.service = og_service(inc);
    rec.status = status;
    rec.severity = cw_json_str(inc, "priority");
    rec.version = -1;
    rc = c->sink->incident ? c->sink->incident(c->sink->ctx, &rec) : 0;
    free(status);
    return rc;
}

/* A /v1/incidents page {data:[...]}, an array, GET /v1/incidents/{id}'s
 * {data:{...}}, or a bare incident (it has an id). */
static const char *const og_pages[] = { "data", NULL };
static const char *const og_wrappers[] = { "data", NULL };
static const cw_item_shape og_shape = {
    .pages = og_pages, .wrappers = og_wrappers, .lone = CW_LONE_WITH_KEY, .lone_key = "id",
    .unknown = "not an Opsgenie document (expected a /v1/incidents page, an array of "
               "incidents or one incident)",
};

static int opsgenie_parse(const cw_source *src, const char *path, cw_sink *sink)
{
    og_ctx c = { sink, cw_tz_utc };

    if (og_zone(src, &c.tz) != 0) {
        cw_origin whole = { src->name, path, 0 };
        cw_sink_reject(sink, &whole, "timezone", NULL, "unknown time zone '%s'",
                       cw_source_get(src, "timezone"));
        return -1;
    }
    return cw_items_parse(&og_shape, src->name, path, sink, og_incident, &c);
}

static int opsgenie_validate(const cw_source *src)
{
    cw_tz tz;
    if (og_zone(src, &tz) != 0) {
        cw_source_error(src, "timezone", "unknown time zone '%s' (use UTC, +hh:mm or an IANA "
                        "name such as Europe/Paris)", cw_source_get(src, "timezone"));
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ live fetch */

static int opsgenie_fetch(cw_fetch *f)
{
    const char *query = cw_source_get(f->src, "query");
    int limit = f->page_size < OG_LIMIT_MAX ? f->page_size : OG_LIMIT_MAX;
    char *esc = query ? cw_http_escape(query) : NULL;
    char *url = cw_fetch_url(f, "/v1/incidents?limit=%d&offset=0&sort=createdAt&order=asc%s%s",
                             limit, esc ? "&query=" : "", esc ? esc : "");
    cw_endpoint ep = { .name = "incidents", .url = url, .paging = CW_PAGING_OFFSET_SHORT,
                       .items = "data", .offset_param = "offset", .page_size = limit };
    int rc = cw_fetch_pages(f, &ep, NULL, NULL);
    free(url);
    free(esc);
    return rc;
}

const cw_source_type cw_source_opsgenie = {
    .name = "opsgenie",
    .keys = opsgenie_keys,
    .validate = opsgenie_validate,
    .produce = NULL,
    .parse = opsgenie_parse,
    .fetch = opsgenie_fetch,
    .auth_kind = CW_AUTH_OPSGENIE,
};
