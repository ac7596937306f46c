/*
 * incidents.c - the incident tools of `catwalk demo`.
 *
 * PagerDuty (Claims, Digital Channels, Data & Platform and two corporate
 * services no application owns): exports/pagerduty/incidents-page<N>.json,
 * `GET /incidents?total=true` pages {incidents,limit,offset,more,total},
 * oldest first, incidents in the REST v2 shape (formats.md §7.1).
 *
 * ServiceNow (Policy Admin, Billing & Payments): exports/servicenow/
 * incident.csv, a list export of the incident audit trail with system field
 * names as in the UCI dataset: one row per update (New, Active, sometimes
 * Awaiting User Info, Resolved, Closed), sys_mod_count rising, times as
 * "yyyy-MM-dd HH:mm:ss" in Europe/London, CRLF line ends.  Cells go
 * through libcsv's csv_fwrite, which quotes every cell and doubles quotes.
 */
#include "internal.h"

#include <csv.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 100
#define CLOSE_AFTER (3 * CW_DEMO_DAY)

static int cmp_incident(const void *a, const void *b)
{
    const cw_demo_incident *x = a, *y = b;
    if (x->created != y->created)
        return (x->created > y->created) - (x->created < y->created);
    if (x->app != y->app)
        return (x->app > y->app) - (x->app < y->app);
    return (x->seed > y->seed) - (x->seed < y->seed);
}

static void sort_incidents(cw_demo_ctx *ctx)
{
    if (ctx->n_incidents > 1)
        qsort(ctx->incidents, ctx->n_incidents, sizeof(*ctx->incidents), cmp_incident);
}

static const char *service_of(const cw_demo_ctx *ctx, const cw_demo_incident *inc)
{
    return inc->app >= 0 ? ctx->world.apps[inc->app].service : cw_demo_unmapped_services[-1 - inc->app];
}

static const char *team_of(const cw_demo_ctx *ctx, const cw_demo_incident *inc)
{
    return inc->app >= 0 ? ctx->world.teams[ctx->world.apps[inc->app].team].name : "Corporate IT";
}

/* The incident as an export taken at the cut sees it: not yet acknowledged
 * or resolved when that happens later. */
static cw_demo_incident at_cut(const cw_demo_ctx *ctx, const cw_demo_incident *inc)
{
    cw_demo_incident v = *inc;
    if (v.acknowledged >= ctx->cut)
        v.acknowledged = 0;
    if (v.resolved >= ctx->cut)
        v.resolved = 0;
    return v;
}

/* Does the export show it?  At the cut: every incident opened before it.
 * The delta: those opened, acknowledged or resolved in the day. */
static int incident_shown(const cw_demo_ctx *ctx, const cw_demo_incident *inc)
{
    return inc->created < ctx->cut &&
           (cw_demo_shown(ctx, inc->created) || (inc->acknowledged && cw_demo_shown(ctx, inc->acknowledged)) ||
            (inc->resolved && cw_demo_shown(ctx, inc->resolved)));
}

/* "" for the export, "-<day>" (or ".<day>") for the delta's files. */
static void day_suffix(const cw_demo_ctx *ctx, char sep, char *buf, size_t n)
{
    buf[0] = '\0';
    if (ctx->since != INT64_MIN && n > 1) {
        buf[0] = sep;
        cw_time_format_date(ctx->since, buf + 1, n - 1);
    }
}

/* PagerDuty-style ids: a letter and upper-case alphanumerics. */
static void pd_id(uint64_t seed, char first, int len, char *buf)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    cw_demo_rng r = { seed };
    buf[0] = first;
    for (int i = 1; i < len; i++)
        buf[i] = alphabet[cw_demo_next(&r) % (sizeof alphabet - 1)];
    buf[len] = '\0';
}

static json_t *pd_reference(const char *type, const char *id, const char *summary, const char *path)
{
    char self[160];
    snprintf(self, sizeof self, "https://api.pagerduty.com/%s/%s", path, id);
    return json_pack("{s:s, s:s, s:s, s:s}", "id", id, "type", type, "summary", summary, "self", self);
}

static const char *pd_status(const cw_demo_incident *inc)
{
    return inc->resolved ? "resolved" : inc->acknowledged ? "acknowledged" : "triggered";
}

static json_t *pd_incident(const cw_demo_ctx *ctx, const cw_demo_incident *seen, long number)
{
    cw_demo_incident v = at_cut(ctx, seen);
    const cw_demo_incident *inc = &v;
    uint64_t service_seed = 0x5E41CEULL + (uint64_t)(inc->app + 100);
    int64_t changed = inc->resolved ? inc->resolved : inc->acknowledged ? inc->acknowledged : inc->created;
    char id[16], service_id[8], policy_id[8], team_id[8], title[200], summary[240], html[160], self[160];
    char created[32], changed_s[32], resolved[32], key[41];

    pd_id(inc->seed, 'Q', 14, id);
    pd_id(service_seed, 'P', 7, service_id);
    pd_id(service_seed ^ 0xE5CA1A7E, 'P', 7, policy_id);
    pd_id(0x7EA77EA7ULL + (uint64_t)(inc->app >= 0 ? ctx->world.apps[inc->app].team + 1 : 0), 'P', 7, team_id);
    cw_demo_sha(inc->seed ^ 0x1C1DE7, key);
    key[32] = '\0';
    cw_demo_incident_title(service_of(ctx, inc), inc, title, sizeof title);
    snprintf(summary, sizeof summary, "[#%ld] %s", number, title);
    snprintf(self, sizeof self, "https://api.pagerduty.com/incidents/%s", id);
    snprintf(html, sizeof html, "https://harbourside.pagerduty.com/incidents/%s", id);
    cw_demo_fmt_utc(inc->created, created, sizeof created);
    cw_demo_fmt_utc(changed, changed_s, sizeof changed_s);
    cw_demo_fmt_utc(inc->resolved, resolved, sizeof resolved);
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:[o],"
                     " s:s, s:s, s:o, s:s?, s:[], s:[]}",
                     "id", id, "type", "incident", "summary", summary, "self", self, "html_url", html,
                     "incident_number", (json_int_t)number, "title", title, "description", title,
                     "created_at", created, "updated_at", changed_s, "status", pd_status(inc),
                     "incident_key", key,
                     "service", pd_reference("service_reference", service_id, service_of(ctx, inc), "services"),
                     "escalation_policy", pd_reference("escalation_policy_reference", policy_id,
                                                       "Default on-call", "escalation_policies"),
                     "teams", pd_reference("team_reference", team_id, team_of(ctx, inc), "teams"),
                     "urgency", inc->high ? "high" : "low",
                     "last_status_change_at", changed_s,
                     "priority", inc->high ? json_pack("{s:s, s:s}", "id", "PSI2V7R", "summary", "P2")
                                           : json_null(),
                     "resolved_at", inc->resolved ? resolved : NULL,
                     "assignments", "acknowledgements");
}

static int pd_page(cw_demo_ctx *ctx, int page, long offset, long total, json_t *incidents)
{
    char rel[96], day[16];
    json_t *root = json_pack("{s:o, s:i, s:I, s:b, s:I}", "incidents", incidents, "limit", PAGE_SIZE,
                             "offset", (json_int_t)offset, "more", offset + PAGE_SIZE < total,
                             "total", (json_int_t)total);
    day_suffix(ctx, '-', day, sizeof day);
    snprintf(rel, sizeof rel, "exports/pagerduty/incidents%s-page%d.json", day, page);
    return cw_demo_write_json(ctx, rel, root);
}

int cw_demo_write_pagerduty(cw_demo_ctx *ctx)
{
    long total = 0, written = 0, number = 1000;
    int page = 1;
    json_t *incidents = json_array();

    sort_incidents(ctx);
    for (size_t i = 0; i < ctx->n_incidents; i++)
        total += ctx->incidents[i].oncall == CW_DEMO_PAGERDUTY && incident_shown(ctx, &ctx->incidents[i]);
    /* numbered in order of creation over the whole history, shown or not */
    for (size_t i = 0; i < ctx->n_incidents; i++) {
        const cw_demo_incident *inc = &ctx->incidents[i];
        json_t *one;
        if (inc->oncall != CW_DEMO_PAGERDUTY || !incident_shown(ctx, inc)) {
            number += inc->oncall == CW_DEMO_PAGERDUTY;
            continue;
        }
        one = pd_incident(ctx, inc, number++);
        if (!one || json_array_append_new(incidents, one) != 0) {
            fprintf(stderr, "catwalk: error: cannot build PagerDuty incident %ld\n", written);
            json_decref(incidents);
            return -1;
        }
        if (++written % PAGE_SIZE == 0 && written < total) {
            if (pd_page(ctx, page++, written - PAGE_SIZE, total, incidents) != 0)
                return -1;
            incidents = json_array();
        }
    }
    ctx->tally->incidents_pd = total;
    if (total == 0 && ctx->since != INT64_MIN) {
        json_decref(incidents);
        return 0;
    }
    return pd_page(ctx, page, (long)(page - 1) * PAGE_SIZE, total, incidents);
}

/* ---- ServiceNow ----------------------------------------------------------------- */

enum sn_col {
    SN_NUMBER, SN_STATE, SN_ACTIVE, SN_REASSIGNMENTS, SN_REOPENS, SN_MOD_COUNT, SN_MADE_SLA, SN_CALLER,
    SN_OPENED_BY, SN_OPENED_AT, SN_CREATED_BY, SN_CREATED_AT, SN_UPDATED_BY, SN_UPDATED_AT,
    SN_CONTACT_TYPE, SN_CATEGORY, SN_SUBCATEGORY, SN_BUSINESS_SERVICE, SN_CMDB_CI, SN_IMPACT, SN_URGENCY,
    SN_PRIORITY, SN_GROUP, SN_ASSIGNED_TO, SN_SHORT_DESCRIPTION, SN_RESOLVED_BY, SN_RESOLVED_AT,
    SN_CLOSED_CODE, SN_CLOSED_AT, SN_N_COLS
};

static const char *const sn_header[SN_N_COLS] = {
    "number", "incident_state", "active", "reassignment_count", "reopen_count", "sys_mod_count",
    "made_sla", "caller_id", "opened_by", "opened_at", "sys_created_by", "sys_created_at",
    "sys_updated_by", "sys_updated_at", "contact_type", "category", "subcategory", "business_service",
    "cmdb_ci", "impact", "urgency", "priority", "assignment_group", "assigned_to", "short_description",
    "resolved_by", "resolved_at", "closed_code", "closed_at",
};

/* One row's cells; fixed buffers because every value is short. */
typedef struct sn_row {
    char cell[SN_N_COLS][240];
} sn_row;

static int write_row(FILE *fp, const char *const *cells)
{
    for (int i = 0; i < SN_N_COLS; i++) {
        if (i && fputc(',', fp) == EOF)
            return -1;
        if (csv_fwrite(fp, cells[i], strlen(cells[i])) != 0)
            return -1;
    }
    return fputs("\r\n", fp) == EOF ? -1 : 0;
}

static int write_sn_row(FILE *fp, const sn_row *row)
{
    const char *cells[SN_N_COLS];
    for (int i = 0; i < SN_N_COLS; i++)
        cells[i] = row->cell[i];
    return write_row(fp, cells);
}

static void set(sn_row *row, enum sn_col col, const char *value)
{
    snprintf(row->cell[col], sizeof row->cell[col], "%s", value);
}

/* The cells every update row of an incident shares. */
static void sn_base(cw_demo_ctx *ctx, const cw_demo_incident *inc, long number, sn_row *row)
{
    const cw_demo_app *app = &ctx->world.apps[inc->app];
    const cw_demo_team *team = &ctx->world.teams[app->team];
    cw_demo_rng r = { inc->seed ^ 0x5E11CE5EULL };
    const cw_demo_team *callers = &ctx->world.teams[(size_t)(app->team + 1) % ctx->world.n_teams];
    const cw_demo_person *caller = &callers->people[cw_demo_between(&r, 0, (long)callers->n_people - 1)];
    int critical = inc->high && cw_demo_chance(&r, 0.2);
    char text[200];

    memset(row, 0, sizeof(*row));
    snprintf(row->cell[SN_NUMBER], sizeof row->cell[SN_NUMBER], "INC%07ld", 10000 + number);
    set(row, SN_REASSIGNMENTS, "0");
    set(row, SN_REOPENS, "0");
    set(row, SN_MADE_SLA, inc->resolved && inc->resolved - inc->created > 8 * CW_DEMO_HOUR ? "FALSE" : "TRUE");
    set(row, SN_CALLER, inc->after_deploy ? "Monitoring Integration" : caller->name);
    set(row, SN_OPENED_BY, inc->after_deploy ? "svc.monitoring" : "Service Desk");
    cw_demo_fmt_local(ctx, CW_DEMO_LONDON, inc->created, text, sizeof text);
    set(row, SN_OPENED_AT, text);
    set(row, SN_CREATED_BY, inc->after_deploy ? "svc.monitoring" : "service.desk");
    set(row, SN_CREATED_AT, text);
    set(row, SN_CONTACT_TYPE, inc->after_deploy ? "Monitoring" : cw_demo_chance(&r, 0.5) ? "Phone" : "Self-service");
    set(row, SN_CATEGORY, "Software");
    set(row, SN_SUBCATEGORY, "Application");
    set(row, SN_BUSINESS_SERVICE, app->service);
    set(row, SN_IMPACT, inc->high ? "1 - High" : "2 - Medium");
    set(row, SN_URGENCY, inc->high ? "1 - High" : "3 - Low");
    set(row, SN_PRIORITY, critical ? "1 - Critical" : inc->high ? "2 - High" : "4 - Low");
    snprintf(row->cell[SN_GROUP], sizeof row->cell[SN_GROUP], "%s Support", team->name);
    cw_demo_incident_title(app->service, inc, text, sizeof text);
    set(row, SN_SHORT_DESCRIPTION, text);
}

typedef struct sn_event {
    int64_t at;
    const char *state;
} sn_event;

/* The states an incident went through, up to the export instant. */
static int sn_events(cw_demo_ctx *ctx, const cw_demo_incident *inc, cw_demo_rng *r, sn_event *ev)
{
    int n = 0;

    ev[n++] = (sn_event){ inc->created + cw_demo_between(r, 0, 120), "New" };
    if (inc->acknowledged)
        ev[n++] = (sn_event){ inc->acknowledged, "Active" };
    if (inc->resolved && cw_demo_chance(r, 0.1)) {
        int64_t span = inc->resolved - inc->acknowledged;
        ev[n++] = (sn_event){ inc->acknowledged + span / 3, "Awaiting User Info" };
        ev[n++] = (sn_event){ inc->acknowledged + 2 * span / 3, "Active" };
    }
    if (inc->resolved) {
        ev[n++] = (sn_event){ inc->resolved, "Resolved" };
        if (inc->resolved + CLOSE_AFTER < ctx->end)
            ev[n++] = (sn_event){ inc->resolved + CLOSE_AFTER, "Closed" };
    }
    return n;
}

/* The update rows of one incident, oldest first: those the export shows.
 * Every row is drawn, shown or not, so a row is the same in the export and
 * in the delta; the cells all rows share are as of the cut.  Returns the
 * rows written, or -1. */
static int write_sn_incident(cw_demo_ctx *ctx, FILE *fp, const cw_demo_incident *inc, long number)
{
    const cw_demo_team *team = &ctx->world.teams[ctx->world.apps[inc->app].team];
    cw_demo_incident seen = at_cut(ctx, inc);
    cw_demo_rng r = { inc->seed ^ 0xA11CE5ULL };
    const cw_demo_person *fixer = &team->people[cw_demo_between(&r, 0, (long)team->n_people - 1)];
    sn_event events[6];
    int n = sn_events(ctx, inc, &r, events);
    long mod = 0;
    int written = 0;
    sn_row row;
    char at[32];

    sn_base(ctx, &seen, number, &row);
    for (int k = 0; k < n; k++) {
        int closed = strcmp(events[k].state, "Closed") == 0;
        set(&row, SN_STATE, events[k].state);
        set(&row, SN_ACTIVE, closed ? "FALSE" : "TRUE");
        snprintf(row.cell[SN_MOD_COUNT], sizeof row.cell[SN_MOD_COUNT], "%ld", mod);
        mod += cw_demo_between(&r, 1, 3);
        set(&row, SN_UPDATED_BY, k == 0 ? row.cell[SN_CREATED_BY] : closed ? "system" : fixer->email);
        cw_demo_fmt_local(ctx, CW_DEMO_LONDON, events[k].at, at, sizeof at);
        set(&row, SN_UPDATED_AT, at);
        if (k > 0)
            set(&row, SN_ASSIGNED_TO, fixer->name);
        if (strcmp(events[k].state, "Resolved") == 0) {
            set(&row, SN_RESOLVED_BY, fixer->name);
            set(&row, SN_RESOLVED_AT, at);
            set(&row, SN_CLOSED_CODE, cw_demo_chance(&r, 0.8) ? "Solved (Permanently)" : "Solved (Work Around)");
        }
        if (closed)
            set(&row, SN_CLOSED_AT, at);
        /* the New row comes with the incident, even when logged a minute after the cut */
        if (!cw_demo_shown(ctx, events[k].at) && !(k == 0 && cw_demo_shown(ctx, inc->created)))
            continue;
        if (!fp)
            written++;
        else if (write_sn_row(fp, &row) == 0)
            written++;
        else
            return -1;
    }
    return written;
}

int cw_demo_write_servicenow(cw_demo_ctx *ctx)
{
    char rel[96], day[16];
    FILE *fp;
    long number = 0, shown = 0;
    int rc = 0;

    sort_incidents(ctx);
    day_suffix(ctx, '.', day, sizeof day);
    snprintf(rel, sizeof rel, "exports/servicenow/incident%s.csv", day);
    /* the delta's file only when the day changed an incident: count first */
    for (size_t i = 0; i < ctx->n_incidents && ctx->since != INT64_MIN && shown == 0; i++)
        if (ctx->incidents[i].oncall == CW_DEMO_SERVICENOW && ctx->incidents[i].created < ctx->cut)
            shown += write_sn_incident(ctx, NULL, &ctx->incidents[i], 0) > 0;
    if (ctx->since != INT64_MIN && shown == 0)
        return 0;
    fp = cw_demo_open(ctx, rel);
    if (!fp)
        return -1;
    shown = 0;
    rc = write_row(fp, sn_header);
    /* numbered in order of creation over the whole history */
    for (size_t i = 0; i < ctx->n_incidents && rc == 0; i++) {
        const cw_demo_incident *inc = &ctx->incidents[i];
        int rows;
        if (inc->oncall != CW_DEMO_SERVICENOW || inc->created >= ctx->cut)
            continue;
        rows = write_sn_incident(ctx, fp, inc, ++number);
        rc = rows < 0 ? -1 : 0;
        shown += rows > 0;
    }
    ctx->tally->incidents_sn = shown;
    return cw_demo_close(ctx, fp, rel, rc != 0);
}
