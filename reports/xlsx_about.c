/*
 * xlsx_about.c - the workbook's "About" sheet (xlsx_about.h): the run
 * manifest of reports/manifest.c, as label and value rows, then one row per
 * source with its files and the digest of their landed checksums, and the
 * command that renders this report again with the same values.
 *
 * Every cell is a string or a number written as such (never a formula), as
 * in the rest of the workbook (reports/xlsx.c).
 */
#include "xlsx_about.h"
#include "../core/time.h"
#include "../core/util.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct about_formats {
    lxw_format *title, *label, *header, *mono;
} about_formats;

static void make_formats(lxw_workbook *wb, about_formats *f)
{
    f->title = workbook_add_format(wb);
    format_set_bold(f->title);
    format_set_font_size(f->title, 16);
    f->label = workbook_add_format(wb);
    format_set_bold(f->label);
    f->header = workbook_add_format(wb);
    format_set_bold(f->header);
    format_set_bg_color(f->header, 0xDDE3EA);
    format_set_bottom(f->header, LXW_BORDER_THIN);
    f->mono = workbook_add_format(wb);
    format_set_font_name(f->mono, "Consolas");
}

static void row_text(lxw_worksheet *ws, lxw_row_t row, const char *label, const char *value,
                     const about_formats *f, lxw_format *fmt)
{
    worksheet_write_string(ws, row, 0, label, f->label);
    if (value)
        worksheet_write_string(ws, row, 1, value, fmt);
}

static void row_instant(lxw_worksheet *ws, lxw_row_t row, const char *label, int64_t t,
                        const about_formats *f)
{
    char iso[40];
    cw_time_format_iso(t, iso, sizeof iso);
    row_text(ws, row, label, iso, f, NULL);
}

/* The window as its first and last day ("2026-09-07 to 2026-11-29"). */
static void row_window(lxw_worksheet *ws, lxw_row_t row, const cw_report *r,
                       const about_formats *f)
{
    char from[16], last[16], text[48];
    cw_time_format_date(r->from, from, sizeof from);
    cw_time_format_date(r->to - 86400, last, sizeof last);
    snprintf(text, sizeof text, "%s to %s", from, last);
    row_text(ws, row, "Window", text, f, NULL);
}

static lxw_row_t write_inputs(lxw_worksheet *ws, lxw_row_t row, const cw_report_manifest *m,
                              const about_formats *f)
{
    static const char *const headers[] = {"Source", "Files", "SHA-256 of the landed checksums"};
    for (lxw_col_t c = 0; c < 3; c++)
        worksheet_write_string(ws, row, c, headers[c], f->header);
    for (size_t i = 0; i < m->n_inputs; i++) {
        row++;
        worksheet_write_string(ws, row, 0, m->inputs[i].source, NULL);
        worksheet_write_number(ws, row, 1, (double)m->inputs[i].files, NULL);
        worksheet_write_string(ws, row, 2, m->inputs[i].sha256, f->mono);
    }
    return row;
}

lxw_worksheet *cw_report_xlsx_about(lxw_workbook *wb, const cw_report *r)
{
    const cw_report_manifest *m = &r->exec.manifest;
    lxw_worksheet *ws = workbook_add_worksheet(wb, "About");
    about_formats f;
    char as_of[40], from[16], to[16], *rerun;
    lxw_row_t row = 2;
    make_formats(wb, &f);
    worksheet_set_column(ws, 0, 0, 24, NULL);
    worksheet_set_column(ws, 1, 1, 30, NULL);
    worksheet_set_column(ws, 2, 2, 68, NULL);
    worksheet_write_string(ws, 0, 0, "What this report was built from", f.title);
    row_text(ws, row++, "catwalk version", m->version, &f, NULL);
    row_text(ws, row++, "Configuration SHA-256", m->config_sha256 ? m->config_sha256 : "unknown",
             &f, f.mono);
    row_window(ws, row++, r, &f);
    row_instant(ws, row++, "As of", m->as_of, &f);
    row_text(ws, row++, "Forecast seed", m->seed, &f, NULL);
    worksheet_write_string(ws, row, 0, "Last batch", f.label);
    worksheet_write_number(ws, row++, 1, (double)m->last_batch, NULL);
    cw_time_format_iso(m->as_of, as_of, sizeof as_of);
    cw_time_format_date(r->from, from, sizeof from);
    cw_time_format_date(r->to, to, sizeof to);
    rerun = cw_asprintf("catwalk report weekly -c FILE --from %s --to %s --as-of %s", from, to,
                        as_of);
    row_text(ws, row++, "Render it again", rerun, &f, f.mono);
    free(rerun);
    write_inputs(ws, row + 1, m, &f);
    return ws;
}
