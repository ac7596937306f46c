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

/* Copy src to dst while hashing; dst is made read-only afterwards. */
static int copy_and_hash(const char *src, const char *dst, cw_landed *out)
{
    FILE *in = fopen(src, "rb"), *outf;
    char buf[1 << 16];
    size_t n;
    cw_sha256 sha;
    int rc = 0;
    if (!in) {
        cw_error("%s: cannot read: %s", src, strerror(errno));
        return -1;
    }
    outf = fopen(dst, "wbx");
    if (!outf) {
        cw_error("%s: cannot create in landing zone: %s", dst, strerror(errno));
        fclose(in);
        return -1;
    }
    cw_sha256_init(&sha);
    out->bytes = 0;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        cw_sha256_update(&sha, buf, n);
        out->bytes += (int64_t)n;
        if (fwrite(buf, 1, n, outf) != n) {
            rc = -1;
            break;
        }
    }
    if (ferror(in))
        rc = -1;
    fclose(in);
    if (fclose(outf) != 0)
        rc = -1;
    if (rc != 0) {
        cw_error("%s: copy to landing zone failed: %s", src, strerror(errno));
        unlink(dst);
        return -1;
    }
    cw_sha256_final_hex(&sha, out->sha256);
    chmod(dst, 0444);
    return 0;
}

static int hash_file(const char *path, cw_landed *out)
{
    FILE *in = fopen(path, "rb");
    char buf[1 << 16];
    size_t n;
    cw_sha256 sha;
    if (!in)
        return -1;
    cw_sha256_init(&sha);
    out->bytes = 0;
    while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
        cw_sha256_update(&sha, buf, n);
        out->bytes += (int64_t)n;
    }
    fclose(in);
    cw_sha256_final_hex(&sha, out->sha256);
    return 0;
}

static int is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The files a `path` names: the file itself, every regular file of a folder
 * (not recursing), or the matches of a glob; sorted for a stable order. */
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

static int land_one(const char *file, const char *dest_dir, int index, cw_landed_fn fn, void *ctx)
{
    char *copy = cw_strdup(file);
    char *dest = cw_asprintf("%s/%04d-%s", dest_dir, index, basename(copy));
    cw_landed landed = {0};
    int rc;
    landed.original = file;
    landed.landed = dest;
    rc = copy_and_hash(file, dest, &landed);
    cw_killpoint("land");
    if (rc == 0)
        rc = fn(ctx, &landed);
    free(dest);
    free(copy);
    return rc;
}

static int land_files(const cw_source *src, const char *dest_dir, cw_landed_fn fn, void *ctx)
{
    char *pattern = cw_source_path(src, "path");
    glob_t files = {0};
    int rc = 0, landed = 0;
    if (expand_path(pattern, &files) != 0) {
        cw_error("[source %s] %s:%d: path '%s' matches no file", src->name, src->config_path,
                 cw_source_line(src, "path"), pattern);
        free(pattern);
        return -1;
    }
    for (size_t i = 0; i < files.gl_pathc && rc == 0; i++) {
        if (!is_regular(files.gl_pathv[i]))
            continue;
        rc = land_one(files.gl_pathv[i], dest_dir, ++landed, fn, ctx);
    }
    if (rc == 0 && landed == 0) {
        cw_error("[source %s] path '%s' matches no regular file", src->name, pattern);
        rc = -1;
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
        chmod(dest, 0444);
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
    if (cw_mkdirs(dest_dir) != 0) {
        cw_error("%s: cannot create landing folder: %s", dest_dir, strerror(errno));
        free(dest_dir);
        return -1;
    }
    if (type->produce && !cw_source_get(src, "path"))
        rc = land_produced(src, type, dest_dir, fn, ctx);
    else
        rc = land_files(src, dest_dir, fn, ctx);
    free(dest_dir);
    return rc;
}

int cw_land_fetched(const cw_source *src, const char *batch_dir, cw_landed_fn fn, void *ctx)
{
    char *pattern = cw_asprintf("%s/%s/*", batch_dir, src->name);
    glob_t files = {0};
    int rc = 0;
    if (glob(pattern, 0, NULL, &files) == 0) {
        for (size_t i = 0; i < files.gl_pathc && rc == 0; i++) {
            cw_landed landed = {0};
            const char *path = files.gl_pathv[i];
            if (!is_regular(path) || hash_file(path, &landed) != 0)
                continue;
            chmod(path, 0444);
            landed.original = path;
            landed.landed = path;
            rc = fn(ctx, &landed);
        }
    }
    globfree(&files);
    free(pattern);
    return rc;
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
