/*
 * chart_png.c - the report's charts as PNG images (exec.h).  STUB: laid down
 * so the email body can be built in parallel; replaced by the cairo renderer.
 */
#include "report.h"

int cw_report_images(const cw_report *r, cw_report_image **out, size_t *n)
{
    (void)r;
    *out = NULL;
    *n = 0;
    return 0;
}
