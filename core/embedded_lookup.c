/*
 * embedded_lookup.c - find a file compiled into the binary (see embedded.h).
 */
#include "embedded.h"

#include <string.h>

const char *cw_embedded_get(const char *path)
{
    for (const cw_embedded_file *f = cw_embedded_files; f->path; f++)
        if (strcmp(f->path, path) == 0)
            return f->data;
    return NULL;
}
