/*
 * fuzz_json.c - the JSON reader (core/jsonstream.c) under libFuzzer,
 * against jansson's own loader and against itself.
 *
 * The reader keeps the rules jansson's loader applied (jsonstream.c lists
 * them), so on any input:
 *   - what jansson loads, cw_json_load_text loads to an equal value; what
 *     jansson refuses, it refuses with "line L, column C: why", L within
 *     one line of jansson's.  Known and wanted exceptions: numbers beyond
 *     int64 or double (read as "out of range", core/json.h), a byte order
 *     mark (skipped), and a NUL byte outside a string, which jansson's
 *     lexer drops after some tokens and the reader refuses as any other
 *     byte that is not JSON;
 *   - cw_json_doc_open accepts exactly what cw_json_load_text accepts; its
 *     skeleton is the document with the streamed arrays emptied, and the
 *     elements cw_json_doc_each hands over, in order, are those arrays.
 */
#include "fuzz.h"
#include "core/json.h"
#include "core/jsonstream.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const streamed[] = {"list", "issues", NULL};

static int collect(void *ctx, json_t *element, size_t index)
{
    json_t *into = ctx;
    CW_FUZZ_CHECK(index == json_array_size(into));
    json_array_append(into, element);
    return 0;
}

/* The elements doc hands over for key equal the array whole holds there. */
static void check_elements(cw_json_doc *doc, json_t *whole, const char *key)
{
    json_t *want = key ? json_object_get(whole, key) : whole, *got = json_array();
    char err[256];
    CW_FUZZ_CHECK(cw_json_doc_each(doc, key, collect, got, err, sizeof err) == 0);
    CW_FUZZ_CHECK(json_is_array(want) ? json_equal(got, want) : json_array_size(got) == 0);
    json_decref(got);
}

/* The document through cw_json_doc against the whole load. */
static void check_doc(const uint8_t *data, size_t size, json_t *whole)
{
    char err[256];
    cw_json_doc *doc = cw_json_doc_open(cw_fuzz_file("doc.json", data, size), streamed, err,
                                        sizeof err);
    json_t *skeleton;
    CW_FUZZ_CHECK((doc != NULL) == (whole != NULL));
    if (!doc)
        return;
    skeleton = json_is_array(whole) ? json_array() : json_deep_copy(whole);
    for (size_t i = 0; json_is_object(whole) && streamed[i]; i++)
        if (json_is_array(json_object_get(whole, streamed[i])))
            json_object_set_new(skeleton, streamed[i], json_array());
    CW_FUZZ_CHECK(json_equal(cw_json_doc_root(doc), skeleton));
    json_decref(skeleton);
    if (json_is_array(whole))
        check_elements(doc, whole, NULL);
    for (size_t i = 0; json_is_object(whole) && streamed[i]; i++)
        check_elements(doc, whole, streamed[i]);
    cw_json_doc_close(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256] = "";
    json_error_t jerr;
    json_t *ours = cw_json_load_text((const char *)data, size, err, sizeof err);
    json_t *theirs = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
    int known = memchr(data, '\0', size) != NULL ||
                (size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) ||
                (!theirs && (strstr(jerr.text, "overflow") || strstr(jerr.text, "too big")));
    if (!ours)
        CW_FUZZ_CHECK(strncmp(err, "line ", 5) == 0);
    if (!known) {
        CW_FUZZ_CHECK((ours != NULL) == (theirs != NULL));
        CW_FUZZ_CHECK(!ours || json_equal(ours, theirs));
        CW_FUZZ_CHECK(ours || abs(atoi(err + 5) - jerr.line) <= 1);
    }
    check_doc(data, size, ours);
    json_decref(ours);
    json_decref(theirs);
    return 0;
}
