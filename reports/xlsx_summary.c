/*
 * xlsx_summary.c - the workbook's first sheet, Summary: headline first.
 *
 * What a reader sees on opening the workbook, top to bottom:
 *   the four tiles of the headline (r->exec.headline): value, DORA level,
 *     change over the last 4 weeks in the key's unit (pp for the rate),
 *     better or worse, and the samples; a small sample is greyed with its n
 *   the narrative sentence and the legend of the band thresholds
 *   the data-trust banner (r->exec.trust), a warning when degraded
 *   the organisation and the teams, one row each (organisation first)
 *   the applications, grouped under their team (no team column repeated)
 * Durations of 48 hours or more are days (CW_REPORT_DAYS_FROM_H), each cell
 * a number whose format names its unit, so the sheet still sorts and sums.
 *
 * Every value comes from the model (the headline and trust were gathered
 * from the warehouse): the page and the mail show the same numbers.  Text
 * cells are strings only (worksheet_write_string), never formulas.
 */
#include "xlsx_summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"
#include "headline.h"
#include "xlsx.h"

/* DORA level colours: the other sheets' (xlsx.h), as the page's */
#define N_LEVELS CW_XLSX_N_LEVELS
#define GREY 0x8C8C8C

/* The units a key's value and change are shown in. */
typedef enum unit { U_PER_WEEK, U_HOURS, U_DAYS, U_RATE, U_COUNT } unit;
#define N_UNITS 5

static const char *const value_num[N_UNITS] = {
    "0.0\" per week\"", "0.0\" h\"", "0.0\" days\"", "0.0%", "0",
};
/* Changes: signed, the rate's in percentage points. */
static const char *const change_num[N_UNITS] = {
    "+0.0\" per week\";-0.0\" per week\";0.0\" per week\"", "+0.0\" h\";-0.0\" h\";0.0\" h\"",
    "+0.0\" days\";-0.0\" days\";0.0\" days\"", "+0.0\" pp\";-0.0\" pp\";0.0\" pp\"", "+0;-0;0",
};

typedef struct summary_formats {
    lxw_format *title, *note, *header, *section, *text, *bold, *warning, *fine;
    lxw_format *level[N_LEVELS], *level_small;
    lxw_format *value[N_UNITS], *value_small[N_UNITS];
    lxw_format *change[3][N_UNITS], *change_small[N_UNITS];      /* [better + 1] */
} summary_formats;

typedef struct summary_ctx {
    const cw_report *r;
    lxw_workbook *wb;
    lxw_worksheet *ws;
    summary_formats f;
    long min_samples;
} summary_ctx;

static lxw_format *new_format(lxw_workbook *wb, const char *num, lxw_color_t font)
{
    lxw_format *f = workbook_add_format(wb);
    if (num)
        format_set_num_format(f, num);
    if (font)
        format_set_font_color(f, font);
    return f;
}

static void make_formats(lxw_workbook *wb, summary_formats *f)
{
    static const lxw_color_t change_colour[3] = { 0xC00000, 0x595959, 0x1E7B34 };
    f->title = new_format(wb, NULL, 0);
    format_set_bold(f->title);
    format_set_font_size(f->title, 16);
    f->note = new_format(wb, NULL, 0x595959);
    f->header = new_format(wb, NULL, 0);
    format_set_bold(f->header);
    format_set_bg_color(f->header, 0xDDE3EA);
    format_set_bottom(f->header, LXW_BORDER_THIN);
    format_set_text_wrap(f->header);
    format_set_align(f->header, LXW_ALIGN_CENTER);
    format_set_align(f->header, LXW_ALIGN_VERTICAL_BOTTOM);
    f->section = new_format(wb, NULL, 0);
    format_set_bold(f->section);
    format_set_font_size(f->section, 12);
    f->text = new_format(wb, NULL, 0);
    f->bold = new_format(wb, NULL, 0);
    format_set_bold(f->bold);
    f->warning = new_format(wb, NULL, 0x9C0006);
    format_set_bold(f->warning);
    format_set_bg_color(f->warning, 0xFFC7CE);
    f->fine = new_format(wb, NULL, 0x1E6B34);
    for (int l = 0; l < N_LEVELS; l++) {
        f->level[l] = new_format(wb, NULL, cw_xlsx_level_font[l]);
        format_set_bg_color(f->level[l], cw_xlsx_level_fill[l]);
        format_set_align(f->level[l], LXW_ALIGN_CENTER);
    }
    f->level_small = new_format(wb, NULL, GREY);
    format_set_italic(f->level_small);
    format_set_bg_color(f->level_small, 0xF2F2F2);
    format_set_align(f->level_small, LXW_ALIGN_CENTER);
    for (int u = 0; u < N_UNITS; u++) {
        f->value[u] = new_format(wb, value_num[u], 0);
        f->value_small[u] = new_format(wb, value_num[u], GREY);
        format_set_italic(f->value_small[u]);
        for (int b = 0; b < 3; b++)
            f->change[b][u] = new_format(wb, change_num[u], change_colour[b]);
        f->change_small[u] = new_format(wb, change_num[u], GREY);
        format_set_italic(f->change_small[u]);
    }
}

/* ------------------------------------------------------------ cells */

static void text(summary_ctx *x, lxw_row_t row, lxw_col_t col, const char *s, lxw_format *fmt)
{
    if (s)
        worksheet_write_string(x->ws, row, col, s, fmt);
}

static void number(summary_ctx *x, lxw_row_t row, lxw_col_t col, double v, lxw_format *fmt)
{
    if (isnan(v))
        worksheet_write_blank(x->ws, row, col, fmt);
    else
        worksheet_write_number(x->ws, row, col, v, fmt);
}

/* The unit key k (cw_report_keys order) is shown in, for a value in its
 * own unit; a duration's unit follows the duration rule. */
static unit key_unit(size_t k, double value)
{
    const cw_report_key *key = &cw_report_keys[k];
    if (key->is_rate)
        return U_RATE;
    if (key->higher_is_better)
        return U_PER_WEEK;              /* deployment frequency */
    return cw_report_duration_in_days(value) ? U_DAYS : U_HOURS;
}

/* A value or change in the key's own unit, as shown in unit u. */
static double shown(unit u, double v, int is_change)
{
    if (u == U_DAYS)
        return v / 24.0;
    if (u == U_RATE && is_change)
        return v * 100.0;               /* percentage points */
    return v;
}

/* Value, level and change of key k of s at columns col .. col + 2. */
static void key_cells(summary_ctx *x, lxw_row_t row, lxw_col_t col, const cw_dora_summary *s,
                      size_t k)
{
    const cw_report_key *key = &cw_report_keys[k];
    double value = cw_report_key_value(s, key);
    cw_level level = cw_report_key_level(s, key);
    cw_report_trend t = cw_report_key_trend(s, key);
    long n;
    int small = cw_report_small_sample(x->r, s, k, x->min_samples, &n);
    int level_small = small & CW_SMALL_LEVEL, trend_small = small & CW_SMALL_TREND;
    unit u = key_unit(k, value);
    unit cu = isnan(value) ? key_unit(k, t.delta) : u;
    char label[32];
    /* a small level is greyed with its n; a trend on a small half is greyed */
    number(x, row, col, shown(u, value, 0), level_small ? x->f.value_small[u] : x->f.value[u]);
    snprintf(label, sizeof label, level_small ? "%s (n=%ld)" : "%s",
             cw_report_level_label(level), n);
    text(x, row, (lxw_col_t)(col + 1), label, level_small ? x->f.level_small : x->f.level[level]);
    number(x, row, (lxw_col_t)(col + 2), shown(cu, t.delta, 1),
           trend_small ? x->f.change_small[cu] : x->f.change[t.better + 1][cu]);
}

/* ------------------------------------------------------------ headline */

static lxw_row_t write_tiles(summary_ctx *x, lxw_row_t row)
{
    static const char *const head[] = { "Key", "Value", "DORA level", "Change vs prior 4 weeks",
                                        "Better or worse", "Samples" };
    const cw_report_headline *h = &x->r->exec.headline;
    for (size_t c = 0; c < 6; c++)
        text(x, row, (lxw_col_t)c, head[c], x->f.header);
    row++;
    for (size_t k = 0; k < h->n_tiles; k++, row++) {
        const cw_report_tile *t = &h->tiles[k];
        unit u = k < cw_report_n_keys ? key_unit(k, isnan(t->value) ? t->change : t->value)
                                      : U_COUNT;
        /* a tile's change is in the key's own unit (hours; pp for the rate) */
        double change = u == U_DAYS ? t->change / 24.0 : t->change;
        lxw_format *level = t->small_sample ? x->f.level_small : x->f.level[t->level];
        char label[48];
        text(x, row, 0, t->label, x->f.bold);
        number(x, row, 1, shown(u, t->value, 0), t->small_sample ? x->f.value_small[u]
                                                                 : x->f.value[u]);
        text(x, row, 2, cw_report_level_label((cw_level)t->level), level);
        number(x, row, 3, change, t->small_sample ? x->f.change_small[u]
                                                               : x->f.change[t->better + 1][u]);
        text(x, row, 4, t->better > 0 ? "better" : t->better < 0 ? "worse"
                        : isnan(t->change) ? "no comparison" : "no change", x->f.text);
        snprintf(label, sizeof label, "n=%ld: small sample", t->samples);
        if (t->small_sample)
            text(x, row, 5, label, x->f.level_small);
        else
            number(x, row, 5, (double)t->samples, x->f.value[U_COUNT]);
    }
    return row;
}

static lxw_row_t write_headline(summary_ctx *x, lxw_row_t row)
{
    const cw_report_headline *h = &x->r->exec.headline;
    row = write_tiles(x, row);
    text(x, row++, 0, h->narrative, x->f.bold);
    row++;
    text(x, row++, 0, "DORA 2023 levels (from the dora_band view; durations of 48 h or more in "
                      "days; greyed: fewer samples than [report] min_samples)", x->f.section);
    for (size_t i = 0; i < h->n_legend; i++)
        text(x, row++, 0, h->legend[i], x->f.note);
    return row + 1;
}

/* ------------------------------------------------------------ trust */

/* The sources that need a reader's attention, one row each (failed, empty
 * or rejecting records): a demo with 70 sources must not push the figures
 * off the first screen.  The others are one line. */
static int source_needs_row(const cw_report_source_state *s)
{
    return s->rejects > 0 || !s->last_status || strcmp(s->last_status, "ok") != 0;
}

static lxw_row_t write_sources(summary_ctx *x, lxw_row_t row)
{
    static const char *const head[] = { "Source", "Type", "Last successful load (UTC)",
                                         "Last status", "Rejects", "Error" };
    const cw_report_trust *t = &x->r->exec.trust;
    size_t fine = 0;
    int64_t latest = 0;
    for (size_t i = 0; i < t->n_sources; i++)
        if (!source_needs_row(&t->sources[i])) {
            fine++;
            if (t->sources[i].last_ok_at > latest)
                latest = t->sources[i].last_ok_at;
        }
    if (fine < t->n_sources) {
        for (size_t c = 0; c < 6; c++)
            text(x, row, (lxw_col_t)c, head[c], x->f.header);
        row++;
    }
    for (size_t i = 0; i < t->n_sources; i++) {
        const cw_report_source_state *s = &t->sources[i];
        char when[24];
        int bad = s->last_status && strcmp(s->last_status, "ok") != 0;
        if (!source_needs_row(s))
            continue;
        /* ISO 8601 text: a clock time, which two runs of the same data (both
         * engines, a rebuild) tell apart only as text the reader can see */
        cw_time_format_iso(s->last_ok_at, when, sizeof when);
        text(x, row, 0, s->source, x->f.text);
        text(x, row, 1, s->type, x->f.text);
        text(x, row, 2, s->last_ok_at ? when : "never", s->last_ok_at ? x->f.text : x->f.warning);
        text(x, row, 3, s->last_status, bad ? x->f.warning : x->f.fine);
        number(x, row, 4, (double)s->rejects, x->f.value[U_COUNT]);
        text(x, row, 5, s->error, x->f.text);
        row++;
    }
    if (fine) {
        char when[24], *line;
        cw_time_format_iso(latest, when, sizeof when);
        line = cw_asprintf("%s%zu source%s loaded without a problem (latest load %s)",
                           fine < t->n_sources ? "The other " : "", fine, fine == 1 ? "" : "s",
                           when);
        text(x, row++, 0, line, x->f.fine);
        free(line);
    }
    return row;
}

static lxw_row_t write_trust(summary_ctx *x, lxw_row_t row)
{
    const cw_report_trust *t = &x->r->exec.trust;
    char *line;
    text(x, row++, 0, "Data trust", x->f.section);
    text(x, row++, 0, t->degraded ? "Warning: a source failed or loaded nothing in the last "
                                    "batch; its figures may be stale or incomplete"
                                  : "Every source loaded in the last batch",
         t->degraded ? x->f.warning : x->f.fine);
    if (t->n_sources)
        row = write_sources(x, row);
    line = cw_asprintf("Rejected records: %ld; work items of no application: %ld; incident "
                       "services no application maps: %ld", t->rejects, t->unmapped_items,
                       t->unmapped_services);
    text(x, row++, 0, line, x->f.note);
    free(line);
    if (t->n_findings)
        text(x, row++, 0, "Data-quality findings touching these figures (sheet Data quality: "
                          "examples)", x->f.bold);
    for (size_t i = 0; i < t->n_findings; i++)
        text(x, row++, 0, t->findings[i], x->f.note);
    return row + 1;
}

/* ------------------------------------------------------------ scopes */

static lxw_row_t scope_header(summary_ctx *x, lxw_row_t row)
{
    static const char *const fixed[] = { "Scope", "Name", "Deployments" };
    for (size_t c = 0; c < 3; c++)
        text(x, row, (lxw_col_t)c, fixed[c], x->f.header);
    for (size_t k = 0; k < cw_report_n_keys; k++) {
        lxw_col_t col = (lxw_col_t)(3 + 3 * k);
        text(x, row, col, cw_report_keys[k].label, x->f.header);
        text(x, row, col + 1, "Level", x->f.header);
        text(x, row, col + 2, cw_report_keys[k].is_rate ? "Change (pp)" : "Change", x->f.header);
    }
    worksheet_set_row(x->ws, row, 32, NULL);
    return row + 1;
}

static void scope_row(summary_ctx *x, lxw_row_t row, const char *scope, const cw_dora_summary *s)
{
    text(x, row, 0, scope, x->f.text);
    text(x, row, 1, s->name, scope && strcmp(scope, "application") == 0 ? x->f.text : x->f.bold);
    number(x, row, 2, (double)s->deployments, x->f.value[U_COUNT]);
    for (size_t k = 0; k < cw_report_n_keys; k++)
        key_cells(x, row, (lxw_col_t)(3 + 3 * k), s, k);
}

static int same(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

/* The organisation, then every team (a team's slice: that team only). */
static lxw_row_t write_teams(summary_ctx *x, lxw_row_t row)
{
    const cw_report *r = x->r;
    const char *slice = r->exec.team_slice;
    text(x, row++, 0, slice ? "The team" : "Organisation and teams", x->f.section);
    row = scope_header(x, row);
    for (size_t i = 0; !slice && i < r->n_summaries; i++)
        if (r->summaries[i].scope == CW_SCOPE_ORG)
            scope_row(x, row++, "organisation", &r->summaries[i]);
    for (size_t i = 0; i < r->n_summaries; i++)
        if (r->summaries[i].scope == CW_SCOPE_TEAM && (!slice || same(slice, r->summaries[i].name)))
            scope_row(x, row++, "team", &r->summaries[i]);
    return row + 1;
}

/* One group of applications under its team's name. */
static lxw_row_t write_group(summary_ctx *x, lxw_row_t row, const char *team)
{
    const cw_report *r = x->r;
    char *title = cw_asprintf("Team %s", team ? team : "(none)");
    text(x, row++, 0, title, x->f.bold);
    free(title);
    for (size_t i = 0; i < r->n_summaries; i++)
        if (r->summaries[i].scope == CW_SCOPE_APPLICATION && same(r->summaries[i].team, team))
            scope_row(x, row++, "application", &r->summaries[i]);
    return row;
}

static lxw_row_t write_applications(summary_ctx *x, lxw_row_t row)
{
    const cw_report *r = x->r;
    const char *slice = r->exec.team_slice;
    int orphans = 0;
    text(x, row++, 0, "Applications by team", x->f.section);
    row = scope_header(x, row);
    for (size_t i = 0; i < r->n_summaries; i++)
        if (r->summaries[i].scope == CW_SCOPE_TEAM && (!slice || same(slice, r->summaries[i].name)))
            row = write_group(x, row, r->summaries[i].name);
    for (size_t i = 0; !slice && i < r->n_summaries; i++)
        orphans |= r->summaries[i].scope == CW_SCOPE_APPLICATION && !r->summaries[i].team;
    if (orphans)
        row = write_group(x, row, NULL);
    return row;
}

/* ------------------------------------------------------------ the sheet */

void cw_xlsx_write_summary(lxw_workbook *wb, const cw_report *r)
{
    summary_ctx x = { .r = r, .wb = wb, .min_samples = cw_report_min_samples(r) };
    char from[11], to[11], *note;
    lxw_row_t row = 3;
    x.ws = workbook_add_worksheet(wb, "Summary");
    make_formats(wb, &x.f);
    worksheet_set_landscape(x.ws);
    worksheet_fit_to_pages(x.ws, 1, 0);
    cw_time_format_date(r->from, from, sizeof from);
    cw_time_format_date(r->to, to, sizeof to);
    text(&x, 0, 0, r->exec.team_slice ? "Catwalk weekly report: the team's headline"
                                      : "Catwalk weekly report: the headline", x.f.title);
    note = cw_asprintf("%s%sWindow %s to %s (exclusive), ISO weeks, UTC. Change: the last 4 "
                       "weeks against the 4 before (green better, red worse).",
                       r->exec.team_slice ? r->exec.team_slice : "",
                       r->exec.team_slice ? ". " : "", from, to);
    text(&x, 1, 0, note, x.f.note);
    free(note);
    row = write_headline(&x, row);
    row = write_trust(&x, row);
    row = write_teams(&x, row);
    write_applications(&x, row);
    worksheet_set_column(x.ws, 0, 0, 24, NULL);
    worksheet_set_column(x.ws, 1, 1, 22, NULL);
    worksheet_set_column(x.ws, 2, 2, 22, NULL);
    worksheet_set_column(x.ws, 3, 5, 16, NULL);
    worksheet_set_column(x.ws, 6, (lxw_col_t)(2 + 3 * cw_report_n_keys), 13, NULL);
}
