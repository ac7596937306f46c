/*
 * jira.c - one application's tickets as Jira classic search pages
 * (`GET /rest/api/2/search?jql=project=X&expand=changelog&maxResults=100`):
 * exports/jira/<PROJECT>-page<N>.json, each {expand,startAt,maxResults,
 * total,issues}.
 *
 * Issues carry what the connector reads (formats.md §2): key, id, fields
 * (summary, issuetype, status with statusCategory, project, labels,
 * fixVersions, assignee, created/updated/resolutiondate with the team's
 * offset) and a changelog whose histories come newest-first as on Cloud,
 * with resolution and assignee items next to the status items, as Jira
 * records them.  A page is built, written and freed before the next one.
 */
#include "internal.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include "../core/util.h"

#define PAGE_SIZE 100
#define SITE "https://harbourside.atlassian.net"

typedef struct jira_writer {
    cw_demo_ctx *ctx;
    const cw_demo_history *h;
    cw_demo_zone_id zone;
} jira_writer;

/* The steps an export taken at the cut shows (they are oldest first). */
static int shown_steps(const jira_writer *w, const cw_demo_ticket *t)
{
    int n = 0;
    while (n < t->n_steps && t->steps[n].at < w->ctx->cut)
        n++;
    return n;
}

static json_t *category_json(const char *key)
{
    if (strcmp(key, "new") == 0)
        return json_pack("{s:i, s:s, s:s, s:s}", "id", 2, "key", "new", "colorName", "blue-gray",
                         "name", "To Do");
    if (strcmp(key, "done") == 0)
        return json_pack("{s:i, s:s, s:s, s:s}", "id", 3, "key", "done", "colorName", "green",
                         "name", "Done");
    return json_pack("{s:i, s:s, s:s, s:s}", "id", 4, "key", "indeterminate", "colorName", "yellow",
                     "name", "In Progress");
}

static json_t *status_json(cw_demo_status s)
{
    const cw_demo_status_info *info = &cw_demo_statuses[s];
    char self[128];
    snprintf(self, sizeof self, SITE "/rest/api/2/status/%s", info->id);
    return json_pack("{s:s, s:s, s:s, s:o}", "self", self, "name", info->name, "id", info->id,
                     "statusCategory", category_json(info->category));
}

static void account_id(int team, int person, char *buf)
{
    char sha[41];
    cw_demo_sha(0xACC0u + (uint64_t)team * 64 + (uint64_t)person, sha);
    snprintf(buf, 25, "5f%.22s", sha);
}

static json_t *user_json(const cw_demo_history *h, int person)
{
    const cw_demo_person *p = &h->team->people[person];
    int team = h->app->team;
    char id[32], self[96];
    account_id(team, person, id);
    snprintf(self, sizeof self, SITE "/rest/api/2/user?accountId=%s", id);
    return json_pack("{s:s, s:s, s:s, s:b, s:s}", "self", self, "accountId", id, "displayName", p->name,
                     "active", 1, "timeZone", cw_demo_zone_names[p->zone]);
}

static json_t *item_json(const char *field, const char *from, const char *from_s, const char *to,
                         const char *to_s)
{
    return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?}", "field", field, "fieldtype", "jira",
                     "fieldId", field, "from", from, "fromString", from_s, "to", to, "toString", to_s);
}

static int first_in_progress(const cw_demo_ticket *t, int k)
{
    for (int i = 0; i < k; i++)
        if (t->steps[i].to == CW_DEMO_IN_PROGRESS)
            return 0;
    return t->steps[k].to == CW_DEMO_IN_PROGRESS;
}

/* One history: the status change k, with the items Jira puts beside it. */
static json_t *history_json(jira_writer *w, const cw_demo_ticket *t, long id, int k, int reporter)
{
    const cw_demo_status_info *from = &cw_demo_statuses[k ? t->steps[k - 1].to : CW_DEMO_BACKLOG];
    const cw_demo_status_info *to = &cw_demo_statuses[t->steps[k].to];
    const cw_demo_history *h = w->h;
    int team = h->app->team, who = t->assignee >= 0 && k > 0 ? t->assignee : reporter;
    json_t *items = json_array();
    char hid[32], at[40];

    if (t->steps[k].to == CW_DEMO_DONE)
        json_array_append_new(items, item_json("resolution", NULL, NULL, "10000", "Done"));
    if (k && t->steps[k - 1].to == CW_DEMO_DONE)
        json_array_append_new(items, item_json("resolution", "10000", "Done", NULL, NULL));
    if (t->assignee >= 0 && first_in_progress(t, k)) {
        char acct[32];
        account_id(team, t->assignee, acct);
        json_array_append_new(items, item_json("assignee", NULL, NULL, acct,
                                               h->team->people[t->assignee].name));
    }
    json_array_append_new(items, item_json("status", from->id, from->name, to->id, to->name));
    snprintf(hid, sizeof hid, "%ld", id * 20 + k);
    cw_demo_fmt_jira(w->ctx, w->zone, t->steps[k].at, at, sizeof at);
    return json_pack("{s:s, s:o, s:s, s:o}", "id", hid, "author", user_json(h, who), "created", at,
                     "items", items);
}

static json_t *changelog_json(jira_writer *w, const cw_demo_ticket *t, long id, int reporter)
{
    json_t *histories = json_array();
    int n = shown_steps(w, t);
    for (int k = n - 1; k >= 0; k--)
        json_array_append_new(histories, history_json(w, t, id, k, reporter));
    return json_pack("{s:i, s:i, s:i, s:o}", "startAt", 0, "maxResults", n, "total", n,
                     "histories", histories);
}

static json_t *labels_json(const cw_demo_ticket *t)
{
    static const char *const extra[] = { "regulatory", "consumer-duty", "customer-complaint",
                                         "quick-win", "ifrs17", "q4-priority" };
    cw_demo_rng r = { t->seed ^ 0x1AB3154AB3154ULL };
    json_t *labels = json_array();

    if (t->type == CW_DEMO_TECH_DEBT)
        json_array_append_new(labels, json_string("tech-debt"));
    if (t->type == CW_DEMO_SECURITY)
        json_array_append_new(labels, json_string("security"));
    if (cw_demo_chance(&r, 0.25))
        json_array_append_new(labels, json_string(extra[cw_demo_between(&r, 0, CW_DEMO_COUNT(extra) - 1)]));
    return labels;
}

/* Releases are only tracked by the applications that ship on a calendar:
 * shipped tickets carry the release that shipped them, merged ones the
 * next, unreleased one. */
static json_t *fix_versions_json(jira_writer *w, const cw_demo_ticket *t)
{
    const cw_demo_app *app = w->h->app;
    json_t *versions = json_array();
    char name[96], id[32], date[16];

    if (app->cadence != CW_DEMO_MONTHLY && app->cadence != CW_DEMO_QUARTERLY)
        return versions;
    if (t->shipped_by >= 0 && w->h->deploys[t->shipped_by].prod_finish < w->ctx->cut) {
        const cw_demo_deploy *d = &w->h->deploys[t->shipped_by];
        cw_time_format_date(d->prod_finish, date, sizeof date);
        snprintf(name, sizeof name, "%s %s", app->name, date);
        snprintf(id, sizeof id, "%ld", 30000L + w->h->index * 1000L + t->shipped_by);
        json_array_append_new(versions, json_pack("{s:s, s:s, s:b, s:s}", "id", id, "name", name,
                                                  "released", 1, "releaseDate", date));
    } else if (t->merged_at && t->merged_at < w->ctx->cut) {
        snprintf(name, sizeof name, "%s next", app->name);
        snprintf(id, sizeof id, "%ld", 30000L + w->h->index * 1000L + 999);
        json_array_append_new(versions, json_pack("{s:s, s:s, s:b}", "id", id, "name", name, "released", 0));
    }
    return versions;
}

static json_t *priority_json(const cw_demo_ticket *t)
{
    static const char *const names[] = { "Highest", "High", "Medium", "Low" };
    cw_demo_rng r = { t->seed ^ 0x9E1A3C5ULL };
    long i = cw_demo_between(&r, t->type == CW_DEMO_BUG || t->type == CW_DEMO_SECURITY ? 0 : 1, 3);
    char id[24];
    snprintf(id, sizeof id, "%ld", i + 1);
    return json_pack("{s:s, s:s}", "name", names[i], "id", id);
}

static const char *const type_ids[CW_DEMO_N_TYPES] = { "10001", "10004", "10002", "10100", "10101" };

static json_t *fields_json(jira_writer *w, const cw_demo_ticket *t, int reporter)
{
    const cw_demo_app *app = w->h->app;
    int n = shown_steps(w, t);
    cw_demo_status now = n ? t->steps[n - 1].to : CW_DEMO_BACKLOG;
    int64_t updated = n ? t->steps[n - 1].at : t->created;
    char summary[200], created[40], updated_s[40], resolved[40], project_id[16];
    json_t *fields;

    cw_demo_ticket_summary(w->h->team, t, summary, sizeof summary);
    cw_demo_fmt_jira(w->ctx, w->zone, t->created, created, sizeof created);
    cw_demo_fmt_jira(w->ctx, w->zone, updated, updated_s, sizeof updated_s);
    cw_demo_fmt_jira(w->ctx, w->zone, updated, resolved, sizeof resolved);
    snprintf(project_id, sizeof project_id, "%d", 10000 + w->h->index);
    fields = json_pack("{s:s, s:{s:s, s:s, s:b}, s:{s:s, s:s, s:s}, s:o, s:o, s:o, s:o, s:o?, s:o,"
                       " s:s, s:s, s:s?, s:o}",
                       "summary", summary,
                       "issuetype", "id", type_ids[t->type], "name", cw_demo_type_names[t->type],
                       "subtask", 0,
                       "project", "id", project_id, "key", app->project, "name", app->project_name,
                       "status", status_json(now),
                       "priority", priority_json(t),
                       "labels", labels_json(t),
                       "fixVersions", fix_versions_json(w, t),
                       "assignee", t->assignee >= 0 ? user_json(w->h, t->assignee) : NULL,
                       "reporter", user_json(w->h, reporter),
                       "created", created,
                       "updated", updated_s,
                       "resolutiondate", now == CW_DEMO_DONE ? resolved : NULL,
                       "resolution", now == CW_DEMO_DONE ? json_pack("{s:s, s:s}", "id", "10000", "name", "Done")
                                                         : json_null());
    return fields;
}

static json_t *issue_json(jira_writer *w, const cw_demo_ticket *t)
{
    cw_demo_rng r = { t->seed ^ 0xC0FFEEULL };
    int reporter = (int)cw_demo_between(&r, 0, (long)w->h->team->n_people - 1);
    long id = (w->h->index + 1) * 1000000L + (long)t->number;
    char key[32], ids[32], self[96];

    cw_demo_key(w->h->app, t->number, key, sizeof key);
    snprintf(ids, sizeof ids, "%ld", id);
    snprintf(self, sizeof self, SITE "/rest/api/2/issue/%ld", id);
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}",
                     "expand", "operations,versionedRepresentations,editmeta,changelog,renderedFields",
                     "id", ids, "self", self, "key", key,
                     "fields", fields_json(w, t, reporter),
                     "changelog", changelog_json(w, t, id, reporter));
}

/* Does the export show the ticket?  The export at the cut: every ticket
 * created before it.  The delta: those created or moved in the day (what
 * `updated >= -1d` finds). */
static int shown(const jira_writer *w, const cw_demo_ticket *t)
{
    if (cw_demo_shown(w->ctx, t->created))
        return 1;
    if (t->created >= w->ctx->cut)
        return 0;
    for (int k = 0; k < t->n_steps; k++)
        if (cw_demo_shown(w->ctx, t->steps[k].at))
            return 1;
    return 0;
}

/* PROJECT-page<N>.json; the delta's PROJECT-<day>-page<N>.json beside them. */
static int write_page(jira_writer *w, int page, size_t start, size_t total, json_t *issues)
{
    char rel[192], day[16] = "";
    json_t *root = json_pack("{s:s, s:I, s:i, s:I, s:o}", "expand", "schema,names",
                             "startAt", (json_int_t)start, "maxResults", PAGE_SIZE,
                             "total", (json_int_t)total, "issues", issues);
    if (w->ctx->since != INT64_MIN) {
        day[0] = '-';
        cw_time_format_date(w->ctx->since, day + 1, sizeof day - 1);
    }
    snprintf(rel, sizeof rel, "exports/jira/%s%s-page%d.json", w->h->app->project, day, page);
    return cw_demo_write_json(w->ctx, rel, root);
}

int cw_demo_write_jira(cw_demo_ctx *ctx, const cw_demo_history *h)
{
    jira_writer w = { ctx, h, h->team->zone };
    size_t *pick = cw_xmalloc((h->n_tickets ? h->n_tickets : 1) * sizeof(*pick)), n = 0, start = 0;
    int page = 1, rc = 0;

    for (size_t i = 0; i < h->n_tickets; i++)
        if (shown(&w, &h->tickets[i]))
            pick[n++] = i;
    /* the export always has a first page, even empty; the delta only pages with news */
    while (rc == 0 && (start < n || (start == 0 && ctx->since == INT64_MIN))) {
        json_t *issues = json_array();
        size_t stop = start + PAGE_SIZE < n ? start + PAGE_SIZE : n;
        for (size_t i = start; i < stop && rc == 0; i++) {
            json_t *issue = issue_json(&w, &h->tickets[pick[i]]);
            if (!issue || json_array_append_new(issues, issue) != 0) {
                fprintf(stderr, "catwalk: error: cannot build Jira issue %s-%u\n", h->app->project,
                        (unsigned)h->tickets[pick[i]].number);
                rc = -1;
            }
        }
        if (rc != 0)
            json_decref(issues);
        else
            rc = write_page(&w, page++, start, n, issues);
        start = stop;
        if (n == 0)
            break;
    }
    free(pick);
    ctx->tally->tickets += (long)n;
    return rc;
}
