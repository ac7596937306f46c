/*
 * fuzz_support.c - scratch files and the checking sink of the harnesses.
 */
#include "fuzz.h"
#include "core/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cw_fuzz_check(int ok, const char *what, const char *file, int line)
{
    if (ok)
        return;
    fprintf(stderr, "%s:%d: invariant broken: %s\n", file, line, what);
    abort();
}

/* The scratch folder: one per process, removed at exit. */
static char scratch_dir[256];
static char scratch_path[512];

static void scratch_remove(void)
{
    if (scratch_path[0])
        unlink(scratch_path);
    if (scratch_dir[0])
        rmdir(scratch_dir);
}

static void scratch_make(void)
{
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
    snprintf(scratch_dir, sizeof scratch_dir, "%s/cw-fuzz-XXXXXX", base && *base ? base : "/tmp");
    CW_FUZZ_CHECK(mkdtemp(scratch_dir) != NULL);
    atexit(scratch_remove);
}

const char *cw_fuzz_file(const char *name, const uint8_t *data, size_t size)
{
    int fd;
    if (!scratch_dir[0])
        scratch_make();
    if (scratch_path[0])
        unlink(scratch_path);
    snprintf(scratch_path, sizeof scratch_path, "%s/%s", scratch_dir, name);
    fd = open(scratch_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CW_FUZZ_CHECK(fd >= 0);
    for (size_t done = 0; done < size;) {
        ssize_t n = write(fd, data + done, size - done);
        CW_FUZZ_CHECK(n > 0 || errno == EINTR);
        if (n > 0)
            done += (size_t)n;
    }
    CW_FUZZ_CHECK(close(fd) == 0);
    return scratch_path;
}

/* ------------------------------------------------------------ checking sink */

/* A string the record may leave NULL: when set, it must be readable to its
 * NUL and UTF-8 (core/record.h; PostgreSQL refuses anything else). */
static void text(const char *s)
{
    if (s) {
        CW_FUZZ_CHECK(strlen(s) < ((size_t)1 << 31));
        CW_FUZZ_CHECK(cw_utf8_valid(s, strlen(s)));
    }
}

/* A required string: present, non-empty and UTF-8. */
static void required(const char *s)
{
    CW_FUZZ_CHECK(s != NULL);
    CW_FUZZ_CHECK(s[0] != '\0');
    text(s);
}

static void origin(const cw_origin *o)
{
    required(o->source);
    required(o->file);
    CW_FUZZ_CHECK(o->record >= 0);
}

static int on_item(void *ctx, const cw_work_item *r)
{
    origin(&r->origin);
    required(r->key);
    required(r->project);
    text(r->external_id), text(r->summary), text(r->type), text(r->status);
    text(r->status_category), text(r->labels), text(r->fix_versions), text(r->assignee);
    CW_FUZZ_CHECK(r->created_at != CW_NO_TIME);
    ((cw_fuzz_counts *)ctx)->items++;
    return 0;
}

static int on_transition(void *ctx, const cw_transition *r)
{
    origin(&r->origin);
    CW_FUZZ_CHECK(r->item_key || r->item_id);
    text(r->item_key), text(r->item_id), text(r->history_id), text(r->from_status);
    required(r->to_status);
    CW_FUZZ_CHECK(r->at != CW_NO_TIME);
    ((cw_fuzz_counts *)ctx)->transitions++;
    return 0;
}

static int on_commit(void *ctx, const cw_commit *r)
{
    origin(&r->origin);
    required(r->sha);
    CW_FUZZ_CHECK(r->parents != NULL);
    text(r->repository), text(r->author_name), text(r->author_email), text(r->committer_name);
    text(r->committer_email), text(r->subject), text(r->body);
    CW_FUZZ_CHECK(r->authored_at != CW_NO_TIME);
    CW_FUZZ_CHECK(r->additions >= -1 && r->deletions >= -1 && r->files_changed >= -1);
    ((cw_fuzz_counts *)ctx)->commits++;
    return 0;
}

static int on_build(void *ctx, const cw_build *r)
{
    origin(&r->origin);
    required(r->job);
    text(r->result), text(r->revision), text(r->url), text(r->environment);
    ((cw_fuzz_counts *)ctx)->builds++;
    return 0;
}

static int on_incident(void *ctx, const cw_incident *r)
{
    origin(&r->origin);
    required(r->id);
    text(r->number), text(r->title), text(r->description), text(r->service);
    text(r->status), text(r->severity);
    CW_FUZZ_CHECK(r->created_at != CW_NO_TIME);
    ((cw_fuzz_counts *)ctx)->incidents++;
    return 0;
}

static int on_reject(void *ctx, const cw_reject *r)
{
    origin(&r->origin);
    required(r->reason);
    text(r->field), text(r->raw);
    ((cw_fuzz_counts *)ctx)->rejects++;
    return 0;
}

static int on_pull(void *ctx, const cw_pull_request *r)
{
    origin(&r->origin);
    required(r->repository);
    text(r->title), text(r->body), text(r->source_branch), text(r->target_branch);
    text(r->state), text(r->author), text(r->merge_commit_sha), text(r->squash_commit_sha);
    CW_FUZZ_CHECK(r->created_at != CW_NO_TIME);
    ((cw_fuzz_counts *)ctx)->pulls++;
    return 0;
}

static int on_status(void *ctx, const cw_deployment_status *r)
{
    origin(&r->origin);
    required(r->job);
    text(r->state);
    CW_FUZZ_CHECK(r->created_at != CW_NO_TIME);
    ((cw_fuzz_counts *)ctx)->statuses++;
    return 0;
}

static int on_pull_commit(void *ctx, const cw_pull_request_commit *r)
{
    origin(&r->origin);
    required(r->repository), required(r->sha);
    CW_FUZZ_CHECK(r->number > 0);
    ((cw_fuzz_counts *)ctx)->pull_commits++;
    return 0;
}

static int on_pull_review(void *ctx, const cw_pull_request_review *r)
{
    origin(&r->origin);
    required(r->repository);
    text(r->reviewer), text(r->state);
    CW_FUZZ_CHECK(r->number > 0);
    CW_FUZZ_CHECK(r->submitted_at != CW_NO_TIME);
    ((cw_fuzz_counts *)ctx)->pull_reviews++;
    return 0;
}

static int on_finding(void *ctx, const cw_finding *r)
{
    (void)ctx;
    origin(&r->origin);
    required(r->kind), required(r->subject), required(r->detail);
    return 0;
}

static int on_kpi(void *ctx, const cw_kpi *r)
{
    (void)ctx;
    origin(&r->origin);
    required(r->application), required(r->name);
    CW_FUZZ_CHECK(r->at != CW_NO_TIME);
    CW_FUZZ_CHECK(r->value == r->value && r->value > -1e301 && r->value < 1e301);   /* finite */
    return 0;
}

static int on_release(void *ctx, const cw_release *r)
{
    (void)ctx;
    origin(&r->origin);
    required(r->project), required(r->name);
    text(r->external_id);
    return 0;
}

static int on_version_change(void *ctx, const cw_version_change *r)
{
    (void)ctx;
    origin(&r->origin);
    CW_FUZZ_CHECK(r->item_key || r->item_id);
    text(r->item_key), text(r->item_id), text(r->history_id), text(r->version_id);
    required(r->version);
    CW_FUZZ_CHECK(r->at != CW_NO_TIME);
    CW_FUZZ_CHECK(r->added == 0 || r->added == 1);
    return 0;
}

static int on_link(void *ctx, const cw_work_item_link *r)
{
    origin(&r->origin);
    required(r->item_key);
    CW_FUZZ_CHECK(r->target_key || r->target_id);
    text(r->target_key), text(r->target_id);
    CW_FUZZ_CHECK(r->kind >= CW_LINK_PARENT && r->kind <= CW_LINK_BLOCKS);
    ((cw_fuzz_counts *)ctx)->links++;
    return 0;
}

void cw_fuzz_sink(cw_sink *sink, cw_fuzz_counts *counts)
{
    memset(counts, 0, sizeof *counts);
    memset(sink, 0, sizeof *sink);
    sink->ctx = counts;
    sink->work_item = on_item;
    sink->transition = on_transition;
    sink->commit = on_commit;
    sink->build = on_build;
    sink->incident = on_incident;
    sink->reject = on_reject;
    sink->pull_request = on_pull;
    sink->deployment_status = on_status;
    sink->finding = on_finding;
    sink->kpi = on_kpi;
    sink->release = on_release;
    sink->version_change = on_version_change;
    sink->pull_request_commit = on_pull_commit;
    sink->pull_request_review = on_pull_review;
    sink->work_item_link = on_link;
}
