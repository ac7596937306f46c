/*
 * report.h - the weekly executive report: one model, two renderers.
 *
 * The data is gathered once from the warehouse (cw_report_gather: the
 * metrics API plus three audit lists read with plain SELECTs) into a
 * cw_report, and both renderers lay out the same model:
 *
 *   cw_report_write_xlsx   a workbook with native Excel charts (libxlsxwriter)
 *   cw_report_write_html   one self-contained HTML file with inline SVG charts
 *
 * The layout both share - which metric families exist, which chart each one
 * draws, which columns the data table has - is the constant tables below,
 * so the workbook and the page cannot drift apart.
 *
 * Every string in the model is owned by the model (cw_report_intern), so a
 * report can be filled by hand in tests and freed with cw_report_free.
 */
#ifndef CW_REPORT_H
#define CW_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "../core/config.h"
#include "metrics.h"
#include "exec.h"

/* Output formats, for cw_report_render. */
enum { CW_REPORT_XLSX = 1, CW_REPORT_HTML = 2, CW_REPORT_ALL = 3 };

/* A metrics row with the scope it belongs to (cw_metric_row has none). */
typedef struct cw_report_row {
    cw_scope scope;
    cw_metric_row m;
} cw_report_row;

/* A production deployment whose revision is not in the commit graph. */
typedef struct cw_report_untraceable {
    const char *application;    /* NULL when the job maps to none */
    const char *job;
    long number;
    int64_t finished_at;
    const char *revision;
    const char *environment;
} cw_report_untraceable;

/* Rejected records per source (all batches: a reject stays until its file is fixed). */
typedef struct cw_report_rejects {
    const char *source;
    long rejects;
    int64_t last_batch;         /* the latest batch that rejected one */
} cw_report_rejects;

/* A work item in progress at the end of the window, with its WIP age. */
typedef struct cw_report_wip {
    const char *item_key;
    const char *summary;
    const char *application;
    const char *status;
    double age_h;
} cw_report_wip;

/* ------------------------------------------------------------ sections */

/* How a section's cell is shown (reports/section.c: from its column name). */
typedef enum cw_report_cell_kind {
    CW_CELL_TEXT, CW_CELL_INT, CW_CELL_REAL, CW_CELL_HOURS, CW_CELL_RATE, CW_CELL_INSTANT
} cw_report_cell_kind;

typedef enum cw_report_section_chart {
    CW_SECTION_NO_CHART,
    CW_SECTION_STACKED_BAR      /* one bar per category, one segment per series */
} cw_report_section_chart;

/* How a column of a section is shown (templates/weekly.report: `column NAME
 * = heading | format | width | link`); every part optional. */
typedef enum cw_report_link {
    CW_LINK_NONE,
    CW_LINK_JIRA                /* the cell is an issue key: a link to the Jira issue */
} cw_report_link;

typedef struct cw_report_column {
    const char *name;           /* the query's column */
    const char *heading;        /* NULL: from the name (cw_report_heading) */
    const char *format;         /* Excel number format ("0.0", "0.0%", "yyyy-mm-dd");
                                 * NULL: from the cell kind (cw_report_kind_format) */
    double width;               /* characters; 0: from the content */
    cw_report_link link;
    int line;                   /* of its `column` key in the definition */
} cw_report_column;

/* One value stream section: a sheet of the workbook and a section of the
 * page, filled by one query (?1 = window from, ?2 = window to) or one view.
 * Sections come from the report definition (reports/definition.c). */
typedef struct cw_report_section {
    const char *sheet;          /* worksheet name (at most 31 characters) */
    const char *title;
    const char *intro;          /* one sentence: what the table shows */
    const char *sql;            /* the query's name: its file in the templates
                                 * folder ("sql/report_gates.sql") or "view NAME" */
    cw_report_section_chart chart;
    /* CW_SECTION_STACKED_BAR: column names of the bars, the segments, the
     * value, and a flag (> 0) marking a waiting segment (NULL: none) */
    const char *category, *series, *value, *flag;
    /* from the definition (all may be 0/NULL in a section built by hand) */
    const char *query;          /* the SQL text run for it */
    const cw_report_column *columns;  size_t n_columns;
    const char *file;           /* the definition, for messages */
    int line, query_line;       /* of its [sheet] header and its query/view key */
} cw_report_section;

/* A report definition: the sections of templates/NAME.report, in order. */
typedef struct cw_report_definition {
    char *file;                 /* "DIR/weekly.report" or "templates/weekly.report (built in)" */
    cw_report_section *sections;  size_t n_sections, cap_sections;
    char **strings;  size_t n_strings, cap_strings;     /* owned texts */
} cw_report_definition;

/* Read templates/NAME.report from dir (NULL: the built-in copy) with its
 * query files.  0, or -1 after printing "FILE:LINE: key: message" for every
 * error (*out NULL). */
int cw_report_definition_load(const char *dir, const char *name, cw_report_definition **out);
/* The same from text (tests): file names it in messages, dir is where its
 * query files are read (NULL: built in). */
int cw_report_definition_parse(const char *text, const char *file, const char *dir,
                               cw_report_definition **out);
void cw_report_definition_free(cw_report_definition *def);

/* The definition's spec of a section column, or NULL. */
const cw_report_column *cw_report_section_column(const cw_report_section *s, const char *name);

/* A section's result: row-major cells; nums[i] is NAN for a null or text
 * cell, texts[i] NULL for a null or number cell (owned by the table). */
typedef struct cw_report_table {
    const cw_report_section *section;
    const char **cols;          /* interned column names */
    cw_report_cell_kind *kinds;
    size_t n_cols, n_rows, cap_cells;
    double *nums;
    char **texts;
} cw_report_table;

typedef struct cw_report {
    int64_t from, to;                   /* window [from, to), UTC seconds */
    int64_t generated_at;
    /* the organisation row's name ([catwalk] organisation, metrics.md
     * Decisions 9; interned, or the CW_ORGANISATION literal): read it with
     * cw_report_organisation */
    const char *organisation;
    cw_dora_summary *summaries;  size_t n_summaries;
    cw_report_row *rows;         size_t n_rows;
    cw_report_untraceable *untraceable; size_t n_untraceable;
    cw_report_rejects *rejects;  size_t n_rejects;
    cw_report_wip *wip;          size_t n_wip;
    cw_report_table *tables;     size_t n_tables, cap_tables;
    cw_report_exec exec;                /* headline, trust, exceptions, ... (exec.h) */
    cw_report_definition *definition;   /* the sections' definition (owned), or NULL */
    /* owned strings (interned: one copy per distinct text) */
    char **strings;              size_t n_strings, cap_strings;
    size_t cap_summaries, cap_rows, cap_untraceable, cap_rejects, cap_wip;
} cw_report;

/* How many work items the WIP-age list keeps. */
#define CW_REPORT_WIP_TOP 15

/* ------------------------------------------------------------ shared layout */

/* The columns of the data table are cw_metric_fields (metrics.h). */

/* The value of a field as a double (longs converted; NAN = null). */
double cw_report_field_value(const cw_metric_row *row, const cw_metric_field *field);
const cw_metric_field *cw_report_field_find(const char *name);

typedef enum cw_report_chart_kind { CW_CHART_LINE, CW_CHART_COLUMN } cw_report_chart_kind;

/* One chart of a family: one field over the weekly periods, one series for
 * the organisation and one per team. */
typedef struct cw_report_chart {
    const char *title;
    const char *field;          /* a cw_metric_fields name */
    cw_report_chart_kind kind;
    const char *unit;           /* axis label */
    int is_rate;                /* 0..1 values shown as percentages */
} cw_report_chart;

#define CW_REPORT_MAX_CHARTS 4

typedef struct cw_report_family {
    const char *sheet;          /* worksheet name and HTML section title */
    cw_report_chart charts[CW_REPORT_MAX_CHARTS];
    size_t n_charts;
} cw_report_family;

extern const cw_report_family cw_report_families[];
extern const size_t cw_report_n_families;

/* The series of the charts: "organisation" first, then every team of the
 * model in order of appearance; the periods: every ISO week of the window
 * (YYYY-MM-DD of its Monday), whether or not any row has it.  Series names
 * point into the model; cw_report_axes_free frees the rest. */
typedef struct cw_report_axes {
    const char **series;  size_t n_series;
    char (*periods)[11];  size_t n_periods;
    const cw_metric_row **cells;    /* [s * n_periods + p], NULL when absent */
} cw_report_axes;

int cw_report_axes_build(const cw_report *r, cw_report_axes *out);
void cw_report_axes_free(cw_report_axes *axes);
/* The value of field for series s and period p (NAN when null or absent). */
double cw_report_series_value(const cw_report *r, const cw_report_axes *axes,
                              size_t s, size_t p, const cw_metric_field *field);

/* Trend of the last 4 weeks against the 4 before: delta = recent - prior
 * (NAN when either is null); direction -1/0/+1; better is +1 when the change
 * is an improvement, -1 when it is a regression, 0 when flat or unknown. */
typedef struct cw_report_trend {
    double delta;
    int direction;
    int better;
} cw_report_trend;

cw_report_trend cw_report_trend_of(double recent, double prior, int higher_is_better);

const char *cw_report_scope_name(cw_scope scope);   /* application | team | organisation */

/* The four keys of the summary table, in order. */
typedef struct cw_report_key {
    const char *label;          /* column heading */
    const char *unit;           /* "per week", "hours", "" */
    size_t value_offset;        /* double fields of cw_dora_summary */
    size_t level_offset;        /* its cw_level field */
    size_t recent_offset, prior_offset;
    int higher_is_better;
    int is_rate;                /* 0..1 shown as a percentage */
} cw_report_key;

extern const cw_report_key cw_report_keys[];
extern const size_t cw_report_n_keys;

double cw_report_key_value(const cw_dora_summary *s, const cw_report_key *key);
cw_level cw_report_key_level(const cw_dora_summary *s, const cw_report_key *key);
cw_report_trend cw_report_key_trend(const cw_dora_summary *s, const cw_report_key *key);
/* "elite", "high", "medium", "low" or "no data". */
const char *cw_report_level_label(cw_level level);

/* ------------------------------------------------------------ model */

void cw_report_init(cw_report *r, int64_t from, int64_t to);
void cw_report_free(cw_report *r);
/* A copy of s owned by the model (NULL stays NULL). */
const char *cw_report_intern(cw_report *r, const char *s);
/* Append copies (strings interned) of one row of each kind. */
void cw_report_add_summary(cw_report *r, const cw_dora_summary *s);
void cw_report_add_row(cw_report *r, cw_scope scope, const cw_metric_row *m);
void cw_report_add_untraceable(cw_report *r, const cw_report_untraceable *u);
void cw_report_add_rejects(cw_report *r, const cw_report_rejects *x);
void cw_report_add_wip(cw_report *r, const cw_report_wip *w);

/* A section table filled by hand (tests) or by cw_report_gather_sections;
 * the row's texts are copied. */
cw_report_table *cw_report_add_table(cw_report *r, const cw_report_section *section,
                                     const char *const *cols, const cw_report_cell_kind *kinds,
                                     size_t n_cols);
void cw_report_table_add_row(cw_report_table *t, const double *nums, const char *const *texts);
/* The index of column name in t, or -1. */
int cw_report_table_column(const cw_report_table *t, const char *name);
/* How a column named name shows, given the type of its first non-null value. */
cw_report_cell_kind cw_report_kind_of_name(const char *name, cw_db_type first_type);
/* The heading of a column: "total_h" -> "total (h)"; caller frees. */
char *cw_report_heading(const char *name);
/* Column c of t as shown: the definition's heading, else cw_report_heading
 * (caller frees); its number format: the definition's, else the kind's
 * (NULL for text); its width in characters (0: fit the content). */
char *cw_report_table_heading(const cw_report_table *t, size_t c);
const char *cw_report_table_format(const cw_report_table *t, size_t c);
double cw_report_table_width(const cw_report_table *t, size_t c);
cw_report_link cw_report_table_link(const cw_report_table *t, size_t c);
/* The number format of a cell kind: "0", "0.0", "0.00", "0.0%",
 * "yyyy-mm-dd hh:mm"; NULL for text. */
const char *cw_report_kind_format(cw_report_cell_kind kind);
/* Run every section's query of def (owned by r from then on) into the
 * model, in one read-only transaction.  0 or -1 (logged with the
 * definition's file and line). */
int cw_report_gather_sections(cw_db *db, cw_report_definition *def, cw_report *r);
/* One section's query into r->tables (appended), outside any definition:
 * s->query, else the built-in file s->sql (the charts' own queries).  0 or
 * -1 (logged). */
int cw_report_gather_section(cw_db *db, const cw_report_section *s, cw_report *r);
void cw_report_table_free(cw_report_table *t);
void cw_report_tables_free(cw_report *r);

/* A stacked-bar section pivoted: categories (bars) and series (segments) in
 * order of first appearance, values[c * n_series + s] (0 when absent), and
 * waiting[s] when any row of series s had the flag set. */
typedef struct cw_report_pivot {
    const char **categories;  size_t n_categories;
    const char **series;      size_t n_series;
    int *waiting;
    double *values;
} cw_report_pivot;

/* 0, or -1 when the section names a column the table lacks. */
int cw_report_pivot_build(const cw_report_table *t, cw_report_pivot *p);
void cw_report_pivot_free(cw_report_pivot *p);

/* "lead time from 1,104 of 1,131 deployed commits" (metrics.md "Data-quality
 * findings": how many samples a figure rests on); caller frees. */
char *cw_report_coverage_line(const char *metric, int64_t samples, int64_t base);
/* The organisation's coverage lines of the model's Coverage section, joined
 * by "; " ("" when there are none); caller frees.  Shown under the summary. */
char *cw_report_coverage_summary(const cw_report *r);

/* The organisation row's name (never NULL: CW_ORGANISATION by default). */
const char *cw_report_organisation(const cw_report *r);

/* Fill the model for the window [from, to) of weekly periods, its sections
 * from the built-in definition.  0 or -1 (logged); the model is left valid
 * for cw_report_free either way. */
int cw_report_gather(cw_db *db, int64_t from, int64_t to, cw_report *r);
/* The same with cfg's templates/weekly.report ([report] templates; NULL
 * there or no cfg: built in) and cfg's organisation name. */
int cw_report_gather_templates(cw_db *db, const cw_config *cfg, int64_t from, int64_t to,
                               cw_report *r);

/* Links of the workbook and the page (reports/links.c), from the sources'
 * base_url in the configuration: the Jira issue of an item key, the CI build
 * of a job's run.  NULL when no source says where (cfg may be NULL); caller
 * frees. */
char *cw_report_issue_url(const struct cw_config *cfg, const char *key);
char *cw_report_build_url(const struct cw_config *cfg, const char *job, long number);

/* ------------------------------------------------------------ renderers */

int cw_report_write_xlsx(const cw_report *r, const char *path);
int cw_report_write_html(const cw_report *r, const char *path);

/* The Monday (YYYY-MM-DD) of the window's last whole week: the week a
 * report is "of" (its title, the mail's subject); r->to is a Monday. */
void cw_report_week_of(const cw_report *r, char out[11]);

/* DIR/catwalk-weekly-<to-date>.EXT; caller frees. */
char *cw_report_path(const char *dir, const cw_report *r, const char *ext);

/* Write the formats asked for (CW_REPORT_XLSX | CW_REPORT_HTML) into out_dir
 * (created if missing).  0 or -1 (logged). */
int cw_report_render(const cw_report *r, const char *out_dir, unsigned formats);

/* Gather and render both formats: what `catwalk run` calls after loading.
 * out_dir NULL = cfg->reports (cfg may be NULL when out_dir is given). */
int cw_report_weekly(cw_db *db, const cw_config *cfg, int64_t from, int64_t to,
                     const char *out_dir);

/* The default window: the 12 ISO weeks before the week holding now. */
void cw_report_default_window(int64_t now, int64_t *from, int64_t *to);

#endif
