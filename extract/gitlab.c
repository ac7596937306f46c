/*
 * gitlab.c - the GitLab connector (source type "gitlab"): merge requests,
 * merge request commits, pipelines and deployments from REST v4
 * (formats.md section 6).
 *
 * Accepted input, in any mix: a list page (JSON array), one object (the
 * single-pipeline GET, one MR, ...), or the DevLake raw-table CSV wrapper.
 * Items are recognised by their shape, not by the file name.
 *
 * Records:
 *   merge request -> cw_pull_request, number = iid.  With squash merges
 *                    merge_commit_sha may be null and only squash_commit_sha
 *                    set; both are kept.  merged_at is NULL unless merged.
 *   MR commit     -> cw_pull_request_commit of the MR its page names (a
 *                    DevLake row's url or input {"Iid": n}, a file called
 *                    pull-<n>-commits.json; extract/items.h), and nothing
 *                    else: GitLab's /merge_requests/:iid/commits sends
 *                    parent_ids as [] (every real recording does), so the
 *                    commit graph must come from git (see one_commit).
 *   commit        -> on any other page (a commit list, GET /commits/:sha):
 *                    cw_commit of the source's `repository`; subject =
 *                    title, body = the message after its first paragraph.
 *   MR note       -> cw_pull_request_review when it is a review (see
 *                    one_note: notes people wrote, and approvals); other
 *                    notes, and notes on issues or snippets, are passed over.
 *   pipeline      -> cw_build, job "<repository>/pipelines", number = id.
 *                    The detail (GET /pipelines/:id) has started_at and
 *                    finished_at; the list shape has neither, so it gives
 *                    started = created_at and finished = updated_at.  Live
 *                    extraction lands the detail pages after their list
 *                    page, so the precise values win.  Unfinished pipelines
 *                    (created, pending, running, manual, ...) are skipped.
 *                    status: success -> success, failed -> failure,
 *                    canceled -> aborted, skipped -> not_built.
 *   deployment    -> cw_build with is_deployment, job
 *                    "<repository>/deployments", number = id,
 *                    environment = environment.name, revision = sha,
 *                    started = deployable.started_at (else created_at),
 *                    finished = deployable.finished_at (else updated_at).
 *                    The deployment's own status decides the result, even
 *                    where deployable.status disagrees (a real recording has
 *                    status success with deployable.status failed).
 *                    created/running/blocked deployments are skipped, and
 *                    so are the undocumented completed/undeployed seen in a
 *                    real recording (see deployment_status); any other
 *                    status is a reject.
 *   CI job        -> passed over: the pipeline is the build (see one_item).
 * `production` (regex, default ^prod, caseless) marks production
 * environments.  `repository` names the records (default: `project`).
 *
 * Live extraction (base_url, e.g. https://gitlab.com; the token goes in
 * PRIVATE-TOKEN unless `auth` says otherwise) fetches
 * /api/v4/projects/:project/merge_requests, /pipelines (+ each pipeline's
 * detail, landed as "pipeline-<id>") and /deployments, by X-Next-Page,
 * stopping on an empty or short page.  Each listed merge request's
 * commits and notes follow its page (landed as "pull-<iid>-commits" and
 * "pull-<iid>-notes", the names the parser reads the MR from); the list is
 * already bounded by updated_after, and a new commit or note moves an
 * MR's updated_at.
 */
#include "source.h"
#include "fetch.h"
#include "items.h"
#include "../core/config.h"
#include "../core/json.h"
#include "../core/regex.h"
#include "../core/time.h"
#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PRODUCTION "^prod"

static const char *const gitlab_keys[] = {
    "project", "repository", "production",
    NULL,   /* plus cw_live_keys, which registry.c accepts for every type that can fetch */
};

typedef struct gl_parse {
    cw_sink *sink;
    const char *repository;
    cw_regex *production;
    long pull;                  /* the MR the page belongs to, -1: none (items.h) */
} gl_parse;

/* ---------------------------------------------------------------- config */

static const char *repository_of(const cw_source *src)
{
    const char *repo = cw_source_get(src, "repository");
    return cw_str_empty(repo) ? cw_source_get(src, "project") : repo;
}

/* The production regex (default ^prod, caseless); -1 after printing the error. */
static int compile_production(const cw_source *src, cw_regex **out)
{
    const char *p = cw_source_get(src, "production");
    return cw_source_regex(src, "production", cw_str_empty(p) ? DEFAULT_PRODUCTION : p, 1,
                           out);
}

static int gitlab_validate(const cw_source *src)
{
    cw_regex *re;
    int rc = compile_production(src, &re);
    cw_regex_free(re);
    if (cw_str_empty(repository_of(src))) {
        fprintf(stderr, "%s:%d: repository: required (or project)\n", src->config_path, src->line);
        rc = -1;
    }
    if (cw_source_get(src, "base_url") && cw_str_empty(cw_source_get(src, "project"))) {
        fprintf(stderr, "%s:%d: project: required with base_url (id or group/name)\n",
                src->config_path, src->line);
        rc = -1;
    }
    return rc;
}

/* ---------------------------------------------------------------- helpers */

/* Map a status through a {source, result} table: the result, "" to pass
 * the item over (not finished yet, or not a deploy outcome), or NULL when
 * the status is unknown. */
static const char *map_status(const char *const (*map)[2], size_t n, const char *status)
{
    for (size_t i = 0; status && i < n; i++)
        if (strcmp(status, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

static const char *const pipeline_status[][2] = {
    {"success", "success"}, {"failed", "failure"}, {"canceled", "aborted"},
    {"skipped", "not_built"},
    {"created", ""}, {"waiting_for_resource", ""}, {"preparing", ""}, {"pending", ""},
    {"running", ""}, {"manual", ""}, {"scheduled", ""}, {"canceling", ""},
    {"waiting_for_callback", ""},
};

/* GitLab documents created, running, success, failed, canceled, skipped and
 * blocked.  The real gitlab.com recording (2019) also holds `completed` (its
 * job failed) and `undeployed` (no updated_at, its job canceled): neither
 * is documented, neither says the change reached the environment, so they
 * are passed over as no deployment rather than guessed into a success or
 * refused as bad data.  Any other status is still a reject, so a new one is
 * seen instead of silently dropped. */
static const char *const deployment_status[][2] = {
    {"success", "success"}, {"failed", "failure"}, {"canceled", "aborted"},
    {"skipped", "not_built"},
    {"created", ""}, {"running", ""}, {"blocked", ""},
    {"completed", ""}, {"undeployed", ""},
};

/* ---------------------------------------------------------------- merge requests */

static const cw_pull_paths merge_request_paths = {
    .what = "merge request", .number = "iid", .title = "title", .body = "description",
    .source_branch = "source_branch", .target_branch = "target_branch", .state = "state",
    .author = "author.username", .merge_commit_sha = "merge_commit_sha",
    .squash_commit_sha = "squash_commit_sha",
};

static int one_merge_request(gl_parse *gp, json_t *mr, const cw_origin *o)
{
    return cw_item_emit_pull(gp->sink, o, mr, &merge_request_paths, gp->repository);
}

/* ---------------------------------------------------------------- commits */

/* What follows the message's first paragraph, or NULL; caller frees. */
static char *message_body(const char *msg)
{
    const char *end = msg ? strstr(msg, "\n\n") : NULL;
    if (!end)
        return NULL;
    while (*end == '\n')
        end++;
    return *end ? cw_strdup(end) : NULL;
}

static const cw_commit_paths commit_paths = {
    "id", "authored_date", "committed_date", "author_name", "author_email",
    "committer_name", "committer_email",
};

/* A commit on a page of one MR's commits is that MR's commit only: the
 * MR commits API sends parent_ids as [], so loading it as a commit too
 * would make a parentless root of it, replacing the parents git gave the
 * same sha (fact_commit keeps the last export's), and a deployment of it
 * would ship nothing but itself. */
static int one_commit(gl_parse *gp, json_t *c, const cw_origin *o)
{
    cw_commit r = {0};
    char *parents, *body;
    int rc = 0;
    if (cw_item_commit(gp->sink, o, c, &commit_paths, &r, &rc) != 0)
        return rc;
    if (gp->pull > 0) {
        cw_pull_request_commit pc = {*o, gp->repository, gp->pull, r.sha, r.authored_at};
        return gp->sink->pull_request_commit &&
               gp->sink->pull_request_commit(gp->sink->ctx, &pc) ? -1 : 0;
    }
    parents = cw_json_join(json_object_get(c, "parent_ids"), NULL, " ");
    body = message_body(cw_json_str(c, "message"));
    r.repository = gp->repository;
    r.parents = parents ? parents : "";
    r.subject = cw_json_str(c, "title");
    r.body = body;
    r.additions = r.deletions = r.files_changed = -1;
    rc = gp->sink->commit(gp->sink->ctx, &r) ? -1 : 0;
    free(parents);
    free(body);
    return rc;
}

/* ---------------------------------------------------------------- reviews (MR notes) */

/* GitLab has no review object with a time: an approval (GET
 * /merge_requests/:iid/approvals) names who approved but not when.  Its
 * notes (GET /merge_requests/:iid/notes, recorded by DevLake) carry author
 * and created_at, so they are the reviews, as DevLake counts them: a note a
 * person wrote (system false) is a review COMMENTED; the system note
 * "approved this merge request" is APPROVED; every other system note
 * (assignments, "added 1 commit", "merged", "mentioned in commit ...") is
 * GitLab's own bookkeeping and no review. */
#define APPROVED_NOTE "approved this merge request"

static int one_note(gl_parse *gp, json_t *n, const cw_origin *o)
{
    cw_pull_request_review r = {0};
    json_t *system = json_object_get(n, "system");
    const char *body = cw_json_str(n, "body");
    int64_t iid;
    int rc = 0;
    if (json_is_true(system) && !(body && strcmp(body, APPROVED_NOTE) == 0))
        return 0;
    if (!gp->sink->pull_request_review)
        return 0;
    if (cw_json_int(n, "id", &r.review_id) != 0)
        return cw_item_reject(gp->sink, o, "id", n, "merge request note without an id");
    if (cw_item_time(gp->sink, o, n, "created_at", &r.submitted_at, &rc))
        return rc;
    if (r.submitted_at == CW_NO_TIME)
        return cw_item_reject(gp->sink, o, "created_at", n, "merge request note without created_at");
    r.number = cw_json_int(n, "noteable_iid", &iid) == 0 && iid > 0 ? (long)iid : gp->pull;
    if (r.number <= 0)
        return cw_item_reject(gp->sink, o, "noteable_iid", n,
                              "merge request note that names no merge request");
    r.origin = *o;
    r.repository = gp->repository;
    r.reviewer = cw_json_str(n, "author.username");
    r.state = json_is_true(system) ? "APPROVED" : "COMMENTED";
    return gp->sink->pull_request_review(gp->sink->ctx, &r) ? -1 : 0;
}

/* ---------------------------------------------------------------- pipelines, deployments */

/* What pipelines and deployments share but spell differently. */
typedef struct run_shape {
    const char *what;                       /* "pipeline", "deployment": for rejects */
    const char *job;                        /* the job: "<repository>/<job>" */
    const char *const (*status)[2];         /* map_status table */
    size_t n_status;
    const char *started, *started_else;     /* the start; the field read when it is absent */
    const char *finished, *finished_else;   /* the same for the finish, which is required */
    const char *url;
    const char *required;                   /* a field a finished one must have, or NULL */
} run_shape;

/* The list shape has no finished_at: its last update is the finish. */
static const run_shape pipeline_shape = {
    "pipeline", "pipelines", pipeline_status, sizeof(pipeline_status) / sizeof(pipeline_status[0]),
    "started_at", "created_at", "finished_at", "updated_at", "web_url", NULL,
};

static const run_shape deployment_shape = {
    "deployment", "deployments", deployment_status,
    sizeof(deployment_status) / sizeof(deployment_status[0]),
    "deployable.started_at", "created_at", "deployable.finished_at", "updated_at",
    "deployable.web_url", "environment.name",
};

/* An optional instant from field, or from `otherwise` when field is absent:
 * as cw_item_time. */
static int time_or(gl_parse *gp, const cw_origin *o, json_t *item, const char *field,
                   const char *otherwise, int64_t *out, int *rc)
{
    return cw_item_time(gp->sink, o, item, field, out, rc) ||
           (*out == CW_NO_TIME && cw_item_time(gp->sink, o, item, otherwise, out, rc));
}

/* A pipeline or deployment as a build: passed over until it is finished,
 * rejected without an id, the required field or a finish, emitted with its
 * sha and URL. */
static int emit_run(gl_parse *gp, json_t *item, const cw_origin *o, cw_build *b,
                    const run_shape *s)
{
    char why[96];
    int64_t id;
    int rc = 0;
    b->result = map_status(s->status, s->n_status, cw_json_str(item, "status"));
    if (!b->result) {
        snprintf(why, sizeof(why), "%s with an unknown status", s->what);
        return cw_item_reject(gp->sink, o, "status", item, why);
    }
    if (!*b->result)
        return 0;           /* not finished: it loads once finished */
    if (cw_json_int(item, "id", &id) != 0) {
        snprintf(why, sizeof(why), "%s without an id", s->what);
        return cw_item_reject(gp->sink, o, "id", item, why);
    }
    if (s->required && cw_str_empty(cw_json_str(item, s->required))) {
        snprintf(why, sizeof(why), "%s without %s", s->what, s->required);
        return cw_item_reject(gp->sink, o, s->required, item, why);
    }
    if (time_or(gp, o, item, s->started, s->started_else, &b->started_at, &rc) ||
        time_or(gp, o, item, s->finished, s->finished_else, &b->finished_at, &rc))
        return rc;
    if (b->finished_at == CW_NO_TIME) {
        snprintf(why, sizeof(why), "finished %s without %s or %s", s->what, s->finished,
                 s->finished_else);
        return cw_item_reject(gp->sink, o, s->finished, item, why);
    }
    b->origin = *o;
    b->number = (long)id;
    b->revision = cw_json_str(item, "sha");
    b->url = cw_json_str(item, s->url);
    return cw_item_emit_build(gp->sink, b, gp->repository, s->job, gp->production);
}

static int one_pipeline(gl_parse *gp, json_t *p, const cw_origin *o)
{
    cw_build b = {0};
    return emit_run(gp, p, o, &b, &pipeline_shape);
}

static int one_deployment(gl_parse *gp, json_t *d, const cw_origin *o)
{
    cw_build b = {0};
    b.is_deployment = 1;
    b.environment = cw_json_str(d, deployment_shape.required);
    return emit_run(gp, d, o, &b, &deployment_shape);
}

/* ---------------------------------------------------------------- items */

/* Dispatch one API item by its shape (a cw_item_fn). */
static int one_item(void *ctx, json_t *item, const cw_origin *o)
{
    gl_parse *gp = ctx;
    if (!json_is_object(item))
        return cw_item_reject(gp->sink, o, NULL, item, "a GitLab item must be a JSON object");
    if (cw_item_has(item, "iid") && cw_item_has(item, "source_branch"))
        return one_merge_request(gp, item, o);
    if (json_is_object(json_object_get(item, "environment")) && cw_item_has(item, "status"))
        return one_deployment(gp, item, o);
    if (json_is_array(json_object_get(item, "parent_ids")) && cw_item_has(item, "authored_date"))
        return one_commit(gp, item, o);
    if (cw_item_has(item, "noteable_type")) {
        const char *type = cw_json_str(item, "noteable_type");
        return type && strcmp(type, "MergeRequest") == 0 ? one_note(gp, item, o) : 0;
    }
    if (cw_item_has(item, "ref") && cw_item_has(item, "status") && cw_item_has(item, "sha") &&
        !cw_item_has(item, "stage"))
        return one_pipeline(gp, item, o);
    /* A CI job (GET /projects/:id/jobs) is one stage's part of a pipeline,
     * and the pipeline is catwalk's build: loading jobs too would count each
     * pipeline once per job.  They are recognised and passed over, not
     * refused. */
    if (cw_item_has(item, "stage") && json_is_object(json_object_get(item, "pipeline")))
        return 0;
    return cw_item_reject(gp->sink, o, NULL, item,
                     "not a GitLab merge request, commit, note, pipeline, job or deployment");
}

/* A list page is a plain array; anything else is one item. */
static const cw_item_shape gitlab_shape = {.lone = CW_LONE_ANY};
static const cw_pull_hint gitlab_pull_hint = {"/merge_requests/", "Iid"};

static int gitlab_parse_file(const cw_source *src, const char *path, cw_sink *sink)
{
    gl_parse gp = {0};
    int rc;
    gp.sink = sink;
    gp.repository = repository_of(src);
    if (compile_production(src, &gp.production) != 0 || cw_str_empty(gp.repository)) {
        cw_origin whole = {src->name, path, 0};
        cw_sink_reject(sink, &whole, NULL, NULL,
                       "invalid source configuration (repository/project, production)");
        rc = -1;
    } else {
        rc = cw_items_parse_pulls(&gitlab_shape, &gitlab_pull_hint, src->name, path, sink,
                                  one_item, &gp, &gp.pull);
    }
    cw_regex_free(gp.production);
    return rc;
}

/* ---------------------------------------------------------------- live fetch */

typedef struct gl_fetch {
    cw_fetch *f;
    char *project;              /* percent-encoded id or group/name */
    int per_page;               /* the source's page_size, at most GitLab's 100 */
} gl_fetch;

static cw_endpoint gl_endpoint(const char *name, const char *url, cw_paging paging, int per_page)
{
    cw_endpoint ep = {0};
    ep.name = name;
    ep.url = url;
    ep.paging = paging;
    ep.items = "";
    ep.offset_param = "page";
    ep.page_size = per_page;     /* a shorter page is the last */
    return ep;
}

static int fetch_path(gl_fetch *g, const char *name, const char *query, cw_paging paging,
                      cw_page_fn fn)
{
    char *url = cw_fetch_url(g->f, "/api/v4/projects/%s/%s", g->project, query);
    cw_endpoint ep = gl_endpoint(name, url, paging, g->per_page);
    int rc = cw_fetch_pages(g->f, &ep, fn, g);
    free(url);
    return rc;
}

/* After each pipelines page: land every pipeline's detail (its timings). */
static int pipeline_details(void *ctx, json_t *page, const cw_http_response *resp)
{
    gl_fetch *g = ctx;
    json_t *p;
    size_t i;
    (void)resp;
    json_array_foreach(page, i, p) {
        int64_t id;
        char name[64], query[64];
        if (cw_json_int(p, "id", &id) != 0)
            continue;       /* the parser rejects it from the landed page */
        snprintf(name, sizeof(name), "pipeline-%lld", (long long)id);
        snprintf(query, sizeof(query), "pipelines/%lld", (long long)id);
        if (fetch_path(g, name, query, CW_PAGING_NONE, NULL) != 0)
            return -1;
    }
    return 0;
}

/* After each merge requests page: land every listed MR's commits and
 * notes (pull request stages: its first commit and its reviews). */
static int merge_request_parts(void *ctx, json_t *page, const cw_http_response *resp)
{
    static const char *const parts[] = {"commits", "notes"};
    gl_fetch *g = ctx;
    json_t *mr;
    size_t i;
    (void)resp;
    json_array_foreach(page, i, mr) {
        int64_t iid;
        if (cw_json_int(mr, "iid", &iid) != 0 || iid <= 0)
            continue;       /* the parser rejects it from the landed page */
        for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
            char name[64], query[96];
            snprintf(name, sizeof(name), "pull-%lld-%s", (long long)iid, parts[k]);
            snprintf(query, sizeof(query), "merge_requests/%lld/%s?sort=asc&per_page=%d",
                     (long long)iid, parts[k], g->per_page);
            if (fetch_path(g, name, query, CW_PAGING_NEXT_PAGE, NULL) != 0)
                return -1;
        }
    }
    return 0;
}

/* "&updated_after=ISO" when incremental, else ""; caller frees. */
static char *updated_after(const cw_fetch *f)
{
    char since[32], *escaped, *param;
    cw_fetch_since_iso(f, since, sizeof(since));
    if (!*since)
        return cw_strdup("");
    escaped = cw_http_escape(since);
    param = cw_asprintf("&updated_after=%s", escaped);
    free(escaped);
    return param;
}

static int gitlab_fetch(cw_fetch *f)
{
    const char *project = cw_source_get(f->src, "project");
    char *after, *q;
    gl_fetch g = {f, NULL, f->page_size > 0 && f->page_size < 100 ? f->page_size : 100};
    int rc;
    if (cw_str_empty(project)) {
        snprintf(f->error, sizeof(f->error), "%s: project is required", f->src->name);
        return -1;
    }
    g.project = cw_http_escape(project);        /* group/name -> group%2Fname */
    after = updated_after(f);
    q = cw_asprintf("merge_requests?state=all&order_by=updated_at&sort=asc&per_page=%d%s",
                    g.per_page, after);
    rc = fetch_path(&g, "merge_requests", q, CW_PAGING_NEXT_PAGE, merge_request_parts);
    free(q);
    q = cw_asprintf("pipelines?order_by=updated_at&sort=asc&per_page=%d%s", g.per_page, after);
    if (rc == 0)
        rc = fetch_path(&g, "pipelines", q, CW_PAGING_NEXT_PAGE, pipeline_details);
    free(q);
    q = cw_asprintf("deployments?order_by=updated_at&sort=asc&per_page=%d%s", g.per_page, after);
    if (rc == 0)
        rc = fetch_path(&g, "deployments", q, CW_PAGING_NEXT_PAGE, NULL);
    free(q);
    free(after);
    free(g.project);
    return rc;
}

const cw_source_type cw_source_gitlab = {
    "gitlab",
    gitlab_keys,
    gitlab_validate,
    NULL,
    gitlab_parse_file,
    gitlab_fetch,
    CW_AUTH_HEADER,             /* PRIVATE-TOKEN: SECRET; `auth = bearer` for OAuth tokens */
};
