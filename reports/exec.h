/*
 * exec.h - the executive layer of the report model: what a CIO reads first.
 *
 * The weekly report (report.h) is one model rendered by several renderers:
 * the workbook, the full HTML page and the email body.  This header is the
 * part of that model that sits above the metric tables:
 *
 *   headline    four organisation tiles, one sentence, the band legend
 *   trust       the data-trust banner: is what follows built on good data?
 *   exceptions  metrics.md "Exceptions": the five things holding us up
 *   forecasts   metrics.md "Forecast": when will each open release go out
 *   manifest    what the report was built from, so a re-run can be trusted
 *   images      the charts as PNG, for the email body (cid parts) and the page
 *
 * Each part is filled by its own gather function in its own file
 * (reports/headline.c, trust.c, exceptions.c, forecast.c, manifest.c), from
 * the warehouse and the configuration, after cw_report_gather has read the
 * metrics.  Renderers only read the model, so the workbook, the page and the
 * mail cannot disagree about a number.  Every string is interned in the
 * model (cw_report_intern) and every array is freed by cw_report_free.
 */
#ifndef CW_REPORT_EXEC_H
#define CW_REPORT_EXEC_H

#include <stddef.h>
#include <stdint.h>

struct cw_report;
struct cw_db;
struct cw_config;

/* ------------------------------------------------------------ headline */

/* One organisation tile: a DORA key over the window. */
typedef struct cw_report_tile {
    const char *key;            /* deployment_frequency | lead_time | change_failure_rate | restore */
    const char *label;          /* "Deployment frequency" */
    double value;               /* NAN: no data */
    const char *value_text;     /* "4.2 per week", "3.1 days", "12.5 %" */
    int level;                  /* a cw_level (metrics.h); CW_LEVEL_NONE: no level */
    double change;              /* last 4 weeks - the 4 before, in the key's own unit
                                 * (percentage points for rates); NAN: unknown */
    const char *change_text;    /* "+0.8 per week", "-17.2 pp", "-0.4 days" */
    int better;                 /* +1 improvement, -1 regression, 0 flat or unknown */
    long samples;               /* how many samples the level rests on (when only
                                 * the trend is small: its smaller half's) */
    int small_sample;           /* samples < [report] min_samples: shown greyed with n */
} cw_report_tile;

#define CW_REPORT_TILES 4

typedef struct cw_report_headline {
    cw_report_tile tiles[CW_REPORT_TILES];
    size_t n_tiles;             /* 0 until cw_report_gather_headline ran */
    const char *narrative;      /* one sentence */
    const char **legend;        /* one line per key: its band thresholds */
    size_t n_legend, cap_legend;
} cw_report_headline;

/* ------------------------------------------------------------ trust banner */

/* One source's state (source_run, batch). */
typedef struct cw_report_source_state {
    const char *source;
    const char *type;
    int64_t last_ok_at;         /* end of its last successful load; 0: never */
    const char *last_status;    /* ok | failed | empty */
    const char *error;          /* the last failure's message, or NULL */
    long rejects;
} cw_report_source_state;

typedef struct cw_report_trust {
    cw_report_source_state *sources;  size_t n_sources, cap_sources;
    long rejects;               /* all sources */
    long unmapped_items;        /* work items of no application */
    long unmapped_services;     /* incidents on a service no application maps */
    const char **findings;      /* one line per data-quality finding touching a figure shown */
    size_t n_findings, cap_findings;
    int degraded;               /* a source failed or was empty: the banner is a warning */
} cw_report_trust;

/* ------------------------------------------------------------ exceptions */

/* One entry of metrics.md "Exceptions". */
typedef struct cw_report_exception {
    const char *kind;           /* aging_wip | gate_wait | release_at_risk | open_incident |
                                 * dora_regression | stalled_pipeline */
    const char *scope;          /* application | team | release */
    const char *scope_name;     /* the application, team or release */
    const char *subject;        /* natural key: item key, release, incident, key name */
    int64_t since;
    double score;               /* weighted severity */
    const char *owner_team;
    const char *owner;          /* assignee where known, else NULL */
    const char *reason;         /* one line with the numbers */
    const char *url;            /* the Jira issue or CI build, or NULL */
} cw_report_exception;

/* ------------------------------------------------------------ forecasts */

/* One open release (metrics.md "Forecast", "Forecast details"). */
typedef struct cw_report_forecast {
    const char *release;        /* its natural key, e.g. "MOBILE 5.2" */
    const char *application;
    const char *team;
    int64_t planned_at;         /* 0: no planned date */
    long remaining;             /* items carrying it, not done */
    int has_forecast;           /* 0: no throughput history, no dates */
    int64_t p50_at, p85_at, p95_at;
    long items_by_planned_85;   /* items done by the planned date at 85 %; -1: unknown */
    int at_risk;
    const char *critical_dependency;  /* the release that drives its date, or NULL */
    const char *reason;         /* why at risk, or why no forecast */
} cw_report_forecast;

/* ------------------------------------------------------------ manifest */

typedef struct cw_report_input {
    const char *source;
    long files;
    const char *sha256;         /* over its landed files' checksums, in order */
} cw_report_input;

typedef struct cw_report_manifest {
    const char *version;        /* catwalk version */
    const char *config_sha256;
    const char *seed;           /* forecast seed */
    int64_t as_of;              /* the instant the report describes */
    long last_batch;
    cw_report_input *inputs;    size_t n_inputs, cap_inputs;
} cw_report_manifest;

/* ------------------------------------------------------------ images */

/* A chart drawn as PNG (reports/chart*.c). */
typedef struct cw_report_image {
    const char *id;             /* stable, [a-z0-9-]: the cid and file stem */
    const char *title;
    const char *alt;            /* text alternative: what the chart says */
    unsigned char *png;         /* owned by the image list */
    size_t len;
    int width, height;          /* pixels */
} cw_report_image;

/* ------------------------------------------------------------ chart data */

/* What the charts read beyond the weekly metric rows (reports/charts.c,
 * chart.h): one table per chart query (reports/sql/report_chart_*.sql, by
 * team: a team slice filters them), kept apart from r->tables so no
 * renderer lays them out as sections; the organisation's and the teams'
 * rows by calendar month (the monthly view); and the DORA bands
 * (dora_band) shaded behind the DORA charts.  NULL/0 when not gathered. */
typedef struct cw_report_chart_data {
    struct cw_report_table *tables;     size_t n_tables, cap_tables;
    struct cw_report_row *monthly;      size_t n_monthly, cap_monthly;
    int64_t monthly_from, monthly_to;   /* [from, to) of the monthly rows */
    struct cw_dora_bands *bands;        /* owned; NULL: no bands drawn */
} cw_report_chart_data;

/* ------------------------------------------------------------ the layer */

typedef struct cw_report_exec {
    const struct cw_config *cfg;        /* may be NULL (tests): defaults apply */
    const char *team_slice;             /* NULL: the whole organisation */
    cw_report_headline headline;
    cw_report_trust trust;
    cw_report_exception *exceptions;    size_t n_exceptions, cap_exceptions;
    cw_report_forecast *forecasts;      size_t n_forecasts, cap_forecasts;
    double forecast_hit_rate;           /* P85 hit rate of scored forecasts; NAN: none */
    long forecasts_scored;
    cw_report_manifest manifest;
    cw_report_chart_data charts;        /* cw_report_gather_charts */
} cw_report_exec;

/* Append copies (strings interned in r). */
void cw_report_add_exception(struct cw_report *r, const cw_report_exception *e);
void cw_report_add_forecast(struct cw_report *r, const cw_report_forecast *f);
void cw_report_add_source_state(struct cw_report *r, const cw_report_source_state *s);
void cw_report_add_trust_finding(struct cw_report *r, const char *line);
void cw_report_add_legend(struct cw_report *r, const char *line);
void cw_report_add_input(struct cw_report *r, const cw_report_input *in);

/* The gather step of each part: 0, or -1 (logged).  Each reads r->exec.cfg
 * (NULL: defaults) and the warehouse; the window is r->from .. r->to. */
int cw_report_gather_headline(struct cw_db *db, struct cw_report *r);
int cw_report_gather_trust(struct cw_db *db, struct cw_report *r);
int cw_report_gather_exceptions(struct cw_db *db, struct cw_report *r);
int cw_report_gather_forecasts(struct cw_db *db, struct cw_report *r);
int cw_report_gather_manifest(struct cw_db *db, struct cw_report *r);
/* The charts' data (reports/charts.c). */
int cw_report_gather_charts(struct cw_db *db, struct cw_report *r);
void cw_report_charts_free(struct cw_report *r);
/* All six, in that order. */
int cw_report_gather_exec(struct cw_db *db, const struct cw_config *cfg, struct cw_report *r);
void cw_report_exec_free(struct cw_report *r);

/* The charts as PNG images, drawn from the model (reports/chart_png.c).
 * 0 or -1 (logged); free with cw_report_images_free. */
int cw_report_images(const struct cw_report *r, cw_report_image **out, size_t *n);
void cw_report_images_free(cw_report_image *images, size_t n);

/* The email body (reports/email.c): email-safe HTML (tables and inline
 * styles, images as <img src="cid:ID"> of `images`) and its plain-text
 * alternative.  0 or -1 (logged); caller frees both. */
int cw_report_email_body(const struct cw_report *r, const cw_report_image *images,
                         size_t n_images, char **html, char **text);

#endif
