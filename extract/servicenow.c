/*
 * servicenow.c - the ServiceNow connector (source type "servicenow").
 *
 * Reads incidents in the two shapes ServiceNow hands out (formats.md §7.2):
 *   - a CSV list export, with system field names (number, opened_at, ...) or
 *     the UI labels (Number, Opened, ...); "?" and empty cells are null;
 *   - the Table API {"result":[...]} (or one record {"result":{...}}), where
 *     a field is a string, a reference {"link","value"} or, with
 *     sysparm_display_value=all, {"display_value","value"}.
 *
 * Each row becomes one cw_incident.  An export of the audit log has many rows
 * per incident; the loader keeps the latest (sys_mod_count, then
 * sys_updated_at), so rows stream straight through without being held.
 *
 * Times: a CSV export is in the exporting user's format and time zone, so
 * both are configurable (`date_format`, `timezone`); the Table API always
 * sends "yyyy-MM-dd HH:mm:ss" in UTC.
 *
 * Config keys: timezone (default UTC), date_format (default: try
 * yyyy-MM-dd HH:mm:ss, dd-MM-yyyy HH:mm, then ISO 8601), service_field
 * (default business_service, falling back to cmdb_ci).
 *
 * Live extraction (base_url, Basic user + password): the Table API
 * GET /api/now/table/<table> (`table` key, default incident) in pages of
 * page_size rows (sysparm_limit / sysparm_offset), following the Link
 * rel="next" until a response has none.  A short or even empty page is not
 * the end: ServiceNow drops the rows the caller may not read after the limit
 * has cut the page (KB0718678, KB3047115), and stopping there would lose the
 * rest for good once the watermark moves past it.  Without a Link header
 * (a proxy may strip it) X-Total-Count decides (extract/fetch.c).
 * It asks for sysparm_display_value=all, not false: with false a
 * reference (business_service) is only a sys_id and a choice (priority,
 * incident_state) only its number, so the incident would lose the service
 * name applications are matched on and differ from the CSV of the same
 * incident; with all, every field is {display_value, value}, and the parser
 * takes times (and counts, ids) from value, which is UTC as with false, and
 * texts from display_value, as a list export shows them.
 * The order is ORDERBYsys_created_on^ORDERBYsys_id rather than
 * sys_updated_on: a row updated while we page would jump to the end of an
 * updated-on order and shift a row we have not read yet into a page we have
 * (a silent skip); creation order never moves.  An incremental run adds
 * `sys_updated_on>=yyyy-MM-dd HH:mm:ss` (the watermark, UTC, the plain
 * value form), and the `query` key (an encoded query without ^NQ) narrows
 * it further.
 */
#include "source.h"
#include "fetch.h"
#include "items.h"
#include "../core/config.h"
#include "../core/csv.h"
#include "../core/json.h"
#include "../core/time.h"
#include "../core/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* File keys, live keys of ServiceNow, then cw_live_keys (credentials.h)
 * spelled out: test_live_ops checks they stay in step. */
static const char *const servicenow_keys[] = {
    "timezone", "date_format", "service_field",
    "table", "query",
    NULL,   /* plus cw_live_keys, which registry.c accepts for every type that can fetch */
};

/* Every column we read, with the names it goes by (system name first). */
enum sn_col {
    COL_NUMBER, COL_SYS_ID, COL_OPENED, COL_CREATED, COL_RESOLVED, COL_CLOSED, COL_STATE,
    COL_UPDATED, COL_VERSION, COL_TITLE, COL_DESCRIPTION, COL_PRIORITY, COL_URGENCY,
    COL_SERVICE, COL_SERVICE_FALLBACK, COL_COUNT
};

static const char *const column_names[COL_COUNT] = {
    [COL_NUMBER] = "number|Number",
    [COL_SYS_ID] = "sys_id|Sys ID",
    [COL_OPENED] = "opened_at|Opened",
    [COL_CREATED] = "sys_created_at|sys_created_on|Created",
    [COL_RESOLVED] = "resolved_at|Resolved",
    [COL_CLOSED] = "closed_at|Closed",
    [COL_STATE] = "incident_state|state|State|Incident state",
    [COL_UPDATED] = "sys_updated_at|sys_updated_on|Updated",
    [COL_VERSION] = "sys_mod_count|Updates",
    [COL_TITLE] = "short_description|Short description",
    [COL_DESCRIPTION] = "description|Description",
    [COL_PRIORITY] = "priority|Priority",
    [COL_URGENCY] = "urgency|Urgency",
    [COL_SERVICE] = NULL,            /* from service_field */
    [COL_SERVICE_FALLBACK] = NULL,
};

/* The field each column is reported as in a reject (its system name). */
static const char *const field_names[COL_COUNT] = {
    [COL_NUMBER] = "number", [COL_SYS_ID] = "sys_id", [COL_OPENED] = "opened_at",
    [COL_CREATED] = "sys_created_at", [COL_RESOLVED] = "resolved_at",
    [COL_CLOSED] = "closed_at", [COL_STATE] = "incident_state",
    [COL_UPDATED] = "sys_updated_at", [COL_VERSION] = "sys_mod_count",
    [COL_TITLE] = "short_description", [COL_DESCRIPTION] = "description",
    [COL_PRIORITY] = "priority", [COL_URGENCY] = "urgency", [COL_SERVICE] = "service",
    [COL_SERVICE_FALLBACK] = "cmdb_ci",
};

/* Labels of the two default service fields, so a UI export works unconfigured. */
static const char *service_names(const char *field)
{
    if (strcmp(field, "business_service") == 0)
        return "business_service|Business service";
    if (strcmp(field, "cmdb_ci") == 0)
        return "cmdb_ci|Configuration item";
    return field;
}

/* The incident_state / state choice values, for exports of raw values. */
static const char *const state_names[] = {
    NULL, "new", "in progress", "on hold", NULL, NULL, "resolved", "closed", "canceled",
};

typedef struct sn_ctx {
    const cw_source *src;
    const char *path;
    cw_sink *sink;
    cw_tz tz;                   /* zone of naive CSV times */
    const char *date_format;    /* explicit pattern, or NULL for the defaults */
    const char *service_field;  /* configured, or NULL for business_service|cmdb_ci */
    int col[COL_COUNT];
    int is_json;                /* Table API: times are UTC "yyyy-MM-dd HH:mm:ss" */
    int stopped;                /* a callback stopped the CSV read (reject or sink failure) */
    int header_seen;
} sn_ctx;

/* One row, as texts (NULL = null), whatever the input shape. */
typedef struct sn_row {
    const char *v[COL_COUNT];
} sn_row;

/* ------------------------------------------------------------- settings */

static int sn_settings(const cw_source *src, cw_tz *tz, const char **date_format,
                       const char **service_field, const char **bad_key)
{
    const char *zone = cw_source_get(src, "timezone");

    *tz = cw_tz_utc;
    *date_format = cw_source_get(src, "date_format");
    *service_field = cw_source_get(src, "service_field");
    if (zone && cw_tz_parse(zone, tz) != 0) {
        *bad_key = "timezone";
        return -1;
    }
    if (*service_field && cw_str_empty(*service_field)) {
        *bad_key = "service_field";
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- values */

static int is_null_text(const char *s)
{
    return s == NULL || s[0] == '\0' || strcmp(s, "?") == 0;
}

/* Parse one time text: the Table API form in UTC, or the CSV forms in the
 * configured zone and format. */
static int sn_parse_time(const sn_ctx *c, const char *s, int64_t *out)
{
    int rc;
    if (c->is_json)
        return (rc = cw_time_parse_pattern(s, "yyyy-MM-dd HH:mm:ss", &cw_tz_utc, out)) == 0
                   ? 0 : cw_time_either(rc, cw_time_parse_iso8601(s, &cw_tz_utc, out));
    if (c->date_format)
        return cw_time_parse_any(s, c->date_format, &c->tz, out);
    if ((rc = cw_time_parse_pattern(s, "yyyy-MM-dd HH:mm:ss", &c->tz, out)) == 0 ||
        (rc = cw_time_either(rc, cw_time_parse_pattern(s, "dd-MM-yyyy HH:mm", &c->tz, out))) == 0)
        return 0;
    return cw_time_either(rc, cw_time_parse_iso8601(s, &c->tz, out));
}

/* An optional time column: CW_NO_TIME when null; -1 when not a timestamp. */
static int sn_time(const sn_ctx *c, const sn_row *r, enum sn_col col, int64_t *out)
{
    *out = CW_NO_TIME;
    if (is_null_text(r->v[col]))
        return 0;
    return sn_parse_time(c, r->v[col], out);
}

/* "Resolved", "Closed", "6 - Resolved", "7": the states that end an incident. */
static int state_is_final(const char *status)
{
    if (status == NULL)
        return 0;
    return strstr(status, "resolved") != NULL || strstr(status, "closed") != NULL;
}

/* Lower-case status text; a bare choice value ("7") becomes its name. */
static char *sn_status(const char *state)
{
    char *end, *s;
    long code;

    if (is_null_text(state))
        return NULL;
    errno = 0;
    code = strtol(state, &end, 10);
    if (*end == '\0' && errno == 0 && code > 0 &&
        code < (long)(sizeof state_names / sizeof state_names[0]) && state_names[code])
        return cw_strdup(state_names[code]);
    s = cw_strdup(state);
    for (char *p = s; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return s;
}

static int sn_version(const char *text, long *out)
{
    char *end;

    *out = -1;
    if (is_null_text(text))
        return 0;
    errno = 0;
    *out = strtol(text, &end, 10);
    return *end != '\0' || errno != 0 || *out < 0 ? -1 : 0;
}

static const char *nullable(const char *s)
{
    return is_null_text(s) ? NULL : s;
}

/* ------------------------------------------------------------------ rows */

/* Times of one row; on failure *bad is the offending column. */
static int sn_times(const sn_ctx *c, const sn_row *r, int final, cw_incident *rec,
                    enum sn_col *bad)
{
    *bad = COL_OPENED;
    if (sn_time(c, r, COL_OPENED, &rec->created_at) != 0)
        return -1;
    if (rec->created_at == CW_NO_TIME) {
        *bad = COL_CREATED;
        if (sn_time(c, r, COL_CREATED, &rec->created_at) != 0)
            return -1;
    }
    *bad = COL_RESOLVED;
    if (sn_time(c, r, COL_RESOLVED, &rec->resolved_at) != 0)
        return -1;
    if (rec->resolved_at == CW_NO_TIME && final) {
        *bad = COL_CLOSED;
        if (sn_time(c, r, COL_CLOSED, &rec->resolved_at) != 0)
            return -1;
    }
    *bad = COL_UPDATED;
    return sn_time(c, r, COL_UPDATED, &rec->updated_at);
}

/* Fill the record's texts; the loader copies them before we return. */
static void sn_texts(const sn_ctx *c, const sn_row *r, cw_incident *rec)
{
    rec->title = nullable(r->v[COL_TITLE]);
    rec->description = nullable(r->v[COL_DESCRIPTION]);
    rec->service = nullable(r->v[COL_SERVICE]);
    if (rec->service == NULL && c->service_field == NULL)
        rec->service = nullable(r->v[COL_SERVICE_FALLBACK]);
    rec->severity = nullable(r->v[COL_PRIORITY]);
    if (rec->severity == NULL)
        rec->severity = nullable(r->v[COL_URGENCY]);
}

static int sn_emit(sn_ctx *c, const sn_row *r, const cw_origin *o, const char *raw)
{
    cw_incident rec;
    enum sn_col bad;
    char *status;
    int rc;

    memset(&rec, 0, sizeof rec);
    rec.origin = *o;
    rec.number = nullable(r->v[COL_NUMBER]);
    rec.id = rec.number ? rec.number : nullable(r->v[COL_SYS_ID]);
    if (rec.id == NULL)
        return cw_sink_reject(c->sink, o, "number", raw, "incident without a number or sys_id");
    if (sn_version(r->v[COL_VERSION], &rec.version) != 0)
        return cw_sink_reject(c->sink, o, "sys_mod_count", raw, "incident %s: not a count: '%.80s'",
                              rec.id, r->v[COL_VERSION]);
    status = sn_status(r->v[COL_STATE]);
    if (sn_times(c, r, state_is_final(status), &rec, &bad) != 0) {
        int64_t ignored;
        char why[160];
        cw_time_reason(sn_parse_time(c, r->v[bad], &ignored), r->v[bad], why, sizeof(why));
        free(status);
        return cw_sink_reject(c->sink, o, field_names[bad], raw, "incident %s: %s", rec.id, why);
    }
    if (rec.created_at == CW_NO_TIME) {
        free(status);
        return cw_sink_reject(c->sink, o, "opened_at", raw, "incident %s has no opened_at", rec.id);
    }
    rec.status = status;
    sn_texts(c, r, &rec);
    rc = c->sink->incident ? c->sink->incident(c->sink->ctx, &rec) : 0;
    free(status);
    return rc;
}

/* ------------------------------------------------------------------- CSV */

static int file_reject(sn_ctx *c, const char *field, const char *reason)
{
    cw_origin o = { c->src->name, c->path, 1 };
    cw_sink_reject(c->sink, &o, field, NULL, "%s", reason);
    c->stopped = 1;
    return -1;
}

static int sn_on_header(void *ctx, const cw_csv_row *header)
{
    sn_ctx *c = ctx;
    const char *service = c->service_field ? c->service_field : "business_service";
    char msg[200];

    c->header_seen = 1;
    for (int i = 0; i < COL_COUNT; i++)
        c->col[i] = column_names[i] ? cw_csv_col(header, column_names[i]) : -1;
    c->col[COL_SERVICE] = cw_csv_col(header, service_names(service));
    c->col[COL_SERVICE_FALLBACK] = cw_csv_col(header, service_names("cmdb_ci"));
    if (c->col[COL_NUMBER] < 0)
        return file_reject(c, "number", "no 'number' (or 'Number') column in the header");
    if (c->col[COL_OPENED] < 0)
        return file_reject(c, "opened_at", "no 'opened_at' (or 'Opened') column in the header");
    if (c->service_field && c->col[COL_SERVICE] < 0) {
        snprintf(msg, sizeof msg, "no '%.100s' column (service_field) in the header",
                 c->service_field);
        return file_reject(c, c->service_field, msg);
    }
    return 0;
}

static int sn_on_row(void *ctx, const cw_csv_row *row)
{
    sn_ctx *c = ctx;
    cw_origin o = { c->src->name, c->path, row->record };
    sn_row r;
    char *raw;
    int rc;

    if (row->n == 1 && row->fields[0][0] == '\0')
        return 0;       /* a blank line */
    for (int i = 0; i < COL_COUNT; i++)
        r.v[i] = cw_csv_get(row, c->col[i]);
    raw = cw_csv_row_text(row);
    rc = sn_emit(c, &r, &o, raw);
    free(raw);
    if (rc != 0)
        c->stopped = 1;
    return rc;
}

static int sn_parse_csv(sn_ctx *c)
{
    char err[256];
    cw_text_check text = { 0 };
    cw_origin file = { c->src->name, c->path, 0 };
    int rc = cw_csv_read(c->path, sn_on_header, sn_on_row, c, &text, err, sizeof err);

    /* Not stopped by us: the file itself is unreadable or not CSV. */
    if (rc != 0 && !c->stopped) {
        cw_sink_reject(c->sink, &file, NULL, NULL, "unreadable CSV: %s", err);
        rc = -1;
    } else if (rc == 0 && !c->header_seen) {
        rc = file_reject(c, "number", "empty file: no header row");
    }
    if (cw_text_report(c->sink, &file, &text) != 0)
        return -1;
    return rc == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ JSON */

/* The text of a Table API field: a plain string, or the display_value
 * (names, labels) or value (times, counts, ids) of an object.  A number too
 * large for any JSON reader (core/json.c) is named in bad (size 128) and
 * reads as absent: the caller rejects the record for it. */
static const char *json_field(json_t *rec, const char *name, int want_display, char *bad)
{
    json_t *v = json_object_get(rec, name);
    const char *s = NULL;

    if (cw_json_out_of_range(v) || cw_json_out_of_range(cw_json_path(v, "value")) ||
        (want_display && cw_json_out_of_range(cw_json_path(v, "display_value")))) {
        if (!*bad)
            snprintf(bad, 128, "%s", name);
        return NULL;
    }
    if (json_is_string(v))
        return json_string_value(v);
    if (!json_is_object(v))
        return NULL;
    if (want_display)
        s = cw_json_str(v, "display_value");
    return s && *s ? s : cw_json_str(v, "value");
}

/* The first of the '|'-separated system names present in the record
 * (labels never appear in the Table API). */
static const char *json_column(json_t *rec, const char *names, int want_display, char *bad)
{
    char buf[128];
    const char *p = names;

    while (*p) {
        size_t n = strcspn(p, "|");
        if (n < sizeof buf) {
            memcpy(buf, p, n);
            buf[n] = '\0';
            if (json_object_get(rec, buf) != NULL)
                return json_field(rec, buf, want_display, bad);
        }
        p += n + (p[n] == '|');
    }
    return NULL;
}

/* One Table API record (a cw_item_fn). */
static int sn_json_record(void *ctx, json_t *rec, const cw_origin *o)
{
    sn_ctx *c = ctx;
    const char *service = c->service_field ? c->service_field : "business_service";
    sn_row r;
    char *raw, bad[128] = "";
    int rc;

    if (!json_is_object(rec))
        return cw_item_reject(c->sink, o, NULL, rec, "not a ServiceNow record object");
    for (int i = 0; i < COL_COUNT; i++) {
        int is_time = i == COL_OPENED || i == COL_CREATED || i == COL_RESOLVED ||
                      i == COL_CLOSED || i == COL_UPDATED;
        int want_display = !is_time && i != COL_VERSION && i != COL_SYS_ID;
        r.v[i] = column_names[i] ? json_column(rec, column_names[i], want_display, bad) : NULL;
    }
    r.v[COL_SERVICE] = json_field(rec, service, 1, bad);
    r.v[COL_SERVICE_FALLBACK] = json_field(rec, "cmdb_ci", 1, bad);
    if (*bad)
        return cw_item_reject(c->sink, o, bad, rec, "number out of range");
    raw = cw_json_dump_short(rec, CW_ITEM_RAW_MAX);
    rc = sn_emit(c, &r, o, raw);
    free(raw);
    return rc;
}

/* {"result":[...]} (or a plain array of records), or {"result":{...}}. */
static const char *const sn_result[] = { "result", NULL };
static const cw_item_shape sn_shape = {
    .pages = sn_result, .wrappers = sn_result, .lone = CW_LONE_NEVER, .unknown_field = "result",
    .unknown = "not a ServiceNow Table API document (expected {\"result\":[...]})",
};

static int sn_parse_json(sn_ctx *c)
{
    c->is_json = 1;
    return cw_items_parse_json(&sn_shape, c->src->name, c->path, c->sink, sn_json_record, c);
}

/* JSON when the first significant byte opens an object or array. */
static int looks_like_json(const char *path)
{
    unsigned char head[64];
    size_t n, i = 0;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return 0;
    n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n >= 3 && head[0] == 0xEF && head[1] == 0xBB && head[2] == 0xBF)
        i = 3;
    while (i < n && isspace(head[i]))
        i++;
    return i < n && (head[i] == '{' || head[i] == '[');
}

static int servicenow_parse(const cw_source *src, const char *path, cw_sink *sink)
{
    sn_ctx c;
    const char *bad_key;

    memset(&c, 0, sizeof c);
    c.src = src;
    c.path = path;
    c.sink = sink;
    for (int i = 0; i < COL_COUNT; i++)
        c.col[i] = -1;
    if (sn_settings(src, &c.tz, &c.date_format, &c.service_field, &bad_key) != 0) {
        cw_origin whole = { src->name, path, 0 };
        cw_sink_reject(sink, &whole, bad_key, NULL, "invalid %s '%s'", bad_key,
                       cw_source_get(src, bad_key));
        return -1;
    }
    return looks_like_json(path) ? sn_parse_json(&c) : sn_parse_csv(&c);
}

/* ------------------------------------------------------------- validate */

static int servicenow_validate(const cw_source *src)
{
    cw_tz tz;
    const char *date_format, *service_field, *bad_key;

    if (sn_settings(src, &tz, &date_format, &service_field, &bad_key) != 0) {
        fprintf(stderr, "%s:%d: %s: %s\n", src->config_path, cw_source_line(src, bad_key),
                bad_key, strcmp(bad_key, "timezone") == 0
                    ? "unknown time zone (use UTC, +hh:mm or an IANA name such as Europe/Paris)"
                    : "must name a column");
        return -1;
    }
    if (date_format && !cw_time_pattern_usable(date_format)) {
        fprintf(stderr, "%s:%d: date_format: '%s' is not a usable pattern (letters yyyy yy MM "
                "MMM dd HH hh mm ss SSS a Z, e.g. dd-MM-yyyy HH:mm)\n", src->config_path,
                cw_source_line(src, "date_format"), date_format);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ live fetch */

#define SN_DEFAULT_TABLE "incident"
#define SN_ORDER "ORDERBYsys_created_on^ORDERBYsys_id"

/* The encoded query: [sys_updated_on>=WATERMARK^][QUERY^]ORDER.  Caller frees. */
static char *sn_encoded_query(const cw_fetch *f)
{
    const char *extra = cw_source_get(f->src, "query");
    cw_buf q = {0};
    cw_buf_puts(&q, "");
    if (f->since != CW_NO_TIME) {
        char iso[32];
        cw_time_format_iso(f->since, iso, sizeof iso);     /* 2026-03-02T00:00:00Z */
        iso[10] = ' ';
        iso[19] = '\0';
        cw_buf_printf(&q, "sys_updated_on>=%s^", iso);
    }
    if (!cw_str_empty(extra))
        cw_buf_printf(&q, "%s^", extra);
    cw_buf_puts(&q, SN_ORDER);
    return q.data;
}

static int servicenow_fetch(cw_fetch *f)
{
    const char *table = cw_source_get(f->src, "table");
    char *query = sn_encoded_query(f), *esc_query = cw_http_escape(query), *esc_table, *url;
    cw_endpoint ep = {.paging = CW_PAGING_LINK, .items = "result",
                      .offset_param = "sysparm_offset", .page_size = f->page_size};
    int rc;

    table = cw_str_empty(table) ? SN_DEFAULT_TABLE : table;
    esc_table = cw_http_escape(table);
    url = cw_fetch_url(f, "/api/now/table/%s?sysparm_display_value=all"
                       "&sysparm_exclude_reference_link=true&sysparm_limit=%d&sysparm_offset=0"
                       "&sysparm_query=%s", esc_table, f->page_size, esc_query);
    ep.name = table;
    ep.url = url;
    rc = cw_fetch_pages(f, &ep, NULL, NULL);
    free(url);
    free(esc_table);
    free(esc_query);
    free(query);
    return rc;
}

const cw_source_type cw_source_servicenow = {
    .name = "servicenow",
    .keys = servicenow_keys,
    .validate = servicenow_validate,
    .produce = NULL,
    .parse = servicenow_parse,
    .fetch = servicenow_fetch,
    .auth_kind = CW_AUTH_BASIC,
};
