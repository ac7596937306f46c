/*
 * jira_csv.c - the Jira "Export CSV (all fields)" connector (source type
 * "jira-csv").
 *
 * The export is wide and irregular (formats.md §1): multi-valued fields
 * repeat their header once per value (Labels x7, Fix versions x2), names
 * differ between Cloud and Server/DC and between locales, and dates are
 * "dd/MMM/yy h:mm a" in the exporting user's time zone and language.  So
 * every field we read is looked up by a list of header names (built-in
 * English, Spanish and French defaults, or the source's column.<field>
 * key), every column sharing a header is kept, and dates are read in the
 * configured `timezone` with the configured `months` (or `date_format`).
 *
 * The export carries no history: items load with has_changelog = 0 and no
 * transitions, which feeds created-to-resolved lead time only.  It does
 * carry an item's parent and epic link (and a configured theme column):
 * when the header has one of those columns, every item's links follow it.
 */
#include "source.h"
#include "../core/config.h"
#include "../core/csv.h"
#include "../core/time.h"
#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAW_MAX 1000               /* bytes of the raw row kept in a reject */

enum jira_csv_field {
    F_KEY, F_ID, F_SUMMARY, F_TYPE, F_STATUS, F_PROJECT, F_CREATED, F_UPDATED,
    F_RESOLVED, F_STATUS_CATEGORY, F_LABELS, F_FIX_VERSIONS, F_ASSIGNEE,
    F_PARENT, F_PARENT_ID, F_EPIC_LINK, F_THEME, F_COUNT
};

/* Each field: its config key and the header names a stock export uses
 * (Cloud, Server/DC; English, Spanish, French).  Names compare
 * case-insensitively.  `multi` fields join every column sharing a header. */
static const struct field_spec {
    const char *key;
    const char *defaults;
    int multi;
} field_specs[F_COUNT] = {
    [F_KEY] = { "column.key",
                "Issue key|Clave de incidencia|Clé de ticket|Clé de la demande|Clé", 0 },
    [F_ID] = { "column.id",
               "Issue id|ID de la incidencia|ID de ticket|ID de la demande", 0 },
    [F_SUMMARY] = { "column.summary", "Summary|Resumen|Résumé", 0 },
    [F_TYPE] = { "column.type",
                 "Issue Type|Tipo de Incidencia|Type de ticket|Type de demande", 0 },
    [F_STATUS] = { "column.status", "Status|Estado|État|Etat|Statut", 0 },
    [F_PROJECT] = { "column.project",
                    "Project key|Clave de proyecto|Clé de projet|Clé du projet", 0 },
    [F_CREATED] = { "column.created", "Created|Creada|Création|Créé|Créée", 0 },
    [F_UPDATED] = { "column.updated", "Updated|Actualizada|Mise à jour|Mis à jour", 0 },
    [F_RESOLVED] = { "column.resolved", "Resolved|Resuelta|Résolue|Résolu", 0 },
    [F_STATUS_CATEGORY] = { "column.status_category",
                            "Status Category|Categoría de estado|Catégorie d'état|"
                            "Catégorie de statut", 0 },
    [F_LABELS] = { "column.labels", "Labels|Etiquetas|Étiquettes", 1 },
    [F_FIX_VERSIONS] = { "column.fix_versions",
                         "Fix versions|Fix Version/s|Versiones de corrección|"
                         "Version(s) corrective(s)|Versions corrigées", 1 },
    [F_ASSIGNEE] = { "column.assignee", "Assignee|Responsable|Persona asignada", 0 },
    /* Links (formats.md §1.1): Cloud's Parent is the parent's numeric id and
     * Parent key its key; Server/DC's Parent id the sub-task parent's id. */
    [F_PARENT] = { "column.parent", "Parent key|Clave principal|Clé parente|Clé du parent", 0 },
    [F_PARENT_ID] = { "column.parent_id", "Parent id|Parent|Principal|ID parent", 0 },
    [F_EPIC_LINK] = { "column.epic_link",
                      "Custom field (Epic Link)|Campo personalizado (Epic Link)|"
                      "Champ personnalisé (Epic Link)", 0 },
    [F_THEME] = { "column.theme", NULL, 0 },       /* no default: a configured column */
};

static const char *const jira_csv_keys[] = {
    "timezone", "months", "date_format",
    "incident_types",   /* issue types that are incidents too (load/sql/resolve.sql) */
    "column.key", "column.id", "column.summary", "column.type", "column.status",
    "column.project", "column.created", "column.updated", "column.resolved",
    "column.status_category", "column.labels", "column.fix_versions", "column.assignee",
    "column.parent", "column.parent_id", "column.epic_link", "column.theme",
    NULL
};

/* Status Category cell texts, English and localised, per category. */
static const struct { const char *text, *category; } status_categories[] = {
    { "To Do", "todo" }, { "Por hacer", "todo" }, { "Tareas por hacer", "todo" },
    { "À faire", "todo" }, { "A faire", "todo" }, { "new", "todo" },
    { "In Progress", "in_progress" }, { "En curso", "in_progress" },
    { "En cours", "in_progress" }, { "indeterminate", "in_progress" },
    { "Done", "done" }, { "Listo", "done" }, { "Hecho", "done" }, { "Finalizada", "done" },
    { "Terminé", "done" }, { "Terminée", "done" }, { "Fait", "done" },
};

typedef struct csv_ctx {
    const cw_source *src;
    const char *path;
    cw_sink *sink;
    cw_tz tz;
    char *months;               /* normalised `months`; NULL = English and French built-ins */
    const char *date_format;    /* NULL = Jira's "dd/MMM/yy h:mm a" */
    int *cols[F_COUNT];         /* the columns of each field, in header order */
    size_t n_cols[F_COUNT];
    char *header_name[F_COUNT]; /* the header text of its first column, for rejects */
    int seen_header;
    int has_links;              /* a link column is there: every item carries its links */
    int sink_failed;
} csv_ctx;

/* ---------------------------------------------------------------- helpers */

static const char *field_names(const csv_ctx *c, int f)
{
    const char *configured = cw_source_get(c->src, field_specs[f].key);
    return configured ? configured : field_specs[f].defaults;
}

/* The first non-empty cell of field f, or NULL. */
static const char *first_value(const csv_ctx *c, const cw_csv_row *row, int f)
{
    for (size_t i = 0; i < c->n_cols[f]; i++) {
        const char *v = cw_csv_get(row, c->cols[f][i]);
        if (!cw_str_empty(v))
            return v;
    }
    return NULL;
}

/* Every non-empty cell of field f joined with commas; caller frees; NULL if none. */
static char *joined_values(const csv_ctx *c, const cw_csv_row *row, int f)
{
    cw_buf b = { 0 };
    for (size_t i = 0; i < c->n_cols[f]; i++) {
        const char *v = cw_csv_get(row, c->cols[f][i]);
        if (cw_str_empty(v))
            continue;
        if (b.len)
            cw_buf_puts(&b, ",");
        cw_buf_puts(&b, v);
    }
    return b.data;
}

/* The row's text cut to RAW_MAX bytes on a UTF-8 character boundary. */
static char *row_raw(const cw_csv_row *row)
{
    char *raw = cw_csv_row_text(row);
    size_t n = strlen(raw);
    if (n > RAW_MAX) {
        n = RAW_MAX;
        while (n > 0 && ((unsigned char)raw[n] & 0xC0) == 0x80)
            n--;
        raw[n] = '\0';
    }
    return raw;
}

static int row_reject(csv_ctx *c, const cw_csv_row *row, const char *field, const char *reason,
                      const char *value)
{
    cw_origin o = { c->src->name, c->path, row->record };
    char *raw = row_raw(row);
    int rc = value ? cw_sink_reject(c->sink, &o, field, raw, "%s '%.80s'", reason, value)
                   : cw_sink_reject(c->sink, &o, field, raw, "%s", reason);
    free(raw);
    if (rc)
        c->sink_failed = 1;
    return rc;
}

/* "ene, feb | febr., ..." -> "ene,feb|febr.,...": the time parser compares
 * names byte for byte, and a config line reads better with spaces. */
static char *months_normalised(const char *text)
{
    cw_buf b = { 0 };
    const char *p = text;
    while (*p) {
        size_t n = strcspn(p, ",|");
        const char *start = p, *end = p + n;
        while (start < end && *start == ' ')
            start++;
        while (end > start && end[-1] == ' ')
            end--;
        cw_buf_append(&b, start, (size_t)(end - start));
        p += n;
        if (*p)
            cw_buf_append(&b, p++, 1);
    }
    if (!b.data)
        cw_buf_puts(&b, "");
    return b.data;
}

static int parse_time(const csv_ctx *c, const char *s, int64_t *out)
{
    int rc;
    if (c->date_format)
        return cw_time_parse_pattern_months(s, c->date_format, c->months, &c->tz, out);
    if ((rc = cw_time_parse_jira_csv(s, &c->tz, c->months, out)) == 0)
        return 0;
    /* Some instances are configured to export ISO-like dates. */
    return cw_time_either(rc, cw_time_parse_iso8601(s, &c->tz, out));
}

/* Reject a row for a date that parse_time refused with rc. */
static int time_reject(csv_ctx *c, const cw_csv_row *row, int f, int rc, const char *s)
{
    char why[160];
    cw_time_reason(rc, s, why, sizeof(why));
    return row_reject(c, row, c->header_name[f], why, NULL);
}

/* An optional date: empty stays CW_NO_TIME; unreadable is a reject naming
 * the column while the item still loads.  Returns the sink's result. */
static int optional_time(csv_ctx *c, const cw_csv_row *row, int f, int64_t *out)
{
    const char *s = first_value(c, row, f);
    int rc;
    *out = CW_NO_TIME;
    if (!s || (rc = parse_time(c, s, out)) == 0)
        return 0;
    *out = CW_NO_TIME;
    return time_reject(c, row, f, rc, s);
}

/* The Status Category column holds the category's display name, English or
 * localised ("To Do", "En cours"), so it maps through the table above; a name
 * the table does not know stays NULL (the status is then categorised by
 * configuration or not at all) rather than guessing in_progress.  jira.c maps
 * the REST statusCategory.key, a fixed vocabulary, where metrics.md sends
 * every key but new and done to in_progress; the keys themselves ("new",
 * "indeterminate", "done") read the same way here. */
static const char *map_status_category(const char *text)
{
    if (!text)
        return NULL;
    for (size_t i = 0; i < sizeof(status_categories) / sizeof(status_categories[0]); i++)
        if (cw_streq_ci(text, status_categories[i].text))
            return status_categories[i].category;
    return NULL;
}

static char *project_from_key(const char *key)
{
    const char *dash = strrchr(key, '-');
    return dash && dash != key ? cw_strndup(key, (size_t)(dash - key)) : cw_strdup(key);
}

/* ------------------------------------------------------------ CSV walking */

static int on_header(void *ctx, const cw_csv_row *header)
{
    csv_ctx *c = ctx;
    cw_origin o = { c->src->name, c->path, header->record };
    cw_buf missing = { 0 };
    c->seen_header = 1;
    for (int f = 0; f < F_COUNT; f++) {
        c->cols[f] = cw_xmalloc((header->n ? header->n : 1) * sizeof(int));
        c->n_cols[f] = field_names(c, f)
                           ? cw_csv_cols(header, field_names(c, f), c->cols[f], header->n) : 0;
        c->header_name[f] = cw_strdup(c->n_cols[f] ? header->fields[c->cols[f][0]]
                                                    : field_specs[f].key + strlen("column."));
    }
    c->has_links = c->n_cols[F_PARENT] || c->n_cols[F_PARENT_ID] || c->n_cols[F_EPIC_LINK] ||
                   c->n_cols[F_THEME];
    if (!c->n_cols[F_KEY])
        cw_buf_printf(&missing, "issue key (%s)", field_names(c, F_KEY));
    if (!c->n_cols[F_CREATED])
        cw_buf_printf(&missing, "%screated date (%s)", missing.len ? " and " : "",
                      field_names(c, F_CREATED));
    if (!missing.len)
        return 0;
    if (cw_sink_reject(c->sink, &o, c->n_cols[F_KEY] ? "created" : "key", NULL,
                       "missing column: %s; set column.key / column.created to the "
                       "export's header names", missing.data))
        c->sink_failed = 1;
    cw_buf_free(&missing);
    return 1;
}

static int row_is_empty(const cw_csv_row *row)
{
    for (size_t i = 0; i < row->n; i++)
        if (!cw_str_empty(row->fields[i]))
            return 0;
    return 1;
}

/* One link of the row's item from field f (a key), or by id from id_field
 * when the key column is empty.  Nothing when both are empty. */
static int emit_link(csv_ctx *c, const cw_csv_row *row, const char *key, cw_link_kind kind,
                     int f, int id_field)
{
    cw_work_item_link l = { .origin = { c->src->name, c->path, row->record }, .item_key = key,
                            .kind = kind, .target_key = first_value(c, row, f) };
    if (!l.target_key && id_field >= 0)
        l.target_id = first_value(c, row, id_field);
    if (!l.target_key && !l.target_id)
        return 0;
    if (c->sink->work_item_link(c->sink->ctx, &l) != 0) {
        c->sink_failed = 1;
        return -1;
    }
    return 0;
}

/* The row's links: its parent (by key, else by id), its epic link and its
 * theme column. */
static int emit_links(csv_ctx *c, const cw_csv_row *row, const char *key)
{
    if (!c->has_links || !c->sink->work_item_link)
        return 0;
    if (emit_link(c, row, key, CW_LINK_PARENT, F_PARENT, F_PARENT_ID) != 0 ||
        emit_link(c, row, key, CW_LINK_EPIC, F_EPIC_LINK, -1) != 0)
        return -1;
    return emit_link(c, row, key, CW_LINK_THEME, F_THEME, -1);
}

static int emit_row(csv_ctx *c, const cw_csv_row *row, const char *key, int64_t created)
{
    cw_work_item w = { .origin = { c->src->name, c->path, row->record } };
    const char *project = first_value(c, row, F_PROJECT);
    char *derived = project ? NULL : project_from_key(key);
    char *labels, *fix_versions;
    int rc;
    if (optional_time(c, row, F_UPDATED, &w.updated_at) ||
        optional_time(c, row, F_RESOLVED, &w.resolved_at)) {
        free(derived);
        return -1;
    }
    labels = joined_values(c, row, F_LABELS);
    fix_versions = joined_values(c, row, F_FIX_VERSIONS);
    w.key = key;
    w.external_id = first_value(c, row, F_ID);
    w.project = project ? project : derived;
    w.summary = first_value(c, row, F_SUMMARY);
    w.type = first_value(c, row, F_TYPE);
    w.status = first_value(c, row, F_STATUS);
    w.status_category = map_status_category(first_value(c, row, F_STATUS_CATEGORY));
    w.labels = labels;
    w.fix_versions = fix_versions;
    w.assignee = first_value(c, row, F_ASSIGNEE);
    w.created_at = created;
    w.has_changelog = 0;
    w.changelog_truncated = 0;
    w.links_follow = c->has_links && c->sink->work_item_link;
    rc = c->sink->work_item(c->sink->ctx, &w);
    free(derived);
    free(labels);
    free(fix_versions);
    if (rc)
        c->sink_failed = 1;
    return rc ? rc : emit_links(c, row, key);
}

static int on_row(void *ctx, const cw_csv_row *row)
{
    csv_ctx *c = ctx;
    const char *key, *created;
    int64_t at;
    int rc;
    if (row_is_empty(row))
        return 0;
    key = first_value(c, row, F_KEY);
    if (!key)
        return row_reject(c, row, c->header_name[F_KEY], "row without an issue key", NULL);
    created = first_value(c, row, F_CREATED);
    if (!created)
        return row_reject(c, row, c->header_name[F_CREATED], "missing created date", NULL);
    if ((rc = parse_time(c, created, &at)) != 0)
        return time_reject(c, row, F_CREATED, rc, created);
    return emit_row(c, row, key, at);
}

/* -------------------------------------------------------------- interface */

static int jira_csv_parse(const cw_source *src, const char *path, cw_sink *sink)
{
    csv_ctx c = { .src = src, .path = path, .sink = sink, .tz = cw_tz_utc };
    cw_text_check text = { 0 };
    const char *tz = cw_source_get(src, "timezone");
    const char *months = cw_source_get(src, "months");
    char err[256];
    int rc;
    c.date_format = cw_source_get(src, "date_format");
    if (tz && cw_tz_parse(tz, &c.tz) != 0) {
        cw_origin o = { src->name, path, 0 };
        cw_sink_reject(sink, &o, "timezone", NULL, "unknown time zone '%s'", tz);
        return -1;
    }
    c.months = months ? months_normalised(months) : NULL;
    rc = cw_csv_read(path, on_header, on_row, &c, &text, err, sizeof(err));
    if (rc == -1 && !c.sink_failed) {
        cw_origin o = { src->name, path, 0 };
        cw_sink_reject(sink, &o, NULL, NULL, "unreadable CSV: %s", err);
    } else if (rc == 0 && !c.seen_header) {
        cw_origin o = { src->name, path, 0 };
        cw_sink_reject(sink, &o, NULL, NULL, "empty file: no header row");
        rc = -1;
    }
    if (!c.sink_failed) {
        cw_origin o = { src->name, path, 0 };
        if (cw_text_report(sink, &o, &text) != 0)
            c.sink_failed = 1;
    }
    for (int f = 0; f < F_COUNT; f++) {
        free(c.cols[f]);
        free(c.header_name[f]);
    }
    free(c.months);
    return rc || c.sink_failed ? -1 : 0;
}

static int config_error(const cw_source *src, const char *key, const char *message)
{
    fprintf(stderr, "%s:%d: %s: %s\n", src->config_path, cw_source_line(src, key), key, message);
    return -1;
}

/* "Jan|janv.,Feb|févr.,..." : 12 comma-separated groups of '|'-separated,
 * non-empty names. */
static int months_well_formed(const char *text)
{
    int groups = 1;
    size_t name_len = 0;
    for (const char *p = text;; p++) {
        if (*p == ',' || *p == '|' || *p == '\0') {
            if (name_len == 0)
                return 0;
            name_len = 0;
            if (*p == '\0')
                break;
            groups += *p == ',';
        } else if (*p != ' ') {
            name_len++;
        }
    }
    return groups == 12;
}

static int jira_csv_validate(const cw_source *src)
{
    const char *tz = cw_source_get(src, "timezone");
    const char *months = cw_source_get(src, "months");
    const char *date_format = cw_source_get(src, "date_format");
    cw_tz parsed;
    int rc = 0;
    if (tz && cw_tz_parse(tz, &parsed) != 0)
        rc = config_error(src, "timezone", "not a time zone (use UTC, +05:00 or an IANA name)");
    if (months && !months_well_formed(months))
        rc = config_error(src, "months", "expected 12 comma-separated month names, "
                                         "alternatives separated by '|'");
    if (date_format && (!strstr(date_format, "yy") || !strstr(date_format, "M") ||
                        !strstr(date_format, "dd")))
        rc = config_error(src, "date_format", "a pattern needs yy or yyyy, MM or MMM and dd");
    for (int f = 0; f < F_COUNT; f++) {
        const char *v = cw_source_get(src, field_specs[f].key);
        if (v && cw_str_empty(v))
            rc = config_error(src, field_specs[f].key, "empty header name");
    }
    return rc;
}

const cw_source_type cw_source_jira_csv = {
    .name = "jira-csv",
    .keys = jira_csv_keys,
    .validate = jira_csv_validate,
    .produce = NULL,
    .parse = jira_csv_parse,
};
