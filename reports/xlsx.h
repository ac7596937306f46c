/*
 * xlsx.h - the workbook's shared craft, for every file that writes a sheet
 * (xlsx.c, xlsx_summary.c, chart_xlsx.c): one print layout, so no sheet prints
 * differently, and one set of level colours.
 */
#ifndef CW_XLSX_H
#define CW_XLSX_H

#include <stdint.h>

struct lxw_worksheet;

/* DORA level colours (RGB, libxlsxwriter's lxw_color_t), indexed by
 * cw_level: every sheet that colours a level, as templates/weekly.html does. */
#define CW_XLSX_N_LEVELS 5
extern const int32_t cw_xlsx_level_fill[CW_XLSX_N_LEVELS];
extern const int32_t cw_xlsx_level_font[CW_XLSX_N_LEVELS];

/* Printed (or saved as PDF) a sheet is one page wide, in landscape, with
 * narrow margins. */
void cw_xlsx_print_layout(struct lxw_worksheet *ws);

#endif
