/*
 * test_core.c - core helpers: SHA-256 vectors, CSV reading (libcsv wrapper),
 * JSON paths, regex wrapper; util's growth rule (cw_grow) and decimal
 * parser (cw_parse_decimal).
 */
#include "support.h"
#include "core/base64.h"
#include "core/csv.h"
#include "core/json.h"
#include "core/regex.h"
#include "core/sha256.h"
#include "core/util.h"

#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void sha_of(const char *text, char hex[65])
{
    cw_sha256 ctx;
    cw_sha256_init(&ctx);
    cw_sha256_update(&ctx, text, strlen(text));
    cw_sha256_final_hex(&ctx, hex);
}

/* FIPS 180-4 example vectors (one block, two blocks, empty input). */
static int fill_text(void *ctx, const char *tmp_path)
{
    FILE *f = fopen(tmp_path, "w");
    fputs("half a new", f);
    fclose(f);
    return ctx ? 0 : -1;    /* NULL ctx: the writer fails half way */
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    size_t n = 0;
    while (d && readdir(d))
        n++;
    if (d)
        closedir(d);
    return n;
}

/* cw_write_atomic: a failing writer leaves the old file and no temporary;
 * a good one replaces it, and nothing else stays in the folder. */
static void test_write_atomic(void **state)
{
    char *dir = cw_temp_dir();
    char *path = cw_asprintf("%s/report.html", dir);
    FILE *f = fopen(path, "w");
    char *text;
    (void)state;
    fputs("last week", f);
    fclose(f);
    assert_int_equal(count_entries(dir), 3);       /* ., .. and the report */
    assert_int_equal(cw_write_atomic(path, fill_text, NULL), -1);
    text = cw_read_file(path, NULL);
    assert_string_equal(text, "last week");
    free(text);
    assert_int_equal(count_entries(dir), 3);
    assert_int_equal(cw_write_atomic(path, fill_text, path), 0);
    text = cw_read_file(path, NULL);
    assert_string_equal(text, "half a new");
    free(text);
    assert_int_equal(count_entries(dir), 3);
    /* what a killed writer (pid 99999999 is never alive) left goes */
    cw_write_file(dir, ".report.html.tmp-99999999-0", "half");
    assert_int_equal(cw_write_atomic(path, fill_text, path), 0);
    assert_int_equal(count_entries(dir), 3);
    unlink(path);
    rmdir(dir);
    free(path);
    free(dir);
}

static void test_sha256_vectors(void **state)
{
    char hex[65];
    (void)state;
    sha_of("abc", hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    sha_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    sha_of("", hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* Feeding a million 'a' in odd-sized pieces must equal the FIPS long vector. */
static void test_sha256_streaming(void **state)
{
    cw_sha256 ctx;
    char hex[65], chunk[997];
    size_t left = 1000000;
    (void)state;
    memset(chunk, 'a', sizeof(chunk));
    cw_sha256_init(&ctx);
    while (left) {
        size_t n = left < sizeof(chunk) ? left : sizeof(chunk);
        cw_sha256_update(&ctx, chunk, n);
        left -= n;
    }
    cw_sha256_final_hex(&ctx, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

typedef struct csv_seen {
    int key_col, watchers[8];
    size_t n_watchers;
    long rows, last_line;
    char second_summary[128];
    char *raw;
} csv_seen;

static int seen_header(void *ctx, const cw_csv_row *row)
{
    csv_seen *s = ctx;
    s->key_col = cw_csv_col(row, "Clave|Issue key");
    s->n_watchers = cw_csv_cols(row, "Watchers", s->watchers, 8);
    return 0;
}

static int seen_row(void *ctx, const cw_csv_row *row)
{
    csv_seen *s = ctx;
    s->rows++;
    s->last_line = row->line;
    if (s->rows == 2) {
        snprintf(s->second_summary, sizeof(s->second_summary), "%s", cw_csv_get(row, 0));
        s->raw = cw_csv_row_text(row);
    }
    return 0;
}

static void test_csv_repeated_headers_bom_newlines(void **state)
{
    /* BOM before the header, a repeated header, a quoted cell with a newline
     * and a doubled quote, and an empty cell. */
    const char *path = cw_temp_file("\xEF\xBB\xBFSummary,Issue key,Watchers,Watchers\n"
                                    "First,PAY-1,ann,\n"
                                    "\"Two\nlines, \"\"quoted\"\"\",PAY-2,bob,cy\n"
                                    "Third,PAY-3,,\n",
                                    ".csv");
    csv_seen s = {0};
    char err[128];
    (void)state;
    assert_int_equal(cw_csv_read(path, seen_header, seen_row, &s, NULL, err, sizeof(err)), 0);
    assert_int_equal(s.key_col, 1);
    assert_int_equal(s.n_watchers, 2);
    assert_int_equal(s.watchers[0], 2);
    assert_int_equal(s.watchers[1], 3);
    assert_int_equal(s.rows, 3);
    assert_string_equal(s.second_summary, "Two\nlines, \"quoted\"");
    assert_int_equal(s.last_line, 5); /* the third record starts on line 5 */
    assert_string_equal(s.raw, "\"Two\nlines, \"\"quoted\"\"\",\"PAY-2\",\"bob\",\"cy\"");
    free(s.raw);
    unlink(path);
}

static void test_csv_unterminated_quote_is_error(void **state)
{
    const char *path = cw_temp_file("a,b\n1,\"open\n", ".csv");
    csv_seen s = {0};
    char err[128] = "";
    (void)state;
    assert_int_equal(cw_csv_read(path, seen_header, seen_row, &s, NULL, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "line"));
    unlink(path);
}

/* A JSON text of the test's own (fails the test when it does not parse). */
static json_t *json_of(const char *text)
{
    json_error_t e;
    json_t *root = json_loads(text, 0, &e);
    assert_non_null(root);
    return root;
}

static void test_json_paths(void **state)
{
    json_t *root = json_of("{\"fields\":{\"status\":{\"name\":\"Done\","
                              "\"statusCategory\":{\"key\":\"done\"}},\"n\":\"42\",\"x\":null,"
                              "\"labels\":[\"a\",\"\",\"b\"]}}");
    int64_t v = 0;
    char *joined;
    (void)state;
    assert_string_equal(cw_json_str(root, "fields.status.statusCategory.key"), "done");
    assert_null(cw_json_str(root, "fields.x"));
    assert_null(cw_json_str(root, "fields.missing.deeper"));
    assert_int_equal(cw_json_int(root, "fields.n", &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(cw_json_int(root, "fields.status", &v), -1);
    joined = cw_json_join(cw_json_path(root, "fields.labels"), NULL, ",");
    assert_string_equal(joined, "a,b");
    free(joined);
    json_decref(root);
}

/* A JSON real is an integer only when whole and inside int64: casting 1e300
 * is undefined behaviour, and 1.5 would silently become 1. */
static void test_json_int_reals(void **state)
{
    json_t *root = json_of("{\"whole\":1650024049161.0,\"neg\":-3.0,\"huge\":1e300,"
                              "\"minus_huge\":-1e300,\"half\":1.5,\"just_over\":9.3e18,"
                              "\"big\":9223372036854775807}");
    /* rc -1: an error, which leaves the value as it was (99) */
    static const struct { const char *path; int rc; int64_t want; } cases[] = {
        {"whole", 0, 1650024049161LL}, {"neg", 0, -3},
        {"huge", -1, 99}, {"minus_huge", -1, 99}, {"half", -1, 99},
        {"just_over", -1, 99},                                     /* above 2^63 ~ 9.22e18 */
        {"big", 0, INT64_MAX},                                     /* an integer, not a real */
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t v = 99;
        assert_int_equal(cw_json_int(root, cases[i].path, &v), cases[i].rc);
        assert_true(v == cases[i].want);
    }
    json_decref(root);
}

static void test_json_load_error_names_line(void **state)
{
    const char *path = cw_temp_file("{\n  \"a\": 1,\n  \"b\": \n}\n", ".json");
    char err[256] = "";
    (void)state;
    assert_null(cw_json_load_file(path, err, sizeof(err)));
    assert_non_null(strstr(err, "line 4"));
    unlink(path);
}

/* A UTF-8 byte order mark before a JSON document is not part of it, from a
 * file or from text (a DevLake cell), and the same loader keeps \u0000. */
static void test_json_load_skips_bom(void **state)
{
    const char *path = cw_temp_file("\xEF\xBB\xBF{\"issues\":[{\"key\":\"PAY-1\"}]}", ".json");
    const char cell[] = "\xEF\xBB\xBF{\"summary\":\"a\\u0000b\",\"n\":3}";
    char err[256] = "";
    json_t *root = cw_json_load_file(path, err, sizeof(err));
    int64_t n = 0;
    (void)state;
    assert_non_null(root);
    assert_string_equal(cw_json_str(json_array_get(json_object_get(root, "issues"), 0), "key"),
                        "PAY-1");
    json_decref(root);
    unlink(path);
    root = cw_json_load_text(cell, strlen(cell), err, sizeof(err));
    assert_non_null(root);
    assert_int_equal(json_string_length(json_object_get(root, "summary")), 3);
    assert_int_equal(cw_json_int(root, "n", &n), 0);
    assert_true(n == 3);
    json_decref(root);
}

/* A number jansson cannot hold (an integer beyond int64, a real beyond
 * double) no longer fails the whole document: it reads as out of range at
 * its own place, neither an integer nor a string, and everything else loads.
 * The same text inside a string is left alone, and 1e-400 is plain 0.0. */
static void test_json_out_of_range_numbers(void **state)
{
    const char *text = "[{\"id\":123456789012345678901234567890,\"ok\":5},"
                       "{\"x\":1e400,\"y\":-1E+400,\"z\":-99999999999999999999},"
                       "{\"s\":\"1e400 \\\" 123456789012345678901234567890\",\"tiny\":1e-400,"
                       "\"max\":9223372036854775807,\"min\":-9223372036854775808,"
                       "\"over\":9223372036854775808,\"d18\":999999999999999999,\"r\":1.7e308}]";
    char err[256] = "";
    json_t *root = cw_json_load_text(text, strlen(text), err, sizeof(err));
    json_t *a, *b, *c;
    int64_t v = 77;
    (void)state;
    if (!root)
        fail_msg("not loaded: %s", err);
    a = json_array_get(root, 0);
    b = json_array_get(root, 1);
    c = json_array_get(root, 2);
    assert_int_equal(cw_json_int(a, "id", &v), -1);
    assert_true(v == 77);
    assert_true(cw_json_out_of_range(cw_json_path(a, "id")));
    assert_null(cw_json_str(a, "id"));
    assert_int_equal(cw_json_int(a, "ok", &v), 0);
    assert_true(v == 5);
    assert_false(cw_json_out_of_range(cw_json_path(a, "ok")));
    assert_true(cw_json_out_of_range(cw_json_path(b, "x")));
    assert_true(cw_json_out_of_range(cw_json_path(b, "y")));
    assert_true(cw_json_out_of_range(cw_json_path(b, "z")));
    assert_string_equal(cw_json_str(c, "s"), "1e400 \" 123456789012345678901234567890");
    assert_false(cw_json_out_of_range(cw_json_path(c, "s")));
    assert_true(json_is_real(cw_json_path(c, "tiny")));
    assert_int_equal(cw_json_int(c, "max", &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(cw_json_int(c, "min", &v), 0);
    assert_true(v == INT64_MIN);
    assert_true(cw_json_out_of_range(cw_json_path(c, "over")));          /* 2^63 */
    assert_int_equal(cw_json_int(c, "d18", &v), 0);
    assert_true(v == 999999999999999999LL);
    assert_true(json_is_real(cw_json_path(c, "r")));                     /* below DBL_MAX */
    json_decref(root);
}

/* Invalid JSON stays invalid: a leading zero is not a number to rescue, a
 * truncated document and invalid UTF-8 fail with their line. */
static void test_json_still_rejects_invalid(void **state)
{
    static const char *const bad[] = {
        "[01e999]", "{\"a\": [1, 2", "[\"\xC3\x28\"]", "[1e400", "[-]", "[1e400x]",
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char err[256] = "";
        json_t *root = cw_json_load_text(bad[i], strlen(bad[i]), err, sizeof(err));
        if (root)
            fail_msg("loaded: %s", bad[i]);
        assert_non_null(strstr(err, "line 1"));
    }
}

/* A BOM before a quoted header: libcsv in strict mode refused the quote
 * that followed the three BOM bytes, and the whole file was lost. */
static void test_csv_bom_before_quoted_header(void **state)
{
    const char *path = cw_temp_file("\xEF\xBB\xBF\"Summary\",\"Issue key\"\n\"First\",\"PAY-1\"\n",
                                    ".csv");
    csv_seen s = {0};
    char err[128] = "";
    (void)state;
    if (cw_csv_read(path, seen_header, seen_row, &s, NULL, err, sizeof(err)) != 0)
        fail_msg("not read: %s", err);
    assert_int_equal(s.key_col, 1);
    assert_int_equal(s.rows, 1);
    unlink(path);
}

/* A CSV saved as Windows-1252 or Latin-1: every cell reaches the callback
 * as UTF-8, a Latin-1 byte as U+FFFD; one warning names the file, the
 * record and the column's header, and text counts every repaired cell. */
static void test_csv_cells_are_utf8(void **state)
{
    const char *path = cw_temp_file("Summary,Issue key,R\xe9sum\xe9\n"
                                    "Caf\xe9,PAY-1,ok\n"
                                    "Fine \xc3\xa9,PAY-2,\xe2\x82\n", ".csv");
    csv_seen s = {0};
    cw_text_check text = {0};
    cw_redirect r;
    char err[128] = "", *warn;
    (void)state;
    cw_redirect_begin(&r, 2);
    assert_int_equal(cw_csv_read(path, seen_header, seen_row, &s, &text, err, sizeof(err)), 0);
    warn = cw_redirect_end(&r);
    assert_int_equal(s.rows, 2);
    /* row 2 (record 3) as the reader handed it on: every cell UTF-8 */
    assert_string_equal(s.second_summary, "Fine \xc3\xa9");
    assert_string_equal(s.raw, "\"Fine \xc3\xa9\",\"PAY-2\",\"\xEF\xBF\xBD\"");
    assert_int_equal(text.fields, 3);               /* the header's cell, Caf\xe9, \xe2\x82 */
    assert_int_equal(text.record, 1);
    assert_string_equal(text.field, "header cell 3");
    assert_non_null(strstr(warn, ": record 1: header cell 3 is not valid UTF-8"));
    free(warn);
    free(s.raw);
    unlink(path);

    /* a data cell names its column */
    path = cw_temp_file("Summary,Issue key\nCaf\xe9,PAY-1\n", ".csv");
    memset(&s, 0, sizeof(s));
    memset(&text, 0, sizeof(text));
    cw_redirect_begin(&r, 2);
    assert_int_equal(cw_csv_read(path, seen_header, seen_row, &s, &text, err, sizeof(err)), 0);
    warn = cw_redirect_end(&r);
    assert_non_null(strstr(warn, ": record 2: Summary is not valid UTF-8"));
    assert_int_equal(text.fields, 1);
    free(warn);
    unlink(path);
}

static void test_regex_named_group(void **state)
{
    char err[128], env[32];
    cw_regex *re = cw_regex_compile("^deploy-(?<environment>[a-z]+)-", 0, err, sizeof(err));
    (void)state;
    assert_non_null(re);
    assert_int_equal(cw_regex_match(re, "deploy-prod-payments"), 1);
    assert_int_equal(cw_regex_match(re, "build-payments"), 0);
    assert_int_equal(cw_regex_named(re, "deploy-staging-x", "environment", env, sizeof(env)), 1);
    assert_string_equal(env, "staging");
    cw_regex_free(re);
    assert_null(cw_regex_compile("deploy-(", 0, err, sizeof(err)));
    assert_non_null(strstr(err, "offset"));
}

static int count_row(void *ctx, const cw_csv_row *row)
{
    (void)row;
    (*(long *)ctx)++;
    return 0;
}

/* Every real CSV fixture reads without a syntax error in strict mode (the
 * ServiceNow export is hand-written and read by test_incidents). */
static void test_csv_reads_every_real_fixture(void **state)
{
    static const char *const files[] = {
        "jira/jira-cloud-export-all-fields_ericmedlock.csv",
        "jira/jira-server-export-fr-locale_ckiw_JIRA28line.csv",
        "jira/devlake_raw_jira_api_issues.excerpt.csv",
        "jira/devlake_raw_jira_api_status.csv",
        "jenkins/devlake_raw_jenkins_api_builds.csv",
        "jenkins/devlake_raw_jenkins_api_builds_multibranch.csv",
        "pagerduty/devlake_raw_pagerduty_incidents.csv",
        "gitlab/devlake_raw_gitlab_api_merge_requests.csv",
        "github/devlake_raw_github_api_runs.excerpt.csv",
        "opsgenie/devlake_raw_opsgenie_incidents.csv",
    };
    static const long expected_rows[] = {22, -1, 3, 53, 14, 15, 3, 18, 11, 2};
    (void)state;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        long rows = 0;
        char err[256] = "";
        int rc = cw_csv_read(cw_fixture(files[i]), NULL, count_row, &rows, NULL, err, sizeof(err));
        if (rc != 0)
            fail_msg("%s: %s", files[i], err);
        if (expected_rows[i] >= 0 && rows != expected_rows[i])
            fail_msg("%s: %ld rows, expected %ld", files[i], rows, expected_rows[i]);
    }
}

/* Room for `need` elements, first 16, then doubling: the capacity says how
 * many elements fit and every element written so far survives a move. */
static void test_grow_doubles_and_keeps(void **state)
{
    (void)state;
    int *v = NULL;
    size_t cap = 0;
    for (size_t n = 0; n < 100; n++) {
        v = cw_grow(v, &cap, n + 1, sizeof *v);
        v[n] = (int)n * 3;
        assert_true(cap >= n + 1);
    }
    /* 16, 32, 64, 128: worked out by hand from the doubling rule. */
    assert_int_equal(cap, 128);
    for (size_t n = 0; n < 100; n++)
        assert_int_equal(v[n], (int)n * 3);
    free(v);
}

/* A need within the capacity leaves the array where it is; a need far
 * beyond the next doubling is met in one call. */
/* RFC 4648 section 10's test vectors, and MIME folding (RFC 2045: at most
 * 76 characters per line, CRLF). */
static void test_base64_vectors(void **state)
{
    (void)state;
    static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *const out[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (size_t i = 0; i < 7; i++) {
        size_t n;
        char *b = cw_base64(in[i], strlen(in[i]), &n);
        assert_string_equal(b, out[i]);
        assert_int_equal(n, strlen(out[i]));
        free(b);
    }
    /* 60 bytes encode to 80 characters: one line of 76 and one of 4 */
    char sixty[60];
    memset(sixty, 0, sizeof sixty);
    size_t n;
    char *folded = cw_base64_lines(sixty, sizeof sixty, 76, &n);
    assert_int_equal(n, 76 + 2 + 4 + 2);
    assert_memory_equal(folded + 76, "\r\nAAAA\r\n", 8);
    free(folded);
}

static void test_grow_no_move_and_big_jump(void **state)
{
    (void)state;
    size_t cap = 0;
    char *p = cw_grow(NULL, &cap, 1, 1);
    assert_int_equal(cap, 16);
    assert_ptr_equal(cw_grow(p, &cap, 16, 1), p);
    assert_int_equal(cap, 16);
    p = cw_grow(p, &cap, 1000, 1);
    assert_int_equal(cap, 1024);
    memset(p, 'x', 1000);
    free(p);
}

/* A size that cannot be represented aborts like an allocation failure,
 * rather than wrapping into a small buffer that is then overrun. */
static int grow_in_child(size_t need, size_t elem)
{
    pid_t pid = fork();
    int status = 0;
    if (pid == 0) {
        size_t cap = 0;
        void *p;
        freopen("/dev/null", "w", stderr);
        p = cw_grow(NULL, &cap, need, elem);
        free(p);
        _exit(0);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void test_grow_overflow_aborts(void **state)
{
    (void)state;
    int status = grow_in_child(SIZE_MAX / 8 + 2, 16);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
    status = grow_in_child(SIZE_MAX, 1);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(WTERMSIG(status), SIGABRT);
}

/* cw_parse_decimal: the number rule [metrics] and the live keys share.
 * Plain decimals only, range and wholeness checked before any conversion. */
static void test_parse_decimal(void **state)
{
    double v = -1;
    (void)state;
    assert_int_equal(cw_parse_decimal("72", 0, 100, 1, &v), 0);
    assert_true(v == 72.0);
    assert_int_equal(cw_parse_decimal("0.5", 0, 1, 0, &v), 0);
    assert_true(v == 0.5);
    assert_int_equal(cw_parse_decimal("1e2", 0, 100, 1, &v), 0);
    assert_true(v == 100.0);
    assert_int_equal(cw_parse_decimal("0.5", 0, 1, 1, &v), -1);      /* not whole */
    assert_int_equal(cw_parse_decimal("101", 0, 100, 1, &v), -1);    /* above max */
    assert_int_equal(cw_parse_decimal("-1", 0, 100, 0, &v), -1);     /* below min */
    assert_int_equal(cw_parse_decimal("0x10", 0, 100, 1, &v), -1);   /* no hex */
    assert_int_equal(cw_parse_decimal("inf", 0, 1e300, 0, &v), -1);
    assert_int_equal(cw_parse_decimal("nan", 0, 1, 0, &v), -1);
    assert_int_equal(cw_parse_decimal("", 0, 1, 0, &v), -1);
    assert_int_equal(cw_parse_decimal("1e999", 0, 1e300, 0, &v), -1); /* overflows */
    assert_int_equal(cw_parse_decimal("5 ", 0, 10, 0, &v), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_vectors),
        cmocka_unit_test(test_sha256_streaming),
        cmocka_unit_test(test_csv_repeated_headers_bom_newlines),
        cmocka_unit_test(test_csv_unterminated_quote_is_error),
        cmocka_unit_test(test_csv_reads_every_real_fixture),
        cmocka_unit_test(test_json_paths),
        cmocka_unit_test(test_write_atomic),
        cmocka_unit_test(test_json_int_reals),
        cmocka_unit_test(test_json_load_error_names_line),
        cmocka_unit_test(test_json_load_skips_bom),
        cmocka_unit_test(test_json_out_of_range_numbers),
        cmocka_unit_test(test_json_still_rejects_invalid),
        cmocka_unit_test(test_csv_bom_before_quoted_header),
        cmocka_unit_test(test_csv_cells_are_utf8),
        cmocka_unit_test(test_regex_named_group),
        cmocka_unit_test(test_grow_doubles_and_keeps),
        cmocka_unit_test(test_base64_vectors),
        cmocka_unit_test(test_grow_no_move_and_big_jump),
        cmocka_unit_test(test_grow_overflow_aborts),
        cmocka_unit_test(test_parse_decimal),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
