/*
 * test_git.c - the git connector on the real commons-cli and alloy exports
 * (all four formats), hand-written malformed input, and `produce` against a
 * tiny repository created here.
 *
 * Expected values come from reading the fixtures: offsets are converted to
 * UTC by hand and numstat sums added up from the lines shown in comments.
 */
#include "support.h"
#include "extract/source.h"
#include "core/util.h"
#include "transform/correlate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern const cw_source_type cw_source_git;

#define CLI_TAG "0a68ae0e826bb08eb59bda9bae7ec5d84008b62a"   /* [CLI-354] ... (#439). */
#define CLI_MIX "0f561e5979d1f10b93ae98ef1fcd908ec33c048e"   /* author +07:00, committer -04:00 */
#define CLI_BIN "8121dab6c4a193a8dfa9c26512fe040e9dea8bd0"   /* "Use new Oak leaf logotype": 6 binaries */
#define CLI_MERGE "5d14bd089bc3ce37a9e2d9146c1507697f721eeb" /* Merge branch 'master' of ... */

/* A git source as the config would build it: [source commits] on line 2,
 * then each key given (NULL: left out). */
static void make_source(cw_test_source *t, const char *repository, const char *repo_path, const char *since)
{
    cw_test_source_init(t, 2, "commits", "git", NULL);
    if (repository)
        cw_test_source_set(t, "repository", repository);
    if (repo_path)
        cw_test_source_set(t, "repository_path", repo_path);
    if (since)
        cw_test_source_set(t, "since", since);
}

static int parse(const char *path, cw_capture *cap)
{
    cw_test_source t;
    make_source(&t, "commons-cli", NULL, NULL);
    cw_capture_init(cap);
    return cw_source_git.parse(&t.src, path, &cap->sink);
}

static size_t count_merges(const cw_capture *cap)
{
    size_t merges = 0;
    for (size_t i = 0; i < cap->n_commits; i++)
        if (strchr(cap->commits[i].parents, ' '))
            merges++;
    return merges;
}

static const cw_commit *must_commit(const cw_capture *cap, const char *sha)
{
    const cw_commit *c = cw_capture_commit(cap, sha);
    if (!c)
        fail_msg("commit %s not emitted", sha);
    return c;
}

/* ------------------------------------------------ 0x1E record format */

static void test_us_format_commons_cli(void **state)
{
    cw_capture cap;
    const cw_commit *c;
    assert_int_equal(parse(cw_fixture("git/commons-cli.log-numstat-us.txt"), &cap), 0);
    assert_int_equal(cap.n_commits, 309);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(count_merges(&cap), 5);

    /* First record: 2026-08-22T10:20:21-04:00 is 14:20:21 UTC; numstat "1 0 changes.xml". */
    c = &cap.commits[0];
    assert_string_equal(c->sha, CLI_TAG);
    assert_int_equal(c->origin.record, 1);
    assert_string_equal(c->origin.source, "commits");
    assert_string_equal(c->repository, "commons-cli");
    assert_string_equal(c->subject, "[CLI-354] Fix HelpFormatter wrapped description indent (#439).");
    assert_true(c->authored_at == cw_t("2026-08-22T14:20:21Z"));
    assert_true(c->committed_at == cw_t("2026-08-22T14:20:21Z"));
    assert_string_equal(c->parents, CLI_MIX);
    assert_null(c->body);
    assert_int_equal(c->additions, 1);
    assert_int_equal(c->deletions, 0);
    assert_int_equal(c->files_changed, 1);

    /* Author 21:18:51+07:00 and committer 10:18:51-04:00 are the same instant, 14:18:51Z.
     * numstat 1/1 + 33/0 + 11/0 = 45 added, 1 deleted, 3 files. */
    c = must_commit(&cap, CLI_MIX);
    assert_int_equal(c->origin.record, 2);
    cw_expect_author(c, "dev_Hakaze", "af.nawfal@gmail.com", "2026-08-22T14:18:51Z");
    assert_string_equal(c->committer_name, "GitHub");
    assert_string_equal(c->committer_email, "noreply@github.com");
    assert_true(c->committed_at == cw_t("2026-08-22T14:18:51Z"));
    assert_non_null(c->body);
    assert_non_null(strstr(c->body, "When remaining pad equals indent"));
    assert_non_null(strstr(c->body, "Co-authored-by: arimu1 <19286898+arimu1@users.noreply.github.com>"));
    assert_int_equal(c->additions, 45);
    assert_int_equal(c->deletions, 1);
    assert_int_equal(c->files_changed, 3);

    /* Six `-\t-\t` lines: six files, no lines. */
    c = must_commit(&cap, CLI_BIN);
    assert_int_equal(c->additions, 0);
    assert_int_equal(c->deletions, 0);
    assert_int_equal(c->files_changed, 6);
    assert_true(c->authored_at == cw_t("2025-10-30T12:03:35Z"));

    /* A merge prints no numstat. */
    c = must_commit(&cap, CLI_MERGE);
    assert_string_equal(c->parents, "9dff22bd9d7eea6a892c9d66e3729e1dec83ae1c "
                                    "9d186db3d9136eaff352841d7d83481593334e68");
    assert_int_equal(c->additions, -1);
    assert_int_equal(c->deletions, -1);
    assert_int_equal(c->files_changed, -1);
    assert_true(c->authored_at == cw_t("2025-09-26T14:03:20Z"));
    cw_capture_free(&cap);
}

static void test_us_format_alloy(void **state)
{
    cw_capture cap;
    size_t with_numstat = 0;
    assert_int_equal(parse(cw_fixture("correlated/alloy/git.log"), &cap), 0);
    /* Counts stated in correlated/alloy/SOURCES.md. */
    assert_int_equal(cap.n_commits, 6083);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(count_merges(&cap), 1275);
    for (size_t i = 0; i < cap.n_commits; i++)
        if (cap.commits[i].files_changed >= 0)
            with_numstat++;
    assert_int_equal(with_numstat, 4808);
    assert_int_equal(cap.commits[6082].origin.record, 6083);
    cw_capture_free(&cap);
}

static void test_us_format_malformed_records(void **state)
{
    cw_capture cap;
    const cw_commit *c;
    assert_int_equal(parse(cw_test_data("git/malformed.log"), &cap), 0);
    assert_int_equal(cap.n_commits, 3);
    assert_int_equal(cap.n_rejects, 4);

    /* Record 1: 10:00+01:00 = 09:00Z; 3 lines in a.txt plus a binary logo. */
    c = must_commit(&cap, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_int_equal(c->origin.record, 1);
    assert_string_equal(c->parents, "");
    assert_true(c->authored_at == cw_t("2026-03-01T09:00:00Z"));
    assert_int_equal(c->additions, 3);
    assert_int_equal(c->deletions, 0);
    assert_int_equal(c->files_changed, 2);

    cw_expect_reject(&cap, 0, 2, "sha", NULL);
    assert_non_null(strstr(cap.rejects[0].raw, "not-a-sha"));
    cw_expect_reject(&cap, 1, 3, "authored_at", "31/02/2026");
    assert_true(strlen(cap.rejects[1].raw) <= 200);
    assert_int_equal(strncmp(cap.rejects[1].raw, "cccccccc", 8), 0);
    /* Record 4: its numstat line "x\t1\ta.txt" is rejected on its own; the
     * commit is kept, its line counts unknown. */
    cw_expect_reject(&cap, 2, 4, "numstat", NULL);
    assert_string_equal(cap.rejects[2].raw, "x\t1\ta.txt");
    c = must_commit(&cap, "dddddddddddddddddddddddddddddddddddddddd");
    assert_int_equal(c->origin.record, 4);
    assert_string_equal(c->subject, "bad numstat");
    assert_true(c->authored_at == cw_t("2026-03-03T10:00:00Z"));
    assert_int_equal(c->additions, -1);
    assert_int_equal(c->deletions, -1);
    assert_int_equal(c->files_changed, -1);
    assert_int_equal(cap.rejects[3].origin.record, 5);
    assert_null(cap.rejects[3].field);
    assert_string_equal(cap.rejects[3].origin.file, cw_test_data("git/malformed.log"));

    /* Record 6: a merge after the bad ones; 23:30-05:00 = 04:30Z next day. */
    c = must_commit(&cap, "ffffffffffffffffffffffffffffffffffffffff");
    assert_int_equal(c->origin.record, 6);
    assert_true(c->authored_at == cw_t("2026-03-05T04:30:00Z"));
    assert_true(c->committed_at == cw_t("2026-03-05T04:31:00Z"));
    assert_string_equal(c->body, "Body line\n\nCo-authored-by: Di <di@example.com>");
    assert_int_equal(c->files_changed, -1);
    cw_capture_free(&cap);
}

/* ------------------------------------------------------------- TSV */

static void test_tsv_format(void **state)
{
    cw_capture cap;
    const cw_commit *c;
    assert_int_equal(parse(cw_fixture("git/commons-cli.log-tsv.txt"), &cap), 0);
    assert_int_equal(cap.n_commits, 309);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(count_merges(&cap), 5);
    c = must_commit(&cap, CLI_MIX);
    assert_true(c->authored_at == cw_t("2026-08-22T14:18:51Z"));
    assert_true(c->committed_at == cw_t("2026-08-22T14:18:51Z"));
    assert_string_equal(c->committer_name, "GitHub");
    assert_null(c->body);
    assert_int_equal(c->additions, -1);
    assert_int_equal(c->files_changed, -1);
    c = must_commit(&cap, CLI_BIN);
    assert_int_equal(c->origin.record, 205);        /* line 205 of the file */
    c = must_commit(&cap, CLI_MERGE);
    assert_string_equal(c->subject, "Merge branch 'master' of https://github.com/apache/commons-cli.git");
    cw_capture_free(&cap);
}

/* ------------------------------------------------ text not in UTF-8 */

#define FFFD "\xEF\xBF\xBD"
#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* Parse text as a git export into cap; the warnings go to *err (caller frees). */
static void parse_text(const char *text, cw_capture *cap, char **err)
{
    cw_redirect r;
    const char *path = cw_temp_file(text, ".log");
    cw_redirect_begin(&r, 2);
    assert_int_equal(parse(path, cap), 0);
    *err = cw_redirect_end(&r);
    unlink(path);
}

/* Git lets names and messages be in any encoding (i18n.commitEncoding): a
 * Latin-1 or broken sequence becomes U+FFFD and the commit still loads, so
 * its ancestry does; one warning and one finding per file. */
static void test_non_utf8_text_is_repaired(void **state)
{
    cw_capture cap;
    const cw_commit *c;
    char *err;
    (void)state;
    parse_text("\x1e" SHA_B "\x1f" SHA_A "\x1fRen\xe9\x1fren\xe9@example.com\x1f"
               "2026-03-02T10:00:00+00:00\x1fRen\xc3\xa9\x1fr@example.com\x1f" "2026-03-02T10:00:00+00:00"
               "\x1f" "caf\xe9 merge\x1f" "over\xc0\x80long \xed\xa0\x80 cut \xe2\x82\n\x1f\n"
               "\x1e" SHA_A "\x1f\x1f" "Ann\x1f" "ann@example.com\x1f" "2026-03-01T10:00:00+00:00\x1f"
               "Ann\x1f" "ann@example.com\x1f" "2026-03-01T10:00:00+00:00\x1froot\x1f\x1f\n", &cap, &err);
    assert_int_equal(cap.n_commits, 2);
    assert_int_equal(cap.n_rejects, 0);
    c = must_commit(&cap, SHA_B);
    assert_string_equal(c->parents, SHA_A);
    assert_string_equal(c->author_name, "Ren" FFFD);
    assert_string_equal(c->author_email, "ren" FFFD "@example.com");
    assert_string_equal(c->committer_name, "Ren\xc3\xa9");         /* valid: as it was */
    assert_string_equal(c->subject, "caf" FFFD " merge");
    /* overlong C0 80: two; surrogate ED A0 80: three; cut E2 82: one */
    assert_string_equal(c->body, "over" FFFD FFFD "long " FFFD FFFD FFFD " cut " FFFD);
    assert_string_equal(must_commit(&cap, SHA_A)->subject, "root");
    /* one warning, at the first field: file, record and field */
    assert_non_null(strstr(err, "record 1: author_name is not valid UTF-8"));
    assert_null(strstr(err, "subject is not"));
    assert_int_equal(cap.n_findings, 1);
    assert_string_equal(cap.findings[0].kind, "text_not_utf8");
    assert_string_equal(cap.findings[0].subject, cap.commits[0].origin.file);
    assert_non_null(strstr(cap.findings[0].detail, "4 text fields were not valid UTF-8 "
                           "(the first: record 1, field author_name)"));
    free(err);
    cw_capture_free(&cap);

    /* the medium form: a Latin-1 author and subject; a valid file: no finding */
    parse_text("commit " SHA_A "\nAuthor: Jos\xe9 <jose@example.com>\n"
               "Date:   Sun Mar 1 09:00:00 2026 +0000\n\n    r\xe9sum\xe9\n", &cap, &err);
    assert_int_equal(cap.n_commits, 1);
    assert_string_equal(cap.commits[0].author_name, "Jos" FFFD);
    assert_string_equal(cap.commits[0].author_email, "jose@example.com");
    assert_string_equal(cap.commits[0].subject, "r" FFFD "sum" FFFD);
    assert_int_equal(cap.n_findings, 1);
    free(err);
    cw_capture_free(&cap);
    parse_text("commit " SHA_A "\nAuthor: Jos\xc3\xa9 <jose@example.com>\n"
               "Date:   Sun Mar 1 09:00:00 2026 +0000\n\n    r\xc3\xa9sum\xc3\xa9\n", &cap, &err);
    assert_string_equal(cap.commits[0].author_name, "Jos\xc3\xa9");
    assert_int_equal(cap.n_findings, 0);
    assert_null(strstr(err, "UTF-8"));
    free(err);
    cw_capture_free(&cap);
}

/* A reject quotes the record as it was, repaired: PostgreSQL would refuse
 * the reject itself (and the batch) otherwise. */
static void test_non_utf8_reject_raw_is_repaired(void **state)
{
    cw_capture cap;
    char *err;
    (void)state;
    parse_text("\x1e" SHA_A "\x1f\x1fRen\xe9\x1fr@example.com\x1f" "31/02/2026\x1f"
               "Ren\xe9\x1fr@example.com\x1f\x1f" "caf\xe9\x1f\x1f\n", &cap, &err);
    assert_int_equal(cap.n_commits, 0);
    assert_int_equal(cap.n_rejects, 1);
    assert_string_equal(cap.rejects[0].field, "authored_at");
    assert_non_null(strstr(cap.rejects[0].raw, "Ren" FFFD "\x1f"));
    assert_non_null(strstr(cap.rejects[0].raw, "caf" FFFD));
    free(err);
    cw_capture_free(&cap);
}

/* ------------------------------------------------ default medium format */

static void test_medium_format_commons_cli(void **state)
{
    cw_capture cap;
    const cw_commit *c;
    size_t roots = 0;
    assert_int_equal(parse(cw_fixture("git/commons-cli.log-default-numstat.txt"), &cap), 0);
    assert_int_equal(cap.n_commits, 309);
    assert_int_equal(cap.n_rejects, 0);
    assert_int_equal(count_merges(&cap), 5);
    /* Non-merge parents are not in this format. */
    for (size_t i = 0; i < cap.n_commits; i++)
        if (cap.commits[i].parents[0] == '\0')
            roots++;
    assert_int_equal(roots, 304);

    c = &cap.commits[0];
    assert_string_equal(c->sha, CLI_TAG);
    assert_true(c->authored_at == cw_t("2026-08-22T14:20:21Z"));   /* Sat Aug 22 10:20:21 2026 -0400 */
    assert_true(c->committed_at == CW_NO_TIME);

    c = must_commit(&cap, CLI_MIX);          /* Sat Aug 22 21:18:51 2026 +0700 */
    assert_true(c->authored_at == cw_t("2026-08-22T14:18:51Z"));
    cw_expect_author(c, "dev_Hakaze", "af.nawfal@gmail.com", NULL);
    assert_string_equal(c->subject, "[CLI-354] Fix HelpFormatter wrapped description indent (#439)");
    assert_non_null(c->body);
    assert_int_equal(strncmp(c->body, "When remaining pad", 18), 0);
    assert_non_null(strstr(c->body, "\n\nCo-authored-by: arimu1"));
    assert_int_equal(c->additions, 45);
    assert_int_equal(c->deletions, 1);
    assert_int_equal(c->files_changed, 3);

    c = must_commit(&cap, CLI_BIN);
    assert_int_equal(c->additions, 0);
    assert_int_equal(c->files_changed, 6);

    c = must_commit(&cap, CLI_MERGE);        /* Merge: 9dff22bd 9d186db3 */
    assert_string_equal(c->parents, "9dff22bd 9d186db3");
    assert_int_equal(c->files_changed, -1);

    /* "Date:   Sat Aug 2 23:19:23 2025 +0000": an unpadded day. */
    c = must_commit(&cap, "8f80cc0442b2f64f58ca47df44c257ec9c71edd8");
    assert_string_equal(c->parents, "a4d26169 34b986a3");
    assert_true(c->authored_at == cw_t("2025-08-02T23:19:23Z"));
    cw_capture_free(&cap);
}

static void test_medium_format_hand_written(void **state)
{
    cw_capture cap;
    const cw_commit *c;
    assert_int_equal(parse(cw_test_data("git/medium.txt"), &cap), 0);
    assert_int_equal(cap.n_commits, 2);
    assert_int_equal(cap.n_rejects, 1);

    /* --decorate suffix dropped; 09:05:07+05:30 = 03:35:07Z. */
    c = must_commit(&cap, "1111111111111111111111111111111111111111");
    assert_string_equal(c->parents, "2222222 3333333");
    assert_true(c->authored_at == cw_t("2026-03-02T03:35:07Z"));
    assert_string_equal(c->subject, "Merge branch 'PAY-9'");
    assert_null(c->body);

    cw_expect_reject(&cap, 0, 2, "authored_at", NULL);
    assert_int_equal(strncmp(cap.rejects[0].raw, "commit 2222222", 14), 0);

    /* 23:59:59-01:00 = 00:59:59Z next day; 10+0+0 added, 2+0+5 deleted, 3 files. */
    c = must_commit(&cap, "3333333333333333333333333333333333333333");
    assert_int_equal(c->origin.record, 3);
    assert_true(c->authored_at == cw_t("2026-03-02T00:59:59Z"));
    assert_string_equal(c->author_name, "Fay");
    assert_string_equal(c->subject, "PAY-8 subject line");
    assert_string_equal(c->body, "Body first\nBody second");
    assert_int_equal(c->additions, 10);
    assert_int_equal(c->deletions, 7);
    assert_int_equal(c->files_changed, 3);
    cw_capture_free(&cap);
}

/* A malformed numstat line in the medium and code-maat forms: one reject
 * for the line (the commit's record, field numstat), the commit still loads
 * with unknown counts, and the next commit is unaffected. */
static void test_line_formats_keep_commit_on_bad_numstat(void **state)
{
    static const char medium[] =
        "commit 1111111111111111111111111111111111111111\n"
        "Author: Ann <ann@example.com>\n"
        "Date:   Mon Mar 2 10:00:00 2026 +0000\n"
        "\n"
        "    first\n"
        "\n"
        "3\t1\ta.c\n"
        "three\tx\tb.c\n"
        "commit 2222222222222222222222222222222222222222\n"
        "Author: Bob <bob@example.com>\n"
        "Date:   Mon Mar 2 11:00:00 2026 +0000\n"
        "\n"
        "    second\n"
        "\n"
        "2\t0\tc.c\n";
    static const char codemaat[] =
        "--abcdef01--2026-03-02--Ann\n"
        "1\t1\ta.c\n"
        "oops\n"
        "\n"
        "--abcdef02--2026-03-03--Bob\n"
        "4\t2\tb.c\n";
    cw_capture cap;
    const cw_commit *c;

    assert_int_equal(parse(cw_temp_file(medium, ".txt"), &cap), 0);
    assert_int_equal(cap.n_commits, 2);
    assert_int_equal(cap.n_rejects, 1);
    cw_expect_reject(&cap, 0, 1, "numstat", NULL);
    assert_string_equal(cap.rejects[0].raw, "three\tx\tb.c");
    c = must_commit(&cap, "1111111111111111111111111111111111111111");
    assert_string_equal(c->subject, "first");
    assert_int_equal(c->additions, -1);
    assert_int_equal(c->files_changed, -1);
    c = must_commit(&cap, "2222222222222222222222222222222222222222");
    assert_int_equal(c->additions, 2);
    assert_int_equal(c->deletions, 0);
    assert_int_equal(c->files_changed, 1);
    cw_capture_free(&cap);

    assert_int_equal(parse(cw_temp_file(codemaat, ".txt"), &cap), 0);
    assert_int_equal(cap.n_commits, 2);
    assert_int_equal(cap.n_rejects, 1);
    cw_expect_reject(&cap, 0, 1, "numstat", NULL);
    assert_string_equal(cap.rejects[0].raw, "oops");
    assert_int_equal(must_commit(&cap, "abcdef01")->deletions, -1);
    c = must_commit(&cap, "abcdef02");
    assert_int_equal(c->additions, 4);
    assert_int_equal(c->deletions, 2);
    assert_int_equal(c->files_changed, 1);
    cw_capture_free(&cap);
}

/* ------------------------------------------------------------ code-maat */

static void test_codemaat_format(void **state)
{
    cw_capture cap;
    const cw_commit *c;
    assert_int_equal(parse(cw_fixture("git/commons-cli.log-codemaat-git2.txt"), &cap), 0);
    assert_int_equal(cap.n_commits, 309);
    assert_int_equal(cap.n_rejects, 0);
    c = &cap.commits[0];
    assert_string_equal(c->sha, "0a68ae0e");
    assert_string_equal(c->author_name, "Gary Gregory");
    assert_true(c->authored_at == cw_t("2026-08-22T00:00:00Z"));
    assert_true(c->committed_at == CW_NO_TIME);
    assert_int_equal(c->additions, 1);
    c = must_commit(&cap, "0f561e59");
    assert_int_equal(c->additions, 45);
    assert_int_equal(c->deletions, 1);
    assert_int_equal(c->files_changed, 3);
    c = must_commit(&cap, "8121dab6");
    assert_int_equal(c->files_changed, 6);
    assert_int_equal(c->additions, 0);
    /* A merge prints no numstat lines, and code-maat prints no parents: it
     * cannot be told from an empty commit, so it changed nothing. */
    c = must_commit(&cap, "5d14bd08");
    assert_int_equal(c->files_changed, 0);
    assert_string_equal(c->parents, "");
    c = must_commit(&cap, "9d186db3");
    assert_string_equal(c->author_name, "dependabot[bot]");
    cw_capture_free(&cap);
}

/* ------------------------------------------------------ odd whole files */

static void test_empty_and_unknown_files(void **state)
{
    cw_capture cap;
    assert_int_equal(parse(cw_temp_file("", ".log"), &cap), 0);
    assert_int_equal(cap.n_commits, 0);
    assert_int_equal(cap.n_rejects, 0);
    cw_capture_free(&cap);

    assert_int_equal(parse(cw_temp_file("hello world\n", ".log"), &cap), -1);
    assert_int_equal(cap.n_commits, 0);
    assert_int_equal(cap.n_rejects, 1);
    assert_int_equal(cap.rejects[0].origin.record, 0);
    cw_capture_free(&cap);
}

static void test_validate(void **state)
{
    cw_test_source t;
    make_source(&t, "commons-cli", NULL, NULL);
    assert_int_equal(cw_source_git.validate(&t.src), -1);       /* neither path nor clone */
    make_source(&t, NULL, "/repo", NULL);
    assert_int_equal(cw_source_git.validate(&t.src), -1);       /* no repository name */
    make_source(&t, "commons-cli", "/repo", NULL);
    assert_int_equal(cw_source_git.validate(&t.src), 0);
}

/* ------------------------------------- ancestry (issue 6, defect 5) */

/*
 * tests/data/git/ancestry-*.txt: one hand-made history (git 2.x, fixed
 * identities and dates) exported in the documented 0x1E format and in the
 * plain `git log --all --date-order --numstat` format.  `git rev-list HEAD`
 * lists 5 commits:
 *   965876d PAY-1 first   root,            03-01 09:00Z, 1 0 a.txt
 *   4fc2a2b PAY-1 second  <- 965876d,      03-02 09:00Z, 1 0 a.txt
 *   d322eee PAY-2 topic   <- 4fc2a2b,      03-03 09:00Z, 1 0 b.txt
 *   aaabf10 PAY-3 empty   <- 4fc2a2b,      03-04 09:00Z, --allow-empty
 *   301efbd Merge topic   <- aaabf10 d322eee, 03-05 09:00Z
 */
#define ANC_ROOT "965876d1ba2d4596bb31746e80eb2070e0e44ec9"
#define ANC_SECOND "4fc2a2b7f83239894c0bf93d56f78d23b094478a"
#define ANC_TOPIC "d322eee67647cd558193259d6693d2069da734db"
#define ANC_EMPTY "aaabf1098e3a4313e4250f3717f7ed14db5e0989"
#define ANC_MERGE "301efbd1569695dea6366b2c860757a4a74cfd84"

/* Parse path with stderr captured; the text goes to *err (caller frees). */
static int parse_quiet(const char *path, cw_capture *cap, char **err)
{
    cw_redirect r;
    int rc;
    cw_redirect_begin(&r, 2);
    rc = parse(path, cap);
    *err = cw_redirect_end(&r);
    return rc;
}

static void test_plain_format_gives_no_ancestry(void **state)
{
    cw_capture cap;
    char *err;
    const cw_commit *c;

    /* The documented export carries the graph: no warning. */
    assert_int_equal(parse_quiet(cw_test_data("git/ancestry-us.txt"), &cap, &err), 0);
    assert_int_equal(cap.n_commits, 5);
    for (size_t i = 0; i < cap.n_commits; i++)
        assert_int_equal(cap.commits[i].no_ancestry, 0);
    assert_string_equal(must_commit(&cap, ANC_EMPTY)->parents, ANC_SECOND);
    assert_null(strstr(err, "parent"));
    free(err);
    cw_capture_free(&cap);

    /* The plain format: every commit loads, none claims a graph, and one
     * warning names the file and the documented export command. */
    assert_int_equal(parse_quiet(cw_test_data("git/ancestry-plain.txt"), &cap, &err), 0);
    assert_int_equal(cap.n_commits, 5);
    assert_int_equal(cap.n_rejects, 0);
    for (size_t i = 0; i < cap.n_commits; i++)
        assert_int_equal(cap.commits[i].no_ancestry, 1);
    c = must_commit(&cap, ANC_MERGE);
    assert_string_equal(c->parents, "aaabf10 d322eee");
    assert_non_null(strstr(err, "ancestry-plain.txt"));
    assert_non_null(strstr(err, "no full parent shas"));
    assert_non_null(strstr(err, CW_GIT_EXPORT_COMMAND));
    assert_null(strstr(strstr(err, "no full parent shas") + 1, "no full parent shas"));   /* once */
    free(err);
    cw_capture_free(&cap);

    /* code-maat prints no parents at all; TSV carries them in full. */
    assert_int_equal(parse_quiet(cw_temp_file("--301efbd--2026-03-05--Dev\n"
                                              "--4fc2a2b--2026-03-02--Dev\n1\t0\ta.txt\n", ".txt"),
                                 &cap, &err), 0);
    assert_int_equal(cap.n_commits, 2);
    assert_int_equal(cap.commits[0].no_ancestry, 1);
    assert_int_equal(cap.commits[1].no_ancestry, 1);
    assert_non_null(strstr(err, CW_GIT_EXPORT_COMMAND));
    free(err);
    cw_capture_free(&cap);
    assert_int_equal(parse(cw_fixture("git/commons-cli.log-tsv.txt"), &cap), 0);
    assert_int_equal(cap.commits[0].no_ancestry, 0);
    cw_capture_free(&cap);
}

/* Load the given exports (in order) into a fresh warehouse as repository
 * "pay" of application 1, add two production deployments of job deploy-pay:
 *   #1 finished 2026-03-02T12:00Z at 4fc2a2b (the baseline),
 *   #2 finished 2026-03-06T10:00Z at 301efbd,
 * correlate, and return "deployment|sha|lead_time_s;" rows plus the
 * git_no_ancestry findings (caller frees). */
static char *deploy_after(const char *const *files)
{
    char path[256];
    cw_warehouse *wh = cw_test_warehouse(path, sizeof(path));
    cw_db *db = cw_wh_db(wh);
    cw_test_source t;
    cw_config cfg = { .path = "test.ini" };
    cw_correlate_stats stats;
    cw_buf out = { 0 };
    cw_stmt *st;
    int64_t batch;
    cw_redirect r;

    make_source(&t, "pay", NULL, NULL);
    assert_int_equal(cw_wh_batch_begin(wh, "test.ini", &batch), 0);
    cw_redirect_begin(&r, 2);
    for (size_t i = 0; files[i]; i++)
        assert_int_equal(cw_source_git.parse(&t.src, files[i], cw_wh_sink(wh)), 0);
    free(cw_redirect_end(&r));
    cw_test_exec(db,
        "INSERT INTO dim_source (source_id, name, type) VALUES (90, 'ci', 'jenkins');"
        "INSERT INTO dim_application (application_id, name) VALUES (1, 'payments');"
        "INSERT INTO dim_environment (environment_id, name, is_production) VALUES (1, 'production', 1);"
        "UPDATE fact_commit SET application_id = 1;"
        "INSERT INTO fact_build (build_id, source_id, job, number, application_id, result,"
        "  finished_at, revision, is_deployment, environment_id) VALUES"
        "  (1, 90, 'deploy-pay', 1, 1, 'success', 1772452800, '" ANC_SECOND "', 1, 1),"
        "  (2, 90, 'deploy-pay', 2, 1, 'success', 1772791200, '" ANC_MERGE "', 1, 1);"
        "INSERT INTO fact_deployment (deployment_id, build_id, application_id, environment_id,"
        "  is_production, result, finished_at, revision, run_number)"
        "  SELECT build_id, build_id, 1, 1, 1, result, finished_at, revision, number FROM fact_build;");
    assert_int_equal(cw_correlate(cw_wh_db(wh), &cfg, &stats), 0);
    assert_int_equal(cw_db_prepare(db,
        "SELECT b.deployment_id || '|' || substr(k.sha, 1, 7) || '|' || coalesce(b.lead_time_s, 'NULL')"
        "  FROM bridge_deployment_commit b JOIN fact_commit k ON k.commit_id = b.commit_id"
        " UNION ALL SELECT kind || '|' || subject || '|' || (detail LIKE '%' || ?1 || '%')"
        "  FROM finding WHERE kind = 'git_no_ancestry' ORDER BY 1", &st), CW_DB_OK);
    assert_int_equal(cw_db_bind_str(st, 1, CW_GIT_EXPORT_COMMAND), CW_DB_OK);
    cw_buf_puts(&out, "");
    while (cw_db_step(st) == CW_DB_ROW)
        cw_buf_printf(&out, "%s;", cw_db_column_text(st, 0));
    cw_db_finalize(st);
    assert_int_equal(cw_wh_batch_commit(wh, "ok", NULL), 0);
    cw_test_warehouse_drop(wh, path);
    return out.data;
}

static void assert_deployed(const char *const *files, const char *expected)
{
    char *got = deploy_after(files);
    if (strcmp(got, expected) != 0)
        fail_msg("expected %s\n  got      %s", expected, got);
    free(got);
}

/*
 * The documented export: #1 is the baseline and deploys what `git rev-list
 * 4fc2a2b` lists (2 commits, no lead time); #2 deploys `git rev-list 301efbd
 * ^4fc2a2b` (3 commits): the merge has none, aaabf10 waited 03-04 09:00 to
 * 03-06 10:00 = 49 h = 176400 s, d322eee 03-03 09:00 to 03-06 10:00 = 73 h
 * = 262800 s.
 * The plain export of the same history deploys nothing and says why; loaded
 * after (or before) the documented one it keeps the full graph.
 */
static void test_no_ancestry_means_no_lead_time(void **state)
{
    static const char *const us[] = { "git/ancestry-us.txt", NULL };
    static const char *const plain[] = { "git/ancestry-plain.txt", NULL };
    static const char *const both[] = { "git/ancestry-us.txt", "git/ancestry-plain.txt", NULL };
    static const char *const both_rev[] = { "git/ancestry-plain.txt", "git/ancestry-us.txt", NULL };
    const char *const *sets[] = { us, plain, both, both_rev };
    const char *with_graph = "1|4fc2a2b|NULL;1|965876d|NULL;2|301efbd|NULL;2|aaabf10|176400;"
                             "2|d322eee|262800;";
    const char *paths[4][3];
    for (size_t s = 0; s < 4; s++) {
        size_t i = 0;
        for (; sets[s][i]; i++)
            paths[s][i] = cw_strdup(cw_test_data(sets[s][i]));
        paths[s][i] = NULL;
    }
    assert_deployed(paths[0], with_graph);
    assert_deployed(paths[1], "git_no_ancestry|pay|1;");
    assert_deployed(paths[2], with_graph);
    assert_deployed(paths[3], with_graph);
    for (size_t s = 0; s < 4; s++)
        for (size_t i = 0; paths[s][i]; i++)
            free((char *)paths[s][i]);
}

/* A warehouse made before has_ancestry existed (schema version 1) gets the
 * column in its first batch (every commit it holds keeps the ancestry it
 * was loaded with). */
static void test_old_warehouse_gets_has_ancestry(void **state)
{
    char path[256];
    cw_warehouse *wh = cw_test_warehouse(path, sizeof(path));
    cw_test_exec(cw_wh_db(wh), "UPDATE schema_version SET version = 1;"
                     "DROP INDEX ix_commit_no_ancestry;"
                     "ALTER TABLE fact_commit DROP COLUMN has_ancestry;"
                     "INSERT INTO fact_commit (repository, sha, authored_at) VALUES ('pay', '" ANC_ROOT "', 1);");
    cw_wh_close(wh);
    assert_int_equal(cw_wh_open(&(cw_db_target){ path, NULL, NULL }, &wh), 0);
    assert_int_equal(cw_wh_batch_begin(wh, NULL, NULL), 0);
    assert_int_equal(cw_wh_batch_commit(wh, "ok", NULL), 0);
    assert_int_equal(cw_query_long(cw_wh_db(wh), "SELECT has_ancestry FROM fact_commit"), 1);
    assert_int_equal(cw_query_long(cw_wh_db(wh), "SELECT count(*) FROM sqlite_master "
                                                 "WHERE name = 'ix_commit_no_ancestry'"), 1);
    cw_test_warehouse_drop(wh, path);
}

/* ------------------------------------------- numstat (defects 9 and 11) */

/* In a numstat export a commit without numstat lines changed nothing: 0,
 * not unknown.  Merges print no numstat, so theirs stay unknown where the
 * format says which commits are merges; code-maat cannot tell them apart. */
static void test_empty_commit_counts_zero(void **state)
{
    cw_capture cap;
    char *err;
    const cw_commit *c;
    const char *const files[] = { "git/ancestry-us.txt", "git/ancestry-plain.txt" };

    for (size_t f = 0; f < 2; f++) {
        assert_int_equal(parse_quiet(cw_test_data(files[f]), &cap, &err), 0);
        free(err);
        c = must_commit(&cap, ANC_EMPTY);
        assert_int_equal(c->additions, 0);
        assert_int_equal(c->deletions, 0);
        assert_int_equal(c->files_changed, 0);
        c = must_commit(&cap, ANC_MERGE);
        assert_int_equal(c->files_changed, -1);
        assert_int_equal(must_commit(&cap, ANC_TOPIC)->additions, 1);
        cw_capture_free(&cap);
    }

    /* The empty commit comes first in the file, before any numstat line. */
    assert_int_equal(parse_quiet(cw_temp_file("--aaabf10--2026-03-04--Dev\n"
                                              "--4fc2a2b--2026-03-02--Dev\n1\t0\ta.txt\n", ".txt"),
                                 &cap, &err), 0);
    free(err);
    c = must_commit(&cap, "aaabf10");
    assert_int_equal(c->additions, 0);
    assert_int_equal(c->deletions, 0);
    assert_int_equal(c->files_changed, 0);
    cw_capture_free(&cap);

    /* An export without --numstat: nothing is known. */
    assert_int_equal(parse_quiet(cw_temp_file("\x1e" ANC_EMPTY "\x1f" ANC_SECOND "\x1f" "Dev\x1f"
                                              "dev@example.com\x1f" "2026-03-04T09:00:00+00:00\x1f"
                                              "Dev\x1f" "dev@example.com\x1f"
                                              "2026-03-04T09:00:00+00:00\x1f" "PAY-3 empty\x1f\x1f\n",
                                              ".log"), &cap, &err), 0);
    free(err);
    assert_int_equal(cap.n_commits, 1);
    assert_int_equal(cap.commits[0].files_changed, -1);
    assert_int_equal(cap.commits[0].additions, -1);
    cw_capture_free(&cap);
}

/* Two numstat lines of 9223372036854775807 used to overflow the total (the
 * UBSan build aborted, the batch was lost).  A count out of range is a
 * reject naming its field; the commit loads with unknown counts and the
 * next commit is untouched. */
static void test_numstat_out_of_range(void **state)
{
    static const char log[] =
        "\x1e" "1111111111111111111111111111111111111111\x1f\x1f" "Ann\x1f" "ann@example.com\x1f"
        "2026-03-01T10:00:00+00:00\x1f\x1f\x1f\x1f" "huge\x1f\x1f\n\n"
        "9223372036854775807\t0\ta.bin\n"
        "9223372036854775807\t0\tb.bin\n"
        "\x1e" "2222222222222222222222222222222222222222\x1f" "1111111111111111111111111111111111111111\x1f"
        "Ann\x1f" "ann@example.com\x1f" "2026-03-02T10:00:00+00:00\x1f\x1f\x1f\x1f" "deleted\x1f\x1f\n\n"
        "0\t99999999999999999999\tc.txt\n"
        "\x1e" "3333333333333333333333333333333333333333\x1f" "2222222222222222222222222222222222222222\x1f"
        "Ann\x1f" "ann@example.com\x1f" "2026-03-03T10:00:00+00:00\x1f\x1f\x1f\x1f" "fine\x1f\x1f\n\n"
        "2147483647\t2\td.txt\n"
        "1\t2\te.txt\n";
    cw_capture cap;
    const cw_commit *c;
    assert_int_equal(parse(cw_temp_file(log, ".log"), &cap), 0);
    assert_int_equal(cap.n_commits, 3);
    assert_int_equal(cap.n_rejects, 3);        /* one a line */
    cw_expect_reject(&cap, 0, 1, "additions", NULL);
    assert_string_equal(cap.rejects[0].raw, "9223372036854775807\t0\ta.bin");
    cw_expect_reject(&cap, 1, 1, "additions", NULL);
    cw_expect_reject(&cap, 2, 2, "deletions", NULL);
    assert_string_equal(cap.rejects[2].raw, "0\t99999999999999999999\tc.txt");
    c = must_commit(&cap, "1111111111111111111111111111111111111111");
    assert_int_equal(c->additions, -1);
    assert_int_equal(c->deletions, -1);
    assert_int_equal(c->files_changed, -1);
    assert_int_equal(must_commit(&cap, "2222222222222222222222222222222222222222")->deletions, -1);
    /* 2147483647 + 1 added, 2 + 2 deleted, 2 files */
    c = must_commit(&cap, "3333333333333333333333333333333333333333");
    assert_true(c->additions == 2147483648L);
    assert_int_equal(c->deletions, 4);
    assert_int_equal(c->files_changed, 2);
    cw_capture_free(&cap);
}

/* ----------------------------------- odd starts and names (defect 14) */

/* A code-maat file whose first line is a numstat line (its commit header
 * was cut off): that line is a reject, the commits after it load. */
static void test_codemaat_starting_with_numstat(void **state)
{
    cw_capture cap;
    assert_int_equal(parse(cw_temp_file("1\t1\tsrc/a.c\n"
                                        "\n"
                                        "--abcdef01--2026-03-02--Ann\n"
                                        "2\t0\tb.c\n", ".txt"), &cap), 0);
    assert_int_equal(cap.n_commits, 1);
    assert_int_equal(cap.n_rejects, 1);
    cw_expect_reject(&cap, 0, 1, "numstat", NULL);
    assert_string_equal(cap.rejects[0].raw, "1\t1\tsrc/a.c");
    assert_int_equal(must_commit(&cap, "abcdef01")->additions, 2);
    cw_capture_free(&cap);
}

/* Object names that are not hex are rejects naming the field, in every
 * format, also on the first line (TSV used to reject the whole file). */
static void test_non_hex_names(void **state)
{
    static const char tsv[] =
        "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\t\tAnn\tann@example.com\t2026-03-01T10:00:00+00:00"
        "\tAnn\tann@example.com\t2026-03-01T10:00:00+00:00\tbad sha\n"
        "1111111111111111111111111111111111111111\tnot-a-parent\tAnn\tann@example.com"
        "\t2026-03-01T10:00:00+00:00\tAnn\tann@example.com\t2026-03-01T10:00:00+00:00\tbad parent\n"
        "2222222222222222222222222222222222222222\t\tAnn\tann@example.com\t2026-03-01T10:00:00+00:00"
        "\tAnn\tann@example.com\t2026-03-01T10:00:00+00:00\tgood\n";
    static const char us[] =
        "\x1e" "3333333333333333333333333333333333333333\x1f" "3333333333333333333333333333333333333g33\x1f"
        "Ann\x1f" "ann@example.com\x1f" "2026-03-03T10:00:00+00:00\x1f\x1f\x1f\x1f" "bad\x1f\x1f\n";
    static const char medium[] =
        "commit 4444444444444444444444444444444444444444\n"
        "Merge: 12345678 xyz\n"
        "Author: Ann <ann@example.com>\n"
        "Date:   Mon Mar 2 10:00:00 2026 +0000\n"
        "\n"
        "    merge\n"
        "\n"
        "commit 55555555555555555555555555555555555555XY\n"
        "Author: Ann <ann@example.com>\n"
        "Date:   Mon Mar 2 10:00:00 2026 +0000\n"
        "\n"
        "    bad sha\n";
    cw_capture cap;
    char *err;
    assert_int_equal(parse(cw_temp_file(tsv, ".tsv"), &cap), 0);
    assert_int_equal(cap.n_commits, 1);
    assert_int_equal(cap.n_rejects, 2);
    cw_expect_reject(&cap, 0, 1, "sha", NULL);
    cw_expect_reject(&cap, 1, 2, "parents", NULL);
    cw_capture_free(&cap);

    assert_int_equal(parse(cw_temp_file(us, ".log"), &cap), 0);
    assert_int_equal(cap.n_rejects, 1);
    assert_string_equal(cap.rejects[0].field, "parents");
    cw_capture_free(&cap);

    assert_int_equal(parse_quiet(cw_temp_file(medium, ".txt"), &cap, &err), 0);
    free(err);
    assert_int_equal(cap.n_commits, 0);
    assert_int_equal(cap.n_rejects, 2);
    assert_string_equal(cap.rejects[0].field, "parents");
    assert_string_equal(cap.rejects[1].field, "sha");
    cw_capture_free(&cap);
}

/* A year or day too long for an int in git's default date is a reject of
 * that commit (sscanf's %d used to overflow). */
static void test_default_date_out_of_range(void **state)
{
    cw_capture cap;
    char *err;
    assert_int_equal(parse_quiet(cw_temp_file(
        "commit 1111111111111111111111111111111111111111\n"
        "Author: Ann <ann@example.com>\n"
        "Date:   Mon Mar 2 10:00:00 99999999999999999999 +0000\n"
        "\n"
        "    far\n"
        "commit 2222222222222222222222222222222222222222\n"
        "Author: Ann <ann@example.com>\n"
        "Date:   Mon Mar 99999999999 10:00:00 2026 +0000\n"
        "\n"
        "    odd day\n"
        "commit 3333333333333333333333333333333333333333\n"
        "Author: Ann <ann@example.com>\n"
        "Date:   Mon Mar 2 10:00:00 20266 +0000\n"
        "\n"
        "    five-digit year\n"
        "commit 4444444444444444444444444444444444444444\n"
        "Author: Ann <ann@example.com>\n"
        "Date:   Mon Mar 2 10:00:00 2026 +0000\n"
        "\n"
        "    fine\n", ".txt"), &cap, &err), 0);
    free(err);
    assert_int_equal(cap.n_commits, 1);
    assert_int_equal(cap.n_rejects, 3);
    for (size_t i = 0; i < 3; i++)
        assert_string_equal(cap.rejects[i].field, "authored_at");
    assert_true(must_commit(&cap, "4444444444444444444444444444444444444444")->authored_at ==
                cw_t("2026-03-02T10:00:00Z"));
    cw_capture_free(&cap);
}

/* ---------------------------------------------------------------- produce */

/* Run argv in dir with fixed identities and dates; fails the test on error. */
static void run_git(const char *dir, const char *date, char *const argv[])
{
    pid_t pid = fork();
    int status = 0;
    assert_true(pid >= 0);
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(126);
        const char *const env[] = {
            "GIT_CONFIG_NOSYSTEM", "1", "GIT_CONFIG_GLOBAL", "/dev/null",
            "GIT_AUTHOR_NAME", "Ann", "GIT_AUTHOR_EMAIL", "ann@example.com",
            "GIT_COMMITTER_NAME", "Bob", "GIT_COMMITTER_EMAIL", "bob@example.com",
            "GIT_AUTHOR_DATE", date, "GIT_COMMITTER_DATE", date,
        };
        /* the dates last: without one, git's own clock */
        for (size_t i = 0; i < sizeof(env) / sizeof(env[0]) && env[i + 1]; i += 2)
            setenv(env[i], env[i + 1], 1);
        if (!freopen("/dev/null", "w", stdout))
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void make_repo(char *dir)
{
    char *init[] = {"git", "init", "-q", "-b", "main", ".", NULL};
    char *add[] = {"git", "add", "-A", NULL};
    char *c1[] = {"git", "commit", "-q", "-m", "PAY-1 first", NULL};
    char *c2[] = {"git", "commit", "-q", "-m", "PAY-2 second", "-m", "with a body", NULL};
    assert_non_null(mkdtemp(dir));
    run_git(dir, NULL, init);
    cw_write_file(dir, "a.txt", "one\ntwo\n");
    run_git(dir, NULL, add);
    run_git(dir, "2026-01-05T10:00:00+02:00", c1);
    cw_write_file(dir, "a.txt", "one\nTWO\nthree\n");
    {
        /* a binary file: the NUL byte makes numstat print "-\t-\tb.bin" */
        char *p = cw_asprintf("%s/b.bin", dir);
        FILE *f = fopen(p, "wb");
        fwrite("x\0y", 1, 3, f);
        fclose(f);
        free(p);
    }
    run_git(dir, NULL, add);
    run_git(dir, "2026-01-06T09:30:00-05:00", c2);
}

static void remove_tree(const char *dir)
{
    char *argv[] = {"rm", "-rf", (char *)dir, NULL};
    run_git("/", NULL, argv);
}

static void test_produce_runs_git_log(void **state)
{
    char dir[] = "/tmp/cw_git_test_XXXXXX";
    char out[] = "/tmp/cw_git_out_XXXXXX";
    cw_test_source t;
    cw_capture cap;
    const cw_commit *first, *second;
    int fd;

    make_repo(dir);
    fd = mkstemp(out);
    assert_true(fd >= 0);
    close(fd);

    make_source(&t, "payments", dir, NULL);
    assert_int_equal(cw_source_git.produce(&t.src, out), 0);
    cw_capture_init(&cap);
    assert_int_equal(cw_source_git.parse(&t.src, out, &cap.sink), 0);
    assert_int_equal(cap.n_commits, 2);
    assert_int_equal(cap.n_rejects, 0);
    /* --date-order: newest first. */
    second = &cap.commits[0];
    first = &cap.commits[1];
    assert_string_equal(first->subject, "PAY-1 first");
    assert_string_equal(first->parents, "");
    assert_string_equal(second->parents, first->sha);
    assert_string_equal(second->repository, "payments");
    assert_string_equal(second->body, "with a body");
    assert_string_equal(second->author_name, "Ann");
    assert_string_equal(second->committer_name, "Bob");
    assert_true(first->authored_at == cw_t("2026-01-05T08:00:00Z"));
    assert_true(second->authored_at == cw_t("2026-01-06T14:30:00Z"));
    /* first: a.txt +2; second: a.txt 2 added 1 deleted, b.bin binary */
    assert_int_equal(first->additions, 2);
    assert_int_equal(first->files_changed, 1);
    assert_int_equal(second->additions, 2);
    assert_int_equal(second->deletions, 1);
    assert_int_equal(second->files_changed, 2);
    cw_capture_free(&cap);

    /* since= is passed through: only the second commit is newer than Jan 6. */
    make_source(&t, "payments", dir, "2026-01-06T00:00:00Z");
    assert_int_equal(cw_source_git.produce(&t.src, out), 0);
    cw_capture_init(&cap);
    assert_int_equal(cw_source_git.parse(&t.src, out, &cap.sink), 0);
    assert_int_equal(cap.n_commits, 1);
    assert_string_equal(cap.commits[0].subject, "PAY-2 second");
    cw_capture_free(&cap);

    unlink(out);
    remove_tree(dir);
}

static void test_produce_fails_outside_a_repository(void **state)
{
    char dir[] = "/tmp/cw_git_empty_XXXXXX";
    char out[] = "/tmp/cw_git_out_XXXXXX";
    cw_test_source t;
    int fd = mkstemp(out);
    assert_true(fd >= 0);
    close(fd);
    assert_non_null(mkdtemp(dir));
    make_source(&t, "payments", dir, NULL);
    setenv("GIT_CEILING_DIRECTORIES", "/tmp", 1);
    assert_int_equal(cw_source_git.produce(&t.src, out), -1);
    unsetenv("GIT_CEILING_DIRECTORIES");
    unlink(out);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_us_format_commons_cli),
        cmocka_unit_test(test_us_format_alloy),
        cmocka_unit_test(test_us_format_malformed_records),
        cmocka_unit_test(test_tsv_format),
        cmocka_unit_test(test_non_utf8_text_is_repaired),
        cmocka_unit_test(test_non_utf8_reject_raw_is_repaired),
        cmocka_unit_test(test_medium_format_commons_cli),
        cmocka_unit_test(test_medium_format_hand_written),
        cmocka_unit_test(test_line_formats_keep_commit_on_bad_numstat),
        cmocka_unit_test(test_codemaat_format),
        cmocka_unit_test(test_empty_and_unknown_files),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_plain_format_gives_no_ancestry),
        cmocka_unit_test(test_no_ancestry_means_no_lead_time),
        cmocka_unit_test(test_old_warehouse_gets_has_ancestry),
        cmocka_unit_test(test_empty_commit_counts_zero),
        cmocka_unit_test(test_numstat_out_of_range),
        cmocka_unit_test(test_codemaat_starting_with_numstat),
        cmocka_unit_test(test_non_hex_names),
        cmocka_unit_test(test_default_date_out_of_range),
        cmocka_unit_test(test_produce_runs_git_log),
        cmocka_unit_test(test_produce_fails_outside_a_repository),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
