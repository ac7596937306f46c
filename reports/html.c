/*
 * html.c - the weekly report as one self-contained HTML page.
 *
 * The layout is the template weekly.html (reports/template.h) with its
 * partials, read from the `[report] templates` folder or the built-in copy,
 * over the context every renderer shares (reports/context.c).  This file
 * adds what only the page has: the charts, as the PNG images of
 * cw_report_images embedded as data: URIs, or - only while no PNG is drawn -
 * the inline SVG charts drawn here, plus the numbers behind each chart.
 *
 * Security: the page has no script, no external URL, font or image; the
 * template escapes every data string, and the SVG below passes each one
 * through html_escape().  Numbers are formatted by us and need none.
 */
#include "report.h"
#include "context.h"
#include "template.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"
#include "../core/util.h"

#define TEMPLATE "weekly.html"

/* Series colours: the organisation first, then teams (cycled). */
static const char *const series_colour[] = {
    "#24292f", "#0969da", "#bf3989", "#1a7f37", "#bc4c00", "#8250df", "#1b7c83", "#9a6700",
};
#define N_COLOURS (sizeof series_colour / sizeof series_colour[0])

/* ------------------------------------------------------------ text */

/* Data text in the SVG: the templates' escape (template.h). */
static void html_escape(cw_buf *b, const char *s)
{
    if (s)
        cw_template_escape(b, s, strlen(s));
}

static void number_cell(cw_buf *b, double v, cw_report_num style)
{
    char text[64];
    cw_report_format(text, sizeof text, v, style);
    cw_buf_printf(b, "<td class=\"num\">%s</td>", text);
}

static void text_cell(cw_buf *b, const char *s)
{
    cw_buf_puts(b, "<td>");
    html_escape(b, s);
    cw_buf_puts(b, "</td>");
}

static cw_report_num field_style(const cw_metric_field *field, int is_rate)
{
    return is_rate ? CW_NUM_RATE : field->is_double ? CW_NUM_HOURS : CW_NUM_INTEGER;
}

/* ------------------------------------------------------------ SVG charts */

enum { SVG_W = 620, SVG_H = 260, PAD_L = 56, PAD_R = 12, PAD_T = 12, PAD_B = 44 };

/* A round axis maximum (1, 2 or 5 times a power of ten per gridline). */
static double nice_step(double max)
{
    double raw = max / 4.0, p = pow(10.0, floor(log10(raw)));
    double m = raw / p;
    return (m <= 1.0 ? 1.0 : m <= 2.0 ? 2.0 : m <= 5.0 ? 5.0 : 10.0) * p;
}

typedef struct plot {
    const cw_report *r;
    const cw_report_axes *a;
    const cw_metric_field *field;
    const cw_report_chart *chart;
    double step, top;               /* gridline step, axis maximum */
} plot;

static double plot_x(const plot *pl, double slot)   /* slot centre, 0-based, may be fractional */
{
    double inner = SVG_W - PAD_L - PAD_R;
    return PAD_L + inner * (slot + 0.5) / (double)pl->a->n_periods;
}

static double plot_y(const plot *pl, double v)
{
    return PAD_T + (SVG_H - PAD_T - PAD_B) * (1.0 - v / pl->top);
}

static void svg_axes(cw_buf *b, const plot *pl)
{
    for (double v = 0; v <= pl->top + pl->step / 2; v += pl->step) {
        char label[32];
        cw_report_format(label, sizeof label, v, pl->chart->is_rate ? CW_NUM_RATE
                                              : pl->step < 1 ? CW_NUM_RATIO : CW_NUM_INTEGER);
        cw_buf_printf(b, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>"
                         "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                      PAD_L, plot_y(pl, v), SVG_W - PAD_R, plot_y(pl, v),
                      PAD_L - 6, plot_y(pl, v) + 4, label);
    }
    cw_buf_printf(b, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
                  PAD_L, SVG_H - PAD_B, SVG_W - PAD_R, SVG_H - PAD_B);
    /* Week labels as MM-DD; every other one when the weeks are many. */
    size_t every = pl->a->n_periods > 16 ? 2 : 1;
    for (size_t p = 0; p < pl->a->n_periods; p += every)
        cw_buf_printf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.5s</text>\n",
                      plot_x(pl, (double)p), SVG_H - PAD_B + 16, pl->a->periods[p] + 5);
    cw_buf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">week starting</text>\n",
                  (SVG_W + PAD_L) / 2, SVG_H - 8);
    cw_buf_printf(b, "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">",
                  SVG_H / 2, SVG_H / 2);
    html_escape(b, pl->chart->unit);
    cw_buf_puts(b, "</text>\n");
}

/* A tooltip naming the series, week and value. */
static void svg_tooltip(cw_buf *b, const plot *pl, size_t s, size_t p, double v)
{
    char text[64];
    cw_report_format(text, sizeof text, v, field_style(pl->field, pl->chart->is_rate));
    cw_buf_puts(b, "<title>");
    html_escape(b, pl->a->series[s]);
    cw_buf_printf(b, ", week of %s: %s</title>", pl->a->periods[p], text);
}

/* Lines break at null weeks rather than pretending they are zero. */
static void svg_line(cw_buf *b, const plot *pl, size_t s)
{
    const char *colour = series_colour[s % N_COLOURS];
    int pen_down = 0;
    cw_buf_printf(b, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2\" d=\"", colour);
    for (size_t p = 0; p < pl->a->n_periods; p++) {
        double v = cw_report_series_value(pl->r, pl->a, s, p, pl->field);
        if (isnan(v)) {
            pen_down = 0;
            continue;
        }
        cw_buf_printf(b, "%s%.1f %.1f ", pen_down ? "L" : "M", plot_x(pl, (double)p), plot_y(pl, v));
        pen_down = 1;
    }
    cw_buf_puts(b, "\"/>\n");
    for (size_t p = 0; p < pl->a->n_periods; p++) {
        double v = cw_report_series_value(pl->r, pl->a, s, p, pl->field);
        if (isnan(v))
            continue;
        cw_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\">",
                      plot_x(pl, (double)p), plot_y(pl, v), colour);
        svg_tooltip(b, pl, s, p, v);
        cw_buf_puts(b, "</circle>\n");
    }
}

/* Bars of all series side by side within each week's slot. */
static void svg_columns(cw_buf *b, const plot *pl, size_t s)
{
    double slot = (SVG_W - PAD_L - PAD_R) / (double)pl->a->n_periods;
    double width = slot * 0.8 / (double)pl->a->n_series;
    for (size_t p = 0; p < pl->a->n_periods; p++) {
        double v = cw_report_series_value(pl->r, pl->a, s, p, pl->field);
        if (isnan(v))
            continue;
        double x = plot_x(pl, (double)p) - slot * 0.4 + width * (double)s;
        cw_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
                      x, plot_y(pl, v), width, plot_y(pl, 0) - plot_y(pl, v),
                      series_colour[s % N_COLOURS]);
        svg_tooltip(b, pl, s, p, v);
        cw_buf_puts(b, "</rect>\n");
    }
}

static void svg_legend(cw_buf *b, const cw_report_axes *a)
{
    cw_buf_puts(b, "<div class=\"legend\">");
    for (size_t s = 0; s < a->n_series; s++) {
        cw_buf_printf(b, "<span><span class=\"swatch\" style=\"background:%s\"></span>",
                      series_colour[s % N_COLOURS]);
        html_escape(b, a->series[s]);
        cw_buf_puts(b, "</span>");
    }
    cw_buf_puts(b, "</div>\n");
}

static void render_chart(cw_buf *b, const cw_report *r, const cw_report_axes *a,
                         const cw_report_chart *chart)
{
    plot pl = { r, a, cw_report_field_find(chart->field), chart, 1, 0 };
    for (size_t s = 0; s < a->n_series; s++)
        for (size_t p = 0; p < a->n_periods; p++) {
            double v = cw_report_series_value(r, a, s, p, pl.field);
            if (!isnan(v) && v > pl.top)
                pl.top = v;
        }
    /* Rates are at most 1; counts are whole: keep their gridlines meaningful. */
    pl.step = pl.top > 0 ? nice_step(pl.top) : (chart->is_rate ? 0.25 : 1);
    if (!chart->is_rate && !pl.field->is_double && pl.step < 1)
        pl.step = 1;
    pl.top = pl.step * ceil(pl.top / pl.step);
    if (pl.top <= 0)
        pl.top = pl.step * 4;

    cw_buf_puts(b, "<figure><figcaption>");
    html_escape(b, chart->title);
    cw_buf_printf(b, "</figcaption>\n<svg width=\"%d\" "
                     "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
                  SVG_W, SVG_H, SVG_W, SVG_H);
    svg_axes(b, &pl);
    for (size_t s = 0; s < a->n_series && a->n_periods > 0; s++) {
        if (chart->kind == CW_CHART_COLUMN)
            svg_columns(b, &pl, s);
        else
            svg_line(b, &pl, s);
    }
    cw_buf_puts(b, "</svg>\n");
    svg_legend(b, a);
    cw_buf_puts(b, "</figure>\n");
}

/* The numbers behind a chart, folded away as in the workbook's tables. */
static void render_chart_table(cw_buf *b, const cw_report *r, const cw_report_axes *a,
                               const cw_report_chart *chart)
{
    const cw_metric_field *field = cw_report_field_find(chart->field);
    cw_buf_puts(b, "<details><summary>");
    html_escape(b, chart->title);
    cw_buf_puts(b, ": table</summary>\n<div class=\"scroll\"><table>\n<tr><th>Week</th>");
    for (size_t s = 0; s < a->n_series; s++) {
        cw_buf_puts(b, "<th>");
        html_escape(b, a->series[s]);
        cw_buf_puts(b, "</th>");
    }
    cw_buf_puts(b, "</tr>\n");
    for (size_t p = 0; p < a->n_periods; p++) {
        cw_buf_puts(b, "<tr>");
        text_cell(b, a->periods[p]);
        for (size_t s = 0; s < a->n_series; s++)
            number_cell(b, cw_report_series_value(r, a, s, p, field),
                        field_style(field, chart->is_rate));
        cw_buf_puts(b, "</tr>\n");
    }
    cw_buf_puts(b, "</table></div></details>\n");
}

/* One part per metric family: its SVG charts (svg: no PNG was drawn) and
 * the numbers behind them. */
static void render_families(cw_buf *b, const cw_report *r, int svg)
{
    cw_report_axes a;
    cw_report_axes_build(r, &a);
    for (size_t i = 0; i < cw_report_n_families; i++) {
        const cw_report_family *family = &cw_report_families[i];
        cw_buf_puts(b, "<section class=\"family\">\n<h3>");
        html_escape(b, family->sheet);
        cw_buf_puts(b, "</h3>\n");
        if (svg) {
            cw_buf_puts(b, "<div class=\"charts\">\n");
            for (size_t c = 0; c < family->n_charts; c++)
                render_chart(b, r, &a, &family->charts[c]);
            cw_buf_puts(b, "</div>\n");
        }
        for (size_t c = 0; c < family->n_charts; c++)
            render_chart_table(b, r, &a, &family->charts[c]);
        cw_buf_puts(b, "</section>\n");
    }
    cw_report_axes_free(&a);
}

/* ------------------------------------------------------------ value stream sections */

static const char *const active_fill[] = { "#2f5597", "#5b9bd5", "#9dc3e6", "#1f3864", "#bdd7ee" };
static const char *const waiting_fill[] = { "#c55a11", "#f4b183", "#ed7d31", "#843c0c", "#f8cbad" };

/* One horizontal bar per category, its segments in series order; the same
 * colours as the workbook's chart (blue active, orange waiting). */
static void render_stacked_bar(cw_buf *b, const cw_report_table *t)
{
    cw_report_pivot p;
    double max = 0;
    const double label_w = 160, bar_h = 18, gap = 6, plot_w = SVG_W - 160 - 20;
    size_t n_active = 0, n_waiting = 0;
    if (cw_report_pivot_build(t, &p) != 0 || p.n_categories == 0) {
        cw_report_pivot_free(&p);
        return;
    }
    const char **fill = cw_xcalloc(p.n_series + 1, sizeof *fill);
    for (size_t s = 0; s < p.n_series; s++)
        fill[s] = p.waiting[s] ? waiting_fill[n_waiting++ % 5] : active_fill[n_active++ % 5];
    for (size_t c = 0; c < p.n_categories; c++) {
        double sum = 0;
        for (size_t s = 0; s < p.n_series; s++)
            sum += p.values[c * p.n_series + s];
        max = sum > max ? sum : max;
    }
    cw_buf_puts(b, "<div class=\"legend\">");
    for (size_t s = 0; s < p.n_series; s++) {
        cw_buf_printf(b, "<span><span class=\"swatch\" style=\"background:%s\"></span>", fill[s]);
        html_escape(b, p.series[s]);
        cw_buf_puts(b, p.waiting[s] ? " (waiting)</span>" : "</span>");
    }
    cw_buf_printf(b, "</div>\n<svg role=\"img\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\">\n",
                  SVG_W, (double)p.n_categories * (bar_h + gap) + gap, SVG_W,
                  (double)p.n_categories * (bar_h + gap) + gap);
    for (size_t c = 0; c < p.n_categories; c++) {
        double y = gap + (double)c * (bar_h + gap), x = label_w;
        cw_buf_printf(b, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">", label_w - 6,
                      y + bar_h - 5);
        html_escape(b, p.categories[c]);
        cw_buf_puts(b, "</text>\n");
        for (size_t s = 0; s < p.n_series && max > 0; s++) {
            double v = p.values[c * p.n_series + s], w = v / max * plot_w;
            if (w <= 0)
                continue;
            cw_buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\">"
                             "<title>", x, y, w, bar_h, fill[s]);
            html_escape(b, p.categories[c]);
            cw_buf_puts(b, ": ");
            html_escape(b, p.series[s]);
            cw_buf_printf(b, " %.1f h</title></rect>\n", v);
            x += w;
        }
    }
    cw_buf_puts(b, "</svg>\n");
    free(fill);
    cw_report_pivot_free(&p);
}

/* ------------------------------------------------------------ the page */

/* The page-only parts of the context: the numbers behind each chart, and,
 * while cw_report_images draws nothing, the SVG charts (the families' and
 * the value stream sections' stacked bars). */
static void add_charts(json_t *ctx, const cw_report *r, int svg)
{
    cw_buf families = {0};
    render_families(&families, r, svg);
    json_object_set_new(ctx, "families", json_string(families.data ? families.data : ""));
    cw_buf_free(&families);
    json_t *sections = json_object_get(ctx, "sections");
    for (size_t i = 0; svg && i < r->n_tables && i < json_array_size(sections); i++) {
        cw_buf bar = {0};
        if (r->tables[i].section->chart == CW_SECTION_STACKED_BAR)
            render_stacked_bar(&bar, &r->tables[i]);
        if (bar.data)
            json_object_set_new(json_array_get(sections, i), "chart_svg", json_string(bar.data));
        cw_buf_free(&bar);
    }
}

/* Fill the temporary file cw_write_atomic reserved. */
static int write_page(void *ctx, const char *tmp_path)
{
    const cw_buf *b = ctx;
    FILE *f = fopen(tmp_path, "wb");
    size_t written;
    if (!f)
        return -1;
    written = fwrite(b->data, 1, b->len, f);
    return fclose(f) != 0 || written != b->len ? -1 : 0;
}

/* A kill or a full disk while writing must leave last week's page whole. */
static int write_file(const char *path, cw_buf *b)
{
    if (cw_write_atomic(path, write_page, b) == 0)
        return 0;
    cw_error("report: cannot write %s: %s (the previous file, if any, is unchanged)", path,
             strerror(errno));
    return -1;
}

int cw_report_html_page(const cw_report *r, const cw_report_image *images, size_t n_images,
                        cw_buf *out)
{
    json_t *ctx = cw_report_context(r, images, n_images, CW_CONTEXT_DATA_URI);
    add_charts(ctx, r, n_images == 0);
    int rc = cw_template_render_file(cw_report_templates_dir(r), TEMPLATE, ctx, out);
    json_decref(ctx);
    return rc;
}

int cw_report_write_html(const cw_report *r, const char *path)
{
    cw_report_image *images = NULL;
    size_t n_images = 0;
    cw_buf page = {0};
    int rc = -1;
    if (cw_report_images(r, &images, &n_images) != 0)
        return -1;
    if (cw_report_html_page(r, images, n_images, &page) == 0)
        rc = write_file(path, &page);
    cw_report_images_free(images, n_images);
    cw_buf_free(&page);
    return rc;
}
