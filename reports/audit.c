/*
 * audit.c - `catwalk report audit`: the audit evidence of a release or a
 * window as a workbook (libxlsxwriter) and the same rows as CSV (libcsv's
 * quoting).
 *
 * reports/sql/audit.sql gives each deployed change as several rows (the
 * change, then each item key, gate passage and missing gate); this file
 * folds them into one line per change and writes both files.  The gaps are
 * flags on that line: an untraceable commit (it carries no key), a revision
 * missing from git (the deployment is untraceable), and items deployed
 * without passing a gate their application requires.
 *
 * Security: a text cell is never a formula.  The workbook writes text with
 * worksheet_write_string only (as reports/xlsx.c does); the CSV prefixes a
 * cell that a spreadsheet would read as a formula (leading = + - @, tab or
 * carriage return) with an apostrophe, the usual defence against CSV
 * injection, since a commit message is anyone's text.
 */
#include "audit.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "../core/embedded.h"
#include "../core/log.h"
#include "../core/time.h"
#include "../core/util.h"

#define AUDIT_SQL "reports/sql/audit.sql"

/* Columns of audit.sql. */
enum { A_DEPLOYMENT, A_COMMIT, A_PART, A_APPLICATION, A_JOB, A_NUMBER, A_FINISHED, A_ENV,
       A_BUILD, A_TRACEABLE, A_SHA, A_AUTHOR, A_SUBJECT, A_ITEM, A_STATUS, A_STAKEHOLDER,
       A_AT };

/* The parts of one change in audit.sql. */
enum { PART_CHANGE, PART_ITEM, PART_GATE, PART_MISSING };

/* One deployed change, folded. */
typedef struct audit_row {
    int64_t deployment_id, commit_id;   /* commit_id -1: an untraceable deployment */
    char *application, *job, *environment, *build, *sha, *author, *subject;
    long number;
    int64_t finished_at;
    int traceable;
    cw_buf items, gates, missing;       /* "; "-separated lists */
} audit_row;

typedef struct audit_rows {
    audit_row *r;
    size_t n, cap;
} audit_rows;

/* The output columns, the same in both files. */
static const char *const header[] = {
    "application", "job", "number", "finished_at", "environment", "build", "commit", "author",
    "subject", "items", "gate_transitions", "untraceable_commit", "revision_not_in_git",
    "gate_not_passed",
};
#define N_COLUMNS (sizeof header / sizeof header[0])
enum { COL_NUMBER = 2, COL_UNTRACEABLE = 11, COL_NOT_IN_GIT = 12, COL_GATE = 13 };

static void rows_free(audit_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        audit_row *r = &rows->r[i];
        free(r->application);
        free(r->job);
        free(r->environment);
        free(r->build);
        free(r->sha);
        free(r->author);
        free(r->subject);
        cw_buf_free(&r->items);
        cw_buf_free(&r->gates);
        cw_buf_free(&r->missing);
    }
    free(rows->r);
    memset(rows, 0, sizeof *rows);
}

/* ------------------------------------------------------------ reading */

static int64_t column_id(cw_stmt *st, int col)
{
    return cw_db_column_type(st, col) == CW_DB_NULL ? -1 : cw_db_column_int(st, col);
}

static void list_add(cw_buf *list, const char *text)
{
    if (list->len)
        cw_buf_puts(list, "; ");
    cw_buf_puts(list, text);
}

static void start_change(audit_rows *rows, cw_stmt *st)
{
    audit_row *r;
    rows->r = cw_grow(rows->r, &rows->cap, rows->n + 1, sizeof *rows->r);
    r = &rows->r[rows->n++];
    memset(r, 0, sizeof *r);
    r->deployment_id = cw_db_column_int(st, A_DEPLOYMENT);
    r->commit_id = column_id(st, A_COMMIT);
    r->application = cw_strdup(cw_db_column_text(st, A_APPLICATION));
    r->job = cw_strdup(cw_db_column_text(st, A_JOB));
    r->number = (long)cw_db_column_int(st, A_NUMBER);
    r->finished_at = cw_db_column_int(st, A_FINISHED);
    r->environment = cw_strdup(cw_db_column_text(st, A_ENV));
    r->build = cw_strdup(cw_db_column_text(st, A_BUILD));
    r->traceable = (int)cw_db_column_int(st, A_TRACEABLE);
    r->sha = cw_strdup(cw_db_column_text(st, A_SHA));
    r->author = cw_strdup(cw_db_column_text(st, A_AUTHOR));
    r->subject = cw_strdup(cw_db_column_text(st, A_SUBJECT));
}

/* "PAY-7: Security Review (security) 2026-03-02T10:00:00Z" */
static void add_gate(audit_row *r, cw_stmt *st)
{
    char at[32];
    char *text;
    cw_time_format_iso(cw_db_column_int(st, A_AT), at, sizeof at);
    text = cw_asprintf("%s: %s (%s) %s", cw_db_column_text(st, A_ITEM),
                       cw_db_column_text(st, A_STATUS), cw_db_column_text(st, A_STAKEHOLDER), at);
    list_add(&r->gates, text);
    free(text);
}

static void add_part(audit_rows *rows, cw_stmt *st)
{
    audit_row *r = &rows->r[rows->n - 1];
    char *text;
    switch ((int)cw_db_column_int(st, A_PART)) {
    case PART_ITEM:
        list_add(&r->items, cw_db_column_text(st, A_ITEM));
        break;
    case PART_GATE:
        add_gate(r, st);
        break;
    case PART_MISSING:
        text = cw_asprintf("%s: %s", cw_db_column_text(st, A_ITEM),
                           cw_db_column_text(st, A_STAKEHOLDER));
        list_add(&r->missing, text);
        free(text);
        break;
    default:
        break;
    }
}

/* A row of audit.sql: a new change, or a part of the last one. */
static void take_row(audit_rows *rows, cw_stmt *st)
{
    int part = (int)cw_db_column_int(st, A_PART);
    if (part == PART_CHANGE || rows->n == 0)
        start_change(rows, st);
    else
        add_part(rows, st);
}

static int read_rows(cw_db *db, const cw_audit_query *q, audit_rows *rows)
{
    const char *sql = cw_embedded_get(AUDIT_SQL);
    cw_stmt *st = NULL;
    int rc;
    if (!sql || cw_db_prepare(db, sql, &st) != CW_DB_OK) {
        cw_error("audit: %s: %s", AUDIT_SQL, sql ? cw_db_errmsg(db) : "not embedded");
        return -1;
    }
    rc = cw_db_bind_int(st, 1, q->from);
    if (rc == CW_DB_OK)
        rc = cw_db_bind_int(st, 2, q->to);
    if (rc == CW_DB_OK)
        rc = q->release ? cw_db_bind_str(st, 3, q->release) : cw_db_bind_null(st, 3);
    while (rc == CW_DB_OK && (rc = cw_db_step(st)) == CW_DB_ROW) {
        take_row(rows, st);
        rc = CW_DB_OK;
    }
    if (rc != CW_DB_DONE)
        cw_error("audit: reading the deployed changes: %s", cw_db_errmsg(db));
    cw_db_finalize(st);
    return rc == CW_DB_DONE ? 0 : -1;
}

/* ------------------------------------------------------------ cells */

/* The text of column col of a row; *owned is set when the caller frees it.
 * NULL for an empty cell.  Flags are "yes" or empty. */
static const char *cell(const audit_row *r, size_t col, char **owned)
{
    static const char yes[] = "yes";
    *owned = NULL;
    switch (col) {
    case 0: return r->application;
    case 1: return r->job;
    case COL_NUMBER: return *owned = cw_asprintf("%ld", r->number);
    case 3: {
        char at[32];
        cw_time_format_iso(r->finished_at, at, sizeof at);
        return *owned = cw_strdup(at);
    }
    case 4: return r->environment;
    case 5: return r->build;
    case 6: return r->sha;
    case 7: return r->author;
    case 8: return r->subject;
    case 9: return r->items.len ? r->items.data : NULL;
    case 10: return r->gates.len ? r->gates.data : NULL;
    case COL_UNTRACEABLE: return r->commit_id >= 0 && r->items.len == 0 ? yes : NULL;
    case COL_NOT_IN_GIT: return r->traceable ? NULL : yes;
    case COL_GATE: return r->missing.len ? r->missing.data : NULL;
    default: return NULL;
    }
}

/* ------------------------------------------------------------ CSV */

/* A spreadsheet reads a cell starting with one of these as a formula. */
static int formula_like(const char *s)
{
    return s[0] && strchr("=+-@\t\r", s[0]) != NULL;
}

static int csv_cell(FILE *fp, const char *text)
{
    char *guarded = NULL;
    int rc;
    if (!text)
        text = "";
    if (formula_like(text))
        text = guarded = cw_asprintf("'%s", text);
    rc = csv_fwrite(fp, text, strlen(text));
    free(guarded);
    return rc;
}

static int csv_line(FILE *fp, const audit_row *r)
{
    int rc = 0;
    for (size_t col = 0; rc == 0 && col < N_COLUMNS; col++) {
        char *owned;
        const char *text = r ? cell(r, col, &owned) : header[col];
        if (col && fputc(',', fp) == EOF)
            rc = -1;
        if (rc == 0)
            rc = csv_cell(fp, text);
        if (r)
            free(owned);
    }
    return rc == 0 && fputs("\r\n", fp) != EOF ? 0 : -1;
}

static int write_csv(void *ctx, const char *tmp_path)
{
    const audit_rows *rows = ctx;
    FILE *fp = fopen(tmp_path, "w");
    int rc;
    if (!fp)
        return -1;
    rc = csv_line(fp, NULL);
    for (size_t i = 0; rc == 0 && i < rows->n; i++)
        rc = csv_line(fp, &rows->r[i]);
    if (fclose(fp) != 0)
        rc = -1;
    return rc;
}

/* ------------------------------------------------------------ workbook */

typedef struct audit_formats {
    lxw_format *head, *gap, *wrap;
} audit_formats;

static void make_formats(lxw_workbook *wb, audit_formats *f)
{
    f->head = workbook_add_format(wb);
    format_set_bold(f->head);
    format_set_bottom(f->head, LXW_BORDER_THIN);
    /* Excel's "bad" style: the gaps an auditor must see */
    f->gap = workbook_add_format(wb);
    format_set_bg_color(f->gap, 0xFFC7CE);
    format_set_font_color(f->gap, 0x9C0006);
    format_set_bold(f->gap);
    f->wrap = workbook_add_format(wb);
    format_set_text_wrap(f->wrap);
}

static void write_sheet_row(lxw_worksheet *ws, lxw_row_t row, const audit_row *r,
                            const audit_formats *f)
{
    for (size_t col = 0; col < N_COLUMNS; col++) {
        char *owned;
        const char *text = cell(r, col, &owned);
        int is_gap = col >= COL_UNTRACEABLE && text;
        if (col == COL_NUMBER)
            worksheet_write_number(ws, row, (lxw_col_t)col, (double)r->number, NULL);
        else if (text)
            worksheet_write_string(ws, row, (lxw_col_t)col, text, is_gap ? f->gap : NULL);
        free(owned);
    }
}

static int write_xlsx(void *ctx, const char *tmp_path)
{
    const audit_rows *rows = ctx;
    lxw_workbook *wb = workbook_new(tmp_path);
    lxw_worksheet *ws;
    audit_formats f;
    lxw_error err;
    if (!wb)
        return -1;
    make_formats(wb, &f);
    ws = workbook_add_worksheet(wb, "Audit");
    for (size_t col = 0; col < N_COLUMNS; col++)
        worksheet_write_string(ws, 0, (lxw_col_t)col, header[col], f.head);
    for (size_t i = 0; i < rows->n; i++)
        write_sheet_row(ws, (lxw_row_t)(i + 1), &rows->r[i], &f);
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)rows->n, N_COLUMNS - 1);
    worksheet_set_column(ws, 0, 1, 18, NULL);
    worksheet_set_column(ws, 3, 3, 21, NULL);
    worksheet_set_column(ws, 6, 6, 42, NULL);
    worksheet_set_column(ws, 8, 10, 40, NULL);
    worksheet_set_column(ws, 11, 13, 18, NULL);
    err = workbook_close(wb);
    if (err != LXW_NO_ERROR) {
        cw_error("audit: writing %s failed: %s", tmp_path, lxw_strerror(err));
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ files */

/* The file name's part after "catwalk-audit-": the release with anything
 * but letters, digits, '.', '-' and '_' made '_' (a release may hold '/'),
 * or the window's dates. */
static char *file_stem(const cw_audit_query *q)
{
    char from[11], to[11];
    if (q->release) {
        char *stem = cw_asprintf("release-%s", q->release);
        for (char *p = stem + 8; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
                *p = '_';
        return stem;
    }
    cw_time_format_date(q->from, from, sizeof from);
    cw_time_format_date(q->to, to, sizeof to);
    return cw_asprintf("%s_%s", from, to);
}

static int write_files(const audit_rows *rows, const char *dir, const char *stem, char **xlsx,
                       char **csv)
{
    *xlsx = cw_asprintf("%s/catwalk-audit-%s.xlsx", dir, stem);
    *csv = cw_asprintf("%s/catwalk-audit-%s.csv", dir, stem);
    if (cw_mkdirs(dir) != 0) {
        cw_error("audit: cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    if (cw_write_atomic(*xlsx, write_xlsx, (void *)rows) != 0) {
        cw_error("audit: cannot write %s (the previous file, if any, is unchanged)", *xlsx);
        return -1;
    }
    if (cw_write_atomic(*csv, write_csv, (void *)rows) != 0) {
        cw_error("audit: cannot write %s (the previous file, if any, is unchanged)", *csv);
        return -1;
    }
    return 0;
}

int cw_audit_write(cw_db *db, const cw_audit_query *q, const char *out_dir, char **xlsx,
                   char **csv, size_t *n_rows)
{
    audit_rows rows = {0};
    char *stem = NULL;
    int rc = read_rows(db, q, &rows);
    *xlsx = *csv = NULL;
    *n_rows = rows.n;
    if (rc == 0) {
        stem = file_stem(q);
        rc = write_files(&rows, out_dir, stem, xlsx, csv);
    }
    free(stem);
    rows_free(&rows);
    if (rc != 0) {
        free(*xlsx);
        free(*csv);
        *xlsx = *csv = NULL;
    }
    return rc;
}
