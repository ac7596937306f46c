/*
 * test_parallel.c - files parsed on worker threads, loaded in order
 * (pipeline/parallel.h), with a made-up parser whose "path" says what to
 * emit: the writer's sink sees the same records, rejects, messages and
 * steps in the same order with 0, 1 or 3 workers; a file of about 13 MB of
 * records never has more than CW_PARALLEL_TAPE (and a chunk) waiting on
 * tape; a sink or a step that fails stops everything cleanly (no hang, and
 * nothing leaks under ASan), and nothing after the failure reaches the sink.
 */
#include "support.h"
#include "core/log.h"
#include "core/util.h"
#include "pipeline/parallel.h"

#include <stdlib.h>
#include <string.h>

/* The writer's side: one line of everything in the order it came. */
typedef struct writer {
    cw_sink sink;
    cw_buf seen;
    long records;
    long fail_at;               /* the sink fails its Nth record (0: never) */
    int failed;                 /* it did (as cw_wh_failed says) */
    const char *fail_step;      /* the end step of this file fails */
} writer;

static int seen_item(void *ctx, const cw_work_item *w)
{
    writer *o = ctx;
    if (++o->records == o->fail_at)
        return o->failed = -1;
    cw_buf_printf(&o->seen, "%s:%zu ", w->key, strlen(w->summary));
    return 0;
}

static int seen_reject(void *ctx, const cw_reject *r)
{
    writer *o = ctx;
    if (++o->records == o->fail_at)
        return o->failed = -1;
    cw_buf_printf(&o->seen, "reject(%s) ", r->reason);
    return 0;
}

static void seen_log(void *ctx, cw_log_level level, const char *text)
{
    (void)level;
    cw_buf_printf(&((writer *)ctx)->seen, "log(%s) ", text);
}

/* "NAME:N:SIZE": N work items NAME-i with a summary of SIZE bytes, a reject
 * every 1000th, a message first; a NAME starting "bad" is refused after a
 * reject (-1), as a parser refuses a broken file. */
static int fake_parse(const cw_source *src, const char *path, cw_sink *sink)
{
    char name[32], key[64];
    long n, size;
    char *summary;
    cw_origin o = {"s", path, 0};
    int rc = 0;
    (void)src;
    assert_int_equal(sscanf(path, "%31[^:]:%ld:%ld", name, &n, &size), 3);
    cw_warn("reading %s", name);
    if (strncmp(name, "bad", 3) == 0)
        return cw_sink_reject(sink, &o, NULL, NULL, "%s is broken", name) ? -1 : -1;
    summary = cw_xmalloc((size_t)size + 1);
    memset(summary, 'a', (size_t)size);
    summary[size] = '\0';
    for (long i = 0; i < n && rc == 0; i++) {
        cw_work_item w = {{"s", path, i + 1}, key, NULL, "P", summary, NULL, NULL, NULL, NULL,
                          NULL, NULL, 1, CW_NO_TIME, CW_NO_TIME, 0, 0, NULL, 0};
        snprintf(key, sizeof key, "%s-%ld", name, i);
        o.record = i + 1;
        rc = sink->work_item(sink->ctx, &w);
        if (rc == 0 && i % 1000 == 999)
            rc = cw_sink_reject(sink, &o, "x", NULL, "%s record %ld", name, i);
    }
    free(summary);
    return rc ? -1 : 0;
}

typedef struct step {
    writer *w;
    char name[32];
} step;

static int step_begin(void *ctx, int rc)
{
    step *s = ctx;
    (void)rc;
    cw_buf_printf(&s->w->seen, "begin(%s) ", s->name);
    return 0;
}

static int step_end(void *ctx, int rc)
{
    step *s = ctx;
    /* as the pipeline's asks cw_wh_failed: without workers, a parse the
     * sink stopped reaches its end step (parallel.h) */
    if (s->w->failed)
        return -1;
    cw_buf_printf(&s->w->seen, "end(%s,%d) ", s->name, rc);
    return s->w->fail_step && strcmp(s->w->fail_step, s->name) == 0 ? -1 : 0;
}

static int add(cw_parallel *p, writer *w, const char *path, const char *name)
{
    step *s = cw_xcalloc(1, sizeof *s);
    cw_parallel_item item = {NULL, path, fake_parse, step_begin, step_end, s, NULL};
    s->w = w;
    snprintf(s->name, sizeof s->name, "%s", name);
    if (!path)
        item.begin = NULL;
    return cw_parallel_add(p, &item);
}

static void writer_init(writer *w)
{
    memset(w, 0, sizeof *w);
    w->sink.ctx = w;
    w->sink.work_item = seen_item;
    w->sink.reject = seen_reject;
}

/* The batch: small files, steps alone, a broken file, and one file of
 * 40000 records of 300 bytes (about 13 MB on tape: more than
 * CW_PARALLEL_TAPE, so it streams).  Returns what add/finish returned. */
static int batch(int workers, writer *w, size_t *peak)
{
    cw_parallel *p = cw_parallel_start(workers, &w->sink);
    int rc;
    assert_non_null(p);
    cw_log_capture(seen_log, w);        /* the writer's messages, in the line */
    rc = add(p, w, "a:1500:10", "a");
    if (rc == 0)
        rc = add(p, w, NULL, "source-1");
    if (rc == 0)
        rc = add(p, w, "big:40000:300", "big");
    if (rc == 0)
        rc = add(p, w, "bad-one:5:5", "bad-one");
    for (int i = 0; i < 12 && rc == 0; i++) {
        char path[64], name[16];
        snprintf(name, sizeof name, "f%d", i);
        snprintf(path, sizeof path, "f%d:%d:%d", i, 100 * i, i);
        rc = add(p, w, path, name);
    }
    if (rc == 0)
        rc = add(p, w, NULL, "source-2");
    if (rc == 0)
        rc = cw_parallel_finish(p);
    cw_log_capture(NULL, NULL);
    if (peak)
        *peak = cw_parallel_peak(p);
    cw_parallel_free(p);
    return rc;
}

static void test_same_order_whatever_the_workers(void **state)
{
    writer one, other;
    size_t peak;
    (void)state;
    writer_init(&one);
    assert_int_equal(batch(0, &one, &peak), 0);
    assert_int_equal(peak, 0);
    /* a few landmarks of the line, worked out from the batch */
    assert_non_null(strstr(one.seen.data, "begin(a) log(reading a) a-0:10 "));
    assert_non_null(strstr(one.seen.data, "a-999:10 reject(a record 999) a-1000:10 "));
    assert_non_null(strstr(one.seen.data, "a-1499:10 end(a,0) end(source-1,0) begin(big) "));
    assert_non_null(strstr(one.seen.data, "begin(bad-one) log(reading bad-one) "
                                          "reject(bad-one is broken) end(bad-one,-1) begin(f0)"));
    assert_non_null(strstr(one.seen.data, "f11-1099:11 end(f11,0) end(source-2,0) "));
    assert_int_equal(one.records, 1500 + 1 + 40000 + 40 + 1 + 6600 + 2);
    for (int workers = 1; workers <= 3; workers += 2) {
        writer_init(&other);
        assert_int_equal(batch(workers, &other, &peak), 0);
        assert_string_equal(other.seen.data, one.seen.data);
        assert_true(peak > 0 && peak <= CW_PARALLEL_TAPE + CW_PARALLEL_CHUNK);
        cw_buf_free(&other.seen);
    }
    cw_buf_free(&one.seen);
}

/* The warehouse fails in the middle of the big file: the batch stops, and
 * nothing of the files after it reaches the sink. */
static void test_sink_failure_stops_cleanly(void **state)
{
    (void)state;
    for (int workers = 0; workers <= 3; workers++) {
        writer w;
        writer_init(&w);
        w.fail_at = 1500 + 1 + 20000;
        assert_int_equal(batch(workers, &w, NULL), -1);
        assert_non_null(strstr(w.seen.data, "big-19979:300 "));
        assert_null(strstr(w.seen.data, "big-19980:300 "));
        assert_null(strstr(w.seen.data, "end(big"));
        assert_null(strstr(w.seen.data, "f0"));
        cw_buf_free(&w.seen);
    }
}

/* A step fails (its ledger row cannot be written): the same. */
static void test_step_failure_stops_cleanly(void **state)
{
    (void)state;
    for (int workers = 0; workers <= 3; workers++) {
        writer w;
        writer_init(&w);
        w.fail_step = "source-1";
        assert_int_equal(batch(workers, &w, NULL), -1);
        assert_non_null(strstr(w.seen.data, "end(source-1,0) "));
        assert_null(strstr(w.seen.data, "begin(big)"));
        assert_null(strstr(w.seen.data, "big-0"));
        cw_buf_free(&w.seen);
    }
}

static void test_default_jobs(void **state)
{
    (void)state;
    assert_true(cw_parallel_default_jobs() >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_order_whatever_the_workers),
        cmocka_unit_test(test_sink_failure_stops_cleanly),
        cmocka_unit_test(test_step_failure_stops_cleanly),
        cmocka_unit_test(test_default_jobs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
