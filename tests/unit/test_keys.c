/*
 * test_keys.c - ticket-key recognition: real commons-cli subjects, the false
 * positives formats.md §0.3 lists, custom and caseless patterns.
 */
#include "support.h"
#include "core/util.h"
#include "core/strmap.h"
#include "transform/keys.h"

#include <stdlib.h>
#include <string.h>

/* Collects the keys reported, joined by spaces. */
typedef struct found {
    char text[1024];
    int n;
} found;

static int collect(void *ctx, const char *key, const char *project)
{
    found *f = ctx;
    if (f->n++)
        strcat(f->text, " ");
    strcat(f->text, key);
    assert_non_null(project);
    assert_non_null(strstr(key, project));
    return 0;
}

static cw_keys *keys_with(const char *pattern, const char *project)
{
    char err[128] = "";
    cw_keys *k = cw_keys_new(pattern, err, sizeof(err));
    assert_non_null(k);
    if (project)
        cw_keys_add_project(k, project);
    return k;
}

static found scan(cw_keys *k, const char *text)
{
    found f = { "", 0 };
    int n = cw_keys_scan(k, text, collect, &f);
    assert_int_equal(n, f.n);
    return f;
}

static void test_real_subjects(void **state)
{
    cw_keys *k = keys_with(NULL, "CLI");
    found f = scan(k, "[CLI-354] Fix HelpFormatter wrapped description indent (#439)");
    assert_string_equal(f.text, "CLI-354");
    f = scan(k, "Fixed CLI-351 (#400)");
    assert_string_equal(f.text, "CLI-351");
    f = scan(k, "[CLI-340] Add CommandLine.getParsedOptionValues() #334");
    assert_string_equal(f.text, "CLI-340");
    cw_keys_free(k);
}

static void test_false_positives_ignored(void **state)
{
    cw_keys *k = keys_with(NULL, "CLI");
    assert_int_equal(scan(k, "Reject UTF-16 surrogate values in Character converter (#438)").n, 0);
    assert_int_equal(scan(k, "- See https://bugs.openjdk.org/browse/JDK-8024695").n, 0);
    assert_int_equal(scan(k, "Same as LANG-894, COMMONSSITE-57 and BCEL-375; SHA-256 UTF-8").n, 0);
    /* lower case is not a key with the default pattern */
    assert_int_equal(scan(k, "see cli-166 for details").n, 0);
    /* number rules: no leading zero, at most 7 digits, word boundaries */
    assert_int_equal(scan(k, "CLI-0 CLI-012 CLI-12345678 XCLI-5 CLI-5x").n, 0);
    cw_keys_free(k);
}

static void test_allow_list_decides(void **state)
{
    /* JDK-8024695 is only a key once JDK is a tracked project. */
    cw_keys *k = keys_with(NULL, "CLI");
    cw_keys_add_project(k, "JDK");
    cw_keys_add_project(k, "CLI");        /* duplicate: ignored */
    assert_int_equal(cw_keys_project_count(k), 2);
    found f = scan(k, "CLI-7 needs JDK-8024695 and UTF-16");
    assert_string_equal(f.text, "CLI-7 JDK-8024695");
    cw_keys_free(k);
}

static void test_several_keys_in_order(void **state)
{
    cw_keys *k = keys_with(NULL, "PAY");
    cw_keys_add_project(k, "OPS_2");
    found f = scan(k, "PAY-12: fix (PAY-9, OPS_2-1234567) PAY-12 again");
    assert_string_equal(f.text, "PAY-12 PAY-9 OPS_2-1234567 PAY-12");
    assert_int_equal(f.n, 4);
    cw_keys_free(k);
}

static void test_caseless_pattern_canonical_key(void **state)
{
    cw_keys *k = keys_with("(?i)\\b([a-z][a-z0-9_]+)-([1-9][0-9]{0,6})\\b", "CLI");
    found f = scan(k, "see cli-166 and Cli-2, not utf-8");
    assert_string_equal(f.text, "CLI-166 CLI-2");
    cw_keys_free(k);
}

static void test_named_project_group(void **state)
{
    /* Keys written as "#ABC/123" with the project in a named group. */
    cw_keys *k = keys_with("#(?<project>[A-Z]+)/(?<num>\\d+)", "ABC");
    found f = scan(k, "closes #ABC/123 and #XYZ/9");
    assert_string_equal(f.text, "#ABC/123");
    cw_keys_free(k);
}

static void test_bad_pattern_and_invalid_utf8(void **state)
{
    char err[128] = "";
    assert_null(cw_keys_new("([A-Z]+", err, sizeof(err)));
    assert_true(strlen(err) > 0);

    cw_keys *k = keys_with(NULL, "CLI");
    found f = scan(k, "\xff\xfe CLI-7 \xc3 caf\xc3\xa9 CLI-8");
    assert_string_equal(f.text, "CLI-7 CLI-8");
    assert_int_equal(cw_keys_scan(k, NULL, collect, &f), 0);
    assert_int_equal(cw_keys_scan(k, "", collect, &f), 0);
    cw_keys_free(k);
}

static int stop_at_first(void *ctx, const char *key, const char *project)
{
    (*(int *)ctx)++;
    return 1;
}

static void test_callback_stops(void **state)
{
    cw_keys *k = keys_with(NULL, "CLI");
    int calls = 0;
    assert_int_equal(cw_keys_scan(k, "CLI-1 CLI-2 CLI-3", stop_at_first, &calls), -1);
    assert_int_equal(calls, 1);
    cw_keys_free(k);
}

/* The real commons-cli history: 309 subjects, of which 11 name a CLI key
 * (lines 1, 2, 125, 126, 234, 235, 271, 285, 289, 290, 297); UTF-16 (2x)
 * and COMMONSSITE-189 are not CLI keys. */
static void test_real_history(void **state)
{
    size_t len;
    char *data = cw_read_file(cw_fixture("git/commons-cli.log-tsv.txt"), &len);
    cw_keys *k = keys_with(NULL, "CLI");
    int subjects = 0, with_key = 0, total = 0;
    found first = { "", 0 };

    assert_non_null(data);
    for (char *line = data; line && *line;) {
        char *next = strchr(line, '\n');
        char *subject = line;
        if (next)
            *next++ = '\0';
        for (int tab = 0; tab < 8 && subject; tab++) {
            subject = strchr(subject, '\t');
            if (subject)
                subject++;
        }
        assert_non_null(subject);
        subjects++;
        found f = scan(k, subject);
        total += f.n;
        with_key += f.n > 0;
        if (f.n && !first.n)
            first = f;
        line = next;
    }
    assert_int_equal(subjects, 309);
    assert_int_equal(with_key, 11);
    assert_int_equal(total, 11);
    assert_string_equal(first.text, "CLI-354");
    cw_keys_free(k);
    free(data);
}

/* Marks that at least one key was found, and collects distinct keys. */
typedef struct distinct {
    cw_strmap *keys;
    int hit;
} distinct;

static int note_key(void *ctx, const char *key, const char *project)
{
    distinct *d = ctx;
    d->hit = 1;
    cw_strmap_add(d->keys, key, 0, NULL);
    return 0;
}

/* The real tidev/alloy history (correlated/alloy/SOURCES.md): 6,083 commits,
 * 1,395 of which mention ALOY-<n> in subject or body, 591 distinct keys.  The
 * normative default pattern ends in \b, so 17 of those commits do not count:
 * 16 write suffixed branch names only ("[ALOY-956b]", "skypanther/ALOY-440d")
 * and one only "into aloy-199" in lower case.  1,395 - 17 = 1,378 commits;
 * every distinct key still appears somewhere in a plain form. */
static void test_real_alloy_history(void **state)
{
    size_t len;
    char *data = cw_read_file(cw_fixture("correlated/alloy/git.log"), &len);
    cw_keys *k = keys_with(NULL, "ALOY");
    distinct d = { cw_strmap_new(), 0 };
    int commits = 0, with_key = 0;
    char *save = NULL;

    assert_non_null(data);
    for (char *rec = strtok_r(data, "\x1e", &save); rec; rec = strtok_r(NULL, "\x1e", &save)) {
        char *field[11] = { 0 };
        int n = 0;
        for (char *p = rec; p && n < 11; n++) {
            field[n] = p;
            p = strchr(p, '\x1f');
            if (p)
                *p++ = '\0';
        }
        assert_true(n >= 10);
        commits++;
        d.hit = 0;
        assert_true(cw_keys_scan(k, field[8], note_key, &d) >= 0);
        assert_true(cw_keys_scan(k, field[9], note_key, &d) >= 0);
        with_key += d.hit;
    }
    assert_int_equal(commits, 6083);
    assert_int_equal(with_key, 1378);
    assert_int_equal(cw_strmap_count(d.keys), 591);
    cw_strmap_free(d.keys);
    cw_keys_free(k);
    free(data);
}

/* Keys beyond a commit's message (metrics.md "Idea to production"): a merge
 * subject and a request's source branch name them the same way.  By hand:
 * "org/PAY-7-fix" and "feature/PAY-12_login" hold PAY-7 (a '-' after the
 * number is a word boundary) but not PAY-12 ('_' is a word character, so no
 * boundary after 12); "Merge branch 'PAY-8' into main" holds PAY-8. */
static void test_merge_subjects_and_branches(void **state)
{
    cw_keys *k = keys_with(NULL, "PAY");
    found f = scan(k, "Merge pull request #12 from org/PAY-7-fix");
    (void)state;
    assert_string_equal(f.text, "PAY-7");
    f = scan(k, "Merge branch 'PAY-8' into main");
    assert_string_equal(f.text, "PAY-8");
    f = scan(k, "feature/PAY-12_login");
    assert_int_equal(f.n, 0);
    f = scan(k, "PAY-7-fix");
    assert_string_equal(f.text, "PAY-7");
    cw_keys_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_subjects),
        cmocka_unit_test(test_merge_subjects_and_branches),
        cmocka_unit_test(test_false_positives_ignored),
        cmocka_unit_test(test_allow_list_decides),
        cmocka_unit_test(test_several_keys_in_order),
        cmocka_unit_test(test_caseless_pattern_canonical_key),
        cmocka_unit_test(test_named_project_group),
        cmocka_unit_test(test_bad_pattern_and_invalid_utf8),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_real_history),
        cmocka_unit_test(test_real_alloy_history),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
