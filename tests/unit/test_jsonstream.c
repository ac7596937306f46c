/*
 * test_jsonstream.c - JSON documents read in bounded memory
 * (core/jsonstream.c): the skeleton and its streamed arrays, the last of
 * duplicate members, stopping, a broken document refused before any
 * element, escapes and error lines across the 64 KiB reading chunks, two
 * documents read at once.
 */
#include "support.h"
#include "core/json.h"
#include "core/jsonstream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHUNK (64 * 1024)       /* jsonstream.c's reading chunk */

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
    free(text);
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
    free(text);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skeleton_and_elements),
        cmocka_unit_test(test_root_array_and_scalar),
        cmocka_unit_test(test_duplicate_members_last_wins),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_broken_document_refused_before_any_element),
        cmocka_unit_test(test_escapes_across_chunks),
        cmocka_unit_test(test_two_documents_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
