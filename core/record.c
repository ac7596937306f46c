/*
 * record.c - helpers for the normalised records of record.h.
 *
 * The reject convenience: every parser reports bad input the same way, with
 * the reason formatted once, so callers stay one line.  And the repair of
 * text that is not UTF-8, with its warning and finding, written once for
 * every parser that reads bytes nobody checked (git log, CSV).
 */
#include "record.h"
#include "log.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* s as UTF-8: s itself, or a repaired copy kept in *owned. */
static const char *utf8_or_repaired(const char *s, char **owned)
{
    *owned = NULL;
    if (!s || cw_utf8_valid(s, strlen(s)))
        return s;
    return *owned = cw_utf8_repair(s, strlen(s), NULL);
}

/* A reject quotes the record: its raw text and often a piece of it in the
 * reason, cut at a byte count.  Both are repaired, or the warehouse would
 * refuse the reject itself (PostgreSQL) and with it the batch. */
int cw_sink_reject(cw_sink *sink, const cw_origin *origin, const char *field,
                   const char *raw, const char *reason_fmt, ...)
{
    cw_reject rec;
    va_list ap;
    char *reason = NULL, *own_reason = NULL, *own_raw;
    int rc;

    if (sink == NULL || sink->reject == NULL)
        return 0;
    va_start(ap, reason_fmt);
    if (vasprintf(&reason, reason_fmt, ap) < 0)
        reason = NULL;
    va_end(ap);
    rec.origin = *origin;
    rec.field = field;
    rec.raw = utf8_or_repaired(raw, &own_raw);
    /* Out of memory for the message still reports the record, without text. */
    rec.reason = reason ? utf8_or_repaired(reason, &own_reason) : "unusable record";
    rc = sink->reject(sink->ctx, &rec);
    free(reason);
    free(own_reason);
    free(own_raw);
    return rc;
}

const char *cw_text_utf8(cw_text_check *check, const char *file, long record, const char *field,
                         const char *text, char **owned)
{
    const char *out = utf8_or_repaired(text, owned);
    if (!*owned)
        return out;
    if (check->fields++ == 0) {
        check->record = record;
        snprintf(check->field, sizeof(check->field), "%s", field ? field : "");
        /* a long name is cut at a byte count: back to a whole character */
        for (size_t n = strlen(check->field); n > 0 && !cw_utf8_valid(check->field, n); n--)
            check->field[n - 1] = '\0';
        cw_warn("%s: record %ld: %s is not valid UTF-8 (another encoding, such as Latin-1?): "
                "its invalid bytes are replaced by U+FFFD and the record loads; the first such "
                "text in this file, see finding text_not_utf8", file, record, check->field);
    }
    return out;
}

const char *cw_link_kind_name(cw_link_kind kind)
{
    static const char *const names[] = { "parent", "epic", "theme", "blocks" };
    return kind >= CW_LINK_PARENT && kind <= CW_LINK_BLOCKS ? names[kind] : "parent";
}

int cw_text_report(cw_sink *sink, const cw_origin *file, const cw_text_check *check)
{
    cw_finding f = {*file, "text_not_utf8", file->file, NULL};
    char detail[300];
    if (check->fields == 0 || !sink || !sink->finding || !file->file)
        return 0;
    f.origin.record = 0;
    snprintf(detail, sizeof(detail), "%ld text field%s not valid UTF-8 (the first: record %ld, "
             "field %s): each invalid byte sequence was replaced by U+FFFD and the records loaded; "
             "export the file as UTF-8 to keep those characters", check->fields,
             check->fields == 1 ? " was" : "s were", check->record, check->field);
    f.detail = detail;
    return sink->finding(sink->ctx, &f);
}
