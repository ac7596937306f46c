/*
 * email.c - the weekly report's email body (exec.h): templates/email.html
 * (email-safe HTML: tables and inline styles, charts as cid: images) and
 * templates/email.txt (its plain-text alternative), over the context the
 * page uses too (reports/context.c), so the mail and the attached page
 * word every figure alike.
 */
#include "report.h"
#include "context.h"
#include "template.h"

#include <stdlib.h>

#include "../core/util.h"

static char *take(cw_buf *b)
{
    char *s = b->data ? b->data : cw_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

int cw_report_email_body(const cw_report *r, const cw_report_image *images, size_t n_images,
                         char **html, char **text)
{
    const char *dir = cw_report_templates_dir(r);
    json_t *ctx = cw_report_context(r, images, n_images, CW_CONTEXT_CID);
    cw_buf h = {0}, t = {0};
    int rc = -1;
    *html = *text = NULL;
    if (cw_template_render_file(dir, "email.html", ctx, &h) == 0 &&
        cw_template_render_file(dir, "email.txt", ctx, &t) == 0) {
        *html = take(&h);
        *text = take(&t);
        rc = 0;
    }
    cw_buf_free(&h);
    cw_buf_free(&t);
    json_decref(ctx);
    return rc;
}
