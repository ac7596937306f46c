/*
 * support.c - test helpers: a capturing sink, fixture paths, hand-built
 * config sections, the replay server, schema databases, temporary files
 * and captured output.
 */
#include "support.h"
#include "load/warehouse.h"
#include "core/time.h"
#include "core/util.h"
#include "extract/http.h"
#include <dirent.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

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
    DUP(status_id);
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
    c->revisions = NULL;
    if (rec->n_revisions) {
        cw_build_revision *r = cw_xcalloc(rec->n_revisions, sizeof(*r));
        for (size_t i = 0; i < rec->n_revisions; i++) {
            r[i].remote = rec->revisions[i].remote ? cw_strdup(rec->revisions[i].remote) : NULL;
            r[i].sha = rec->revisions[i].sha ? cw_strdup(rec->revisions[i].sha) : NULL;
        }
        c->revisions = r;
    }
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

static int cap_status_def(void *ctx, const cw_status_def *rec)
{
    cw_capture *cap = ctx;
    cw_status_def *c;
    GROW(cap->status_defs, cap->n_status_defs);
    c = &cap->status_defs[cap->n_status_defs++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(id); DUP(name); DUP(category);
    return 0;
}

static int cap_finding(void *ctx, const cw_finding *rec)
{
    cw_capture *cap = ctx;
    cw_finding *c;
    GROW(cap->findings, cap->n_findings);
    c = &cap->findings[cap->n_findings++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(kind); DUP(subject); DUP(detail);
    return 0;
}

static int cap_kpi(void *ctx, const cw_kpi *rec)
{
    cw_capture *cap = ctx;
    cw_kpi *c;
    GROW(cap->kpis, cap->n_kpis);
    c = &cap->kpis[cap->n_kpis++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(application); DUP(name);
    return 0;
}

static int cap_release(void *ctx, const cw_release *rec)
{
    cw_capture *cap = ctx;
    cw_release *c;
    GROW(cap->releases, cap->n_releases);
    c = &cap->releases[cap->n_releases++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(project); DUP(name); DUP(external_id);
    return 0;
}

static int cap_version_change(void *ctx, const cw_version_change *rec)
{
    cw_capture *cap = ctx;
    cw_version_change *c;
    GROW(cap->version_changes, cap->n_version_changes);
    c = &cap->version_changes[cap->n_version_changes++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(item_key); DUP(item_id); DUP(history_id); DUP(version); DUP(version_id);
    return 0;
}

static int cap_pull_commit(void *ctx, const cw_pull_request_commit *rec)
{
    cw_capture *cap = ctx;
    cw_pull_request_commit *c;
    GROW(cap->pull_commits, cap->n_pull_commits);
    c = &cap->pull_commits[cap->n_pull_commits++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(repository); DUP(sha);
    return 0;
}

static int cap_review(void *ctx, const cw_pull_request_review *rec)
{
    cw_capture *cap = ctx;
    cw_pull_request_review *c;
    GROW(cap->reviews, cap->n_reviews);
    c = &cap->reviews[cap->n_reviews++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(repository); DUP(reviewer); DUP(state);
    return 0;
}

static int cap_link(void *ctx, const cw_work_item_link *rec)
{
    cw_capture *cap = ctx;
    cw_work_item_link *c;
    GROW(cap->links, cap->n_links);
    c = &cap->links[cap->n_links++];
    *c = *rec;
    copy_origin(&c->origin, &rec->origin);
    DUP(item_key); DUP(target_key); DUP(target_id);
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
    cap->sink.status_def = cap_status_def;
    cap->sink.finding = cap_finding;
    cap->sink.kpi = cap_kpi;
    cap->sink.release = cap_release;
    cap->sink.version_change = cap_version_change;
    cap->sink.pull_request_commit = cap_pull_commit;
    cap->sink.pull_request_review = cap_review;
    cap->sink.work_item_link = cap_link;
}

void cw_capture_free(cw_capture *cap)
{
    size_t i;
    for (i = 0; i < cap->n_items; i++) {
        cw_work_item *x = &cap->items[i];
        free_origin(&x->origin);
        FREE(key); FREE(external_id); FREE(project); FREE(summary); FREE(type); FREE(status);
        FREE(status_category); FREE(labels); FREE(fix_versions); FREE(assignee);
        FREE(status_id);
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
        for (size_t k = 0; k < x->n_revisions; k++) {
            free((char *)x->revisions[k].remote);
            free((char *)x->revisions[k].sha);
        }
        free((void *)x->revisions);
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
    for (i = 0; i < cap->n_status_defs; i++) {
        cw_status_def *x = &cap->status_defs[i];
        free_origin(&x->origin);
        FREE(id); FREE(name); FREE(category);
    }
    free(cap->status_defs);
    for (i = 0; i < cap->n_findings; i++) {
        cw_finding *x = &cap->findings[i];
        free_origin(&x->origin);
        FREE(kind); FREE(subject); FREE(detail);
    }
    free(cap->findings);
    for (i = 0; i < cap->n_kpis; i++) {
        cw_kpi *x = &cap->kpis[i];
        free_origin(&x->origin);
        FREE(application); FREE(name);
    }
    free(cap->kpis);
    for (i = 0; i < cap->n_releases; i++) {
        cw_release *x = &cap->releases[i];
        free_origin(&x->origin);
        FREE(project); FREE(name); FREE(external_id);
    }
    free(cap->releases);
    for (i = 0; i < cap->n_version_changes; i++) {
        cw_version_change *x = &cap->version_changes[i];
        free_origin(&x->origin);
        FREE(item_key); FREE(item_id); FREE(history_id); FREE(version); FREE(version_id);
    }
    free(cap->version_changes);
    for (i = 0; i < cap->n_pull_commits; i++) {
        cw_pull_request_commit *x = &cap->pull_commits[i];
        free_origin(&x->origin);
        FREE(repository); FREE(sha);
    }
    free(cap->pull_commits);
    for (i = 0; i < cap->n_reviews; i++) {
        cw_pull_request_review *x = &cap->reviews[i];
        free_origin(&x->origin);
        FREE(repository); FREE(reviewer); FREE(state);
    }
    free(cap->reviews);
    for (i = 0; i < cap->n_links; i++) {
        cw_work_item_link *x = &cap->links[i];
        free_origin(&x->origin);
        FREE(item_key); FREE(target_key); FREE(target_id);
    }
    free(cap->links);
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

const cw_pull_request_review *cw_capture_review(const cw_capture *cap, int64_t id)
{
    for (size_t i = 0; i < cap->n_reviews; i++)
        if (cap->reviews[i].review_id == id)
            return &cap->reviews[i];
    return NULL;
}

size_t cw_capture_pull_commits(const cw_capture *cap, long number, const char *sha)
{
    size_t n = 0;
    for (size_t i = 0; i < cap->n_pull_commits; i++)
        n += cap->pull_commits[i].number == number &&
             (!sha || strcmp(cap->pull_commits[i].sha, sha) == 0);
    return n;
}

void cw_expect_reject_at(const cw_capture *cap, size_t i, long record, const char *field,
                         const char *reason, const char *file, int line)
{
    const cw_reject *r;
    _assert_true(i < cap->n_rejects, "reject index < n_rejects", file, line);
    r = &cap->rejects[i];
    if (record >= 0)
        _assert_int_equal((LargestIntegralType)r->origin.record, (LargestIntegralType)record,
                          file, line);
    if (field)
        _assert_string_equal(r->field ? r->field : "(none)", field, file, line);
    if (reason && !strstr(r->reason, reason)) {
        print_error("reason \"%s\" lacks \"%s\"\n", r->reason, reason);
        _fail(file, line);
    }
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

/* ------------------------------------------------ config sections by hand */

void cw_test_source_init(cw_test_source *t, int line, const char *name, const char *type,
                         const char *const *pairs)
{
    memset(t, 0, sizeof(*t));
    t->src.name = (char *)name;
    t->src.type = (char *)type;
    t->src.line = line;
    t->src.config_path = "test.ini";
    t->src.config_dir = ".";
    t->src.keys = t->kv;
    for (; pairs && pairs[0]; pairs += 2)
        cw_test_source_set(t, pairs[0], pairs[1]);
}

void cw_test_source_set(cw_test_source *t, const char *key, const char *value)
{
    size_t n = t->src.n_keys;
    for (size_t i = 0; i < n; i++)
        if (strcmp(t->kv[i].key, key) == 0) {
            t->kv[i].value = (char *)value;
            return;
        }
    if (n == CW_TEST_SOURCE_KEYS)
        fail_msg("cw_test_source: more than %d keys", CW_TEST_SOURCE_KEYS);
    t->kv[n] = (cw_kv){ (char *)key, (char *)value, t->src.line + 1 + (int)n };
    t->src.n_keys = n + 1;
}

void cw_parse_glob(const cw_source_type *type, const cw_source *src, const char *pattern,
                   cw_capture *cap)
{
    glob_t g;
    assert_int_equal(glob(pattern, 0, NULL, &g), 0);
    for (size_t i = 0; i < g.gl_pathc; i++)
        assert_int_equal(type->parse(src, g.gl_pathv[i], &cap->sink), 0);
    globfree(&g);
}

long cw_parse_dir(const cw_source_type *type, const cw_source *src, const char *dir,
                  cw_capture *cap)
{
    struct dirent **names;
    long parsed = 0;
    int n = scandir(dir, &names, NULL, alphasort);
    assert_true(n > 2);             /* ".", ".." and at least one file */
    for (int i = 0; i < n; i++) {
        if (names[i]->d_name[0] != '.') {
            char *path = cw_asprintf("%s/%s", dir, names[i]->d_name);
            assert_int_equal(type->parse(src, path, &cap->sink), 0);
            free(path);
            parsed++;
        }
        free(names[i]);
    }
    free(names);
    return parsed;
}

/* ------------------------------------------------ the replay server */

#define REPLAY_MAX_ARGS 32

/* $CW_REPLAY_SERVER, else server.py beside tests/data.  Not through
 * cw_test_data: its static buffer may hold the caller's data_dir. */
static const char *replay_script(char *buf, size_t size)
{
    const char *env = getenv("CW_REPLAY_SERVER"), *data = getenv("CW_TEST_DATA");
    if (env && *env)
        snprintf(buf, size, "%s", env);
    else
        snprintf(buf, size, "%s/../replay/server.py", data && *data ? data : "tests/data");
    return buf;
}

/* Read the "PORT n" line the server prints once it listens (15 s at most). */
static int replay_read_port(int fd)
{
    char line[128];
    size_t len = 0;
    struct pollfd pfd = { fd, POLLIN, 0 };
    while (len < sizeof(line) - 1) {
        if (poll(&pfd, 1, 15000) <= 0 || read(fd, line + len, 1) != 1)
            return -1;
        if (line[len] == '\n')
            break;
        len++;
    }
    line[len] = '\0';
    return strncmp(line, "PORT ", 5) == 0 ? atoi(line + 5) : -1;
}

/* In the child: the pipes become stdin/stdout, env is set, python runs. */
static void replay_exec(int in_fd, int out_fd, char *const *argv, const char *const *env)
{
    /* also gone if the test process dies before closing the pipe */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    for (; env && *env; env++)
        putenv((char *)*env);
    execv("/usr/bin/python3", argv);
    _exit(127);
}

int cw_replay_start_args(cw_replay *r, const char *const *args, const char *const *env)
{
    char script[4096];
    char *argv[REPLAY_MAX_ARGS + 3];
    int in[2], out[2];
    size_t n = 0;

    memset(r, 0, sizeof(*r));
    argv[n++] = (char *)"python3";
    argv[n++] = (char *)replay_script(script, sizeof(script));
    for (; args && *args && n < REPLAY_MAX_ARGS + 2; args++)
        argv[n++] = (char *)*args;
    argv[n] = NULL;
    if (access(script, R_OK) != 0) {
        fprintf(stderr, "cannot find %s (run from the repository root)\n", script);
        return -1;
    }
    /* close-on-exec: no other child may hold the write end of this stdin */
    if (pipe2(in, O_CLOEXEC) != 0)
        return -1;
    if (pipe2(out, O_CLOEXEC) != 0) {
        close(in[0]);
        close(in[1]);
        return -1;
    }
    r->pid = fork();
    if (r->pid == 0)
        replay_exec(in[0], out[1], argv, env);
    close(in[0]);
    close(out[1]);
    r->stdin_fd = in[1];
    r->stdout_fd = out[0];
    if (r->pid < 0) {
        r->pid = 0;
        cw_replay_stop(r);
        return -1;
    }
    r->port = replay_read_port(r->stdout_fd);
    if (r->port <= 0) {
        cw_replay_stop(r);
        return -1;
    }
    snprintf(r->base_url, sizeof(r->base_url), "http://127.0.0.1:%d", r->port);
    return 0;
}

int cw_replay_start(cw_replay *r, const char *data_dir, const char *token, const char *faults,
                    const char *const *env)
{
    const char *args[] = { "--data", data_dir, "--token", token, "--max-seconds", "300",
                           faults ? "--faults" : NULL, faults, NULL };
    return cw_replay_start_args(r, args, env);
}

void cw_replay_stop(cw_replay *r)
{
    int status;
    if (r->stdin_fd > 0)
        close(r->stdin_fd);         /* the server exits when its stdin closes */
    if (r->pid > 0) {
        for (int i = 0; i < 500 && waitpid(r->pid, &status, WNOHANG) == 0; i++)
            usleep(10000);
        if (waitpid(r->pid, &status, WNOHANG) == 0) {
            kill(r->pid, SIGKILL);
            waitpid(r->pid, &status, 0);
        }
    }
    if (r->stdout_fd > 0)
        close(r->stdout_fd);
    memset(r, 0, sizeof(*r));
}

json_t *cw_replay_json(const cw_replay *r, const char *path)
{
    cw_http *http = cw_http_new(NULL);
    cw_http_response resp = { 0 };
    char *url = cw_asprintf("%s%s", r->base_url, path);
    cw_http_request req = { .url = url, .expect_json = 1 };
    char err[512];
    json_t *doc;
    assert_int_equal(cw_http_get(http, &req, &resp, NULL, err, sizeof(err)), 0);
    doc = json_loadb(resp.body.data, resp.body.len, 0, NULL);
    assert_non_null(doc);
    cw_http_response_free(&resp);
    cw_http_free(http);
    free(url);
    return doc;
}

json_t *cw_replay_log(const cw_replay *r)
{
    json_t *log = cw_replay_json(r, "/__log");
    assert_true(json_is_array(log));
    return log;
}

size_t cw_replay_log_size(const cw_replay *r)
{
    json_t *log = cw_replay_log(r);
    size_t n = json_array_size(log);
    json_decref(log);
    return n;
}

int cw_replay_setup(void **state)
{
    *state = cw_xcalloc(1, sizeof(cw_replay));
    return 0;
}

int cw_replay_teardown(void **state)
{
    cw_replay_stop(*state);
    free(*state);
    return 0;
}

/* ------------------------------------------------ warehouses */

/* The raw database for the tests that need one (their own SQL functions):
 * the only SQLite call of this file. */
static void raw_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
        fail_msg("SQL failed: %s", err ? err : "?");
}

sqlite3 *cw_test_schema_db(const char *path)
{
    sqlite3 *db = NULL;
    char *schema = cw_wh_schema_sql("sqlite");
    assert_non_null(schema);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    raw_exec(db, schema);
    free(schema);
    /* a warehouse of this catwalk's version, as cw_wh_open leaves a new one */
    {
        char version[96];
        snprintf(version, sizeof(version), "INSERT INTO schema_version (version) VALUES (%d)",
                 CW_SCHEMA_VERSION);
        raw_exec(db, version);
    }
    return db;
}

void cw_test_exec(cw_db *db, const char *sql)
{
    if (cw_db_exec(db, sql) != CW_DB_OK)
        fail_msg("SQL failed: %s\n%s", cw_db_errmsg(db), sql);
}

/* sql prepared, or the test fails with the engine's message. */
static cw_stmt *must_prepare(cw_db *db, const char *sql)
{
    cw_stmt *st = NULL;
    if (cw_db_prepare(db, sql, &st) != CW_DB_OK)
        fail_msg("%s: %s", sql, cw_db_errmsg(db));
    return st;
}

long cw_query_long(cw_db *db, const char *sql)
{
    cw_stmt *st = must_prepare(db, sql);
    long v = -999;
    if (cw_db_step(st) == CW_DB_ROW && cw_db_column_type(st, 0) != CW_DB_NULL)
        v = (long)cw_db_column_int(st, 0);
    cw_db_finalize(st);
    return v;
}

char *cw_query_text(cw_db *db, const char *sql)
{
    cw_stmt *st = must_prepare(db, sql);
    char *v = cw_strdup(cw_db_step(st) == CW_DB_ROW && cw_db_column_type(st, 0) != CW_DB_NULL
                        ? cw_db_column_text(st, 0) : "");
    cw_db_finalize(st);
    return v;
}

char *cw_query_rows(cw_db *db, const char *sql)
{
    cw_stmt *st = must_prepare(db, sql);
    cw_buf out = {0};
    int rc;
    cw_buf_puts(&out, "");
    while ((rc = cw_db_step(st)) == CW_DB_ROW) {
        for (int i = 0; i < cw_db_column_count(st); i++)
            cw_buf_printf(&out, "%s%s", i ? "|" : "", cw_db_column_type(st, i) == CW_DB_NULL
                          ? "NULL" : cw_db_column_text(st, i));
        cw_buf_puts(&out, ";");
    }
    if (rc != CW_DB_DONE)
        fail_msg("%s: %s", sql, cw_db_errmsg(db));
    cw_db_finalize(st);
    return out.data;
}

cw_warehouse *cw_test_warehouse(char *path, size_t size)
{
    cw_warehouse *wh;
    snprintf(path, size, "%s", cw_temp_file("", ".db"));
    unlink(path);               /* cw_wh_open creates it */
    assert_int_equal(cw_wh_open(&(cw_db_target){ path, NULL, NULL }, &wh), 0);
    return wh;
}

void cw_test_warehouse_drop(cw_warehouse *wh, const char *path)
{
    char side[4200];
    cw_wh_close(wh);
    unlink(path);
    snprintf(side, sizeof(side), "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", path);
    unlink(side);
}

/* ------------------------------------------------ files and output */

void cw_write_file(const char *dir, const char *name, const char *text)
{
    char *path = cw_asprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(path);
}

void cw_copy_test_data(const char *rel, const char *dest)
{
    size_t len;
    char *bytes = cw_read_file(cw_test_data(rel), &len);
    FILE *f;
    assert_non_null(bytes);
    assert_non_null(f = fopen(dest, "wb"));
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    free(bytes);
}

char *cw_temp_dir(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = cw_asprintf("%s/cwtestXXXXXX", tmp && *tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(dir));
    return dir;
}

void cw_remove_tree(const char *dir)
{
    char *cmd = cw_asprintf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

int cw_system(const char *fmt, ...)
{
    va_list ap;
    char *cmd;
    int rc;
    va_start(ap, fmt);
    if (vasprintf(&cmd, fmt, ap) < 0)
        fail_msg("out of memory");
    va_end(ap);
    rc = system(cmd);
    free(cmd);
    return rc;
}

void cw_redirect_begin(cw_redirect *r, int fd)
{
    const char *dir = getenv("TMPDIR");
    int tmp;
    snprintf(r->path, sizeof(r->path), "%s/cwoutXXXXXX", dir && *dir ? dir : "/tmp");
    tmp = mkstemp(r->path);
    assert_true(tmp >= 0);
    fflush(fd == 1 ? stdout : stderr);
    r->fd = fd;
    r->saved = dup(fd);
    assert_true(r->saved >= 0);
    dup2(tmp, fd);
    close(tmp);
}

char *cw_redirect_end(cw_redirect *r)
{
    char *text;
    fflush(r->fd == 1 ? stdout : stderr);
    dup2(r->saved, r->fd);
    close(r->saved);
    text = cw_read_file(r->path, NULL);
    unlink(r->path);
    assert_non_null(text);
    return text;
}

/* ------------------------------------------------ dd2: expected text */

void cw_expect_text_at(char *got, const char *want, const char *file, int line)
{
    if (!want) {
        _assert_true(got == NULL, "got == NULL", file, line);
        return;
    }
    _assert_true(got != NULL, "got != NULL", file, line);
    _assert_string_equal(got, want, file, line);
    free(got);
}

void cw_expect_all_at(const char *text, const char *const *needles, const char *file, int line)
{
    _assert_true(text != NULL, "text != NULL", file, line);
    for (; *needles; needles++)
        if (!strstr(text, *needles)) {
            print_error("the text lacks \"%s\"\n", *needles);
            _fail(file, line);
        }
}

/* ------------------------------------------------ dd2: records into a sink */

void cw_test_send_at(const cw_sink *sink, const cw_test_batch *b, const char *file, int line)
{
    for (size_t i = 0; i < b->n_status_defs; i++)
        _assert_int_equal(sink->status_def(sink->ctx, &b->status_defs[i]), 0, file, line);
    for (size_t i = 0; i < b->n_items; i++)
        _assert_int_equal(sink->work_item(sink->ctx, &b->items[i]), 0, file, line);
    for (size_t i = 0; i < b->n_links; i++)
        _assert_int_equal(sink->work_item_link(sink->ctx, &b->links[i]), 0, file, line);
    for (size_t i = 0; i < b->n_transitions; i++)
        _assert_int_equal(sink->transition(sink->ctx, &b->transitions[i]), 0, file, line);
    for (size_t i = 0; i < b->n_commits; i++)
        _assert_int_equal(sink->commit(sink->ctx, &b->commits[i]), 0, file, line);
    for (size_t i = 0; i < b->n_builds; i++)
        _assert_int_equal(sink->build(sink->ctx, &b->builds[i]), 0, file, line);
    for (size_t i = 0; i < b->n_statuses; i++)
        _assert_int_equal(sink->deployment_status(sink->ctx, &b->statuses[i]), 0, file, line);
    for (size_t i = 0; i < b->n_pulls; i++)
        _assert_int_equal(sink->pull_request(sink->ctx, &b->pulls[i]), 0, file, line);
    for (size_t i = 0; i < b->n_incidents; i++)
        _assert_int_equal(sink->incident(sink->ctx, &b->incidents[i]), 0, file, line);
}

/* ------------------------------------------------ dd1: shared test steps */

cw_source cw_test_source_of(const char *name, const char *type, cw_kv *keys, size_t n_keys)
{
    return (cw_source){ .name = (char *)name, .type = (char *)type, .line = 1,
                        .config_path = "test.ini", .config_dir = ".",
                        .keys = keys, .n_keys = n_keys };
}

static int fail_work_item(void *ctx, const cw_work_item *rec)
{
    (void)ctx;
    (void)rec;
    return -1;
}

static int fail_build(void *ctx, const cw_build *rec)
{
    (void)ctx;
    (void)rec;
    return -1;
}

void cw_expect_sink_failure_stops(const cw_source_type *type, const cw_source *src,
                                  const char *path)
{
    cw_capture cap;
    cw_capture_init(&cap);
    cap.sink.work_item = fail_work_item;
    cap.sink.build = fail_build;
    assert_int_equal(type->parse(src, path, &cap.sink), -1);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(cap.n_transitions, 0);
    cw_capture_free(&cap);
}

void cw_expect_author(const cw_commit *c, const char *name, const char *email,
                      const char *authored)
{
    assert_non_null(c);
    assert_string_equal(c->author_name, name);
    assert_string_equal(c->author_email, email);
    if (authored)
        assert_true(c->authored_at == cw_t(authored));
}

void cw_expect_rejects_at(const cw_capture *cap, size_t n, const cw_want_reject *want,
                          const char *file, int line)
{
    _assert_int_equal(cap->n_rejects, n, file, line);
    for (size_t i = 0; i < n; i++)
        cw_expect_reject_at(cap, i, want[i].record, want[i].field, want[i].reason, file, line);
}

void cw_expect_same_string(const char *got, const char *want)
{
    assert_true((got == NULL) == (want == NULL));
    if (want)
        assert_string_equal(got, want);
}

void cw_expect_deployment(const cw_build *b, const char *environment, int is_production)
{
    assert_non_null(b);
    assert_true(b->is_deployment);
    assert_string_equal(b->environment, environment);
    assert_int_equal(b->is_production, is_production);
}

const void *cw_found(const void *p, const char *fmt, ...)
{
    if (!p) {
        char what[256];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        fail_msg("%s not found", what);
    }
    return p;
}
