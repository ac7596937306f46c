/*
 * test_jsonstream.c - JSON documents read in bounded memory
 * (core/jsonstream.c): the skeleton and its streamed arrays, the last of
 * duplicate members, stopping, a broken document refused before any
 * element, escapes and error lines across the 64 KiB reading chunks,
 * jansson's acceptance rules kept, two
 * documents read at once, and the proof of bounded memory: the largest
 * amount of jansson memory alive while a Jenkins job and a Jira search page
 * of thousands of records are parsed stays that of one record, while
 * loading the same file whole costs more than its size.
 *
 * Memory is counted, not timed: every jansson allocation of this program
 * goes through counting_malloc (json_set_alloc_funcs, set first in main).
 * The 200 MB figure is in `make bench` (scripts/bench.py), not here.
 */
#include "support.h"
#include "core/json.h"
#include "core/jsonstream.h"
#include "extract/source.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const cw_source_type cw_source_jenkins;
extern const cw_source_type cw_source_jira;

#define CHUNK (64 * 1024)       /* jsonstream.c's reading chunk */

/* ------------------------------------------------ counting allocator */

static size_t live_bytes, peak_bytes, base_bytes;

static void *counting_malloc(size_t n)
{
    void *p = malloc(n);
    if (p) {
        live_bytes += malloc_usable_size(p);
        if (live_bytes > peak_bytes)
            peak_bytes = live_bytes;
    }
    return p;
}

static void counting_free(void *p)
{
    if (p)
        live_bytes -= malloc_usable_size(p);
    free(p);
}

/* Start measuring: the peak from now on, above what is alive now. */
static void peak_reset(void)
{
    base_bytes = peak_bytes = live_bytes;
}

/* ------------------------------------------------ element callbacks */

/* What an element walk saw: each element as compact JSON, joined by ' '. */
typedef struct walk {
    cw_buf seen;
    size_t calls, stop_at;      /* return 1 on call stop_at (1-based); 0 = never */
    size_t last_index;
} walk;

static int note(void *ctx, json_t *el, size_t index)
{
    walk *w = ctx;
    char *text = json_dumps(el, JSON_COMPACT | JSON_ENCODE_ANY);
    cw_buf_printf(&w->seen, "%s%s", w->calls ? " " : "", text);
    counting_free(text);
    w->last_index = index;
    return ++w->calls == w->stop_at;
}

static cw_json_doc *open_text(const char *text, const char *const *streamed)
{
    char err[256] = "";
    cw_json_doc *doc = cw_json_doc_open(cw_temp_file(text, ".json"), streamed, err, sizeof(err));
    if (!doc)
        fail_msg("not opened: %s", err);
    return doc;
}

static char *dump(json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY), *copy = cw_strdup(text);
    counting_free(text);
    return copy;
}

static const char *const list_keys[] = {"list", NULL};

/* The members before and after the streamed array are in the skeleton,
 * the array is there but empty; its elements come one at a time, in order,
 * indexed from 0; an array that is not streamed is walked in the skeleton;
 * asking for an absent key hands nothing over. */
static void test_skeleton_and_elements(void **state)
{
    cw_json_doc *doc = open_text("{\"a\":1,\"list\":[{\"n\":1},[2,{\"m\":[]}],\"x\",null],"
                                 "\"total\":7,\"other\":[5,6]}", list_keys);
    walk w = {0}, o = {0}, none = {0};
    (void)state;
    cw_expect_text(dump(cw_json_doc_root(doc)), "{\"a\":1,\"list\":[],\"total\":7,\"other\":[5,6]}");
    assert_int_equal(cw_json_doc_each(doc, "list", note, &w, NULL, 0), 0);
    assert_string_equal(w.seen.data, "{\"n\":1} [2,{\"m\":[]}] \"x\" null");
    assert_int_equal(w.last_index, 3);
    assert_int_equal(cw_json_doc_each(doc, "other", note, &o, NULL, 0), 0);
    assert_string_equal(o.seen.data, "5 6");
    assert_int_equal(cw_json_doc_each(doc, "missing", note, &none, NULL, 0), 0);
    assert_int_equal(none.calls, 0);
    cw_json_doc_close(doc);
    cw_buf_free(&w.seen);
    cw_buf_free(&o.seen);
}

/* A root array is always streamed, whatever the keys; a scalar root is the
 * skeleton itself. */
static void test_root_array_and_scalar(void **state)
{
    cw_json_doc *doc = open_text(" [ {\"list\":[1]} , 2 ] ", NULL), *scalar;
    walk w = {0}, s = {0};
    (void)state;
    cw_expect_text(dump(cw_json_doc_root(doc)), "[]");
    assert_int_equal(cw_json_doc_each(doc, NULL, note, &w, NULL, 0), 0);
    assert_string_equal(w.seen.data, "{\"list\":[1]} 2");
    cw_json_doc_close(doc);
    scalar = open_text("\"just text\"", list_keys);
    cw_expect_text(dump(cw_json_doc_root(scalar)), "\"just text\"");
    assert_int_equal(cw_json_doc_each(scalar, NULL, note, &s, NULL, 0), 0);
    assert_int_equal(s.calls, 0);
    cw_json_doc_close(scalar);
    cw_buf_free(&w.seen);
}

/* Of duplicate members the last wins, as jansson's loader had it: the
 * elements are those of the last array, and a last value that is not an
 * array leaves nothing to stream. */
static void test_duplicate_members_last_wins(void **state)
{
    cw_json_doc *arrays = open_text("{\"list\":[1,2],\"n\":0,\"list\":[3]}", list_keys);
    cw_json_doc *scalar = open_text("{\"list\":[1,2],\"list\":\"x\"}", list_keys);
    walk a = {0}, b = {0};
    (void)state;
    assert_int_equal(cw_json_doc_each(arrays, "list", note, &a, NULL, 0), 0);
    assert_string_equal(a.seen.data, "3");
    cw_expect_text(dump(cw_json_doc_root(scalar)), "{\"list\":\"x\"}");
    assert_int_equal(cw_json_doc_each(scalar, "list", note, &b, NULL, 0), 0);
    assert_int_equal(b.calls, 0);
    cw_json_doc_close(arrays);
    cw_json_doc_close(scalar);
    cw_buf_free(&a.seen);
}

/* A callback that asks to stop ends the walk with 1 after that element. */
static void test_callback_stops(void **state)
{
    cw_json_doc *doc = open_text("{\"list\":[10,20,30]}", list_keys);
    walk w = {.stop_at = 2};
    (void)state;
    assert_int_equal(cw_json_doc_each(doc, "list", note, &w, NULL, 0), 1);
    assert_int_equal(w.calls, 2);
    assert_string_equal(w.seen.data, "10 20");
    cw_json_doc_close(doc);
    cw_buf_free(&w.seen);
}

/* A document cut short, or broken far into the file, is refused when it
 * is opened: no element of it is ever handed over (the first pass judges
 * the whole file), and the error names the line where reading stopped.
 * The broken one puts 3000 lines (more than 64 KiB) before the error on
 * line 3002: "list":[ is line 1, element i on line i + 1, then a line
 * with a bare word. */
static void test_broken_document_refused_before_any_element(void **state)
{
    cw_buf text = {0};
    char err[256] = "";
    (void)state;
    assert_null(cw_json_doc_open(cw_temp_file("{\"list\":[{\"n\":1},{\"n\":2}", ".json"),
                                 list_keys, err, sizeof(err)));
    assert_non_null(strstr(err, "line 1, column "));
    cw_buf_puts(&text, "{\"list\":[\n");
    for (int i = 0; i < 3000; i++)
        cw_buf_printf(&text, "{\"n\":%d,\"pad\":\"....................\"},\n", i);
    cw_buf_puts(&text, "oops]}\n");
    assert_true(text.len > CHUNK);
    assert_null(cw_json_doc_open(cw_temp_file(text.data, ".json"), list_keys, err, sizeof(err)));
    assert_non_null(strstr(err, "line 3002, column "));
    cw_buf_free(&text);
}

/* The text ["<pad a's><tail>"] with the tail starting at byte `at` of the
 * file, read whole through the chunked file reader. */
static json_t *load_with_tail_at(size_t at, const char *tail, char *err, size_t errlen)
{
    cw_buf text = {0};
    json_t *v;
    cw_buf_puts(&text, "[\"");
    while (text.len < at)
        cw_buf_puts(&text, "a");
    cw_buf_printf(&text, "%s\"]", tail);
    v = cw_json_load_file(cw_temp_file(text.data, ".json"), err, errlen);
    cw_buf_free(&text);
    return v;
}

/* Escaped surrogates are judged on the raw text, whose escapes may be cut
 * by the 64 KiB chunks anywhere: a pair is one character (U+1F600 is F0 9F
 * 98 80), a lone high or low surrogate and a high one followed by another
 * escape refuse the document, wherever the cut falls. */
static void test_escapes_across_chunks(void **state)
{
    (void)state;
    for (size_t back = 1; back <= 13; back++) {
        char err[256] = "";
        json_t *v = load_with_tail_at(CHUNK - back, "\\uD83D\\uDE00", err, sizeof(err));
        const char *s;
        if (!v)
            fail_msg("pair %zu bytes before the cut: %s", back, err);
        s = json_string_value(json_array_get(v, 0));
        assert_int_equal(strlen(s), CHUNK - back - 2 + 4);
        assert_memory_equal(s + strlen(s) - 4, "\xF0\x9F\x98\x80", 4);
        json_decref(v);
        assert_null(load_with_tail_at(CHUNK - back, "\\uD800x", err, sizeof(err)));
        assert_non_null(strstr(err, "invalid Unicode escape '\\uD800'"));
        assert_null(load_with_tail_at(CHUNK - back, "\\uDC00", err, sizeof(err)));
        assert_non_null(strstr(err, "invalid Unicode escape '\\uDC00'"));
        assert_null(load_with_tail_at(CHUNK - back, "\\uD800\\u0041", err, sizeof(err)));
        assert_non_null(strstr(err, "invalid Unicode escape '\\uD800\\u0041'"));
        /* an escaped backslash before "uDC00" is no escape at all */
        v = load_with_tail_at(CHUNK - back, "\\\\uDC00", err, sizeof(err));
        assert_non_null(v);
        json_decref(v);
    }
}

/* The rules jansson applied, kept (core/jsonstream.c): each of these texts
 * is refused with its line and the reason, or loads as written. */
static void test_acceptance_kept(void **state)
{
    static const struct {
        const char *text, *reason;      /* reason NULL: loads, and dumps as text */
    } cases[] = {
        {"", "premature EOF"},
        {"[1] [2]", "trailing garbage"},
        {"null\"", "trailing garbage"},              /* yajl missed an unfinished string */
        {"[1,\v2]", "control character 0xb"},         /* yajl's white space, not JSON's */
        {"{\"a\":\f1}", "control character 0xc"},
        {"[\"\xC0\x80\"]", "invalid UTF-8 in a string"},             /* overlong NUL */
        {"[\"\xED\xA0\x80\"]", "invalid UTF-8 in a string"},         /* a raw surrogate */
        {"[\"\xF4\x90\x80\x80\"]", "invalid UTF-8 in a string"},     /* past U+10FFFF */
        {"{\"\xC3\x28\":1}", "invalid"},                           /* yajl's own check */
        {"{\"a\\u0000b\":1}", "NUL byte in a member name"},
        {"[\"a\\u0000b\"]", NULL},
        {"[\"\\u00e9\\uD83D\\uDE00\"]", NULL},
        {"{\"a\":1,\"a\":[2]}", NULL},
        {"[1e400,-12345678901234567890,1e-400]", NULL},
        {"\"\xEF\xBB\xBF\"", NULL},                                  /* a BOM inside a string */
    };
    static const char *const loaded[] = {
        "[\"a\\u0000b\"]", "[\"\u00e9\U0001F600\"]", "{\"a\":[2]}",
        "[\"\\u0000number out of range: 1e400\",\"\\u0000number out of range: "
        "-12345678901234567890\",0.0]",
        "\"\uFEFF\"",
    };
    size_t next = 0;
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char err[256] = "";
        json_t *v = cw_json_load_text(cases[i].text, strlen(cases[i].text), err, sizeof(err));
        if (cases[i].reason) {
            if (v)
                fail_msg("case %zu loaded", i);
            if (strncmp(err, "line 1, column ", 15) != 0 || !strstr(err, cases[i].reason))
                fail_msg("case %zu: %s", i, err);
            continue;
        }
        if (!v)
            fail_msg("case %zu refused: %s", i, err);
        cw_expect_text(dump(v), loaded[next++]);
        json_decref(v);
    }
}

/* 2048 nested arrays load, 2049 are refused at the 2049th bracket. */
static void test_depth_limit(void **state)
{
    cw_buf text = {0};
    char err[256] = "";
    json_t *v;
    (void)state;
    for (int i = 0; i < 2048; i++)
        cw_buf_puts(&text, "[");
    for (int i = 0; i < 2048; i++)
        cw_buf_puts(&text, "]");
    v = cw_json_load_text(text.data, text.len, err, sizeof(err));
    assert_non_null(v);
    json_decref(v);
    cw_buf_reset(&text);
    for (int i = 0; i < 2049; i++)
        cw_buf_puts(&text, "[");
    assert_null(cw_json_load_text(text.data, text.len, err, sizeof(err)));
    assert_string_equal(err, "line 1, column 2049: maximum parsing depth reached");
    cw_buf_free(&text);
}

/* Two documents read at once, one inside the other's callback: nothing is
 * shared between readers (parsers run on several threads). */
typedef struct nested {
    cw_json_doc *inner;
    walk inner_walk;
} nested;

static int walk_inner(void *ctx, json_t *el, size_t index)
{
    nested *n = ctx;
    (void)el;
    (void)index;
    return cw_json_doc_each(n->inner, "list", note, &n->inner_walk, NULL, 0);
}

static void test_two_documents_at_once(void **state)
{
    cw_json_doc *outer = open_text("[1,2]", NULL);
    nested n = {.inner = open_text("{\"list\":[\"a\",\"b\"]}", list_keys)};
    (void)state;
    assert_int_equal(cw_json_doc_each(outer, NULL, walk_inner, &n, NULL, 0), 0);
    assert_string_equal(n.inner_walk.seen.data, "\"a\" \"b\" \"a\" \"b\"");
    cw_json_doc_close(outer);
    cw_json_doc_close(n.inner);
    cw_buf_free(&n.inner_walk.seen);
}

/* ------------------------------------------------ bounded memory */

/* A sink that counts records and keeps nothing. */
typedef struct counts {
    size_t items, builds, rejects;
} counts;

static int count_item(void *ctx, const cw_work_item *r)
{
    (void)r;
    ((counts *)ctx)->items++;
    return 0;
}

static int count_transition(void *ctx, const cw_transition *r)
{
    (void)ctx;
    (void)r;
    return 0;
}

static int count_build(void *ctx, const cw_build *r)
{
    (void)r;
    ((counts *)ctx)->builds++;
    return 0;
}

static int count_reject(void *ctx, const cw_reject *r)
{
    (void)r;
    ((counts *)ctx)->rejects++;
    return 0;
}

/* head, n records made by fmt (with %d the record's number), tail: a file
 * of size *size in a fresh folder.  Caller frees the path. */
static char *write_records(const char *head, const char *fmt, int n, const char *tail,
                           long *size)
{
    char *dir = cw_temp_dir(), *path = cw_asprintf("%s/doc.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(head, f);
    for (int i = 1; i <= n; i++) {
        fprintf(f, fmt, i, i);
        fputs(i < n ? ",\n" : "\n", f);
    }
    fputs(tail, f);
    *size = ftell(f);
    fclose(f);
    free(dir);
    return path;
}

/* Parse path as type, counting records, and return the peak of live
 * jansson bytes during the parse. */
static size_t peak_parse(const cw_source_type *type, const char *source_type, const char *path,
                         counts *c)
{
    cw_kv none[1];
    cw_source src = cw_test_source_of("big", source_type, none, 0);
    cw_sink sink = {.ctx = c, .work_item = count_item, .transition = count_transition,
                    .build = count_build, .reject = count_reject};
    peak_reset();
    assert_int_equal(type->parse(&src, path, &sink), 0);
    return peak_bytes - base_bytes;
}

/* The peak of live jansson bytes while the file is loaded whole. */
static size_t peak_whole(const char *path)
{
    json_t *v;
    size_t peak;
    peak_reset();
    v = cw_json_load_file(path, NULL, 0);
    assert_non_null(v);
    peak = peak_bytes - base_bytes;
    json_decref(v);
    return peak;
}

/* One Jenkins build as the api/json tree lists it (about 670 bytes). */
#define BUILD_FMT                                                                          \
    "{\"_class\":\"org.jenkinsci.plugins.workflow.job.WorkflowRun\",\"actions\":["        \
    "{\"_class\":\"hudson.model.CauseAction\",\"causes\":[{\"shortDescription\":"           \
    "\"Started by upstream project\"}]},{},{\"_class\":\"hudson.model.ParametersAction\","  \
    "\"parameters\":[{\"name\":\"ENVIRONMENT\",\"value\":\"production\"}]},"              \
    "{\"_class\":\"hudson.plugins.git.util.BuildData\",\"lastBuiltRevision\":{\"SHA1\":"   \
    "\"7107143b7b9750e4b240988c2a0b036408398bd8\",\"branch\":[{\"name\":\"origin/main\"}]}," \
    "\"remoteUrls\":[\"git@github.com:acme/pay.git\"]},{}],\"building\":false,"           \
    "\"duration\":30260,\"fullDisplayName\":\"deploy-pay #%d\",\"number\":%d,"            \
    "\"result\":\"SUCCESS\",\"timestamp\":1795800284480,"                                 \
    "\"url\":\"https://jenkins.example/job/deploy-pay/\",\"changeSets\":[]}"

/*
 * 20,000 builds (13 MB) in a job's allBuilds, the job's fullName after the
 * array: every build loads under that job, and the jansson memory alive at
 * any moment stays below 64 KiB (one build takes about 6 KiB), where the
 * whole document costs more than the file's size (8 times, 113 MB, when
 * this was written).  The same for a Jira search page of 10,000 issues
 * (2.3 MB), its total after the array.
 */
static void test_memory_is_one_record(void **state)
{
    long size;
    counts jenkins = {0}, jira = {0};
    char *path = write_records("{\"_class\":\"WorkflowJob\",\"allBuilds\":[\n", BUILD_FMT, 20000,
                               "],\"fullName\":\"deploy-pay\",\"name\":\"deploy-pay\"}\n", &size);
    size_t peak;
    (void)state;
    peak = peak_parse(&cw_source_jenkins, "jenkins", path, &jenkins);
    assert_int_equal(jenkins.builds, 20000);
    assert_int_equal(jenkins.rejects, 0);
    if (peak >= 64 * 1024)
        fail_msg("Jenkins: %zu bytes of jansson memory alive at once for a %ld-byte file", peak,
                 size);
    assert_true(peak_whole(path) > (size_t)size);
    unlink(path);
    free(path);

    path = write_records("{\"startAt\":0,\"maxResults\":10000,\"issues\":[\n",
                         "{\"id\":\"%d\",\"key\":\"PAY-%d\",\"fields\":{\"summary\":\"a summary\","
                         "\"created\":\"2026-03-02T09:00:00.000+0000\",\"labels\":[\"x\"],"
                         "\"status\":{\"name\":\"Done\",\"statusCategory\":{\"key\":\"done\"}},"
                         "\"project\":{\"key\":\"PAY\"}},\"changelog\":{\"histories\":[]}}",
                         10000, "],\"total\":10000}\n", &size);
    peak = peak_parse(&cw_source_jira, "jira", path, &jira);
    assert_int_equal(jira.items, 10000);
    assert_int_equal(jira.rejects, 0);
    if (peak >= 64 * 1024)
        fail_msg("Jira: %zu bytes of jansson memory alive at once for a %ld-byte file", peak,
                 size);
    assert_true(peak_whole(path) > (size_t)size);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skeleton_and_elements),
        cmocka_unit_test(test_root_array_and_scalar),
        cmocka_unit_test(test_duplicate_members_last_wins),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_broken_document_refused_before_any_element),
        cmocka_unit_test(test_escapes_across_chunks),
        cmocka_unit_test(test_acceptance_kept),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_two_documents_at_once),
        cmocka_unit_test(test_memory_is_one_record),
    };
    json_set_alloc_funcs(counting_malloc, counting_free);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
