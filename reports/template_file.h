/*
 * template_file.h - where report templates come from.
 *
 * A report is defined in the templates/ folder (layouts, partials, the
 * report definition).  An analyst edits a copy and points the configuration
 * at it; catwalk reads that copy at every run, so a change needs no
 * recompile.  Without a configured folder the copies compiled into the binary
 * (core/embedded.h) are used, so an installed catwalk needs no data folder.
 */
#ifndef CW_TEMPLATE_FILE_H
#define CW_TEMPLATE_FILE_H

#include <stddef.h>

/* The text of template `name` ("weekly.html", "partials/tile.html"): the file
 * DIR/name when dir is set, else the built-in templates/name.  *where (may be
 * NULL) gets a caller-freed name for messages ("DIR/name", or
 * "templates/name (built in)").  NULL when missing or unreadable (logged). */
char *cw_template_read(const char *dir, const char *name, size_t *len, char **where);

#endif
