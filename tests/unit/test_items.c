/*
 * test_items.c - the shared JSON connector walk (extract/items.c) and the
 * config-key regex compile (core/regex.c) on small hand-written inputs:
 * record numbers of arrays, pages, wrappers and lone objects, the rules for
 * a lone object, documents with nothing to load, unknown documents, invalid
 * JSON, DevLake wrappers, stopping on a sink failure, optional timestamps
 * and reject raw text.
 */
#include "support.h"
#include "extract/items.h"
#include "core/json.h"
#include "core/regex.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the item callback saw: each item's record and its "n" member. */
typedef struct seen {
    long records[8];
    int64_t n[8];
    size_t count;
    size_t stop_at;             /* return -1 on this call (1-based); 0 = never */
} seen;

static int note_item(void *ctx, json_t *item, const cw_origin *origin)
{
    seen *s = ctx;
    int64_t n = -1;
    if (s->count < 8) {
        cw_json_int(item, "n", &n);
        s->records[s->count] = origin->record;
        s->n[s->count] = n;
    }
    s->count++;
    return s->count == s->stop_at ? -1 : 0;
}

static const char *const list_keys[] = {"list", NULL};
static const char *const one_keys[] = {"one", NULL};
static const char *const empty_keys[] = {"jobs", NULL};

static const cw_item_shape keyed_shape = {
    .pages = list_keys, .wrappers = one_keys, .lone = CW_LONE_WITH_KEY, .lone_key = "id",
    .empty = empty_keys, .unknown_field = "list", .unknown = "not a test document",
};

/* Walk a JSON text with a shape, through a file as a landed page is read;
 * returns the walk's result. */
static int walk_text(const cw_item_shape *shape, const char *text, cw_capture *cap, seen *s)
{
    const char *path = cw_temp_file(text, ".json");
    cw_json_doc *doc = cw_items_open("src", path, &cap->sink, shape->pages);
    int rc;
    assert_non_null(doc);
    rc = cw_items_walk(shape, doc, "src", "file.json", &cap->sink, note_item, s);
    cw_json_doc_close(doc);
    unlink(path);
    return rc;
}

/* Walks of keyed_shape without rejects: each item's record (array items
 * and page items count from 1; a wrapped object is the item, not the
 * wrapper) and its n; a document of the empty key loads nothing; a callback
 * failure on item 2 ends the walk there with -1. */
static void test_walks_number_items(void **state)
{
    static const struct {
        const char *text;
        size_t stop_at;
        int rc;
        size_t count;
        long records[3];
        int64_t n[3];
    } cases[] = {
        {"[{\"n\":10},{\"n\":20},{\"n\":30}]", 0, 0, 3, {1, 2, 3}, {10, 20, 30}},
        {"{\"total\":2,\"list\":[{\"n\":5},{\"n\":6}]}", 0, 0, 2, {1, 2}, {5, 6}},
        {"{\"one\":{\"n\":7}}", 0, 0, 1, {1}, {7}},
        {"{\"jobs\":[{\"name\":\"a\"}]}", 0, 0, 0, {0}, {0}},
        {"[{\"n\":1},{\"n\":2},{\"n\":3}]", 2, -1, 2, {1, 2}, {1, 2}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cw_capture cap;
        seen s = {.stop_at = cases[i].stop_at};
        cw_capture_init(&cap);
        assert_int_equal(walk_text(&keyed_shape, cases[i].text, &cap, &s), cases[i].rc);
        assert_int_equal(s.count, cases[i].count);
        for (size_t j = 0; j < s.count; j++) {
            assert_int_equal(s.records[j], cases[i].records[j]);
            assert_int_equal(s.n[j], cases[i].n[j]);
        }
        assert_int_equal(cap.n_rejects, 0);
        cw_capture_free(&cap);
    }
}

static void test_lone_object_rules(void **state)
{
    static const cw_item_shape any = {.lone = CW_LONE_ANY};
    static const cw_item_shape never = {.lone = CW_LONE_NEVER, .unknown = "nothing here"};
    cw_capture cap;
    seen a = {0}, b = {0}, c = {0}, d = {0};
    cw_capture_init(&cap);
    /* ANY: even a bare number is one item (the callback rejects what it cannot read) */
    assert_int_equal(walk_text(&any, "5", &cap, &a), 0);
    assert_int_equal(a.count, 1);
    assert_int_equal(a.records[0], 1);
    /* WITH_KEY: the key counts even when null */
    assert_int_equal(walk_text(&keyed_shape, "{\"id\":null,\"n\":3}", &cap, &b), 0);
    assert_int_equal(b.count, 1);
    assert_int_equal(b.n[0], 3);
    assert_int_equal(cap.n_rejects, 0);
    /* WITH_KEY without the key, and NEVER: the file is rejected */
    assert_int_equal(walk_text(&keyed_shape, "{\"x\":1}", &cap, &c), -1);
    assert_int_equal(walk_text(&never, "{\"id\":1}", &cap, &d), -1);
    assert_int_equal(c.count + d.count, 0);
    assert_int_equal(cap.n_rejects, 2);
    cw_expect_reject(&cap, 0, 0, "list", NULL);
    assert_string_equal(cap.rejects[0].reason, "not a test document");
    assert_string_equal(cap.rejects[0].raw, "{\"x\":1}");
    assert_null(cap.rejects[1].field);
    assert_string_equal(cap.rejects[1].reason, "nothing here");
    cw_capture_free(&cap);
}

/* A file that is not JSON is rejected naming where (line and column) and
 * why, never quoting its bytes: a private file (a shadow line) must not
 * reach the reject table or the log. */
static void test_not_json_names_place_never_bytes(void **state)
{
    static const struct {
        const char *text, *reason;
        const char *bytes[2];       /* what the reason and raw must not hold */
    } cases[] = {
        {"[{\"n\":1},\n {\"n\" 2}]", "not JSON: line 2, column ", {"{\"n\"", "\"n\" 2"}},
        {"root:$6$SECRETSALT$hash:19000:0:99999:7:::\n", "not JSON: line 1, column ",
         {"root", "SECRET"}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cw_capture cap;
        seen s = {0};
        const char *path = cw_temp_file(cases[i].text, ".json");
        cw_capture_init(&cap);
        assert_int_equal(cw_items_parse(&keyed_shape, "src", path, &cap.sink, note_item, &s), -1);
        assert_int_equal(s.count, 0);
        assert_int_equal(cap.n_rejects, 1);
        cw_expect_reject(&cap, 0, 0, NULL, cases[i].reason);
        for (size_t j = 0; j < 2; j++)
            assert_null(strstr(cap.rejects[0].reason, cases[i].bytes[j]));
        assert_null(cap.rejects[0].raw);
        cw_capture_free(&cap);
    }
}

static void test_devlake_rows_and_stop(void **state)
{
    static const char csv[] =
        "id,params,data,url,input,created_at\n"
        "1,,\"{\"\"n\"\":1}\",,,\n"
        "2,,\"{\"\"n\"\":2}\",,,\n";
    cw_capture cap;
    seen all = {0}, stopped = {.stop_at = 1};
    const char *path = cw_temp_file(csv, ".csv");
    cw_capture_init(&cap);
    assert_int_equal(cw_items_parse(&keyed_shape, "src", path, &cap.sink, note_item, &all), 0);
    assert_int_equal(all.count, 2);
    assert_int_equal(all.records[0], 2);        /* the header is record 1 */
    assert_int_equal(all.n[1], 2);
    /* a stop is a failure of the file, but not an unreadable CSV */
    assert_int_equal(cw_items_parse(&keyed_shape, "src", path, &cap.sink, note_item, &stopped), -1);
    assert_int_equal(stopped.count, 1);
    assert_int_equal(cap.n_rejects, 0);
    cw_capture_free(&cap);
}

static void test_item_time(void **state)
{
    json_t *item = json_loads("{\"a\":{\"t\":\"2026-01-02T03:04:05Z\"},\"null\":null,"
                              "\"bad\":\"yesterday\",\"num\":5}", 0, NULL);
    cw_origin o = {"src", "file.json", 4};
    cw_capture cap;
    int64_t t;
    int rc = 7;
    cw_capture_init(&cap);
    assert_int_equal(cw_item_time(&cap.sink, &o, item, "a.t", &t, &rc), 0);
    /* 2026-01-02 = day 20455: 20455 * 86400 + 3 h 4 min 5 s */
    assert_true(t == (int64_t)20455 * 86400 + 3 * 3600 + 4 * 60 + 5);
    assert_int_equal(cw_item_time(&cap.sink, &o, item, "null", &t, &rc), 0);
    assert_true(t == CW_NO_TIME);
    assert_int_equal(cw_item_time(&cap.sink, &o, item, "missing", &t, &rc), 0);
    assert_int_equal(rc, 7);                    /* untouched without a reject */
    assert_int_equal(cw_item_time(&cap.sink, &o, item, "bad", &t, &rc), -1);
    assert_int_equal(rc, 0);
    assert_int_equal(cw_item_time(&cap.sink, &o, item, "num", &t, &rc), -1);
    assert_int_equal(cap.n_rejects, 2);
    cw_expect_reject(&cap, 0, 4, "bad", NULL);
    assert_string_equal(cap.rejects[0].reason, "unparseable timestamp 'yesterday'");
    assert_string_equal(cap.rejects[1].reason, "unparseable timestamp '(not a string)'");
    json_decref(item);
    cw_capture_free(&cap);
}

static void test_reject_raw_is_cut(void **state)
{
    char big[1001];
    json_t *item;
    cw_origin o = {"src", "file.json", 1};
    cw_capture cap;
    memset(big, 'x', 1000);
    big[1000] = '\0';
    item = json_pack("{s:s}", "s", big);
    cw_capture_init(&cap);
    assert_int_equal(cw_item_reject(&cap.sink, &o, "s", item, "too long"), 0);
    assert_int_equal(cw_item_reject(&cap.sink, &o, NULL, NULL, "no raw"), 0);
    assert_int_equal(strlen(cap.rejects[0].raw), CW_ITEM_RAW_MAX);
    assert_int_equal(strncmp(cap.rejects[0].raw, "{\"s\":\"xxx", 9), 0);
    assert_null(cap.rejects[1].raw);
    json_decref(item);
    cw_capture_free(&cap);
}

/* GitHub and GitLab builds go through cw_item_emit_build: a revision that is
 * not a full hex object name ("main", an abbreviation, text) is dropped with
 * a reject naming `revision`, and the build still loads. */
static void test_emit_build_checks_revision(void **state)
{
    static const char *const revisions[] = {
        "main", "0f886c7", "0f886c74949c3ee7e489188911c7dc0c1d54741g",
        "0f886c74949c3ee7e489188911c7dc0c1d547418",
        "0F886C74949C3EE7E489188911C7DC0C1D5474180F886C74949C3EE7E4891889",
    };
    cw_capture cap;
    (void)state;
    cw_capture_init(&cap);
    for (size_t i = 0; i < sizeof(revisions) / sizeof(revisions[0]); i++) {
        cw_build b = { .origin = {"src", "file.json", (long)i + 1}, .number = (long)i + 1,
                       .result = "success", .started_at = 1, .finished_at = 2,
                       .revision = revisions[i] };
        assert_int_equal(cw_item_emit_build(&cap.sink, &b, "o/r", "ci", NULL), 0);
    }
    assert_int_equal(cap.n_builds, 5);
    assert_int_equal(cap.n_rejects, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(cap.rejects[i].field, "revision");
        assert_string_equal(cap.rejects[i].raw, revisions[i]);
        assert_null(cap.builds[i].revision);
    }
    assert_string_equal(cap.builds[3].revision, revisions[3]);
    assert_string_equal(cap.builds[4].revision, revisions[4]);
    cw_capture_free(&cap);
}

static void test_regex_compile_key(void **state)
{
    static const char *const pairs[] = {"good", "^prod", "bad", "deploy-(", NULL};
    cw_test_source t;
    cw_regex *re = (cw_regex *)&t;
    cw_redirect err;
    char *text;
    cw_test_source_init(&t, 3, "ci", "jenkins", pairs);
    assert_int_equal(cw_source_regex(&t.src, "good", "^prod", 1, &re), 0);
    assert_int_equal(cw_regex_match(re, "PRODUCTION"), 1);
    cw_regex_free(re);
    assert_int_equal(cw_source_regex(&t.src, "none", NULL, 0, &re), 0);
    assert_null(re);
    cw_redirect_begin(&err, 2);
    assert_int_equal(cw_source_regex(&t.src, "bad", "deploy-(", 0, &re), -1);
    text = cw_redirect_end(&err);
    assert_null(re);
    /* the section is on line 3, so key 1 ("bad") stands on line 5 */
    assert_non_null(strstr(text, "test.ini:5: bad: offset "));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walks_number_items),
        cmocka_unit_test(test_lone_object_rules),
        cmocka_unit_test(test_not_json_names_place_never_bytes),
        cmocka_unit_test(test_devlake_rows_and_stop),
        cmocka_unit_test(test_item_time),
        cmocka_unit_test(test_reject_raw_is_cut),
        cmocka_unit_test(test_regex_compile_key),
        cmocka_unit_test(test_emit_build_checks_revision),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
