/*
 * retention.c - landing retention and its checkpoints (retention.h).
 */
#include "retention.h"
#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"
#include "../extract/landing.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHECKPOINTS "checkpoint"
#define CHECKPOINT_EXT ".db"

/* ------------------------------------------------------------ names */

/* The UTC second a batch folder's name starts with, or -1. */
static int64_t folder_time(const char *name)
{
    struct tm tm = {0};
    const char *end = strptime(name, "%Y%m%dT%H%M%SZ", &tm);
    return end && *end == '-' ? (int64_t)timegm(&tm) : -1;
}

static int is_checkpoint(const struct dirent *e)
{
    size_t len = strlen(e->d_name), ext = strlen(CHECKPOINT_EXT);
    return e->d_name[0] != '.' && len > ext && strcmp(e->d_name + len - ext, CHECKPOINT_EXT) == 0;
}

/* The checkpoints' folder names, oldest first. */
static int list_checkpoints(const cw_config *cfg, cw_strlist *out)
{
    char *dir = cw_asprintf("%s/%s", cfg->landing, CHECKPOINTS);
    struct dirent **entries = NULL;
    int n = scandir(dir, &entries, is_checkpoint, alphasort);
    memset(out, 0, sizeof *out);
    free(dir);
    if (n < 0)
        return errno == ENOENT ? 0 : -1;
    for (int i = 0; i < n; i++) {
        size_t len = strlen(entries[i]->d_name) - strlen(CHECKPOINT_EXT);
        char *name = cw_strndup(entries[i]->d_name, len);
        cw_strlist_add(out, name);
        free(name);
        free(entries[i]);
    }
    free(entries);
    return 0;
}

int cw_retention_checkpoint(const cw_config *cfg, const char **name)
{
    cw_strlist list;
    *name = NULL;
    if (list_checkpoints(cfg, &list) != 0) {
        cw_error("%s/%s: cannot read the checkpoints: %s", cfg->landing, CHECKPOINTS,
                 strerror(errno));
        return -1;
    }
    if (list.n)
        *name = cw_strdup(list.items[list.n - 1]);
    cw_strlist_free(&list);
    return 0;
}

static char *checkpoint_path(const cw_config *cfg, const char *name)
{
    return cw_asprintf("%s/%s/%s%s", cfg->landing, CHECKPOINTS, name, CHECKPOINT_EXT);
}

/* ------------------------------------------------------------ deleting */

/* Remove a folder and what it holds, counting the files and bytes.  0, or
 * -1 when something stayed (logged). */
static int remove_tree(const char *dir, long *files, int64_t *bytes)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;
    if (!d) {
        cw_warn("landing retention: %s: %s", dir, strerror(errno));
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        char *path;
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        path = cw_asprintf("%s/%s", dir, e->d_name);
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            rc |= remove_tree(path, files, bytes);
        } else if (unlink(path) == 0) {
            (*files)++;
            *bytes += (int64_t)st.st_size;
        } else {
            cw_warn("landing retention: cannot delete %s: %s", path, strerror(errno));
            rc = -1;
        }
        free(path);
    }
    closedir(d);
    if (rc == 0 && rmdir(dir) != 0) {
        cw_warn("landing retention: cannot delete %s: %s", dir, strerror(errno));
        rc = -1;
    }
    return rc;
}

/* ------------------------------------------------------------ checkpoints */

/* The warehouse as this run left it, copied to LANDING/checkpoint/NAME.db
 * (written aside, then renamed: a checkpoint is whole or absent). */
static int make_checkpoint(const cw_config *cfg, cw_db *db, const char *name)
{
    char *dir = cw_asprintf("%s/%s", cfg->landing, CHECKPOINTS);
    char *path = checkpoint_path(cfg, name), *tmp = cw_asprintf("%s.tmp", path);
    cw_stmt *st = NULL;
    int rc = -1;
    unlink(tmp);
    if (cw_mkdirs_mode(dir, 0700) != 0)
        cw_warn("landing retention: cannot create %s: %s", dir, strerror(errno));
    else if (cw_db_prepare(db, "VACUUM INTO ?", &st) != CW_DB_OK ||
             cw_db_bind_str(st, 1, tmp) != CW_DB_OK || cw_db_step(st) != CW_DB_DONE)
        cw_warn("landing retention: cannot make the checkpoint %s: %s", path, cw_db_errmsg(db));
    else if (rename(tmp, path) != 0)
        cw_warn("landing retention: cannot make the checkpoint %s: %s", path, strerror(errno));
    else
        rc = 0;
    cw_db_finalize(st);
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    free(path);
    free(dir);
    return rc;
}

/* Every checkpoint older than the newest goes. */
static void drop_old_checkpoints(const cw_config *cfg, cw_retention_stats *stats)
{
    cw_strlist list;
    if (list_checkpoints(cfg, &list) != 0)
        return;
    for (size_t i = 0; i + 1 < list.n; i++) {
        char *path = checkpoint_path(cfg, list.items[i]);
        struct stat st;
        if (stat(path, &st) == 0 && unlink(path) == 0) {
            stats->files++;
            stats->bytes += (int64_t)st.st_size;
        }
        free(path);
    }
    cw_strlist_free(&list);
}

int cw_retention_restore(const cw_config *cfg, const char *name, const char *target)
{
    char *path = checkpoint_path(cfg, name);
    char buf[1 << 16];
    FILE *in = fopen(path, "rb"), *out = NULL;
    size_t n;
    int rc = -1;
    int fd = cw_db_is_uri(target) ? -1 : open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (cw_db_is_uri(target))
        cw_error("rebuild: the checkpoint %s is a SQLite warehouse; a rebuild from it goes into "
                 "a SQLite file", path);
    else if (!in || fd < 0 || !(out = fdopen(fd, "wb")))
        cw_error("rebuild: cannot copy the checkpoint %s to %s: %s", path, target, strerror(errno));
    else {
        rc = 0;
        while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
            rc = fwrite(buf, 1, n, out) == n ? 0 : -1;
        if (ferror(in) || fclose(out) != 0)
            rc = -1;
        out = NULL;
        fd = -1;
        if (rc != 0)
            cw_error("rebuild: cannot copy the checkpoint %s to %s", path, target);
        else
            cw_info("rebuild: starting from the checkpoint %s", path);
    }
    if (out)
        fclose(out);
    else if (fd >= 0)
        close(fd);
    if (in)
        fclose(in);
    free(path);
    return rc;
}

/* ------------------------------------------------------------ the rule */

static int expired(const cw_config *cfg, const cw_strlist *names, size_t i, int64_t now)
{
    int64_t t = folder_time(names->items[i]);
    int past_batches = !cfg->landing_keep_batches || i + (size_t)cfg->landing_keep_batches < names->n;
    int past_days = !cfg->landing_keep_days ||
                    (t >= 0 && t < now - (int64_t)cfg->landing_keep_days * 86400);
    return past_batches && past_days;
}

void cw_retention_apply(const cw_config *cfg, cw_db *db, const char *batch_dir,
                        cw_retention_stats *stats)
{
    cw_strlist names = {0};
    char *copy = cw_strdup(batch_dir);
    const char *current = basename(copy), *covered = NULL, *newest = NULL;
    int64_t now = cw_now();
    memset(stats, 0, sizeof *stats);
    if ((!cfg->landing_keep_days && !cfg->landing_keep_batches) ||
        cw_landing_batches(cfg->landing, &names) != 0 || cw_retention_checkpoint(cfg, &covered) != 0)
        goto done;
    for (size_t i = 0; i < names.n; i++)
        if (strcmp(names.items[i], current) < 0 && expired(cfg, &names, i, now)) {
            stats->expired++;
            newest = names.items[i];
        }
    if (stats->expired == 0)
        goto done;
    /* the expired folders are covered when the newest checkpoint is past them all */
    if (!covered || strcmp(newest, covered) > 0) {
        if (strcmp(cw_db_dialect(db), "sqlite") != 0) {
            cw_info("landing retention: %ld folder(s) past the limits are kept: a rebuild still "
                    "needs them (a PostgreSQL warehouse makes no checkpoint)", stats->expired);
            goto done;
        }
        if (make_checkpoint(cfg, db, current) != 0)
            goto done;
        stats->checkpointed = 1;
        free((char *)covered);
        covered = cw_strdup(current);
    }
    for (size_t i = 0; i < names.n; i++) {
        char *dir;
        if (strcmp(names.items[i], covered) > 0 || strcmp(names.items[i], current) >= 0 ||
            !expired(cfg, &names, i, now))
            continue;
        dir = cw_asprintf("%s/%s", cfg->landing, names.items[i]);
        if (remove_tree(dir, &stats->files, &stats->bytes) == 0)
            stats->folders++;
        free(dir);
    }
    drop_old_checkpoints(cfg, stats);
    cw_info("landing retention: deleted %ld folder(s), %ld file(s), %lld bytes; a rebuild starts "
            "from the checkpoint %s", stats->folders, stats->files, (long long)stats->bytes,
            covered);
done:
    free((char *)covered);
    cw_strlist_free(&names);
    free(copy);
}
