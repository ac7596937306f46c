/*
 * record.c - helpers for the normalised records of record.h.
 *
 * Only the reject convenience lives here: every parser reports bad input
 * the same way, with the reason formatted once, so callers stay one line.
 */
#include "record.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int cw_sink_reject(cw_sink *sink, const cw_origin *origin, const char *field,
                   const char *raw, const char *reason_fmt, ...)
{
    cw_reject rec;
    va_list ap;
    char *reason = NULL;
    int rc;

    if (sink == NULL || sink->reject == NULL)
        return 0;
    va_start(ap, reason_fmt);
    if (vasprintf(&reason, reason_fmt, ap) < 0)
        reason = NULL;
    va_end(ap);
    rec.origin = *origin;
    rec.field = field;
    rec.raw = raw;
    /* Out of memory for the message still reports the record, without text. */
    rec.reason = reason ? reason : "unusable record";
    rc = sink->reject(sink->ctx, &rec);
    free(reason);
    return rc;
}
