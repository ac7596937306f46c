/*
 * test_landing.c - the landing zone: what lands and with which mode, what is
 * refused (symbolic links, unreadable files) and the sweep of a killed
 * run's folder.
 */
#include "support.h"
#include "core/util.h"
#include "extract/landing.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_SEEN 8

typedef struct seen {
    int n;
    char original[MAX_SEEN][PATH_MAX];
    char error[MAX_SEEN][256];      /* "" when landed */
    int mode[MAX_SEEN];             /* the landed copy's mode */
} seen;

static int note(void *ctx, const cw_landed *file)
{
    seen *s = ctx;
    struct stat st;
    const char *base = strrchr(file->original, '/');
    if (!file->landed && !file->error)
        return CW_LAND_COPY;            /* offered before the copy: land it */
    assert_true(s->n < MAX_SEEN);
    snprintf(s->original[s->n], PATH_MAX, "%s", base ? base + 1 : file->original);
    snprintf(s->error[s->n], 256, "%s", file->error ? file->error : "");
    if (!file->error) {
        assert_int_equal(stat(file->landed, &st), 0);
        s->mode[s->n] = (int)(st.st_mode & 07777);
    }
    s->n++;
    return 0;
}

static int folder_mode(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return (int)(st.st_mode & 07777);
}

/* A folder source: the file lands 0400 in a 0700 folder, the link to a
 * private file is refused without follow_symlinks, the subfolder is passed
 * over; with follow_symlinks the link lands too. */
static void test_links_modes_and_subfolders(void **state)
{
    char *dir = cw_temp_dir();
    char *exports = cw_asprintf("%s/exports", dir), *secret = cw_asprintf("%s/secret", dir);
    char *link = cw_asprintf("%s/exports/b-link.json", dir);
    char *batch = cw_asprintf("%s/landing/batch", dir), *source_dir = cw_asprintf("%s/s", batch);
    cw_test_source t;
    seen s = {0};
    (void)state;
    assert_int_equal(cw_mkdirs(exports), 0);
    cw_write_file(exports, "a.json", "[]");
    cw_write_file(dir, "secret", "private");
    assert_int_equal(chmod(secret, 0600), 0);
    assert_int_equal(symlink(secret, link), 0);
    cw_test_source_init(&t, 1, "s", "pagerduty", (const char *const[]){"path", exports, NULL});

    assert_int_equal(cw_land_source(&t.src, cw_source_type_find("pagerduty"), batch, note, &s), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.original[0], "a.json");
    assert_string_equal(s.error[0], "");
    assert_int_equal(s.mode[0], 0400);
    assert_string_equal(s.original[1], "b-link.json");
    assert_non_null(strstr(s.error[1], "symbolic link"));
    assert_int_equal(folder_mode(source_dir), 0700);
    cw_landing_discard(batch);

    memset(&s, 0, sizeof(s));
    cw_test_source_set(&t, "follow_symlinks", "true");
    assert_int_equal(cw_land_source(&t.src, cw_source_type_find("pagerduty"), batch, note, &s), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.error[1], "");
    assert_int_equal(s.mode[1], 0400);      /* a copy, owner-only, whatever the target's mode */

    cw_remove_tree(dir);
    free(exports); free(secret); free(link); free(batch); free(source_dir); free(dir);
}

/* A folder whose only entry is a subfolder names no file: 1, nothing landed. */
static void test_only_subfolders(void **state)
{
    char *dir = cw_temp_dir();
    char *sub = cw_asprintf("%s/exports/2026", dir), *exports = cw_asprintf("%s/exports", dir);
    char *batch = cw_asprintf("%s/landing/batch", dir);
    cw_test_source t;
    seen s = {0};
    (void)state;
    assert_int_equal(cw_mkdirs(sub), 0);
    cw_write_file(sub, "issues.json", "[]");
    cw_test_source_init(&t, 1, "s", "jira", (const char *const[]){"path", exports, NULL});
    assert_int_equal(cw_land_source(&t.src, cw_source_type_find("jira"), batch, note, &s), 1);
    assert_int_equal(s.n, 0);
    cw_remove_tree(dir);
    free(sub); free(exports); free(batch); free(dir);
}

/* Fetched pages are listed, never globbed: a landing folder named like a
 * pattern ("[x]*") still lands exactly the source's own pages, in name
 * order, and nothing of a neighbour whose name the pattern would match. */
/* Every offered file: its name, checksum and size; none is copied. */
static int pass_over(void *ctx, const cw_landed *file)
{
    cw_buf *out = ctx;
    assert_null(file->landed);
    assert_null(file->error);
    cw_buf_printf(out, "%s %s %lld\n", strrchr(file->original, '/') + 1, file->sha256,
                  (long long)file->bytes);
    return 0;
}

/* A file is offered by its checksum, read in place, before it is copied:
 * one the callback passes over (loaded before) is never copied, and its
 * source folder in the batch stays empty. */
static void test_known_file_is_not_copied(void **state)
{
    char *dir = cw_temp_dir();
    char *exports = cw_asprintf("%s/exports", dir), *batch = cw_asprintf("%s/landing/batch", dir);
    char *source_dir = cw_asprintf("%s/s", batch);
    cw_test_source t;
    cw_buf offered = {0};
    (void)state;
    assert_int_equal(cw_mkdirs(exports), 0);
    cw_write_file(exports, "a.json", "abc");
    cw_test_source_init(&t, 1, "s", "pagerduty", (const char *const[]){"path", exports, NULL});
    assert_int_equal(cw_land_source(&t.src, cw_source_type_find("pagerduty"), batch, pass_over,
                                    &offered), 0);
    /* SHA-256 of "abc": FIPS 180-2, appendix B.1 */
    assert_string_equal(offered.data, "a.json ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3\n");
    cw_landing_prune(batch);
    assert_int_equal(access(source_dir, F_OK), -1);
    cw_buf_free(&offered);
    cw_remove_tree(dir);
    free(exports); free(batch); free(source_dir); free(dir);
}

static void test_fetched_pages_are_never_a_pattern(void **state)
{
    char *dir = cw_temp_dir();
    char *batch = cw_asprintf("%s/land[x]*/batch", dir);
    char *mine = cw_asprintf("%s/j", batch), *other = cw_asprintf("%s/jx", batch);
    cw_test_source t;
    seen s = {0};
    (void)state;
    assert_int_equal(cw_mkdirs(mine), 0);
    assert_int_equal(cw_mkdirs(other), 0);
    cw_write_file(mine, "00002-page.json", "[]");
    cw_write_file(mine, "00001-page.json", "[]");
    cw_write_file(other, "00001-other.json", "[]");
    cw_test_source_init(&t, 1, "j", "jira", (const char *const[]){"base_url", "https://x", NULL});
    assert_int_equal(cw_land_fetched(&t.src, batch, note, &s), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.original[0], "00001-page.json");
    assert_string_equal(s.original[1], "00002-page.json");
    cw_remove_tree(dir);
    free(mine); free(other); free(batch); free(dir);
}

/* The warehouse of the sweep test knows the batch of 3 March only. */
static int known(void *ctx, const char *name)
{
    (void)ctx;
    return strncmp(name, "20260303", 8) == 0;
}

/* The sweep removes a marked folder of a dead run the warehouse does not
 * know, only unmarks one it knows, and keeps unmarked (extract) folders. */
static void test_sweep(void **state)
{
    char *root = cw_temp_dir();
    /* pids above the kernel's maximum (4194304) are never alive */
    char *killed = cw_asprintf("%s/20260302T020000Z-99999999", root);
    char *committed = cw_asprintf("%s/20260303T020000Z-99999998", root);
    char *extracted = cw_asprintf("%s/20260304T020000Z-99999997", root);
    char *mark = cw_asprintf("%s/.catwalk-run", committed);
    const char *dirs[] = {killed, committed, extracted};
    (void)state;
    assert_int_equal(cw_landing_begin(killed), 0);
    assert_int_equal(cw_landing_begin(committed), 0);
    for (int i = 0; i < 3; i++) {
        char *src = cw_asprintf("%s/s", dirs[i]);
        assert_int_equal(cw_mkdirs(src), 0);
        cw_write_file(src, "0001-a.json", "[]");
        free(src);
    }
    cw_landing_sweep(root, known, NULL);
    assert_int_not_equal(access(killed, F_OK), 0);
    assert_int_equal(access(committed, F_OK), 0);
    assert_int_not_equal(access(mark, F_OK), 0);
    assert_int_equal(access(extracted, F_OK), 0);
    cw_remove_tree(root);
    free(killed); free(committed); free(extracted); free(mark); free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_links_modes_and_subfolders),
        cmocka_unit_test(test_only_subfolders),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_fetched_pages_are_never_a_pattern),
        cmocka_unit_test(test_known_file_is_not_copied),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
