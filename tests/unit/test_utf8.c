/*
 * test_utf8.c - core/utf8.h against byte sequences worked out by hand from
 * Unicode's table 3-7 (well-formed sequences) and its "U+FFFD substitution
 * of maximal subparts" examples (chapter 3.9, tables 3-8 to 3-11), and the
 * text repair of core/record.h (cw_text_utf8, cw_text_report) with its
 * warning and finding.
 */
#include "support.h"
#include "core/record.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>

#define FFFD "\xEF\xBF\xBD"

static int valid(const char *s)
{
    return cw_utf8_valid(s, strlen(s));
}

/* repair(in) must give out with n replacements. */
static void assert_repair(const char *in, size_t len, const char *out, size_t n)
{
    size_t count = 99;
    char *got = cw_utf8_repair(in, len, &count);
    assert_string_equal(got, out);
    assert_int_equal(count, n);
    assert_int_equal(cw_utf8_valid(got, strlen(got)), 1);
    assert_int_equal(cw_utf8_valid(in, len), n == 0);
    free(got);
}

static void test_valid_sequences(void **state)
{
    (void)state;
    assert_true(valid(""));
    assert_true(valid("plain ASCII"));
    assert_true(valid("caf\xC3\xA9"));                      /* é U+00E9 */
    assert_true(valid("\xC2\x80"));                         /* U+0080, the lowest 2-byte */
    assert_true(valid("\xDF\xBF"));                         /* U+07FF */
    assert_true(valid("\xE0\xA0\x80"));                     /* U+0800, the lowest 3-byte */
    assert_true(valid("\xE2\x82\xAC"));                     /* € U+20AC */
    assert_true(valid("\xED\x9F\xBF"));                     /* U+D7FF, just below the surrogates */
    assert_true(valid("\xEE\x80\x80"));                     /* U+E000, just above them */
    assert_true(valid(FFFD));                               /* U+FFFD itself */
    assert_true(valid("\xF0\x90\x80\x80"));                 /* U+10000, the lowest 4-byte */
    assert_true(valid("\xF0\x9F\x98\x80"));                 /* 😀 U+1F600 */
    assert_true(valid("\xF4\x8F\xBF\xBF"));                 /* U+10FFFF, the highest */
    assert_int_equal(cw_utf8_valid("a\0b", 3), 1);          /* U+0000 is UTF-8 */
    assert_int_equal(cw_utf8_valid("\xC3\xA9", 1), 0);      /* len cuts the sequence */
}

static void test_invalid_sequences(void **state)
{
    (void)state;
    assert_false(valid("caf\xE9"));                         /* Latin-1 é */
    assert_false(valid("\x80"));                            /* a lone continuation byte */
    assert_false(valid("\xC0\x80"));                        /* overlong U+0000 */
    assert_false(valid("\xC1\xBF"));                        /* overlong U+007F */
    assert_false(valid("\xE0\x80\x80"));                    /* overlong U+0000, 3 bytes */
    assert_false(valid("\xE0\x9F\xBF"));                    /* overlong U+07FF */
    assert_false(valid("\xF0\x8F\xBF\xBF"));                /* overlong U+FFFF */
    assert_false(valid("\xED\xA0\x80"));                    /* surrogate U+D800 */
    assert_false(valid("\xED\xBF\xBF"));                    /* surrogate U+DFFF */
    assert_false(valid("\xF4\x90\x80\x80"));                /* U+110000 */
    assert_false(valid("\xF5\x80\x80\x80"));                /* F5..FF start nothing */
    assert_false(valid("\xFF"));
    assert_false(valid("\xE2\x82"));                        /* € cut short */
    assert_false(valid("\xF0\x9F\x98"));                    /* 😀 cut short */
    assert_false(valid("\xE2\x82x"));                       /* cut short before ASCII */
}

/* One U+FFFD per maximal subpart: the longest prefix of a well-formed
 * sequence, or one byte where none starts. */
static void test_repair_maximal_subparts(void **state)
{
    (void)state;
    assert_repair("", 0, "", 0);
    assert_repair("caf\xC3\xA9", 5, "caf\xC3\xA9", 0);
    assert_repair("caf\xE9", 4, "caf" FFFD, 1);
    assert_repair("caf\xE9 merge", 10, "caf" FFFD " merge", 1);      /* E9 then a space: 1 byte */
    assert_repair("\xE2\x82", 2, FFFD, 1);                            /* E2 82 is one subpart */
    assert_repair("\xE2\x82x", 3, FFFD "x", 1);
    assert_repair("\xF0\x9F\x98", 3, FFFD, 1);                        /* F0 9F 98: one */
    assert_repair("\xF0\x9F\x98\xF0\x9F\x98\x80", 7, FFFD "\xF0\x9F\x98\x80", 1);
    /* overlong: C0 and C1 start nothing, E0 80 and F0 80 are not prefixes */
    assert_repair("\xC0\x80", 2, FFFD FFFD, 2);
    assert_repair("\xE0\x80\x80", 3, FFFD FFFD FFFD, 3);
    assert_repair("\xF0\x80\x80\x80", 4, FFFD FFFD FFFD FFFD, 4);
    /* surrogates: ED A0 is not a prefix (table 3-9's example) */
    assert_repair("\xED\xA0\x80\xED\xBF\xBF", 6, FFFD FFFD FFFD FFFD FFFD FFFD, 6);
    /* past U+10FFFF: F4 90 is not a prefix, F5 starts nothing (table 3-8) */
    assert_repair("\xF4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD, 4);
    assert_repair("\xF5\x80\x80\x80", 4, FFFD FFFD FFFD FFFD, 4);
    assert_repair("\x80\xBF", 2, FFFD FFFD, 2);
    /* Unicode table 3-11's example: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 */
    assert_repair("a\xF1\x80\x80\xE1\x80\xC2" "b\x80" "c\x80\xBF" "d", 13,
                  "a" FFFD FFFD FFFD "b" FFFD "c" FFFD FFFD "d", 6);
    /* the length counts, not a NUL */
    assert_repair("a\xE9", 1, "a", 0);
}

/* Valid text is handed back as it is; invalid text is repaired, counted,
 * and the file's first is a warning naming file, record and field. */
static void test_text_utf8_warns_once(void **state)
{
    cw_text_check check = {0};
    cw_redirect r;
    char *owned = (char *)1, *err;
    const char *s, *valid_text = "caf\xC3\xA9";
    (void)state;
    cw_redirect_begin(&r, 2);
    assert_ptr_equal(cw_text_utf8(&check, "x.csv", 2, "name", valid_text, &owned), valid_text);
    assert_null(owned);
    assert_null(cw_text_utf8(&check, "x.csv", 2, "name", NULL, &owned));
    assert_null(owned);
    s = cw_text_utf8(&check, "x.csv", 3, "short_description", "caf\xE9", &owned);
    assert_non_null(owned);
    assert_ptr_equal(s, owned);
    assert_string_equal(s, "caf" FFFD);
    free(owned);
    s = cw_text_utf8(&check, "x.csv", 4, "description", "\xFF", &owned);
    assert_string_equal(s, FFFD);
    free(owned);
    err = cw_redirect_end(&r);
    assert_non_null(strstr(err, "x.csv: record 3: short_description is not valid UTF-8"));
    assert_non_null(strstr(err, "U+FFFD"));
    assert_null(strstr(err, "record 4"));                  /* once per file */
    free(err);
    assert_int_equal(check.fields, 2);
    assert_int_equal(check.record, 3);
    assert_string_equal(check.field, "short_description");
}

/* A long field name is cut to a whole character. */
static void test_text_utf8_long_field_name(void **state)
{
    cw_text_check check = {0};
    cw_redirect r;
    char name[200], *owned;
    (void)state;
    strcpy(name, "xy");
    for (int i = 0; i < 60; i++)
        strcat(name, "\xC3\xA9");
    cw_redirect_begin(&r, 2);
    cw_text_utf8(&check, "f", 1, name, "\xE9", &owned);
    free(owned);
    free(cw_redirect_end(&r));
    /* 63 bytes fit: x, y, 30 é of 2 bytes and half of one, which goes */
    assert_int_equal(strlen(check.field), 62);
    assert_true(valid(check.field));
}

/* The finding at the end of a file: only when something was repaired. */
static void test_text_report_finding(void **state)
{
    cw_capture cap;
    cw_text_check check = {0};
    cw_origin file = {"sn", "landing/sn/incidents.csv", 7};
    (void)state;
    cw_capture_init(&cap);
    assert_int_equal(cw_text_report(&cap.sink, &file, &check), 0);
    assert_int_equal(cap.n_findings, 0);
    check.fields = 3;
    check.record = 12;
    strcpy(check.field, "short_description");
    assert_int_equal(cw_text_report(&cap.sink, &file, &check), 0);
    assert_int_equal(cap.n_findings, 1);
    assert_string_equal(cap.findings[0].kind, "text_not_utf8");
    assert_string_equal(cap.findings[0].subject, "landing/sn/incidents.csv");
    assert_int_equal(cap.findings[0].origin.record, 0);
    assert_non_null(strstr(cap.findings[0].detail, "3 text fields were not valid UTF-8 "
                           "(the first: record 12, field short_description)"));
    cap.sink.finding = NULL;                                 /* a sink without findings */
    assert_int_equal(cw_text_report(&cap.sink, &file, &check), 0);
    cw_capture_free(&cap);
}

/* A reject quotes the record: its raw text and reason are repaired, or
 * PostgreSQL would refuse the reject and the batch with it. */
static void test_reject_text_repaired(void **state)
{
    cw_capture cap;
    cw_origin o = {"git", "commits.log", 2};
    (void)state;
    cw_capture_init(&cap);
    assert_int_equal(cw_sink_reject(&cap.sink, &o, "authored_at", "Ren\xE9\x1f" "2026",
                                    "unparseable date '%s'", "2026\xE2\x82"), 0);
    assert_int_equal(cap.n_rejects, 1);
    assert_string_equal(cap.rejects[0].raw, "Ren" FFFD "\x1f" "2026");
    assert_string_equal(cap.rejects[0].reason, "unparseable date '2026" FFFD "'");
    assert_int_equal(cw_sink_reject(&cap.sink, &o, NULL, NULL, "no raw"), 0);
    assert_null(cap.rejects[1].raw);
    cw_capture_free(&cap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_sequences),
        cmocka_unit_test(test_invalid_sequences),
        cmocka_unit_test(test_repair_maximal_subparts),
        cmocka_unit_test(test_text_utf8_warns_once),
        cmocka_unit_test(test_text_utf8_long_field_name),
        cmocka_unit_test(test_text_report_finding),
        cmocka_unit_test(test_reject_text_repaired),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
