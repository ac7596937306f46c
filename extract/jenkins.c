/*
 * jenkins.c - the Jenkins connector: builds and deployments from the JSON API.
 *
 * Accepted input (formats.md decision 4 and section 5):
 *   - a job's `api/json` object with a `builds` or `allBuilds` array; its
 *     `fullName` (or `name`) names the job, folders as "a/b";
 *   - a plain JSON array of build objects, or one build object;
 *   - the DevLake raw-table CSV wrapper, one build per `data` cell; the
 *     row's `input` or `params` cell names the job (see devlake_row_job).
 *
 * Each finished build becomes a cw_build.  Times follow metrics.md ("Where
 * instants come from"): started_at = floor(timestamp / 1000) and
 * finished_at = floor((timestamp + duration) / 1000); both must lie in
 * [0, 2^53) ms (a double holds them exactly), which keeps the sum from
 * overflowing, and the instants in 1970-01-01 .. 2200-01-01 (core/time.h).
 * A build number must be a non-negative integer, a BuildData sha a full hex
 * object name (else dropped with a reject, drop_bad_revisions).  Builds still
 * running (`building` true or `result` an explicit null) are skipped, not rejected:
 * the next import sees them finished.  Any other result must be one of the
 * documented values (see build_results); a missing or unknown result is a
 * reject, as is anything that is not a build, except the two non-build
 * shapes DevLake's Jenkins raw tables hold (see is_known_non_build).
 *
 * `actions[]` is positional and padded with `{}`, so entries are found by
 * `_class`: ParametersAction gives the build parameters, and every git
 * BuildData a (remote, sha) checkout, in order, repeats dropped (a pipeline
 * that loads a shared library records the library's BuildData first, so no
 * one BuildData is "the" revision).  The first is the build's revision, as
 * before; correlation picks the application's own (correlate.c).
 * `changeSet` / `changeSets` are not needed for any metric and are left
 * alone.
 *
 * Deployment classification, per source:
 *   deployment_job         pcre2 regex on the job name; a match is a deployment.
 *                          A named group (?<environment>...) may name the environment.
 *   environment_parameter  build parameter holding the environment
 *   environment            fixed environment name
 *   production             regex on the environment (default ^prod, caseless:
 *                          "PROD", "Production" and "prod-eu" are all production)
 *   job                    job name for files that do not carry one
 * Without deployment_job, a build is a deployment when an environment is
 * known for it (from the parameter or the fixed key): a source that holds
 * only deploy jobs then needs no regex.
 *
 * Live extraction (base_url, user + API token as Basic auth): the `jobs` key
 * lists job paths ("folder/deploy-x"); without it the jobs are discovered
 * from `/api/json?tree=jobs[...]`, two levels per request, through folders,
 * organisation folders and multibranch projects (whose children are the
 * branch jobs).  Each job's builds come from `allBuilds[...]{M,N}` ranges of
 * page_size builds, newest first, until a short page; an incremental run
 * stops at the first page whose oldest build finished before the watermark.
 * Discovery pages land too (formats: a job list with no builds), and the
 * parser reads them as nothing to load.
 */
#include "source.h"
#include "devlake.h"
#include "fetch.h"
#include "items.h"
#include "../core/config.h"
#include "../core/json.h"
#include "../core/regex.h"
#include "../core/time.h"
#include "../core/util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_PRODUCTION "^prod"
#define BUILD_DATA_CLASS "hudson.plugins.git.util.BuildData"
#define PARAMETERS_CLASS "hudson.model.ParametersAction"

/* File keys, then `jobs`, then cw_live_keys (credentials.h) spelled out:
 * C cannot join constant arrays, and test_live_ops checks they stay in step. */
static const char *const jenkins_keys[] = {
    "deployment_job", "environment_parameter", "environment", "production", "job",
    "jobs",
    NULL,   /* plus cw_live_keys, which registry.c accepts for every type that can fetch */
};

/* The source's settings, regexes compiled once per file. */
typedef struct jenkins_parse {
    const cw_source *src;
    const char *path;
    cw_sink *sink;
    cw_regex *deployment_job;       /* NULL when not configured */
    cw_regex *production;
    const char *env_parameter;
    const char *env_fixed;
    const char *job_fallback;
    const char *file_job;           /* the job object's fullName/name, or NULL */
} jenkins_parse;

/* ---------------------------------------------------------------- regexes */

static const char *production_pattern(const cw_source *src)
{
    const char *p = cw_source_get(src, "production");
    return cw_str_empty(p) ? DEFAULT_PRODUCTION : p;
}

static int compile_all(const cw_source *src, cw_regex **deployment_job, cw_regex **production)
{
    int rc = cw_source_regex(src, "deployment_job", cw_source_get(src, "deployment_job"), 0,
                             deployment_job);
    if (cw_source_regex(src, "production", production_pattern(src), 1, production) != 0)
        rc = -1;
    return rc;
}

static int jenkins_validate(const cw_source *src)
{
    cw_regex *deployment_job, *production;
    int rc = compile_all(src, &deployment_job, &production);
    cw_regex_free(deployment_job);
    cw_regex_free(production);
    return rc;
}

/* ---------------------------------------------------------------- actions */

/* The first action whose _class is cls, or NULL. */
static json_t *find_action(json_t *build, const char *cls)
{
    json_t *actions = json_object_get(build, "actions"), *a;
    size_t i;
    if (!json_is_array(actions))
        return NULL;
    json_array_foreach(actions, i, a) {
        const char *c = cw_json_str(a, "_class");
        if (c && strcmp(c, cls) == 0)
            return a;
    }
    return NULL;
}

/* Every git BuildData of a build: (first remote URL, lastBuiltRevision.SHA1),
 * in actions order, each pair once.  Caller frees the array (the strings
 * point into build). */
static cw_build_revision *build_revisions(json_t *build, size_t *n)
{
    json_t *actions = json_object_get(build, "actions"), *a;
    cw_build_revision *out = NULL;
    size_t i;
    *n = 0;
    json_array_foreach(actions, i, a) {
        const char *c = cw_json_str(a, "_class"), *sha = cw_json_str(a, "lastBuiltRevision.SHA1");
        const char *remote = json_string_value(json_array_get(json_object_get(a, "remoteUrls"), 0));
        size_t k = 0;
        if (!c || strcmp(c, BUILD_DATA_CLASS) != 0 || cw_str_empty(sha))
            continue;
        while (k < *n && !(strcmp(out[k].sha, sha) == 0 &&
                           (out[k].remote == remote ||
                            (out[k].remote && remote && strcmp(out[k].remote, remote) == 0))))
            k++;
        if (k < *n)
            continue;
        out = cw_xrealloc(out, (*n + 1) * sizeof(*out));
        out[*n].remote = cw_str_empty(remote) ? NULL : remote;
        out[(*n)++].sha = sha;
    }
    return out;
}

/* A checkout whose sha is not a full hex object name could never match a
 * commit (or would match the wrong one): it is dropped with a reject naming
 * `revision` (cw_item_is_object_name), and the build keeps the others.
 * Returns 0, or -1 when a reject failed. */
static int drop_bad_revisions(jenkins_parse *jp, const cw_origin *origin,
                              cw_build_revision *revisions, size_t *n)
{
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        if (cw_item_is_object_name(revisions[i].sha)) {
            revisions[kept++] = revisions[i];
            continue;
        }
        if (cw_sink_reject(jp->sink, origin, "revision", revisions[i].sha,
                           "not a 40/64-digit hex object name: the build loads without it"))
            return -1;
    }
    *n = kept;
    return 0;
}

/* The string value of build parameter `name`, or NULL. */
static const char *parameter(json_t *build, const char *name)
{
    json_t *params = json_object_get(find_action(build, PARAMETERS_CLASS), "parameters"), *p;
    size_t i;
    if (!name || !json_is_array(params))
        return NULL;
    json_array_foreach(params, i, p) {
        const char *n = cw_json_str(p, "name");
        if (n && strcmp(n, name) == 0)
            return cw_json_str(p, "value");
    }
    return NULL;
}

/* ------------------------------------------------------------------ jobs */

/*
 * "a » b » devlake #31" -> "a/b/devlake".  This is the display name: when a
 * folder's display name differs from its name the result differs from the
 * job's full name ("my-org » devlake-jenkins » main" is the job
 * github_org/devlake-jenkins/main), so the job object's fullName, a DevLake
 * row's FullName and the `job` key all win over it.  Caller frees; NULL when
 * absent.
 */
static char *job_from_display_name(const char *display)
{
    static const char sep[] = " \xC2\xBB ";      /* " » " */
    cw_buf b = {0};
    const char *hash, *p = display;
    size_t end;
    if (cw_str_empty(display))
        return NULL;
    hash = strrchr(display, '#');
    end = hash && hash > display && hash[-1] == ' ' ? (size_t)(hash - 1 - display) : strlen(display);
    cw_buf_append(&b, "", 0);
    while ((size_t)(p - display) < end) {
        const char *s = strstr(p, sep);
        size_t n = s && (size_t)(s - display) < end ? (size_t)(s - p) : end - (size_t)(p - display);
        cw_buf_append(&b, p, n);
        p += n;
        if ((size_t)(p - display) < end) {
            cw_buf_append(&b, "/", 1);
            p += sizeof(sep) - 1;
        }
    }
    if (b.len == 0) {
        cw_buf_free(&b);
        return NULL;
    }
    return b.data;
}

/* The job of a build: the one the file or row names (known_job, may be
 * NULL), then the `job` key, then the display name.  Caller frees. */
static char *build_job(const jenkins_parse *jp, const char *known_job, json_t *build)
{
    if (!cw_str_empty(known_job))
        return cw_strdup(known_job);
    if (!cw_str_empty(jp->job_fallback))
        return cw_strdup(jp->job_fallback);
    return job_from_display_name(cw_json_str(build, "fullDisplayName"));
}

/* ---------------------------------------------------------------- builds */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Environment: the parameter, else the job regex's named group, else the fixed key. */
static const char *build_environment(const jenkins_parse *jp, json_t *build, const char *job,
                                     char *buf, size_t size)
{
    const char *env = parameter(build, jp->env_parameter);
    if (!cw_str_empty(env))
        return env;
    if (jp->deployment_job && cw_regex_named(jp->deployment_job, job, "environment", buf, size) && *buf)
        return buf;
    return cw_str_empty(jp->env_fixed) ? NULL : jp->env_fixed;
}

/* Epoch milliseconds and durations: 0 <= ms < 2^53. */
#define MS_LIMIT ((int64_t)1 << 53)

static int ms_in_range(int64_t ms)
{
    return ms >= 0 && ms < MS_LIMIT;
}

/* Jenkins results (formats.md section 5) and what record.h stores for them.
 * NOT_BUILD is not a Jenkins value, but the real DevLake fixture has it
 * (build #10004), plainly meaning NOT_BUILT. */
static const struct { const char *jenkins, *result; } build_results[] = {
    {"SUCCESS", "success"}, {"FAILURE", "failure"}, {"UNSTABLE", "unstable"},
    {"ABORTED", "aborted"}, {"NOT_BUILT", "not_built"}, {"NOT_BUILD", "not_built"},
};

/* The record.h result of a Jenkins result string, or NULL when unknown. */
static const char *map_result(const char *jenkins)
{
    for (size_t i = 0; i < sizeof(build_results) / sizeof(build_results[0]); i++)
        if (strcasecmp(jenkins, build_results[i].jenkins) == 0)
            return build_results[i].result;
    return NULL;
}

/*
 * DevLake lands Jenkins pipeline stages (_raw_jenkins_api_stages: id, name,
 * status, startTimeMillis, durationMillis) and job lists
 * (_raw_jenkins_api_jobs: name, fullName, url, color) in the same wrapper
 * files as builds.  They hold nothing this connector loads (stage timing
 * feeds no metric), and formats.md has every parser read its fixtures
 * without error, so they are passed over rather than rejected.  The test is
 * narrow: neither shape has a number, a result or a building flag, so
 * anything build-like still goes through every check below.
 */
static int is_known_non_build(json_t *item)
{
    int is_stage, is_job;
    if (json_object_get(item, "number") || json_object_get(item, "result") ||
        json_object_get(item, "building"))
        return 0;
    is_stage = json_is_integer(json_object_get(item, "startTimeMillis")) &&
               json_object_get(item, "status") != NULL;     /* null in 3 real rows */
    is_job = json_is_string(json_object_get(item, "name")) &&
             json_is_string(json_object_get(item, "url"));
    return is_stage || is_job;
}

/*
 * Whether a build is finished, and its result: 1 to skip (still running:
 * `building` true, or `result` present as null), 0 with *result set, or -1
 * after rejecting it; *rc is then 0, or -1 when the reject failed.
 */
static int build_result(jenkins_parse *jp, json_t *build, const cw_origin *origin,
                        const char **result, int *rc)
{
    json_t *value = json_object_get(build, "result");
    char why[160];
    *rc = 0;
    if (cw_json_bool(build, "building", 0) || json_is_null(value))
        return 1;
    if (!value) {
        *rc = cw_item_reject(jp->sink, origin, "result", build,
                             "not a build: no result, and not building");
        return -1;
    }
    if (!json_is_string(value) || !(*result = map_result(json_string_value(value)))) {
        char *text = cw_json_dump_short(value, 40);
        snprintf(why, sizeof(why), "bad result %s: expected SUCCESS, FAILURE, UNSTABLE, "
                 "ABORTED or NOT_BUILT", text ? text : "?");
        free(text);
        *rc = cw_item_reject(jp->sink, origin, "result", build, why);
        return -1;
    }
    return 0;
}

/* Why the build number cannot be used, or NULL with *number set: Jenkins
 * numbers builds from 1, so a negative one is not a build of this job. */
static const char *number_problem(json_t *build, int64_t *number)
{
    json_t *v = cw_json_path(build, "number");
    if (!v)
        return "build without a number";
    if (cw_json_out_of_range(v))
        return "build number out of range";
    if (cw_json_int(build, "number", number) != 0)
        return "build number is not an integer (or is out of range)";
    if (*number < 0)
        return "negative build number";
    if (*number > LONG_MAX)
        return "build number out of range";
    return NULL;
}

/* Turn one build object into a cw_build (or a skip, or a reject); known_job
 * is the job the file or DevLake row names, or NULL. */
static int one_build(jenkins_parse *jp, json_t *build, const char *known_job,
                     const cw_origin *origin)
{
    cw_build b = {0};
    int64_t number, timestamp, duration;
    const char *result = NULL, *why;
    char env_buf[256], *job = NULL;
    cw_build_revision *revisions;
    int state, rc;

    if (!json_is_object(build))
        return cw_item_reject(jp->sink, origin, NULL, build, "a build must be a JSON object");
    if (is_known_non_build(build))
        return 0;
    state = build_result(jp, build, origin, &result, &rc);
    if (state != 0)
        return state > 0 ? 0 : rc;      /* still running (it loads once finished), or rejected */
    if ((why = number_problem(build, &number)) != NULL)
        return cw_item_reject(jp->sink, origin, "number", build, why);
    if (cw_json_int(build, "timestamp", &timestamp) != 0 || !ms_in_range(timestamp) ||
        !cw_time_in_range(floor_div(timestamp, 1000)))
        return cw_item_reject(jp->sink, origin, "started_at", build,
                              "timestamp missing or out of range (epoch ms, "
                              "1970-01-01 .. 2200-01-01)");
    if (cw_json_int(build, "duration", &duration) != 0 || !ms_in_range(duration) ||
        !cw_time_in_range(floor_div(timestamp + duration, 1000)))
        return cw_item_reject(jp->sink, origin, "finished_at", build,
                              "duration missing or out of range (ms >= 0, ending "
                              "1970-01-01 .. 2200-01-01)");
    job = build_job(jp, known_job, build);
    if (!job)
        return cw_item_reject(jp->sink, origin, "job", build,
                              "no job name: no fullName in the file or FullName in the row, "
                              "no fullDisplayName, no `job` key");

    b.origin = *origin;
    b.job = job;
    b.number = (long)number;
    b.result = result;
    b.started_at = floor_div(timestamp, 1000);
    b.finished_at = floor_div(timestamp + duration, 1000);
    b.revisions = revisions = build_revisions(build, &b.n_revisions);
    if (drop_bad_revisions(jp, origin, revisions, &b.n_revisions) != 0) {
        free(revisions);
        free(job);
        return -1;
    }
    b.revision = b.n_revisions ? revisions[0].sha : NULL;
    b.url = cw_json_str(build, "url");
    b.environment = build_environment(jp, build, job, env_buf, sizeof(env_buf));
    b.is_deployment = jp->deployment_job ? cw_regex_match(jp->deployment_job, job) == 1
                                         : b.environment != NULL;
    b.is_production = b.environment && cw_regex_match(jp->production, b.environment) == 1;
    rc = jp->sink->build(jp->sink->ctx, &b) ? -1 : 0;
    free(revisions);
    free(job);
    return rc;
}

/* The non-empty string FullName of a JSON object cell, or NULL.  Caller frees. */
static char *full_name_in(const char *cell)
{
    json_t *root;
    char *name = NULL;
    if (cw_str_empty(cell) || !(root = cw_json_load_text(cell, strlen(cell), NULL, 0)))
        return NULL;
    if (json_is_object(root) && !cw_str_empty(cw_json_str(root, "FullName")))
        name = cw_strdup(cw_json_str(root, "FullName"));
    json_decref(root);
    return name;
}

/*
 * The job a DevLake row names.  `input` describes the job whose builds were
 * fetched ({"Name":"main","FullName":"github_org/devlake-jenkins/main",...});
 * `params` is the scope picked in DevLake, which is that job for a plain job
 * but its parent for a multibranch pipeline: the real multibranch export has
 * params FullName "github_org/devlake-jenkins" on the builds of .../main,
 * .../PR-2 and .../feature-2 alike, and taking it would merge their builds
 * (main #4 and feature-2 #4 would collide).  Where `input` has only Name and
 * Path (the real freestyle export), `params` names the job itself, so it is
 * the fallback.  Caller frees; NULL when neither names a job.
 */
static char *devlake_row_job(const cw_devlake_row *row)
{
    char *job = full_name_in(row->input);
    return job ? job : full_name_in(row->params);
}

/* One wrapper row.  A sink failure stops the walk with 1: -1 would read as
 * an unreadable file to cw_devlake_each_row. */
static int devlake_build(void *ctx, const cw_devlake_row *row, const cw_origin *origin)
{
    char *job = devlake_row_job(row);
    int rc = one_build(ctx, row->item, job, origin);
    free(job);
    return rc ? 1 : 0;
}

/* A build of a JSON file (a cw_item_fn): its job is the one the file names. */
static int file_build(void *ctx, json_t *build, const cw_origin *origin)
{
    jenkins_parse *jp = ctx;
    return one_build(jp, build, jp->file_job, origin);
}

/* A job object lists its builds in allBuilds (complete) or builds (capped
 * at 100); a lone object is a build when it has a number; a folder or job
 * list landed by discovery (jobs) has no builds to load. */
static const char *const builds_pages[] = {"allBuilds", "builds", NULL};
static const char *const job_lists[] = {"jobs", NULL};
static const cw_item_shape jenkins_shape = {
    .pages = builds_pages, .lone = CW_LONE_WITH_KEY, .lone_key = "number", .empty = job_lists,
    .unknown = "not a Jenkins job (builds/allBuilds), build array or build object",
};

/* The job a job object names (fullName, else name); NULL for other documents. */
static const char *job_of_file(json_t *root)
{
    const char *job;
    if (!json_is_array(json_object_get(root, "allBuilds")) &&
        !json_is_array(json_object_get(root, "builds")))
        return NULL;
    job = cw_json_str(root, "fullName");
    return cw_str_empty(job) ? cw_json_str(root, "name") : job;
}

/* The builds are read one at a time (the job's other members, fullName
 * among them, are known before the first: core/jsonstream.h). */
static int parse_json(jenkins_parse *jp)
{
    cw_json_doc *doc = cw_items_open(jp->src->name, jp->path, jp->sink, builds_pages);
    int rc;
    if (!doc)
        return -1;
    jp->file_job = job_of_file(cw_json_doc_root(doc));
    rc = cw_items_walk(&jenkins_shape, doc, jp->src->name, jp->path, jp->sink, file_build, jp);
    cw_json_doc_close(doc);
    return rc;
}

static int jenkins_parse_file(const cw_source *src, const char *path, cw_sink *sink)
{
    jenkins_parse jp = {0};
    int rc;
    jp.src = src;
    jp.path = path;
    jp.sink = sink;
    jp.env_parameter = cw_source_get(src, "environment_parameter");
    jp.env_fixed = cw_source_get(src, "environment");
    jp.job_fallback = cw_source_get(src, "job");
    if (compile_all(src, &jp.deployment_job, &jp.production) != 0) {
        cw_origin whole = {src->name, path, 0};
        cw_sink_reject(sink, &whole, NULL, NULL, "invalid regex in the source configuration");
        rc = -1;
    } else if (cw_devlake_is_wrapper(path)) {
        rc = cw_devlake_each_row(path, src->name, sink, devlake_build, &jp) ? -1 : 0;
    } else {
        rc = parse_json(&jp);
    }
    cw_regex_free(jp.deployment_job);
    cw_regex_free(jp.production);
    return rc;
}

/* ------------------------------------------------------------ live fetch */

/* What one build page holds: the job's fullName, its builds newest first. */
#define BUILDS_TREE "fullName,name,allBuilds[number,timestamp,duration,result,building,url," \
                    "actions[parameters[name,value],lastBuiltRevision[SHA1,branch[name]],remoteUrls,_class]," \
                    "changeSets[items[commitId]]]"
/* Two levels of the job tree per request: a folder's children come with it. */
#define JOBS_TREE "jobs[name,url,_class,jobs[name,url,_class]]"

/* Items that hold jobs rather than builds. */
static const char *const container_classes[] = {
    "com.cloudbees.hudson.plugins.folder.Folder",
    "org.jenkinsci.plugins.workflow.multibranch.WorkflowMultiBranchProject",
    "jenkins.branch.OrganizationFolder",
    NULL,
};

/* Job paths found so far, and containers whose children are still unknown. */
typedef struct job_walk {
    cw_strlist jobs;
    cw_strlist folders;
} job_walk;

static void list_add(cw_strlist *list, char *owned)
{
    list->items = cw_xrealloc(list->items, (list->n + 1) * sizeof(char *));
    list->items[list->n++] = owned;
}

static int is_container(json_t *item)
{
    const char *cls = cw_json_str(item, "_class");
    if (json_is_array(json_object_get(item, "jobs")))
        return 1;
    for (size_t i = 0; cls && container_classes[i]; i++)
        if (strcmp(cls, container_classes[i]) == 0)
            return 1;
    return 0;
}

/* One entry of a job list under parent ("" at the root).  A container
 * listed with its children is walked now; one listed without them (the
 * second level of the tree) is queued for its own request. */
static void visit_item(job_walk *w, json_t *item, const char *parent)
{
    const char *name = cw_json_str(item, "name");
    json_t *children, *child;
    char *path;
    size_t i;
    if (cw_str_empty(name))
        return;
    path = *parent ? cw_asprintf("%s/%s", parent, name) : cw_strdup(name);
    if (!is_container(item)) {
        list_add(&w->jobs, path);
        return;
    }
    children = json_object_get(item, "jobs");
    if (!json_is_array(children)) {
        list_add(&w->folders, path);
        return;
    }
    json_array_foreach(children, i, child)
        visit_item(w, child, path);
    free(path);
}

typedef struct discover_ctx {
    job_walk *walk;
    const char *folder;
} discover_ctx;

static int discover_page(void *ctx, json_t *page, const cw_http_response *resp)
{
    discover_ctx *d = ctx;
    json_t *item;
    size_t i;
    json_array_foreach(json_object_get(page, "jobs"), i, item)
        visit_item(d->walk, item, d->folder);
    return 0;
}

/* "a/b" -> "/job/a/job/b", each name percent-encoded; caller frees
 * (source.h: the report links a build with it). */
char *cw_jenkins_job_path(const char *job)
{
    cw_buf b = {0};
    const char *p = job;
    cw_buf_puts(&b, "");
    while (*p) {
        size_t n = strcspn(p, "/");
        char *seg = cw_strndup(p, n), *esc = cw_http_escape(seg);
        if (n)
            cw_buf_printf(&b, "/job/%s", esc);
        free(esc);
        free(seg);
        p += n + (p[n] == '/');
    }
    return b.data;
}

/* List the children of one folder ("" = the root) into the walk. */
static int discover_folder(cw_fetch *f, job_walk *w, const char *folder)
{
    char *path = cw_jenkins_job_path(folder), *tree = cw_http_escape(JOBS_TREE);
    char *url = cw_fetch_url(f, "%s/api/json?tree=%s", path, tree);
    cw_endpoint ep = {.name = "jobs", .url = url, .paging = CW_PAGING_NONE, .items = "jobs"};
    discover_ctx d = {w, folder};
    int rc = cw_fetch_pages(f, &ep, discover_page, &d);
    free(url);
    free(tree);
    free(path);
    return rc;
}

/* Every job under the root, breadth first. */
static int discover_jobs(cw_fetch *f, job_walk *w)
{
    size_t next = 0;
    if (discover_folder(f, w, "") != 0)
        return -1;
    for (; next < w->folders.n; next++)
        if (discover_folder(f, w, w->folders.items[next]) != 0)
            return -1;
    return 0;
}

/* Incremental stop: the page's oldest build finished before the watermark,
 * so every older page did too. */
static int builds_page(void *ctx, json_t *page, const cw_http_response *resp)
{
    const cw_fetch *f = ctx;
    json_t *builds = json_object_get(page, "allBuilds");
    json_t *oldest = json_array_get(builds, json_array_size(builds) - 1);
    int64_t start_ms, duration_ms;
    if (f->since == CW_NO_TIME || !oldest || cw_json_bool(oldest, "building", 0) ||
        cw_json_int(oldest, "timestamp", &start_ms) != 0 || !ms_in_range(start_ms) ||
        cw_json_int(oldest, "duration", &duration_ms) != 0 || !ms_in_range(duration_ms))
        return 0;
    return floor_div(start_ms + duration_ms, 1000) < f->since ? 1 : 0;
}

static int fetch_job_builds(cw_fetch *f, const char *job)
{
    char *path = cw_jenkins_job_path(job), *tree = cw_http_escape(BUILDS_TREE);
    char *url = cw_fetch_url(f, "%s/api/json?tree=%s{RANGE}", path, tree);
    cw_endpoint ep = {.name = "builds", .url = url, .paging = CW_PAGING_RANGE,
                      .items = "allBuilds", .page_size = f->page_size};
    int rc = cw_fetch_pages(f, &ep, builds_page, f);
    free(url);
    free(tree);
    free(path);
    return rc;
}

static int jenkins_fetch(cw_fetch *f)
{
    job_walk w = {{0}, {0}};
    const char *listed = cw_source_get(f->src, "jobs");
    int rc = 0;
    if (!cw_str_empty(listed))
        cw_strlist_split(listed, &w.jobs);
    else
        rc = discover_jobs(f, &w);
    for (size_t i = 0; rc == 0 && i < w.jobs.n; i++)
        rc = fetch_job_builds(f, w.jobs.items[i]);
    cw_strlist_free(&w.jobs);
    cw_strlist_free(&w.folders);
    return rc;
}

const cw_source_type cw_source_jenkins = {
    .name = "jenkins",
    .keys = jenkins_keys,
    .validate = jenkins_validate,
    .produce = NULL,
    .parse = jenkins_parse_file,
    .fetch = jenkins_fetch,
    .auth_kind = CW_AUTH_BASIC,
};
