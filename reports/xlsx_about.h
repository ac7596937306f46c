/*
 * xlsx_about.h - the workbook's "About" sheet: the run manifest (exec.h),
 * what the report was built from and how to render it again.
 */
#ifndef CW_XLSX_ABOUT_H
#define CW_XLSX_ABOUT_H

#include <xlsxwriter.h>
#include "report.h"

/* Add the "About" sheet (last) to wb from r->exec.manifest; returns it,
 * for the page setup every sheet of the workbook shares (xlsx.c). */
lxw_worksheet *cw_report_xlsx_about(lxw_workbook *wb, const cw_report *r);

#endif
