/*
 * definition.c - the report definition: templates/weekly.report, read with
 * inih like catwalk.ini, names the sheets (and page sections) that follow the
 * metric families, the query or view behind each, how its columns show and
 * which chart it draws.
 *
 *   [sheet Gates]                      the worksheet name (31 characters at most)
 *   title = Gates: who holds work up
 *   intro = Per application and gate ...   (indented lines continue a value)
 *   query = sql/report_gates.sql       a file of the templates folder, ?1 from, ?2 to
 *   view = v_gate_time                 ... or a view (SELECT * FROM it), not both
 *   chart = stacked_bar                with category, series, value (and flag) columns
 *   column median_h = Median (h) | 0.0 | 10 | jira
 *                                      heading | number format | width | link
 *
 * Why a file and not a C table: an analyst adds or changes a sheet by editing
 * a copy of templates/ and pointing `[report] templates` at it; the next run
 * reads it, no compiler involved.  So every mistake must be found here (or
 * when the query is prepared, reports/section.c) and named by file and line:
 * an unknown section or key, a missing or unreadable query file, a query path
 * that leaves the folder, a bad sheet name, a chart without its columns.
 *
 * The file is parsed from a string (the built-in copy is embedded) through
 * ini_parse_stream with a reader that counts lines, as core/config.c does:
 * inih hands its handler no line numbers.
 */
#include "report.h"
#include "template_file.h"

#include <ctype.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"
#include "../core/utf8.h"
#include "../core/util.h"

/* Excel's limit on a worksheet name. */
#define SHEET_NAME_MAX 31
#define WIDTH_MAX 255

typedef struct def_state {
    cw_report_definition *def;
    const char *dir;            /* where query files are read; NULL: built in */
    const char *text;           /* the rest of the text the reader hands inih */
    int line;                   /* of the line inih is handling */
    int continuation;           /* that line is indented: it continues the last value */
    int prev_key;               /* a key was read since the last header */
    char *last_key;             /* the key a continuation appends to */
    cw_report_section *cur;     /* NULL before the first [sheet] or in an unknown one */
    int in_unknown;
    int errors;
    /* columns of the current section, collected then handed to it */
    cw_report_column *cols;  size_t n_cols, cap_cols;
} def_state;

static void def_error(def_state *st, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void def_error(def_state *st, int line, const char *key, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cw_error("%s:%d: %s%s%s", st->def->file, line, key ? key : "", key ? ": " : "", msg);
    st->errors++;
}

static const char *own(cw_report_definition *def, const char *s)
{
    def->strings = cw_grow(def->strings, &def->cap_strings, def->n_strings + 1,
                           sizeof *def->strings);
    def->strings[def->n_strings] = cw_strdup(s);
    return def->strings[def->n_strings++];
}

/* ------------------------------------------------------------ sections */

/* The workbook's own sheets: a definition cannot take their names. */
static int sheet_name_taken(const char *name)
{
    static const char *const fixed[] = { "Summary", "Audit", "Data" };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        if (strcasecmp(fixed[i], name) == 0)
            return 1;
    for (size_t i = 0; i < cw_report_n_families; i++)
        if (strcasecmp(cw_report_families[i].sheet, name) == 0)
            return 1;
    return 0;
}

static int sheet_name_valid(const char *name, const char **why)
{
    if (!*name) {
        *why = "the sheet name is empty";
        return 0;
    }
    if (strlen(name) > SHEET_NAME_MAX) {
        *why = "the sheet name is longer than 31 characters (Excel's limit)";
        return 0;
    }
    if (strpbrk(name, "[]:*?/\\") || name[0] == '\'') {
        *why = "a sheet name cannot hold [ ] : * ? / \\ or start with '";
        return 0;
    }
    if (sheet_name_taken(name)) {
        *why = "the workbook has a sheet of that name (Summary, the metric families, Audit, Data)";
        return 0;
    }
    return 1;
}

/* Hand the collected columns to the current section (the array is the
 * definition's from then on: cw_report_definition_free frees it). */
static void close_section(def_state *st)
{
    cw_report_section *s = st->cur;
    if (s) {
        s->columns = st->cols;
        s->n_columns = st->n_cols;
    } else {
        free(st->cols);
    }
    st->cols = NULL;
    st->n_cols = st->cap_cols = 0;
    st->cur = NULL;
}

static void begin_section(def_state *st, const char *name, int line)
{
    cw_report_definition *def = st->def;
    const char *why;
    close_section(st);
    st->in_unknown = 1;
    if (strncmp(name, "sheet ", 6) != 0) {
        def_error(st, line, NULL, "unknown section [%s] (expected [sheet NAME])", name);
        return;
    }
    name += 6;
    if (!sheet_name_valid(name, &why)) {
        def_error(st, line, NULL, "[sheet %s]: %s", name, why);
        return;
    }
    for (size_t i = 0; i < def->n_sections; i++)
        if (strcasecmp(def->sections[i].sheet, name) == 0) {
            def_error(st, line, NULL, "[sheet %s] given twice (first at line %d)", name,
                      def->sections[i].line);
            return;
        }
    def->sections = cw_grow(def->sections, &def->cap_sections, def->n_sections + 1,
                            sizeof *def->sections);
    st->cur = &def->sections[def->n_sections++];
    memset(st->cur, 0, sizeof *st->cur);
    st->cur->sheet = own(def, name);
    st->cur->file = def->file;
    st->cur->line = line;
    st->in_unknown = 0;
}

/* ------------------------------------------------------------ keys */

/* A query path stays inside the templates folder: relative, no "..". */
static int query_path_valid(const char *path)
{
    if (!*path || path[0] == '/')
        return 0;
    for (const char *p = path; *p; p = strchr(p, '/') ? strchr(p, '/') + 1 : p + strlen(p))
        if (strncmp(p, "..", 2) == 0 && (p[2] == '/' || p[2] == '\0'))
            return 0;
    return 1;
}

static int identifier_valid(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_')
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_')
            return 0;
    return 1;
}

static void key_query(def_state *st, const char *key, const char *value)
{
    cw_report_section *s = st->cur;
    if (s->sql) {
        def_error(st, st->line, key, "the sheet already has its %s (line %d): one query or view",
                  strncmp(s->sql, "view ", 5) == 0 ? "view" : "query", s->query_line);
        return;
    }
    s->query_line = st->line;
    if (strcmp(key, "view") == 0) {
        if (!identifier_valid(value)) {
            def_error(st, st->line, key, "'%s' is not a view name (letters, digits, _)", value);
            return;
        }
        char *sql = cw_asprintf("SELECT * FROM %s", value), *name = cw_asprintf("view %s", value);
        s->query = own(st->def, sql);
        s->sql = own(st->def, name);
        free(sql);
        free(name);
        return;
    }
    if (!query_path_valid(value)) {
        def_error(st, st->line, key, "'%s': a query is a file of the templates folder "
                  "(a relative path without ..)", value);
        return;
    }
    char *where = NULL, *text = cw_template_read(st->dir, value, NULL, &where);
    if (!text)
        def_error(st, st->line, key, "cannot read %s", where);
    else if (cw_str_empty(text))
        def_error(st, st->line, key, "%s is empty", where);
    else
        s->query = own(st->def, text);
    s->sql = own(st->def, value);
    free(text);
    free(where);
}

static void key_chart(def_state *st, const char *key, const char *value)
{
    if (strcmp(value, "stacked_bar") == 0)
        st->cur->chart = CW_SECTION_STACKED_BAR;
    else if (strcmp(value, "none") == 0)
        st->cur->chart = CW_SECTION_NO_CHART;
    else
        def_error(st, st->line, key, "unknown chart '%s' (stacked_bar, none)", value);
}

/* "heading | format | width | link": each part trimmed, empty = default. */
static void key_column(def_state *st, const char *key, const char *name, const char *value)
{
    cw_report_column c = { .line = st->line };
    char *copy = cw_strdup(value), *part[4] = {0}, *p = copy;
    size_t n = 0;
    double width = 0;
    for (; n < 4 && p; n++) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        part[n] = cw_trim(p);
        p = bar ? bar + 1 : NULL;
    }
    for (size_t i = 0; i < st->n_cols; i++)
        if (strcmp(st->cols[i].name, name) == 0) {
            def_error(st, st->line, key, "given twice (first at line %d)", st->cols[i].line);
            goto done;
        }
    if (p)
        def_error(st, st->line, key, "expected heading | format | width | link");
    else if (!cw_str_empty(part[2]) && cw_parse_decimal(part[2], 1, WIDTH_MAX, 0, &width) != 0)
        def_error(st, st->line, key, "width '%s': expected a number of characters from 1 to %d",
                  part[2], WIDTH_MAX);
    else if (!cw_str_empty(part[3]) && strcmp(part[3], "jira") != 0)
        def_error(st, st->line, key, "link '%s': expected jira (the cell is an issue key)",
                  part[3]);
    else {
        c.name = own(st->def, name);
        c.heading = cw_str_empty(part[0]) ? NULL : own(st->def, part[0]);
        c.format = cw_str_empty(part[1]) ? NULL : own(st->def, part[1]);
        c.width = width;
        c.link = cw_str_empty(part[3]) ? CW_LINK_NONE : CW_LINK_JIRA;
        st->cols = cw_grow(st->cols, &st->cap_cols, st->n_cols + 1, sizeof *st->cols);
        st->cols[st->n_cols++] = c;
    }
done:
    free(copy);
}

/* The text keys of a sheet, by offset; a chart column must be a name. */
static const struct { const char *key; size_t offset; int is_column; } text_keys[] = {
    { "title", offsetof(cw_report_section, title), 0 },
    { "intro", offsetof(cw_report_section, intro), 0 },
    { "category", offsetof(cw_report_section, category), 1 },
    { "series", offsetof(cw_report_section, series), 1 },
    { "value", offsetof(cw_report_section, value), 1 },
    { "flag", offsetof(cw_report_section, flag), 1 },
};
#define N_TEXT_KEYS (sizeof text_keys / sizeof text_keys[0])

static const char **text_slot(cw_report_section *s, size_t k)
{
    return (const char **)(void *)((char *)s + text_keys[k].offset);
}

/* An indented line continues the last text value (title, intro). */
static int continue_value(def_state *st, const char *key, const char *value)
{
    if (!st->continuation || !st->cur || !st->last_key || strcmp(st->last_key, key) != 0)
        return 0;
    for (size_t k = 0; k < 2; k++)
        if (strcmp(text_keys[k].key, key) == 0 && *text_slot(st->cur, k)) {
            char *joined = cw_asprintf("%s %s", *text_slot(st->cur, k), value);
            *text_slot(st->cur, k) = own(st->def, joined);
            free(joined);
            return 1;
        }
    return 0;
}

static void sheet_key(def_state *st, const char *key, const char *value)
{
    cw_report_section *s = st->cur;
    if (strncmp(key, "column ", 7) == 0) {
        const char *name = key + 7;
        if (!identifier_valid(name))
            def_error(st, st->line, key, "'%s' is not a column name (letters, digits, _)", name);
        else
            key_column(st, key, name, value);
        return;
    }
    if (strcmp(key, "query") == 0 || strcmp(key, "view") == 0) {
        key_query(st, key, value);
        return;
    }
    if (strcmp(key, "chart") == 0) {
        key_chart(st, key, value);
        return;
    }
    for (size_t k = 0; k < N_TEXT_KEYS; k++) {
        if (strcmp(text_keys[k].key, key) != 0)
            continue;
        if (*text_slot(s, k))
            def_error(st, st->line, key, "given twice in [sheet %s]", s->sheet);
        else if (text_keys[k].is_column && !identifier_valid(value))
            def_error(st, st->line, key, "'%s' is not a column name (letters, digits, _)", value);
        else
            *text_slot(s, k) = own(st->def, value);
        return;
    }
    def_error(st, st->line, key, "unknown key in [sheet %s] (title, intro, query, view, chart, "
              "category, series, value, flag, column NAME)", s->sheet);
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    def_state *st = user;
    (void)section;
    if (continue_value(st, name, value))
        return 1;
    free(st->last_key);
    st->last_key = cw_strdup(name);
    st->prev_key = 1;
    if (st->in_unknown)
        return 1;       /* its header was already reported */
    if (!st->cur)
        def_error(st, st->line, name, "a key before the first [sheet NAME]");
    else
        sheet_key(st, name, value);
    return 1;
}

/* ------------------------------------------------------------ reading */

/* inih's reader: the next line of the text, counting lines, noting
 * continuations and section headers (with their line). */
static char *line_reader(char *str, int num, void *stream)
{
    def_state *st = stream;
    const char *p = st->text, *nl;
    size_t len, lead;
    if (!p || !*p)
        return NULL;
    nl = strchr(p, '\n');
    len = nl ? (size_t)(nl - p) + 1 : strlen(p);
    st->text = p + len;
    st->line++;
    if (len > (size_t)num - 2) {
        def_error(st, st->line, NULL, "line longer than %d characters: continue a long value "
                  "on indented lines below it", num - 3);
        len = 0;
    }
    memcpy(str, p, len);
    str[len] = '\0';
    /* every text ends up in the workbook and the page: UTF-8 only */
    if (!cw_utf8_valid(str, len)) {
        def_error(st, st->line, NULL, "not valid UTF-8");
        str[0] = '\0';
    }
    lead = strspn(str, " \t");
    st->continuation = lead > 0 && st->prev_key && str[lead] && str[lead] != '\n' &&
                       str[lead] != '\r' && str[lead] != ';' && str[lead] != '#';
    if (lead == 0 && str[0] == '[') {
        char *end = strchr(str, ']');
        if (end) {
            char *name = cw_strndup(str + 1, (size_t)(end - str - 1));
            begin_section(st, cw_trim(name), st->line);
            free(name);
            st->prev_key = 0;
        }
    }
    return str;
}

/* What a sheet needs, once it is read whole. */
static void check_section(def_state *st, const cw_report_section *s)
{
    if (!s->title)
        def_error(st, s->line, "title", "[sheet %s] needs a title", s->sheet);
    if (!s->sql)
        def_error(st, s->line, "query", "[sheet %s] needs a query (a file of the templates "
                  "folder) or a view", s->sheet);
    if (s->chart == CW_SECTION_STACKED_BAR && (!s->category || !s->series || !s->value))
        def_error(st, s->line, "chart", "[sheet %s]: a stacked_bar needs category, series "
                  "and value columns", s->sheet);
}

int cw_report_definition_parse(const char *text, const char *file, const char *dir,
                               cw_report_definition **out)
{
    def_state st = { .dir = dir, .text = text };
    int rc;
    *out = NULL;
    st.def = cw_xcalloc(1, sizeof *st.def);
    st.def->file = cw_strdup(file);
    rc = ini_parse_stream(line_reader, &st, on_key, &st);
    close_section(&st);
    free(st.last_key);
    if (rc > 0)
        def_error(&st, rc, NULL, "syntax error (expected [sheet NAME] or key = value)");
    for (size_t i = 0; i < st.def->n_sections; i++) {
        check_section(&st, &st.def->sections[i]);
        if (!st.def->sections[i].intro)
            st.def->sections[i].intro = own(st.def, "");
    }
    if (st.def->n_sections == 0 && st.errors == 0)
        def_error(&st, 1, NULL, "no [sheet NAME] section");
    if (st.errors) {
        cw_report_definition_free(st.def);
        return -1;
    }
    *out = st.def;
    return 0;
}

int cw_report_definition_load(const char *dir, const char *name, cw_report_definition **out)
{
    char *file = cw_asprintf("%s.report", name), *where = NULL;
    char *text = cw_template_read(dir, file, NULL, &where);
    int rc = -1;
    *out = NULL;
    if (text)
        rc = cw_report_definition_parse(text, where, dir, out);
    free(text);
    free(where);
    free(file);
    return rc;
}

void cw_report_definition_free(cw_report_definition *def)
{
    if (!def)
        return;
    for (size_t i = 0; i < def->n_sections; i++)
        free((void *)def->sections[i].columns);
    for (size_t i = 0; i < def->n_strings; i++)
        free(def->strings[i]);
    free(def->strings);
    free(def->sections);
    free(def->file);
    free(def);
}

const cw_report_column *cw_report_section_column(const cw_report_section *s, const char *name)
{
    for (size_t i = 0; s && name && i < s->n_columns; i++)
        if (strcmp(s->columns[i].name, name) == 0)
            return &s->columns[i];
    return NULL;
}
