/*
 * xlsx_summary.h - the workbook's first sheet, Summary (reports/xlsx_summary.c).
 */
#ifndef CW_XLSX_SUMMARY_H
#define CW_XLSX_SUMMARY_H

#include <xlsxwriter.h>

#include "report.h"

/* Add the Summary sheet to wb: the headline, the trust banner, then the
 * teams and the applications.  Call it first: it is the sheet a workbook
 * opens on. */
void cw_xlsx_write_summary(lxw_workbook *wb, const cw_report *r);

#endif
