/*
 * html.c - the weekly report as one self-contained HTML page.
 *
 * The layout and CSS are templates/weekly.html (embedded in the binary);
 * this file renders the fragments its placeholders name: the summary table
 * with level colours and trends, one section per metric family with inline
 * SVG line/column charts drawn here, the audit lists and the data table.
 *
 * Security: the page has no script, no external URL, font or image, and
 * every data string (names, summaries, revisions...) goes through
 * html_escape() - the only way text enters the page.  Numbers are formatted
 * by us and need none.
 */
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/embedded.h"
#include "../core/log.h"
#include "../core/util.h"

#define TEMPLATE "templates/weekly.html"

/* Series colours: the organisation first, then teams (cycled). */
static const char *const series_colour[] = {
    "#24292f", "#0969da", "#bf3989", "#1a7f37", "#bc4c00", "#8250df", "#1b7c83", "#9a6700",
};
#define N_COLOURS (sizeof series_colour / sizeof series_colour[0])

static const char *const level_class[] = {
    [CW_LEVEL_NONE] = "lvl-none", [CW_LEVEL_LOW] = "lvl-low", [CW_LEVEL_MEDIUM] = "lvl-medium",
    [CW_LEVEL_HIGH] = "lvl-high", [CW_LEVEL_ELITE] = "lvl-elite",
};

/* ------------------------------------------------------------ text */

/* The one way data text enters the page: & < > " ' become entities. */
static void html_escape(cw_buf *b, const char *s)
{
    if (!s)
        return;
    for (; *s; s++) {
        switch (*s) {
        case '&': cw_buf_puts(b, "&amp;"); break;
        case '<': cw_buf_puts(b, "&lt;"); break;
        case '>': cw_buf_puts(b, "&gt;"); break;
        case '"': cw_buf_puts(b, "&quot;"); break;
        case '\'': cw_buf_puts(b, "&#39;"); break;
        default: cw_buf_append(b, s, 1);
        }
    }
}

typedef enum num_style { NUM_INTEGER, NUM_HOURS, NUM_RATIO, NUM_RATE } num_style;

/* A number as the workbook shows it; NAN (null) is an empty string. */
static void format_number(char *buf, size_t size, double v, num_style style)
{
    if (isnan(v)) {
        buf[0] = '\0';
        return;
    }
    switch (style) {
    case NUM_INTEGER: snprintf(buf, size, "%.0f", v); break;
    case NUM_HOURS: snprintf(buf, size, "%.1f", v); break;
    case NUM_RATIO: snprintf(buf, size, "%.2f", v); break;
    case NUM_RATE: snprintf(buf, size, "%.1f%%", v * 100.0); break;
    }
}

static void number_cell(cw_buf *b, double v, num_style style, const char *cls)
{
    char text[64];
    format_number(text, sizeof text, v, style);
    cw_buf_printf(b, "<td class=\"num%s%s\">%s</td>", cls ? " " : "", cls ? cls : "", text);
}

static void text_cell(cw_buf *b, const char *s)
{
    cw_buf_puts(b, "<td>");
    html_escape(b, s);
    cw_buf_puts(b, "</td>");
}

static void header_row(cw_buf *b, const char *const *labels, size_t n)
{
    cw_buf_puts(b, "<tr>");
    for (size_t i = 0; i < n; i++) {
        cw_buf_puts(b, "<th>");
        html_escape(b, labels[i]);
        cw_buf_puts(b, "</th>");
    }
    cw_buf_puts(b, "</tr>\n");
}

static num_style field_style(const cw_metric_field *field, int is_rate)
{
    return is_rate ? NUM_RATE : field->is_double ? NUM_HOURS : NUM_INTEGER;
}

/* ------------------------------------------------------------ summary */

static void trend_cell(cw_buf *b, cw_report_trend t, int is_rate)
{
    static const char *const arrow[3] = { "\xe2\x96\xbc", "\xe2\x96\xba", "\xe2\x96\xb2" };
    static const char *const cls[3] = { "worse", "flat", "better" };
    char text[64];
    if (isnan(t.delta)) {
        cw_buf_puts(b, "<td class=\"num none\"></td>");
        return;
    }
    format_number(text, sizeof text, t.delta, is_rate ? NUM_RATE : NUM_RATIO);
    cw_buf_printf(b, "<td class=\"num %s\">%s %s%s</td>", cls[t.better + 1],
                  arrow[t.direction + 1], t.delta > 0 ? "+" : "", text);
}

static void summary_row(cw_buf *b, const cw_dora_summary *s)
{
    cw_buf_puts(b, "<tr>");
    text_cell(b, cw_report_scope_name(s->scope));
    text_cell(b, s->name);
    text_cell(b, s->team);
    number_cell(b, (double)s->deployments, NUM_INTEGER, NULL);
    for (size_t k = 0; k < cw_report_n_keys; k++) {
        const cw_report_key *key = &cw_report_keys[k];
        cw_level level = cw_report_key_level(s, key);
        number_cell(b, cw_report_key_value(s, key), key->is_rate ? NUM_RATE : NUM_RATIO,
                    level_class[level]);
        cw_buf_printf(b, "<td class=\"level %s\">%s</td>", level_class[level],
                      cw_report_level_label(level));
        trend_cell(b, cw_report_key_trend(s, key), key->is_rate);
    }
    cw_buf_puts(b, "</tr>\n");
}

static void render_summary(cw_buf *b, const cw_report *r)
{
    cw_buf_puts(b, "<table class=\"summary\">\n<tr><th rowspan=\"2\">Scope</th><th rowspan=\"2\">"
                   "Name</th><th rowspan=\"2\">Team</th><th rowspan=\"2\">Deployments</th>");
    for (size_t k = 0; k < cw_report_n_keys; k++) {
        cw_buf_puts(b, "<th colspan=\"3\">");
        html_escape(b, cw_report_keys[k].label);
        cw_buf_puts(b, "</th>");
    }
    cw_buf_puts(b, "</tr>\n<tr>");
    for (size_t k = 0; k < cw_report_n_keys; k++) {
        cw_buf_puts(b, "<th>");
        html_escape(b, *cw_report_keys[k].unit ? cw_report_keys[k].unit : "rate");
        cw_buf_puts(b, "</th><th>Level</th><th>Trend</th>");
    }
    cw_buf_puts(b, "</tr>\n");
    for (size_t i = 0; i < r->n_summaries; i++)
        summary_row(b, &r->summaries[i]);
    cw_buf_puts(b, "</table>\n<div class=\"legend\">");
    for (int l = CW_LEVEL_ELITE; l >= CW_LEVEL_NONE; l--)
        cw_buf_printf(b, "<span><span class=\"swatch %s\"></span>%s</span>", level_class[l],
                      cw_report_level_label((cw_level)l));
    cw_buf_puts(b, "</div>\n");
    char *coverage = cw_report_coverage_summary(r);
    if (*coverage) {
        cw_buf_puts(b, "<p class=\"note\">Organisation: ");
        html_escape(b, coverage);
        cw_buf_puts(b, " (every scope: the coverage section below).</p>\n");
    }
    free(coverage);
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
        format_number(label, sizeof label, v, pl->chart->is_rate ? NUM_RATE
                                              : pl->step < 1 ? NUM_RATIO : NUM_INTEGER);
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
    format_number(text, sizeof text, v, field_style(pl->field, pl->chart->is_rate));
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
    cw_buf_puts(b, ": table</summary>\n<table>\n<tr><th>Week</th>");
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
                        field_style(field, chart->is_rate), NULL);
        cw_buf_puts(b, "</tr>\n");
    }
    cw_buf_puts(b, "</table></details>\n");
}

static void render_families(cw_buf *b, const cw_report *r)
{
    cw_report_axes a;
    cw_report_axes_build(r, &a);
    for (size_t i = 0; i < cw_report_n_families; i++) {
        const cw_report_family *family = &cw_report_families[i];
        cw_buf_puts(b, "<section class=\"family\">\n<h2>");
        html_escape(b, family->sheet);
        cw_buf_puts(b, "</h2>\n<div class=\"charts\">\n");
        for (size_t c = 0; c < family->n_charts; c++)
            render_chart(b, r, &a, &family->charts[c]);
        cw_buf_puts(b, "</div>\n");
        for (size_t c = 0; c < family->n_charts; c++)
            render_chart_table(b, r, &a, &family->charts[c]);
        cw_buf_puts(b, "</section>\n");
    }
    cw_report_axes_free(&a);
}

/* ------------------------------------------------------------ value stream sections */

static const char *const active_fill[] = { "#2f5597", "#5b9bd5", "#9dc3e6", "#1f3864", "#bdd7ee" };
static const char *const waiting_fill[] = { "#c55a11", "#f4b183", "#ed7d31", "#843c0c", "#f8cbad" };

static void section_cell(cw_buf *b, cw_report_cell_kind kind, double v, const char *text)
{
    char when[21];
    if (text) {
        text_cell(b, text);
        return;
    }
    switch (kind) {
    case CW_CELL_HOURS: number_cell(b, v, NUM_HOURS, NULL); break;
    case CW_CELL_RATE: number_cell(b, v, NUM_RATE, NULL); break;
    case CW_CELL_REAL: number_cell(b, v, NUM_RATIO, NULL); break;
    case CW_CELL_INSTANT:
        when[0] = '\0';
        if (!isnan(v))
            cw_time_format_iso((int64_t)v, when, sizeof when);
        text_cell(b, when);
        break;
    default: number_cell(b, v, NUM_INTEGER, NULL); break;
    }
}

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

static void render_sections(cw_buf *b, const cw_report *r)
{
    for (size_t i = 0; i < r->n_tables; i++) {
        const cw_report_table *t = &r->tables[i];
        cw_buf_puts(b, "<section>\n<h2>");
        html_escape(b, t->section->title);
        cw_buf_puts(b, "</h2>\n<p class=\"note\">");
        html_escape(b, t->section->intro);
        cw_buf_puts(b, "</p>\n");
        if (t->section->chart == CW_SECTION_STACKED_BAR)
            render_stacked_bar(b, t);
        cw_buf_puts(b, "<table>\n<tr>");
        for (size_t c = 0; c < t->n_cols; c++) {
            char *heading = cw_report_table_heading(t, c);
            cw_buf_puts(b, "<th>");
            html_escape(b, heading);
            cw_buf_puts(b, "</th>");
            free(heading);
        }
        cw_buf_puts(b, "</tr>\n");
        for (size_t row = 0; row < t->n_rows; row++) {
            cw_buf_puts(b, "<tr>");
            for (size_t c = 0; c < t->n_cols; c++)
                section_cell(b, t->kinds[c], t->nums[row * t->n_cols + c],
                             t->texts[row * t->n_cols + c]);
            cw_buf_puts(b, "</tr>\n");
        }
        if (t->n_rows == 0)
            cw_buf_printf(b, "<tr><td colspan=\"%zu\" class=\"note\">none in this window</td></tr>\n",
                          t->n_cols ? t->n_cols : 1);
        cw_buf_puts(b, "</table>\n</section>\n");
    }
}

/* ------------------------------------------------------------ audit and data */

static void render_audit(cw_buf *b, const cw_report *r)
{
    static const char *const untraceable_head[] = { "Application", "Job", "Run", "Finished (UTC)",
                                                    "Revision", "Environment" };
    static const char *const rejects_head[] = { "Source", "Rejected records", "Last batch" };
    static const char *const wip_head[] = { "Work item", "Summary", "Application", "Status",
                                            "WIP age (hours)", "WIP age (days)" };
    cw_buf_puts(b, "<h3>Untraceable production deployments (revision not in the commit graph)</h3>\n"
                   "<table>\n");
    header_row(b, untraceable_head, 6);
    for (size_t i = 0; i < r->n_untraceable; i++) {
        const cw_report_untraceable *u = &r->untraceable[i];
        char when[21];
        cw_time_format_iso(u->finished_at, when, sizeof when);
        cw_buf_puts(b, "<tr>");
        text_cell(b, u->application);
        text_cell(b, u->job);
        number_cell(b, (double)u->number, NUM_INTEGER, NULL);
        text_cell(b, when);
        text_cell(b, u->revision);
        text_cell(b, u->environment);
        cw_buf_puts(b, "</tr>\n");
    }
    cw_buf_puts(b, "</table>\n<h3>Rejected records per source</h3>\n<table>\n");
    header_row(b, rejects_head, 3);
    for (size_t i = 0; i < r->n_rejects; i++) {
        cw_buf_puts(b, "<tr>");
        text_cell(b, r->rejects[i].source);
        number_cell(b, (double)r->rejects[i].rejects, NUM_INTEGER, NULL);
        number_cell(b, (double)r->rejects[i].last_batch, NUM_INTEGER, NULL);
        cw_buf_puts(b, "</tr>\n");
    }
    cw_buf_puts(b, "</table>\n<h3>Oldest work in progress at the end of the window</h3>\n<table>\n");
    header_row(b, wip_head, 6);
    for (size_t i = 0; i < r->n_wip; i++) {
        const cw_report_wip *w = &r->wip[i];
        cw_buf_puts(b, "<tr>");
        text_cell(b, w->item_key);
        text_cell(b, w->summary);
        text_cell(b, w->application);
        text_cell(b, w->status);
        number_cell(b, w->age_h, NUM_HOURS, NULL);
        number_cell(b, w->age_h / 24.0, NUM_HOURS, NULL);
        cw_buf_puts(b, "</tr>\n");
    }
    cw_buf_puts(b, "</table>\n");
}

static void render_data(cw_buf *b, const cw_report *r)
{
    static const char *const ids[] = { "scope", "name", "team", "period" };
    cw_buf_puts(b, "<table class=\"data\">\n<tr>");
    for (size_t i = 0; i < 4; i++)
        cw_buf_printf(b, "<th>%s</th>", ids[i]);
    for (size_t f = 0; f < cw_metric_n_fields; f++) {
        cw_buf_puts(b, "<th>");
        html_escape(b, cw_metric_fields[f].name);
        cw_buf_puts(b, "</th>");
    }
    cw_buf_puts(b, "</tr>\n");
    for (size_t i = 0; i < r->n_rows; i++) {
        const cw_report_row *row = &r->rows[i];
        cw_buf_puts(b, "<tr>");
        text_cell(b, cw_report_scope_name(row->scope));
        text_cell(b, row->m.name);
        text_cell(b, row->m.team);
        text_cell(b, row->m.period);
        /* Raw values, as the Data sheet holds them: no rounding for analysts. */
        for (size_t f = 0; f < cw_metric_n_fields; f++) {
            double v = cw_report_field_value(&row->m, &cw_metric_fields[f]);
            if (isnan(v))
                cw_buf_puts(b, "<td class=\"num\"></td>");
            else
                cw_buf_printf(b, "<td class=\"num\">%.10g</td>", v);
        }
        cw_buf_puts(b, "</tr>\n");
    }
    cw_buf_puts(b, "</table>\n");
}

/* ------------------------------------------------------------ template */

typedef struct slot {
    const char *name;
    cw_buf html;
} slot;

/* Copy tpl to out, replacing each {{name}} by the slot of that name.  An
 * unknown name is an error: a typo in the layout must not ship silently. */
static int fill_template(cw_buf *out, const char *tpl, const slot *slots, size_t n)
{
    const char *p = tpl, *open;
    while ((open = strstr(p, "{{")) != NULL) {
        const char *close = strstr(open + 2, "}}");
        if (!close)
            break;
        cw_buf_append(out, p, (size_t)(open - p));
        size_t len = (size_t)(close - open - 2), i;
        for (i = 0; i < n; i++)
            if (strlen(slots[i].name) == len && strncmp(slots[i].name, open + 2, len) == 0)
                break;
        if (i == n) {
            cw_error("report: %s: unknown placeholder {{%.*s}}", TEMPLATE, (int)len, open + 2);
            return -1;
        }
        cw_buf_append(out, slots[i].html.data ? slots[i].html.data : "", slots[i].html.len);
        p = close + 2;
    }
    cw_buf_puts(out, p);
    return 0;
}

static void render_header(slot *title, slot *window, const cw_report *r)
{
    char from[11], to[11], generated[21];
    cw_time_format_date(r->from, from, sizeof from);
    cw_time_format_date(r->to, to, sizeof to);
    cw_time_format_iso(r->generated_at, generated, sizeof generated);
    cw_buf_printf(&title->html, "Catwalk weekly report, week of %s", to);
    cw_buf_printf(&window->html, "Window %s to %s (exclusive), ISO weeks, UTC. Generated %s.",
                  from, to, generated);
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

int cw_report_write_html(const cw_report *r, const char *path)
{
    const char *tpl = cw_embedded_get(TEMPLATE);
    slot slots[] = { { "title", {0} }, { "window", {0} }, { "summary", {0} },
                     { "families", {0} }, { "audit", {0} }, { "data", {0} },
                     { "sections", {0} } };
    const size_t n = sizeof slots / sizeof slots[0];
    cw_buf page = {0};
    int rc = -1;
    if (!tpl) {
        cw_error("report: %s is not embedded in this binary", TEMPLATE);
        return -1;
    }
    render_header(&slots[0], &slots[1], r);
    render_summary(&slots[2].html, r);
    render_families(&slots[3].html, r);
    render_audit(&slots[4].html, r);
    render_data(&slots[5].html, r);
    render_sections(&slots[6].html, r);
    if (fill_template(&page, tpl, slots, n) == 0)
        rc = write_file(path, &page);
    for (size_t i = 0; i < n; i++)
        cw_buf_free(&slots[i].html);
    cw_buf_free(&page);
    return rc;
}
