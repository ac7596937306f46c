/*
 * config.c - load and validate the INI configuration (see config.h).
 *
 * inih does the INI syntax.  The Debian build of inih does not pass line
 * numbers to the handler, so we feed it through ini_parse_stream with a
 * reader that counts lines: when the handler runs, the counter holds the
 * line of the key it was given.  Every error names FILE:LINE: key.
 *
 * Section headers are read by that reader as well, not taken from the
 * handler: inih truncates a section name at 49 bytes and does not report a
 * header without keys, so two adjacent [source X] sections would merge.
 *
 * Validation happens in two passes: the handler stores raw sections and
 * keys, then each section is checked as a whole (required keys present;
 * a [source] by the caller's check, since the connector registry in
 * extract/ knows the types and their keys, and core/ includes nothing from
 * there), so a half-valid config never runs.  Names, numbers and regexes
 * are checked where they are read, so their errors carry their own line.
 */
#include "config.h"
#include "cycle.h"
#include "mailbox.h"
#include "regex.h"
#include "utf8.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_ATTRIBUTION_WINDOW_S (72 * 3600)
#define MAX_ATTRIBUTION_WINDOW_H 87600          /* ten years */

/* Application names are data (report rows, map tables), never paths:
 * letters and digits of any script, combining marks, spaces and . _ - ( ) & +,
 * starting with a letter or digit (so never a formula or an option). */
#define APP_NAME_PATTERN "^[\\p{L}\\p{N}][\\p{L}\\p{N}\\p{M} ._()&+-]*\\z"

enum section_kind { SEC_NONE, SEC_CATWALK, SEC_METRICS, SEC_STATUS, SEC_FLOW, SEC_SOURCE, SEC_APP,
                    SEC_WAREHOUSE, SEC_GATES, SEC_FORECAST, SEC_RELEASE, SEC_MAIL, SEC_EXCEPTIONS,
                    SEC_REPORT, SEC_LANDING, SEC_UNKNOWN };

const char *const cw_exception_kinds[CW_EXCEPTION_KINDS] = {
    "aging_wip", "gate_wait", "release_at_risk", "open_incident", "dora_regression",
    "stalled_pipeline",
};
#define MAX_EXCEPTION_WEIGHT 1000
#define MAX_EXCEPTIONS_TOP 1000

typedef struct parse_state {
    cw_config *cfg;
    FILE *file;
    int line;
    int continuation;           /* the line being handled is an indented continuation */
    int prev_key;               /* a key was read since the last header (inih's prev_name) */
    int bad_line;               /* the line being handled is not valid UTF-8 (already said) */
    int errors;
    int headers;                /* section headers read */
    int first_line[SEC_UNKNOWN];        /* line of the first [catwalk], [metrics], ... */
    int attribution_line;       /* line of attribution_window, 0 when absent */
    int warehouse_line;         /* line of [catwalk] warehouse / [warehouse] uri, 0 when absent */
    int password_line;          /* line of [warehouse] password_env / password_file */
    int forecast_lines[3];      /* lines of [forecast] seed, history_days, trials */
    enum section_kind kind;
} parse_state;

static void config_error(parse_state *st, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void config_error(parse_state *st, int line, const char *key, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: %s%s", st->cfg->path, line, key ? key : "", key ? ": " : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    st->errors++;
}

static int begin_section(parse_state *st, const char *section, int line);

/* A "[section]" line as inih reads it (after the BOM and leading space; an
 * indented line after a key is a continuation instead): the name runs to the
 * first ']', and an inline ';' comment before it leaves the line without a
 * header, which inih reports as a syntax error. */
static void read_header(parse_state *st, char *line)
{
    char *p = line, *end;
    int was_space = 0;
    if (st->line == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    p += strspn(p, " \t\r\v\f");
    if (*p != '[' || (st->prev_key && p > line))
        return;
    for (end = p + 1; *end && *end != ']' && !(was_space && *end == ';'); end++)
        was_space = strchr(" \t\r\v\f\n", *end) != NULL;
    st->headers++;
    if (*end != ']') {
        st->kind = SEC_UNKNOWN;         /* inih reports the line */
        return;
    }
    *end = '\0';
    begin_section(st, p + 1, st->line);
    *end = ']';
    st->prev_key = 0;
}

static char *counting_reader(char *str, int num, void *stream)
{
    parse_state *st = stream;
    char *r = fgets(str, num, st->file);
    size_t len, lead;
    if (!r)
        return r;
    st->line++;
    len = strlen(r);
    /* inih reads at most num - 1 bytes of a line: say so rather than let the
     * rest of a long list be parsed as a broken line of its own. */
    if (len == (size_t)num - 1 && r[len - 1] != '\n' && !feof(st->file)) {
        int c;
        config_error(st, st->line, NULL, "line longer than %d characters: continue a long "
                     "list on indented lines below it", num - 2);
        while ((c = fgetc(st->file)) != EOF && c != '\n')
            ;
        r[0] = '\n';
        r[1] = '\0';
        return r;
    }
    /* Names and values must be UTF-8: the warehouse refuses anything else,
     * and then without a line to point at. */
    st->bad_line = !cw_utf8_valid(r, len);
    if (st->bad_line)
        config_error(st, st->line, NULL, "not valid UTF-8");
    lead = strspn(r, " \t");
    st->continuation = st->prev_key && lead > 0 && r[lead] != '\n' && r[lead] != '\0' &&
                       r[lead] != ';' && r[lead] != '#';
    read_header(st, r);
    return r;
}

char *cw_path_resolve(const char *dir, const char *path)
{
    if (!path)
        return NULL;
    if (path[0] == '/' || !dir || !*dir)
        return cw_strdup(path);
    return cw_asprintf("%s/%s", dir, path);
}

int cw_strlist_split(const char *text, cw_strlist *out)
{
    char *copy = cw_strdup(text ? text : ""), *save = NULL, *tok;
    out->items = NULL;
    out->n = 0;
    for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *t = cw_trim(tok);
        if (!*t)
            continue;
        cw_strlist_add(out, t);
    }
    free(copy);
    return 0;
}

void cw_strlist_add(cw_strlist *list, const char *s)
{
    list->items = cw_xrealloc(list->items, (list->n + 1) * sizeof(char *));
    list->items[list->n++] = cw_strdup(s);
}

void cw_strlist_free(cw_strlist *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->n = 0;
}

/* ---------------------------------------------------------------- sections */

int cw_source_name_valid(const char *name)
{
    size_t len = strlen(name);
    return len >= 1 && len <= CW_NAME_MAX && name[0] != '.' && name[0] != '-' &&
           strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == len;
}

int cw_application_name_valid(const char *name)
{
    char err[128];
    cw_regex *re;
    int ok;
    if (strlen(name) > CW_NAME_MAX)
        return 0;
    re = cw_regex_compile(APP_NAME_PATTERN, 0, err, sizeof(err));
    ok = re && cw_regex_match(re, name) == 1;
    cw_regex_free(re);
    return ok;
}

/* [source NAME] / [application NAME]: the name is checked here, since a
 * source name becomes a landing folder and neither may act as a path or a
 * pattern anywhere. */
static int name_ok(parse_state *st, int is_source, const char *name, int line)
{
    const char *what = is_source ? "source" : "application";
    if (st->bad_line)
        return 0;                       /* "not valid UTF-8" said it already */
    if (is_source ? cw_source_name_valid(name) : cw_application_name_valid(name))
        return 1;
    if (is_source)
        config_error(st, line, what, "name '%s': a source name is 1 to %d letters, digits, '.', "
                     "'_' or '-' (A-Z a-z 0-9 . _ -), not starting with '.' or '-'", name,
                     CW_NAME_MAX);
    else
        config_error(st, line, what, "name '%s': an application name is 1 to %d bytes of "
                     "letters, digits, spaces and . _ - ( ) & +, starting with a letter or "
                     "digit", name, CW_NAME_MAX);
    return 0;
}

static void begin_named(parse_state *st, const char *section, int line)
{
    cw_config *cfg = st->cfg;
    int is_source = section[0] == 's';
    char *copy = cw_strdup(section + (is_source ? 7 : 12));
    char *owned = cw_strdup(cw_trim(copy));
    free(copy);
    st->kind = SEC_UNKNOWN;
    if (!*owned) {
        config_error(st, line, NULL, "section [%s] needs a name", section);
        free(owned);
        return;
    }
    if (!name_ok(st, is_source, owned, line)) {
        free(owned);
        return;
    }
    if (is_source) {
        for (size_t i = 0; i < cfg->n_sources; i++)
            if (strcmp(cfg->sources[i].name, owned) == 0)
                config_error(st, line, "source", "duplicate [source %s] (first at line %d)", owned,
                             cfg->sources[i].line);
        cfg->sources = cw_xrealloc(cfg->sources, (cfg->n_sources + 1) * sizeof(cw_source));
        cw_source *src = &cfg->sources[cfg->n_sources++];
        memset(src, 0, sizeof(*src));
        src->name = owned;
        src->line = line;
        src->config_path = cfg->path;
        src->config_dir = cfg->dir;
        st->kind = SEC_SOURCE;
    } else {
        for (size_t i = 0; i < cfg->n_apps; i++)
            if (strcmp(cfg->apps[i].name, owned) == 0)
                config_error(st, line, "application", "duplicate [application %s] (first at line %d)",
                             owned, cfg->apps[i].line);
        cfg->apps = cw_xrealloc(cfg->apps, (cfg->n_apps + 1) * sizeof(cw_application));
        cw_application *app = &cfg->apps[cfg->n_apps++];
        memset(app, 0, sizeof(*app));
        app->name = owned;
        app->line = line;
        st->kind = SEC_APP;
    }
}

int cw_release_key_valid(const char *key)
{
    const char *space = strchr(key, ' ');
    return space && space > key && space[1] && space[1] != ' ' && key[strlen(key) - 1] != ' ' &&
           !strchr(key, '\t');
}

/* [release "PROJECT NAME"] (the quotes are optional): the natural key of
 * a Jira fix version, as `catwalk forecast` prints it. */
static void begin_release(parse_state *st, const char *name, int line)
{
    cw_config *cfg = st->cfg;
    char *copy = cw_strdup(name), *key = cw_trim(copy);
    size_t len = strlen(key);
    cw_release_rule *rule;
    st->kind = SEC_UNKNOWN;
    if (len >= 2 && key[0] == '"' && key[len - 1] == '"') {
        key[len - 1] = '\0';
        key = cw_trim(key + 1);
    }
    if (!cw_release_key_valid(key)) {
        config_error(st, line, "release", "'%s': a release is named \"PROJECT NAME\" (its "
                     "project key, one space, the version name)", key);
        free(copy);
        return;
    }
    for (size_t i = 0; i < cfg->n_releases; i++)
        if (strcmp(cfg->releases[i].key, key) == 0)
            config_error(st, line, "release", "duplicate [release \"%s\"] (first at line %d)",
                         key, cfg->releases[i].line);
    cfg->releases = cw_xrealloc(cfg->releases, (cfg->n_releases + 1) * sizeof(*cfg->releases));
    rule = &cfg->releases[cfg->n_releases++];
    memset(rule, 0, sizeof(*rule));
    rule->key = cw_strdup(key);
    rule->line = line;
    st->kind = SEC_RELEASE;
    free(copy);
}

/* [mail]: held in a cw_source (see config.h). */
static void begin_mail(parse_state *st, int line)
{
    cw_source *m = cw_xcalloc(1, sizeof(*m));
    m->name = cw_strdup("mail");
    m->type = cw_strdup("mail");
    m->line = line;
    m->config_path = st->cfg->path;
    m->config_dir = st->cfg->dir;
    st->cfg->mail = m;
}

static int begin_section(parse_state *st, const char *section, int line)
{
    static const struct { const char *name; enum section_kind kind; } single[] = {
        {"catwalk", SEC_CATWALK}, {"metrics", SEC_METRICS}, {"status", SEC_STATUS},
        {"flow_types", SEC_FLOW}, {"warehouse", SEC_WAREHOUSE}, {"gates", SEC_GATES},
        {"forecast", SEC_FORECAST},
        {"mail", SEC_MAIL}, {"exceptions", SEC_EXCEPTIONS}, {"report", SEC_REPORT},
        {"landing", SEC_LANDING},
    };
    for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++) {
        if (strcmp(section, single[i].name) != 0)
            continue;
        st->kind = single[i].kind;
        if (st->kind == SEC_MAIL && !st->first_line[SEC_MAIL])
            begin_mail(st, line);
        if (st->first_line[st->kind])
            config_error(st, line, NULL, "duplicate [%s] (first at line %d): one section of "
                         "each", section, st->first_line[st->kind]);
        else
            st->first_line[st->kind] = line;
        return 1;
    }
    if (strncmp(section, "source ", 7) == 0 || strncmp(section, "application ", 12) == 0) {
        begin_named(st, section, line);
        return 1;
    }
    if (strncmp(section, "release ", 8) == 0) {
        begin_release(st, section + 8, line);
        return 1;
    }
    if (!st->bad_line)
        config_error(st, line, NULL, "unknown section [%s]", section);
    st->kind = SEC_UNKNOWN;
    return 1;
}

/* ---------------------------------------------------------------- keys */

static void set_string(char **slot, const char *value)
{
    free(*slot);
    *slot = cw_strdup(value);
}

/* 1 when value is a server URI (postgresql:// or postgres://). */
static int is_db_uri(const char *value)
{
    return strncmp(value, "postgresql://", 13) == 0 || strncmp(value, "postgres://", 11) == 0;
}

/* A password inside a URI: user:password@ before the host, or a password=
 * query parameter.  The INI is read by people and tools that must not see
 * it; it comes from password_env / password_file / .pgpass instead. */
static int uri_has_password(const char *uri)
{
    const char *auth = strstr(uri, "://") + 3, *query = strchr(uri, '?');
    size_t alen = strcspn(auth, "/?#");
    const char *at = memchr(auth, '@', alen);
    if (at && memchr(auth, ':', (size_t)(at - auth)))
        return 1;
    for (const char *p = query; p; p = strchr(p + 1, '&'))
        if (strncmp(p + 1, "password=", 9) == 0)
            return 1;
    return 0;
}

/* [catwalk] warehouse and [warehouse] uri name the same thing: one of them. */
static void set_warehouse(parse_state *st, const char *key, const char *value)
{
    if (st->warehouse_line) {
        config_error(st, st->line, key, "the warehouse is given twice (%s at line %d)",
                     strcmp(key, "uri") == 0 ? "[catwalk] warehouse" : "[warehouse] uri",
                     st->warehouse_line);
        return;
    }
    st->warehouse_line = st->line;
    if (is_db_uri(value) && uri_has_password(value)) {
        config_error(st, st->line, key, "no password in the URI: use password_env = VARIABLE "
                     "or password_file = PATH in [warehouse], or libpq's .pgpass");
        return;
    }
    set_string(&st->cfg->warehouse, value);
}

static void key_warehouse(parse_state *st, const char *key, const char *value)
{
    cw_config *cfg = st->cfg;
    char **slot = NULL;
    if (strcmp(key, "uri") == 0) {
        set_warehouse(st, key, value);
        return;
    }
    if (strcmp(key, "password") == 0 || strcmp(key, "secret") == 0) {
        config_error(st, st->line, key, "secrets never go in the configuration: use "
                     "password_env = VARIABLE or password_file = PATH");
        return;
    }
    if (strcmp(key, "password_env") == 0)
        slot = &cfg->warehouse_password_env;
    else if (strcmp(key, "password_file") == 0)
        slot = &cfg->warehouse_password_file;
    if (!slot)
        config_error(st, st->line, key,
                     "unknown key in [warehouse] (uri, password_env, password_file)");
    else if (*slot)
        config_error(st, st->line, key, "given twice in [warehouse]");
    else if (st->password_line)
        config_error(st, st->line, key, "give password_env or password_file, not both");
    else {
        set_string(slot, value);
        st->password_line = st->line;
    }
}

/* [catwalk] jobs: the threads of a run (pipeline/parallel.h). */
static void key_jobs(parse_state *st, const char *key, const char *value)
{
    double n;
    if (st->cfg->jobs)
        config_error(st, st->line, key, "given twice in [catwalk]");
    else if (cw_parse_decimal(value, 1, CW_JOBS_MAX, 1, &n) != 0)
        config_error(st, st->line, key, "expected a whole number of threads from 1 to %d, got '%s'",
                     CW_JOBS_MAX, value);
    else
        st->cfg->jobs = (int)n;
}

/* [catwalk] organisation (metrics.md Decisions 9): the name of the
 * organisation row wherever a row or a chart names it.  It is data shown in
 * the workbook, the page and the mail, as an application's name is, so the
 * same rule holds (never a formula, a path or an option). */
static void key_organisation(parse_state *st, const char *key, const char *value)
{
    if (st->cfg->organisation)
        config_error(st, st->line, key, "given twice in [catwalk]");
    else if (!cw_application_name_valid(value))
        config_error(st, st->line, key, "expected a name of letters, digits, spaces and . _ - ( ) & +, "
                     "starting with a letter or digit, at most %d bytes; got '%s'", CW_NAME_MAX, value);
    else
        set_string(&st->cfg->organisation, value);
}

static void key_catwalk(parse_state *st, const char *key, const char *value)
{
    cw_config *cfg = st->cfg;
    char **slot = NULL;
    if (strcmp(key, "warehouse") == 0) {
        if (cfg->warehouse && st->first_line[SEC_WAREHOUSE] == 0)
            config_error(st, st->line, key, "given twice in [catwalk]");
        else
            set_warehouse(st, key, value);
        return;
    } else if (strcmp(key, "jobs") == 0) {
        key_jobs(st, key, value);
        return;
    } else if (strcmp(key, "organisation") == 0) {
        key_organisation(st, key, value);
        return;
    } else if (strcmp(key, "landing") == 0)
        slot = &cfg->landing;
    else if (strcmp(key, "reports") == 0)
        slot = &cfg->reports;
    if (!slot)
        config_error(st, st->line, key,
                     "unknown key in [catwalk] (warehouse, landing, reports, jobs, organisation)");
    else if (*slot)
        config_error(st, st->line, key, "given twice in [catwalk]");
    else
        set_string(slot, value);
}

/* [report] min_samples: a level or trend resting on fewer samples is shown
 * greyed with its n (reports/headline.c). */
static void key_min_samples(parse_state *st, const char *key, const char *value)
{
    double n;
    if (st->cfg->report_min_samples)
        config_error(st, st->line, key, "given twice in [report]");
    else if (cw_parse_decimal(value, 1, CW_MIN_SAMPLES_MAX, 1, &n) != 0)
        config_error(st, st->line, key, "expected a whole number of samples from 1 to %d, got '%s'",
                     CW_MIN_SAMPLES_MAX, value);
    else
        st->cfg->report_min_samples = (int)n;
}

/* [report] templates: a copy of templates/ an analyst edits (the report
 * definition, its queries, the HTML layouts); a folder, resolved against the
 * config's folder, checked here so a typo names its line, which is kept for
 * `catwalk check`'s messages about the templates inside it. */
static void key_report(parse_state *st, const char *key, const char *value)
{
    struct stat sb;
    if (strcmp(key, "min_samples") == 0)
        key_min_samples(st, key, value);
    else if (strcmp(key, "templates") != 0)
        config_error(st, st->line, key, "unknown key in [report] (templates, min_samples)");
    else if (st->cfg->report_templates)
        config_error(st, st->line, key, "given twice in [report]");
    else {
        st->cfg->report_templates = cw_path_resolve(st->cfg->dir, value);
        st->cfg->report_templates_line = st->line;
        if (stat(st->cfg->report_templates, &sb) != 0 || !S_ISDIR(sb.st_mode))
            config_error(st, st->line, key, "'%s' is not a folder", value);
    }
}

/* [landing] keep_days / keep_batches: landing retention (pipeline/retention.h). */
static void key_landing(parse_state *st, const char *key, const char *value)
{
    int *slot = strcmp(key, "keep_days") == 0      ? &st->cfg->landing_keep_days
                : strcmp(key, "keep_batches") == 0 ? &st->cfg->landing_keep_batches
                                                   : NULL;
    double n;
    if (!slot)
        config_error(st, st->line, key, "unknown key in [landing] (keep_days, keep_batches)");
    else if (*slot)
        config_error(st, st->line, key, "given twice in [landing]");
    else if (cw_parse_decimal(value, 1, CW_KEEP_MAX, 1, &n) != 0)
        config_error(st, st->line, key, "expected a whole number from 1 to %d, got '%s'",
                     CW_KEEP_MAX, value);
    else
        *slot = (int)n;
}

/* A regex key of [metrics], compiled here so its error names its own line. */
static void key_regex(parse_state *st, char **slot, const char *key, const char *value)
{
    char err[256];
    cw_regex *re;
    if (*slot) {
        config_error(st, st->line, key, "given twice in [metrics]");
        return;
    }
    set_string(slot, value);
    re = cw_regex_compile(value, 0, err, sizeof(err));
    if (!re)
        config_error(st, st->line, key, "not a valid regex: %s", err);
    cw_regex_free(re);
}

static void key_metrics(parse_state *st, const char *key, const char *value)
{
    cw_config *cfg = st->cfg;
    double hours;
    if (strcmp(key, "attribution_window") == 0) {
        if (st->attribution_line)
            config_error(st, st->line, key, "given twice in [metrics]");
        else if (cw_parse_decimal(value, 0, MAX_ATTRIBUTION_WINDOW_H, 0, &hours) != 0)
            config_error(st, st->line, key, "expected hours from 0 to %d (0 = unlimited), got '%s'",
                         MAX_ATTRIBUTION_WINDOW_H, value);
        else
            cfg->attribution_window_s = (int64_t)llround(hours * 3600.0);
        st->attribution_line = st->line;
    } else if (strcmp(key, "key_pattern") == 0) {
        key_regex(st, &cfg->key_pattern, key, value);
    } else if (strcmp(key, "incident_deployment_pattern") == 0) {
        key_regex(st, &cfg->incident_deployment_pattern, key, value);
    } else {
        config_error(st, st->line, key,
                     "unknown key in [metrics] (attribution_window, key_pattern, "
                     "incident_deployment_pattern)");
    }
}

static void key_status(parse_state *st, const char *key, const char *value)
{
    cw_config *cfg = st->cfg;
    const char *category = value;
    int waiting = 0;
    if (strcmp(value, "wait") == 0) {
        category = "in_progress";
        waiting = 1;
    } else if (strcmp(value, "todo") != 0 && strcmp(value, "in_progress") != 0 &&
               strcmp(value, "done") != 0) {
        config_error(st, st->line, key, "expected todo, in_progress, wait or done, got '%s'", value);
        return;
    }
    for (size_t i = 0; i < cfg->n_statuses; i++)
        if (strcmp(cfg->statuses[i].name, key) == 0) {
            config_error(st, st->line, key, "given twice in [status]");
            return;
        }
    cfg->statuses = cw_xrealloc(cfg->statuses, (cfg->n_statuses + 1) * sizeof(cw_status_rule));
    cfg->statuses[cfg->n_statuses].name = cw_strdup(key);
    cfg->statuses[cfg->n_statuses].category = cw_strdup(category);
    cfg->statuses[cfg->n_statuses].waiting = waiting;
    cfg->n_statuses++;
}

static void key_flow(parse_state *st, const char *key, const char *value)
{
    cw_config *cfg = st->cfg;
    if (strcmp(value, "feature") != 0 && strcmp(value, "defect") != 0 &&
        strcmp(value, "risk") != 0 && strcmp(value, "debt") != 0) {
        config_error(st, st->line, key, "expected feature, defect, risk or debt, got '%s'", value);
        return;
    }
    for (size_t i = 0; i < cfg->n_flow_rules; i++)
        if (strcmp(cfg->flow_rules[i].type, key) == 0) {
            config_error(st, st->line, key, "given twice in [flow_types]");
            return;
        }
    cfg->flow_rules = cw_xrealloc(cfg->flow_rules, (cfg->n_flow_rules + 1) * sizeof(cw_flow_rule));
    cfg->flow_rules[cfg->n_flow_rules].type = cw_strdup(key);
    cfg->flow_rules[cfg->n_flow_rules].flow_type = cw_strdup(value);
    cfg->n_flow_rules++;
}

/* [gates] STATUS = stakeholder.  Status names match case-insensitively
 * everywhere (transform/flow.c), so two spellings of one status are one. */
static void key_gate(parse_state *st, const char *key, const char *value)
{
    cw_config *cfg = st->cfg;
    if (cw_str_empty(value)) {
        config_error(st, st->line, key, "expected the stakeholder whose gate this status is "
                     "(Security Review = security)");
        return;
    }
    for (size_t i = 0; i < cfg->n_gates; i++)
        if (cw_streq_ci(cfg->gates[i].status, key)) {
            config_error(st, st->line, key, "given twice in [gates] (first at line %d)",
                         cfg->gates[i].line);
            return;
        }
    cfg->gates = cw_xrealloc(cfg->gates, (cfg->n_gates + 1) * sizeof(cw_gate));
    cfg->gates[cfg->n_gates].status = cw_strdup(key);
    cfg->gates[cfg->n_gates].stakeholder = cw_strdup(value);
    cfg->gates[cfg->n_gates].line = st->line;
    cfg->n_gates++;
}

/* Add key = value to a keyed section (an indented line continues the key
 * before it); 1 when it was a new key. */
static int add_key(parse_state *st, cw_source *src, const char *section, const char *key,
                   const char *value)
{
    if (st->continuation && src->n_keys && strcmp(src->keys[src->n_keys - 1].key, key) == 0) {
        /* an indented line continues a comma-separated list */
        cw_kv *last = &src->keys[src->n_keys - 1];
        char *joined = cw_asprintf("%s,%s", last->value, value);
        free(last->value);
        last->value = joined;
        return 0;
    }
    for (size_t i = 0; i < src->n_keys; i++)
        if (strcmp(src->keys[i].key, key) == 0) {
            config_error(st, st->line, key, "given twice in [%s]", section);
            return 0;
        }
    src->keys = cw_xrealloc(src->keys, (src->n_keys + 1) * sizeof(cw_kv));
    src->keys[src->n_keys].key = cw_strdup(key);
    src->keys[src->n_keys].value = cw_strdup(value);
    src->keys[src->n_keys].line = st->line;
    src->n_keys++;
    return 1;
}

static void key_source(parse_state *st, const char *key, const char *value)
{
    cw_source *src = &st->cfg->sources[st->cfg->n_sources - 1];
    char *section = cw_asprintf("source %s", src->name);
    if (add_key(st, src, section, key, value) && strcmp(key, "type") == 0)
        set_string(&src->type, value);
    free(section);
}

/* Job patterns are anchored as ^(?:pattern)$ when they reach the warehouse;
 * each is checked on its own line so none can escape that anchoring. */
static void check_jobs(parse_state *st, const cw_strlist *jobs, size_t from)
{
    for (size_t j = from; j < jobs->n; j++) {
        char err[256];
        if (cw_regex_check_anchorable(jobs->items[j], err, sizeof(err)) != 0)
            config_error(st, st->line, "jobs", "'%s' %s", jobs->items[j], err);
    }
}

static void key_app(parse_state *st, const char *key, const char *value)
{
    cw_application *app = &st->cfg->apps[st->cfg->n_apps - 1];
    cw_strlist *list = NULL;
    if (strcmp(key, "team") == 0) {
        if (app->team)
            config_error(st, st->line, key, "given twice in [application %s]", app->name);
        else
            set_string(&app->team, value);
        return;
    }
    if (strcmp(key, "projects") == 0)
        list = &app->projects;
    else if (strcmp(key, "repositories") == 0)
        list = &app->repositories;
    else if (strcmp(key, "jobs") == 0)
        list = &app->jobs;
    else if (strcmp(key, "services") == 0)
        list = &app->services;
    else if (strcmp(key, "gates") == 0) {
        list = &app->gates;
        if (!st->continuation && !app->gates_line)
            app->gates_line = st->line;
    }
    if (!list) {
        config_error(st, st->line, key,
                     "unknown key in [application %s] (team, projects, repositories, jobs, services, "
                     "gates)", app->name);
        return;
    }
    if (st->continuation) {
        cw_strlist more;
        size_t from = list->n;
        cw_strlist_split(value, &more);
        list->items = cw_xrealloc(list->items, (list->n + more.n + 1) * sizeof(char *));
        for (size_t i = 0; i < more.n; i++)
            list->items[list->n++] = more.items[i];
        free(more.items);
        if (list == &app->jobs)
            check_jobs(st, list, from);
        return;
    }
    if (list->items) {
        config_error(st, st->line, key, "given twice in [application %s]", app->name);
        return;
    }
    cw_strlist_split(value, list);
    if (list == &app->jobs)
        check_jobs(st, list, 0);
}

/* [exceptions] KIND = weight (a multiplier, 0 to 1000; 0 lists none of
 * the kind) and top = N: each key once. */
static void key_exceptions(parse_state *st, const char *key, const char *value)
{
    cw_config *cfg = st->cfg;
    double n;
    size_t k = 0;
    if (strcmp(key, "top") == 0) {
        if (cfg->exceptions_top)
            config_error(st, st->line, key, "given twice in [exceptions]");
        else if (cw_parse_decimal(value, 1, MAX_EXCEPTIONS_TOP, 1, &n) != 0)
            config_error(st, st->line, key, "expected a whole number of entries from 1 to %d, "
                         "got '%s'", MAX_EXCEPTIONS_TOP, value);
        else
            cfg->exceptions_top = (int)n;
        return;
    }
    while (k < CW_EXCEPTION_KINDS && strcmp(cw_exception_kinds[k], key) != 0)
        k++;
    if (k == CW_EXCEPTION_KINDS)
        config_error(st, st->line, key, "unknown key in [exceptions] (top, aging_wip, gate_wait, "
                     "release_at_risk, open_incident, dora_regression, stalled_pipeline)");
    else if (!isnan(cfg->exception_weights[k]))
        config_error(st, st->line, key, "given twice in [exceptions]");
    else if (cw_parse_decimal(value, 0, MAX_EXCEPTION_WEIGHT, 0, &n) != 0)
        config_error(st, st->line, key, "expected a weight (a multiplier) from 0 to %d, got '%s'",
                     MAX_EXCEPTION_WEIGHT, value);
    else
        cfg->exception_weights[k] = n;
}

/* [forecast] seed | history_days | trials (transform/forecast.h). */
static void key_forecast(parse_state *st, const char *key, const char *value)
{
    static const char *const names[] = { "seed", "history_days", "trials" };
    static const double max[] = { 9007199254740992.0, CW_FORECAST_HISTORY_DAYS_MAX,
                                  CW_FORECAST_TRIALS_MAX };
    cw_config *cfg = st->cfg;
    double n;
    size_t k = 0;
    while (k < 3 && strcmp(key, names[k]) != 0)
        k++;
    if (k == 3) {
        config_error(st, st->line, key, "unknown key in [forecast] (seed, history_days, trials)");
        return;
    }
    if (st->forecast_lines[k]) {
        config_error(st, st->line, key, "given twice in [forecast] (first at line %d)",
                     st->forecast_lines[k]);
        return;
    }
    st->forecast_lines[k] = st->line;
    if (cw_parse_decimal(value, k == 0 ? 0 : 1, max[k], 1, &n) != 0) {
        config_error(st, st->line, key, "expected a whole number from %d to %.0f, got '%s'",
                     k == 0 ? 0 : 1, max[k], value);
        return;
    }
    if (k == 0)
        cfg->forecast_seed = (uint64_t)n;
    else if (k == 1)
        cfg->forecast_history_days = (int)n;
    else
        cfg->forecast_trials = (long)n;
}

/* [release "KEY"] depends_on = KEY, KEY (indented lines continue it). */
static void key_release(parse_state *st, const char *key, const char *value)
{
    cw_release_rule *rule = &st->cfg->releases[st->cfg->n_releases - 1];
    cw_strlist more;
    if (strcmp(key, "depends_on") != 0) {
        config_error(st, st->line, key, "unknown key in [release \"%s\"] (depends_on)",
                     rule->key);
        return;
    }
    if (!st->continuation && rule->depends_line) {
        config_error(st, st->line, key, "given twice in [release \"%s\"]", rule->key);
        return;
    }
    if (!rule->depends_line)
        rule->depends_line = st->line;
    cw_strlist_split(value, &more);
    for (size_t i = 0; i < more.n; i++) {
        if (!cw_release_key_valid(more.items[i]))
            config_error(st, st->line, key, "'%s': a release is named \"PROJECT NAME\" (its "
                         "project key, one space, the version name)", more.items[i]);
        cw_strlist_add(&rule->depends_on, more.items[i]);
    }
    cw_strlist_free(&more);
}

/* The section comes from read_header, not from inih's `section`, which is
 * truncated at 49 bytes. */
static int on_key(void *user, const char *section, const char *name, const char *value)
{
    parse_state *st = user;
    (void)section;
    if (!name)
        return 1;
    st->prev_key = 1;
    switch (st->kind) {
    case SEC_CATWALK: key_catwalk(st, name, value); break;
    case SEC_WAREHOUSE: key_warehouse(st, name, value); break;
    case SEC_METRICS: key_metrics(st, name, value); break;
    case SEC_STATUS: key_status(st, name, value); break;
    case SEC_FLOW: key_flow(st, name, value); break;
    case SEC_GATES: key_gate(st, name, value); break;
    case SEC_EXCEPTIONS: key_exceptions(st, name, value); break;
    case SEC_REPORT: key_report(st, name, value); break;
    case SEC_LANDING: key_landing(st, name, value); break;
    case SEC_SOURCE: key_source(st, name, value); break;
    case SEC_APP: key_app(st, name, value); break;
    case SEC_FORECAST: key_forecast(st, name, value); break;
    case SEC_RELEASE: key_release(st, name, value); break;
    case SEC_MAIL: add_key(st, st->cfg->mail, "mail", name, value); break;
    case SEC_UNKNOWN: break;
    case SEC_NONE:
        config_error(st, st->line, name, "key outside any section");
        break;
    }
    return 1;
}

/* ---------------------------------------------------------------- validation */

static void validate_app(parse_state *st, const cw_application *app)
{
    if (!app->team)
        config_error(st, app->line, "team", "[application %s] needs a team", app->name);
    /* A required gate must be a status some [gates] line names, or it could
     * never be passed and every item would count as skipping it. */
    for (size_t i = 0; i < app->gates.n; i++) {
        size_t g = 0;
        while (g < st->cfg->n_gates && strcmp(st->cfg->gates[g].stakeholder, app->gates.items[i]))
            g++;
        if (g == st->cfg->n_gates)
            config_error(st, app->gates_line, "gates", "[application %s] requires the gate of "
                         "'%s', but no [gates] status names that stakeholder", app->name,
                         app->gates.items[i]);
    }
}

/* The node of a release key among the rules' keys and their dependencies
 * (appended when new). */
static size_t release_node(cw_strlist *keys, const char *key)
{
    for (size_t i = 0; i < keys->n; i++)
        if (strcmp(keys->items[i], key) == 0)
            return i;
    cw_strlist_add(keys, key);
    return keys->n - 1;
}

/* depends_on forms no cycle (metrics.md "Forecast details": a cycle is a
 * configuration error).  Reported once, at the depends_on line of the
 * cycle's first release that has a section. */
static void validate_release_cycles(parse_state *st)
{
    cw_config *cfg = st->cfg;
    cw_strlist keys = { 0 };
    size_t n = cfg->n_releases, **adj, *n_adj, *cycle, len;
    for (size_t i = 0; i < n; i++)
        release_node(&keys, cfg->releases[i].key);
    adj = cw_xcalloc(n + 1, sizeof(*adj));
    n_adj = cw_xcalloc(n + 1, sizeof(*n_adj));
    for (size_t i = 0; i < n; i++) {
        const cw_strlist *deps = &cfg->releases[i].depends_on;
        adj[i] = cw_xcalloc(deps->n + 1, sizeof(**adj));
        for (size_t k = 0; k < deps->n; k++)
            adj[i][n_adj[i]++] = release_node(&keys, deps->items[k]);
    }
    if (cw_cycle_find(n, (const size_t *const *)adj, n_adj, &cycle, &len)) {
        char *path = cw_strdup(keys.items[cycle[0]]);
        for (size_t k = 1; k <= len; k++) {
            char *longer = cw_asprintf("%s -> %s", path, keys.items[cycle[k % len]]);
            free(path);
            path = longer;
        }
        config_error(st, cfg->releases[cycle[0]].depends_line, "depends_on",
                     "dependency cycle: %s", path);
        free(path);
        free(cycle);
    }
    for (size_t i = 0; i < n; i++)
        free(adj[i]);
    free(adj);
    free(n_adj);
    cw_strlist_free(&keys);
}

/* ---------------------------------------------------------------- [mail] */

#define MAIL_TIMEOUT_MAX 3600

static const char *const mail_keys[] = {"url", "from", "to", "username", "password_env",
                                        "password_file", "subject", "ca_file", "timeout", NULL};

static int is_team(const cw_config *cfg, const char *team)
{
    for (size_t i = 0; i < cfg->n_apps; i++)
        if (cfg->apps[i].team && strcmp(cfg->apps[i].team, team) == 0)
            return 1;
    return 0;
}

/* A comma-separated list of one or more mailboxes, each one checked. */
static void check_mailboxes(parse_state *st, const cw_kv *kv, int single)
{
    cw_strlist list;
    cw_strlist_split(kv->value, &list);
    if (list.n == 0 || (single && list.n > 1))
        config_error(st, kv->line, kv->key, single ? "expected one address (Name <a@example.com>)"
                                                   : "expected one or more addresses");
    for (size_t i = 0; i < list.n; i++) {
        cw_mailbox mb;
        const char *why;
        if (cw_mailbox_parse(list.items[i], &mb, &why) != 0)
            config_error(st, kv->line, kv->key, "'%s': %s", list.items[i], why);
    }
    cw_strlist_free(&list);
}

/* smtp://host[:port] (STARTTLS is required) or smtps://host[:port]; the
 * credentials never ride in the URL. */
static void check_mail_url(parse_state *st, const cw_kv *kv)
{
    const char *v = kv->value, *host;
    if (strncmp(v, "smtp://", 7) != 0 && strncmp(v, "smtps://", 8) != 0) {
        config_error(st, kv->line, kv->key, "expected smtp://HOST[:PORT] (STARTTLS) or "
                     "smtps://HOST[:PORT], got '%s'", v);
        return;
    }
    host = strstr(v, "://") + 3;
    if (!*host || *host == '/' || *host == ':')
        config_error(st, kv->line, kv->key, "no host in '%s'", v);
    else if (memchr(host, '@', strcspn(host, "/?#")))
        config_error(st, kv->line, kv->key, "no user or password in the URL: use username and "
                     "password_env or password_file");
}

static int mail_key_known(const char *key)
{
    for (size_t i = 0; mail_keys[i]; i++)
        if (strcmp(key, mail_keys[i]) == 0)
            return 1;
    return 0;
}

static void check_mail_key(parse_state *st, const cw_kv *kv, int *recipients)
{
    const char *key = kv->key;
    double n;
    if (strncmp(key, "team.", 5) == 0) {
        if (!is_team(st->cfg, key + 5))
            config_error(st, kv->line, key, "no [application] has team = %s", key + 5);
        check_mailboxes(st, kv, 0);
        (*recipients)++;
    } else if (strcmp(key, "password") == 0 || strcmp(key, "secret") == 0) {
        config_error(st, kv->line, key, "secrets never go in the configuration: use "
                     "password_env = VARIABLE or password_file = PATH (mode 600)");
    } else if (!mail_key_known(key)) {
        config_error(st, kv->line, key, "unknown key in [mail] (url, from, to, team.TEAM, "
                     "username, password_env, password_file, subject, ca_file, timeout)");
    } else if (strcmp(key, "url") == 0) {
        check_mail_url(st, kv);
    } else if (strcmp(key, "from") == 0 || strcmp(key, "to") == 0) {
        check_mailboxes(st, kv, key[0] == 'f');
        *recipients += key[0] == 't';
    } else if (strcmp(key, "timeout") == 0 &&
               cw_parse_decimal(kv->value, 1, MAIL_TIMEOUT_MAX, 1, &n) != 0) {
        config_error(st, kv->line, key, "expected whole seconds from 1 to %d, got '%s'",
                     MAIL_TIMEOUT_MAX, kv->value);
    } else if (cw_str_empty(kv->value)) {
        config_error(st, kv->line, key, "empty value");
    }
}

static void validate_mail(parse_state *st, const cw_source *m)
{
    int recipients = 0, has_user = cw_source_get(m, "username") != NULL;
    int has_env = cw_source_get(m, "password_env") != NULL;
    int has_file = cw_source_get(m, "password_file") != NULL;
    for (size_t i = 0; i < m->n_keys; i++)
        check_mail_key(st, &m->keys[i], &recipients);
    if (!cw_source_get(m, "url"))
        config_error(st, m->line, "url", "[mail] needs a url (smtp://HOST:587 or "
                     "smtps://HOST:465)");
    if (!cw_source_get(m, "from"))
        config_error(st, m->line, "from", "[mail] needs a from address");
    if (!recipients)
        config_error(st, m->line, "to", "[mail] needs `to` or a team.TEAM list of addresses");
    if (has_env && has_file)
        config_error(st, cw_source_line(m, "password_file"), "password_file",
                     "give password_env or password_file, not both");
    if ((has_env || has_file) && !has_user)
        config_error(st, cw_source_line(m, has_env ? "password_env" : "password_file"),
                     "username", "a password needs a username");
    if (has_user && !has_env && !has_file)
        config_error(st, cw_source_line(m, "username"), "username",
                     "a username needs password_env or password_file");
}

static void apply_defaults(cw_config *cfg)
{
    char *rel;
    rel = cfg->warehouse ? cfg->warehouse : cw_strdup("catwalk.db");
    cfg->warehouse = is_db_uri(rel) ? cw_strdup(rel) : cw_path_resolve(cfg->dir, rel);
    free(rel);
    rel = cfg->warehouse_password_file;
    cfg->warehouse_password_file = cw_path_resolve(cfg->dir, rel);
    free(rel);
    rel = cfg->landing ? cfg->landing : cw_strdup("landing");
    cfg->landing = cw_path_resolve(cfg->dir, rel);
    free(rel);
    rel = cfg->reports ? cfg->reports : cw_strdup("reports");
    cfg->reports = cw_path_resolve(cfg->dir, rel);
    free(rel);
    if (!cfg->organisation)
        cfg->organisation = cw_strdup(CW_ORGANISATION);
    for (size_t k = 0; k < CW_EXCEPTION_KINDS; k++)
        if (isnan(cfg->exception_weights[k]))
            cfg->exception_weights[k] = 1.0;
    if (!cfg->exceptions_top)
        cfg->exceptions_top = CW_EXCEPTIONS_TOP_DEFAULT;
}

/* Only a regular file is a configuration: a folder reads as empty and a
 * FIFO without a writer blocks forever.  O_NONBLOCK makes the open of a FIFO
 * return at once, and fstat decides on what was actually opened. */
static FILE *open_config(const char *path)
{
    struct stat sb;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), flags;
    FILE *f;
    if (fd < 0) {
        fprintf(stderr, "%s: cannot open configuration: %s\n", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fprintf(stderr, "%s: not a regular file: the configuration is an INI file\n", path);
        close(fd);
        return NULL;
    }
    flags = fcntl(fd, F_GETFL);
    if (flags != -1)
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    f = fdopen(fd, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open configuration: %s\n", path, strerror(errno));
        close(fd);
    }
    return f;
}

int cw_config_load(const char *path, cw_source_check_fn check, cw_config **out)
{
    parse_state st = {0};
    cw_config *cfg;
    char *copy;
    int rc;
    *out = NULL;
    st.file = open_config(path);
    if (!st.file)
        return -1;
    cfg = cw_xcalloc(1, sizeof(*cfg));
    cfg->path = cw_strdup(path);
    copy = cw_strdup(path);
    cfg->dir = cw_strdup(dirname(copy));
    free(copy);
    cfg->attribution_window_s = DEFAULT_ATTRIBUTION_WINDOW_S;
    for (size_t k = 0; k < CW_EXCEPTION_KINDS; k++)
        cfg->exception_weights[k] = NAN;        /* unset until apply_defaults */
    cfg->forecast_seed = CW_FORECAST_SEED;
    cfg->forecast_history_days = CW_FORECAST_HISTORY_DAYS;
    cfg->forecast_trials = CW_FORECAST_TRIALS;
    st.cfg = cfg;
    rc = ini_parse_stream(counting_reader, &st, on_key, &st);
    if (ferror(st.file))
        config_error(&st, st.line + 1, NULL, "read error");
    fclose(st.file);
    if (rc > 0)
        config_error(&st, rc, NULL, "syntax error (expected [section] or key = value)");
    if (st.headers == 0 && st.errors == 0) {
        fprintf(stderr, "%s: the configuration is empty: no [catwalk], [source] or "
                "[application] section\n", path);
        st.errors++;
    }
    for (size_t i = 0; i < cfg->n_sources; i++)
        st.errors += check(&cfg->sources[i]);
    for (size_t i = 0; i < cfg->n_apps; i++)
        validate_app(&st, &cfg->apps[i]);
    validate_release_cycles(&st);
    if (cfg->mail)
        validate_mail(&st, cfg->mail);
    if (st.first_line[SEC_WAREHOUSE] && !st.warehouse_line)
        config_error(&st, st.first_line[SEC_WAREHOUSE], "uri", "[warehouse] needs a uri");
    if (st.errors) {
        cw_config_free(cfg);
        return -1;
    }
    apply_defaults(cfg);
    *out = cfg;
    return 0;
}

void cw_config_free(cw_config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < cfg->n_sources; i++) {
        cw_source *src = &cfg->sources[i];
        for (size_t k = 0; k < src->n_keys; k++) {
            free(src->keys[k].key);
            free(src->keys[k].value);
        }
        free(src->keys);
        free(src->name);
        free(src->type);
    }
    for (size_t i = 0; i < cfg->n_apps; i++) {
        cw_application *app = &cfg->apps[i];
        free(app->name);
        free(app->team);
        cw_strlist_free(&app->projects);
        cw_strlist_free(&app->repositories);
        cw_strlist_free(&app->jobs);
        cw_strlist_free(&app->services);
        cw_strlist_free(&app->gates);
    }
    for (size_t i = 0; i < cfg->n_gates; i++) {
        free(cfg->gates[i].status);
        free(cfg->gates[i].stakeholder);
    }
    free(cfg->gates);
    for (size_t i = 0; i < cfg->n_releases; i++) {
        free(cfg->releases[i].key);
        cw_strlist_free(&cfg->releases[i].depends_on);
    }
    free(cfg->releases);
    for (size_t i = 0; i < cfg->n_statuses; i++) {
        free(cfg->statuses[i].name);
        free(cfg->statuses[i].category);
    }
    for (size_t i = 0; i < cfg->n_flow_rules; i++) {
        free(cfg->flow_rules[i].type);
        free(cfg->flow_rules[i].flow_type);
    }
    if (cfg->mail) {
        for (size_t k = 0; k < cfg->mail->n_keys; k++) {
            free(cfg->mail->keys[k].key);
            free(cfg->mail->keys[k].value);
        }
        free(cfg->mail->keys);
        free(cfg->mail->name);
        free(cfg->mail->type);
        free(cfg->mail);
    }
    free(cfg->sources);
    free(cfg->apps);
    free(cfg->statuses);
    free(cfg->flow_rules);
    free(cfg->path);
    free(cfg->dir);
    free(cfg->warehouse);
    free(cfg->warehouse_password_env);
    free(cfg->warehouse_password_file);
    free(cfg->landing);
    free(cfg->reports);
    free(cfg->organisation);
    free(cfg->report_templates);
    free(cfg->key_pattern);
    free(cfg->incident_deployment_pattern);
    free(cfg);
}

const char *cw_source_get(const cw_source *src, const char *key)
{
    for (size_t i = 0; i < src->n_keys; i++)
        if (strcmp(src->keys[i].key, key) == 0)
            return src->keys[i].value;
    return NULL;
}

int cw_source_line(const cw_source *src, const char *key)
{
    for (size_t i = 0; i < src->n_keys; i++)
        if (strcmp(src->keys[i].key, key) == 0)
            return src->keys[i].line;
    return src->line;
}

char *cw_source_path(const cw_source *src, const char *key)
{
    return cw_path_resolve(src->config_dir, cw_source_get(src, key));
}

void cw_source_error(const cw_source *src, const char *key, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s:%d: %s: ", src->config_path, cw_source_line(src, key), key);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int cw_source_regex(const cw_source *src, const char *key, const char *pattern, int caseless,
                    cw_regex **out)
{
    char err[256];
    *out = NULL;
    if (cw_str_empty(pattern))
        return 0;
    *out = cw_regex_compile(pattern, caseless, err, sizeof(err));
    if (!*out) {
        cw_source_error(src, key, "%s", err);
        return -1;
    }
    return 0;
}
