/*
 * chart_xlsx.c - the report's charts (chart.h) as native workbook charts.
 *
 * Two sheets: "Charts" holds every chart of cw_chart_all (a small multiple
 * is a grid of small charts, one per panel, with the y axis bounds of its
 * group so the panels compare), "Chart data" the cells they read - one
 * block per chart, a header row naming the series (series names reference
 * these cells, never a literal: a team called "=1+2" stays text, as in
 * xlsx.c) and one row per category or point.
 *
 * How the model maps to Excel's chart types (libxlsxwriter):
 *   line on categories        LXW_CHART_LINE; the DORA bands cannot be
 *                             shaded behind it (the Debian libxlsxwriter,
 *                             1.1.4, has no chart_combine to lay a line
 *                             over a stacked area), so each band's lower
 *                             bound is a dashed line in its level's colour
 *                             named "high from 1", the PNG shading them
 *   column, stacked column    LXW_CHART_COLUMN(_STACKED)
 *   stacked area              LXW_CHART_AREA_STACKED
 *   scatter, lines over time  LXW_CHART_SCATTER_STRAIGHT: points are series
 *                             without a line, a reference line is a
 *                             two-point series without markers, dates are
 *                             Excel serial days with a date format
 *   the forecast cone         Excel cannot fill between two scatter lines:
 *                             its two edges (P50 and P95) are drawn as
 *                             dashed lines instead
 */
#include "chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "../core/log.h"
#include "../core/util.h"
#include "report.h"

#define DATA_SHEET "Chart data"
#define CHART_SHEET "Charts"

typedef struct xctx {
    lxw_workbook *wb;
    lxw_worksheet *data, *charts;
    lxw_format *header, *date, *note, *title;
    lxw_row_t data_row;         /* next free row of the data sheet */
    lxw_row_t chart_row;        /* next free row of the charts sheet */
} xctx;

/* Excel's serial date: days since 1899-12-30. */
static double excel_day(double t)
{
    return t / 86400.0 + 25569.0;
}

static void put_number(lxw_worksheet *ws, lxw_row_t r, lxw_col_t c, double v, lxw_format *f)
{
    if (!isnan(v))
        worksheet_write_number(ws, r, c, v, f);
}

static void set_fill(lxw_chart_series *s, uint32_t rgb)
{
    lxw_chart_fill fill = { .color = rgb };
    chart_series_set_fill(s, &fill);
}

static void set_line(lxw_chart_series *s, uint32_t rgb, double width, int dashed)
{
    lxw_chart_line line = { .color = rgb, .width = (float)width,
                            .dash_type = (uint8_t)(dashed ? LXW_CHART_LINE_DASH_DASH : 0) };
    chart_series_set_line(s, &line);
}

static void no_line(lxw_chart_series *s)
{
    lxw_chart_line line = { .none = LXW_TRUE };
    chart_series_set_line(s, &line);
}

static void axis_font(lxw_chart *chart)
{
    lxw_chart_font small = { .size = 8 };
    chart_axis_set_num_font(chart->x_axis, &small);
    chart_axis_set_num_font(chart->y_axis, &small);
}

static lxw_chart *new_chart(xctx *x, uint8_t type, const char *title)
{
    lxw_chart *chart = workbook_add_chart(x->wb, type);
    lxw_chart_font title_font = { .size = 10, .bold = LXW_EXPLICIT_FALSE };
    if (title) {
        chart_title_set_name(chart, title);
        chart_title_set_name_font(chart, &title_font);
    }
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    axis_font(chart);
    return chart;
}

/* ------------------------------------------------------------ categories */

/* A band's lower bound as a dashed line: the workbook's stand-in for the
 * shading (above); in xlsx.c's level colours. */
static uint32_t level_line_colour(int level)
{
    static const uint32_t colours[] = { 0xA6A6A6, 0xE06666, 0xFFC000, 0x93C47D, 0x1E6B34 };
    return colours[level >= 0 && level < 5 ? level : 0];
}

static int by_low(const void *a, const void *b)
{
    const cw_chart_band *x = a, *y = b;
    double p = isnan(x->lo) ? -INFINITY : x->lo, q = isnan(y->lo) ? -INFINITY : y->lo;
    return (p > q) - (p < q);
}

/* A panel on categories: its block (categories down, series then bands
 * across) and its chart. */
static lxw_chart *category_panel(xctx *x, const cw_chart *c, const cw_chart_panel *p)
{
    static const uint8_t types[] = {
        [CW_PLOT_LINE] = LXW_CHART_LINE, [CW_PLOT_COLUMN] = LXW_CHART_COLUMN,
        [CW_PLOT_STACKED_COLUMN] = LXW_CHART_COLUMN_STACKED,
        [CW_PLOT_STACKED_AREA] = LXW_CHART_AREA_STACKED, [CW_PLOT_SCATTER] = LXW_CHART_LINE,
    };
    lxw_worksheet *ws = x->data;
    lxw_row_t head = x->data_row, first = head + 1, last = (lxw_row_t)(head + c->n_categories);
    double lo, hi, step;
    char *title = cw_asprintf("%s%s%s", p->title ? p->title : c->title, p->y_unit ? ", " : "",
                              p->y_unit ? p->y_unit : "");
    cw_chart_band *bands = cw_xcalloc(p->n_bands + 1, sizeof *bands);
    if (p->n_bands)
        memcpy(bands, p->bands, p->n_bands * sizeof *bands);
    qsort(bands, p->n_bands, sizeof *bands, by_low);
    cw_chart_y_scale(c, p->y_group, &lo, &hi, &step);

    worksheet_write_string(ws, head, 0, title, x->header);
    for (size_t i = 0; i < c->n_categories; i++)
        worksheet_write_string(ws, (lxw_row_t)(first + i), 0, c->categories[i], NULL);
    for (size_t s = 0; s < p->n_series; s++) {
        worksheet_write_string(ws, head, (lxw_col_t)(1 + s), p->series[s].name, x->header);
        for (size_t i = 0; i < c->n_categories && i < p->series[s].n; i++)
            put_number(ws, (lxw_row_t)(first + i), (lxw_col_t)(1 + s), p->series[s].y[i], NULL);
    }
    static const char *const level_names[] = { "no data", "low", "medium", "high", "elite" };
    size_t n_bounds = 0;
    for (size_t b = 0; b < p->n_bands; b++) {
        lxw_col_t col = (lxw_col_t)(1 + p->n_series + n_bounds);
        char name[64];
        if (isnan(bands[b].lo) || bands[b].lo <= lo || bands[b].lo >= hi)
            continue;
        snprintf(name, sizeof name, "%s from %.3g",
                 level_names[bands[b].level >= 0 && bands[b].level < 5 ? bands[b].level : 0],
                 bands[b].lo);
        worksheet_write_string(ws, head, col, name, x->header);
        for (size_t i = 0; i < c->n_categories; i++)
            worksheet_write_number(ws, (lxw_row_t)(first + i), col, bands[b].lo, NULL);
        bands[n_bounds++] = bands[b];
    }

    lxw_chart *chart = new_chart(x, types[c->kind], title);
    for (size_t s = 0; s < p->n_series && c->n_categories; s++) {
        const cw_chart_series *se = &p->series[s];
        lxw_chart_series *cs = chart_add_series(chart, NULL, NULL);
        uint32_t rgb = cw_chart_colour(se->role, se->index);
        chart_series_set_categories(cs, DATA_SHEET, first, 0, last, 0);
        chart_series_set_values(cs, DATA_SHEET, first, (lxw_col_t)(1 + s), last, (lxw_col_t)(1 + s));
        chart_series_set_name_range(cs, DATA_SHEET, head, (lxw_col_t)(1 + s));
        if (c->kind == CW_PLOT_LINE) {
            set_line(cs, rgb, 2, 0);
            chart_series_set_marker_type(cs, LXW_CHART_MARKER_CIRCLE);
            chart_series_set_marker_size(cs, 3);
        } else {
            set_fill(cs, rgb);
        }
    }
    /* the panels of a group on one scale (libxlsxwriter 1.1.4 refuses
     * bounds on an area chart's axis: a stacked area has one panel anyway) */
    if (c->kind != CW_PLOT_STACKED_AREA) {
        chart_axis_set_min(chart->y_axis, lo);
        chart_axis_set_max(chart->y_axis, hi);
        chart_axis_set_major_unit(chart->y_axis, step);
    }
    for (size_t b = 0; b < n_bounds && c->n_categories; b++) {
        lxw_col_t col = (lxw_col_t)(1 + p->n_series + b);
        lxw_chart_series *cs = chart_add_series(chart, NULL, NULL);
        chart_series_set_categories(cs, DATA_SHEET, first, 0, last, 0);
        chart_series_set_values(cs, DATA_SHEET, first, col, last, col);
        chart_series_set_name_range(cs, DATA_SHEET, head, col);
        set_line(cs, level_line_colour(bands[b].level), 1, 1);
        chart_series_set_marker_type(cs, LXW_CHART_MARKER_NONE);
    }
    x->data_row = (lxw_row_t)(last + 2);
    free(bands);
    free(title);
    return chart;
}

/* ------------------------------------------------------------ numbers and time */

/* A series of points: two columns (x, y) from col. */
static void xy_block(xctx *x, const cw_chart *c, const char *name, const double *xs,
                     const double *ys, size_t n, lxw_col_t col)
{
    lxw_format *f = c->x_kind == CW_X_TIME ? x->date : NULL;
    worksheet_write_string(x->data, x->data_row, col, c->x_kind == CW_X_TIME ? "date" : "x",
                           x->header);
    worksheet_write_string(x->data, x->data_row, col + 1, name, x->header);
    for (size_t i = 0; i < n; i++) {
        put_number(x->data, (lxw_row_t)(x->data_row + 1 + i), col,
                   c->x_kind == CW_X_TIME ? excel_day(xs[i]) : xs[i], f);
        put_number(x->data, (lxw_row_t)(x->data_row + 1 + i), col + 1, ys[i], NULL);
    }
}

static lxw_chart_series *xy_series(lxw_chart *chart, lxw_row_t head, size_t n, lxw_col_t col)
{
    lxw_chart_series *cs = chart_add_series(chart, NULL, NULL);
    lxw_row_t last = (lxw_row_t)(head + (n ? n : 1));
    chart_series_set_categories(cs, DATA_SHEET, head + 1, col, last, col);
    chart_series_set_values(cs, DATA_SHEET, head + 1, col + 1, last, col + 1);
    chart_series_set_name_range(cs, DATA_SHEET, head, col + 1);
    return cs;
}

static lxw_chart *xy_panel(xctx *x, const cw_chart *c, const cw_chart_panel *p)
{
    lxw_chart *chart = new_chart(x, LXW_CHART_SCATTER_STRAIGHT, p->title ? p->title : c->title);
    lxw_row_t head = x->data_row;
    size_t rows = 2;
    lxw_col_t col = 0;
    double lo, hi, step, xlo, xhi;
    cw_chart_y_scale(c, p->y_group, &lo, &hi, &step);
    if (c->x_kind == CW_X_NUMBER && c->n_categories) {
        xlo = 0.5;
        xhi = (double)c->n_categories + 0.5;
    } else {
        cw_chart_x_range(c, &xlo, &xhi);
    }
    worksheet_write_string(x->data, head, 0, c->title, x->header);
    x->data_row++;
    head = x->data_row;
    for (size_t s = 0; s < p->n_series; s++, col += 2) {
        const cw_chart_series *se = &p->series[s];
        int cone = p->has_cone && (s == p->cone_lo || s == p->cone_hi);
        xy_block(x, c, se->name, se->x, se->y, se->n, col);
        lxw_chart_series *cs = xy_series(chart, head, se->n, col);
        uint32_t rgb = cw_chart_colour(se->role, se->index);
        if (c->kind == CW_PLOT_SCATTER) {
            lxw_chart_fill fill = { .color = rgb };
            lxw_chart_line edge = { .none = LXW_TRUE };
            no_line(cs);
            chart_series_set_marker_type(cs, LXW_CHART_MARKER_SQUARE);
            chart_series_set_marker_size(cs, 3);
            chart_series_set_marker_fill(cs, &fill);
            chart_series_set_marker_line(cs, &edge);
        } else {
            set_line(cs, cone ? 0xC55A11 : rgb, cone ? 1.25 : 2, cone);
            chart_series_set_marker_type(cs, LXW_CHART_MARKER_NONE);
        }
        rows = se->n + 1 > rows ? se->n + 1 : rows;
    }
    /* reference lines: two points each, across the plot or up it */
    for (size_t l = 0; l < p->n_lines; l++, col += 2) {
        const cw_chart_line *ln = &p->lines[l];
        double xs[2] = { ln->vertical ? ln->at : xlo, ln->vertical ? ln->at : xhi };
        double ys[2] = { ln->vertical ? lo : ln->at, ln->vertical ? hi : ln->at };
        xy_block(x, c, ln->label ? ln->label : "", xs, ys, 2, col);
        lxw_chart_series *cs = xy_series(chart, head, 2, col);
        set_line(cs, cw_chart_colour(ln->role, 0), 1.25, 1);
        chart_series_set_marker_type(cs, LXW_CHART_MARKER_NONE);
    }
    chart_axis_set_min(chart->y_axis, lo);
    chart_axis_set_max(chart->y_axis, hi);
    chart_axis_set_major_unit(chart->y_axis, step);
    chart_axis_set_min(chart->x_axis, c->x_kind == CW_X_TIME ? excel_day(xlo) : xlo);
    chart_axis_set_max(chart->x_axis, c->x_kind == CW_X_TIME ? excel_day(xhi) : xhi);
    if (c->x_kind == CW_X_TIME)
        chart_axis_set_num_format(chart->x_axis, "yyyy-mm-dd");
    if (c->x_kind == CW_X_NUMBER) {
        /* the status columns are named by the legend, not by 1, 2, 3 */
        chart_axis_set_num_format(chart->x_axis, ";;;");
    }
    if (c->x_unit)
        chart_axis_set_name(chart->x_axis, c->x_unit);
    if (c->y_unit)
        chart_axis_set_name(chart->y_axis, c->y_unit);
    x->data_row = (lxw_row_t)(head + rows + 1);
    return chart;
}

/* ------------------------------------------------------------ the sheets */

static void write_chart(xctx *x, const cw_chart *c)
{
    size_t cols = c->columns > 0 ? (size_t)c->columns : 1;
    int small = c->n_panels > 1;
    lxw_chart_options size = { .x_scale = small ? 0.75 : 1.5, .y_scale = small ? 0.8 : 1.1 };
    lxw_row_t rows_per = small ? 13 : 17;
    worksheet_write_string(x->charts, x->chart_row, 0, c->title, x->title);
    if (c->alt)
        worksheet_write_string(x->charts, x->chart_row + 1, 0, c->alt, x->note);
    x->chart_row += 2;
    for (size_t i = 0; i < c->n_panels; i++) {
        const cw_chart_panel *p = &c->panels[i];
        lxw_chart *chart = c->x_kind == CW_X_CATEGORY ? category_panel(x, c, p) : xy_panel(x, c, p);
        if (c->y_unit && c->x_kind == CW_X_CATEGORY && !small)
            chart_axis_set_name(chart->y_axis, c->y_unit);
        worksheet_insert_chart_opt(x->charts, (lxw_row_t)(x->chart_row + (i / cols) * rows_per),
                                   (lxw_col_t)((i % cols) * 6), chart, &size);
    }
    x->chart_row += (lxw_row_t)(((c->n_panels + cols - 1) / cols) * rows_per + 1);
}

int cw_chart_write_xlsx(lxw_workbook *wb, const cw_report *r)
{
    cw_chart *charts;
    size_t n;
    xctx x = { .wb = wb };
    if (cw_chart_all(r, &charts, &n) != 0)
        return -1;
    if (n == 0) {
        free(charts);
        return 0;
    }
    x.charts = workbook_add_worksheet(wb, CHART_SHEET);
    x.data = workbook_add_worksheet(wb, DATA_SHEET);
    x.header = workbook_add_format(wb);
    format_set_bold(x.header);
    format_set_bg_color(x.header, 0xDDE3EA);
    x.date = workbook_add_format(wb);
    format_set_num_format(x.date, "yyyy-mm-dd hh:mm");
    x.note = workbook_add_format(wb);
    format_set_font_color(x.note, 0x595959);
    x.title = workbook_add_format(wb);
    format_set_bold(x.title);
    format_set_font_size(x.title, 12);
    worksheet_set_landscape(x.charts);
    worksheet_fit_to_pages(x.charts, 1, 0);
    worksheet_set_column(x.data, 0, 0, 14, NULL);
    for (size_t i = 0; i < n; i++)
        write_chart(&x, &charts[i]);
    cw_chart_free_all(charts, n);
    return 0;
}
