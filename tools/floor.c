/*
 * floor.c - the reading half of the floor `make bench` compares a nightly
 * run with: read every file under the given folders once, and parse every
 * JSON document once with jansson (the library the connectors use), doing
 * nothing with what was parsed.  No run of catwalk can read and parse its
 * input for less; the other half, writing the same number of rows, is
 * `sqlite3 .import` (scripts/bench.py).
 *
 *   floor DIR...   prints "files N bytes N json N" on stdout
 *
 * A bench tool beside the product (built by `make bench` only): it links
 * nothing of catwalk's.  Each file is read whole into one buffer, then
 * json_loadb parses it from memory, so reading and parsing are each done
 * exactly once; peak memory follows the largest file, as jansson's does.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static long files, json_docs, failures;
static long long bytes;

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* The whole file into a malloc'd buffer of st_size bytes, or NULL. */
static char *read_whole(const char *path, size_t size)
{
    char *buf = malloc(size ? size : 1);
    size_t got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (!buf || fd < 0) {
        free(buf);
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    while (got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got != size) {
        free(buf);
        return NULL;
    }
    return buf;
}

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    char *buf;
    (void)ftw;
    if (flag != FTW_F || !S_ISREG(st->st_mode))
        return 0;
    buf = read_whole(path, (size_t)st->st_size);
    if (!buf) {
        fprintf(stderr, "floor: cannot read %s: %s\n", path, strerror(errno));
        failures++;
        return 0;
    }
    files++;
    bytes += st->st_size;
    if (ends_with(path, ".json")) {
        json_error_t err;
        json_t *doc = json_loadb(buf, (size_t)st->st_size, 0, &err);
        if (!doc) {
            fprintf(stderr, "floor: %s:%d: %s\n", path, err.line, err.text);
            failures++;
        }
        json_decref(doc);
        json_docs++;
    }
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: floor DIR...\n", stderr);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        if (nftw(argv[i], visit, 16, FTW_PHYS) != 0) {
            fprintf(stderr, "floor: cannot walk %s: %s\n", argv[i], strerror(errno));
            return 1;
        }
    printf("files %ld bytes %lld json %ld\n", files, bytes, json_docs);
    return failures ? 1 : 0;
}
