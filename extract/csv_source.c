/*
 * csv_source.c - the generic CSV connector (source type "csv"), for any
 * tool without a connector of its own: a CAB approval log, an in-house
 * incident list, a business KPI series, a mainframe release calendar
 * (formats.md decision 7).
 *
 *   [source cab]
 *   type = csv
 *   target = transition                 ; incident | transition | kpi | release
 *   column.item = Change                ; FIELD = the header naming its column
 *   column.at = Approved on
 *   default.to = CAB Approval           ; FIELD = a constant for every row
 *   timezone = Europe/Paris             ; for timestamps without an offset
 *
 * A target is one row of targets[] below: its name, its fields (name,
 * kind, required) and the function that turns one row's values into the
 * record of that target.  A field's column is the header named by
 * `column.FIELD`, by default the field's own name (case-insensitive, as
 * every CSV lookup, core/csv.h); `default.FIELD` gives the value when the
 * file has no such column or the cell is empty.
 *
 * Errors: a required field with neither a column in the header nor a
 * default is one reject of the file (record 1, the header) naming every
 * missing column, and nothing of the file loads; an empty required cell,
 * an unreadable timestamp or number rejects that record, naming file,
 * record and field, and the next record goes on.
 *
 * Timestamps: ISO 8601, epoch milliseconds, or `date_format` (a pattern,
 * core/time.h), read in `timezone` (default UTC) when they carry no offset.
 * A KPI's `at` may also be a period, "2026-03" or "2026-W10" (its start,
 * 00:00 UTC).
 */
#include "source.h"
#include "../core/config.h"
#include "../core/csv.h"
#include "../core/time.h"
#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAW_MAX 600             /* bytes of the raw row kept in a reject */
#define MAX_FIELDS 16

/* Every field of every target; each has a column.FIELD and a default.FIELD key. */
#define CSV_FIELDS(X) \
    X(id) X(number) X(title) X(description) X(service) X(status) X(severity) \
    X(created_at) X(resolved_at) X(updated_at) \
    X(item) X(at) X(from) X(to) \
    X(application) X(name) X(value) \
    X(project) X(start) X(release_date) X(released)
#define COLUMN_KEY(f) "column." #f,
#define DEFAULT_KEY(f) "default." #f,

static const char *const csv_keys[] = {
    "target", "timezone", "date_format",
    CSV_FIELDS(COLUMN_KEY) CSV_FIELDS(DEFAULT_KEY)
    NULL
};

/* FK_PERIOD: an instant, or the period it starts ("2026-03", "2026-W10");
 * FK_DATE: a calendar day, as its midnight UTC whatever the timezone;
 * FK_FLAG: yes/no (true, yes, y, 1, x / false, no, n, 0). */
typedef enum field_kind { FK_TEXT, FK_TIME, FK_PERIOD, FK_DATE, FK_FLAG, FK_NUMBER } field_kind;

typedef struct csv_field {
    const char *name;
    field_kind kind;
    int required;
} csv_field;

/* One row's values, by field index of its target. */
typedef struct csv_values {
    const char *text[MAX_FIELDS];   /* NULL = empty */
    int64_t time[MAX_FIELDS];       /* CW_NO_TIME = empty */
    double number[MAX_FIELDS];
} csv_values;

typedef struct csv_target {
    const char *name;
    const csv_field *fields;        /* terminated by a NULL name */
    /* Emit the record; returns the sink's result. */
    int (*emit)(cw_sink *sink, const cw_origin *o, const csv_values *v);
} csv_target;

/* ------------------------------------------------------------- incident */

enum { I_ID, I_NUMBER, I_TITLE, I_DESCRIPTION, I_SERVICE, I_STATUS, I_SEVERITY, I_CREATED,
       I_RESOLVED, I_UPDATED, I_COUNT };
static const csv_field incident_fields[I_COUNT + 1] = {
    [I_ID] = {"id", FK_TEXT, 1},
    [I_NUMBER] = {"number", FK_TEXT, 0},
    [I_TITLE] = {"title", FK_TEXT, 0},
    [I_DESCRIPTION] = {"description", FK_TEXT, 0},
    [I_SERVICE] = {"service", FK_TEXT, 0},
    [I_STATUS] = {"status", FK_TEXT, 0},
    [I_SEVERITY] = {"severity", FK_TEXT, 0},
    [I_CREATED] = {"created_at", FK_TIME, 1},
    [I_RESOLVED] = {"resolved_at", FK_TIME, 0},
    [I_UPDATED] = {"updated_at", FK_TIME, 0},
};

static int emit_incident(cw_sink *sink, const cw_origin *o, const csv_values *v)
{
    cw_incident r = {
        .origin = *o, .id = v->text[I_ID], .number = v->text[I_NUMBER],
        .title = v->text[I_TITLE], .description = v->text[I_DESCRIPTION],
        .service = v->text[I_SERVICE], .severity = v->text[I_SEVERITY],
        .created_at = v->time[I_CREATED], .resolved_at = v->time[I_RESOLVED],
        .updated_at = v->time[I_UPDATED], .version = -1,
    };
    char *status = cw_strdup(v->text[I_STATUS]);
    int rc;
    for (char *p = status; p && *p; p++)   /* incident statuses are lower case (record.h) */
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    r.status = status;
    rc = sink->incident ? sink->incident(sink->ctx, &r) : 0;
    free(status);
    return rc;
}

/* ------------------------------------------------------------ transition */

enum { T_ITEM, T_AT, T_FROM, T_TO, T_COUNT };
static const csv_field transition_fields[T_COUNT + 1] = {
    [T_ITEM] = {"item", FK_TEXT, 1},
    [T_AT] = {"at", FK_TIME, 1},
    [T_FROM] = {"from", FK_TEXT, 0},
    [T_TO] = {"to", FK_TEXT, 1},
};

static int emit_transition(cw_sink *sink, const cw_origin *o, const csv_values *v)
{
    cw_transition r = {
        .origin = *o, .item_key = v->text[T_ITEM], .at = v->time[T_AT],
        .from_status = v->text[T_FROM], .to_status = v->text[T_TO],
    };
    return sink->transition ? sink->transition(sink->ctx, &r) : 0;
}

/* ------------------------------------------------------------------- kpi */

enum { K_APPLICATION, K_NAME, K_AT, K_VALUE, K_COUNT };
static const csv_field kpi_fields[K_COUNT + 1] = {
    [K_APPLICATION] = {"application", FK_TEXT, 1},
    [K_NAME] = {"name", FK_TEXT, 1},
    [K_AT] = {"at", FK_PERIOD, 1},
    [K_VALUE] = {"value", FK_NUMBER, 1},
};

static int emit_kpi(cw_sink *sink, const cw_origin *o, const csv_values *v)
{
    cw_kpi r = {
        .origin = *o, .application = v->text[K_APPLICATION], .name = v->text[K_NAME],
        .at = v->time[K_AT], .value = v->number[K_VALUE],
    };
    return sink->kpi ? sink->kpi(sink->ctx, &r) : 0;
}

/* --------------------------------------------------------------- release */

/* A release calendar (a mainframe's): its releases, as Jira fix versions
 * are (dim_release, release scope).  project is the project key an
 * [application] projects line maps; start and release_date are days. */
enum { R_PROJECT, R_NAME, R_START, R_RELEASE_DATE, R_RELEASED, R_COUNT };
static const csv_field release_fields[R_COUNT + 1] = {
    [R_PROJECT] = {"project", FK_TEXT, 1},
    [R_NAME] = {"name", FK_TEXT, 1},
    [R_START] = {"start", FK_DATE, 0},
    [R_RELEASE_DATE] = {"release_date", FK_DATE, 0},
    [R_RELEASED] = {"released", FK_FLAG, 0},
};

static int emit_release(cw_sink *sink, const cw_origin *o, const csv_values *v)
{
    cw_release r = {
        .origin = *o, .project = v->text[R_PROJECT], .name = v->text[R_NAME],
        .start_at = v->time[R_START], .release_at = v->time[R_RELEASE_DATE],
        .released = v->number[R_RELEASED] != 0,
    };
    return sink->release ? sink->release(sink->ctx, &r) : 0;
}

/* ---------------------------------------------------------------- targets */

/* One row per target.  To add one: its field rows (an enum of indices and
 * a designated-initializer array, as above), an emit function, a row here,
 * and its fields in CSV_FIELDS (the column./default. keys). */
static const csv_target targets[] = {
    {.name = "incident", .fields = incident_fields, .emit = emit_incident},
    {.name = "transition", .fields = transition_fields, .emit = emit_transition},
    {.name = "kpi", .fields = kpi_fields, .emit = emit_kpi},
    {.name = "release", .fields = release_fields, .emit = emit_release},
};

#define N_TARGETS (sizeof(targets) / sizeof(targets[0]))

static const csv_target *target_find(const char *name)
{
    for (size_t i = 0; name && i < N_TARGETS; i++)
        if (cw_streq_ci(targets[i].name, name))
            return &targets[i];
    return NULL;
}

static int field_index(const csv_target *t, const char *name)
{
    for (int f = 0; t->fields[f].name; f++)
        if (strcmp(t->fields[f].name, name) == 0)
            return f;
    return -1;
}

/* --------------------------------------------------------------- parsing */

typedef struct csv_ctx {
    const cw_source *src;
    const char *path;
    cw_sink *sink;
    const csv_target *target;
    cw_tz tz;
    const char *date_format;
    int col[MAX_FIELDS];            /* column of each field, -1 = none */
    const char *header[MAX_FIELDS]; /* the header name each field is looked up by */
    int seen_header;
    int stopped;                    /* we stopped the read: reject already emitted, or sink failure */
} csv_ctx;

static const char *key_of(const cw_source *src, const char *prefix, const char *field)
{
    char key[64];
    snprintf(key, sizeof key, "%s.%s", prefix, field);
    return cw_source_get(src, key);
}

static int on_header(void *ctx, const cw_csv_row *header)
{
    csv_ctx *c = ctx;
    cw_buf missing = {0};
    const char *first = NULL;
    c->seen_header = 1;
    for (int f = 0; c->target->fields[f].name; f++) {
        const char *name = c->target->fields[f].name;
        const char *configured = key_of(c->src, "column", name);
        c->header[f] = configured ? configured : name;
        c->col[f] = cw_csv_col(header, c->header[f]);
        if (c->col[f] < 0 && c->target->fields[f].required && !key_of(c->src, "default", name)) {
            cw_buf_printf(&missing, "%s'%s' (field %s)", missing.len ? ", " : "",
                          c->header[f], name);
            first = first ? first : name;
        }
    }
    if (!missing.len)
        return 0;
    {
        cw_origin o = {c->src->name, c->path, header->record};
        /* the file stops either way: nothing to do with the sink's answer */
        (void)cw_sink_reject(c->sink, &o, first, NULL, "missing column %s of target %s: set "
                             "column.FIELD to the header's name", missing.data, c->target->name);
    }
    cw_buf_free(&missing);
    c->stopped = 1;
    return -1;
}

static int row_reject(csv_ctx *c, const cw_csv_row *row, const char *field, const char *fmt,
                      const char *a, const char *b)
{
    cw_origin o = {c->src->name, c->path, row->record};
    char *raw = cw_csv_row_text(row);
    int rc;
    if (strlen(raw) > RAW_MAX) {
        size_t n = RAW_MAX;
        while (n > 0 && ((unsigned char)raw[n] & 0xC0) == 0x80)
            n--;
        raw[n] = '\0';
    }
    rc = cw_sink_reject(c->sink, &o, field, raw, fmt, a, b);
    free(raw);
    if (rc)
        c->stopped = 1;
    return rc;
}

static int parse_time(const csv_ctx *c, field_kind kind, const char *s, int64_t *out)
{
    int rc = kind == FK_PERIOD ? cw_time_parse_period(s, out) : -1;
    if (rc == 0)
        return 0;
    if (kind == FK_DATE) {      /* the day as written, at midnight UTC */
        if ((rc = cw_time_parse_any(s, c->date_format, &cw_tz_utc, out)) == 0)
            *out = cw_period_start(*out, CW_PERIOD_DAY);
        return rc;
    }
    return cw_time_either(rc, cw_time_parse_any(s, c->date_format, &c->tz, out));
}

/* 1 or 0 into *out; -1 when s is neither. */
static int parse_flag(const char *s, double *out)
{
    static const char *const yes[] = {"true", "yes", "y", "1", "x"};
    static const char *const no[] = {"false", "no", "n", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (cw_streq_ci(s, yes[i]))
            return *out = 1, 0;
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (cw_streq_ci(s, no[i]))
            return *out = 0, 0;
    return -1;
}

/* One field's value into v; 1 after rejecting the row (or -1 when the
 * reject failed), 0 when read. */
static int read_field(csv_ctx *c, const cw_csv_row *row, int f, csv_values *v)
{
    const csv_field *fd = &c->target->fields[f];
    const char *s = cw_csv_get(row, c->col[f]);
    char why[160];
    int rc;
    if (cw_str_empty(s))
        s = key_of(c->src, "default", fd->name);
    v->text[f] = cw_str_empty(s) ? NULL : s;
    v->time[f] = CW_NO_TIME;
    v->number[f] = 0;
    if (!v->text[f]) {
        if (!fd->required)
            return 0;
        return row_reject(c, row, fd->name, "empty %s (column '%s')", fd->name, c->header[f])
                   ? -1 : 1;
    }
    if ((fd->kind == FK_TIME || fd->kind == FK_PERIOD || fd->kind == FK_DATE) &&
        (rc = parse_time(c, fd->kind, s, &v->time[f])) != 0) {
        cw_time_reason(rc, s, why, sizeof why);
        return row_reject(c, row, fd->name, "%s (column '%s')", why, c->header[f]) ? -1 : 1;
    }
    if (fd->kind == FK_FLAG && parse_flag(s, &v->number[f]) != 0)
        return row_reject(c, row, fd->name, "not yes or no: '%.80s' (column '%s')", s,
                          c->header[f]) ? -1 : 1;
    if (fd->kind == FK_NUMBER && cw_parse_decimal(s, -1e300, 1e300, 0, &v->number[f]) != 0)
        return row_reject(c, row, fd->name, "not a number '%.80s' (column '%s')", s,
                          c->header[f]) ? -1 : 1;
    return 0;
}

static int on_row(void *ctx, const cw_csv_row *row)
{
    csv_ctx *c = ctx;
    cw_origin o = {c->src->name, c->path, row->record};
    csv_values v;
    int rc = 0;
    size_t i;
    for (i = 0; i < row->n && cw_str_empty(row->fields[i]); i++)
        ;
    if (i == row->n)
        return 0;       /* a blank line */
    for (int f = 0; c->target->fields[f].name; f++)
        if ((rc = read_field(c, row, f, &v)) != 0)
            return rc < 0 ? -1 : 0;
    if ((rc = c->target->emit(c->sink, &o, &v)) != 0)
        c->stopped = 1;
    return rc;
}

static int csv_settings(const cw_source *src, const csv_target **target, cw_tz *tz)
{
    const char *zone = cw_source_get(src, "timezone");
    *target = target_find(cw_source_get(src, "target"));
    *tz = cw_tz_utc;
    if (zone && cw_tz_parse(zone, tz) != 0)
        return -1;
    return *target ? 0 : -1;
}

static int csv_parse(const cw_source *src, const char *path, cw_sink *sink)
{
    csv_ctx c = {.src = src, .path = path, .sink = sink};
    cw_origin file = {src->name, path, 0};
    cw_text_check text = {0};
    char err[256];
    int rc;
    if (csv_settings(src, &c.target, &c.tz) != 0) {
        cw_sink_reject(sink, &file, NULL, NULL, "invalid target or timezone (catwalk check "
                       "names it)");
        return -1;
    }
    c.date_format = cw_source_get(src, "date_format");
    rc = cw_csv_read(path, on_header, on_row, &c, &text, err, sizeof err);
    if (rc != 0 && !c.stopped) {
        cw_sink_reject(sink, &file, NULL, NULL, "unreadable CSV: %s", err);
        rc = -1;
    } else if (rc == 0 && !c.seen_header) {
        cw_sink_reject(sink, &file, NULL, NULL, "empty file: no header row");
        rc = -1;
    }
    if (cw_text_report(sink, &file, &text) != 0)
        return -1;
    return rc == 0 ? 0 : -1;
}

/* ------------------------------------------------------------- validation */

/* "incident, transition, kpi" */
static char *target_names(void)
{
    cw_buf b = {0};
    for (size_t i = 0; i < N_TARGETS; i++)
        cw_buf_printf(&b, "%s%s", i ? ", " : "", targets[i].name);
    return b.data;
}

/* column.FIELD and default.FIELD name fields of the target; a header name
 * is not empty. */
static int check_field_keys(const cw_source *src, const csv_target *t)
{
    int errors = 0;
    for (size_t i = 0; i < src->n_keys; i++) {
        const char *key = src->keys[i].key, *dot = strchr(key, '.');
        if (!dot || (strncmp(key, "column.", 7) != 0 && strncmp(key, "default.", 8) != 0))
            continue;
        if (field_index(t, dot + 1) < 0) {
            cw_buf fields = {0};
            for (int f = 0; t->fields[f].name; f++)
                cw_buf_printf(&fields, "%s%s", f ? ", " : "", t->fields[f].name);
            cw_source_error(src, key, "'%s' is not a field of target %s (%s)", dot + 1,
                            t->name, fields.data);
            cw_buf_free(&fields);
            errors++;
        } else if (key[0] == 'c' && cw_str_empty(src->keys[i].value)) {
            cw_source_error(src, key, "empty header name");
            errors++;
        }
    }
    return errors;
}

static int csv_validate(const cw_source *src)
{
    const char *target = cw_source_get(src, "target");
    const char *zone = cw_source_get(src, "timezone");
    const char *date_format = cw_source_get(src, "date_format");
    const csv_target *t = target_find(target);
    cw_tz tz;
    int errors = 0;
    if (!t) {
        char *names = target_names();
        if (target)
            cw_source_error(src, "target", "unknown target '%s' (%s)", target, names);
        else
            cw_source_error(src, "type", "[source %s] needs target = %s", src->name, names);
        free(names);
        errors++;
    } else {
        errors += check_field_keys(src, t);
    }
    if (zone && cw_tz_parse(zone, &tz) != 0) {
        cw_source_error(src, "timezone", "unknown time zone '%s' (use UTC, +hh:mm or an IANA "
                        "name such as Europe/Paris)", zone);
        errors++;
    }
    if (date_format && !cw_time_pattern_usable(date_format)) {
        cw_source_error(src, "date_format", "'%s' is not a usable pattern (letters yyyy yy MM "
                        "MMM dd HH hh mm ss SSS a Z, e.g. dd.MM.yyyy HH:mm)", date_format);
        errors++;
    }
    return errors ? -1 : 0;
}

const cw_source_type cw_source_csv = {
    .name = "csv",
    .keys = csv_keys,
    .validate = csv_validate,
    .produce = NULL,
    .parse = csv_parse,
};
