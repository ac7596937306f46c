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
#include <stdlib.h>
#include <string.h>
#include "../core/util.h"

#define PAGE_SIZE 100
#define SITE "https://harbourside.atlassian.net"

/* An application's fix versions: one per release (a traceable production
 * deployment), and two planned ones after the last. */
#define FUTURE_VERSIONS 2

typedef struct jira_writer {
    cw_demo_ctx *ctx;
    const cw_demo_history *h;
    cw_demo_zone_id zone;
    int32_t *versions;           /* deployment index of version k < n_versions */
    int n_versions;              /* released or cut ones; FUTURE_VERSIONS more are planned */
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

/* ---- fix versions ---------------------------------------------------------------- */

static const int64_t version_days[] = {
    [CW_DEMO_ELITE] = 7, [CW_DEMO_DAILY] = 7, [CW_DEMO_WEEKLY] = 7, [CW_DEMO_MONTHLY] = 30,
    [CW_DEMO_QUARTERLY] = 80,
};

static void plan_versions(jira_writer *w)
{
    const cw_demo_history *h = w->h;
    w->versions = NULL;
    w->n_versions = 0;
    if (!cw_demo_has_versions(h->app))
        return;
    w->versions = cw_xmalloc((h->n_deploys + 1) * sizeof(*w->versions));
    for (size_t i = 0; i < h->n_deploys; i++)
        if (!h->deploys[i].untraceable && !h->deploys[i].running && w->n_versions < 990)
            w->versions[w->n_versions++] = (int32_t)i;
}

/* When version k is cut: what is merged before it ships in it. */
static int64_t version_cut(const jira_writer *w, int k)
{
    int64_t last = w->n_versions ? w->h->deploys[w->versions[w->n_versions - 1]].cut : w->ctx->sim_start;
    if (k < w->n_versions)
        return w->h->deploys[w->versions[k]].cut;
    return last + (k - w->n_versions + 1) * version_days[w->h->app->cadence] * CW_DEMO_DAY;
}

/* The first version cut after t. */
static int version_at(const jira_writer *w, int64_t t)
{
    int k = 0;
    while (k < w->n_versions + FUTURE_VERSIONS - 1 && version_cut(w, k) <= t)
        k++;
    return k;
}

static void version_id(const jira_writer *w, int k, char *buf, size_t n)
{
    snprintf(buf, n, "%ld", 30000L + w->h->index * 1000L + k);
}

static void version_name(const jira_writer *w, int k, char *buf, size_t n)
{
    /* "R54": Jira scopes a version to its project, and the release key
     * (transform/releases.h) is "PROJECT NAME", so "BILL R54", not "BILL BILL R54" */
    snprintf(buf, n, "R%d", 20 + (w->h->index * 7) % 40 + k);
}

/*
 * A version as the export at the cut shows it: released with its real date
 * (Jira sets the release date when a version is released), else planned:
 * the release date its deployment will have, a few days optimistic, or for
 * the planned ones after it one cadence apart.  Every other version has a
 * start date (the day after the previous release), the rest none.
 */
static json_t *version_json(const jira_writer *w, int k)
{
    const cw_demo_history *h = w->h;
    char id[32], name[64], self[128], date[16], start[16];
    int released = k < w->n_versions && h->deploys[w->versions[k]].prod_finish < w->ctx->cut;
    int64_t when;
    json_t *v;

    version_id(w, k, id, sizeof id);
    version_name(w, k, name, sizeof name);
    snprintf(self, sizeof self, SITE "/rest/api/2/version/%s", id);
    if (k < w->n_versions) {
        when = h->deploys[w->versions[k]].prod_finish;
        if (!released)
            when -= (int64_t)((h->deploys[w->versions[k]].cut >> 7) % 4) * CW_DEMO_DAY;
    } else {
        when = version_cut(w, k) + CW_DEMO_DAY;
    }
    cw_time_format_date(when, date, sizeof date);
    v = json_pack("{s:s, s:s, s:s, s:b, s:b, s:s}", "self", self, "id", id, "name", name,
                  "archived", 0, "released", released, "releaseDate", date);
    if (k % 2 == 0 && k > 0) {
        cw_time_format_date(version_cut(w, k - 1) + CW_DEMO_DAY, start, sizeof start);
        json_object_set_new(v, "startDate", json_string(start));
    }
    return v;
}

/* One change of a ticket's fix version: from version `from` to `to` (-1 none). */
typedef struct version_move {
    int64_t at;
    int from, to;
} version_move;

static int64_t step_of(const cw_demo_ticket *t, cw_demo_status s)
{
    for (int k = 0; k < t->n_steps; k++)
        if (t->steps[k].to == s)
            return t->steps[k].at;
    return 0;
}

/*
 * A ticket's version history (at most two moves), from its simulated life:
 * assigned when it was selected, or with the backlog just after the previous
 * release was cut when it existed then (planned: before the version's
 * baseline; added: after it); shipped in the version of the deployment that
 * shipped it; some were first planned into an earlier version and moved on
 * when it slipped (a day before that release: removed; after it: carried
 * over); some never started ones are descoped again.
 */
static int version_moves(const jira_writer *w, const cw_demo_ticket *t, version_move *out)
{
    cw_demo_rng r = { t->seed ^ 0xF1C5F1C5ULL };
    int64_t selected = step_of(t, CW_DEMO_SELECTED), started = step_of(t, CW_DEMO_IN_PROGRESS);
    int64_t assigned = selected ? selected : t->created + CW_DEMO_HOUR;
    int target, first;

    if (!w->versions || t->type == CW_DEMO_EPIC || t->type == CW_DEMO_SUBTASK)
        return 0;
    if (t->shipped_by >= 0) {
        target = 0;
        while (target < w->n_versions && w->versions[target] != t->shipped_by)
            target++;
    } else if (t->merged_at || (t->flags & CW_DEMO_T_ABANDONED)) {
        target = version_at(w, t->n_steps ? t->steps[t->n_steps - 1].at : t->created);
    } else if (started) {
        target = version_at(w, t->steps[t->n_steps - 1].at) + 1;
    } else {
        if (cw_demo_chance(&r, 0.5))
            return 0;
        target = version_at(w, assigned) + 1;
        if (target >= w->n_versions + FUTURE_VERSIONS)
            target = w->n_versions + FUTURE_VERSIONS - 1;
        if (target > 0 && t->created + 600 < version_cut(w, target - 1))
            assigned = version_cut(w, target - 1) + cw_demo_between(&r, 1, 4) * CW_DEMO_HOUR;
        out[0] = (version_move){ assigned, -1, target };
        if (cw_demo_chance(&r, 0.4)) {   /* descoped before the release */
            int64_t at = version_cut(w, target) - cw_demo_between(&r, 24, 96) * CW_DEMO_HOUR;
            if (at > assigned + CW_DEMO_HOUR) {
                out[1] = (version_move){ at, target, -1 };
                return 2;
            }
        }
        return 1;
    }
    if (target >= w->n_versions + FUTURE_VERSIONS)
        target = w->n_versions + FUTURE_VERSIONS - 1;
    first = version_at(w, assigned);
    /* the backlog is planned in bulk just after the previous release is cut:
     * what existed then is planned, what came later is added */
    if (first > 0) {
        int64_t plan_at = version_cut(w, first - 1) + cw_demo_between(&r, 1, 4) * CW_DEMO_HOUR;
        if (t->created + 600 < plan_at)
            assigned = plan_at;
    }
    if (first < target && cw_demo_chance(&r, 0.35)) {
        int64_t at = cw_demo_chance(&r, 0.5) ? version_cut(w, first) - cw_demo_between(&r, 2, 20) * CW_DEMO_HOUR
                                             : version_cut(w, first) + cw_demo_between(&r, 2, 30) * CW_DEMO_HOUR;
        if (at > assigned + CW_DEMO_HOUR) {
            out[0] = (version_move){ assigned, -1, first };
            out[1] = (version_move){ at, first, target };
            return 2;
        }
    }
    if (target > 0) {    /* planned into the version that shipped it, with its backlog */
        int64_t plan_at = version_cut(w, target - 1) + cw_demo_between(&r, 1, 4) * CW_DEMO_HOUR;
        if (t->created + 600 < plan_at)
            assigned = plan_at;
    }
    out[0] = (version_move){ assigned, -1, target };
    return 1;
}

static json_t *version_item(const jira_writer *w, int from, int to)
{
    char fid[32], fname[64], tid[32], tname[64];
    if (from >= 0) {
        version_id(w, from, fid, sizeof fid);
        version_name(w, from, fname, sizeof fname);
    }
    if (to >= 0) {
        version_id(w, to, tid, sizeof tid);
        version_name(w, to, tname, sizeof tname);
    }
    return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s?}", "field", "Fix Version", "fieldtype", "jira",
                     "fieldId", "fixVersions", "from", from >= 0 ? fid : NULL,
                     "fromString", from >= 0 ? fname : NULL, "to", to >= 0 ? tid : NULL,
                     "toString", to >= 0 ? tname : NULL);
}

/* A move is recorded as Jira records a multi-value field: the version
 * removed and the version added, as two items of one history. */
static json_t *move_json(jira_writer *w, const version_move *m, long hid, int reporter)
{
    json_t *items = json_array();
    char id[32], at[40];
    if (m->from >= 0)
        json_array_append_new(items, version_item(w, m->from, -1));
    if (m->to >= 0)
        json_array_append_new(items, version_item(w, -1, m->to));
    snprintf(id, sizeof id, "%ld", hid);
    cw_demo_fmt_jira(w->ctx, w->zone, m->at, at, sizeof at);
    return json_pack("{s:s, s:o, s:s, s:o}", "id", id, "author", user_json(w->h, reporter), "created", at,
                     "items", items);
}

/* The versions the ticket carries at the cut. */
static json_t *fix_versions_json(jira_writer *w, const cw_demo_ticket *t)
{
    version_move moves[2];
    int n = version_moves(w, t, moves), now = -1;
    json_t *versions = json_array();
    for (int i = 0; i < n; i++)
        if (moves[i].at < w->ctx->cut)
            now = moves[i].to;
    if (now >= 0)
        json_array_append_new(versions, version_json(w, now));
    return versions;
}

typedef struct timed_history {
    int64_t at;
    long id;
    json_t *json;
} timed_history;

static int cmp_newest_history(const void *a, const void *b)
{
    const timed_history *x = a, *y = b;
    if (x->at != y->at)
        return (x->at < y->at) - (x->at > y->at);
    return (x->id < y->id) - (x->id > y->id);
}

/* Status changes and fix version moves, newest first as on Cloud. */
static json_t *changelog_json(jira_writer *w, const cw_demo_ticket *t, long id, int reporter)
{
    json_t *histories = json_array();
    version_move moves[2];
    int n = shown_steps(w, t), n_moves = version_moves(w, t, moves), total = 0;
    timed_history all[CW_DEMO_MAX_STEPS + 2];

    for (int k = 0; k < n; k++)
        all[total++] = (timed_history){ t->steps[k].at, id * 20 + k, history_json(w, t, id, k, reporter) };
    for (int i = 0; i < n_moves; i++)
        if (moves[i].at < w->ctx->cut)
            all[total++] = (timed_history){ moves[i].at, id * 20 + 15 + i,
                                            move_json(w, &moves[i], id * 20 + 15 + i, reporter) };
    qsort(all, (size_t)total, sizeof(*all), cmp_newest_history);
    for (int k = 0; k < total; k++)
        json_array_append_new(histories, all[k].json);
    return json_pack("{s:i, s:i, s:i, s:o}", "startAt", 0, "maxResults", total, "total", total,
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

static json_t *priority_json(const cw_demo_ticket *t)
{
    static const char *const names[] = { "Highest", "High", "Medium", "Low" };
    cw_demo_rng r = { t->seed ^ 0x9E1A3C5ULL };
    long i = cw_demo_between(&r, t->type == CW_DEMO_BUG || t->type == CW_DEMO_SECURITY ? 0 : 1, 3);
    char id[24];
    snprintf(id, sizeof id, "%ld", i + 1);
    return json_pack("{s:s, s:s}", "name", names[i], "id", id);
}

static const char *const type_ids[CW_DEMO_N_TYPES] = { "10001", "10004", "10002", "10100", "10101",
                                                       "10000", "10003", "10200" };

static long issue_id(int app, uint32_t number)
{
    return (app + 1) * 1000000L + (long)number;
}

/* The summary every export shows for a ticket: epics and initiatives have
 * names of their own. */
static void summary_of(jira_writer *w, int app, const cw_demo_ticket *t, char *buf, size_t n)
{
    if (t->type == CW_DEMO_INITIATIVE)
        snprintf(buf, n, "%s", cw_demo_initiatives[(t->number - 1) % CW_DEMO_N_INITIATIVES]);
    else if (t->type == CW_DEMO_EPIC)
        cw_demo_epic_summary(&w->ctx->world.teams[w->ctx->world.apps[app].team],
                             cw_demo_epic_seed(w->ctx, app, t->number), buf, n);
    else
        cw_demo_ticket_summary(w->h->team, t, buf, n);
}

/* `parent` as Cloud returns it: id, key and a few fields of the parent. */
static json_t *parent_json(jira_writer *w, const cw_demo_ticket *t)
{
    const cw_demo_world *world = &w->ctx->world;
    char key[48], id[32], summary[200];
    cw_demo_type type;

    if (t->parent_app == CW_DEMO_PARENT_THEME) {
        snprintf(key, sizeof key, "%s-%u", CW_DEMO_PORTFOLIO, (unsigned)t->parent_number);
        snprintf(id, sizeof id, "%ld", issue_id((int)world->n_apps, t->parent_number));
        snprintf(summary, sizeof summary, "%s",
                 cw_demo_initiatives[(t->parent_number - 1) % CW_DEMO_N_INITIATIVES]);
        type = CW_DEMO_INITIATIVE;
    } else if (t->type == CW_DEMO_SUBTASK) {
        const cw_demo_ticket *story = t;
        while (story > w->h->tickets && story->number != t->parent_number)
            story--;
        cw_demo_key(w->h->app, t->parent_number, key, sizeof key);
        snprintf(id, sizeof id, "%ld", issue_id(w->h->index, t->parent_number));
        cw_demo_ticket_summary(w->h->team, story, summary, sizeof summary);
        type = (cw_demo_type)story->type;
    } else {
        const cw_demo_app *app = &world->apps[t->parent_app];
        cw_demo_key(app, t->parent_number, key, sizeof key);
        snprintf(id, sizeof id, "%ld", issue_id(t->parent_app, t->parent_number));
        cw_demo_epic_summary(&world->teams[app->team], cw_demo_epic_seed(w->ctx, t->parent_app, t->parent_number),
                             summary, sizeof summary);
        type = CW_DEMO_EPIC;
    }
    return json_pack("{s:s, s:s, s:{s:s, s:{s:s, s:s, s:b}}}", "id", id, "key", key, "fields",
                     "summary", summary, "issuetype", "id", type_ids[type], "name", cw_demo_type_names[type],
                     "subtask", 0);
}

/* The epic link of a company-managed project's item names its epic in
 * customfield_10014; everywhere else `parent` does (Cloud). */
static void add_parent(jira_writer *w, const cw_demo_ticket *t, json_t *fields)
{
    if (t->parent_app == -1)
        return;
    if (t->type != CW_DEMO_SUBTASK && t->parent_app == w->h->index && cw_demo_uses_epic_link(w->h->index)) {
        char key[48];
        cw_demo_key(w->h->app, t->parent_number, key, sizeof key);
        json_object_set_new(fields, "customfield_10014", json_string(key));
        return;
    }
    json_object_set_new(fields, "parent", parent_json(w, t));
}

static json_t *fields_json(jira_writer *w, const cw_demo_ticket *t, int reporter)
{
    const cw_demo_app *app = w->h->app;
    int n = shown_steps(w, t);
    cw_demo_status now = n ? t->steps[n - 1].to : CW_DEMO_BACKLOG;
    int64_t updated = n ? t->steps[n - 1].at : t->created;
    version_move moves[2];
    int n_moves = version_moves(w, t, moves);
    char summary[200], created[40], updated_s[40], resolved[40], project_id[16];
    json_t *fields;

    for (int i = 0; i < n_moves; i++)
        if (moves[i].at < w->ctx->cut && moves[i].at > updated)
            updated = moves[i].at;
    summary_of(w, w->h->index, t, summary, sizeof summary);
    cw_demo_fmt_jira(w->ctx, w->zone, t->created, created, sizeof created);
    cw_demo_fmt_jira(w->ctx, w->zone, updated, updated_s, sizeof updated_s);
    cw_demo_fmt_jira(w->ctx, w->zone, n ? t->steps[n - 1].at : t->created, resolved, sizeof resolved);
    snprintf(project_id, sizeof project_id, "%d", 10000 + w->h->index);
    fields = json_pack("{s:s, s:{s:s, s:s, s:b}, s:{s:s, s:s, s:s}, s:o, s:o, s:o, s:o, s:o?, s:o,"
                       " s:s, s:s, s:s?, s:o}",
                       "summary", summary,
                       "issuetype", "id", type_ids[t->type], "name", cw_demo_type_names[t->type],
                       "subtask", t->type == CW_DEMO_SUBTASK,
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
    if (fields)
        add_parent(w, t, fields);
    return fields;
}

static json_t *issue_json(jira_writer *w, const cw_demo_ticket *t)
{
    cw_demo_rng r = { t->seed ^ 0xC0FFEEULL };
    int reporter = (int)cw_demo_between(&r, 0, (long)w->h->team->n_people - 1);
    long id = issue_id(w->h->index, t->number);
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
 * created before it.  The delta: those created, moved or given another fix
 * version in the day (what `updated >= -1d` finds). */
static int shown(const jira_writer *w, const cw_demo_ticket *t)
{
    if (cw_demo_shown(w->ctx, t->created))
        return 1;
    if (t->created >= w->ctx->cut)
        return 0;
    for (int k = 0; k < t->n_steps; k++)
        if (cw_demo_shown(w->ctx, t->steps[k].at))
            return 1;
    {
        version_move moves[2];
        int n = version_moves(w, t, moves);
        for (int i = 0; i < n; i++)
            if (cw_demo_shown(w->ctx, moves[i].at))
                return 1;
    }
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
    jira_writer w = { ctx, h, h->team->zone, NULL, 0 };
    size_t *pick = cw_xmalloc((h->n_tickets ? h->n_tickets : 1) * sizeof(*pick)), n = 0, start = 0;
    int page = 1, rc = 0;

    plan_versions(&w);
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
    free(w.versions);
    ctx->tally->tickets += (long)n;
    return rc;
}

/*
 * The themes: the portfolio project's Initiatives, parents of the epics,
 * written once (they belong to no application).  In progress since before
 * the data begins; the delta has none (nothing changes them).
 */
int cw_demo_write_initiatives(cw_demo_ctx *ctx)
{
    cw_demo_app app = ctx->world.apps[0];
    cw_demo_ticket tickets[CW_DEMO_N_INITIATIVES];
    cw_demo_history h;
    jira_writer w;
    json_t *issues;
    int64_t start = ctx->sim_start - 10 * CW_DEMO_WEEK;

    if (ctx->since != INT64_MIN)
        return 0;
    app.project = CW_DEMO_PORTFOLIO;
    app.project_name = "Harbourside Portfolio";
    app.cadence = CW_DEMO_ELITE;
    memset(&h, 0, sizeof h);
    h.app = &app;
    h.team = &ctx->world.teams[app.team];
    h.index = (int)ctx->world.n_apps;
    h.tickets = tickets;
    h.n_tickets = CW_DEMO_N_INITIATIVES;
    w = (jira_writer){ ctx, &h, h.team->zone, NULL, 0 };
    issues = json_array();
    for (int i = 0; i < CW_DEMO_N_INITIATIVES; i++) {
        cw_demo_ticket *t = &tickets[i];
        memset(t, 0, sizeof(*t));
        t->seed = 0x1717ULL + (uint64_t)i;
        t->created = start + i * 3600;
        t->number = (uint32_t)i + 1;
        t->type = CW_DEMO_INITIATIVE;
        t->assignee = 0;
        t->parent_app = -1;
        t->shipped_by = -1;
        t->steps[0] = (cw_demo_step){ start + CW_DEMO_WEEK + i * 3600, CW_DEMO_IN_PROGRESS };
        t->n_steps = 1;
        json_array_append_new(issues, issue_json(&w, t));
    }
    ctx->tally->tickets += CW_DEMO_N_INITIATIVES;
    return write_page(&w, 1, 0, CW_DEMO_N_INITIATIVES, issues);
}
