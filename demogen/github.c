/*
 * github.c - one application's pull requests as the GitHub REST API lists
 * them (formats.md section 3), agreeing with the git log of git.c:
 *   exports/github/pulls-page<N>.<repo>.json
 *       GET /repos/harbourside/<repo>/pulls?state=all&direction=asc&per_page=100
 *       (the list shape: no merged, merged_by, commits or additions keys);
 *   exports/github/pull-<n>-commits.<repo>.json   GET /pulls/{n}/commits
 *   exports/github/pulls-<n>-reviews.<repo>.json  GET /pulls/{n}/reviews
 * A page of one pull request's commits looks like any list of commits, so
 * its file name names the pull request ("pull-<n>-", as the live connector
 * lands it); the repository follows a dot, so "*.<repo>.*json" selects one
 * repository's files (names have no dot) and "pulls-*.<repo>.*json" its
 * list and reviews pages, not its commits pages.  Harbourside's own 35 applications have the commits and
 * reviews pages; synthesised ones (--apps beyond 35) the list pages only.
 * The delta day's files carry the day after the repository name
 * (pulls-page1.<repo>.<day>.json): the pull requests opened, reviewed or
 * closed that day, as a nightly export of `sort=updated` finds them.
 *
 * A merged pull request's merge_commit_sha is the merge commit of the log
 * ("Merge pull request #N from harbourside/feature/KEY-n-slug"); a
 * dependabot bump is squashed, so its merge_commit_sha is the bump commit
 * on main.  Open and abandoned ones carry GitHub's test-merge sha, which is
 * in no log (formats.md: never proof of a merge).  Reviews: the reviewer
 * asks for changes before a fix commit and approves before the merge; a few
 * pull requests were reviewed only by their author (GitHub lets an author
 * comment, not approve).  Pages are built, written and freed one by one.
 */
#include "internal.h"
#include "../core/util.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_SIZE 100
#define API "https://api.github.com/repos/harbourside"
#define WEB "https://github.com/harbourside"

typedef struct gh_writer {
    cw_demo_ctx *ctx;
    const cw_demo_history *h;
    char day[16];                /* "" for the export, ".<day>" for the delta */
} gh_writer;

/* "amelia.hartley@..." -> "amelia-hartley" */
static void login_of(const cw_demo_person *p, char *buf, size_t n)
{
    size_t o = 0;
    for (const char *c = p->email; *c && *c != '@' && o + 1 < n; c++)
        buf[o++] = *c == '.' ? '-' : *c;
    buf[o] = '\0';
}

static json_t *user_json(const gh_writer *w, int person)
{
    char login[64];
    if (person < 0)
        return json_pack("{s:s, s:i, s:s}", "login", "dependabot[bot]", "id", 49699333, "type", "Bot");
    login_of(&w->h->team->people[person], login, sizeof login);
    return json_pack("{s:s, s:I, s:s}", "login", login,
                     "id", (json_int_t)(7000000 + w->h->app->team * 100 + person), "type", "User");
}

static void iso(int64_t t, char *buf, size_t n)
{
    cw_demo_fmt_utc(t, buf, n);
}

static json_t *time_or_null(const gh_writer *w, int64_t t)
{
    char buf[40];
    if (!t || t >= w->ctx->cut)
        return json_null();
    iso(t, buf, sizeof buf);
    return json_string(buf);
}

/* ---- reviews --------------------------------------------------------------------- */

typedef struct review {
    int64_t at;
    int person;
    const char *state;
} review;

/* The reviews a pull request gets over its life, oldest first. */
static int reviews_of(const cw_demo_pull *p, review *out)
{
    int n = 0;
    int64_t end = p->closed ? p->closed : INT64_MAX;
    cw_demo_rng r = { (uint64_t)p->opened * 2654435761u ^ (uint64_t)p->head };
    if (p->changes_at && p->reviewer != p->author)
        out[n++] = (review){ p->changes_at, p->reviewer, "CHANGES_REQUESTED" };
    if (p->merge < 0) {                      /* open or abandoned: a comment at most */
        int64_t at = p->opened + cw_demo_between(&r, 30, 600) * 60;
        if (!p->changes_at && at < end && cw_demo_chance(&r, 0.6))
            out[n++] = (review){ at, p->reviewer, "COMMENTED" };
        return n;
    }
    {
        int64_t at = p->approved ? p->approved : p->closed - cw_demo_between(&r, 2, 60) * 60;
        int64_t floor = (n ? out[n - 1].at : p->opened) + 60;
        if (at < floor)
            at = floor < p->closed ? floor : p->closed;
        out[n++] = (review){ at, p->reviewer, p->reviewer == p->author ? "COMMENTED" : "APPROVED" };
    }
    return n;
}

/* ---- one pull request ------------------------------------------------------------ */

/* The last instant the pull request changed before the cut, 0 if not shown. */
static int64_t updated_at(const gh_writer *w, const cw_demo_pull *p)
{
    review rv[4];
    int n = reviews_of(p, rv);
    int64_t last = p->opened;
    if (p->opened >= w->ctx->cut)
        return 0;
    for (int i = 0; i < n; i++)
        if (rv[i].at < w->ctx->cut && rv[i].at > last)
            last = rv[i].at;
    if (p->closed && p->closed < w->ctx->cut && p->closed > last)
        last = p->closed;
    return last;
}

static int shown(const gh_writer *w, const cw_demo_pull *p)
{
    int64_t u = updated_at(w, p);
    return u && u >= w->ctx->since;
}

static void sha_of(const cw_demo_history *h, int32_t commit, char *buf)
{
    cw_demo_sha(h->commits[commit].seed, buf);
}

/* title, body and head branch */
static void texts(const gh_writer *w, const cw_demo_pull *p, char *title, size_t nt, char *body, size_t nb,
                  char *ref, size_t nr)
{
    const cw_demo_history *h = w->h;
    char key[32], summary[200], slug[64];

    if (p->ticket < 0) {
        char subject[300], *cut;
        cw_demo_commit_text(h, &h->commits[p->merge], subject, sizeof subject, body, nb);
        if ((cut = strstr(subject, " (#")) != NULL)
            *cut = '\0';
        snprintf(title, nt, "%s", subject);
        cw_demo_slug(subject + (strncmp(subject, "Bump ", 5) == 0 ? 5 : 0), slug, sizeof slug);
        snprintf(ref, nr, "dependabot/%s", slug);
        return;
    }
    {
        const cw_demo_ticket *t = &h->tickets[p->ticket];
        cw_demo_key(h->app, t->number, key, sizeof key);
        cw_demo_ticket_summary(h->team, t, summary, sizeof summary);
        cw_demo_slug(summary, slug, sizeof slug);
        snprintf(ref, nr, "feature/%s-%s", key, slug);
        if (t->flags & CW_DEMO_T_KEYLESS) {   /* the key only in the branch name */
            snprintf(title, nt, "%s", summary);
            snprintf(body, nb, "Tested against the regression pack.");
        } else {
            snprintf(title, nt, "[%s] %s", key, summary);
            snprintf(body, nb, "Implements %s.\n\n- unit tests added\n- checked in the test environment", key);
        }
    }
}

static json_t *pull_json(const gh_writer *w, const cw_demo_pull *p)
{
    const cw_demo_history *h = w->h;
    uint32_t number = cw_demo_pull_number(h, p);
    int merged = p->merge >= 0 && p->closed < w->ctx->cut;
    int closed = p->closed && p->closed < w->ctx->cut;
    char title[300], body[600], ref[128], label[160], url[160], html[160], created[40], updated[40];
    char merge_sha[41], head_sha[41], base_sha[41], full[128];
    int32_t head = p->head >= 0 ? p->head : p->merge, base;

    texts(w, p, title, sizeof title, body, sizeof body, ref, sizeof ref);
    /* the head as the cut shows it: a fix commit after the cut is not there yet */
    while (head >= 0 && h->commits[head].at >= w->ctx->cut && head != p->first)
        head = h->commits[head].parent[0];
    base = p->first >= 0 ? h->commits[p->first].parent[0] : h->commits[p->merge].parent[0];
    if (merged)
        sha_of(h, p->merge, merge_sha);
    else
        cw_demo_sha((uint64_t)p->opened ^ 0x7E57ULL ^ ((uint64_t)number << 32), merge_sha);
    sha_of(h, head, head_sha);
    if (base >= 0)
        sha_of(h, base, base_sha);
    else
        sha_of(h, 0, base_sha);
    snprintf(url, sizeof url, API "/%s/pulls/%u", h->app->name, (unsigned)number);
    snprintf(html, sizeof html, WEB "/%s/pull/%u", h->app->name, (unsigned)number);
    snprintf(label, sizeof label, "harbourside:%s", ref);
    iso(p->opened, created, sizeof created);
    iso(updated_at(w, p), updated, sizeof updated);
    snprintf(full, sizeof full, "harbourside/%s", h->app->name);
    return json_pack("{s:s, s:I, s:s, s:I, s:s, s:b, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:s,"
                   " s:{s:s, s:s, s:s, s:{s:s}}, s:{s:s, s:s, s:s, s:{s:s}}, s:b, s:o, s:s}",
                   "url", url, "id", (json_int_t)(1900000000LL + (h->index + 1) * 100000LL + number),
                   "html_url", html, "number", (json_int_t)number,
                   "state", closed ? "closed" : "open", "locked", 0, "title", title,
                   "user", user_json(w, p->author), "body", body,
                   "created_at", created, "updated_at", updated,
                   "closed_at", time_or_null(w, closed ? p->closed : 0),
                   "merged_at", time_or_null(w, merged ? p->closed : 0),
                   "merge_commit_sha", merge_sha,
                   "head", "label", label, "ref", ref, "sha", head_sha,
                   "repo", "full_name", full,
                   "base", "label", "harbourside:main", "ref", "main", "sha", base_sha,
                   "repo", "full_name", full,
                   "draft", 0, "labels", json_array(), "author_association", "MEMBER");
}

/* GET /pulls/{n}/commits: the branch's commits, oldest first. */
static json_t *commits_json(const gh_writer *w, const cw_demo_pull *p)
{
    const cw_demo_history *h = w->h;
    json_t *list = json_array();
    int32_t chain[64];
    int n = 0;

    if (p->first < 0) {
        chain[n++] = p->merge;
    } else {
        for (int32_t c = p->head; c >= 0 && n < 64; c = h->commits[c].parent[0]) {
            chain[n++] = c;
            if (c == p->first)
                break;
        }
    }
    for (int i = n - 1; i >= 0; i--) {
        const cw_demo_commit *c = &h->commits[chain[i]];
        const cw_demo_person *who = &h->team->people[c->author];
        int bot = c->kind == CW_DEMO_BOT;
        char sha[41], parent[41], subject[300], body[600], message[1000], at[40];
        if (c->at >= w->ctx->cut)
            continue;
        cw_demo_sha(c->seed, sha);
        if (c->parent[0] >= 0)
            cw_demo_sha(h->commits[c->parent[0]].seed, parent);
        else
            parent[0] = '\0';
        cw_demo_commit_text(h, c, subject, sizeof subject, body, sizeof body);
        snprintf(message, sizeof message, body[0] ? "%s\n\n%s" : "%s", subject, body);
        iso(c->at, at, sizeof at);
        json_array_append_new(list, json_pack(
            "{s:s, s:{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:s, s:i}, s:o, s:o, s:[{s:s}]}",
            "sha", sha,
            "commit", "author", "name", bot ? "dependabot[bot]" : who->name,
            "email", bot ? "49699333+dependabot[bot]@users.noreply.github.com" : who->email, "date", at,
            "committer", "name", bot ? "GitHub" : who->name, "email", bot ? "noreply@github.com" : who->email,
            "date", at, "message", message, "comment_count", 0,
            "author", user_json(w, bot ? -1 : c->author), "committer", user_json(w, bot ? -1 : c->author),
            "parents", "sha", parent));
    }
    return list;
}

/* GET /pulls/{n}/reviews: id, user, body, state, submitted_at, commit_id. */
static json_t *reviews_json(const gh_writer *w, const cw_demo_pull *p)
{
    const cw_demo_history *h = w->h;
    uint32_t number = cw_demo_pull_number(h, p);
    review rv[4];
    int n = reviews_of(p, rv);
    json_t *list = json_array();
    char sha[41], url[160], html[200], at[40];

    sha_of(h, p->head >= 0 ? p->head : p->merge, sha);
    snprintf(url, sizeof url, API "/%s/pulls/%u", h->app->name, (unsigned)number);
    for (int i = 0; i < n; i++) {
        long id = 2100000000L + (h->index + 1) * 1000000L + (long)number * 4 + i;
        if (rv[i].at >= w->ctx->cut)
            continue;
        iso(rv[i].at, at, sizeof at);
        snprintf(html, sizeof html, WEB "/%s/pull/%u#pullrequestreview-%ld", h->app->name, (unsigned)number, id);
        json_array_append_new(list, json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
            "id", (json_int_t)id, "user", user_json(w, rv[i].person),
            "body", strcmp(rv[i].state, "APPROVED") == 0 ? "LGTM" :
                    strcmp(rv[i].state, "CHANGES_REQUESTED") == 0 ? "Please add a test for the edge case." : "",
            "state", rv[i].state, "html_url", html, "pull_request_url", url,
            "author_association", "MEMBER", "submitted_at", at, "commit_id", sha));
    }
    return list;
}

/* ---- files ------------------------------------------------------------------------- */

static int cmp_opened(const void *a, const void *b)
{
    const cw_demo_pull *x = *(const cw_demo_pull *const *)a, *y = *(const cw_demo_pull *const *)b;
    if (x->opened != y->opened)
        return (x->opened > y->opened) - (x->opened < y->opened);
    return (x > y) - (x < y);
}

static int write_pages(gh_writer *w, const cw_demo_pull **pick, size_t n)
{
    int rc = 0;
    for (size_t start = 0, page = 1; rc == 0 && start < n; start += PAGE_SIZE, page++) {
        json_t *list = json_array();
        char rel[200];
        for (size_t i = start; i < n && i < start + PAGE_SIZE; i++)
            json_array_append_new(list, pull_json(w, pick[i]));
        snprintf(rel, sizeof rel, "exports/github/pulls-page%zu.%s%s.json", page, w->h->app->name, w->day);
        rc = cw_demo_write_json(w->ctx, rel, list);
    }
    /* One file per pull request would be millions in the enterprise shape
     * (--apps 500 --weeks 104): the synthesised applications have the list
     * pages only. */
    for (size_t i = 0; rc == 0 && i < n && (size_t)w->h->index < cw_demo_n_apps; i++) {
        uint32_t number = cw_demo_pull_number(w->h, pick[i]);
        char rel[200];
        snprintf(rel, sizeof rel, "exports/github/pull-%u-commits.%s%s.json", (unsigned)number,
                 w->h->app->name, w->day);
        rc = cw_demo_write_json(w->ctx, rel, commits_json(w, pick[i]));
        /* "pulls-": the github source's glob reads it (a review names its
         * PR in pull_request_url); the commits page stays unread
         * (demogen/config.c, WRITE_PR_PAGES) */
        snprintf(rel, sizeof rel, "exports/github/pulls-%u-reviews.%s%s.json", (unsigned)number,
                 w->h->app->name, w->day);
        /* A pull request nobody reviewed has no reviews page: every such
         * page would be the same "[]", and the landing zone keeps one file
         * per content, so all but one would be hashed again every night. */
        json_t *reviews = rc == 0 ? reviews_json(w, pick[i]) : NULL;
        if (reviews && json_array_size(reviews) == 0)
            json_decref(reviews);
        else if (reviews)
            rc = cw_demo_write_json(w->ctx, rel, reviews);
    }
    return rc;
}

int cw_demo_write_github(cw_demo_ctx *ctx, const cw_demo_history *h)
{
    gh_writer w = { ctx, h, "" };
    const cw_demo_pull **pick = cw_xmalloc((h->n_pulls ? h->n_pulls : 1) * sizeof(*pick));
    size_t n = 0;
    int rc;

    if (ctx->since != INT64_MIN) {
        w.day[0] = '.';
        cw_time_format_date(ctx->since, w.day + 1, sizeof w.day - 1);
    }
    for (size_t i = 0; i < h->n_pulls; i++)
        if (shown(&w, &h->pulls[i]))
            pick[n++] = &h->pulls[i];
    qsort(pick, n, sizeof(*pick), cmp_opened);
    rc = write_pages(&w, pick, n);
    ctx->tally->pulls += (long)n;
    free(pick);
    return rc;
}
