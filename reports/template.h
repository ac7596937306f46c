/*
 * template.h - the report layouts' template language: a logic-less subset of
 * Mustache (https://mustache.github.io/mustache.5.html), over a jansson tree.
 *
 * Why our own: Debian packages no C Mustache library (only C++, Python,
 * Perl... ones), and the subset the layouts need is small.  The renderers
 * (reports/html.c, reports/email.c) build one context (reports/context.c)
 * and the templates decide only layout; every number and every label is
 * formatted in C, so the page, the mail and the workbook agree.
 *
 *   {{name}}            the value, HTML-escaped (& < > " ' become entities);
 *                       in a .txt template nothing is escaped
 *   {{{name}}} {{&name}} the value unescaped: only for markup the C code built
 *   {{a.b.c}}           dotted names: a is looked up from the innermost
 *                       context outwards, then b and c inside it; {{.}} is
 *                       the current element
 *   {{#name}}..{{/name}} a list: once per element (the element pushed);
 *                       an object: once, pushed; any other true value: once
 *   {{^name}}..{{/name}} once when the value is false
 *   {{! comment }}      nothing (may span lines)
 *   {{>partial}}        the template `partial` (e.g. partials/tile.html), read
 *                       from the same folder, rendered with the same context
 *
 * False is: missing, null, false, 0, "" and [].  A missing name renders as
 * nothing and is not an error (an absent owner or URL is normal data).  A
 * line holding only a section, close, comment or partial tag (and blanks)
 * leaves no blank line, as in Mustache.  Set-delimiter tags ({{=...=}}) are
 * not supported.  Errors name the file and line:
 *   "templates/weekly.html:42: unclosed section 'teams'"
 * (an unclosed or mismatched section, an unclosed tag, a bad name, an
 * unknown partial, partials nested deeper than 16).
 */
#ifndef CW_TEMPLATE_H
#define CW_TEMPLATE_H

#include <jansson.h>
#include <stddef.h>

#include "../core/util.h"

typedef struct cw_template cw_template;

/* Parse text; `where` names it in messages ("templates/weekly.html").  NULL
 * on error with "WHERE:LINE: message" in err. */
cw_template *cw_template_parse(const char *text, const char *where, char *err, size_t errlen);
void cw_template_free(cw_template *t);

/* Append t rendered with context to out; partials come from dir (NULL: the
 * built-in templates, template_file.h).  escape: 1 for HTML.  0, or -1 with
 * "WHERE:LINE: message" in err. */
int cw_template_render(const cw_template *t, json_t *context, const char *dir, int escape,
                       cw_buf *out, char *err, size_t errlen);

/* Read template `name` from dir (NULL: built in), parse it and render it
 * into out; a name ending in ".txt" is not escaped.  0, or -1 (logged). */
int cw_template_render_file(const char *dir, const char *name, json_t *context, cw_buf *out);

/* Append s[0..len) to b with & < > " ' as entities: the one HTML escape of
 * the templates and of the markup the C code builds (html.c's SVG). */
void cw_template_escape(cw_buf *b, const char *s, size_t len);

/* Parse template `name` and every partial it names, recursively: what
 * `catwalk check` runs.  0, or -1 (logged). */
int cw_template_check(const char *dir, const char *name);

#endif
