/*
 * xlsx.c - the weekly report as an Excel workbook (libxlsxwriter).
 *
 * Sheets: "Summary" (reports/xlsx_summary.c: the headline, the data-trust
 * banner, then teams and applications), one sheet per metric family (weekly tables with native
 * line/column charts drawn from those cells), one per value stream section
 * (reports/section.c: a table, and for the value stream map a native
 * stacked bar chart), "Audit" (untraceable deployments, rejects, oldest
 * work in progress) and "Data" (every metric row, header frozen,
 * autofilter).
 *
 * Craft (what a reader of the file expects): instants and weeks are Excel
 * dates with a date format, never text; numbers are full values rounded by
 * their number format (the definition's per column, else the kind's); a
 * heading over numbers is right-aligned like them; every sheet prints in
 * landscape one page wide with its header row repeated and frozen; column
 * widths follow the longest heading or value, so no heading is clipped;
 * item keys link to their Jira issue and deployments to their CI build when
 * the configuration names the server (reports/links.c); the document
 * properties say what the file is and which window it covers.
 *
 * Security: every text cell is written with worksheet_write_string, never
 * worksheet_write*() variants that parse a leading '=', so a ticket summary
 * "=HYPERLINK(...)" stays text.  Chart series names reference their header
 * cell (chart_series_set_name_range) for the same reason: a team called
 * "=1+2" must not become a formula in the chart either.
 */
#include "report.h"
#include "xlsx.h"
#include "chart.h"
#include "xlsx_summary.h"
#include "xlsx_about.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <xlsxwriter.h>

#include "../core/log.h"
#include "../core/util.h"

const int32_t cw_xlsx_level_fill[CW_XLSX_N_LEVELS] = {
    [CW_LEVEL_NONE] = 0xD9D9D9, [CW_LEVEL_LOW] = 0xE06666, [CW_LEVEL_MEDIUM] = 0xFFC000,
    [CW_LEVEL_HIGH] = 0x93C47D, [CW_LEVEL_ELITE] = 0x1E6B34,
};
const int32_t cw_xlsx_level_font[CW_XLSX_N_LEVELS] = {
    [CW_LEVEL_NONE] = 0x595959, [CW_LEVEL_LOW] = 0x000000, [CW_LEVEL_MEDIUM] = 0x000000,
    [CW_LEVEL_HIGH] = 0x000000, [CW_LEVEL_ELITE] = 0xFFFFFF,
};
#define N_LEVELS CW_XLSX_N_LEVELS

/* Excel keeps at most 32767 characters in a cell. */
#define EXCEL_TEXT_MAX 32767

#define FMT_HOURS "0.0"
#define FMT_RATE  "0.0%"
#define FMT_RATIO "0.00"

/* A column wider than this is text that may be cut on screen (a summary);
 * its heading always fits. */
#define WIDTH_MAX 60
#define WIDTH_MIN 6
/* Excel keeps at most 65,530 links per sheet: the rest stay plain text. */
#define LINKS_MAX 65000
#define FMT_DATE "yyyy-mm-dd"
#define MAX_NUM_FORMATS 64

/* Every format the workbook uses, made once. */
typedef struct xlsx_formats {
    lxw_format *title, *note, *header, *header_num, *section, *text, *integer, *hours, *rate;
    lxw_format *real, *instant, *date, *link, *link_num;
    lxw_format *level[N_LEVELS];            /* level cell */
    lxw_format *value[N_LEVELS][2];         /* key value cell: [level][is_rate] */
    lxw_format *trend[3][2];                /* [better + 1][is_rate] */
} xlsx_formats;

/* The number formats the definition names, one lxw_format each. */
typedef struct num_format_slot {
    char *num;
    lxw_format *f;
} num_format_slot;

typedef struct xlsx_ctx {
    const cw_report *r;
    lxw_workbook *wb;
    xlsx_formats f;
    cw_report_axes axes;
    num_format_slot nums[MAX_NUM_FORMATS];
    size_t n_nums;
    size_t links;               /* on the sheet being written */
    int failed;                 /* a sheet could not be added */
} xlsx_ctx;

static lxw_format *new_format(lxw_workbook *wb, const char *num_format)
{
    lxw_format *f = workbook_add_format(wb);
    if (num_format)
        format_set_num_format(f, num_format);
    return f;
}

static void make_formats(lxw_workbook *wb, xlsx_formats *f)
{
    static const lxw_color_t trend_colour[3] = { 0xC00000, 0x595959, 0x1E7B34 };
    /* Arrows by number format, so the delta stays a number a reader can sort. */
    static const char *trend_num[2] = {
        "\"\xe2\x96\xb2 \"+0.00;\"\xe2\x96\xbc \"-0.00;\"\xe2\x96\xba \"0.00",
        "\"\xe2\x96\xb2 \"+0.0%;\"\xe2\x96\xbc \"-0.0%;\"\xe2\x96\xba \"0.0%",
    };
    f->title = new_format(wb, NULL);
    format_set_bold(f->title);
    format_set_font_size(f->title, 16);
    f->note = new_format(wb, NULL);
    format_set_font_color(f->note, 0x595959);
    f->header = new_format(wb, NULL);
    format_set_bold(f->header);
    format_set_bg_color(f->header, 0xDDE3EA);
    format_set_bottom(f->header, LXW_BORDER_THIN);
    format_set_text_wrap(f->header);
    format_set_align(f->header, LXW_ALIGN_VERTICAL_BOTTOM);
    /* a heading over numbers sits over their right edge */
    f->header_num = new_format(wb, NULL);
    format_set_bold(f->header_num);
    format_set_bg_color(f->header_num, 0xDDE3EA);
    format_set_bottom(f->header_num, LXW_BORDER_THIN);
    format_set_text_wrap(f->header_num);
    format_set_align(f->header_num, LXW_ALIGN_RIGHT);
    format_set_align(f->header_num, LXW_ALIGN_VERTICAL_BOTTOM);
    f->section = new_format(wb, NULL);
    format_set_bold(f->section);
    format_set_font_size(f->section, 12);
    f->text = new_format(wb, NULL);
    f->integer = new_format(wb, "0");
    f->hours = new_format(wb, FMT_HOURS);
    f->rate = new_format(wb, FMT_RATE);
    f->real = new_format(wb, FMT_RATIO);
    f->instant = new_format(wb, cw_report_kind_format(CW_CELL_INSTANT));
    f->date = new_format(wb, FMT_DATE);
    f->link = new_format(wb, NULL);
    format_set_font_color(f->link, LXW_COLOR_BLUE);
    format_set_underline(f->link, LXW_UNDERLINE_SINGLE);
    f->link_num = new_format(wb, NULL);     /* a run number that links: right, as numbers */
    format_set_font_color(f->link_num, LXW_COLOR_BLUE);
    format_set_underline(f->link_num, LXW_UNDERLINE_SINGLE);
    format_set_align(f->link_num, LXW_ALIGN_RIGHT);
    for (int l = 0; l < N_LEVELS; l++) {
        f->level[l] = new_format(wb, NULL);
        format_set_bg_color(f->level[l], cw_xlsx_level_fill[l]);
        format_set_font_color(f->level[l], cw_xlsx_level_font[l]);
        format_set_align(f->level[l], LXW_ALIGN_CENTER);
        for (int rate = 0; rate < 2; rate++) {
            f->value[l][rate] = new_format(wb, rate ? FMT_RATE : FMT_RATIO);
            format_set_bg_color(f->value[l][rate], cw_xlsx_level_fill[l]);
            format_set_font_color(f->value[l][rate], cw_xlsx_level_font[l]);
        }
    }
    for (int b = 0; b < 3; b++)
        for (int rate = 0; rate < 2; rate++) {
            f->trend[b][rate] = new_format(wb, trend_num[rate]);
            format_set_font_color(f->trend[b][rate], trend_colour[b]);
        }
}

/* ------------------------------------------------------------ cell writers */

/* Text as a string cell (never a formula); NULL is an empty cell.  Excel's
 * cell limit is 32767 characters: longer text is cut at a UTF-8 boundary. */
static void write_text(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
                       lxw_format *fmt)
{
    if (!s)
        return;
    if (strlen(s) <= EXCEL_TEXT_MAX) {
        worksheet_write_string(ws, row, col, s, fmt);
        return;
    }
    size_t n = EXCEL_TEXT_MAX;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    char *cut = cw_strndup(s, n);
    worksheet_write_string(ws, row, col, cut, fmt);
    free(cut);
}

/* A number; NAN (null) leaves the cell empty but keeps its format. */
static void write_value(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v,
                        lxw_format *fmt)
{
    if (isnan(v))
        worksheet_write_blank(ws, row, col, fmt);
    else
        worksheet_write_number(ws, row, col, v, fmt);
}

static void write_headers(xlsx_ctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                          const char *const *labels, size_t n)
{
    for (size_t i = 0; i < n; i++)
        write_text(ws, row, (lxw_col_t)(col + i), labels[i], x->f.header);
}

void cw_xlsx_print_layout(lxw_worksheet *ws)
{
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_set_margins(ws, 0.4, 0.4, 0.5, 0.5);
}

/* A table sheet repeats its header row on every page and keeps it frozen on
 * screen (head: the header row). */
static void set_table_layout(lxw_worksheet *ws, lxw_row_t head, lxw_col_t frozen_cols)
{
    cw_xlsx_print_layout(ws);
    worksheet_repeat_rows(ws, head, head);
    worksheet_freeze_panes(ws, head + 1, frozen_cols);
}

/* ------------------------------------------------------------ craft helpers */

/* Characters a text takes on screen (UTF-8 code points). */
static size_t text_width(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* The width of a column: its heading and longest value, plus a margin,
 * clamped; a heading is never cut (WIDTH_MAX gives way to it). */
static double fit_width(size_t heading, size_t content)
{
    double w = (double)(content > heading ? content : heading) + 2;
    if (w > WIDTH_MAX)
        w = WIDTH_MAX;
    if (w < (double)heading + 2)
        w = (double)heading + 2;
    return w < WIDTH_MIN ? WIDTH_MIN : w;
}

/* How wide a number shows under a format: its integer digits, separators
 * and the format's decimals, roughly; enough to size a column. */
static size_t number_width(double v, const char *num)
{
    char buf[64];
    const char *dot = num ? strchr(num, '.') : NULL;
    size_t decimals = 0;
    if (isnan(v))
        return 0;
    if (num && (strstr(num, "yy") || strstr(num, "dd")))
        return strlen(num);
    while (dot && (dot[1 + decimals] == '0' || dot[1 + decimals] == '#'))
        decimals++;
    if (num && strchr(num, '%'))
        v *= 100;
    snprintf(buf, sizeof buf, "%.*f", (int)decimals, v);
    return strlen(buf) + (num && strchr(num, ',') ? strlen(buf) / 4 : 0) +
           (num && strchr(num, '%') ? 1 : 0);
}

/* 1 when a number format shows a date (yyyy, dd, ...). */
static int is_date_format(const char *num)
{
    return num && (strstr(num, "yy") || strstr(num, "dd") || strstr(num, "hh"));
}

/* Excel's serial date of "YYYY-MM-DD" (a period's Monday, a KPI's week), or
 * NAN when the text is not one. */
static double excel_date_of(const char *text)
{
    int y, m, d, n = 0;
    if (!text || strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
        n != 10 || m < 1 || m > 12 || d < 1 || d > 31)
        return NAN;
    return (double)cw_days_from_civil(y, m, d) + 25569.0;
}

/* The lxw_format of a number format the definition names, made once. */
static lxw_format *number_format(xlsx_ctx *x, const char *num)
{
    for (size_t i = 0; i < x->n_nums; i++)
        if (strcmp(x->nums[i].num, num) == 0)
            return x->nums[i].f;
    if (x->n_nums == MAX_NUM_FORMATS)
        return x->f.real;
    x->nums[x->n_nums].num = cw_strdup(num);
    x->nums[x->n_nums].f = new_format(x->wb, num);
    return x->nums[x->n_nums++].f;
}

/* A text cell that links to url when there is one (and the sheet still has
 * room for links), else plain text.  The shown text stays a string. */
static void write_linked(xlsx_ctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                         const char *text, char *url, lxw_format *link)
{
    if (url && x->links < LINKS_MAX &&
        worksheet_write_url_opt(ws, row, col, url, link, text, NULL) == LXW_NO_ERROR)
        x->links++;
    else
        write_text(ws, row, col, text, x->f.text);
    free(url);
}

static void write_window_note(xlsx_ctx *x, lxw_worksheet *ws, lxw_row_t row)
{
    char from[11], to[11], note[128];
    cw_time_format_date(x->r->from, from, sizeof from);
    cw_time_format_date(x->r->to, to, sizeof to);
    snprintf(note, sizeof note, "Window %s to %s (exclusive), ISO weeks, UTC", from, to);
    write_text(ws, row, 0, note, x->f.note);
}

/* ------------------------------------------------------------ metric families */

/* The table of one chart (weeks down, series across) and the chart beside it.
 * Returns the number of rows the block takes. */
static lxw_row_t write_chart_block(xlsx_ctx *x, lxw_worksheet *ws, const char *sheet,
                                   lxw_row_t top, const cw_report_chart *chart)
{
    const cw_metric_field *field = cw_report_field_find(chart->field);
    const cw_report_axes *a = &x->axes;
    lxw_format *fmt = chart->is_rate ? x->f.rate : field->is_double ? x->f.hours : x->f.integer;
    lxw_row_t head = top + 1, first = top + 2, last = (lxw_row_t)(top + 1 + a->n_periods);

    write_text(ws, top, 0, chart->title, x->f.section);
    write_text(ws, head, 0, "Week", x->f.header);
    for (size_t s = 0; s < a->n_series; s++)
        write_text(ws, head, (lxw_col_t)(1 + s), a->series[s], x->f.header_num);
    for (size_t p = 0; p < a->n_periods; p++) {
        write_value(ws, (lxw_row_t)(first + p), 0, excel_date_of(a->periods[p]), x->f.date);
        for (size_t s = 0; s < a->n_series; s++)
            write_value(ws, (lxw_row_t)(first + p), (lxw_col_t)(1 + s),
                        cw_report_series_value(x->r, a, s, p, field), fmt);
    }

    lxw_chart *c = workbook_add_chart(x->wb, chart->kind == CW_CHART_COLUMN
                                                 ? LXW_CHART_COLUMN : LXW_CHART_LINE);
    lxw_chart_font title_font = { .size = 11, .bold = LXW_EXPLICIT_FALSE };
    chart_title_set_name(c, chart->title);
    chart_title_set_name_font(c, &title_font);
    chart_axis_set_name(c->x_axis, "Week starting");
    /* the weeks are date cells: the axis shows them as dates, not serials */
    chart_axis_set_num_format(c->x_axis, FMT_DATE);
    chart_axis_set_name(c->y_axis, chart->unit);
    if (chart->is_rate)
        chart_axis_set_num_format(c->y_axis, "0%");
    chart_legend_set_position(c, LXW_CHART_LEGEND_BOTTOM);
    for (size_t s = 0; s < a->n_series && a->n_periods > 0; s++) {
        lxw_chart_series *series = chart_add_series(c, NULL, NULL);
        chart_series_set_categories(series, sheet, first, 0, last, 0);
        chart_series_set_values(series, sheet, first, (lxw_col_t)(1 + s), last, (lxw_col_t)(1 + s));
        chart_series_set_name_range(series, sheet, head, (lxw_col_t)(1 + s));
        if (chart->kind == CW_CHART_LINE)
            chart_series_set_marker_type(series, LXW_CHART_MARKER_CIRCLE);
    }
    worksheet_insert_chart(ws, top, (lxw_col_t)(a->n_series + 2), c);
    /* A chart is about 15 rows tall: keep blocks apart even for short windows. */
    lxw_row_t height = (lxw_row_t)(a->n_periods + 4);
    return height < 17 ? 17 : height;
}

static void write_family(xlsx_ctx *x, const cw_report_family *family)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, family->sheet);
    cw_xlsx_print_layout(ws);
    lxw_row_t row = 3;
    write_text(ws, 0, 0, family->sheet, x->f.title);
    write_window_note(x, ws, 1);
    for (size_t i = 0; i < family->n_charts; i++)
        row += write_chart_block(x, ws, family->sheet, row, &family->charts[i]);
    worksheet_set_column(ws, 0, 0, fit_width(4, strlen(FMT_DATE)), NULL);
    for (size_t s = 0; s < x->axes.n_series; s++)
        worksheet_set_column(ws, (lxw_col_t)(1 + s), (lxw_col_t)(1 + s),
                             fit_width(text_width(x->axes.series[s]), 8), NULL);
}

/* ------------------------------------------------------------ value stream sections */

/* Segment colours of a stacked bar: blues for active statuses, oranges for
 * the waiting ones (queues and gates), so where work waits stands out. */
static const lxw_color_t active_colour[] = { 0x2F5597, 0x5B9BD5, 0x9DC3E6, 0x1F3864, 0xBDD7EE };
static const lxw_color_t waiting_colour[] = { 0xC55A11, 0xF4B183, 0xED7D31, 0x843C0C, 0xF8CBAD };

/* Excel's serial date: days since 1899-12-30, UTC seconds / 86400 apart. */
static double excel_instant(double t)
{
    return t / 86400.0 + 25569.0;
}

/* One cell of a section table under its column's format: an instant as a
 * date-time, a date written as text ("2026-03-02") as a date when the
 * column's format is a date, an issue key as a link to it. */
static void write_cell(xlsx_ctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
                       const cw_report_table *t, size_t c, double v, const char *text)
{
    const char *num = cw_report_table_format(t, c);
    if (text) {
        double date = is_date_format(num) ? excel_date_of(text) : NAN;
        if (!isnan(date))
            write_value(ws, row, col, date, number_format(x, num));
        else if (cw_report_table_link(t, c) == CW_LINK_JIRA)
            write_linked(x, ws, row, col, text, cw_report_issue_url(x->r->exec.cfg, text),
                         x->f.link);
        else
            write_text(ws, row, col, text, x->f.text);
        return;
    }
    if (t->kinds[c] == CW_CELL_INSTANT && !isnan(v))
        v = excel_instant(v);
    write_value(ws, row, col, v, num ? number_format(x, num) : x->f.text);
}

/* 1 when column c holds numbers or dates (its heading goes right). */
static int column_is_numeric(const cw_report_table *t, size_t c)
{
    return t->kinds[c] != CW_CELL_TEXT || is_date_format(cw_report_table_format(t, c));
}

/* The definition's width, else the heading's or the longest value's. */
static double section_width(const cw_report_table *t, size_t c, const char *heading)
{
    size_t content = 0;
    const char *num = cw_report_table_format(t, c);
    if (cw_report_table_width(t, c) > 0)
        return cw_report_table_width(t, c);
    for (size_t i = 0; i < t->n_rows; i++) {
        const char *text = t->texts[i * t->n_cols + c];
        size_t w = text ? text_width(text) : number_width(t->nums[i * t->n_cols + c], num);
        content = w > content ? w : content;
    }
    return fit_width(text_width(heading), content);
}

/* The pivot of a stacked-bar section (categories down, series across) at
 * column `left`, and the chart beside it; the chart reads these cells. */
static void write_stacked_bar(xlsx_ctx *x, lxw_worksheet *ws, const cw_report_table *t,
                              lxw_row_t top, lxw_col_t left)
{
    cw_report_pivot p;
    const char *sheet = t->section->sheet;
    size_t n_active = 0, n_waiting = 0;
    if (cw_report_pivot_build(t, &p) != 0 || p.n_categories == 0) {
        cw_report_pivot_free(&p);
        return;
    }
    write_text(ws, top, left, t->section->category, x->f.header);
    for (size_t s = 0; s < p.n_series; s++)
        write_text(ws, top, (lxw_col_t)(left + 1 + s), p.series[s], x->f.header_num);
    for (size_t c = 0; c < p.n_categories; c++) {
        write_text(ws, (lxw_row_t)(top + 1 + c), left, p.categories[c], x->f.text);
        for (size_t s = 0; s < p.n_series; s++)
            write_value(ws, (lxw_row_t)(top + 1 + c), (lxw_col_t)(left + 1 + s),
                        p.values[c * p.n_series + s], x->f.hours);
    }
    lxw_chart *chart = workbook_add_chart(x->wb, LXW_CHART_BAR_STACKED);
    lxw_chart_font title_font = { .size = 11, .bold = LXW_EXPLICIT_FALSE };
    lxw_row_t first = top + 1, last = (lxw_row_t)(top + p.n_categories);
    chart_title_set_name(chart, t->section->title);
    chart_title_set_name_font(chart, &title_font);
    chart_axis_set_name(chart->x_axis, "hours (orange: waiting)");
    chart_axis_set_reverse(chart->y_axis);
    chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
    for (size_t s = 0; s < p.n_series; s++) {
        lxw_col_t col = (lxw_col_t)(left + 1 + s);
        lxw_chart_series *series = chart_add_series(chart, NULL, NULL);
        lxw_chart_fill fill = { .color = p.waiting[s] ? waiting_colour[n_waiting++ % 5]
                                                      : active_colour[n_active++ % 5] };
        chart_series_set_categories(series, sheet, first, left, last, left);
        chart_series_set_values(series, sheet, first, col, last, col);
        chart_series_set_name_range(series, sheet, top, col);
        chart_series_set_fill(series, &fill);
    }
    lxw_chart_options where = { .x_scale = 1.6, .y_scale = 1.0 + (double)p.n_categories / 12.0 };
    worksheet_insert_chart_opt(ws, 3, (lxw_col_t)(left + 2 + p.n_series), chart, &where);
    cw_report_pivot_free(&p);
}

static void write_section(xlsx_ctx *x, const cw_report_table *t)
{
    const cw_report_section *s = t->section;
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, s->sheet);
    const lxw_row_t head = 4;
    if (!ws) {
        /* a name another sheet took (the definition refuses the fixed ones) */
        cw_error("report: %s:%d: [sheet %s]: the workbook already has a sheet of that name",
                 s->file ? s->file : "report", s->line, s->sheet);
        x->failed = 1;
        return;
    }
    x->links = 0;
    write_text(ws, 0, 0, s->title, x->f.title);
    write_text(ws, 1, 0, s->intro, x->f.note);
    write_window_note(x, ws, 2);
    for (size_t c = 0; c < t->n_cols; c++) {
        char *heading = cw_report_table_heading(t, c);
        write_text(ws, head, (lxw_col_t)c, heading,
                   column_is_numeric(t, c) ? x->f.header_num : x->f.header);
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, section_width(t, c, heading), NULL);
        free(heading);
    }
    for (size_t i = 0; i < t->n_rows; i++)
        for (size_t c = 0; c < t->n_cols; c++)
            write_cell(x, ws, (lxw_row_t)(head + 1 + i), (lxw_col_t)c, t, c,
                       t->nums[i * t->n_cols + c], t->texts[i * t->n_cols + c]);
    if (t->n_rows == 0)
        write_text(ws, head + 1, 0, "none in this window", x->f.note);
    else if (t->n_cols > 0)
        worksheet_autofilter(ws, head, 0, (lxw_row_t)(head + t->n_rows), (lxw_col_t)(t->n_cols - 1));
    set_table_layout(ws, head, 0);
    if (s->chart == CW_SECTION_STACKED_BAR)
        write_stacked_bar(x, ws, t, head, (lxw_col_t)(t->n_cols + 1));
}

/* ------------------------------------------------------------ Audit */

/* The Audit sheet's three tables share its columns: each widens them to
 * its headings and values. */
#define AUDIT_COLS 6
typedef struct audit_widths {
    size_t w[AUDIT_COLS];
} audit_widths;

static void widen(audit_widths *aw, size_t col, size_t width)
{
    if (col < AUDIT_COLS && width > aw->w[col])
        aw->w[col] = width;
}

/* Headings of an Audit table: right-aligned over the numbers (numeric[i]). */
static void audit_headers(xlsx_ctx *x, lxw_worksheet *ws, lxw_row_t row, const char *const *head,
                          const int *numeric, size_t n, audit_widths *aw)
{
    for (size_t i = 0; i < n; i++) {
        write_text(ws, row, (lxw_col_t)i, head[i], numeric[i] ? x->f.header_num : x->f.header);
        widen(aw, i, text_width(head[i]));
    }
}

static lxw_row_t write_untraceable(xlsx_ctx *x, lxw_worksheet *ws, lxw_row_t row,
                                   audit_widths *aw)
{
    static const char *const head[] = { "Application", "Job", "Run", "Finished (UTC)",
                                        "Revision", "Environment" };
    static const int numeric[] = { 0, 0, 1, 1, 0, 0 };
    write_text(ws, row++, 0, "Untraceable production deployments (revision not in the commit graph)",
               x->f.section);
    audit_headers(x, ws, row++, head, numeric, 6, aw);
    for (size_t i = 0; i < x->r->n_untraceable; i++, row++) {
        const cw_report_untraceable *u = &x->r->untraceable[i];
        char run[24];
        snprintf(run, sizeof run, "%ld", u->number);
        write_text(ws, row, 0, u->application, x->f.text);
        write_text(ws, row, 1, u->job, x->f.text);
        /* the run links to its CI build; a link's text is a string, so the
         * number is shown right-aligned as text only when it links */
        char *url = cw_report_build_url(x->r->exec.cfg, u->job, u->number);
        if (url)
            write_linked(x, ws, row, 2, run, url, x->f.link_num);
        else
            write_value(ws, row, 2, (double)u->number, x->f.integer);
        write_value(ws, row, 3, excel_instant((double)u->finished_at), x->f.instant);
        write_text(ws, row, 4, u->revision, x->f.text);
        write_text(ws, row, 5, u->environment, x->f.text);
        widen(aw, 0, text_width(u->application));
        widen(aw, 1, text_width(u->job));
        widen(aw, 2, strlen(run));
        widen(aw, 3, 16);
        widen(aw, 4, text_width(u->revision));
        widen(aw, 5, text_width(u->environment));
    }
    if (x->r->n_untraceable == 0)
        write_text(ws, row++, 0, "none", x->f.note);
    return row + 1;
}

static lxw_row_t write_rejects(xlsx_ctx *x, lxw_worksheet *ws, lxw_row_t row, audit_widths *aw)
{
    static const char *const head[] = { "Source", "Rejected records", "Last batch" };
    static const int numeric[] = { 0, 1, 1 };
    write_text(ws, row++, 0, "Rejected records per source", x->f.section);
    audit_headers(x, ws, row++, head, numeric, 3, aw);
    for (size_t i = 0; i < x->r->n_rejects; i++, row++) {
        write_text(ws, row, 0, x->r->rejects[i].source, x->f.text);
        write_value(ws, row, 1, (double)x->r->rejects[i].rejects, x->f.integer);
        write_value(ws, row, 2, (double)x->r->rejects[i].last_batch, x->f.integer);
        widen(aw, 0, text_width(x->r->rejects[i].source));
    }
    if (x->r->n_rejects == 0)
        write_text(ws, row++, 0, "none", x->f.note);
    return row + 1;
}

static lxw_row_t write_wip(xlsx_ctx *x, lxw_worksheet *ws, lxw_row_t row, audit_widths *aw)
{
    static const char *const head[] = { "Work item", "Summary", "Application", "Status",
                                        "WIP age (hours)", "WIP age (days)" };
    static const int numeric[] = { 0, 0, 0, 0, 1, 1 };
    write_text(ws, row++, 0, "Oldest work in progress at the end of the window", x->f.section);
    audit_headers(x, ws, row++, head, numeric, 6, aw);
    for (size_t i = 0; i < x->r->n_wip; i++, row++) {
        const cw_report_wip *w = &x->r->wip[i];
        write_linked(x, ws, row, 0, w->item_key, cw_report_issue_url(x->r->exec.cfg, w->item_key),
                     x->f.link);
        write_text(ws, row, 1, w->summary, x->f.text);
        write_text(ws, row, 2, w->application, x->f.text);
        write_text(ws, row, 3, w->status, x->f.text);
        write_value(ws, row, 4, w->age_h, x->f.hours);
        write_value(ws, row, 5, w->age_h / 24.0, x->f.hours);
        widen(aw, 0, text_width(w->item_key));
        widen(aw, 1, text_width(w->summary));
        widen(aw, 2, text_width(w->application));
        widen(aw, 3, text_width(w->status));
    }
    if (x->r->n_wip == 0)
        write_text(ws, row++, 0, "none", x->f.note);
    return row + 1;
}

static void write_audit(xlsx_ctx *x)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "Audit");
    audit_widths aw = {{0}};
    x->links = 0;
    cw_xlsx_print_layout(ws);
    worksheet_freeze_panes(ws, 3, 0);
    write_text(ws, 0, 0, "Audit and data quality", x->f.title);
    write_window_note(x, ws, 1);
    lxw_row_t row = write_untraceable(x, ws, 3, &aw);
    row = write_rejects(x, ws, row, &aw);
    write_wip(x, ws, row, &aw);
    for (size_t c = 0; c < AUDIT_COLS; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, fit_width(0, aw.w[c]), NULL);
}

/* ------------------------------------------------------------ Data */

static void write_data(xlsx_ctx *x)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "Data");
    static const char *const ids[] = { "scope", "name", "team", "period" };
    const lxw_col_t n_ids = 4, last_col = (lxw_col_t)(n_ids + cw_metric_n_fields - 1);
    size_t widths[4] = { 5, 4, 4, 10 };
    /* full values, shown rounded by the kind their name says (hours 0.0,
     * rates 0.0 %, counts 0): the convention of the report sections */
    lxw_format **field_formats = cw_xcalloc(cw_metric_n_fields + 1, sizeof *field_formats);
    for (size_t f = 0; f < cw_metric_n_fields; f++) {
        cw_report_cell_kind kind = cw_report_kind_of_name(
            cw_metric_fields[f].name, cw_metric_fields[f].is_double ? CW_DB_REAL : CW_DB_INT);
        field_formats[f] = number_format(x, cw_report_kind_format(kind));
    }
    write_headers(x, ws, 0, 0, ids, n_ids);
    for (size_t f = 0; f < cw_metric_n_fields; f++) {
        lxw_col_t col = (lxw_col_t)(n_ids + f);
        write_text(ws, 0, col, cw_metric_fields[f].name, x->f.header_num);
        worksheet_set_column(ws, col, col, fit_width(text_width(cw_metric_fields[f].name), 8),
                             NULL);
    }
    for (size_t i = 0; i < x->r->n_rows; i++) {
        const cw_report_row *row = &x->r->rows[i];
        lxw_row_t at = (lxw_row_t)(i + 1);
        write_text(ws, at, 0, cw_report_scope_name(row->scope), NULL);
        write_text(ws, at, 1, row->m.name, NULL);
        write_text(ws, at, 2, row->m.team, NULL);
        /* the period is its first day: a date, so it sorts and filters as one */
        if (isnan(excel_date_of(row->m.period)))
            write_text(ws, at, 3, row->m.period, NULL);
        else
            write_value(ws, at, 3, excel_date_of(row->m.period), x->f.date);
        for (size_t c = 0; c < 3; c++) {
            const char *text = c == 0 ? cw_report_scope_name(row->scope) : c == 1 ? row->m.name
                                                                                  : row->m.team;
            widths[c] = text_width(text) > widths[c] ? text_width(text) : widths[c];
        }
        for (size_t f = 0; f < cw_metric_n_fields; f++) {
            const cw_metric_field *field = &cw_metric_fields[f];
            double v = cw_report_field_value(&row->m, field);
            if (!isnan(v))
                worksheet_write_number(ws, at, (lxw_col_t)(n_ids + f), v, field_formats[f]);
        }
    }
    set_table_layout(ws, 0, n_ids);
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)x->r->n_rows, last_col);
    for (size_t c = 0; c < 4; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, fit_width(0, widths[c]), NULL);
    free(field_formats);
}

/* ------------------------------------------------------------ workbook */

/* File > Properties: what the file is, who made it, which window. */
static void set_properties(xlsx_ctx *x)
{
    char from[11], to[11], comments[160];
    cw_time_format_date(x->r->from, from, sizeof from);
    cw_time_format_date(x->r->to, to, sizeof to);
    snprintf(comments, sizeof comments, "Window %s to %s (exclusive), ISO weeks, UTC", from, to);
    lxw_doc_properties props = {
        .title = "Catwalk weekly report", .subject = "Delivery performance: DORA four keys, "
        "flow and the value stream", .author = "catwalk", .company = "catwalk",
        .keywords = "DORA, value stream, weekly report", .comments = comments,
        .created = (time_t)x->r->generated_at,
    };
    workbook_set_properties(x->wb, &props);
}

/* Fill the temporary file cw_write_atomic reserved: libxlsxwriter
 * truncates its output when it starts zipping, so writing to the real name
 * would leave a 0-byte workbook in place of last week's on a kill. */
static int write_workbook(void *ctx, const char *tmp_path)
{
    const cw_report *r = ctx;
    xlsx_ctx x = { .r = r };
    x.wb = workbook_new(tmp_path);
    if (!x.wb)
        return -1;
    cw_report_axes_build(r, &x.axes);
    make_formats(x.wb, &x.f);
    set_properties(&x);
    cw_xlsx_write_summary(x.wb, r);
    cw_chart_write_xlsx(x.wb, r);       /* "Charts" and "Chart data" (chart_xlsx.c) */
    for (size_t i = 0; i < cw_report_n_families; i++)
        write_family(&x, &cw_report_families[i]);
    for (size_t i = 0; i < r->n_tables; i++)
        write_section(&x, &r->tables[i]);
    write_audit(&x);
    write_data(&x);
    cw_xlsx_print_layout(cw_report_xlsx_about(x.wb, r));
    cw_report_axes_free(&x.axes);
    lxw_error err = workbook_close(x.wb);
    for (size_t i = 0; i < x.n_nums; i++)
        free(x.nums[i].num);
    if (x.failed && err == LXW_NO_ERROR)
        return -1;
    if (err != LXW_NO_ERROR) {
        cw_error("report: writing %s failed: %s", tmp_path, lxw_strerror(err));
        return -1;
    }
    return 0;
}

int cw_report_write_xlsx(const cw_report *r, const char *path)
{
    if (cw_write_atomic(path, write_workbook, (void *)r) != 0) {
        cw_error("report: cannot write %s (the previous file, if any, is unchanged)", path);
        return -1;
    }
    return 0;
}
