/*
 * test_mail.c - the weekly report's message (reports/mail.c) and the
 * mailboxes it is addressed with (core/mailbox.c): every expected byte
 * below, Base64 included, is worked out by hand in the comments.
 */
#include "support.h"

#include <stdlib.h>
#include <string.h>

#include "core/mailbox.h"
#include "core/util.h"
#include "reports/mail.h"

static void test_date_is_rfc5322(void **state)
{
    char buf[40];
    (void)state;
    cw_mail_date(0, buf, sizeof(buf));
    assert_string_equal(buf, "Thu, 01 Jan 1970 00:00:00 +0000");
    /* 2026-01-01 is a Thursday: Feb 1 and Mar 1 are Sundays, Mar 30 a Monday */
    cw_mail_date(cw_t("2026-03-30T09:05:07Z"), buf, sizeof(buf));
    assert_string_equal(buf, "Mon, 30 Mar 2026 09:05:07 +0000");
    /* 2024-01-01 is a Monday: Feb 1 a Thursday, Feb 29 too */
    cw_mail_date(cw_t("2024-02-29T23:59:59Z"), buf, sizeof(buf));
    assert_string_equal(buf, "Thu, 29 Feb 2024 23:59:59 +0000");
}

static char *header_text(const char *text)
{
    cw_buf b = {0};
    cw_mail_header_text(&b, 9, text);
    return b.data ? b.data : cw_strdup("");
}

static void expect_header(const char *text, const char *want)
{
    char *got = header_text(text);
    assert_string_equal(got, want);
    free(got);
}

static void test_subject_encoding(void **state)
{
    char text[64];
    (void)state;
    expect_header("Catwalk weekly report, week of 2026-03-23",
                  "Catwalk weekly report, week of 2026-03-23");
    /* "Café": 43 61 66 | C3 A9 -> Q2Fm | w6k= */
    expect_header("Caf\xC3\xA9", "=?UTF-8?B?Q2Fmw6k=?=");
    /* Plain text folds before the last space that keeps a line within 78:
     * ten 9-letter words; after "Subject: " (9) seven words and their six
     * spaces take 9 + 69 = 78 columns, the rest goes on a line starting with
     * the space. */
    expect_header("abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi "
                  "abcdefghi abcdefghi abcdefghi",
                  "abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi abcdefghi\r\n"
                  " abcdefghi abcdefghi abcdefghi");
    /* "=?" would open an encoded word: 61 20 3D | 3F 78 -> YSA9 | P3g= */
    expect_header("a =?x", "=?UTF-8?B?YSA9P3g=?=");
    /* After "Subject: " (9 columns) a word may be 76 - 9 = 67 long: 12 for
     * "=?UTF-8?B?" and "?=", 52 of Base64 (13 groups), so 39 bytes.  38 'a'
     * and an 'é' (40 bytes): the 'é' is not split, so the first word is the
     * 38 'a' (12 x "aaa" = YWFh, then "aa" = YWE=), the second, after the
     * fold, the 'é' (C3 A9 = w6k=). */
    memset(text, 'a', 38);
    strcpy(text + 38, "\xC3\xA9");
    expect_header(text, "=?UTF-8?B?YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWE=?=\r\n"
                        " =?UTF-8?B?w6k=?=");
}

static void test_mailboxes(void **state)
{
    cw_mailbox mb;
    const char *why = NULL;
    (void)state;
    assert_int_equal(cw_mailbox_parse("  Release Desk  <rel.desk+cw@mail.example.co.uk> ", &mb,
                                      &why), 0);
    assert_string_equal(mb.name, "Release Desk");
    assert_string_equal(mb.addr, "rel.desk+cw@mail.example.co.uk");
    assert_string_equal(cw_mailbox_domain(mb.addr), "mail.example.co.uk");
    assert_int_equal(cw_mailbox_parse("cio@example.com", &mb, &why), 0);
    assert_string_equal(mb.name, "");
    assert_string_equal(mb.addr, "cio@example.com");
    assert_int_equal(cw_mailbox_parse("Zo\xC3\xAB <z@example.org>", &mb, NULL), 0);
    assert_string_equal(mb.name, "Zo\xC3\xAB");

    static const char *const bad[] = {
        "", "cio", "cio@", "@example.com", ".a@example.com", "a.@example.com", "a..b@example.com",
        "a b@example.com", "\"a\"@example.com", "a@-example.com", "a@example-.com",
        "a@exa..mple.com", "a@[127.0.0.1]", "a@example.com\r\nBcc: x@evil.example",
        "Name <a@example.com", "Na\"me <a@example.com>", "A, B <a@example.com>",
        "Name\r\nBcc: x <a@example.com>", NULL};
    for (size_t i = 0; bad[i]; i++)
        if (cw_mailbox_parse(bad[i], &mb, &why) == 0)
            fail_msg("accepted '%s'", bad[i]);
}

/* The message of the file comment, built from fixed parts. */
static const char *const two_rcpt[] = {"a@example.com", "Zo\xC3\xAB <z@example.org>"};
static const cw_mail_part image = {"image/png", "chart-1", "chart-1.png", "PNG", 3};
static const cw_mail_part page = {"text/html", NULL, "r.html", "abc", 3};

static cw_mail_message small_message(void)
{
    cw_mail_message m = {"Catwalk <cw@example.com>", two_rcpt, 2, "Week 13",
                         cw_t("2026-03-30T09:05:07Z"), "T0k3n", "Hi\n", "<b>Hi</b>",
                         &image, 1, &page, 1};
    return m;
}

static void test_whole_message(void **state)
{
    cw_mail_message m = small_message();
    cw_buf out = {0};
    (void)state;
    assert_int_equal(cw_mail_build(&m, &out, NULL), 0);
    assert_string_equal(out.data,
        "Date: Mon, 30 Mar 2026 09:05:07 +0000\r\n"
        "From: Catwalk <cw@example.com>\r\n"
        /* "Zoë": 5A 6F C3 | AB -> Wm/D | qw== */
        "To: a@example.com,\r\n =?UTF-8?B?Wm/Dqw==?= <z@example.org>\r\n"
        "Subject: Week 13\r\n"
        "Message-ID: <T0k3n@example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        "Auto-Submitted: auto-generated\r\n"
        "Content-Type: multipart/mixed;\r\n boundary=\"=_cw.mixed.T0k3n\"\r\n"
        "\r\n"
        "This is a MIME message: the weekly report is in its HTML part.\r\n"
        "\r\n"
        "--=_cw.mixed.T0k3n\r\n"
        "Content-Type: multipart/related; type=\"multipart/alternative\";\r\n"
        " boundary=\"=_cw.related.T0k3n\"\r\n"
        "\r\n"
        "--=_cw.related.T0k3n\r\n"
        "Content-Type: multipart/alternative;\r\n boundary=\"=_cw.alt.T0k3n\"\r\n"
        "\r\n"
        "--=_cw.alt.T0k3n\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        "SGkNCg==\r\n"                  /* "Hi\r\n": 48 69 0D | 0A -> SGkN | Cg== */
        "--=_cw.alt.T0k3n\r\n"
        "Content-Type: text/html; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "\r\n"
        "PGI+SGk8L2I+\r\n"              /* "<b>Hi</b>": <b> | Hi< | /b> */
        "--=_cw.alt.T0k3n--\r\n"
        "--=_cw.related.T0k3n\r\n"
        "Content-Type: image/png;\r\n name=\"chart-1.png\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-ID: <chart-1>\r\n"
        "Content-Disposition: inline;\r\n filename=\"chart-1.png\"\r\n"
        "\r\n"
        "UE5H\r\n"                      /* "PNG": 50 4E 47 */
        "--=_cw.related.T0k3n--\r\n"
        "--=_cw.mixed.T0k3n\r\n"
        "Content-Type: text/html;\r\n name=\"r.html\"\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Disposition: attachment;\r\n filename=\"r.html\"\r\n"
        "\r\n"
        "YWJj\r\n"                      /* "abc": 61 62 63 */
        "--=_cw.mixed.T0k3n--\r\n");
    cw_buf_free(&out);
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* 58 bytes are 19 groups of 3 and one byte over: a full line of 76
 * characters, then "AA==".  Text line ends become CRLF: "a\nb\r\nc" is
 * 61 0D 0A | 62 0D 0A | 63 -> YQ0K Yg0K Yw==. */
static void test_base64_folding_and_crlf(void **state)
{
    char zeros[58] = {0}, line[120];
    cw_mail_part blob = {"application/octet-stream", NULL, "z.bin", zeros, sizeof(zeros)};
    cw_mail_message m = small_message();
    cw_buf out = {0};
    (void)state;
    m.attachments = &blob;
    m.text = "a\nb\r\nc";
    assert_int_equal(cw_mail_build(&m, &out, NULL), 0);
    memset(line, 'A', 76);
    strcpy(line + 76, "\r\nAA==\r\n--=_cw.mixed");
    assert_non_null(strstr(out.data, line));
    assert_non_null(strstr(out.data, "\r\n\r\nYQ0KYg0KYw==\r\n--=_cw.alt.T0k3n\r\n"));
    cw_buf_free(&out);
}

/* Every line ends CRLF and is at most 78 characters, for a long non-ASCII
 * subject and a 3000-byte attachment of every byte value whose content
 * type is the workbook's (80 columns on the Content-Type line unfolded); each boundary
 * occurs exactly where the structure puts it (so never inside a part). */
static void test_lines_and_boundaries(void **state)
{
    unsigned char bytes[3000];
    char subject[600] = "";      /* 60 x 9 bytes */
    cw_mail_part blob = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", NULL,
                         "all.xlsx", bytes, sizeof(bytes)};
    cw_mail_part images[2] = {image, {"image/png", "chart-2", "chart-2.png", bytes, 999}};
    cw_mail_message m = small_message();
    cw_buf out = {0};
    (void)state;
    for (size_t i = 0; i < sizeof(bytes); i++)
        bytes[i] = (unsigned char)(i * 7 + i / 256);
    for (int i = 0; i < 60; i++)
        strcat(subject, "R\xC3\xA9sum\xC3\xA9 ");
    m.subject = subject;
    m.attachments = &blob;
    m.images = images;
    m.n_images = 2;
    assert_int_equal(cw_mail_build(&m, &out, NULL), 0);
    for (const char *p = out.data; *p;) {
        const char *eol = strstr(p, "\r\n");
        assert_non_null(eol);
        assert_null(memchr(p, '\n', (size_t)(eol - p)));
        /* RFC 2047: a line with encoded words is at most 76 */
        if (eol - p > (strstr(p, "=?UTF-8?") && strstr(p, "=?UTF-8?") < eol ? 76 : 78))
            fail_msg("line of %d characters: %.40s...", (int)(eol - p), p);
        p = eol + 2;
    }
    /* mixed: header, before related, before the attachment, the close */
    assert_int_equal(count(out.data, "=_cw.mixed.T0k3n"), 4);
    /* related: header, before the alternative, before each image, the close */
    assert_int_equal(count(out.data, "=_cw.related.T0k3n"), 5);
    /* alternative: header, before text, before html, the close */
    assert_int_equal(count(out.data, "=_cw.alt.T0k3n"), 4);
    assert_int_equal(count(out.data, "=_"), 13);
    assert_non_null(strstr(out.data, "\r\nContent-Type:\r\n application/vnd.openxmlformats-"
                                     "officedocument.spreadsheetml.sheet;\r\n name=\"all.xlsx\"\r\n"));
    cw_buf_free(&out);
}

static void expect_refused(cw_mail_message m, const char *why_part)
{
    cw_buf out = {0};
    const char *why = NULL;
    assert_int_equal(cw_mail_build(&m, &out, &why), -1);
    assert_non_null(why);
    if (!strstr(why, why_part))
        fail_msg("expected '%s' in '%s'", why_part, why);
    cw_buf_free(&out);
}

static void test_refusals(void **state)
{
    static const char *const forged[] = {"a@example.com\r\nBcc: x@evil.example"};
    cw_mail_part bad_name = {"text/html", NULL, "r\".html", "abc", 3};
    cw_mail_part bad_cid = {"image/png", "a b", "x.png", "PNG", 3};
    cw_mail_message m = small_message();
    (void)state;
    m.from = "nobody";
    expect_refused(m, "no '@'");
    m = small_message();
    m.to = forged;
    m.n_to = 1;
    expect_refused(m, "the domain");
    m = small_message();
    m.n_to = 0;
    expect_refused(m, "no recipient");
    m = small_message();
    m.attachments = &bad_name;
    expect_refused(m, "file name");
    m = small_message();
    m.images = &bad_cid;
    expect_refused(m, "content id");
    m = small_message();
    m.token = "=_x";
    expect_refused(m, "token");
}

static void test_display_names(void **state)
{
    static const char *const dotted[] = {"J. Smith <j@example.com>"};
    cw_mail_message m = small_message();
    cw_buf out = {0};
    (void)state;
    m.to = dotted;
    m.n_to = 1;
    m.from = "cw@example.com";
    assert_int_equal(cw_mail_build(&m, &out, NULL), 0);
    assert_non_null(strstr(out.data, "\r\nFrom: cw@example.com\r\n"));
    assert_non_null(strstr(out.data, "\r\nTo: \"J. Smith\" <j@example.com>\r\n"));
    cw_buf_free(&out);
}

static void test_tokens_are_random(void **state)
{
    char a[40], b[40];
    (void)state;
    assert_int_equal(cw_mail_token(a, sizeof(a)), 0);
    assert_int_equal(cw_mail_token(b, sizeof(b)), 0);
    assert_int_equal(strlen(a), 32);
    assert_int_equal(strspn(a, "0123456789abcdef"), 32);
    assert_string_not_equal(a, b);
    assert_int_equal(cw_mail_token(a, 32), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_is_rfc5322),
        cmocka_unit_test(test_subject_encoding),
        cmocka_unit_test(test_mailboxes),
        cmocka_unit_test(test_whole_message),
        cmocka_unit_test(test_base64_folding_and_crlf),
        cmocka_unit_test(test_lines_and_boundaries),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_display_names),
        cmocka_unit_test(test_tokens_are_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
