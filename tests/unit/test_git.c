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
    assert_string_equal(c->author_name, "dev_Hakaze");
    assert_string_equal(c->author_email, "af.nawfal@gmail.com");
    assert_string_equal(c->committer_name, "GitHub");
    assert_string_equal(c->committer_email, "noreply@github.com");
    assert_true(c->authored_at == cw_t("2026-08-22T14:18:51Z"));
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

    assert_int_equal(cap.rejects[0].origin.record, 2);
    assert_string_equal(cap.rejects[0].field, "sha");
    assert_non_null(strstr(cap.rejects[0].raw, "not-a-sha"));
    assert_int_equal(cap.rejects[1].origin.record, 3);
    assert_string_equal(cap.rejects[1].field, "authored_at");
    assert_non_null(strstr(cap.rejects[1].reason, "31/02/2026"));
    assert_true(strlen(cap.rejects[1].raw) <= 200);
    assert_int_equal(strncmp(cap.rejects[1].raw, "cccccccc", 8), 0);
    /* Record 4: its numstat line "x\t1\ta.txt" is rejected on its own; the
     * commit is kept, its line counts unknown. */
    assert_int_equal(cap.rejects[2].origin.record, 4);
    assert_string_equal(cap.rejects[2].field, "numstat");
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
    assert_string_equal(c->author_name, "dev_Hakaze");
    assert_string_equal(c->author_email, "af.nawfal@gmail.com");
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

    assert_int_equal(cap.rejects[0].origin.record, 2);
    assert_string_equal(cap.rejects[0].field, "authored_at");
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
    assert_int_equal(cap.rejects[0].origin.record, 1);
    assert_string_equal(cap.rejects[0].field, "numstat");
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
    assert_int_equal(cap.rejects[0].origin.record, 1);
    assert_string_equal(cap.rejects[0].field, "numstat");
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
    c = must_commit(&cap, "5d14bd08");        /* a merge: no numstat lines */
    assert_int_equal(c->files_changed, -1);
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
        setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
        setenv("GIT_CONFIG_GLOBAL", "/dev/null", 1);
        setenv("GIT_AUTHOR_NAME", "Ann", 1);
        setenv("GIT_AUTHOR_EMAIL", "ann@example.com", 1);
        setenv("GIT_COMMITTER_NAME", "Bob", 1);
        setenv("GIT_COMMITTER_EMAIL", "bob@example.com", 1);
        if (date) {
            setenv("GIT_AUTHOR_DATE", date, 1);
            setenv("GIT_COMMITTER_DATE", date, 1);
        }
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
        cmocka_unit_test(test_medium_format_commons_cli),
        cmocka_unit_test(test_medium_format_hand_written),
        cmocka_unit_test(test_line_formats_keep_commit_on_bad_numstat),
        cmocka_unit_test(test_codemaat_format),
        cmocka_unit_test(test_empty_and_unknown_files),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_produce_runs_git_log),
        cmocka_unit_test(test_produce_fails_outside_a_repository),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
