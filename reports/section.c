/*
 * section.c - the value stream sections of the weekly report: tables read
 * by one query each, laid out by both renderers.
 *
 * The DORA and flow families of report.c are fixed charts over weekly
 * periods.  The value stream layer (metrics.md "Idea to production",
 * "Gates and the value stream map", "Hierarchy roll-up", "Release scope",
 * "Data-quality findings") is read differently: one table per subject over
 * the whole window, each the result of one query.  So a section is a
 * [sheet] of the report definition (templates/weekly.report, read by
 * reports/definition.c) - a sheet name, a title, a sentence saying what the
 * table shows, the query or view, how its columns show - and the model
 * keeps its result as typed cells.  Adding a section is one .sql file and
 * one [sheet]; neither renderer changes, nothing is recompiled.
 *
 * The queries are the analyst's text, so they run as a reader's: on the
 * read-only connection (cw_metrics_open_reader), inside one read-only
 * transaction that is rolled back, never committed - a query that tries to
 * write fails, and one that lifts the session's read-only default
 * (set_config on PostgreSQL) is undone with the transaction before any
 * other statement runs.  A query must return columns: DELETE, CREATE,
 * ATTACH or VACUUM is refused before it runs, with the definition's line.
 *
 * How a cell is shown follows from its column's name, so a query decides
 * its own layout (the README, "Reports", documents the convention):
 *   *_h            hours, 2 decimals
 *   *_at           an instant: a date-time cell in the workbook
 *   *_pct, *_rate  a share 0..1, shown as a percentage
 * and any other column by the type of its first non-null value (integer,
 * number or text).  Headings are the names with '_' as spaces, "_h" as
 * " (h)" and "_pct" as " (%)".  The definition may give a column its own
 * heading, number format, width and link (`column NAME = ...`).
 *
 * A section may draw a stacked horizontal bar chart (the value stream map:
 * one bar per application, one segment per status): the section names the
 * category, series and value columns and a flag column that marks a
 * waiting series; the pivot is computed once here (cw_report_pivot) for
 * both renderers.
 */
#include "report.h"
#include "../core/embedded.h"
#include "../core/time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../load/sqltext.h"
#include "../core/log.h"
#include "../core/util.h"

/* ------------------------------------------------------------ cell kinds */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && strcmp(s + n - m, suffix) == 0;
}

cw_report_cell_kind cw_report_kind_of_name(const char *name, cw_db_type first_type)
{
    if (ends_with(name, "_h"))
        return CW_CELL_HOURS;
    if (ends_with(name, "_at"))
        return CW_CELL_INSTANT;
    if (ends_with(name, "_pct") || ends_with(name, "_rate"))
        return CW_CELL_RATE;
    switch (first_type) {
    case CW_DB_INT: return CW_CELL_INT;
    case CW_DB_REAL: return CW_CELL_REAL;
    default: return CW_CELL_TEXT;
    }
}

char *cw_report_heading(const char *name)
{
    size_t n = strlen(name);
    const char *unit = ends_with(name, "_h") ? " (h)" : ends_with(name, "_pct") ? " (%)" : "";
    size_t cut = *unit ? (unit[2] == 'h' ? 2 : 4) : 0;
    char *out = cw_asprintf("%.*s%s", (int)(n - cut), name, unit);
    for (char *p = out; *p; p++)
        if (*p == '_')
            *p = ' ';
    return out;
}

const char *cw_report_kind_format(cw_report_cell_kind kind)
{
    switch (kind) {
    case CW_CELL_INT: return "0";
    case CW_CELL_REAL: return "0.00";
    case CW_CELL_HOURS: return "0.0";
    case CW_CELL_RATE: return "0.0%";
    case CW_CELL_INSTANT: return "yyyy-mm-dd hh:mm";
    case CW_CELL_TEXT: break;
    }
    return NULL;
}

static const cw_report_column *column_spec(const cw_report_table *t, size_t c)
{
    return c < t->n_cols ? cw_report_section_column(t->section, t->cols[c]) : NULL;
}

char *cw_report_table_heading(const cw_report_table *t, size_t c)
{
    const cw_report_column *spec = column_spec(t, c);
    return spec && spec->heading ? cw_strdup(spec->heading) : cw_report_heading(t->cols[c]);
}

const char *cw_report_table_format(const cw_report_table *t, size_t c)
{
    const cw_report_column *spec = column_spec(t, c);
    return spec && spec->format ? spec->format : cw_report_kind_format(t->kinds[c]);
}

double cw_report_table_width(const cw_report_table *t, size_t c)
{
    const cw_report_column *spec = column_spec(t, c);
    return spec ? spec->width : 0;
}

cw_report_link cw_report_table_link(const cw_report_table *t, size_t c)
{
    const cw_report_column *spec = column_spec(t, c);
    return spec ? spec->link : CW_LINK_NONE;
}

/* ------------------------------------------------------------ model */

static cw_report_table *new_table(cw_report *r, const cw_report_section *section, size_t n_cols)
{
    cw_report_table *t;
    r->tables = cw_grow(r->tables, &r->cap_tables, r->n_tables + 1, sizeof *r->tables);
    t = &r->tables[r->n_tables++];
    memset(t, 0, sizeof *t);
    t->section = section;
    t->n_cols = n_cols;
    t->cols = cw_xcalloc(n_cols ? n_cols : 1, sizeof *t->cols);
    t->kinds = cw_xcalloc(n_cols ? n_cols : 1, sizeof *t->kinds);
    return t;
}

cw_report_table *cw_report_add_table(cw_report *r, const cw_report_section *section,
                                     const char *const *cols, const cw_report_cell_kind *kinds,
                                     size_t n_cols)
{
    cw_report_table *t = new_table(r, section, n_cols);
    for (size_t c = 0; c < n_cols; c++) {
        t->cols[c] = cw_report_intern(r, cols[c]);
        t->kinds[c] = kinds[c];
    }
    return t;
}

/* Cell texts are copies owned by the table, not interned: cw_report_intern
 * scans every string it holds, fine for names, not for a list of commits. */
void cw_report_table_add_row(cw_report_table *t, const double *nums, const char *const *texts)
{
    size_t at = t->n_rows * t->n_cols, cap = t->cap_cells;
    t->nums = cw_grow(t->nums, &cap, at + t->n_cols + 1, sizeof *t->nums);
    cap = t->cap_cells;
    t->texts = cw_grow(t->texts, &cap, at + t->n_cols + 1, sizeof *t->texts);
    t->cap_cells = cap;
    for (size_t c = 0; c < t->n_cols; c++) {
        t->nums[at + c] = nums ? nums[c] : NAN;
        t->texts[at + c] = texts ? cw_strdup(texts[c]) : NULL;
    }
    t->n_rows++;
}

void cw_report_table_free(cw_report_table *t)
{
    free(t->cols);
    free(t->kinds);
    for (size_t k = 0; k < t->n_rows * t->n_cols; k++)
        free(t->texts[k]);
    free(t->nums);
    free(t->texts);
}

void cw_report_tables_free(cw_report *r)
{
    for (size_t i = 0; i < r->n_tables; i++)
        cw_report_table_free(&r->tables[i]);
    free(r->tables);
    r->tables = NULL;
    r->n_tables = r->cap_tables = 0;
}

int cw_report_table_column(const cw_report_table *t, const char *name)
{
    for (size_t c = 0; name && c < t->n_cols; c++)
        if (strcmp(t->cols[c], name) == 0)
            return (int)c;
    return -1;
}

/* ------------------------------------------------------------ gathering */

/* The kind of each column: by name, else by the type of the first non-null
 * value in the rows already read (ints become reals if a later row says so). */
static void settle_kinds(cw_report_table *t, cw_stmt *st, const cw_db_type *seen)
{
    for (size_t c = 0; c < t->n_cols; c++)
        t->kinds[c] = cw_report_kind_of_name(cw_db_column_name(st, (int)c), seen[c]);
}

static void read_row(cw_report *r, cw_report_table *t, cw_stmt *st, cw_db_type *seen,
                     double *nums, const char **texts)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        cw_db_type type = cw_db_column_type(st, (int)c);
        nums[c] = NAN;
        texts[c] = NULL;
        if (type == CW_DB_NULL)
            continue;
        if (seen[c] == CW_DB_NULL || (seen[c] == CW_DB_INT && type == CW_DB_REAL))
            seen[c] = type;
        if (type == CW_DB_TEXT)
            texts[c] = cw_db_column_text(st, (int)c);
        else
            nums[c] = type == CW_DB_INT ? (double)cw_db_column_int(st, (int)c)
                                        : cw_db_column_real(st, (int)c);
    }
    cw_report_table_add_row(t, nums, texts);
}

/* The definition names columns the query must have (its `column` keys and
 * the chart's): checked once prepared, so a typo names its line. */
static int check_columns(const cw_report_section *s, cw_stmt *st)
{
    const char *chart[] = { s->category, s->series, s->value, s->flag };
    int n = cw_db_column_count(st), bad = 0;
    for (size_t i = 0; i < s->n_columns + 4; i++) {
        const char *name = i < s->n_columns ? s->columns[i].name : chart[i - s->n_columns];
        int found = 0;
        if (!name || (i >= s->n_columns && s->chart != CW_SECTION_STACKED_BAR))
            continue;
        for (int c = 0; c < n && !found; c++)
            found = cw_db_column_name(st, c) && strcmp(cw_db_column_name(st, c), name) == 0;
        if (!found) {
            cw_error("%s:%d: %s: [sheet %s]: %s has no column %s", s->file ? s->file : "report",
                     i < s->n_columns ? s->columns[i].line : s->line,
                     i < s->n_columns ? "column" : "chart", s->sheet, s->sql, name);
            bad++;
        }
    }
    return bad ? -1 : 0;
}

/* Prepare a section's query and bind the window to the parameters it has
 * (a view has none; a query may use ?1 only; ?3 is the as-of instant, ?4
 * the organisation's name: [catwalk] organisation, metrics.md Decisions 9). */
static cw_stmt *prepare_section(cw_db *db, const cw_report_section *s, const cw_report *r)
{
    const char *file = s->file ? s->file : "report";
    cw_stmt *st = NULL;
    int nparams = 0, rc = CW_DB_OK;
    const char *query = s->query ? s->query : cw_embedded_get(s->sql);
    if (!query) {
        cw_error("report: %s is not embedded in this binary", s->sql);
        return NULL;
    }
    free(cw_sql_rewrite_params(query, &nparams));
    if (cw_db_prepare(db, query, &st) != CW_DB_OK) {
        cw_error("%s:%d: %s: %s: %s", file, s->query_line, "query", s->sql, cw_db_errmsg(db));
        return NULL;
    }
    if (cw_db_column_count(st) == 0) {
        cw_error("%s:%d: query: %s returns no columns: a sheet's query is one SELECT (the "
                 "report reads, it never writes)", file, s->query_line, s->sql);
        cw_db_finalize(st);
        return NULL;
    }
    if (nparams > 4) {
        cw_error("%s:%d: query: %s uses ?%d: a sheet's query has ?1 (from), ?2 (to), ?3 "
                 "(the report's as-of instant) and ?4 (the organisation's name) only", file,
                 s->query_line, s->sql, nparams);
        cw_db_finalize(st);
        return NULL;
    }
    if (nparams >= 1)
        rc = cw_db_bind_int(st, 1, r->from);
    if (rc == CW_DB_OK && nparams >= 2)
        rc = cw_db_bind_int(st, 2, r->to);
    /* ?3: the report's as-of instant (cw_now: `report --as-of`), so a stage
     * that ended after it is not yet known */
    if (rc == CW_DB_OK && nparams >= 3)
        rc = cw_db_bind_int(st, 3, cw_now());
    if (rc == CW_DB_OK && nparams >= 4)
        rc = cw_db_bind_str(st, 4, cw_report_organisation(r));
    if (rc != CW_DB_OK || check_columns(s, st) != 0) {
        if (rc != CW_DB_OK)
            cw_error("%s:%d: query: %s: %s", file, s->query_line, s->sql, cw_db_errmsg(db));
        cw_db_finalize(st);
        return NULL;
    }
    return st;
}

int cw_report_gather_section(cw_db *db, const cw_report_section *s, cw_report *r)
{
    cw_stmt *st = prepare_section(db, s, r);
    int rc = CW_DB_OK;
    if (!st)
        return -1;
    size_t n = (size_t)cw_db_column_count(st);
    cw_report_table *t = new_table(r, s, n);
    cw_db_type *seen = cw_xcalloc(n ? n : 1, sizeof *seen);
    double *nums = cw_xcalloc(n ? n : 1, sizeof *nums);
    const char **texts = cw_xcalloc(n ? n : 1, sizeof *texts);
    for (size_t c = 0; c < n; c++)
        t->cols[c] = cw_report_intern(r, cw_db_column_name(st, (int)c));
    while ((rc = cw_db_step(st)) == CW_DB_ROW)
        read_row(r, t, st, seen, nums, texts);
    settle_kinds(t, st, seen);
    if (rc != CW_DB_DONE)
        cw_error("%s:%d: query: %s: %s", s->file ? s->file : "report", s->query_line, s->sql,
                 cw_db_errmsg(db));
    free(seen);
    free(nums);
    free(texts);
    cw_db_finalize(st);
    return rc == CW_DB_DONE ? 0 : -1;
}

/* One read-only transaction around the analyst's queries, rolled back:
 * whatever a query changed in the session (set_config) goes with it. */
static int begin_read_only(cw_db *db)
{
    int is_pg = strcmp(cw_db_dialect(db), "postgresql") == 0;
    if (cw_db_exec(db, is_pg ? "BEGIN READ ONLY" : "BEGIN") == CW_DB_OK)
        return 0;
    cw_error("report: cannot begin a read-only transaction: %s", cw_db_errmsg(db));
    return -1;
}

int cw_report_gather_sections(cw_db *db, cw_report_definition *def, cw_report *r)
{
    int rc = 0;
    if (r->definition != def)
        cw_report_definition_free(r->definition);
    r->definition = def;
    if (!def || begin_read_only(db) != 0)
        return def ? -1 : 0;
    for (size_t i = 0; i < def->n_sections && rc == 0; i++)
        rc = cw_report_gather_section(db, &def->sections[i], r);
    if (cw_db_exec(db, "ROLLBACK") != CW_DB_OK) {
        cw_error("report: ending the read-only transaction: %s", cw_db_errmsg(db));
        rc = -1;
    }
    return rc;
}

/* ------------------------------------------------------------ pivot */

static size_t index_of(const char ***names, size_t *n, size_t *cap, const char *s)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*names)[i], s) == 0)
            return i;
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 8;
        *names = cw_xrealloc(*names, *cap * sizeof **names);
    }
    (*names)[*n] = s;
    return (*n)++;
}

/* Two passes: the names in order of first appearance, then the values
 * (summed when a category and series repeat). */
int cw_report_pivot_build(const cw_report_table *t, cw_report_pivot *p)
{
    const cw_report_section *s = t->section;
    int cat = cw_report_table_column(t, s->category), ser = cw_report_table_column(t, s->series);
    int val = cw_report_table_column(t, s->value), flag = cw_report_table_column(t, s->flag);
    size_t cap_c = 0, cap_s = 0;
    memset(p, 0, sizeof *p);
    if (cat < 0 || ser < 0 || val < 0)
        return -1;
    for (size_t i = 0; i < t->n_rows; i++) {
        const char *c = t->texts[i * t->n_cols + (size_t)cat];
        const char *v = t->texts[i * t->n_cols + (size_t)ser];
        if (!c || !v)
            continue;
        index_of(&p->categories, &p->n_categories, &cap_c, c);
        index_of(&p->series, &p->n_series, &cap_s, v);
    }
    p->values = cw_xcalloc(p->n_categories * p->n_series + 1, sizeof *p->values);
    p->waiting = cw_xcalloc(p->n_series + 1, sizeof *p->waiting);
    for (size_t i = 0; i < t->n_rows; i++) {
        const char *c = t->texts[i * t->n_cols + (size_t)cat];
        const char *v = t->texts[i * t->n_cols + (size_t)ser];
        double x = t->nums[i * t->n_cols + (size_t)val];
        if (!c || !v || isnan(x))
            continue;
        size_t ci = index_of(&p->categories, &p->n_categories, &cap_c, c);
        size_t si = index_of(&p->series, &p->n_series, &cap_s, v);
        p->values[ci * p->n_series + si] += x;
        if (flag >= 0 && t->nums[i * t->n_cols + (size_t)flag] > 0)
            p->waiting[si] = 1;
    }
    return 0;
}

void cw_report_pivot_free(cw_report_pivot *p)
{
    free(p->categories);
    free(p->series);
    free(p->waiting);
    free(p->values);
    memset(p, 0, sizeof *p);
}

/* ------------------------------------------------------------ coverage lines */

/* 1,234,567: coverage lines are read by people. */
static void format_count(int64_t n, char *buf, size_t size)
{
    char digits[32];
    size_t len, out = 0;
    snprintf(digits, sizeof digits, "%lld", (long long)n);
    len = strlen(digits);
    for (size_t i = 0; i < len && out + 2 < size; i++) {
        if (i > 0 && digits[i - 1] != '-' && (len - i) % 3 == 0)
            buf[out++] = ',';
        buf[out++] = digits[i];
    }
    buf[out] = '\0';
}

/* What a figure's base counts, for the coverage line. */
static const char *base_noun(const char *metric)
{
    static const char *const nouns[][2] = {
        { "lead_time", "deployed commits" },     { "traceability", "deployed commits" },
        { "restore", "resolved incidents" },     { "cycle_time", "done items" },
        { "idea_to_production", "items in production" },
    };
    for (size_t i = 0; i < sizeof nouns / sizeof nouns[0]; i++)
        if (strcmp(nouns[i][0], metric) == 0)
            return nouns[i][1];
    return "records";
}

char *cw_report_coverage_line(const char *metric, int64_t samples, int64_t base)
{
    char s[32], b[32];
    char *name = cw_strdup(metric), *line;
    for (char *p = name; *p; p++)
        if (*p == '_')
            *p = ' ';
    format_count(samples, s, sizeof s);
    format_count(base, b, sizeof b);
    line = cw_asprintf("%s from %s of %s %s", name, s, b, base_noun(metric));
    free(name);
    return line;
}

/* The Coverage section: the one whose query is report_coverage.sql. */
static int is_coverage(const cw_report_section *s)
{
    const char *base = s->sql ? strrchr(s->sql, '/') : NULL;
    return base && strcmp(base + 1, "report_coverage.sql") == 0;
}

/* The organisation's rows of the Coverage section (report_coverage.sql:
 * scope, name, metric, samples, base), one line each, joined by "; ". */
char *cw_report_coverage_summary(const cw_report *r)
{
    cw_buf b = {0};
    char *out;
    for (size_t i = 0; i < r->n_tables; i++) {
        const cw_report_table *t = &r->tables[i];
        int scope = cw_report_table_column(t, "scope"), metric = cw_report_table_column(t, "metric");
        int samples = cw_report_table_column(t, "samples"), base = cw_report_table_column(t, "base");
        if (!is_coverage(t->section) || scope < 0 ||
            metric < 0 || samples < 0 || base < 0)
            continue;
        for (size_t row = 0; row < t->n_rows; row++) {
            const char *sc = t->texts[row * t->n_cols + (size_t)scope];
            const char *m = t->texts[row * t->n_cols + (size_t)metric];
            if (!sc || !m || strcmp(sc, "organisation") != 0)
                continue;
            char *line = cw_report_coverage_line(m, (int64_t)t->nums[row * t->n_cols + (size_t)samples],
                                                 (int64_t)t->nums[row * t->n_cols + (size_t)base]);
            cw_buf_printf(&b, "%s%s", b.len ? "; " : "", line);
            free(line);
        }
    }
    out = cw_strdup(b.data ? b.data : "");
    cw_buf_free(&b);
    return out;
}
