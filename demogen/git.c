/*
 * git.c - one application's repository as the documented git export
 * (formats.md decision 3): exports/git/<repo>.log, as written by
 *   git log --all --date-order --numstat --no-renames \
 *     --pretty=tformat:'%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%cn%x1f%ce%x1f%cI%x1f%s%x1f%b%x1f'
 * Each record: 0x1E, ten fields each followed by 0x1F, a newline; then, for
 * commits that are not merges, a blank line and the numstat lines.  Newest
 * first by commit date; no commit is older than its parents (sim.c)
 * and ties go child first, so parents always follow their children.
 *
 * Merges are pull requests merged on GitHub: the reviewer is the author,
 * "GitHub <noreply@github.com>" the committer, in UTC, while the author
 * date carries the reviewer's own offset, as in the real fixture.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

#define RS '\x1e'
#define US '\x1f'

typedef struct ident {
    const char *name, *email;
    cw_demo_zone_id zone;
} ident;

static const ident github = { "GitHub", "noreply@github.com", CW_DEMO_UTC };
static const ident dependabot = { "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com",
                                  CW_DEMO_UTC };

static ident author_of(const cw_demo_history *h, const cw_demo_commit *c)
{
    const cw_demo_person *p = &h->team->people[c->author];
    ident id = { p->name, p->email, p->zone };
    return c->kind == CW_DEMO_BOT ? dependabot : id;
}

static ident committer_of(const cw_demo_history *h, const cw_demo_commit *c)
{
    return c->kind == CW_DEMO_MERGE || c->kind == CW_DEMO_BOT ? github : author_of(h, c);
}

typedef struct order_key {
    int64_t at;
    int32_t mainline, index;
} order_key;

/* Newest first; among equal instants the later main-line commit (a child)
 * first, then the later-created one. */
static int cmp_newest(const void *a, const void *b)
{
    const order_key *x = a, *y = b;
    if (x->at != y->at)
        return (x->at < y->at) - (x->at > y->at);
    if (x->mainline != y->mainline)
        return (x->mainline < y->mainline) - (x->mainline > y->mainline);
    return (x->index < y->index) - (x->index > y->index);
}

static void write_parents(FILE *fp, const cw_demo_history *h, const cw_demo_commit *c)
{
    for (int k = 0; k < 2; k++) {
        char sha[41];
        if (c->parent[k] < 0)
            continue;
        cw_demo_sha(h->commits[c->parent[k]].seed, sha);
        if (k)
            fputc(' ', fp);
        fputs(sha, fp);
    }
}

static void write_field(FILE *fp, const char *text)
{
    fputs(text, fp);
    fputc(US, fp);
}

static void write_commit(cw_demo_ctx *ctx, FILE *fp, const cw_demo_history *h, const cw_demo_commit *c)
{
    ident a = author_of(h, c), cm = committer_of(h, c);
    char sha[41], adate[40], cdate[40], subject[300], body[600];

    cw_demo_sha(c->seed, sha);
    cw_demo_fmt_git(ctx, a.zone, c->at, adate, sizeof adate);
    cw_demo_fmt_git(ctx, cm.zone, c->at, cdate, sizeof cdate);
    cw_demo_commit_text(h, c, subject, sizeof subject, body, sizeof body);
    fputc(RS, fp);
    write_field(fp, sha);
    write_parents(fp, h, c);
    fputc(US, fp);
    write_field(fp, a.name);
    write_field(fp, a.email);
    write_field(fp, adate);
    write_field(fp, cm.name);
    write_field(fp, cm.email);
    write_field(fp, cdate);
    write_field(fp, subject);
    write_field(fp, body);
    fputc('\n', fp);
    if (c->kind != CW_DEMO_MERGE) {
        fputc('\n', fp);
        cw_demo_numstat(fp, h->app, c);
    }
}

int cw_demo_write_git(cw_demo_ctx *ctx, const cw_demo_history *h)
{
    order_key *order = malloc((h->n_commits ? h->n_commits : 1) * sizeof(*order));
    size_t n = 0;
    char rel[192], day[16];
    FILE *fp;

    if (!order)
        return -1;
    for (size_t i = 0; i < h->n_commits; i++)
        if (cw_demo_shown(ctx, h->commits[i].at))
            order[n++] = (order_key){ h->commits[i].at, h->commits[i].mainline, (int32_t)i };
    qsort(order, n, sizeof(*order), cmp_newest);
    /* The delta is `git log --since`: the day's commits in <repo>.<day>.log,
     * whose parents are in the log of the day before. */
    if (ctx->since == INT64_MIN) {
        snprintf(rel, sizeof rel, "exports/git/%s.log", h->app->name);
    } else {
        cw_time_format_date(ctx->since, day, sizeof day);
        snprintf(rel, sizeof rel, "exports/git/%s.%s.log", h->app->name, day);
    }
    if (n == 0 && ctx->since != INT64_MIN) {
        free(order);
        return 0;
    }
    fp = cw_demo_open(ctx, rel);
    if (!fp) {
        free(order);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        write_commit(ctx, fp, h, &h->commits[order[i].index]);
    free(order);
    ctx->tally->commits += (long)n;
    return cw_demo_close(ctx, fp, rel, 0);
}
