/*
 * chart.h - the report's charts as a renderer-neutral model.
 *
 * A chart is built once from the report model (cw_chart_* in
 * reports/charts.c) and drawn by each renderer: as PNG with cairo
 * (reports/chart_png.c: the email's inline images and the page) and as a
 * native chart of the workbook (reports/chart_xlsx.c).  So the renderers
 * cannot disagree about a value, a band or a percentile line: those are
 * computed here, and a renderer only maps the model to pixels or cells.
 *
 * A chart is one or more panels (small multiples: a grid of panels, each
 * sharing the y scale of the panels of its y_group) over one x axis:
 * categories (weeks, months, statuses) or numbers (instants, in UTC
 * seconds, for CW_X_TIME).  A panel holds its series, benchmark bands (the
 * DORA level ranges, shaded behind the series), reference lines (p50, p85,
 * a planned date) and at most one cone: two of its series whose gap is
 * filled (the forecast's P50..P95 range).  Colours are roles (what a
 * series means), mapped to one palette by cw_chart_colour so the PNG and
 * the workbook agree.  Every string and array is owned by the chart.
 */
#ifndef CW_CHART_H
#define CW_CHART_H

#include <stddef.h>
#include <stdint.h>

struct cw_report;
struct lxw_workbook;

typedef enum cw_plot_kind {
    CW_PLOT_LINE,               /* one line per series, markers at the points */
    CW_PLOT_COLUMN,             /* series side by side per category */
    CW_PLOT_STACKED_COLUMN,     /* one column per category, one segment per series */
    CW_PLOT_SCATTER,            /* points (x, y); no lines */
    CW_PLOT_STACKED_AREA        /* series stacked in order, the first at the bottom */
} cw_plot_kind;

typedef enum cw_chart_x {
    CW_X_CATEGORY,              /* the chart's categories; series have no x */
    CW_X_NUMBER,                /* series carry x; categories (if any) label 1, 2, ... */
    CW_X_TIME                   /* series carry x as UTC seconds; labels are dates */
} cw_chart_x;

/* What a series means; cw_chart_colour maps it to a colour. */
typedef enum cw_chart_role {
    CW_ROLE_SERIES,             /* the index-th colour of the categorical palette */
    CW_ROLE_ORG,
    CW_ROLE_FEATURE, CW_ROLE_DEFECT, CW_ROLE_RISK, CW_ROLE_DEBT,
    CW_ROLE_TODO, CW_ROLE_ACTIVE, CW_ROLE_WAITING, CW_ROLE_DONE,
    CW_ROLE_SCOPE,              /* a release's scope line */
    CW_ROLE_CONE,               /* the forecast range */
    CW_ROLE_P50, CW_ROLE_P85,   /* percentile reference lines */
    CW_ROLE_PLANNED             /* a planned date */
} cw_chart_role;

typedef struct cw_chart_series {
    char *name;
    cw_chart_role role;
    int index;                  /* CW_ROLE_SERIES: which palette colour */
    double *x;                  /* CW_X_NUMBER / CW_X_TIME: n values; else NULL */
    double *y;                  /* n values, NAN = none (a gap) */
    size_t n;
} cw_chart_series;

/* A benchmark band: y in [lo, hi) shaded in the colour of a DORA level
 * (a cw_level); NAN lo: from the axis floor, NAN hi: to the axis top. */
typedef struct cw_chart_band {
    double lo, hi;
    int level;
} cw_chart_band;

/* A reference line: y = at (horizontal) or x = at (vertical, CW_X_TIME or
 * CW_X_NUMBER only), labelled. */
typedef struct cw_chart_line {
    int vertical;
    double at;
    char *label;                /* "p85 12.5 d" */
    cw_chart_role role;
} cw_chart_line;

typedef struct cw_chart_panel {
    char *title;                /* NULL: a chart of one panel needs none */
    char *y_unit;               /* NULL: the chart's */
    int y_group;                /* panels of one group share their y scale */
    cw_chart_series *series;    size_t n_series, cap_series;
    cw_chart_band *bands;       size_t n_bands, cap_bands;
    cw_chart_line *lines;       size_t n_lines, cap_lines;
    int has_cone;               /* series cone_lo..cone_hi filled between, behind the rest */
    size_t cone_lo, cone_hi;
} cw_chart_panel;

typedef struct cw_chart {
    char *id;                   /* stable, [a-z0-9-]: the image's cid and file stem */
    char *title;
    char *alt;                  /* what the chart says, in one sentence */
    cw_plot_kind kind;
    cw_chart_x x_kind;
    char **categories;          size_t n_categories;
    char *x_unit, *y_unit;
    int y_percent;              /* y values are percentages (0..100) */
    int columns;                /* of the panel grid (1: one panel per row) */
    cw_chart_panel *panels;     size_t n_panels, cap_panels;
} cw_chart;

/* ------------------------------------------------------------ building */

void cw_chart_init(cw_chart *c, const char *id, const char *title, cw_plot_kind kind,
                   cw_chart_x x_kind);
void cw_chart_free(cw_chart *c);
void cw_chart_free_all(cw_chart *charts, size_t n);
void cw_chart_add_category(cw_chart *c, const char *label);
cw_chart_panel *cw_chart_add_panel(cw_chart *c, const char *title, int y_group);
/* A series of n points (x NULL for categories); the values are copied. */
cw_chart_series *cw_chart_add_series(cw_chart_panel *p, const char *name, cw_chart_role role,
                                     int index, const double *x, const double *y, size_t n);
void cw_chart_add_band(cw_chart_panel *p, double lo, double hi, int level);
void cw_chart_add_line(cw_chart_panel *p, int vertical, double at, const char *label,
                       cw_chart_role role);
void cw_chart_set_alt(cw_chart *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* 0xRRGGBB of a series' role; of a band's level (a light tint). */
uint32_t cw_chart_colour(cw_chart_role role, int index);
uint32_t cw_chart_band_colour(int level);
/* The y range every panel of group g spans (bands included only where the
 * data reaches them), rounded out to a step of 1, 2 or 5 times a power of
 * ten: [*lo, *hi], *step between gridlines. */
void cw_chart_y_scale(const cw_chart *c, int group, double *lo, double *hi, double *step);
/* The x range of a numeric or time chart (series, cone and vertical lines). */
void cw_chart_x_range(const cw_chart *c, double *lo, double *hi);

/* ------------------------------------------------------------ the charts' data */

/* The queries behind the charts (gathered by cw_report_gather_charts). */
#define CW_CHART_SQL_CYCLE_TIME "reports/sql/report_chart_cycle_time.sql"
#define CW_CHART_SQL_CFD "reports/sql/report_chart_cfd.sql"
#define CW_CHART_SQL_AGING_WIP "reports/sql/report_chart_aging_wip.sql"
#define CW_CHART_SQL_BURNUP "reports/sql/report_chart_burnup.sql"

/* A chart data table filled by hand (tests): as the query named sql would
 * return it, appended to r->exec.charts; NULL when sql names none.  Valid
 * until the next table is added: fill it first. */
struct cw_report_table;
struct cw_report_table *cw_chart_add_data_table(struct cw_report *r, const char *sql,
                                                const char *const *cols, const int *kinds,
                                                size_t n_cols);

/* ------------------------------------------------------------ the charts */

/* Each builds one chart from the report model into c (initialised here) and
 * returns 0, or -1 when the model has nothing for it (c is then empty and
 * needs no free).  r->exec.team_slice, when set, stands in for the
 * organisation. */

/* The four DORA keys of the organisation over the window's weeks, one panel
 * each (2 x 2, each its own scale), DORA bands behind. */
int cw_chart_dora(const struct cw_report *r, cw_chart *c);
/* One DORA key (0..3, cw_report_keys' order) as small multiples: the
 * organisation's panel, then one per team, all on one y scale, bands behind. */
int cw_chart_dora_teams(const struct cw_report *r, size_t key, cw_chart *c);
/* The four keys of the organisation by calendar month (the monthly rows). */
int cw_chart_monthly(const struct cw_report *r, cw_chart *c);
/* Items done in the window: x = done instant, y = cycle time in days, one
 * series per flow type, p50 and p85 lines. */
int cw_chart_cycle_time(const struct cw_report *r, cw_chart *c);
/* Items per state and day: done, waiting, active, to do, stacked. */
int cw_chart_cfd(const struct cw_report *r, cw_chart *c);
/* Items in progress at the window end: x = status column, y = WIP age in
 * days, one series per status, and the p85 cycle time of the window. */
int cw_chart_aging_wip(const struct cw_report *r, cw_chart *c);
/* Items finished per week by flow type, stacked. */
int cw_chart_throughput_type(const struct cw_report *r, cw_chart *c);
/* A release's scope and done by day with its forecast cone (today's done to
 * the scope at P50 .. P95), the P85 and planned dates; release NULL: the
 * model's most at-risk forecast (the first at risk, else the first). */
int cw_chart_burnup(const struct cw_report *r, const char *release, cw_chart *c);

/* A value stream section's stacked bar (CW_SECTION_STACKED_BAR) as a
 * stacked column chart, id "section-<sheet>"; -1 when t has none or no row. */
struct cw_report_table;
int cw_chart_section(const struct cw_report_table *t, cw_chart *c);

/* Every chart the model supports, in reading order (the workbook's Charts
 * sheet and the page); the email's set is a subset (cw_chart_email_set).
 * 0 or -1; free with cw_chart_free_all. */
int cw_chart_all(const struct cw_report *r, cw_chart **out, size_t *n);
int cw_chart_email_set(const struct cw_report *r, cw_chart **out, size_t *n);

/* ------------------------------------------------------------ renderers */

/* Draw c as a PNG of width x height pixels.  0 or -1 (logged); *png is
 * malloc'd. */
int cw_chart_png(const cw_chart *c, int width, int height, unsigned char **png, size_t *len);
/* The email's size: fits a 600 px wide body. */
#define CW_CHART_PNG_WIDTH 600
#define CW_CHART_PNG_HEIGHT 260

/* Every chart of cw_chart_all as a native chart on a "Charts" sheet, the
 * cells they read on a "Chart data" sheet.  0 or -1 (logged). */
int cw_chart_write_xlsx(struct lxw_workbook *wb, const struct cw_report *r);

/* Every chart of cw_chart_all as PNG (for the page), as cw_report_images
 * gives the email's; free with cw_report_images_free. */
struct cw_report_image;
int cw_report_images_all(const struct cw_report *r, struct cw_report_image **out, size_t *n);

#endif
