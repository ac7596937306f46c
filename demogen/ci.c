/*
 * ci.c - one application's deployment pipeline as a Jenkins job:
 * exports/jenkins/deploy-<app>.json, the job's `api/json` with
 * `allBuilds` newest first (formats.md §5).
 *
 * Each deployment is a staging run (the moment its revision is cut; now and
 * then it fails and is run again), sometimes a failed or aborted production
 * attempt, and the successful production run.  The ENVIRONMENT parameter
 * says which, BuildData.lastBuiltRevision names the deployed commit.  A few
 * production runs deploy a hotfix branch that never reached the repository
 * (untraceable), and one run is still going at the export instant.
 */
#include "internal.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../core/util.h"

#define JENKINS "https://jenkins.harbourside.example"

enum run_result { RUN_SUCCESS, RUN_FAILURE, RUN_ABORTED, RUN_BUILDING };

typedef struct run {
    int64_t start, finish;
    int32_t deploy, seq;
    uint8_t production, result;
} run;

typedef struct runs {
    run *v;
    size_t n, cap;
} runs;

static void add_run(runs *rs, int64_t start, int64_t finish, size_t deploy, int production, int result)
{
    rs->v = cw_grow(rs->v, &rs->cap, rs->n + 1, sizeof(*rs->v));
    rs->v[rs->n] = (run){ start, finish, (int32_t)deploy, (int32_t)rs->n, (uint8_t)production,
                          (uint8_t)result };
    rs->n++;
}

static int cmp_run(const void *a, const void *b)
{
    const run *x = a, *y = b;
    if (x->start != y->start)
        return (x->start > y->start) - (x->start < y->start);
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Every pipeline run of the application, oldest first. */
static void collect_runs(const cw_demo_history *h, runs *rs)
{
    for (size_t i = 0; i < h->n_deploys; i++) {
        const cw_demo_deploy *d = &h->deploys[i];
        /* A flaky staging run is retried at once on the same revision. */
        int flaky = d->stage_failed && d->stage_finish - d->cut > 120;
        int64_t retry = flaky ? d->cut + (d->stage_finish - d->cut) / 3 + 30 : d->cut;
        if (flaky)
            add_run(rs, d->cut, retry - 30, i, 0, RUN_FAILURE);
        add_run(rs, retry, d->stage_finish, i, 0, RUN_SUCCESS);
        if (d->fail_result)
            add_run(rs, d->fail_start, d->fail_finish, i, 1, d->fail_result == 2 ? RUN_ABORTED : RUN_FAILURE);
        add_run(rs, d->prod_start, d->running ? 0 : d->prod_finish, i, 1, d->running ? RUN_BUILDING : RUN_SUCCESS);
    }
    if (rs->n > 1)
        qsort(rs->v, rs->n, sizeof(*rs->v), cmp_run);
}

static json_t *cause_json(const cw_demo_history *h, cw_demo_rng *r)
{
    const cw_demo_team *team = h->team;
    char text[200], project[128];

    if (h->app->cadence == CW_DEMO_ELITE || h->app->cadence == CW_DEMO_DAILY) {
        long upstream = cw_demo_between(r, 1000, 9000);
        snprintf(project, sizeof project, "build-%s", h->app->name);
        snprintf(text, sizeof text, "Started by upstream project \"%s\" build number %ld", project, upstream);
        return json_pack("{s:s, s:[{s:s, s:s, s:I, s:s}]}", "_class", "hudson.model.CauseAction", "causes",
                         "_class", "hudson.model.Cause$UpstreamCause", "shortDescription", text,
                         "upstreamBuild", (json_int_t)upstream, "upstreamProject", project);
    }
    {
        const cw_demo_person *p = &team->people[cw_demo_between(r, 0, (long)team->n_people - 1)];
        snprintf(text, sizeof text, "Started by user %s", p->name);
        return json_pack("{s:s, s:[{s:s, s:s, s:s}]}", "_class", "hudson.model.CauseAction", "causes",
                         "_class", "hudson.model.Cause$UserIdCause", "shortDescription", text,
                         "userName", p->name);
    }
}

static json_t *build_data_json(cw_demo_ctx *ctx, const cw_demo_history *h, const run *rn)
{
    const cw_demo_deploy *d = &h->deploys[rn->deploy];
    char sha[41], branch[128], remote[160];

    if (d->revision >= 0) {
        cw_demo_sha(h->commits[d->revision].seed, sha);
        snprintf(branch, sizeof branch, "origin/main");
    } else {
        cw_demo_rng r = cw_demo_rng_derive(ctx->opts->seed, (uint64_t)h->index + 1, 5000 + (uint64_t)rn->deploy);
        cw_demo_sha(cw_demo_next(&r), sha);
        snprintf(branch, sizeof branch, "origin/hotfix/%s-%d", h->app->name, rn->deploy);
    }
    snprintf(remote, sizeof remote, "git@github.com:harbourside/%s.git", h->app->name);
    return json_pack("{s:s, s:{s:s, s:[{s:s, s:s}]}, s:[s], s:s}", "_class", "hudson.plugins.git.util.BuildData",
                     "lastBuiltRevision", "SHA1", sha, "branch", "SHA1", sha, "name", branch,
                     "remoteUrls", remote, "scmName", "");
}

static json_t *build_json(cw_demo_ctx *ctx, const cw_demo_history *h, const run *rn, long number)
{
    static const char *const results[] = { "SUCCESS", "FAILURE", "ABORTED" };
    cw_demo_rng r = cw_demo_rng_derive(ctx->opts->seed, (uint64_t)h->index + 1, 9000 + (uint64_t)number);
    /* A run that finishes after the cut is still building in this export;
     * the draws follow the run's whole life, so the delta's finished run
     * is the same run. */
    int building = rn->result == RUN_BUILDING || rn->finish >= ctx->cut;
    json_int_t timestamp = (json_int_t)rn->start * 1000 + cw_demo_between(&r, 0, 499);
    json_int_t duration = rn->result == RUN_BUILDING ? 0
                        : (json_int_t)(rn->finish - rn->start) * 1000 + cw_demo_between(&r, 0, 499);
    if (building)
        duration = 0;
    char job[128], name[160], id[24], url[256];

    snprintf(job, sizeof job, "deploy-%s", h->app->name);
    snprintf(name, sizeof name, "%s #%ld", job, number);
    snprintf(id, sizeof id, "%ld", number);
    snprintf(url, sizeof url, JENKINS "/job/%s/%ld/", job, number);
    return json_pack("{s:s, s:[o, {}, {s:s, s:[{s:s, s:s, s:s}]}, o, {}, {s:s}], s:b, s:I, s:I, s:s, s:s,"
                     " s:I, s:s?, s:I, s:s, s:[]}",
                     "_class", "org.jenkinsci.plugins.workflow.job.WorkflowRun",
                     "actions", cause_json(h, &r),
                     "_class", "hudson.model.ParametersAction", "parameters",
                     "_class", "hudson.model.StringParameterValue", "name", "ENVIRONMENT",
                     "value", rn->production ? "production" : "staging",
                     build_data_json(ctx, h, rn),
                     "_class", "org.jenkinsci.plugins.workflow.job.views.FlowGraphAction",
                     "building", building,
                     "duration", duration,
                     "estimatedDuration", duration ? duration : (json_int_t)300000,
                     "fullDisplayName", name,
                     "id", id,
                     "number", (json_int_t)number,
                     "result", building ? NULL : results[rn->result],
                     "timestamp", timestamp,
                     "url", url,
                     "changeSets");
}

static void count_deploys(cw_demo_ctx *ctx, const cw_demo_history *h)
{
    for (size_t i = 0; i < h->n_deploys; i++) {
        if (h->deploys[i].running || !cw_demo_shown(ctx, h->deploys[i].prod_finish))
            continue;
        ctx->tally->deployments++;
        ctx->tally->untraceable += h->deploys[i].untraceable;
    }
}

/* Does the export show the run?  At the cut: every run started before it.
 * The delta: runs started in the day, and runs that finished in it. */
static int run_shown(const cw_demo_ctx *ctx, const run *rn)
{
    if (rn->start >= ctx->cut)
        return 0;
    return cw_demo_shown(ctx, rn->start) || (rn->result != RUN_BUILDING && cw_demo_shown(ctx, rn->finish));
}

/*
 * The job object is written in pieces so that memory does not grow with the
 * number of runs: jansson serialises the job's own fields and each run, and
 * only the constant frame around them - `,"allBuilds":[`, the commas
 * between runs and `]}` - is written here.  No data passes through that
 * frame, so nothing is escaped by hand.  One run per line, compact, as
 * Jenkins itself sends it.
 */
static int write_job_head(FILE *fp, const cw_demo_history *h)
{
    char name[128], url[256], description[200], *text;
    json_t *job;
    size_t len;
    int rc;

    snprintf(name, sizeof name, "deploy-%s", h->app->name);
    snprintf(url, sizeof url, JENKINS "/job/%s/", name);
    snprintf(description, sizeof description, "Deploys %s to staging and production.", h->app->name);
    job = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b}",
                    "_class", "org.jenkinsci.plugins.workflow.job.WorkflowJob", "description", description,
                    "displayName", name, "fullName", name, "name", name, "url", url, "buildable", 1);
    text = job ? json_dumps(job, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(job);
    if (!text)
        return -1;
    len = strlen(text);                  /* "{...}": drop the closing brace */
    rc = fwrite(text, 1, len - 1, fp) == len - 1 && fputs(",\"allBuilds\":[\n", fp) != EOF ? 0 : -1;
    free(text);
    return rc;
}

static int write_runs(cw_demo_ctx *ctx, FILE *fp, const cw_demo_history *h, const runs *rs)
{
    long written = 0;
    for (size_t i = rs->n; i-- > 0;) {
        json_t *b;
        char *text;
        int rc;
        if (!run_shown(ctx, &rs->v[i]))
            continue;
        b = build_json(ctx, h, &rs->v[i], (long)h->first_build + (long)i);
        text = b ? json_dumps(b, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        rc = (written == 0 || fputs(",\n", fp) != EOF) && text && fputs(text, fp) != EOF ? 0 : -1;
        json_decref(b);
        free(text);
        if (rc != 0) {
            fprintf(stderr, "catwalk: demo: cannot write Jenkins run %zu of %s\n", i, h->app->name);
            return -1;
        }
        written++;
    }
    ctx->tally->builds += written;
    return written && fputs("\n", fp) == EOF ? -1 : 0;
}

static long count_shown(const cw_demo_ctx *ctx, const runs *rs)
{
    long n = 0;
    for (size_t i = 0; i < rs->n; i++)
        n += run_shown(ctx, &rs->v[i]);
    return n;
}

int cw_demo_write_jenkins(cw_demo_ctx *ctx, const cw_demo_history *h)
{
    runs rs = {0};
    char rel[192], day[16];
    FILE *fp;
    int rc;

    collect_runs(h, &rs);
    count_deploys(ctx, h);
    /* the delta: the job's api/json again, with only the day's runs */
    if (ctx->since == INT64_MIN) {
        snprintf(rel, sizeof rel, "exports/jenkins/deploy-%s.json", h->app->name);
    } else {
        cw_time_format_date(ctx->since, day, sizeof day);
        snprintf(rel, sizeof rel, "exports/jenkins/deploy-%s.%s.json", h->app->name, day);
        if (count_shown(ctx, &rs) == 0) {
            free(rs.v);
            return 0;
        }
    }
    fp = cw_demo_open(ctx, rel);
    if (!fp) {
        free(rs.v);
        return -1;
    }
    rc = write_job_head(fp, h);
    if (rc == 0)
        rc = write_runs(ctx, fp, h, &rs);
    if (rc == 0 && fputs("]}\n", fp) == EOF)
        rc = -1;
    free(rs.v);
    return cw_demo_close(ctx, fp, rel, rc != 0);
}
