/*
 * xlsx.h - the workbook's shared craft, for every file that writes a sheet
 * (xlsx.c, chart_xlsx.c): one print layout, so no sheet prints differently.
 */
#ifndef CW_XLSX_H
#define CW_XLSX_H

struct lxw_worksheet;

/* Printed (or saved as PDF) a sheet is one page wide, in landscape, with
 * narrow margins. */
void cw_xlsx_print_layout(struct lxw_worksheet *ws);

#endif
