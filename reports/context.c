/*
 * context.c - the report model as the templates' context (context.h).
 *
 * The page (templates/weekly.html) and the email (templates/email.html,
 * email.txt) read the same tree, so they cannot word a figure differently.
 * Every number is formatted here; colours come as values (level_bg, ...)
 * because the email must carry them as inline styles, and a logic-less
 * template cannot map a level to a colour itself.  The names:
 *
 *   title window generated from to team_slice coverage
 *   headline   {has_tiles, tiles[{key label value_text level_label level_class
 *              bg fg change_text trend_class trend_colour trend_arrow
 *              small_sample samples}], narrative, legend[]}
 *   level_legend[{label class bg fg}]
 *   trust      {degraded summary bg fg border sources[{source type last_ok
 *              status error rejects failed}] rejects unmapped_items
 *              unmapped_services findings[] has_findings}
 *   exceptions[{rank kind kind_label scope scope_name subject since score_text
 *              owner_team owner reason url}] (the top 5), has_exceptions,
 *              more_exceptions
 *   forecasts[] (at-risk first), forecasts_at_risk[]: {release application team
 *              planned remaining has_forecast p50 p85 p95 by_planned at_risk
 *              status_text status_bg status_fg critical_dependency reason};
 *              has_forecasts, has_at_risk, hit_rate_text; at_risk_top[] (the
 *              first 5 at risk, for the email) and more_at_risk (how many more)
 *   key_headers[{label unit}], teams_table{with_team}, applications_table{with_team}
 *   organisation, teams[] (each with applications[]), applications[]: {name
 *              team scope deployments keys[{label value_text level_label
 *              level_class level_bg level_fg trend_text trend_class
 *              trend_colour}]}
 *   families[{sheet charts[{title table}]}]: the numbers behind each chart
 *   sections[{title intro table}], untraceable, rejects, wip, data: tables
 *              {columns[{label num}], rows[{cells[{text num}]}], empty, n_cols}
 *   manifest   {version config_sha256 config_sha256_short seed as_of last_batch window
 *              inputs[{source files sha256}]}, has_manifest
 *   images[{id title alt width height display_width display_height src}],
 *              has_images
 */
#include "context.h"
#include "template.h"
#include "headline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/base64.h"
#include "../core/time.h"
#include "../core/util.h"

/* ------------------------------------------------------------ values */

static void set_str(json_t *o, const char *key, const char *s)
{
    if (s)
        json_object_set_new(o, key, json_string(s));
}

static void set_int(json_t *o, const char *key, long long v)
{
    json_object_set_new(o, key, json_integer(v));
}

static void set_bool(json_t *o, const char *key, int v)
{
    json_object_set_new(o, key, json_boolean(v));
}

static void set_date(json_t *o, const char *key, int64_t t)
{
    char text[21];
    if (t == 0)
        return;
    cw_time_format_date(t, text, sizeof text);
    set_str(o, key, text);
}

void cw_report_format(char *buf, size_t size, double v, cw_report_num style)
{
    if (isnan(v)) {
        buf[0] = '\0';
        return;
    }
    switch (style) {
    case CW_NUM_INTEGER: snprintf(buf, size, "%.0f", v); break;
    case CW_NUM_HOURS: snprintf(buf, size, "%.1f", v); break;
    case CW_NUM_RATIO: snprintf(buf, size, "%.2f", v); break;
    case CW_NUM_RATE: snprintf(buf, size, "%.1f%%", v * 100.0); break;
    }
}

/* ------------------------------------------------------------ levels */

typedef struct level_style {
    const char *cls, *bg, *fg;
} level_style;

/* The workbook's level colours (reports/xlsx.c). */
static const level_style level_styles[] = {
    [CW_LEVEL_NONE] = { "lvl-none", "#d9d9d9", "#595959" },
    [CW_LEVEL_LOW] = { "lvl-low", "#e06666", "#000000" },
    [CW_LEVEL_MEDIUM] = { "lvl-medium", "#ffc000", "#000000" },
    [CW_LEVEL_HIGH] = { "lvl-high", "#93c47d", "#000000" },
    [CW_LEVEL_ELITE] = { "lvl-elite", "#1e6b34", "#ffffff" },
};

static const level_style *style_of(int level)
{
    return level >= CW_LEVEL_NONE && level <= CW_LEVEL_ELITE ? &level_styles[level]
                                                             : &level_styles[CW_LEVEL_NONE];
}

static const char *const trend_class[3] = { "worse", "flat", "better" };
static const char *const trend_colour[3] = { "#c00000", "#59636e", "#1e7b34" };
static const char *const trend_arrow[3] = { "\xe2\x96\xbc", "\xe2\x96\xba", "\xe2\x96\xb2" };

static int sign3(int v)
{
    return v > 0 ? 2 : v < 0 ? 0 : 1;
}

static json_t *level_legend(void)
{
    json_t *a = json_array();
    for (int l = CW_LEVEL_ELITE; l >= CW_LEVEL_NONE; l--) {
        json_t *o = json_object();
        set_str(o, "label", cw_report_level_label((cw_level)l));
        set_str(o, "class", style_of(l)->cls);
        set_str(o, "bg", style_of(l)->bg);
        set_str(o, "fg", style_of(l)->fg);
        json_array_append_new(a, o);
    }
    return a;
}

/* ------------------------------------------------------------ headline */

static json_t *tile_json(const cw_report_tile *t)
{
    json_t *o = json_object();
    const level_style *ls = style_of(t->level);
    int s = sign3(t->better);
    set_str(o, "key", t->key);
    set_str(o, "label", t->label);
    set_str(o, "value_text", t->value_text ? t->value_text : "no data");
    set_str(o, "level_label", cw_report_level_label((cw_level)t->level));
    set_str(o, "level_class", ls->cls);
    /* A level resting on too few samples is shown, greyed, with its n. */
    set_str(o, "bg", t->small_sample ? "#f3f4f6" : ls->bg);
    set_str(o, "fg", t->small_sample ? "#6e7781" : ls->fg);
    set_str(o, "change_text", t->change_text ? t->change_text : "no trend");
    set_str(o, "trend_class", t->small_sample ? "flat" : trend_class[s]);
    set_str(o, "trend_colour", t->small_sample ? "#6e7781" : trend_colour[s]);
    set_str(o, "trend_arrow", isnan(t->change) ? "" : trend_arrow[s]);
    set_bool(o, "small_sample", t->small_sample);
    set_int(o, "samples", t->samples);
    return o;
}

static json_t *headline_json(const cw_report_headline *h)
{
    json_t *o = json_object(), *tiles = json_array(), *legend = json_array();
    for (size_t i = 0; i < h->n_tiles && i < CW_REPORT_TILES; i++)
        json_array_append_new(tiles, tile_json(&h->tiles[i]));
    for (size_t i = 0; i < h->n_legend; i++)
        json_array_append_new(legend, json_string(h->legend[i]));
    set_bool(o, "has_tiles", h->n_tiles > 0);
    json_object_set_new(o, "tiles", tiles);
    set_str(o, "narrative", h->narrative);
    json_object_set_new(o, "legend", legend);
    return o;
}

/* ------------------------------------------------------------ trust */

static char *trust_summary(const cw_report_trust *t)
{
    cw_buf b = {0};
    size_t bad = 0;
    for (size_t i = 0; i < t->n_sources; i++)
        if (t->sources[i].last_status && strcmp(t->sources[i].last_status, "ok") != 0)
            cw_buf_printf(&b, "%s%s (%s)", bad++ ? ", " : "", t->sources[i].source,
                          t->sources[i].last_status);
    char *line;
    if (bad)
        line = cw_asprintf("Data warning: %zu of %zu sources did not load: %s. The figures below "
                           "may be incomplete.", bad, t->n_sources, b.data);
    else if (t->n_sources)
        line = cw_asprintf("Data: all %zu sources loaded.", t->n_sources);
    else
        line = cw_strdup("Data: no source load is recorded for this report.");
    cw_buf_free(&b);
    return line;
}

static json_t *trust_json(const cw_report_trust *t)
{
    json_t *o = json_object(), *sources = json_array(), *findings = json_array();
    char *summary = trust_summary(t);
    for (size_t i = 0; i < t->n_sources; i++) {
        const cw_report_source_state *s = &t->sources[i];
        json_t *x = json_object();
        char when[21] = "never";
        if (s->last_ok_at)
            cw_time_format_iso(s->last_ok_at, when, sizeof when);
        set_str(x, "source", s->source);
        set_str(x, "type", s->type);
        set_str(x, "last_ok", when);
        set_str(x, "status", s->last_status);
        set_str(x, "error", s->error);
        set_int(x, "rejects", s->rejects);
        set_bool(x, "failed", s->last_status && strcmp(s->last_status, "ok") != 0);
        json_array_append_new(sources, x);
    }
    for (size_t i = 0; i < t->n_findings; i++)
        json_array_append_new(findings, json_string(t->findings[i]));
    set_bool(o, "degraded", t->degraded);
    set_str(o, "summary", summary);
    set_str(o, "bg", t->degraded ? "#fff8c5" : "#eef6ee");
    set_str(o, "fg", t->degraded ? "#6f4400" : "#1a4d2b");
    set_str(o, "border", t->degraded ? "#d4a72c" : "#8cc59a");
    json_object_set_new(o, "sources", sources);
    set_int(o, "rejects", t->rejects);
    set_int(o, "unmapped_items", t->unmapped_items);
    set_int(o, "unmapped_services", t->unmapped_services);
    json_object_set_new(o, "findings", findings);
    set_bool(o, "has_findings", t->n_findings > 0);
    free(summary);
    return o;
}

/* ------------------------------------------------------------ exceptions */

static const char *kind_label(const char *kind)
{
    static const char *const names[][2] = {
        { "aging_wip", "Aging work" }, { "gate_wait", "Waiting at a gate" },
        { "release_at_risk", "Release at risk" }, { "open_incident", "Open incident" },
        { "dora_regression", "DORA regression" }, { "stalled_pipeline", "Stalled pipeline" },
    };
    for (size_t i = 0; kind && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(kind, names[i][0]) == 0)
            return names[i][1];
    return kind;
}

/* The model's exceptions are ranked (metrics.md "Exceptions"): its first
 * CW_REPORT_TOP_EXCEPTIONS are the digest. */
static json_t *exceptions_json(const cw_report_exec *x)
{
    json_t *a = json_array();
    for (size_t i = 0; i < x->n_exceptions && i < CW_REPORT_TOP_EXCEPTIONS; i++) {
        const cw_report_exception *e = &x->exceptions[i];
        json_t *o = json_object();
        char score[32];
        snprintf(score, sizeof score, "%.1f", e->score);
        set_int(o, "rank", (long long)i + 1);
        set_str(o, "kind", e->kind);
        set_str(o, "kind_label", kind_label(e->kind));
        set_str(o, "scope", e->scope);
        set_str(o, "scope_name", e->scope_name);
        set_str(o, "subject", e->subject);
        set_date(o, "since", e->since);
        set_str(o, "score_text", score);
        set_str(o, "owner_team", e->owner_team);
        set_str(o, "owner", e->owner);
        set_str(o, "reason", e->reason);
        set_str(o, "url", e->url);
        json_array_append_new(a, o);
    }
    return a;
}

/* ------------------------------------------------------------ forecasts */

static json_t *forecast_json(const cw_report_forecast *f)
{
    json_t *o = json_object();
    set_str(o, "release", f->release);
    set_str(o, "application", f->application);
    set_str(o, "team", f->team);
    if (f->planned_at)
        set_date(o, "planned", f->planned_at);
    else
        set_str(o, "planned", "none");
    set_int(o, "remaining", f->remaining);
    set_bool(o, "has_forecast", f->has_forecast);
    if (f->has_forecast) {
        set_date(o, "p50", f->p50_at);
        set_date(o, "p85", f->p85_at);
        set_date(o, "p95", f->p95_at);
    }
    if (f->items_by_planned_85 >= 0 && f->planned_at) {
        char *text = cw_asprintf("%ld of %ld", f->items_by_planned_85, f->remaining);
        set_str(o, "by_planned", text);
        free(text);
    }
    set_bool(o, "at_risk", f->at_risk);
    set_str(o, "status_text", f->at_risk ? "at risk" : f->has_forecast ? "on track" : "no forecast");
    set_str(o, "status_bg", f->at_risk ? "#ffebe9" : f->has_forecast ? "#eef6ee" : "#f3f4f6");
    set_str(o, "status_fg", f->at_risk ? "#a40e26" : f->has_forecast ? "#1a4d2b" : "#59636e");
    set_str(o, "critical_dependency", f->critical_dependency);
    set_str(o, "reason", f->reason);
    return o;
}

static void forecasts_json(json_t *ctx, const cw_report_exec *x)
{
    json_t *all = json_array(), *risk = json_array(), *top = json_array();
    /* At-risk releases first, each group in the model's order. */
    for (int pass = 1; pass >= 0; pass--)
        for (size_t i = 0; i < x->n_forecasts; i++) {
            if (!!x->forecasts[i].at_risk != pass)
                continue;
            json_t *o = forecast_json(&x->forecasts[i]);
            json_array_append(all, o);
            if (pass)
                json_array_append(risk, o);
            if (pass && json_array_size(top) < CW_REPORT_TOP_EXCEPTIONS)
                json_array_append(top, o);
            json_decref(o);
        }
    set_bool(ctx, "has_forecasts", json_array_size(all) > 0);
    set_bool(ctx, "has_at_risk", json_array_size(risk) > 0);
    json_object_set_new(ctx, "forecasts", all);
    /* the email names the first few; the attached page has them all */
    if (json_array_size(risk) > json_array_size(top))
        set_int(ctx, "more_at_risk", (long long)(json_array_size(risk) - json_array_size(top)));
    json_object_set_new(ctx, "forecasts_at_risk", risk);
    json_object_set_new(ctx, "at_risk_top", top);
    if (x->forecasts_scored > 0 && !isnan(x->forecast_hit_rate)) {
        char *text = cw_asprintf("P85 hit rate %.0f %% over %ld scored forecasts (goal: about 85 %%)",
                                 x->forecast_hit_rate * 100.0, x->forecasts_scored);
        set_str(ctx, "hit_rate_text", text);
        free(text);
    }
}

/* ------------------------------------------------------------ teams, applications */

static json_t *key_json(const cw_dora_summary *s, const cw_report_key *key)
{
    json_t *o = json_object();
    char value[64], delta[64];
    cw_level level = cw_report_key_level(s, key);
    cw_report_trend t = cw_report_key_trend(s, key);
    /* durations as the headline shows them (days from 48 h), rate changes
     * in percentage points: 23.1 % -> 5.9 % is -17.2 pp, not -17.2 % */
    int is_duration = strstr(key->unit, "hours") != NULL;
    double v = cw_report_key_value(s, key);
    set_str(o, "label", key->label);
    if (is_duration && !isnan(v))
        cw_report_duration_text(v, value, sizeof value);
    else
        cw_report_format(value, sizeof value, v, key->is_rate ? CW_NUM_RATE : CW_NUM_RATIO);
    set_str(o, "value_text", value);
    set_str(o, "level_label", cw_report_level_label(level));
    set_str(o, "level_class", style_of(level)->cls);
    set_str(o, "level_bg", style_of(level)->bg);
    set_str(o, "level_fg", style_of(level)->fg);
    if (!isnan(t.delta)) {
        if (key->is_rate)
            snprintf(delta, sizeof delta, "%.1f pp", fabs(t.delta) * 100.0);
        else if (is_duration)
            cw_report_duration_text(fabs(t.delta), delta, sizeof delta);
        else
            cw_report_format(delta, sizeof delta, fabs(t.delta), CW_NUM_RATIO);
        char *text = cw_asprintf("%s %s%s", trend_arrow[t.direction + 1],
                                 t.delta > 0 ? "+" : t.delta < 0 ? "-" : "", delta);
        set_str(o, "trend_text", text);
        free(text);
    }
    set_str(o, "trend_class", isnan(t.delta) ? "none" : trend_class[t.better + 1]);
    set_str(o, "trend_colour", isnan(t.delta) ? "#8c959f" : trend_colour[t.better + 1]);
    return o;
}

static json_t *summary_json(const cw_dora_summary *s)
{
    json_t *o = json_object(), *keys = json_array();
    set_str(o, "name", s->name);
    set_str(o, "team", s->team);
    set_str(o, "scope", cw_report_scope_name(s->scope));
    set_int(o, "deployments", s->deployments);
    for (size_t k = 0; k < cw_report_n_keys; k++)
        json_array_append_new(keys, key_json(s, &cw_report_keys[k]));
    json_object_set_new(o, "keys", keys);
    return o;
}

/* A team's slice (r->exec.team_slice) shows the organisation, that team
 * and its applications only. */
static int in_slice(const cw_report *r, const cw_dora_summary *s)
{
    const char *slice = r->exec.team_slice;
    const char *team = s->scope == CW_SCOPE_TEAM ? s->name : s->team;
    return !slice || s->scope == CW_SCOPE_ORG || (team && strcmp(team, slice) == 0);
}

/* Teams, each with its applications (the drill-down), then every
 * application; the organisation row apart, first. */
static void summaries_json(json_t *ctx, const cw_report *r)
{
    json_t *teams = json_array(), *apps = json_array(), *heads = json_array();
    for (size_t k = 0; k < cw_report_n_keys; k++) {
        json_t *h = json_object();
        set_str(h, "label", cw_report_keys[k].label);
        set_str(h, "unit", *cw_report_keys[k].unit ? cw_report_keys[k].unit : "rate");
        json_array_append_new(heads, h);
    }
    for (size_t i = 0; i < r->n_summaries; i++) {
        const cw_dora_summary *s = &r->summaries[i];
        if (!in_slice(r, s))
            continue;
        if (s->scope == CW_SCOPE_ORG) {
            json_object_set_new(ctx, "organisation", summary_json(s));
        } else if (s->scope == CW_SCOPE_TEAM) {
            json_t *t = summary_json(s), *mine = json_array();
            for (size_t j = 0; j < r->n_summaries; j++)
                if (r->summaries[j].scope == CW_SCOPE_APPLICATION && r->summaries[j].team &&
                    s->name && strcmp(r->summaries[j].team, s->name) == 0)
                    json_array_append_new(mine, summary_json(&r->summaries[j]));
            json_object_set_new(t, "applications", mine);
            json_array_append_new(teams, t);
        } else {
            json_array_append_new(apps, summary_json(s));
        }
    }
    json_object_set_new(ctx, "key_headers", heads);
    /* The teams' table has no Team column, the applications' has. */
    json_object_set_new(ctx, "teams_table", json_pack("{s:b}", "with_team", 0));
    json_object_set_new(ctx, "applications_table", json_pack("{s:b}", "with_team", 1));
    json_object_set_new(ctx, "teams", teams);
    json_object_set_new(ctx, "applications", apps);
}

/* ------------------------------------------------------------ tables */

typedef struct table_builder {
    json_t *table, *rows, *cells;
} table_builder;

static table_builder table_begin(const char *const *labels, const int *num, size_t n)
{
    table_builder tb = { json_object(), json_array(), NULL };
    json_t *cols = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_object();
        set_str(c, "label", labels[i]);
        set_bool(c, "num", num ? num[i] : 0);
        json_array_append_new(cols, c);
    }
    set_int(tb.table, "n_cols", (long long)(n ? n : 1));
    json_object_set_new(tb.table, "columns", cols);
    return tb;
}

static void table_row(table_builder *tb)
{
    json_t *row = json_object();
    tb->cells = json_array();
    json_object_set_new(row, "cells", tb->cells);
    json_array_append_new(tb->rows, row);
}

static void table_cell(table_builder *tb, const char *text, int num)
{
    json_t *c = json_object();
    set_str(c, "text", text ? text : "");
    set_bool(c, "num", num);
    json_array_append_new(tb->cells, c);
}

static void table_number(table_builder *tb, double v, cw_report_num style)
{
    char text[64];
    cw_report_format(text, sizeof text, v, style);
    table_cell(tb, text, 1);
}

static json_t *table_end(table_builder *tb)
{
    set_bool(tb->table, "empty", json_array_size(tb->rows) == 0);
    json_object_set_new(tb->table, "rows", tb->rows);
    return tb->table;
}

static void section_cell(table_builder *tb, cw_report_cell_kind kind, double v, const char *text)
{
    char when[21] = "";
    if (text) {
        table_cell(tb, text, 0);
        return;
    }
    switch (kind) {
    case CW_CELL_HOURS: table_number(tb, v, CW_NUM_HOURS); break;
    case CW_CELL_RATE: table_number(tb, v, CW_NUM_RATE); break;
    case CW_CELL_REAL: table_number(tb, v, CW_NUM_RATIO); break;
    case CW_CELL_INSTANT:
        if (!isnan(v))
            cw_time_format_iso((int64_t)v, when, sizeof when);
        table_cell(tb, when, 0);
        break;
    default: table_number(tb, v, CW_NUM_INTEGER); break;
    }
}

static json_t *sections_json(const cw_report *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n_tables; i++) {
        const cw_report_table *t = &r->tables[i];
        char **heads = cw_xcalloc(t->n_cols + 1, sizeof *heads);
        int *num = cw_xcalloc(t->n_cols + 1, sizeof *num);
        for (size_t c = 0; c < t->n_cols; c++) {
            heads[c] = cw_report_table_heading(t, c);
            num[c] = t->kinds[c] != CW_CELL_TEXT && t->kinds[c] != CW_CELL_INSTANT;
        }
        table_builder tb = table_begin((const char *const *)heads, num, t->n_cols);
        for (size_t row = 0; row < t->n_rows; row++) {
            table_row(&tb);
            for (size_t c = 0; c < t->n_cols; c++)
                section_cell(&tb, t->kinds[c], t->nums[row * t->n_cols + c],
                             t->texts[row * t->n_cols + c]);
        }
        json_t *o = json_object();
        set_str(o, "title", t->section->title);
        set_str(o, "intro", t->section->intro);
        json_object_set_new(o, "table", table_end(&tb));
        json_array_append_new(a, o);
        for (size_t c = 0; c < t->n_cols; c++)
            free(heads[c]);
        free(heads);
        free(num);
    }
    return a;
}

/* The numbers behind each metric family's charts: per chart, one row per
 * week, one column per series (the organisation, then the teams). */
static cw_report_num field_style(const cw_metric_field *field, int is_rate)
{
    return is_rate ? CW_NUM_RATE : field->is_double ? CW_NUM_HOURS : CW_NUM_INTEGER;
}

static json_t *family_chart_json(const cw_report *r, const cw_report_axes *a,
                                 const cw_report_chart *chart)
{
    const cw_metric_field *field = cw_report_field_find(chart->field);
    const char **labels = cw_xcalloc(a->n_series + 2, sizeof *labels);
    int *num = cw_xcalloc(a->n_series + 2, sizeof *num);
    labels[0] = "Week";
    for (size_t s = 0; s < a->n_series; s++) {
        labels[s + 1] = a->series[s];
        num[s + 1] = 1;
    }
    table_builder tb = table_begin(labels, num, a->n_series + 1);
    for (size_t p = 0; p < a->n_periods; p++) {
        table_row(&tb);
        table_cell(&tb, a->periods[p], 0);
        for (size_t s = 0; s < a->n_series; s++)
            table_number(&tb, field ? cw_report_series_value(r, a, s, p, field) : NAN,
                         field ? field_style(field, chart->is_rate) : CW_NUM_INTEGER);
    }
    json_t *c = json_object();
    set_str(c, "title", chart->title);
    json_object_set_new(c, "table", table_end(&tb));
    free(labels);
    free(num);
    return c;
}

static json_t *families_json(const cw_report *r)
{
    cw_report_axes a;
    json_t *families = json_array();
    cw_report_axes_build(r, &a);
    for (size_t i = 0; i < cw_report_n_families; i++) {
        const cw_report_family *family = &cw_report_families[i];
        json_t *f = json_object(), *charts = json_array();
        set_str(f, "sheet", family->sheet);
        for (size_t c = 0; c < family->n_charts; c++)
            json_array_append_new(charts, family_chart_json(r, &a, &family->charts[c]));
        json_object_set_new(f, "charts", charts);
        json_array_append_new(families, f);
    }
    cw_report_axes_free(&a);
    return families;
}

static void audit_json(json_t *ctx, const cw_report *r)
{
    static const char *const untraceable_head[] = { "Application", "Job", "Run", "Finished (UTC)",
                                                    "Revision", "Environment" };
    static const int untraceable_num[] = { 0, 0, 1, 0, 0, 0 };
    static const char *const rejects_head[] = { "Source", "Rejected records", "Last batch" };
    static const int rejects_num[] = { 0, 1, 1 };
    static const char *const wip_head[] = { "Work item", "Summary", "Application", "Status",
                                            "WIP age (hours)", "WIP age (days)" };
    static const int wip_num[] = { 0, 0, 0, 0, 1, 1 };
    table_builder tb = table_begin(untraceable_head, untraceable_num, 6);
    for (size_t i = 0; i < r->n_untraceable; i++) {
        const cw_report_untraceable *u = &r->untraceable[i];
        char when[21];
        cw_time_format_iso(u->finished_at, when, sizeof when);
        table_row(&tb);
        table_cell(&tb, u->application, 0);
        table_cell(&tb, u->job, 0);
        table_number(&tb, (double)u->number, CW_NUM_INTEGER);
        table_cell(&tb, when, 0);
        table_cell(&tb, u->revision, 0);
        table_cell(&tb, u->environment, 0);
    }
    json_object_set_new(ctx, "untraceable", table_end(&tb));
    tb = table_begin(rejects_head, rejects_num, 3);
    for (size_t i = 0; i < r->n_rejects; i++) {
        table_row(&tb);
        table_cell(&tb, r->rejects[i].source, 0);
        table_number(&tb, (double)r->rejects[i].rejects, CW_NUM_INTEGER);
        table_number(&tb, (double)r->rejects[i].last_batch, CW_NUM_INTEGER);
    }
    json_object_set_new(ctx, "rejects", table_end(&tb));
    tb = table_begin(wip_head, wip_num, 6);
    for (size_t i = 0; i < r->n_wip; i++) {
        const cw_report_wip *w = &r->wip[i];
        table_row(&tb);
        table_cell(&tb, w->item_key, 0);
        table_cell(&tb, w->summary, 0);
        table_cell(&tb, w->application, 0);
        table_cell(&tb, w->status, 0);
        table_number(&tb, w->age_h, CW_NUM_HOURS);
        table_number(&tb, w->age_h / 24.0, CW_NUM_HOURS);
    }
    json_object_set_new(ctx, "wip", table_end(&tb));
}

/* Every metric row, raw as the Data sheet holds them (no rounding). */
static json_t *data_json(const cw_report *r)
{
    const size_t n = 4 + cw_metric_n_fields;
    const char **heads = cw_xcalloc(n, sizeof *heads);
    int *num = cw_xcalloc(n, sizeof *num);
    heads[0] = "scope", heads[1] = "name", heads[2] = "team", heads[3] = "period";
    for (size_t f = 0; f < cw_metric_n_fields; f++) {
        heads[4 + f] = cw_metric_fields[f].name;
        num[4 + f] = 1;
    }
    table_builder tb = table_begin(heads, num, n);
    for (size_t i = 0; i < r->n_rows; i++) {
        const cw_report_row *row = &r->rows[i];
        table_row(&tb);
        table_cell(&tb, cw_report_scope_name(row->scope), 0);
        table_cell(&tb, row->m.name, 0);
        table_cell(&tb, row->m.team, 0);
        table_cell(&tb, row->m.period, 0);
        for (size_t f = 0; f < cw_metric_n_fields; f++) {
            double v = cw_report_field_value(&row->m, &cw_metric_fields[f]);
            char text[32] = "";
            if (!isnan(v))
                snprintf(text, sizeof text, "%.10g", v);
            table_cell(&tb, text, 1);
        }
    }
    free(heads);
    free(num);
    return table_end(&tb);
}

/* ------------------------------------------------------------ manifest, images */

static json_t *manifest_json(const cw_report *r)
{
    const cw_report_manifest *m = &r->exec.manifest;
    json_t *o = json_object(), *inputs = json_array();
    char from[11], to[11], as_of[21] = "";
    cw_time_format_date(r->from, from, sizeof from);
    cw_time_format_date(r->to, to, sizeof to);
    char *window = cw_asprintf("%s to %s (exclusive)", from, to);
    set_str(o, "version", m->version);
    set_str(o, "config_sha256", m->config_sha256);
    if (m->config_sha256) {
        /* a 64-digit word cannot wrap: the mail shows its first 12 digits */
        char short_hash[13];
        snprintf(short_hash, sizeof short_hash, "%s", m->config_sha256);
        set_str(o, "config_sha256_short", short_hash);
    }
    set_str(o, "seed", m->seed);
    if (m->as_of) {
        cw_time_format_iso(m->as_of, as_of, sizeof as_of);
        set_str(o, "as_of", as_of);
    }
    set_int(o, "last_batch", m->last_batch);
    set_str(o, "window", window);
    for (size_t i = 0; i < m->n_inputs; i++) {
        json_t *x = json_object();
        set_str(x, "source", m->inputs[i].source);
        set_int(x, "files", m->inputs[i].files);
        set_str(x, "sha256", m->inputs[i].sha256);
        json_array_append_new(inputs, x);
    }
    json_object_set_new(o, "inputs", inputs);
    free(window);
    return o;
}

static json_t *images_json(const cw_report_image *images, size_t n, cw_context_images how)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        const cw_report_image *im = &images[i];
        json_t *o = json_object();
        char *src;
        if (how == CW_CONTEXT_CID) {
            src = cw_asprintf("cid:%s", im->id);
        } else {
            char *b64 = cw_base64(im->png, im->len, NULL);
            src = cw_asprintf("data:image/png;base64,%s", b64);
            free(b64);
        }
        set_str(o, "id", im->id);
        set_str(o, "title", im->title);
        set_str(o, "alt", im->alt ? im->alt : im->title);
        set_int(o, "width", im->width);
        set_int(o, "height", im->height);
        /* The email's column is 600 px; Outlook ignores max-width, so the
         * attributes themselves must fit. */
        int w = im->width > CW_REPORT_EMAIL_WIDTH ? CW_REPORT_EMAIL_WIDTH : im->width;
        set_int(o, "display_width", w);
        set_int(o, "display_height", im->width > 0 ? (long long)im->height * w / im->width
                                                     : im->height);
        set_str(o, "src", src);
        json_array_append_new(a, o);
        free(src);
    }
    return a;
}

/* ------------------------------------------------------------ the context */

static void header_json(json_t *ctx, const cw_report *r)
{
    char from[11], to[11], week[11], generated[21];
    cw_time_format_date(r->from, from, sizeof from);
    cw_time_format_date(r->to, to, sizeof to);
    cw_report_week_of(r, week);
    cw_time_format_iso(r->generated_at, generated, sizeof generated);
    char *title = r->exec.team_slice
                      ? cw_asprintf("Catwalk weekly report, %s, week of %s", r->exec.team_slice, week)
                      : cw_asprintf("Catwalk weekly report, week of %s", week);
    char *window = cw_asprintf("Window %s to %s (exclusive), ISO weeks, UTC. Generated %s.", from,
                               to, generated);
    set_str(ctx, "title", title);
    set_str(ctx, "window", window);
    set_str(ctx, "from", from);
    set_str(ctx, "to", to);
    set_str(ctx, "generated", generated);
    set_str(ctx, "team_slice", r->exec.team_slice);
    free(title);
    free(window);
}

json_t *cw_report_context(const cw_report *r, const cw_report_image *images, size_t n_images,
                          cw_context_images how)
{
    json_t *ctx = json_object();
    const cw_report_exec *x = &r->exec;
    header_json(ctx, r);
    json_object_set_new(ctx, "headline", headline_json(&x->headline));
    json_object_set_new(ctx, "level_legend", level_legend());
    json_object_set_new(ctx, "trust", trust_json(&x->trust));
    json_object_set_new(ctx, "exceptions", exceptions_json(x));
    set_bool(ctx, "has_exceptions", x->n_exceptions > 0);
    if (x->n_exceptions > CW_REPORT_TOP_EXCEPTIONS)
        set_int(ctx, "more_exceptions", (long long)(x->n_exceptions - CW_REPORT_TOP_EXCEPTIONS));
    forecasts_json(ctx, x);
    summaries_json(ctx, r);
    char *coverage = cw_report_coverage_summary(r);
    set_str(ctx, "coverage", coverage);
    free(coverage);
    json_object_set_new(ctx, "families", families_json(r));
    json_object_set_new(ctx, "sections", sections_json(r));
    audit_json(ctx, r);
    json_object_set_new(ctx, "data", data_json(r));
    json_object_set_new(ctx, "manifest", manifest_json(r));
    set_bool(ctx, "has_manifest", x->manifest.version != NULL);
    json_object_set_new(ctx, "images", images_json(images, n_images, how));
    set_bool(ctx, "has_images", n_images > 0);
    return ctx;
}

const char *cw_report_templates_dir(const cw_report *r)
{
    return r->exec.cfg ? r->exec.cfg->report_templates : NULL;
}

int cw_report_templates_check(const char *dir)
{
    static const char *const layouts[] = { "weekly.html", "email.html", "email.txt" };
    int rc = 0;
    for (size_t i = 0; i < sizeof layouts / sizeof layouts[0]; i++)
        if (cw_template_check(dir, layouts[i]) != 0)
            rc = -1;
    return rc;
}
