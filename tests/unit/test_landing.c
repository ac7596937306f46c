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
#include <fcntl.h>
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

/* Each test works in a fresh temporary folder, which place_drop removes
 * together with every path made in it (at); a folder source "s" reads
 * dir/exports and lands in dir/landing/batch, its files in its own folder
 * there (landed). */
typedef struct place {
    char *dir;
    const char *exports, *batch, *landed;
    char *paths[8];
    int n;
} place;

/* dir/rel, kept until place_drop. */
static const char *at(place *p, const char *rel)
{
    assert_true(p->n < (int)(sizeof p->paths / sizeof p->paths[0]));
    return p->paths[p->n++] = cw_asprintf("%s/%s", p->dir, rel);
}

static place *place_new(void)
{
    place *p = cw_xcalloc(1, sizeof *p);
    p->dir = cw_temp_dir();
    p->exports = at(p, "exports");
    p->batch = at(p, "landing/batch");
    p->landed = at(p, "landing/batch/s");
    return p;
}

static void place_drop(place *p)
{
    cw_remove_tree(p->dir);
    for (int i = 0; i < p->n; i++)
        free(p->paths[i]);
    free(p->dir);
    free(p);
}

/* A pagerduty source "s" over the exports folder, which holds a.json with text. */
static void pagerduty_source(cw_test_source *t, const place *p, const char *text)
{
    assert_int_equal(cw_mkdirs(p->exports), 0);
    cw_write_file(p->exports, "a.json", text);
    cw_test_source_init(t, 1, "s", "pagerduty", (const char *const[]){"path", p->exports, NULL});
}

/* A folder source: the file lands 0400 in a 0700 folder, the link to a
 * private file is refused without follow_symlinks, the subfolder is passed
 * over; with follow_symlinks the link lands too. */
static void test_links_modes_and_subfolders(void **state)
{
    place *p = place_new();
    const char *secret = at(p, "secret"), *link = at(p, "exports/b-link.json");
    cw_test_source t;
    seen s = {0};
    (void)state;
    pagerduty_source(&t, p, "[]");
    cw_write_file(p->dir, "secret", "private");
    assert_int_equal(chmod(secret, 0600), 0);
    assert_int_equal(symlink(secret, link), 0);

    assert_int_equal(cw_land_source(&t.src, cw_source_type_find("pagerduty"), p->batch, note, &s), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.original[0], "a.json");
    assert_string_equal(s.error[0], "");
    assert_int_equal(s.mode[0], 0400);
    assert_string_equal(s.original[1], "b-link.json");
    assert_non_null(strstr(s.error[1], "symbolic link"));
    assert_int_equal(folder_mode(p->landed), 0700);
    cw_landing_discard(p->batch);

    memset(&s, 0, sizeof(s));
    cw_test_source_set(&t, "follow_symlinks", "true");
    assert_int_equal(cw_land_source(&t.src, cw_source_type_find("pagerduty"), p->batch, note, &s), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.error[1], "");
    assert_int_equal(s.mode[1], 0400);      /* a copy, owner-only, whatever the target's mode */
    place_drop(p);
}

/* A folder whose only entry is a subfolder names no file: 1, nothing landed. */
static void test_only_subfolders(void **state)
{
    place *p = place_new();
    const char *sub = at(p, "exports/2026");
    cw_test_source t;
    seen s = {0};
    (void)state;
    assert_int_equal(cw_mkdirs(sub), 0);
    cw_write_file(sub, "issues.json", "[]");
    cw_test_source_init(&t, 1, "s", "jira", (const char *const[]){"path", p->exports, NULL});
    assert_int_equal(cw_land_source(&t.src, cw_source_type_find("jira"), p->batch, note, &s), 1);
    assert_int_equal(s.n, 0);
    place_drop(p);
}

/* Every offered file: its name, then its stat (size, mtime) or its checksum
 * and size; none is copied.  ctx->read_it: read a file offered by its stat. */
typedef struct offers {
    cw_buf out;
    int read_it;
} offers;

static int pass_over(void *ctx, const cw_landed *file)
{
    offers *o = ctx;
    assert_null(file->landed);
    assert_null(file->error);
    if (!file->sha256[0]) {
        cw_buf_printf(&o->out, "%s stat %lld %lld\n", strrchr(file->original, '/') + 1,
                      (long long)file->bytes, (long long)file->mtime_ns);
        return o->read_it ? CW_LAND_HASH : 0;
    }
    cw_buf_printf(&o->out, "%s %s %lld\n", strrchr(file->original, '/') + 1, file->sha256,
                  (long long)file->bytes);
    return 0;
}

/* A file is offered by its stat, then by its checksum, read in place,
 * before it is copied: one the callback passes over (loaded before) is
 * never copied, and its source folder in the batch stays empty. */
static void test_known_file_is_not_copied(void **state)
{
    place *p = place_new();
    cw_test_source t;
    offers o = { .read_it = 1 };
    char *file;
    (void)state;
    pagerduty_source(&t, p, "abc");
    file = cw_asprintf("%s/a.json", p->exports);
    /* 2023-11-14T22:13:20.123456789Z */
    assert_int_equal(utimensat(AT_FDCWD, file, (const struct timespec[2]){
                                   { 1700000000, 123456789 }, { 1700000000, 123456789 } }, 0), 0);
    assert_int_equal(cw_land_source(&t.src, cw_source_type_find("pagerduty"), p->batch, pass_over,
                                    &o), 0);
    /* SHA-256 of "abc": FIPS 180-2, appendix B.1 */
    assert_string_equal(o.out.data, "a.json stat 3 1700000000123456789\n"
                        "a.json ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad 3\n");
    cw_landing_prune(p->batch);
    assert_int_equal(access(p->landed, F_OK), -1);
    cw_buf_free(&o.out);
    free(file);
    place_drop(p);
}

/* A file passed over at its stat offer (known by path, size and mtime) is
 * not read at all: no checksum offer follows. */
static void test_file_known_by_stat_is_not_read(void **state)
{
    place *p = place_new();
    cw_test_source t;
    offers o = { .read_it = 0 };
    (void)state;
    pagerduty_source(&t, p, "abcd");
    assert_int_equal(cw_land_source(&t.src, cw_source_type_find("pagerduty"), p->batch, pass_over,
                                    &o), 0);
    assert_non_null(strstr(o.out.data, "a.json stat 4 "));
    assert_null(strchr(strchr(o.out.data, '\n') + 1, '\n'));       /* one offer only */
    cw_buf_free(&o.out);
    place_drop(p);
}

/* Fetched pages are listed, never globbed: a landing folder named like a
 * pattern ("[x]*") still lands exactly the source's own pages, in name
 * order, and nothing of a neighbour whose name the pattern would match. */
static void test_fetched_pages_are_never_a_pattern(void **state)
{
    place *p = place_new();
    const char *batch = at(p, "land[x]*/batch");
    const char *mine = at(p, "land[x]*/batch/j"), *other = at(p, "land[x]*/batch/jx");
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
    place_drop(p);
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
    place *p = place_new();
    /* pids above the kernel's maximum (4194304) are never alive */
    const char *killed = at(p, "20260302T020000Z-99999999");
    const char *committed = at(p, "20260303T020000Z-99999998");
    const char *extracted = at(p, "20260304T020000Z-99999997");
    const char *mark = at(p, "20260303T020000Z-99999998/.catwalk-run");
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
    cw_landing_sweep(p->dir, known, NULL);
    assert_int_not_equal(access(killed, F_OK), 0);
    assert_int_equal(access(committed, F_OK), 0);
    assert_int_not_equal(access(mark, F_OK), 0);
    assert_int_equal(access(extracted, F_OK), 0);
    place_drop(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_links_modes_and_subfolders),
        cmocka_unit_test(test_only_subfolders),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_fetched_pages_are_never_a_pattern),
        cmocka_unit_test(test_known_file_is_not_copied),
        cmocka_unit_test(test_file_known_by_stat_is_not_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
