/*
 * chart_png.c - the report's charts (chart.h) drawn as PNG with cairo, and
 * the email's images (exec.h, cw_report_images).
 *
 * cairo is Debian's well-kept 2D library (libcairo2): an image surface
 * needs no X server, PNG comes with it (cairo_surface_write_to_png_stream),
 * and its "toy" text API is enough for axis labels and a legend in one
 * sans face - so no pango: there is no paragraph layout or shaping here,
 * only short labels, and one library fewer to install.
 *
 * Size: an email's images should weigh little.  Fills, grid lines and
 * scatter points are drawn without antialiasing on whole pixels (flat runs
 * of one colour compress to almost nothing); only data lines and text are
 * antialiased.  A chart so drawn has few distinct colours, so it is written
 * by libpng (cairo's own PNG dependency) as an 8-bit palette image at the
 * strongest compression - about a third of cairo's 24-bit PNG - and by
 * cairo_surface_write_to_png_stream only when it has more than 256.  The
 * layout is in whole pixels of a 600 px wide body; a 2x image is the same
 * drawing at twice the size (cw_chart_png with a larger width and height).
 */
#include "chart.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"
#include "report.h"

#define FONT "DejaVu Sans"
#define GRID 0xE3E3E3
#define AXIS 0x8C8C8C
#define TEXT 0x333333
#define MUTED 0x666666

typedef struct box {
    double x, y, w, h;
} box;

typedef struct canvas {
    cairo_t *cr;
    const cw_chart *c;
    double s;                   /* scale: 1 at 600 px wide */
    cairo_antialias_t aa;       /* of data lines and areas */
} canvas;

static void colour(cairo_t *cr, uint32_t rgb)
{
    cairo_set_source_rgb(cr, ((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0,
                         (rgb & 0xFF) / 255.0);
}

static void font(canvas *k, double size, int bold)
{
    cairo_select_font_face(k->cr, FONT, CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(k->cr, size * k->s);
}

static double text_width(canvas *k, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(k->cr, s, &e);
    return e.x_advance;
}

/* Text at (x, y baseline), anchored left (0), centre (1) or right (2). */
static void text(canvas *k, double x, double y, int anchor, uint32_t rgb, const char *s)
{
    double w = anchor ? text_width(k, s) : 0;
    colour(k->cr, rgb);
    cairo_move_to(k->cr, x - (anchor == 1 ? w / 2 : anchor == 2 ? w : 0), y);
    cairo_show_text(k->cr, s);
}

/* s cut with "..." to fit width (a status name under a narrow column). */
static void fit(canvas *k, const char *s, double width, char *out, size_t size)
{
    size_t n = strlen(s);
    snprintf(out, size, "%s", s);
    while (n > 1 && text_width(k, out) > width) {
        n--;
        while (n > 1 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        snprintf(out, size, "%.*s...", (int)n, s);
    }
}

static void crisp_rect(canvas *k, double x0, double y0, double x1, double y1, uint32_t rgb)
{
    cairo_set_antialias(k->cr, CAIRO_ANTIALIAS_NONE);
    colour(k->cr, rgb);
    cairo_rectangle(k->cr, round(x0), round(y0), round(x1) - round(x0), round(y1) - round(y0));
    cairo_fill(k->cr);
    cairo_set_antialias(k->cr, CAIRO_ANTIALIAS_DEFAULT);
}

static void crisp_line(canvas *k, double x0, double y0, double x1, double y1, uint32_t rgb,
                       int dashed)
{
    double dash[] = { 4 * k->s, 3 * k->s };
    cairo_set_antialias(k->cr, CAIRO_ANTIALIAS_NONE);
    colour(k->cr, rgb);
    cairo_set_line_width(k->cr, k->s);
    cairo_set_dash(k->cr, dash, dashed ? 2 : 0, 0);
    cairo_move_to(k->cr, round(x0) + 0.5, round(y0) + 0.5);
    cairo_line_to(k->cr, round(x1) + 0.5, round(y1) + 0.5);
    cairo_stroke(k->cr);
    cairo_set_dash(k->cr, NULL, 0, 0);
    cairo_set_antialias(k->cr, CAIRO_ANTIALIAS_DEFAULT);
}

/* ------------------------------------------------------------ number labels */

static void format_tick(char *buf, size_t size, double v, double step, int percent)
{
    if (step >= 1 || v == 0)
        snprintf(buf, size, "%.0f%s", v, percent ? "%" : "");
    else
        snprintf(buf, size, "%.*f%s", step >= 0.1 ? 1 : 2, v, percent ? "%" : "");
}

/* ------------------------------------------------------------ one panel */

typedef struct frame {
    box plot;
    double y_lo, y_hi, y_step;
    double x_lo, x_hi;
} frame;

static double map_y(const frame *f, double v)
{
    if (v < f->y_lo)
        v = f->y_lo;
    if (v > f->y_hi)
        v = f->y_hi;
    return f->plot.y + f->plot.h * (1.0 - (v - f->y_lo) / (f->y_hi - f->y_lo));
}

/* x of point i of a series: its category's slot centre, or its value. */
static double map_x(const canvas *k, const frame *f, const cw_chart_series *s, size_t i)
{
    if (k->c->x_kind == CW_X_CATEGORY || !s->x) {
        size_t n = k->c->n_categories ? k->c->n_categories : s->n;
        return f->plot.x + f->plot.w * ((double)i + 0.5) / (double)(n ? n : 1);
    }
    return f->plot.x + f->plot.w * (s->x[i] - f->x_lo) / (f->x_hi - f->x_lo);
}

static double map_xv(const frame *f, double v)
{
    return f->plot.x + f->plot.w * (v - f->x_lo) / (f->x_hi - f->x_lo);
}

static void draw_bands(canvas *k, const frame *f, const cw_chart_panel *p)
{
    for (size_t b = 0; b < p->n_bands; b++) {
        double lo = isnan(p->bands[b].lo) ? f->y_lo : p->bands[b].lo;
        double hi = isnan(p->bands[b].hi) ? f->y_hi : p->bands[b].hi;
        if (hi <= f->y_lo || lo >= f->y_hi)
            continue;
        crisp_rect(k, f->plot.x, map_y(f, hi), f->plot.x + f->plot.w, map_y(f, lo),
                   cw_chart_band_colour(p->bands[b].level));
    }
}

static void draw_y_axis(canvas *k, const frame *f, int labels)
{
    font(k, 9, 0);
    for (double v = f->y_lo; v <= f->y_hi + f->y_step / 2; v += f->y_step) {
        char label[32];
        double y = map_y(f, v);
        crisp_line(k, f->plot.x, y, f->plot.x + f->plot.w, y, v == f->y_lo ? AXIS : GRID, 0);
        if (!labels)
            continue;
        format_tick(label, sizeof label, v, f->y_step, k->c->y_percent);
        text(k, f->plot.x - 4 * k->s, y + 3 * k->s, 2, MUTED, label);
    }
}

static void time_label(char *buf, size_t size, double t, double span)
{
    char date[11];
    cw_time_format_date((int64_t)t, date, sizeof date);
    snprintf(buf, size, "%s", span > 300 * 86400.0 ? date : date + 5);
}

static void draw_x_axis(canvas *k, const frame *f)
{
    const cw_chart *c = k->c;
    double base = f->plot.y + f->plot.h + 12 * k->s;
    font(k, 9, 0);
    if (c->x_kind == CW_X_TIME) {
        for (int i = 0; i <= 4; i++) {
            char label[16];
            double t = f->x_lo + (f->x_hi - f->x_lo) * i / 4.0;
            time_label(label, sizeof label, t, f->x_hi - f->x_lo);
            text(k, map_xv(f, t), base, i == 0 ? 0 : i == 4 ? 2 : 1, MUTED, label);
        }
        return;
    }
    if (c->x_kind == CW_X_NUMBER) {
        double slot = f->plot.w / (f->x_hi - f->x_lo);
        for (size_t i = 0; i < c->n_categories; i++) {
            char label[64];
            fit(k, c->categories[i], slot - 4 * k->s, label, sizeof label);
            text(k, map_xv(f, (double)(i + 1)), base, 1, MUTED, label);
        }
        return;
    }
    /* categories: as many as fit 44 px apart; dates without their year */
    size_t n = c->n_categories, every = 1;
    while (n && f->plot.w * (double)every / (double)n < 44 * k->s)
        every++;
    for (size_t i = 0; i < n; i += every) {
        const char *s = c->categories[i];
        text(k, f->plot.x + f->plot.w * ((double)i + 0.5) / (double)n, base, 1, MUTED,
             strlen(s) == 10 && s[4] == '-' ? s + 5 : s);
    }
}

static void path_series(canvas *k, const frame *f, const cw_chart_series *s)
{
    int down = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (isnan(s->y[i]) || (s->x && isnan(s->x[i]))) {
            down = 0;
            continue;
        }
        if (down)
            cairo_line_to(k->cr, map_x(k, f, s, i), map_y(f, s->y[i]));
        else
            cairo_move_to(k->cr, map_x(k, f, s, i), map_y(f, s->y[i]));
        down = 1;
    }
}

static void draw_cone(canvas *k, const frame *f, const cw_chart_panel *p)
{
    const cw_chart_series *hi = &p->series[p->cone_hi], *lo = &p->series[p->cone_lo];
    if (!p->has_cone || hi->n == 0 || lo->n == 0)
        return;
    colour(k->cr, cw_chart_colour(CW_ROLE_CONE, 0));
    cairo_move_to(k->cr, map_x(k, f, hi, 0), map_y(f, hi->y[0]));
    for (size_t i = 1; i < hi->n; i++)
        cairo_line_to(k->cr, map_x(k, f, hi, i), map_y(f, hi->y[i]));
    for (size_t i = lo->n; i-- > 0;)
        cairo_line_to(k->cr, map_x(k, f, lo, i), map_y(f, lo->y[i]));
    cairo_close_path(k->cr);
    cairo_fill(k->cr);
}

static void draw_lines(canvas *k, const frame *f, const cw_chart_panel *p)
{
    cairo_set_antialias(k->cr, k->aa);
    cairo_set_line_width(k->cr, 2 * k->s);
    cairo_set_line_join(k->cr, CAIRO_LINE_JOIN_ROUND);
    for (size_t s = 0; s < p->n_series; s++) {
        const cw_chart_series *se = &p->series[s];
        uint32_t rgb = cw_chart_colour(se->role, se->index);
        if (p->has_cone && (s == p->cone_lo || s == p->cone_hi))
            continue;
        colour(k->cr, rgb);
        path_series(k, f, se);
        cairo_stroke(k->cr);
        /* markers only where points are few enough to read */
        for (size_t i = 0; se->n <= 40 && i < se->n; i++)
            if (!isnan(se->y[i])) {
                cairo_arc(k->cr, map_x(k, f, se, i), map_y(f, se->y[i]), 2.2 * k->s, 0, 2 * M_PI);
                cairo_fill(k->cr);
            }
    }
    cairo_set_antialias(k->cr, CAIRO_ANTIALIAS_DEFAULT);
}

static void draw_columns(canvas *k, const frame *f, const cw_chart_panel *p, int stack)
{
    size_t n = k->c->n_categories;
    double slot = f->plot.w / (double)(n ? n : 1);
    double width = stack ? slot * 0.7 : slot * 0.8 / (double)(p->n_series ? p->n_series : 1);
    for (size_t i = 0; i < n; i++) {
        double base = 0, x0 = f->plot.x + slot * (double)i + slot * (stack ? 0.15 : 0.1);
        for (size_t s = 0; s < p->n_series; s++) {
            const cw_chart_series *se = &p->series[s];
            double v = i < se->n ? se->y[i] : NAN, x = stack ? x0 : x0 + width * (double)s;
            if (isnan(v) || v <= 0)
                continue;
            crisp_rect(k, x, map_y(f, base + v), x + width - (stack ? 0 : 1), map_y(f, base),
                       cw_chart_colour(se->role, se->index));
            if (stack)
                base += v;
        }
    }
}

static void draw_areas(canvas *k, const frame *f, const cw_chart_panel *p)
{
    size_t n = k->c->n_categories;
    cairo_set_antialias(k->cr, k->aa);
    double *base = cw_xcalloc(n + 1, sizeof *base);
    for (size_t s = 0; s < p->n_series; s++) {
        const cw_chart_series *se = &p->series[s];
        colour(k->cr, cw_chart_colour(se->role, se->index));
        for (size_t i = 0; i < n && i < se->n; i++) {
            double v = isnan(se->y[i]) ? 0 : se->y[i];
            double x = map_x(k, f, se, i);
            if (i == 0)
                cairo_move_to(k->cr, x, map_y(f, base[i] + v));
            else
                cairo_line_to(k->cr, x, map_y(f, base[i] + v));
        }
        for (size_t i = (n < se->n ? n : se->n); i-- > 0;)
            cairo_line_to(k->cr, map_x(k, f, se, i), map_y(f, base[i]));
        cairo_close_path(k->cr);
        cairo_fill(k->cr);
        for (size_t i = 0; i < n && i < se->n; i++)
            base[i] += isnan(se->y[i]) ? 0 : se->y[i];
    }
    cairo_set_antialias(k->cr, CAIRO_ANTIALIAS_DEFAULT);
    free(base);
}

/* Points as 3 px squares on whole pixels: thousands of antialiased discs
 * would triple the PNG for no gain in reading. */
static void draw_points(canvas *k, const frame *f, const cw_chart_panel *p)
{
    double d = round(3 * k->s);
    cairo_set_antialias(k->cr, CAIRO_ANTIALIAS_NONE);
    for (size_t s = 0; s < p->n_series; s++) {
        const cw_chart_series *se = &p->series[s];
        colour(k->cr, cw_chart_colour(se->role, se->index));
        for (size_t i = 0; i < se->n; i++) {
            if (isnan(se->y[i]) || (se->x && isnan(se->x[i])))
                continue;
            cairo_rectangle(k->cr, round(map_x(k, f, se, i) - d / 2), round(map_y(f, se->y[i]) - d / 2),
                            d, d);
        }
        cairo_fill(k->cr);
    }
    cairo_set_antialias(k->cr, CAIRO_ANTIALIAS_DEFAULT);
}

/* A reference line's label on a white ground, readable over points. */
static void label_box(canvas *k, double x, double y, int anchor, uint32_t rgb, const char *s)
{
    double w = text_width(k, s), x0 = anchor == 2 ? x - w : x;
    crisp_rect(k, x0 - 2 * k->s, y - 9 * k->s, x0 + w + 2 * k->s, y + 3 * k->s, 0xFFFFFF);
    text(k, x, y, anchor, rgb, s);
}

static void draw_references(canvas *k, const frame *f, const cw_chart_panel *p)
{
    font(k, 9, 1);
    for (size_t l = 0; l < p->n_lines; l++) {
        const cw_chart_line *ln = &p->lines[l];
        uint32_t rgb = cw_chart_colour(ln->role, 0);
        if (ln->vertical) {
            double x = map_xv(f, ln->at);
            if (x < f->plot.x || x > f->plot.x + f->plot.w)
                continue;
            crisp_line(k, x, f->plot.y, x, f->plot.y + f->plot.h, rgb, 1);
            label_box(k, x + 3 * k->s, f->plot.y + (9 + 12 * (double)(l % 2)) * k->s, 0, rgb,
                      ln->label ? ln->label : "");
        } else {
            double y = map_y(f, ln->at);
            crisp_line(k, f->plot.x, y, f->plot.x + f->plot.w, y, rgb, 1);
            label_box(k, f->plot.x + f->plot.w - (2 + 70 * (double)(l % 2)) * k->s, y - 3 * k->s, 2,
                      rgb, ln->label ? ln->label : "");
        }
    }
}

static void draw_panel(canvas *k, const cw_chart_panel *p, box cell, int y_labels)
{
    const cw_chart *c = k->c;
    frame f;
    /* a one-panel chart writes its unit up the left edge: leave it room */
    int side_unit = c->n_panels == 1 && c->y_unit && !p->y_unit;
    double top = cell.y, left = (y_labels ? 38 : 8) * k->s + (side_unit ? 10 * k->s : 0);
    if (p->title) {
        char title[160], fitted[160];
        snprintf(title, sizeof title, "%s%s%s%s", p->title, p->y_unit ? " (" : "",
                 p->y_unit ? p->y_unit : "", p->y_unit ? ")" : "");
        font(k, 10, 1);
        fit(k, title, cell.w - 8 * k->s, fitted, sizeof fitted);
        text(k, cell.x + left, cell.y + 11 * k->s, 0, TEXT, fitted);
        top += 16 * k->s;
    }
    f.plot = (box){ cell.x + left, top + 4 * k->s, cell.w - left - 10 * k->s,
                    cell.y + cell.h - top - 22 * k->s };
    cw_chart_y_scale(c, p->y_group, &f.y_lo, &f.y_hi, &f.y_step);
    if (c->x_kind == CW_X_NUMBER && c->n_categories) {
        f.x_lo = 0.5;
        f.x_hi = (double)c->n_categories + 0.5;
    } else {
        cw_chart_x_range(c, &f.x_lo, &f.x_hi);
    }
    draw_bands(k, &f, p);
    draw_y_axis(k, &f, 1);
    draw_x_axis(k, &f);
    draw_cone(k, &f, p);
    switch (c->kind) {
    case CW_PLOT_LINE: draw_lines(k, &f, p); break;
    case CW_PLOT_COLUMN: draw_columns(k, &f, p, 0); break;
    case CW_PLOT_STACKED_COLUMN: draw_columns(k, &f, p, 1); break;
    case CW_PLOT_SCATTER: draw_points(k, &f, p); break;
    case CW_PLOT_STACKED_AREA: draw_areas(k, &f, p); break;
    }
    draw_references(k, &f, p);
}

/* ------------------------------------------------------------ title and legend */

typedef struct legend_entry {
    const char *name;
    uint32_t rgb;
} legend_entry;

/* Distinct series names (a small multiple repeats one per panel: it needs
 * none, the panel titles say it), then the bands' levels. */
static size_t legend_entries(const cw_chart *c, legend_entry *out, size_t max)
{
    static const char *const level_names[] = { "no data", "low", "medium", "high", "elite" };
    size_t n = 0;
    int levels[5] = {0};
    for (size_t i = 0; i < c->n_panels; i++) {
        const cw_chart_panel *p = &c->panels[i];
        for (size_t s = 0; s < p->n_series && n < max; s++) {
            size_t k;
            if (p->has_cone && s == p->cone_lo)
                continue;
            if (c->n_panels > 1 && p->n_series == 1)
                continue;
            for (k = 0; k < n && strcmp(out[k].name, p->series[s].name) != 0; k++)
                ;
            if (k == n)
                out[n++] = (legend_entry){ p->has_cone && s == p->cone_hi ? "forecast P50..P95"
                                                                           : p->series[s].name,
                                           cw_chart_colour(p->series[s].role, p->series[s].index) };
        }
        for (size_t b = 0; b < p->n_bands; b++)
            if (p->bands[b].level >= 0 && p->bands[b].level < 5)
                levels[p->bands[b].level] = 1;
    }
    for (int l = 4; l >= 1 && n < max; l--)
        if (levels[l])
            out[n++] = (legend_entry){ level_names[l], cw_chart_band_colour(l) };
    return n;
}

/* The legend from the right edge leftwards on the title's row, or on a row
 * of its own when the title leaves no room.  Returns the height used. */
static double draw_header(canvas *k, double width)
{
    legend_entry e[24];
    size_t n = legend_entries(k->c, e, 24);
    double x, y = 15 * k->s, total = 0;
    font(k, 12, 1);
    text(k, 8 * k->s, y, 0, TEXT, k->c->title ? k->c->title : "");
    double title_w = text_width(k, k->c->title ? k->c->title : "") + 24 * k->s;
    font(k, 9, 0);
    for (size_t i = 0; i < n; i++)
        total += text_width(k, e[i].name) + 18 * k->s;
    int own_row = n > 0 && title_w + total > width;
    if (own_row)
        y += 15 * k->s;
    x = own_row ? 8 * k->s : width - total - 6 * k->s;
    for (size_t i = 0; i < n; i++) {
        crisp_rect(k, x, y - 8 * k->s, x + 10 * k->s, y + 1 * k->s, e[i].rgb);
        text(k, x + 13 * k->s, y, 0, TEXT, e[i].name);
        x += text_width(k, e[i].name) + 18 * k->s;
    }
    return y + 6 * k->s;
}

/* ------------------------------------------------------------ the image */

static cairo_status_t append(void *closure, const unsigned char *data, unsigned int length)
{
    return cw_buf_append(closure, (const char *)data, length) == 0 ? CAIRO_STATUS_SUCCESS
                                                                     : CAIRO_STATUS_WRITE_ERROR;
}

static void png_append(png_structp png, png_bytep data, png_size_t length)
{
    cw_buf_append(png_get_io_ptr(png), (const char *)data, length);
}

static void png_no_flush(png_structp png)
{
    (void)png;
}

/* The surface's distinct colours (0x00RRGGBB) into palette, and each
 * pixel's index into indexes: 0 when there are more than 256. */
static int palette_of(cairo_surface_t *surface, uint32_t *palette, unsigned char *indexes)
{
    int w = cairo_image_surface_get_width(surface), h = cairo_image_surface_get_height(surface);
    int stride = cairo_image_surface_get_stride(surface), n = 0, last = -1;
    const unsigned char *data = cairo_image_surface_get_data(surface);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint32_t px = ((const uint32_t *)(const void *)(data + (size_t)y * (size_t)stride))[x] & 0xFFFFFF;
            int k = last >= 0 && palette[last] == px ? last : -1;
            for (int i = 0; k < 0 && i < n; i++)
                if (palette[i] == px)
                    k = i;
            if (k < 0) {
                if (n == 256)
                    return 0;
                palette[n] = px;
                k = n++;
            }
            indexes[(size_t)y * (size_t)w + (size_t)x] = (unsigned char)k;
            last = k;
        }
    return n;
}

/* An 8-bit palette PNG of the surface; -1 when it has too many colours. */
static int write_palette_png(cairo_surface_t *surface, cw_buf *out)
{
    int w = cairo_image_surface_get_width(surface), h = cairo_image_surface_get_height(surface);
    uint32_t palette[256];
    png_color colours[256];
    unsigned char *indexes = cw_xmalloc((size_t)w * (size_t)h);
    int n = palette_of(surface, palette, indexes), rc = -1;
    png_structp png = NULL;
    png_infop info = NULL;
    if (n == 0)
        goto done;
    png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    info = png ? png_create_info_struct(png) : NULL;
    if (!info || setjmp(png_jmpbuf(png)))
        goto done;
    for (int i = 0; i < n; i++)
        colours[i] = (png_color){ (png_byte)(palette[i] >> 16), (png_byte)(palette[i] >> 8),
                                  (png_byte)palette[i] };
    png_set_write_fn(png, out, png_append, png_no_flush);
    png_set_compression_level(png, 9);
    png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_PALETTE,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_PLTE(png, info, colours, n);
    png_write_info(png, info);
    for (int y = 0; y < h; y++)
        png_write_row(png, indexes + (size_t)y * (size_t)w);
    png_write_end(png, NULL);
    rc = 0;
done:
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    free(indexes);
    if (rc != 0)
        cw_buf_reset(out);
    return rc;
}

static void draw_chart(canvas *k, int width, int height)
{
    const cw_chart *c = k->c;
    size_t cols = c->columns > 0 ? (size_t)c->columns : 1;
    size_t rows = (c->n_panels + cols - 1) / cols;
    crisp_rect(k, 0, 0, width, height, 0xFFFFFF);
    double top = draw_header(k, width);
    double cell_w = (width - 4 * k->s) / (double)cols, cell_h = (height - top) / (double)(rows ? rows : 1);
    for (size_t i = 0; i < c->n_panels; i++) {
        box cell = { 2 * k->s + cell_w * (double)(i % cols), top + cell_h * (double)(i / cols),
                     cell_w, cell_h };
        draw_panel(k, &c->panels[i], cell, 1);
    }
    if (c->n_panels == 1 && c->y_unit && !c->panels[0].y_unit) {
        /* the unit of a one-panel chart, up the left edge */
        font(k, 9, 0);
        cairo_save(k->cr);
        cairo_translate(k->cr, 10 * k->s, top + (height - top) / 2);
        cairo_rotate(k->cr, -M_PI / 2);
        text(k, 0, 0, 1, MUTED, c->y_unit);
        cairo_restore(k->cr);
    }
}

static cairo_surface_t *draw_surface(const cw_chart *c, int width, int height,
                                     cairo_antialias_t aa)
{
    cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
        return surface;
    canvas k = { cairo_create(surface), c, width / (double)CW_CHART_PNG_WIDTH, aa };
    cairo_font_options_t *fo = cairo_font_options_create();
    cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
    cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_SLIGHT);
    cairo_set_font_options(k.cr, fo);
    cairo_font_options_destroy(fo);
    draw_chart(&k, width, height);
    cairo_destroy(k.cr);
    cairo_surface_flush(surface);
    return surface;
}

/* cairo's toy font faces and fontconfig's configuration are process-wide
 * caches, kept until exit; released then, so that a leak checker (make
 * asan) sees the process free all it took.  Registered on the first chart. */
static void release_font_caches(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}

static void hold_font_caches(void)
{
    static int registered;
    if (!registered) {
        registered = 1;
        atexit(release_font_caches);
    }
}

/* Antialiased data lines first; when their blends leave more colours than a
 * palette holds, the lines are drawn again without (text stays smooth);
 * when even that is too many, a 24-bit PNG. */
int cw_chart_png(const cw_chart *c, int width, int height, unsigned char **png, size_t *len)
{
    static const cairo_antialias_t tries[] = { CAIRO_ANTIALIAS_DEFAULT, CAIRO_ANTIALIAS_NONE };
    cairo_surface_t *surface = NULL;
    cw_buf out = {0};
    cairo_status_t st = CAIRO_STATUS_WRITE_ERROR;
    *png = NULL;
    *len = 0;
    hold_font_caches();
    for (size_t t = 0; t < 2 && st != CAIRO_STATUS_SUCCESS; t++) {
        if (surface)
            cairo_surface_destroy(surface);
        surface = draw_surface(c, width, height, tries[t]);
        if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
            break;
        if (write_palette_png(surface, &out) == 0)
            st = CAIRO_STATUS_SUCCESS;
    }
    if (st != CAIRO_STATUS_SUCCESS && cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_write_to_png_stream(surface, append, &out);
    if (st != CAIRO_STATUS_SUCCESS || cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        cw_error("report: chart %s: %s", c->id, cairo_status_to_string(
                     cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS
                         ? cairo_surface_status(surface) : st));
        cairo_surface_destroy(surface);
        cw_buf_free(&out);
        return -1;
    }
    cairo_surface_destroy(surface);
    *png = (unsigned char *)out.data;
    *len = out.len;
    return 0;
}

/* ------------------------------------------------------------ the email's images */

/* Taller for a grid of panels: each row of panels gets 140 px. */
static int height_of(const cw_chart *c)
{
    size_t cols = c->columns > 0 ? (size_t)c->columns : 1;
    size_t rows = (c->n_panels + cols - 1) / cols;
    return rows <= 1 ? CW_CHART_PNG_HEIGHT : (int)(44 + 140 * rows);
}

/* One allocation holds the PNG bytes and then the id, title and alt, so the
 * contract's cw_report_images_free (free(png)) releases everything and the
 * strings live as long as the image, without writing into the const model. */
static int render_image(const cw_chart *c, cw_report_image *img)
{
    unsigned char *png;
    size_t len, id = strlen(c->id) + 1, title = strlen(c->title) + 1;
    size_t alt = strlen(c->alt ? c->alt : "") + 1;
    int h = height_of(c);
    if (cw_chart_png(c, CW_CHART_PNG_WIDTH, h, &png, &len) != 0)
        return -1;
    unsigned char *block = cw_xrealloc(png, len + id + title + alt);
    char *strings = (char *)block + len;
    memcpy(strings, c->id, id);
    memcpy(strings + id, c->title, title);
    memcpy(strings + id + title, c->alt ? c->alt : "", alt);
    *img = (cw_report_image){ .id = strings, .title = strings + id, .alt = strings + id + title,
                              .png = block, .len = len, .width = CW_CHART_PNG_WIDTH, .height = h };
    return 0;
}

static int render_set(cw_chart *charts, size_t n, cw_report_image **out, size_t *n_out)
{
    *out = cw_xcalloc(n + 1, sizeof **out);
    *n_out = 0;
    for (size_t i = 0; i < n; i++) {
        if (render_image(&charts[i], &(*out)[*n_out]) != 0) {
            cw_report_images_free(*out, *n_out);
            cw_chart_free_all(charts, n);
            *out = NULL;
            *n_out = 0;
            return -1;
        }
        (*n_out)++;
    }
    cw_chart_free_all(charts, n);
    return 0;
}

int cw_report_images(const cw_report *r, cw_report_image **out, size_t *n)
{
    cw_chart *charts;
    size_t n_charts;
    if (cw_chart_email_set(r, &charts, &n_charts) != 0)
        return -1;
    return render_set(charts, n_charts, out, n);
}

int cw_report_images_all(const cw_report *r, cw_report_image **out, size_t *n)
{
    cw_chart *charts;
    size_t n_charts;
    if (cw_chart_all(r, &charts, &n_charts) != 0)
        return -1;
    return render_set(charts, n_charts, out, n);
}
