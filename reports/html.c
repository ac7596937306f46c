/*
 * html.c - the weekly report as one self-contained HTML page.
 *
 * The layout is the template weekly.html (reports/template.h) with its
 * partials, read from the `[report] templates` folder or the built-in copy,
 * over the context every renderer shares (reports/context.c).  What only
 * the page has: every chart (cw_report_images_all, drawn once by
 * reports/chart_png.c) embedded as PNG data: URIs, so the page is one file.
 *
 * Security: the page has no script, no external URL, font or image; the
 * template escapes every data string.  Numbers are formatted by us.
 */
#include "report.h"
#include "chart.h"
#include "context.h"
#include "template.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"
#include "../core/util.h"

#define TEMPLATE "weekly.html"

/* ------------------------------------------------------------ the page */

/* Fill the temporary file cw_write_atomic reserved. */
static int write_page(void *ctx, const char *tmp_path)
{
    const cw_buf *b = ctx;
    FILE *f = fopen(tmp_path, "wb");
    size_t written;
    if (!f)
        return -1;
    written = fwrite(b->data, 1, b->len, f);
    return fclose(f) != 0 || written != b->len ? -1 : 0;
}

/* A kill or a full disk while writing must leave last week's page whole. */
static int write_file(const char *path, cw_buf *b)
{
    if (cw_write_atomic(path, write_page, b) == 0)
        return 0;
    cw_error("report: cannot write %s: %s (the previous file, if any, is unchanged)", path,
             strerror(errno));
    return -1;
}

int cw_report_html_page(const cw_report *r, const cw_report_image *images, size_t n_images,
                        cw_buf *out)
{
    json_t *ctx = cw_report_context(r, images, n_images, CW_CONTEXT_DATA_URI);
    int rc = cw_template_render_file(cw_report_templates_dir(r), TEMPLATE, ctx, out);
    json_decref(ctx);
    return rc;
}

int cw_report_write_html(const cw_report *r, const char *path)
{
    cw_report_image *images = NULL;
    size_t n_images = 0;
    cw_buf page = {0};
    int rc = -1;
    /* the page shows every chart; the email the executive few */
    if (cw_report_images_all(r, &images, &n_images) != 0)
        return -1;
    if (cw_report_html_page(r, images, n_images, &page) == 0)
        rc = write_file(path, &page);
    cw_report_images_free(images, n_images);
    cw_buf_free(&page);
    return rc;
}
