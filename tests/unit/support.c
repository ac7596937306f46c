/*
 * support.c - test helpers: a capturing sink and fixture paths.
 */
#include "support.h"
#include "core/time.h"
#include "core/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#define GROW(arr, n) ((arr) = cw_xrealloc((arr), ((n) + 1) * sizeof(*(arr))))

static void copy_origin(cw_origin *dst, const cw_origin *src)
{
    dst->source = cw_strdup(src->source);
    dst->file = cw_strdup(src->file);
    dst->record = src->record;
}

static void free_origin(cw_origin *o)
{
    free((char *)o->source);
    free((char *)o->file);
}

#define DUP(f) (c->f = cw_strdup(rec->f))
#define FREE(f) free((char *)x->f)

static int cap_item(void *ctx, const cw_work_item *rec)
{
    cw_capture *cap = ctx;
    cw_work_item *c;
    GROW(cap->items, cap->n_items);
    c = &cap->items[cap->n_items++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(key); DUP(external_id); DUP(project); DUP(summary); DUP(type); DUP(status);
    DUP(status_category); DUP(labels); DUP(fix_versions); DUP(assignee);
    return 0;
}

static int cap_transition(void *ctx, const cw_transition *rec)
{
    cw_capture *cap = ctx;
    cw_transition *c;
    GROW(cap->transitions, cap->n_transitions);
    c = &cap->transitions[cap->n_transitions++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(item_key); DUP(item_id); DUP(history_id); DUP(from_status); DUP(to_status);
    return 0;
}

static int cap_commit(void *ctx, const cw_commit *rec)
{
    cw_capture *cap = ctx;
    cw_commit *c;
    GROW(cap->commits, cap->n_commits);
    c = &cap->commits[cap->n_commits++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(repository); DUP(sha); DUP(parents); DUP(author_name); DUP(author_email);
    DUP(committer_name); DUP(committer_email); DUP(subject); DUP(body);
    return 0;
}

static int cap_build(void *ctx, const cw_build *rec)
{
    cw_capture *cap = ctx;
    cw_build *c;
    GROW(cap->builds, cap->n_builds);
    c = &cap->builds[cap->n_builds++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(job); DUP(result); DUP(revision); DUP(url); DUP(environment);
    return 0;
}

static int cap_incident(void *ctx, const cw_incident *rec)
{
    cw_capture *cap = ctx;
    cw_incident *c;
    GROW(cap->incidents, cap->n_incidents);
    c = &cap->incidents[cap->n_incidents++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(id); DUP(number); DUP(title); DUP(description); DUP(service); DUP(status); DUP(severity);
    return 0;
}

static int cap_reject(void *ctx, const cw_reject *rec)
{
    cw_capture *cap = ctx;
    cw_reject *c;
    GROW(cap->rejects, cap->n_rejects);
    c = &cap->rejects[cap->n_rejects++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(field); DUP(reason); DUP(raw);
    return 0;
}

static int cap_pull(void *ctx, const cw_pull_request *rec)
{
    cw_capture *cap = ctx;
    cw_pull_request *c;
    GROW(cap->pulls, cap->n_pulls);
    c = &cap->pulls[cap->n_pulls++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(repository); DUP(title); DUP(body); DUP(source_branch); DUP(target_branch);
    DUP(state); DUP(author); DUP(merge_commit_sha); DUP(squash_commit_sha);
    return 0;
}

static int cap_status(void *ctx, const cw_deployment_status *rec)
{
    cw_capture *cap = ctx;
    cw_deployment_status *c;
    GROW(cap->statuses, cap->n_statuses);
    c = &cap->statuses[cap->n_statuses++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(job); DUP(state);
    return 0;
}

void cw_capture_init(cw_capture *cap)
{
    memset(cap, 0, sizeof(*cap));
    cap->sink.ctx = cap;
    cap->sink.work_item = cap_item;
    cap->sink.transition = cap_transition;
    cap->sink.commit = cap_commit;
    cap->sink.build = cap_build;
    cap->sink.incident = cap_incident;
    cap->sink.reject = cap_reject;
    cap->sink.pull_request = cap_pull;
    cap->sink.deployment_status = cap_status;
}

void cw_capture_free(cw_capture *cap)
{
    size_t i;
    for (i = 0; i < cap->n_items; i++) {
        cw_work_item *x = &cap->items[i];
        free_origin(&x->origin);
        FREE(key); FREE(external_id); FREE(project); FREE(summary); FREE(type); FREE(status);
        FREE(status_category); FREE(labels); FREE(fix_versions); FREE(assignee);
    }
    for (i = 0; i < cap->n_transitions; i++) {
        cw_transition *x = &cap->transitions[i];
        free_origin(&x->origin);
        FREE(item_key); FREE(item_id); FREE(history_id); FREE(from_status); FREE(to_status);
    }
    for (i = 0; i < cap->n_commits; i++) {
        cw_commit *x = &cap->commits[i];
        free_origin(&x->origin);
        FREE(repository); FREE(sha); FREE(parents); FREE(author_name); FREE(author_email);
        FREE(committer_name); FREE(committer_email); FREE(subject); FREE(body);
    }
    for (i = 0; i < cap->n_builds; i++) {
        cw_build *x = &cap->builds[i];
        free_origin(&x->origin);
        FREE(job); FREE(result); FREE(revision); FREE(url); FREE(environment);
    }
    for (i = 0; i < cap->n_incidents; i++) {
        cw_incident *x = &cap->incidents[i];
        free_origin(&x->origin);
        FREE(id); FREE(number); FREE(title); FREE(description); FREE(service); FREE(status); FREE(severity);
    }
    for (i = 0; i < cap->n_rejects; i++) {
        cw_reject *x = &cap->rejects[i];
        free_origin(&x->origin);
        FREE(field); FREE(reason); FREE(raw);
    }
    for (i = 0; i < cap->n_pulls; i++) {
        cw_pull_request *x = &cap->pulls[i];
        free_origin(&x->origin);
        FREE(repository); FREE(title); FREE(body); FREE(source_branch); FREE(target_branch);
        FREE(state); FREE(author); FREE(merge_commit_sha); FREE(squash_commit_sha);
    }
    for (i = 0; i < cap->n_statuses; i++) {
        cw_deployment_status *x = &cap->statuses[i];
        free_origin(&x->origin);
        FREE(job); FREE(state);
    }
    free(cap->items); free(cap->transitions); free(cap->commits);
    free(cap->builds); free(cap->incidents); free(cap->rejects);
    free(cap->pulls); free(cap->statuses);
    memset(cap, 0, sizeof(*cap));
}

const cw_work_item *cw_capture_item(const cw_capture *cap, const char *key)
{
    for (size_t i = 0; i < cap->n_items; i++)
        if (cap->items[i].key && strcmp(cap->items[i].key, key) == 0)
            return &cap->items[i];
    return NULL;
}

const cw_commit *cw_capture_commit(const cw_capture *cap, const char *sha)
{
    for (size_t i = 0; i < cap->n_commits; i++)
        if (cap->commits[i].sha && strcmp(cap->commits[i].sha, sha) == 0)
            return &cap->commits[i];
    return NULL;
}

const cw_build *cw_capture_build(const cw_capture *cap, const char *job, long number)
{
    for (size_t i = 0; i < cap->n_builds; i++)
        if (cap->builds[i].job && strcmp(cap->builds[i].job, job) == 0 &&
            cap->builds[i].number == number)
            return &cap->builds[i];
    return NULL;
}

const cw_incident *cw_capture_incident(const cw_capture *cap, const char *id)
{
    for (size_t i = 0; i < cap->n_incidents; i++)
        if (cap->incidents[i].id && strcmp(cap->incidents[i].id, id) == 0)
            return &cap->incidents[i];
    return NULL;
}

const cw_pull_request *cw_capture_pull(const cw_capture *cap, long number)
{
    for (size_t i = 0; i < cap->n_pulls; i++)
        if (cap->pulls[i].number == number)
            return &cap->pulls[i];
    return NULL;
}

const char *cw_fixture(const char *rel)
{
    static char path[4096];
    const char *root = getenv("CW_FIXTURES");
    struct stat st;
    if (!root || !*root)
        fail_msg("CW_FIXTURES is not set (run through make unit)");
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    if (stat(path, &st) != 0)
        fail_msg("fixture missing: %s", path);
    return path;
}

const char *cw_test_data(const char *rel)
{
    static char path[4096];
    const char *root = getenv("CW_TEST_DATA");
    snprintf(path, sizeof(path), "%s/%s", root && *root ? root : "tests/data", rel);
    return path;
}

const char *cw_temp_file(const char *text, const char *suffix)
{
    static char path[256];
    const char *dir = getenv("TMPDIR");
    int fd;
    FILE *f;
    snprintf(path, sizeof(path), "%s/cwtestXXXXXX%s", dir && *dir ? dir : "/tmp", suffix ? suffix : "");
    fd = mkstemps(path, suffix ? (int)strlen(suffix) : 0);
    if (fd < 0)
        fail_msg("mkstemps failed");
    f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

int64_t cw_t(const char *iso)
{
    int64_t t = 0;
    if (cw_time_parse_iso8601(iso, NULL, &t) != 0)
        fail_msg("bad expectation timestamp %s", iso);
    return t;
}
