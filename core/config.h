/*
 * config.h - the INI configuration (parsed with inih), validated up front.
 *
 * A config error names the file, line and key, and nothing runs.  Relative
 * paths resolve against the config file's folder.  Lists are comma-separated
 * everywhere and trimmed.
 *
 * The config is the only process-wide state catwalk has; everything else is
 * passed down explicitly.
 *
 * Names are checked at load because they travel: a source name becomes a
 * landing folder (batch/NAME/...), so it is 1 to 64 bytes of A-Z a-z 0-9
 * . _ - and does not start with '.' or '-' (never "..", a '/', or a glob
 * character).  An application name is data only (report rows, map tables):
 * 1 to 64 bytes of letters and digits of any script, spaces and . _ - ( ) & +,
 * starting with a letter or digit.  Every line must be valid UTF-8, every
 * number is range checked before it is converted, and only a regular file
 * is a configuration.
 */
#ifndef CW_CONFIG_H
#define CW_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "regex.h"

typedef struct cw_kv {
    char *key;
    char *value;
    int line;
} cw_kv;

typedef struct cw_strlist {
    char **items;
    size_t n;
} cw_strlist;

/* [source NAME] */
typedef struct cw_source {
    char *name;                 /* NAME */
    char *type;                 /* a connector name from the registry (extract/registry.c) */
    int line;                   /* line of the section header */
    const char *config_path;    /* the config file, for error messages */
    const char *config_dir;     /* folder of the config file */
    cw_kv *keys;                /* every key of the section, in order */
    size_t n_keys;
} cw_source;

/* [application NAME] */
typedef struct cw_application {
    char *name;
    char *team;
    cw_strlist projects;        /* Jira project keys */
    cw_strlist repositories;    /* git repository names (the git source's `repository`) */
    cw_strlist jobs;            /* CI job names or regexes, anchored as ^(?:job)$ */
    cw_strlist services;        /* incident service names */
    cw_strlist gates;           /* stakeholders whose gates it requires ([gates] values) */
    int gates_line;             /* line of `gates`, 0 when absent */
    int line;
} cw_application;

/* [status] NAME = todo | in_progress | wait | done */
typedef struct cw_status_rule {
    char *name;
    char *category;             /* todo | in_progress | done */
    int waiting;                /* 1 when configured as `wait` */
} cw_status_rule;

/* [flow_types] ISSUE TYPE = feature | defect | risk | debt */
typedef struct cw_flow_rule {
    char *type;
    char *flow_type;
} cw_flow_rule;

/* [gates] STATUS NAME = stakeholder: a status that is a stakeholder's gate
 * (metrics.md "Gates and the value stream map"). */
typedef struct cw_gate {
    char *status;
    char *stakeholder;
    int line;
} cw_gate;

/* [exceptions] KIND = weight (metrics.md "Exceptions"): the kinds, in the
 * order of reports/exceptions.h's cw_exception_kind.  Listed here because
 * the configuration validates them and core/ knows nothing above it. */
#define CW_EXCEPTION_KINDS 6
extern const char *const cw_exception_kinds[CW_EXCEPTION_KINDS];
#define CW_EXCEPTIONS_TOP_DEFAULT 5     /* [exceptions] top */
/* [release "PROJECT NAME"] depends_on = PROJECT NAME, ...: a release (a
 * Jira fix version, natural key "PROJECT NAME": the project key, one space,
 * the version name) waits on others (metrics.md "Forecast details").  The
 * dependencies form no cycle (checked at load). */
typedef struct cw_release_rule {
    char *key;
    cw_strlist depends_on;
    int line;                   /* of the section header */
    int depends_line;           /* of depends_on, 0 when absent */
} cw_release_rule;

typedef struct cw_config {
    char *path;                 /* the config file as given */
    char *dir;                  /* its folder */
    /* [catwalk] warehouse or [warehouse] uri: the resolved path of the SQLite
     * file, or a postgresql:// URI as given (never with a password in it) */
    char *warehouse;
    char *warehouse_password_env;       /* [warehouse] password_env: a variable name, or NULL */
    char *warehouse_password_file;      /* [warehouse] password_file, resolved, or NULL */
    char *landing;              /* resolved landing folder */
    char *reports;              /* resolved reports folder (default "reports") */
    char *report_templates;     /* [report] templates: resolved folder, NULL = built in */
    int report_templates_line;
    /* [catwalk] organisation: the organisation row's name (metrics.md
     * Decisions 9); never NULL after cw_config_load (CW_ORGANISATION) */
    char *organisation;
    int jobs;                   /* [catwalk] jobs: threads of a run (`run --jobs`), 0 = unset */
    int64_t attribution_window_s;       /* [metrics] attribution_window, hours; 0 = unlimited */
    char *key_pattern;                  /* [metrics] key_pattern (pcre2) */
    char *incident_deployment_pattern;  /* [metrics] incident_deployment_pattern, or NULL */
    cw_source *sources;
    size_t n_sources;
    cw_application *apps;
    size_t n_apps;
    cw_status_rule *statuses;
    size_t n_statuses;
    cw_flow_rule *flow_rules;
    size_t n_flow_rules;
    cw_gate *gates;
    size_t n_gates;
    cw_release_rule *releases;          /* [release "KEY"] sections */
    size_t n_releases;
    uint64_t forecast_seed;             /* [forecast] seed (default 1) */
    int forecast_history_days;          /* [forecast] history_days (default 90) */
    long forecast_trials;               /* [forecast] trials (default 10000) */
    /* [mail] (`catwalk mail`): its keys as a source keeps them, so the
     * credential loader and cw_source_get/_path/_error serve it as they serve
     * a source; checked at load (url, from, to, team.TEAM, username,
     * password_env, password_file, subject, ca_file, timeout).  NULL: absent. */
    cw_source *mail;
    int report_min_samples;     /* [report] min_samples; 0 = unset (CW_MIN_SAMPLES_DEFAULT) */
    /* [exceptions]: a multiplier per kind (default 1; 0 = never listed) and
     * how many entries the digest shows */
    double exception_weights[CW_EXCEPTION_KINDS];
    int exceptions_top;
    /* [landing] retention (pipeline/retention.h): 0 = unset (keep all) */
    int landing_keep_days, landing_keep_batches;
} cw_config;

#define CW_ORGANISATION "organisation"  /* [catwalk] organisation's default */
#define CW_NAME_MAX 64          /* bytes of a source or application name */
#define CW_KEEP_MAX 100000      /* [landing] keep_days, keep_batches */
#define CW_JOBS_MAX 256         /* threads of a run ([catwalk] jobs, `run --jobs`) */
#define CW_MIN_SAMPLES_DEFAULT 5        /* [report] min_samples */
#define CW_MIN_SAMPLES_MAX 1000000
/* [forecast] defaults and limits (transform/forecast.h) */
#define CW_FORECAST_SEED 1
#define CW_FORECAST_HISTORY_DAYS 90
#define CW_FORECAST_HISTORY_DAYS_MAX 3660
#define CW_FORECAST_TRIALS 10000
#define CW_FORECAST_TRIALS_MAX 1000000

/* 1 when name is a valid source name / application name (see above). */
int cw_source_name_valid(const char *name);
int cw_application_name_valid(const char *name);

/* Checks one [source] section against its connector: the keys it accepts,
 * their values, what it needs.  core/ knows no connector, so the caller
 * hands cw_config_load the connector registry's check (cw_source_check,
 * extract/source.h); a new connector is then one file and one registry row,
 * and no list here goes stale.  Prints "FILE:LINE: key: message" for each
 * error and returns how many it found. */
typedef int (*cw_source_check_fn)(const cw_source *src);

/* Parse and validate, every source through check.  On error prints
 * "FILE:LINE: key: message" to stderr and returns -1 (nothing half-loaded
 * is returned). */
int cw_config_load(const char *path, cw_source_check_fn check, cw_config **out);
void cw_config_free(cw_config *cfg);

/* A key of a source section, or NULL. */
const char *cw_source_get(const cw_source *src, const char *key);
/* The line of that key (for error messages), or the section line. */
int cw_source_line(const cw_source *src, const char *key);
/* A path key resolved against the config folder; caller frees.  NULL if absent. */
char *cw_source_path(const cw_source *src, const char *key);
/* "FILE:LINE: key: message" on stderr, LINE being the key's own line (the
 * section's when the key is absent). */
void cw_source_error(const cw_source *src, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Compile the regex a key holds (pattern: its value, or the connector's
 * default).  An empty or absent pattern is no regex: 0 with *out NULL.  On
 * error print "FILE:LINE: key: offset N: message" and return -1 with *out
 * NULL. */
int cw_source_regex(const cw_source *src, const char *key, const char *pattern, int caseless,
                    cw_regex **out);

/* Resolve a path relative to dir (absolute paths pass through); caller frees. */
char *cw_path_resolve(const char *dir, const char *path);

/* 1 when key is a release's natural key: "PROJECT NAME", a project key
 * without spaces, one space, a non-empty version name. */
int cw_release_key_valid(const char *key);

/* Split "a, b ,c" into a list (trimmed, empty items dropped). */
int cw_strlist_split(const char *text, cw_strlist *out);
void cw_strlist_free(cw_strlist *list);
/* Append a copy of s. */
void cw_strlist_add(cw_strlist *list, const char *s);

#endif
