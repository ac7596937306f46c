/*
 * test_tape.c - records on tape (core/tape.h): every field of every record
 * comes back from the replay as it was given, after the parser's buffers
 * were overwritten (a deep copy); order is kept across records, messages
 * and chunks, whatever the chunk size; a record larger than a chunk gets
 * one of its own; a tape whose seal refuses fails its sink from then on; a
 * replay stops at the first sink failure; and the sink takes exactly the
 * records its model takes.
 */
#include "support.h"
#include "core/tape.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* The chunks a tape sealed, in order. */
typedef struct reel {
    cw_tape_chunk *chunks[4096];
    size_t n;
    size_t refuse_after;        /* refuse the seal once n reaches it (0: never) */
} reel;

static int keep(void *ctx, cw_tape_chunk *c)
{
    reel *r = ctx;
    if (r->refuse_after && r->n >= r->refuse_after) {
        cw_tape_chunk_free(c);
        return -1;
    }
    assert_true(r->n < 4096);
    r->chunks[r->n++] = c;
    return 0;
}

static int replay_all(reel *r, cw_sink *into)
{
    int rc = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (rc == 0)
            rc = cw_tape_replay(r->chunks[i], into);
        cw_tape_chunk_free(r->chunks[i]);
    }
    r->n = 0;
    return rc;
}

/* A text the test owns, overwritten after the record went on tape. */
static char texts[128][32];
static size_t n_texts;

static const char *text(const char *s)
{
    char *t = texts[n_texts++];
    snprintf(t, sizeof texts[0], "%s", s);
    return t;
}

static void scribble(void)
{
    for (size_t i = 0; i < n_texts; i++)
        memset(texts[i], 'X', sizeof texts[0] - 1);
    n_texts = 0;
}

static void test_every_field_comes_back(void **state)
{
    cw_capture cap;
    cw_tape tape;
    reel r = {0};
    cw_origin o = {text("src"), text("file.json"), 7};
    cw_build_revision revs[2] = {{text("git@a"), text("sha-a")}, {NULL, text("sha-b")}};
    cw_work_item wi = {o, text("PAY-1"), text("100"), text("PAY"), text("sum"), text("Bug"),
                       text("Done"), text("done"), text("l1,l2"), text("1.0"), text("Ann"),
                       CW_NO_TIME + 1, 2, 3, 1, 1, text("10001"), 1};
    cw_transition tr = {o, text("PAY-1"), text("100"), text("h1"), 5, text("Open"), NULL};
    cw_commit co = {o, text("repo"), text("abc"), text("p1 p2"), text("An"), text("an@x"),
                    text("Co"), text("co@x"), 11, 12, text("subj"), text("body"), 1, 2, 3, 1};
    cw_build bu = {o, text("deploy-pay"), 42, text("success"), 20, 21, text("sha-a"), revs, 2,
                   text("http://ci/42"), 1, text("prod"), 1};
    cw_incident in = {o, text("P1"), text("INC1"), text("t"), text("d"), text("svc"),
                      text("resolved"), text("high"), 30, 31, 32, 4};
    cw_reject re = {o, text("field"), text("reason"), text("raw")};
    cw_pull_request pr = {o, text("repo"), 9, text("t"), text("b"), text("feat"), text("main"),
                          text("merged"), text("me"), 40, 41, 42, 43, text("m"), text("s")};
    cw_deployment_status ds = {o, text("deploy-pay"), 42, 77, text("success"), 50};
    cw_status_def sd = {o, text("3"), text("Done"), text("done")};
    cw_finding fi = {o, text("kind"), text("subject"), text("detail")};
    cw_kpi kp = {o, text("payments"), text("NPS"), 60, 42.5};
    cw_work_item_link li = {o, text("PAY-1"), CW_LINK_THEME, text("PAY-9"), text("900")};
    (void)state;
    cw_capture_init(&cap);
    cw_tape_init(&tape, &cap.sink, 1 << 16, keep, &r);
    assert_int_equal(tape.sink.work_item(tape.sink.ctx, &wi), 0);
    assert_int_equal(tape.sink.transition(tape.sink.ctx, &tr), 0);
    assert_int_equal(tape.sink.commit(tape.sink.ctx, &co), 0);
    assert_int_equal(tape.sink.build(tape.sink.ctx, &bu), 0);
    assert_int_equal(tape.sink.incident(tape.sink.ctx, &in), 0);
    assert_int_equal(tape.sink.reject(tape.sink.ctx, &re), 0);
    assert_int_equal(tape.sink.pull_request(tape.sink.ctx, &pr), 0);
    assert_int_equal(tape.sink.deployment_status(tape.sink.ctx, &ds), 0);
    assert_int_equal(tape.sink.status_def(tape.sink.ctx, &sd), 0);
    assert_int_equal(tape.sink.finding(tape.sink.ctx, &fi), 0);
    assert_int_equal(tape.sink.kpi(tape.sink.ctx, &kp), 0);
    assert_int_equal(tape.sink.work_item_link(tape.sink.ctx, &li), 0);
    assert_int_equal(cw_tape_finish(&tape), 0);
    scribble();
    revs[0].remote = revs[0].sha = revs[1].sha = "gone";
    assert_int_equal(replay_all(&r, &cap.sink), 0);

    assert_int_equal(cap.n_items, 1);
    assert_string_equal(cap.items[0].origin.source, "src");
    assert_string_equal(cap.items[0].origin.file, "file.json");
    assert_int_equal(cap.items[0].origin.record, 7);
    assert_string_equal(cap.items[0].key, "PAY-1");
    assert_string_equal(cap.items[0].external_id, "100");
    assert_string_equal(cap.items[0].project, "PAY");
    assert_string_equal(cap.items[0].summary, "sum");
    assert_string_equal(cap.items[0].type, "Bug");
    assert_string_equal(cap.items[0].status, "Done");
    assert_string_equal(cap.items[0].status_category, "done");
    assert_string_equal(cap.items[0].labels, "l1,l2");
    assert_string_equal(cap.items[0].fix_versions, "1.0");
    assert_string_equal(cap.items[0].assignee, "Ann");
    assert_true(cap.items[0].created_at == CW_NO_TIME + 1);
    assert_int_equal(cap.items[0].updated_at, 2);
    assert_int_equal(cap.items[0].resolved_at, 3);
    assert_int_equal(cap.items[0].changelog_truncated, 1);
    assert_int_equal(cap.items[0].has_changelog, 1);
    assert_string_equal(cap.items[0].status_id, "10001");
    assert_int_equal(cap.items[0].links_follow, 1);

    assert_int_equal(cap.n_links, 1);
    assert_string_equal(cap.links[0].origin.file, "file.json");
    assert_string_equal(cap.links[0].item_key, "PAY-1");
    assert_int_equal(cap.links[0].kind, CW_LINK_THEME);
    assert_string_equal(cap.links[0].target_key, "PAY-9");
    assert_string_equal(cap.links[0].target_id, "900");

    assert_string_equal(cap.transitions[0].item_key, "PAY-1");
    assert_string_equal(cap.transitions[0].item_id, "100");
    assert_string_equal(cap.transitions[0].history_id, "h1");
    assert_int_equal(cap.transitions[0].at, 5);
    assert_string_equal(cap.transitions[0].from_status, "Open");
    assert_null(cap.transitions[0].to_status);

    assert_string_equal(cap.commits[0].repository, "repo");
    assert_string_equal(cap.commits[0].sha, "abc");
    assert_string_equal(cap.commits[0].parents, "p1 p2");
    assert_string_equal(cap.commits[0].author_name, "An");
    assert_string_equal(cap.commits[0].author_email, "an@x");
    assert_string_equal(cap.commits[0].committer_name, "Co");
    assert_string_equal(cap.commits[0].committer_email, "co@x");
    assert_int_equal(cap.commits[0].authored_at, 11);
    assert_int_equal(cap.commits[0].committed_at, 12);
    assert_string_equal(cap.commits[0].subject, "subj");
    assert_string_equal(cap.commits[0].body, "body");
    assert_int_equal(cap.commits[0].additions, 1);
    assert_int_equal(cap.commits[0].deletions, 2);
    assert_int_equal(cap.commits[0].files_changed, 3);
    assert_int_equal(cap.commits[0].no_ancestry, 1);

    assert_string_equal(cap.builds[0].job, "deploy-pay");
    assert_int_equal(cap.builds[0].number, 42);
    assert_string_equal(cap.builds[0].result, "success");
    assert_int_equal(cap.builds[0].started_at, 20);
    assert_int_equal(cap.builds[0].finished_at, 21);
    assert_string_equal(cap.builds[0].revision, "sha-a");
    assert_int_equal(cap.builds[0].n_revisions, 2);
    assert_string_equal(cap.builds[0].revisions[0].remote, "git@a");
    assert_string_equal(cap.builds[0].revisions[0].sha, "sha-a");
    assert_null(cap.builds[0].revisions[1].remote);
    assert_string_equal(cap.builds[0].revisions[1].sha, "sha-b");
    assert_string_equal(cap.builds[0].url, "http://ci/42");
    assert_int_equal(cap.builds[0].is_deployment, 1);
    assert_string_equal(cap.builds[0].environment, "prod");
    assert_int_equal(cap.builds[0].is_production, 1);

    assert_string_equal(cap.incidents[0].id, "P1");
    assert_string_equal(cap.incidents[0].number, "INC1");
    assert_string_equal(cap.incidents[0].title, "t");
    assert_string_equal(cap.incidents[0].description, "d");
    assert_string_equal(cap.incidents[0].service, "svc");
    assert_string_equal(cap.incidents[0].status, "resolved");
    assert_string_equal(cap.incidents[0].severity, "high");
    assert_int_equal(cap.incidents[0].created_at, 30);
    assert_int_equal(cap.incidents[0].resolved_at, 31);
    assert_int_equal(cap.incidents[0].updated_at, 32);
    assert_int_equal(cap.incidents[0].version, 4);

    assert_string_equal(cap.rejects[0].field, "field");
    assert_string_equal(cap.rejects[0].reason, "reason");
    assert_string_equal(cap.rejects[0].raw, "raw");

    assert_string_equal(cap.pulls[0].repository, "repo");
    assert_int_equal(cap.pulls[0].number, 9);
    assert_string_equal(cap.pulls[0].title, "t");
    assert_string_equal(cap.pulls[0].body, "b");
    assert_string_equal(cap.pulls[0].source_branch, "feat");
    assert_string_equal(cap.pulls[0].target_branch, "main");
    assert_string_equal(cap.pulls[0].state, "merged");
    assert_string_equal(cap.pulls[0].author, "me");
    assert_int_equal(cap.pulls[0].created_at, 40);
    assert_int_equal(cap.pulls[0].updated_at, 41);
    assert_int_equal(cap.pulls[0].closed_at, 42);
    assert_int_equal(cap.pulls[0].merged_at, 43);
    assert_string_equal(cap.pulls[0].merge_commit_sha, "m");
    assert_string_equal(cap.pulls[0].squash_commit_sha, "s");

    assert_string_equal(cap.statuses[0].job, "deploy-pay");
    assert_int_equal(cap.statuses[0].number, 42);
    assert_int_equal(cap.statuses[0].status_id, 77);
    assert_string_equal(cap.statuses[0].state, "success");
    assert_int_equal(cap.statuses[0].created_at, 50);

    assert_string_equal(cap.status_defs[0].id, "3");
    assert_string_equal(cap.status_defs[0].name, "Done");
    assert_string_equal(cap.status_defs[0].category, "done");

    assert_string_equal(cap.findings[0].kind, "kind");
    assert_string_equal(cap.findings[0].subject, "subject");
    assert_string_equal(cap.findings[0].detail, "detail");
    assert_string_equal(cap.findings[0].origin.file, "file.json");

    assert_int_equal(cap.n_kpis, 1);
    assert_string_equal(cap.kpis[0].application, "payments");
    assert_string_equal(cap.kpis[0].name, "NPS");
    assert_int_equal(cap.kpis[0].at, 60);
    assert_true(cap.kpis[0].value == 42.5);
    assert_string_equal(cap.kpis[0].origin.file, "file.json");
    cw_capture_free(&cap);
}

/* ------------------------------------------------------------------ order */

/* A sink writing what it is given as one line of text. */
typedef struct order_sink {
    cw_sink sink;
    cw_buf seen;
    long fail_at;               /* fail the Nth record (0: never) */
    long records;
} order_sink;

static int seen_item(void *ctx, const cw_work_item *w)
{
    order_sink *o = ctx;
    if (++o->records == o->fail_at)
        return -7;
    cw_buf_printf(&o->seen, "i:%s ", w->key);
    return 0;
}

static int seen_reject(void *ctx, const cw_reject *r)
{
    order_sink *o = ctx;
    if (++o->records == o->fail_at)
        return -7;
    cw_buf_printf(&o->seen, "r:%s ", r->reason);
    return 0;
}

static void seen_log(void *ctx, cw_log_level level, const char *text)
{
    cw_buf_printf(ctx, "m%d:%s ", (int)level, text);
}

static void order_init(order_sink *o)
{
    memset(o, 0, sizeof *o);
    o->sink.ctx = o;
    o->sink.work_item = seen_item;
    o->sink.reject = seen_reject;
}

/* Records, rejects and messages, then the line they make. */
static void play(cw_tape *tape, int n, cw_buf *expect)
{
    char key[64];
    cw_log_capture(cw_tape_log, tape);
    for (int i = 0; i < n; i++) {
        cw_work_item w = {{"s", "f", i}, key, NULL, "P", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                          1, CW_NO_TIME, CW_NO_TIME, 0, 0, NULL, 0};
        cw_origin o = {"s", "f", i};
        snprintf(key, sizeof key, "K-%d", i);
        assert_int_equal(tape->sink.work_item(tape->sink.ctx, &w), 0);
        cw_buf_printf(expect, "i:K-%d ", i);
        if (i % 7 == 3) {
            assert_int_equal(cw_sink_reject(&tape->sink, &o, NULL, NULL, "bad %d", i), 0);
            cw_buf_printf(expect, "r:bad %d ", i);
        }
        if (i % 11 == 5) {
            cw_warn("note %d", i);
            cw_buf_printf(expect, "m%d:note %d ", (int)CW_LOG_WARN, i);
        }
        memset(key, 'X', sizeof key - 1);   /* the parser reuses its buffer */
        key[sizeof key - 1] = '\0';
    }
    cw_log_capture(NULL, NULL);
}

static void check_order(size_t chunk_size, int n, size_t min_chunks)
{
    order_sink o;
    cw_tape tape;
    cw_buf expect = {0};
    reel *r = calloc(1, sizeof *r);
    order_init(&o);
    cw_tape_init(&tape, &o.sink, chunk_size, keep, r);
    play(&tape, n, &expect);
    assert_int_equal(cw_tape_finish(&tape), 0);
    assert_true(r->n >= min_chunks);
    /* the replay's messages are logged: caught here as text in the line */
    cw_log_capture(seen_log, &o.seen);
    assert_int_equal(replay_all(r, &o.sink), 0);
    cw_log_capture(NULL, NULL);
    assert_string_equal(o.seen.data, expect.data);
    cw_buf_free(&o.seen);
    cw_buf_free(&expect);
    free(r);
}

static void test_order_whatever_the_chunks(void **state)
{
    (void)state;
    check_order(1 << 20, 500, 1);       /* all in one chunk */
    check_order(4096, 500, 10);         /* many records to a chunk */
    check_order(16, 500, 500);          /* every record larger than a chunk: one each */
}

static void test_nothing_on_tape_seals_nothing(void **state)
{
    order_sink o;
    cw_tape tape;
    reel r = {0};
    (void)state;
    order_init(&o);
    cw_tape_init(&tape, &o.sink, 4096, keep, &r);
    assert_int_equal(cw_tape_finish(&tape), 0);
    assert_int_equal(r.n, 0);
}

/* A seal that refuses stops the tape: every later record fails, so the
 * parser stops; the chunk being filled is the tape's to free. */
static void test_refused_seal_stops_the_tape(void **state)
{
    order_sink o;
    cw_tape tape;
    reel *r = calloc(1, sizeof *r);
    cw_work_item w = {{"s", "f", 1}, "K", NULL, "P", NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                      1, CW_NO_TIME, CW_NO_TIME, 0, 0, NULL, 0};
    int rc = 0, accepted = 0;
    (void)state;
    order_init(&o);
    r->refuse_after = 2;
    cw_tape_init(&tape, &o.sink, 256, keep, r);
    for (int i = 0; i < 100 && rc == 0; i++)
        if ((rc = tape.sink.work_item(tape.sink.ctx, &w)) == 0)
            accepted++;
    assert_int_not_equal(rc, 0);
    assert_true(accepted > 2 && accepted < 100);
    assert_int_not_equal(tape.sink.work_item(tape.sink.ctx, &w), 0);
    cw_tape_log(&tape, CW_LOG_WARN, "dropped");     /* harmless once stopped */
    assert_int_not_equal(cw_tape_finish(&tape), 0);
    cw_tape_discard(&tape);
    assert_int_equal(r->n, 2);
    assert_int_equal(replay_all(r, &o.sink), 0);
    cw_buf_free(&o.seen);
    free(r);
}

/* The first sink failure ends the replay with its code. */
static void test_replay_stops_at_a_failure(void **state)
{
    order_sink o;
    cw_tape tape;
    cw_buf expect = {0};
    reel r = {0};
    (void)state;
    order_init(&o);
    o.fail_at = 5;
    cw_tape_init(&tape, &o.sink, 1 << 20, keep, &r);
    play(&tape, 20, &expect);
    assert_int_equal(cw_tape_finish(&tape), 0);
    assert_int_equal(replay_all(&r, &o.sink), -7);
    assert_string_equal(o.seen.data, "i:K-0 i:K-1 i:K-2 i:K-3 ");
    cw_buf_free(&o.seen);
    cw_buf_free(&expect);
}

/* A record the model sink does not take, the tape does not take either. */
static void test_sink_takes_what_its_model_takes(void **state)
{
    order_sink o;
    cw_tape tape;
    reel r = {0};
    (void)state;
    order_init(&o);
    cw_tape_init(&tape, &o.sink, 4096, keep, &r);
    assert_non_null(tape.sink.work_item);
    assert_non_null(tape.sink.reject);
    assert_null(tape.sink.commit);
    assert_null(tape.sink.pull_request);
    assert_null(tape.sink.status_def);
    assert_null(tape.sink.finding);
    assert_null(tape.sink.kpi);
    assert_null(tape.sink.work_item_link);
    assert_ptr_equal(tape.sink.ctx, &tape);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_field_comes_back),
        cmocka_unit_test(test_order_whatever_the_chunks),
        cmocka_unit_test(test_nothing_on_tape_seals_nothing),
        cmocka_unit_test(test_refused_seal_stops_the_tape),
        cmocka_unit_test(test_replay_stops_at_a_failure),
        cmocka_unit_test(test_sink_takes_what_its_model_takes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
