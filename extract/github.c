/*
 * github.c - the GitHub connector (source type "github"): pull requests,
 * commits, Actions workflow runs, deployments and deployment statuses from
 * the REST API (formats.md section 3).
 *
 * Accepted input, in any mix:
 *   - a list page: a JSON array of pulls, commits, deployments, statuses or
 *     Actions jobs;
 *   - an Actions page {total_count, workflow_runs:[...]};
 *   - one object (GET /pulls/{n}, /commits/{sha}, /actions/runs/{id}, ...);
 *   - the DevLake raw-table CSV wrapper, one API item per row.
 * Each item is recognised by its shape, not by the file name, because a
 * dropped file may be called anything.
 *
 * Records:
 *   pull request  -> cw_pull_request: merged iff merged_at is not null (the
 *                    list shape has no `merged`); state is open|closed|merged.
 *   commit        -> cw_commit of the source's `repository`; the subject is
 *                    the message's first paragraph (lines joined with spaces,
 *                    as git's %s), the body what follows the blank line.
 *                    On a page of one PR's commits (/pulls/{n}/commits) it is
 *                    also a cw_pull_request_commit of that PR.  Such a page
 *                    looks like any list of commits, so the page names the PR
 *                    (extract/items.h, cw_pull_hint): a DevLake row's url or
 *                    input, a file called pull-<n>-commits.json.
 *   review        -> cw_pull_request_review (/pulls/{n}/reviews: id,
 *                    user.login, state upper case, submitted_at; the PR from
 *                    pull_request_url).  PENDING reviews (no submitted_at)
 *                    are passed over until submitted.
 *   workflow run  -> cw_build, job "<repository>/<workflow name>" (the
 *                    workflow's `path` when it has no name), number = the
 *                    run's `id`, not run_number: run_number counts per
 *                    workflow file, and two files may share a name (a
 *                    "Deploy" for staging and one for production both have
 *                    a run 12), which would collapse two runs into one build.
 *                    A re-run (run_attempt > 1) keeps the id and replaces
 *                    the earlier attempt.  Runs not yet
 *                    `completed` are skipped until they are.  started =
 *                    run_started_at (else created_at), finished = updated_at.
 *                    conclusion: success/neutral -> success; failure,
 *                    timed_out, startup_failure -> failure; cancelled ->
 *                    aborted; skipped, stale, action_required -> not_built.
 *                    A run is a deployment when its workflow name matches
 *                    `deployment_workflow` (pcre2); the environment is that
 *                    regex's (?<environment>...) group, else the `environment`
 *                    key.
 *   deployment    -> cw_build with is_deployment, job "<repository>/deployments",
 *                    number = the deployment id, environment = `environment`,
 *                    revision = sha, started = created_at and NO finish: a
 *                    deployment's DORA time is its first `success` status.
 *   status        -> cw_deployment_status naming the same job and number
 *                    (the id ends its deployment_url); the warehouse sets the
 *                    deployment's finish and result from them (resolve.sql),
 *                    so the two kinds of pages may come in any order.
 *   GraphQL deployment (DevLake's PascalCase record of the `deployments`
 *                    connection) -> the same deployment build, with its
 *                    finish and result worked out from its status nodes by
 *                    the REST rule (see one_graphql_deployment).
 *   Actions job   -> passed over: the run is the build (see one_item).
 * `production` (regex, default ^prod, caseless) marks production
 * environments, as for Jenkins.
 *
 * Live extraction (base_url, default https://api.github.com) fetches
 * /repos/{repository}/pulls (+ each PR's commits and reviews, landed as
 * "pull-<n>-commits" and "pull-<n>-reviews"), /commits, /deployments (+
 * each deployment's statuses, landed as "statuses-<id>") and
 * /actions/runs, following Link,
 * per_page = the source's page_size (at most 100).  Incremental: commits by
 * `since`, runs by `created=>=` (a run created before the watermark and
 * finished after it is caught by the overlap only), statuses only of the
 * deployments updated since, commits and reviews only of the pull requests
 * updated since; pulls and deployments have no such filter and
 * are listed whole (cheap: 100 per request, upserts make it harmless).
 */
#include "source.h"
#include "fetch.h"
#include "items.h"
#include "../core/config.h"
#include "../core/json.h"
#include "../core/regex.h"
#include "../core/time.h"
#include "../core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_PRODUCTION "^prod"
#define DEFAULT_BASE_URL "https://api.github.com"
#define DEPLOYMENTS_JOB "deployments"

static const char *const github_keys[] = {
    "repository", "deployment_workflow", "environment", "production",
    NULL,   /* plus cw_live_keys, which registry.c accepts for every type that can fetch */
};

typedef struct gh_parse {
    cw_sink *sink;
    const char *repository;
    cw_regex *deployment_workflow;      /* NULL when not configured */
    cw_regex *production;
    const char *env_fixed;
    long pull;                          /* the PR the page belongs to, -1: none (items.h) */
} gh_parse;

/* ---------------------------------------------------------------- config */

static int compile_all(const cw_source *src, gh_parse *gp)
{
    const char *prod = cw_source_get(src, "production");
    int rc = cw_source_regex(src, "deployment_workflow",
                             cw_source_get(src, "deployment_workflow"), 0,
                                  &gp->deployment_workflow);
    if (cw_source_regex(src, "production", cw_str_empty(prod) ? DEFAULT_PRODUCTION : prod, 1,
                        &gp->production) != 0)
        rc = -1;
    return rc;
}

static void free_regexes(gh_parse *gp)
{
    cw_regex_free(gp->deployment_workflow);
    cw_regex_free(gp->production);
}

static int github_validate(const cw_source *src)
{
    gh_parse gp = {0};
    const char *repo = cw_source_get(src, "repository");
    int rc = compile_all(src, &gp);
    free_regexes(&gp);
    if (cw_str_empty(repo) || !strchr(repo, '/')) {
        fprintf(stderr, "%s:%d: repository: required, as owner/repo\n", src->config_path,
                cw_source_line(src, "repository"));
        rc = -1;
    }
    return rc;
}

/* ---------------------------------------------------------------- helpers */

/* Lower-case copy; caller frees. */
static char *lower_dup(const char *s)
{
    char *c = cw_strdup(s);
    for (char *p = c; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return c;
}

/* git's %s and %b: the first paragraph with its lines joined by spaces, and
 * what follows the blank line.  Both caller-freed; body NULL when none. */
static void split_message(const char *msg, char **subject, char **body)
{
    const char *end = msg ? strstr(msg, "\n\n") : NULL;
    const char *crlf = msg ? strstr(msg, "\r\n\r\n") : NULL;
    size_t n;
    *subject = *body = NULL;
    if (!msg)
        return;
    if (crlf && (!end || crlf < end))
        end = crlf;
    n = end ? (size_t)(end - msg) : strlen(msg);
    *subject = cw_strndup(msg, n);
    for (char *p = *subject; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    cw_trim(*subject);
    if (end) {
        end += end == crlf ? 4 : 2;
        while (*end == '\n' || *end == '\r')
            end++;
        if (*end)
            *body = cw_strdup(end);
    }
}

/* The digits after the last '/' of a URL ("/deployments/123" -> 123), or -1. */
static long trailing_id(const char *url)
{
    const char *slash = url ? strrchr(url, '/') : NULL;
    char *end;
    long id;
    if (!slash || !isdigit((unsigned char)slash[1]))
        return -1;
    id = strtol(slash + 1, &end, 10);
    return *end ? -1 : id;
}

/* ---------------------------------------------------------------- pull requests */

static const cw_pull_paths pull_paths = {
    .what = "pull request", .number = "number", .title = "title", .body = "body",
    .source_branch = "head.ref", .target_branch = "base.ref", .state = "state",
    .author = "user.login", .merge_commit_sha = "merge_commit_sha",
};

static int one_pull(gh_parse *gp, json_t *pr, const cw_origin *o)
{
    return cw_item_emit_pull(gp->sink, o, pr, &pull_paths, gp->repository);
}

/* ---------------------------------------------------------------- commits */

/* "sha1 sha2" from parents[].sha; caller frees ("" for a root commit). */
static char *parent_list(json_t *parents)
{
    char *joined = cw_json_join(parents, "sha", " ");
    return joined ? joined : cw_strdup("");
}

static const cw_commit_paths commit_paths = {
    "sha", "commit.author.date", "commit.committer.date", "commit.author.name",
    "commit.author.email", "commit.committer.name", "commit.committer.email",
};

static int one_commit(gh_parse *gp, json_t *c, const cw_origin *o)
{
    cw_commit r = {0};
    json_t *files = json_object_get(c, "files");
    int64_t n;
    char *subject, *body, *parents;
    int rc = 0;
    if (cw_item_commit(gp->sink, o, c, &commit_paths, &r, &rc) != 0)
        return rc;
    r.repository = gp->repository;
    /* stats and files come only with GET /commits/{sha} */
    r.additions = cw_json_int(c, "stats.additions", &n) == 0 ? (long)n : -1;
    r.deletions = cw_json_int(c, "stats.deletions", &n) == 0 ? (long)n : -1;
    r.files_changed = json_is_array(files) ? (long)json_array_size(files) : -1;
    split_message(cw_json_str(c, "commit.message"), &subject, &body);
    parents = parent_list(json_object_get(c, "parents"));
    r.subject = subject;
    r.body = body;
    r.parents = parents;
    rc = gp->sink->commit(gp->sink->ctx, &r) ? -1 : 0;
    if (rc == 0 && gp->pull > 0 && gp->sink->pull_request_commit) {
        cw_pull_request_commit pc = {*o, gp->repository, gp->pull, r.sha, r.authored_at};
        rc = gp->sink->pull_request_commit(gp->sink->ctx, &pc) ? -1 : 0;
    }
    free(subject);
    free(body);
    free(parents);
    return rc;
}

/* ---------------------------------------------------------------- reviews */

/* A review names its pull request in pull_request_url (".../pulls/41"),
 * else the page does.  A PENDING review (not submitted yet) has no
 * submitted_at and is passed over until it is submitted. */
static int one_review(gh_parse *gp, json_t *rv, const cw_origin *o)
{
    cw_pull_request_review r = {0};
    long number = trailing_id(cw_json_str(rv, "pull_request_url"));
    char *state;
    int rc = 0;
    if (cw_item_time(gp->sink, o, rv, "submitted_at", &r.submitted_at, &rc))
        return rc;
    if (r.submitted_at == CW_NO_TIME || !gp->sink->pull_request_review)
        return 0;
    if (cw_json_int(rv, "id", &r.review_id) != 0)
        return cw_item_reject(gp->sink, o, "id", rv, "pull request review without an id");
    r.number = number > 0 ? number : gp->pull;
    if (r.number <= 0)
        return cw_item_reject(gp->sink, o, "pull_request_url", rv,
                              "pull request review that names no pull request");
    state = cw_strdup(cw_json_str(rv, "state"));
    for (char *p = state; p && *p; p++)
        *p = (char)toupper((unsigned char)*p);
    r.origin = *o;
    r.repository = gp->repository;
    r.reviewer = cw_json_str(rv, "user.login");
    r.state = state;
    rc = gp->sink->pull_request_review(gp->sink->ctx, &r) ? -1 : 0;
    free(state);
    return rc;
}

/* ---------------------------------------------------------------- runs */

/* A conclusion in cw_build's vocabulary, or NULL when unknown. */
static const char *run_result(const char *conclusion)
{
    static const char *const map[][2] = {
        {"success", "success"}, {"neutral", "success"},
        {"failure", "failure"}, {"timed_out", "failure"}, {"startup_failure", "failure"},
        {"cancelled", "aborted"},
        {"skipped", "not_built"}, {"stale", "not_built"}, {"action_required", "not_built"},
    };
    for (size_t i = 0; conclusion && i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(conclusion, map[i][0]) == 0)
            return map[i][1];
    return NULL;
}

static const char *run_environment(const gh_parse *gp, const char *workflow, char *buf, size_t size)
{
    if (gp->deployment_workflow &&
        cw_regex_named(gp->deployment_workflow, workflow, "environment", buf, size) && *buf)
        return buf;
    return cw_str_empty(gp->env_fixed) ? NULL : gp->env_fixed;
}

static int one_run(gh_parse *gp, json_t *run, const cw_origin *o)
{
    cw_build b = {0};
    const char *status = cw_json_str(run, "status");
    const char *workflow = cw_json_str(run, "name");
    const char *conclusion = cw_json_str(run, "conclusion");
    char env_buf[256];
    int64_t number, updated;
    int rc = 0;
    if (!status || strcmp(status, "completed") != 0)
        return 0;           /* queued or in progress: it loads once completed */
    if (cw_str_empty(workflow))
        workflow = cw_json_str(run, "path");
    if (cw_str_empty(workflow))
        return cw_item_reject(gp->sink, o, "name", run,
                              "workflow run without a workflow name or path");
    if (cw_json_int(run, "id", &number) != 0 || number <= 0)
        return cw_item_reject(gp->sink, o, "id", run,
                              "workflow run without an id (a positive integer)");
    b.result = run_result(conclusion);
    if (!b.result)
        return cw_item_reject(gp->sink, o, "conclusion", run,
                              "completed run with an unknown conclusion");
    if (cw_item_time(gp->sink, o, run, "run_started_at", &b.started_at, &rc) ||
        cw_item_time(gp->sink, o, run, "updated_at", &updated, &rc))
        return rc;
    if (b.started_at == CW_NO_TIME &&
        cw_item_time(gp->sink, o, run, "created_at", &b.started_at, &rc))
        return rc;
    if (updated == CW_NO_TIME)
        return cw_item_reject(gp->sink, o, "updated_at", run, "completed run without updated_at");
    b.origin = *o;
    b.number = (long)number;
    b.finished_at = updated;
    b.revision = cw_json_str(run, "head_sha");
    b.url = cw_json_str(run, "html_url");
    b.is_deployment = gp->deployment_workflow && cw_regex_match(gp->deployment_workflow, workflow) == 1;
    b.environment = b.is_deployment ? run_environment(gp, workflow, env_buf, sizeof(env_buf)) : NULL;
    return cw_item_emit_build(gp->sink, &b, gp->repository, workflow, gp->production);
}

/* ---------------------------------------------------------------- deployments */

/* Emit deployment b in the environment the API names, else the source's
 * fixed environment (none when that is empty too). */
static int emit_deployment(gh_parse *gp, cw_build *b, const char *environment)
{
    b->is_deployment = 1;
    b->environment = !cw_str_empty(environment) ? environment
                     : cw_str_empty(gp->env_fixed) ? NULL : gp->env_fixed;
    return cw_item_emit_build(gp->sink, b, gp->repository, DEPLOYMENTS_JOB, gp->production);
}

static int one_deployment(gh_parse *gp, json_t *d, const cw_origin *o)
{
    cw_build b = {0};
    int64_t id;
    int rc = 0;
    if (cw_json_int(d, "id", &id) != 0)
        return cw_item_reject(gp->sink, o, "id", d, "deployment without an id");
    if (cw_item_time(gp->sink, o, d, "created_at", &b.started_at, &rc))
        return rc;
    b.origin = *o;
    b.number = (long)id;
    b.finished_at = CW_NO_TIME;     /* from its first success status, in the warehouse */
    b.revision = cw_json_str(d, "sha");
    b.url = cw_json_str(d, "url");
    return emit_deployment(gp, &b, cw_json_str(d, "environment"));
}

static int one_status(gh_parse *gp, json_t *s, const cw_origin *o)
{
    cw_deployment_status r = {0};
    int64_t id;
    char *job, *state;
    int rc = 0;
    r.origin = *o;
    r.number = trailing_id(cw_json_str(s, "deployment_url"));
    if (r.number < 0)
        return cw_item_reject(gp->sink, o, "deployment_url", s,
                              "status whose deployment_url names no deployment id");
    if (cw_json_int(s, "id", &id) != 0)
        return cw_item_reject(gp->sink, o, "id", s, "deployment status without an id");
    if (cw_str_empty(cw_json_str(s, "state")))
        return cw_item_reject(gp->sink, o, "state", s, "deployment status without a state");
    if (cw_item_time(gp->sink, o, s, "created_at", &r.created_at, &rc))
        return rc;
    if (r.created_at == CW_NO_TIME)
        return cw_item_reject(gp->sink, o, "created_at", s, "deployment status without created_at");
    if (!gp->sink->deployment_status)
        return 0;
    job = cw_asprintf("%s/%s", gp->repository, DEPLOYMENTS_JOB);
    state = lower_dup(cw_json_str(s, "state"));
    r.job = job;
    r.status_id = (long)id;
    r.state = state;
    rc = gp->sink->deployment_status(gp->sink->ctx, &r) ? -1 : 0;
    free(job);
    free(state);
    return rc;
}

/* ---------------------------------------------------------------- GraphQL deployments */

/* DevLake's github_graphql plugin records each `deployments` node as its Go
 * struct, so the keys are PascalCase (DatabaseId, CommitOid, Environment,
 * CreatedAt, Statuses{nodes[{state, updatedAt}]}, LatestStatus{State,
 * updatedAt}) with GraphQL's upper-case states.  DatabaseId is the REST
 * deployment id, so such a deployment and its REST twin are one build.  The
 * finish follows the REST rule (resolve.sql): the first SUCCESS status, else
 * the first FAILURE or ERROR as a failure, else unfinished.  The GraphQL
 * status nodes carry no id, so the finish is worked out here instead of
 * emitting cw_deployment_status records.  Older DevLake queries recorded
 * no `Statuses`, only `LatestStatus`: a SUCCESS (or FAILURE/ERROR) latest
 * status is taken as the first one, since GitHub's flow is queued ->
 * in_progress -> success and only `inactive` follows a success.  An INACTIVE
 * latest status proves an earlier success but not its time, so such a
 * deployment stays unfinished (out of the DORA counts) until REST statuses
 * for its id are loaded. */

/* Fold one GraphQL status into the earliest success / failure so far;
 * -1 when its time does not parse. */
static int fold_status(const char *state, const char *when, int64_t *success, int64_t *failure)
{
    int64_t t, *slot;
    if (!state)
        return 0;
    if (strcasecmp(state, "success") == 0)
        slot = success;
    else if (strcasecmp(state, "failure") == 0 || strcasecmp(state, "error") == 0)
        slot = failure;
    else
        return 0;           /* queued, pending, in_progress, inactive, ...: no finish */
    if (!when || cw_time_parse_iso8601(when, NULL, &t) != 0)
        return -1;
    if (*slot == CW_NO_TIME || t < *slot)
        *slot = t;
    return 0;
}

static int one_graphql_deployment(gh_parse *gp, json_t *d, const cw_origin *o)
{
    cw_build b = {0};
    json_t *nodes = cw_json_path(d, "Statuses.nodes"), *node;
    int64_t id, success = CW_NO_TIME, failure = CW_NO_TIME;
    size_t i;
    int rc = 0, bad = 0;
    if (cw_json_int(d, "DatabaseId", &id) != 0)
        return cw_item_reject(gp->sink, o, "DatabaseId", d, "GraphQL deployment without a DatabaseId");
    if (cw_item_time(gp->sink, o, d, "CreatedAt", &b.started_at, &rc))
        return rc;
    if (json_is_array(nodes)) {
        json_array_foreach(nodes, i, node)
            bad |= fold_status(cw_json_str(node, "state"), cw_json_str(node, "updatedAt"),
                               &success, &failure);
    } else {
        bad = fold_status(cw_json_str(d, "LatestStatus.State"),
                          cw_json_str(d, "LatestStatus.updatedAt"), &success, &failure);
    }
    if (bad)
        return cw_item_reject(gp->sink, o, "Statuses.nodes.updatedAt", d,
                              "deployment status with an unparseable updatedAt");
    b.origin = *o;
    b.number = (long)id;
    b.finished_at = success != CW_NO_TIME ? success : failure;
    b.result = success != CW_NO_TIME ? "success" : failure != CW_NO_TIME ? "failure" : NULL;
    b.revision = cw_json_str(d, "CommitOid");
    return emit_deployment(gp, &b, cw_json_str(d, "Environment"));
}

/* ---------------------------------------------------------------- items */

/* Dispatch one API item by its shape (a cw_item_fn). */
static int one_item(void *ctx, json_t *item, const cw_origin *o)
{
    gh_parse *gp = ctx;
    if (!json_is_object(item))
        return cw_item_reject(gp->sink, o, NULL, item, "a GitHub item must be a JSON object");
    if (cw_item_has(item, "deployment_url") && cw_item_has(item, "state"))
        return one_status(gp, item, o);
    if (cw_item_has(item, "statuses_url") && cw_item_has(item, "environment") &&
        cw_item_has(item, "sha"))
        return one_deployment(gp, item, o);
    if (cw_item_has(item, "run_number") && cw_item_has(item, "workflow_id"))
        return one_run(gp, item, o);
    /* An Actions job (GET /actions/runs/{id}/jobs) is one part of a workflow
     * run, and the run is catwalk's build: loading jobs too would count each
     * run once per job.  They are recognised and passed over, not refused. */
    if (cw_item_has(item, "run_id") && json_is_array(json_object_get(item, "steps")))
        return 0;
    if (json_object_get(item, "DatabaseId") && json_object_get(item, "CommitOid"))
        return one_graphql_deployment(gp, item, o);
    if (cw_item_has(item, "number") && json_is_object(json_object_get(item, "head")))
        return one_pull(gp, item, o);
    /* a review: pull_request_url names its PR, or the page does (a review
     * comment, /pulls/comments, has pull_request_url too, but no state) */
    if (cw_item_has(item, "state") &&
        (cw_item_has(item, "pull_request_url") || json_object_get(item, "submitted_at")))
        return one_review(gp, item, o);
    if (cw_item_has(item, "sha") && json_is_object(json_object_get(item, "commit")))
        return one_commit(gp, item, o);
    return cw_item_reject(gp->sink, o, NULL, item, "not a GitHub pull request, commit, review, "
                          "workflow run, job, deployment or deployment status");
}

/* A list page is a plain array, except the Actions page {total_count,
 * workflow_runs:[...]}; anything else is one item. */
static const char *const github_pages[] = {"workflow_runs", NULL};
static const cw_item_shape github_shape = {.pages = github_pages, .lone = CW_LONE_ANY};
static const cw_pull_hint github_pull_hint = {"/pulls/", "Number"};

static int github_parse_file(const cw_source *src, const char *path, cw_sink *sink)
{
    gh_parse gp = {0};
    int rc;
    gp.sink = sink;
    gp.repository = cw_source_get(src, "repository");
    gp.env_fixed = cw_source_get(src, "environment");
    if (compile_all(src, &gp) != 0 || cw_str_empty(gp.repository)) {
        cw_origin whole = {src->name, path, 0};
        cw_sink_reject(sink, &whole, NULL, NULL,
                       "invalid source configuration (repository, deployment_workflow, production)");
        rc = -1;
    } else {
        rc = cw_items_parse_pulls(&github_shape, &github_pull_hint, src->name, path, sink,
                                  one_item, &gp, &gp.pull);
    }
    free_regexes(&gp);
    return rc;
}

/* ---------------------------------------------------------------- live fetch */

static const char *const github_headers[] = { "X-GitHub-Api-Version: 2022-11-28", NULL };

typedef struct gh_fetch {
    cw_fetch *f;
    char *repo_path;            /* owner/repo, percent-encoded per segment */
    int per_page;               /* the source's page_size, at most GitHub's 100 */
} gh_fetch;

/* An endpoint of this repository, following Link headers. */
static cw_endpoint gh_endpoint(const char *name, const char *url, const char *items)
{
    cw_endpoint ep = {0};
    ep.name = name;
    ep.url = url;
    ep.paging = CW_PAGING_LINK;
    ep.items = items;
    ep.accept = "application/vnd.github+json";
    ep.headers = github_headers;
    return ep;
}

static int fetch_list(gh_fetch *g, const char *name, const char *query, const char *items,
                      cw_page_fn fn)
{
    char *url = cw_fetch_url(g->f, "/repos/%s/%s", g->repo_path, query);
    cw_endpoint ep = gh_endpoint(name, url, items);
    int rc = cw_fetch_pages(g->f, &ep, fn, g);
    free(url);
    return rc;
}

/* 1 when an incremental fetch can skip what hangs off this item (a
 * deployment's statuses, a pull request's commits and reviews): a new one
 * moves the item's updated_at, so an item not updated since the watermark
 * has nothing we lack. */
static int not_updated_since(const cw_fetch *f, json_t *d)
{
    const char *updated = cw_json_str(d, "updated_at");
    int64_t t;
    return f->since != CW_NO_TIME && updated &&
           cw_time_parse_iso8601(updated, NULL, &t) == 0 && t < f->since;
}

/* After each deployments page: land the statuses of every listed deployment
 * (on an incremental fetch, of those updated since the watermark). */
static int deployment_statuses(void *ctx, json_t *page, const cw_http_response *resp)
{
    gh_fetch *g = ctx;
    json_t *d;
    size_t i;
    (void)resp;
    json_array_foreach(page, i, d) {
        int64_t id;
        char name[64], query[96];
        if (cw_json_int(d, "id", &id) != 0 || not_updated_since(g->f, d))
            continue;       /* an id-less item is rejected by the parser from the landed page */
        snprintf(name, sizeof(name), "statuses-%lld", (long long)id);
        snprintf(query, sizeof(query), "deployments/%lld/statuses?per_page=%d", (long long)id,
                 g->per_page);
        if (fetch_list(g, name, query, "", NULL) != 0)
            return -1;
    }
    return 0;
}

/* After each pulls page: land the commits and reviews of every listed
 * pull request (on an incremental fetch, of those updated since the
 * watermark), as "pull-<n>-commits" and "pull-<n>-reviews": the names the
 * parser reads the PR from.  GitHub lists at most 250 commits of a PR. */
static int pull_parts(void *ctx, json_t *page, const cw_http_response *resp)
{
    static const char *const parts[] = {"commits", "reviews"};
    gh_fetch *g = ctx;
    json_t *p;
    size_t i;
    (void)resp;
    json_array_foreach(page, i, p) {
        int64_t n;
        if (cw_json_int(p, "number", &n) != 0 || n <= 0 || not_updated_since(g->f, p))
            continue;       /* a number-less item is rejected by the parser from the landed page */
        for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
            char name[64], query[96];
            snprintf(name, sizeof(name), "pull-%lld-%s", (long long)n, parts[k]);
            snprintf(query, sizeof(query), "pulls/%lld/%s?per_page=%d", (long long)n, parts[k],
                     g->per_page);
            if (fetch_list(g, name, query, "", NULL) != 0)
                return -1;
        }
    }
    return 0;
}

/* "owner/repo" with each segment percent-encoded; caller frees. */
static char *encode_repo(const char *repo)
{
    const char *slash = strchr(repo, '/');
    char *owner = cw_strndup(repo, (size_t)(slash - repo));
    char *o = cw_http_escape(owner), *r = cw_http_escape(slash + 1);
    char *path = cw_asprintf("%s/%s", o, r);
    free(owner);
    free(o);
    free(r);
    return path;
}

static int github_fetch(cw_fetch *f)
{
    const char *repo = cw_source_get(f->src, "repository");
    char since[32], *q;
    gh_fetch g = {f, NULL, f->page_size > 0 && f->page_size < 100 ? f->page_size : 100};
    int rc;
    if (cw_str_empty(repo) || !strchr(repo, '/')) {
        snprintf(f->error, sizeof(f->error), "%s: repository must be owner/repo", f->src->name);
        return -1;
    }
    if (cw_str_empty(f->base_url)) {
        /* fetch_url joins base_url; an empty one means the public API */
        free((char *)f->base_url);
        f->base_url = cw_strdup(DEFAULT_BASE_URL);
    }
    g.repo_path = encode_repo(repo);
    cw_fetch_since_iso(f, since, sizeof(since));
    /* pulls have no `since`: sorted by update time, the whole list is read */
    q = cw_asprintf("pulls?state=all&sort=updated&direction=asc&per_page=%d", g.per_page);
    rc = fetch_list(&g, "pulls", q, "", pull_parts);
    free(q);
    q = *since ? cw_asprintf("commits?since=%s&per_page=%d", since, g.per_page)
               : cw_asprintf("commits?per_page=%d", g.per_page);
    if (rc == 0)
        rc = fetch_list(&g, "commits", q, "", NULL);
    free(q);
    q = cw_asprintf("deployments?per_page=%d", g.per_page);
    if (rc == 0)
        rc = fetch_list(&g, "deployments", q, "", deployment_statuses);
    free(q);
    q = *since ? cw_asprintf("actions/runs?per_page=%d&created=%%3E%%3D%s", g.per_page, since)
               : cw_asprintf("actions/runs?per_page=%d", g.per_page);
    if (rc == 0)
        rc = fetch_list(&g, "runs", q, "workflow_runs", NULL);
    free(q);
    free(g.repo_path);
    return rc;
}

const cw_source_type cw_source_github = {
    "github",
    github_keys,
    github_validate,
    NULL,
    github_parse_file,
    github_fetch,
    CW_AUTH_BEARER,
};
