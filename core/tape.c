/*
 * tape.c - records on tape (see tape.h).
 *
 * An entry is a header, a copy of the record's struct, then everything the
 * struct points to (the build's revisions, every string), with the copy's
 * pointers moved to those bytes.  Which fields are strings is one table per
 * record type (kinds[] below): a string field added to record.h must be
 * added there, or the copy would keep a pointer into the parser's buffers.
 * The size checks after the table stop the build when a record grows, so
 * nobody can forget it.
 */
#include "tape.h"
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ALIGN(n) (((n) + 15u) & ~(size_t)15u)

enum kind {
    K_WORK_ITEM, K_TRANSITION, K_COMMIT, K_BUILD, K_INCIDENT, K_REJECT, K_PULL_REQUEST,
    K_DEPLOYMENT_STATUS, K_STATUS_DEF, K_FINDING, K_LOG,
    K_RELEASE, K_VERSION_CHANGE, K_PR_COMMIT, K_PR_REVIEW, K_KPI, K_WORK_ITEM_LINK
};

typedef struct entry {
    uint32_t kind;
    uint32_t level;             /* K_LOG: the cw_log_level */
    size_t size;                /* the whole entry, aligned */
} entry;

#define MAX_STRINGS 16

typedef struct kind_info {
    size_t size;                /* of the record struct */
    size_t strings[MAX_STRINGS];/* offsets of its const char * fields; 0 ends (origin.source
                                   is at 0 in every record, so it is listed first, apart) */
} kind_info;

#define O(T, f) offsetof(T, f)
#define ORIGIN(T) O(T, origin.file)

/* Every string field of every record (origin.source, at offset 0, is copied
 * for every kind without being listed). */
static const kind_info kinds[] = {
    [K_WORK_ITEM] = {sizeof(cw_work_item), {ORIGIN(cw_work_item), O(cw_work_item, key),
        O(cw_work_item, external_id), O(cw_work_item, project), O(cw_work_item, summary),
        O(cw_work_item, type), O(cw_work_item, status), O(cw_work_item, status_category),
        O(cw_work_item, labels), O(cw_work_item, fix_versions), O(cw_work_item, assignee),
        O(cw_work_item, status_id)}},
    [K_TRANSITION] = {sizeof(cw_transition), {ORIGIN(cw_transition), O(cw_transition, item_key),
        O(cw_transition, item_id), O(cw_transition, history_id), O(cw_transition, from_status),
        O(cw_transition, to_status)}},
    [K_COMMIT] = {sizeof(cw_commit), {ORIGIN(cw_commit), O(cw_commit, repository),
        O(cw_commit, sha), O(cw_commit, parents), O(cw_commit, author_name),
        O(cw_commit, author_email), O(cw_commit, committer_name), O(cw_commit, committer_email),
        O(cw_commit, subject), O(cw_commit, body)}},
    [K_BUILD] = {sizeof(cw_build), {ORIGIN(cw_build), O(cw_build, job), O(cw_build, result),
        O(cw_build, revision), O(cw_build, url), O(cw_build, environment)}},
    [K_INCIDENT] = {sizeof(cw_incident), {ORIGIN(cw_incident), O(cw_incident, id),
        O(cw_incident, number), O(cw_incident, title), O(cw_incident, description),
        O(cw_incident, service), O(cw_incident, status), O(cw_incident, severity)}},
    [K_REJECT] = {sizeof(cw_reject), {ORIGIN(cw_reject), O(cw_reject, field),
        O(cw_reject, reason), O(cw_reject, raw)}},
    [K_PULL_REQUEST] = {sizeof(cw_pull_request), {ORIGIN(cw_pull_request),
        O(cw_pull_request, repository), O(cw_pull_request, title), O(cw_pull_request, body),
        O(cw_pull_request, source_branch), O(cw_pull_request, target_branch),
        O(cw_pull_request, state), O(cw_pull_request, author),
        O(cw_pull_request, merge_commit_sha), O(cw_pull_request, squash_commit_sha)}},
    [K_DEPLOYMENT_STATUS] = {sizeof(cw_deployment_status), {ORIGIN(cw_deployment_status),
        O(cw_deployment_status, job), O(cw_deployment_status, state)}},
    [K_STATUS_DEF] = {sizeof(cw_status_def), {ORIGIN(cw_status_def), O(cw_status_def, id),
        O(cw_status_def, name), O(cw_status_def, category)}},
    [K_FINDING] = {sizeof(cw_finding), {ORIGIN(cw_finding), O(cw_finding, kind),
        O(cw_finding, subject), O(cw_finding, detail)}},
    [K_KPI] = {sizeof(cw_kpi), {ORIGIN(cw_kpi), O(cw_kpi, application), O(cw_kpi, name)}},
    [K_RELEASE] = {sizeof(cw_release), {ORIGIN(cw_release), O(cw_release, project),
        O(cw_release, name), O(cw_release, external_id)}},
    [K_VERSION_CHANGE] = {sizeof(cw_version_change), {ORIGIN(cw_version_change),
        O(cw_version_change, item_key), O(cw_version_change, item_id),
        O(cw_version_change, history_id), O(cw_version_change, version),
        O(cw_version_change, version_id)}},
    [K_PR_COMMIT] = {sizeof(cw_pull_request_commit), {ORIGIN(cw_pull_request_commit),
        O(cw_pull_request_commit, repository), O(cw_pull_request_commit, sha)}},
    [K_PR_REVIEW] = {sizeof(cw_pull_request_review), {ORIGIN(cw_pull_request_review),
        O(cw_pull_request_review, repository), O(cw_pull_request_review, reviewer),
        O(cw_pull_request_review, state)}},
    [K_WORK_ITEM_LINK] = {sizeof(cw_work_item_link), {ORIGIN(cw_work_item_link),
        O(cw_work_item_link, item_key), O(cw_work_item_link, target_key),
        O(cw_work_item_link, target_id)}},
};

/* A record that grew (a new field) must have its strings listed above:
 * these sizes (LP64) are the records the table was written for. */
#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(cw_origin) == 24 && offsetof(cw_origin, source) == 0, "tape: origin");
_Static_assert(sizeof(cw_work_item) == 152, "tape: list cw_work_item's new strings in kinds[]");
_Static_assert(sizeof(cw_transition) == 72, "tape: list cw_transition's new strings in kinds[]");
_Static_assert(sizeof(cw_commit) == 144, "tape: list cw_commit's new strings in kinds[]");
_Static_assert(sizeof(cw_build) == 120, "tape: list cw_build's new strings in kinds[]");
_Static_assert(sizeof(cw_build_revision) == 16, "tape: copy cw_build_revision's new strings");
_Static_assert(sizeof(cw_incident) == 112, "tape: list cw_incident's new strings in kinds[]");
_Static_assert(sizeof(cw_reject) == 48, "tape: list cw_reject's new strings in kinds[]");
_Static_assert(sizeof(cw_pull_request) == 136, "tape: list cw_pull_request's new strings");
_Static_assert(sizeof(cw_deployment_status) == 64, "tape: list cw_deployment_status's strings");
_Static_assert(sizeof(cw_status_def) == 48, "tape: list cw_status_def's new strings in kinds[]");
_Static_assert(sizeof(cw_finding) == 48, "tape: list cw_finding's new strings in kinds[]");
_Static_assert(sizeof(cw_kpi) == 56, "tape: list cw_kpi's new strings in kinds[]");
_Static_assert(sizeof(cw_release) == 72, "tape: list cw_release's new strings in kinds[]");
_Static_assert(sizeof(cw_version_change) == 80, "tape: list cw_version_change's new strings");
_Static_assert(sizeof(cw_pull_request_commit) == 56, "tape: list cw_pull_request_commit's strings");
_Static_assert(sizeof(cw_pull_request_review) == 72, "tape: list cw_pull_request_review's strings");
_Static_assert(sizeof(cw_work_item_link) == 56, "tape: list cw_work_item_link's strings");
#endif

/* ------------------------------------------------------------------ writing */

static const char **field(void *rec, size_t offset)
{
    return (const char **)((char *)rec + offset);
}

static size_t text_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

/* Bytes the pointed-to data of rec takes on tape. */
static size_t payload_size(enum kind k, const void *rec)
{
    size_t n = text_size(*field((void *)rec, 0));
    for (const size_t *o = kinds[k].strings; *o; o++)
        n += text_size(*field((void *)rec, *o));
    if (k == K_BUILD) {
        const cw_build *b = rec;
        n += ALIGN(b->n_revisions * sizeof(cw_build_revision));
        for (size_t i = 0; i < b->n_revisions; i++)
            n += text_size(b->revisions[i].remote) + text_size(b->revisions[i].sha);
    }
    return n;
}

/* Copy *slot's string to *at and point *slot at the copy. */
static void move_text(const char **slot, char **at)
{
    size_t n = text_size(*slot);
    if (!n)
        return;
    memcpy(*at, *slot, n);
    *slot = *at;
    *at += n;
}

/* Room for an entry of `need` bytes: in the open chunk, else in a new one
 * after the open one is sealed.  NULL once the tape has stopped. */
static unsigned char *reserve(cw_tape *t, size_t need)
{
    unsigned char *at;
    if (t->stopped)
        return NULL;
    if (t->open && t->open->size - t->open->used < need && cw_tape_finish(t) != 0)
        return NULL;
    if (!t->open) {
        size_t size = need > t->chunk_size ? need : t->chunk_size;
        t->open = cw_xmalloc(sizeof(cw_tape_chunk) + size);
        t->open->next = NULL;
        t->open->size = size;
        t->open->used = 0;
    }
    at = t->open->data + t->open->used;
    t->open->used += need;
    return at;
}

static int put(cw_tape *t, enum kind k, const void *rec)
{
    size_t head = ALIGN(sizeof(entry)), body = ALIGN(kinds[k].size);
    size_t need = ALIGN(head + body + payload_size(k, rec));
    unsigned char *at = reserve(t, need);
    void *copy;
    char *text;
    if (!at)
        return -1;
    ((entry *)at)->kind = k;
    ((entry *)at)->level = 0;
    ((entry *)at)->size = need;
    copy = at + head;
    memcpy(copy, rec, kinds[k].size);
    text = (char *)copy + body;
    if (k == K_BUILD && ((cw_build *)copy)->n_revisions) {
        cw_build *b = copy;
        cw_build_revision *revs = (cw_build_revision *)text;
        memcpy(revs, b->revisions, b->n_revisions * sizeof *revs);
        text += ALIGN(b->n_revisions * sizeof *revs);
        for (size_t i = 0; i < b->n_revisions; i++) {
            move_text(&revs[i].remote, &text);
            move_text(&revs[i].sha, &text);
        }
        b->revisions = revs;
    }
    move_text(field(copy, 0), &text);
    for (const size_t *o = kinds[k].strings; *o; o++)
        move_text(field(copy, *o), &text);
    return 0;
}

static int tape_work_item(void *ctx, const cw_work_item *r) { return put(ctx, K_WORK_ITEM, r); }
static int tape_transition(void *ctx, const cw_transition *r) { return put(ctx, K_TRANSITION, r); }
static int tape_commit(void *ctx, const cw_commit *r) { return put(ctx, K_COMMIT, r); }
static int tape_build(void *ctx, const cw_build *r) { return put(ctx, K_BUILD, r); }
static int tape_incident(void *ctx, const cw_incident *r) { return put(ctx, K_INCIDENT, r); }
static int tape_reject(void *ctx, const cw_reject *r) { return put(ctx, K_REJECT, r); }
static int tape_pull_request(void *ctx, const cw_pull_request *r)
{
    return put(ctx, K_PULL_REQUEST, r);
}
static int tape_deployment_status(void *ctx, const cw_deployment_status *r)
{
    return put(ctx, K_DEPLOYMENT_STATUS, r);
}
static int tape_status_def(void *ctx, const cw_status_def *r) { return put(ctx, K_STATUS_DEF, r); }
static int tape_finding(void *ctx, const cw_finding *r) { return put(ctx, K_FINDING, r); }
static int tape_kpi(void *ctx, const cw_kpi *r) { return put(ctx, K_KPI, r); }
static int tape_release(void *ctx, const cw_release *r) { return put(ctx, K_RELEASE, r); }
static int tape_version_change(void *ctx, const cw_version_change *r)
{
    return put(ctx, K_VERSION_CHANGE, r);
}
static int tape_pr_commit(void *ctx, const cw_pull_request_commit *r)
{
    return put(ctx, K_PR_COMMIT, r);
}
static int tape_pr_review(void *ctx, const cw_pull_request_review *r)
{
    return put(ctx, K_PR_REVIEW, r);
}
static int tape_work_item_link(void *ctx, const cw_work_item_link *r)
{
    return put(ctx, K_WORK_ITEM_LINK, r);
}

void cw_tape_init(cw_tape *t, const cw_sink *like, size_t chunk_size, cw_tape_seal_fn seal,
                  void *ctx)
{
    memset(t, 0, sizeof *t);
    t->sink.ctx = t;
    t->sink.work_item = like->work_item ? tape_work_item : NULL;
    t->sink.transition = like->transition ? tape_transition : NULL;
    t->sink.commit = like->commit ? tape_commit : NULL;
    t->sink.build = like->build ? tape_build : NULL;
    t->sink.incident = like->incident ? tape_incident : NULL;
    t->sink.reject = like->reject ? tape_reject : NULL;
    t->sink.pull_request = like->pull_request ? tape_pull_request : NULL;
    t->sink.deployment_status = like->deployment_status ? tape_deployment_status : NULL;
    t->sink.status_def = like->status_def ? tape_status_def : NULL;
    t->sink.finding = like->finding ? tape_finding : NULL;
    t->sink.kpi = like->kpi ? tape_kpi : NULL;
    t->sink.release = like->release ? tape_release : NULL;
    t->sink.version_change = like->version_change ? tape_version_change : NULL;
    t->sink.pull_request_commit = like->pull_request_commit ? tape_pr_commit : NULL;
    t->sink.pull_request_review = like->pull_request_review ? tape_pr_review : NULL;
    t->sink.work_item_link = like->work_item_link ? tape_work_item_link : NULL;
    t->chunk_size = chunk_size ? chunk_size : 1;
    t->seal = seal;
    t->ctx = ctx;
}

void cw_tape_log(void *tape, cw_log_level level, const char *text)
{
    size_t head = ALIGN(sizeof(entry)), n = strlen(text) + 1;
    unsigned char *at = reserve(tape, ALIGN(head + n));
    if (!at)
        return;         /* the tape stopped: its file is being given up */
    ((entry *)at)->kind = K_LOG;
    ((entry *)at)->level = (uint32_t)level;
    ((entry *)at)->size = ALIGN(head + n);
    memcpy(at + head, text, n);
}

int cw_tape_finish(cw_tape *t)
{
    cw_tape_chunk *c = t->open;
    if (t->stopped)
        return -1;
    if (!c || c->used == 0)
        return 0;
    t->open = NULL;
    if (t->seal(t->ctx, c) != 0)
        t->stopped = 1;
    return t->stopped ? -1 : 0;
}

void cw_tape_discard(cw_tape *t)
{
    cw_tape_chunk_free(t->open);
    t->open = NULL;
}

/* ------------------------------------------------------------------ replay */

static int replay_one(const entry *e, const void *rec, cw_sink *s)
{
    switch ((enum kind)e->kind) {
    case K_WORK_ITEM: return s->work_item(s->ctx, rec);
    case K_TRANSITION: return s->transition(s->ctx, rec);
    case K_COMMIT: return s->commit(s->ctx, rec);
    case K_BUILD: return s->build(s->ctx, rec);
    case K_INCIDENT: return s->incident(s->ctx, rec);
    case K_REJECT: return s->reject(s->ctx, rec);
    case K_PULL_REQUEST: return s->pull_request(s->ctx, rec);
    case K_DEPLOYMENT_STATUS: return s->deployment_status(s->ctx, rec);
    case K_STATUS_DEF: return s->status_def(s->ctx, rec);
    case K_FINDING: return s->finding(s->ctx, rec);
    case K_KPI: return s->kpi(s->ctx, rec);
    case K_RELEASE: return s->release(s->ctx, rec);
    case K_VERSION_CHANGE: return s->version_change(s->ctx, rec);
    case K_PR_COMMIT: return s->pull_request_commit(s->ctx, rec);
    case K_PR_REVIEW: return s->pull_request_review(s->ctx, rec);
    case K_WORK_ITEM_LINK: return s->work_item_link(s->ctx, rec);
    case K_LOG: cw_log((cw_log_level)e->level, "%s", (const char *)rec); return 0;
    }
    return -1;
}

int cw_tape_replay(const cw_tape_chunk *chunk, cw_sink *into)
{
    size_t head = ALIGN(sizeof(entry));
    for (size_t at = 0; at < chunk->used;) {
        const entry *e = (const entry *)(chunk->data + at);
        int rc = replay_one(e, chunk->data + at + head, into);
        if (rc != 0)
            return rc;
        at += e->size;
    }
    return 0;
}

void cw_tape_chunk_free(cw_tape_chunk *chunk)
{
    free(chunk);
}
