/*
 * jira.c - the Jira REST connector (source type "jira").
 *
 * Reads what Jira's REST API returns, in every envelope seen in the wild
 * (formats.md §2, decision 2):
 *   - search pages: classic {startAt,maxResults,total,issues}, the Cloud
 *     /rest/api/3/search/jql {issues,nextPageToken,isLast}, agile board
 *     issue pages (same as classic);
 *   - a plain JSON array of issues, or one issue object per file
 *     (GET /issue/{key}, as in the ALOY archive);
 *   - changelog pages from /rest/api/{2,3}/issue/{key}/changelog
 *     {values:[histories],startAt,maxResults,total,isLast}, and bare arrays
 *     of histories;
 *   - the DevLake raw-table CSV wrapper, one issue or one history per row.
 *
 * Each issue becomes one cw_work_item and each status change in its
 * changelog one cw_transition, oldest first (Cloud sends histories
 * newest-first).  A history carries no issue reference of its own, so for
 * changelog pages the owner comes from the page's `self` URL, the file name
 * (<KEY>.changelog.json, or NNNNN-changelog-<KEY>.json as live extraction
 * lands it) or, in a DevLake wrapper, the row's url / input.
 *
 * Live extraction (jira_fetch, at the end) only describes the requests:
 * Cloud's /rest/api/3/search/jql or Data Center's /rest/api/2/search with
 * expand=changelog, plus /issue/{key}/changelog for every issue whose
 * changelog the search cut short, then /field (custom field ids), /status
 * (the status list: each status id's category, which the warehouse prefers
 * to an issue's) and each project's /versions (release dates); the parser
 * passes over fields and versions until a record carries them.  The shared
 * machinery (fetch.c) sends the requests
 * and lands the pages, and jira_parse reads them like dropped files.
 */
#include "source.h"
#include "credentials.h"
#include "devlake.h"
#include "fetch.h"
#include "items.h"
#include "../core/config.h"
#include "../core/json.h"
#include "../core/strmap.h"
#include "../core/time.h"
#include "../core/util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Besides these, a live source takes cw_live_keys (credentials.h), which
 * registry.c accepts for every type that can fetch:
 *   projects  project keys to search: project in ("A", "B"), or
 *   jql       a whole query (its ORDER BY is kept; default updated ASC);
 *             one of the two is required, as this connector cannot see
 *             which projects the [application] sections name;
 *   api       cloud (v3: /rest/api/3/search/jql, the default for an
 *             *.atlassian.net host) or datacenter (v2: /rest/api/2/search);
 *   fields    the search's field list (default: what the parser reads).
 * Auth is Basic (Cloud: user = the account e-mail, token = an API token); a
 * Data Center personal access token needs `auth = bearer`.  Incremental
 * runs add `updated >= "yyyy-MM-dd HH:mm"` in UTC, and Jira reads JQL dates
 * in the searching user's time zone: set the service account to UTC. */
static const char *const jira_keys[] = {
    "key_prefix_filter", "jql", "projects", "api", "fields", "epic_link_field", "theme_field",
    "incident_types",   /* issue types that are incidents too (load/sql/resolve.sql) */
    NULL
};

/* Who a changelog history belongs to: a key ("PAY-12") and/or a numeric id. */
typedef struct jira_owner {
    char key[128];
    char id[32];
} jira_owner;

typedef struct jira_ctx {
    const cw_source *src;
    const char *path;
    cw_sink *sink;
    cw_strlist keep;           /* key_prefix_filter; empty = keep every project */
    jira_owner file_owner;     /* from "<KEY>.changelog.json", empty when none */
    cw_strmap *releases;       /* "project\x1fname" of the releases emitted from this file */
    char versions_of[128];     /* project of a "versions-<KEY>.json" page, "" otherwise */
} jira_ctx;

/* One status change, collected so a changelog can be sorted before emitting. */
typedef struct status_change {
    int64_t at;
    json_t *history_id;        /* string or number, NULL when absent */
    const char *from, *to;
    long record;
    size_t order;              /* position in the input: the last tie-break keeps sorting stable */
} status_change;

/* ------------------------------------------------------------------ helpers */

static int emit_reject(jira_ctx *c, long record, const char *field, json_t *raw_json,
                       const char *reason)
{
    cw_origin o = { c->src->name, c->path, record };
    return cw_item_reject(c->sink, &o, field, raw_json, reason);
}

/* Why a timestamp node could not be read, for a reject's reason. */
static void bad_time_reason(json_t *node, char *buf, size_t size)
{
    if (!node)
        snprintf(buf, size, "missing timestamp");
    else if (json_is_string(node)) {
        int64_t ignored;
        const char *s = json_string_value(node);
        cw_time_reason(cw_time_parse_iso8601(s, NULL, &ignored), s, buf, size);
    }
    else
        snprintf(buf, size, "timestamp is not a string");
}

/* A JSON string or integer as text ("13383" either way); NULL otherwise
 * (also for a number out of range, see core/json.c). */
static const char *id_text(json_t *v, char *buf, size_t size)
{
    if (json_is_string(v) && !cw_json_out_of_range(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return NULL;
}

static int is_all_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s))
            return 0;
    return 1;
}

/* Put a key or numeric id into owner; returns 0 when it fits. */
static int owner_set(jira_owner *owner, const char *text, size_t n)
{
    char tmp[128];
    if (n == 0 || n >= sizeof(tmp))
        return -1;
    memcpy(tmp, text, n);
    tmp[n] = '\0';
    if (is_all_digits(tmp)) {
        if (n >= sizeof(owner->id))
            return -1;
        memcpy(owner->id, tmp, n + 1);
    } else {
        memcpy(owner->key, tmp, n + 1);
    }
    return 0;
}

static int owner_known(const jira_owner *owner)
{
    return owner->key[0] || owner->id[0];
}

/* ".../rest/api/3/issue/PAY-12/changelog?startAt=0" -> PAY-12 (or a numeric id). */
static int owner_from_url(const char *url, jira_owner *owner)
{
    const char *p = url ? strstr(url, "/issue/") : NULL;
    size_t n;
    if (!p)
        return -1;
    p += strlen("/issue/");
    n = strcspn(p, "/?#");
    if (strncmp(p + n, "/changelog", 10) != 0)
        return -1;
    return owner_set(owner, p, n);
}

/* Does the base name hold only the characters of an issue key?  Live
 * extraction names files after keys, and such names are safe in a glob. */
static int key_is_plain(const char *key, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)key[i]) && key[i] != '-' && key[i] != '_' && key[i] != '.')
            return 0;
    return 1;
}

/* "<dir>/PAY-12.changelog.json" -> PAY-12; so does the name live extraction
 * lands a changelog page under, "<dir>/00042-changelog-PAY-12.json". */
static void owner_from_file_name(const char *path, jira_owner *owner)
{
    static const char suffix[] = ".changelog.json", prefix[] = "changelog-", ext[] = ".json";
    const char *base = strrchr(path, '/');
    size_t len, digits;
    base = base ? base + 1 : path;
    /* Landing prefixes every file with its index ("0001-"), live pages are
     * numbered too ("00001-changelog-"): skip every leading digits-dash run.
     * A Jira project key starts with a letter, so no key loses a part. */
    while ((digits = strspn(base, "0123456789")) > 0 && base[digits] == '-')
        base += digits + 1;
    len = strlen(base);
    if (len > sizeof(suffix) - 1 && strcmp(base + len - (sizeof(suffix) - 1), suffix) == 0) {
        owner_set(owner, base, len - (sizeof(suffix) - 1));
        return;
    }
    if (strncmp(base, prefix, sizeof(prefix) - 1) == 0 && len > sizeof(prefix) + sizeof(ext) - 2 &&
        strcmp(base + len - (sizeof(ext) - 1), ext) == 0)
        owner_set(owner, base + sizeof(prefix) - 1, len - (sizeof(prefix) - 1) - (sizeof(ext) - 1));
}

/* DevLake's `input` cell: {"issue_id": 13383, ...} or {"IssueId": 13383}. */
static int owner_from_input(const char *input, jira_owner *owner)
{
    json_t *root, *v;
    const char *name;
    int rc = -1;
    if (cw_str_empty(input) || !(root = cw_json_load_text(input, strlen(input), NULL, 0)))
        return -1;
    if (json_is_object(root)) {
        json_object_foreach(root, name, v) {
            char buf[32];
            const char *id = id_text(v, buf, sizeof(buf));
            if (id && (cw_streq_ci(name, "issue_id") || cw_streq_ci(name, "IssueId"))) {
                rc = owner_set(owner, id, strlen(id));
                break;
            }
        }
    }
    json_decref(root);
    return rc;
}

static int project_kept(const jira_ctx *c, const char *project)
{
    if (c->keep.n == 0)
        return 1;
    for (size_t i = 0; i < c->keep.n; i++)
        if (project && strcmp(c->keep.items[i], project) == 0)
            return 1;
    return 0;
}

/* Status categories from Jira's statusCategory.key, as metrics.md maps them:
 * new -> todo, done -> done, anything else (indeterminate, undefined, a key
 * Jira adds later) -> in_progress; no key -> NULL.  jira_csv.c reads the
 * category's display *name* instead ("To Do", localised), a different
 * vocabulary: an unknown name there stays NULL, as no fixed key set bounds it. */
static const char *map_status_category(const char *key)
{
    if (!key)
        return NULL;
    if (strcmp(key, "new") == 0)
        return "todo";
    if (strcmp(key, "done") == 0)
        return "done";
    return "in_progress";
}

/* ------------------------------------------------------------- shapes */

static int looks_like_issue(json_t *v)
{
    return json_is_object(v) && (json_object_get(v, "fields") || json_object_get(v, "key"));
}

/* Does v have the string member name, and does it contain part? */
static int member_contains(json_t *v, const char *name, const char *part)
{
    const char *s = json_string_value(json_object_get(v, name));
    return s && strstr(s, part);
}

/* Jira's own metadata, never an issue or a history:
 *   a field definition (/rest/api/2/field: boolean `custom`);
 *   a project version (/project/{key}/versions: boolean `released`);
 *   a sprint (/rest/agile/1.0/board/{id}/sprint: string `state` with
 *     `originBoardId` or a .../sprint/{id} `self`);
 *   a status (/rest/api/2/status: a `statusCategory` object at the top,
 *     where an issue has it under fields.status);
 *   an issue type (/rest/api/2/issuetype: boolean `subtask` at the top);
 *   a project (/rest/api/2/project/{key}: `issueTypes` array or
 *     `projectTypeKey`, as the ALOY archive's project.json).
 * Live extraction lands the first two for custom field ids and release
 * dates, and DevLake's raw tables hold the others (formats.md requires
 * their fixtures to read without error).  Statuses are read before this
 * test (looks_like_status), and a version on a project's versions page
 * before it too (array_element: a release); no record carries the others
 * yet, so the parser passes over them: no item and no reject. */
static int looks_like_metadata(json_t *v)
{
    if (!json_is_object(v) || json_object_get(v, "fields"))
        return 0;
    return json_is_boolean(json_object_get(v, "custom")) ||
           json_is_boolean(json_object_get(v, "released")) ||
           (json_is_string(json_object_get(v, "state")) &&
            (json_is_integer(json_object_get(v, "originBoardId")) ||
             member_contains(v, "self", "/sprint/"))) ||
           json_is_object(json_object_get(v, "statusCategory")) ||
           json_is_boolean(json_object_get(v, "subtask")) ||
           json_is_array(json_object_get(v, "issueTypes")) ||
           json_is_string(json_object_get(v, "projectTypeKey"));
}

/* A status of the status list (/rest/api/2/status, or /status/{id}): the
 * source's own category of that status id, which the warehouse prefers to
 * what issue snapshots say (README "Status categories"). */
static int looks_like_status(json_t *v)
{
    return json_is_object(v) && !json_object_get(v, "fields") &&
           json_is_object(json_object_get(v, "statusCategory"));
}

static int emit_status_def(jira_ctx *c, json_t *v, long record)
{
    char idbuf[32];
    cw_status_def d = { .origin = { c->src->name, c->path, record } };
    if (!c->sink->status_def)
        return 0;
    d.id = id_text(json_object_get(v, "id"), idbuf, sizeof(idbuf));
    d.name = cw_json_str(v, "name");
    d.category = map_status_category(cw_json_str(v, "statusCategory.key"));
    if (!d.id)
        return emit_reject(c, record, "id", v, "status without an id");
    if (!d.name)
        return emit_reject(c, record, "name", v, "status without a name");
    if (!d.category)
        return emit_reject(c, record, "statusCategory.key", v, "status without a category key");
    return c->sink->status_def(c->sink->ctx, &d) ? -1 : 0;
}

static int looks_like_history(json_t *v)
{
    return json_is_object(v) && json_is_array(json_object_get(v, "items")) &&
           !json_object_get(v, "fields");
}

/* ------------------------------------------------------------- transitions */

static int compare_ids(json_t *ja, json_t *jb)
{
    char abuf[32], bbuf[32];
    const char *a = id_text(ja, abuf, sizeof(abuf));
    const char *b = id_text(jb, bbuf, sizeof(bbuf));
    if (!a || !b)
        return a ? -1 : (b ? 1 : 0);
    if (is_all_digits(a) && is_all_digits(b) && strlen(a) != strlen(b))
        return strlen(a) < strlen(b) ? -1 : 1;
    return strcmp(a, b);
}

static int compare_changes(const void *pa, const void *pb)
{
    const status_change *a = pa, *b = pb;
    int byid;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    if ((byid = compare_ids(a->history_id, b->history_id)) != 0)
        return byid;
    return a->order < b->order ? -1 : (a->order > b->order);
}

static int is_status_item(json_t *item)
{
    const char *field = cw_json_str(item, "field");
    const char *field_id = cw_json_str(item, "fieldId");
    return (field && strcmp(field, "status") == 0) ||
           (field_id && strcmp(field_id, "status") == 0);
}

/* Collect the status items of one history into *list (grown as needed).
 * A history whose date cannot be read is rejected; a status item without a
 * target status too.  Returns the sink's failure, or 0. */
static int collect_history(jira_ctx *c, json_t *history, long record,
                           status_change **list, size_t *n)
{
    json_t *items = json_object_get(history, "items"), *item;
    const char *created = cw_json_str(history, "created");
    json_t *hid = json_object_get(history, "id");
    int64_t at;
    size_t i;
    int wanted = 0;
    if (!json_is_array(items))
        return emit_reject(c, record, "changelog.histories.items", history,
                           items ? "history items are not an array" : "history without items");
    json_array_foreach(items, i, item)
        wanted |= is_status_item(item);
    if (!wanted)
        return 0;
    if (!created || cw_time_parse_iso8601(created, NULL, &at) != 0) {
        char reason[200];
        bad_time_reason(cw_json_path(history, "created"), reason, sizeof(reason));
        return emit_reject(c, record, "changelog.histories.created", history, reason);
    }
    json_array_foreach(items, i, item) {
        const char *to = cw_json_str(item, "toString");
        if (!is_status_item(item))
            continue;
        if (!to) {
            int rc = emit_reject(c, record, "changelog.histories.items.toString", item,
                                 "status change without a target status");
            if (rc)
                return rc;
            continue;
        }
        *list = cw_xrealloc(*list, (*n + 1) * sizeof(**list));
        (*list)[*n] = (status_change){ at, hid, cw_json_str(item, "fromString"), to, record, *n };
        (*n)++;
    }
    return 0;
}

/* ---------------------------------------------------------- fix versions */

static int is_version_item(json_t *item)
{
    const char *field = cw_json_str(item, "field");
    const char *field_id = cw_json_str(item, "fieldId");
    return (field && strcmp(field, "Fix Version") == 0) ||
           (field_id && strcmp(field_id, "fixVersions") == 0);
}

/* One Fix Version item: fromString/from is a version removed, toString/to
 * one added (Jira writes one item per version; both halves are read). */
static int emit_version_item(jira_ctx *c, json_t *item, const cw_version_change *base)
{
    char idbuf[32];
    cw_version_change v = *base;
    if ((v.version = cw_json_str(item, "fromString")) != NULL) {
        v.version_id = id_text(json_object_get(item, "from"), idbuf, sizeof(idbuf));
        v.added = 0;
        if (c->sink->version_change(c->sink->ctx, &v))
            return -1;
    }
    if ((v.version = cw_json_str(item, "toString")) != NULL) {
        v.version_id = id_text(json_object_get(item, "to"), idbuf, sizeof(idbuf));
        v.added = 1;
        if (c->sink->version_change(c->sink->ctx, &v))
            return -1;
    }
    return 0;
}

/* The Fix Version changes of one history.  Its date was judged by
 * collect_history when the history also changed the status (an unreadable
 * one is rejected there, once); otherwise here. */
static int emit_history_versions(jira_ctx *c, json_t *history, const char *key, const char *id,
                                 long record)
{
    json_t *items = json_object_get(history, "items"), *item;
    const char *created = cw_json_str(history, "created");
    char hidbuf[32], reason[200];
    cw_version_change v = { .origin = { c->src->name, c->path, record },
                            .item_key = key, .item_id = id };
    size_t i;
    int wanted = 0, status = 0;
    json_array_foreach(items, i, item) {
        wanted |= is_version_item(item);
        status |= is_status_item(item);
    }
    if (!wanted)
        return 0;
    if (!created || cw_time_parse_iso8601(created, NULL, &v.at) != 0) {
        if (status)
            return 0;
        bad_time_reason(cw_json_path(history, "created"), reason, sizeof(reason));
        return emit_reject(c, record, "changelog.histories.created", history, reason) ? -1 : 0;
    }
    v.history_id = id_text(json_object_get(history, "id"), hidbuf, sizeof(hidbuf));
    json_array_foreach(items, i, item)
        if (is_version_item(item) && emit_version_item(c, item, &v) != 0)
            return -1;
    return 0;
}

/* Every Fix Version change of a list of histories (emit_histories says
 * which elements are histories); in any order: the scope rule sorts them. */
static int emit_version_changes(jira_ctx *c, json_t *histories, const char *key, const char *id,
                                long record, int mixed)
{
    json_t *h;
    size_t i;
    if (!c->sink->version_change)
        return 0;
    json_array_foreach(histories, i, h) {
        if (!json_is_object(h) || !json_is_array(json_object_get(h, "items")) ||
            (mixed && !looks_like_history(h)))
            continue;
        if (emit_history_versions(c, h, key, id, record ? record : (long)i + 1) != 0)
            return -1;
    }
    return 0;
}

/* A version as a release, once per file (every issue of a version repeats
 * it): an issue's fix version (fields.fixVersions; Jira sends no start date
 * there) or an element of a project's /versions page (`where` prefixes the
 * field a reject names).  Jira gives dates only ("2020-07-10"): the core
 * parser reads them as that day's midnight UTC. */
static int emit_release(jira_ctx *c, json_t *version, const char *project, long record,
                        const char *where)
{
    char idbuf[32], reason[200];
    char *seen_key;
    cw_release r = { .origin = { c->src->name, c->path, record }, .project = project };
    static const char *const dates[] = { "startDate", "releaseDate" };
    int64_t *at[] = { &r.start_at, &r.release_at };
    int rc = 0;
    r.name = cw_json_str(version, "name");
    if (!r.name)
        return 0;                   /* check_list rejected it */
    seen_key = cw_asprintf("%s\x1f%s", project, r.name);
    if (cw_strmap_add(c->releases, seen_key, 1, NULL) == 0) {
        free(seen_key);
        return 0;
    }
    free(seen_key);
    r.external_id = id_text(json_object_get(version, "id"), idbuf, sizeof(idbuf));
    r.released = cw_json_bool(version, "released", 0);
    r.archived = cw_json_bool(version, "archived", 0);
    for (int i = 0; i < 2 && rc == 0; i++) {
        json_t *node = json_object_get(version, dates[i]);
        const char *text = json_string_value(node);
        *at[i] = CW_NO_TIME;
        if (!node || json_is_null(node) || (text && !*text))
            continue;
        if (!text || cw_time_parse_iso8601(text, NULL, at[i]) != 0) {
            char field[64];
            *at[i] = CW_NO_TIME;
            snprintf(field, sizeof(field), "%s%s", where, dates[i]);
            bad_time_reason(node, reason, sizeof(reason));
            rc = emit_reject(c, record, field, version, reason);
        }
    }
    return rc || c->sink->release(c->sink->ctx, &r) ? -1 : 0;
}

/* An element of a project's /versions page, landed by live extraction as
 * NNNNN-versions-<KEY>.json (jira_fetch): the file name gives the project
 * (a version names it only by its numeric projectId). */
static int emit_version_of_page(jira_ctx *c, json_t *v, long record)
{
    if (!c->sink->release || !cw_json_str(v, "name"))
        return 0;
    if (!c->releases)
        c->releases = cw_strmap_new();
    return emit_release(c, v, c->versions_of, record, "");
}

/* "versions-<KEY>.json" after the landing's digits-dash prefixes: KEY. */
static void versions_project_from_file_name(const char *path, char *out, size_t size)
{
    static const char prefix[] = "versions-", ext[] = ".json";
    const char *base = strrchr(path, '/');
    size_t len, digits;
    out[0] = '\0';
    base = base ? base + 1 : path;
    while ((digits = strspn(base, "0123456789")) > 0 && base[digits] == '-')
        base += digits + 1;
    len = strlen(base);
    if (strncmp(base, prefix, sizeof(prefix) - 1) != 0 || len <= sizeof(prefix) + sizeof(ext) - 2 ||
        strcmp(base + len - (sizeof(ext) - 1), ext) != 0 ||
        !key_is_plain(base + sizeof(prefix) - 1, len - (sizeof(prefix) - 1) - (sizeof(ext) - 1)))
        return;
    len -= (sizeof(prefix) - 1) + (sizeof(ext) - 1);
    if (len < size)
        snprintf(out, size, "%.*s", (int)len, base + sizeof(prefix) - 1);
}

static int emit_releases(jira_ctx *c, json_t *fields, const char *project, long record)
{
    json_t *list = json_object_get(fields, "fixVersions"), *v;
    size_t i;
    if (!c->sink->release || !json_is_array(list))
        return 0;
    if (!c->releases)
        c->releases = cw_strmap_new();
    json_array_foreach(list, i, v)
        if (json_is_object(v) && emit_release(c, v, project, record, "fields.fixVersions.") != 0)
            return -1;
    return 0;
}

/* Emit the status changes of a list of histories, oldest first.
 * record > 0: every history belongs to that record (an issue's changelog);
 * record == 0: history i is record i + 1 (a changelog page or array).
 * mixed: the list is a plain JSON array that may hold issues too, whose
 * other elements parse_array has already loaded or rejected; only its
 * histories are read here.  Otherwise every element must be a history. */
static int emit_histories(jira_ctx *c, json_t *histories, const char *key, const char *id,
                          long record, int mixed)
{
    status_change *list = NULL;
    size_t n = 0, i;
    json_t *h;
    int rc = 0;
    json_array_foreach(histories, i, h) {
        long at_record = record ? record : (long)i + 1;
        if (mixed && !looks_like_history(h))
            continue;
        if (!json_is_object(h))
            rc = emit_reject(c, at_record, "changelog.histories", h, "history is not an object");
        else
            rc = collect_history(c, h, at_record, &list, &n);
        if (rc != 0)
            break;
    }
    if (rc == 0 && n > 1)
        qsort(list, n, sizeof(*list), compare_changes);
    for (i = 0; rc == 0 && i < n; i++) {
        char hidbuf[32];
        cw_transition t = {
            .origin = { c->src->name, c->path, list[i].record },
            .item_key = key, .item_id = id,
            .history_id = id_text(list[i].history_id, hidbuf, sizeof(hidbuf)),
            .at = list[i].at, .from_status = list[i].from, .to_status = list[i].to,
        };
        rc = c->sink->transition(c->sink->ctx, &t);
    }
    free(list);
    if (rc == 0)
        rc = emit_version_changes(c, histories, key, id, record, mixed);
    return rc ? -1 : 0;
}

/* ------------------------------------------------------------------ issues */

/* An optional time: absent stays CW_NO_TIME; unreadable becomes a reject
 * naming the field while the item still loads.  Returns the sink's result. */
static int optional_time(jira_ctx *c, json_t *issue, long record, const char *field,
                         int64_t *out)
{
    json_t *node = cw_json_path(issue, field);
    const char *s = json_string_value(node);
    char reason[200];
    *out = CW_NO_TIME;
    if (!node || (s && (!*s || cw_time_parse_iso8601(s, NULL, out) == 0)))
        return 0;
    *out = CW_NO_TIME;
    bad_time_reason(node, reason, sizeof(reason));
    return emit_reject(c, record, field, issue, reason);
}

/* The project key part of an issue key: "PAY-123" -> "PAY". */
static char *project_from_key(const char *key)
{
    const char *dash = strrchr(key, '-');
    return dash && dash != key ? cw_strndup(key, (size_t)(dash - key)) : cw_strdup(key);
}

/* Did the search cut this issue's changelog short (total > histories sent)? */
static int changelog_is_cut(json_t *changelog)
{
    int64_t total;
    return cw_json_int(changelog, "total", &total) == 0 &&
           total > (int64_t)json_array_size(cw_json_path(changelog, "histories"));
}

/* Live extraction fetches a cut changelog in full and lands it beside the
 * search page as NNNNN-changelog-<KEY>.json; with those pages present the
 * history is complete, so the item is not flagged (the same holds when the
 * same pages are dropped together as files). */
static int changelog_landed_beside(const char *path, const char *key)
{
    const char *slash = strrchr(path, '/');
    char *dir, *suffix;
    DIR *d;
    struct dirent *e;
    int found = 0;
    if (!key_is_plain(key, strlen(key)))
        return 0;
    /* a folder listing, not a glob: the path may hold pattern characters */
    dir = slash ? cw_strndup(path, (size_t)(slash - path)) : cw_strdup(".");
    suffix = cw_asprintf("changelog-%s.json", key);
    if ((d = opendir(dir)) != NULL) {
        size_t sl = strlen(suffix);
        while (!found && (e = readdir(d)) != NULL) {
            size_t nl = strlen(e->d_name);
            found = nl >= sl && strcmp(e->d_name + nl - sl, suffix) == 0;
        }
        closedir(d);
    }
    free(suffix);
    free(dir);
    return found;
}

/* A list of an issue: absent or null reads as empty.  Anything else that
 * is not an array, or an element the item cannot take (a label that is not
 * a string, a fix version without a string name), would vanish without a
 * trace, so it becomes a reject naming the field (the first bad element
 * only) while the item still loads with what could be read.  member: NULL
 * leaves the elements to their reader, "" wants strings, else objects with
 * that string member.  Returns the sink's result. */
static int check_list(jira_ctx *c, json_t *issue, long record, const char *field,
                      const char *member)
{
    json_t *list = cw_json_path(issue, field), *el;
    size_t i;
    char reason[120];
    if (!list || json_is_null(list))
        return 0;
    if (!json_is_array(list))
        return emit_reject(c, record, field, list, "not an array");
    json_array_foreach(list, i, el) {
        if (!member || (*member ? cw_json_str(el, member) : json_string_value(el)))
            continue;
        if (*member)
            snprintf(reason, sizeof(reason), "element %zu has no string `%s`", i, member);
        else
            snprintf(reason, sizeof(reason), "element %zu is not a string", i);
        return emit_reject(c, record, field, el, reason);
    }
    return 0;
}

static int emit_links(jira_ctx *c, json_t *fields, const char *key, long record);

static int emit_issue(jira_ctx *c, json_t *issue, long record)
{
    const char *key = cw_json_str(issue, "key");
    const char *created = cw_json_str(issue, "fields.created");
    json_t *fields = json_object_get(issue, "fields");
    json_t *changelog = cw_json_path(issue, "changelog");
    json_t *histories = cw_json_path(changelog, "histories");
    char idbuf[32], statusbuf[32], reason[200];
    cw_work_item w = { .origin = { c->src->name, c->path, record } };
    char *project, *labels, *fix_versions;
    int rc;

    if (!key || !*key)
        return emit_reject(c, record, "key", issue, "issue without a key");
    if (!json_is_object(fields))
        return emit_reject(c, record, "fields", issue, "issue without fields");
    if (!created || cw_time_parse_iso8601(created, NULL, &w.created_at) != 0) {
        bad_time_reason(cw_json_path(fields, "created"), reason, sizeof(reason));
        return emit_reject(c, record, "fields.created", issue, reason);
    }
    /* A number beyond what JSON readers hold (core/json.c) in a field we
     * read: the issue cannot be trusted with it, so it is rejected naming it. */
    if (cw_json_out_of_range(json_object_get(issue, "id")))
        return emit_reject(c, record, "id", issue, "number out of range");
    if (cw_json_out_of_range(cw_json_path(changelog, "total")))
        return emit_reject(c, record, "changelog.total", issue, "number out of range");
    project = cw_json_str(issue, "fields.project.key")
                  ? cw_strdup(cw_json_str(issue, "fields.project.key"))
                  : project_from_key(key);
    if (!project_kept(c, project)) {
        free(project);
        return 0;
    }
    if ((rc = optional_time(c, issue, record, "fields.updated", &w.updated_at)) != 0 ||
        (rc = optional_time(c, issue, record, "fields.resolutiondate", &w.resolved_at)) != 0 ||
        (rc = check_list(c, issue, record, "fields.labels", "")) != 0 ||
        (rc = check_list(c, issue, record, "fields.fixVersions", "name")) != 0 ||
        (rc = check_list(c, issue, record, "changelog.histories", NULL)) != 0) {
        free(project);
        return -1;
    }
    labels = cw_json_join(cw_json_path(fields, "labels"), NULL, ",");
    fix_versions = cw_json_join(cw_json_path(fields, "fixVersions"), "name", ",");
    w.key = key;
    w.external_id = id_text(json_object_get(issue, "id"), idbuf, sizeof(idbuf));
    w.project = project;
    w.summary = cw_json_str(fields, "summary");
    w.type = cw_json_str(fields, "issuetype.name");
    w.status = cw_json_str(fields, "status.name");
    w.status_category = map_status_category(cw_json_str(fields, "status.statusCategory.key"));
    w.status_id = id_text(cw_json_path(fields, "status.id"), statusbuf, sizeof(statusbuf));
    w.labels = labels;
    w.fix_versions = fix_versions;
    w.assignee = cw_json_str(fields, "assignee.displayName");
    w.has_changelog = json_is_object(changelog);
    w.changelog_truncated = changelog_is_cut(changelog) && !changelog_landed_beside(c->path, key);
    w.links_follow = c->sink->work_item_link != NULL;
    rc = c->sink->work_item(c->sink->ctx, &w);
    if (rc == 0)
        rc = emit_releases(c, fields, project, record);
    free(project);
    free(labels);
    free(fix_versions);
    if (rc || emit_links(c, fields, key, record) != 0)
        return -1;
    return emit_histories(c, histories, key, w.external_id, record, 0);
}

/* ------------------------------------------------------------------- links */

/* A field naming another issue: a key string ("PAY-9", the Epic Link
 * field), or an object with a key (`parent`, the agile `epic`) or only an
 * id.  Emits one link of that kind; nothing when the field is absent. */
static int emit_link(jira_ctx *c, const char *key, long record, cw_link_kind kind, json_t *v)
{
    cw_work_item_link l = { .origin = { c->src->name, c->path, record }, .item_key = key,
                            .kind = kind };
    char idbuf[32];
    if (json_is_string(v)) {
        l.target_key = json_string_value(v);
    } else if (json_is_object(v)) {
        l.target_key = cw_json_str(v, "key");
        l.target_id = l.target_key ? NULL : id_text(json_object_get(v, "id"), idbuf, sizeof(idbuf));
    }
    if (cw_str_empty(l.target_key) && cw_str_empty(l.target_id))
        return 0;
    return c->sink->work_item_link(c->sink->ctx, &l) ? -1 : 0;
}

/* Blocks links of `issuelinks`: only the outward side ("X blocks Y" is
 * X's), so each link is loaded once, by the item that blocks. */
static int emit_blocks(jira_ctx *c, const char *key, long record, json_t *links)
{
    json_t *l;
    size_t i;
    json_array_foreach(links, i, l) {
        const char *type = cw_json_str(l, "type.name"), *outward = cw_json_str(l, "type.outward");
        json_t *target = json_object_get(l, "outwardIssue");
        if (target && (cw_streq_ci(type, "Blocks") || cw_streq_ci(outward, "blocks")) &&
            emit_link(c, key, record, CW_LINK_BLOCKS, target) != 0)
            return -1;
    }
    return 0;
}

/* The links of an issue (metrics.md "Hierarchy roll-up"): its parent, its
 * epic (the agile endpoint's `epic` object and the `epic_link_field`), its
 * theme (`theme_field`) and the issues it blocks.  Every issue carries its
 * whole set (links_follow), so a link removed in Jira leaves the warehouse. */
static int emit_links(jira_ctx *c, json_t *fields, const char *key, long record)
{
    const char *epic_field = cw_source_get(c->src, "epic_link_field");
    const char *theme_field = cw_source_get(c->src, "theme_field");
    if (!c->sink->work_item_link)
        return 0;
    if (emit_link(c, key, record, CW_LINK_PARENT, json_object_get(fields, "parent")) != 0 ||
        emit_link(c, key, record, CW_LINK_EPIC, json_object_get(fields, "epic")) != 0 ||
        (epic_field && emit_link(c, key, record, CW_LINK_EPIC,
                                 json_object_get(fields, epic_field)) != 0) ||
        (theme_field && emit_link(c, key, record, CW_LINK_THEME,
                                  json_object_get(fields, theme_field)) != 0))
        return -1;
    return emit_blocks(c, key, record, json_object_get(fields, "issuelinks"));
}

/* -------------------------------------------------------------- dispatching */

/* Histories whose owner is known: emit; unknown: one reject for the lot. */
static int emit_owned_histories(jira_ctx *c, json_t *histories, const jira_owner *owner,
                                long record, json_t *raw, int mixed)
{
    const char *key = owner->key[0] ? owner->key : NULL;
    if (!owner_known(owner))
        return emit_reject(c, record, NULL, raw,
                           "changelog histories without an issue key: name the file "
                           "<KEY>.changelog.json or export the page with its `self` URL") ? -1 : 1;
    if (key) {
        char *project = project_from_key(key);
        int kept = project_kept(c, project);
        free(project);
        if (!kept)
            return 0;
    }
    return emit_histories(c, histories, key, owner->id[0] ? owner->id : NULL, record, mixed);
}

/*
 * A JSON array: issues, histories, or (oddly) both, read one element at a
 * time (core/jsonstream.h): issues, statuses and rejects go out as they
 * come.  Histories wait: sorting needs every history of the issue at once
 * (an array of histories is one issue's changelog).  They are kept in an
 * array that holds null for every other element before them, so a
 * history's record is still its position, and emit_histories reads the
 * histories among the elements judged here.
 */
typedef struct array_walk {
    jira_ctx *c;
    json_t *histories;          /* NULL until the first history */
} array_walk;

static void keep_history(array_walk *w, json_t *history, long record)
{
    if (!w->histories)
        w->histories = json_array();
    while ((long)json_array_size(w->histories) < record - 1)
        json_array_append_new(w->histories, json_null());
    json_array_append(w->histories, history);
}

/* One element of a root array (a cw_item_fn). */
static int array_element(void *ctx, json_t *el, const cw_origin *o)
{
    array_walk *w = ctx;
    jira_ctx *c = w->c;
    if (looks_like_status(el))
        return emit_status_def(c, el, o->record);
    if (c->versions_of[0] && json_is_boolean(json_object_get(el, "released")))
        return emit_version_of_page(c, el, o->record);
    if (looks_like_metadata(el))
        return 0;
    if (looks_like_issue(el))
        return emit_issue(c, el, o->record);
    if (looks_like_history(el)) {
        keep_history(w, el, o->record);
        return 0;
    }
    return emit_reject(c, o->record, NULL, el, "neither a Jira issue nor a changelog history");
}

/* Returns 0, 1 when the file was unusable (reject emitted), -1 on sink
 * failure (or a file that could not be read again). */
static int parse_array(jira_ctx *c, cw_json_doc *doc)
{
    array_walk w = {c, NULL};
    int rc = cw_items_each(doc, NULL, c->src->name, c->path, c->sink, array_element, &w);
    if (rc == 0 && w.histories)
        rc = emit_owned_histories(c, w.histories, &c->file_owner, 0, NULL, 1);
    json_decref(w.histories);
    return rc;
}

/* A changelog page: {self?, values:[histories], startAt, maxResults, total, isLast}. */
static int parse_changelog_page(jira_ctx *c, json_t *page, json_t *values)
{
    jira_owner owner = c->file_owner;
    jira_owner from_url = {{0}, {0}};
    if (owner_from_url(cw_json_str(page, "self"), &from_url) == 0)
        owner = from_url;
    return emit_owned_histories(c, values, &owner, 0, NULL, 0);
}

/* One element of a search page's issues (a cw_item_fn). */
static int search_issue(void *ctx, json_t *el, const cw_origin *o)
{
    jira_ctx *c = ctx;
    return looks_like_issue(el) ? emit_issue(c, el, o->record)
                                : emit_reject(c, o->record, NULL, el, "not a Jira issue");
}

/* A search page's issues are read one at a time: the page's other members
 * (total, startAt, paging) are in the skeleton. */
static const char *const streamed_keys[] = {"issues", NULL};

static int parse_document(jira_ctx *c, cw_json_doc *doc)
{
    json_t *root = cw_json_doc_root(doc), *list;
    if (json_is_array(root))
        return parse_array(c, doc);
    if (json_is_array(json_object_get(root, "issues")))
        return cw_items_each(doc, "issues", c->src->name, c->path, c->sink, search_issue, c);
    if (json_is_array(list = json_object_get(root, "values")) ||
        json_is_array(list = json_object_get(root, "histories")))
        return parse_changelog_page(c, root, list);
    /* A lone object is an issue only with `fields`: project.json has a key too. */
    if (json_is_object(json_object_get(root, "fields")))
        return emit_issue(c, root, 1) ? -1 : 0;
    if (looks_like_status(root))
        return emit_status_def(c, root, 1) ? -1 : 0;
    if (looks_like_metadata(root))
        return 0;
    return emit_reject(c, 0, NULL, root,
                       "not a Jira search page, issue, issue array or changelog page") ? -1 : 1;
}

/* ------------------------------------------------------------ DevLake rows */

/* A changelog row names its issue only in the wrapper's `url` (the request
 * .../issue/PAY-12/changelog) or `input` ({"issue_id": 13383}) cell; the
 * file name, when it names one, wins over `input` but not over `url`. */
static int devlake_history(jira_ctx *c, json_t *history, const cw_devlake_row *row,
                           long record)
{
    jira_owner owner = c->file_owner;
    jira_owner hint = {{0}, {0}};
    json_t *one = json_array();
    int rc;
    if (owner_from_url(row->url, &hint) == 0 ||
        (!owner_known(&owner) && owner_from_input(row->input, &hint) == 0))
        owner = hint;
    json_array_append(one, history);
    rc = emit_owned_histories(c, one, &owner, record, history, 0);
    json_decref(one);
    return rc < 0 ? -1 : 0;
}

/* One wrapper row: an issue or one changelog history.  A sink failure stops
 * the walk with 1: cw_devlake_each_row would take -1 for an unreadable file
 * and add a reject saying so. */
static int devlake_row(void *ctx, const cw_devlake_row *row, const cw_origin *origin)
{
    jira_ctx *c = ctx;
    int rc;
    if (looks_like_status(row->item))
        rc = emit_status_def(c, row->item, origin->record);
    else if (looks_like_metadata(row->item))
        rc = 0;
    else if (looks_like_issue(row->item))
        rc = emit_issue(c, row->item, origin->record);
    else if (looks_like_history(row->item))
        rc = devlake_history(c, row->item, row, origin->record);
    else
        rc = emit_reject(c, origin->record, "data", row->item,
                         "neither a Jira issue nor a changelog history");
    return rc ? 1 : 0;
}

/* -------------------------------------------------------------- interface */

static int jira_parse(const cw_source *src, const char *path, cw_sink *sink)
{
    jira_ctx c = { .src = src, .path = path, .sink = sink };
    cw_json_doc *doc;
    int rc;
    cw_strlist_split(cw_source_get(src, "key_prefix_filter"), &c.keep);
    owner_from_file_name(path, &c.file_owner);
    versions_project_from_file_name(path, c.versions_of, sizeof(c.versions_of));
    if (cw_devlake_is_wrapper(path)) {
        rc = cw_devlake_each_row(path, src->name, sink, devlake_row, &c) ? -1 : 0;
    } else if (!(doc = cw_items_open(src->name, path, sink, streamed_keys))) {
        rc = -1;
    } else {
        rc = parse_document(&c, doc) ? -1 : 0;
        cw_json_doc_close(doc);
    }
    cw_strlist_free(&c.keep);
    cw_strmap_free(c.releases);
    return rc;
}

/* ------------------------------------------------------------ live fetch */

/* Jira Cloud searches with /rest/api/3/search/jql and a token cursor (its
 * classic search answers 410 Gone since 2025); Data Center keeps the
 * offset-paged /rest/api/2/search.  formats.md §0.2. */
typedef enum jira_api { JIRA_CLOUD, JIRA_DATACENTER } jira_api;

/* What a search asks for: every field jira_parse reads (without `fields`
 * Cloud returns only id, key and self).  `fields = *navigable` widens it. */
static const char default_fields[] =
    "summary,issuetype,status,project,labels,fixVersions,assignee,created,updated,"
    "resolutiondate,resolution,priority,parent,issuelinks";

static int api_from_name(const char *name, jira_api *out)
{
    if (cw_streq_ci(name, "cloud") || cw_streq_ci(name, "v3")) {
        *out = JIRA_CLOUD;
        return 0;
    }
    if (cw_streq_ci(name, "datacenter") || cw_streq_ci(name, "server") || cw_streq_ci(name, "v2")) {
        *out = JIRA_DATACENTER;
        return 0;
    }
    return -1;
}

/* "https://acme.atlassian.net/" is Cloud: its host ends with atlassian.net. */
static int host_is_cloud(const char *base_url)
{
    static const char domain[] = "atlassian.net";
    const char *host = base_url ? strstr(base_url, "://") : NULL;
    size_t n, d = sizeof(domain) - 1;
    if (!base_url)
        return 0;
    host = host ? host + 3 : base_url;
    n = strcspn(host, ":/?#");
    return n >= d && strncasecmp(host + n - d, domain, d) == 0 && (n == d || host[n - d - 1] == '.');
}

/* The `api` key when given, else Cloud for an atlassian.net host. */
static jira_api api_of(const cw_source *src)
{
    jira_api api;
    if (api_from_name(cw_source_get(src, "api"), &api) == 0)
        return api;
    return host_is_cloud(cw_source_get(src, "base_url")) ? JIRA_CLOUD : JIRA_DATACENTER;
}

static const char *api_version(jira_api api)
{
    return api == JIRA_CLOUD ? "3" : "2";
}

/* Where the ORDER BY clause of a JQL query starts (outside quoted text), or NULL. */
static const char *find_order_by(const char *jql)
{
    const char *found = NULL;
    char quote = 0;
    for (const char *p = jql; *p; p++) {
        if (quote) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == quote)
                quote = 0;
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (strncasecmp(p, "order", 5) == 0 && (p == jql || isspace((unsigned char)p[-1])) &&
                   isspace((unsigned char)p[5])) {
            const char *q = p + 5;
            while (isspace((unsigned char)*q))
                q++;
            if (strncasecmp(q, "by", 2) == 0 && isspace((unsigned char)q[2]))
                found = p;
        }
    }
    return found;
}

/* "2026-11-20 13:05", the UTC minute holding t.  JQL has minute precision,
 * and flooring only widens the delta, which the upserts make harmless. */
static void jql_date(int64_t t, char *buf, size_t size)
{
    int64_t days = (t >= 0 ? t : t - 86399) / 86400;
    int64_t secs = t - days * 86400;
    int year, mon, day;
    cw_civil_from_days(days, &year, &mon, &day);
    snprintf(buf, size, "%04d-%02d-%02d %02d:%02d", year, mon, day, (int)(secs / 3600),
             (int)(secs % 3600 / 60));
}

/* The filter part of the query: the `jql` key up to its ORDER BY, or
 * `project in ("A", "B")` from the `projects` key.  *order gets the order. */
static void jql_filter(const cw_source *src, cw_buf *filter, const char **order)
{
    const char *jql = cw_source_get(src, "jql");
    cw_strlist projects = { NULL, 0 };
    *order = "ORDER BY updated ASC";
    if (jql) {
        const char *ob = find_order_by(jql);
        char *part = cw_strndup(jql, ob ? (size_t)(ob - jql) : strlen(jql));
        cw_buf_puts(filter, cw_trim(part));
        free(part);
        if (ob)
            *order = ob;
        return;
    }
    cw_strlist_split(cw_source_get(src, "projects"), &projects);
    cw_buf_puts(filter, "project in (");
    for (size_t i = 0; i < projects.n; i++)
        cw_buf_printf(filter, "%s\"%s\"", i ? ", " : "", projects.items[i]);
    cw_buf_puts(filter, ")");
    cw_strlist_free(&projects);
}

/* The whole search query; incremental runs add `updated >= "..."` (UTC,
 * which is why the service account's Jira time zone must be UTC). */
static char *jira_jql(const cw_source *src, int64_t since)
{
    cw_buf filter = { 0 }, out = { 0 };
    const char *order;
    jql_filter(src, &filter, &order);
    if (since != CW_NO_TIME) {
        char date[40];
        jql_date(since, date, sizeof(date));
        if (filter.len)
            cw_buf_printf(&out, "(%s) AND ", filter.data);
        cw_buf_printf(&out, "updated >= \"%s\"", date);
    } else if (filter.len) {
        cw_buf_puts(&out, filter.data);
    }
    cw_buf_printf(&out, "%s%s", out.len ? " " : "", order);
    cw_buf_free(&filter);
    return out.data;
}

typedef struct jira_live {
    cw_fetch *f;
    jira_api api;
    cw_strlist projects;        /* configured and seen, for their versions */
} jira_live;

static void note_project(jira_live *live, const char *project)
{
    if (!project || !key_is_plain(project, strlen(project)))
        return;
    for (size_t i = 0; i < live->projects.n; i++)
        if (strcmp(live->projects.items[i], project) == 0)
            return;
    live->projects.items = cw_xrealloc(live->projects.items,
                                       (live->projects.n + 1) * sizeof(char *));
    live->projects.items[live->projects.n++] = cw_strdup(project);
}

/* The full changelog of one issue, paged by startAt, landed as
 * NNNNN-changelog-<KEY>.json (the parser takes the owner from the page's
 * `self` URL, or from that name). */
static int fetch_changelog(jira_live *live, json_t *issue)
{
    char idbuf[32], *name, *url;
    const char *ref = cw_json_str(issue, "key");
    cw_endpoint ep = { .paging = CW_PAGING_START_AT, .items = "values", .offset_param = "startAt" };
    int rc;
    if (!ref || !key_is_plain(ref, strlen(ref)))
        ref = id_text(json_object_get(issue, "id"), idbuf, sizeof(idbuf));
    if (!ref || !key_is_plain(ref, strlen(ref)))
        return 0;   /* nothing safe to ask for: the item stays flagged truncated */
    name = cw_asprintf("changelog-%s", ref);
    url = cw_fetch_url(live->f, "/rest/api/%s/issue/%s/changelog?startAt=0&maxResults=%d",
                       api_version(live->api), ref, live->f->page_size);
    ep.name = name;
    ep.url = url;
    rc = cw_fetch_pages(live->f, &ep, NULL, NULL);
    free(url);
    free(name);
    return rc;
}

/* Search page callback: complete every changelog the search cut short. */
static int fetch_cut_changelogs(void *ctx, json_t *page, const cw_http_response *resp)
{
    jira_live *live = ctx;
    json_t *issue;
    size_t i;
    (void)resp;
    json_array_foreach(json_object_get(page, "issues"), i, issue) {
        note_project(live, cw_json_str(issue, "fields.project.key"));
        if (changelog_is_cut(json_object_get(issue, "changelog")) && fetch_changelog(live, issue) != 0)
            return -1;
    }
    return 0;
}

/* One unpaged metadata call (/field, /project/{key}/versions), landed as name. */
static int fetch_once(cw_fetch *f, const char *name, char *url)
{
    cw_endpoint ep = { .name = name, .url = url, .paging = CW_PAGING_NONE, .items = "" };
    int rc = cw_fetch_pages(f, &ep, NULL, NULL);
    free(url);
    return rc;
}

/* Custom field ids (story points, epic link, sprint differ per instance),
 * the status list (status categories by id) and the versions of the
 * projects noted (see jira_fetch), for release dates. */
static int fetch_metadata(jira_live *live)
{
    if (fetch_once(live->f, "fields", cw_fetch_url(live->f, "/rest/api/2/field")) != 0 ||
        fetch_once(live->f, "statuses", cw_fetch_url(live->f, "/rest/api/2/status")) != 0)
        return -1;
    for (size_t i = 0; i < live->projects.n; i++) {
        char *name = cw_asprintf("versions-%s", live->projects.items[i]);
        int rc = fetch_once(live->f, name, cw_fetch_url(live->f, "/rest/api/2/project/%s/versions",
                                                        live->projects.items[i]));
        free(name);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* The field list, escaped for the URL, with the configured epic link and
 * theme fields added (they are custom fields no default list names). */
static char *search_fields(const cw_source *src, const char *fields)
{
    const char *epic = cw_source_get(src, "epic_link_field");
    const char *theme = cw_source_get(src, "theme_field");
    char *all = cw_asprintf("%s%s%s%s%s", fields, epic ? "," : "", epic ? epic : "",
                            theme ? "," : "", theme ? theme : "");
    char *escaped = cw_http_escape(all);
    free(all);
    return escaped;
}

/* The search endpoint: its first URL (caller frees) and its cursor rule. */
static char *search_endpoint(const cw_fetch *f, jira_api api, cw_endpoint *ep)
{
    const char *fields = cw_source_get(f->src, "fields");
    char *jql = jira_jql(f->src, f->since);
    char *ejql = cw_http_escape(jql);
    char *efields = search_fields(f->src, fields ? fields : default_fields);
    char *url;
    *ep = (cw_endpoint){ .name = "issues", .items = "issues" };
    if (api == JIRA_CLOUD) {
        url = cw_fetch_url(f, "/rest/api/3/search/jql?jql=%s&fields=%s&expand=changelog&maxResults=%d",
                           ejql, efields, f->page_size);
        ep->paging = CW_PAGING_TOKEN;
        ep->offset_param = "nextPageToken";
    } else {
        url = cw_fetch_url(f, "/rest/api/2/search?jql=%s&fields=%s&expand=changelog&startAt=0"
                           "&maxResults=%d", ejql, efields, f->page_size);
        ep->paging = CW_PAGING_START_AT;
        ep->offset_param = "startAt";
    }
    ep->url = url;
    free(efields);
    free(ejql);
    free(jql);
    return url;
}

static int jira_fetch(cw_fetch *f)
{
    jira_live live = { f, api_of(f->src), { NULL, 0 } };
    cw_strlist configured = { NULL, 0 };
    cw_endpoint ep;
    char *url;
    int rc;
    if (!cw_source_get(f->src, "jql") && !cw_source_get(f->src, "projects")) {
        snprintf(f->error, sizeof(f->error), "%s: a live Jira source needs `jql` or `projects`",
                 f->src->name);
        return -1;
    }
    /* Versions change rarely: a full extract asks for every configured
     * project's, a nightly delta only for projects whose issues changed. */
    cw_strlist_split(cw_source_get(f->src, "projects"), &configured);
    for (size_t i = 0; i < configured.n && f->since == CW_NO_TIME; i++)
        note_project(&live, configured.items[i]);
    url = search_endpoint(f, live.api, &ep);
    rc = cw_fetch_pages(f, &ep, fetch_cut_changelogs, &live);
    if (rc == 0)
        rc = fetch_metadata(&live);
    free(url);
    cw_strlist_free(&configured);
    cw_strlist_free(&live.projects);
    return rc;
}

/* -------------------------------------------------------------- validation */

static int config_error(const cw_source *src, const char *key, const char *message)
{
    fprintf(stderr, "%s:%d: %s: %s\n", src->config_path, cw_source_line(src, key), key, message);
    return -1;
}

/* Project keys go into JQL between quotes: letters, digits and '_' only. */
static int projects_valid(const char *text)
{
    cw_strlist list = { NULL, 0 };
    int ok;
    cw_strlist_split(text, &list);
    ok = list.n > 0;
    for (size_t i = 0; ok && i < list.n; i++)
        for (const char *p = list.items[i]; *p; p++)
            ok &= isalnum((unsigned char)*p) || *p == '_';
    cw_strlist_free(&list);
    return ok;
}

/* A field id of the issue's `fields` (customfield_10014, parent): absent,
 * or letters, digits and '_'. */
static int field_id_valid(const char *id)
{
    if (!id)
        return 1;
    if (!*id)
        return 0;
    for (; *id; id++)
        if (!isalnum((unsigned char)*id) && *id != '_')
            return 0;
    return 1;
}

static int jira_validate(const cw_source *src)
{
    const char *filter = cw_source_get(src, "key_prefix_filter");
    const char *projects = cw_source_get(src, "projects");
    const char *api = cw_source_get(src, "api");
    jira_api ignored;
    cw_strlist list = { NULL, 0 };
    int ok = 1;
    if (filter) {
        cw_strlist_split(filter, &list);
        ok = list.n > 0;
        cw_strlist_free(&list);
    }
    if (!ok)
        return config_error(src, "key_prefix_filter",
                            "expected a comma-separated list of project keys");
    if (api && api_from_name(api, &ignored) != 0)
        return config_error(src, "api", "expected cloud (v3) or datacenter (server, v2)");
    if (projects && !projects_valid(projects))
        return config_error(src, "projects", "expected a comma-separated list of project keys "
                            "(letters, digits, '_')");
    if (projects && cw_source_get(src, "jql"))
        return config_error(src, "jql", "give either jql or projects, not both");
    if (!field_id_valid(cw_source_get(src, "epic_link_field")))
        return config_error(src, "epic_link_field", "expected a field id such as customfield_10014");
    if (!field_id_valid(cw_source_get(src, "theme_field")))
        return config_error(src, "theme_field", "expected a field id such as customfield_10500");
    if (cw_source_get(src, "base_url") && !projects && cw_str_empty(cw_source_get(src, "jql")))
        return config_error(src, "base_url", "a live Jira source needs `projects` (keys to "
                            "search) or `jql`");
    return 0;
}

const cw_source_type cw_source_jira = {
    .name = "jira",
    .keys = jira_keys,
    .validate = jira_validate,
    .produce = NULL,
    .parse = jira_parse,
    .fetch = jira_fetch,
    .auth_kind = CW_AUTH_BASIC,
};
