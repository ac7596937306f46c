/*
 * landing.c - copy raw inputs into the landing zone (see landing.h).
 *
 * The copy and the checksum are one pass over the bytes, so a large export
 * is read once and never held in memory.
 */
#include "landing.h"
#include "../core/killpoint.h"
#include "../core/log.h"
#include "../core/sha256.h"
#include "../core/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *cw_landing_batch_dir(const char *landing_root)
{
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    return cw_asprintf("%s/%s-%ld", landing_root, stamp, (long)getpid());
}

#define LANDED_MODE 0400      /* owner-only, read-only */
#define FOLDER_MODE 0700
#define RUN_MARK ".catwalk-run"

const char *const cw_landing_keys[] = {"follow_symlinks", NULL};

int cw_landing_validate(const cw_source *src)
{
    const char *v = cw_source_get(src, "follow_symlinks");
    if (!v || strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
        return 0;
    fprintf(stderr, "%s:%d: follow_symlinks: expected true or false, got '%s'\n", src->config_path,
            cw_source_line(src, "follow_symlinks"), v);
    return -1;
}

static int follows_symlinks(const cw_source *src)
{
    const char *v = cw_source_get(src, "follow_symlinks");
    return v && strcmp(v, "true") == 0;
}

/* read() that retries when interrupted; < 0 with the reason in *why. */
static ssize_t read_some(int fd, char *buf, size_t size, const char **why)
{
    ssize_t n;
    while ((n = read(fd, buf, size)) < 0 && errno == EINTR)
        ;
    if (n < 0)
        *why = strerror(errno);
    return n;
}

/* Copy the open file in to dst while hashing; dst is made read-only
 * afterwards.  Returns 0, 1 when in could not be read (why in *why), or -1
 * when the landing zone could not be written (logged). */
static int copy_and_hash(int in, const char *dst, cw_landed *out, const char **why)
{
    char buf[1 << 16];
    ssize_t n;
    cw_sha256 sha;
    int outfd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600), rc = 0;
    if (outfd < 0) {
        cw_error("%s: cannot create in landing zone: %s", dst, strerror(errno));
        return -1;
    }
    cw_sha256_init(&sha);
    out->bytes = 0;
    while (rc == 0 && (n = read_some(in, buf, sizeof(buf), why)) != 0) {
        if (n < 0) {
            rc = 1;
        } else if (write(outfd, buf, (size_t)n) != n) {
            cw_error("%s: copy to landing zone failed: %s", dst, strerror(errno));
            rc = -1;
        } else {
            cw_sha256_update(&sha, buf, (size_t)n);
            out->bytes += (int64_t)n;
        }
    }
    if (rc == 0 && fchmod(outfd, LANDED_MODE) != 0) {
        cw_error("%s: cannot make it read-only: %s", dst, strerror(errno));
        rc = -1;
    }
    if (close(outfd) != 0 && rc == 0) {
        cw_error("%s: copy to landing zone failed: %s", dst, strerror(errno));
        rc = -1;
    }
    cw_sha256_final_hex(&sha, out->sha256);
    if (rc != 0)
        unlink(dst);
    return rc;
}

/* Checksum and size of what fd reads, from its current offset to the end:
 * 0, or 1 with the reason in *why. */
static int hash_fd(int fd, cw_landed *out, const char **why)
{
    char buf[1 << 16];
    ssize_t n;
    cw_sha256 sha;
    cw_sha256_init(&sha);
    out->bytes = 0;
    while ((n = read_some(fd, buf, sizeof(buf), why)) > 0) {
        cw_sha256_update(&sha, buf, (size_t)n);
        out->bytes += (int64_t)n;
    }
    cw_sha256_final_hex(&sha, out->sha256);
    return n < 0;
}

static int hash_file(const char *path, cw_landed *out)
{
    const char *why = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
    if (fd < 0)
        return -1;
    rc = hash_fd(fd, out, &why);
    close(fd);
    return rc == 0 ? 0 : -1;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_symlink(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* The files a `path` names: the file itself, every entry of a folder (not
 * recursing), or the matches of a glob; sorted for a stable order. */
static int expand_path(const char *pattern, glob_t *files)
{
    char *dir_pattern = NULL;
    int rc;
    if (is_dir(pattern)) {
        dir_pattern = cw_asprintf("%s/*", pattern);
        pattern = dir_pattern;
    }
    rc = glob(pattern, 0, NULL, files);
    free(dir_pattern);
    return rc == 0 ? 0 : -1;
}

/* Open a source file for landing.  Returns the descriptor, or -1 with the
 * reason in *why.  O_NOFOLLOW and the fstat of what was opened (not of the
 * name) leave no window for a link swapped in after the check. */
static int open_source_file(const char *file, int follow, struct stat *st, const char **why)
{
    int fd = open(file, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
    if (fd < 0) {
        *why = errno == ELOOP && !follow ? "a symbolic link, not followed (set follow_symlinks = true on the "
                                "source to read the file it points to)"
             : errno == ENOENT && follow ? "a symbolic link to a missing file"
                                         : strerror(errno);
        return -1;
    }
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        *why = "not a regular file";
        close(fd);
        return -1;
    }
    return fd;
}

/* The batch's folder of a source, made when its first file is copied: a
 * night whose files are all known creates (and prunes) no folder per
 * source.  0, or -1 (logged). */
static int make_folder(const char *dest_dir)
{
    if (cw_mkdirs_mode(dest_dir, FOLDER_MODE) == 0)
        return 0;
    cw_error("%s: cannot create landing folder: %s", dest_dir, strerror(errno));
    return -1;
}

/* Offer the open file by its stat (see cw_landed_fn): CW_LAND_HASH when fn
 * wants it read, else fn's answer. */
static int offer_stat(const struct stat *st, cw_landed *landed, cw_landed_fn fn, void *ctx)
{
    int rc;
    landed->bytes = (int64_t)st->st_size;
    landed->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    landed->sha256[0] = '\0';
    rc = fn(ctx, landed);
    return rc == CW_LAND_COPY ? CW_LAND_HASH : rc;    /* a copy needs the read too */
}

/* Land one file.  It is first offered to fn by its stat, then by its
 * checksum, read in place, so a file loaded before costs one stat (or one
 * read) and no copy; fn asks for the copy with CW_LAND_COPY.  A file that
 * cannot be read reaches fn with its reason. */
static int land_one(const char *file, int follow, const char *dest_dir, int index,
                    cw_landed_fn fn, void *ctx)
{
    char *copy = cw_strdup(file);
    char *dest = cw_asprintf("%s/%04d-%s", dest_dir, index, basename(copy));
    cw_landed landed = { .original = file };
    const char *why = NULL;
    struct stat st;
    int rc = 0, fd = open_source_file(file, follow, &st, &why);
    if (fd >= 0)
        cw_killpoint("land");
    if (fd >= 0 && (rc = offer_stat(&st, &landed, fn, ctx)) == CW_LAND_HASH &&
        (rc = 0, hash_fd(fd, &landed, &why) == 0)) {
        if (lseek(fd, 0, SEEK_SET) != 0)
            why = strerror(errno);
        else
            rc = fn(ctx, &landed);
        if (rc == CW_LAND_COPY && (rc = make_folder(dest_dir)) == 0 &&
            (rc = copy_and_hash(fd, dest, &landed, &why)) == 0) {
            landed.landed = dest;
            rc = fn(ctx, &landed);
        }
    }
    if (fd >= 0)
        close(fd);
    if (rc >= 0 && why) {
        char *reason = cw_asprintf("cannot land: %s", why);
        landed.landed = NULL;
        landed.error = reason;
        rc = fn(ctx, &landed);
        free(reason);
    }
    free(dest);
    free(copy);
    return rc;
}

/* Subfolders are passed over (a folder source is not recursive); anything
 * else the path names is landed or rejected, a link to a folder included. */
static int is_candidate(const char *file)
{
    struct stat st;
    return lstat(file, &st) != 0 || !S_ISDIR(st.st_mode);
}

static int land_files(const cw_source *src, const char *dest_dir, cw_landed_fn fn, void *ctx)
{
    char *pattern = cw_source_path(src, "path");
    int follow = follows_symlinks(src);
    glob_t files = {0};
    int rc = 0, landed = 0;
    if (!follow && is_symlink(pattern)) {
        /* the configured path itself: one reject, never a walk through it */
        rc = land_one(pattern, 0, dest_dir, 1, fn, ctx);
        free(pattern);
        return rc;
    }
    if (expand_path(pattern, &files) != 0) {
        cw_error("[source %s] %s:%d: path '%s' matches no file", src->name, src->config_path,
                 cw_source_line(src, "path"), pattern);
        free(pattern);
        return 1;
    }
    for (size_t i = 0; i < files.gl_pathc && rc == 0; i++) {
        if (!is_candidate(files.gl_pathv[i])) {
            cw_debug("%s: a folder, passed over (a source path is not recursive)",
                     files.gl_pathv[i]);
            continue;
        }
        rc = land_one(files.gl_pathv[i], follow, dest_dir, ++landed, fn, ctx);
    }
    if (rc == 0 && landed == 0) {
        cw_error("[source %s] %s:%d: path '%s' matches no file (only folders)", src->name,
                 src->config_path, cw_source_line(src, "path"), pattern);
        rc = 1;
    }
    globfree(&files);
    free(pattern);
    return rc;
}

static int land_produced(const cw_source *src, const cw_source_type *type, const char *dest_dir,
                         cw_landed_fn fn, void *ctx)
{
    char *dest = cw_asprintf("%s/0001-%s.produced", dest_dir, type->name);
    char *original = cw_asprintf("%s export of [source %s]", type->name, src->name);
    cw_landed landed = {0};
    int rc = type->produce(src, dest);
    if (rc == 0 && hash_file(dest, &landed) != 0) {
        cw_error("%s: cannot read produced export", dest);
        rc = -1;
    }
    if (rc == 0) {
        chmod(dest, LANDED_MODE);
        landed.original = original;
        landed.landed = dest;
        rc = fn(ctx, &landed);
    }
    free(dest);
    free(original);
    return rc;
}

int cw_land_source(const cw_source *src, const cw_source_type *type, const char *batch_dir,
                   cw_landed_fn fn, void *ctx)
{
    char *dest_dir = cw_asprintf("%s/%s", batch_dir, src->name);
    int rc;
    if (type->produce && !cw_source_get(src, "path"))
        rc = make_folder(dest_dir) == 0 ? land_produced(src, type, dest_dir, fn, ctx) : -1;
    else
        rc = land_files(src, dest_dir, fn, ctx);
    free(dest_dir);
    return rc;
}

/* Names of a folder's entries, sorted (scandir, never a glob: no part of the
 * path is ever read as a pattern, whatever characters the landing folder or a
 * source name holds). */
static int not_dot(const struct dirent *e)
{
    return e->d_name[0] != '.';
}

/* Hand every file of BATCH/<source>/ to fn, sorted by name (landing
 * order); read_only: make each read-only first (fetched pages). */
static int land_folder(const cw_source *src, const char *batch_dir, int read_only, cw_landed_fn fn,
                       void *ctx)
{
    char *dir = cw_asprintf("%s/%s", batch_dir, src->name);
    struct dirent **entries = NULL;
    int n = scandir(dir, &entries, not_dot, alphasort), rc = 0;
    for (int i = 0; i < n; i++) {
        cw_landed landed = {0};
        char *path = cw_asprintf("%s/%s", dir, entries[i]->d_name);
        struct stat st;
        landed.original = path;
        if (rc == 0 && lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
            hash_file(path, &landed) == 0) {
            if (read_only)
                chmod(path, LANDED_MODE);
            landed.landed = path;
            rc = fn(ctx, &landed);
        } else if (rc == 0) {
            /* a fetched page that cannot be read is one reject, never lost
             * in silence */
            landed.error = "cannot land: a fetched page that is not a readable regular file";
            rc = fn(ctx, &landed);
        }
        free(path);
        free(entries[i]);
    }
    free(entries);
    free(dir);
    return rc;
}

int cw_land_fetched(const cw_source *src, const char *batch_dir, cw_landed_fn fn, void *ctx)
{
    return land_folder(src, batch_dir, 1, fn, ctx);
}

int cw_land_replay(const cw_source *src, const char *batch_dir, cw_landed_fn fn, void *ctx)
{
    return land_folder(src, batch_dir, 0, fn, ctx);
}

void cw_landing_prune(const char *batch_dir)
{
    DIR *dir = opendir(batch_dir);
    struct dirent *e;
    if (!dir)
        return;
    while ((e = readdir(dir)) != NULL) {
        char *sub;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        sub = cw_asprintf("%s/%s", batch_dir, e->d_name);
        rmdir(sub);         /* fails, as it should, when files landed there */
        free(sub);
    }
    closedir(dir);
    rmdir(batch_dir);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st; (void)flag; (void)ftw;
    return remove(path);
}

void cw_landing_discard(const char *batch_dir)
{
    nftw(batch_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int cw_landing_begin(const char *batch_dir)
{
    char *mark = cw_asprintf("%s/%s", batch_dir, RUN_MARK);
    int fd = -1;
    if (cw_mkdirs_mode(batch_dir, FOLDER_MODE) == 0)
        fd = open(mark, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        cw_error("%s: cannot create landing folder: %s", batch_dir, strerror(errno));
    else
        close(fd);
    free(mark);
    return fd < 0 ? -1 : 0;
}

void cw_landing_end(const char *batch_dir)
{
    char *mark = cw_asprintf("%s/%s", batch_dir, RUN_MARK);
    unlink(mark);
    free(mark);
    cw_landing_prune(batch_dir);
}

/* The pid in a batch folder name ("20260302T020000Z-4242"), or 0. */
static long batch_pid(const char *name)
{
    const char *dash = strrchr(name, '-');
    char *end;
    long pid;
    if (!dash || strlen(name) != 16 + strlen(dash) || name[8] != 'T' || name[15] != 'Z')
        return 0;
    pid = strtol(dash + 1, &end, 10);
    return *end == '\0' && pid > 0 ? pid : 0;
}

static int run_is_gone(long pid)
{
    return pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

static void sweep_one(const char *root, const char *name, cw_landing_known_fn known, void *ctx)
{
    char *dir = cw_asprintf("%s/%s", root, name);
    char *mark = cw_asprintf("%s/%s", dir, RUN_MARK);
    struct stat st;
    long pid = batch_pid(name);
    if (pid && lstat(mark, &st) == 0 && run_is_gone(pid)) {
        int k = known(ctx, name);
        if (k == 0) {
            cw_info("%s: removing the landing folder of an interrupted run (nothing of it was "
                    "loaded)", dir);
            cw_landing_discard(dir);
        } else if (k == 1) {
            unlink(mark);   /* it committed; it was stopped before it could tidy up */
            cw_landing_prune(dir);
        }
    }
    free(mark);
    free(dir);
}

/* A batch folder of a run that ended (or an extract's): named by
 * cw_landing_batch_dir, no run mark. */
static int finished_batch(const char *root, const char *name)
{
    char *mark = cw_asprintf("%s/%s/%s", root, name, RUN_MARK);
    char *dir = cw_asprintf("%s/%s", root, name);
    struct stat st;
    int ok = batch_pid(name) != 0 && is_dir(dir) && lstat(mark, &st) != 0;
    free(mark);
    free(dir);
    return ok;
}

int cw_landing_batches(const char *landing_root, cw_strlist *out)
{
    struct dirent **entries = NULL;
    int n = scandir(landing_root, &entries, not_dot, alphasort);
    memset(out, 0, sizeof *out);
    if (n < 0)
        return errno == ENOENT ? 0 : -1;
    for (int i = 0; i < n; i++) {
        if (finished_batch(landing_root, entries[i]->d_name))
            cw_strlist_add(out, entries[i]->d_name);
        free(entries[i]);
    }
    free(entries);
    return 0;
}

void cw_landing_sweep(const char *landing_root, cw_landing_known_fn known, void *ctx)
{
    DIR *dir = opendir(landing_root);
    struct dirent *e;
    if (!dir)
        return;
    while ((e = readdir(dir)) != NULL)
        if (e->d_name[0] != '.')
            sweep_one(landing_root, e->d_name, known, ctx);
    closedir(dir);
}
