/*
 * template_file.c - read a report template from the configured folder or
 * from the binary (see template_file.h).
 */
#include "template_file.h"
#include "../core/embedded.h"
#include "../core/log.h"
#include "../core/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = cw_xmalloc(cap);
    for (;;) {
        if (n + 1 >= cap)
            buf = cw_grow(buf, &cap, n + 4096, 1);
        size_t k = fread(buf + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

char *cw_template_read(const char *dir, const char *name, size_t *len, char **where)
{
    char *path, *text;
    if (dir && *dir) {
        path = cw_asprintf("%s/%s", dir, name);
        text = read_file(path, len);
        if (!text)
            cw_error("template %s: %s", path, strerror(errno));
    } else {
        path = cw_asprintf("templates/%s", name);
        const char *data = cw_embedded_get(path);
        text = data ? cw_strdup(data) : NULL;
        if (text && len)
            *len = strlen(text);
        if (!text)
            cw_error("template %s: no such built-in template", path);
        char *shown = cw_asprintf("%s (built in)", path);
        free(path);
        path = shown;
    }
    if (where)
        *where = path;
    else
        free(path);
    return text;
}
