/*
 * context.h - the report model as a template context (reports/template.h).
 *
 * One builder for the full page (html.c) and the email body (email.c), so
 * both show the same headline, exceptions and forecasts in the same words:
 * every number is formatted here, in C, and the templates only lay it out.
 * The names the templates may use are listed in context.c's banner.
 */
#ifndef CW_REPORT_CONTEXT_H
#define CW_REPORT_CONTEXT_H

#include <jansson.h>
#include <stddef.h>

#include "report.h"
#include "../core/util.h"

/* How many exceptions the digest shows (metrics.md "Exceptions": top 5). */
#define CW_REPORT_TOP_EXCEPTIONS 5

/* The email body's content width in pixels (templates/email.html). */
#define CW_REPORT_EMAIL_WIDTH 600

/* Images as the page embeds them (data: URIs) or as the mail refers to
 * its inline parts (cid:ID). */
typedef enum cw_context_images { CW_CONTEXT_DATA_URI, CW_CONTEXT_CID } cw_context_images;

/* How a number shows (the workbook's formats); NAN is "". */
typedef enum cw_report_num { CW_NUM_INTEGER, CW_NUM_HOURS, CW_NUM_RATIO, CW_NUM_RATE } cw_report_num;
void cw_report_format(char *buf, size_t size, double v, cw_report_num style);

/* The context of r; caller json_decref()s it. */
json_t *cw_report_context(const cw_report *r, const cw_report_image *images, size_t n_images,
                          cw_context_images how);

/* The full page (html.c) with these charts: PNG data: URIs, or the SVG
 * charts when n_images is 0.  0, or -1 (logged). */
int cw_report_html_page(const cw_report *r, const cw_report_image *images, size_t n_images,
                        cw_buf *out);

/* The templates folder of the configuration (NULL: the built-in copies). */
const char *cw_report_templates_dir(const cw_report *r);

/* Parse every layout (weekly.html, email.html, email.txt) and the partials
 * they name, from dir (NULL: built in): `catwalk check`.  0 or -1 (logged). */
int cw_report_templates_check(const char *dir);

#endif
