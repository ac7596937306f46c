/*
 * forecast.c - `catwalk forecast`: when will each open release go out
 * (metrics.md "Forecast", "Forecast details"; rule in transform/forecast.h).
 *
 *   catwalk forecast -c FILE [--release KEY] [--team NAME] [--at-risk]
 *                    [--format table|json|csv]
 *
 * Per open release: the planned date, remaining items, P50/P85/P95
 * completion dates, the items done by the planned date in 85 % of the
 * trials, whether it is at risk and its critical dependency (or why it has
 * no forecast); then the calibration line: the P85 hit rate of the stored
 * forecasts scored so far.  The numbers are the last derivation's (`catwalk
 * run`), read through the report model (reports/forecast.c) so the command,
 * the workbook and the email agree.  The warehouse is opened read-only.
 */
#include "commands.h"
#include "options.h"

#include <csv.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/config.h"
#include "../core/log.h"
#include "../core/time.h"
#include "../extract/source.h"
#include "../reports/metrics.h"
#include "../reports/report.h"

typedef enum fc_format { FORMAT_TABLE, FORMAT_JSON, FORMAT_CSV } fc_format;

static const cw_command_help forecast_help = {
    "forecast",
    "-c FILE [--release KEY] [--team NAME] [--at-risk] [--format table|json|csv]",
    "Print the forecast of every open release (Monte Carlo over its team's daily\n"
    "throughput): P50, P85 and P95 completion dates, the planned date, the items\n"
    "remaining and those done by the planned date in 85 % of the trials, whether\n"
    "it is at risk and the dependency that drives its date; then the P85 hit\n"
    "rate of past forecasts.  A release is named \"PROJECT NAME\".",
    "Forecasts are made by `catwalk run` (as of its run instant) and read here.\n"
    "Dates are UTC days; a release with no forecast shows '-' and why.\n\n"
    "exit status: 0 printed; 1 failure; 2 usage or configuration error.",
};

static const char *const columns[] = {
    "release", "application", "team", "planned", "remaining", "p50", "p85", "p95",
    "items_by_planned_85", "at_risk", "critical_dependency", "reason",
};
#define N_COLS (sizeof columns / sizeof *columns)

typedef struct fc_options {
    cw_common_options common;
    const char *release, *team;
    int at_risk;
    fc_format format;
} fc_options;

/* The cells of one forecast as text (NULL: none). */
static void cells_of(const cw_report_forecast *f, char dates[4][16], char nums[2][24],
                     const char *out[N_COLS])
{
    const int64_t at[4] = { f->planned_at, f->has_forecast ? f->p50_at : 0,
                            f->has_forecast ? f->p85_at : 0, f->has_forecast ? f->p95_at : 0 };
    for (int i = 0; i < 4; i++)
        if (at[i])
            cw_time_format_date(at[i], dates[i], 16);
        else
            dates[i][0] = '\0';
    snprintf(nums[0], 24, "%ld", f->remaining);
    if (f->items_by_planned_85 >= 0)
        snprintf(nums[1], 24, "%ld", f->items_by_planned_85);
    else
        nums[1][0] = '\0';
    out[0] = f->release;
    out[1] = f->application;
    out[2] = f->team;
    out[3] = dates[0][0] ? dates[0] : NULL;
    out[4] = nums[0];
    for (int i = 1; i < 4; i++)
        out[4 + i] = dates[i][0] ? dates[i] : NULL;
    out[8] = nums[1][0] ? nums[1] : NULL;
    out[9] = f->at_risk ? "yes" : "no";
    out[10] = f->critical_dependency;
    out[11] = f->reason;
}

static int wanted(const cw_report_forecast *f, const fc_options *o)
{
    return (!o->release || (f->release && strcmp(f->release, o->release) == 0)) &&
           (!o->at_risk || f->at_risk);
}

static json_t *json_of(const cw_report_forecast *f, const char *cells[N_COLS])
{
    json_t *obj = json_object();
    for (size_t c = 0; c < N_COLS; c++) {
        json_t *v;
        if (c == 4)
            v = json_integer(f->remaining);
        else if (c == 8)
            v = f->items_by_planned_85 >= 0 ? json_integer(f->items_by_planned_85) : json_null();
        else if (c == 9)
            v = json_boolean(f->at_risk);
        else
            v = cells[c] ? json_string(cells[c]) : json_null();
        json_object_set_new(obj, columns[c], v);
        if (c == 4)
            json_object_set_new(obj, "has_forecast", json_boolean(f->has_forecast));
    }
    return obj;
}

static void print_table(const cw_report *r, const fc_options *o)
{
    size_t width[N_COLS];
    for (size_t c = 0; c < N_COLS; c++)
        width[c] = strlen(columns[c]);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            for (size_t c = 0; c < N_COLS; c++)
                printf("%s%-*s", c ? "  " : "", c + 1 < N_COLS ? (int)width[c] : 0, columns[c]);
            putchar('\n');
        }
        for (size_t i = 0; i < r->exec.n_forecasts; i++) {
            const cw_report_forecast *f = &r->exec.forecasts[i];
            char dates[4][16], nums[2][24];
            const char *cells[N_COLS];
            if (!wanted(f, o))
                continue;
            cells_of(f, dates, nums, cells);
            for (size_t c = 0; c < N_COLS; c++) {
                const char *t = cells[c] ? cells[c] : "-";
                if (pass == 0 && strlen(t) > width[c])
                    width[c] = strlen(t);
                else if (pass == 1)
                    printf("%s%-*s", c ? "  " : "", c + 1 < N_COLS ? (int)width[c] : 0, t);
            }
            if (pass == 1)
                putchar('\n');
        }
    }
}

static void print_csv(const cw_report *r, const fc_options *o)
{
    for (size_t c = 0; c < N_COLS; c++)
        printf("%s%s", c ? "," : "", columns[c]);
    putchar('\n');
    for (size_t i = 0; i < r->exec.n_forecasts; i++) {
        char dates[4][16], nums[2][24];
        const char *cells[N_COLS];
        if (!wanted(&r->exec.forecasts[i], o))
            continue;
        cells_of(&r->exec.forecasts[i], dates, nums, cells);
        for (size_t c = 0; c < N_COLS; c++) {
            if (c)
                putchar(',');
            if (cells[c])
                csv_fwrite(stdout, cells[c], strlen(cells[c]));
        }
        putchar('\n');
    }
}

/* "calibration: P85 hit rate 82.0 % over 11 scored forecasts" */
static void print_calibration(const cw_report *r)
{
    if (r->exec.forecasts_scored)
        printf("\ncalibration: P85 hit rate %.1f %% over %ld scored forecasts (goal: about 85 %%)\n",
               100.0 * r->exec.forecast_hit_rate, r->exec.forecasts_scored);
    else
        printf("\ncalibration: no forecast scored yet (a forecast is scored when its release "
               "ships, 7 days or more after it was made)\n");
}

static int print_json(const cw_report *r, const fc_options *o)
{
    json_t *list = json_array(), *doc;
    char *text;
    for (size_t i = 0; i < r->exec.n_forecasts; i++) {
        char dates[4][16], nums[2][24];
        const char *cells[N_COLS];
        if (!wanted(&r->exec.forecasts[i], o))
            continue;
        cells_of(&r->exec.forecasts[i], dates, nums, cells);
        json_array_append_new(list, json_of(&r->exec.forecasts[i], cells));
    }
    doc = json_pack("{s:o, s:{s:I, s:o}}", "forecasts", list, "calibration", "scored",
                    (json_int_t)r->exec.forecasts_scored, "p85_hit_rate",
                    r->exec.forecasts_scored ? json_real(r->exec.forecast_hit_rate) : json_null());
    text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!text)
        return -1;
    printf("%s\n", text);
    free(text);
    return 0;
}

static int print_forecasts(cw_db *db, const fc_options *o)
{
    cw_report r;
    int rc;
    cw_report_init(&r, 0, 0);
    r.exec.team_slice = o->team;
    rc = cw_report_gather_forecasts(db, &r);
    if (rc == 0 && o->format == FORMAT_JSON)
        rc = print_json(&r, o);
    else if (rc == 0 && o->format == FORMAT_CSV)
        print_csv(&r, o);
    else if (rc == 0) {
        print_table(&r, o);
        print_calibration(&r);
    }
    cw_report_free(&r);
    return rc == 0 && fflush(stdout) == 0 ? 0 : -1;
}

/* -1 to go on, else the exit code. */
static int parse_options(int argc, char **argv, fc_options *o)
{
    const char *format = NULL;
    int n;
    const cw_option options[] = {
        CW_OPT_COMMON(&o->common),
        CW_OPT_STRING(0, "release", "KEY", &o->release, "only this release (\"PROJECT NAME\")"),
        CW_OPT_STRING(0, "team", "NAME", &o->team, "only this team's releases and scores"),
        CW_OPT_FLAG(0, "at-risk", &o->at_risk, "only releases at risk"),
        CW_OPT_STRING(0, "format", "FMT", &format, "table (default), json or csv"),
        CW_OPT_END()};
    memset(o, 0, sizeof *o);
    if ((n = cw_options_no_operands(&forecast_help, options, &o->common, argc, argv, NULL)) >= 0)
        return n;
    if (!format || strcmp(format, "table") == 0)
        o->format = FORMAT_TABLE;
    else if (strcmp(format, "json") == 0)
        o->format = FORMAT_JSON;
    else if (strcmp(format, "csv") == 0)
        o->format = FORMAT_CSV;
    else
        return cw_usage_error(&forecast_help, "--format", "expected table, json or csv", format);
    return -1;
}

int cmd_forecast(int argc, char **argv)
{
    fc_options o;
    cw_config *cfg = NULL;
    cw_db *db = NULL;
    int rc = parse_options(argc, argv, &o);
    if (rc >= 0)
        return rc;
    if (cw_config_load(o.common.config, cw_source_check, &cfg) != 0)
        return CW_EXIT_USAGE;
    rc = CW_EXIT_FAILURE;
    if (cw_metrics_open_reader(cfg, &db) == 0 && print_forecasts(db, &o) == 0)
        rc = CW_EXIT_OK;
    else
        cw_error("forecast: nothing printed");
    cw_db_close(db);
    cw_config_free(cfg);
    return rc;
}
