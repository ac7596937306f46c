/*
 * email.c - the weekly report's email body (exec.h).  STUB: laid down so the
 * mail transport can be built in parallel; replaced by the template-driven
 * email-safe body.
 */
#include "report.h"
#include "../core/util.h"

int cw_report_email_body(const cw_report *r, const cw_report_image *images, size_t n_images,
                         char **html, char **text)
{
    (void)r;
    (void)images;
    (void)n_images;
    *html = cw_strdup("<html><body><p>catwalk weekly report</p></body></html>");
    *text = cw_strdup("catwalk weekly report\n");
    return 0;
}
